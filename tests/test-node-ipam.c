/* test-node-ipam.c: the node IPAM controller (--allocate-node-cidrs) on a store, a store client
 * and the simulated clock, and its options.
 *
 * Expectations follow Kubernetes' range allocator (a bitmap of the cluster CIDR's blocks and a
 * cursor: each search starts after the block handed out last, wrapping) with kubesim's rule that
 * the first block is never handed out (real mode's bridge holds 10.244.0.1):
 *
 *  - 10.244.0.0/16 in /24s: the first Node gets 10.244.1.0/24, the next 10.244.2.0/24, ...;
 *  - 10.244.0.0/21 has 8 blocks, 7 of them allocatable: after .1, .2, .3 and the release of .1,
 *    the cursor is at 4, so the next Nodes get .4 to .7, and only then (wrapping) .1 again;
 *  - a new controller over Nodes holding .1 and .3 starts its cursor at 0: the next Node gets .2;
 *  - 10.244.0.0/23 has one allocatable block. */
#include "config.h"

#include <string.h>

#include "sim/ks-sim-clock.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-node.h"
#include "src/controllers/ks-controllers.h"
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
  KsControllerManager *manager;
} Fixture;

static void
start (Fixture *f, const char *cluster_cidr)
{
  g_autoptr (GError) error = NULL;
  KsControllerOptions options;

  ks_controller_options_init (&options);
  options.node_ipam = TRUE;
  if (cluster_cidr != NULL)
    g_assert_true (ks_controller_options_set_cluster_cidr (&options, cluster_cidr, &error));
  g_assert_no_error (error);
  g_assert_true (ks_controller_options_validate (&options, &error));
  f->manager = ks_controller_manager_new_full (f->client, ks_sim_clock_get_clock (f->sim),
                                               &f->sink.parent, &options);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->sim = ks_sim_clock_new ();
  f->store = ks_store_new (ks_sim_clock_get_clock (f->sim), 1);
  f->client = ks_store_client_new (f->store);
  ks_test_sink_init (&f->sink);
  ks_test_create (f->store, KS_OBJECT (ks_namespace_new ("default")));
  /* data: the cluster CIDR, or NULL for the default; "-" to start later. */
  if (data == NULL || strcmp (data, "-") != 0)
    start (f, data);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ks_controller_manager_free (f->manager);
  ks_client_free (f->client);
  ks_store_free (f->store);
  ks_sim_clock_free (f->sim);
  ks_test_sink_clear (&f->sink);
}

static void
settle (Fixture *f)
{
  ks_sim_clock_run_until (f->sim, ks_clock_now (ks_sim_clock_get_clock (f->sim)) + SEC);
}

static void
add_node (Fixture *f, const char *name, const char *pod_cidr)
{
  g_autofree char *yaml
      = g_strdup_printf ("apiVersion: v1\nkind: Node\nmetadata:\n  name: %s\n%s%s%s", name,
                         pod_cidr != NULL ? "spec:\n  podCIDR: " : "",
                         pod_cidr != NULL ? pod_cidr : "", pod_cidr != NULL ? "\n" : "");
  ks_test_create (f->store, ks_test_decode (yaml));
}

static void
delete_node (Fixture *f, const char *name)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ks_store_delete (f->store, ks_kind_get (KS_KIND_NODE), NULL, name, NULL, &error));
  g_assert_no_error (error);
}

/* Any change to the Node (a heartbeat, a label). */
static void
touch_node (Fixture *f, const char *name)
{
  g_autoptr (GError) error = NULL;
  KsObject *copy = ks_object_copy (ks_store_get (f->store, ks_kind_get (KS_KIND_NODE), NULL, name));

  g_autoptr (KsStrMap) labels = ks_str_map_with (copy->meta.labels, "touched", "yes");

  ks_object_set_labels (copy, labels);
  g_assert_nonnull (ks_store_update (f->store, copy, FALSE, &error));
  g_assert_no_error (error);
  ks_object_unref (copy);
}

static const char *
cidr_of (Fixture *f, const char *name)
{
  KsObject *node = ks_store_get (f->store, ks_kind_get (KS_KIND_NODE), NULL, name);

  g_assert_nonnull (node);
  return KS_NODE (node)->pod_cidr;
}

static void
test_order (Fixture *f, gconstpointer data)
{
  g_autofree char *json = NULL;

  add_node (f, "n1", NULL);
  add_node (f, "n2", NULL);
  settle (f);
  add_node (f, "n3", NULL);
  settle (f);
  g_assert_cmpstr (cidr_of (f, "n1"), ==, "10.244.1.0/24");
  g_assert_cmpstr (cidr_of (f, "n2"), ==, "10.244.2.0/24");
  g_assert_cmpstr (cidr_of (f, "n3"), ==, "10.244.3.0/24");
  /* On the wire: podCIDR and podCIDRs, as Kubernetes' patch sets both. */
  json = ks_object_to_json (ks_store_get (f->store, ks_kind_get (KS_KIND_NODE), NULL, "n2"), 0);
  g_assert_nonnull (
      strstr (json, "\"podCIDR\":\"10.244.2.0/24\",\"podCIDRs\":[\"10.244.2.0/24\"]"));
  g_assert_cmpuint (f->sink.lines->len, ==, 0);
}

/* A Node that comes with a podCIDR keeps it, and its block is not handed out again. */
static void
test_given (Fixture *f, gconstpointer data)
{
  add_node (f, "a", "10.244.1.0/24");
  add_node (f, "b", NULL);
  settle (f);
  g_assert_cmpstr (cidr_of (f, "a"), ==, "10.244.1.0/24");
  g_assert_cmpstr (cidr_of (f, "b"), ==, "10.244.2.0/24");
}

static void
test_release_reuse (Fixture *f, gconstpointer data)
{
  const char *expected[]
      = { "10.244.4.0/24", "10.244.5.0/24", "10.244.6.0/24", "10.244.7.0/24", "10.244.1.0/24" };

  add_node (f, "n1", NULL);
  add_node (f, "n2", NULL);
  add_node (f, "n3", NULL);
  settle (f);
  g_assert_cmpstr (cidr_of (f, "n3"), ==, "10.244.3.0/24");
  delete_node (f, "n1");
  settle (f);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *name = g_strdup_printf ("m%u", i);
      add_node (f, name, NULL);
      settle (f);
      g_assert_cmpstr (cidr_of (f, name), ==, expected[i]);
    }
}

/* A control plane restarted from its store: the blocks of the Nodes are marked used before the
 * Node without one (listed first) gets one. */
static void
test_restart (Fixture *f, gconstpointer data)
{
  add_node (f, "a-new", NULL);
  add_node (f, "b", "10.244.1.0/24");
  add_node (f, "c", "10.244.3.0/24");
  start (f, NULL);
  settle (f);
  g_assert_cmpstr (cidr_of (f, "a-new"), ==, "10.244.2.0/24");
  add_node (f, "d", NULL);
  settle (f);
  g_assert_cmpstr (cidr_of (f, "d"), ==, "10.244.4.0/24");
  /* And again, with every Node holding a block: the next is the lowest free one. */
  ks_controller_manager_free (f->manager);
  f->manager = NULL;
  delete_node (f, "b");
  start (f, NULL);
  add_node (f, "e", NULL);
  settle (f);
  g_assert_cmpstr (cidr_of (f, "e"), ==, "10.244.1.0/24");
}

static void
test_exhausted (Fixture *f, gconstpointer data)
{
  KsTestRecord *r;

  add_node (f, "n1", NULL);
  add_node (f, "n2", NULL);
  settle (f);
  g_assert_cmpstr (cidr_of (f, "n1"), ==, "10.244.1.0/24");
  g_assert_null (cidr_of (f, "n2"));
  g_assert_cmpuint (f->sink.records->len, ==, 1);
  r = g_ptr_array_index (f->sink.records, 0);
  g_assert_false (r->warning);
  g_assert_cmpstr (r->reason, ==, "CIDRNotAvailable");
  g_assert_cmpstr (r->object, ==, "n2");
  g_assert_cmpstr (r->message, ==, "Node n2 status is now: CIDRNotAvailable");
  g_assert_cmpstr (r->source, ==, "cidrAllocator");
  /* Each change to the Node tries again. */
  touch_node (f, "n2");
  settle (f);
  g_assert_null (cidr_of (f, "n2"));
  g_assert_cmpuint (f->sink.records->len, ==, 2);
  /* A block comes free: the next try succeeds. */
  delete_node (f, "n1");
  settle (f);
  g_assert_null (cidr_of (f, "n2"));
  touch_node (f, "n2");
  settle (f);
  g_assert_cmpstr (cidr_of (f, "n2"), ==, "10.244.1.0/24");
  g_assert_cmpuint (f->sink.records->len, ==, 2);
}

/* A podCIDR outside the cluster CIDR is reported and left alone. */
static void
test_outside (Fixture *f, gconstpointer data)
{
  g_test_expect_message ("kubesim-core", G_LOG_LEVEL_MESSAGE,
                         "node outside: podCIDR 192.168.7.0/24 is outside the cluster CIDR "
                         "10.244.0.0/16: ignored by the IPAM controller");
  add_node (f, "outside", "192.168.7.0/24");
  g_test_assert_expected_messages ();
  add_node (f, "inside", NULL);
  settle (f);
  g_assert_cmpstr (cidr_of (f, "outside"), ==, "192.168.7.0/24");
  g_assert_cmpstr (cidr_of (f, "inside"), ==, "10.244.1.0/24");
}

/* Off by default. */
static void
test_off (void)
{
  g_autoptr (KsSimClock) sim = ks_sim_clock_new ();
  KsStore *store = ks_store_new (ks_sim_clock_get_clock (sim), 1);
  KsClient *client = ks_store_client_new (store);
  KsControllerManager *manager
      = ks_controller_manager_new (client, ks_sim_clock_get_clock (sim), NULL);
  KsObject *node;

  ks_test_create (store, KS_OBJECT (ks_node_new ("n1")));
  ks_sim_clock_run_until (sim, 10 * SEC);
  node = ks_store_get (store, ks_kind_get (KS_KIND_NODE), NULL, "n1");
  g_assert_null (KS_NODE (node)->pod_cidr);
  ks_controller_manager_free (manager);
  ks_client_free (client);
  ks_store_free (store);
}

static void
test_options (void)
{
  KsControllerOptions o;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  char *argv_data[] = { "test", "--cluster-cidr=10.1.0.0/16", "--node-cidr-mask-size=26", NULL };
  char **argv = argv_data;
  int argc = 3;
  const char *bad[] = { "10.244.0.0", "10.244.0.0/33", "300.1.1.1/8",   "fe80::/64",
                        "",           "x/8",           "10.244.0.0/-1", "10.244.0.0/ 8" };

  ks_controller_options_init (&o);
  g_assert_false (o.node_ipam);
  g_assert_true (o.endpoints);
  g_assert_cmpuint (o.cluster_cidr, ==, (10u << 24) | (244u << 16));
  g_assert_cmpint (o.cluster_cidr_prefix, ==, 16);
  g_assert_cmpint (o.node_cidr_mask_size, ==, 24);
  g_option_context_set_main_group (context, ks_controller_options_get_option_group (&o));
  g_assert_true (g_option_context_parse (context, &argc, &argv, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (o.cluster_cidr, ==, (10u << 24) | (1u << 16));
  g_assert_cmpint (o.node_cidr_mask_size, ==, 26);
  g_assert_true (ks_controller_options_validate (&o, &error));

  /* Host bits go, as with Go's ParseCIDR. */
  g_assert_true (ks_controller_options_set_cluster_cidr (&o, "10.244.77.1/16", &error));
  g_assert_cmpuint (o.cluster_cidr, ==, (10u << 24) | (244u << 16));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_clear_error (&error);
      g_assert_false (ks_controller_options_set_cluster_cidr (&o, bad[i], &error));
      g_assert_error (error, KS_CONTROLLER_ERROR, KS_CONTROLLER_ERROR_INVALID_OPTION);
      g_assert_nonnull (strstr (error->message, "--cluster-cidr"));
    }
  g_clear_error (&error);
  o.node_cidr_mask_size = 15;
  g_assert_false (ks_controller_options_validate (&o, &error));
  g_assert_cmpstr (error->message, ==,
                   "--node-cidr-mask-size: 15 is not valid with --cluster-cidr=10.244.0.0/16: a "
                   "prefix length from 16 to 32 is expected");
  g_clear_error (&error);
  o.node_cidr_mask_size = 33;
  g_assert_false (ks_controller_options_validate (&o, &error));
  g_clear_error (&error);
  g_assert_true (ks_controller_options_set_cluster_cidr (&o, "10.0.0.0/8", &error));
  o.node_cidr_mask_size = 33;
  g_assert_false (ks_controller_options_validate (&o, &error));
  g_clear_error (&error);
  o.node_cidr_mask_size = 32; /* 24 bits of blocks: the most */
  g_assert_true (ks_controller_options_validate (&o, &error));
  g_assert_true (ks_controller_options_set_cluster_cidr (&o, "10.0.0.0/7", &error));
  g_assert_false (ks_controller_options_validate (&o, &error));
  g_assert_nonnull (strstr (error->message, "from 7 to 31"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/node-ipam/order", Fixture, NULL, fixture_setup, test_order, fixture_teardown);
  g_test_add ("/node-ipam/given", Fixture, NULL, fixture_setup, test_given, fixture_teardown);
  g_test_add ("/node-ipam/release-reuse", Fixture, "10.244.0.0/21", fixture_setup,
              test_release_reuse, fixture_teardown);
  g_test_add ("/node-ipam/restart", Fixture, "-", fixture_setup, test_restart, fixture_teardown);
  g_test_add ("/node-ipam/exhausted", Fixture, "10.244.0.0/23", fixture_setup, test_exhausted,
              fixture_teardown);
  g_test_add ("/node-ipam/outside", Fixture, NULL, fixture_setup, test_outside, fixture_teardown);
  g_test_add_func ("/node-ipam/off", test_off);
  g_test_add_func ("/node-ipam/options", test_options);
  return g_test_run ();
}
