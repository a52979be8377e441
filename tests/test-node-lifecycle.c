/* test-node-lifecycle.c: the node lifecycle controller, the taint eviction controller and the
 * kubelet's node status heartbeats, on a store, a store client and the simulated clock, with the
 * scheduler, the ReplicaSet controller and kubelets over the modelled runtime (default start-up
 * delay 1 s).
 *
 * Every expected time is worked out by hand from reference §5.1 and §5.2 (v1.32 defaults):
 *
 *  - The controllers start at 0 s, so monitor passes run at 0, 5, 10, ... s and the NoExecute
 *    tainting passes on the 100 ms marks; at a common instant the monitor pass runs first.
 *  - Node agents start at 1 s: each registers its Node and posts a heartbeat (Ready's
 *    lastHeartbeatTime) at 1, 11, 21, ... s.  The controller sees heartbeat 10k + 1 at its pass
 *    10k + 5, which becomes the node's probe timestamp (the controller's clock, not the node's).
 *  - An agent killed at 95.5 s last posted at 91 s, seen at 95 s; 95 + 50 s of grace = 145 s, and
 *    the first pass after 145 s (strictly) is 150 s: Ready (and the pressure conditions) go
 *    Unknown then, with NodeNotReady and the node's pods marked not ready.  The taint-by-condition
 *    pass adds unreachable:NoSchedule at once (150 s).
 *  - The NoExecute taint follows the Ready status seen at the start of a pass, so the node is
 *    queued at the next pass, 155 s, and (a full bucket) tainted at once: 155 s.
 *  - Pods with the default tolerations (300 s) are deleted at 155 + 300 = 455 s, with their 30 s
 *    grace period (deletionTimestamp 485 s); a toleration of 5 s gives 160 s.
 *
 * The token buckets are replayed exactly (float32 rates in float64 arithmetic, burst 1): at 0.1
 * a token comes every 10 s; at 0.01 every 100.1 s on the 100 ms grid (100 s give 0.99999997765
 * of a token, and the bucket is capped at one, so no remainder carries over). */
#include "config.h"

#include <string.h>

#include "sim/ks-sim-clock.h"
#include "sim/ks-sim-runtime.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pod.h"
#include "src/controllers/ks-controllers.h"
#include "src/kubelet/ks-kubelet.h"
#include "src/kubelet/ks-node-status.h"
#include "src/scheduler/ks-scheduler.h"
#include "src/store/ks-client.h"
#include "src/store/ks-store.h"
#include "tests/ks-test.h"

#define SEC KS_USEC_PER_SEC
#define MS KS_USEC_PER_MSEC
#define UNREACHABLE "node.kubernetes.io/unreachable"
#define NOT_READY "node.kubernetes.io/not-ready"

/* ---- fixture -------------------------------------------------------------------------------- */

/* A node agent: heartbeats, kubelet and runtime (any may be stopped). */
typedef struct
{
  KsNodeStatus *status;
  KsRuntime *runtime;
  KsKubelet *kubelet;
} Agent;

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
  GHashTable *agents; /* name → Agent */
} Fixture;

static void
agent_stop_heartbeats (Agent *a)
{
  g_clear_pointer (&a->status, ks_node_status_free);
}

/* The agent process dies: heartbeats stop, and its containers go with it. */
static void
agent_stop (Agent *a)
{
  agent_stop_heartbeats (a);
  g_clear_pointer (&a->kubelet, ks_kubelet_free);
  if (a->runtime != NULL)
    {
      a->runtime->ops->kill_all (a->runtime);
      g_clear_pointer (&a->runtime, ks_runtime_free);
    }
}

static void
agent_free (gpointer p)
{
  Agent *a = p;
  agent_stop (a);
  g_free (a);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  KsControllerOptions options;

  f->sim = ks_sim_clock_new ();
  f->clock = ks_sim_clock_get_clock (f->sim);
  f->store = ks_store_new (f->clock, 1);
  f->client = ks_store_client_new (f->store);
  ks_test_sink_init (&f->sink);
  ks_test_create (f->store, KS_OBJECT (ks_namespace_new ("default")));
  f->config = ks_scheduler_config_new_default ();
  f->scheduler = ks_scheduler_new (f->client, f->clock, f->config, &f->sink.parent, 1, &error);
  g_assert_no_error (error);
  ks_controller_options_init (&options);
  options.node_lifecycle = TRUE;
  options.taint_eviction = TRUE;
  if (data != NULL)
    {
      /* A test's own period and grace. */
      const gint64 *periods = data;
      options.node_monitor_period = periods[0];
      options.node_monitor_grace_period = periods[1];
    }
  f->manager = ks_controller_manager_new_full (f->client, f->clock, &f->sink.parent, &options);
  f->agents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, agent_free);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  /* Monitor passes, tainting passes, timed deletions, heartbeats and container work are still
   * queued on the clock here: freeing must cancel them (valgrind checks it). */
  g_hash_table_unref (f->agents);
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
  ks_test_run_to (f->sim, t, 2000000);
}

/* The Node an agent registers: 4 CPUs, 8Gi, 110 pods; in zone unless NULL. */
static KsNode *
registration_new (const char *name, const char *zone)
{
  KsNode *node = ks_node_new (name);
  g_autoptr (KsStrMap) labels = ks_str_map_with (NULL, "kubernetes.io/hostname", name);

  if (zone != NULL)
    {
      KsStrMap *more = ks_str_map_with (labels, "topology.kubernetes.io/zone", zone);
      ks_str_map_unref (labels);
      labels = more;
    }
  ks_object_set_labels (KS_OBJECT (node), labels);
  ks_resources_set (&node->capacity, KS_RESOURCE_CPU, 4000);
  ks_resources_set (&node->capacity, KS_RESOURCE_MEMORY, G_GINT64_CONSTANT (8) << 30);
  ks_resources_set (&node->capacity, KS_RESOURCE_PODS, 110);
  ks_resources_copy (&node->allocatable, &node->capacity);
  return node;
}

static Agent *
agent_get (Fixture *f, const char *name)
{
  Agent *a = g_hash_table_lookup (f->agents, name);
  g_assert_nonnull (a);
  return a;
}

static void
agent_start_heartbeats (Fixture *f, const char *name, const char *zone)
{
  Agent *a = agent_get (f, name);
  g_autoptr (KsNode) node = registration_new (name, zone);

  g_assert_null (a->status);
  a->status = ks_node_status_new (f->client, f->clock, &f->sink.parent, node, NULL);
}

/* Start an agent now: it registers and posts its first heartbeat now. */
static void
agent_start (Fixture *f, const char *name, const char *zone)
{
  Agent *a = g_new0 (Agent, 1);

  g_hash_table_replace (f->agents, g_strdup (name), a);
  agent_start_heartbeats (f, name, zone);
  a->runtime = ks_sim_runtime_new (f->clock, 1 * SEC);
  a->kubelet = ks_kubelet_new (f->client, f->clock, a->runtime, &f->sink.parent, name);
}

/* count agents named prefix-00, prefix-01, ... (two digits) in zone. */
static void
start_zone (Fixture *f, const char *prefix, guint count, const char *zone)
{
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%02u", prefix, i);
      agent_start (f, name, zone);
    }
}

static void
stop_zone (Fixture *f, const char *prefix, guint first, guint count)
{
  for (guint i = first; i < first + count; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%02u", prefix, i);
      agent_stop (agent_get (f, name));
    }
}

static KsNode *
get_node (Fixture *f, const char *name)
{
  KsNode *node = KS_NODE (ks_store_get (f->store, ks_kind_get (KS_KIND_NODE), NULL, name));
  g_assert_nonnull (node);
  return node;
}

static const KsTaint *
find_taint (Fixture *f, const char *node, const char *key, KsTaintEffect effect)
{
  KsNode *n = get_node (f, node);

  for (guint i = 0; i < n->n_taints; i++)
    if (n->taints[i].effect == effect && strcmp (n->taints[i].key, key) == 0)
      return &n->taints[i];
  return NULL;
}

/* The node has the taint, added at t. */
static void
assert_taint_at (Fixture *f, const char *node, const char *key, KsTaintEffect effect, gint64 t)
{
  const KsTaint *taint = find_taint (f, node, key, effect);

  g_test_message ("%s: taint %s:%s", node, key, ks_taint_effect_name (effect));
  g_assert_nonnull (taint);
  g_assert_cmpint (taint->time_added, ==, t);
}

static void
assert_no_taint (Fixture *f, const char *node, const char *key, KsTaintEffect effect)
{
  g_test_message ("%s: no taint %s:%s", node, key, ks_taint_effect_name (effect));
  g_assert_null (find_taint (f, node, key, effect));
}

static void
assert_node_condition (Fixture *f, const char *node, KsNodeConditionType type,
                       KsConditionStatus status, const char *reason, const char *message,
                       gint64 heartbeat, gint64 transition)
{
  const KsNodeCondition *c = &get_node (f, node)->conditions[type];

  g_test_message ("%s: %s %s %s", node, ks_node_condition_name (type),
                  ks_condition_status_name (c->status), c->reason);
  g_assert_cmpstr (ks_condition_status_name (c->status), ==, ks_condition_status_name (status));
  g_assert_cmpstr (c->reason, ==, reason);
  g_assert_cmpstr (c->message, ==, message);
  g_assert_cmpint (c->last_heartbeat_time, ==, heartbeat);
  g_assert_cmpint (c->last_transition_time, ==, transition);
}

static void
create_yaml (Fixture *f, const char *yaml)
{
  ks_test_create (f->store, ks_test_decode (yaml));
}

/* A pod bound to node at creation; tolerations: a YAML flow sequence or NULL. */
static void
create_bound_pod (Fixture *f, const char *name, const char *node, const char *tolerations)
{
  g_autofree char *yaml = g_strdup_printf ("apiVersion: v1\n"
                                           "kind: Pod\n"
                                           "metadata: {name: %s}\n"
                                           "spec:\n"
                                           "  nodeName: %s\n"
                                           "  tolerations: %s\n"
                                           "  containers: [{name: main, image: busybox}]\n",
                                           name, node, tolerations != NULL ? tolerations : "[]");
  create_yaml (f, yaml);
}

static KsPod *
get_pod (Fixture *f, const char *name)
{
  return KS_POD (ks_store_get (f->store, ks_kind_get (KS_KIND_POD), "default", name));
}

static KsPod *
must_get_pod (Fixture *f, const char *name)
{
  KsPod *pod = get_pod (f, name);

  g_assert_nonnull (pod);
  return pod;
}

/* The pods labelled app=web, sorted by name.  Borrowed. */
static GPtrArray *
web_pods (Fixture *f)
{
  GPtrArray *all = g_ptr_array_new ();

  ks_store_list (f->store, ks_kind_get (KS_KIND_POD), "default", all);
  for (guint i = all->len; i-- > 0;)
    if (g_strcmp0 (ks_object_get_label (g_ptr_array_index (all, i), "app"), "web") != 0)
      g_ptr_array_remove_index (all, i);
  return all;
}

/* The pod was evicted by the taint eviction controller at t: DisruptionTarget since t and a
 * deletionTimestamp at t + 30 s. */
static void
assert_evicted_at (const KsPod *pod, gint64 t)
{
  const KsCondition *c = &pod->conditions[KS_POD_COND_DISRUPTION_TARGET];

  g_test_message ("pod %s evicted", pod->parent.meta.name);
  g_assert_cmpint (c->status, ==, KS_CONDITION_TRUE);
  g_assert_cmpstr (c->reason, ==, "DeletionByTaintManager");
  g_assert_cmpstr (c->message, ==, "Taint manager: deleting due to NoExecute taint");
  g_assert_cmpint (c->last_transition_time, ==, t);
  g_assert_cmpint (pod->parent.meta.deletion_timestamp, ==, t + 30 * SEC);
}

static void
assert_not_evicted (const KsPod *pod)
{
  g_test_message ("pod %s not evicted", pod->parent.meta.name);
  g_assert_cmpint (pod->conditions[KS_POD_COND_DISRUPTION_TARGET].status, ==, KS_CONDITION_UNSET);
  g_assert_cmpint (pod->parent.meta.deletion_timestamp, ==, KS_TIME_NONE);
}

/* The events of reason about object ("namespace/name", or a node's name). */
static GPtrArray *
events (Fixture *f, const char *reason, const char *object)
{
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; i < f->sink.records->len; i++)
    {
      KsTestRecord *r = g_ptr_array_index (f->sink.records, i);
      if (strcmp (r->reason, reason) == 0 && (object == NULL || strcmp (r->object, object) == 0))
        g_ptr_array_add (out, r);
    }
  return out;
}

/* Exactly one event of reason about object, at t, with message from source. */
static void
assert_one_event (Fixture *f, const char *reason, const char *object, gint64 t, const char *source,
                  gboolean warning, const char *message)
{
  g_autoptr (GPtrArray) list = events (f, reason, object);
  KsTestRecord *r;

  g_test_message ("event %s %s", reason, object);
  g_assert_cmpuint (list->len, ==, 1);
  r = g_ptr_array_index (list, 0);
  g_assert_cmpint (r->time, ==, t);
  g_assert_cmpstr (r->source, ==, source);
  g_assert_cmpint (r->warning, ==, warning);
  g_assert_cmpstr (r->message, ==, message);
}

/* Some event of reason about object at t, with message from source. */
static void
assert_event_at (Fixture *f, const char *reason, const char *object, gint64 t, const char *source,
                 const char *message)
{
  g_autoptr (GPtrArray) list = events (f, reason, object);

  g_test_message ("event %s %s at %" G_GINT64_FORMAT, reason, object, t);
  for (guint i = 0; i < list->len; i++)
    {
      KsTestRecord *r = g_ptr_array_index (list, i);
      if (r->time != t)
        continue;
      g_assert_cmpstr (r->source, ==, source);
      g_assert_cmpstr (r->message, ==, message);
      return;
    }
  g_assert_not_reached ();
}

static guint
n_events (Fixture *f, const char *reason, const char *object)
{
  g_autoptr (GPtrArray) list = events (f, reason, object);
  return list->len;
}

/* ---- the whole story ------------------------------------------------------------------------ */

/* n1 runs a ReplicaSet's three pods and two pods of its own ("forever" tolerates unreachable
 * without tolerationSeconds, "quick" for 5 s); n2 and n3 join later.  n1's agent is killed at
 * 95.5 s.  Times as in the file's comment. */
static void
test_unreachable_node (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) pods = NULL;
  guint replacements = 0;

  run_to (f, 1 * SEC);
  agent_start (f, "n1", NULL);
  run_to (f, 2 * SEC);
  create_yaml (f, "apiVersion: apps/v1\n"
                  "kind: ReplicaSet\n"
                  "metadata: {name: web}\n"
                  "spec:\n"
                  "  replicas: 3\n"
                  "  selector: {matchLabels: {app: web}}\n"
                  "  template:\n"
                  "    metadata: {labels: {app: web}}\n"
                  "    spec:\n"
                  "      containers: [{name: web, image: nginx}]\n");
  create_bound_pod (f, "forever", "n1",
                    "[{key: " UNREACHABLE ", operator: Exists, "
                    "effect: NoExecute}]");
  create_bound_pod (f, "quick", "n1",
                    "[{key: " UNREACHABLE ", operator: Exists, "
                    "effect: NoExecute, tolerationSeconds: 5}]");
  run_to (f, 3 * SEC);
  agent_start (f, "n2", NULL);
  agent_start (f, "n3", NULL);
  run_to (f, 5 * SEC);
  assert_one_event (f, "RegisteredNode", "n1", 5 * SEC, "node-controller", FALSE,
                    "Registered Node n1 in Controller");
  pods = web_pods (f);
  g_assert_cmpuint (pods->len, ==, 3);
  for (guint i = 0; i < pods->len; i++)
    {
      KsPod *pod = g_ptr_array_index (pods, i);
      g_assert_cmpstr (pod->node_name, ==, "n1");
      g_assert_true (ks_pod_is_ready (pod));
    }
  g_clear_pointer (&pods, g_ptr_array_unref);

  run_to (f, 95500 * MS);
  agent_stop (agent_get (f, "n1"));

  /* Grace: still Ready until the pass at 150 s. */
  run_to (f, 149900 * MS);
  g_assert_true (ks_node_is_ready (get_node (f, "n1")));
  g_assert_cmpuint (n_events (f, "NodeNotReady", NULL), ==, 0);
  run_to (f, 150 * SEC);
  assert_node_condition (f, "n1", KS_NODE_COND_READY, KS_CONDITION_UNKNOWN, "NodeStatusUnknown",
                         "Kubelet stopped posting node status.", 91 * SEC, 150 * SEC);
  assert_node_condition (f, "n1", KS_NODE_COND_MEMORY_PRESSURE, KS_CONDITION_UNKNOWN,
                         "NodeStatusUnknown", "Kubelet stopped posting node status.", 91 * SEC,
                         150 * SEC);
  assert_node_condition (f, "n1", KS_NODE_COND_DISK_PRESSURE, KS_CONDITION_UNKNOWN,
                         "NodeStatusUnknown", "Kubelet stopped posting node status.", 91 * SEC,
                         150 * SEC);
  assert_node_condition (f, "n1", KS_NODE_COND_PID_PRESSURE, KS_CONDITION_UNKNOWN,
                         "NodeStatusUnknown", "Kubelet stopped posting node status.", 91 * SEC,
                         150 * SEC);
  g_assert_cmpint (get_node (f, "n1")->conditions[KS_NODE_COND_NETWORK_UNAVAILABLE].status, ==,
                   KS_CONDITION_UNSET);
  assert_one_event (f, "NodeNotReady", "n1", 150 * SEC, "node-controller", FALSE,
                    "Node n1 status is now: NodeNotReady");
  /* Its pods leave the endpoints: Ready False, each with a warning. */
  pods = web_pods (f);
  for (guint i = 0; i < pods->len; i++)
    {
      KsPod *pod = g_ptr_array_index (pods, i);
      g_autofree char *key = ks_object_key (KS_OBJECT (pod));
      g_assert_cmpint (pod->conditions[KS_POD_COND_READY].status, ==, KS_CONDITION_FALSE);
      g_assert_cmpint (pod->conditions[KS_POD_COND_READY].last_transition_time, ==, 150 * SEC);
      assert_one_event (f, "NodeNotReady", key, 150 * SEC, "node-controller", TRUE,
                        "Node is not ready");
    }
  g_clear_pointer (&pods, g_ptr_array_unref);
  g_assert_false (ks_pod_is_ready (must_get_pod (f, "forever")));
  assert_taint_at (f, "n1", UNREACHABLE, KS_TAINT_NO_SCHEDULE, 150 * SEC);
  assert_no_taint (f, "n1", UNREACHABLE, KS_TAINT_NO_EXECUTE);
  assert_no_taint (f, "n2", UNREACHABLE, KS_TAINT_NO_SCHEDULE);

  /* The NoExecute taint at the next pass. */
  run_to (f, 154900 * MS);
  assert_no_taint (f, "n1", UNREACHABLE, KS_TAINT_NO_EXECUTE);
  run_to (f, 155 * SEC);
  assert_taint_at (f, "n1", UNREACHABLE, KS_TAINT_NO_EXECUTE, 155 * SEC);
  assert_no_taint (f, "n1", NOT_READY, KS_TAINT_NO_EXECUTE);

  /* tolerationSeconds 5. */
  run_to (f, 159900 * MS);
  assert_not_evicted (must_get_pod (f, "quick"));
  run_to (f, 160 * SEC);
  assert_evicted_at (must_get_pod (f, "quick"), 160 * SEC);
  assert_one_event (f, "TaintManagerEviction", "default/quick", 160 * SEC,
                    "taint-eviction-controller", FALSE, "Marking for deletion Pod default/quick");

  /* The default 300 s. */
  run_to (f, 454900 * MS);
  pods = web_pods (f);
  g_assert_cmpuint (pods->len, ==, 3);
  for (guint i = 0; i < pods->len; i++)
    assert_not_evicted (g_ptr_array_index (pods, i));
  g_clear_pointer (&pods, g_ptr_array_unref);
  run_to (f, 455 * SEC);
  pods = web_pods (f);
  for (guint i = 0; i < pods->len; i++)
    {
      KsPod *pod = g_ptr_array_index (pods, i);
      g_autofree char *key = ks_object_key (KS_OBJECT (pod));
      g_autofree char *message = g_strdup_printf ("Marking for deletion Pod %s", key);
      if (pod->node_name != ks_intern ("n1"))
        continue;
      assert_evicted_at (pod, 455 * SEC);
      assert_one_event (f, "TaintManagerEviction", key, 455 * SEC, "taint-eviction-controller",
                        FALSE, message);
    }
  g_clear_pointer (&pods, g_ptr_array_unref);

  /* Replacements, on the other nodes, running a second later. */
  run_to (f, 457 * SEC);
  pods = web_pods (f);
  g_assert_cmpuint (pods->len, ==, 6);
  for (guint i = 0; i < pods->len; i++)
    {
      KsPod *pod = g_ptr_array_index (pods, i);
      if (pod->node_name == ks_intern ("n1"))
        {
          /* The old pods stay Terminating: nothing on n1 can end them. */
          g_assert_true (ks_object_is_being_deleted (KS_OBJECT (pod)));
          continue;
        }
      replacements++;
      g_assert_true (pod->node_name == ks_intern ("n2") || pod->node_name == ks_intern ("n3"));
      g_assert_cmpint (pod->parent.meta.creation_timestamp, ==, 455 * SEC);
      g_assert_true (ks_pod_is_ready (pod));
    }
  g_assert_cmpuint (replacements, ==, 3);
  g_clear_pointer (&pods, g_ptr_array_unref);

  /* Tolerated forever; the others keep their heartbeats. */
  run_to (f, 1000 * SEC);
  assert_not_evicted (must_get_pod (f, "forever"));
  g_assert_cmpuint (n_events (f, "TaintManagerEviction", "default/forever"), ==, 0);
  g_assert_true (ks_node_is_ready (get_node (f, "n2")));
  g_assert_true (ks_node_is_ready (get_node (f, "n3")));
  assert_no_taint (f, "n2", UNREACHABLE, KS_TAINT_NO_SCHEDULE);
  g_assert_cmpuint (n_events (f, "NodeNotReady", "n1"), ==, 1);
}

/* The node's heartbeats stop at 95.5 s (a partition: the kubelet still runs) and resume at
 * 300.5 s, before the eviction due at 455 s.  The kubelet's post makes the node Ready at once,
 * and the taint-by-condition pass removes unreachable:NoSchedule then; the pass at 305 s sees the
 * new heartbeat and Ready, and removes unreachable:NoExecute, which cancels the eviction. */
static void
test_recovery_cancels_eviction (Fixture *f, gconstpointer data)
{
  run_to (f, 1 * SEC);
  agent_start (f, "n1", NULL);
  agent_start (f, "n2", NULL);
  run_to (f, 2 * SEC);
  create_bound_pod (f, "p", "n1", NULL);
  run_to (f, 95500 * MS);
  agent_stop_heartbeats (agent_get (f, "n1"));
  run_to (f, 155 * SEC);
  g_assert_cmpint (get_node (f, "n1")->conditions[KS_NODE_COND_READY].status, ==,
                   KS_CONDITION_UNKNOWN);
  assert_taint_at (f, "n1", UNREACHABLE, KS_TAINT_NO_EXECUTE, 155 * SEC);

  run_to (f, 300500 * MS);
  agent_start_heartbeats (f, "n1", NULL);
  run_to (f, 300500 * MS);
  assert_node_condition (f, "n1", KS_NODE_COND_READY, KS_CONDITION_TRUE, "KubeletReady",
                         "kubelet is posting ready status", 300500 * MS, 300500 * MS);
  /* Registered at 1 s, back at 300.5 s. */
  g_assert_cmpuint (n_events (f, "NodeReady", "n1"), ==, 2);
  assert_event_at (f, "NodeReady", "n1", 300500 * MS, "kubelet",
                   "Node n1 status is now: NodeReady");
  assert_event_at (f, "NodeHasSufficientMemory", "n1", 300500 * MS, "kubelet",
                   "Node n1 status is now: NodeHasSufficientMemory");
  assert_no_taint (f, "n1", UNREACHABLE, KS_TAINT_NO_SCHEDULE);
  run_to (f, 304900 * MS);
  assert_taint_at (f, "n1", UNREACHABLE, KS_TAINT_NO_EXECUTE, 155 * SEC);
  g_assert_cmpuint (n_events (f, "TaintManagerEviction", "default/p"), ==, 0);
  run_to (f, 305 * SEC);
  assert_no_taint (f, "n1", UNREACHABLE, KS_TAINT_NO_EXECUTE);
  assert_one_event (f, "TaintManagerEviction", "default/p", 305 * SEC, "taint-eviction-controller",
                    FALSE, "Cancelling deletion of Pod default/p");

  run_to (f, 600 * SEC);
  assert_not_evicted (must_get_pod (f, "p"));
  g_assert_cmpuint (n_events (f, "TaintManagerEviction", "default/p"), ==, 1);
  g_assert_true (ks_node_is_ready (get_node (f, "n1")));
  g_assert_cmpuint (n_events (f, "NodeNotReady", "n1"), ==, 1);
}

/* Three of ten nodes of zone a fail together: 3 not ready of 10 is Normal (not above 2 and at
 * least 0.55), so the zone taints at 0.1 nodes/s: one node at 155 s (the full bucket), the next
 * two 10 s apart, in name order. */
static void
test_rate_limited_tainting (Fixture *f, gconstpointer data)
{
  run_to (f, 1 * SEC);
  start_zone (f, "a", 10, "a");
  run_to (f, 95500 * MS);
  stop_zone (f, "a", 0, 3);
  run_to (f, 150 * SEC);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("a-%02u", i);
      assert_taint_at (f, name, UNREACHABLE, KS_TAINT_NO_SCHEDULE, 150 * SEC);
    }
  run_to (f, 155 * SEC);
  assert_taint_at (f, "a-00", UNREACHABLE, KS_TAINT_NO_EXECUTE, 155 * SEC);
  assert_no_taint (f, "a-01", UNREACHABLE, KS_TAINT_NO_EXECUTE);
  run_to (f, 164900 * MS);
  assert_no_taint (f, "a-01", UNREACHABLE, KS_TAINT_NO_EXECUTE);
  run_to (f, 165 * SEC);
  assert_taint_at (f, "a-01", UNREACHABLE, KS_TAINT_NO_EXECUTE, 165 * SEC);
  assert_no_taint (f, "a-02", UNREACHABLE, KS_TAINT_NO_EXECUTE);
  run_to (f, 200 * SEC);
  assert_taint_at (f, "a-02", UNREACHABLE, KS_TAINT_NO_EXECUTE, 175 * SEC);
  assert_no_taint (f, "a-03", UNREACHABLE, KS_TAINT_NO_EXECUTE);
  assert_no_taint (f, "a-03", UNREACHABLE, KS_TAINT_NO_SCHEDULE);
}

/* Partial disruption in small zones stops the tainting (rate 0): zone a has 11 of 20 nodes not
 * ready, 11/20 in float32 is 0.550000012 ≥ 0.55f (in float64 0.55 would be below 0.55f and the
 * zone Normal); zone b has 3 of 4.  The NoSchedule taints still come. */
static void
test_partial_disruption_small (Fixture *f, gconstpointer data)
{
  run_to (f, 1 * SEC);
  start_zone (f, "a", 20, "a");
  start_zone (f, "b", 4, "b");
  run_to (f, 95500 * MS);
  stop_zone (f, "a", 0, 11);
  stop_zone (f, "b", 0, 3);
  run_to (f, 600 * SEC);
  for (guint i = 0; i < 11; i++)
    {
      g_autofree char *name = g_strdup_printf ("a-%02u", i);
      assert_taint_at (f, name, UNREACHABLE, KS_TAINT_NO_SCHEDULE, 150 * SEC);
      assert_no_taint (f, name, UNREACHABLE, KS_TAINT_NO_EXECUTE);
    }
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("b-%02u", i);
      assert_taint_at (f, name, UNREACHABLE, KS_TAINT_NO_SCHEDULE, 150 * SEC);
      assert_no_taint (f, name, UNREACHABLE, KS_TAINT_NO_EXECUTE);
    }
}

/* Partial disruption in a zone of more than 50 nodes: 40 of 60 not ready; the secondary rate
 * 0.01 replaces 0.1 at 150 s with a full bucket (the old one still had its token).  Taints at
 * 155 s, then every 100.1 s: 255.1 s, 355.2 s. */
static void
test_partial_disruption_large (Fixture *f, gconstpointer data)
{
  run_to (f, 1 * SEC);
  start_zone (f, "a", 60, "a");
  run_to (f, 95500 * MS);
  stop_zone (f, "a", 0, 40);
  run_to (f, 155 * SEC);
  assert_taint_at (f, "a-00", UNREACHABLE, KS_TAINT_NO_EXECUTE, 155 * SEC);
  run_to (f, 255 * SEC);
  assert_no_taint (f, "a-01", UNREACHABLE, KS_TAINT_NO_EXECUTE);
  run_to (f, 255100 * MS);
  assert_taint_at (f, "a-01", UNREACHABLE, KS_TAINT_NO_EXECUTE, 255100 * MS);
  run_to (f, 355100 * MS);
  assert_no_taint (f, "a-02", UNREACHABLE, KS_TAINT_NO_EXECUTE);
  run_to (f, 355200 * MS);
  assert_taint_at (f, "a-02", UNREACHABLE, KS_TAINT_NO_EXECUTE, 355200 * MS);
  assert_no_taint (f, "a-03", UNREACHABLE, KS_TAINT_NO_EXECUTE);
  assert_no_taint (f, "a-40", UNREACHABLE, KS_TAINT_NO_SCHEDULE);
}

/* One zone fully disrupted while another is Normal: the full zone taints at the normal rate. */
static void
test_full_disruption_one_zone (Fixture *f, gconstpointer data)
{
  run_to (f, 1 * SEC);
  start_zone (f, "a", 2, "a");
  start_zone (f, "b", 2, "b");
  run_to (f, 95500 * MS);
  stop_zone (f, "a", 0, 2);
  run_to (f, 200 * SEC);
  assert_taint_at (f, "a-00", UNREACHABLE, KS_TAINT_NO_EXECUTE, 155 * SEC);
  assert_taint_at (f, "a-01", UNREACHABLE, KS_TAINT_NO_EXECUTE, 165 * SEC);
  assert_no_taint (f, "b-00", UNREACHABLE, KS_TAINT_NO_SCHEDULE);
}

/* Every zone fully disrupted.  n1 stops at 95.5 s (Unknown at 150 s, tainted at 155 s); n2 and n3
 * at 115.5 s (last heartbeat 111 s seen at 115 s: Unknown at 170 s).  At 170 s no node is ready:
 * the controller removes n1's NoExecute taint and stops tainting.  n2 posts again at 300.5 s; the
 * pass at 305 s leaves that mode: the zone (1 ready, 2 not) is Normal, its bucket starts empty
 * (the old limiter had none), so n1 is tainted at 315 s and n3 at 325 s. */
static void
test_all_zones_down (Fixture *f, gconstpointer data)
{
  run_to (f, 1 * SEC);
  agent_start (f, "n1", NULL);
  agent_start (f, "n2", NULL);
  agent_start (f, "n3", NULL);
  run_to (f, 95500 * MS);
  agent_stop_heartbeats (agent_get (f, "n1"));
  run_to (f, 115500 * MS);
  agent_stop_heartbeats (agent_get (f, "n2"));
  agent_stop_heartbeats (agent_get (f, "n3"));
  run_to (f, 169900 * MS);
  assert_taint_at (f, "n1", UNREACHABLE, KS_TAINT_NO_EXECUTE, 155 * SEC);
  run_to (f, 170 * SEC);
  g_assert_cmpint (get_node (f, "n3")->conditions[KS_NODE_COND_READY].last_transition_time, ==,
                   170 * SEC);
  assert_no_taint (f, "n1", UNREACHABLE, KS_TAINT_NO_EXECUTE);
  run_to (f, 300 * SEC);
  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("n%u", i);
      assert_no_taint (f, name, UNREACHABLE, KS_TAINT_NO_EXECUTE);
      assert_taint_at (f, name, UNREACHABLE, KS_TAINT_NO_SCHEDULE, i == 1 ? 150 * SEC : 170 * SEC);
    }
  run_to (f, 300500 * MS);
  agent_start_heartbeats (f, "n2", NULL);
  run_to (f, 314900 * MS);
  assert_no_taint (f, "n1", UNREACHABLE, KS_TAINT_NO_EXECUTE);
  run_to (f, 315 * SEC);
  assert_taint_at (f, "n1", UNREACHABLE, KS_TAINT_NO_EXECUTE, 315 * SEC);
  assert_no_taint (f, "n3", UNREACHABLE, KS_TAINT_NO_EXECUTE);
  run_to (f, 330 * SEC);
  assert_taint_at (f, "n3", UNREACHABLE, KS_TAINT_NO_EXECUTE, 325 * SEC);
  assert_no_taint (f, "n2", UNREACHABLE, KS_TAINT_NO_EXECUTE);
  assert_no_taint (f, "n2", UNREACHABLE, KS_TAINT_NO_SCHEDULE);
}

/* A Node that never gets a heartbeat (created at 1 s without conditions) counts as not ready in
 * its zone and has the startup grace from its creation: 1 + 60 = 61 s, so the pass at 65 s marks it
 * NodeStatusNeverUpdated.  Its Ready status was already (taken as) Unknown, so there is no
 * NodeNotReady, and it is queued for its NoExecute taint in that same pass. */
static void
test_never_ready (Fixture *f, gconstpointer data)
{
  static const KsNodeConditionType types[]
      = { KS_NODE_COND_READY, KS_NODE_COND_MEMORY_PRESSURE, KS_NODE_COND_DISK_PRESSURE,
          KS_NODE_COND_PID_PRESSURE };

  run_to (f, 1 * SEC);
  ks_test_create (f->store, KS_OBJECT (registration_new ("silent", NULL)));
  /* A ready node too: alone, the silent node would be a fully disrupted zone, and every zone
   * fully disrupted stops the tainting. */
  agent_start (f, "n1", NULL);
  run_to (f, 60 * SEC);
  g_assert_cmpint (get_node (f, "silent")->conditions[KS_NODE_COND_READY].status, ==,
                   KS_CONDITION_UNSET);
  assert_no_taint (f, "silent", UNREACHABLE, KS_TAINT_NO_SCHEDULE);
  run_to (f, 65 * SEC);
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    assert_node_condition (f, "silent", types[i], KS_CONDITION_UNKNOWN, "NodeStatusNeverUpdated",
                           "Kubelet never posted node status.", 1 * SEC, 65 * SEC);
  g_assert_cmpint (get_node (f, "silent")->conditions[KS_NODE_COND_NETWORK_UNAVAILABLE].status, ==,
                   KS_CONDITION_UNSET);
  assert_taint_at (f, "silent", UNREACHABLE, KS_TAINT_NO_SCHEDULE, 65 * SEC);
  assert_taint_at (f, "silent", UNREACHABLE, KS_TAINT_NO_EXECUTE, 65 * SEC);
  run_to (f, 100 * SEC);
  g_assert_cmpuint (n_events (f, "NodeNotReady", NULL), ==, 0);
  assert_one_event (f, "RegisteredNode", "silent", 5 * SEC, "node-controller", FALSE,
                    "Registered Node silent in Controller");
}

/* --node-monitor-period=2s --node-monitor-grace-period=40s: passes at 0, 2, 4, ... s; the
 * heartbeat of 91 s is seen at 92 s, 92 + 40 = 132 s, so Unknown at 134 s and the NoExecute taint
 * at the next pass, 136 s. */
static const gint64 short_periods[] = { 2 * SEC, 40 * SEC };

static void
test_periods (Fixture *f, gconstpointer data)
{
  run_to (f, 1 * SEC);
  agent_start (f, "n1", NULL);
  agent_start (f, "n2", NULL);
  run_to (f, 95500 * MS);
  agent_stop (agent_get (f, "n1"));
  run_to (f, 133900 * MS);
  g_assert_true (ks_node_is_ready (get_node (f, "n1")));
  run_to (f, 134 * SEC);
  assert_node_condition (f, "n1", KS_NODE_COND_READY, KS_CONDITION_UNKNOWN, "NodeStatusUnknown",
                         "Kubelet stopped posting node status.", 91 * SEC, 134 * SEC);
  assert_no_taint (f, "n1", UNREACHABLE, KS_TAINT_NO_EXECUTE);
  run_to (f, 136 * SEC);
  assert_taint_at (f, "n1", UNREACHABLE, KS_TAINT_NO_EXECUTE, 136 * SEC);
  g_assert_true (ks_node_is_ready (get_node (f, "n2")));
}

/* ---- taint eviction rules ------------------------------------------------------------------- */

#define MAINTENANCE "example.com/maintenance"
#define OTHER "example.com/other"

static void
set_taints (Fixture *f, const char *node, const char *const *keys)
{
  g_autoptr (GError) error = NULL;
  KsNode *copy = ks_node_copy (get_node (f, node));
  gint64 now = ks_clock_now (f->clock);
  KsObject *updated;

  ks_node_remove_taint (copy, MAINTENANCE, KS_TAINT_NO_EXECUTE);
  ks_node_remove_taint (copy, OTHER, KS_TAINT_NO_EXECUTE);
  for (guint i = 0; keys[i] != NULL; i++)
    ks_node_add_taint (copy, keys[i], NULL, KS_TAINT_NO_EXECUTE, now);
  updated = ks_client_update (f->client, KS_OBJECT (copy), &error);
  g_assert_no_error (error);
  g_assert_nonnull (updated);
  ks_object_unref (updated);
  ks_object_unref (KS_OBJECT (copy));
}

/* Two NoExecute taints come at 10 s on a healthy node; maintenance goes at 25 s.
 *  - untolerated: a taint no toleration tolerates: deleted at once (10 s);
 *  - zero: maintenance for 0 s, other forever: the least is 0: at once;
 *  - first-match: a wildcard (forever) before maintenance for 5 s: the wildcard matches both
 *    taints first, so forever;
 *  - min: maintenance 20 s, other 10 s: 10 s later (20 s);
 *  - later: maintenance 30 s, other forever: due at 40 s, cancelled at 25 s when only other
 *    (tolerated forever) is left. */
static void
test_toleration_rules (Fixture *f, gconstpointer data)
{
  static const char *const both[] = { MAINTENANCE, OTHER, NULL };
  static const char *const other[] = { OTHER, NULL };

  run_to (f, 1 * SEC);
  agent_start (f, "n1", NULL);
  run_to (f, 2 * SEC);
  create_bound_pod (f, "untolerated", "n1", NULL);
  create_bound_pod (f, "zero", "n1",
                    "[{key: " MAINTENANCE ", operator: Exists, effect: NoExecute, "
                    "tolerationSeconds: 0}, {key: " OTHER ", operator: Exists}]");
  create_bound_pod (f, "first-match", "n1",
                    "[{operator: Exists}, {key: " MAINTENANCE ", operator: Exists, "
                    "effect: NoExecute, tolerationSeconds: 5}]");
  create_bound_pod (f, "min", "n1",
                    "[{key: " MAINTENANCE ", operator: Exists, effect: NoExecute, "
                    "tolerationSeconds: 20}, {key: " OTHER ", operator: Exists, effect: "
                    "NoExecute, tolerationSeconds: 10}]");
  create_bound_pod (f, "later", "n1",
                    "[{key: " MAINTENANCE ", operator: Equal, value: '', effect: NoExecute, "
                    "tolerationSeconds: 30}, {key: " OTHER ", operator: Exists}]");
  run_to (f, 10 * SEC);
  set_taints (f, "n1", both);
  run_to (f, 10 * SEC);
  assert_evicted_at (must_get_pod (f, "untolerated"), 10 * SEC);
  assert_evicted_at (must_get_pod (f, "zero"), 10 * SEC);
  assert_one_event (f, "TaintManagerEviction", "default/untolerated", 10 * SEC,
                    "taint-eviction-controller", FALSE,
                    "Marking for deletion Pod default/untolerated");
  assert_not_evicted (must_get_pod (f, "min"));
  run_to (f, 19900 * MS);
  assert_not_evicted (must_get_pod (f, "min"));
  run_to (f, 20 * SEC);
  assert_evicted_at (must_get_pod (f, "min"), 20 * SEC);
  run_to (f, 25 * SEC);
  set_taints (f, "n1", other);
  run_to (f, 25 * SEC);
  assert_one_event (f, "TaintManagerEviction", "default/later", 25 * SEC,
                    "taint-eviction-controller", FALSE, "Cancelling deletion of Pod default/later");
  run_to (f, 100 * SEC);
  assert_not_evicted (must_get_pod (f, "later"));
  assert_not_evicted (must_get_pod (f, "first-match"));
  /* The evicted pods ended after their grace period (the kubelet runs). */
  g_assert_null (get_pod (f, "untolerated"));
  g_assert_null (get_pod (f, "min"));
  /* The taint change at 25 s found untolerated (still Terminating) not tolerating other: like
   * Kubernetes, the controller drops the finished work and deletes it again at once. */
  g_assert_cmpuint (n_events (f, "TaintManagerEviction", "default/untolerated"), ==, 2);
  assert_event_at (f, "TaintManagerEviction", "default/untolerated", 25 * SEC,
                   "taint-eviction-controller", "Marking for deletion Pod default/untolerated");
  /* One cancellation only: finished deletions are dropped without an event. */
  g_assert_cmpuint (n_events (f, "TaintManagerEviction", "default/zero"), ==, 1);
  g_assert_cmpuint (n_events (f, "TaintManagerEviction", "default/min"), ==, 1);
  g_assert_cmpuint (n_events (f, "TaintManagerEviction", NULL), ==, 5);
}

/* A pod evicted, then deleted at once and made again under its name on another node (as a
 * StatefulSet does, before the controller hears of the deletion): the finished work of the old
 * pod does not keep the new one from being evicted when its own node is tainted. */
static void
test_replaced_pod_evicted_again (Fixture *f, gconstpointer data)
{
  static const char *const maintenance[] = { MAINTENANCE, NULL };
  const char *tolerations = "[{key: " MAINTENANCE ", operator: Exists, effect: NoExecute, "
                            "tolerationSeconds: 5}]";
  KsDeleteOptions now = { .grace_period_seconds = 0 };
  KsUid old_uid;

  run_to (f, 1 * SEC);
  agent_start (f, "n1", NULL);
  agent_start (f, "n2", NULL);
  run_to (f, 2 * SEC);
  create_bound_pod (f, "db-0", "n1", tolerations);
  run_to (f, 10 * SEC);
  set_taints (f, "n1", maintenance);
  run_to (f, 15 * SEC);
  assert_evicted_at (must_get_pod (f, "db-0"), 15 * SEC);
  old_uid = must_get_pod (f, "db-0")->parent.meta.uid;
  g_assert_true (
      ks_client_delete (f->client, ks_kind_get (KS_KIND_POD), "default", "db-0", &now, NULL));
  create_bound_pod (f, "db-0", "n2", tolerations);
  g_assert_false (ks_uid_equal (&must_get_pod (f, "db-0")->parent.meta.uid, &old_uid));
  run_to (f, 20 * SEC);
  set_taints (f, "n2", maintenance);
  run_to (f, 24 * SEC);
  assert_not_evicted (must_get_pod (f, "db-0"));
  run_to (f, 25 * SEC);
  assert_evicted_at (must_get_pod (f, "db-0"), 25 * SEC);
}

/* ---- the kubelet's heartbeats --------------------------------------------------------------- */

static void
test_node_status (Fixture *f, gconstpointer data)
{
  static const char *const kinds[]
      = { "NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeHasSufficientPID", "NodeReady" };
  g_autoptr (KsNode) reg = registration_new ("n1", "z");
  g_autoptr (GError) error = NULL;
  KsNodeStatusOptions options = { .update_frequency = 7 * SEC };
  KsNodeStatus *status;
  guint k = 0;

  /* What a real agent also reports: its Hostname address and nodeInfo. */
  reg->hostname = g_strdup ("n1");
  reg->node_info = g_new0 (KsNodeSystemInfo, 1);
  reg->node_info->kernel_version = g_strdup ("6.1.0-18-amd64");
  reg->node_info->kubelet_version = g_strdup (KS_KUBELET_VERSION);
  run_to (f, 1 * SEC);
  status = ks_node_status_new (f->client, f->clock, &f->sink.parent, reg, &options);
  run_to (f, 1 * SEC);
  g_assert_cmpstr (
      ks_object_get_label (KS_OBJECT (get_node (f, "n1")), "topology.kubernetes.io/zone"), ==, "z");
  g_assert_cmpint (get_node (f, "n1")->allocatable.milli_cpu, ==, 4000);
  g_assert_cmpstr (get_node (f, "n1")->hostname, ==, "n1");
  g_assert_nonnull (get_node (f, "n1")->node_info);
  g_assert_cmpstr (get_node (f, "n1")->node_info->kernel_version, ==, "6.1.0-18-amd64");
  g_assert_cmpstr (get_node (f, "n1")->node_info->kubelet_version, ==, KS_KUBELET_VERSION);
  g_assert_null (get_node (f, "n1")->node_info->os_image);
  assert_node_condition (f, "n1", KS_NODE_COND_READY, KS_CONDITION_TRUE, "KubeletReady",
                         "kubelet is posting ready status", 1 * SEC, 1 * SEC);
  assert_node_condition (f, "n1", KS_NODE_COND_MEMORY_PRESSURE, KS_CONDITION_FALSE,
                         "KubeletHasSufficientMemory", "kubelet has sufficient memory available",
                         1 * SEC, 1 * SEC);
  assert_node_condition (f, "n1", KS_NODE_COND_DISK_PRESSURE, KS_CONDITION_FALSE,
                         "KubeletHasNoDiskPressure", "kubelet has no disk pressure", 1 * SEC,
                         1 * SEC);
  assert_node_condition (f, "n1", KS_NODE_COND_PID_PRESSURE, KS_CONDITION_FALSE,
                         "KubeletHasSufficientPID", "kubelet has sufficient PID available", 1 * SEC,
                         1 * SEC);
  /* The transitions' events, in the kubelet's order. */
  for (guint i = 0; i < f->sink.records->len; i++)
    {
      KsTestRecord *r = g_ptr_array_index (f->sink.records, i);
      g_autofree char *message = NULL;
      if (g_strcmp0 (r->source, "kubelet") != 0)
        continue;
      g_assert_cmpuint (k, <, G_N_ELEMENTS (kinds));
      message = g_strdup_printf ("Node n1 status is now: %s", kinds[k]);
      g_assert_cmpstr (r->reason, ==, kinds[k]);
      g_assert_cmpstr (r->message, ==, message);
      g_assert_cmpstr (r->object, ==, "n1");
      g_assert_cmpint (r->time, ==, 1 * SEC);
      k++;
    }
  g_assert_cmpuint (k, ==, G_N_ELEMENTS (kinds));

  /* Heartbeats every 7 s; the transition times stay. */
  run_to (f, 14 * SEC);
  assert_node_condition (f, "n1", KS_NODE_COND_READY, KS_CONDITION_TRUE, "KubeletReady",
                         "kubelet is posting ready status", 8 * SEC, 1 * SEC);
  run_to (f, 15 * SEC);
  assert_node_condition (f, "n1", KS_NODE_COND_PID_PRESSURE, KS_CONDITION_FALSE,
                         "KubeletHasSufficientPID", "kubelet has sufficient PID available",
                         15 * SEC, 1 * SEC);
  g_assert_cmpuint (ks_node_status_get_n_posts (status), ==, 3);
  g_assert_cmpuint (n_events (f, "NodeReady", NULL), ==, 1);
  g_assert_cmpstr (get_node (f, "n1")->node_info->kernel_version, ==, "6.1.0-18-amd64");

  /* Stopped: no more heartbeats. */
  ks_node_status_free (status);
  run_to (f, 40 * SEC);
  g_assert_cmpint (get_node (f, "n1")->conditions[KS_NODE_COND_READY].last_heartbeat_time, ==,
                   15 * SEC);

  /* Registered once: a Node deleted afterwards is not created again. */
  status = ks_node_status_new (f->client, f->clock, &f->sink.parent, reg, &options);
  run_to (f, 41 * SEC);
  g_assert_cmpint (get_node (f, "n1")->conditions[KS_NODE_COND_READY].last_heartbeat_time, ==,
                   40 * SEC);
  g_assert_true (ks_client_delete (f->client, ks_kind_get (KS_KIND_NODE), NULL, "n1", NULL, NULL));
  g_assert_false (ks_node_status_sync (status, &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_prefix (error->message, "node n1: cannot post its status: "));
  g_assert_null (ks_store_get (f->store, ks_kind_get (KS_KIND_NODE), NULL, "n1"));
  ks_node_status_free (status);
}

/* An agent that starts again on a Node the controller marked Unknown updates it (no second
 * Node), and each condition's return is recorded. */
static void
test_node_status_restart (Fixture *f, gconstpointer data)
{
  run_to (f, 1 * SEC);
  agent_start (f, "n1", NULL);
  run_to (f, 95500 * MS);
  agent_stop (agent_get (f, "n1"));
  run_to (f, 200 * SEC);
  g_assert_cmpint (get_node (f, "n1")->conditions[KS_NODE_COND_READY].status, ==,
                   KS_CONDITION_UNKNOWN);
  agent_start (f, "n1", NULL);
  run_to (f, 200 * SEC);
  assert_node_condition (f, "n1", KS_NODE_COND_READY, KS_CONDITION_TRUE, "KubeletReady",
                         "kubelet is posting ready status", 200 * SEC, 200 * SEC);
  assert_node_condition (f, "n1", KS_NODE_COND_DISK_PRESSURE, KS_CONDITION_FALSE,
                         "KubeletHasNoDiskPressure", "kubelet has no disk pressure", 200 * SEC,
                         200 * SEC);
  g_assert_cmpuint (n_events (f, "NodeReady", "n1"), ==, 2);
  g_assert_cmpuint (n_events (f, "NodeHasNoDiskPressure", "n1"), ==, 2);
  g_assert_cmpstr (ks_object_get_label (KS_OBJECT (get_node (f, "n1")), "kubernetes.io/hostname"),
                   ==, "n1");
  /* The taints go with the next passes. */
  run_to (f, 205 * SEC);
  assert_no_taint (f, "n1", UNREACHABLE, KS_TAINT_NO_SCHEDULE);
  assert_no_taint (f, "n1", UNREACHABLE, KS_TAINT_NO_EXECUTE);
}

/* A node whose pod network is not configured yet registers Ready False with the kubelet's
 * message, so the taint-by-condition pass keeps pods off it; when the network is ready the
 * change is posted at once and the heartbeats continue from then.  Every post also writes the
 * registration's capacity, allocatable, InternalIP and kubelet port. */
static void
test_node_status_network (Fixture *f, gconstpointer data)
{
  static const char *const message
      = "container runtime network not ready: NetworkReady=false "
        "reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not "
        "initialized";
  g_autoptr (KsNode) reg = registration_new ("n1", NULL);
  KsNodeStatusOptions options = { .update_frequency = 7 * SEC };
  KsNodeStatus *status;
  KsNode *changed;
  KsObject *updated;

  reg->internal_ip = g_strdup ("10.244.0.1");
  reg->kubelet_port = 10250;
  run_to (f, 1 * SEC);
  status = ks_node_status_new (f->client, f->clock, &f->sink.parent, reg, &options);
  ks_node_status_set_network_error (status, KS_NODE_NETWORK_NOT_READY);
  run_to (f, 1 * SEC);
  assert_node_condition (f, "n1", KS_NODE_COND_READY, KS_CONDITION_FALSE, "KubeletNotReady",
                         message, 1 * SEC, 1 * SEC);
  assert_node_condition (f, "n1", KS_NODE_COND_MEMORY_PRESSURE, KS_CONDITION_FALSE,
                         "KubeletHasSufficientMemory", "kubelet has sufficient memory available",
                         1 * SEC, 1 * SEC);
  g_assert_cmpuint (n_events (f, "NodeNotReady", "n1"), ==, 1);
  g_assert_cmpuint (n_events (f, "NodeReady", "n1"), ==, 0);
  g_assert_cmpstr (get_node (f, "n1")->internal_ip, ==, "10.244.0.1");
  g_assert_cmpint (get_node (f, "n1")->kubelet_port, ==, 10250);
  run_to (f, 2 * SEC);
  g_assert_nonnull (find_taint (f, "n1", NOT_READY, KS_TAINT_NO_SCHEDULE));
  /* The same error again changes nothing: no extra post. */
  ks_node_status_set_network_error (status, KS_NODE_NETWORK_NOT_READY);
  run_to (f, 3 * SEC);
  g_assert_cmpuint (ks_node_status_get_n_posts (status), ==, 1);

  /* Someone changed the status fields: the next post (8 s) writes the kubelet's again. */
  changed = ks_node_copy (get_node (f, "n1"));
  ks_resources_set (&changed->capacity, KS_RESOURCE_CPU, 1000);
  ks_resources_set (&changed->allocatable, KS_RESOURCE_CPU, 500);
  g_clear_pointer (&changed->internal_ip, g_free);
  changed->kubelet_port = 1;
  updated = ks_client_update_status (f->client, KS_OBJECT (changed), NULL);
  ks_object_unref (KS_OBJECT (changed));
  g_assert_nonnull (updated);
  ks_object_unref (updated);
  g_assert_cmpint (get_node (f, "n1")->allocatable.milli_cpu, ==, 500);
  run_to (f, 8 * SEC);
  g_assert_cmpint (get_node (f, "n1")->capacity.milli_cpu, ==, 4000);
  g_assert_cmpint (get_node (f, "n1")->allocatable.milli_cpu, ==, 4000);
  g_assert_cmpstr (get_node (f, "n1")->internal_ip, ==, "10.244.0.1");
  g_assert_cmpint (get_node (f, "n1")->kubelet_port, ==, 10250);
  assert_node_condition (f, "n1", KS_NODE_COND_READY, KS_CONDITION_FALSE, "KubeletNotReady",
                         message, 8 * SEC, 1 * SEC);

  /* The network is ready at 9.5 s: posted at once, then every 7 s from there. */
  run_to (f, 9500 * MS);
  ks_node_status_set_network_error (status, NULL);
  run_to (f, 9500 * MS);
  assert_node_condition (f, "n1", KS_NODE_COND_READY, KS_CONDITION_TRUE, "KubeletReady",
                         "kubelet is posting ready status", 9500 * MS, 9500 * MS);
  g_assert_cmpuint (n_events (f, "NodeReady", "n1"), ==, 1);
  run_to (f, 16 * SEC);
  g_assert_cmpint (get_node (f, "n1")->conditions[KS_NODE_COND_READY].last_heartbeat_time, ==,
                   9500 * MS);
  run_to (f, 16500 * MS);
  g_assert_cmpint (get_node (f, "n1")->conditions[KS_NODE_COND_READY].last_heartbeat_time, ==,
                   16500 * MS);
  run_to (f, 20 * SEC);
  assert_no_taint (f, "n1", NOT_READY, KS_TAINT_NO_SCHEDULE);
  ks_node_status_free (status);
}

/* The eviction manager's MemoryPressure (ks_node_status_set_memory_pressure) is posted at once
 * on each change, with the kubelet's reason, message and event; the node lifecycle controller
 * keeps the memory-pressure NoSchedule taint in step with it. */
static void
test_node_status_memory_pressure (Fixture *f, gconstpointer data)
{
  g_autoptr (KsNode) reg = registration_new ("n1", NULL);
  KsNodeStatusOptions options = { .update_frequency = 10 * SEC };
  KsNodeStatus *status;

  status = ks_node_status_new (f->client, f->clock, &f->sink.parent, reg, &options);
  run_to (f, 3 * SEC);
  ks_node_status_set_memory_pressure (status, TRUE);
  run_to (f, 3 * SEC);
  assert_node_condition (f, "n1", KS_NODE_COND_MEMORY_PRESSURE, KS_CONDITION_TRUE,
                         "KubeletHasInsufficientMemory",
                         "kubelet has insufficient memory available", 3 * SEC, 3 * SEC);
  g_assert_cmpuint (n_events (f, "NodeHasInsufficientMemory", "n1"), ==, 1);
  g_assert_cmpuint (ks_node_status_get_n_posts (status), ==, 2);
  /* The same again: nothing new is posted. */
  ks_node_status_set_memory_pressure (status, TRUE);
  run_to (f, 4 * SEC);
  g_assert_cmpuint (ks_node_status_get_n_posts (status), ==, 2);
  g_assert_nonnull (
      find_taint (f, "n1", "node.kubernetes.io/memory-pressure", KS_TAINT_NO_SCHEDULE));
  /* Still True on the periodic post (13 s). */
  run_to (f, 13 * SEC);
  assert_node_condition (f, "n1", KS_NODE_COND_MEMORY_PRESSURE, KS_CONDITION_TRUE,
                         "KubeletHasInsufficientMemory",
                         "kubelet has insufficient memory available", 13 * SEC, 3 * SEC);
  ks_node_status_set_memory_pressure (status, FALSE);
  run_to (f, 14 * SEC);
  assert_node_condition (f, "n1", KS_NODE_COND_MEMORY_PRESSURE, KS_CONDITION_FALSE,
                         "KubeletHasSufficientMemory", "kubelet has sufficient memory available",
                         13 * SEC, 13 * SEC);
  g_assert_cmpuint (n_events (f, "NodeHasSufficientMemory", "n1"), ==, 2);
  assert_no_taint (f, "n1", "node.kubernetes.io/memory-pressure", KS_TAINT_NO_SCHEDULE);
  ks_node_status_free (status);
}

/* An agent that starts again on a Node that lost the registration's labels sets them again
 * (updateDefaultLabels), keeping the others. */
static void
test_node_status_labels (Fixture *f, gconstpointer data)
{
  g_autoptr (KsNode) reg = registration_new ("n1", "z");
  g_autoptr (KsNode) existing = ks_node_new ("n1");
  g_autoptr (KsStrMap) labels
      = ks_str_map_new_pairs ("kubernetes.io/hostname", "old", "team", "a", NULL);
  KsNodeStatus *status;
  const KsObject *node;

  ks_object_set_labels (KS_OBJECT (existing), labels);
  ks_test_create (f->store, KS_OBJECT (g_steal_pointer (&existing)));
  run_to (f, 1 * SEC);
  status = ks_node_status_new (f->client, f->clock, &f->sink.parent, reg, NULL);
  run_to (f, 1 * SEC);
  node = KS_OBJECT (get_node (f, "n1"));
  g_assert_cmpstr (ks_object_get_label (node, "kubernetes.io/hostname"), ==, "n1");
  g_assert_cmpstr (ks_object_get_label (node, "topology.kubernetes.io/zone"), ==, "z");
  g_assert_cmpstr (ks_object_get_label (node, "team"), ==, "a");
  /* And the status of the registration, posted on the Node that was there. */
  g_assert_cmpint (KS_NODE (node)->allocatable.pods, ==, 110);
  assert_node_condition (f, "n1", KS_NODE_COND_READY, KS_CONDITION_TRUE, "KubeletReady",
                         "kubelet is posting ready status", 1 * SEC, 1 * SEC);
  ks_node_status_free (status);
}

/* ---- options -------------------------------------------------------------------------------- */

static void
test_options (void)
{
  KsControllerOptions o;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = NULL;
  char *args[] = { "test", "--node-monitor-grace-period=40s",   "--node-eviction-rate",
                   "0.5",  "--large-cluster-size-threshold=10", "--unhealthy-zone-threshold=0.6",
                   NULL };
  char **argv = args;
  int argc = G_N_ELEMENTS (args) - 1;

  ks_controller_options_init (&o);
  g_assert_false (o.node_lifecycle);
  g_assert_false (o.taint_eviction);
  g_assert_cmpint (o.node_monitor_period, ==, 5 * SEC);
  g_assert_cmpint (o.node_monitor_grace_period, ==, 50 * SEC);
  g_assert_cmpint (o.node_startup_grace_period, ==, 60 * SEC);
  g_assert_cmpfloat (o.node_eviction_rate, ==, 0.1f);
  g_assert_cmpfloat (o.secondary_node_eviction_rate, ==, 0.01f);
  g_assert_cmpint (o.large_cluster_size_threshold, ==, 50);
  g_assert_cmpfloat (o.unhealthy_zone_threshold, ==, 0.55f);
  g_assert_true (ks_controller_options_validate (&o, &error));
  g_assert_no_error (error);

  context = g_option_context_new (NULL);
  g_option_context_set_main_group (context, ks_controller_options_get_option_group (&o));
  g_assert_true (g_option_context_parse (context, &argc, &argv, &error));
  g_assert_no_error (error);
  g_assert_cmpint (o.node_monitor_grace_period, ==, 40 * SEC);
  g_assert_cmpfloat (o.node_eviction_rate, ==, 0.5f);
  g_assert_cmpint (o.large_cluster_size_threshold, ==, 10);
  g_assert_cmpfloat (o.unhealthy_zone_threshold, ==, 0.6f);
  g_assert_cmpint (o.node_monitor_period, ==, 5 * SEC);

  {
    char *bad[] = { "test", "--node-monitor-period=5", NULL };
    char **bargv = bad;
    int bargc = 2;
    g_assert_false (g_option_context_parse (context, &bargc, &bargv, &error));
    g_assert_nonnull (error);
    g_test_message ("%s", error->message);
    g_assert_true (g_str_has_prefix (error->message, "--node-monitor-period: "));
    g_assert_nonnull (strstr (error->message, "\"5\""));
    g_clear_error (&error);
  }
  {
    char *bad[] = { "test", "--secondary-node-eviction-rate=fast", NULL };
    char **bargv = bad;
    int bargc = 2;
    g_assert_false (g_option_context_parse (context, &bargc, &bargv, &error));
    g_assert_cmpstr (error->message, ==,
                     "--secondary-node-eviction-rate: \"fast\" is not valid: a number is "
                     "expected (e.g. 0.1)");
    g_clear_error (&error);
  }

  o.node_monitor_period = 0;
  g_assert_false (ks_controller_options_validate (&o, &error));
  g_assert_error (error, KS_CONTROLLER_ERROR, KS_CONTROLLER_ERROR_INVALID_OPTION);
  g_assert_cmpstr (error->message, ==,
                   "--node-monitor-period: 0s is not valid: the duration must be above 0 "
                   "(e.g. \"5s\")");
  g_clear_error (&error);
  o.node_monitor_period = 5 * SEC;
  o.node_eviction_rate = -1;
  g_assert_false (ks_controller_options_validate (&o, &error));
  g_assert_cmpstr (error->message, ==,
                   "--node-eviction-rate: -1 is not valid: a finite number of at least 0 is "
                   "expected");
  g_clear_error (&error);
  o.node_eviction_rate = 0.1f;
  o.large_cluster_size_threshold = -3;
  g_assert_false (ks_controller_options_validate (&o, &error));
  g_assert_cmpstr (error->message, ==,
                   "--large-cluster-size-threshold: -3 is not valid: a number of nodes of at "
                   "least 0 is expected");
}

/* Off by default: the manager without options runs no node lifecycle, nor taint eviction. */
static void
test_off_by_default (void)
{
  g_autoptr (KsSimClock) sim = ks_sim_clock_new ();
  KsClock *clock = ks_sim_clock_get_clock (sim);
  KsStore *store = ks_store_new (clock, 1);
  KsClient *client = ks_store_client_new (store);
  KsControllerManager *manager;
  KsTestSink sink;

  ks_test_sink_init (&sink);
  ks_test_create (store, KS_OBJECT (registration_new ("n1", NULL)));
  manager = ks_controller_manager_new (client, clock, &sink.parent);
  ks_sim_clock_run_until (sim, 1000 * SEC);
  g_assert_cmpint (KS_NODE (ks_store_get (store, ks_kind_get (KS_KIND_NODE), NULL, "n1"))
                       ->conditions[KS_NODE_COND_READY]
                       .status,
                   ==, KS_CONDITION_UNSET);
  g_assert_cmpuint (sink.records->len, ==, 0);
  g_assert_cmpuint (ks_sim_clock_get_n_pending (sim), ==, 0);
  ks_controller_manager_free (manager);
  ks_client_free (client);
  ks_store_free (store);
  ks_test_sink_clear (&sink);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/node-lifecycle/unreachable-node", test_unreachable_node);
  ADD ("/node-lifecycle/recovery-cancels-eviction", test_recovery_cancels_eviction);
  ADD ("/node-lifecycle/rate/normal", test_rate_limited_tainting);
  ADD ("/node-lifecycle/rate/partial-disruption-small", test_partial_disruption_small);
  ADD ("/node-lifecycle/rate/partial-disruption-large", test_partial_disruption_large);
  ADD ("/node-lifecycle/rate/full-disruption-one-zone", test_full_disruption_one_zone);
  ADD ("/node-lifecycle/rate/all-zones-down", test_all_zones_down);
  ADD ("/node-lifecycle/never-ready", test_never_ready);
  g_test_add ("/node-lifecycle/periods", Fixture, short_periods, fixture_setup, test_periods,
              fixture_teardown);
  ADD ("/taint-eviction/toleration-rules", test_toleration_rules);
  ADD ("/taint-eviction/replaced-pod", test_replaced_pod_evicted_again);
  ADD ("/node-status/heartbeats", test_node_status);
  ADD ("/node-status/restart", test_node_status_restart);
  ADD ("/node-status/network-not-ready", test_node_status_network);
  ADD ("/node-status/memory-pressure", test_node_status_memory_pressure);
  ADD ("/node-status/labels", test_node_status_labels);
#undef ADD
  g_test_add_func ("/node-lifecycle/options", test_options);
  g_test_add_func ("/node-lifecycle/off-by-default", test_off_by_default);

  return g_test_run ();
}
