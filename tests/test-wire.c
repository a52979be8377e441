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
#include "src/api/ks-namespace.h"
#include "src/api/ks-node.h"
#include "src/api/ks-object.h"
#include "src/api/ks-pod.h"
#include "src/ks-clock.h"
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
  node->kubelet_port = 10250;
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
      "  - {name: side, image: envoy, restartPolicy: Always}\n"
      "  containers:\n"
      "  - name: main\n"
      "    image: nginx:1.27\n"
      "    args: [--port, '80']\n"
      "    workingDir: /srv\n"
      "    env: [{name: A, value: '1'}, {name: EMPTY}]\n"
      "    ports: [{name: http, containerPort: 80, hostPort: 8080, hostIP: 127.0.0.1},\n"
      "            {containerPort: 53, protocol: UDP}]\n"
      "    resources: {requests: {cpu: 100m}, limits: {memory: 128Mi, example.com/gpu: 1}}\n"
      "  - {name: second, image: redis}\n"
      "  nodeSelector: {disk: ssd}\n"
      "  affinity:\n"
      "    nodeAffinity:\n"
      "      requiredDuringSchedulingIgnoredDuringExecution:\n"
      "        nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: "
      "[a]}]}]\n"
      "    podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: []}\n"
      "  topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone}]\n"
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
  s = &pod->init_container_statuses[0];
  s->state = KS_CONTAINER_TERMINATED;
  s->exit_code = 0;
  s->reason = ks_intern ("Completed");
  s->message = g_strdup ("done");
  s->started_at = 2 * SEC;
  s->finished_at = 3 * SEC;
  s->ready = TRUE;
  s->container_id = g_strdup ("runc://abc-init");
  s = &pod->init_container_statuses[1];
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
  g_assert_cmpint (node->kubelet_port, ==, 10250);
  g_assert_cmpint (node->allocatable.milli_cpu, ==, 3500);
  g_assert_true (node->unschedulable);
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
  g_assert_cmpint (pod->init_container_statuses[0].state, ==, KS_CONTAINER_TERMINATED);
  g_assert_cmpstr (pod->init_container_statuses[0].message, ==, "done");
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
  return g_test_run ();
}
