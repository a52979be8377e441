/* test-explain.c: `kubesim schedule`'s explanation (src/scheduler/ks-explain.c), the framework's
 * explain mode (every node filtered, every feasible node scored, raw scores kept) and the
 * FitError's nodes-per-reason counts that "why pending" records.
 *
 * Expected scores are worked out by hand from the shared reference kubernetes.md §1.6–1.7 (the
 * same numbers as docs/scheduler.md's worked example); the comments show the arithmetic. */
#include "config.h"

#include <string.h>

#include "src/scheduler/ks-explain.h"
#include "src/scheduler/ks-framework.h"
#include "src/scheduler/ks-sched-cache.h"
#include "tests/ks-test.h"

/* ---- helpers ------------------------------------------------------------------------------ */

static KsSource *
source (const char *name, const char *text)
{
  g_autoptr (GError) error = NULL;
  KsSource *s = ks_source_new_from_data (name, text, -1, &error);

  g_assert_no_error (error);
  return s;
}

/* Explain pod (YAML) on state (YAML) with config (NULL: the default); problems are printed and
 * returned in *diag_out when asked for, else they fail the test. */
static KsExplanation *
explain_full (const char *state, const char *pod, KsSchedulerConfig *config, guint64 seed,
              KsDiag **diag_out)
{
  g_autoptr (KsSource) s = source ("state.yaml", state);
  g_autoptr (KsSource) p = source ("pod.yaml", pod);
  g_autoptr (KsSchedulerConfig) owned = config == NULL ? ks_scheduler_config_new_default () : NULL;
  KsDiag *diag = ks_diag_new ();
  KsExplanation *e = ks_explain (s, p, config != NULL ? config : owned, seed, diag);

  if (diag_out != NULL)
    {
      *diag_out = diag;
      return e;
    }
  for (guint i = 0; i < ks_diag_get_count (diag); i++)
    g_printerr ("problem: %s\n", ks_diag_get (diag, i));
  g_assert_cmpuint (ks_diag_get_count (diag), ==, 0);
  g_assert_nonnull (e);
  ks_diag_free (diag);
  return e;
}

static KsExplanation *
explain (const char *state, const char *pod)
{
  return explain_full (state, pod, NULL, 1, NULL);
}

static const KsExplainNode *
node_of (const KsExplanation *e, const char *name)
{
  for (guint i = 0; i < e->n_nodes; i++)
    if (strcmp (e->nodes[i].name, name) == 0)
      return &e->nodes[i];
  g_assert_not_reached ();
}

static gint
plugin_of (const KsExplanation *e, const char *name)
{
  for (guint p = 0; p < e->n_plugins; p++)
    if (strcmp (e->plugins[p], name) == 0)
      return (gint) p;
  return -1;
}

/* Check plugin's raw and normalized score on node. */
static void
assert_score (const KsExplanation *e, const char *node, const char *plugin, gint64 raw,
              gint64 normalized)
{
  const KsExplainNode *en = node_of (e, node);
  gint p = plugin_of (e, plugin);

  g_assert_cmpint (p, >=, 0);
  g_assert_nonnull (en->raw);
  g_assert_cmpint (en->raw[p], ==, raw);
  g_assert_cmpint (en->normalized[p], ==, normalized);
}

#define NODE(name, labels, spec, alloc)                                                            \
  "---\napiVersion: v1\nkind: Node\nmetadata: {name: " name ", labels: {" labels "}}\n"            \
  "spec: {" spec "}\nstatus: {allocatable: {" alloc "}}\n"
#define BOUND(name, node, cpu, mem)                                                                \
  "---\napiVersion: v1\nkind: Pod\nmetadata: {name: " name "}\nspec: {nodeName: " node             \
  ", containers: [{name: c, image: busybox, resources: {requests: {cpu: \"" cpu "\", memory: " mem \
  "}}}]}\n"
#define POD(spec)                                                                                  \
  "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: "          \
  "busybox, resources: {requests: {cpu: \"1\", memory: 1Gi}}}]" spec "}\n"

/* docs/scheduler.md's worked example: a and b are ssd, a has a PreferNoSchedule taint, b holds
 * 2 CPU and 1Gi; the pod (1 CPU, 1Gi) prefers ssd with weight 10. */
#define WORKED_STATE                                                                               \
  NODE ("a", "disk: ssd", "taints: [{key: t, effect: PreferNoSchedule}]",                          \
        "cpu: \"4\", memory: 8Gi")                                                                 \
  NODE ("b", "disk: ssd", "", "cpu: \"4\", memory: 8Gi")                                           \
  NODE ("c", "disk: hdd", "", "cpu: \"4\", memory: 8Gi") BOUND ("db", "b", "2", "1Gi")
static const char worked_state[] = WORKED_STATE;
static const char worked_pod[]
    = POD (", affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: "
           "[{weight: 10, preference: {matchExpressions: [{key: disk, operator: In, values: "
           "[ssd]}]}}]}}");

/* The score plugins of docs/scheduler.md's worked example, with Kubernetes' default weights, and
 * no other: the expected numbers do not depend on which plugins the default profile gains. */
#define WORKED_CONFIG                                                                              \
  "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"                 \
  "profiles:\n- plugins:\n    score:\n      disabled: [{name: \"*\"}]\n"                           \
  "      enabled: [{name: TaintToleration, weight: 3}, {name: NodeAffinity, weight: 2},\n"         \
  "        {name: NodeResourcesFit, weight: 1}, {name: NodeResourcesBalancedAllocation, weight: "  \
  "1}]\n"

static KsSchedulerConfig *config_from (const char *text);

/* Explain with WORKED_CONFIG. */
static KsExplanation *
explain_worked (const char *state, const char *pod)
{
  g_autoptr (KsSchedulerConfig) config = config_from (WORKED_CONFIG);
  return explain_full (state, pod, config, 1, NULL);
}

/* ---- explanations ------------------------------------------------------------------------- */

static void
test_scores (void)
{
  g_autoptr (KsExplanation) e = explain_worked (worked_state, worked_pod);

  g_assert_cmpstr (e->pod, ==, "default/p");
  g_assert_cmpstr (e->profile, ==, "default-scheduler");
  g_assert_cmpstr (e->selected, ==, "b");
  g_assert_null (e->nominated);
  g_assert_cmpstr (e->message, ==, "");
  g_assert_cmpstr (e->note, ==, "");
  g_assert_cmpuint (e->n_filtered, ==, 3);
  g_assert_null (e->skipped[0]);
  g_assert_cmpuint (e->n_nodes, ==, 3);
  g_assert_cmpuint (e->n_plugins, ==, 4);
  /* profile order and weights */
  g_assert_cmpstr (e->plugins[0], ==, "TaintToleration");
  g_assert_cmpint (e->weights[0], ==, 3);
  g_assert_cmpstr (e->plugins[1], ==, "NodeAffinity");
  g_assert_cmpint (e->weights[1], ==, 2);
  g_assert_cmpint (e->weights[plugin_of (e, "NodeResourcesFit")], ==, 1);
  g_assert_cmpint (e->weights[plugin_of (e, "NodeResourcesBalancedAllocation")], ==, 1);
  /* TaintToleration: raw = untolerated PreferNoSchedule taints 1, 0, 0; reversed
   * DefaultNormalizeScore: 100 − s·100 div 1 → 0, 100, 100 */
  assert_score (e, "a", "TaintToleration", 1, 0);
  assert_score (e, "b", "TaintToleration", 0, 100);
  assert_score (e, "c", "TaintToleration", 0, 100);
  /* NodeAffinity: raw Σ matching weights 10, 10, 0; normalized s·100 div 10 */
  assert_score (e, "a", "NodeAffinity", 10, 100);
  assert_score (e, "b", "NodeAffinity", 10, 100);
  assert_score (e, "c", "NodeAffinity", 0, 0);
  /* LeastAllocated: a: cpu 3000·100 div 4000 = 75, memory 7Gi·100 div 8Gi = 87 → 81;
   * b: cpu 1000·100 div 4000 = 25, memory 6Gi·100 div 8Gi = 75 → 50.  No NormalizeScore. */
  assert_score (e, "a", "NodeResourcesFit", 81, 81);
  assert_score (e, "b", "NodeResourcesFit", 50, 50);
  assert_score (e, "c", "NodeResourcesFit", 81, 81);
  /* Balanced: a: |0.25 − 0.125| / 2 = 0.0625 → 93; b: |0.75 − 0.25| / 2 = 0.25 → 75 */
  assert_score (e, "a", "NodeResourcesBalancedAllocation", 93, 93);
  assert_score (e, "b", "NodeResourcesBalancedAllocation", 75, 75);
  /* totals: a 0·3 + 100·2 + 81 + 93 = 374; b 300 + 200 + 50 + 75 = 625; c 300 + 0 + 81 + 93 */
  g_assert_cmpint (node_of (e, "a")->total, ==, 374);
  g_assert_cmpint (node_of (e, "b")->total, ==, 625);
  g_assert_cmpint (node_of (e, "c")->total, ==, 474);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (e->nodes[i].feasible);
      g_assert_cmpuint (e->nodes[i].n_reasons, ==, 0);
    }
}

/* Without a preferred term NodeAffinity's PreScore skips: it is listed as skipped. */
static void
test_skipped (void)
{
  g_autoptr (KsExplanation) e = explain_worked (worked_state, POD (""));

  g_assert_cmpint (plugin_of (e, "NodeAffinity"), ==, -1);
  g_assert_cmpstr (e->skipped[0], ==, "NodeAffinity");
  g_assert_null (e->skipped[1]);
  g_assert_cmpuint (e->n_plugins, ==, 3);
  /* c wins with 300 + 81 + 93 = 474 against b's 425 and a's 174 */
  g_assert_cmpstr (e->selected, ==, "c");
  g_assert_cmpint (node_of (e, "a")->total, ==, 174);
  g_assert_cmpint (node_of (e, "b")->total, ==, 425);
}

static void
test_taint (void)
{
  g_autoptr (KsExplanation) e
      = explain (NODE ("gpu", "", "taints: [{key: dedicated, value: gpu, effect: NoSchedule}]",
                       "cpu: \"4\", memory: 8Gi") NODE ("plain", "", "", "cpu: \"4\", memory: 8Gi"),
                 POD (""));
  const KsExplainNode *gpu = node_of (e, "gpu");

  g_assert_cmpstr (e->selected, ==, "plain");
  g_assert_false (gpu->feasible);
  g_assert_cmpint (gpu->code, ==, KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE);
  g_assert_cmpuint (gpu->n_reasons, ==, 1);
  g_assert_cmpstr (gpu->reasons[0], ==, "node(s) had untolerated taint {dedicated: gpu}");
  g_assert_null (gpu->raw);
  g_assert_true (node_of (e, "plain")->feasible);
  /* One node fit: the scheduler takes it without scoring; the explanation still scores it. */
  g_assert_nonnull (node_of (e, "plain")->raw);
  g_assert_nonnull (strstr (e->note, "Only one node fit in the scheduler's cycle"));
}

static void
test_affinity_mismatch (void)
{
  g_autoptr (KsExplanation) e = explain (worked_state, POD (", nodeSelector: {disk: hdd}"));
  const KsExplainNode *a = node_of (e, "a");

  g_assert_cmpstr (e->selected, ==, "c");
  g_assert_false (a->feasible);
  g_assert_cmpstr (a->reasons[0], ==, "node(s) didn't match Pod's node affinity/selector");
  g_assert_false (node_of (e, "b")->feasible);
  g_assert_true (node_of (e, "c")->feasible);
}

/* Nothing fits: the FitError message; every node's reasons (NodeResourcesFit gives all its
 * reasons at once). */
static void
test_insufficient (void)
{
  g_autoptr (KsExplanation) e = explain (
      NODE ("small", "", "", "cpu: \"2\", memory: 512Mi")
          NODE ("busy", "", "", "cpu: \"4\", memory: 8Gi") BOUND ("db", "busy", "2", "1Gi"),
      "apiVersion: v1\nkind: Pod\nmetadata: {name: big}\nspec: {containers: [{name: "
      "c, image: busybox, resources: {requests: {cpu: \"3\", memory: 1Gi}}}]}\n");
  const KsExplainNode *small = node_of (e, "small");
  const KsExplainNode *busy = node_of (e, "busy");

  g_assert_null (e->selected);
  /* "1 Insufficient memory" sorts before "2 Insufficient cpu" as strings */
  /* DefaultPreemption (PostFilter) finds no pod of lower priority to evict */
  g_assert_cmpstr (e->message, ==,
                   "0/2 nodes are available: 1 Insufficient memory, 2 Insufficient cpu. "
                   "preemption: 0/2 nodes are available: 2 No preemption victims found for "
                   "incoming pod.");
  g_assert_null (e->nominated);
  g_assert_cmpuint (small->n_reasons, ==, 2);
  g_assert_cmpstr (small->reasons[0], ==, "Insufficient cpu");
  g_assert_cmpstr (small->reasons[1], ==, "Insufficient memory");
  g_assert_cmpint (small->code, ==, KS_STATUS_UNSCHEDULABLE);
  /* busy: 4000 − 2000 free < 3000 */
  g_assert_cmpuint (busy->n_reasons, ==, 1);
  g_assert_cmpstr (busy->reasons[0], ==, "Insufficient cpu");
  g_assert_cmpuint (e->n_plugins, ==, 0);
  g_assert_null (e->skipped[0]);
  g_assert_cmpstr (e->note, ==, "");
}

/* Equal totals: the pick is drawn from the profile's stream of the seed, among the best only. */
static void
test_ties (void)
{
  static const char state[] = NODE ("n0", "", "", "cpu: \"4\", memory: 8Gi")
      NODE ("n1", "", "", "cpu: \"4\", memory: 8Gi") NODE ("n2", "", "", "cpu: \"4\", memory: 8Gi")
          NODE ("n3", "", "", "cpu: \"4\", memory: 8Gi") BOUND ("x", "n3", "1", "1Gi");
  g_autoptr (GHashTable) picked = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint64 seed = 1; seed <= 20; seed++)
    {
      g_autoptr (KsExplanation) e = explain_full (state, POD (""), NULL, seed, NULL);
      g_autoptr (KsExplanation) again = explain_full (state, POD (""), NULL, seed, NULL);
      gint64 best = node_of (e, "n0")->total;
      g_assert_cmpstr (e->selected, ==, again->selected);
      g_assert_cmpint (node_of (e, "n1")->total, ==, best);
      g_assert_cmpint (node_of (e, "n2")->total, ==, best);
      /* n3 holds 1 CPU: LeastAllocated 62 (cpu 50, memory 75) against 81: lower */
      g_assert_cmpint (node_of (e, "n3")->total, <, best);
      g_assert_cmpstr (e->selected, !=, "n3");
      g_assert_nonnull (
          strstr (e->note, "3 nodes share the highest total, 474: the scheduler drew "));
      g_hash_table_add (picked, (gpointer) e->selected);
    }
  /* 20 draws among 3: all three come up (a seed that changed nothing would give one) */
  g_assert_cmpuint (g_hash_table_size (picked), ==, 3);
}

/* 150 nodes: numFeasibleNodesToFind = max(150 · (50 − 150 div 125) div 100, 100) = 100.  The
 * scheduler filters nodes 0..99 only; the explanation filters all and finds the roomier nodes
 * 100..149 score higher, which the note explains. */
static void
test_window (void)
{
  GString *state = g_string_new (NULL);
  g_autoptr (KsExplanation) e = NULL;
  guint selected = 0;
  gint64 best = 0;

  for (guint i = 0; i < 150; i++)
    g_string_append_printf (state,
                            "---\napiVersion: v1\nkind: Node\nmetadata: {name: n%03u}\n"
                            "status: {allocatable: {cpu: \"%s\", memory: 8Gi}}\n",
                            i, i < 100 ? "4" : "8");
  e = explain (state->str, POD (""));
  g_string_free (state, TRUE);
  g_assert_cmpuint (e->n_nodes, ==, 150);
  g_assert_cmpuint (e->n_filtered, ==, 100);
  g_assert_nonnull (e->selected);
  g_assert_cmpint (sscanf (e->selected, "n%u", &selected), ==, 1);
  g_assert_cmpuint (selected, <, 100);
  for (guint i = 0; i < 150; i++)
    {
      g_assert_true (e->nodes[i].feasible);
      g_assert_nonnull (e->nodes[i].raw);
      best = MAX (best, e->nodes[i].total);
    }
  /* LeastAllocated on 8 CPU: cpu 87, memory 87 → 87; on 4 CPU: 75, 87 → 81 */
  assert_score (e, "n120", "NodeResourcesFit", 87, 87);
  assert_score (e, "n010", "NodeResourcesFit", 81, 81);
  g_assert_cmpint (node_of (e, "n120")->total, ==, best);
  g_assert_cmpint (node_of (e, e->selected)->total, <, best);
  g_assert_cmpstr (e->note, ==,
                   "percentageOfNodesToScore: the scheduler stops filtering once 100 nodes fit "
                   "(numFeasibleNodesToFind for 150 nodes); it filtered the first 100 nodes and "
                   "compared the 100 that fit. This explanation filters all 150 nodes and scores "
                   "the 150 that fit, normalizing over them, so its scores may differ from those "
                   "the scheduler compared.");
}

/* percentageOfNodesToScore 100: the scheduler's window is every node, no note. */
static KsSchedulerConfig *
config_from (const char *text)
{
  g_autoptr (KsSource) s = source ("sched.yaml", text);
  g_autoptr (KsDiag) diag = ks_diag_new ();
  KsSchedulerConfig *config;
  KsDecoder dec;

  ks_decoder_init (&dec, s, diag);
  config = ks_scheduler_config_decode (&dec, ks_source_get_document (s, 0));
  ks_decoder_clear (&dec);
  g_assert_cmpuint (ks_diag_get_count (diag), ==, 0);
  g_assert_nonnull (config);
  return config;
}

static void
test_window_all (void)
{
  g_autoptr (KsSchedulerConfig) config
      = config_from ("apiVersion: kubescheduler.config.k8s.io/v1\n"
                     "kind: KubeSchedulerConfiguration\npercentageOfNodesToScore: 100\n");
  GString *state = g_string_new (NULL);
  g_autoptr (KsExplanation) e = NULL;

  for (guint i = 0; i < 150; i++)
    g_string_append_printf (state,
                            "---\napiVersion: v1\nkind: Node\nmetadata: {name: n%03u}\n"
                            "status: {allocatable: {cpu: \"%s\", memory: 8Gi}}\n",
                            i, i == 140 ? "8" : "4");
  e = explain_full (state->str, POD (""), config, 1, NULL);
  g_string_free (state, TRUE);
  g_assert_cmpuint (e->n_filtered, ==, 150);
  g_assert_cmpstr (e->selected, ==, "n140");
  g_assert_cmpstr (e->note, ==, "");
}

/* A pod of another profile runs that profile (here: MostAllocated packs onto the fuller node). */
static void
test_profile (void)
{
  g_autoptr (KsSchedulerConfig) config = config_from (
      "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
      "profiles:\n- schedulerName: default-scheduler\n- schedulerName: packer\n"
      "  pluginConfig:\n  - name: NodeResourcesFit\n"
      "    args: {scoringStrategy: {type: MostAllocated}}\n");
  g_autoptr (KsExplanation) e
      = explain_full (worked_state, POD (", schedulerName: packer"), config, 1, NULL);

  g_assert_cmpstr (e->profile, ==, "packer");
  /* MostAllocated on b: cpu 3000·100 div 4000 = 75, memory 2Gi·100 div 8Gi = 25 → 50; on c:
   * 25 and 12 → 18 */
  assert_score (e, "b", "NodeResourcesFit", 50, 50);
  assert_score (e, "c", "NodeResourcesFit", 18, 18);
}

/* ---- PreFilter and PostFilter through the explanation ------------------------------------ */

static guint post_filter_calls;

static KsStatusCode
reject_pre_filter (KsPluginCtx *ctx, const KsPod *pod, KsStatus *status)
{
  ks_status_add_reason (status, "pod says no");
  return KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE;
}

static KsStatusCode
nominate_post_filter (KsPluginCtx *ctx, const KsPod *pod, const KsStatusCode *codes,
                      KsPostFilterResult *result, KsStatus *status)
{
  post_filter_calls++;
  g_assert_cmpint (codes[0], ==, KS_STATUS_UNSCHEDULABLE);
  ks_status_add_reason (status, "preemption: 0/2 nodes are available: 2 Test");
  result->nominated = ctx->all_nodes[1]->name;
  return KS_STATUS_SUCCESS;
}

/* A PostFilter runs in the scheduler's cycle only (once), after DefaultPreemption (which finds
 * no victims); its nomination is reported. */
static void
test_post_filter (void)
{
  static const KsSchedulerPlugin post
      = { KS_POLICY_ABI_VERSION, "TestPostFilter", 0, .post_filter = nominate_post_filter };
  g_autoptr (KsSchedulerConfig) config = ks_scheduler_config_new_default ();
  KsProfileConfig *profile = g_ptr_array_index (config->profiles, 0);
  KsPluginEntry entry = { &post, 0 };
  g_autoptr (KsExplanation) e = NULL;

  g_array_append_val (profile->points[KS_POINT_POST_FILTER], entry);
  post_filter_calls = 0;
  e = explain_full (NODE ("n0", "", "", "cpu: 500m, memory: 8Gi")
                        NODE ("n1", "", "", "cpu: 500m, memory: 8Gi"),
                    POD (""), config, 1, NULL);
  g_assert_cmpuint (post_filter_calls, ==, 1);
  g_assert_null (e->selected);
  g_assert_cmpstr (e->nominated, ==, "n1");
  /* A nomination decides: the message keeps the filters' part only (RunPostFilterPlugins) */
  g_assert_cmpstr (e->message, ==, "0/2 nodes are available: 2 Insufficient cpu.");
}

/* A PreFilter rejection gives every node its reason. */
static void
test_pre_filter_reject (void)
{
  static const KsSchedulerPlugin pre
      = { KS_POLICY_ABI_VERSION, "TestPreFilter", 0, .pre_filter = reject_pre_filter };
  g_autoptr (KsSchedulerConfig) config = ks_scheduler_config_new_default ();
  KsProfileConfig *profile = g_ptr_array_index (config->profiles, 0);
  KsPluginEntry entry = { &pre, 0 };
  g_autoptr (KsExplanation) e = NULL;

  g_array_append_val (profile->points[KS_POINT_PRE_FILTER], entry);
  e = explain_full (NODE ("n0", "", "", "cpu: \"4\", memory: 8Gi")
                        NODE ("n1", "", "", "cpu: \"4\", memory: 8Gi"),
                    POD (""), config, 1, NULL);
  g_assert_null (e->selected);
  /* every node Unresolvable: preemption cannot help */
  g_assert_cmpstr (e->message, ==,
                   "0/2 nodes are available: pod says no. preemption: 0/2 nodes are available: 2 "
                   "Preemption is not helpful for scheduling.");
  for (guint i = 0; i < 2; i++)
    {
      g_assert_false (e->nodes[i].feasible);
      g_assert_cmpint (e->nodes[i].code, ==, KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE);
      g_assert_cmpuint (e->nodes[i].n_reasons, ==, 1);
      g_assert_cmpstr (e->nodes[i].reasons[0], ==, "pod says no");
    }
}

/* No node at all: the scheduler's error, no nodes listed. */
static void
test_no_nodes (void)
{
  g_autoptr (KsExplanation) e = explain ("", POD (""));

  g_assert_null (e->selected);
  g_assert_cmpstr (e->message, ==, "no nodes available to schedule pods");
  g_assert_cmpuint (e->n_nodes, ==, 0);
}

/* State objects go through admission: the pod's priority comes from its PriorityClass, and
 * objects plugins may list (Services, ReplicaSets) are accepted. */
static void
test_state_kinds (void)
{
  g_autoptr (KsExplanation) e = explain (
      "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\n"
      "value: 1000\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n"
      "---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: team}\n"
      "spec: {selector: {app: web}, ports: [{port: 80}]}\n"
      "---\napiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: web, namespace: team}\n"
      "spec: {replicas: 1, selector: {matchLabels: {app: web}}, template: {metadata: {labels: "
      "{app: web}}, spec: {containers: [{name: c, image: nginx}]}}}\n" NODE (
          "n0", "", "", "cpu: \"4\", memory: 8Gi"),
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: team}\nspec: "
      "{priorityClassName: high, containers: [{name: c, image: busybox}]}\n");

  g_assert_cmpstr (e->pod, ==, "team/p");
  g_assert_cmpstr (e->selected, ==, "n0");
}

/* ---- bad input ---------------------------------------------------------------------------- */

static void
assert_problems (const char *state, const char *pod, KsSchedulerConfig *config,
                 const char *const *expected)
{
  KsDiag *diag = NULL;
  KsExplanation *e = explain_full (state, pod, config, 1, &diag);
  guint n = g_strv_length ((char **) expected);

  g_assert_null (e);
  for (guint i = 0; i < ks_diag_get_count (diag); i++)
    g_test_message ("problem: %s", ks_diag_get (diag, i));
  g_assert_cmpuint (ks_diag_get_count (diag), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (ks_diag_get (diag, i), ==, expected[i]);
  ks_diag_free (diag);
}

static void
test_bad_input (void)
{
  static const char node[] = "apiVersion: v1\nkind: Node\nmetadata: {name: n0}\n"
                             "status: {allocatable: {cpu: \"4\", memory: 8Gi}}\n";

  /* Decoding problems of both files, with positions and field paths. */
  assert_problems ("apiVersion: v1\nkind: Node\nmetadata: {name: n0}\n"
                   "status: {allocatable: {cpu: four}}\n",
                   "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: "
                   "[{name: c, image: x, resources: {requests: {memory: lots}}}]}\n",
                   NULL,
                   (const char *[]){ "state.yaml:4:29: status.allocatable.cpu: invalid quantity "
                                     "\"four\": expected a number with an optional suffix (n, u, "
                                     "m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei) or exponent "
                                     "(e.g. 1e3)",
                                     "pod.yaml:4:72: spec.containers[0].resources.requests."
                                     "memory: invalid quantity \"lots\": expected a number with an "
                                     "optional suffix (n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, "
                                     "Pi, Ei) or exponent (e.g. 1e3)",
                                     NULL });
  /* State pods must be bound, to a node of the state. */
  assert_problems (
      "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  nodeName: n9\n"
      "  containers: [{name: c, image: x}]\n---\n"
      "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n  containers: [{name: c, image: "
      "x}]\n",
      POD (""), NULL,
      (const char *[]){ "state.yaml:5:13: spec.nodeName: node \"n9\" is not in the state (no "
                        "Node document of that name)",
                        "state.yaml:12:3: spec.nodeName: required field is missing: the pods of "
                        "the state are bound to a node; the pod to schedule goes in the POD file",
                        NULL });
  /* What the API server refuses. */
  assert_problems (
      "apiVersion: v1\nkind: Node\nmetadata: {name: n0}\n---\napiVersion: v1\nkind: Pod\n"
      "metadata: {name: a, namespace: team}\nspec: {nodeName: n0, containers: [{name: c, "
      "image: x}]}\n",
      POD (""), NULL,
      (const char *[]){ "state.yaml:7:32: metadata.namespace: namespaces \"team\" not found; add "
                        "a Namespace document to the state (default, kube-system, kube-public "
                        "and kube-node-lease exist)",
                        NULL });
  assert_problems (node, POD (", priorityClassName: high"), NULL,
                   (const char *[]){ "pod.yaml:4:116: spec.priorityClassName: pods \"p\" is "
                                     "forbidden: no PriorityClass with name high was found; "
                                     "add the PriorityClass to the state",
                                     NULL });
  /* The POD file: one Pod, not bound, of a known profile. */
  assert_problems (node, node, NULL,
                   (const char *[]){ "pod.yaml:2:7: kind: expected a Pod (the pod to schedule), "
                                     "got Node",
                                     NULL });
  assert_problems (node, "", NULL,
                   (const char *[]){ "pod.yaml: expected one Pod document (the pod to "
                                     "schedule), found 0 documents",
                                     NULL });
  assert_problems (node, POD (", nodeName: n0"), NULL,
                   (const char *[]){ "pod.yaml:4:107: spec.nodeName: the pod is already bound to "
                                     "node \"n0\": the pod to schedule has no nodeName",
                                     NULL });
  assert_problems (node, POD (", schedulerName: packer"), NULL,
                   (const char *[]){ "pod.yaml:4:112: spec.schedulerName: no scheduler profile "
                                     "is named \"packer\"; the configuration's profiles: "
                                     "default-scheduler",
                                     NULL });
}

/* ---- output ------------------------------------------------------------------------------- */

/* The default profile (whatever plugins it has): the same choice and totals, the plugins it adds
 * to the worked example's scoring nothing here. */
static void
test_json (void)
{
  g_autoptr (KsExplanation) e = explain (
      WORKED_STATE NODE ("gpu", "", "taints: [{key: dedicated, value: gpu, effect: NoSchedule}]",
                         "cpu: \"4\", memory: 8Gi"),
      worked_pod);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  GString *out = g_string_new (NULL);
  JsonObject *root, *b, *tt;
  JsonArray *nodes;

  ks_explanation_to_json (e, out);
  g_assert_true (json_parser_load_from_data (parser, out->str, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "pod"), ==, "default/p");
  g_assert_cmpstr (json_object_get_string_member (root, "selected"), ==, "b");
  g_assert_true (json_node_is_null (json_object_get_member (root, "nominated")));
  g_assert_cmpstr (json_object_get_string_member (root, "message"), ==, "");
  g_assert_cmpint (json_object_get_int_member (root, "filtered"), ==, 4);
  nodes = json_object_get_array_member (root, "nodes");
  g_assert_cmpuint (json_array_get_length (nodes), ==, 4);
  /* the scheduler's node order: the state's */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (nodes, 0), "name"),
                   ==, "a");
  b = json_array_get_object_element (nodes, 1);
  g_assert_true (json_object_get_boolean_member (b, "feasible"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (b, "reasons")), ==, 0);
  g_assert_cmpint (json_object_get_int_member (b, "total"), ==, 625);
  tt = json_object_get_object_member (json_object_get_object_member (b, "scores"),
                                      "TaintToleration");
  g_assert_cmpint (json_object_get_int_member (tt, "raw"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (tt, "normalized"), ==, 100);
  g_assert_cmpint (json_object_get_int_member (tt, "weight"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (tt, "weighted"), ==, 300);
  {
    JsonObject *gpu = json_array_get_object_element (nodes, 3);
    g_assert_false (json_object_get_boolean_member (gpu, "feasible"));
    g_assert_cmpstr (
        json_array_get_string_element (json_object_get_array_member (gpu, "reasons"), 0), ==,
        "node(s) had untolerated taint {dedicated: gpu}");
    g_assert_cmpuint (json_object_get_size (json_object_get_object_member (gpu, "scores")), ==, 0);
    g_assert_true (json_node_is_null (json_object_get_member (gpu, "total")));
  }
  g_string_free (out, TRUE);
}

static void
test_table (void)
{
  g_autoptr (KsExplanation) e = explain_worked (
      WORKED_STATE NODE ("gpu", "", "taints: [{key: dedicated, value: gpu, effect: NoSchedule}]",
                         "cpu: \"4\", memory: 8Gi"),
      worked_pod);
  GString *out = g_string_new (NULL);

  ks_explanation_to_table (e, out);
  g_assert_cmpstr (
      out->str, ==,
      "Pod:        default/p\n"
      "Profile:    default-scheduler\n"
      "Selected:   b\n"
      "Filtered:   4 of 4 nodes\n"
      "\n"
      "NODE   FEASIBLE   TaintToleration*3   NodeAffinity*2   NodeResourcesFit*1   "
      "NodeResourcesBalancedAllocation*1   TOTAL   REASONS\n"
      "a      yes        0 (raw 1)           100 (raw 10)     81                   93       "
      "                           374\n"
      "b      yes        100 (raw 0)         100 (raw 10)     50                   75       "
      "                           625\n"
      "c      yes        100 (raw 0)         0                81                   93       "
      "                           474\n"
      "gpu    no         -                   -                -                    -        "
      "                           -       node(s) had untolerated taint {dedicated: gpu}\n"
      "\n"
      "Scores: the plugin's normalized score (its raw score when NormalizeScore changed it); *N "
      "is the plugin's weight;\n"
      "TOTAL = sum of normalized score x weight. The highest TOTAL wins; ties are drawn at "
      "random (--seed).\n");
  g_string_free (out, TRUE);
}

/* ---- the framework's explain mode and reason counts --------------------------------------- */

static KsSchedCache *
cache_from (const char *state)
{
  g_autoptr (KsSource) s = source ("state.yaml", state);
  g_autoptr (KsDiag) diag = ks_diag_new ();
  KsSchedCache *cache = ks_sched_cache_new ();
  KsDecoder dec;

  ks_decoder_init (&dec, s, diag);
  for (guint i = 0; i < ks_source_get_n_documents (s); i++)
    {
      g_autoptr (KsObject) obj = ks_object_decode (&dec, ks_source_get_document (s, i), "default");
      g_assert_nonnull (obj);
      if (obj->kind->id == KS_KIND_NODE)
        ks_sched_cache_set_node (cache, KS_NODE (obj));
      else
        ks_sched_cache_set_pod (cache, KS_POD (obj));
    }
  ks_decoder_clear (&dec);
  g_assert_cmpuint (ks_diag_get_count (diag), ==, 0);
  return cache;
}

/* The FitError's counts per reason come with the result, sorted by reason; the explain-mode
 * cycle goes past the window and keeps every status. */
static void
test_reason_counts (void)
{
  g_autoptr (KsSchedulerConfig) config = ks_scheduler_config_new_default ();
  g_autoptr (GError) error = NULL;
  KsFramework *fw = ks_framework_new (g_ptr_array_index (config->profiles, 0), 0, 1, &error);
  g_autoptr (KsPod) pod = KS_POD (ks_test_decode (POD ("")));
  KsSchedCache *cache = cache_from (
      NODE ("t", "", "taints: [{key: k, value: v, effect: NoExecute}]", "cpu: \"4\", memory: 8Gi")
          NODE ("s1", "", "", "cpu: 500m, memory: 512Mi")
              NODE ("s2", "", "", "cpu: 500m, memory: 8Gi"));
  KsNodeInfo *const *nodes;
  const KsReasonCount *rc;
  KsScheduleResult r;
  guint n;

  g_assert_no_error (error);
  nodes = ks_sched_cache_list_nodes (cache, &n);
  ks_framework_schedule (fw, pod, nodes, n, 0, &r);
  g_assert_null (r.node);
  g_assert_true (r.rejected);
  g_assert_nonnull (r.reasons);
  g_assert_cmpuint (r.reasons->len, ==, 3);
  rc = (const KsReasonCount *) r.reasons->data;
  g_assert_cmpstr (rc[0].reason, ==, "Insufficient cpu");
  g_assert_cmpuint (rc[0].count, ==, 2);
  g_assert_cmpstr (rc[1].reason, ==, "Insufficient memory");
  g_assert_cmpuint (rc[1].count, ==, 1);
  g_assert_cmpstr (rc[2].reason, ==, "node(s) had untolerated taint {k: v}");
  g_assert_cmpuint (rc[2].count, ==, 1);
  /* the counts are the filters' part of the message (preemption's follows) */
  g_assert_true (g_str_has_prefix (r.message, "0/3 nodes are available: 1 Insufficient memory, 1 "
                                              "node(s) had untolerated taint {k: v}, 2 "
                                              "Insufficient cpu. preemption: "));
  ks_schedule_result_clear (&r);
  /* a pod that fits has no counts */
  {
    g_autoptr (KsPod) small = KS_POD (ks_test_decode (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: q}\nspec: {containers: [{name: c, image: "
        "x}]}\n"));
    ks_framework_schedule (fw, small, nodes, n, 0, &r);
    g_assert_nonnull (r.node);
    g_assert_null (r.reasons);
    ks_framework_end_cycle (fw);
    ks_schedule_result_clear (&r);
  }
  ks_framework_free (fw);
  ks_sched_cache_free (cache);
}

/* Explain mode on 120 identical nodes (numFeasibleNodesToFind 100): all 120 are filtered and
 * scored; normal mode stops at 100. */
static void
test_explain_mode (void)
{
  g_autoptr (KsSchedulerConfig) config = ks_scheduler_config_new_default ();
  g_autoptr (GError) error = NULL;
  KsFramework *fw = ks_framework_new (g_ptr_array_index (config->profiles, 0), 0, 1, &error);
  g_autoptr (KsPod) pod = KS_POD (ks_test_decode (POD ("")));
  KsSchedCache *cache = ks_sched_cache_new ();
  g_autoptr (KsNode) node
      = KS_NODE (ks_test_decode ("apiVersion: v1\nkind: Node\nmetadata: {name: x}\n"
                                 "status: {allocatable: {cpu: \"4\", memory: 8Gi}}\n"));
  KsNodeInfo *const *nodes;
  KsScheduleResult r;
  guint n, n_feasible;

  for (guint i = 0; i < 120; i++)
    {
      KsNode *copy = KS_NODE (ks_object_copy (KS_OBJECT (node)));
      g_free (copy->parent.meta.name);
      copy->parent.meta.name = g_strdup_printf ("n%03u", i);
      ks_sched_cache_set_node (cache, copy);
      ks_object_unref (KS_OBJECT (copy));
    }
  nodes = ks_sched_cache_list_nodes (cache, &n);
  ks_framework_schedule (fw, pod, nodes, n, 0, &r);
  g_assert_cmpuint (r.n_evaluated, ==, 100);
  ks_framework_end_cycle (fw);
  ks_schedule_result_clear (&r);

  ks_framework_set_explain (fw, TRUE);
  ks_framework_schedule (fw, pod, nodes, n, 0, &r);
  g_assert_nonnull (r.node);
  g_assert_cmpuint (r.n_evaluated, ==, 120);
  g_assert_cmpuint (r.n_feasible, ==, 120);
  ks_framework_last_feasible (fw, &n_feasible);
  g_assert_cmpuint (n_feasible, ==, 120);
  /* TaintToleration raw 0 everywhere, normalized (reversed, max 0) 100 */
  g_assert_cmpstr (ks_framework_last_score_plugin (fw, 0, NULL), ==, "TaintToleration");
  g_assert_cmpint (ks_framework_last_raw_score (fw, 0, 119), ==, 0);
  g_assert_cmpint (ks_framework_last_score (fw, 0, 119), ==, 100);
  g_assert_cmpint (ks_framework_last_status (fw, 119)->code, ==, KS_STATUS_SUCCESS);
  ks_framework_end_cycle (fw);
  ks_schedule_result_clear (&r);
  ks_framework_free (fw);
  ks_sched_cache_free (cache);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/explain/scores", test_scores);
  g_test_add_func ("/explain/skipped", test_skipped);
  g_test_add_func ("/explain/taint", test_taint);
  g_test_add_func ("/explain/affinity-mismatch", test_affinity_mismatch);
  g_test_add_func ("/explain/insufficient", test_insufficient);
  g_test_add_func ("/explain/ties", test_ties);
  g_test_add_func ("/explain/window", test_window);
  g_test_add_func ("/explain/window-all", test_window_all);
  g_test_add_func ("/explain/profile", test_profile);
  g_test_add_func ("/explain/post-filter", test_post_filter);
  g_test_add_func ("/explain/pre-filter-reject", test_pre_filter_reject);
  g_test_add_func ("/explain/no-nodes", test_no_nodes);
  g_test_add_func ("/explain/state-kinds", test_state_kinds);
  g_test_add_func ("/explain/bad-input", test_bad_input);
  g_test_add_func ("/explain/json", test_json);
  g_test_add_func ("/explain/table", test_table);
  g_test_add_func ("/framework/reason-counts", test_reason_counts);
  g_test_add_func ("/framework/explain-mode", test_explain_mode);
  return g_test_run ();
}
