/* ks-trace-objects.c: trace records as Kubernetes manifests (ks-trace-objects.h). */
#include "config.h"

#include <string.h>

#include "ks-trace-objects.h"
#include "src/api/ks-duration.h"

static const KsTraceBand bands[] = {
  { KS_TRACE_BAND_FREE, 0,
    "Trace tasks of the free tier (Google 2011 priorities 0-1, 2019: 0-99)" },
  { KS_TRACE_BAND_BATCH, 1000,
    "Trace tasks of the best-effort batch tier (Google 2-8, 2019: 100-115)" },
  { KS_TRACE_BAND_MID, 2000, "Trace tasks of the mid tier (Google 2019: 116-119)" },
  { KS_TRACE_BAND_PRODUCTION, 10000,
    "Trace tasks of the production tier (Google 2011: 9-11, 2019: 120-359)" },
  { KS_TRACE_BAND_MONITORING, 100000,
    "Trace tasks of the monitoring tier (Google 2019: 360 and above)" },
};

const KsTraceBand *
ks_trace_bands (guint *n_bands)
{
  *n_bands = G_N_ELEMENTS (bands);
  return bands;
}

const char *
ks_trace_google_band (int priority, gboolean google_2019)
{
  if (google_2019)
    return priority <= 99    ? KS_TRACE_BAND_FREE
           : priority <= 115 ? KS_TRACE_BAND_BATCH
           : priority <= 119 ? KS_TRACE_BAND_MID
           : priority <= 359 ? KS_TRACE_BAND_PRODUCTION
                             : KS_TRACE_BAND_MONITORING;
  /* "0 and 1 are free priorities; 9, 10 and 11 are production priorities" (ClusterData2011_2). */
  return priority <= 1   ? KS_TRACE_BAND_FREE
         : priority <= 8 ? KS_TRACE_BAND_BATCH
                         : KS_TRACE_BAND_PRODUCTION;
}

static JsonObject *
object_member (JsonObject *parent, const char *name)
{
  JsonObject *o = json_object_new ();
  json_object_set_object_member (parent, name, o);
  return o;
}

JsonObject *
ks_trace_priority_class_manifest (const char *name, gint32 value, const char *description)
{
  JsonObject *o = json_object_new ();
  JsonObject *meta;

  json_object_set_string_member (o, "apiVersion", "scheduling.k8s.io/v1");
  json_object_set_string_member (o, "kind", "PriorityClass");
  meta = object_member (o, "metadata");
  json_object_set_string_member (meta, "name", name);
  json_object_set_int_member (o, "value", value);
  if (description != NULL)
    json_object_set_string_member (o, "description", description);
  return o;
}

static const char *const outcome_names[] = {
  [KS_TRACE_OUTCOME_NONE] = "",           [KS_TRACE_OUTCOME_SUCCEEDED] = "succeeded",
  [KS_TRACE_OUTCOME_FAILED] = "failed",   [KS_TRACE_OUTCOME_KILLED] = "killed",
  [KS_TRACE_OUTCOME_EVICTED] = "evicted", [KS_TRACE_OUTCOME_LOST] = "lost",
};

const char *
ks_trace_outcome_name (KsTraceOutcome outcome)
{
  return (guint) outcome < G_N_ELEMENTS (outcome_names) ? outcome_names[outcome] : "";
}

gboolean
ks_trace_outcome_parse (const char *name, KsTraceOutcome *out)
{
  for (guint i = 1; i < G_N_ELEMENTS (outcome_names); i++)
    if (strcmp (name, outcome_names[i]) == 0)
      {
        *out = (KsTraceOutcome) i;
        return TRUE;
      }
  return FALSE;
}

char *
ks_trace_label_value (const char *text)
{
  GString *s = g_string_new (NULL);
  gsize start = 0;

  for (const char *p = text; *p != '\0' && s->len < 63; p++)
    s = g_string_append_c (s,
                           g_ascii_isalnum (*p) || *p == '.' || *p == '_' || *p == '-' ? *p : '-');
  /* Alphanumeric at both ends. */
  while (start < s->len && !g_ascii_isalnum (s->str[start]))
    start++;
  g_string_erase (s, 0, (gssize) start);
  while (s->len > 0 && !g_ascii_isalnum (s->str[s->len - 1]))
    g_string_truncate (s, s->len - 1);
  if (s->len == 0)
    g_string_assign (s, "x");
  return g_string_free (s, FALSE);
}

static void
set_quantity (JsonObject *list, const char *name, gint64 value, gboolean milli)
{
  g_autofree char *text = NULL;

  if (milli && value % 1000 != 0)
    text = g_strdup_printf ("%" G_GINT64_FORMAT "m", value);
  else
    text = g_strdup_printf ("%" G_GINT64_FORMAT, milli ? value / 1000 : value);
  json_object_set_string_member (list, name, text);
}

/* The GPU demand: a share of one GPU (annotations for GPUPacking), or whole GPUs. */
static gboolean
gpu_share (const KsTraceRecord *r)
{
  return r->gpu_milli > 0 && r->gpu_milli < 1000;
}

JsonObject *
ks_trace_pod_manifest (const KsTraceRecord *r)
{
  JsonObject *o = json_object_new ();
  JsonObject *meta, *spec, *container, *resources, *requests;
  JsonArray *containers;
  gboolean share = gpu_share (r);
  gint64 whole_gpus = share ? 0 : r->gpu;
  gboolean annotations = r->runtime >= 0 || share || r->priority != 0;

  json_object_set_string_member (o, "apiVersion", "v1");
  json_object_set_string_member (o, "kind", "Pod");
  meta = object_member (o, "metadata");
  json_object_set_string_member (meta, "name", r->id);
  json_object_set_string_member (meta, "namespace", KS_TRACE_NAMESPACE);
  if (r->job != NULL)
    {
      JsonObject *labels = object_member (meta, "labels");
      g_autofree char *job = ks_trace_label_value (r->job);
      json_object_set_string_member (labels, KS_TRACE_LABEL_JOB, job);
    }
  if (annotations)
    {
      JsonObject *a = object_member (meta, "annotations");
      if (r->runtime >= 0)
        {
          g_autofree char *d = ks_duration_format (r->runtime);
          json_object_set_string_member (a, "kubesim.io/duration", d);
        }
      if (share)
        {
          g_autofree char *m = g_strdup_printf ("%" G_GINT64_FORMAT, r->gpu_milli);
          json_object_set_string_member (a, "kubesim.io/gpu-milli", m);
          json_object_set_string_member (a, "kubesim.io/gpu-count", "1");
        }
      if (r->priority != 0)
        {
          g_autofree char *p = g_strdup_printf ("%d", r->priority);
          json_object_set_string_member (a, KS_TRACE_ANNOTATION_PRIORITY, p);
        }
    }
  spec = object_member (o, "spec");
  json_object_set_string_member (spec, "restartPolicy", "Never");
  if (r->priority_class != NULL)
    json_object_set_string_member (spec, "priorityClassName", r->priority_class);
  if (r->gpu_models != NULL && r->gpu_models[0] != NULL)
    {
      JsonObject *affinity = object_member (spec, "affinity");
      JsonObject *node_affinity = object_member (affinity, "nodeAffinity");
      JsonObject *required
          = object_member (node_affinity, "requiredDuringSchedulingIgnoredDuringExecution");
      JsonArray *terms = json_array_new ();
      JsonObject *term = json_object_new ();
      JsonArray *exprs = json_array_new ();
      JsonObject *expr = json_object_new ();
      JsonArray *values = json_array_new ();

      json_object_set_array_member (required, "nodeSelectorTerms", terms);
      json_array_add_object_element (terms, term);
      json_object_set_array_member (term, "matchExpressions", exprs);
      json_array_add_object_element (exprs, expr);
      json_object_set_string_member (expr, "key", KS_TRACE_LABEL_GPU_MODEL);
      json_object_set_string_member (expr, "operator", "In");
      for (guint i = 0; r->gpu_models[i] != NULL; i++)
        {
          /* As the node's label is made. */
          g_autofree char *model = ks_trace_label_value (r->gpu_models[i]);
          json_array_add_string_element (values, model);
        }
      json_object_set_array_member (expr, "values", values);
    }
  containers = json_array_new ();
  json_object_set_array_member (spec, "containers", containers);
  container = json_object_new ();
  json_array_add_object_element (containers, container);
  json_object_set_string_member (container, "name", KS_TRACE_CONTAINER);
  json_object_set_string_member (container, "image", KS_TRACE_IMAGE);
  resources = object_member (container, "resources");
  requests = object_member (resources, "requests");
  if (r->cpu_milli >= 0)
    set_quantity (requests, "cpu", r->cpu_milli, TRUE);
  if (r->memory_bytes >= 0)
    set_quantity (requests, "memory", r->memory_bytes, FALSE);
  if (whole_gpus > 0)
    {
      /* Extended resources are not overcommitted: the request equals the limit. */
      JsonObject *limits = object_member (resources, "limits");
      set_quantity (requests, "nvidia.com/gpu", whole_gpus, FALSE);
      set_quantity (limits, "nvidia.com/gpu", whole_gpus, FALSE);
    }
  return o;
}

JsonObject *
ks_trace_node_manifest (const KsTraceRecord *r)
{
  JsonObject *o = json_object_new ();
  JsonObject *meta, *status;
  gboolean labels = (r->gpu_models != NULL && r->gpu_models[0] != NULL) || r->zone != NULL;

  json_object_set_string_member (o, "apiVersion", "v1");
  json_object_set_string_member (o, "kind", "Node");
  meta = object_member (o, "metadata");
  json_object_set_string_member (meta, "name", r->id);
  if (labels)
    {
      JsonObject *l = object_member (meta, "labels");
      if (r->gpu_models != NULL && r->gpu_models[0] != NULL)
        {
          g_autofree char *model = ks_trace_label_value (r->gpu_models[0]);
          json_object_set_string_member (l, KS_TRACE_LABEL_GPU_MODEL, model);
        }
      if (r->zone != NULL)
        {
          g_autofree char *zone = ks_trace_label_value (r->zone);
          json_object_set_string_member (l, KS_TRACE_LABEL_ZONE, zone);
        }
    }
  status = object_member (o, "status");
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *list = object_member (status, i == 0 ? "capacity" : "allocatable");
      if (r->cpu_milli >= 0)
        set_quantity (list, "cpu", r->cpu_milli, TRUE);
      if (r->memory_bytes >= 0)
        set_quantity (list, "memory", r->memory_bytes, FALSE);
      if (r->gpu > 0)
        set_quantity (list, "nvidia.com/gpu", r->gpu, FALSE);
      json_object_set_string_member (list, "pods", "110");
    }
  return o;
}
