/* test-endpoints.c: the Endpoints controller on a store, a store client and the simulated clock.
 *
 * Pods are created in the store and given a node, a pod IP and a Ready condition by hand (no
 * kubelet), so every address is known.  Expectations are worked out from reference §7.2 and
 * Kubernetes' endpoints controller (v1.32):
 *
 *  - members: not terminal, with a pod IP, no deletionTimestamp (unless publishNotReadyAddresses);
 *    ready ones in addresses, the others in notReadyAddresses (all in addresses when
 *    publishNotReadyAddresses);
 *  - addresses sorted by IP (as strings: "10.244.1.10" < "10.244.1.2"), then pod UID;
 *  - ports of a subset and the subsets themselves in the order of the MD5 of go-spew's dump.  The
 *    dumps' hashes below were computed with go-spew 1.1.1 and Go's crypto/md5 on the same
 *    values: http:8080/TCP fc51ca70..., metrics:9100/TCP 7cafeb32..., so metrics comes first;
 *  - at most 1000 addresses: not-ready ones go first, each subset keeping ceil(its share).
 *
 * Each test reads the Endpoints as a line per subset: "A=<ip>/<pod> ... N=... P=<name>:<port>/
 * <protocol> ...". */
#include "config.h"

#include <string.h>

#include "sim/ks-sim-clock.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-service.h"
#include "src/controllers/ks-controller-private.h"
#include "src/controllers/ks-controllers.h"
#include "src/store/ks-client.h"
#include "src/store/ks-store.h"
#include "tests/ks-test.h"

#define SEC KS_USEC_PER_SEC
/* 2025-01-01T00:00:00Z: the Unix time of clock time 0 in these tests. */
#define EPOCH (G_GINT64_CONSTANT (1735689600) * SEC)

/* ---- a client that counts the pod lists (the index test) ---------------------------------- */

typedef struct
{
  KsClient parent;
  KsClient *inner;
  guint pod_lists;
  GHashTable *pod_watches; /* ids of the pod watches open */
} CountingClient;

#define INNER(self) (((CountingClient *) (self))->inner)

static KsObject *
c_get (KsClient *self, const KsKind *kind, const char *ns, const char *name, GError **error)
{
  return ks_client_get (INNER (self), kind, ns, name, error);
}

static GPtrArray *
c_list (KsClient *self, const KsKind *kind, const char *ns, GError **error)
{
  if (kind->id == KS_KIND_POD)
    ((CountingClient *) self)->pod_lists++;
  return ks_client_list (INNER (self), kind, ns, error);
}

static GPtrArray *
c_list_dependents (KsClient *self, const KsKind *kind, const KsObject *owner, GError **error)
{
  return ks_client_list_dependents (INNER (self), kind, owner, error);
}

static KsObject *
c_create (KsClient *self, KsObject *obj, GError **error)
{
  return ks_client_create (INNER (self), obj, error);
}

static KsObject *
c_update (KsClient *self, KsObject *obj, GError **error)
{
  return ks_client_update (INNER (self), obj, error);
}

static KsObject *
c_update_status (KsClient *self, KsObject *obj, GError **error)
{
  return ks_client_update_status (INNER (self), obj, error);
}

static gboolean
c_delete (KsClient *self, const KsKind *kind, const char *ns, const char *name,
          const KsDeleteOptions *options, GError **error)
{
  return ks_client_delete (INNER (self), kind, ns, name, options, error);
}

static gboolean
c_bind (KsClient *self, const KsPod *pod, const char *node, GError **error)
{
  return ks_client_bind (INNER (self), pod, node, error);
}

static guint
c_watch (KsClient *self, const KsKind *kind, const char *node_name, gboolean replay,
         KsWatchFunc func, gpointer user_data, GDestroyNotify destroy)
{
  guint id = ks_client_watch (INNER (self), kind, node_name, replay, func, user_data, destroy);

  if (kind != NULL && kind->id == KS_KIND_POD)
    g_hash_table_add (((CountingClient *) self)->pod_watches, GUINT_TO_POINTER (id));
  return id;
}

static void
c_unwatch (KsClient *self, guint id)
{
  g_hash_table_remove (((CountingClient *) self)->pod_watches, GUINT_TO_POINTER (id));
  ks_client_unwatch (INNER (self), id);
}

static void
c_free (KsClient *self)
{
  ks_client_free (INNER (self));
  g_hash_table_unref (((CountingClient *) self)->pod_watches);
  g_free (self);
}

static const KsClientOps counting_ops = {
  c_get,    c_list, c_list_dependents, c_create,  c_update, c_update_status,
  c_delete, c_bind, c_watch,           c_unwatch, c_free,
};

/* ---- fixture -------------------------------------------------------------------------------- */

typedef struct
{
  KsSimClock *sim;
  KsStore *store;
  CountingClient *client;
  KsTestSink sink;
  KsControllerManager *manager;
} Fixture;

static void
start_controllers (Fixture *f)
{
  KsControllerOptions options;

  ks_controller_options_init (&options);
  options.epoch = EPOCH;
  /* The resourceVersions counted here are the Endpoints controller's writes. */
  options.endpoint_slices = FALSE;
  f->manager = ks_controller_manager_new_full (&f->client->parent, ks_sim_clock_get_clock (f->sim),
                                               &f->sink.parent, &options);
}

static void
fixture_setup_bare (Fixture *f, gconstpointer data)
{
  f->sim = ks_sim_clock_new ();
  f->store = ks_store_new (ks_sim_clock_get_clock (f->sim), 1);
  f->client = g_new0 (CountingClient, 1);
  f->client->parent.ops = &counting_ops;
  f->client->inner = ks_store_client_new (f->store);
  f->client->pod_watches = g_hash_table_new (g_direct_hash, g_direct_equal);
  ks_test_sink_init (&f->sink);
  ks_test_create (f->store, KS_OBJECT (ks_namespace_new ("default")));
  ks_test_create (f->store, KS_OBJECT (ks_namespace_new ("other")));
  ks_test_create (f->store, KS_OBJECT (ks_node_new ("node-1")));
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  fixture_setup_bare (f, data);
  start_controllers (f);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ks_controller_manager_free (f->manager);
  ks_client_free (&f->client->parent);
  ks_store_free (f->store);
  ks_sim_clock_free (f->sim);
  ks_test_sink_clear (&f->sink);
}

static gint64
now (Fixture *f)
{
  return ks_clock_now (ks_sim_clock_get_clock (f->sim));
}

/* Let the controllers work for a second. */
static void
settle (Fixture *f)
{
  ks_sim_clock_run_until (f->sim, now (f) + SEC);
}

static KsObject *
get (Fixture *f, KsKindId kind, const char *ns, const char *name)
{
  return ks_store_get (f->store, ks_kind_get (kind), ns, name);
}

static guint64
rv (Fixture *f)
{
  return ks_store_get_resource_version (f->store);
}

/* A Service from YAML in "default". */
static void
add_service (Fixture *f, const char *yaml)
{
  ks_test_create (f->store, ks_test_decode (yaml));
}

/* A pod named name in ns with labels (a flow mapping's inside, "app: web") and container ports
 * (a flow sequence's inside, or "" for none), bound to node-1, Running, with pod IP ip (NULL:
 * none) and Ready ready. */
static void
add_pod_full (Fixture *f, const char *ns, const char *name, const char *labels, const char *ports,
              const char *ip, gboolean ready, const char *extra_spec)
{
  g_autofree char *yaml
      = g_strdup_printf ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\n  namespace: %s\n"
                         "  labels: {%s}\nspec:\n%s  containers:\n  - name: c\n    image: nginx\n"
                         "    ports: [%s]\n",
                         name, ns, labels, extra_spec != NULL ? extra_spec : "", ports);
  g_autoptr (GError) error = NULL;
  KsPod *copy;

  ks_test_create (f->store, ks_test_decode (yaml));
  g_assert_true (ks_store_bind (f->store, ns, name, NULL, "node-1", &error));
  g_assert_no_error (error);
  copy = KS_POD (ks_object_copy (get (f, KS_KIND_POD, ns, name)));
  copy->phase = KS_POD_RUNNING;
  ks_pod_set_status_string (copy, KS_POD_POD_IP, ip);
  ks_pod_set_condition (copy, KS_POD_COND_READY, ready ? KS_CONDITION_TRUE : KS_CONDITION_FALSE,
                        NULL, NULL, now (f));
  g_assert_nonnull (ks_store_update (f->store, KS_OBJECT (copy), TRUE, &error));
  g_assert_no_error (error);
  ks_object_unref (KS_OBJECT (copy));
}

static void
add_pod (Fixture *f, const char *name, const char *labels, const char *ip, gboolean ready)
{
  add_pod_full (f, "default", name, labels, "{name: http, containerPort: 8080}", ip, ready, NULL);
}

typedef void (*PodChange) (KsPod *pod, gpointer data);

static void
update_pod (Fixture *f, const char *name, PodChange change, gpointer data, gboolean status)
{
  g_autoptr (GError) error = NULL;
  KsPod *copy = KS_POD (ks_object_copy (get (f, KS_KIND_POD, "default", name)));

  change (copy, data);
  g_assert_nonnull (ks_store_update (f->store, KS_OBJECT (copy), status, &error));
  g_assert_no_error (error);
  ks_object_unref (KS_OBJECT (copy));
}

/* A change to the pod's metadata (labels, annotations). */
static void
change_pod (Fixture *f, const char *name, PodChange change, gpointer data)
{
  update_pod (f, name, change, data, FALSE);
}

/* A change to its status (the status subresource, as the kubelet writes it). */
static void
change_status (Fixture *f, const char *name, PodChange change, gpointer data)
{
  update_pod (f, name, change, data, TRUE);
}

static void
set_labels (KsPod *pod, gpointer data)
{
  g_autoptr (KsStrMap) labels = ks_str_map_new_pairs ("app", data, NULL);
  ks_object_set_labels (KS_OBJECT (pod), labels);
}

static void
set_ready (KsPod *pod, gpointer data)
{
  /* data: the time */
  ks_pod_set_condition (pod, KS_POD_COND_READY, KS_CONDITION_TRUE, NULL, NULL,
                        *(const gint64 *) data);
}

static void
set_ip (KsPod *pod, gpointer data)
{
  ks_pod_set_status_string (pod, KS_POD_POD_IP, data);
}

static void
set_annotation (KsPod *pod, gpointer data)
{
  ks_object_set_annotation (KS_OBJECT (pod), "note", data);
}

static void
set_phase (KsPod *pod, gpointer data)
{
  pod->phase = GPOINTER_TO_INT (data);
}

static void
append_addresses (GString *s, const char *tag, const KsEndpointAddress *a, guint n)
{
  g_string_append_printf (s, "%s=", tag);
  for (guint i = 0; i < n; i++)
    {
      g_string_append_printf (s, "%s%s/%s", i > 0 ? "," : "", a[i].ip, a[i].target_ref->name);
      if (a[i].hostname != NULL)
        g_string_append_printf (s, "(%s)", a[i].hostname);
    }
}

/* The Endpoints name in ns as "A=ip/pod,... N=... P=name:port/protocol,..." per subset, joined
 * by " | "; NULL when there is none.  Checks every address's node and target reference. */
static char *
endpoints_string (Fixture *f, const char *ns, const char *name)
{
  KsObject *obj = get (f, KS_KIND_ENDPOINTS, ns, name);
  const KsEndpoints *ep = KS_ENDPOINTS (obj);
  GString *s;

  if (obj == NULL)
    return NULL;
  s = g_string_new (NULL);
  for (guint i = 0; i < ep->n_subsets; i++)
    {
      const KsEndpointSubset *sub = &ep->subsets[i];
      for (guint pass = 0; pass < 2; pass++)
        {
          const KsEndpointAddress *a = pass == 0 ? sub->addresses : sub->not_ready_addresses;
          guint n = pass == 0 ? sub->n_addresses : sub->n_not_ready_addresses;
          for (guint j = 0; j < n; j++)
            {
              const KsObject *pod = get (f, KS_KIND_POD, ns, a[j].target_ref->name);
              g_assert_nonnull (pod);
              g_assert_cmpstr (a[j].node_name, ==, "node-1");
              g_assert_cmpstr (a[j].target_ref->kind, ==, "Pod");
              g_assert_cmpstr (a[j].target_ref->namespace, ==, ns);
              g_assert_true (ks_uid_equal (&a[j].target_ref->uid, &pod->meta.uid));
              g_assert_null (a[j].target_ref->resource_version);
            }
        }
      if (i > 0)
        g_string_append (s, " | ");
      append_addresses (s, "A", sub->addresses, sub->n_addresses);
      g_string_append_c (s, ' ');
      append_addresses (s, "N", sub->not_ready_addresses, sub->n_not_ready_addresses);
      g_string_append (s, " P=");
      for (guint j = 0; j < sub->n_ports; j++)
        g_string_append_printf (s, "%s%s:%d/%s", j > 0 ? "," : "",
                                sub->ports[j].name != NULL ? sub->ports[j].name : "",
                                sub->ports[j].port, sub->ports[j].protocol);
    }
  return g_string_free (s, FALSE);
}

static const char web_service[] = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"
                                  "  labels: {tier: front}\n"
                                  "spec:\n  selector: {app: web}\n"
                                  "  ports:\n  - port: 80\n    targetPort: 8080\n";

/* ---- membership ------------------------------------------------------------------------------ */

/* Six pods carry app=web: a (ready), b (not ready), c (terminating), d (Succeeded), e (no IP),
 * and g in another namespace; f has another label.  Only a and b are members. */
static void
make_members (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  add_pod (f, "a", "app: web", "10.244.1.5", TRUE);
  add_pod (f, "b", "app: web", "10.244.1.4", FALSE);
  add_pod (f, "c", "app: web", "10.244.1.3", TRUE);
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "c", NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (get (f, KS_KIND_POD, "default", "c")); /* graceful: still there */
  add_pod (f, "d", "app: web", "10.244.1.2", FALSE);
  change_status (f, "d", set_phase, GINT_TO_POINTER (KS_POD_SUCCEEDED));
  add_pod (f, "e", "app: web", NULL, TRUE);
  add_pod (f, "f", "app: api", "10.244.1.6", TRUE);
  add_pod_full (f, "other", "g", "app: web", "", "10.244.1.7", TRUE, NULL);
}

static void
test_members (Fixture *f, gconstpointer data)
{
  g_autofree char *text = NULL;
  const KsObject *ep;

  make_members (f);
  add_service (f, web_service);
  settle (f);
  text = endpoints_string (f, "default", "web");
  g_assert_cmpstr (text, ==, "A=10.244.1.5/a N=10.244.1.4/b P=:8080/TCP");
  ep = get (f, KS_KIND_ENDPOINTS, "default", "web");
  /* The Service's labels, no headless label (it has a ClusterIP), the trigger time = the
   * Service's creation (first sync). */
  g_assert_cmpuint (ks_str_map_size (ep->meta.labels), ==, 1);
  g_assert_cmpstr (ks_object_get_label (ep, "tier"), ==, "front");
  g_assert_cmpstr (
      ks_object_get_annotation (ep, "endpoints.kubernetes.io/last-change-trigger-time"), ==,
      "2025-01-01T00:00:00Z");
  g_assert_null (ks_object_get_annotation (ep, "endpoints.kubernetes.io/over-capacity"));
  g_assert_null (ep->meta.owner_refs);
  /* No events: nothing failed. */
  g_assert_cmpuint (f->sink.lines->len, ==, 0);
}

static void
test_publish_not_ready (Fixture *f, gconstpointer data)
{
  g_autofree char *text = NULL;

  make_members (f);
  add_service (f, "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"
                  "spec:\n  selector: {app: web}\n  publishNotReadyAddresses: true\n"
                  "  ports:\n  - port: 80\n    targetPort: 8080\n");
  settle (f);
  /* Not ready (b) and terminating (c) pods are addresses; terminal (d) and IP-less (e) are not. */
  text = endpoints_string (f, "default", "web");
  g_assert_cmpstr (text, ==, "A=10.244.1.3/c,10.244.1.4/b,10.244.1.5/a N= P=:8080/TCP");
}

/* Readiness, terminal phase and IP changes move a pod in and out. */
static void
test_pod_changes (Fixture *f, gconstpointer data)
{
  g_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL, *t4 = NULL;
  gint64 t = 5 * SEC;

  add_service (f, web_service);
  add_pod (f, "a", "app: web", "10.244.1.10", FALSE);
  add_pod (f, "b", "app: web", "10.244.1.9", TRUE);
  settle (f);
  t1 = endpoints_string (f, "default", "web");
  g_assert_cmpstr (t1, ==, "A=10.244.1.9/b N=10.244.1.10/a P=:8080/TCP");
  change_status (f, "a", set_ready, &t);
  settle (f);
  t2 = endpoints_string (f, "default", "web");
  g_assert_cmpstr (t2, ==, "A=10.244.1.10/a,10.244.1.9/b N= P=:8080/TCP");
  change_status (f, "b", set_ip, "10.244.1.1");
  settle (f);
  t3 = endpoints_string (f, "default", "web");
  g_assert_cmpstr (t3, ==, "A=10.244.1.1/b,10.244.1.10/a N= P=:8080/TCP");
  change_status (f, "a", set_phase, GINT_TO_POINTER (KS_POD_FAILED));
  settle (f);
  t4 = endpoints_string (f, "default", "web");
  g_assert_cmpstr (t4, ==, "A=10.244.1.1/b N= P=:8080/TCP");
}

/* ---- ports ------------------------------------------------------------------------------------
 */

/* The hashes of go-spew dumps, computed with Go (see the top of the file). */
static void
test_spew_hashes (void)
{
  KsEndpointPort http = { "http", 8080, "TCP" }, dns = { NULL, 53, "UDP" };
  KsObjectReference ref = { .kind = "Pod", .namespace = "default", .name = "web-1" };
  KsEndpointAddress a = { "10.244.1.2", NULL, "node-1", &ref };
  KsEndpointAddress b = { "10.244.1.3", "h", "", NULL };
  KsEndpointAddress ab[2] = { a, b };
  KsEndpointPort ports[2] = { http, dns };
  KsEndpointSubset s1 = { ab, 2, NULL, 0, ports, 2 };
  KsEndpointSubset s2 = { NULL, 0, &b, 1, NULL, 0 };
  g_autofree char *h1 = NULL, *h2 = NULL, *h3 = NULL, *h4 = NULL;

  g_assert_true (ks_uid_parse ("6ba7b810-9dad-41d1-80b4-00c04fd430c8", &ref.uid));
  h1 = ks_endpoint_port_hash (&http);
  h2 = ks_endpoint_port_hash (&dns);
  h3 = ks_endpoint_subset_hash (&s1);
  h4 = ks_endpoint_subset_hash (&s2);
  g_assert_cmpstr (h1, ==, "fc51ca7087ce52e70c38709727f8f0b6");
  g_assert_cmpstr (h2, ==, "13ff1dbe1aeea2ffc4a4bb8c4b5b9275");
  g_assert_cmpstr (h3, ==, "8ac8d97dd7ce23c8b6c31bf8fe93fdd4");
  g_assert_cmpstr (h4, ==, "7b750a585f8c455907bf060ff5bbdab3");
}

/* Two Service ports offered by every pod: one subset, metrics before http (by hash). */
static void
test_port_order (Fixture *f, gconstpointer data)
{
  g_autofree char *text = NULL;

  add_service (f, "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"
                  "spec:\n  selector: {app: web}\n  ports:\n"
                  "  - {name: http, port: 80, targetPort: 8080}\n"
                  "  - {name: metrics, port: 9100}\n");
  add_pod (f, "a", "app: web", "10.244.1.3", TRUE);
  add_pod (f, "b", "app: web", "10.244.1.2", FALSE);
  settle (f);
  text = endpoints_string (f, "default", "web");
  g_assert_cmpstr (text, ==, "A=10.244.1.3/a N=10.244.1.2/b P=metrics:9100/TCP,http:8080/TCP");
}

/* A named targetPort resolves per pod: two port numbers make two subsets, ordered by the hash of
 * the whole subset; a pod without the port is left out; a sidecar's port counts. */
static void
test_named_ports (Fixture *f, gconstpointer data)
{
  g_autofree char *text = NULL;
  g_autofree char *h0 = NULL, *h1 = NULL;
  const KsEndpoints *ep;

  add_service (f, "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"
                  "spec:\n  selector: {app: web}\n  ports:\n"
                  "  - {name: web, port: 80, targetPort: http}\n");
  add_pod (f, "a", "app: web", "10.244.1.2", TRUE);
  add_pod_full (f, "default", "b", "app: web", "{name: http, containerPort: 9090}", "10.244.1.3",
                TRUE, NULL);
  add_pod_full (f, "default", "c", "app: web", "{name: http, containerPort: 8080}", "10.244.1.4",
                FALSE, NULL);
  /* The port on a UDP container port of that name does not count. */
  add_pod_full (f, "default", "d", "app: web", "{name: http, containerPort: 8080, protocol: UDP}",
                "10.244.1.5", TRUE, NULL);
  add_pod_full (f, "default", "e", "app: web", "", "10.244.1.6", TRUE,
                "  initContainers:\n  - name: proxy\n    image: envoy\n"
                "    restartPolicy: Always\n    ports: [{name: http, containerPort: 9090}]\n");
  settle (f);
  ep = KS_ENDPOINTS (get (f, KS_KIND_ENDPOINTS, "default", "web"));
  g_assert_cmpuint (ep->n_subsets, ==, 2);
  h0 = ks_endpoint_subset_hash (&ep->subsets[0]);
  h1 = ks_endpoint_subset_hash (&ep->subsets[1]);
  g_assert_cmpstr (h0, <, h1);
  text = endpoints_string (f, "default", "web");
  if (ep->subsets[0].ports[0].port == 8080)
    g_assert_cmpstr (text, ==,
                     "A=10.244.1.2/a N=10.244.1.4/c P=web:8080/TCP | "
                     "A=10.244.1.3/b,10.244.1.6/e N= P=web:9090/TCP");
  else
    g_assert_cmpstr (text, ==,
                     "A=10.244.1.3/b,10.244.1.6/e N= P=web:9090/TCP | "
                     "A=10.244.1.2/a N=10.244.1.4/c P=web:8080/TCP");
}

/* A headless Service without ports: addresses without ports, the headless label, and a hostname
 * for the pod whose subdomain is the Service. */
static void
test_headless (Fixture *f, gconstpointer data)
{
  g_autofree char *text = NULL;
  const KsObject *ep;

  add_service (f, "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"
                  "spec:\n  clusterIP: None\n  selector: {app: web}\n");
  add_pod_full (f, "default", "a", "app: web", "", "10.244.1.2", TRUE,
                "  hostname: web-0\n  subdomain: web\n");
  add_pod_full (f, "default", "b", "app: web", "", "10.244.1.3", FALSE,
                "  hostname: web-1\n  subdomain: other\n");
  settle (f);
  text = endpoints_string (f, "default", "web");
  g_assert_cmpstr (text, ==, "A=10.244.1.2/a(web-0) N=10.244.1.3/b P=");
  ep = get (f, KS_KIND_ENDPOINTS, "default", "web");
  g_assert_cmpstr (ks_object_get_label (ep, "service.kubernetes.io/headless"), ==, "");
}

/* ---- label and selector changes -----------------------------------------------------------------
 */

static void
set_service_selector (Fixture *f, const char *app)
{
  g_autoptr (GError) error = NULL;
  KsService *copy = KS_SERVICE (ks_object_copy (get (f, KS_KIND_SERVICE, "default", "web")));

  ks_str_map_unref (copy->selector);
  copy->selector = ks_str_map_new_pairs ("app", app, NULL);
  g_assert_nonnull (ks_store_update (f->store, KS_OBJECT (copy), FALSE, &error));
  g_assert_no_error (error);
  ks_object_unref (KS_OBJECT (copy));
}

static void
test_labels (Fixture *f, gconstpointer data)
{
  g_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL, *t4 = NULL;

  add_service (f, web_service);
  add_pod (f, "a", "app: web", "10.244.1.2", TRUE);
  add_pod (f, "b", "app: api", "10.244.1.3", TRUE);
  settle (f);
  t1 = endpoints_string (f, "default", "web");
  g_assert_cmpstr (t1, ==, "A=10.244.1.2/a N= P=:8080/TCP");
  /* b gets the label, a loses it. */
  change_pod (f, "b", set_labels, "web");
  settle (f);
  t2 = endpoints_string (f, "default", "web");
  g_assert_cmpstr (t2, ==, "A=10.244.1.2/a,10.244.1.3/b N= P=:8080/TCP");
  change_pod (f, "a", set_labels, "api");
  settle (f);
  t3 = endpoints_string (f, "default", "web");
  g_assert_cmpstr (t3, ==, "A=10.244.1.3/b N= P=:8080/TCP");
  /* The Service now selects app=api: a only. */
  set_service_selector (f, "api");
  settle (f);
  t4 = endpoints_string (f, "default", "web");
  g_assert_cmpstr (t4, ==, "A=10.244.1.2/a N= P=:8080/TCP");
}

/* ---- deletion, no selector, leftovers ----------------------------------------------------------
 */

static void
test_service_delete (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  add_service (f, web_service);
  add_pod (f, "a", "app: web", "10.244.1.2", TRUE);
  settle (f);
  g_assert_nonnull (get (f, KS_KIND_ENDPOINTS, "default", "web"));
  /* Deleted by hand: written again. */
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_ENDPOINTS), "default", "web", NULL, &error));
  settle (f);
  g_assert_nonnull (get (f, KS_KIND_ENDPOINTS, "default", "web"));
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_SERVICE), "default", "web", NULL, &error));
  g_assert_no_error (error);
  settle (f);
  g_assert_null (get (f, KS_KIND_ENDPOINTS, "default", "web"));
}

static const char manual_endpoints[]
    = "apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: ext\n"
      "subsets:\n- addresses: [{ip: 192.0.2.10}]\n  ports: [{port: 5432}]\n";

static void
test_no_selector (Fixture *f, gconstpointer data)
{
  guint64 before;
  g_autoptr (GError) error = NULL;

  add_service (f, "apiVersion: v1\nkind: Service\nmetadata:\n  name: ext\n"
                  "spec:\n  ports:\n  - port: 5432\n");
  ks_test_create (f->store, ks_test_decode (manual_endpoints));
  add_pod (f, "a", "app: web", "10.244.1.2", TRUE);
  before = get (f, KS_KIND_ENDPOINTS, "default", "ext")->meta.resource_version;
  settle (f);
  g_assert_cmpuint (get (f, KS_KIND_ENDPOINTS, "default", "ext")->meta.resource_version, ==,
                    before);
  /* Deleting the Service deletes its Endpoints, written by hand or not. */
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_SERVICE), "default", "ext", NULL, &error));
  settle (f);
  g_assert_null (get (f, KS_KIND_ENDPOINTS, "default", "ext"));
}

/* A control plane restarted after a Service was deleted: its Endpoints goes at start. */
static void
test_leftover (Fixture *f, gconstpointer data)
{
  KsObject *leader = ks_test_decode ("apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: lock\n"
                                     "  annotations: {control-plane.alpha.kubernetes.io/leader: "
                                     "x}\n");

  ks_test_create (f->store, ks_test_decode (manual_endpoints));
  ks_test_create (f->store, leader);
  start_controllers (f);
  settle (f);
  g_assert_null (get (f, KS_KIND_ENDPOINTS, "default", "ext"));
  g_assert_nonnull (get (f, KS_KIND_ENDPOINTS, "default", "lock"));
}

static guint
pod_watches (Fixture *f)
{
  return g_hash_table_size (f->client->pod_watches);
}

/* Pods are watched only while a Service has a selector; a Service that comes later sees every
 * pod (the watch replays them). */
static void
test_pod_watch (Fixture *f, gconstpointer data)
{
  guint others = pod_watches (f);
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  add_pod (f, "a", "app: web", "10.244.1.2", TRUE);
  add_service (f, "apiVersion: v1\nkind: Service\nmetadata:\n  name: ext\n"
                  "spec:\n  ports:\n  - port: 5432\n");
  settle (f);
  g_assert_cmpuint (pod_watches (f), ==, others);
  add_service (f, web_service);
  g_assert_cmpuint (pod_watches (f), ==, others + 1);
  settle (f);
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_SERVICE), "default", "web", NULL, &error));
  g_assert_cmpuint (pod_watches (f), ==, others);
  settle (f);
  g_assert_null (get (f, KS_KIND_ENDPOINTS, "default", "web"));
  add_pod (f, "b", "app: web", "10.244.1.3", FALSE);
  add_service (f, web_service);
  settle (f);
  text = endpoints_string (f, "default", "web");
  g_assert_cmpstr (text, ==, "A=10.244.1.2/a N=10.244.1.3/b P=:8080/TCP");
  /* And pod changes are seen again. */
  change_status (f, "a", set_ip, "10.244.1.9");
  settle (f);
  g_clear_pointer (&text, g_free);
  text = endpoints_string (f, "default", "web");
  g_assert_cmpstr (text, ==, "A=10.244.1.9/a N=10.244.1.3/b P=:8080/TCP");
}

static const char *
trigger_time (Fixture *f)
{
  return ks_object_get_annotation (get (f, KS_KIND_ENDPOINTS, "default", "web"),
                                   "endpoints.kubernetes.io/last-change-trigger-time");
}

/* An update of the Service that changes nothing it selects (a resync). */
static void
touch_service (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  KsObject *copy = ks_object_copy (get (f, KS_KIND_SERVICE, "default", "web"));
  g_autofree char *value = g_strdup_printf ("%" G_GUINT64_FORMAT, rv (f));

  ks_object_set_annotation (copy, "touched", value);
  g_assert_nonnull (ks_store_update (f->store, copy, FALSE, &error));
  g_assert_no_error (error);
  ks_object_unref (copy);
}

/* ---- capacity ----------------------------------------------------------------------------------
 */

static char *
nth_ip (guint i)
{
  return g_strdup_printf ("10.244.%u.%u", 1 + i / 250, 2 + i % 250);
}

static gint
strcmp_ptr (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* 990 ready and 20 not-ready pods: the not-ready ones are cut to 10 (the first 10 by IP), and
 * the Endpoints is annotated; with 10 ready pods gone the annotation goes. */
static void
test_capacity_not_ready (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) not_ready = g_ptr_array_new_with_free_func (g_free);
  const KsEndpoints *ep;

  add_service (f, web_service);
  for (guint i = 0; i < 1010; i++)
    {
      g_autofree char *name = g_strdup_printf ("p%04u", i);
      g_autofree char *ip = nth_ip (i);
      gboolean ready = i % 50 != 7 || i >= 1000; /* 20 not ready: 7, 57, ..., 957 */
      add_pod (f, name, "app: web", ip, ready);
      if (!ready)
        g_ptr_array_add (not_ready, g_steal_pointer (&ip));
    }
  settle (f);
  ep = KS_ENDPOINTS (get (f, KS_KIND_ENDPOINTS, "default", "web"));
  g_assert_cmpuint (ep->n_subsets, ==, 1);
  g_assert_cmpuint (ep->subsets[0].n_addresses, ==, 990);
  g_assert_cmpuint (ep->subsets[0].n_not_ready_addresses, ==, 10);
  g_assert_cmpstr (
      ks_object_get_annotation (KS_OBJECT (ep), "endpoints.kubernetes.io/over-capacity"), ==,
      "truncated");
  g_ptr_array_sort (not_ready, strcmp_ptr);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpstr (ep->subsets[0].not_ready_addresses[i].ip, ==,
                     g_ptr_array_index (not_ready, i));
  /* Addresses sorted as strings. */
  for (guint i = 1; i < ep->subsets[0].n_addresses; i++)
    g_assert_cmpint (strcmp (ep->subsets[0].addresses[i - 1].ip, ep->subsets[0].addresses[i].ip), <,
                     0);

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("p%04u", i);
      g_autoptr (GError) error = NULL;
      KsDeleteOptions now_opts = KS_DELETE_OPTIONS_DEFAULT;
      now_opts.grace_period_seconds = 0;
      g_assert_true (ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", name,
                                      &now_opts, &error));
    }
  settle (f);
  ep = KS_ENDPOINTS (get (f, KS_KIND_ENDPOINTS, "default", "web"));
  /* p0000-p0009 held 9 ready pods and one not ready (p0007): 981 + 19 = 1000 fit. */
  g_assert_cmpuint (ep->subsets[0].n_addresses, ==, 981);
  g_assert_cmpuint (ep->subsets[0].n_not_ready_addresses, ==, 19);
  g_assert_null (
      ks_object_get_annotation (KS_OBJECT (ep), "endpoints.kubernetes.io/over-capacity"));
}

/* 600 pods on port 8080 and 500 on 9090, all ready: the first subset keeps ceil(its share of
 * 1000), the second what is left: 546 + 454 or 455 + 545. */
static void
test_capacity_ready (Fixture *f, gconstpointer data)
{
  const KsEndpoints *ep;
  guint64 before;
  guint first;

  add_service (f, "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"
                  "spec:\n  selector: {app: web}\n  ports:\n"
                  "  - {name: web, port: 80, targetPort: http}\n");
  for (guint i = 0; i < 1100; i++)
    {
      g_autofree char *name = g_strdup_printf ("p%04u", i);
      g_autofree char *ip = nth_ip (i);
      add_pod_full (f, "default", name, "app: web",
                    i < 600 ? "{name: http, containerPort: 8080}"
                            : "{name: http, containerPort: 9090}",
                    ip, TRUE, NULL);
    }
  settle (f);
  ep = KS_ENDPOINTS (get (f, KS_KIND_ENDPOINTS, "default", "web"));
  g_assert_cmpuint (ep->n_subsets, ==, 2);
  first = ep->subsets[0].ports[0].port;
  if (first == 8080)
    {
      g_assert_cmpuint (ep->subsets[0].n_addresses, ==, 546);
      g_assert_cmpuint (ep->subsets[1].n_addresses, ==, 454);
    }
  else
    {
      g_assert_cmpuint (ep->subsets[0].n_addresses, ==, 455);
      g_assert_cmpuint (ep->subsets[1].n_addresses, ==, 545);
    }
  g_assert_cmpstr (
      ks_object_get_annotation (KS_OBJECT (ep), "endpoints.kubernetes.io/over-capacity"), ==,
      "truncated");
  /* An over-capacity Endpoints never compares equal to the untruncated subsets, so every sync
   * writes: the first resync drops the trigger time (nothing triggered it); the next one would
   * send an update the API server finds equal (no new resourceVersion), and kubesim sends none. */
  before = rv (f);
  touch_service (f);
  settle (f);
  g_assert_cmpuint (rv (f), ==, before + 2);
  g_assert_null (trigger_time (f));
  touch_service (f);
  settle (f);
  g_assert_cmpuint (rv (f), ==, before + 3);
}

/* ---- no churn, the index, the trigger time --------------------------------------------------- */

static void
test_no_churn (Fixture *f, gconstpointer data)
{
  guint64 before;
  gint64 later = 30 * SEC;

  add_service (f, web_service);
  add_pod (f, "a", "app: web", "10.244.1.2", TRUE);
  add_pod (f, "b", "app: web", "10.244.1.3", FALSE);
  settle (f);
  before = rv (f);
  /* An annotation on a pod, a Service update, a Ready that stays True: no write. */
  change_pod (f, "a", set_annotation, "x");
  settle (f);
  g_assert_cmpuint (rv (f), ==, before + 1);
  set_service_selector (f, "web");
  settle (f);
  g_assert_cmpuint (rv (f), ==, before + 2);
  ks_sim_clock_run_until (f->sim, later);
  change_status (f, "a", set_ready, &later);
  settle (f);
  g_assert_cmpuint (rv (f), ==, before + 3);
  /* A real change: one write. */
  change_status (f, "b", set_ready, &later);
  settle (f);
  g_assert_cmpuint (rv (f), ==, before + 5);
}

/* 100 Services, each selecting its own pods: a pod change resyncs its Service only (one pod
 * list), and a pod that no Service selects resyncs none. */
static void
test_index (Fixture *f, gconstpointer data)
{
  gint64 t = 10 * SEC;

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *svc = g_strdup_printf (
          "apiVersion: v1\nkind: Service\nmetadata:\n  name: s%u\n"
          "spec:\n  selector: {app: a%u, tier: x}\n  ports:\n  - port: 80\n    targetPort: 8080\n",
          i, i);
      g_autofree char *name = g_strdup_printf ("p%u", i);
      g_autofree char *labels = g_strdup_printf ("app: a%u, tier: x", i);
      g_autofree char *ip = nth_ip (i);
      add_service (f, svc);
      add_pod (f, name, labels, ip, FALSE);
    }
  add_pod (f, "loner", "app: none, tier: x", "10.244.9.9", FALSE);
  settle (f);
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *name = g_strdup_printf ("s%u", i);
      g_autofree char *text = endpoints_string (f, "default", name);
      g_autofree char *ip = nth_ip (i);
      g_autofree char *want = g_strdup_printf ("A= N=%s/p%u P=:8080/TCP", ip, i);
      g_assert_cmpstr (text, ==, want);
    }
  f->client->pod_lists = 0;
  change_status (f, "p42", set_ready, &t);
  settle (f);
  g_assert_cmpuint (f->client->pod_lists, ==, 1);
  {
    g_autofree char *text = endpoints_string (f, "default", "s42");
    g_assert_cmpstr (text, ==, "A=10.244.1.44/p42 N= P=:8080/TCP");
  }
  change_status (f, "loner", set_ready, &t);
  settle (f);
  g_assert_cmpuint (f->client->pod_lists, ==, 1);
}

/* The trigger time: the Service's creation on the first sync; then the Ready transition of the
 * pod that changed; none when no trigger time changed (an IP change). */
static void
test_trigger_time (Fixture *f, gconstpointer data)
{
  gint64 t = 100 * SEC + 250 * KS_USEC_PER_MSEC;

  ks_sim_clock_run_until (f->sim, 7 * SEC);
  add_service (f, web_service);
  add_pod (f, "a", "app: web", "10.244.1.2", FALSE);
  settle (f);
  g_assert_cmpstr (trigger_time (f), ==, "2025-01-01T00:00:07Z");
  ks_sim_clock_run_until (f->sim, t);
  change_status (f, "a", set_ready, &t);
  settle (f);
  g_assert_cmpstr (trigger_time (f), ==, "2025-01-01T00:01:40Z");
  change_status (f, "a", set_ip, "10.244.1.3");
  settle (f);
  g_assert_null (trigger_time (f));
  {
    g_autofree char *text = endpoints_string (f, "default", "web");
    g_assert_cmpstr (text, ==, "A=10.244.1.3/a N= P=:8080/TCP");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/endpoints/members", test_members);
  ADD ("/endpoints/publish-not-ready", test_publish_not_ready);
  ADD ("/endpoints/pod-changes", test_pod_changes);
  g_test_add_func ("/endpoints/spew-hashes", test_spew_hashes);
  ADD ("/endpoints/port-order", test_port_order);
  ADD ("/endpoints/named-ports", test_named_ports);
  ADD ("/endpoints/headless", test_headless);
  ADD ("/endpoints/labels", test_labels);
  ADD ("/endpoints/service-delete", test_service_delete);
  ADD ("/endpoints/no-selector", test_no_selector);
  g_test_add ("/endpoints/leftover", Fixture, NULL, fixture_setup_bare, test_leftover,
              fixture_teardown);
  ADD ("/endpoints/capacity/not-ready", test_capacity_not_ready);
  ADD ("/endpoints/capacity/ready", test_capacity_ready);
  ADD ("/endpoints/no-churn", test_no_churn);
  ADD ("/endpoints/index", test_index);
  ADD ("/endpoints/pod-watch", test_pod_watch);
  ADD ("/endpoints/trigger-time", test_trigger_time);
#undef ADD
  return g_test_run ();
}
