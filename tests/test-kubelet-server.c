/* test-kubelet-server.c: the node agent's log server (real/ks-kubelet-server.c) without root:
 * the request options as Kubernetes reads and validates them, which instance of a container a
 * request is for (the kubelet's validateContainerLogStatus), tailLines over files of every
 * shape, and the HTTP server on 127.0.0.1 over a store client with log files in a temporary
 * directory (tailLines, limitBytes, previous, follow until the container ends, a follower that
 * goes away, errors as Status objects); and /metrics/resource, the usage of the node and of its
 * pods' running containers from the runtime, as the kubelet's text. */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>
#include <unistd.h>

#include "real/ks-kubelet-server.h"
#include "sim/ks-sim-clock.h"
#include "src/api/ks-namespace.h"
#include "src/store/ks-client.h"
#include "src/store/ks-store.h"
#include "tests/ks-test.h"

/* ---- options -------------------------------------------------------------------------------- */

static GHashTable *query_new (const char *first, ...) G_GNUC_NULL_TERMINATED;

static GHashTable *
query_new (const char *first, ...)
{
  GHashTable *q = g_hash_table_new (g_str_hash, g_str_equal);
  va_list args;

  va_start (args, first);
  for (const char *k = first; k != NULL; k = va_arg (args, const char *))
    g_hash_table_insert (q, (gpointer) k, va_arg (args, char *));
  va_end (args);
  return q;
}

/* Parse; returns the error message (owned) or NULL, and the code in *code. */
static char *
parse (GHashTable *q, KsLogOptions *o, gint *code)
{
  g_autoptr (GError) error = NULL;

  if (ks_log_options_parse (q, "p", o, &error))
    return NULL;
  g_assert_true (error->domain == KS_KUBELET_SERVER_ERROR);
  *code = error->code;
  return g_strdup (error->message);
}

static void
assert_refused (GHashTable *q, gint code, const char *message)
{
  KsLogOptions o;
  gint got = -1;
  g_autofree char *m = parse (q, &o, &got);

  g_assert_cmpstr (m, ==, message);
  g_assert_cmpint (got, ==, code);
  g_hash_table_unref (q);
}

static void
test_options (void)
{
  KsLogOptions o;
  gint code;
  GHashTable *q;

  g_assert_null (parse (NULL, &o, &code));
  g_assert_false (o.follow);
  g_assert_false (o.previous);
  g_assert_cmpint (o.tail_lines, ==, -1);
  g_assert_cmpint (o.limit_bytes, ==, -1);

  q = query_new ("follow", "true", "previous", "1", "tailLines", "0", "limitBytes", "10",
                 "timestamps", "false", "container", "ignored", NULL);
  g_assert_null (parse (q, &o, &code));
  g_assert_true (o.follow);
  g_assert_true (o.previous);
  g_assert_cmpint (o.tail_lines, ==, 0);
  g_assert_cmpint (o.limit_bytes, ==, 10);
  g_hash_table_unref (q);
  q = query_new ("follow", "F", "previous", "False", NULL);
  g_assert_null (parse (q, &o, &code));
  g_assert_false (o.follow);
  g_assert_false (o.previous);
  g_hash_table_unref (q);

  assert_refused (query_new ("follow", "yes", NULL), KS_KUBELET_SERVER_ERROR_BAD_REQUEST,
                  "follow: \"yes\" is not a boolean (true or false)");
  assert_refused (query_new ("tailLines", "1.5", NULL), KS_KUBELET_SERVER_ERROR_BAD_REQUEST,
                  "tailLines: \"1.5\" is not an integer");
  assert_refused (query_new ("limitBytes", "", NULL), KS_KUBELET_SERVER_ERROR_BAD_REQUEST,
                  "limitBytes: \"\" is not an integer");
  assert_refused (query_new ("tailLines", "-1", NULL), KS_KUBELET_SERVER_ERROR_INVALID,
                  "PodLogOptions \"p\" is invalid: tailLines: Invalid value: -1: must be greater "
                  "than or equal to 0");
  assert_refused (query_new ("tailLines", "-2", "limitBytes", "0", NULL),
                  KS_KUBELET_SERVER_ERROR_INVALID,
                  "PodLogOptions \"p\" is invalid: [tailLines: Invalid value: -2: must be greater "
                  "than or equal to 0, limitBytes: Invalid value: 0: must be greater than 0]");
  assert_refused (query_new ("sinceSeconds", "0", NULL), KS_KUBELET_SERVER_ERROR_INVALID,
                  "PodLogOptions \"p\" is invalid: sinceSeconds: Invalid value: 0: must be "
                  "greater than 0");
  assert_refused (query_new ("sinceSeconds", "5", "sinceTime", "2024-01-01T00:00:00Z", NULL),
                  KS_KUBELET_SERVER_ERROR_INVALID,
                  "PodLogOptions \"p\" is invalid: : Forbidden: at most one of `sinceTime` or "
                  "`sinceSeconds` may be specified");
  assert_refused (query_new ("timestamps", "true", NULL), KS_KUBELET_SERVER_ERROR_BAD_REQUEST,
                  "timestamps are not supported: kubesim's container logs do not record when "
                  "each line was written");
  assert_refused (query_new ("sinceSeconds", "5", NULL), KS_KUBELET_SERVER_ERROR_BAD_REQUEST,
                  "sinceSeconds is not supported: kubesim's container logs do not record when "
                  "each line was written; use tailLines");
  assert_refused (query_new ("sinceTime", "2024-01-01T00:00:00Z", NULL),
                  KS_KUBELET_SERVER_ERROR_BAD_REQUEST,
                  "sinceTime is not supported: kubesim's container logs do not record when each "
                  "line was written; use tailLines");
}

/* ---- choosing the instance ------------------------------------------------------------------ */

static const char pod_yaml[] = "apiVersion: v1\n"
                               "kind: Pod\n"
                               "metadata: {name: p}\n"
                               "spec:\n"
                               "  nodeName: n1\n"
                               "  initContainers: [{name: init, image: busybox}]\n"
                               "  containers: [{name: c, image: busybox}, {name: d, image: "
                               "busybox}]\n";

static KsPod *
pod_new (void)
{
  KsPod *pod = KS_POD (ks_test_decode (pod_yaml));
  ks_pod_ensure_container_statuses (pod);
  return pod;
}

/* Select; returns the instance, or -1 with the message in *message (owned). */
static gint
select_instance (const KsPod *pod, const char *c, gboolean previous, gboolean *running,
                 char **message)
{
  g_autoptr (GError) error = NULL;
  gint n = -7;

  *message = NULL;
  if (!ks_log_select_instance (pod, c, previous, &n, running, &error))
    {
      *message = g_strdup (error->message);
      return -1;
    }
  return n;
}

static void
set_status (KsContainerStatus *s, KsContainerState state, const char *reason, gint restarts,
            gboolean has_last)
{
  s->state = state;
  s->reason = reason != NULL ? ks_intern (reason) : NULL;
  s->restart_count = restarts;
  s->has_last = has_last;
}

static void
test_select (void)
{
  g_autoptr (KsPod) bare = KS_POD (ks_test_decode (pod_yaml));
  g_autoptr (KsPod) pod = pod_new ();
  KsContainerStatus *s = &pod->container_statuses[0];
  gboolean running;
  char *m;

  /* No statuses yet: the kubelet's first status will say ContainerCreating. */
  g_assert_cmpint (select_instance (bare, "c", FALSE, &running, &m), ==, -1);
  g_assert_cmpstr (m, ==, "container \"c\" in pod \"p\" is waiting to start: ContainerCreating");
  g_free (m);
  g_assert_cmpint (select_instance (bare, "c", TRUE, &running, &m), ==, -1);
  g_assert_cmpstr (m, ==, "previous terminated container \"c\" in pod \"p\" not found");
  g_free (m);
  g_assert_cmpint (select_instance (pod, "x", FALSE, &running, &m), ==, -1);
  g_assert_cmpstr (m, ==, "container \"x\" not found in pod \"p\"");
  g_free (m);
  g_assert_cmpint (select_instance (pod, "init", FALSE, &running, &m), ==, -1);
  g_assert_cmpstr (m, ==, "container \"init\" in pod \"p\" is waiting to start: PodInitializing");
  g_free (m);

  set_status (s, KS_CONTAINER_WAITING, "ErrImagePull", 0, FALSE);
  g_assert_cmpint (select_instance (pod, "c", FALSE, &running, &m), ==, -1);
  g_assert_cmpstr (m, ==,
                   "container \"c\" in pod \"p\" is waiting to start: image can't be pulled");
  g_free (m);
  set_status (s, KS_CONTAINER_WAITING, "ImagePullBackOff", 0, FALSE);
  g_assert_cmpint (select_instance (pod, "c", FALSE, &running, &m), ==, -1);
  g_assert_cmpstr (
      m, ==, "container \"c\" in pod \"p\" is waiting to start: trying and failing to pull image");
  g_free (m);

  /* Running: its own instance; the previous one only once there is a lastState. */
  set_status (s, KS_CONTAINER_RUNNING, NULL, 0, FALSE);
  g_assert_cmpint (select_instance (pod, "c", FALSE, &running, &m), ==, 0);
  g_assert_true (running);
  g_assert_cmpint (select_instance (pod, "c", TRUE, &running, &m), ==, -1);
  g_free (m);
  set_status (s, KS_CONTAINER_RUNNING, NULL, 3, TRUE);
  g_assert_cmpint (select_instance (pod, "c", FALSE, &running, &m), ==, 3);
  g_assert_true (running);
  g_assert_cmpint (select_instance (pod, "c", TRUE, &running, &m), ==, 2);
  g_assert_false (running);

  /* Waiting in CrashLoopBackOff: the restart is not counted yet, so the last instance is the
   * restart count; waiting for an immediate restart (counted), it is one less. */
  set_status (s, KS_CONTAINER_WAITING, "CrashLoopBackOff", 3, TRUE);
  g_assert_cmpint (select_instance (pod, "c", FALSE, &running, &m), ==, 3);
  g_assert_false (running);
  g_assert_cmpint (select_instance (pod, "c", TRUE, &running, &m), ==, 3);
  set_status (s, KS_CONTAINER_WAITING, "ContainerCreating", 1, TRUE);
  g_assert_cmpint (select_instance (pod, "c", FALSE, &running, &m), ==, 0);
  g_assert_cmpint (select_instance (pod, "c", TRUE, &running, &m), ==, 0);

  /* Terminated (not restarted). */
  set_status (s, KS_CONTAINER_TERMINATED, "Completed", 2, TRUE);
  g_assert_cmpint (select_instance (pod, "c", FALSE, &running, &m), ==, 2);
  g_assert_false (running);
  g_assert_cmpint (select_instance (pod, "c", TRUE, &running, &m), ==, 1);
  /* The other container and the init container have their own statuses. */
  set_status (&ks_pod_init_container_statuses (pod)[0], KS_CONTAINER_TERMINATED, "Completed", 0,
              FALSE);
  g_assert_cmpint (select_instance (pod, "init", FALSE, &running, &m), ==, 0);
  g_assert_cmpint (select_instance (pod, "d", FALSE, &running, &m), ==, -1);
  g_assert_cmpstr (m, ==, "container \"d\" in pod \"p\" is waiting to start: ContainerCreating");
  g_free (m);
}

/* With the runc runtime's containerID the instance is the one it names, whatever the restart
 * count says; another runtime's (or another container's) ID is not used. */
static void
test_select_container_id (void)
{
  g_autoptr (KsPod) pod = pod_new ();
  KsContainerStatus *s = &pod->container_statuses[0];
  char uid[KS_UID_STRING_LEN];
  gboolean running;
  char *m = NULL;

  ks_uid_to_string (&pod->parent.meta.uid, uid);
  /* Running instance 5 (an agent that started again numbers from the restart count). */
  set_status (s, KS_CONTAINER_RUNNING, NULL, 3, TRUE);
  s->container_id = g_strdup_printf ("runc://%s-c-5", uid);
  g_assert_cmpint (select_instance (pod, "c", FALSE, &running, &m), ==, 5);
  g_assert_true (running);
  g_assert_cmpint (select_instance (pod, "c", TRUE, &running, &m), ==, 4);
  g_assert_false (running);
  /* Waiting to restart, whatever the reason: containerID is the last terminated instance. */
  set_status (s, KS_CONTAINER_WAITING, "CrashLoopBackOff", 3, TRUE);
  g_assert_cmpint (select_instance (pod, "c", FALSE, &running, &m), ==, 5);
  g_assert_cmpint (select_instance (pod, "c", TRUE, &running, &m), ==, 5);
  set_status (s, KS_CONTAINER_WAITING, "ContainerCreating", 4, TRUE);
  g_assert_cmpint (select_instance (pod, "c", TRUE, &running, &m), ==, 5);
  /* Terminated. */
  set_status (s, KS_CONTAINER_TERMINATED, "Error", 3, TRUE);
  g_assert_cmpint (select_instance (pod, "c", FALSE, &running, &m), ==, 5);
  g_assert_cmpint (select_instance (pod, "c", TRUE, &running, &m), ==, 4);
  /* Not this container's, or not runc's: the restart count decides, as before. */
  g_free (s->container_id);
  s->container_id = g_strdup_printf ("runc://%s-d-5", uid);
  g_assert_cmpint (select_instance (pod, "c", FALSE, &running, &m), ==, 3);
  g_free (s->container_id);
  s->container_id = g_strdup ("containerd://0123456789abcdef");
  g_assert_cmpint (select_instance (pod, "c", FALSE, &running, &m), ==, 3);
  g_assert_null (m);
}

/* ---- tail ----------------------------------------------------------------------------------- */

static gint64
tail_of (const char *text, gint64 n)
{
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  gint64 offset = -1;
  int fd = g_file_open_tmp ("ks-tail-XXXXXX", &path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (write (fd, text, strlen (text)), ==, (gssize) strlen (text));
  g_assert_true (ks_log_tail_offset (fd, strlen (text), n, &offset, &error));
  g_assert_no_error (error);
  close (fd);
  g_unlink (path);
  return offset;
}

static void
test_tail (void)
{
  GString *big = g_string_new (NULL);
  gint64 off;

  g_assert_cmpint (tail_of ("", 3), ==, 0);
  g_assert_cmpint (tail_of ("a\nb\nc\n", -1), ==, 0);
  g_assert_cmpint (tail_of ("a\nb\nc\n", 0), ==, 6);
  g_assert_cmpint (tail_of ("a\nb\nc\n", 1), ==, 4);
  g_assert_cmpint (tail_of ("a\nb\nc\n", 2), ==, 2);
  g_assert_cmpint (tail_of ("a\nb\nc\n", 3), ==, 0);
  g_assert_cmpint (tail_of ("a\nb\nc\n", 10), ==, 0);
  /* A last line without its newline is a line. */
  g_assert_cmpint (tail_of ("a\nb\nc", 1), ==, 4);
  g_assert_cmpint (tail_of ("a\nb\nc", 2), ==, 2);
  /* Empty lines count. */
  g_assert_cmpint (tail_of ("a\n\n\n", 2), ==, 2);
  g_assert_cmpint (tail_of ("\n", 1), ==, 0);

  /* Lines across the 64 KiB blocks the file is read in. */
  for (guint i = 0; i < 30000; i++)
    g_string_append_printf (big, "line %u\n", i);
  off = tail_of (big->str, 25000);
  g_assert_true (g_str_has_prefix (big->str + off, "line 5000\n"));
  off = tail_of (big->str, 1);
  g_assert_cmpstr (big->str + off, ==, "line 29999\n");
  g_assert_cmpint (tail_of (big->str, 30000), ==, 0);
  g_string_free (big, TRUE);
}

/* ---- the server ----------------------------------------------------------------------------- */

typedef struct
{
  KsSimClock *sim;
  KsStore *store;
  KsClient *client;
  KsKubeletServer *server;
  SoupSession *session;
  char *dir;
  char *logs_dir;
  char *pod_dir; /* logs/default_p_<uid> */
  KsUid uid;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  KsObject *pod;
  char uid[KS_UID_STRING_LEN];
  g_autofree char *name = NULL;

  f->sim = ks_sim_clock_new ();
  f->store = ks_store_new (ks_sim_clock_get_clock (f->sim), 1);
  f->client = ks_store_client_new (f->store);
  ks_test_create (f->store, KS_OBJECT (ks_namespace_new ("default")));
  pod = ks_test_create (f->store, ks_test_decode (pod_yaml));
  f->uid = pod->meta.uid;
  f->dir = g_dir_make_tmp ("ks-kubelet-server-XXXXXX", &error);
  g_assert_no_error (error);
  f->logs_dir = g_build_filename (f->dir, "logs", NULL);
  name = g_strdup_printf ("default_p_%s", ks_uid_to_string (&f->uid, uid));
  f->pod_dir = g_build_filename (f->logs_dir, name, NULL);
  f->server = ks_kubelet_server_new (f->client, "n1", f->logs_dir);
  g_assert_true (ks_kubelet_server_listen (f->server, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ks_kubelet_server_get_port (f->server), >, 0);
  f->session = soup_session_new ();
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_object_unref (f->session);
  ks_kubelet_server_free (f->server);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  ks_client_free (f->client);
  ks_store_free (f->store);
  ks_sim_clock_free (f->sim);
  ks_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->logs_dir);
  g_free (f->pod_dir);
}

static void
write_log (Fixture *f, const char *container, gint n, const char *text, gboolean append)
{
  g_autofree char *dir = g_build_filename (f->pod_dir, container, NULL);
  g_autofree char *file = g_strdup_printf ("%d.log", n);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  int fd;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  fd = open (path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, text, strlen (text)), ==, (gssize) strlen (text));
  close (fd);
}

/* Change container c's status in the store (a status update, as the kubelet writes it). */
static void
update_status (Fixture *f, guint c, KsContainerState state, const char *reason, gint restarts,
               gboolean has_last)
{
  g_autoptr (GError) error = NULL;
  KsPod *pod
      = ks_pod_copy (KS_POD (ks_store_get (f->store, ks_kind_get (KS_KIND_POD), "default", "p")));

  ks_pod_ensure_container_statuses (pod);
  set_status (&pod->container_statuses[c], state, reason, restarts, has_last);
  g_assert_nonnull (ks_store_update (f->store, KS_OBJECT (pod), TRUE, &error));
  g_assert_no_error (error);
  ks_object_unref (KS_OBJECT (pod));
}

typedef struct
{
  guint status;
  char *type;
  GBytes *body;
  GError *error;
  gboolean done;
} Reply;

static void
on_read (GObject *source, GAsyncResult *result, gpointer data)
{
  Reply *r = data;
  r->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &r->error);
  r->done = TRUE;
}

/* GET path?query on the server; returns the body as a string (owned), status in *status. */
static char *
get (Fixture *f, const char *path_query, guint *status, char **type)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s",
                                          ks_kubelet_server_get_port (f->server), path_query);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  Reply r = { 0 };
  gsize size;
  const char *data;
  char *out;

  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, on_read, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (r.error);
  *status = soup_message_get_status (msg);
  if (type != NULL)
    *type = g_strdup (
        soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL));
  data = g_bytes_get_data (r.body, &size);
  out = g_strndup (data != NULL ? data : "", size);
  g_bytes_unref (r.body);
  return out;
}

/* The message and reason of a Status body. */
static void
assert_status (const char *body, guint code, const char *reason, const char *message)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o;

  g_assert_true (json_parser_load_from_data (parser, body, -1, NULL));
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "Status");
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "Failure");
  g_assert_cmpint (json_object_get_int_member (o, "code"), ==, code);
  g_assert_cmpstr (json_object_get_string_member (o, "reason"), ==, reason);
  g_assert_cmpstr (json_object_get_string_member (o, "message"), ==, message);
}

static void
test_server_reads (Fixture *f, gconstpointer data)
{
  guint status;
  char *body, *type = NULL;

  /* Before the kubelet has written a status. */
  body = get (f, "/containerLogs/default/p/c", &status, NULL);
  g_assert_cmpuint (status, ==, 400);
  assert_status (body, 400, "BadRequest",
                 "container \"c\" in pod \"p\" is waiting to start: ContainerCreating");
  g_free (body);

  update_status (f, 0, KS_CONTAINER_RUNNING, NULL, 0, FALSE);
  write_log (f, "c", 0, "one\ntwo\nthree\nfour\n", FALSE);
  body = get (f, "/containerLogs/default/p/c", &status, &type);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (type, ==, "text/plain");
  g_assert_cmpstr (body, ==, "one\ntwo\nthree\nfour\n");
  g_free (body);
  g_free (type);
  body = get (f, "/containerLogs/default/p/c?tailLines=2", &status, NULL);
  g_assert_cmpstr (body, ==, "three\nfour\n");
  g_free (body);
  body = get (f, "/containerLogs/default/p/c?tailLines=0", &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (body, ==, "");
  g_free (body);
  /* limitBytes after the tail, as the kubelet applies them. */
  body = get (f, "/containerLogs/default/p/c?tailLines=3&limitBytes=6", &status, NULL);
  g_assert_cmpstr (body, ==, "two\nth");
  g_free (body);
  body = get (f, "/containerLogs/default/p/c?limitBytes=1000", &status, NULL);
  g_assert_cmpstr (body, ==, "one\ntwo\nthree\nfour\n");
  g_free (body);

  /* previous: none yet, then the last instance once the container has restarted. */
  body = get (f, "/containerLogs/default/p/c?previous=true", &status, NULL);
  g_assert_cmpuint (status, ==, 400);
  assert_status (body, 400, "BadRequest",
                 "previous terminated container \"c\" in pod \"p\" not found");
  g_free (body);
  write_log (f, "c", 1, "again\n", FALSE);
  update_status (f, 0, KS_CONTAINER_RUNNING, NULL, 1, TRUE);
  body = get (f, "/containerLogs/default/p/c", &status, NULL);
  g_assert_cmpstr (body, ==, "again\n");
  g_free (body);
  body = get (f, "/containerLogs/default/p/c?previous=1&tailLines=1", &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (body, ==, "four\n");
  g_free (body);
  /* A running instance whose file is not there (yet): an empty log. */
  update_status (f, 1, KS_CONTAINER_RUNNING, NULL, 0, FALSE);
  body = get (f, "/containerLogs/default/p/d", &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (body, ==, "");
  g_free (body);

  /* Errors. */
  body = get (f, "/containerLogs/default/p/c?tailLines=-1", &status, NULL);
  g_assert_cmpuint (status, ==, 422);
  assert_status (body, 422, "Invalid",
                 "PodLogOptions \"p\" is invalid: tailLines: Invalid value: -1: must be greater "
                 "than or equal to 0");
  g_assert_nonnull (strstr (body, "\"causes\":[{\"reason\":\"FieldValueInvalid\","));
  g_assert_nonnull (strstr (body, "\"field\":\"tailLines\""));
  g_free (body);
  body = get (f, "/containerLogs/default/p/c?follow=maybe", &status, NULL);
  g_assert_cmpuint (status, ==, 400);
  assert_status (body, 400, "BadRequest", "follow: \"maybe\" is not a boolean (true or false)");
  g_free (body);
  body = get (f, "/containerLogs/default/q/c", &status, NULL);
  g_assert_cmpuint (status, ==, 404);
  assert_status (body, 404, "NotFound", "pod \"q\" does not exist");
  g_free (body);
  body = get (f, "/containerLogs/default/p/x", &status, NULL);
  g_assert_cmpuint (status, ==, 404);
  assert_status (body, 404, "NotFound", "container \"x\" not found in pod \"p\"");
  g_free (body);
  body = get (f, "/containerLogs/default/p", &status, NULL);
  g_assert_cmpuint (status, ==, 404);
  assert_status (body, 404, "NotFound", "the server could not find the requested resource");
  g_free (body);
  /* A pod of another node is not this node's to serve. */
  ks_test_create (f->store, ks_test_decode ("apiVersion: v1\nkind: Pod\nmetadata: {name: "
                                            "other}\nspec:\n  nodeName: n2\n  containers: "
                                            "[{name: c, image: busybox}]\n"));
  body = get (f, "/containerLogs/default/other/c", &status, NULL);
  g_assert_cmpuint (status, ==, 404);
  assert_status (body, 404, "NotFound", "pod \"other\" does not exist");
  g_free (body);
  g_assert_cmpuint (ks_kubelet_server_n_streams (f->server), ==, 0);
}

/* A large log in many chunks. */
static void
test_server_large (Fixture *f, gconstpointer data)
{
  GString *big = g_string_new (NULL);
  guint status;
  char *body;

  for (guint i = 0; i < 100000; i++)
    g_string_append_printf (big, "%07u\n", i);
  update_status (f, 0, KS_CONTAINER_TERMINATED, "Completed", 0, FALSE);
  write_log (f, "c", 0, big->str, FALSE);
  body = get (f, "/containerLogs/default/p/c", &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (strlen (body), ==, big->len);
  g_assert_true (strcmp (body, big->str) == 0);
  g_free (body);
  body = get (f, "/containerLogs/default/p/c?limitBytes=100000", &status, NULL);
  g_assert_cmpuint (strlen (body), ==, 100000);
  g_assert_true (strncmp (body, big->str, 100000) == 0);
  g_free (body);
  /* Follow on a container that has ended: the log, then the end. */
  body = get (f, "/containerLogs/default/p/c?follow=true&tailLines=1", &status, NULL);
  g_assert_cmpstr (body, ==, "0099999\n");
  g_free (body);
  g_string_free (big, TRUE);
}

/* A follower reading chunk by chunk. */
typedef struct
{
  SoupMessage *msg;
  GInputStream *stream;
  GCancellable *cancellable;
  GString *got;
  gboolean eof;
  gboolean opened;
  GError *error;
  char buf[4096];
} Follower;

static void follower_read (Follower *fl);

static void
on_follower_read (GObject *source, GAsyncResult *result, gpointer data)
{
  Follower *fl = data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &fl->error);

  if (n <= 0)
    {
      fl->eof = TRUE;
      return;
    }
  g_string_append_len (fl->got, fl->buf, n);
  follower_read (fl);
}

static void
follower_read (Follower *fl)
{
  g_input_stream_read_async (fl->stream, fl->buf, sizeof fl->buf, G_PRIORITY_DEFAULT,
                             fl->cancellable, on_follower_read, fl);
}

static void
on_follower_open (GObject *source, GAsyncResult *result, gpointer data)
{
  Follower *fl = data;

  fl->stream = soup_session_send_finish (SOUP_SESSION (source), result, &fl->error);
  fl->opened = TRUE;
  if (fl->stream != NULL)
    follower_read (fl);
  else
    fl->eof = TRUE;
}

static Follower *
follower_new (Fixture *f, const char *path_query)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s",
                                          ks_kubelet_server_get_port (f->server), path_query);
  Follower *fl = g_new0 (Follower, 1);

  fl->msg = soup_message_new ("GET", url);
  fl->cancellable = g_cancellable_new ();
  fl->got = g_string_new (NULL);
  soup_session_send_async (f->session, fl->msg, G_PRIORITY_DEFAULT, fl->cancellable,
                           on_follower_open, fl);
  return fl;
}

static void
follower_free (Follower *fl)
{
  g_clear_object (&fl->stream);
  g_object_unref (fl->msg);
  g_object_unref (fl->cancellable);
  g_string_free (fl->got, TRUE);
  g_clear_error (&fl->error);
  g_free (fl);
}

/* Iterate until cond or 5 s have passed. */
#define WAIT_FOR(cond)                                                                             \
  G_STMT_START                                                                                     \
  {                                                                                                \
    gint64 deadline_ = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;                               \
    while (!(cond) && g_get_monotonic_time () < deadline_)                                         \
      g_main_context_iteration (NULL, FALSE) || (g_usleep (2000), TRUE);                           \
    g_assert_true (cond);                                                                          \
  }                                                                                                \
  G_STMT_END

static void
test_server_follow (Fixture *f, gconstpointer data)
{
  Follower *fl, *gone;

  update_status (f, 0, KS_CONTAINER_RUNNING, NULL, 0, FALSE);
  write_log (f, "c", 0, "a\nb\n", FALSE);
  fl = follower_new (f, "/containerLogs/default/p/c?follow=true&tailLines=1");
  WAIT_FOR (strcmp (fl->got->str, "b\n") == 0);
  g_assert_cmpuint (soup_message_get_status (fl->msg), ==, 200);
  /* New output arrives while the container runs. */
  write_log (f, "c", 0, "c\n", TRUE);
  WAIT_FOR (strcmp (fl->got->str, "b\nc\n") == 0);
  write_log (f, "c", 0, "d", TRUE);
  WAIT_FOR (strcmp (fl->got->str, "b\nc\nd") == 0);
  g_assert_false (fl->eof);
  g_assert_cmpuint (ks_kubelet_server_n_streams (f->server), ==, 1);
  /* Another status change of the pod while it still runs changes nothing. */
  update_status (f, 1, KS_CONTAINER_RUNNING, NULL, 0, FALSE);
  g_main_context_iteration (NULL, FALSE);
  g_assert_false (fl->eof);

  /* A second follower leaves: the server notices and forgets it. */
  gone = follower_new (f, "/containerLogs/default/p/c?follow=true&tailLines=0");
  WAIT_FOR (gone->stream != NULL && ks_kubelet_server_n_streams (f->server) == 2);
  g_cancellable_cancel (gone->cancellable);
  WAIT_FOR (gone->eof);
  g_clear_object (&gone->stream);
  WAIT_FOR (ks_kubelet_server_n_streams (f->server) == 1);
  follower_free (gone);

  /* The container ends (what it wrote last is sent), and restarts: the response ends. */
  write_log (f, "c", 0, "\nlast\n", TRUE);
  update_status (f, 0, KS_CONTAINER_WAITING, "CrashLoopBackOff", 0, TRUE);
  WAIT_FOR (fl->eof);
  g_assert_no_error (fl->error);
  g_assert_cmpstr (fl->got->str, ==, "b\nc\nd\nlast\n");
  WAIT_FOR (ks_kubelet_server_n_streams (f->server) == 0);
  follower_free (fl);

  /* limitBytes ends a follower too. */
  update_status (f, 0, KS_CONTAINER_RUNNING, NULL, 1, TRUE);
  write_log (f, "c", 1, "12345", FALSE);
  fl = follower_new (f, "/containerLogs/default/p/c?follow=true&limitBytes=8");
  WAIT_FOR (strcmp (fl->got->str, "12345") == 0);
  g_assert_false (fl->eof);
  write_log (f, "c", 1, "6789", TRUE);
  WAIT_FOR (fl->eof);
  g_assert_cmpstr (fl->got->str, ==, "12345678");
  follower_free (fl);

  /* The pod is deleted while followed: the response ends. */
  fl = follower_new (f, "/containerLogs/default/p/c?follow=true");
  WAIT_FOR (strcmp (fl->got->str, "123456789") == 0);
  {
    KsDeleteOptions now = { .grace_period_seconds = 0 };
    g_assert_true (
        ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "p", &now, NULL));
  }
  WAIT_FOR (fl->eof);
  follower_free (fl);

  /* The server freed with a follower: the follower sees the end. */
  ks_test_create (f->store, ks_test_decode (pod_yaml));
  {
    KsObject *pod = ks_store_get (f->store, ks_kind_get (KS_KIND_POD), "default", "p");
    char uid[KS_UID_STRING_LEN];
    g_autofree char *name
        = g_strdup_printf ("default_p_%s", ks_uid_to_string (&pod->meta.uid, uid));
    g_free (f->pod_dir);
    f->pod_dir = g_build_filename (f->logs_dir, name, NULL);
  }
  update_status (f, 0, KS_CONTAINER_RUNNING, NULL, 0, FALSE);
  write_log (f, "c", 0, "x\n", FALSE);
  fl = follower_new (f, "/containerLogs/default/p/c?follow=1");
  WAIT_FOR (strcmp (fl->got->str, "x\n") == 0);
  g_clear_pointer (&f->server, ks_kubelet_server_free);
  WAIT_FOR (fl->eof);
  follower_free (fl);
  f->server = ks_kubelet_server_new (f->client, "n1", f->logs_dir);
}

/* ---- /metrics/resource ---------------------------------------------------------------------- */

static guint
request_status (Fixture *f, const char *method, const char *path)
{
  g_autofree char *url
      = g_strdup_printf ("http://127.0.0.1:%u%s", ks_kubelet_server_get_port (f->server), path);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  Reply r = { 0 };

  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, on_read, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (r.error);
  g_bytes_unref (r.body);
  return soup_message_get_status (msg);
}

/* The usage of this node's pods' running containers and of the node, read when asked; pods of
 * other nodes are not reported. */
static void
test_server_metrics (Fixture *f, gconstpointer data)
{
  KsRuntime *rt = ks_test_stats_runtime_new ();
  const KsStats c = { G_GINT64_CONSTANT (1735689600004000), G_GINT64_CONSTANT (1735689500250000),
                      G_GUINT64_CONSTANT (12500000000), 20 << 20 };
  const KsStats node
      = { G_GINT64_CONSTANT (1735689600005000), 0, G_GUINT64_CONSTANT (99000000001), 512 << 20 };
  guint status;
  g_autofree char *type = NULL;
  char *body;

  ks_test_create (f->store, ks_test_decode ("apiVersion: v1\nkind: Pod\nmetadata: {name: o}\n"
                                            "spec: {nodeName: n2, containers: [{name: c, image: "
                                            "busybox}]}\n"));
  body = get (f, "/metrics/resource", &status, NULL);
  g_assert_cmpuint (status, ==, 503);
  assert_status (body, 503, "ServiceUnavailable", "the container runtime is not ready yet");
  g_free (body);

  ks_kubelet_server_set_runtime (f->server, rt);
  ks_test_stats_runtime_set (rt, "p/c", &c);
  ks_test_stats_runtime_set (rt, "o/c", &c); /* n2's: not reported here */
  ks_test_stats_runtime_set (rt, "node", &node);
  body = get (f, "/metrics/resource", &status, &type);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (type, ==, "text/plain");
  g_assert_cmpstr (
      body, ==,
      "# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the "
      "container in core-seconds\n"
      "# TYPE container_cpu_usage_seconds_total counter\n"
      "container_cpu_usage_seconds_total{container=\"c\",namespace=\"default\",pod=\"p\"} 12.5 "
      "1735689600004\n"
      "# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in "
      "bytes\n"
      "# TYPE container_memory_working_set_bytes gauge\n"
      "container_memory_working_set_bytes{container=\"c\",namespace=\"default\",pod=\"p\"} "
      "20971520 1735689600004\n"
      "# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch "
      "in seconds\n"
      "# TYPE container_start_time_seconds gauge\n"
      "container_start_time_seconds{container=\"c\",namespace=\"default\",pod=\"p\"} "
      "1735689500.25 1735689500250\n"
      "# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in "
      "core-seconds\n"
      "# TYPE node_cpu_usage_seconds_total counter\n"
      "node_cpu_usage_seconds_total 99.000000001 1735689600005\n"
      "# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes\n"
      "# TYPE node_memory_working_set_bytes gauge\n"
      "node_memory_working_set_bytes 536870912 1735689600005\n"
      "# HELP resource_scrape_error [ALPHA] 1 if there was an error while getting container "
      "metrics, 0 otherwise\n"
      "# TYPE resource_scrape_error gauge\n"
      "resource_scrape_error 0\n");
  g_free (body);

  /* The node's usage cannot be read: the scrape error says so. */
  ks_test_stats_runtime_set (rt, "node", NULL);
  body = get (f, "/metrics/resource", &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_null (strstr (body, "node_cpu_usage_seconds_total"));
  g_assert_true (g_str_has_suffix (body, "\nresource_scrape_error 1\n"));
  g_free (body);

  g_assert_cmpuint (request_status (f, "POST", "/metrics/resource"), ==, 405);
  ks_kubelet_server_set_runtime (f->server, NULL);
  g_assert_cmpuint (request_status (f, "GET", "/metrics/resource"), ==, 503);
  ks_runtime_free (rt);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/kubelet-server/options", test_options);
  g_test_add_func ("/kubelet-server/select", test_select);
  g_test_add_func ("/kubelet-server/select-container-id", test_select_container_id);
  g_test_add_func ("/kubelet-server/tail", test_tail);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/kubelet-server/http/reads", test_server_reads);
  ADD ("/kubelet-server/http/large", test_server_large);
  ADD ("/kubelet-server/http/follow", test_server_follow);
  ADD ("/kubelet-server/http/metrics", test_server_metrics);
#undef ADD
  return g_test_run ();
}
