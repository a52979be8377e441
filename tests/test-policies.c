/* test-policies.c: the research policies (policies/plugin-research-score.c,
 * plugin-gpu-packing.c, plugin-queue-sort.c) against hand-computed scores and orders, their
 * selection by name in a KubeSchedulerConfiguration, the queue re-sorting on observed changes,
 * and external policy modules (policies/ks-policy-modules.c): the example module loaded and
 * used, and every bad module refused with a message naming the file.
 *
 * Quantities: Gi = 1073741824 bytes, Mi = 1048576 bytes, cpu in millicores.  The comments show
 * the arithmetic. */
#include "config.h"

#include <string.h>

#include "policies/ks-policy-modules.h"
#include "policies/ks-policy.h"
#include "sim/ks-sim-clock.h"
#include "src/api/ks-decode.h"
#include "src/api/ks-yaml.h"
#include "src/controllers/ks-hpa.h"
#include "src/ks-rng.h"
#include "src/scheduler/ks-framework.h"
#include "src/scheduler/ks-sched-config.h"
#include "src/scheduler/ks-sched-queue.h"
#include "tests/ks-test-sched.h"
#include "tests/ks-test.h"

#define MI G_GINT64_CONSTANT (1048576)
#define GI G_GINT64_CONSTANT (1073741824)

/* ---- objects and node views -------------------------------------------------------------- */

/* A pod in namespace ns with annotations (a YAML flow mapping or NULL), spec (a flow mapping)
 * and uid byte uid (pods the observers see must differ in uid). */
static KsPod *
pod_full (const char *name, const char *ns, const char *annotations, const char *spec, guint8 uid)
{
  g_autofree char *text = g_strdup_printf ("apiVersion: v1\nkind: Pod\n"
                                           "metadata: {name: \"%s\", namespace: %s%s%s}\n"
                                           "spec: %s\n",
                                           name, ns, annotations ? ", annotations: " : "",
                                           annotations ? annotations : "", spec);
  KsPod *pod = KS_POD (ks_test_decode (text));

  pod->parent.meta.uid.bytes[0] = 0x51;
  pod->parent.meta.uid.bytes[15] = uid;
  return pod;
}

/* A pod with one container requesting requests (the inside of a flow mapping, or NULL). */
static KsPod *
pod_req (const char *name, const char *requests)
{
  g_autofree char *spec
      = requests ? g_strdup_printf ("{containers: [{name: c, image: busybox, resources: "
                                    "{requests: {%s}}}]}",
                                    requests)
                 : g_strdup ("{containers: [{name: c, image: busybox}]}");
  return pod_full (name, "default", NULL, spec, 0);
}

/* A pod with one container whose limits (and so requests) are limits: extended resources such as
 * nvidia.com/gpu must be given as limits. */
static KsPod *
pod_limits (const char *name, const char *limits)
{
  g_autofree char *spec = g_strdup_printf ("{containers: [{name: c, image: busybox, resources: "
                                           "{limits: {%s}}}]}",
                                           limits);
  return pod_full (name, "default", NULL, spec, 0);
}

static KsNode *
node_new (const char *name, const char *labels, const char *allocatable)
{
  g_autofree char *text
      = g_strdup_printf ("apiVersion: v1\nkind: Node\n"
                         "metadata: {name: \"%s\"%s%s}\n"
                         "status: {allocatable: {%s}}\n",
                         name, labels ? ", labels: " : "", labels ? labels : "", allocatable);
  return KS_NODE (ks_test_decode (text));
}

/* The node's summed requests for scoring (non-zero cpu and memory). */
static void
ni_requested (KsNodeInfo *ni, gint64 milli_cpu, gint64 memory)
{
  ni->nonzero_milli_cpu = milli_cpu;
  ni->nonzero_memory = memory;
  ni->requested.milli_cpu = milli_cpu;
  ni->requested.memory = memory;
}

#define NODES(list) ((KsNodeInfo *const *) (list)->pdata)

/* ---- one plugin -------------------------------------------------------------------------- */

typedef struct
{
  const KsSchedulerPlugin *plugin;
  KsPluginCtx ctx;
} Plug;

static void
plug_init (Plug *p, const char *name, const char *args_json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) args = NULL;

  memset (p, 0, sizeof *p);
  p->plugin = ks_scheduler_plugin_lookup (name);
  g_assert_nonnull (p->plugin);
  g_assert_cmpuint (p->plugin->abi_version, ==, KS_POLICY_ABI_VERSION);
  if (args_json != NULL)
    {
      args = json_from_string (args_json, &error);
      g_assert_no_error (error);
    }
  if (p->plugin->init != NULL)
    {
      gboolean ok = p->plugin->init (args, &p->ctx.instance, &error);
      g_assert_no_error (error);
      g_assert_true (ok);
    }
}

static void
plug_clear (Plug *p)
{
  if (p->ctx.cycle != NULL && p->plugin->free_cycle != NULL)
    p->plugin->free_cycle (p->ctx.cycle);
  p->ctx.cycle = NULL;
  if (p->plugin->destroy != NULL)
    p->plugin->destroy (p->ctx.instance);
  p->ctx.instance = NULL;
}

/* The message init gives for args it refuses. */
static char *
plug_init_error (const char *name, const char *args_json)
{
  const KsSchedulerPlugin *plugin = ks_scheduler_plugin_lookup (name);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) args = json_from_string (args_json, &error);
  gpointer instance = NULL;

  g_assert_no_error (error);
  g_assert_false (plugin->init (args, &instance, &error));
  g_assert_error (error, KS_POLICY_ERROR, 0);
  if (plugin->destroy != NULL)
    plugin->destroy (instance);
  return g_strdup (error->message);
}

/* Score every node of list, then normalize: out[i] for list[i]. */
static void
plug_scores (Plug *p, const KsPod *pod, GPtrArray *list, gint64 *out)
{
  for (guint i = 0; i < list->len; i++)
    out[i] = p->plugin->score (&p->ctx, pod, g_ptr_array_index (list, i));
  if (p->plugin->normalize != NULL)
    p->plugin->normalize (&p->ctx, pod, NODES (list), out, list->len);
}

static void
assert_scores (const gint64 *got, const gint64 *want, guint n)
{
  for (guint i = 0; i < n; i++)
    if (got[i] != want[i])
      g_error ("score %u: got %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT, i, got[i],
               want[i]);
}

/* ---- configurations and frameworks ------------------------------------------------------- */

#define CONFIG_HEAD KS_TEST_SCHED_CONFIG_HEAD

/* Decode a configuration; NULL when refused, with the first problem in *problem. */
static KsSchedulerConfig *
config_decode (const char *text, char **problem)
{
  return ks_test_sched_config_decode (text, FALSE, problem);
}

/* A profile that scores with score_plugin alone (every default score plugin disabled). */
static KsSchedulerConfig *
score_only_config (const char *score_plugin, gint32 percentage)
{
  g_autofree char *text = g_strdup_printf (CONFIG_HEAD "percentageOfNodesToScore: %d\n"
                                                       "profiles:\n"
                                                       "- plugins:\n"
                                                       "    score:\n"
                                                       "      disabled: [{name: \"*\"}]\n"
                                                       "      enabled: [{name: %s}]\n",
                                           percentage, score_plugin);
  KsSchedulerConfig *config = config_decode (text, NULL);

  g_assert_nonnull (config);
  return config;
}

static KsFramework *
framework_new (const KsSchedulerConfig *config, guint64 seed)
{
  g_autoptr (GError) error = NULL;
  KsFramework *fw = ks_framework_new (g_ptr_array_index (config->profiles, 0),
                                      config->percentage_of_nodes_to_score, seed, &error);

  g_assert_no_error (error);
  g_assert_nonnull (fw);
  return fw;
}

/* Schedule pod once (nothing is assumed) and return the chosen node's name (interned). */
static const char *
schedule_once (KsFramework *fw, const KsPod *pod, GPtrArray *nodes)
{
  KsScheduleResult r;
  const char *node;

  ks_framework_schedule (fw, pod, NODES (nodes), nodes->len, 0, &r);
  node = r.node;
  g_assert_nonnull (node);
  ks_framework_end_cycle (fw);
  ks_schedule_result_clear (&r);
  return node;
}

/* ---- Random ------------------------------------------------------------------------------ */

static void
test_random_scores (void)
{
  Plug p;
  g_autoptr (KsPod) pod = pod_req ("p", NULL);
  KsNodeInfo *ni = ks_test_node_info_new (node_new ("one", NULL, "cpu: \"1\""), 0);
  gint64 first[64], again[64];
  gboolean differs = FALSE;

  plug_init (&p, "Random", NULL);
  /* Same seed and stream: the same draws; each in [0, 100]. */
  for (guint round = 0; round < 3; round++)
    {
      guint64 seed = round < 2 ? 7 : 8;
      gint64 *out = round == 0 ? first : again;
      p.ctx.rng = ks_rng_new (seed, "scheduler/default-scheduler");
      for (guint i = 0; i < G_N_ELEMENTS (first); i++)
        {
          out[i] = p.plugin->score (&p.ctx, pod, ni);
          g_assert_cmpint (out[i], >=, 0);
          g_assert_cmpint (out[i], <=, 100);
        }
      gsl_rng_free (p.ctx.rng);
      if (round == 1)
        assert_scores (again, first, G_N_ELEMENTS (first));
      if (round == 2)
        for (guint i = 0; i < G_N_ELEMENTS (first); i++)
          differs |= again[i] != first[i];
    }
  g_assert_true (differs);
  plug_clear (&p);
  ks_test_node_info_free (ni);
}

/* Whole cycles with Random as the only score: the same seed places a sequence of pods on the
 * same nodes, another seed on other nodes. */
static void
run_random_sequence (guint64 seed, const char **out, guint n_pods)
{
  g_autoptr (KsSchedulerConfig) config = score_only_config ("Random", 100);
  KsFramework *fw = framework_new (config, seed);
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  g_autoptr (KsNode) shape = node_new ("shape", NULL, "cpu: \"4\", memory: 8Gi, pods: \"110\"");
  g_autoptr (KsPod) pod = pod_req ("p", "cpu: 100m");

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("n%u", i);
      g_ptr_array_add (nodes, ks_test_node_info_new_shared (shape, name, i));
    }
  for (guint k = 0; k < n_pods; k++)
    out[k] = schedule_once (fw, pod, nodes);
  ks_framework_free (fw);
}

static void
test_random_determinism (void)
{
  const char *a[30], *b[30], *c[30];
  gboolean differs = FALSE;
  GHashTable *seen = g_hash_table_new (g_direct_hash, g_direct_equal);

  run_random_sequence (1, a, 30);
  run_random_sequence (1, b, 30);
  run_random_sequence (2, c, 30);
  for (guint k = 0; k < 30; k++)
    {
      g_assert_true (a[k] == b[k]); /* interned */
      differs |= a[k] != c[k];
      g_hash_table_add (seen, (gpointer) a[k]);
    }
  g_assert_true (differs);
  /* 30 uniform picks among 10 nodes land on more than one node. */
  g_assert_cmpuint (g_hash_table_size (seen), >, 3);
  g_hash_table_unref (seen);
}

/* ---- FirstFit ---------------------------------------------------------------------------- */

static void
test_first_fit_normalize (void)
{
  Plug p;
  g_autoptr (KsPod) pod = pod_req ("p", NULL);
  g_autoptr (GPtrArray) list = ks_test_node_list_new ();
  g_autoptr (KsNode) shape = node_new ("shape", NULL, "cpu: \"1\"");
  static const guint idx[] = { 3, 1, 9, 5 };
  gint64 got[4];
  /* lowest index 1 wins: 100; the others 99·(9 − i)/(9 − 1): i=3 → 594/8 = 74, i=5 → 396/8 =
   * 49, i=9 → 0 */
  static const gint64 want[4] = { 74, 100, 0, 49 };

  for (guint i = 0; i < 4; i++)
    g_ptr_array_add (list, ks_test_node_info_new_shared (shape, "n", idx[i]));
  plug_init (&p, "FirstFit", NULL);
  plug_scores (&p, pod, list, got);
  assert_scores (got, want, 4);
  plug_clear (&p);
}

/* FirstFit takes the lowest-index node that passed the filters, among the nodes the cycle
 * looked at: with percentageOfNodesToScore 100 that is every node; with 25 on 400 nodes the
 * cycle stops after 100 feasible nodes and the next one starts where it stopped, so FirstFit
 * becomes first fit within a rotating window (next fit by windows). */
static void
test_first_fit_window (void)
{
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  g_autoptr (KsNode) big = node_new ("big", NULL, "cpu: \"4\", pods: \"110\"");
  g_autoptr (KsPod) pod = pod_req ("p", "cpu: \"2\"");
  g_autoptr (KsSchedulerConfig) all = score_only_config ("FirstFit", 100);
  g_autoptr (KsSchedulerConfig) quarter = score_only_config ("FirstFit", 25);
  KsFramework *fw;

  /* node 0 is too small: the first fit is node 1 */
  g_ptr_array_add (
      nodes, ks_test_node_info_new (node_new ("small", NULL, "cpu: \"1\", pods: \"110\""), 0));
  for (guint i = 1; i < 400; i++)
    {
      g_autofree char *name = g_strdup_printf ("n%03u", i);
      g_ptr_array_add (nodes, ks_test_node_info_new_shared (big, name, i));
    }
  fw = framework_new (all, 1);
  g_assert_cmpstr (schedule_once (fw, pod, nodes), ==, "n001");
  g_assert_cmpstr (schedule_once (fw, pod, nodes), ==, "n001");
  ks_framework_free (fw);

  /* numFeasibleNodesToFind(25%, 400) = max(100, 400·25/100) = 100: the first cycle filters
   * nodes 0-100 (100 feasible) and takes n001; the second starts at node 101 and takes it; the
   * fourth starts at 301, wraps around after n399 and so sees n001 again. */
  g_assert_cmpuint (ks_num_feasible_nodes_to_find (25, 400), ==, 100);
  fw = framework_new (quarter, 1);
  g_assert_cmpstr (schedule_once (fw, pod, nodes), ==, "n001");
  g_assert_cmpstr (schedule_once (fw, pod, nodes), ==, "n101");
  g_assert_cmpstr (schedule_once (fw, pod, nodes), ==, "n201");
  g_assert_cmpstr (schedule_once (fw, pod, nodes), ==, "n001");
  ks_framework_free (fw);
}

/* ---- BestFit / WorstFit ------------------------------------------------------------------ */

static void
fit_nodes (GPtrArray *list)
{
  KsNodeInfo *a = ks_test_node_info_new (node_new ("a", NULL, "cpu: \"4\", memory: 8Gi"), 0);
  KsNodeInfo *b = ks_test_node_info_new (node_new ("b", NULL, "cpu: \"8\", memory: 8Gi"), 1);
  KsNodeInfo *c = ks_test_node_info_new (node_new ("c", NULL, "cpu: \"2\", memory: 8Gi"), 2);
  KsNodeInfo *d = ks_test_node_info_new (node_new ("d", NULL, "cpu: \"16\", memory: 8Gi"), 3);

  ni_requested (a, 1000, 0);
  ni_requested (b, 6000, 0);
  ni_requested (c, 0, 0);
  ni_requested (d, 2000, 0);
  g_ptr_array_add (list, a);
  g_ptr_array_add (list, b);
  g_ptr_array_add (list, c);
  g_ptr_array_add (list, d);
}

static void
test_best_worst_fit_cpu (void)
{
  Plug p;
  g_autoptr (KsPod) pod = pod_req ("p", "cpu: 500m");
  g_autoptr (GPtrArray) list = ks_test_node_list_new ();
  gint64 got[4];
  /* cpu left after the pod: a 4000−1000−500 = 2500, b 8000−6000−500 = 1500,
   * c 2000−0−500 = 1500, d 16000−2000−500 = 13500; spread 13500 − 1500 = 12000.
   * BestFit: b, c 100; a 99·(13500−2500)/12000 = 1089000/12000 = 90; d 0.
   * WorstFit: d 100; a 99·(2500−1500)/12000 = 99000/12000 = 8; b, c 0. */
  static const gint64 raw[4] = { 2500, 1500, 1500, 13500 };
  static const gint64 best[4] = { 90, 100, 100, 0 };
  static const gint64 worst[4] = { 8, 0, 0, 100 };

  fit_nodes (list);
  plug_init (&p, "BestFit", NULL);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (p.plugin->score (&p.ctx, pod, g_ptr_array_index (list, i)), ==, raw[i]);
  plug_scores (&p, pod, list, got);
  assert_scores (got, best, 4);
  plug_clear (&p);
  plug_init (&p, "WorstFit", "{\"resource\": \"cpu\"}");
  plug_scores (&p, pod, list, got);
  assert_scores (got, worst, 4);
  plug_clear (&p);
}

static void
test_best_fit_memory_and_extended (void)
{
  Plug p;
  /* no memory request: scored as the 200Mi default */
  g_autoptr (KsPod) pod = pod_req ("p", "cpu: 100m");
  g_autoptr (KsPod) gpu = pod_limits ("g", "nvidia.com/gpu: 1");
  KsNodeInfo *e = ks_test_node_info_new (node_new ("e", NULL, "memory: 1Gi, nvidia.com/gpu: 4"), 0);
  KsNodeInfo *f
      = ks_test_node_info_new (node_new ("f", NULL, "memory: 512Mi, nvidia.com/gpu: 2"), 1);
  g_autoptr (GPtrArray) list = ks_test_node_list_new ();
  gint64 got[2];

  g_ptr_array_add (list, e);
  g_ptr_array_add (list, f);
  plug_init (&p, "BestFit", "{\"resource\": \"memory\"}");
  /* e: 1024Mi − 200Mi = 824Mi; f: 512Mi − 200Mi = 312Mi */
  g_assert_cmpint (p.plugin->score (&p.ctx, pod, e), ==, 824 * MI);
  g_assert_cmpint (p.plugin->score (&p.ctx, pod, f), ==, 312 * MI);
  plug_scores (&p, pod, list, got);
  g_assert_cmpint (got[0], ==, 0);
  g_assert_cmpint (got[1], ==, 100);
  plug_clear (&p);

  /* nvidia.com/gpu, real requests: e holds 1 of 4, so 4 − 1 − 1 = 2 left; f 2 − 0 − 1 = 1 */
  ks_resources_set (&e->requested, "nvidia.com/gpu", 1);
  plug_init (&p, "BestFit", "{\"resource\": \"nvidia.com/gpu\"}");
  g_assert_cmpint (p.plugin->score (&p.ctx, gpu, e), ==, 2);
  g_assert_cmpint (p.plugin->score (&p.ctx, gpu, f), ==, 1);
  plug_clear (&p);
}

static void
test_fit_bad_args (void)
{
  g_autofree char *m1 = plug_init_error ("BestFit", "{\"resource\": 5}");
  g_autofree char *m2 = plug_init_error ("WorstFit", "{\"resource\": \"not a name\"}");
  g_autofree char *m3 = plug_init_error ("BestFit", "{\"resources\": \"cpu\"}");
  g_autofree char *m4 = plug_init_error ("BestFit", "[1]");

  g_assert_cmpstr (m1, ==,
                   "resource: must be a resource name such as cpu, memory or nvidia.com/gpu");
  g_assert_cmpstr (m2, ==,
                   "resource: \"not a name\" is not a resource name: use cpu, memory, "
                   "ephemeral-storage, pods, hugepages-<size> or an extended resource such as "
                   "nvidia.com/gpu");
  g_assert_cmpstr (m3, ==, "resources: unknown field (BestFitArgs has: resource)");
  g_assert_cmpstr (m4, ==, "expected a mapping of BestFitArgs");
}

/* ---- DotProduct -------------------------------------------------------------------------- */

static void
dot_nodes (GPtrArray *list)
{
  KsNodeInfo *a = ks_test_node_info_new (node_new ("a", NULL, "cpu: \"4\", memory: 8Gi"), 0);
  KsNodeInfo *b = ks_test_node_info_new (node_new ("b", NULL, "cpu: \"2\", memory: 16Gi"), 1);
  KsNodeInfo *c = ks_test_node_info_new (node_new ("c", NULL, "cpu: \"8\", memory: 4Gi"), 2);

  ni_requested (a, 2000, 0);
  ni_requested (b, 0, 0);
  ni_requested (c, 0, 2 * GI);
  g_ptr_array_add (list, a);
  g_ptr_array_add (list, b);
  g_ptr_array_add (list, c);
}

static void
test_dot_product (void)
{
  Plug p;
  g_autoptr (KsPod) pod = pod_req ("p", "cpu: \"1\", memory: 2Gi");
  g_autoptr (GPtrArray) list = ks_test_node_list_new ();
  gint64 got[3];
  /* Σ w·(q/A)·(free/A) / Σ w, ×10^6, weights 1:
   *   a: cpu (1000/4000)·(2000/4000) = 0.125, memory (2/8)·(8/8) = 0.25 → 0.375/2 = 0.1875
   *   b: cpu (1000/2000)·1 = 0.5, memory (2/16)·1 = 0.125 → 0.625/2 = 0.3125
   *   c: cpu (1000/8000)·1 = 0.125, memory (2/4)·(2/4) = 0.25 → 0.375/2 = 0.1875
   * normalized by the highest (312500): 100·187500/312500 = 60, 100, 60 */
  static const gint64 raw[3] = { 187500, 312500, 187500 };
  static const gint64 norm[3] = { 60, 100, 60 };
  /* cpu weight 3, memory 1: a (3·0.125 + 0.25)/4 = 0.15625, b (1.5 + 0.125)/4 = 0.40625,
   * c (0.375 + 0.25)/4 = 0.15625; normalized 100·156250/406250 = 38, 100, 38 */
  static const gint64 raw31[3] = { 156250, 406250, 156250 };
  static const gint64 norm31[3] = { 38, 100, 38 };

  dot_nodes (list);
  plug_init (&p, "DotProduct", NULL);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (p.plugin->score (&p.ctx, pod, g_ptr_array_index (list, i)), ==, raw[i]);
  plug_scores (&p, pod, list, got);
  assert_scores (got, norm, 3);
  plug_clear (&p);

  plug_init (&p, "DotProduct",
             "{\"resources\": [{\"name\": \"cpu\", \"weight\": 3}, {\"name\": \"memory\"}]}");
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (p.plugin->score (&p.ctx, pod, g_ptr_array_index (list, i)), ==, raw31[i]);
  plug_scores (&p, pod, list, got);
  assert_scores (got, norm31, 3);
  plug_clear (&p);
}

static void
test_dot_product_bad_args (void)
{
  g_autofree char *m1 = plug_init_error ("DotProduct", "{\"resources\": []}");
  g_autofree char *m2
      = plug_init_error ("DotProduct", "{\"resources\": [{\"name\": \"cpu\", \"weight\": 0}]}");
  g_autofree char *m3 = plug_init_error (
      "DotProduct", "{\"resources\": [{\"name\": \"cpu\"}, {\"name\": \"cpu\"}]}");
  g_autofree char *m4
      = plug_init_error ("DotProduct", "{\"resources\": [{\"name\": \"cpu\", \"wieght\": 2}]}");
  g_autofree char *m5 = plug_init_error ("DotProduct", "{\"resources\": [{\"weight\": 2}]}");

  g_assert_cmpstr (m1, ==,
                   "resources: must be a non-empty list of {name: RESOURCE, weight: 1-100}");
  g_assert_cmpstr (m2, ==, "resources[0].weight: must be an integer from 1 to 100");
  g_assert_cmpstr (m3, ==, "resources[1].name: resource \"cpu\" is listed twice");
  g_assert_cmpstr (m4, ==, "resources[0].wieght: unknown field ({name, weight} has: name, weight)");
  g_assert_cmpstr (m5, ==, "resources[0].name: required field is missing");
}

/* ---- GPUPacking -------------------------------------------------------------------------- */

static KsPod *
gpu_pod (const char *name, const char *annotations, const char *limits, guint8 uid)
{
  g_autofree char *spec
      = limits ? g_strdup_printf ("{containers: [{name: c, image: busybox, resources: "
                                  "{limits: {%s}}}]}",
                                  limits)
               : g_strdup ("{containers: [{name: c, image: busybox}]}");
  return pod_full (name, "default", annotations, spec, uid);
}

/* PreFilter's code for pod, and its reason (or NULL). */
static KsStatusCode
gpu_pre_filter (Plug *p, const KsPod *pod, char **reason)
{
  KsStatus st = { 0 };
  KsStatusCode code;

  if (p->ctx.cycle != NULL)
    p->plugin->free_cycle (p->ctx.cycle);
  p->ctx.cycle = NULL;
  code = p->plugin->pre_filter (&p->ctx, pod, &st);
  *reason = st.n_reasons > 0 ? g_strdup (st.reasons[0]) : NULL;
  return code;
}

static void
test_gpu_demand (void)
{
  Plug p;
  g_autoptr (KsPod) none = gpu_pod ("none", NULL, "cpu: \"1\"", 1);
  g_autoptr (KsPod) bad = gpu_pod ("bad", "{kubesim.io/gpu-milli: \"1.5\"}", NULL, 2);
  g_autoptr (KsPod) big = gpu_pod ("big", "{kubesim.io/gpu-milli: \"1001\"}", NULL, 3);
  g_autoptr (KsPod) two = gpu_pod ("two",
                                   "{kubesim.io/gpu-milli: \"500\", kubesim.io/gpu-count: "
                                   "\"2\"}",
                                   NULL, 4);
  g_autoptr (KsPod) both
      = gpu_pod ("both", "{kubesim.io/gpu-milli: \"500\"}", "nvidia.com/gpu: 1", 5);
  g_autoptr (KsPod) half = gpu_pod ("half", "{kubesim.io/gpu-milli: \"500\"}", NULL, 6);
  g_autoptr (KsPod) whole = gpu_pod ("whole", NULL, "nvidia.com/gpu: 2", 7);
  char *reason;

  plug_init (&p, "GPUPacking", NULL);
  g_assert_cmpint (gpu_pre_filter (&p, none, &reason), ==, KS_STATUS_SKIP);
  g_assert_null (reason);
  g_assert_cmpint (gpu_pre_filter (&p, bad, &reason), ==, KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE);
  g_assert_cmpstr (reason, ==,
                   "pod's kubesim.io/gpu-milli \"1.5\" is not an integer from 1 to 1000 "
                   "(thousandths of one GPU)");
  g_free (reason);
  g_assert_cmpint (gpu_pre_filter (&p, big, &reason), ==, KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE);
  g_free (reason);
  g_assert_cmpint (gpu_pre_filter (&p, two, &reason), ==, KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE);
  g_assert_cmpstr (reason, ==,
                   "pod's kubesim.io/gpu-milli below 1000 needs kubesim.io/gpu-count \"1\" (a "
                   "shared GPU is one GPU)");
  g_free (reason);
  g_assert_cmpint (gpu_pre_filter (&p, both, &reason), ==,
                   KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE);
  g_assert_cmpstr (reason, ==,
                   "pod gives both kubesim.io/gpu-milli annotations and a nvidia.com/gpu "
                   "request: use one of them");
  g_free (reason);
  g_assert_cmpint (gpu_pre_filter (&p, half, &reason), ==, KS_STATUS_SUCCESS);
  g_assert_cmpint (gpu_pre_filter (&p, whole, &reason), ==, KS_STATUS_SUCCESS);
  plug_clear (&p);
}

static KsStatusCode
gpu_filter (Plug *p, const KsPod *pod, const KsNodeInfo *ni, char **reason)
{
  KsStatus st = { 0 };
  KsStatusCode code;

  if (p->ctx.cycle != NULL)
    p->plugin->free_cycle (p->ctx.cycle);
  p->ctx.cycle = NULL; /* without PreFilter: the filter reads the pod itself */
  code = p->plugin->filter (&p->ctx, pod, ni, &st);
  if (reason != NULL)
    *reason = st.n_reasons > 0 ? g_strdup (st.reasons[0]) : NULL;
  return code;
}

static void
test_gpu_packing (void)
{
  Plug p;
  KsNodeInfo *n0
      = ks_test_node_info_new (node_new ("g2", NULL, "cpu: \"8\", nvidia.com/gpu: 2"), 0);
  KsNodeInfo *n1
      = ks_test_node_info_new (node_new ("g4", NULL, "cpu: \"8\", nvidia.com/gpu: 4"), 1);
  KsNodeInfo *n2 = ks_test_node_info_new (node_new ("cpu", NULL, "cpu: \"8\""), 2);
  g_autoptr (KsPod) a = gpu_pod ("a", "{kubesim.io/gpu-milli: \"600\"}", NULL, 1);
  g_autoptr (KsPod) b = gpu_pod ("b", "{kubesim.io/gpu-milli: \"300\"}", NULL, 2);
  g_autoptr (KsPod) c = gpu_pod ("c", "{kubesim.io/gpu-milli: \"500\"}", NULL, 3);
  g_autoptr (KsPod) x = gpu_pod ("x", "{kubesim.io/gpu-milli: \"600\"}", NULL, 4);
  g_autoptr (KsPod) y = gpu_pod ("y", "{kubesim.io/gpu-milli: \"400\"}", NULL, 5);
  g_autoptr (KsPod) w = gpu_pod ("w", NULL, "nvidia.com/gpu: 1", 6);
  g_autoptr (KsPod) w2 = gpu_pod ("w2", "{kubesim.io/gpu-count: \"2\"}", NULL, 7);
  g_autoptr (KsPod) s = gpu_pod ("s", "{kubesim.io/gpu-milli: \"300\"}", NULL, 8);
  char *reason;

  plug_init (&p, "GPUPacking", NULL);
  /* a (600) takes GPU 0 of g2 (both idle: the lowest index); b (300) the best fit, GPU 0 again
   * (400 free); c (500) no longer fits GPU 0 (100 free): GPU 1.  g2: GPU 0 900, GPU 1 500. */
  g_assert_false (p.plugin->observe_pod (p.ctx.instance, a, n0, TRUE));
  g_assert_false (p.plugin->observe_pod (p.ctx.instance, b, n0, TRUE));
  g_assert_false (p.plugin->observe_pod (p.ctx.instance, c, n0, TRUE));

  /* x (600): no GPU of g2 has 600 free; g4 is idle; the cpu node has no GPU */
  g_assert_cmpint (gpu_filter (&p, x, n0, &reason), ==, KS_STATUS_UNSCHEDULABLE);
  g_assert_cmpstr (reason, ==, "node(s) had no GPU with enough free share");
  g_free (reason);
  g_assert_cmpint (gpu_filter (&p, x, n1, NULL), ==, KS_STATUS_SUCCESS);
  g_assert_cmpint (gpu_filter (&p, x, n2, NULL), ==, KS_STATUS_UNSCHEDULABLE);
  /* w (1 whole GPU): g2 has no idle GPU */
  g_assert_cmpint (gpu_filter (&p, w, n0, &reason), ==, KS_STATUS_UNSCHEDULABLE);
  g_assert_cmpstr (reason, ==, "node(s) had too few idle GPUs");
  g_free (reason);

  /* y (400) on g2: GPU 1 (500 free, in use), L = 100: 100 − 50·100/1000 = 95.
   * On idle g4 (G = 4): 24/4 = 6. */
  g_assert_cmpint (p.plugin->score (&p.ctx, y, n0), ==, 95);
  g_assert_cmpint (p.plugin->score (&p.ctx, y, n1), ==, 6);
  /* w on g4: F = 4 idle, C = 1: 100·(4 − (4 − 1))/4 = 25 */
  g_assert_cmpint (p.plugin->score (&p.ctx, w, n1), ==, 25);

  /* a leaves: GPU 0 of g2 back to 300 used (700 free).  y (400): best fit is still GPU 1
   * (500 free < 700): 95 again; a 800 share fits nowhere on g2. */
  g_assert_false (p.plugin->observe_pod (p.ctx.instance, a, n0, FALSE));
  g_assert_cmpint (p.plugin->score (&p.ctx, y, n0), ==, 95);
  /* x (600) fits GPU 0 now (700 free, in use): L = 100 → 95 */
  g_assert_cmpint (gpu_filter (&p, x, n0, NULL), ==, KS_STATUS_SUCCESS);
  g_assert_cmpint (p.plugin->score (&p.ctx, x, n0), ==, 95);

  /* w takes GPU 0 of g4; s (300) then goes to an idle GPU of a node in use: B = 1 of 4:
   * 25 + 24·1/4 = 31; w2 (2 whole GPUs): F = 3: 100·(4 − (3 − 2))/4 = 75 */
  g_assert_false (p.plugin->observe_pod (p.ctx.instance, w, n1, TRUE));
  g_assert_cmpint (p.plugin->score (&p.ctx, s, n1), ==, 31);
  g_assert_cmpint (p.plugin->score (&p.ctx, w2, n1), ==, 75);
  g_assert_cmpint (gpu_filter (&p, w2, n1, NULL), ==, KS_STATUS_SUCCESS);
  /* w2 takes GPUs 1 and 2; one idle GPU left, so a second w2 does not fit */
  g_assert_false (p.plugin->observe_pod (p.ctx.instance, w2, n1, TRUE));
  g_assert_cmpint (gpu_filter (&p, w2, n1, NULL), ==, KS_STATUS_UNSCHEDULABLE);
  /* w leaves: two idle again */
  g_assert_false (p.plugin->observe_pod (p.ctx.instance, w, n1, FALSE));
  g_assert_cmpint (gpu_filter (&p, w2, n1, NULL), ==, KS_STATUS_SUCCESS);
  plug_clear (&p);
  ks_test_node_info_free (n0);
  ks_test_node_info_free (n1);
  ks_test_node_info_free (n2);
}

/* What-if filtering (preemption): on a copy of the cycle, removing a victim frees its share for
 * Filter, adding it back takes it again; the original cycle and the instance do not change. */
static void
test_gpu_what_if (void)
{
  Plug p;
  KsNodeInfo *n0
      = ks_test_node_info_new (node_new ("g1", NULL, "cpu: \"8\", nvidia.com/gpu: 1"), 0);
  g_autoptr (KsPod) victim = gpu_pod ("victim", "{kubesim.io/gpu-milli: \"700\"}", NULL, 1);
  g_autoptr (KsPod) other = gpu_pod ("other", "{kubesim.io/gpu-milli: \"200\"}", NULL, 2);
  g_autoptr (KsPod) pod = gpu_pod ("pod", "{kubesim.io/gpu-milli: \"500\"}", NULL, 3);
  g_autoptr (KsPod) nominated = gpu_pod ("nominated", "{kubesim.io/gpu-milli: \"600\"}", NULL, 4);
  KsStatus st = { 0 };
  gpointer original, copy;
  char *reason;

  plug_init (&p, "GPUPacking", NULL);
  g_assert_nonnull (p.plugin->clone_cycle);
  p.plugin->observe_pod (p.ctx.instance, victim, n0, TRUE);
  p.plugin->observe_pod (p.ctx.instance, other, n0, TRUE);
  /* 900 of 1000 used: pod (500) does not fit */
  g_assert_cmpint (gpu_pre_filter (&p, pod, &reason), ==, KS_STATUS_SUCCESS);
  g_assert_cmpint (p.plugin->filter (&p.ctx, pod, n0, &st), ==, KS_STATUS_UNSCHEDULABLE);
  original = p.ctx.cycle;
  copy = p.plugin->clone_cycle (original);
  p.ctx.cycle = copy;
  p.plugin->remove_pod (&p.ctx, pod, victim, n0);
  p.plugin->remove_pod (&p.ctx, pod, victim, n0); /* twice: once */
  st.n_reasons = 0;
  g_assert_cmpint (p.plugin->filter (&p.ctx, pod, n0, &st), ==, KS_STATUS_SUCCESS);
  /* a pod nominated there takes 600 of the 800 free: pod no longer fits; removing it again
   * frees it */
  p.plugin->add_pod (&p.ctx, pod, nominated, n0);
  g_assert_cmpint (p.plugin->filter (&p.ctx, pod, n0, &st), ==, KS_STATUS_UNSCHEDULABLE);
  p.plugin->remove_pod (&p.ctx, pod, nominated, n0);
  g_assert_cmpint (p.plugin->filter (&p.ctx, pod, n0, &st), ==, KS_STATUS_SUCCESS);
  {
    /* a copy of the copy keeps its changes */
    gpointer second = p.plugin->clone_cycle (copy);
    p.ctx.cycle = second;
    g_assert_cmpint (p.plugin->filter (&p.ctx, pod, n0, &st), ==, KS_STATUS_SUCCESS);
    p.plugin->add_pod (&p.ctx, pod, victim, n0); /* the victim back */
    g_assert_cmpint (p.plugin->filter (&p.ctx, pod, n0, &st), ==, KS_STATUS_UNSCHEDULABLE);
    p.plugin->free_cycle (second);
  }
  p.plugin->free_cycle (copy);
  /* the original cycle and the instance are as before */
  p.ctx.cycle = original;
  g_assert_cmpint (p.plugin->filter (&p.ctx, pod, n0, &st), ==, KS_STATUS_UNSCHEDULABLE);
  plug_clear (&p);
  ks_test_node_info_free (n0);
}

/* The openb trace's names: nodes with alibabacloud.com/gpu-count, pods annotated with
 * alibabacloud.com/gpu-milli and gpu-count. */
static void
test_gpu_openb_names (void)
{
  Plug p;
  KsNodeInfo *n = ks_test_node_info_new (node_new ("openb", NULL,
                                                   "cpu: \"64\", alibabacloud.com/gpu-count: 2, "
                                                   "alibabacloud.com/gpu-milli: 2000"),
                                         0);
  g_autoptr (KsPod) pod = gpu_pod ("p",
                                   "{alibabacloud.com/gpu-milli: \"460\", "
                                   "alibabacloud.com/gpu-count: \"1\"}",
                                   NULL, 1);
  g_autofree char *m1 = plug_init_error ("GPUPacking", "{\"gpuResource\": \"\"}");
  g_autofree char *m2 = plug_init_error ("GPUPacking", "{\"gpuResourse\": \"x\"}");

  plug_init (&p, "GPUPacking",
             "{\"gpuResource\": \"alibabacloud.com/gpu-count\", \"milliAnnotation\": "
             "\"alibabacloud.com/gpu-milli\", \"countAnnotation\": "
             "\"alibabacloud.com/gpu-count\"}");
  /* idle node with 2 GPUs: 24/2 = 12 */
  g_assert_cmpint (p.plugin->score (&p.ctx, pod, n), ==, 12);
  p.plugin->observe_pod (p.ctx.instance, pod, n, TRUE);
  /* GPU 0 in use with 540 free: L = 540 − 460 = 80: 100 − 50·80/1000 = 96 */
  g_assert_cmpint (p.plugin->score (&p.ctx, pod, n), ==, 96);
  plug_clear (&p);
  ks_test_node_info_free (n);
  g_assert_cmpstr (m1, ==, "gpuResource: must be a non-empty string");
  g_assert_cmpstr (m2, ==,
                   "gpuResourse: unknown field (GPUPackingArgs has: gpuResource, "
                   "milliAnnotation, countAnnotation)");
}

/* ---- queue sorts ------------------------------------------------------------------------- */

static void
test_fifo_less (void)
{
  Plug p;
  g_autoptr (KsPod) low
      = pod_full ("low", "default", NULL, "{containers: [{name: c, image: b}]}", 1);
  g_autoptr (KsPod) high
      = pod_full ("high", "default", NULL, "{containers: [{name: c, image: b}], priority: 100}", 2);
  KsQueuedPod a = { .pod = low, .timestamp = 90, .initial_attempt_timestamp = 10, .sequence = 5 };
  KsQueuedPod b = { .pod = high, .timestamp = 20, .initial_attempt_timestamp = 20, .sequence = 1 };
  KsQueuedPod c = { .pod = high, .timestamp = 0, .initial_attempt_timestamp = 10, .sequence = 6 };

  plug_init (&p, "FIFO", NULL);
  /* first arrival first, whatever the priority or the latest queue timestamp */
  g_assert_true (p.plugin->less (NULL, &a, &b));
  g_assert_false (p.plugin->less (NULL, &b, &a));
  /* same arrival time: sequence */
  g_assert_true (p.plugin->less (NULL, &a, &c));
  g_assert_false (p.plugin->less (NULL, &c, &a));
  g_assert_false (p.plugin->less (NULL, &a, &a));
  plug_clear (&p);
}

static void
test_sjf_less (void)
{
  Plug p;
  const char *spec = "{containers: [{name: c, image: b}]}";
  g_autoptr (KsPod) short_ = pod_full ("short", "default", "{kubesim.io/duration: 30s}", spec, 1);
  g_autoptr (KsPod) long_ = pod_full ("long", "default", "{kubesim.io/duration: 5m}", spec, 2);
  g_autoptr (KsPod) none = pod_full ("none", "default", NULL, spec, 3);
  g_autoptr (KsPod) bad = pod_full ("bad", "default", "{kubesim.io/duration: soon}", spec, 4);
  KsQueuedPod s = { .pod = short_, .initial_attempt_timestamp = 50, .sequence = 9 };
  KsQueuedPod l = { .pod = long_, .initial_attempt_timestamp = 0, .sequence = 0 };
  KsQueuedPod n = { .pod = none, .initial_attempt_timestamp = 0, .sequence = 1 };
  KsQueuedPod b = { .pod = bad, .initial_attempt_timestamp = 0, .sequence = 2 };

  plug_init (&p, "ShortestJobFirst", NULL);
  g_assert_true (p.plugin->less (NULL, &s, &l)); /* 30 s before 5 min, though later */
  g_assert_false (p.plugin->less (NULL, &l, &s));
  g_assert_true (p.plugin->less (NULL, &l, &n)); /* no duration: last */
  /* without a duration and with an unreadable one: equally long, arrival order */
  g_assert_true (p.plugin->less (NULL, &n, &b));
  g_assert_false (p.plugin->less (NULL, &b, &n));
  plug_clear (&p);
}

static void
test_drf_shares (void)
{
  Plug p;
  g_autoptr (KsNode) small = node_new ("small", NULL, "cpu: \"10\", memory: 10Gi");
  g_autoptr (KsNode) large = node_new ("large", NULL, "cpu: \"10\", memory: 30Gi");
  const char *spec_a
      = "{containers: [{name: c, image: b, resources: {requests: {cpu: \"2\", memory: 4Gi}}}]}";
  const char *spec_b
      = "{containers: [{name: c, image: b, resources: {requests: {cpu: \"1\", memory: 12Gi}}}]}";
  const char *spec_0 = "{containers: [{name: c, image: b}]}";
  g_autoptr (KsPod) a = pod_full ("a", "team-a", NULL, spec_a, 1);
  g_autoptr (KsPod) b = pod_full ("b", "team-b", NULL, spec_b, 2);
  g_autoptr (KsPod) a2 = pod_full ("a2", "team-a", NULL, spec_0, 3);
  g_autoptr (KsPod) b2 = pod_full ("b2", "team-b", NULL, spec_0, 4);
  g_autoptr (KsPod) c2 = pod_full ("c2", "team-c", NULL, spec_0, 5);
  KsNodeInfo *ni = ks_test_node_info_new (KS_NODE (ks_object_ref (KS_OBJECT (small))), 0);
  KsQueuedPod qa = { .pod = a2, .sequence = 0 };
  KsQueuedPod qb = { .pod = b2, .sequence = 1 };
  KsQueuedPod qc = { .pod = c2, .sequence = 2 };

  plug_init (&p, "DominantResourceFairness", NULL);
  /* nothing used: arrival order */
  g_assert_true (p.plugin->less (p.ctx.instance, &qa, &qb));
  /* capacity: cpu 20000, memory 40Gi */
  g_assert_true (p.plugin->observe_node (p.ctx.instance, NULL, small));
  g_assert_true (p.plugin->observe_node (p.ctx.instance, NULL, large));
  /* team-a: max(2000/20000, 4/40) = 0.1; team-b: max(1000/20000, 12/40) = 0.3 */
  g_assert_true (p.plugin->observe_pod (p.ctx.instance, a, ni, TRUE));
  g_assert_true (p.plugin->observe_pod (p.ctx.instance, b, ni, TRUE));
  g_assert_true (p.plugin->less (p.ctx.instance, &qa, &qb));
  g_assert_false (p.plugin->less (p.ctx.instance, &qb, &qa));
  /* team-c holds nothing (share 0): first, though it arrived last */
  g_assert_true (p.plugin->less (p.ctx.instance, &qc, &qa));
  /* a second team-a pod like a: 0.2, still below 0.3 */
  g_assert_true (p.plugin->observe_pod (p.ctx.instance, a2, ni, TRUE) == FALSE); /* no requests */
  {
    g_autoptr (KsPod) a3 = pod_full ("a3", "team-a", NULL, spec_a, 6);
    g_autoptr (KsPod) a4 = pod_full ("a4", "team-a", NULL, spec_a, 7);
    g_assert_true (p.plugin->observe_pod (p.ctx.instance, a3, ni, TRUE));
    g_assert_true (p.plugin->less (p.ctx.instance, &qa, &qb)); /* 0.2 < 0.3 */
    /* a third: cpu 6000/20000 = 0.3, memory 12/40 = 0.3: equal to team-b, arrival decides */
    g_assert_true (p.plugin->observe_pod (p.ctx.instance, a4, ni, TRUE));
    g_assert_true (p.plugin->less (p.ctx.instance, &qa, &qb));
    /* the large node goes: capacity cpu 10000, memory 10Gi; team-a max(0.6, 1.2) = 1.2,
     * team-b max(0.1, 1.2) = 1.2: equal, arrival decides */
    g_assert_true (p.plugin->observe_node (p.ctx.instance, large, NULL));
    g_assert_true (p.plugin->less (p.ctx.instance, &qa, &qb));
    /* b leaves: team-b 0 */
    g_assert_true (p.plugin->observe_pod (p.ctx.instance, b, ni, FALSE));
    g_assert_true (p.plugin->less (p.ctx.instance, &qb, &qa));
  }
  plug_clear (&p);
  ks_test_node_info_free (ni);
}

static void
test_drf_bad_args (void)
{
  g_autofree char *m1 = plug_init_error ("DominantResourceFairness", "{\"resources\": [\"pods\"]}");
  g_autofree char *m2 = plug_init_error ("DominantResourceFairness", "{\"weights\": {}}");

  g_assert_cmpstr (m1, ==,
                   "resources[0]: must be a resource name such as cpu, memory, "
                   "ephemeral-storage or nvidia.com/gpu");
  g_assert_cmpstr (m2, ==, "weights: unknown field (DominantResourceFairnessArgs has: resources)");
}

/* The queue re-sorts activeQ when the queue-sort plugin's order moved: with
 * DominantResourceFairness, a bind in one namespace sends the other namespaces' pods ahead. */
static void
test_drf_queue_resort (void)
{
  g_autoptr (KsSchedulerConfig) config
      = config_decode (CONFIG_HEAD "profiles:\n"
                                   "- plugins:\n"
                                   "    queueSort:\n"
                                   "      disabled: [{name: \"*\"}]\n"
                                   "      enabled: [{name: DominantResourceFairness}]\n",
                       NULL);
  KsSimClock *sim = ks_sim_clock_new ();
  KsFramework *fw;
  KsSchedQueue *q;
  g_autoptr (KsNode) node = node_new ("node", NULL, "cpu: \"4\", memory: 4Gi");
  KsNodeInfo *ni = ks_test_node_info_new (KS_NODE (ks_object_ref (KS_OBJECT (node))), 0);
  const char *spec = "{containers: [{name: c, image: b, resources: {requests: {cpu: \"1\"}}}]}";
  g_autoptr (KsPod) a1 = pod_full ("a1", "team-a", NULL, spec, 1);
  g_autoptr (KsPod) b1 = pod_full ("b1", "team-b", NULL, spec, 2);
  g_autoptr (KsPod) a2 = pod_full ("a2", "team-a", NULL, spec, 3);
  g_autoptr (KsPod) bound = pod_full ("bound", "team-a", NULL, spec, 4);

  g_assert_nonnull (config);
  fw = framework_new (config, 1);
  q = ks_sched_queue_new (ks_sim_clock_get_clock (sim), ks_framework_queue_less, fw,
                          config->pod_initial_backoff, config->pod_max_backoff, NULL, NULL);
  g_assert_true (ks_framework_has_observers (fw));
  g_assert_true (ks_framework_observe_node (fw, NULL, node));
  ks_sched_queue_add (q, a1);
  ks_sched_queue_add (q, b1);
  ks_sched_queue_add (q, a2);
  /* a team-a pod is bound: team-a's share 1/4 > team-b's 0; the heap built before has a1 on
   * top and must be re-sorted */
  if (ks_framework_observe_pod (fw, bound, ni, TRUE))
    ks_sched_queue_resort (q);
  g_assert_cmpstr (ks_sched_queue_pop (q)->pod->parent.meta.name, ==, "b1");
  g_assert_cmpstr (ks_sched_queue_pop (q)->pod->parent.meta.name, ==, "a1");
  g_assert_cmpstr (ks_sched_queue_pop (q)->pod->parent.meta.name, ==, "a2");
  ks_sched_queue_free (q);
  ks_framework_free (fw);
  ks_sim_clock_free (sim);
  ks_test_node_info_free (ni);
}

/* ---- selection by name in a configuration ------------------------------------------------ */

static void
test_config_selects_research (void)
{
  static const char *const scores[]
      = { "Random", "FirstFit", "BestFit", "WorstFit", "DotProduct", "GPUPacking" };
  static const char *const sorts[] = { "FIFO", "ShortestJobFirst", "DominantResourceFairness" };

  for (guint i = 0; i < G_N_ELEMENTS (scores); i++)
    {
      g_autofree char *text
          = g_strdup_printf (CONFIG_HEAD "profiles:\n"
                                         "- plugins:\n"
                                         "    multiPoint: {enabled: [{name: %s, weight: 7}]}\n",
                             scores[i]);
      g_autoptr (KsSchedulerConfig) config = config_decode (text, NULL);
      KsProfileConfig *p;
      gboolean found = FALSE;
      g_assert_nonnull (config);
      p = g_ptr_array_index (config->profiles, 0);
      for (guint k = 0; k < p->points[KS_POINT_SCORE]->len; k++)
        {
          KsPluginEntry *e = &g_array_index (p->points[KS_POINT_SCORE], KsPluginEntry, k);
          if (strcmp (e->plugin->name, scores[i]) == 0)
            {
              found = TRUE;
              g_assert_cmpint (e->weight, ==, 7);
            }
        }
      g_assert_true (found);
      /* not in the default profile */
      {
        g_autoptr (KsSchedulerConfig) def = ks_scheduler_config_new_default ();
        KsProfileConfig *d = g_ptr_array_index (def->profiles, 0);
        for (guint e = 0; e < KS_N_POINTS; e++)
          for (guint k = 0; k < d->points[e]->len; k++)
            g_assert_cmpstr (g_array_index (d->points[e], KsPluginEntry, k).plugin->name, !=,
                             scores[i]);
      }
    }
  for (guint i = 0; i < G_N_ELEMENTS (sorts); i++)
    {
      g_autofree char *text
          = g_strdup_printf (CONFIG_HEAD "profiles:\n"
                                         "- plugins:\n"
                                         "    queueSort:\n"
                                         "      disabled: [{name: PrioritySort}]\n"
                                         "      enabled: [{name: %s}]\n",
                             sorts[i]);
      g_autoptr (KsSchedulerConfig) config = config_decode (text, NULL);
      KsProfileConfig *p;
      g_assert_nonnull (config);
      p = g_ptr_array_index (config->profiles, 0);
      g_assert_cmpuint (p->points[KS_POINT_QUEUE_SORT]->len, ==, 1);
      g_assert_cmpstr (
          g_array_index (p->points[KS_POINT_QUEUE_SORT], KsPluginEntry, 0).plugin->name, ==,
          sorts[i]);
    }
}

static void
test_config_research_bad_args (void)
{
  g_autofree char *problem = NULL;
  KsSchedulerConfig *config
      = config_decode (CONFIG_HEAD "profiles:\n"
                                   "- plugins:\n"
                                   "    multiPoint: {enabled: [{name: BestFit}]}\n"
                                   "  pluginConfig:\n"
                                   "  - name: BestFit\n"
                                   "    args: {resource: 7}\n",
                       &problem);

  g_assert_null (config);
  g_assert_cmpstr (problem, ==,
                   "sched.yaml:8:22: profiles[0].pluginConfig[0].args.resource: must be a "
                   "resource name such as cpu, memory or nvidia.com/gpu");
}

/* ---- external modules -------------------------------------------------------------------- */

static char *
bad_module (const char *which)
{
  const char *dir = g_getenv ("KS_BAD_MODULES");

  if (dir == NULL)
    return NULL;
  return g_strdup_printf ("%s/bad-%s.so", dir, which);
}

static void
test_module_example (void)
{
  const char *path = g_getenv ("KS_EXAMPLE_MODULE");
  g_autoptr (GError) error = NULL;
  const KsSchedulerPlugin *plugin;
  g_autoptr (GPtrArray) all = NULL;
  Plug p;
  KsNodeInfo *gold, *plain;
  g_autoptr (KsPod) pod = pod_req ("p", NULL);
  g_autoptr (KsSchedulerConfig) config = NULL;

  if (path == NULL)
    {
      g_test_skip ("KS_EXAMPLE_MODULE is not set: run through make check");
      return;
    }
  g_assert_null (ks_scheduler_plugin_lookup ("PreferNodeLabel"));
  g_assert_true (ks_policy_modules_load_file (path, &error));
  g_assert_no_error (error);
  /* the same file again (a directory listed twice): loaded once */
  g_assert_true (ks_policy_modules_load_file (path, &error));
  plugin = ks_scheduler_plugin_lookup ("PreferNodeLabel");
  g_assert_nonnull (plugin);
  g_assert_null (ks_builtin_scheduler_plugin_lookup ("PreferNodeLabel"));
  g_assert_cmpstr (ks_scheduler_plugin_get_module (plugin), ==, path);
  g_assert_null (ks_scheduler_plugin_get_module (ks_scheduler_plugin_lookup ("NodeName")));
  all = ks_scheduler_plugin_list ();
  g_assert_true (g_ptr_array_index (all, all->len - 1) == plugin);
  {
    guint n = 0;
    for (guint i = 0; i < all->len; i++)
      n += strcmp (((const KsSchedulerPlugin *) g_ptr_array_index (all, i))->name,
                   "PreferNodeLabel")
           == 0;
    g_assert_cmpuint (n, ==, 1);
  }

  /* its Score calls kubesim's ks_object_get_label */
  plug_init (&p, "PreferNodeLabel", "{\"label\": \"tier\", \"value\": \"gold\"}");
  gold = ks_test_node_info_new (node_new ("gold", "{tier: gold}", "cpu: \"1\""), 0);
  plain = ks_test_node_info_new (node_new ("plain", "{tier: iron}", "cpu: \"1\""), 1);
  g_assert_cmpint (p.plugin->score (&p.ctx, pod, gold), ==, 100);
  g_assert_cmpint (p.plugin->score (&p.ctx, pod, plain), ==, 0);
  plug_clear (&p);
  ks_test_node_info_free (gold);
  ks_test_node_info_free (plain);

  /* a profile enables it by name; its args are checked by its init */
  config = config_decode (CONFIG_HEAD "profiles:\n"
                                      "- plugins:\n"
                                      "    multiPoint: {enabled: [{name: PreferNodeLabel}]}\n"
                                      "  pluginConfig:\n"
                                      "  - name: PreferNodeLabel\n"
                                      "    args: {label: tier}\n",
                          NULL);
  g_assert_nonnull (config);
  {
    g_autofree char *problem = NULL;
    KsSchedulerConfig *bad = config_decode (CONFIG_HEAD "profiles:\n"
                                                        "- pluginConfig:\n"
                                                        "  - name: PreferNodeLabel\n"
                                                        "    args: {value: gold}\n",
                                            &problem);
    g_assert_null (bad);
    g_assert_cmpstr (problem, ==,
                     "sched.yaml:6:11: profiles[0].pluginConfig[0].args.label: required: the "
                     "node label to prefer");
  }
}

typedef struct
{
  const char *which;
  KsPolicyModuleError code;
  const char *message; /* after "<path>: " */
} BadCase;

static void
test_module_bad (gconstpointer data)
{
  const BadCase *c = data;
  g_autofree char *path = bad_module (c->which);
  g_autofree char *want = NULL;
  g_autoptr (GError) error = NULL;

  if (path == NULL)
    {
      g_test_skip ("KS_BAD_MODULES is not set: run through make check");
      return;
    }
  g_assert_false (ks_policy_modules_load_file (path, &error));
  g_assert_error (error, KS_POLICY_MODULE_ERROR, (gint) c->code);
  want = g_strdup_printf ("%s: %s", path, c->message);
  if (c->code == KS_POLICY_MODULE_ERROR_OPEN)
    {
      /* dlerror's wording is glibc's: check the beginning and the symbol */
      g_assert_true (g_str_has_prefix (error->message, want));
      g_assert_nonnull (strstr (error->message, "ks_no_such_function_in_kubesim"));
    }
  else
    g_assert_cmpstr (error->message, ==, want);
  /* nothing of a refused module is registered */
  g_assert_null (ks_scheduler_plugin_lookup ("BadModulePlugin"));
  g_assert_null (ks_autoscaler_policy_lookup ("bad-policy"));
}

static const BadCase bad_cases[] = {
  { "no-symbol", KS_POLICY_MODULE_ERROR_SYMBOL,
    "not a kubesim policy module: it does not export ks_policy_module_init (a module defines "
    "`const KsSchedulerPlugin *const *ks_policy_module_init (guint32 host_abi_version, guint32 "
    "*module_abi_version)`, see docs/policy-abi.md) nor ks_autoscaler_policy_module_init (`const "
    "KsAutoscalerPolicy *const *ks_autoscaler_policy_module_init (guint32 host_abi_version, "
    "guint32 *module_abi_version)`)" },
  { "module-version", KS_POLICY_MODULE_ERROR_VERSION,
    "built for policy ABI version 5, but this kubesim loads version 6 modules: rebuild it with "
    "this kubesim's <policies/ks-policy.h> (`pkg-config --variable=abi_version kubesim-policy` "
    "prints 6)" },
  { "plugin-version", KS_POLICY_MODULE_ERROR_VERSION,
    "plugin 0 (\"BadModulePlugin\") was built for policy ABI version 5, but this kubesim loads "
    "version 6: set .abi_version = KS_POLICY_ABI_VERSION and rebuild with this kubesim's "
    "<policies/ks-policy.h>" },
  { "builtin-name", KS_POLICY_MODULE_ERROR_DUPLICATE,
    "plugin \"NodeName\" has the name of a built-in plugin: give it another name (`kubesim "
    "policies` lists the names in use)" },
  { "no-name", KS_POLICY_MODULE_ERROR_INVALID,
    "plugin 0 has no name: set .name to the name profiles enable it by (not empty, no spaces, "
    "not \"*\")" },
  { "no-point", KS_POLICY_MODULE_ERROR_INVALID,
    "plugin \"BadModulePlugin\" implements no extension point: set at least one of less, "
    "pre_filter, filter, post_filter, pre_score, score or reserve" },
  { "null", KS_POLICY_MODULE_ERROR_INVALID,
    "ks_policy_module_init returned no plugin table (the module refused to work with policy "
    "ABI version 6): it must return a NULL-terminated array of plugins" },
  { "empty", KS_POLICY_MODULE_ERROR_INVALID,
    "the module has no plugins: ks_policy_module_init must return a NULL-terminated array of "
    "at least one plugin" },
  { "twice", KS_POLICY_MODULE_ERROR_DUPLICATE,
    "the module lists plugin \"BadModulePlugin\" twice (entries 0 and 1): each plugin needs its "
    "own name" },
  { "undefined", KS_POLICY_MODULE_ERROR_OPEN, "cannot load the policy module: " },
  /* autoscaler policy modules */
  { "as-module-version", KS_POLICY_MODULE_ERROR_VERSION,
    "built for autoscaler policy ABI version 2, but this kubesim loads version 1 modules: "
    "rebuild it with this kubesim's <policies/ks-autoscaler-policy.h> (`pkg-config "
    "--variable=autoscaler_abi_version kubesim-policy` prints 1)" },
  { "as-policy-version", KS_POLICY_MODULE_ERROR_VERSION,
    "autoscaler policy 0 (\"bad-policy\") was built for autoscaler ABI version 2, but this "
    "kubesim loads version 1: set .abi_version = KS_AUTOSCALER_POLICY_ABI_VERSION and rebuild "
    "with this kubesim's <policies/ks-autoscaler-policy.h>" },
  { "as-builtin-name", KS_POLICY_MODULE_ERROR_DUPLICATE,
    "autoscaler policy \"kubernetes\" has the name of a built-in policy: give it another name "
    "(`kubesim policies` lists the names in use)" },
  { "as-no-name", KS_POLICY_MODULE_ERROR_INVALID,
    "autoscaler policy 0 has an invalid name: set .name to the name the annotation "
    "kubesim.io/autoscaler-policy selects it by (not empty, no spaces, not \"*\")" },
  { "as-no-recommend", KS_POLICY_MODULE_ERROR_INVALID,
    "autoscaler policy \"bad-policy\" has no recommend: set .recommend to the function that "
    "gives the desired replica count" },
  { "as-no-free", KS_POLICY_MODULE_ERROR_INVALID,
    "autoscaler policy \"bad-policy\" has state_new but no state_free: set .state_free to the "
    "function that frees one HPA's state" },
  { "as-twice", KS_POLICY_MODULE_ERROR_DUPLICATE,
    "the module lists autoscaler policy \"bad-policy\" twice (entries 0 and 1): each policy "
    "needs its own name" },
  { "as-null", KS_POLICY_MODULE_ERROR_INVALID,
    "ks_autoscaler_policy_module_init returned no policy table (the module refused to work with "
    "autoscaler policy ABI version 1): it must return a NULL-terminated array of policies" },
};

/* One recommendation of policy for current pods at usage_milli cpu each (requests 100m). */
static gint32
recommend_once (const KsAutoscalerPolicy *policy, gpointer state, KsHorizontalPodAutoscaler *hpa,
                KsHpaHistory *history, gint32 current, gint64 usage_milli, gint64 now)
{
  g_autofree KsHpaPodSample *pods = g_new0 (KsHpaPodSample, current);
  KsHpaOptions options = { .tolerance = 0.1, .sync_period = 15 * G_USEC_PER_SEC };
  KsHpaMetricInput mi = { 0 };
  KsHpaRecommendInput in = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *reason = NULL;
  gint32 desired = -1;

  for (gint32 i = 0; i < current; i++)
    pods[i] = (KsHpaPodSample){ KS_HPA_POD_READY, TRUE, usage_milli, 100 };
  mi.spec = &hpa->metrics[0];
  mi.ok = TRUE;
  mi.pods = pods;
  mi.n_pods = current;
  mi.timestamp = now;
  in.hpa = hpa;
  in.history = history;
  in.current = in.status_replicas = current;
  in.min_replicas = hpa->min_replicas;
  in.metrics = &mi;
  in.n_metrics = 1;
  in.options = &options;
  in.now = now;
  g_assert_true (policy->recommend (state, &in, &desired, &reason, &error));
  g_assert_no_error (error);
  g_assert_true ((desired != current) == (reason != NULL));
  return desired;
}

/* The example autoscaler module (policies/examples/target-tracking.c): registered after the
 * built-in policies, and its arithmetic worked by hand: ceil(current × usage/target) outside
 * the 0.1 tolerance, 60 s between scale-outs, 300 s from any change to a scale-in, clamped. */
static void
test_module_autoscaler_example (void)
{
  const char *path = g_getenv ("KS_EXAMPLE_AUTOSCALER_MODULE");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = NULL;
  g_autofree char *names = NULL;
  g_autoptr (KsObject) obj = NULL;
  KsHorizontalPodAutoscaler *hpa;
  KsHpaHistory *history;
  const KsAutoscalerPolicy *p;
  gpointer state;
  const gint64 S = G_USEC_PER_SEC;

  if (path == NULL)
    {
      g_test_skip ("KS_EXAMPLE_AUTOSCALER_MODULE is not set: run through make check");
      return;
    }
  g_assert_null (ks_autoscaler_policy_lookup ("target-tracking"));
  g_assert_true (ks_policy_modules_load_file (path, &error));
  g_assert_no_error (error);
  p = ks_autoscaler_policy_lookup ("target-tracking");
  g_assert_nonnull (p);
  g_assert_cmpstr (ks_autoscaler_policy_get_module (p), ==, path);
  g_assert_null (ks_autoscaler_policy_get_module (ks_autoscaler_policy_lookup ("kubernetes")));
  /* no scheduler plugin came with it */
  g_assert_null (ks_scheduler_plugin_lookup ("target-tracking"));
  all = ks_autoscaler_policy_list ();
  g_assert_cmpuint (all->len, ==, 4);
  g_assert_true (g_ptr_array_index (all, 3) == p);
  names = ks_autoscaler_policy_names ();
  g_assert_cmpstr (names, ==, "kubernetes, predictive, step, target-tracking");

  obj = ks_test_decode ("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n"
                        "metadata: {name: web}\n"
                        "spec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: "
                        "web}\n  maxReplicas: 10\n  metrics: [{type: Resource, resource: {name: "
                        "cpu, target: {type: Utilization, averageUtilization: 50}}}]\n");
  hpa = KS_HPA (obj);
  history = ks_hpa_history_new ();
  state = p->state_new (hpa);
  /* 2 pods at 100 % of a 50 % target: r = 2, ceil(2 × 2) = 4. */
  g_assert_cmpint (recommend_once (p, state, hpa, history, 2, 100, 0), ==, 4);
  g_assert_cmpint (hpa->status.conditions[KS_HPA_COND_SCALING_ACTIVE].status, ==,
                   KS_CONDITION_TRUE);
  /* 30 s later still r = 2 (8 wanted), but the scale-out cooldown (60 s) holds 4 ... */
  g_assert_cmpint (recommend_once (p, state, hpa, history, 4, 100, 30 * S), ==, 4);
  /* ... until 60 s: 8. */
  g_assert_cmpint (recommend_once (p, state, hpa, history, 4, 100, 60 * S), ==, 8);
  /* 10 % of the target... r = 0.2, ceil(8 × 0.2) = ceil(1.6) = 2, held by the scale-in cooldown
   * (300 s after the change at 60 s) at 359 s, taken at 360 s. */
  g_assert_cmpint (recommend_once (p, state, hpa, history, 8, 10, 100 * S), ==, 8);
  g_assert_cmpint (recommend_once (p, state, hpa, history, 8, 10, 359 * S), ==, 8);
  g_assert_cmpint (recommend_once (p, state, hpa, history, 8, 10, 360 * S), ==, 2);
  /* 52 % of 50 %: r = 1.04, within the tolerance. */
  g_assert_cmpint (recommend_once (p, state, hpa, history, 2, 52, 1000 * S), ==, 2);
  /* 54 %: r = 1.08, within; 55 %: r = 55/50, which is 1.1000000000000000888 in binary, so
   * |1 − r| is just above 0.1 (as Go computes it in Kubernetes): ceil(2.2) = 3. */
  g_assert_cmpint (recommend_once (p, state, hpa, history, 2, 54, 1001 * S), ==, 2);
  g_assert_cmpint (recommend_once (p, state, hpa, history, 2, 55, 1002 * S), ==, 3);
  /* 20 × the target: 60 wanted, clamped to 10 with TooManyReplicas. */
  g_assert_cmpint (recommend_once (p, state, hpa, history, 3, 1000, 2000 * S), ==, 10);
  g_assert_cmpstr (hpa->status.conditions[KS_HPA_COND_SCALING_LIMITED].reason, ==,
                   "TooManyReplicas");
  p->state_free (state);
  ks_hpa_history_free (history);
}

/* A module whose plugin has the name of one loaded before (the example's). */
static void
test_module_duplicate_loaded (void)
{
  const char *example = g_getenv ("KS_EXAMPLE_MODULE");
  g_autofree char *path = bad_module ("example-name");
  g_autofree char *want = NULL;
  g_autoptr (GError) error = NULL;

  if (path == NULL || example == NULL)
    {
      g_test_skip ("KS_BAD_MODULES is not set: run through make check");
      return;
    }
  g_assert_true (ks_policy_modules_load_file (example, &error));
  g_assert_false (ks_policy_modules_load_file (path, &error));
  g_assert_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_DUPLICATE);
  want = g_strdup_printf ("%s: plugin \"PreferNodeLabel\" is already loaded from %s: give it "
                          "another name, or keep only one of the modules on the policy path",
                          path, example);
  g_assert_cmpstr (error->message, ==, want);
}

static void
test_module_path (void)
{
  g_autoptr (GError) error = NULL;
  const char *dirs[] = { "/nonexistent/policies", NULL };

  g_assert_false (ks_policy_modules_load_path (dirs, NULL, &error));
  g_assert_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_PATH);
  g_assert_true (g_str_has_prefix (error->message, "policy path \"/nonexistent/policies\": "));
  g_assert_true (g_str_has_suffix (error->message,
                                   " (--policy-path and KUBESIM_POLICY_PATH name directories "
                                   "holding policy modules, *.so files)"));
  g_clear_error (&error);
  /* empty entries of the environment's list are skipped; a bad one is named as coming from it */
  g_assert_true (ks_policy_modules_load_path (NULL, "::", &error));
  g_assert_false (ks_policy_modules_load_path (NULL, ":/nonexistent/env", &error));
  g_assert_true (
      g_str_has_prefix (error->message, "KUBESIM_POLICY_PATH: policy path \"/nonexistent/env\": "));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/policies/random/scores", test_random_scores);
  g_test_add_func ("/policies/random/determinism", test_random_determinism);
  g_test_add_func ("/policies/first-fit/normalize", test_first_fit_normalize);
  g_test_add_func ("/policies/first-fit/window", test_first_fit_window);
  g_test_add_func ("/policies/fit/cpu", test_best_worst_fit_cpu);
  g_test_add_func ("/policies/fit/memory-and-extended", test_best_fit_memory_and_extended);
  g_test_add_func ("/policies/fit/bad-args", test_fit_bad_args);
  g_test_add_func ("/policies/dot-product/scores", test_dot_product);
  g_test_add_func ("/policies/dot-product/bad-args", test_dot_product_bad_args);
  g_test_add_func ("/policies/gpu/demand", test_gpu_demand);
  g_test_add_func ("/policies/gpu/packing", test_gpu_packing);
  g_test_add_func ("/policies/gpu/what-if", test_gpu_what_if);
  g_test_add_func ("/policies/gpu/openb-names", test_gpu_openb_names);
  g_test_add_func ("/policies/queue/fifo", test_fifo_less);
  g_test_add_func ("/policies/queue/sjf", test_sjf_less);
  g_test_add_func ("/policies/queue/drf-shares", test_drf_shares);
  g_test_add_func ("/policies/queue/drf-bad-args", test_drf_bad_args);
  g_test_add_func ("/policies/queue/drf-resort", test_drf_queue_resort);
  g_test_add_func ("/policies/config/selects-research", test_config_selects_research);
  g_test_add_func ("/policies/config/bad-args", test_config_research_bad_args);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/policies/module/bad-%s", bad_cases[i].which);
      g_test_add_data_func (name, &bad_cases[i], test_module_bad);
    }
  g_test_add_func ("/policies/module/example", test_module_example);
  g_test_add_func ("/policies/module/autoscaler-example", test_module_autoscaler_example);
  g_test_add_func ("/policies/module/duplicate-loaded", test_module_duplicate_loaded);
  g_test_add_func ("/policies/module/path", test_module_path);
  status = g_test_run ();
  ks_policy_modules_unload_all ();
  return status;
}
