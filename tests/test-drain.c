/* test-drain.c: the scenario actions cordon, uncordon and drain in a whole simulated cluster
 * (sim/ks-sim.h, with modelled kubelets starting containers in 2 s): the node's
 * spec.unschedulable and taint, pods replaced elsewhere by their ReplicaSet after a drain, the
 * evicted pods' DisruptionTarget condition (none on refused ones), a
 * PodDisruptionBudget holding a drain until replacements are Ready (evictions retried every
 * 5 s), the drain's timeout, pods no controller manages, addNodes and removeNodes.  Each test
 * writes a scenario to a temporary directory, runs it to chosen times and reads the store and the
 * events. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sim/ks-sim.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pdb.h"
#include "src/api/ks-pod.h"
#include "tests/ks-test.h"

#define SEC KS_USEC_PER_SEC

typedef KsTestSim Run;

/* A Deployment "web" of replicas pods (grace period grace seconds) and extra objects. */
static char *
deployment (int replicas, int grace)
{
  return g_strdup_printf ("  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: web},\n"
                          "    spec: {replicas: %d, selector: {matchLabels: {app: web}},\n"
                          "      template: {metadata: {labels: {app: web}},\n"
                          "        spec: {terminationGracePeriodSeconds: %d, containers: [{name: "
                          "web, image: web,\n"
                          "          resources: {requests: {cpu: 100m, memory: 64Mi}}}]}}}}\n",
                          replicas, grace);
}

/* Load and start a scenario of two nodes (node-0, node-1) with objects (YAML list items) and
 * events (YAML list items). */
static void
run_start (Run *r, const char *objects, const char *events)
{
  ks_test_sim_start (r, TRUE,
                     "kind: Scenario\nduration: 10m\nkubelet: {startup: 2s}\n"
                     "cluster:\n  nodes:\n    - {name: node, count: 2, capacity: {cpu: "
                     "\"16\", memory: 64Gi}}\nobjects:\n%sevents:\n%s",
                     objects, events);
}

static void
run_to_ms (Run *r, gint64 ms)
{
  ks_sim_run_until (r->sim, ms * (SEC / 1000), NULL, NULL);
}

/* Pods not being deleted on node (NULL: any node); of those, *ready are Ready. */
static guint
pods_on (Run *r, const char *node, guint *ready)
{
  g_autoptr (GPtrArray) pods
      = ks_client_list (ks_sim_get_client (r->sim), ks_kind_get (KS_KIND_POD), NULL, NULL);
  guint n = 0;

  if (ready != NULL)
    *ready = 0;
  for (guint i = 0; i < pods->len; i++)
    {
      const KsPod *pod = g_ptr_array_index (pods, i);
      if (ks_object_is_being_deleted (KS_OBJECT (pod)) || ks_pod_is_terminal (pod))
        continue;
      if (node != NULL && g_strcmp0 (pod->node_name, node) != 0)
        continue;
      n++;
      if (ready != NULL && ks_pod_is_ready (pod))
        (*ready)++;
    }
  return n;
}

/* Pods on node, being deleted or not, whose DisruptionTarget condition is True with reason
 * EvictionByEvictionAPI, message "Eviction API: evicting", since at µs; *unmarked counts the
 * others (no DisruptionTarget). */
static guint
marked_on (Run *r, const char *node, gint64 at, guint *unmarked)
{
  g_autoptr (GPtrArray) pods
      = ks_client_list (ks_sim_get_client (r->sim), ks_kind_get (KS_KIND_POD), NULL, NULL);
  guint n = 0;

  *unmarked = 0;
  for (guint i = 0; i < pods->len; i++)
    {
      const KsPod *pod = g_ptr_array_index (pods, i);
      const KsCondition *c = &pod->conditions[KS_POD_COND_DISRUPTION_TARGET];
      if (g_strcmp0 (pod->node_name, node) != 0)
        continue;
      if (c->status != KS_CONDITION_TRUE)
        {
          g_assert_null (c->reason);
          (*unmarked)++;
          continue;
        }
      g_assert_cmpstr (c->reason, ==, "EvictionByEvictionAPI");
      g_assert_cmpstr (c->message, ==, "Eviction API: evicting");
      g_assert_cmpint (c->last_transition_time, ==, at);
      g_assert_true (ks_object_is_being_deleted (KS_OBJECT (pod)));
      n++;
    }
  return n;
}

static KsNode *
get_node (Run *r, const char *name)
{
  return KS_NODE (ks_test_sim_get (r, KS_KIND_NODE, NULL, name));
}

static gboolean
node_unschedulable (Run *r, const char *name)
{
  g_autoptr (KsNode) node = get_node (r, name);
  return node->unschedulable;
}

static gboolean
has_unschedulable_taint (const KsNode *node)
{
  for (guint i = 0; i < node->n_taints; i++)
    if (strcmp (node->taints[i].key, "node.kubernetes.io/unschedulable") == 0
        && node->taints[i].effect == KS_TAINT_NO_SCHEDULE)
      return TRUE;
  return FALSE;
}

/* Cordon sets spec.unschedulable and the NoSchedule taint; pods wait; uncordon lets them
 * schedule at once.  A second cordon says "already cordoned". */
static void
test_cordon_uncordon (void)
{
  Run r = { 0 };
  g_autofree char *web = deployment (2, 0);
  g_autoptr (KsNode) n1 = NULL;
  g_autoptr (KsNode) n2 = NULL;
  guint ready;

  run_start (&r, web,
             "  - {at: 0s, cordon: {name: node-1}}\n  - {at: 0s, cordon: {name: node-0}}\n"
             "  - {at: 5s, cordon: {name: node-0}}\n  - {at: 20s, uncordon: {name: node-0}}\n");
  run_to_ms (&r, 19000);
  n1 = get_node (&r, "node-1");
  g_assert_true (n1->unschedulable);
  g_assert_true (has_unschedulable_taint (n1));
  g_assert_cmpuint (pods_on (&r, NULL, NULL), ==, 2);
  g_assert_cmpuint (pods_on (&r, "node-1", NULL) + pods_on (&r, "node-0", NULL), ==, 0);
  g_assert_nonnull (ks_test_sink_find (&r.sink, "Cordon", "node/node-0 already cordoned", 5 * SEC));
  g_assert_nonnull (
      ks_test_sink_find (&r.sink, "NodeNotSchedulable", "Node node-1 status is now", 0));
  g_assert_nonnull (
      ks_test_sink_find (&r.sink, "FailedScheduling", "2 node(s) were unschedulable", 0));
  run_to_ms (&r, 20000);
  n2 = get_node (&r, "node-0");
  g_assert_false (n2->unschedulable);
  g_assert_false (has_unschedulable_taint (n2));
  g_assert_cmpuint (pods_on (&r, "node-0", &ready), ==, 2);
  g_assert_cmpuint (ready, ==, 0);
  /* Containers start 2 s after the binding. */
  run_to_ms (&r, 22000);
  g_assert_cmpuint (pods_on (&r, "node-0", &ready), ==, 2);
  g_assert_cmpuint (ready, ==, 2);
  g_assert_nonnull (ks_test_sink_find (&r.sink, "Uncordon", "node/node-0 uncordoned", 20 * SEC));
  g_assert_nonnull (ks_test_sink_find (&r.sink, "NodeSchedulable", NULL, 20 * SEC));
  ks_test_sim_clear (&r);
}

/* Drain without a budget: every pod is evicted at once, with its grace period (3 s); the
 * ReplicaSet replaces them on the other node; "drained" once the pods are gone. */
static void
test_drain_replaced (void)
{
  Run r = { 0 };
  g_autofree char *web = deployment (3, 3);
  const KsTestRecord *e;
  guint ready, unmarked;

  /* Everything starts on node-1: node-0 is cordoned until 5 s. */
  run_start (&r, web,
             "  - {at: 0s, cordon: {name: node-0}}\n  - {at: 5s, uncordon: {name: node-0}}\n"
             "  - {at: 10s, drain: {name: node-1}}\n");
  run_to_ms (&r, 9000);
  g_assert_cmpuint (pods_on (&r, "node-1", &ready), ==, 3);
  g_assert_cmpuint (ready, ==, 3);
  run_to_ms (&r, 10000);
  g_assert_true (node_unschedulable (&r, "node-1"));
  g_assert_cmpuint (pods_on (&r, "node-1", NULL), ==, 0);
  g_assert_cmpuint (pods_on (&r, "node-0", &ready), ==, 3);
  g_assert_cmpuint (ready, ==, 0);
  g_assert_cmpuint (ks_test_sink_count (&r.sink, "Evict", NULL), ==, 3);
  g_assert_null (ks_test_sink_find (&r.sink, "Drain", NULL, 0));
  /* Each evicted pod is marked before its graceful deletion (grace period 3 s: still there). */
  g_assert_cmpuint (marked_on (&r, "node-1", 10 * SEC, &unmarked), ==, 3);
  g_assert_cmpuint (unmarked, ==, 0);
  g_assert_cmpuint (marked_on (&r, "node-0", 10 * SEC, &unmarked), ==, 0);
  g_assert_cmpuint (unmarked, ==, 3);
  /* The grace period: the evicted pods go at 13 s, and then the node is drained. */
  run_to_ms (&r, 12000);
  g_assert_cmpuint (pods_on (&r, "node-0", &ready), ==, 3);
  g_assert_cmpuint (ready, ==, 3);
  g_assert_null (ks_test_sink_find (&r.sink, "Evicted", NULL, 0));
  run_to_ms (&r, 14000);
  g_assert_cmpuint (ks_test_sink_count (&r.sink, "Evicted", NULL), ==, 3);
  e = ks_test_sink_find (&r.sink, "Drain", "node/node-1 drained", 0);
  g_assert_nonnull (e);
  g_assert_cmpint (e->time, ==, 13 * SEC);
  g_assert_null (ks_test_sink_find (&r.sink, "ActionFailed", NULL, 0));
  ks_test_sim_clear (&r);
}

/* minAvailable 2 of 3: one eviction at a time; each waits until the replacement of the previous
 * one is Ready (2 s) and the disruption controller allows a disruption again, found by the next
 * 5 s retry.  Never fewer than 2 Ready pods. */
static void
test_drain_pdb (void)
{
  Run r = { 0 };
  g_autofree char *web = deployment (3, 0);
  g_autofree char *objects = g_strdup_printf (
      "%s  - {apiVersion: policy/v1, kind: PodDisruptionBudget, metadata: {name: web},\n"
      "    spec: {minAvailable: 2, selector: {matchLabels: {app: web}}}}\n",
      web);
  const KsTestRecord *e;
  guint on1[31];

  run_start (&r, objects,
             "  - {at: 0s, cordon: {name: node-0}}\n  - {at: 5s, uncordon: {name: node-0}}\n"
             "  - {at: 10s, drain: {name: node-1}}\n");
  for (guint s = 9; s <= 30; s++)
    {
      guint ready;
      run_to_ms (&r, s * 1000);
      on1[s] = pods_on (&r, "node-1", NULL);
      pods_on (&r, NULL, &ready);
      g_assert_cmpuint (ready, >=, 2);
      if (s == 10)
        {
          g_autoptr (KsObject) obj
              = ks_client_get (ks_sim_get_client (r.sim),
                               ks_kind_get (KS_KIND_POD_DISRUPTION_BUDGET), "default", "web", NULL);
          const KsPodDisruptionBudget *pdb = KS_POD_DISRUPTION_BUDGET (obj);
          guint unmarked;
          g_assert_cmpint (pdb->status.disruptions_allowed, ==, 0);
          /* The evicted pod went at once (grace period 0); the refused ones are not marked. */
          g_assert_cmpuint (marked_on (&r, "node-1", 10 * SEC, &unmarked), ==, 0);
          g_assert_cmpuint (unmarked, ==, 2);
        }
    }
  g_assert_cmpuint (on1[9], ==, 3);
  /* 10 s: one evicted (grace 0: gone at once), two refused; the replacement is Ready at 12 s;
   * the retry at 15 s evicts the second, at 20 s the third. */
  g_assert_cmpuint (on1[10], ==, 2);
  g_assert_cmpuint (on1[14], ==, 2);
  g_assert_cmpuint (on1[15], ==, 1);
  g_assert_cmpuint (on1[19], ==, 1);
  g_assert_cmpuint (on1[20], ==, 0);
  e = ks_test_sink_find (&r.sink, "Drain", "node/node-1 drained", 0);
  g_assert_nonnull (e);
  g_assert_cmpint (e->time, ==, 20 * SEC);
  e = ks_test_sink_find (&r.sink, "EvictionRefused",
                         "(will retry after 5s): Cannot evict pod as it would violate the pod's "
                         "disruption budget.",
                         0);
  g_assert_nonnull (e);
  g_assert_cmpint (e->time, ==, 10 * SEC);
  g_assert_true (e->warning);
  /* 10 s: 2 refused; 15 s: 1 refused. */
  g_assert_cmpuint (ks_test_sink_count (&r.sink, "EvictionRefused", NULL), ==, 3);
  g_assert_cmpuint (pods_on (&r, "node-0", NULL), ==, 3);
  ks_test_sim_clear (&r);
}

/* A budget that never allows a disruption: the drain gives up at its timeout; the pods stay. */
static void
test_drain_timeout (void)
{
  Run r = { 0 };
  g_autofree char *web = deployment (2, 0);
  g_autofree char *objects = g_strdup_printf (
      "%s  - {apiVersion: policy/v1, kind: PodDisruptionBudget, metadata: {name: web},\n"
      "    spec: {maxUnavailable: 0, selector: {matchLabels: {app: web}}}}\n",
      web);
  const KsTestRecord *e;

  run_start (&r, objects,
             "  - {at: 0s, cordon: {name: node-0}}\n"
             "  - {at: 10s, drain: {name: node-1, timeout: 12s}}\n");
  run_to_ms (&r, 21000);
  g_assert_null (ks_test_sink_find (&r.sink, "ActionFailed", NULL, 0));
  run_to_ms (&r, 60000);
  e = ks_test_sink_find (&r.sink, "ActionFailed", NULL, 0);
  g_assert_nonnull (e);
  /* Tries at 10, 15, 20 s; the loop at 25 s finds the deadline (22 s) passed. */
  g_assert_cmpint (e->time, ==, 25 * SEC);
  g_assert_nonnull (strstr (e->message, "unable to drain node \"node-1\" due to error: error "
                                        "when evicting pods/\"web-"));
  g_assert_nonnull (strstr (e->message, "global timeout reached: 12s"));
  g_assert_cmpuint (ks_test_sink_count (&r.sink, "EvictionRefused", NULL), ==, 6);
  g_assert_cmpuint (pods_on (&r, "node-1", NULL), ==, 2);
  g_assert_true (node_unschedulable (&r, "node-1"));
  ks_test_sim_clear (&r);
}

/* A bare pod stops the drain (after the cordon) unless force: true, which deletes it. */
static void
test_drain_bare_pod (void)
{
  static const char *const bare
      = "  - {apiVersion: v1, kind: Pod, metadata: {name: bare}, spec: {nodeName: node-1,\n"
        "      terminationGracePeriodSeconds: 0, containers: [{name: c, image: c}]}}\n";
  Run r = { 0 };
  const KsTestRecord *e;

  run_start (&r, bare, "  - {at: 10s, drain: {name: node-1}}\n");
  run_to_ms (&r, 20000);
  e = ks_test_sink_find (&r.sink, "ActionFailed", NULL, 0);
  g_assert_nonnull (e);
  g_assert_cmpint (e->time, ==, 10 * SEC);
  g_assert_nonnull (strstr (e->message, "unable to drain node \"node-1\" due to error: cannot "
                                        "delete Pods declare no controller (use --force to "
                                        "override): default/bare"));
  g_assert_true (node_unschedulable (&r, "node-1"));
  g_assert_cmpuint (pods_on (&r, "node-1", NULL), ==, 1);
  ks_test_sim_clear (&r);

  memset (&r, 0, sizeof r);
  run_start (&r, bare, "  - {at: 10s, drain: {name: node-1, force: true}}\n");
  run_to_ms (&r, 20000);
  g_assert_null (ks_test_sink_find (&r.sink, "ActionFailed", NULL, 0));
  g_assert_nonnull (ks_test_sink_find (
      &r.sink, "Drain", "Warning: deleting Pods that declare no controller: default/bare", 0));
  e = ks_test_sink_find (&r.sink, "Drain", "node/node-1 drained", 0);
  g_assert_nonnull (e);
  g_assert_cmpint (e->time, ==, 10 * SEC);
  g_assert_cmpuint (pods_on (&r, NULL, NULL), ==, 0);
  ks_test_sim_clear (&r);
}

/* addNodes: a third node of the pool (node-2) takes the pods no cordoned node can; later events
 * may name it. */
static void
test_add_nodes (void)
{
  Run r = { 0 };
  g_autofree char *web = deployment (2, 0);
  g_autoptr (KsNode) n2 = NULL;
  guint ready;

  run_start (&r, web,
             "  - {at: 0s, cordon: {name: node-0}}\n  - {at: 0s, cordon: {name: node-1}}\n"
             "  - {at: 10s, addNodes: {pool: node, count: 1}}\n"
             "  - {at: 20s, cordon: {name: node-2}}\n");
  run_to_ms (&r, 9000);
  g_assert_cmpuint (pods_on (&r, NULL, NULL), ==, 2);
  g_assert_null (
      ks_client_get (ks_sim_get_client (r.sim), ks_kind_get (KS_KIND_NODE), NULL, "node-2", NULL));
  run_to_ms (&r, 10000);
  n2 = get_node (&r, "node-2");
  g_assert_true (ks_node_is_ready (n2));
  g_assert_cmpstr (ks_object_get_label (KS_OBJECT (n2), "kubernetes.io/hostname"), ==, "node-2");
  g_assert_cmpuint (pods_on (&r, "node-2", NULL), ==, 2);
  run_to_ms (&r, 12000);
  g_assert_cmpuint (pods_on (&r, "node-2", &ready), ==, 2);
  g_assert_cmpuint (ready, ==, 2);
  g_assert_nonnull (ks_test_sink_find (&r.sink, "AddNode", "node/node-2 added", 10 * SEC));
  run_to_ms (&r, 20000);
  g_assert_true (node_unschedulable (&r, "node-2"));
  g_assert_null (ks_test_sink_find (&r.sink, "ActionFailed", NULL, 0));
  ks_test_sim_clear (&r);
}

/* removeNodes: the pool's newest nodes (node-3, node-2, added at 0 s) are drained at 10 s (pods
 * evicted with their 3 s grace period, replaced on node-0) and deleted once empty at 13 s.  Asking
 * for more nodes than the pool has fails at run time; a removed node cannot be cordoned. */
static gboolean
node_exists (Run *r, const char *name)
{
  g_autoptr (KsObject) obj
      = ks_client_get (ks_sim_get_client (r->sim), ks_kind_get (KS_KIND_NODE), NULL, name, NULL);
  return obj != NULL;
}

static void
test_remove_nodes (void)
{
  Run r = { 0 };
  g_autofree char *web = deployment (3, 3);
  const KsTestRecord *e;
  guint ready;

  run_start (&r, web,
             "  - {at: 0s, cordon: {name: node-0}}\n  - {at: 0s, cordon: {name: node-1}}\n"
             "  - {at: 0s, addNodes: {pool: node, count: 2}}\n"
             "  - {at: 10s, uncordon: {name: node-0}}\n"
             "  - {at: 10s, removeNodes: {pool: node, count: 2}}\n"
             "  - {at: 20s, removeNodes: {pool: node, count: 3}}\n"
             "  - {at: 30s, cordon: {name: node-3}}\n");
  run_to_ms (&r, 9000);
  g_assert_cmpuint (pods_on (&r, "node-2", NULL) + pods_on (&r, "node-3", NULL), ==, 3);
  run_to_ms (&r, 10000);
  g_assert_true (node_unschedulable (&r, "node-2"));
  g_assert_true (node_unschedulable (&r, "node-3"));
  g_assert_cmpuint (ks_test_sink_count (&r.sink, "Evict", NULL), ==, 3);
  g_assert_cmpuint (pods_on (&r, "node-0", NULL), ==, 3);
  g_assert_null (ks_test_sink_find (&r.sink, "RemoveNode", NULL, 0));
  run_to_ms (&r, 12000);
  g_assert_true (node_exists (&r, "node-3"));
  g_assert_cmpuint (pods_on (&r, "node-0", &ready), ==, 3);
  g_assert_cmpuint (ready, ==, 3);
  run_to_ms (&r, 13000);
  g_assert_false (node_exists (&r, "node-2"));
  g_assert_false (node_exists (&r, "node-3"));
  /* The newest first: node-3 is drained (and removed) before node-2, both at 13 s. */
  e = ks_test_sink_find (&r.sink, "RemoveNode", "node/node-3 removed", 0);
  g_assert_nonnull (e);
  g_assert_cmpint (e->time, ==, 13 * SEC);
  e = ks_test_sink_find (&r.sink, "RemoveNode", "node/node-2 removed", 0);
  g_assert_nonnull (e);
  g_assert_cmpint (e->time, ==, 13 * SEC);
  g_assert_nonnull (
      ks_test_sink_find (&r.sink, "RemovingNode", "Removing Node node-2 from Controller", 0));
  g_assert_cmpuint (ks_test_sink_count (&r.sink, "Evicted", NULL), ==, 3);
  g_assert_null (ks_test_sink_find (&r.sink, "ActionFailed", NULL, 0));
  g_assert_cmpuint (pods_on (&r, NULL, NULL), ==, 3);
  run_to_ms (&r, 30000);
  e = ks_test_sink_find (&r.sink, "ActionFailed",
                         "cannot remove 3 nodes of pool \"node\": it has 2", 0);
  g_assert_nonnull (e);
  g_assert_cmpint (e->time, ==, 20 * SEC);
  g_assert_true (node_exists (&r, "node-1"));
  e = ks_test_sink_find (&r.sink, "ActionFailed", "cordon", 30 * SEC);
  g_assert_nonnull (e);
  g_assert_cmpuint (pods_on (&r, "node-0", &ready), ==, 3);
  g_assert_cmpuint (ready, ==, 3);
  ks_test_sim_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/drain/cordon-uncordon", test_cordon_uncordon);
  g_test_add_func ("/drain/replaced", test_drain_replaced);
  g_test_add_func ("/drain/pdb", test_drain_pdb);
  g_test_add_func ("/drain/timeout", test_drain_timeout);
  g_test_add_func ("/drain/bare-pod", test_drain_bare_pod);
  g_test_add_func ("/drain/add-nodes", test_add_nodes);
  g_test_add_func ("/drain/remove-nodes", test_remove_nodes);
  return g_test_run ();
}
