/* ks-sched-cache.c: node infos, pod accounting and the node tree. */
#include "config.h"

#include <string.h>

#include "ks-sched-cache.h"

typedef struct
{
  KsNodeInfo info;
  KsNode *node; /* reference; NULL for a placeholder holding pods of an unknown node */
  char *zone;
} NodeEntry;

typedef struct
{
  GPtrArray *nodes; /* NodeEntry*, arrival order */
  char *key;
} Zone;

/* Node entries come from chunks of this many, so that the filter loop walks memory that is
 * close together. */
#define CHUNK 64

struct _KsSchedCache
{
  GHashTable *nodes;   /* interned name → NodeEntry */
  GPtrArray *zones;    /* Zone*, first-seen order */
  GHashTable *assumed; /* &uid (of the pod in the node's list) → NodeEntry, assumed pods only */
  GPtrArray *list;     /* KsNodeInfo*, node-tree order */
  gboolean list_dirty;
  guint n_pods;
  GPtrArray *chunks; /* NodeEntry[CHUNK] */
  GPtrArray *free_entries;
  guint n_with_affinity; /* node entries whose pods_with_affinity is not NULL */
  guint n_with_required_anti_affinity;
  KsSchedCacheObserver observer;
  gpointer observer_data;
  /* Image name (interned, as nodes list them in status.images[].names) → the number of nodes
   * listing it, for ImageLocality (the cache's imageStates in kube-scheduler). */
  GHashTable *images;
};

char *
ks_node_zone_key (const KsNode *node)
{
  const char *region = ks_object_get_label (KS_OBJECT (node), "topology.kubernetes.io/region");
  const char *zone = ks_object_get_label (KS_OBJECT (node), "topology.kubernetes.io/zone");

  if (region == NULL && zone == NULL)
    return g_strdup ("");
  return g_strdup_printf ("%s:\\0:%s", region ? region : "", zone ? zone : "");
}

static void
node_entry_clear (NodeEntry *e)
{
  g_clear_pointer (&e->info.used_ports, g_array_unref);
  ks_resources_clear (&e->info.requested);
  ks_resources_clear (&e->info.allocatable);
  if (e->info.pods != NULL)
    {
      /* The list holds a reference on each pod (pod_put). */
      for (guint i = 0; i < e->info.pods->len; i++)
        ks_object_unref (g_ptr_array_index (e->info.pods, i));
      g_ptr_array_unref (e->info.pods);
    }
  g_clear_pointer (&e->info.used_ports, g_array_unref);
  g_clear_pointer (&e->info.pods_with_affinity, g_ptr_array_unref);
  g_clear_pointer (&e->info.pods_with_required_anti_affinity, g_ptr_array_unref);
  ks_object_unref (KS_OBJECT (e->node));
  g_free (e->zone);
  memset (e, 0, sizeof *e);
}

static void
zone_free (gpointer p)
{
  Zone *z = p;
  g_ptr_array_unref (z->nodes);
  g_free (z->key);
  g_free (z);
}

KsSchedCache *
ks_sched_cache_new (void)
{
  KsSchedCache *c = g_new0 (KsSchedCache, 1);

  c->nodes = g_hash_table_new (g_direct_hash, g_direct_equal);
  c->zones = g_ptr_array_new_with_free_func (zone_free);
  c->assumed = g_hash_table_new (ks_uid_hash, ks_uid_equal_func);
  c->list = g_ptr_array_new ();
  c->chunks = g_ptr_array_new_with_free_func (g_free);
  c->free_entries = g_ptr_array_new ();
  c->images = g_hash_table_new (g_str_hash, g_str_equal);
  return c;
}

void
ks_sched_cache_free (KsSchedCache *c)
{
  GHashTableIter iter;
  gpointer value;

  if (c == NULL)
    return;
  g_hash_table_iter_init (&iter, c->nodes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    node_entry_clear (value);
  g_hash_table_unref (c->assumed);
  g_ptr_array_unref (c->list);
  g_ptr_array_unref (c->zones);
  g_hash_table_unref (c->nodes);
  g_ptr_array_unref (c->chunks);
  g_ptr_array_unref (c->free_entries);
  g_hash_table_unref (c->images);
  g_free (c);
}

static void
drop_entry (KsSchedCache *c, NodeEntry *e)
{
  g_hash_table_remove (c->nodes, e->info.name);
  node_entry_clear (e);
  g_ptr_array_add (c->free_entries, e);
}

/* The entry of a node; name must be interned. */
static NodeEntry *
node_entry (KsSchedCache *c, const char *interned, gboolean create)
{
  NodeEntry *e = g_hash_table_lookup (c->nodes, interned);

  if (e == NULL && create)
    {
      if (c->free_entries->len == 0)
        {
          NodeEntry *chunk = g_new0 (NodeEntry, CHUNK);
          g_ptr_array_add (c->chunks, chunk);
          for (guint i = CHUNK; i-- > 0;)
            g_ptr_array_add (c->free_entries, &chunk[i]);
        }
      e = g_ptr_array_steal_index (c->free_entries, c->free_entries->len - 1);
      e->info.name = interned;
      e->info.pods = g_ptr_array_new ();
      g_hash_table_insert (c->nodes, (gpointer) interned, e);
    }
  return e;
}

static void
zone_remove (KsSchedCache *c, NodeEntry *e)
{
  for (guint i = 0; i < c->zones->len; i++)
    {
      Zone *z = g_ptr_array_index (c->zones, i);
      if (strcmp (z->key, e->zone) != 0)
        continue;
      g_ptr_array_remove (z->nodes, e);
      if (z->nodes->len == 0)
        g_ptr_array_remove_index (c->zones, i);
      break;
    }
  g_clear_pointer (&e->zone, g_free);
  c->list_dirty = TRUE;
}

static void
zone_add (KsSchedCache *c, NodeEntry *e, char *key)
{
  Zone *z = NULL;

  for (guint i = 0; i < c->zones->len && z == NULL; i++)
    if (strcmp (((Zone *) g_ptr_array_index (c->zones, i))->key, key) == 0)
      z = g_ptr_array_index (c->zones, i);
  if (z == NULL)
    {
      z = g_new0 (Zone, 1);
      z->key = g_strdup (key);
      z->nodes = g_ptr_array_new ();
      g_ptr_array_add (c->zones, z);
    }
  g_ptr_array_add (z->nodes, e);
  e->zone = key;
  c->list_dirty = TRUE;
}

static gboolean
same_images (const KsNode *a, const KsNode *b)
{
  if (a->n_images != b->n_images)
    return FALSE;
  for (guint i = 0; i < a->n_images; i++)
    if (a->images[i].size_bytes != b->images[i].size_bytes
        || !g_strv_equal ((const char *const *) a->images[i].names,
                          (const char *const *) b->images[i].names))
      return FALSE;
  return TRUE;
}

/* Count node once for each distinct image name it lists (sign +1), or stop counting it (-1). */
static void
count_images (KsSchedCache *c, const KsNode *node, int sign)
{
  g_autoptr (GHashTable) seen = NULL;

  if (node == NULL || node->n_images == 0)
    return;
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < node->n_images; i++)
    for (char **name = node->images[i].names; name != NULL && *name != NULL; name++)
      {
        const char *key = ks_intern (*name);
        guint n;
        if (!g_hash_table_add (seen, (gpointer) key))
          continue;
        n = GPOINTER_TO_UINT (g_hash_table_lookup (c->images, key));
        if (sign > 0)
          g_hash_table_insert (c->images, (gpointer) key, GUINT_TO_POINTER (n + 1));
        else if (n > 1)
          g_hash_table_insert (c->images, (gpointer) key, GUINT_TO_POINTER (n - 1));
        else
          g_hash_table_remove (c->images, key);
      }
}

guint
ks_sched_cache_nodes_with_image (KsSchedCache *c, const char *image)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (c->images, image));
}

void
ks_sched_cache_set_observer (KsSchedCache *c, const KsSchedCacheObserver *observer, gpointer data)
{
  if (observer != NULL)
    c->observer = *observer;
  else
    memset (&c->observer, 0, sizeof c->observer);
  c->observer_data = data;
}

void
ks_sched_cache_set_node (KsSchedCache *c, KsNode *node)
{
  NodeEntry *e = node_entry (c, ks_intern (node->parent.meta.name), TRUE);
  g_autofree char *key = ks_node_zone_key (node);
  KsNode *old = e->node;

  /* Heartbeats replace the Node often; its images rarely change. */
  if (e->node == NULL || !same_images (e->node, node))
    {
      count_images (c, e->node, -1);
      count_images (c, node, +1);
    }
  ks_object_ref (KS_OBJECT (node));
  e->node = node;
  e->info.node = node;
  ks_resources_copy (&e->info.allocatable, &node->allocatable);
  e->info.unschedulable = node->unschedulable;
  e->info.n_taints = node->n_taints;
  e->info.generation = ks_node_info_next_generation ();
  if (e->zone == NULL)
    zone_add (c, e, g_steal_pointer (&key));
  else if (strcmp (e->zone, key) != 0)
    {
      zone_remove (c, e);
      zone_add (c, e, g_steal_pointer (&key));
    }
  if (c->observer.node != NULL)
    c->observer.node (c->observer_data, old, node);
  ks_object_unref (KS_OBJECT (old));
}

void
ks_sched_cache_remove_node (KsSchedCache *c, const char *name)
{
  NodeEntry *e = node_entry (c, ks_intern (name), FALSE);

  if (e == NULL)
    return;
  if (e->zone != NULL)
    zone_remove (c, e);
  if (c->observer.node != NULL && e->node != NULL)
    c->observer.node (c->observer_data, e->node, NULL);
  count_images (c, e->node, -1);
  ks_object_unref (KS_OBJECT (e->node));
  e->node = NULL;
  e->info.node = NULL;
  /* Keep a placeholder while pods still point at the node. */
  if (e->info.pods->len == 0)
    drop_entry (c, e);
}

/* What a pod adds to its node's view: the same accounting as every copy of a view.  The cache
 * also counts the views with pods with affinity terms (KsPluginCtx.n_nodes_with_affinity). */
static void
account (KsSchedCache *c, NodeEntry *n, const KsPod *pod, int sign)
{
  gboolean had_affinity = n->info.pods_with_affinity != NULL;
  gboolean had_anti = n->info.pods_with_required_anti_affinity != NULL;

  ks_node_info_account_pod (&n->info, pod, sign);
  if (had_affinity != (n->info.pods_with_affinity != NULL))
    {
      if (had_affinity)
        c->n_with_affinity--;
      else
        c->n_with_affinity++;
    }
  if (had_anti != (n->info.pods_with_required_anti_affinity != NULL))
    {
      if (had_anti)
        c->n_with_required_anti_affinity--;
      else
        c->n_with_required_anti_affinity++;
    }
}

/* The index of the pod with uid in the node's list, or -1. */
static gint
find_pod (NodeEntry *n, const KsUid *uid)
{
  for (guint i = 0; i < n->info.pods->len; i++)
    if (ks_uid_equal (&KS_OBJECT (g_ptr_array_index (n->info.pods, i))->meta.uid, uid))
      return (gint) i;
  return -1;
}

static void
remove_at (KsSchedCache *c, NodeEntry *n, guint i)
{
  KsPod *old = g_ptr_array_index (n->info.pods, i);

  g_hash_table_remove (c->assumed, &old->parent.meta.uid);
  account (c, n, old, -1);
  g_ptr_array_remove_index (n->info.pods, i);
  n->info.n_pods = n->info.pods->len;
  if (c->observer.pod != NULL)
    c->observer.pod (c->observer_data, old, &n->info, FALSE);
  ks_object_unref (KS_OBJECT (old));
  c->n_pods--;
  if (n->node == NULL && n->info.pods->len == 0)
    drop_entry (c, n);
}

/* Put pod on node (an interned name), replacing its earlier version there; assumed marks it as
 * not yet bound. */
static void
pod_put (KsSchedCache *c, KsPod *pod, const char *node, gboolean assumed)
{
  const KsUid *uid = &pod->parent.meta.uid;
  NodeEntry *was = g_hash_table_lookup (c->assumed, uid);
  NodeEntry *n;
  gint i;

  if (was != NULL && strcmp (was->info.name, node) != 0)
    {
      /* Bound somewhere else than assumed (not done by kubesim's own binder). */
      gint j = find_pod (was, uid);
      if (j >= 0)
        remove_at (c, was, j);
    }
  n = node_entry (c, node, TRUE);
  i = find_pod (n, uid);
  g_hash_table_remove (c->assumed, uid);
  ks_object_ref (KS_OBJECT (pod));
  if (i >= 0)
    {
      /* A newer version: requests never change, but what points at the old object (the
       * affinity lists) must point at the new one. */
      KsPod *old = g_ptr_array_index (n->info.pods, i);
      account (c, n, old, -1);
      n->info.pods->pdata[i] = pod;
      account (c, n, pod, +1);
      ks_object_unref (KS_OBJECT (old));
    }
  else
    {
      g_ptr_array_add (n->info.pods, pod);
      n->info.n_pods = n->info.pods->len;
      account (c, n, pod, +1);
      c->n_pods++;
    }
  if (assumed)
    g_hash_table_insert (c->assumed, &pod->parent.meta.uid, n);
  if (i < 0 && c->observer.pod != NULL)
    c->observer.pod (c->observer_data, pod, &n->info, TRUE);
}

void
ks_sched_cache_set_pod (KsSchedCache *c, KsPod *pod)
{
  if (pod->node_name == NULL)
    return;
  if (ks_pod_is_terminal (pod))
    {
      ks_sched_cache_remove_pod (c, pod);
      return;
    }
  pod_put (c, pod, pod->node_name, FALSE);
}

void
ks_sched_cache_remove_pod (KsSchedCache *c, const KsPod *pod)
{
  const KsUid *uid = &pod->parent.meta.uid;
  NodeEntry *n = g_hash_table_lookup (c->assumed, uid);
  gint i;

  if (n == NULL && pod->node_name != NULL)
    n = node_entry (c, pod->node_name, FALSE);
  if (n == NULL || (i = find_pod (n, uid)) < 0)
    return;
  remove_at (c, n, i);
}

void
ks_sched_cache_assume_pod (KsSchedCache *c, KsPod *pod, const char *node)
{
  pod_put (c, pod, node, TRUE);
}

gboolean
ks_sched_cache_is_assumed (KsSchedCache *c, const KsPod *pod)
{
  return g_hash_table_contains (c->assumed, &pod->parent.meta.uid);
}

static void
rebuild_list (KsSchedCache *c)
{
  guint round = 0;
  gboolean more = TRUE;

  g_ptr_array_set_size (c->list, 0);
  while (more)
    {
      more = FALSE;
      for (guint z = 0; z < c->zones->len; z++)
        {
          Zone *zone = g_ptr_array_index (c->zones, z);
          if (round < zone->nodes->len)
            {
              NodeEntry *e = g_ptr_array_index (zone->nodes, round);
              e->info.index = c->list->len;
              g_ptr_array_add (c->list, &e->info);
              more = TRUE;
            }
        }
      round++;
    }
  c->list_dirty = FALSE;
}

KsNodeInfo *const *
ks_sched_cache_list_nodes (KsSchedCache *c, guint *n_nodes)
{
  if (c->list_dirty)
    rebuild_list (c);
  *n_nodes = c->list->len;
  return (KsNodeInfo *const *) c->list->pdata;
}

KsNodeInfo *
ks_sched_cache_get_node (KsSchedCache *c, const char *name)
{
  NodeEntry *e = node_entry (c, ks_intern (name), FALSE);
  return e != NULL && e->node != NULL ? &e->info : NULL;
}

guint
ks_sched_cache_n_pods (KsSchedCache *c)
{
  return c->n_pods;
}

void
ks_sched_cache_affinity_counts (KsSchedCache *c, guint *with_affinity,
                                guint *with_required_anti_affinity)
{
  *with_affinity = c->n_with_affinity;
  *with_required_anti_affinity = c->n_with_required_anti_affinity;
}
