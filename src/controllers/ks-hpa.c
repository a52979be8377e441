/* ks-hpa.c: the HPA's arithmetic: the replica calculator (replica_calculator.go,
 * metrics/utilization.go), normalization (horizontal.go) and Kubernetes' recommender.  Times are
 * compared as Go's time.Before / After are (strictly). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ks-hpa.h"
#include "src/ks-clock.h"

void
ks_hpa_options_init (KsHpaOptions *o)
{
  o->sync_period = KS_HPA_DEFAULT_SYNC_PERIOD;
  o->tolerance = KS_HPA_DEFAULT_TOLERANCE;
  o->downscale_stabilization = KS_HPA_DEFAULT_DOWNSCALE_STABILIZATION;
  o->cpu_initialization_period = KS_HPA_DEFAULT_CPU_INITIALIZATION_PERIOD;
  o->initial_readiness_delay = KS_HPA_DEFAULT_INITIAL_READINESS_DELAY;
  o->policy = "kubernetes";
}

/* The replica calculator */

KsHpaPodState
ks_hpa_group_pod (const KsPod *pod, gboolean has_metric, gint64 metric_timestamp,
                  gint64 metric_window, gboolean cpu, gint64 now, const KsHpaOptions *o)
{
  const KsCondition *ready = &pod->conditions[KS_POD_COND_READY];

  if (pod->parent.meta.deletion_timestamp != KS_TIME_NONE || pod->phase == KS_POD_FAILED)
    return KS_HPA_POD_IGNORED;
  if (pod->phase == KS_POD_PENDING)
    return KS_HPA_POD_UNREADY;
  if (!has_metric)
    return KS_HPA_POD_MISSING;
  if (cpu)
    {
      gboolean unready;
      if (ready->status == KS_CONDITION_UNSET || pod->start_time == KS_TIME_NONE)
        unready = TRUE;
      else if (pod->start_time + o->cpu_initialization_period > now)
        /* Within the initialization period a pod counts once it is ready and its metric was
         * taken over a window wholly after it became ready. */
        unready = ready->status == KS_CONDITION_FALSE
                  || metric_timestamp < ready->last_transition_time + metric_window;
      else
        /* Afterwards only a pod that has never been ready is unready. */
        unready = ready->status == KS_CONDITION_FALSE
                  && pod->start_time + o->initial_readiness_delay > ready->last_transition_time;
      if (unready)
        return KS_HPA_POD_UNREADY;
    }
  return KS_HPA_POD_READY;
}

/* GetResourceUtilizationRatio over the pods counted (counted[i]) with values vals[i]. */
static gboolean
utilization_ratio (const KsHpaPodSample *pods, const gboolean *counted, const gint64 *vals, guint n,
                   gint32 target, double *ratio, gint32 *utilization, gint64 *raw, GError **error)
{
  gint64 total = 0, requests = 0;
  guint entries = 0;

  for (guint i = 0; i < n; i++)
    if (counted[i])
      {
        total += vals[i];
        requests += pods[i].request;
        entries++;
      }
  if (requests == 0)
    {
      g_set_error (error, KS_CONTROLLER_ERROR, 0, "no metrics returned matched known pods");
      return FALSE;
    }
  *utilization = (gint32) ((total * 100) / requests);
  *ratio = (double) *utilization / (double) target;
  if (raw != NULL)
    *raw = total / entries;
  return TRUE;
}

/* GetMetricUsageRatio. */
static double
usage_ratio (const gboolean *counted, const gint64 *vals, guint n, gint64 target, gint64 *usage)
{
  gint64 total = 0;
  guint entries = 0;

  for (guint i = 0; i < n; i++)
    if (counted[i])
      {
        total += vals[i];
        entries++;
      }
  *usage = entries > 0 ? total / entries : 0;
  return (double) *usage / (double) target;
}

/* The shared body of GetResourceReplicas and calcPlainMetricReplicas: target is a percent
 * (utilization) or a per-pod value (plain). */
static gboolean
calc_replicas (const KsHpaPodSample *pods, guint n, gint32 current, gint64 target,
               gboolean utilization, double tolerance, gint32 *replicas, gint32 *util_out,
               gint64 *usage_out, GError **error)
{
  g_autofree gboolean *counted = g_new0 (gboolean, n + 1);
  g_autofree gint64 *vals = g_new0 (gint64, n + 1);
  guint ready = 0, unready = 0, missing = 0, with_metrics = 0;
  double ratio, new_ratio;
  gint32 util = 0;
  gint64 usage = 0;
  gint32 result;

  if (n == 0)
    {
      g_set_error (error, KS_CONTROLLER_ERROR, 0,
                   "no pods returned by selector while calculating replica count");
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    switch (pods[i].state)
      {
      case KS_HPA_POD_READY:
        counted[i] = TRUE;
        vals[i] = pods[i].value;
        ready++;
        with_metrics++;
        break;
      case KS_HPA_POD_UNREADY:
        unready++;
        break;
      case KS_HPA_POD_MISSING:
        missing++;
        break;
      case KS_HPA_POD_IGNORED:
        break;
      }
  if (with_metrics == 0)
    {
      g_set_error (error, KS_CONTROLLER_ERROR, 0,
                   "did not receive metrics for targeted pods (pods might be unready)");
      return FALSE;
    }
  if (utilization)
    {
      if (!utilization_ratio (pods, counted, vals, n, (gint32) target, &ratio, &util, &usage,
                              error))
        return FALSE;
    }
  else
    ratio = usage_ratio (counted, vals, n, target, &usage);
  if (util_out != NULL)
    *util_out = util;
  if (usage_out != NULL)
    *usage_out = usage;

  gboolean scale_up_with_unready = unready > 0 && ratio > 1.0;
  if (!scale_up_with_unready && missing == 0)
    {
      if (fabs (1.0 - ratio) <= tolerance)
        *replicas = current;
      else
        *replicas = (gint32) ceil (ratio * (double) ready);
      return TRUE;
    }
  /* Assume values for the pods without a usable metric, against the direction of the change. */
  for (guint i = 0; i < n; i++)
    {
      if (pods[i].state == KS_HPA_POD_MISSING && ratio != 1.0)
        {
          counted[i] = TRUE;
          if (ratio < 1.0)
            vals[i] = utilization ? pods[i].request * MAX (100, target) / 100 : target;
          else
            vals[i] = 0;
        }
      else if (pods[i].state == KS_HPA_POD_UNREADY && scale_up_with_unready)
        {
          counted[i] = TRUE;
          vals[i] = 0;
        }
    }
  with_metrics = 0;
  for (guint i = 0; i < n; i++)
    with_metrics += counted[i] ? 1 : 0;
  if (utilization)
    {
      gint32 u2;
      if (!utilization_ratio (pods, counted, vals, n, (gint32) target, &new_ratio, &u2, NULL,
                              error))
        return FALSE;
    }
  else
    {
      gint64 u2;
      new_ratio = usage_ratio (counted, vals, n, target, &u2);
    }
  if (fabs (1.0 - new_ratio) <= tolerance || (ratio < 1.0 && new_ratio > 1.0)
      || (ratio > 1.0 && new_ratio < 1.0))
    {
      *replicas = current;
      return TRUE;
    }
  result = (gint32) ceil (new_ratio * (double) with_metrics);
  if ((new_ratio < 1.0 && result > current) || (new_ratio > 1.0 && result < current))
    result = current;
  *replicas = result;
  return TRUE;
}

gboolean
ks_hpa_resource_replicas (const KsHpaPodSample *pods, guint n, gint32 current,
                          gint32 target_utilization, double tolerance, gint32 *replicas,
                          gint32 *utilization, gint64 *raw_usage, GError **error)
{
  return calc_replicas (pods, n, current, target_utilization, TRUE, tolerance, replicas,
                        utilization, raw_usage, error);
}

gboolean
ks_hpa_plain_replicas (const KsHpaPodSample *pods, guint n, gint32 current, gint64 target_usage,
                       double tolerance, gint32 *replicas, gint64 *usage, GError **error)
{
  return calc_replicas (pods, n, current, target_usage, FALSE, tolerance, replicas, NULL, usage,
                        error);
}

gint32
ks_hpa_usage_ratio_replicas (gint32 current, double ratio, gint32 ready_pods, double tolerance)
{
  if (current != 0)
    {
      if (fabs (1.0 - ratio) <= tolerance)
        return current;
      return (gint32) ceil (ratio * (double) ready_pods);
    }
  return (gint32) ceil (ratio);
}

gint32
ks_hpa_per_pod_replicas (gint64 usage, gint64 target_average, gint32 status_replicas,
                         double tolerance, gint64 *average)
{
  gint32 replicas = status_replicas;
  double ratio = (double) usage / ((double) target_average * (double) status_replicas);

  if (fabs (1.0 - ratio) > tolerance)
    replicas = (gint32) ceil ((double) usage / (double) target_average);
  if (average != NULL)
    *average
        = status_replicas != 0 ? (gint64) ceil ((double) usage / (double) status_replicas) : usage;
  return replicas;
}

/* Normalization */

typedef struct
{
  gint64 timestamp;
  gint32 recommendation;
} Recommendation;

typedef struct
{
  gint64 timestamp;
  gint32 change;
  gboolean outdated;
} ScaleEvent;

struct _KsHpaHistory
{
  GArray *recommendations; /* Recommendation */
  GArray *up_events;       /* ScaleEvent */
  GArray *down_events;
};

KsHpaHistory *
ks_hpa_history_new (void)
{
  KsHpaHistory *h = g_new0 (KsHpaHistory, 1);
  h->recommendations = g_array_new (FALSE, FALSE, sizeof (Recommendation));
  h->up_events = g_array_new (FALSE, FALSE, sizeof (ScaleEvent));
  h->down_events = g_array_new (FALSE, FALSE, sizeof (ScaleEvent));
  return h;
}

void
ks_hpa_history_free (KsHpaHistory *h)
{
  if (h == NULL)
    return;
  g_array_unref (h->recommendations);
  g_array_unref (h->up_events);
  g_array_unref (h->down_events);
  g_free (h);
}

void
ks_hpa_history_record_initial (KsHpaHistory *h, gint32 current, gint64 now)
{
  if (h->recommendations->len == 0)
    {
      Recommendation r = { now, current };
      g_array_append_val (h->recommendations, r);
    }
}

static gint32
longest_period (const KsHpaScalingRules *r)
{
  gint32 longest = 0;
  for (guint i = 0; i < r->n_policies; i++)
    longest = MAX (longest, r->policies[i].period_seconds);
  return longest;
}

void
ks_hpa_history_store_scale_event (KsHpaHistory *h, const KsHorizontalPodAutoscaler *hpa,
                                  gint32 previous, gint32 replicas, gint64 now)
{
  gboolean up = replicas > previous;
  GArray *events = up ? h->up_events : h->down_events;
  gint64 cutoff;
  ScaleEvent e = { now, up ? replicas - previous : previous - replicas, FALSE };

  if (!hpa->has_behavior)
    return;
  cutoff = now - longest_period (up ? &hpa->scale_up : &hpa->scale_down) * KS_USEC_PER_SEC;
  for (guint i = 0; i < events->len; i++)
    if (g_array_index (events, ScaleEvent, i).timestamp < cutoff)
      g_array_index (events, ScaleEvent, i).outdated = TRUE;
  for (guint i = 0; i < events->len; i++)
    if (g_array_index (events, ScaleEvent, i).outdated)
      {
        g_array_index (events, ScaleEvent, i) = e;
        return;
      }
  g_array_append_val (events, e);
}

/* getReplicasChangePerPeriod */
static gint32
change_in_period (GArray *events, gint32 period_seconds, gint64 now)
{
  gint64 cutoff = now - period_seconds * KS_USEC_PER_SEC;
  gint32 change = 0;

  for (guint i = 0; i < events->len; i++)
    if (g_array_index (events, ScaleEvent, i).timestamp > cutoff)
      change += g_array_index (events, ScaleEvent, i).change;
  return change;
}

/* calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors */
static gint32
rate_limit (KsHpaHistory *h, const KsHpaScalingRules *r, gint32 current, gboolean up, gint64 now)
{
  gboolean take_max;
  gint64 result;

  if (r->select == KS_HPA_SELECT_DISABLED)
    return current;
  /* Max allows the largest change: the highest limit up, the lowest down. */
  take_max = (r->select == KS_HPA_SELECT_MIN) != up;
  result = take_max ? G_MININT32 : G_MAXINT32;
  for (guint i = 0; i < r->n_policies; i++)
    {
      const KsHpaPolicy *p = &r->policies[i];
      gint32 start = current - change_in_period (h->up_events, p->period_seconds, now)
                     + change_in_period (h->down_events, p->period_seconds, now);
      gint32 proposed;
      if (p->type == KS_HPA_POLICY_PODS)
        proposed = up ? start + p->value : start - p->value;
      else if (up)
        proposed = (gint32) ceil ((double) start * (1 + (double) p->value / 100));
      else
        proposed = (gint32) ((double) start * (1 - (double) p->value / 100));
      result = take_max ? MAX (result, proposed) : MIN (result, proposed);
    }
  return (gint32) result;
}

static void
set_limited (KsHorizontalPodAutoscaler *hpa, gint32 desired, gint32 stabilized, const char *reason,
             const char *message, gint64 now)
{
  ks_hpa_set_condition (hpa, KS_HPA_COND_SCALING_LIMITED,
                        desired == stabilized ? KS_CONDITION_FALSE : KS_CONDITION_TRUE, reason,
                        message, now);
}

#define MSG_WITHIN_RANGE "the desired count is within the acceptable range"
#define MSG_UP_LIMIT "the desired replica count is increasing faster than the maximum scale rate"
#define MSG_DOWN_LIMIT "the desired replica count is decreasing faster than the maximum scale rate"
#define MSG_TOO_MANY "the desired replica count is more than the maximum replica count"
#define MSG_TOO_FEW "the desired replica count is less than the minimum replica count"
#define MSG_UP_STABILIZED                                                                          \
  "recent recommendations were lower than current one, applying the lowest recent recommendation"
#define MSG_DOWN_STABILIZED                                                                        \
  "recent recommendations were higher than current one, applying the highest recent "              \
  "recommendation"

static gint32
normalize_legacy (KsHpaHistory *h, KsHorizontalPodAutoscaler *hpa, gint32 current, gint32 proposal,
                  gint32 min, gint64 window, gint64 now)
{
  gint64 cutoff = now - window;
  gint32 stabilized = proposal;
  int old = -1;
  Recommendation r = { now, proposal };
  gint32 up_limit, max_allowed, desired;
  const char *reason, *message;

  /* stabilizeRecommendation */
  for (guint i = 0; i < h->recommendations->len; i++)
    {
      const Recommendation *rec = &g_array_index (h->recommendations, Recommendation, i);
      if (rec->timestamp < cutoff)
        old = (int) i;
      else if (rec->recommendation > stabilized)
        stabilized = rec->recommendation;
    }
  if (old >= 0)
    g_array_index (h->recommendations, Recommendation, old) = r;
  else
    g_array_append_val (h->recommendations, r);
  if (stabilized != proposal)
    ks_hpa_set_condition (hpa, KS_HPA_COND_ABLE_TO_SCALE, KS_CONDITION_TRUE, "ScaleDownStabilized",
                          MSG_DOWN_STABILIZED, now);
  else
    ks_hpa_set_condition (hpa, KS_HPA_COND_ABLE_TO_SCALE, KS_CONDITION_TRUE, "ReadyForNewScale",
                          "recommended size matches current size", now);

  /* convertDesiredReplicasWithRules */
  up_limit = (gint32) MAX (2.0 * (double) current, 4.0);
  if (hpa->max_replicas > up_limit)
    {
      max_allowed = up_limit;
      reason = "ScaleUpLimit";
      message = MSG_UP_LIMIT;
    }
  else
    {
      max_allowed = hpa->max_replicas;
      reason = "TooManyReplicas";
      message = MSG_TOO_MANY;
    }
  if (stabilized < min)
    {
      desired = min;
      reason = "TooFewReplicas";
      message = MSG_TOO_FEW;
    }
  else if (stabilized > max_allowed)
    desired = max_allowed;
  else
    {
      desired = stabilized;
      reason = "DesiredWithinRange";
      message = MSG_WITHIN_RANGE;
    }
  set_limited (hpa, desired, stabilized, reason, message, now);
  return desired;
}

static gint32
normalize_behavior (KsHpaHistory *h, KsHorizontalPodAutoscaler *hpa, gint32 current,
                    gint32 proposal, gint32 min, gint64 default_down_window, gint64 now)
{
  gint64 up_cutoff = now - hpa->scale_up.stabilization_window * KS_USEC_PER_SEC;
  gint64 down_window = hpa->scale_down.has_window
                           ? hpa->scale_down.stabilization_window * KS_USEC_PER_SEC
                           : default_down_window;
  gint64 down_cutoff = now - down_window;
  gint32 up = proposal, down = proposal, stabilized = current, desired = 0;
  int old = -1;
  Recommendation r = { now, proposal };
  const char *reason = "DesiredWithinRange", *message = MSG_WITHIN_RANGE;

  /* stabilizeRecommendationWithBehaviors: the envelope of both windows. */
  for (guint i = 0; i < h->recommendations->len; i++)
    {
      const Recommendation *rec = &g_array_index (h->recommendations, Recommendation, i);
      if (rec->timestamp > up_cutoff)
        up = MIN (up, rec->recommendation);
      if (rec->timestamp > down_cutoff)
        down = MAX (down, rec->recommendation);
      if (rec->timestamp < up_cutoff && rec->timestamp < down_cutoff)
        old = (int) i;
    }
  if (stabilized < up)
    stabilized = up;
  if (stabilized > down)
    stabilized = down;
  if (old >= 0)
    g_array_index (h->recommendations, Recommendation, old) = r;
  else
    g_array_append_val (h->recommendations, r);
  if (stabilized != proposal)
    {
      if (proposal >= current)
        ks_hpa_set_condition (hpa, KS_HPA_COND_ABLE_TO_SCALE, KS_CONDITION_TRUE,
                              "ScaleUpStabilized", MSG_UP_STABILIZED, now);
      else
        ks_hpa_set_condition (hpa, KS_HPA_COND_ABLE_TO_SCALE, KS_CONDITION_TRUE,
                              "ScaleDownStabilized", MSG_DOWN_STABILIZED, now);
    }
  else
    ks_hpa_set_condition (hpa, KS_HPA_COND_ABLE_TO_SCALE, KS_CONDITION_TRUE, "ReadyForNewScale",
                          "recommended size matches current size", now);

  /* convertDesiredReplicasWithBehaviorRate */
  desired = stabilized;
  if (stabilized > current)
    {
      gint32 limit = MAX (rate_limit (h, &hpa->scale_up, current, TRUE, now), current);
      gint32 max_allowed = hpa->max_replicas;
      const char *lr, *lm;
      if (max_allowed > limit)
        {
          max_allowed = limit;
          lr = "ScaleUpLimit";
          lm = MSG_UP_LIMIT;
        }
      else
        {
          lr = "TooManyReplicas";
          lm = MSG_TOO_MANY;
        }
      if (stabilized > max_allowed)
        {
          desired = max_allowed;
          reason = lr;
          message = lm;
        }
    }
  else if (stabilized < current)
    {
      gint32 limit = MIN (rate_limit (h, &hpa->scale_down, current, FALSE, now), current);
      gint32 min_allowed = min;
      const char *lr, *lm;
      if (min_allowed < limit)
        {
          min_allowed = limit;
          lr = "ScaleDownLimit";
          lm = MSG_DOWN_LIMIT;
        }
      else
        {
          lr = "TooFewReplicas";
          lm = MSG_TOO_FEW;
        }
      if (stabilized < min_allowed)
        {
          desired = min_allowed;
          reason = lr;
          message = lm;
        }
    }
  set_limited (hpa, desired, stabilized, reason, message, now);
  return desired;
}

gint32
ks_hpa_normalize (KsHpaHistory *h, KsHorizontalPodAutoscaler *hpa, gint32 current, gint32 proposal,
                  gint32 min, gint64 downscale_stabilization, gint64 now)
{
  if (!hpa->has_behavior)
    return normalize_legacy (h, hpa, current, proposal, min, downscale_stabilization, now);
  return normalize_behavior (h, hpa, current, proposal, min, downscale_stabilization, now);
}

/* Kubernetes' recommender: computeReplicasForMetrics and normalization. */

/* The metric's name in events and conditions, as horizontal.go spells it. */
static char *
metric_name (const KsMetricSpec *m)
{
  switch (m->type)
    {
    case KS_METRIC_SOURCE_RESOURCE:
      return m->target_type == KS_METRIC_TARGET_UTILIZATION
                 ? g_strdup_printf ("%s resource utilization (percentage of request)", m->name)
                 : g_strdup_printf ("%s resource", m->name);
    case KS_METRIC_SOURCE_CONTAINER_RESOURCE:
      return m->target_type == KS_METRIC_TARGET_UTILIZATION
                 ? g_strdup_printf ("%s container resource utilization (percentage of request)",
                                    m->name)
                 : g_strdup_printf ("%s container resource", m->name);
    case KS_METRIC_SOURCE_PODS:
      return g_strdup_printf ("pods metric %s", m->name);
    case KS_METRIC_SOURCE_OBJECT:
      return g_strdup_printf ("%s metric %s", m->described_object.kind, m->name);
    case KS_METRIC_SOURCE_EXTERNAL:
      return g_strdup_printf ("external metric %s(nil)", m->name);
    }
  return g_strdup ("");
}

/* The reason of a metric's failure (getUnableComputeReplicaCountCondition). */
static const char *
failure_reason (const KsMetricSpec *m)
{
  switch (m->type)
    {
    case KS_METRIC_SOURCE_RESOURCE:
      return "FailedGetResourceMetric";
    case KS_METRIC_SOURCE_CONTAINER_RESOURCE:
      return "FailedGetContainerResourceMetric";
    case KS_METRIC_SOURCE_PODS:
      return "FailedGetPodsMetric";
    case KS_METRIC_SOURCE_OBJECT:
      return "FailedGetObjectMetric";
    case KS_METRIC_SOURCE_EXTERNAL:
      return "FailedGetExternalMetric";
    }
  return "";
}

/* The prefix horizontal.go puts before a metric's error. */
static char *
error_prefix (const KsMetricSpec *m)
{
  switch (m->type)
    {
    case KS_METRIC_SOURCE_RESOURCE:
    case KS_METRIC_SOURCE_CONTAINER_RESOURCE:
      return g_strdup_printf (m->target_type == KS_METRIC_TARGET_UTILIZATION
                                  ? "failed to get %s utilization"
                                  : "failed to get %s usage",
                              m->name);
    case KS_METRIC_SOURCE_PODS:
      return g_strdup ("failed to get pods metric value");
    case KS_METRIC_SOURCE_OBJECT:
      return g_strdup ("failed to get object metric value");
    case KS_METRIC_SOURCE_EXTERNAL:
      return g_strdup_printf ("failed to get external metric %s", m->name);
    }
  return g_strdup ("");
}

/* One metric's proposal and status (computeReplicasForMetric). */
static gboolean
metric_proposal (const KsHpaRecommendInput *in, const KsHpaMetricInput *mi, gint32 *replicas,
                 KsMetricStatus *st, GError **error)
{
  const KsMetricSpec *m = mi->spec;
  double tol = in->options->tolerance;
  g_autoptr (GError) e = NULL;
  gboolean ok = TRUE;

  st->type = m->type;
  st->name = g_strdup (m->name);
  st->container = g_strdup (m->container);
  if (m->type == KS_METRIC_SOURCE_OBJECT)
    {
      st->described_object.api_version = g_strdup (m->described_object.api_version);
      st->described_object.kind = g_strdup (m->described_object.kind);
      st->described_object.name = g_strdup (m->described_object.name);
    }
  if (!mi->ok)
    {
      e = g_error_copy (mi->error);
      ok = FALSE;
    }
  else
    switch (m->type)
      {
      case KS_METRIC_SOURCE_RESOURCE:
      case KS_METRIC_SOURCE_CONTAINER_RESOURCE:
      case KS_METRIC_SOURCE_PODS:
        if (m->target_type == KS_METRIC_TARGET_UTILIZATION)
          {
            ok = ks_hpa_resource_replicas (mi->pods, mi->n_pods, in->current,
                                           m->average_utilization, tol, replicas,
                                           &st->average_utilization, &st->average_value, &e);
            st->has_utilization = st->has_average_value = ok;
          }
        else
          {
            ok = ks_hpa_plain_replicas (mi->pods, mi->n_pods, in->current, m->average_value, tol,
                                        replicas, &st->average_value, &e);
            st->has_average_value = ok;
          }
        break;
      case KS_METRIC_SOURCE_OBJECT:
      case KS_METRIC_SOURCE_EXTERNAL:
        if (m->target_type == KS_METRIC_TARGET_VALUE)
          {
            *replicas = ks_hpa_usage_ratio_replicas (
                in->current, (double) mi->value / (double) m->value, mi->ready_pods, tol);
            st->has_value = TRUE;
            st->value = mi->value;
          }
        else
          {
            *replicas = ks_hpa_per_pod_replicas (mi->value, m->average_value, in->status_replicas,
                                                 tol, &st->average_value);
            st->has_average_value = TRUE;
          }
        break;
      }
  if (!ok)
    {
      g_autofree char *prefix = error_prefix (m);
      g_set_error (error, KS_CONTROLLER_ERROR, 0, "%s: %s", prefix, e->message);
      if (in->warn != NULL)
        in->warn (in->warn_data, failure_reason (m), (*error)->message);
      /* The status keeps only the metric's identity. */
      st->has_utilization = st->has_average_value = st->has_value = FALSE;
    }
  return ok;
}

/* How far a metric is from its target: current / target (1.0 on target), from its status. */
static double
metric_ratio (const KsMetricSpec *m, const KsMetricStatus *st)
{
  if (st->has_utilization && m->target_type == KS_METRIC_TARGET_UTILIZATION
      && m->average_utilization > 0)
    return (double) st->average_utilization / (double) m->average_utilization;
  if (st->has_value && m->target_type == KS_METRIC_TARGET_VALUE && m->value > 0)
    return (double) st->value / (double) m->value;
  if (st->has_average_value && m->target_type == KS_METRIC_TARGET_AVERAGE_VALUE
      && m->average_value > 0)
    return (double) st->average_value / (double) m->average_value;
  return 0.0;
}

/* computeReplicasForMetrics (ks-autoscaler-policy.h). */
gboolean
ks_hpa_compute_proposal (const KsHpaRecommendInput *in, gint32 *out_replicas, char **out_metric,
                         double *out_ratio, GError **error)
{
  KsHorizontalPodAutoscaler *hpa = in->hpa;
  g_autofree KsMetricStatus *statuses = g_new0 (KsMetricStatus, in->n_metrics + 1);
  g_autoptr (GError) first_error = NULL;
  const KsMetricSpec *first_invalid = NULL;
  guint invalid = 0;
  gint32 replicas = 0;
  g_autofree char *metric = NULL;
  double ratio = 0.0;

  for (guint i = 0; i < in->n_metrics; i++)
    {
      g_autoptr (GError) e = NULL;
      gint32 proposal = 0;
      if (!metric_proposal (in, &in->metrics[i], &proposal, &statuses[i], &e))
        {
          if (invalid == 0)
            {
              first_error = g_steal_pointer (&e);
              first_invalid = in->metrics[i].spec;
            }
          invalid++;
          /* A metric that could not be read has an empty status (type only). */
          continue;
        }
      ratio = MAX (ratio, metric_ratio (in->metrics[i].spec, &statuses[i]));
      if (replicas == 0 || proposal > replicas)
        {
          replicas = proposal;
          g_free (metric);
          metric = metric_name (in->metrics[i].spec);
        }
    }
  ks_hpa_set_current_metrics (hpa, statuses, in->n_metrics);
  for (guint i = 0; i < in->n_metrics; i++)
    ks_metric_status_clear (&statuses[i]);
  if (invalid > 0 && (invalid >= in->n_metrics || replicas < in->current))
    {
      g_autofree char *message = g_strdup_printf ("the HPA was unable to compute the replica "
                                                  "count: %s",
                                                  first_error->message);
      ks_hpa_set_condition (hpa, KS_HPA_COND_SCALING_ACTIVE, KS_CONDITION_FALSE,
                            failure_reason (first_invalid), message, in->now);
      g_set_error (error, KS_CONTROLLER_ERROR, 0,
                   "invalid metrics (%u invalid out of %u), first error is: %s", invalid,
                   in->n_metrics, first_error->message);
      return FALSE;
    }
  {
    g_autofree char *message = g_strdup_printf (
        "the HPA was able to successfully calculate a replica count from %s", metric);
    ks_hpa_set_condition (hpa, KS_HPA_COND_SCALING_ACTIVE, KS_CONDITION_TRUE, "ValidMetricFound",
                          message, in->now);
  }
  *out_replicas = replicas;
  *out_metric = g_steal_pointer (&metric);
  *out_ratio = ratio;
  return TRUE;
}

static gboolean
kubernetes_recommend (gpointer state, const KsHpaRecommendInput *in, gint32 *desired, char **reason,
                      GError **error)
{
  KsHorizontalPodAutoscaler *hpa = in->hpa;
  gint32 replicas = 0, result;
  g_autofree char *metric = NULL;
  double ratio;

  (void) state;
  if (!ks_hpa_compute_proposal (in, &replicas, &metric, &ratio, error))
    return FALSE;
  *reason = NULL;
  if (replicas > in->current)
    *reason = g_strdup_printf ("%s above target", metric);
  else if (replicas < in->current)
    *reason = g_strdup ("All metrics below target");
  result = ks_hpa_normalize (in->history, hpa, in->current, replicas, in->min_replicas,
                             in->options->downscale_stabilization, in->now);
  *desired = result;
  return TRUE;
}

static const KsAutoscalerPolicy kubernetes_policy = {
  .abi_version = KS_AUTOSCALER_POLICY_ABI_VERSION,
  .name = "kubernetes",
  .summary = "Kubernetes' HPA algorithm (replica calculator, behavior, stabilization)",
  .recommend = kubernetes_recommend,
};

const KsAutoscalerPolicy *
ks_hpa_kubernetes_policy (void)
{
  return &kubernetes_policy;
}

gint32
ks_hpa_clamp_replicas (const KsHpaRecommendInput *in, gint32 desired)
{
  KsHorizontalPodAutoscaler *hpa = in->hpa;

  if (desired > hpa->max_replicas)
    ks_hpa_set_condition (hpa, KS_HPA_COND_SCALING_LIMITED, KS_CONDITION_TRUE, "TooManyReplicas",
                          "the desired replica count is more than the maximum replica count",
                          in->now);
  else if (desired < in->min_replicas)
    ks_hpa_set_condition (hpa, KS_HPA_COND_SCALING_LIMITED, KS_CONDITION_TRUE, "TooFewReplicas",
                          "the desired replica count is less than the minimum replica count",
                          in->now);
  else
    ks_hpa_set_condition (hpa, KS_HPA_COND_SCALING_LIMITED, KS_CONDITION_FALSE,
                          "DesiredWithinRange", "the desired count is within the acceptable range",
                          in->now);
  return CLAMP (desired, in->min_replicas, hpa->max_replicas);
}

/* Step scaling (AWS Application Auto Scaling, "Step scaling policies for Application Auto
 * Scaling") */

const KsHpaStep ks_hpa_default_steps[] = {
  { -INFINITY, -0.5, TRUE, -25 }, { -0.5, -0.1, FALSE, -1 },   { 0.1, 0.3, FALSE, 1 },
  { 0.3, 0.6, FALSE, 2 },         { 0.6, INFINITY, TRUE, 50 },
};
const guint ks_hpa_n_default_steps = G_N_ELEMENTS (ks_hpa_default_steps);

gint32
ks_hpa_step_adjustment (const KsHpaStep *steps, guint n, double ratio, gint32 current)
{
  double breach = ratio - 1.0;

  for (guint i = 0; i < n; i++)
    {
      double change;
      if (!(breach >= steps[i].lower && breach < steps[i].upper))
        continue;
      if (!steps[i].percent)
        return steps[i].adjustment;
      /* PercentChangeInCapacity rounding: toward zero, but at least one in magnitude. */
      change = (double) current * steps[i].adjustment / 100.0;
      if (change > 0)
        return change < 1.0 ? 1 : (gint32) floor (change);
      if (change < 0)
        return change > -1.0 ? -1 : (gint32) ceil (change);
      return 0;
    }
  return 0;
}

/* The step policy's state: when it last stepped (its cooldown starts there). */
typedef struct
{
  gboolean stepped;
  gint64 last_step;
} StepState;

static gpointer
step_state_new (const KsHorizontalPodAutoscaler *hpa)
{
  (void) hpa;
  return g_new0 (StepState, 1);
}

static gboolean
step_recommend (gpointer state, const KsHpaRecommendInput *in, gint32 *desired, char **reason,
                GError **error)
{
  StepState *st = state;
  gint32 replicas = 0, change, result;
  g_autofree char *metric = NULL;
  double ratio = 0.0;

  if (!ks_hpa_compute_proposal (in, &replicas, &metric, &ratio, error))
    return FALSE;
  *reason = NULL;
  *desired = in->current;
  /* One cooldown for both directions: no step while the previous one may still take effect. */
  if (st->stepped && in->now - st->last_step < KS_HPA_STEP_COOLDOWN)
    return TRUE;
  change
      = ks_hpa_step_adjustment (ks_hpa_default_steps, ks_hpa_n_default_steps, ratio, in->current);
  result = ks_hpa_clamp_replicas (in, in->current + change);
  if (result != in->current)
    {
      st->stepped = TRUE;
      st->last_step = in->now;
      *reason = g_strdup_printf ("step scaling: %s at %.0f%% of target", metric, ratio * 100.0);
    }
  *desired = result;
  return TRUE;
}

static const KsAutoscalerPolicy step_policy = {
  .abi_version = KS_AUTOSCALER_POLICY_ABI_VERSION,
  .name = "step",
  .summary = "step scaling (AWS Application Auto Scaling): breach intervals to fixed steps",
  .state_new = step_state_new,
  .state_free = g_free,
  .recommend = step_recommend,
};

const KsAutoscalerPolicy *
ks_hpa_step_policy (void)
{
  return &step_policy;
}

/* Predictive: Holt's linear trend over the demand */

double
ks_hpa_holt_update (KsHpaHolt *holt, double y, double alpha, double beta, double h)
{
  if (!holt->initialized)
    {
      holt->initialized = TRUE;
      holt->level = y;
      holt->trend = 0.0;
    }
  else
    {
      double previous = holt->level;
      holt->level = alpha * y + (1.0 - alpha) * (holt->level + holt->trend);
      holt->trend = beta * (holt->level - previous) + (1.0 - beta) * holt->trend;
    }
  return holt->level + h * holt->trend;
}

static gpointer
predictive_state_new (const KsHorizontalPodAutoscaler *hpa)
{
  (void) hpa;
  return g_new0 (KsHpaHolt, 1);
}

static gboolean
predictive_recommend (gpointer state, const KsHpaRecommendInput *in, gint32 *desired, char **reason,
                      GError **error)
{
  KsHorizontalPodAutoscaler *hpa = in->hpa;
  gint32 replicas = 0, proposal;
  g_autofree char *metric = NULL;
  double ratio = 0.0, steps, forecast;

  if (!ks_hpa_compute_proposal (in, &replicas, &metric, &ratio, error))
    return FALSE;
  /* Demand in replicas (the count that would put the metric on target) each sync; the forecast
   * looks KS_HPA_PREDICTIVE_HORIZON ahead, in syncs. */
  steps = (double) KS_HPA_PREDICTIVE_HORIZON / (double) MAX (in->options->sync_period, 1);
  forecast = ks_hpa_holt_update ((KsHpaHolt *) state, ratio * in->current, KS_HPA_PREDICTIVE_ALPHA,
                                 KS_HPA_PREDICTIVE_BETA, steps);
  proposal = replicas;
  if (in->current > 0 && fabs (forecast / in->current - 1.0) > in->options->tolerance
      && forecast > (double) proposal)
    proposal = (gint32) MIN (ceil (forecast), (double) G_MAXINT32);
  *reason = NULL;
  if (proposal > in->current)
    *reason = g_strdup_printf ("%s above target (forecast %.1f replicas)", metric, forecast);
  else if (proposal < in->current)
    *reason = g_strdup ("All metrics below target");
  *desired = ks_hpa_normalize (in->history, hpa, in->current, proposal, in->min_replicas,
                               in->options->downscale_stabilization, in->now);
  return TRUE;
}

static const KsAutoscalerPolicy predictive_policy = {
  .abi_version = KS_AUTOSCALER_POLICY_ABI_VERSION,
  .name = "predictive",
  .summary = "Holt's linear trend over the demand, 60 s ahead, then Kubernetes' normalization",
  .state_new = predictive_state_new,
  .state_free = g_free,
  .recommend = predictive_recommend,
};

const KsAutoscalerPolicy *
ks_hpa_predictive_policy (void)
{
  return &predictive_policy;
}

const KsAutoscalerPolicy *const *
ks_hpa_builtin_policies (void)
{
  static const KsAutoscalerPolicy *const builtin[]
      = { &kubernetes_policy, &predictive_policy, &step_policy, NULL };
  return builtin;
}
