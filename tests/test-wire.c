/* test-wire.c: tests for the wire form of objects (src/api/): stored-object decoding
 * (KS_DECODE_STORED) against manifests (KS_DECODE_MANIFEST), RFC 3339 times, and the round trip
 * encode → decode(stored) → encode, byte for byte, for every kind with every status field set,
 * at the sim's epoch and at epoch 0 (real mode).
 *
 * The rich objects are built here field by field, so a field that encode writes and decode
 * drops shows up as a difference in the second encoding. */
#include "config.h"

#include <string.h>

#include "sim/ks-sim-clock.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-decode.h"
#include "src/api/ks-event.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-node.h"
#include "src/api/ks-object.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-service.h"
#include "src/api/ks-yaml.h"
#include "src/ks-clock.h"
#include "src/store/ks-admission.h"
#include "src/store/ks-store.h"
#include "tests/ks-test.h"

#define SEC KS_USEC_PER_SEC
/* A wall-clock time in real mode (epoch 0): 2025-03-04T05:06:07.089Z in Unix µs. */
#define REAL_TIME G_GINT64_CONSTANT (1741064767089000)

/* ---- helpers ---------------------------------------------------------------------------- */

/* Decode JSON text as the HTTP client and the store backend do: json-glib's parser, no source
 * positions, stored mode at epoch.  Problems go to diag (may be NULL: none expected). */
static KsObject *
decode_json (const char *json, KsDecodeMode mode, gint64 epoch, KsDiag *diag_out)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (KsDiag) own = ks_diag_new ();
  KsDiag *diag = diag_out != NULL ? diag_out : own;
  KsDecoder dec;
  KsObject *obj;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  ks_decoder_init (&dec, NULL, diag);
  dec.mode = mode;
  dec.epoch = epoch;
  obj = ks_object_decode (&dec, json_parser_get_root (parser), NULL);
  ks_decoder_clear (&dec);
  if (diag_out == NULL)
    {
      for (guint i = 0; i < ks_diag_get_count (diag); i++)
        g_printerr ("problem: %s\n", ks_diag_get (diag, i));
      g_assert_cmpuint (ks_diag_get_count (diag), ==, 0);
      g_assert_nonnull (obj);
    }
  return obj;
}

/* encode → decode(stored) → encode gives the same bytes, at both epochs.  Returns the decoded
 * object of the sim epoch for further checks. */
static KsObject *
assert_stored_round_trip (const KsObject *obj)
{
  static const gint64 epochs[] = { KS_DEFAULT_EPOCH, 0 };
  KsObject *result = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (epochs); i++)
    {
      g_autofree char *first = ks_object_to_json (obj, epochs[i]);
      g_autoptr (KsObject) back = decode_json (first, KS_DECODE_STORED, epochs[i], NULL);
      g_autofree char *second = ks_object_to_json (back, epochs[i]);

      g_assert_cmpstr (second, ==, first);
      if (result == NULL)
        result = g_steal_pointer (&back);
    }
  return result;
}

/* Set the server-side metadata a stored object has. */
static void
set_server_meta (KsObject *obj, guint64 rv, gint64 created)
{
  g_assert_true (ks_uid_parse ("3f2a6a35-1c2e-4e9b-9a1d-7c3b2f1e0d4c", &obj->meta.uid));
  obj->meta.resource_version = rv;
  obj->meta.creation_timestamp = created;
}

static char *
get_json_string (const char *json, const char *path)
{
  g_autoptr (JsonNode) root = json_from_string (json, NULL);
  g_autoptr (JsonNode) result = json_path_query (path, root, NULL);
  JsonArray *a = json_node_get_array (result);

  if (json_array_get_length (a) == 0)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (json_array_get_element (a, 0)))
    {
      JsonNode *v = json_array_get_element (a, 0);
      if (json_node_get_value_type (v) == G_TYPE_STRING)
        return g_strdup (json_node_get_string (v));
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (v));
    }
  return json_to_string (json_array_get_element (a, 0), FALSE);
}

/* Decode YAML text that must fail; its problems, each "test.yaml:L:C: path: message". */
static KsDiag *
decode_yaml_fail (const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsSource) source = ks_source_new_from_data ("test.yaml", text, -1, &error);
  KsDiag *diag = ks_diag_new ();
  KsDecoder dec;
  g_autoptr (KsObject) obj = NULL;

  g_assert_no_error (error);
  ks_decoder_init (&dec, source, diag);
  obj = ks_object_decode (&dec, ks_source_get_document (source, 0), "default");
  ks_decoder_clear (&dec);
  g_assert_null (obj);
  return diag;
}

static void
assert_problems (KsDiag *diag, const char *const *expected)
{
  guint n = g_strv_length ((char **) expected);

  for (guint i = 0; i < ks_diag_get_count (diag); i++)
    g_test_message ("problem: %s", ks_diag_get (diag, i));
  g_assert_cmpuint (ks_diag_get_count (diag), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (ks_diag_get (diag, i), ==, expected[i]);
}

/* A store on a sim clock with the namespace default. */
typedef struct
{
  KsSimClock *sim;
  KsStore *store;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->sim = ks_sim_clock_new ();
  f->store = ks_store_new (ks_sim_clock_get_clock (f->sim), 42);
  ks_test_create (f->store, KS_OBJECT (ks_namespace_new ("default")));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ks_store_free (f->store);
  ks_sim_clock_free (f->sim);
}

/* Create a Service from YAML; returns it (borrowed) or NULL with error. */
static KsService *
service_create (Fixture *f, const char *yaml, GError **error)
{
  KsObject *obj = ks_test_decode (yaml);
  KsObject *created = ks_store_create (f->store, obj, error);

  ks_object_unref (obj);
  return KS_SERVICE (created);
}

static KsService *
service_create_ok (Fixture *f, const char *yaml)
{
  g_autoptr (GError) error = NULL;
  KsService *svc = service_create (f, yaml, &error);

  g_assert_no_error (error);
  g_assert_nonnull (svc);
  return svc;
}

/* "apiVersion: v1\nkind: Service\nmetadata: {name: NAME}\nspec: SPEC\n" */
static char *
service_yaml (const char *name, const char *spec)
{
  return g_strdup_printf ("apiVersion: v1\nkind: Service\nmetadata: {name: %s}\nspec: %s\n", name,
                          spec);
}

static guint32
ip_of (const char *ip)
{
  guint a, b, c, d;
  g_assert_cmpint (sscanf (ip, "%u.%u.%u.%u", &a, &b, &c, &d), ==, 4);
  return (a << 24) | (b << 16) | (c << 8) | d;
}

/* ---- times ------------------------------------------------------------------------------ */

static void
test_time_parse (void)
{
  gint64 t = 42;

  /* 2025-01-01T00:00:05Z is 5 s after the sim epoch. */
  g_assert_true (ks_time_parse_rfc3339 ("2025-01-01T00:00:05Z", KS_DEFAULT_EPOCH, &t));
  g_assert_cmpint (t, ==, 5 * SEC);
  g_assert_true (ks_time_parse_rfc3339 ("1970-01-01T00:00:01.5Z", 0, &t));
  g_assert_cmpint (t, ==, 1500000);
  g_assert_true (ks_time_parse_rfc3339 ("1970-01-01T00:00:01.123456789Z", 0, &t));
  g_assert_cmpint (t, ==, 1123456);
  /* +02:00 is two hours ahead of UTC: 02:00+02:00 is midnight UTC. */
  g_assert_true (ks_time_parse_rfc3339 ("2025-01-01T02:00:00+02:00", KS_DEFAULT_EPOCH, &t));
  g_assert_cmpint (t, ==, 0);
  g_assert_true (ks_time_parse_rfc3339 ("2024-12-31T23:30:00-00:30", KS_DEFAULT_EPOCH, &t));
  g_assert_cmpint (t, ==, 0);
  /* Before the epoch. */
  g_assert_true (ks_time_parse_rfc3339 ("2024-12-31T23:59:59Z", KS_DEFAULT_EPOCH, &t));
  g_assert_cmpint (t, ==, -SEC);
  g_assert_true (ks_time_parse_rfc3339 ("2024-02-29T00:00:00Z", 0, &t));
  g_assert_true (ks_time_parse_rfc3339 ("0001-01-01T00:00:00Z", 0, &t));
  g_assert_cmpint (t, ==, KS_TIME_NONE);

  t = 42;
  g_assert_false (ks_time_parse_rfc3339 ("", 0, &t));
  g_assert_false (ks_time_parse_rfc3339 ("2025-01-01", 0, &t));
  g_assert_false (ks_time_parse_rfc3339 ("2025-01-01T00:00:00", 0, &t));
  g_assert_false (ks_time_parse_rfc3339 ("2025-01-01 00:00:00Z", 0, &t));
  g_assert_false (ks_time_parse_rfc3339 ("2025-13-01T00:00:00Z", 0, &t));
  g_assert_false (ks_time_parse_rfc3339 ("2025-02-29T00:00:00Z", 0, &t));
  g_assert_false (ks_time_parse_rfc3339 ("2025-01-01T24:00:00Z", 0, &t));
  g_assert_false (ks_time_parse_rfc3339 ("2025-01-01T00:00:00.Z", 0, &t));
  g_assert_false (ks_time_parse_rfc3339 ("2025-01-01T00:00:00Zjunk", 0, &t));
  g_assert_false (ks_time_parse_rfc3339 ("2025-01-01T00:00:00+0200", 0, &t));
  g_assert_cmpint (t, ==, 42);
}

static void
test_time_format (void)
{
  g_autofree char *a = ks_time_format_rfc3339 (5 * SEC + 999999, KS_DEFAULT_EPOCH);
  g_autofree char *b = ks_time_format_rfc3339_micro (5 * SEC + 250000, KS_DEFAULT_EPOCH);
  g_autofree char *c = ks_time_format_rfc3339_micro (-1, 0);
  g_autofree char *d = ks_time_format_rfc3339 (KS_TIME_NONE, 0);
  g_autofree char *e = ks_time_format_rfc3339_micro (KS_TIME_NONE, KS_DEFAULT_EPOCH);
  g_autofree char *f = ks_time_format_rfc3339 (-1, 0);
  gint64 t;

  g_assert_cmpstr (a, ==, "2025-01-01T00:00:05Z");
  g_assert_cmpstr (b, ==, "2025-01-01T00:00:05.250000Z");
  /* One µs before the Unix epoch, floored. */
  g_assert_cmpstr (c, ==, "1969-12-31T23:59:59.999999Z");
  g_assert_cmpstr (f, ==, "1969-12-31T23:59:59Z");
  g_assert_cmpstr (d, ==, "0001-01-01T00:00:00Z");
  g_assert_cmpstr (e, ==, "0001-01-01T00:00:00.000000Z");
  g_assert_true (ks_time_parse_rfc3339 (c, 0, &t));
  g_assert_cmpint (t, ==, -1);
  g_assert_true (ks_time_parse_rfc3339 (e, 0, &t));
  g_assert_cmpint (t, ==, KS_TIME_NONE);
}

static void
test_time_errors (void)
{
  g_autoptr (KsDiag) diag = ks_diag_new ();
  g_autoptr (KsObject) obj
      = decode_json ("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"a\","
                     "\"creationTimestamp\":\"yesterday\",\"uid\":\"xyz\"}}",
                     KS_DECODE_STORED, 0, diag);

  g_assert_null (obj);
  g_assert_cmpuint (ks_diag_get_count (diag), ==, 2);
  g_assert_cmpstr (ks_diag_get (diag, 0), ==, "metadata.uid: invalid uid \"xyz\": expected a UUID");
  g_assert_cmpstr (ks_diag_get (diag, 1), ==,
                   "metadata.creationTimestamp: invalid time \"yesterday\": expected an RFC 3339 "
                   "time such as \"2025-01-01T00:00:05Z\"");
}

/* ---- rich objects ----------------------------------------------------------------------- */

static KsObject *
rich_namespace (void)
{
  KsNamespace *ns = ks_namespace_new ("team-a");

  set_server_meta (KS_OBJECT (ns), 7, 2 * SEC);
  ns->terminating = TRUE;
  ks_object_set_annotation (KS_OBJECT (ns), "owner", "alice");
  return KS_OBJECT (ns);
}

static KsObject *
rich_node (void)
{
  KsNode *node = KS_NODE (ks_test_decode ("apiVersion: v1\n"
                                          "kind: Node\n"
                                          "metadata: {name: n1, labels: {zone: a}}\n"
                                          "spec:\n"
                                          "  podCIDR: 10.244.1.0/24\n"
                                          "  providerID: kubesim://n1\n"
                                          "  unschedulable: true\n"
                                          "  taints: [{key: k, value: v, effect: NoSchedule}]\n"
                                          "status:\n"
                                          "  capacity: {cpu: \"4\", memory: 8Gi, "
                                          "example.com/gpu: \"2\"}\n"
                                          "  allocatable: {cpu: 3500m, memory: 7Gi}\n"
                                          "  images: [{names: [nginx:1.27], sizeBytes: 1000}]\n"));

  set_server_meta (KS_OBJECT (node), 12, 1 * SEC + 5);
  ks_node_add_taint (node, "node.kubernetes.io/unreachable", NULL, KS_TAINT_NO_EXECUTE,
                     90 * SEC + 123);
  for (guint i = 0; i < KS_N_NODE_CONDITIONS; i++)
    ks_node_set_condition (node, i, i == 0 ? KS_CONDITION_UNKNOWN : KS_CONDITION_FALSE,
                           i == 0 ? "NodeStatusUnknown" : "KubeletHasNoPressure",
                           i == 0 ? "Kubelet stopped posting node status." : NULL,
                           (40 + i) * SEC + 7);
  node->conditions[KS_NODE_COND_READY].last_heartbeat_time = 30 * SEC;
  node->internal_ip = g_strdup ("10.0.0.11");
  node->hostname = g_strdup ("n1");
  node->kubelet_port = 10250;
  node->node_info = g_new0 (KsNodeSystemInfo, 1);
  node->node_info->machine_id = g_strdup ("0123456789abcdef0123456789abcdef");
  node->node_info->boot_id = g_strdup ("1e1f6a8c-2f5b-4c1e-9a7d-3b2c1d0e9f8a");
  node->node_info->kernel_version = g_strdup ("6.1.0-18-amd64");
  node->node_info->os_image = g_strdup ("Debian GNU/Linux 12 (bookworm)");
  node->node_info->container_runtime_version = g_strdup ("runc://1.1.5+ds1");
  node->node_info->kubelet_version = g_strdup ("v1.32.0+kubesim-0.1");
  node->node_info->kube_proxy_version = g_strdup ("v1.32.0+kubesim-0.1");
  node->node_info->operating_system = g_strdup ("linux");
  node->node_info->architecture = g_strdup ("amd64");
  return KS_OBJECT (node);
}

static KsObject *
rich_priority_class (void)
{
  KsPriorityClass *pc = ks_priority_class_new ("high", 1000);

  set_server_meta (KS_OBJECT (pc), 3, 0);
  pc->global_default = TRUE;
  pc->preemption_policy = KS_PREEMPT_NEVER;
  pc->description = g_strdup ("for tests");
  return KS_OBJECT (pc);
}

static const char rich_pod_yaml[]
    = "apiVersion: v1\n"
      "kind: Pod\n"
      "metadata:\n"
      "  name: web-1\n"
      "  generateName: web-\n"
      "  labels: {app: web}\n"
      "  annotations: {note: x}\n"
      "  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web,\n"
      "                     uid: 0f1e2d3c-4b5a-4697-8877-665544332211, controller: true,\n"
      "                     blockOwnerDeletion: true}]\n"
      "spec:\n"
      "  initContainers:\n"
      "  - {name: init, image: busybox, command: [sh, -c, 'true']}\n"
      "  - {name: side, image: envoy, restartPolicy: Always,\n"
      "     readinessProbe: {tcpSocket: {port: 15000}}}\n"
      "  containers:\n"
      "  - name: main\n"
      "    image: nginx:1.27\n"
      "    args: [--port, '80']\n"
      "    workingDir: /srv\n"
      "    env: [{name: A, value: '1'}, {name: EMPTY}]\n"
      "    ports: [{name: http, containerPort: 80, hostPort: 8080, hostIP: 127.0.0.1},\n"
      "            {containerPort: 53, protocol: UDP}]\n"
      "    resources: {requests: {cpu: 100m}, limits: {memory: 128Mi, example.com/gpu: 1}}\n"
      "    livenessProbe:\n"
      "      httpGet: {path: /healthz, port: http, host: 127.0.0.1, scheme: HTTPS,\n"
      "                httpHeaders: [{name: X-Probe, value: '1'}, {name: X-Empty}]}\n"
      "      initialDelaySeconds: 5\n"
      "      terminationGracePeriodSeconds: 7\n"
      "    readinessProbe: {tcpSocket: {port: 80}, periodSeconds: 2, successThreshold: 2}\n"
      "    startupProbe: {exec: {command: [cat, /tmp/ready]}, failureThreshold: 30}\n"
      "  - {name: second, image: redis}\n"
      "  nodeSelector: {disk: ssd}\n"
      "  affinity:\n"
      "    nodeAffinity:\n"
      "      requiredDuringSchedulingIgnoredDuringExecution:\n"
      "        nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: "
      "[a]}]}]\n"
      "    podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: []}\n"
      "  topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: "
      "DoNotSchedule}]\n"
      "  tolerations: [{key: t, operator: Exists, effect: NoSchedule}]\n"
      "  priorityClassName: high\n"
      "  schedulerName: my-scheduler\n"
      "  restartPolicy: OnFailure\n"
      "  terminationGracePeriodSeconds: 10\n"
      "  activeDeadlineSeconds: 600\n"
      "  hostname: h\n"
      "  subdomain: s\n"
      "  serviceAccountName: sa\n"
      "  overhead: {cpu: 10m}\n";

/* The pod as the store admits it, bound, running, with every status field set. */
static KsObject *
rich_pod (KsStore *store)
{
  KsPod *stored = KS_POD (ks_test_create (store, ks_test_decode (rich_pod_yaml)));
  KsPod *pod = ks_pod_copy (stored);
  KsContainerStatus *s;

  pod->node_name = ks_intern ("n1");
  pod->phase = KS_POD_RUNNING;
  pod->parent.meta.deletion_timestamp = 100 * SEC + 250000;
  pod->parent.meta.deletion_grace_period_seconds = 10;
  for (guint i = 0; i < KS_N_POD_CONDITIONS; i++)
    ks_pod_set_condition (
        pod, i, i == KS_POD_COND_DISRUPTION_TARGET ? KS_CONDITION_FALSE : KS_CONDITION_TRUE,
        i == KS_POD_COND_DISRUPTION_TARGET ? "EvictionByEvictionAPI" : NULL,
        i == KS_POD_COND_DISRUPTION_TARGET ? "about to go" : NULL, (3 + i) * SEC + 17);
  ks_pod_set_status_string (pod, KS_POD_NOMINATED_NODE_NAME, "n2");
  ks_pod_set_status_string (pod, KS_POD_REASON, "SomeReason");
  ks_pod_set_status_string (pod, KS_POD_MESSAGE, "a message");
  ks_pod_set_status_string (pod, KS_POD_HOST_IP, "10.0.0.11");
  ks_pod_set_status_string (pod, KS_POD_POD_IP, "10.244.1.7");
  pod->start_time = 2 * SEC + 1;
  ks_pod_ensure_container_statuses (pod);
  /* init: terminated with a message; side: running sidecar. */
  s = &ks_pod_init_container_statuses (pod)[0];
  s->state = KS_CONTAINER_TERMINATED;
  s->exit_code = 0;
  s->reason = ks_intern ("Completed");
  s->message = g_strdup ("done");
  s->started_at = 2 * SEC;
  s->finished_at = 3 * SEC;
  s->ready = TRUE;
  s->container_id = g_strdup ("runc://abc-init");
  s = &ks_pod_init_container_statuses (pod)[1];
  s->state = KS_CONTAINER_RUNNING;
  s->reason = NULL;
  s->started_at = 3 * SEC;
  s->started = TRUE;
  s->ready = TRUE;
  /* main: running after two restarts; second: waiting in CrashLoopBackOff. */
  s = &pod->container_statuses[0];
  s->state = KS_CONTAINER_RUNNING;
  s->reason = NULL;
  s->started_at = 50 * SEC;
  s->ready = TRUE;
  s->started = TRUE;
  s->restart_count = 2;
  s->has_last = TRUE;
  s->last_exit_code = 137;
  s->last_reason = ks_intern ("OOMKilled");
  s->last_started_at = 20 * SEC;
  s->last_finished_at = 40 * SEC;
  s->container_id = g_strdup ("runc://abc-main");
  s = &pod->container_statuses[1];
  s->reason = ks_intern ("CrashLoopBackOff");
  s->message = g_strdup ("back-off 10s restarting failed container=second pod=web-1_default(x)");
  s->restart_count = 1;
  s->has_last = TRUE;
  s->last_exit_code = 1;
  s->last_reason = ks_intern ("Error");
  s->last_started_at = KS_TIME_NONE;
  s->last_finished_at = 45 * SEC;
  return KS_OBJECT (pod);
}

static KsObject *
rich_replica_set (void)
{
  KsReplicaSet *rs = KS_REPLICA_SET (ks_test_decode ("apiVersion: apps/v1\n"
                                                     "kind: ReplicaSet\n"
                                                     "metadata: {name: web-abc, labels: {a: b}}\n"
                                                     "spec:\n"
                                                     "  replicas: 3\n"
                                                     "  minReadySeconds: 5\n"
                                                     "  selector: {matchLabels: {app: web}}\n"
                                                     "  template:\n"
                                                     "    metadata: {labels: {app: web}}\n"
                                                     "    spec: {containers: [{name: a, image: "
                                                     "x}]}\n"));

  set_server_meta (KS_OBJECT (rs), 40, 9 * SEC);
  rs->parent.meta.generation = 4;
  rs->status.replicas = 3;
  rs->status.fully_labeled_replicas = 3;
  rs->status.ready_replicas = 2;
  rs->status.available_replicas = 1;
  rs->status.observed_generation = 4;
  return KS_OBJECT (rs);
}

static KsObject *
rich_deployment (void)
{
  KsDeployment *d = KS_DEPLOYMENT (
      ks_test_decode ("apiVersion: apps/v1\n"
                      "kind: Deployment\n"
                      "metadata: {name: web, annotations: {deployment.kubernetes.io/revision: "
                      "'2'}}\n"
                      "spec:\n"
                      "  replicas: 4\n"
                      "  paused: true\n"
                      "  minReadySeconds: 3\n"
                      "  revisionHistoryLimit: 2\n"
                      "  progressDeadlineSeconds: 120\n"
                      "  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: '10%'}}\n"
                      "  selector: {matchLabels: {app: web}}\n"
                      "  template:\n"
                      "    metadata: {labels: {app: web}}\n"
                      "    spec: {containers: [{name: a, image: x}]}\n"));

  set_server_meta (KS_OBJECT (d), 41, 8 * SEC);
  d->parent.meta.generation = 3;
  d->status.observed_generation = 3;
  d->status.replicas = 5;
  d->status.updated_replicas = 2;
  d->status.ready_replicas = 3;
  d->status.available_replicas = 3;
  d->status.unavailable_replicas = 2;
  d->status.has_collision_count = TRUE;
  d->status.collision_count = 0;
  ks_deployment_set_condition (d, KS_DEPLOY_COND_AVAILABLE, KS_CONDITION_FALSE,
                               "MinimumReplicasUnavailable",
                               "Deployment does not have minimum availability.", 10 * SEC + 3);
  ks_deployment_set_condition (d, KS_DEPLOY_COND_PROGRESSING, KS_CONDITION_TRUE,
                               "ReplicaSetUpdated", "ReplicaSet \"web-abc\" is progressing.",
                               11 * SEC);
  ks_deployment_set_condition (d, KS_DEPLOY_COND_REPLICA_FAILURE, KS_CONDITION_TRUE, "FailedCreate",
                               "pods \"x\" is forbidden", 12 * SEC);
  return KS_OBJECT (d);
}

/* ---- round trips ------------------------------------------------------------------------ */

static void
test_round_trip_namespace (void)
{
  g_autoptr (KsObject) obj = rich_namespace ();
  g_autoptr (KsObject) back = assert_stored_round_trip (obj);

  g_assert_true (KS_NAMESPACE (back)->terminating);
  g_assert_true (ks_uid_equal (&back->meta.uid, &obj->meta.uid));
  g_assert_cmpuint (back->meta.resource_version, ==, 7);
  g_assert_cmpint (back->meta.creation_timestamp, ==, 2 * SEC);
}

static void
test_round_trip_node (void)
{
  g_autoptr (KsObject) obj = rich_node ();
  g_autoptr (KsObject) back = assert_stored_round_trip (obj);
  KsNode *node = KS_NODE (back);

  g_assert_cmpuint (node->n_taints, ==, 2);
  g_assert_cmpint (node->taints[0].time_added, ==, KS_TIME_NONE);
  /* Times keep whole seconds on the wire (metav1.Time). */
  g_assert_cmpint (node->taints[1].time_added, ==, 90 * SEC);
  g_assert_cmpint (node->conditions[KS_NODE_COND_READY].status, ==, KS_CONDITION_UNKNOWN);
  g_assert_cmpstr (node->conditions[KS_NODE_COND_READY].reason, ==, "NodeStatusUnknown");
  g_assert_cmpint (node->conditions[KS_NODE_COND_READY].last_heartbeat_time, ==, 30 * SEC);
  g_assert_cmpint (node->conditions[KS_NODE_COND_PID_PRESSURE].last_transition_time, ==, 43 * SEC);
  g_assert_cmpstr (node->internal_ip, ==, "10.0.0.11");
  g_assert_cmpstr (node->hostname, ==, "n1");
  g_assert_cmpint (node->kubelet_port, ==, 10250);
  g_assert_cmpint (node->allocatable.milli_cpu, ==, 3500);
  g_assert_true (node->unschedulable);
  g_assert_nonnull (node->node_info);
  g_assert_cmpstr (node->node_info->kubelet_version, ==, "v1.32.0+kubesim-0.1");
  g_assert_cmpstr (node->node_info->os_image, ==, "Debian GNU/Linux 12 (bookworm)");
  g_assert_cmpstr (node->node_info->container_runtime_version, ==, "runc://1.1.5+ds1");
  /* An unknown field is "" on the wire and unset again after it. */
  g_assert_null (node->node_info->system_uuid);
  {
    /* The status update copies them; the wire has both addresses and every nodeInfo field. */
    g_autoptr (KsObject) plain = KS_OBJECT (ks_node_new ("n1"));
    g_autofree char *json = NULL;
    plain->kind->copy_status (plain, back);
    g_assert_cmpstr (KS_NODE (plain)->hostname, ==, "n1");
    g_assert_cmpstr (KS_NODE (plain)->node_info->architecture, ==, "amd64");
    json = ks_object_to_json (back, 0);
    g_assert_nonnull (strstr (json, "\"addresses\":[{\"type\":\"InternalIP\",\"address\":"
                                    "\"10.0.0.11\"},{\"type\":\"Hostname\",\"address\":\"n1\"}]"));
    g_assert_nonnull (strstr (json, "\"systemUUID\":\"\",\"bootID\":"));
  }
}

static void
test_round_trip_priority_class (void)
{
  g_autoptr (KsObject) obj = rich_priority_class ();
  g_autoptr (KsObject) back = assert_stored_round_trip (obj);

  g_assert_cmpint (KS_PRIORITY_CLASS (back)->preemption_policy, ==, KS_PREEMPT_NEVER);
}

static void
test_round_trip_pod (void)
{
  g_autoptr (KsSimClock) sim = ks_sim_clock_new ();
  KsStore *store = ks_store_new (ks_sim_clock_get_clock (sim), 1);
  g_autoptr (KsObject) obj = NULL;
  g_autoptr (KsObject) back = NULL;
  KsPod *pod;

  ks_test_create (store, KS_OBJECT (ks_namespace_new ("default")));
  ks_test_create (store, KS_OBJECT (ks_priority_class_new ("high", 1000)));
  obj = rich_pod (store);
  back = assert_stored_round_trip (obj);
  pod = KS_POD (back);
  g_assert_cmpstr (pod->node_name, ==, "n1");
  g_assert_cmpint (pod->phase, ==, KS_POD_RUNNING);
  g_assert_cmpint (back->meta.deletion_timestamp, ==, 100 * SEC);
  g_assert_cmpint (back->meta.deletion_grace_period_seconds, ==, 10);
  g_assert_cmpint (pod->conditions[KS_POD_COND_READY].status, ==, KS_CONDITION_TRUE);
  g_assert_cmpint (pod->conditions[KS_POD_COND_READY].last_transition_time, ==, 6 * SEC);
  g_assert_cmpstr (pod->conditions[KS_POD_COND_DISRUPTION_TARGET].message, ==, "about to go");
  g_assert_cmpstr (ks_pod_get_status_string (pod, KS_POD_POD_IP), ==, "10.244.1.7");
  g_assert_cmpstr (ks_pod_get_status_string (pod, KS_POD_NOMINATED_NODE_NAME), ==, "n2");
  g_assert_cmpint (pod->container_statuses[0].restart_count, ==, 2);
  g_assert_cmpstr (pod->container_statuses[0].last_reason, ==, "OOMKilled");
  g_assert_cmpstr (pod->container_statuses[0].container_id, ==, "runc://abc-main");
  g_assert_cmpint (pod->container_statuses[1].state, ==, KS_CONTAINER_WAITING);
  g_assert_cmpstr (pod->container_statuses[1].reason, ==, "CrashLoopBackOff");
  g_assert_cmpint (ks_pod_init_container_statuses (pod)[0].state, ==, KS_CONTAINER_TERMINATED);
  g_assert_cmpstr (ks_pod_init_container_statuses (pod)[0].message, ==, "done");
  /* Probes came back with the spec. */
  g_assert_cmpint (pod->spec->containers[0].liveness_probe->handler, ==, KS_PROBE_HTTP_GET);
  g_assert_true (pod->spec->containers[0].liveness_probe->https);
  g_assert_cmpuint (pod->spec->containers[0].liveness_probe->n_http_headers, ==, 2);
  g_assert_cmpint (pod->spec->containers[0].liveness_probe->termination_grace_period_seconds, ==,
                   7);
  g_assert_cmpint (pod->spec->containers[0].readiness_probe->success_threshold, ==, 2);
  g_assert_cmpstr (pod->spec->containers[0].startup_probe->command[1], ==, "/tmp/ready");
  g_assert_cmpint (pod->spec->containers[0].startup_probe->failure_threshold, ==, 30);
  g_assert_nonnull (pod->spec->init_containers[1].readiness_probe);
  /* The admitted spec came back whole: priority, and the default tolerations once. */
  g_assert_true (pod->spec->admitted);
  g_assert_true (pod->spec->has_priority);
  g_assert_cmpint (pod->spec->priority, ==, 1000);
  g_assert_cmpuint (pod->spec->n_tolerations, ==, 3);
  g_assert_cmpint (pod->spec->qos_class, ==, KS_POD (obj)->spec->qos_class);
  g_assert_cmpint (pod->spec->requests.milli_cpu, ==, KS_POD (obj)->spec->requests.milli_cpu);
  g_assert_cmpint (pod->spec->nonzero_memory, ==, KS_POD (obj)->spec->nonzero_memory);
  ks_store_free (store);
}

/* A stored pod given to the store's create again is not admitted twice: the spec stays the one
 * decoded, no third default toleration appears, no priority conflict arises. */
static void
test_stored_pod_not_readmitted (void)
{
  g_autoptr (KsSimClock) sim = ks_sim_clock_new ();
  KsStore *store = ks_store_new (ks_sim_clock_get_clock (sim), 1);
  g_autoptr (KsObject) obj = NULL;
  g_autofree char *json = NULL;
  KsObject *back;
  KsPodSpec *spec;
  KsObject *created;

  ks_test_create (store, KS_OBJECT (ks_namespace_new ("default")));
  ks_test_create (store, KS_OBJECT (ks_priority_class_new ("high", 1000)));
  obj = rich_pod (store);
  json = ks_object_to_json (obj, 0);
  ks_store_delete (store, ks_kind_get (KS_KIND_POD), "default", "web-1", NULL, NULL);
  back = decode_json (json, KS_DECODE_STORED, 0, NULL);
  spec = KS_POD (back)->spec;
  back->meta.resource_version = 0;
  created = ks_test_create (store, back);
  g_assert_true (KS_POD (created)->spec == spec);
  g_assert_cmpuint (KS_POD (created)->spec->n_tolerations, ==, 3);
  ks_store_free (store);
}

static void
test_round_trip_replica_set (void)
{
  g_autoptr (KsObject) obj = rich_replica_set ();
  g_autoptr (KsObject) back = assert_stored_round_trip (obj);

  g_assert_cmpint (KS_REPLICA_SET (back)->status.available_replicas, ==, 1);
  g_assert_cmpint (KS_REPLICA_SET (back)->status.observed_generation, ==, 4);
  g_assert_cmpint (back->meta.generation, ==, 4);
  /* A template's spec is not a pod's: it was not admitted. */
  g_assert_false (KS_REPLICA_SET (back)->template.spec->admitted);
}

static void
test_round_trip_deployment (void)
{
  g_autoptr (KsObject) obj = rich_deployment ();
  g_autoptr (KsObject) back = assert_stored_round_trip (obj);
  KsDeployment *d = KS_DEPLOYMENT (back);

  g_assert_cmpint (d->status.unavailable_replicas, ==, 2);
  g_assert_true (d->status.has_collision_count);
  g_assert_cmpint (d->status.conditions[KS_DEPLOY_COND_AVAILABLE].last_update_time, ==, 10 * SEC);
  g_assert_cmpstr (d->status.conditions[KS_DEPLOY_COND_REPLICA_FAILURE].reason, ==, "FailedCreate");
}

/* Real-mode times (Unix µs at epoch 0) survive, including a pod condition's packed time. */
static void
test_round_trip_real_times (void)
{
  g_autoptr (KsObject) node = rich_node ();
  g_autoptr (KsPod) pod = KS_POD (ks_test_decode ("apiVersion: v1\n"
                                                  "kind: Pod\n"
                                                  "metadata: {name: p}\n"
                                                  "spec: {containers: [{name: a, image: x}]}\n"));
  g_autoptr (KsObject) back = NULL;
  g_autofree char *json = NULL;
  g_autofree char *created = NULL;

  set_server_meta (KS_OBJECT (pod), 1, REAL_TIME);
  ks_pod_set_condition (pod, KS_POD_COND_SCHEDULED, KS_CONDITION_TRUE, NULL, NULL,
                        REAL_TIME + 1000000);
  json = ks_object_to_json (KS_OBJECT (pod), 0);
  created = get_json_string (json, "$.metadata.creationTimestamp");
  g_assert_cmpstr (created, ==, "2025-03-04T05:06:07Z");
  back = decode_json (json, KS_DECODE_STORED, 0, NULL);
  g_assert_cmpint (back->meta.creation_timestamp, ==, REAL_TIME - 89000);
  g_assert_cmpint (KS_POD (back)->conditions[KS_POD_COND_SCHEDULED].last_transition_time, ==,
                   REAL_TIME - 89000 + 1000000);
  node->meta.creation_timestamp = REAL_TIME;
  g_clear_pointer (&back, ks_object_unref);
  back = assert_stored_round_trip (node);
}

/* The same JSON as a manifest: server fields and status are ignored, as on create. */
static void
test_manifest_ignores_stored_fields (void)
{
  g_autoptr (KsSimClock) sim = ks_sim_clock_new ();
  KsStore *store = ks_store_new (ks_sim_clock_get_clock (sim), 1);
  g_autoptr (KsObject) pod_obj = NULL;
  g_autoptr (KsObject) node_obj = rich_node ();
  g_autoptr (KsObject) deploy_obj = rich_deployment ();
  g_autoptr (KsObject) ns_obj = rich_namespace ();
  g_autofree char *pod_json = NULL;
  g_autofree char *node_json = ks_object_to_json (node_obj, KS_DEFAULT_EPOCH);
  g_autofree char *deploy_json = ks_object_to_json (deploy_obj, KS_DEFAULT_EPOCH);
  g_autofree char *ns_json = ks_object_to_json (ns_obj, KS_DEFAULT_EPOCH);
  g_autoptr (KsObject) pod_m = NULL;
  g_autoptr (KsObject) node_m = NULL;
  g_autoptr (KsObject) deploy_m = NULL;
  g_autoptr (KsObject) ns_m = NULL;
  KsPod *pod;
  KsNode *node;

  ks_test_create (store, KS_OBJECT (ks_namespace_new ("default")));
  ks_test_create (store, KS_OBJECT (ks_priority_class_new ("high", 1000)));
  pod_obj = rich_pod (store);
  pod_json = ks_object_to_json (pod_obj, KS_DEFAULT_EPOCH);
  pod_m = decode_json (pod_json, KS_DECODE_MANIFEST, KS_DEFAULT_EPOCH, NULL);
  pod = KS_POD (pod_m);
  g_assert_false (ks_uid_is_set (&pod_m->meta.uid));
  g_assert_cmpint (pod_m->meta.creation_timestamp, ==, KS_TIME_NONE);
  g_assert_cmpint (pod_m->meta.deletion_timestamp, ==, KS_TIME_NONE);
  g_assert_cmpint (pod_m->meta.deletion_grace_period_seconds, ==, -1);
  /* resourceVersion is read in both modes (optimistic concurrency on updates). */
  g_assert_cmpuint (pod_m->meta.resource_version, ==, pod_obj->meta.resource_version);
  g_assert_cmpint (pod->phase, ==, KS_POD_PENDING);
  g_assert_cmpint (pod->conditions[KS_POD_COND_READY].status, ==, KS_CONDITION_UNSET);
  g_assert_null (pod->strings);
  g_assert_null (pod->container_statuses);
  g_assert_cmpint (pod->start_time, ==, KS_TIME_NONE);
  g_assert_false (pod->spec->admitted);
  /* spec.nodeName is part of a manifest. */
  g_assert_cmpstr (pod->node_name, ==, "n1");

  node_m = decode_json (node_json, KS_DECODE_MANIFEST, KS_DEFAULT_EPOCH, NULL);
  node = KS_NODE (node_m);
  g_assert_cmpint (node->conditions[KS_NODE_COND_READY].status, ==, KS_CONDITION_UNSET);
  g_assert_null (node->internal_ip);
  g_assert_cmpint (node->kubelet_port, ==, 0);
  g_assert_cmpint (node->taints[1].time_added, ==, KS_TIME_NONE);
  /* What a node manifest may give is still read. */
  g_assert_cmpint (node->allocatable.milli_cpu, ==, 3500);

  deploy_m = decode_json (deploy_json, KS_DECODE_MANIFEST, KS_DEFAULT_EPOCH, NULL);
  g_assert_cmpint (KS_DEPLOYMENT (deploy_m)->status.replicas, ==, 0);
  g_assert_cmpint (KS_DEPLOYMENT (deploy_m)->status.conditions[0].status, ==, KS_CONDITION_UNSET);
  ns_m = decode_json (ns_json, KS_DECODE_MANIFEST, KS_DEFAULT_EPOCH, NULL);
  g_assert_false (KS_NAMESPACE (ns_m)->terminating);
  ks_store_free (store);
}

static void
test_stored_status_errors (void)
{
  g_autoptr (KsDiag) diag = ks_diag_new ();
  g_autoptr (KsObject) obj = decode_json (
      "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
      "\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x\"}]},"
      "\"status\":{\"phase\":\"Sleeping\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"Yes\"}],"
      "\"containerStatuses\":[{\"name\":\"b\"},{\"name\":\"a\",\"state\":{\"running\":{},"
      "\"waiting\":{}},\"restartCount\":-1}]}}",
      KS_DECODE_STORED, 0, diag);

  g_assert_null (obj);
  g_assert_cmpuint (ks_diag_get_count (diag), ==, 5);
  g_assert_cmpstr (ks_diag_get (diag, 0), ==,
                   "status.phase: unsupported value \"Sleeping\": supported values: Pending, "
                   "Running, Succeeded, Failed, Unknown");
  g_assert_cmpstr (ks_diag_get (diag, 1), ==,
                   "status.conditions[0].status: unsupported value \"Yes\": supported values: "
                   "True, False, Unknown");
  g_assert_cmpstr (ks_diag_get (diag, 2), ==,
                   "status.containerStatuses[0].name: no container named \"b\" in "
                   "spec.containers");
  g_assert_cmpstr (ks_diag_get (diag, 3), ==,
                   "status.containerStatuses[1].state.running: only one of waiting, running and "
                   "terminated may be set");
  g_assert_cmpstr (ks_diag_get (diag, 4), ==,
                   "status.containerStatuses[1].restartCount: must be greater than or equal to "
                   "0, got -1");
}

/* The init containers' statuses live in the same array as the regular ones: a stored pod with
 * only one of the two lists gets the other as a new pod's. */
static void
test_stored_one_status_list (void)
{
  static const char *const pod_json
      = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
        "\"namespace\":\"default\"},\"spec\":{\"initContainers\":[{\"name\":\"i1\","
        "\"image\":\"x\"},{\"name\":\"i2\",\"image\":\"x\"}],\"containers\":[{\"name\":"
        "\"a\",\"image\":\"x\"}]},\"status\":{%s}}";
  g_autofree char *init_only = g_strdup_printf (
      pod_json, "\"initContainerStatuses\":[{\"name\":\"i2\",\"state\":{\"terminated\":"
                "{\"exitCode\":3,\"message\":\"bad\"}}}]");
  g_autofree char *regular_only
      = g_strdup_printf (pod_json, "\"containerStatuses\":[{\"name\":\"a\",\"restartCount\":4}]");
  g_autoptr (KsObject) a = decode_json (init_only, KS_DECODE_STORED, 0, NULL);
  g_autoptr (KsObject) b = decode_json (regular_only, KS_DECODE_STORED, 0, NULL);
  g_autoptr (KsObject) a2 = NULL;
  KsContainerStatus *init;

  init = ks_pod_init_container_statuses (KS_POD (a));
  g_assert_nonnull (init);
  g_assert_true (init == KS_POD (a)->container_statuses + 1);
  g_assert_cmpint (KS_POD (a)->container_statuses[0].state, ==, KS_CONTAINER_WAITING);
  g_assert_cmpstr (KS_POD (a)->container_statuses[0].reason, ==, "ContainerCreating");
  g_assert_cmpint (init[0].state, ==, KS_CONTAINER_WAITING);
  g_assert_cmpstr (init[0].reason, ==, "PodInitializing");
  g_assert_cmpint (init[1].state, ==, KS_CONTAINER_TERMINATED);
  g_assert_cmpint (init[1].exit_code, ==, 3);
  g_assert_cmpstr (init[1].message, ==, "bad");

  init = ks_pod_init_container_statuses (KS_POD (b));
  g_assert_cmpint (KS_POD (b)->container_statuses[0].restart_count, ==, 4);
  g_assert_cmpstr (init[0].reason, ==, "PodInitializing");
  g_assert_cmpstr (init[1].reason, ==, "PodInitializing");

  /* A copy owns its array, messages included. */
  a2 = ks_object_copy (a);
  g_assert_true (KS_POD (a2)->container_statuses != KS_POD (a)->container_statuses);
  g_assert_true (ks_pod_init_container_statuses (KS_POD (a2))[1].message != init[1].message);
  g_assert_cmpstr (ks_pod_init_container_statuses (KS_POD (a2))[1].message, ==, "bad");
}

/* Pods with the same condition message share one string; a changed message is a new one. */
static void
test_pod_condition_message_shared (void)
{
  static const char *const json
      = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\","
        "\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"name\":\"a\","
        "\"image\":\"x\"}]},\"status\":{\"conditions\":[{\"type\":\"Ready\","
        "\"status\":\"False\",\"message\":\"not yet\"}]}}";
  g_autofree char *json_p = g_strdup_printf (json, "p");
  g_autofree char *json_q = g_strdup_printf (json, "q");
  g_autoptr (KsObject) p = decode_json (json_p, KS_DECODE_STORED, 0, NULL);
  g_autoptr (KsObject) q = decode_json (json_q, KS_DECODE_STORED, 0, NULL);
  g_autoptr (KsObject) copy = ks_object_copy (p);
  KsCondition *pc = &KS_POD (p)->conditions[KS_POD_COND_READY];
  KsCondition *qc = &KS_POD (q)->conditions[KS_POD_COND_READY];

  g_assert_cmpstr (pc->message, ==, "not yet");
  g_assert_true (pc->message == qc->message);
  g_assert_true (KS_POD (copy)->conditions[KS_POD_COND_READY].message == pc->message);

  ks_pod_set_condition (KS_POD (q), KS_POD_COND_READY, KS_CONDITION_FALSE, "R", "still not", 1);
  g_assert_cmpstr (qc->message, ==, "still not");
  g_assert_cmpstr (pc->message, ==, "not yet");
  ks_pod_set_condition (KS_POD (p), KS_POD_COND_READY, KS_CONDITION_TRUE, NULL, NULL, 2);
  g_assert_null (pc->message);
  g_assert_cmpstr (KS_POD (copy)->conditions[KS_POD_COND_READY].message, ==, "not yet");
}

/* ---- Service and Endpoints ------------------------------------------------------------- */

static void
test_service_defaults (void)
{
  g_autoptr (KsObject) obj = ks_test_decode ("apiVersion: v1\n"
                                             "kind: Service\n"
                                             "metadata: {name: web}\n"
                                             "spec:\n"
                                             "  selector: {app: web}\n"
                                             "  clusterIP: 10.96.5.5\n"
                                             "  ports: [{port: 80}]\n");
  KsService *svc = KS_SERVICE (obj);
  g_autofree char *json = ks_object_to_json (obj, KS_DEFAULT_EPOCH);

  g_assert_cmpint (svc->type, ==, KS_SERVICE_CLUSTER_IP);
  g_assert_cmpstr (svc->ports[0].protocol, ==, "TCP");
  g_assert_cmpint (svc->ports[0].target_port.number, ==, 80);
  g_assert_false (svc->has_external_traffic_policy);
  /* Kubernetes' field order and defaults. */
  g_assert_cmpstr (json, ==,
                   "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"web\","
                   "\"namespace\":\"default\"},\"spec\":{\"ports\":[{\"protocol\":\"TCP\","
                   "\"port\":80,\"targetPort\":80}],\"selector\":{\"app\":\"web\"},"
                   "\"clusterIP\":\"10.96.5.5\",\"clusterIPs\":[\"10.96.5.5\"],"
                   "\"type\":\"ClusterIP\",\"sessionAffinity\":\"None\",\"ipFamilies\":[\"IPv4\"],"
                   "\"ipFamilyPolicy\":\"SingleStack\",\"internalTrafficPolicy\":\"Cluster\"},"
                   "\"status\":{\"loadBalancer\":{}}}");
}

static void
test_service_defaults_types (void)
{
  g_autoptr (KsObject) np = ks_test_decode (
      "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n"
      "spec: {type: NodePort, ports: [{name: http, port: 80, targetPort: http}, {name: dns, port: "
      "53, protocol: UDP, targetPort: 5353}]}\n");
  g_autoptr (KsObject) lb = ks_test_decode (
      "apiVersion: v1\nkind: Service\nmetadata: {name: b}\n"
      "spec: {type: LoadBalancer, externalTrafficPolicy: Local, sessionAffinity: ClientIP, "
      "ports: [{port: 443}]}\n");
  g_autoptr (KsObject) headless
      = ks_test_decode ("apiVersion: v1\nkind: Service\nmetadata: {name: c}\n"
                        "spec: {clusterIP: None, selector: {app: db}}\n");
  KsService *s;

  s = KS_SERVICE (np);
  g_assert_cmpint (s->type, ==, KS_SERVICE_NODE_PORT);
  g_assert_true (s->has_external_traffic_policy);
  g_assert_cmpint (s->external_traffic_policy, ==, KS_TRAFFIC_POLICY_CLUSTER);
  g_assert_cmpstr (s->ports[0].target_port.name, ==, "http");
  g_assert_cmpstr (s->ports[1].protocol, ==, "UDP");
  g_assert_true (ks_service_needs_node_ports (s));
  g_assert_false (ks_service_needs_health_check_node_port (s));
  s = KS_SERVICE (lb);
  g_assert_true (s->allocate_load_balancer_node_ports);
  g_assert_true (ks_service_needs_node_ports (s));
  g_assert_true (ks_service_needs_health_check_node_port (s));
  g_assert_cmpint (s->session_affinity, ==, KS_SESSION_AFFINITY_CLIENT_IP);
  g_assert_cmpint (s->session_affinity_timeout, ==, 10800);
  s = KS_SERVICE (headless);
  g_assert_true (ks_service_is_headless (s));
  g_assert_false (ks_service_needs_cluster_ip (s));
  g_assert_cmpuint (s->n_ports, ==, 0);
}

static void
test_service_validation (void)
{
  static const char *const expected[]
      = { "test.yaml:5:9: spec.type: Unsupported value: \"ExternalName\": kubesim does not support "
          "ExternalName services; supported values: \"ClusterIP\", \"LoadBalancer\", \"NodePort\"",
          NULL };
  static const char *const expected2[] = {
    "test.yaml:6:14: spec.clusterIPs[0]: Invalid value: \"10.96.0.300\": must be a valid IP "
    "address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
    "test.yaml:8:21: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, "
    "inclusive",
    "test.yaml:9:37: spec.ports[1].targetPort: Invalid value: 70000: must be between 1 and "
    "65535, inclusive",
    "test.yaml:10:35: spec.ports[2].protocol: Unsupported value: \"ICMP\": supported values: "
    "\"SCTP\", \"TCP\", \"UDP\"",
    "test.yaml:11:37: spec.ports[3].targetPort: Invalid value: \"a--b\": must not contain "
    "consecutive hyphens (-)",
    "test.yaml:12:37: spec.ports[4].targetPort: Invalid value: \"8080\": must contain at least "
    "one letter (a-z)",
    "test.yaml:13:20: spec.sessionAffinity: Unsupported value: \"Sticky\": supported values: "
    "\"ClientIP\", \"None\"",
    "test.yaml:14:26: spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set for "
    "externally-accessible services",
    "test.yaml:15:19: spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": this cluster is "
    "not configured for dual-stack services",
    NULL
  };
  static const char *const expected3[] = {
    "test.yaml:8:5: spec.ports[1].name: Required value",
    "test.yaml:9:12: spec.ports[2].name: Duplicate value: \"http\"",
    "test.yaml:10:12: spec.ports[3].name: Invalid value: \"Web\": a lowercase RFC 1123 label must "
    "consist of lower case alphanumeric characters or '-', and must start and end with an "
    "alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    "test.yaml:8:5: spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", "
    "AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, "
    "StrVal:\"\"}, NodePort:0}",
    "test.yaml:10:37: spec.ports[3].nodePort: Duplicate value: 30080",
    NULL
  };
  static const char *const expected5[] = {
    "test.yaml:6:14: spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for "
    "NodePort services",
    "test.yaml:7:54: spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: "
    "must be greater than 0 and less than 86400",
    "test.yaml:8:24: spec.healthCheckNodePort: Invalid value: 30001: may only be set when `type` "
    "is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
    "test.yaml:9:34: spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` "
    "is 'LoadBalancer'",
    NULL
  };
  g_autoptr (KsDiag) d1 = decode_yaml_fail ("apiVersion: v1\n"
                                            "kind: Service\n"
                                            "metadata: {name: a}\n"
                                            "spec:\n"
                                            "  type: ExternalName\n"
                                            "  externalName: example.com\n");
  g_autoptr (KsDiag) d2 = decode_yaml_fail ("apiVersion: v1\n"
                                            "kind: Service\n"
                                            "metadata: {name: a}\n"
                                            "spec:\n"
                                            "  type: ClusterIP\n"
                                            "  clusterIP: 10.96.0.300\n"
                                            "  ports:\n"
                                            "  - {name: a, port: 0}\n"
                                            "  - {name: b, port: 81, targetPort: 70000}\n"
                                            "  - {name: c, port: 82, protocol: ICMP}\n"
                                            "  - {name: d, port: 83, targetPort: a--b}\n"
                                            "  - {name: e, port: 84, targetPort: '8080'}\n"
                                            "  sessionAffinity: Sticky\n"
                                            "  externalTrafficPolicy: Local\n"
                                            "  ipFamilyPolicy: RequireDualStack\n");
  g_autoptr (KsDiag) d3 = decode_yaml_fail ("apiVersion: v1\n"
                                            "kind: Service\n"
                                            "metadata: {name: a}\n"
                                            "spec:\n"
                                            "  type: NodePort\n"
                                            "  ports:\n"
                                            "  - {name: http, port: 80, nodePort: 30080}\n"
                                            "  - {port: 80}\n"
                                            "  - {name: http, port: 81}\n"
                                            "  - {name: Web, port: 82, nodePort: 30080}\n");
  g_autoptr (KsDiag) d5
      = decode_yaml_fail ("apiVersion: v1\n"
                          "kind: Service\n"
                          "metadata: {name: a}\n"
                          "spec:\n"
                          "  type: NodePort\n"
                          "  clusterIP: None\n"
                          "  sessionAffinityConfig: {clientIP: {timeoutSeconds: 86401}}\n"
                          "  healthCheckNodePort: 30001\n"
                          "  allocateLoadBalancerNodePorts: false\n"
                          "  sessionAffinity: ClientIP\n"
                          "  ports: [{port: 80}]\n");

  assert_problems (d1, expected);
  assert_problems (d2, expected2);
  assert_problems (d3, expected3);
  assert_problems (d5, expected5);
}

static void
test_service_validation_ports_required (void)
{
  static const char *const expected[] = { "test.yaml:4:7: spec.ports: Required value", NULL };
  static const char *const expected2[]
      = { "test.yaml:6:26: spec.ports[0].nodePort: Forbidden: may not be used when `type` is "
          "'ClusterIP'",
          NULL };
  g_autoptr (KsDiag) d1
      = decode_yaml_fail ("apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {}\n");
  g_autoptr (KsDiag) d2 = decode_yaml_fail ("apiVersion: v1\n"
                                            "kind: Service\n"
                                            "metadata: {name: a}\n"
                                            "spec:\n"
                                            "  ports:\n"
                                            "  - {port: 80, nodePort: 30080}\n");

  assert_problems (d1, expected);
  assert_problems (d2, expected2);
}

static void
test_service_resolve_port (void)
{
  g_autoptr (KsObject) pod = ks_test_decode (
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
      "spec: {containers: [{name: a, image: x, ports: [{name: dns, containerPort: 5353, protocol: "
      "UDP}]}, {name: b, image: yy, ports: [{name: dns, containerPort: 53}, {name: http, "
      "containerPort: 8080}]}]}\n");
  KsServicePort p = { .protocol = "TCP", .port = 80, .target_port = { .name = (char *) "http" } };
  gint32 port = 0;

  g_assert_true (ks_service_port_resolve (&p, KS_POD (pod)->spec, &port));
  g_assert_cmpint (port, ==, 8080);
  /* By name and protocol: the TCP "dns" is the second container's. */
  p.target_port.name = (char *) "dns";
  g_assert_true (ks_service_port_resolve (&p, KS_POD (pod)->spec, &port));
  g_assert_cmpint (port, ==, 53);
  p.protocol = "UDP";
  g_assert_true (ks_service_port_resolve (&p, KS_POD (pod)->spec, &port));
  g_assert_cmpint (port, ==, 5353);
  p.target_port.name = (char *) "metrics";
  g_assert_false (ks_service_port_resolve (&p, KS_POD (pod)->spec, &port));
  p.target_port.name = NULL;
  p.target_port.number = 9000;
  g_assert_true (ks_service_port_resolve (&p, KS_POD (pod)->spec, &port));
  g_assert_cmpint (port, ==, 9000);
}

static KsObject *
rich_service (void)
{
  KsService *svc = KS_SERVICE (
      ks_test_decode ("apiVersion: v1\n"
                      "kind: Service\n"
                      "metadata: {name: web, labels: {app: web}}\n"
                      "spec:\n"
                      "  type: LoadBalancer\n"
                      "  selector: {app: web}\n"
                      "  clusterIP: 10.96.7.8\n"
                      "  externalTrafficPolicy: Local\n"
                      "  internalTrafficPolicy: Local\n"
                      "  healthCheckNodePort: 31999\n"
                      "  publishNotReadyAddresses: true\n"
                      "  sessionAffinity: ClientIP\n"
                      "  sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}\n"
                      "  ipFamilyPolicy: PreferDualStack\n"
                      "  ports:\n"
                      "  - {name: http, port: 80, targetPort: http, nodePort: 30080}\n"
                      "  - {name: dns, port: 53, protocol: UDP, targetPort: 5353, nodePort: "
                      "30053}\n"));

  set_server_meta (KS_OBJECT (svc), 50, 3 * SEC);
  return KS_OBJECT (svc);
}

static KsObject *
rich_endpoints (void)
{
  KsEndpoints *ep = KS_ENDPOINTS (
      ks_test_decode ("apiVersion: v1\n"
                      "kind: Endpoints\n"
                      "metadata: {name: web}\n"
                      "subsets:\n"
                      "- addresses:\n"
                      "  - ip: 10.244.1.2\n"
                      "    hostname: web-0\n"
                      "    nodeName: n1\n"
                      "    targetRef: {kind: Pod, namespace: default, name: web-0,\n"
                      "                uid: 0f1e2d3c-4b5a-4697-8877-665544332211,\n"
                      "                resourceVersion: '12'}\n"
                      "  notReadyAddresses: [{ip: 10.244.2.3, nodeName: n2}]\n"
                      "  ports: [{name: http, port: 8080}, {name: dns, port: 53, protocol: UDP}]\n"
                      "- notReadyAddresses: [{ip: 'fd00::1'}]\n"));

  set_server_meta (KS_OBJECT (ep), 51, 4 * SEC);
  return KS_OBJECT (ep);
}

static void
test_round_trip_service (void)
{
  g_autoptr (KsObject) obj = rich_service ();
  g_autoptr (KsObject) back = assert_stored_round_trip (obj);
  KsService *svc = KS_SERVICE (back);

  g_assert_cmpint (svc->type, ==, KS_SERVICE_LOAD_BALANCER);
  g_assert_cmpint (svc->health_check_node_port, ==, 31999);
  g_assert_cmpint (svc->ports[1].node_port, ==, 30053);
  g_assert_cmpint (svc->session_affinity_timeout, ==, 60);
  g_assert_cmpint (svc->ip_family_policy, ==, KS_IP_FAMILY_POLICY_PREFER_DUAL_STACK);
  g_assert_cmpint (svc->internal_traffic_policy, ==, KS_TRAFFIC_POLICY_LOCAL);
  g_assert_true (svc->publish_not_ready_addresses);
}

static void
test_round_trip_endpoints (void)
{
  g_autoptr (KsObject) obj = rich_endpoints ();
  g_autoptr (KsObject) back = assert_stored_round_trip (obj);
  KsEndpoints *ep = KS_ENDPOINTS (back);
  g_autoptr (KsObject) copy = ks_object_copy (back);
  g_autofree char *a = ks_object_to_json (back, 0);
  g_autofree char *b = ks_object_to_json (copy, 0);

  g_assert_cmpuint (ep->n_subsets, ==, 2);
  g_assert_cmpstr (ep->subsets[0].addresses[0].target_ref->name, ==, "web-0");
  g_assert_cmpstr (ep->subsets[0].addresses[0].target_ref->resource_version, ==, "12");
  g_assert_cmpstr (ep->subsets[0].not_ready_addresses[0].node_name, ==, "n2");
  g_assert_cmpstr (ep->subsets[0].ports[1].protocol, ==, "UDP");
  g_assert_cmpuint (ep->subsets[1].n_addresses, ==, 0);
  g_assert_cmpstr (b, ==, a);
}

static void
test_endpoints_validation (void)
{
  static const char *const expected[] = {
    "test.yaml:5:20: subsets[0].addresses[0].ip: Invalid value: \"10.0.0\": must be a valid IP "
    "address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
    "test.yaml:6:5: subsets[0].addresses[1].ip: Required value",
    "test.yaml:7:18: subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, "
    "inclusive",
    "test.yaml:8:3: subsets[1]: Required value: must specify `addresses` or `notReadyAddresses`",
    "test.yaml:9:61: subsets[2].ports[1].name: Required value",
    NULL
  };
  g_autoptr (KsDiag) d = decode_yaml_fail ("apiVersion: v1\n"
                                           "kind: Endpoints\n"
                                           "metadata: {name: web}\n"
                                           "subsets:\n"
                                           "- addresses: [{ip: 10.0.0},\n"
                                           "    {hostname: a}]\n"
                                           "  ports: [{port: 0}]\n"
                                           "- ports: [{port: 80}]\n"
                                           "- {addresses: [{ip: 10.0.0.1}], ports: [{name: a, "
                                           "port: 1}, {port: 2}]}\n");

  assert_problems (d, expected);
}

/* ---- Service allocation ---------------------------------------------------------------- */

static void
test_alloc_cluster_ip (Fixture *f, gconstpointer data)
{
  g_autofree char *y1 = service_yaml ("a", "{ports: [{port: 80}]}");
  g_autofree char *y2 = service_yaml ("b", "{ports: [{port: 80}]}");
  g_autofree char *y3 = service_yaml ("c", "{clusterIP: None, selector: {app: c}}");
  KsService *a = service_create_ok (f, y1);
  KsService *b = service_create_ok (f, y2);
  KsService *c = service_create_ok (f, y3);
  guint32 base = ip_of ("10.96.0.0");

  g_assert_nonnull (a->cluster_ip);
  g_assert_nonnull (b->cluster_ip);
  g_assert_cmpstr (a->cluster_ip, !=, b->cluster_ip);
  /* Random draws come from the upper band: above the 256 addresses of the static band, below
   * the broadcast address. */
  g_assert_cmpuint (ip_of (a->cluster_ip), >, base + 256);
  g_assert_cmpuint (ip_of (a->cluster_ip), <, base + 65535);
  g_assert_cmpuint (ip_of (b->cluster_ip), >, base + 256);
  g_assert_cmpstr (c->cluster_ip, ==, "None");
  g_assert_cmpuint (a->ports[0].node_port, ==, 0);
}

static void
test_alloc_static_conflicts (Fixture *f, gconstpointer data)
{
  g_autofree char *y1 = service_yaml ("a", "{type: NodePort, clusterIP: 10.96.0.10, ports: [{port: "
                                           "80, nodePort: 30080}]}");
  g_autofree char *y2 = service_yaml ("b", "{clusterIP: 10.96.0.10, ports: [{port: 80}]}");
  g_autofree char *y3
      = service_yaml ("c", "{type: NodePort, ports: [{name: a, port: 81}, {name: b, port: 80, "
                           "nodePort: 30080}]}");
  g_autofree char *y4 = service_yaml ("d", "{clusterIP: 10.97.0.1, ports: [{port: 80}]}");
  g_autofree char *y5 = service_yaml ("e", "{type: NodePort, ports: [{port: 80, nodePort: 8080}]}");
  g_autofree char *y6 = service_yaml ("f", "{clusterIP: 10.96.0.0, ports: [{port: 80}]}");
  g_autoptr (GError) e2 = NULL;
  g_autoptr (GError) e3 = NULL;
  g_autoptr (GError) e4 = NULL;
  g_autoptr (GError) e5 = NULL;
  g_autoptr (GError) e6 = NULL;
  KsService *a = service_create_ok (f, y1);

  g_assert_cmpstr (a->cluster_ip, ==, "10.96.0.10");
  g_assert_cmpint (a->ports[0].node_port, ==, 30080);
  g_assert_null (service_create (f, y2, &e2));
  g_assert_error (e2, KS_STORE_ERROR, KS_STORE_ERROR_INVALID);
  g_assert_cmpstr (e2->message, ==,
                   "Service \"b\" is invalid: spec.clusterIPs: Invalid value: "
                   "[]string{\"10.96.0.10\"}: failed to allocate IP 10.96.0.10: provided IP is "
                   "already allocated");
  g_assert_null (service_create (f, y3, &e3));
  g_assert_error (e3, KS_STORE_ERROR, KS_STORE_ERROR_INVALID);
  g_assert_cmpstr (e3->message, ==,
                   "Service \"c\" is invalid: spec.ports[1].nodePort: Invalid value: 30080: "
                   "provided port is already allocated");
  g_assert_null (service_create (f, y4, &e4));
  g_assert_cmpstr (e4->message, ==,
                   "Service \"d\" is invalid: spec.clusterIPs: Invalid value: "
                   "[]string{\"10.97.0.1\"}: failed to allocate IP 10.97.0.1: provided IP is not "
                   "in the valid range. The range of valid IPs is 10.96.0.0/16");
  g_assert_null (service_create (f, y5, &e5));
  g_assert_cmpstr (e5->message, ==,
                   "Service \"e\" is invalid: spec.ports[0].nodePort: Invalid value: 8080: "
                   "provided port is not in the valid range. The range of valid ports is "
                   "30000-32767");
  /* The network address is never an address to give. */
  g_assert_null (service_create (f, y6, &e6));
  g_assert_error (e6, KS_STORE_ERROR, KS_STORE_ERROR_INVALID);
  /* Refused Services were not stored and took nothing. */
  g_assert_cmpuint (ks_store_count (f->store, ks_kind_get (KS_KIND_SERVICE)), ==, 1);
}

static void
test_alloc_node_ports (Fixture *f, gconstpointer data)
{
  g_autofree char *y1 = service_yaml (
      "a", "{type: NodePort, ports: [{name: dns-tcp, port: 53}, {name: dns-udp, port: 53, "
           "protocol: UDP}, {name: http, port: 80}]}");
  g_autofree char *y2 = service_yaml (
      "b", "{type: LoadBalancer, externalTrafficPolicy: Local, ports: [{port: 443}]}");
  g_autofree char *y3 = service_yaml (
      "c", "{type: LoadBalancer, allocateLoadBalancerNodePorts: false, ports: [{name: a, port: "
           "443}, {name: b, port: 444, nodePort: 30444}]}");
  KsService *a = service_create_ok (f, y1);
  KsService *b = service_create_ok (f, y2);
  KsService *c = service_create_ok (f, y3);

  /* TCP and UDP on 53 share one NodePort; drawn above the static band 30000–30085. */
  g_assert_cmpint (a->ports[0].node_port, ==, a->ports[1].node_port);
  g_assert_cmpint (a->ports[0].node_port, !=, a->ports[2].node_port);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpint (a->ports[i].node_port, >=, 30086);
      g_assert_cmpint (a->ports[i].node_port, <=, 32767);
    }
  g_assert_cmpint (b->ports[0].node_port, >=, 30086);
  g_assert_cmpint (b->health_check_node_port, >=, 30086);
  g_assert_cmpint (b->health_check_node_port, !=, b->ports[0].node_port);
  /* Without allocateLoadBalancerNodePorts, only the requested one. */
  g_assert_cmpint (c->ports[0].node_port, ==, 0);
  g_assert_cmpint (c->ports[1].node_port, ==, 30444);
}

/* A /27 has 30 addresses to give, 16 of them the static band: the first 14 draws fill the upper
 * band, the next ones fall back to the static band, the 31st finds the range full.  Deleting a
 * Service frees its address for the next one. */
static void
test_alloc_exhaustion_and_release (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint32 base = ip_of ("10.100.0.0");
  g_autofree char *full = service_yaml ("full", "{ports: [{port: 80}]}");
  g_autofree char *again = service_yaml ("again", "{ports: [{port: 80}]}");
  KsService *svc;
  const char *freed;

  g_assert_true (ks_admission_set_service_cluster_ip_range (f->store, "10.100.0.0/27", &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *name = g_strdup_printf ("s%u", i);
      g_autofree char *yaml = service_yaml (name, "{ports: [{port: 80}]}");
      guint32 ip;
      svc = service_create_ok (f, yaml);
      ip = ip_of (svc->cluster_ip);
      g_assert_true (g_hash_table_add (seen, g_strdup (svc->cluster_ip)));
      if (i < 14)
        g_assert_cmpuint (ip, >=, base + 17);
      else
        g_assert_cmpuint (ip, <=, base + 16);
      g_assert_cmpuint (ip, >=, base + 1);
      g_assert_cmpuint (ip, <=, base + 30);
    }
  g_assert_null (service_create (f, full, &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_INTERNAL);
  g_assert_cmpstr (error->message, ==,
                   "Internal error occurred: failed to allocate a serviceIP: range is full");
  g_clear_error (&error);
  svc = KS_SERVICE (ks_store_get (f->store, ks_kind_get (KS_KIND_SERVICE), "default", "s7"));
  freed = ks_intern (svc->cluster_ip);
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_SERVICE), "default", "s7", NULL, &error));
  svc = service_create_ok (f, again);
  g_assert_cmpstr (svc->cluster_ip, ==, freed);
}

static void
test_alloc_node_port_exhaustion (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *y1 = service_yaml ("a", "{type: NodePort, ports: [{name: a, port: 1}, {name: b, "
                                           "port: 2}, {name: c, port: 3}]}");
  g_autofree char *y2 = service_yaml ("b", "{type: NodePort, ports: [{name: a, port: 1}, {name: b, "
                                           "port: 2}, {name: c, port: 3}]}");
  g_autofree char *y3 = service_yaml ("c", "{type: NodePort, ports: [{port: 1, nodePort: 40005}]}");
  KsService *a;

  g_assert_true (ks_admission_set_service_node_port_range (f->store, "40000-40004", &error));
  a = service_create_ok (f, y1);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpint (a->ports[i].node_port, >=, 40000);
      g_assert_cmpint (a->ports[i].node_port, <=, 40004);
    }
  g_assert_null (service_create (f, y2, &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_INTERNAL);
  g_assert_cmpstr (error->message, ==,
                   "Internal error occurred: failed to allocate a nodePort: range is full");
  g_clear_error (&error);
  g_assert_null (service_create (f, y3, &error));
  g_assert_cmpstr (error->message, ==,
                   "Service \"c\" is invalid: spec.ports[0].nodePort: Invalid value: 40005: "
                   "provided port is not in the valid range. The range of valid ports is "
                   "40000-40004");
  g_clear_error (&error);
  g_assert_false (ks_admission_set_service_node_port_range (f->store, "40005-40000", &error));
  g_assert_error (error, KS_INPUT_ERROR, KS_INPUT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ks_admission_set_service_cluster_ip_range (f->store, "10.96.0.1/16", &error));
  g_assert_cmpstr (error->message, ==,
                   "invalid service IP range \"10.96.0.1/16\": expected an IPv4 network address "
                   "with a prefix of 12 to 30 bits, such as 10.96.0.0/16");
}

static KsService *
update_service (Fixture *f, KsService *svc, GError **error)
{
  KsObject *updated = ks_store_update (f->store, KS_OBJECT (svc), FALSE, error);
  ks_object_unref (KS_OBJECT (svc));
  return KS_SERVICE (updated);
}

static void
test_alloc_update (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *y1
      = service_yaml ("a", "{type: NodePort, ports: [{name: http, port: 80}, {name: https, port: "
                           "443}]}");
  g_autofree char *y_reapply
      = service_yaml ("a", "{type: NodePort, ports: [{name: https, port: 443}, {name: http, port: "
                           "8080}, {name: admin, port: 9000}]}");
  g_autofree char *y_clusterip = service_yaml ("a", "{ports: [{name: http, port: 80}]}");
  g_autofree char *y_moved = service_yaml ("a", "{clusterIP: 10.96.9.9, ports: [{port: 80}]}");
  g_autofree char *y_other = service_yaml ("b", "{type: NodePort, ports: [{port: 80}]}");
  KsService *a = service_create_ok (f, y1);
  g_autofree char *ip = g_strdup (a->cluster_ip);
  gint32 http = a->ports[0].node_port, https = a->ports[1].node_port;
  KsService *svc;

  /* Re-applying the manifest (no clusterIP, no nodePorts) keeps what was allocated, NodePorts by
   * port name; a new port gets a new one. */
  svc = KS_SERVICE (ks_test_decode (y_reapply));
  svc = update_service (f, svc, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (svc->cluster_ip, ==, ip);
  g_assert_cmpint (svc->ports[0].node_port, ==, https);
  g_assert_cmpint (svc->ports[1].node_port, ==, http);
  g_assert_cmpint (svc->ports[2].node_port, !=, 0);
  g_assert_cmpint (svc->ports[2].node_port, !=, http);
  g_assert_cmpint (svc->ports[2].node_port, !=, https);

  /* A changed clusterIP is refused. */
  svc = update_service (f, KS_SERVICE (ks_test_decode (y_moved)), &error);
  g_assert_null (svc);
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "Service \"a\" is invalid: spec.clusterIP: Invalid value: \"10.96.9.9\": field "
                   "is immutable");
  g_clear_error (&error);

  /* To ClusterIP: the NodePorts go (a copy that still carries them, as a controller would
   * write it); they are free for another Service. */
  svc = KS_SERVICE (
      ks_object_copy (ks_store_get (f->store, ks_kind_get (KS_KIND_SERVICE), "default", "a")));
  svc->type = KS_SERVICE_CLUSTER_IP;
  svc->has_external_traffic_policy = FALSE;
  svc = update_service (f, svc, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < svc->n_ports; i++)
    g_assert_cmpint (svc->ports[i].node_port, ==, 0);
  g_assert_cmpstr (svc->cluster_ip, ==, ip);
  svc = update_service (f, KS_SERVICE (ks_test_decode (y_clusterip)), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (svc->cluster_ip, ==, ip);

  /* Back to NodePort: ports allocated anew.  And a status-only write changes nothing. */
  svc = KS_SERVICE (ks_test_decode (y1));
  svc = update_service (f, svc, &error);
  g_assert_no_error (error);
  g_assert_cmpint (svc->ports[0].node_port, >=, 30086);
  g_assert_cmpint (svc->ports[1].node_port, >=, 30086);
  {
    KsService *copy = KS_SERVICE (ks_object_copy (KS_OBJECT (svc)));
    gint32 p0 = svc->ports[0].node_port;
    KsService *after = KS_SERVICE (ks_store_update (f->store, KS_OBJECT (copy), TRUE, &error));
    ks_object_unref (KS_OBJECT (copy));
    g_assert_no_error (error);
    g_assert_cmpint (after->ports[0].node_port, ==, p0);
  }
  service_create_ok (f, y_other);
}

/* The allocator derives what is used from the Services in the store, so Services that reach the
 * store already allocated (as a backend loads them from disk) are respected, and nothing needs
 * rebuilding. */
static void
test_alloc_from_existing (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint32 base = ip_of ("10.100.0.0");

  /* A /29: 6 addresses, no static band. */
  g_assert_true (ks_admission_set_service_cluster_ip_range (f->store, "10.100.0.0/29", &error));
  for (guint i = 1; i <= 5; i++)
    {
      g_autofree char *json = g_strdup_printf (
          "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"old%u\","
          "\"namespace\":\"default\",\"uid\":\"3f2a6a35-1c2e-4e9b-9a1d-7c3b2f1e0d4%u\","
          "\"resourceVersion\":\"%u\"},\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80,"
          "\"nodePort\":%u}],\"clusterIP\":\"10.100.0.%u\"}}",
          i, i, i, 30100 + i, i + (i >= 3));
      KsObject *obj = decode_json (json, KS_DECODE_STORED, 0, NULL);
      obj->meta.resource_version = 0;
      ks_test_create (f->store, obj);
    }
  /* Used: .1 .2 .4 .5 .6; the one free address is .3. */
  {
    g_autofree char *y = service_yaml ("new", "{ports: [{port: 80}]}");
    KsService *svc = service_create_ok (f, y);
    g_assert_cmpuint (ip_of (svc->cluster_ip), ==, base + 3);
  }
  g_assert_true (ks_admission_set_service_node_port_range (f->store, "30101-30106", &error));
  /* A new range for addresses; the loaded Services' NodePorts 30101–30105 stay taken. */
  g_assert_true (ks_admission_set_service_cluster_ip_range (f->store, "10.101.0.0/29", &error));
  {
    g_autofree char *y1 = service_yaml ("np1", "{type: NodePort, ports: [{port: 80}]}");
    g_autofree char *y2 = service_yaml ("np2", "{type: NodePort, ports: [{port: 80}]}");
    KsService *svc = service_create_ok (f, y1);
    g_autoptr (GError) e = NULL;

    g_assert_cmpint (svc->ports[0].node_port, ==, 30106);
    g_assert_null (service_create (f, y2, &e));
    g_assert_error (e, KS_STORE_ERROR, KS_STORE_ERROR_INTERNAL);
  }
}

/* Allocation draws from its own stream: creating a Service does not change the UIDs or
 * generated names of what is created after it (compared with creating Endpoints, which draw
 * nothing but their UID). */
static void
test_alloc_own_stream (void)
{
  char uids[2][KS_UID_STRING_LEN];

  for (guint run = 0; run < 2; run++)
    {
      g_autoptr (KsSimClock) sim = ks_sim_clock_new ();
      KsStore *store = ks_store_new (ks_sim_clock_get_clock (sim), 7);
      KsObject *pod;
      ks_test_create (store, KS_OBJECT (ks_namespace_new ("default")));
      if (run == 0)
        ks_test_create (store,
                        ks_test_decode ("apiVersion: v1\nkind: Service\nmetadata: {name: "
                                        "s}\nspec: {type: NodePort, ports: [{port: 80}]}\n"));
      else
        ks_test_create (store, KS_OBJECT (ks_endpoints_new ("default", "s")));
      pod = ks_test_create (store, ks_test_decode ("apiVersion: v1\nkind: Pod\nmetadata: "
                                                   "{generateName: p-}\nspec: {containers: "
                                                   "[{name: a, image: x}]}\n"));
      ks_uid_to_string (&pod->meta.uid, uids[run]);
      ks_store_free (store);
    }
  g_assert_cmpstr (uids[0], ==, uids[1]);
}

static void
test_alloc_deterministic (void)
{
  char *ips[2] = { NULL, NULL };
  gint32 ports[2];

  for (guint run = 0; run < 2; run++)
    {
      g_autoptr (KsSimClock) sim = ks_sim_clock_new ();
      KsStore *store = ks_store_new (ks_sim_clock_get_clock (sim), 7);
      KsService *svc;
      ks_test_create (store, KS_OBJECT (ks_namespace_new ("default")));
      svc = KS_SERVICE (
          ks_test_create (store, ks_test_decode ("apiVersion: v1\nkind: Service\nmetadata: "
                                                 "{name: s}\nspec: {type: NodePort, ports: "
                                                 "[{port: 80}]}\n")));
      ips[run] = g_strdup (svc->cluster_ip);
      ports[run] = svc->ports[0].node_port;
      ks_store_free (store);
    }
  g_assert_cmpstr (ips[0], ==, ips[1]);
  g_assert_cmpint (ports[0], ==, ports[1]);
  g_free (ips[0]);
  g_free (ips[1]);
}

/* ---- Event and Lease ------------------------------------------------------------------- */

static KsObject *
rich_event (void)
{
  KsEvent *ev = KS_EVENT (ks_test_decode (
      "apiVersion: v1\n"
      "kind: Event\n"
      "metadata: {name: web-1.17d0}\n"
      "involvedObject: {kind: Pod, namespace: default, name: web-1, apiVersion: v1,\n"
      "                 uid: 0f1e2d3c-4b5a-4697-8877-665544332211, resourceVersion: '9',\n"
      "                 fieldPath: 'spec.containers{main}'}\n"
      "reason: BackOff\n"
      "message: Back-off restarting failed container\n"
      "type: Warning\n"
      "count: 3\n"
      "firstTimestamp: '2025-01-01T00:00:10Z'\n"
      "lastTimestamp: '2025-01-01T00:01:10Z'\n"
      "source: {component: kubelet, host: n1}\n"
      "reportingComponent: kubelet\n"
      "reportingInstance: n1\n"));

  set_server_meta (KS_OBJECT (ev), 60, 10 * SEC);
  return KS_OBJECT (ev);
}

static void
test_round_trip_event (void)
{
  g_autoptr (KsObject) obj = rich_event ();
  g_autoptr (KsObject) back = assert_stored_round_trip (obj);
  KsEvent *ev = KS_EVENT (back);
  g_autoptr (KsEvent) empty = ks_event_new ("default", "e");
  g_autofree char *json = NULL;
  g_autoptr (KsObject) empty_back = NULL;

  g_assert_cmpstr (ev->involved_object.field_path, ==, "spec.containers{main}");
  g_assert_cmpint (ev->count, ==, 3);
  g_assert_cmpint (ev->first_timestamp, ==, 10 * SEC);
  g_assert_cmpint (ev->last_timestamp, ==, 70 * SEC);
  g_assert_cmpstr (ev->source_host, ==, "n1");
  g_assert_cmpstr (ev->reporting_instance, ==, "n1");
  /* Unset: null times, empty source and reporting strings, as Kubernetes writes them. */
  json = ks_object_to_json (KS_OBJECT (empty), KS_DEFAULT_EPOCH);
  g_assert_cmpstr (json, ==,
                   "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\"e\","
                   "\"namespace\":\"default\"},\"involvedObject\":{},\"source\":{},"
                   "\"firstTimestamp\":null,\"lastTimestamp\":null,\"eventTime\":null,"
                   "\"reportingComponent\":\"\",\"reportingInstance\":\"\"}");
  empty_back = assert_stored_round_trip (KS_OBJECT (empty));
  g_assert_cmpint (KS_EVENT (empty_back)->first_timestamp, ==, KS_TIME_NONE);
}

static void
test_event_validation (void)
{
  static const char *const expected[]
      = { "test.yaml:4:49: involvedObject.namespace: Invalid value: \"other\": does not match "
          "event.namespace",
          NULL };
  static const char *const expected2[]
      = { "test.yaml:4:17: involvedObject.namespace: Invalid value: \"\": does not match "
          "event.namespace",
          NULL };
  g_autoptr (KsDiag) d1
      = decode_yaml_fail ("apiVersion: v1\n"
                          "kind: Event\n"
                          "metadata: {name: e}\n"
                          "involvedObject: {kind: Pod, name: p, namespace: other}\n");
  g_autoptr (KsDiag) d2 = decode_yaml_fail ("apiVersion: v1\n"
                                            "kind: Event\n"
                                            "metadata: {name: e, namespace: team}\n"
                                            "involvedObject: {kind: Node, name: n1}\n");
  /* A cluster-scoped object's events are in "default". */
  g_autoptr (KsObject) ok = ks_test_decode ("apiVersion: v1\n"
                                            "kind: Event\n"
                                            "metadata: {name: e}\n"
                                            "involvedObject: {kind: Node, name: n1}\n");

  assert_problems (d1, expected);
  assert_problems (d2, expected2);
  g_assert_cmpstr (KS_EVENT (ok)->involved_object.kind, ==, "Node");
}

static void
test_round_trip_lease (void)
{
  g_autoptr (KsLease) lease = ks_lease_new (KS_NODE_LEASE_NAMESPACE, "n1");
  g_autoptr (KsObject) back = NULL;
  g_autofree char *json = NULL;
  g_autofree char *renew = NULL;
  g_autoptr (KsLease) empty = ks_lease_new (KS_NODE_LEASE_NAMESPACE, "n2");
  g_autofree char *empty_json = ks_object_to_json (KS_OBJECT (empty), 0);

  set_server_meta (KS_OBJECT (lease), 70, 1 * SEC);
  lease->holder_identity = g_strdup ("n1");
  lease->lease_duration_seconds = KS_NODE_LEASE_DURATION_SECONDS;
  lease->acquire_time = 1 * SEC + 5;
  lease->renew_time = 21 * SEC + 123456;
  lease->lease_transitions = 0;
  back = assert_stored_round_trip (KS_OBJECT (lease));
  /* MicroTime keeps microseconds. */
  g_assert_cmpint (KS_LEASE (back)->renew_time, ==, 21 * SEC + 123456);
  g_assert_cmpint (KS_LEASE (back)->acquire_time, ==, 1 * SEC + 5);
  g_assert_cmpint (KS_LEASE (back)->lease_transitions, ==, 0);
  json = ks_object_to_json (KS_OBJECT (lease), KS_DEFAULT_EPOCH);
  renew = get_json_string (json, "$.spec.renewTime");
  g_assert_cmpstr (renew, ==, "2025-01-01T00:00:21.123456Z");
  g_assert_cmpstr (empty_json, ==,
                   "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":"
                   "{\"name\":\"n2\",\"namespace\":\"kube-node-lease\"},\"spec\":{}}");
  g_clear_pointer (&back, ks_object_unref);
  back = assert_stored_round_trip (KS_OBJECT (empty));
  g_assert_cmpint (KS_LEASE (back)->lease_transitions, ==, -1);
  g_assert_cmpint (KS_LEASE (back)->renew_time, ==, KS_TIME_NONE);
}

static void
test_lease_validation (void)
{
  static const char *const expected[] = {
    "test.yaml:4:30: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
    "test.yaml:4:44: spec.renewTime: invalid time \"soon\": expected an RFC 3339 time such as "
    "\"2025-01-01T00:00:05Z\"",
    "test.yaml:4:88: spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0",
    NULL
  };
  g_autoptr (KsDiag) d = decode_yaml_fail (
      "apiVersion: coordination.k8s.io/v1\n"
      "kind: Lease\n"
      "metadata: {name: n1, namespace: kube-node-lease}\n"
      "spec: {leaseDurationSeconds: 0, renewTime: soon, holderIdentity: n1, leaseTransitions: "
      "-1}\n");

  assert_problems (d, expected);
  g_assert_true (ks_kind_lookup_resource ("leases") == ks_kind_get (KS_KIND_LEASE));
  g_assert_true (ks_kind_lookup_resource ("ev") == ks_kind_get (KS_KIND_EVENT));
  g_assert_true (ks_kind_lookup_resource ("svc") == ks_kind_get (KS_KIND_SERVICE));
  g_assert_true (ks_kind_lookup_resource ("ep") == ks_kind_get (KS_KIND_ENDPOINTS));
  g_assert_true (ks_kind_lookup_resource ("endpoints") == ks_kind_get (KS_KIND_ENDPOINTS));
  g_assert_true (ks_kind_lookup ("coordination.k8s.io/v1", "Lease") == ks_kind_get (KS_KIND_LEASE));
}

/* ---- probes ---------------------------------------------------------------------------- */

static void
test_probe_defaults (void)
{
  g_autoptr (KsObject) obj
      = ks_test_decode ("apiVersion: v1\n"
                        "kind: Pod\n"
                        "metadata: {name: p}\n"
                        "spec:\n"
                        "  containers:\n"
                        "  - name: a\n"
                        "    image: x\n"
                        "    ports: [{name: http, containerPort: 8080}]\n"
                        "    livenessProbe: {httpGet: {port: http}}\n"
                        "    readinessProbe: {tcpSocket: {port: 8080}, timeoutSeconds: 0}\n");
  KsContainer *c = &KS_POD (obj)->spec->containers[0];
  KsProbe *l = c->liveness_probe, *r = c->readiness_probe;
  g_autofree char *json = ks_object_to_json (obj, KS_DEFAULT_EPOCH);
  g_autofree char *liveness = get_json_string (json, "$.spec.containers[0].livenessProbe");
  gint32 port = 0;

  g_assert_nonnull (l);
  g_assert_null (c->startup_probe);
  g_assert_cmpint (l->handler, ==, KS_PROBE_HTTP_GET);
  g_assert_cmpstr (l->path, ==, "/");
  g_assert_false (l->https);
  g_assert_cmpint (l->timeout_seconds, ==, 1);
  g_assert_cmpint (l->period_seconds, ==, 10);
  g_assert_cmpint (l->success_threshold, ==, 1);
  g_assert_cmpint (l->failure_threshold, ==, 3);
  g_assert_cmpint (l->initial_delay_seconds, ==, 0);
  g_assert_cmpint (l->termination_grace_period_seconds, ==, -1);
  g_assert_true (ks_container_resolve_port (c, &l->port, &port));
  g_assert_cmpint (port, ==, 8080);
  g_assert_cmpint (r->handler, ==, KS_PROBE_TCP_SOCKET);
  g_assert_cmpint (r->timeout_seconds, ==, 1);
  g_assert_true (ks_container_resolve_port (c, &r->port, &port));
  g_assert_cmpint (port, ==, 8080);
  {
    KsIntOrString missing = { .name = (char *) "metrics" };
    g_assert_false (ks_container_resolve_port (c, &missing, &port));
  }
  g_assert_cmpstr (liveness, ==,
                   "{\"httpGet\":{\"path\":\"/\",\"port\":\"http\",\"scheme\":\"HTTP\"},"
                   "\"timeoutSeconds\":1,\"periodSeconds\":10,\"successThreshold\":1,"
                   "\"failureThreshold\":3}");
}

/* A template without probes hashes as before: probes are written only when set. */
static void
test_probe_absent_not_encoded (void)
{
  g_autoptr (KsObject) obj = ks_test_decode ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                                             "spec: {containers: [{name: a, image: x}]}\n");
  g_autofree char *json = ks_pod_spec_to_json (KS_POD (obj)->spec);

  g_assert_cmpstr (json, ==,
                   "{\"containers\":[{\"name\":\"a\",\"image\":\"x\",\"resources\":{},"
                   "\"imagePullPolicy\":\"Always\"}],\"restartPolicy\":\"Always\","
                   "\"terminationGracePeriodSeconds\":30,\"dnsPolicy\":\"ClusterFirst\","
                   "\"schedulerName\":\"default-scheduler\"}");
}

static void
test_probe_validation (void)
{
  static const char *const expected[] = {
    "test.yaml:8:20: spec.containers[0].livenessProbe: Required value: must specify a handler "
    "type",
    "test.yaml:9:54: spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify "
    "more than 1 handler type",
    "test.yaml:9:38: spec.containers[0].readinessProbe.exec.command: Required value",
    "test.yaml:10:29: spec.containers[0].startupProbe.httpGet.port: Invalid value: 0: must be "
    "between 1 and 65535, inclusive",
    "test.yaml:10:59: spec.containers[0].startupProbe.successThreshold: Invalid value: 2: must "
    "be 1",
    "test.yaml:12:38: spec.containers[1].livenessProbe.httpGet.port: Invalid value: \"HTTP\": "
    "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
    "test.yaml:12:52: spec.containers[1].livenessProbe.httpGet.scheme: Unsupported value: "
    "\"FTP\": supported values: \"HTTP\", \"HTTPS\"",
    "test.yaml:13:42: spec.containers[1].livenessProbe.httpGet.httpHeaders[0].name: Invalid "
    "value: \"X Y\": a valid HTTP header must consist of alphanumeric characters or '-' (e.g. "
    "'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')",
    "test.yaml:14:36: spec.containers[1].livenessProbe.periodSeconds: Invalid value: -1: must be "
    "greater than or equal to 0",
    "test.yaml:14:71: spec.containers[1].livenessProbe.terminationGracePeriodSeconds: Invalid "
    "value: 0: must be greater than 0",
    "test.yaml:15:76: spec.containers[1].readinessProbe.terminationGracePeriodSeconds: Invalid "
    "value: 5: must not be set for readinessProbes",
    "test.yaml:16:27: spec.containers[1].startupProbe.grpc: Unsupported value: gRPC probes are "
    "not supported by kubesim; use exec, httpGet or tcpSocket",
    "test.yaml:18:41: spec.initContainers[0].readinessProbe: Forbidden: may not be set for init "
    "containers without restartPolicy=Always",
    NULL
  };
  g_autoptr (KsDiag) d = decode_yaml_fail (
      "apiVersion: v1\n"
      "kind: Pod\n"
      "metadata: {name: p}\n"
      "spec:\n"
      "  containers:\n"
      "  - name: a\n"
      "    image: x\n"
      "    livenessProbe: {}\n"
      "    readinessProbe: {exec: {command: []}, tcpSocket: {port: 1}}\n"
      "    startupProbe: {httpGet: {path: /x}, successThreshold: 2}\n"
      "  - {name: b, image: x,\n"
      "     livenessProbe: {httpGet: {port: HTTP, scheme: FTP,\n"
      "                    httpHeaders: [{name: X Y, value: v}]},\n"
      "                    periodSeconds: -1, terminationGracePeriodSeconds: 0},\n"
      "     readinessProbe: {tcpSocket: {port: 1}, terminationGracePeriodSeconds: 5},\n"
      "     startupProbe: {grpc: {port: 9000}}}\n"
      "  initContainers:\n"
      "  - {name: i, image: x, readinessProbe: {tcpSocket: {port: 1}}}\n");

  assert_problems (d, expected);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/time/parse", test_time_parse);
  g_test_add_func ("/wire/time/format", test_time_format);
  g_test_add_func ("/wire/time/errors", test_time_errors);
  g_test_add_func ("/wire/round-trip/namespace", test_round_trip_namespace);
  g_test_add_func ("/wire/round-trip/node", test_round_trip_node);
  g_test_add_func ("/wire/round-trip/priority-class", test_round_trip_priority_class);
  g_test_add_func ("/wire/round-trip/pod", test_round_trip_pod);
  g_test_add_func ("/wire/round-trip/replica-set", test_round_trip_replica_set);
  g_test_add_func ("/wire/round-trip/deployment", test_round_trip_deployment);
  g_test_add_func ("/wire/round-trip/real-times", test_round_trip_real_times);
  g_test_add_func ("/wire/stored/pod-not-readmitted", test_stored_pod_not_readmitted);
  g_test_add_func ("/wire/stored/manifest-ignores", test_manifest_ignores_stored_fields);
  g_test_add_func ("/wire/stored/status-errors", test_stored_status_errors);
  g_test_add_func ("/wire/stored/one-status-list", test_stored_one_status_list);
  g_test_add_func ("/wire/pod/condition-message-shared", test_pod_condition_message_shared);
  g_test_add_func ("/wire/service/defaults", test_service_defaults);
  g_test_add_func ("/wire/service/defaults-types", test_service_defaults_types);
  g_test_add_func ("/wire/service/validation", test_service_validation);
  g_test_add_func ("/wire/service/validation-ports", test_service_validation_ports_required);
  g_test_add_func ("/wire/service/resolve-port", test_service_resolve_port);
  g_test_add_func ("/wire/round-trip/service", test_round_trip_service);
  g_test_add_func ("/wire/round-trip/endpoints", test_round_trip_endpoints);
  g_test_add_func ("/wire/endpoints/validation", test_endpoints_validation);
  g_test_add ("/wire/alloc/cluster-ip", Fixture, NULL, fixture_setup, test_alloc_cluster_ip,
              fixture_teardown);
  g_test_add ("/wire/alloc/static-conflicts", Fixture, NULL, fixture_setup,
              test_alloc_static_conflicts, fixture_teardown);
  g_test_add ("/wire/alloc/node-ports", Fixture, NULL, fixture_setup, test_alloc_node_ports,
              fixture_teardown);
  g_test_add ("/wire/alloc/exhaustion-release", Fixture, NULL, fixture_setup,
              test_alloc_exhaustion_and_release, fixture_teardown);
  g_test_add ("/wire/alloc/node-port-exhaustion", Fixture, NULL, fixture_setup,
              test_alloc_node_port_exhaustion, fixture_teardown);
  g_test_add ("/wire/alloc/update", Fixture, NULL, fixture_setup, test_alloc_update,
              fixture_teardown);
  g_test_add ("/wire/alloc/from-existing", Fixture, NULL, fixture_setup, test_alloc_from_existing,
              fixture_teardown);
  g_test_add_func ("/wire/alloc/own-stream", test_alloc_own_stream);
  g_test_add_func ("/wire/round-trip/event", test_round_trip_event);
  g_test_add_func ("/wire/event/validation", test_event_validation);
  g_test_add_func ("/wire/round-trip/lease", test_round_trip_lease);
  g_test_add_func ("/wire/lease/validation", test_lease_validation);
  g_test_add_func ("/wire/probe/defaults", test_probe_defaults);
  g_test_add_func ("/wire/probe/absent-not-encoded", test_probe_absent_not_encoded);
  g_test_add_func ("/wire/probe/validation", test_probe_validation);
  g_test_add_func ("/wire/alloc/deterministic", test_alloc_deterministic);
  return g_test_run ();
}
