/* test-traffic.c: Services in a whole simulated cluster (sim/ks-sim.h): pod IPs from the nodes'
 * podCIDRs, Endpoints with ready and not-ready addresses, ClusterIP, NodePort and headless
 * Services.  Each test writes a scenario to a temporary directory, runs it to chosen times and
 * reads the store. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sim/ks-sim.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-service.h"
#include "tests/ks-test.h"

#define SEC KS_USEC_PER_SEC

typedef struct
{
  char *dir;
  KsScenario *scenario;
  KsSim *sim;
  KsTestSink sink;
} Run;

/* A Deployment "web" of replicas pods whose readiness probe passes 20 s after the start. */
static char *
deployment (int replicas)
{
  return g_strdup_printf (
      "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: web},\n"
      "    spec: {replicas: %d, selector: {matchLabels: {app: web}},\n"
      "      template: {metadata: {labels: {app: web},\n"
      "          annotations: {kubesim.io/readiness-delay: 20s}},\n"
      "        spec: {containers: [{name: web, image: web, ports: [{containerPort: 8080}],\n"
      "          readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 5},\n"
      "          resources: {requests: {cpu: 500m, memory: 64Mi}}}]}}}}\n",
      replicas);
}

static const char service_yaml[]
    = "  - {apiVersion: v1, kind: Service, metadata: {name: web},\n"
      "    spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}}\n";

/* Load and start a scenario of nodes nodes (node-0, ...) with objects and events (YAML list
 * items; events may be empty) and more top-level YAML (extra, may be empty). */
static void
run_start_full (Run *r, guint nodes, const char *objects, const char *events, const char *extra)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  KsDiag *diag = ks_diag_new ();

  r->dir = g_dir_make_tmp ("ks-traffic-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (r->dir, "s.yaml", NULL);
  text = g_strdup_printf ("kind: Scenario\nduration: 10m\nkubelet: {startup: 2s}\n"
                          "cluster:\n  nodes:\n    - {name: node, count: %u, capacity: {cpu: "
                          "\"2\", memory: 64Gi}}\nobjects:\n%s%s%s%s",
                          nodes, objects, events[0] != '\0' ? "events:\n" : "", events, extra);
  g_assert_true (g_file_set_contents (path, text, -1, &error));
  r->scenario = ks_scenario_load (path, diag);
  if (r->scenario == NULL)
    g_error ("scenario: %s", ks_diag_get (diag, 0));
  ks_diag_free (diag);
  r->sim = ks_sim_new (r->scenario, 1, &error);
  g_assert_no_error (error);
  ks_test_sink_init (&r->sink);
  ks_sim_set_event_sink (r->sim, &r->sink.parent);
  g_assert_true (ks_sim_start (r->sim, &error));
  g_assert_no_error (error);
}

static void
run_start (Run *r, const char *objects)
{
  run_start_full (r, 2, objects, "", "");
}

static void
run_clear (Run *r)
{
  g_autoptr (GDir) dir = g_dir_open (r->dir, 0, NULL);
  const char *name;

  ks_sim_free (r->sim);
  ks_scenario_free (r->scenario);
  ks_test_sink_clear (&r->sink);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (r->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (r->dir);
  g_free (r->dir);
}

static void
run_to (Run *r, gint64 seconds)
{
  ks_sim_run_until (r->sim, seconds * SEC, NULL, NULL);
}

static KsObject *
get (Run *r, KsKindId kind, const char *ns, const char *name)
{
  return ks_client_get (ks_sim_get_client (r->sim), ks_kind_get (kind), ns, name, NULL);
}

static GPtrArray *
list_pods (Run *r)
{
  return ks_client_list (ks_sim_get_client (r->sim), ks_kind_get (KS_KIND_POD), NULL, NULL);
}

/* The Endpoints' ready and not-ready address counts (one subset at most). */
static void
endpoint_counts (Run *r, const char *name, guint *ready, guint *not_ready)
{
  g_autoptr (KsObject) obj = get (r, KS_KIND_ENDPOINTS, "default", name);
  const KsEndpoints *ep;

  g_assert_nonnull (obj);
  ep = (const KsEndpoints *) obj;
  *ready = *not_ready = 0;
  g_assert_cmpuint (ep->n_subsets, <=, 1);
  if (ep->n_subsets == 1)
    {
      *ready = ep->subsets[0].n_addresses;
      *not_ready = ep->subsets[0].n_not_ready_addresses;
    }
}

/* Pods get addresses from their node's podCIDR (10.244.1.0/24, 10.244.2.0/24: node IPAM's
 * order), the lowest free from .2; the Endpoints list them as not ready until the readiness
 * probe passes (it fails until 20 s after the containers start at 2 s). */
static void
test_pod_ips (void)
{
  Run r = { 0 };
  g_autofree char *objects = g_strconcat (service_yaml, deployment (4), NULL);
  g_autoptr (GPtrArray) pods = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint ready, not_ready;

  run_start (&r, objects);
  run_to (&r, 10);
  {
    g_autoptr (KsObject) n0 = get (&r, KS_KIND_NODE, NULL, "node-0");
    g_autoptr (KsObject) n1 = get (&r, KS_KIND_NODE, NULL, "node-1");
    g_assert_cmpstr (KS_NODE (n0)->pod_cidr, ==, "10.244.1.0/24");
    g_assert_cmpstr (KS_NODE (n1)->pod_cidr, ==, "10.244.2.0/24");
  }
  pods = list_pods (&r);
  g_assert_cmpuint (pods->len, ==, 4);
  for (guint i = 0; i < pods->len; i++)
    {
      const KsPod *pod = g_ptr_array_index (pods, i);
      const char *ip = ks_pod_get_status_string (pod, KS_POD_POD_IP);
      const char *prefix = strcmp (pod->node_name, "node-0") == 0 ? "10.244.1." : "10.244.2.";
      g_assert_nonnull (ip);
      g_assert_true (g_str_has_prefix (ip, prefix));
      /* Two pods per node (2 cores, 500m each and LeastAllocated spreading): .2 and .3. */
      g_assert_true (strcmp (ip + strlen (prefix), "2") == 0
                     || strcmp (ip + strlen (prefix), "3") == 0);
      g_assert_false (g_hash_table_contains (seen, ip));
      g_hash_table_add (seen, (gpointer) ip);
    }
  endpoint_counts (&r, "web", &ready, &not_ready);
  g_assert_cmpuint (ready, ==, 0);
  g_assert_cmpuint (not_ready, ==, 4);
  run_to (&r, 40);
  endpoint_counts (&r, "web", &ready, &not_ready);
  g_assert_cmpuint (ready, ==, 4);
  g_assert_cmpuint (not_ready, ==, 0);
  {
    g_autoptr (KsObject) svc = get (&r, KS_KIND_SERVICE, "default", "web");
    g_assert_nonnull (((KsService *) svc)->cluster_ip);
    g_assert_true (g_str_has_prefix (((KsService *) svc)->cluster_ip, "10.96."));
  }
  run_clear (&r);
}

/* A pod's address is freed with its sandbox: after a scale-down and up, the new pod takes the
 * lowest free address of its node again. */
static void
test_ip_reuse (void)
{
  Run r = { 0 };
  g_autofree char *objects = g_strconcat (service_yaml, deployment (1), NULL);
  g_autofree char *events
      = g_strdup ("  - {at: 30s, scale: {kind: Deployment, name: web, replicas: 0}}\n"
                  "  - {at: 2m, scale: {kind: Deployment, name: web, replicas: 1}}\n");
  g_autoptr (GPtrArray) pods = NULL;
  g_autofree char *first = NULL;

  run_start_full (&r, 1, objects, events, "");
  run_to (&r, 10);
  pods = list_pods (&r);
  g_assert_cmpuint (pods->len, ==, 1);
  first = g_strdup (ks_pod_get_status_string (g_ptr_array_index (pods, 0), KS_POD_POD_IP));
  g_assert_cmpstr (first, ==, "10.244.1.2");
  g_clear_pointer (&pods, g_ptr_array_unref);
  run_to (&r, 150);
  pods = list_pods (&r);
  g_assert_cmpuint (pods->len, ==, 1);
  g_assert_cmpstr (ks_pod_get_status_string (g_ptr_array_index (pods, 0), KS_POD_POD_IP), ==,
                   "10.244.1.2");
  run_clear (&r);
}

/* Without Services, no node IPAM and no pod IPs (nothing to pay for large runs). */
static void
test_no_services (void)
{
  Run r = { 0 };
  g_autofree char *objects = deployment (2);
  g_autoptr (GPtrArray) pods = NULL;

  run_start (&r, objects);
  run_to (&r, 10);
  pods = list_pods (&r);
  g_assert_cmpuint (pods->len, ==, 2);
  for (guint i = 0; i < pods->len; i++)
    g_assert_null (ks_pod_get_status_string (g_ptr_array_index (pods, i), KS_POD_POD_IP));
  {
    g_autoptr (KsObject) n0 = get (&r, KS_KIND_NODE, NULL, "node-0");
    g_assert_null (KS_NODE (n0)->pod_cidr);
  }
  run_clear (&r);
}

/* NodePort gets a port of 30000-32767, headless no cluster IP; both have Endpoints, the
 * headless one with the pods' addresses. */
static void
test_service_types (void)
{
  Run r = { 0 };
  g_autofree char *objects = g_strconcat (
      "  - {apiVersion: v1, kind: Service, metadata: {name: np},\n"
      "    spec: {type: NodePort, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}}\n"
      "  - {apiVersion: v1, kind: Service, metadata: {name: hl},\n"
      "    spec: {clusterIP: None, selector: {app: web}, ports: [{port: 80, targetPort: "
      "8080}]}}\n",
      deployment (2), NULL);
  guint ready, not_ready;

  run_start (&r, objects);
  run_to (&r, 40);
  {
    g_autoptr (KsObject) np = get (&r, KS_KIND_SERVICE, "default", "np");
    g_autoptr (KsObject) hl = get (&r, KS_KIND_SERVICE, "default", "hl");
    const KsService *s = (const KsService *) np;
    g_assert_cmpint (s->type, ==, KS_SERVICE_NODE_PORT);
    g_assert_cmpint (s->ports[0].node_port, >=, 30000);
    g_assert_cmpint (s->ports[0].node_port, <=, 32767);
    g_assert_nonnull (s->cluster_ip);
    g_assert_cmpstr (((const KsService *) hl)->cluster_ip, ==, "None");
  }
  endpoint_counts (&r, "np", &ready, &not_ready);
  g_assert_cmpuint (ready, ==, 2);
  endpoint_counts (&r, "hl", &ready, &not_ready);
  g_assert_cmpuint (ready, ==, 2);
  g_assert_cmpuint (not_ready, ==, 0);
  run_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/traffic/pod-ips", test_pod_ips);
  g_test_add_func ("/traffic/ip-reuse", test_ip_reuse);
  g_test_add_func ("/traffic/no-services", test_no_services);
  g_test_add_func ("/traffic/service-types", test_service_types);
  return g_test_run ();
}
