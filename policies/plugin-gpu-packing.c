/* plugin-gpu-packing.c: GPUPacking, GPU-aware packing for pods that share GPUs (docs/policies.md).
 *
 * A node has G GPUs: its allocatable of args.gpuResource (default nvidia.com/gpu), each of 1000
 * thousandths.  A pod asks for GPUs in one of two ways:
 *   - annotations kubesim.io/gpu-milli: "M" (1-1000 thousandths of one GPU) and
 *     kubesim.io/gpu-count: "C" (GPUs, default 1; M below 1000 needs C = 1), as the Alibaba
 *     GPU trace (openb) states gpu_milli and num_gpu; a pod with only gpu-count takes C whole
 *     GPUs;
 *   - a container request of gpuResource (nvidia.com/gpu: 2): that many whole GPUs.
 * The annotation names are args (milliAnnotation, countAnnotation), so that a workload written
 * for the openb simulator (alibabacloud.com/gpu-milli, alibabacloud.com/gpu-count) runs as is.
 *
 * The plugin keeps which GPU holds which pod, through the cluster observer (observe_pod): when
 * the scheduler's cache accounts a pod, its share goes to the GPU the placement rule picks (the
 * one with the least free share that fits, lowest index first; whole GPUs: the idle ones,
 * lowest index first), and comes back when the pod leaves.  Filter: a fractional pod needs a GPU
 * with M free, a whole-GPU pod C idle GPUs.  Score (packing, after Weng et al., ATC'23):
 * fractional pods go first to GPUs already in use (best fit), then to idle GPUs of nodes in use,
 * then to idle nodes; whole-GPU pods to the nodes left fullest. */
#include "config.h"

#include <string.h>

#include "ks-builtin-private.h"

#define GPU_MILLI 1000

typedef struct
{
  guint n;      /* devices known */
  gint32 *used; /* thousandths in use per device (may exceed 1000 if a pod was bound past the
                 * scheduler) */
} NodeGpus;

typedef struct
{
  KsUid uid;
  const char *node; /* interned */
  gint32 milli;     /* per device */
  guint n;          /* devices held */
  guint devices[];
} Holding;

typedef struct
{
  const char *resource;         /* interned: the node's GPU count */
  const char *milli_annotation; /* interned */
  const char *count_annotation; /* interned */
  GHashTable *nodes;            /* interned node name → NodeGpus* */
  GHashTable *holdings;         /* &holding->uid → Holding* */
} GpuState;

/* A pod's demand: count devices with milli thousandths each (milli 1000: whole GPUs). */
typedef struct
{
  gint64 count;
  gint64 milli;
} Demand;

static void
node_gpus_free (gpointer p)
{
  NodeGpus *g = p;
  g_free (g->used);
  g_free (g);
}

static void
gpu_destroy (gpointer p)
{
  GpuState *s = p;

  if (s == NULL)
    return;
  if (s->nodes != NULL)
    g_hash_table_unref (s->nodes);
  if (s->holdings != NULL)
    g_hash_table_unref (s->holdings);
  g_free (s);
}

static gboolean
string_arg (JsonObject *o, const char *field, const char **out, GError **error)
{
  JsonNode *m = json_object_get_member (o, field);

  if (m == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (m) || json_node_get_value_type (m) != G_TYPE_STRING
      || json_node_get_string (m)[0] == '\0')
    {
      g_set_error (error, KS_POLICY_ERROR, 0, "%s: must be a non-empty string", field);
      return FALSE;
    }
  *out = ks_intern (json_node_get_string (m));
  return TRUE;
}

static gboolean
gpu_init (JsonNode *args, gpointer *instance, GError **error)
{
  static const char *const fields[] = { "gpuResource", "milliAnnotation", "countAnnotation", NULL };
  GpuState *s = g_new0 (GpuState, 1);
  JsonObject *o;
  GList *members;

  *instance = s;
  s->resource = ks_intern ("nvidia.com/gpu");
  s->milli_annotation = ks_intern ("kubesim.io/gpu-milli");
  s->count_annotation = ks_intern ("kubesim.io/gpu-count");
  s->nodes = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, node_gpus_free);
  s->holdings = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, NULL, g_free);
  if (args == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (args))
    {
      g_set_error (error, KS_POLICY_ERROR, 0, "expected a mapping of GPUPackingArgs");
      return FALSE;
    }
  o = json_node_get_object (args);
  members = json_object_get_members (o);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (fields, l->data))
      {
        g_set_error (error, KS_POLICY_ERROR, 0,
                     "%s: unknown field (GPUPackingArgs has: gpuResource, milliAnnotation, "
                     "countAnnotation)",
                     (const char *) l->data);
        g_list_free (members);
        return FALSE;
      }
  g_list_free (members);
  if (!string_arg (o, "gpuResource", &s->resource, error)
      || !string_arg (o, "milliAnnotation", &s->milli_annotation, error)
      || !string_arg (o, "countAnnotation", &s->count_annotation, error))
    return FALSE;
  if (!ks_resource_name_is_valid (s->resource))
    {
      g_set_error (error, KS_POLICY_ERROR, 0,
                   "gpuResource: \"%s\" is not a resource name (e.g. nvidia.com/gpu)", s->resource);
      return FALSE;
    }
  return TRUE;
}

/* The pod's demand.  FALSE with an interned reason when an annotation is invalid; a pod
 * without any gets count 0. */
static gboolean
demand_of (const GpuState *s, const KsPod *pod, Demand *d, const char **reason)
{
  const char *milli = ks_object_get_annotation (KS_OBJECT (pod), s->milli_annotation);
  const char *count = ks_object_get_annotation (KS_OBJECT (pod), s->count_annotation);
  gint64 requested = ks_resources_get (&pod->spec->requests, s->resource);

  d->count = 0;
  d->milli = GPU_MILLI;
  if (milli == NULL && count == NULL)
    {
      d->count = requested;
      return TRUE;
    }
  if (milli != NULL && !g_ascii_string_to_signed (milli, 10, 1, GPU_MILLI, &d->milli, NULL))
    {
      g_autofree char *r
          = g_strdup_printf ("pod's %s \"%s\" is not an integer from 1 to 1000 (thousandths of "
                             "one GPU)",
                             s->milli_annotation, milli);
      *reason = ks_intern (r);
      return FALSE;
    }
  d->count = 1;
  if (count != NULL && !g_ascii_string_to_signed (count, 10, 1, 1024, &d->count, NULL))
    {
      g_autofree char *r = g_strdup_printf (
          "pod's %s \"%s\" is not an integer from 1 to 1024 (GPUs)", s->count_annotation, count);
      *reason = ks_intern (r);
      return FALSE;
    }
  if (d->milli < GPU_MILLI && d->count != 1)
    {
      g_autofree char *r = g_strdup_printf ("pod's %s below 1000 needs %s \"1\" (a shared GPU "
                                            "is one GPU)",
                                            s->milli_annotation, s->count_annotation);
      *reason = ks_intern (r);
      return FALSE;
    }
  if (requested > 0)
    {
      g_autofree char *r = g_strdup_printf ("pod gives both %s annotations and a %s request: use "
                                            "one of them",
                                            s->milli_annotation, s->resource);
      *reason = ks_intern (r);
      return FALSE;
    }
  return TRUE;
}

/* How many GPUs node has (its allocatable of the GPU resource) and their use (*g NULL when
 * none was ever used). */
static guint
devices_of (const GpuState *s, const KsNodeInfo *node, const NodeGpus **g)
{
  gint64 n = ks_resources_get (&node->allocatable, s->resource);

  *g = g_hash_table_lookup (s->nodes, node->name);
  return (guint) CLAMP (n, 0, 1024);
}

/* The thousandths in use on device d (devices beyond those ever used are idle). */
static gint64
used_at (const NodeGpus *g, guint d)
{
  return g != NULL && d < g->n ? g->used[d] : 0;
}

/* The device a fractional pod takes: the one with the least free share that still fits, lowest
 * index first; -1 when none fits. */
static gint
pick_shared (const NodeGpus *g, guint n, gint64 milli)
{
  gint best = -1;
  gint64 best_free = G_MAXINT64;

  for (guint d = 0; d < n; d++)
    {
      gint64 free_share = GPU_MILLI - used_at (g, d);
      if (free_share >= milli && free_share < best_free)
        {
          best = (gint) d;
          best_free = free_share;
        }
    }
  return best;
}

static guint
count_idle (const NodeGpus *g, guint n)
{
  guint idle = 0;

  for (guint d = 0; d < n; d++)
    idle += used_at (g, d) == 0;
  return idle;
}

/* Per-cycle state: the pod's demand and, for what-if filtering (preemption, nominated pods),
 * copies of the nodes' GPUs with pods added or removed, leaving the instance alone. */
typedef struct
{
  Demand demand;
  GHashTable *nodes;   /* interned node → NodeGpus* (copies), or NULL */
  GHashTable *added;   /* &holding->uid → Holding* of pods added in the what-if, or NULL */
  GHashTable *removed; /* KsUid* (owned) of the instance's holdings removed in the what-if */
} Cycle;

static void
cycle_free (gpointer p)
{
  Cycle *c = p;

  if (c == NULL)
    return;
  if (c->nodes != NULL)
    g_hash_table_unref (c->nodes);
  if (c->added != NULL)
    g_hash_table_unref (c->added);
  if (c->removed != NULL)
    g_hash_table_unref (c->removed);
  g_free (c);
}

static NodeGpus *
node_gpus_copy (const NodeGpus *g)
{
  NodeGpus *copy = g_new0 (NodeGpus, 1);

  copy->n = g->n;
  copy->used = g_memdup2 (g->used, g->n * sizeof (gint32));
  return copy;
}

static Holding *
holding_copy (const Holding *h)
{
  return g_memdup2 (h, sizeof (Holding) + h->n * sizeof (guint));
}

static gpointer
cycle_clone (gconstpointer p)
{
  const Cycle *c = p;
  Cycle *copy = g_new0 (Cycle, 1);
  GHashTableIter iter;
  gpointer key, value;

  copy->demand = c->demand;
  if (c->nodes != NULL)
    {
      copy->nodes = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, node_gpus_free);
      g_hash_table_iter_init (&iter, c->nodes);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (copy->nodes, key, node_gpus_copy (value));
    }
  if (c->added != NULL)
    {
      copy->added = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, NULL, g_free);
      g_hash_table_iter_init (&iter, c->added);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Holding *h = holding_copy (value);
          g_hash_table_insert (copy->added, &h->uid, h);
        }
    }
  if (c->removed != NULL)
    {
      copy->removed = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, g_free, NULL);
      g_hash_table_iter_init (&iter, c->removed);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_hash_table_add (copy->removed, g_memdup2 (key, sizeof (KsUid)));
    }
  return copy;
}

static KsStatusCode
gpu_pre_filter (KsPluginCtx *ctx, const KsPod *pod, KsStatus *status)
{
  Demand d;
  Cycle *c;
  const char *reason = NULL;

  if (!demand_of (ctx->instance, pod, &d, &reason))
    {
      ks_status_add_reason (status, reason);
      return KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE;
    }
  if (d.count == 0)
    return KS_STATUS_SKIP;
  c = g_new0 (Cycle, 1);
  c->demand = d;
  ctx->cycle = c;
  return KS_STATUS_SUCCESS;
}

/* The demand of this cycle (PreFilter's, else computed; count 0 for none or an invalid one). */
static Demand
cycle_demand (KsPluginCtx *ctx, const KsPod *pod)
{
  Demand d = { 0, GPU_MILLI };
  const char *reason;

  if (ctx->cycle != NULL)
    return ((const Cycle *) ctx->cycle)->demand;
  if (!demand_of (ctx->instance, pod, &d, &reason))
    d.count = 0;
  return d;
}

/* The node's GPUs as this cycle sees them: the what-if copy if there is one. */
static guint
cycle_devices (KsPluginCtx *ctx, const KsNodeInfo *node, const NodeGpus **g)
{
  const Cycle *c = ctx->cycle;
  guint n = devices_of (ctx->instance, node, g);

  if (c != NULL && c->nodes != NULL && g_hash_table_contains (c->nodes, node->name))
    *g = g_hash_table_lookup (c->nodes, node->name);
  return n;
}

static KsStatusCode
gpu_filter (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *node, KsStatus *status)
{
  Demand d = cycle_demand (ctx, pod);
  const NodeGpus *g;
  guint n;

  if (d.count == 0)
    return KS_STATUS_SUCCESS;
  n = cycle_devices (ctx, node, &g);
  if (d.milli < GPU_MILLI)
    {
      if (pick_shared (g, n, d.milli) >= 0)
        return KS_STATUS_SUCCESS;
      ks_status_add_reason (status, "node(s) had no GPU with enough free share");
      return KS_STATUS_UNSCHEDULABLE;
    }
  if (count_idle (g, n) >= d.count)
    return KS_STATUS_SUCCESS;
  ks_status_add_reason (status, "node(s) had too few idle GPUs");
  return KS_STATUS_UNSCHEDULABLE;
}

static KsStatusCode
gpu_pre_score (KsPluginCtx *ctx, const KsPod *pod, KsNodeInfo *const *nodes, guint n)
{
  return cycle_demand (ctx, pod).count == 0 ? KS_STATUS_SKIP : KS_STATUS_SUCCESS;
}

/* Fractional pod, device d* picked, L = free(d*) − M:
 *   d* in use:                100 − ⌊50·L / 1000⌋   (51 to 100: best fit first)
 *   d* idle, node in use:     25 + ⌊24·B / G⌋       (B GPUs in use of G: 25 to 48)
 *   idle node:                ⌊24 / G⌋              (smaller nodes first: 0 to 24)
 * Whole GPUs, C of them, F idle before: ⌊100·(G − (F − C)) / G⌋, the share of the node's GPUs
 * in use after placing the pod. */
static gint64
gpu_score (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *node)
{
  Demand d = cycle_demand (ctx, pod);
  const NodeGpus *g;
  guint n, busy;
  gint pick;

  if (d.count == 0)
    return 0;
  n = cycle_devices (ctx, node, &g);
  if (n == 0)
    return 0;
  busy = n - count_idle (g, n);
  if (d.milli < GPU_MILLI)
    {
      pick = pick_shared (g, n, d.milli);
      if (pick < 0)
        return 0;
      if (used_at (g, pick) > 0)
        return KS_MAX_NODE_SCORE - 50 * (GPU_MILLI - used_at (g, pick) - d.milli) / GPU_MILLI;
      if (busy > 0)
        return 25 + 24 * (gint64) busy / n;
      return 24 / (gint64) n;
    }
  return KS_MAX_NODE_SCORE * ((gint64) n - ((gint64) (n - busy) - d.count)) / n;
}

/* Grow g to the node's GPU count (devices are only ever added). */
static void
node_gpus_fit (NodeGpus *g, gint64 n)
{
  n = CLAMP (n, 0, 1024);
  if ((guint) n > g->n)
    {
      g->used = g_renew (gint32, g->used, n);
      memset (g->used + g->n, 0, (n - g->n) * sizeof (gint32));
      g->n = (guint) n;
    }
}

static NodeGpus *
node_gpus (GpuState *s, const KsNodeInfo *node)
{
  NodeGpus *g = g_hash_table_lookup (s->nodes, node->name);

  if (g == NULL)
    {
      g = g_new0 (NodeGpus, 1);
      g_hash_table_insert (s->nodes, (gpointer) node->name, g);
    }
  if (node->node != NULL)
    node_gpus_fit (g, ks_resources_get (&node->allocatable, s->resource));
  return g;
}

/* Put a pod with demand d on g by the placement rule (the rule Filter and Score assumed), and
 * return its holding. */
static Holding *
assign (NodeGpus *g, const KsPod *pod, const char *node, Demand d)
{
  Holding *h = g_malloc0 (sizeof (Holding) + MIN ((guint64) d.count, g->n) * sizeof (guint));

  h->uid = pod->parent.meta.uid;
  h->node = node;
  h->milli = (gint32) d.milli;
  if (d.milli < GPU_MILLI)
    {
      gint pick = pick_shared (g, g->n, d.milli);
      /* Bound past the scheduler onto a node without room: count it on the least used GPU,
       * overcommitted, rather than forget it. */
      if (pick < 0)
        for (guint k = 0; k < g->n; k++)
          if (pick < 0 || g->used[k] < g->used[pick])
            pick = (gint) k;
      if (pick >= 0)
        h->devices[h->n++] = (guint) pick;
    }
  else
    {
      /* Idle devices first, lowest index first; then (overcommitted) the least used. */
      for (guint k = 0; k < g->n && h->n < d.count; k++)
        if (g->used[k] == 0)
          h->devices[h->n++] = k;
      while (h->n < d.count && h->n < g->n)
        {
          gint pick = -1;
          for (guint k = 0; k < g->n; k++)
            {
              gboolean taken = FALSE;
              for (guint j = 0; j < h->n; j++)
                taken |= h->devices[j] == k;
              if (!taken && (pick < 0 || g->used[k] < g->used[pick]))
                pick = (gint) k;
            }
          h->devices[h->n++] = (guint) pick;
        }
    }
  for (guint i = 0; i < h->n; i++)
    g->used[h->devices[i]] += h->milli;
  return h;
}

static void
release (NodeGpus *g, const Holding *h)
{
  for (guint i = 0; g != NULL && i < h->n; i++)
    if (h->devices[i] < g->n)
      g->used[h->devices[i]] -= h->milli;
}

/* Account pod's share on the devices the placement rule picks, or give it back. */
static gboolean
gpu_observe_pod (gpointer instance, const KsPod *pod, const KsNodeInfo *node, gboolean added)
{
  GpuState *s = instance;
  const KsUid *uid = &pod->parent.meta.uid;
  Holding *h;
  Demand d;
  const char *reason;

  if (!added)
    {
      if ((h = g_hash_table_lookup (s->holdings, uid)) == NULL)
        return FALSE;
      release (g_hash_table_lookup (s->nodes, h->node), h);
      g_hash_table_remove (s->holdings, uid);
      return FALSE;
    }
  if (!demand_of (s, pod, &d, &reason) || d.count == 0 || g_hash_table_contains (s->holdings, uid))
    return FALSE;
  h = assign (node_gpus (s, node), pod, node->name, d);
  g_hash_table_insert (s->holdings, &h->uid, h);
  return FALSE;
}

/* The what-if copy of node's GPUs in cycle c, made from the instance's on first use. */
static NodeGpus *
cycle_node (Cycle *c, GpuState *s, const KsNodeInfo *node)
{
  NodeGpus *g;

  if (c->nodes == NULL)
    c->nodes = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, node_gpus_free);
  g = g_hash_table_lookup (c->nodes, node->name);
  if (g == NULL)
    {
      const NodeGpus *base = g_hash_table_lookup (s->nodes, node->name);
      g = base != NULL ? node_gpus_copy (base) : g_new0 (NodeGpus, 1);
      g_hash_table_insert (c->nodes, (gpointer) node->name, g);
    }
  node_gpus_fit (g, ks_resources_get (&node->allocatable, s->resource));
  return g;
}

/* AddPod: added is now on node (a nominated pod, a victim put back). */
static void
gpu_add_pod (KsPluginCtx *ctx, const KsPod *pod, const KsPod *added, const KsNodeInfo *node)
{
  Cycle *c = ctx->cycle;
  GpuState *s = ctx->instance;
  const KsUid *uid = &added->parent.meta.uid;
  const Holding *held;
  Demand d;
  const char *reason;
  Holding *h;

  if (c == NULL || !demand_of (s, added, &d, &reason) || d.count == 0)
    return;
  held = g_hash_table_lookup (s->holdings, uid);
  if (held != NULL && c->removed != NULL && g_hash_table_contains (c->removed, uid))
    {
      /* back where it was */
      NodeGpus *g = cycle_node (c, s, node);
      for (guint i = 0; i < held->n; i++)
        if (held->devices[i] < g->n)
          g->used[held->devices[i]] += held->milli;
      g_hash_table_remove (c->removed, uid);
      return;
    }
  if (held != NULL || (c->added != NULL && g_hash_table_contains (c->added, uid)))
    return;
  h = assign (cycle_node (c, s, node), added, node->name, d);
  if (c->added == NULL)
    c->added = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, NULL, g_free);
  g_hash_table_insert (c->added, &h->uid, h);
}

/* RemovePod: removed is no longer on node (a preemption victim). */
static void
gpu_remove_pod (KsPluginCtx *ctx, const KsPod *pod, const KsPod *removed, const KsNodeInfo *node)
{
  Cycle *c = ctx->cycle;
  GpuState *s = ctx->instance;
  const KsUid *uid = &removed->parent.meta.uid;
  const Holding *h;

  if (c == NULL)
    return;
  if (c->added != NULL && (h = g_hash_table_lookup (c->added, uid)) != NULL)
    {
      release (cycle_node (c, s, node), h);
      g_hash_table_remove (c->added, uid);
      return;
    }
  h = g_hash_table_lookup (s->holdings, uid);
  if (h == NULL || h->node != node->name
      || (c->removed != NULL && g_hash_table_contains (c->removed, uid)))
    return;
  release (cycle_node (c, s, node), h);
  if (c->removed == NULL)
    c->removed = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, g_free, NULL);
  g_hash_table_add (c->removed, g_memdup2 (uid, sizeof (KsUid)));
}

const KsSchedulerPlugin ks_plugin_gpu_packing = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "GPUPacking",
  .default_weight = 1,
  .init = gpu_init,
  .destroy = gpu_destroy,
  .pre_filter = gpu_pre_filter,
  .filter = gpu_filter,
  .add_pod = gpu_add_pod,
  .remove_pod = gpu_remove_pod,
  .clone_cycle = cycle_clone,
  .pre_score = gpu_pre_score,
  .score = gpu_score,
  .free_cycle = cycle_free,
  .observe_pod = gpu_observe_pod,
};
