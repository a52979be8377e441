/* ks-autoscaling-v1.c: autoscaling/v1 HorizontalPodAutoscalers as conversions of the stored v2
 * object, on JSON trees, as Kubernetes' pkg/apis/autoscaling/v1/conversion.go does them.
 *
 * v1 holds one metric, targetCPUUtilizationPercentage (the first cpu Resource metric when its
 * target is a Utilization), and currentCPUUtilizationPercentage (the last cpu Resource status
 * with a utilization).  Everything else of v2 travels in annotations, so that a v1 client that
 * reads an object and writes it back loses nothing:
 *   autoscaling.alpha.kubernetes.io/metrics          the other metrics (v1 MetricSpec JSON)
 *   autoscaling.alpha.kubernetes.io/current-metrics  every current metric (v1 MetricStatus)
 *   autoscaling.alpha.kubernetes.io/conditions       the conditions
 *   autoscaling.alpha.kubernetes.io/behavior         spec.behavior (Go's internal struct
 *                                                    marshalled without JSON tags: ScaleUp, ...)
 * and are taken off again on the way back in.  The annotations' JSON is compact with the
 * members in Go's field order, as encoding/json writes it. */
#include "config.h"

#include <string.h>

#include "ks-autoscaling.h"

#define ANN_METRICS "autoscaling.alpha.kubernetes.io/metrics"
#define ANN_CURRENT_METRICS "autoscaling.alpha.kubernetes.io/current-metrics"
#define ANN_CONDITIONS "autoscaling.alpha.kubernetes.io/conditions"
#define ANN_BEHAVIOR "autoscaling.alpha.kubernetes.io/behavior"

static JsonObject *
member_object (JsonObject *o, const char *name)
{
  JsonNode *m = o != NULL ? json_object_get_member (o, name) : NULL;

  return m != NULL && JSON_NODE_HOLDS_OBJECT (m) ? json_node_get_object (m) : NULL;
}

static JsonArray *
member_array (JsonObject *o, const char *name)
{
  JsonNode *m = o != NULL ? json_object_get_member (o, name) : NULL;

  return m != NULL && JSON_NODE_HOLDS_ARRAY (m) ? json_node_get_array (m) : NULL;
}

static const char *
member_string (JsonObject *o, const char *name)
{
  JsonNode *m = o != NULL ? json_object_get_member (o, name) : NULL;

  return m != NULL && JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_STRING
             ? json_node_get_string (m)
             : NULL;
}

/* Copy member from of src (when there) to to in dst. */
static void
copy_member (JsonObject *dst, const char *to, JsonObject *src, const char *from)
{
  JsonNode *m = src != NULL ? json_object_get_member (src, from) : NULL;

  if (m != NULL && !JSON_NODE_HOLDS_NULL (m))
    json_object_set_member (dst, to, json_node_copy (m));
}

/* Like copy_member, but a missing value is written as the quantity "0" (a v1 field that is a
 * resource.Quantity, not a pointer, marshals as "0" when unset). */
static void
copy_quantity (JsonObject *dst, const char *to, JsonObject *src, const char *from)
{
  copy_member (dst, to, src, from);
  if (!json_object_has_member (dst, to))
    json_object_set_string_member (dst, to, "0");
}

static void
set_object (JsonObject *dst, const char *name, JsonObject *value)
{
  json_object_set_object_member (dst, name, value);
}

static char *
compact (JsonNode *node)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

/* v2 → v1 */

/* A v2 MetricSpec as a v1 MetricSpec (Convert_autoscaling_MetricSpec_To_v1_MetricSpec). */
static JsonNode *
metric_spec_to_v1 (JsonObject *m)
{
  const char *type = member_string (m, "type");
  JsonObject *out = json_object_new ();
  JsonObject *src, *target, *metric, *o;
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (out, "type", type != NULL ? type : "");
  if (g_strcmp0 (type, "Object") == 0 && (src = member_object (m, "object")) != NULL)
    {
      target = member_object (src, "target");
      metric = member_object (src, "metric");
      o = json_object_new ();
      copy_member (o, "target", src, "describedObject");
      copy_member (o, "metricName", metric, "name");
      copy_quantity (o, "targetValue", target, "value");
      copy_member (o, "selector", metric, "selector");
      copy_member (o, "averageValue", target, "averageValue");
      set_object (out, "object", o);
    }
  else if (g_strcmp0 (type, "Pods") == 0 && (src = member_object (m, "pods")) != NULL)
    {
      target = member_object (src, "target");
      metric = member_object (src, "metric");
      o = json_object_new ();
      copy_member (o, "metricName", metric, "name");
      copy_quantity (o, "targetAverageValue", target, "averageValue");
      copy_member (o, "selector", metric, "selector");
      set_object (out, "pods", o);
    }
  else if ((g_strcmp0 (type, "Resource") == 0 && (src = member_object (m, "resource")) != NULL)
           || (g_strcmp0 (type, "ContainerResource") == 0
               && (src = member_object (m, "containerResource")) != NULL))
    {
      target = member_object (src, "target");
      o = json_object_new ();
      copy_member (o, "name", src, "name");
      copy_member (o, "targetAverageUtilization", target, "averageUtilization");
      copy_member (o, "targetAverageValue", target, "averageValue");
      if (strcmp (type, "ContainerResource") == 0)
        {
          copy_member (o, "container", src, "container");
          set_object (out, "containerResource", o);
        }
      else
        set_object (out, "resource", o);
    }
  else if (g_strcmp0 (type, "External") == 0 && (src = member_object (m, "external")) != NULL)
    {
      target = member_object (src, "target");
      metric = member_object (src, "metric");
      o = json_object_new ();
      copy_member (o, "metricName", metric, "name");
      copy_member (o, "metricSelector", metric, "selector");
      copy_member (o, "targetValue", target, "value");
      copy_member (o, "targetAverageValue", target, "averageValue");
      set_object (out, "external", o);
    }
  json_node_take_object (node, out);
  return node;
}

/* A v2 MetricStatus as a v1 MetricStatus. */
static JsonNode *
metric_status_to_v1 (JsonObject *m)
{
  const char *type = member_string (m, "type");
  JsonObject *out = json_object_new ();
  JsonObject *src, *current, *metric, *o;
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (out, "type", type != NULL ? type : "");
  if (g_strcmp0 (type, "Object") == 0 && (src = member_object (m, "object")) != NULL)
    {
      current = member_object (src, "current");
      metric = member_object (src, "metric");
      o = json_object_new ();
      copy_member (o, "target", src, "describedObject");
      copy_member (o, "metricName", metric, "name");
      copy_quantity (o, "currentValue", current, "value");
      copy_member (o, "selector", metric, "selector");
      copy_member (o, "averageValue", current, "averageValue");
      set_object (out, "object", o);
    }
  else if (g_strcmp0 (type, "Pods") == 0 && (src = member_object (m, "pods")) != NULL)
    {
      current = member_object (src, "current");
      metric = member_object (src, "metric");
      o = json_object_new ();
      copy_member (o, "metricName", metric, "name");
      copy_quantity (o, "currentAverageValue", current, "averageValue");
      copy_member (o, "selector", metric, "selector");
      set_object (out, "pods", o);
    }
  else if ((g_strcmp0 (type, "Resource") == 0 && (src = member_object (m, "resource")) != NULL)
           || (g_strcmp0 (type, "ContainerResource") == 0
               && (src = member_object (m, "containerResource")) != NULL))
    {
      current = member_object (src, "current");
      o = json_object_new ();
      copy_member (o, "name", src, "name");
      copy_member (o, "currentAverageUtilization", current, "averageUtilization");
      copy_quantity (o, "currentAverageValue", current, "averageValue");
      if (strcmp (type, "ContainerResource") == 0)
        {
          copy_member (o, "container", src, "container");
          set_object (out, "containerResource", o);
        }
      else
        set_object (out, "resource", o);
    }
  else if (g_strcmp0 (type, "External") == 0 && (src = member_object (m, "external")) != NULL)
    {
      current = member_object (src, "current");
      metric = member_object (src, "metric");
      o = json_object_new ();
      copy_member (o, "metricName", metric, "name");
      copy_member (o, "metricSelector", metric, "selector");
      copy_quantity (o, "currentValue", current, "value");
      copy_member (o, "currentAverageValue", current, "averageValue");
      set_object (out, "external", o);
    }
  json_node_take_object (node, out);
  return node;
}

/* One direction of spec.behavior in Go's internal field names (nil pointers as null). */
static JsonNode *
rules_to_go (JsonObject *r)
{
  JsonObject *out = json_object_new ();
  JsonArray *policies = member_array (r, "policies");
  JsonArray *list = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  if (json_object_has_member (r, "stabilizationWindowSeconds"))
    copy_member (out, "StabilizationWindowSeconds", r, "stabilizationWindowSeconds");
  else
    json_object_set_null_member (out, "StabilizationWindowSeconds");
  if (json_object_has_member (r, "selectPolicy"))
    copy_member (out, "SelectPolicy", r, "selectPolicy");
  else
    json_object_set_null_member (out, "SelectPolicy");
  for (guint i = 0; policies != NULL && i < json_array_get_length (policies); i++)
    {
      JsonObject *p = json_array_get_object_element (policies, i);
      JsonObject *q = json_object_new ();
      copy_member (q, "Type", p, "type");
      copy_member (q, "Value", p, "value");
      copy_member (q, "PeriodSeconds", p, "periodSeconds");
      json_array_add_object_element (list, q);
    }
  if (policies != NULL)
    json_object_set_array_member (out, "Policies", list);
  else
    {
      json_array_unref (list);
      json_object_set_null_member (out, "Policies");
    }
  json_node_take_object (node, out);
  return node;
}

static char *
behavior_to_go (JsonObject *behavior)
{
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *out = json_object_new ();
  static const char *const dirs[][2] = { { "scaleUp", "ScaleUp" }, { "scaleDown", "ScaleDown" } };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      JsonObject *r = member_object (behavior, dirs[i][0]);
      if (r != NULL)
        json_object_set_member (out, dirs[i][1], rules_to_go (r));
      else
        json_object_set_null_member (out, dirs[i][1]);
    }
  json_node_take_object (root, out);
  return compact (root);
}

/* Set annotation name of meta to the compact JSON of array (taken); nothing when empty. */
static void
annotate (JsonObject *meta, const char *name, JsonArray *array)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  g_autofree char *text = NULL;
  JsonObject *annotations;

  json_node_take_array (node, array);
  if (json_array_get_length (array) == 0)
    return;
  text = compact (node);
  annotations = member_object (meta, "annotations");
  if (annotations == NULL)
    {
      annotations = json_object_new ();
      json_object_set_object_member (meta, "annotations", annotations);
    }
  json_object_set_string_member (annotations, name, text);
}

JsonNode *
ks_hpa_v2_to_v1 (JsonNode *v2)
{
  JsonObject *in = json_node_get_object (v2);
  JsonObject *spec = member_object (in, "spec");
  JsonObject *status = member_object (in, "status");
  JsonObject *out = json_object_new ();
  JsonObject *meta, *ospec = json_object_new (), *ostatus;
  JsonArray *metrics = member_array (spec, "metrics");
  JsonArray *current = member_array (status, "currentMetrics");
  JsonArray *conditions = member_array (status, "conditions");
  JsonArray *other = json_array_new ();
  JsonArray *statuses = json_array_new ();
  JsonArray *conds = json_array_new ();
  JsonObject *behavior = member_object (spec, "behavior");
  JsonNode *root = json_node_new (JSON_NODE_OBJECT);
  gboolean seen_cpu = FALSE;

  json_object_set_string_member (out, "kind", "HorizontalPodAutoscaler");
  json_object_set_string_member (out, "apiVersion", "autoscaling/v1");
  copy_member (out, "metadata", in, "metadata");
  if ((meta = member_object (out, "metadata")) == NULL)
    {
      meta = json_object_new ();
      json_object_set_object_member (out, "metadata", meta);
    }
  copy_member (ospec, "scaleTargetRef", spec, "scaleTargetRef");
  copy_member (ospec, "minReplicas", spec, "minReplicas");
  copy_member (ospec, "maxReplicas", spec, "maxReplicas");
  /* The first cpu Resource metric gives the target when it is a Utilization; every other metric
   * (a cpu AverageValue too) goes to the annotation. */
  for (guint i = 0; metrics != NULL && i < json_array_get_length (metrics); i++)
    {
      JsonObject *m = json_array_get_object_element (metrics, i);
      JsonObject *res = member_object (m, "resource");
      JsonObject *target = member_object (res, "target");
      gboolean cpu = g_strcmp0 (member_string (m, "type"), "Resource") == 0
                     && g_strcmp0 (member_string (res, "name"), "cpu") == 0;
      /* Only the first cpu metric is looked at (Kubernetes breaks there, target or not). */
      if (cpu && !seen_cpu)
        copy_member (ospec, "targetCPUUtilizationPercentage", target, "averageUtilization");
      seen_cpu = seen_cpu || cpu;
      if (cpu && json_object_has_member (target, "averageUtilization"))
        continue;
      json_array_add_element (other, metric_spec_to_v1 (m));
    }
  set_object (out, "spec", ospec);
  ostatus = json_object_new ();
  copy_member (ostatus, "observedGeneration", status, "observedGeneration");
  copy_member (ostatus, "lastScaleTime", status, "lastScaleTime");
  copy_member (ostatus, "currentReplicas", status, "currentReplicas");
  if (!json_object_has_member (ostatus, "currentReplicas"))
    json_object_set_int_member (ostatus, "currentReplicas", 0);
  copy_member (ostatus, "desiredReplicas", status, "desiredReplicas");
  if (!json_object_has_member (ostatus, "desiredReplicas"))
    json_object_set_int_member (ostatus, "desiredReplicas", 0);
  for (guint i = 0; current != NULL && i < json_array_get_length (current); i++)
    {
      JsonObject *m = json_array_get_object_element (current, i);
      JsonObject *res = member_object (m, "resource");
      JsonObject *cur = member_object (res, "current");
      /* Every cpu status with a utilization sets it: the last one stays. */
      if (g_strcmp0 (member_string (m, "type"), "Resource") == 0
          && g_strcmp0 (member_string (res, "name"), "cpu") == 0 && cur != NULL
          && json_object_has_member (cur, "averageUtilization"))
        copy_member (ostatus, "currentCPUUtilizationPercentage", cur, "averageUtilization");
      json_array_add_element (statuses, metric_status_to_v1 (m));
    }
  for (guint i = 0; conditions != NULL && i < json_array_get_length (conditions); i++)
    {
      JsonObject *c = json_array_get_object_element (conditions, i);
      JsonObject *d = json_object_new ();
      copy_member (d, "type", c, "type");
      copy_member (d, "status", c, "status");
      copy_member (d, "lastTransitionTime", c, "lastTransitionTime");
      copy_member (d, "reason", c, "reason");
      copy_member (d, "message", c, "message");
      json_array_add_object_element (conds, d);
    }
  set_object (out, "status", ostatus);
  annotate (meta, ANN_METRICS, other);
  annotate (meta, ANN_CURRENT_METRICS, statuses);
  annotate (meta, ANN_CONDITIONS, conds);
  if (behavior != NULL)
    {
      g_autofree char *text = behavior_to_go (behavior);
      JsonObject *annotations = member_object (meta, "annotations");
      if (annotations == NULL)
        {
          annotations = json_object_new ();
          json_object_set_object_member (meta, "annotations", annotations);
        }
      json_object_set_string_member (annotations, ANN_BEHAVIOR, text);
    }
  json_node_take_object (root, out);
  return root;
}

/* v1 → v2 */

/* A v1 MetricSpec as a v2 one; NULL for an unknown type. */
static JsonNode *
metric_spec_to_v2 (JsonObject *m)
{
  const char *type = member_string (m, "type");
  JsonObject *out = json_object_new (), *src, *o, *metric, *target;
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (out, "type", type != NULL ? type : "");
  if (g_strcmp0 (type, "Object") == 0 && (src = member_object (m, "object")) != NULL)
    {
      o = json_object_new ();
      metric = json_object_new ();
      target = json_object_new ();
      copy_member (o, "describedObject", src, "target");
      copy_member (metric, "name", src, "metricName");
      copy_member (metric, "selector", src, "selector");
      /* Convert_v1_ObjectMetricSource_To_autoscaling_ObjectMetricSource: AverageValue when
       * averageValue is set, else Value. */
      if (json_object_has_member (src, "averageValue"))
        {
          json_object_set_string_member (target, "type", "AverageValue");
          copy_member (target, "averageValue", src, "averageValue");
        }
      else
        {
          json_object_set_string_member (target, "type", "Value");
          copy_member (target, "value", src, "targetValue");
        }
      set_object (o, "metric", metric);
      set_object (o, "target", target);
      set_object (out, "object", o);
    }
  else if (g_strcmp0 (type, "Pods") == 0 && (src = member_object (m, "pods")) != NULL)
    {
      o = json_object_new ();
      metric = json_object_new ();
      target = json_object_new ();
      copy_member (metric, "name", src, "metricName");
      copy_member (metric, "selector", src, "selector");
      json_object_set_string_member (target, "type", "AverageValue");
      copy_member (target, "averageValue", src, "targetAverageValue");
      set_object (o, "metric", metric);
      set_object (o, "target", target);
      set_object (out, "pods", o);
    }
  else if ((g_strcmp0 (type, "Resource") == 0 && (src = member_object (m, "resource")) != NULL)
           || (g_strcmp0 (type, "ContainerResource") == 0
               && (src = member_object (m, "containerResource")) != NULL))
    {
      o = json_object_new ();
      target = json_object_new ();
      copy_member (o, "name", src, "name");
      if (strcmp (type, "ContainerResource") == 0)
        copy_member (o, "container", src, "container");
      json_object_set_string_member (target, "type",
                                     json_object_has_member (src, "targetAverageUtilization")
                                         ? "Utilization"
                                         : "AverageValue");
      copy_member (target, "averageUtilization", src, "targetAverageUtilization");
      copy_member (target, "averageValue", src, "targetAverageValue");
      set_object (o, "target", target);
      set_object (out, strcmp (type, "Resource") == 0 ? "resource" : "containerResource", o);
    }
  else if (g_strcmp0 (type, "External") == 0 && (src = member_object (m, "external")) != NULL)
    {
      o = json_object_new ();
      metric = json_object_new ();
      target = json_object_new ();
      copy_member (metric, "name", src, "metricName");
      copy_member (metric, "selector", src, "metricSelector");
      /* Convert_v1_ExternalMetricSource_To_autoscaling_ExternalMetricSource: Value when
       * targetValue is set, else AverageValue. */
      if (json_object_has_member (src, "targetValue"))
        {
          json_object_set_string_member (target, "type", "Value");
          copy_member (target, "value", src, "targetValue");
        }
      else
        {
          json_object_set_string_member (target, "type", "AverageValue");
          copy_member (target, "averageValue", src, "targetAverageValue");
        }
      set_object (o, "metric", metric);
      set_object (o, "target", target);
      set_object (out, "external", o);
    }
  json_node_take_object (node, out);
  return node;
}

/* A v1 MetricStatus as a v2 one. */
static JsonNode *
metric_status_to_v2 (JsonObject *m)
{
  const char *type = member_string (m, "type");
  JsonObject *out = json_object_new (), *src, *o, *metric, *current;
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (out, "type", type != NULL ? type : "");
  if (g_strcmp0 (type, "Object") == 0 && (src = member_object (m, "object")) != NULL)
    {
      o = json_object_new ();
      metric = json_object_new ();
      current = json_object_new ();
      copy_member (o, "describedObject", src, "target");
      copy_member (metric, "name", src, "metricName");
      copy_member (metric, "selector", src, "selector");
      copy_member (current, "value", src, "currentValue");
      copy_member (current, "averageValue", src, "averageValue");
      set_object (o, "metric", metric);
      set_object (o, "current", current);
      set_object (out, "object", o);
    }
  else if (g_strcmp0 (type, "Pods") == 0 && (src = member_object (m, "pods")) != NULL)
    {
      o = json_object_new ();
      metric = json_object_new ();
      current = json_object_new ();
      copy_member (metric, "name", src, "metricName");
      copy_member (metric, "selector", src, "selector");
      copy_member (current, "averageValue", src, "currentAverageValue");
      set_object (o, "metric", metric);
      set_object (o, "current", current);
      set_object (out, "pods", o);
    }
  else if ((g_strcmp0 (type, "Resource") == 0 && (src = member_object (m, "resource")) != NULL)
           || (g_strcmp0 (type, "ContainerResource") == 0
               && (src = member_object (m, "containerResource")) != NULL))
    {
      o = json_object_new ();
      current = json_object_new ();
      copy_member (o, "name", src, "name");
      if (strcmp (type, "ContainerResource") == 0)
        copy_member (o, "container", src, "container");
      copy_member (current, "averageUtilization", src, "currentAverageUtilization");
      copy_member (current, "averageValue", src, "currentAverageValue");
      set_object (o, "current", current);
      set_object (out, strcmp (type, "Resource") == 0 ? "resource" : "containerResource", o);
    }
  else if (g_strcmp0 (type, "External") == 0 && (src = member_object (m, "external")) != NULL)
    {
      o = json_object_new ();
      metric = json_object_new ();
      current = json_object_new ();
      copy_member (metric, "name", src, "metricName");
      copy_member (metric, "selector", src, "metricSelector");
      copy_member (current, "value", src, "currentValue");
      copy_member (current, "averageValue", src, "currentAverageValue");
      set_object (o, "metric", metric);
      set_object (o, "current", current);
      set_object (out, "external", o);
    }
  json_node_take_object (node, out);
  return node;
}

/* The member of o whose name equals name but for case (encoding/json's matching), or NULL. */
static JsonNode *
member_nocase (JsonObject *o, const char *name)
{
  g_autoptr (GList) names = o != NULL ? json_object_get_members (o) : NULL;

  for (GList *l = names; l != NULL; l = l->next)
    if (g_ascii_strcasecmp (l->data, name) == 0)
      return json_object_get_member (o, l->data);
  return NULL;
}

static JsonObject *
rules_from_go (JsonObject *r)
{
  JsonObject *out = json_object_new ();
  JsonNode *m;

  if ((m = member_nocase (r, "StabilizationWindowSeconds")) != NULL && !JSON_NODE_HOLDS_NULL (m))
    json_object_set_member (out, "stabilizationWindowSeconds", json_node_copy (m));
  if ((m = member_nocase (r, "SelectPolicy")) != NULL && !JSON_NODE_HOLDS_NULL (m))
    json_object_set_member (out, "selectPolicy", json_node_copy (m));
  if ((m = member_nocase (r, "Policies")) != NULL && JSON_NODE_HOLDS_ARRAY (m))
    {
      JsonArray *in = json_node_get_array (m);
      JsonArray *list = json_array_new ();
      for (guint i = 0; i < json_array_get_length (in); i++)
        {
          JsonNode *e = json_array_get_element (in, i);
          JsonObject *p = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL;
          JsonObject *q = json_object_new ();
          JsonNode *f;
          if ((f = member_nocase (p, "Type")) != NULL)
            json_object_set_member (q, "type", json_node_copy (f));
          if ((f = member_nocase (p, "Value")) != NULL)
            json_object_set_member (q, "value", json_node_copy (f));
          if ((f = member_nocase (p, "PeriodSeconds")) != NULL)
            json_object_set_member (q, "periodSeconds", json_node_copy (f));
          json_array_add_object_element (list, q);
        }
      json_object_set_array_member (out, "policies", list);
    }
  return out;
}

/* The JSON of annotation name of annotations, parsed, taken off annotations; NULL when absent.
 * FALSE with error when it does not parse as a want (JSON_NODE_ARRAY or JSON_NODE_OBJECT). */
static gboolean
take_annotation (JsonObject *annotations, const char *name, JsonNodeType want, JsonNode **out,
                 GError **error)
{
  const char *text = member_string (annotations, name);
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) e = NULL;

  *out = NULL;
  if (text == NULL)
    return TRUE;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, -1, &e)
      || json_node_get_node_type (json_parser_get_root (parser)) != want)
    {
      g_set_error (error, KS_INPUT_ERROR, 0,
                   "metadata.annotations[%s]: not a JSON %s as the autoscaling/v1 conversion "
                   "writes it%s%s",
                   name, want == JSON_NODE_ARRAY ? "list" : "object", e ? ": " : "",
                   e ? e->message : "");
      return FALSE;
    }
  *out = json_node_copy (json_parser_get_root (parser));
  json_object_remove_member (annotations, name);
  return TRUE;
}

JsonNode *
ks_hpa_v1_to_v2 (JsonNode *v1, GError **error)
{
  JsonObject *in = json_node_get_object (v1);
  JsonObject *spec = member_object (in, "spec");
  JsonObject *status = member_object (in, "status");
  g_autoptr (JsonNode) copy = json_node_copy (v1);
  JsonObject *out = json_object_new ();
  JsonObject *meta, *annotations, *ospec = json_object_new (), *ostatus = NULL;
  JsonArray *metrics = json_array_new ();
  g_autoptr (JsonNode) other = NULL;
  g_autoptr (JsonNode) current = NULL;
  g_autoptr (JsonNode) conditions = NULL;
  g_autoptr (JsonNode) behavior = NULL;
  JsonNode *root = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (root, out);
  set_object (out, "spec", ospec);
  json_object_set_array_member (ospec, "metrics", metrics);
  copy_member (out, "metadata", json_node_get_object (copy), "metadata");
  meta = member_object (out, "metadata");
  annotations = member_object (meta, "annotations");
  if (!take_annotation (annotations, ANN_METRICS, JSON_NODE_ARRAY, &other, error)
      || !take_annotation (annotations, ANN_CURRENT_METRICS, JSON_NODE_ARRAY, &current, error)
      || !take_annotation (annotations, ANN_CONDITIONS, JSON_NODE_ARRAY, &conditions, error)
      || !take_annotation (annotations, ANN_BEHAVIOR, JSON_NODE_OBJECT, &behavior, error))
    {
      json_node_unref (root);
      return NULL;
    }
  if (annotations != NULL && json_object_get_size (annotations) == 0)
    json_object_remove_member (meta, "annotations");
  json_object_set_string_member (out, "apiVersion", "autoscaling/v2");
  json_object_set_string_member (out, "kind", "HorizontalPodAutoscaler");
  copy_member (ospec, "scaleTargetRef", spec, "scaleTargetRef");
  copy_member (ospec, "minReplicas", spec, "minReplicas");
  copy_member (ospec, "maxReplicas", spec, "maxReplicas");
  /* The annotation's metrics first, then the cpu target; none at all: cpu at 80 %. */
  for (guint i = 0; other != NULL && i < json_array_get_length (json_node_get_array (other)); i++)
    {
      JsonNode *e = json_array_get_element (json_node_get_array (other), i);
      if (JSON_NODE_HOLDS_OBJECT (e))
        json_array_add_element (metrics, metric_spec_to_v2 (json_node_get_object (e)));
    }
  if (json_object_has_member (spec ? spec : out, "targetCPUUtilizationPercentage")
      || json_array_get_length (metrics) == 0)
    {
      JsonObject *m = json_object_new (), *res = json_object_new (), *target = json_object_new ();
      json_object_set_string_member (m, "type", "Resource");
      json_object_set_string_member (res, "name", "cpu");
      json_object_set_string_member (target, "type", "Utilization");
      copy_member (target, "averageUtilization", spec, "targetCPUUtilizationPercentage");
      if (!json_object_has_member (target, "averageUtilization"))
        json_object_set_int_member (target, "averageUtilization", KS_HPA_DEFAULT_CPU_UTILIZATION);
      set_object (res, "target", target);
      set_object (m, "resource", res);
      json_array_add_object_element (metrics, m);
    }
  if (behavior != NULL)
    {
      JsonObject *b = json_node_get_object (behavior), *ob = json_object_new ();
      JsonNode *r;
      if ((r = member_nocase (b, "ScaleUp")) != NULL && JSON_NODE_HOLDS_OBJECT (r))
        set_object (ob, "scaleUp", rules_from_go (json_node_get_object (r)));
      if ((r = member_nocase (b, "ScaleDown")) != NULL && JSON_NODE_HOLDS_OBJECT (r))
        set_object (ob, "scaleDown", rules_from_go (json_node_get_object (r)));
      set_object (ospec, "behavior", ob);
    }
  if (status != NULL)
    {
      ostatus = json_object_new ();
      copy_member (ostatus, "observedGeneration", status, "observedGeneration");
      copy_member (ostatus, "lastScaleTime", status, "lastScaleTime");
      copy_member (ostatus, "currentReplicas", status, "currentReplicas");
      copy_member (ostatus, "desiredReplicas", status, "desiredReplicas");
      set_object (out, "status", ostatus);
    }
  if (current != NULL
      || (status != NULL && json_object_has_member (status, "currentCPUUtilizationPercentage")))
    {
      JsonArray *list = json_array_new ();
      if (ostatus == NULL)
        {
          ostatus = json_object_new ();
          set_object (out, "status", ostatus);
        }
      if (current != NULL)
        /* The annotation has more than currentCPUUtilizationPercentage: it wins. */
        for (guint i = 0; i < json_array_get_length (json_node_get_array (current)); i++)
          {
            JsonNode *e = json_array_get_element (json_node_get_array (current), i);
            if (JSON_NODE_HOLDS_OBJECT (e))
              json_array_add_element (list, metric_status_to_v2 (json_node_get_object (e)));
          }
      else
        {
          JsonObject *m = json_object_new (), *res = json_object_new (), *cur = json_object_new ();
          json_object_set_string_member (m, "type", "Resource");
          json_object_set_string_member (res, "name", "cpu");
          copy_member (cur, "averageUtilization", status, "currentCPUUtilizationPercentage");
          set_object (res, "current", cur);
          set_object (m, "resource", res);
          json_array_add_object_element (list, m);
        }
      json_object_set_array_member (ostatus, "currentMetrics", list);
    }
  if (conditions != NULL)
    {
      if (ostatus == NULL)
        {
          ostatus = json_object_new ();
          set_object (out, "status", ostatus);
        }
      json_object_set_member (ostatus, "conditions", json_node_copy (conditions));
    }
  return root;
}
