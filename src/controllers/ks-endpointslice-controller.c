/* ks-endpointslice-controller.c: the EndpointSlice controller (pkg/controller/endpointslice and
 * staging/src/k8s.io/endpointslice, v1.32), for Services with a selector.
 *
 * Each pod of the Service's namespace that matches its selector, is not terminal and has an IP is
 * an endpoint: its address, the conditions ready (Ready and not terminating, or
 * publishNotReadyAddresses), serving (Ready, or publishNotReadyAddresses) and terminating (being
 * deleted), its node, the node's zone, its hostname when its subdomain is the Service's name, and
 * a targetRef.  Endpoints are grouped by their resolved ports (a named targetPort may resolve to
 * different numbers on different pods) into slices of at most 100, labelled
 * kubernetes.io/service-name and endpointslice.kubernetes.io/managed-by and owned by the Service
 * (so the garbage collector deletes them with it).  The reconciler keeps endpoints in the slice
 * that has them, updating them in place, fills slices that have room before creating new ones
 * (named by generateName "<service>-"), deletes slices left empty, and keeps one empty slice for
 * a Service without endpoints.  Nothing is written when nothing changed. */
#include "config.h"

#include <string.h>

#include "ks-controller-private.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pod.h"

struct _KsEndpointSliceController
{
  KsController c;
  guint pod_watch;       /* installed while some Service has a selector */
  GHashTable *selecting; /* "namespace/name" (owned) → KsStrMap* selector (ref) */
};

static void on_pod (const KsWatchEvent *event, gpointer data);

static void
update_pod_watch (KsEndpointSliceController *sc)
{
  gboolean wanted = g_hash_table_size (sc->selecting) > 0;

  if (wanted && sc->pod_watch == 0)
    sc->pod_watch
        = ks_client_watch (sc->c.client, ks_kind_get (KS_KIND_POD), NULL, TRUE, on_pod, sc, NULL);
  else if (!wanted && sc->pod_watch != 0)
    {
      ks_client_unwatch (sc->c.client, sc->pod_watch);
      sc->pod_watch = 0;
    }
}

static void
on_service (const KsWatchEvent *event, gpointer data)
{
  KsEndpointSliceController *sc = data;
  const KsService *svc = KS_SERVICE (event->object);
  char *key = ks_object_key (event->object);

  if (event->type == KS_WATCH_DELETED || svc->selector == NULL)
    g_hash_table_remove (sc->selecting, key);
  else
    g_hash_table_replace (sc->selecting, g_strdup (key), ks_str_map_ref (svc->selector));
  ks_workqueue_add (sc->c.queue, key);
  g_free (key);
  update_pod_watch (sc);
}

static gint
key_compare (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Enqueue the Services of the pod's namespace whose selector matches labels, in key order (not
 * the hash table's). */
static void
enqueue_selecting (KsEndpointSliceController *sc, const char *ns, const KsStrMap *labels)
{
  g_autoptr (GPtrArray) keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key, selector;
  size_t len = strlen (ns);

  g_hash_table_iter_init (&iter, sc->selecting);
  while (g_hash_table_iter_next (&iter, &key, &selector))
    if (strncmp (key, ns, len) == 0 && ((const char *) key)[len] == '/'
        && ks_str_map_is_subset (selector, labels))
      g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, key_compare);
  for (guint i = 0; i < keys->len; i++)
    ks_workqueue_add (sc->c.queue, g_ptr_array_index (keys, i));
}

static void
on_pod (const KsWatchEvent *event, gpointer data)
{
  KsEndpointSliceController *sc = data;
  const char *ns = event->object->meta.namespace;

  enqueue_selecting (sc, ns, event->object->meta.labels);
  if (event->type == KS_WATCH_MODIFIED
      && !ks_str_map_equal (event->old_object->meta.labels, event->object->meta.labels))
    enqueue_selecting (sc, ns, event->old_object->meta.labels);
}

/* A slice of a Service changed by someone else (or deleted): reconcile the Service again. */
static void
on_slice (const KsWatchEvent *event, gpointer data)
{
  KsEndpointSliceController *sc = data;
  const char *svc = ks_object_get_label (event->object, KS_LABEL_SERVICE_NAME);
  const char *by = ks_object_get_label (event->object, KS_LABEL_MANAGED_BY);
  g_autofree char *key = NULL;

  if (svc == NULL || g_strcmp0 (by, KS_ENDPOINTSLICE_CONTROLLER_NAME) != 0
      || event->type == KS_WATCH_ADDED)
    return;
  key = g_strdup_printf ("%s/%s", event->object->meta.namespace, svc);
  if (g_hash_table_contains (sc->selecting, key))
    ks_workqueue_add (sc->c.queue, key);
}

/* ---- desired endpoints --------------------------------------------------------------------- */

typedef struct
{
  char *key;         /* the resolved ports, "name/protocol/port,..." */
  GArray *ports;     /* KsSlicePort */
  GArray *endpoints; /* KsSliceEndpoint, pod name order */
} PortSet;

static void
port_set_free (gpointer p)
{
  PortSet *ps = p;
  g_free (ps->key);
  for (guint i = 0; i < ps->ports->len; i++)
    g_free (g_array_index (ps->ports, KsSlicePort, i).name);
  g_array_unref (ps->ports);
  for (guint i = 0; i < ps->endpoints->len; i++)
    ks_slice_endpoint_clear (&g_array_index (ps->endpoints, KsSliceEndpoint, i));
  g_array_unref (ps->endpoints);
  g_free (ps);
}

static char *
ports_key (const KsSlicePort *ports, guint n)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "%s/%s/%d,", ports[i].name ? ports[i].name : "", ports[i].protocol,
                            ports[i].port);
  return g_string_free (s, FALSE);
}

static gint
pod_name_compare (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(KsObject *const *) a)->meta.name, (*(KsObject *const *) b)->meta.name);
}

static PortSet *
port_set_for (GPtrArray *sets, const KsService *svc, const KsPod *pod)
{
  g_autoptr (GArray) ports = g_array_new (FALSE, TRUE, sizeof (KsSlicePort));
  g_autofree char *key = NULL;
  PortSet *ps;

  /* getEndpointPorts: a port whose targetPort the pod lacks is left out. */
  for (guint i = 0; i < svc->n_ports; i++)
    {
      KsSlicePort p = { 0 };
      gint32 port;
      if (!ks_service_port_resolve (&svc->ports[i], pod->spec, &port))
        continue;
      p.name = svc->ports[i].name;
      p.port = port;
      p.protocol = svc->ports[i].protocol;
      g_array_append_val (ports, p);
    }
  key = ports_key ((KsSlicePort *) ports->data, ports->len);
  for (guint i = 0; i < sets->len; i++)
    if (strcmp (((PortSet *) g_ptr_array_index (sets, i))->key, key) == 0)
      return g_ptr_array_index (sets, i);
  ps = g_new0 (PortSet, 1);
  ps->key = g_steal_pointer (&key);
  ps->ports = g_array_new (FALSE, TRUE, sizeof (KsSlicePort));
  for (guint i = 0; i < ports->len; i++)
    {
      KsSlicePort p = g_array_index (ports, KsSlicePort, i);
      p.name = g_strdup (p.name);
      g_array_append_val (ps->ports, p);
    }
  ps->endpoints = g_array_new (FALSE, TRUE, sizeof (KsSliceEndpoint));
  g_ptr_array_add (sets, ps);
  return ps;
}

static void
endpoint_for_pod (KsEndpointSliceController *sc, const KsService *svc, const KsPod *pod,
                  KsSliceEndpoint *e)
{
  const KsObject *obj = KS_OBJECT (pod);
  gboolean terminating = obj->meta.deletion_timestamp != KS_TIME_NONE;
  gboolean serving = svc->publish_not_ready_addresses || ks_pod_is_ready (pod);
  const char *addresses[] = { ks_pod_get_status_string (pod, KS_POD_POD_IP), NULL };

  memset (e, 0, sizeof *e);
  e->addresses = g_strdupv ((char **) addresses);
  e->ready = svc->publish_not_ready_addresses || (serving && !terminating);
  e->serving = serving;
  e->terminating = terminating;
  if (pod->spec->hostname != NULL
      && g_strcmp0 (pod->spec->subdomain, KS_OBJECT (svc)->meta.name) == 0)
    e->hostname = g_strdup (pod->spec->hostname);
  if (pod->node_name != NULL)
    {
      g_autoptr (KsObject) node
          = ks_client_get (sc->c.client, ks_kind_get (KS_KIND_NODE), NULL, pod->node_name, NULL);
      const char *zone
          = node != NULL ? ks_object_get_label (node, "topology.kubernetes.io/zone") : NULL;
      e->node_name = g_strdup (pod->node_name);
      e->zone = g_strdup (zone);
    }
  e->target_ref = g_new0 (KsObjectReference, 1);
  e->target_ref->kind = g_strdup ("Pod");
  e->target_ref->namespace = g_strdup (obj->meta.namespace);
  e->target_ref->name = g_strdup (obj->meta.name);
  e->target_ref->uid = obj->meta.uid;
}

/* The desired endpoints by port set, in order of the first pod (by name) of each. */
static GPtrArray *
desired (KsEndpointSliceController *sc, const KsService *svc)
{
  GPtrArray *sets = g_ptr_array_new_with_free_func (port_set_free);
  g_autoptr (GPtrArray) pods = ks_client_list (sc->c.client, ks_kind_get (KS_KIND_POD),
                                               KS_OBJECT (svc)->meta.namespace, NULL);

  if (pods == NULL)
    return sets;
  g_ptr_array_sort (pods, pod_name_compare);
  for (guint i = 0; i < pods->len; i++)
    {
      const KsPod *pod = g_ptr_array_index (pods, i);
      KsSliceEndpoint e;
      PortSet *ps;
      /* ShouldPodBeInEndpoints(pod, includeTerminating=true) */
      if (!ks_str_map_is_subset (svc->selector, KS_OBJECT (pod)->meta.labels)
          || ks_pod_is_terminal (pod) || ks_pod_get_status_string (pod, KS_POD_POD_IP) == NULL)
        continue;
      ps = port_set_for (sets, svc, pod);
      endpoint_for_pod (sc, svc, pod, &e);
      g_array_append_val (ps->endpoints, e);
    }
  return sets;
}

/* ---- reconciling ----------------------------------------------------------------------------- */

typedef struct
{
  KsEndpointSlice *slice; /* a copy being edited */
  char *key;              /* its ports' key */
  gboolean changed;
  gboolean keep;
} Existing;

static void
existing_clear (gpointer p)
{
  Existing *x = p;
  ks_object_unref (KS_OBJECT (x->slice));
  g_free (x->key);
}

static gint
slice_name_compare (gconstpointer a, gconstpointer b)
{
  return strcmp (((const Existing *) a)->slice->parent.meta.name,
                 ((const Existing *) b)->slice->parent.meta.name);
}

static gboolean
same_target (const KsSliceEndpoint *a, const KsSliceEndpoint *b)
{
  return a->target_ref != NULL && b->target_ref != NULL
         && ks_uid_equal (&a->target_ref->uid, &b->target_ref->uid);
}

static void
slice_set_endpoints (KsEndpointSlice *slice, GArray *endpoints)
{
  KsSliceEndpoint *copy = g_new0 (KsSliceEndpoint, MAX (endpoints->len, 1));
  for (guint i = 0; i < endpoints->len; i++)
    ks_slice_endpoint_copy (&copy[i], &g_array_index (endpoints, KsSliceEndpoint, i));
  ks_endpoint_slice_take_endpoints (slice, copy, endpoints->len);
}

static void
slice_set_ports (KsEndpointSlice *slice, GArray *ports)
{
  KsSlicePort *copy = g_new0 (KsSlicePort, MAX (ports->len, 1));
  for (guint i = 0; i < ports->len; i++)
    {
      copy[i] = g_array_index (ports, KsSlicePort, i);
      copy[i].name = g_strdup (copy[i].name);
    }
  ks_endpoint_slice_take_ports (slice, copy, ports->len);
}

static KsStrMap *
slice_labels (const KsService *svc)
{
  const KsStrMap *own = KS_OBJECT (svc)->meta.labels;
  KsStrMap *labels
      = own != NULL ? ks_str_map_ref ((KsStrMap *) own) : ks_str_map_new (NULL, NULL, 0);
  KsStrMap *next;

  next = ks_str_map_with (labels, KS_LABEL_SERVICE_NAME, KS_OBJECT (svc)->meta.name);
  ks_str_map_unref (labels);
  labels = ks_str_map_with (next, KS_LABEL_MANAGED_BY, KS_ENDPOINTSLICE_CONTROLLER_NAME);
  ks_str_map_unref (next);
  next = ks_str_map_with (labels, "service.kubernetes.io/headless",
                          ks_service_is_headless (svc) ? "" : NULL);
  ks_str_map_unref (labels);
  return next;
}

static gboolean
create_slice (KsEndpointSliceController *sc, const KsService *svc, GArray *ports, GArray *endpoints)
{
  g_autofree char *prefix = g_strdup_printf ("%s-", KS_OBJECT (svc)->meta.name);
  g_autoptr (KsEndpointSlice) slice
      = ks_endpoint_slice_new (KS_OBJECT (svc)->meta.namespace, NULL, prefix);
  g_autoptr (KsStrMap) labels = slice_labels (svc);
  g_autoptr (KsOwnerRefs) owners = ks_owner_refs_new_controller (KS_OBJECT (svc));
  g_autoptr (GError) error = NULL;
  KsObject *created;

  ks_object_set_labels (KS_OBJECT (slice), labels);
  ks_object_set_owner_refs (KS_OBJECT (slice), owners);
  slice_set_ports (slice, ports);
  slice_set_endpoints (slice, endpoints);
  created = ks_client_create (sc->c.client, KS_OBJECT (slice), &error);
  if (created == NULL)
    {
      g_message ("endpointslice: cannot create a slice of %s: %s", KS_OBJECT (svc)->meta.name,
                 error->message);
      return FALSE;
    }
  ks_object_unref (created);
  return TRUE;
}

static void
sync_service (const char *key, gpointer data)
{
  KsEndpointSliceController *sc = data;
  g_autofree char *ns = NULL;
  const char *name;
  g_autoptr (KsObject) obj = NULL;
  g_autoptr (GPtrArray) sets = NULL;
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GArray) existing = g_array_new (FALSE, TRUE, sizeof (Existing));
  const KsService *svc;
  gboolean ok = TRUE;
  guint n_desired = 0;

  ks_controller_split_key (key, &ns, &name);
  obj = ks_client_get (sc->c.client, ks_kind_get (KS_KIND_SERVICE), ns, name, NULL);
  /* A deleted Service's slices go with it (garbage collector); one without a selector is not
   * this controller's. */
  if (obj == NULL || ks_object_is_being_deleted (obj) || KS_SERVICE (obj)->selector == NULL)
    return;
  svc = KS_SERVICE (obj);
  sets = desired (sc, svc);
  g_array_set_clear_func (existing, existing_clear);
  all = ks_client_list (sc->c.client, ks_kind_get (KS_KIND_ENDPOINT_SLICE), ns, NULL);
  for (guint i = 0; all != NULL && i < all->len; i++)
    {
      KsObject *s = g_ptr_array_index (all, i);
      Existing x = { 0 };
      if (g_strcmp0 (ks_object_get_label (s, KS_LABEL_SERVICE_NAME), name) != 0
          || g_strcmp0 (ks_object_get_label (s, KS_LABEL_MANAGED_BY),
                        KS_ENDPOINTSLICE_CONTROLLER_NAME)
                 != 0
          || ks_object_is_being_deleted (s))
        continue;
      x.slice = KS_ENDPOINT_SLICE (ks_object_copy (s));
      x.key = ports_key (x.slice->ports, x.slice->n_ports);
      g_array_append_val (existing, x);
    }
  g_array_sort (existing, slice_name_compare);

  for (guint i = 0; i < sets->len; i++)
    {
      PortSet *ps = g_ptr_array_index (sets, i);
      g_autofree gboolean *placed = g_new0 (gboolean, MAX (ps->endpoints->len, 1));
      g_autoptr (GArray) rest = g_array_new (FALSE, TRUE, sizeof (KsSliceEndpoint));

      n_desired += ps->endpoints->len;
      /* Existing slices of this port set: keep their endpoints that are still wanted, updated. */
      for (guint j = 0; j < existing->len; j++)
        {
          Existing *x = &g_array_index (existing, Existing, j);
          g_autoptr (GArray) kept = NULL;
          if (strcmp (x->key, ps->key) != 0)
            continue;
          kept = g_array_new (FALSE, TRUE, sizeof (KsSliceEndpoint));
          for (guint k = 0; k < x->slice->n_endpoints; k++)
            {
              const KsSliceEndpoint *have = &x->slice->endpoints[k];
              gboolean found = FALSE;
              for (guint m = 0; m < ps->endpoints->len && !found; m++)
                {
                  const KsSliceEndpoint *want = &g_array_index (ps->endpoints, KsSliceEndpoint, m);
                  if (placed[m] || !same_target (have, want))
                    continue;
                  found = placed[m] = TRUE;
                  g_array_append_val (kept, *want);
                  if (!ks_slice_endpoint_equal (have, want))
                    x->changed = TRUE;
                }
              if (!found)
                x->changed = TRUE;
            }
          /* Fill it up with new endpoints while it has room. */
          for (guint m = 0; m < ps->endpoints->len && kept->len < KS_MAX_ENDPOINTS_PER_SLICE; m++)
            if (!placed[m])
              {
                placed[m] = TRUE;
                g_array_append_val (kept, g_array_index (ps->endpoints, KsSliceEndpoint, m));
                x->changed = TRUE;
              }
          x->keep = kept->len > 0;
          if (x->changed && x->keep)
            slice_set_endpoints (x->slice, kept);
        }
      for (guint m = 0; m < ps->endpoints->len; m++)
        if (!placed[m])
          g_array_append_val (rest, g_array_index (ps->endpoints, KsSliceEndpoint, m));
      for (guint start = 0; start < rest->len; start += KS_MAX_ENDPOINTS_PER_SLICE)
        {
          guint n = MIN (rest->len - start, KS_MAX_ENDPOINTS_PER_SLICE);
          g_autoptr (GArray) chunk = g_array_new (FALSE, TRUE, sizeof (KsSliceEndpoint));
          g_array_append_vals (chunk, &g_array_index (rest, KsSliceEndpoint, start), n);
          ok &= create_slice (sc, svc, ps->ports, chunk);
        }
    }
  /* No endpoints at all: one empty slice stands for the Service (the placeholder). */
  if (n_desired == 0)
    {
      g_autoptr (GArray) none = g_array_new (FALSE, TRUE, sizeof (KsSliceEndpoint));
      g_autoptr (GArray) no_ports = g_array_new (FALSE, TRUE, sizeof (KsSlicePort));
      if (existing->len == 0)
        ok &= create_slice (sc, svc, no_ports, none);
      else
        {
          Existing *x = &g_array_index (existing, Existing, 0);
          x->keep = TRUE;
          x->changed = x->slice->n_endpoints > 0 || x->slice->n_ports > 0;
          slice_set_endpoints (x->slice, none);
          slice_set_ports (x->slice, no_ports);
        }
    }
  for (guint j = 0; j < existing->len; j++)
    {
      Existing *x = &g_array_index (existing, Existing, j);
      g_autoptr (GError) error = NULL;
      if (!x->keep)
        {
          if (!ks_client_delete (sc->c.client, ks_kind_get (KS_KIND_ENDPOINT_SLICE), ns,
                                 x->slice->parent.meta.name, NULL, &error)
              && !g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
            ok = FALSE;
        }
      else if (x->changed)
        {
          KsObject *updated = ks_client_update (sc->c.client, KS_OBJECT (x->slice), &error);
          if (updated == NULL)
            ok = FALSE;
          else
            ks_object_unref (updated);
        }
    }
  if (!ok)
    ks_workqueue_add_after (sc->c.queue, key, KS_USEC_PER_SEC);
}

KsEndpointSliceController *
ks_endpointslice_controller_new (KsClient *client, KsClock *clock, KsEventSink *sink)
{
  KsEndpointSliceController *sc = g_new0 (KsEndpointSliceController, 1);

  ks_controller_init (&sc->c, client, clock, sink, "endpointslice-controller", sync_service, sc);
  sc->selecting
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) ks_str_map_unref);
  sc->c.watches[sc->c.n_watches++]
      = ks_client_watch (client, ks_kind_get (KS_KIND_SERVICE), NULL, TRUE, on_service, sc, NULL);
  sc->c.watches[sc->c.n_watches++] = ks_client_watch (client, ks_kind_get (KS_KIND_ENDPOINT_SLICE),
                                                      NULL, TRUE, on_slice, sc, NULL);
  return sc;
}

void
ks_endpointslice_controller_free (KsEndpointSliceController *sc)
{
  if (sc == NULL)
    return;
  if (sc->pod_watch != 0)
    ks_client_unwatch (sc->c.client, sc->pod_watch);
  ks_controller_clear (&sc->c);
  g_hash_table_unref (sc->selecting);
  g_free (sc);
}
