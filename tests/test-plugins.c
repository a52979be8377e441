/* test-plugins.c: table tests of the built-in plugins added or completed for Kubernetes v1.32's
 * default profile (shared reference kubernetes.md §1.7): NodeResourcesFit's three scoring
 * strategies (RequestedToCapacityRatio with its shape), extended resources and ignored resources,
 * the non-zero request defaults, BalancedAllocation's resources, NodePorts and the node view's
 * host ports, ImageLocality with its thresholds, TaintToleration's score, NodeAffinity's
 * preferred score and addedAffinity, and the cache's host ports and image counts.
 *
 * Every expected number is worked out by hand in the comment next to it: "div" truncates toward
 * zero, Mi = 1048576 bytes, cpu in millicores. */
#include "config.h"

#include <string.h>

#include "policies/ks-builtin-private.h"
#include "src/scheduler/ks-sched-cache.h"
#include "tests/ks-test-sched.h"

#define MI KS_TEST_MI
#define GI KS_TEST_GI

/* A node view with the given allocatable (the inside of a flow mapping). */
static KsNodeInfo *
node_alloc (const char *name, guint index, const char *allocatable)
{
  g_autofree char *status = g_strdup_printf ("allocatable: {%s}", allocatable);
  return ks_test_node_info_new (ks_test_node (name, NULL, NULL, status), index);
}

/* Score pod on the first node of nodes with plugin name and args. */
static gint64
score_one (const char *name, const char *args, KsPod *pod, GPtrArray *nodes)
{
  KsTestPlug p;
  gint64 scores[8];

  g_assert_cmpuint (nodes->len, <=, G_N_ELEMENTS (scores));
  ks_test_plug_init (&p, name, args, nodes);
  g_assert_cmpint (ks_test_plug_score_all (&p, pod, scores), ==, KS_STATUS_SUCCESS);
  ks_test_plug_clear (&p);
  return scores[0];
}

/* ---- NodeResourcesFit: LeastAllocated and MostAllocated (§1.7.2) ------------------------- */

typedef struct
{
  const char *args;
  gint64 expected;
} ArgsRow;

/* Odd capacities: 3333m and 7777Mi allocatable, 1111m and 2222Mi already requested, the pod asks
 * 1 cpu and 1000Mi.  requested: cpu 2111, memory 3222Mi. */
static void
test_fit_odd_capacities (void)
{
  static const ArgsRow rows[] = {
    /* Least: cpu (3333 − 2111)·100 div 3333 = 122200 div 3333 = 36; memory 4555·100 div 7777 =
     * 58; (36 + 58) div 2 = 47 */
    { NULL, 47 },
    { "{\"scoringStrategy\": {\"type\": \"LeastAllocated\"}}", 47 },
    /* Most: cpu 211100 div 3333 = 63; memory 322200 div 7777 = 41; (63 + 41) div 2 = 52 */
    { "{\"scoringStrategy\": {\"type\": \"MostAllocated\"}}", 52 },
    /* weights cpu 3, memory 1: Least (36·3 + 58) div 4 = 166 div 4 = 41 (41.5 truncated) */
    { "{\"scoringStrategy\": {\"type\": \"LeastAllocated\", \"resources\": [{\"name\": \"cpu\", "
      "\"weight\": 3}, {\"name\": \"memory\", \"weight\": 1}]}}",
      41 },
    /* Most (63·3 + 41) div 4 = 230 div 4 = 57 (57.5 truncated) */
    { "{\"scoringStrategy\": {\"type\": \"MostAllocated\", \"resources\": [{\"name\": \"cpu\", "
      "\"weight\": 3}, {\"name\": \"memory\"}]}}",
      57 },
    /* memory only: 58 */
    { "{\"scoringStrategy\": {\"type\": \"LeastAllocated\", \"resources\": [{\"name\": "
      "\"memory\"}]}}",
      58 },
  };
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  g_autoptr (KsPod) used = ks_test_pod_req ("used", "cpu: 1111m, memory: 2222Mi");
  g_autoptr (KsPod) pod = ks_test_pod_req ("p", "cpu: 1, memory: 1000Mi");
  KsNodeInfo *ni = node_alloc ("node", 0, "cpu: 3333m, memory: 7777Mi");

  g_ptr_array_add (nodes, ni);
  ks_test_node_info_add_pod (ni, used);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    g_assert_cmpint (score_one ("NodeResourcesFit", rows[i].args, pod, nodes), ==,
                     rows[i].expected);
}

/* Containers without requests count 100m and 200Mi for scoring; an explicit 0 stays 0.  A
 * 4-cpu, 8Gi (8192Mi) node without pods. */
static void
test_fit_nonzero_requests (void)
{
  static const struct
  {
    const char *spec;
    gint64 nonzero_cpu, nonzero_memory_mi, least, balanced;
  } rows[] = {
    /* two containers without requests: 200m, 400Mi; cpu (4000 − 200)·100 div 4000 = 95,
     * memory (8192 − 400)·100 div 8192 = 779200 div 8192 = 95 → 95; Balanced uses the real
     * requests, 0 and 0: std 0 → 100 */
    { "{containers: [{name: a, image: x}, {name: b, image: x}]}", 200, 400, 95, 100 },
    /* explicit zeros stay 0: 100 and 100 → 100 */
    { "{containers: [{name: a, image: x, resources: {requests: {cpu: 0, memory: 0}}}]}", 0, 0, 100,
      100 },
    /* cpu 0 set, memory unset: cpu 100, memory (8192 − 200)·100 div 8192 = 97 → 197 div 2 = 98 */
    { "{containers: [{name: a, image: x, resources: {requests: {cpu: 0}}}]}", 0, 200, 98, 100 },
    /* an init container counts too: max(init 100m/200Mi, containers 100m + 100m) = 200m, 400Mi */
    { "{initContainers: [{name: i, image: x}], containers: [{name: a, image: x}, {name: b, image: "
      "x}]}",
      200, 400, 95, 100 },
    /* cpu 1 (real), memory unset (200Mi for Fit, 0 for Balanced): Fit cpu 75, memory 97 → 86;
     * Balanced fractions 0.25 and 0 → std 0.125 → 87 */
    { "{containers: [{name: a, image: x, resources: {requests: {cpu: 1}}}]}", 1000, 200, 86, 87 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
      g_autoptr (KsPod) pod = ks_test_pod ("p", rows[i].spec);
      g_ptr_array_add (nodes, node_alloc ("node", 0, "cpu: 4, memory: 8Gi"));
      g_assert_cmpint (pod->spec->nonzero_milli_cpu, ==, rows[i].nonzero_cpu);
      g_assert_cmpint (pod->spec->nonzero_memory, ==, rows[i].nonzero_memory_mi * MI);
      g_assert_cmpint (score_one ("NodeResourcesFit", NULL, pod, nodes), ==, rows[i].least);
      g_assert_cmpint (score_one ("NodeResourcesBalancedAllocation", NULL, pod, nodes), ==,
                       rows[i].balanced);
    }
}

/* The scores take a straight path when the resources are cpu then memory; listed memory first
 * they take the general loop.  Both must agree to the integer on every node and pod, capacities
 * of 0 and requests over capacity included. */
static void
test_fit_cpu_memory_path (void)
{
  static const char *const allocs[]
      = { "cpu: 4, memory: 8Gi", "cpu: 3333m, memory: 7777Mi", "cpu: 1, memory: 0",
          "cpu: 0, memory: 1Gi", "cpu: 0, memory: 0" };
  static const char *const used[] = { NULL, "cpu: 1111m, memory: 2222Mi", "cpu: 5, memory: 9Gi" };
  static const char *const pods[] = { "cpu: 1, memory: 1000Mi", "cpu: 7, memory: 1Ki", "cpu: 1m" };
  static const struct
  {
    const char *plugin, *fast, *general;
  } pairs[] = {
    { "NodeResourcesFit", NULL,
      "{\"scoringStrategy\": {\"type\": \"LeastAllocated\", \"resources\": [{\"name\": "
      "\"memory\", \"weight\": 1}, {\"name\": \"cpu\", \"weight\": 1}]}}" },
    { "NodeResourcesFit",
      "{\"scoringStrategy\": {\"type\": \"LeastAllocated\", \"resources\": [{\"name\": "
      "\"cpu\", \"weight\": 3}, {\"name\": \"memory\", \"weight\": 1}]}}",
      "{\"scoringStrategy\": {\"type\": \"LeastAllocated\", \"resources\": [{\"name\": "
      "\"memory\", \"weight\": 1}, {\"name\": \"cpu\", \"weight\": 3}]}}" },
    { "NodeResourcesBalancedAllocation", NULL,
      "{\"resources\": [{\"name\": \"memory\", \"weight\": 1}, {\"name\": \"cpu\", "
      "\"weight\": 1}]}" },
  };
  guint compared = 0;

  for (guint a = 0; a < G_N_ELEMENTS (allocs); a++)
    for (guint u = 0; u < G_N_ELEMENTS (used); u++)
      for (guint p = 0; p < G_N_ELEMENTS (pods); p++)
        {
          g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
          g_autoptr (KsPod) pod = ks_test_pod_req ("p", pods[p]);
          g_autoptr (KsPod) other = used[u] != NULL ? ks_test_pod_req ("used", used[u]) : NULL;
          KsNodeInfo *ni = node_alloc ("node", 0, allocs[a]);
          g_ptr_array_add (nodes, ni);
          if (other != NULL)
            ks_test_node_info_add_pod (ni, other);
          for (guint k = 0; k < G_N_ELEMENTS (pairs); k++)
            {
              gint64 fast = score_one (pairs[k].plugin, pairs[k].fast, pod, nodes);
              gint64 general = score_one (pairs[k].plugin, pairs[k].general, pod, nodes);
              g_assert_cmpint (fast, ==, general);
              compared++;
            }
        }
  g_assert_cmpuint (compared, ==, 135);
}

/* ---- RequestedToCapacityRatio (§1.7.2) --------------------------------------------------- */

#define RTCR(shape, resources)                                                                     \
  "{\"scoringStrategy\": {\"type\": \"RequestedToCapacityRatio\", \"resources\": " resources       \
  ", \"requestedToCapacityRatio\": {\"shape\": " shape "}}}"
#define CPU_MEM "[{\"name\": \"cpu\", \"weight\": 1}, {\"name\": \"memory\", \"weight\": 1}]"
#define PACKING "[{\"utilization\": 0, \"score\": 0}, {\"utilization\": 100, \"score\": 10}]"
#define SPREADING "[{\"utilization\": 0, \"score\": 10}, {\"utilization\": 100, \"score\": 0}]"

/* A 1000m / 1000Mi node; the pod asks 100m / 100Mi; used_cpu and used_mem (millicores, Mi) are
 * already requested, so utilization = (used + 100)·100 div 1000. */
static void
test_fit_rtcr (void)
{
  static const struct
  {
    const char *args;
    gint64 used_cpu, used_mem, expected;
  } rows[] = {
    /* packing: cpu util 37 (370·100 div 1000) → 37; memory 50 → 50; round(87 / 2 = 43.5) = 44
     * (integer division would give 43) */
    { RTCR (PACKING, CPU_MEM), 270, 400, 44 },
    /* spreading: 100 − util: 63 and 50 → round(56.5) = 57 */
    { RTCR (SPREADING, CPU_MEM), 270, 400, 57 },
    /* falling segments (0,100) (30,30) (100,0): cpu util 10 → 100 + (30 − 100)·10 div 30 =
     * 100 − 23 (−23.3 truncated toward zero; floor would give 76) = 77; memory util 58 →
     * 30 + (0 − 30)·(58 − 30) div 70 = 30 − 12 = 18; round(95 / 2 = 47.5) = 48 */
    { RTCR ("[{\"utilization\": 0, \"score\": 10}, {\"utilization\": 30, \"score\": 3}, "
            "{\"utilization\": 100, \"score\": 0}]",
            CPU_MEM),
      0, 480, 48 },
    /* a resource scoring 0 does not count, weight included: shape (0,0) (50,0) (100,100); cpu
     * util 10 → 0; memory util 80 → 0 + 100·30 div 50 = 60 → 60 (not 30) */
    { RTCR ("[{\"utilization\": 0, \"score\": 0}, {\"utilization\": 50, \"score\": 0}, "
            "{\"utilization\": 100, \"score\": 10}]",
            CPU_MEM),
      0, 700, 60 },
    /* more requested than allocatable scores f(100): spreading f(100) = 0, not counted; memory
     * util 10 → 90 → 90 */
    { RTCR (SPREADING, CPU_MEM), 2000, 0, 90 },
    /* more than allocatable everywhere: packing f(100) = 100 for both → 100; spreading f(100)
     * = 0 for both, so nothing counts → 0 */
    { RTCR (PACKING, CPU_MEM), 2000, 2000, 100 },
    { RTCR (SPREADING, CPU_MEM), 2000, 2000, 0 },
    /* weights cpu 3, memory 1 on packing: util 37 and 50 → round((111 + 50) / 4 = 40.25) = 40 */
    { RTCR (PACKING, "[{\"name\": \"cpu\", \"weight\": 3}, {\"name\": \"memory\"}]"), 270, 400,
      40 },
    /* below the first point: the first score; above the last: the last score.  Shape (20,20)
     * (60,80): cpu util 10 → 20; memory util 90 → 80; round(50) = 50 */
    { RTCR ("[{\"utilization\": 20, \"score\": 2}, {\"utilization\": 60, \"score\": 8}]", CPU_MEM),
      0, 800, 50 },
  };
  g_autoptr (KsPod) pod = ks_test_pod_req ("p", "cpu: 100m, memory: 100Mi");

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
      KsNodeInfo *ni = node_alloc ("node", 0, "cpu: 1000m, memory: 1000Mi");
      g_ptr_array_add (nodes, ni);
      ni->nonzero_milli_cpu = ni->requested.milli_cpu = rows[i].used_cpu;
      ni->nonzero_memory = ni->requested.memory = rows[i].used_mem * MI;
      g_assert_cmpint (score_one ("NodeResourcesFit", rows[i].args, pod, nodes), ==,
                       rows[i].expected);
    }
}

/* Extended resources in the score: the node's real requests of nvidia.com/gpu; a pod that does
 * not request the resource leaves it out. */
static void
test_fit_extended_resources (void)
{
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  g_autoptr (KsPod) holder = ks_test_pod ("h", "{containers: [{name: c, image: x, resources: "
                                               "{limits: {nvidia.com/gpu: 2}}}]}");
  g_autoptr (KsPod) gpu = ks_test_pod ("g", "{containers: [{name: c, image: x, resources: "
                                            "{requests: {cpu: 270m, memory: 400Mi}, "
                                            "limits: {nvidia.com/gpu: 1}}}]}");
  g_autoptr (KsPod) plain = ks_test_pod_req ("p", "cpu: 270m, memory: 400Mi");
  KsNodeInfo *ni = node_alloc ("node", 0, "cpu: 1000m, memory: 1000Mi, nvidia.com/gpu: 4");
  const char *packing = RTCR (PACKING, "[{\"name\": \"cpu\"}, {\"name\": \"memory\"}, "
                                       "{\"name\": \"nvidia.com/gpu\", \"weight\": 2}]");
  const char *most = "{\"scoringStrategy\": {\"type\": \"MostAllocated\", \"resources\": "
                     "[{\"name\": \"cpu\"}, {\"name\": \"memory\"}, "
                     "{\"name\": \"nvidia.com/gpu\", \"weight\": 2}]}}";
  char *reasons = NULL;
  KsTestPlug fit;

  g_ptr_array_add (nodes, ni);
  ks_test_node_info_add_pod (ni, holder);
  /* holder: 2 gpus, and 100m / 200Mi non-zero; the pods add 270m / 400Mi: cpu util 37,
   * memory util 60; gpu (2 + 1)·100 div 4 = 75.  Packing: round((37 + 60 + 75·2) / 4 = 61.75)
   * = 62 */
  g_assert_cmpint (score_one ("NodeResourcesFit", packing, gpu, nodes), ==, 62);
  /* without a gpu request the gpu is left out: round((37 + 60) / 2 = 48.5) = 49 */
  g_assert_cmpint (score_one ("NodeResourcesFit", packing, plain, nodes), ==, 49);
  /* MostAllocated: (37 + 60 + 150) div 4 = 61; without gpu: 97 div 2 = 48 */
  g_assert_cmpint (score_one ("NodeResourcesFit", most, gpu, nodes), ==, 61);
  g_assert_cmpint (score_one ("NodeResourcesFit", most, plain, nodes), ==, 48);

  /* filter: 4 − 2 = 2 ≥ 1 fits; a 3-gpu pod does not */
  ks_test_plug_init (&fit, "NodeResourcesFit", NULL, nodes);
  g_assert_cmpint (ks_test_plug_filter (&fit, gpu, ni, NULL), ==, KS_STATUS_SUCCESS);
  {
    g_autoptr (KsPod) three = ks_test_pod ("t", "{containers: [{name: c, image: x, resources: "
                                                "{limits: {nvidia.com/gpu: 3, "
                                                "example.com/foo: 1}}}]}");
    g_assert_cmpint (ks_test_plug_filter (&fit, three, ni, &reasons), ==, KS_STATUS_UNSCHEDULABLE);
    g_assert_cmpstr (reasons, ==, "Insufficient example.com/foo | Insufficient nvidia.com/gpu");
    g_free (reasons);
    ks_test_plug_clear (&fit);
    /* ignoredResourceGroups names prefixes of extended resources: example.com/foo is skipped,
     * nvidia.com/gpu still checked */
    ks_test_plug_init (&fit, "NodeResourcesFit", "{\"ignoredResourceGroups\": [\"example.com\"]}",
                       nodes);
    g_assert_cmpint (ks_test_plug_filter (&fit, three, ni, &reasons), ==, KS_STATUS_UNSCHEDULABLE);
    g_assert_cmpstr (reasons, ==, "Insufficient nvidia.com/gpu");
    g_free (reasons);
    ks_test_plug_clear (&fit);
  }
  /* ignoredResources applies to extended resources only: hugepages are still checked */
  {
    g_autoptr (KsPod) huge
        = ks_test_pod ("hp", "{containers: [{name: c, image: x, resources: {requests: "
                             "{hugepages-2Mi: 2Mi, cpu: 10m}, limits: {hugepages-2Mi: 2Mi}}}]}");
    ks_test_plug_init (&fit, "NodeResourcesFit", "{\"ignoredResources\": [\"hugepages-2Mi\"]}",
                       nodes);
    g_assert_cmpint (ks_test_plug_filter (&fit, huge, ni, &reasons), ==, KS_STATUS_UNSCHEDULABLE);
    g_assert_cmpstr (reasons, ==, "Insufficient hugepages-2Mi");
    g_free (reasons);
    ks_test_plug_clear (&fit);
  }
}

/* NodeResourcesFitArgs and NodeResourcesBalancedAllocationArgs errors: "field.path: message",
 * one line each, every problem reported. */
static void
test_resources_bad_args (void)
{
  static const struct
  {
    const char *plugin, *args, *message;
  } rows[] = {
    { "NodeResourcesFit", "{\"ignoredResourceGroups\": [\"example.com/gpu\"]}",
      "ignoredResourceGroups[0]: invalid value \"example.com/gpu\": resource group name can't "
      "contain '/'" },
    { "NodeResourcesFit", "{\"ignoredResources\": [\"-bad\"]}",
      "ignoredResources[0]: invalid value \"-bad\": must be a qualified name: an optional DNS "
      "subdomain prefix and '/', then at most 63 characters of letters, digits, '-', '_' and '.', "
      "starting and ending with a letter or digit (e.g. \"app\" or \"example.com/tier\")" },
    { "NodeResourcesFit", "{\"scoringStrategy\": {\"resources\": [{\"name\": \"cpu\"}]}}",
      "scoringStrategy.type: required field is missing; supported values: \"LeastAllocated\", "
      "\"MostAllocated\", \"RequestedToCapacityRatio\"" },
    { "NodeResourcesFit",
      "{\"scoringStrategy\": {\"type\": \"MostAllocated\", \"resources\": [{\"name\": \"cpu\", "
      "\"weight\": -1}, {\"name\": \"memory\", \"weight\": 101}]}}",
      "scoringStrategy.resources[0].weight: invalid value -1: resource weight of cpu not in valid "
      "range (0, 100]\nscoringStrategy.resources[1].weight: invalid value 101: resource weight of "
      "memory not in valid range (0, 100]" },
    { "NodeResourcesFit", "{\"scoringStrategy\": {\"type\": \"RequestedToCapacityRatio\"}}",
      "scoringStrategy.requestedToCapacityRatio: required with type RequestedToCapacityRatio (a "
      "shape of {utilization, score} points)" },
    { "NodeResourcesFit",
      "{\"scoringStrategy\": {\"type\": \"RequestedToCapacityRatio\", "
      "\"requestedToCapacityRatio\": {\"shape\": []}}}",
      "scoringStrategy.requestedToCapacityRatio.shape: at least one point must be specified" },
    /* unsorted (only the first reported), utilization and score out of range */
    { "NodeResourcesFit",
      "{\"scoringStrategy\": {\"type\": \"RequestedToCapacityRatio\", "
      "\"requestedToCapacityRatio\": {\"shape\": [{\"utilization\": 50, \"score\": 11}, "
      "{\"utilization\": 50, \"score\": 1}, {\"utilization\": 40}, {\"utilization\": 101}]}}}",
      "scoringStrategy.requestedToCapacityRatio.shape[0].score: invalid value 11: not in valid "
      "range [0, 10]\n"
      "scoringStrategy.requestedToCapacityRatio.shape[1].utilization: invalid value 50: "
      "utilization values must be sorted in increasing order\n"
      "scoringStrategy.requestedToCapacityRatio.shape[3].utilization: invalid value 101: not in "
      "valid range [0, 100]" },
    /* the shape is checked with any type */
    { "NodeResourcesFit",
      "{\"scoringStrategy\": {\"type\": \"LeastAllocated\", \"requestedToCapacityRatio\": "
      "{\"shape\": [{\"utilization\": 10, \"score\": -1}], \"x\": 1}}}",
      "scoringStrategy.requestedToCapacityRatio.x: unknown field \"x\"; valid fields: shape\n"
      "scoringStrategy.requestedToCapacityRatio.shape[0].score: invalid value -1: not in valid "
      "range [0, 10]" },
    { "NodeResourcesFit", "{\"kind\": \"NodeAffinityArgs\", \"scoringStrateg\": {}}",
      "kind: must be \"NodeResourcesFitArgs\"\nscoringStrateg: unknown field \"scoringStrateg\"; "
      "valid fields: ignoredResources, ignoredResourceGroups, scoringStrategy, apiVersion, kind" },
    { "NodeResourcesBalancedAllocation",
      "{\"resources\": [{\"name\": \"cpu\"}, {\"name\": \"cpu\", \"weight\": 2}, "
      "{\"name\": \"memory\", \"weight\": 3}]}",
      "resources[1].name: duplicate value \"cpu\"\nresources[2].weight: invalid value 3: must be "
      "1" },
    { "NodeResourcesBalancedAllocation", "[]",
      "expected a mapping of NodeResourcesBalancedAllocationArgs, got a list" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *message = ks_test_plug_error (rows[i].plugin, rows[i].args);
      g_assert_cmpstr (message, ==, rows[i].message);
    }
}

/* BalancedAllocation over cpu and a gpu: a pod without a gpu request leaves only cpu, so one
 * fraction, std 0. */
static void
test_balanced_resources (void)
{
  const char *args = "{\"apiVersion\": \"kubescheduler.config.k8s.io/v1\", \"kind\": "
                     "\"NodeResourcesBalancedAllocationArgs\", \"resources\": [{\"name\": "
                     "\"cpu\", \"weight\": 0}, {\"name\": \"nvidia.com/gpu\"}]}";
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  g_autoptr (KsPod) plain = ks_test_pod_req ("p", "cpu: 3");
  g_autoptr (KsPod) gpu = ks_test_pod ("g", "{containers: [{name: c, image: x, resources: "
                                            "{requests: {cpu: 1}, limits: {nvidia.com/gpu: 3}}}]}");

  g_ptr_array_add (nodes, node_alloc ("node", 0, "cpu: 4, memory: 8Gi, nvidia.com/gpu: 4"));
  g_assert_cmpint (score_one ("NodeResourcesBalancedAllocation", args, plain, nodes), ==, 100);
  /* cpu 0.25, gpu 0.75: std 0.25 → 75 */
  g_assert_cmpint (score_one ("NodeResourcesBalancedAllocation", args, gpu, nodes), ==, 75);
}

/* ---- NodePorts ---------------------------------------------------------------------------- */

static KsPod *
port_pod (const char *name, const char *port)
{
  g_autofree char *spec
      = g_strdup_printf ("{containers: [{name: c, image: x, ports: [%s]}]}", port);
  return ks_test_pod (name, spec);
}

static void
test_node_ports (void)
{
  static const struct
  {
    const char *port;
    KsStatusCode code;
  } rows[] = {
    /* the node holds 8080/TCP on every IP and 9090/UDP on 10.0.0.1 */
    { "{containerPort: 80, hostPort: 8080}", KS_STATUS_UNSCHEDULABLE },
    { "{containerPort: 80, hostPort: 8080, protocol: UDP}", KS_STATUS_SUCCESS },
    /* 0.0.0.0 on the node covers every IP */
    { "{containerPort: 80, hostPort: 8080, hostIP: 10.0.0.2}", KS_STATUS_UNSCHEDULABLE },
    /* another IP than the one held */
    { "{containerPort: 90, hostPort: 9090, protocol: UDP, hostIP: 10.0.0.2}", KS_STATUS_SUCCESS },
    /* the same IP, or every IP */
    { "{containerPort: 90, hostPort: 9090, protocol: UDP, hostIP: 10.0.0.1}",
      KS_STATUS_UNSCHEDULABLE },
    { "{containerPort: 90, hostPort: 9090, protocol: UDP, hostIP: 0.0.0.0}",
      KS_STATUS_UNSCHEDULABLE },
    { "{containerPort: 90, hostPort: 9090, protocol: UDP}", KS_STATUS_UNSCHEDULABLE },
    { "{containerPort: 90, hostPort: 9090}", KS_STATUS_SUCCESS },
    /* no hostPort: PreFilter skips */
    { "{containerPort: 8080}", KS_STATUS_SKIP },
  };
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  g_autoptr (KsPod) a = port_pod ("a", "{containerPort: 80, hostPort: 8080}");
  g_autoptr (KsPod) b
      = port_pod ("b", "{containerPort: 90, hostPort: 9090, protocol: UDP, hostIP: 10.0.0.1}");
  g_autoptr (KsPod) init = ks_test_pod (
      "i", "{initContainers: [{name: i, image: x, ports: [{containerPort: 1, hostPort: 8080}]}], "
           "containers: [{name: c, image: x}]}");
  KsNodeInfo *ni = node_alloc ("node", 0, "cpu: 4");
  KsTestPlug p;

  g_ptr_array_add (nodes, ni);
  ks_test_node_info_add_pod (ni, a);
  ks_test_node_info_add_pod (ni, b);
  g_assert_cmpuint (ni->used_ports->len, ==, 2);
  ks_test_plug_init (&p, "NodePorts", NULL, nodes);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr (KsPod) pod = port_pod ("p", rows[i].port);
      g_autofree char *reasons = NULL;
      g_assert_cmpint (ks_test_plug_filter (&p, pod, ni, &reasons), ==, rows[i].code);
      g_assert_cmpstr (reasons, ==,
                       rows[i].code == KS_STATUS_UNSCHEDULABLE
                           ? "node(s) didn't have free ports for the requested pod ports"
                           : "");
    }
  /* v1.32 reads the regular containers only: an init container's hostPort is not wanted */
  g_assert_cmpint (ks_test_plug_filter (&p, init, ni, NULL), ==, KS_STATUS_SKIP);
  ks_test_plug_clear (&p);
}

/* HostPortInfo is a set: a second pod holding the same port adds nothing, and removing either
 * frees the port. */
static void
test_host_ports_set (void)
{
  g_autoptr (KsPod) a = port_pod ("a", "{containerPort: 80, hostPort: 8080}");
  g_autoptr (KsPod) b = port_pod ("b", "{containerPort: 81, hostPort: 8080, protocol: TCP}");
  g_autoptr (KsPod) none = port_pod ("none", "{containerPort: 80}");
  GArray *used = NULL;
  const KsHostPort *hp;

  ks_host_ports_update (&used, none, TRUE);
  g_assert_null (used);
  ks_host_ports_update (&used, a, TRUE);
  ks_host_ports_update (&used, b, TRUE);
  g_assert_cmpuint (used->len, ==, 1);
  hp = &g_array_index (used, KsHostPort, 0);
  g_assert_cmpstr (hp->ip, ==, "0.0.0.0");
  g_assert_cmpstr (hp->protocol, ==, "TCP");
  g_assert_cmpint (hp->port, ==, 8080);
  g_assert_true (ks_host_ports_conflict (used, NULL, NULL, 8080));
  g_assert_true (ks_host_ports_conflict (used, "192.168.1.1", "TCP", 8080));
  g_assert_false (ks_host_ports_conflict (used, "", "SCTP", 8080));
  g_assert_false (ks_host_ports_conflict (used, "", "TCP", 0));
  ks_host_ports_update (&used, a, FALSE);
  g_assert_null (used);
}

/* The cache keeps used_ports with the pods, and counts the nodes holding each image. */
static void
test_cache_ports_and_images (void)
{
  KsSchedCache *cache = ks_sched_cache_new ();
  g_autoptr (KsNode) n0 = ks_test_node (
      "n0", NULL, NULL,
      "allocatable: {cpu: 4}, images: [{names: [\"gcr.io/big:v1\", \"gcr.io/big@sha256:1\"], "
      "sizeBytes: 100}, {names: [\"gcr.io/big:v1\"], sizeBytes: 100}]");
  g_autoptr (KsNode) n1 = ks_test_node (
      "n1", NULL, NULL,
      "allocatable: {cpu: 4}, images: [{names: [\"gcr.io/big:v1\"], sizeBytes: 1}]");
  g_autoptr (KsNode) n1b = ks_test_node (
      "n1", NULL, NULL,
      "allocatable: {cpu: 4}, images: [{names: [\"gcr.io/small:v1\"], sizeBytes: 1}]");
  g_autoptr (KsPod) pod = port_pod ("a", "{containerPort: 80, hostPort: 8080}");
  KsNodeInfo *ni;

  /* a node listing a name twice counts once */
  ks_sched_cache_set_node (cache, n0);
  ks_sched_cache_set_node (cache, n1);
  g_assert_cmpuint (ks_sched_cache_nodes_with_image (cache, "gcr.io/big:v1"), ==, 2);
  g_assert_cmpuint (ks_sched_cache_nodes_with_image (cache, "gcr.io/big@sha256:1"), ==, 1);
  g_assert_cmpuint (ks_sched_cache_nodes_with_image (cache, "gcr.io/small:v1"), ==, 0);
  /* an update replaces the node's images */
  ks_sched_cache_set_node (cache, n1b);
  g_assert_cmpuint (ks_sched_cache_nodes_with_image (cache, "gcr.io/big:v1"), ==, 1);
  g_assert_cmpuint (ks_sched_cache_nodes_with_image (cache, "gcr.io/small:v1"), ==, 1);
  /* the same images again change nothing */
  ks_sched_cache_set_node (cache, n1b);
  g_assert_cmpuint (ks_sched_cache_nodes_with_image (cache, "gcr.io/small:v1"), ==, 1);
  ks_sched_cache_remove_node (cache, "n0");
  g_assert_cmpuint (ks_sched_cache_nodes_with_image (cache, "gcr.io/big:v1"), ==, 0);
  g_assert_cmpuint (ks_sched_cache_nodes_with_image (cache, "gcr.io/big@sha256:1"), ==, 0);

  ks_sched_cache_assume_pod (cache, pod, ks_intern ("n1"));
  ni = ks_sched_cache_get_node (cache, "n1");
  g_assert_nonnull (ni->used_ports);
  g_assert_cmpint (g_array_index (ni->used_ports, KsHostPort, 0).port, ==, 8080);
  ks_sched_cache_remove_pod (cache, pod);
  g_assert_null (ni->used_ports);
  ks_sched_cache_free (cache);
}

/* ---- ImageLocality (§1.7.4) --------------------------------------------------------------- */

static void
test_image_normalize (void)
{
  static const char *const rows[][2] = {
    { "busybox", "busybox:latest" },
    { "busybox:1.36", "busybox:1.36" },
    /* a registry port is not a tag */
    { "localhost:5000/app", "localhost:5000/app:latest" },
    { "localhost:5000/app:v2", "localhost:5000/app:v2" },
    { "gcr.io/a/b@sha256:0123", "gcr.io/a/b@sha256:0123" },
    { "", ":latest" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *got = ks_normalized_image_name (rows[i][0]);
      g_assert_cmpstr (got, ==, rows[i][1]);
    }
}

/* calculatePriority: clamp to [23Mi, 1000Mi · containers], then 100·(sum − 23Mi) div (max −
 * 23Mi). */
static void
test_image_thresholds (void)
{
  static const struct
  {
    gint64 sum;
    guint containers;
    gint64 expected;
  } rows[] = {
    { 0, 1, 0 },
    { 23 * MI, 1, 0 },
    /* 100 div 977Mi = 0 */
    { 23 * MI + 1, 1, 0 },
    /* the smallest sum scoring 1: 100·(sum − 23Mi) ≥ 977Mi, so sum − 23Mi ≥ 977Mi / 100 rounded
     * up (10244588); one byte less scores 0 */
    { 23 * MI + (977 * MI + 99) / 100, 1, 1 },
    { 23 * MI + (977 * MI + 99) / 100 - 1, 1, 0 },
    { 1000 * MI, 1, 100 },
    { 5000 * MI, 1, 100 },
    /* 100·(1000 − 23) div (2000 − 23) = 97700 div 1977 = 49 */
    { 1000 * MI, 2, 49 },
    /* no containers (then the sum is 0): the clamp gives 23Mi, and 100·0 div (0 − 23Mi) = 0 */
    { 0, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    g_assert_cmpint (ks_image_locality_priority (rows[i].sum, rows[i].containers), ==,
                     rows[i].expected);
}

static void
test_image_locality (void)
{
  static const struct
  {
    const char *spec;
    gint64 expected[4];
  } rows[] = {
    /* gcr.io/big:v1 (500Mi) is on n0 and n1 of 4 nodes: 500Mi · (2 / 4) = 250Mi;
     * 100·(250 − 23) div 977 = 22700 div 977 = 23 */
    { "{containers: [{name: c, image: gcr.io/big:v1}]}", { 23, 23, 0, 0 } },
    /* busybox → busybox:latest, 4Mi on n0 only: 1Mi < 23Mi → 0 everywhere */
    { "{containers: [{name: c, image: busybox}]}", { 0, 0, 0, 0 } },
    /* big twice and an init container with small (40Mi, on n2 only: 10Mi): 3 containers, max
     * 3000Mi; n0, n1: 500Mi → 100·477 div 2977 = 16; n2: 10Mi < 23Mi → 0 */
    { "{initContainers: [{name: i, image: gcr.io/small:v1}], containers: [{name: a, image: "
      "gcr.io/big:v1}, {name: b, image: gcr.io/big:v1}]}",
      { 16, 16, 0, 0 } },
    /* huge (4000Mi on n3 only): 1000Mi ≥ max 1000Mi → 100 */
    { "{containers: [{name: c, image: \"registry:5000/huge\"}]}", { 0, 0, 0, 100 } },
    /* an image no node holds */
    { "{containers: [{name: c, image: nowhere:1}]}", { 0, 0, 0, 0 } },
  };
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsTestPlug p;

  g_ptr_array_add (
      nodes, ks_test_node_info_new (ks_test_node ("n0", NULL, NULL,
                                                  "images: [{names: [gcr.io/big:v1], sizeBytes: "
                                                  "524288000}, {names: [\"busybox:latest\", "
                                                  "docker.io/library/busybox:latest], sizeBytes: "
                                                  "4194304}]"),
                                    0));
  g_ptr_array_add (
      nodes, ks_test_node_info_new (ks_test_node ("n1", NULL, NULL,
                                                  "images: [{names: [gcr.io/big:v1], sizeBytes: "
                                                  "524288000}]"),
                                    1));
  g_ptr_array_add (
      nodes, ks_test_node_info_new (ks_test_node ("n2", NULL, NULL,
                                                  "images: [{names: [gcr.io/small:v1], sizeBytes: "
                                                  "41943040}]"),
                                    2));
  g_ptr_array_add (nodes, ks_test_node_info_new (
                              ks_test_node ("n3", NULL, NULL,
                                            "images: [{names: [\"registry:5000/huge:latest\"], "
                                            "sizeBytes: 4194304000}]"),
                              3));
  ks_test_plug_init (&p, "ImageLocality", NULL, nodes);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr (KsPod) pod = ks_test_pod ("p", rows[i].spec);
      gint64 scores[4];
      g_assert_cmpint (ks_test_plug_score_all (&p, pod, scores), ==, KS_STATUS_SUCCESS);
      for (guint n = 0; n < 4; n++)
        g_assert_cmpint (scores[n], ==, rows[i].expected[n]);
    }
  ks_test_plug_clear (&p);
}

/* scaledImageScore truncates size · (nodes / total) computed in float64. */
static void
test_image_spread_truncation (void)
{
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  g_autoptr (KsPod) pod = ks_test_pod ("p", "{containers: [{name: c, image: img:1}]}");
  KsTestPlug p;
  gint64 scores[3];

  /* 3 nodes, the image (3·400Mi + 2 bytes) on one: 1258291202 · (1/3) = 419430400.67 →
   * 419430400 = 400Mi; 100·(400 − 23) div 977 = 37700 div 977 = 38 */
  g_ptr_array_add (
      nodes,
      ks_test_node_info_new (
          ks_test_node ("a", NULL, NULL, "images: [{names: [\"img:1\"], sizeBytes: 1258291202}]"),
          0));
  g_ptr_array_add (nodes, ks_test_node_info_new (ks_test_node ("b", NULL, NULL, ""), 1));
  g_ptr_array_add (nodes, ks_test_node_info_new (ks_test_node ("c", NULL, NULL, ""), 2));
  ks_test_plug_init (&p, "ImageLocality", NULL, nodes);
  ks_test_plug_score_all (&p, pod, scores);
  g_assert_cmpint (scores[0], ==, 38);
  g_assert_cmpint (scores[1], ==, 0);
  ks_test_plug_clear (&p);
}

/* ---- TaintToleration score (§1.7.5) ------------------------------------------------------- */

static void
test_taint_score_table (void)
{
  static const struct
  {
    const char *tolerations;
    gint64 expected[4];
  } rows[] = {
    /* raw counts of untolerated PreferNoSchedule taints: n0 3 (a, b, c), n1 1 (a), n2 2 (a, b),
     * n3 0.  Reversed with M = 3: 100 − 100·s div 3: 0, 67, 34, 100 */
    { "[]", { 0, 67, 34, 100 } },
    /* a NoSchedule toleration does not count for the score */
    { "[{key: a, operator: Exists, effect: NoSchedule}]", { 0, 67, 34, 100 } },
    /* an empty effect tolerates every effect: raw 2, 0, 1, 0 → M 2: 0, 100, 50, 100 */
    { "[{key: a, operator: Exists}]", { 0, 100, 50, 100 } },
    /* Equal needs the value: a=1 is tolerated, b (value 2) is not */
    { "[{key: a, operator: Equal, value: \"1\", effect: PreferNoSchedule}, {key: b, value: "
      "\"3\"}]",
      { 0, 100, 50, 100 } },
    /* everything tolerated: all raw 0 → all 100 */
    { "[{operator: Exists}]", { 100, 100, 100, 100 } },
  };
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  KsTestPlug p;

  g_ptr_array_add (
      nodes, ks_test_node_info_new (ks_test_node ("n0", NULL,
                                                  "{taints: [{key: a, value: \"1\", effect: "
                                                  "PreferNoSchedule}, {key: b, value: \"2\", "
                                                  "effect: PreferNoSchedule}, {key: c, effect: "
                                                  "PreferNoSchedule}, {key: d, effect: "
                                                  "NoSchedule}]}",
                                                  ""),
                                    0));
  g_ptr_array_add (nodes,
                   ks_test_node_info_new (ks_test_node ("n1", NULL,
                                                        "{taints: [{key: a, value: \"1\", effect: "
                                                        "PreferNoSchedule}]}",
                                                        ""),
                                          1));
  g_ptr_array_add (nodes, ks_test_node_info_new (
                              ks_test_node ("n2", NULL,
                                            "{taints: [{key: a, value: \"1\", effect: "
                                            "PreferNoSchedule}, {key: b, value: \"2\", effect: "
                                            "PreferNoSchedule}]}",
                                            ""),
                              2));
  g_ptr_array_add (nodes, ks_test_node_info_new (ks_test_node ("n3", NULL, NULL, ""), 3));
  ks_test_plug_init (&p, "TaintToleration", NULL, nodes);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *spec = g_strdup_printf (
          "{containers: [{name: c, image: x}], tolerations: %s}", rows[i].tolerations);
      g_autoptr (KsPod) pod = ks_test_pod ("p", spec);
      gint64 scores[4];
      /* PreScore never skips */
      g_assert_cmpint (ks_test_plug_score_all (&p, pod, scores), ==, KS_STATUS_SUCCESS);
      for (guint n = 0; n < 4; n++)
        g_assert_cmpint (scores[n], ==, rows[i].expected[n]);
    }
  ks_test_plug_clear (&p);
}

/* ---- NodeAffinity: preferred score and addedAffinity (§1.7.6) ----------------------------- */

#define ADDED_PREFERRED                                                                            \
  "{\"addedAffinity\": {\"preferredDuringSchedulingIgnoredDuringExecution\": [{\"weight\": 5, "    \
  "\"preference\": {\"matchExpressions\": [{\"key\": \"zone\", \"operator\": \"In\", "             \
  "\"values\": [\"z1\"]}]}}]}}"
#define ADDED_REQUIRED                                                                             \
  "{\"addedAffinity\": {\"requiredDuringSchedulingIgnoredDuringExecution\": "                      \
  "{\"nodeSelectorTerms\": [{\"matchExpressions\": [{\"key\": \"pool\", \"operator\": "            \
  "\"NotIn\", \"values\": [\"system\"]}]}]}}}"

static void
test_affinity_preferred_added (void)
{
  static const struct
  {
    const char *args, *spec;
    KsStatusCode pre_score;
    gint64 expected[4];
  } rows[] = {
    /* the pod prefers disk=ssd (10), the args zone=z1 (5): raw 15, 5, 10, 0 → max 15:
     * 100, 100·5 div 15 = 33, 100·10 div 15 = 66, 0 */
    { ADDED_PREFERRED,
      "{containers: [{name: c, image: x}], affinity: {nodeAffinity: "
      "{preferredDuringSchedulingIgnoredDuringExecution: [{weight: 10, preference: "
      "{matchExpressions: [{key: disk, operator: In, values: [ssd]}]}}]}}}",
      KS_STATUS_SUCCESS,
      { 100, 33, 66, 0 } },
    /* args only: raw 5, 5, 0, 0 → 100, 100, 0, 0 */
    { ADDED_PREFERRED,
      "{containers: [{name: c, image: x}]}",
      KS_STATUS_SUCCESS,
      { 100, 100, 0, 0 } },
    /* any addedAffinity keeps Score running, even with required terms only: raw 0 → all 0 */
    { ADDED_REQUIRED, "{containers: [{name: c, image: x}]}", KS_STATUS_SUCCESS, { 0, 0, 0, 0 } },
    /* no preferred terms anywhere: Skip */
    { NULL, "{containers: [{name: c, image: x}]}", KS_STATUS_SKIP, { 0, 0, 0, 0 } },
    /* terms that match the same node add up; Gt compares integers: raw 3 + 4 = 7, 4, 0, 3 →
     * 100, 100·4 div 7 = 57, 0, 100·3 div 7 = 42 */
    { NULL,
      "{containers: [{name: c, image: x}], affinity: {nodeAffinity: "
      "{preferredDuringSchedulingIgnoredDuringExecution: [{weight: 3, preference: "
      "{matchExpressions: [{key: gen, operator: Gt, values: [\"4\"]}]}}, {weight: 4, preference: "
      "{matchExpressions: [{key: zone, operator: Exists}]}}]}}}",
      KS_STATUS_SUCCESS,
      { 100, 57, 0, 42 } },
  };
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();

  g_ptr_array_add (nodes,
                   ks_test_node_info_new (
                       ks_test_node ("n0", "{zone: z1, disk: ssd, gen: \"5\"}", NULL, ""), 0));
  g_ptr_array_add (
      nodes, ks_test_node_info_new (ks_test_node ("n1", "{zone: z1, gen: \"4\"}", NULL, ""), 1));
  g_ptr_array_add (nodes, ks_test_node_info_new (ks_test_node ("n2", "{disk: ssd}", NULL, ""), 2));
  g_ptr_array_add (nodes,
                   ks_test_node_info_new (ks_test_node ("n3", "{gen: \"10\"}", NULL, ""), 3));
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr (KsPod) pod = ks_test_pod ("p", rows[i].spec);
      gint64 scores[4] = { 0 };
      KsTestPlug p;
      ks_test_plug_init (&p, "NodeAffinity", rows[i].args, nodes);
      g_assert_cmpint (ks_test_plug_score_all (&p, pod, scores), ==, rows[i].pre_score);
      for (guint n = 0; n < 4; n++)
        g_assert_cmpint (scores[n], ==, rows[i].expected[n]);
      ks_test_plug_clear (&p);
    }
}

static void
test_affinity_filter_added (void)
{
  static const struct
  {
    const char *args, *spec, *node;
    KsStatusCode code;
    const char *reason;
  } rows[] = {
    /* the scheduler-enforced terms come first */
    { ADDED_REQUIRED, "{containers: [{name: c, image: x}]}", "sys",
      KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE,
      "node(s) didn't match scheduler-enforced node affinity" },
    { ADDED_REQUIRED, "{containers: [{name: c, image: x}], nodeSelector: {disk: ssd}}", "sys",
      KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE,
      "node(s) didn't match scheduler-enforced node affinity" },
    { ADDED_REQUIRED, "{containers: [{name: c, image: x}], nodeSelector: {disk: ssd}}", "work",
      KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE,
      "node(s) didn't match Pod's node affinity/selector" },
    { ADDED_REQUIRED, "{containers: [{name: c, image: x}]}", "work", KS_STATUS_SUCCESS, "" },
    /* without args and without the pod's terms, PreFilter skips */
    { NULL, "{containers: [{name: c, image: x}]}", "sys", KS_STATUS_SKIP, "" },
    /* preferred args only: nothing to filter */
    { ADDED_PREFERRED, "{containers: [{name: c, image: x}]}", "sys", KS_STATUS_SKIP, "" },
    /* metadata.name terms: one term whose fields leave no name → PreFilter rejects */
    { NULL,
      "{containers: [{name: c, image: x}], affinity: {nodeAffinity: "
      "{requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchFields: "
      "[{key: metadata.name, operator: In, values: [a, b]}, {key: metadata.name, operator: In, "
      "values: [c]}]}]}}}}",
      "work", KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE, "pod affinity terms conflict" },
    /* another term naming work: fine, and work passes */
    { NULL,
      "{containers: [{name: c, image: x}], affinity: {nodeAffinity: "
      "{requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchFields: "
      "[{key: metadata.name, operator: In, values: [a, b]}, {key: metadata.name, operator: In, "
      "values: [c]}]}, {matchFields: [{key: metadata.name, operator: In, values: [work]}]}]}}}}",
      "work", KS_STATUS_SUCCESS, "" },
    /* ... and sys does not */
    { NULL,
      "{containers: [{name: c, image: x}], affinity: {nodeAffinity: "
      "{requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchFields: "
      "[{key: metadata.name, operator: In, values: [work]}]}]}}}}",
      "sys", KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE,
      "node(s) didn't match Pod's node affinity/selector" },
  };
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();

  g_ptr_array_add (nodes,
                   ks_test_node_info_new (ks_test_node ("sys", "{pool: system}", NULL, ""), 0));
  g_ptr_array_add (
      nodes, ks_test_node_info_new (ks_test_node ("work", "{pool: work, disk: hdd}", NULL, ""), 1));
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr (KsPod) pod = ks_test_pod ("p", rows[i].spec);
      g_autofree char *reasons = NULL;
      KsNodeInfo *ni = g_ptr_array_index (nodes, strcmp (rows[i].node, "sys") == 0 ? 0 : 1);
      KsTestPlug p;
      ks_test_plug_init (&p, "NodeAffinity", rows[i].args, nodes);
      g_assert_cmpint (ks_test_plug_filter (&p, pod, ni, &reasons), ==, rows[i].code);
      g_assert_cmpstr (reasons, ==, rows[i].reason);
      ks_test_plug_clear (&p);
    }
}

static void
test_affinity_bad_args (void)
{
  g_autofree char *op = ks_test_plug_error (
      "NodeAffinity", "{\"addedAffinity\": {\"requiredDuringSchedulingIgnoredDuringExecution\": "
                      "{\"nodeSelectorTerms\": [{\"matchExpressions\": [{\"key\": \"a\", "
                      "\"operator\": \"Near\"}]}]}}}");
  g_autofree char *field = ks_test_plug_error ("NodeAffinity", "{\"addedAffinty\": {}}");

  g_assert_true (g_str_has_prefix (
      op, "addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]."
          "matchExpressions[0].operator: "));
  g_assert_nonnull (strstr (op, "\"Near\""));
  g_assert_cmpstr (field, ==,
                   "addedAffinty: unknown field \"addedAffinty\"; valid fields: addedAffinity, "
                   "apiVersion, kind");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/plugins/fit/odd-capacities", test_fit_odd_capacities);
  g_test_add_func ("/plugins/fit/nonzero-requests", test_fit_nonzero_requests);
  g_test_add_func ("/plugins/fit/requested-to-capacity-ratio", test_fit_rtcr);
  g_test_add_func ("/plugins/fit/extended-resources", test_fit_extended_resources);
  g_test_add_func ("/plugins/resources/bad-args", test_resources_bad_args);
  g_test_add_func ("/plugins/balanced/resources", test_balanced_resources);
  g_test_add_func ("/plugins/fit/cpu-memory-path", test_fit_cpu_memory_path);
  g_test_add_func ("/plugins/node-ports/filter", test_node_ports);
  g_test_add_func ("/plugins/node-ports/host-port-set", test_host_ports_set);
  g_test_add_func ("/plugins/cache/ports-and-images", test_cache_ports_and_images);
  g_test_add_func ("/plugins/image-locality/normalize", test_image_normalize);
  g_test_add_func ("/plugins/image-locality/thresholds", test_image_thresholds);
  g_test_add_func ("/plugins/image-locality/score", test_image_locality);
  g_test_add_func ("/plugins/image-locality/spread-truncation", test_image_spread_truncation);
  g_test_add_func ("/plugins/taint-toleration/score", test_taint_score_table);
  g_test_add_func ("/plugins/node-affinity/preferred-added", test_affinity_preferred_added);
  g_test_add_func ("/plugins/node-affinity/filter-added", test_affinity_filter_added);
  g_test_add_func ("/plugins/node-affinity/bad-args", test_affinity_bad_args);
  return g_test_run ();
}
