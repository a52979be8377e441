/* ks-hpa-controller.c: the HorizontalPodAutoscaler controller (horizontal.go's
 * reconcileAutoscaler): each HPA every sync period, through the target's scale (Deployments,
 * ReplicaSets, StatefulSets), the metrics clients and the replaceable recommender. */
#include "config.h"

#include <string.h>

#include "ks-controller-private.h"
#include "ks-hpa.h"
#include "policies/ks-policy-modules.h"
#include "src/api/ks-statefulset.h"
#include "src/ks-clock.h"

struct _KsHpaController
{
  KsController c;
  KsMetricsClient *metrics;
  KsCustomMetricsSource *custom;
  KsHpaOptions options;
  GHashTable *entries;      /* key → HpaEntry */
  GHashTable *counts;       /* key → KsHpaCounts */
  const KsObject *original; /* the HPA as the current reconcile found it */
};

/* What the controller keeps for one HPA while it exists. */
typedef struct
{
  KsHpaHistory *history;
  const KsAutoscalerPolicy *policy; /* the policy state belongs to (NULL before the first) */
  gpointer state;
  /* The target's selector at the HPA's last reconcile (hpaSelectors: which HPAs control a pod),
   * NULL before. */
  KsLabelSelector *selector;
} HpaEntry;

static void
entry_clear_policy (HpaEntry *e)
{
  if (e->policy != NULL && e->state != NULL)
    e->policy->state_free (e->state);
  e->policy = NULL;
  e->state = NULL;
}

static void
entry_free (HpaEntry *e)
{
  entry_clear_policy (e);
  ks_hpa_history_free (e->history);
  if (e->selector != NULL)
    ks_label_selector_unref (e->selector);
  g_free (e);
}

static KsHpaCounts *
counts_for (KsHpaController *hc, const char *key)
{
  KsHpaCounts *c = g_hash_table_lookup (hc->counts, key);

  if (c == NULL)
    {
      c = g_new0 (KsHpaCounts, 1);
      c->highest = c->lowest = -1;
      g_hash_table_insert (hc->counts, g_strdup (key), c);
    }
  return c;
}

gboolean
ks_hpa_controller_get_counts (KsHpaController *hc, const char *ns, const char *name,
                              KsHpaCounts *out)
{
  g_autofree char *key = g_strdup_printf ("%s/%s", ns, name);
  const KsHpaCounts *c = g_hash_table_lookup (hc->counts, key);

  if (c == NULL)
    return FALSE;
  *out = *c;
  return TRUE;
}

/* The scale subresource of a workload: spec.replicas, status.replicas and the selector. */
typedef struct
{
  KsObject *target; /* owned */
  gint32 spec_replicas;
  gint32 status_replicas;
  const KsLabelSelector *selector; /* borrowed from target */
} Scale;

static gboolean
get_scale (KsHpaController *hc, const char *ns, const KsHpaObjectRef *ref, Scale *scale,
           GError **error)
{
  const KsKind *kind = NULL;
  const char *group = "";

  if (ref->api_version != NULL && strchr (ref->api_version, '/') != NULL)
    group = ref->api_version;
  if (g_strcmp0 (ref->kind, "Deployment") == 0 || g_strcmp0 (ref->kind, "ReplicaSet") == 0
      || g_strcmp0 (ref->kind, "StatefulSet") == 0)
    kind = ks_kind_lookup (NULL, ref->kind);
  if (kind == NULL
      || (ref->api_version != NULL && strcmp (ref->api_version, kind->api_version) != 0))
    {
      g_autofree char *g = g_strndup (group, strchr (group, '/') ? strchr (group, '/') - group : 0);
      g_set_error (error, KS_CONTROLLER_ERROR, 0, "no matches for kind \"%s\" in group \"%s\"",
                   ref->kind, g);
      return FALSE;
    }
  scale->target = ks_client_get (hc->c.client, kind, ns, ref->name, error);
  if (scale->target == NULL)
    return FALSE;
  switch (kind->id)
    {
    case KS_KIND_DEPLOYMENT:
      scale->spec_replicas = KS_DEPLOYMENT (scale->target)->replicas;
      scale->status_replicas = KS_DEPLOYMENT (scale->target)->status.replicas;
      scale->selector = KS_DEPLOYMENT (scale->target)->selector;
      break;
    case KS_KIND_REPLICA_SET:
      scale->spec_replicas = KS_REPLICA_SET (scale->target)->replicas;
      scale->status_replicas = KS_REPLICA_SET (scale->target)->status.replicas;
      scale->selector = KS_REPLICA_SET (scale->target)->selector;
      break;
    default:
      scale->spec_replicas = KS_STATEFUL_SET (scale->target)->replicas;
      scale->status_replicas = KS_STATEFUL_SET (scale->target)->status.replicas;
      scale->selector = KS_STATEFUL_SET (scale->target)->selector;
      break;
    }
  return TRUE;
}

/* PUT .../scale: a new spec.replicas for the target. */
static gboolean
update_scale (KsHpaController *hc, const Scale *scale, gint32 replicas, GError **error)
{
  g_autoptr (KsObject) copy = ks_object_copy (scale->target);
  g_autoptr (KsObject) stored = NULL;

  switch (copy->kind->id)
    {
    case KS_KIND_DEPLOYMENT:
      KS_DEPLOYMENT (copy)->replicas = replicas;
      break;
    case KS_KIND_REPLICA_SET:
      KS_REPLICA_SET (copy)->replicas = replicas;
      break;
    default:
      KS_STATEFUL_SET (copy)->replicas = replicas;
      break;
    }
  stored = ks_client_update (hc->c.client, copy, error);
  return stored != NULL;
}

/* The target's pods: those of ns its selector picks. */
static GPtrArray *
list_pods (KsHpaController *hc, const char *ns, const KsLabelSelector *selector)
{
  g_autoptr (GPtrArray) all = ks_client_list (hc->c.client, ks_kind_get (KS_KIND_POD), ns, NULL);
  GPtrArray *pods = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);

  for (guint i = 0; all != NULL && i < all->len; i++)
    {
      KsObject *o = g_ptr_array_index (all, i);
      if (selector != NULL && ks_label_selector_matches (selector, o->meta.labels))
        g_ptr_array_add (pods, ks_object_ref (o));
    }
  return pods;
}

/* The request of resource summed over the pod's containers (and restartable init containers),
 * or only container's; FALSE with calculatePodRequests' error when a container has none. */
static gboolean
pod_request (const KsPod *pod, const char *resource, const char *container, gint64 *out,
             GError **error)
{
  gboolean cpu = strcmp (resource, KS_RESOURCE_CPU) == 0;
  gint64 sum = 0;

  for (guint pass = 0; pass < 2; pass++)
    {
      const KsContainer *cs = pass == 0 ? pod->spec->containers : pod->spec->init_containers;
      guint n = pass == 0 ? pod->spec->n_containers : pod->spec->n_init_containers;
      for (guint i = 0; i < n; i++)
        {
          const KsContainer *c = &cs[i];
          if (pass == 1 && !c->restart_always)
            continue;
          if (container != NULL && strcmp (c->name, container) != 0)
            continue;
          if (!ks_resources_has (&c->requests, resource))
            {
              g_set_error (error, KS_CONTROLLER_ERROR, 0,
                           "missing request for %s in container %s of Pod %s", resource, c->name,
                           pod->parent.meta.name);
              return FALSE;
            }
          sum += cpu ? c->requests.milli_cpu : ks_resources_get (&c->requests, resource) * 1000;
        }
    }
  *out = sum;
  return TRUE;
}

/* A pod's usage of resource (milli), summed over its containers (or only container's), as the
 * resource metrics client reads it; FALSE when the metrics lack the container. */
static gboolean
pod_usage (const KsPodMetrics *m, const char *resource, const char *container, gint64 *out)
{
  gboolean cpu = strcmp (resource, KS_RESOURCE_CPU) == 0;
  gint64 sum = 0;
  gboolean found = container == NULL;

  for (guint i = 0; i < m->n_containers; i++)
    {
      if (container != NULL && strcmp (m->containers[i].name, container) != 0)
        continue;
      found = TRUE;
      sum += cpu ? ks_container_metrics_milli_cpu (&m->containers[i])
                 : m->containers[i].memory * 1000;
    }
  *out = sum;
  return found;
}

/* What one metric says: fills mi (pods into *samples). */
static void
read_metric (KsHpaController *hc, const char *ns, const Scale *scale, GPtrArray *pods,
             const KsMetricSpec *spec, KsHpaMetricInput *mi, KsHpaPodSample **samples,
             GError **error)
{
  gint64 now = ks_clock_now (hc->c.clock);
  *samples = g_new0 (KsHpaPodSample, pods->len + 1);

  mi->spec = spec;
  mi->pods = *samples;
  mi->n_pods = pods->len;
  for (guint i = 0; i < pods->len; i++)
    {
      const KsPod *pod = g_ptr_array_index (pods, i);
      if (pod->phase == KS_POD_RUNNING && ks_pod_is_ready (pod))
        mi->ready_pods++;
    }
  switch (spec->type)
    {
    case KS_METRIC_SOURCE_RESOURCE:
    case KS_METRIC_SOURCE_CONTAINER_RESOURCE:
      {
        g_autoptr (GPtrArray) metrics = NULL;
        g_autoptr (GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
        gboolean cpu = strcmp (spec->name, KS_RESOURCE_CPU) == 0;
        const char *container
            = spec->type == KS_METRIC_SOURCE_CONTAINER_RESOURCE ? spec->container : NULL;
        g_autoptr (GError) e = NULL;

        if (strcmp (spec->name, KS_RESOURCE_CPU) != 0
            && strcmp (spec->name, KS_RESOURCE_MEMORY) != 0)
          {
            g_set_error (error, KS_CONTROLLER_ERROR, 0,
                         "unable to get metrics for resource %s: no metrics returned from "
                         "resource metrics API",
                         spec->name);
            return;
          }
        metrics = ks_metrics_client_list_pods (hc->metrics, ns, scale->selector, &e);
        if (metrics == NULL)
          {
            g_set_error (error, KS_CONTROLLER_ERROR, 0,
                         "unable to get metrics for resource %s: unable to fetch metrics from "
                         "resource metrics API: %s",
                         spec->name, e->message);
            return;
          }
        if (metrics->len == 0)
          {
            g_set_error (error, KS_CONTROLLER_ERROR, 0,
                         "unable to get metrics for resource %s: no metrics returned from "
                         "resource metrics API",
                         spec->name);
            return;
          }
        for (guint i = 0; i < metrics->len; i++)
          {
            KsPodMetrics *pm = g_ptr_array_index (metrics, i);
            g_hash_table_insert (by_name, pm->name, pm);
          }
        for (guint i = 0; i < pods->len; i++)
          {
            const KsPod *pod = g_ptr_array_index (pods, i);
            KsPodMetrics *pm = g_hash_table_lookup (by_name, pod->parent.meta.name);
            KsHpaPodSample *s = &(*samples)[i];
            if (pm != NULL)
              s->has_metric = pod_usage (pm, spec->name, container, &s->value);
            if (!pod_request (pod, spec->name, container, &s->request, error)
                && spec->target_type == KS_METRIC_TARGET_UTILIZATION)
              return;
            g_clear_error (error);
            s->state = ks_hpa_group_pod (pod, s->has_metric, pm ? pm->timestamp : 0,
                                         pm ? pm->window : 0, cpu, now, &hc->options);
            if (pm != NULL && pm->timestamp > mi->timestamp)
              mi->timestamp = pm->timestamp;
          }
        mi->ok = TRUE;
        return;
      }
    case KS_METRIC_SOURCE_PODS:
      {
        g_autoptr (GHashTable) values
            = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
        if (hc->custom == NULL
            || !hc->custom->ops->pods_metric (hc->custom, ns, spec->name, values, &mi->timestamp,
                                              error))
          {
            if (error != NULL && *error == NULL)
              g_set_error (error, KS_CONTROLLER_ERROR, 0,
                           "unable to get metric %s: no custom metrics API is served", spec->name);
            return;
          }
        for (guint i = 0; i < pods->len; i++)
          {
            const KsPod *pod = g_ptr_array_index (pods, i);
            gint64 *v = g_hash_table_lookup (values, pod->parent.meta.name);
            KsHpaPodSample *s = &(*samples)[i];
            s->has_metric = v != NULL;
            s->value = v != NULL ? *v : 0;
            s->state
                = ks_hpa_group_pod (pod, s->has_metric, mi->timestamp, 0, FALSE, now, &hc->options);
          }
        mi->ok = TRUE;
        return;
      }
    case KS_METRIC_SOURCE_OBJECT:
    case KS_METRIC_SOURCE_EXTERNAL:
      if (hc->custom == NULL
          || !hc->custom->ops->object_metric (
              hc->custom, ns,
              spec->type == KS_METRIC_SOURCE_OBJECT ? &spec->described_object : NULL, spec->name,
              &mi->value, &mi->timestamp, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, KS_CONTROLLER_ERROR, 0,
                         "unable to get metric %s: no %s metrics API is served", spec->name,
                         spec->type == KS_METRIC_SOURCE_OBJECT ? "custom" : "external");
          return;
        }
      if (spec->target_type == KS_METRIC_TARGET_VALUE && scale->spec_replicas != 0
          && pods->len == 0)
        {
          g_set_error (error, KS_CONTROLLER_ERROR, 0,
                       "no pods returned by selector while calculating replica count");
          return;
        }
      mi->ok = TRUE;
      return;
    }
}

/* The policy the HPA's annotation names (the options' default without one), with its state for
 * this HPA (made the first time, remade when the annotation changes); NULL and *error for a name
 * no policy has. */
static const KsAutoscalerPolicy *
select_policy (KsHpaController *hc, HpaEntry *entry, const KsHorizontalPodAutoscaler *hpa,
               GError **error)
{
  const char *name = ks_object_get_annotation (KS_OBJECT (hpa), KS_HPA_POLICY_ANNOTATION);
  const KsAutoscalerPolicy *policy;

  if (name == NULL)
    name = hc->options.policy != NULL ? hc->options.policy : "kubernetes";
  policy = ks_autoscaler_policy_lookup (name);
  if (policy == NULL)
    {
      g_autofree char *valid = ks_autoscaler_policy_names ();
      g_set_error (error, KS_CONTROLLER_ERROR, 0,
                   "unknown autoscaler policy \"%s\" in annotation %s (valid: %s)", name,
                   KS_HPA_POLICY_ANNOTATION, valid);
      return NULL;
    }
  if (entry->policy != policy)
    {
      entry_clear_policy (entry);
      entry->policy = policy;
      entry->state = policy->state_new != NULL ? policy->state_new (hpa) : NULL;
    }
  return policy;
}

static gint
compare_keys (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* validateAndParseSelector's last check: the HPAs (namespace/name, sorted) whose selector, as
 * each last reconciled, picks one of pods; hpasControllingPodsUnderSelector. */
static GPtrArray *
hpas_controlling (KsHpaController *hc, const char *ns, GPtrArray *pods)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter it;
  gpointer key, value;

  g_hash_table_iter_init (&it, hc->entries);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      const HpaEntry *e = value;
      g_autofree char *hpa_ns = NULL;
      const char *hpa_name;
      if (e->selector == NULL)
        continue;
      ks_controller_split_key (key, &hpa_ns, &hpa_name);
      if (strcmp (hpa_ns, ns) != 0)
        continue;
      for (guint i = 0; i < pods->len; i++)
        if (ks_label_selector_matches (e->selector,
                                       ((KsObject *) g_ptr_array_index (pods, i))->meta.labels))
          {
            g_ptr_array_add (keys, key);
            break;
          }
    }
  /* Kubernetes lists them in map order; sorted here so that the message is the same in every
   * run. */
  g_ptr_array_sort (keys, compare_keys);
  return keys;
}

/* validateAndParseSelector: remember the target's selector for this HPA, then refuse to scale
 * when the target's pods are under more than one HPA (AmbiguousSelector). */
static gboolean
check_selector (KsHpaController *hc, HpaEntry *entry, KsHorizontalPodAutoscaler *hpa,
                const Scale *scale, GPtrArray *pods, gint64 now, GError **error)
{
  g_autoptr (GPtrArray) hpas = NULL;
  g_autofree char *selector = NULL;
  GString *list;
  g_autofree char *message = NULL;

  if (entry->selector != NULL)
    ks_label_selector_unref (entry->selector);
  entry->selector = scale->selector != NULL
                        ? ks_label_selector_ref ((KsLabelSelector *) scale->selector)
                        : NULL;
  hpas = hpas_controlling (hc, hpa->parent.meta.namespace, pods);
  if (hpas->len <= 1)
    return TRUE;
  /* Go's %v of a []selectors.Key: "[ns/a ns/b]". */
  list = g_string_new ("[");
  for (guint i = 0; i < hpas->len; i++)
    g_string_append_printf (list, "%s%s", i > 0 ? " " : "", (char *) g_ptr_array_index (hpas, i));
  g_string_append_c (list, ']');
  selector = ks_label_selector_to_string (scale->selector);
  message = g_strdup_printf ("pods by selector %s are controlled by multiple HPAs: %s", selector,
                             list->str);
  g_string_free (list, TRUE);
  ks_event_record (&hc->c.events, KS_OBJECT (hpa), TRUE, "AmbiguousSelector", NULL, "%s", message);
  ks_hpa_set_condition (hpa, KS_HPA_COND_SCALING_ACTIVE, KS_CONDITION_FALSE, "AmbiguousSelector",
                        message, now);
  g_set_error_literal (error, KS_CONTROLLER_ERROR, 0, message);
  return FALSE;
}

static void
warn_event (gpointer data, const char *reason, const char *message)
{
  gpointer *pair = data;
  KsHpaController *hc = pair[0];
  ks_event_record (&hc->c.events, pair[1], TRUE, reason, NULL, "%s", message);
}

/* updateStatusIfNeeded: write the status only when it changed from what the reconcile started
 * with (hc->original), so that a steady HPA costs no write every sync. */
static void
write_status (KsHpaController *hc, KsHorizontalPodAutoscaler *hpa)
{
  g_autoptr (KsObject) stored = NULL;

  /* The generation this reconcile read (the status says which spec it reflects). */
  hpa->status.observed_generation = hpa->parent.meta.generation;
  if (hc->original != NULL)
    {
      g_autofree char *before = ks_object_to_json (hc->original, 0);
      g_autofree char *after = ks_object_to_json (KS_OBJECT (hpa), 0);
      if (strcmp (before, after) == 0)
        return;
    }
  stored = ks_client_update_status (hc->c.client, KS_OBJECT (hpa), NULL);
}

static void
reconcile (KsHpaController *hc, const char *key, KsHorizontalPodAutoscaler *hpa)
{
  const char *ns = hpa->parent.meta.namespace;
  gint64 now = ks_clock_now (hc->c.clock);
  HpaEntry *entry = g_hash_table_lookup (hc->entries, key);
  KsHpaHistory *history;
  Scale scale = { 0 };
  g_autoptr (GError) error = NULL;
  gint32 current, desired = 0, min = hpa->min_replicas;
  g_autofree char *reason = NULL;
  gboolean rescale = TRUE;

  KsHpaCounts *counts = counts_for (hc, key);

  if (entry == NULL)
    {
      entry = g_new0 (HpaEntry, 1);
      entry->history = ks_hpa_history_new ();
      g_hash_table_insert (hc->entries, g_strdup (key), entry);
    }
  history = entry->history;
  if (!get_scale (hc, ns, &hpa->scale_target_ref, &scale, &error))
    {
      g_autofree char *message = g_strdup_printf (
          "the HPA controller was unable to get the target's current scale: %s", error->message);
      ks_event_record (&hc->c.events, KS_OBJECT (hpa), TRUE, "FailedGetScale", NULL, "%s",
                       error->message);
      counts->failures++;
      ks_hpa_set_condition (hpa, KS_HPA_COND_ABLE_TO_SCALE, KS_CONDITION_FALSE, "FailedGetScale",
                            message, now);
      write_status (hc, hpa);
      return;
    }
  ks_hpa_set_condition (hpa, KS_HPA_COND_ABLE_TO_SCALE, KS_CONDITION_TRUE, "SucceededGetScale",
                        "the HPA controller was able to get the target's current scale", now);
  current = scale.spec_replicas;
  ks_hpa_history_record_initial (history, current, now);

  if (current == 0 && min != 0)
    {
      rescale = FALSE;
      ks_hpa_set_condition (hpa, KS_HPA_COND_SCALING_ACTIVE, KS_CONDITION_FALSE, "ScalingDisabled",
                            "scaling is disabled since the replica count of the target is zero",
                            now);
    }
  else if (current > hpa->max_replicas)
    {
      reason = g_strdup ("Current number of replicas above Spec.MaxReplicas");
      desired = hpa->max_replicas;
    }
  else if (current < min)
    {
      reason = g_strdup ("Current number of replicas below Spec.MinReplicas");
      desired = min;
    }
  else
    {
      g_autoptr (GPtrArray) pods = list_pods (hc, ns, scale.selector);
      g_autofree KsHpaMetricInput *inputs = g_new0 (KsHpaMetricInput, hpa->n_metrics + 1);
      g_autofree KsHpaPodSample **samples = g_new0 (KsHpaPodSample *, hpa->n_metrics + 1);
      g_autofree GError **errors = g_new0 (GError *, hpa->n_metrics + 1);
      gpointer pair[2] = { hc, hpa };
      KsHpaRecommendInput in = {
        hpa, history,    current, scale.status_replicas, min, inputs, hpa->n_metrics, &hc->options,
        now, warn_event, pair
      };
      const KsAutoscalerPolicy *policy = NULL;
      gboolean ok = FALSE;

      if (check_selector (hc, entry, hpa, &scale, pods, now, &error)
          && (policy = select_policy (hc, entry, hpa, &error)) == NULL)
        {
          /* Annotations are free-form, so a name no policy has is found here, as
           * validateAndParseSelector finds a bad selector: a Warning and ScalingActive False. */
          ks_event_record (&hc->c.events, KS_OBJECT (hpa), TRUE, KS_HPA_REASON_INVALID_POLICY, NULL,
                           "%s", error->message);
          ks_hpa_set_condition (hpa, KS_HPA_COND_SCALING_ACTIVE, KS_CONDITION_FALSE,
                                KS_HPA_REASON_INVALID_POLICY, error->message, now);
        }
      if (policy != NULL)
        {
          for (guint i = 0; i < hpa->n_metrics; i++)
            {
              read_metric (hc, ns, &scale, pods, &hpa->metrics[i], &inputs[i], &samples[i],
                           &errors[i]);
              if (!inputs[i].ok)
                inputs[i].error = errors[i];
            }
          ok = policy->recommend (entry->state, &in, &desired, &reason, &error);
          if (!ok && error == NULL)
            g_set_error (&error, KS_CONTROLLER_ERROR, 0,
                         "autoscaler policy \"%s\" failed without saying why", policy->name);
          for (guint i = 0; i < hpa->n_metrics; i++)
            {
              g_free (samples[i]);
              g_clear_error (&errors[i]);
            }
        }
      if (!ok)
        {
          /* setCurrentReplicasAndMetricsInStatus: without a policy's reading (a selector or
           * policy problem) the status has no current metrics. */
          if (policy == NULL)
            ks_hpa_set_current_metrics (hpa, NULL, 0);
          hpa->status.current_replicas = current;
          write_status (hc, hpa);
          ks_event_record (&hc->c.events, KS_OBJECT (hpa), TRUE, "FailedComputeMetricsReplicas",
                           NULL, "%s", error->message);
          counts->failures++;
          ks_object_unref (scale.target);
          return;
        }
      rescale = desired != current;
    }

  if (rescale)
    {
      g_autoptr (GError) e = NULL;
      if (!update_scale (hc, &scale, desired, &e))
        {
          g_autofree char *message = g_strdup_printf (
              "the HPA controller was unable to update the target scale: %s", e->message);
          ks_event_record (&hc->c.events, KS_OBJECT (hpa), TRUE, "FailedRescale", NULL,
                           "New size: %d; reason: %s; error: %s", desired, reason ? reason : "",
                           e->message);
          ks_hpa_set_condition (hpa, KS_HPA_COND_ABLE_TO_SCALE, KS_CONDITION_FALSE,
                                "FailedUpdateScale", message, now);
          counts->failures++;
          hpa->status.current_replicas = current;
          write_status (hc, hpa);
          ks_object_unref (scale.target);
          return;
        }
      {
        g_autofree char *message = g_strdup_printf (
            "the HPA controller was able to update the target scale to %d", desired);
        ks_hpa_set_condition (hpa, KS_HPA_COND_ABLE_TO_SCALE, KS_CONDITION_TRUE, "SucceededRescale",
                              message, now);
      }
      ks_event_record (&hc->c.events, KS_OBJECT (hpa), FALSE, "SuccessfulRescale", NULL,
                       "New size: %d; reason: %s", desired, reason ? reason : "");
      ks_hpa_history_store_scale_event (history, hpa, current, desired, now);
      counts->rescales++;
      if (desired > current)
        counts->scale_ups++;
      else
        counts->scale_downs++;
      counts->highest = MAX (counts->highest, desired);
      counts->lowest = counts->lowest < 0 ? desired : MIN (counts->lowest, desired);
      hpa->status.last_scale_time = now;
    }
  else
    desired = current;
  hpa->status.current_replicas = current;
  hpa->status.desired_replicas = desired;
  write_status (hc, hpa);
  ks_object_unref (scale.target);
}

static void
sync_hpa (const char *key, gpointer data)
{
  KsHpaController *hc = data;
  g_autofree char *ns = NULL;
  const char *name;
  g_autoptr (KsObject) obj = NULL;
  g_autoptr (KsObject) copy = NULL;

  ks_controller_split_key (key, &ns, &name);
  obj = ks_client_get (hc->c.client, ks_kind_get (KS_KIND_HORIZONTAL_POD_AUTOSCALER), ns, name,
                       NULL);
  if (obj == NULL)
    {
      g_hash_table_remove (hc->entries, key);
      return;
    }
  /* Every reconcile queues the next one a sync period later (the queue's fixed-interval rate
   * limiter). */
  ks_workqueue_add_after (hc->c.queue, key, hc->options.sync_period);
  if (ks_object_is_being_deleted (obj))
    return;
  copy = ks_object_copy (obj);
  hc->original = obj;
  reconcile (hc, key, KS_HPA (copy));
  hc->original = NULL;
}

static void
on_hpa (const KsWatchEvent *event, gpointer data)
{
  KsHpaController *hc = data;
  g_autofree char *key = ks_object_key (event->object);

  if (event->type == KS_WATCH_DELETED)
    {
      g_hash_table_remove (hc->entries, key);
      return;
    }
  /* enqueueHPA: every add is delayed by the sync period, an earlier pending one standing. */
  ks_workqueue_add_after (hc->c.queue, key, hc->options.sync_period);
}

KsHpaController *
ks_hpa_controller_new (KsClient *client, KsClock *clock, KsEventSink *sink,
                       KsMetricsClient *metrics, KsCustomMetricsSource *custom,
                       const KsHpaOptions *options)
{
  KsHpaController *hc = g_new0 (KsHpaController, 1);

  hc->metrics = metrics;
  hc->custom = custom;
  hc->options = *options;
  hc->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  hc->entries
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) entry_free);
  ks_controller_init (&hc->c, client, clock, sink, "horizontal-pod-autoscaler", sync_hpa, hc);
  hc->c.watches[hc->c.n_watches++] = ks_client_watch (
      client, ks_kind_get (KS_KIND_HORIZONTAL_POD_AUTOSCALER), NULL, TRUE, on_hpa, hc, NULL);
  return hc;
}

void
ks_hpa_controller_free (KsHpaController *hc)
{
  if (hc == NULL)
    return;
  ks_controller_clear (&hc->c);
  g_hash_table_unref (hc->entries);
  g_hash_table_unref (hc->counts);
  g_free (hc);
}
