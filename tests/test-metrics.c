/* test-metrics.c: the resource metrics pipeline without processes: metrics-server's storage
 * rules (rates over windows, restarts, fresh containers, incomplete points, what a scrape drops)
 * with values worked out by hand, and the whole sim pipeline (the modelled runtime, the sim
 * source, the periodic server and the local metrics client) on the virtual clock. */
#include "config.h"

#include <string.h>

#include "sim/ks-sim-clock.h"
#include "sim/ks-sim-metrics.h"
#include "sim/ks-sim-runtime.h"
#include "src/api/ks-namespace.h"
#include "src/kubelet/ks-kubelet.h"
#include "src/metrics/ks-metrics-client.h"
#include "tests/ks-test.h"

#define SEC KS_USEC_PER_SEC
#define MS KS_USEC_PER_MSEC
#define NS_PER_SEC G_GUINT64_CONSTANT (1000000000)

/* ---- storage ---------------------------------------------------------------------------------
 */

static KsMetricsPoint
point (gint64 timestamp, gint64 start, guint64 cpu_ns, guint64 memory)
{
  return (KsMetricsPoint){ timestamp, start, cpu_ns, memory };
}

/* Store one scrape made of the batches given (NULL-terminated). */
static void
store (KsMetricsStorage *s, ...)
{
  g_autoptr (GPtrArray) batches
      = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_metrics_batch_free);
  va_list ap;
  KsMetricsBatch *b;

  va_start (ap, s);
  while ((b = va_arg (ap, KsMetricsBatch *)) != NULL)
    g_ptr_array_add (batches, b);
  va_end (ap);
  ks_metrics_storage_store (s, batches);
}

static KsMetricsBatch *
node_batch (const char *node, gint64 t, guint64 cpu_ns, guint64 memory)
{
  KsMetricsBatch *b = ks_metrics_batch_new (node);
  b->has_node = TRUE;
  b->node_point = point (t, 0, cpu_ns, memory);
  return b;
}

static void
test_rate (void)
{
  KsMetricsPoint prev = point (10 * SEC, 0, 1000, 1), last = point (13 * SEC, 0, 2000, 1);
  gint64 nano = -1, window = -1;

  /* 1000 ns over 3 s: 333.3 nanocores, truncated. */
  g_assert_true (ks_metrics_cpu_rate (&last, &prev, &nano, &window));
  g_assert_cmpint (nano, ==, 333);
  g_assert_cmpint (window, ==, 3 * SEC);
  /* 3 cores busy for 15.004 s. */
  last = point (25004 * MS, 0, 1000 + 3 * 15004 * G_GUINT64_CONSTANT (1000000), 1);
  g_assert_true (ks_metrics_cpu_rate (&last, &prev, &nano, &window));
  g_assert_cmpint (nano, ==, 3000000000);
  g_assert_cmpint (window, ==, 15004 * MS);
  /* A counter that went down, or no window. */
  last.cpu_ns = 999;
  g_assert_false (ks_metrics_cpu_rate (&last, &prev, &nano, &window));
  last = prev;
  g_assert_false (ks_metrics_cpu_rate (&last, &prev, &nano, &window));
}

static void
test_node (void)
{
  g_autoptr (KsMetricsStorage) s = ks_metrics_storage_new (15 * SEC);
  g_autoptr (KsNodeMetrics) m = NULL;

  store (s, node_batch ("n1", 100 * SEC, 50 * NS_PER_SEC, 4096), NULL);
  g_assert_null (ks_metrics_storage_get_node (s, "n1")); /* one point: no window yet */
  g_assert_cmpuint (ks_metrics_storage_n_points (s), ==, 1);
  /* 15 s later 3 s more CPU: 200m; memory is the last working set. */
  store (s, node_batch ("n1", 115 * SEC, 53 * NS_PER_SEC, 8192), NULL);
  m = ks_metrics_storage_get_node (s, "n1");
  g_assert_nonnull (m);
  g_assert_cmpstr (m->name, ==, "n1");
  g_assert_cmpint (m->nano_cpu, ==, 200000000);
  g_assert_cmpint (m->memory, ==, 8192);
  g_assert_cmpint (m->timestamp, ==, 115 * SEC);
  g_assert_cmpint (m->window, ==, 15 * SEC);
  g_clear_pointer (&m, ks_node_metrics_free);
  /* The same reading again (not newer): the stored prev (100 s) stays, the window with it. */
  store (s, node_batch ("n1", 115 * SEC, 53 * NS_PER_SEC, 8192), NULL);
  m = ks_metrics_storage_get_node (s, "n1");
  g_assert_nonnull (m);
  g_assert_cmpint (m->window, ==, 15 * SEC);
  g_clear_pointer (&m, ks_node_metrics_free);
  /* Incomplete points are dropped: no memory, no CPU. */
  store (s, node_batch ("n1", 130 * SEC, 54 * NS_PER_SEC, 0), NULL);
  g_assert_null (ks_metrics_storage_get_node (s, "n1"));
  store (s, node_batch ("n2", 130 * SEC, 0, 100), NULL);
  g_assert_null (ks_metrics_storage_get_node (s, "n2"));
  g_assert_cmpuint (ks_metrics_storage_n_points (s), ==, 0);
  /* A scrape that does not report the node forgets it. */
  store (s, node_batch ("n1", 145 * SEC, 55 * NS_PER_SEC, 1), NULL);
  store (s, node_batch ("n1", 160 * SEC, 56 * NS_PER_SEC, 1), NULL);
  g_assert_nonnull ((m = ks_metrics_storage_get_node (s, "n1")));
  g_clear_pointer (&m, ks_node_metrics_free);
  store (s, NULL);
  g_assert_null (ks_metrics_storage_get_node (s, "n1"));
}

static void
add (KsMetricsBatch *b, const char *pod, const char *container, KsMetricsPoint p)
{
  ks_metrics_batch_add_container (b, "default", pod, container, &p);
}

static void
test_pod (void)
{
  g_autoptr (KsMetricsStorage) s = ks_metrics_storage_new (15 * SEC);
  g_autoptr (KsPodMetrics) m = NULL;
  KsMetricsBatch *b;
  gint64 milli, memory;

  /* Two containers of web, started long ago, read half a second apart. */
  b = ks_metrics_batch_new ("n1");
  add (b, "web", "app", point (100 * SEC, 1 * SEC, 10 * NS_PER_SEC, 1 << 20));
  add (b, "web", "sidecar", point (100500 * MS, 1 * SEC, 1 * NS_PER_SEC, 1 << 10));
  store (s, b, NULL);
  g_assert_null (ks_metrics_storage_get_pod (s, "default", "web"));
  b = ks_metrics_batch_new ("n1");
  add (b, "web", "app", point (115 * SEC, 1 * SEC, 13 * NS_PER_SEC, 2 << 20));
  add (b, "web", "sidecar", point (115 * SEC, 1 * SEC, 1 * NS_PER_SEC + 14500000, 3 << 10));
  store (s, b, NULL);
  m = ks_metrics_storage_get_pod (s, "default", "web");
  g_assert_nonnull (m);
  g_assert_cmpstr (m->namespace, ==, "default");
  g_assert_cmpstr (m->name, ==, "web");
  g_assert_cmpuint (m->n_containers, ==, 2);
  g_assert_cmpstr (m->containers[0].name, ==, "app");
  g_assert_cmpint (m->containers[0].nano_cpu, ==, 200000000); /* 3 s of CPU in 15 s */
  g_assert_cmpint (m->containers[0].memory, ==, 2 << 20);
  g_assert_cmpstr (m->containers[1].name, ==, "sidecar");
  g_assert_cmpint (m->containers[1].nano_cpu, ==, 1000000); /* 14.5 ms in 14.5 s: 1m */
  g_assert_cmpint (m->containers[1].memory, ==, 3 << 10);
  /* Both read at 115 s: the earliest is the first one found, with its window. */
  g_assert_cmpint (m->timestamp, ==, 115 * SEC);
  g_assert_cmpint (m->window, ==, 15 * SEC);
  ks_pod_metrics_total (m, &milli, &memory);
  g_assert_cmpint (milli, ==, 201);
  g_assert_cmpint (memory, ==, (2 << 20) + (3 << 10));
  g_assert_cmpint (ks_container_metrics_milli_cpu (&m->containers[1]), ==, 1);
  g_clear_pointer (&m, ks_pod_metrics_free);

  /* The sidecar read earlier than app: the pod's timestamp and window are the sidecar's. */
  b = ks_metrics_batch_new ("n1");
  add (b, "web", "app", point (130 * SEC, 1 * SEC, 16 * NS_PER_SEC, 2 << 20));
  add (b, "web", "sidecar", point (129 * SEC, 1 * SEC, 2 * NS_PER_SEC, 3 << 10));
  store (s, b, NULL);
  m = ks_metrics_storage_get_pod (s, "default", "web");
  g_assert_cmpint (m->timestamp, ==, 129 * SEC);
  g_assert_cmpint (m->window, ==, 14 * SEC);
  g_clear_pointer (&m, ks_pod_metrics_free);

  /* The sidecar restarted (its start is after the stored reading): no window for it, so no
   * metrics for the pod until the next scrape. */
  b = ks_metrics_batch_new ("n1");
  add (b, "web", "app", point (145 * SEC, 1 * SEC, 19 * NS_PER_SEC, 2 << 20));
  add (b, "web", "sidecar", point (145 * SEC, 140 * SEC, 1000000, 3 << 10));
  store (s, b, NULL);
  g_assert_null (ks_metrics_storage_get_pod (s, "default", "web"));
  b = ks_metrics_batch_new ("n1");
  add (b, "web", "app", point (160 * SEC, 1 * SEC, 22 * NS_PER_SEC, 2 << 20));
  add (b, "web", "sidecar", point (160 * SEC, 140 * SEC, 1000000 + 30000000, 3 << 10));
  store (s, b, NULL);
  m = ks_metrics_storage_get_pod (s, "default", "web");
  g_assert_nonnull (m);
  g_assert_cmpint (m->containers[1].nano_cpu, ==, 2000000); /* 30 ms in 15 s */
  g_clear_pointer (&m, ks_pod_metrics_free);

  /* A container without CPU drops the whole pod's point. */
  b = ks_metrics_batch_new ("n1");
  add (b, "web", "app", point (175 * SEC, 1 * SEC, 25 * NS_PER_SEC, 2 << 20));
  add (b, "web", "sidecar", point (175 * SEC, 170 * SEC, 0, 3 << 10));
  store (s, b, NULL);
  g_assert_null (ks_metrics_storage_get_pod (s, "default", "web"));
  g_assert_cmpuint (ks_metrics_storage_n_points (s), ==, 0);
  g_assert_null (ks_metrics_storage_get_pod (s, "default", "nothing"));
}

/* A fresh container (started less than the resolution, at least 10 s, before its first point)
 * has usage from its first scrape, counted from its start. */
static void
test_fresh_container (void)
{
  g_autoptr (KsMetricsStorage) s = ks_metrics_storage_new (15 * SEC);
  g_autoptr (KsPodMetrics) m = NULL;
  KsMetricsBatch *b;

  b = ks_metrics_batch_new ("n1");
  add (b, "young", "c", point (109 * SEC, 100 * SEC, 1 * NS_PER_SEC, 1)); /* 9 s old */
  add (b, "fresh", "c", point (112 * SEC, 100 * SEC, 3 * NS_PER_SEC, 1)); /* 12 s old */
  add (b, "older", "c", point (115 * SEC, 100 * SEC, 3 * NS_PER_SEC, 1)); /* 15 s: not fresh */
  store (s, b, NULL);
  g_assert_null (ks_metrics_storage_get_pod (s, "default", "young"));
  g_assert_null (ks_metrics_storage_get_pod (s, "default", "older"));
  m = ks_metrics_storage_get_pod (s, "default", "fresh");
  g_assert_nonnull (m);
  g_assert_cmpint (m->containers[0].nano_cpu, ==, 250000000); /* 3 s over 12 s */
  g_assert_cmpint (m->window, ==, 12 * SEC);
  g_assert_cmpint (m->timestamp, ==, 112 * SEC);
  g_clear_pointer (&m, ks_pod_metrics_free);
  /* With a 5 s resolution nothing 10 s old is fresh. */
  {
    g_autoptr (KsMetricsStorage) fast = ks_metrics_storage_new (5 * SEC);
    b = ks_metrics_batch_new ("n1");
    add (b, "fresh", "c", point (112 * SEC, 100 * SEC, 3 * NS_PER_SEC, 1));
    store (fast, b, NULL);
    g_assert_null (ks_metrics_storage_get_pod (fast, "default", "fresh"));
  }
}

/* ---- the sim pipeline ------------------------------------------------------------------------
 */

typedef struct
{
  KsSimClock *sim;
  KsClock *clock;
  KsStore *store;
  KsClient *client;
  KsTestSink sink;
  KsRuntime *runtime;
  KsKubelet *kubelet;
  KsMetricsServer *server;
  KsMetricsClient *metrics;
} Fixture;

static KsRuntime *
lookup_runtime (const char *node, gpointer data)
{
  Fixture *f = data;
  return strcmp (node, "node-0") == 0 ? f->runtime : NULL;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  KsNode *node = ks_node_new ("node-0");

  f->sim = ks_sim_clock_new ();
  f->clock = ks_sim_clock_get_clock (f->sim);
  f->store = ks_store_new (f->clock, 1);
  f->client = ks_store_client_new (f->store);
  ks_test_sink_init (&f->sink);
  ks_test_create (f->store, KS_OBJECT (ks_namespace_new ("default")));
  ks_resources_set (&node->capacity, KS_RESOURCE_CPU, 2000);
  ks_resources_set (&node->capacity, KS_RESOURCE_MEMORY, G_GINT64_CONSTANT (4) << 30);
  ks_resources_set (&node->capacity, KS_RESOURCE_PODS, 110);
  ks_resources_copy (&node->allocatable, &node->capacity);
  ks_test_create (f->store, KS_OBJECT (node));
  /* A node the pipeline has no runtime for (a failed one): its scrapes fail. */
  ks_test_create (f->store, KS_OBJECT (ks_node_new ("node-9")));
  f->runtime = ks_sim_runtime_new (f->clock, 1 * SEC);
  f->kubelet = ks_kubelet_new (f->client, f->clock, f->runtime, &f->sink.parent, "node-0");
  f->server = ks_metrics_server_new (
      f->client, f->clock, ks_sim_metrics_source_new (f->client, f->clock, lookup_runtime, f),
      KS_METRICS_DEFAULT_RESOLUTION);
  f->metrics = ks_metrics_client_new_local (f->server, f->client);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ks_metrics_client_free (f->metrics);
  ks_metrics_server_free (f->server);
  ks_kubelet_free (f->kubelet);
  ks_runtime_free (f->runtime);
  ks_client_free (f->client);
  ks_store_free (f->store);
  ks_sim_clock_free (f->sim);
  ks_test_sink_clear (&f->sink);
}

static void
run_to (Fixture *f, gint64 t)
{
  ks_test_run_to (f->sim, t, 200000);
}

static void
create_pod (Fixture *f, const char *name, const char *labels, const char *annotations,
            const char *containers)
{
  g_autofree char *yaml = g_strdup_printf ("apiVersion: v1\nkind: Pod\n"
                                           "metadata: {name: %s, labels: {%s}, annotations: {%s}}\n"
                                           "spec:\n  nodeName: node-0\n  containers: %s\n",
                                           name, labels, annotations, containers);
  ks_test_create (f->store, ks_test_decode (yaml));
}

static void
test_sim_pipeline (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (KsPodMetrics) m = NULL;
  g_autoptr (KsNodeMetrics) nm = NULL;
  g_autoptr (KsLabelSelector) selector = NULL;
  g_autoptr (KsStrMap) labels = NULL;

  /* web's 250m and 64Mi are shared by its two containers; idle has no modelled usage. */
  create_pod (f, "web", "app: web", "kubesim.io/cpu-usage: 250m, kubesim.io/memory-usage: 64Mi",
              "[{name: a, image: busybox}, {name: b, image: busybox}]");
  create_pod (f, "idle", "app: idle", "", "[{name: c, image: busybox}]");
  /* t=0: the first scrape (nothing runs yet); the containers start at 1 s. */
  run_to (f, 0);
  g_assert_cmpuint (ks_metrics_server_get_n_scrapes (f->server), ==, 1);
  g_assert_cmpint (ks_metrics_server_get_resolution (f->server), ==, 15 * SEC);
  m = ks_metrics_client_get_pod (f->metrics, "default", "web", &error);
  g_assert_null (m);
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "podmetrics.metrics.k8s.io \"default/web\" not found");
  g_clear_error (&error);
  /* t=15 s: the containers are 14 s old, fresh: usage from their start. */
  run_to (f, 15 * SEC);
  g_assert_cmpuint (ks_metrics_server_get_n_scrapes (f->server), ==, 2);
  m = ks_metrics_client_get_pod (f->metrics, "default", "web", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (m->n_containers, ==, 2);
  g_assert_cmpstr (m->containers[0].name, ==, "a");
  g_assert_cmpint (m->containers[0].nano_cpu, ==, 125000000);
  g_assert_cmpint (m->containers[0].memory, ==, 32 << 20);
  g_assert_cmpstr (m->containers[1].name, ==, "b");
  g_assert_cmpint (m->containers[1].nano_cpu, ==, 125000000);
  g_assert_cmpint (m->timestamp, ==, 15 * SEC);
  g_assert_cmpint (m->window, ==, 14 * SEC);
  g_clear_pointer (&m, ks_pod_metrics_free);
  /* idle uses nothing: metrics-server drops its point. */
  g_assert_null (ks_metrics_client_get_pod (f->metrics, "default", "idle", &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (ks_metrics_client_get_pod (f->metrics, "default", "nope", &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "pods \"nope\" not found");
  g_clear_error (&error);

  /* t=30 s: a 15 s window. */
  run_to (f, 30 * SEC);
  list = ks_metrics_client_list_pods (f->metrics, "default", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  m = g_ptr_array_steal_index (list, 0);
  g_assert_cmpstr (m->name, ==, "web");
  g_assert_cmpint (m->window, ==, 15 * SEC);
  g_assert_cmpint (m->containers[0].nano_cpu, ==, 125000000);
  g_clear_pointer (&m, ks_pod_metrics_free);
  g_clear_pointer (&list, g_ptr_array_unref);
  labels = ks_str_map_new_pairs ("app", "idle", NULL);
  selector = ks_label_selector_new (labels);
  list = ks_metrics_client_list_pods (f->metrics, NULL, selector, &error);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = ks_metrics_client_list_pods (f->metrics, "kube-system", NULL, &error);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* The node: its counter accrues from the scrape that saw its pods run (15 s), so a first
   * point at 30 s, a window at 45 s: the pods' 250m and 64Mi. */
  g_assert_null (ks_metrics_client_get_node (f->metrics, "node-0", &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "nodemetrics.metrics.k8s.io \"node-0\" not found");
  g_clear_error (&error);
  run_to (f, 45 * SEC);
  nm = ks_metrics_client_get_node (f->metrics, "node-0", &error);
  g_assert_no_error (error);
  g_assert_cmpint (nm->nano_cpu, ==, 250000000);
  g_assert_cmpint (nm->memory, ==, 64 << 20);
  g_assert_cmpint (nm->window, ==, 15 * SEC);
  g_clear_pointer (&nm, ks_node_metrics_free);
  list = ks_metrics_client_list_nodes (f->metrics, NULL, &error);
  g_assert_cmpuint (list->len, ==, 1); /* node-9 failed every scrape */
  g_clear_pointer (&list, g_ptr_array_unref);
  g_assert_null (ks_metrics_client_get_node (f->metrics, "node-5", &error));
  g_assert_cmpstr (error->message, ==, "nodes \"node-5\" not found");
  g_clear_error (&error);

  /* The pod is deleted: the next scrapes no longer see it. */
  g_assert_true (
      ks_client_delete (f->client, ks_kind_get (KS_KIND_POD), "default", "web", NULL, NULL));
  run_to (f, 120 * SEC);
  g_assert_null (
      ks_metrics_storage_get_pod (ks_metrics_server_get_storage (f->server), "default", "web"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/metrics/storage/rate", test_rate);
  g_test_add_func ("/metrics/storage/node", test_node);
  g_test_add_func ("/metrics/storage/pod", test_pod);
  g_test_add_func ("/metrics/storage/fresh-container", test_fresh_container);
  g_test_add ("/metrics/sim/pipeline", Fixture, NULL, fixture_setup, test_sim_pipeline,
              fixture_teardown);
  return g_test_run ();
}
