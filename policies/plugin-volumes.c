/* plugin-volumes.c: the volume plugins of the default profile (v1.32):
 *
 * VolumeRestrictions (volumerestrictions/volume_restrictions.go): a ReadWriteOncePod claim
 * already used by another scheduled pod makes every node unschedulable (preemption may remove
 * that pod).  Disk conflicts of inline cloud volumes are not modelled (kubesim has none).
 *
 * NodeVolumeLimits (nodevolumelimits/csi.go): the CSI volumes on a node, per driver, may not
 * exceed the node's limit.  kubesim has no CSINode objects: the limit is the node's allocatable
 * "attachable-volumes-csi-<driver>" (the name the limit had before CSINode); a node without one
 * has no limit.  A volume's driver: its PV's csi.driver, or for an unbound claim its class's
 * provisioner.
 *
 * VolumeBinding (volumebinding/volume_binding.go, binder.go): PreFilter rejects pods with missing
 * claims, claims being deleted and unbound claims of Immediate classes; Filter checks bound
 * volumes' node affinity and, for claims of WaitForFirstConsumer classes, that the node has a
 * matching Available volume (ks_pv_find_matching, claims smallest first, each volume once) or
 * that the class can provision one.  The writes of Reserve/PreBind (pre-binding volumes,
 * selected-node) are the scheduler's (src/scheduler/ks-volume-binder.c).
 *
 * VolumeZone (volumezone/volume_zone.go): a bound volume labelled with zones or regions admits
 * only nodes in one of them ("a__b" lists several); a node without such labels passes. */
#include "config.h"

#include <string.h>

#include "ks-builtin-private.h"
#include "src/api/ks-storage.h"

static const char *const reason_rwop
    = "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access "
      "mode";
static const char *const reason_bind_conflict
    = "node(s) didn't find available persistent volumes to bind";
static const char *const reason_node_conflict = "node(s) had volume node affinity conflict";
static const char *const reason_unbound_immediate
    = "pod has unbound immediate PersistentVolumeClaims";
static const char *const reason_zone = "node(s) had no available volume zone";
static const char *const reason_limit = "node(s) exceed max volume count";

/* The pod's claims by name: a new table of references (name → KsPersistentVolumeClaim). */
static GHashTable *
claims_of_namespace (KsPluginCtx *ctx, const char *ns)
{
  GHashTable *t
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) ks_object_unref);
  g_autoptr (GPtrArray) all
      = ctx->handle->list_objects (ctx->handle->data, KS_KIND_PERSISTENT_VOLUME_CLAIM, ns);

  for (guint i = 0; i < all->len; i++)
    {
      KsObject *o = g_ptr_array_index (all, i);
      g_hash_table_insert (t, o->meta.name, ks_object_ref (o));
    }
  return t;
}

static gboolean
fully_bound (const KsPersistentVolumeClaim *pvc)
{
  return pvc->volume_name != NULL
         && ks_object_get_annotation (KS_OBJECT (pvc), KS_ANN_BIND_COMPLETED) != NULL;
}

/* ---- VolumeRestrictions ------------------------------------------------------------------- */

typedef struct
{
  char **rwop_claims; /* "ns/name" of the pod's ReadWriteOncePod claims */
  gint conflicts;     /* scheduled pods using one of them */
} RestrictionsCycle;

static void
restrictions_free (gpointer p)
{
  RestrictionsCycle *c = p;
  g_strfreev (c->rwop_claims);
  g_free (c);
}

static gpointer
restrictions_clone (gconstpointer p)
{
  const RestrictionsCycle *c = p;
  RestrictionsCycle *copy = g_new (RestrictionsCycle, 1);
  copy->rwop_claims = g_strdupv (c->rwop_claims);
  copy->conflicts = c->conflicts;
  return copy;
}

/* How many of pod's claims are in the cycle's ReadWriteOncePod claims. */
static gint
uses_rwop (const RestrictionsCycle *c, const KsPod *pod)
{
  char **names = ks_pod_claim_names (pod);
  gint n = 0;

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      g_autofree char *key = g_strdup_printf ("%s/%s", pod->parent.meta.namespace, names[i]);
      n += g_strv_contains ((const char *const *) c->rwop_claims, key);
    }
  return n;
}

static KsStatusCode
restrictions_pre_filter (KsPluginCtx *ctx, const KsPod *pod, KsStatus *status)
{
  char **names = ks_pod_claim_names (pod);
  g_autoptr (GHashTable) claims = NULL;
  g_autoptr (GPtrArray) rwop = NULL;
  RestrictionsCycle *c;

  if (names == NULL)
    return KS_STATUS_SKIP;
  claims = claims_of_namespace (ctx, pod->parent.meta.namespace);
  rwop = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; names[i] != NULL; i++)
    {
      const KsPersistentVolumeClaim *pvc = g_hash_table_lookup (claims, names[i]);
      if (pvc != NULL && (pvc->access_modes & KS_ACCESS_RWOP))
        g_ptr_array_add (rwop, g_strdup_printf ("%s/%s", pod->parent.meta.namespace, names[i]));
    }
  if (rwop->len == 0)
    return KS_STATUS_SKIP;
  g_ptr_array_add (rwop, NULL);
  c = g_new0 (RestrictionsCycle, 1);
  c->rwop_claims = (char **) g_ptr_array_steal (rwop, NULL);
  for (guint n = 0; n < ctx->n_all_nodes; n++)
    {
      const KsNodeInfo *ni = ctx->all_nodes[n];
      for (guint i = 0; i < ni->pods->len; i++)
        {
          const KsPod *other = g_ptr_array_index (ni->pods, i);
          if (!ks_uid_equal (&other->parent.meta.uid, &pod->parent.meta.uid))
            c->conflicts += uses_rwop (c, other);
        }
    }
  ctx->cycle = c;
  return KS_STATUS_SUCCESS;
}

static KsStatusCode
restrictions_filter (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni, KsStatus *status)
{
  const RestrictionsCycle *c = ctx->cycle;

  if (c != NULL && c->conflicts > 0)
    {
      ks_status_add_reason (status, reason_rwop);
      return KS_STATUS_UNSCHEDULABLE;
    }
  return KS_STATUS_SUCCESS;
}

static void
restrictions_add_pod (KsPluginCtx *ctx, const KsPod *pod, const KsPod *added,
                      const KsNodeInfo *node)
{
  RestrictionsCycle *c = ctx->cycle;
  if (c != NULL)
    c->conflicts += uses_rwop (c, added);
}

static void
restrictions_remove_pod (KsPluginCtx *ctx, const KsPod *pod, const KsPod *removed,
                         const KsNodeInfo *node)
{
  RestrictionsCycle *c = ctx->cycle;
  if (c != NULL)
    c->conflicts -= uses_rwop (c, removed);
}

const KsSchedulerPlugin ks_plugin_volume_restrictions = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "VolumeRestrictions",
  .pre_filter = restrictions_pre_filter,
  .filter = restrictions_filter,
  .add_pod = restrictions_add_pod,
  .remove_pod = restrictions_remove_pod,
  .clone_cycle = restrictions_clone,
  .free_cycle = restrictions_free,
};

/* ---- NodeVolumeLimits ---------------------------------------------------------------------- */

#define LIMIT_PREFIX "attachable-volumes-csi-"

typedef struct
{
  GHashTable *claims;  /* "ns/name" → KsPersistentVolumeClaim (references) */
  GHashTable *volumes; /* name → KsPersistentVolume */
  GHashTable *classes; /* name → KsStorageClass */
} LimitsCycle;

static void
limits_free (gpointer p)
{
  LimitsCycle *c = p;
  g_hash_table_unref (c->claims);
  g_hash_table_unref (c->volumes);
  g_hash_table_unref (c->classes);
  g_free (c);
}

static gboolean
node_has_limit (const KsNodeInfo *ni)
{
  for (guint i = 0; i < ni->allocatable.n_scalar; i++)
    if (g_str_has_prefix (ni->allocatable.scalar[i].name, LIMIT_PREFIX))
      return TRUE;
  return FALSE;
}

static GHashTable *
index_by_name (KsPluginCtx *ctx, KsKindId kind, gboolean with_namespace)
{
  GHashTable *t
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) ks_object_unref);
  g_autoptr (GPtrArray) all = ctx->handle->list_objects (ctx->handle->data, kind, NULL);

  for (guint i = 0; i < all->len; i++)
    {
      KsObject *o = g_ptr_array_index (all, i);
      g_hash_table_insert (t, with_namespace ? ks_object_key (o) : g_strdup (o->meta.name),
                           ks_object_ref (o));
    }
  return t;
}

static KsStatusCode
limits_pre_filter (KsPluginCtx *ctx, const KsPod *pod, KsStatus *status)
{
  LimitsCycle *c;
  gboolean any = FALSE;

  if (ks_pod_claim_names (pod) == NULL)
    return KS_STATUS_SKIP;
  for (guint n = 0; n < ctx->n_all_nodes && !any; n++)
    any = node_has_limit (ctx->all_nodes[n]);
  if (!any)
    return KS_STATUS_SKIP;
  c = g_new0 (LimitsCycle, 1);
  c->claims = index_by_name (ctx, KS_KIND_PERSISTENT_VOLUME_CLAIM, TRUE);
  c->volumes = index_by_name (ctx, KS_KIND_PERSISTENT_VOLUME, FALSE);
  c->classes = index_by_name (ctx, KS_KIND_STORAGE_CLASS, FALSE);
  ctx->cycle = c;
  return KS_STATUS_SUCCESS;
}

/* The CSI driver of claim ns/name and a unique handle for its volume, or NULL. */
static const char *
claim_driver (const LimitsCycle *c, const char *ns, const char *name, char **handle)
{
  g_autofree char *key = g_strdup_printf ("%s/%s", ns, name);
  const KsPersistentVolumeClaim *pvc = g_hash_table_lookup (c->claims, key);
  const KsStorageClass *sc;

  if (pvc == NULL)
    return NULL;
  if (pvc->volume_name != NULL)
    {
      const KsPersistentVolume *pv = g_hash_table_lookup (c->volumes, pvc->volume_name);
      JsonObject *src;
      if (pv == NULL || g_strcmp0 (pv->source_type, "csi") != 0 || pv->source == NULL
          || !JSON_NODE_HOLDS_OBJECT (pv->source))
        return NULL;
      src = json_node_get_object (pv->source);
      if (!json_object_has_member (src, "driver"))
        return NULL;
      *handle = g_strdup (pv->parent.meta.name);
      return json_object_get_string_member_with_default (src, "driver", NULL);
    }
  sc = g_hash_table_lookup (c->classes, ks_pvc_class (pvc));
  if (sc == NULL)
    return NULL;
  *handle = g_steal_pointer (&key);
  return sc->provisioner;
}

/* Add the CSI volumes of pod to counts (driver → set of handles). */
static void
count_pod (const LimitsCycle *c, const KsPod *pod, GHashTable *counts)
{
  char **names = ks_pod_claim_names (pod);

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      char *handle = NULL;
      const char *driver = claim_driver (c, pod->parent.meta.namespace, names[i], &handle);
      GHashTable *set;
      if (driver == NULL)
        continue;
      set = g_hash_table_lookup (counts, driver);
      if (set == NULL)
        {
          set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          g_hash_table_insert (counts, g_strdup (driver), set);
        }
      g_hash_table_add (set, handle);
    }
}

static KsStatusCode
limits_filter (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni, KsStatus *status)
{
  const LimitsCycle *c = ctx->cycle;
  g_autoptr (GHashTable) mine = NULL;
  g_autoptr (GHashTable) attached = NULL;
  GHashTableIter it;
  gpointer driver, set;

  if (c == NULL || !node_has_limit (ni))
    return KS_STATUS_SUCCESS;
  mine = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                (GDestroyNotify) g_hash_table_unref);
  attached = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify) g_hash_table_unref);
  count_pod (c, pod, mine);
  for (guint i = 0; i < ni->pods->len; i++)
    count_pod (c, g_ptr_array_index (ni->pods, i), attached);
  /* The order of drivers does not matter: any one over its limit rejects the node. */
  g_hash_table_iter_init (&it, mine);
  while (g_hash_table_iter_next (&it, &driver, &set))
    {
      g_autofree char *res = g_strconcat (LIMIT_PREFIX, driver, NULL);
      GHashTable *used = g_hash_table_lookup (attached, driver);
      GHashTableIter it2;
      gpointer handle;
      gint64 n;
      if (!ks_resources_has (&ni->allocatable, res))
        continue;
      n = used != NULL ? g_hash_table_size (used) : 0;
      g_hash_table_iter_init (&it2, set);
      while (g_hash_table_iter_next (&it2, &handle, NULL))
        if (used == NULL || !g_hash_table_contains (used, handle))
          n++;
      if (n > ks_resources_get (&ni->allocatable, res))
        {
          ks_status_add_reason (status, reason_limit);
          return KS_STATUS_UNSCHEDULABLE;
        }
    }
  return KS_STATUS_SUCCESS;
}

const KsSchedulerPlugin ks_plugin_node_volume_limits = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "NodeVolumeLimits",
  .pre_filter = limits_pre_filter,
  .filter = limits_filter,
  .free_cycle = limits_free,
};

/* ---- VolumeBinding ------------------------------------------------------------------------- */

typedef struct
{
  GPtrArray *bound;   /* KsPersistentVolume of the pod's bound claims */
  GPtrArray *delayed; /* KsPersistentVolumeClaim unbound, WaitForFirstConsumer; smallest first */
  GPtrArray *classes; /* per delayed claim: its KsStorageClass (a reference, or NULL) */
  GPtrArray *volumes; /* every PersistentVolume (for matching) */
} BindingCycle;

static void
binding_free (gpointer p)
{
  BindingCycle *c = p;
  g_ptr_array_unref (c->bound);
  g_ptr_array_unref (c->delayed);
  g_ptr_array_unref (c->classes);
  g_ptr_array_unref (c->volumes);
  g_free (c);
}

static void
object_unref0 (gpointer obj)
{
  if (obj != NULL)
    ks_object_unref (obj);
}

static int
claim_size_cmp (gconstpointer a, gconstpointer b)
{
  const KsPersistentVolumeClaim *x = *(KsPersistentVolumeClaim *const *) a;
  const KsPersistentVolumeClaim *y = *(KsPersistentVolumeClaim *const *) b;

  if (x->request != y->request)
    return x->request < y->request ? -1 : 1;
  return strcmp (x->parent.meta.name, y->parent.meta.name);
}

/* Reject the pod with text (taken) as the reason. */
static KsStatusCode
reject (KsStatus *status, char *text)
{
  ks_status_add_reason (status, ks_intern (text));
  g_free (text);
  return KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE;
}

static KsStatusCode
binding_pre_filter (KsPluginCtx *ctx, const KsPod *pod, KsStatus *status)
{
  char **names = ks_pod_claim_names (pod);
  g_autoptr (GHashTable) claims = NULL;
  g_autoptr (GHashTable) volumes = NULL;
  BindingCycle *c;
  gboolean immediate = FALSE;
  GPtrArray *all_pvs;

  if (names == NULL)
    return KS_STATUS_SKIP;
  claims = claims_of_namespace (ctx, pod->parent.meta.namespace);
  all_pvs = ctx->handle->list_objects (ctx->handle->data, KS_KIND_PERSISTENT_VOLUME, NULL);
  c = g_new0 (BindingCycle, 1);
  c->bound = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  c->delayed = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  c->classes = g_ptr_array_new_with_free_func (object_unref0);
  c->volumes = all_pvs;
  ctx->cycle = c;
  volumes = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < all_pvs->len; i++)
    {
      KsObject *o = g_ptr_array_index (all_pvs, i);
      g_hash_table_insert (volumes, o->meta.name, o);
    }
  for (guint i = 0; names[i] != NULL; i++)
    {
      const KsPersistentVolumeClaim *pvc = g_hash_table_lookup (claims, names[i]);
      if (pvc == NULL)
        return reject (status,
                       g_strdup_printf ("persistentvolumeclaim \"%s\" not found", names[i]));
      if (ks_object_is_being_deleted (KS_OBJECT (pvc)))
        return reject (status,
                       g_strdup_printf ("persistentvolumeclaim \"%s\" is being deleted", names[i]));
      if (fully_bound (pvc))
        {
          KsObject *pv = g_hash_table_lookup (volumes, pvc->volume_name);
          if (pv == NULL)
            return reject (status,
                           g_strdup_printf ("persistentvolume \"%s\" not found", pvc->volume_name));
          g_ptr_array_add (c->bound, ks_object_ref (pv));
          continue;
        }
      {
        const char *class = ks_pvc_class (pvc);
        g_autoptr (GPtrArray) classes = NULL;
        const KsStorageClass *sc = NULL;
        if (class[0] != '\0')
          {
            classes = ctx->handle->list_objects (ctx->handle->data, KS_KIND_STORAGE_CLASS, NULL);
            for (guint k = 0; k < classes->len; k++)
              if (strcmp (KS_OBJECT (g_ptr_array_index (classes, k))->meta.name, class) == 0)
                sc = g_ptr_array_index (classes, k);
          }
        if (sc == NULL || sc->volume_binding_mode != KS_BINDING_WAIT_FOR_FIRST_CONSUMER)
          {
            immediate = TRUE;
            continue;
          }
        g_ptr_array_add (c->delayed, ks_object_ref (KS_OBJECT (pvc)));
      }
    }
  if (immediate)
    {
      ks_status_add_reason (status, reason_unbound_immediate);
      return KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE;
    }
  g_ptr_array_sort (c->delayed, claim_size_cmp);
  {
    g_autoptr (GPtrArray) classes
        = ctx->handle->list_objects (ctx->handle->data, KS_KIND_STORAGE_CLASS, NULL);
    for (guint i = 0; i < c->delayed->len; i++)
      {
        const char *class = ks_pvc_class (g_ptr_array_index (c->delayed, i));
        KsObject *sc = NULL;
        for (guint k = 0; k < classes->len; k++)
          if (strcmp (KS_OBJECT (g_ptr_array_index (classes, k))->meta.name, class) == 0)
            sc = ks_object_ref (g_ptr_array_index (classes, k));
        g_ptr_array_add (c->classes, sc);
      }
  }
  return KS_STATUS_SUCCESS;
}

static KsStatusCode
binding_filter (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni, KsStatus *status)
{
  const BindingCycle *c = ctx->cycle;
  const KsObject *node = KS_OBJECT (ni->node);

  if (c == NULL)
    return KS_STATUS_SUCCESS;
  for (guint i = 0; i < c->bound->len; i++)
    if (!ks_pv_matches_node (g_ptr_array_index (c->bound, i), node))
      {
        ks_status_add_reason (status, reason_node_conflict);
        return KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE;
      }
  if (c->delayed->len > 0
      && !ks_pv_choose_for_node (c->volumes, c->delayed, c->classes, node, NULL))
    {
      ks_status_add_reason (status, reason_bind_conflict);
      return KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE;
    }
  return KS_STATUS_SUCCESS;
}

const KsSchedulerPlugin ks_plugin_volume_binding = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "VolumeBinding",
  .pre_filter = binding_pre_filter,
  .filter = binding_filter,
  .free_cycle = binding_free,
};

/* ---- VolumeZone ---------------------------------------------------------------------------- */

static const char *const topology_labels[] = {
  "topology.kubernetes.io/zone",
  "topology.kubernetes.io/region",
  "failure-domain.beta.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region",
};

typedef struct
{
  GPtrArray *keys;   /* char * (static) */
  GPtrArray *values; /* char ** (the "__"-separated set) */
} ZoneCycle;

static void
zone_free (gpointer p)
{
  ZoneCycle *c = p;
  g_ptr_array_unref (c->keys);
  g_ptr_array_unref (c->values);
  g_free (c);
}

static KsStatusCode
zone_pre_filter (KsPluginCtx *ctx, const KsPod *pod, KsStatus *status)
{
  char **names = ks_pod_claim_names (pod);
  g_autoptr (GHashTable) claims = NULL;
  g_autoptr (GPtrArray) pvs = NULL;
  ZoneCycle *c;

  if (names == NULL)
    return KS_STATUS_SKIP;
  claims = claims_of_namespace (ctx, pod->parent.meta.namespace);
  pvs = ctx->handle->list_objects (ctx->handle->data, KS_KIND_PERSISTENT_VOLUME, NULL);
  c = g_new0 (ZoneCycle, 1);
  c->keys = g_ptr_array_new ();
  c->values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  for (guint i = 0; names[i] != NULL; i++)
    {
      const KsPersistentVolumeClaim *pvc = g_hash_table_lookup (claims, names[i]);
      if (pvc == NULL || pvc->volume_name == NULL)
        continue; /* VolumeBinding answers for these */
      for (guint k = 0; k < pvs->len; k++)
        {
          const KsObject *pv = g_ptr_array_index (pvs, k);
          if (strcmp (pv->meta.name, pvc->volume_name) != 0)
            continue;
          for (guint l = 0; l < G_N_ELEMENTS (topology_labels); l++)
            {
              const char *v = ks_object_get_label (pv, topology_labels[l]);
              if (v == NULL)
                continue;
              g_ptr_array_add (c->keys, (gpointer) topology_labels[l]);
              g_ptr_array_add (c->values, g_strsplit (v, "__", -1));
            }
        }
    }
  if (c->keys->len == 0)
    {
      zone_free (c);
      return KS_STATUS_SKIP;
    }
  ctx->cycle = c;
  return KS_STATUS_SUCCESS;
}

static KsStatusCode
zone_filter (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni, KsStatus *status)
{
  const ZoneCycle *c = ctx->cycle;
  const KsObject *node = KS_OBJECT (ni->node);
  gboolean has_topology = FALSE;

  if (c == NULL)
    return KS_STATUS_SUCCESS;
  for (guint l = 0; l < G_N_ELEMENTS (topology_labels) && !has_topology; l++)
    has_topology = ks_object_get_label (node, topology_labels[l]) != NULL;
  if (!has_topology)
    return KS_STATUS_SUCCESS;
  for (guint i = 0; i < c->keys->len; i++)
    {
      const char *v = ks_object_get_label (node, g_ptr_array_index (c->keys, i));
      if (v == NULL || !g_strv_contains ((const char *const *) g_ptr_array_index (c->values, i), v))
        {
          ks_status_add_reason (status, reason_zone);
          return KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE;
        }
    }
  return KS_STATUS_SUCCESS;
}

const KsSchedulerPlugin ks_plugin_volume_zone = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "VolumeZone",
  .pre_filter = zone_pre_filter,
  .filter = zone_filter,
  .free_cycle = zone_free,
};
