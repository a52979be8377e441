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
#include "sim/ks-sim-prober.h"
#include "sim/ks-sim-runtime.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-service.h"
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
  struct _FakeRuntime *fake; /* the runtime, in the tests with sandboxes, exec and failures */
  struct _FakeProber *prober;
  KsProber *sim_prober;
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
  ks_prober_free ((KsProber *) f->prober); /* its first member */
  ks_prober_free (f->sim_prober);
  ks_client_free (f->client);
  ks_store_free (f->store);
  ks_sim_clock_free (f->sim);
  ks_test_sink_clear (&f->sink);
}

static void
run_to (Fixture *f, gint64 t)
{
  ks_test_run_to (f->sim, t, 200000);
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

/* ---- a runtime with sandboxes, exec and failures, and a prober ---------------------------------
 *
 * FakeRuntime runs containers as the modelled runtime does (it wraps one) and adds what real
 * runtimes have: pod sandboxes with IPs (10.244.1.2, .3, ...), exec (answers set by the test),
 * images that are missing, and creates or starts that fail.  It logs the calls the kubelet makes.
 * FakeProber answers httpGet and tcpSocket probes from a set of unhealthy (container, kind) pairs
 * and records every call. */

typedef struct _FakeRuntime
{
  KsRuntime parent;
  KsRuntime *inner;
  KsClock *clock;
  GString *log;              /* "create web/main; sandbox_remove web; ..." */
  guint sandbox_failures;    /* the next sandbox_create calls that fail */
  guint n_ips;               /* IPs given out */
  GHashTable *missing;       /* images not present */
  GHashTable *create_errors; /* image → message: create fails with KS_RUNTIME_ERROR_CREATE */
  GHashTable *start_errors;  /* image → message: start fails with KS_RUNTIME_ERROR_START */
  GHashTable *exec_fail;     /* container names whose exec exits 1 */
  GPtrArray *exec_calls;     /* "<time s> <container> <argv0>" */
  GHashTable *instances;     /* "<uid>/<container>" → instances started */
} FakeRuntime;

static void
fake_log (FakeRuntime *rt, const char *what, const KsPod *pod, const KsContainer *c)
{
  g_string_append_printf (rt->log, "%s%s %s%s%s", rt->log->len ? "; " : "", what,
                          pod->parent.meta.name, c != NULL ? "/" : "", c != NULL ? c->name : "");
}

/* Events go on with a containerID per instance, as real runtimes report them:
 * "fake://<container>-<n>", n counting the container's starts from 0. */
static void
fake_forward (const KsContainerEvent *event, gpointer data)
{
  FakeRuntime *rt = data;
  KsContainerEvent copy = *event;
  char uid[KS_UID_STRING_LEN];
  char *key = g_strdup_printf ("%s/%s", ks_uid_to_string (&event->pod_uid, uid), event->container);
  gint n = GPOINTER_TO_INT (g_hash_table_lookup (rt->instances, key));
  g_autofree char *id = NULL;

  if (event->type == KS_CONTAINER_STARTED)
    n++;
  g_hash_table_replace (rt->instances, key, GINT_TO_POINTER (n));
  id = g_strdup_printf ("fake://%s-%d", event->container, n - 1);
  copy.container_id = id;
  if (rt->parent.notify != NULL)
    rt->parent.notify (&copy, rt->parent.notify_data);
}

static gboolean
fake_create (KsRuntime *self, const KsPod *pod, const KsContainer *c, gboolean init, GError **error)
{
  FakeRuntime *rt = (FakeRuntime *) self;
  const char *message;

  fake_log (rt, "create", pod, c);
  if (g_hash_table_contains (rt->missing, c->image))
    {
      g_set_error (error, KS_RUNTIME_ERROR, KS_RUNTIME_ERROR_IMAGE_NOT_FOUND,
                   "image \"%s\" not found in the image store", c->image);
      return FALSE;
    }
  if ((message = g_hash_table_lookup (rt->create_errors, c->image)) != NULL)
    {
      g_set_error (error, KS_RUNTIME_ERROR, KS_RUNTIME_ERROR_CREATE, "%s", message);
      return FALSE;
    }
  return rt->inner->ops->create (rt->inner, pod, c, init, error);
}

static gboolean
fake_start (KsRuntime *self, const KsPod *pod, const KsContainer *c, gboolean init, GError **error)
{
  FakeRuntime *rt = (FakeRuntime *) self;
  const char *message = g_hash_table_lookup (rt->start_errors, c->image);

  if (message != NULL)
    {
      g_set_error (error, KS_RUNTIME_ERROR, KS_RUNTIME_ERROR_START, "%s", message);
      return FALSE;
    }
  return rt->inner->ops->start (rt->inner, pod, c, init, error);
}

static void
fake_stop (KsRuntime *self, const KsPod *pod, const KsContainer *c, gboolean init, gint64 grace)
{
  FakeRuntime *rt = (FakeRuntime *) self;
  g_autofree char *what = g_strdup_printf ("stop(%" G_GINT64_FORMAT ")", grace / KS_USEC_PER_SEC);

  fake_log (rt, what, pod, c);
  rt->inner->ops->stop (rt->inner, pod, c, init, grace);
}

static void
fake_remove (KsRuntime *self, const KsPod *pod, const KsContainer *c, gboolean init)
{
  FakeRuntime *rt = (FakeRuntime *) self;

  fake_log (rt, "remove", pod, c);
  rt->inner->ops->remove (rt->inner, pod, c, init);
}

static gboolean
fake_container_stats (KsRuntime *self, const KsPod *pod, const KsContainer *c, gboolean init,
                      KsStats *out)
{
  FakeRuntime *rt = (FakeRuntime *) self;
  return rt->inner->ops->container_stats (rt->inner, pod, c, init, out);
}

static void
fake_kill_all (KsRuntime *self)
{
  FakeRuntime *rt = (FakeRuntime *) self;
  rt->inner->ops->kill_all (rt->inner);
}

static char *
fake_sandbox_create (KsRuntime *self, const KsPod *pod, GError **error)
{
  FakeRuntime *rt = (FakeRuntime *) self;

  fake_log (rt, "sandbox_create", pod, NULL);
  if (rt->sandbox_failures > 0)
    {
      rt->sandbox_failures--;
      g_set_error (error, KS_RUNTIME_ERROR, KS_RUNTIME_ERROR_SANDBOX,
                   "no address left in 10.244.1.0/24");
      return NULL;
    }
  return g_strdup_printf ("10.244.1.%u", 2 + rt->n_ips++);
}

static void
fake_sandbox_remove (KsRuntime *self, const KsPod *pod)
{
  fake_log ((FakeRuntime *) self, "sandbox_remove", pod, NULL);
}

typedef struct
{
  KsExecDoneFunc done;
  gpointer user_data;
  gint code;
} ExecAnswer;

static void
exec_answer (gpointer data)
{
  ExecAnswer *a = data;
  a->done (a->code, a->code == 0 ? NULL : "cat: can't open '/tmp/ready': No such file",
           a->user_data);
}

static void
fake_exec (KsRuntime *self, const KsPod *pod, const KsContainer *c, const char *const *argv,
           gint64 timeout, KsExecDoneFunc done, gpointer user_data)
{
  FakeRuntime *rt = (FakeRuntime *) self;
  ExecAnswer *a = g_new (ExecAnswer, 1);

  g_ptr_array_add (rt->exec_calls,
                   g_strdup_printf ("%" G_GINT64_FORMAT " %s %s",
                                    ks_clock_now (rt->clock) / KS_USEC_PER_SEC, c->name, argv[0]));
  a->done = done;
  a->user_data = user_data;
  a->code = g_hash_table_contains (rt->exec_fail, c->name) ? 1 : 0;
  ks_clock_schedule (rt->clock, ks_clock_now (rt->clock), exec_answer, a, g_free);
}

static void
fake_free (KsRuntime *self)
{
  FakeRuntime *rt = (FakeRuntime *) self;

  ks_runtime_free (rt->inner);
  g_string_free (rt->log, TRUE);
  g_hash_table_unref (rt->missing);
  g_hash_table_unref (rt->create_errors);
  g_hash_table_unref (rt->start_errors);
  g_hash_table_unref (rt->exec_fail);
  g_ptr_array_unref (rt->exec_calls);
  g_hash_table_unref (rt->instances);
  g_free (rt);
}

static const KsRuntimeOps fake_runtime_ops = {
  .create = fake_create,
  .start = fake_start,
  .stop = fake_stop,
  .remove = fake_remove,
  .container_stats = fake_container_stats,
  .kill_all = fake_kill_all,
  .sandbox_create = fake_sandbox_create,
  .sandbox_remove = fake_sandbox_remove,
  .exec = fake_exec,
  .free = fake_free,
};

static FakeRuntime *
fake_runtime_new (KsClock *clock)
{
  FakeRuntime *rt = g_new0 (FakeRuntime, 1);

  rt->parent.ops = &fake_runtime_ops;
  rt->clock = clock;
  rt->inner = ks_sim_runtime_new (clock, 1 * SEC);
  ks_runtime_set_notify (rt->inner, fake_forward, rt);
  rt->log = g_string_new (NULL);
  rt->missing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  rt->create_errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  rt->start_errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  rt->exec_fail = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  rt->exec_calls = g_ptr_array_new_with_free_func (g_free);
  rt->instances = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return rt;
}

typedef struct _FakeProber
{
  KsProber parent;
  KsClock *clock;
  GHashTable *unhealthy; /* "<container>/<Kind>" */
  GPtrArray *calls;      /* "<time s> <container> <Kind> <http|tcp> <host>:<port><path>" */
  guint pending;         /* answers not yet given */
} FakeProber;

typedef struct
{
  FakeProber *prober;
  KsProbeDoneFunc done;
  gpointer user_data;
  gboolean success;
  gboolean called;
  char *output;
} ProbeAnswer;

static void
probe_answer_run (gpointer data)
{
  ProbeAnswer *a = data;
  a->called = TRUE;
  a->prober->pending--;
  a->done (a->success, a->output, a->user_data);
}

static void
probe_answer_free (gpointer data)
{
  ProbeAnswer *a = data;
  if (!a->called)
    a->done (FALSE, "cancelled", a->user_data);
  g_free (a->output);
  g_free (a);
}

static void
fake_probe (FakeProber *p, const char *how, const KsProbeRequest *req, KsProbeDoneFunc done,
            gpointer user_data)
{
  ProbeAnswer *a = g_new0 (ProbeAnswer, 1);
  g_autofree char *key
      = g_strdup_printf ("%s/%s", req->container->name, ks_probe_kind_name (req->kind));

  g_ptr_array_add (
      p->calls, g_strdup_printf ("%" G_GINT64_FORMAT " %s %s %s %s:%d%s",
                                 ks_clock_now (p->clock) / KS_USEC_PER_SEC, req->container->name,
                                 ks_probe_kind_name (req->kind), how,
                                 req->host != NULL ? req->host : "-", req->port,
                                 req->probe->handler == KS_PROBE_HTTP_GET ? req->probe->path : ""));
  g_assert_cmpint (req->timeout, ==, req->probe->timeout_seconds * SEC);
  a->prober = p;
  a->done = done;
  a->user_data = user_data;
  a->success = !g_hash_table_contains (p->unhealthy, key);
  if (!a->success && req->probe->handler == KS_PROBE_TCP_SOCKET)
    a->output
        = g_strdup_printf ("dial tcp %s:%d: connect: connection refused", req->host, req->port);
  else if (!a->success)
    a->output = g_strdup ("HTTP probe failed with statuscode: 503");
  p->pending++;
  ks_clock_schedule (p->clock, ks_clock_now (p->clock), probe_answer_run, a, probe_answer_free);
}

static void
fake_http_get (KsProber *self, const KsProbeRequest *req, KsProbeDoneFunc done, gpointer user_data)
{
  fake_probe ((FakeProber *) self, "http", req, done, user_data);
}

static void
fake_tcp (KsProber *self, const KsProbeRequest *req, KsProbeDoneFunc done, gpointer user_data)
{
  fake_probe ((FakeProber *) self, "tcp", req, done, user_data);
}

static void
fake_prober_free (KsProber *self)
{
  FakeProber *p = (FakeProber *) self;
  g_hash_table_unref (p->unhealthy);
  g_ptr_array_unref (p->calls);
  g_free (p);
}

static const KsProberOps fake_prober_ops = {
  .http_get = fake_http_get,
  .tcp = fake_tcp,
  .free = fake_prober_free,
};

static FakeProber *
fake_prober_new (KsClock *clock)
{
  FakeProber *p = g_new0 (FakeProber, 1);

  p->parent.ops = &fake_prober_ops;
  p->clock = clock;
  p->unhealthy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  p->calls = g_ptr_array_new_with_free_func (g_free);
  return p;
}

static void
set_healthy (Fixture *f, const char *container, KsProbeKind kind, gboolean healthy)
{
  char *key = g_strdup_printf ("%s/%s", container, ks_probe_kind_name (kind));

  if (healthy)
    {
      g_hash_table_remove (f->prober->unhealthy, key);
      g_free (key);
    }
  else
    g_hash_table_add (f->prober->unhealthy, key);
}

/* The whole seconds at which the prober was called for container's probe of this kind, space
 * separated ("6 9 12"). */
static char *
probe_times (Fixture *f, const char *container, KsProbeKind kind)
{
  GString *out = g_string_new (NULL);
  g_autofree char *match = g_strdup_printf (" %s %s ", container, ks_probe_kind_name (kind));

  for (guint i = 0; i < f->prober->calls->len; i++)
    {
      const char *call = g_ptr_array_index (f->prober->calls, i);
      if (strstr (call, match) != NULL)
        g_string_append_printf (out, "%s%.*s", out->len ? " " : "", (int) strcspn (call, " "),
                                call);
    }
  return g_string_free (out, FALSE);
}

/* The whole seconds of the events with this reason about pod name whose message starts with
 * prefix (NULL: any). */
static char *
event_times (Fixture *f, const char *reason, const char *name, const char *prefix)
{
  g_autoptr (GPtrArray) list = events (f, reason, name);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < list->len; i++)
    {
      KsTestRecord *r = g_ptr_array_index (list, i);
      if (prefix == NULL || g_str_has_prefix (r->message, prefix))
        g_string_append_printf (out, "%s%" G_GINT64_FORMAT, out->len ? " " : "", r->time / SEC);
    }
  return g_string_free (out, FALSE);
}

/* "0 10 30 ...": the times a series of whole seconds gives, for comparisons. */
static char *
seconds (const gint64 *times, guint n)
{
  GString *out = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, "%s%" G_GINT64_FORMAT, i ? " " : "", times[i]);
  return g_string_free (out, FALSE);
}

static void
fake_fixture_setup (Fixture *f, gconstpointer data)
{
  f->sim = ks_sim_clock_new ();
  f->clock = ks_sim_clock_get_clock (f->sim);
  f->store = ks_store_new (f->clock, 1);
  f->client = ks_store_client_new (f->store);
  ks_test_sink_init (&f->sink);
  ks_test_create (f->store, KS_OBJECT (ks_namespace_new ("default")));
  ks_test_create (f->store, KS_OBJECT (node_new (NODE, 2000, 110)));
  f->fake = fake_runtime_new (f->clock);
  f->runtime = &f->fake->parent;
  f->prober = fake_prober_new (f->clock);
  f->kubelet = ks_kubelet_new (f->client, f->clock, f->runtime, &f->sink.parent, NODE);
  ks_kubelet_set_prober (f->kubelet, &f->prober->parent);
}

/* A container that ends now: the modelled runtime kills it (exit 137). */
static void
crash (Fixture *f, const char *pod_name, const char *container, gboolean init)
{
  KsPod *pod = must_get_pod (f, pod_name);
  const KsPodSpec *spec = pod->spec;
  guint n = init ? spec->n_init_containers : spec->n_containers;
  KsRuntime *inner = f->fake->inner;

  for (guint i = 0; i < n; i++)
    {
      const KsContainer *c = init ? &spec->init_containers[i] : &spec->containers[i];
      if (strcmp (c->name, container) == 0)
        {
          inner->ops->stop (inner, pod, c, init, 0);
          return;
        }
    }
  g_assert_not_reached ();
}

static const KsContainerStatus *
init_status (Fixture *f, const char *name, guint i)
{
  KsPod *pod = must_get_pod (f, name);

  g_assert_nonnull (ks_pod_init_container_statuses (pod));
  return &ks_pod_init_container_statuses (pod)[i];
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
  g_assert_nonnull (ks_pod_init_container_statuses (pod));
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpint (ks_pod_init_container_statuses (pod)[i].state, ==, KS_CONTAINER_WAITING);
      g_assert_cmpstr (ks_pod_init_container_statuses (pod)[i].reason, ==, "PodInitializing");
    }

  /* 1 s: init-a ran and completed; init-b is starting. */
  run_to (f, 1 * SEC);
  pod = must_get_pod (f, "init");
  assert_phase (f, "init", KS_POD_PENDING);
  g_assert_cmpint (ks_pod_init_container_statuses (pod)[0].state, ==, KS_CONTAINER_TERMINATED);
  g_assert_cmpint (ks_pod_init_container_statuses (pod)[0].exit_code, ==, 0);
  g_assert_cmpstr (ks_pod_init_container_statuses (pod)[0].reason, ==, "Completed");
  g_assert_cmpint (ks_pod_init_container_statuses (pod)[0].started_at, ==, 1 * SEC);
  g_assert_cmpint (ks_pod_init_container_statuses (pod)[0].finished_at, ==, 1 * SEC);
  /* prober_manager: an init container that exited 0 is ready. */
  g_assert_cmpint (ks_pod_init_container_statuses (pod)[0].ready, ==, TRUE);
  g_assert_cmpint (ks_pod_init_container_statuses (pod)[1].state, ==, KS_CONTAINER_WAITING);
  assert_condition (pod, KS_POD_COND_INITIALIZED, KS_CONDITION_FALSE, "ContainersNotInitialized",
                    "containers with incomplete status: [init-b]");
  g_assert_cmpint (pod->container_statuses[0].state, ==, KS_CONTAINER_WAITING);
  g_assert_cmpuint (n_events (f, "Started", "init"), ==, 1);

  /* 2 s: init done; main is starting. */
  run_to (f, 2 * SEC);
  pod = must_get_pod (f, "init");
  assert_phase (f, "init", KS_POD_PENDING);
  g_assert_cmpint (ks_pod_init_container_statuses (pod)[1].state, ==, KS_CONTAINER_TERMINATED);
  g_assert_cmpint (ks_pod_init_container_statuses (pod)[1].ready, ==, TRUE);
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

/* ---- OOMKilled and the crash rate (sim/ks-sim-runtime) ------------------------------------------
 */

/* A container whose memory usage (512Mi) exceeds its limit (256Mi) is OOMKilled (137) as soon as
 * it runs, and restarted as any failed container: 1 s start-up, exit 1 → restart at once, running
 * 2, exit 2 → back-off 10 s, running 13, exit 13 → 20 s, running 34 → 40 s, running 75. */
static void
test_oom_at_start (Fixture *f, gconstpointer data)
{
  static const gint64 running[] = { 1, 2, 13, 34, 75 };
  static const char *const words[] = { "10s", "20s", "40s" };
  g_autoptr (GPtrArray) started = NULL;
  g_autofree char *ref = NULL;
  const KsContainerStatus *s;

  create_pod_full (f, "oom", "Always", "kubesim.io/memory-usage: 512Mi", NULL,
                   "[{name: main, image: busybox, resources: {limits: {memory: 256Mi}}}]", NODE);
  run_to (f, 0);
  ref = pod_ref (f, "oom");
  run_to (f, 1 * SEC);
  s = main_status (f, "oom");
  g_assert_cmpint (s->restart_count, ==, 1);
  g_assert_cmpint (s->last_exit_code, ==, 137);
  g_assert_cmpstr (s->last_reason, ==, "OOMKilled");
  g_assert_cmpint (s->last_finished_at, ==, 1 * SEC);
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      g_autofree char *expect
          = g_strdup_printf ("back-off %s restarting failed container=main pod=%s", words[i], ref);
      run_to (f, running[i + 1] * SEC);
      s = main_status (f, "oom");
      g_assert_cmpint (s->state, ==, KS_CONTAINER_WAITING);
      g_assert_cmpstr (s->reason, ==, "CrashLoopBackOff");
      g_assert_cmpstr (s->message, ==, expect);
      g_assert_cmpint (s->last_exit_code, ==, 137);
      g_assert_cmpstr (s->last_reason, ==, "OOMKilled");
      g_assert_cmpint (s->last_finished_at, ==, running[i + 1] * SEC);
    }
  run_to (f, 75 * SEC);
  started = events (f, "Started", "oom");
  g_assert_cmpuint (started->len, ==, G_N_ELEMENTS (running));
  for (guint i = 0; i < G_N_ELEMENTS (running); i++)
    g_assert_cmpint (((KsTestRecord *) g_ptr_array_index (started, i))->time, ==, running[i] * SEC);
}

/* kubesim.io/memory-growth: 30Mi/1s from nothing against a 100Mi limit: over the limit at the
 * first µs after 100/30 s, floor(3333333.33) + 1 = 3333334 µs after each start.  Running at 1 s:
 * OOMKilled at 4.333334 s, restarted at once (running at 5.333334 s, its usage from 0 again),
 * killed again at 8.666668 s, then CrashLoopBackOff.  The working set grows with the time since
 * the instance started. */
static void
test_oom_growth (Fixture *f, gconstpointer data)
{
  const KsContainerStatus *s;
  KsStats stats;
  KsPod *pod;

  create_pod_full (f, "leak", "Always", "kubesim.io/memory-growth: 30Mi/1s", NULL,
                   "[{name: main, image: busybox, resources: {limits: {memory: 100Mi}}}]", NODE);
  run_to (f, 2 * SEC);
  pod = must_get_pod (f, "leak");
  g_assert_true (
      f->runtime->ops->container_stats (f->runtime, pod, &pod->spec->containers[0], FALSE, &stats));
  g_assert_cmpuint (stats.working_set, ==, 30 * 1024 * 1024);
  run_to (f, 4333334 - 1);
  g_assert_cmpint (main_status (f, "leak")->state, ==, KS_CONTAINER_RUNNING);
  run_to (f, 4333334);
  s = main_status (f, "leak");
  g_assert_cmpint (s->restart_count, ==, 1);
  g_assert_cmpint (s->last_exit_code, ==, 137);
  g_assert_cmpstr (s->last_reason, ==, "OOMKilled");
  g_assert_cmpint (s->last_finished_at, ==, 4333334);
  run_to (f, 5333334);
  g_assert_cmpint (main_status (f, "leak")->state, ==, KS_CONTAINER_RUNNING);
  run_to (f, 8666668 - 1);
  g_assert_cmpint (main_status (f, "leak")->state, ==, KS_CONTAINER_RUNNING);
  run_to (f, 8666668);
  s = main_status (f, "leak");
  g_assert_cmpstr (s->reason, ==, "CrashLoopBackOff");
  g_assert_cmpstr (s->last_reason, ==, "OOMKilled");
  g_assert_cmpint (s->last_finished_at, ==, 8666668);
}

/* restartPolicy Never: the pod fails with the container terminated, OOMKilled, 137.  At or under
 * the limit a container runs; the pod's usage is shared by its two containers (300Mi each against
 * limits of 300Mi and 200Mi: only the second is killed). */
static void
test_oom_never_and_share (Fixture *f, gconstpointer data)
{
  const KsContainerStatus *s;
  const KsPod *pod;

  create_pod_full (f, "oom", "Never", "kubesim.io/memory-usage: 1Gi", NULL,
                   "[{name: main, image: busybox, resources: {limits: {memory: 512Mi}}}]", NODE);
  create_pod_full (f, "fits", "Never", "kubesim.io/memory-usage: 512Mi", NULL,
                   "[{name: main, image: busybox, resources: {limits: {memory: 512Mi}}}]", NODE);
  create_pod_full (f, "two", "Never", "kubesim.io/memory-usage: 600Mi", NULL,
                   "[{name: a, image: busybox, resources: {limits: {memory: 300Mi}}},"
                   " {name: b, image: busybox, resources: {limits: {memory: 200Mi}}}]",
                   NODE);
  run_to (f, 5 * SEC);
  s = main_status (f, "oom");
  g_assert_cmpint (s->state, ==, KS_CONTAINER_TERMINATED);
  g_assert_cmpstr (s->reason, ==, "OOMKilled");
  g_assert_cmpint (s->exit_code, ==, 137);
  assert_phase (f, "oom", KS_POD_FAILED);
  g_assert_cmpint (main_status (f, "fits")->state, ==, KS_CONTAINER_RUNNING);
  assert_phase (f, "fits", KS_POD_RUNNING);
  /* Statuses in the spec's order: a, then b. */
  pod = must_get_pod (f, "two");
  g_assert_cmpint (pod->container_statuses[0].state, ==, KS_CONTAINER_RUNNING);
  s = &pod->container_statuses[1];
  g_assert_cmpint (s->state, ==, KS_CONTAINER_TERMINATED);
  g_assert_cmpstr (s->reason, ==, "OOMKilled");
  g_assert_cmpint (s->exit_code, ==, 137);
}

/* A runtime on its own, whose one container is started again as soon as it exits; the exit
 * times are recorded. */
typedef struct
{
  KsRuntime *rt;
  KsClock *clock;
  KsPod *pod;
  GArray *exits; /* gint64 */
  guint max;
} CrashRun;

static void
crash_notify (const KsContainerEvent *event, gpointer data)
{
  CrashRun *r = data;
  gint64 now = ks_clock_now (r->clock);

  if (event->type != KS_CONTAINER_EXITED)
    return;
  g_assert_cmpint (event->exit_code, ==, 3);
  g_assert_cmpstr (event->reason, ==, "Error");
  g_array_append_val (r->exits, now);
  if (r->exits->len < r->max)
    {
      g_assert_true (r->rt->ops->create (r->rt, r->pod, &r->pod->spec->containers[0], FALSE, NULL));
      g_assert_true (r->rt->ops->start (r->rt, r->pod, &r->pod->spec->containers[0], FALSE, NULL));
    }
}

/* The exit times of n crashes of a container with crash rate 60/h (mean 60 s) under seed. */
static GArray *
crash_times (guint64 seed, guint n)
{
  KsSimClock *sim = ks_sim_clock_new ();
  CrashRun r = { 0 };

  r.clock = ks_sim_clock_get_clock (sim);
  r.rt = ks_sim_runtime_new (r.clock, 0);
  ks_sim_runtime_set_seed (r.rt, seed);
  r.pod = KS_POD (ks_test_decode ("apiVersion: v1\n"
                                  "kind: Pod\n"
                                  "metadata:\n"
                                  "  name: flaky\n"
                                  "  annotations: {kubesim.io/crash-rate: \"60\", "
                                  "kubesim.io/exit-code: \"3\"}\n"
                                  "spec:\n"
                                  "  containers: [{name: main, image: busybox}]\n"));
  r.exits = g_array_new (FALSE, FALSE, sizeof (gint64));
  r.max = n;
  ks_runtime_set_notify (r.rt, crash_notify, &r);
  g_assert_true (r.rt->ops->create (r.rt, r.pod, &r.pod->spec->containers[0], FALSE, NULL));
  g_assert_true (r.rt->ops->start (r.rt, r.pod, &r.pod->spec->containers[0], FALSE, NULL));
  ks_test_run_to (sim, G_MAXINT64 / 2, 10 * (guint64) n + 10);
  g_assert_cmpuint (r.exits->len, ==, n);
  ks_runtime_free (r.rt);
  ks_object_unref (KS_OBJECT (r.pod));
  ks_sim_clock_free (sim);
  return r.exits;
}

/* One seed gives the same crash times, another seed other ones; over 2000 crashes at 60/h the
 * mean time between crashes is 60 s (the standard error of the mean is 60/√2000 ≈ 1.3 s: the
 * ±6 s bound is more than 4 of them, and the seeds are fixed). */
static void
test_crash_rate (void)
{
  g_autoptr (GArray) a = crash_times (7, 2000);
  g_autoptr (GArray) b = crash_times (7, 2000);
  g_autoptr (GArray) c = crash_times (8, 2000);
  gint64 prev = 0;
  gdouble sum = 0;
  gboolean differ = FALSE;

  for (guint i = 0; i < a->len; i++)
    {
      gint64 t = g_array_index (a, gint64, i);
      g_assert_cmpint (t, ==, g_array_index (b, gint64, i));
      differ = differ || t != g_array_index (c, gint64, i);
      g_assert_cmpint (t, >=, prev);
      sum += (gdouble) (t - prev);
      prev = t;
    }
  g_assert_true (differ);
  g_test_message ("mean time between crashes: %.3f s", sum / a->len / SEC);
  g_assert_cmpfloat (sum / a->len / SEC, >, 54.0);
  g_assert_cmpfloat (sum / a->len / SEC, <, 66.0);
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

/* ---- the pod sandbox ---------------------------------------------------------------------------
 */

/* The sandbox is made once, before the pod's first container; its IP is in status.podIP from
 * the status write that starts the pod.  A restart keeps it.  A pod that ends has its
 * containers removed and then its sandbox (its IP stays in the status, as in Kubernetes); a
 * deleted pod likewise once its containers have stopped. */
static void
test_sandbox_ip (Fixture *f, gconstpointer data)
{
  PodTrace trace = { .name = "web", .clock = f->clock, .deleted_at = -1 };
  guint watch;
  KsPod *pod;

  create_pod (f, "web", "Always", "kubesim.io/duration: 5s, kubesim.io/exit-code: \"1\"");
  create_pod (f, "job", "Never", "kubesim.io/duration: 5s");
  watch
      = ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), NULL, FALSE, trace_pod, &trace, NULL);
  run_to (f, 0);
  pod = must_get_pod (f, "web");
  g_assert_cmpstr (ks_pod_get_status_string (pod, KS_POD_POD_IP), ==, "10.244.1.2");
  g_assert_cmpstr (ks_pod_get_status_string (pod, KS_POD_HOST_IP), ==, "10.0.0.1");
  g_assert_cmpint (pod->start_time, ==, 0);
  g_assert_cmpstr (main_status (f, "web")->reason, ==, "ContainerCreating");
  g_assert_cmpstr (ks_pod_get_status_string (must_get_pod (f, "job"), KS_POD_POD_IP), ==,
                   "10.244.1.3");
  g_assert_cmpstr (f->fake->log->str, ==,
                   "sandbox_create web; create web/main; sandbox_create job; create job/main");

  /* 6 s: web exits 1 and is restarted in its sandbox; job has succeeded: its container is
   * removed, then its sandbox. */
  run_to (f, 6 * SEC);
  assert_phase (f, "job", KS_POD_SUCCEEDED);
  g_assert_cmpstr (f->fake->log->str, ==,
                   "sandbox_create web; create web/main; sandbox_create job; create job/main; "
                   "create web/main; remove job/main; sandbox_remove job");
  g_assert_cmpstr (ks_pod_get_status_string (must_get_pod (f, "job"), KS_POD_POD_IP), ==,
                   "10.244.1.3");
  run_to (f, 7 * SEC);
  g_assert_cmpint (main_status (f, "web")->state, ==, KS_CONTAINER_RUNNING);
  g_assert_cmpint (main_status (f, "web")->restart_count, ==, 1);
  g_assert_cmpstr (ks_pod_get_status_string (must_get_pod (f, "web"), KS_POD_POD_IP), ==,
                   "10.244.1.2");

  /* Deleted at 10 s (grace 30 s): the container ends on its own at 12 s, then it is removed and
   * the sandbox goes; deleting the finished job removes nothing more. */
  run_to (f, 10 * SEC);
  delete_pod (f, "web", -1);
  delete_pod (f, "job", -1);
  run_to (f, 12 * SEC - 1);
  g_assert_nonnull (get_pod (f, "web"));
  g_assert_null (get_pod (f, "job"));
  run_to (f, 12 * SEC);
  g_assert_null (get_pod (f, "web"));
  g_assert_cmpint (trace.deleted_at, ==, 12 * SEC);
  g_assert_true (g_str_has_suffix (f->fake->log->str,
                                   "create web/main; remove job/main; sandbox_remove job; "
                                   "stop(30) web/main; remove web/main; sandbox_remove web"));
  ks_store_unwatch (f->store, watch);
  trace_clear (&trace);
}

/* A sandbox that cannot be made: FailedCreatePodSandBox, and the pod's next sync (10 s later)
 * tries again; no container is created before the sandbox exists.  A pod deleted meanwhile
 * goes at once and is not tried again. */
static void
test_sandbox_retry (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) failed = NULL;
  g_autofree char *times = NULL;
  KsPod *pod;

  f->fake->sandbox_failures = 2;
  create_pod (f, "web", "Always", "");
  run_to (f, 0);
  pod = must_get_pod (f, "web");
  assert_phase (f, "web", KS_POD_PENDING);
  g_assert_null (ks_pod_get_status_string (pod, KS_POD_POD_IP));
  g_assert_cmpstr (ks_pod_get_status_string (pod, KS_POD_HOST_IP), ==, "10.0.0.1");
  g_assert_cmpstr (main_status (f, "web")->reason, ==, "ContainerCreating");
  failed = events (f, "FailedCreatePodSandBox", "web");
  g_assert_cmpuint (failed->len, ==, 1);
  assert_event (g_ptr_array_index (failed, 0), 0, TRUE, "FailedCreatePodSandBox", "web",
                "Failed to create pod sandbox: no address left in 10.244.1.0/24");
  g_assert_cmpstr (f->fake->log->str, ==, "sandbox_create web");

  run_to (f, 20 * SEC - 1);
  times = event_times (f, "FailedCreatePodSandBox", "web", NULL);
  g_assert_cmpstr (times, ==, "0 10");
  g_assert_cmpstr (f->fake->log->str, ==, "sandbox_create web; sandbox_create web");
  run_to (f, 20 * SEC);
  g_assert_cmpstr (ks_pod_get_status_string (must_get_pod (f, "web"), KS_POD_POD_IP), ==,
                   "10.244.1.2");
  g_assert_cmpstr (f->fake->log->str, ==,
                   "sandbox_create web; sandbox_create web; sandbox_create web; create web/main");
  assert_phase (f, "web", KS_POD_PENDING);
  run_to (f, 21 * SEC);
  assert_phase (f, "web", KS_POD_RUNNING);
  g_clear_pointer (&times, g_free);
  times = event_times (f, "Created", "web", NULL);
  g_assert_cmpstr (times, ==, "21");

  f->fake->sandbox_failures = 100;
  g_string_truncate (f->fake->log, 0);
  create_pod (f, "gone", "Always", "");
  run_to (f, 35 * SEC);
  delete_pod (f, "gone", -1);
  run_to (f, 35 * SEC);
  g_assert_null (get_pod (f, "gone"));
  run_to (f, 100 * SEC);
  g_assert_cmpstr (f->fake->log->str, ==,
                   "sandbox_create gone; sandbox_create gone; remove gone/main");
}

/* ---- image and create errors -------------------------------------------------------------------
 */

/* A missing image: ErrImagePull, then the image back-off (per pod and image, 10 s doubling to
 * 300 s from each failed pull), seen at the pod's syncs every 10 s after an error:
 *   pull fails at 0 → back-off (10, 0); sync 10: 10 ≥ 10, pull fails → (20, 10);
 *   sync 20: 10 < 20: ImagePullBackOff; 30: pull → (40, 30); 40, 50, 60: back-off; 70: pull →
 *   (80, 70); 80..140: back-off; 150: pull → (160, 150); 160..300: back-off; 310: pull → (300,
 *   310) capped; 320..600: back-off; 610: pull → (300, 610); 620..900: back-off; 910: pull.
 * The image appears at 700 s: the pull at 910 s succeeds and the container runs at 911 s.  A
 * second container with the same image in another pod has its own back-off; two containers of
 * one pod share theirs: the second one is in back-off at once. */
/* The containerID of the encoded status at path ("state.terminated.containerID"), or NULL. */
static char *
encoded_container_id (Fixture *f, const char *name, const char *member, const char *state)
{
  g_autoptr (JsonNode) root = ks_object_encode (KS_OBJECT (must_get_pod (f, name)), 0);
  JsonObject *s = json_array_get_object_element (
      json_object_get_array_member (
          json_object_get_object_member (json_node_get_object (root), "status"),
          "containerStatuses"),
      0);
  JsonObject *o = json_object_get_object_member (s, member);

  if (state != NULL)
    o = json_object_has_member (o, state) ? json_object_get_object_member (o, state) : NULL;
  if (o == NULL || !json_object_has_member (o, "containerID"))
    return NULL;
  return g_strdup (json_object_get_string_member (o, "containerID"));
}

/* status.containerID names the instance that runs, or ran last (while waiting to restart and
 * once terminated), as the runtime reported it; the encoded status repeats it where Kubernetes
 * does. */
static void
test_container_id (Fixture *f, gconstpointer data)
{
  g_autofree char *id = NULL;

  create_pod (f, "crashy", "Always", "kubesim.io/duration: 5s, kubesim.io/exit-code: \"1\"");
  create_pod (f, "once", "Never", "kubesim.io/duration: 2s");
  run_to (f, 0);
  g_assert_null (main_status (f, "crashy")->container_id); /* being created */
  run_to (f, 1 * SEC);
  g_assert_cmpstr (main_status (f, "crashy")->container_id, ==, "fake://main-0");
  g_assert_null ((id = encoded_container_id (f, "crashy", "lastState", "terminated")));
  /* 6 s: it exited; restarting (ContainerCreating) names the instance that ended. */
  run_to (f, 6 * SEC);
  g_assert_cmpint (main_status (f, "crashy")->state, ==, KS_CONTAINER_WAITING);
  g_assert_cmpstr (main_status (f, "crashy")->container_id, ==, "fake://main-0");
  id = encoded_container_id (f, "crashy", "lastState", "terminated");
  g_assert_cmpstr (id, ==, "fake://main-0");
  g_clear_pointer (&id, g_free);
  /* 7 s: the next instance runs; lastState's ID is not kept. */
  run_to (f, 7 * SEC);
  g_assert_cmpint (main_status (f, "crashy")->state, ==, KS_CONTAINER_RUNNING);
  g_assert_cmpstr (main_status (f, "crashy")->container_id, ==, "fake://main-1");
  g_assert_null ((id = encoded_container_id (f, "crashy", "lastState", "terminated")));
  /* 12 s: in CrashLoopBackOff, still the last instance. */
  run_to (f, 12 * SEC);
  g_assert_cmpstr (main_status (f, "crashy")->reason, ==, "CrashLoopBackOff");
  g_assert_cmpstr (main_status (f, "crashy")->container_id, ==, "fake://main-1");
  /* A terminated container: its state carries the ID too. */
  g_assert_cmpint (main_status (f, "once")->state, ==, KS_CONTAINER_TERMINATED);
  g_assert_cmpstr (main_status (f, "once")->container_id, ==, "fake://main-0");
  id = encoded_container_id (f, "once", "state", "terminated");
  g_assert_cmpstr (id, ==, "fake://main-0");
  g_clear_pointer (&id, g_free);
  id = encoded_container_id (f, "once", "state", NULL);
  g_assert_null (id);
}

static void
test_image_pull_backoff (Fixture *f, gconstpointer data)
{
  static const gint64 pulls[] = { 0, 10, 30, 70, 150, 310, 610 };
  g_autoptr (GString) backoffs = g_string_new (NULL);
  g_autofree char *expect_pulls = seconds (pulls, G_N_ELEMENTS (pulls));
  g_autofree char *times = NULL;
  g_autoptr (GPtrArray) failed = NULL;
  g_autoptr (GPtrArray) backoff = NULL;
  const KsContainerStatus *s;

  g_hash_table_add (f->fake->missing, g_strdup ("ghost:1"));
  create_pod_full (f, "ghost", "Always", "", NULL, "[{name: main, image: \"ghost:1\"}]", NODE);
  create_pod_full (f, "twin", "Always", "", NULL,
                   "[{name: a, image: \"ghost:1\"}, {name: b, image: \"ghost:1\"}]", NODE);
  run_to (f, 0);
  s = main_status (f, "ghost");
  g_assert_cmpint (s->state, ==, KS_CONTAINER_WAITING);
  g_assert_cmpstr (s->reason, ==, "ErrImagePull");
  g_assert_cmpstr (s->message, ==, "image \"ghost:1\" not found in the image store");
  assert_phase (f, "ghost", KS_POD_PENDING);
  failed = events (f, "Failed", "ghost");
  g_assert_cmpuint (failed->len, ==, 2);
  assert_event (g_ptr_array_index (failed, 0), 0, TRUE, "Failed", "ghost",
                "Failed to pull image \"ghost:1\": image \"ghost:1\" not found in the image store");
  assert_event (g_ptr_array_index (failed, 1), 0, TRUE, "Failed", "ghost", "Error: ErrImagePull");
  /* twin: a pulls and fails; b's pull of the same image is in back-off already. */
  g_assert_cmpstr (must_get_pod (f, "twin")->container_statuses[0].reason, ==, "ErrImagePull");
  g_assert_cmpstr (must_get_pod (f, "twin")->container_statuses[1].reason, ==, "ImagePullBackOff");
  g_assert_cmpstr (must_get_pod (f, "twin")->container_statuses[1].message, ==,
                   "Back-off pulling image \"ghost:1\"");

  run_to (f, 20 * SEC - 1);
  g_assert_cmpstr (main_status (f, "ghost")->reason, ==, "ErrImagePull");
  run_to (f, 20 * SEC);
  s = main_status (f, "ghost");
  g_assert_cmpstr (s->reason, ==, "ImagePullBackOff");
  g_assert_cmpstr (s->message, ==, "Back-off pulling image \"ghost:1\"");
  backoff = events (f, "BackOff", "ghost");
  g_assert_cmpuint (backoff->len, ==, 1);
  assert_event (g_ptr_array_index (backoff, 0), 20 * SEC, FALSE, "BackOff", "ghost",
                "Back-off pulling image \"ghost:1\"");
  run_to (f, 30 * SEC);
  g_assert_cmpstr (main_status (f, "ghost")->reason, ==, "ErrImagePull");

  run_to (f, 700 * SEC);
  g_hash_table_remove (f->fake->missing, "ghost:1");
  run_to (f, 910 * SEC - 1);
  assert_phase (f, "ghost", KS_POD_PENDING);
  g_assert_cmpstr (main_status (f, "ghost")->reason, ==, "ImagePullBackOff");
  run_to (f, 910 * SEC);
  g_assert_cmpstr (main_status (f, "ghost")->reason, ==, "ContainerCreating");
  g_assert_null (main_status (f, "ghost")->message);
  run_to (f, 911 * SEC);
  assert_phase (f, "ghost", KS_POD_RUNNING);
  g_assert_cmpint (main_status (f, "ghost")->restart_count, ==, 0);

  times = event_times (f, "Failed", "ghost", "Failed to pull image");
  g_assert_cmpstr (times, ==, expect_pulls);
  g_clear_pointer (&times, g_free);
  times = event_times (f, "Failed", "ghost", "Error: ErrImagePull");
  g_assert_cmpstr (times, ==, expect_pulls);
  /* The syncs in back-off: 20; 40-60; 80-140; 160-300; 320-600; 620-900, every 10 s. */
  {
    static const gint64 ranges[][2]
        = { { 20, 20 }, { 40, 60 }, { 80, 140 }, { 160, 300 }, { 320, 600 }, { 620, 900 } };
    for (guint r = 0; r < G_N_ELEMENTS (ranges); r++)
      for (gint64 t = ranges[r][0]; t <= ranges[r][1]; t += 10)
        g_string_append_printf (backoffs, "%s%" G_GINT64_FORMAT, backoffs->len ? " " : "", t);
  }
  g_clear_pointer (&times, g_free);
  times = event_times (f, "BackOff", "ghost", NULL);
  g_assert_cmpstr (times, ==, backoffs->str);
  g_clear_pointer (&times, g_free);
  times = event_times (f, "Failed", "ghost", "Error: ImagePullBackOff");
  g_assert_cmpstr (times, ==, backoffs->str);
  g_assert_cmpuint (n_events (f, "Started", "ghost"), ==, 1);
}

/* imagePullPolicy Never and no image: ErrImageNeverPull at every sync (no back-off).  A create
 * that fails: CreateContainerError; a start that fails: RunContainerError; both retried at the
 * pod's next sync, 10 s later, until they work. */
static void
test_create_errors (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) list = NULL;
  g_autofree char *times = NULL;
  const KsContainerStatus *s;

  g_hash_table_add (f->fake->missing, g_strdup ("local:1"));
  g_hash_table_insert (f->fake->create_errors, g_strdup ("broken:1"),
                       g_strdup ("mount /data: no such file or directory"));
  g_hash_table_insert (f->fake->start_errors, g_strdup ("norun:1"),
                       g_strdup ("exec: \"/app\": permission denied"));
  create_pod_full (f, "never", "Always", "", NULL,
                   "[{name: main, image: \"local:1\", imagePullPolicy: Never}]", NODE);
  create_pod_full (f, "broken", "Always", "", NULL, "[{name: main, image: \"broken:1\"}]", NODE);
  create_pod_full (f, "norun", "Always", "", NULL, "[{name: main, image: \"norun:1\"}]", NODE);
  run_to (f, 0);

  s = main_status (f, "never");
  g_assert_cmpstr (s->reason, ==, "ErrImageNeverPull");
  g_assert_cmpstr (s->message, ==,
                   "Container image \"local:1\" is not present with pull policy of Never");
  list = events (f, "ErrImageNeverPull", "never");
  assert_event (g_ptr_array_index (list, 0), 0, TRUE, "ErrImageNeverPull", "never",
                "Container image \"local:1\" is not present with pull policy of Never");
  g_clear_pointer (&list, g_ptr_array_unref);
  list = events (f, "Failed", "never");
  g_assert_cmpuint (list->len, ==, 1);
  assert_event (g_ptr_array_index (list, 0), 0, TRUE, "Failed", "never",
                "Error: ErrImageNeverPull");

  s = main_status (f, "broken");
  g_assert_cmpstr (s->reason, ==, "CreateContainerError");
  g_assert_cmpstr (s->message, ==, "mount /data: no such file or directory");
  g_clear_pointer (&list, g_ptr_array_unref);
  list = events (f, "Failed", "broken");
  assert_event (g_ptr_array_index (list, 0), 0, TRUE, "Failed", "broken",
                "Error: mount /data: no such file or directory");

  s = main_status (f, "norun");
  g_assert_cmpstr (s->reason, ==, "RunContainerError");
  g_assert_cmpstr (s->message, ==, "exec: \"/app\": permission denied");
  g_clear_pointer (&list, g_ptr_array_unref);
  list = events (f, "Failed", "norun");
  assert_event (g_ptr_array_index (list, 0), 0, TRUE, "Failed", "norun",
                "Error: exec: \"/app\": permission denied");
  assert_phase (f, "never", KS_POD_PENDING);
  assert_phase (f, "broken", KS_POD_PENDING);
  assert_phase (f, "norun", KS_POD_PENDING);

  /* norun starts at its sync at 20 s, broken at 30 s. */
  run_to (f, 15 * SEC);
  g_hash_table_remove (f->fake->start_errors, "norun:1");
  run_to (f, 25 * SEC);
  g_hash_table_remove (f->fake->create_errors, "broken:1");
  run_to (f, 30 * SEC);
  g_assert_cmpstr (main_status (f, "broken")->reason, ==, "ContainerCreating");
  run_to (f, 31 * SEC);
  assert_phase (f, "broken", KS_POD_RUNNING);
  assert_phase (f, "norun", KS_POD_RUNNING);
  g_assert_cmpint (main_status (f, "norun")->started_at, ==, 21 * SEC);
  g_assert_cmpint (main_status (f, "broken")->started_at, ==, 31 * SEC);
  times = event_times (f, "Failed", "broken", NULL);
  g_assert_cmpstr (times, ==, "0 10 20");
  g_clear_pointer (&times, g_free);
  times = event_times (f, "Failed", "norun", NULL);
  g_assert_cmpstr (times, ==, "0 10");
  g_clear_pointer (&times, g_free);
  times = event_times (f, "ErrImageNeverPull", "never", NULL);
  g_assert_cmpstr (times, ==, "0 10 20 30");
  assert_phase (f, "never", KS_POD_PENDING);
}

/* ---- sidecar init containers -------------------------------------------------------------------
 */

/* Init containers [setup, proxy (restartPolicy Always), migrate], container app; 1 s start-up:
 * setup runs and completes at 1 s; proxy starts then and runs from 2 s, which lets migrate start
 * (it does not wait for proxy to exit); migrate completes at 3 s, app runs from 4 s.  proxy keeps
 * running, counted among the containers for readiness. */
static void
test_sidecar_order (Fixture *f, gconstpointer data)
{
  static const char *const started[][2]
      = { { "setup", "1" }, { "proxy", "2" }, { "migrate", "3" }, { "app", "4" } };
  g_autoptr (GPtrArray) list = NULL;
  const KsContainerStatus *s;
  KsPod *pod;

  create_pod_full (f, "mesh", "Always", "",
                   "[{name: setup, image: busybox}, {name: proxy, image: envoy, restartPolicy: "
                   "Always}, {name: migrate, image: busybox}]",
                   "[{name: app, image: nginx}]", NODE);
  run_to (f, 0);
  pod = must_get_pod (f, "mesh");
  assert_condition (pod, KS_POD_COND_INITIALIZED, KS_CONDITION_FALSE, "ContainersNotInitialized",
                    "containers with incomplete status: [setup proxy migrate]");
  assert_condition (pod, KS_POD_COND_READY, KS_CONDITION_FALSE, "ContainersNotReady",
                    "containers with unready status: [proxy app]");
  run_to (f, 1 * SEC);
  pod = must_get_pod (f, "mesh");
  assert_condition (pod, KS_POD_COND_INITIALIZED, KS_CONDITION_FALSE, "ContainersNotInitialized",
                    "containers with incomplete status: [proxy migrate]");
  g_assert_cmpint (init_status (f, "mesh", 1)->state, ==, KS_CONTAINER_WAITING);
  run_to (f, 2 * SEC);
  pod = must_get_pod (f, "mesh");
  assert_phase (f, "mesh", KS_POD_PENDING);
  s = init_status (f, "mesh", 1);
  g_assert_cmpint (s->state, ==, KS_CONTAINER_RUNNING);
  g_assert_cmpint (s->started, ==, TRUE);
  g_assert_cmpint (s->ready, ==, TRUE);
  assert_condition (pod, KS_POD_COND_INITIALIZED, KS_CONDITION_FALSE, "ContainersNotInitialized",
                    "containers with incomplete status: [migrate]");
  assert_condition (pod, KS_POD_COND_READY, KS_CONDITION_FALSE, "ContainersNotReady",
                    "containers with unready status: [app]");
  run_to (f, 3 * SEC);
  pod = must_get_pod (f, "mesh");
  assert_phase (f, "mesh", KS_POD_PENDING);
  assert_condition (pod, KS_POD_COND_INITIALIZED, KS_CONDITION_TRUE, NULL, NULL);
  g_assert_cmpint (pod->conditions[KS_POD_COND_INITIALIZED].last_transition_time, ==, 3 * SEC);
  g_assert_cmpint (init_status (f, "mesh", 2)->state, ==, KS_CONTAINER_TERMINATED);
  run_to (f, 4 * SEC);
  pod = must_get_pod (f, "mesh");
  assert_phase (f, "mesh", KS_POD_RUNNING);
  assert_condition (pod, KS_POD_COND_READY, KS_CONDITION_TRUE, NULL, NULL);
  g_assert_cmpint (pod->conditions[KS_POD_COND_READY].last_transition_time, ==, 4 * SEC);

  list = events (f, "Started", "mesh");
  g_assert_cmpuint (list->len, ==, G_N_ELEMENTS (started));
  for (guint i = 0; i < G_N_ELEMENTS (started); i++)
    {
      g_autofree char *message = g_strdup_printf ("Started container %s", started[i][0]);
      assert_event (g_ptr_array_index (list, i), g_ascii_strtoll (started[i][1], NULL, 10) * SEC,
                    FALSE, "Started", "mesh", message);
    }
  /* The sidecar runs on (it used to complete like an init container). */
  run_to (f, 3600 * SEC);
  s = init_status (f, "mesh", 1);
  g_assert_cmpint (s->state, ==, KS_CONTAINER_RUNNING);
  g_assert_cmpint (s->restart_count, ==, 0);
  g_assert_cmpuint (n_events (f, "Started", "mesh"), ==, 4);
}

/* A sidecar that exits is restarted, whatever the pod's restartPolicy (Never here), with the
 * CrashLoopBackOff rules: crash at 10 s → restarted at once (entry (10, 10)), running 11 s;
 * crash at 13 s → back-off 10 s, restarted at 23 s, running 24 s.  Meanwhile the pod is not
 * Ready, stays Running and Initialized. */
static void
test_sidecar_restart (Fixture *f, gconstpointer data)
{
  g_autofree char *ref = NULL;
  g_autofree char *expect = NULL;
  g_autofree char *times = NULL;
  const KsContainerStatus *s;
  KsPod *pod;

  create_pod_full (f, "side", "Never", "", "[{name: proxy, image: envoy, restartPolicy: Always}]",
                   "[{name: app, image: nginx}]", NODE);
  run_to (f, 2 * SEC);
  assert_phase (f, "side", KS_POD_RUNNING);
  ref = pod_ref (f, "side");

  run_to (f, 10 * SEC);
  crash (f, "side", "proxy", TRUE);
  run_to (f, 10 * SEC);
  pod = must_get_pod (f, "side");
  s = init_status (f, "side", 0);
  g_assert_cmpint (s->state, ==, KS_CONTAINER_WAITING);
  g_assert_cmpstr (s->reason, ==, "ContainerCreating");
  g_assert_cmpint (s->restart_count, ==, 1);
  g_assert_cmpint (s->last_exit_code, ==, 137);
  assert_phase (f, "side", KS_POD_RUNNING);
  assert_condition (pod, KS_POD_COND_INITIALIZED, KS_CONDITION_TRUE, NULL, NULL);
  assert_condition (pod, KS_POD_COND_READY, KS_CONDITION_FALSE, "ContainersNotReady",
                    "containers with unready status: [proxy]");
  run_to (f, 11 * SEC);
  g_assert_cmpint (init_status (f, "side", 0)->state, ==, KS_CONTAINER_RUNNING);
  assert_condition (must_get_pod (f, "side"), KS_POD_COND_READY, KS_CONDITION_TRUE, NULL, NULL);

  run_to (f, 13 * SEC);
  crash (f, "side", "proxy", TRUE);
  run_to (f, 13 * SEC);
  s = init_status (f, "side", 0);
  expect = g_strdup_printf ("back-off 10s restarting failed container=proxy pod=%s", ref);
  g_assert_cmpstr (s->reason, ==, "CrashLoopBackOff");
  g_assert_cmpstr (s->message, ==, expect);
  times = event_times (f, "BackOff", "side", NULL);
  g_assert_cmpstr (times, ==, "13");
  run_to (f, 24 * SEC - 1);
  g_assert_cmpstr (init_status (f, "side", 0)->reason, ==, "CrashLoopBackOff");
  run_to (f, 24 * SEC);
  s = init_status (f, "side", 0);
  g_assert_cmpint (s->state, ==, KS_CONTAINER_RUNNING);
  g_assert_cmpint (s->restart_count, ==, 2);
  g_assert_cmpint (main_status (f, "side")->state, ==, KS_CONTAINER_RUNNING);
  g_assert_cmpint (main_status (f, "side")->restart_count, ==, 0);
  assert_phase (f, "side", KS_POD_RUNNING);
}

/* When the containers are done (restartPolicy Never, app exits 0 at 12 s), the sidecar is
 * stopped (Killing at 12 s); the modelled sidecar ignores SIGTERM and is killed when the grace
 * period (30 s) ends, at 42 s: then the pod is Succeeded, and its containers are removed. */
static void
test_sidecar_job (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) killing = NULL;
  const KsContainerStatus *s;
  KsPod *pod;

  create_pod_full (f, "job", "Never", "kubesim.io/duration: 10s",
                   "[{name: proxy, image: envoy, restartPolicy: Always}]",
                   "[{name: app, image: busybox}]", NODE);
  run_to (f, 12 * SEC);
  g_assert_cmpint (main_status (f, "job")->state, ==, KS_CONTAINER_TERMINATED);
  g_assert_cmpint (main_status (f, "job")->finished_at, ==, 12 * SEC);
  assert_phase (f, "job", KS_POD_RUNNING);
  killing = events (f, "Killing", "job");
  g_assert_cmpuint (killing->len, ==, 1);
  assert_event (g_ptr_array_index (killing, 0), 12 * SEC, FALSE, "Killing", "job",
                "Stopping container proxy");
  run_to (f, 42 * SEC - 1);
  assert_phase (f, "job", KS_POD_RUNNING);
  g_assert_cmpuint (ks_sim_runtime_n_containers (f->runtime), ==, 2);
  run_to (f, 42 * SEC);
  pod = must_get_pod (f, "job");
  assert_phase (f, "job", KS_POD_SUCCEEDED);
  s = init_status (f, "job", 0);
  g_assert_cmpint (s->state, ==, KS_CONTAINER_TERMINATED);
  g_assert_cmpint (s->exit_code, ==, 137);
  g_assert_cmpint (s->ready, ==, FALSE);
  g_assert_cmpint (s->restart_count, ==, 0);
  assert_condition (pod, KS_POD_COND_READY, KS_CONDITION_FALSE, "PodCompleted", NULL);
  g_assert_cmpuint (ks_sim_runtime_n_containers (f->runtime), ==, 0);
  g_assert_cmpuint (ks_kubelet_n_active_pods (f->kubelet), ==, 0);
  run_to (f, 100 * SEC);
  g_assert_cmpuint (n_events (f, "Started", "job"), ==, 2);
}

/* Deleted with grace 60 s at 10 s: Killing for all three at once; app is stopped first (it
 * ends on its own at 18 s), then the later sidecar b, with the grace left in whole seconds
 * (60 − 8 = 52), then a once b has ended (b crashes at 20 s: 60 − 10 = 50, so a ends at 70 s).
 * A single sidecar whose container takes the whole grace period gets the minimum 2 s. */
static void
test_sidecar_termination_order (Fixture *f, gconstpointer data)
{
  PodTrace trace = { .name = "mesh", .clock = f->clock, .deleted_at = -1 };
  PodTrace slow = { .name = "slow", .clock = f->clock, .deleted_at = -1 };
  g_autofree char *times = NULL;
  guint watch, watch2;

  create_pod_full (f, "mesh", "Always", "kubesim.io/duration: 15s",
                   "[{name: a, image: envoy, restartPolicy: Always}, {name: b, image: envoy, "
                   "restartPolicy: Always}]",
                   "[{name: app, image: nginx}]", NODE);
  create_pod_full (f, "slow", "Always", "", "[{name: a, image: envoy, restartPolicy: Always}]",
                   "[{name: app, image: nginx}]", NODE);
  watch
      = ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), NULL, FALSE, trace_pod, &trace, NULL);
  watch2
      = ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), NULL, FALSE, trace_pod, &slow, NULL);
  run_to (f, 10 * SEC);
  assert_phase (f, "mesh", KS_POD_RUNNING);
  g_assert_cmpint (main_status (f, "mesh")->started_at, ==, 3 * SEC);
  g_string_truncate (f->fake->log, 0);
  delete_pod (f, "mesh", 60);
  delete_pod (f, "slow", -1);
  run_to (f, 10 * SEC);
  times = event_times (f, "Killing", "mesh", NULL);
  g_assert_cmpstr (times, ==, "10 10 10");
  g_assert_cmpstr (f->fake->log->str, ==, "stop(60) mesh/app; stop(30) slow/app");
  run_to (f, 18 * SEC);
  g_assert_cmpstr (f->fake->log->str, ==, "stop(60) mesh/app; stop(30) slow/app; stop(52) mesh/b");
  run_to (f, 20 * SEC);
  crash (f, "mesh", "b", TRUE);
  run_to (f, 20 * SEC);
  g_assert_true (g_str_has_suffix (f->fake->log->str, "stop(52) mesh/b; stop(50) mesh/a"));
  run_to (f, 40 * SEC);
  g_assert_true (g_str_has_suffix (f->fake->log->str, "stop(50) mesh/a; stop(2) slow/a"));
  run_to (f, 42 * SEC);
  g_assert_cmpint (slow.deleted_at, ==, 42 * SEC);
  g_assert_cmpint (ks_pod_init_container_statuses (slow.last)[0].finished_at, ==, 42 * SEC);
  run_to (f, 70 * SEC - 1);
  g_assert_nonnull (get_pod (f, "mesh"));
  run_to (f, 70 * SEC);
  g_assert_null (get_pod (f, "mesh"));
  g_assert_cmpint (trace.deleted_at, ==, 70 * SEC);
  g_assert_cmpint (trace.last->container_statuses[0].finished_at, ==, 18 * SEC);
  g_assert_cmpint (ks_pod_init_container_statuses (trace.last)[1].finished_at, ==, 20 * SEC);
  g_assert_cmpint (ks_pod_init_container_statuses (trace.last)[0].finished_at, ==, 70 * SEC);
  ks_store_unwatch (f->store, watch);
  ks_store_unwatch (f->store, watch2);
  trace_clear (&trace);
  trace_clear (&slow);
}

/* ---- probes ------------------------------------------------------------------------------------
 */

/* Readiness, initialDelaySeconds 5, periodSeconds 3, successThreshold 2, failureThreshold 2;
 * running at 1 s: probes at 6, 9, 12, 15, 18, 21 s.  Healthy: successes at 6 and 9 → ready at
 * 9 s.  Failing from 10 s: failures at 12 and 15 → unready at 15 s.  Healthy from 16 s: ready
 * again at 21 s.  The probe goes to the pod's IP. */
static void
test_probe_readiness (Fixture *f, gconstpointer data)
{
  g_autofree char *times = NULL;
  g_autoptr (GPtrArray) unhealthy = NULL;
  KsPod *pod;

  create_pod_full (f, "web", "Always", "", NULL,
                   "[{name: main, image: nginx, readinessProbe: {httpGet: {path: /ready, port: "
                   "8080}, initialDelaySeconds: 5, periodSeconds: 3, successThreshold: 2, "
                   "failureThreshold: 2}}]",
                   NODE);
  run_to (f, 1 * SEC);
  assert_phase (f, "web", KS_POD_RUNNING);
  g_assert_cmpint (main_status (f, "web")->started, ==, TRUE);
  g_assert_cmpint (main_status (f, "web")->ready, ==, FALSE);
  assert_condition (must_get_pod (f, "web"), KS_POD_COND_READY, KS_CONDITION_FALSE,
                    "ContainersNotReady", "containers with unready status: [main]");
  run_to (f, 9 * SEC - 1);
  g_assert_cmpint (main_status (f, "web")->ready, ==, FALSE);
  run_to (f, 9 * SEC);
  pod = must_get_pod (f, "web");
  g_assert_cmpint (main_status (f, "web")->ready, ==, TRUE);
  assert_condition (pod, KS_POD_COND_READY, KS_CONDITION_TRUE, NULL, NULL);
  g_assert_cmpint (pod->conditions[KS_POD_COND_READY].last_transition_time, ==, 9 * SEC);
  g_assert_cmpstr (g_ptr_array_index (f->prober->calls, 0), ==,
                   "6 main Readiness http 10.244.1.2:8080/ready");

  run_to (f, 10 * SEC);
  set_healthy (f, "main", KS_PROBE_READINESS, FALSE);
  run_to (f, 15 * SEC - 1);
  g_assert_cmpint (main_status (f, "web")->ready, ==, TRUE);
  run_to (f, 15 * SEC);
  pod = must_get_pod (f, "web");
  g_assert_cmpint (main_status (f, "web")->ready, ==, FALSE);
  assert_condition (pod, KS_POD_COND_READY, KS_CONDITION_FALSE, "ContainersNotReady",
                    "containers with unready status: [main]");
  g_assert_cmpint (pod->conditions[KS_POD_COND_READY].last_transition_time, ==, 15 * SEC);
  assert_phase (f, "web", KS_POD_RUNNING);
  unhealthy = events (f, "Unhealthy", "web");
  g_assert_cmpuint (unhealthy->len, ==, 2);
  assert_event (g_ptr_array_index (unhealthy, 0), 12 * SEC, TRUE, "Unhealthy", "web",
                "Readiness probe failed: HTTP probe failed with statuscode: 503");

  run_to (f, 16 * SEC);
  set_healthy (f, "main", KS_PROBE_READINESS, TRUE);
  run_to (f, 21 * SEC - 1);
  g_assert_cmpint (main_status (f, "web")->ready, ==, FALSE);
  run_to (f, 21 * SEC);
  g_assert_cmpint (main_status (f, "web")->ready, ==, TRUE);
  g_assert_cmpint (must_get_pod (f, "web")->conditions[KS_POD_COND_READY].last_transition_time, ==,
                   21 * SEC);
  times = probe_times (f, "main", KS_PROBE_READINESS);
  g_assert_cmpstr (times, ==, "6 9 12 15 18 21");
  g_assert_cmpuint (n_events (f, "Unhealthy", "web"), ==, 2);
  g_assert_cmpuint (n_events (f, "Killing", "web"), ==, 0);
}

/* Liveness (tcpSocket, initialDelaySeconds 10, periodSeconds 5, failureThreshold 3, the probe's
 * terminationGracePeriodSeconds 4), restartPolicy Always.  Running at 1 s: probes at 11, 16, 21,
 * 26, ...  Failing from 14 s: failures at 16, 21, 26 → Killing at 26 s, stopped with 4 s: exit
 * 137 at 30 s, restarted at once (the first restart; backoff entry (10 s, 30 s)), running at
 * 31 s.  The new instance: probes at 41, 46, 51 fail → killed at 51 s, ends at 55 s: in
 * back-off, CrashLoopBackOff until 65 s, running at 66 s.  Healthy from 60 s.  Deleted at
 * 100 s: liveness probing stops.  Another pod (restartPolicy Never, failureThreshold 1, no
 * delay) is killed at its first probe and not restarted: Failed once it ended (30 s grace). */
static void
test_probe_liveness (Fixture *f, gconstpointer data)
{
  g_autofree char *ref = NULL;
  g_autofree char *times = NULL;
  g_autoptr (GPtrArray) killing = NULL;
  g_autoptr (GPtrArray) unhealthy = NULL;
  const KsContainerStatus *s;

  create_pod_full (f, "live", "Always", "", NULL,
                   "[{name: main, image: nginx, livenessProbe: {tcpSocket: {port: 80}, "
                   "initialDelaySeconds: 10, periodSeconds: 5, failureThreshold: 3, "
                   "terminationGracePeriodSeconds: 4}}]",
                   NODE);
  create_pod_full (f, "once", "Never", "", NULL,
                   "[{name: solo, image: nginx, livenessProbe: {tcpSocket: {port: 80}, "
                   "periodSeconds: 5, failureThreshold: 1}}]",
                   NODE);
  set_healthy (f, "solo", KS_PROBE_LIVENESS, FALSE);
  run_to (f, 0);
  ref = pod_ref (f, "live");
  run_to (f, 14 * SEC);
  set_healthy (f, "main", KS_PROBE_LIVENESS, FALSE);
  run_to (f, 26 * SEC);
  killing = events (f, "Killing", "live");
  g_assert_cmpuint (killing->len, ==, 1);
  assert_event (g_ptr_array_index (killing, 0), 26 * SEC, FALSE, "Killing", "live",
                "Container main failed liveness probe, will be restarted");
  g_assert_true (g_str_has_suffix (f->fake->log->str, "stop(4) live/main"));
  unhealthy = events (f, "Unhealthy", "live");
  assert_event (g_ptr_array_index (unhealthy, 0), 16 * SEC, TRUE, "Unhealthy", "live",
                "Liveness probe failed: dial tcp 10.244.1.2:80: connect: connection refused");
  s = main_status (f, "live");
  g_assert_cmpint (s->state, ==, KS_CONTAINER_RUNNING);
  g_assert_cmpint (s->ready, ==, TRUE); /* no readiness probe: ready while it runs */
  run_to (f, 30 * SEC);
  s = main_status (f, "live");
  g_assert_cmpint (s->state, ==, KS_CONTAINER_WAITING);
  g_assert_cmpstr (s->reason, ==, "ContainerCreating");
  g_assert_cmpint (s->restart_count, ==, 1);
  g_assert_cmpint (s->last_exit_code, ==, 137);
  g_assert_cmpint (s->last_finished_at, ==, 30 * SEC);
  run_to (f, 31 * SEC);
  g_assert_cmpint (main_status (f, "live")->state, ==, KS_CONTAINER_RUNNING);

  run_to (f, 55 * SEC);
  s = main_status (f, "live");
  {
    g_autofree char *expect
        = g_strdup_printf ("back-off 10s restarting failed container=main pod=%s", ref);
    g_assert_cmpstr (s->reason, ==, "CrashLoopBackOff");
    g_assert_cmpstr (s->message, ==, expect);
  }
  g_assert_cmpint (s->restart_count, ==, 1);
  run_to (f, 60 * SEC);
  set_healthy (f, "main", KS_PROBE_LIVENESS, TRUE);
  run_to (f, 66 * SEC);
  s = main_status (f, "live");
  g_assert_cmpint (s->state, ==, KS_CONTAINER_RUNNING);
  g_assert_cmpint (s->restart_count, ==, 2);
  g_assert_cmpint (s->started_at, ==, 66 * SEC);

  run_to (f, 95 * SEC);
  set_healthy (f, "main", KS_PROBE_LIVENESS, FALSE);
  run_to (f, 100 * SEC);
  delete_pod (f, "live", -1);
  run_to (f, 200 * SEC);
  g_assert_null (get_pod (f, "live"));
  times = probe_times (f, "main", KS_PROBE_LIVENESS);
  g_assert_cmpstr (times, ==, "11 16 21 26 41 46 51 76 81 86 91 96");
  g_clear_pointer (&times, g_free);
  times = event_times (f, "Killing", "live", "Container main failed liveness probe");
  g_assert_cmpstr (times, ==, "26 51");
  g_clear_pointer (&times, g_free);
  times = event_times (f, "Unhealthy", "live", NULL);
  g_assert_cmpstr (times, ==, "16 21 26 41 46 51 96");
  g_clear_pointer (&times, g_free);
  times = event_times (f, "BackOff", "live", NULL);
  g_assert_cmpstr (times, ==, "55");

  /* once: probed at 1 s, killed ("will be restarted" is not said), ends at 31 s: Failed. */
  g_clear_pointer (&times, g_free);
  times = probe_times (f, "solo", KS_PROBE_LIVENESS);
  g_assert_cmpstr (times, ==, "1");
  g_clear_pointer (&killing, g_ptr_array_unref);
  killing = events (f, "Killing", "once");
  g_assert_cmpuint (killing->len, ==, 1);
  assert_event (g_ptr_array_index (killing, 0), 1 * SEC, FALSE, "Killing", "once",
                "Container solo failed liveness probe");
  assert_phase (f, "once", KS_POD_FAILED);
  s = main_status (f, "once");
  g_assert_cmpint (s->exit_code, ==, 137);
  g_assert_cmpint (s->finished_at, ==, 31 * SEC);
  g_assert_cmpint (s->restart_count, ==, 0);
}

/* A startup probe (exec, periodSeconds 2, failureThreshold 5) gates the others: running at 1 s,
 * it fails at 1, 3, 5 s and succeeds at 7 s: started at 7 s, when the readiness probe runs at
 * once and succeeds (ready at 7 s); readiness and liveness (period 10 s from 1 s) then probe at
 * 11 and 21 s; the ticks at 1 s were skipped.  Another container whose startup probe never
 * succeeds (failureThreshold 3) is killed at 5 s and restarted; its next instance (running at
 * 36 s) is killed at 40 s and waits in back-off. */
static void
test_probe_startup (Fixture *f, gconstpointer data)
{
  g_autofree char *times = NULL;
  g_autoptr (GPtrArray) unhealthy = NULL;
  g_autoptr (GPtrArray) killing = NULL;
  GString *execs = g_string_new (NULL);
  const KsContainerStatus *s;

  g_hash_table_add (f->fake->exec_fail, g_strdup ("main"));
  g_hash_table_add (f->fake->exec_fail, g_strdup ("stuck"));
  create_pod_full (f, "slow", "Always", "", NULL,
                   "[{name: main, image: nginx, startupProbe: {exec: {command: [cat, "
                   "/tmp/ready]}, periodSeconds: 2, failureThreshold: 5}, readinessProbe: "
                   "{httpGet: {path: /ready, port: 8080}}, livenessProbe: {httpGet: {path: "
                   "/healthz, port: 8080}}}]",
                   NODE);
  create_pod_full (f, "never", "Always", "", NULL,
                   "[{name: stuck, image: nginx, startupProbe: {exec: {command: [cat, "
                   "/tmp/ready]}, periodSeconds: 2, failureThreshold: 3}}]",
                   NODE);
  run_to (f, 1 * SEC);
  s = main_status (f, "slow");
  g_assert_cmpint (s->state, ==, KS_CONTAINER_RUNNING);
  g_assert_cmpint (s->started, ==, FALSE);
  g_assert_cmpint (s->ready, ==, FALSE);
  assert_phase (f, "slow", KS_POD_RUNNING);
  run_to (f, 6 * SEC);
  g_hash_table_remove (f->fake->exec_fail, "main");
  g_assert_cmpint (main_status (f, "slow")->started, ==, FALSE);
  run_to (f, 7 * SEC);
  s = main_status (f, "slow");
  g_assert_cmpint (s->started, ==, TRUE);
  g_assert_cmpint (s->ready, ==, TRUE);
  assert_condition (must_get_pod (f, "slow"), KS_POD_COND_READY, KS_CONDITION_TRUE, NULL, NULL);
  g_assert_cmpint (must_get_pod (f, "slow")->conditions[KS_POD_COND_READY].last_transition_time, ==,
                   7 * SEC);
  unhealthy = events (f, "Unhealthy", "slow");
  g_assert_cmpuint (unhealthy->len, ==, 3);
  assert_event (g_ptr_array_index (unhealthy, 2), 5 * SEC, TRUE, "Unhealthy", "slow",
                "Startup probe failed: cat: can't open '/tmp/ready': No such file");

  run_to (f, 22 * SEC);
  for (guint i = 0; i < f->fake->exec_calls->len; i++)
    {
      const char *call = g_ptr_array_index (f->fake->exec_calls, i);
      if (strstr (call, " main ") != NULL)
        g_string_append_printf (execs, "%s%s;", execs->len ? " " : "", call);
    }
  g_assert_cmpstr (execs->str, ==, "1 main cat; 3 main cat; 5 main cat; 7 main cat;");
  g_string_free (execs, TRUE);
  times = probe_times (f, "main", KS_PROBE_READINESS);
  g_assert_cmpstr (times, ==, "7 11 21");
  g_clear_pointer (&times, g_free);
  times = probe_times (f, "main", KS_PROBE_LIVENESS);
  g_assert_cmpstr (times, ==, "11 21");

  /* never: failures at 1, 3, 5 s → killed at 5 s (pod grace 30 s), restarted at 35 s, running
   * 36 s; failures at 36, 38, 40 → killed at 40 s, ends at 70 s: back-off 10 s. */
  killing = events (f, "Killing", "never");
  g_assert_cmpuint (killing->len, ==, 1);
  assert_event (g_ptr_array_index (killing, 0), 5 * SEC, FALSE, "Killing", "never",
                "Container stuck failed startup probe, will be restarted");
  run_to (f, 70 * SEC);
  s = main_status (f, "never");
  g_assert_cmpstr (s->reason, ==, "CrashLoopBackOff");
  g_assert_cmpint (s->restart_count, ==, 1);
  g_clear_pointer (&times, g_free);
  times = event_times (f, "Killing", "never", NULL);
  g_assert_cmpstr (times, ==, "5 40");
  g_clear_pointer (&times, g_free);
  times = event_times (f, "Started", "never", NULL);
  g_assert_cmpstr (times, ==, "1 36");
  run_to (f, 81 * SEC);
  g_assert_cmpint (main_status (f, "never")->state, ==, KS_CONTAINER_RUNNING);
  g_assert_cmpint (main_status (f, "never")->started, ==, FALSE);
  /* Not started, so not ready, though it has no readiness probe. */
  g_assert_cmpint (main_status (f, "never")->ready, ==, FALSE);
  assert_phase (f, "never", KS_POD_RUNNING);
}

/* A sidecar with a startup probe lets the next init container start only once it has started:
 * proxy runs at 1 s, its probe fails at 1 s and succeeds at 3 s; migrate starts then, completes
 * at 4 s, and app runs at 5 s. */
static void
test_probe_sidecar_startup (Fixture *f, gconstpointer data)
{
  g_autofree char *times = NULL;
  KsPod *pod;

  g_hash_table_add (f->fake->exec_fail, g_strdup ("proxy"));
  create_pod_full (f, "mesh", "Always", "",
                   "[{name: proxy, image: envoy, restartPolicy: Always, startupProbe: {exec: "
                   "{command: [cat, /tmp/ready]}, periodSeconds: 2}}, {name: migrate, image: "
                   "busybox}]",
                   "[{name: app, image: nginx}]", NODE);
  run_to (f, 2 * SEC);
  g_hash_table_remove (f->fake->exec_fail, "proxy");
  pod = must_get_pod (f, "mesh");
  g_assert_cmpint (init_status (f, "mesh", 0)->state, ==, KS_CONTAINER_RUNNING);
  g_assert_cmpint (init_status (f, "mesh", 0)->started, ==, FALSE);
  assert_condition (pod, KS_POD_COND_INITIALIZED, KS_CONDITION_FALSE, "ContainersNotInitialized",
                    "containers with incomplete status: [proxy migrate]");
  assert_phase (f, "mesh", KS_POD_PENDING);
  run_to (f, 3 * SEC);
  g_assert_cmpint (init_status (f, "mesh", 0)->started, ==, TRUE);
  assert_condition (must_get_pod (f, "mesh"), KS_POD_COND_INITIALIZED, KS_CONDITION_FALSE,
                    "ContainersNotInitialized", "containers with incomplete status: [migrate]");
  run_to (f, 5 * SEC);
  assert_phase (f, "mesh", KS_POD_RUNNING);
  assert_condition (must_get_pod (f, "mesh"), KS_POD_COND_READY, KS_CONDITION_TRUE, NULL, NULL);
  times = event_times (f, "Started", "mesh", NULL);
  g_assert_cmpstr (times, ==, "1 4 5");
}

/* The sim model (sim/ks-sim-prober): kubesim.io/readiness-delay 30s, liveness-fail-after 2m,
 * default probe timing (period 10 s, failureThreshold 3).  Running at 1 s: readiness fails at 1,
 * 11, 21 and succeeds at 31 s (ready then); liveness fails from 121 s: 121, 131, 141 → Killing
 * at 141 s, killed at 171 s (grace 30 s), restarted at once, running at 172 s: not ready until
 * 202 s; liveness fails at 292, 302, 312 → killed at 312, ends at 342 s: back-off 10 s
 * (since the first restart at 171 s), running again at 353 s. */
static void
test_probe_sim_model (Fixture *f, gconstpointer data)
{
  g_autofree char *times = NULL;
  g_autoptr (GPtrArray) unhealthy = NULL;
  KsPod *pod;

  f->sim_prober = ks_sim_prober_new (f->clock);
  ks_kubelet_set_prober (f->kubelet, f->sim_prober);
  create_pod_full (f, "model", "Always",
                   "kubesim.io/readiness-delay: 30s, kubesim.io/liveness-fail-after: 2m", NULL,
                   "[{name: main, image: nginx, readinessProbe: {exec: {command: [\"true\"]}}, "
                   "livenessProbe: {httpGet: {port: 8080}}}]",
                   NODE);
  run_to (f, 31 * SEC - 1);
  g_assert_cmpint (main_status (f, "model")->ready, ==, FALSE);
  run_to (f, 31 * SEC);
  g_assert_cmpint (main_status (f, "model")->ready, ==, TRUE);
  unhealthy = events (f, "Unhealthy", "model");
  g_assert_cmpuint (unhealthy->len, ==, 3);
  assert_event (g_ptr_array_index (unhealthy, 0), 1 * SEC, TRUE, "Unhealthy", "model",
                "Readiness probe failed: not ready until 30s after the start "
                "(kubesim.io/readiness-delay)");
  run_to (f, 171 * SEC - 1);
  g_assert_cmpint (main_status (f, "model")->ready, ==, TRUE);
  run_to (f, 171 * SEC);
  g_assert_cmpint (main_status (f, "model")->ready, ==, FALSE);
  g_assert_cmpint (main_status (f, "model")->restart_count, ==, 1);
  run_to (f, 202 * SEC - 1);
  g_assert_cmpint (main_status (f, "model")->ready, ==, FALSE);
  run_to (f, 202 * SEC);
  pod = must_get_pod (f, "model");
  g_assert_cmpint (main_status (f, "model")->ready, ==, TRUE);
  g_assert_cmpint (pod->conditions[KS_POD_COND_READY].last_transition_time, ==, 202 * SEC);
  run_to (f, 342 * SEC);
  g_assert_cmpstr (main_status (f, "model")->reason, ==, "CrashLoopBackOff");
  run_to (f, 353 * SEC);
  g_assert_cmpint (main_status (f, "model")->state, ==, KS_CONTAINER_RUNNING);
  g_assert_cmpint (main_status (f, "model")->restart_count, ==, 2);

  times = event_times (f, "Unhealthy", "model", "Readiness");
  g_assert_cmpstr (times, ==, "1 11 21 172 182 192 353");
  g_clear_pointer (&times, g_free);
  times = event_times (f, "Unhealthy", "model",
                       "Liveness probe failed: unhealthy from 2m after "
                       "the start (kubesim.io/liveness-fail-after)");
  g_assert_cmpstr (times, ==, "121 131 141 292 302 312");
  g_clear_pointer (&times, g_free);
  times = event_times (f, "Killing", "model", NULL);
  g_assert_cmpstr (times, ==, "141 312");
  g_clear_pointer (&times, g_free);
  times = event_times (f, "BackOff", "model", NULL);
  g_assert_cmpstr (times, ==, "342");
}

/* Failure windows count from the pod's start (0 s here; the container runs at 1 s), so they
 * outlast restarts.  Readiness (period 10 s, failureThreshold 1) fails at 31 and 41 s (age in
 * [30 s, 50 s)) and succeeds again at 51 s: unready from 31 to 51 s.  Liveness (period 10 s,
 * failureThreshold 3) fails at 61, 71 and 81 s (age in [60 s, 90 s)): stopped at 81 s, killed
 * when the 30 s grace period ends (111 s), restarted at once (running at 112 s), past the window:
 * no second kill, and ready at once. */
static void
test_probe_sim_windows (Fixture *f, gconstpointer data)
{
  g_autofree char *times = NULL;
  g_autoptr (GPtrArray) unhealthy = NULL;
  KsPod *pod;

  f->sim_prober = ks_sim_prober_new (f->clock);
  ks_kubelet_set_prober (f->kubelet, f->sim_prober);
  create_pod_full (f, "win", "Always",
                   "kubesim.io/readiness-fail-window: 30s-50s, "
                   "kubesim.io/liveness-fail-window: 1m-1m30s",
                   NULL,
                   "[{name: main, image: nginx, readinessProbe: {exec: {command: [\"true\"]}, "
                   "failureThreshold: 1}, livenessProbe: {httpGet: {port: 8080}}}]",
                   NODE);
  run_to (f, 31 * SEC - 1);
  g_assert_cmpint (must_get_pod (f, "win")->start_time, ==, 0);
  g_assert_cmpint (main_status (f, "win")->ready, ==, TRUE);
  run_to (f, 31 * SEC);
  g_assert_cmpint (main_status (f, "win")->ready, ==, FALSE);
  assert_condition (must_get_pod (f, "win"), KS_POD_COND_READY, KS_CONDITION_FALSE,
                    "ContainersNotReady", "containers with unready status: [main]");
  run_to (f, 51 * SEC - 1);
  g_assert_cmpint (main_status (f, "win")->ready, ==, FALSE);
  run_to (f, 51 * SEC);
  pod = must_get_pod (f, "win");
  g_assert_cmpint (main_status (f, "win")->ready, ==, TRUE);
  g_assert_cmpint (pod->conditions[KS_POD_COND_READY].last_transition_time, ==, 51 * SEC);
  unhealthy = events (f, "Unhealthy", "win");
  assert_event (g_ptr_array_index (unhealthy, 0), 31 * SEC, TRUE, "Unhealthy", "win",
                "Readiness probe failed: failing while the pod's age is in 30s-50s "
                "(kubesim.io/readiness-fail-window)");

  run_to (f, 81 * SEC - 1);
  g_assert_cmpint (main_status (f, "win")->restart_count, ==, 0);
  /* Stopped with the 30 s grace period (a modelled container ignores SIGTERM): killed at 111 s,
   * restarted at once, running at 112 s, when the pod is 112 s old: its probes pass. */
  run_to (f, 112 * SEC - 1);
  g_assert_cmpint (main_status (f, "win")->restart_count, ==, 1);
  g_assert_cmpint (main_status (f, "win")->state, ==, KS_CONTAINER_WAITING);
  run_to (f, 112 * SEC);
  g_assert_cmpint (main_status (f, "win")->state, ==, KS_CONTAINER_RUNNING);
  g_assert_cmpint (main_status (f, "win")->last_finished_at, ==, 111 * SEC);
  g_assert_cmpint (main_status (f, "win")->ready, ==, TRUE);
  run_to (f, 300 * SEC);
  g_assert_cmpint (main_status (f, "win")->restart_count, ==, 1);
  g_assert_cmpint (main_status (f, "win")->ready, ==, TRUE);

  times = event_times (f, "Unhealthy", "win", "Readiness");
  g_assert_cmpstr (times, ==, "31 41");
  g_clear_pointer (&times, g_free);
  times = event_times (f, "Unhealthy", "win",
                       "Liveness probe failed: failing while the pod's age is in 1m-1m30s "
                       "(kubesim.io/liveness-fail-window)");
  g_assert_cmpstr (times, ==, "61 71 81");
  g_clear_pointer (&times, g_free);
  times = event_times (f, "Killing", "win", NULL);
  g_assert_cmpstr (times, ==, "81");
}

/* kubesim.io/startup-probe-delay: 12s, startup probe every 5 s from the container's start
 * (1 s).  "patient" (failureThreshold 5) fails at 1, 6 and 11 s and succeeds at 16 s: started
 * and, without a readiness probe, ready at 16 s.  "impatient" (failureThreshold 2) fails at 1 and
 * 6 s and is killed at 6 s for it (the kubelet restarts it after the grace period). */
static void
test_probe_sim_startup (Fixture *f, gconstpointer data)
{
  g_autofree char *times = NULL;
  g_autoptr (GPtrArray) killing = NULL;

  f->sim_prober = ks_sim_prober_new (f->clock);
  ks_kubelet_set_prober (f->kubelet, f->sim_prober);
  create_pod_full (f, "patient", "Always", "kubesim.io/startup-probe-delay: 12s", NULL,
                   "[{name: main, image: nginx, startupProbe: {httpGet: {port: 80}, "
                   "periodSeconds: 5, failureThreshold: 5}}]",
                   NODE);
  create_pod_full (f, "impatient", "Always", "kubesim.io/startup-probe-delay: 12s", NULL,
                   "[{name: main, image: nginx, startupProbe: {httpGet: {port: 80}, "
                   "periodSeconds: 5, failureThreshold: 2}}]",
                   NODE);
  run_to (f, 16 * SEC - 1);
  g_assert_cmpint (main_status (f, "patient")->started, ==, FALSE);
  g_assert_cmpint (main_status (f, "patient")->ready, ==, FALSE);
  run_to (f, 16 * SEC);
  g_assert_cmpint (main_status (f, "patient")->started, ==, TRUE);
  g_assert_cmpint (main_status (f, "patient")->ready, ==, TRUE);
  times = event_times (f, "Unhealthy", "patient",
                       "Startup probe failed: not started until 12s after the start "
                       "(kubesim.io/startup-probe-delay)");
  g_assert_cmpstr (times, ==, "1 6 11");
  g_clear_pointer (&times, g_free);
  times = event_times (f, "Killing", "patient", NULL);
  g_assert_cmpstr (times, ==, "");
  g_clear_pointer (&times, g_free);
  times = event_times (f, "Killing", "impatient", NULL);
  g_assert_cmpstr (times, ==, "6");
  killing = events (f, "Killing", "impatient");
  assert_event (g_ptr_array_index (killing, 0), 6 * SEC, FALSE, "Killing", "impatient",
                "Container main failed startup probe, will be restarted");
  g_assert_cmpint (main_status (f, "impatient")->started, ==, FALSE);
}

/* The Endpoints of a Service over the pod as "ready/not-ready" address counts. */
static char *
endpoint_counts (Fixture *f, const char *name)
{
  KsObject *obj = ks_store_get (f->store, ks_kind_get (KS_KIND_ENDPOINTS), "default", name);
  const KsEndpoints *ep = obj != NULL ? KS_ENDPOINTS (obj) : NULL;
  guint ready = 0, not_ready = 0;

  for (guint i = 0; ep != NULL && i < ep->n_subsets; i++)
    {
      ready += ep->subsets[i].n_addresses;
      not_ready += ep->subsets[i].n_not_ready_addresses;
    }
  return g_strdup_printf ("%u/%u", ready, not_ready);
}

/* Readiness gates Endpoints: a pod (with an IP, from the fake runtime's sandbox) whose modelled
 * readiness probe (every 10 s, failureThreshold 1) fails while its age is in [30 s, 50 s) is a
 * ready address of its Service from 1 s, a not-ready one from 31 s, and ready again from 51 s,
 * the Endpoints controller following its Ready condition. */
static void
test_probe_window_endpoints (Fixture *f, gconstpointer data)
{
  KsControllerOptions options;
  g_autoptr (KsControllerManager) cm = NULL;
  static const char *const checks[][2] = {
    { "999", "0/1" },   { "1000", "1/0" },  { "30999", "1/0" },
    { "31000", "0/1" }, { "50999", "0/1" }, { "51000", "1/0" },
  };

  ks_controller_options_init (&options);
  options.endpoints = TRUE;
  cm = ks_controller_manager_new_full (f->client, f->clock, &f->sink.parent, &options);
  f->sim_prober = ks_sim_prober_new (f->clock);
  ks_kubelet_set_prober (f->kubelet, f->sim_prober);
  ks_test_create (f->store, ks_test_decode ("apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
                                            "spec: {selector: {app: web}, ports: [{port: 80}]}\n"));
  ks_test_create (f->store,
                  ks_test_decode ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n"
                                  "  labels: {app: web}\n"
                                  "  annotations: {kubesim.io/readiness-fail-window: 30s-50s}\n"
                                  "spec:\n  nodeName: " NODE "\n"
                                  "  containers: [{name: main, image: nginx, readinessProbe: "
                                  "{httpGet: {port: 80}, failureThreshold: 1}}]\n"));
  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      g_autofree char *counts = NULL;
      run_to (f, g_ascii_strtoll (checks[i][0], NULL, 10) * (SEC / 1000));
      counts = endpoint_counts (f, "web");
      g_test_message ("%s ms: %s", checks[i][0], counts);
      g_assert_cmpstr (counts, ==, checks[i][1]);
    }
  g_assert_cmpint (ks_pod_is_ready (must_get_pod (f, "web")), ==, TRUE);
}

/* Without an exec op or a prober, probes fail with a clear message: never ready.  A probe port
 * that names no container port is a prober error: reported (probe errored), not counted. */
static void
test_probe_unsupported (Fixture *f, gconstpointer data)
{
  g_autofree char *times = NULL;
  g_autoptr (GPtrArray) list = NULL;

  create_pod_full (f, "noexec", "Always", "", NULL,
                   "[{name: main, image: nginx, readinessProbe: {exec: {command: [\"true\"]}}}]",
                   NODE);
  create_pod_full (f, "notcp", "Always", "", NULL,
                   "[{name: main, image: nginx, readinessProbe: {tcpSocket: {port: 80}}}]", NODE);
  create_pod_full (f, "noport", "Always", "", NULL,
                   "[{name: main, image: nginx, livenessProbe: {httpGet: {port: admin}, "
                   "failureThreshold: 1}}]",
                   NODE);
  run_to (f, 25 * SEC);
  g_assert_cmpint (main_status (f, "noexec")->ready, ==, FALSE);
  g_assert_cmpint (main_status (f, "notcp")->ready, ==, FALSE);
  list = events (f, "Unhealthy", "noexec");
  g_assert_cmpuint (list->len, ==, 3);
  assert_event (g_ptr_array_index (list, 0), 1 * SEC, TRUE, "Unhealthy", "noexec",
                "Readiness probe failed: exec is not supported");
  g_clear_pointer (&list, g_ptr_array_unref);
  list = events (f, "Unhealthy", "notcp");
  assert_event (g_ptr_array_index (list, 2), 21 * SEC, TRUE, "Unhealthy", "notcp",
                "Readiness probe failed: TCP probes are not supported");
  g_clear_pointer (&list, g_ptr_array_unref);
  list = events (f, "Unhealthy", "noport");
  g_assert_cmpuint (list->len, ==, 3);
  assert_event (g_ptr_array_index (list, 0), 1 * SEC, TRUE, "Unhealthy", "noport",
                "Liveness probe errored: strconv.Atoi: parsing \"admin\": invalid syntax");
  g_assert_cmpint (main_status (f, "noport")->state, ==, KS_CONTAINER_RUNNING);
  g_assert_cmpuint (n_events (f, "Killing", NULL), ==, 0);
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
  ADD ("/kubelet/oom/at-start", test_oom_at_start);
  ADD ("/kubelet/oom/never-and-share", test_oom_never_and_share);
  ADD ("/kubelet/oom/growth", test_oom_growth);
  g_test_add_func ("/kubelet/crash-rate/seeded", test_crash_rate);
  ADD ("/kubelet/controllers/deployment-pods-exit", test_deployment_pods_exit);
#define ADD_FAKE(path, fn)                                                                         \
  g_test_add (path, Fixture, NULL, fake_fixture_setup, fn, fixture_teardown)
  ADD_FAKE ("/kubelet/sandbox/ip", test_sandbox_ip);
  ADD_FAKE ("/kubelet/sandbox/retry", test_sandbox_retry);
  ADD_FAKE ("/kubelet/image/pull-backoff", test_image_pull_backoff);
  ADD_FAKE ("/kubelet/status/container-id", test_container_id);
  ADD_FAKE ("/kubelet/image/create-errors", test_create_errors);
  ADD ("/kubelet/sidecar/order", test_sidecar_order);
  ADD_FAKE ("/kubelet/sidecar/restart", test_sidecar_restart);
  ADD ("/kubelet/sidecar/job", test_sidecar_job);
  ADD_FAKE ("/kubelet/sidecar/termination-order", test_sidecar_termination_order);
  ADD_FAKE ("/kubelet/probe/readiness", test_probe_readiness);
  ADD_FAKE ("/kubelet/probe/liveness", test_probe_liveness);
  ADD_FAKE ("/kubelet/probe/startup", test_probe_startup);
  ADD_FAKE ("/kubelet/probe/sidecar-startup", test_probe_sidecar_startup);
  ADD ("/kubelet/probe/sim-model", test_probe_sim_model);
  ADD ("/kubelet/probe/sim-windows", test_probe_sim_windows);
  ADD ("/kubelet/probe/sim-startup", test_probe_sim_startup);
  ADD_FAKE ("/kubelet/probe/window-endpoints", test_probe_window_endpoints);
  ADD ("/kubelet/probe/unsupported", test_probe_unsupported);
#undef ADD_FAKE
#undef ADD

  return g_test_run ();
}
