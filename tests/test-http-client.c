/* test-http-client.c: the KsClient contract, asserted the same way against the store client and
 * the HTTP client (real/ks-http-client.c) over an API server, so controllers and kubelets can
 * use either: reads, writes and their error codes, binding, dependents, watches (replay, order,
 * previous states, the node filter, unwatch), the eviction subresource over the client
 * (src/controllers/ks-evict.h, as real mode's cluster autoscaler uses it: the DisruptionTarget
 * condition on the pods it lets through, none on those it refuses); and, for the HTTP client,
 * reconnection after the API server restarts on the same store, with the changes made meanwhile
 * delivered as events.
 *
 * The HTTP client's requests are synchronous, so the API server (and its store) run in a thread
 * of their own; the test talks to that store only through ks_test_thread_call.  Waits are for a
 * condition, with a timeout. */
#include "config.h"

#include <string.h>

#include "real/ks-apiserver.h"
#include "real/ks-http-client.h"
#include "real/ks-wall-clock.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-pdb.h"
#include "src/api/ks-pod.h"
#include "src/controllers/ks-evict.h"
#include "tests/ks-test.h"

#define TIMEOUT_MS 15000

/* The store (and, for HTTP, the API server) in the thread that owns them. */
typedef struct
{
  KsTestThread thread; /* not started for the store client: everything is in the test's thread */
  KsWallClock *wall;
  KsStore *store;
  KsApiServer *server;
  guint port;
  gboolean cache_small;
} Backend;

static void
start_server (gpointer owner, gpointer data)
{
  Backend *b = owner;
  g_autoptr (GError) error = NULL;

  b->server = ks_api_server_new (b->store, 0);
  g_assert_true (ks_api_server_listen (b->server, b->port, &error));
  g_assert_no_error (error);
  b->port = ks_api_server_get_port (b->server);
}

static void
stop_server (gpointer owner, gpointer data)
{
  Backend *b = owner;

  g_clear_pointer (&b->server, ks_api_server_free);
}

static gpointer
backend_main (gpointer data)
{
  Backend *b = data;

  g_main_context_push_thread_default (b->thread.context);
  b->wall = ks_wall_clock_new ();
  b->store = ks_store_new (ks_wall_clock_get_clock (b->wall), 11);
  start_server (b, NULL);
  ks_test_thread_ready (&b->thread);
  g_main_loop_run (b->thread.loop);
  stop_server (b, NULL);
  ks_store_free (b->store);
  ks_wall_clock_free (b->wall);
  while (g_main_context_iteration (b->thread.context, FALSE))
    ;
  g_main_context_pop_thread_default (b->thread.context);
  return NULL;
}

typedef struct
{
  gboolean http;
  Backend b;
  KsClient *client;
} Fixture;

static void
create_default_namespace (gpointer owner, gpointer data)
{
  Backend *b = owner;

  ks_test_create (b->store, ks_test_decode ("apiVersion: v1\nkind: Namespace\n"
                                            "metadata: {name: default}\n"));
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->http = GPOINTER_TO_INT (data);
  if (f->http)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *url = NULL;
      ks_test_thread_start (&f->b.thread, "api-server", backend_main, &f->b);
      url = g_strdup_printf ("http://127.0.0.1:%u", f->b.port);
      f->client = ks_http_client_new (url, 0, &error);
      g_assert_no_error (error);
    }
  else
    {
      ks_test_thread_init (&f->b.thread);
      f->b.wall = ks_wall_clock_new ();
      f->b.store = ks_store_new (ks_wall_clock_get_clock (f->b.wall), 11);
      f->client = ks_store_client_new (f->b.store);
    }
  ks_test_thread_call (&f->b.thread, create_default_namespace, &f->b, NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ks_client_free (f->client);
  if (!f->http)
    {
      ks_store_free (f->b.store);
      ks_wall_clock_free (f->b.wall);
    }
  ks_test_thread_stop (&f->b.thread);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static KsObject *
pod_manifest (const char *name, const char *labels)
{
  g_autofree char *yaml
      = g_strdup_printf ("apiVersion: v1\nkind: Pod\nmetadata: {name: %s, labels: {%s}}\n"
                         "spec:\n  containers: [{name: c, image: busybox}]\n",
                         name, labels != NULL ? labels : "");
  return ks_test_decode (yaml);
}

/* Create obj (taken: the caller keeps no reference, as after ks_test_create). */
static KsObject *
must_create (Fixture *f, KsObject *obj)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsObject) owned = obj;
  KsObject *created = ks_client_create (f->client, obj, &error);

  g_assert_no_error (error);
  g_assert_nonnull (created);
  return created;
}

/* Reads and writes */

static void
test_crud (Fixture *f, gconstpointer data)
{
  const KsKind *pods = ks_kind_get (KS_KIND_POD);
  g_autoptr (KsObject) p1 = NULL;
  g_autoptr (KsObject) got = NULL;
  g_autoptr (KsObject) updated = NULL;
  g_autoptr (KsObject) stale = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GError) error = NULL;
  KsObject *copy;

  p1 = must_create (f, pod_manifest ("p1", "app: web"));
  g_assert_cmpstr (p1->meta.name, ==, "p1");
  g_assert_cmpstr (p1->meta.namespace, ==, "default");
  g_assert_true (ks_uid_is_set (&p1->meta.uid));
  g_assert_cmpuint (p1->meta.resource_version, ==, 2);
  g_assert_cmpint (p1->meta.creation_timestamp, >, 0);
  ks_object_unref (must_create (f, pod_manifest ("p0", NULL)));

  got = ks_client_get (f->client, pods, "default", "p1", &error);
  g_assert_no_error (error);
  g_assert_true (ks_uid_equal (&got->meta.uid, &p1->meta.uid));
  g_assert_cmpuint (got->meta.resource_version, ==, p1->meta.resource_version);
  g_assert_cmpstr (ks_object_get_label (got, "app"), ==, "web");
  /* Seconds: RFC 3339 times carry no more. */
  g_assert_cmpint (got->meta.creation_timestamp / KS_USEC_PER_SEC, ==,
                   p1->meta.creation_timestamp / KS_USEC_PER_SEC);

  g_assert_null (ks_client_get (f->client, pods, "default", "missing", &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "pods \"missing\" not found");
  g_clear_error (&error);
  {
    g_autoptr (KsObject) again = pod_manifest ("p1", NULL);
    g_assert_null (ks_client_create (f->client, again, &error));
  }
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_ALREADY_EXISTS);
  g_assert_cmpstr (error->message, ==, "pods \"p1\" already exists");
  g_clear_error (&error);
  {
    g_autoptr (KsObject) elsewhere = pod_manifest ("p9", NULL);
    elsewhere->meta.namespace = ks_intern ("nope");
    g_assert_null (ks_client_create (f->client, elsewhere, &error));
    g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND);
    g_assert_cmpstr (error->message, ==, "namespaces \"nope\" not found");
    g_clear_error (&error);
  }

  list = ks_client_list (f->client, pods, "default", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((KsObject *) g_ptr_array_index (list, 0))->meta.name, ==, "p0");
  g_assert_cmpstr (((KsObject *) g_ptr_array_index (list, 1))->meta.name, ==, "p1");
  all = ks_client_list (f->client, ks_kind_get (KS_KIND_NAMESPACE), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 1);

  /* Update; then the same old copy again: a conflict. */
  copy = ks_object_copy (got);
  ks_object_set_annotation (copy, "note", "x");
  updated = ks_client_update (f->client, copy, &error);
  g_clear_pointer (&copy, ks_object_unref);
  g_assert_no_error (error);
  g_assert_cmpstr (ks_object_get_annotation (updated, "note"), ==, "x");
  g_assert_cmpuint (updated->meta.resource_version, >, got->meta.resource_version);
  g_assert_true (ks_uid_equal (&updated->meta.uid, &p1->meta.uid));
  copy = ks_object_copy (got);
  stale = ks_client_update (f->client, copy, &error);
  g_clear_pointer (&copy, ks_object_unref);
  g_assert_null (stale);
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_CONFLICT);
  g_assert_cmpstr (error->message, ==,
                   "Operation cannot be fulfilled on pods \"p1\": the object has been modified; "
                   "please apply your changes to the latest version and try again");
  g_clear_error (&error);

  /* Delete: gone, then NotFound. */
  g_assert_true (ks_client_delete (f->client, pods, "default", "p1", NULL, &error));
  g_assert_no_error (error);
  g_assert_null (ks_client_get (f->client, pods, "default", "p1", &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (ks_client_delete (f->client, pods, "default", "p1", NULL, &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND);
}

static void
test_generation_and_status (Fixture *f, gconstpointer data)
{
  const KsKind *deployments = ks_kind_get (KS_KIND_DEPLOYMENT);
  g_autoptr (KsObject) d = NULL;
  g_autoptr (KsObject) scaled = NULL;
  g_autoptr (KsObject) with_status = NULL;
  g_autoptr (KsObject) again = NULL;
  g_autoptr (GError) error = NULL;
  KsObject *copy;

  d = must_create (f, ks_test_decode ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: "
                                      "web}\nspec:\n  replicas: 2\n  selector: {matchLabels: "
                                      "{app: web}}\n  template:\n    metadata: {labels: {app: "
                                      "web}}\n    spec:\n      containers: [{name: c, image: "
                                      "nginx}]\n"));
  g_assert_cmpint (d->meta.generation, ==, 1);
  copy = ks_object_copy (d);
  KS_DEPLOYMENT (copy)->replicas = 3;
  scaled = ks_client_update (f->client, copy, &error);
  g_clear_pointer (&copy, ks_object_unref);
  g_assert_no_error (error);
  g_assert_cmpint (scaled->meta.generation, ==, 2);
  g_assert_cmpint (KS_DEPLOYMENT (scaled)->replicas, ==, 3);

  /* The status subresource: status changes, generation does not. */
  copy = ks_object_copy (scaled);
  KS_DEPLOYMENT (copy)->status.replicas = 3;
  KS_DEPLOYMENT (copy)->status.observed_generation = 2;
  with_status = ks_client_update_status (f->client, copy, &error);
  g_clear_pointer (&copy, ks_object_unref);
  g_assert_no_error (error);
  g_assert_cmpint (with_status->meta.generation, ==, 2);
  g_assert_cmpint (KS_DEPLOYMENT (with_status)->status.replicas, ==, 3);
  g_assert_cmpint (KS_DEPLOYMENT (with_status)->status.observed_generation, ==, 2);
  again = ks_client_get (f->client, deployments, "default", "web", &error);
  g_assert_no_error (error);
  g_assert_cmpint (KS_DEPLOYMENT (again)->status.replicas, ==, 3);
  /* A stale status write conflicts too. */
  copy = ks_object_copy (scaled);
  g_assert_null (ks_client_update_status (f->client, copy, &error));
  ks_object_unref (copy);
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_CONFLICT);
}

static void
test_bind (Fixture *f, gconstpointer data)
{
  const KsKind *pods = ks_kind_get (KS_KIND_POD);
  g_autoptr (KsObject) pod = NULL;
  g_autoptr (KsObject) bound = NULL;
  g_autoptr (KsObject) other = NULL;
  g_autoptr (KsObject) wrong = NULL;
  g_autoptr (GError) error = NULL;

  pod = must_create (f, pod_manifest ("b", NULL));
  g_assert_true (ks_client_bind (f->client, KS_POD (pod), "n1", &error));
  g_assert_no_error (error);
  bound = ks_client_get (f->client, pods, "default", "b", &error);
  g_assert_cmpstr (KS_POD (bound)->node_name, ==, "n1");
  g_assert_cmpint (KS_POD (bound)->conditions[KS_POD_COND_SCHEDULED].status, ==, KS_CONDITION_TRUE);
  g_assert_false (ks_client_bind (f->client, KS_POD (pod), "n2", &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "pod b is already assigned to node \"n1\""));
  g_clear_error (&error);
  /* A pod of the same name but another UID: not found. */
  other = must_create (f, pod_manifest ("c", NULL));
  wrong = ks_object_copy (other);
  wrong->meta.uid.bytes[15] ^= 1;
  g_assert_false (ks_client_bind (f->client, KS_POD (wrong), "n1", &error));
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND);
}

static void
test_dependents (Fixture *f, gconstpointer data)
{
  g_autoptr (KsObject) rs = NULL;
  g_autoptr (KsOwnerRefs) refs = NULL;
  g_autoptr (GPtrArray) deps = NULL;
  g_autoptr (GPtrArray) any = NULL;
  g_autoptr (GError) error = NULL;
  const char *names[] = { "z", "a", "m" };

  rs = must_create (f, ks_test_decode ("apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: "
                                       "rs}\nspec:\n  selector: {matchLabels: {app: web}}\n  "
                                       "template:\n    metadata: {labels: {app: web}}\n    "
                                       "spec:\n      containers: [{name: c, image: nginx}]\n"));
  refs = ks_owner_refs_new_controller (rs);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      KsObject *pod = pod_manifest (names[i], "app: web");
      ks_object_set_owner_refs (pod, refs);
      ks_object_unref (must_create (f, pod));
    }
  ks_object_unref (must_create (f, pod_manifest ("orphan", "app: web")));
  deps = ks_client_list_dependents (f->client, ks_kind_get (KS_KIND_POD), rs, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (deps->len, ==, 3);
  g_assert_cmpstr (((KsObject *) g_ptr_array_index (deps, 0))->meta.name, ==, "a");
  g_assert_cmpstr (((KsObject *) g_ptr_array_index (deps, 2))->meta.name, ==, "z");
  any = ks_client_list_dependents (f->client, NULL, rs, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (any->len, ==, 3);
}

/* Watches */

typedef struct
{
  GPtrArray *events; /* "TYPE ns/name rv [old=rv]" */
  gboolean destroyed;
  KsClient *client;
  guint id;
  gboolean unwatch_on_event;
} Recorder;

static void
on_event (const KsWatchEvent *e, gpointer data)
{
  Recorder *r = data;
  g_autofree char *key = ks_object_key (e->object);

  if (e->old_object != NULL)
    g_ptr_array_add (r->events,
                     g_strdup_printf ("%s %s %" G_GUINT64_FORMAT " old=%" G_GUINT64_FORMAT,
                                      ks_watch_event_type_name (e->type), key,
                                      e->object->meta.resource_version,
                                      e->old_object->meta.resource_version));
  else
    g_ptr_array_add (r->events, g_strdup_printf ("%s %s %" G_GUINT64_FORMAT,
                                                 ks_watch_event_type_name (e->type), key,
                                                 e->object->meta.resource_version));
  if (r->unwatch_on_event)
    ks_client_unwatch (r->client, r->id);
}

static void
on_destroy (gpointer data)
{
  ((Recorder *) data)->destroyed = TRUE;
}

static void
recorder_init (Recorder *r, KsClient *client)
{
  r->events = g_ptr_array_new_with_free_func (g_free);
  r->client = client;
}

typedef struct
{
  Recorder *r;
  guint n;
} Want;

static gboolean
have_events (gpointer data)
{
  Want *w = data;
  return w->r->events->len >= w->n;
}

static char *
recorded (Recorder *r, guint n)
{
  Want w = { r, n };
  GString *s = g_string_new (NULL);

  ks_test_wait_for (have_events, &w, "watch events", TIMEOUT_MS);
  for (guint i = 0; i < r->events->len; i++)
    g_string_append_printf (s, "%s%s", i > 0 ? "; " : "",
                            (char *) g_ptr_array_index (r->events, i));
  return g_string_free (s, FALSE);
}

static guint64
rv_of (KsObject *obj)
{
  return obj->meta.resource_version;
}

static void
test_watch (Fixture *f, gconstpointer data)
{
  const KsKind *pods = ks_kind_get (KS_KIND_POD);
  Recorder replay = { 0 }, later = { 0 }, node = { 0 };
  g_autoptr (KsObject) a = NULL;
  g_autoptr (KsObject) b = NULL;
  g_autoptr (KsObject) b2 = NULL;
  g_autoptr (KsObject) c = NULL;
  g_autoptr (KsObject) gone = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;
  KsObject *copy;

  a = must_create (f, pod_manifest ("a", NULL));
  b = must_create (f, pod_manifest ("b", NULL));
  recorder_init (&replay, f->client);
  recorder_init (&later, f->client);
  recorder_init (&node, f->client);
  replay.id = ks_client_watch (f->client, pods, NULL, TRUE, on_event, &replay, on_destroy);
  later.id = ks_client_watch (f->client, pods, NULL, FALSE, on_event, &later, on_destroy);
  node.id = ks_client_watch (f->client, pods, "n1", TRUE, on_event, &node, on_destroy);
  /* Replay: ADDED for what exists, in list order, before watch returns. */
  g_assert_cmpuint (replay.events->len, ==, 2);
  g_assert_cmpuint (later.events->len, ==, 0);
  g_assert_cmpuint (node.events->len, ==, 0);

  c = must_create (f, pod_manifest ("c", NULL));
  copy = ks_object_copy (b);
  ks_object_set_annotation (copy, "v", "2");
  b2 = ks_client_update (f->client, copy, &error);
  ks_object_unref (copy);
  g_assert_no_error (error);
  g_assert_true (ks_client_bind (f->client, KS_POD (a), "n1", &error));
  g_assert_true (ks_client_bind (f->client, KS_POD (c), "n2", &error));
  g_assert_true (ks_client_delete (f->client, pods, "default", "b", NULL, &error));
  /* The bound pod a goes gracefully first (MODIFIED), then for good. */
  KsDeleteOptions now = { .grace_period_seconds = 0 };
  g_assert_true (ks_client_delete (f->client, pods, "default", "a", NULL, &error));
  g_assert_true (ks_client_delete (f->client, pods, "default", "a", &now, &error));
  g_assert_no_error (error);

  guint64 r0 = rv_of (c);
  want = g_strdup_printf (
      "ADDED default/c %" G_GUINT64_FORMAT "; MODIFIED default/b %" G_GUINT64_FORMAT
      " old=%" G_GUINT64_FORMAT "; MODIFIED default/a %" G_GUINT64_FORMAT " old=%" G_GUINT64_FORMAT
      "; MODIFIED default/c %" G_GUINT64_FORMAT " old=%" G_GUINT64_FORMAT
      "; DELETED default/b %" G_GUINT64_FORMAT "; MODIFIED default/a %" G_GUINT64_FORMAT
      " old=%" G_GUINT64_FORMAT "; DELETED default/a %" G_GUINT64_FORMAT,
      r0, r0 + 1, rv_of (b), r0 + 2, rv_of (a), r0 + 3, r0, r0 + 4, r0 + 5, r0 + 2, r0 + 6);
  got = recorded (&later, 7);
  g_assert_cmpstr (got, ==, want);
  g_clear_pointer (&got, g_free);
  got = recorded (&replay, 9);
  g_assert_true (g_str_has_prefix (got, "ADDED default/a 2; ADDED default/b 3; "));
  g_assert_true (g_str_has_suffix (got, want));
  g_clear_pointer (&got, g_free);
  g_clear_pointer (&want, g_free);
  /* The node's watch: a appears when bound to n1; c (bound to n2) never. */
  want = g_strdup_printf ("ADDED default/a %" G_GUINT64_FORMAT
                          "; MODIFIED default/a %" G_GUINT64_FORMAT " old=%" G_GUINT64_FORMAT
                          "; DELETED default/a %" G_GUINT64_FORMAT,
                          r0 + 2, r0 + 5, r0 + 2, r0 + 6);
  got = recorded (&node, 3);
  g_assert_cmpstr (got, ==, want);

  /* Unwatch: destroy is called, nothing more arrives. */
  ks_client_unwatch (f->client, later.id);
  g_assert_true (later.destroyed);
  ks_client_unwatch (f->client, node.id);
  gone = must_create (f, pod_manifest ("d", NULL));
  g_clear_pointer (&got, g_free);
  got = recorded (&replay, 10);
  g_assert_true (g_str_has_suffix (got, "ADDED default/d 11"));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (later.events->len, ==, 7);
  g_assert_cmpuint (node.events->len, ==, 3);
  ks_client_unwatch (f->client, replay.id);
  g_ptr_array_unref (replay.events);
  g_ptr_array_unref (later.events);
  g_ptr_array_unref (node.events);
}

static void
test_watch_unwatch_in_callback (Fixture *f, gconstpointer data)
{
  Recorder r = { 0 }, all = { 0 };
  g_autofree char *got = NULL;

  /* A watcher that stops at its first event: the second never reaches it. */
  recorder_init (&r, f->client);
  r.unwatch_on_event = TRUE;
  r.id = ks_client_watch (f->client, ks_kind_get (KS_KIND_POD), NULL, FALSE, on_event, &r,
                          on_destroy);
  ks_object_unref (must_create (f, pod_manifest ("a", NULL)));
  ks_object_unref (must_create (f, pod_manifest ("b", NULL)));
  g_free (recorded (&r, 1));
  g_assert_true (r.destroyed);
  /* Every kind (the garbage collector's watch). */
  recorder_init (&all, f->client);
  all.id = ks_client_watch (f->client, NULL, NULL, FALSE, on_event, &all, on_destroy);
  ks_object_unref (must_create (f, pod_manifest ("c", NULL)));
  ks_object_unref (must_create (f, ks_test_decode ("apiVersion: v1\nkind: Namespace\n"
                                                   "metadata: {name: other}\n")));
  got = recorded (&all, 2);
  g_assert_nonnull (strstr (got, "ADDED default/c 4"));
  g_assert_nonnull (strstr (got, "ADDED other 5"));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (r.events->len, ==, 1);
  ks_client_unwatch (f->client, all.id);
  g_ptr_array_unref (r.events);
  g_ptr_array_unref (all.events);
}

/* Reconnection (HTTP only) */

typedef struct
{
  guint64 rv;
} Changes;

static void
change_while_down (gpointer owner, gpointer data)
{
  Backend *b = owner;
  const KsKind *pods = ks_kind_get (KS_KIND_POD);
  KsObject *keep = ks_store_get (b->store, pods, "default", "keep");
  KsObject *copy = ks_object_copy (keep);
  Changes *c = data;

  ks_object_set_annotation (copy, "changed", "yes");
  g_assert_nonnull (ks_store_update (b->store, copy, FALSE, NULL));
  ks_object_unref (copy);
  g_assert_true (ks_store_delete (b->store, pods, "default", "drop", NULL, NULL));
  ks_test_create (b->store, pod_manifest ("new", NULL));
  c->rv = ks_store_get_resource_version (b->store);
}

static void
create_in_store (gpointer owner, gpointer data)
{
  Backend *b = owner;

  ks_test_create (b->store, pod_manifest (data, NULL));
}

static gboolean
connected (gpointer data)
{
  return ks_http_client_watches_connected (data);
}

static void
test_reconnect (Fixture *f, gconstpointer data)
{
  const KsKind *pods = ks_kind_get (KS_KIND_POD);
  Recorder r = { 0 };
  g_autoptr (KsObject) keep = NULL;
  g_autoptr (KsObject) drop = NULL;
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;
  Changes changes;

  keep = must_create (f, pod_manifest ("keep", NULL));
  drop = must_create (f, pod_manifest ("drop", NULL));
  recorder_init (&r, f->client);
  r.id = ks_client_watch (f->client, pods, NULL, FALSE, on_event, &r, on_destroy);
  ks_test_wait_for (connected, f->client, "the watch stream", TIMEOUT_MS);

  /* The control plane goes away; the store changes meanwhile; it comes back on the same port
   * with a new watch cache, so the client's version is too old for it (410) and the client
   * lists again: the differences arrive as events. */
  ks_test_thread_call (&f->b.thread, stop_server, &f->b, NULL);
  ks_test_thread_call (&f->b.thread, change_while_down, &f->b, &changes);
  ks_test_thread_call (&f->b.thread, start_server, &f->b, NULL);
  want = g_strdup_printf ("DELETED default/drop %" G_GUINT64_FORMAT
                          "; MODIFIED default/keep %" G_GUINT64_FORMAT " old=%" G_GUINT64_FORMAT
                          "; ADDED default/new %" G_GUINT64_FORMAT,
                          rv_of (drop), changes.rv - 2, rv_of (keep), changes.rv);
  got = recorded (&r, 3);
  g_assert_cmpstr (got, ==, want);
  ks_test_wait_for (connected, f->client, "the watch stream after the restart", TIMEOUT_MS);

  /* A restart without changes: the watch resumes where it was; new changes arrive once. */
  ks_test_thread_call (&f->b.thread, stop_server, &f->b, NULL);
  ks_test_thread_call (&f->b.thread, start_server, &f->b, NULL);
  ks_test_thread_call (&f->b.thread, create_in_store, &f->b, (gpointer) "after");
  g_clear_pointer (&got, g_free);
  got = recorded (&r, 4);
  g_assert_true (g_str_has_suffix (got, "; ADDED default/after 7"));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (r.events->len, ==, 4);
  ks_client_unwatch (f->client, r.id);
  g_ptr_array_unref (r.events);
}

static void
test_server_down_at_start (Fixture *f, gconstpointer data)
{
  Recorder r = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *got = NULL;

  ks_test_thread_call (&f->b.thread, create_in_store, &f->b, (gpointer) "early");
  ks_test_thread_call (&f->b.thread, stop_server, &f->b, NULL);
  /* Requests fail with the transport's error... */
  g_assert_null (ks_client_get (f->client, ks_kind_get (KS_KIND_POD), "default", "early", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  /* ... and a watch keeps trying: its replay comes when the server is back. */
  recorder_init (&r, f->client);
  r.id = ks_client_watch (f->client, ks_kind_get (KS_KIND_POD), NULL, TRUE, on_event, &r,
                          on_destroy);
  g_assert_cmpuint (r.events->len, ==, 0);
  ks_test_thread_call (&f->b.thread, start_server, &f->b, NULL);
  got = recorded (&r, 1);
  g_assert_cmpstr (got, ==, "ADDED default/early 2");
  ks_client_unwatch (f->client, r.id);
  g_ptr_array_unref (r.events);
}

static void
test_bad_url (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_null (ks_http_client_new ("ftp://x", 0, &error));
  g_assert_error (error, KS_HTTP_CLIENT_ERROR, KS_HTTP_CLIENT_ERROR_BAD_URL);
  g_assert_cmpstr (error->message, ==, "invalid server URL \"ftp://x\": expected http://HOST:PORT");
}

/* Eviction */

/* A pod of app: web bound to n1 in phase (Ready when Running); finalizer holds it after its
 * deletion, so that its last state can be read. */
static KsObject *
bound_pod (Fixture *f, const char *name, KsPodPhase phase, gboolean finalizer)
{
  g_autofree char *yaml
      = g_strdup_printf ("apiVersion: v1\nkind: Pod\nmetadata: {name: %s, labels: {app: web}%s}\n"
                         "spec:\n  containers: [{name: c, image: busybox}]\n",
                         name, finalizer ? ", finalizers: [kubesim.io/test]" : "");
  g_autoptr (KsObject) pod = must_create (f, ks_test_decode (yaml));
  g_autoptr (KsObject) got = NULL;
  g_autoptr (GError) error = NULL;
  KsPod *copy;
  KsObject *updated;

  g_assert_true (ks_client_bind (f->client, KS_POD (pod), "n1", &error));
  g_assert_no_error (error);
  got = ks_client_get (f->client, ks_kind_get (KS_KIND_POD), "default", name, &error);
  g_assert_no_error (error);
  copy = ks_pod_copy (KS_POD (got));
  copy->phase = phase;
  if (phase == KS_POD_RUNNING)
    ks_pod_set_condition (copy, KS_POD_COND_READY, KS_CONDITION_TRUE, NULL, NULL,
                          5 * KS_USEC_PER_SEC);
  updated = ks_client_update_status (f->client, KS_OBJECT (copy), &error);
  ks_object_unref (KS_OBJECT (copy));
  g_assert_no_error (error);
  return updated;
}

static KsPod *
get_pod (Fixture *f, const char *name)
{
  g_autoptr (GError) error = NULL;
  KsObject *obj = ks_client_get (f->client, ks_kind_get (KS_KIND_POD), "default", name, &error);

  g_assert_no_error (error);
  return KS_POD (obj);
}

/* Budget name over app: web with disruptionsAllowed allowed, observed. */
static void
set_budget (Fixture *f, const char *name, gint32 allowed)
{
  const KsKind *kind = ks_kind_get (KS_KIND_POD_DISRUPTION_BUDGET);
  g_autoptr (GError) error = NULL;
  g_autoptr (KsObject) pdb = ks_client_get (f->client, kind, "default", name, NULL);
  KsPodDisruptionBudget *copy;
  KsObject *updated;

  if (pdb == NULL)
    {
      g_autofree char *yaml
          = g_strdup_printf ("apiVersion: policy/v1\nkind: PodDisruptionBudget\n"
                             "metadata: {name: %s}\n"
                             "spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}\n",
                             name);
      pdb = must_create (f, ks_test_decode (yaml));
    }
  copy = KS_POD_DISRUPTION_BUDGET (ks_object_copy (pdb));
  copy->status.observed_generation = pdb->meta.generation;
  copy->status.disruptions_allowed = allowed;
  copy->status.current_healthy = 1 + allowed;
  copy->status.desired_healthy = 1;
  updated = ks_client_update_status (f->client, KS_OBJECT (copy), &error);
  ks_object_unref (KS_OBJECT (copy));
  g_assert_no_error (error);
  ks_object_unref (updated);
}

static void
assert_unmarked (const KsPod *pod)
{
  g_assert_cmpint (pod->conditions[KS_POD_COND_DISRUPTION_TARGET].status, !=, KS_CONDITION_TRUE);
  g_assert_null (pod->conditions[KS_POD_COND_DISRUPTION_TARGET].reason);
}

static void
assert_marked (const KsPod *pod, gint64 at)
{
  const KsCondition *c = &pod->conditions[KS_POD_COND_DISRUPTION_TARGET];

  g_assert_cmpint (c->status, ==, KS_CONDITION_TRUE);
  g_assert_cmpstr (c->reason, ==, "EvictionByEvictionAPI");
  g_assert_cmpstr (c->message, ==, "Eviction API: evicting");
  g_assert_cmpint (c->last_transition_time, ==, at);
  g_assert_true (ks_object_is_being_deleted (KS_OBJECT (pod)));
}

/* pkg/registry/core/pod/storage/eviction.go: a budget allowing no disruption refuses (429) and
 * leaves the pod as it was; once it allows one, the pod (read again after a conflicting write:
 * the caller's copy was stale) is marked DisruptionTarget=True, EvictionByEvictionAPI, and
 * deleted, the budget decremented; a terminal pod is marked too (no budget asked); a pod with two
 * budgets is refused (500) unmarked. */
static void
test_evict (Fixture *f, gconstpointer data)
{
  const gint64 now = 100 * KS_USEC_PER_SEC;
  g_autoptr (KsObject) run = bound_pod (f, "run", KS_POD_RUNNING, FALSE);
  g_autoptr (KsObject) done = bound_pod (f, "done", KS_POD_SUCCEEDED, TRUE);
  g_autoptr (KsPod) after = NULL;
  g_autoptr (KsPod) terminal = NULL;
  g_autoptr (KsObject) pdb = NULL;
  g_autoptr (KsObject) noted = NULL;
  g_autofree char *message = NULL;
  KsObject *copy;

  set_budget (f, "web", 0);
  g_assert_cmpint (ks_evict_pod (f->client, now, KS_POD (run), &message), ==, KS_EVICT_REFUSED);
  g_assert_cmpstr (message, ==,
                   "Cannot evict pod as it would violate the pod's disruption budget.");
  g_clear_pointer (&message, g_free);
  after = get_pod (f, "run");
  g_assert_cmpuint (KS_OBJECT (after)->meta.resource_version, ==, run->meta.resource_version);
  g_assert_false (ks_object_is_being_deleted (KS_OBJECT (after)));
  assert_unmarked (after);
  ks_object_unref (KS_OBJECT (g_steal_pointer (&after)));

  /* Another writer changes the pod: run is now stale. */
  copy = ks_object_copy (run);
  ks_object_set_annotation (copy, "note", "x");
  noted = ks_client_update (f->client, copy, NULL);
  ks_object_unref (copy);
  g_assert_nonnull (noted);
  set_budget (f, "web", 1);
  g_assert_cmpint (ks_evict_pod (f->client, now, KS_POD (run), &message), ==, KS_EVICT_DONE);
  g_assert_null (message);
  after = get_pod (f, "run");
  assert_marked (after, now);
  g_assert_cmpstr (ks_object_get_annotation (KS_OBJECT (after), "note"), ==, "x");
  pdb = ks_client_get (f->client, ks_kind_get (KS_KIND_POD_DISRUPTION_BUDGET), "default", "web",
                       NULL);
  g_assert_cmpint (KS_POD_DISRUPTION_BUDGET (pdb)->status.disruptions_allowed, ==, 0);
  g_assert_cmpuint (KS_POD_DISRUPTION_BUDGET (pdb)->status.n_disrupted_pods, ==, 1);
  g_assert_cmpstr (KS_POD_DISRUPTION_BUDGET (pdb)->status.disrupted_pods[0].name, ==, "run");

  /* Terminal: no budget asked (it allows none now), marked all the same. */
  g_assert_cmpint (ks_evict_pod (f->client, now + KS_USEC_PER_SEC, KS_POD (done), &message), ==,
                   KS_EVICT_DONE);
  terminal = get_pod (f, "done");
  assert_marked (terminal, now + KS_USEC_PER_SEC);
  g_assert_cmpint (terminal->phase, ==, KS_POD_SUCCEEDED);

  /* Two budgets. */
  {
    g_autoptr (KsObject) two = bound_pod (f, "two", KS_POD_RUNNING, FALSE);
    g_autoptr (KsPod) two_after = NULL;
    set_budget (f, "web2", 1);
    g_assert_cmpint (ks_evict_pod (f->client, now, KS_POD (two), &message), ==, KS_EVICT_FAILED);
    g_assert_cmpstr (message, ==,
                     "This pod has more than one PodDisruptionBudget, which the eviction "
                     "subresource does not support.");
    two_after = get_pod (f, "two");
    assert_unmarked (two_after);
    g_assert_false (ks_object_is_being_deleted (KS_OBJECT (two_after)));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ks_test_drop_gio_debug ();
#define ADD_BOTH(path, fn)                                                                         \
  g_test_add ("/client/store/" path, Fixture, GINT_TO_POINTER (FALSE), fixture_setup, fn,          \
              fixture_teardown);                                                                   \
  g_test_add ("/client/http/" path, Fixture, GINT_TO_POINTER (TRUE), fixture_setup, fn,            \
              fixture_teardown)
  ADD_BOTH ("crud", test_crud);
  ADD_BOTH ("generation-and-status", test_generation_and_status);
  ADD_BOTH ("bind", test_bind);
  ADD_BOTH ("dependents", test_dependents);
  ADD_BOTH ("watch", test_watch);
  ADD_BOTH ("watch-unwatch-in-callback", test_watch_unwatch_in_callback);
  ADD_BOTH ("evict", test_evict);
  g_test_add ("/client/http/reconnect", Fixture, GINT_TO_POINTER (TRUE), fixture_setup,
              test_reconnect, fixture_teardown);
  g_test_add ("/client/http/server-down-at-start", Fixture, GINT_TO_POINTER (TRUE), fixture_setup,
              test_server_down_at_start, fixture_teardown);
  g_test_add_func ("/client/http/bad-url", test_bad_url);
  return g_test_run ();
}
