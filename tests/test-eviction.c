/* test-eviction.c: node-pressure eviction (reference §5.4; src/kubelet/ks-eviction.h) in a whole
 * simulated cluster: the memory ranking (usage above request, then priority, then usage −
 * request), critical pods passed over, one eviction per 10 s check, the evicted pod's status,
 * MemoryPressure and its taint until the transition period after the threshold was last met,
 * BestEffort pods refused under pressure, and no checks at all when no pod models memory. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sim/ks-sim.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pod.h"
#include "src/store/ks-store.h"
#include "tests/ks-test.h"

#define SEC KS_USEC_PER_SEC

typedef KsTestSim Run;

static void
run_start (Run *r, const char *text)
{
  ks_test_sim_start (r, FALSE, "%s", text);
}

static void
run_to_ms (Run *r, gint64 ms)
{
  ks_sim_run_until (r->sim, ms * (SEC / 1000), NULL, NULL);
}

static KsPod *
pod (Run *r, const char *name)
{
  KsObject *obj
      = ks_store_get (ks_sim_get_store (r->sim), ks_kind_get (KS_KIND_POD), "default", name);
  g_assert_nonnull (obj);
  return KS_POD (obj);
}

static KsNode *
node (Run *r)
{
  return KS_NODE (
      ks_store_get (ks_sim_get_store (r->sim), ks_kind_get (KS_KIND_NODE), NULL, "node-0"));
}

static gboolean
has_pressure_taint (Run *r)
{
  KsNode *n = node (r);

  for (guint i = 0; i < n->n_taints; i++)
    if (strcmp (n->taints[i].key, "node.kubernetes.io/memory-pressure") == 0
        && n->taints[i].effect == KS_TAINT_NO_SCHEDULE)
      return TRUE;
  return FALSE;
}

static KsConditionStatus
pressure (Run *r)
{
  return node (r)->conditions[KS_NODE_COND_MEMORY_PRESSURE].status;
}

/* A bare pod bound to node-0: usage (kubesim.io/memory-usage), memory request ("" for none) and
 * priority class ("" for none). */
static char *
bare_pod (const char *name, const char *usage, const char *request, const char *klass)
{
  return g_strdup_printf (
      "  - {apiVersion: v1, kind: Pod, metadata: {name: %s, annotations: "
      "{kubesim.io/memory-usage: %s}},\n"
      "     spec: {nodeName: node-0, %s%s%s containers: [{name: main, image: busybox%s%s%s}]}}\n",
      name, usage, *klass ? "priorityClassName: " : "", klass, *klass ? "," : "",
      *request ? ", resources: {requests: {memory: " : "", request, *request ? "}}" : "");
}

static const char *header = "kind: Scenario\nduration: 10m\nkubelet: {startup: 1s}\n"
                            "cluster:\n  nodes:\n    - {name: node, count: 1, capacity: "
                            "{cpu: \"8\", memory: 1Gi}}\nobjects:\n"
                            "  - {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, "
                            "metadata: {name: high}, value: 1000}\n";

/* Node 1Gi (1024Mi).  Usage − request:
 *   big-low    500Mi − 50Mi,  priority 0     (exceeds, 450Mi)
 *   small-low  450Mi − 50Mi,  priority 0     (exceeds, 400Mi)
 *   big-high   600Mi − 50Mi,  priority 1000  (exceeds, 550Mi)
 *   crit       700Mi − none,  system-node-critical (exceeds; critical: never evicted)
 *   under      400Mi − 450Mi, priority 0     (does not exceed)
 * Σ 2650Mi.  Checks every 10 s from 10 s, one eviction each:
 *   10 s: available 1024 − 2650 = −1626Mi: big-low (priority 0, largest excess);
 *   20 s: −1126Mi: small-low (priority 0 before big-high's 1000, despite the smaller excess);
 *   30 s: −676Mi: big-high (exceeding before under, despite its priority);
 *   40 s: −76Mi: crit ranks first but is critical: under goes;
 *   50 s: 324Mi available: nothing.
 * MemoryPressure from 10 s; the threshold was last met at 40 s, so it clears at the first check
 * at least 300 s later: 340 s. */
static void
test_rank (void)
{
  Run r = { 0 };
  g_autofree char *a = bare_pod ("big-low", "500Mi", "50Mi", "");
  g_autofree char *b = bare_pod ("small-low", "450Mi", "50Mi", "");
  g_autofree char *c = bare_pod ("big-high", "600Mi", "50Mi", "high");
  g_autofree char *d = bare_pod ("crit", "700Mi", "", "system-node-critical");
  g_autofree char *e = bare_pod ("under", "400Mi", "450Mi", "");
  g_autofree char *text = g_strconcat (header, a, b, c, d, e, "events: []\n", NULL);
  static const char *const order[] = { "big-low", "small-low", "big-high", "under" };
  KsPod *p;
  const KsCondition *dt;

  run_start (&r, text);
  run_to_ms (&r, 9999);
  g_assert_cmpint (pressure (&r), ==, KS_CONDITION_FALSE);
  g_assert_false (has_pressure_taint (&r));
  g_assert_cmpint (pod (&r, "big-low")->phase, ==, KS_POD_RUNNING);
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      gint64 t = (gint64) (i + 1) * 10000;
      run_to_ms (&r, t - 1);
      g_assert_cmpint (pod (&r, order[i])->phase, ==, KS_POD_RUNNING);
      run_to_ms (&r, t);
      g_test_message ("%s at %" G_GINT64_FORMAT " ms", order[i], t);
      g_assert_cmpint (pod (&r, order[i])->phase, ==, KS_POD_FAILED);
      for (guint j = i + 1; j < G_N_ELEMENTS (order); j++)
        g_assert_cmpint (pod (&r, order[j])->phase, ==, KS_POD_RUNNING);
      g_assert_cmpint (pressure (&r), ==, KS_CONDITION_TRUE);
      g_assert_true (has_pressure_taint (&r));
    }
  run_to_ms (&r, 60000);
  g_assert_cmpint (pod (&r, "crit")->phase, ==, KS_POD_RUNNING);

  p = pod (&r, "big-low");
  g_assert_cmpstr (ks_pod_get_status_string (p, KS_POD_REASON), ==, "Evicted");
  g_assert_cmpstr (ks_pod_get_status_string (p, KS_POD_MESSAGE), ==,
                   "The node was low on resource: memory. Threshold quantity: 100Mi, available: "
                   "-1626Mi. Container main was using 500Mi, request is 50Mi, has larger "
                   "consumption of memory. ");
  dt = &p->conditions[KS_POD_COND_DISRUPTION_TARGET];
  g_assert_cmpint (dt->status, ==, KS_CONDITION_TRUE);
  g_assert_cmpstr (dt->reason, ==, "TerminationByKubelet");
  g_assert_cmpint (dt->last_transition_time, ==, 10 * SEC);
  g_assert_cmpint (p->container_statuses[0].state, ==, KS_CONTAINER_TERMINATED);
  /* A container within its request is not named. */
  g_assert_cmpstr (ks_pod_get_status_string (pod (&r, "under"), KS_POD_MESSAGE), ==,
                   "The node was low on resource: memory. Threshold quantity: 100Mi, available: "
                   "-76Mi. ");

  run_to_ms (&r, 339999);
  g_assert_cmpint (pressure (&r), ==, KS_CONDITION_TRUE);
  g_assert_true (has_pressure_taint (&r));
  run_to_ms (&r, 340000);
  g_assert_cmpint (pressure (&r), ==, KS_CONDITION_FALSE);
  g_assert_cmpstr (node (&r)->conditions[KS_NODE_COND_MEMORY_PRESSURE].reason, ==,
                   "KubeletHasSufficientMemory");
  g_assert_false (has_pressure_taint (&r));
  ks_test_sim_clear (&r);
}

/* Under pressure a BestEffort pod is refused at admission; a Burstable one is admitted.  Node
 * 1Gi, one pod using 1000Mi: pressure at 10 s.  Both pods arrive at 15 s, bound to the node. */
static void
test_admission (void)
{
  Run r = { 0 };
  g_autofree char *hog = bare_pod ("hog", "1000Mi", "1000Mi", "");
  g_autofree char *text = g_strconcat (
      header, hog,
      "events:\n"
      "  - {at: 15s, apply: {apiVersion: v1, kind: Pod, metadata: {name: best-effort},\n"
      "     spec: {nodeName: node-0, containers: [{name: c, image: busybox}]}}}\n"
      "  - {at: 15s, apply: {apiVersion: v1, kind: Pod, metadata: {name: burstable},\n"
      "     spec: {nodeName: node-0, containers: [{name: c, image: busybox, resources: "
      "{requests: {memory: 1Mi}}}]}}}\n",
      NULL);
  KsPod *p;

  run_start (&r, text);
  run_to_ms (&r, 10000);
  g_assert_cmpint (pressure (&r), ==, KS_CONDITION_TRUE);
  /* The only pod is within its request, but it is still evicted: the threshold is met. */
  g_assert_cmpint (pod (&r, "hog")->phase, ==, KS_POD_FAILED);
  run_to_ms (&r, 20000);
  p = pod (&r, "best-effort");
  g_assert_cmpint (p->phase, ==, KS_POD_FAILED);
  g_assert_cmpstr (ks_pod_get_status_string (p, KS_POD_REASON), ==, "Evicted");
  g_assert_cmpstr (ks_pod_get_status_string (p, KS_POD_MESSAGE), ==,
                   "Pod was rejected: The node had condition: [MemoryPressure]. ");
  g_assert_cmpint (pod (&r, "burstable")->phase, ==, KS_POD_RUNNING);
  ks_test_sim_clear (&r);
}

/* A node that fails under memory pressure comes back (recoverNode): the new kubelet registers
 * with MemoryPressure False (its eviction manager knows of no pressure before its first check),
 * and the node lifecycle controller, which runs in a scenario with node failures, takes the
 * taint away at once.  Node 1Gi, "hog" using 1000Mi: pressure at 10 s (and hog evicted);
 * failNode at 15 s (the condition stays as the kubelet left it), recoverNode at 30 s. */
static void
test_recovered_node (void)
{
  Run r = { 0 };
  g_autofree char *hog = bare_pod ("hog", "1000Mi", "1000Mi", "");
  g_autofree char *text = g_strconcat (header, hog,
                                       "events:\n  - {at: 15s, failNode: {name: node-0}}\n"
                                       "  - {at: 30s, recoverNode: {name: node-0}}\n",
                                       NULL);

  run_start (&r, text);
  run_to_ms (&r, 10000);
  g_assert_true (has_pressure_taint (&r));
  run_to_ms (&r, 29999);
  g_assert_cmpint (pressure (&r), ==, KS_CONDITION_TRUE);
  g_assert_true (has_pressure_taint (&r));
  run_to_ms (&r, 30000);
  g_assert_cmpint (pressure (&r), ==, KS_CONDITION_FALSE);
  g_assert_false (has_pressure_taint (&r));
  run_to_ms (&r, 40000);
  g_assert_false (has_pressure_taint (&r));
  g_assert_cmpint (pressure (&r), ==, KS_CONDITION_FALSE);
  ks_test_sim_clear (&r);
}

/* A leak crosses the threshold: one pod (no limit, no request) growing 100Mi a minute from its
 * start at 1 s on a 1Gi node.  memory.available < 100Mi once the usage is over 924Mi, after
 * 554.4 s of growth; the check at 550 s finds 109Mi available, the one at 560 s
 * 1073741824 − floor(104857600 × 559 / 60) = 96818518 bytes: evicted then. */
static void
test_growth (void)
{
  Run r = { 0 };
  g_autofree char *text
      = g_strconcat (header,
                     "  - {apiVersion: v1, kind: Pod, metadata: {name: leak, annotations: "
                     "{kubesim.io/memory-growth: 100Mi/1m}},\n"
                     "     spec: {nodeName: node-0, containers: [{name: main, image: busybox}]}}\n"
                     "events: []\n",
                     NULL);

  run_start (&r, text);
  run_to_ms (&r, 559999);
  g_assert_cmpint (pod (&r, "leak")->phase, ==, KS_POD_RUNNING);
  g_assert_cmpint (pressure (&r), ==, KS_CONDITION_FALSE);
  run_to_ms (&r, 560000);
  g_assert_cmpint (pod (&r, "leak")->phase, ==, KS_POD_FAILED);
  g_assert_cmpint (pressure (&r), ==, KS_CONDITION_TRUE);
  g_assert_cmpstr (ks_pod_get_status_string (pod (&r, "leak"), KS_POD_MESSAGE), ==,
                   "The node was low on resource: memory. Threshold quantity: 100Mi, available: "
                   "96818518. Container main was using 976923306, request is 0, has larger "
                   "consumption of memory. ");
  ks_test_sim_clear (&r);
}

/* Without any memory-usage annotation no eviction manager runs: the same node and pods, minus
 * the annotations, process no check events.  The count of processed events of a run with a
 * 1-pod cluster and no annotation stays the same over 10 minutes of nothing happening. */
static void
test_off_without_model (void)
{
  Run r = { 0 };
  g_autofree char *text = g_strconcat (header,
                                       "  - {apiVersion: v1, kind: Pod, metadata: {name: p},\n"
                                       "     spec: {nodeName: node-0, containers: [{name: main, "
                                       "image: busybox}]}}\nevents: []\n",
                                       NULL);
  guint64 before;

  run_start (&r, text);
  run_to_ms (&r, 60000);
  before = ks_sim_get_events_processed (r.sim);
  run_to_ms (&r, 600000);
  g_assert_cmpuint (ks_sim_get_events_processed (r.sim), ==, before);
  g_assert_cmpint (pressure (&r), ==, KS_CONDITION_FALSE);
  ks_test_sim_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/eviction/rank", test_rank);
  g_test_add_func ("/eviction/admission", test_admission);
  g_test_add_func ("/eviction/recovered-node", test_recovered_node);
  g_test_add_func ("/eviction/growth", test_growth);
  g_test_add_func ("/eviction/off-without-model", test_off_without_model);
  return g_test_run ();
}
