/* ks-store.c: the in-memory object store with ordered watch delivery. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "ks-admission.h"
#include "ks-store.h"
#include "src/api/ks-diag.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-pod.h"
#include "src/ks-rng.h"

/* clang-format off */
G_DEFINE_QUARK (ks-store-error-quark, ks_store_error)
/* clang-format on */

typedef struct
{
  guint id;
  const KsKind *kind;    /* NULL: every kind */
  const char *node_name; /* interned; pods bound to this node only */
  KsWatchFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
  guint64 since; /* the resourceVersion when it started: older events are not its business */
  gboolean removed;
} Watcher;

typedef struct
{
  KsWatchEventType type;
  KsObject *object;
  KsObject *old_object;
} Pending;

struct _KsStore
{
  KsClock *clock;
  gsl_rng *rng;
  /* ks_store_use_system_random: draws come from getrandom(2), through this buffer. */
  gboolean system_random;
  guint8 random_buf[256];
  guint random_used;
  /* ks_store_set_backend: where every change is written before it is made here. */
  KsStoreBackend *backend;
  gint64 epoch;
  char *kind_keys[KS_N_KINDS];
  KsAdmission *admission;
  guint64 resource_version;
  GTree *objects[KS_N_KINDS]; /* &obj->meta → obj (a reference) */
  GHashTable *dependents;     /* owner KsUid (owned copy) → set of dependent objects */
  GPtrArray *watchers;        /* Watcher* of every kind, without a node filter, by id */
  /* Watcher* of one kind, without a node filter, by id: an event is offered only to its kind's
   * watchers and those of every kind (merged by id, so in the order they started), not to all. */
  GPtrArray *kind_watchers[KS_N_KINDS];
  GHashTable *node_watchers; /* node name (interned) → GPtrArray of Watcher* */
  GHashTable *by_id;         /* id → Watcher*, owning every watcher */
  GQueue pending;
  gboolean dispatching;
  gboolean watchers_removed;
  guint next_watch_id;
};

static const char *const watch_type_names[] = { "ADDED", "MODIFIED", "DELETED" };

const char *
ks_watch_event_type_name (KsWatchEventType type)
{
  return watch_type_names[type];
}

static int
meta_compare (gconstpointer a, gconstpointer b, gpointer unused)
{
  const KsObjectMeta *ma = a, *mb = b;

  if (ma->namespace != mb->namespace)
    {
      if (ma->namespace == NULL)
        return -1;
      if (mb->namespace == NULL)
        return 1;
      int c = strcmp (ma->namespace, mb->namespace);
      if (c != 0)
        return c;
    }
  return strcmp (ma->name, mb->name);
}

static void
watcher_free (gpointer p)
{
  Watcher *w = p;
  if (w->destroy != NULL)
    w->destroy (w->user_data);
  g_free (w);
}

KsStore *
ks_store_new (KsClock *clock, guint64 seed)
{
  KsStore *store = g_new0 (KsStore, 1);

  store->clock = clock;
  store->rng = ks_rng_new (seed, "apiserver");
  store->admission = ks_admission_new (seed);
  for (guint i = 0; i < KS_N_KINDS; i++)
    store->objects[i]
        = g_tree_new_full (meta_compare, NULL, NULL, (GDestroyNotify) ks_object_unref);
  store->dependents = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, g_free,
                                             (GDestroyNotify) g_hash_table_unref);
  store->watchers = g_ptr_array_new ();
  for (guint i = 0; i < KS_N_KINDS; i++)
    store->kind_watchers[i] = g_ptr_array_new ();
  store->node_watchers = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                                (GDestroyNotify) g_ptr_array_unref);
  store->by_id = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, watcher_free);
  g_queue_init (&store->pending);
  store->next_watch_id = 1;
  return store;
}

static void
pending_free (Pending *p)
{
  ks_object_unref (p->object);
  ks_object_unref (p->old_object);
  g_free (p);
}

void
ks_store_free (KsStore *store)
{
  if (store == NULL)
    return;
  g_queue_clear_full (&store->pending, (GDestroyNotify) pending_free);
  g_hash_table_unref (store->node_watchers);
  g_ptr_array_unref (store->watchers);
  for (guint i = 0; i < KS_N_KINDS; i++)
    g_ptr_array_unref (store->kind_watchers[i]);
  g_hash_table_unref (store->by_id);
  g_hash_table_unref (store->dependents);
  for (guint i = 0; i < KS_N_KINDS; i++)
    {
      g_tree_unref (store->objects[i]);
      g_free (store->kind_keys[i]);
    }
  ks_store_backend_free (store->backend);
  gsl_rng_free (store->rng);
  ks_admission_free (store->admission);
  g_free (store);
}

KsClock *
ks_store_get_clock (KsStore *store)
{
  return store->clock;
}

KsAdmission *
ks_store_get_admission (KsStore *store)
{
  return store->admission;
}

guint64
ks_store_get_resource_version (KsStore *store)
{
  return store->resource_version;
}

KsObject *
ks_store_get (KsStore *store, const KsKind *kind, const char *ns, const char *name)
{
  /* The namespace need not be interned: meta_compare compares by content. */
  KsObjectMeta key = { .name = (char *) name, .namespace = kind->namespaced ? ns : NULL };

  if (name == NULL)
    return NULL;
  return g_tree_lookup (store->objects[kind->id], &key);
}

typedef struct
{
  const char *ns;
  GPtrArray *out;
} ListData;

static gboolean
list_one (gpointer key, gpointer value, gpointer data)
{
  ListData *d = data;
  KsObject *obj = value;

  if (d->ns != NULL && obj->meta.namespace != d->ns)
    return TRUE; /* past the namespace: stop */
  g_ptr_array_add (d->out, obj);
  return FALSE;
}

void
ks_store_list (KsStore *store, const KsKind *kind, const char *ns, GPtrArray *out)
{
  GTree *tree = store->objects[kind->id];
  ListData d = { NULL, out };

  if (ns == NULL || !kind->namespaced)
    {
      g_tree_foreach (tree, list_one, &d);
      return;
    }
  d.ns = ks_intern (ns);
  {
    KsObjectMeta key = { .name = (char *) "", .namespace = d.ns };
    GTreeNode *node = g_tree_lower_bound (tree, &key);
    for (; node != NULL; node = g_tree_node_next (node))
      if (list_one (NULL, g_tree_node_value (node), &d))
        break;
  }
}

guint
ks_store_count (KsStore *store, const KsKind *kind)
{
  return g_tree_nnodes (store->objects[kind->id]);
}

static int
dependent_compare (gconstpointer a, gconstpointer b)
{
  const KsObject *oa = *(KsObject *const *) a, *ob = *(KsObject *const *) b;

  if (oa->kind->id != ob->kind->id)
    return oa->kind->id < ob->kind->id ? -1 : 1;
  return meta_compare (&oa->meta, &ob->meta, NULL);
}

void
ks_store_list_dependents (KsStore *store, const KsKind *kind, const KsUid *owner_uid,
                          GPtrArray *out)
{
  GHashTable *set = g_hash_table_lookup (store->dependents, owner_uid);
  GHashTableIter iter;
  gpointer obj;
  guint start = out->len;

  if (set == NULL)
    return;
  g_hash_table_iter_init (&iter, set);
  while (g_hash_table_iter_next (&iter, &obj, NULL))
    if (kind == NULL || ((KsObject *) obj)->kind == kind)
      g_ptr_array_add (out, obj);
  /* Hash order must not leak out: sort what was added. */
  if (out->len > start)
    qsort (out->pdata + start, out->len - start, sizeof (gpointer), dependent_compare);
}

/* Indexes */

static void
index_dependents (KsStore *store, KsObject *obj, gboolean add)
{
  KsOwnerRefs *refs = obj->meta.owner_refs;

  if (refs == NULL)
    return;
  for (guint i = 0; i < refs->n; i++)
    {
      GHashTable *set = g_hash_table_lookup (store->dependents, &refs->refs[i].uid);
      if (add)
        {
          if (set == NULL)
            {
              set = g_hash_table_new (g_direct_hash, g_direct_equal);
              g_hash_table_insert (store->dependents,
                                   g_memdup2 (&refs->refs[i].uid, sizeof (KsUid)), set);
            }
          g_hash_table_add (set, obj);
        }
      else if (set != NULL)
        {
          g_hash_table_remove (set, obj);
          if (g_hash_table_size (set) == 0)
            g_hash_table_remove (store->dependents, &refs->refs[i].uid);
        }
    }
}

/* Watch delivery */

/* Deliver the event of the change to resourceVersion rv to the first n watchers of a list. */
static void
deliver_to (GPtrArray *watchers, guint n, const KsWatchEvent *event, guint64 rv)
{
  for (guint i = 0; i < n; i++)
    {
      Watcher *w = g_ptr_array_index (watchers, i);
      if (w->removed || rv <= w->since || (w->kind != NULL && w->kind != event->object->kind))
        continue;
      w->func (event, w->user_data);
    }
}

/* Deliver to the first na watchers of a and the first nb of b (both by id), in id order. */
static void
deliver_merged (GPtrArray *a, guint na, GPtrArray *b, guint nb, const KsWatchEvent *event,
                guint64 rv)
{
  guint i = 0, j = 0;

  while (i < na || j < nb)
    {
      Watcher *w;
      /* The arrays may grow (watches started by callbacks): index them afresh each time. */
      if (j >= nb
          || (i < na
              && ((Watcher *) g_ptr_array_index (a, i))->id
                     < ((Watcher *) g_ptr_array_index (b, j))->id))
        w = g_ptr_array_index (a, i++);
      else
        w = g_ptr_array_index (b, j++);
      if (w->removed || rv <= w->since || (w->kind != NULL && w->kind != event->object->kind))
        continue;
      w->func (event, w->user_data);
    }
}

static void
deliver_to_node (KsStore *store, const char *node_name, const KsWatchEvent *event, guint64 rv)
{
  GPtrArray *list;

  if (node_name == NULL)
    return;
  list = g_hash_table_lookup (store->node_watchers, node_name);
  if (list != NULL)
    {
      g_ptr_array_ref (list);
      deliver_to (list, list->len, event, rv);
      g_ptr_array_unref (list);
    }
}

static void
purge_removed_watchers (KsStore *store)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, store->node_watchers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GPtrArray *list = value;
      for (guint i = list->len; i-- > 0;)
        if (((Watcher *) g_ptr_array_index (list, i))->removed)
          g_ptr_array_remove_index (list, i);
      if (list->len == 0)
        g_hash_table_iter_remove (&iter);
    }
  for (guint i = store->watchers->len; i-- > 0;)
    if (((Watcher *) g_ptr_array_index (store->watchers, i))->removed)
      g_ptr_array_remove_index (store->watchers, i);
  for (guint k = 0; k < KS_N_KINDS; k++)
    for (guint i = store->kind_watchers[k]->len; i-- > 0;)
      if (((Watcher *) g_ptr_array_index (store->kind_watchers[k], i))->removed)
        g_ptr_array_remove_index (store->kind_watchers[k], i);
  g_hash_table_iter_init (&iter, store->by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((Watcher *) value)->removed)
      g_hash_table_iter_remove (&iter);
  store->watchers_removed = FALSE;
}

static void
dispatch (KsStore *store)
{
  Pending *p;

  if (store->dispatching)
    return;
  store->dispatching = TRUE;
  while ((p = g_queue_pop_head (&store->pending)) != NULL)
    {
      KsWatchEvent event = { p->type, p->object, p->old_object };
      guint64 rv = p->object->meta.resource_version;

      /* Watchers added while this event is delivered do not get it. */
      GPtrArray *kind_list = store->kind_watchers[p->object->kind->id];
      deliver_merged (kind_list, kind_list->len, store->watchers, store->watchers->len, &event, rv);
      if (p->object->kind->id == KS_KIND_POD && g_hash_table_size (store->node_watchers) > 0)
        {
          const char *node = KS_POD (p->object)->node_name;
          const char *old_node = p->old_object ? KS_POD (p->old_object)->node_name : NULL;
          if (p->type == KS_WATCH_MODIFIED && old_node != node)
            {
              /* Bound (or, oddly, moved): for the node's watchers the pod appears. */
              KsWatchEvent added = { KS_WATCH_ADDED, p->object, NULL };
              KsWatchEvent gone = { KS_WATCH_DELETED, p->old_object, NULL };
              deliver_to_node (store, old_node, &gone, rv);
              deliver_to_node (store, node, &added, rv);
            }
          else
            deliver_to_node (store, node, &event, rv);
        }
      pending_free (p);
    }
  store->dispatching = FALSE;
  if (store->watchers_removed)
    purge_removed_watchers (store);
}

static void
enqueue (KsStore *store, KsWatchEventType type, KsObject *obj, KsObject *old)
{
  Pending *p = g_new (Pending, 1);

  p->type = type;
  p->object = ks_object_ref (obj);
  p->old_object = old != NULL ? ks_object_ref (old) : NULL;
  g_queue_push_tail (&store->pending, p);
}

guint
ks_store_watch (KsStore *store, const KsKind *kind, const char *node_name, gboolean replay,
                KsWatchFunc func, gpointer user_data, GDestroyNotify destroy)
{
  Watcher *w = g_new0 (Watcher, 1);

  g_return_val_if_fail (node_name == NULL || (kind != NULL && kind->id == KS_KIND_POD), 0);
  w->id = store->next_watch_id++;
  w->kind = kind;
  w->node_name = node_name != NULL ? ks_intern (node_name) : NULL;
  w->func = func;
  w->user_data = user_data;
  w->destroy = destroy;
  /* Changes made before now, even those whose events are still queued (a watch started from a
   * callback), are in the replay or were asked not to be seen. */
  w->since = store->resource_version;
  if (replay)
    {
      g_autoptr (GPtrArray) objects = g_ptr_array_new ();
      gboolean was_dispatching = store->dispatching;
      if (kind != NULL)
        ks_store_list (store, kind, NULL, objects);
      else
        for (guint i = 0; i < KS_N_KINDS; i++)
          ks_store_list (store, ks_kind_get (i), NULL, objects);
      for (guint i = 0; i < objects->len; i++)
        ks_object_ref (g_ptr_array_index (objects, i));
      /* Changes the callback makes during the replay are delivered after it, to this watcher
       * too: hold dispatching until the watcher is registered. */
      store->dispatching = TRUE;
      for (guint i = 0; i < objects->len; i++)
        {
          KsObject *obj = g_ptr_array_index (objects, i);
          KsWatchEvent event = { KS_WATCH_ADDED, obj, NULL };
          if (w->node_name == NULL || KS_POD (obj)->node_name == w->node_name)
            func (&event, user_data);
          ks_object_unref (obj);
        }
      store->dispatching = was_dispatching;
    }
  g_hash_table_insert (store->by_id, GUINT_TO_POINTER (w->id), w);
  if (w->node_name == NULL)
    g_ptr_array_add (kind != NULL ? store->kind_watchers[kind->id] : store->watchers, w);
  else
    {
      GPtrArray *list = g_hash_table_lookup (store->node_watchers, w->node_name);
      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (store->node_watchers, (gpointer) w->node_name, list);
        }
      g_ptr_array_add (list, w);
    }
  dispatch (store);
  return w->id;
}

void
ks_store_unwatch (KsStore *store, guint id)
{
  Watcher *w = g_hash_table_lookup (store->by_id, GUINT_TO_POINTER (id));

  if (w == NULL || w->removed)
    return;
  w->removed = TRUE;
  if (w->destroy != NULL)
    {
      w->destroy (w->user_data);
      w->destroy = NULL;
    }
  if (store->dispatching)
    {
      store->watchers_removed = TRUE;
      return;
    }
  if (w->node_name == NULL)
    g_ptr_array_remove (w->kind != NULL ? store->kind_watchers[w->kind->id] : store->watchers, w);
  else
    {
      GPtrArray *list = g_hash_table_lookup (store->node_watchers, w->node_name);
      g_ptr_array_remove (list, w);
      if (list->len == 0)
        g_hash_table_remove (store->node_watchers, w->node_name);
    }
  g_hash_table_remove (store->by_id, GUINT_TO_POINTER (id));
}

/* Writes */

static void system_random_bytes (KsStore *store, guint8 *out, gsize len);

void
ks_store_use_system_random (KsStore *store)
{
  guint64 seed;

  store->system_random = TRUE;
  store->random_used = sizeof store->random_buf;
  /* Service addresses, too, are not to be foreseen from a seed. */
  system_random_bytes (store, (guint8 *) &seed, sizeof seed);
  ks_admission_reseed (store->admission, seed);
}

/* Fill buf from the system's random source (the kernel's CSPRNG, which never blocks once the
 * system has booted). */
static void
system_random_fill (guint8 *buf, gsize len)
{
  while (len > 0)
    {
      gssize n = getrandom (buf, len, 0);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          /* Only on kernels before 3.17: not a condition to run on with predictable UIDs. */
          g_error ("getrandom: %s", g_strerror (errno));
        }
      buf += n;
      len -= (gsize) n;
    }
}

static void
system_random_bytes (KsStore *store, guint8 *out, gsize len)
{
  while (len > 0)
    {
      gsize n;
      if (store->random_used == sizeof store->random_buf)
        {
          system_random_fill (store->random_buf, sizeof store->random_buf);
          store->random_used = 0;
        }
      n = MIN (len, sizeof store->random_buf - store->random_used);
      memcpy (out, store->random_buf + store->random_used, n);
      store->random_used += n;
      out += n;
      len -= n;
    }
}

/* A uniform integer in [0, n), n <= 256, from the system's random source. */
static guint
system_random_uniform (KsStore *store, guint n)
{
  guint8 b;

  /* Rejection sampling: keep only bytes below the largest multiple of n, so no value is
   * likelier than another. */
  do
    system_random_bytes (store, &b, 1);
  while (b >= 256 / n * n);
  return b % n;
}

static void
random_uid (KsStore *store, KsUid *uid)
{
  if (store->system_random)
    system_random_bytes (store, uid->bytes, sizeof uid->bytes);
  else
    for (guint i = 0; i < 16; i += 4)
      {
        guint32 r = (guint32) gsl_rng_get (store->rng);
        memcpy (uid->bytes + i, &r, 4);
      }
  uid->bytes[6] = (uid->bytes[6] & 0x0f) | 0x40; /* version 4 */
  uid->bytes[8] = (uid->bytes[8] & 0x3f) | 0x80; /* RFC 4122 variant */
}

/* k8s.io/apimachinery/pkg/util/rand: 5 characters from an alphabet without vowels and
 * look-alike characters. */
static char *
generate_name (KsStore *store, const char *prefix)
{
  static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  char suffix[6];

  if (G_UNLIKELY (store->system_random))
    for (guint i = 0; i < 5; i++)
      suffix[i] = alphabet[system_random_uniform (store, sizeof alphabet - 1)];
  else
    for (guint i = 0; i < 5; i++)
      suffix[i] = alphabet[ks_rng_uniform (store->rng, sizeof alphabet - 1)];
  suffix[5] = '\0';
  return g_strconcat (prefix, suffix, NULL);
}

static const char *
resource_name (const KsKind *kind)
{
  g_autofree char *full = NULL;

  if (kind->group[0] == '\0')
    return kind->plural;
  full = g_strdup_printf ("%s.%s", kind->plural, kind->group);
  return ks_intern (full);
}

/* Persistence: every change goes to the backend first; only once it is stored does the store
 * change its trees and queue the watch event, so a failed write changes nothing. */

static gboolean
backend_failed (const KsKind *kind, const char *name, const GError *cause, GError **error)
{
  g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_INTERNAL,
               "Internal error occurred: %s \"%s\" could not be stored: %s", resource_name (kind),
               name, cause->message);
  return FALSE;
}

/* The backend's part of persist_put, out of line: without a backend (sim) a write costs a
 * test. */
static G_GNUC_NO_INLINE gboolean
backend_put (KsStore *store, const KsObject *obj, GError **error)
{
  g_autoptr (GError) cause = NULL;
  g_autofree char *json = NULL;
  KsBackendRecord record;

  json = ks_object_to_json (obj, store->epoch);
  record = (KsBackendRecord){
    .kind = store->kind_keys[obj->kind->id],
    .namespace = obj->meta.namespace,
    .name = obj->meta.name,
    .resource_version = obj->meta.resource_version,
    .json = json,
  };
  if (ks_store_backend_put (store->backend, &record, &cause))
    return TRUE;
  return backend_failed (obj->kind, obj->meta.name, cause, error);
}

static G_GNUC_NO_INLINE gboolean
backend_remove (KsStore *store, const KsObject *obj, guint64 resource_version, GError **error)
{
  g_autoptr (GError) cause = NULL;

  if (ks_store_backend_remove (store->backend, store->kind_keys[obj->kind->id], obj->meta.namespace,
                               obj->meta.name, resource_version, &cause))
    return TRUE;
  return backend_failed (obj->kind, obj->meta.name, cause, error);
}

/* Store obj, already stamped with its new resourceVersion. */
static inline gboolean
persist_put (KsStore *store, const KsObject *obj, GError **error)
{
  return G_LIKELY (store->backend == NULL) || backend_put (store, obj, error);
}

/* Store the removal of obj by the change resource_version. */
static inline gboolean
persist_remove (KsStore *store, const KsObject *obj, guint64 resource_version, GError **error)
{
  return G_LIKELY (store->backend == NULL) || backend_remove (store, obj, resource_version, error);
}

KsObject *
ks_store_create (KsStore *store, KsObject *obj, GError **error)
{
  const KsKind *kind = obj->kind;
  GTree *tree = store->objects[kind->id];
  gboolean generated = FALSE;

  if (kind->namespaced)
    {
      KsNamespace *ns;
      if (obj->meta.namespace == NULL)
        {
          g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_BAD_REQUEST,
                       "an empty namespace may not be set during creation of %s", kind->name);
          return NULL;
        }
      ns = KS_NAMESPACE (
          ks_store_get (store, ks_kind_get (KS_KIND_NAMESPACE), NULL, obj->meta.namespace));
      if (ns == NULL)
        {
          g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND,
                       "namespaces \"%s\" not found", obj->meta.namespace);
          return NULL;
        }
      if (ns->terminating)
        {
          g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_FORBIDDEN,
                       "%s \"%s\" is forbidden: unable to create new content in namespace %s "
                       "because it is being terminated",
                       resource_name (kind),
                       obj->meta.name ? obj->meta.name : obj->meta.generate_name,
                       obj->meta.namespace);
          return NULL;
        }
    }
  else
    obj->meta.namespace = NULL;

  if (obj->meta.name == NULL)
    {
      if (obj->meta.generate_name == NULL)
        {
          /* NewInvalid: <Kind.group or Kind> "<name>" is invalid: ... (§8.6) */
          g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_INVALID,
                       "%s%s%s \"\" is invalid: metadata.name: Required value: name or "
                       "generateName is required",
                       kind->name, kind->group[0] != '\0' ? "." : "", kind->group);
          return NULL;
        }
      /* The API server draws once and fails on a clash; clients retry.  We retry here. */
      for (guint attempt = 0; attempt < 16; attempt++)
        {
          obj->meta.name = generate_name (store, obj->meta.generate_name);
          if (g_tree_lookup (tree, &obj->meta) == NULL)
            break;
          g_clear_pointer (&obj->meta.name, g_free);
        }
      if (obj->meta.name == NULL)
        {
          g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_ALREADY_EXISTS,
                       "%s \"%s\" already exists, the server was not able to generate a unique "
                       "name for the object",
                       resource_name (kind), obj->meta.generate_name);
          return NULL;
        }
      generated = TRUE;
    }
  else if (g_tree_lookup (tree, &obj->meta) != NULL)
    {
      g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_ALREADY_EXISTS, "%s \"%s\" already exists",
                   resource_name (kind), obj->meta.name);
      return NULL;
    }

  if (!ks_admission_admit_create (store, obj, error))
    return NULL;

  random_uid (store, &obj->meta.uid);
  if (kind->prepare_for_create != NULL)
    kind->prepare_for_create (obj);
  obj->meta.creation_timestamp = ks_clock_now (store->clock);
  obj->meta.deletion_timestamp = KS_TIME_NONE;
  obj->meta.deletion_grace_period_seconds = -1;
  obj->meta.resource_version = store->resource_version + 1;
  obj->meta.generation = kind->has_generation ? 1 : 0;
  if (!persist_put (store, obj, error))
    {
      /* As it was given, so that a retry draws a name again and is not a stale update. */
      obj->meta.resource_version = 0;
      if (generated)
        g_clear_pointer (&obj->meta.name, g_free);
      return NULL;
    }
  store->resource_version++;

  ks_object_ref (obj);
  g_tree_insert (tree, &obj->meta, obj);
  index_dependents (store, obj, TRUE);
  enqueue (store, KS_WATCH_ADDED, obj, NULL);
  dispatch (store);
  return obj;
}

/* Replace old by obj (same key) under the next resourceVersion: stored, then in the trees, then
 * queued for the watchers.  On failure obj keeps the resourceVersion it had. */
static gboolean
replace (KsStore *store, KsObject *old, KsObject *obj, GError **error)
{
  guint64 asked = obj->meta.resource_version;

  obj->meta.resource_version = store->resource_version + 1;
  if (!persist_put (store, obj, error))
    {
      obj->meta.resource_version = asked;
      return FALSE;
    }
  store->resource_version++;
  /* The new version first: an owner's set of dependents that only changes members (the usual
   * update) is never emptied, so not freed and made again. */
  index_dependents (store, obj, TRUE);
  index_dependents (store, old, FALSE);
  /* The tree's reference to old goes; the pending event keeps it alive. */
  enqueue (store, KS_WATCH_MODIFIED, obj, old);
  ks_object_ref (obj);
  g_tree_replace (store->objects[obj->kind->id], &obj->meta, obj);
  return TRUE;
}

static gboolean remove_object (KsStore *store, KsObject *obj, GError **error);

KsObject *
ks_store_update (KsStore *store, KsObject *obj, gboolean status_only, GError **error)
{
  const KsKind *kind = obj->kind;
  KsObject *current;

  current = ks_store_get (store, kind, obj->meta.namespace, obj->meta.name);
  if (current == NULL)
    {
      g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND, "%s \"%s\" not found",
                   resource_name (kind), obj->meta.name);
      return NULL;
    }
  g_return_val_if_fail (current != obj, NULL);
  if (obj->meta.resource_version != 0
      && obj->meta.resource_version != current->meta.resource_version)
    {
      g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_CONFLICT,
                   "Operation cannot be fulfilled on %s \"%s\": the object has been modified; "
                   "please apply your changes to the latest version and try again",
                   resource_name (kind), obj->meta.name);
      return NULL;
    }
  if (ks_uid_is_set (&obj->meta.uid) && !ks_uid_equal (&obj->meta.uid, &current->meta.uid))
    {
      char a[KS_UID_STRING_LEN], b[KS_UID_STRING_LEN];
      g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_CONFLICT,
                   "Precondition failed: UID in precondition: %s, UID in object meta: %s",
                   ks_uid_to_string (&obj->meta.uid, a), ks_uid_to_string (&current->meta.uid, b));
      return NULL;
    }
  if (!ks_admission_admit_update (store, current, obj, error))
    return NULL;
  if (status_only && kind->copy_status != NULL)
    {
      /* The status subresource: only the status changes (and labels and annotations, which
       * Kubernetes lets a status update write for pods); the rest is the stored object's. */
      g_autoptr (KsObject) merged = ks_object_copy (current);
      kind->copy_status (merged, obj);
      ks_object_set_labels (merged, obj->meta.labels);
      ks_object_set_annotations (merged, obj->meta.annotations);
      merged->meta.resource_version = obj->meta.resource_version;
      /* obj is what gets stored (the caller holds it); it takes the merged contents. */
      ks_object_swap_contents (obj, merged);
    }
  else if (!status_only && kind->copy_status != NULL)
    kind->copy_status (obj, current); /* an update of the object keeps its status */
  obj->meta.namespace = current->meta.namespace;
  obj->meta.uid = current->meta.uid;
  obj->meta.creation_timestamp = current->meta.creation_timestamp;
  obj->meta.deletion_timestamp = current->meta.deletion_timestamp;
  obj->meta.deletion_grace_period_seconds = current->meta.deletion_grace_period_seconds;
  obj->meta.generation = current->meta.generation;
  if (!status_only && kind->spec_changed != NULL && kind->spec_changed (current, obj))
    obj->meta.generation++;
  if (obj->meta.deletion_timestamp != KS_TIME_NONE && obj->meta.finalizers != NULL
      && current->meta.finalizers == NULL)
    {
      g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_FORBIDDEN,
                   "%s \"%s\" is forbidden: no new finalizers can be added if the object is "
                   "being deleted",
                   resource_name (kind), obj->meta.name);
      return NULL;
    }
  {
    /* The last finalizer of an object whose deletion waited for it: the object goes now. */
    gboolean finalized = obj->meta.deletion_timestamp != KS_TIME_NONE
                         && obj->meta.deletion_grace_period_seconds == 0
                         && current->meta.finalizers != NULL && obj->meta.finalizers == NULL;
    if (!replace (store, current, obj, error))
      return NULL;
    if (finalized && !remove_object (store, obj, error))
      {
        dispatch (store);
        return NULL;
      }
  }
  dispatch (store);
  return obj;
}

static gboolean
remove_object (KsStore *store, KsObject *obj, GError **error)
{
  guint64 rv = store->resource_version + 1;

  if (!persist_remove (store, obj, rv, error))
    return FALSE;
  store->resource_version = rv;
  ks_object_ref (obj);
  index_dependents (store, obj, FALSE);
  g_tree_remove (store->objects[obj->kind->id], &obj->meta);
  {
    /* As etcd watches do, DELETED carries the last state with the deletion's
     * resourceVersion, so every event's object is newer than the one before. */
    KsObject *last = ks_object_copy (obj);
    last->meta.resource_version = rv;
    enqueue (store, KS_WATCH_DELETED, last, NULL);
    ks_object_unref (last);
  }
  ks_object_unref (obj);
  return TRUE;
}

/* Each dependent is one write, as the garbage collector makes them: a failure stops here, with
 * the dependents before it already orphaned. */
static gboolean
orphan_dependents (KsStore *store, KsObject *owner, GError **error)
{
  g_autoptr (GPtrArray) deps = g_ptr_array_new ();

  ks_store_list_dependents (store, NULL, &owner->meta.uid, deps);
  for (guint i = 0; i < deps->len; i++)
    {
      KsObject *dep = g_ptr_array_index (deps, i);
      KsOwnerRefs *refs = dep->meta.owner_refs;
      g_autofree KsOwnerRef *kept = g_new (KsOwnerRef, refs->n);
      g_autoptr (KsOwnerRefs) new_refs = NULL;
      g_autoptr (KsObject) copy = NULL;
      guint n = 0;

      for (guint j = 0; j < refs->n; j++)
        if (!ks_uid_equal (&refs->refs[j].uid, &owner->meta.uid))
          kept[n++] = refs->refs[j];
      new_refs = ks_owner_refs_new (kept, n);
      copy = ks_object_copy (dep);
      ks_object_set_owner_refs (copy, new_refs);
      if (!replace (store, dep, copy, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
ks_store_delete (KsStore *store, const KsKind *kind, const char *ns, const char *name,
                 const KsDeleteOptions *options, GError **error)
{
  KsDeleteOptions defaults = KS_DELETE_OPTIONS_DEFAULT;
  KsObject *current = ks_store_get (store, kind, ns, name);
  gboolean ok;

  if (options == NULL)
    options = &defaults;
  if (current == NULL)
    {
      g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND, "%s \"%s\" not found",
                   resource_name (kind), name);
      return FALSE;
    }
  if (kind->id == KS_KIND_POD)
    {
      KsPod *pod = KS_POD (current);
      gint64 grace = options->grace_period_seconds >= 0
                         ? options->grace_period_seconds
                         : pod->spec->termination_grace_period_seconds;
      gint64 now = ks_clock_now (store->clock);

      /* CheckGracefulDelete: unscheduled and terminal pods go at once. */
      if (pod->node_name == NULL || ks_pod_is_terminal (pod))
        grace = 0;
      if (grace > 0)
        {
          gint64 deadline = now + grace * KS_USEC_PER_SEC;
          g_autoptr (KsObject) copy = NULL;
          if (current->meta.deletion_timestamp != KS_TIME_NONE
              && current->meta.deletion_timestamp <= deadline)
            return TRUE; /* already terminating, at least as soon */
          copy = ks_object_copy (current);
          copy->meta.deletion_timestamp = deadline;
          copy->meta.deletion_grace_period_seconds = grace;
          if (!replace (store, current, copy, error))
            return FALSE;
          dispatch (store);
          return TRUE;
        }
    }
  ok = options->propagation != KS_PROPAGATION_ORPHAN || orphan_dependents (store, current, error);
  if (ok && current->meta.finalizers != NULL)
    {
      /* Finalizers hold the object: it is marked (deletionTimestamp now, grace 0) and goes when
       * an update removes the last one. */
      g_autoptr (KsObject) copy = NULL;
      if (current->meta.deletion_timestamp != KS_TIME_NONE
          && current->meta.deletion_grace_period_seconds == 0)
        return TRUE;
      copy = ks_object_copy (current);
      if (copy->meta.deletion_timestamp == KS_TIME_NONE
          || copy->meta.deletion_timestamp > ks_clock_now (store->clock))
        copy->meta.deletion_timestamp = ks_clock_now (store->clock);
      copy->meta.deletion_grace_period_seconds = 0;
      ok = replace (store, current, copy, error);
      dispatch (store);
      return ok;
    }
  if (ok && kind->id == KS_KIND_NAMESPACE)
    {
      /* The namespace controller's job, done at once: delete what the namespace holds, one write
       * each; the namespace goes last, so a failure leaves it for a retry to finish. */
      g_autofree char *ns_name = g_strdup (name);
      for (guint k = 0; ok && k < KS_N_KINDS; k++)
        {
          g_autoptr (GPtrArray) inside
              = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
          const KsKind *kk = ks_kind_get (k);
          if (!kk->namespaced)
            continue;
          ks_store_list (store, kk, ns_name, inside);
          for (guint i = 0; i < inside->len; i++)
            ks_object_ref (g_ptr_array_index (inside, i));
          for (guint i = 0; ok && i < inside->len; i++)
            {
              KsObject *o = g_ptr_array_index (inside, i);
              g_autoptr (GError) local = NULL;
              /* A watcher may have deleted it meanwhile: that is no failure. */
              if (!ks_store_delete (store, kk, o->meta.namespace, o->meta.name, NULL, &local)
                  && !g_error_matches (local, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
                {
                  g_propagate_error (error, g_steal_pointer (&local));
                  ok = FALSE;
                }
            }
        }
      /* Watchers ran during the deletions: look the namespace up again. */
      current = ks_store_get (store, kind, NULL, ns_name);
      if (ok && current == NULL)
        return TRUE;
    }
  ok = ok && remove_object (store, current, error);
  /* Changes made before a failure stay, and their watchers learn of them. */
  dispatch (store);
  return ok;
}

gboolean
ks_store_bind (KsStore *store, const char *ns, const char *name, const KsUid *uid, const char *node,
               GError **error)
{
  KsObject *current = ks_store_get (store, ks_kind_get (KS_KIND_POD), ns, name);
  g_autoptr (KsPod) pod = NULL;

  if (current == NULL || (uid != NULL && !ks_uid_equal (uid, &current->meta.uid)))
    {
      g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND, "pods \"%s\" not found", name);
      return FALSE;
    }
  if (KS_POD (current)->node_name != NULL)
    {
      g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_CONFLICT,
                   "pod %s is already assigned to node \"%s\"", name, KS_POD (current)->node_name);
      return FALSE;
    }
  if (ks_object_is_being_deleted (current))
    {
      g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_CONFLICT,
                   "pod %s is being deleted, cannot be assigned to a host", name);
      return FALSE;
    }
  pod = ks_pod_copy (KS_POD (current));
  pod->node_name = ks_intern (node);
  ks_pod_set_condition (pod, KS_POD_COND_SCHEDULED, KS_CONDITION_TRUE, NULL, NULL,
                        ks_clock_now (store->clock));
  if (!replace (store, current, KS_OBJECT (pod), error))
    return FALSE;
  dispatch (store);
  return TRUE;
}

/* Attaching and loading */

void
ks_store_set_backend (KsStore *store, KsStoreBackend *backend, gint64 epoch)
{
  g_return_if_fail (store->backend == NULL && backend != NULL);
  g_return_if_fail (store->resource_version == 0);
  store->backend = backend;
  store->epoch = epoch;
  for (guint i = 0; i < KS_N_KINDS; i++)
    {
      const KsKind *kind = ks_kind_get (i);
      store->kind_keys[i] = ks_store_backend_kind_key (kind->name, kind->group);
    }
}

typedef struct
{
  KsStore *store;
  guint64 max_resource_version;
} LoadData;

static gboolean
load_record (const KsBackendRecord *record, gpointer user_data, GError **error)
{
  LoadData *d = user_data;
  KsStore *store = d->store;
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) local = NULL;
  g_autoptr (KsDiag) diag = ks_diag_new ();
  g_autoptr (KsObject) obj = NULL;
  g_autofree char *key
      = g_strdup_printf ("%s %s%s%s", record->kind, record->namespace ? record->namespace : "",
                         record->namespace ? "/" : "", record->name);
  KsDecoder dec;

  if (!json_parser_load_from_data (parser, record->json, -1, &local))
    {
      g_set_error (error, KS_STORE_BACKEND_ERROR, KS_STORE_BACKEND_ERROR_CORRUPT,
                   "the stored object %s is not valid JSON: %s", key, local->message);
      return FALSE;
    }
  ks_decoder_init (&dec, NULL, diag);
  dec.mode = KS_DECODE_STORED;
  dec.epoch = store->epoch;
  obj = ks_object_decode (&dec, json_parser_get_root (parser), NULL);
  ks_decoder_clear (&dec);
  if (obj == NULL)
    {
      ks_diag_to_error (diag, &local);
      g_set_error (error, KS_STORE_BACKEND_ERROR, KS_STORE_BACKEND_ERROR_CORRUPT,
                   "the stored object %s cannot be read back: %s", key,
                   local != NULL ? local->message : "not an object");
      return FALSE;
    }
  if (strcmp (store->kind_keys[obj->kind->id], record->kind) != 0
      || g_strcmp0 (obj->meta.namespace, record->namespace) != 0
      || g_strcmp0 (obj->meta.name, record->name) != 0
      || obj->meta.resource_version != record->resource_version)
    {
      g_autofree char *other = ks_object_key (obj);
      g_set_error (error, KS_STORE_BACKEND_ERROR, KS_STORE_BACKEND_ERROR_CORRUPT,
                   "the record of %s (resourceVersion %" G_GUINT64_FORMAT
                   ") holds another object: %s %s (resourceVersion %" G_GUINT64_FORMAT ")",
                   key, record->resource_version, store->kind_keys[obj->kind->id], other,
                   obj->meta.resource_version);
      return FALSE;
    }
  if (g_tree_lookup (store->objects[obj->kind->id], &obj->meta) != NULL)
    {
      g_set_error (error, KS_STORE_BACKEND_ERROR, KS_STORE_BACKEND_ERROR_CORRUPT,
                   "%s is stored twice", key);
      return FALSE;
    }
  d->max_resource_version = MAX (d->max_resource_version, obj->meta.resource_version);
  index_dependents (store, obj, TRUE);
  g_tree_insert (store->objects[obj->kind->id], &obj->meta, obj);
  g_steal_pointer (&obj);
  return TRUE;
}

gboolean
ks_store_load (KsStore *store, GError **error)
{
  LoadData d = { store, 0 };
  guint64 last = 0;

  g_return_val_if_fail (store->backend != NULL, FALSE);
  g_return_val_if_fail (store->resource_version == 0, FALSE);
  if (!ks_store_backend_load (store->backend, load_record, &d, &last, error))
    {
      /* All or nothing: the store stays empty. */
      g_hash_table_remove_all (store->dependents);
      for (guint i = 0; i < KS_N_KINDS; i++)
        g_tree_remove_all (store->objects[i]);
      return FALSE;
    }
  /* The last change may have been a deletion, whose resourceVersion no object keeps. */
  store->resource_version = MAX (last, d.max_resource_version);
  return TRUE;
}
