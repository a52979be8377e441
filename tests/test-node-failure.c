/* test-node-failure.c: node failures in a whole simulated cluster (sim/ks-sim.h): heartbeats
 * (Lease renewals every 10 s), the node lifecycle controller (monitor pass every 5 s, grace 50 s,
 * NoExecute taints rate-limited per zone) and the taint eviction controller (tolerationSeconds 300
 * by default), through the scenario actions failNode, recoverNode, partitionNode and
 * healPartition.  The expected times are worked out from Kubernetes' rules in each test. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sim/ks-sim.h"
#include "src/api/ks-event.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pod.h"
#include "src/controllers/ks-controllers.h"
#include "src/ks-rng.h"
#include "tests/ks-test.h"

#define SEC KS_USEC_PER_SEC
#define MS KS_USEC_PER_MSEC

typedef KsTestSim Run;

/* A Deployment "web" of one pod that prefers node a-0 (so it lands there), 100m CPU. */
#define WEB                                                                                        \
  "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: web},\n"                           \
  "    spec: {replicas: 1, selector: {matchLabels: {app: web}},\n"                                 \
  "      template: {metadata: {labels: {app: web}},\n"                                             \
  "        spec: {affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution:\n"    \
  "          [{weight: 100, preference: {matchExpressions: [{key: kubernetes.io/hostname,\n"       \
  "            operator: In, values: [a-0]}]}}]}},\n"                                              \
  "          containers: [{name: web, image: web,\n"                                               \
  "            resources: {requests: {cpu: 100m, memory: 64Mi}}}]}}}}\n"

/* Start a scenario of pool a (n_a nodes, zone z1) and pool b (2 nodes, zone z2), with objects
 * and events (YAML list items). */
static void
run_start (Run *r, guint n_a, const char *objects, const char *events)
{
  ks_test_sim_start (r, TRUE,
                     "kind: Scenario\nduration: 1h\nkubelet: {startup: 2s}\ncluster:\n  nodes:\n"
                     "    - {name: a, count: %u, capacity: {cpu: \"16\", memory: 64Gi},\n"
                     "       labels: {topology.kubernetes.io/zone: z1}}\n"
                     "    - {name: b, count: 2, capacity: {cpu: \"16\", memory: 64Gi},\n"
                     "       labels: {topology.kubernetes.io/zone: z2}}\n"
                     "objects:\n%sevents:\n%s",
                     n_a, objects, events);
}

static void
run_to (Run *r, gint64 t)
{
  ks_sim_run_until (r->sim, t, NULL, NULL);
}

static KsNode *
get_node (Run *r, const char *name)
{
  return KS_NODE (ks_test_sim_get (r, KS_KIND_NODE, NULL, name));
}

static KsConditionStatus
node_ready (Run *r, const char *name)
{
  g_autoptr (KsNode) node = get_node (r, name);
  return node->conditions[KS_NODE_COND_READY].status;
}

/* The time the node's NoExecute taint key was added, or KS_TIME_NONE when it has none. */
static gint64
no_execute_taint (Run *r, const char *name, const char *key)
{
  g_autoptr (KsNode) node = get_node (r, name);

  for (guint i = 0; i < node->n_taints; i++)
    if (node->taints[i].effect == KS_TAINT_NO_EXECUTE && strcmp (node->taints[i].key, key) == 0)
      return node->taints[i].time_added;
  return KS_TIME_NONE;
}

#define UNREACHABLE "node.kubernetes.io/unreachable"

/* The pods of the web Deployment (a new reference), by name. */
static GPtrArray *
web_pods (Run *r)
{
  g_autoptr (GPtrArray) all
      = ks_client_list (ks_sim_get_client (r->sim), ks_kind_get (KS_KIND_POD), NULL, NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);

  for (guint i = 0; i < all->len; i++)
    if (g_str_has_prefix (KS_OBJECT (g_ptr_array_index (all, i))->meta.name, "web-"))
      g_ptr_array_add (out, ks_object_ref (g_ptr_array_index (all, i)));
  return out;
}

/* The one web pod on node (a new reference), or NULL. */
static KsPod *
web_pod_on (Run *r, const char *node)
{
  g_autoptr (GPtrArray) pods = web_pods (r);

  for (guint i = 0; i < pods->len; i++)
    if (g_strcmp0 (KS_POD (g_ptr_array_index (pods, i))->node_name, node) == 0)
      return KS_POD (ks_object_ref (g_ptr_array_index (pods, i)));
  return NULL;
}

static void
pod_clear (KsPod **pod)
{
  if (*pod != NULL)
    ks_object_unref (KS_OBJECT (*pod));
  *pod = NULL;
}

/* a-0 crashes at 61 s.  Its Lease was last renewed at 60 s (renewals every 10 s from 0), which the
 * monitor pass at 60 s sees (the renewal is due first).  The first pass with now > 60 + 50 is at
 * 115 s: Ready Unknown, NodeNotReady, the pod not ready.  The taint follows the Ready status seen
 * at the start of a pass, so the pass at 120 s queues the node and the 100 ms tainting pass at
 * 120 s adds unreachable:NoExecute at once (the zone's bucket is full).  The pod tolerates it for
 * 300 s: deleted at 420 s exactly, replaced on a b node.  When a-0 boots at 600 s, its new kubelet
 * finishes the deletion, the node is Ready again and loses its taint. */
static void
test_crash (void)
{
  Run r = { 0 };
  g_autoptr (KsPod) pod = NULL;
  g_autoptr (KsPod) later = NULL;
  g_autoptr (GPtrArray) pods = NULL;
  const KsTestRecord *e;
  KsUid uid;

  run_start (&r, 1, WEB,
             "  - {at: 61s, failNode: {name: a-0}}\n"
             "  - {at: 10m, recoverNode: {name: a-0}}\n");
  run_to (&r, 60 * SEC);
  pod = web_pod_on (&r, "a-0");
  g_assert_nonnull (pod);
  g_assert_true (ks_pod_is_ready (pod));
  uid = KS_OBJECT (pod)->meta.uid;
  pod_clear (&pod);

  run_to (&r, 115 * SEC - 1);
  g_assert_cmpint (node_ready (&r, "a-0"), ==, KS_CONDITION_TRUE);
  g_assert_nonnull (ks_sim_get_node_runtime (r.sim, "b-0"));
  g_assert_null (ks_sim_get_node_runtime (r.sim, "a-0"));
  run_to (&r, 115 * SEC);
  g_assert_cmpint (node_ready (&r, "a-0"), ==, KS_CONDITION_UNKNOWN);
  e = ks_test_sink_find (&r.sink, "NodeNotReady", "Node a-0 status is now: NodeNotReady", 0);
  g_assert_nonnull (e);
  g_assert_cmpint (e->time, ==, 115 * SEC);
  pod = web_pod_on (&r, "a-0");
  g_assert_false (ks_pod_is_ready (pod));
  pod_clear (&pod);

  run_to (&r, 120 * SEC - 1);
  g_assert_cmpint (no_execute_taint (&r, "a-0", UNREACHABLE), ==, KS_TIME_NONE);
  run_to (&r, 120 * SEC);
  g_assert_cmpint (no_execute_taint (&r, "a-0", UNREACHABLE), ==, 120 * SEC);

  run_to (&r, 420 * SEC - 1);
  pod = web_pod_on (&r, "a-0");
  g_assert_false (ks_object_is_being_deleted (KS_OBJECT (pod)));
  pod_clear (&pod);
  g_assert_null (ks_test_sink_find (&r.sink, "TaintManagerEviction", NULL, 0));
  run_to (&r, 420 * SEC);
  pod = web_pod_on (&r, "a-0");
  g_assert_true (ks_object_is_being_deleted (KS_OBJECT (pod)));
  g_assert_true (ks_uid_equal (&KS_OBJECT (pod)->meta.uid, &uid));
  pod_clear (&pod);
  e = ks_test_sink_find (&r.sink, "TaintManagerEviction", "Marking for deletion Pod default/web-",
                         0);
  g_assert_nonnull (e);
  g_assert_cmpint (e->time, ==, 420 * SEC);
  /* The replacement, Ready after the 2 s start. */
  run_to (&r, 422 * SEC);
  pods = web_pods (&r);
  g_assert_cmpuint (pods->len, ==, 2);
  for (guint i = 0; i < pods->len; i++)
    {
      KsPod *p = g_ptr_array_index (pods, i);
      if (g_strcmp0 (p->node_name, "a-0") != 0)
        {
          g_assert_true (g_str_has_prefix (p->node_name, "b-"));
          g_assert_true (ks_pod_is_ready (p));
        }
    }
  g_clear_pointer (&pods, g_ptr_array_unref);

  /* The node comes back: the Terminating pod goes, the taint goes at the next pass. */
  run_to (&r, 600 * SEC);
  g_assert_nonnull (ks_test_sink_find (&r.sink, "RecoverNode", "node a-0 recovered", 600 * SEC));
  g_assert_cmpint (node_ready (&r, "a-0"), ==, KS_CONDITION_TRUE);
  run_to (&r, 606 * SEC);
  later = web_pod_on (&r, "a-0");
  g_assert_null (later);
  g_assert_cmpint (no_execute_taint (&r, "a-0", UNREACHABLE), ==, KS_TIME_NONE);
  pods = web_pods (&r);
  g_assert_cmpuint (pods->len, ==, 1);
  ks_test_sim_clear (&r);
}

/* A partition that heals before the eviction: the pod never stops (same object, no restart), the
 * control plane marks it not ready meanwhile, and after the heal at 200 s the kubelet posts its
 * status again (Ready), the node is Ready at its next 10 s status check (200 s) and loses the
 * taint at the next monitor pass. */
static void
test_partition_healed (void)
{
  Run r = { 0 };
  g_autoptr (KsPod) before = NULL;
  g_autoptr (KsPod) during = NULL;
  g_autoptr (KsPod) after = NULL;

  run_start (&r, 1, WEB,
             "  - {at: 61s, partitionNode: {name: a-0}}\n"
             "  - {at: 200s, healPartition: {name: a-0}}\n");
  run_to (&r, 60 * SEC);
  before = web_pod_on (&r, "a-0");
  g_assert_nonnull (before);
  run_to (&r, 120 * SEC);
  /* As for a crash: same heartbeat, same times. */
  g_assert_cmpint (node_ready (&r, "a-0"), ==, KS_CONDITION_UNKNOWN);
  g_assert_cmpint (no_execute_taint (&r, "a-0", UNREACHABLE), ==, 120 * SEC);
  g_assert_nonnull (ks_sim_get_node_runtime (r.sim, "a-0")); /* it still runs */
  during = web_pod_on (&r, "a-0");
  g_assert_false (ks_pod_is_ready (during));
  g_assert_nonnull (ks_test_sink_find (&r.sink, "PartitionNode", "node a-0 partitioned", 61 * SEC));

  run_to (&r, 200 * SEC);
  g_assert_cmpint (node_ready (&r, "a-0"), ==, KS_CONDITION_TRUE);
  run_to (&r, 205 * SEC);
  g_assert_cmpint (no_execute_taint (&r, "a-0", UNREACHABLE), ==, KS_TIME_NONE);
  after = web_pod_on (&r, "a-0");
  g_assert_nonnull (after);
  g_assert_true (ks_uid_equal (&KS_OBJECT (after)->meta.uid, &KS_OBJECT (before)->meta.uid));
  g_assert_true (ks_pod_is_ready (after));
  g_assert_false (ks_object_is_being_deleted (KS_OBJECT (after)));
  g_assert_cmpint (after->container_statuses[0].restart_count, ==, 0);
  /* The scheduled deletion was cancelled: never evicted, never replaced. */
  g_assert_nonnull (
      ks_test_sink_find (&r.sink, "TaintManagerEviction", "Cancelling deletion of Pod", 0));
  run_to (&r, 600 * SEC);
  g_assert_null (ks_test_sink_find (&r.sink, "TaintManagerEviction", "Marking for deletion", 0));
  g_assert_null (ks_test_sink_find (&r.sink, "SuccessfulCreate", NULL, 1 * SEC));
  ks_test_sim_clear (&r);
}

/* A partition longer than the grace and tolerationSeconds: the pod is marked for deletion at
 * 420 s and replaced, but keeps running on a-0 (Terminating) since no kubelet confirms; when the
 * partition heals at 500 s the kubelet learns of the deletion, stops the container and removes
 * the pod. */
static void
test_partition_evicted (void)
{
  Run r = { 0 };
  g_autoptr (KsPod) pod = NULL;
  g_autoptr (GPtrArray) pods = NULL;

  run_start (&r, 1, WEB,
             "  - {at: 61s, partitionNode: {name: a-0}}\n"
             "  - {at: 500s, healPartition: {name: a-0}}\n");
  run_to (&r, 499 * SEC);
  pod = web_pod_on (&r, "a-0");
  g_assert_nonnull (pod);
  g_assert_true (ks_object_is_being_deleted (KS_OBJECT (pod)));
  g_assert_cmpint (KS_OBJECT (pod)->meta.deletion_timestamp, >=, 420 * SEC);
  g_assert_cmpint (pod->phase, ==, KS_POD_RUNNING);
  pod_clear (&pod);
  pods = web_pods (&r);
  g_assert_cmpuint (pods->len, ==, 2);
  g_clear_pointer (&pods, g_ptr_array_unref);
  /* The kubelet stops the container within the grace period (30 s) and removes the pod. */
  run_to (&r, 531 * SEC);
  pod = web_pod_on (&r, "a-0");
  g_assert_null (pod);
  pods = web_pods (&r);
  g_assert_cmpuint (pods->len, ==, 1);
  g_assert_nonnull (ks_test_sink_find (&r.sink, "Killing", "Stopping container web", 500 * SEC));
  ks_test_sim_clear (&r);
}

/* A pod whose container ends during a partition: the kubelet's status write fails then, and its
 * status manager writes the pod's last status when the partition heals, so the pod is
 * Succeeded after it (not Running forever). */
static void
test_partition_status_held (void)
{
  Run r = { 0 };
  g_autoptr (KsObject) pod = NULL;
  KsClient *client;

  run_start (&r, 1,
             "  - {apiVersion: v1, kind: Pod, metadata: {name: job,\n"
             "      annotations: {kubesim.io/duration: 60s}},\n"
             "    spec: {nodeName: a-0, restartPolicy: Never,\n"
             "      containers: [{name: main, image: busybox}]}}\n",
             "  - {at: 30s, partitionNode: {name: a-0}}\n"
             "  - {at: 100s, healPartition: {name: a-0}}\n");
  client = ks_sim_get_client (r.sim);
  run_to (&r, 99 * SEC);
  /* The container ended at 62 s, but the control plane has not heard of it. */
  pod = ks_client_get (client, ks_kind_get (KS_KIND_POD), "default", "job", NULL);
  g_assert_cmpint (KS_POD (pod)->phase, ==, KS_POD_RUNNING);
  g_clear_pointer (&pod, ks_object_unref);
  run_to (&r, 100 * SEC);
  pod = ks_client_get (client, ks_kind_get (KS_KIND_POD), "default", "job", NULL);
  g_assert_cmpint (KS_POD (pod)->phase, ==, KS_POD_SUCCEEDED);
  g_assert_cmpint (KS_POD (pod)->container_statuses[0].state, ==, KS_CONTAINER_TERMINATED);
  g_assert_cmpint (KS_POD (pod)->container_statuses[0].finished_at, ==, 62 * SEC);
  ks_test_sim_clear (&r);
}

/* The scenario's controllers section: with v1.31's 40 s grace the crash at 61 s (last renewal at
 * 60 s) is Unknown at 105 s, tainted at 110 s and the pod deleted at 410 s; a 0.2 nodes/s
 * eviction rate taints a second node 5 s after the first. */
static void
test_controller_settings (void)
{
  Run r = { 0 };
  const KsTestRecord *e;

  run_start (&r, 10, WEB,
             "  - {at: 61s, failNode: {name: a-0}}\n  - {at: 61s, failNode: {name: a-1}}\n"
             "controllers: {nodeMonitorGracePeriod: 40s, nodeEvictionRate: 0.2}\n");
  g_assert_cmpint (r.scenario->controllers->node_monitor_grace_period, ==, 40 * SEC);
  run_to (&r, 105 * SEC - 1);
  g_assert_cmpint (node_ready (&r, "a-0"), ==, KS_CONDITION_TRUE);
  run_to (&r, 105 * SEC);
  g_assert_cmpint (node_ready (&r, "a-0"), ==, KS_CONDITION_UNKNOWN);
  run_to (&r, 420 * SEC);
  g_assert_cmpint (no_execute_taint (&r, "a-0", UNREACHABLE), ==, 110 * SEC);
  g_assert_cmpint (no_execute_taint (&r, "a-1", UNREACHABLE), ==, 115 * SEC);
  e = ks_test_sink_find (&r.sink, "TaintManagerEviction", "Marking for deletion", 0);
  g_assert_nonnull (e);
  g_assert_cmpint (e->time, ==, 410 * SEC);
  ks_test_sim_clear (&r);
}

/* controllers.nodeLifecycle: true runs the heartbeats and the controllers without failures:
 * every node has its Lease, renewed every 10 s, and is registered by the controller. */
static void
test_node_lifecycle_forced (void)
{
  Run r = { 0 };
  g_autoptr (KsObject) lease = NULL;

  run_start (&r, 1, "  []\n", "  []\ncontrollers: {nodeLifecycle: true}\n");
  g_assert_true (r.scenario->node_lifecycle);
  run_to (&r, 25 * SEC);
  lease = ks_client_get (ks_sim_get_client (r.sim), ks_kind_get (KS_KIND_LEASE), "kube-node-lease",
                         "b-1", NULL);
  g_assert_nonnull (lease);
  g_assert_cmpint (KS_LEASE (lease)->renew_time, ==, 20 * SEC);
  g_assert_cmpstr (KS_LEASE (lease)->holder_identity, ==, "b-1");
  g_assert_cmpint (KS_LEASE (lease)->lease_duration_seconds, ==, 40);
  g_assert_nonnull (lease->meta.owner_refs);
  g_assert_cmpstr (lease->meta.owner_refs->refs[0].kind, ==, "Node");
  g_assert_cmpstr (lease->meta.owner_refs->refs[0].name, ==, "b-1");
  g_assert_nonnull (
      ks_test_sink_find (&r.sink, "RegisteredNode", "Registered Node a-0 in Controller", 0));
  ks_test_sim_clear (&r);
}

static gboolean
has_no_schedule_taint (Run *r, const char *name, const char *key)
{
  g_autoptr (KsNode) node = get_node (r, name);

  for (guint i = 0; i < node->n_taints; i++)
    if (node->taints[i].effect == KS_TAINT_NO_SCHEDULE && strcmp (node->taints[i].key, key) == 0)
      return TRUE;
  return FALSE;
}

/* The node's MemoryPressure status, and the Ready condition's lastHeartbeatTime. */
static KsConditionStatus
memory_pressure (Run *r, const char *name, gint64 *heartbeat)
{
  g_autoptr (KsNode) node = get_node (r, name);

  if (heartbeat != NULL)
    *heartbeat = node->conditions[KS_NODE_COND_READY].last_heartbeat_time;
  return node->conditions[KS_NODE_COND_MEMORY_PRESSURE].status;
}

/* With heartbeats, the eviction manager's MemoryPressure goes through the node's status updater
 * (a change is posted at once) and the node lifecycle controller adds the taint by condition; the
 * pressure ends the transition period (5 minutes) after the hog's eviction at 10 s, and the
 * condition and the taint go with it. */
static void
test_memory_pressure_with_heartbeats (void)
{
  Run r = { 0 };
  gint64 heartbeat = 0;

  run_start (&r, 1,
             "  - {apiVersion: v1, kind: Pod, metadata: {name: hog,\n"
             "      annotations: {kubesim.io/memory-usage: 65486Mi}},\n"
             "    spec: {nodeName: a-0, containers: [{name: main, image: busybox,\n"
             "      resources: {requests: {memory: 64Mi}}}]}}\n",
             "  []\ncontrollers: {nodeLifecycle: true}\n");
  run_to (&r, 10 * SEC);
  g_assert_cmpint (memory_pressure (&r, "a-0", NULL), ==, KS_CONDITION_TRUE);
  g_assert_true (has_no_schedule_taint (&r, "a-0", "node.kubernetes.io/memory-pressure"));
  run_to (&r, 305 * SEC);
  /* The post of the change at 10 s restarted the 5 minutes (nodeStatusReportFrequency counts
   * from the last post): none since. */
  g_assert_cmpint (memory_pressure (&r, "a-0", &heartbeat), ==, KS_CONDITION_TRUE);
  g_assert_cmpint (heartbeat, ==, 10 * SEC);
  g_assert_true (has_no_schedule_taint (&r, "a-0", "node.kubernetes.io/memory-pressure"));
  run_to (&r, 320 * SEC);
  g_assert_cmpint (memory_pressure (&r, "a-0", NULL), ==, KS_CONDITION_FALSE);
  g_assert_false (has_no_schedule_taint (&r, "a-0", "node.kubernetes.io/memory-pressure"));
  ks_test_sim_clear (&r);
}

/* Two nodes of a 10-node zone fail at once: the zone stays Normal (not ready > 2 is needed for a
 * partial disruption), so its token bucket (0.1 nodes/s, burst 1) taints a-0 at 120 s and a-1 one
 * token later, at 130 s. */
static void
test_zone_rate (void)
{
  Run r = { 0 };

  run_start (&r, 10, "  []\n",
             "  - {at: 61s, failNode: {name: a-0}}\n  - {at: 61s, failNode: {name: a-1}}\n");
  run_to (&r, 200 * SEC);
  g_assert_cmpint (node_ready (&r, "a-0"), ==, KS_CONDITION_UNKNOWN);
  g_assert_cmpint (node_ready (&r, "a-1"), ==, KS_CONDITION_UNKNOWN);
  g_assert_cmpint (no_execute_taint (&r, "a-0", UNREACHABLE), ==, 120 * SEC);
  g_assert_cmpint (no_execute_taint (&r, "a-1", UNREACHABLE), ==, 130 * SEC);
  ks_test_sim_clear (&r);
}

/* Six of ten nodes of zone z1 fail: 6 / 10 ≥ 0.55 with more than 2 not ready is a partial
 * disruption, and a zone of at most 50 nodes then taints nothing (rate 0): the pods stay. */
static void
test_zone_partial_disruption (void)
{
  Run r = { 0 };
  g_autoptr (GString) events = g_string_new (NULL);
  g_autoptr (KsPod) pod = NULL;

  for (guint i = 0; i < 6; i++)
    g_string_append_printf (events, "  - {at: 61s, failNode: {name: a-%u}}\n", i);
  run_start (&r, 10, WEB, events->str);
  run_to (&r, 900 * SEC);
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *name = g_strdup_printf ("a-%u", i);
      g_assert_cmpint (node_ready (&r, name), ==, KS_CONDITION_UNKNOWN);
      g_assert_cmpint (no_execute_taint (&r, name, UNREACHABLE), ==, KS_TIME_NONE);
    }
  pod = web_pod_on (&r, "a-0");
  g_assert_nonnull (pod);
  g_assert_false (ks_object_is_being_deleted (KS_OBJECT (pod)));
  g_assert_null (ks_test_sink_find (&r.sink, "TaintManagerEviction", NULL, 0));
  ks_test_sim_clear (&r);
}

/* With node failures the node lifecycle controller registers and forgets the nodes addNodes and
 * removeNodes add and remove, once each, at its next monitor pass (the sim does not record
 * those events itself then). */
static void
test_added_removed (void)
{
  Run r = { 0 };
  const KsTestRecord *e;

  run_start (&r, 1, "  []\n",
             "  - {at: 12s, addNodes: {pool: b, count: 1}}\n"
             "  - {at: 31s, removeNodes: {pool: b, count: 1}}\n"
             "  - {at: 1h, failNode: {name: a-0}}\n");
  run_to (&r, 60 * SEC);
  g_assert_cmpuint (
      ks_test_sink_count (&r.sink, "RegisteredNode", "Registered Node b-2 in Controller"), ==, 1);
  e = ks_test_sink_find (&r.sink, "RegisteredNode", "Registered Node b-2 in Controller", 0);
  g_assert_cmpint (e->time, ==, 15 * SEC);
  g_assert_cmpstr (e->source, ==, "node-controller");
  g_assert_cmpuint (
      ks_test_sink_count (&r.sink, "RemovingNode", "Removing Node b-2 from Controller"), ==, 1);
  e = ks_test_sink_find (&r.sink, "RemovingNode", "Removing Node b-2 from Controller", 0);
  g_assert_cmpint (e->time, ==, 35 * SEC);
  g_assert_cmpuint (ks_test_sink_count (&r.sink, "RemovingNode", "Removing Node"), ==, 1);
  ks_test_sim_clear (&r);
}

/* Node actions in the wrong state fail at run time with ActionFailed. */
static void
test_wrong_state (void)
{
  Run r = { 0 };

  run_start (&r, 1, "  []\n",
             "  - {at: 1s, recoverNode: {name: a-0}}\n  - {at: 2s, healPartition: {name: a-0}}\n"
             "  - {at: 3s, partitionNode: {name: a-0}}\n  - {at: 4s, failNode: {name: a-0}}\n"
             "  - {at: 5s, healPartition: {name: a-0}}\n  - {at: 6s, failNode: {name: a-0}}\n"
             "  - {at: 7s, partitionNode: {name: a-0}}\n");
  run_to (&r, 10 * SEC);
  g_assert_nonnull (
      ks_test_sink_find (&r.sink, "ActionFailed", "the node has not failed", 1 * SEC));
  g_assert_nonnull (
      ks_test_sink_find (&r.sink, "ActionFailed", "the node is not partitioned", 2 * SEC));
  g_assert_nonnull (
      ks_test_sink_find (&r.sink, "ActionFailed", "the node is partitioned", 4 * SEC));
  g_assert_nonnull (ks_test_sink_find (&r.sink, "FailNode", NULL, 6 * SEC));
  g_assert_nonnull (ks_test_sink_find (&r.sink, "ActionFailed", "the node has failed", 7 * SEC));
  ks_test_sim_clear (&r);
}

/* Random failures: each node of pool a fails after a draw of MTBF from its own stream
 * ("failures/0/a-<i>") and comes back after a draw of MTTR from the same stream; the nodes of
 * zone z2 go down together (a partition) after a draw from "failures/1/z2". */
static void
test_random_failures (void)
{
  Run r = { 0 };
  const char *failures
      = "failures:\n"
        "  - {pool: a, mtbf: {distribution: exponential, mean: 1h},\n"
        "     mttr: {distribution: lognormal, median: 10m, sigma: 0.5}}\n"
        "  - {zone: z2, type: partition, mtbf: {distribution: weibull, scale: 2h, shape: 1.5},\n"
        "     mttr: {distribution: exponential, mean: 15m}}\n";
  g_autofree char *events = g_strdup_printf ("  []\n%s", failures);
  const KsFailureModel *pool_model, *zone_model;
  g_autoptr (gsl_rng) zone_rng = ks_rng_new (1, "failures/1/z2");
  gint64 zone_down;
  const KsTestRecord *e;

  run_start (&r, 3, "  []\n", events);
  g_assert_true (r.scenario->node_lifecycle);
  g_assert_cmpuint (r.scenario->failures->len, ==, 2);
  pool_model = g_ptr_array_index (r.scenario->failures, 0);
  zone_model = g_ptr_array_index (r.scenario->failures, 1);
  g_assert_cmpint (pool_model->mtbf.kind, ==, KS_DIST_EXPONENTIAL);
  g_assert_cmpfloat (pool_model->mtbf.a, ==, 3600.0 * SEC);
  g_assert_cmpint (zone_model->mtbf.kind, ==, KS_DIST_WEIBULL);
  g_assert_true (zone_model->partition);
  zone_down = ks_distribution_sample (&zone_model->mtbf, zone_rng);
  run_to (&r, 6 * 3600 * SEC);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *node = g_strdup_printf ("a-%u", i);
      g_autofree char *stream = g_strdup_printf ("failures/0/%s", node);
      g_autofree char *failed = g_strdup_printf ("node %s failed", node);
      g_autofree char *recovered = g_strdup_printf ("node %s recovered", node);
      g_autoptr (gsl_rng) rng = ks_rng_new (1, stream);
      gint64 down = ks_distribution_sample (&pool_model->mtbf, rng);
      gint64 repair = ks_distribution_sample (&pool_model->mttr, rng);
      if (down > 5 * 3600 * SEC)
        continue;
      e = ks_test_sink_find (&r.sink, "FailNode", failed, 0);
      g_assert_nonnull (e);
      g_assert_cmpint (e->time, ==, down);
      e = ks_test_sink_find (&r.sink, "RecoverNode", recovered, 0);
      g_assert_nonnull (e);
      g_assert_cmpint (e->time, ==, down + repair);
    }
  g_assert_cmpint (zone_down, <, 5 * 3600 * SEC);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *text = g_strdup_printf ("node b-%u partitioned", i);
      e = ks_test_sink_find (&r.sink, "PartitionNode", text, 0);
      g_assert_nonnull (e);
      g_assert_cmpint (e->time, ==, zone_down);
    }
  ks_test_sim_clear (&r);
}

/* A node addNodes adds to a pool with a failure model fails too, a draw of its own stream after
 * it was added. */
static void
test_random_failures_added (void)
{
  Run r = { 0 };
  const KsFailureModel *m;
  g_autoptr (gsl_rng) rng = ks_rng_new (1, "failures/0/a-1");
  const KsTestRecord *e;
  gint64 down;

  run_start (&r, 1, "  []\n",
             "  - {at: 1s, addNodes: {pool: a, count: 1}}\n"
             "failures:\n"
             "  - {pool: a, mtbf: {distribution: exponential, mean: 10m},\n"
             "     mttr: {distribution: exponential, mean: 1m}}\n");
  m = g_ptr_array_index (r.scenario->failures, 0);
  down = 1 * SEC + ks_distribution_sample (&m->mtbf, rng);
  g_assert_cmpint (down, <, 3600 * SEC);
  run_to (&r, 3600 * SEC);
  e = ks_test_sink_find (&r.sink, "FailNode", "node a-1 failed", 0);
  g_assert_nonnull (e);
  g_assert_cmpint (e->time, ==, down);
  ks_test_sim_clear (&r);
}

static KsObject *
get_pod (KsClient *client, const char *name)
{
  return ks_client_get (client, ks_kind_get (KS_KIND_POD), "default", name, NULL);
}

/* The pod garbage collector, with the threshold at 2: four pods finish, and the pass at 20 s
 * deletes the two oldest by creation; a pod bound to a Node deleted at 5 s is seen by the pass at
 * 20 s, quarantined for 40 s and deleted by the pass at 60 s. */
static void
test_pod_gc (void)
{
  KsSimClock *sim = ks_sim_clock_new ();
  KsClock *clock = ks_sim_clock_get_clock (sim);
  KsStore *store = ks_store_new (clock, 1);
  KsClient *client = ks_store_client_new (store);
  KsControllerManager *manager;
  KsControllerOptions options;
  KsTestSink sink;

  ks_test_sink_init (&sink);
  ks_controller_options_init (&options);
  g_assert_true (options.pod_gc);
  g_assert_cmpint (options.terminated_pod_gc_threshold, ==, 12500);
  options.terminated_pod_gc_threshold = 2;
  manager = ks_controller_manager_new_full (client, clock, &sink.parent, &options);
  ks_test_create (store, KS_OBJECT (ks_namespace_new ("default")));
  ks_test_create (store, KS_OBJECT (ks_node_new ("n1")));
  for (guint i = 1; i <= 5; i++)
    {
      g_autofree char *yaml = g_strdup_printf ("{apiVersion: v1, kind: Pod, metadata: {name: p%u},"
                                               " spec: {containers: [{name: c, image: busybox}]}}",
                                               i);
      KsObject *pod = ks_test_create (store, ks_test_decode (yaml));
      g_assert_true (ks_client_bind (client, KS_POD (pod), "n1", NULL));
      ks_test_run_to (sim, i * SEC, 100000);
    }
  /* p1-p4 finish, newest first (the oldest by creation go, not the first to end); p5 runs on. */
  for (guint i = 4; i >= 1; i--)
    {
      g_autofree char *name = g_strdup_printf ("p%u", i);
      g_autoptr (KsObject) pod = get_pod (client, name);
      KsPod *copy = ks_pod_copy (KS_POD (pod));
      KsObject *updated;
      copy->phase = KS_POD_SUCCEEDED;
      updated = ks_client_update_status (client, KS_OBJECT (copy), NULL);
      g_assert_nonnull (updated);
      ks_object_unref (updated);
      ks_object_unref (KS_OBJECT (copy));
    }
  g_assert_true (ks_client_delete (client, ks_kind_get (KS_KIND_NODE), NULL, "n1", NULL, NULL));
  ks_test_run_to (sim, 20 * SEC - 1, 100000);
  for (guint i = 1; i <= 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("p%u", i);
      g_autoptr (KsObject) pod = get_pod (client, name);
      g_assert_nonnull (pod);
    }
  ks_test_run_to (sim, 20 * SEC, 100000);
  {
    g_autoptr (KsObject) p1 = get_pod (client, "p1");
    g_autoptr (KsObject) p2 = get_pod (client, "p2");
    g_autoptr (KsObject) p3 = get_pod (client, "p3");
    g_assert_null (p1);
    g_assert_null (p2);
    g_assert_nonnull (p3);
  }
  /* The orphans (p3, p4 terminated, p5 running) go at the pass at 60 s. */
  ks_test_run_to (sim, 60 * SEC - 1, 100000);
  {
    g_autoptr (KsObject) p5 = get_pod (client, "p5");
    g_assert_nonnull (p5);
    g_assert_cmpint (KS_POD (p5)->phase, !=, KS_POD_FAILED);
  }
  ks_test_run_to (sim, 60 * SEC, 100000);
  for (guint i = 3; i <= 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("p%u", i);
      g_autoptr (KsObject) pod = get_pod (client, name);
      g_assert_null (pod);
    }
  ks_controller_manager_free (manager);
  ks_client_free (client);
  ks_store_free (store);
  ks_sim_clock_free (sim);
  ks_test_sink_clear (&sink);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/node-failure/crash", test_crash);
  g_test_add_func ("/node-failure/partition-healed", test_partition_healed);
  g_test_add_func ("/node-failure/partition-evicted", test_partition_evicted);
  g_test_add_func ("/node-failure/partition-status-held", test_partition_status_held);
  g_test_add_func ("/node-failure/controller-settings", test_controller_settings);
  g_test_add_func ("/node-failure/node-lifecycle-forced", test_node_lifecycle_forced);
  g_test_add_func ("/node-failure/memory-pressure", test_memory_pressure_with_heartbeats);
  g_test_add_func ("/node-failure/zone-rate", test_zone_rate);
  g_test_add_func ("/node-failure/zone-partial-disruption", test_zone_partial_disruption);
  g_test_add_func ("/node-failure/wrong-state", test_wrong_state);
  g_test_add_func ("/node-failure/added-removed", test_added_removed);
  g_test_add_func ("/node-failure/pod-gc", test_pod_gc);
  g_test_add_func ("/node-failure/random", test_random_failures);
  g_test_add_func ("/node-failure/random-added", test_random_failures_added);
  return g_test_run ();
}
