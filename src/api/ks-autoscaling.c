/* ks-autoscaling.c: HorizontalPodAutoscaler codec (autoscaling/v2, and v1 manifests converted to
 * v2), defaults (pkg/apis/autoscaling/v2/defaults.go) and validation
 * (pkg/apis/autoscaling/validation/validation.go, with its messages). */
#include "config.h"

#include <string.h>

#include "ks-autoscaling.h"
#include "ks-kinds-private.h"
#include "ks-quantity.h"
#include "src/ks-clock.h"

static const char *const source_types[]
    = { "Resource", "Pods", "Object", "External", "ContainerResource", NULL };
static const char *const target_types[] = { "Utilization", "Value", "AverageValue", NULL };
static const char *const policy_types[] = { "Pods", "Percent", NULL };
static const char *const select_policies[] = { "Max", "Min", "Disabled", NULL };
static const char *const condition_names[]
    = { "AbleToScale", "ScalingActive", "ScalingLimited", NULL };
/* The member holding each source type's fields in a MetricSpec / MetricStatus. */
static const char *const source_members[]
    = { "resource", "pods", "object", "external", "containerResource", NULL };

const char *
ks_hpa_condition_name (KsHpaConditionType type)
{
  g_return_val_if_fail (type < KS_N_HPA_CONDITIONS, NULL);
  return condition_names[type];
}

void
ks_hpa_set_condition (KsHorizontalPodAutoscaler *hpa, KsHpaConditionType type,
                      KsConditionStatus status, const char *reason, const char *message, gint64 now)
{
  KsHpaCondition *c = &hpa->status.conditions[type];

  if (c->status != status)
    c->last_transition_time = now;
  c->status = status;
  c->reason = ks_intern_reason (reason);
  g_free (c->message);
  c->message = g_strdup (message);
}

static void
object_ref_clear (KsHpaObjectRef *r)
{
  g_free (r->api_version);
  g_free (r->kind);
  g_free (r->name);
  memset (r, 0, sizeof *r);
}

static void
object_ref_copy (KsHpaObjectRef *dst, const KsHpaObjectRef *src)
{
  dst->api_version = g_strdup (src->api_version);
  dst->kind = g_strdup (src->kind);
  dst->name = g_strdup (src->name);
}

void
ks_metric_status_clear (KsMetricStatus *m)
{
  g_free (m->name);
  g_free (m->container);
  object_ref_clear (&m->described_object);
  memset (m, 0, sizeof *m);
}

static void
metric_status_copy (KsMetricStatus *dst, const KsMetricStatus *src)
{
  *dst = *src;
  dst->name = g_strdup (src->name);
  dst->container = g_strdup (src->container);
  object_ref_copy (&dst->described_object, &src->described_object);
}

void
ks_hpa_set_current_metrics (KsHorizontalPodAutoscaler *hpa, const KsMetricStatus *metrics, guint n)
{
  for (guint i = 0; i < hpa->status.n_current_metrics; i++)
    ks_metric_status_clear (&hpa->status.current_metrics[i]);
  g_free (hpa->status.current_metrics);
  hpa->status.current_metrics = n > 0 ? g_new0 (KsMetricStatus, n) : NULL;
  hpa->status.n_current_metrics = n;
  for (guint i = 0; i < n; i++)
    metric_status_copy (&hpa->status.current_metrics[i], &metrics[i]);
}

/* Decoding */

/* CrossVersionObjectReference: kind and name required, name a path segment name. */
static void
object_ref_decode (KsDecoder *dec, JsonNode *node, KsHpaObjectRef *r)
{
  if (!ks_decoder_expect_object (dec, node))
    return;
  ks_decoder_get_string (dec, node, "apiVersion", &r->api_version);
  if (ks_decoder_get_string (dec, node, "kind", &r->kind) && (r->kind == NULL || !*r->kind))
    ks_decoder_error_field (dec, node, "kind", "Required value");
  if (ks_decoder_get_string (dec, node, "name", &r->name))
    {
      if (r->name == NULL || !*r->name)
        ks_decoder_error_field (dec, node, "name", "Required value");
      else if (strchr (r->name, '/') != NULL || strchr (r->name, '%') != NULL
               || strcmp (r->name, ".") == 0 || strcmp (r->name, "..") == 0)
        ks_decoder_error_field (dec, node, "name", "may not contain '/' or '%%' or be '.' or '..'");
    }
}

static void
object_ref_encode (JsonBuilder *b, const char *member, const KsHpaObjectRef *r)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  if (r->api_version != NULL)
    ks_builder_add_string (b, "apiVersion", r->api_version);
  ks_builder_add_string (b, "kind", r->kind ? r->kind : "");
  ks_builder_add_string (b, "name", r->name ? r->name : "");
  json_builder_end_object (b);
}

/* A quantity member as milli-units; FALSE after a report.  *set tells whether it was given. */
static gboolean
get_quantity (KsDecoder *dec, JsonNode *obj, const char *field, gint64 *out, gboolean *set)
{
  JsonNode *m = ks_decoder_member (obj, field);
  gboolean ok;
  gsize mark;

  *set = FALSE;
  if (m == NULL)
    return TRUE;
  mark = ks_decoder_push (dec, field);
  ok = ks_decoder_quantity_milli (dec, m, out);
  ks_decoder_pop (dec, mark);
  *set = ok;
  return ok;
}

static void
add_quantity (JsonBuilder *b, const char *member, gint64 milli)
{
  g_autofree char *text = ks_quantity_format_milli (milli);
  ks_builder_add_string (b, member, text);
}

/* MetricTarget (validateMetricTarget). */
static void
target_decode (KsDecoder *dec, JsonNode *t, KsMetricSpec *m, gboolean *has_value,
               gboolean *has_average, gboolean *has_utilization)
{
  int type = -1;

  if (!ks_decoder_expect_object (dec, t))
    return;
  if (ks_decoder_member (t, "type") == NULL)
    ks_decoder_error_field (dec, t, "type", "must specify a metric target type");
  else if (!ks_decoder_get_enum (dec, t, "type", target_types, &type))
    ;
  else
    m->target_type = type + 1;
  if (get_quantity (dec, t, "value", &m->value, has_value) && *has_value && m->value <= 0)
    ks_decoder_error_field (dec, t, "value", "must be positive");
  if (get_quantity (dec, t, "averageValue", &m->average_value, has_average) && *has_average
      && m->average_value <= 0)
    ks_decoder_error_field (dec, t, "averageValue", "must be positive");
  *has_utilization = ks_decoder_member (t, "averageUtilization") != NULL;
  if (ks_decoder_get_int32 (dec, t, "averageUtilization", G_MININT32, G_MAXINT32,
                            &m->average_utilization)
      && *has_utilization && m->average_utilization < 1)
    ks_decoder_error_field (dec, t, "averageUtilization", "must be greater than 0");
}

/* A problem about member field of the metric's target t. */
static void
target_error (KsDecoder *dec, JsonNode *t, const char *field, const char *message)
{
  gsize mark = ks_decoder_push (dec, "target");
  ks_decoder_error_field (dec, t, field, "%s", message);
  ks_decoder_pop (dec, mark);
}

static gboolean
metric_decode (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer user_data)
{
  KsMetricSpec *m = slot;
  int type = -1;
  guint before = ks_decoder_n_errors (dec);
  JsonNode *src, *t;
  gboolean has_value = FALSE, has_average = FALSE, has_util = FALSE;
  guint populated = 0;
  gsize mark;

  (void) user_data;
  if (ks_decoder_member (item, "type") == NULL)
    {
      ks_decoder_error_field (dec, item, "type", "must specify a metric source type");
      return FALSE;
    }
  if (!ks_decoder_get_enum (dec, item, "type", source_types, &type))
    return FALSE;
  m->type = type + 1;
  for (guint i = 0; source_members[i] != NULL; i++)
    if (ks_decoder_member (item, source_members[i]) != NULL)
      populated++;
  src = ks_decoder_member (item, source_members[type]);
  if (src == NULL)
    {
      ks_decoder_error (dec, item, "must populate information for the given metric source");
      return FALSE;
    }
  if (populated > 1)
    ks_decoder_error (dec, item, "must populate the given metric source only");
  mark = ks_decoder_push (dec, source_members[type]);
  if (ks_decoder_expect_object (dec, src))
    {
      JsonNode *metric_node = src;
      gsize mark2 = 0;
      if (m->type == KS_METRIC_SOURCE_OBJECT)
        {
          JsonNode *d = ks_decoder_member (src, "describedObject");
          gsize mark3 = ks_decoder_push (dec, "describedObject");
          if (d == NULL)
            ks_decoder_error (dec, src, "Required value");
          else
            object_ref_decode (dec, d, &m->described_object);
          ks_decoder_pop (dec, mark3);
        }
      if (m->type == KS_METRIC_SOURCE_RESOURCE || m->type == KS_METRIC_SOURCE_CONTAINER_RESOURCE)
        {
          ks_decoder_get_string (dec, src, "name", &m->name);
          if (m->name == NULL || !*m->name)
            ks_decoder_error_field (dec, src, "name", "must specify a resource name");
          if (m->type == KS_METRIC_SOURCE_CONTAINER_RESOURCE)
            {
              ks_decoder_get_string (dec, src, "container", &m->container);
              if (m->container == NULL || !*m->container)
                ks_decoder_error_field (dec, src, "container", "must specify a container");
            }
        }
      else
        {
          /* MetricIdentifier: name required; a selector is not modelled. */
          metric_node = ks_decoder_member (src, "metric");
          mark2 = ks_decoder_push (dec, "metric");
          if (metric_node == NULL)
            ks_decoder_error (dec, src, "Required value");
          else if (ks_decoder_expect_object (dec, metric_node))
            {
              ks_decoder_get_string (dec, metric_node, "name", &m->name);
              if (m->name == NULL || !*m->name)
                ks_decoder_error_field (dec, metric_node, "name", "must specify a metric name");
              if (ks_decoder_member (metric_node, "selector") != NULL)
                ks_decoder_error_field (dec, metric_node, "selector",
                                        "metric selectors are not supported by kubesim (the load "
                                        "model's metrics have no labels); remove it");
            }
          ks_decoder_pop (dec, mark2);
        }
      t = ks_decoder_member (src, "target");
      mark2 = ks_decoder_push (dec, "target");
      if (t == NULL)
        ks_decoder_error (dec, src, "must specify a metric target");
      else
        target_decode (dec, t, m, &has_value, &has_average, &has_util);
      ks_decoder_pop (dec, mark2);
      if (t != NULL && ks_decoder_n_errors (dec) == before)
        switch (m->type)
          {
          case KS_METRIC_SOURCE_RESOURCE:
          case KS_METRIC_SOURCE_CONTAINER_RESOURCE:
            if (!has_util && !has_average)
              target_error (dec, t, "averageUtilization",
                            "must set either a target raw value or a target "
                            "utilization");
            else if (has_util && has_average)
              target_error (dec, t, "averageUtilization",
                            "may not set both a target raw value and a target "
                            "utilization");
            else if ((m->target_type == KS_METRIC_TARGET_UTILIZATION) != has_util
                     || (m->target_type == KS_METRIC_TARGET_AVERAGE_VALUE) != has_average)
              target_error (dec, t, "type",
                            "must be Utilization with averageUtilization or "
                            "AverageValue with averageValue");
            break;
          case KS_METRIC_SOURCE_PODS:
            if (!has_average)
              target_error (dec, t, "averageValue", "must specify a positive target averageValue");
            else if (m->target_type != KS_METRIC_TARGET_AVERAGE_VALUE)
              target_error (dec, t, "type", "must be AverageValue");
            break;
          default:
            if (!has_value && !has_average)
              target_error (dec, t, "averageValue",
                            "must set either a target value or averageValue");
            else if (m->target_type == KS_METRIC_TARGET_UTILIZATION
                     || (m->target_type == KS_METRIC_TARGET_VALUE && !has_value)
                     || (m->target_type == KS_METRIC_TARGET_AVERAGE_VALUE && !has_average))
              target_error (dec, t, "type",
                            "must be Value with value or AverageValue with "
                            "averageValue");
            break;
          }
    }
  ks_decoder_pop (dec, mark);
  if (ks_decoder_n_errors (dec) != before)
    {
      g_free (m->name);
      g_free (m->container);
      object_ref_clear (&m->described_object);
      memset (m, 0, sizeof *m);
      return FALSE;
    }
  return TRUE;
}

static gboolean
policy_decode (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer user_data)
{
  KsHpaPolicy *p = slot;
  int type = -1;
  guint before = ks_decoder_n_errors (dec);

  (void) user_data;
  if (ks_decoder_member (item, "type") == NULL)
    ks_decoder_error_field (dec, item, "type",
                            "Unsupported value: \"\": supported values: "
                            "\"Pods\", \"Percent\"");
  else if (ks_decoder_get_enum (dec, item, "type", policy_types, &type))
    p->type = type + 1;
  if (ks_decoder_get_int32 (dec, item, "value", G_MININT32, G_MAXINT32, &p->value) && p->value <= 0)
    ks_decoder_error_field (dec, item, "value", "must be greater than zero");
  if (ks_decoder_get_int32 (dec, item, "periodSeconds", G_MININT32, G_MAXINT32, &p->period_seconds))
    {
      if (p->period_seconds <= 0)
        ks_decoder_error_field (dec, item, "periodSeconds", "must be greater than zero");
      else if (p->period_seconds > KS_HPA_MAX_PERIOD_SECONDS)
        ks_decoder_error_field (dec, item, "periodSeconds", "must be less than or equal to %d",
                                KS_HPA_MAX_PERIOD_SECONDS);
    }
  return ks_decoder_n_errors (dec) == before;
}

/* HPAScalingRules over the defaults in r (copyHPAScalingRules: what is given replaces the
 * default), then validateScalingRules. */
static void
rules_decode (KsDecoder *dec, JsonNode *node, KsHpaScalingRules *r)
{
  JsonNode *m;
  int sel = -1;

  if (!ks_decoder_expect_object (dec, node))
    return;
  if (ks_decoder_member (node, "stabilizationWindowSeconds") != NULL
      && ks_decoder_get_int32 (dec, node, "stabilizationWindowSeconds", G_MININT32, G_MAXINT32,
                               &r->stabilization_window))
    {
      r->has_window = TRUE;
      if (r->stabilization_window < 0 || r->stabilization_window > KS_HPA_MAX_STABILIZATION_SECONDS)
        ks_decoder_error_field (dec, node, "stabilizationWindowSeconds",
                                "must be greater than or equal to zero and less than or equal "
                                "to %d",
                                KS_HPA_MAX_STABILIZATION_SECONDS);
    }
  if (ks_decoder_get_enum (dec, node, "selectPolicy", select_policies, &sel) && sel >= 0)
    r->select = sel + 1;
  if ((m = ks_decoder_member (node, "policies")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "policies");
      guint n = 0;
      KsHpaPolicy *p = ks_decoder_list (dec, m, sizeof (KsHpaPolicy), policy_decode, NULL, &n);
      if (p != NULL)
        {
          g_free (r->policies);
          r->policies = p;
          r->n_policies = n;
          if (n == 0 && json_array_get_length (json_node_get_array (m)) == 0)
            ks_decoder_error (dec, m, "must specify at least one Policy");
        }
      ks_decoder_pop (dec, mark);
    }
}

static void
rules_set (KsHpaScalingRules *r, gboolean has_window, gint32 window, guint n,
           const KsHpaPolicy *policies)
{
  r->has_window = has_window;
  r->stabilization_window = window;
  r->select = KS_HPA_SELECT_MAX;
  r->policies = g_memdup2 (policies, n * sizeof *policies);
  r->n_policies = n;
}

/* GenerateHPAScaleUpRules / GenerateHPAScaleDownRules. */
static void
behavior_defaults (KsHorizontalPodAutoscaler *hpa)
{
  static const KsHpaPolicy up[]
      = { { KS_HPA_POLICY_PODS, 4, 15 }, { KS_HPA_POLICY_PERCENT, 100, 15 } };
  static const KsHpaPolicy down[] = { { KS_HPA_POLICY_PERCENT, 100, 15 } };

  rules_set (&hpa->scale_up, TRUE, 0, G_N_ELEMENTS (up), up);
  rules_set (&hpa->scale_down, FALSE, 0, G_N_ELEMENTS (down), down);
}

static KsMetricSpec *
cpu_metric_new (gint32 percent)
{
  KsMetricSpec *m = g_new0 (KsMetricSpec, 1);
  m->type = KS_METRIC_SOURCE_RESOURCE;
  m->name = g_strdup ("cpu");
  m->target_type = KS_METRIC_TARGET_UTILIZATION;
  m->average_utilization = percent;
  return m;
}

static void
metric_status_decode_one (KsDecoder *dec, JsonNode *item, KsMetricStatus *s)
{
  int type = -1;
  JsonNode *src, *cur;

  if (!ks_decoder_get_enum (dec, item, "type", source_types, &type) || type < 0)
    return;
  s->type = type + 1;
  src = ks_decoder_member (item, source_members[type]);
  if (src == NULL || !ks_decoder_expect_object (dec, src))
    return;
  if (s->type == KS_METRIC_SOURCE_RESOURCE || s->type == KS_METRIC_SOURCE_CONTAINER_RESOURCE)
    {
      ks_decoder_get_string (dec, src, "name", &s->name);
      ks_decoder_get_string (dec, src, "container", &s->container);
    }
  else
    {
      JsonNode *metric = ks_decoder_member (src, "metric");
      if (metric != NULL && ks_decoder_expect_object (dec, metric))
        ks_decoder_get_string (dec, metric, "name", &s->name);
      if (s->type == KS_METRIC_SOURCE_OBJECT
          && (metric = ks_decoder_member (src, "describedObject")) != NULL)
        object_ref_decode (dec, metric, &s->described_object);
    }
  if ((cur = ks_decoder_member (src, "current")) != NULL && ks_decoder_expect_object (dec, cur))
    {
      s->has_utilization = ks_decoder_member (cur, "averageUtilization") != NULL;
      ks_decoder_get_int32 (dec, cur, "averageUtilization", G_MININT32, G_MAXINT32,
                            &s->average_utilization);
      get_quantity (dec, cur, "value", &s->value, &s->has_value);
      get_quantity (dec, cur, "averageValue", &s->average_value, &s->has_average_value);
    }
}

static void
status_decode (KsDecoder *dec, JsonNode *status, KsHorizontalPodAutoscaler *hpa)
{
  static const char *const statuses[] = { "True", "False", "Unknown", NULL };
  JsonNode *m;

  if (!ks_decoder_expect_object (dec, status))
    return;
  ks_decoder_get_int64 (dec, status, "observedGeneration", &hpa->status.observed_generation);
  ks_decoder_get_time (dec, status, "lastScaleTime", &hpa->status.last_scale_time);
  ks_decoder_get_int32 (dec, status, "currentReplicas", 0, G_MAXINT32,
                        &hpa->status.current_replicas);
  ks_decoder_get_int32 (dec, status, "desiredReplicas", 0, G_MAXINT32,
                        &hpa->status.desired_replicas);
  if ((m = ks_decoder_member (status, "currentMetrics")) != NULL
      && ks_decoder_expect_array (dec, m))
    {
      JsonArray *a = json_node_get_array (m);
      guint n = json_array_get_length (a);
      hpa->status.current_metrics = n > 0 ? g_new0 (KsMetricStatus, n) : NULL;
      hpa->status.n_current_metrics = n;
      for (guint i = 0; i < n; i++)
        {
          JsonNode *item = json_array_get_element (a, i);
          if (ks_decoder_expect_object (dec, item))
            metric_status_decode_one (dec, item, &hpa->status.current_metrics[i]);
        }
    }
  if ((m = ks_decoder_member (status, "conditions")) != NULL && ks_decoder_expect_array (dec, m))
    {
      JsonArray *a = json_node_get_array (m);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *c = json_array_get_element (a, i);
          g_autofree char *type = NULL;
          g_autofree char *reason = NULL;
          int st = -1;
          if (!ks_decoder_expect_object (dec, c)
              || !ks_decoder_require_string (dec, c, "type", &type, NULL))
            continue;
          for (guint t = 0; t < KS_N_HPA_CONDITIONS; t++)
            if (strcmp (type, condition_names[t]) == 0
                && ks_decoder_get_enum (dec, c, "status", statuses, &st) && st >= 0)
              {
                KsHpaCondition *hc = &hpa->status.conditions[t];
                hc->status = st + 1;
                ks_decoder_get_string (dec, c, "reason", &reason);
                hc->reason = ks_intern_reason (reason);
                ks_decoder_get_string (dec, c, "message", &hc->message);
                ks_decoder_get_time (dec, c, "lastTransitionTime", &hc->last_transition_time);
              }
        }
    }
}

/* autoscaling/v1's status (a stored v1 object: only what v1 holds). */
static void
status_decode_v1 (KsDecoder *dec, JsonNode *status, KsHorizontalPodAutoscaler *hpa)
{
  if (!ks_decoder_expect_object (dec, status))
    return;
  ks_decoder_get_int64 (dec, status, "observedGeneration", &hpa->status.observed_generation);
  ks_decoder_get_time (dec, status, "lastScaleTime", &hpa->status.last_scale_time);
  ks_decoder_get_int32 (dec, status, "currentReplicas", 0, G_MAXINT32,
                        &hpa->status.current_replicas);
  ks_decoder_get_int32 (dec, status, "desiredReplicas", 0, G_MAXINT32,
                        &hpa->status.desired_replicas);
  if (ks_decoder_member (status, "currentCPUUtilizationPercentage") != NULL)
    {
      KsMetricStatus s = { 0 };
      s.type = KS_METRIC_SOURCE_RESOURCE;
      s.name = (char *) "cpu";
      s.has_utilization = TRUE;
      ks_decoder_get_int32 (dec, status, "currentCPUUtilizationPercentage", G_MININT32, G_MAXINT32,
                            &s.average_utilization);
      ks_hpa_set_current_metrics (hpa, &s, 1);
    }
}

static void
hpa_decode (KsDecoder *dec, JsonNode *node, KsObject *obj)
{
  KsHorizontalPodAutoscaler *hpa = KS_HPA (obj);
  JsonNode *spec = ks_decoder_member (node, "spec");
  JsonNode *api = ks_decoder_member (node, "apiVersion");
  gboolean v1 = api != NULL && JSON_NODE_HOLDS_VALUE (api)
                && g_strcmp0 (json_node_get_string (api), "autoscaling/v1") == 0;
  gboolean has_min = FALSE;
  JsonNode *m;
  gsize mark;

  hpa->status.last_scale_time = KS_TIME_NONE;
  for (guint i = 0; i < KS_N_HPA_CONDITIONS; i++)
    hpa->status.conditions[i].last_transition_time = KS_TIME_NONE;
  hpa->min_replicas = 1;
  mark = ks_decoder_push (dec, "spec");
  if (spec == NULL)
    ks_decoder_error (dec, node, "required field is missing");
  else if (ks_decoder_expect_object (dec, spec))
    {
      if ((m = ks_decoder_member (spec, "scaleTargetRef")) == NULL)
        ks_decoder_error_field (dec, spec, "scaleTargetRef.kind", "Required value");
      else
        {
          gsize mark2 = ks_decoder_push (dec, "scaleTargetRef");
          object_ref_decode (dec, m, &hpa->scale_target_ref);
          ks_decoder_pop (dec, mark2);
        }
      has_min = ks_decoder_member (spec, "minReplicas") != NULL;
      if (ks_decoder_get_int32 (dec, spec, "minReplicas", G_MININT32, G_MAXINT32,
                                &hpa->min_replicas)
          && has_min && hpa->min_replicas < 1)
        ks_decoder_error_field (dec, spec, "minReplicas", "must be greater than or equal to 1");
      if (ks_decoder_member (spec, "maxReplicas") == NULL)
        ks_decoder_error_field (dec, spec, "maxReplicas", "must be greater than 0");
      else if (ks_decoder_get_int32 (dec, spec, "maxReplicas", G_MININT32, G_MAXINT32,
                                     &hpa->max_replicas))
        {
          if (hpa->max_replicas < 1)
            ks_decoder_error_field (dec, spec, "maxReplicas", "must be greater than 0");
          else if (has_min && hpa->max_replicas < hpa->min_replicas)
            ks_decoder_error_field (dec, spec, "maxReplicas",
                                    "must be greater than or equal to `minReplicas`");
        }
      if (v1)
        {
          gint32 cpu = KS_HPA_DEFAULT_CPU_UTILIZATION;
          if (ks_decoder_member (spec, "targetCPUUtilizationPercentage") != NULL
              && ks_decoder_get_int32 (dec, spec, "targetCPUUtilizationPercentage", G_MININT32,
                                       G_MAXINT32, &cpu)
              && cpu < 1)
            ks_decoder_error_field (dec, spec, "targetCPUUtilizationPercentage",
                                    "must be greater than 0");
          hpa->metrics = cpu_metric_new (cpu);
          hpa->n_metrics = 1;
        }
      else
        {
          if ((m = ks_decoder_member (spec, "metrics")) != NULL)
            {
              gsize mark2 = ks_decoder_push (dec, "metrics");
              guint n = 0;
              KsMetricSpec *list
                  = ks_decoder_list (dec, m, sizeof (KsMetricSpec), metric_decode, NULL, &n);
              if (n > 0)
                {
                  hpa->metrics = list;
                  hpa->n_metrics = n;
                }
              else
                g_free (list);
              ks_decoder_pop (dec, mark2);
            }
          if (hpa->n_metrics == 0 && (m == NULL || ks_decoder_n_errors (dec) == 0))
            {
              hpa->metrics = cpu_metric_new (KS_HPA_DEFAULT_CPU_UTILIZATION);
              hpa->n_metrics = 1;
            }
          if ((m = ks_decoder_member (spec, "behavior")) != NULL)
            {
              gsize mark2 = ks_decoder_push (dec, "behavior");
              hpa->has_behavior = TRUE;
              behavior_defaults (hpa);
              if (ks_decoder_expect_object (dec, m))
                {
                  JsonNode *r;
                  if ((r = ks_decoder_member (m, "scaleUp")) != NULL)
                    {
                      gsize mark3 = ks_decoder_push (dec, "scaleUp");
                      rules_decode (dec, r, &hpa->scale_up);
                      ks_decoder_pop (dec, mark3);
                    }
                  if ((r = ks_decoder_member (m, "scaleDown")) != NULL)
                    {
                      gsize mark3 = ks_decoder_push (dec, "scaleDown");
                      rules_decode (dec, r, &hpa->scale_down);
                      ks_decoder_pop (dec, mark3);
                    }
                }
              ks_decoder_pop (dec, mark2);
            }
        }
    }
  ks_decoder_pop (dec, mark);
  if (dec->mode == KS_DECODE_STORED && (m = ks_decoder_member (node, "status")) != NULL)
    {
      mark = ks_decoder_push (dec, "status");
      if (v1)
        status_decode_v1 (dec, m, hpa);
      else
        status_decode (dec, m, hpa);
      ks_decoder_pop (dec, mark);
    }
}

/* Encoding */

static void
rules_encode (JsonBuilder *b, const char *member, const KsHpaScalingRules *r)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  if (r->has_window)
    ks_builder_add_int (b, "stabilizationWindowSeconds", r->stabilization_window);
  ks_builder_add_string (b, "selectPolicy", select_policies[r->select - 1]);
  json_builder_set_member_name (b, "policies");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->n_policies; i++)
    {
      json_builder_begin_object (b);
      ks_builder_add_string (b, "type", policy_types[r->policies[i].type - 1]);
      ks_builder_add_int (b, "value", r->policies[i].value);
      ks_builder_add_int (b, "periodSeconds", r->policies[i].period_seconds);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static void
metric_id_encode (JsonBuilder *b, KsMetricSourceType type, const char *name, const char *container,
                  const KsHpaObjectRef *described)
{
  if (type == KS_METRIC_SOURCE_RESOURCE || type == KS_METRIC_SOURCE_CONTAINER_RESOURCE)
    {
      ks_builder_add_string (b, "name", name ? name : "");
      if (type == KS_METRIC_SOURCE_CONTAINER_RESOURCE)
        ks_builder_add_string (b, "container", container ? container : "");
      return;
    }
  if (type == KS_METRIC_SOURCE_OBJECT)
    object_ref_encode (b, "describedObject", described);
  json_builder_set_member_name (b, "metric");
  json_builder_begin_object (b);
  ks_builder_add_string (b, "name", name ? name : "");
  json_builder_end_object (b);
}

static void
metric_encode (JsonBuilder *b, const KsMetricSpec *m)
{
  json_builder_begin_object (b);
  ks_builder_add_string (b, "type", source_types[m->type - 1]);
  json_builder_set_member_name (b, source_members[m->type - 1]);
  json_builder_begin_object (b);
  metric_id_encode (b, m->type, m->name, m->container, &m->described_object);
  json_builder_set_member_name (b, "target");
  json_builder_begin_object (b);
  ks_builder_add_string (b, "type", target_types[m->target_type - 1]);
  switch (m->target_type)
    {
    case KS_METRIC_TARGET_UTILIZATION:
      ks_builder_add_int (b, "averageUtilization", m->average_utilization);
      break;
    case KS_METRIC_TARGET_VALUE:
      add_quantity (b, "value", m->value);
      break;
    case KS_METRIC_TARGET_AVERAGE_VALUE:
      add_quantity (b, "averageValue", m->average_value);
      break;
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
}

static void
metric_status_encode (JsonBuilder *b, const KsMetricStatus *s)
{
  json_builder_begin_object (b);
  ks_builder_add_string (b, "type", source_types[s->type - 1]);
  json_builder_set_member_name (b, source_members[s->type - 1]);
  json_builder_begin_object (b);
  metric_id_encode (b, s->type, s->name, s->container, &s->described_object);
  json_builder_set_member_name (b, "current");
  json_builder_begin_object (b);
  if (s->has_utilization)
    ks_builder_add_int (b, "averageUtilization", s->average_utilization);
  if (s->has_value)
    add_quantity (b, "value", s->value);
  if (s->has_average_value)
    add_quantity (b, "averageValue", s->average_value);
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
}

static void
conditions_encode (JsonBuilder *b, const KsHorizontalPodAutoscaler *hpa, gint64 epoch)
{
  gboolean any = FALSE;

  for (guint i = 0; i < KS_N_HPA_CONDITIONS; i++)
    any |= hpa->status.conditions[i].status != KS_CONDITION_UNSET;
  if (!any)
    return;
  json_builder_set_member_name (b, "conditions");
  json_builder_begin_array (b);
  for (guint i = 0; i < KS_N_HPA_CONDITIONS; i++)
    {
      const KsHpaCondition *c = &hpa->status.conditions[i];
      if (c->status == KS_CONDITION_UNSET)
        continue;
      json_builder_begin_object (b);
      ks_builder_add_string (b, "type", condition_names[i]);
      ks_builder_add_string (b, "status", ks_condition_status_name (c->status));
      ks_builder_add_time (b, "lastTransitionTime", c->last_transition_time, epoch);
      ks_builder_add_string (b, "reason", c->reason ? c->reason : "");
      ks_builder_add_string (b, "message", c->message ? c->message : "");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
hpa_encode (const KsObject *obj, JsonBuilder *b, gint64 epoch)
{
  const KsHorizontalPodAutoscaler *hpa = KS_HPA (obj);

  json_builder_set_member_name (b, "spec");
  json_builder_begin_object (b);
  object_ref_encode (b, "scaleTargetRef", &hpa->scale_target_ref);
  ks_builder_add_int (b, "minReplicas", hpa->min_replicas);
  ks_builder_add_int (b, "maxReplicas", hpa->max_replicas);
  json_builder_set_member_name (b, "metrics");
  json_builder_begin_array (b);
  for (guint i = 0; i < hpa->n_metrics; i++)
    metric_encode (b, &hpa->metrics[i]);
  json_builder_end_array (b);
  if (hpa->has_behavior)
    {
      json_builder_set_member_name (b, "behavior");
      json_builder_begin_object (b);
      rules_encode (b, "scaleUp", &hpa->scale_up);
      rules_encode (b, "scaleDown", &hpa->scale_down);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "status");
  json_builder_begin_object (b);
  if (hpa->status.observed_generation != 0)
    ks_builder_add_int (b, "observedGeneration", hpa->status.observed_generation);
  if (hpa->status.last_scale_time != KS_TIME_NONE)
    ks_builder_add_time (b, "lastScaleTime", hpa->status.last_scale_time, epoch);
  ks_builder_add_int (b, "currentReplicas", hpa->status.current_replicas);
  ks_builder_add_int (b, "desiredReplicas", hpa->status.desired_replicas);
  if (hpa->status.n_current_metrics > 0)
    {
      json_builder_set_member_name (b, "currentMetrics");
      json_builder_begin_array (b);
      for (guint i = 0; i < hpa->status.n_current_metrics; i++)
        metric_status_encode (b, &hpa->status.current_metrics[i]);
      json_builder_end_array (b);
    }
  conditions_encode (b, hpa, epoch);
  json_builder_end_object (b);
}

JsonNode *
ks_hpa_encode_v1 (const KsHorizontalPodAutoscaler *hpa, gint64 epoch)
{
  g_autoptr (JsonNode) full = ks_object_encode (KS_OBJECT (hpa), epoch);

  return ks_hpa_v2_to_v1 (full);
}

/* Copy, finalize, compare */

static void
rules_copy (KsHpaScalingRules *r)
{
  r->policies
      = r->n_policies > 0 ? g_memdup2 (r->policies, r->n_policies * sizeof (KsHpaPolicy)) : NULL;
}

static void
status_copy (KsHorizontalPodAutoscaler *dst, const KsHorizontalPodAutoscaler *src)
{
  dst->status = src->status;
  dst->status.current_metrics = NULL;
  dst->status.n_current_metrics = 0;
  ks_hpa_set_current_metrics (dst, src->status.current_metrics, src->status.n_current_metrics);
  for (guint i = 0; i < KS_N_HPA_CONDITIONS; i++)
    dst->status.conditions[i].message = g_strdup (src->status.conditions[i].message);
}

static void
status_clear (KsHorizontalPodAutoscaler *hpa)
{
  ks_hpa_set_current_metrics (hpa, NULL, 0);
  for (guint i = 0; i < KS_N_HPA_CONDITIONS; i++)
    g_free (hpa->status.conditions[i].message);
  memset (&hpa->status, 0, sizeof hpa->status);
}

static void
hpa_copy (KsObject *dst_obj, const KsObject *src_obj)
{
  KsHorizontalPodAutoscaler *dst = KS_HPA (dst_obj);
  const KsHorizontalPodAutoscaler *src = KS_HPA (src_obj);

  object_ref_copy (&dst->scale_target_ref, &src->scale_target_ref);
  dst->metrics = src->n_metrics > 0 ? g_new0 (KsMetricSpec, src->n_metrics) : NULL;
  for (guint i = 0; i < src->n_metrics; i++)
    {
      dst->metrics[i] = src->metrics[i];
      dst->metrics[i].name = g_strdup (src->metrics[i].name);
      dst->metrics[i].container = g_strdup (src->metrics[i].container);
      object_ref_copy (&dst->metrics[i].described_object, &src->metrics[i].described_object);
    }
  rules_copy (&dst->scale_up);
  rules_copy (&dst->scale_down);
  status_copy (dst, src);
}

static void
hpa_copy_status (KsObject *dst_obj, const KsObject *src_obj)
{
  KsHorizontalPodAutoscaler *dst = KS_HPA (dst_obj);

  status_clear (dst);
  status_copy (dst, KS_HPA (src_obj));
}

static void
hpa_finalize (KsObject *obj)
{
  KsHorizontalPodAutoscaler *hpa = KS_HPA (obj);

  object_ref_clear (&hpa->scale_target_ref);
  for (guint i = 0; i < hpa->n_metrics; i++)
    {
      g_free (hpa->metrics[i].name);
      g_free (hpa->metrics[i].container);
      object_ref_clear (&hpa->metrics[i].described_object);
    }
  g_free (hpa->metrics);
  g_free (hpa->scale_up.policies);
  g_free (hpa->scale_down.policies);
  status_clear (hpa);
}

static gboolean
ref_equal (const KsHpaObjectRef *a, const KsHpaObjectRef *b)
{
  return g_strcmp0 (a->api_version, b->api_version) == 0 && g_strcmp0 (a->kind, b->kind) == 0
         && g_strcmp0 (a->name, b->name) == 0;
}

static gboolean
rules_equal (const KsHpaScalingRules *a, const KsHpaScalingRules *b)
{
  return a->has_window == b->has_window && a->stabilization_window == b->stabilization_window
         && a->select == b->select && a->n_policies == b->n_policies
         && (a->n_policies == 0
             || memcmp (a->policies, b->policies, a->n_policies * sizeof (KsHpaPolicy)) == 0);
}

static gboolean
hpa_spec_changed (const KsObject *a_obj, const KsObject *b_obj)
{
  const KsHorizontalPodAutoscaler *a = KS_HPA (a_obj);
  const KsHorizontalPodAutoscaler *b = KS_HPA (b_obj);

  if (!ref_equal (&a->scale_target_ref, &b->scale_target_ref) || a->min_replicas != b->min_replicas
      || a->max_replicas != b->max_replicas || a->n_metrics != b->n_metrics
      || a->has_behavior != b->has_behavior || !rules_equal (&a->scale_up, &b->scale_up)
      || !rules_equal (&a->scale_down, &b->scale_down))
    return TRUE;
  for (guint i = 0; i < a->n_metrics; i++)
    {
      const KsMetricSpec *x = &a->metrics[i], *y = &b->metrics[i];
      if (x->type != y->type || g_strcmp0 (x->name, y->name) != 0
          || g_strcmp0 (x->container, y->container) != 0
          || !ref_equal (&x->described_object, &y->described_object)
          || x->target_type != y->target_type || x->average_utilization != y->average_utilization
          || x->value != y->value || x->average_value != y->average_value)
        return TRUE;
    }
  return FALSE;
}

/* Helpers */

KsHorizontalPodAutoscaler *
ks_hpa_new_autoscale (const char *ns, const char *name, const char *target_api_version,
                      const char *target_kind, const char *target_name, gint32 min, gint32 max,
                      gint32 cpu_percent)
{
  KsHorizontalPodAutoscaler *hpa
      = KS_HPA (ks_object_new (ks_kind_get (KS_KIND_HORIZONTAL_POD_AUTOSCALER)));

  hpa->parent.meta.name = g_strdup (name);
  hpa->parent.meta.namespace = ks_intern (ns);
  hpa->scale_target_ref.api_version = g_strdup (target_api_version);
  hpa->scale_target_ref.kind = g_strdup (target_kind);
  hpa->scale_target_ref.name = g_strdup (target_name);
  hpa->min_replicas = min > 0 ? min : 1;
  hpa->max_replicas = max;
  hpa->metrics = cpu_metric_new (cpu_percent >= 0 ? cpu_percent : KS_HPA_DEFAULT_CPU_UTILIZATION);
  hpa->n_metrics = 1;
  hpa->status.last_scale_time = KS_TIME_NONE;
  for (guint i = 0; i < KS_N_HPA_CONDITIONS; i++)
    hpa->status.conditions[i].last_transition_time = KS_TIME_NONE;
  return hpa;
}

/* A quantity as kubectl prints it in TARGETS (Quantity.String()). */
static char *
format_quantity (const char *resource, gint64 milli)
{
  if (milli % 1000 == 0 && g_strcmp0 (resource, "cpu") != 0)
    return ks_quantity_format_value (milli / 1000, g_strcmp0 (resource, "memory") == 0);
  return ks_quantity_format_milli (milli);
}

/* kubectl's formatHPAMetrics (printers.go). */
char *
ks_hpa_format_targets (const KsHorizontalPodAutoscaler *hpa)
{
  GString *s = g_string_new (NULL);
  guint shown = 0;

  for (guint i = 0; i < hpa->n_metrics; i++)
    {
      const KsMetricSpec *m = &hpa->metrics[i];
      const KsMetricStatus *cur = NULL;
      g_autofree char *current = NULL;
      g_autofree char *target = NULL;

      if (shown == 2)
        {
          g_string_append_printf (s, " + %u more...", hpa->n_metrics - shown);
          break;
        }
      for (guint j = 0; j < hpa->status.n_current_metrics; j++)
        if (hpa->status.current_metrics[j].type == m->type
            && g_strcmp0 (hpa->status.current_metrics[j].name, m->name) == 0)
          cur = &hpa->status.current_metrics[j];
      switch (m->target_type)
        {
        case KS_METRIC_TARGET_UTILIZATION:
          target = g_strdup_printf ("%d%%", m->average_utilization);
          if (cur != NULL && cur->has_utilization)
            current = g_strdup_printf ("%d%%", cur->average_utilization);
          break;
        case KS_METRIC_TARGET_VALUE:
          target = format_quantity (m->name, m->value);
          if (cur != NULL && cur->has_value)
            current = format_quantity (m->name, cur->value);
          break;
        case KS_METRIC_TARGET_AVERAGE_VALUE:
          target = format_quantity (m->name, m->average_value);
          if (cur != NULL && cur->has_average_value)
            current = format_quantity (m->name, cur->average_value);
          break;
        }
      if (shown > 0)
        g_string_append (s, ", ");
      if (m->type == KS_METRIC_SOURCE_RESOURCE || m->type == KS_METRIC_SOURCE_CONTAINER_RESOURCE)
        g_string_append_printf (s, "%s: ", m->name);
      g_string_append_printf (s, "%s/%s", current ? current : "<unknown>", target);
      /* Object and External per-pod targets are marked (kubectl's " (avg)"). */
      if ((m->type == KS_METRIC_SOURCE_OBJECT || m->type == KS_METRIC_SOURCE_EXTERNAL)
          && m->target_type == KS_METRIC_TARGET_AVERAGE_VALUE)
        g_string_append (s, " (avg)");
      shown++;
    }
  if (s->len == 0)
    g_string_append (s, "<none>");
  return g_string_free (s, FALSE);
}

const KsKind ks_horizontal_pod_autoscaler_kind = {
  .id = KS_KIND_HORIZONTAL_POD_AUTOSCALER,
  .name = "HorizontalPodAutoscaler",
  .api_version = "autoscaling/v2",
  .other_api_version = "autoscaling/v1",
  .group = "autoscaling",
  .plural = "horizontalpodautoscalers",
  .short_name = "hpa",
  .namespaced = TRUE,
  .has_generation = TRUE,
  .size = sizeof (KsHorizontalPodAutoscaler),
  .decode = hpa_decode,
  .encode = hpa_encode,
  .copy = hpa_copy,
  .finalize = hpa_finalize,
  .copy_status = hpa_copy_status,
  .spec_changed = hpa_spec_changed,
};
