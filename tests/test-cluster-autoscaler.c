/* test-cluster-autoscaler.c: the shared cluster autoscaler
 * (src/controllers/ks-cluster-autoscaler.h) with a provider of the test's own, on a store, a store
 * client and a simulated clock, and the node groups file of real mode (ks_node_groups_load_file).
 *
 * Covered: the provider's contract (create_node for a pending pod that fits the template, with
 * the next free name; a node being created counts, so no second one; a failed creation brings
 * the target size back and the next scan tries again; delete_node for a node unneeded for
 * scaleDownUnneededTime, never below min, never above max), the events, and the file's
 * decoding and errors (file:line:column, field path). */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sim/ks-sim-clock.h"
#include "src/api/ks-diag.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pod.h"
#include "src/controllers/ks-cluster-autoscaler.h"
#include "src/ks-intern.h"
#include "src/store/ks-client.h"
#include "src/store/ks-store.h"
#include "tests/ks-test.h"

#define SEC KS_USEC_PER_SEC

typedef struct
{
  KsSimClock *sim;
  KsStore *store;
  KsClient *client;
  KsTestSink sink;
  KsSchedulerConfig *config;
  GPtrArray *groups;
  KsAutoscalerOptions options;
  KsClusterAutoscaler *ca;
  GPtrArray *created; /* names passed to create_node */
  GPtrArray *deleted; /* names passed to delete_node */
  char *dir;
} Fixture;

static KsNode *
ready_node (const KsNodePool *pool, const char *name, gint64 now)
{
  KsNode *node = ks_node_pool_make_node (pool, name);

  ks_node_set_condition (node, KS_NODE_COND_READY, KS_CONDITION_TRUE, "KubeletReady",
                         "kubelet is posting ready status", now);
  return node;
}

static KsNode *
template_node (gpointer data, guint pool, const char *name)
{
  Fixture *f = data;

  return ready_node (g_ptr_array_index (f->groups, pool), name, 0);
}

static void
create_node (gpointer data, guint pool, const char *name)
{
  Fixture *f = data;

  g_assert_cmpuint (pool, ==, 0);
  g_ptr_array_add (f->created, g_strdup (name));
}

static gboolean
delete_node (gpointer data, guint pool, const char *name, GError **error)
{
  Fixture *f = data;

  g_assert_cmpuint (pool, ==, 0);
  g_ptr_array_add (f->deleted, g_strdup (name));
  return ks_client_delete (f->client, ks_kind_get (KS_KIND_NODE), NULL, name, NULL, error);
}

static const KsNodeGroupProvider provider = { template_node, create_node, delete_node };

static char *
write_file (Fixture *f, const char *text)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (f->dir, "groups.yaml", NULL);

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  return path;
}

#define GROUPS                                                                                     \
  "nodeGroups:\n"                                                                                  \
  "  - name: g\n"                                                                                  \
  "    min: 1\n"                                                                                   \
  "    max: 3\n"                                                                                   \
  "    capacity: {cpu: \"1\", memory: 1Gi}\n"                                                      \
  "autoscaler:\n"                                                                                  \
  "  scanInterval: 10s\n"                                                                          \
  "  scaleDownUnneededTime: 30s\n"                                                                 \
  "  scaleDownDelayAfterAdd: 0s\n"                                                                 \
  "  nodeDeleteDelayAfterTaint: 1s\n"

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("ks-ca-XXXXXX", &error);
  g_assert_no_error (error);
  f->sim = ks_sim_clock_new ();
  f->store = ks_store_new (ks_sim_clock_get_clock (f->sim), 1);
  f->client = ks_store_client_new (f->store);
  ks_test_sink_init (&f->sink);
  ks_test_create (f->store, KS_OBJECT (ks_namespace_new ("default")));
  f->config = ks_scheduler_config_new_default ();
  f->created = g_ptr_array_new_with_free_func (g_free);
  f->deleted = g_ptr_array_new_with_free_func (g_free);
  path = write_file (f, GROUPS);
  ks_autoscaler_options_init (&f->options);
  g_assert_true (ks_node_groups_load_file (path, &f->groups, &f->options, &error));
  g_assert_no_error (error);
  g_unlink (path);
  g_assert_cmpuint (f->groups->len, ==, 1);
}

static void
start (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  f->ca
      = ks_cluster_autoscaler_new (f->client, ks_sim_clock_get_clock (f->sim), f->config, f->groups,
                                   &f->options, &provider, f, 1, &f->sink.parent, &error);
  g_assert_no_error (error);
  ks_cluster_autoscaler_start (f->ca);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ks_cluster_autoscaler_free (f->ca);
  g_ptr_array_unref (f->groups);
  ks_scheduler_config_free (f->config);
  g_ptr_array_unref (f->created);
  g_ptr_array_unref (f->deleted);
  ks_client_free (f->client);
  ks_store_free (f->store);
  ks_sim_clock_free (f->sim);
  ks_test_sink_clear (&f->sink);
  g_rmdir (f->dir);
  g_free (f->dir);
}

static void
add_node (Fixture *f, const char *name)
{
  ks_test_create (f->store, KS_OBJECT (ready_node (g_ptr_array_index (f->groups, 0), name, 0)));
}

/* A pod of a ReplicaSet requesting 600m cpu, bound to node, or (node NULL) found unschedulable
 * by the scheduler. */
static void
add_pod (Fixture *f, const char *name, const char *node)
{
  g_autofree char *text
      = g_strdup_printf ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\n  namespace: default\n"
                         "  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: rs, "
                         "uid: 00000000-0000-0000-0000-000000000001, controller: true}]\n"
                         "spec:\n  containers:\n  - name: c\n    image: busybox\n"
                         "    resources: {requests: {cpu: 600m, memory: 32Mi}}\n",
                         name);
  KsPod *pod = KS_POD (ks_test_decode (text));

  if (node != NULL)
    {
      pod->node_name = ks_intern (node);
      pod->phase = KS_POD_RUNNING;
    }
  else
    ks_pod_set_condition (pod, KS_POD_COND_SCHEDULED, KS_CONDITION_FALSE, "Unschedulable",
                          "0/1 nodes are available: 1 Insufficient cpu.", 0);
  ks_test_create (f->store, KS_OBJECT (pod));
}

static guint
target (Fixture *f)
{
  KsNodeGroupStats st;

  ks_cluster_autoscaler_get_group_stats (f->ca, 0, &st);
  return st.target_size;
}

static gboolean
has_event (Fixture *f, const char *reason, const char *text)
{
  for (guint i = 0; i < f->sink.records->len; i++)
    {
      KsTestRecord *r = g_ptr_array_index (f->sink.records, i);
      if (strcmp (r->reason, reason) == 0 && strstr (r->message, text) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_scale_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) failed = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "agent died");

  add_node (f, "g-0");
  add_pod (f, "a", "g-0");
  add_pod (f, "b", NULL);
  start (f);
  ks_test_run_to (f->sim, 9 * SEC, 1000);
  g_assert_cmpuint (f->created->len, ==, 0);
  ks_test_run_to (f->sim, 10 * SEC, 1000);
  /* g-0 is taken by the initial node: the next number. */
  g_assert_cmpuint (f->created->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->created, 0), ==, "g-1");
  g_assert_cmpuint (target (f), ==, 2);
  g_assert_true (has_event (f, "TriggeredScaleUp", "pod triggered scale-up: [{g 1->2 (max: 3)}]"));
  /* Being created, it holds the pending pod: no second node. */
  ks_test_run_to (f->sim, 30 * SEC, 1000);
  g_assert_cmpuint (f->created->len, ==, 1);
  /* It failed: the target goes back, and the next scan tries again with a new name. */
  ks_cluster_autoscaler_node_registered (f->ca, 0, "g-1", failed);
  g_assert_cmpuint (target (f), ==, 1);
  ks_test_run_to (f->sim, 40 * SEC, 1000);
  g_assert_cmpuint (f->created->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (f->created, 1), ==, "g-2");
  add_node (f, "g-2");
  ks_cluster_autoscaler_node_registered (f->ca, 0, "g-2", NULL);
  g_assert_cmpuint (target (f), ==, 2);
  {
    KsNodeGroupStats st;
    ks_cluster_autoscaler_get_group_stats (f->ca, 0, &st);
    g_assert_cmpuint (st.scale_ups, ==, 2);
    g_assert_cmpuint (st.nodes_added, ==, 1);
  }
}

static void
test_max (Fixture *f, gconstpointer data)
{
  add_node (f, "g-0");
  add_node (f, "g-1");
  add_node (f, "g-2");
  add_pod (f, "a", "g-0");
  add_pod (f, "b", "g-1");
  add_pod (f, "c", "g-2");
  add_pod (f, "d", NULL);
  /* The group starts at 3 nodes, its max. */
  ((KsNodePool *) g_ptr_array_index (f->groups, 0))->count = 3;
  start (f);
  ks_test_run_to (f->sim, 60 * SEC, 10000);
  g_assert_cmpuint (f->created->len, ==, 0);
  g_assert_cmpuint (target (f), ==, 3);
  g_assert_true (has_event (f, "NotTriggerScaleUp", "1 max node group size reached"));
  g_assert_cmpuint (f->deleted->len, ==, 0);
}

static void
test_scale_down (Fixture *f, gconstpointer data)
{
  KsNodePool *g = g_ptr_array_index (f->groups, 0);

  add_node (f, "g-0");
  add_node (f, "g-1");
  add_node (f, "g-2");
  add_node (f, "g-3");
  add_pod (f, "a", "g-1");
  g->count = 4;
  g->min = 2;
  start (f);
  /* Unneeded from the first scan (10 s) on: removable at 40 s, deleted 1 s after the taint. */
  ks_test_run_to (f->sim, 39 * SEC, 10000);
  g_assert_cmpuint (f->deleted->len, ==, 0);
  ks_test_run_to (f->sim, 45 * SEC, 10000);
  /* Three empty nodes are unneeded (g-1 holds 60 % of its cpu, above the threshold), but min is
   * 2: two go, in name order. */
  g_assert_cmpuint (f->deleted->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (f->deleted, 0), ==, "g-0");
  g_assert_cmpstr (g_ptr_array_index (f->deleted, 1), ==, "g-2");
  g_assert_cmpuint (target (f), ==, 2);
  g_assert_true (has_event (f, "ScaleDown", "nodes removed by cluster autoscaler"));
  /* At min: g-3 stays, empty. */
  ks_test_run_to (f->sim, 900 * SEC, 100000);
  g_assert_cmpuint (f->deleted->len, ==, 2);
  g_assert_nonnull (ks_store_get (f->store, ks_kind_get (KS_KIND_NODE), NULL, "g-3"));
}

static void
test_file_errors (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *text;
    const char *error;
  } cases[] = {
    { "autoscaler: {}\n", "groups.yaml:1:1: nodeGroups: required field is missing" },
    { "nodeGroups: []\n", "groups.yaml:1:13: nodeGroups: at least one node group is needed" },
    { "nodeGroups:\n  - {name: a, min: 2, max: 1, capacity: {cpu: \"1\", memory: 1Gi}}\n",
      "groups.yaml:2:28: nodeGroups[0].max: max (1) must not be less than min (2)" },
    { "nodeGroups:\n  - {name: a, min: 0, max: 1, capacity: {cpu: \"1\", memory: 1Gi}}\n"
      "  - {name: a, min: 0, max: 1, capacity: {cpu: \"1\", memory: 1Gi}}\n",
      "nodeGroups[1].name: duplicate node group name \"a\"" },
    { "nodeGroups:\n  - {name: a, min: 0, max: 1, capacity: {cpu: \"1\", memory: "
      "1Gi}}\nautoscaler:\n"
      "  expander: best\n",
      "groups.yaml:4:13: autoscaler.expander: unsupported value \"best\"" },
    { "nodeGroups:\n  - {name: a, min: 0, max: 1, capacity: {cpu: \"1\", memory: 1Gi}}\nscheduler: "
      "{}\n",
      "groups.yaml:3:1: scheduler: unknown field" },
    { "nodeGroups:\n  - {name: a, min: 0, max: 1, capacity: {cpu: \"1\"}}\n",
      "groups.yaml:2:41: nodeGroups[0].capacity: a node agent needs cpu and memory above 0" },
    { "nodeGroups:\n  - {name: a, min: 0, max: 1, capacity: {cpu: \"1\", memory: 1Gi},\n"
      "     allocatable: {cpu: 500m}}\n",
      "groups.yaml:3:19: nodeGroups[0].allocatable: not supported in real mode" },
    { "nodeGroups:\n  - {name: a, min: 0, max: 1, capacity: {cpu: \"1\", memory: 1Gi},\n"
      "     provisioningDelay: 1m}\n",
      "nodeGroups[0].provisioningDelay: not supported in real mode" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_file (f, cases[i].text);
      g_autoptr (GPtrArray) groups = NULL;
      g_autoptr (GError) error = NULL;
      KsAutoscalerOptions options;
      ks_autoscaler_options_init (&options);
      g_assert_false (ks_node_groups_load_file (path, &groups, &options, &error));
      g_assert_error (error, KS_INPUT_ERROR, KS_INPUT_ERROR_INVALID);
      if (strstr (error->message, cases[i].error) == NULL)
        g_error ("case %u: \"%s\" does not hold \"%s\"", i, error->message, cases[i].error);
      g_assert_null (groups);
      g_unlink (path);
    }
  /* Defaults and what the file sets. */
  g_assert_cmpint (f->options.scan_interval, ==, 10 * SEC);
  g_assert_cmpint (f->options.scale_down_unneeded_time, ==, 30 * SEC);
  g_assert_cmpint (f->options.scale_down_delay_after_failure, ==, 3 * 60 * SEC);
  g_assert_cmpint (f->options.expander, ==, KS_EXPANDER_LEAST_WASTE);
  g_assert_cmpuint (((KsNodePool *) g_ptr_array_index (f->groups, 0))->count, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/cluster-autoscaler/scale-up", Fixture, NULL, fixture_setup, test_scale_up,
              fixture_teardown);
  g_test_add ("/cluster-autoscaler/max", Fixture, NULL, fixture_setup, test_max, fixture_teardown);
  g_test_add ("/cluster-autoscaler/scale-down", Fixture, NULL, fixture_setup, test_scale_down,
              fixture_teardown);
  g_test_add ("/cluster-autoscaler/file-errors", Fixture, NULL, fixture_setup, test_file_errors,
              fixture_teardown);
  return g_test_run ();
}
