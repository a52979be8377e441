/* ks-endpoints-controller.c: the Endpoints controller (pkg/controller/endpoint, v1.32).
 *
 * For every Service with a selector it keeps an Endpoints object of the same name: the pods of
 * the Service's namespace that match the selector and are members (not terminal, with a pod IP,
 * not terminating unless publishNotReadyAddresses), ready ones in addresses and the others in
 * notReadyAddresses (all in addresses with publishNotReadyAddresses), one subset per set of
 * addresses sharing the same ports (RepackSubsets), at most 1000 addresses.  The Endpoints is
 * written only when it changes, and deleted with its Service; Services without a selector are
 * left alone (their Endpoints are written by hand).
 *
 * Kubernetes orders ports and subsets by the MD5 of go-spew's "%#v" dump of each
 * (pkg/api/v1/endpoints SortSubsets); the dump is rebuilt here byte for byte, so kubesim's
 * Endpoints list ports and subsets in the order a real cluster does.
 *
 * A pod change must not cost a pass over every Service: the controller indexes the Services
 * with a selector by namespace and by the first pair of their selector, so a pod's labels lead
 * to the few Services that can select it (GetPodServiceMemberships without the list).  While no
 * Service has a selector (a sim run without Services) it does not watch pods at all: the watch
 * starts, replaying every pod, when the first such Service appears, and stops with the last. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ks-controller-private.h"
#include "src/api/ks-service.h"

#define MAX_CAPACITY 1000
#define MAX_RETRIES 15
#define RETRY_BASE_DELAY (5 * KS_USEC_PER_MSEC)
#define LABEL_HEADLESS "service.kubernetes.io/headless"
#define ANNOTATION_OVER_CAPACITY "endpoints.kubernetes.io/over-capacity"
#define ANNOTATION_TRIGGER_TIME "endpoints.kubernetes.io/last-change-trigger-time"

/* A Service with a selector, as indexed. */
typedef struct
{
  char *key;          /* "namespace/name" */
  const char *ns;     /* interned */
  KsStrMap *selector; /* not empty */
  char *index_key;    /* "namespace/label=value" of the selector's first pair */
} Selecting;

/* The trigger time tracker's state of one Service (endpointsliceutil.TriggerTimeTracker). */
typedef struct
{
  GHashTable *pods;    /* pod name → gint64 * (Ready's lastTransitionTime, whole seconds) */
  gint64 service_time; /* the Service's creationTimestamp (whole seconds) */
} TriggerState;

struct _KsEndpointsController
{
  KsController c;
  gint64 epoch;
  GHashTable *selecting; /* service key → Selecting */
  GHashTable *index; /* index key → GTree (service key → Selecting *), sorted for determinism */
  GHashTable *ns_counts; /* interned namespace → number of Selecting in it */
  GHashTable *triggers;  /* service key → TriggerState */
  GHashTable *failures;  /* service key → number of failed syncs in a row */
  GString *scratch;
  guint pod_watch; /* while some Service has a selector; else 0 */
};

static void
selecting_free (gpointer p)
{
  Selecting *s = p;

  g_free (s->key);
  ks_str_map_unref (s->selector);
  g_free (s->index_key);
  g_free (s);
}

static void
trigger_state_free (gpointer p)
{
  TriggerState *t = p;

  g_hash_table_unref (t->pods);
  g_free (t);
}

static gboolean
has_selector (const KsService *svc)
{
  /* An empty selector does not survive the API's storage (protobuf drops empty maps): it is no
   * selector. */
  return ks_str_map_size (svc->selector) > 0;
}

/* ---- the index of selecting Services ------------------------------------------------------- */

static void
unindex_service (KsEndpointsController *ec, const char *key)
{
  Selecting *s = g_hash_table_lookup (ec->selecting, key);
  GTree *tree;
  guint n;

  if (s == NULL)
    return;
  tree = g_hash_table_lookup (ec->index, s->index_key);
  g_tree_remove (tree, s->key);
  if (g_tree_nnodes (tree) == 0)
    g_hash_table_remove (ec->index, s->index_key);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (ec->ns_counts, s->ns));
  if (n <= 1)
    g_hash_table_remove (ec->ns_counts, s->ns);
  else
    g_hash_table_insert (ec->ns_counts, (gpointer) s->ns, GUINT_TO_POINTER (n - 1));
  g_hash_table_remove (ec->selecting, key);
}

static gint
key_compare (gconstpointer a, gconstpointer b, gpointer unused)
{
  return strcmp (a, b);
}

static void
index_service (KsEndpointsController *ec, const KsService *svc, const char *key)
{
  Selecting *s;
  GTree *tree;
  const char *ns = svc->parent.meta.namespace;

  if (!has_selector (svc))
    return;
  s = g_new0 (Selecting, 1);
  s->key = g_strdup (key);
  s->ns = ns;
  s->selector = ks_str_map_ref (svc->selector);
  s->index_key = g_strdup_printf ("%s/%s=%s", ns, ks_str_map_key (svc->selector, 0),
                                  ks_str_map_value (svc->selector, 0));
  g_hash_table_insert (ec->selecting, s->key, s);
  tree = g_hash_table_lookup (ec->index, s->index_key);
  if (tree == NULL)
    {
      tree = g_tree_new_full (key_compare, NULL, NULL, NULL);
      g_hash_table_insert (ec->index, g_strdup (s->index_key), tree);
    }
  g_tree_insert (tree, s->key, s);
  g_hash_table_insert (
      ec->ns_counts, (gpointer) ns,
      GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (ec->ns_counts, ns)) + 1));
}

typedef struct
{
  const KsStrMap *labels;
  GPtrArray *out;
} CollectData;

static gboolean
collect_matching (gpointer key, gpointer value, gpointer data)
{
  CollectData *d = data;
  Selecting *s = value;

  if (ks_str_map_is_subset (s->selector, d->labels))
    g_ptr_array_add (d->out, s->key);
  return FALSE;
}

static gint
key_ptr_compare (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The keys of the Services of namespace ns whose selector matches labels, sorted (borrowed from
 * the index: use before the index changes).  Each Service is indexed under its first selector
 * pair, which a matching pod has, so it is found once. */
static GPtrArray *
services_selecting (KsEndpointsController *ec, const char *ns, const KsStrMap *labels)
{
  CollectData d = { labels, g_ptr_array_new () };

  if (!g_hash_table_contains (ec->ns_counts, ns))
    return d.out;
  for (guint i = 0; i < ks_str_map_size (labels); i++)
    {
      GTree *tree;
      g_string_printf (ec->scratch, "%s/%s=%s", ns, ks_str_map_key (labels, i),
                       ks_str_map_value (labels, i));
      tree = g_hash_table_lookup (ec->index, ec->scratch->str);
      if (tree != NULL)
        g_tree_foreach (tree, collect_matching, &d);
    }
  g_ptr_array_sort (d.out, key_ptr_compare);
  return d.out;
}

/* ---- watches -------------------------------------------------------------------------------- */

static void
enqueue_all (KsEndpointsController *ec, GPtrArray *keys)
{
  for (guint i = 0; i < keys->len; i++)
    ks_workqueue_add (ec->c.queue, g_ptr_array_index (keys, i));
}

static void on_pod (const KsWatchEvent *event, gpointer data);

/* Watch pods only while they matter. */
static void
update_pod_watch (KsEndpointsController *ec)
{
  gboolean wanted = g_hash_table_size (ec->selecting) > 0;

  if (wanted && ec->pod_watch == 0)
    ec->pod_watch
        = ks_client_watch (ec->c.client, ks_kind_get (KS_KIND_POD), NULL, TRUE, on_pod, ec, NULL);
  else if (!wanted && ec->pod_watch != 0)
    {
      ks_client_unwatch (ec->c.client, ec->pod_watch);
      ec->pod_watch = 0;
    }
}

static void
on_service (const KsWatchEvent *event, gpointer data)
{
  KsEndpointsController *ec = data;
  const KsService *svc = KS_SERVICE (event->object);
  g_autofree char *key = ks_object_key (event->object);

  if (event->type == KS_WATCH_DELETED)
    unindex_service (ec, key);
  else if (event->type == KS_WATCH_ADDED
           || !ks_str_map_equal (KS_SERVICE (event->old_object)->selector, svc->selector))
    {
      unindex_service (ec, key);
      index_service (ec, svc, key);
    }
  ks_workqueue_add (ec->c.queue, key);
  update_pod_watch (ec);
}

static gboolean
strings_equal (const char *a, const char *b)
{
  return g_strcmp0 (a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* podEndpointsChanged's first answer: whether the pod's own endpoint may have changed.  A
 * deletionTimestamp counts whenever either version has one (Kubernetes compares the pointers,
 * which differ between two decoded versions); a change to or from a terminal phase counts too,
 * which Kubernetes leaves to the readiness change that comes with it. */
static gboolean
pod_endpoint_changed (const KsPod *old, const KsPod *pod)
{
  return old->parent.meta.deletion_timestamp != KS_TIME_NONE
         || pod->parent.meta.deletion_timestamp != KS_TIME_NONE
         || ks_pod_is_ready (old) != ks_pod_is_ready (pod)
         || !strings_equal (ks_pod_get_status_string (old, KS_POD_POD_IP),
                            ks_pod_get_status_string (pod, KS_POD_POD_IP))
         || ks_pod_is_terminal (old) != ks_pod_is_terminal (pod);
}

/* Sorted key sets a and b merged: their union, or (symmetric) the keys in exactly one. */
static GPtrArray *
merge_keys (GPtrArray *a, GPtrArray *b, gboolean symmetric)
{
  GPtrArray *out = g_ptr_array_new ();
  guint i = 0, j = 0;

  while (i < a->len || j < b->len)
    {
      int cmp = i == a->len   ? 1
                : j == b->len ? -1
                              : strcmp (g_ptr_array_index (a, i), g_ptr_array_index (b, j));
      if (cmp == 0)
        {
          if (!symmetric)
            g_ptr_array_add (out, g_ptr_array_index (a, i));
          i++;
          j++;
        }
      else if (cmp < 0)
        g_ptr_array_add (out, g_ptr_array_index (a, i++));
      else
        g_ptr_array_add (out, g_ptr_array_index (b, j++));
    }
  return out;
}

static void
on_pod (const KsWatchEvent *event, gpointer data)
{
  KsEndpointsController *ec = data;
  const KsPod *pod = KS_POD (event->object);
  const char *ns = event->object->meta.namespace;
  g_autoptr (GPtrArray) keys = NULL;

  /* No Service selects anything in this namespace. */
  if (!g_hash_table_contains (ec->ns_counts, ns))
    return;
  keys = services_selecting (ec, ns, event->object->meta.labels);
  if (event->type == KS_WATCH_MODIFIED)
    {
      /* GetServicesToUpdateOnPodChange. */
      const KsPod *old = KS_POD (event->old_object);
      gboolean changed = pod_endpoint_changed (old, pod);
      gboolean labels_changed
          = !ks_str_map_equal (event->old_object->meta.labels, event->object->meta.labels)
            || !strings_equal (old->spec->hostname, pod->spec->hostname)
            || !strings_equal (old->spec->subdomain, pod->spec->subdomain);

      if (!changed && !labels_changed)
        return;
      if (labels_changed)
        {
          g_autoptr (GPtrArray) before
              = services_selecting (ec, ns, event->old_object->meta.labels);
          GPtrArray *merged = merge_keys (keys, before, !changed);
          g_ptr_array_unref (keys);
          keys = merged;
        }
    }
  enqueue_all (ec, keys);
}

static void
on_endpoints (const KsWatchEvent *event, gpointer data)
{
  KsEndpointsController *ec = data;
  g_autofree char *key = NULL;

  /* An Endpoints deleted under a Service is written again by the next sync. */
  if (event->type != KS_WATCH_DELETED)
    return;
  key = ks_object_key (event->object);
  ks_workqueue_add (ec->c.queue, key);
}

/* ---- the trigger time --------------------------------------------------------------------- */

/* A time as the API carries it (metav1.Time: whole seconds of Unix time), in cluster µs. */
static gint64
api_time (KsEndpointsController *ec, gint64 t)
{
  gint64 unix_us = t + ec->epoch;
  gint64 floor_us = (unix_us >= 0 ? unix_us / KS_USEC_PER_SEC
                                  : -((-unix_us + KS_USEC_PER_SEC - 1) / KS_USEC_PER_SEC))
                    * KS_USEC_PER_SEC;
  return floor_us - ec->epoch;
}

static gint64
min_time (gint64 current, gint64 t)
{
  return current == KS_TIME_NONE || t < current ? t : current;
}

/* ComputeEndpointLastChangeTriggerTime: the earliest trigger time (a selected pod's Ready
 * transition, the Service's creation) that changed since the last sync of the Service; its
 * creation time on the first sync; KS_TIME_NONE when nothing changed. */
static gint64
compute_trigger_time (KsEndpointsController *ec, const char *key, const KsService *svc,
                      GPtrArray *pods)
{
  TriggerState *old = g_hash_table_lookup (ec->triggers, key);
  TriggerState *state = g_new0 (TriggerState, 1);
  gint64 changed = KS_TIME_NONE, created;

  state->pods = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < pods->len; i++)
    {
      const KsPod *pod = g_ptr_array_index (pods, i);
      const KsCondition *ready = &pod->conditions[KS_POD_COND_READY];
      gint64 t, *before;

      if (ready->status == KS_CONDITION_UNSET)
        continue;
      t = api_time (ec, ready->last_transition_time);
      g_hash_table_insert (state->pods, g_strdup (pod->parent.meta.name), g_memdup2 (&t, sizeof t));
      before = old != NULL ? g_hash_table_lookup (old->pods, pod->parent.meta.name) : NULL;
      if (before == NULL || t > *before)
        changed = min_time (changed, t);
    }
  created = api_time (ec, svc->parent.meta.creation_timestamp);
  if (old == NULL || created > old->service_time)
    changed = min_time (changed, created);
  state->service_time = created;
  g_hash_table_replace (ec->triggers, g_strdup (key), state);
  return old == NULL ? created : changed;
}

/* ---- building the subsets ----------------------------------------------------------------- */

/* One address: a member pod. */
typedef struct
{
  const KsPod *pod;
  const char *ip;
  gboolean set_hostname;
  char uid[KS_UID_STRING_LEN];
  guint rank; /* position in address order (IP bytes, then UID) */
} Address;

typedef struct
{
  guint address;
  gboolean ready;
} Member;

/* One distinct EndpointPort and the addresses that offer it.  port -1 is RepackSubsets'
 * sentinel for a headless Service without ports. */
typedef struct
{
  const char *name; /* borrowed from the Service; NULL when unset */
  gint32 port;
  const char *protocol; /* static */
  GArray *members;      /* Member, sorted by address rank once complete */
  char *hash;           /* MD5 of the spew dump (real ports) */
} PortSet;

static void
port_set_free (gpointer p)
{
  PortSet *ps = p;

  g_array_unref (ps->members);
  g_free (ps->hash);
  g_free (ps);
}

static gint
address_compare (gconstpointer pa, gconstpointer pb)
{
  const Address *a = *(const Address *const *) pa, *b = *(const Address *const *) pb;
  int c = strcmp (a->ip, b->ip);

  return c != 0 ? c : strcmp (a->uid, b->uid);
}

static gint
member_compare (gconstpointer pa, gconstpointer pb, gpointer data)
{
  const Member *a = pa, *b = pb;
  const Address *addresses = data;
  guint ra = addresses[a->address].rank, rb = addresses[b->address].rank;

  return ra < rb ? -1 : ra > rb;
}

/* go-spew's "%#v" of the v1 types (DisableMethods, no pointer addresses): what
 * hashutil.DeepHashObject feeds MD5.  Strings are written raw, pointers as "(*T)" and their
 * value or "<nil>", nil slices as "<nil>", struct fields as "Name:(type)value". */
static void
spew_address (GString *s, const KsEndpointAddress *a)
{
  g_string_append_printf (s, "{IP:(string)%s Hostname:(string)%s NodeName:", a->ip,
                          a->hostname != NULL ? a->hostname : "");
  if (a->node_name != NULL)
    g_string_append_printf (s, "(*string)%s", a->node_name);
  else
    g_string_append (s, "(*string)<nil>");
  g_string_append (s, " TargetRef:");
  if (a->target_ref != NULL)
    {
      const KsObjectReference *r = a->target_ref;
      char uid[KS_UID_STRING_LEN] = "";

      if (ks_uid_is_set (&r->uid))
        ks_uid_to_string (&r->uid, uid);
      g_string_append_printf (s,
                              "(*v1.ObjectReference){Kind:(string)%s Namespace:(string)%s "
                              "Name:(string)%s UID:(types.UID)%s APIVersion:(string)%s "
                              "ResourceVersion:(string)%s FieldPath:(string)%s}",
                              r->kind ? r->kind : "", r->namespace ? r->namespace : "",
                              r->name ? r->name : "", uid, r->api_version ? r->api_version : "",
                              r->resource_version ? r->resource_version : "",
                              r->field_path ? r->field_path : "");
    }
  else
    g_string_append (s, "(*v1.ObjectReference)<nil>");
  g_string_append_c (s, '}');
}

static void
spew_addresses (GString *s, const KsEndpointAddress *a, guint n)
{
  g_string_append (s, "([]v1.EndpointAddress)");
  if (n == 0)
    {
      g_string_append (s, "<nil>");
      return;
    }
  g_string_append_c (s, '[');
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (s, ' ');
      spew_address (s, &a[i]);
    }
  g_string_append_c (s, ']');
}

static void
spew_port (GString *s, const KsEndpointPort *p)
{
  g_string_append_printf (s,
                          "{Name:(string)%s Port:(int32)%d Protocol:(v1.Protocol)%s "
                          "AppProtocol:(*string)<nil>}",
                          p->name != NULL ? p->name : "", p->port, p->protocol);
}

char *
ks_endpoint_port_hash (const KsEndpointPort *p)
{
  g_autoptr (GString) s = g_string_new ("(v1.EndpointPort)");

  spew_port (s, p);
  return g_compute_checksum_for_string (G_CHECKSUM_MD5, s->str, s->len);
}

char *
ks_endpoint_subset_hash (const KsEndpointSubset *subset)
{
  g_autoptr (GString) s = g_string_new ("(v1.EndpointSubset){Addresses:");

  spew_addresses (s, subset->addresses, subset->n_addresses);
  g_string_append (s, " NotReadyAddresses:");
  spew_addresses (s, subset->not_ready_addresses, subset->n_not_ready_addresses);
  g_string_append (s, " Ports:([]v1.EndpointPort)");
  if (subset->n_ports == 0)
    g_string_append (s, "<nil>");
  else
    {
      g_string_append_c (s, '[');
      for (guint i = 0; i < subset->n_ports; i++)
        {
          if (i > 0)
            g_string_append_c (s, ' ');
          spew_port (s, &subset->ports[i]);
        }
      g_string_append_c (s, ']');
    }
  g_string_append_c (s, '}');
  return g_compute_checksum_for_string (G_CHECKSUM_MD5, s->str, s->len);
}

static void
address_fill (KsEndpointAddress *out, const Address *a)
{
  const KsPod *pod = a->pod;

  out->ip = g_strdup (a->ip);
  out->hostname = a->set_hostname ? g_strdup (pod->spec->hostname) : NULL;
  /* &pod.Spec.NodeName: always set, "" for an unbound pod. */
  out->node_name = g_strdup (pod->node_name != NULL ? pod->node_name : "");
  out->target_ref = g_new0 (KsObjectReference, 1);
  out->target_ref->kind = g_strdup ("Pod");
  out->target_ref->namespace = g_strdup (pod->parent.meta.namespace);
  out->target_ref->name = g_strdup (pod->parent.meta.name);
  out->target_ref->uid = pod->parent.meta.uid;
}

typedef struct
{
  KsEndpointSubset subset;
  char *hash;
} HashedSubset;

static gint
port_set_compare (gconstpointer pa, gconstpointer pb)
{
  const PortSet *a = *(const PortSet *const *) pa, *b = *(const PortSet *const *) pb;
  return strcmp (a->hash, b->hash);
}

static gint
hashed_subset_compare (gconstpointer pa, gconstpointer pb)
{
  return strcmp (((const HashedSubset *) pa)->hash, ((const HashedSubset *) pb)->hash);
}

/* The member pods' addresses on each distinct port, repacked (RepackSubsets, SortSubsets): ports
 * offered by the same addresses with the same readiness share a subset.  Returns the subsets
 * (a new array, *n of them). */
static KsEndpointSubset *
repack (Address *addresses, guint n_addresses, GPtrArray *port_sets, guint *n)
{
  g_autoptr (GPtrArray) order = g_ptr_array_new ();
  g_autoptr (GHashTable) groups
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  g_autoptr (GPtrArray) group_list = g_ptr_array_new ();
  g_autoptr (GString) key = g_string_new (NULL);
  g_autoptr (GArray) out = g_array_new (FALSE, TRUE, sizeof (HashedSubset));
  KsEndpointSubset *result;

  for (guint i = 0; i < n_addresses; i++)
    g_ptr_array_add (order, &addresses[i]);
  g_ptr_array_sort (order, address_compare);
  for (guint i = 0; i < order->len; i++)
    ((Address *) g_ptr_array_index (order, i))->rank = i;

  /* Group the ports by their (sorted) addresses and readiness. */
  for (guint i = 0; i < port_sets->len; i++)
    {
      PortSet *ps = g_ptr_array_index (port_sets, i);
      GPtrArray *group;

      g_array_sort_with_data (ps->members, member_compare, addresses);
      g_string_truncate (key, 0);
      for (guint j = 0; j < ps->members->len; j++)
        {
          const Member *m = &g_array_index (ps->members, Member, j);
          g_string_append_printf (key, "%u%c", addresses[m->address].rank, m->ready ? '+' : '-');
        }
      group = g_hash_table_lookup (groups, key->str);
      if (group == NULL)
        {
          group = g_ptr_array_new ();
          g_hash_table_insert (groups, g_strdup (key->str), group);
          g_ptr_array_add (group_list, group);
        }
      g_ptr_array_add (group, ps);
    }

  for (guint i = 0; i < group_list->len; i++)
    {
      GPtrArray *group = g_ptr_array_index (group_list, i);
      const PortSet *first = g_ptr_array_index (group, 0);
      HashedSubset hs = { { 0 }, NULL };
      KsEndpointSubset *s = &hs.subset;
      g_autoptr (GPtrArray) real = g_ptr_array_new ();
      guint n_ready = 0;

      for (guint j = 0; j < first->members->len; j++)
        n_ready += g_array_index (first->members, Member, j).ready ? 1 : 0;
      s->addresses = g_new0 (KsEndpointAddress, MAX (n_ready, 1));
      s->not_ready_addresses = g_new0 (KsEndpointAddress, MAX (first->members->len - n_ready, 1));
      for (guint j = 0; j < first->members->len; j++)
        {
          const Member *m = &g_array_index (first->members, Member, j);
          if (m->ready)
            address_fill (&s->addresses[s->n_addresses++], &addresses[m->address]);
          else
            address_fill (&s->not_ready_addresses[s->n_not_ready_addresses++],
                          &addresses[m->address]);
        }
      for (guint j = 0; j < group->len; j++)
        {
          PortSet *ps = g_ptr_array_index (group, j);
          if (ps->port > 0) /* not the sentinel */
            g_ptr_array_add (real, ps);
        }
      g_ptr_array_sort (real, port_set_compare);
      s->ports = g_new0 (KsEndpointPort, MAX (real->len, 1));
      for (guint j = 0; j < real->len; j++)
        {
          const PortSet *ps = g_ptr_array_index (real, j);
          s->ports[j] = (KsEndpointPort){ g_strdup (ps->name), ps->port, ps->protocol };
        }
      s->n_ports = real->len;
      hs.hash = ks_endpoint_subset_hash (s);
      g_array_append_val (out, hs);
    }
  g_array_sort (out, hashed_subset_compare);

  *n = out->len;
  result = g_new0 (KsEndpointSubset, MAX (out->len, 1));
  for (guint i = 0; i < out->len; i++)
    {
      HashedSubset *hs = &g_array_index (out, HashedSubset, i);
      result[i] = hs->subset;
      g_free (hs->hash);
    }
  return result;
}

/* truncateEndpoints: keep at most 1000 addresses, ready ones first, each subset's share in
 * proportion to its size (rounded up, the last ones taking what is left).  Subsets left without
 * any address are dropped (Kubernetes would write them and fail validation).  TRUE when it
 * truncated. */
static gboolean
truncate_subsets (KsEndpointSubset *subsets, guint *n)
{
  guint total_ready = 0, total_not_ready = 0, kept = 0;
  gboolean truncate_ready;
  gint max, num_total, can_be_added;

  for (guint i = 0; i < *n; i++)
    {
      total_ready += subsets[i].n_addresses;
      total_not_ready += subsets[i].n_not_ready_addresses;
    }
  if (total_ready + total_not_ready <= MAX_CAPACITY)
    return FALSE;
  truncate_ready = total_ready > MAX_CAPACITY;
  max = truncate_ready ? MAX_CAPACITY : MAX_CAPACITY - (gint) total_ready;
  num_total = truncate_ready ? (gint) total_ready : (gint) total_not_ready;
  can_be_added = max;
  for (guint i = 0; i < *n; i++)
    {
      KsEndpointSubset *s = &subsets[i];
      guint in_subset = truncate_ready ? s->n_addresses : s->n_not_ready_addresses;
      gint to_be_added = (gint) ceil (((double) in_subset / (double) num_total) * (double) max);

      to_be_added = MIN (to_be_added, can_be_added);
      if (truncate_ready)
        {
          while (s->n_addresses > (guint) to_be_added)
            ks_endpoint_address_clear (&s->addresses[--s->n_addresses]);
          while (s->n_not_ready_addresses > 0)
            ks_endpoint_address_clear (&s->not_ready_addresses[--s->n_not_ready_addresses]);
          can_be_added -= (gint) s->n_addresses;
        }
      else
        {
          while (s->n_not_ready_addresses > (guint) to_be_added)
            ks_endpoint_address_clear (&s->not_ready_addresses[--s->n_not_ready_addresses]);
          can_be_added -= (gint) s->n_not_ready_addresses;
        }
    }
  for (guint i = 0; i < *n; i++)
    {
      if (subsets[i].n_addresses == 0 && subsets[i].n_not_ready_addresses == 0)
        ks_endpoint_subset_clear (&subsets[i]);
      else
        subsets[kept++] = subsets[i];
    }
  *n = kept;
  return TRUE;
}

/* ---- comparing ---------------------------------------------------------------------------- */

/* ObjectReferences equal apart from resourceVersion (semanticIgnoreResourceVersion). */
static gboolean
refs_equal (const KsObjectReference *a, const KsObjectReference *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return strings_equal (a->kind, b->kind) && strings_equal (a->namespace, b->namespace)
         && strings_equal (a->name, b->name) && ks_uid_equal (&a->uid, &b->uid)
         && strings_equal (a->api_version, b->api_version)
         && strings_equal (a->field_path, b->field_path);
}

static gboolean
addresses_equal (const KsEndpointAddress *a, guint na, const KsEndpointAddress *b, guint nb)
{
  if (na != nb)
    return FALSE;
  for (guint i = 0; i < na; i++)
    if (!strings_equal (a[i].ip, b[i].ip)
        || !strings_equal (a[i].hostname, b[i].hostname)
        /* nodeName is a pointer: unset differs from "" */
        || g_strcmp0 (a[i].node_name, b[i].node_name) != 0
        || !refs_equal (a[i].target_ref, b[i].target_ref))
      return FALSE;
  return TRUE;
}

/* endpointSubsetsEqualIgnoreResourceVersion (Semantic.DeepEqual: nil and empty lists equal). */
static gboolean
subsets_equal (const KsEndpointSubset *a, guint na, const KsEndpointSubset *b, guint nb)
{
  if (na != nb)
    return FALSE;
  for (guint i = 0; i < na; i++)
    {
      if (!addresses_equal (a[i].addresses, a[i].n_addresses, b[i].addresses, b[i].n_addresses)
          || !addresses_equal (a[i].not_ready_addresses, a[i].n_not_ready_addresses,
                               b[i].not_ready_addresses, b[i].n_not_ready_addresses)
          || a[i].n_ports != b[i].n_ports)
        return FALSE;
      for (guint j = 0; j < a[i].n_ports; j++)
        if (!strings_equal (a[i].ports[j].name, b[i].ports[j].name)
            || a[i].ports[j].port != b[i].ports[j].port
            || g_strcmp0 (a[i].ports[j].protocol, b[i].ports[j].protocol) != 0)
          return FALSE;
    }
  return TRUE;
}

static guint
count_addresses (const KsEndpoints *ep)
{
  guint n = 0;

  for (guint i = 0; i < ep->n_subsets; i++)
    n += ep->subsets[i].n_addresses + ep->subsets[i].n_not_ready_addresses;
  return n;
}

/* ---- the sync ------------------------------------------------------------------------------ */

static void
forget (KsEndpointsController *ec, const char *key)
{
  g_hash_table_remove (ec->failures, key);
}

/* handleErr: retry after 5 ms × 2^n, n failures so far, at most 15 times. */
static void
retry (KsEndpointsController *ec, const char *key)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (ec->failures, key));

  if (n >= MAX_RETRIES)
    {
      g_debug ("endpoints of service %s: dropped after %u failed syncs", key, n);
      forget (ec, key);
      return;
    }
  g_hash_table_replace (ec->failures, g_strdup (key), GUINT_TO_POINTER (n + 1));
  ks_workqueue_add_after (ec->c.queue, key, RETRY_BASE_DELAY << n);
}

/* The pod's address for the Service: its IP of the Service's family (the ClusterIP's, or for a
 * headless Service the pod IP's own).  NULL when it has none. */
static const char *
pod_address (const KsService *svc, const KsPod *pod)
{
  const char *ip = ks_pod_get_status_string (pod, KS_POD_POD_IP);
  gboolean want_v6;

  if (ip == NULL || ip[0] == '\0')
    return NULL;
  if (svc->cluster_ip != NULL && svc->cluster_ip[0] != '\0' && !ks_service_is_headless (svc))
    want_v6 = strchr (svc->cluster_ip, ':') != NULL;
  else
    want_v6 = strchr (ip, ':') != NULL;
  return (strchr (ip, ':') != NULL) == want_v6 ? ip : NULL;
}

static PortSet *
port_set_get (GHashTable *by_key, GPtrArray *port_sets, const char *name, gint32 port,
              const char *protocol)
{
  g_autofree char *key = g_strdup_printf ("%s/%d/%s", name != NULL ? name : "", port, protocol);
  PortSet *ps = g_hash_table_lookup (by_key, key);

  if (ps == NULL)
    {
      ps = g_new0 (PortSet, 1);
      ps->name = name;
      ps->port = port;
      ps->protocol = protocol;
      ps->members = g_array_new (FALSE, FALSE, sizeof (Member));
      if (port > 0)
        {
          KsEndpointPort p = { (char *) name, port, protocol };
          ps->hash = ks_endpoint_port_hash (&p);
        }
      g_hash_table_insert (by_key, g_steal_pointer (&key), ps);
      g_ptr_array_add (port_sets, ps);
    }
  return ps;
}

/* The Endpoints the Service should have: its subsets (*n of them). */
static KsEndpointSubset *
compute_subsets (const KsService *svc, GPtrArray *pods, guint *n)
{
  g_autofree Address *addresses = g_new0 (Address, MAX (pods->len, 1));
  g_autoptr (GPtrArray) port_sets = g_ptr_array_new_with_free_func (port_set_free);
  g_autoptr (GHashTable) by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n_addresses = 0;
  gboolean headless = ks_service_is_headless (svc);
  const char *svc_name = svc->parent.meta.name;

  for (guint i = 0; i < pods->len; i++)
    {
      const KsPod *pod = g_ptr_array_index (pods, i);
      const char *ip;
      Address *a;
      gboolean ready;

      /* ShouldPodBeInEndpoints */
      if (ks_pod_is_terminal (pod)
          || (!svc->publish_not_ready_addresses && ks_object_is_being_deleted (KS_OBJECT (pod))))
        continue;
      if ((ip = pod_address (svc, pod)) == NULL)
        continue;
      a = &addresses[n_addresses];
      a->pod = pod;
      a->ip = ip;
      ks_uid_to_string (&pod->parent.meta.uid, a->uid);
      /* ShouldSetHostname */
      a->set_hostname = pod->spec->hostname != NULL && pod->spec->hostname[0] != '\0'
                        && g_strcmp0 (pod->spec->subdomain, svc_name) == 0;
      ready = svc->publish_not_ready_addresses || ks_pod_is_ready (pod);
      if (svc->n_ports == 0)
        {
          /* A headless Service may have no ports. */
          if (!headless)
            continue;
          g_array_append_val (port_set_get (by_key, port_sets, NULL, -1, "")->members,
                              ((Member){ n_addresses, ready }));
        }
      for (guint j = 0; j < svc->n_ports; j++)
        {
          const KsServicePort *sp = &svc->ports[j];
          gint32 port;
          if (!ks_service_port_resolve (sp, pod->spec, &port))
            continue;
          g_array_append_val (
              port_set_get (by_key, port_sets, sp->name, port, sp->protocol)->members,
              ((Member){ n_addresses, ready }));
        }
      n_addresses++;
    }
  return repack (addresses, n_addresses, port_sets, n);
}

/* The labels an Endpoints gets: the Service's, and the headless label when it has no ClusterIP
 * (!IsServiceIPSet). */
static KsStrMap *
endpoints_labels (const KsService *svc)
{
  gboolean ip_set
      = svc->cluster_ip != NULL && svc->cluster_ip[0] != '\0' && !ks_service_is_headless (svc);

  return ks_str_map_with (svc->parent.meta.labels, LABEL_HEADLESS, ip_set ? NULL : "");
}

static void
record_failure (KsEndpointsController *ec, KsEndpoints *ep, gboolean create, const char *ns,
                const char *name, const GError *error)
{
  if (create)
    {
      /* Kubernetes' new Endpoints names no namespace (the request's path does), so the event is
       * about an Endpoints without one. */
      g_autoptr (KsEndpoints) unnamespaced = ks_endpoints_new (NULL, name);
      ks_event_record (&ec->c.events, KS_OBJECT (unnamespaced), TRUE, "FailedToCreateEndpoint",
                       NULL, "Failed to create endpoint for service %s/%s: %s", ns, name,
                       error->message);
    }
  else
    ks_event_record (&ec->c.events, KS_OBJECT (ep), TRUE, "FailedToUpdateEndpoint", NULL,
                     "Failed to update endpoint %s/%s: %s", ns, name, error->message);
}

static void
subsets_free (KsEndpointSubset *subsets, guint n)
{
  for (guint i = 0; i < n; i++)
    ks_endpoint_subset_clear (&subsets[i]);
  g_free (subsets);
}

static gboolean
pod_selected (gconstpointer pod, gconstpointer selector)
{
  return ks_str_map_is_subset (selector, KS_OBJECT (pod)->meta.labels);
}

static void
sync_service (const char *key, gpointer data)
{
  KsEndpointsController *ec = data;
  g_autofree char *ns = NULL;
  const char *name;
  g_autoptr (KsObject) obj = NULL;
  g_autoptr (KsObject) current_obj = NULL;
  g_autoptr (GPtrArray) pods = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (KsStrMap) labels = NULL;
  g_autoptr (KsStrMap) compare_labels = NULL;
  g_autoptr (KsStrMap) annotations = NULL;
  const KsService *svc;
  KsEndpoints *current, *ep;
  KsEndpointSubset *subsets;
  KsObject *written;
  guint n_subsets;
  gboolean create;
  gint64 trigger;

  ks_controller_split_key (key, &ns, &name);
  obj = ks_client_get (ec->c.client, ks_kind_get (KS_KIND_SERVICE), ns, name, &error);
  if (obj == NULL)
    {
      if (!g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
        {
          retry (ec, key);
          return;
        }
      /* The Service is gone: so is its Endpoints. */
      g_clear_error (&error);
      if (!ks_client_delete (ec->c.client, ks_kind_get (KS_KIND_ENDPOINTS), ns, name, NULL, &error)
          && !g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
        {
          retry (ec, key);
          return;
        }
      g_hash_table_remove (ec->triggers, key);
      forget (ec, key);
      return;
    }
  svc = KS_SERVICE (obj);
  if (!has_selector (svc))
    {
      forget (ec, key);
      return;
    }

  pods = ks_client_list (ec->c.client, ks_kind_get (KS_KIND_POD), ns, &error);
  if (pods == NULL)
    {
      retry (ec, key);
      return;
    }
  for (guint i = pods->len; i-- > 0;)
    if (!pod_selected (g_ptr_array_index (pods, i), svc->selector))
      g_ptr_array_remove_index (pods, i);
  trigger = compute_trigger_time (ec, key, svc, pods);
  subsets = compute_subsets (svc, pods, &n_subsets);

  current_obj = ks_client_get (ec->c.client, ks_kind_get (KS_KIND_ENDPOINTS), ns, name, &error);
  if (current_obj == NULL && !g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
    {
      subsets_free (subsets, n_subsets);
      retry (ec, key);
      return;
    }
  g_clear_error (&error);
  current = KS_ENDPOINTS (current_obj);
  create = current == NULL;
  labels = endpoints_labels (svc);
  if (!create)
    {
      compare_labels = ks_str_map_with (current->parent.meta.labels, LABEL_HEADLESS, NULL);
      if (subsets_equal (current->subsets, current->n_subsets, subsets, n_subsets)
          && ks_str_map_equal (compare_labels, svc->parent.meta.labels)
          && count_addresses (current) <= MAX_CAPACITY
          && ks_object_get_annotation (current_obj, ANNOTATION_OVER_CAPACITY) == NULL)
        {
          subsets_free (subsets, n_subsets);
          forget (ec, key);
          return;
        }
    }

  ep = create ? ks_endpoints_new (ns, name) : KS_ENDPOINTS (ks_object_copy (current_obj));
  annotations = create ? NULL : ks_str_map_ref (current->parent.meta.annotations);
  if (trigger != KS_TIME_NONE)
    {
      g_autofree char *text = ks_time_format_rfc3339 (trigger, ec->epoch);
      KsStrMap *with = ks_str_map_with (annotations, ANNOTATION_TRIGGER_TIME, text);
      ks_str_map_unref (annotations);
      annotations = with;
    }
  else
    {
      KsStrMap *without = ks_str_map_with (annotations, ANNOTATION_TRIGGER_TIME, NULL);
      ks_str_map_unref (annotations);
      annotations = without;
    }
  {
    gboolean truncated = truncate_subsets (subsets, &n_subsets);
    KsStrMap *with
        = ks_str_map_with (annotations, ANNOTATION_OVER_CAPACITY, truncated ? "truncated" : NULL);
    ks_str_map_unref (annotations);
    annotations = with;
  }
  ks_endpoints_take_subsets (ep, subsets, n_subsets);
  ks_object_set_labels (KS_OBJECT (ep), labels);
  ks_object_set_annotations (KS_OBJECT (ep), annotations);

  /* An update that changes nothing (an over-capacity Endpoints synced again) is a no-op for the
   * API server: no new resourceVersion, no watch event.  Skip it here. */
  if (!create && subsets_equal (current->subsets, current->n_subsets, ep->subsets, ep->n_subsets)
      && ks_str_map_equal (current->parent.meta.labels, ep->parent.meta.labels)
      && ks_str_map_equal (current->parent.meta.annotations, ep->parent.meta.annotations))
    {
      ks_object_unref (KS_OBJECT (ep));
      forget (ec, key);
      return;
    }

  written = create ? ks_client_create (ec->c.client, KS_OBJECT (ep), &error)
                   : ks_client_update (ec->c.client, KS_OBJECT (ep), &error);
  if (written != NULL)
    {
      ks_object_unref (written);
      ks_object_unref (KS_OBJECT (ep));
      forget (ec, key);
      return;
    }
  /* A namespace being deleted takes no new Endpoints: drop the Service (it goes too). */
  if (create && g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_FORBIDDEN))
    {
      ks_object_unref (KS_OBJECT (ep));
      forget (ec, key);
      return;
    }
  record_failure (ec, ep, create, ns, name, error);
  ks_object_unref (KS_OBJECT (ep));
  retry (ec, key);
}

/* checkLeftoverEndpoints: an Endpoints left from a Service deleted while the controller was not
 * running is deleted by the sync of its key. */
static void
check_leftover_endpoints (KsEndpointsController *ec)
{
  g_autoptr (GPtrArray) list
      = ks_client_list (ec->c.client, ks_kind_get (KS_KIND_ENDPOINTS), NULL, NULL);

  if (list == NULL)
    return;
  for (guint i = 0; i < list->len; i++)
    {
      KsObject *ep = g_ptr_array_index (list, i);
      g_autofree char *key = NULL;
      /* Leader-election records (several controller managers) have no Service: keep them. */
      if (ks_object_get_annotation (ep, "control-plane.alpha.kubernetes.io/leader") != NULL)
        continue;
      key = ks_object_key (ep);
      ks_workqueue_add (ec->c.queue, key);
    }
}

KsEndpointsController *
ks_endpoints_controller_new (KsClient *client, KsClock *clock, KsEventSink *sink, gint64 epoch)
{
  KsEndpointsController *ec = g_new0 (KsEndpointsController, 1);

  ks_controller_init (&ec->c, client, clock, sink, "endpoint-controller", sync_service, ec);
  ec->epoch = epoch;
  ec->selecting = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, selecting_free);
  ec->index
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_tree_unref);
  ec->ns_counts = g_hash_table_new (g_direct_hash, g_direct_equal);
  ec->triggers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, trigger_state_free);
  ec->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ec->scratch = g_string_new (NULL);
  /* The pod watch follows (update_pod_watch). */
  ec->c.watches[ec->c.n_watches++]
      = ks_client_watch (client, ks_kind_get (KS_KIND_SERVICE), NULL, TRUE, on_service, ec, NULL);
  ec->c.watches[ec->c.n_watches++] = ks_client_watch (client, ks_kind_get (KS_KIND_ENDPOINTS), NULL,
                                                      FALSE, on_endpoints, ec, NULL);
  check_leftover_endpoints (ec);
  return ec;
}

void
ks_endpoints_controller_free (KsEndpointsController *ec)
{
  if (ec == NULL)
    return;
  if (ec->pod_watch != 0)
    ks_client_unwatch (ec->c.client, ec->pod_watch);
  ks_controller_clear (&ec->c);
  g_hash_table_unref (ec->index);
  g_hash_table_unref (ec->selecting);
  g_hash_table_unref (ec->ns_counts);
  g_hash_table_unref (ec->triggers);
  g_hash_table_unref (ec->failures);
  g_string_free (ec->scratch, TRUE);
  g_free (ec);
}
