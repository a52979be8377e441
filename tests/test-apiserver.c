/* test-apiserver.c: the REST API (real/ks-apiserver.c) through HTTP: discovery, CRUD, every error
 * status and its body, list selectors and paging, watches (order, filters, resume, 410,
 * timeouts, bookmarks, slow and vanished clients), the three patch formats, scale, binding,
 * status and log subresources; and the patch and selector modules on their own.
 *
 * The server runs in this thread on port 0; requests are asynchronous libsoup requests and the
 * test runs the main loop until each answer arrives (with a timeout, never a fixed sleep). */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>
#include <sys/socket.h>

#include "real/ks-api-patch.h"
#include "real/ks-api-select.h"
#include "real/ks-apiserver.h"
#include "real/ks-wall-clock.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-pod.h"
#include "tests/ks-test.h"

#define TIMEOUT_MS 10000

typedef struct
{
  KsWallClock *wall;
  KsStore *store;
  KsApiServer *server;
  SoupSession *session;
  char *base;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->wall = ks_wall_clock_new ();
  f->store = ks_store_new (ks_wall_clock_get_clock (f->wall), 7);
  ks_test_create (f->store, ks_test_decode ("apiVersion: v1\nkind: Namespace\n"
                                            "metadata: {name: default}\n"));
  f->server = ks_api_server_new (f->store, 0);
  if (data != NULL)
    ks_api_server_set_watch_cache_size (f->server, GPOINTER_TO_UINT (data));
  g_assert_true (ks_api_server_listen (f->server, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ks_api_server_get_port (f->server), >, 0);
  f->base = ks_api_server_get_url (f->server);
  f->session = soup_session_new_with_options ("max-conns-per-host", 32, NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_object_unref (f->session);
  ks_api_server_free (f->server);
  ks_store_free (f->store);
  ks_wall_clock_free (f->wall);
  g_free (f->base);
  /* Let libsoup finish closing connections. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

typedef struct
{
  gboolean done;
  GBytes *body;
  GError *error;
} Pending;

static void
on_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  Pending *p = data;
  p->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &p->error);
  p->done = TRUE;
}

/* A request; returns the body (newly allocated text) and the status in *status. */
static char *
http_full (Fixture *f, const char *method, const char *path, const char *content_type,
           const char *body, guint *status, char **response_type)
{
  g_autofree char *url = g_strconcat (f->base, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  Pending p = { 0 };
  gsize len;
  const char *data;
  char *text;

  g_assert_nonnull (msg);
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }
  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, on_sent, &p);
  ks_test_wait_for (flag_set, &p.done, path, TIMEOUT_MS);
  g_assert_no_error (p.error);
  *status = soup_message_get_status (msg);
  if (response_type != NULL)
    *response_type = g_strdup (
        soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL));
  data = g_bytes_get_data (p.body, &len);
  text = g_strndup (data != NULL ? data : "", len);
  g_bytes_unref (p.body);
  return text;
}

static char *
http (Fixture *f, const char *method, const char *path, const char *content_type, const char *body,
      guint *status)
{
  return http_full (f, method, path, content_type, body, status, NULL);
}

/* A request that must answer want; returns the parsed JSON body. */
static JsonNode *
http_json (Fixture *f, const char *method, const char *path, const char *content_type,
           const char *body, guint want)
{
  guint status;
  g_autofree char *text = http (f, method, path, content_type, body, &status);
  g_autoptr (GError) error = NULL;
  JsonNode *node;

  if (status != want)
    g_error ("%s %s: status %u, want %u: %s", method, path, status, want, text);
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

#define JSON "application/json"

static JsonNode *
get_json (Fixture *f, const char *path, guint want)
{
  return http_json (f, "GET", path, NULL, NULL, want);
}

/* The node at a dotted path ("metadata.name", "items.0.metadata.name"), or NULL. */
static JsonNode *
jpath (JsonNode *node, const char *path)
{
  g_auto (GStrv) parts = g_strsplit (path, ".", -1);

  for (guint i = 0; parts[i] != NULL && node != NULL; i++)
    {
      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObject *o = json_node_get_object (node);
          node = json_object_has_member (o, parts[i]) ? json_object_get_member (o, parts[i]) : NULL;
        }
      else if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *a = json_node_get_array (node);
          guint index = (guint) g_ascii_strtoull (parts[i], NULL, 10);
          node = index < json_array_get_length (a) ? json_array_get_element (a, index) : NULL;
        }
      else
        node = NULL;
    }
  return node;
}

static const char *
jstr (JsonNode *node, const char *path)
{
  JsonNode *n = jpath (node, path);
  return n != NULL && json_node_get_value_type (n) == G_TYPE_STRING ? json_node_get_string (n)
                                                                    : NULL;
}

static gint64
jint (JsonNode *node, const char *path)
{
  JsonNode *n = jpath (node, path);
  g_assert_nonnull (n);
  return json_node_get_int (n);
}

static guint
jlen (JsonNode *node, const char *path)
{
  JsonNode *n = jpath (node, path);
  g_assert_true (n != NULL && JSON_NODE_HOLDS_ARRAY (n));
  return json_array_get_length (json_node_get_array (n));
}

#define POD_JSON(name, labels)                                                                     \
  "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" name                         \
  "\",\"labels\":{" labels                                                                         \
  "}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}"

static void
create_pod (Fixture *f, const char *name, const char *node)
{
  g_autofree char *yaml
      = g_strdup_printf ("apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\n"
                         "spec:\n  containers: [{name: c, image: busybox}]\n"
                         "%s%s\n",
                         name, node != NULL ? "  nodeName: " : "", node != NULL ? node : "");
  ks_test_create (f->store, ks_test_decode (yaml));
}

static const char *DEPLOYMENT_JSON
    = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"},"
      "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
      "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":["
      "{\"name\":\"a\",\"image\":\"nginx:1.26\",\"env\":[{\"name\":\"X\",\"value\":\"1\"}]},"
      "{\"name\":\"b\",\"image\":\"busybox\"}]}}}}";

/* Discovery */

static gboolean
resource_listed (JsonNode *list, const char *name, const char *kind, const char *short_name)
{
  for (guint i = 0; i < jlen (list, "resources"); i++)
    {
      g_autofree char *p = g_strdup_printf ("resources.%u", i);
      JsonNode *r = jpath (list, p);
      if (g_strcmp0 (jstr (r, "name"), name) == 0)
        {
          g_assert_cmpstr (jstr (r, "kind"), ==, kind);
          if (short_name != NULL)
            g_assert_cmpstr (jstr (r, "shortNames.0"), ==, short_name);
          return TRUE;
        }
    }
  return FALSE;
}

static void
test_discovery (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) version = get_json (f, "/version", 200);
  g_autoptr (JsonNode) api = get_json (f, "/api", 200);
  g_autoptr (JsonNode) apis = get_json (f, "/apis", 200);
  g_autoptr (JsonNode) v1 = get_json (f, "/api/v1", 200);
  g_autoptr (JsonNode) apps = get_json (f, "/apis/apps/v1", 200);
  g_autoptr (JsonNode) group = get_json (f, "/apis/apps", 200);
  g_autoptr (JsonNode) openapi = get_json (f, "/openapi/v3", 200);
  g_autoptr (JsonNode) doc = NULL;
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", ks_api_server_get_port (f->server));
  g_autofree char *health = NULL;
  g_autofree char *type = NULL;
  gboolean apps_listed = FALSE;
  guint status;

  g_assert_cmpstr (jstr (version, "major"), ==, "1");
  g_assert_cmpstr (jstr (version, "minor"), ==, "32");
  g_assert_true (g_str_has_prefix (jstr (version, "gitVersion"), "v1.32.0"));

  g_assert_cmpstr (jstr (api, "kind"), ==, "APIVersions");
  g_assert_cmpstr (jstr (api, "versions.0"), ==, "v1");
  g_assert_cmpstr (jstr (api, "serverAddressByClientCIDRs.0.serverAddress"), ==, address);

  g_assert_cmpstr (jstr (apis, "kind"), ==, "APIGroupList");
  for (guint i = 0; i < jlen (apis, "groups"); i++)
    {
      g_autofree char *p = g_strdup_printf ("groups.%u", i);
      JsonNode *g = jpath (apis, p);
      if (g_strcmp0 (jstr (g, "name"), "apps") == 0)
        {
          apps_listed = TRUE;
          g_assert_cmpstr (jstr (g, "versions.0.groupVersion"), ==, "apps/v1");
          g_assert_cmpstr (jstr (g, "preferredVersion.version"), ==, "v1");
        }
    }
  g_assert_true (apps_listed);
  g_assert_cmpstr (jstr (group, "kind"), ==, "APIGroup");
  g_assert_cmpstr (jstr (group, "name"), ==, "apps");

  g_assert_cmpstr (jstr (v1, "kind"), ==, "APIResourceList");
  g_assert_cmpstr (jstr (v1, "groupVersion"), ==, "v1");
  g_assert_true (resource_listed (v1, "pods", "Pod", "po"));
  g_assert_true (resource_listed (v1, "pods/status", "Pod", NULL));
  g_assert_true (resource_listed (v1, "pods/binding", "Binding", NULL));
  g_assert_true (resource_listed (v1, "pods/log", "Pod", NULL));
  g_assert_true (resource_listed (v1, "pods/eviction", "Eviction", NULL));
  for (guint i = 0; i < jlen (v1, "resources"); i++)
    {
      g_autofree char *p = g_strdup_printf ("resources.%u", i);
      JsonNode *r = jpath (v1, p);
      if (g_strcmp0 (jstr (r, "name"), "pods/eviction") != 0)
        continue;
      g_assert_cmpstr (jstr (r, "group"), ==, "policy");
      g_assert_cmpstr (jstr (r, "version"), ==, "v1");
      g_assert_true (json_object_get_boolean_member (json_node_get_object (r), "namespaced"));
      g_assert_cmpuint (jlen (r, "verbs"), ==, 1);
      g_assert_cmpstr (jstr (r, "verbs.0"), ==, "create");
    }
  g_assert_true (resource_listed (v1, "nodes", "Node", "no"));
  g_assert_true (resource_listed (v1, "namespaces", "Namespace", "ns"));
  g_assert_false (resource_listed (v1, "deployments", "Deployment", NULL));
  /* Sorted by name; pods in the "all" category. */
  for (guint i = 1; i < jlen (v1, "resources"); i++)
    {
      g_autofree char *a = g_strdup_printf ("resources.%u.name", i - 1);
      g_autofree char *b = g_strdup_printf ("resources.%u.name", i);
      g_assert_cmpint (strcmp (jstr (v1, a), jstr (v1, b)), <, 0);
      if (g_strcmp0 (jstr (v1, b), "pods") == 0)
        {
          g_autofree char *c = g_strdup_printf ("resources.%u.categories.0", i);
          g_autofree char *s = g_strdup_printf ("resources.%u.singularName", i);
          g_assert_cmpstr (jstr (v1, c), ==, "all");
          g_assert_cmpstr (jstr (v1, s), ==, "pod");
        }
    }

  /* PodDisruptionBudgets: policy/v1, with the status subresource. */
  {
    g_autoptr (JsonNode) policy = get_json (f, "/apis/policy/v1", 200);
    g_autoptr (JsonNode) created = NULL;
    g_autoptr (JsonNode) got = NULL;
    g_assert_true (resource_listed (policy, "poddisruptionbudgets", "PodDisruptionBudget", "pdb"));
    g_assert_true (
        resource_listed (policy, "poddisruptionbudgets/status", "PodDisruptionBudget", NULL));
    created = http_json (f, "POST", "/apis/policy/v1/namespaces/default/poddisruptionbudgets", JSON,
                         "{\"apiVersion\":\"policy/v1\",\"kind\":\"PodDisruptionBudget\","
                         "\"metadata\":{\"name\":\"web\"},\"spec\":{\"minAvailable\":\"50%\","
                         "\"selector\":{\"matchLabels\":{\"app\":\"web\"}}}}",
                         201);
    g_assert_cmpstr (jstr (created, "kind"), ==, "PodDisruptionBudget");
    got = get_json (f, "/apis/policy/v1/namespaces/default/poddisruptionbudgets/web", 200);
    g_assert_cmpstr (jstr (got, "spec.minAvailable"), ==, "50%");
    g_assert_cmpstr (jstr (got, "spec.selector.matchLabels.app"), ==, "web");
    g_assert_cmpint (jint (got, "status.disruptionsAllowed"), ==, 0);
  }

  /* EndpointSlices: discovery.k8s.io/v1, no status; a slice round-trips with its conditions. */
  {
    g_autoptr (JsonNode) disc = get_json (f, "/apis/discovery.k8s.io/v1", 200);
    g_autoptr (JsonNode) got = NULL;
    g_autoptr (JsonNode) created = NULL;
    g_assert_true (resource_listed (disc, "endpointslices", "EndpointSlice", NULL));
    g_assert_false (resource_listed (disc, "endpointslices/status", "EndpointSlice", NULL));
    created = http_json (
        f, "POST", "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", JSON,
        "{\"apiVersion\":\"discovery.k8s.io/v1\",\"kind\":\"EndpointSlice\","
        "\"metadata\":{\"name\":\"web-x1\",\"labels\":{\"kubernetes.io/service-name\":\"web\"}},"
        "\"addressType\":\"IPv4\",\"endpoints\":[{\"addresses\":[\"10.244.1.2\"],"
        "\"conditions\":{\"ready\":false,\"serving\":true,\"terminating\":true}}],"
        "\"ports\":[{\"name\":\"http\",\"port\":8080,\"protocol\":\"TCP\"}]}",
        201);
    g_assert_cmpstr (jstr (created, "kind"), ==, "EndpointSlice");
    got = get_json (f, "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/web-x1", 200);
    g_assert_cmpstr (jstr (got, "addressType"), ==, "IPv4");
    g_assert_cmpstr (jstr (got, "endpoints.0.addresses.0"), ==, "10.244.1.2");
    g_assert_false (json_node_get_boolean (jpath (got, "endpoints.0.conditions.ready")));
    g_assert_true (json_node_get_boolean (jpath (got, "endpoints.0.conditions.terminating")));
    g_assert_cmpint (jint (got, "ports.0.port"), ==, 8080);
    /* An IPv6 address in an IPv4 slice is refused with Kubernetes' 422. */
    g_clear_pointer (&created, json_node_unref);
    created
        = http_json (f, "POST", "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", JSON,
                     "{\"apiVersion\":\"discovery.k8s.io/v1\",\"kind\":\"EndpointSlice\","
                     "\"metadata\":{\"name\":\"bad\"},\"addressType\":\"IPv4\","
                     "\"endpoints\":[{\"addresses\":[\"fd00::1\"]}]}",
                     422);
  }

  g_assert_true (resource_listed (apps, "deployments", "Deployment", "deploy"));
  g_assert_true (resource_listed (apps, "deployments/scale", "Scale", NULL));
  g_assert_true (resource_listed (apps, "replicasets/scale", "Scale", NULL));
  for (guint i = 0; i < jlen (apps, "resources"); i++)
    {
      g_autofree char *p = g_strdup_printf ("resources.%u", i);
      JsonNode *r = jpath (apps, p);
      if (g_strcmp0 (jstr (r, "name"), "deployments/scale") == 0)
        {
          g_assert_cmpstr (jstr (r, "group"), ==, "autoscaling");
          g_assert_cmpstr (jstr (r, "version"), ==, "v1");
          g_assert_cmpstr (jstr (r, "singularName"), ==, "");
        }
    }

  health = http_full (f, "GET", "/healthz", NULL, NULL, &status, &type);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (health, ==, "ok");
  g_assert_cmpstr (type, ==, "text/plain");
  g_clear_pointer (&health, g_free);
  health = http (f, "GET", "/readyz", NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 200);

  /* OpenAPI v3: enough for kubectl to send fieldValidation instead of validating itself. */
  g_assert_nonnull (jpath (openapi, "paths.api/v1.serverRelativeURL"));
  g_assert_true (g_str_has_prefix (jstr (openapi, "paths.apis/apps/v1.serverRelativeURL"),
                                   "/openapi/v3/apis/apps/v1?hash="));
  doc = get_json (f, "/openapi/v3/apis/apps/v1", 200);
  {
    JsonNode *patch
        = jpath (doc, "paths./apis/apps/v1/namespaces/{namespace}/deployments/{name}.patch");
    g_assert_nonnull (patch);
    g_assert_cmpstr (jstr (patch, "x-kubernetes-group-version-kind.kind"), ==, "Deployment");
    g_assert_cmpstr (jstr (patch, "x-kubernetes-group-version-kind.group"), ==, "apps");
    g_assert_cmpstr (jstr (patch, "parameters.0.name"), ==, "fieldValidation");
    g_assert_cmpstr (jstr (patch, "parameters.0.in"), ==, "query");
  }
}

/* batch/v1 Jobs: discovery, the generated selector on create, validation. */
static void
test_jobs (Fixture *f, gconstpointer data)
{
  static const char job_json[]
      = "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"pi\"},"
        "\"spec\":{\"completions\":2,\"template\":{\"spec\":{\"restartPolicy\":\"%s\","
        "\"containers\":[{\"name\":\"pi\",\"image\":\"perl\"}]}}}}";
  g_autofree char *good = g_strdup_printf (job_json, "Never");
  g_autofree char *bad = g_strdup_printf (job_json, "Always");
  g_autoptr (JsonNode) group = http_json (f, "GET", "/apis/batch/v1", NULL, NULL, 200);
  g_autoptr (JsonNode) job = NULL;
  g_autoptr (JsonNode) list = NULL;
  g_autofree char *body = NULL;
  JsonObject *match, *labels;
  JsonArray *resources;
  gboolean found = FALSE;
  guint status;

  resources = json_object_get_array_member (json_node_get_object (group), "resources");
  for (guint i = 0; i < json_array_get_length (resources); i++)
    found |= g_strcmp0 (json_object_get_string_member (json_array_get_object_element (resources, i),
                                                       "name"),
                        "jobs")
             == 0;
  g_assert_true (found);

  job = http_json (f, "POST", "/apis/batch/v1/namespaces/default/jobs", JSON, good, 201);
  match = json_node_get_object (jpath (job, "spec.selector.matchLabels"));
  g_assert_cmpstr (json_object_get_string_member (match, "batch.kubernetes.io/controller-uid"), ==,
                   jstr (job, "metadata.uid"));
  labels = json_node_get_object (jpath (job, "spec.template.metadata.labels"));
  g_assert_cmpstr (json_object_get_string_member (labels, "batch.kubernetes.io/job-name"), ==,
                   "pi");
  g_assert_cmpint (jint (job, "spec.backoffLimit"), ==, 6);
  g_assert_cmpint (jint (job, "spec.parallelism"), ==, 1);
  list = http_json (f, "GET", "/apis/batch/v1/namespaces/default/jobs", NULL, NULL, 200);
  g_assert_cmpstr (jstr (list, "kind"), ==, "JobList");

  body = http (f, "POST", "/apis/batch/v1/namespaces/default/jobs", JSON, bad, &status);
  g_assert_cmpuint (status, ==, 422);
  g_assert_nonnull (strstr (body, "Job.batch \\\"pi\\\" is invalid"));
  g_assert_nonnull (strstr (body, "spec.template.spec.restartPolicy"));
}

/* Volumes: discovery (pvc, pv in the core group; storageclasses in storage.k8s.io/v1), the
 * DefaultStorageClass admission on create, validation. */
static gboolean
lists_resource (JsonNode *group, const char *name, const char *short_name)
{
  JsonArray *resources = json_object_get_array_member (json_node_get_object (group), "resources");

  for (guint i = 0; i < json_array_get_length (resources); i++)
    {
      JsonObject *r = json_array_get_object_element (resources, i);
      if (g_strcmp0 (json_object_get_string_member (r, "name"), name) == 0)
        {
          JsonArray *shorts = json_object_get_array_member (r, "shortNames");
          return shorts != NULL && json_array_get_length (shorts) == 1
                 && g_strcmp0 (json_array_get_string_element (shorts, 0), short_name) == 0;
        }
    }
  return FALSE;
}

static void
test_volumes (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) core = http_json (f, "GET", "/api/v1", NULL, NULL, 200);
  g_autoptr (JsonNode) storage = http_json (f, "GET", "/apis/storage.k8s.io/v1", NULL, NULL, 200);
  g_autoptr (JsonNode) sc = NULL;
  g_autoptr (JsonNode) pvc = NULL;
  g_autoptr (JsonNode) pv = NULL;
  g_autofree char *body = NULL;
  guint status;

  g_assert_true (lists_resource (core, "persistentvolumeclaims", "pvc"));
  g_assert_true (lists_resource (core, "persistentvolumes", "pv"));
  g_assert_true (lists_resource (storage, "storageclasses", "sc"));
  sc = http_json (f, "POST", "/apis/storage.k8s.io/v1/storageclasses", JSON,
                  "{\"apiVersion\":\"storage.k8s.io/v1\",\"kind\":\"StorageClass\","
                  "\"metadata\":{\"name\":\"std\",\"annotations\":{\"storageclass.kubernetes.io/"
                  "is-default-class\":\"true\"}},\"provisioner\":\"csi.example.com\"}",
                  201);
  g_assert_cmpstr (jstr (sc, "reclaimPolicy"), ==, "Delete");
  g_assert_cmpstr (jstr (sc, "volumeBindingMode"), ==, "Immediate");
  pvc = http_json (f, "POST", "/api/v1/namespaces/default/persistentvolumeclaims", JSON,
                   "{\"apiVersion\":\"v1\",\"kind\":\"PersistentVolumeClaim\","
                   "\"metadata\":{\"name\":\"data\"},\"spec\":{\"accessModes\":"
                   "[\"ReadWriteOnce\"],\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}}",
                   201);
  g_assert_cmpstr (jstr (pvc, "spec.storageClassName"), ==, "std");
  g_assert_cmpstr (jstr (pvc, "spec.volumeMode"), ==, "Filesystem");
  g_assert_cmpstr (jstr (pvc, "status.phase"), ==, "Pending");
  pv = http_json (f, "POST", "/api/v1/persistentvolumes", JSON,
                  "{\"apiVersion\":\"v1\",\"kind\":\"PersistentVolume\","
                  "\"metadata\":{\"name\":\"pv1\"},\"spec\":{\"capacity\":{\"storage\":"
                  "\"5Gi\"},\"accessModes\":[\"ReadWriteOnce\"],\"hostPath\":{\"path\":"
                  "\"/d\"}}}",
                  201);
  g_assert_cmpstr (jstr (pv, "spec.persistentVolumeReclaimPolicy"), ==, "Retain");
  g_assert_cmpstr (jstr (pv, "spec.capacity.storage"), ==, "5Gi");
  body = http (f, "POST", "/api/v1/namespaces/default/persistentvolumeclaims", JSON,
               "{\"apiVersion\":\"v1\",\"kind\":\"PersistentVolumeClaim\","
               "\"metadata\":{\"name\":\"bad\"},\"spec\":{\"accessModes\":[\"ReadWriteOnce\"]}}",
               &status);
  g_assert_cmpuint (status, ==, 422);
  g_assert_nonnull (strstr (body, "spec.resources.requests.storage"));
}

/* HorizontalPodAutoscalers: discovery (autoscaling/v2, short name hpa), defaults on create,
 * validation with Kubernetes' messages. */
static void
test_hpa (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) group = http_json (f, "GET", "/apis/autoscaling/v2", NULL, NULL, 200);
  g_autoptr (JsonNode) hpa = NULL;
  g_autofree char *body = NULL;
  guint status;

  g_assert_true (lists_resource (group, "horizontalpodautoscalers", "hpa"));
  hpa = http_json (f, "POST", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers",
                   JSON,
                   "{\"apiVersion\":\"autoscaling/v2\",\"kind\":\"HorizontalPodAutoscaler\","
                   "\"metadata\":{\"name\":\"web\"},\"spec\":{\"scaleTargetRef\":{\"apiVersion\":"
                   "\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"web\"},\"maxReplicas\":5,"
                   "\"behavior\":{}}}",
                   201);
  g_assert_cmpstr (jstr (hpa, "spec.metrics.0.resource.name"), ==, "cpu");
  g_assert_cmpstr (jstr (hpa, "spec.behavior.scaleUp.selectPolicy"), ==, "Max");
  body = http (f, "POST", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers", JSON,
               "{\"apiVersion\":\"autoscaling/v2\",\"kind\":\"HorizontalPodAutoscaler\","
               "\"metadata\":{\"name\":\"bad\"},\"spec\":{\"scaleTargetRef\":{\"kind\":"
               "\"Deployment\",\"name\":\"web\"},\"minReplicas\":3,\"maxReplicas\":2}}",
               &status);
  g_assert_cmpuint (status, ==, 422);
  g_assert_nonnull (strstr (body, "must be greater than or equal to `minReplicas`"));
}

static void
test_not_found_paths (Fixture *f, gconstpointer data)
{
  static const char *const paths[] = {
    "/nothing",
    "/api/v2",
    "/apis/apps/v1/namespaces/default/daemonsets",
    "/apis/apps/v2/namespaces/default/deployments",
    "/api/v1/namespaces/default/nodes",        /* nodes are cluster-scoped */
    "/api/v1/pods/x",                          /* a namespaced item needs its namespace */
    "/api/v1/namespaces/default/pods/x/evict", /* no such subresource */
    "/apis/apps/v1/namespaces/default/deployments/x/binding",
    "/api/v1/namespaces/default/pods/x/status/extra",
    "/apis/nothing",
  };
  static const char *const want
      = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
        "\"message\":\"the server could not find the requested resource\",\"reason\":"
        "\"NotFound\",\"details\":{},\"code\":404}";

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      guint status;
      g_autofree char *body = http (f, "GET", paths[i], NULL, NULL, &status);
      g_assert_cmpuint (status, ==, 404);
      g_assert_cmpstr (body, ==, want);
    }
}

/* CRUD */

static void
test_crud (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) created = NULL;
  g_autoptr (JsonNode) got = NULL;
  g_autoptr (JsonNode) list = NULL;
  g_autoptr (JsonNode) all = NULL;
  g_autoptr (JsonNode) updated = NULL;
  g_autoptr (JsonNode) deleted = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *rv = NULL;
  g_autofree char *put = NULL;
  g_autofree char *stale = NULL;
  g_autofree char *body = NULL;
  char want_rv[32];
  guint status;

  created = http_json (f, "POST", "/api/v1/namespaces/default/pods", JSON,
                       POD_JSON ("web-1", "\"app\":\"web\""), 201);
  g_assert_cmpstr (jstr (created, "metadata.namespace"), ==, "default");
  g_assert_cmpstr (jstr (created, "kind"), ==, "Pod");
  g_assert_nonnull (jstr (created, "metadata.uid"));
  g_assert_nonnull (jstr (created, "metadata.creationTimestamp"));
  g_snprintf (want_rv, sizeof want_rv, "%" G_GUINT64_FORMAT,
              ks_store_get_resource_version (f->store));
  g_assert_cmpstr (jstr (created, "metadata.resourceVersion"), ==, want_rv);
  g_assert_nonnull (ks_store_get (f->store, ks_kind_get (KS_KIND_POD), "default", "web-1"));
  /* YAML bodies are accepted too. */
  g_autoptr (JsonNode) from_yaml
      = http_json (f, "POST", "/api/v1/namespaces/default/pods", "application/yaml",
                   "apiVersion: v1\nkind: Pod\nmetadata: {name: db-1, labels: {app: db}}\n"
                   "spec:\n  containers: [{name: c, image: postgres}]\n",
                   201);
  g_assert_cmpstr (jstr (from_yaml, "metadata.labels.app"), ==, "db");
  node
      = http_json (f, "POST", "/api/v1/nodes", JSON,
                   "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\"}}", 201);
  g_assert_null (jpath (node, "metadata.namespace"));

  got = get_json (f, "/api/v1/namespaces/default/pods/web-1", 200);
  g_assert_cmpstr (jstr (got, "metadata.uid"), ==, jstr (created, "metadata.uid"));
  g_assert_cmpstr (jstr (got, "spec.containers.0.image"), ==, "busybox");

  list = get_json (f, "/api/v1/namespaces/default/pods", 200);
  g_assert_cmpstr (jstr (list, "kind"), ==, "PodList");
  g_assert_cmpstr (jstr (list, "apiVersion"), ==, "v1");
  g_snprintf (want_rv, sizeof want_rv, "%" G_GUINT64_FORMAT,
              ks_store_get_resource_version (f->store));
  g_assert_cmpstr (jstr (list, "metadata.resourceVersion"), ==, want_rv);
  g_assert_cmpuint (jlen (list, "items"), ==, 2);
  g_assert_cmpstr (jstr (list, "items.0.metadata.name"), ==, "db-1");
  g_assert_cmpstr (jstr (list, "items.1.metadata.name"), ==, "web-1");
  all = get_json (f, "/api/v1/pods", 200);
  g_assert_cmpuint (jlen (all, "items"), ==, 2);
  {
    g_autoptr (JsonNode) nodes = get_json (f, "/api/v1/nodes", 200);
    g_autoptr (JsonNode) deps = get_json (f, "/apis/apps/v1/deployments", 200);
    g_assert_cmpstr (jstr (nodes, "kind"), ==, "NodeList");
    g_assert_cmpuint (jlen (nodes, "items"), ==, 1);
    g_assert_cmpstr (jstr (deps, "kind"), ==, "DeploymentList");
    g_assert_cmpstr (jstr (deps, "apiVersion"), ==, "apps/v1");
    g_assert_cmpuint (jlen (deps, "items"), ==, 0);
  }

  /* PUT: an update; the same again with the old resourceVersion is a conflict. */
  rv = g_strdup (jstr (got, "metadata.resourceVersion"));
  json_object_set_string_member (
      json_object_get_object_member (
          json_object_get_object_member (json_node_get_object (got), "metadata"), "labels"),
      "tier", "front");
  put = json_to_string (got, FALSE);
  updated = http_json (f, "PUT", "/api/v1/namespaces/default/pods/web-1", JSON, put, 200);
  g_assert_cmpstr (jstr (updated, "metadata.labels.tier"), ==, "front");
  g_assert_cmpstr (jstr (updated, "metadata.uid"), ==, jstr (created, "metadata.uid"));
  g_assert_cmpuint (g_ascii_strtoull (jstr (updated, "metadata.resourceVersion"), NULL, 10), >,
                    g_ascii_strtoull (rv, NULL, 10));
  stale = http (f, "PUT", "/api/v1/namespaces/default/pods/web-1", JSON, put, &status);
  g_assert_cmpuint (status, ==, 409);
  g_assert_cmpstr (
      stale, ==,
      "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
      "\"message\":\"Operation cannot be fulfilled on pods \\\"web-1\\\": the object has been "
      "modified; please apply your changes to the latest version and try again\",\"reason\":"
      "\"Conflict\",\"details\":{\"name\":\"web-1\",\"kind\":\"pods\"},\"code\":409}");

  /* DELETE of an unscheduled pod: gone at once; pods answer with the object. */
  deleted = http_json (f, "DELETE", "/api/v1/namespaces/default/pods/web-1", NULL, NULL, 200);
  g_assert_cmpstr (jstr (deleted, "kind"), ==, "Pod");
  g_assert_cmpstr (jstr (deleted, "metadata.name"), ==, "web-1");
  g_assert_null (ks_store_get (f->store, ks_kind_get (KS_KIND_POD), "default", "web-1"));

  /* A Deployment answers with a Success Status. */
  g_autoptr (JsonNode) dep = http_json (f, "POST", "/apis/apps/v1/namespaces/default/deployments",
                                        JSON, DEPLOYMENT_JSON, 201);
  body
      = http (f, "DELETE", "/apis/apps/v1/namespaces/default/deployments/web", NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  {
    g_autofree char *want = g_strdup_printf (
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Success\","
        "\"details\":{\"name\":\"web\",\"group\":\"apps\",\"kind\":\"deployments\",\"uid\":"
        "\"%s\"}}",
        jstr (dep, "metadata.uid"));
    g_assert_cmpstr (body, ==, want);
  }

  /* A bound pod goes gracefully: the answer carries the deletionTimestamp; it stays. */
  create_pod (f, "bound", "n1");
  g_autoptr (JsonNode) graceful
      = http_json (f, "DELETE", "/api/v1/namespaces/default/pods/bound", NULL, NULL, 200);
  g_assert_nonnull (jstr (graceful, "metadata.deletionTimestamp"));
  g_assert_cmpint (jint (graceful, "metadata.deletionGracePeriodSeconds"), ==, 30);
  g_assert_nonnull (ks_store_get (f->store, ks_kind_get (KS_KIND_POD), "default", "bound"));
  /* Grace 0 in the query removes it. */
  g_autoptr (JsonNode) forced = http_json (
      f, "DELETE", "/api/v1/namespaces/default/pods/bound?gracePeriodSeconds=0", NULL, NULL, 200);
  g_assert_null (ks_store_get (f->store, ks_kind_get (KS_KIND_POD), "default", "bound"));
}

static void
test_generate_name_and_cluster_scope (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) created = http_json (
      f, "POST", "/api/v1/namespaces/default/pods", JSON,
      "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"generateName\":\"gen-\"},"
      "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}",
      201);
  const char *name = jstr (created, "metadata.name");

  g_assert_true (g_str_has_prefix (name, "gen-"));
  g_assert_cmpuint (strlen (name), ==, 9);
  /* The body's apiVersion and kind may be left out: the URL gives them. */
  g_autoptr (JsonNode) bare = http_json (f, "POST", "/api/v1/namespaces/default/pods", JSON,
                                         "{\"metadata\":{\"name\":\"bare\"},\"spec\":{"
                                         "\"containers\":[{\"name\":\"c\",\"image\":\"b\"}]}}",
                                         201);
  g_assert_cmpstr (jstr (bare, "kind"), ==, "Pod");
  /* A namespace is created and deleted at cluster scope. */
  g_autoptr (JsonNode) ns = http_json (
      f, "POST", "/api/v1/namespaces", JSON,
      "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"team\"}}", 201);
  g_autoptr (JsonNode) got = get_json (f, "/api/v1/namespaces/team", 200);
  g_assert_cmpstr (jstr (got, "metadata.name"), ==, "team");
  g_autoptr (JsonNode) status = get_json (f, "/api/v1/namespaces/team/status", 200);
  g_assert_cmpstr (jstr (status, "metadata.name"), ==, "team");
}

/* Errors */

static void
assert_status (const char *body, guint code, const char *reason, const char *message)
{
  g_autoptr (JsonNode) node = json_from_string (body, NULL);

  g_assert_nonnull (node);
  g_assert_cmpstr (jstr (node, "kind"), ==, "Status");
  g_assert_cmpstr (jstr (node, "apiVersion"), ==, "v1");
  g_assert_cmpstr (jstr (node, "status"), ==, "Failure");
  g_assert_cmpint (jint (node, "code"), ==, code);
  g_assert_cmpstr (jstr (node, "reason"), ==, reason);
  g_assert_cmpstr (jstr (node, "message"), ==, message);
}

static void
expect_error (Fixture *f, const char *method, const char *path, const char *type, const char *body,
              guint code, const char *reason, const char *message)
{
  guint status;
  g_autofree char *text = http (f, method, path, type, body, &status);

  if (status != code)
    g_error ("%s %s: status %u, want %u: %s", method, path, status, code, text);
  assert_status (text, code, reason, message);
}

static void
test_errors (Fixture *f, gconstpointer data)
{
  guint status;
  g_autofree char *exists = NULL;
  g_autofree char *invalid = NULL;
  g_autoptr (JsonNode) inv = NULL;

  /* 404 */
  {
    g_autofree char *body
        = http (f, "GET", "/api/v1/namespaces/default/pods/x", NULL, NULL, &status);
    g_assert_cmpuint (status, ==, 404);
    g_assert_cmpstr (body, ==,
                     "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
                     "\"Failure\",\"message\":\"pods \\\"x\\\" not found\",\"reason\":\"NotFound\","
                     "\"details\":{\"name\":\"x\",\"kind\":\"pods\"},\"code\":404}");
  }
  expect_error (f, "GET", "/apis/apps/v1/namespaces/default/deployments/nginx", NULL, NULL, 404,
                "NotFound", "deployments.apps \"nginx\" not found");
  {
    g_autofree char *body = http (f, "GET", "/apis/apps/v1/namespaces/default/deployments/nginx",
                                  NULL, NULL, &status);
    g_autoptr (JsonNode) node = json_from_string (body, NULL);
    g_assert_cmpstr (jstr (node, "details.group"), ==, "apps");
    g_assert_cmpstr (jstr (node, "details.kind"), ==, "deployments");
  }
  expect_error (f, "POST", "/api/v1/namespaces/nope/pods", JSON, POD_JSON ("p", ""), 404,
                "NotFound", "namespaces \"nope\" not found");
  expect_error (f, "DELETE", "/api/v1/namespaces/default/pods/x", NULL, NULL, 404, "NotFound",
                "pods \"x\" not found");
  expect_error (f, "PUT", "/api/v1/namespaces/default/pods/x", JSON, POD_JSON ("x", ""), 404,
                "NotFound", "pods \"x\" not found");
  expect_error (f, "PATCH", "/api/v1/namespaces/default/pods/x", "application/merge-patch+json",
                "{}", 404, "NotFound", "pods \"x\" not found");

  /* 409 AlreadyExists */
  g_autoptr (JsonNode) p
      = http_json (f, "POST", "/api/v1/namespaces/default/pods", JSON, POD_JSON ("p", ""), 201);
  exists = http (f, "POST", "/api/v1/namespaces/default/pods", JSON, POD_JSON ("p", ""), &status);
  g_assert_cmpuint (status, ==, 409);
  g_assert_cmpstr (
      exists, ==,
      "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
      "\"Failure\",\"message\":\"pods \\\"p\\\" already exists\",\"reason\":"
      "\"AlreadyExists\",\"details\":{\"name\":\"p\",\"kind\":\"pods\"},\"code\":409}");
  g_autoptr (JsonNode) d = http_json (f, "POST", "/apis/apps/v1/namespaces/default/deployments",
                                      JSON, DEPLOYMENT_JSON, 201);
  expect_error (f, "POST", "/apis/apps/v1/namespaces/default/deployments", JSON, DEPLOYMENT_JSON,
                409, "AlreadyExists", "deployments.apps \"web\" already exists");

  /* 422 with causes: every problem, with its field. */
  invalid = http (f, "POST", "/apis/apps/v1/namespaces/default/deployments", JSON,
                  "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":"
                  "\"bad\"},\"spec\":{\"replicas\":\"x\",\"selector\":{\"matchLabels\":{\"a\":"
                  "\"b\"}},\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{"
                  "\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"resources\":{\"requests\":{"
                  "\"cpu\":\"lots\"}}}]}}}}",
                  &status);
  g_assert_cmpuint (status, ==, 422);
  inv = json_from_string (invalid, NULL);
  g_assert_cmpstr (jstr (inv, "reason"), ==, "Invalid");
  g_assert_true (g_str_has_prefix (jstr (inv, "message"),
                                   "Deployment.apps \"bad\" is invalid: [spec.replicas: "));
  g_assert_cmpstr (jstr (inv, "details.name"), ==, "bad");
  g_assert_cmpstr (jstr (inv, "details.group"), ==, "apps");
  g_assert_cmpstr (jstr (inv, "details.kind"), ==, "Deployment");
  g_assert_cmpuint (jlen (inv, "details.causes"), ==, 2);
  g_assert_cmpstr (jstr (inv, "details.causes.0.field"), ==, "spec.replicas");
  g_assert_cmpstr (jstr (inv, "details.causes.0.reason"), ==, "FieldValueInvalid");
  g_assert_cmpstr (jstr (inv, "details.causes.1.field"), ==,
                   "spec.template.spec.containers[0].resources.requests.cpu");
  g_assert_nonnull (strstr (jstr (inv, "details.causes.1.message"), "lots"));
  /* One problem: no brackets.  A missing name: the store's Required value. */
  expect_error (f, "POST", "/api/v1/namespaces/default/pods", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"Bad_Name\"},"
                "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"b\"}]}}",
                422, "Invalid",
                "Pod \"Bad_Name\" is invalid: metadata.name: invalid name \"Bad_Name\": must be a "
                "lowercase RFC 1123 subdomain: at most 253 characters, lowercase letters, digits, "
                "'-' and '.', starting and ending with a letter or digit (e.g. \"example.com\")");

  /* 400 */
  expect_error (f, "POST", "/api/v1/namespaces/default/pods", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"q\","
                "\"namespace\":\"other\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":"
                "\"b\"}]}}",
                400, "BadRequest",
                "the namespace of the provided object does not match the namespace sent on the "
                "request");
  expect_error (f, "POST", "/api/v1/namespaces/default/pods", JSON,
                "{\"apiVersion\":\"apps/v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"q\"}}", 400,
                "BadRequest",
                "the API version in the data (apps/v1) does not match the expected API version "
                "(v1)");
  {
    g_autofree char *body
        = http (f, "POST", "/api/v1/namespaces/default/pods", JSON, "{not json", &status);
    g_autoptr (JsonNode) node = json_from_string (body, NULL);
    g_assert_cmpuint (status, ==, 400);
    g_assert_cmpstr (jstr (node, "reason"), ==, "BadRequest");
    g_assert_true (
        g_str_has_prefix (jstr (node, "message"), "couldn't get version/kind; json parse error: "));
  }
  expect_error (f, "PUT", "/api/v1/namespaces/default/pods/p", JSON, POD_JSON ("other", ""), 400,
                "BadRequest",
                "the name of the object (other) does not match the name on the URL (p)");
  expect_error (f, "GET", "/api/v1/namespaces/default/pods?labelSelector=a%20in%20(b", NULL, NULL,
                400, "BadRequest",
                "unable to parse requirement: found '', expected: '=', '!=', '==', 'in', 'notin', "
                "'>', '<' or a value");
  expect_error (f, "GET", "/api/v1/namespaces/default/pods?fieldSelector=spec.foo%3Dx", NULL, NULL,
                400, "BadRequest", "field label not supported: spec.foo");
  expect_error (f, "GET", "/api/v1/nodes?fieldSelector=spec.nodeName%3Dx", NULL, NULL, 400,
                "BadRequest", "field label not supported: spec.nodeName");
  expect_error (f, "GET", "/api/v1/namespaces/default/pods?limit=-3", NULL, NULL, 400, "BadRequest",
                "invalid value for limit: \"-3\": expected a non-negative integer");

  /* 405 */
  expect_error (f, "PUT", "/api/v1/namespaces/default/pods", JSON, "{}", 405, "MethodNotAllowed",
                "update is not supported on resources of kind \"pods\"");
  expect_error (f, "POST", "/api/v1/namespaces/default/pods/p", JSON, "{}", 405, "MethodNotAllowed",
                "create is not supported on resources of kind \"pods\"");
  expect_error (f, "GET", "/api/v1/namespaces/default/pods/p/binding", NULL, NULL, 405,
                "MethodNotAllowed", "get is not supported on resources of kind \"pods/binding\"");

  /* 415 */
  expect_error (f, "POST", "/api/v1/namespaces/default/pods", "text/plain", "x", 415,
                "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types "
                "include: application/json, application/yaml");
  expect_error (f, "PATCH", "/api/v1/namespaces/default/pods/p", JSON, "{}", 415,
                "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types "
                "include: application/json-patch+json, application/merge-patch+json, "
                "application/strategic-merge-patch+json");
}

static void
test_delete_options (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) rs = NULL;
  g_autofree char *owned = NULL;
  g_autofree char *wrong_uid = NULL;
  const KsKind *pod_kind = ks_kind_get (KS_KIND_POD);
  KsObject *pod;

  rs = http_json (f, "POST", "/apis/apps/v1/namespaces/default/replicasets", JSON,
                  "{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":{\"name\":"
                  "\"rs\"},\"spec\":{\"replicas\":1,\"selector\":{\"matchLabels\":{\"a\":\"b\"}},"
                  "\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":"
                  "[{\"name\":\"c\",\"image\":\"i\"}]}}}}",
                  201);
  owned = g_strdup_printf (
      "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"child\",\"labels\":{\"a\":"
      "\"b\"},\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":"
      "\"rs\",\"uid\":\"%s\",\"controller\":true}]},\"spec\":{\"containers\":[{\"name\":\"c\","
      "\"image\":\"i\"}]}}",
      jstr (rs, "metadata.uid"));
  g_autoptr (JsonNode) child
      = http_json (f, "POST", "/api/v1/namespaces/default/pods", JSON, owned, 201);
  g_assert_nonnull (jpath (child, "metadata.ownerReferences.0"));

  /* Invalid policy and a failed precondition change nothing. */
  expect_error (
      f, "DELETE", "/apis/apps/v1/namespaces/default/replicasets/rs", JSON,
      "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Later\"}", 422,
      "Invalid",
      "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: "
      "\"Later\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
  wrong_uid = g_strdup_printf (
      "Operation cannot be fulfilled on replicasets.apps \"rs\": Precondition failed: UID in "
      "precondition: 00000000-0000-4000-8000-000000000000, UID in object meta: %s",
      jstr (rs, "metadata.uid"));
  expect_error (f, "DELETE", "/apis/apps/v1/namespaces/default/replicasets/rs", JSON,
                "{\"preconditions\":{\"uid\":\"00000000-0000-4000-8000-000000000000\"}}", 409,
                "Conflict", wrong_uid);
  g_assert_nonnull (ks_store_get (f->store, ks_kind_get (KS_KIND_REPLICA_SET), "default", "rs"));

  /* Orphan: the owner goes, the dependent stays without its reference. */
  g_autoptr (JsonNode) gone = http_json (
      f, "DELETE", "/apis/apps/v1/namespaces/default/replicasets/rs", JSON,
      "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Orphan\"}", 200);
  g_assert_cmpstr (jstr (gone, "status"), ==, "Success");
  g_assert_null (ks_store_get (f->store, ks_kind_get (KS_KIND_REPLICA_SET), "default", "rs"));
  pod = ks_store_get (f->store, pod_kind, "default", "child");
  g_assert_nonnull (pod);
  g_assert_true (pod->meta.owner_refs == NULL || pod->meta.owner_refs->n == 0);

  /* Deleting a collection by label. */
  create_pod (f, "x1", NULL);
  create_pod (f, "x2", NULL);
  g_autoptr (JsonNode) dc = http_json (
      f, "DELETE", "/api/v1/namespaces/default/pods?labelSelector=a%3Db", NULL, NULL, 200);
  g_assert_cmpstr (jstr (dc, "kind"), ==, "PodList");
  g_assert_cmpuint (jlen (dc, "items"), ==, 1);
  g_assert_null (ks_store_get (f->store, pod_kind, "default", "child"));
  g_assert_nonnull (ks_store_get (f->store, pod_kind, "default", "x1"));
}

/* Lists: selectors and paging */

static void
test_list_selectors (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *query;
    const char *names;
  } cases[] = {
    { "labelSelector=app%3Dweb", "a,b" },
    { "labelSelector=app%3D%3Dweb,tier!%3Dfront", "b" },
    { "labelSelector=app%20in%20(web,db)", "a,b,c" },
    { "labelSelector=app%20notin%20(web)", "c,d" },
    { "labelSelector=!tier", "c,d" },
    { "labelSelector=tier", "a,b" },
    { "fieldSelector=metadata.name%3Dc", "c" },
    { "fieldSelector=spec.nodeName%3Dn1", "a,c" },
    { "fieldSelector=spec.nodeName%3D", "b,d" },
    { "fieldSelector=spec.nodeName!%3D,metadata.name!%3Da", "c" },
    { "fieldSelector=status.phase%3DPending", "a,b,c,d" },
    { "fieldSelector=status.phase%3DRunning", "" },
    { "fieldSelector=metadata.namespace%3Ddefault&labelSelector=app%3Ddb", "c" },
  };
  ks_test_create (f->store, ks_test_decode ("apiVersion: v1\nkind: Pod\nmetadata: {name: a, "
                                            "labels: {app: web, tier: front}}\nspec:\n  "
                                            "containers: [{name: c, image: i}]\n  nodeName: n1\n"));
  ks_test_create (f->store, ks_test_decode ("apiVersion: v1\nkind: Pod\nmetadata: {name: b, "
                                            "labels: {app: web, tier: back}}\nspec:\n  "
                                            "containers: [{name: c, image: i}]\n"));
  ks_test_create (f->store, ks_test_decode ("apiVersion: v1\nkind: Pod\nmetadata: {name: c, "
                                            "labels: {app: db}}\nspec:\n  containers: [{name: c, "
                                            "image: i}]\n  nodeName: n1\n"));
  ks_test_create (f->store, ks_test_decode ("apiVersion: v1\nkind: Pod\nmetadata: {name: d}\n"
                                            "spec:\n  containers: [{name: c, image: i}]\n"));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path
          = g_strdup_printf ("/api/v1/namespaces/default/pods?%s", cases[i].query);
      g_autoptr (JsonNode) list = get_json (f, path, 200);
      GString *names = g_string_new (NULL);
      for (guint j = 0; j < jlen (list, "items"); j++)
        {
          g_autofree char *p = g_strdup_printf ("items.%u.metadata.name", j);
          g_string_append_printf (names, "%s%s", j > 0 ? "," : "", jstr (list, p));
        }
      g_assert_cmpstr (names->str, ==, cases[i].names);
      g_string_free (names, TRUE);
    }
}

static void
test_list_paging (Fixture *f, gconstpointer data)
{
  GString *seen = g_string_new (NULL);
  g_autofree char *cont = NULL;
  guint pages = 0;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("p%u", i);
      create_pod (f, name, NULL);
    }
  do
    {
      g_autofree char *path = NULL;
      g_autoptr (JsonNode) list = NULL;
      g_autofree char *escaped = cont != NULL ? g_uri_escape_string (cont, NULL, FALSE) : NULL;
      path = g_strdup_printf ("/api/v1/namespaces/default/pods?limit=2%s%s",
                              cont != NULL ? "&continue=" : "", cont != NULL ? escaped : "");
      list = get_json (f, path, 200);
      for (guint j = 0; j < jlen (list, "items"); j++)
        {
          g_autofree char *p = g_strdup_printf ("items.%u.metadata.name", j);
          g_string_append_printf (seen, "%s ", jstr (list, p));
        }
      g_free (cont);
      cont = g_strdup (jstr (list, "metadata.continue"));
      if (cont != NULL)
        g_assert_cmpint (jint (list, "metadata.remainingItemCount"), ==, 5 - 2 * (pages + 1));
      pages++;
    }
  while (cont != NULL);
  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpstr (seen->str, ==, "p0 p1 p2 p3 p4 ");
  g_string_free (seen, TRUE);
  expect_error (f, "GET", "/api/v1/namespaces/default/pods?limit=2&continue=%25%25", NULL, NULL,
                400, "BadRequest",
                "continue key is not valid: expected a token from a previous list");
}

/* Watches */

typedef struct
{
  Fixture *f;
  SoupMessage *msg;
  GCancellable *cancellable;
  GDataInputStream *in;
  GPtrArray *events; /* "TYPE name rv" */
  GPtrArray *raw;    /* the lines */
  gboolean opened;
  gboolean eof;
} Watch;

static void watch_read (Watch *w);

static void
on_watch_line (GObject *source, GAsyncResult *result, gpointer data)
{
  Watch *w = data;
  g_autoptr (GError) error = NULL;
  gsize len;
  char *line
      = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result, &len, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (line == NULL)
    {
      w->eof = TRUE;
      return;
    }
  {
    g_autoptr (JsonNode) node = json_from_string (line, NULL);
    g_assert_nonnull (node);
    g_ptr_array_add (w->events,
                     g_strdup_printf ("%s %s %s", jstr (node, "type"),
                                      jstr (node, "object.metadata.name") != NULL
                                          ? jstr (node, "object.metadata.name")
                                          : "-",
                                      jstr (node, "object.metadata.resourceVersion") != NULL
                                          ? jstr (node, "object.metadata.resourceVersion")
                                          : "-"));
    g_ptr_array_add (w->raw, line);
  }
  watch_read (w);
}

static void
watch_read (Watch *w)
{
  g_data_input_stream_read_line_async (w->in, G_PRIORITY_DEFAULT, w->cancellable, on_watch_line, w);
}

static void
on_watch_open (GObject *source, GAsyncResult *result, gpointer data)
{
  Watch *w = data;
  g_autoptr (GError) error = NULL;
  GInputStream *stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);

  g_assert_no_error (error);
  w->in = g_data_input_stream_new (stream);
  g_object_unref (stream);
  w->opened = TRUE;
  watch_read (w);
}

static Watch *
watch_open (Fixture *f, const char *path)
{
  Watch *w = g_new0 (Watch, 1);
  g_autofree char *url = g_strconcat (f->base, path, NULL);

  w->f = f;
  w->events = g_ptr_array_new_with_free_func (g_free);
  w->raw = g_ptr_array_new_with_free_func (g_free);
  w->cancellable = g_cancellable_new ();
  w->msg = soup_message_new ("GET", url);
  soup_session_send_async (f->session, w->msg, G_PRIORITY_DEFAULT, w->cancellable, on_watch_open,
                           w);
  ks_test_wait_for (flag_set, &w->opened, path, TIMEOUT_MS);
  g_assert_cmpuint (soup_message_get_status (w->msg), ==, 200);
  g_assert_cmpstr (
      soup_message_headers_get_content_type (soup_message_get_response_headers (w->msg), NULL), ==,
      "application/json");
  return w;
}

typedef struct
{
  Watch *w;
  guint n;
} WaitEvents;

static gboolean
have_events (gpointer data)
{
  WaitEvents *we = data;
  return we->w->events->len >= we->n || we->w->eof;
}

static void
watch_wait (Watch *w, guint n)
{
  WaitEvents we = { w, n };
  ks_test_wait_for (have_events, &we, "watch events", TIMEOUT_MS);
  g_assert_cmpuint (w->events->len, >=, n);
}

static gboolean
watch_at_eof (gpointer data)
{
  return ((Watch *) data)->eof;
}

static char *
watch_joined (Watch *w)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < w->events->len; i++)
    g_string_append_printf (s, "%s%s", i > 0 ? "; " : "",
                            (char *) g_ptr_array_index (w->events, i));
  return g_string_free (s, FALSE);
}

static void
watch_close (Watch *w)
{
  g_cancellable_cancel (w->cancellable);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&w->in);
  g_object_unref (w->msg);
  g_object_unref (w->cancellable);
  g_ptr_array_unref (w->events);
  g_ptr_array_unref (w->raw);
  g_free (w);
}

static guint64
store_rv (Fixture *f)
{
  return ks_store_get_resource_version (f->store);
}

static void
test_watch (Fixture *f, gconstpointer data)
{
  g_autofree char *path = NULL;
  g_autofree char *joined = NULL;
  g_autofree char *want = NULL;
  g_autofree char *node_joined = NULL;
  g_autofree char *initial_joined = NULL;
  guint64 start;
  Watch *all, *node, *initial;

  create_pod (f, "before", NULL);
  start = store_rv (f);
  path = g_strdup_printf (
      "/api/v1/namespaces/default/pods?watch=true&resourceVersion=%" G_GUINT64_FORMAT, start);
  all = watch_open (f, path);
  node = watch_open (f, "/api/v1/pods?watch=1&fieldSelector=spec.nodeName%3Dn1");
  initial = watch_open (f, "/api/v1/namespaces/default/pods?watch=true");

  g_autoptr (JsonNode) p = http_json (f, "POST", "/api/v1/namespaces/default/pods", JSON,
                                      POD_JSON ("w", "\"app\":\"web\""), 201);
  g_autoptr (JsonNode) m
      = http_json (f, "PATCH", "/api/v1/namespaces/default/pods/w", "application/merge-patch+json",
                   "{\"metadata\":{\"labels\":{\"v\":\"2\"}}}", 200);
  g_autoptr (JsonNode) b = http_json (
      f, "POST", "/api/v1/namespaces/default/pods/w/binding", JSON,
      "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"w\"},\"target\":{"
      "\"name\":\"n1\"}}",
      201);
  g_autoptr (JsonNode) d = http_json (
      f, "DELETE", "/api/v1/namespaces/default/pods/w?gracePeriodSeconds=0", NULL, NULL, 200);
  watch_wait (all, 4);
  watch_wait (node, 2);
  watch_wait (initial, 5);
  joined = watch_joined (all);
  want = g_strdup_printf ("ADDED w %" G_GUINT64_FORMAT "; MODIFIED w %" G_GUINT64_FORMAT
                          "; MODIFIED w %" G_GUINT64_FORMAT "; DELETED w %" G_GUINT64_FORMAT,
                          start + 1, start + 2, start + 3, start + 4);
  g_assert_cmpstr (joined, ==, want);
  /* The node's watch sees the pod when it is bound to the node, as ADDED. */
  node_joined = watch_joined (node);
  g_clear_pointer (&want, g_free);
  want = g_strdup_printf ("ADDED w %" G_GUINT64_FORMAT "; DELETED w %" G_GUINT64_FORMAT, start + 3,
                          start + 4);
  g_assert_cmpstr (node_joined, ==, want);
  /* Without a version: the current state first. */
  initial_joined = watch_joined (initial);
  g_assert_true (g_str_has_prefix (initial_joined, "ADDED before "));
  g_assert_cmpuint (ks_api_server_get_n_watchers (f->server), ==, 3);
  watch_close (all);
  watch_close (node);
  watch_close (initial);
}

static void
test_watch_filters (Fixture *f, gconstpointer data)
{
  Watch *labelled, *named, *other_ns;
  g_autofree char *joined = NULL;

  ks_test_create (f->store, ks_test_decode ("apiVersion: v1\nkind: Namespace\n"
                                            "metadata: {name: other}\n"));
  labelled = watch_open (f, "/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Dweb");
  named = watch_open (f, "/api/v1/namespaces/default/pods/x?watch=true");
  other_ns = watch_open (f, "/api/v1/namespaces/other/pods?watch=true");
  create_pod (f, "x", NULL); /* no label: not for the label watch */
  {
    g_autoptr (JsonNode) m = http_json (f, "PATCH", "/api/v1/namespaces/default/pods/x",
                                        "application/merge-patch+json",
                                        "{\"metadata\":{\"labels\":{\"app\":\"web\"}}}", 200);
    g_autoptr (JsonNode) m2 = http_json (f, "PATCH", "/api/v1/namespaces/default/pods/x",
                                         "application/merge-patch+json",
                                         "{\"metadata\":{\"labels\":{\"app\":\"db\"}}}", 200);
  }
  create_pod (f, "other", NULL);
  watch_wait (labelled, 2);
  watch_wait (named, 3);
  joined = watch_joined (labelled);
  /* Matching from the first patch: ADDED; no longer after the second: DELETED, with the last
   * state that matched at the event's version. */
  g_assert_true (g_str_has_prefix (joined, "ADDED x "));
  g_assert_nonnull (strstr (joined, "; DELETED x "));
  g_assert_cmpuint (labelled->events->len, ==, 2);
  {
    g_autoptr (JsonNode) last = json_from_string (g_ptr_array_index (labelled->raw, 1), NULL);
    g_autofree char *rv = g_strdup_printf ("%" G_GUINT64_FORMAT, store_rv (f) - 1);
    g_assert_cmpstr (jstr (last, "object.metadata.labels.app"), ==, "web");
    g_assert_cmpstr (jstr (last, "object.metadata.resourceVersion"), ==, rv);
  }
  g_clear_pointer (&joined, g_free);
  joined = watch_joined (named);
  g_assert_true (g_str_has_prefix (joined, "ADDED x"));
  g_assert_null (strstr (joined, " other "));
  g_assert_cmpuint (other_ns->events->len, ==, 0);
  watch_close (labelled);
  watch_close (named);
  watch_close (other_ns);
}

static void
test_watch_resume_and_expired (Fixture *f, gconstpointer data)
{
  guint64 start = store_rv (f);
  g_autofree char *path = NULL;
  g_autofree char *joined = NULL;
  GString *want = g_string_new (NULL);
  Watch *resumed, *expired;

  /* The cache holds 4 events (the fixture's size); make 6. */
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *name = g_strdup_printf ("r%u", i);
      create_pod (f, name, NULL);
    }
  /* From start + 3: the last three. */
  path = g_strdup_printf (
      "/api/v1/namespaces/default/pods?watch=1&resourceVersion=%" G_GUINT64_FORMAT, start + 3);
  resumed = watch_open (f, path);
  watch_wait (resumed, 3);
  for (guint i = 3; i < 6; i++)
    g_string_append_printf (want, "%sADDED r%u %" G_GUINT64_FORMAT, i > 3 ? "; " : "", i,
                            start + i + 1);
  joined = watch_joined (resumed);
  g_assert_cmpstr (joined, ==, want->str);
  g_string_free (want, TRUE);

  /* From start + 1: evicted.  An ERROR event with a 410 Expired Status, then the end. */
  g_free (path);
  path = g_strdup_printf (
      "/api/v1/namespaces/default/pods?watch=1&resourceVersion=%" G_GUINT64_FORMAT, start + 1);
  expired = watch_open (f, path);
  watch_wait (expired, 1);
  ks_test_wait_for (watch_at_eof, expired, "the end of an expired watch", TIMEOUT_MS);
  {
    g_autoptr (JsonNode) e = json_from_string (g_ptr_array_index (expired->raw, 0), NULL);
    g_autofree char *message = g_strdup_printf ("too old resource version: %" G_GUINT64_FORMAT
                                                " (%" G_GUINT64_FORMAT ")",
                                                start + 1, start + 2);
    g_assert_cmpstr (jstr (e, "type"), ==, "ERROR");
    g_assert_cmpstr (jstr (e, "object.kind"), ==, "Status");
    g_assert_cmpstr (jstr (e, "object.status"), ==, "Failure");
    g_assert_cmpstr (jstr (e, "object.reason"), ==, "Expired");
    g_assert_cmpint (jint (e, "object.code"), ==, 410);
    g_assert_cmpstr (jstr (e, "object.message"), ==, message);
  }
  watch_close (resumed);
  watch_close (expired);

  /* A version from the future: Kubernetes' "Too large resource version". */
  g_free (path);
  path = g_strdup_printf (
      "/api/v1/namespaces/default/pods?watch=1&resourceVersion=%" G_GUINT64_FORMAT,
      store_rv (f) + 10);
  expired = watch_open (f, path);
  watch_wait (expired, 1);
  {
    g_autoptr (JsonNode) e = json_from_string (g_ptr_array_index (expired->raw, 0), NULL);
    g_assert_cmpstr (jstr (e, "type"), ==, "ERROR");
    g_assert_cmpint (jint (e, "object.code"), ==, 504);
    g_assert_cmpstr (jstr (e, "object.reason"), ==, "Timeout");
  }
  watch_close (expired);
}

static void wait_watchers (Fixture *f, guint n);

static void
test_watch_timeout_and_bookmarks (Fixture *f, gconstpointer data)
{
  gint64 t0 = g_get_monotonic_time ();
  Watch *w;

  ks_api_server_set_bookmark_interval (f->server, 100 * KS_USEC_PER_MSEC);
  w = watch_open (f, "/api/v1/namespaces/default/pods?watch=true&resourceVersion=1&"
                     "timeoutSeconds=1&allowWatchBookmarks=true");
  ks_test_wait_for (watch_at_eof, w, "the watch's timeout", TIMEOUT_MS);
  /* Ended by its timeout (1 s), not before; bookmarks meanwhile, the last at the end. */
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 900 * KS_USEC_PER_MSEC);
  g_assert_cmpuint (w->events->len, >=, 2);
  for (guint i = 0; i < w->events->len; i++)
    {
      g_autoptr (JsonNode) e = json_from_string (g_ptr_array_index (w->raw, i), NULL);
      g_autofree char *rv = g_strdup_printf ("%" G_GUINT64_FORMAT, store_rv (f));
      g_assert_cmpstr (jstr (e, "type"), ==, "BOOKMARK");
      g_assert_cmpstr (jstr (e, "object.kind"), ==, "Pod");
      g_assert_cmpstr (jstr (e, "object.metadata.resourceVersion"), ==, rv);
    }
  watch_close (w);
  /* The server lets the watcher go once its last write is done, which may come just after the
   * client saw the end. */
  wait_watchers (f, 0);
}

/* A raw HTTP connection that sends a watch request and then does what the test says. */
static GSocketConnection *
raw_watch (Fixture *f, const char *path, gsize rcvbuf)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
  GSocketConnection *conn;
  GSocket *socket;

  conn = g_socket_client_connect_to_host (client, "127.0.0.1", ks_api_server_get_port (f->server),
                                          NULL, &error);
  g_assert_no_error (error);
  socket = g_socket_connection_get_socket (conn);
  if (rcvbuf > 0)
    g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, (gint) rcvbuf, NULL);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), request,
                             strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  return conn;
}

static gboolean
watchers_are (gpointer data)
{
  gpointer *args = data;
  return ks_api_server_get_n_watchers (args[0]) == GPOINTER_TO_UINT (args[1]);
}

static void
wait_watchers (Fixture *f, guint n)
{
  gpointer args[2] = { f->server, GUINT_TO_POINTER (n) };
  ks_test_wait_for (watchers_are, args, "the number of watchers", TIMEOUT_MS);
}

static void
test_watch_slow_and_gone_clients (Fixture *f, gconstpointer data)
{
  g_autoptr (GSocketConnection) gone = NULL;
  g_autoptr (GSocketConnection) slow = NULL;
  g_autofree char *annotation = g_strnfill (64 * 1024, 'x');
  g_autoptr (JsonNode) after = NULL;

  /* A client that closes its connection: the server notices without an event to send. */
  gone = raw_watch (f, "/api/v1/namespaces/default/pods?watch=true", 0);
  wait_watchers (f, 1);
  g_io_stream_close (G_IO_STREAM (gone), NULL, NULL);
  wait_watchers (f, 0);

  /* A client that never reads: once more than the limit is waiting, it is dropped, and the
   * server goes on serving. */
  ks_api_server_set_watch_queue_limit (f->server, 256 * 1024);
  slow = raw_watch (f, "/api/v1/namespaces/default/pods?watch=true", 4096);
  wait_watchers (f, 1);
  for (guint i = 0; i < 400 && ks_api_server_get_n_watchers (f->server) > 0; i++)
    {
      g_autofree char *name = g_strdup_printf ("big%u", i);
      g_autoptr (KsObject) pod = ks_test_decode ("apiVersion: v1\nkind: Pod\nmetadata: {name: "
                                                 "tmp}\nspec:\n  containers: [{name: c, image: "
                                                 "i}]\n");
      g_free (pod->meta.name);
      pod->meta.name = g_strdup (name);
      ks_object_set_annotation (pod, "big", annotation);
      ks_test_create (f->store, g_steal_pointer (&pod));
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  wait_watchers (f, 0);
  after = get_json (f, "/api/v1/namespaces/default/pods?limit=1", 200);
  g_assert_cmpuint (jlen (after, "items"), ==, 1);
}

/* Patches through the API */

#define HPAS_V1 "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers"
#define HPAS_V2 "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers"

/* autoscaling/v1 HorizontalPodAutoscalers (what kubectl autoscale posts) as conversions of the
 * stored v2 object, both ways, as Kubernetes' conversion.go: discovery, POST, GET, list, PUT of
 * what GET gave (nothing lost: the annotations carry v2's other metrics and behavior), the
 * status's current metrics and conditions, DELETE and watch. */
static void
test_hpa_v1 (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) group = get_json (f, "/apis/autoscaling", 200);
  g_autoptr (JsonNode) v1 = get_json (f, "/apis/autoscaling/v1", 200);
  g_autoptr (JsonNode) made = NULL;
  g_autoptr (JsonNode) as_v2 = NULL;
  g_autoptr (JsonNode) multi = NULL;
  g_autoptr (JsonNode) multi_v1 = NULL;
  g_autoptr (JsonNode) put = NULL;
  g_autoptr (JsonNode) back = NULL;
  g_autoptr (JsonNode) status = NULL;
  g_autoptr (JsonNode) with_status = NULL;
  g_autoptr (JsonNode) list = NULL;
  g_autoptr (JsonNode) gone = NULL;
  g_autofree char *text = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *body = NULL;
  Watch *w;
  guint n_status = 0, code;

  /* Discovery: v2 preferred, v1 served too. */
  g_assert_cmpstr (jstr (group, "versions.0.groupVersion"), ==, "autoscaling/v2");
  g_assert_cmpstr (jstr (group, "versions.1.groupVersion"), ==, "autoscaling/v1");
  g_assert_cmpstr (jstr (group, "preferredVersion.version"), ==, "v2");
  g_assert_cmpstr (jstr (v1, "groupVersion"), ==, "autoscaling/v1");
  g_assert_true (lists_resource (v1, "horizontalpodautoscalers", "hpa"));
  for (guint i = 0; i < jlen (v1, "resources"); i++)
    {
      g_autofree char *path = g_strdup_printf ("resources.%u.name", i);
      n_status += g_strcmp0 (jstr (v1, path), "horizontalpodautoscalers/status") == 0;
    }
  g_assert_cmpuint (n_status, ==, 1);
  w = watch_open (f, "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers?watch=1");

  /* kubectl autoscale's body: stored as one cpu Utilization metric, no behavior. */
  made = http_json (f, "POST", HPAS_V1, JSON,
                    "{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"HorizontalPodAutoscaler\","
                    "\"metadata\":{\"name\":\"web\"},\"spec\":{\"scaleTargetRef\":{\"apiVersion\":"
                    "\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"web\"},\"maxReplicas\":5,"
                    "\"targetCPUUtilizationPercentage\":50}}",
                    201);
  g_assert_cmpstr (jstr (made, "apiVersion"), ==, "autoscaling/v1");
  g_assert_cmpint (jint (made, "spec.targetCPUUtilizationPercentage"), ==, 50);
  g_assert_cmpint (jint (made, "spec.minReplicas"), ==, 1);
  g_assert_null (jpath (made, "metadata.annotations"));
  as_v2 = get_json (f, HPAS_V2 "/web", 200);
  g_assert_cmpstr (jstr (as_v2, "spec.metrics.0.resource.name"), ==, "cpu");
  g_assert_cmpint (jint (as_v2, "spec.metrics.0.resource.target.averageUtilization"), ==, 50);
  g_assert_cmpuint (jlen (as_v2, "spec.metrics"), ==, 1);
  g_assert_null (jpath (as_v2, "spec.behavior"));
  /* Without a target: cpu at 80 %. */
  g_clear_pointer (&made, json_node_unref);
  made = http_json (f, "POST", HPAS_V1, JSON,
                    "{\"metadata\":{\"name\":\"dflt\"},\"spec\":{\"scaleTargetRef\":{\"kind\":"
                    "\"Deployment\",\"name\":\"web\"},\"maxReplicas\":3}}",
                    201);
  g_assert_cmpint (jint (made, "spec.targetCPUUtilizationPercentage"), ==, 80);

  /* A v2 HPA with more than v1 can say: the rest goes to annotations, in Go's JSON. */
  multi = http_json (
      f, "POST", HPAS_V2, JSON,
      "{\"apiVersion\":\"autoscaling/v2\",\"kind\":\"HorizontalPodAutoscaler\",\"metadata\":{"
      "\"name\":\"multi\"},\"spec\":{\"scaleTargetRef\":{\"apiVersion\":\"apps/v1\",\"kind\":"
      "\"Deployment\",\"name\":\"web\"},\"maxReplicas\":9,\"metrics\":[{\"type\":\"Resource\","
      "\"resource\":{\"name\":\"memory\",\"target\":{\"type\":\"AverageValue\",\"averageValue\":"
      "\"200Mi\"}}},{\"type\":\"Pods\",\"pods\":{\"metric\":{\"name\":\"rps\"},\"target\":{"
      "\"type\":\"AverageValue\",\"averageValue\":\"10\"}}},{\"type\":\"Resource\",\"resource\":{"
      "\"name\":\"cpu\",\"target\":{\"type\":\"Utilization\",\"averageUtilization\":60}}}],"
      "\"behavior\":{\"scaleDown\":{\"stabilizationWindowSeconds\":60,\"policies\":[{\"type\":"
      "\"Pods\",\"value\":1,\"periodSeconds\":30}]}}}}",
      201);
  multi_v1 = get_json (f, HPAS_V1 "/multi", 200);
  g_assert_cmpint (jint (multi_v1, "spec.targetCPUUtilizationPercentage"), ==, 60);
  {
    JsonObject *ann = json_node_get_object (jpath (multi_v1, "metadata.annotations"));
    /* (The quantity as the stored object spells it: v2 shows the same.) */
    g_autofree char *want = g_strdup_printf (
        "[{\"type\":\"Resource\",\"resource\":{\"name\":\"memory\",\"targetAverageValue\":"
        "\"%s\"}},{\"type\":\"Pods\",\"pods\":{\"metricName\":\"rps\","
        "\"targetAverageValue\":\"10\"}}]",
        jstr (multi, "spec.metrics.0.resource.target.averageValue"));
    g_assert_cmpstr (json_object_get_string_member (ann, "autoscaling.alpha.kubernetes.io/metrics"),
                     ==, want);
    g_assert_cmpstr (
        json_object_get_string_member (ann, "autoscaling.alpha.kubernetes.io/behavior"), ==,
        "{\"ScaleUp\":{\"StabilizationWindowSeconds\":0,\"SelectPolicy\":\"Max\",\"Policies\":[{"
        "\"Type\":\"Pods\",\"Value\":4,\"PeriodSeconds\":15},{\"Type\":\"Percent\",\"Value\":100,"
        "\"PeriodSeconds\":15}]},\"ScaleDown\":{\"StabilizationWindowSeconds\":60,"
        "\"SelectPolicy\":\"Max\",\"Policies\":[{\"Type\":\"Pods\",\"Value\":1,\"PeriodSeconds\":"
        "30}]}}");
  }
  /* kubectl edit: the v1 object back with one change (maxReplicas 9 → 7); nothing is lost. */
  text = json_to_string (multi_v1, FALSE);
  {
    g_auto (GStrv) parts = g_strsplit (text, "\"maxReplicas\":9", 2);
    g_assert_nonnull (parts[1]);
    edited = g_strjoinv ("\"maxReplicas\":7", parts);
  }
  put = http_json (f, "PUT", HPAS_V1 "/multi", JSON, edited, 200);
  g_assert_cmpstr (jstr (put, "apiVersion"), ==, "autoscaling/v1");
  g_assert_cmpint (jint (put, "spec.maxReplicas"), ==, 7);
  back = get_json (f, HPAS_V2 "/multi", 200);
  g_assert_cmpint (jint (back, "spec.maxReplicas"), ==, 7);
  g_assert_cmpuint (jlen (back, "spec.metrics"), ==, 3);
  g_assert_cmpstr (jstr (back, "spec.metrics.0.resource.name"), ==, "memory");
  g_assert_cmpstr (jstr (back, "spec.metrics.0.resource.target.averageValue"), ==,
                   jstr (multi, "spec.metrics.0.resource.target.averageValue"));
  g_assert_cmpstr (jstr (back, "spec.metrics.1.pods.metric.name"), ==, "rps");
  g_assert_cmpint (jint (back, "spec.metrics.2.resource.target.averageUtilization"), ==, 60);
  g_assert_cmpint (jint (back, "spec.behavior.scaleDown.stabilizationWindowSeconds"), ==, 60);
  g_assert_cmpint (jint (back, "spec.behavior.scaleDown.policies.0.periodSeconds"), ==, 30);
  g_assert_null (jpath (back, "metadata.annotations"));
  g_assert_cmpint (jint (back, "metadata.generation"), ==, 2);

  /* The status: currentCPUUtilizationPercentage, and every current metric and condition in
   * annotations. */
  status = http_json (
      f, "PUT", HPAS_V2 "/multi/status", JSON,
      "{\"apiVersion\":\"autoscaling/v2\",\"kind\":\"HorizontalPodAutoscaler\",\"metadata\":{"
      "\"name\":\"multi\"},\"spec\":{\"scaleTargetRef\":{\"kind\":\"Deployment\",\"name\":"
      "\"web\"},\"maxReplicas\":7},\"status\":{\"observedGeneration\":2,\"currentReplicas\":2,"
      "\"desiredReplicas\":3,\"currentMetrics\":[{\"type\":\"Resource\",\"resource\":{\"name\":"
      "\"cpu\",\"current\":{\"averageUtilization\":70,\"averageValue\":\"70m\"}}}],"
      "\"conditions\":[{\"type\":\"AbleToScale\",\"status\":\"True\",\"lastTransitionTime\":"
      "\"2024-01-01T00:00:00Z\",\"reason\":\"SucceededRescale\",\"message\":\"ok\"}]}}",
      200);
  with_status = get_json (f, HPAS_V1 "/multi", 200);
  g_assert_cmpint (jint (with_status, "status.currentCPUUtilizationPercentage"), ==, 70);
  g_assert_cmpint (jint (with_status, "status.observedGeneration"), ==, 2);
  g_assert_cmpint (jint (with_status, "status.desiredReplicas"), ==, 3);
  {
    JsonObject *ann = json_node_get_object (jpath (with_status, "metadata.annotations"));
    g_assert_cmpstr (
        json_object_get_string_member (ann, "autoscaling.alpha.kubernetes.io/current-metrics"), ==,
        "[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"currentAverageUtilization\":70,"
        "\"currentAverageValue\":\"70m\"}}]");
    g_assert_cmpstr (
        json_object_get_string_member (ann, "autoscaling.alpha.kubernetes.io/conditions"), ==,
        "[{\"type\":\"AbleToScale\",\"status\":\"True\",\"lastTransitionTime\":"
        "\"2024-01-01T00:00:00Z\",\"reason\":\"SucceededRescale\",\"message\":\"ok\"}]");
  }

  /* A list in v1; a bad annotation is refused; DELETE. */
  list = get_json (f, HPAS_V1, 200);
  g_assert_cmpstr (jstr (list, "kind"), ==, "HorizontalPodAutoscalerList");
  g_assert_cmpstr (jstr (list, "apiVersion"), ==, "autoscaling/v1");
  g_assert_cmpuint (jlen (list, "items"), ==, 3);
  g_assert_cmpstr (jstr (list, "items.2.apiVersion"), ==, "autoscaling/v1");
  body = http (f, "POST", HPAS_V1, JSON,
               "{\"metadata\":{\"name\":\"bad\",\"annotations\":{\"autoscaling.alpha.kubernetes."
               "io/metrics\":\"{not json\"}},\"spec\":{\"scaleTargetRef\":{\"kind\":"
               "\"Deployment\",\"name\":\"web\"},\"maxReplicas\":3}}",
               &code);
  g_assert_cmpuint (code, ==, 422);
  g_assert_nonnull (strstr (body, "autoscaling.alpha.kubernetes.io/metrics"));
  gone = http_json (f, "DELETE", HPAS_V1 "/dflt", NULL, NULL, 200);
  g_assert_cmpstr (jstr (gone, "kind"), ==, "Status");

  /* The watch saw every change in v1. */
  watch_wait (w, 6);
  for (guint i = 0; i < w->raw->len; i++)
    {
      g_autoptr (JsonNode) e = json_from_string (g_ptr_array_index (w->raw, i), NULL);
      g_assert_cmpstr (jstr (e, "object.apiVersion"), ==, "autoscaling/v1");
    }
  g_assert_true (g_str_has_prefix (g_ptr_array_index (w->events, 5), "DELETED dflt "));
  watch_close (w);
}

static void
test_patch (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) d = http_json (f, "POST", "/apis/apps/v1/namespaces/default/deployments",
                                      JSON, DEPLOYMENT_JSON, 201);
  const char *path = "/apis/apps/v1/namespaces/default/deployments/web";
  g_autoptr (JsonNode) smp = NULL;
  g_autoptr (JsonNode) del = NULL;
  g_autoptr (JsonNode) jp = NULL;
  g_autoptr (JsonNode) merge = NULL;
  KsDeployment *dep;

  /* Strategic: containers merge by name (b untouched, a's env merged by name), with the order
   * kubectl apply sends. */
  smp = http_json (
      f, "PATCH", path, "application/strategic-merge-patch+json",
      "{\"metadata\":{\"annotations\":{\"note\":\"x\"}},\"spec\":{\"template\":{\"spec\":{"
      "\"$setElementOrder/containers\":[{\"name\":\"a\"},{\"name\":\"b\"}],\"containers\":[{"
      "\"name\":\"a\",\"image\":\"nginx:1.27\",\"env\":[{\"name\":\"Y\",\"value\":\"2\"}]}]}}}}",
      200);
  g_assert_cmpstr (jstr (smp, "spec.template.spec.containers.0.name"), ==, "a");
  g_assert_cmpstr (jstr (smp, "spec.template.spec.containers.0.image"), ==, "nginx:1.27");
  g_assert_cmpuint (jlen (smp, "spec.template.spec.containers.0.env"), ==, 2);
  g_assert_cmpstr (jstr (smp, "spec.template.spec.containers.1.image"), ==, "busybox");
  g_assert_cmpstr (jstr (smp, "metadata.annotations.note"), ==, "x");
  g_assert_cmpint (jint (smp, "metadata.generation"), ==, 2);
  dep = KS_DEPLOYMENT (ks_store_get (f->store, ks_kind_get (KS_KIND_DEPLOYMENT), "default", "web"));
  g_assert_cmpstr (dep->template.spec->containers[0].image, ==, "nginx:1.27");

  /* $patch: delete removes one container. */
  del = http_json (f, "PATCH", path, "application/strategic-merge-patch+json",
                   "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"b\","
                   "\"$patch\":\"delete\"}]}}}}",
                   200);
  g_assert_cmpuint (jlen (del, "spec.template.spec.containers"), ==, 1);
  g_assert_cmpstr (jstr (del, "spec.template.spec.containers.0.name"), ==, "a");

  /* A merge patch replaces lists. */
  merge = http_json (f, "PATCH", path, "application/merge-patch+json",
                     "{\"spec\":{\"replicas\":5,\"template\":{\"spec\":{\"containers\":[{\"name\":"
                     "\"z\",\"image\":\"i\"}]}}},\"metadata\":{\"annotations\":{\"note\":null}}}",
                     200);
  g_assert_cmpint (jint (merge, "spec.replicas"), ==, 5);
  g_assert_cmpstr (jstr (merge, "spec.template.spec.containers.0.name"), ==, "z");
  g_assert_null (jpath (merge, "metadata.annotations.note"));

  /* JSON patch, as rollout undo sends it. */
  jp = http_json (f, "PATCH", path, "application/json-patch+json",
                  "[{\"op\":\"test\",\"path\":\"/spec/replicas\",\"value\":5},"
                  "{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\","
                  "\"value\":\"j\"},{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{"
                  "\"k\":\"v\"}}]",
                  200);
  g_assert_cmpstr (jstr (jp, "spec.template.spec.containers.0.image"), ==, "j");
  g_assert_cmpstr (jstr (jp, "metadata.labels.k"), ==, "v");

  /* A failing test op: 422; a malformed patch: 400; a name change: 400; a stale
   * resourceVersion in the patch: 409. */
  expect_error (f, "PATCH", path, "application/json-patch+json",
                "[{\"op\":\"test\",\"path\":\"/spec/replicas\",\"value\":6}]", 422, "Invalid",
                "testing value /spec/replicas failed");
  expect_error (f, "PATCH", path, "application/json-patch+json", "{\"op\":\"add\"}", 400,
                "BadRequest", "a json patch must be a list of operations");
  expect_error (f, "PATCH", path, "application/merge-patch+json", "[1]", 400, "BadRequest",
                "a merge patch must be a mapping");
  expect_error (f, "PATCH", path, "application/merge-patch+json", "{\"metadata\":{\"name\":\"x\"}}",
                400, "BadRequest",
                "the name of the object (x) does not match the name on the URL (web)");
  expect_error (f, "PATCH", path, "application/merge-patch+json",
                "{\"metadata\":{\"resourceVersion\":\"1\"}}", 409, "Conflict",
                "Operation cannot be fulfilled on deployments.apps \"web\": the object has been "
                "modified; please apply your changes to the latest version and try again");
  expect_error (f, "PATCH", path, "application/merge-patch+json", "{\"spec\":{\"replicas\":\"x\"}}",
                422, "Invalid",
                "Deployment.apps \"web\" is invalid: spec.replicas: expected an integer, got a "
                "string");
}

static void
test_status_subresource (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) pod = http_json (f, "POST", "/api/v1/namespaces/default/pods", JSON,
                                        POD_JSON ("s", "\"app\":\"web\""), 201);
  g_autoptr (JsonNode) put = NULL;
  g_autoptr (JsonNode) main_put = NULL;
  g_autofree char *body = NULL;
  JsonObject *o = json_node_get_object (pod);
  KsObject *stored;

  /* PUT /status with a changed status, label and image: the status and (a pod's, as Kubernetes
   * lets the kubelet write them) labels are taken, the spec is not. */
  json_object_set_string_member (json_object_get_object_member (o, "status"), "phase", "Running");
  json_object_set_string_member (
      json_object_get_object_member (json_object_get_object_member (o, "metadata"), "labels"),
      "app", "changed");
  json_object_set_string_member (json_node_get_object (jpath (pod, "spec.containers.0")), "image",
                                 "other");
  body = json_to_string (pod, FALSE);
  put = http_json (f, "PUT", "/api/v1/namespaces/default/pods/s/status", JSON, body, 200);
  g_assert_cmpstr (jstr (put, "metadata.labels.app"), ==, "changed");
  g_assert_cmpstr (jstr (put, "spec.containers.0.image"), ==, "busybox");
  stored = ks_store_get (f->store, ks_kind_get (KS_KIND_POD), "default", "s");
  g_assert_cmpstr (KS_POD (stored)->spec->containers[0].image, ==, "busybox");
  /* The same body again: its resourceVersion is stale now. */
  expect_error (f, "PUT", "/api/v1/namespaces/default/pods/s/status", JSON, body, 409, "Conflict",
                "Operation cannot be fulfilled on pods \"s\": the object has been modified; please "
                "apply your changes to the latest version and try again");
  g_assert_cmpstr (jstr (put, "status.phase"), ==, "Running");
  g_assert_cmpint (KS_POD (stored)->phase, ==, KS_POD_RUNNING);
  /* A create drops status, but a Node's (the kubelet registers it with its status). */
  {
    g_autoptr (JsonNode) running = http_json (
        f, "POST", "/api/v1/namespaces/default/pods", JSON,
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"r\"},\"spec\":{"
        "\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]},\"status\":{\"phase\":\"Running\"}}",
        201);
    g_autoptr (JsonNode) node = http_json (
        f, "POST", "/api/v1/nodes", JSON,
        "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"reg\",\"uid\":"
        "\"00000000-0000-4000-8000-000000000001\"},\"status\":{\"capacity\":{\"cpu\":\"4\"},"
        "\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":10250}}}}",
        201);
    g_assert_cmpstr (jstr (running, "status.phase"), ==, "Pending");
    g_assert_cmpint (jint (node, "status.daemonEndpoints.kubeletEndpoint.Port"), ==, 10250);
    g_assert_cmpstr (jstr (node, "status.capacity.cpu"), ==, "4");
    /* Server metadata is the server's. */
    g_assert_cmpstr (jstr (node, "metadata.uid"), !=, "00000000-0000-4000-8000-000000000001");
  }
  /* PUT of the main resource ignores status; PATCH /status changes it. */
  {
    g_autoptr (JsonNode) cur = get_json (f, "/api/v1/namespaces/default/pods/s", 200);
    g_autofree char *text = NULL;
    JsonObject *c = json_node_get_object (cur);
    json_object_set_string_member (json_object_get_object_member (c, "status"), "phase", "Failed");
    text = json_to_string (cur, FALSE);
    main_put = http_json (f, "PUT", "/api/v1/namespaces/default/pods/s", JSON, text, 200);
    g_assert_cmpstr (jstr (main_put, "status.phase"), ==, "Running");
  }
  {
    g_autoptr (JsonNode) patched
        = http_json (f, "PATCH", "/api/v1/namespaces/default/pods/s/status",
                     "application/merge-patch+json", "{\"status\":{\"phase\":\"Succeeded\"}}", 200);
    g_assert_cmpstr (jstr (patched, "status.phase"), ==, "Succeeded");
  }
}

static void
test_scale (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) d = http_json (f, "POST", "/apis/apps/v1/namespaces/default/deployments",
                                      JSON, DEPLOYMENT_JSON, 201);
  const char *path = "/apis/apps/v1/namespaces/default/deployments/web/scale";
  g_autoptr (JsonNode) scale = get_json (f, path, 200);
  g_autoptr (JsonNode) put = NULL;
  g_autoptr (JsonNode) patched = NULL;
  g_autofree char *body = NULL;
  g_autofree char *stale = NULL;
  KsDeployment *dep;

  g_assert_cmpstr (jstr (scale, "kind"), ==, "Scale");
  g_assert_cmpstr (jstr (scale, "apiVersion"), ==, "autoscaling/v1");
  g_assert_cmpstr (jstr (scale, "metadata.name"), ==, "web");
  g_assert_cmpstr (jstr (scale, "metadata.namespace"), ==, "default");
  g_assert_cmpstr (jstr (scale, "metadata.uid"), ==, jstr (d, "metadata.uid"));
  g_assert_cmpint (jint (scale, "spec.replicas"), ==, 2);
  g_assert_cmpint (jint (scale, "status.replicas"), ==, 0);
  g_assert_cmpstr (jstr (scale, "status.selector"), ==, "app=web");

  /* PUT, as kubectl scale with preconditions does; its version then is stale. */
  json_object_set_int_member (json_object_get_object_member (json_node_get_object (scale), "spec"),
                              "replicas", 4);
  body = json_to_string (scale, FALSE);
  put = http_json (f, "PUT", path, JSON, body, 200);
  g_assert_cmpint (jint (put, "spec.replicas"), ==, 4);
  dep = KS_DEPLOYMENT (ks_store_get (f->store, ks_kind_get (KS_KIND_DEPLOYMENT), "default", "web"));
  g_assert_cmpint (dep->replicas, ==, 4);
  expect_error (f, "PUT", path, JSON, body, 409, "Conflict",
                "Operation cannot be fulfilled on deployments.apps \"web\": the object has been "
                "modified; please apply your changes to the latest version and try again");

  /* PATCH, as kubectl scale without preconditions does. */
  patched = http_json (f, "PATCH", path, "application/merge-patch+json",
                       "{\"spec\":{\"replicas\":7}}", 200);
  g_assert_cmpint (jint (patched, "spec.replicas"), ==, 7);
  dep = KS_DEPLOYMENT (ks_store_get (f->store, ks_kind_get (KS_KIND_DEPLOYMENT), "default", "web"));
  g_assert_cmpint (dep->replicas, ==, 7);
  expect_error (f, "PATCH", path, "application/merge-patch+json", "{\"spec\":{\"replicas\":-1}}",
                422, "Invalid",
                "Scale.autoscaling \"web\" is invalid: spec.replicas: Invalid value: -1: must be "
                "greater than or equal to 0");
  expect_error (f, "GET", "/apis/apps/v1/namespaces/default/replicasets/nope/scale", NULL, NULL,
                404, "NotFound", "replicasets.apps \"nope\" not found");
  stale = http (f, "GET", "/api/v1/namespaces/default/pods/x/scale", NULL, NULL, &(guint){ 0 });
  assert_status (stale, 404, "NotFound", "the server could not find the requested resource");
}

static void
test_binding (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) pod
      = http_json (f, "POST", "/api/v1/namespaces/default/pods", JSON, POD_JSON ("b", ""), 201);
  g_autofree char *created = NULL;
  g_autofree char *wrong_uid = NULL;
  guint status;
  KsObject *stored;

  expect_error (f, "POST", "/api/v1/namespaces/default/pods/b/binding", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"other\"},"
                "\"target\":{\"name\":\"n1\"}}",
                400, "BadRequest", "name in URL does not match name in Binding object");
  expect_error (f, "POST", "/api/v1/namespaces/default/pods/b/binding", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"b\"}}", 422,
                "Invalid", "Binding \"b\" is invalid: target.name: Required value");
  wrong_uid = g_strdup_printf ("{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":"
                               "\"b\",\"uid\":\"%s\"},\"target\":{\"name\":\"n1\"}}",
                               "00000000-0000-4000-8000-000000000000");
  expect_error (f, "POST", "/api/v1/namespaces/default/pods/b/binding", JSON, wrong_uid, 404,
                "NotFound", "pods \"b\" not found");
  created = http (f, "POST", "/api/v1/namespaces/default/pods/b/binding", JSON,
                  "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"b\"},"
                  "\"target\":{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"name\":\"n1\"}}",
                  &status);
  g_assert_cmpuint (status, ==, 201);
  g_assert_cmpstr (created, ==,
                   "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
                   "\"Success\",\"code\":201}");
  stored = ks_store_get (f->store, ks_kind_get (KS_KIND_POD), "default", "b");
  g_assert_cmpstr (KS_POD (stored)->node_name, ==, "n1");
  expect_error (f, "POST", "/api/v1/namespaces/default/pods/b/binding", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"b\"},"
                "\"target\":{\"name\":\"n2\"}}",
                409, "Conflict",
                "Operation cannot be fulfilled on pods/binding \"b\": pod b is already assigned "
                "to node \"n1\"");
  expect_error (f, "POST", "/api/v1/namespaces/default/pods/nope/binding", JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"nope\"},"
                "\"target\":{\"name\":\"n2\"}}",
                404, "NotFound", "pods \"nope\" not found");
}

/* pods/log: a fake node agent serves /containerLogs/... */

typedef struct
{
  GString *requests;
  GSocket *stream_socket; /* the connection of the endless stream */
} Agent;

/* Has the client of the endless stream (the API server's proxy) closed its connection? */
static gboolean
agent_stream_closed (gpointer data)
{
  Agent *a = data;
  char c;

  return a->stream_socket != NULL
         && recv (g_socket_get_fd (a->stream_socket), &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

static void
agent_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
               gpointer data)
{
  Agent *a = data;
  const char *follow = query != NULL ? g_hash_table_lookup (query, "follow") : NULL;
  const char *tail = query != NULL ? g_hash_table_lookup (query, "tailLines") : NULL;

  g_string_append_printf (a->requests, "%s follow=%s tailLines=%s\n", path,
                          follow != NULL ? follow : "-", tail != NULL ? tail : "-");
  if (g_str_has_suffix (path, "/forever"))
    {
      /* follow=true on a running container: a stream that does not end by itself. */
      SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
      soup_server_message_set_status (msg, 200, NULL);
      soup_message_headers_set_content_type (h, "text/plain", NULL);
      soup_message_headers_set_encoding (h, SOUP_ENCODING_CHUNKED);
      soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_COPY,
                                "tick\n", 5);
      g_set_object (&a->stream_socket, soup_server_message_get_socket (msg));
      return;
    }
  if (g_str_has_suffix (path, "/waiting"))
    {
      const char *status = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
                           "\"Failure\",\"message\":\"container \\\"waiting\\\" in pod \\\"l\\\" "
                           "is waiting to start: ContainerCreating\",\"reason\":\"BadRequest\","
                           "\"code\":400}";
      soup_server_message_set_status (msg, 400, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, status,
                                        strlen (status));
      return;
    }
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY, "line 1\nline 2\n", 14);
}

typedef struct
{
  gboolean done;
  GInputStream *stream;
  GError *error;
  GBytes *bytes;
} StreamOpen;

static void
on_stream_open (GObject *source, GAsyncResult *result, gpointer data)
{
  StreamOpen *o = data;
  o->stream = soup_session_send_finish (SOUP_SESSION (source), result, &o->error);
  o->done = TRUE;
}

static void
on_stream_read (GObject *source, GAsyncResult *result, gpointer data)
{
  StreamOpen *o = data;
  o->bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &o->error);
  o->done = TRUE;
}

/* The next bytes of a response stream (the loop runs meanwhile). */
static GBytes *
read_some (GInputStream *stream)
{
  StreamOpen o = { 0 };

  g_input_stream_read_bytes_async (stream, 4096, G_PRIORITY_DEFAULT, NULL, on_stream_read, &o);
  ks_test_wait_for (flag_set, &o.done, "response bytes", TIMEOUT_MS);
  g_assert_no_error (o.error);
  return o.bytes;
}

/* A Node whose agent listens on port (status.daemonEndpoints.kubeletEndpoint.Port). */
static KsObject *
node_with_port (guint port)
{
  g_autofree char *json = g_strdup_printf (
      "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\"},\"status\":{"
      "\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":%u}}}}",
      port);
  g_autoptr (JsonNode) node = json_from_string (json, NULL);
  g_autoptr (KsDiag) diag = ks_diag_new ();
  g_autoptr (JsonNode) back = NULL;
  KsDecoder dec;
  KsObject *obj;

  ks_decoder_init (&dec, NULL, diag);
  dec.mode = KS_DECODE_STORED;
  dec.epoch = 0;
  obj = ks_object_decode (&dec, node, NULL);
  ks_decoder_clear (&dec);
  g_assert_nonnull (obj);
  back = ks_object_encode (obj, 0);
  g_assert_cmpint (jint (back, "status.daemonEndpoints.kubeletEndpoint.Port"), ==, port);
  return obj;
}

static void
test_log (Fixture *f, gconstpointer data)
{
  g_autofree char *empty = NULL;
  g_autofree char *type = NULL;
  g_autofree char *text = NULL;
  g_autoptr (SoupServer) agent_server = NULL;
  g_autoptr (GError) error = NULL;
  Agent agent = { g_string_new (NULL) };
  KsObject *node;
  guint status;
  GSList *uris;
  guint port;

  ks_test_create (f->store, ks_test_decode ("apiVersion: v1\nkind: Pod\nmetadata: {name: l}\n"
                                            "spec:\n  containers: [{name: main, image: i}, "
                                            "{name: waiting, image: i}, {name: forever, image: "
                                            "i}]\n  initContainers: "
                                            "[{name: init, image: i}]\n"));
  create_pod (f, "one", NULL);
  expect_error (f, "GET", "/api/v1/namespaces/default/pods/l/log", NULL, NULL, 400, "BadRequest",
                "a container name must be specified for pod l, choose one of: [init main "
                "waiting forever]");
  expect_error (f, "GET", "/api/v1/namespaces/default/pods/l/log?container=x", NULL, NULL, 400,
                "BadRequest", "container x is not valid for pod l");
  expect_error (f, "GET", "/api/v1/namespaces/default/pods/none/log", NULL, NULL, 404, "NotFound",
                "pods \"none\" not found");
  /* Not scheduled: an empty log, as Kubernetes answers. */
  empty
      = http_full (f, "GET", "/api/v1/namespaces/default/pods/one/log", NULL, NULL, &status, &type);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (empty, ==, "");
  g_assert_cmpstr (type, ==, "text/plain");
  /* Bound to a node that does not exist, then to one without a port. */
  g_assert_true (ks_store_bind (f->store, "default", "l", NULL, "n1", NULL));
  expect_error (f, "GET", "/api/v1/namespaces/default/pods/l/log?container=main", NULL, NULL, 404,
                "NotFound", "nodes \"n1\" not found");
  ks_test_create (f->store, ks_test_decode ("apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n"));
  expect_error (f, "GET", "/api/v1/namespaces/default/pods/l/log?container=main", NULL, NULL, 500,
                "InternalError",
                "Internal error occurred: node \"n1\" has no kubelet port "
                "(status.daemonEndpoints.kubeletEndpoint.Port)");

  agent_server = soup_server_new (NULL, NULL);
  soup_server_add_handler (agent_server, "/containerLogs", agent_handler, &agent, NULL);
  g_assert_true (soup_server_listen_local (agent_server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (agent_server);
  port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  node = node_with_port (port);
  {
    KsObject *current = ks_store_get (f->store, ks_kind_get (KS_KIND_NODE), NULL, "n1");
    node->meta.resource_version = current->meta.resource_version;
    g_assert_nonnull (ks_store_update (f->store, node, TRUE, NULL));
    ks_object_unref (node);
  }
  g_clear_pointer (&type, g_free);
  text = http_full (f, "GET",
                    "/api/v1/namespaces/default/pods/l/log?container=main&follow=true&tailLines=5",
                    NULL, NULL, &status, &type);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (text, ==, "line 1\nline 2\n");
  g_assert_cmpstr (type, ==, "text/plain");
  g_assert_cmpstr (agent.requests->str, ==,
                   "/containerLogs/default/l/main follow=true tailLines=5\n");
  /* The agent's errors pass through. */
  expect_error (f, "GET", "/api/v1/namespaces/default/pods/l/log?container=waiting", NULL, NULL,
                400, "BadRequest",
                "container \"waiting\" in pod \"l\" is waiting to start: ContainerCreating");
  /* A follower that goes away: the server drops its request to the agent too. */
  {
    g_autofree char *url = g_strconcat (
        f->base, "/api/v1/namespaces/default/pods/l/log?container=forever&follow=true", NULL);
    g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
    StreamOpen open = { 0 };
    g_autoptr (GBytes) first = NULL;

    soup_session_send_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, on_stream_open, &open);
    ks_test_wait_for (flag_set, &open.done, "the log stream", TIMEOUT_MS);
    g_assert_no_error (open.error);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
    first = read_some (open.stream);
    g_assert_cmpmem (g_bytes_get_data (first, NULL), g_bytes_get_size (first), "tick\n", 5);
    g_assert_false (agent_stream_closed (&agent));
    g_input_stream_close (open.stream, NULL, NULL);
    g_clear_object (&open.stream);
    ks_test_wait_for (agent_stream_closed, &agent, "the proxy to close its connection to the agent",
                      TIMEOUT_MS);
  }
  /* An agent that is gone: 500. */
  soup_server_disconnect (agent_server);
  {
    g_autofree char *body = http (f, "GET", "/api/v1/namespaces/default/pods/l/log?container=main",
                                  NULL, NULL, &status);
    g_autoptr (JsonNode) e = json_from_string (body, NULL);
    g_assert_cmpuint (status, ==, 500);
    g_assert_cmpstr (jstr (e, "reason"), ==, "InternalError");
  }
  g_string_free (agent.requests, TRUE);
  g_clear_object (&agent.stream_socket);
}

/* The patch module on its own */

static char *
patched (KsPatchType type, const char *doc, const char *patch, const char *kind, GError **error)
{
  g_autoptr (JsonNode) d = json_from_string (doc, NULL);
  g_autoptr (JsonNode) p = json_from_string (patch, NULL);
  g_autofree char *before = json_to_string (d, FALSE);
  g_autoptr (JsonNode) out = ks_patch_apply (type, d, p, kind, error);
  g_autofree char *after = json_to_string (d, FALSE);

  /* The input is left as it was. */
  g_assert_cmpstr (before, ==, after);
  return out != NULL ? json_to_string (out, FALSE) : NULL;
}

static void
check_patch (KsPatchType type, const char *doc, const char *patch, const char *kind,
             const char *want)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *got = patched (type, doc, patch, kind, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, want);
}

static void
check_patch_error (KsPatchType type, const char *doc, const char *patch, int code,
                   const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *got = patched (type, doc, patch, NULL, &error);

  g_assert_null (got);
  g_assert_error (error, KS_PATCH_ERROR, code);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_patch_module (void)
{
  KsPatchType t;

  g_assert_true (
      ks_patch_type_from_content_type ("application/merge-patch+json; charset=utf-8", &t));
  g_assert_cmpint (t, ==, KS_PATCH_MERGE);
  g_assert_true (ks_patch_type_from_content_type ("application/json-patch+json", &t));
  g_assert_cmpint (t, ==, KS_PATCH_JSON);
  g_assert_true (ks_patch_type_from_content_type ("application/strategic-merge-patch+json", &t));
  g_assert_cmpint (t, ==, KS_PATCH_STRATEGIC);
  g_assert_false (ks_patch_type_from_content_type ("application/json", &t));
  g_assert_false (ks_patch_type_from_content_type (NULL, &t));

  /* RFC 7386's examples. */
  check_patch (KS_PATCH_MERGE, "{\"a\":\"b\"}", "{\"a\":\"c\"}", NULL, "{\"a\":\"c\"}");
  check_patch (KS_PATCH_MERGE, "{\"a\":\"b\"}", "{\"a\":null}", NULL, "{}");
  check_patch (KS_PATCH_MERGE, "{\"a\":[\"b\"]}", "{\"a\":\"c\"}", NULL, "{\"a\":\"c\"}");
  check_patch (KS_PATCH_MERGE, "{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", NULL,
               "{\"a\":{\"b\":\"d\"}}");
  check_patch (KS_PATCH_MERGE, "{\"e\":null}", "{\"a\":1}", NULL, "{\"e\":null,\"a\":1}");
  check_patch (KS_PATCH_MERGE, "{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", NULL,
               "{\"a\":{\"bb\":{}}}");
  check_patch (KS_PATCH_MERGE, "{\"a\":[1,2]}", "{\"a\":[3]}", NULL, "{\"a\":[3]}");

  /* Strategic: keyed lists merge, others replace; directives. */
  check_patch (KS_PATCH_STRATEGIC,
               "{\"containers\":[{\"name\":\"a\",\"image\":\"1\",\"args\":[\"x\"]},{\"name\":\"b\","
               "\"image\":\"2\"}]}",
               "{\"containers\":[{\"name\":\"b\",\"image\":\"3\"},{\"name\":\"c\",\"image\":\"4\"}"
               ",{\"name\":\"a\",\"args\":[\"y\"]}]}",
               NULL,
               "{\"containers\":[{\"name\":\"a\",\"image\":\"1\",\"args\":[\"y\"]},{\"name\":\"b\","
               "\"image\":\"3\"},{\"name\":\"c\",\"image\":\"4\"}]}");
  check_patch (KS_PATCH_STRATEGIC,
               "{\"ports\":[{\"containerPort\":80,\"name\":\"http\"},{\"containerPort\":443}]}",
               "{\"ports\":[{\"containerPort\":80,\"name\":\"web\"}]}", NULL,
               "{\"ports\":[{\"containerPort\":80,\"name\":\"web\"},{\"containerPort\":443}]}");
  /* A Service's ports merge on port. */
  check_patch (KS_PATCH_STRATEGIC,
               "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":8080},{\"port\":443}]}}",
               "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":9090}]}}", "Service",
               "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":9090},{\"port\":443}]}}");
  check_patch (KS_PATCH_STRATEGIC,
               "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"},{\"type\":"
               "\"PodScheduled\",\"status\":\"True\"}]}}",
               "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}", NULL,
               "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"},{\"type\":"
               "\"PodScheduled\",\"status\":\"True\"}]}}");
  check_patch (KS_PATCH_STRATEGIC,
               "{\"tolerations\":[{\"key\":\"a\"},{\"key\":\"b\"}],\"command\":[\"x\",\"y\"]}",
               "{\"tolerations\":[{\"key\":\"c\"}],\"command\":[\"z\"]}", NULL,
               "{\"tolerations\":[{\"key\":\"c\"}],\"command\":[\"z\"]}");
  check_patch (KS_PATCH_STRATEGIC, "{\"env\":[{\"name\":\"A\"},{\"name\":\"B\"}]}",
               "{\"env\":[{\"name\":\"A\",\"$patch\":\"delete\"}]}", NULL,
               "{\"env\":[{\"name\":\"B\"}]}");
  check_patch (KS_PATCH_STRATEGIC, "{\"env\":[{\"name\":\"A\"},{\"name\":\"B\"}]}",
               "{\"env\":[{\"name\":\"C\"},{\"$patch\":\"replace\"}]}", NULL,
               "{\"env\":[{\"name\":\"C\"}]}");
  check_patch (KS_PATCH_STRATEGIC, "{\"spec\":{\"a\":1,\"b\":2}}",
               "{\"spec\":{\"$patch\":\"replace\",\"c\":3}}", NULL, "{\"spec\":{\"c\":3}}");
  check_patch (KS_PATCH_STRATEGIC, "{\"spec\":{\"a\":1},\"x\":1}",
               "{\"spec\":{\"$patch\":\"delete\"}}", NULL, "{\"x\":1}");
  check_patch (KS_PATCH_STRATEGIC,
               "{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"}]}",
               "{\"$setElementOrder/containers\":[{\"name\":\"c\"},{\"name\":\"a\"}],"
               "\"containers\":[{\"name\":\"a\",\"image\":\"i\"}]}",
               NULL,
               "{\"containers\":[{\"name\":\"c\"},{\"name\":\"a\",\"image\":\"i\"},{\"name\":"
               "\"b\"}]}");
  check_patch (KS_PATCH_STRATEGIC, "{\"metadata\":{\"finalizers\":[\"a\",\"b\"]}}",
               "{\"metadata\":{\"finalizers\":[\"b\",\"c\"]}}", NULL,
               "{\"metadata\":{\"finalizers\":[\"a\",\"b\",\"c\"]}}");
  check_patch (KS_PATCH_STRATEGIC, "{\"metadata\":{\"finalizers\":[\"a\",\"b\"]}}",
               "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"a\"]}}", NULL,
               "{\"metadata\":{\"finalizers\":[\"b\"]}}");
  check_patch (KS_PATCH_STRATEGIC,
               "{\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":1}}}",
               "{\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\"}}", NULL,
               "{\"strategy\":{\"type\":\"Recreate\"}}");
  check_patch_error (KS_PATCH_STRATEGIC, "{}", "{\"containers\":[{\"image\":\"x\"}]}",
                     KS_PATCH_ERROR_BAD_PATCH,
                     "map: {\"image\":\"x\"} does not contain declared merge key: name");
  check_patch_error (KS_PATCH_STRATEGIC, "{}", "{\"a\":{\"$patch\":\"explode\"}}",
                     KS_PATCH_ERROR_BAD_PATCH,
                     "a: unknown patch type: \"explode\" (valid: replace, delete, merge)");

  /* JSON patch (RFC 6902's examples and escaping). */
  check_patch (KS_PATCH_JSON, "{\"foo\":\"bar\"}",
               "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]", NULL,
               "{\"foo\":\"bar\",\"baz\":\"qux\"}");
  check_patch (KS_PATCH_JSON, "{\"foo\":[\"bar\",\"baz\"]}",
               "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]", NULL,
               "{\"foo\":[\"bar\",\"qux\",\"baz\"]}");
  check_patch (KS_PATCH_JSON, "{\"foo\":[\"bar\"]}",
               "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":\"x\"}]", NULL,
               "{\"foo\":[\"bar\",\"x\"]}");
  check_patch (KS_PATCH_JSON, "{\"baz\":\"qux\",\"foo\":\"bar\"}",
               "[{\"op\":\"remove\",\"path\":\"/baz\"}]", NULL, "{\"foo\":\"bar\"}");
  check_patch (KS_PATCH_JSON, "{\"foo\":[\"bar\",\"qux\",\"baz\"]}",
               "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]", NULL, "{\"foo\":[\"bar\",\"baz\"]}");
  check_patch (KS_PATCH_JSON, "{\"baz\":\"qux\"}",
               "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]", NULL,
               "{\"baz\":\"boo\"}");
  check_patch (KS_PATCH_JSON, "{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{}}",
               "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]", NULL,
               "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"thud\":\"fred\"}}");
  check_patch (KS_PATCH_JSON, "{\"a\":{\"b\":1}}",
               "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/c\"}]", NULL,
               "{\"a\":{\"b\":1},\"c\":{\"b\":1}}");
  check_patch (KS_PATCH_JSON, "{\"a/b\":1,\"m~n\":2}",
               "[{\"op\":\"test\",\"path\":\"/a~1b\",\"value\":1},{\"op\":\"remove\",\"path\":"
               "\"/m~0n\"}]",
               NULL, "{\"a/b\":1}");
  check_patch (KS_PATCH_JSON, "{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":[1]}]",
               NULL, "[1]");
  check_patch_error (KS_PATCH_JSON, "{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/b\"}]",
                     KS_PATCH_ERROR_FAILED,
                     "remove operation does not apply: doc is missing path: \"/b\"");
  check_patch_error (KS_PATCH_JSON, "{\"a\":[]}",
                     "[{\"op\":\"add\",\"path\":\"/a/3\",\"value\":1}]", KS_PATCH_ERROR_FAILED,
                     "add operation does not apply: index out of bounds: /a/3");
  check_patch_error (KS_PATCH_JSON, "{\"a\":1}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":2}]",
                     KS_PATCH_ERROR_FAILED, "testing value /a failed");
  check_patch_error (KS_PATCH_JSON, "{}", "[{\"op\":\"frob\",\"path\":\"/a\"}]",
                     KS_PATCH_ERROR_BAD_PATCH,
                     "json patch operation 0: unexpected kind of operation: \"frob\" (valid: add, "
                     "remove, replace, move, copy, test)");
  check_patch_error (KS_PATCH_JSON, "{}", "[{\"op\":\"add\",\"path\":\"a\",\"value\":1}]",
                     KS_PATCH_ERROR_BAD_PATCH,
                     "json patch operation 0: invalid JSON pointer \"a\"");
  check_patch_error (KS_PATCH_JSON, "{\"a\":{}}",
                     "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/b\"}]", KS_PATCH_ERROR_FAILED,
                     "move operation does not apply: \"/a/b\" is a child of \"/a\"");
}

/* The selector module on its own */

static void
check_selector (const char *labels, const char *fields, const char *yaml, gboolean want)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsObject) obj = ks_test_decode (yaml);
  g_autoptr (KsApiSelector) sel = ks_api_selector_new (obj->kind, labels, fields, &error);

  g_assert_no_error (error);
  if (ks_api_selector_matches (sel, obj) != want)
    g_error ("labels \"%s\" fields \"%s\": want %d", labels, fields, want);
}

static void
check_selector_error (const KsKind *kind, const char *labels, const char *fields,
                      const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsApiSelector) sel = ks_api_selector_new (kind, labels, fields, &error);

  g_assert_null (sel);
  g_assert_error (error, KS_STORE_ERROR, KS_STORE_ERROR_BAD_REQUEST);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_selector_module (void)
{
  const char *pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: web, "
                    "n: \"5\", empty: \"\"}}\nspec:\n  containers: [{name: c, image: i}]\n"
                    "  nodeName: n1\n";
  const char *node = "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n";
  const KsKind *pod_kind = ks_kind_get (KS_KIND_POD);
  g_autoptr (KsApiSelector) empty = ks_api_selector_new (pod_kind, "", NULL, NULL);

  g_assert_true (ks_api_selector_is_empty (empty));
  check_selector (NULL, NULL, pod, TRUE);
  check_selector ("app=web", NULL, pod, TRUE);
  check_selector (" app == web , n ", NULL, pod, TRUE);
  check_selector ("app!=web", NULL, pod, FALSE);
  check_selector ("app in (db, web)", NULL, pod, TRUE);
  check_selector ("app notin (db,web)", NULL, pod, FALSE);
  check_selector ("!app", NULL, pod, FALSE);
  check_selector ("!missing", NULL, pod, TRUE);
  check_selector ("n>4,n<6", NULL, pod, TRUE);
  check_selector ("n>5", NULL, pod, FALSE);
  check_selector ("empty=", NULL, pod, TRUE);
  check_selector ("missing!=x", NULL, pod, TRUE);
  check_selector (NULL, "spec.nodeName=n1,metadata.name==p", pod, TRUE);
  check_selector (NULL, "spec.nodeName!=n1", pod, FALSE);
  check_selector (NULL, "spec.hostNetwork=false", pod, TRUE);
  check_selector (NULL, "spec.schedulerName=default-scheduler", pod, TRUE);
  check_selector (NULL, "spec.restartPolicy=Always", pod, TRUE);
  check_selector (NULL, "spec.unschedulable=false", node, TRUE);
  check_selector (NULL, "metadata.namespace=", node, TRUE);
  check_selector_error (pod_kind, "app=", "x", "invalid selector: 'x'; can't understand 'x'");
  check_selector_error (pod_kind, "a b", NULL,
                        "unable to parse requirement: found 'b', expected: '=', '!=', '==', "
                        "'in', 'notin', '>', '<' or a value");
  check_selector_error (pod_kind, "a=b c", NULL,
                        "unable to parse requirement: found 'c', expected: ',' or 'end of "
                        "string'");
  check_selector_error (pod_kind, "Bad Key!=x", NULL,
                        "unable to parse requirement: found 'Key', expected: '=', '!=', '==', "
                        "'in', 'notin', '>', '<' or a value");
  check_selector_error (pod_kind, "a>x", NULL,
                        "unable to parse requirement: for 'Gt', 'Lt' operators, the value must be "
                        "an integer: \"x\"");
  check_selector_error (pod_kind, "a=b/c", NULL,
                        "unable to parse requirement: invalid label value: \"b/c\": a label value "
                        "must be empty or at most 63 characters of letters, digits, '-', '_' and "
                        "'.', starting and ending with a letter or digit");
  check_selector_error (pod_kind, NULL, "=x", "invalid selector: '=x'; can't understand '=x'");
  check_selector_error (ks_kind_get (KS_KIND_NODE), NULL, "status.phase=x",
                        "field label not supported: status.phase");
  {
    g_autoptr (KsObject) obj = ks_test_decode (pod);
    g_autofree char *v = ks_api_field_value (obj, "spec.nodeName");
    g_autofree char *none = ks_api_field_value (obj, "spec.nothing");
    g_assert_cmpstr (v, ==, "n1");
    g_assert_null (none);
  }
}

/* Subresources: eviction */

#define EVICTION_JSON(version, name)                                                               \
  "{\"apiVersion\":\"" version "\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"" name           \
  "\",\"namespace\":\"default\"},\"deleteOptions\":{}}"
#define MERGE "application/merge-patch+json"

/* A Running, Ready pod labelled app=web, which the eviction checks budgets for. */
static void
create_running_pod (Fixture *f, const char *name)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/namespaces/default/pods/%s/status", name);
  g_autofree char *pod = g_strdup_printf (
      "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\",\"labels\":{\"app\":"
      "\"web\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}",
      name);
  g_autoptr (JsonNode) created
      = http_json (f, "POST", "/api/v1/namespaces/default/pods", JSON, pod, 201);
  g_autoptr (JsonNode) running = http_json (
      f, "PATCH", path, MERGE,
      "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":"
      "\"True\"}]}}",
      200);
  g_assert_cmpstr (jstr (running, "status.phase"), ==, "Running");
}

static void
create_budget (Fixture *f, const char *name, gint allowed)
{
  g_autofree char *pdb = g_strdup_printf (
      "{\"apiVersion\":\"policy/v1\",\"kind\":\"PodDisruptionBudget\",\"metadata\":{\"name\":"
      "\"%s\"},\"spec\":{\"minAvailable\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}}}}",
      name);
  g_autofree char *path
      = g_strdup_printf ("/apis/policy/v1/namespaces/default/poddisruptionbudgets/%s/status", name);
  g_autofree char *status = g_strdup_printf (
      "{\"status\":{\"observedGeneration\":1,\"disruptionsAllowed\":%d,\"currentHealthy\":2,"
      "\"desiredHealthy\":2,\"expectedPods\":2}}",
      allowed);
  g_autoptr (JsonNode) created = http_json (
      f, "POST", "/apis/policy/v1/namespaces/default/poddisruptionbudgets", JSON, pdb, 201);
  g_autoptr (JsonNode) patched = http_json (f, "PATCH", path, MERGE, status, 200);
  g_assert_cmpint (jint (patched, "status.disruptionsAllowed"), ==, allowed);
}

static void
test_eviction (Fixture *f, gconstpointer data)
{
  const KsKind *pods = ks_kind_get (KS_KIND_POD);
  const char *url = "/api/v1/namespaces/default/pods/a/eviction";
  g_autofree char *body = NULL;
  g_autoptr (JsonNode) refused = NULL;
  KsObject *a;
  guint status;

  create_running_pod (f, "a");
  create_running_pod (f, "b");

  /* A budget at 0 allowed disruptions: 429 with the budget's numbers; the pod untouched. */
  create_budget (f, "web", 0);
  body = http (f, "POST", url, JSON, EVICTION_JSON ("policy/v1", "a"), &status);
  g_assert_cmpuint (status, ==, 429);
  g_assert_cmpstr (
      body, ==,
      "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
      "\"message\":\"Cannot evict pod as it would violate the pod's disruption budget.\","
      "\"reason\":\"TooManyRequests\",\"details\":{\"causes\":[{\"reason\":\"DisruptionBudget\","
      "\"message\":\"The disruption budget web needs 2 healthy pods and has 2 currently\"}]},"
      "\"code\":429}");
  a = ks_store_get (f->store, pods, "default", "a");
  g_assert_nonnull (a);
  g_assert_false (ks_object_is_being_deleted (a));
  g_assert_cmpint (KS_POD (a)->conditions[KS_POD_COND_DISRUPTION_TARGET].status, !=,
                   KS_CONDITION_TRUE);

  /* Two budgets: a bare 500 Status. */
  create_budget (f, "web2", 1);
  g_clear_pointer (&body, g_free);
  body = http (f, "POST", url, JSON, EVICTION_JSON ("policy/v1", "a"), &status);
  g_assert_cmpuint (status, ==, 500);
  g_assert_cmpstr (body, ==,
                   "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
                   "\"Failure\",\"message\":\"This pod has more than one PodDisruptionBudget, "
                   "which the eviction subresource does not support.\",\"code\":500}");
  json_node_unref (http_json (
      f, "DELETE", "/apis/policy/v1/namespaces/default/poddisruptionbudgets/web", NULL, NULL, 200));

  /* Bad requests: nothing evicted. */
  expect_error (f, "POST", url, JSON, EVICTION_JSON ("policy/v1", "b"), 400, "BadRequest",
                "name in URL does not match name in Eviction object");
  expect_error (f, "POST", url, JSON, "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\"}", 400,
                "BadRequest", "name in URL does not match name in Eviction object");
  {
    g_autofree char *bad = http (f, "POST", url, JSON, "{\"kind\":\"Eviction\",", &status);
    g_autoptr (JsonNode) node = json_from_string (bad, NULL);
    g_assert_cmpuint (status, ==, 400);
    g_assert_cmpstr (jstr (node, "reason"), ==, "BadRequest");
  }
  expect_error (f, "POST", url, JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\"}}", 400,
                "BadRequest",
                "the API version in the data (v1) does not match the expected API version "
                "(policy/v1 or policy/v1beta1)");
  expect_error (f, "POST", url, JSON,
                "{\"apiVersion\":\"policy/v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"a\"}}",
                400, "BadRequest",
                "the kind in the data (Binding) does not match the expected kind (Eviction)");
  expect_error (f, "GET", url, NULL, NULL, 405, "MethodNotAllowed",
                "get is not supported on resources of kind \"pods/eviction\"");
  g_assert_false (ks_object_is_being_deleted (ks_store_get (f->store, pods, "default", "a")));

  /* A missing pod: 404 for the pod. */
  expect_error (f, "POST", "/api/v1/namespaces/default/pods/x/eviction", JSON,
                EVICTION_JSON ("policy/v1", "x"), 404, "NotFound", "pods \"x\" not found");

  /* The one budget left allows a disruption: 201 Success; the pod is marked and deleted (no
   * finalizers, no node: gone at once), the budget's allowance used up. */
  g_clear_pointer (&body, g_free);
  body = http (f, "POST", url, JSON, EVICTION_JSON ("policy/v1", "a"), &status);
  g_assert_cmpuint (status, ==, 201);
  g_assert_cmpstr (body, ==,
                   "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
                   "\"Success\",\"code\":201}");
  g_assert_null (ks_store_get (f->store, pods, "default", "a"));
  {
    g_autoptr (JsonNode) pdb
        = get_json (f, "/apis/policy/v1/namespaces/default/poddisruptionbudgets/web2", 200);
    g_assert_cmpint (jint (pdb, "status.disruptionsAllowed"), ==, 0);
    g_assert_cmpstr (jstr (pdb, "status.disruptedPods.a"), !=, NULL);
  }
  /* policy/v1beta1 is accepted; the budget now refuses b. */
  g_clear_pointer (&body, g_free);
  body = http (f, "POST", "/api/v1/namespaces/default/pods/b/eviction", JSON,
               EVICTION_JSON ("policy/v1beta1", "b"), &status);
  g_assert_cmpuint (status, ==, 429);
  refused = json_from_string (body, NULL);
  g_assert_cmpstr (jstr (refused, "details.causes.0.message"), ==,
                   "The disruption budget web2 needs 2 healthy pods and has 2 currently");
  /* A budget whose status lags its generation: 429 with a suggested retry of 10 s. */
  json_node_unref (http_json (f, "PATCH",
                              "/apis/policy/v1/namespaces/default/poddisruptionbudgets/web2", MERGE,
                              "{\"spec\":{\"minAvailable\":1}}", 200));
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&refused, json_node_unref);
  body = http (f, "POST", "/api/v1/namespaces/default/pods/b/eviction", JSON,
               EVICTION_JSON ("policy/v1", "b"), &status);
  g_assert_cmpuint (status, ==, 429);
  refused = json_from_string (body, NULL);
  g_assert_cmpstr (jstr (refused, "details.causes.0.message"), ==,
                   "The disruption budget web2 is still being processed by the server.");
  g_assert_cmpint (jint (refused, "details.retryAfterSeconds"), ==, 10);
  g_assert_false (ks_object_is_being_deleted (ks_store_get (f->store, pods, "default", "b")));
}

/* An evicted pod that stays (on a node, with a finalizer) shows the DisruptionTarget condition. */
static void
test_eviction_marks (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) pod = NULL;
  g_autoptr (JsonNode) done = NULL;

  create_running_pod (f, "m");
  json_node_unref (http_json (f, "PATCH", "/api/v1/namespaces/default/pods/m", MERGE,
                              "{\"metadata\":{\"finalizers\":[\"kubesim.io/test\"]}}", 200));
  done = http_json (f, "POST", "/api/v1/namespaces/default/pods/m/eviction", JSON,
                    EVICTION_JSON ("policy/v1", "m"), 201);
  g_assert_cmpstr (jstr (done, "status"), ==, "Success");
  pod = get_json (f, "/api/v1/namespaces/default/pods/m", 200);
  g_assert_nonnull (jstr (pod, "metadata.deletionTimestamp"));
  for (guint i = 0; i < jlen (pod, "status.conditions"); i++)
    {
      g_autofree char *t = g_strdup_printf ("status.conditions.%u.type", i);
      g_autofree char *reason = g_strdup_printf ("status.conditions.%u.reason", i);
      g_autofree char *st = g_strdup_printf ("status.conditions.%u.status", i);
      if (g_strcmp0 (jstr (pod, t), "DisruptionTarget") != 0)
        continue;
      g_assert_cmpstr (jstr (pod, reason), ==, "EvictionByEvictionAPI");
      g_assert_cmpstr (jstr (pod, st), ==, "True");
      return;
    }
  g_assert_not_reached ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ks_test_drop_gio_debug ();
#define ADD(path, fn, data)                                                                        \
  g_test_add ("/apiserver/" path, Fixture, data, fixture_setup, fn, fixture_teardown)
  ADD ("discovery", test_discovery, NULL);
  ADD ("not-found-paths", test_not_found_paths, NULL);
  ADD ("jobs", test_jobs, NULL);
  ADD ("volumes", test_volumes, NULL);
  ADD ("hpa", test_hpa, NULL);
  ADD ("hpa-v1", test_hpa_v1, NULL);
  ADD ("crud", test_crud, NULL);
  ADD ("generate-name-and-cluster-scope", test_generate_name_and_cluster_scope, NULL);
  ADD ("errors", test_errors, NULL);
  ADD ("delete-options", test_delete_options, NULL);
  ADD ("list/selectors", test_list_selectors, NULL);
  ADD ("list/paging", test_list_paging, NULL);
  ADD ("watch/events", test_watch, NULL);
  ADD ("watch/filters", test_watch_filters, NULL);
  ADD ("watch/resume-and-expired", test_watch_resume_and_expired, GUINT_TO_POINTER (4));
  ADD ("watch/timeout-and-bookmarks", test_watch_timeout_and_bookmarks, NULL);
  ADD ("watch/slow-and-gone-clients", test_watch_slow_and_gone_clients, NULL);
  ADD ("patch", test_patch, NULL);
  ADD ("status", test_status_subresource, NULL);
  ADD ("scale", test_scale, NULL);
  ADD ("binding", test_binding, NULL);
  ADD ("log", test_log, NULL);
  ADD ("eviction", test_eviction, NULL);
  ADD ("eviction/marks", test_eviction_marks, NULL);
  g_test_add_func ("/apiserver/patch-module", test_patch_module);
  g_test_add_func ("/apiserver/selector-module", test_selector_module);
  return g_test_run ();
}
