/* test-kubelet.c: tests for the kubelet's pod logic (src/kubelet/) driven by the modelled runtime
 * (sim/ks-sim-runtime.c) on a store, a store client and a simulated clock.  No scheduler runs:
 * pods are created with spec.nodeName set (bound at creation), so the kubelet of that node picks
 * them up at once.
 *
 * Covered (reference §5.3 and the kubelet's status rules): start-up delay, phase and conditions
 * (Initialized, ContainersReady, Ready; PodScheduled comes from binding only), container
 * statuses, restartPolicy Never / OnFailure / Always, CrashLoopBackOff (first restart at once,
 * then 10 s, 20 s, 40 s, ... after each exit, capped at 300 s, reset after a run longer than
 * 600 s since the last backoff update), init containers in order, graceful deletion (Killing,
 * exit 137 at the end of the grace period, the object goes), deletion while starting and while in
 * backoff, admission (OutOfcpu, OutOfpods), and the events the kubelet records.  One test runs
 * the controllers too: a Deployment whose pods exit long after the rollout.
 *
 * Every expected time below is worked out by hand from those rules; the runtime's default start-up
 * delay is 1 s and init containers complete as soon as they have started. */
#include "config.h"

#include <string.h>

#include "sim/ks-sim-clock.h"
#include "sim/ks-sim-runtime.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-yaml.h"
#include "src/controllers/ks-controllers.h"
#include "src/ks-events.h"
#include "src/kubelet/ks-kubelet.h"
#include "src/store/ks-client.h"
#include "src/store/ks-store.h"
#include "tests/ks-test.h"

#define SEC KS_USEC_PER_SEC
#define NODE "node-1"

/* ---- fixture -----------------------------------------------------------------------------------
 */

typedef struct
{
  KsSimClock *sim;
  KsClock *clock;
  KsStore *store;
  KsClient *client;
  KsTestSink sink;
  KsRuntime *runtime;
  KsKubelet *kubelet;
} Fixture;

/* A Node with allocatable cpu (millicores) and pods; memory 4Gi. */
static KsNode *
node_new (const char *name, gint64 milli_cpu, gint64 pods)
{
  KsNode *node = ks_node_new (name);

  ks_resources_set (&node->capacity, KS_RESOURCE_CPU, milli_cpu);
  ks_resources_set (&node->capacity, KS_RESOURCE_MEMORY, G_GINT64_CONSTANT (4) << 30);
  ks_resources_set (&node->capacity, KS_RESOURCE_PODS, pods);
  ks_resources_copy (&node->allocatable, &node->capacity);
  node->internal_ip = g_strdup ("10.0.0.1");
  return node;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->sim = ks_sim_clock_new ();
  f->clock = ks_sim_clock_get_clock (f->sim);
  f->store = ks_store_new (f->clock, 1);
  f->client = ks_store_client_new (f->store);
  ks_test_sink_init (&f->sink);
  ks_test_create (f->store, KS_OBJECT (ks_namespace_new ("default")));
  ks_test_create (f->store, KS_OBJECT (node_new (NODE, 2000, 110)));
  f->runtime = ks_sim_runtime_new (f->clock, 1 * SEC);
  f->kubelet = ks_kubelet_new (f->client, f->clock, f->runtime, &f->sink.parent, NODE);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  /* Pending restarts, starts and exits are still queued on the clock here: freeing must cancel
   * them (valgrind checks it). */
  ks_kubelet_free (f->kubelet);
  ks_runtime_free (f->runtime);
  ks_client_free (f->client);
  ks_store_free (f->store);
  ks_sim_clock_free (f->sim);
  ks_test_sink_clear (&f->sink);
}

/* Run every task due by t (µs).  A livelock (tasks due now that keep scheduling more) fails the
 * test instead of hanging it. */
static void
run_to (Fixture *f, gint64 t)
{
  guint64 n = 0;

  while (ks_sim_clock_step (f->sim, t))
    g_assert_cmpuint (++n, <, 200000);
  ks_sim_clock_run_until (f->sim, t);
  g_assert_cmpint (ks_clock_now (f->clock), ==, t);
}

/* A pod bound to NODE at creation.  annotations: the inside of a YAML flow mapping (may be "");
 * containers: a YAML flow sequence of containers. */
static void
create_pod_full (Fixture *f, const char *name, const char *policy, const char *annotations,
                 const char *init_containers, const char *containers, const char *node)
{
  g_autofree char *yaml = g_strdup_printf (
      "apiVersion: v1\n"
      "kind: Pod\n"
      "metadata:\n"
      "  name: %s\n"
      "  annotations: {%s}\n"
      "spec:\n"
      "  nodeName: %s\n"
      "  restartPolicy: %s\n"
      "%s%s%s"
      "  containers: %s\n",
      name, annotations, node, policy, init_containers ? "  initContainers: " : "",
      init_containers ? init_containers : "", init_containers ? "\n" : "", containers);
  ks_test_create (f->store, ks_test_decode (yaml));
}

static void
create_pod (Fixture *f, const char *name, const char *policy, const char *annotations)
{
  create_pod_full (f, name, policy, annotations, NULL, "[{name: main, image: busybox}]", NODE);
}

/* The stored pod (borrowed), or NULL when it is gone. */
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

static const KsContainerStatus *
main_status (Fixture *f, const char *name)
{
  KsPod *pod = must_get_pod (f, name);

  g_assert_nonnull (pod->container_statuses);
  return &pod->container_statuses[0];
}

/* Set one annotation on the stored pod (a spec update, as kubectl annotate does). */
static void
annotate (Fixture *f, const char *name, const char *key, const char *value)
{
  g_autoptr (GError) error = NULL;
  KsObject *copy = ks_object_copy (KS_OBJECT (must_get_pod (f, name)));

  ks_object_set_annotation (copy, key, value);
  g_assert_nonnull (ks_store_update (f->store, copy, FALSE, &error));
  g_assert_no_error (error);
  ks_object_unref (copy);
}

static void
delete_pod (Fixture *f, const char *name, gint64 grace)
{
  g_autoptr (GError) error = NULL;
  KsDeleteOptions opts = { .grace_period_seconds = grace };

  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", name, &opts, &error));
  g_assert_no_error (error);
}

/* "<name>_default(<uid>)", the kubelet's format.Pod. */
static char *
pod_ref (Fixture *f, const char *name)
{
  char uid[KS_UID_STRING_LEN];

  ks_uid_to_string (&must_get_pod (f, name)->parent.meta.uid, uid);
  return g_strdup_printf ("%s_default(%s)", name, uid);
}

/* Records with this reason about pod name (NULL: any object), in order (borrowed). */
static GPtrArray *
events (Fixture *f, const char *reason, const char *name)
{
  GPtrArray *out = g_ptr_array_new ();
  g_autofree char *key = name ? g_strdup_printf ("default/%s", name) : NULL;

  for (guint i = 0; i < f->sink.records->len; i++)
    {
      KsTestRecord *r = g_ptr_array_index (f->sink.records, i);
      if (strcmp (r->reason, reason) == 0 && (key == NULL || strcmp (r->object, key) == 0))
        g_ptr_array_add (out, r);
    }
  return out;
}

static guint
n_events (Fixture *f, const char *reason, const char *name)
{
  g_autoptr (GPtrArray) list = events (f, reason, name);
  return list->len;
}

static void
assert_condition (const KsPod *pod, KsPodConditionType type, KsConditionStatus status,
                  const char *reason, const char *message)
{
  const KsCondition *c = &pod->conditions[type];

  g_test_message ("condition %s: %s %s %s", ks_pod_condition_name (type),
                  ks_condition_status_name (c->status), c->reason, c->message);
  g_assert_cmpstr (ks_condition_status_name (c->status), ==, ks_condition_status_name (status));
  g_assert_cmpstr (c->reason, ==, reason);
  g_assert_cmpstr (c->message, ==, message);
}

static void
assert_phase (Fixture *f, const char *name, KsPodPhase phase)
{
  g_assert_cmpstr (ks_pod_phase_name (must_get_pod (f, name)->phase), ==,
                   ks_pod_phase_name (phase));
}

/* A kubelet event: source, node and type as the kubelet records them. */
static void
assert_event (const KsTestRecord *r, gint64 time, gboolean warning, const char *reason,
              const char *pod, const char *message)
{
  g_autofree char *key = g_strdup_printf ("default/%s", pod);

  g_assert_nonnull (r);
  g_assert_cmpint (r->time, ==, time);
  g_assert_cmpint (r->warning, ==, warning);
  g_assert_cmpstr (r->reason, ==, reason);
  g_assert_cmpstr (r->object, ==, key);
  g_assert_cmpstr (r->node, ==, NODE);
  g_assert_cmpstr (r->source, ==, "kubelet");
  g_assert_cmpstr (r->message, ==, message);
}

/* Keeps the last stored version of one pod and when it was deleted. */
typedef struct
{
  const char *name;
  KsClock *clock;
  KsPod *last;
  gint64 deleted_at;
} PodTrace;

static void
trace_clear (PodTrace *t)
{
  if (t->last != NULL)
    ks_object_unref (KS_OBJECT (t->last));
  t->last = NULL;
}

static void
trace_pod (const KsWatchEvent *event, gpointer data)
{
  PodTrace *t = data;

  if (strcmp (event->object->meta.name, t->name) != 0)
    return;
  if (event->type == KS_WATCH_DELETED)
    {
      t->deleted_at = ks_clock_now (t->clock);
      return;
    }
  trace_clear (t);
  t->last = KS_POD (ks_object_ref (event->object));
}

/* ---- start-up, status and conditions -----------------------------------------------------------
 */

static void
test_start_running (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) all = NULL;
  const KsContainerStatus *s;
  KsPod *pod;

  create_pod (f, "web", "Always", "kubesim.io/startup: 2s");
  pod = must_get_pod (f, "web");
  /* Bound at creation: no binding, so no PodScheduled; the kubelet has not acted yet. */
  assert_phase (f, "web", KS_POD_PENDING);
  g_assert_cmpint (pod->conditions[KS_POD_COND_SCHEDULED].status, ==, KS_CONDITION_UNSET);
  g_assert_null (pod->container_statuses);

  /* t=0: admitted, started (startTime, hostIP), containers creating. */
  run_to (f, 0);
  pod = must_get_pod (f, "web");
  assert_phase (f, "web", KS_POD_PENDING);
  g_assert_cmpint (pod->start_time, ==, 0);
  g_assert_cmpstr (ks_pod_get_status_string (pod, KS_POD_HOST_IP), ==, "10.0.0.1");
  g_assert_cmpint (pod->conditions[KS_POD_COND_SCHEDULED].status, ==, KS_CONDITION_UNSET);
  assert_condition (pod, KS_POD_COND_INITIALIZED, KS_CONDITION_TRUE, NULL, NULL);
  assert_condition (pod, KS_POD_COND_CONTAINERS_READY, KS_CONDITION_FALSE, "ContainersNotReady",
                    "containers with unready status: [main]");
  assert_condition (pod, KS_POD_COND_READY, KS_CONDITION_FALSE, "ContainersNotReady",
                    "containers with unready status: [main]");
  s = main_status (f, "web");
  g_assert_cmpint (s->state, ==, KS_CONTAINER_WAITING);
  g_assert_cmpstr (s->reason, ==, "ContainerCreating");
  g_assert_cmpint (s->restart_count, ==, 0);
  g_assert_cmpint (s->ready, ==, FALSE);
  g_assert_cmpint (s->started, ==, FALSE);
  g_assert_cmpint (s->has_last, ==, FALSE);
  g_assert_cmpuint (ks_kubelet_n_active_pods (f->kubelet), ==, 1);
  g_assert_cmpstr (ks_kubelet_get_node_name (f->kubelet), ==, NODE);
  g_assert_cmpuint (f->sink.records->len, ==, 0);

  /* Just before the 2 s start-up: still creating. */
  run_to (f, 2 * SEC - 1);
  g_assert_cmpint (main_status (f, "web")->state, ==, KS_CONTAINER_WAITING);
  assert_phase (f, "web", KS_POD_PENDING);

  /* t=2 s: running and ready. */
  run_to (f, 2 * SEC);
  pod = must_get_pod (f, "web");
  assert_phase (f, "web", KS_POD_RUNNING);
  s = main_status (f, "web");
  g_assert_cmpint (s->state, ==, KS_CONTAINER_RUNNING);
  g_assert_cmpint (s->started_at, ==, 2 * SEC);
  g_assert_cmpint (s->ready, ==, TRUE);
  g_assert_cmpint (s->started, ==, TRUE);
  g_assert_cmpint (s->restart_count, ==, 0);
  assert_condition (pod, KS_POD_COND_CONTAINERS_READY, KS_CONDITION_TRUE, NULL, NULL);
  assert_condition (pod, KS_POD_COND_READY, KS_CONDITION_TRUE, NULL, NULL);
  g_assert_cmpint (pod->conditions[KS_POD_COND_READY].last_transition_time, ==, 2 * SEC);
  g_assert_cmpint (pod->conditions[KS_POD_COND_INITIALIZED].last_transition_time, ==, 0);
  g_assert_cmpint (pod->conditions[KS_POD_COND_SCHEDULED].status, ==, KS_CONDITION_UNSET);

  all = g_ptr_array_ref (f->sink.records);
  g_assert_cmpuint (all->len, ==, 2);
  assert_event (g_ptr_array_index (all, 0), 2 * SEC, FALSE, "Created", "web",
                "Created container: main");
  assert_event (g_ptr_array_index (all, 1), 2 * SEC, FALSE, "Started", "web",
                "Started container main");

  /* Nothing else happens to a container without a run time. */
  run_to (f, 3600 * SEC);
  assert_phase (f, "web", KS_POD_RUNNING);
  g_assert_cmpuint (f->sink.records->len, ==, 2);
}

/* The unready message lists the containers in spec order, space-separated (fmt %s of a slice). */
static void
test_conditions_unready_list (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) created = NULL;
  KsPod *pod;

  create_pod_full (f, "two", "Always", "", NULL,
                   "[{name: app, image: busybox}, {name: sidecar, image: busybox}]", NODE);
  run_to (f, 0);
  pod = must_get_pod (f, "two");
  assert_condition (pod, KS_POD_COND_CONTAINERS_READY, KS_CONDITION_FALSE, "ContainersNotReady",
                    "containers with unready status: [app sidecar]");
  assert_condition (pod, KS_POD_COND_READY, KS_CONDITION_FALSE, "ContainersNotReady",
                    "containers with unready status: [app sidecar]");
  run_to (f, 1 * SEC);
  pod = must_get_pod (f, "two");
  assert_phase (f, "two", KS_POD_RUNNING);
  assert_condition (pod, KS_POD_COND_READY, KS_CONDITION_TRUE, NULL, NULL);
  created = events (f, "Created", "two");
  g_assert_cmpuint (created->len, ==, 2);
  assert_event (g_ptr_array_index (created, 0), 1 * SEC, FALSE, "Created", "two",
                "Created container: app");
  assert_event (g_ptr_array_index (created, 1), 1 * SEC, FALSE, "Created", "two",
                "Created container: sidecar");
}

/* A pod bound by the binding subresource gets PodScheduled=True at the binding time; the kubelet
 * starts it then. */
static void
test_bind_scheduled_condition (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  KsPod *pod;

  ks_test_create (f->store,
                  ks_test_decode ("apiVersion: v1\nkind: Pod\nmetadata: {name: late}\n"
                                  "spec: {containers: [{name: main, image: busybox}]}\n"));
  run_to (f, 5 * SEC);
  pod = must_get_pod (f, "late");
  g_assert_null (pod->container_statuses); /* not this kubelet's pod yet */
  g_assert_cmpint (pod->conditions[KS_POD_COND_SCHEDULED].status, ==, KS_CONDITION_UNSET);
  g_assert_true (ks_store_bind (f->store, "default", "late", NULL, NODE, &error));
  g_assert_no_error (error);
  run_to (f, 5 * SEC);
  pod = must_get_pod (f, "late");
  assert_condition (pod, KS_POD_COND_SCHEDULED, KS_CONDITION_TRUE, NULL, NULL);
  g_assert_cmpint (pod->conditions[KS_POD_COND_SCHEDULED].last_transition_time, ==, 5 * SEC);
  g_assert_cmpint (pod->start_time, ==, 5 * SEC);
  run_to (f, 6 * SEC);
  assert_phase (f, "late", KS_POD_RUNNING);
  g_assert_cmpint (main_status (f, "late")->started_at, ==, 6 * SEC);
}

/* ---- restart policies --------------------------------------------------------------------------
 */

static void
test_restart_never (Fixture *f, gconstpointer data)
{
  const KsContainerStatus *s;
  KsPod *pod;

  create_pod (f, "ok-once", "Never", "kubesim.io/duration: 30s");
  create_pod (f, "fails-once", "Never", "kubesim.io/duration: 20s, kubesim.io/exit-code: \"3\"");
  run_to (f, 0);
  g_assert_cmpuint (ks_kubelet_n_active_pods (f->kubelet), ==, 2);

  /* fails-once: started at 1 s, exits 3 at 21 s: Failed, not restarted. */
  run_to (f, 21 * SEC - 1);
  assert_phase (f, "fails-once", KS_POD_RUNNING);
  run_to (f, 21 * SEC);
  pod = must_get_pod (f, "fails-once");
  assert_phase (f, "fails-once", KS_POD_FAILED);
  s = main_status (f, "fails-once");
  g_assert_cmpint (s->state, ==, KS_CONTAINER_TERMINATED);
  g_assert_cmpint (s->exit_code, ==, 3);
  g_assert_cmpstr (s->reason, ==, "Error");
  g_assert_cmpint (s->started_at, ==, 1 * SEC);
  g_assert_cmpint (s->finished_at, ==, 21 * SEC);
  g_assert_cmpint (s->restart_count, ==, 0);
  g_assert_cmpint (s->ready, ==, FALSE);
  /* generate.go: a Failed pod's ContainersReady and Ready are False with reason PodFailed. */
  assert_condition (pod, KS_POD_COND_CONTAINERS_READY, KS_CONDITION_FALSE, "PodFailed", NULL);
  assert_condition (pod, KS_POD_COND_READY, KS_CONDITION_FALSE, "PodFailed", NULL);
  g_assert_cmpuint (ks_kubelet_n_active_pods (f->kubelet), ==, 1);

  /* ok-once: exits 0 at 31 s: Succeeded. */
  run_to (f, 31 * SEC - 1);
  assert_phase (f, "ok-once", KS_POD_RUNNING);
  run_to (f, 31 * SEC);
  pod = must_get_pod (f, "ok-once");
  assert_phase (f, "ok-once", KS_POD_SUCCEEDED);
  s = main_status (f, "ok-once");
  g_assert_cmpint (s->state, ==, KS_CONTAINER_TERMINATED);
  g_assert_cmpint (s->exit_code, ==, 0);
  g_assert_cmpstr (s->reason, ==, "Completed");
  g_assert_cmpint (s->started_at, ==, 1 * SEC);
  g_assert_cmpint (s->finished_at, ==, 31 * SEC);
  /* generate.go: Succeeded gives PodCompleted, and Initialized True with reason PodCompleted. */
  assert_condition (pod, KS_POD_COND_CONTAINERS_READY, KS_CONDITION_FALSE, "PodCompleted", NULL);
  assert_condition (pod, KS_POD_COND_READY, KS_CONDITION_FALSE, "PodCompleted", NULL);
  assert_condition (pod, KS_POD_COND_INITIALIZED, KS_CONDITION_TRUE, "PodCompleted", NULL);
  g_assert_cmpuint (ks_kubelet_n_active_pods (f->kubelet), ==, 0);

  /* Never restarts: nothing more, ever. */
  run_to (f, 1000 * SEC);
  g_assert_cmpuint (n_events (f, "Started", NULL), ==, 2);
  g_assert_cmpuint (n_events (f, "BackOff", NULL), ==, 0);
  g_assert_cmpint (main_status (f, "fails-once")->restart_count, ==, 0);
  g_assert_cmpint (main_status (f, "ok-once")->restart_count, ==, 0);
}

static void
test_restart_on_failure (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) started = NULL;
  g_autoptr (GPtrArray) backoff = NULL;
  g_autofree char *ref = NULL;
  g_autofree char *expect = NULL;
  const KsContainerStatus *s;

  create_pod (f, "done", "OnFailure", "kubesim.io/duration: 5s");
  create_pod (f, "retry", "OnFailure", "kubesim.io/duration: 5s, kubesim.io/exit-code: \"1\"");
  run_to (f, 0);
  ref = pod_ref (f, "retry");

  /* 6 s: both exit.  done (exit 0) is not restarted: Succeeded. */
  run_to (f, 6 * SEC);
  assert_phase (f, "done", KS_POD_SUCCEEDED);
  g_assert_cmpint (main_status (f, "done")->restart_count, ==, 0);
  /* retry (exit 1): the first restart is immediate; it counts, and the old instance becomes
   * lastState; the pod stays Running. */
  assert_phase (f, "retry", KS_POD_RUNNING);
  s = main_status (f, "retry");
  g_assert_cmpint (s->state, ==, KS_CONTAINER_WAITING);
  g_assert_cmpstr (s->reason, ==, "ContainerCreating");
  g_assert_cmpint (s->restart_count, ==, 1);
  g_assert_cmpint (s->has_last, ==, TRUE);
  g_assert_cmpint (s->last_exit_code, ==, 1);
  g_assert_cmpstr (s->last_reason, ==, "Error");
  g_assert_cmpint (s->last_started_at, ==, 1 * SEC);
  g_assert_cmpint (s->last_finished_at, ==, 6 * SEC);
  g_assert_cmpint (s->ready, ==, FALSE);
  run_to (f, 7 * SEC);
  g_assert_cmpint (main_status (f, "retry")->state, ==, KS_CONTAINER_RUNNING);
  g_assert_cmpint (main_status (f, "retry")->restart_count, ==, 1);

  /* 12 s: second failure, 6 s after the backoff entry was made: back-off 10 s.  One restart has
   * happened so far. */
  run_to (f, 12 * SEC);
  assert_phase (f, "retry", KS_POD_RUNNING);
  s = main_status (f, "retry");
  expect = g_strdup_printf ("back-off 10s restarting failed container=main pod=%s", ref);
  g_assert_cmpint (s->state, ==, KS_CONTAINER_WAITING);
  g_assert_cmpstr (s->reason, ==, "CrashLoopBackOff");
  g_assert_cmpstr (s->message, ==, expect);
  g_assert_cmpint (s->restart_count, ==, 1);
  g_assert_cmpint (s->last_exit_code, ==, 1);
  g_assert_cmpint (s->last_started_at, ==, 7 * SEC);
  g_assert_cmpint (s->last_finished_at, ==, 12 * SEC);
  backoff = events (f, "BackOff", "retry");
  g_assert_cmpuint (backoff->len, ==, 1);
  g_clear_pointer (&expect, g_free);
  expect = g_strdup_printf ("Back-off restarting failed container main in pod %s", ref);
  assert_event (g_ptr_array_index (backoff, 0), 12 * SEC, TRUE, "BackOff", "retry", expect);

  /* The next run succeeds. */
  run_to (f, 15 * SEC);
  annotate (f, "retry", "kubesim.io/exit-code", "0");
  run_to (f, 22 * SEC - 1);
  g_assert_cmpstr (main_status (f, "retry")->reason, ==, "CrashLoopBackOff");
  /* Restarted at 22 s, running at 23 s: the second restart. */
  run_to (f, 23 * SEC);
  s = main_status (f, "retry");
  g_assert_cmpint (s->state, ==, KS_CONTAINER_RUNNING);
  g_assert_cmpint (s->started_at, ==, 23 * SEC);
  g_assert_cmpint (s->restart_count, ==, 2);
  /* 28 s: exit 0 under OnFailure: done, Succeeded; lastState keeps the failed instance. */
  run_to (f, 28 * SEC);
  assert_phase (f, "retry", KS_POD_SUCCEEDED);
  s = main_status (f, "retry");
  g_assert_cmpint (s->state, ==, KS_CONTAINER_TERMINATED);
  g_assert_cmpint (s->exit_code, ==, 0);
  g_assert_cmpstr (s->reason, ==, "Completed");
  g_assert_cmpint (s->restart_count, ==, 2);
  g_assert_cmpint (s->last_exit_code, ==, 1);
  g_assert_cmpint (s->last_finished_at, ==, 12 * SEC);

  run_to (f, 100 * SEC);
  started = events (f, "Started", "retry");
  g_assert_cmpuint (started->len, ==, 3);
  g_assert_cmpint (((KsTestRecord *) g_ptr_array_index (started, 0))->time, ==, 1 * SEC);
  g_assert_cmpint (((KsTestRecord *) g_ptr_array_index (started, 1))->time, ==, 7 * SEC);
  g_assert_cmpint (((KsTestRecord *) g_ptr_array_index (started, 2))->time, ==, 23 * SEC);
  g_assert_cmpuint (n_events (f, "Started", "done"), ==, 1);
  g_assert_cmpuint (n_events (f, "BackOff", NULL), ==, 1);
}

/* Always, 5 s runs that fail, 1 s start-up.  The backoff entry (duration, lastUpdate):
 *   exit 6: no entry → (10, 6), restart at once, running 7
 *   exit 12: in backoff → wait 10 → restart 22: Next(12) → (20, 22), running 23
 *   exit 28 → 48: (40, 48); exit 54 → 94: (80, 94); exit 100 → 180: (160, 180);
 *   exit 186 → 346: (300, 346) capped; exit 352 → 652: (300, 652); exit 658 → 958: (300, 958).
 * Then the run from 958 lasts 1 s + 660 s: exit 1619, 661 s after the last update: the entry
 * resets, the restart is immediate, and the next failure (5 s runs again) waits 10 s. */
static void
test_restart_crashloop (Fixture *f, gconstpointer data)
{
  static const gint64 exits[] = { 12, 28, 54, 100, 186, 352, 658 };
  static const gint64 waits[] = { 10, 20, 40, 80, 160, 300, 300 };
  static const char *const words[] = { "10s", "20s", "40s", "1m20s", "2m40s", "5m0s", "5m0s" };
  static const gint64 running[] = { 1, 7, 23, 49, 95, 181, 347, 653, 959 };
  g_autoptr (GPtrArray) started = NULL;
  g_autoptr (GPtrArray) backoff = NULL;
  g_autofree char *ref = NULL;
  const KsContainerStatus *s;

  create_pod (f, "crashloop", "Always", "kubesim.io/duration: 5s, kubesim.io/exit-code: \"1\"");
  run_to (f, 0);
  ref = pod_ref (f, "crashloop");

  run_to (f, 6 * SEC);
  s = main_status (f, "crashloop");
  g_assert_cmpstr (s->reason, ==, "ContainerCreating");
  g_assert_cmpint (s->restart_count, ==, 1);
  g_assert_cmpuint (n_events (f, "BackOff", NULL), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (exits); i++)
    {
      g_autofree char *expect
          = g_strdup_printf ("back-off %s restarting failed container=main pod=%s", words[i], ref);
      g_autofree char *event
          = g_strdup_printf ("Back-off restarting failed container main in pod %s", ref);

      g_test_message ("exit %u at %" G_GINT64_FORMAT " s", i + 2, exits[i]);
      run_to (f, exits[i] * SEC - 1);
      g_assert_cmpint (main_status (f, "crashloop")->state, ==, KS_CONTAINER_RUNNING);
      run_to (f, exits[i] * SEC);
      s = main_status (f, "crashloop");
      g_assert_cmpint (s->state, ==, KS_CONTAINER_WAITING);
      g_assert_cmpstr (s->reason, ==, "CrashLoopBackOff");
      g_assert_cmpstr (s->message, ==, expect);
      /* i + 1 restarts have happened: the one in backoff has not. */
      g_assert_cmpint (s->restart_count, ==, (gint) i + 1);
      g_assert_cmpint (s->last_exit_code, ==, 1);
      g_assert_cmpint (s->last_finished_at, ==, exits[i] * SEC);
      g_assert_cmpint (s->ready, ==, FALSE);
      assert_phase (f, "crashloop", KS_POD_RUNNING);
      assert_condition (must_get_pod (f, "crashloop"), KS_POD_COND_READY, KS_CONDITION_FALSE,
                        "ContainersNotReady", "containers with unready status: [main]");
      g_assert_cmpuint (n_events (f, "BackOff", NULL), ==, i + 1);
      g_clear_pointer (&backoff, g_ptr_array_unref);
      backoff = events (f, "BackOff", "crashloop");
      assert_event (g_ptr_array_index (backoff, i), exits[i] * SEC, TRUE, "BackOff", "crashloop",
                    event);
      /* Still waiting 1 µs before the restart's start-up ends; running after it. */
      run_to (f, (exits[i] + waits[i] + 1) * SEC - 1);
      g_assert_cmpstr (main_status (f, "crashloop")->reason, ==, "CrashLoopBackOff");
      run_to (f, (exits[i] + waits[i] + 1) * SEC);
      s = main_status (f, "crashloop");
      g_assert_cmpint (s->state, ==, KS_CONTAINER_RUNNING);
      g_assert_cmpint (s->restart_count, ==, (gint) i + 2);
      if (i == 5)
        /* Make the run from the restart at 958 s long: 660 s. */
        annotate (f, "crashloop", "kubesim.io/duration", "660s");
    }
  started = events (f, "Started", "crashloop");
  g_assert_cmpuint (started->len, ==, G_N_ELEMENTS (running));
  for (guint i = 0; i < G_N_ELEMENTS (running); i++)
    g_assert_cmpint (((KsTestRecord *) g_ptr_array_index (started, i))->time, ==, running[i] * SEC);

  /* Back to 5 s runs for the instance after the long one. */
  run_to (f, 1000 * SEC);
  annotate (f, "crashloop", "kubesim.io/duration", "5s");
  run_to (f, 1619 * SEC - 1);
  g_assert_cmpint (main_status (f, "crashloop")->state, ==, KS_CONTAINER_RUNNING);
  /* 1619 s: 661 s since the last update: reset, restarted at once, no CrashLoopBackOff. */
  run_to (f, 1619 * SEC);
  s = main_status (f, "crashloop");
  g_assert_cmpstr (s->reason, ==, "ContainerCreating");
  g_assert_cmpint (s->restart_count, ==, 9);
  g_assert_cmpuint (n_events (f, "BackOff", NULL), ==, G_N_ELEMENTS (exits));
  run_to (f, 1620 * SEC);
  g_assert_cmpint (main_status (f, "crashloop")->state, ==, KS_CONTAINER_RUNNING);
  /* 1625 s: the next failure waits the initial 10 s again. */
  run_to (f, 1625 * SEC);
  {
    g_autofree char *expect
        = g_strdup_printf ("back-off 10s restarting failed container=main pod=%s", ref);
    s = main_status (f, "crashloop");
    g_assert_cmpstr (s->reason, ==, "CrashLoopBackOff");
    g_assert_cmpstr (s->message, ==, expect);
    g_assert_cmpint (s->restart_count, ==, 9);
  }
  g_assert_cmpuint (n_events (f, "BackOff", NULL), ==, G_N_ELEMENTS (exits) + 1);
  run_to (f, 1636 * SEC - 1);
  g_assert_cmpint (main_status (f, "crashloop")->state, ==, KS_CONTAINER_WAITING);
  run_to (f, 1636 * SEC);
  g_assert_cmpint (main_status (f, "crashloop")->state, ==, KS_CONTAINER_RUNNING);
  g_assert_cmpint (main_status (f, "crashloop")->restart_count, ==, 10);
}

/* The reset rule at its boundary: the entry expires when exit − lastUpdate > 600 s.
 * 599 s runs: exit 600 → (10, 600) at once; running 601, exit 1200: 600 s, not expired →
 * back-off 10 s, restart 1210 → (20, 1210); exit 1810 → back-off 20 s.  600 s runs: exit 601 → (10,
 * 601); running 602, exit 1202: 601 s → reset, restarted at once; the same at every later exit. */
static void
test_restart_backoff_reset_boundary (Fixture *f, gconstpointer data)
{
  g_autofree char *ref = NULL;
  g_autofree char *expect = NULL;
  const KsContainerStatus *s;

  create_pod (f, "run-599", "Always", "kubesim.io/duration: 599s, kubesim.io/exit-code: \"1\"");
  create_pod (f, "run-600", "Always", "kubesim.io/duration: 600s, kubesim.io/exit-code: \"1\"");
  run_to (f, 0);
  ref = pod_ref (f, "run-599");

  run_to (f, 600 * SEC);
  g_assert_cmpint (main_status (f, "run-599")->restart_count, ==, 1);
  g_assert_cmpstr (main_status (f, "run-599")->reason, ==, "ContainerCreating");
  run_to (f, 1200 * SEC);
  s = main_status (f, "run-599");
  expect = g_strdup_printf ("back-off 10s restarting failed container=main pod=%s", ref);
  g_assert_cmpstr (s->reason, ==, "CrashLoopBackOff");
  g_assert_cmpstr (s->message, ==, expect);
  g_assert_cmpint (s->restart_count, ==, 1);

  run_to (f, 1202 * SEC);
  s = main_status (f, "run-600");
  g_assert_cmpint (s->state, ==, KS_CONTAINER_WAITING);
  g_assert_cmpstr (s->reason, ==, "ContainerCreating");
  g_assert_cmpint (s->restart_count, ==, 2);
  g_assert_cmpint (s->last_finished_at, ==, 1202 * SEC);

  run_to (f, 1211 * SEC - 1);
  g_assert_cmpstr (main_status (f, "run-599")->reason, ==, "CrashLoopBackOff");
  run_to (f, 1211 * SEC);
  g_assert_cmpint (main_status (f, "run-599")->state, ==, KS_CONTAINER_RUNNING);
  g_assert_cmpint (main_status (f, "run-599")->restart_count, ==, 2);
  run_to (f, 1803 * SEC);
  s = main_status (f, "run-600");
  g_assert_cmpstr (s->reason, ==, "ContainerCreating");
  g_assert_cmpint (s->restart_count, ==, 3);
  g_assert_cmpuint (n_events (f, "BackOff", "run-600"), ==, 0);
  g_assert_cmpuint (n_events (f, "Started", "run-600"), ==, 3);

  /* run-599 restarted at 1210 with Next(1200): 1200 − 600 = 600, not expired: doubled to 20 s.
   * Its next exit, 1810, is again 600 s after that update: back-off 20s. */
  run_to (f, 1810 * SEC);
  g_clear_pointer (&expect, g_free);
  expect = g_strdup_printf ("back-off 20s restarting failed container=main pod=%s", ref);
  s = main_status (f, "run-599");
  g_assert_cmpstr (s->reason, ==, "CrashLoopBackOff");
  g_assert_cmpstr (s->message, ==, expect);
  g_assert_cmpint (s->restart_count, ==, 2);
  g_assert_cmpuint (n_events (f, "BackOff", "run-599"), ==, 2);
}

/* ---- init containers ---------------------------------------------------------------------------
 */

static void
test_init_order (Fixture *f, gconstpointer data)
{
  static const char *const order[][3] = {
    { "Created", "Created container: init-a", "1" }, { "Started", "Started container init-a", "1" },
    { "Created", "Created container: init-b", "2" }, { "Started", "Started container init-b", "2" },
    { "Created", "Created container: main", "3" },   { "Started", "Started container main", "3" },
  };
  KsPod *pod;

  create_pod_full (f, "init", "Always", "",
                   "[{name: init-a, image: busybox}, {name: init-b, image: busybox}]",
                   "[{name: main, image: busybox}]", NODE);
  run_to (f, 0);
  pod = must_get_pod (f, "init");
  assert_phase (f, "init", KS_POD_PENDING);
  assert_condition (pod, KS_POD_COND_INITIALIZED, KS_CONDITION_FALSE, "ContainersNotInitialized",
                    "containers with incomplete status: [init-a init-b]");
  assert_condition (pod, KS_POD_COND_READY, KS_CONDITION_FALSE, "ContainersNotReady",
                    "containers with unready status: [main]");
  g_assert_nonnull (pod->init_container_statuses);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpint (pod->init_container_statuses[i].state, ==, KS_CONTAINER_WAITING);
      g_assert_cmpstr (pod->init_container_statuses[i].reason, ==, "PodInitializing");
    }

  /* 1 s: init-a ran and completed; init-b is starting. */
  run_to (f, 1 * SEC);
  pod = must_get_pod (f, "init");
  assert_phase (f, "init", KS_POD_PENDING);
  g_assert_cmpint (pod->init_container_statuses[0].state, ==, KS_CONTAINER_TERMINATED);
  g_assert_cmpint (pod->init_container_statuses[0].exit_code, ==, 0);
  g_assert_cmpstr (pod->init_container_statuses[0].reason, ==, "Completed");
  g_assert_cmpint (pod->init_container_statuses[0].started_at, ==, 1 * SEC);
  g_assert_cmpint (pod->init_container_statuses[0].finished_at, ==, 1 * SEC);
  /* prober_manager: an init container that exited 0 is ready. */
  g_assert_cmpint (pod->init_container_statuses[0].ready, ==, TRUE);
  g_assert_cmpint (pod->init_container_statuses[1].state, ==, KS_CONTAINER_WAITING);
  assert_condition (pod, KS_POD_COND_INITIALIZED, KS_CONDITION_FALSE, "ContainersNotInitialized",
                    "containers with incomplete status: [init-b]");
  g_assert_cmpint (pod->container_statuses[0].state, ==, KS_CONTAINER_WAITING);
  g_assert_cmpuint (n_events (f, "Started", "init"), ==, 1);

  /* 2 s: init done; main is starting. */
  run_to (f, 2 * SEC);
  pod = must_get_pod (f, "init");
  assert_phase (f, "init", KS_POD_PENDING);
  g_assert_cmpint (pod->init_container_statuses[1].state, ==, KS_CONTAINER_TERMINATED);
  g_assert_cmpint (pod->init_container_statuses[1].ready, ==, TRUE);
  assert_condition (pod, KS_POD_COND_INITIALIZED, KS_CONDITION_TRUE, NULL, NULL);
  g_assert_cmpint (pod->conditions[KS_POD_COND_INITIALIZED].last_transition_time, ==, 2 * SEC);
  g_assert_cmpint (pod->container_statuses[0].state, ==, KS_CONTAINER_WAITING);

  /* 3 s: running. */
  run_to (f, 3 * SEC);
  pod = must_get_pod (f, "init");
  assert_phase (f, "init", KS_POD_RUNNING);
  assert_condition (pod, KS_POD_COND_READY, KS_CONDITION_TRUE, NULL, NULL);
  g_assert_cmpint (pod->container_statuses[0].started_at, ==, 3 * SEC);

  g_assert_cmpuint (f->sink.records->len, ==, G_N_ELEMENTS (order));
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    assert_event (g_ptr_array_index (f->sink.records, i),
                  g_ascii_strtoll (order[i][2], NULL, 10) * SEC, FALSE, order[i][0], "init",
                  order[i][1]);
}

/* ---- graceful deletion -------------------------------------------------------------------------
 */

static void
test_delete_graceful (Fixture *f, gconstpointer data)
{
  PodTrace trace = { .name = "web", .clock = f->clock, .deleted_at = -1 };
  PodTrace quick = { .name = "quick", .clock = f->clock, .deleted_at = -1 };
  g_autoptr (GPtrArray) killing = NULL;
  const KsContainerStatus *s;
  KsPod *pod;
  guint watch, watch2;

  create_pod (f, "web", "Always", "");
  create_pod (f, "quick", "Always", "");
  watch
      = ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), NULL, FALSE, trace_pod, &trace, NULL);
  watch2
      = ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), NULL, FALSE, trace_pod, &quick, NULL);
  run_to (f, 10 * SEC);
  assert_phase (f, "web", KS_POD_RUNNING);
  g_assert_cmpuint (ks_sim_runtime_n_containers (f->runtime), ==, 2);

  /* Default grace (terminationGracePeriodSeconds 30) for web, 5 s for quick. */
  delete_pod (f, "web", -1);
  delete_pod (f, "quick", 5);
  pod = must_get_pod (f, "web");
  g_assert_cmpint (pod->parent.meta.deletion_timestamp, ==, 40 * SEC);
  g_assert_cmpint (pod->parent.meta.deletion_grace_period_seconds, ==, 30);
  run_to (f, 10 * SEC);
  killing = events (f, "Killing", NULL);
  g_assert_cmpuint (killing->len, ==, 2);
  assert_event (g_ptr_array_index (killing, 0), 10 * SEC, FALSE, "Killing", "web",
                "Stopping container main");
  assert_event (g_ptr_array_index (killing, 1), 10 * SEC, FALSE, "Killing", "quick",
                "Stopping container main");
  /* SIGTERM does not end a modelled container: it runs until the grace period ends. */
  g_assert_cmpint (main_status (f, "web")->state, ==, KS_CONTAINER_RUNNING);
  g_assert_cmpuint (ks_kubelet_n_active_pods (f->kubelet), ==, 2);

  run_to (f, 15 * SEC - 1);
  g_assert_nonnull (get_pod (f, "quick"));
  run_to (f, 15 * SEC);
  g_assert_null (get_pod (f, "quick"));
  g_assert_cmpint (quick.deleted_at, ==, 15 * SEC);
  g_assert_nonnull (quick.last);
  g_assert_cmpint (quick.last->container_statuses[0].state, ==, KS_CONTAINER_TERMINATED);
  g_assert_cmpint (quick.last->container_statuses[0].exit_code, ==, 137);
  g_assert_cmpint (quick.last->container_statuses[0].finished_at, ==, 15 * SEC);

  run_to (f, 40 * SEC - 1);
  g_assert_nonnull (get_pod (f, "web"));
  g_assert_cmpint (trace.deleted_at, ==, -1);
  run_to (f, 40 * SEC);
  g_assert_null (get_pod (f, "web"));
  g_assert_cmpint (trace.deleted_at, ==, 40 * SEC);
  /* The last status the kubelet wrote: killed at the end of the grace period. */
  s = &trace.last->container_statuses[0];
  g_assert_cmpint (s->state, ==, KS_CONTAINER_TERMINATED);
  g_assert_cmpint (s->exit_code, ==, 137);
  g_assert_cmpstr (s->reason, ==, "Error");
  g_assert_cmpint (s->started_at, ==, 1 * SEC);
  g_assert_cmpint (s->finished_at, ==, 40 * SEC);
  g_assert_cmpint (s->restart_count, ==, 0);
  g_assert_cmpint (s->ready, ==, FALSE);
  /* Everything forgotten: no containers, no admitted pods, no restarts later. */
  g_assert_cmpuint (ks_sim_runtime_n_containers (f->runtime), ==, 0);
  g_assert_cmpuint (ks_kubelet_n_active_pods (f->kubelet), ==, 0);
  run_to (f, 100 * SEC);
  g_assert_cmpuint (n_events (f, "Started", NULL), ==, 2);
  g_assert_cmpuint (n_events (f, "Killing", NULL), ==, 2);

  ks_store_unwatch (f->store, watch);
  ks_store_unwatch (f->store, watch2);
  trace_clear (&trace);
  trace_clear (&quick);
}

/* A pod deleted while its container is still starting goes at once: the start is abandoned. */
static void
test_delete_starting (Fixture *f, gconstpointer data)
{
  PodTrace trace = { .name = "slow", .clock = f->clock, .deleted_at = -1 };
  guint watch;

  create_pod (f, "slow", "Always", "kubesim.io/startup: 5s");
  watch
      = ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), NULL, FALSE, trace_pod, &trace, NULL);
  run_to (f, 2 * SEC);
  assert_phase (f, "slow", KS_POD_PENDING);
  delete_pod (f, "slow", -1);
  run_to (f, 2 * SEC);
  g_assert_null (get_pod (f, "slow"));
  g_assert_cmpint (trace.deleted_at, ==, 2 * SEC);
  g_assert_cmpuint (ks_kubelet_n_active_pods (f->kubelet), ==, 0);
  g_assert_cmpuint (ks_sim_runtime_n_containers (f->runtime), ==, 0);
  run_to (f, 60 * SEC);
  g_assert_cmpuint (n_events (f, "Created", NULL), ==, 0);
  g_assert_cmpuint (n_events (f, "Started", NULL), ==, 0);
  ks_store_unwatch (f->store, watch);
  trace_clear (&trace);
}

/* A pod in CrashLoopBackOff has nothing running: deleting it removes it at once, and the pending
 * restart never happens. */
static void
test_delete_in_backoff (Fixture *f, gconstpointer data)
{
  create_pod (f, "crash", "Always", "kubesim.io/duration: 5s, kubesim.io/exit-code: \"1\"");
  run_to (f, 12 * SEC);
  g_assert_cmpstr (main_status (f, "crash")->reason, ==, "CrashLoopBackOff");
  run_to (f, 15 * SEC);
  delete_pod (f, "crash", -1);
  run_to (f, 15 * SEC);
  g_assert_null (get_pod (f, "crash"));
  g_assert_cmpuint (n_events (f, "Killing", NULL), ==, 0);
  run_to (f, 60 * SEC);
  g_assert_cmpuint (n_events (f, "Started", NULL), ==, 2);
  g_assert_cmpuint (ks_sim_runtime_n_containers (f->runtime), ==, 0);
}

/* ---- admission ---------------------------------------------------------------------------------
 */

static void
test_admission_out_of_cpu (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) rejected = NULL;
  KsPod *pod;

  create_pod_full (f, "big", "Never", "kubesim.io/duration: 10s", NULL,
                   "[{name: main, image: busybox, resources: {requests: {cpu: 1500m}}}]", NODE);
  create_pod_full (f, "late", "Always", "", NULL,
                   "[{name: main, image: busybox, resources: {requests: {cpu: \"1\"}}}]", NODE);
  run_to (f, 0);
  g_assert_cmpuint (ks_kubelet_n_active_pods (f->kubelet), ==, 1);
  pod = must_get_pod (f, "late");
  assert_phase (f, "late", KS_POD_FAILED);
  g_assert_cmpstr (ks_pod_get_status_string (pod, KS_POD_REASON), ==, "OutOfcpu");
  g_assert_cmpstr (ks_pod_get_status_string (pod, KS_POD_MESSAGE), ==,
                   "Pod was rejected: Node didn't have enough resource: cpu, requested: 1000, "
                   "used: 1500, capacity: 2000");
  rejected = events (f, "OutOfcpu", NULL);
  g_assert_cmpuint (rejected->len, ==, 1);
  assert_event (g_ptr_array_index (rejected, 0), 0, TRUE, "OutOfcpu", "late",
                "Node didn't have enough resource: cpu, requested: 1000, used: 1500, capacity: "
                "2000");
  assert_phase (f, "big", KS_POD_PENDING);

  /* big ends at 11 s and releases its cpu; a pod created later fits. */
  run_to (f, 11 * SEC);
  assert_phase (f, "big", KS_POD_SUCCEEDED);
  g_assert_cmpuint (ks_kubelet_n_active_pods (f->kubelet), ==, 0);
  run_to (f, 20 * SEC);
  create_pod_full (f, "after", "Always", "", NULL,
                   "[{name: main, image: busybox, resources: {requests: {cpu: \"2\"}}}]", NODE);
  run_to (f, 21 * SEC);
  assert_phase (f, "after", KS_POD_RUNNING);
  g_assert_cmpuint (ks_kubelet_n_active_pods (f->kubelet), ==, 1);

  /* The rejected pod never ran. */
  g_assert_cmpuint (n_events (f, "Created", "late"), ==, 0);
  assert_phase (f, "late", KS_POD_FAILED);
  g_assert_null (must_get_pod (f, "late")->container_statuses);
}

static void
test_admission_out_of_pods (Fixture *f, gconstpointer data)
{
  KsRuntime *runtime;
  KsKubelet *kubelet;
  KsPod *pod;

  ks_test_create (f->store, KS_OBJECT (node_new ("tiny", 4000, 1)));
  runtime = ks_sim_runtime_new (f->clock, 1 * SEC);
  kubelet = ks_kubelet_new (f->client, f->clock, runtime, &f->sink.parent, "tiny");
  create_pod_full (f, "first", "Always", "", NULL, "[{name: main, image: busybox}]", "tiny");
  create_pod_full (f, "second", "Always", "", NULL, "[{name: main, image: busybox}]", "tiny");
  run_to (f, 1 * SEC);
  assert_phase (f, "first", KS_POD_RUNNING);
  pod = must_get_pod (f, "second");
  assert_phase (f, "second", KS_POD_FAILED);
  g_assert_cmpstr (ks_pod_get_status_string (pod, KS_POD_REASON), ==, "OutOfpods");
  g_assert_cmpstr (ks_pod_get_status_string (pod, KS_POD_MESSAGE), ==,
                   "Pod was rejected: Node didn't have enough resource: pods, requested: 1, "
                   "used: 1, capacity: 1");
  g_assert_cmpuint (ks_kubelet_n_active_pods (kubelet), ==, 1);
  /* The other kubelet saw none of it. */
  g_assert_cmpuint (ks_kubelet_n_active_pods (f->kubelet), ==, 0);
  ks_kubelet_free (kubelet);
  ks_runtime_free (runtime);
}

/* A kubelet whose Node object does not exist (yet) has nothing to check against: it admits. */
static void
test_admission_no_node (Fixture *f, gconstpointer data)
{
  KsRuntime *runtime = ks_sim_runtime_new (f->clock, 1 * SEC);
  KsKubelet *kubelet = ks_kubelet_new (f->client, f->clock, runtime, &f->sink.parent, "ghost");

  create_pod_full (f, "orphan", "Always", "kubesim.io/duration: 5s", NULL,
                   "[{name: main, image: busybox}]", "ghost");
  run_to (f, 1 * SEC);
  assert_phase (f, "orphan", KS_POD_RUNNING);
  g_assert_cmpuint (ks_kubelet_n_active_pods (kubelet), ==, 1);
  g_assert_cmpuint (n_events (f, "Started", "orphan"), ==, 1);
  ks_kubelet_free (kubelet);
  ks_runtime_free (runtime);
}

/* ---- with the controllers ----------------------------------------------------------------------
 */

/* A Deployment's pods exit 900 s after they started, long after the rollout completed (its
 * Progressing condition, NewReplicaSetAvailable, was last updated at 1 s).  The kubelet restarts
 * them at once and they run again 1 s later; meanwhile the Deployment is unavailable but its
 * rollout stays complete (isCompleteDeployment: replicas == updatedReplicas), and simulated time
 * must go on. */
static void
test_deployment_pods_exit (Fixture *f, gconstpointer data)
{
  KsControllerManager *manager = ks_controller_manager_new (f->client, f->clock, &f->sink.parent);
  const KsDeploymentCondition *progressing, *available;
  KsDeployment *d;

  ks_test_create (
      f->store, ks_test_decode (
                    "apiVersion: apps/v1\n"
                    "kind: Deployment\n"
                    "metadata: {name: web}\n"
                    "spec:\n"
                    "  replicas: 2\n"
                    "  selector: {matchLabels: {app: web}}\n"
                    "  template:\n"
                    "    metadata: {labels: {app: web}, annotations: {kubesim.io/duration: 15m}}\n"
                    "    spec:\n"
                    "      nodeName: " NODE "\n"
                    "      containers: [{name: web, image: nginx}]\n"));
  run_to (f, 2 * SEC);
  d = KS_DEPLOYMENT (ks_store_get (f->store, ks_kind_get (KS_KIND_DEPLOYMENT), "default", "web"));
  progressing = &d->status.conditions[KS_DEPLOY_COND_PROGRESSING];
  g_assert_cmpint (d->status.available_replicas, ==, 2);
  g_assert_cmpstr (progressing->reason, ==, "NewReplicaSetAvailable");
  g_assert_cmpint (progressing->last_update_time, ==, 1 * SEC);
  g_assert_cmpuint (n_events (f, "Started", NULL), ==, 2);

  /* 901 s: both containers exited and are being restarted. */
  run_to (f, 901 * SEC);
  d = KS_DEPLOYMENT (ks_store_get (f->store, ks_kind_get (KS_KIND_DEPLOYMENT), "default", "web"));
  progressing = &d->status.conditions[KS_DEPLOY_COND_PROGRESSING];
  available = &d->status.conditions[KS_DEPLOY_COND_AVAILABLE];
  g_assert_cmpint (d->status.available_replicas, ==, 0);
  g_assert_cmpstr (available->reason, ==, "MinimumReplicasUnavailable");
  g_assert_cmpint (progressing->status, ==, KS_CONDITION_TRUE);
  g_assert_cmpstr (progressing->reason, ==, "NewReplicaSetAvailable");
  g_assert_cmpint (progressing->last_update_time, ==, 1 * SEC);

  /* 902 s: running again, available again. */
  run_to (f, 902 * SEC);
  g_assert_cmpuint (n_events (f, "Started", NULL), ==, 4);
  d = KS_DEPLOYMENT (ks_store_get (f->store, ks_kind_get (KS_KIND_DEPLOYMENT), "default", "web"));
  g_assert_cmpint (d->status.available_replicas, ==, 2);
  g_assert_cmpstr (d->status.conditions[KS_DEPLOY_COND_AVAILABLE].reason, ==,
                   "MinimumReplicasAvailable");
  g_assert_cmpstr (d->status.conditions[KS_DEPLOY_COND_PROGRESSING].reason, ==,
                   "NewReplicaSetAvailable");
  g_assert_cmpint (d->status.conditions[KS_DEPLOY_COND_PROGRESSING].last_update_time, ==, 1 * SEC);
  run_to (f, 1000 * SEC);
  ks_controller_manager_free (manager);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/kubelet/start/running", test_start_running);
  ADD ("/kubelet/conditions/unready-list", test_conditions_unready_list);
  ADD ("/kubelet/conditions/scheduled-by-binding", test_bind_scheduled_condition);
  ADD ("/kubelet/restart/never", test_restart_never);
  ADD ("/kubelet/restart/on-failure", test_restart_on_failure);
  ADD ("/kubelet/restart/crashloop", test_restart_crashloop);
  ADD ("/kubelet/restart/backoff-reset-boundary", test_restart_backoff_reset_boundary);
  ADD ("/kubelet/init/order", test_init_order);
  ADD ("/kubelet/delete/graceful", test_delete_graceful);
  ADD ("/kubelet/delete/starting", test_delete_starting);
  ADD ("/kubelet/delete/in-backoff", test_delete_in_backoff);
  ADD ("/kubelet/admission/out-of-cpu", test_admission_out_of_cpu);
  ADD ("/kubelet/admission/out-of-pods", test_admission_out_of_pods);
  ADD ("/kubelet/admission/no-node", test_admission_no_node);
  ADD ("/kubelet/controllers/deployment-pods-exit", test_deployment_pods_exit);
#undef ADD

  return g_test_run ();
}
