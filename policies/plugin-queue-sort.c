/* plugin-queue-sort.c: queue-sort research policies (docs/policies.md): FIFO, ShortestJobFirst
 * and DominantResourceFairness.  PrioritySort, Kubernetes' default, is plugin-priority-sort.c.
 *
 * A queue-sort plugin orders activeQ; it does not change backoff or which pods wait as
 * unschedulable.  Every profile must enable the same one.  Ties end in arrival order: the
 * first entry into the queue (initial_attempt_timestamp), then the queue's sequence number. */
#include "config.h"

#include <string.h>

#include "ks-builtin-private.h"
#include "src/api/ks-duration.h"

static gboolean
arrival_less (const KsQueuedPod *a, const KsQueuedPod *b)
{
  if (a->initial_attempt_timestamp != b->initial_attempt_timestamp)
    return a->initial_attempt_timestamp < b->initial_attempt_timestamp;
  return a->sequence < b->sequence;
}

/* ---- FIFO -------------------------------------------------------------------------------- */

/* Arrival order, whatever the priority or how often a pod was tried. */
static gboolean
fifo_less (gpointer instance, const KsQueuedPod *a, const KsQueuedPod *b)
{
  return arrival_less (a, b);
}

const KsSchedulerPlugin ks_plugin_fifo = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "FIFO",
  .less = fifo_less,
};

/* ---- ShortestJobFirst -------------------------------------------------------------------- */

#define DURATION_ANNOTATION "kubesim.io/duration"

/* The pod's kubesim.io/duration in µs; G_MAXINT64 (last) without one, or with one that is not a
 * non-negative Go duration. */
static gint64
job_duration (const KsPod *pod)
{
  const char *text = ks_object_get_annotation (KS_OBJECT (pod), DURATION_ANNOTATION);
  gint64 d;

  if (text == NULL || !ks_duration_parse (text, &d, NULL) || d < 0)
    return G_MAXINT64;
  return d;
}

static gboolean
sjf_less (gpointer instance, const KsQueuedPod *a, const KsQueuedPod *b)
{
  gint64 da = job_duration (a->pod), db = job_duration (b->pod);

  if (da != db)
    return da < db;
  return arrival_less (a, b);
}

const KsSchedulerPlugin ks_plugin_shortest_job_first = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "ShortestJobFirst",
  .less = sjf_less,
};

/* ---- DominantResourceFairness ------------------------------------------------------------ */

typedef struct
{
  gint64 *used; /* per resource: Σ requests of the namespace's accounted pods */
  double share; /* dominant share: max_r used_r / capacity_r */
} Tenant;

typedef struct
{
  guint n;                /* resources */
  const char **resources; /* interned */
  gint64 *capacity;       /* per resource: Σ allocatable of the nodes */
  GHashTable *tenants;    /* interned namespace → Tenant* */
} Drf;

static void
tenant_free (gpointer p)
{
  Tenant *t = p;
  g_free (t->used);
  g_free (t);
}

static void
drf_destroy (gpointer p)
{
  Drf *s = p;

  if (s == NULL)
    return;
  g_free (s->resources);
  g_free (s->capacity);
  if (s->tenants != NULL)
    g_hash_table_unref (s->tenants);
  g_free (s);
}

static gboolean
drf_init (JsonNode *args, gpointer *instance, GError **error)
{
  Drf *s = g_new0 (Drf, 1);
  JsonNode *m = NULL;
  JsonArray *list;

  *instance = s;
  s->tenants = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, tenant_free);
  if (args != NULL)
    {
      JsonObject *o;
      GList *members;
      if (!JSON_NODE_HOLDS_OBJECT (args))
        {
          g_set_error (error, KS_POLICY_ERROR, 0,
                       "expected a mapping of DominantResourceFairnessArgs");
          return FALSE;
        }
      o = json_node_get_object (args);
      members = json_object_get_members (o);
      for (GList *l = members; l != NULL; l = l->next)
        if (strcmp (l->data, "resources") != 0)
          {
            g_set_error (error, KS_POLICY_ERROR, 0,
                         "%s: unknown field (DominantResourceFairnessArgs has: resources)",
                         (const char *) l->data);
            g_list_free (members);
            return FALSE;
          }
      g_list_free (members);
      m = json_object_get_member (o, "resources");
    }
  if (m == NULL)
    {
      s->n = 2;
      s->resources = g_new (const char *, 2);
      s->resources[0] = ks_intern (KS_RESOURCE_CPU);
      s->resources[1] = ks_intern (KS_RESOURCE_MEMORY);
    }
  else
    {
      if (!JSON_NODE_HOLDS_ARRAY (m) || json_array_get_length (json_node_get_array (m)) == 0)
        {
          g_set_error (error, KS_POLICY_ERROR, 0,
                       "resources: must be a non-empty list of resource names, e.g. [cpu, "
                       "memory, nvidia.com/gpu]");
          return FALSE;
        }
      list = json_node_get_array (m);
      s->resources = g_new0 (const char *, json_array_get_length (list));
      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          JsonNode *item = json_array_get_element (list, i);
          const char *name;
          if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING
              || !ks_resource_name_is_valid (json_node_get_string (item))
              || strcmp (json_node_get_string (item), KS_RESOURCE_PODS) == 0)
            {
              g_set_error (error, KS_POLICY_ERROR, 0,
                           "resources[%u]: must be a resource name such as cpu, memory, "
                           "ephemeral-storage or nvidia.com/gpu",
                           i);
              return FALSE;
            }
          name = ks_intern (json_node_get_string (item));
          for (guint j = 0; j < s->n; j++)
            if (s->resources[j] == name)
              {
                g_set_error (error, KS_POLICY_ERROR, 0, "resources[%u]: \"%s\" is listed twice", i,
                             name);
                return FALSE;
              }
          s->resources[s->n++] = name;
        }
    }
  s->capacity = g_new0 (gint64, s->n);
  return TRUE;
}

static void
tenant_update_share (const Drf *s, Tenant *t)
{
  t->share = 0;
  for (guint r = 0; r < s->n; r++)
    if (s->capacity[r] > 0)
      t->share = MAX (t->share, (double) t->used[r] / (double) s->capacity[r]);
}

/* The dominant share of a namespace: 0 while it holds nothing. */
static double
drf_share (const Drf *s, const char *ns)
{
  const Tenant *t = ns != NULL ? g_hash_table_lookup (s->tenants, ns) : NULL;

  return t != NULL ? t->share : 0;
}

/* The namespace with the lower dominant share first; within a namespace (and between equal
 * shares) arrival order. */
static gboolean
drf_less (gpointer instance, const KsQueuedPod *a, const KsQueuedPod *b)
{
  const Drf *s = instance;
  const char *na = a->pod->parent.meta.namespace, *nb = b->pod->parent.meta.namespace;

  if (na != nb)
    {
      double sa = drf_share (s, na), sb = drf_share (s, nb);
      if (sa != sb)
        return sa < sb;
    }
  return arrival_less (a, b);
}

/* The namespace's usage follows the pods the scheduler's cache accounts; a change re-sorts the
 * queue. */
static gboolean
drf_observe_pod (gpointer instance, const KsPod *pod, const KsNodeInfo *node, gboolean added)
{
  Drf *s = instance;
  const char *ns = pod->parent.meta.namespace;
  Tenant *t;
  gboolean changed = FALSE;
  double before;

  if (ns == NULL)
    return FALSE;
  t = g_hash_table_lookup (s->tenants, ns);
  if (t == NULL)
    {
      t = g_new0 (Tenant, 1);
      t->used = g_new0 (gint64, s->n);
      g_hash_table_insert (s->tenants, (gpointer) ns, t);
    }
  for (guint r = 0; r < s->n; r++)
    {
      gint64 amount = ks_resources_get (&pod->spec->requests, s->resources[r]);
      t->used[r] += added ? amount : -amount;
      changed |= amount != 0;
    }
  before = t->share;
  tenant_update_share (s, t);
  return changed && t->share != before;
}

/* The cluster's capacity follows the nodes' allocatable; every share changes with it. */
static gboolean
drf_observe_node (gpointer instance, const KsNode *old_node, const KsNode *node)
{
  Drf *s = instance;
  GHashTableIter iter;
  gpointer value;
  gboolean changed = FALSE;

  for (guint r = 0; r < s->n; r++)
    {
      gint64 before
          = old_node != NULL ? ks_resources_get (&old_node->allocatable, s->resources[r]) : 0;
      gint64 after = node != NULL ? ks_resources_get (&node->allocatable, s->resources[r]) : 0;
      s->capacity[r] += after - before;
      changed |= after != before;
    }
  if (!changed)
    return FALSE;
  g_hash_table_iter_init (&iter, s->tenants);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    tenant_update_share (s, value);
  return TRUE;
}

const KsSchedulerPlugin ks_plugin_dominant_resource_fairness = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "DominantResourceFairness",
  .init = drf_init,
  .destroy = drf_destroy,
  .less = drf_less,
  .observe_pod = drf_observe_pod,
  .observe_node = drf_observe_node,
};
