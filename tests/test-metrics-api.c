/* test-metrics-api.c: real mode's resource metrics pipeline: the kubelet's /metrics/resource
 * text (written, read back, refused when malformed; what a node agent collects from its runtime),
 * the metrics.k8s.io JSON, and the whole path through HTTP — an API server with a metrics server
 * in a thread of this program, scraping fake node agents whose text the test writes, serving
 * metrics.k8s.io/v1beta1 (discovery, lists, single objects, selectors, every error) to raw
 * requests and to the HTTP metrics client, which answers as the local one does.
 *
 * Usage values are worked out by hand from the counters the fake agents report. */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "real/ks-apiserver.h"
#include "real/ks-metrics-api.h"
#include "real/ks-resource-metrics.h"
#include "real/ks-rest.h"
#include "real/ks-wall-clock.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-node.h"
#include "tests/ks-test.h"

#define SEC G_USEC_PER_SEC
#define MS G_GINT64_CONSTANT (1000)
#define T0 G_GINT64_CONSTANT (1735689600000000) /* 2025-01-01T00:00:00Z */
#define NS_PER_SEC G_GUINT64_CONSTANT (1000000000)
#define TIMEOUT_US (10 * G_USEC_PER_SEC)

/* ---- the text --------------------------------------------------------------------------------
 */

static KsMetricsPoint
point (gint64 timestamp, gint64 start, guint64 cpu_ns, guint64 memory)
{
  return (KsMetricsPoint){ timestamp, start, cpu_ns, memory };
}

static void
add (KsMetricsBatch *b, const char *ns, const char *pod, const char *container, KsMetricsPoint p)
{
  ks_metrics_batch_add_container (b, ns, pod, container, &p);
}

static const char encoded_text[]
    = "# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the "
      "container in core-seconds\n"
      "# TYPE container_cpu_usage_seconds_total counter\n"
      "container_cpu_usage_seconds_total{container=\"app\",namespace=\"default\",pod=\"web\"} "
      "12.5 1735689600004\n"
      "container_cpu_usage_seconds_total{container=\"c\",namespace=\"kube-system\",pod=\"q\\\"x\"} "
      "0.000000001 1735689600004\n"
      "container_cpu_usage_seconds_total{container=\"sidecar\",namespace=\"default\",pod=\"web\"} "
      "3 1735689600004\n"
      "# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in "
      "bytes\n"
      "# TYPE container_memory_working_set_bytes gauge\n"
      "container_memory_working_set_bytes{container=\"app\",namespace=\"default\",pod=\"web\"} "
      "20971520 1735689600004\n"
      "container_memory_working_set_bytes{container=\"c\",namespace=\"kube-system\",pod=\"q\\\"x\"}"
      " "
      "1 1735689600004\n"
      "container_memory_working_set_bytes{container=\"sidecar\",namespace=\"default\",pod=\"web\"} "
      "4096 1735689600004\n"
      "# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch "
      "in seconds\n"
      "# TYPE container_start_time_seconds gauge\n"
      "container_start_time_seconds{container=\"app\",namespace=\"default\",pod=\"web\"} "
      "1735689500.25 1735689500250\n"
      "container_start_time_seconds{container=\"c\",namespace=\"kube-system\",pod=\"q\\\"x\"} "
      "1735689599.000001 1735689599000\n"
      "container_start_time_seconds{container=\"sidecar\",namespace=\"default\",pod=\"web\"} "
      "1735689500 1735689500000\n"
      "# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in "
      "core-seconds\n"
      "# TYPE node_cpu_usage_seconds_total counter\n"
      "node_cpu_usage_seconds_total 1234.000567 1735689600005\n"
      "# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes\n"
      "# TYPE node_memory_working_set_bytes gauge\n"
      "node_memory_working_set_bytes 104857600 1735689600005\n"
      "# HELP resource_scrape_error [ALPHA] 1 if there was an error while getting container "
      "metrics, 0 otherwise\n"
      "# TYPE resource_scrape_error gauge\n"
      "resource_scrape_error 0\n";

static KsMetricsBatch *
sample_batch (void)
{
  KsMetricsBatch *b = ks_metrics_batch_new ("n1");
  gint64 t = T0 + 4 * MS;

  /* Listed pod by pod as an agent collects them; the text orders series by label values. */
  add (b, "default", "web", "sidecar", point (t, T0 - 100 * SEC, 3 * NS_PER_SEC, 4096));
  add (b, "default", "web", "app",
       point (t, T0 - 99750 * MS, 12 * NS_PER_SEC + 500000000, 20 << 20));
  add (b, "kube-system", "q\"x", "c", point (t, T0 - 999999, 1, 1));
  b->has_node = TRUE;
  b->node_point = point (T0 + 5 * MS, 0, 1234 * NS_PER_SEC + 567000, 100 << 20);
  return b;
}

static void
assert_point (const KsContainerPoint *c, const char *ns, const char *pod, const char *container,
              KsMetricsPoint p)
{
  g_assert_cmpstr (c->namespace, ==, ns);
  g_assert_cmpstr (c->pod, ==, pod);
  g_assert_cmpstr (c->container, ==, container);
  g_assert_cmpint (c->point.timestamp, ==, p.timestamp);
  g_assert_cmpint (c->point.start_time, ==, p.start_time);
  g_assert_cmpuint (c->point.cpu_ns, ==, p.cpu_ns);
  g_assert_cmpuint (c->point.memory, ==, p.memory);
}

static void
test_text_encode (void)
{
  g_autoptr (KsMetricsBatch) b = sample_batch ();
  g_autofree char *text = ks_resource_metrics_encode (b, FALSE);
  g_autofree char *failed = NULL;
  g_autofree char *empty = NULL;
  g_autoptr (KsMetricsBatch) none = ks_metrics_batch_new ("n2");

  g_assert_cmpstr (text, ==, encoded_text);
  /* A node whose usage could not be read: no node families, the scrape error set. */
  b->has_node = FALSE;
  failed = ks_resource_metrics_encode (b, TRUE);
  g_assert_null (strstr (failed, "node_cpu"));
  g_assert_true (g_str_has_suffix (failed, "\nresource_scrape_error 1\n"));
  empty = ks_resource_metrics_encode (none, FALSE);
  g_assert_cmpstr (empty, ==,
                   "# HELP resource_scrape_error [ALPHA] 1 if there was an error while getting "
                   "container metrics, 0 otherwise\n"
                   "# TYPE resource_scrape_error gauge\n"
                   "resource_scrape_error 0\n");
}

/* What the node agent writes reads back to the same points, pods in namespace and name order. */
static void
test_text_round_trip (void)
{
  g_autoptr (KsMetricsBatch) b = sample_batch ();
  g_autofree char *text = ks_resource_metrics_encode (b, FALSE);
  g_autoptr (GError) error = NULL;
  g_autoptr (KsMetricsBatch) back = ks_resource_metrics_decode ("n1", text, -1, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (back->node, ==, "n1");
  g_assert_true (back->has_node);
  g_assert_cmpint (back->node_point.timestamp, ==, T0 + 5 * MS);
  g_assert_cmpuint (back->node_point.cpu_ns, ==, 1234 * NS_PER_SEC + 567000);
  g_assert_cmpuint (back->node_point.memory, ==, 100 << 20);
  g_assert_cmpuint (back->containers->len, ==, 3);
  assert_point (&g_array_index (back->containers, KsContainerPoint, 0), "default", "web", "app",
                point (T0 + 4 * MS, T0 - 99750 * MS, 12 * NS_PER_SEC + 500000000, 20 << 20));
  assert_point (&g_array_index (back->containers, KsContainerPoint, 1), "default", "web", "sidecar",
                point (T0 + 4 * MS, T0 - 100 * SEC, 3 * NS_PER_SEC, 4096));
  assert_point (&g_array_index (back->containers, KsContainerPoint, 2), "kube-system", "q\"x", "c",
                point (T0 + 4 * MS, T0 - 999999, 1, 1));
}

/* The kubelet's own text: other families (pod_*, swap) are skipped, a sample without a timestamp
 * is taken at the default time, labels in any order and with escapes, blanks and comments. */
static void
test_text_decode (void)
{
  static const char text[]
      = "# HELP pod_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the pod\n"
        "pod_cpu_usage_seconds_total{namespace=\"default\",pod=\"web\"} 99 1735689600000\n"
        "container_swap_usage_bytes{container=\"app\",namespace=\"default\",pod=\"web\"} 0\n"
        "\n"
        "container_cpu_usage_seconds_total{pod=\"web\", namespace=\"default\",container=\"app\","
        "extra=\"a\\\\b\\nc\"} 7.25 1735689600000\n"
        "container_memory_working_set_bytes{container=\"app\",namespace=\"default\",pod=\"web\"} "
        "2.097152e+07\n"
        "container_start_time_seconds{container=\"app\",namespace=\"default\",pod=\"web\"} "
        "1735689000.5 1735689000500\n"
        "  node_memory_working_set_bytes 1e9 1735689600001\n"
        "node_cpu_usage_seconds_total\t12.000000000999 1735689600001\n"
        "resource_scrape_error 0\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (KsMetricsBatch) b = ks_resource_metrics_decode ("n1", text, -1, T0 + 7 * SEC, &error);

  g_assert_no_error (error);
  g_assert_true (b->has_node);
  g_assert_cmpint (b->node_point.timestamp, ==, T0 + 1 * MS);
  g_assert_cmpuint (b->node_point.memory, ==, 1000000000);
  /* Nine fraction digits are kept: ns. */
  g_assert_cmpuint (b->node_point.cpu_ns, ==, 12 * NS_PER_SEC);
  g_assert_cmpuint (b->containers->len, ==, 1);
  /* The memory sample has no timestamp: its default time is the point's. */
  assert_point (&g_array_index (b->containers, KsContainerPoint, 0), "default", "web", "app",
                point (T0 + 7 * SEC, T0 - 599500 * MS, 7250000000, 20971520));

  /* Without the node's memory there is no node point. */
  g_clear_pointer (&b, ks_metrics_batch_free);
  b = ks_resource_metrics_decode ("n1", "node_cpu_usage_seconds_total 1 1\n", 33, 0, &error);
  g_assert_no_error (error);
  g_assert_false (b->has_node);
  /* Only the first len bytes are read. */
  g_clear_pointer (&b, ks_metrics_batch_free);
  b = ks_resource_metrics_decode ("n1", "resource_scrape_error 0\nbroken{", 23, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (b->containers->len, ==, 0);
}

static void
test_text_errors (void)
{
  static const struct
  {
    const char *text;
    const char *message;
  } cases[] = {
    { "node_cpu_usage_seconds_total\n", "line 1: node_cpu_usage_seconds_total: a space and a value "
                                        "were expected" },
    { "# ok\nnode_cpu_usage_seconds_total x 1\n",
      "line 2: node_cpu_usage_seconds_total: \"x\" is not a number" },
    { "node_cpu_usage_seconds_total -1\n",
      "line 1: node_cpu_usage_seconds_total: -1 is not a usage (a number, 0 or more)" },
    { "node_cpu_usage_seconds_total NaN\n",
      "line 1: node_cpu_usage_seconds_total: NaN is not a usage (a number, 0 or more)" },
    { "node_cpu_usage_seconds_total 1 soon\n",
      "line 1: node_cpu_usage_seconds_total: \"soon\" is not a timestamp (ms since the epoch)" },
    { "container_cpu_usage_seconds_total{pod=\"p\",namespace=\"n\"} 1\n",
      "line 1: container_cpu_usage_seconds_total: the labels container, namespace and pod are "
      "required" },
    { "container_cpu_usage_seconds_total{pod=\"p} 1\n",
      "line 1: label pod: the value's closing quote is missing" },
    { "container_cpu_usage_seconds_total{pod=p} 1\n",
      "line 1: label pod: =\"value\" was expected" },
    { "container_cpu_usage_seconds_total{pod=\"\\t\"} 1\n",
      "line 1: label pod: \\t is not an escape (\\\\, \\\" or \\n)" },
    { "container_cpu_usage_seconds_total{pod=\"p\" container=\"c\"} 1\n",
      "line 1: ',' or '}' was expected after label pod" },
    { "container_cpu_usage_seconds_total{=\"p\"} 1\n", "line 1: a label name was expected" },
    { "9lives 1\n", "line 1: a metric name was expected" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (KsMetricsBatch) b
          = ks_resource_metrics_decode ("n1", cases[i].text, -1, 0, &error);
      g_assert_null (b);
      g_assert_error (error, KS_RESOURCE_METRICS_ERROR, KS_RESOURCE_METRICS_ERROR_SYNTAX);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

/* ---- what a node agent collects --------------------------------------------------------------
 */

static void
stats_set (KsRuntime *rt, const char *key, gint64 t, gint64 start, guint64 cpu, guint64 ws)
{
  KsStats s = { t, start, cpu, ws };

  ks_test_stats_runtime_set (rt, key, &s);
}

/* Every running container of the pods given, sidecars (running init containers) first, then the
 * node; a node whose usage is unknown makes the scrape incomplete. */
static void
test_collect (void)
{
  g_autoptr (GPtrArray) pods = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  KsRuntime *rt = ks_test_stats_runtime_new ();
  g_autoptr (KsMetricsBatch) b = NULL;
  gboolean incomplete = TRUE;

  g_ptr_array_add (pods, ks_test_decode ("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n"
                                         "spec:\n  initContainers: [{name: done, image: x}, "
                                         "{name: side, image: x, restartPolicy: Always}]\n"
                                         "  containers: [{name: m1, image: x}, {name: m2, image: "
                                         "x}]\n"));
  g_ptr_array_add (pods, ks_test_decode ("apiVersion: v1\nkind: Pod\nmetadata: {name: b, "
                                         "namespace: other}\n"
                                         "spec:\n  containers: [{name: m, image: x}]\n"));
  stats_set (rt, "a/m2", 10, 1, 100, 200);
  stats_set (rt, "a/side", 11, 2, 300, 400);
  stats_set (rt, "b/m", 12, 3, 500, 600);
  stats_set (rt, "node", 13, 4, 700, 800);
  b = ks_resource_metrics_collect (rt, "n1", pods, &incomplete);
  g_assert_false (incomplete);
  g_assert_cmpstr (b->node, ==, "n1");
  g_assert_cmpuint (b->containers->len, ==, 3);
  assert_point (&g_array_index (b->containers, KsContainerPoint, 0), "default", "a", "side",
                point (11, 2, 300, 400));
  assert_point (&g_array_index (b->containers, KsContainerPoint, 1), "default", "a", "m2",
                point (10, 1, 100, 200));
  assert_point (&g_array_index (b->containers, KsContainerPoint, 2), "other", "b", "m",
                point (12, 3, 500, 600));
  g_assert_true (b->has_node);
  g_assert_cmpint (b->node_point.timestamp, ==, 13);
  g_assert_cmpuint (b->node_point.cpu_ns, ==, 700);
  g_assert_cmpuint (b->node_point.memory, ==, 800);
  g_clear_pointer (&b, ks_metrics_batch_free);

  ks_test_stats_runtime_set (rt, "node", NULL);
  b = ks_resource_metrics_collect (rt, "n1", NULL, &incomplete);
  g_assert_true (incomplete);
  g_assert_false (b->has_node);
  g_assert_cmpuint (b->containers->len, ==, 0);
  ks_runtime_free (rt);
}

/* ---- JSON ------------------------------------------------------------------------------------
 */

static void
test_json (void)
{
  g_autoptr (KsPodMetrics) m = ks_pod_metrics_new ("default", "web", 2);
  g_autoptr (KsNodeMetrics) n = ks_node_metrics_new ("n1");
  g_autoptr (KsStrMap) labels = ks_str_map_new_pairs ("app", "web", NULL);
  g_autoptr (JsonNode) pod_json = NULL;
  g_autoptr (JsonNode) node_json = NULL;
  g_autoptr (KsPodMetrics) back = NULL;
  g_autoptr (KsNodeMetrics) node_back = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  m->timestamp = T0 + 4 * MS;
  m->window = 15004 * MS;
  m->containers[0].name = g_strdup ("app");
  m->containers[0].nano_cpu = 199946680;
  m->containers[0].memory = 20 << 20;
  m->containers[1].name = g_strdup ("sidecar");
  m->containers[1].nano_cpu = 0;
  m->containers[1].memory = 3000000;
  pod_json = ks_pod_metrics_to_json (m, labels, T0 + 9 * SEC, 0);
  text = json_to_string (pod_json, FALSE);
  g_assert_cmpstr (text, ==,
                   "{\"kind\":\"PodMetrics\",\"apiVersion\":\"metrics.k8s.io/v1beta1\","
                   "\"metadata\":{\"name\":\"web\",\"namespace\":\"default\","
                   "\"creationTimestamp\":\"2025-01-01T00:00:09Z\",\"labels\":{\"app\":\"web\"}},"
                   "\"timestamp\":\"2025-01-01T00:00:00Z\",\"window\":\"15.004s\","
                   "\"containers\":[{\"name\":\"app\",\"usage\":{\"cpu\":\"199946680n\","
                   "\"memory\":\"20Mi\"}},{\"name\":\"sidecar\",\"usage\":{\"cpu\":\"0\","
                   "\"memory\":\"3000000\"}}]}");
  g_clear_pointer (&text, g_free);
  back = ks_pod_metrics_from_json (pod_json, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->namespace, ==, "default");
  g_assert_cmpstr (back->name, ==, "web");
  g_assert_cmpint (back->timestamp, ==, T0); /* the API's times are whole seconds */
  g_assert_cmpint (back->window, ==, 15004 * MS);
  g_assert_cmpuint (back->n_containers, ==, 2);
  g_assert_cmpstr (back->containers[1].name, ==, "sidecar");
  g_assert_cmpint (back->containers[0].nano_cpu, ==, 199946680);
  g_assert_cmpint (back->containers[1].memory, ==, 3000000);

  n->timestamp = T0;
  n->window = 15 * SEC;
  n->nano_cpu = 1500000000;
  n->memory = G_GINT64_CONSTANT (3) << 30;
  node_json = ks_node_metrics_to_json (n, NULL, T0, 0);
  text = json_to_string (node_json, FALSE);
  g_assert_cmpstr (text, ==,
                   "{\"kind\":\"NodeMetrics\",\"apiVersion\":\"metrics.k8s.io/v1beta1\","
                   "\"metadata\":{\"name\":\"n1\",\"creationTimestamp\":\"2025-01-01T00:00:00Z\"},"
                   "\"timestamp\":\"2025-01-01T00:00:00Z\",\"window\":\"15s\","
                   "\"usage\":{\"cpu\":\"1500m\",\"memory\":\"3Gi\"}}");
  node_back = ks_node_metrics_from_json (node_json, &error);
  g_assert_no_error (error);
  g_assert_cmpint (node_back->nano_cpu, ==, 1500000000);
  g_assert_cmpint (node_back->memory, ==, G_GINT64_CONSTANT (3) << 30);

  /* What is missing or wrong is named. */
  {
    static const struct
    {
      const char *json;
      const char *message;
    } bad[] = {
      { "{\"metadata\":{}}", "metrics: metadata.name is missing" },
      { "{\"metadata\":{\"name\":\"a\"}}", "metrics: metadata.namespace is missing" },
      { "{\"metadata\":{\"name\":\"a\",\"namespace\":\"b\"},\"timestamp\":\"now\"}",
        "metrics: timestamp: \"now\" is not an RFC 3339 time" },
      { "{\"metadata\":{\"name\":\"a\",\"namespace\":\"b\"},\"timestamp\":\"2025-01-01T00:00:00Z\","
        "\"window\":\"long\"}",
        "metrics: window: \"long\" is not a duration" },
      { "{\"metadata\":{\"name\":\"a\",\"namespace\":\"b\"},\"timestamp\":\"2025-01-01T00:00:00Z\","
        "\"window\":\"1s\"}",
        "metrics: containers is missing" },
      { "{\"metadata\":{\"name\":\"a\",\"namespace\":\"b\"},\"timestamp\":\"2025-01-01T00:00:00Z\","
        "\"window\":\"1s\",\"containers\":[{\"name\":\"c\",\"usage\":{\"cpu\":\"lots\"}}]}",
        "metrics: containers[0].usage.cpu: \"lots\" is not a quantity" },
      { "{\"metadata\":{\"name\":\"a\",\"namespace\":\"b\"},\"timestamp\":\"2025-01-01T00:00:00Z\","
        "\"window\":\"1s\",\"containers\":[{\"usage\":{}}]}",
        "metrics: containers[0].name is missing" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr (JsonNode) node = json_from_string (bad[i].json, NULL);
        g_autoptr (KsPodMetrics) none = ks_pod_metrics_from_json (node, &error);
        g_assert_null (none);
        g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_BAD_REQUEST);
        g_assert_cmpstr (error->message, ==, bad[i].message);
        g_clear_error (&error);
      }
  }
}

/* ---- the pipeline through HTTP ---------------------------------------------------------------
 */

/* Every 20 ms: scrapes follow each other quickly. */
#define RESOLUTION (20 * MS)

typedef struct
{
  KsTestThread thread; /* the servers' (its lock also guards the fields shared with them) */
  KsTestClock clock;
  KsStore *store;
  KsClient *client;
  KsMetricsServer *metrics;
  KsApiServer *server;
  char *url;
  SoupServer *agent; /* node n1's: answers text (guarded by lock) */
  SoupServer *sick;  /* node n2's: answers 500 */
  guint agent_port;
  guint sick_port;
  char *text;
  KsRest *rest;
} Fixture;

static void
agent_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
               gpointer data)
{
  Fixture *f = data;
  char *text;

  g_mutex_lock (&f->thread.lock);
  text = g_strdup (f->text != NULL ? f->text : "");
  g_mutex_unlock (&f->thread.lock);
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "text/plain; version=0.0.4", SOUP_MEMORY_TAKE, text,
                                    strlen (text));
}

static void
sick_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
              gpointer data)
{
  soup_server_message_set_status (msg, 500, NULL);
}

static guint
listen_agent (SoupServer *server)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;
  guint port;

  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return port;
}

static void
create_node (Fixture *f, const char *name, const char *zone, guint port)
{
  g_autofree char *yaml
      = g_strdup_printf ("apiVersion: v1\nkind: Node\nmetadata: {name: %s, labels: {zone: %s}}\n"
                         "status: {capacity: {cpu: '2', memory: 4Gi, pods: '110'}}\n",
                         name, zone);
  KsNode *node = KS_NODE (ks_test_decode (yaml));

  node->kubelet_port = (gint32) port;
  ks_test_create (f->store, KS_OBJECT (node));
}

static void
create_pod (Fixture *f, const char *ns, const char *name, const char *app)
{
  g_autofree char *yaml = g_strdup_printf (
      "apiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: %s, labels: {app: %s}}\n"
      "spec: {nodeName: n1, containers: [{name: app, image: busybox}]}\n",
      name, ns, app);
  ks_test_create (f->store, ks_test_decode (yaml));
}

static gpointer
server_main (gpointer data)
{
  Fixture *f = data;
  g_autoptr (GError) error = NULL;

  g_main_context_push_thread_default (f->thread.context);
  ks_test_clock_init (&f->clock, ks_wall_clock_new (), T0);
  f->store = ks_store_new (&f->clock.parent, 7);
  f->client = ks_store_client_new (f->store);
  f->agent = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->agent, "/metrics/resource", agent_handler, f, NULL);
  f->agent_port = listen_agent (f->agent);
  f->sick = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->sick, NULL, sick_handler, f, NULL);
  f->sick_port = listen_agent (f->sick);
  ks_test_create (f->store, KS_OBJECT (ks_namespace_new ("default")));
  ks_test_create (f->store, KS_OBJECT (ks_namespace_new ("other")));
  create_node (f, "n1", "a", f->agent_port);
  create_node (f, "n2", "a", f->sick_port);
  create_node (f, "n3", "b", 0); /* no kubelet port: its scrapes fail */
  create_pod (f, "default", "web", "web");
  create_pod (f, "default", "db", "db");
  create_pod (f, "default", "new", "web");
  create_pod (f, "other", "job", "job");
  f->metrics = ks_metrics_server_new (f->client, &f->clock.parent,
                                      ks_http_metrics_source_new (5 * SEC), RESOLUTION);
  f->server = ks_api_server_new (f->store, 0);
  ks_api_server_set_metrics (f->server, f->metrics);
  g_assert_true (ks_api_server_listen (f->server, 0, &error));
  f->url = ks_api_server_get_url (f->server);
  ks_test_thread_ready (&f->thread);
  g_main_loop_run (f->thread.loop);
  ks_api_server_free (f->server);
  ks_metrics_server_free (f->metrics);
  soup_server_disconnect (f->agent);
  soup_server_disconnect (f->sick);
  while (g_main_context_iteration (f->thread.context, FALSE))
    ;
  g_clear_object (&f->agent);
  g_clear_object (&f->sick);
  ks_client_free (f->client);
  ks_store_free (f->store);
  ks_wall_clock_free (f->clock.wall);
  g_main_context_pop_thread_default (f->thread.context);
  return NULL;
}

static void
read_n_scrapes (gpointer owner, gpointer data)
{
  Fixture *f = owner;

  *(guint *) data = ks_metrics_server_get_n_scrapes (f->metrics);
}

static guint
n_scrapes (Fixture *f)
{
  guint n = 0;
  ks_test_thread_call (&f->thread, read_n_scrapes, f, &n);
  return n;
}

/* Let the fake agent of n1 answer text from now on, and wait until a scrape that began after the
 * change has been stored. */
static void
agent_reports (Fixture *f, const char *text)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;
  guint n0;

  g_mutex_lock (&f->thread.lock);
  g_free (f->text);
  f->text = g_strdup (text);
  g_mutex_unlock (&f->thread.lock);
  n0 = n_scrapes (f);
  /* One scrape may have been running when the text changed. */
  while (n_scrapes (f) < n0 + 2)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (2000);
    }
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  ks_test_thread_start (&f->thread, "api-server", server_main, f);
  f->rest = ks_rest_new (f->url, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ks_rest_free (f->rest);
  ks_test_thread_stop (&f->thread);
  g_free (f->url);
  g_free (f->text);
}

/* The text of node n1 at time t (ms since the epoch) with cumulative usage: web's app and sidecar,
 * db's x and, when db_y, a y that started between the two readings; job's app; a pod that does
 * not exist (ghost); the node. */
static char *
agent_text (gint64 t, const char *app_cpu, const char *sidecar_cpu, const char *node_cpu,
            gboolean db_y)
{
  return g_strdup_printf (
      "container_cpu_usage_seconds_total{container=\"app\",namespace=\"default\",pod=\"web\"} %s "
      "%" G_GINT64_FORMAT "\n"
      "container_cpu_usage_seconds_total{container=\"sidecar\",namespace=\"default\",pod=\"web\"} "
      "%s %" G_GINT64_FORMAT "\n"
      "container_cpu_usage_seconds_total{container=\"x\",namespace=\"default\",pod=\"db\"} 5 "
      "%" G_GINT64_FORMAT "\n"
      "%s"
      "container_cpu_usage_seconds_total{container=\"app\",namespace=\"other\",pod=\"job\"} %s "
      "%" G_GINT64_FORMAT "\n"
      "container_cpu_usage_seconds_total{container=\"app\",namespace=\"default\",pod=\"ghost\"} "
      "%s %" G_GINT64_FORMAT "\n"
      "container_memory_working_set_bytes{container=\"app\",namespace=\"default\",pod=\"web\"} "
      "20971520 %" G_GINT64_FORMAT "\n"
      "container_memory_working_set_bytes{container=\"sidecar\",namespace=\"default\",pod=\"web\"} "
      "3000000 %" G_GINT64_FORMAT "\n"
      "container_memory_working_set_bytes{container=\"x\",namespace=\"default\",pod=\"db\"} 1 "
      "%" G_GINT64_FORMAT "\n"
      "%s"
      "container_memory_working_set_bytes{container=\"app\",namespace=\"other\",pod=\"job\"} "
      "12582912 %" G_GINT64_FORMAT "\n"
      "container_memory_working_set_bytes{container=\"app\",namespace=\"default\",pod=\"ghost\"} "
      "1 %" G_GINT64_FORMAT "\n"
      "container_start_time_seconds{container=\"app\",namespace=\"default\",pod=\"web\"} "
      "1735689000 1735689000000\n"
      "container_start_time_seconds{container=\"sidecar\",namespace=\"default\",pod=\"web\"} "
      "1735689000 1735689000000\n"
      "container_start_time_seconds{container=\"x\",namespace=\"default\",pod=\"db\"} "
      "1735689000 1735689000000\n"
      "container_start_time_seconds{container=\"app\",namespace=\"other\",pod=\"job\"} "
      "1735689000 1735689000000\n"
      "node_cpu_usage_seconds_total %s %" G_GINT64_FORMAT "\n"
      "node_memory_working_set_bytes 536870912 %" G_GINT64_FORMAT "\n"
      "resource_scrape_error 0\n",
      app_cpu, t, sidecar_cpu, t, t,
      db_y ? "container_cpu_usage_seconds_total{container=\"y\",namespace=\"default\",pod=\"db\"} "
             "1 1735689600004\n"
             "container_start_time_seconds{container=\"y\",namespace=\"default\",pod=\"db\"} "
             "1735689590 1735689590000\n"
           : "",
      app_cpu, t, app_cpu, t, t, t, t,
      db_y ? "container_memory_working_set_bytes{container=\"y\",namespace=\"default\",pod=\"db\"} "
             "1 1735689600004\n"
           : "",
      t, t, node_cpu, t, t);
}

/* Two readings of n1 15.004 s apart: web's app used 3 s of CPU (199946680n), its sidecar
 * 150.06 ms (10001332n), job's app 3 s too, the node 3.0012 s (200026659n). */
static void
two_readings (Fixture *f)
{
  g_autofree char *a = agent_text (1735689585000, "10.5", "1.000000001", "100", FALSE);
  g_autofree char *b = agent_text (1735689600004, "13.5", "1.150060001", "103.0012", TRUE);

  agent_reports (f, a);
  agent_reports (f, b);
}

static char *
get_json (Fixture *f, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) answer = ks_rest_request (f->rest, "GET", path, NULL, NULL, &error);

  g_assert_no_error (error);
  return json_to_string (answer, FALSE);
}

/* The error Status of method on path. */
static void
assert_failure (Fixture *f, const char *method, const char *path, guint code, const char *reason,
                const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) answer = ks_rest_request (f->rest, method, path, NULL, NULL, &error);
  const KsRestStatus *s = ks_rest_error_get_status (error);

  g_assert_null (answer);
  g_assert_nonnull (s);
  g_assert_cmpuint (s->code, ==, code);
  g_assert_cmpstr (s->reason, ==, reason);
  g_assert_cmpstr (s->message, ==, message);
}

/* The names ("ns/name" or "name") of a List's items. */
static char *
item_names (Fixture *f, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) answer = ks_rest_request (f->rest, "GET", path, NULL, NULL, &error);
  g_autoptr (GString) out = g_string_new (NULL);
  JsonArray *items;

  g_assert_no_error (error);
  items = json_object_get_array_member (json_node_get_object (answer), "items");
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *meta
          = json_object_get_object_member (json_array_get_object_element (items, i), "metadata");
      if (out->len > 0)
        g_string_append_c (out, ' ');
      if (json_object_has_member (meta, "namespace"))
        g_string_append_printf (out, "%s/", json_object_get_string_member (meta, "namespace"));
      g_string_append (out, json_object_get_string_member (meta, "name"));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

#define V1BETA1 "/apis/metrics.k8s.io/v1beta1"

static const char web_json[]
    = "{\"kind\":\"PodMetrics\",\"apiVersion\":\"metrics.k8s.io/v1beta1\","
      "\"metadata\":{\"name\":\"web\",\"namespace\":\"default\","
      "\"creationTimestamp\":\"2025-01-01T00:00:00Z\",\"labels\":{\"app\":\"web\"}},"
      "\"timestamp\":\"2025-01-01T00:00:00Z\",\"window\":\"15.004s\","
      "\"containers\":[{\"name\":\"app\",\"usage\":{\"cpu\":\"199946680n\",\"memory\":\"20Mi\"}},"
      "{\"name\":\"sidecar\",\"usage\":{\"cpu\":\"10001332n\",\"memory\":\"3000000\"}}]}";

static void
test_http_api (Fixture *f, gconstpointer data)
{
  g_autofree char *groups = NULL;
  g_autofree char *text = NULL;

  /* Discovery. */
  groups = get_json (f, "/apis");
  g_assert_nonnull (strstr (groups, "{\"name\":\"metrics.k8s.io\",\"versions\":[{\"groupVersion\":"
                                    "\"metrics.k8s.io/v1beta1\",\"version\":\"v1beta1\"}],"
                                    "\"preferredVersion\":{\"groupVersion\":\"metrics.k8s.io/"
                                    "v1beta1\",\"version\":\"v1beta1\"}}"));
  text = get_json (f, "/apis/metrics.k8s.io");
  g_assert_cmpstr (text, ==,
                   "{\"kind\":\"APIGroup\",\"apiVersion\":\"v1\",\"name\":\"metrics.k8s.io\","
                   "\"versions\":[{\"groupVersion\":\"metrics.k8s.io/v1beta1\",\"version\":"
                   "\"v1beta1\"}],\"preferredVersion\":{\"groupVersion\":\"metrics.k8s.io/"
                   "v1beta1\",\"version\":\"v1beta1\"}}");
  g_clear_pointer (&text, g_free);
  text = get_json (f, V1BETA1);
  g_assert_cmpstr (text, ==,
                   "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":"
                   "\"metrics.k8s.io/v1beta1\",\"resources\":[{\"name\":\"nodes\","
                   "\"singularName\":\"\",\"namespaced\":false,\"kind\":\"NodeMetrics\","
                   "\"verbs\":[\"get\",\"list\"]},{\"name\":\"pods\",\"singularName\":\"\","
                   "\"namespaced\":true,\"kind\":\"PodMetrics\",\"verbs\":[\"get\",\"list\"]}]}");
  g_clear_pointer (&text, g_free);

  /* Before any usage was read: empty lists, 404 for each object. */
  text = get_json (f, V1BETA1 "/nodes");
  g_assert_cmpstr (text, ==,
                   "{\"kind\":\"NodeMetricsList\",\"apiVersion\":\"metrics.k8s.io/v1beta1\","
                   "\"metadata\":{},\"items\":[]}");
  g_clear_pointer (&text, g_free);
  assert_failure (f, "GET", V1BETA1 "/namespaces/default/pods/web", 404, "NotFound",
                  "podmetrics.metrics.k8s.io \"default/web\" not found");

  two_readings (f);
  text = get_json (f, V1BETA1 "/namespaces/default/pods/web");
  g_assert_cmpstr (text, ==, web_json);
  g_clear_pointer (&text, g_free);
  text = get_json (f, V1BETA1 "/nodes/n1");
  g_assert_cmpstr (text, ==,
                   "{\"kind\":\"NodeMetrics\",\"apiVersion\":\"metrics.k8s.io/v1beta1\","
                   "\"metadata\":{\"name\":\"n1\",\"creationTimestamp\":\"2025-01-01T00:00:00Z\","
                   "\"labels\":{\"zone\":\"a\"}},\"timestamp\":\"2025-01-01T00:00:00Z\","
                   "\"window\":\"15.004s\",\"usage\":{\"cpu\":\"200026659n\","
                   "\"memory\":\"512Mi\"}}");
  g_clear_pointer (&text, g_free);
  /* The list holds the same items. */
  text = get_json (f, V1BETA1 "/namespaces/default/pods");
  g_assert_true (g_str_has_prefix (text, "{\"kind\":\"PodMetricsList\",\"apiVersion\":"
                                         "\"metrics.k8s.io/v1beta1\",\"metadata\":{},"
                                         "\"items\":["));
  g_assert_nonnull (strstr (text, web_json));
  g_clear_pointer (&text, g_free);

  /* Lists: only what exists, matches and has a window.  db's y started after the first reading;
   * new has no usage; n2's agent fails, n3 has no port; ghost is no pod. */
  text = item_names (f, V1BETA1 "/namespaces/default/pods");
  g_assert_cmpstr (text, ==, "default/web");
  g_clear_pointer (&text, g_free);
  text = item_names (f, V1BETA1 "/pods");
  g_assert_cmpstr (text, ==, "default/web other/job");
  g_clear_pointer (&text, g_free);
  text = item_names (f, V1BETA1 "/pods?labelSelector=app%3Djob");
  g_assert_cmpstr (text, ==, "other/job");
  g_clear_pointer (&text, g_free);
  text = item_names (f, V1BETA1 "/pods?labelSelector=app%21%3Djob");
  g_assert_cmpstr (text, ==, "default/web");
  g_clear_pointer (&text, g_free);
  text = item_names (f, V1BETA1 "/pods?fieldSelector=metadata.namespace%3Dother");
  g_assert_cmpstr (text, ==, "other/job");
  g_clear_pointer (&text, g_free);
  text = item_names (f, V1BETA1 "/nodes");
  g_assert_cmpstr (text, ==, "n1");
  g_clear_pointer (&text, g_free);
  text = item_names (f, V1BETA1 "/nodes?labelSelector=zone%3Db");
  g_assert_cmpstr (text, ==, "");
  g_clear_pointer (&text, g_free);

  /* Errors, as metrics-server and the API server give them. */
  assert_failure (f, "GET", V1BETA1 "/namespaces/default/pods/db", 404, "NotFound",
                  "podmetrics.metrics.k8s.io \"default/db\" not found");
  assert_failure (f, "GET", V1BETA1 "/namespaces/default/pods/nope", 404, "NotFound",
                  "pods \"nope\" not found");
  assert_failure (f, "GET", V1BETA1 "/namespaces/default/pods/ghost", 404, "NotFound",
                  "pods \"ghost\" not found");
  assert_failure (f, "GET", V1BETA1 "/nodes/n2", 404, "NotFound",
                  "nodemetrics.metrics.k8s.io \"n2\" not found");
  assert_failure (f, "GET", V1BETA1 "/nodes/n9", 404, "NotFound", "nodes \"n9\" not found");
  assert_failure (f, "POST", V1BETA1 "/nodes", 405, "MethodNotAllowed",
                  "create is not supported on resources of kind \"nodes\"");
  assert_failure (f, "DELETE", V1BETA1 "/namespaces/default/pods/web", 405, "MethodNotAllowed",
                  "delete is not supported on resources of kind \"pods\"");
  assert_failure (f, "GET", V1BETA1 "/pods?watch=true", 405, "MethodNotAllowed",
                  "watch is not supported on resources of kind \"pods\"");
  assert_failure (f, "GET", V1BETA1 "/deployments", 404, "NotFound",
                  "the server could not find the requested resource");
  assert_failure (f, "GET", V1BETA1 "/namespaces/default/nodes", 404, "NotFound",
                  "the server could not find the requested resource");
  assert_failure (f, "GET", "/apis/metrics.k8s.io/v1/nodes", 404, "NotFound",
                  "the server could not find the requested resource");
}

/* A bad selector's message comes from the selector parser; only its presence is checked. */
static void
test_http_bad_selector (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) answer = ks_rest_request (
      f->rest, "GET", V1BETA1 "/pods?labelSelector=a%3D%3D%3Db", NULL, NULL, &error);
  const KsRestStatus *s = ks_rest_error_get_status (error);

  g_assert_nonnull (s);
  g_assert_cmpuint (s->code, ==, 400);
  g_assert_nonnull (s->message);
  g_assert_cmpstr (s->message, !=, "");
}

static void
set_metrics (gpointer owner, gpointer data)
{
  Fixture *f = owner;

  ks_api_server_set_metrics (f->server, data);
}

/* Without a metrics server the group is neither listed nor served. */
static void
test_http_no_metrics (Fixture *f, gconstpointer data)
{
  g_autofree char *groups = NULL;

  ks_test_thread_call (&f->thread, set_metrics, f, NULL);
  groups = get_json (f, "/apis");
  g_assert_null (strstr (groups, "metrics.k8s.io"));
  assert_failure (f, "GET", V1BETA1 "/nodes", 404, "NotFound",
                  "the server could not find the requested resource");
  ks_test_thread_call (&f->thread, set_metrics, f, f->metrics);
}

/* A summary of a metrics list: "ns/name[c=cpu/mem,...]" per pod, "name=cpu/mem" per node. */
static char *
pods_summary (GPtrArray *list)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < list->len; i++)
    {
      const KsPodMetrics *m = g_ptr_array_index (list, i);
      g_string_append_printf (out, "%s%s/%s[", i > 0 ? " " : "", m->namespace, m->name);
      for (guint j = 0; j < m->n_containers; j++)
        g_string_append_printf (out, "%s%s=%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
                                j > 0 ? "," : "", m->containers[j].name, m->containers[j].nano_cpu,
                                m->containers[j].memory);
      g_string_append_printf (out, "]@%" G_GINT64_FORMAT "+%" G_GINT64_FORMAT, m->timestamp,
                              m->window);
    }
  return g_string_free (out, FALSE);
}

static char *
nodes_summary (GPtrArray *list)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < list->len; i++)
    {
      const KsNodeMetrics *m = g_ptr_array_index (list, i);
      g_string_append_printf (out, "%s%s=%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, i > 0 ? " " : "",
                              m->name, m->nano_cpu, m->memory);
    }
  return g_string_free (out, FALSE);
}

typedef struct
{
  char *all_pods;
  char *web_pods;
  char *nodes;
} Summaries;

/* What the local client (in the server's thread) answers. */
static void
local_summaries (gpointer owner, gpointer data)
{
  Fixture *f = owner;
  Summaries *s = data;
  g_autoptr (KsMetricsClient) c = ks_metrics_client_new_local (f->metrics, f->client);
  g_autoptr (KsStrMap) labels = ks_str_map_new_pairs ("app", "web", NULL);
  g_autoptr (KsLabelSelector) selector = ks_label_selector_new (labels);
  g_autoptr (GPtrArray) all = ks_metrics_client_list_pods (c, NULL, NULL, NULL);
  g_autoptr (GPtrArray) web = ks_metrics_client_list_pods (c, "default", selector, NULL);
  g_autoptr (GPtrArray) nodes = ks_metrics_client_list_nodes (c, NULL, NULL);

  s->all_pods = pods_summary (all);
  s->web_pods = pods_summary (web);
  s->nodes = nodes_summary (nodes);
}

/* The HTTP metrics client answers what the API serves, and the same as the local client (times
 * aside: the API's are whole seconds). */
static void
test_http_client (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsMetricsClient) c = ks_http_metrics_client_new (f->url, &error);
  g_autoptr (KsStrMap) labels = ks_str_map_new_pairs ("app", "web", NULL);
  g_autoptr (KsLabelSelector) selector = ks_label_selector_new (labels);
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) web = NULL;
  g_autoptr (GPtrArray) nodes = NULL;
  g_autoptr (KsPodMetrics) m = NULL;
  g_autoptr (KsNodeMetrics) n = NULL;
  g_autofree char *text = NULL;
  Summaries local = { 0 };

  g_assert_no_error (error);
  two_readings (f);
  all = ks_metrics_client_list_pods (c, NULL, NULL, &error);
  g_assert_no_error (error);
  text = pods_summary (all);
  g_assert_cmpstr (text, ==,
                   "default/web[app=199946680/20971520,sidecar=10001332/3000000]"
                   "@1735689600000000+15004000 "
                   "other/job[app=199946680/12582912]@1735689600000000+15004000");
  g_clear_pointer (&text, g_free);
  web = ks_metrics_client_list_pods (c, "default", selector, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (web->len, ==, 1);
  nodes = ks_metrics_client_list_nodes (c, NULL, &error);
  g_assert_no_error (error);
  text = nodes_summary (nodes);
  g_assert_cmpstr (text, ==, "n1=200026659/536870912");
  g_clear_pointer (&text, g_free);

  /* The local client, which reads the storage itself: the same, to the µs of the readings. */
  ks_test_thread_call (&f->thread, local_summaries, f, &local);
  g_assert_cmpstr (local.all_pods, ==,
                   "default/web[app=199946680/20971520,sidecar=10001332/3000000]"
                   "@1735689600004000+15004000 "
                   "other/job[app=199946680/12582912]@1735689600004000+15004000");
  text = pods_summary (web);
  g_assert_cmpstr (text, ==,
                   "default/web[app=199946680/20971520,sidecar=10001332/3000000]"
                   "@1735689600000000+15004000");
  g_assert_true (g_str_has_prefix (local.web_pods, "default/web[app=199946680/20971520,"));
  g_assert_cmpstr (local.nodes, ==, "n1=200026659/536870912");
  g_free (local.all_pods);
  g_free (local.web_pods);
  g_free (local.nodes);

  m = ks_metrics_client_get_pod (c, "other", "job", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (m->containers[0].name, ==, "app");
  n = ks_metrics_client_get_node (c, "n1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (n->window, ==, 15004 * MS);

  /* Errors are the store's codes with the API's messages. */
  g_assert_null (ks_metrics_client_get_pod (c, "default", "db", &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "podmetrics.metrics.k8s.io \"default/db\" not found");
  g_clear_error (&error);
  g_assert_null (ks_metrics_client_get_pod (c, "default", "nope", &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "pods \"nope\" not found");
  g_clear_error (&error);
  g_assert_null (ks_metrics_client_get_node (c, "n3", &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "nodemetrics.metrics.k8s.io \"n3\" not found");
  g_clear_error (&error);
}

/* A client of a server that is not there: the transport's error. */
static void
test_http_client_unreachable (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsMetricsClient) c = ks_http_metrics_client_new ("http://127.0.0.1:1", &error);
  g_autoptr (GPtrArray) list = NULL;

  g_assert_no_error (error);
  list = ks_metrics_client_list_nodes (c, NULL, &error);
  g_assert_null (list);
  g_assert_error (error, KS_REST_ERROR, KS_REST_ERROR_UNREACHABLE);
  g_clear_error (&error);
  g_assert_null (ks_http_metrics_client_new ("ftp://x", &error));
  g_assert_error (error, KS_REST_ERROR, KS_REST_ERROR_BAD_URL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/metrics-api/text/encode", test_text_encode);
  g_test_add_func ("/metrics-api/text/round-trip", test_text_round_trip);
  g_test_add_func ("/metrics-api/text/decode", test_text_decode);
  g_test_add_func ("/metrics-api/text/errors", test_text_errors);
  g_test_add_func ("/metrics-api/collect", test_collect);
  g_test_add_func ("/metrics-api/json", test_json);
  g_test_add_func ("/metrics-api/http/client-unreachable", test_http_client_unreachable);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/metrics-api/http/api", test_http_api);
  ADD ("/metrics-api/http/bad-selector", test_http_bad_selector);
  ADD ("/metrics-api/http/no-metrics", test_http_no_metrics);
  ADD ("/metrics-api/http/client", test_http_client);
  return g_test_run ();
}
