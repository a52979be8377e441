/* test-preemption.c: preemption and what it needs, against kube-scheduler v1.32 (shared
 * reference kubernetes.md §1.4, §1.10) and the disruption controller (pkg/controller/disruption):
 *
 * - DefaultPreemption's pieces: the number of candidates, the importance order, the five
 *   criteria for choosing a node, the args;
 * - whole PostFilter runs through the framework on hand-built node views: the fewest victims,
 *   PodDisruptionBudget-violating victims reprieved first, eligibility (preemptionPolicy Never, a
 *   terminating victim on the nominated node), the messages appended to the FitError, the
 *   candidates found from the random offset;
 * - filtering with nominated pods (two passes) and the nominated node tried first;
 * - the scheduler on a store: victims get the DisruptionTarget condition, a graceful delete and
 *   the Preempted event, the pod its nominatedNodeName, lower nominations are cleared, and the
 *   pod is bound to its node once the victims are gone;
 * - PodDisruptionBudget decoding and the disruption controller's status.
 *
 * Every expected value is worked out by hand in the comments.  cpu in millicores. */
#include "config.h"

#include <string.h>

#include "policies/ks-builtin-private.h"
#include "policies/ks-policy.h"
#include "sim/ks-sim-clock.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-pdb.h"
#include "src/controllers/ks-controllers.h"
#include "src/ks-rng.h"
#include "src/scheduler/ks-framework.h"
#include "src/scheduler/ks-sched-config.h"
#include "src/scheduler/ks-sched-queue.h"
#include "src/scheduler/ks-scheduler.h"
#include "src/store/ks-client.h"
#include "tests/ks-test.h"

#define SEC KS_USEC_PER_SEC

/* ---- objects ----------------------------------------------------------------------------- */

/* A pod with priority (set in the spec, as admission would) requesting cpu; extra is more of
 * the spec's flow mapping ("preemptionPolicy: Never, ") and labels a flow mapping, or NULL. */
static KsPod *
pod_new (const char *name, gint32 priority, const char *cpu, const char *labels, const char *extra)
{
  g_autofree char *text = g_strdup_printf (
      "apiVersion: v1\nkind: Pod\n"
      "metadata: {name: %s, namespace: default%s%s}\n"
      "spec: {%spriority: %d, containers: [{name: c, image: busybox, "
      "resources: {requests: {cpu: \"%s\"}}}]}\n",
      name, labels ? ", labels: " : "", labels ? labels : "", extra ? extra : "", priority, cpu);
  static guint32 serial;
  KsPod *pod = KS_POD (ks_test_decode (text));

  /* a UID of its own, as the API server gives (the scheduler tells pods apart by UID) */
  serial++;
  memcpy (pod->parent.meta.uid.bytes, &serial, sizeof serial);
  pod->parent.meta.uid.bytes[15] = 0x5a;
  return pod;
}

/* The same, started at start (status.startTime). */
static KsPod *
pod_started (const char *name, gint32 priority, const char *cpu, const char *labels, gint64 start)
{
  KsPod *pod = pod_new (name, priority, cpu, labels, NULL);
  pod->start_time = start;
  return pod;
}

static KsPodDisruptionBudget *
pdb_new (const char *name, const char *selector, gint32 allowed)
{
  g_autofree char *text = g_strdup_printf ("apiVersion: policy/v1\nkind: PodDisruptionBudget\n"
                                           "metadata: {name: %s, namespace: default}\n"
                                           "spec: {minAvailable: 1, selector: %s}\n",
                                           name, selector);
  KsPodDisruptionBudget *pdb = KS_POD_DISRUPTION_BUDGET (ks_test_decode (text));
  pdb->status.disruptions_allowed = allowed;
  return pdb;
}

/* ---- hand-built node views --------------------------------------------------------------- */

typedef struct
{
  GPtrArray *nodes; /* KsNode references */
  GPtrArray *views; /* KsNodeInfo*, node-list order */
} Cluster;

static void
cluster_init (Cluster *c)
{
  c->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  c->views = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_node_info_free);
}

static void
cluster_clear (Cluster *c)
{
  g_ptr_array_unref (c->views);
  g_ptr_array_unref (c->nodes);
}

/* A node of cpu (and 64Gi, 110 pods); spec is a flow mapping or NULL.  Returns its view. */
static KsNodeInfo *
cluster_add_node (Cluster *c, const char *name, const char *cpu, const char *spec)
{
  g_autofree char *text
      = g_strdup_printf ("apiVersion: v1\nkind: Node\nmetadata: {name: %s}\n%s%s%s"
                         "status: {allocatable: {cpu: \"%s\", memory: 64Gi, pods: \"110\"}}\n",
                         name, spec ? "spec: " : "", spec ? spec : "", spec ? "\n" : "", cpu);
  KsNode *node = KS_NODE (ks_test_decode (text));
  KsNodeInfo *ni = g_new0 (KsNodeInfo, 1);

  g_ptr_array_add (c->nodes, node);
  ni->node = node;
  ni->name = ks_intern (name);
  ni->index = c->views->len;
  ks_resources_copy (&ni->allocatable, &node->allocatable);
  ni->unschedulable = node->unschedulable;
  ni->n_taints = node->n_taints;
  ni->pods = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  g_ptr_array_add (c->views, ni);
  return ni;
}

/* Put pod (taken) on view, bound to it. */
static void
view_add (KsNodeInfo *view, KsPod *pod)
{
  pod->node_name = view->name;
  ks_node_info_add_pod (view, pod);
  ks_object_unref (KS_OBJECT (pod));
}

#define VIEWS(c) ((KsNodeInfo *const *) (c)->views->pdata)

/* The objects handed to list_objects. */
static GPtrArray *
list_from (gpointer data, KsKindId kind, const char *ns)
{
  GPtrArray *objects = data;
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);

  for (guint i = 0; objects != NULL && i < objects->len; i++)
    {
      KsObject *obj = g_ptr_array_index (objects, i);
      if (obj->kind->id == kind && (ns == NULL || g_strcmp0 (ns, obj->meta.namespace) == 0))
        g_ptr_array_add (out, ks_object_ref (obj));
    }
  return out;
}

/* The default profile, with DefaultPreemptionArgs args (JSON) when not NULL. */
static KsFramework *
framework_new (const char *args, GPtrArray *objects)
{
  g_autoptr (KsSchedulerConfig) config = ks_scheduler_config_new_default ();
  KsProfileConfig *profile = g_ptr_array_index (config->profiles, 0);
  g_autoptr (GError) error = NULL;
  KsFramework *fw;

  if (args != NULL)
    {
      JsonNode *node = json_from_string (args, &error);
      g_assert_no_error (error);
      g_hash_table_insert (profile->args, g_strdup ("DefaultPreemption"), node);
    }
  fw = ks_framework_new (profile, 0, 1, &error);
  g_assert_no_error (error);
  ks_framework_set_lister (fw, list_from, objects);
  return fw;
}

/* "a, b" of the victims' names. */
static char *
victim_names (const KsScheduleResult *r)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; r->victims != NULL && i < r->victims->len; i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "",
                            KS_OBJECT (g_ptr_array_index (r->victims, i))->meta.name);
  return g_string_free (s, FALSE);
}

/* ---- DefaultPreemption's pieces ---------------------------------------------------------- */

static void
test_num_candidates (void)
{
  /* max(n · pct div 100, abs), at most n */
  g_assert_cmpuint (ks_preemption_num_candidates (10, 100, 1000), ==, 100); /* 100, 100 */
  g_assert_cmpuint (ks_preemption_num_candidates (10, 100, 5000), ==, 500); /* 500 > 100 */
  g_assert_cmpuint (ks_preemption_num_candidates (10, 100, 50), ==, 50);    /* 100 > 50 */
  g_assert_cmpuint (ks_preemption_num_candidates (10, 100, 1999), ==, 199); /* 19990 div 100 */
  g_assert_cmpuint (ks_preemption_num_candidates (0, 1, 1000), ==, 1);      /* 0 → 1 */
  g_assert_cmpuint (ks_preemption_num_candidates (50, 0, 7), ==, 3);        /* 350 div 100 */
  g_assert_cmpuint (ks_preemption_num_candidates (100, 0, 3), ==, 3);       /* all */
  g_assert_cmpuint (ks_preemption_num_candidates (10, 300, 2000), ==, 300); /* 200 < 300 */
}

static void
test_more_important (void)
{
  g_autoptr (KsPod) high = pod_started ("high", 10, "1", NULL, 5 * SEC);
  g_autoptr (KsPod) low_old = pod_started ("low-old", 5, "1", NULL, 1 * SEC);
  g_autoptr (KsPod) low_new = pod_started ("low-new", 5, "1", NULL, 2 * SEC);
  g_autoptr (KsPod) low_none = pod_new ("low-none", 5, "1", NULL, NULL);
  gint64 now = 3 * SEC;

  /* priority first, whatever the start times */
  g_assert_true (ks_preemption_more_important (high, low_old, now));
  g_assert_false (ks_preemption_more_important (low_old, high, now));
  /* equal priority: the earlier start */
  g_assert_true (ks_preemption_more_important (low_old, low_new, now));
  g_assert_false (ks_preemption_more_important (low_new, low_old, now));
  /* a pod not started counts as started now (3 s): after 2 s */
  g_assert_true (ks_preemption_more_important (low_new, low_none, now));
  g_assert_false (ks_preemption_more_important (low_none, low_new, now));
  /* with now at 1 s it is earlier than both */
  g_assert_true (ks_preemption_more_important (low_none, low_new, 1 * SEC - 1));
  /* neither before the other: equal */
  g_assert_false (ks_preemption_more_important (low_old, low_old, now));
}

typedef struct
{
  const char *name;
  guint n_pdb_violations;
  const char *victims; /* "priority@start,priority@start" in seconds, most important first */
} CandidateSpec;

static KsPreemptionCandidate *
candidates_new (const CandidateSpec *specs, guint n)
{
  KsPreemptionCandidate *c = g_new0 (KsPreemptionCandidate, n);

  for (guint i = 0; i < n; i++)
    {
      g_auto (GStrv) items = g_strsplit (specs[i].victims, ",", -1);
      c[i].node = ks_intern (specs[i].name);
      c[i].n_pdb_violations = specs[i].n_pdb_violations;
      c[i].victims = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
      for (guint k = 0; items[k] != NULL && items[k][0] != '\0'; k++)
        {
          gint priority, start;
          g_autofree char *name = g_strdup_printf ("%s-%u", specs[i].name, k);
          g_assert_cmpint (sscanf (items[k], "%d@%d", &priority, &start), ==, 2);
          g_ptr_array_add (c[i].victims, pod_started (name, priority, "1", NULL, start * SEC));
        }
    }
  return c;
}

static void
candidates_free (KsPreemptionCandidate *c, guint n)
{
  for (guint i = 0; i < n; i++)
    g_ptr_array_unref (c[i].victims);
  g_free (c);
}

static const char *
pick (const CandidateSpec *specs, guint n)
{
  KsPreemptionCandidate *c = candidates_new (specs, n);
  const char *chosen = c[ks_preemption_pick_candidate (c, n, 100 * SEC)].node;

  candidates_free (c, n);
  return chosen;
}

static void
test_pick_candidate (void)
{
  /* 1. fewest budget violations, even with more important victims */
  const CandidateSpec violations[] = { { "a", 1, "1@1" }, { "b", 0, "100@1,100@2" } };
  /* 2. lowest priority of the most important victim */
  const CandidateSpec highest[] = { { "a", 0, "50@1" }, { "b", 0, "40@1,40@2,40@3" } };
  /* 3. smallest Σ (priority + 2147483648): a: 2·(10 + 2147483648) = 4294967316;
   *    b: (10 + 2147483648) + (−5 + 2147483648) = 4294967301: b.  With plain sums (20 against
   *    5) b would win too; c shows the shift: c's one victim of 10 sums to 2147483658, the
   *    smallest. */
  const CandidateSpec sum[]
      = { { "a", 0, "10@1,10@2" }, { "b", 0, "10@1,-5@2" }, { "c", 0, "10@9" } };
  /* Negative priorities: two victims of −100 (2·2147483548 = 4294967096) against one of −100
   * (2147483548): the single victim wins; without the shift −200 < −100 would pick two. */
  const CandidateSpec negative[] = { { "two", 0, "-100@1,-100@2" }, { "one", 0, "-100@1" } };
  /* 4. fewest victims: sums equal (a: 10 and 0 shifted = 4294967306; b: 5 + 5 shifted, the
   *    same), a has two, b two: equal; c has the same sum with ... see below */
  const CandidateSpec fewest[] = { { "a", 0, "5@1,5@2" }, { "b", 0, "5@1,5@2,-2147483648@3" } };
  /* b's third victim adds −2147483648 + 2147483648 = 0 to the sum: sums tie, a has fewer. */
  /* 5. latest start of the earliest-started highest-priority victim: a's is 1 s, b's 3 s */
  const CandidateSpec latest[] = { { "a", 0, "7@1,7@9" }, { "b", 0, "7@3,7@4" } };
  /* 6. all equal: the first */
  const CandidateSpec tie[] = { { "x", 0, "7@3" }, { "y", 0, "7@3" } };
  /* A node without victims wins at once. */
  const CandidateSpec none[] = { { "a", 0, "1@1" }, { "free", 2, "" } };

  g_assert_cmpstr (pick (violations, 2), ==, "b");
  g_assert_cmpstr (pick (highest, 2), ==, "b");
  g_assert_cmpstr (pick (sum, 3), ==, "c");
  g_assert_cmpstr (pick (sum, 2), ==, "b");
  g_assert_cmpstr (pick (negative, 2), ==, "one");
  g_assert_cmpstr (pick (fewest, 2), ==, "a");
  g_assert_cmpstr (pick (latest, 2), ==, "b");
  g_assert_cmpstr (pick (tie, 2), ==, "x");
  g_assert_cmpstr (pick (none, 2), ==, "free");
}

static char *
args_error (const char *json)
{
  const KsSchedulerPlugin *p = ks_builtin_scheduler_plugin_lookup ("DefaultPreemption");
  g_autoptr (JsonNode) node = json_from_string (json, NULL);
  g_autoptr (GError) error = NULL;
  gpointer instance = NULL;
  gboolean ok = p->init (node, &instance, &error);

  p->destroy (instance);
  g_assert_true (ok == (error == NULL));
  return ok ? NULL : g_strdup (error->message);
}

static void
test_args (void)
{
  g_autofree char *range = args_error ("{\"minCandidateNodesPercentage\": 101}");
  g_autofree char *negative = args_error ("{\"minCandidateNodesAbsolute\": -1}");
  g_autofree char *zeros
      = args_error ("{\"minCandidateNodesPercentage\": 0, \"minCandidateNodesAbsolute\": 0}");
  g_autofree char *type = args_error ("{\"minCandidateNodesPercentage\": \"10%\"}");
  g_autofree char *unknown = args_error ("{\"minCandidates\": 3}");
  g_autofree char *ok = args_error ("{\"kind\": \"DefaultPreemptionArgs\", "
                                    "\"apiVersion\": \"kubescheduler.config.k8s.io/v1\", "
                                    "\"minCandidateNodesPercentage\": 0}");

  g_assert_cmpstr (range, ==,
                   "minCandidateNodesPercentage: Invalid value: 101: not in valid range [0, 100]");
  g_assert_cmpstr (negative, ==,
                   "minCandidateNodesAbsolute: Invalid value: -1: not in valid range [0, inf)");
  g_assert_cmpstr (zeros, ==,
                   "minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the same "
                   "time as minCandidateNodesAbsolute");
  g_assert_cmpstr (type, ==, "minCandidateNodesPercentage: expected an integer");
  g_assert_cmpstr (unknown, ==,
                   "unknown field \"minCandidates\"; valid fields: minCandidateNodesPercentage, "
                   "minCandidateNodesAbsolute");
  g_assert_null (ok); /* 0 % with the default absolute 100 is valid */
}

/* ---- PostFilter through the framework ---------------------------------------------------- */

/* One node of 4 cpu with p1 (priority 10, 1 cpu), p2 (5, 2 cpu), p3 (1, 1 cpu): full.  A pod of
 * priority 100 asking 2 cpu: all three removed leave 4 free; reprieved most important first:
 * p1 (used 1, free 3 ≥ 2: stays), p2 (used 3, free 1: victim), p3 (used 2, free 2: stays). */
static void
test_victims_minimal (void)
{
  KsFramework *fw = framework_new (NULL, NULL);
  g_autoptr (KsPod) pod = pod_new ("urgent", 100, "2", NULL, NULL);
  g_autofree char *names = NULL;
  KsScheduleResult r;
  KsNodeInfo *n1;
  Cluster c;

  cluster_init (&c);
  n1 = cluster_add_node (&c, "n1", "4", NULL);
  view_add (n1, pod_started ("p1", 10, "1", NULL, 1 * SEC));
  view_add (n1, pod_started ("p2", 5, "2", NULL, 2 * SEC));
  view_add (n1, pod_started ("p3", 1, "1", NULL, 3 * SEC));
  ks_framework_schedule (fw, pod, VIEWS (&c), 1, 10 * SEC, &r);
  names = victim_names (&r);
  g_assert_null (r.node);
  g_assert_true (r.rejected);
  g_assert_true (r.post_filter_ran);
  g_assert_true (r.nominate);
  g_assert_cmpstr (r.nominated, ==, "n1");
  g_assert_cmpstr (names, ==, "p2");
  /* A successful preemption adds nothing to the message. */
  g_assert_cmpstr (r.message, ==, "0/1 nodes are available: 1 Insufficient cpu.");
  /* The cache's view is untouched (the dry run works on copies). */
  g_assert_cmpuint (n1->n_pods, ==, 3);
  g_assert_cmpint (n1->requested.milli_cpu, ==, 4000);
  ks_schedule_result_clear (&r);
  ks_framework_free (fw);
  cluster_clear (&c);
}

/* Two pods of priority 10 and 2 cpu each on a node of 4: a started before b, so a is more
 * important.  A pod of priority 100 asking 2 cpu must evict one. */
static const char *
pdb_case (GPtrArray *pdbs)
{
  KsFramework *fw = framework_new (NULL, pdbs);
  g_autoptr (KsPod) pod = pod_new ("urgent", 100, "2", NULL, NULL);
  g_autofree char *names = NULL;
  KsScheduleResult r;
  KsNodeInfo *n1;
  Cluster c;
  const char *victim;

  cluster_init (&c);
  n1 = cluster_add_node (&c, "n1", "4", NULL);
  view_add (n1, pod_started ("a", 10, "2", "{app: a}", 1 * SEC));
  view_add (n1, pod_started ("b", 10, "2", "{app: b}", 2 * SEC));
  ks_framework_schedule (fw, pod, VIEWS (&c), 1, 10 * SEC, &r);
  names = victim_names (&r);
  g_assert_cmpstr (r.nominated, ==, "n1");
  victim = ks_intern (names);
  ks_schedule_result_clear (&r);
  ks_framework_free (fw);
  cluster_clear (&c);
  return victim;
}

static void
test_victims_pdb_reprieve (void)
{
  g_autoptr (GPtrArray) pdbs = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);

  /* No budget: reprieve a (used 2, fits), then b (used 4: victim). */
  g_assert_cmpstr (pdb_case (pdbs), ==, "b");
  /* b's budget allows 0: b is violating (0 − 1 < 0) and reprieved first (used 2: fits); a then
   * does not fit and is the victim. */
  g_ptr_array_add (pdbs, pdb_new ("b", "{matchLabels: {app: b}}", 0));
  g_assert_cmpstr (pdb_case (pdbs), ==, "a");
  /* A budget of another namespace, or with an empty selector, counts for nothing. */
  g_ptr_array_set_size (pdbs, 0);
  {
    KsPodDisruptionBudget *other = pdb_new ("other", "{matchLabels: {app: b}}", 0);
    other->parent.meta.namespace = ks_intern ("elsewhere");
    g_ptr_array_add (pdbs, other);
    g_ptr_array_add (pdbs, pdb_new ("everything", "{}", 0));
  }
  g_assert_cmpstr (pdb_case (pdbs), ==, "b");
  /* A budget over both allowing 1: a takes it (1 − 1 = 0, not violating), b violates
   * (0 − 1 < 0) and is reprieved first: a is the victim. */
  g_ptr_array_set_size (pdbs, 0);
  g_ptr_array_add (
      pdbs, pdb_new ("both", "{matchExpressions: [{key: app, operator: In, values: [a, b]}]}", 1));
  g_assert_cmpstr (pdb_case (pdbs), ==, "a");
  /* b listed in the budget's disruptedPods is not counted against it: both fit the budget of
   * 1 (a takes it, b is skipped), so the order is importance again and b is the victim. */
  {
    KsPodDisruptionBudget *pdb = g_ptr_array_index (pdbs, 0);
    pdb->status.disrupted_pods = g_new0 (KsDisruptedPod, 1);
    pdb->status.disrupted_pods[0].name = g_strdup ("b");
    pdb->status.disrupted_pods[0].time = 9 * SEC;
    pdb->status.n_disrupted_pods = 1;
  }
  g_assert_cmpstr (pdb_case (pdbs), ==, "b");
}

/* The number of violating victims decides between nodes, before priorities: n0's one victim
 * (priority 10) breaks a budget allowing 0; n1's (priority 50) breaks none; n2 needs both its
 * pods of priority 20 evicted, breaking none.  Criterion 1 keeps n1 and n2, criterion 2 (the
 * most important victim: 50 against 20) picks n2. */
static void
test_node_choice (void)
{
  g_autoptr (GPtrArray) pdbs = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  KsFramework *fw;
  g_autoptr (KsPod) pod = pod_new ("urgent", 100, "4", NULL, NULL);
  g_autofree char *names = NULL;
  KsScheduleResult r;
  Cluster c;

  g_ptr_array_add (pdbs, pdb_new ("x", "{matchLabels: {app: x}}", 0));
  fw = framework_new (NULL, pdbs);
  cluster_init (&c);
  view_add (cluster_add_node (&c, "n0", "4", NULL), pod_started ("x0", 10, "4", "{app: x}", SEC));
  view_add (cluster_add_node (&c, "n1", "4", NULL), pod_started ("y1", 50, "4", NULL, SEC));
  cluster_add_node (&c, "n2", "4", NULL);
  view_add (g_ptr_array_index (c.views, 2), pod_started ("z2b", 20, "2", NULL, 2 * SEC));
  view_add (g_ptr_array_index (c.views, 2), pod_started ("z2a", 20, "2", NULL, 1 * SEC));
  ks_framework_schedule (fw, pod, VIEWS (&c), 3, 10 * SEC, &r);
  names = victim_names (&r);
  g_assert_cmpstr (r.nominated, ==, "n2");
  /* most important first: z2a started earlier */
  g_assert_cmpstr (names, ==, "z2a, z2b");
  ks_schedule_result_clear (&r);
  ks_framework_free (fw);
  cluster_clear (&c);
}

/* The pod does not fit even with every lower-priority pod gone: no candidate, the nomination is
 * cleared, and the dry run's reasons follow "preemption:". */
static void
test_no_candidate (void)
{
  KsFramework *fw = framework_new (NULL, NULL);
  g_autoptr (KsPod) pod = pod_new ("urgent", 100, "2", NULL, NULL);
  KsScheduleResult r;
  Cluster c;
  KsNodeInfo *n1;

  cluster_init (&c);
  n1 = cluster_add_node (&c, "n1", "4", NULL);
  view_add (n1, pod_new ("vip", 1000, "3", NULL, NULL));
  view_add (n1, pod_new ("low", 1, "1", NULL, NULL));
  /* a second node the taint makes Unresolvable: not a candidate, "not helpful" */
  cluster_add_node (&c, "n2", "1", "{taints: [{key: k, value: v, effect: NoSchedule}]}");
  ks_framework_schedule (fw, pod, VIEWS (&c), 2, 10 * SEC, &r);
  g_assert_null (r.victims);
  g_assert_true (r.nominate);
  g_assert_null (r.nominated);
  g_assert_cmpstr (r.message, ==,
                   "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint "
                   "{k: v}. preemption: 0/2 nodes are available: 1 Insufficient cpu, 1 Preemption "
                   "is not helpful for scheduling.");
  ks_schedule_result_clear (&r);
  ks_framework_free (fw);
  cluster_clear (&c);
}

static void
test_never (void)
{
  KsFramework *fw = framework_new (NULL, NULL);
  g_autoptr (KsPod) pod = pod_new ("polite", 100, "2", NULL, "preemptionPolicy: Never, ");
  KsScheduleResult r;
  Cluster c;

  cluster_init (&c);
  view_add (cluster_add_node (&c, "n1", "2", NULL), pod_new ("low", 1, "2", NULL, NULL));
  ks_framework_schedule (fw, pod, VIEWS (&c), 1, 10 * SEC, &r);
  g_assert_null (r.victims);
  g_assert_false (r.nominate); /* the nomination is left as it is */
  g_assert_cmpstr (r.message, ==,
                   "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to "
                   "preemptionPolicy=Never.");
  ks_schedule_result_clear (&r);
  ks_framework_free (fw);
  cluster_clear (&c);
}

/* A pod nominated to n1, where a lower-priority pod is terminating for preemption, waits: it
 * preempts nothing more.  Another reason for the termination does not count. */
static void
test_terminating_on_nominated (void)
{
  KsFramework *fw = framework_new (NULL, NULL);
  g_autoptr (KsPod) pod = pod_new ("urgent", 100, "2", NULL, NULL);
  KsScheduleResult r;
  Cluster c;
  KsPod *victim = pod_new ("victim", 1, "2", NULL, NULL);
  KsPod *other = pod_new ("other", 1, "2", NULL, NULL);

  ks_pod_set_status_string (pod, KS_POD_NOMINATED_NODE_NAME, "n1");
  victim->parent.meta.deletion_timestamp = 5 * SEC;
  ks_pod_set_condition (victim, KS_POD_COND_DISRUPTION_TARGET, KS_CONDITION_TRUE,
                        "PreemptionByScheduler", "default-scheduler: preempting", 5 * SEC);
  other->parent.meta.deletion_timestamp = 5 * SEC;
  ks_pod_set_condition (other, KS_POD_COND_DISRUPTION_TARGET, KS_CONDITION_TRUE,
                        "DeletionByTaintManager", "taint", 5 * SEC);
  cluster_init (&c);
  view_add (cluster_add_node (&c, "n1", "2", NULL), victim);
  view_add (cluster_add_node (&c, "n2", "2", NULL), other);
  ks_framework_schedule (fw, pod, VIEWS (&c), 2, 10 * SEC, &r);
  g_assert_null (r.victims);
  g_assert_false (r.nominate);
  g_assert_cmpstr (r.message, ==,
                   "0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to a "
                   "terminating pod on the nominated node.");
  ks_schedule_result_clear (&r);

  /* Nominated to n2 instead, whose pod is terminating for another reason: eligible. */
  ks_pod_set_status_string (pod, KS_POD_NOMINATED_NODE_NAME, "n2");
  ks_framework_schedule (fw, pod, VIEWS (&c), 2, 10 * SEC, &r);
  g_assert_nonnull (r.victims);
  g_assert_true (r.nominate);
  ks_schedule_result_clear (&r);
  ks_framework_free (fw);
  cluster_clear (&c);
}

/* Three nodes, each full with one pod: of priority 3 on n0, 2 on n1, 1 on n2.  With the default
 * args all three are candidates (k = min(max(3·10 div 100, 100), 3) = 3) and the lowest victim
 * wins: n2.  With minCandidateNodesAbsolute 1 and 0 %, k = 1: the dry run stops at the first
 * candidate, the node at the random offset, drawn from the profile's stream
 * ("scheduler/default-scheduler", seed 1) as uniform [0, 3). */
static void
test_candidates_offset (void)
{
  g_autoptr (gsl_rng) rng = ks_rng_new (1, "scheduler/default-scheduler");
  guint offset = (guint) ks_rng_uniform (rng, 3);
  const char *expected_first = offset == 0 ? "n0" : offset == 1 ? "n1" : "n2";
  g_autoptr (KsPod) pod = pod_new ("urgent", 100, "4", NULL, NULL);
  KsFramework *all = framework_new (NULL, NULL);
  KsFramework *one = framework_new ("{\"minCandidateNodesPercentage\": 0, "
                                    "\"minCandidateNodesAbsolute\": 1}",
                                    NULL);
  KsScheduleResult r;
  Cluster c;

  cluster_init (&c);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *node = g_strdup_printf ("n%u", i);
      g_autofree char *name = g_strdup_printf ("p%u", i);
      view_add (cluster_add_node (&c, node, "4", NULL), pod_new (name, 3 - i, "4", NULL, NULL));
    }
  ks_framework_schedule (all, pod, VIEWS (&c), 3, 10 * SEC, &r);
  g_assert_cmpstr (r.nominated, ==, "n2");
  ks_schedule_result_clear (&r);
  ks_framework_schedule (one, pod, VIEWS (&c), 3, 10 * SEC, &r);
  g_test_message ("offset %u", offset);
  g_assert_cmpstr (r.nominated, ==, expected_first);
  ks_schedule_result_clear (&r);
  ks_framework_free (all);
  ks_framework_free (one);
  cluster_clear (&c);
}

/* ---- nominated pods ---------------------------------------------------------------------- */

typedef struct
{
  KsSimClock *sim;
  KsSchedQueue *queue;
} Nominations;

static gboolean
never_less (gpointer data, const KsQueuedPod *a, const KsQueuedPod *b)
{
  return FALSE;
}

static void
nominations_init (Nominations *n)
{
  n->sim = ks_sim_clock_new ();
  n->queue = ks_sched_queue_new (ks_sim_clock_get_clock (n->sim), never_less, NULL, SEC, 10 * SEC,
                                 NULL, NULL);
}

static void
nominations_clear (Nominations *n)
{
  ks_sched_queue_free (n->queue);
  ks_sim_clock_free (n->sim);
}

/* A node of 4 cpu, empty, with a pod of priority 100 asking 3 cpu nominated to it.  Pass 1 adds
 * it for pods of priority ≤ 100: they see 1 cpu free.  Pods of higher priority do not see it. */
static void
test_nominated_filter (void)
{
  KsFramework *fw = framework_new (NULL, NULL);
  g_autoptr (KsPod) nominated = pod_new ("nominated", 100, "3", NULL, NULL);
  g_autoptr (KsPod) lower = pod_new ("lower", 50, "2", NULL, NULL);
  g_autoptr (KsPod) equal = pod_new ("equal", 100, "2", NULL, NULL);
  g_autoptr (KsPod) higher = pod_new ("higher", 200, "2", NULL, NULL);
  KsNominator *nm;
  KsScheduleResult r;
  Nominations n;
  Cluster c;

  nominations_init (&n);
  nm = ks_sched_queue_get_nominator (n.queue);
  ks_framework_set_nominator (fw, nm);
  cluster_init (&c);
  cluster_add_node (&c, "n1", "4", NULL);
  ks_nominator_add (nm, nominated, "n1");
  g_assert_cmpuint (ks_nominator_count (nm), ==, 1);
  g_assert_cmpstr (ks_nominator_node_of (nm, nominated), ==, "n1");

  ks_framework_schedule (fw, lower, VIEWS (&c), 1, 0, &r);
  g_assert_null (r.node);
  /* no pod on the node to preempt: the space is the nominated pod's */
  g_assert_cmpstr (r.message, ==,
                   "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are "
                   "available: 1 No preemption victims found for incoming pod.");
  ks_schedule_result_clear (&r);
  ks_framework_schedule (fw, equal, VIEWS (&c), 1, 0, &r);
  g_assert_null (r.node);
  ks_schedule_result_clear (&r);
  ks_framework_schedule (fw, higher, VIEWS (&c), 1, 0, &r);
  g_assert_cmpstr (r.node, ==, "n1");
  ks_framework_end_cycle (fw);
  ks_schedule_result_clear (&r);
  /* The nominated pod itself does not count against itself. */
  ks_framework_schedule (fw, nominated, VIEWS (&c), 1, 0, &r);
  g_assert_cmpstr (r.node, ==, "n1");
  ks_framework_end_cycle (fw);
  ks_schedule_result_clear (&r);
  /* The nomination gone, the lower pod fits. */
  ks_nominator_delete (nm, nominated);
  g_assert_cmpuint (ks_nominator_count (nm), ==, 0);
  ks_framework_schedule (fw, lower, VIEWS (&c), 1, 0, &r);
  g_assert_cmpstr (r.node, ==, "n1");
  ks_framework_end_cycle (fw);
  ks_schedule_result_clear (&r);

  ks_framework_free (fw);
  cluster_clear (&c);
  nominations_clear (&n);
}

/* A filter that passes only nodes that already hold a pod: it passes pass 1 (the nominated pod
 * added) but not pass 2 (as the node is), and both must pass. */
static KsStatusCode
company_filter (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *node, KsStatus *status)
{
  if (node->n_pods > 0)
    return KS_STATUS_SUCCESS;
  ks_status_add_reason (status, "node(s) were empty");
  return KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE;
}

static void
test_nominated_two_passes (void)
{
  static const KsSchedulerPlugin company
      = { KS_POLICY_ABI_VERSION, "NeedsCompany", .filter = company_filter };
  g_autoptr (KsSchedulerConfig) config = ks_scheduler_config_new_default ();
  KsProfileConfig *profile = g_ptr_array_index (config->profiles, 0);
  KsPluginEntry entry = { &company, 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (KsPod) nominated = pod_new ("nominated", 100, "1", NULL, NULL);
  g_autoptr (KsPod) pod = pod_new ("pod", 50, "1", NULL, NULL);
  KsScheduleResult r;
  KsFramework *fw;
  Nominations n;
  Cluster c;

  g_array_append_val (profile->points[KS_POINT_FILTER], entry);
  fw = ks_framework_new (profile, 0, 1, &error);
  g_assert_no_error (error);
  nominations_init (&n);
  ks_framework_set_nominator (fw, ks_sched_queue_get_nominator (n.queue));
  ks_nominator_add (ks_sched_queue_get_nominator (n.queue), nominated, "n1");
  cluster_init (&c);
  cluster_add_node (&c, "n1", "4", NULL);
  ks_framework_schedule (fw, pod, VIEWS (&c), 1, 0, &r);
  g_assert_null (r.node);
  g_assert_cmpstr (r.message, ==,
                   "0/1 nodes are available: 1 node(s) were empty. preemption: 0/1 nodes are "
                   "available: 1 Preemption is not helpful for scheduling.");
  ks_schedule_result_clear (&r);
  /* With a pod on the node both passes pass. */
  view_add (g_ptr_array_index (c.views, 0), pod_new ("resident", 0, "1", NULL, NULL));
  ks_framework_schedule (fw, pod, VIEWS (&c), 1, 0, &r);
  g_assert_cmpstr (r.node, ==, "n1");
  ks_framework_end_cycle (fw);
  ks_schedule_result_clear (&r);
  ks_framework_free (fw);
  cluster_clear (&c);
  nominations_clear (&n);
}

/* n1 is empty, n2 half full: LeastAllocated prefers n1.  A pod nominated to n2 goes there,
 * checked alone, without scoring; one nominated to a node it does not fit goes through the
 * usual filter and scores. */
static void
test_nominated_first (void)
{
  KsFramework *fw = framework_new (NULL, NULL);
  g_autoptr (KsPod) pod = pod_new ("pod", 0, "1", NULL, NULL);
  KsScheduleResult r;
  Cluster c;

  cluster_init (&c);
  cluster_add_node (&c, "n1", "4", NULL);
  view_add (cluster_add_node (&c, "n2", "4", NULL), pod_new ("half", 0, "2", NULL, NULL));
  cluster_add_node (&c, "tiny", "500m", NULL);
  ks_framework_schedule (fw, pod, VIEWS (&c), 3, 0, &r);
  g_assert_cmpstr (r.node, ==, "n1");
  g_assert_cmpuint (r.n_evaluated, ==, 3);
  ks_framework_end_cycle (fw);
  ks_schedule_result_clear (&r);

  ks_pod_set_status_string (pod, KS_POD_NOMINATED_NODE_NAME, "n2");
  ks_framework_schedule (fw, pod, VIEWS (&c), 3, 0, &r);
  g_assert_cmpstr (r.node, ==, "n2");
  g_assert_cmpuint (r.n_evaluated, ==, 1);
  g_assert_cmpuint (ks_framework_last_n_score_plugins (fw), ==, 0);
  ks_framework_end_cycle (fw);
  ks_schedule_result_clear (&r);

  ks_pod_set_status_string (pod, KS_POD_NOMINATED_NODE_NAME, "tiny");
  ks_framework_schedule (fw, pod, VIEWS (&c), 3, 0, &r);
  g_assert_cmpstr (r.node, ==, "n1");
  ks_framework_end_cycle (fw);
  ks_schedule_result_clear (&r);

  /* A node that is gone: the usual way. */
  ks_pod_set_status_string (pod, KS_POD_NOMINATED_NODE_NAME, "gone");
  ks_framework_schedule (fw, pod, VIEWS (&c), 3, 0, &r);
  g_assert_cmpstr (r.node, ==, "n1");
  ks_framework_end_cycle (fw);
  ks_schedule_result_clear (&r);
  ks_framework_free (fw);
  cluster_clear (&c);
}

/* A profile without Score plugins takes the first node that fits (numFeasibleNodesToFind 1).
 * A pod nominated to n2, where it does not fit, goes to n0, the first of the walk; the walk
 * checked one node, but n2's failure counts too (processedNodes counts statuses), so the next
 * walk starts at (0 + 2) mod 3 = n2, where the next pod fits.  Counting n0 alone would start it
 * at n1. */
static void
test_nominated_failure_counts (void)
{
  g_autoptr (KsSchedulerConfig) config = ks_scheduler_config_new_default ();
  KsProfileConfig *profile = g_ptr_array_index (config->profiles, 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (KsPod) a = pod_new ("a", 0, "2", NULL, NULL);
  g_autoptr (KsPod) b = pod_new ("b", 0, "500m", NULL, NULL);
  KsScheduleResult r;
  KsFramework *fw;
  Cluster c;

  g_array_set_size (profile->points[KS_POINT_SCORE], 0);
  g_array_set_size (profile->points[KS_POINT_PRE_SCORE], 0);
  fw = ks_framework_new (profile, 0, 1, &error);
  g_assert_no_error (error);
  cluster_init (&c);
  cluster_add_node (&c, "n0", "4", NULL);
  cluster_add_node (&c, "n1", "4", NULL);
  cluster_add_node (&c, "n2", "1", NULL);
  ks_pod_set_status_string (a, KS_POD_NOMINATED_NODE_NAME, "n2");
  ks_framework_schedule (fw, a, VIEWS (&c), 3, 0, &r);
  g_assert_cmpstr (r.node, ==, "n0");
  g_assert_cmpuint (r.n_evaluated, ==, 2);
  ks_framework_end_cycle (fw);
  ks_schedule_result_clear (&r);
  ks_framework_schedule (fw, b, VIEWS (&c), 3, 0, &r);
  g_assert_cmpstr (r.node, ==, "n2");
  ks_framework_end_cycle (fw);
  ks_schedule_result_clear (&r);
  ks_framework_free (fw);
  cluster_clear (&c);
}

/* Node views copied and changed leave the original alone. */
static void
test_node_info_copy (void)
{
  Cluster c;
  KsNodeInfo *n1, *copy;
  g_autoptr (KsPod) extra = pod_new ("extra", 0, "500m", NULL, NULL);

  cluster_init (&c);
  n1 = cluster_add_node (&c, "n1", "4", NULL);
  view_add (n1, pod_new ("a", 0, "1", NULL, NULL));
  view_add (n1, pod_new ("b", 0, "2", NULL, NULL));
  /* non-zero requests: 1000 + 2000 cpu, 2 · 200Mi memory (none requested) */
  g_assert_cmpint (n1->nonzero_milli_cpu, ==, 3000);
  g_assert_cmpint (n1->nonzero_memory, ==, 2 * 200 * 1048576);
  copy = ks_node_info_copy (n1);
  g_assert_true (ks_node_info_remove_pod (copy, g_ptr_array_index (n1->pods, 0)));
  g_assert_false (ks_node_info_remove_pod (copy, extra));
  ks_node_info_add_pod (copy, extra);
  g_assert_cmpuint (copy->n_pods, ==, 2);
  g_assert_cmpstr (KS_OBJECT (g_ptr_array_index (copy->pods, 0))->meta.name, ==, "b");
  g_assert_cmpstr (KS_OBJECT (g_ptr_array_index (copy->pods, 1))->meta.name, ==, "extra");
  g_assert_cmpint (copy->requested.milli_cpu, ==, 2500);
  g_assert_cmpint (copy->nonzero_milli_cpu, ==, 2500);
  g_assert_cmpint (copy->nonzero_memory, ==, 2 * 200 * 1048576);
  g_assert_cmpuint (n1->n_pods, ==, 2);
  g_assert_cmpint (n1->requested.milli_cpu, ==, 3000);
  ks_node_info_free (copy);
  cluster_clear (&c);
}

/* ---- the scheduler on a store ------------------------------------------------------------ */

typedef struct
{
  KsSimClock *sim;
  KsClock *clock;
  KsStore *store;
  KsClient *client;
  KsTestSink sink;
  KsSchedulerConfig *config;
  KsScheduler *scheduler;
  KsControllerManager *manager;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->sim = ks_sim_clock_new ();
  f->clock = ks_sim_clock_get_clock (f->sim);
  f->store = ks_store_new (f->clock, 1);
  f->client = ks_store_client_new (f->store);
  ks_test_sink_init (&f->sink);
  ks_test_create (f->store, KS_OBJECT (ks_namespace_new ("default")));
  ks_test_create (f->store, KS_OBJECT (ks_priority_class_new ("low", 100)));
  ks_test_create (f->store, KS_OBJECT (ks_priority_class_new ("mid", 500)));
  ks_test_create (f->store, KS_OBJECT (ks_priority_class_new ("high", 1000)));
  f->config = ks_scheduler_config_new_default ();
  if (data == NULL)
    {
      f->scheduler = ks_scheduler_new (f->client, f->clock, f->config, &f->sink.parent, 1, &error);
      g_assert_no_error (error);
    }
  else
    f->manager = ks_controller_manager_new (f->client, f->clock, &f->sink.parent);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ks_controller_manager_free (f->manager);
  ks_scheduler_free (f->scheduler);
  ks_scheduler_config_free (f->config);
  ks_client_free (f->client);
  ks_store_free (f->store);
  ks_sim_clock_free (f->sim);
  ks_test_sink_clear (&f->sink);
}

static void
run_to (Fixture *f, gint64 t)
{
  ks_sim_clock_run_until (f->sim, t);
}

static void
create (Fixture *f, const char *yaml)
{
  ks_test_create (f->store, ks_test_decode (yaml));
}

static KsPod *
get_pod (Fixture *f, const char *name)
{
  return KS_POD (ks_store_get (f->store, ks_kind_get (KS_KIND_POD), "default", name));
}

/* A pod of class asking cpu. */
static void
create_pod (Fixture *f, const char *name, const char *class, const char *cpu, const char *extra)
{
  g_autofree char *text = g_strdup_printf ("apiVersion: v1\nkind: Pod\n"
                                           "metadata: {name: %s, labels: {app: %s}}\n"
                                           "spec: {priorityClassName: %s, %scontainers: [{name: "
                                           "c, image: busybox, resources: {requests: {cpu: "
                                           "\"%s\"}}}]}\n",
                                           name, class, class, extra ? extra : "", cpu);
  create (f, text);
}

static void
create_node (Fixture *f, const char *name, const char *cpu)
{
  g_autofree char *text
      = g_strdup_printf ("apiVersion: v1\nkind: Node\nmetadata: {name: %s}\n"
                         "status: {allocatable: {cpu: \"%s\", memory: 8Gi, pods: \"110\"}}\n",
                         name, cpu);
  create (f, text);
}

/* Write obj's status (the store takes a reference of its own; the caller keeps its). */
static void
update_status (Fixture *f, gpointer obj)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ks_store_update (f->store, KS_OBJECT (obj), TRUE, &error) == obj);
  g_assert_no_error (error);
}

static guint
count_lines (Fixture *f, const char *prefix)
{
  guint n = 0;

  for (guint i = 0; i < f->sink.lines->len; i++)
    n += g_str_has_prefix (g_ptr_array_index (f->sink.lines, i), prefix);
  return n;
}

static void
assert_line (Fixture *f, const char *line)
{
  for (guint i = 0; i < f->sink.lines->len; i++)
    if (strcmp (g_ptr_array_index (f->sink.lines, i), line) == 0)
      return;
  for (guint i = 0; i < f->sink.lines->len; i++)
    g_printerr ("%s\n", (char *) g_ptr_array_index (f->sink.lines, i));
  g_error ("no event line \"%s\"", line);
}

/* n1 (4 cpu) holds four pods of class low (1 cpu each, started one after the other).  A pod of
 * class high asking 2 cpu preempts two of them: the two least important (the last started;
 * every one has priority 100).  They get DisruptionTarget and a graceful delete (30 s), the
 * event Preempted; the pod is nominated to n1 and waits; when the victims are gone it is bound
 * to n1. */
static void
test_scheduler_preempts (Fixture *f, gconstpointer data)
{
  char uid[KS_UID_STRING_LEN];
  KsSchedulerStats stats;
  KsPod *urgent;
  g_autofree char *preempted = NULL;

  create_node (f, "n1", "4");
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("low-%u", i);
      create_pod (f, name, "low", "1", NULL);
      run_to (f, (i + 1) * SEC);
      {
        /* started at i + 1 s */
        g_autoptr (KsPod) copy = ks_pod_copy (get_pod (f, name));
        copy->start_time = (i + 1) * SEC;
        update_status (f, copy);
      }
    }
  g_assert_cmpstr (get_pod (f, "low-3")->node_name, ==, "n1");
  create_pod (f, "urgent", "high", "2", NULL);
  run_to (f, 10 * SEC);

  urgent = get_pod (f, "urgent");
  ks_uid_to_string (&urgent->parent.meta.uid, uid);
  g_assert_null (urgent->node_name);
  g_assert_cmpstr (ks_pod_get_status_string (urgent, KS_POD_NOMINATED_NODE_NAME), ==, "n1");
  g_assert_cmpint (urgent->conditions[KS_POD_COND_SCHEDULED].status, ==, KS_CONDITION_FALSE);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("low-%u", i);
      KsPod *pod = get_pod (f, name);
      const KsCondition *dt = &pod->conditions[KS_POD_COND_DISRUPTION_TARGET];
      gboolean victim = i >= 2;
      g_assert_cmpint (ks_object_is_being_deleted (KS_OBJECT (pod)), ==, victim);
      if (!victim)
        {
          g_assert_cmpint (dt->status, ==, KS_CONDITION_UNSET);
          continue;
        }
      g_assert_cmpint (pod->parent.meta.deletion_grace_period_seconds, ==, 30);
      g_assert_cmpint (dt->status, ==, KS_CONDITION_TRUE);
      g_assert_cmpstr (dt->reason, ==, "PreemptionByScheduler");
      g_assert_cmpstr (dt->message, ==,
                       "default-scheduler: preempting to accommodate a higher priority pod");
    }
  preempted = g_strdup_printf ("Preempted Pod default/low-3: Preempted by pod %s on node n1", uid);
  assert_line (f, preempted);
  g_assert_cmpuint (count_lines (f, "Preempted "), ==, 2);
  assert_line (f, "!FailedScheduling Pod default/urgent: 0/1 nodes are available: 1 Insufficient "
                  "cpu.");
  ks_scheduler_get_stats (f->scheduler, &stats);
  g_assert_cmpuint (stats.preemption_attempts, ==, 1);
  g_assert_cmpuint (stats.preemptions, ==, 1);
  g_assert_cmpuint (stats.victims, ==, 2);

  /* The victims end (a kubelet would remove them after their grace period). */
  for (guint i = 2; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("low-%u", i);
      KsDeleteOptions now = { .grace_period_seconds = 0 };
      g_assert_true (
          ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", name, &now, NULL));
    }
  /* Moved by the deletions; its backoff (1 s from its failure at 4 s) is over: bound at once,
   * on its nominated node. */
  run_to (f, 12 * SEC);
  urgent = get_pod (f, "urgent");
  g_assert_cmpstr (urgent->node_name, ==, "n1");
  g_assert_cmpuint (count_lines (f, "Preempted "), ==, 2);
  ks_scheduler_get_stats (f->scheduler, &stats);
  g_assert_cmpuint (stats.preemptions, ==, 1);
}

/* While the victims terminate, the pod is retried (a node is added that it does not fit):
 * the nominated node fails, and the pod is not eligible to preempt again; the nomination stays.
 * A pod of higher priority then preempts on n1 too: the nomination of the lower one is
 * cleared. */
static void
test_scheduler_waits_and_clears (Fixture *f, gconstpointer data)
{
  KsSchedulerStats stats;

  create_node (f, "n1", "4");
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("low-%u", i);
      create_pod (f, name, "low", "1", NULL);
    }
  run_to (f, 1 * SEC);
  create_pod (f, "mid", "mid", "2", NULL);
  run_to (f, 2 * SEC);
  g_assert_cmpstr (ks_pod_get_status_string (get_pod (f, "mid"), KS_POD_NOMINATED_NODE_NAME), ==,
                   "n1");
  create_node (f, "small", "1");
  run_to (f, 5 * SEC);
  assert_line (f, "!FailedScheduling Pod default/mid: 0/2 nodes are available: 2 Insufficient "
                  "cpu. preemption: not eligible due to a terminating pod on the nominated node.");
  g_assert_cmpstr (ks_pod_get_status_string (get_pod (f, "mid"), KS_POD_NOMINATED_NODE_NAME), ==,
                   "n1");
  ks_scheduler_get_stats (f->scheduler, &stats);
  g_assert_cmpuint (stats.preemptions, ==, 1);
  g_assert_cmpuint (stats.preemption_attempts, ==, 2);

  /* high asks 3 cpu: on n1 the four low pods (two terminating) are candidates; the two
   * terminating ones are deleted already, one more is evicted.  mid, nominated to n1 with a
   * lower priority, loses its nomination. */
  create_pod (f, "high", "high", "3", NULL);
  run_to (f, 6 * SEC);
  g_assert_cmpstr (ks_pod_get_status_string (get_pod (f, "high"), KS_POD_NOMINATED_NODE_NAME), ==,
                   "n1");
  g_assert_null (ks_pod_get_status_string (get_pod (f, "mid"), KS_POD_NOMINATED_NODE_NAME));
  ks_scheduler_get_stats (f->scheduler, &stats);
  g_assert_cmpuint (stats.preemptions, ==, 2);
  g_assert_cmpuint (stats.victims, ==, 2 + 3);
  /* only one new Preempted event: the victims already being deleted get no second one */
  g_assert_cmpuint (count_lines (f, "Preempted "), ==, 3);
}

/* ---- PodDisruptionBudget ----------------------------------------------------------------- */

static char *
decode_problems (const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsSource) source = ks_source_new_from_data ("pdb.yaml", text, -1, &error);
  g_autoptr (KsDiag) diag = ks_diag_new ();
  g_autoptr (KsObject) obj = NULL;
  GString *s = g_string_new (NULL);
  KsDecoder dec;

  ks_decoder_init (&dec, source, diag);
  obj = ks_object_decode (&dec, ks_source_get_document (source, 0), "default");
  ks_decoder_clear (&dec);
  for (guint i = 0; i < ks_diag_get_count (diag); i++)
    g_string_append_printf (s, "%s\n", ks_diag_get (diag, i));
  return g_string_free (s, FALSE);
}

static void
test_pdb_decode (void)
{
  g_autoptr (KsObject) obj = ks_test_decode ("apiVersion: policy/v1\n"
                                             "kind: PodDisruptionBudget\n"
                                             "metadata: {name: web}\n"
                                             "spec: {maxUnavailable: 25%, selector: {matchLabels: "
                                             "{app: web}},\n"
                                             "       unhealthyPodEvictionPolicy: AlwaysAllow}\n");
  KsPodDisruptionBudget *pdb = KS_POD_DISRUPTION_BUDGET (obj);
  g_autofree char *json = ks_object_to_json (obj, 0);
  g_autofree char *both = decode_problems ("apiVersion: policy/v1\n"
                                           "kind: PodDisruptionBudget\n"
                                           "metadata: {name: x}\n"
                                           "spec: {minAvailable: 1, maxUnavailable: 101%}\n");
  g_autofree char *bad = decode_problems ("apiVersion: policy/v1\n"
                                          "kind: PodDisruptionBudget\n"
                                          "metadata: {name: x}\n"
                                          "spec: {minAvailable: -1, unhealthyPodEvictionPolicy: "
                                          "Sometimes}\n");

  g_assert_true (obj->kind == ks_kind_get (KS_KIND_POD_DISRUPTION_BUDGET));
  g_assert_true (pdb->max_unavailable.set && pdb->max_unavailable.percent);
  g_assert_cmpint (pdb->max_unavailable.value, ==, 25);
  g_assert_false (pdb->min_available.set);
  g_assert_cmpint (pdb->unhealthy_pod_eviction_policy, ==, KS_UNHEALTHY_POLICY_ALWAYS_ALLOW);
  g_assert_cmpstr (json, ==,
                   "{\"apiVersion\":\"policy/v1\",\"kind\":\"PodDisruptionBudget\",\"metadata\":{"
                   "\"name\":\"web\",\"namespace\":\"default\"},"
                   "\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"maxUnavailable\":"
                   "\"25%\",\"unhealthyPodEvictionPolicy\":\"AlwaysAllow\"},\"status\":{"
                   "\"disruptionsAllowed\":0,\"currentHealthy\":0,\"desiredHealthy\":0,"
                   "\"expectedPods\":0}}");
  g_assert_cmpstr (both, ==,
                   "pdb.yaml:4:41: spec.maxUnavailable: must not be greater than 100%\n"
                   "pdb.yaml:4:7: spec: minAvailable and maxUnavailable cannot be both set\n");
  g_assert_nonnull (strstr (bad, "spec.minAvailable: invalid value \"-1\""));
  g_assert_nonnull (strstr (bad, "spec.unhealthyPodEvictionPolicy"));
}

/* Mark pod name Ready (the kubelet's work, done by hand here). */
static void
set_ready (Fixture *f, const char *name, gboolean ready)
{
  g_autoptr (KsPod) copy = ks_pod_copy (get_pod (f, name));

  ks_pod_set_condition (copy, KS_POD_COND_READY, ready ? KS_CONDITION_TRUE : KS_CONDITION_FALSE,
                        NULL, NULL, ks_clock_now (f->clock));
  update_status (f, copy);
}

static KsPodDisruptionBudget *
get_pdb (Fixture *f, const char *name)
{
  return KS_POD_DISRUPTION_BUDGET (
      ks_store_get (f->store, ks_kind_get (KS_KIND_POD_DISRUPTION_BUDGET), "default", name));
}

static void
assert_status (Fixture *f, const char *name, gint32 healthy, gint32 desired, gint32 expected,
               gint32 allowed, const char *reason)
{
  KsPodDisruptionBudget *pdb = get_pdb (f, name);

  g_test_message ("%s: %d %d %d %d %s", name, pdb->status.current_healthy,
                  pdb->status.desired_healthy, pdb->status.expected_pods,
                  pdb->status.disruptions_allowed, pdb->status.allowed_reason);
  g_assert_cmpint (pdb->status.current_healthy, ==, healthy);
  g_assert_cmpint (pdb->status.desired_healthy, ==, desired);
  g_assert_cmpint (pdb->status.expected_pods, ==, expected);
  g_assert_cmpint (pdb->status.disruptions_allowed, ==, allowed);
  g_assert_cmpstr (pdb->status.allowed_reason, ==, reason);
  g_assert_cmpint (pdb->status.allowed_status, ==,
                   allowed > 0 ? KS_CONDITION_TRUE : KS_CONDITION_FALSE);
  g_assert_cmpint (pdb->status.observed_generation, ==, pdb->parent.meta.generation);
}

static void
create_pdb (Fixture *f, const char *name, const char *spec)
{
  g_autofree char *text = g_strdup_printf ("apiVersion: policy/v1\nkind: PodDisruptionBudget\n"
                                           "metadata: {name: %s}\nspec: %s\n",
                                           name, spec);
  create (f, text);
}

/* A Deployment of 5 replicas (its ReplicaSet makes the pods), 4 of them Ready, and a bare
 * ReplicaSet of 3, all Ready. */
static void
pdb_workloads (Fixture *f)
{
  g_autoptr (GPtrArray) pods = NULL;
  guint ready = 0;

  create (f, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
             "spec: {replicas: 5, selector: {matchLabels: {app: web}},\n"
             "       template: {metadata: {labels: {app: web}},\n"
             "                  spec: {containers: [{name: c, image: busybox}]}}}\n");
  create (f, "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: db}\n"
             "spec: {replicas: 3, selector: {matchLabels: {app: db}},\n"
             "       template: {metadata: {labels: {app: db}},\n"
             "                  spec: {containers: [{name: c, image: busybox}]}}}\n");
  run_to (f, 1 * SEC);
  pods = ks_client_list (f->client, ks_kind_get (KS_KIND_POD), "default", NULL);
  g_assert_cmpuint (pods->len, ==, 8);
  for (guint i = 0; i < pods->len; i++)
    {
      KsObject *pod = g_ptr_array_index (pods, i);
      gboolean web = g_str_has_prefix (pod->meta.name, "web-");
      if (web && ready == 4)
        continue;
      ready += web;
      set_ready (f, pod->meta.name, TRUE);
    }
  run_to (f, 2 * SEC);
}

/* Hand-computed statuses (getExpectedPodCount, countHealthyPods, updatePdbStatus):
 * - minAvailable 3 over web: expected = 5 pods, desired 3, healthy 4, allowed 1;
 * - minAvailable 50% over web: expected = the Deployment's 5 replicas, desired ceil(2.5) = 3,
 *   allowed 1;
 * - maxUnavailable 30% over db: expected = the ReplicaSet's 3, maxUnavailable ceil(0.9) = 1,
 *   desired 2, healthy 3, allowed 1;
 * - maxUnavailable 0 over db: desired 3, allowed 0 (InsufficientPods);
 * - minAvailable 100% over both: expected 5 + 3 = 8, desired 8, healthy 7: allowed 0 (a
 *   negative difference is 0);
 * - an empty selector picks every pod of the namespace: minAvailable 2, expected 8, healthy 7,
 *   allowed 5;
 * - no selector: no pods (event NoPods), expected 0: allowed 0 even with minAvailable 0. */
static void
test_disruption_controller (Fixture *f, gconstpointer data)
{
  pdb_workloads (f);
  create_pdb (f, "min-int", "{minAvailable: 3, selector: {matchLabels: {app: web}}}");
  create_pdb (f, "min-pct", "{minAvailable: 50%, selector: {matchLabels: {app: web}}}");
  create_pdb (f, "max-pct", "{maxUnavailable: 30%, selector: {matchLabels: {app: db}}}");
  create_pdb (f, "max-zero", "{maxUnavailable: 0, selector: {matchLabels: {app: db}}}");
  create_pdb (f, "all",
              "{minAvailable: 100%, selector: {matchExpressions: "
              "[{key: app, operator: Exists}]}}");
  create_pdb (f, "empty", "{minAvailable: 2, selector: {}}");
  create_pdb (f, "none", "{minAvailable: 0}");
  run_to (f, 3 * SEC);
  assert_status (f, "min-int", 4, 3, 5, 1, "SufficientPods");
  assert_status (f, "min-pct", 4, 3, 5, 1, "SufficientPods");
  assert_status (f, "max-pct", 3, 2, 3, 1, "SufficientPods");
  assert_status (f, "max-zero", 3, 3, 3, 0, "InsufficientPods");
  assert_status (f, "all", 7, 8, 8, 0, "InsufficientPods");
  assert_status (f, "empty", 7, 2, 8, 5, "SufficientPods");
  assert_status (f, "none", 0, 0, 0, 0, "InsufficientPods");
  assert_line (f, "NoPods PodDisruptionBudget default/none: No matching pods found");

  /* A db pod stops being Ready.  Only the first budget (in name order) that selects it is
   * synced again, as getPdbForPod takes one: "all" (healthy 6, allowed still 0), while
   * max-pct and empty keep their old status.  The pod gets a warning that it matches several
   * budgets. */
  {
    g_autoptr (GPtrArray) pods
        = ks_client_list (f->client, ks_kind_get (KS_KIND_POD), "default", NULL);
    const char *db = NULL;
    g_autofree char *warning = NULL;
    for (guint i = 0; i < pods->len && db == NULL; i++)
      if (g_str_has_prefix (KS_OBJECT (g_ptr_array_index (pods, i))->meta.name, "db-"))
        db = KS_OBJECT (g_ptr_array_index (pods, i))->meta.name;
    set_ready (f, db, FALSE);
    run_to (f, 4 * SEC);
    assert_status (f, "all", 6, 8, 8, 0, "InsufficientPods");
    assert_status (f, "max-pct", 3, 2, 3, 1, "SufficientPods");
    assert_status (f, "empty", 7, 2, 8, 5, "SufficientPods");
    warning
        = g_strdup_printf ("!MultiplePodDisruptionBudgets Pod default/%s: Pod \"default\"/\"%s\" "
                           "matches multiple PodDisruptionBudgets.  Chose \"all\" arbitrarily.",
                           db, db);
    assert_line (f, warning);
  }
}

/* Pods without a controller are left out of a percentage's base (event UnmanagedPods); a pod
 * whose controller is of a kind no finder knows fails the sync: SyncFailed, no disruption. */
static void
test_disruption_controller_unmanaged (Fixture *f, gconstpointer data)
{
  KsPodDisruptionBudget *pdb;

  pdb_workloads (f);
  create (f, "apiVersion: v1\nkind: Pod\nmetadata: {name: loner, labels: {app: web}}\n"
             "spec: {containers: [{name: c, image: busybox}]}\n");
  set_ready (f, "loner", TRUE);
  create_pdb (f, "web", "{maxUnavailable: 1, selector: {matchLabels: {app: web}}}");
  run_to (f, 3 * SEC);
  /* expected: the Deployment's 5; healthy 4 + loner = 5; desired 5 − 1 = 4; allowed 1 */
  assert_status (f, "web", 5, 4, 5, 1, "SufficientPods");
  assert_line (f,
               "!UnmanagedPods PodDisruptionBudget default/web: Pods selected by this "
               "PodDisruptionBudget (selector: &LabelSelector{MatchLabels:map[string]string{app: "
               "web,},MatchExpressions:[]LabelSelectorRequirement{},}) were found to be "
               "unmanaged. As a result, the status of the PDB cannot be calculated correctly, "
               "which may result in undefined behavior. To account for these pods please set "
               "\".spec.minAvailable\" field of the PDB to an integer value.");

  create (f, "apiVersion: v1\nkind: Pod\nmetadata: {name: stateful-0, labels: {app: web},\n"
             "  ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: stateful,\n"
             "    uid: 6f0c1a52-7d2e-4e1c-9a55-1d1b5c0d9e01, controller: true}]}\n"
             "spec: {containers: [{name: c, image: busybox}]}\n");
  run_to (f, 4 * SEC);
  pdb = get_pdb (f, "web");
  g_assert_cmpint (pdb->status.disruptions_allowed, ==, 0);
  g_assert_cmpint (pdb->status.allowed_status, ==, KS_CONDITION_FALSE);
  g_assert_cmpstr (pdb->status.allowed_reason, ==, "SyncFailed");
  g_assert_cmpstr (pdb->status.allowed_message, ==, "found no controllers for pod \"stateful-0\"");
  assert_line (f, "!CalculateExpectedPodCountFailed PodDisruptionBudget default/web: Failed to "
                  "calculate the number of expected pods: found no controllers for pod "
                  "\"stateful-0\"");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/preemption/num-candidates", test_num_candidates);
  g_test_add_func ("/preemption/more-important", test_more_important);
  g_test_add_func ("/preemption/pick-candidate", test_pick_candidate);
  g_test_add_func ("/preemption/args", test_args);
  g_test_add_func ("/preemption/victims/minimal", test_victims_minimal);
  g_test_add_func ("/preemption/victims/pdb-reprieve", test_victims_pdb_reprieve);
  g_test_add_func ("/preemption/node-choice", test_node_choice);
  g_test_add_func ("/preemption/no-candidate", test_no_candidate);
  g_test_add_func ("/preemption/never", test_never);
  g_test_add_func ("/preemption/terminating-on-nominated", test_terminating_on_nominated);
  g_test_add_func ("/preemption/candidates-offset", test_candidates_offset);
  g_test_add_func ("/preemption/node-info-copy", test_node_info_copy);
  g_test_add_func ("/nominated/filter", test_nominated_filter);
  g_test_add_func ("/nominated/two-passes", test_nominated_two_passes);
  g_test_add_func ("/nominated/first", test_nominated_first);
  g_test_add_func ("/nominated/failure-counts", test_nominated_failure_counts);
  g_test_add ("/preemption/scheduler/preempts", Fixture, NULL, fixture_setup,
              test_scheduler_preempts, fixture_teardown);
  g_test_add ("/preemption/scheduler/waits-and-clears", Fixture, NULL, fixture_setup,
              test_scheduler_waits_and_clears, fixture_teardown);
  g_test_add_func ("/pdb/decode", test_pdb_decode);
  g_test_add ("/pdb/controller/status", Fixture, "controllers", fixture_setup,
              test_disruption_controller, fixture_teardown);
  g_test_add ("/pdb/controller/unmanaged", Fixture, "controllers", fixture_setup,
              test_disruption_controller_unmanaged, fixture_teardown);
  return g_test_run ();
}
