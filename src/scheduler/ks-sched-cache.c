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

typedef struct
{
  KsUid uid;
  KsPod *pod; /* reference */
  NodeEntry *node;
  gboolean assumed;
} PodEntry;

struct _KsSchedCache
{
  GHashTable *nodes; /* interned name → NodeEntry */
  GPtrArray *zones;  /* Zone*, first-seen order */
  GHashTable *pods;  /* &uid → PodEntry */
  GPtrArray *list;   /* KsNodeInfo*, node-tree order */
  gboolean list_dirty;
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
node_entry_free (gpointer p)
{
  NodeEntry *e = p;
  ks_resources_clear (&e->info.requested);
  g_ptr_array_unref (e->info.pods);
  ks_object_unref (KS_OBJECT (e->node));
  g_free (e->zone);
  g_free (e);
}

static void
zone_free (gpointer p)
{
  Zone *z = p;
  g_ptr_array_unref (z->nodes);
  g_free (z->key);
  g_free (z);
}

static void
pod_entry_free (gpointer p)
{
  PodEntry *e = p;
  ks_object_unref (KS_OBJECT (e->pod));
  g_free (e);
}

KsSchedCache *
ks_sched_cache_new (void)
{
  KsSchedCache *c = g_new0 (KsSchedCache, 1);

  c->nodes = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, node_entry_free);
  c->zones = g_ptr_array_new_with_free_func (zone_free);
  c->pods = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, NULL, pod_entry_free);
  c->list = g_ptr_array_new ();
  return c;
}

void
ks_sched_cache_free (KsSchedCache *c)
{
  if (c == NULL)
    return;
  g_hash_table_unref (c->pods);
  g_ptr_array_unref (c->list);
  g_ptr_array_unref (c->zones);
  g_hash_table_unref (c->nodes);
  g_free (c);
}

static NodeEntry *
node_entry (KsSchedCache *c, const char *name, gboolean create)
{
  const char *interned = g_intern_string (name);
  NodeEntry *e = g_hash_table_lookup (c->nodes, interned);

  if (e == NULL && create)
    {
      e = g_new0 (NodeEntry, 1);
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

void
ks_sched_cache_set_node (KsSchedCache *c, KsNode *node)
{
  NodeEntry *e = node_entry (c, node->parent.meta.name, TRUE);
  g_autofree char *key = ks_node_zone_key (node);

  ks_object_ref (KS_OBJECT (node));
  ks_object_unref (KS_OBJECT (e->node));
  e->node = node;
  e->info.node = node;
  if (e->zone == NULL)
    zone_add (c, e, g_steal_pointer (&key));
  else if (strcmp (e->zone, key) != 0)
    {
      zone_remove (c, e);
      zone_add (c, e, g_steal_pointer (&key));
    }
}

void
ks_sched_cache_remove_node (KsSchedCache *c, const char *name)
{
  NodeEntry *e = node_entry (c, name, FALSE);

  if (e == NULL)
    return;
  if (e->zone != NULL)
    zone_remove (c, e);
  ks_object_unref (KS_OBJECT (e->node));
  e->node = NULL;
  e->info.node = NULL;
  /* Keep a placeholder while pods still point at the node. */
  if (e->info.pods->len == 0)
    g_hash_table_remove (c->nodes, e->info.name);
}

static void
account (NodeEntry *n, KsPod *pod, gboolean add)
{
  const KsPodSpec *spec = pod->spec;

  if (add)
    {
      ks_resources_add (&n->info.requested, &spec->requests);
      n->info.nonzero_milli_cpu += spec->nonzero_milli_cpu;
      n->info.nonzero_memory += spec->nonzero_memory;
      g_ptr_array_add (n->info.pods, pod);
    }
  else
    {
      ks_resources_sub (&n->info.requested, &spec->requests);
      n->info.nonzero_milli_cpu -= spec->nonzero_milli_cpu;
      n->info.nonzero_memory -= spec->nonzero_memory;
      g_ptr_array_remove (n->info.pods, pod);
    }
}

static void
pod_remove (KsSchedCache *c, PodEntry *e)
{
  NodeEntry *n = e->node;

  account (n, e->pod, FALSE);
  g_hash_table_remove (c->pods, &e->uid);
  if (n->node == NULL && n->info.pods->len == 0)
    g_hash_table_remove (c->nodes, n->info.name);
}

static void
pod_put (KsSchedCache *c, KsPod *pod, const char *node, gboolean assumed)
{
  PodEntry *e = g_hash_table_lookup (c->pods, &pod->parent.meta.uid);

  if (e != NULL && strcmp (e->node->info.name, node) == 0)
    {
      /* Same node: swap the object, keep the accounting (requests never change). */
      guint i;
      if (g_ptr_array_find (e->node->info.pods, e->pod, &i))
        e->node->info.pods->pdata[i] = pod;
      ks_object_ref (KS_OBJECT (pod));
      ks_object_unref (KS_OBJECT (e->pod));
      e->pod = pod;
      e->assumed = assumed;
      return;
    }
  if (e != NULL)
    pod_remove (c, e);
  e = g_new0 (PodEntry, 1);
  e->uid = pod->parent.meta.uid;
  e->pod = KS_POD (ks_object_ref (KS_OBJECT (pod)));
  e->node = node_entry (c, node, TRUE);
  e->assumed = assumed;
  g_hash_table_insert (c->pods, &e->uid, e);
  account (e->node, pod, TRUE);
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
  PodEntry *e = g_hash_table_lookup (c->pods, &pod->parent.meta.uid);
  if (e != NULL)
    pod_remove (c, e);
}

void
ks_sched_cache_assume_pod (KsSchedCache *c, KsPod *pod, const char *node)
{
  pod_put (c, pod, node, TRUE);
}

gboolean
ks_sched_cache_is_assumed (KsSchedCache *c, const KsPod *pod)
{
  PodEntry *e = g_hash_table_lookup (c->pods, &pod->parent.meta.uid);
  return e != NULL && e->assumed;
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
  NodeEntry *e = node_entry (c, name, FALSE);
  return e != NULL && e->node != NULL ? &e->info : NULL;
}

guint
ks_sched_cache_n_pods (KsSchedCache *c)
{
  return g_hash_table_size (c->pods);
}
