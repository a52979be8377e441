/* test-store.c: tests for the object store (src/store/ks-store.c), its admission
 * (ks-admission.c), the store-backed client and controller work queues, on a simulated clock.
 *
 * Covered: creation with generated names, UIDs and resourceVersions; namespaces; generation;
 * optimistic concurrency; watches (order, nesting, node filters, replay, unwatch while
 * dispatching); graceful pod deletion; Priority and DefaultTolerationSeconds admission; the
 * owner index and orphaning; work-queue dedup, FIFO order, delays and requeues.
 * Expected values come from the Kubernetes reference (§1.9, §5.2, §8.4–8.6), worked by hand. */
#include "config.h"

#include <string.h>

#include "sim/ks-sim-clock.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-yaml.h"
#include "src/store/ks-admission.h"
#include "src/store/ks-bootstrap.h"
#include "src/store/ks-client.h"
#include "src/store/ks-store.h"
#include "src/store/ks-workqueue.h"
#include "tests/ks-test.h"

#define SEC KS_USEC_PER_SEC
#define NAME_ALPHABET "bcdfghjklmnpqrstvwxz2456789"

typedef struct
{
  KsSimClock *sim;
  KsClock *clock;
  KsStore *store;
} Fixture;

/* ---- helpers ---------------------------------------------------------------------------- */

static KsObject *
namespace_new (const char *name)
{
  return KS_OBJECT (ks_namespace_new (name));
}

/* A pod with an empty spec in namespace ns (may be NULL). */
static KsObject *
pod_new (const char *ns, const char *name)
{
  KsPodSpec *spec = ks_pod_spec_new ();
  KsPod *pod;

  ks_pod_spec_finish (spec);
  pod = ks_pod_new (spec);
  ks_pod_spec_unref (spec);
  pod->parent.meta.name = g_strdup (name);
  pod->parent.meta.namespace = ns != NULL ? ks_intern (ns) : NULL;
  return KS_OBJECT (pod);
}

static const char deployment_yaml[] = "apiVersion: apps/v1\n"
                                      "kind: Deployment\n"
                                      "metadata: {name: web}\n"
                                      "spec:\n"
                                      "  replicas: 2\n"
                                      "  selector: {matchLabels: {app: web}}\n"
                                      "  template:\n"
                                      "    metadata: {labels: {app: web}}\n"
                                      "    spec: {containers: [{name: a, image: nginx}]}\n";

static KsObject *
pod_get (Fixture *f, const char *name)
{
  return ks_store_get (f->store, ks_kind_get (KS_KIND_POD), "default", name);
}

static void
bind_ok (Fixture *f, const char *name, const char *node)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ks_store_bind (f->store, "default", name, NULL, node, &error));
  g_assert_no_error (error);
}

/* Replace the stored pod by a copy in phase (status update). */
static void
set_phase (Fixture *f, const char *name, KsPodPhase phase)
{
  g_autoptr (GError) error = NULL;
  KsPod *copy = ks_pod_copy (KS_POD (pod_get (f, name)));

  copy->phase = phase;
  g_assert_nonnull (ks_store_update (f->store, KS_OBJECT (copy), TRUE, &error));
  g_assert_no_error (error);
  ks_object_unref (KS_OBJECT (copy));
}

static void
fixture_setup_seed (Fixture *f, guint64 seed)
{
  f->sim = ks_sim_clock_new ();
  f->clock = ks_sim_clock_get_clock (f->sim);
  f->store = ks_store_new (f->clock, seed);
  ks_test_create (f->store, namespace_new ("default"));
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  fixture_setup_seed (f, 42);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ks_store_free (f->store);
  ks_sim_clock_free (f->sim);
}

/* A watcher that records "TYPE key" lines and the resourceVersions of the event objects. */
typedef struct
{
  GPtrArray *lines;
  GArray *rvs;
  guint destroyed;
} Recorder;

static Recorder *
recorder_new (void)
{
  Recorder *r = g_new0 (Recorder, 1);
  r->lines = g_ptr_array_new_with_free_func (g_free);
  r->rvs = g_array_new (FALSE, FALSE, sizeof (guint64));
  return r;
}

static void
recorder_free (Recorder *r)
{
  g_ptr_array_unref (r->lines);
  g_array_unref (r->rvs);
  g_free (r);
}

static void
recorder_destroy (gpointer data)
{
  ((Recorder *) data)->destroyed++;
}

static void
record_event (const KsWatchEvent *event, gpointer data)
{
  Recorder *r = data;
  g_autofree char *key = ks_object_key (event->object);

  g_ptr_array_add (r->lines, g_strdup_printf ("%s %s %s", ks_watch_event_type_name (event->type),
                                              event->object->kind->name, key));
  g_array_append_val (r->rvs, event->object->meta.resource_version);
}

static void
assert_lines (Recorder *r, const char *const *expected)
{
  guint n = g_strv_length ((char **) expected);

  for (guint i = 0; i < r->lines->len; i++)
    g_test_message ("event: %s", (const char *) g_ptr_array_index (r->lines, i));
  g_assert_cmpuint (r->lines->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (r->lines, i), ==, expected[i]);
}

static void
assert_rvs_increasing (Recorder *r)
{
  for (guint i = 1; i < r->rvs->len; i++)
    g_assert_cmpuint (g_array_index (r->rvs, guint64, i - 1), <,
                      g_array_index (r->rvs, guint64, i));
}

static gboolean
is_name_char (char c)
{
  return c != '\0' && strchr (NAME_ALPHABET, c) != NULL;
}

/* ---- create, get, list -------------------------------------------------------------------- */

static void
test_create_get (Fixture *f, gconstpointer data)
{
  KsObject *stored = ks_test_create (f->store, pod_new ("default", "web"));
  KsObject *ns = ks_store_get (f->store, ks_kind_get (KS_KIND_NAMESPACE), NULL, "default");

  g_assert_nonnull (ns);
  g_assert_true (ks_store_get (f->store, ks_kind_get (KS_KIND_POD), "default", "web") == stored);
  g_assert_null (ks_store_get (f->store, ks_kind_get (KS_KIND_POD), "default", "other"));
  g_assert_null (ks_store_get (f->store, ks_kind_get (KS_KIND_POD), "kube-system", "web"));
  g_assert_null (ks_store_get (f->store, ks_kind_get (KS_KIND_NODE), NULL, "web"));
  g_assert_cmpint (stored->meta.creation_timestamp, ==, 0);
  g_assert_cmpint (stored->meta.deletion_timestamp, ==, KS_TIME_NONE);
  g_assert_cmpuint (ks_store_count (f->store, ks_kind_get (KS_KIND_POD)), ==, 1);
  g_assert_true (ks_store_get_clock (f->store) == f->clock);
}

static void
test_list_sorted (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) all = g_ptr_array_new ();
  g_autoptr (GPtrArray) in_default = g_ptr_array_new ();
  g_autoptr (GPtrArray) in_apps = g_ptr_array_new ();
  g_autoptr (GPtrArray) in_none = g_ptr_array_new ();
  g_autoptr (GPtrArray) nodes = g_ptr_array_new ();
  static const char *const expected[]
      = { "apps/c", "apps/z", "default/a", "default/b", "kube-system/m" };

  ks_test_create (f->store, namespace_new ("kube-system"));
  ks_test_create (f->store, namespace_new ("apps"));
  ks_test_create (f->store, pod_new ("default", "b"));
  ks_test_create (f->store, pod_new ("kube-system", "m"));
  ks_test_create (f->store, pod_new ("apps", "z"));
  ks_test_create (f->store, pod_new ("default", "a"));
  ks_test_create (f->store, pod_new ("apps", "c"));
  ks_test_create (f->store, KS_OBJECT (ks_node_new ("node-b")));
  ks_test_create (f->store, KS_OBJECT (ks_node_new ("node-a")));

  ks_store_list (f->store, ks_kind_get (KS_KIND_POD), NULL, all);
  g_assert_cmpuint (all->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < all->len; i++)
    {
      g_autofree char *key = ks_object_key (g_ptr_array_index (all, i));
      g_assert_cmpstr (key, ==, expected[i]);
    }
  ks_store_list (f->store, ks_kind_get (KS_KIND_POD), "default", in_default);
  g_assert_cmpuint (in_default->len, ==, 2);
  g_assert_cmpstr (KS_OBJECT (g_ptr_array_index (in_default, 0))->meta.name, ==, "a");
  g_assert_cmpstr (KS_OBJECT (g_ptr_array_index (in_default, 1))->meta.name, ==, "b");
  ks_store_list (f->store, ks_kind_get (KS_KIND_POD), "apps", in_apps);
  g_assert_cmpuint (in_apps->len, ==, 2);
  g_assert_cmpstr (KS_OBJECT (g_ptr_array_index (in_apps, 0))->meta.name, ==, "c");
  ks_store_list (f->store, ks_kind_get (KS_KIND_POD), "nothing-here", in_none);
  g_assert_cmpuint (in_none->len, ==, 0);
  ks_store_list (f->store, ks_kind_get (KS_KIND_NODE), NULL, nodes);
  g_assert_cmpuint (nodes->len, ==, 2);
  g_assert_cmpstr (KS_OBJECT (g_ptr_array_index (nodes, 0))->meta.name, ==, "node-a");
  g_assert_null (KS_OBJECT (g_ptr_array_index (nodes, 0))->meta.namespace);
  g_assert_cmpuint (ks_store_count (f->store, ks_kind_get (KS_KIND_NAMESPACE)), ==, 3);
}

static void
test_client_reads (Fixture *f, gconstpointer data)
{
  g_autoptr (KsClient) client = ks_store_client_new (f->store);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (KsObject) got = NULL;
  g_autoptr (KsObject) missing = NULL;
  KsObject *stored = ks_test_create (f->store, pod_new ("default", "p"));

  got = ks_client_get (client, ks_kind_get (KS_KIND_POD), "default", "p", &error);
  g_assert_no_error (error);
  g_assert_true (got == stored);
  /* A new reference: the store's and ours. */
  g_assert_cmpint (got->ref_count, >=, 2);
  list = ks_client_list (client, ks_kind_get (KS_KIND_POD), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  missing = ks_client_get (client, ks_kind_get (KS_KIND_DEPLOYMENT), "default", "nope", &error);
  g_assert_null (missing);
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND);
  /* NewNotFound names the qualified resource (§8.6). */
  g_assert_cmpstr (error->message, ==, "deployments.apps \"nope\" not found");
}

static void
test_generate_name (Fixture *f, gconstpointer data)
{
  KsObject *pod = pod_new ("default", NULL);
  KsObject *pod2 = pod_new ("default", NULL);
  KsObject *a, *b;

  pod->meta.generate_name = ks_intern ("web-");
  pod2->meta.generate_name = ks_intern ("web-");
  a = ks_test_create (f->store, pod);
  b = ks_test_create (f->store, pod2);
  g_assert_true (g_str_has_prefix (a->meta.name, "web-"));
  g_assert_cmpuint (strlen (a->meta.name), ==, 4 + 5);
  for (guint i = 4; i < 9; i++)
    {
      g_assert_true (is_name_char (a->meta.name[i]));
      g_assert_true (is_name_char (b->meta.name[i]));
    }
  g_assert_cmpstr (a->meta.name, !=, b->meta.name);
  g_assert_cmpstr (a->meta.generate_name, ==, "web-");
  g_assert_true (pod_get (f, a->meta.name) == a);
}

static void
test_already_exists (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsObject) dup = pod_new ("default", "a");
  g_autoptr (KsObject) dup_deploy = ks_test_decode (deployment_yaml);
  guint64 rv;

  ks_test_create (f->store, pod_new ("default", "a"));
  ks_test_create (f->store, ks_test_decode (deployment_yaml));
  rv = ks_store_get_resource_version (f->store);
  g_assert_null (ks_store_create (f->store, dup, &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_ALREADY_EXISTS);
  g_assert_cmpstr (error->message, ==, "pods \"a\" already exists");
  g_clear_error (&error);
  g_assert_null (ks_store_create (f->store, dup_deploy, &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_ALREADY_EXISTS);
  g_assert_cmpstr (error->message, ==, "deployments.apps \"web\" already exists");
  /* A refused write changes nothing. */
  g_assert_cmpuint (ks_store_get_resource_version (f->store), ==, rv);
}

static void
test_namespace_required (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsObject) elsewhere = pod_new ("nope", "a");
  g_autoptr (KsObject) nowhere = pod_new (NULL, "a");
  KsObject *node = KS_OBJECT (ks_node_new ("n1"));
  KsObject *stored;

  g_assert_null (ks_store_create (f->store, elsewhere, &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "namespaces \"nope\" not found");
  g_clear_error (&error);
  g_assert_null (ks_store_create (f->store, nowhere, &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_BAD_REQUEST);
  g_clear_error (&error);
  g_assert_cmpuint (ks_store_count (f->store, ks_kind_get (KS_KIND_POD)), ==, 0);

  /* Once the namespace exists the pod goes in. */
  ks_test_create (f->store, namespace_new ("nope"));
  ks_test_create (f->store, pod_new ("nope", "a"));
  g_assert_nonnull (ks_store_get (f->store, ks_kind_get (KS_KIND_POD), "nope", "a"));

  /* Cluster-scoped objects have no namespace, whatever they say. */
  KS_OBJECT (node)->meta.namespace = ks_intern ("default");
  stored = ks_test_create (f->store, node);
  g_assert_null (stored->meta.namespace);
}

static void
test_namespace_terminating (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsObject) deploy = ks_test_decode (deployment_yaml);
  KsNamespace *ns;

  ns = KS_NAMESPACE (
      ks_object_copy (ks_store_get (f->store, ks_kind_get (KS_KIND_NAMESPACE), NULL, "default")));
  ns->terminating = TRUE;
  g_assert_nonnull (ks_store_update (f->store, KS_OBJECT (ns), TRUE, &error));
  g_assert_no_error (error);
  ks_object_unref (KS_OBJECT (ns));
  g_assert_null (ks_store_create (f->store, deploy, &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_FORBIDDEN);
  g_assert_cmpstr (error->message, ==,
                   "deployments.apps \"web\" is forbidden: unable to create new content in "
                   "namespace default because it is being terminated");
}

static void
test_name_required (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsObject) pod = pod_new ("default", NULL);

  g_assert_null (ks_store_create (f->store, pod, &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "Pod \"\" is invalid: metadata.name: Required value: name or generateName is "
                   "required");
}

static void
test_resource_version (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint64 rv0 = ks_store_get_resource_version (f->store);
  KsObject *a, *b, *copy, *updated;
  KsUid uid;

  /* The namespace was the first write. */
  g_assert_cmpuint (rv0, ==, 1);
  a = ks_test_create (f->store, pod_new ("default", "a"));
  uid = a->meta.uid;
  g_assert_cmpuint (a->meta.resource_version, ==, rv0 + 1);
  b = ks_test_create (f->store, pod_new ("default", "b"));
  g_assert_cmpuint (b->meta.resource_version, ==, rv0 + 2);
  copy = ks_object_copy (a);
  updated = ks_store_update (f->store, copy, FALSE, &error);
  g_assert_no_error (error);
  ks_object_unref (copy);
  g_assert_cmpuint (updated->meta.resource_version, ==, rv0 + 3);
  /* (a itself was released when the update replaced it.) */
  g_assert_true (ks_uid_equal (&updated->meta.uid, &uid));
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "b", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ks_store_get_resource_version (f->store), ==, rv0 + 4);
  g_assert_cmpuint (updated->meta.resource_version, <, ks_store_get_resource_version (f->store));
}

static void
test_update_keeps_server_fields (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  KsObject *stored, *copy, *updated;
  KsUid uid;

  ks_sim_clock_run_until (f->sim, 7 * SEC);
  stored = ks_test_create (f->store, pod_new ("default", "a"));
  uid = stored->meta.uid;
  ks_sim_clock_run_until (f->sim, 9 * SEC);
  copy = ks_object_copy (stored);
  /* A client cannot move these. */
  copy->meta.creation_timestamp = 1;
  copy->meta.deletion_timestamp = 5;
  memset (&copy->meta.uid, 0, sizeof copy->meta.uid);
  updated = ks_store_update (f->store, copy, FALSE, &error);
  g_assert_no_error (error);
  ks_object_unref (copy);
  g_assert_true (ks_uid_equal (&updated->meta.uid, &uid));
  g_assert_cmpint (updated->meta.creation_timestamp, ==, 7 * SEC);
  g_assert_cmpint (updated->meta.deletion_timestamp, ==, KS_TIME_NONE);
  g_assert_true (pod_get (f, "a") == updated);
}

static void
test_generation (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  KsObject *d = ks_test_create (f->store, ks_test_decode (deployment_yaml));
  KsObject *copy;
  g_autoptr (KsStrMap) labels = ks_str_map_new_pairs ("team", "a", NULL);

  g_assert_cmpint (d->meta.generation, ==, 1);

  /* Metadata only: no new generation. */
  copy = ks_object_copy (d);
  ks_object_set_labels (copy, labels);
  d = ks_store_update (f->store, copy, FALSE, &error);
  g_assert_no_error (error);
  ks_object_unref (copy);
  g_assert_cmpint (d->meta.generation, ==, 1);

  /* A spec change: generation 2. */
  copy = ks_object_copy (d);
  KS_DEPLOYMENT (copy)->replicas = 5;
  d = ks_store_update (f->store, copy, FALSE, &error);
  g_assert_no_error (error);
  ks_object_unref (copy);
  g_assert_cmpint (d->meta.generation, ==, 2);

  /* Status only: unchanged. */
  copy = ks_object_copy (d);
  KS_DEPLOYMENT (copy)->status.replicas = 5;
  KS_DEPLOYMENT (copy)->status.observed_generation = 2;
  d = ks_store_update (f->store, copy, TRUE, &error);
  g_assert_no_error (error);
  ks_object_unref (copy);
  g_assert_cmpint (d->meta.generation, ==, 2);
  g_assert_cmpint (KS_DEPLOYMENT (d)->status.replicas, ==, 5);

  /* A template change is a spec change too. */
  copy = ks_object_copy (d);
  ks_str_map_unref (KS_DEPLOYMENT (copy)->template.annotations);
  KS_DEPLOYMENT (copy)->template.annotations = ks_str_map_new_pairs ("rev", "2", NULL);
  d = ks_store_update (f->store, copy, FALSE, &error);
  g_assert_no_error (error);
  ks_object_unref (copy);
  g_assert_cmpint (d->meta.generation, ==, 3);

  /* Pods have no generation. */
  g_assert_cmpint (ks_test_create (f->store, pod_new ("default", "p"))->meta.generation, ==, 0);
}

static void
test_update_conflict (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  KsObject *d = ks_test_create (f->store, ks_test_decode (deployment_yaml));
  KsObject *first = ks_object_copy (d);
  KsObject *stale = ks_object_copy (d);
  KsObject *blind = ks_object_copy (d);
  g_autoptr (KsObject) ghost = pod_new ("default", "ghost");
  guint64 rv;

  KS_DEPLOYMENT (first)->replicas = 3;
  g_assert_nonnull (ks_store_update (f->store, first, FALSE, &error));
  g_assert_no_error (error);
  rv = ks_store_get_resource_version (f->store);

  /* stale carries the resourceVersion first replaced. */
  KS_DEPLOYMENT (stale)->replicas = 4;
  g_assert_null (ks_store_update (f->store, stale, FALSE, &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_CONFLICT);
  g_assert_cmpstr (error->message, ==,
                   "Operation cannot be fulfilled on deployments.apps \"web\": the object has "
                   "been modified; please apply your changes to the latest version and try "
                   "again");
  g_clear_error (&error);
  g_assert_cmpuint (ks_store_get_resource_version (f->store), ==, rv);
  g_assert_cmpint (
      KS_DEPLOYMENT (ks_store_get (f->store, ks_kind_get (KS_KIND_DEPLOYMENT), "default", "web"))
          ->replicas,
      ==, 3);

  /* resourceVersion 0: an unconditional update. */
  blind->meta.resource_version = 0;
  KS_DEPLOYMENT (blind)->replicas = 6;
  g_assert_nonnull (ks_store_update (f->store, blind, FALSE, &error));
  g_assert_no_error (error);

  g_assert_null (ks_store_update (f->store, ghost, FALSE, &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "pods \"ghost\" not found");

  ks_object_unref (first);
  ks_object_unref (stale);
  ks_object_unref (blind);
}

static void
test_uid (Fixture *f, gconstpointer data)
{
  KsObject *a = ks_test_create (f->store, pod_new ("default", "a"));
  KsObject *b = ks_test_create (f->store, pod_new ("default", "b"));
  char text[KS_UID_STRING_LEN];
  KsUid parsed;

  ks_uid_to_string (&a->meta.uid, text);
  g_assert_cmpuint (strlen (text), ==, 36);
  /* xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx */
  for (guint i = 0; i < 36; i++)
    {
      if (i == 8 || i == 13 || i == 18 || i == 23)
        g_assert_cmpint (text[i], ==, '-');
      else
        g_assert_true (g_ascii_isxdigit (text[i]) && !g_ascii_isupper (text[i]));
    }
  g_assert_cmpint (text[14], ==, '4');
  g_assert_nonnull (strchr ("89ab", text[19]));
  g_assert_true (ks_uid_parse (text, &parsed));
  g_assert_true (ks_uid_equal (&parsed, &a->meta.uid));
  g_assert_false (ks_uid_equal (&a->meta.uid, &b->meta.uid));
  g_assert_true (ks_uid_is_set (&b->meta.uid));
}

/* UIDs and generated names of three pods in a fresh store with seed. */
static void
draw_identities (guint64 seed, char **uids, char **names)
{
  Fixture f;

  fixture_setup_seed (&f, seed);
  for (guint i = 0; i < 3; i++)
    {
      KsObject *pod = pod_new ("default", NULL);
      KsObject *stored;
      char buf[KS_UID_STRING_LEN];

      pod->meta.generate_name = ks_intern ("p-");
      stored = ks_test_create (f.store, pod);
      uids[i] = g_strdup (ks_uid_to_string (&stored->meta.uid, buf));
      names[i] = g_strdup (stored->meta.name);
    }
  uids[3] = names[3] = NULL;
  fixture_teardown (&f, NULL);
}

static void
test_determinism (void)
{
  g_auto (GStrv) uids_a = g_new0 (char *, 4);
  g_auto (GStrv) names_a = g_new0 (char *, 4);
  g_auto (GStrv) uids_b = g_new0 (char *, 4);
  g_auto (GStrv) names_b = g_new0 (char *, 4);
  g_auto (GStrv) uids_c = g_new0 (char *, 4);
  g_auto (GStrv) names_c = g_new0 (char *, 4);
  gboolean names_differ = FALSE;

  draw_identities (7, uids_a, names_a);
  draw_identities (7, uids_b, names_b);
  draw_identities (8, uids_c, names_c);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpstr (uids_a[i], ==, uids_b[i]);
      g_assert_cmpstr (names_a[i], ==, names_b[i]);
      g_assert_cmpstr (uids_a[i], !=, uids_c[i]);
      names_differ |= strcmp (names_a[i], names_c[i]) != 0;
    }
  g_assert_true (names_differ);
}

/* ---- watch ---------------------------------------------------------------------------------- */

static void
test_watch_order (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  Recorder *r1 = recorder_new (), *r2 = recorder_new (), *all = recorder_new ();
  static const char *const pods_expected[]
      = { "ADDED Pod default/a", "ADDED Pod default/b", "MODIFIED Pod default/a",
          "DELETED Pod default/a", NULL };
  static const char *const all_expected[]
      = { "ADDED Node n1",          "ADDED Pod default/a",   "ADDED Pod default/b",
          "MODIFIED Pod default/a", "DELETED Pod default/a", NULL };
  KsObject *copy;

  ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), NULL, FALSE, record_event, r1,
                  recorder_destroy);
  ks_store_watch (f->store, NULL, NULL, FALSE, record_event, all, recorder_destroy);
  ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), NULL, FALSE, record_event, r2,
                  recorder_destroy);
  ks_test_create (f->store, KS_OBJECT (ks_node_new ("n1")));
  ks_test_create (f->store, pod_new ("default", "a"));
  ks_test_create (f->store, pod_new ("default", "b"));
  copy = ks_object_copy (pod_get (f, "a"));
  ks_object_set_annotation (copy, "x", "y");
  g_assert_nonnull (ks_store_update (f->store, copy, FALSE, &error));
  ks_object_unref (copy);
  /* Unbound: deleted at once. */
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "a", NULL, &error));
  g_assert_no_error (error);

  assert_lines (r1, pods_expected);
  assert_lines (r2, pods_expected);
  assert_lines (all, all_expected);
  assert_rvs_increasing (r1);
  assert_rvs_increasing (all);
  /* DELETED carries the deletion's resourceVersion, the newest. */
  g_assert_cmpuint (g_array_index (r1->rvs, guint64, 3), ==,
                    ks_store_get_resource_version (f->store));
  g_assert_cmpuint (r1->destroyed, ==, 0);
  ks_store_free (f->store);
  f->store = NULL;
  /* Destroy notifies run when the store goes. */
  g_assert_cmpuint (r1->destroyed, ==, 1);
  g_assert_cmpuint (r2->destroyed, ==, 1);
  g_assert_cmpuint (all->destroyed, ==, 1);
  recorder_free (r1);
  recorder_free (r2);
  recorder_free (all);
}

static void
old_object_check (const KsWatchEvent *event, gpointer data)
{
  guint *checked = data;

  if (event->type != KS_WATCH_MODIFIED)
    {
      g_assert_null (event->old_object);
      return;
    }
  g_assert_nonnull (event->old_object);
  g_assert_cmpuint (event->old_object->meta.resource_version, <,
                    event->object->meta.resource_version);
  g_assert_null (ks_object_get_annotation (event->old_object, "x"));
  g_assert_cmpstr (ks_object_get_annotation (event->object, "x"), ==, "y");
  (*checked)++;
}

static void
test_watch_old_object (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint checked = 0;
  KsObject *copy;

  ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), NULL, FALSE, old_object_check, &checked,
                  NULL);
  ks_test_create (f->store, pod_new ("default", "a"));
  copy = ks_object_copy (pod_get (f, "a"));
  ks_object_set_annotation (copy, "x", "y");
  g_assert_nonnull (ks_store_update (f->store, copy, FALSE, &error));
  ks_object_unref (copy);
  g_assert_cmpuint (checked, ==, 1);
}

typedef struct
{
  KsStore *store;
  Recorder *r;
} Creator;

/* Records, and creates pod "b" when it sees pod "a" added (a controller's reaction). */
static void
create_on_added (const KsWatchEvent *event, gpointer data)
{
  Creator *c = data;

  record_event (event, c->r);
  if (event->type == KS_WATCH_ADDED && strcmp (event->object->meta.name, "a") == 0)
    {
      KsObject *b = ks_test_create (c->store, pod_new ("default", "b"));
      /* The nested create is stored at once, even though its event waits. */
      g_assert_nonnull (b);
      g_assert_true (ks_store_get (c->store, ks_kind_get (KS_KIND_POD), "default", "b") == b);
    }
}

static void
test_watch_nested_create (Fixture *f, gconstpointer data)
{
  Recorder *before = recorder_new (), *after = recorder_new ();
  Creator creator = { f->store, recorder_new () };
  static const char *const expected[] = { "ADDED Pod default/a", "ADDED Pod default/b", NULL };

  ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), NULL, FALSE, record_event, before, NULL);
  ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), NULL, FALSE, create_on_added, &creator,
                  NULL);
  ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), NULL, FALSE, record_event, after, NULL);
  ks_test_create (f->store, pod_new ("default", "a"));

  /* Every watcher sees a before b, whatever its place relative to the creator. */
  assert_lines (before, expected);
  assert_lines (creator.r, expected);
  assert_lines (after, expected);
  assert_rvs_increasing (before);
  assert_rvs_increasing (after);
  recorder_free (before);
  recorder_free (after);
  recorder_free (creator.r);
}

static void
test_watch_node (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  Recorder *n1 = recorder_new (), *n2 = recorder_new (), *pods = recorder_new ();
  KsDeleteOptions now = { .grace_period_seconds = 0 };
  static const char *const n1_expected[]
      = { "ADDED Pod default/p", "MODIFIED Pod default/p", "MODIFIED Pod default/p",
          "DELETED Pod default/p", NULL };
  static const char *const n2_expected[] = { "ADDED Pod default/q", NULL };
  static const char *const pods_expected[] = { "ADDED Pod default/p",    "ADDED Pod default/q",
                                               "MODIFIED Pod default/p", "MODIFIED Pod default/q",
                                               "MODIFIED Pod default/p", "MODIFIED Pod default/p",
                                               "DELETED Pod default/p",  NULL };

  ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), "n1", FALSE, record_event, n1, NULL);
  ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), "n2", FALSE, record_event, n2, NULL);
  ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), NULL, FALSE, record_event, pods, NULL);
  ks_test_create (f->store, pod_new ("default", "p"));
  ks_test_create (f->store, pod_new ("default", "q"));
  /* Unbound pods are nobody's node's business. */
  g_assert_cmpuint (n1->lines->len, ==, 0);
  bind_ok (f, "p", "n1");
  g_assert_cmpuint (n1->lines->len, ==, 1);
  g_assert_cmpstr (KS_POD (pod_get (f, "p"))->node_name, ==, "n1");
  g_assert_cmpint (KS_POD (pod_get (f, "p"))->conditions[KS_POD_COND_SCHEDULED].status, ==,
                   KS_CONDITION_TRUE);
  bind_ok (f, "q", "n2");
  /* Binding twice is a conflict. */
  g_assert_false (ks_store_bind (f->store, "default", "p", NULL, "n2", &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  set_phase (f, "p", KS_POD_RUNNING);
  /* Graceful: a deletionTimestamp first, then the removal. */
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "p", NULL, &error));
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "p", &now, &error));
  g_assert_no_error (error);

  assert_lines (n1, n1_expected);
  assert_lines (n2, n2_expected);
  assert_lines (pods, pods_expected);
  assert_rvs_increasing (n1);
  assert_rvs_increasing (pods);
  recorder_free (n1);
  recorder_free (n2);
  recorder_free (pods);
}

static void
test_watch_replay (Fixture *f, gconstpointer data)
{
  Recorder *pods = recorder_new (), *all = recorder_new (), *on_node = recorder_new ();
  static const char *const pods_expected[]
      = { "ADDED Pod default/a", "ADDED Pod default/b", "ADDED Pod default/c", NULL };
  static const char *const all_expected[]
      = { "ADDED Namespace default", "ADDED Node n1",       "ADDED Pod default/a",
          "ADDED Pod default/b",     "ADDED Pod default/c", NULL };
  static const char *const node_expected[] = { "ADDED Pod default/b", NULL };

  ks_test_create (f->store, pod_new ("default", "c"));
  ks_test_create (f->store, pod_new ("default", "a"));
  ks_test_create (f->store, pod_new ("default", "b"));
  ks_test_create (f->store, KS_OBJECT (ks_node_new ("n1")));
  bind_ok (f, "b", "n1");

  /* Existing objects arrive at once, in list order. */
  ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), NULL, TRUE, record_event, pods, NULL);
  assert_lines (pods, pods_expected);
  ks_store_watch (f->store, NULL, NULL, TRUE, record_event, all, NULL);
  assert_lines (all, all_expected);
  ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), "n1", TRUE, record_event, on_node, NULL);
  assert_lines (on_node, node_expected);

  /* Afterwards, live events as usual. */
  ks_test_create (f->store, pod_new ("default", "d"));
  g_assert_cmpuint (pods->lines->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (pods->lines, 3), ==, "ADDED Pod default/d");
  g_assert_cmpuint (on_node->lines->len, ==, 1);
  recorder_free (pods);
  recorder_free (all);
  recorder_free (on_node);
}

/* Records, and creates pod "made" when the replay shows it pod "a". */
static void
create_on_replay (const KsWatchEvent *event, gpointer data)
{
  Creator *c = data;

  record_event (event, c->r);
  if (event->type == KS_WATCH_ADDED && strcmp (event->object->meta.name, "a") == 0
      && ks_store_get (c->store, ks_kind_get (KS_KIND_POD), "default", "made") == NULL)
    ks_test_create (c->store, pod_new ("default", "made"));
}

typedef struct
{
  KsStore *store;
  Recorder *late;
  gboolean done;
} LateWatch;

/* On pod "x": create pod "y" (its event waits), then start a replaying watch. */
static void
watch_from_callback (const KsWatchEvent *event, gpointer data)
{
  LateWatch *lw = data;

  if (lw->done || strcmp (event->object->meta.name, "x") != 0)
    return;
  lw->done = TRUE;
  ks_test_create (lw->store, pod_new ("default", "y"));
  ks_store_watch (lw->store, ks_kind_get (KS_KIND_POD), NULL, TRUE, record_event, lw->late, NULL);
}

static void
test_watch_replay_reentrant (Fixture *f, gconstpointer data)
{
  Creator creator = { f->store, recorder_new () };
  Recorder *other = recorder_new ();
  LateWatch lw = { f->store, recorder_new (), FALSE };
  static const char *const creator_expected[]
      = { "ADDED Pod default/a", "ADDED Pod default/made", NULL };
  static const char *const late_expected[]
      = { "ADDED Pod default/a", "ADDED Pod default/made", "ADDED Pod default/x",
          "ADDED Pod default/y", "ADDED Pod default/z",    NULL };

  ks_test_create (f->store, pod_new ("default", "a"));
  ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), NULL, FALSE, record_event, other, NULL);
  /* A change made from the replay reaches the replaying watcher too, after the replay. */
  ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), NULL, TRUE, create_on_replay, &creator,
                  NULL);
  assert_lines (creator.r, creator_expected);
  g_assert_cmpuint (other->lines->len, ==, 1);

  /* A watch started from a callback, while "y" waits for delivery: its replay has "y" already,
   * and it does not get "y" a second time. */
  ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), NULL, FALSE, watch_from_callback, &lw, NULL);
  ks_test_create (f->store, pod_new ("default", "x"));
  ks_test_create (f->store, pod_new ("default", "z"));
  assert_lines (lw.late, late_expected);
  assert_rvs_increasing (creator.r);
  recorder_free (creator.r);
  recorder_free (other);
  recorder_free (lw.late);
}

typedef struct
{
  KsStore *store;
  guint self_id;
  guint victim_id;
  guint calls;
} Unwatcher;

static void
unwatch_on_event (const KsWatchEvent *event, gpointer data)
{
  Unwatcher *u = data;

  u->calls++;
  /* The second watcher first, then ourselves, while the store is dispatching. */
  ks_store_unwatch (u->store, u->victim_id);
  ks_store_unwatch (u->store, u->self_id);
}

static void
test_watch_unwatch_during_dispatch (Fixture *f, gconstpointer data)
{
  Unwatcher u = { f->store, 0, 0, 0 };
  Recorder *victim = recorder_new (), *last = recorder_new ();

  u.self_id = ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), NULL, FALSE, unwatch_on_event,
                              &u, NULL);
  u.victim_id = ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), NULL, FALSE, record_event,
                                victim, recorder_destroy);
  ks_store_watch (f->store, ks_kind_get (KS_KIND_POD), NULL, FALSE, record_event, last,
                  recorder_destroy);

  ks_test_create (f->store, pod_new ("default", "a"));
  g_assert_cmpuint (u.calls, ==, 1);
  /* Removed before the event reached it: it gets nothing, and its data is released once. */
  g_assert_cmpuint (victim->lines->len, ==, 0);
  g_assert_cmpuint (victim->destroyed, ==, 1);
  g_assert_cmpuint (last->lines->len, ==, 1);

  ks_test_create (f->store, pod_new ("default", "b"));
  g_assert_cmpuint (u.calls, ==, 1);
  g_assert_cmpuint (victim->lines->len, ==, 0);
  g_assert_cmpuint (last->lines->len, ==, 2);

  /* Unwatching twice, or an unknown id, does nothing. */
  ks_store_unwatch (f->store, u.victim_id);
  ks_store_unwatch (f->store, 9999);
  g_assert_cmpuint (victim->destroyed, ==, 1);
  ks_store_free (f->store);
  f->store = NULL;
  g_assert_cmpuint (victim->destroyed, ==, 1);
  g_assert_cmpuint (last->destroyed, ==, 1);
  recorder_free (victim);
  recorder_free (last);
}

/* ---- graceful pod deletion ------------------------------------------------------------------- */

static void
test_pod_graceful_delete (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  KsDeleteOptions longer = { .grace_period_seconds = 60 };
  KsDeleteOptions shorter = { .grace_period_seconds = 10 };
  KsDeleteOptions now = { .grace_period_seconds = 0 };
  KsObject *pod;
  guint64 rv;

  ks_test_create (f->store, pod_new ("default", "p"));
  bind_ok (f, "p", "n1");
  set_phase (f, "p", KS_POD_RUNNING);
  ks_sim_clock_run_until (f->sim, 100 * SEC);

  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "p", NULL, &error));
  g_assert_no_error (error);
  pod = pod_get (f, "p");
  g_assert_nonnull (pod);
  /* Default grace: terminationGracePeriodSeconds, 30. */
  g_assert_cmpint (pod->meta.deletion_timestamp, ==, 130 * SEC);
  g_assert_cmpint (pod->meta.deletion_grace_period_seconds, ==, 30);
  g_assert_true (ks_object_is_being_deleted (pod));
  g_assert_false (ks_pod_is_active (KS_POD (pod)));

  /* A later deadline does not postpone the deletion. */
  rv = ks_store_get_resource_version (f->store);
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "p", &longer, &error));
  g_assert_cmpint (pod_get (f, "p")->meta.deletion_timestamp, ==, 130 * SEC);
  g_assert_cmpuint (ks_store_get_resource_version (f->store), ==, rv);
  /* An earlier one brings it forward. */
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "p", &shorter, &error));
  g_assert_cmpint (pod_get (f, "p")->meta.deletion_timestamp, ==, 110 * SEC);
  g_assert_cmpint (pod_get (f, "p")->meta.deletion_grace_period_seconds, ==, 10);
  /* Grace 0 removes it. */
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "p", &now, &error));
  g_assert_no_error (error);
  g_assert_null (pod_get (f, "p"));
  g_assert_false (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "p", &now, &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "pods \"p\" not found");
}

static void
test_pod_grace_from_spec_and_options (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  KsDeleteOptions twelve = { .grace_period_seconds = 12 };
  KsPod *quick = KS_POD (pod_new ("default", "quick"));
  KsPodSpec *spec = ks_pod_spec_copy (quick->spec);

  spec->termination_grace_period_seconds = 5;
  ks_pod_spec_unref (quick->spec);
  quick->spec = spec;
  ks_test_create (f->store, KS_OBJECT (quick));
  ks_test_create (f->store, pod_new ("default", "opt"));
  bind_ok (f, "quick", "n1");
  bind_ok (f, "opt", "n1");
  ks_sim_clock_run_until (f->sim, 100 * SEC);

  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "quick", NULL, &error));
  g_assert_cmpint (pod_get (f, "quick")->meta.deletion_timestamp, ==, 105 * SEC);
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "opt", &twelve, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pod_get (f, "opt")->meta.deletion_timestamp, ==, 112 * SEC);
  g_assert_cmpint (pod_get (f, "opt")->meta.deletion_grace_period_seconds, ==, 12);
}

static void
test_pod_immediate_delete (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  /* Unbound: no kubelet to wait for. */
  ks_test_create (f->store, pod_new ("default", "pending"));
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "pending", NULL, &error));
  g_assert_null (pod_get (f, "pending"));
  /* Terminal: nothing left to stop. */
  ks_test_create (f->store, pod_new ("default", "done"));
  bind_ok (f, "done", "n1");
  set_phase (f, "done", KS_POD_SUCCEEDED);
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "done", NULL, &error));
  g_assert_no_error (error);
  g_assert_null (pod_get (f, "done"));
  /* A bound pod that is already being deleted cannot be bound again. */
  ks_test_create (f->store, pod_new ("default", "r"));
  bind_ok (f, "r", "n1");
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "r", NULL, &error));
  g_assert_nonnull (pod_get (f, "r"));
}

/* ---- admission ------------------------------------------------------------------------------- */

static KsPod *
create_pod_yaml (Fixture *f, const char *spec_body, GError **error)
{
  g_autofree char *text = g_strconcat ("apiVersion: v1\n"
                                       "kind: Pod\n"
                                       "metadata: {name: p}\n"
                                       "spec:\n"
                                       "  containers: [{name: a, image: x}]\n",
                                       spec_body, NULL);
  g_autoptr (KsObject) pod = ks_test_decode (text);

  return KS_POD (ks_store_create (f->store, pod, error));
}

static void
test_admission_priority_class (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  KsPriorityClass *pc = ks_priority_class_new ("high", 1000);
  KsPod *pod;

  pc->preemption_policy = KS_PREEMPT_NEVER;
  ks_test_create (f->store, KS_OBJECT (pc));
  pod = create_pod_yaml (f, "  priorityClassName: high\n", &error);
  g_assert_no_error (error);
  g_assert_true (pod->spec->has_priority);
  g_assert_cmpint (pod->spec->priority, ==, 1000);
  g_assert_cmpint (ks_pod_get_priority (pod), ==, 1000);
  g_assert_true (pod->spec->has_preemption_policy);
  g_assert_cmpint (pod->spec->preemption_policy, ==, KS_PREEMPT_NEVER);
  g_assert_cmpstr (pod->spec->priority_class_name, ==, "high");
}

static void
test_admission_unknown_class (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_null (create_pod_yaml (f, "  priorityClassName: nope\n", &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_FORBIDDEN);
  g_assert_cmpstr (error->message, ==,
                   "pods \"p\" is forbidden: no PriorityClass with name nope was found");
  g_assert_null (pod_get (f, "p"));
}

static void
test_admission_global_default (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  KsPriorityClass *def = ks_priority_class_new ("everyday", 50);
  KsPod *plain, *explicit_pod;
  KsObject *copy;

  /* Without any class: priority 0, no class name. */
  plain = create_pod_yaml (f, "", &error);
  g_assert_no_error (error);
  g_assert_true (plain->spec->has_priority);
  g_assert_cmpint (plain->spec->priority, ==, 0);
  g_assert_null (plain->spec->priority_class_name);
  g_assert_cmpint (plain->spec->preemption_policy, ==, KS_PREEMPT_LOWER_PRIORITY);
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "p", NULL, &error));

  def->global_default = TRUE;
  ks_test_create (f->store, KS_OBJECT (def));
  ks_test_create (f->store, KS_OBJECT (ks_priority_class_new ("urgent", 900)));
  plain = create_pod_yaml (f, "", &error);
  g_assert_no_error (error);
  g_assert_cmpint (plain->spec->priority, ==, 50);
  g_assert_cmpstr (plain->spec->priority_class_name, ==, "everyday");
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "p", NULL, &error));

  /* An explicit class wins over the default. */
  explicit_pod = create_pod_yaml (f, "  priorityClassName: urgent\n", &error);
  g_assert_no_error (error);
  g_assert_cmpint (explicit_pod->spec->priority, ==, 900);

  /* Updates are not admitted again: the priority stays. */
  copy = ks_object_copy (KS_OBJECT (explicit_pod));
  explicit_pod = KS_POD (ks_store_update (f->store, copy, FALSE, &error));
  ks_object_unref (copy);
  g_assert_no_error (error);
  g_assert_cmpint (explicit_pod->spec->priority, ==, 900);
}

static void
test_admission_priority_given (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  /* spec.priority must agree with what admission computes (0 here). */
  g_assert_null (create_pod_yaml (f, "  priority: 7\n", &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_FORBIDDEN);
  g_assert_true (g_str_has_prefix (error->message, "pods \"p\" is forbidden: the integer value of "
                                                   "priority (7) must not be provided"));
}

static const KsToleration *
find_toleration (const KsPodSpec *spec, const char *key, guint *count)
{
  const KsToleration *found = NULL;

  *count = 0;
  for (guint i = 0; i < spec->n_tolerations; i++)
    if (strcmp (spec->tolerations[i].key, key) == 0)
      {
        found = &spec->tolerations[i];
        (*count)++;
      }
  return found;
}

static void
test_admission_default_tolerations (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const KsToleration *t;
  guint count;
  KsPod *pod;

  pod = create_pod_yaml (f, "", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pod->spec->n_tolerations, ==, 2);
  t = find_toleration (pod->spec, "node.kubernetes.io/not-ready", &count);
  g_assert_cmpuint (count, ==, 1);
  g_assert_cmpint (t->op, ==, KS_TOLERATION_EXISTS);
  g_assert_cmpint (t->effect, ==, KS_TAINT_NO_EXECUTE);
  g_assert_true (t->has_seconds);
  g_assert_cmpint (t->toleration_seconds, ==, 300);
  t = find_toleration (pod->spec, "node.kubernetes.io/unreachable", &count);
  g_assert_cmpuint (count, ==, 1);
  g_assert_cmpint (t->op, ==, KS_TOLERATION_EXISTS);
  g_assert_cmpint (t->effect, ==, KS_TAINT_NO_EXECUTE);
  g_assert_cmpint (t->toleration_seconds, ==, KS_DEFAULT_TOLERATION_SECONDS);
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "p", NULL, &error));

  /* Already tolerated: not added again, and the pod's own seconds stay. */
  pod = create_pod_yaml (f,
                         "  tolerations:\n"
                         "  - key: node.kubernetes.io/not-ready\n"
                         "    operator: Exists\n"
                         "    effect: NoExecute\n"
                         "    tolerationSeconds: 60\n",
                         &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pod->spec->n_tolerations, ==, 2);
  t = find_toleration (pod->spec, "node.kubernetes.io/not-ready", &count);
  g_assert_cmpuint (count, ==, 1);
  g_assert_cmpint (t->toleration_seconds, ==, 60);
  t = find_toleration (pod->spec, "node.kubernetes.io/unreachable", &count);
  g_assert_cmpuint (count, ==, 1);
  g_assert_cmpint (t->toleration_seconds, ==, 300);
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "p", NULL, &error));

  /* A toleration of everything covers both. */
  pod = create_pod_yaml (f, "  tolerations: [{operator: Exists}]\n", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pod->spec->n_tolerations, ==, 1);
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "p", NULL, &error));

  /* Any effect of one key covers that key only. */
  pod = create_pod_yaml (f,
                         "  tolerations: [{key: node.kubernetes.io/unreachable, operator: "
                         "Exists}]\n",
                         &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pod->spec->n_tolerations, ==, 2);
  t = find_toleration (pod->spec, "node.kubernetes.io/unreachable", &count);
  g_assert_cmpuint (count, ==, 1);
  g_assert_false (t->has_seconds);
  find_toleration (pod->spec, "node.kubernetes.io/not-ready", &count);
  g_assert_cmpuint (count, ==, 1);
}

static void
test_admission_shared_spec (Fixture *f, gconstpointer data)
{
  KsPodSpec *spec = ks_pod_spec_new ();
  KsPod *a, *b;
  KsObject *sa, *sb;

  ks_pod_spec_finish (spec);
  a = ks_pod_new (spec);
  b = ks_pod_new (spec);
  ks_pod_spec_unref (spec);
  a->parent.meta.name = g_strdup ("a");
  b->parent.meta.name = g_strdup ("b");
  a->parent.meta.namespace = b->parent.meta.namespace = ks_intern ("default");
  sa = ks_test_create (f->store, KS_OBJECT (a));
  sb = ks_test_create (f->store, KS_OBJECT (b));
  /* Pods of one template share one admitted spec, with the tolerations added once. */
  g_assert_true (KS_POD (sa)->spec == KS_POD (sb)->spec);
  g_assert_cmpuint (KS_POD (sa)->spec->n_tolerations, ==, 2);
  g_assert_true (KS_POD (sa)->spec->admitted);
}

static void
test_admission_two_defaults (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  KsPriorityClass *a = ks_priority_class_new ("a", 10);
  KsPriorityClass *b = ks_priority_class_new ("b", 20);
  KsPriorityClass *c = ks_priority_class_new ("c", 30);

  a->global_default = TRUE;
  b->global_default = TRUE;
  ks_test_create (f->store, KS_OBJECT (a));
  g_assert_null (ks_store_create (f->store, KS_OBJECT (b), &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_FORBIDDEN);
  /* NewForbidden: <qualified resource> "<name>" is forbidden: <detail> (§8.6). */
  g_assert_cmpstr (error->message, ==,
                   "priorityclasses.scheduling.k8s.io \"b\" is forbidden: PriorityClass a is "
                   "already marked as default. Only one default can exist");
  g_assert_null (ks_store_get (f->store, ks_kind_get (KS_KIND_PRIORITY_CLASS), NULL, "b"));
  /* A class that is not a default is fine. */
  ks_test_create (f->store, KS_OBJECT (c));
  ks_object_unref (KS_OBJECT (b));
}

/* ---- owner index -------------------------------------------------------------------------- */

/* A pod owned by the given owners (controller when controller_index matches). */
static KsObject *
owned_pod (const char *name, KsObject *const *owners, guint n, gint controller_index)
{
  KsObject *pod = pod_new ("default", name);
  g_autofree KsOwnerRef *refs = g_new0 (KsOwnerRef, n);
  g_autoptr (KsOwnerRefs) list = NULL;

  for (guint i = 0; i < n; i++)
    refs[i] = (KsOwnerRef){ .api_version = (char *) owners[i]->kind->api_version,
                            .kind = (char *) owners[i]->kind->name,
                            .name = owners[i]->meta.name,
                            .uid = owners[i]->meta.uid,
                            .controller = (gint) i == controller_index };
  list = ks_owner_refs_new (refs, n);
  ks_object_set_owner_refs (pod, list);
  return pod;
}

static void
test_owner_index (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) deps = g_ptr_array_new ();
  g_autoptr (GPtrArray) rs_only = g_ptr_array_new ();
  g_autoptr (GPtrArray) none = g_ptr_array_new ();
  KsObject *rs
      = ks_test_create (f->store, ks_test_decode ("apiVersion: apps/v1\n"
                                                  "kind: ReplicaSet\n"
                                                  "metadata: {name: rs}\n"
                                                  "spec:\n"
                                                  "  selector: {matchLabels: {app: web}}\n"
                                                  "  template:\n"
                                                  "    metadata: {labels: {app: web}}\n"
                                                  "    spec: {containers: [{name: a, image: "
                                                  "x}]}\n"));
  KsObject *node = ks_test_create (f->store, KS_OBJECT (ks_node_new ("n1")));
  KsObject *both[2] = { rs, node };
  KsObject *copy;

  ks_test_create (f->store, owned_pod ("c", both, 1, 0));
  ks_test_create (f->store, owned_pod ("a", both, 2, 0));
  ks_test_create (f->store, owned_pod ("b", both + 1, 1, -1));
  ks_test_create (f->store, pod_new ("default", "free"));

  ks_store_list_dependents (f->store, ks_kind_get (KS_KIND_POD), &rs->meta.uid, deps);
  g_assert_cmpuint (deps->len, ==, 2);
  g_assert_cmpstr (KS_OBJECT (g_ptr_array_index (deps, 0))->meta.name, ==, "a");
  g_assert_cmpstr (KS_OBJECT (g_ptr_array_index (deps, 1))->meta.name, ==, "c");
  g_assert_cmpstr (ks_object_get_controller_ref (g_ptr_array_index (deps, 0))->name, ==, "rs");
  g_ptr_array_set_size (deps, 0);
  ks_store_list_dependents (f->store, NULL, &node->meta.uid, deps);
  g_assert_cmpuint (deps->len, ==, 2);
  g_assert_cmpstr (KS_OBJECT (g_ptr_array_index (deps, 0))->meta.name, ==, "a");
  g_assert_cmpstr (KS_OBJECT (g_ptr_array_index (deps, 1))->meta.name, ==, "b");
  ks_store_list_dependents (f->store, ks_kind_get (KS_KIND_REPLICA_SET), &node->meta.uid, rs_only);
  g_assert_cmpuint (rs_only->len, ==, 0);

  /* The index follows updates and deletions. */
  copy = ks_object_copy (pod_get (f, "c"));
  ks_object_set_owner_refs (copy, NULL);
  g_assert_nonnull (ks_store_update (f->store, copy, FALSE, &error));
  ks_object_unref (copy);
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "a", NULL, &error));
  g_assert_no_error (error);
  ks_store_list_dependents (f->store, NULL, &rs->meta.uid, none);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_owner_orphan (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) deps = g_ptr_array_new ();
  KsDeleteOptions orphan = { .grace_period_seconds = -1, .propagation = KS_PROPAGATION_ORPHAN };
  Recorder *r = recorder_new ();
  KsObject *owner = ks_test_create (f->store, ks_test_decode (deployment_yaml));
  KsObject *other = ks_test_create (f->store, KS_OBJECT (ks_node_new ("n1")));
  KsObject *both[2] = { owner, other };
  KsUid owner_uid = owner->meta.uid;
  KsObject *a, *b;
  static const char *const expected[] = { "MODIFIED Pod default/a", "MODIFIED Pod default/b",
                                          "DELETED Deployment default/web", NULL };

  ks_test_create (f->store, owned_pod ("a", both, 1, 0));
  ks_test_create (f->store, owned_pod ("b", both, 2, 0));
  ks_store_watch (f->store, NULL, NULL, FALSE, record_event, r, NULL);
  g_assert_true (ks_store_delete (f->store, ks_kind_get (KS_KIND_DEPLOYMENT), "default", "web",
                                  &orphan, &error));
  g_assert_no_error (error);

  a = pod_get (f, "a");
  b = pod_get (f, "b");
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  /* a had only the deployment; b keeps its reference to the node. */
  g_assert_null (a->meta.owner_refs);
  g_assert_nonnull (b->meta.owner_refs);
  g_assert_cmpuint (b->meta.owner_refs->n, ==, 1);
  g_assert_cmpstr (b->meta.owner_refs->refs[0].kind, ==, "Node");
  ks_store_list_dependents (f->store, NULL, &owner_uid, deps);
  g_assert_cmpuint (deps->len, ==, 0);
  assert_lines (r, expected);
  assert_rvs_increasing (r);
  recorder_free (r);
}

static void
test_owner_background (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) deps = g_ptr_array_new ();
  KsObject *owner = ks_test_create (f->store, ks_test_decode (deployment_yaml));
  KsUid owner_uid = owner->meta.uid;

  ks_test_create (f->store, owned_pod ("a", &owner, 1, 0));
  /* Background: the store leaves dependents to the garbage collector. */
  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_DEPLOYMENT), "default", "web", NULL, &error));
  g_assert_nonnull (pod_get (f, "a"));
  g_assert_nonnull (pod_get (f, "a")->meta.owner_refs);
  ks_store_list_dependents (f->store, NULL, &owner_uid, deps);
  g_assert_cmpuint (deps->len, ==, 1);
}

/* ---- work queue ------------------------------------------------------------------------------ */

typedef struct
{
  KsSimClock *sim;
  KsWorkQueue *queue;
  GPtrArray *seen; /* "key@seconds" */
  gboolean requeue_once;
  gboolean add_other;
} QueueLog;

static void
queue_work (const char *key, gpointer data)
{
  QueueLog *log = data;
  gint64 now = ks_clock_now (ks_sim_clock_get_clock (log->sim));

  g_ptr_array_add (log->seen, g_strdup_printf ("%s@%" G_GINT64_FORMAT, key, now / SEC));
  if (log->requeue_once && strcmp (key, "a") == 0)
    {
      log->requeue_once = FALSE;
      ks_workqueue_add (log->queue, "a");
    }
  if (log->add_other && strcmp (key, "a") == 0)
    {
      log->add_other = FALSE;
      ks_workqueue_add (log->queue, "z");
    }
}

static void
queue_log_init (QueueLog *log)
{
  memset (log, 0, sizeof *log);
  log->sim = ks_sim_clock_new ();
  log->seen = g_ptr_array_new_with_free_func (g_free);
  log->queue = ks_workqueue_new (ks_sim_clock_get_clock (log->sim), queue_work, log);
}

static void
queue_log_clear (QueueLog *log)
{
  ks_workqueue_free (log->queue);
  ks_sim_clock_free (log->sim);
  g_ptr_array_unref (log->seen);
}

static void
assert_seen (QueueLog *log, const char *const *expected)
{
  guint n = g_strv_length ((char **) expected);

  for (guint i = 0; i < log->seen->len; i++)
    g_test_message ("processed: %s", (const char *) g_ptr_array_index (log->seen, i));
  g_assert_cmpuint (log->seen->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (log->seen, i), ==, expected[i]);
}

static void
test_workqueue_dedup_fifo (void)
{
  QueueLog log;
  static const char *const expected[] = { "b@0", "a@0", "c@0", NULL };

  queue_log_init (&log);
  ks_workqueue_add (log.queue, "b");
  ks_workqueue_add (log.queue, "a");
  ks_workqueue_add (log.queue, "b");
  ks_workqueue_add (log.queue, "c");
  ks_workqueue_add (log.queue, "a");
  g_assert_cmpuint (ks_workqueue_length (log.queue), ==, 3);
  /* Nothing runs until the clock does. */
  g_assert_cmpuint (log.seen->len, ==, 0);
  ks_sim_clock_run_until (log.sim, 0);
  assert_seen (&log, expected);
  g_assert_cmpuint (ks_workqueue_length (log.queue), ==, 0);
  queue_log_clear (&log);
}

static void
test_workqueue_add_after (void)
{
  QueueLog log;
  static const char *const expected[] = { "n@4", "k@5", "m@10", "n@40", NULL };

  queue_log_init (&log);
  /* Of two delays for one key the earliest stands, whichever came first. */
  ks_workqueue_add_after (log.queue, "k", 10 * SEC);
  ks_workqueue_add_after (log.queue, "k", 5 * SEC);
  ks_workqueue_add_after (log.queue, "m", 10 * SEC);
  ks_workqueue_add_after (log.queue, "m", 15 * SEC);
  g_assert_cmpuint (ks_workqueue_length (log.queue), ==, 0);
  ks_sim_clock_run_until (log.sim, 4 * SEC);
  g_assert_cmpuint (log.seen->len, ==, 0);
  /* A delay of 0 is an immediate add. */
  ks_workqueue_add_after (log.queue, "n", 0);
  g_assert_cmpuint (ks_workqueue_length (log.queue), ==, 1);
  ks_sim_clock_run_until (log.sim, 30 * SEC);
  /* Each key once: the later delays were dropped. */
  g_assert_cmpuint (log.seen->len, ==, 3);
  ks_workqueue_add_after (log.queue, "n", 10 * SEC);
  ks_sim_clock_run_until (log.sim, 100 * SEC);
  assert_seen (&log, expected);
  queue_log_clear (&log);
}

static void
test_workqueue_requeue_while_processing (void)
{
  QueueLog log;
  static const char *const expected[] = { "a@0", "b@0", "a@0", "z@0", NULL };

  queue_log_init (&log);
  log.requeue_once = TRUE;
  log.add_other = TRUE;
  ks_workqueue_add (log.queue, "a");
  ks_workqueue_add (log.queue, "b");
  ks_sim_clock_run_until (log.sim, 0);
  /* a was re-added while being processed: it runs again, after the keys already waiting. */
  assert_seen (&log, expected);
  queue_log_clear (&log);
}

static void
test_workqueue_free_pending (void)
{
  QueueLog log;

  queue_log_init (&log);
  ks_workqueue_add (log.queue, "a");
  ks_workqueue_add_after (log.queue, "b", 5 * SEC);
  ks_workqueue_add_after (log.queue, "c", 9 * SEC);
  g_assert_cmpuint (ks_sim_clock_get_n_pending (log.sim), ==, 3);
  ks_workqueue_free (log.queue);
  log.queue = NULL;
  /* Its clock tasks are cancelled with it. */
  g_assert_cmpuint (ks_sim_clock_get_n_pending (log.sim), ==, 0);
  ks_sim_clock_run_until (log.sim, 10 * SEC);
  g_assert_cmpuint (log.seen->len, ==, 0);
  queue_log_clear (&log);
}

/* The built-in objects: created when missing (default already exists here), once. */
static void
test_bootstrap (Fixture *f, gconstpointer data)
{
  g_autoptr (KsClient) client = ks_store_client_new (f->store);
  g_autoptr (GError) error = NULL;
  guint64 rv;
  KsObject *pc;

  g_assert_true (ks_bootstrap_objects (client, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ks_store_count (f->store, ks_kind_get (KS_KIND_NAMESPACE)), ==, 4);
  g_assert_cmpuint (ks_store_count (f->store, ks_kind_get (KS_KIND_PRIORITY_CLASS)), ==, 2);
  pc = ks_store_get (f->store, ks_kind_get (KS_KIND_PRIORITY_CLASS), NULL, "system-node-critical");
  g_assert_nonnull (pc);
  g_assert_cmpint (KS_PRIORITY_CLASS (pc)->value, ==, 2000001000);
  rv = ks_store_get_resource_version (f->store);
  g_assert_true (ks_bootstrap_objects (client, &error));
  g_assert_cmpuint (ks_store_get_resource_version (f->store), ==, rv);
}

/* The API server's update strategies: an update of the object keeps its status, a status update
 * keeps the rest (spec, owner references), as Kubernetes' registry strategies do. */
static void
test_update_strategies (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  KsDeployment *d = KS_DEPLOYMENT (ks_test_create (f->store, ks_test_decode (deployment_yaml)));
  KsDeployment *copy;
  KsObject *stored;
  KsPod *pod;

  /* A status update: its status is written, its spec change is not. */
  copy = KS_DEPLOYMENT (ks_object_copy (KS_OBJECT (d)));
  copy->replicas = 9;
  copy->status.replicas = 2;
  ks_deployment_set_condition (copy, KS_DEPLOY_COND_AVAILABLE, KS_CONDITION_TRUE,
                               "MinimumReplicasAvailable", "ok", 5);
  stored = ks_store_update (f->store, KS_OBJECT (copy), TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (stored == KS_OBJECT (copy)); /* the caller's object is the stored one */
  ks_object_unref (KS_OBJECT (copy));
  d = KS_DEPLOYMENT (ks_store_get (f->store, ks_kind_get (KS_KIND_DEPLOYMENT), "default", "web"));
  g_assert_cmpint (d->replicas, ==, 2);
  g_assert_cmpint (d->status.replicas, ==, 2);
  g_assert_cmpstr (d->status.conditions[KS_DEPLOY_COND_AVAILABLE].message, ==, "ok");
  g_assert_cmpint (d->parent.meta.generation, ==, 1);

  /* An update: its spec is written, its status change is not. */
  copy = KS_DEPLOYMENT (ks_object_copy (KS_OBJECT (d)));
  copy->replicas = 5;
  copy->status.replicas = 0;
  ks_deployment_set_condition (copy, KS_DEPLOY_COND_AVAILABLE, KS_CONDITION_FALSE, "x", "no", 6);
  g_assert_nonnull (ks_store_update (f->store, KS_OBJECT (copy), FALSE, &error));
  ks_object_unref (KS_OBJECT (copy));
  d = KS_DEPLOYMENT (ks_store_get (f->store, ks_kind_get (KS_KIND_DEPLOYMENT), "default", "web"));
  g_assert_cmpint (d->replicas, ==, 5);
  g_assert_cmpint (d->parent.meta.generation, ==, 2);
  g_assert_cmpint (d->status.replicas, ==, 2);
  g_assert_cmpint (d->status.conditions[KS_DEPLOY_COND_AVAILABLE].status, ==, KS_CONDITION_TRUE);
  g_assert_cmpstr (d->status.conditions[KS_DEPLOY_COND_AVAILABLE].message, ==, "ok");

  /* A pod's status update keeps its binding, writes its labels (Kubernetes allows that). */
  ks_test_create (f->store, pod_new ("default", "p"));
  bind_ok (f, "p", "node-1");
  pod = ks_pod_copy (KS_POD (pod_get (f, "p")));
  pod->node_name = ks_intern ("elsewhere");
  pod->phase = KS_POD_RUNNING;
  ks_pod_set_status_string (pod, KS_POD_POD_IP, "10.244.1.2");
  ks_object_set_annotation (KS_OBJECT (pod), "a", "b");
  g_assert_nonnull (ks_store_update (f->store, KS_OBJECT (pod), TRUE, &error));
  ks_object_unref (KS_OBJECT (pod));
  pod = KS_POD (pod_get (f, "p"));
  g_assert_cmpstr (pod->node_name, ==, "node-1");
  g_assert_cmpint (pod->phase, ==, KS_POD_RUNNING);
  g_assert_cmpstr (ks_pod_get_status_string (pod, KS_POD_POD_IP), ==, "10.244.1.2");
  g_assert_cmpstr (ks_object_get_annotation (KS_OBJECT (pod), "a"), ==, "b");
  /* ... and an update of the pod keeps that status. */
  pod = ks_pod_copy (pod);
  pod->phase = KS_POD_PENDING;
  ks_pod_set_status_string (pod, KS_POD_POD_IP, NULL);
  g_assert_nonnull (ks_store_update (f->store, KS_OBJECT (pod), FALSE, &error));
  ks_object_unref (KS_OBJECT (pod));
  pod = KS_POD (pod_get (f, "p"));
  g_assert_cmpint (pod->phase, ==, KS_POD_RUNNING);
  g_assert_cmpstr (ks_pod_get_status_string (pod, KS_POD_POD_IP), ==, "10.244.1.2");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/store/create-get", test_create_get);
  ADD ("/store/bootstrap", test_bootstrap);
  ADD ("/store/update/strategies", test_update_strategies);
  ADD ("/store/list-sorted", test_list_sorted);
  ADD ("/store/client-reads", test_client_reads);
  ADD ("/store/generate-name", test_generate_name);
  ADD ("/store/already-exists", test_already_exists);
  ADD ("/store/namespace/required", test_namespace_required);
  ADD ("/store/namespace/terminating", test_namespace_terminating);
  ADD ("/store/name-required", test_name_required);
  ADD ("/store/resource-version", test_resource_version);
  ADD ("/store/update/server-fields", test_update_keeps_server_fields);
  ADD ("/store/update/generation", test_generation);
  ADD ("/store/update/conflict", test_update_conflict);
  ADD ("/store/uid", test_uid);
  g_test_add_func ("/store/determinism", test_determinism);

  ADD ("/store/watch/order", test_watch_order);
  ADD ("/store/watch/old-object", test_watch_old_object);
  ADD ("/store/watch/nested-create", test_watch_nested_create);
  ADD ("/store/watch/node", test_watch_node);
  ADD ("/store/watch/replay", test_watch_replay);
  ADD ("/store/watch/replay-reentrant", test_watch_replay_reentrant);
  ADD ("/store/watch/unwatch-during-dispatch", test_watch_unwatch_during_dispatch);

  ADD ("/store/pod/graceful-delete", test_pod_graceful_delete);
  ADD ("/store/pod/grace-from-spec-and-options", test_pod_grace_from_spec_and_options);
  ADD ("/store/pod/immediate-delete", test_pod_immediate_delete);

  ADD ("/store/admission/priority-class", test_admission_priority_class);
  ADD ("/store/admission/unknown-class", test_admission_unknown_class);
  ADD ("/store/admission/global-default", test_admission_global_default);
  ADD ("/store/admission/priority-given", test_admission_priority_given);
  ADD ("/store/admission/default-tolerations", test_admission_default_tolerations);
  ADD ("/store/admission/shared-spec", test_admission_shared_spec);
  ADD ("/store/admission/two-defaults", test_admission_two_defaults);

  ADD ("/store/owners/index", test_owner_index);
  ADD ("/store/owners/orphan", test_owner_orphan);
  ADD ("/store/owners/background", test_owner_background);
#undef ADD

  g_test_add_func ("/store/workqueue/dedup-fifo", test_workqueue_dedup_fifo);
  g_test_add_func ("/store/workqueue/add-after", test_workqueue_add_after);
  g_test_add_func ("/store/workqueue/requeue-while-processing",
                   test_workqueue_requeue_while_processing);
  g_test_add_func ("/store/workqueue/free-pending", test_workqueue_free_pending);

  return g_test_run ();
}
