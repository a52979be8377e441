/* test-scheduler.c: unit tests for the scheduler against Kubernetes v1.32's arithmetic
 * (shared reference kubernetes.md §1): the built-in plugins (policies/plugin-*.c) on hand-built
 * node views, DefaultNormalizeScore, numFeasibleNodesToFind, whole scheduling cycles
 * (src/scheduler/ks-framework.c), KubeSchedulerConfiguration decoding and the plugin merge
 * (ks-sched-config.c), the scheduling queue with its backoff and flush ticks on the simulated
 * clock (ks-sched-queue.c), and the cache's node-tree order (ks-sched-cache.c).
 *
 * Every expected number is worked out by hand from the reference; the comments show the
 * arithmetic.  Quantities: Gi = 1073741824 bytes, Mi = 1048576 bytes, cpu in millicores. */
#include "config.h"

#include <glib/gstdio.h>

#include <string.h>

#include "policies/ks-policy.h"
#include "sim/ks-sim-clock.h"
#include "src/api/ks-decode.h"
#include "src/api/ks-object.h"
#include "src/api/ks-yaml.h"
#include "src/scheduler/ks-framework.h"
#include "src/scheduler/ks-sched-cache.h"
#include "src/scheduler/ks-sched-config.h"
#include "src/scheduler/ks-sched-queue.h"
#include "tests/ks-test-sched.h"
#include "tests/ks-test.h"

#define MI G_GINT64_CONSTANT (1048576)
#define GI G_GINT64_CONSTANT (1073741824)
#define SEC KS_USEC_PER_SEC
#define MSEC KS_USEC_PER_MSEC

/* ---- objects from YAML ------------------------------------------------------------------- */

/* A pod with one container requesting cpu and memory (quantity strings; NULL: not set). */
static KsPod *
pod_req (const char *name, const char *cpu, const char *memory)
{
  g_autofree char *spec = NULL;
  GString *req = g_string_new (NULL);

  if (cpu != NULL)
    g_string_append_printf (req, "cpu: \"%s\"", cpu);
  if (memory != NULL)
    g_string_append_printf (req, "%smemory: \"%s\"", req->len ? ", " : "", memory);
  if (req->len > 0)
    spec = g_strdup_printf ("{containers: [{name: c, image: busybox, "
                            "resources: {requests: {%s}}}]}",
                            req->str);
  else
    spec = g_strdup ("{containers: [{name: c, image: busybox}]}");
  g_string_free (req, TRUE);
  return ks_test_pod (name, spec);
}

/* A node: labels and spec are YAML flow mappings or NULL; allocatable is the inside of the
 * status.allocatable flow mapping. */
static KsNode *
node_new (const char *name, const char *labels, const char *spec, const char *allocatable)
{
  g_autofree char *text
      = g_strdup_printf ("apiVersion: v1\nkind: Node\n"
                         "metadata: {name: %s%s%s}\n"
                         "%s%s%s"
                         "status: {allocatable: {%s}}\n",
                         name, labels ? ", labels: " : "", labels ? labels : "",
                         spec ? "spec: " : "", spec ? spec : "", spec ? "\n" : "", allocatable);
  return KS_NODE (ks_test_decode (text));
}

/* ---- hand-built node views --------------------------------------------------------------- */

/* Set the node's summed requests: real values and the non-zero (scoring) values. */
static void
ni_set_requested (KsNodeInfo *ni, gint64 milli_cpu, gint64 memory, gint64 nonzero_milli_cpu,
                  gint64 nonzero_memory)
{
  ni->requested.milli_cpu = milli_cpu;
  ni->requested.memory = memory;
  ni->nonzero_milli_cpu = nonzero_milli_cpu;
  ni->nonzero_memory = nonzero_memory;
}

#define NODES(list) ((KsNodeInfo *const *) (list)->pdata)

/* ---- calling one plugin ------------------------------------------------------------------ */

typedef struct
{
  const KsSchedulerPlugin *plugin;
  KsPluginCtx ctx;
} Plug;

/* Look up a built-in plugin and run its init with args (JSON text or NULL). */
static void
plug_init (Plug *p, const char *name, const char *args_json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) args = NULL;

  memset (p, 0, sizeof *p);
  p->plugin = ks_builtin_scheduler_plugin_lookup (name);
  g_assert_nonnull (p->plugin);
  g_assert_cmpuint (p->plugin->abi_version, ==, KS_POLICY_ABI_VERSION);
  g_assert_cmpstr (p->plugin->name, ==, name);
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

/* Run init with args expected to be refused; returns the error message. */
static char *
plug_init_error (const char *name, const char *args_json)
{
  const KsSchedulerPlugin *plugin = ks_builtin_scheduler_plugin_lookup (name);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) args = json_from_string (args_json, &error);
  gpointer instance = NULL;
  gboolean ok;

  g_assert_no_error (error);
  ok = plugin->init (args, &instance, &error);
  g_assert_false (ok);
  g_assert_error (error, KS_POLICY_ERROR, 0);
  if (plugin->destroy != NULL)
    plugin->destroy (instance);
  return g_strdup (error->message);
}

static void
plug_clear (Plug *p)
{
  if (p->plugin->destroy != NULL)
    p->plugin->destroy (p->ctx.instance);
  p->ctx.instance = NULL;
}

/* Filter pod on ni; status gets the reasons. */
static KsStatusCode
plug_filter (Plug *p, KsPod *pod, KsNodeInfo *ni, KsStatus *status)
{
  memset (status, 0, sizeof *status);
  return p->plugin->filter (&p->ctx, pod, ni, status);
}

static gint64
plug_score (Plug *p, KsPod *pod, KsNodeInfo *ni)
{
  return p->plugin->score (&p->ctx, pod, ni);
}

/* The reasons joined by " | ". */
static char *
reasons_join (const KsStatus *status)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < status->n_reasons; i++)
    g_string_append_printf (s, "%s%s", i ? " | " : "", status->reasons[i]);
  return g_string_free (s, FALSE);
}

static void
assert_reasons (const KsStatus *status, const char *expected)
{
  g_autofree char *joined = reasons_join (status);

  g_assert_cmpstr (joined, ==, expected);
}

/* ---- DefaultNormalizeScore --------------------------------------------------------------- */

static void
test_normalize_default (void)
{
  gint64 zeros[3] = { 0, 0, 0 };
  gint64 zeros_rev[3] = { 0, 0, 0 };
  gint64 s[4] = { 1, 2, 3, 4 };
  gint64 r[4] = { 1, 2, 3, 4 };
  gint64 t[2] = { 3, 7 };
  gint64 u[2] = { 2, 3 };
  gint64 v[2] = { 2, 3 };

  /* max score 0: unchanged (all 0) without reverse, all `maximum` with reverse */
  ks_default_normalize_score (100, FALSE, zeros, 3);
  g_assert_cmpint (zeros[0], ==, 0);
  g_assert_cmpint (zeros[1], ==, 0);
  g_assert_cmpint (zeros[2], ==, 0);
  ks_default_normalize_score (100, TRUE, zeros_rev, 3);
  g_assert_cmpint (zeros_rev[0], ==, 100);
  g_assert_cmpint (zeros_rev[1], ==, 100);
  g_assert_cmpint (zeros_rev[2], ==, 100);

  /* M = 4: 100·1 div 4 = 25, 100·2 div 4 = 50, 100·3 div 4 = 75, 100 */
  ks_default_normalize_score (100, FALSE, s, 4);
  g_assert_cmpint (s[0], ==, 25);
  g_assert_cmpint (s[1], ==, 50);
  g_assert_cmpint (s[2], ==, 75);
  g_assert_cmpint (s[3], ==, 100);
  /* reversed: 100 − 25 = 75, 50, 25, 0 */
  ks_default_normalize_score (100, TRUE, r, 4);
  g_assert_cmpint (r[0], ==, 75);
  g_assert_cmpint (r[1], ==, 50);
  g_assert_cmpint (r[2], ==, 25);
  g_assert_cmpint (r[3], ==, 0);
  /* maximum 10, M = 7: 10·3 div 7 = 4 (4.28 truncated), 10 */
  ks_default_normalize_score (10, FALSE, t, 2);
  g_assert_cmpint (t[0], ==, 4);
  g_assert_cmpint (t[1], ==, 10);
  /* truncation, not rounding: 100·2 div 3 = 66 (66.67); reversed 100 − 66 = 34 */
  ks_default_normalize_score (100, FALSE, u, 2);
  g_assert_cmpint (u[0], ==, 66);
  g_assert_cmpint (u[1], ==, 100);
  ks_default_normalize_score (100, TRUE, v, 2);
  g_assert_cmpint (v[0], ==, 34);
  g_assert_cmpint (v[1], ==, 0);
}

/* ---- numFeasibleNodesToFind (§1.4) ------------------------------------------------------- */

static void
test_num_feasible_adaptive (void)
{
  /* n < 100: all nodes */
  g_assert_cmpuint (ks_num_feasible_nodes_to_find (0, 50), ==, 50);
  g_assert_cmpuint (ks_num_feasible_nodes_to_find (0, 99), ==, 99);
  /* n = 100: pct 50 − 100 div 125 = 50; 100·50 div 100 = 50 < 100 → 100 */
  g_assert_cmpuint (ks_num_feasible_nodes_to_find (0, 100), ==, 100);
  /* n = 500: pct 50 − 4 = 46; 500·46 div 100 = 230 */
  g_assert_cmpuint (ks_num_feasible_nodes_to_find (0, 500), ==, 230);
  /* n = 1000: pct 50 − 8 = 42; 420 */
  g_assert_cmpuint (ks_num_feasible_nodes_to_find (0, 1000), ==, 420);
  /* n = 5000: pct 50 − 40 = 10; 500 */
  g_assert_cmpuint (ks_num_feasible_nodes_to_find (0, 5000), ==, 500);
  /* n = 6000: pct 50 − 48 = 2 → raised to 5; 300 */
  g_assert_cmpuint (ks_num_feasible_nodes_to_find (0, 6000), ==, 300);
  /* n = 10000: pct 50 − 80 < 5 → 5; 500 */
  g_assert_cmpuint (ks_num_feasible_nodes_to_find (0, 10000), ==, 500);
}

static void
test_num_feasible_percentage (void)
{
  /* 30 %: n = 1000 → 300; n = 200 → 60 < 100 → 100; n = 50 < 100 → 50 */
  g_assert_cmpuint (ks_num_feasible_nodes_to_find (30, 1000), ==, 300);
  g_assert_cmpuint (ks_num_feasible_nodes_to_find (30, 200), ==, 100);
  g_assert_cmpuint (ks_num_feasible_nodes_to_find (30, 50), ==, 50);
  /* 100 %: every node */
  g_assert_cmpuint (ks_num_feasible_nodes_to_find (100, 1000), ==, 1000);
  g_assert_cmpuint (ks_num_feasible_nodes_to_find (100, 10000), ==, 10000);
}

/* ---- NodeResourcesFit filter (§1.7.2) ---------------------------------------------------- */

static void
test_fit_filter_fits (void)
{
  Plug p;
  KsStatus st;
  g_autoptr (KsPod) pod = pod_req ("p", "500m", "1Gi");
  g_autoptr (KsPod) empty = pod_req ("e", NULL, NULL);
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsNodeInfo *ni, *full;

  plug_init (&p, "NodeResourcesFit", NULL);
  ni = ks_test_node_info_new (node_new ("node", NULL, NULL, "cpu: \"4\", memory: 8Gi"), 0);
  g_ptr_array_add (nodes, ni);
  /* free cpu 4000 − 3500 = 500 ≥ 500, free memory 8Gi − 7Gi = 1Gi ≥ 1Gi: fits (not >) */
  ni_set_requested (ni, 3500, 7 * GI, 3500, 7 * GI);
  g_assert_cmpint (plug_filter (&p, pod, ni, &st), ==, KS_STATUS_SUCCESS);
  g_assert_cmpuint (st.n_reasons, ==, 0);
  /* one more millicore used: 500 > 499 → Insufficient cpu only */
  ni_set_requested (ni, 3501, 7 * GI, 3501, 7 * GI);
  g_assert_cmpint (plug_filter (&p, pod, ni, &st), ==, KS_STATUS_UNSCHEDULABLE);
  assert_reasons (&st, "Insufficient cpu");

  /* A pod requesting nothing fits a node whose cpu and memory are used up. */
  full = ks_test_node_info_new (node_new ("full", NULL, NULL, "cpu: \"1\", memory: 1Gi"), 1);
  g_ptr_array_add (nodes, full);
  ni_set_requested (full, 1000, GI, 1000, GI);
  g_assert_cmpint (plug_filter (&p, empty, full, &st), ==, KS_STATUS_SUCCESS);
  plug_clear (&p);
}

static void
test_fit_filter_all_reasons (void)
{
  Plug p;
  KsStatus st;
  g_autoptr (KsPod) pod = pod_req ("p", "2", "4Gi");
  g_autoptr (KsPod) mem_only = pod_req ("m", NULL, "4Gi");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsNodeInfo *ni;

  plug_init (&p, "NodeResourcesFit", NULL);
  ni = ks_test_node_info_new (node_new ("node", NULL, NULL, "cpu: \"4\", memory: 8Gi"), 0);
  g_ptr_array_add (nodes, ni);
  /* free cpu 4000 − 2500 = 1500 < 2000, free memory 8Gi − 5Gi = 3Gi < 4Gi: both reported */
  ni_set_requested (ni, 2500, 5 * GI, 2500, 5 * GI);
  g_assert_cmpint (plug_filter (&p, pod, ni, &st), ==, KS_STATUS_UNSCHEDULABLE);
  assert_reasons (&st, "Insufficient cpu | Insufficient memory");
  /* a pod requesting memory only is still checked: 8Gi − 5Gi = 3Gi < 4Gi */
  g_assert_cmpint (plug_filter (&p, mem_only, ni, &st), ==, KS_STATUS_UNSCHEDULABLE);
  assert_reasons (&st, "Insufficient memory");
  plug_clear (&p);
}

static void
test_fit_filter_too_many_pods (void)
{
  Plug p;
  KsStatus st;
  g_autoptr (KsPod) pod = pod_req ("p", "2", NULL);
  g_autoptr (KsPod) empty = pod_req ("e", NULL, NULL);
  g_autoptr (KsPod) a = pod_req ("a", "500m", NULL);
  g_autoptr (KsPod) b = pod_req ("b", "500m", NULL);
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsNodeInfo *ni;

  plug_init (&p, "NodeResourcesFit", NULL);
  ni = ks_test_node_info_new (node_new ("node", NULL, NULL, "cpu: \"2\", memory: 8Gi, pods: \"2\""),
                              0);
  g_ptr_array_add (nodes, ni);
  ks_test_node_info_add_pod (ni, a);
  /* 1 pod + 1 = 2 ≤ 2 pods: fits on count; cpu 2000 − 500 = 1500 < 2000 */
  g_assert_cmpint (plug_filter (&p, empty, ni, &st), ==, KS_STATUS_SUCCESS);
  g_assert_cmpint (plug_filter (&p, pod, ni, &st), ==, KS_STATUS_UNSCHEDULABLE);
  assert_reasons (&st, "Insufficient cpu");
  ks_test_node_info_add_pod (ni, b);
  /* 2 pods + 1 = 3 > 2: Too many pods, even for a pod requesting nothing */
  g_assert_cmpint (plug_filter (&p, empty, ni, &st), ==, KS_STATUS_UNSCHEDULABLE);
  assert_reasons (&st, "Too many pods");
  /* checked first, then the other checks still run: cpu 2000 − 1000 = 1000 < 2000 */
  g_assert_cmpint (plug_filter (&p, pod, ni, &st), ==, KS_STATUS_UNSCHEDULABLE);
  assert_reasons (&st, "Too many pods | Insufficient cpu");
  plug_clear (&p);
}

static void
test_fit_filter_extended (void)
{
  Plug p, ign;
  KsStatus st;
  g_autoptr (KsPod) pod
      = ks_test_pod ("p", "{containers: [{name: c, image: busybox, resources: "
                          "{requests: {cpu: 100m}, limits: {nvidia.com/gpu: 2}}}]}");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsNodeInfo *gpu, *plain;

  g_assert_cmpint (ks_resources_get (&pod->spec->requests, "nvidia.com/gpu"), ==, 2);
  plug_init (&p, "NodeResourcesFit", NULL);
  gpu = ks_test_node_info_new (
      node_new ("gpu", NULL, NULL, "cpu: \"4\", memory: 8Gi, nvidia.com/gpu: \"4\""), 0);
  plain = ks_test_node_info_new (node_new ("plain", NULL, NULL, "cpu: \"4\", memory: 8Gi"), 1);
  g_ptr_array_add (nodes, gpu);
  g_ptr_array_add (nodes, plain);
  /* 4 − 2 = 2 ≥ 2: fits */
  ks_resources_set (&gpu->requested, "nvidia.com/gpu", 2);
  g_assert_cmpint (plug_filter (&p, pod, gpu, &st), ==, KS_STATUS_SUCCESS);
  /* 4 − 3 = 1 < 2 */
  ks_resources_set (&gpu->requested, "nvidia.com/gpu", 3);
  g_assert_cmpint (plug_filter (&p, pod, gpu, &st), ==, KS_STATUS_UNSCHEDULABLE);
  assert_reasons (&st, "Insufficient nvidia.com/gpu");
  /* a node without the resource has allocatable 0 */
  g_assert_cmpint (plug_filter (&p, pod, plain, &st), ==, KS_STATUS_UNSCHEDULABLE);
  assert_reasons (&st, "Insufficient nvidia.com/gpu");
  plug_clear (&p);

  /* ignoredResources / ignoredResourceGroups skip the check */
  plug_init (&ign, "NodeResourcesFit", "{\"ignoredResources\": [\"nvidia.com/gpu\"]}");
  g_assert_cmpint (plug_filter (&ign, pod, plain, &st), ==, KS_STATUS_SUCCESS);
  plug_clear (&ign);
  plug_init (&ign, "NodeResourcesFit", "{\"ignoredResourceGroups\": [\"nvidia.com\"]}");
  g_assert_cmpint (plug_filter (&ign, pod, plain, &st), ==, KS_STATUS_SUCCESS);
  plug_clear (&ign);
}

/* ---- NodeResourcesFit scoring ------------------------------------------------------------ */

/* §1.7.9: 4 CPU / 8Gi node with 1 CPU / 2Gi requested; the pod asks 500m / 1Gi. */
static void
test_fit_least_allocated (void)
{
  Plug p;
  g_autoptr (KsPod) pod = pod_req ("p", "500m", "1Gi");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsNodeInfo *ni;

  plug_init (&p, "NodeResourcesFit", NULL);
  ni = ks_test_node_info_new (node_new ("node", NULL, NULL, "cpu: \"4\", memory: 8Gi"), 0);
  g_ptr_array_add (nodes, ni);
  ni_set_requested (ni, 1000, 2 * GI, 1000, 2 * GI);
  /* cpu (4000 − 1500)·100 div 4000 = 62; memory (8Gi − 3Gi)·100 div 8Gi = 62;
   * (62·1 + 62·1) div 2 = 62 */
  g_assert_cmpint (plug_score (&p, pod, ni), ==, 62);

  /* Unequal shares: requested 3000m / 1Gi → cpu (4000 − 3500)·100 div 4000 = 12,
   * memory (8Gi − 2Gi)·100 div 8Gi = 75; (12 + 75) div 2 = 43 */
  ni_set_requested (ni, 3000, GI, 3000, GI);
  g_assert_cmpint (plug_score (&p, pod, ni), ==, 43);
  plug_clear (&p);
}

/* LeastAllocated scores the non-zero requests: 100m / 200Mi for a container without requests. */
static void
test_fit_nonzero_defaults (void)
{
  Plug p;
  g_autoptr (KsPod) pod = pod_req ("p", NULL, NULL);
  g_autoptr (KsPod) zero = pod_req ("z", "0", "0");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsNodeInfo *ni;

  g_assert_cmpint (pod->spec->nonzero_milli_cpu, ==, 100);
  g_assert_cmpint (pod->spec->nonzero_memory, ==, 200 * MI);
  /* an explicit 0 stays 0 */
  g_assert_cmpint (zero->spec->nonzero_milli_cpu, ==, 0);
  g_assert_cmpint (zero->spec->nonzero_memory, ==, 0);
  plug_init (&p, "NodeResourcesFit", NULL);
  ni = ks_test_node_info_new (node_new ("node", NULL, NULL, "cpu: \"1\", memory: 1000Mi"), 0);
  g_ptr_array_add (nodes, ni);
  /* cpu (1000 − 100)·100 div 1000 = 90; memory (1000Mi − 200Mi)·100 div 1000Mi = 80; 85 */
  g_assert_cmpint (plug_score (&p, pod, ni), ==, 85);
  /* explicit zeros: both 100 */
  g_assert_cmpint (plug_score (&p, zero, ni), ==, 100);
  /* the node's non-zero sums count, not its real requests: real 0, non-zero 300m / 400Mi →
   * cpu (1000 − 400)·100 div 1000 = 60; memory (1000Mi − 600Mi)·100 div 1000Mi = 40; 50 */
  ni_set_requested (ni, 0, 0, 300, 400 * MI);
  g_assert_cmpint (plug_score (&p, pod, ni), ==, 50);
  plug_clear (&p);
}

static void
test_fit_most_allocated (void)
{
  Plug p, w;
  g_autoptr (KsPod) pod = pod_req ("p", "1", "1Gi");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsNodeInfo *ni;

  plug_init (&p, "NodeResourcesFit", "{\"scoringStrategy\": {\"type\": \"MostAllocated\"}}");
  ni = ks_test_node_info_new (node_new ("node", NULL, NULL, "cpu: \"4\", memory: 8Gi"), 0);
  g_ptr_array_add (nodes, ni);
  ni_set_requested (ni, 2000, 2 * GI, 2000, 2 * GI);
  /* cpu 3000·100 div 4000 = 75; memory 3Gi·100 div 8Gi = 37 (37.5); (75 + 37) div 2 = 56 */
  g_assert_cmpint (plug_score (&p, pod, ni), ==, 56);
  /* requested beyond allocatable is capped: cpu min(5000, 4000) → 100; memory 37; 68 */
  ni_set_requested (ni, 4000, 2 * GI, 4000, 2 * GI);
  g_assert_cmpint (plug_score (&p, pod, ni), ==, 68);
  plug_clear (&p);

  /* weights cpu 2, memory 1, back at 2000m / 2Gi: (75·2 + 37·1) div 3 = 187 div 3 = 62 */
  plug_init (&w, "NodeResourcesFit",
             "{\"scoringStrategy\": {\"type\": \"MostAllocated\", \"resources\": "
             "[{\"name\": \"cpu\", \"weight\": 2}, {\"name\": \"memory\", \"weight\": 1}]}}");
  ni_set_requested (ni, 2000, 2 * GI, 2000, 2 * GI);
  g_assert_cmpint (plug_score (&w, pod, ni), ==, 62);
  plug_clear (&w);
}

static void
test_fit_over_allocatable (void)
{
  Plug p;
  g_autoptr (KsPod) pod = pod_req ("p", "100m", "2Gi");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsNodeInfo *ni;

  plug_init (&p, "NodeResourcesFit", NULL);
  ni = ks_test_node_info_new (node_new ("node", NULL, NULL, "cpu: \"1\", memory: 8Gi"), 0);
  g_ptr_array_add (nodes, ni);
  /* non-zero cpu 1200 + 100 = 1300 > 1000 → 0 (weight still counted);
   * memory (8Gi − 4Gi)·100 div 8Gi = 50; (0 + 50) div 2 = 25 */
  ni_set_requested (ni, 0, 2 * GI, 1200, 2 * GI);
  g_assert_cmpint (plug_score (&p, pod, ni), ==, 25);
  plug_clear (&p);
}

static void
test_fit_zero_allocatable (void)
{
  Plug p, b;
  g_autoptr (KsPod) pod = pod_req ("p", "1", "1Gi");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsNodeInfo *ni;

  plug_init (&p, "NodeResourcesFit", NULL);
  plug_init (&b, "NodeResourcesBalancedAllocation", NULL);
  /* no memory in allocatable */
  ni = ks_test_node_info_new (node_new ("node", NULL, NULL, "cpu: \"4\""), 0);
  g_ptr_array_add (nodes, ni);
  ni_set_requested (ni, 1000, 0, 1000, 0);
  /* memory skipped with its weight: cpu (4000 − 2000)·100 div 4000 = 50; 50 div 1 = 50
   * (counting memory's weight would give 25) */
  g_assert_cmpint (plug_score (&p, pod, ni), ==, 50);
  /* Balanced: one fraction left (0.5), std 0 → 100 */
  g_assert_cmpint (plug_score (&b, pod, ni), ==, 100);
  plug_clear (&p);
  plug_clear (&b);
}

static void
test_fit_extended_score (void)
{
  Plug p;
  g_autoptr (KsPod) gpu_pod
      = ks_test_pod ("g", "{containers: [{name: c, image: busybox, resources: "
                          "{requests: {cpu: 500m, memory: 1Gi}, "
                          "limits: {nvidia.com/gpu: 1}}}]}");
  g_autoptr (KsPod) cpu_pod = pod_req ("c", "500m", "1Gi");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsNodeInfo *ni;

  plug_init (&p, "NodeResourcesFit",
             "{\"scoringStrategy\": {\"type\": \"LeastAllocated\", \"resources\": "
             "[{\"name\": \"cpu\", \"weight\": 1}, {\"name\": \"memory\", \"weight\": 1}, "
             "{\"name\": \"nvidia.com/gpu\", \"weight\": 1}]}}");
  ni = ks_test_node_info_new (
      node_new ("node", NULL, NULL, "cpu: \"4\", memory: 8Gi, nvidia.com/gpu: \"4\""), 0);
  g_ptr_array_add (nodes, ni);
  ni_set_requested (ni, 1000, 2 * GI, 1000, 2 * GI);
  ks_resources_set (&ni->requested, "nvidia.com/gpu", 1);
  /* cpu 62, memory 62 (§1.7.9); gpu (4 − (1 + 1))·100 div 4 = 50; (62 + 62 + 50) div 3 = 58 */
  g_assert_cmpint (plug_score (&p, gpu_pod, ni), ==, 58);
  /* a pod that does not request the gpu: skipped with its weight → (62 + 62) div 2 = 62 */
  g_assert_cmpint (plug_score (&p, cpu_pod, ni), ==, 62);
  plug_clear (&p);
}

static void
test_fit_bad_args (void)
{
  g_autofree char *type
      = plug_init_error ("NodeResourcesFit", "{\"scoringStrategy\": {\"type\": \"Nope\"}}");
  g_autofree char *weight = plug_init_error (
      "NodeResourcesFit", "{\"scoringStrategy\": {\"type\": \"LeastAllocated\", \"resources\": "
                          "[{\"name\": \"cpu\", \"weight\": 101}]}}");
  /* kube-scheduler requires the type once scoringStrategy is given */
  g_autofree char *untyped = plug_init_error (
      "NodeResourcesFit", "{\"scoringStrategy\": {\"resources\": [{\"name\": \"cpu\"}]}}");
  /* BalancedAllocation weights must be 1, names unique */
  g_autofree char *heavy = plug_init_error (
      "NodeResourcesBalancedAllocation", "{\"resources\": [{\"name\": \"cpu\", \"weight\": 2}]}");
  g_autofree char *twice
      = plug_init_error ("NodeResourcesBalancedAllocation",
                         "{\"resources\": [{\"name\": \"cpu\"}, {\"name\": \"cpu\"}]}");
  g_autofree char *name
      = plug_init_error ("NodeResourcesBalancedAllocation", "{\"resources\": [{\"weight\": 1}]}");

  /* messages name the field */
  g_assert_true (g_str_has_prefix (type, "scoringStrategy.type: "));
  g_assert_nonnull (strstr (type, "\"Nope\""));
  g_assert_true (g_str_has_prefix (weight, "scoringStrategy.resources[0].weight: "));
  g_assert_true (g_str_has_prefix (name, "resources[0].name: "));
  g_assert_true (g_str_has_prefix (untyped, "scoringStrategy.type: required field is missing"));
  g_assert_cmpstr (heavy, ==, "resources[0].weight: invalid value 2: must be 1");
  g_assert_cmpstr (twice, ==, "resources[1].name: duplicate value \"cpu\"");
}

/* kube-scheduler's defaults for NodeResourcesFitArgs: weight 0 counts as 1, an empty resource
 * list means cpu and memory. */
static void
test_fit_args_defaults (void)
{
  Plug zero = { 0 }, empty = { 0 };
  g_autoptr (KsPod) pod = pod_req ("p", "500m", "1Gi");
  KsNodeInfo *ni
      = ks_test_node_info_new (node_new ("node", NULL, NULL, "cpu: \"4\", memory: 8Gi"), 0);

  ni_set_requested (ni, 1000, 2 * GI, 1000, 2 * GI);
  plug_init (&zero, "NodeResourcesFit",
             "{\"scoringStrategy\": {\"type\": \"LeastAllocated\", \"resources\": "
             "[{\"name\": \"cpu\", \"weight\": 0}, {\"name\": \"memory\", \"weight\": 0}]}}");
  plug_init (&empty, "NodeResourcesFit",
             "{\"scoringStrategy\": {\"type\": \"LeastAllocated\", \"resources\": []}}");
  /* §1.7.9: cpu 62, memory 62 → 62, as with the default args */
  g_assert_cmpint (plug_score (&zero, pod, ni), ==, 62);
  g_assert_cmpint (plug_score (&empty, pod, ni), ==, 62);
  plug_clear (&zero);
  plug_clear (&empty);
  ks_test_node_info_free (ni);
}

/* ---- NodeResourcesBalancedAllocation (§1.7.3) -------------------------------------------- */

static void
test_balanced_two (void)
{
  Plug p;
  g_autoptr (KsPod) pod = pod_req ("p", "500m", "1Gi");
  g_autoptr (KsPod) big = pod_req ("b", "5", "1Gi");
  g_autoptr (KsPod) none = pod_req ("none", NULL, NULL);
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsNodeInfo *ni;

  plug_init (&p, "NodeResourcesBalancedAllocation", NULL);
  ni = ks_test_node_info_new (node_new ("node", NULL, NULL, "cpu: \"4\", memory: 8Gi"), 0);
  g_ptr_array_add (nodes, ni);
  /* §1.7.9: fractions 1500/4000 = 0.375 and 3Gi/8Gi = 0.375; std 0 → 100 */
  ni_set_requested (ni, 1000, 2 * GI, 1000, 2 * GI);
  g_assert_cmpint (plug_score (&p, pod, ni), ==, 100);
  /* 1500/4000 = 0.375, 6Gi/8Gi = 0.75: std |0.375 − 0.75| / 2 = 0.1875 → int(81.25) = 81 */
  ni_set_requested (ni, 1000, 5 * GI, 1000, 5 * GI);
  g_assert_cmpint (plug_score (&p, pod, ni), ==, 81);
  /* real requests, not the non-zero ones: the pod without requests adds nothing;
   * 1000/4000 = 0.25, 5Gi/8Gi = 0.625: std 0.1875 → 81 (with 100m/200Mi it would differ) */
  ni_set_requested (ni, 1000, 5 * GI, 9999, 9999);
  g_assert_cmpint (plug_score (&p, none, ni), ==, 81);
  /* a fraction above 1 is capped: 6000/4000 → 1, 6Gi/8Gi = 0.75: std 0.125 → 87 (87.5) */
  ni_set_requested (ni, 1000, 5 * GI, 1000, 5 * GI);
  g_assert_cmpint (plug_score (&p, big, ni), ==, 87);
  plug_clear (&p);
}

static void
test_balanced_three (void)
{
  Plug p;
  g_autoptr (KsPod) pod = ks_test_pod ("p", "{containers: [{name: c, image: busybox, resources: "
                                            "{requests: {cpu: \"1\", memory: 2Gi}, "
                                            "limits: {nvidia.com/gpu: 1}}}]}");
  g_autoptr (KsPod) no_gpu = pod_req ("q", "1", "2Gi");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsNodeInfo *ni;

  plug_init (&p, "NodeResourcesBalancedAllocation",
             "{\"resources\": [{\"name\": \"cpu\", \"weight\": 1}, {\"name\": \"memory\", "
             "\"weight\": 1}, {\"name\": \"nvidia.com/gpu\", \"weight\": 1}]}");
  ni = ks_test_node_info_new (
      node_new ("node", NULL, NULL, "cpu: \"4\", memory: 8Gi, nvidia.com/gpu: \"4\""), 0);
  g_ptr_array_add (nodes, ni);
  ni_set_requested (ni, 1000, 4 * GI, 1000, 4 * GI);
  ks_resources_set (&ni->requested, "nvidia.com/gpu", 1);
  /* fractions: cpu 2000/4000 = 0.5, memory 6Gi/8Gi = 0.75, gpu 2/4 = 0.5; mean 1.75/3;
   * deviations −1/12, +1/6, −1/12; variance (1/144 + 4/144 + 1/144) / 3 = 1/72;
   * std = sqrt(1/72) = 0.11785; int((1 − 0.11785)·100) = int(88.21) = 88 */
  g_assert_cmpint (plug_score (&p, pod, ni), ==, 88);
  /* without a gpu request the gpu is skipped: 0.5 and 0.75, std 0.125 → 87 */
  g_assert_cmpint (plug_score (&p, no_gpu, ni), ==, 87);
  plug_clear (&p);
}

/* ---- TaintToleration (§1.7.5) ------------------------------------------------------------ */

static void
test_taint_filter (void)
{
  Plug p;
  KsStatus st;
  g_autoptr (KsPod) plain = pod_req ("plain", "100m", NULL);
  g_autoptr (KsPod) tol = ks_test_pod ("tol", "{containers: [{name: c, image: busybox}], "
                                              "tolerations: [{key: dedicated, operator: Equal, "
                                              "value: gpu, effect: NoSchedule}]}");
  g_autoptr (KsPod) wrong = ks_test_pod ("wrong", "{containers: [{name: c, image: busybox}], "
                                                  "tolerations: [{key: dedicated, operator: Equal, "
                                                  "value: cpu, effect: NoSchedule}]}");
  g_autoptr (KsPod) all = ks_test_pod ("all", "{containers: [{name: c, image: busybox}], "
                                              "tolerations: [{operator: Exists}]}");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsNodeInfo *gpu, *soft, *exec, *empty_value;

  plug_init (&p, "TaintToleration", NULL);
  gpu = ks_test_node_info_new (node_new ("gpu", NULL,
                                         "{taints: [{key: dedicated, value: gpu, "
                                         "effect: NoSchedule}]}",
                                         "cpu: \"4\""),
                               0);
  soft = ks_test_node_info_new (node_new ("soft", NULL,
                                          "{taints: [{key: k, value: v, "
                                          "effect: PreferNoSchedule}]}",
                                          "cpu: \"4\""),
                                1);
  exec = ks_test_node_info_new (node_new ("exec", NULL,
                                          "{taints: [{key: k, value: v, effect: PreferNoSchedule},"
                                          " {key: evict, value: now, effect: NoExecute}]}",
                                          "cpu: \"4\""),
                                2);
  empty_value = ks_test_node_info_new (node_new ("cp", NULL,
                                                 "{taints: [{key: node-role.kubernetes.io/"
                                                 "control-plane, effect: NoSchedule}]}",
                                                 "cpu: \"4\""),
                                       3);
  g_ptr_array_add (nodes, gpu);
  g_ptr_array_add (nodes, soft);
  g_ptr_array_add (nodes, exec);
  g_ptr_array_add (nodes, empty_value);

  g_assert_cmpint (plug_filter (&p, plain, gpu, &st), ==, KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE);
  assert_reasons (&st, "node(s) had untolerated taint {dedicated: gpu}");
  g_assert_cmpint (plug_filter (&p, tol, gpu, &st), ==, KS_STATUS_SUCCESS);
  g_assert_cmpint (plug_filter (&p, wrong, gpu, &st), ==, KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE);
  g_assert_cmpint (plug_filter (&p, all, gpu, &st), ==, KS_STATUS_SUCCESS);
  /* PreferNoSchedule does not filter */
  g_assert_cmpint (plug_filter (&p, plain, soft, &st), ==, KS_STATUS_SUCCESS);
  /* NoExecute does; the first untolerated NoSchedule/NoExecute taint is named */
  g_assert_cmpint (plug_filter (&p, plain, exec, &st), ==,
                   KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE);
  assert_reasons (&st, "node(s) had untolerated taint {evict: now}");
  /* an empty value prints as nothing after ": " (§1.5 example) */
  g_assert_cmpint (plug_filter (&p, plain, empty_value, &st), ==,
                   KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE);
  assert_reasons (&st, "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }");
  plug_clear (&p);
}

static void
test_taint_score (void)
{
  Plug p;
  g_autoptr (KsPod) pod
      = ks_test_pod ("p", "{containers: [{name: c, image: busybox}], tolerations: "
                          "[{key: c, operator: Exists}, "
                          "{key: b, operator: Exists, effect: NoSchedule}]}");
  g_autoptr (KsPod) plain = pod_req ("plain", NULL, NULL);
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  gint64 scores[3];

  plug_init (&p, "TaintToleration", NULL);
  g_ptr_array_add (nodes, ks_test_node_info_new (node_new ("n0", NULL, NULL, "cpu: \"4\""), 0));
  g_ptr_array_add (nodes, ks_test_node_info_new (node_new ("n1", NULL,
                                                           "{taints: [{key: a, effect: "
                                                           "PreferNoSchedule}]}",
                                                           "cpu: \"4\""),
                                                 1));
  g_ptr_array_add (nodes,
                   ks_test_node_info_new (node_new ("n2", NULL,
                                                    "{taints: [{key: a, effect: PreferNoSchedule}, "
                                                    "{key: b, effect: PreferNoSchedule}, "
                                                    "{key: c, effect: PreferNoSchedule}, "
                                                    "{key: d, effect: PreferNoSchedule}, "
                                                    "{key: e, effect: NoSchedule}]}",
                                                    "cpu: \"4\""),
                                          2));
  /* raw: n0 0; n1 1; n2: a, b, d untolerated (c tolerated by the empty-effect toleration,
   * b's toleration has effect NoSchedule and does not count; NoSchedule taint e not counted)
   * = 3 */
  for (guint i = 0; i < 3; i++)
    scores[i] = plug_score (&p, pod, g_ptr_array_index (nodes, i));
  g_assert_cmpint (scores[0], ==, 0);
  g_assert_cmpint (scores[1], ==, 1);
  g_assert_cmpint (scores[2], ==, 3);
  /* reversed normalization, M = 3: n0 100 − 0 = 100; n1 100 − 100·1 div 3 = 100 − 33 = 67;
   * n2 100 − 100 = 0 */
  p.plugin->normalize (&p.ctx, pod, NODES (nodes), scores, 3);
  g_assert_cmpint (scores[0], ==, 100);
  g_assert_cmpint (scores[1], ==, 67);
  g_assert_cmpint (scores[2], ==, 0);
  /* no PreferNoSchedule taints anywhere counted: all 0 → all 100 */
  scores[0] = plug_score (&p, plain, g_ptr_array_index (nodes, 0));
  scores[1] = plug_score (&p, plain, g_ptr_array_index (nodes, 0));
  p.plugin->normalize (&p.ctx, plain, NODES (nodes), scores, 2);
  g_assert_cmpint (scores[0], ==, 100);
  g_assert_cmpint (scores[1], ==, 100);
  plug_clear (&p);
}

/* ---- NodeAffinity (§1.7.6) --------------------------------------------------------------- */

static void
test_affinity_node_selector (void)
{
  Plug p;
  KsStatus st;
  g_autoptr (KsPod) pod = ks_test_pod ("p", "{containers: [{name: c, image: busybox}], "
                                            "nodeSelector: {disk: ssd, zone: a}}");
  g_autoptr (KsPod) none = pod_req ("none", NULL, NULL);
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsNodeInfo *both, *one, *other;

  plug_init (&p, "NodeAffinity", NULL);
  both = ks_test_node_info_new (
      node_new ("both", "{disk: ssd, zone: a, extra: x}", NULL, "cpu: \"1\""), 0);
  one = ks_test_node_info_new (node_new ("one", "{disk: ssd}", NULL, "cpu: \"1\""), 1);
  other = ks_test_node_info_new (node_new ("other", "{disk: hdd, zone: a}", NULL, "cpu: \"1\""), 2);
  g_ptr_array_add (nodes, both);
  g_ptr_array_add (nodes, one);
  g_ptr_array_add (nodes, other);

  memset (&st, 0, sizeof st);
  g_assert_cmpint (p.plugin->pre_filter (&p.ctx, pod, &st), ==, KS_STATUS_SUCCESS);
  g_assert_cmpint (p.plugin->pre_filter (&p.ctx, none, &st), ==, KS_STATUS_SKIP);
  g_assert_cmpint (plug_filter (&p, pod, both, &st), ==, KS_STATUS_SUCCESS);
  g_assert_cmpint (plug_filter (&p, pod, one, &st), ==, KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE);
  assert_reasons (&st, "node(s) didn't match Pod's node affinity/selector");
  g_assert_cmpint (plug_filter (&p, pod, other, &st), ==, KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE);
  assert_reasons (&st, "node(s) didn't match Pod's node affinity/selector");
  plug_clear (&p);
}

static void
test_affinity_required (void)
{
  Plug p;
  KsStatus st;
  /* (zone In [a, b] AND gen Gt 3) OR (disk Exists) */
  g_autoptr (KsPod) pod
      = ks_test_pod ("p", "{containers: [{name: c, image: busybox}], affinity: {nodeAffinity: "
                          "{requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: ["
                          "{matchExpressions: [{key: zone, operator: In, values: [a, b]}, "
                          "{key: gen, operator: Gt, values: [\"3\"]}]}, "
                          "{matchExpressions: [{key: disk, operator: Exists}]}]}}}}");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsNodeInfo *n[4];

  plug_init (&p, "NodeAffinity", NULL);
  n[0] = ks_test_node_info_new (node_new ("n0", "{zone: b, gen: \"4\"}", NULL, "cpu: \"1\""), 0);
  n[1] = ks_test_node_info_new (node_new ("n1", "{zone: b, gen: \"3\"}", NULL, "cpu: \"1\""), 1);
  n[2] = ks_test_node_info_new (node_new ("n2", "{zone: c, disk: hdd}", NULL, "cpu: \"1\""), 2);
  n[3] = ks_test_node_info_new (node_new ("n3", "{zone: c, gen: \"9\"}", NULL, "cpu: \"1\""), 3);
  for (guint i = 0; i < 4; i++)
    g_ptr_array_add (nodes, n[i]);

  memset (&st, 0, sizeof st);
  g_assert_cmpint (p.plugin->pre_filter (&p.ctx, pod, &st), ==, KS_STATUS_SUCCESS);
  /* n0: term 1 (b ∈ {a, b}, 4 > 3) */
  g_assert_cmpint (plug_filter (&p, pod, n[0], &st), ==, KS_STATUS_SUCCESS);
  /* n1: 3 > 3 false, no disk label */
  g_assert_cmpint (plug_filter (&p, pod, n[1], &st), ==, KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE);
  assert_reasons (&st, "node(s) didn't match Pod's node affinity/selector");
  /* n2: term 2 (disk exists) */
  g_assert_cmpint (plug_filter (&p, pod, n[2], &st), ==, KS_STATUS_SUCCESS);
  /* n3: zone c not in {a, b}, no disk label */
  g_assert_cmpint (plug_filter (&p, pod, n[3], &st), ==, KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE);
  plug_clear (&p);
}

static void
test_affinity_preferred (void)
{
  Plug p;
  g_autoptr (KsPod) pod = ks_test_pod (
      "p", "{containers: [{name: c, image: busybox}], affinity: {nodeAffinity: "
           "{preferredDuringSchedulingIgnoredDuringExecution: ["
           "{weight: 30, preference: {matchExpressions: [{key: zone, operator: In, values: [a]}]}},"
           " {weight: 50, preference: {matchExpressions: [{key: disk, operator: In, "
           "values: [ssd]}]}}]}}}");
  g_autoptr (KsPod) none = pod_req ("none", NULL, NULL);
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  gint64 s[3];

  plug_init (&p, "NodeAffinity", NULL);
  g_ptr_array_add (nodes, ks_test_node_info_new (
                              node_new ("n0", "{zone: a, disk: ssd}", NULL, "cpu: \"1\""), 0));
  g_ptr_array_add (nodes,
                   ks_test_node_info_new (node_new ("n1", "{zone: a}", NULL, "cpu: \"1\""), 1));
  g_ptr_array_add (nodes,
                   ks_test_node_info_new (node_new ("n2", "{zone: b}", NULL, "cpu: \"1\""), 2));

  /* no required affinity or selector: PreFilter skips; no preferred terms: PreScore skips */
  {
    KsStatus st = { 0 };
    g_assert_cmpint (p.plugin->pre_filter (&p.ctx, pod, &st), ==, KS_STATUS_SKIP);
  }
  g_assert_cmpint (p.plugin->pre_score (&p.ctx, none, NODES (nodes), 3), ==, KS_STATUS_SKIP);
  g_assert_cmpint (p.plugin->pre_score (&p.ctx, pod, NODES (nodes), 3), ==, KS_STATUS_SUCCESS);
  /* raw: n0 30 + 50 = 80; n1 30; n2 0 */
  for (guint i = 0; i < 3; i++)
    s[i] = plug_score (&p, pod, g_ptr_array_index (nodes, i));
  g_assert_cmpint (s[0], ==, 80);
  g_assert_cmpint (s[1], ==, 30);
  g_assert_cmpint (s[2], ==, 0);
  /* normalized, not reversed: 100·80 div 80 = 100; 100·30 div 80 = 37 (37.5); 0 */
  p.plugin->normalize (&p.ctx, pod, NODES (nodes), s, 3);
  g_assert_cmpint (s[0], ==, 100);
  g_assert_cmpint (s[1], ==, 37);
  g_assert_cmpint (s[2], ==, 0);
  plug_clear (&p);
}

/* ---- NodeUnschedulable, NodeName --------------------------------------------------------- */

static void
test_unschedulable_filter (void)
{
  Plug p;
  KsStatus st;
  g_autoptr (KsPod) plain = pod_req ("plain", NULL, NULL);
  g_autoptr (KsPod) tol
      = ks_test_pod ("tol", "{containers: [{name: c, image: busybox}], "
                            "tolerations: [{key: node.kubernetes.io/unschedulable, "
                            "operator: Exists, effect: NoSchedule}]}");
  g_autoptr (KsPod) wrong_effect = ks_test_pod ("we", "{containers: [{name: c, image: busybox}], "
                                                      "tolerations: [{key: node.kubernetes.io/"
                                                      "unschedulable, operator: Exists, "
                                                      "effect: NoExecute}]}");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsNodeInfo *cordoned, *open;

  plug_init (&p, "NodeUnschedulable", NULL);
  cordoned = ks_test_node_info_new (
      node_new ("cordoned", NULL, "{unschedulable: true}", "cpu: \"1\""), 0);
  open = ks_test_node_info_new (node_new ("open", NULL, NULL, "cpu: \"1\""), 1);
  g_ptr_array_add (nodes, cordoned);
  g_ptr_array_add (nodes, open);
  g_assert_cmpint (plug_filter (&p, plain, cordoned, &st), ==,
                   KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE);
  assert_reasons (&st, "node(s) were unschedulable");
  g_assert_cmpint (plug_filter (&p, tol, cordoned, &st), ==, KS_STATUS_SUCCESS);
  g_assert_cmpint (plug_filter (&p, wrong_effect, cordoned, &st), ==,
                   KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE);
  g_assert_cmpint (plug_filter (&p, plain, open, &st), ==, KS_STATUS_SUCCESS);
  plug_clear (&p);
}

static void
test_node_name_filter (void)
{
  Plug p;
  KsStatus st;
  g_autoptr (KsPod) plain = pod_req ("plain", NULL, NULL);
  g_autoptr (KsPod) named = KS_POD (ks_object_copy (KS_OBJECT (plain)));
  KsPodSpec *spec = ks_pod_spec_copy (plain->spec);
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsNodeInfo *a, *b;

  /* spec.nodeName as the NodeName plugin reads it */
  spec->node_name = g_strdup ("a");
  ks_pod_spec_unref (named->spec);
  named->spec = spec;
  plug_init (&p, "NodeName", NULL);
  a = ks_test_node_info_new (node_new ("a", NULL, NULL, "cpu: \"1\""), 0);
  b = ks_test_node_info_new (node_new ("b", NULL, NULL, "cpu: \"1\""), 1);
  g_ptr_array_add (nodes, a);
  g_ptr_array_add (nodes, b);
  g_assert_cmpint (plug_filter (&p, named, a, &st), ==, KS_STATUS_SUCCESS);
  g_assert_cmpint (plug_filter (&p, named, b, &st), ==, KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE);
  assert_reasons (&st, "node(s) didn't match the requested node name");
  g_assert_cmpint (plug_filter (&p, plain, b, &st), ==, KS_STATUS_SUCCESS);
  plug_clear (&p);
}

/* ---- whole scheduling cycles (§1.1, §1.4–1.6) -------------------------------------------- */

/* A framework for the default profile (or profile p of config). */
static KsFramework *
framework_new (const KsSchedulerConfig *config, guint profile, guint64 seed)
{
  g_autoptr (GError) error = NULL;
  KsFramework *fw = ks_framework_new (g_ptr_array_index (config->profiles, profile),
                                      config->percentage_of_nodes_to_score, seed, &error);

  g_assert_no_error (error);
  g_assert_nonnull (fw);
  return fw;
}

/* The row of score plugin name in the last cycle, or -1 when it did not run. */
static gint
score_row (KsFramework *fw, const char *name)
{
  for (guint p = 0; p < ks_framework_last_n_score_plugins (fw); p++)
    if (strcmp (ks_framework_last_score_plugin (fw, p, NULL), name) == 0)
      return (gint) p;
  return -1;
}

static void
test_framework_no_nodes (void)
{
  g_autoptr (KsSchedulerConfig) config = ks_scheduler_config_new_default ();
  KsFramework *fw = framework_new (config, 0, 1);
  g_autoptr (KsPod) pod = pod_req ("p", "1", NULL);
  KsScheduleResult r;

  ks_framework_schedule (fw, pod, NULL, 0, 0, &r);
  g_assert_null (r.node);
  g_assert_false (r.rejected);
  g_assert_cmpstr (r.message, ==, "no nodes available to schedule pods");
  ks_schedule_result_clear (&r);
  ks_framework_free (fw);
}

/* A profile may disable NodeAffinity's PreScore and keep its Score: Score then runs for a pod
 * without node affinity and must count 0 (this crashed once). */
static KsSchedulerConfig *config_decode (const char *text, char **problem);

static void
test_framework_score_without_prescore (void)
{
  g_autoptr (KsSchedulerConfig) config
      = config_decode ("apiVersion: kubescheduler.config.k8s.io/v1\n"
                       "kind: KubeSchedulerConfiguration\n"
                       "profiles:\n"
                       "- plugins:\n"
                       "    preScore: {disabled: [{name: NodeAffinity}]}\n",
                       NULL);
  KsFramework *fw = framework_new (config, 0, 1);
  g_autoptr (KsPod) pod = pod_req ("p", "1", "1Gi");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsScheduleResult r;
  gint row;

  g_ptr_array_add (
      nodes, ks_test_node_info_new (node_new ("a", NULL, NULL, "cpu: \"2\", memory: 8Gi"), 0));
  g_ptr_array_add (
      nodes, ks_test_node_info_new (node_new ("b", NULL, NULL, "cpu: \"4\", memory: 8Gi"), 1));
  ks_framework_schedule (fw, pod, NODES (nodes), 2, 0, &r);
  g_assert_cmpstr (r.node, ==, "b");
  row = score_row (fw, "NodeAffinity");
  g_assert_cmpint (row, >=, 0);
  g_assert_cmpint (ks_framework_last_score (fw, row, 0), ==, 0);
  g_assert_cmpint (ks_framework_last_score (fw, row, 1), ==, 0);
  ks_schedule_result_clear (&r);
  ks_framework_free (fw);
}

/* Reserve runs in profile order; a failure unreserves the plugins already reserved, in reverse
 * order; ks_framework_unreserve undoes every one. */
static GString *reserve_log;

static KsStatusCode
log_reserve (KsPluginCtx *ctx, const KsPod *pod, const char *node, KsStatus *status)
{
  const char *name = ctx->instance;
  g_string_append_printf (reserve_log, "reserve %s %s; ", name, node);
  if (strcmp (name, "bad") == 0)
    {
      ks_status_add_reason (status, "no room");
      return KS_STATUS_UNSCHEDULABLE;
    }
  return KS_STATUS_SUCCESS;
}

static void
log_unreserve (KsPluginCtx *ctx, const KsPod *pod, const char *node)
{
  g_string_append_printf (reserve_log, "unreserve %s %s; ", (const char *) ctx->instance, node);
}

static gboolean
init_a (JsonNode *args, gpointer *instance, GError **error)
{
  *instance = (gpointer) "a";
  return TRUE;
}

static gboolean
init_b (JsonNode *args, gpointer *instance, GError **error)
{
  *instance = (gpointer) "b";
  return TRUE;
}

static gboolean
init_bad (JsonNode *args, gpointer *instance, GError **error)
{
  *instance = (gpointer) "bad";
  return TRUE;
}

static void
test_framework_reserve (void)
{
  static const KsSchedulerPlugin a
      = { KS_POLICY_ABI_VERSION,     "ReserveA", 0, init_a, .reserve = log_reserve,
          .unreserve = log_unreserve };
  static const KsSchedulerPlugin b
      = { KS_POLICY_ABI_VERSION,     "ReserveB", 0, init_b, .reserve = log_reserve,
          .unreserve = log_unreserve };
  static const KsSchedulerPlugin bad
      = { KS_POLICY_ABI_VERSION,     "ReserveBad", 0, init_bad, .reserve = log_reserve,
          .unreserve = log_unreserve };
  g_autoptr (KsSchedulerConfig) config = ks_scheduler_config_new_default ();
  KsProfileConfig *profile = g_ptr_array_index (config->profiles, 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (KsPod) pod = pod_req ("p", "1", "1Gi");
  g_autofree char *why = NULL;
  KsPluginEntry entries[] = { { &a, 0 }, { &b, 0 }, { &bad, 0 } };
  KsFramework *fw;

  reserve_log = g_string_new (NULL);
  g_array_append_vals (profile->points[KS_POINT_RESERVE], entries, 2);
  fw = ks_framework_new (profile, 0, 1, &error);
  g_assert_no_error (error);
  g_assert_true (ks_framework_reserve (fw, pod, "n1", &why));
  ks_framework_unreserve (fw, pod, "n1");
  g_assert_cmpstr (reserve_log->str, ==,
                   "reserve a n1; reserve b n1; unreserve b n1; unreserve a n1; ");
  ks_framework_free (fw);

  g_string_truncate (reserve_log, 0);
  g_array_append_vals (profile->points[KS_POINT_RESERVE], entries + 2, 1);
  fw = ks_framework_new (profile, 0, 1, &error);
  g_assert_no_error (error);
  g_assert_false (ks_framework_reserve (fw, pod, "n2", &why));
  g_assert_cmpstr (why, ==, "running Reserve plugin \"ReserveBad\": no room");
  g_assert_cmpstr (reserve_log->str, ==,
                   "reserve a n2; reserve b n2; reserve bad n2; unreserve b n2; unreserve a n2; ");
  ks_framework_free (fw);
  g_string_free (reserve_log, TRUE);
}

static void
test_framework_fit_error (void)
{
  g_autoptr (KsSchedulerConfig) config = ks_scheduler_config_new_default ();
  KsFramework *fw = framework_new (config, 0, 1);
  g_autoptr (KsPod) pod = pod_req ("p", "2", "1Gi");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsScheduleResult r;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("n%u", i);
      g_ptr_array_add (
          nodes, ks_test_node_info_new (node_new (name, NULL, NULL, "cpu: \"1\", memory: 8Gi"), i));
    }
  ks_framework_schedule (fw, pod, NODES (nodes), 3, 0, &r);
  g_assert_null (r.node);
  g_assert_true (r.rejected);
  g_assert_cmpuint (r.n_feasible, ==, 0);
  g_assert_cmpuint (r.n_evaluated, ==, 3);
  g_assert_cmpstr (r.message, ==,
                   "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are "
                   "available: 3 No preemption victims found for incoming pod.");
  ks_schedule_result_clear (&r);
  ks_framework_free (fw);
}

static void
test_framework_fit_error_mixed (void)
{
  g_autoptr (KsSchedulerConfig) config = ks_scheduler_config_new_default ();
  KsFramework *fw = framework_new (config, 0, 1);
  g_autoptr (KsPod) pod = pod_req ("p", "2", "1Gi");
  g_autoptr (KsNode) small = node_new ("small", NULL, NULL, "cpu: \"1\", memory: 8Gi");
  g_autoptr (KsNode) tainted = node_new ("tainted", NULL,
                                         "{taints: [{key: dedicated, value: gpu, "
                                         "effect: NoSchedule}]}",
                                         "cpu: \"1\", memory: 8Gi");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsScheduleResult r;

  /* tainted node first: it stops at TaintToleration and is not also counted as short of cpu */
  g_ptr_array_add (nodes, ks_test_node_info_new_shared (tainted, "t0", 0));
  g_ptr_array_add (nodes, ks_test_node_info_new_shared (small, "s0", 1));
  g_ptr_array_add (nodes, ks_test_node_info_new_shared (small, "s1", 2));
  ks_framework_schedule (fw, pod, NODES (nodes), 3, 0, &r);
  g_assert_cmpstr (r.message, ==,
                   "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, "
                   "2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not "
                   "helpful for scheduling, 2 No preemption victims found for incoming pod.");
  ks_schedule_result_clear (&r);

  /* A node short of cpu and memory contributes both reasons. */
  {
    g_autoptr (KsPod) big = pod_req ("big", "2", "16Gi");
    g_autoptr (GPtrArray) one = ks_test_node_list_new ();
    g_ptr_array_add (one, ks_test_node_info_new_shared (small, "s0", 0));
    ks_framework_schedule (fw, big, NODES (one), 1, 0, &r);
    g_assert_cmpstr (r.message, ==,
                     "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. "
                     "preemption: 0/1 nodes are available: 1 No preemption victims found for "
                     "incoming pod.");
    ks_schedule_result_clear (&r);
  }
  ks_framework_free (fw);
}

/* The entries are sorted as strings: "10 Insufficient cpu" < "2 node(s)..." since '1' < '2'. */
static void
test_framework_fit_error_string_sort (void)
{
  g_autoptr (KsSchedulerConfig) config = ks_scheduler_config_new_default ();
  KsFramework *fw = framework_new (config, 0, 1);
  g_autoptr (KsPod) pod = pod_req ("p", "2", NULL);
  g_autoptr (KsNode) small = node_new ("small", NULL, NULL, "cpu: \"1\"");
  g_autoptr (KsNode) tainted = node_new ("tainted", NULL,
                                         "{taints: [{key: dedicated, value: gpu, "
                                         "effect: NoSchedule}]}",
                                         "cpu: \"1\"");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsScheduleResult r;

  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *name = g_strdup_printf ("n%02u", i);
      g_ptr_array_add (nodes, ks_test_node_info_new_shared (i < 2 ? tainted : small, name, i));
    }
  ks_framework_schedule (fw, pod, NODES (nodes), 12, 0, &r);
  g_assert_cmpstr (r.message, ==,
                   "0/12 nodes are available: 10 Insufficient cpu, "
                   "2 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/12 nodes are "
                   "available: 10 No preemption victims found for incoming pod, 2 Preemption is "
                   "not helpful for scheduling.");
  ks_schedule_result_clear (&r);
  ks_framework_free (fw);
}

static void
test_framework_single_feasible (void)
{
  g_autoptr (KsSchedulerConfig) config = ks_scheduler_config_new_default ();
  KsFramework *fw = framework_new (config, 0, 1);
  g_autoptr (KsPod) pod = pod_req ("p", "1", "1Gi");
  g_autoptr (KsNode) small = node_new ("small", NULL, NULL, "cpu: \"500m\", memory: 8Gi");
  g_autoptr (KsNode) big = node_new ("big", NULL, NULL, "cpu: \"8\", memory: 8Gi");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsScheduleResult r;
  KsNodeInfo *loaded;

  /* First a cycle that scores (three feasible nodes). */
  g_ptr_array_add (nodes, ks_test_node_info_new_shared (big, "b0", 0));
  g_ptr_array_add (nodes, ks_test_node_info_new_shared (big, "b1", 1));
  g_ptr_array_add (nodes, ks_test_node_info_new_shared (big, "b2", 2));
  ks_framework_schedule (fw, pod, NODES (nodes), 3, 0, &r);
  g_assert_nonnull (r.node);
  g_assert_cmpuint (r.n_feasible, ==, 3);
  g_assert_cmpuint (ks_framework_last_n_score_plugins (fw), >, 0);
  ks_schedule_result_clear (&r);
  g_ptr_array_set_size (nodes, 0);

  /* Then exactly one feasible node, nearly full: chosen, and no plugin scored. */
  g_ptr_array_add (nodes, ks_test_node_info_new_shared (small, "s0", 0));
  loaded = ks_test_node_info_new_shared (big, "loaded", 1);
  ni_set_requested (loaded, 7000, 7 * GI, 7000, 7 * GI);
  g_ptr_array_add (nodes, loaded);
  g_ptr_array_add (nodes, ks_test_node_info_new_shared (small, "s2", 2));
  ks_framework_schedule (fw, pod, NODES (nodes), 3, 0, &r);
  g_assert_cmpstr (r.node, ==, "loaded");
  g_assert_cmpuint (r.n_feasible, ==, 1);
  g_assert_cmpuint (ks_framework_last_n_score_plugins (fw), ==, 0);
  ks_schedule_result_clear (&r);
  ks_framework_free (fw);
}

/* With n ≥ 100 each cycle stops after numFeasibleNodesToFind feasible nodes, and the next one
 * starts after the nodes processed (feasible + failed). */
static void
test_framework_rotation (void)
{
  g_autoptr (KsSchedulerConfig) config = ks_scheduler_config_new_default ();
  KsFramework *fw = framework_new (config, 0, 1);
  g_autoptr (KsPod) pod = pod_req ("p", "1", "1Gi");
  g_autoptr (KsNode) node = node_new ("node", NULL, NULL, "cpu: \"8\", memory: 16Gi");
  g_autoptr (KsNode) tainted = node_new (
      "tainted", NULL, "{taints: [{key: x, effect: NoSchedule}]}", "cpu: \"8\", memory: 16Gi");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsNodeInfo *const *feasible;
  KsScheduleResult r;
  guint n;

  /* 250 nodes; 140..149 tainted.  pct = 50 − 250 div 125 = 48; 250·48 div 100 = 120. */
  for (guint i = 0; i < 250; i++)
    {
      g_autofree char *name = g_strdup_printf ("n%03u", i);
      g_ptr_array_add (
          nodes, ks_test_node_info_new_shared (i >= 140 && i < 150 ? tainted : node, name, i));
    }
  g_assert_cmpuint (ks_framework_num_feasible_nodes_to_find (fw, 250), ==, 120);

  /* cycle 1: start 0, nodes 0..119 all feasible; next start 120 */
  ks_framework_schedule (fw, pod, NODES (nodes), 250, 0, &r);
  g_assert_cmpuint (r.n_feasible, ==, 120);
  g_assert_cmpuint (r.n_evaluated, ==, 120);
  feasible = ks_framework_last_feasible (fw, &n);
  g_assert_cmpuint (n, ==, 120);
  g_assert_cmpuint (feasible[0]->index, ==, 0);
  g_assert_cmpuint (feasible[119]->index, ==, 119);
  ks_schedule_result_clear (&r);

  /* cycle 2: start 120; 120..139 (20), 140..149 fail (10), 150..249 (100) → 120 feasible,
   * 130 processed; next start (120 + 130) mod 250 = 0 */
  ks_framework_schedule (fw, pod, NODES (nodes), 250, 0, &r);
  g_assert_cmpuint (r.n_feasible, ==, 120);
  g_assert_cmpuint (r.n_evaluated, ==, 130);
  feasible = ks_framework_last_feasible (fw, &n);
  g_assert_cmpuint (feasible[0]->index, ==, 120);
  g_assert_cmpuint (feasible[19]->index, ==, 139);
  g_assert_cmpuint (feasible[20]->index, ==, 150);
  g_assert_cmpuint (feasible[119]->index, ==, 249);
  ks_schedule_result_clear (&r);

  /* cycle 3: start 0 again, 0..119; next 120 */
  ks_framework_schedule (fw, pod, NODES (nodes), 250, 0, &r);
  feasible = ks_framework_last_feasible (fw, &n);
  g_assert_cmpuint (feasible[0]->index, ==, 0);
  g_assert_cmpuint (r.n_evaluated, ==, 120);
  ks_schedule_result_clear (&r);

  /* cycle 4 with only 200 nodes listed: 200 ≥ 100, pct 50 − 1 = 49 → 98 < 100 → 100 to find;
   * start 120 mod 200 = 120: 120..139 (20), 140..149 fail, 150..199 (50), 0..29 (30) →
   * 100 feasible, 110 processed; next (120 + 110) mod 200 = 30 */
  ks_framework_schedule (fw, pod, NODES (nodes), 200, 0, &r);
  g_assert_cmpuint (r.n_feasible, ==, 100);
  g_assert_cmpuint (r.n_evaluated, ==, 110);
  feasible = ks_framework_last_feasible (fw, &n);
  g_assert_cmpuint (feasible[0]->index, ==, 120);
  g_assert_cmpuint (feasible[70]->index, ==, 0);
  g_assert_cmpuint (feasible[99]->index, ==, 29);
  ks_schedule_result_clear (&r);

  /* cycle 5: 200 nodes, start 30: 30..129 → next 130 */
  ks_framework_schedule (fw, pod, NODES (nodes), 200, 0, &r);
  feasible = ks_framework_last_feasible (fw, &n);
  g_assert_cmpuint (feasible[0]->index, ==, 30);
  g_assert_cmpuint (feasible[99]->index, ==, 129);
  ks_schedule_result_clear (&r);
  ks_framework_free (fw);
}

/* Run cycles over identical nodes and record the chosen node names. */
static void
choose_many (guint64 seed, KsPod *pod, GPtrArray *nodes, guint cycles, const char **out)
{
  g_autoptr (KsSchedulerConfig) config = ks_scheduler_config_new_default ();
  KsFramework *fw = framework_new (config, 0, seed);

  for (guint c = 0; c < cycles; c++)
    {
      KsScheduleResult r;
      ks_framework_schedule (fw, pod, NODES (nodes), nodes->len, 0, &r);
      g_assert_nonnull (r.node);
      out[c] = r.node;
      ks_schedule_result_clear (&r);
    }
  ks_framework_free (fw);
}

static void
test_framework_ties (void)
{
  g_autoptr (KsPod) pod = pod_req ("p", "1", "1Gi");
  g_autoptr (KsNode) node = node_new ("node", NULL, NULL, "cpu: \"4\", memory: 8Gi");
  g_autoptr (KsNode) worse = node_new ("worse", NULL,
                                       "{taints: [{key: x, effect: "
                                       "PreferNoSchedule}]}",
                                       "cpu: \"4\", memory: 8Gi");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  const char *a[10], *b[10], *c[10];
  guint same = 0, differ_from_first = 0;

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("n%02u", i);
      g_ptr_array_add (nodes, ks_test_node_info_new_shared (node, name, i));
    }
  /* 20 equal totals: same seed, same choices; another seed, another sequence */
  choose_many (7, pod, nodes, 10, a);
  choose_many (7, pod, nodes, 10, b);
  choose_many (8, pod, nodes, 10, c);
  for (guint i = 0; i < 10; i++)
    {
      g_assert_cmpstr (a[i], ==, b[i]);
      same += a[i] == c[i]; /* interned names */
      differ_from_first += a[i] != a[0];
    }
  g_assert_cmpuint (same, <, 10);
  /* not always the same node */
  g_assert_cmpuint (differ_from_first, >, 0);

  /* Uniform among the best: 4 tied nodes and one with a PreferNoSchedule taint (total 300
   * lower); 4000 cycles give each tied node about 1000 (σ ≈ 27) and the tainted one none. */
  {
    g_autoptr (GPtrArray) five = ks_test_node_list_new ();
    g_autofree const char **chosen = g_new0 (const char *, 4000);
    guint counts[5] = { 0 };
    for (guint i = 0; i < 5; i++)
      {
        g_autofree char *name = g_strdup_printf ("m%u", i);
        g_ptr_array_add (five, ks_test_node_info_new_shared (i == 2 ? worse : node, name, i));
      }
    choose_many (11, pod, five, 4000, chosen);
    for (guint k = 0; k < 4000; k++)
      counts[chosen[k][1] - '0']++;
    g_assert_cmpuint (counts[2], ==, 0);
    for (guint i = 0; i < 5; i++)
      if (i != 2)
        {
          g_assert_cmpuint (counts[i], >, 850);
          g_assert_cmpuint (counts[i], <, 1150);
        }
  }
}

/* The host is the highest weighted total: TaintToleration ×3, NodeAffinity ×2,
 * NodeResourcesFit ×1, BalancedAllocation ×1. */
static void
test_framework_weighted_total (void)
{
  g_autoptr (KsSchedulerConfig) config = ks_scheduler_config_new_default ();
  KsFramework *fw = framework_new (config, 0, 1);
  g_autoptr (KsPod) pod = ks_test_pod (
      "p", "{containers: [{name: c, image: busybox, resources: {requests: {cpu: \"1\", "
           "memory: 1Gi}}}], affinity: {nodeAffinity: "
           "{preferredDuringSchedulingIgnoredDuringExecution: [{weight: 10, preference: "
           "{matchExpressions: [{key: disk, operator: In, values: [ssd]}]}}]}}}");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsNodeInfo *const *feasible;
  KsScheduleResult r;
  gint tt, na, fit, bal;
  gint32 weight;
  guint n;

  g_ptr_array_add (nodes, ks_test_node_info_new (node_new ("a", "{disk: ssd}",
                                                           "{taints: [{key: x, effect: "
                                                           "PreferNoSchedule}]}",
                                                           "cpu: \"4\", memory: 8Gi"),
                                                 0));
  g_ptr_array_add (nodes, ks_test_node_info_new (
                              node_new ("b", "{disk: ssd}", NULL, "cpu: \"4\", memory: 8Gi"), 1));
  g_ptr_array_add (
      nodes, ks_test_node_info_new (node_new ("c", NULL, NULL, "cpu: \"4\", memory: 8Gi"), 2));
  ni_set_requested (g_ptr_array_index (nodes, 1), 2000, GI, 2000, GI);

  ks_framework_schedule (fw, pod, NODES (nodes), 3, 0, &r);
  feasible = ks_framework_last_feasible (fw, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpstr (feasible[0]->name, ==, "a");
  g_assert_cmpstr (feasible[1]->name, ==, "b");
  g_assert_cmpstr (feasible[2]->name, ==, "c");
  g_assert_cmpuint (ks_framework_last_n_score_plugins (fw), ==, 5);
  /* ImageLocality scores every node 0: no node holds the pod's image */
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (ks_framework_last_score (fw, score_row (fw, "ImageLocality"), i), ==, 0);
  tt = score_row (fw, "TaintToleration");
  na = score_row (fw, "NodeAffinity");
  fit = score_row (fw, "NodeResourcesFit");
  bal = score_row (fw, "NodeResourcesBalancedAllocation");
  g_assert_cmpint (tt, ==, 0);
  g_assert_cmpint (na, ==, 1);
  g_assert_cmpint (fit, ==, 2);
  g_assert_cmpint (bal, ==, 3);
  ks_framework_last_score_plugin (fw, tt, &weight);
  g_assert_cmpint (weight, ==, 3);
  ks_framework_last_score_plugin (fw, na, &weight);
  g_assert_cmpint (weight, ==, 2);
  ks_framework_last_score_plugin (fw, fit, &weight);
  g_assert_cmpint (weight, ==, 1);
  ks_framework_last_score_plugin (fw, bal, &weight);
  g_assert_cmpint (weight, ==, 1);

  /* TaintToleration raw a 1, b 0, c 0 → reversed: 0, 100, 100 */
  g_assert_cmpint (ks_framework_last_score (fw, tt, 0), ==, 0);
  g_assert_cmpint (ks_framework_last_score (fw, tt, 1), ==, 100);
  g_assert_cmpint (ks_framework_last_score (fw, tt, 2), ==, 100);
  /* NodeAffinity raw a 10, b 10, c 0 → 100, 100, 0 */
  g_assert_cmpint (ks_framework_last_score (fw, na, 0), ==, 100);
  g_assert_cmpint (ks_framework_last_score (fw, na, 1), ==, 100);
  g_assert_cmpint (ks_framework_last_score (fw, na, 2), ==, 0);
  /* LeastAllocated: a, c: cpu (4000 − 1000)·100 div 4000 = 75, memory (8Gi − 1Gi)·100 div 8Gi
   * = 87 → (75 + 87) div 2 = 81; b: cpu (4000 − 3000)·100 div 4000 = 25, memory
   * (8Gi − 2Gi)·100 div 8Gi = 75 → 50 */
  g_assert_cmpint (ks_framework_last_score (fw, fit, 0), ==, 81);
  g_assert_cmpint (ks_framework_last_score (fw, fit, 1), ==, 50);
  g_assert_cmpint (ks_framework_last_score (fw, fit, 2), ==, 81);
  /* Balanced: a, c: 0.25 and 0.125, std 0.0625 → 93; b: 0.75 and 0.25, std 0.25 → 75 */
  g_assert_cmpint (ks_framework_last_score (fw, bal, 0), ==, 93);
  g_assert_cmpint (ks_framework_last_score (fw, bal, 1), ==, 75);
  g_assert_cmpint (ks_framework_last_score (fw, bal, 2), ==, 93);
  /* totals: a 0·3 + 100·2 + 81 + 93 = 374; b 300 + 200 + 50 + 75 = 625; c 300 + 0 + 81 + 93
   * = 474 → b, although its resource scores are the lowest */
  g_assert_cmpint (ks_framework_last_total (fw, 0), ==, 374);
  g_assert_cmpint (ks_framework_last_total (fw, 1), ==, 625);
  g_assert_cmpint (ks_framework_last_total (fw, 2), ==, 474);
  g_assert_cmpstr (r.node, ==, "b");
  ks_schedule_result_clear (&r);

  /* Without preferred terms NodeAffinity's PreScore skips: it does not score at all. */
  {
    g_autoptr (KsPod) plain = pod_req ("plain", "1", "1Gi");
    ks_framework_schedule (fw, plain, NODES (nodes), 3, 0, &r);
    g_assert_cmpuint (ks_framework_last_n_score_plugins (fw), ==, 4);
    g_assert_cmpint (score_row (fw, "NodeAffinity"), ==, -1);
    /* a 0 + 81 + 93 = 174; b 300 + 50 + 75 = 425; c 300 + 81 + 93 = 474 → c */
    g_assert_cmpint (ks_framework_last_total (fw, 0), ==, 174);
    g_assert_cmpint (ks_framework_last_total (fw, 1), ==, 425);
    g_assert_cmpint (ks_framework_last_total (fw, 2), ==, 474);
    g_assert_cmpstr (r.node, ==, "c");
    ks_schedule_result_clear (&r);
  }
  ks_framework_free (fw);
}

/* ---- KubeSchedulerConfiguration (§1.2) --------------------------------------------------- */

#define CONFIG_HEAD KS_TEST_SCHED_CONFIG_HEAD

/* Decode a configuration; NULL when it was refused, with the first problem in *problem. */
static KsSchedulerConfig *
config_decode (const char *text, char **problem)
{
  return ks_test_sched_config_decode (text, FALSE, problem);
}

#define DEFAULT_FILTERS                                                                            \
  "NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit, "      \
  "VolumeRestrictions, NodeVolumeLimits, VolumeBinding, VolumeZone, PodTopologySpread, "           \
  "InterPodAffinity"
#define DEFAULT_SCORES                                                                             \
  "TaintToleration:3, NodeAffinity:2, NodeResourcesFit:1, PodTopologySpread:2, "                   \
  "InterPodAffinity:2, NodeResourcesBalancedAllocation:1, ImageLocality:1"

static void
test_config_default_profile (void)
{
  g_autoptr (KsSchedulerConfig) config = ks_scheduler_config_new_default ();
  g_autoptr (KsSchedulerConfig) decoded = config_decode (CONFIG_HEAD, NULL);
  KsProfileConfig *p;

  g_assert_cmpuint (config->profiles->len, ==, 1);
  p = ks_scheduler_config_get_profile (config, "default-scheduler");
  g_assert_nonnull (p);
  g_assert_cmpint (config->percentage_of_nodes_to_score, ==, 0);
  g_assert_cmpint (config->pod_initial_backoff, ==, 1 * SEC);
  g_assert_cmpint (config->pod_max_backoff, ==, 10 * SEC);
  /* §1.2 order restricted to the plugins kubesim has (and the points they implement) */
  ks_test_assert_point (p, KS_POINT_QUEUE_SORT, "PrioritySort");
  ks_test_assert_point (
      p, KS_POINT_PRE_FILTER,
      "NodeAffinity, NodePorts, NodeResourcesFit, VolumeRestrictions, NodeVolumeLimits, "
      "VolumeBinding, VolumeZone, PodTopologySpread, InterPodAffinity");
  ks_test_assert_point (p, KS_POINT_FILTER, DEFAULT_FILTERS);
  ks_test_assert_point (p, KS_POINT_POST_FILTER, "DefaultPreemption");
  ks_test_assert_point (p, KS_POINT_PRE_SCORE,
                        "TaintToleration, NodeAffinity, NodeResourcesFit, PodTopologySpread, "
                        "InterPodAffinity, NodeResourcesBalancedAllocation");
  ks_test_assert_point (p, KS_POINT_SCORE, DEFAULT_SCORES);

  /* a document without profiles gets the same default profile */
  g_assert_nonnull (decoded);
  g_assert_cmpuint (decoded->profiles->len, ==, 1);
  p = ks_scheduler_config_get_profile (decoded, "default-scheduler");
  g_assert_nonnull (p);
  ks_test_assert_point (p, KS_POINT_FILTER, DEFAULT_FILTERS);
  ks_test_assert_point (p, KS_POINT_SCORE, DEFAULT_SCORES);
}

static void
test_config_score_disabled (void)
{
  g_autoptr (KsSchedulerConfig) config = config_decode (
      CONFIG_HEAD "profiles:\n- plugins:\n    score:\n      disabled: [{name: \"*\"}]\n", NULL);
  KsProfileConfig *p;
  KsFramework *fw;
  g_autoptr (KsPod) pod = pod_req ("p", "1", "1Gi");
  g_autoptr (KsNode) node = node_new ("node", NULL, NULL, "cpu: \"4\", memory: 8Gi");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsScheduleResult r;

  g_assert_nonnull (config);
  p = g_ptr_array_index (config->profiles, 0);
  g_assert_cmpstr (p->scheduler_name, ==, "default-scheduler");
  ks_test_assert_point (p, KS_POINT_SCORE, "");
  ks_test_assert_point (p, KS_POINT_FILTER, DEFAULT_FILTERS);
  ks_test_assert_point (p, KS_POINT_QUEUE_SORT, "PrioritySort");

  /* No score plugins: look for one feasible node only (§1.4 step 2), starting where the
   * last search ended. */
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("n%u", i);
      g_ptr_array_add (nodes, ks_test_node_info_new_shared (node, name, i));
    }
  fw = framework_new (config, 0, 1);
  ks_framework_schedule (fw, pod, NODES (nodes), 5, 0, &r);
  g_assert_cmpstr (r.node, ==, "n0");
  g_assert_cmpuint (r.n_evaluated, ==, 1);
  g_assert_cmpuint (r.n_feasible, ==, 1);
  ks_schedule_result_clear (&r);
  ks_framework_schedule (fw, pod, NODES (nodes), 5, 0, &r);
  g_assert_cmpstr (r.node, ==, "n1");
  ks_schedule_result_clear (&r);
  ks_framework_free (fw);
}

static void
test_config_weight_override (void)
{
  g_autoptr (KsSchedulerConfig) score
      = config_decode (CONFIG_HEAD "profiles:\n- plugins:\n    score:\n      enabled:\n"
                                   "      - {name: NodeResourcesBalancedAllocation, weight: 5}\n",
                       NULL);
  g_autoptr (KsSchedulerConfig) multi
      = config_decode (CONFIG_HEAD "profiles:\n- plugins:\n    multiPoint:\n      enabled:\n"
                                   "      - {name: NodeResourcesFit, weight: 4}\n",
                       NULL);
  g_autoptr (KsSchedulerConfig) late = config_decode (
      CONFIG_HEAD "profiles:\n- plugins:\n    multiPoint:\n      disabled: [{name: NodeAffinity}]\n"
                  "    score:\n      enabled: [{name: NodeAffinity, weight: 7}]\n",
      NULL);
  g_autoptr (KsSchedulerConfig) filter = config_decode (
      CONFIG_HEAD "profiles:\n- plugins:\n    filter:\n      enabled: [{name: NodeResourcesFit}]\n",
      NULL);

  /* enabled at the score point: overrides MultiPoint, so it comes first (part 1), weight 5 */
  g_assert_nonnull (score);
  ks_test_assert_point (
      g_ptr_array_index (score->profiles, 0), KS_POINT_SCORE,
      "NodeResourcesBalancedAllocation:5, TaintToleration:3, NodeAffinity:2, "
      "NodeResourcesFit:1, PodTopologySpread:2, InterPodAffinity:2, ImageLocality:1");
  ks_test_assert_point (g_ptr_array_index (score->profiles, 0), KS_POINT_FILTER, DEFAULT_FILTERS);
  /* re-configured in multiPoint: replaced in place, order kept */
  g_assert_nonnull (multi);
  ks_test_assert_point (
      g_ptr_array_index (multi->profiles, 0), KS_POINT_SCORE,
      "TaintToleration:3, NodeAffinity:2, NodeResourcesFit:4, PodTopologySpread:2, "
      "InterPodAffinity:2, NodeResourcesBalancedAllocation:1, ImageLocality:1");
  /* not in MultiPoint any more: the score point's own plugins come after the expansion (part 3)
   * and the other points lose it */
  g_assert_nonnull (late);
  ks_test_assert_point (
      g_ptr_array_index (late->profiles, 0), KS_POINT_SCORE,
      "TaintToleration:3, NodeResourcesFit:1, PodTopologySpread:2, InterPodAffinity:2, "
      "NodeResourcesBalancedAllocation:1, ImageLocality:1, NodeAffinity:7");
  ks_test_assert_point (
      g_ptr_array_index (late->profiles, 0), KS_POINT_FILTER,
      "NodeUnschedulable, NodeName, TaintToleration, NodePorts, NodeResourcesFit, "
      "VolumeRestrictions, NodeVolumeLimits, VolumeBinding, VolumeZone, PodTopologySpread, "
      "InterPodAffinity");
  ks_test_assert_point (g_ptr_array_index (late->profiles, 0), KS_POINT_PRE_FILTER,
                        "NodePorts, NodeResourcesFit, VolumeRestrictions, NodeVolumeLimits, "
                        "VolumeBinding, VolumeZone, PodTopologySpread, InterPodAffinity");
  /* the same at the filter point */
  g_assert_nonnull (filter);
  ks_test_assert_point (
      g_ptr_array_index (filter->profiles, 0), KS_POINT_FILTER,
      "NodeResourcesFit, NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, "
      "NodePorts, VolumeRestrictions, NodeVolumeLimits, VolumeBinding, VolumeZone, "
      "PodTopologySpread, InterPodAffinity");
  ks_test_assert_point (g_ptr_array_index (filter->profiles, 0), KS_POINT_SCORE, DEFAULT_SCORES);
}

static void
test_config_unknown_plugin (void)
{
  g_autofree char *problem = NULL;
  g_autoptr (KsSchedulerConfig) config
      = config_decode (CONFIG_HEAD "profiles:\n"
                                   "- schedulerName: default-scheduler\n"
                                   "  plugins:\n"
                                   "    filter:\n"
                                   "      enabled:\n"
                                   "      - name: NoSuchPlugin\n",
                       &problem);

  g_assert_null (config);
  g_assert_nonnull (problem);
  /* the name is at line 8, column 15 ("      - name: " is 14 characters) */
  g_assert_true (
      g_str_has_prefix (problem, "sched.yaml:8:15: profiles[0].plugins.filter.enabled[0].name: "));
  g_assert_nonnull (strstr (problem, "\"NoSuchPlugin\""));
}

/* kube-scheduler decodes its configuration strictly: a misspelt field is an error, not a
 * silent default. */
static void
test_config_unknown_fields (void)
{
  g_autofree char *top = NULL, *profile = NULL, *entry = NULL, *extender = NULL;
  KsSchedulerConfig *config;

  config = config_decode (CONFIG_HEAD "percentageOfNodeToScore: 50\n", &top);
  g_assert_null (config);
  g_assert_true (g_str_has_prefix (top, "sched.yaml:3:1: percentageOfNodeToScore: unknown field "));
  config = config_decode (CONFIG_HEAD "profiles:\n- schedulerName: a\n  plugin: {}\n", &profile);
  g_assert_null (config);
  g_assert_true (g_str_has_prefix (profile, "sched.yaml:5:3: profiles[0].plugin: unknown field "));
  config = config_decode (CONFIG_HEAD "profiles:\n- plugins:\n    score:\n"
                                      "      enabled: [{name: NodeResourcesFit, wieght: 2}]\n",
                          &entry);
  g_assert_null (config);
  g_assert_nonnull (strstr (entry, "profiles[0].plugins.score.enabled[0].wieght: unknown field"));
  config = config_decode (CONFIG_HEAD "extenders: [{urlPrefix: http://x}]\n", &extender);
  g_assert_null (config);
  g_assert_nonnull (strstr (extender, "extenders: scheduler extenders are not supported"));
}

/* As kube-scheduler's defaults: an empty profile list means the default profile. */
static void
test_config_empty_profiles (void)
{
  g_autoptr (KsSchedulerConfig) config = config_decode (CONFIG_HEAD "profiles: []\n", NULL);

  g_assert_nonnull (config);
  g_assert_cmpuint (config->profiles->len, ==, 1);
  g_assert_nonnull (ks_scheduler_config_get_profile (config, "default-scheduler"));
  ks_test_assert_point (g_ptr_array_index (config->profiles, 0), KS_POINT_SCORE, DEFAULT_SCORES);
}

static void
test_config_unimplemented_plugin (void)
{
  g_autofree char *problem = NULL;
  g_autoptr (KsSchedulerConfig) enabled
      = config_decode (CONFIG_HEAD "profiles:\n- plugins:\n    score:\n      enabled:\n"
                                   "      - {name: VolumeBinding, weight: 1}\n",
                       &problem);
  g_autoptr (KsSchedulerConfig) disabled
      = config_decode (CONFIG_HEAD "profiles:\n- plugins:\n    score:\n      disabled:\n"
                                   "      - {name: VolumeBinding}\n      - {name: VolumeZone}\n"
                                   "    multiPoint:\n      disabled: [{name: DynamicResources}]\n",
                       NULL);

  g_assert_null (enabled);
  g_assert_nonnull (problem);
  g_assert_true (
      g_str_has_prefix (problem, "sched.yaml:7:16: profiles[0].plugins.score.enabled[0].name: "));
  g_assert_nonnull (strstr (problem, "\"VolumeBinding\""));
  /* disabling Kubernetes plugins kubesim lacks is accepted and changes nothing */
  g_assert_nonnull (disabled);
  ks_test_assert_point (g_ptr_array_index (disabled->profiles, 0), KS_POINT_SCORE, DEFAULT_SCORES);
}

static void
test_config_fit_args (void)
{
  g_autoptr (KsSchedulerConfig) config = config_decode (
      CONFIG_HEAD "profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args:\n"
                  "      scoringStrategy:\n        type: MostAllocated\n"
                  "        resources: [{name: cpu, weight: 2}, {name: memory, weight: 1}]\n",
      NULL);
  g_autoptr (KsPod) pod = pod_req ("p", "1", "1Gi");
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsFramework *fw;
  KsScheduleResult r;
  gint fit;

  g_assert_nonnull (config);
  fw = framework_new (config, 0, 1);
  g_ptr_array_add (
      nodes, ks_test_node_info_new (node_new ("nx", NULL, NULL, "cpu: \"4\", memory: 8Gi"), 0));
  g_ptr_array_add (
      nodes, ks_test_node_info_new (node_new ("ny", NULL, NULL, "cpu: \"4\", memory: 8Gi"), 1));
  ni_set_requested (g_ptr_array_index (nodes, 0), 2000, 2 * GI, 2000, 2 * GI);
  ks_framework_schedule (fw, pod, NODES (nodes), 2, 0, &r);
  fit = score_row (fw, "NodeResourcesFit");
  g_assert_cmpint (fit, >=, 0);
  /* nx: cpu 3000·100 div 4000 = 75, memory 3Gi·100 div 8Gi = 37 → (75·2 + 37) div 3 = 62
   * ny: cpu 1000·100 div 4000 = 25, memory 1Gi·100 div 8Gi = 12 → (50 + 12) div 3 = 20 */
  g_assert_cmpint (ks_framework_last_score (fw, fit, 0), ==, 62);
  g_assert_cmpint (ks_framework_last_score (fw, fit, 1), ==, 20);
  /* bin packing wins: TaintToleration 300 each; nx 62 + Balanced (0.75 vs 0.375: std 0.1875 →
   * 81) = 443; ny 20 + (0.25 vs 0.125: std 0.0625 → 93) = 413 */
  g_assert_cmpint (ks_framework_last_total (fw, 0), ==, 443);
  g_assert_cmpint (ks_framework_last_total (fw, 1), ==, 413);
  g_assert_cmpstr (r.node, ==, "nx");
  ks_schedule_result_clear (&r);
  ks_framework_free (fw);
}

static void
test_config_bad_args (void)
{
  g_autofree char *type = NULL, *weight = NULL, *args_to_argless = NULL;
  g_autoptr (KsSchedulerConfig) a
      = config_decode (CONFIG_HEAD "profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n"
                                   "    args: {scoringStrategy: {type: Spread}}\n",
                       &type);
  g_autoptr (KsSchedulerConfig) b = config_decode (
      CONFIG_HEAD "profiles:\n- pluginConfig:\n  - name: NodeResourcesBalancedAllocation\n"
                  "    args: {resources: [{name: cpu, weight: 101}]}\n",
      &weight);
  g_autoptr (KsSchedulerConfig) c = config_decode (
      CONFIG_HEAD "profiles:\n- pluginConfig:\n  - name: NodeName\n    args: {x: 1}\n",
      &args_to_argless);

  /* reported at the field inside the args, with the whole path */
  g_assert_null (a);
  g_assert_true (g_str_has_prefix (
      type, "sched.yaml:6:36: profiles[0].pluginConfig[0].args.scoringStrategy.type: "));
  g_assert_nonnull (strstr (type, "\"Spread\""));
  g_assert_null (b);
  g_assert_cmpstr (weight, ==,
                   "sched.yaml:6:44: profiles[0].pluginConfig[0].args.resources[0].weight: "
                   "invalid value 101: must be 1");
  g_assert_null (c);
  g_assert_true (
      g_str_has_prefix (args_to_argless, "sched.yaml:6:11: profiles[0].pluginConfig[0].args: "));
}

static void
test_config_percentage (void)
{
  g_autofree char *global = NULL, *profile = NULL;
  g_autoptr (KsSchedulerConfig) bad_global
      = config_decode (CONFIG_HEAD "percentageOfNodesToScore: 101\n", &global);
  g_autoptr (KsSchedulerConfig) bad_profile
      = config_decode (CONFIG_HEAD "profiles:\n- percentageOfNodesToScore: -1\n", &profile);
  g_autoptr (KsSchedulerConfig) ok
      = config_decode (CONFIG_HEAD "percentageOfNodesToScore: 30\nprofiles:\n"
                                   "- schedulerName: default-scheduler\n"
                                   "- schedulerName: all\n  percentageOfNodesToScore: 100\n",
                       NULL);
  KsFramework *fw0, *fw1;

  g_assert_null (bad_global);
  g_assert_true (g_str_has_prefix (global, "sched.yaml:3:27: percentageOfNodesToScore: "));
  g_assert_null (bad_profile);
  g_assert_true (
      g_str_has_prefix (profile, "sched.yaml:4:29: profiles[0].percentageOfNodesToScore: "));

  /* the profile's value wins over the global one */
  g_assert_nonnull (ok);
  fw0 = framework_new (ok, 0, 1);
  fw1 = framework_new (ok, 1, 1);
  /* 30 % of 1000 = 300; 100 % = 1000 */
  g_assert_cmpuint (ks_framework_num_feasible_nodes_to_find (fw0, 1000), ==, 300);
  g_assert_cmpuint (ks_framework_num_feasible_nodes_to_find (fw1, 1000), ==, 1000);
  ks_framework_free (fw0);
  ks_framework_free (fw1);
}

static void
test_config_two_profiles (void)
{
  g_autoptr (KsSchedulerConfig) config = config_decode (
      CONFIG_HEAD "profiles:\n- schedulerName: default-scheduler\n- schedulerName: bin-packer\n"
                  "  plugins:\n    score:\n"
                  "      disabled: [{name: NodeResourcesBalancedAllocation}]\n"
                  "  pluginConfig:\n  - name: NodeResourcesFit\n"
                  "    args: {scoringStrategy: {type: MostAllocated}}\n",
      NULL);
  g_autofree char *dup = NULL;
  g_autoptr (KsSchedulerConfig) twice
      = config_decode (CONFIG_HEAD "profiles:\n- schedulerName: a\n- schedulerName: a\n", &dup);
  KsProfileConfig *def, *bin;
  KsFramework *fw;

  g_assert_nonnull (config);
  g_assert_cmpuint (config->profiles->len, ==, 2);
  def = ks_scheduler_config_get_profile (config, "default-scheduler");
  bin = ks_scheduler_config_get_profile (config, "bin-packer");
  g_assert_nonnull (def);
  g_assert_nonnull (bin);
  g_assert_true (def != bin);
  g_assert_null (ks_scheduler_config_get_profile (config, "other"));
  ks_test_assert_point (def, KS_POINT_SCORE, DEFAULT_SCORES);
  ks_test_assert_point (
      bin, KS_POINT_SCORE,
      "TaintToleration:3, NodeAffinity:2, NodeResourcesFit:1, PodTopologySpread:2, "
      "InterPodAffinity:2, ImageLocality:1");
  g_assert_true (g_hash_table_contains (bin->args, "NodeResourcesFit"));
  g_assert_false (g_hash_table_contains (def->args, "NodeResourcesFit"));
  fw = framework_new (config, 1, 1);
  g_assert_cmpstr (ks_framework_get_name (fw), ==, "bin-packer");
  ks_framework_free (fw);

  g_assert_null (twice);
  g_assert_nonnull (strstr (dup, "profiles[1].schedulerName"));
}

/* ---- the scheduling queue (§1.8) --------------------------------------------------------- */

typedef struct
{
  KsSimClock *sim;
  KsClock *clock;
  KsSchedulerConfig *config;
  KsFramework *fw;
  KsSchedQueue *q;
} QueueFixture;

static void
queue_setup (QueueFixture *f, gconstpointer data)
{
  f->sim = ks_sim_clock_new ();
  f->clock = ks_sim_clock_get_clock (f->sim);
  f->config = ks_scheduler_config_new_default ();
  f->fw = framework_new (f->config, 0, 1);
  f->q
      = ks_sched_queue_new (f->clock, ks_framework_queue_less, f->fw,
                            f->config->pod_initial_backoff, f->config->pod_max_backoff, NULL, NULL);
}

static void
queue_teardown (QueueFixture *f, gconstpointer data)
{
  ks_sched_queue_free (f->q);
  ks_framework_free (f->fw);
  ks_scheduler_config_free (f->config);
  ks_sim_clock_free (f->sim);
}

/* A pod with a distinct uid and priority prio (NULL: unset). */
static KsPod *
queue_pod (const char *name, const char *prio, guint8 uid)
{
  g_autofree char *spec = g_strdup_printf ("{containers: [{name: c, image: busybox}]%s%s}",
                                           prio ? ", priority: " : "", prio ? prio : "");
  KsPod *pod = ks_test_pod (name, spec);

  pod->parent.meta.uid.bytes[0] = 0x42;
  pod->parent.meta.uid.bytes[15] = uid;
  return pod;
}

static const char *
pop_name (QueueFixture *f)
{
  const KsQueuedPod *qp = ks_sched_queue_pop (f->q);

  g_assert_nonnull (qp);
  return qp->pod->parent.meta.name;
}

static void
assert_queue (QueueFixture *f, guint active, guint backoff, guint unschedulable)
{
  g_assert_cmpuint (ks_sched_queue_n_active (f->q), ==, active);
  g_assert_cmpuint (ks_sched_queue_n_backoff (f->q), ==, backoff);
  g_assert_cmpuint (ks_sched_queue_n_unschedulable (f->q), ==, unschedulable);
}

static void
test_queue_priority_sort_less (void)
{
  const KsSchedulerPlugin *ps = ks_builtin_scheduler_plugin_lookup ("PrioritySort");
  g_autoptr (KsPod) high = queue_pod ("high", "10", 1);
  g_autoptr (KsPod) low = queue_pod ("low", NULL, 2);
  KsQueuedPod a = { .pod = high, .timestamp = 50, .sequence = 9 };
  KsQueuedPod b = { .pod = low, .timestamp = 0, .sequence = 0 };
  KsQueuedPod c = { .pod = low, .timestamp = 10, .sequence = 0 };
  KsQueuedPod d = { .pod = low, .timestamp = 10, .sequence = 1 };

  g_assert_nonnull (ps);
  /* higher priority first, whatever the timestamps */
  g_assert_true (ps->less (NULL, &a, &b));
  g_assert_false (ps->less (NULL, &b, &a));
  /* equal priority: earlier timestamp first, whatever the arrival */
  g_assert_true (ps->less (NULL, &b, &d));
  g_assert_false (ps->less (NULL, &d, &b));
  /* equal priority and timestamp: arrival */
  g_assert_true (ps->less (NULL, &c, &d));
  g_assert_false (ps->less (NULL, &d, &c));
  g_assert_false (ps->less (NULL, &c, &c));
}

static void
test_queue_priority_order (QueueFixture *f, gconstpointer data)
{
  g_autoptr (KsPod) a = queue_pod ("a", NULL, 1);
  g_autoptr (KsPod) b = queue_pod ("b", "10", 2);
  g_autoptr (KsPod) c = queue_pod ("c", "0", 3);
  g_autoptr (KsPod) d = queue_pod ("d", "10", 4);
  g_autoptr (KsPod) e = queue_pod ("e", "-5", 5);
  g_autoptr (KsPod) g = queue_pod ("g", NULL, 6);
  g_autoptr (KsPod) h = queue_pod ("h", NULL, 7);

  ks_sched_queue_add (f->q, a);
  ks_sched_queue_add (f->q, b);
  ks_sched_queue_add (f->q, c);
  ks_sched_queue_add (f->q, d);
  ks_sched_queue_add (f->q, e);
  assert_queue (f, 5, 0, 0);
  /* priorities 10, 10 (arrival b, d), then 0, 0 (arrival a, c), then −5 */
  g_assert_cmpstr (pop_name (f), ==, "b");
  g_assert_cmpstr (pop_name (f), ==, "d");
  g_assert_cmpstr (pop_name (f), ==, "a");
  g_assert_cmpstr (pop_name (f), ==, "c");
  g_assert_cmpstr (pop_name (f), ==, "e");
  g_assert_null (ks_sched_queue_pop (f->q));
  ks_sched_queue_done (f->q, a);
  ks_sched_queue_done (f->q, b);
  ks_sched_queue_done (f->q, c);
  ks_sched_queue_done (f->q, d);
  ks_sched_queue_done (f->q, e);

  /* A retried pod re-enters with a new timestamp and sorts behind a pod of equal priority
   * queued earlier, although it arrived first. */
  ks_sched_queue_add (f->q, g); /* t = 0 */
  g_assert_cmpstr (pop_name (f), ==, "g");
  ks_sim_clock_run_until (f->sim, 3 * SEC);
  ks_sched_queue_add (f->q, h); /* t = 3 s */
  ks_sim_clock_run_until (f->sim, 5 * SEC);
  ks_sched_queue_requeue (f->q, g, FALSE); /* timestamp 5 s, backoff until 6 s */
  ks_sim_clock_run_until (f->sim, 6 * SEC);
  assert_queue (f, 2, 0, 0);
  g_assert_cmpstr (pop_name (f), ==, "h");
  g_assert_cmpstr (pop_name (f), ==, "g");
}

static void
test_queue_backoff_duration (void)
{
  static const gint64 expected[] = { 0, 1, 2, 4, 8, 10, 10 };

  /* backoff(0) = 0; min(1 s · 2^(a−1), 10 s) */
  for (guint a = 0; a < G_N_ELEMENTS (expected); a++)
    g_assert_cmpint (ks_sched_backoff_duration (1 * SEC, 10 * SEC, a), ==, expected[a] * SEC);
  /* no overflow for many attempts */
  g_assert_cmpint (ks_sched_backoff_duration (1 * SEC, 10 * SEC, 200), ==, 10 * SEC);
  /* 3 s initial, 20 s max: 3, 6, 12, then 20 */
  g_assert_cmpint (ks_sched_backoff_duration (3 * SEC, 20 * SEC, 3), ==, 12 * SEC);
  g_assert_cmpint (ks_sched_backoff_duration (3 * SEC, 20 * SEC, 4), ==, 20 * SEC);
}

static void
test_queue_move_all (QueueFixture *f, gconstpointer data)
{
  g_autoptr (KsPod) p = queue_pod ("p", NULL, 1);
  const KsQueuedPod *qp;

  ks_sched_queue_add (f->q, p);
  qp = ks_sched_queue_pop (f->q);
  g_assert_cmpuint (qp->attempts, ==, 1);
  ks_sched_queue_requeue (f->q, p, TRUE); /* t = 0: unschedulable, backoff 1 s until t = 1 s */
  assert_queue (f, 0, 0, 1);
  ks_sim_clock_run_until (f->sim, 500 * MSEC);
  assert_queue (f, 0, 0, 1);
  /* an event while still backing off: to backoffQ */
  ks_sched_queue_move_all (f->q);
  assert_queue (f, 0, 1, 0);
  ks_sim_clock_run_until (f->sim, 1 * SEC - 1);
  assert_queue (f, 0, 1, 0);
  /* the 1 s tick: expiry 1 s ≤ now */
  ks_sim_clock_run_until (f->sim, 1 * SEC);
  assert_queue (f, 1, 0, 0);

  /* second attempt at 1 s: backoff 2 s, until 3 s; an event at 2.5 s: backoffQ until the
   * 3 s tick */
  qp = ks_sched_queue_pop (f->q);
  g_assert_cmpuint (qp->attempts, ==, 2);
  ks_sched_queue_requeue (f->q, p, TRUE);
  ks_sim_clock_run_until (f->sim, 2500 * MSEC);
  ks_sched_queue_move_all (f->q);
  assert_queue (f, 0, 1, 0);
  ks_sim_clock_run_until (f->sim, 3 * SEC - 1);
  assert_queue (f, 0, 1, 0);
  ks_sim_clock_run_until (f->sim, 3 * SEC);
  assert_queue (f, 1, 0, 0);
  /* third attempt at 3 s: backoff 4 s, until 7 s */
  qp = ks_sched_queue_pop (f->q);
  g_assert_cmpuint (qp->attempts, ==, 3);
  ks_sched_queue_requeue (f->q, p, TRUE);
  ks_sim_clock_run_until (f->sim, 7 * SEC + 500 * MSEC);
  assert_queue (f, 0, 0, 1);
  ks_sched_queue_move_all (f->q);
  assert_queue (f, 1, 0, 0);
}

static void
test_queue_backoff_tick (QueueFixture *f, gconstpointer data)
{
  g_autoptr (KsPod) p = queue_pod ("p", NULL, 1);
  const KsQueuedPod *qp;

  ks_sim_clock_run_until (f->sim, 300 * MSEC);
  ks_sched_queue_add (f->q, p);
  qp = ks_sched_queue_pop (f->q);
  g_assert_cmpint (qp->timestamp, ==, 300 * MSEC);
  /* an error, not a plugin rejection: straight to backoffQ, expiry 0.3 s + 1 s = 1.3 s */
  ks_sched_queue_requeue (f->q, p, FALSE);
  assert_queue (f, 0, 1, 0);
  /* ticks at whole seconds: 1 s is too early, 1.3 s is no tick, 2 s flushes it */
  ks_sim_clock_run_until (f->sim, 1 * SEC);
  assert_queue (f, 0, 1, 0);
  ks_sim_clock_run_until (f->sim, 2 * SEC - 1);
  assert_queue (f, 0, 1, 0);
  ks_sim_clock_run_until (f->sim, 2 * SEC);
  assert_queue (f, 1, 0, 0);

  /* attempt 2 at 2 s: 2 s backoff, expiry 4 s, flushed by the 4 s tick */
  qp = ks_sched_queue_pop (f->q);
  g_assert_cmpuint (qp->attempts, ==, 2);
  ks_sched_queue_requeue (f->q, p, FALSE);
  ks_sim_clock_run_until (f->sim, 4 * SEC - 1);
  assert_queue (f, 0, 1, 0);
  ks_sim_clock_run_until (f->sim, 4 * SEC);
  assert_queue (f, 1, 0, 0);
}

/* backoffQ is ordered by expiry, not by arrival. */
static void
test_queue_backoff_order (QueueFixture *f, gconstpointer data)
{
  g_autoptr (KsPod) p = queue_pod ("p", NULL, 1);
  g_autoptr (KsPod) q = queue_pod ("q", NULL, 2);

  ks_sched_queue_add (f->q, p);
  g_assert_cmpstr (pop_name (f), ==, "p");
  ks_sched_queue_requeue (f->q, p, FALSE); /* t = 0, 1 s backoff */
  ks_sim_clock_run_until (f->sim, 1 * SEC);
  assert_queue (f, 1, 0, 0);
  g_assert_cmpstr (pop_name (f), ==, "p"); /* attempt 2 */
  ks_sched_queue_add (f->q, q);
  g_assert_cmpstr (pop_name (f), ==, "q"); /* attempt 1 */
  /* at 1 s: p backs off 2 s (until 3 s), q 1 s (until 2 s); p enters backoffQ first */
  ks_sched_queue_requeue (f->q, p, FALSE);
  ks_sched_queue_requeue (f->q, q, FALSE);
  assert_queue (f, 0, 2, 0);
  ks_sim_clock_run_until (f->sim, 2 * SEC);
  assert_queue (f, 1, 1, 0);
  g_assert_cmpstr (pop_name (f), ==, "q");
  ks_sim_clock_run_until (f->sim, 3 * SEC);
  assert_queue (f, 1, 0, 0);
  g_assert_cmpstr (pop_name (f), ==, "p");
}

static void
test_queue_unschedulable_timeout (QueueFixture *f, gconstpointer data)
{
  g_autoptr (KsPod) p = queue_pod ("p", NULL, 1);

  ks_sched_queue_add (f->q, p);
  ks_sched_queue_pop (f->q);
  ks_sched_queue_requeue (f->q, p, TRUE); /* t = 0 */
  assert_queue (f, 0, 0, 1);
  /* 30 s ticks; moved once it has been there more than 5 min: at 300 s exactly 5 min (not
   * more), so the 330 s tick moves it (backoff long over: activeQ) */
  ks_sim_clock_run_until (f->sim, 300 * SEC);
  assert_queue (f, 0, 0, 1);
  ks_sim_clock_run_until (f->sim, 330 * SEC - 1);
  assert_queue (f, 0, 0, 1);
  ks_sim_clock_run_until (f->sim, 330 * SEC);
  assert_queue (f, 1, 0, 0);
}

/* ---- cache node order (§1.3) ------------------------------------------------------------- */

static char *
cache_order (KsSchedCache *cache)
{
  GString *s = g_string_new (NULL);
  guint n;
  KsNodeInfo *const *list = ks_sched_cache_list_nodes (cache, &n);

  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (list[i]->index, ==, i);
      g_string_append_printf (s, "%s%s", i ? " " : "", list[i]->name);
    }
  return g_string_free (s, FALSE);
}

static void
assert_order (KsSchedCache *cache, const char *expected)
{
  g_autofree char *got = cache_order (cache);

  g_assert_cmpstr (got, ==, expected);
}

static void
cache_add (KsSchedCache *cache, const char *name, const char *zone)
{
  g_autofree char *labels
      = zone ? g_strdup_printf ("{topology.kubernetes.io/zone: %s}", zone) : NULL;
  g_autoptr (KsNode) node = node_new (name, labels, NULL, "cpu: \"1\"");

  ks_sched_cache_set_node (cache, node);
}

static void
test_cache_node_order (void)
{
  KsSchedCache *cache = ks_sched_cache_new ();

  cache_add (cache, "a0", "a");
  cache_add (cache, "a1", "a");
  cache_add (cache, "b0", "b");
  cache_add (cache, "a2", "a");
  cache_add (cache, "b1", "b");
  /* zones a, b in first-seen order; round-robin */
  assert_order (cache, "a0 b0 a1 b1 a2");
  /* a third zone (no labels: zone "") joins at the end of each round */
  cache_add (cache, "x0", NULL);
  assert_order (cache, "a0 b0 x0 a1 b1 a2");
  /* updating a node in place keeps its position */
  cache_add (cache, "a1", "a");
  assert_order (cache, "a0 b0 x0 a1 b1 a2");
  ks_sched_cache_free (cache);
}

static void
test_cache_remove_node (void)
{
  KsSchedCache *cache = ks_sched_cache_new ();

  cache_add (cache, "a0", "a");
  cache_add (cache, "b0", "b");
  cache_add (cache, "a1", "a");
  cache_add (cache, "b1", "b");
  cache_add (cache, "a2", "a");
  assert_order (cache, "a0 b0 a1 b1 a2");
  ks_sched_cache_remove_node (cache, "a1");
  assert_order (cache, "a0 b0 a2 b1");
  g_assert_null (ks_sched_cache_get_node (cache, "a1"));
  /* zone b empties and disappears; seen again later, it comes after a */
  ks_sched_cache_remove_node (cache, "b0");
  ks_sched_cache_remove_node (cache, "b1");
  assert_order (cache, "a0 a2");
  cache_add (cache, "b2", "b");
  assert_order (cache, "a0 b2 a2");
  /* a node moving to another zone goes to the end of that zone */
  cache_add (cache, "a0", "b");
  assert_order (cache, "a2 b2 a0");
  /* zone a empties (zones: b); a new node in a makes it the second zone */
  ks_sched_cache_remove_node (cache, "a2");
  assert_order (cache, "b2 a0");
  cache_add (cache, "a3", "a");
  assert_order (cache, "b2 a3 a0");
  ks_sched_cache_free (cache);
}

/* A bound pod (spec.nodeName set) with a distinct uid. */
static KsPod *
bound_pod (const char *name, const char *node, const char *resources, guint8 uid)
{
  g_autofree char *spec
      = g_strdup_printf ("{nodeName: %s, containers: [{name: c, image: busybox%s%s}]}", node,
                         resources ? ", resources: " : "", resources ? resources : "");
  KsPod *pod = ks_test_pod (name, spec);

  pod->parent.meta.uid.bytes[0] = 0x17;
  pod->parent.meta.uid.bytes[15] = uid;
  return pod;
}

/* The node views the framework reads: requests summed over bound and assumed pods. */
static void
test_cache_pod_accounting (void)
{
  KsSchedCache *cache = ks_sched_cache_new ();
  g_autoptr (KsNode) node
      = node_new ("nodea", NULL, "{unschedulable: true}", "cpu: \"4\", memory: 8Gi, pods: \"20\"");
  g_autoptr (KsPod) a = bound_pod ("a", "nodea", "{requests: {cpu: 500m, memory: 1Gi}}", 1);
  g_autoptr (KsPod) b = bound_pod ("b", "nodea", NULL, 2);
  g_autoptr (KsPod) c = pod_req ("c", "1", "2Gi");
  KsNodeInfo *ni;

  c->parent.meta.uid.bytes[15] = 3;
  ks_sched_cache_set_node (cache, node);
  ni = ks_sched_cache_get_node (cache, "nodea");
  g_assert_nonnull (ni);
  g_assert_cmpstr (ni->name, ==, "nodea");
  g_assert_true (ni->node == node);
  g_assert_cmpint (ni->allocatable.milli_cpu, ==, 4000);
  g_assert_cmpint (ni->allocatable.pods, ==, 20);
  g_assert_true (ni->unschedulable);
  ks_sched_cache_set_pod (cache, a);
  ks_sched_cache_set_pod (cache, b);
  /* real: 500m + 0, 1Gi + 0; non-zero: 500m + 100m, 1Gi + 200Mi */
  g_assert_cmpuint (ni->n_pods, ==, 2);
  g_assert_cmpuint (ni->pods->len, ==, 2);
  g_assert_cmpint (ni->requested.milli_cpu, ==, 500);
  g_assert_cmpint (ni->requested.memory, ==, GI);
  g_assert_cmpint (ni->nonzero_milli_cpu, ==, 600);
  g_assert_cmpint (ni->nonzero_memory, ==, GI + 200 * MI);
  /* an assumed pod counts at once */
  ks_sched_cache_assume_pod (cache, c, ks_intern ("nodea"));
  g_assert_true (ks_sched_cache_is_assumed (cache, c));
  g_assert_cmpuint (ni->n_pods, ==, 3);
  g_assert_cmpint (ni->requested.milli_cpu, ==, 1500);
  g_assert_cmpint (ni->requested.memory, ==, 3 * GI);
  g_assert_cmpint (ni->nonzero_milli_cpu, ==, 1600);
  g_assert_cmpuint (ks_sched_cache_n_pods (cache), ==, 3);
  /* removing a pod takes its requests off */
  ks_sched_cache_remove_pod (cache, a);
  g_assert_cmpuint (ni->n_pods, ==, 2);
  g_assert_cmpint (ni->requested.milli_cpu, ==, 1000);
  g_assert_cmpint (ni->requested.memory, ==, 2 * GI);
  g_assert_cmpint (ni->nonzero_milli_cpu, ==, 1100);
  g_assert_cmpint (ni->nonzero_memory, ==, 2 * GI + 200 * MI);
  g_assert_cmpuint (ks_sched_cache_n_pods (cache), ==, 2);
  ks_sched_cache_free (cache);
}

/* --config FILE: one document, problems with positions. */
static void
test_config_load_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ks-sched-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "sched.yaml", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (KsSchedulerConfig) config = NULL;
  g_autofree char *expected = NULL;

  g_assert_true (g_file_set_contents (path,
                                      "apiVersion: kubescheduler.config.k8s.io/v1\n"
                                      "kind: KubeSchedulerConfiguration\n"
                                      "profiles: [{schedulerName: packer}]\n",
                                      -1, NULL));
  config = ks_scheduler_config_load_file (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ks_scheduler_config_get_profile (config, "packer"));
  g_assert_true (g_file_set_contents (path,
                                      "apiVersion: kubescheduler.config.k8s.io/v1\n"
                                      "kind: KubeSchedulerConfiguration\n"
                                      "percentageOfNodesToScore: x\n",
                                      -1, NULL));
  g_assert_null (ks_scheduler_config_load_file (path, &error));
  g_assert_error (error, KS_INPUT_ERROR, KS_INPUT_ERROR_INVALID);
  expected = g_strconcat (path, ":3:27: percentageOfNodesToScore: ", NULL);
  g_assert_true (g_str_has_prefix (error->message, expected));
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (path, "a: 1\n---\nb: 2\n", -1, NULL));
  g_assert_null (ks_scheduler_config_load_file (path, &error));
  g_assert_nonnull (strstr (error->message, "expected one KubeSchedulerConfiguration document, "
                                            "found 2"));
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scheduler/normalize/default", test_normalize_default);
  g_test_add_func ("/scheduler/num-feasible/adaptive", test_num_feasible_adaptive);
  g_test_add_func ("/scheduler/num-feasible/percentage", test_num_feasible_percentage);

  g_test_add_func ("/scheduler/fit/filter-fits", test_fit_filter_fits);
  g_test_add_func ("/scheduler/fit/filter-all-reasons", test_fit_filter_all_reasons);
  g_test_add_func ("/scheduler/fit/filter-too-many-pods", test_fit_filter_too_many_pods);
  g_test_add_func ("/scheduler/fit/filter-extended", test_fit_filter_extended);
  g_test_add_func ("/scheduler/fit/least-allocated", test_fit_least_allocated);
  g_test_add_func ("/scheduler/fit/nonzero-defaults", test_fit_nonzero_defaults);
  g_test_add_func ("/scheduler/fit/most-allocated", test_fit_most_allocated);
  g_test_add_func ("/scheduler/fit/over-allocatable", test_fit_over_allocatable);
  g_test_add_func ("/scheduler/fit/zero-allocatable", test_fit_zero_allocatable);
  g_test_add_func ("/scheduler/fit/extended-score", test_fit_extended_score);
  g_test_add_func ("/scheduler/fit/bad-args", test_fit_bad_args);
  g_test_add_func ("/scheduler/fit/args-defaults", test_fit_args_defaults);
  g_test_add_func ("/scheduler/balanced/two-resources", test_balanced_two);
  g_test_add_func ("/scheduler/balanced/three-resources", test_balanced_three);
  g_test_add_func ("/scheduler/taint/filter", test_taint_filter);
  g_test_add_func ("/scheduler/taint/score", test_taint_score);
  g_test_add_func ("/scheduler/affinity/node-selector", test_affinity_node_selector);
  g_test_add_func ("/scheduler/affinity/required", test_affinity_required);
  g_test_add_func ("/scheduler/affinity/preferred", test_affinity_preferred);
  g_test_add_func ("/scheduler/unschedulable/filter", test_unschedulable_filter);
  g_test_add_func ("/scheduler/node-name/filter", test_node_name_filter);

  g_test_add_func ("/scheduler/framework/no-nodes", test_framework_no_nodes);
  g_test_add_func ("/scheduler/framework/fit-error", test_framework_fit_error);
  g_test_add_func ("/scheduler/framework/fit-error-mixed", test_framework_fit_error_mixed);
  g_test_add_func ("/scheduler/framework/fit-error-string-sort",
                   test_framework_fit_error_string_sort);
  g_test_add_func ("/scheduler/framework/single-feasible", test_framework_single_feasible);
  g_test_add_func ("/scheduler/framework/rotation", test_framework_rotation);
  g_test_add_func ("/scheduler/framework/ties", test_framework_ties);
  g_test_add_func ("/scheduler/framework/weighted-total", test_framework_weighted_total);

  g_test_add_func ("/scheduler/config/default-profile", test_config_default_profile);
  g_test_add_func ("/scheduler/config/load-file", test_config_load_file);
  g_test_add_func ("/scheduler/config/score-disabled", test_config_score_disabled);
  g_test_add_func ("/scheduler/config/weight-override", test_config_weight_override);
  g_test_add_func ("/scheduler/config/unknown-plugin", test_config_unknown_plugin);
  g_test_add_func ("/scheduler/config/unimplemented-plugin", test_config_unimplemented_plugin);
  g_test_add_func ("/scheduler/config/unknown-fields", test_config_unknown_fields);
  g_test_add_func ("/scheduler/framework/reserve", test_framework_reserve);
  g_test_add_func ("/scheduler/framework/score-without-prescore",
                   test_framework_score_without_prescore);
  g_test_add_func ("/scheduler/config/empty-profiles", test_config_empty_profiles);
  g_test_add_func ("/scheduler/config/fit-args", test_config_fit_args);
  g_test_add_func ("/scheduler/config/bad-args", test_config_bad_args);
  g_test_add_func ("/scheduler/config/percentage", test_config_percentage);
  g_test_add_func ("/scheduler/config/two-profiles", test_config_two_profiles);

  g_test_add_func ("/scheduler/queue/priority-sort-less", test_queue_priority_sort_less);
  g_test_add ("/scheduler/queue/priority-order", QueueFixture, NULL, queue_setup,
              test_queue_priority_order, queue_teardown);
  g_test_add_func ("/scheduler/queue/backoff-duration", test_queue_backoff_duration);
  g_test_add ("/scheduler/queue/move-all", QueueFixture, NULL, queue_setup, test_queue_move_all,
              queue_teardown);
  g_test_add ("/scheduler/queue/backoff-tick", QueueFixture, NULL, queue_setup,
              test_queue_backoff_tick, queue_teardown);
  g_test_add ("/scheduler/queue/backoff-order", QueueFixture, NULL, queue_setup,
              test_queue_backoff_order, queue_teardown);
  g_test_add ("/scheduler/queue/unschedulable-timeout", QueueFixture, NULL, queue_setup,
              test_queue_unschedulable_timeout, queue_teardown);

  g_test_add_func ("/scheduler/cache/node-order", test_cache_node_order);
  g_test_add_func ("/scheduler/cache/remove-node", test_cache_remove_node);
  g_test_add_func ("/scheduler/cache/pod-accounting", test_cache_pod_accounting);

  return g_test_run ();
}
