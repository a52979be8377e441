/* test-kubectl.c: the kubectl-like commands (real/ks-kubectl*.c) against an API server in a
 * thread of this program, compared with kubectl's outputs written out by hand: apply (created,
 * configured, unchanged, the last-applied annotation, three-way merges, bad manifests), get
 * (tables, -o wide|json|yaml|name, -A, -l, --show-labels, several kinds, -w), describe (pods with
 * events, nodes, deployments, replica sets, services, the generic describer), delete (waiting,
 * --force, -l, -f, timeouts), scale, rollout status and undo, logs (through a fake node agent),
 * top pod and top node (over a metrics server whose storage the test fills), and errors as
 * kubectl prints them; and the three-way strategic merge patch itself.
 *
 * The store's clock stands still at 2025-01-01T00:00:00Z (tasks still run on the wall clock, so
 * watch timeouts end), and the commands compute ages at 00:05:00: every object is "5m" old. */
#include "config.h"

#include <gio/gunixoutputstream.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <unistd.h>

#include "real/ks-api-patch.h"
#include "real/ks-apiserver.h"
#include "real/ks-kubectl.h"
#include "real/ks-rest.h"
#include "real/ks-wall-clock.h"
#include "src/api/ks-yaml-emit.h"
#include "tests/ks-test.h"

#define T0 G_GINT64_CONSTANT (1735689600000000) /* 2025-01-01T00:00:00Z */
#define NOW (T0 + 5 * G_USEC_PER_SEC * 60)
#define TIMEOUT_US (15 * G_USEC_PER_SEC)

/* ---- the server thread ----------------------------------------------------------------------- */

typedef struct
{
  KsTestThread thread; /* the servers' (its lock also guards the fields shared with them) */
  KsTestClock clock;
  KsStore *store;
  KsApiServer *server;
  char *url;
  SoupServer *agent;
  guint agent_port;
  GString *agent_requests;  /* guarded by lock */
  char *dir;                /* scratch files */
  KsRest *rest;             /* the test's own requests */
  KsClient *metrics_client; /* the metrics server's, once attached (server thread) */
  KsMetricsServer *metrics;
} Fixture;

/* The fake node agent: /containerLogs/<ns>/<pod>/<container>. */
static void
agent_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
               gpointer data)
{
  Fixture *f = data;
  g_autoptr (GString) line = g_string_new (path);
  g_autoptr (GList) keys = query != NULL ? g_hash_table_get_keys (query) : NULL;

  keys = g_list_sort (keys, (GCompareFunc) strcmp);
  for (GList *l = keys; l != NULL; l = l->next)
    g_string_append_printf (line, " %s=%s", (char *) l->data,
                            (char *) g_hash_table_lookup (query, l->data));
  g_mutex_lock (&f->thread.lock);
  g_string_append_printf (f->agent_requests, "%s\n", line->str);
  g_mutex_unlock (&f->thread.lock);
  if (g_str_has_suffix (path, "/waiting"))
    {
      const char *status = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
                           "\"Failure\",\"message\":\"container \\\"waiting\\\" in pod \\\"two\\\" "
                           "is waiting to start: ContainerCreating\",\"reason\":\"BadRequest\","
                           "\"code\":400}";
      soup_server_message_set_status (msg, 400, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, status,
                                        strlen (status));
      return;
    }
  soup_server_message_set_status (msg, 200, NULL);
  if (query != NULL && g_hash_table_contains (query, "follow"))
    {
      /* A stream written in chunks. */
      SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
      SoupMessageBody *body = soup_server_message_get_response_body (msg);
      soup_message_headers_set_content_type (h, "text/plain", NULL);
      soup_message_headers_set_encoding (h, SOUP_ENCODING_CHUNKED);
      soup_message_body_append (body, SOUP_MEMORY_COPY, "tick 1\n", 7);
      soup_message_body_append (body, SOUP_MEMORY_COPY, "tick 2\n", 7);
      soup_message_body_complete (body);
      return;
    }
  {
    g_autofree char *text = g_strdup_printf ("log of %s\nline 2\n", path);
    soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY, text, strlen (text));
  }
}

static gpointer
server_main (gpointer data)
{
  Fixture *f = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSList) uris = NULL;

  g_main_context_push_thread_default (f->thread.context);
  ks_test_clock_init (&f->clock, ks_wall_clock_new (), T0);
  f->store = ks_store_new (&f->clock.parent, 7);
  f->server = ks_api_server_new (f->store, 0);
  g_assert_true (ks_api_server_listen (f->server, 0, &error));
  f->url = ks_api_server_get_url (f->server);
  f->agent = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->agent, "/containerLogs", agent_handler, f, NULL);
  g_assert_true (soup_server_listen_local (f->agent, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (f->agent);
  f->agent_port = g_uri_get_port (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  ks_test_thread_ready (&f->thread);
  g_main_loop_run (f->thread.loop);
  soup_server_disconnect (f->agent);
  g_clear_object (&f->agent);
  ks_api_server_free (f->server);
  ks_metrics_server_free (f->metrics);
  ks_client_free (f->metrics_client);
  ks_store_free (f->store);
  ks_wall_clock_free (f->clock.wall);
  while (g_main_context_iteration (f->thread.context, FALSE))
    ;
  g_main_context_pop_thread_default (f->thread.context);
  return NULL;
}

/* ---- requests of the test itself ------------------------------------------------------------- */

static JsonNode *
yaml_node (const char *yaml)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsSource) source = ks_source_new_from_data ("test.yaml", yaml, -1, &error);
  g_autoptr (GString) json = g_string_new (NULL);

  g_assert_no_error (error);
  ks_json_emit_compact (ks_source_get_document (source, 0), json);
  return json_from_string (json->str, NULL);
}

static JsonNode *
api (Fixture *f, const char *method, const char *path, const char *content_type, const char *body)
{
  g_autoptr (GError) error = NULL;
  JsonNode *answer = ks_rest_request (f->rest, method, path, content_type, body, &error);

  g_assert_no_error (error);
  g_assert_nonnull (answer);
  return answer;
}

/* POST the YAML object to the collection path. */
static JsonNode *
post (Fixture *f, const char *path, const char *yaml)
{
  g_autoptr (JsonNode) node = yaml_node (yaml);
  g_autofree char *body = json_to_string (node, FALSE);

  return api (f, "POST", path, "application/json", body);
}

static void
post_free (Fixture *f, const char *path, const char *yaml)
{
  g_autoptr (JsonNode) answer = post (f, path, yaml);
}

/* Replace the status of the object at path with the YAML status. */
static void
put_status (Fixture *f, const char *path, const char *status_yaml)
{
  g_autoptr (JsonNode) obj = api (f, "GET", path, NULL, NULL);
  g_autoptr (JsonNode) status = yaml_node (status_yaml);
  g_autofree char *status_path = g_strconcat (path, "/status", NULL);
  g_autofree char *body = NULL;
  g_autoptr (JsonNode) answer = NULL;

  json_object_set_member (json_node_get_object (obj), "status", json_node_copy (status));
  body = json_to_string (obj, FALSE);
  answer = api (f, "PUT", status_path, "application/json", body);
}

static char *
uid_of (Fixture *f, const char *path)
{
  g_autoptr (JsonNode) obj = api (f, "GET", path, NULL, NULL);

  return g_strdup (ks_json_get_string (obj, "metadata.uid"));
}

static char *
write_file (Fixture *f, const char *name, const char *text)
{
  return ks_test_write_file (f->dir, name, text, -1);
}

/* ---- running commands ------------------------------------------------------------------------ */

typedef int (*Command) (KsKubectl *k, gconstpointer options);

typedef struct
{
  int status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *r)
{
  g_free (r->out);
  g_free (r->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static char *
stream_text (GOutputStream *s)
{
  GMemoryOutputStream *m = G_MEMORY_OUTPUT_STREAM (s);

  if (g_memory_output_stream_get_data_size (m) == 0)
    return g_strdup ("");
  return g_strndup (g_memory_output_stream_get_data (m), g_memory_output_stream_get_data_size (m));
}

/* Run a command with namespace ns (NULL: the default) and collect what it prints. */
static Result
run (Fixture *f, const char *ns, Command command, gconstpointer options)
{
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr (GOutputStream) err = g_memory_output_stream_new_resizable ();
  KsKubectlConfig config = { f->url, ns, out, err, NOW, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (KsKubectl) k = ks_kubectl_new (&config, &error);
  Result r;

  g_assert_no_error (error);
  r.status = command (k, options);
  r.out = stream_text (out);
  r.err = stream_text (err);
  return r;
}

#define RUN(f, ns, command, ...) run (f, ns, (Command) command, &(__VA_ARGS__))

static void
assert_result (const Result *r, int status, const char *out, const char *err)
{
  if (g_strcmp0 (r->out, out) != 0 || g_strcmp0 (r->err, err) != 0 || r->status != status)
    g_printerr ("--- status %d, out:\n%s--- err:\n%s---\n", r->status, r->out, r->err);
  g_assert_cmpstr (r->out, ==, out);
  g_assert_cmpstr (r->err, ==, err);
  g_assert_cmpint (r->status, ==, status);
}

/* A command run in a thread of its own writing to a pipe, for the ones that wait (get -w,
 * rollout status), so the test can change things meanwhile and read what it prints. */
typedef struct
{
  Fixture *f;
  Command command;
  gconstpointer options;
  GCancellable *cancellable;
  int out_fd;
  int read_fd;
  GString *seen;
  int status;
  char *err;
  GThread *thread;
} Background;

static gpointer
background_main (gpointer data)
{
  Background *b = data;
  g_autoptr (GOutputStream) out = g_unix_output_stream_new (b->out_fd, TRUE);
  g_autoptr (GOutputStream) err = g_memory_output_stream_new_resizable ();
  KsKubectlConfig config = { b->f->url, NULL, out, err, NOW, b->cancellable };
  g_autoptr (KsKubectl) k = ks_kubectl_new (&config, NULL);

  b->status = b->command (k, b->options);
  b->err = stream_text (err);
  return NULL;
}

static Background *
background_start (Fixture *f, Command command, gconstpointer options)
{
  Background *b = g_new0 (Background, 1);
  int fds[2];

  g_assert_cmpint (pipe (fds), ==, 0);
  b->f = f;
  b->command = command;
  b->options = options;
  b->cancellable = g_cancellable_new ();
  b->read_fd = fds[0];
  b->out_fd = fds[1];
  b->seen = g_string_new (NULL);
  b->thread = g_thread_new ("kubectl", background_main, b);
  return b;
}

/* Read what the command prints until it holds text (or it ends). */
static void
background_wait_for (Background *b, const char *text)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;

  while (strstr (b->seen->str, text) == NULL)
    {
      char buf[4096];
      GPollFD pfd = { b->read_fd, G_IO_IN, 0 };
      gssize n;
      gint64 left = deadline - g_get_monotonic_time ();
      if (left <= 0)
        g_error ("timed out waiting for \"%s\"; got:\n%s", text, b->seen->str);
      if (g_poll (&pfd, 1, (gint) (left / 1000)) <= 0)
        continue;
      n = read (b->read_fd, buf, sizeof buf);
      if (n <= 0)
        g_error ("the command ended before printing \"%s\"; got:\n%s", text, b->seen->str);
      g_string_append_len (b->seen, buf, n);
    }
}

/* Cancel (unless it ends by itself), wait for the end, and read the rest. */
static void
background_finish (Background *b, gboolean cancel)
{
  char buf[4096];
  gssize n;

  if (cancel)
    g_cancellable_cancel (b->cancellable);
  while ((n = read (b->read_fd, buf, sizeof buf)) > 0)
    g_string_append_len (b->seen, buf, n);
  g_thread_join (b->thread);
  close (b->read_fd);
}

static void
background_free (Background *b)
{
  g_object_unref (b->cancellable);
  g_string_free (b->seen, TRUE);
  g_free (b->err);
  g_free (b);
}

/* ---- fixture --------------------------------------------------------------------------------- */

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->agent_requests = g_string_new (NULL);
  ks_test_thread_start (&f->thread, "api-server", server_main, f);
  f->rest = ks_rest_new (f->url, &error);
  g_assert_no_error (error);
  f->dir = ks_test_scratch_dir ("test-kubectl-XXXXXX");
  post_free (f, "/api/v1/namespaces", "apiVersion: v1\nkind: Namespace\nmetadata: {name: default}");
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ks_rest_free (f->rest);
  ks_test_thread_stop (&f->thread);
  g_free (f->url);
  g_string_free (f->agent_requests, TRUE);
  ks_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* ---- apply ----------------------------------------------------------------------------------- */

static const char web_yaml[] = "apiVersion: apps/v1\n"
                               "kind: Deployment\n"
                               "metadata:\n"
                               "  name: web\n"
                               "  labels: {tier: front}\n"
                               "spec:\n"
                               "  replicas: 2\n"
                               "  selector:\n"
                               "    matchLabels: {app: web}\n"
                               "  template:\n"
                               "    metadata:\n"
                               "      labels: {app: web}\n"
                               "    spec:\n"
                               "      containers:\n"
                               "        - name: httpd\n"
                               "          image: busybox\n"
                               "          ports:\n"
                               "            - containerPort: 8080\n"
                               "---\n"
                               "apiVersion: v1\n"
                               "kind: Service\n"
                               "metadata:\n"
                               "  name: web\n"
                               "spec:\n"
                               "  clusterIP: 10.96.0.10\n"
                               "  selector: {app: web}\n"
                               "  ports:\n"
                               "    - port: 80\n"
                               "      targetPort: 8080\n";

#define DEPLOYMENT "/apis/apps/v1/namespaces/default/deployments/web"

static void
test_apply (Fixture *f, gconstpointer data)
{
  g_autofree char *path = write_file (f, "web.yaml", web_yaml);
  char *files[] = { path, NULL };
  g_autoptr (JsonNode) obj = NULL;
  JsonObject *annotations;

  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_apply, (KsApplyOptions){ .files = files });
    assert_result (&r, 0, "deployment.apps/web created\nservice/web created\n", "");
  }
  /* The configuration as kubectl records it: Go's compact JSON, sorted, a newline at the end,
   * with the namespace and an empty annotations map. */
  obj = api (f, "GET", DEPLOYMENT, NULL, NULL);
  annotations = ks_json_get_object (obj, "metadata.annotations");
  g_assert_cmpstr (
      json_object_get_string_member (annotations,
                                     "kubectl.kubernetes.io/last-applied-configuration"),
      ==,
      "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"annotations\":{},"
      "\"labels\":{\"tier\":\"front\"},\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{"
      "\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"metadata\":"
      "{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"image\":\"busybox\",\"name\":"
      "\"httpd\",\"ports\":[{\"containerPort\":8080}]}]}}}}\n");
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_apply, (KsApplyOptions){ .files = files });
    assert_result (&r, 0, "deployment.apps/web unchanged\nservice/web unchanged\n", "");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_apply, (KsApplyOptions){ .files = files, .output = "name" });
    assert_result (&r, 0, "deployment.apps/web\nservice/web\n", "");
  }

  /* Someone else labels the deployment; the new configuration changes the label tier for app,
   * scales to 3, adds a port and an environment variable: a three-way merge keeps the other
   * label. */
  {
    g_autoptr (JsonNode) answer = api (f, "PATCH", DEPLOYMENT, "application/merge-patch+json",
                                       "{\"metadata\":{\"labels\":{\"owner\":\"ops\"}}}");
  }
  g_free (write_file (f, "web.yaml",
                      "apiVersion: apps/v1\n"
                      "kind: Deployment\n"
                      "metadata:\n"
                      "  name: web\n"
                      "  labels: {app: web}\n"
                      "spec:\n"
                      "  replicas: 3\n"
                      "  selector:\n"
                      "    matchLabels: {app: web}\n"
                      "  template:\n"
                      "    metadata:\n"
                      "      labels: {app: web}\n"
                      "    spec:\n"
                      "      containers:\n"
                      "        - name: httpd\n"
                      "          image: busybox\n"
                      "          env: [{name: MODE, value: fast}]\n"
                      "          ports:\n"
                      "            - containerPort: 8080\n"
                      "            - containerPort: 9090\n"));
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_apply, (KsApplyOptions){ .files = files });
    assert_result (&r, 0, "deployment.apps/web configured\n", "");
  }
  g_clear_pointer (&obj, json_node_unref);
  obj = api (f, "GET", DEPLOYMENT, NULL, NULL);
  {
    JsonObject *labels = ks_json_get_object (obj, "metadata.labels");
    g_autoptr (JsonNode) container = NULL;
    g_autofree char *text = NULL;
    g_assert_nonnull (labels);
    g_assert_cmpuint (json_object_get_size (labels), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (labels, "app"), ==, "web");
    g_assert_cmpstr (json_object_get_string_member (labels, "owner"), ==, "ops");
    g_assert_cmpint (json_object_get_int_member (ks_json_get_object (obj, "spec"), "replicas"), ==,
                     3);
    container = json_node_copy (json_array_get_element (
        json_object_get_array_member (ks_json_get_object (obj, "spec.template.spec"), "containers"),
        0));
    text = json_to_string (container, FALSE);
    g_assert_nonnull (strstr (text, "\"env\":[{\"name\":\"MODE\",\"value\":\"fast\"}]"));
    g_assert_nonnull (strstr (text, "\"ports\":[{\"containerPort\":8080,\"protocol\":\"TCP\"},"
                                    "{\"containerPort\":9090,\"protocol\":\"TCP\"}]"));
  }

  /* Dropping the first port deletes it ($patch: delete, by the merge key). */
  g_free (write_file (f, "web.yaml",
                      "apiVersion: apps/v1\n"
                      "kind: Deployment\n"
                      "metadata:\n"
                      "  name: web\n"
                      "  labels: {app: web}\n"
                      "spec:\n"
                      "  replicas: 3\n"
                      "  selector:\n"
                      "    matchLabels: {app: web}\n"
                      "  template:\n"
                      "    metadata:\n"
                      "      labels: {app: web}\n"
                      "    spec:\n"
                      "      containers:\n"
                      "        - name: httpd\n"
                      "          image: busybox\n"
                      "          terminationMessagePath: /dev/termination-log\n"
                      "          ports:\n"
                      "            - containerPort: 9090\n"));
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_apply, (KsApplyOptions){ .files = files });
    assert_result (&r, 0, "deployment.apps/web configured\n", "");
  }
  g_clear_pointer (&obj, json_node_unref);
  obj = api (f, "GET", DEPLOYMENT, NULL, NULL);
  {
    g_autoptr (JsonNode) spec = json_node_new (JSON_NODE_OBJECT);
    g_autofree char *text = NULL;
    json_node_set_object (spec, ks_json_get_object (obj, "spec.template.spec"));
    text = json_to_string (spec, FALSE);
    g_assert_nonnull (strstr (text, "\"ports\":[{\"containerPort\":9090,\"protocol\":\"TCP\"}]"));
    g_assert_null (strstr (text, "\"env\""));
  }
  /* A field kubesim does not keep (terminationMessagePath) is in every patch, but changes
   * nothing: unchanged. */
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_apply, (KsApplyOptions){ .files = files });
    assert_result (&r, 0, "deployment.apps/web unchanged\n", "");
  }
}

static void
test_apply_errors (Fixture *f, gconstpointer data)
{
  g_autofree char *bad = write_file (f, "bad.yaml",
                                     "apiVersion: v1\n"
                                     "kind: Pod\n"
                                     "metadata: {name: ok}\n"
                                     "spec:\n"
                                     "  containers: [{name: a, image: busybox}]\n"
                                     "---\n"
                                     "apiVersion: v1\n"
                                     "kind: Pod\n"
                                     "metadata: {name: p}\n"
                                     "spec:\n"
                                     "  containers:\n"
                                     "    - name: a\n"
                                     "      image: busybox\n"
                                     "      resources: {requests: {cpu: lots}}\n");
  g_autofree char *other = write_file (f, "other.yaml",
                                       "apiVersion: v1\n"
                                       "kind: Pod\n"
                                       "metadata: {name: p, namespace: nope}\n"
                                       "spec:\n"
                                       "  containers: [{name: a, image: busybox}]\n");
  g_autofree char *missing = g_build_filename (f->dir, "missing.yaml", NULL);
  char *bad_files[] = { bad, NULL };
  char *other_files[] = { other, NULL };
  char *missing_files[] = { missing, NULL };

  /* A manifest that does not decode: its problems with positions, exit 2, nothing applied. */
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_apply, (KsApplyOptions){ .files = bad_files });
    g_assert_cmpint (r.status, ==, 2);
    g_assert_cmpstr (r.out, ==, "");
    g_assert_true (g_str_has_prefix (r.err, bad));
    g_assert_cmpstr (
        r.err + strlen (bad), ==,
        ":14:35: spec.containers[0].resources.requests.cpu: invalid quantity \"lots\": "
        "expected a number with an optional suffix (n, u, m, k, M, G, T, P, E, Ki, Mi, "
        "Gi, Ti, Pi, Ei) or exponent (e.g. 1e3)\n");
  }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonNode) none = ks_rest_request (
        f->rest, "GET", "/api/v1/namespaces/default/pods/ok", NULL, NULL, &error);
    g_assert_true (ks_rest_error_has_reason (error, "NotFound"));
  }
  /* -n that the manifest contradicts. */
  {
    g_auto (Result) r
        = RUN (f, "default", ks_kubectl_apply, (KsApplyOptions){ .files = other_files });
    g_autofree char *want = g_strdup_printf (
        "%s:3:32: metadata.namespace: the namespace from the provided object \"nope\" does not "
        "match the namespace \"default\". You must pass '--namespace=nope' to perform this "
        "operation.\n",
        other);
    assert_result (&r, 2, "", want);
  }
  /* The server refuses: kubectl's words, with the file. */
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_apply, (KsApplyOptions){ .files = other_files });
    g_autofree char *want = g_strdup_printf ("Error from server (NotFound): error when creating "
                                             "\"%s\": namespaces \"nope\" not found\n",
                                             other);
    assert_result (&r, 1, "", want);
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_apply, (KsApplyOptions){ .files = missing_files });
    g_autofree char *want = g_strdup_printf ("error: the path \"%s\" does not exist\n", missing);
    assert_result (&r, 2, "", want);
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_apply, (KsApplyOptions){ 0 });
    assert_result (&r, 2, "",
                   "error: must specify -f (a file, a directory, or - for standard input)\n");
  }
}

/* ---- get ------------------------------------------------------------------------------------- */

static void
make_pods (Fixture *f)
{
  post_free (f, "/api/v1/namespaces", "apiVersion: v1\nkind: Namespace\nmetadata: {name: other}");
  post_free (f, "/api/v1/nodes",
             "apiVersion: v1\nkind: Node\nmetadata: {name: n1, labels: {zone: a}}\n"
             "status:\n"
             "  capacity: {cpu: '2', memory: 4Gi, pods: '110'}\n"
             "  addresses: [{type: InternalIP, address: 10.0.0.1}]\n"
             "  conditions:\n"
             "    - {type: Ready, status: 'True', reason: KubeletReady, "
             "message: kubelet is posting ready status, lastHeartbeatTime: "
             "'2025-01-01T00:04:50Z', lastTransitionTime: '2025-01-01T00:00:00Z'}\n");
  post_free (f, "/api/v1/namespaces/default/pods",
             "apiVersion: v1\nkind: Pod\nmetadata: {name: p1, labels: {app: web}}\n"
             "spec:\n  nodeName: n1\n  containers: [{name: main, image: busybox}]\n");
  put_status (f, "/api/v1/namespaces/default/pods/p1",
              "phase: Running\n"
              "hostIP: 10.0.0.1\n"
              "podIP: 10.244.1.2\n"
              "startTime: '2025-01-01T00:00:01Z'\n"
              "conditions:\n"
              "  - {type: Ready, status: 'True', lastTransitionTime: '2025-01-01T00:00:03Z'}\n"
              "containerStatuses:\n"
              "  - name: main\n"
              "    image: busybox\n"
              "    ready: true\n"
              "    started: true\n"
              "    restartCount: 0\n"
              "    state: {running: {startedAt: '2025-01-01T00:00:02Z'}}\n");
  post_free (f, "/api/v1/namespaces/default/pods",
             "apiVersion: v1\nkind: Pod\nmetadata: {name: p2, labels: {app: db}}\n"
             "spec:\n  containers: [{name: main, image: busybox}]\n");
  post_free (f, "/api/v1/namespaces/other/pods",
             "apiVersion: v1\nkind: Pod\nmetadata: {name: q1}\n"
             "spec:\n  containers: [{name: main, image: busybox}]\n");
}

static void
test_get_tables (Fixture *f, gconstpointer data)
{
  char *pods[] = { (char *) "pods", NULL };
  char *pod_p1[] = { (char *) "pod", (char *) "p1", NULL };
  char *pods_nodes[] = { (char *) "po,no", NULL };
  char *nope[] = { (char *) "pod/p1", (char *) "pod/nope", NULL };

  make_pods (f);
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_get, (KsGetOptions){ .args = pods });
    assert_result (&r, 0,
                   "NAME   READY   STATUS    RESTARTS   AGE\n"
                   "p1     1/1     Running   0          5m\n"
                   "p2     0/1     Pending   0          5m\n",
                   "");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_get, (KsGetOptions){ .args = pods, .output = "wide" });
    assert_result (&r, 0,
                   "NAME   READY   STATUS    RESTARTS   AGE   IP           NODE     NOMINATED NODE"
                   "   READINESS GATES\n"
                   "p1     1/1     Running   0          5m    10.244.1.2   n1       <none>        "
                   "   <none>\n"
                   "p2     0/1     Pending   0          5m    <none>       <none>   <none>        "
                   "   <none>\n",
                   "");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_get, (KsGetOptions){ .args = pods, .all_namespaces = TRUE });
    assert_result (&r, 0,
                   "NAMESPACE   NAME   READY   STATUS    RESTARTS   AGE\n"
                   "default     p1     1/1     Running   0          5m\n"
                   "default     p2     0/1     Pending   0          5m\n"
                   "other       q1     0/1     Pending   0          5m\n",
                   "");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_get,
               (KsGetOptions){ .args = pods, .selector = "app=web", .show_labels = TRUE });
    assert_result (&r, 0,
                   "NAME   READY   STATUS    RESTARTS   AGE   LABELS\n"
                   "p1     1/1     Running   0          5m    app=web\n",
                   "");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_get, (KsGetOptions){ .args = pods, .no_headers = TRUE });
    assert_result (&r, 0,
                   "p1    1/1   Running   0     5m\n"
                   "p2    0/1   Pending   0     5m\n",
                   "");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_get, (KsGetOptions){ .args = pods_nodes });
    assert_result (&r, 0,
                   "NAME     READY   STATUS    RESTARTS   AGE\n"
                   "pod/p1   1/1     Running   0          5m\n"
                   "pod/p2   0/1     Pending   0          5m\n"
                   "\n"
                   "NAME      STATUS   ROLES    AGE   VERSION\n"
                   "node/n1   Ready    <none>   5m    \n",
                   "");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_get, (KsGetOptions){ .args = pod_p1 });
    assert_result (&r, 0,
                   "NAME   READY   STATUS    RESTARTS   AGE\n"
                   "p1     1/1     Running   0          5m\n",
                   "");
  }
  /* What exists is printed, then the errors. */
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_get, (KsGetOptions){ .args = nope });
    assert_result (&r, 1,
                   "NAME   READY   STATUS    RESTARTS   AGE\n"
                   "p1     1/1     Running   0          5m\n",
                   "Error from server (NotFound): pods \"nope\" not found\n");
  }
  {
    g_auto (Result) r = RUN (f, "empty", ks_kubectl_get, (KsGetOptions){ .args = pods });
    assert_result (&r, 0, "", "No resources found in empty namespace.\n");
  }
  {
    char *nodes[] = { (char *) "nodes", NULL };
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_get, (KsGetOptions){ .args = nodes, .selector = "zone=b" });
    assert_result (&r, 0, "", "No resources found\n");
  }
}

static void
test_get_formats (Fixture *f, gconstpointer data)
{
  char *pods[] = { (char *) "pods", NULL };
  char *pod_p1[] = { (char *) "pod/p1", NULL };
  g_autoptr (JsonNode) p1 = NULL;

  make_pods (f);
  p1 = api (f, "GET", "/api/v1/namespaces/default/pods/p1", NULL, NULL);
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_get, (KsGetOptions){ .args = pods, .output = "name" });
    assert_result (&r, 0, "pod/p1\npod/p2\n", "");
  }
  /* One object named: the object itself, as the server sent it, keys sorted, 4 spaces. */
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_get, (KsGetOptions){ .args = pod_p1, .output = "json" });
    g_autoptr (JsonNode) back = json_from_string (r.out, NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (json_node_equal (back, p1));
    g_assert_true (g_str_has_prefix (r.out, "{\n    \"apiVersion\": \"v1\",\n    \"kind\": \"Pod\","
                                            "\n    \"metadata\": {\n        \"creationTimestamp\": "
                                            "\"2025-01-01T00:00:00Z\",\n"));
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_get, (KsGetOptions){ .args = pod_p1, .output = "yaml" });
    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (g_str_has_prefix (r.out, "apiVersion: v1\nkind: Pod\nmetadata:\n"
                                            "  creationTimestamp: \"2025-01-01T00:00:00Z\"\n"
                                            "  labels:\n    app: web\n  name: p1\n"
                                            "  namespace: default\n"));
  }
  /* A list: a v1 List with the items, and an empty resourceVersion. */
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_get, (KsGetOptions){ .args = pods, .output = "json" });
    g_autoptr (JsonNode) back = json_from_string (r.out, NULL);
    JsonArray *items;
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (ks_json_get_string (back, "apiVersion"), ==, "v1");
    g_assert_cmpstr (ks_json_get_string (back, "kind"), ==, "List");
    g_assert_cmpstr (ks_json_get_string (back, "metadata.resourceVersion"), ==, "");
    items = json_object_get_array_member (json_node_get_object (back), "items");
    g_assert_cmpuint (json_array_get_length (items), ==, 2);
    g_assert_true (json_node_equal (json_array_get_element (items, 0), p1));
    g_assert_cmpstr (ks_json_get_string (json_array_get_element (items, 1), "metadata.name"), ==,
                     "p2");
    g_assert_true (g_str_has_prefix (r.out, "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n"
                                            "        {\n            \"apiVersion\": \"v1\",\n"));
    g_assert_true (g_str_has_suffix (r.out, "    ],\n    \"kind\": \"List\",\n    \"metadata\": {\n"
                                            "        \"resourceVersion\": \"\"\n    }\n}\n"));
  }
  {
    g_auto (Result) r
        = RUN (f, "empty", ks_kubectl_get, (KsGetOptions){ .args = pods, .output = "yaml" });
    assert_result (
        &r, 0, "apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"\n", "");
  }
  {
    g_auto (Result) r
        = RUN (f, "empty", ks_kubectl_get, (KsGetOptions){ .args = pods, .output = "name" });
    assert_result (&r, 0, "", "");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_get, (KsGetOptions){ .args = pods, .output = "table" });
    assert_result (&r, 2, "",
                   "error: unable to match a printer suitable for the output format \"table\", "
                   "allowed formats are: json,name,wide,yaml\n");
  }
}

static void
test_get_kinds (Fixture *f, gconstpointer data)
{
  char *svc[] = { (char *) "svc", NULL };
  char *ep[] = { (char *) "ep", NULL };
  char *ev[] = { (char *) "events", NULL };
  char *leases[] = { (char *) "leases", NULL };
  char *frob[] = { (char *) "frob", NULL };

  post_free (f, "/api/v1/namespaces/default/services",
             "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
             "spec:\n  type: NodePort\n  clusterIP: 10.96.0.10\n  selector: {app: web}\n"
             "  ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080},\n"
             "          {name: tls, port: 443, nodePort: 30443}]\n");
  post_free (f, "/api/v1/namespaces/default/services",
             "apiVersion: v1\nkind: Service\nmetadata: {name: db}\n"
             "spec:\n  clusterIP: 10.96.0.11\n  ports: [{port: 5432}]\n");
  post_free (f, "/api/v1/namespaces/default/endpoints",
             "apiVersion: v1\nkind: Endpoints\nmetadata: {name: web}\n"
             "subsets:\n"
             "  - addresses: [{ip: 10.244.1.2}, {ip: 10.244.1.3}, {ip: 10.244.2.2}, "
             "{ip: 10.244.2.3}]\n"
             "    notReadyAddresses: [{ip: 10.244.3.2}]\n"
             "    ports: [{port: 8080}]\n");
  post_free (f, "/api/v1/namespaces/default/endpoints",
             "apiVersion: v1\nkind: Endpoints\nmetadata: {name: db}\n");
  post_free (f, "/api/v1/namespaces/default/events",
             "apiVersion: v1\nkind: Event\nmetadata: {name: p1.1}\n"
             "involvedObject: {kind: Pod, name: p1, namespace: default}\n"
             "reason: Scheduled\nmessage: 'Successfully assigned default/p1 to n1'\n"
             "type: Normal\nsource: {component: default-scheduler}\n"
             "firstTimestamp: '2025-01-01T00:00:00Z'\nlastTimestamp: '2025-01-01T00:00:00Z'\n"
             "count: 1\n");
  post_free (f, "/api/v1/namespaces/default/events",
             "apiVersion: v1\nkind: Event\nmetadata: {name: p1.2}\n"
             "involvedObject: {kind: Pod, name: p1, namespace: default, "
             "fieldPath: 'spec.containers{main}'}\n"
             "reason: BackOff\nmessage: 'Back-off restarting failed container'\n"
             "type: Warning\nsource: {component: kubelet, host: n1}\n"
             "firstTimestamp: '2025-01-01T00:01:00Z'\nlastTimestamp: '2025-01-01T00:04:00Z'\n"
             "count: 7\n");
  post_free (f, "/apis/coordination.k8s.io/v1/namespaces/default/leases",
             "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: n1}\n"
             "spec: {holderIdentity: n1, leaseDurationSeconds: 40}\n");
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_get, (KsGetOptions){ .args = svc });
    assert_result (
        &r, 0,
        "NAME   TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)                      AGE\n"
        "db     ClusterIP   10.96.0.11   <none>        5432/TCP                     5m\n"
        "web    NodePort    10.96.0.10   <none>        80:30080/TCP,443:30443/TCP   5m\n",
        "");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_get, (KsGetOptions){ .args = svc, .output = "wide" });
    assert_result (
        &r, 0,
        "NAME   TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)                      AGE   "
        "SELECTOR\n"
        "db     ClusterIP   10.96.0.11   <none>        5432/TCP                     5m    "
        "<none>\n"
        "web    NodePort    10.96.0.10   <none>        80:30080/TCP,443:30443/TCP   5m    "
        "app=web\n",
        "");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_get, (KsGetOptions){ .args = ep });
    assert_result (&r, 0,
                   "NAME   ENDPOINTS                                                     AGE\n"
                   "db     <none>                                                        5m\n"
                   "web    10.244.1.2:8080,10.244.1.3:8080,10.244.2.2:8080 + 1 more...   5m\n",
                   "");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_get, (KsGetOptions){ .args = ev });
    assert_result (
        &r, 0,
        "LAST SEEN   TYPE      REASON      OBJECT   MESSAGE\n"
        "5m          Normal    Scheduled   pod/p1   Successfully assigned default/p1 to "
        "n1\n"
        "60s         Warning   BackOff     pod/p1   Back-off restarting failed container\n",
        "");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_get, (KsGetOptions){ .args = ev, .output = "wide" });
    assert_result (&r, 0,
                   "LAST SEEN   TYPE      REASON      OBJECT   SUBOBJECT               SOURCE      "
                   "        MESSAGE                                  FIRST SEEN   COUNT   NAME\n"
                   "5m          Normal    Scheduled   pod/p1                           "
                   "default-scheduler   Successfully assigned default/p1 to n1   5m           1   "
                   "    p1.1\n"
                   "60s         Warning   BackOff     pod/p1   spec.containers{main}   kubelet, n1 "
                   "        Back-off restarting failed container     4m           7       p1.2\n",
                   "");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_get, (KsGetOptions){ .args = leases });
    assert_result (&r, 0, "NAME   HOLDER   AGE\nn1     n1       5m\n", "");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_get, (KsGetOptions){ .args = frob });
    assert_result (&r, 2, "", "error: the server doesn't have a resource type \"frob\"\n");
  }
}

/* ---- describe ------------------------------------------------------------------------------- */

static void
make_node (Fixture *f)
{
  post_free (f, "/api/v1/namespaces",
             "apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-node-lease}");
  post_free (f, "/api/v1/nodes",
             "apiVersion: v1\nkind: Node\n"
             "metadata:\n"
             "  name: n1\n"
             "  labels: {kubernetes.io/hostname: n1, node-role.kubernetes.io/worker: ''}\n"
             "spec:\n"
             "  taints: [{key: dedicated, value: web, effect: NoSchedule}]\n");
  put_status (f, "/api/v1/nodes/n1",
              "capacity: {cpu: '2', memory: 4Gi, pods: '110'}\n"
              "allocatable: {cpu: 1900m, memory: 3Gi, pods: '110'}\n"
              "addresses: [{type: InternalIP, address: 10.0.0.1}]\n"
              "daemonEndpoints: {kubeletEndpoint: {Port: 10250}}\n"
              "conditions:\n"
              "  - {type: Ready, status: 'True', reason: KubeletReady, "
              "message: kubelet is posting ready status, lastHeartbeatTime: "
              "'2025-01-01T00:04:50Z', lastTransitionTime: '2025-01-01T00:00:05Z'}\n"
              "  - {type: MemoryPressure, status: 'False', reason: KubeletHasSufficientMemory, "
              "message: kubelet has sufficient memory available, lastHeartbeatTime: "
              "'2025-01-01T00:04:50Z', lastTransitionTime: '2025-01-01T00:00:05Z'}\n");
  post_free (f, "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
             "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: n1}\n"
             "spec: {holderIdentity: n1, leaseDurationSeconds: 40, "
             "renewTime: '2025-01-01T00:04:50.000000Z'}\n");
}

static void
make_web_pod (Fixture *f)
{
  g_autofree char *uid = NULL;
  g_autofree char *events = NULL;

  post_free (
      f, "/api/v1/namespaces/default/pods",
      "apiVersion: v1\nkind: Pod\n"
      "metadata:\n"
      "  name: web-1\n"
      "  labels: {app: web, tier: front}\n"
      "  annotations: {note: hello}\n"
      "  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d9c7, "
      "uid: 6f3a2f4e-0000-4000-8000-000000000001, controller: true}]\n"
      "spec:\n"
      "  nodeName: n1\n"
      "  containers:\n"
      "    - name: httpd\n"
      "      image: busybox\n"
      "      command: [sh, -c, httpd -f]\n"
      "      ports: [{containerPort: 8080}]\n"
      "      env:\n"
      "        - {name: MODE, value: fast}\n"
      "        - {name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}\n"
      "        - {name: TIER, valueFrom: {fieldRef: {fieldPath: \"metadata.labels['tier']\"}}}\n"
      "        - {name: IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}\n"
      "      resources:\n"
      "        requests: {cpu: 100m, memory: 16Mi}\n"
      "        limits: {memory: 64Mi}\n"
      "      readinessProbe:\n"
      "        httpGet: {path: /, port: 8080}\n"
      "        periodSeconds: 2\n");
  put_status (
      f, "/api/v1/namespaces/default/pods/web-1",
      "phase: Running\n"
      "hostIP: 10.0.0.1\n"
      "podIP: 10.244.1.2\n"
      "podIPs: [{ip: 10.244.1.2}]\n"
      "startTime: '2025-01-01T00:00:01Z'\n"
      "conditions:\n"
      "  - {type: Initialized, status: 'True', lastTransitionTime: '2025-01-01T00:00:01Z'}\n"
      "  - {type: Ready, status: 'True', lastTransitionTime: '2025-01-01T00:02:01Z'}\n"
      "  - {type: ContainersReady, status: 'True', "
      "lastTransitionTime: '2025-01-01T00:02:01Z'}\n"
      "  - {type: PodScheduled, status: 'True', "
      "lastTransitionTime: '2025-01-01T00:00:00Z'}\n"
      "containerStatuses:\n"
      "  - name: httpd\n"
      "    image: busybox\n"
      "    containerID: runc://abc\n"
      "    ready: true\n"
      "    started: true\n"
      "    restartCount: 1\n"
      "    state: {running: {startedAt: '2025-01-01T00:02:00Z'}}\n"
      "    lastState: {terminated: {exitCode: 137, reason: Error, "
      "startedAt: '2025-01-01T00:00:02Z', finishedAt: '2025-01-01T00:01:59Z'}}\n");
  uid = uid_of (f, "/api/v1/namespaces/default/pods/web-1");
  /* Its events (oldest last here: describe sorts them), and one of another pod. */
  events = g_strdup_printf (
      "apiVersion: v1\nkind: Event\nmetadata: {name: web-1.2}\n"
      "involvedObject: {kind: Pod, name: web-1, namespace: default, uid: %s}\n"
      "reason: Pulled\nmessage: 'Container image \"busybox\" already present on machine'\n"
      "type: Normal\nsource: {component: kubelet, host: n1}\n"
      "firstTimestamp: '2025-01-01T00:01:00Z'\nlastTimestamp: '2025-01-01T00:04:00Z'\n"
      "count: 3\n",
      uid);
  post_free (f, "/api/v1/namespaces/default/events", events);
  g_free (events);
  events = g_strdup_printf (
      "apiVersion: v1\nkind: Event\nmetadata: {name: web-1.1}\n"
      "involvedObject: {kind: Pod, name: web-1, namespace: default, uid: %s}\n"
      "reason: Scheduled\nmessage: 'Successfully assigned default/web-1 to n1'\n"
      "type: Normal\nsource: {component: default-scheduler}\n"
      "firstTimestamp: '2025-01-01T00:00:00Z'\nlastTimestamp: '2025-01-01T00:00:00Z'\n"
      "count: 1\n",
      uid);
  post_free (f, "/api/v1/namespaces/default/events", events);
  post_free (f, "/api/v1/namespaces/default/events",
             "apiVersion: v1\nkind: Event\nmetadata: {name: web-2.1}\n"
             "involvedObject: {kind: Pod, name: web-2, namespace: default}\n"
             "reason: Scheduled\nmessage: 'Successfully assigned default/web-2 to n1'\n"
             "type: Normal\nfirstTimestamp: '2025-01-01T00:00:00Z'\n");
}

static const char describe_pod_text[]
    = "Name:         web-1\n"
      "Namespace:    default\n"
      "Priority:     0\n"
      "Node:         n1/10.0.0.1\n"
      "Start Time:   Wed, 01 Jan 2025 00:00:01 +0000\n"
      "Labels:       app=web\n"
      "              tier=front\n"
      "Annotations:  note: hello\n"
      "Status:       Running\n"
      "IP:           10.244.1.2\n"
      "IPs:\n"
      "  IP:           10.244.1.2\n"
      "Controlled By:  ReplicaSet/web-5d9c7\n"
      "Containers:\n"
      "  httpd:\n"
      "    Container ID:  runc://abc\n"
      "    Image:         busybox\n"
      "    Image ID:      \n"
      "    Port:          8080/TCP\n"
      "    Host Port:     0/TCP\n"
      "    Command:\n"
      "      sh\n"
      "      -c\n"
      "      httpd -f\n"
      "    State:          Running\n"
      "      Started:      Wed, 01 Jan 2025 00:02:00 +0000\n"
      "    Last State:     Terminated\n"
      "      Reason:       Error\n"
      "      Exit Code:    137\n"
      "      Started:      Wed, 01 Jan 2025 00:00:02 +0000\n"
      "      Finished:     Wed, 01 Jan 2025 00:01:59 +0000\n"
      "    Ready:          True\n"
      "    Restart Count:  1\n"
      "    Limits:\n"
      "      memory:  64Mi\n"
      "    Requests:\n"
      "      cpu:      100m\n"
      "      memory:   16Mi\n"
      "    Readiness:  http-get http://:8080/ delay=0s timeout=1s period=2s #success=1 "
      "#failure=3\n"
      "    Environment:\n"
      "      MODE:  fast\n"
      "      POD:   web-1 (v1:metadata.name)\n"
      "      TIER:  front (v1:metadata.labels['tier'])\n"
      "      IP:     (v1:status.podIP)\n"
      "    Mounts:  <none>\n"
      "Conditions:\n"
      "  Type              Status\n"
      "  Initialized       True \n"
      "  Ready             True \n"
      "  ContainersReady   True \n"
      "  PodScheduled      True \n"
      "Volumes:            <none>\n"
      "QoS Class:          Burstable\n"
      "Node-Selectors:     <none>\n"
      "Tolerations:        node.kubernetes.io/not-ready:NoExecute op=Exists for 300s\n"
      "                    node.kubernetes.io/unreachable:NoExecute op=Exists for 300s\n"
      "Events:\n"
      "  Type    Reason     Age               From               Message\n"
      "  ----    ------     ----              ----               -------\n"
      "  Normal  Scheduled  5m                default-scheduler  Successfully assigned "
      "default/web-1 to n1\n"
      "  Normal  Pulled     60s (x3 over 4m)  kubelet            Container image \"busybox\" "
      "already present on machine\n";

static void
test_describe_pod (Fixture *f, gconstpointer data)
{
  char *pod[] = { (char *) "pod", (char *) "web-1", NULL };
  char *prefix[] = { (char *) "pods", (char *) "web", NULL };
  char *nope[] = { (char *) "pods", (char *) "nope", NULL };

  make_node (f);
  make_web_pod (f);
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_describe,
                             (KsDescribeOptions){ .args = pod, .show_events = TRUE });
    assert_result (&r, 0, describe_pod_text, "");
  }
  /* A name prefix describes the objects whose names start with it. */
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_describe,
                             (KsDescribeOptions){ .args = prefix, .show_events = TRUE });
    assert_result (&r, 0, describe_pod_text, "");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_describe,
                             (KsDescribeOptions){ .args = nope, .show_events = TRUE });
    assert_result (&r, 1, "", "Error from server (NotFound): pods \"nope\" not found\n");
  }
  /* Without events. */
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_describe,
                             (KsDescribeOptions){ .args = pod, .show_events = FALSE });
    g_autofree char *want
        = g_strndup (describe_pod_text, strstr (describe_pod_text, "Events:") - describe_pod_text);
    assert_result (&r, 0, want, "");
  }
}

static void
test_describe_node (Fixture *f, gconstpointer data)
{
  char *node[] = { (char *) "node/n1", NULL };

  make_node (f);
  make_web_pod (f);
  /* The events of a node (a cluster-scoped object: no namespace in the reference). */
  {
    g_autofree char *node_uid = uid_of (f, "/api/v1/nodes/n1");
    g_autofree char *event = g_strdup_printf (
        "apiVersion: v1\nkind: Event\nmetadata: {name: n1.1}\n"
        "involvedObject: {kind: Node, name: n1, uid: %s}\n"
        "reason: NodeReady\nmessage: 'Node n1 status is now: NodeReady'\n"
        "type: Normal\nsource: {component: kubelet, host: n1}\n"
        "firstTimestamp: '2025-01-01T00:01:00Z'\nlastTimestamp: '2025-01-01T00:01:00Z'\n"
        "count: 1\n",
        node_uid);
    post_free (f, "/api/v1/namespaces/default/events", event);
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_describe,
                             (KsDescribeOptions){ .args = node, .show_events = TRUE });
    assert_result (
        &r, 0,
        "Name:               n1\n"
        "Roles:              worker\n"
        "Labels:             kubernetes.io/hostname=n1\n"
        "                    node-role.kubernetes.io/worker=\n"
        "Annotations:        <none>\n"
        "CreationTimestamp:  Wed, 01 Jan 2025 00:00:00 +0000\n"
        "Taints:             dedicated=web:NoSchedule\n"
        "Unschedulable:      false\n"
        "Lease:\n"
        "  HolderIdentity:  n1\n"
        "  AcquireTime:     <unset>\n"
        "  RenewTime:       Wed, 01 Jan 2025 00:04:50 +0000\n"
        "Conditions:\n"
        "  Type             Status  LastHeartbeatTime                 LastTransitionTime      "
        "          Reason                       Message\n"
        "  ----             ------  -----------------                 ------------------      "
        "          ------                       -------\n"
        "  Ready            True    Wed, 01 Jan 2025 00:04:50 +0000   Wed, 01 Jan 2025 00:00:05 "
        "+0000   KubeletReady                 kubelet is posting ready status\n"
        "  MemoryPressure   False   Wed, 01 Jan 2025 00:04:50 +0000   Wed, 01 Jan 2025 00:00:05 "
        "+0000   KubeletHasSufficientMemory   kubelet has sufficient memory available\n"
        "Addresses:\n"
        "  InternalIP:  10.0.0.1\n"
        "Capacity:\n"
        "  cpu:     2\n"
        "  memory:  4Gi\n"
        "  pods:    110\n"
        "Allocatable:\n"
        "  cpu:     1900m\n"
        "  memory:  3Gi\n"
        "  pods:    110\n"
        "System Info:\n"
        "  Machine ID:                 \n"
        "  System UUID:                \n"
        "  Boot ID:                    \n"
        "  Kernel Version:             \n"
        "  OS Image:                   \n"
        "  Operating System:           \n"
        "  Architecture:               \n"
        "  Container Runtime Version:  \n"
        "  Kubelet Version:            \n"
        "  Kube-Proxy Version:         \n"
        "Non-terminated Pods:          (1 in total)\n"
        "  Namespace                   Name     CPU Requests  CPU Limits  Memory Requests  "
        "Memory Limits  Age\n"
        "  ---------                   ----     ------------  ----------  ---------------  "
        "-------------  ---\n"
        "  default                     web-1    100m (5%)     0 (0%)      16Mi (0%)        "
        "64Mi (2%)      5m\n"
        "Allocated resources:\n"
        "  (Total limits may be over 100 percent, i.e., overcommitted.)\n"
        "  Resource           Requests   Limits\n"
        "  --------           --------   ------\n"
        "  cpu                100m (5%)  0 (0%)\n"
        "  memory             16Mi (0%)  64Mi (2%)\n"
        "  ephemeral-storage  0 (0%)     0 (0%)\n"
        "Events:\n"
        "  Type    Reason     Age   From     Message\n"
        "  ----    ------     ----  ----     -------\n"
        "  Normal  NodeReady  4m    kubelet  Node n1 status is now: NodeReady\n",
        "");
  }
}

static void
test_describe_workloads (Fixture *f, gconstpointer data)
{
  char *deploy[] = { (char *) "deploy", (char *) "web", NULL };
  char *rs[] = { (char *) "rs/web-2", NULL };
  char *svc[] = { (char *) "svc", (char *) "web", NULL };
  char *lease[] = { (char *) "lease", (char *) "n1", NULL };
  g_autofree char *uid = NULL;
  g_autofree char *rs_yaml = NULL;

  post_free (f, "/apis/apps/v1/namespaces/default/deployments",
             "apiVersion: apps/v1\nkind: Deployment\n"
             "metadata: {name: web, labels: {app: web}, "
             "annotations: {deployment.kubernetes.io/revision: '2'}}\n"
             "spec:\n"
             "  replicas: 2\n"
             "  selector: {matchLabels: {app: web}}\n"
             "  template:\n"
             "    metadata: {labels: {app: web}}\n"
             "    spec:\n"
             "      containers: [{name: httpd, image: 'busybox:2', "
             "ports: [{containerPort: 8080}]}]\n");
  put_status (
      f, DEPLOYMENT,
      "observedGeneration: 1\nreplicas: 2\nupdatedReplicas: 2\nreadyReplicas: 2\n"
      "availableReplicas: 2\n"
      "conditions:\n"
      "  - {type: Available, status: 'True', reason: MinimumReplicasAvailable, "
      "lastUpdateTime: '2025-01-01T00:01:00Z', lastTransitionTime: '2025-01-01T00:01:00Z'}\n"
      "  - {type: Progressing, status: 'True', reason: NewReplicaSetAvailable, "
      "lastUpdateTime: '2025-01-01T00:01:00Z', lastTransitionTime: '2025-01-01T00:01:00Z'}\n");
  uid = uid_of (f, DEPLOYMENT);
  for (guint i = 1; i <= 2; i++)
    {
      g_autofree char *status_path
          = g_strdup_printf ("/apis/apps/v1/namespaces/default/replicasets/web-%u", i);
      rs_yaml = g_strdup_printf (
          "apiVersion: apps/v1\nkind: ReplicaSet\n"
          "metadata:\n"
          "  name: web-%u\n"
          "  labels: {app: web, pod-template-hash: '%u'}\n"
          "  annotations: {deployment.kubernetes.io/revision: '%u'}\n"
          "  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: %s, "
          "controller: true}]\n"
          "spec:\n"
          "  replicas: %u\n"
          "  selector: {matchLabels: {app: web, pod-template-hash: '%u'}}\n"
          "  template:\n"
          "    metadata: {labels: {app: web, pod-template-hash: '%u'}}\n"
          "    spec:\n"
          "      containers: [{name: httpd, image: 'busybox:%u', "
          "ports: [{containerPort: 8080}]}]\n",
          i, i, i, uid, i == 2 ? 2 : 0, i, i, i);
      post_free (f, "/apis/apps/v1/namespaces/default/replicasets", rs_yaml);
      g_clear_pointer (&rs_yaml, g_free);
      put_status (f, status_path,
                  i == 2 ? "replicas: 2\nreadyReplicas: 2\navailableReplicas: 2\n"
                         : "replicas: 0\n");
    }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_describe,
                             (KsDescribeOptions){ .args = deploy, .show_events = TRUE });
    assert_result (&r, 0,
                   "Name:                   web\n"
                   "Namespace:              default\n"
                   "CreationTimestamp:      Wed, 01 Jan 2025 00:00:00 +0000\n"
                   "Labels:                 app=web\n"
                   "Annotations:            deployment.kubernetes.io/revision: 2\n"
                   "Selector:               app=web\n"
                   "Replicas:               2 desired | 2 updated | 2 total | 2 available | 0 "
                   "unavailable\n"
                   "StrategyType:           RollingUpdate\n"
                   "MinReadySeconds:        0\n"
                   "RollingUpdateStrategy:  25% max unavailable, 25% max surge\n"
                   "Pod Template:\n"
                   "  Labels:  app=web\n"
                   "  Containers:\n"
                   "   httpd:\n"
                   "    Image:         busybox:2\n"
                   "    Port:          8080/TCP\n"
                   "    Host Port:     0/TCP\n"
                   "    Environment:   <none>\n"
                   "    Mounts:        <none>\n"
                   "  Volumes:         <none>\n"
                   "  Node-Selectors:  <none>\n"
                   "  Tolerations:     <none>\n"
                   "Conditions:\n"
                   "  Type           Status  Reason\n"
                   "  ----           ------  ------\n"
                   "  Available      True    MinimumReplicasAvailable\n"
                   "  Progressing    True    NewReplicaSetAvailable\n"
                   "OldReplicaSets:  web-1 (0/0 replicas created)\n"
                   "NewReplicaSet:   web-2 (2/2 replicas created)\n"
                   "Events:          <none>\n",
                   "");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_describe,
                             (KsDescribeOptions){ .args = rs, .show_events = TRUE });
    assert_result (&r, 0,
                   "Name:           web-2\n"
                   "Namespace:      default\n"
                   "Selector:       app=web,pod-template-hash=2\n"
                   "Labels:         app=web\n"
                   "                pod-template-hash=2\n"
                   "Annotations:    deployment.kubernetes.io/revision: 2\n"
                   "Controlled By:  Deployment/web\n"
                   "Replicas:       2 current / 2 desired\n"
                   "Pods Status:    0 Running / 0 Waiting / 0 Succeeded / 0 Failed\n"
                   "Pod Template:\n"
                   "  Labels:  app=web\n"
                   "           pod-template-hash=2\n"
                   "  Containers:\n"
                   "   httpd:\n"
                   "    Image:         busybox:2\n"
                   "    Port:          8080/TCP\n"
                   "    Host Port:     0/TCP\n"
                   "    Environment:   <none>\n"
                   "    Mounts:        <none>\n"
                   "  Volumes:         <none>\n"
                   "  Node-Selectors:  <none>\n"
                   "  Tolerations:     <none>\n"
                   "Events:            <none>\n",
                   "");
  }
  post_free (f, "/api/v1/namespaces/default/services",
             "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
             "spec:\n  type: NodePort\n  clusterIP: 10.96.0.10\n  selector: {app: web}\n"
             "  ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]\n");
  post_free (f, "/api/v1/namespaces/default/endpoints",
             "apiVersion: v1\nkind: Endpoints\nmetadata: {name: web}\n"
             "subsets:\n"
             "  - addresses: [{ip: 10.244.1.2}, {ip: 10.244.2.2}]\n"
             "    ports: [{name: http, port: 8080}]\n");
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_describe,
                             (KsDescribeOptions){ .args = svc, .show_events = TRUE });
    assert_result (&r, 0,
                   "Name:                     web\n"
                   "Namespace:                default\n"
                   "Labels:                   <none>\n"
                   "Annotations:              <none>\n"
                   "Selector:                 app=web\n"
                   "Type:                     NodePort\n"
                   "IP Family Policy:         SingleStack\n"
                   "IP Families:              IPv4\n"
                   "IP:                       10.96.0.10\n"
                   "IPs:                      10.96.0.10\n"
                   "Port:                     http  80/TCP\n"
                   "TargetPort:               8080/TCP\n"
                   "NodePort:                 http  30080/TCP\n"
                   "Endpoints:                10.244.1.2:8080,10.244.2.2:8080\n"
                   "Session Affinity:         None\n"
                   "External Traffic Policy:  Cluster\n"
                   "Internal Traffic Policy:  Cluster\n"
                   "Events:                   <none>\n",
                   "");
  }
  /* A kind without its own describer: its fields, as kubectl's generic describer prints them. */
  make_node (f);
  {
    g_auto (Result) r = RUN (f, "kube-node-lease", ks_kubectl_describe,
                             (KsDescribeOptions){ .args = lease, .show_events = TRUE });
    g_autofree char *lease_uid = uid_of (f, "/apis/coordination.k8s.io/v1/namespaces/"
                                            "kube-node-lease/leases/n1");
    g_autoptr (JsonNode) obj = api (f, "GET",
                                    "/apis/coordination.k8s.io/v1/namespaces/"
                                    "kube-node-lease/leases/n1",
                                    NULL, NULL);
    g_autofree char *want
        = g_strdup_printf ("Name:         n1\n"
                           "Namespace:    kube-node-lease\n"
                           "Labels:       <none>\n"
                           "Annotations:  <none>\n"
                           "API Version:  coordination.k8s.io/v1\n"
                           "Kind:         Lease\n"
                           "Metadata:\n"
                           "  Creation Timestamp:  2025-01-01T00:00:00Z\n"
                           "  Resource Version:    %s\n"
                           "  UID:                 %s\n"
                           "Spec:\n"
                           "  Holder Identity:         n1\n"
                           "  Lease Duration Seconds:  40\n"
                           "  Renew Time:              2025-01-01T00:04:50.000000Z\n"
                           "Events:                    <none>\n",
                           ks_json_get_string (obj, "metadata.resourceVersion"), lease_uid);
    assert_result (&r, 0, want, "");
  }
}

/* ---- delete ---------------------------------------------------------------------------------- */

/* What a kubelet does once a deleted pod's containers stopped: remove it (grace 0). */
static gboolean
remove_pod (gpointer data)
{
  Fixture *f = data;
  KsDeleteOptions now = { .grace_period_seconds = 0 };

  g_assert_true (
      ks_store_delete (f->store, ks_kind_get (KS_KIND_POD), "default", "p1", &now, NULL));
  return G_SOURCE_REMOVE;
}

static void
schedule_removal (gpointer owner, gpointer data)
{
  Fixture *f = owner;
  g_autoptr (GSource) source = g_timeout_source_new (300);

  g_source_set_callback (source, remove_pod, f, NULL);
  g_source_attach (source, f->thread.context);
}

static void
test_delete (Fixture *f, gconstpointer data)
{
  char *p1[] = { (char *) "pod", (char *) "p1", NULL };
  char *p2[] = { (char *) "pods/p2", NULL };
  char *q1[] = { (char *) "pod", (char *) "q1", NULL };
  char *nope[] = { (char *) "pods", (char *) "nope", NULL };
  char *pods[] = { (char *) "pods", NULL };
  g_autofree char *path = write_file (f, "web.yaml", web_yaml);
  char *files[] = { path, NULL };
  gint64 start;

  make_pods (f);
  /* p1 is on a node: deleted gracefully, it stays until its kubelet removes it; delete waits. */
  ks_test_thread_call (&f->thread, schedule_removal, f, NULL);
  start = g_get_monotonic_time ();
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_delete,
               (KsKubectlDeleteOptions){ .args = p1, .grace_period = -1, .wait = TRUE });
    assert_result (&r, 0, "pod \"p1\" deleted\n", "");
  }
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * 1000);
  /* p2 (not scheduled) goes at once. */
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_delete,
               (KsKubectlDeleteOptions){ .args = p2, .grace_period = -1, .wait = TRUE });
    assert_result (&r, 0, "pod \"p2\" deleted\n", "");
  }
  /* A pod on a node that never goes: the wait times out. */
  post_free (f, "/api/v1/namespaces/default/pods",
             "apiVersion: v1\nkind: Pod\nmetadata: {name: p3}\n"
             "spec:\n  nodeName: n1\n  containers: [{name: main, image: busybox}]\n");
  {
    char *p3[] = { (char *) "pod/p3", NULL };
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_delete,
               (KsKubectlDeleteOptions){
                   .args = p3, .grace_period = -1, .wait = TRUE, .timeout = G_USEC_PER_SEC / 2 });
    assert_result (&r, 1, "pod \"p3\" deleted\n",
                   "error: timed out waiting for the condition on pods/p3\n");
  }
  /* --force: kubectl's warning, gone at once. */
  {
    char *p3[] = { (char *) "pod/p3", NULL };
    g_auto (Result) r = RUN (
        f, NULL, ks_kubectl_delete,
        (KsKubectlDeleteOptions){ .args = p3, .grace_period = -1, .force = TRUE, .wait = TRUE });
    assert_result (&r, 0, "pod \"p3\" force deleted\n",
                   "Warning: Immediate deletion does not wait for confirmation that the running "
                   "resource has been terminated. The resource may continue to run on the cluster "
                   "indefinitely.\n");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_delete,
               (KsKubectlDeleteOptions){ .args = nope, .grace_period = -1, .wait = TRUE });
    assert_result (&r, 1, "", "Error from server (NotFound): pods \"nope\" not found\n");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_delete,
               (KsKubectlDeleteOptions){
                   .args = nope, .grace_period = -1, .wait = TRUE, .ignore_not_found = TRUE });
    assert_result (&r, 0, "No resources found\n", "");
  }
  /* -l: what it selects, or "No resources found". */
  {
    g_auto (Result) r
        = RUN (f, "other", ks_kubectl_delete,
               (KsKubectlDeleteOptions){
                   .args = pods, .selector = "app=none", .grace_period = -1, .wait = TRUE });
    assert_result (&r, 0, "No resources found\n", "");
  }
  {
    g_auto (Result) r
        = RUN (f, "other", ks_kubectl_delete,
               (KsKubectlDeleteOptions){
                   .args = pods, .all = TRUE, .grace_period = -1, .wait = TRUE, .output = "name" });
    assert_result (&r, 0, "pod/q1\n", "");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_delete,
               (KsKubectlDeleteOptions){ .args = q1, .grace_period = 0, .wait = TRUE });
    assert_result (&r, 1, "", "Error from server (NotFound): pods \"q1\" not found\n");
  }
  /* -f: the objects of the manifests. */
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_apply, (KsApplyOptions){ .files = files });
    g_assert_cmpint (r.status, ==, 0);
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_delete,
               (KsKubectlDeleteOptions){ .files = files, .grace_period = -1, .wait = TRUE });
    assert_result (&r, 0, "deployment.apps \"web\" deleted\nservice \"web\" deleted\n", "");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_delete,
               (KsKubectlDeleteOptions){ .files = files, .grace_period = -1, .wait = TRUE });
    g_autofree char *want = g_strdup_printf (
        "Error from server (NotFound): error when deleting \"%s\": deployments.apps \"web\" not "
        "found\nError from server (NotFound): error when deleting \"%s\": services \"web\" not "
        "found\n",
        path, path);
    assert_result (&r, 1, "", want);
  }
  {
    g_auto (Result) r = RUN (
        f, NULL, ks_kubectl_delete,
        (KsKubectlDeleteOptions){ .args = q1, .grace_period = 5, .force = TRUE, .wait = TRUE });
    assert_result (&r, 2, "",
                   "error: --force and --grace-period greater than 0 cannot be specified "
                   "together\n");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_delete,
                             (KsKubectlDeleteOptions){ .grace_period = -1, .wait = TRUE });
    assert_result (&r, 2, "",
                   "error: You must provide one or more resources by argument or filename.\n");
  }
}

/* ---- scale ----------------------------------------------------------------------------------- */

static void
test_scale (Fixture *f, gconstpointer data)
{
  g_autofree char *path = write_file (f, "web.yaml", web_yaml);
  char *files[] = { path, NULL };
  char *deploy[] = { (char *) "deployment", (char *) "web", NULL };
  char *deploy_slash[] = { (char *) "deployment/web", NULL };
  char *pod[] = { (char *) "pod/p1", NULL };
  char *nope[] = { (char *) "deploy/nope", NULL };
  g_autoptr (JsonNode) obj = NULL;

  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_apply, (KsApplyOptions){ .files = files });
    g_assert_cmpint (r.status, ==, 0);
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_scale,
               (KsScaleOptions){ .args = deploy, .replicas = 4, .current_replicas = -1 });
    assert_result (&r, 0, "deployment.apps/web scaled\n", "");
  }
  obj = api (f, "GET", DEPLOYMENT, NULL, NULL);
  g_assert_cmpint (json_object_get_int_member (ks_json_get_object (obj, "spec"), "replicas"), ==,
                   4);
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_scale,
               (KsScaleOptions){ .args = deploy_slash, .replicas = 1, .current_replicas = 3 });
    assert_result (&r, 1, "", "error: Expected replicas to be 3, was 4\n");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_scale,
               (KsScaleOptions){ .args = deploy_slash, .replicas = 1, .current_replicas = 4 });
    assert_result (&r, 0, "deployment.apps/web scaled\n", "");
  }
  g_clear_pointer (&obj, json_node_unref);
  obj = api (f, "GET", DEPLOYMENT, NULL, NULL);
  g_assert_cmpint (json_object_get_int_member (ks_json_get_object (obj, "spec"), "replicas"), ==,
                   1);
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_scale,
               (KsScaleOptions){ .args = deploy, .replicas = -1, .current_replicas = -1 });
    assert_result (&r, 2, "",
                   "error: The --replicas=COUNT flag is required, and COUNT must be greater than "
                   "or equal to 0\n");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_scale,
               (KsScaleOptions){ .args = nope, .replicas = 1, .current_replicas = -1 });
    assert_result (&r, 1, "",
                   "Error from server (NotFound): deployments.apps \"nope\" not found\n");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_scale,
               (KsScaleOptions){ .args = pod, .replicas = 1, .current_replicas = -1 });
    assert_result (&r, 1, "",
                   "error: cannot scale pods: only deployments, replica sets and stateful sets "
                   "have a scale subresource\n");
  }
  /* A StatefulSet has one too. */
  {
    g_autofree char *sts_path
        = write_file (f, "sts.yaml",
                      "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n"
                      "  serviceName: db\n  replicas: 3\n  selector: {matchLabels: {app: db}}\n"
                      "  template:\n    metadata: {labels: {app: db}}\n"
                      "    spec: {containers: [{name: c, image: busybox}]}\n");
    char *sts_files[] = { sts_path, NULL };
    char *sts[] = { (char *) "sts/db", NULL };
    g_auto (Result) applied
        = RUN (f, NULL, ks_kubectl_apply, (KsApplyOptions){ .files = sts_files });
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_scale,
                             (KsScaleOptions){ .args = sts, .replicas = 1, .current_replicas = 3 });
    g_autoptr (JsonNode) set = NULL;

    g_assert_cmpint (applied.status, ==, 0);
    assert_result (&r, 0, "statefulset.apps/db scaled\n", "");
    set = api (f, "GET", "/apis/apps/v1/namespaces/default/statefulsets/db", NULL, NULL);
    g_assert_cmpint (json_object_get_int_member (ks_json_get_object (set, "spec"), "replicas"), ==,
                     1);
  }
}

/* ---- rollout --------------------------------------------------------------------------------- */

static void
make_deployment (Fixture *f)
{
  post_free (f, "/apis/apps/v1/namespaces/default/deployments",
             "apiVersion: apps/v1\nkind: Deployment\n"
             "metadata: {name: web, annotations: {deployment.kubernetes.io/revision: '2'}}\n"
             "spec:\n"
             "  replicas: 2\n"
             "  selector: {matchLabels: {app: web}}\n"
             "  template:\n"
             "    metadata: {labels: {app: web}}\n"
             "    spec:\n"
             "      containers: [{name: httpd, image: 'busybox:2'}]\n");
}

static void
test_rollout_status (Fixture *f, gconstpointer data)
{
  char *deploy[] = { (char *) "deployment/web", NULL };
  char *rs[] = { (char *) "rs/x", NULL };
  KsRolloutStatusOptions watch = { .args = deploy, .watch = TRUE };
  Background *b;

  make_deployment (f);
  /* The controller has not seen the deployment yet. */
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_rollout_status,
                             (KsRolloutStatusOptions){ .args = deploy, .watch = FALSE });
    assert_result (&r, 0, "Waiting for deployment spec update to be observed...\n", "");
  }
  put_status (f, DEPLOYMENT, "observedGeneration: 1\nreplicas: 3\nupdatedReplicas: 1\n");
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_rollout_status,
                             (KsRolloutStatusOptions){ .args = deploy, .watch = FALSE });
    assert_result (&r, 0,
                   "Waiting for deployment \"web\" rollout to finish: 1 out of 2 new replicas have "
                   "been updated...\n",
                   "");
  }
  /* Following the rollout: a message per change, until it is done. */
  b = background_start (f, (Command) ks_kubectl_rollout_status, &watch);
  background_wait_for (b, "1 out of 2 new replicas have been updated...\n");
  put_status (f, DEPLOYMENT, "observedGeneration: 1\nreplicas: 3\nupdatedReplicas: 2\n");
  background_wait_for (b, "1 old replicas are pending termination...\n");
  put_status (f, DEPLOYMENT,
              "observedGeneration: 1\nreplicas: 2\nupdatedReplicas: 2\navailableReplicas: 1\n");
  background_wait_for (b, "1 of 2 updated replicas are available...\n");
  put_status (f, DEPLOYMENT,
              "observedGeneration: 1\nreplicas: 2\nupdatedReplicas: 2\navailableReplicas: 2\n");
  background_finish (b, FALSE);
  g_assert_cmpint (b->status, ==, 0);
  g_assert_cmpstr (b->err, ==, "");
  g_assert_cmpstr (b->seen->str, ==,
                   "Waiting for deployment \"web\" rollout to finish: 1 out of 2 new replicas have "
                   "been updated...\n"
                   "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending "
                   "termination...\n"
                   "Waiting for deployment \"web\" rollout to finish: 1 of 2 updated replicas are "
                   "available...\n"
                   "deployment \"web\" successfully rolled out\n");
  background_free (b);
  /* --timeout */
  put_status (f, DEPLOYMENT,
              "observedGeneration: 1\nreplicas: 2\nupdatedReplicas: 2\navailableReplicas: 1\n");
  {
    g_auto (Result) r = RUN (
        f, NULL, ks_kubectl_rollout_status,
        (KsRolloutStatusOptions){ .args = deploy, .watch = TRUE, .timeout = G_USEC_PER_SEC });
    assert_result (&r, 1,
                   "Waiting for deployment \"web\" rollout to finish: 1 of 2 updated replicas are "
                   "available...\n",
                   "error: timed out waiting for the condition\n");
  }
  put_status (
      f, DEPLOYMENT,
      "observedGeneration: 1\n"
      "conditions: [{type: Progressing, status: 'False', reason: ProgressDeadlineExceeded}]\n");
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_rollout_status,
                             (KsRolloutStatusOptions){ .args = deploy, .watch = TRUE });
    assert_result (&r, 1, "", "error: deployment \"web\" exceeded its progress deadline\n");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_rollout_status,
               (KsRolloutStatusOptions){ .args = deploy, .watch = TRUE, .revision = 3 });
    assert_result (&r, 1, "",
                   "error: desired revision (3) is different from the running revision (2)\n");
  }
  post_free (f, "/apis/apps/v1/namespaces/default/replicasets",
             "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: x}\n"
             "spec:\n  selector: {matchLabels: {app: x}}\n"
             "  template:\n    metadata: {labels: {app: x}}\n"
             "    spec: {containers: [{name: c, image: busybox}]}\n");
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_rollout_status,
                             (KsRolloutStatusOptions){ .args = rs, .watch = TRUE });
    assert_result (&r, 1, "", "error: no status viewer has been implemented for ReplicaSet.apps\n");
  }
}

#define STATEFUL_SET "/apis/apps/v1/namespaces/default/statefulsets/db"

/* kubectl's StatefulSetStatusViewer: the partitioned path, since the API defaults partition 0. */
static void
test_rollout_status_statefulset (Fixture *f, gconstpointer data)
{
  char *sts[] = { (char *) "statefulset/db", NULL };
  KsRolloutStatusOptions once = { .args = sts, .watch = FALSE };
  KsRolloutStatusOptions watch = { .args = sts, .watch = TRUE };
  Background *b;

  post_free (f, "/apis/apps/v1/namespaces/default/statefulsets",
             "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\n"
             "spec:\n  serviceName: db\n  replicas: 3\n  selector: {matchLabels: {app: db}}\n"
             "  template:\n    metadata: {labels: {app: db}}\n"
             "    spec: {containers: [{name: c, image: busybox}]}\n");
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_rollout_status, once);
    assert_result (&r, 0, "Waiting for statefulset spec update to be observed...\n", "");
  }
  put_status (f, STATEFUL_SET, "observedGeneration: 1\nreplicas: 2\nreadyReplicas: 1\n");
  b = background_start (f, (Command) ks_kubectl_rollout_status, &watch);
  background_wait_for (b, "Waiting for 2 pods to be ready...\n");
  put_status (f, STATEFUL_SET,
              "observedGeneration: 1\nreplicas: 3\nreadyReplicas: 3\nupdatedReplicas: 1\n");
  background_wait_for (b, "1 out of 3 new pods have been updated...\n");
  put_status (f, STATEFUL_SET,
              "observedGeneration: 1\nreplicas: 3\nreadyReplicas: 3\nupdatedReplicas: 3\n");
  background_finish (b, FALSE);
  g_assert_cmpint (b->status, ==, 0);
  g_assert_cmpstr (b->err, ==, "");
  g_assert_cmpstr (b->seen->str, ==,
                   "Waiting for 2 pods to be ready...\n"
                   "Waiting for partitioned roll out to finish: 1 out of 3 new pods have been "
                   "updated...\n"
                   "partitioned roll out complete: 3 new pods have been updated...\n");
  background_free (b);
  /* A partition of 2 expects one new pod. */
  {
    g_autoptr (JsonNode) answer
        = api (f, "PATCH", STATEFUL_SET, "application/merge-patch+json",
               "{\"spec\":{\"updateStrategy\":{\"rollingUpdate\":{\"partition\":2}}}}");
  }
  put_status (f, STATEFUL_SET,
              "observedGeneration: 2\nreplicas: 3\nreadyReplicas: 3\nupdatedReplicas: 0\n");
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_rollout_status, once);
    assert_result (&r, 0,
                   "Waiting for partitioned roll out to finish: 0 out of 1 new pods have been "
                   "updated...\n",
                   "");
  }
  {
    g_autoptr (JsonNode) answer
        = api (f, "PATCH", STATEFUL_SET, "application/merge-patch+json",
               "{\"spec\":{\"updateStrategy\":{\"type\":\"OnDelete\",\"rollingUpdate\":null}}}");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_rollout_status, watch);
    assert_result (&r, 1, "",
                   "error: rollout status is only available for RollingUpdate strategy type\n");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_rollout_undo, (KsRolloutUndoOptions){ .args = sts });
    assert_result (&r, 1, "",
                   "error: no rollbacker has been implemented for \"StatefulSet.apps\"\n");
  }
}

static void
test_rollout_undo (Fixture *f, gconstpointer data)
{
  char *deploy[] = { (char *) "deployment/web", NULL };
  g_autofree char *uid = NULL;
  g_autoptr (JsonNode) obj = NULL;

  make_deployment (f);
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_rollout_undo, (KsRolloutUndoOptions){ .args = deploy });
    assert_result (&r, 1, "", "error: no rollout history found for deployment \"web\"\n");
  }
  uid = uid_of (f, DEPLOYMENT);
  for (guint i = 1; i <= 2; i++)
    {
      g_autofree char *rs_yaml = g_strdup_printf (
          "apiVersion: apps/v1\nkind: ReplicaSet\n"
          "metadata:\n"
          "  name: web-%u\n"
          "  labels: {app: web, pod-template-hash: h%u}\n"
          "  annotations: {deployment.kubernetes.io/revision: '%u', note: v%u}\n"
          "  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: %s, "
          "controller: true}]\n"
          "spec:\n"
          "  selector: {matchLabels: {app: web, pod-template-hash: h%u}}\n"
          "  template:\n"
          "    metadata: {labels: {app: web, pod-template-hash: h%u}}\n"
          "    spec:\n"
          "      containers: [{name: httpd, image: 'busybox:%u'}]\n",
          i, i, i, i, uid, i, i, i);
      post_free (f, "/apis/apps/v1/namespaces/default/replicasets", rs_yaml);
    }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_rollout_undo, (KsRolloutUndoOptions){ .args = deploy });
    assert_result (&r, 0, "deployment.apps/web rolled back\n", "");
  }
  /* The template of revision 1 (without its hash), the deployment's revision, and the other
   * annotations of the ReplicaSet. */
  obj = api (f, "GET", DEPLOYMENT, NULL, NULL);
  {
    JsonObject *labels = ks_json_get_object (obj, "spec.template.metadata.labels");
    JsonObject *annotations = ks_json_get_object (obj, "metadata.annotations");
    JsonArray *containers = json_object_get_array_member (
        ks_json_get_object (obj, "spec.template.spec"), "containers");
    g_assert_cmpuint (json_object_get_size (labels), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (labels, "app"), ==, "web");
    g_assert_cmpstr (ks_json_get_string (json_array_get_element (containers, 0), "image"), ==,
                     "busybox:1");
    g_assert_cmpuint (json_object_get_size (annotations), ==, 2);
    g_assert_cmpstr (
        json_object_get_string_member (annotations, "deployment.kubernetes.io/revision"), ==, "2");
    g_assert_cmpstr (json_object_get_string_member (annotations, "note"), ==, "v1");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_rollout_undo,
                             (KsRolloutUndoOptions){ .args = deploy, .to_revision = 1 });
    assert_result (&r, 0,
                   "deployment.apps/web skipped rollback (current template already matches "
                   "revision 1)\n",
                   "");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_rollout_undo,
                             (KsRolloutUndoOptions){ .args = deploy, .to_revision = 5 });
    assert_result (&r, 1, "", "error: unable to find specified revision 5 in history\n");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_rollout_undo,
                             (KsRolloutUndoOptions){ .args = deploy, .to_revision = 2 });
    assert_result (&r, 0, "deployment.apps/web rolled back\n", "");
  }
}

/* ---- logs ------------------------------------------------------------------------------------ */

static void
set_agent_port (Fixture *f)
{
  g_autofree char *status = g_strdup_printf ("capacity: {cpu: '2', memory: 4Gi, pods: '110'}\n"
                                             "daemonEndpoints: {kubeletEndpoint: {Port: %u}}\n",
                                             f->agent_port);

  post_free (f, "/api/v1/nodes", "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n");
  put_status (f, "/api/v1/nodes/n1", status);
}

static char *
agent_requests (Fixture *f)
{
  char *text;

  g_mutex_lock (&f->thread.lock);
  text = g_strdup (f->agent_requests->str);
  g_string_truncate (f->agent_requests, 0);
  g_mutex_unlock (&f->thread.lock);
  return text;
}

static void
test_logs (Fixture *f, gconstpointer data)
{
  char *one[] = { (char *) "one", NULL };
  char *two[] = { (char *) "two", NULL };
  char *two_b[] = { (char *) "two", (char *) "b", NULL };
  char *deploy[] = { (char *) "deploy/web", NULL };
  char *nope[] = { (char *) "nope", NULL };
  char *none[] = { NULL };

  set_agent_port (f);
  post_free (f, "/api/v1/namespaces/default/pods",
             "apiVersion: v1\nkind: Pod\nmetadata: {name: one, labels: {app: web}}\n"
             "spec:\n  nodeName: n1\n  containers: [{name: main, image: busybox}]\n");
  post_free (f, "/api/v1/namespaces/default/pods",
             "apiVersion: v1\nkind: Pod\nmetadata: {name: two, labels: {app: web}}\n"
             "spec:\n  nodeName: n1\n"
             "  containers: [{name: a, image: busybox}, {name: b, image: busybox}, "
             "{name: waiting, image: busybox}]\n");
  put_status (f, "/api/v1/namespaces/default/pods/two",
              "phase: Running\n"
              "conditions: [{type: Ready, status: 'True', lastTransitionTime: "
              "'2025-01-01T00:00:01Z'}]\n");
  {
    g_autofree char *requests = NULL;
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_logs, (KsLogsOptions){ .args = one, .tail = -1 });
    assert_result (&r, 0, "log of /containerLogs/default/one/main\nline 2\n", "");
    requests = agent_requests (f);
    g_assert_cmpstr (requests, ==, "/containerLogs/default/one/main\n");
  }
  /* Options go through to the agent. */
  {
    g_autofree char *requests = NULL;
    g_auto (Result) r = RUN (
        f, NULL, ks_kubectl_logs,
        (KsLogsOptions){
            .args = one, .tail = 5, .previous = TRUE, .limit_bytes = 100, .timestamps = TRUE });
    g_assert_cmpint (r.status, ==, 0);
    requests = agent_requests (f);
    g_assert_cmpstr (requests, ==,
                     "/containerLogs/default/one/main limitBytes=100 previous=true tailLines=5 "
                     "timestamps=true\n");
  }
  /* Several containers: the first, with kubectl's note. */
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_logs, (KsLogsOptions){ .args = two, .tail = -1 });
    assert_result (&r, 0, "log of /containerLogs/default/two/a\nline 2\n",
                   "Defaulted container \"a\" out of: a, b, waiting\n");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_logs, (KsLogsOptions){ .args = two_b, .tail = -1 });
    assert_result (&r, 0, "log of /containerLogs/default/two/b\nline 2\n", "");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_logs,
                             (KsLogsOptions){ .args = two, .container = "zz", .tail = -1 });
    assert_result (&r, 1, "", "error: container zz is not valid for pod two\n");
  }
  /* The agent's error, as the API server passes it on. */
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_logs,
                             (KsLogsOptions){ .args = two, .container = "waiting", .tail = -1 });
    assert_result (
        &r, 1, "",
        "Error from server (BadRequest): container \"waiting\" in pod \"two\" is waiting "
        "to start: ContainerCreating\n");
  }
  /* -f streams what the agent writes. */
  g_free (agent_requests (f));
  {
    g_autofree char *requests = NULL;
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_logs,
                             (KsLogsOptions){ .args = one, .follow = TRUE, .tail = -1 });
    assert_result (&r, 0, "tick 1\ntick 2\n", "");
    requests = agent_requests (f);
    g_assert_cmpstr (requests, ==, "/containerLogs/default/one/main follow=true\n");
  }
  /* A workload: the best of its pods for logs (running and ready). */
  make_deployment (f);
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_logs, (KsLogsOptions){ .args = deploy, .tail = -1 });
    assert_result (&r, 0, "log of /containerLogs/default/two/a\nline 2\n",
                   "Found 2 pods, using pod/two\n"
                   "Defaulted container \"a\" out of: a, b, waiting\n");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_logs, (KsLogsOptions){ .args = nope, .tail = -1 });
    assert_result (&r, 1, "", "Error from server (NotFound): pods \"nope\" not found\n");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_logs, (KsLogsOptions){ .args = none, .tail = -1 });
    assert_result (&r, 2, "",
                   "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
                   "POD or TYPE/NAME is a required argument for the logs command\n");
  }
}

/* ---- top ------------------------------------------------------------------------------------- */

/* The metrics server's source in these tests: every scrape fails, so only what the test stores
 * is there. */
static void
failing_scrape (KsMetricsSource *self, const KsNode *node, KsMetricsScrapeFunc done,
                gpointer user_data)
{
  g_autoptr (GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "not in this test");
  done (NULL, error, user_data);
}

static void
failing_free (KsMetricsSource *self)
{
  g_free (self);
}

static const KsMetricsSourceOps failing_source_ops = { failing_scrape, failing_free };

static void
attach_metrics (gpointer owner, gpointer data)
{
  Fixture *f = owner;
  KsMetricsSource *source = g_new0 (KsMetricsSource, 1);

  source->ops = &failing_source_ops;
  f->metrics_client = ks_store_client_new (f->store);
  /* Scraped now (the first, failing scrape), then not for an hour. */
  f->metrics = ks_metrics_server_new (f->metrics_client, &f->clock.parent, source,
                                      G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  ks_api_server_set_metrics (f->server, f->metrics);
}

static void
read_n_scrapes (gpointer owner, gpointer data)
{
  Fixture *f = owner;

  *(guint *) data = ks_metrics_server_get_n_scrapes (f->metrics);
}

/* Serve the metrics API, once the first scrape (which would replace what the test stores) has
 * been stored. */
static void
serve_metrics (Fixture *f)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;
  guint n = 0;

  ks_test_thread_call (&f->thread, attach_metrics, f, NULL);
  for (ks_test_thread_call (&f->thread, read_n_scrapes, f, &n); n == 0;
       ks_test_thread_call (&f->thread, read_n_scrapes, f, &n))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
}

#define GIB (G_GUINT64_CONSTANT (1) << 30)
#define MIB (G_GUINT64_CONSTANT (1) << 20)

/* Two scrapes, 15 s apart, ending at the store's now: each container used cpu_ns[] more CPU in
 * between (rate × 15 s) and has its working set. */
static void
store_points (gpointer owner, gpointer data)
{
  Fixture *f = owner;
  static const struct
  {
    const char *node, *ns, *pod, *container;
    guint64 cpu_ns, memory;
  } points[] = {
    /* 250000001n: 251m alone, 251m with the sidecar's 999999n in the pod's sum. */
    { "n1", "default", "db", "main", 75000000, 200 * MIB },
    { "n1", "default", "web-1", "app", 3750000015, 64 * MIB + 1 },
    { "n1", "default", "web-1", "sidecar", 14999985, 10 * MIB },
    { "n1", "default", "web-2", "main", 7500000000, 128 * MIB },
    { "n2", "other", "job", "main", 15000000000, GIB },
  };
  /* 1250m and 1536Mi; 100m and 300Mi. */
  static const struct
  {
    const char *node;
    guint64 cpu_ns, memory;
  } nodes[] = { { "n1", 18750000000, 1536 * MIB }, { "n2", 1500000000, 300 * MIB } };
  const gint64 start = T0 - G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC;
  const guint64 base = 1000000000;

  for (gint i = 0; i < 2; i++)
    {
      g_autoptr (GPtrArray) batches
          = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_metrics_batch_free);
      gint64 t = T0 - (1 - i) * 15 * G_USEC_PER_SEC;
      for (guint n = 0; n < G_N_ELEMENTS (nodes); n++)
        {
          KsMetricsBatch *b = ks_metrics_batch_new (nodes[n].node);
          b->has_node = TRUE;
          b->node_point = (KsMetricsPoint){ t, start, base + i * nodes[n].cpu_ns, nodes[n].memory };
          for (guint j = 0; j < G_N_ELEMENTS (points); j++)
            {
              KsMetricsPoint p = { t, start, base + i * points[j].cpu_ns, points[j].memory };
              if (strcmp (points[j].node, nodes[n].node) == 0)
                ks_metrics_batch_add_container (b, points[j].ns, points[j].pod, points[j].container,
                                                &p);
            }
          g_ptr_array_add (batches, b);
        }
      ks_metrics_storage_store (ks_metrics_server_get_storage (f->metrics), batches);
    }
}

static void
top_pod (Fixture *f, const char *ns, const char *name, const char *yaml_containers)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/namespaces/%s/pods", ns);
  g_autofree char *yaml
      = g_strdup_printf ("apiVersion: v1\nkind: Pod\nmetadata: {name: %s, labels: {app: %.3s}}\n"
                         "spec:\n  nodeName: n1\n  containers: %s\n",
                         name, name, yaml_containers);

  post_free (f, path, yaml);
}

static void
top_node (Fixture *f, const char *name, const char *zone, const char *capacity,
          const char *allocatable)
{
  g_autofree char *yaml = g_strdup_printf ("apiVersion: v1\nkind: Node\n"
                                           "metadata: {name: %s, labels: {zone: %s}}\n"
                                           "status: {capacity: %s, allocatable: %s}\n",
                                           name, zone, capacity, allocatable);

  post_free (f, "/api/v1/nodes", yaml);
}

static void
make_top_objects (Fixture *f)
{
  post_free (f, "/api/v1/namespaces", "apiVersion: v1\nkind: Namespace\nmetadata: {name: other}");
  top_node (f, "n1", "a", "{cpu: '2', memory: 4Gi, pods: '110'}",
            "{cpu: 1900m, memory: 3Gi, pods: '110'}");
  top_node (f, "n2", "a", "{cpu: '1', memory: 1Gi, pods: '110'}",
            "{cpu: '1', memory: 1Gi, pods: '110'}");
  top_node (f, "n3", "b", "{cpu: '1', memory: 1Gi, pods: '110'}",
            "{cpu: '1', memory: 1Gi, pods: '110'}");
  top_pod (f, "default", "db", "[{name: main, image: busybox}]");
  top_pod (f, "default", "web-1", "[{name: app, image: busybox}, {name: sidecar, image: busybox}]");
  top_pod (f, "default", "web-2", "[{name: main, image: busybox}]");
  top_pod (f, "default", "new", "[{name: main, image: busybox}]");
  top_pod (f, "other", "job", "[{name: main, image: busybox}]");
}

static const char top_default[] = "NAME    CPU(cores)   MEMORY(bytes)   \n"
                                  "db      5m           200Mi           \n"
                                  "web-1   251m         74Mi            \n"
                                  "web-2   500m         128Mi           \n";

static void
test_top_pods (Fixture *f, gconstpointer data)
{
  make_top_objects (f);
  /* No metrics server: kubectl's check of the API groups. */
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_top_pods, (KsTopPodOptions){ 0 });
    assert_result (&r, 1, "", "error: Metrics API not available\n");
  }
  serve_metrics (f);
  /* Nothing scraped yet: the pods are 5 minutes old, more than kubectl waits for. */
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_top_pods, (KsTopPodOptions){ 0 });
    assert_result (&r, 1, "", "error: Metrics not available for pod default/db, age: 5m0s\n");
  }
  {
    g_auto (Result) r = RUN (f, "nothing", ks_kubectl_top_pods, (KsTopPodOptions){ 0 });
    assert_result (&r, 0, "", "No resources found in nothing namespace.\n");
  }
  ks_test_thread_call (&f->thread, store_points, f, NULL);
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_top_pods, (KsTopPodOptions){ 0 });
    assert_result (&r, 0, top_default, "");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_top_pods, (KsTopPodOptions){ .all_namespaces = TRUE });
    assert_result (&r, 0,
                   "NAMESPACE   NAME    CPU(cores)   MEMORY(bytes)   \n"
                   "default     db      5m           200Mi           \n"
                   "default     web-1   251m         74Mi            \n"
                   "default     web-2   500m         128Mi           \n"
                   "other       job     1000m        1024Mi          \n",
                   "");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_top_pods, (KsTopPodOptions){ .containers = TRUE });
    assert_result (&r, 0,
                   "POD     NAME      CPU(cores)   MEMORY(bytes)   \n"
                   "db      main      5m           200Mi           \n"
                   "web-1   app       251m         64Mi            \n"
                   "web-1   sidecar   1m           10Mi            \n"
                   "web-2   main      500m         128Mi           \n",
                   "");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_top_pods,
               (KsTopPodOptions){ .all_namespaces = TRUE, .containers = TRUE, .sort_by = "cpu" });
    assert_result (&r, 0,
                   "NAMESPACE   POD     NAME      CPU(cores)   MEMORY(bytes)   \n"
                   "other       job     main      1000m        1024Mi          \n"
                   "default     web-2   main      500m         128Mi           \n"
                   "default     web-1   app       251m         64Mi            \n"
                   "default     web-1   sidecar   1m           10Mi            \n"
                   "default     db      main      5m           200Mi           \n",
                   "");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_top_pods,
                             (KsTopPodOptions){ .sort_by = "memory", .no_headers = TRUE });
    assert_result (&r, 0,
                   "db      5m     200Mi   \n"
                   "web-2   500m   128Mi   \n"
                   "web-1   251m   74Mi    \n",
                   "");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_top_pods, (KsTopPodOptions){ .sum = TRUE });
    assert_result (&r, 0,
                   "NAME    CPU(cores)   MEMORY(bytes)   \n"
                   "db      5m           200Mi           \n"
                   "web-1   251m         74Mi            \n"
                   "web-2   500m         128Mi           \n"
                   "        ________     ________        \n"
                   "        756m         402Mi           \n",
                   "");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_top_pods,
               (KsTopPodOptions){ .all_namespaces = TRUE, .selector = "app=web", .sum = TRUE });
    assert_result (&r, 0,
                   "NAMESPACE   NAME    CPU(cores)   MEMORY(bytes)   \n"
                   "default     web-1   251m         74Mi            \n"
                   "default     web-2   500m         128Mi           \n"
                   "                    ________     ________        \n"
                   "                    751m         202Mi           \n",
                   "");
  }
  {
    g_auto (Result) r = RUN (f, "other", ks_kubectl_top_pods,
                             (KsTopPodOptions){ .field_selector = "metadata.name=job" });
    assert_result (&r, 0,
                   "NAME   CPU(cores)   MEMORY(bytes)   \n"
                   "job    1000m        1024Mi          \n",
                   "");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_top_pods, (KsTopPodOptions){ .name = "web-2" });
    assert_result (&r, 0,
                   "NAME    CPU(cores)   MEMORY(bytes)   \n"
                   "web-2   500m         128Mi           \n",
                   "");
  }
  /* A pod without metrics, one that does not exist, a selector matching only the former. */
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_top_pods, (KsTopPodOptions){ .name = "new" });
    assert_result (&r, 1, "",
                   "Error from server (NotFound): podmetrics.metrics.k8s.io \"default/new\" not "
                   "found\n");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_top_pods, (KsTopPodOptions){ .name = "nope" });
    assert_result (&r, 1, "", "Error from server (NotFound): pods \"nope\" not found\n");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_top_pods, (KsTopPodOptions){ .selector = "app=new" });
    assert_result (&r, 1, "", "error: Metrics not available for pod default/new, age: 5m0s\n");
  }
  /* Usage errors. */
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_top_pods, (KsTopPodOptions){ .sort_by = "age" });
    assert_result (&r, 2, "", "error: --sort-by accepts only cpu or memory\n");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_top_pods,
                             (KsTopPodOptions){ .name = "db", .selector = "app=db" });
    assert_result (&r, 2, "", "error: only one of NAME or selector can be provided\n");
  }
}

static const char top_nodes[] = "NAME   CPU(cores)   CPU(%)      MEMORY(bytes)   MEMORY(%)   \n"
                                "n1     1250m        65%         1536Mi          50%         \n"
                                "n2     100m         10%         300Mi           29%         \n"
                                "n3     <unknown>    <unknown>   <unknown>       <unknown>   \n";

static void
test_top_nodes (Fixture *f, gconstpointer data)
{
  make_top_objects (f);
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_top_nodes, (KsTopNodeOptions){ 0 });
    assert_result (&r, 1, "", "error: Metrics API not available\n");
  }
  serve_metrics (f);
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_top_nodes, (KsTopNodeOptions){ 0 });
    assert_result (&r, 1, "", "error: metrics not available yet\n");
  }
  ks_test_thread_call (&f->thread, store_points, f, NULL);
  /* Percentages of the allocatable: 1250m of 1900m, 1536Mi of 3Gi; n3 has no metrics. */
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_top_nodes, (KsTopNodeOptions){ 0 });
    assert_result (&r, 0, top_nodes, "");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_top_nodes, (KsTopNodeOptions){ .show_capacity = TRUE });
    assert_result (&r, 0,
                   "NAME   CPU(cores)   CPU(%)      MEMORY(bytes)   MEMORY(%)   \n"
                   "n1     1250m        62%         1536Mi          37%         \n"
                   "n2     100m         10%         300Mi           29%         \n"
                   "n3     <unknown>    <unknown>   <unknown>       <unknown>   \n",
                   "");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_top_nodes,
                             (KsTopNodeOptions){ .sort_by = "cpu", .selector = "zone=a" });
    assert_result (&r, 0,
                   "NAME   CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)   \n"
                   "n1     1250m        65%      1536Mi          50%         \n"
                   "n2     100m         10%      300Mi           29%         \n",
                   "");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_top_nodes,
                             (KsTopNodeOptions){ .name = "n2", .no_headers = TRUE });
    assert_result (&r, 0, "n2    100m   10%   300Mi   29%   \n", "");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_top_nodes, (KsTopNodeOptions){ .name = "n3" });
    assert_result (&r, 1, "",
                   "Error from server (NotFound): nodemetrics.metrics.k8s.io \"n3\" not found\n");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_top_nodes, (KsTopNodeOptions){ .name = "n9" });
    assert_result (&r, 1, "", "Error from server (NotFound): nodes \"n9\" not found\n");
  }
  {
    g_auto (Result) r
        = RUN (f, NULL, ks_kubectl_top_nodes, (KsTopNodeOptions){ .selector = "zone=b" });
    assert_result (&r, 1, "", "error: metrics not available yet\n");
  }
  {
    g_auto (Result) r = RUN (f, NULL, ks_kubectl_top_nodes,
                             (KsTopNodeOptions){ .name = "n1", .selector = "zone=a" });
    assert_result (&r, 2, "", "error: only one of NAME or --selector can be provided\n");
  }
}

/* ---- get -w ---------------------------------------------------------------------------------- */

static void
test_get_watch (Fixture *f, gconstpointer data)
{
  char *pods[] = { (char *) "pods", NULL };
  KsGetOptions o = { .args = pods, .watch = TRUE };
  Background *b;

  post_free (f, "/api/v1/namespaces/default/pods",
             "apiVersion: v1\nkind: Pod\nmetadata: {name: p1}\n"
             "spec:\n  containers: [{name: main, image: busybox}]\n");
  b = background_start (f, (Command) ks_kubectl_get, &o);
  background_wait_for (b, "p1     0/1     Pending   0          5m\n");
  /* New rows keep the columns of the table (kubectl's tabwriter remembers widths). */
  post_free (f, "/api/v1/namespaces/default/pods",
             "apiVersion: v1\nkind: Pod\nmetadata: {name: a-longer-name}\n"
             "spec:\n  containers: [{name: main, image: busybox}]\n");
  background_wait_for (b, "a-longer-name");
  put_status (f, "/api/v1/namespaces/default/pods/p1", "phase: Failed\n");
  background_wait_for (b, "Failed");
  background_finish (b, TRUE);
  g_assert_cmpint (b->status, ==, 0);
  g_assert_cmpstr (b->seen->str, ==,
                   "NAME   READY   STATUS    RESTARTS   AGE\n"
                   "p1     0/1     Pending   0          5m\n"
                   "a-longer-name   0/1     Pending   0          5m\n"
                   "p1              0/1     Failed    0          5m\n");
  background_free (b);
}

/* ---- errors ---------------------------------------------------------------------------------- */

static void
test_connection_refused (void)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr (GOutputStream) err = g_memory_output_stream_new_resizable ();
  g_autoptr (GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;
  char *pods[] = { (char *) "pods", NULL };
  KsGetOptions o = { .args = pods };
  KsKubectlConfig config = { NULL, NULL, out, err, NOW, NULL };
  g_autoptr (KsKubectl) k = NULL;
  guint16 port;

  /* A port nobody listens on: bound, then closed. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);
  config.server = url;
  k = ks_kubectl_new (&config, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ks_kubectl_get (k, &o), ==, 1);
  got = stream_text (err);
  want = g_strdup_printf ("The connection to the server 127.0.0.1:%u was refused - did you "
                          "specify the right host or port?\n",
                          port);
  g_assert_cmpstr (got, ==, want);

  config.server = "https://127.0.0.1:6443";
  g_clear_pointer (&k, ks_kubectl_free);
  k = ks_kubectl_new (&config, &error);
  g_assert_null (k);
  g_assert_error (error, KS_REST_ERROR, KS_REST_ERROR_BAD_URL);
}

/* ---- the three-way patch --------------------------------------------------------------------- */

static void
check_three_way (const char *original, const char *modified, const char *current, const char *kind,
                 const char *want)
{
  g_autoptr (JsonNode) o = original != NULL ? json_from_string (original, NULL) : NULL;
  g_autoptr (JsonNode) m = json_from_string (modified, NULL);
  g_autoptr (JsonNode) c = json_from_string (current, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) patch = ks_patch_create_three_way (o, m, c, kind, &error);
  g_autoptr (GString) text = g_string_new (NULL);

  g_assert_no_error (error);
  ks_json_emit_compact (patch, text);
  g_assert_cmpstr (text->str, ==, want);
}

static void
test_three_way (void)
{
  /* Nothing changed: {} (server defaults in current are not deletions). */
  check_three_way ("{\"a\":1}", "{\"a\":1}", "{\"a\":1,\"b\":2}", NULL, "{}");
  /* A field dropped from the configuration is deleted; one the server added stays. */
  check_three_way ("{\"metadata\":{\"labels\":{\"x\":\"1\",\"y\":\"2\"}}}",
                   "{\"metadata\":{\"labels\":{\"y\":\"2\"}}}",
                   "{\"metadata\":{\"labels\":{\"x\":\"1\",\"y\":\"2\",\"z\":\"3\"}}}", NULL,
                   "{\"metadata\":{\"labels\":{\"x\":null}}}");
  /* A change against the live value, even when the configuration did not change it. */
  check_three_way ("{\"spec\":{\"replicas\":2}}", "{\"spec\":{\"replicas\":2}}",
                   "{\"spec\":{\"replicas\":5}}", NULL, "{\"spec\":{\"replicas\":2}}");
  /* Keyed lists: changed elements with their key, $setElementOrder, deletions last. */
  check_three_way (
      "{\"containers\":[{\"name\":\"a\",\"image\":\"x\"},{\"name\":\"b\",\"image\":\"y\"}]}",
      "{\"containers\":[{\"name\":\"a\",\"image\":\"z\"},{\"name\":\"c\",\"image\":\"w\"}]}",
      "{\"containers\":[{\"name\":\"a\",\"image\":\"x\",\"tty\":false},"
      "{\"name\":\"b\",\"image\":\"y\"}]}",
      NULL,
      "{\"$setElementOrder/containers\":[{\"name\":\"a\"},{\"name\":\"c\"}],\"containers\":["
      "{\"image\":\"z\",\"name\":\"a\"},{\"image\":\"w\",\"name\":\"c\"},{\"$patch\":\"delete\","
      "\"name\":\"b\"}]}");
  /* Only the order changed. */
  check_three_way ("{\"env\":[{\"name\":\"a\"},{\"name\":\"b\"}]}",
                   "{\"env\":[{\"name\":\"b\"},{\"name\":\"a\"}]}",
                   "{\"env\":[{\"name\":\"a\"},{\"name\":\"b\"}]}", NULL,
                   "{\"$setElementOrder/env\":[{\"name\":\"b\"},{\"name\":\"a\"}]}");
  /* Lists without a merge key are replaced. */
  check_three_way ("{\"args\":[\"a\"]}", "{\"args\":[\"b\"]}", "{\"args\":[\"a\"]}", NULL,
                   "{\"args\":[\"b\"]}");
  /* A Service's ports merge on port. */
  check_three_way ("{\"spec\":{\"ports\":[{\"port\":80},{\"port\":443}]}}",
                   "{\"spec\":{\"ports\":[{\"port\":80}]}}",
                   "{\"spec\":{\"ports\":[{\"port\":80,\"protocol\":\"TCP\"},"
                   "{\"port\":443,\"protocol\":\"TCP\"}]}}",
                   "Service",
                   "{\"spec\":{\"$setElementOrder/ports\":[{\"port\":80}],\"ports\":["
                   "{\"$patch\":\"delete\",\"port\":443}]}}");
  /* finalizers merge as a set. */
  check_three_way ("{\"metadata\":{\"finalizers\":[\"a\",\"b\"]}}",
                   "{\"metadata\":{\"finalizers\":[\"a\",\"c\"]}}",
                   "{\"metadata\":{\"finalizers\":[\"a\",\"b\"]}}", NULL,
                   "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"b\"],"
                   "\"$setElementOrder/finalizers\":[\"a\",\"c\"],\"finalizers\":[\"c\"]}}");
  /* A Deployment's strategy keeps only the keys given ($retainKeys). */
  check_three_way (
      "{\"spec\":{\"strategy\":{\"type\":\"RollingUpdate\"}}}",
      "{\"spec\":{\"strategy\":{\"type\":\"Recreate\"}}}",
      "{\"spec\":{\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":1}}}}",
      "Deployment", "{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\"}}}");
  /* Deletions and changes in one element of a keyed list merge into one element. */
  check_three_way (
      "{\"containers\":[{\"name\":\"a\",\"ports\":[{\"containerPort\":80},"
      "{\"containerPort\":90}],\"env\":[{\"name\":\"X\"}]}]}",
      "{\"containers\":[{\"name\":\"a\",\"ports\":[{\"containerPort\":90}],"
      "\"tty\":true}]}",
      "{\"containers\":[{\"name\":\"a\",\"ports\":[{\"containerPort\":80},"
      "{\"containerPort\":90}],\"env\":[{\"name\":\"X\"}]}]}",
      NULL,
      "{\"$setElementOrder/containers\":[{\"name\":\"a\"}],\"containers\":[{"
      "\"$setElementOrder/ports\":[{\"containerPort\":90}],\"env\":null,\"name\":"
      "\"a\",\"ports\":[{\"$patch\":\"delete\",\"containerPort\":80}],\"tty\":true}]}");
  /* No last-applied configuration: no deletions. */
  check_three_way (NULL, "{\"a\":1}", "{\"a\":2,\"b\":1}", NULL, "{\"a\":1}");
}

int
main (int argc, char **argv)
{
  /* kubectl prints times in the local zone. */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/kubectl/three-way", test_three_way);
  g_test_add_func ("/kubectl/errors/connection-refused", test_connection_refused);
  g_test_add ("/kubectl/apply", Fixture, NULL, fixture_setup, test_apply, fixture_teardown);
  g_test_add ("/kubectl/apply/errors", Fixture, NULL, fixture_setup, test_apply_errors,
              fixture_teardown);
  g_test_add ("/kubectl/get/tables", Fixture, NULL, fixture_setup, test_get_tables,
              fixture_teardown);
  g_test_add ("/kubectl/get/formats", Fixture, NULL, fixture_setup, test_get_formats,
              fixture_teardown);
  g_test_add ("/kubectl/get/kinds", Fixture, NULL, fixture_setup, test_get_kinds, fixture_teardown);
  g_test_add ("/kubectl/get/watch", Fixture, NULL, fixture_setup, test_get_watch, fixture_teardown);
  g_test_add ("/kubectl/describe/pod", Fixture, NULL, fixture_setup, test_describe_pod,
              fixture_teardown);
  g_test_add ("/kubectl/describe/node", Fixture, NULL, fixture_setup, test_describe_node,
              fixture_teardown);
  g_test_add ("/kubectl/describe/workloads", Fixture, NULL, fixture_setup, test_describe_workloads,
              fixture_teardown);
  g_test_add ("/kubectl/delete", Fixture, NULL, fixture_setup, test_delete, fixture_teardown);
  g_test_add ("/kubectl/scale", Fixture, NULL, fixture_setup, test_scale, fixture_teardown);
  g_test_add ("/kubectl/rollout/status", Fixture, NULL, fixture_setup, test_rollout_status,
              fixture_teardown);
  g_test_add ("/kubectl/rollout/status-statefulset", Fixture, NULL, fixture_setup,
              test_rollout_status_statefulset, fixture_teardown);
  g_test_add ("/kubectl/rollout/undo", Fixture, NULL, fixture_setup, test_rollout_undo,
              fixture_teardown);
  g_test_add ("/kubectl/logs", Fixture, NULL, fixture_setup, test_logs, fixture_teardown);
  g_test_add ("/kubectl/top/pods", Fixture, NULL, fixture_setup, test_top_pods, fixture_teardown);
  g_test_add ("/kubectl/top/nodes", Fixture, NULL, fixture_setup, test_top_nodes, fixture_teardown);
  return g_test_run ();
}
