/* plugin-research-score.c: score policies from the research literature (docs/policies.md):
 * Random, FirstFit, BestFit, WorstFit and DotProduct (Tetris' alignment score).
 *
 * None is in the default profile.  They score; filtering stays with the profile's filters
 * (NodeResourcesFit and the others), so "fits" means "passed the profile's filters".  Resource
 * amounts follow Kubernetes' scoring convention: cpu and memory are the non-zero requests (100m
 * and 200Mi for a container without a request), other resources the real requests. */
#include "config.h"

#include <string.h>

#include "ks-builtin-private.h"
#include "src/ks-rng.h"

/* ---- shared helpers ---------------------------------------------------------------------- */

/* Interned names compared by pointer in the per-node paths. */
typedef struct
{
  const char *cpu, *memory, *pods;
} Names;

static void
names_init (Names *n)
{
  n->cpu = ks_intern (KS_RESOURCE_CPU);
  n->memory = ks_intern (KS_RESOURCE_MEMORY);
  n->pods = ks_intern (KS_RESOURCE_PODS);
}

/* What pod asks of resource (interned) for scoring. */
static gint64
pod_amount (const Names *n, const KsPod *pod, const char *resource)
{
  if (resource == n->cpu)
    return pod->spec->nonzero_milli_cpu;
  if (resource == n->memory)
    return pod->spec->nonzero_memory;
  if (resource == n->pods)
    return 1;
  return ks_resources_get (&pod->spec->requests, resource);
}

/* What the pods on node hold of resource for scoring. */
static gint64
node_requested (const Names *n, const KsNodeInfo *node, const char *resource)
{
  if (resource == n->cpu)
    return node->nonzero_milli_cpu;
  if (resource == n->memory)
    return node->nonzero_memory;
  if (resource == n->pods)
    return node->n_pods;
  return ks_resources_get (&node->requested, resource);
}

static gint64
node_allocatable (const KsNodeInfo *node, const char *resource)
{
  return ks_resources_get (&node->allocatable, resource);
}

/* Normalize so that the extreme raw score wins outright: the lowest (lowest_wins) or highest
 * raw score becomes 100, every other one 99·distance-from-the-worst / spread (so at most 99),
 * and all become 100 when they are equal.  The default normalization (100·s / max) would round
 * close raw scores to the same value and let the tie-break pick among them; these policies
 * promise the extreme node. */
static void
normalize_extreme_wins (gint64 *scores, guint n, gboolean lowest_wins)
{
  gint64 lo = G_MAXINT64, hi = G_MININT64;

  for (guint i = 0; i < n; i++)
    {
      lo = MIN (lo, scores[i]);
      hi = MAX (hi, scores[i]);
    }
  for (guint i = 0; i < n; i++)
    {
      gint64 v = scores[i];
      if (lo == hi)
        scores[i] = KS_MAX_NODE_SCORE;
      else if (lowest_wins)
        scores[i] = v == lo ? KS_MAX_NODE_SCORE : 99 * (hi - v) / (hi - lo);
      else
        scores[i] = v == hi ? KS_MAX_NODE_SCORE : 99 * (v - lo) / (hi - lo);
    }
}

/* The args mapping (where: its path inside the args, NULL for the args themselves), checking
 * its fields against fields; NULL after setting error. */
static JsonObject *
args_object (JsonNode *args, const char *where, const char *kind, const char *const *fields,
             GError **error)
{
  JsonObject *o;
  GList *members;

  if (!JSON_NODE_HOLDS_OBJECT (args))
    {
      g_set_error (error, KS_POLICY_ERROR, 0, "%s%sexpected a mapping of %s", where ? where : "",
                   where ? ": " : "", kind);
      return NULL;
    }
  o = json_node_get_object (args);
  members = json_object_get_members (o);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (fields, l->data))
      {
        g_autofree char *valid = g_strjoinv (", ", (char **) fields);
        g_set_error (error, KS_POLICY_ERROR, 0, "%s%s%s: unknown field (%s has: %s)",
                     where ? where : "", where ? "." : "", (const char *) l->data, kind, valid);
        g_list_free (members);
        return NULL;
      }
  g_list_free (members);
  return o;
}

/* A resource name (a string naming a valid resource) at node; where is its path. */
static gboolean
args_resource (JsonNode *node, const char *where, const char **out, GError **error)
{
  const char *name;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, KS_POLICY_ERROR, 0,
                   "%s: must be a resource name such as cpu, memory "
                   "or nvidia.com/gpu",
                   where);
      return FALSE;
    }
  name = json_node_get_string (node);
  if (!ks_resource_name_is_valid (name))
    {
      g_set_error (error, KS_POLICY_ERROR, 0,
                   "%s: \"%s\" is not a resource name: use cpu, memory, ephemeral-storage, pods, "
                   "hugepages-<size> or an extended resource such as nvidia.com/gpu",
                   where, name);
      return FALSE;
    }
  *out = ks_intern (name);
  return TRUE;
}

/* ---- Random ------------------------------------------------------------------------------ */

/* A uniform draw from 0 to 100 per feasible node, from the profile's random stream: the same
 * seed gives the same draws, so the same placements. */
static gint64
random_score (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *node)
{
  return (gint64) ks_rng_uniform (ctx->rng, KS_MAX_NODE_SCORE + 1);
}

const KsSchedulerPlugin ks_plugin_random = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "Random",
  .default_weight = 1,
  .score = random_score,
};

/* ---- FirstFit ---------------------------------------------------------------------------- */

/* The node's position in the scheduler's node list; the lowest wins. */
static gint64
first_fit_score (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *node)
{
  return node->index;
}

static void
first_fit_normalize (KsPluginCtx *ctx, const KsPod *pod, KsNodeInfo *const *nodes, gint64 *scores,
                     guint n)
{
  normalize_extreme_wins (scores, n, TRUE);
}

const KsSchedulerPlugin ks_plugin_first_fit = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "FirstFit",
  .default_weight = 1,
  .score = first_fit_score,
  .normalize = first_fit_normalize,
};

/* ---- BestFit / WorstFit ------------------------------------------------------------------ */

typedef struct
{
  Names names;
  const char *resource; /* interned */
} FitArgs;

static gboolean
fit_init (JsonNode *args, gpointer *instance, GError **error, const char *kind)
{
  static const char *const fields[] = { "resource", NULL };
  FitArgs *a = g_new0 (FitArgs, 1);
  JsonObject *o;
  JsonNode *m;

  *instance = a;
  names_init (&a->names);
  a->resource = a->names.cpu;
  if (args == NULL)
    return TRUE;
  if ((o = args_object (args, NULL, kind, fields, error)) == NULL)
    return FALSE;
  if ((m = json_object_get_member (o, "resource")) != NULL
      && !args_resource (m, "resource", &a->resource, error))
    return FALSE;
  return TRUE;
}

static gboolean
best_fit_init (JsonNode *args, gpointer *instance, GError **error)
{
  return fit_init (args, instance, error, "BestFitArgs");
}

static gboolean
worst_fit_init (JsonNode *args, gpointer *instance, GError **error)
{
  return fit_init (args, instance, error, "WorstFitArgs");
}

/* What would be left of the resource on node after placing pod (never below 0). */
static gint64
fit_score (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *node)
{
  const FitArgs *a = ctx->instance;
  gint64 left = node_allocatable (node, a->resource) - node_requested (&a->names, node, a->resource)
                - pod_amount (&a->names, pod, a->resource);

  return MAX (left, 0);
}

static void
best_fit_normalize (KsPluginCtx *ctx, const KsPod *pod, KsNodeInfo *const *nodes, gint64 *scores,
                    guint n)
{
  normalize_extreme_wins (scores, n, TRUE);
}

static void
worst_fit_normalize (KsPluginCtx *ctx, const KsPod *pod, KsNodeInfo *const *nodes, gint64 *scores,
                     guint n)
{
  normalize_extreme_wins (scores, n, FALSE);
}

const KsSchedulerPlugin ks_plugin_best_fit = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "BestFit",
  .default_weight = 1,
  .init = best_fit_init,
  .destroy = g_free,
  .score = fit_score,
  .normalize = best_fit_normalize,
};

const KsSchedulerPlugin ks_plugin_worst_fit = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "WorstFit",
  .default_weight = 1,
  .init = worst_fit_init,
  .destroy = g_free,
  .score = fit_score,
  .normalize = worst_fit_normalize,
};

/* ---- DotProduct (Tetris) ----------------------------------------------------------------- */

typedef struct
{
  const char *name; /* interned */
  gint64 weight;
} DotResource;

typedef struct
{
  Names names;
  DotResource *resources;
  guint n_resources;
  gint64 total_weight;
} DotArgs;

/* The alignment is a fraction; scores keep six decimals of it. */
#define DOT_SCALE 1000000

static void
dot_free (gpointer p)
{
  DotArgs *a = p;

  if (a == NULL)
    return;
  g_free (a->resources);
  g_free (a);
}

static gboolean
dot_init (JsonNode *args, gpointer *instance, GError **error)
{
  static const char *const fields[] = { "resources", NULL };
  DotArgs *a = g_new0 (DotArgs, 1);
  JsonObject *o;
  JsonNode *m = NULL;
  JsonArray *list;

  *instance = a;
  names_init (&a->names);
  if (args != NULL)
    {
      if ((o = args_object (args, NULL, "DotProductArgs", fields, error)) == NULL)
        return FALSE;
      m = json_object_get_member (o, "resources");
    }
  if (m == NULL)
    {
      a->resources = g_new (DotResource, 2);
      a->resources[0] = (DotResource){ a->names.cpu, 1 };
      a->resources[1] = (DotResource){ a->names.memory, 1 };
      a->n_resources = 2;
      a->total_weight = 2;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (m) || json_array_get_length (json_node_get_array (m)) == 0)
    {
      g_set_error (error, KS_POLICY_ERROR, 0,
                   "resources: must be a non-empty list of {name: RESOURCE, weight: 1-100}");
      return FALSE;
    }
  list = json_node_get_array (m);
  a->resources = g_new0 (DotResource, json_array_get_length (list));
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      static const char *const rfields[] = { "name", "weight", NULL };
      JsonNode *item = json_array_get_element (list, i);
      g_autofree char *where = g_strdup_printf ("resources[%u]", i);
      g_autofree char *where_name = g_strdup_printf ("resources[%u].name", i);
      JsonObject *r;
      JsonNode *name, *weight;
      DotResource *res = &a->resources[i];
      if ((r = args_object (item, where, "{name, weight}", rfields, error)) == NULL)
        return FALSE;
      if ((name = json_object_get_member (r, "name")) == NULL)
        {
          g_set_error (error, KS_POLICY_ERROR, 0, "%s: required field is missing", where_name);
          return FALSE;
        }
      if (!args_resource (name, where_name, &res->name, error))
        return FALSE;
      for (guint j = 0; j < i; j++)
        if (a->resources[j].name == res->name)
          {
            g_set_error (error, KS_POLICY_ERROR, 0, "%s: resource \"%s\" is listed twice",
                         where_name, res->name);
            return FALSE;
          }
      res->weight = 1;
      if ((weight = json_object_get_member (r, "weight")) != NULL)
        {
          if (!JSON_NODE_HOLDS_VALUE (weight) || json_node_get_value_type (weight) != G_TYPE_INT64
              || json_node_get_int (weight) < 1 || json_node_get_int (weight) > 100)
            {
              g_set_error (error, KS_POLICY_ERROR, 0,
                           "resources[%u].weight: must be an integer from 1 to 100", i);
              return FALSE;
            }
          res->weight = json_node_get_int (weight);
        }
      a->n_resources++;
      a->total_weight += res->weight;
    }
  return TRUE;
}

/* Σ_r w_r · (q_r / A_r) · (free_r / A_r) / Σ_r w_r, scaled by DOT_SCALE: the pod's demand and the
 * node's free resources, both as fractions of the node's allocatable, multiplied per resource.
 * Resources the node does not have (A_r = 0) add nothing. */
static gint64
dot_score (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *node)
{
  const DotArgs *a = ctx->instance;
  double sum = 0;

  for (guint i = 0; i < a->n_resources; i++)
    {
      const char *r = a->resources[i].name;
      gint64 alloc = node_allocatable (node, r);
      gint64 free_amount = alloc - node_requested (&a->names, node, r);
      if (alloc <= 0)
        continue;
      if (free_amount < 0)
        free_amount = 0;
      sum += (double) a->resources[i].weight * ((double) pod_amount (&a->names, pod, r) / alloc)
             * ((double) free_amount / alloc);
    }
  return (gint64) (sum * DOT_SCALE / a->total_weight);
}

static void
dot_normalize (KsPluginCtx *ctx, const KsPod *pod, KsNodeInfo *const *nodes, gint64 *scores,
               guint n)
{
  ks_default_normalize_score (KS_MAX_NODE_SCORE, FALSE, scores, n);
}

const KsSchedulerPlugin ks_plugin_dot_product = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "DotProduct",
  .default_weight = 1,
  .init = dot_init,
  .destroy = dot_free,
  .score = dot_score,
  .normalize = dot_normalize,
};
