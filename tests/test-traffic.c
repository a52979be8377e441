/* test-traffic.c: Services in a whole simulated cluster (sim/ks-sim.h): pod IPs from the nodes'
 * podCIDRs, Endpoints with ready and not-ready addresses, ClusterIP, NodePort and headless
 * Services.  Each test writes a scenario to a temporary directory, runs it to chosen times and
 * reads the store. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "sim/ks-sim-metrics.h"
#include "sim/ks-sim-runtime.h"
#include "sim/ks-sim.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-service.h"
#include "src/metrics/ks-metrics-server.h"
#include "tests/ks-test.h"

#define SEC KS_USEC_PER_SEC

typedef KsTestSim Run;

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
  ks_test_sim_start (r, TRUE,
                     "kind: Scenario\nduration: 10m\nkubelet: {startup: 2s}\n"
                     "cluster:\n  nodes:\n    - {name: node, count: %u, capacity: {cpu: "
                     "\"2\", memory: 64Gi}}\nobjects:\n%s%s%s%s",
                     nodes, objects, events[0] != '\0' ? "events:\n" : "", events, extra);
}

static void
run_start (Run *r, const char *objects)
{
  run_start_full (r, 2, objects, "", "");
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
  g_autofree char *dep = deployment (4);
  g_autofree char *objects = g_strconcat (service_yaml, dep, NULL);
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
  ks_test_sim_clear (&r);
}

/* A pod's address is freed with its sandbox: after a scale-down and up, the new pod takes the
 * lowest free address of its node again. */
static void
test_ip_reuse (void)
{
  Run r = { 0 };
  g_autofree char *dep = deployment (1);
  g_autofree char *objects = g_strconcat (service_yaml, dep, NULL);
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
  ks_test_sim_clear (&r);
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
  ks_test_sim_clear (&r);
}

/* NodePort gets a port of 30000-32767, headless no cluster IP; both have Endpoints, the
 * headless one with the pods' addresses. */
static void
test_service_types (void)
{
  Run r = { 0 };
  g_autofree char *dep = deployment (2);
  g_autofree char *objects = g_strconcat (
      "  - {apiVersion: v1, kind: Service, metadata: {name: np},\n"
      "    spec: {type: NodePort, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}}\n"
      "  - {apiVersion: v1, kind: Service, metadata: {name: hl},\n"
      "    spec: {clusterIP: None, selector: {app: web}, ports: [{port: 80, targetPort: "
      "8080}]}}\n",
      dep, NULL);
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
  ks_test_sim_clear (&r);
}

/* A Service "web" over replicas pods of cpu (their limit; no limit when NULL, then the request
 * 250m counts) with baseline (kubesim.io/cpu-usage, may be NULL), Ready once running, and a load
 * (the YAML of one load item's fields after "service: web"). */
static void
run_load (Run *r, guint nodes, int replicas, const char *cpu, const char *baseline,
          const char *load, guint64 seed)
{
  g_autofree char *limits
      = cpu != NULL ? g_strdup_printf (", limits: {cpu: \"%s\"}", cpu) : g_strdup ("");
  g_autofree char *annotations = baseline != NULL
                                     ? g_strdup_printf (", annotations: {kubesim.io/cpu-usage: %s, "
                                                        "kubesim.io/memory-usage: 64Mi}",
                                                        baseline)
                                     : g_strdup ("");
  g_autofree char *objects
      = g_strdup_printf ("%s  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: web},\n"
                         "    spec: {replicas: %d, selector: {matchLabels: {app: web}},\n"
                         "      template: {metadata: {labels: {app: web}%s},\n"
                         "        spec: {containers: [{name: web, image: web,\n"
                         "          resources: {requests: {cpu: 250m, memory: 64Mi}%s}}]}}}}\n",
                         service_yaml, replicas, annotations, limits);
  g_autofree char *extra = g_strdup_printf ("load:\n  - {service: web, %s}\n", load);

  run_start_full (r, nodes, objects, "", extra);
  if (seed != 1)
    {
      /* run_start_full uses seed 1: rebuild with the seed asked for. */
      g_autoptr (GError) error = NULL;
      ks_sim_free (r->sim);
      ks_test_sink_clear (&r->sink);
      r->sim = ks_sim_new (r->scenario, seed, &error);
      g_assert_no_error (error);
      ks_test_sink_init (&r->sink);
      ks_sim_set_event_sink (r->sim, &r->sink.parent);
      g_assert_true (ks_sim_start (r->sim, &error));
    }
}

static KsServiceTraffic
totals (Run *r)
{
  KsServiceTraffic t;
  g_assert_true (ks_sim_traffic_get_totals (ks_sim_get_traffic (r->sim), "default", "web", &t));
  return t;
}

/* The mean response time of what was served from from s to to s (two runs to those times). */
static double
mean_latency (double rate)
{
  Run r = { 0 };
  g_autofree char *load = g_strdup_printf ("rate: %g, cpuPerRequest: 10ms", rate);
  KsServiceTraffic a, b;

  /* One pod of 1 core: 100 requests per second at most. */
  run_load (&r, 1, 1, "1", NULL, load, 1);
  run_to (&r, 10);
  a = totals (&r);
  run_to (&r, 70);
  b = totals (&r);
  /* Ready from 2 s: the rest is served, none dropped (K = 100, blocking below 1e-9). */
  g_assert_cmpuint (b.requests - a.requests, ==, (guint64) (rate * 60));
  g_assert_cmpuint (b.served - a.served, ==, (guint64) (rate * 60));
  g_assert_cmpuint (b.dropped_over_capacity, ==, 0);
  ks_test_sim_clear (&r);
  return (b.latency_sum - a.latency_sum) / (double) (b.served - a.served);
}

/* One pod, one endpoint: every second's arrivals are the rate, so the latency is M/M/1's
 * 1/(mu - lambda) (with K = 100 the difference is below 1e-9) with mu = 1 core / 10 ms. */
static void
test_latency_rises (void)
{
  double w20 = mean_latency (20), w50 = mean_latency (50), w80 = mean_latency (80);

  g_assert_cmpfloat_with_epsilon (w20, 1.0 / (100 - 20), 1e-9);
  g_assert_cmpfloat_with_epsilon (w50, 1.0 / (100 - 50), 1e-9);
  g_assert_cmpfloat_with_epsilon (w80, 1.0 / (100 - 80), 1e-9);
  g_assert_cmpfloat (w20, <, w50);
  g_assert_cmpfloat (w50, <, w80);
}

/* Percentiles of one exponential: mean × -ln(1 - q). */
static void
test_quantiles (void)
{
  Run r = { 0 };
  KsSimTraffic *t;

  run_load (&r, 1, 1, "1", NULL, "rate: 50, cpuPerRequest: 10ms", 1);
  run_to (&r, 60);
  t = ks_sim_get_traffic (r.sim);
  g_assert_cmpfloat_with_epsilon (ks_sim_traffic_latency_quantile (t, "default", "web", 0.5),
                                  0.02 * log (2), 1e-9);
  g_assert_cmpfloat_with_epsilon (ks_sim_traffic_latency_quantile (t, "default", "web", 0.99),
                                  0.02 * log (100), 1e-9);
  g_assert_cmpfloat (ks_sim_traffic_latency_quantile (t, "default", "nope", 0.5), ==, -1);
  ks_test_sim_clear (&r);
}

/* Over capacity: 200 requests per second at a pod that serves 100, queue 10: M/M/1/K with rho 2
 * blocks (1 - 1/2) / (1 - 1/2^11) of them; served requests use the whole core.  The baseline
 * (250m of 1250m) is taken from the capacity first. */
static void
test_over_capacity (void)
{
  Run r = { 0 };
  KsServiceTraffic a, b;
  double blocking = 0.5 / (1 - pow (0.5, 11)), dropped, cores;

  run_load (&r, 1, 1, "1250m", "250m", "rate: 200, cpuPerRequest: 10ms, queueCapacity: 10", 1);
  run_to (&r, 10);
  a = totals (&r);
  run_to (&r, 210);
  b = totals (&r);
  g_assert_cmpuint (b.requests - a.requests, ==, 200 * 200);
  dropped = (double) (b.dropped_over_capacity - a.dropped_over_capacity) / (200 * 200);
  /* Binomial draws: 40,000 requests, standard deviation 0.0025 of the share. */
  g_assert_cmpfloat (fabs (dropped - blocking), <, 0.01);
  g_assert_cmpuint (b.dropped_no_endpoints, ==, a.dropped_no_endpoints);
  cores = (double) (b.cpu_ns - a.cpu_ns) / (200 * 1e9);
  g_assert_cmpfloat (fabs (cores - 200 * (1 - blocking) * 0.01), <, 0.02);
  ks_test_sim_clear (&r);
}

/* Until the pod is Ready (its container starts at 2 s), requests find no endpoint. */
static void
test_no_endpoints (void)
{
  Run r = { 0 };
  KsServiceTraffic t;

  run_load (&r, 1, 1, "1", NULL, "rate: 10, cpuPerRequest: 10ms", 1);
  run_to (&r, 30);
  t = totals (&r);
  /* The ticks at 0 s and 1 s see no ready endpoint; the Endpoints controller lists the pod at
   * 2 s, after its status write, so the tick at 2 s may or may not. */
  g_assert_cmpuint (t.dropped_no_endpoints, >=, 20);
  g_assert_cmpuint (t.dropped_no_endpoints, <=, 30);
  g_assert_cmpuint (t.served + t.dropped_no_endpoints, ==, t.requests);
  /* The ticks at 0 s, 1 s, ..., 30 s. */
  g_assert_cmpuint (t.requests, ==, 310);
  ks_test_sim_clear (&r);
}

/* kube-proxy's spread: uniformly at random over 4 pods (on 2 nodes); each pod's CPU is what it
 * served; the counts differ from pod to pod (they are random) but each is near a quarter. */
static void
test_spread (void)
{
  Run r = { 0 };
  g_autoptr (GPtrArray) pods = NULL;
  KsServiceTraffic a, b;
  guint64 sum = 0, first = 0;
  gboolean differ = FALSE;

  run_load (&r, 2, 4, "1", NULL, "rate: 100, cpuPerRequest: 1ms", 1);
  run_to (&r, 10);
  a = totals (&r);
  g_assert_cmpuint (a.served, >, 0);
  /* The tick at 109 s is the last whose CPU has fully accrued at 110 s. */
  ks_sim_run_until (r.sim, 109 * SEC + SEC / 2, NULL, NULL);
  b = totals (&r);
  run_to (&r, 110);
  pods = list_pods (&r);
  g_assert_cmpuint (pods->len, ==, 4);
  for (guint i = 0; i < pods->len; i++)
    {
      const KsPod *pod = g_ptr_array_index (pods, i);
      guint64 cpu = ks_sim_traffic_pod_cpu_ns (&pod->parent.meta.uid, ks_sim_get_traffic (r.sim));
      /* 10,000 requests: a quarter is 2,500 (× 1 ms), standard deviation 43. */
      g_assert_cmpfloat (fabs ((double) cpu / 1e6 - b.served / 4.0), <, 250);
      if (i == 0)
        first = cpu;
      else if (cpu != first)
        differ = TRUE;
      sum += cpu;
    }
  g_assert_true (differ);
  g_assert_cmpuint (sum, ==, b.cpu_ns);
  g_assert_cmpuint (b.cpu_ns, ==, b.served * 1000000);
  ks_test_sim_clear (&r);
}

/* The CPU of served requests shows in what the modelled runtime reports to the metrics
 * pipeline, on top of the kubesim.io/cpu-usage baseline. */
static void
test_runtime_cpu (void)
{
  Run r = { 0 };
  g_autoptr (GPtrArray) pods = NULL;
  const KsPod *pod;
  KsRuntime *rt;
  KsStats stats = { 0 };
  guint64 load;

  run_load (&r, 1, 1, "1", "100m", "rate: 50, cpuPerRequest: 4ms", 1);
  run_to (&r, 60);
  pods = list_pods (&r);
  pod = g_ptr_array_index (pods, 0);
  rt = ks_sim_get_node_runtime (r.sim, pod->node_name);
  g_assert_true (rt->ops->container_stats (rt, pod, &pod->spec->containers[0], FALSE, &stats));
  load = ks_sim_traffic_pod_cpu_ns (&pod->parent.meta.uid, ks_sim_get_traffic (r.sim));
  /* 50 × 4 ms = 0.2 cores for about 57 s */
  g_assert_cmpuint (load, >, 0.2 * 56 * 1e9);
  g_assert_cmpuint (stats.cpu_ns, ==, 100 * (guint64) (stats.timestamp - stats.start_time) + load);
  /* Half-way through a second the count has grown by half the second's CPU. */
  ks_sim_run_until (r.sim, 60 * SEC + SEC / 2, NULL, NULL);
  g_assert_cmpuint (ks_sim_traffic_pod_cpu_ns (&pod->parent.meta.uid, ks_sim_get_traffic (r.sim)),
                    ==, load + 50 * 4000000 / 2);
  ks_test_sim_clear (&r);
}

static KsRuntime *
lookup_runtime (const char *node, gpointer sim)
{
  return ks_sim_get_node_runtime (sim, node);
}

/* The metrics pipeline (sim source, metrics server every 15 s) reports a pod's baseline plus
 * its requests' CPU, and the node's: 100m + 50 requests/s × 4 ms = 300m. */
static void
test_metrics_pipeline (void)
{
  Run r = { 0 };
  g_autoptr (GPtrArray) pods = NULL;
  g_autoptr (KsMetricsServer) server = NULL;
  g_autoptr (KsObject) node = NULL;
  KsPodMetrics *pm;
  KsNodeMetrics *nm;

  run_load (&r, 1, 1, "1", "100m", "rate: 50, cpuPerRequest: 4ms", 1);
  /* The memory annotation too: metrics-server drops containers without memory. */
  server = ks_metrics_server_new (ks_sim_get_client (r.sim), ks_sim_get_clock (r.sim),
                                  ks_sim_metrics_source_new (ks_sim_get_client (r.sim),
                                                             ks_sim_get_clock (r.sim),
                                                             lookup_runtime, r.sim),
                                  15 * SEC);
  run_to (&r, 120);
  pods = list_pods (&r);
  pm = ks_metrics_server_get_pod_metrics (server, g_ptr_array_index (pods, 0));
  g_assert_nonnull (pm);
  g_assert_cmpuint (pm->n_containers, ==, 1);
  g_assert_cmpint (pm->containers[0].nano_cpu, ==, 300000000);
  ks_pod_metrics_free (pm);
  node = get (&r, KS_KIND_NODE, NULL, "node-0");
  nm = ks_metrics_server_get_node_metrics (server, KS_NODE (node));
  g_assert_nonnull (nm);
  g_assert_cmpint (nm->nano_cpu, ==, 300000000);
  ks_node_metrics_free (nm);
  g_clear_pointer (&server, ks_metrics_server_free);
  ks_test_sim_clear (&r);
}

static void
run_totals (guint64 seed, KsServiceTraffic *t, double *p95)
{
  Run r = { 0 };

  run_load (&r, 2, 3, "500m", NULL,
            "rate: {sine: {mean: 150, amplitude: 100, period: 1m}}, noise: poisson, "
            "cpuPerRequest: 5ms, queueCapacity: 20",
            seed);
  run_to (&r, 180);
  *t = totals (&r);
  *p95 = ks_sim_traffic_latency_quantile (ks_sim_get_traffic (r.sim), "default", "web", 0.95);
  ks_test_sim_clear (&r);
}

/* Same seed, same draws; another seed, other draws. */
static void
test_determinism (void)
{
  KsServiceTraffic a, b, c;
  double pa, pb, pc;

  run_totals (1, &a, &pa);
  run_totals (1, &b, &pb);
  run_totals (2, &c, &pc);
  g_assert_cmpuint (a.requests, ==, b.requests);
  g_assert_cmpuint (a.served, ==, b.served);
  g_assert_cmpuint (a.dropped_over_capacity, ==, b.dropped_over_capacity);
  g_assert_cmpuint (a.cpu_ns, ==, b.cpu_ns);
  g_assert_cmpfloat (pa, ==, pb);
  g_assert_true (a.requests != c.requests || a.served != c.served);
  /* Poisson noise around the mean: 180 s × 150 per second (3 whole periods). */
  g_assert_cmpfloat (fabs ((double) a.requests - 27000), <, 700);
}

/* A CSV-driven rate: step and linear interpolation; counts exact (no noise). */
static void
test_csv (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ks-traffic-csv-XXXXXX", &error);
  g_autofree char *csv = g_build_filename (dir, "rates.csv", NULL);

  g_assert_true (g_file_set_contents (csv, "seconds,rate\n0,10\n32,64\n64,0\n", -1, &error));
  for (guint linear = 0; linear < 2; linear++)
    {
      Run r = { 0 };
      g_autofree char *load
          = g_strdup_printf ("rate: {csv: {file: %s, interpolation: %s}}, cpuPerRequest: 1ms", csv,
                             linear ? "linear" : "step");
      run_load (&r, 1, 2, "1", NULL, load, 1);
      run_to (&r, 100);
      /* step: 10 × 32 + 64 × 32; linear: the midpoints of 10→64 and 64→0 per second sum to
       * 32 × 37 and 32 × 32 (the midpoint rule is exact for lines). */
      g_assert_cmpuint (totals (&r).requests, ==, linear ? 32 * 37 + 32 * 32 : 10 * 32 + 64 * 32);
      ks_test_sim_clear (&r);
    }
  g_unlink (csv);
  g_rmdir (dir);
}

/* The shapes' formulas. */
static void
test_rate_shapes (void)
{
  KsRate ramp
      = { .shape = KS_RATE_RAMP, .from = 10, .to = 110, .start = 10 * SEC, .end = 20 * SEC };
  KsRate sine = {
    .shape = KS_RATE_SINE, .mean = 100, .amplitude = 50, .period = 40 * SEC, .phase = 10 * SEC
  };
  gint64 times[] = { 0, 60 * SEC };
  double rates[] = { 5, 7 };
  KsRate step = { .shape = KS_RATE_STEP, .times = times, .rates = rates, .n = 2 };

  g_assert_cmpfloat (ks_rate_at (&ramp, 0), ==, 10);
  g_assert_cmpfloat (ks_rate_at (&ramp, 15 * SEC), ==, 60);
  g_assert_cmpfloat (ks_rate_at (&ramp, 30 * SEC), ==, 110);
  g_assert_cmpfloat_with_epsilon (ks_rate_at (&sine, 10 * SEC), 100, 1e-9);
  g_assert_cmpfloat_with_epsilon (ks_rate_at (&sine, 20 * SEC), 150, 1e-9);
  g_assert_cmpfloat_with_epsilon (ks_rate_at (&sine, 40 * SEC), 50, 1e-9);
  g_assert_cmpfloat (ks_rate_at (&step, 59 * SEC), ==, 5);
  g_assert_cmpfloat (ks_rate_at (&step, 60 * SEC), ==, 7);
  step.linear = TRUE;
  g_assert_cmpfloat (ks_rate_at (&step, 30 * SEC), ==, 6);
  g_assert_cmpfloat (ks_rate_at (&step, 90 * SEC), ==, 7);
}

/* The Service's EndpointSlices (managed by the controller), sorted by name. */
static GPtrArray *
slices_of (Run *r, const char *service)
{
  g_autoptr (GPtrArray) all = ks_client_list (
      ks_sim_get_client (r->sim), ks_kind_get (KS_KIND_ENDPOINT_SLICE), "default", NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);

  for (guint i = 0; i < all->len; i++)
    {
      KsObject *obj = g_ptr_array_index (all, i);
      if (g_strcmp0 (ks_object_get_label (obj, KS_LABEL_SERVICE_NAME), service) == 0)
        {
          g_assert_cmpstr (ks_object_get_label (obj, KS_LABEL_MANAGED_BY), ==,
                           KS_ENDPOINTSLICE_CONTROLLER_NAME);
          g_ptr_array_add (out, ks_object_ref (obj));
        }
    }
  return out;
}

/* Counts of the endpoints of a Service's slices by their conditions. */
static guint
slice_endpoints (Run *r, const char *service, guint *ready, guint *serving, guint *terminating)
{
  g_autoptr (GPtrArray) slices = slices_of (r, service);
  guint n = 0;

  *ready = *serving = *terminating = 0;
  for (guint i = 0; i < slices->len; i++)
    {
      const KsEndpointSlice *s = g_ptr_array_index (slices, i);
      g_assert_cmpuint (s->n_endpoints, <=, KS_MAX_ENDPOINTS_PER_SLICE);
      for (guint j = 0; j < s->n_endpoints; j++)
        {
          n++;
          *ready += s->endpoints[j].ready == 1;
          *serving += s->endpoints[j].serving == 1;
          *terminating += s->endpoints[j].terminating == 1;
        }
    }
  return n;
}

/* EndpointSlices: one per Service at first (the placeholder, then the pods), the conditions
 * following readiness and deletion, the ports resolved, the owner; gone with the Service. */
static void
test_endpoint_slices (void)
{
  Run r = { 0 };
  g_autofree char *dep = deployment (3);
  g_autofree char *objects = g_strconcat (service_yaml, dep, NULL);
  g_autofree char *events
      = g_strdup ("  - {at: 60s, scale: {kind: Deployment, name: web, replicas: 1}}\n"
                  "  - {at: 150s, delete: {kind: Service, name: web}}\n");
  guint ready, serving, terminating;

  run_start_full (&r, 2, objects, events, "");
  run_to (&r, 10);
  g_assert_cmpuint (slice_endpoints (&r, "web", &ready, &serving, &terminating), ==, 3);
  g_assert_cmpuint (ready, ==, 0);
  g_assert_cmpuint (serving, ==, 0);
  {
    g_autoptr (GPtrArray) slices = slices_of (&r, "web");
    const KsEndpointSlice *s;
    const KsOwnerRef *owner;
    g_assert_cmpuint (slices->len, ==, 1);
    s = g_ptr_array_index (slices, 0);
    g_assert_cmpstr (s->address_type, ==, "IPv4");
    g_assert_true (g_str_has_prefix (s->parent.meta.name, "web-"));
    g_assert_cmpuint (s->n_ports, ==, 1);
    g_assert_cmpint (s->ports[0].port, ==, 8080);
    g_assert_cmpstr (s->ports[0].protocol, ==, "TCP");
    g_assert_true (g_str_has_prefix (s->endpoints[0].addresses[0], "10.244."));
    g_assert_cmpstr (s->endpoints[0].target_ref->kind, ==, "Pod");
    g_assert_nonnull (s->endpoints[0].node_name);
    owner = ks_object_get_controller_ref (KS_OBJECT (s));
    g_assert_nonnull (owner);
    g_assert_cmpstr (owner->kind, ==, "Service");
    g_assert_cmpstr (owner->name, ==, "web");
  }
  run_to (&r, 40);
  slice_endpoints (&r, "web", &ready, &serving, &terminating);
  g_assert_cmpuint (ready, ==, 3);
  g_assert_cmpuint (serving, ==, 3);
  g_assert_cmpuint (terminating, ==, 0);
  /* Two pods terminating (grace period 30 s): kept, not ready. */
  run_to (&r, 61);
  g_assert_cmpuint (slice_endpoints (&r, "web", &ready, &serving, &terminating), ==, 3);
  g_assert_cmpuint (terminating, ==, 2);
  g_assert_cmpuint (ready, ==, 1);
  run_to (&r, 120);
  g_assert_cmpuint (slice_endpoints (&r, "web", &ready, &serving, &terminating), ==, 1);
  g_assert_cmpuint (ready, ==, 1);
  run_to (&r, 160);
  {
    g_autoptr (GPtrArray) slices = slices_of (&r, "web");
    g_assert_cmpuint (slices->len, ==, 0);
  }
  ks_test_sim_clear (&r);
}

/* 150 endpoints: slices of at most 100, filled before a new one is made. */
static void
test_endpoint_slices_large (void)
{
  Run r = { 0 };
  g_autofree char *objects
      = g_strconcat (service_yaml,
                     "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: web},\n"
                     "    spec: {replicas: 150, selector: {matchLabels: {app: web}},\n"
                     "      template: {metadata: {labels: {app: web}},\n"
                     "        spec: {containers: [{name: web, image: web,\n"
                     "          resources: {requests: {cpu: 10m, memory: 16Mi}}}]}}}}\n",
                     NULL);
  guint ready, serving, terminating;
  g_autoptr (GPtrArray) slices = NULL;

  run_start (&r, objects);
  run_to (&r, 30);
  g_assert_cmpuint (slice_endpoints (&r, "web", &ready, &serving, &terminating), ==, 150);
  g_assert_cmpuint (ready, ==, 150);
  slices = slices_of (&r, "web");
  g_assert_cmpuint (slices->len, ==, 2);
  ks_test_sim_clear (&r);
}

/* A Service without pods has one empty slice. */
static void
test_endpoint_slice_placeholder (void)
{
  Run r = { 0 };
  g_autoptr (GPtrArray) slices = NULL;
  const KsEndpointSlice *s;

  run_start (&r, service_yaml);
  run_to (&r, 5);
  slices = slices_of (&r, "web");
  g_assert_cmpuint (slices->len, ==, 1);
  s = g_ptr_array_index (slices, 0);
  g_assert_cmpuint (s->n_endpoints, ==, 0);
  g_assert_cmpuint (s->n_ports, ==, 0);
  ks_test_sim_clear (&r);
}

/* kube-proxy's fallback: with no ready endpoint, the serving and terminating ones get the
 * traffic; a pod being deleted (grace period 30 s from 60 s) stays serving until it stops. */
static void
test_terminating_fallback (void)
{
  Run r = { 0 };
  g_autofree char *objects = g_strconcat (
      service_yaml,
      "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: web},\n"
      "    spec: {replicas: 1, selector: {matchLabels: {app: web}},\n"
      "      template: {metadata: {labels: {app: web}},\n"
      "        spec: {containers: [{name: web, image: web,\n"
      "          resources: {requests: {cpu: 250m, memory: 64Mi}, limits: {cpu: \"1\"}}}]}}}}\n",
      NULL);
  KsServiceTraffic a, b;
  guint ready, serving, terminating;

  run_start_full (&r, 1, objects,
                  "  - {at: 60s, scale: {kind: Deployment, name: web, replicas: 0}}\n",
                  "load:\n  - {service: web, rate: 10, cpuPerRequest: 1ms}\n");
  run_to (&r, 61);
  a = totals (&r);
  g_assert_cmpuint (slice_endpoints (&r, "web", &ready, &serving, &terminating), ==, 1);
  g_assert_cmpuint (ready, ==, 0);
  g_assert_cmpuint (serving, ==, 1);
  g_assert_cmpuint (terminating, ==, 1);
  run_to (&r, 80);
  b = totals (&r);
  g_assert_cmpuint (b.served - a.served, ==, 190);
  g_assert_cmpuint (b.dropped_no_endpoints, ==, a.dropped_no_endpoints);
  /* Gone after its grace period: nothing to send to. */
  run_to (&r, 100);
  a = totals (&r);
  run_to (&r, 110);
  b = totals (&r);
  g_assert_cmpuint (b.dropped_no_endpoints - a.dropped_no_endpoints, ==, 100);
  ks_test_sim_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/traffic/pod-ips", test_pod_ips);
  g_test_add_func ("/traffic/ip-reuse", test_ip_reuse);
  g_test_add_func ("/traffic/no-services", test_no_services);
  g_test_add_func ("/traffic/service-types", test_service_types);
  g_test_add_func ("/traffic/endpoint-slices", test_endpoint_slices);
  g_test_add_func ("/traffic/endpoint-slices-large", test_endpoint_slices_large);
  g_test_add_func ("/traffic/endpoint-slice-placeholder", test_endpoint_slice_placeholder);
  g_test_add_func ("/traffic/terminating-fallback", test_terminating_fallback);
  g_test_add_func ("/traffic/latency-rises", test_latency_rises);
  g_test_add_func ("/traffic/quantiles", test_quantiles);
  g_test_add_func ("/traffic/over-capacity", test_over_capacity);
  g_test_add_func ("/traffic/no-endpoints", test_no_endpoints);
  g_test_add_func ("/traffic/spread", test_spread);
  g_test_add_func ("/traffic/runtime-cpu", test_runtime_cpu);
  g_test_add_func ("/traffic/metrics-pipeline", test_metrics_pipeline);
  g_test_add_func ("/traffic/determinism", test_determinism);
  g_test_add_func ("/traffic/csv", test_csv);
  g_test_add_func ("/traffic/rate-shapes", test_rate_shapes);
  return g_test_run ();
}
