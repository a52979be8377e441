/* ks-scenario.c: loading and checking scenarios. */
#include "config.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

#include "ks-expect.h"
#include "ks-load.h"
#include "ks-scenario.h"
#include "ks-sim-model.h"
#include "policies/ks-policy-modules.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-autoscaling.h"
#include "src/api/ks-batch.h"
#include "src/api/ks-decode.h"
#include "src/api/ks-duration.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-statefulset.h"
#include "src/api/ks-storage.h"
#include "src/api/ks-yaml.h"
#include "src/controllers/ks-controllers.h"
#include "src/controllers/ks-hpa.h"

static const char *const action_names[]
    = { "apply",       "scale",         "delete",        "failNode",  "recoverNode", "rollback",
        "pause",       "resume",        "cordon",        "uncordon",  "drain",       "addNodes",
        "removeNodes", "partitionNode", "healPartition", "autoscale", NULL };

const char *
ks_action_type_name (KsActionType type)
{
  return action_names[type];
}

/* Namespaces and PriorityClasses every cluster starts with. */
static const char *const builtin_namespaces[]
    = { "default", "kube-system", "kube-public", "kube-node-lease", NULL };
static const char *const builtin_priority_classes[]
    = { "system-cluster-critical", "system-node-critical", NULL };
static const gint32 builtin_priority_values[]
    = { KS_SYSTEM_CRITICAL_PRIORITY, KS_SYSTEM_CRITICAL_PRIORITY + 1000 };
/* Namespaces the API server refuses to delete (NamespaceLifecycle). */
static const char *const immortal_namespaces[] = { "default", "kube-system", "kube-public", NULL };

typedef struct
{
  KsDiag *diag;
  char *dir;
  /* What exists so far while checking objects and events in time order:
   * "Kind/namespace/name" → "file:line:column" of its definition. */
  GHashTable *defined;
  GHashTable *namespaces;       /* name → TRUE */
  GHashTable *priority_classes; /* name → its value (GINT_TO_POINTER) */
  char *global_default;         /* the globalDefault PriorityClass, or NULL */
  const GPtrArray *pools;       /* the scenario's KsNodePool*, for addNodes */
} Load;

static char *
where (KsDecoder *dec, JsonNode *node)
{
  guint line = 0, column = 0;
  ks_source_get_position (dec->source, node, &line, &column);
  return g_strdup_printf ("%s:%u:%u", ks_source_get_name (dec->source), line, column);
}

/* Where an object is, for problems found after decoding: "file:line:column" and the field path
 * of the object in its document ("objects[2]", or "" for a document of its own). */
typedef struct
{
  char *where;
  char *path;
} Place;

static void
place_free (gpointer p)
{
  Place *pl = p;
  g_free (pl->where);
  g_free (pl->path);
  g_free (pl);
}

static Place *
place_new (KsDecoder *dec, JsonNode *node)
{
  Place *pl = g_new (Place, 1);
  pl->where = where (dec, node);
  pl->path = g_strdup (dec->path->str);
  return pl;
}

/* "path.field" or "field" */
static char *
field_path (const Place *pl, const char *field)
{
  return pl->path[0] != '\0' ? g_strdup_printf ("%s.%s", pl->path, field) : g_strdup (field);
}

static void diag_at (Load *l, const char *w, const char *format, ...) G_GNUC_PRINTF (3, 4);

/* A problem at a recorded position ("file:line:column"). */
static void
diag_at (Load *l, const char *w, const char *format, ...)
{
  g_autofree char *message = NULL;
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  line = g_strdup_printf ("%s: %s", w, message);
  ks_diag_add_literal (l->diag, line);
}

/* A duration field that must not be negative (Go's syntax allows "-5m"); *out is left alone when
 * the field is missing or wrong. */
static void
get_time (KsDecoder *dec, JsonNode *obj, const char *field, gint64 *out)
{
  gint64 v = 0;

  if (!ks_decoder_get_duration (dec, obj, field, &v) || ks_decoder_member (obj, field) == NULL)
    return;
  if (v < 0)
    {
      g_autofree char *text = ks_decoder_scalar_text (dec, ks_decoder_member (obj, field));
      ks_decoder_error_field (dec, obj, field, "invalid duration \"%s\": must not be negative",
                              text);
      return;
    }
  *out = v;
}

/* A positive number member (a plain number, e.g. a Weibull shape); FALSE after a report. */
static gboolean
get_positive_number (KsDecoder *dec, JsonNode *obj, const char *field, double *out)
{
  JsonNode *m = ks_decoder_member (obj, field);
  g_autofree char *text = NULL;
  char *end = NULL;
  double v;

  if (m == NULL)
    {
      ks_decoder_error_field (dec, obj, field, "required field is missing (a number above 0)");
      return FALSE;
    }
  text = ks_decoder_scalar_text (dec, m);
  v = text != NULL ? g_ascii_strtod (text, &end) : 0;
  if (text == NULL || end == text || *end != '\0' || !isfinite (v) || v <= 0)
    {
      ks_decoder_error_field (dec, obj, field, "\"%s\" is not valid: a number above 0 is expected",
                              text != NULL ? text : "(not a scalar)");
      return FALSE;
    }
  *out = v;
  return TRUE;
}

/* A positive duration member, in µs as a double; FALSE after a report. */
static gboolean
get_positive_duration (KsDecoder *dec, JsonNode *obj, const char *field, double *out)
{
  gint64 v = -1;

  if (ks_decoder_member (obj, field) == NULL)
    {
      ks_decoder_error_field (dec, obj, field, "required field is missing (a duration, e.g. 4h)");
      return FALSE;
    }
  get_time (dec, obj, field, &v);
  if (v == 0)
    ks_decoder_error_field (dec, obj, field, "must be above 0");
  if (v <= 0)
    return FALSE;
  *out = (double) v;
  return TRUE;
}

/* {distribution: exponential, mean: 4h}, {distribution: weibull, scale: 4h, shape: 1.5} or
 * {distribution: lognormal, median: 10m, sigma: 0.5}. */
static void
distribution_decode (KsDecoder *dec, JsonNode *parent, const char *field, KsDistribution *d)
{
  static const char *const kinds[] = { "exponential", "weibull", "lognormal", NULL };
  static const char *const fields[][4] = { { "distribution", "mean", NULL },
                                           { "distribution", "scale", "shape", NULL },
                                           { "distribution", "median", "sigma", NULL } };
  JsonNode *m = ks_decoder_member (parent, field);
  int kind = -1;
  gsize mark;

  if (m == NULL)
    {
      ks_decoder_error_field (dec, parent, field,
                              "required field is missing (e.g. {distribution: exponential, "
                              "mean: 4h})");
      return;
    }
  mark = ks_decoder_push (dec, field);
  if (ks_decoder_expect_object (dec, m))
    {
      if (ks_decoder_member (m, "distribution") == NULL)
        ks_decoder_error_field (dec, m, "distribution",
                                "required field is missing (exponential, weibull or lognormal)");
      else
        ks_decoder_get_enum (dec, m, "distribution", kinds, &kind);
      if (kind >= 0)
        {
          d->kind = kind;
          ks_decoder_check_fields (dec, m, fields[kind]);
          switch (d->kind)
            {
            case KS_DIST_EXPONENTIAL:
              get_positive_duration (dec, m, "mean", &d->a);
              break;
            case KS_DIST_WEIBULL:
              get_positive_duration (dec, m, "scale", &d->a);
              get_positive_number (dec, m, "shape", &d->b);
              break;
            case KS_DIST_LOGNORMAL:
              get_positive_duration (dec, m, "median", &d->a);
              get_positive_number (dec, m, "sigma", &d->b);
              break;
            }
        }
    }
  ks_decoder_pop (dec, mark);
}

#define LABEL_ZONE "topology.kubernetes.io/zone"

static gboolean
cluster_has_zone (const KsScenario *s, const char *zone)
{
  for (guint i = 0; i < s->pools->len; i++)
    if (g_strcmp0 (ks_str_map_lookup (
                       ((const KsNodePool *) g_ptr_array_index (s->pools, i))->labels, LABEL_ZONE),
                   zone)
        == 0)
      return TRUE;
  for (guint i = 0; i < s->nodes->len; i++)
    if (g_strcmp0 (ks_object_get_label (g_ptr_array_index (s->nodes, i), LABEL_ZONE), zone) == 0)
      return TRUE;
  return FALSE;
}

/* A rate or fraction member: a finite number of at least 0, as float32 (kube-controller-manager
 * keeps them so); FALSE after a report. */
static gboolean
get_rate (KsDecoder *dec, JsonNode *obj, const char *field, float *out)
{
  JsonNode *m = ks_decoder_member (obj, field);
  g_autofree char *text = NULL;
  char *end = NULL;
  double v;

  if (m == NULL)
    return FALSE;
  text = ks_decoder_scalar_text (dec, m);
  v = text != NULL ? g_ascii_strtod (text, &end) : -1;
  if (text == NULL || end == text || *end != '\0' || !isfinite (v) || v < 0)
    {
      ks_decoder_error_field (dec, obj, field,
                              "\"%s\" is not valid: a number of at least 0 is expected",
                              text != NULL ? text : "(not a scalar)");
      return FALSE;
    }
  *out = (float) v;
  return TRUE;
}

/* controllers: kube-controller-manager's settings, as KubeControllerManagerConfiguration names
 * them.  *node_lifecycle is -1 when not given. */
static void
controllers_decode (KsDecoder *dec, JsonNode *m, KsControllerOptions *o, int *node_lifecycle)
{
  static const char *const fields[] = { "nodeLifecycle",
                                        "nodeMonitorPeriod",
                                        "nodeMonitorGracePeriod",
                                        "nodeStartupGracePeriod",
                                        "nodeEvictionRate",
                                        "secondaryNodeEvictionRate",
                                        "largeClusterSizeThreshold",
                                        "unhealthyZoneThreshold",
                                        "terminatedPodGCThreshold",
                                        NULL };
  double d;

  if (!ks_decoder_expect_object (dec, m))
    return;
  ks_decoder_check_fields (dec, m, fields);
  if (ks_decoder_member (m, "nodeLifecycle") != NULL)
    {
      gboolean on = FALSE;
      if (ks_decoder_get_bool (dec, m, "nodeLifecycle", &on))
        *node_lifecycle = on;
    }
  if (ks_decoder_member (m, "nodeMonitorPeriod") != NULL
      && get_positive_duration (dec, m, "nodeMonitorPeriod", &d))
    o->node_monitor_period = (gint64) d;
  if (ks_decoder_member (m, "nodeMonitorGracePeriod") != NULL
      && get_positive_duration (dec, m, "nodeMonitorGracePeriod", &d))
    o->node_monitor_grace_period = (gint64) d;
  if (ks_decoder_member (m, "nodeStartupGracePeriod") != NULL
      && get_positive_duration (dec, m, "nodeStartupGracePeriod", &d))
    o->node_startup_grace_period = (gint64) d;
  get_rate (dec, m, "nodeEvictionRate", &o->node_eviction_rate);
  get_rate (dec, m, "secondaryNodeEvictionRate", &o->secondary_node_eviction_rate);
  get_rate (dec, m, "unhealthyZoneThreshold", &o->unhealthy_zone_threshold);
  ks_decoder_get_int32 (dec, m, "largeClusterSizeThreshold", 0, G_MAXINT32,
                        &o->large_cluster_size_threshold);
  ks_decoder_get_int32 (dec, m, "terminatedPodGCThreshold", 0, G_MAXINT32,
                        &o->terminated_pod_gc_threshold);
}

/* failures: [{pool: a, mtbf: ..., mttr: ..., type: crash}, {zone: z1, ...}] */
static void
failures_decode (KsDecoder *dec, JsonNode *list, KsScenario *s)
{
  static const char *const fields[] = { "pool", "zone", "type", "mtbf", "mttr", NULL };
  static const char *const types[] = { "crash", "partition", NULL };
  JsonArray *a;

  if (!ks_decoder_expect_array (dec, list))
    return;
  a = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *item = json_array_get_element (a, i);
      gsize mark = ks_decoder_push_index (dec, i);
      KsFailureModel *m;
      int type = 0;

      if (!ks_decoder_expect_object (dec, item))
        {
          ks_decoder_pop (dec, mark);
          continue;
        }
      m = g_new0 (KsFailureModel, 1);
      m->where = where (dec, item);
      ks_decoder_check_fields (dec, item, fields);
      ks_decoder_get_string (dec, item, "pool", &m->pool);
      ks_decoder_get_string (dec, item, "zone", &m->zone);
      if ((m->pool == NULL) == (m->zone == NULL))
        ks_decoder_error (dec, item,
                          "a failure model needs exactly one of pool (a node pool under "
                          "cluster.nodes) and zone (a topology.kubernetes.io/zone label value)");
      else if (m->pool != NULL)
        {
          gboolean found = FALSE;
          g_autoptr (GString) known = g_string_new (NULL);
          for (guint j = 0; j < s->pools->len; j++)
            {
              const char *name = ((const KsNodePool *) g_ptr_array_index (s->pools, j))->name;
              found |= strcmp (name, m->pool) == 0;
              g_string_append_printf (known, "%s%s", j > 0 ? ", " : "", name);
            }
          if (!found)
            ks_decoder_error_field (dec, item, "pool",
                                    "no node pool \"%s\" under cluster.nodes; pools: %s", m->pool,
                                    known->len > 0 ? known->str : "(none)");
        }
      else if (!cluster_has_zone (s, m->zone))
        ks_decoder_error_field (dec, item, "zone",
                                "no node of the cluster has the label " LABEL_ZONE "=%s", m->zone);
      if (ks_decoder_member (item, "type") != NULL)
        ks_decoder_get_enum (dec, item, "type", types, &type);
      m->partition = type == 1;
      distribution_decode (dec, item, "mtbf", &m->mtbf);
      distribution_decode (dec, item, "mttr", &m->mttr);
      g_ptr_array_add (s->failures, m);
      ks_decoder_pop (dec, mark);
    }
}

static char *
resolve (Load *l, const char *path)
{
  if (g_path_is_absolute (path) || l->dir == NULL || strcmp (l->dir, ".") == 0)
    return g_strdup (path);
  return g_build_filename (l->dir, path, NULL);
}

static char *
object_id (const KsObject *obj)
{
  return g_strdup_printf ("%s/%s/%s", obj->kind->name,
                          obj->meta.namespace ? obj->meta.namespace : "", obj->meta.name);
}

static void
action_free (gpointer p)
{
  KsAction *a = p;
  if (a->objects != NULL)
    g_ptr_array_unref (a->objects);
  g_free (a->namespace);
  g_free (a->name);
  g_free (a->where);
  g_strfreev (a->nodes);
  g_free (a);
}

static void failure_model_free (gpointer p);

KsScenario *
ks_scenario_new (const char *name, const char *path)
{
  KsScenario *s = g_new0 (KsScenario, 1);

  s->name = g_strdup (name);
  s->path = g_strdup (path);
  s->seed = 1;
  s->duration = -1;
  s->pools = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_node_pool_free);
  s->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  s->scheduler = ks_scheduler_config_new_default ();
  s->kubelet_startup = KS_DEFAULT_STARTUP;
  s->objects = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  s->actions = g_ptr_array_new_with_free_func (action_free);
  s->expectations = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_expectation_free);
  s->controllers = g_new (KsControllerOptions, 1);
  ks_controller_options_init (s->controllers);
  s->failures = g_ptr_array_new_with_free_func (failure_model_free);
  s->metric_resolution = 15 * KS_USEC_PER_SEC;
  s->hpa_sync_period = 15 * KS_USEC_PER_SEC;
  s->hpa_tolerance = 0.1;
  s->hpa_downscale_window = 300 * KS_USEC_PER_SEC;
  s->hpa_cpu_init_period = 300 * KS_USEC_PER_SEC;
  s->hpa_readiness_delay = 30 * KS_USEC_PER_SEC;
  s->hpa_policy = "kubernetes";
  return s;
}

void
ks_scenario_free (KsScenario *s)
{
  if (s == NULL)
    return;
  g_free (s->name);
  g_free (s->path);
  g_ptr_array_unref (s->pools);
  g_ptr_array_unref (s->nodes);
  ks_scheduler_config_free (s->scheduler);
  g_ptr_array_unref (s->objects);
  g_ptr_array_unref (s->actions);
  if (s->loads != NULL)
    g_ptr_array_unref (s->loads);
  g_clear_pointer (&s->expectations, g_ptr_array_unref);
  g_free (s->autoscaler);
  if (s->failures != NULL)
    g_ptr_array_unref (s->failures);
  g_free (s->controllers);
  g_free (s);
}

static void
failure_model_free (gpointer p)
{
  KsFailureModel *m = p;
  g_free (m->pool);
  g_free (m->zone);
  g_free (m->where);
  g_free (m);
}

gint64
ks_distribution_sample (const KsDistribution *d, gsl_rng *rng)
{
  double v = 0;

  switch (d->kind)
    {
    case KS_DIST_EXPONENTIAL:
      v = gsl_ran_exponential (rng, d->a);
      break;
    case KS_DIST_WEIBULL:
      v = gsl_ran_weibull (rng, d->a, d->b);
      break;
    case KS_DIST_LOGNORMAL:
      v = gsl_ran_lognormal (rng, log (d->a), d->b);
      break;
    }
  /* Whole µs, at least one, at most a century. */
  if (!(v >= 1))
    return 1;
  if (v > 100.0 * 365 * 86400 * KS_USEC_PER_SEC)
    return (gint64) (100.0 * 365 * 86400 * KS_USEC_PER_SEC);
  return (gint64) v;
}

/* The simulation annotations of a pod template (or pod) must parse; a bad one is reported at
 * its value. */
/* An HPA's kubesim.io/autoscaler-policy must name a known policy (built in or loaded): in a
 * scenario that is bad input, found before the run. */
static void
check_hpa_policy (KsDecoder *dec, JsonNode *doc, const KsObject *obj)
{
  const char *name = ks_object_get_annotation (obj, KS_HPA_POLICY_ANNOTATION);
  JsonNode *annotations = ks_decoder_member (ks_decoder_member (doc, "metadata"), "annotations");
  g_autofree char *valid = NULL;
  gsize mark;

  if (name == NULL || ks_autoscaler_policy_lookup (name) != NULL || annotations == NULL)
    return;
  valid = ks_autoscaler_policy_names ();
  mark = ks_decoder_push (dec, "metadata");
  ks_decoder_push (dec, "annotations");
  ks_decoder_error_field (dec, annotations, KS_HPA_POLICY_ANNOTATION,
                          "unknown autoscaler policy \"%s\"; valid policies: %s (modules add "
                          "more: --policy-path, " KS_POLICY_PATH_ENV ")",
                          name, valid);
  ks_decoder_pop (dec, mark);
}

static void
check_sim_annotations (KsDecoder *dec, JsonNode *doc, const KsObject *obj)
{
  static const char *const pod_path[] = { "metadata", "annotations", NULL };
  static const char *const template_path[]
      = { "spec", "template", "metadata", "annotations", NULL };
  static const char *const keys[] = { KS_ANNOTATION_STARTUP,
                                      KS_ANNOTATION_DURATION,
                                      KS_ANNOTATION_EXIT_CODE,
                                      KS_ANNOTATION_CPU_USAGE,
                                      KS_ANNOTATION_MEMORY_USAGE,
                                      KS_ANNOTATION_MEMORY_GROWTH,
                                      KS_ANNOTATION_READINESS_DELAY,
                                      KS_ANNOTATION_LIVENESS_FAIL_AFTER,
                                      KS_ANNOTATION_CRASH_RATE,
                                      KS_ANNOTATION_STARTUP_PROBE_DELAY,
                                      KS_ANNOTATION_READINESS_FAIL_WINDOW,
                                      KS_ANNOTATION_LIVENESS_FAIL_WINDOW };
  const KsStrMap *annotations = NULL;
  const char *const *path = NULL;
  KsSimPodModel model;
  JsonNode *at = doc;
  gsize mark = dec->path->len;

  if (obj->kind->id == KS_KIND_HORIZONTAL_POD_AUTOSCALER)
    {
      check_hpa_policy (dec, doc, obj);
      return;
    }
  switch (obj->kind->id)
    {
    case KS_KIND_POD:
      annotations = obj->meta.annotations;
      path = pod_path;
      break;
    case KS_KIND_REPLICA_SET:
      annotations = KS_REPLICA_SET (obj)->template.annotations;
      path = template_path;
      break;
    case KS_KIND_DEPLOYMENT:
      annotations = KS_DEPLOYMENT (obj)->template.annotations;
      path = template_path;
      break;
    case KS_KIND_STATEFUL_SET:
      annotations = KS_STATEFUL_SET (obj)->template.annotations;
      path = template_path;
      break;
    case KS_KIND_JOB:
      annotations = KS_JOB (obj)->template.annotations;
      path = template_path;
      break;
    default:
      return;
    }
  if (ks_sim_pod_model_parse (annotations, &model, NULL))
    return;
  for (guint i = 0; path[i] != NULL; i++)
    {
      at = ks_decoder_member (at, path[i]);
      ks_decoder_push (dec, path[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const char *value = ks_str_map_lookup (annotations, keys[i]);
      g_autoptr (KsStrMap) one = NULL;
      g_autoptr (GError) error = NULL;
      if (value == NULL)
        continue;
      if (i == 2)
        {
          /* The exit code is checked with the duration or crash rate it needs (either will do:
           * give the check a valid one when the scenario has one, bad or not). */
          gboolean needed = ks_str_map_lookup (annotations, KS_ANNOTATION_DURATION) != NULL
                            || ks_str_map_lookup (annotations, KS_ANNOTATION_CRASH_RATE) != NULL;
          one = ks_str_map_new_pairs (keys[i], value, needed ? KS_ANNOTATION_DURATION : NULL, "1s",
                                      NULL);
        }
      else
        one = ks_str_map_new_pairs (keys[i], value, NULL);
      if (!ks_sim_pod_model_parse (one, &model, &error))
        ks_decoder_error_field (dec, at, keys[i], "%s", error->message);
    }
  ks_decoder_pop (dec, mark);
}

/* Decode the objects of one source document (or inline node) and append them. */
static void
decode_objects (Load *l, KsDecoder *dec, JsonNode *node, GPtrArray *out, GPtrArray *wheres)
{
  KsObject *obj = ks_object_decode (dec, node, "default");

  if (obj == NULL)
    return;
  if (obj->meta.name == NULL)
    {
      ks_decoder_error_field (dec, ks_decoder_member (node, "metadata"), "name",
                              "a scenario object needs a name (generateName is only for objects "
                              "made at run time)");
      ks_object_unref (obj);
      return;
    }
  check_sim_annotations (dec, node, obj);
  g_ptr_array_add (out, obj);
  g_ptr_array_add (wheres, place_new (dec, node));
}

gboolean
ks_manifests_load (const char *path, GPtrArray *out, KsDiag *diag)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsSource) source = ks_source_new_from_file (path, &error);
  g_autoptr (GPtrArray) wheres = g_ptr_array_new_with_free_func (place_free);
  guint errors = ks_diag_get_count (diag);
  KsDecoder dec;

  if (source == NULL)
    {
      ks_diag_add_literal (diag, error->message);
      return FALSE;
    }
  ks_decoder_init (&dec, source, diag);
  for (guint i = 0; i < ks_source_get_n_documents (source); i++)
    decode_objects (NULL, &dec, ks_source_get_document (source, i), out, wheres);
  ks_decoder_clear (&dec);
  return ks_diag_get_count (diag) == errors;
}

/* Decode the objects of the manifest file name (relative to the scenario) and append them.  A
 * file that cannot be read (missing, a directory, unreadable) is reported at at, the node that
 * names it.  Returns FALSE when it could not be read. */
static gboolean
load_file (Load *l, KsDecoder *dec, JsonNode *at, const char *name, GPtrArray *out,
           GPtrArray *wheres)
{
  g_autofree char *path = resolve (l, name);
  g_autoptr (GError) error = NULL;
  g_autoptr (KsSource) source = ks_source_new_from_file (path, &error);
  KsDecoder fdec;

  if (source == NULL)
    {
      if (g_error_matches (error, KS_YAML_ERROR, KS_YAML_ERROR_IO))
        ks_decoder_error (dec, at, "%s", error->message);
      else
        ks_diag_add_literal (dec->diag, error->message);
      return FALSE;
    }
  ks_decoder_init (&fdec, source, dec->diag);
  for (guint i = 0; i < ks_source_get_n_documents (source); i++)
    decode_objects (l, &fdec, ks_source_get_document (source, i), out, wheres);
  ks_decoder_clear (&fdec);
  return TRUE;
}

/* Objects from a list item: {file: F} or an inline manifest. */
static void
load_object_item (Load *l, KsDecoder *dec, JsonNode *item, GPtrArray *out, GPtrArray *wheres)
{
  JsonNode *file = ks_decoder_member (item, "file");

  if (file != NULL && json_object_get_size (json_node_get_object (item)) == 1)
    {
      g_autofree char *name = NULL;
      gsize mark = ks_decoder_push (dec, "file");

      if (ks_decoder_string (dec, file, &name))
        load_file (l, dec, file, name, out, wheres);
      ks_decoder_pop (dec, mark);
      return;
    }
  if (ks_decoder_member (item, "kind") == NULL)
    {
      ks_decoder_error (dec, item,
                        "expected {file: <path>} or an inline manifest with apiVersion and kind");
      return;
    }
  decode_objects (l, dec, item, out, wheres);
}

/* Check that objects may be created in order: unique names, existing namespaces and
 * PriorityClasses.  Adds what they define to the load state. */
static gboolean known_object (Load *l, const KsKind *kind, const char *ns, const char *name);

/* Claims (a PersistentVolumeClaim's, a StatefulSet's volumeClaimTemplates') must name a
 * StorageClass the scenario defines before them, or "" (no class).  Kubernetes would leave such
 * a claim Pending for ever; in a scenario it is a mistake. */
static void
check_storage_classes (Load *l, GHashTable *here, const KsObject *obj, const Place *pl)
{
  g_autoptr (GPtrArray) classes = g_ptr_array_new ();
  g_autoptr (GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);

  if (obj->kind->id == KS_KIND_PERSISTENT_VOLUME_CLAIM)
    {
      const char *class = KS_PERSISTENT_VOLUME_CLAIM (obj)->storage_class_name;
      g_ptr_array_add (classes, (gpointer) class);
      g_ptr_array_add (fields, g_strdup ("spec.storageClassName"));
    }
  else if (obj->kind->id == KS_KIND_STATEFUL_SET
           && KS_STATEFUL_SET (obj)->volume_claim_templates != NULL)
    {
      JsonArray *a = json_node_get_array (KS_STATEFUL_SET (obj)->volume_claim_templates);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonObject *spec
              = json_object_get_object_member (json_array_get_object_element (a, i), "spec");
          g_ptr_array_add (classes, (gpointer) json_object_get_string_member_with_default (
                                        spec, "storageClassName", NULL));
          g_ptr_array_add (
              fields, g_strdup_printf ("spec.volumeClaimTemplates[%u].spec.storageClassName", i));
        }
    }
  for (guint i = 0; i < classes->len; i++)
    {
      const char *class = g_ptr_array_index (classes, i);
      g_autofree char *id = NULL;
      if (class == NULL || class[0] == '\0')
        continue;
      id = g_strdup_printf ("StorageClass//%s", class);
      if (!g_hash_table_contains (here, id)
          && !known_object (l, ks_kind_get (KS_KIND_STORAGE_CLASS), NULL, class))
        {
          g_autofree char *f = field_path (pl, g_ptr_array_index (fields, i));
          diag_at (l, pl->where,
                   "%s: no StorageClass with name %s was found; define it before the objects "
                   "that use it (or use storageClassName \"\" for volumes without a class)",
                   f, class);
        }
    }
}

static void
check_objects (Load *l, GPtrArray *objects, GPtrArray *wheres, gboolean allow_existing)
{
  g_autoptr (GHashTable) here = g_hash_table_new (g_str_hash, g_str_equal);

  /* Namespaces and PriorityClasses first: they are created before the rest. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < objects->len; i++)
      {
        KsObject *obj = g_ptr_array_index (objects, i);
        const Place *pl = g_ptr_array_index (wheres, i);
        const char *w = pl->where;
        gboolean first_pass
            = obj->kind->id == KS_KIND_NAMESPACE || obj->kind->id == KS_KIND_PRIORITY_CLASS;
        g_autofree char *id = object_id (obj);
        const char *before;

        if (first_pass != (pass == 0))
          continue;
        if ((before = g_hash_table_lookup (here, id)) != NULL
            || (!allow_existing && (before = g_hash_table_lookup (l->defined, id)) != NULL))
          diag_at (l, w, "duplicate name: %s %s%s%s is already defined at %s", obj->kind->name,
                   obj->meta.namespace ? obj->meta.namespace : "", obj->meta.namespace ? "/" : "",
                   obj->meta.name, before);
        if (!g_hash_table_contains (here, id))
          g_hash_table_insert (here, g_strdup (id), (gpointer) w);
        if (obj->kind->namespaced && !g_hash_table_contains (l->namespaces, obj->meta.namespace))
          {
            g_autofree char *f = field_path (pl, "metadata.namespace");
            diag_at (l, w,
                     "%s: namespace \"%s\" does not exist: create it first with a Namespace "
                     "object",
                     f, obj->meta.namespace);
          }
        if (obj->kind->id == KS_KIND_NAMESPACE)
          g_hash_table_add (l->namespaces, g_strdup (obj->meta.name));
        if (obj->kind->id == KS_KIND_PRIORITY_CLASS)
          {
            const KsPriorityClass *pc = KS_PRIORITY_CLASS (obj);
            g_hash_table_insert (l->priority_classes, g_strdup (obj->meta.name),
                                 GINT_TO_POINTER (pc->value));
            /* The admission of PriorityClasses: one global default. */
            if (pc->global_default && l->global_default != NULL
                && strcmp (l->global_default, obj->meta.name) != 0)
              {
                g_autofree char *f = field_path (pl, "globalDefault");
                diag_at (l, w,
                         "%s: PriorityClass %s is already marked as default. Only one default "
                         "can exist",
                         f, l->global_default);
              }
            else if (pc->global_default)
              {
                g_free (l->global_default);
                l->global_default = g_strdup (obj->meta.name);
              }
            else if (g_strcmp0 (l->global_default, obj->meta.name) == 0)
              g_clear_pointer (&l->global_default, g_free);
          }
        check_storage_classes (l, here, obj, pl);
        {
          const KsPodSpec *spec = NULL;
          const char *field = "spec.priorityClassName";
          if (obj->kind->id == KS_KIND_POD)
            spec = KS_POD (obj)->spec;
          else if (obj->kind->id == KS_KIND_DEPLOYMENT)
            spec = KS_DEPLOYMENT (obj)->template.spec,
            field = "spec.template.spec.priorityClassName";
          else if (obj->kind->id == KS_KIND_REPLICA_SET)
            spec = KS_REPLICA_SET (obj)->template.spec,
            field = "spec.template.spec.priorityClassName";
          else if (obj->kind->id == KS_KIND_JOB)
            spec = KS_JOB (obj)->template.spec, field = "spec.template.spec.priorityClassName";
          if (spec != NULL && spec->priority_class_name != NULL
              && !g_hash_table_contains (l->priority_classes, spec->priority_class_name))
            {
              g_autofree char *f = field_path (pl, field);
              diag_at (l, w,
                       "%s: no PriorityClass with name %s was found; define it before the objects "
                       "that use it",
                       f, spec->priority_class_name);
            }
          else if (spec != NULL && spec->has_priority)
            {
              /* The Priority admission plugin refuses a pod whose spec.priority is not the value
               * of its class (or of the global default, or 0). */
              const char *class_name = spec->priority_class_name != NULL ? spec->priority_class_name
                                                                         : l->global_default;
              gint32 value
                  = class_name != NULL
                        ? GPOINTER_TO_INT (g_hash_table_lookup (l->priority_classes, class_name))
                        : 0;
              if (spec->priority != value)
                {
                  g_autofree char *f = field_path (pl, obj->kind->id == KS_KIND_POD
                                                           ? "spec.priority"
                                                           : "spec.template.spec.priority");
                  diag_at (l, w,
                           "%s: the integer value of priority (%d) must not be provided in pod "
                           "spec; priority admission controller computed %d from the given "
                           "PriorityClass name",
                           f, spec->priority, value);
                }
            }
        }
      }
  {
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init (&iter, here);
    while (g_hash_table_iter_next (&iter, &key, &value))
      g_hash_table_replace (l->defined, key, g_strdup (value));
    g_hash_table_steal_all (here);
  }
}

static void
cluster_decode (Load *l, KsDecoder *dec, JsonNode *node, KsScenario *s, GHashTable *node_names)
{
  static const char *const fields[] = { "nodes", "nodeGroups", "nodeFiles", NULL };
  JsonNode *m;

  if (!ks_decoder_expect_object (dec, node))
    return;
  ks_decoder_check_fields (dec, node, fields);
  for (guint list = 0; list < 2; list++)
    if ((m = ks_decoder_member (node, list == 0 ? "nodes" : "nodeGroups")) != NULL)
      {
        gsize mark = ks_decoder_push (dec, list == 0 ? "nodes" : "nodeGroups");
        if (ks_decoder_expect_array (dec, m))
          {
            JsonArray *a = json_node_get_array (m);
            for (guint i = 0; i < json_array_get_length (a); i++)
              {
                JsonNode *item = json_array_get_element (a, i);
                gsize mark2 = ks_decoder_push_index (dec, i);
                KsNodePool *pool = ks_node_pool_decode (dec, item, list == 1);
                for (guint k = 0; pool != NULL && k < s->pools->len; k++)
                  if (strcmp (((KsNodePool *) g_ptr_array_index (s->pools, k))->name, pool->name)
                      == 0)
                    {
                      ks_decoder_error_field (dec, item, "name",
                                              "duplicate pool name \"%s\": pools and node groups "
                                              "need names of their own",
                                              pool->name);
                      g_clear_pointer (&pool, ks_node_pool_free);
                    }
                if (pool != NULL)
                  {
                    for (guint j = 0; j < pool->count; j++)
                      {
                        g_autofree char *name = g_strdup_printf ("%s-%u", pool->name, j);
                        g_autofree char *w = where (dec, item);
                        if (g_hash_table_contains (node_names, name))
                          ks_decoder_error_field (dec, item, "name",
                                                  "duplicate node name \"%s\" (also at %s)", name,
                                                  (char *) g_hash_table_lookup (node_names, name));
                        else
                          g_hash_table_insert (node_names, g_strdup (name), g_steal_pointer (&w));
                      }
                    g_ptr_array_add (s->pools, pool);
                  }
                ks_decoder_pop (dec, mark2);
              }
          }
        ks_decoder_pop (dec, mark);
      }
  if ((m = ks_decoder_member (node, "nodeFiles")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "nodeFiles");
      if (ks_decoder_expect_array (dec, m))
        {
          JsonArray *a = json_node_get_array (m);
          for (guint i = 0; i < json_array_get_length (a); i++)
            {
              JsonNode *item = json_array_get_element (a, i);
              g_autofree char *name = NULL;
              gsize mark2 = ks_decoder_push_index (dec, i);
              if (ks_decoder_string (dec, item, &name))
                {
                  g_autofree char *path = resolve (l, name);
                  g_autoptr (GPtrArray) objs
                      = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
                  g_autoptr (GPtrArray) wheres = g_ptr_array_new_with_free_func (place_free);
                  guint before = ks_diag_get_count (l->diag);
                  if (load_file (l, dec, item, name, objs, wheres)
                      && ks_diag_get_count (l->diag) == before)
                    for (guint j = 0; j < objs->len; j++)
                      {
                        KsObject *o = g_ptr_array_index (objs, j);
                        if (o->kind->id != KS_KIND_NODE)
                          ks_decoder_error (dec, item,
                                            "%s holds a %s (%s); nodeFiles may hold only Nodes",
                                            path, o->kind->name, o->meta.name);
                        else if (g_hash_table_contains (node_names, o->meta.name))
                          ks_decoder_error (dec, item, "duplicate node name \"%s\" in %s",
                                            o->meta.name, path);
                        else
                          {
                            g_hash_table_insert (node_names, g_strdup (o->meta.name),
                                                 g_strdup (path));
                            g_ptr_array_add (s->nodes, ks_object_ref (o));
                          }
                      }
                }
              ks_decoder_pop (dec, mark2);
            }
        }
      ks_decoder_pop (dec, mark);
    }
}

static void
scheduler_decode (Load *l, KsDecoder *dec, JsonNode *node, KsScenario *s)
{
  JsonNode *file = ks_decoder_member (node, "file");

  if (!ks_decoder_expect_object (dec, node))
    return;
  if (file != NULL)
    {
      static const char *const fields[] = { "file", NULL };
      g_autofree char *name = NULL;
      ks_decoder_check_fields (dec, node, fields);
      if (ks_decoder_get_string (dec, node, "file", &name) && name != NULL)
        {
          g_autofree char *path = resolve (l, name);
          g_autoptr (GError) error = NULL;
          g_autoptr (KsSource) source = ks_source_new_from_file (path, &error);
          if (source == NULL)
            {
              if (g_error_matches (error, KS_YAML_ERROR, KS_YAML_ERROR_IO))
                ks_decoder_error_field (dec, node, "file", "%s", error->message);
              else
                ks_diag_add_literal (l->diag, error->message);
            }
          else if (ks_source_get_n_documents (source) != 1)
            ks_decoder_error_field (dec, node, "file",
                                    "%s must hold one KubeSchedulerConfiguration document", path);
          else
            {
              KsDecoder fdec;
              ks_decoder_init (&fdec, source, l->diag);
              s->scheduler = ks_scheduler_config_decode (&fdec, ks_source_get_document (source, 0));
              ks_decoder_clear (&fdec);
            }
        }
      return;
    }
  s->scheduler = ks_scheduler_config_decode (dec, node);
}

/* Whether the object will exist when an event runs: defined by the scenario before it, or, for
 * Namespaces and PriorityClasses, built in. */
static gboolean
known_object (Load *l, const KsKind *kind, const char *ns, const char *name)
{
  g_autofree char *id = g_strdup_printf ("%s/%s/%s", kind->name, kind->namespaced ? ns : "", name);

  if (kind->id == KS_KIND_NAMESPACE)
    return g_hash_table_contains (l->namespaces, name);
  if (kind->id == KS_KIND_PRIORITY_CLASS)
    return g_hash_table_contains (l->priority_classes, name);
  return g_hash_table_contains (l->defined, id);
}

/* After a delete event: the object, and what a deleted Namespace held, no longer exist for the
 * events that follow. */
static void
forget_object (Load *l, const KsKind *kind, const char *ns, const char *name)
{
  g_autofree char *id = g_strdup_printf ("%s/%s/%s", kind->name, kind->namespaced ? ns : "", name);

  g_hash_table_remove (l->defined, id);
  if (kind->id == KS_KIND_PRIORITY_CLASS)
    {
      g_hash_table_remove (l->priority_classes, name);
      if (g_strcmp0 (l->global_default, name) == 0)
        g_clear_pointer (&l->global_default, g_free);
    }
  if (kind->id == KS_KIND_NAMESPACE)
    {
      /* Ids are "Kind/namespace/name"; no part holds a '/'. */
      g_autofree char *infix = g_strdup_printf ("/%s/", name);
      GHashTableIter iter;
      gpointer key;

      g_hash_table_remove (l->namespaces, name);
      g_hash_table_iter_init (&iter, l->defined);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          const char *slash = strchr (key, '/');
          if (g_str_has_prefix (slash, infix))
            g_hash_table_iter_remove (&iter);
        }
    }
}

/* autoscale: kubectl autoscale (reference §2.7) as an event: an autoscaling/v1-style HPA (no
 * behavior) for a Deployment, ReplicaSet or StatefulSet defined before it. */
static void
autoscale_decode (Load *l, KsDecoder *dec, JsonNode *body, KsAction *a)
{
  static const char *const fields[]
      = { "deployment", "replicaset", "statefulset", "namespace", "name",
          "min",        "max",        "cpuPercent",  NULL };
  static const char *const targets[][2] = { { "deployment", "Deployment" },
                                            { "replicaset", "ReplicaSet" },
                                            { "statefulset", "StatefulSet" } };
  g_autofree char *target = NULL;
  g_autofree char *hpa_name = NULL;
  const char *kind = NULL;
  gint32 min = -1, max = 0, cpu = -1;
  guint errors = ks_decoder_n_errors (dec);

  ks_decoder_check_fields (dec, body, fields);
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    if (ks_decoder_member (body, targets[i][0]) != NULL)
      {
        if (kind != NULL)
          ks_decoder_error_field (dec, body, targets[i][0],
                                  "one target per autoscale: this one already has %s", kind);
        else if (ks_decoder_get_string (dec, body, targets[i][0], &target))
          kind = targets[i][1];
      }
  if (kind == NULL && ks_decoder_n_errors (dec) == errors)
    ks_decoder_error (dec, body,
                      "an autoscale needs its target: deployment, replicaset or "
                      "statefulset (e.g. deployment: web)");
  ks_decoder_get_string (dec, body, "namespace", &a->namespace);
  if (a->namespace == NULL)
    a->namespace = g_strdup ("default");
  ks_decoder_get_string (dec, body, "name", &hpa_name);
  ks_decoder_get_int32 (dec, body, "min", G_MININT32, G_MAXINT32, &min);
  if (ks_decoder_member (body, "max") == NULL)
    ks_decoder_error_field (dec, body, "max",
                            "required field is missing (kubectl autoscale "
                            "--max=MAXPODS)");
  else if (ks_decoder_get_int32 (dec, body, "max", G_MININT32, G_MAXINT32, &max))
    {
      if (max < 1)
        ks_decoder_error_field (dec, body, "max", "must be at least 1, max: %d", max);
      else if (max < min)
        ks_decoder_error_field (dec, body, "max",
                                "must be larger or equal to min, max: %d, min: %d", max, min);
    }
  if (ks_decoder_get_int32 (dec, body, "cpuPercent", G_MININT32, G_MAXINT32, &cpu)
      && ks_decoder_member (body, "cpuPercent") != NULL && cpu < 1)
    ks_decoder_error_field (dec, body, "cpuPercent", "must be greater than 0");
  if (kind == NULL || target == NULL || ks_decoder_n_errors (dec) != errors)
    return;
  a->kind = ks_kind_lookup (NULL, kind);
  a->name = g_strdup (hpa_name != NULL ? hpa_name : target);
  if (!known_object (l, a->kind, a->namespace, target))
    {
      ks_decoder_error_field (dec, body,
                              targets[a->kind->id == KS_KIND_DEPLOYMENT    ? 0
                                      : a->kind->id == KS_KIND_REPLICA_SET ? 1
                                                                           : 2][0],
                              "no %s \"%s\" in namespace %s is defined before this event", kind,
                              target, a->namespace);
      return;
    }
  {
    const KsKind *hk = ks_kind_get (KS_KIND_HORIZONTAL_POD_AUTOSCALER);
    g_autofree char *id = g_strdup_printf ("%s/%s/%s", hk->name, a->namespace, a->name);
    const char *before = g_hash_table_lookup (l->defined, id);
    if (before != NULL)
      {
        ks_decoder_error (dec, body,
                          "horizontalpodautoscalers.autoscaling \"%s\" already exists (defined "
                          "at %s)",
                          a->name, before);
        return;
      }
    g_hash_table_insert (l->defined, g_steal_pointer (&id), g_strdup (a->where));
  }
  a->objects = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  g_ptr_array_add (a->objects, ks_hpa_new_autoscale (a->namespace, a->name, "apps/v1", kind, target,
                                                     min, max, cpu));
}

static KsAction *
event_decode (Load *l, KsDecoder *dec, JsonNode *item, GHashTable *node_names)
{
  KsAction *a;
  JsonNode *body = NULL;
  gint type = -1;
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;
  guint errors = ks_decoder_n_errors (dec);

  if (!ks_decoder_expect_object (dec, item))
    return NULL;
  a = g_new0 (KsAction, 1);
  a->where = where (dec, item);
  if (ks_decoder_member (item, "at") == NULL)
    ks_decoder_error_field (dec, item, "at", "required field is missing (e.g. at: 5m)");
  else
    get_time (dec, item, "at", &a->at);
  json_object_iter_init (&iter, json_node_get_object (item));
  while (json_object_iter_next (&iter, &key, &value))
    {
      gint t = -1;
      if (strcmp (key, "at") == 0)
        continue;
      for (gint i = 0; action_names[i] != NULL; i++)
        if (strcmp (key, action_names[i]) == 0)
          t = i;
      if (t < 0)
        {
          ks_decoder_error_field (
              dec, item, key,
              "unknown event \"%s\"; valid events: apply, scale, delete, "
              "failNode, recoverNode, partitionNode, healPartition, rollback, pause, resume, "
              "cordon, uncordon, drain, addNodes, removeNodes, autoscale",
              key);
          continue;
        }
      if (type >= 0)
        ks_decoder_error_field (dec, item, key, "one event per list item: this one already has %s",
                                action_names[type]);
      type = t;
      body = value;
    }
  if (type < 0)
    {
      if (ks_decoder_n_errors (dec) == errors)
        ks_decoder_error (
            dec, item,
            "an event needs one of apply, scale, delete, failNode, recoverNode, partitionNode, "
            "healPartition, rollback, pause, resume, cordon, uncordon, drain, addNodes, "
            "removeNodes, autoscale");
      action_free (a);
      return NULL;
    }
  a->type = type;
  {
    gsize mark = ks_decoder_push (dec, action_names[type]);
    if (ks_decoder_expect_object (dec, body))
      switch (a->type)
        {
        case KS_ACTION_APPLY:
          {
            g_autoptr (GPtrArray) wheres = g_ptr_array_new_with_free_func (place_free);
            a->objects = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
            load_object_item (l, dec, body, a->objects, wheres);
            for (guint i = 0; i < a->objects->len; i++)
              {
                const KsObject *obj = g_ptr_array_index (a->objects, i);
                const Place *pl = g_ptr_array_index (wheres, i);
                /* A new Node would have no node agent: its pods would never start. */
                if (obj->kind->id == KS_KIND_NODE
                    && !g_hash_table_contains (node_names, obj->meta.name))
                  {
                    g_autofree char *f = field_path (pl, "metadata.name");
                    diag_at (l, pl->where,
                             "%s: no node \"%s\" in the cluster: an apply may change a node, not "
                             "add one (put nodes under cluster.nodes or cluster.nodeFiles)",
                             f, obj->meta.name);
                  }
              }
            check_objects (l, a->objects, wheres, TRUE);
            break;
          }
        case KS_ACTION_SCALE:
        case KS_ACTION_DELETE:
          {
            static const char *const scale_fields[]
                = { "kind", "name", "namespace", "replicas", NULL };
            static const char *const delete_fields[] = { "kind", "name", "namespace", NULL };
            g_autofree char *kind = NULL;
            ks_decoder_check_fields (dec, body,
                                     a->type == KS_ACTION_SCALE ? scale_fields : delete_fields);
            ks_decoder_require_string (dec, body, "kind", &kind, NULL);
            ks_decoder_require_string (dec, body, "name", &a->name, NULL);
            ks_decoder_get_string (dec, body, "namespace", &a->namespace);
            if (a->namespace == NULL)
              a->namespace = g_strdup ("default");
            if (kind == NULL)
              ;
            else if ((a->kind = ks_kind_lookup (NULL, kind)) == NULL)
              ks_decoder_error_field (dec, body, "kind", "unknown kind \"%s\"; kubesim knows: %s",
                                      kind, ks_kind_list_known ());
            else if (a->type == KS_ACTION_SCALE && a->kind->id != KS_KIND_DEPLOYMENT
                     && a->kind->id != KS_KIND_REPLICA_SET && a->kind->id != KS_KIND_STATEFUL_SET)
              ks_decoder_error_field (
                  dec, body, "kind",
                  "%s cannot be scaled: use Deployment, ReplicaSet or StatefulSet", kind);
            if (a->type == KS_ACTION_SCALE)
              {
                if (ks_decoder_member (body, "replicas") == NULL)
                  ks_decoder_error_field (dec, body, "replicas", "required field is missing");
                else
                  ks_decoder_get_int32 (dec, body, "replicas", 0, G_MAXINT32, &a->replicas);
              }
            if (a->kind == NULL || a->name == NULL || a->kind->id == KS_KIND_POD)
              ;
            else if (a->type == KS_ACTION_DELETE && a->kind->id == KS_KIND_NODE)
              ks_decoder_error_field (dec, body, "kind",
                                      "Nodes are not deleted by events: use failNode to take "
                                      "node \"%s\" down",
                                      a->name);
            else if (a->type == KS_ACTION_DELETE && a->kind->id == KS_KIND_NAMESPACE
                     && g_strv_contains (immortal_namespaces, a->name))
              ks_decoder_error_field (dec, body, "name",
                                      "namespaces \"%s\" is forbidden: this namespace may not be "
                                      "deleted",
                                      a->name);
            else if (!known_object (l, a->kind, a->namespace, a->name))
              {
                if (a->kind->namespaced)
                  ks_decoder_error_field (dec, body, "name",
                                          "no %s \"%s\" in namespace %s is defined before this "
                                          "event",
                                          a->kind->name, a->name, a->namespace);
                else
                  ks_decoder_error_field (dec, body, "name",
                                          "no %s \"%s\" is defined before this event",
                                          a->kind->name, a->name);
              }
            else if (a->type == KS_ACTION_DELETE)
              forget_object (l, a->kind, a->namespace, a->name);
            break;
          }
        case KS_ACTION_FAIL_NODE:
        case KS_ACTION_RECOVER_NODE:
        case KS_ACTION_PARTITION_NODE:
        case KS_ACTION_HEAL_PARTITION:
        case KS_ACTION_CORDON:
        case KS_ACTION_UNCORDON:
        case KS_ACTION_DRAIN:
          {
            static const char *const fields[] = { "name", NULL };
            static const char *const drain_fields[] = { "name", "force", "timeout", NULL };
            ks_decoder_check_fields (dec, body, a->type == KS_ACTION_DRAIN ? drain_fields : fields);
            if (a->type == KS_ACTION_DRAIN)
              {
                ks_decoder_get_bool (dec, body, "force", &a->force);
                get_time (dec, body, "timeout", &a->timeout);
              }
            ks_decoder_require_string (dec, body, "name", &a->name, NULL);
            if (a->name != NULL && !g_hash_table_contains (node_names, a->name))
              ks_decoder_error_field (dec, body, "name", "no node \"%s\" in the cluster", a->name);
            break;
          }
        case KS_ACTION_ADD_NODES:
        case KS_ACTION_REMOVE_NODES:
          {
            static const char *const fields[] = { "pool", "count", NULL };
            const KsNodePool *pool = NULL;
            gint32 count = 0;
            ks_decoder_check_fields (dec, body, fields);
            ks_decoder_require_string (dec, body, "pool", &a->name, NULL);
            if (ks_decoder_member (body, "count") == NULL)
              ks_decoder_error_field (dec, body, "count", "required field is missing");
            else
              ks_decoder_get_int32 (dec, body, "count", 1, 10000, &count);
            for (guint i = 0; a->name != NULL && i < l->pools->len; i++)
              if (strcmp (((const KsNodePool *) g_ptr_array_index (l->pools, i))->name, a->name)
                  == 0)
                pool = g_ptr_array_index (l->pools, i);
            if (a->name != NULL && pool == NULL)
              {
                g_autoptr (GString) known = g_string_new (NULL);
                for (guint i = 0; i < l->pools->len; i++)
                  g_string_append_printf (
                      known, "%s%s", i > 0 ? ", " : "",
                      ((const KsNodePool *) g_ptr_array_index (l->pools, i))->name);
                ks_decoder_error_field (dec, body, "pool",
                                        "no node pool \"%s\" under cluster.nodes; pools: %s",
                                        a->name, known->len > 0 ? known->str : "(none)");
              }
            if (pool != NULL && pool->group)
              {
                ks_decoder_error_field (dec, body, "pool",
                                        "\"%s\" is a node group, which the cluster autoscaler "
                                        "resizes; %s takes a pool of cluster.nodes",
                                        a->name, ks_action_type_name (a->type));
                pool = NULL;
              }
            a->replicas = count;
            if (pool != NULL && count > 0 && a->type == KS_ACTION_ADD_NODES)
              {
                /* The next free names of the pool: NAME-<count>, NAME-<count+1>, ... */
                guint k = pool->count;
                a->nodes = g_new0 (char *, count + 1);
                for (gint32 i = 0; i < count; i++)
                  {
                    char *name;
                    while (name = g_strdup_printf ("%s-%u", pool->name, k++),
                           g_hash_table_contains (node_names, name))
                      g_free (name);
                    a->nodes[i] = name;
                    g_hash_table_insert (node_names, g_strdup (name), g_strdup (a->where));
                  }
              }
            break;
          }
        case KS_ACTION_AUTOSCALE:
          autoscale_decode (l, dec, body, a);
          break;
        case KS_ACTION_ROLLBACK:
        case KS_ACTION_PAUSE:
        case KS_ACTION_RESUME:
          {
            static const char *const rollback_fields[]
                = { "deployment", "namespace", "toRevision", NULL };
            static const char *const pause_fields[] = { "deployment", "namespace", NULL };
            ks_decoder_check_fields (
                dec, body, a->type == KS_ACTION_ROLLBACK ? rollback_fields : pause_fields);
            ks_decoder_require_string (dec, body, "deployment", &a->name, NULL);
            ks_decoder_get_string (dec, body, "namespace", &a->namespace);
            if (a->namespace == NULL)
              a->namespace = g_strdup ("default");
            a->kind = ks_kind_get (KS_KIND_DEPLOYMENT);
            if (a->type == KS_ACTION_ROLLBACK)
              {
                gint32 revision = 0;
                ks_decoder_get_int32 (dec, body, "toRevision", 0, G_MAXINT32, &revision);
                a->revision = revision;
              }
            if (a->name != NULL && !known_object (l, a->kind, a->namespace, a->name))
              ks_decoder_error_field (dec, body, "deployment",
                                      "no Deployment \"%s\" in namespace %s is defined before "
                                      "this event",
                                      a->name, a->namespace);
            break;
          }
        }
    ks_decoder_pop (dec, mark);
  }
  if (ks_decoder_n_errors (dec) != errors)
    {
      action_free (a);
      return NULL;
    }
  return a;
}

typedef struct
{
  guint index;
  gint64 at;
} EventRef;

static int
event_ref_compare (gconstpointer pa, gconstpointer pb, gpointer unused)
{
  const EventRef *a = pa, *b = pb;
  if (a->at != b->at)
    return a->at < b->at ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index;
}

static void
add_service_ids (GHashTable *ids, const GPtrArray *objects)
{
  for (guint i = 0; i < objects->len; i++)
    {
      const KsObject *obj = g_ptr_array_index (objects, i);
      if (obj->kind->id == KS_KIND_SERVICE)
        g_hash_table_add (ids, g_strdup_printf ("%s/%s", obj->meta.namespace, obj->meta.name));
    }
}

/* Each load names a Service the scenario creates (at the start or by an apply), once. */
static void
check_loads (KsDecoder *dec, JsonNode *node, const KsScenario *s)
{
  g_autoptr (GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *items = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

  add_service_ids (ids, s->objects);
  for (guint i = 0; i < s->actions->len; i++)
    {
      const KsAction *a = g_ptr_array_index (s->actions, i);
      if (a->type == KS_ACTION_APPLY)
        add_service_ids (ids, a->objects);
    }
  for (guint i = 0, j = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonNode *item = json_array_get_element (items, i);
      const KsLoad *load;
      g_autofree char *id = NULL;
      gsize mark;

      if (!JSON_NODE_HOLDS_OBJECT (item) || j >= s->loads->len)
        continue;
      load = g_ptr_array_index (s->loads, j++);
      if (load->service == NULL)
        continue;
      id = g_strdup_printf ("%s/%s", load->namespace, load->service);
      mark = ks_decoder_push_index (dec, i);
      if (!g_hash_table_contains (ids, id))
        ks_decoder_error_field (dec, item, "service",
                                "no Service \"%s\" in namespace \"%s\": a load needs a Service "
                                "the scenario creates (under objects or in an apply event)",
                                load->service, load->namespace);
      else if (!g_hash_table_add (seen, g_steal_pointer (&id)))
        ks_decoder_error_field (dec, item, "service",
                                "Service %s/%s has a load already: give it one load",
                                load->namespace, load->service);
      ks_decoder_pop (dec, mark);
    }
}

/* References of expectations that can be checked before the run: objects of the kinds only a
 * scenario creates (a Deployment, a Service, ...) must be created by it (under objects or by an
 * apply event, at any time), Nodes must be in its cluster (unless node groups add nodes), and a
 * Service's request-model figures need a load on the Service.  What controllers make (Pods,
 * ReplicaSets, ...) and kinds not listed here are looked up only during the run. */
typedef struct
{
  KsDecoder *dec;
  JsonNode *item;
  GHashTable *ids;        /* "Kind/namespace/name" of every object the scenario creates */
  GHashTable *node_names; /* the cluster's nodes */
  const KsScenario *s;
} RefCheck;

static void
check_ref (const KsKind *kind, const char *ns, const char *name, gboolean figure, gpointer data)
{
  static const KsKindId scenario_kinds[] = { KS_KIND_DEPLOYMENT,
                                             KS_KIND_STATEFUL_SET,
                                             KS_KIND_JOB,
                                             KS_KIND_SERVICE,
                                             KS_KIND_POD_DISRUPTION_BUDGET,
                                             KS_KIND_STORAGE_CLASS,
                                             KS_KIND_HORIZONTAL_POD_AUTOSCALER };
  RefCheck *rc = data;
  g_autofree char *id = g_strdup_printf ("%s/%s/%s", kind->name, ns, name);
  g_autofree char *lower = g_ascii_strdown (kind->name, -1);
  gboolean checked = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (scenario_kinds); i++)
    checked |= kind->id == scenario_kinds[i];
  if (kind->id == KS_KIND_NODE && rc->s->autoscaler == NULL
      && !g_hash_table_contains (rc->node_names, name))
    ks_decoder_error (rc->dec, rc->item, "node/%s: no such Node in the scenario's cluster", name);
  else if (checked && !g_hash_table_contains (rc->ids, id))
    ks_decoder_error (rc->dec, rc->item,
                      "%s/%s%s%s: the scenario creates no %s \"%s\"%s%s%s (under objects or in "
                      "an apply%s event)",
                      lower, strcmp (ns, "default") != 0 ? ns : "",
                      strcmp (ns, "default") != 0 && ns[0] != '\0' ? "/" : "", name, kind->name,
                      name, kind->namespaced ? " in namespace \"" : "", kind->namespaced ? ns : "",
                      kind->namespaced ? "\"" : "",
                      kind->id == KS_KIND_HORIZONTAL_POD_AUTOSCALER ? " or autoscale" : "");
  else if (figure)
    {
      gboolean has_load = FALSE;
      for (guint i = 0; rc->s->loads != NULL && i < rc->s->loads->len; i++)
        {
          const KsLoad *load = g_ptr_array_index (rc->s->loads, i);
          has_load |= g_strcmp0 (load->service, name) == 0 && g_strcmp0 (load->namespace, ns) == 0;
        }
      if (!has_load)
        ks_decoder_error (rc->dec, rc->item,
                          "service/%s: the request model's figures need a load on the Service "
                          "(load: [{service: %s, ...}])",
                          name, name);
    }
}

static void
check_expectations (KsDecoder *dec, JsonNode *list, const KsScenario *s, GHashTable *node_names)
{
  g_autoptr (GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  RefCheck rc = { .dec = dec, .ids = ids, .node_names = node_names, .s = s };

  for (guint i = 0; i < s->objects->len; i++)
    g_hash_table_add (ids, object_id (g_ptr_array_index (s->objects, i)));
  for (guint i = 0; i < s->actions->len; i++)
    {
      const KsAction *a = g_ptr_array_index (s->actions, i);
      for (guint j = 0; (a->type == KS_ACTION_APPLY || a->type == KS_ACTION_AUTOSCALE)
                        && a->objects != NULL && j < a->objects->len;
           j++)
        g_hash_table_add (ids, object_id (g_ptr_array_index (a->objects, j)));
    }
  if (!JSON_NODE_HOLDS_ARRAY (list))
    return;
  /* The decoded expectations are the list's items that decoded without a problem; match them
   * to their nodes by position ("file:line:column"). */
  for (guint i = 0, j = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      JsonNode *item = json_array_get_element (json_node_get_array (list), i);
      g_autofree char *w = where (dec, item);
      const KsExpectation *e;
      gsize mark;

      if (j >= s->expectations->len)
        break;
      e = g_ptr_array_index (s->expectations, j);
      if (strcmp (e->where, w) != 0)
        continue;
      j++;
      mark = ks_decoder_push_index (dec, i);
      rc.item = item;
      ks_expr_foreach_ref (e->expr, check_ref, &rc);
      ks_decoder_pop (dec, mark);
    }
}

/* The hpa section: metrics-server's resolution and a scrape delay, the HPA controller's
 * flags. */
static void
autoscaling_decode (KsDecoder *dec, JsonNode *m, KsScenario *s)
{
  static const char *const fields[] = { "metricResolution",
                                        "scrapeDelay",
                                        "syncPeriod",
                                        "tolerance",
                                        "downscaleStabilization",
                                        "cpuInitializationPeriod",
                                        "initialReadinessDelay",
                                        "policy",
                                        NULL };
  JsonNode *t;
  g_autofree char *policy = NULL;

  if (!ks_decoder_expect_object (dec, m))
    return;
  ks_decoder_check_fields (dec, m, fields);
  get_time (dec, m, "metricResolution", &s->metric_resolution);
  get_time (dec, m, "scrapeDelay", &s->scrape_delay);
  get_time (dec, m, "syncPeriod", &s->hpa_sync_period);
  if (s->metric_resolution < KS_USEC_PER_SEC)
    ks_decoder_error_field (dec, m, "metricResolution",
                            "at least 1s is valid (metrics-server's default is 15s)");
  else if (s->scrape_delay >= s->metric_resolution)
    ks_decoder_error_field (dec, m, "scrapeDelay",
                            "must be shorter than metricResolution (a scrape ends before the "
                            "next one starts)");
  if (s->hpa_sync_period <= 0)
    ks_decoder_error_field (dec, m, "syncPeriod", "must be above 0 (the default is 15s)");
  if ((t = ks_decoder_member (m, "tolerance")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "tolerance");
      if (!JSON_NODE_HOLDS_VALUE (t)
          || (json_node_get_value_type (t) != G_TYPE_DOUBLE
              && json_node_get_value_type (t) != G_TYPE_INT64))
        ks_decoder_error (dec, t, "expected a number such as 0.1, got %s",
                          ks_decoder_node_type_name (t));
      else if ((s->hpa_tolerance = json_node_get_double (t)) < 0 || s->hpa_tolerance >= 1
               || isnan (s->hpa_tolerance))
        ks_decoder_error (dec, t, "must be at least 0 and below 1 (the default is 0.1)");
      ks_decoder_pop (dec, mark);
    }
  get_time (dec, m, "downscaleStabilization", &s->hpa_downscale_window);
  get_time (dec, m, "cpuInitializationPeriod", &s->hpa_cpu_init_period);
  get_time (dec, m, "initialReadinessDelay", &s->hpa_readiness_delay);
  if (ks_decoder_get_string (dec, m, "policy", &policy) && policy != NULL)
    {
      const KsAutoscalerPolicy *p = ks_autoscaler_policy_lookup (policy);
      if (p != NULL)
        s->hpa_policy = p->name;
      else
        {
          g_autofree char *valid = ks_autoscaler_policy_names ();
          ks_decoder_error_field (dec, m, "policy",
                                  "unknown autoscaler policy \"%s\"; valid policies: %s (modules "
                                  "add more: --policy-path, " KS_POLICY_PATH_ENV ")",
                                  policy, valid);
        }
    }
}

KsScenario *
ks_scenario_load (const char *path, KsDiag *diag)
{
  static const char *const fields[]
      = { "kind",       "apiVersion", "name",        "seed",   "duration", "cluster",
          "scheduler",  "kubelet",    "objects",     "events", "expect",   "load",
          "autoscaler", "failures",   "controllers", "hpa",    NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (KsSource) source = ks_source_new_from_file (path, &error);
  g_autoptr (KsScenario) s = NULL;
  g_autoptr (GHashTable) node_names
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  guint errors = ks_diag_get_count (diag);
  Load l = { .diag = diag };
  KsDecoder dec;
  JsonNode *root, *m;
  g_autofree char *kind = NULL;

  if (source == NULL)
    {
      ks_diag_add_literal (diag, error->message);
      return NULL;
    }
  if (ks_source_get_n_documents (source) != 1)
    {
      ks_diag_add (diag, path, 0, 0, NULL, "a scenario is one YAML document, found %u",
                   ks_source_get_n_documents (source));
      return NULL;
    }
  l.dir = g_path_get_dirname (path);
  l.defined = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  l.namespaces = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  l.priority_classes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; builtin_namespaces[i] != NULL; i++)
    g_hash_table_add (l.namespaces, g_strdup (builtin_namespaces[i]));
  for (guint i = 0; builtin_priority_classes[i] != NULL; i++)
    g_hash_table_insert (l.priority_classes, g_strdup (builtin_priority_classes[i]),
                         GINT_TO_POINTER (builtin_priority_values[i]));

  ks_decoder_init (&dec, source, diag);
  root = ks_source_get_document (source, 0);
  s = g_new0 (KsScenario, 1);
  s->controllers = g_new (KsControllerOptions, 1);
  ks_controller_options_init (s->controllers);
  s->failures = g_ptr_array_new_with_free_func (failure_model_free);
  s->path = g_strdup (path);
  s->seed = 1;
  s->duration = -1;
  s->kubelet_startup = KS_DEFAULT_STARTUP;
  s->pools = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_node_pool_free);
  l.pools = s->pools;
  s->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  s->objects = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  s->actions = g_ptr_array_new_with_free_func (action_free);
  s->expectations = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_expectation_free);
  if (!ks_decoder_expect_object (&dec, root))
    goto out;
  ks_decoder_check_fields (&dec, root, fields);
  ks_decoder_get_string (&dec, root, "kind", &kind);
  if (kind != NULL && strcmp (kind, "Scenario") != 0)
    ks_decoder_error_field (&dec, root, "kind", "must be \"Scenario\"");
  ks_decoder_get_string (&dec, root, "name", &s->name);
  /* The default output directory is out/<name>: one path component, inside out/. */
  if (s->name != NULL
      && (s->name[0] == '\0' || strchr (s->name, '/') != NULL || strcmp (s->name, ".") == 0
          || strcmp (s->name, "..") == 0))
    ks_decoder_error_field (&dec, root, "name",
                            "invalid scenario name \"%s\": it names the output directory "
                            "out/<name>, so it must not be empty, \".\" or \"..\" nor hold a \"/\"",
                            s->name);
  if (s->name == NULL)
    {
      g_autofree char *base = g_path_get_basename (path);
      char *dot = strrchr (base, '.');
      if (dot != NULL)
        *dot = '\0';
      s->name = g_strdup (base);
    }
  if ((m = ks_decoder_member (root, "seed")) != NULL)
    {
      gint64 seed = 0;
      if (ks_decoder_get_int64 (&dec, root, "seed", &seed))
        {
          if (seed < 0)
            ks_decoder_error_field (&dec, root, "seed", "must be a non-negative integer");
          s->seed = (guint64) seed;
          s->has_seed = TRUE;
        }
    }
  get_time (&dec, root, "duration", &s->duration);
  if ((m = ks_decoder_member (root, "cluster")) != NULL)
    {
      gsize mark = ks_decoder_push (&dec, "cluster");
      cluster_decode (&l, &dec, m, s, node_names);
      ks_decoder_pop (&dec, mark);
    }
  if ((m = ks_decoder_member (root, "scheduler")) != NULL)
    {
      gsize mark = ks_decoder_push (&dec, "scheduler");
      scheduler_decode (&l, &dec, m, s);
      ks_decoder_pop (&dec, mark);
    }
  if (s->scheduler == NULL)
    s->scheduler = ks_scheduler_config_new_default ();
  if ((m = ks_decoder_member (root, "kubelet")) != NULL)
    {
      static const char *const kubelet_fields[] = { "startup", NULL };
      gsize mark = ks_decoder_push (&dec, "kubelet");
      if (ks_decoder_expect_object (&dec, m))
        {
          ks_decoder_check_fields (&dec, m, kubelet_fields);
          get_time (&dec, m, "startup", &s->kubelet_startup);
        }
      ks_decoder_pop (&dec, mark);
    }
  s->metric_resolution = 15 * KS_USEC_PER_SEC;
  s->hpa_sync_period = 15 * KS_USEC_PER_SEC;
  s->hpa_tolerance = 0.1;
  s->hpa_downscale_window = 300 * KS_USEC_PER_SEC;
  s->hpa_cpu_init_period = 300 * KS_USEC_PER_SEC;
  s->hpa_readiness_delay = 30 * KS_USEC_PER_SEC;
  s->hpa_policy = "kubernetes";
  if ((m = ks_decoder_member (root, "hpa")) != NULL)
    {
      gsize mark = ks_decoder_push (&dec, "hpa");
      s->has_autoscaling = TRUE;
      autoscaling_decode (&dec, m, s);
      ks_decoder_pop (&dec, mark);
    }
  if ((m = ks_decoder_member (root, "objects")) != NULL)
    {
      g_autoptr (GPtrArray) wheres = g_ptr_array_new_with_free_func (place_free);
      gsize mark = ks_decoder_push (&dec, "objects");
      if (ks_decoder_expect_array (&dec, m))
        {
          JsonArray *a = json_node_get_array (m);
          for (guint i = 0; i < json_array_get_length (a); i++)
            {
              JsonNode *item = json_array_get_element (a, i);
              gsize mark2 = ks_decoder_push_index (&dec, i);
              if (ks_decoder_expect_object (&dec, item))
                load_object_item (&l, &dec, item, s->objects, wheres);
              ks_decoder_pop (&dec, mark2);
            }
        }
      ks_decoder_pop (&dec, mark);
      for (guint i = 0; i < s->objects->len; i++)
        {
          const KsObject *obj = g_ptr_array_index (s->objects, i);
          const Place *pl = g_ptr_array_index (wheres, i);
          if (obj->kind->id == KS_KIND_NODE)
            {
              g_autofree char *f = field_path (pl, "kind");
              diag_at (&l, pl->where,
                       "%s: Node %s: put nodes under cluster.nodes or cluster.nodeFiles", f,
                       obj->meta.name);
            }
        }
      check_objects (&l, s->objects, wheres, FALSE);
    }
  if ((m = ks_decoder_member (root, "events")) != NULL)
    {
      gsize mark = ks_decoder_push (&dec, "events");
      if (ks_decoder_expect_array (&dec, m))
        {
          JsonArray *a = json_node_get_array (m);
          guint n = json_array_get_length (a);
          g_autofree EventRef *order = g_new0 (EventRef, MAX (n, 1));
          /* Check the events in the order they will run (by time, stable), so that a scale
           * may refer to what an earlier apply creates. */
          for (guint i = 0; i < n; i++)
            {
              JsonNode *item = json_array_get_element (a, i);
              JsonNode *at = ks_decoder_member (item, "at");
              g_autofree char *text = at != NULL ? ks_decoder_scalar_text (&dec, at) : NULL;
              order[i].index = i;
              order[i].at = G_MAXINT64;
              if (text != NULL)
                ks_duration_parse (text, &order[i].at, NULL);
            }
          g_qsort_with_data (order, n, sizeof (EventRef), event_ref_compare, NULL);
          for (guint i = 0; i < n; i++)
            {
              JsonNode *item = json_array_get_element (a, order[i].index);
              gsize mark2 = ks_decoder_push_index (&dec, order[i].index);
              KsAction *act = event_decode (&l, &dec, item, node_names);
              if (act != NULL)
                g_ptr_array_add (s->actions, act);
              ks_decoder_pop (&dec, mark2);
            }
        }
      ks_decoder_pop (&dec, mark);
    }
  if ((m = ks_decoder_member (root, "load")) != NULL)
    {
      gsize mark = ks_decoder_push (&dec, "load");
      s->loads = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_load_free);
      ks_load_decode (&dec, m, l.dir, s->loads);
      check_loads (&dec, m, s);
      ks_decoder_pop (&dec, mark);
    }
  if ((m = ks_decoder_member (root, "failures")) != NULL)
    {
      gsize mark = ks_decoder_push (&dec, "failures");
      failures_decode (&dec, m, s);
      ks_decoder_pop (&dec, mark);
    }
  {
    gboolean groups = FALSE;
    for (guint i = 0; i < s->pools->len; i++)
      groups |= ((KsNodePool *) g_ptr_array_index (s->pools, i))->group;
    m = ks_decoder_member (root, "autoscaler");
    if (groups || m != NULL)
      {
        s->autoscaler = g_new (KsAutoscalerOptions, 1);
        ks_autoscaler_options_init (s->autoscaler);
      }
    if (m != NULL)
      {
        gsize mark = ks_decoder_push (&dec, "autoscaler");
        ks_autoscaler_options_decode (&dec, m, s->autoscaler);
        if (!groups)
          ks_decoder_error (&dec, m,
                            "the cluster autoscaler needs node groups: add them under "
                            "cluster.nodeGroups");
        ks_decoder_pop (&dec, mark);
      }
  }
  for (guint i = 0; i < s->actions->len; i++)
    {
      const KsAction *act = g_ptr_array_index (s->actions, i);
      if (act->type == KS_ACTION_FAIL_NODE || act->type == KS_ACTION_PARTITION_NODE)
        s->node_lifecycle = TRUE;
    }
  if (s->failures->len > 0)
    s->node_lifecycle = TRUE;
  if ((m = ks_decoder_member (root, "controllers")) != NULL)
    {
      gsize mark = ks_decoder_push (&dec, "controllers");
      int node_lifecycle = -1;
      controllers_decode (&dec, m, s->controllers, &node_lifecycle);
      if (node_lifecycle == 0 && s->node_lifecycle)
        ks_decoder_error_field (&dec, m, "nodeLifecycle",
                                "must be true (or left out) in a scenario with node failures "
                                "(failNode, partitionNode or failures)");
      else if (node_lifecycle == 1)
        s->node_lifecycle = TRUE;
      ks_decoder_pop (&dec, mark);
    }
  if ((m = ks_decoder_member (root, "expect")) != NULL)
    {
      gsize mark = ks_decoder_push (&dec, "expect");
      ks_expect_decode (&dec, m, s->expectations);
      check_expectations (&dec, m, s, node_names);
      ks_decoder_pop (&dec, mark);
    }

out:
  ks_decoder_clear (&dec);
  g_free (l.dir);
  g_hash_table_unref (l.defined);
  g_hash_table_unref (l.namespaces);
  g_hash_table_unref (l.priority_classes);
  g_free (l.global_default);
  if (ks_diag_get_count (diag) != errors)
    return NULL;
  return g_steal_pointer (&s);
}

GPtrArray *
ks_scenario_node_names (const KsScenario *s)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < s->pools->len; i++)
    {
      KsNodePool *pool = g_ptr_array_index (s->pools, i);
      for (guint j = 0; j < pool->count; j++)
        g_ptr_array_add (names, g_strdup_printf ("%s-%u", pool->name, j));
    }
  for (guint i = 0; i < s->nodes->len; i++)
    g_ptr_array_add (names, g_strdup (((KsObject *) g_ptr_array_index (s->nodes, i))->meta.name));
  return names;
}
