/* plugin-node-resources.c: NodeResourcesFit and NodeResourcesBalancedAllocation
 * (noderesources/fit.go, resource_allocation.go, least_allocated.go, most_allocated.go,
 * balanced_allocation.go), in Kubernetes' integer arithmetic.
 *
 * NodeResourcesFit filters on real requests (pods count, cpu, memory, ephemeral-storage, scalar
 * resources) and scores with its scoring strategy over non-zero requests (100m / 200Mi per
 * container when unset).  BalancedAllocation scores how evenly the real requests fill the
 * node's resources. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ks-builtin-private.h"
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
} Strategy;

typedef struct
{
  Strategy strategy;
  ScoreResource *resources;
  guint n_resources;
  char **ignored;        /* ignoredResources */
  char **ignored_groups; /* ignoredResourceGroups */
} ResourceArgs;

#define ARGS_ERROR KS_POLICY_ERROR

static void
args_free (gpointer p)
{
  ResourceArgs *a = p;
  if (a == NULL)
    return;
  g_free (a->resources);
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

static gboolean
strv_member (JsonObject *o, const char *member, char ***out, GError **error)
{
  JsonNode *n = json_object_get_member (o, member);
  JsonArray *a;
  GPtrArray *items;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (n))
    {
      g_set_error (error, ARGS_ERROR, 0, "%s: expected a list of strings", member);
      return FALSE;
    }
  a = json_node_get_array (n);
  items = g_ptr_array_new ();
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        {
          g_ptr_array_free (items, TRUE);
          g_set_error (error, ARGS_ERROR, 0, "%s[%u]: expected a string", member, i);
          return FALSE;
        }
      g_ptr_array_add (items, g_strdup (json_node_get_string (e)));
    }
  g_ptr_array_add (items, NULL);
  *out = (char **) g_ptr_array_free (items, FALSE);
  return TRUE;
}

/* Decode resources: [{name, weight}] at node; prefix names the field for errors.  As
 * kube-scheduler's defaults: an empty list means cpu and memory, a weight of 0 means 1.  With
 * unit_weights (BalancedAllocation) every weight must be 1. */
static gboolean
resources_decode (JsonNode *node, const char *prefix, gboolean unit_weights, ResourceArgs *a,
                  GError **error)
{
  JsonArray *array;
  guint n;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, ARGS_ERROR, 0, "%s: expected a list of {name, weight}", prefix);
      return FALSE;
    }
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n == 0)
    return TRUE; /* the defaults stay */
  g_free (a->resources);
  a->resources = g_new0 (ScoreResource, MAX (n, 1));
  a->n_resources = 0;
  for (guint i = 0; i < n; i++)
    {
      JsonNode *e = json_array_get_element (array, i);
      JsonObject *o;
      const char *name;
      gint64 weight = 1;
      if (!JSON_NODE_HOLDS_OBJECT (e))
        {
          g_set_error (error, ARGS_ERROR, 0, "%s[%u]: expected a mapping {name, weight}", prefix,
                       i);
          return FALSE;
        }
      o = json_node_get_object (e);
      if (!json_object_has_member (o, "name")
          || json_node_get_value_type (json_object_get_member (o, "name")) != G_TYPE_STRING)
        {
          g_set_error (error, ARGS_ERROR, 0, "%s[%u].name: required string field is missing",
                       prefix, i);
          return FALSE;
        }
      name = json_object_get_string_member (o, "name");
      if (!ks_resource_name_is_valid (name))
        {
          g_set_error (error, ARGS_ERROR, 0, "%s[%u].name: unknown resource name \"%s\"", prefix, i,
                       name);
          return FALSE;
        }
      if (json_object_has_member (o, "weight"))
        {
          JsonNode *w = json_object_get_member (o, "weight");
          if (!JSON_NODE_HOLDS_VALUE (w) || json_node_get_value_type (w) != G_TYPE_INT64
              || json_node_get_int (w) < 0 || json_node_get_int (w) > 100)
            {
              g_set_error (error, ARGS_ERROR, 0,
                           unit_weights
                               ? "%s[%u].weight: must be 1"
                               : "%s[%u].weight: must be an integer from 1 to 100 (0 means 1)",
                           prefix, i);
              return FALSE;
            }
          weight = json_node_get_int (w) == 0 ? 1 : json_node_get_int (w);
          if (unit_weights && weight != 1)
            {
              g_set_error (error, ARGS_ERROR, 0, "%s[%u].weight: must be 1", prefix, i);
              return FALSE;
            }
        }
      for (guint j = 0; j < a->n_resources; j++)
        if (strcmp (a->resources[j].name, name) == 0)
          {
            g_set_error (error, ARGS_ERROR, 0, "%s[%u].name: duplicate resource \"%s\"", prefix, i,
                         name);
            return FALSE;
          }
      a->resources[a->n_resources++] = (ScoreResource){ res_kind (name), ks_intern (name), weight };
    }
  return TRUE;
}

static gboolean
fit_init (JsonNode *args, gpointer *instance, GError **error)
{
  ResourceArgs *a = args_new_default ();
  JsonObject *o;
  JsonNode *s;

  *instance = a;
  if (args == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (args))
    {
      g_set_error (error, ARGS_ERROR, 0, "expected a mapping of NodeResourcesFitArgs");
      return FALSE;
    }
  o = json_node_get_object (args);
  if (!strv_member (o, "ignoredResources", &a->ignored, error)
      || !strv_member (o, "ignoredResourceGroups", &a->ignored_groups, error))
    return FALSE;
  s = json_object_get_member (o, "scoringStrategy");
  if (s != NULL && !JSON_NODE_HOLDS_NULL (s))
    {
      JsonObject *so;
      JsonNode *r;
      if (!JSON_NODE_HOLDS_OBJECT (s))
        {
          g_set_error (error, ARGS_ERROR, 0, "scoringStrategy: expected a mapping");
          return FALSE;
        }
      so = json_node_get_object (s);
      if (!json_object_has_member (so, "type"))
        {
          g_set_error (error, ARGS_ERROR, 0,
                       "scoringStrategy.type: required field is missing (LeastAllocated, "
                       "MostAllocated or RequestedToCapacityRatio)");
          return FALSE;
        }
      else
        {
          const char *type = json_object_get_string_member_with_default (so, "type", "");
          if (strcmp (type, "LeastAllocated") == 0)
            a->strategy = STRATEGY_LEAST_ALLOCATED;
          else if (strcmp (type, "MostAllocated") == 0)
            a->strategy = STRATEGY_MOST_ALLOCATED;
          else if (strcmp (type, "RequestedToCapacityRatio") == 0)
            {
              g_set_error (error, ARGS_ERROR, 0,
                           "scoringStrategy.type: RequestedToCapacityRatio is not implemented by "
                           "this version of kubesim; use LeastAllocated or MostAllocated");
              return FALSE;
            }
          else
            {
              g_set_error (error, ARGS_ERROR, 0,
                           "scoringStrategy.type: unsupported value \"%s\": supported values: "
                           "LeastAllocated, MostAllocated, RequestedToCapacityRatio",
                           type);
              return FALSE;
            }
        }
      r = json_object_get_member (so, "resources");
      if (r != NULL && !JSON_NODE_HOLDS_NULL (r)
          && !resources_decode (r, "scoringStrategy.resources", FALSE, a, error))
        return FALSE;
    }
  return TRUE;
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
static void
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

static gint64
fit_score (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni)
{
  const ResourceArgs *a = ctx->instance;
  gint64 sum = 0, weights = 0;

  for (guint i = 0; i < a->n_resources; i++)
    {
      const ScoreResource *r = &a->resources[i];
      gint64 alloc, req, s;
      allocatable_and_request (ni, pod, r, FALSE, &alloc, &req);
      if (alloc == 0)
        continue;
      if (a->strategy == STRATEGY_LEAST_ALLOCATED)
        s = req > alloc ? 0 : (alloc - req) * KS_MAX_NODE_SCORE / alloc;
      else
        s = MIN (req, alloc) * KS_MAX_NODE_SCORE / alloc;
      sum += s * r->weight;
      weights += r->weight;
    }
  return weights == 0 ? 0 : sum / weights;
}

const KsSchedulerPlugin ks_plugin_node_resources_fit = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "NodeResourcesFit",
  .default_weight = 1,
  .init = fit_init,
  .destroy = args_free,
  .filter = fit_filter,
  .score = fit_score,
};

/* NodeResourcesBalancedAllocation */

static gboolean
balanced_init (JsonNode *args, gpointer *instance, GError **error)
{
  ResourceArgs *a = args_new_default ();
  JsonNode *r;

  *instance = a;
  if (args == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (args))
    {
      g_set_error (error, ARGS_ERROR, 0,
                   "expected a mapping of NodeResourcesBalancedAllocationArgs");
      return FALSE;
    }
  r = json_object_get_member (json_node_get_object (args), "resources");
  if (r != NULL && !JSON_NODE_HOLDS_NULL (r) && !resources_decode (r, "resources", TRUE, a, error))
    return FALSE;
  return TRUE;
}

/* The fraction of resource r the node would have requested with the pod, capped at 1; FALSE
 * when the resource does not count (allocatable 0). */
static gboolean
fraction (const KsNodeInfo *ni, const KsPod *pod, const ScoreResource *r, double *f)
{
  gint64 alloc, req;

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
  .score = balanced_score,
};
