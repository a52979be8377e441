/* test-sched-config.c: KubeSchedulerConfiguration as kube-scheduler v1.32 reads it
 * (src/scheduler/ks-sched-config.c; shared reference kubernetes.md §1.2): the default profile's
 * plugins, order and weights at every extension point, the merge of a profile's plugin sets into
 * the defaults and the MultiPoint expansion, the checks kube-scheduler makes (one queue sort
 * plugin, a bind plugin, the same queue sort in every profile, names for several profiles), and
 * where each problem is reported: file:line:column and the field path, inside plugin args too.
 * Then whole scheduling cycles with configured plugins (ks-framework.c). */
#include "config.h"

#include <string.h>

#include "src/api/ks-decode.h"
#include "src/api/ks-yaml.h"
#include "src/scheduler/ks-framework.h"
#include "src/scheduler/ks-sched-config.h"
#include "tests/ks-test-sched.h"

#define HEAD KS_TEST_SCHED_CONFIG_HEAD

/* Decode text; NULL when refused, with every problem (one a line) in *problems. */
static KsSchedulerConfig *
decode (const char *text, char **problems)
{
  return ks_test_sched_config_decode (text, TRUE, problems);
}

static KsProfileConfig *
profile (KsSchedulerConfig *c, guint i)
{
  return g_ptr_array_index (c->profiles, i);
}

/* Refused with exactly these problems. */
static void
assert_refused (const char *text, const char *expected)
{
  g_autofree char *problems = NULL;
  KsSchedulerConfig *c = decode (text, &problems);

  g_assert_null (c);
  g_assert_cmpstr (problems, ==, expected);
}

/* §1.2: kube-scheduler's order at each point, for the plugins kubesim has. */
static void
test_default_profile (void)
{
  g_autoptr (KsSchedulerConfig) c = ks_scheduler_config_new_default ();
  KsProfileConfig *p = profile (c, 0);

  g_assert_cmpstr (p->scheduler_name, ==, "default-scheduler");
  g_assert_cmpint (p->percentage_of_nodes_to_score, ==, -1);
  ks_test_assert_point (p, KS_POINT_QUEUE_SORT, "PrioritySort");
  ks_test_assert_point (
      p, KS_POINT_PRE_FILTER,
      "NodeAffinity, NodePorts, NodeResourcesFit, VolumeRestrictions, NodeVolumeLimits, "
      "VolumeBinding, VolumeZone, PodTopologySpread, InterPodAffinity");
  ks_test_assert_point (p, KS_POINT_FILTER,
                        "NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts, "
                        "NodeResourcesFit, VolumeRestrictions, NodeVolumeLimits, VolumeBinding, "
                        "VolumeZone, PodTopologySpread, InterPodAffinity");
  ks_test_assert_point (p, KS_POINT_PRE_SCORE,
                        "TaintToleration, NodeAffinity, NodeResourcesFit, PodTopologySpread, "
                        "InterPodAffinity, NodeResourcesBalancedAllocation");
  ks_test_assert_point (
      p, KS_POINT_SCORE,
      "TaintToleration:3, NodeAffinity:2, NodeResourcesFit:1, PodTopologySpread:2, "
      "InterPodAffinity:2, NodeResourcesBalancedAllocation:1, ImageLocality:1");
  ks_test_assert_point (p, KS_POINT_RESERVE, "");
}

/* mergePluginSet and expandMultiPointPlugins, and getScoreWeights. */
static void
test_merge (void)
{
  static const struct
  {
    const char *plugins;
    KsExtensionPoint point;
    const char *expected;
  } rows[] = {
    /* a default re-configured at its own point overrides MultiPoint and comes first */
    { "preScore: {enabled: [{name: NodeResourcesBalancedAllocation}]}", KS_POINT_PRE_SCORE,
      "NodeResourcesBalancedAllocation, TaintToleration, NodeAffinity, NodeResourcesFit, "
      "PodTopologySpread, InterPodAffinity" },
    /* re-configured in multiPoint: replaced in place with the new weight */
    { "multiPoint: {enabled: [{name: ImageLocality, weight: 7}]}", KS_POINT_SCORE,
      "TaintToleration:3, NodeAffinity:2, NodeResourcesFit:1, PodTopologySpread:2, "
      "InterPodAffinity:2, NodeResourcesBalancedAllocation:1, ImageLocality:7" },
    /* listed in multiPoint without a weight: 1, not its default */
    { "multiPoint: {enabled: [{name: TaintToleration}]}", KS_POINT_SCORE,
      "TaintToleration:1, NodeAffinity:2, NodeResourcesFit:1, PodTopologySpread:2, "
      "InterPodAffinity:2, NodeResourcesBalancedAllocation:1, ImageLocality:1" },
    /* the score point's weight wins over multiPoint's; any int32 is taken, 0 means 1 */
    { "multiPoint: {enabled: [{name: NodeAffinity, weight: 9}]}\n"
      "    score: {enabled: [{name: NodeAffinity, weight: -4}, {name: ImageLocality, weight: 0}, "
      "{name: TaintToleration, weight: 1000000}]}",
      KS_POINT_SCORE,
      "NodeAffinity:-4, ImageLocality:1, TaintToleration:1000000, NodeResourcesFit:1, "
      "PodTopologySpread:2, InterPodAffinity:2, NodeResourcesBalancedAllocation:1" },
    /* disabled at one point only */
    { "filter: {disabled: [{name: NodePorts}, {name: TaintToleration}]}", KS_POINT_FILTER,
      "NodeUnschedulable, NodeName, NodeAffinity, NodeResourcesFit, VolumeRestrictions, "
      "NodeVolumeLimits, VolumeBinding, VolumeZone, PodTopologySpread, InterPodAffinity" },
    { "filter: {disabled: [{name: NodePorts}]}", KS_POINT_PRE_FILTER,
      "NodeAffinity, NodePorts, NodeResourcesFit, VolumeRestrictions, NodeVolumeLimits, "
      "VolumeBinding, VolumeZone, PodTopologySpread, InterPodAffinity" },
    /* "*" at a point: only the point's own plugins */
    { "preFilter: {disabled: [{name: \"*\"}], enabled: [{name: NodePorts}]}", KS_POINT_PRE_FILTER,
      "NodePorts" },
    /* "*" in multiPoint: only what the profile enables */
    { "multiPoint: {disabled: [{name: \"*\"}], enabled: [{name: PrioritySort}, {name: "
      "DefaultBinder}, {name: NodeResourcesFit, weight: 2}, {name: NodePorts}]}",
      KS_POINT_SCORE, "NodeResourcesFit:2" },
    { "multiPoint: {disabled: [{name: \"*\"}], enabled: [{name: PrioritySort}, {name: "
      "DefaultBinder}, {name: NodeResourcesFit, weight: 2}, {name: NodePorts}]}",
      KS_POINT_FILTER, "NodeResourcesFit, NodePorts" },
    /* disabling a Kubernetes plugin kubesim lacks changes nothing */
    { "multiPoint: {disabled: [{name: VolumeBinding}, {name: DynamicResources}]}", KS_POINT_FILTER,
      "NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit, "
      "VolumeRestrictions, NodeVolumeLimits, VolumeZone, PodTopologySpread, InterPodAffinity" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *text
          = g_strdup_printf (HEAD "profiles:\n- plugins:\n    %s\n", rows[i].plugins);
      g_autoptr (KsSchedulerConfig) c = decode (text, NULL);
      g_assert_nonnull (c);
      ks_test_assert_point (profile (c, 0), rows[i].point, rows[i].expected);
    }
}

/* kube-scheduler's checks, reported where the configuration says the thing. */
static void
test_plugin_errors (void)
{
  /* DefaultBinder is a Bind plugin only */
  assert_refused (HEAD
                  "profiles:\n- plugins:\n    filter:\n      enabled: [{name: DefaultBinder}]\n",
                  "sched.yaml:6:24: profiles[0].plugins.filter.enabled[0].name: plugin "
                  "\"DefaultBinder\" does not extend filter");
  assert_refused (HEAD "profiles:\n- plugins:\n    preBind:\n      enabled: [{name: NodePorts}]\n",
                  "sched.yaml:6:24: profiles[0].plugins.preBind.enabled[0].name: plugin "
                  "\"NodePorts\" does not extend preBind");
  /* without DefaultBinder there is no bind plugin */
  assert_refused (HEAD "profiles:\n- schedulerName: lean\n  plugins:\n    multiPoint:\n"
                       "      disabled: [{name: \"*\"}]\n      enabled: [{name: PrioritySort}]\n",
                  "sched.yaml:6:5: profiles[0].plugins: at least one bind plugin is needed for "
                  "profile with scheduler name \"lean\"");
  /* "*" at queueSort removes PrioritySort */
  assert_refused (HEAD "profiles:\n- plugins:\n    queueSort: {disabled: [{name: \"*\"}]}\n",
                  "sched.yaml:5:5: profiles[0].plugins: only one queue sort plugin required for "
                  "profile with scheduler name \"default-scheduler\", but got 0");
  /* a name twice in one list */
  assert_refused (HEAD "profiles:\n- plugins:\n    multiPoint:\n      enabled: [{name: NodePorts}, "
                       "{name: NodePorts}]\n",
                  "sched.yaml:6:43: profiles[0].plugins.multiPoint.enabled[1].name: plugin "
                  "\"NodePorts\" is listed twice");
  /* "*" is not a plugin to enable; a misspelt name is refused in a disabled list too.  The list
   * of known plugins grows with the plugins kubesim has, so only its shape is checked here. */
  {
    g_autofree char *problems = NULL;
    g_auto (GStrv) lines = NULL;
    g_assert_null (decode (HEAD
                           "profiles:\n- plugins:\n    score:\n      enabled: [{name: \"*\"}]\n"
                           "      disabled: [{name: ImageLocalty}]\n",
                           &problems));
    lines = g_strsplit (problems, "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 2);
    g_assert_true (g_str_has_prefix (lines[0], "sched.yaml:6:24: profiles[0].plugins.score."
                                               "enabled[0].name: unknown plugin \"*\"; known "
                                               "plugins: PrioritySort, NodeUnschedulable, "
                                               "NodeName, TaintToleration, NodeAffinity, "));
    g_assert_nonnull (strstr (lines[0], ", ImageLocality, "));
    g_assert_true (g_str_has_prefix (lines[1], "sched.yaml:7:25: profiles[0].plugins.score."
                                               "disabled[0].name: unknown plugin "
                                               "\"ImageLocalty\"; known plugins: PrioritySort, "));
    for (guint i = 0; i < 2; i++)
      g_assert_true (g_str_has_suffix (lines[i], ", DefaultBinder, SchedulingGates (a plugin of a "
                                                 "policy module needs --policy-path DIR or "
                                                 "KUBESIM_POLICY_PATH)"));
  }
  assert_refused (HEAD "profiles:\n- plugins:\n    score:\n      enabled: [{name: VolumeZone}]\n",
                  "sched.yaml:6:24: profiles[0].plugins.score.enabled[0].name: plugin "
                  "\"VolumeZone\" does not extend score");
  assert_refused (HEAD "profiles:\n- plugins:\n    filter:\n      enabled: [{name: "
                       "DynamicResources}]\n",
                  "sched.yaml:6:24: profiles[0].plugins.filter.enabled[0].name: plugin "
                  "\"DynamicResources\" is a Kubernetes plugin this version of kubesim does not "
                  "implement");
  assert_refused (HEAD "profiles:\n- plugins:\n    scoring: {}\n",
                  "sched.yaml:5:14: profiles[0].plugins.scoring: unknown extension point "
                  "\"scoring\": use multiPoint, preEnqueue, queueSort, preFilter, filter, "
                  "postFilter, preScore, score, reserve, permit, preBind, bind or postBind");
  assert_refused (HEAD "parallelism: 0\n",
                  "sched.yaml:3:14: parallelism: must be greater than or equal to 1, got 0");
}

static void
test_profiles (void)
{
  g_autoptr (KsSchedulerConfig) two = NULL;

  /* with several profiles each needs a name; a lone one is default-scheduler */
  assert_refused (HEAD "profiles:\n- plugins: {}\n- schedulerName: \"\"\n",
                  "sched.yaml:4:3: profiles[0].schedulerName: required: every profile needs a "
                  "name when there are several\n"
                  "sched.yaml:5:18: profiles[1].schedulerName: must not be empty");
  /* validateCommonQueueSort compares the queueSort sets as written and merged: the same
   * PrioritySort, but one profile re-enables it explicitly */
  assert_refused (HEAD "profiles:\n- schedulerName: a\n- schedulerName: b\n  plugins:\n"
                       "    queueSort: {enabled: [{name: PrioritySort}], disabled: [{name: "
                       "\"*\"}]}\n",
                  "sched.yaml:7:16: profiles[1].plugins.queueSort: must be the same for all "
                  "profiles");
  assert_refused (HEAD "profiles:\n- schedulerName: a\n- schedulerName: a\n",
                  "sched.yaml:5:18: profiles[1].schedulerName: duplicate profile \"a\"");
  /* the profile's percentage, 0 included, wins over the global one */
  two = decode (HEAD "percentageOfNodesToScore: 30\nprofiles:\n- schedulerName: a\n"
                     "- schedulerName: b\n  percentageOfNodesToScore: 0\n",
                NULL);
  g_assert_nonnull (two);
  {
    KsFramework *a
        = ks_framework_new (profile (two, 0), two->percentage_of_nodes_to_score, 1, NULL);
    KsFramework *b
        = ks_framework_new (profile (two, 1), two->percentage_of_nodes_to_score, 1, NULL);
    /* a: 30 % of 1000 = 300; b: adaptive 50 − 1000 div 125 = 42 % = 420 */
    g_assert_cmpuint (ks_framework_num_feasible_nodes_to_find (a, 1000), ==, 300);
    g_assert_cmpuint (ks_framework_num_feasible_nodes_to_find (b, 1000), ==, 420);
    ks_framework_free (a);
    ks_framework_free (b);
  }
}

/* Args errors point at the field inside the args: line, column and the whole path. */
static void
test_args_errors (void)
{
  assert_refused (HEAD "profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args:\n"
                       "      scoringStrategy:\n        type: RequestedToCapacityRatio\n"
                       "        requestedToCapacityRatio:\n          shape:\n"
                       "          - {utilization: 0, score: 0}\n"
                       "          - {utilization: 100, score: 12}\n",
                  "sched.yaml:12:39: profiles[0].pluginConfig[0].args.scoringStrategy."
                  "requestedToCapacityRatio.shape[1].score: invalid value 12: not in valid range "
                  "[0, 10]");
  /* every problem of the args, each at its place */
  assert_refused (HEAD
                  "profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args:\n"
                  "      ignoredResourceGroups: [a/b]\n      scoringStrategy:\n"
                  "        type: LeastAllocated\n        resources: [{name: cpu, weight: 200}]\n",
                  "sched.yaml:7:31: profiles[0].pluginConfig[0].args.ignoredResourceGroups[0]: "
                  "invalid value \"a/b\": resource group name can't contain '/'\n"
                  "sched.yaml:10:41: profiles[0].pluginConfig[0].args.scoringStrategy."
                  "resources[0].weight: invalid value 200: resource weight of cpu not in valid "
                  "range (0, 100]");
  /* a missing member is reported at its mapping */
  assert_refused (HEAD "profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args:\n"
                       "      scoringStrategy: {type: RequestedToCapacityRatio}\n",
                  "sched.yaml:7:24: profiles[0].pluginConfig[0].args.scoringStrategy."
                  "requestedToCapacityRatio: required with type RequestedToCapacityRatio (a shape "
                  "of {utilization, score} points)");
  /* NodeAffinityArgs: the node affinity is decoded as a pod's */
  assert_refused (HEAD
                  "profiles:\n- pluginConfig:\n  - name: NodeAffinity\n    args:\n"
                  "      addedAffinity:\n        requiredDuringSchedulingIgnoredDuringExecution:\n"
                  "          nodeSelectorTerms:\n"
                  "          - matchExpressions: [{key: pool, operator: Near}]\n",
                  "sched.yaml:10:54: profiles[0].pluginConfig[0].args.addedAffinity."
                  "requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]."
                  "matchExpressions[0].operator: unsupported value \"Near\": supported values: In, "
                  "NotIn, Exists, DoesNotExist, Gt, Lt");
  assert_refused (HEAD "profiles:\n- pluginConfig:\n  - name: NodeAffinity\n    args: [1]\n",
                  "sched.yaml:6:11: profiles[0].pluginConfig[0].args: expected a mapping of "
                  "NodeAffinityArgs, got a list");
  assert_refused (HEAD "profiles:\n- pluginConfig:\n  - name: NodePorts\n    args: {}\n",
                  "sched.yaml:6:11: profiles[0].pluginConfig[0].args: plugin \"NodePorts\" takes "
                  "no arguments");
}

/* ---- whole cycles with configured plugins ------------------------------------------------ */

static KsFramework *
framework (KsSchedulerConfig *c)
{
  g_autoptr (GError) error = NULL;
  KsFramework *fw = ks_framework_new (profile (c, 0), c->percentage_of_nodes_to_score, 1, &error);

  g_assert_no_error (error);
  return fw;
}

static gint
score_row (KsFramework *fw, const char *name)
{
  for (guint p = 0; p < ks_framework_last_n_score_plugins (fw); p++)
    if (strcmp (ks_framework_last_score_plugin (fw, p, NULL), name) == 0)
      return (gint) p;
  return -1;
}

/* A bin-packing profile (RequestedToCapacityRatio) picks the fuller node; the default one the
 * emptier. */
static void
test_cycle_bin_packing (void)
{
  g_autoptr (KsSchedulerConfig) c = decode (
      HEAD "profiles:\n- schedulerName: packer\n  pluginConfig:\n"
           "  - name: NodeResourcesFit\n    args:\n      scoringStrategy:\n"
           "        type: RequestedToCapacityRatio\n"
           "        resources: [{name: cpu, weight: 1}, {name: memory, weight: 1}]\n"
           "        requestedToCapacityRatio:\n"
           "          shape: [{utilization: 0, score: 0}, {utilization: 100, score: 10}]\n",
      NULL);
  g_autoptr (KsSchedulerConfig) d = ks_scheduler_config_new_default ();
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  g_autoptr (KsPod) used = ks_test_pod_req ("u", "cpu: 2, memory: 4Gi");
  g_autoptr (KsPod) pod = ks_test_pod_req ("p", "cpu: 1, memory: 1Gi");
  KsFramework *fw;
  KsScheduleResult r;
  gint fit;

  g_assert_nonnull (c);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *name = g_strdup_printf ("node-%u", i);
      g_ptr_array_add (
          nodes, ks_test_node_info_new (
                     ks_test_node (name, NULL, NULL, "allocatable: {cpu: 4, memory: 8Gi}"), i));
    }
  ks_test_node_info_add_pod (g_ptr_array_index (nodes, 1), used);

  fw = framework (c);
  ks_framework_schedule (fw, pod, (KsNodeInfo *const *) nodes->pdata, 2, 0, &r);
  g_assert_cmpstr (r.node, ==, "node-1");
  fit = score_row (fw, "NodeResourcesFit");
  /* node-0: cpu 1000·100 div 4000 = 25, memory 1Gi·100 div 8Gi = 12 → round(18.5) = 19;
   * node-1: 75 and 62 → round(68.5) = 69 */
  g_assert_cmpint (ks_framework_last_score (fw, fit, 0), ==, 19);
  g_assert_cmpint (ks_framework_last_score (fw, fit, 1), ==, 69);
  ks_schedule_result_clear (&r);
  ks_framework_end_cycle (fw);
  ks_framework_free (fw);

  fw = framework (d);
  ks_framework_schedule (fw, pod, (KsNodeInfo *const *) nodes->pdata, 2, 0, &r);
  g_assert_cmpstr (r.node, ==, "node-0");
  ks_schedule_result_clear (&r);
  ks_framework_end_cycle (fw);
  ks_framework_free (fw);
}

/* NodePorts in the default profile: the FitError counts the nodes whose ports are taken. */
static void
test_cycle_node_ports (void)
{
  g_autoptr (KsSchedulerConfig) c = ks_scheduler_config_new_default ();
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  g_autoptr (KsPod) holder
      = ks_test_pod ("h", "{containers: [{name: c, image: x, ports: [{containerPort: 80, "
                          "hostPort: 80}]}]}");
  g_autoptr (KsPod) pod = ks_test_pod (
      "p", "{containers: [{name: c, image: x, resources: {requests: {cpu: 3}}, ports: "
           "[{containerPort: 8080, hostPort: 80}]}]}");
  KsFramework *fw = framework (c);
  KsScheduleResult r;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("node-%u", i);
      g_ptr_array_add (nodes, ks_test_node_info_new (
                                  ks_test_node (name, NULL, NULL, "allocatable: {cpu: 2}"), i));
    }
  ks_test_node_info_add_pod (g_ptr_array_index (nodes, 0), holder);
  ks_test_node_info_add_pod (g_ptr_array_index (nodes, 1), holder);
  /* NodePorts filters before NodeResourcesFit: node-0 and node-1 fail on the port; both
   * failures are Unschedulable, so DefaultPreemption looks at every node and finds no victims (the
   * pods have equal priority). */
  ks_framework_schedule (fw, pod, (KsNodeInfo *const *) nodes->pdata, 3, 0, &r);
  g_assert_null (r.node);
  g_assert_cmpstr (r.message, ==,
                   "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't have free ports "
                   "for the requested pod ports. preemption: 0/3 nodes are available: 3 No "
                   "preemption victims found for incoming pod.");
  ks_schedule_result_clear (&r);
  ks_framework_free (fw);
}

/* ImageLocality through the framework's handle: the node holding the image wins the tie. */
static void
test_cycle_image_locality (void)
{
  g_autoptr (KsSchedulerConfig) c = ks_scheduler_config_new_default ();
  g_autoptr (GPtrArray) nodes = ks_test_node_list_new ();
  g_autoptr (KsPod) pod = ks_test_pod ("p", "{containers: [{name: c, image: \"app:1\"}]}");
  KsFramework *fw = framework (c);
  KsScheduleResult r;
  gint il;

  g_ptr_array_add (nodes,
                   ks_test_node_info_new (
                       ks_test_node ("a", NULL, NULL, "allocatable: {cpu: 4, memory: 8Gi}"), 0));
  g_ptr_array_add (
      nodes, ks_test_node_info_new (ks_test_node ("b", NULL, NULL,
                                                  "allocatable: {cpu: 4, memory: 8Gi}, images: "
                                                  "[{names: [\"app:1\"], sizeBytes: 1048576000}]"),
                                    1));
  ks_framework_schedule (fw, pod, (KsNodeInfo *const *) nodes->pdata, 2, 0, &r);
  g_assert_cmpstr (r.node, ==, "b");
  il = score_row (fw, "ImageLocality");
  /* 1000Mi on 1 of 2 nodes: 500Mi; 100·477 div 977 = 48 */
  g_assert_cmpint (ks_framework_last_score (fw, il, 0), ==, 0);
  g_assert_cmpint (ks_framework_last_score (fw, il, 1), ==, 48);
  g_assert_cmpint (ks_framework_last_total (fw, 1) - ks_framework_last_total (fw, 0), ==, 48);
  ks_schedule_result_clear (&r);
  ks_framework_end_cycle (fw);
  ks_framework_free (fw);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sched-config/default-profile", test_default_profile);
  g_test_add_func ("/sched-config/merge", test_merge);
  g_test_add_func ("/sched-config/plugin-errors", test_plugin_errors);
  g_test_add_func ("/sched-config/profiles", test_profiles);
  g_test_add_func ("/sched-config/args-errors", test_args_errors);
  g_test_add_func ("/sched-config/cycle/bin-packing", test_cycle_bin_packing);
  g_test_add_func ("/sched-config/cycle/node-ports", test_cycle_node_ports);
  g_test_add_func ("/sched-config/cycle/image-locality", test_cycle_image_locality);
  return g_test_run ();
}
