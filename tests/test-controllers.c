/* test-controllers.c: tests for the ReplicaSet and Deployment controllers and the garbage
 * collector (src/controllers/), run on a store, a store client and a simulated clock, with an
 * event sink that keeps what the controllers record.
 *
 * Covered: ReplicaSet creation and scale-down with their events (reference §3.9), the deletion
 * ranking rule by rule (ActivePodsWithRanks), the Deployment's new ReplicaSet (name, hash label,
 * annotations, events, §3.3), scaling (§3.6), the first rolling-update steps (§3.4), cascading
 * deletion, and pod-template-hash (FNV-32a + SafeEncodeString, recomputed here). No kubelet
 * runs, so pods stay Pending and never become available. */
#include "config.h"

#include <string.h>

#include "sim/ks-sim-clock.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-yaml.h"
#include "src/controllers/ks-controller-private.h"
#include "src/controllers/ks-controllers.h"
#include "src/ks-events.h"
#include "src/store/ks-client.h"
#include "src/store/ks-store.h"
#include "tests/ks-test.h"

#define SEC KS_USEC_PER_SEC
#define NAME_ALPHABET "bcdfghjklmnpqrstvwxz2456789"

/* ---- fixture -------------------------------------------------------------------------------- */

typedef struct
{
  KsSimClock *sim;
  KsStore *store;
  KsClient *client;
  KsTestSink sink;
  KsControllerManager *manager;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->sim = ks_sim_clock_new ();
  f->store = ks_store_new (ks_sim_clock_get_clock (f->sim), 1);
  f->client = ks_store_client_new (f->store);
  ks_test_sink_init (&f->sink);
  ks_test_create (f->store, KS_OBJECT (ks_namespace_new ("default")));
  f->manager
      = ks_controller_manager_new (f->client, ks_sim_clock_get_clock (f->sim), &f->sink.parent);
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

/* Let the controllers work until time t (seconds). */
static void
run_to (Fixture *f, gint64 seconds)
{
  ks_sim_clock_run_until (f->sim, seconds * SEC);
}

/* Objects of kind in "default", sorted by name (borrowed, in a new array). */
static GPtrArray *
list (Fixture *f, KsKindId kind)
{
  GPtrArray *out = g_ptr_array_new ();

  ks_store_list (f->store, ks_kind_get (kind), "default", out);
  return out;
}

/* The names of the objects of kind in "default", sorted (copies: they outlive deletions). */
static GPtrArray *
names (Fixture *f, KsKindId kind)
{
  g_autoptr (GPtrArray) objects = list (f, kind);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < objects->len; i++)
    g_ptr_array_add (out, g_strdup (KS_OBJECT (g_ptr_array_index (objects, i))->meta.name));
  return out;
}

static KsObject *
get (Fixture *f, KsKindId kind, const char *name)
{
  return ks_store_get (f->store, ks_kind_get (kind), "default", name);
}

/* Replace a stored object by a modified copy (spec update). */
typedef void (*Modify) (KsObject *copy, gpointer data);

static void
update_ok (Fixture *f, KsKindId kind, const char *name, Modify modify, gpointer data)
{
  g_autoptr (GError) error = NULL;
  KsObject *copy = ks_object_copy (get (f, kind, name));

  modify (copy, data);
  g_assert_nonnull (ks_store_update (f->store, copy, FALSE, &error));
  g_assert_no_error (error);
  ks_object_unref (copy);
}

static void
set_rs_replicas (KsObject *copy, gpointer data)
{
  KS_REPLICA_SET (copy)->replicas = GPOINTER_TO_INT (data);
}

static void
set_deployment_replicas (KsObject *copy, gpointer data)
{
  KS_DEPLOYMENT (copy)->replicas = GPOINTER_TO_INT (data);
}

/* Swap in the template of the deployment decoded from data (a YAML text). */
static void
set_deployment_template (KsObject *copy, gpointer data)
{
  g_autoptr (KsObject) other = ks_test_decode (data);

  ks_pod_template_clear (&KS_DEPLOYMENT (copy)->template);
  ks_pod_template_copy (&KS_DEPLOYMENT (copy)->template, &KS_DEPLOYMENT (other)->template);
}

/* The sink lines with the given reason, in order (borrowed strings). */
static GPtrArray *
events_with_reason (Fixture *f, const char *reason)
{
  GPtrArray *out = g_ptr_array_new ();
  g_autofree char *prefix = g_strconcat (reason, " ", NULL);

  for (guint i = 0; i < f->sink.lines->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (f->sink.lines, i), prefix))
      g_ptr_array_add (out, g_ptr_array_index (f->sink.lines, i));
  return out;
}

static void
dump_events (Fixture *f)
{
  for (guint i = 0; i < f->sink.lines->len; i++)
    g_test_message ("event: %s", (const char *) g_ptr_array_index (f->sink.lines, i));
}

static gboolean
str_in (GPtrArray *strings, const char *s)
{
  for (guint i = 0; i < strings->len; i++)
    if (strcmp (g_ptr_array_index (strings, i), s) == 0)
      return TRUE;
  return FALSE;
}

static void
assert_generated_name (const char *name, const char *prefix)
{
  g_assert_true (g_str_has_prefix (name, prefix));
  g_assert_cmpuint (strlen (name), ==, strlen (prefix) + 5);
  for (const char *p = name + strlen (prefix); *p != '\0'; p++)
    g_assert_nonnull (strchr (NAME_ALPHABET, *p));
}

static const char rs_yaml[] = "apiVersion: apps/v1\n"
                              "kind: ReplicaSet\n"
                              "metadata: {name: web}\n"
                              "spec:\n"
                              "  replicas: 3\n"
                              "  selector: {matchLabels: {app: web}}\n"
                              "  template:\n"
                              "    metadata: {labels: {app: web}}\n"
                              "    spec: {containers: [{name: a, image: nginx}]}\n";

/* ---- ReplicaSet controller ------------------------------------------------------------------- */

static void
test_rs_create_pods (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) pods = NULL;
  g_autoptr (GPtrArray) created = NULL;
  KsObject *rs;

  ks_test_create (f->store, ks_test_decode (rs_yaml));
  rs = get (f, KS_KIND_REPLICA_SET, "web");
  run_to (f, 1);
  dump_events (f);

  pods = list (f, KS_KIND_POD);
  g_assert_cmpuint (pods->len, ==, 3);
  created = events_with_reason (f, "SuccessfulCreate");
  g_assert_cmpuint (created->len, ==, 3);
  rs = get (f, KS_KIND_REPLICA_SET, "web");
  for (guint i = 0; i < pods->len; i++)
    {
      KsObject *pod = g_ptr_array_index (pods, i);
      const KsOwnerRef *ref = ks_object_get_controller_ref (pod);
      g_autofree char *line = g_strdup_printf ("SuccessfulCreate ReplicaSet default/web: Created "
                                               "pod: %s",
                                               pod->meta.name);

      assert_generated_name (pod->meta.name, "web-");
      g_assert_cmpstr (pod->meta.generate_name, ==, "web-");
      g_assert_nonnull (ref);
      g_assert_cmpuint (pod->meta.owner_refs->n, ==, 1);
      g_assert_cmpstr (ref->kind, ==, "ReplicaSet");
      g_assert_cmpstr (ref->api_version, ==, "apps/v1");
      g_assert_cmpstr (ref->name, ==, "web");
      g_assert_true (ks_uid_equal (&ref->uid, &rs->meta.uid));
      g_assert_true (ref->controller);
      g_assert_true (ref->block_owner_deletion);
      g_assert_cmpstr (ks_object_get_label (pod, "app"), ==, "web");
      g_assert_true (str_in (created, line));
    }
  /* Status: the three active pods, none ready. */
  g_assert_cmpint (KS_REPLICA_SET (rs)->status.replicas, ==, 3);
  g_assert_cmpint (KS_REPLICA_SET (rs)->status.fully_labeled_replicas, ==, 3);
  g_assert_cmpint (KS_REPLICA_SET (rs)->status.ready_replicas, ==, 0);
  g_assert_cmpint (KS_REPLICA_SET (rs)->status.observed_generation, ==, 1);

  /* Steady state: more time, no more pods. */
  run_to (f, 60);
  g_ptr_array_unref (pods);
  pods = list (f, KS_KIND_POD);
  g_assert_cmpuint (pods->len, ==, 3);
}

static void
test_rs_scale_down (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) before = NULL;
  g_autoptr (GPtrArray) after = NULL;
  g_autoptr (GPtrArray) deleted = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *bound = NULL;

  ks_test_create (f->store, ks_test_decode (rs_yaml));
  run_to (f, 1);
  before = names (f, KS_KIND_POD);
  g_assert_cmpuint (before->len, ==, 3);
  /* One pod is scheduled: unassigned pods go first (rule 1). */
  bound = g_strdup (g_ptr_array_index (before, 1));
  g_assert_true (ks_store_bind (f->store, "default", bound, NULL, "node-1", &error));
  g_assert_no_error (error);

  update_ok (f, KS_KIND_REPLICA_SET, "web", set_rs_replicas, GINT_TO_POINTER (1));
  run_to (f, 2);
  dump_events (f);

  after = list (f, KS_KIND_POD);
  g_assert_cmpuint (after->len, ==, 1);
  g_assert_cmpstr (KS_OBJECT (g_ptr_array_index (after, 0))->meta.name, ==, bound);
  deleted = events_with_reason (f, "SuccessfulDelete");
  g_assert_cmpuint (deleted->len, ==, 2);
  for (guint i = 0; i < 3; i++)
    {
      const char *name = g_ptr_array_index (before, i);
      g_autofree char *line = g_strdup_printf ("SuccessfulDelete ReplicaSet default/web: Deleted "
                                               "pod: %s",
                                               name);
      g_assert_cmpint (str_in (deleted, line), ==, strcmp (name, bound) != 0);
    }
  g_assert_cmpint (KS_REPLICA_SET (get (f, KS_KIND_REPLICA_SET, "web"))->status.replicas, ==, 1);
}

static void
test_rs_replaces_deleted (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) pods = NULL;
  g_autoptr (GPtrArray) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *victim = NULL;

  ks_test_create (f->store, ks_test_decode (rs_yaml));
  run_to (f, 1);
  pods = list (f, KS_KIND_POD);
  victim = g_strdup (KS_OBJECT (g_ptr_array_index (pods, 0))->meta.name);
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", victim, NULL, &error));
  g_assert_no_error (error);
  run_to (f, 2);
  again = list (f, KS_KIND_POD);
  g_assert_cmpuint (again->len, ==, 3);
  g_assert_null (get (f, KS_KIND_POD, victim));
  g_assert_cmpuint (f->sink.lines->len, ==, 4);
}

/* ---- deletion ranking (ActivePodsWithRanks) ------------------------------------------------- */

/* KsPodSpec has no autoptr cleanup of its own; a local alias gets one. */
typedef KsPodSpec SpecRef;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpecRef, ks_pod_spec_unref)

static KsPodSpec *
one_container_spec (void)
{
  g_autoptr (KsObject) pod = ks_test_decode ("apiVersion: v1\n"
                                             "kind: Pod\n"
                                             "metadata: {name: x}\n"
                                             "spec: {containers: [{name: a, image: x}]}\n");
  return ks_pod_spec_ref (KS_POD (pod)->spec);
}

/* A pod named p<id> with UID bytes starting with uid_byte, assigned to node (may be NULL), in
 * phase, created at creation seconds. */
static KsPod *
rank_pod (KsPodSpec *spec, guint id, guint8 uid_byte, const char *node, KsPodPhase phase)
{
  KsPod *pod = ks_pod_new (spec);

  pod->parent.meta.name = g_strdup_printf ("p%u", id);
  pod->parent.meta.namespace = ks_intern ("default");
  pod->parent.meta.uid.bytes[0] = uid_byte;
  pod->parent.meta.uid.bytes[15] = (guint8) id;
  pod->parent.meta.creation_timestamp = 0;
  pod->node_name = node != NULL ? ks_intern (node) : NULL;
  pod->phase = phase;
  return pod;
}

static void
set_ready (KsPod *pod, gint64 since_seconds)
{
  pod->conditions[KS_POD_COND_READY].status = KS_CONDITION_TRUE;
  pod->conditions[KS_POD_COND_READY].last_transition_time = since_seconds * SEC;
}

static void
set_restarts (KsPod *pod, gint32 restarts)
{
  ks_pod_ensure_container_statuses (pod);
  pod->container_statuses[0].restart_count = restarts;
}

/* Sort pods (consumed) with ranks at now and check the names come out as expected. */
static void
assert_deletion_order (KsPod **pods, gint *ranks, guint n, gint64 now_seconds,
                       const char *const *expected)
{
  ks_sort_pods_for_deletion (pods, ranks, n, now_seconds * SEC);
  for (guint i = 0; i < n; i++)
    g_test_message ("position %u: %s", i, pods[i]->parent.meta.name);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (pods[i]->parent.meta.name, ==, expected[i]);
  for (guint i = 0; i < n; i++)
    ks_object_unref (KS_OBJECT (pods[i]));
}

static void
test_sort_unassigned_first (void)
{
  g_autoptr (SpecRef) spec = one_container_spec ();
  /* p1 assigned and Pending; p2 unassigned and Running (a contrived state): rule 1 comes
   * before the phase. */
  KsPod *pods[] = { rank_pod (spec, 1, 1, "n1", KS_POD_PENDING),
                    rank_pod (spec, 2, 2, NULL, KS_POD_RUNNING) };
  gint ranks[] = { 1, 1 };
  static const char *const expected[] = { "p2", "p1" };

  assert_deletion_order (pods, ranks, 2, 100, expected);
}

static void
test_sort_phase (void)
{
  g_autoptr (SpecRef) spec = one_container_spec ();
  KsPod *pods[]
      = { rank_pod (spec, 1, 1, "n1", KS_POD_RUNNING), rank_pod (spec, 2, 2, "n1", KS_POD_UNKNOWN),
          rank_pod (spec, 3, 3, "n1", KS_POD_PENDING) };
  gint ranks[] = { 3, 3, 3 };
  static const char *const expected[] = { "p3", "p2", "p1" };

  /* Ready must not matter before the phase: make the Pending one ready. */
  set_ready (pods[2], 10);
  assert_deletion_order (pods, ranks, 3, 100, expected);
}

static void
test_sort_not_ready_first (void)
{
  g_autoptr (SpecRef) spec = one_container_spec ();
  KsPod *pods[] = { rank_pod (spec, 1, 1, "n1", KS_POD_RUNNING),
                    rank_pod (spec, 2, 2, "n1", KS_POD_RUNNING) };
  gint ranks[] = { 1, 5 };
  static const char *const expected[] = { "p2", "p1" };

  /* p1 ready, p2 not: p2 goes first even with the lower cost rule and rank in p1's favour. */
  set_ready (pods[0], 10);
  ks_object_set_annotation (KS_OBJECT (pods[0]), "controller.kubernetes.io/pod-deletion-cost",
                            "-100");
  ranks[0] = 9;
  assert_deletion_order (pods, ranks, 2, 100, expected);
}

static void
test_sort_deletion_cost (void)
{
  g_autoptr (SpecRef) spec = one_container_spec ();
  KsPod *pods[]
      = { rank_pod (spec, 1, 1, "n1", KS_POD_RUNNING), rank_pod (spec, 2, 2, "n1", KS_POD_RUNNING),
          rank_pod (spec, 3, 3, "n1", KS_POD_RUNNING),
          rank_pod (spec, 4, 4, "n1", KS_POD_RUNNING) };
  gint ranks[] = { 1, 1, 1, 9 };
  static const char *const expected[] = { "p2", "p4", "p3", "p1" };

  ks_object_set_annotation (KS_OBJECT (pods[0]), "controller.kubernetes.io/pod-deletion-cost",
                            "10");
  ks_object_set_annotation (KS_OBJECT (pods[1]), "controller.kubernetes.io/pod-deletion-cost",
                            "-5");
  /* Not an integer: the default 0.  p3 and p4 both cost 0; p4's higher rank goes first. */
  ks_object_set_annotation (KS_OBJECT (pods[3]), "controller.kubernetes.io/pod-deletion-cost",
                            "lots");
  ranks[2] = 5;
  assert_deletion_order (pods, ranks, 4, 100, expected);
}

static void
test_sort_rank (void)
{
  g_autoptr (SpecRef) spec = one_container_spec ();
  KsPod *pods[]
      = { rank_pod (spec, 1, 1, "n1", KS_POD_RUNNING), rank_pod (spec, 2, 2, "n2", KS_POD_RUNNING),
          rank_pod (spec, 3, 3, "n3", KS_POD_RUNNING) };
  gint ranks[] = { 1, 3, 2 };
  static const char *const expected[] = { "p2", "p3", "p1" };

  /* Higher rank (more related pods on the node) first; restarts would say otherwise. */
  set_restarts (pods[0], 50);
  assert_deletion_order (pods, ranks, 3, 100, expected);
  g_assert_cmpint (ranks[0], ==, 3);
  g_assert_cmpint (ranks[2], ==, 1);
}

static void
test_sort_ready_time (void)
{
  g_autoptr (SpecRef) spec = one_container_spec ();
  /* now = 1000 s.  Ready 10 s ago: log2(1e10 ns) = 33.2 → 33; 100 s ago: log2(1e11) = 36.5 →
   * 36.  The more recently ready pod goes first. */
  KsPod *pods[] = { rank_pod (spec, 1, 1, "n1", KS_POD_RUNNING),
                    rank_pod (spec, 2, 2, "n1", KS_POD_RUNNING) };
  gint ranks[] = { 2, 2 };
  static const char *const expected[] = { "p2", "p1" };

  set_ready (pods[0], 900);
  set_ready (pods[1], 990);
  /* Restarts and creation time would both put p1 first: not consulted. */
  set_restarts (pods[0], 7);
  pods[1]->parent.meta.creation_timestamp = 0;
  pods[0]->parent.meta.creation_timestamp = 500 * SEC;
  assert_deletion_order (pods, ranks, 2, 1000, expected);
}

static void
test_sort_ready_time_same_bucket (void)
{
  g_autoptr (SpecRef) spec = one_container_spec ();
  /* Ready 10 s and 12 s ago: log2(1e10) = 33.2 and log2(1.2e10) = 33.5, both 33.  Same bucket:
   * the smaller UID goes first and the later keys are not looked at. */
  KsPod *pods[] = { rank_pod (spec, 1, 0x90, "n1", KS_POD_RUNNING),
                    rank_pod (spec, 2, 0x10, "n1", KS_POD_RUNNING) };
  gint ranks[] = { 1, 1 };
  static const char *const expected[] = { "p2", "p1" };

  set_ready (pods[0], 990);
  set_ready (pods[1], 988);
  /* p1 has more restarts (rule 7 would pick it), p2 is newer on creation (rule 8 as well). */
  set_restarts (pods[0], 3);
  assert_deletion_order (pods, ranks, 2, 1000, expected);
}

static void
test_sort_restarts (void)
{
  g_autoptr (SpecRef) spec = one_container_spec ();
  KsPod *pods[]
      = { rank_pod (spec, 1, 1, "n1", KS_POD_RUNNING), rank_pod (spec, 2, 2, "n1", KS_POD_RUNNING),
          rank_pod (spec, 3, 3, "n1", KS_POD_RUNNING) };
  gint ranks[] = { 1, 1, 1 };
  static const char *const expected[] = { "p2", "p3", "p1" };

  /* Both ready at the same second: the ready-time rule does not decide. */
  set_ready (pods[0], 500);
  set_ready (pods[1], 500);
  set_ready (pods[2], 500);
  set_restarts (pods[0], 1);
  set_restarts (pods[1], 5);
  set_restarts (pods[2], 2);
  /* Creation times say otherwise (p1 newest). */
  pods[0]->parent.meta.creation_timestamp = 900 * SEC;
  assert_deletion_order (pods, ranks, 3, 1000, expected);
}

static void
test_sort_creation_time (void)
{
  g_autoptr (SpecRef) spec = one_container_spec ();
  /* now = 1000 s.  Created at 900 s (100 s ago, bucket 36) and at 0 (1000 s ago,
   * log2(1e12) = 39.9 → 39): the newer first. */
  KsPod *pods[] = { rank_pod (spec, 1, 1, "n1", KS_POD_PENDING),
                    rank_pod (spec, 2, 2, "n1", KS_POD_PENDING) };
  gint ranks[] = { 1, 1 };
  static const char *const expected[] = { "p2", "p1" };

  pods[0]->parent.meta.creation_timestamp = 0;
  pods[1]->parent.meta.creation_timestamp = 900 * SEC;
  assert_deletion_order (pods, ranks, 2, 1000, expected);
}

static void
test_sort_creation_time_same_bucket (void)
{
  g_autoptr (SpecRef) spec = one_container_spec ();
  /* Created 10 s and 12 s ago: both bucket 33, so the smaller UID goes first although p1 is
   * the newer one. */
  KsPod *pods[] = { rank_pod (spec, 1, 0xa0, "n1", KS_POD_PENDING),
                    rank_pod (spec, 2, 0x0a, "n1", KS_POD_PENDING) };
  gint ranks[] = { 1, 1 };
  static const char *const expected[] = { "p2", "p1" };

  pods[0]->parent.meta.creation_timestamp = 990 * SEC;
  pods[1]->parent.meta.creation_timestamp = 988 * SEC;
  assert_deletion_order (pods, ranks, 2, 1000, expected);
}

static void
test_sort_equal (void)
{
  g_autoptr (SpecRef) spec = one_container_spec ();
  KsPod *pods[] = { rank_pod (spec, 2, 2, "n1", KS_POD_PENDING),
                    rank_pod (spec, 1, 1, "n1", KS_POD_PENDING) };
  gint ranks[] = { 1, 1 };
  static const char *const expected[] = { "p2", "p1" };

  /* Same creation second: nothing tells them apart, the order stays. */
  pods[0]->parent.meta.creation_timestamp = 10 * SEC + 300000;
  pods[1]->parent.meta.creation_timestamp = 10 * SEC;
  assert_deletion_order (pods, ranks, 2, 1000, expected);
}

/* ---- pod-template-hash -------------------------------------------------------------------- */

static const char deploy_yaml[] = "apiVersion: apps/v1\n"
                                  "kind: Deployment\n"
                                  "metadata: {name: web}\n"
                                  "spec:\n"
                                  "  replicas: 3\n"
                                  "  selector: {matchLabels: {app: web}}\n"
                                  "  template:\n"
                                  "    metadata: {labels: {app: web}}\n"
                                  "    spec: {containers: [{name: a, image: \"nginx:1.25\"}]}\n";

static const char deploy_v2_yaml[] = "apiVersion: apps/v1\n"
                                     "kind: Deployment\n"
                                     "metadata: {name: web}\n"
                                     "spec:\n"
                                     "  replicas: 3\n"
                                     "  selector: {matchLabels: {app: web}}\n"
                                     "  template:\n"
                                     "    metadata: {labels: {app: web}}\n"
                                     "    spec: {containers: [{name: a, image: \"nginx:1.26\"}]}\n";

/* ComputeHash by the reference: FNV-32a over the template's canonical JSON (without the hash
 * label), then, with a collision count, its 4 little-endian bytes padded to 8; the 32-bit sum in
 * decimal; each digit mapped to the alphabet by byte value modulo 27. */
static char *
reference_hash (const KsPodTemplate *t, gboolean has_count, guint32 count)
{
  g_autofree char *json = ks_pod_template_to_json (t, KS_LABEL_POD_TEMPLATE_HASH);
  guint32 h = 0x811c9dc5u;
  char digits[16];
  GString *out = g_string_new (NULL);

  for (const guint8 *p = (const guint8 *) json; *p != 0; p++)
    h = (h ^ *p) * 0x01000193u;
  if (has_count)
    {
      guint8 bytes[8]
          = { count & 0xff, (count >> 8) & 0xff, (count >> 16) & 0xff, count >> 24, 0, 0, 0, 0 };
      for (guint i = 0; i < 8; i++)
        h = (h ^ bytes[i]) * 0x01000193u;
    }
  g_snprintf (digits, sizeof digits, "%u", h);
  for (const char *p = digits; *p != '\0'; p++)
    g_string_append_c (out, NAME_ALPHABET[(guint8) *p % 27]);
  return g_string_free (out, FALSE);
}

static void
test_template_hash (void)
{
  g_autoptr (KsObject) a = ks_test_decode (deploy_yaml);
  g_autoptr (KsObject) b = ks_test_decode (deploy_yaml);
  g_autoptr (KsObject) c = ks_test_decode (deploy_v2_yaml);
  const KsPodTemplate *ta = &KS_DEPLOYMENT (a)->template;
  const KsPodTemplate *tb = &KS_DEPLOYMENT (b)->template;
  const KsPodTemplate *tc = &KS_DEPLOYMENT (c)->template;
  g_autofree char *ha = ks_pod_template_hash (ta, FALSE, 0);
  g_autofree char *hb = ks_pod_template_hash (tb, FALSE, 0);
  g_autofree char *hc = ks_pod_template_hash (tc, FALSE, 0);
  g_autofree char *h1 = ks_pod_template_hash (ta, TRUE, 1);
  g_autofree char *h0 = ks_pod_template_hash (ta, TRUE, 0);
  g_autofree char *ra = reference_hash (ta, FALSE, 0);
  g_autofree char *rc = reference_hash (tc, FALSE, 0);
  g_autofree char *r1 = reference_hash (ta, TRUE, 1);
  g_autofree char *r0 = reference_hash (ta, TRUE, 0);
  KsPodTemplate labelled = { 0 };
  g_autofree char *hl = NULL;

  /* Equal templates (decoded separately) hash equally; another image does not. */
  g_assert_cmpstr (ha, ==, hb);
  g_assert_cmpstr (ha, !=, hc);
  g_assert_cmpstr (ha, ==, ra);
  g_assert_cmpstr (hc, ==, rc);
  /* collisionCount is mixed in when set, even when 0. */
  g_assert_cmpstr (h1, ==, r1);
  g_assert_cmpstr (h0, ==, r0);
  g_assert_cmpstr (h1, !=, ha);
  g_assert_cmpstr (h0, !=, ha);
  g_assert_cmpstr (h0, !=, h1);
  /* A decimal uint32 has at most 10 digits. */
  g_assert_cmpuint (strlen (ha), >=, 1);
  g_assert_cmpuint (strlen (ha), <=, 10);
  for (const char *p = ha; *p != '\0'; p++)
    g_assert_nonnull (strchr (NAME_ALPHABET, *p));

  /* The hash label itself does not count (a ReplicaSet's template hashes as its
   * deployment's). */
  ks_pod_template_copy (&labelled, ta);
  ks_str_map_unref (labelled.labels);
  labelled.labels = ks_str_map_with (ta->labels, KS_LABEL_POD_TEMPLATE_HASH, ha);
  hl = ks_pod_template_hash (&labelled, FALSE, 0);
  g_assert_cmpstr (hl, ==, ha);
  ks_pod_template_clear (&labelled);
}

static void
test_templates_equal_ignore_hash (void)
{
  g_autoptr (KsObject) a = ks_test_decode (deploy_yaml);
  g_autoptr (KsObject) c = ks_test_decode (deploy_v2_yaml);
  const KsPodTemplate *ta = &KS_DEPLOYMENT (a)->template;
  KsPodTemplate hashed = { 0 }, relabelled = { 0 };

  ks_pod_template_copy (&hashed, ta);
  ks_str_map_unref (hashed.labels);
  hashed.labels = ks_str_map_with (ta->labels, KS_LABEL_POD_TEMPLATE_HASH, "abc12");
  ks_pod_template_copy (&relabelled, ta);
  ks_str_map_unref (relabelled.labels);
  relabelled.labels = ks_str_map_with (ta->labels, "tier", "fe");

  g_assert_true (ks_pod_templates_equal_ignore_hash (ta, ta));
  g_assert_true (ks_pod_templates_equal_ignore_hash (ta, &hashed));
  g_assert_true (ks_pod_templates_equal_ignore_hash (&hashed, ta));
  g_assert_false (ks_pod_templates_equal_ignore_hash (ta, &relabelled));
  g_assert_false (ks_pod_templates_equal_ignore_hash (ta, &KS_DEPLOYMENT (c)->template));
  ks_pod_template_clear (&hashed);
  ks_pod_template_clear (&relabelled);
}

/* ---- Deployment controller ---------------------------------------------------------------- */

/* The only ReplicaSet of the fixture, checked against the deployment's current template. */
static KsReplicaSet *
the_rs (Fixture *f)
{
  g_autoptr (GPtrArray) all = list (f, KS_KIND_REPLICA_SET);

  g_assert_cmpuint (all->len, ==, 1);
  return g_ptr_array_index (all, 0);
}

static char *
expected_rs_name (Fixture *f, const char *deployment)
{
  KsDeployment *d = KS_DEPLOYMENT (get (f, KS_KIND_DEPLOYMENT, deployment));
  g_autofree char *hash = reference_hash (&d->template, FALSE, 0);

  return g_strdup_printf ("%s-%s", deployment, hash);
}

static void
test_deployment_create (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) pods = NULL;
  g_autoptr (GPtrArray) scaling = NULL;
  g_autofree char *name = NULL;
  g_autofree char *event = NULL;
  g_autofree char *pod_prefix = NULL;
  const char *hash;
  KsDeployment *d;
  KsReplicaSet *rs;
  const KsOwnerRef *ref;

  ks_test_create (f->store, ks_test_decode (deploy_yaml));
  run_to (f, 1);
  dump_events (f);
  d = KS_DEPLOYMENT (get (f, KS_KIND_DEPLOYMENT, "web"));
  rs = the_rs (f);
  name = expected_rs_name (f, "web");
  g_assert_cmpstr (rs->parent.meta.name, ==, name);
  hash = name + strlen ("web-");

  /* The hash label on the ReplicaSet, its selector and its template. */
  g_assert_cmpstr (ks_object_get_label (KS_OBJECT (rs), KS_LABEL_POD_TEMPLATE_HASH), ==, hash);
  g_assert_cmpstr (ks_object_get_label (KS_OBJECT (rs), "app"), ==, "web");
  g_assert_cmpstr (ks_str_map_lookup (rs->selector->match_labels, KS_LABEL_POD_TEMPLATE_HASH), ==,
                   hash);
  g_assert_cmpstr (ks_str_map_lookup (rs->selector->match_labels, "app"), ==, "web");
  g_assert_cmpstr (ks_str_map_lookup (rs->template.labels, KS_LABEL_POD_TEMPLATE_HASH), ==, hash);
  g_assert_true (ks_pod_templates_equal_ignore_hash (&rs->template, &d->template));
  /* The deployment's own template is left alone. */
  g_assert_null (ks_str_map_lookup (d->template.labels, KS_LABEL_POD_TEMPLATE_HASH));

  /* Annotations: revision 1; desired 3; max 3 + ceil(25% of 3) = 4. */
  g_assert_cmpstr (ks_object_get_annotation (KS_OBJECT (rs), KS_ANNOTATION_REVISION), ==, "1");
  g_assert_cmpstr (ks_object_get_annotation (KS_OBJECT (d), KS_ANNOTATION_REVISION), ==, "1");
  g_assert_cmpstr (ks_object_get_annotation (KS_OBJECT (rs), KS_ANNOTATION_DESIRED_REPLICAS), ==,
                   "3");
  g_assert_cmpstr (ks_object_get_annotation (KS_OBJECT (rs), KS_ANNOTATION_MAX_REPLICAS), ==, "4");
  g_assert_cmpint (rs->replicas, ==, 3);
  ref = ks_object_get_controller_ref (KS_OBJECT (rs));
  g_assert_nonnull (ref);
  g_assert_cmpstr (ref->kind, ==, "Deployment");
  g_assert_cmpstr (ref->name, ==, "web");
  g_assert_true (ks_uid_equal (&ref->uid, &d->parent.meta.uid));

  scaling = events_with_reason (f, "ScalingReplicaSet");
  event = g_strdup_printf ("ScalingReplicaSet Deployment default/web: Scaled up replica set %s "
                           "from 0 to 3",
                           name);
  g_assert_cmpuint (scaling->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (scaling, 0), ==, event);

  /* The ReplicaSet made its pods: <rs>-xxxxx with the hash label. */
  pods = list (f, KS_KIND_POD);
  g_assert_cmpuint (pods->len, ==, 3);
  pod_prefix = g_strdup_printf ("%s-", name);
  for (guint i = 0; i < pods->len; i++)
    {
      KsObject *pod = g_ptr_array_index (pods, i);
      assert_generated_name (pod->meta.name, pod_prefix);
      g_assert_cmpstr (ks_object_get_label (pod, KS_LABEL_POD_TEMPLATE_HASH), ==, hash);
      g_assert_cmpstr (ks_object_get_controller_ref (pod)->name, ==, name);
    }

  /* Status: 3 replicas, all updated, none available; maxUnavailable is 0 for 3 replicas. */
  g_assert_cmpint (d->status.replicas, ==, 3);
  g_assert_cmpint (d->status.updated_replicas, ==, 3);
  g_assert_cmpint (d->status.available_replicas, ==, 0);
  g_assert_cmpint (d->status.unavailable_replicas, ==, 3);
  g_assert_cmpint (d->status.observed_generation, ==, 1);
  g_assert_cmpint (d->status.conditions[KS_DEPLOY_COND_AVAILABLE].status, ==, KS_CONDITION_FALSE);
  g_assert_cmpstr (d->status.conditions[KS_DEPLOY_COND_AVAILABLE].reason, ==,
                   "MinimumReplicasUnavailable");
  g_assert_cmpint (d->status.conditions[KS_DEPLOY_COND_PROGRESSING].status, ==, KS_CONDITION_TRUE);
}

static void
test_deployment_scale (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) scaling = NULL;
  g_autoptr (GPtrArray) pods = NULL;
  g_autofree char *name = NULL;
  g_autofree char *up = NULL;
  g_autofree char *down = NULL;
  KsReplicaSet *rs;

  ks_test_create (f->store, ks_test_decode (deploy_yaml));
  run_to (f, 1);
  name = expected_rs_name (f, "web");

  update_ok (f, KS_KIND_DEPLOYMENT, "web", set_deployment_replicas, GINT_TO_POINTER (5));
  run_to (f, 2);
  rs = the_rs (f);
  /* Still the same ReplicaSet, now 5; max 5 + ceil(1.25) = 7. */
  g_assert_cmpstr (rs->parent.meta.name, ==, name);
  g_assert_cmpint (rs->replicas, ==, 5);
  g_assert_cmpstr (ks_object_get_annotation (KS_OBJECT (rs), KS_ANNOTATION_DESIRED_REPLICAS), ==,
                   "5");
  g_assert_cmpstr (ks_object_get_annotation (KS_OBJECT (rs), KS_ANNOTATION_MAX_REPLICAS), ==, "7");
  g_assert_cmpstr (ks_object_get_annotation (KS_OBJECT (rs), KS_ANNOTATION_REVISION), ==, "1");
  pods = list (f, KS_KIND_POD);
  g_assert_cmpuint (pods->len, ==, 5);

  update_ok (f, KS_KIND_DEPLOYMENT, "web", set_deployment_replicas, GINT_TO_POINTER (2));
  run_to (f, 3);
  dump_events (f);
  rs = the_rs (f);
  /* 2 + ceil(0.5) = 3. */
  g_assert_cmpint (rs->replicas, ==, 2);
  g_assert_cmpstr (ks_object_get_annotation (KS_OBJECT (rs), KS_ANNOTATION_DESIRED_REPLICAS), ==,
                   "2");
  g_assert_cmpstr (ks_object_get_annotation (KS_OBJECT (rs), KS_ANNOTATION_MAX_REPLICAS), ==, "3");
  g_ptr_array_unref (pods);
  pods = list (f, KS_KIND_POD);
  g_assert_cmpuint (pods->len, ==, 2);

  scaling = events_with_reason (f, "ScalingReplicaSet");
  up = g_strdup_printf ("ScalingReplicaSet Deployment default/web: Scaled up replica set %s from "
                        "3 to 5",
                        name);
  down = g_strdup_printf ("ScalingReplicaSet Deployment default/web: Scaled down replica set %s "
                          "from 5 to 2",
                          name);
  g_assert_cmpuint (scaling->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (scaling, 1), ==, up);
  g_assert_cmpstr (g_ptr_array_index (scaling, 2), ==, down);
}

/* The ReplicaSets named old and new (borrowed), asserting there are exactly those two. */
static void
two_rs (Fixture *f, const char *old_name, const char *new_name, KsReplicaSet **old_rs,
        KsReplicaSet **new_rs)
{
  g_autoptr (GPtrArray) all = list (f, KS_KIND_REPLICA_SET);

  g_assert_cmpuint (all->len, ==, 2);
  *old_rs = KS_REPLICA_SET (get (f, KS_KIND_REPLICA_SET, old_name));
  *new_rs = KS_REPLICA_SET (get (f, KS_KIND_REPLICA_SET, new_name));
  g_assert_nonnull (*old_rs);
  g_assert_nonnull (*new_rs);
}

static void
test_deployment_rolling_first_step (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) pods = NULL;
  g_autoptr (GPtrArray) scaling = NULL;
  g_autofree char *old_name = NULL;
  g_autofree char *new_name = NULL;
  g_autofree char *event = NULL;
  KsReplicaSet *old_rs, *new_rs;

  ks_test_create (f->store, ks_test_decode (deploy_yaml));
  run_to (f, 1);
  old_name = expected_rs_name (f, "web");
  update_ok (f, KS_KIND_DEPLOYMENT, "web", set_deployment_template, (gpointer) deploy_v2_yaml);
  run_to (f, 2);
  dump_events (f);
  new_name = expected_rs_name (f, "web");
  g_assert_cmpstr (old_name, !=, new_name);
  two_rs (f, old_name, new_name, &old_rs, &new_rs);

  /* §3.4 with replicas 3 (surge 1, unavailable 0): maxTotal 4, current 3 → the new set gets
   * min(4 − 3, 3 − 0) = 1; the old one cannot shrink: maxScaledDown = 4 − 3 − (1 − 0) = 0. */
  g_assert_cmpint (new_rs->replicas, ==, 1);
  g_assert_cmpint (old_rs->replicas, ==, 3);
  g_assert_cmpstr (ks_object_get_annotation (KS_OBJECT (new_rs), KS_ANNOTATION_REVISION), ==, "2");
  g_assert_cmpstr (ks_object_get_annotation (KS_OBJECT (old_rs), KS_ANNOTATION_REVISION), ==, "1");
  /* The Deployment mirrors the new ReplicaSet's revision. */
  g_assert_cmpstr (
      ks_object_get_annotation (get (f, KS_KIND_DEPLOYMENT, "web"), KS_ANNOTATION_REVISION), ==,
      "2");
  g_assert_cmpstr (ks_object_get_annotation (KS_OBJECT (new_rs), KS_ANNOTATION_DESIRED_REPLICAS),
                   ==, "3");
  g_assert_cmpstr (ks_object_get_annotation (KS_OBJECT (new_rs), KS_ANNOTATION_MAX_REPLICAS), ==,
                   "4");
  pods = list (f, KS_KIND_POD);
  g_assert_cmpuint (pods->len, ==, 4);
  scaling = events_with_reason (f, "ScalingReplicaSet");
  g_assert_cmpuint (scaling->len, ==, 2);
  event = g_strdup_printf ("ScalingReplicaSet Deployment default/web: Scaled up replica set %s "
                           "from 0 to 1",
                           new_name);
  g_assert_cmpstr (g_ptr_array_index (scaling, 1), ==, event);

  /* Without available pods nothing moves any more. */
  run_to (f, 120);
  two_rs (f, old_name, new_name, &old_rs, &new_rs);
  g_assert_cmpint (new_rs->replicas, ==, 1);
  g_assert_cmpint (old_rs->replicas, ==, 3);
  g_ptr_array_unref (pods);
  pods = list (f, KS_KIND_POD);
  g_assert_cmpuint (pods->len, ==, 4);
  g_assert_cmpuint (KS_DEPLOYMENT (get (f, KS_KIND_DEPLOYMENT, "web"))->status.updated_replicas, ==,
                    1);
}

static void
set_ten_replicas (KsObject *copy, gpointer data)
{
  KS_DEPLOYMENT (copy)->replicas = 10;
}

static void
test_deployment_rolling_unhealthy (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) scaling = NULL;
  g_autoptr (GPtrArray) pods = NULL;
  g_autofree char *old_name = NULL;
  g_autofree char *new_name = NULL;
  KsReplicaSet *old_rs, *new_rs;
  guint first;

  ks_test_create (f->store, ks_test_decode (deploy_yaml));
  update_ok (f, KS_KIND_DEPLOYMENT, "web", set_ten_replicas, NULL);
  run_to (f, 1);
  old_name = expected_rs_name (f, "web");
  g_assert_cmpint (the_rs (f)->replicas, ==, 10);
  first = f->sink.lines->len;
  update_ok (f, KS_KIND_DEPLOYMENT, "web", set_deployment_template, (gpointer) deploy_v2_yaml);
  run_to (f, 2);
  dump_events (f);
  new_name = expected_rs_name (f, "web");
  two_rs (f, old_name, new_name, &old_rs, &new_rs);

  /* replicas 10: surge ceil(2.5) = 3, unavailable floor(2.5) = 2; maxTotal 13, minAvailable 8.
   * Sync 1: new = min(13 − 10, 10) = 3; old: maxScaledDown = 13 − 8 − (3 − 0) = 2, spent on
   *   the old set's unavailable pods: 10 → 8.
   * Sync 2: total 11 < 13: new = 3 + min(2, 7) = 5.
   * Sync 3: total 13, maxScaledDown = 13 − 8 − 5 = 0: steady. */
  g_assert_cmpint (new_rs->replicas, ==, 5);
  g_assert_cmpint (old_rs->replicas, ==, 8);
  pods = list (f, KS_KIND_POD);
  g_assert_cmpuint (pods->len, ==, 13);
  scaling = events_with_reason (f, "ScalingReplicaSet");
  g_assert_cmpuint (scaling->len, ==, 4);
  {
    g_autofree char *e1 = g_strdup_printf ("ScalingReplicaSet Deployment default/web: Scaled up "
                                           "replica set %s from 0 to 3",
                                           new_name);
    g_autofree char *e2 = g_strdup_printf ("ScalingReplicaSet Deployment default/web: Scaled down "
                                           "replica set %s from 10 to 8",
                                           old_name);
    g_autofree char *e3 = g_strdup_printf ("ScalingReplicaSet Deployment default/web: Scaled up "
                                           "replica set %s from 3 to 5",
                                           new_name);
    g_assert_cmpstr (g_ptr_array_index (scaling, 1), ==, e1);
    g_assert_cmpstr (g_ptr_array_index (scaling, 2), ==, e2);
    g_assert_cmpstr (g_ptr_array_index (scaling, 3), ==, e3);
  }
  g_assert_cmpuint (f->sink.lines->len, >, first);
  run_to (f, 120);
  two_rs (f, old_name, new_name, &old_rs, &new_rs);
  g_assert_cmpint (new_rs->replicas, ==, 5);
  g_assert_cmpint (old_rs->replicas, ==, 8);
}

static void
test_deployment_delete_cascades (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) pods = NULL;
  g_autoptr (GPtrArray) left = NULL;
  g_autoptr (GPtrArray) sets = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *bound = NULL;
  KsObject *pod;

  ks_test_create (f->store, ks_test_decode (deploy_yaml));
  run_to (f, 1);
  pods = list (f, KS_KIND_POD);
  g_assert_cmpuint (pods->len, ==, 3);
  bound = g_strdup (KS_OBJECT (g_ptr_array_index (pods, 0))->meta.name);
  g_assert_true (ks_store_bind (f->store, "default", bound, NULL, "node-1", &error));
  g_assert_no_error (error);
  run_to (f, 2);

  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_DEPLOYMENT), "default", "web", NULL, &error));
  g_assert_no_error (error);
  run_to (f, 3);

  /* Deployment → ReplicaSet → pods. Unbound pods go at once; the bound one terminates. */
  g_assert_null (get (f, KS_KIND_DEPLOYMENT, "web"));
  sets = list (f, KS_KIND_REPLICA_SET);
  g_assert_cmpuint (sets->len, ==, 0);
  left = list (f, KS_KIND_POD);
  g_assert_cmpuint (left->len, ==, 1);
  pod = g_ptr_array_index (left, 0);
  g_assert_cmpstr (pod->meta.name, ==, bound);
  g_assert_true (ks_object_is_being_deleted (pod));
  g_assert_cmpint (pod->meta.deletion_timestamp, ==, 2 * SEC + 30 * SEC);
  /* Nothing recreated the pods. */
  run_to (f, 10);
  g_ptr_array_unref (left);
  left = list (f, KS_KIND_POD);
  g_assert_cmpuint (left->len, ==, 1);
}

static void
test_rs_delete_orphan (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) pods = NULL;
  g_autoptr (GError) error = NULL;
  KsDeleteOptions orphan = { .grace_period_seconds = -1, .propagation = KS_PROPAGATION_ORPHAN };

  ks_test_create (f->store, ks_test_decode (rs_yaml));
  run_to (f, 1);
  g_assert_true (ks_store_delete (f->store, ks_kind_get (KS_KIND_REPLICA_SET), "default", "web",
                                  &orphan, &error));
  g_assert_no_error (error);
  run_to (f, 2);
  /* Orphaned pods stay, without owner. */
  pods = list (f, KS_KIND_POD);
  g_assert_cmpuint (pods->len, ==, 3);
  for (guint i = 0; i < pods->len; i++)
    g_assert_null (KS_OBJECT (g_ptr_array_index (pods, i))->meta.owner_refs);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/controllers/replicaset/create-pods", test_rs_create_pods);
  ADD ("/controllers/replicaset/scale-down", test_rs_scale_down);
  ADD ("/controllers/replicaset/replaces-deleted", test_rs_replaces_deleted);
  ADD ("/controllers/replicaset/delete-orphan", test_rs_delete_orphan);
  g_test_add_func ("/controllers/replicaset/sort/unassigned-first", test_sort_unassigned_first);
  g_test_add_func ("/controllers/replicaset/sort/phase", test_sort_phase);
  g_test_add_func ("/controllers/replicaset/sort/not-ready-first", test_sort_not_ready_first);
  g_test_add_func ("/controllers/replicaset/sort/deletion-cost", test_sort_deletion_cost);
  g_test_add_func ("/controllers/replicaset/sort/rank", test_sort_rank);
  g_test_add_func ("/controllers/replicaset/sort/ready-time", test_sort_ready_time);
  g_test_add_func ("/controllers/replicaset/sort/ready-time-same-bucket",
                   test_sort_ready_time_same_bucket);
  g_test_add_func ("/controllers/replicaset/sort/restarts", test_sort_restarts);
  g_test_add_func ("/controllers/replicaset/sort/creation-time", test_sort_creation_time);
  g_test_add_func ("/controllers/replicaset/sort/creation-time-same-bucket",
                   test_sort_creation_time_same_bucket);
  g_test_add_func ("/controllers/replicaset/sort/equal", test_sort_equal);

  g_test_add_func ("/controllers/deployment/template-hash", test_template_hash);
  g_test_add_func ("/controllers/deployment/templates-equal-ignore-hash",
                   test_templates_equal_ignore_hash);
  ADD ("/controllers/deployment/create", test_deployment_create);
  ADD ("/controllers/deployment/scale", test_deployment_scale);
  ADD ("/controllers/deployment/rolling-first-step", test_deployment_rolling_first_step);
  ADD ("/controllers/deployment/rolling-unhealthy", test_deployment_rolling_unhealthy);
  ADD ("/controllers/deployment/delete-cascades", test_deployment_delete_cascades);
#undef ADD

  return g_test_run ();
}
