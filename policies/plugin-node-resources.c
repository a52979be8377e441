/* plugin-node-resources.c: NodeResourcesFit and NodeResourcesBalancedAllocation
 * (noderesources/fit.go, resource_allocation.go, least_allocated.go, most_allocated.go,
 * requested_to_capacity_ratio.go, balanced_allocation.go, helper/shape_score.go), in
 * Kubernetes' integer arithmetic.
 *
 * NodeResourcesFit filters on real requests (pods count, cpu, memory, ephemeral-storage, scalar
 * resources) and scores with its scoring strategy (LeastAllocated, MostAllocated or
 * RequestedToCapacityRatio with a shape) over non-zero requests (100m / 200Mi per container when
 * unset).  BalancedAllocation scores how evenly the real requests fill the node's resources. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ks-builtin-private.h"
#include "src/api/ks-decode.h"
#include "src/api/ks-quantity.h"

typedef enum
{
  RES_CPU,
  RES_MEMORY,
  RES_EPHEMERAL,
  RES_SCALAR,
} ResKind;

typedef struct
{
  ResKind kind;
  const char *name; /* interned */
  gint64 weight;
} ScoreResource;

typedef enum
{
  STRATEGY_LEAST_ALLOCATED,
  STRATEGY_MOST_ALLOCATED,
  STRATEGY_REQUESTED_TO_CAPACITY_RATIO,
} Strategy;

/* A point of RequestedToCapacityRatio's shape, the score already scaled to 0..100. */
typedef struct
{
  gint64 utilization;
  gint64 score;
} ShapePoint;

typedef struct
{
  Strategy strategy;
  ScoreResource *resources;
  guint n_resources;
  ShapePoint *shape; /* RequestedToCapacityRatio */
  guint n_shape;
  char **ignored;        /* ignoredResources */
  char **ignored_groups; /* ignoredResourceGroups */
} ResourceArgs;

/* config.MaxCustomPriorityScore: shape scores are 0..10, scaled by 100 div 10. */
#define MAX_CUSTOM_PRIORITY_SCORE 10
#define MAX_UTILIZATION 100

static void
args_free (gpointer p)
{
  ResourceArgs *a = p;
  if (a == NULL)
    return;
  g_free (a->resources);
  g_free (a->shape);
  g_strfreev (a->ignored);
  g_strfreev (a->ignored_groups);
  g_free (a);
}

static ResourceArgs *
args_new_default (void)
{
  ResourceArgs *a = g_new0 (ResourceArgs, 1);
  a->resources = g_new (ScoreResource, 2);
  a->resources[0] = (ScoreResource){ RES_CPU, ks_intern ("cpu"), 1 };
  a->resources[1] = (ScoreResource){ RES_MEMORY, ks_intern ("memory"), 1 };
  a->n_resources = 2;
  return a;
}

static ResKind
res_kind (const char *name)
{
  if (strcmp (name, KS_RESOURCE_CPU) == 0)
    return RES_CPU;
  if (strcmp (name, KS_RESOURCE_MEMORY) == 0)
    return RES_MEMORY;
  if (strcmp (name, KS_RESOURCE_EPHEMERAL_STORAGE) == 0)
    return RES_EPHEMERAL;
  return RES_SCALAR;
}

/* A list of strings at member of o; each must pass check (NULL: any), else an error at the
 * element.  groups: ignoredResourceGroups, whose names may not contain '/'. */
static void
strv_member (JsonObject *o, const char *member, gboolean groups, char ***out, GString **lines)
{
  JsonNode *n = json_object_get_member (o, member);
  JsonArray *a;
  GPtrArray *items;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return;
  if (!JSON_NODE_HOLDS_ARRAY (n))
    {
      ks_args_error (lines, "%s: expected a list of strings, got %s", member,
                     ks_decoder_node_type_name (n));
      return;
    }
  a = json_node_get_array (n);
  items = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      const char *name, *why;
      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        {
          ks_args_error (lines, "%s[%u]: expected a string, got %s", member, i,
                         ks_decoder_node_type_name (e));
          continue;
        }
      name = json_node_get_string (e);
      /* ValidateNodeResourcesFitArgs: label names; groups without '/'. */
      if (groups && strchr (name, '/') != NULL)
        ks_args_error (lines, "%s[%u]: invalid value \"%s\": resource group name can't contain '/'",
                       member, i, name);
      else if ((why = ks_validate_label_key (name)) != NULL)
        ks_args_error (lines, "%s[%u]: invalid value \"%s\": %s", member, i, name, why);
      else
        g_ptr_array_add (items, g_strdup (name));
    }
  g_ptr_array_add (items, NULL);
  g_strfreev (*out);
  *out = (char **) g_ptr_array_free (items, FALSE);
}

/* Decode resources: [{name, weight}] at node; prefix names the field for errors.  As
 * kube-scheduler's defaults: an empty list means cpu and memory, a weight of 0 or none means 1.
 * With balanced (BalancedAllocation) every weight must be 1 and a name may not repeat;
 * NodeResourcesFit takes weights 1..100 (ValidateNodeResourcesFitArgs). */
static void
resources_decode (JsonNode *node, const char *prefix, gboolean balanced, ResourceArgs *a,
                  GString **lines)
{
  static const char *const fields[] = { "name", "weight", NULL };
  JsonArray *array;
  guint n;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      ks_args_error (lines, "%s: expected a list of {name, weight}, got %s", prefix,
                     ks_decoder_node_type_name (node));
      return;
    }
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n == 0)
    return; /* the defaults stay */
  g_free (a->resources);
  a->resources = g_new0 (ScoreResource, n);
  a->n_resources = 0;
  for (guint i = 0; i < n; i++)
    {
      JsonNode *e = json_array_get_element (array, i), *w;
      g_autofree char *at = g_strdup_printf ("%s[%u]", prefix, i);
      JsonObject *o;
      const char *name;
      gint64 weight = 0;
      gboolean duplicate = FALSE;
      if (!JSON_NODE_HOLDS_OBJECT (e))
        {
          ks_args_error (lines, "%s: expected a mapping {name, weight}, got %s", at,
                         ks_decoder_node_type_name (e));
          continue;
        }
      o = json_node_get_object (e);
      ks_args_check_fields (o, at, NULL, fields, lines);
      if (!json_object_has_member (o, "name")
          || json_node_get_value_type (json_object_get_member (o, "name")) != G_TYPE_STRING)
        {
          ks_args_error (lines, "%s.name: required string field is missing", at);
          continue;
        }
      name = json_object_get_string_member (o, "name");
      if (!ks_resource_name_is_valid (name))
        {
          ks_args_error (lines, "%s.name: unknown resource name \"%s\"", at, name);
          continue;
        }
      w = json_object_get_member (o, "weight");
      if (w != NULL && !JSON_NODE_HOLDS_NULL (w) && !ks_args_int (w, &weight))
        {
          ks_args_error (lines, "%s.weight: expected an integer, got %s", at,
                         ks_decoder_node_type_name (w));
          continue;
        }
      if (weight == 0)
        weight = 1;
      for (guint j = 0; j < a->n_resources; j++)
        duplicate |= strcmp (a->resources[j].name, name) == 0;
      if (balanced && duplicate)
        ks_args_error (lines, "%s.name: duplicate value \"%s\"", at, name);
      else if (balanced && weight != 1)
        ks_args_error (lines, "%s.weight: invalid value %" G_GINT64_FORMAT ": must be 1", at,
                       weight);
      else if (!balanced && (weight < 0 || weight > 100))
        ks_args_error (lines,
                       "%s.weight: invalid value %" G_GINT64_FORMAT
                       ": resource weight of %s not in valid range (0, 100]",
                       at, weight, name);
      else if (!balanced && duplicate)
        /* kube-scheduler scores such a resource twice; kubesim refuses the list. */
        ks_args_error (lines, "%s.name: duplicate value \"%s\"", at, name);
      else
        a->resources[a->n_resources++]
            = (ScoreResource){ res_kind (name), ks_intern (name), weight };
    }
}

/* requestedToCapacityRatio.shape (validateFunctionShape): at least one point, utilizations
 * increasing and in 0..100, scores in 0..10. */
static void
shape_decode (JsonNode *node, const char *prefix, ResourceArgs *a, GString **lines)
{
  static const char *const fields[] = { "utilization", "score", NULL };
  JsonArray *array;
  guint n;
  gboolean unsorted = FALSE;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node)
      || (JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)) == 0))
    {
      ks_args_error (lines, "%s: at least one point must be specified", prefix);
      return;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      ks_args_error (lines, "%s: expected a list of {utilization, score}, got %s", prefix,
                     ks_decoder_node_type_name (node));
      return;
    }
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  a->shape = g_new0 (ShapePoint, n);
  a->n_shape = n;
  for (guint i = 0; i < n; i++)
    {
      JsonNode *e = json_array_get_element (array, i);
      g_autofree char *at = g_strdup_printf ("%s[%u]", prefix, i);
      JsonObject *o;
      gint64 u = 0, s = 0;
      JsonNode *m;
      if (!JSON_NODE_HOLDS_OBJECT (e))
        {
          ks_args_error (lines, "%s: expected a mapping {utilization, score}, got %s", at,
                         ks_decoder_node_type_name (e));
          continue;
        }
      o = json_node_get_object (e);
      ks_args_check_fields (o, at, NULL, fields, lines);
      /* Absent members are 0, as in the Go struct. */
      if ((m = json_object_get_member (o, "utilization")) != NULL && !ks_args_int (m, &u))
        ks_args_error (lines, "%s.utilization: expected an integer, got %s", at,
                       ks_decoder_node_type_name (m));
      else if (u < 0 || u > MAX_UTILIZATION)
        ks_args_error (lines,
                       "%s.utilization: invalid value %" G_GINT64_FORMAT
                       ": not in valid range [0, 100]",
                       at, u);
      /* Only the first unsorted point is reported, as kube-scheduler does. */
      else if (i > 0 && !unsorted && a->shape[i - 1].utilization >= u)
        {
          unsorted = TRUE;
          ks_args_error (lines,
                         "%s.utilization: invalid value %" G_GINT64_FORMAT
                         ": utilization values must be sorted in increasing order",
                         at, u);
        }
      if ((m = json_object_get_member (o, "score")) != NULL && !ks_args_int (m, &s))
        ks_args_error (lines, "%s.score: expected an integer, got %s", at,
                       ks_decoder_node_type_name (m));
      else if (s < 0 || s > MAX_CUSTOM_PRIORITY_SCORE)
        ks_args_error (lines,
                       "%s.score: invalid value %" G_GINT64_FORMAT ": not in valid range [0, 10]",
                       at, s);
      a->shape[i].utilization = u;
      a->shape[i].score = s * (KS_MAX_NODE_SCORE / MAX_CUSTOM_PRIORITY_SCORE);
    }
}

static gboolean
fit_init (JsonNode *args, gpointer *instance, GError **error)
{
  static const char *const fields[]
      = { "ignoredResources", "ignoredResourceGroups", "scoringStrategy", NULL };
  static const char *const strategy_fields[]
      = { "type", "resources", "requestedToCapacityRatio", NULL };
  static const char *const rtcr_fields[] = { "shape", NULL };
  ResourceArgs *a = args_new_default ();
  GString *lines = NULL;
  JsonObject *o;
  JsonNode *s;

  *instance = a;
  if (args == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (args))
    {
      g_set_error (error, KS_POLICY_ERROR, 0, "expected a mapping of NodeResourcesFitArgs, got %s",
                   ks_decoder_node_type_name (args));
      return FALSE;
    }
  o = json_node_get_object (args);
  ks_args_check_fields (o, "", "NodeResourcesFitArgs", fields, &lines);
  strv_member (o, "ignoredResources", FALSE, &a->ignored, &lines);
  strv_member (o, "ignoredResourceGroups", TRUE, &a->ignored_groups, &lines);
  s = json_object_get_member (o, "scoringStrategy");
  if (s != NULL && !JSON_NODE_HOLDS_NULL (s))
    {
      JsonObject *so;
      JsonNode *r, *t, *rtcr;
      const char *type;
      if (!JSON_NODE_HOLDS_OBJECT (s))
        {
          ks_args_error (&lines, "scoringStrategy: expected a mapping, got %s",
                         ks_decoder_node_type_name (s));
          return ks_args_finish (lines, error);
        }
      so = json_node_get_object (s);
      ks_args_check_fields (so, "scoringStrategy", NULL, strategy_fields, &lines);
      t = json_object_get_member (so, "type");
      type = t != NULL && JSON_NODE_HOLDS_VALUE (t) && json_node_get_value_type (t) == G_TYPE_STRING
                 ? json_node_get_string (t)
                 : "";
      if (strcmp (type, "LeastAllocated") == 0)
        a->strategy = STRATEGY_LEAST_ALLOCATED;
      else if (strcmp (type, "MostAllocated") == 0)
        a->strategy = STRATEGY_MOST_ALLOCATED;
      else if (strcmp (type, "RequestedToCapacityRatio") == 0)
        a->strategy = STRATEGY_REQUESTED_TO_CAPACITY_RATIO;
      else if (t == NULL || JSON_NODE_HOLDS_NULL (t))
        ks_args_error (&lines, "scoringStrategy.type: required field is missing; supported values: "
                               "\"LeastAllocated\", \"MostAllocated\", "
                               "\"RequestedToCapacityRatio\"");
      else
        ks_args_error (&lines,
                       "scoringStrategy.type: unsupported value \"%s\": supported values: "
                       "\"LeastAllocated\", \"MostAllocated\", \"RequestedToCapacityRatio\"",
                       type);
      r = json_object_get_member (so, "resources");
      if (r != NULL && !JSON_NODE_HOLDS_NULL (r))
        resources_decode (r, "scoringStrategy.resources", FALSE, a, &lines);
      /* The shape is checked whenever it is given, and used by RequestedToCapacityRatio only. */
      rtcr = json_object_get_member (so, "requestedToCapacityRatio");
      if (rtcr != NULL && !JSON_NODE_HOLDS_NULL (rtcr))
        {
          if (!JSON_NODE_HOLDS_OBJECT (rtcr))
            ks_args_error (&lines,
                           "scoringStrategy.requestedToCapacityRatio: expected a mapping, "
                           "got %s",
                           ks_decoder_node_type_name (rtcr));
          else
            {
              JsonObject *ro = json_node_get_object (rtcr);
              ks_args_check_fields (ro, "scoringStrategy.requestedToCapacityRatio", NULL,
                                    rtcr_fields, &lines);
              shape_decode (json_object_get_member (ro, "shape"),
                            "scoringStrategy.requestedToCapacityRatio.shape", a, &lines);
            }
        }
      else if (a->strategy == STRATEGY_REQUESTED_TO_CAPACITY_RATIO)
        /* kube-scheduler would crash on a nil shape; say what is missing instead. */
        ks_args_error (&lines, "scoringStrategy.requestedToCapacityRatio: required with type "
                               "RequestedToCapacityRatio (a shape of {utilization, score} points)");
    }
  return ks_args_finish (lines, error);
}

static gboolean
ignored (const ResourceArgs *a, const char *name)
{
  const char *slash;

  if (a == NULL || !ks_resource_name_is_extended (name))
    return FALSE;
  if (a->ignored != NULL && g_strv_contains ((const char *const *) a->ignored, name))
    return TRUE;
  slash = strchr (name, '/');
  if (a->ignored_groups != NULL && slash != NULL)
    for (char **g = a->ignored_groups; *g != NULL; g++)
      if (strlen (*g) == (gsize) (slash - name) && strncmp (*g, name, slash - name) == 0)
        return TRUE;
  return FALSE;
}

static KsStatusCode
fit_filter (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni, KsStatus *status)
{
  const KsResources *req = &pod->spec->requests;
  const KsResources *alloc = &ni->allocatable;
  const KsResources *used = &ni->requested;
  gboolean fits = TRUE;

  if ((gint64) ni->n_pods + 1 > alloc->pods)
    {
      ks_status_add_reason (status, "Too many pods");
      fits = FALSE;
    }
  if (req->milli_cpu == 0 && req->memory == 0 && req->ephemeral_storage == 0 && req->n_scalar == 0)
    return fits ? KS_STATUS_SUCCESS : KS_STATUS_UNSCHEDULABLE;
  if (req->milli_cpu > 0 && req->milli_cpu > alloc->milli_cpu - used->milli_cpu)
    {
      ks_status_add_reason (status, "Insufficient cpu");
      fits = FALSE;
    }
  if (req->memory > 0 && req->memory > alloc->memory - used->memory)
    {
      ks_status_add_reason (status, "Insufficient memory");
      fits = FALSE;
    }
  if (req->ephemeral_storage > 0
      && req->ephemeral_storage > alloc->ephemeral_storage - used->ephemeral_storage)
    {
      ks_status_add_reason (status, "Insufficient ephemeral-storage");
      fits = FALSE;
    }
  for (guint i = 0; i < req->n_scalar; i++)
    {
      const KsScalarResource *s = &req->scalar[i];
      if (s->value == 0 || ignored (ctx->instance, s->name))
        continue;
      if (s->value > ks_resources_get (alloc, s->name) - ks_resources_get (used, s->name))
        {
          g_autofree char *reason = g_strdup_printf ("Insufficient %s", s->name);
          ks_status_add_reason (status, ks_intern (reason));
          fits = FALSE;
        }
    }
  return fits ? KS_STATUS_SUCCESS : KS_STATUS_UNSCHEDULABLE;
}

/* calculateResourceAllocatableRequest: (allocatable, requested after adding the pod) for one
 * scoring resource; (0, 0) for a scalar resource the pod does not request. */
/* Inlined: it runs for every resource of every feasible node, twice (Fit and Balanced), and
 * with use_requested known the compiler keeps one branch. */
G_ALWAYS_INLINE static inline void
allocatable_and_request (const KsNodeInfo *ni, const KsPod *pod, const ScoreResource *r,
                         gboolean use_requested, gint64 *alloc, gint64 *req)
{
  const KsPodSpec *spec = pod->spec;
  const KsResources *a = &ni->allocatable;

  switch (r->kind)
    {
    case RES_CPU:
      *alloc = a->milli_cpu;
      *req = use_requested ? ni->requested.milli_cpu + spec->requests.milli_cpu
                           : ni->nonzero_milli_cpu + spec->nonzero_milli_cpu;
      return;
    case RES_MEMORY:
      *alloc = a->memory;
      *req = use_requested ? ni->requested.memory + spec->requests.memory
                           : ni->nonzero_memory + spec->nonzero_memory;
      return;
    case RES_EPHEMERAL:
      *alloc = a->ephemeral_storage;
      *req = ni->requested.ephemeral_storage + spec->requests.ephemeral_storage;
      return;
    case RES_SCALAR:
      {
        gint64 pod_req = ks_resources_get (&spec->requests, r->name);
        if (pod_req == 0 || !ks_resources_has (a, r->name))
          {
            *alloc = *req = 0;
            return;
          }
        *alloc = ks_resources_get (a, r->name);
        *req = ks_resources_get (&ni->requested, r->name) + pod_req;
        return;
      }
    }
}

/* helper.BuildBrokenLinearFunction: the shape's piecewise-linear function of a utilization p, in
 * integers (the division truncates toward zero, so a falling segment rounds up). */
static gint64
broken_linear (const ShapePoint *shape, guint n, gint64 p)
{
  for (guint i = 0; i < n; i++)
    if (p <= shape[i].utilization)
      {
        if (i == 0)
          return shape[0].score;
        return shape[i - 1].score
               + (shape[i].score - shape[i - 1].score) * (p - shape[i - 1].utilization)
                     / (shape[i].utilization - shape[i - 1].utilization);
      }
  return shape[n - 1].score;
}

/* Whether the scoring resources are cpu then memory (the default, and nearly every profile):
 * the scores then take a straight path, the same arithmetic without a loop and a switch per
 * resource (they run for every feasible node: 625 per pod on 12,500 nodes). */
static inline gboolean
cpu_memory (const ResourceArgs *a)
{
  return a->n_resources == 2 && a->resources[0].kind == RES_CPU
         && a->resources[1].kind == RES_MEMORY;
}

/* LeastAllocated over cpu and memory: fit_score's loop unrolled. */
static inline gint64
least_allocated_cpu_memory (const ResourceArgs *a, const KsPod *pod, const KsNodeInfo *ni)
{
  gint64 ca = ni->allocatable.milli_cpu, cr = ni->nonzero_milli_cpu + pod->spec->nonzero_milli_cpu;
  gint64 ma = ni->allocatable.memory, mr = ni->nonzero_memory + pod->spec->nonzero_memory;
  gint64 sum = 0, weights = 0;

  if (ca != 0)
    {
      sum += (cr > ca ? 0 : (ca - cr) * KS_MAX_NODE_SCORE / ca) * a->resources[0].weight;
      weights += a->resources[0].weight;
    }
  if (ma != 0)
    {
      sum += (mr > ma ? 0 : (ma - mr) * KS_MAX_NODE_SCORE / ma) * a->resources[1].weight;
      weights += a->resources[1].weight;
    }
  return weights == 0 ? 0 : sum / weights;
}

static gint64
fit_score (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni)
{
  const ResourceArgs *a = ctx->instance;
  gint64 sum = 0, weights = 0;

  if (a->strategy == STRATEGY_LEAST_ALLOCATED && cpu_memory (a))
    return least_allocated_cpu_memory (a, pod, ni);
  for (guint i = 0; i < a->n_resources; i++)
    {
      const ScoreResource *r = &a->resources[i];
      gint64 alloc = 0, req = 0, s;
      allocatable_and_request (ni, pod, r, FALSE, &alloc, &req);
      if (alloc == 0)
        continue;
      switch (a->strategy)
        {
        case STRATEGY_LEAST_ALLOCATED:
          s = req > alloc ? 0 : (alloc - req) * KS_MAX_NODE_SCORE / alloc;
          break;
        case STRATEGY_MOST_ALLOCATED:
          /* requested may exceed allocatable through the non-zero defaults */
          s = MIN (req, alloc) * KS_MAX_NODE_SCORE / alloc;
          break;
        case STRATEGY_REQUESTED_TO_CAPACITY_RATIO:
        default:
          s = broken_linear (a->shape, a->n_shape,
                             req > alloc ? MAX_UTILIZATION : req * MAX_UTILIZATION / alloc);
          /* Only resources with a positive score count, weight included. */
          if (s <= 0)
            continue;
          break;
        }
      sum += s * r->weight;
      weights += r->weight;
    }
  if (weights == 0)
    return 0;
  if (a->strategy == STRATEGY_REQUESTED_TO_CAPACITY_RATIO)
    return (gint64) round ((double) sum / (double) weights);
  return sum / weights;
}

/* PreFilter and PreScore do nothing kubesim needs (the pod's requests are derived when the pod
 * is decoded); they exist so that a configuration may name NodeResourcesFit at those points,
 * as kube-scheduler's may. */
static KsStatusCode
fit_pre_filter (KsPluginCtx *ctx, const KsPod *pod, KsStatus *status)
{
  return KS_STATUS_SUCCESS;
}

static KsStatusCode
resources_pre_score (KsPluginCtx *ctx, const KsPod *pod, KsNodeInfo *const *nodes, guint n)
{
  return KS_STATUS_SUCCESS;
}

const KsSchedulerPlugin ks_plugin_node_resources_fit = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "NodeResourcesFit",
  .default_weight = 1,
  .init = fit_init,
  .destroy = args_free,
  .pre_filter = fit_pre_filter,
  .filter = fit_filter,
  .pre_score = resources_pre_score,
  .score = fit_score,
};

/* NodeResourcesBalancedAllocation */

static gboolean
balanced_init (JsonNode *args, gpointer *instance, GError **error)
{
  static const char *const fields[] = { "resources", NULL };
  ResourceArgs *a = args_new_default ();
  GString *lines = NULL;
  JsonObject *o;
  JsonNode *r;

  *instance = a;
  if (args == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (args))
    {
      g_set_error (error, KS_POLICY_ERROR, 0,
                   "expected a mapping of NodeResourcesBalancedAllocationArgs, got %s",
                   ks_decoder_node_type_name (args));
      return FALSE;
    }
  o = json_node_get_object (args);
  ks_args_check_fields (o, "", "NodeResourcesBalancedAllocationArgs", fields, &lines);
  r = json_object_get_member (o, "resources");
  if (r != NULL && !JSON_NODE_HOLDS_NULL (r))
    resources_decode (r, "resources", TRUE, a, &lines);
  return ks_args_finish (lines, error);
}

/* The fraction of resource r the node would have requested with the pod, capped at 1; FALSE
 * when the resource does not count (allocatable 0). */
static gboolean
fraction (const KsNodeInfo *ni, const KsPod *pod, const ScoreResource *r, double *f)
{
  gint64 alloc = 0, req = 0;

  allocatable_and_request (ni, pod, r, TRUE, &alloc, &req);
  if (alloc == 0)
    return FALSE;
  *f = (double) req / (double) alloc;
  if (*f > 1)
    *f = 1;
  return TRUE;
}

static gint64
balanced_score (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni)
{
  const ResourceArgs *a = ctx->instance;
  double first = 0, second = 0, total = 0, std = 0, f;
  guint n = 0;

  /* cpu and memory: the loop below unrolled, the same operations in the same order. */
  if (cpu_memory (a))
    {
      gint64 ca = ni->allocatable.milli_cpu, ma = ni->allocatable.memory;
      double fr[2];
      if (ca != 0)
        {
          fr[n] = (double) (ni->requested.milli_cpu + pod->spec->requests.milli_cpu) / (double) ca;
          if (fr[n] > 1)
            fr[n] = 1;
          n++;
        }
      if (ma != 0)
        {
          fr[n] = (double) (ni->requested.memory + pod->spec->requests.memory) / (double) ma;
          if (fr[n] > 1)
            fr[n] = 1;
          n++;
        }
      if (n == 2)
        std = fabs ((fr[0] - fr[1]) / 2);
      return (gint64) ((1 - std) * KS_MAX_NODE_SCORE);
    }
  for (guint i = 0; i < a->n_resources; i++)
    if (fraction (ni, pod, &a->resources[i], &f))
      {
        if (n == 0)
          first = f;
        else if (n == 1)
          second = f;
        total += f;
        n++;
      }
  if (n == 2)
    std = fabs ((first - second) / 2);
  else if (n > 2)
    {
      double mean = total / n, sum = 0;
      for (guint i = 0; i < a->n_resources; i++)
        if (fraction (ni, pod, &a->resources[i], &f))
          sum += (f - mean) * (f - mean);
      std = sqrt (sum / n);
    }
  return (gint64) ((1 - std) * KS_MAX_NODE_SCORE);
}

const KsSchedulerPlugin ks_plugin_balanced_allocation = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "NodeResourcesBalancedAllocation",
  .default_weight = 1,
  .init = balanced_init,
  .destroy = args_free,
  .pre_score = resources_pre_score,
  .score = balanced_score,
};
