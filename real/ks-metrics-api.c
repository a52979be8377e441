/* ks-metrics-api.c: metrics.k8s.io/v1beta1 served, written, read and asked for (see
 * ks-metrics-api.h). */
#include "config.h"

#include <string.h>

#include "ks-api-select.h"
#include "ks-api-status.h"
#include "ks-metrics-api.h"
#include "ks-rest.h"
#include "src/api/ks-decode.h"
#include "src/api/ks-duration.h"
#include "src/api/ks-quantity.h"

#define GROUP_VERSION KS_METRICS_API_GROUP "/" KS_METRICS_API_VERSION
#define NOT_FOUND_MESSAGE "the server could not find the requested resource"

/* ---- JSON --------------------------------------------------------------------------------- */

static void
add_string (JsonBuilder *b, const char *member, const char *value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, value);
}

static void
add_meta (JsonBuilder *b, const char *ns, const char *name, const KsStrMap *labels, gint64 created,
          gint64 epoch)
{
  add_string (b, "kind", ns != NULL ? "PodMetrics" : "NodeMetrics");
  add_string (b, "apiVersion", GROUP_VERSION);
  json_builder_set_member_name (b, "metadata");
  json_builder_begin_object (b);
  add_string (b, "name", name);
  if (ns != NULL)
    add_string (b, "namespace", ns);
  ks_builder_add_time (b, "creationTimestamp", created, epoch);
  if (labels != NULL && ks_str_map_size (labels) > 0)
    {
      json_builder_set_member_name (b, "labels");
      json_builder_begin_object (b);
      for (guint i = 0; i < ks_str_map_size (labels); i++)
        add_string (b, ks_str_map_key (labels, i), ks_str_map_value (labels, i));
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

static void
add_window (JsonBuilder *b, gint64 timestamp, gint64 window, gint64 epoch)
{
  g_autofree char *w = ks_duration_format (window);

  ks_builder_add_time (b, "timestamp", timestamp, epoch);
  add_string (b, "window", w);
}

static void
add_usage (JsonBuilder *b, gint64 nano_cpu, gint64 memory)
{
  g_autofree char *cpu = ks_quantity_format_nano (nano_cpu);
  g_autofree char *mem = ks_quantity_format_binary_si (memory);

  json_builder_set_member_name (b, "usage");
  json_builder_begin_object (b);
  add_string (b, "cpu", cpu);
  add_string (b, "memory", mem);
  json_builder_end_object (b);
}

JsonNode *
ks_pod_metrics_to_json (const KsPodMetrics *m, const KsStrMap *labels, gint64 created, gint64 epoch)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_meta (b, m->namespace, m->name, labels, created, epoch);
  add_window (b, m->timestamp, m->window, epoch);
  json_builder_set_member_name (b, "containers");
  json_builder_begin_array (b);
  for (guint i = 0; i < m->n_containers; i++)
    {
      json_builder_begin_object (b);
      add_string (b, "name", m->containers[i].name);
      add_usage (b, m->containers[i].nano_cpu, m->containers[i].memory);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
ks_node_metrics_to_json (const KsNodeMetrics *m, const KsStrMap *labels, gint64 created,
                         gint64 epoch)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_meta (b, NULL, m->name, labels, created, epoch);
  add_window (b, m->timestamp, m->window, epoch);
  add_usage (b, m->nano_cpu, m->memory);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean G_GNUC_PRINTF (2, 3) bad (GError **error, const char *format, ...)
{
  va_list ap;
  g_autofree char *what = NULL;

  va_start (ap, format);
  what = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_BAD_REQUEST, "metrics: %s", what);
  return FALSE;
}

static const char *
member_string (JsonObject *o, const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;
  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
             ? json_node_get_string (n)
             : NULL;
}

static JsonObject *
member_object (JsonObject *o, const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;
  return n != NULL && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

/* The name (and namespace) and the window of an item. */
static gboolean
read_item (JsonNode *node, gboolean namespaced, char **ns, char **name, gint64 *timestamp,
           gint64 *window, GError **error)
{
  JsonObject *o
      = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonObject *meta = member_object (o, "metadata");
  const char *t = member_string (o, "timestamp");
  const char *w = member_string (o, "window");

  if (member_string (meta, "name") == NULL)
    return bad (error, "metadata.name is missing");
  if (namespaced && member_string (meta, "namespace") == NULL)
    return bad (error, "metadata.namespace is missing");
  if (t == NULL || !ks_time_parse_rfc3339 (t, 0, timestamp))
    return bad (error, "timestamp: \"%s\" is not an RFC 3339 time", t != NULL ? t : "");
  if (w == NULL || !ks_duration_parse (w, window, NULL))
    return bad (error, "window: \"%s\" is not a duration", w != NULL ? w : "");
  *name = g_strdup (member_string (meta, "name"));
  if (namespaced)
    *ns = g_strdup (member_string (meta, "namespace"));
  return TRUE;
}

static gboolean
read_usage (JsonObject *o, const char *where, gint64 *nano_cpu, gint64 *memory, GError **error)
{
  JsonObject *usage = member_object (o, "usage");
  const char *cpu = member_string (usage, "cpu");
  const char *mem = member_string (usage, "memory");

  if (cpu == NULL || !ks_quantity_parse_nano (cpu, nano_cpu, NULL))
    return bad (error, "%susage.cpu: \"%s\" is not a quantity", where, cpu != NULL ? cpu : "");
  if (mem == NULL || !ks_quantity_parse_value (mem, memory, NULL))
    return bad (error, "%susage.memory: \"%s\" is not a quantity", where, mem != NULL ? mem : "");
  return TRUE;
}

KsPodMetrics *
ks_pod_metrics_from_json (JsonNode *node, GError **error)
{
  g_autofree char *ns = NULL;
  g_autofree char *name = NULL;
  g_autoptr (KsPodMetrics) m = NULL;
  gint64 timestamp, window;
  JsonNode *list;
  JsonArray *containers;

  if (!read_item (node, TRUE, &ns, &name, &timestamp, &window, error))
    return NULL;
  list = json_object_get_member (json_node_get_object (node), "containers");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      bad (error, "containers is missing");
      return NULL;
    }
  containers = json_node_get_array (list);
  m = ks_pod_metrics_new (ns, name, json_array_get_length (containers));
  m->timestamp = timestamp;
  m->window = window;
  for (guint i = 0; i < m->n_containers; i++)
    {
      JsonNode *c = json_array_get_element (containers, i);
      JsonObject *co = JSON_NODE_HOLDS_OBJECT (c) ? json_node_get_object (c) : NULL;
      g_autofree char *where = g_strdup_printf ("containers[%u].", i);
      if (member_string (co, "name") == NULL)
        {
          bad (error, "%sname is missing", where);
          return NULL;
        }
      m->containers[i].name = g_strdup (member_string (co, "name"));
      if (!read_usage (co, where, &m->containers[i].nano_cpu, &m->containers[i].memory, error))
        return NULL;
    }
  return g_steal_pointer (&m);
}

KsNodeMetrics *
ks_node_metrics_from_json (JsonNode *node, GError **error)
{
  g_autofree char *name = NULL;
  g_autoptr (KsNodeMetrics) m = NULL;
  gint64 timestamp, window;

  if (!read_item (node, FALSE, NULL, &name, &timestamp, &window, error))
    return NULL;
  m = ks_node_metrics_new (name);
  m->timestamp = timestamp;
  m->window = window;
  if (!read_usage (json_node_get_object (node), "", &m->nano_cpu, &m->memory, error))
    return NULL;
  return g_steal_pointer (&m);
}

/* ---- serving ------------------------------------------------------------------------------ */

static void
reply_json (SoupServerMessage *msg, guint code, char *json)
{
  soup_server_message_set_status (msg, code, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, json, strlen (json));
}

static void
reply_node (SoupServerMessage *msg, guint code, JsonNode *node)
{
  reply_json (msg, code, json_to_string (node, FALSE));
}

static void
reply_failure (SoupServerMessage *msg, guint code, const char *reason, const char *message,
               const char *name, const char *group, const char *kind)
{
  reply_json (msg, code,
              ks_api_status_json ("Failure", code, reason, message, TRUE, name, group, kind, NULL,
                                  NULL, 0));
}

static const char *
query_get (GHashTable *query, const char *key)
{
  return query != NULL ? g_hash_table_lookup (query, key) : NULL;
}

static void
serve_list (KsMetricsServer *metrics, KsStore *store, gint64 epoch, SoupServerMessage *msg,
            const KsKind *kind, const char *ns, GHashTable *query)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsApiSelector) selector = ks_api_selector_new (
      kind, query_get (query, "labelSelector"), query_get (query, "fieldSelector"), &error);
  g_autoptr (GPtrArray) objects = g_ptr_array_new (); /* borrowed from the store */
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  gboolean pods = kind->id == KS_KIND_POD;
  gint64 now = ks_clock_now (ks_store_get_clock (store));

  if (selector == NULL)
    {
      reply_failure (msg, 400, "BadRequest", error->message, NULL, NULL, NULL);
      return;
    }
  ks_store_list (store, kind, ns, objects);
  json_builder_begin_object (b);
  add_string (b, "kind", pods ? "PodMetricsList" : "NodeMetricsList");
  add_string (b, "apiVersion", GROUP_VERSION);
  json_builder_set_member_name (b, "metadata");
  json_builder_begin_object (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  for (guint i = 0; i < objects->len; i++)
    {
      const KsObject *obj = g_ptr_array_index (objects, i);
      if (!ks_api_selector_matches (selector, obj))
        continue;
      if (pods)
        {
          g_autoptr (KsPodMetrics) m = ks_metrics_server_get_pod_metrics (metrics, KS_POD (obj));
          if (m != NULL)
            json_builder_add_value (b, ks_pod_metrics_to_json (m, obj->meta.labels, now, epoch));
        }
      else
        {
          g_autoptr (KsNodeMetrics) m = ks_metrics_server_get_node_metrics (metrics, KS_NODE (obj));
          if (m != NULL)
            json_builder_add_value (b, ks_node_metrics_to_json (m, obj->meta.labels, now, epoch));
        }
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  reply_node (msg, 200, root);
}

static void
serve_get (KsMetricsServer *metrics, KsStore *store, gint64 epoch, SoupServerMessage *msg,
           const KsKind *kind, const char *ns, const char *name)
{
  const KsObject *obj = ks_store_get (store, kind, ns, name);
  gint64 now = ks_clock_now (ks_store_get_clock (store));
  g_autoptr (JsonNode) node = NULL;

  if (obj == NULL)
    {
      g_autofree char *message = g_strdup_printf ("%s \"%s\" not found", kind->plural, name);
      reply_failure (msg, 404, "NotFound", message, name, NULL, kind->plural);
      return;
    }
  if (kind->id == KS_KIND_POD)
    {
      g_autoptr (KsPodMetrics) m = ks_metrics_server_get_pod_metrics (metrics, KS_POD (obj));
      if (m != NULL)
        node = ks_pod_metrics_to_json (m, obj->meta.labels, now, epoch);
    }
  else
    {
      g_autoptr (KsNodeMetrics) m = ks_metrics_server_get_node_metrics (metrics, KS_NODE (obj));
      if (m != NULL)
        node = ks_node_metrics_to_json (m, obj->meta.labels, now, epoch);
    }
  if (node == NULL)
    {
      /* metrics-server: NewNotFound(<group resource>, "<ns>/<name>" or "<name>"). */
      const char *resource = kind->id == KS_KIND_POD ? "podmetrics" : "nodemetrics";
      g_autofree char *id = ns != NULL ? g_strdup_printf ("%s/%s", ns, name) : g_strdup (name);
      g_autofree char *message
          = g_strdup_printf ("%s." KS_METRICS_API_GROUP " \"%s\" not found", resource, id);
      reply_failure (msg, 404, "NotFound", message, id, KS_METRICS_API_GROUP, resource);
      return;
    }
  reply_node (msg, 200, node);
}

/* The verb Kubernetes names in MethodNotAllowed for an HTTP method (as the API server's). */
static const char *
method_action (const char *method)
{
  static const char *const actions[][2] = {
    { "POST", "create" },
    { "PUT", "update" },
    { "PATCH", "patch" },
    { "DELETE", "delete" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    if (strcmp (actions[i][0], method) == 0)
      return actions[i][1];
  return method;
}

void
ks_metrics_api_serve (KsMetricsServer *metrics, KsStore *store, gint64 epoch,
                      SoupServerMessage *msg, char **segs, guint n, GHashTable *query)
{
  const KsKind *pods = ks_kind_get (KS_KIND_POD), *nodes = ks_kind_get (KS_KIND_NODE);
  const char *method = soup_server_message_get_method (msg);
  const char *watch = query_get (query, "watch");
  const KsKind *kind = NULL;
  const char *ns = NULL, *name = NULL;

  if (n >= 1 && n <= 2 && strcmp (segs[0], "nodes") == 0)
    kind = nodes, name = n == 2 ? segs[1] : NULL;
  else if (n == 1 && strcmp (segs[0], "pods") == 0)
    kind = pods;
  else if (n >= 3 && n <= 4 && strcmp (segs[0], "namespaces") == 0 && strcmp (segs[2], "pods") == 0)
    kind = pods, ns = segs[1], name = n == 4 ? segs[3] : NULL;
  if (kind == NULL)
    {
      reply_failure (msg, 404, "NotFound", NOT_FOUND_MESSAGE, NULL, NULL, NULL);
      return;
    }
  if (strcmp (method, "GET") != 0
      || (watch != NULL && (strcmp (watch, "true") == 0 || strcmp (watch, "1") == 0)))
    {
      g_autofree char *message = g_strdup_printf (
          "%s is not supported on resources of kind \"%s\"",
          strcmp (method, "GET") != 0 ? method_action (method) : "watch", kind->plural);
      reply_failure (msg, 405, "MethodNotAllowed", message, NULL, KS_METRICS_API_GROUP,
                     kind->plural);
      return;
    }
  if (name != NULL)
    serve_get (metrics, store, epoch, msg, kind, ns, name);
  else
    serve_list (metrics, store, epoch, msg, kind, ns, query);
}

/* ---- the HTTP client ---------------------------------------------------------------------- */

typedef struct
{
  KsMetricsClient parent;
  KsRest *rest;
} HttpClient;

/* A Status error as the KS_STORE_ERROR of its reason. */
static void
store_error (GError **error, GError *local)
{
  const KsRestStatus *s = ks_rest_error_get_status (local);
  KsStoreError code;

  if (s != NULL && s->reason != NULL && ks_api_store_error_from_reason (s->reason, &code))
    {
      g_set_error_literal (error, KS_STORE_ERROR, code,
                           s->message != NULL ? s->message : local->message);
      g_error_free (local);
    }
  else
    g_propagate_error (error, local);
}

static char *
metrics_path (const char *resource, const char *ns, const char *name,
              const KsLabelSelector *selector)
{
  GString *path = g_string_new ("/apis/" GROUP_VERSION "/");

  if (ns != NULL)
    {
      g_string_append (path, "namespaces/");
      g_string_append_uri_escaped (path, ns, NULL, FALSE);
      g_string_append_c (path, '/');
    }
  g_string_append (path, resource);
  if (name != NULL)
    {
      g_string_append_c (path, '/');
      g_string_append_uri_escaped (path, name, NULL, FALSE);
    }
  if (selector != NULL && !ks_label_selector_is_empty (selector))
    {
      g_autofree char *text = ks_label_selector_to_string (selector);
      g_string_append (path, "?labelSelector=");
      g_string_append_uri_escaped (path, text, NULL, FALSE);
    }
  return g_string_free (path, FALSE);
}

static JsonNode *
request (HttpClient *c, const char *path, GError **error)
{
  GError *local = NULL;
  JsonNode *answer = ks_rest_request (c->rest, "GET", path, NULL, NULL, &local);

  if (answer == NULL)
    store_error (error, local);
  return answer;
}

/* The items of a List answer, each read with read (a from_json function). */
static GPtrArray *
read_list (JsonNode *answer, gpointer (*read) (JsonNode *, GError **), GDestroyNotify free_item,
           GError **error)
{
  JsonNode *items = JSON_NODE_HOLDS_OBJECT (answer)
                        ? json_object_get_member (json_node_get_object (answer), "items")
                        : NULL;
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (free_item);

  if (items != NULL && JSON_NODE_HOLDS_NULL (items))
    return g_steal_pointer (&out);
  if (items == NULL || !JSON_NODE_HOLDS_ARRAY (items))
    {
      bad (error, "the list has no items");
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (items)); i++)
    {
      gpointer item = read (json_array_get_element (json_node_get_array (items), i), error);
      if (item == NULL)
        return NULL;
      g_ptr_array_add (out, item);
    }
  return g_steal_pointer (&out);
}

static GPtrArray *
http_list_pods (KsMetricsClient *self, const char *ns, const KsLabelSelector *selector,
                GError **error)
{
  g_autofree char *path = metrics_path ("pods", ns, NULL, selector);
  g_autoptr (JsonNode) answer = request ((HttpClient *) self, path, error);

  return answer != NULL ? read_list (answer, (gpointer) ks_pod_metrics_from_json,
                                     (GDestroyNotify) ks_pod_metrics_free, error)
                        : NULL;
}

static KsPodMetrics *
http_get_pod (KsMetricsClient *self, const char *ns, const char *name, GError **error)
{
  g_autofree char *path = metrics_path ("pods", ns, name, NULL);
  g_autoptr (JsonNode) answer = request ((HttpClient *) self, path, error);

  return answer != NULL ? ks_pod_metrics_from_json (answer, error) : NULL;
}

static GPtrArray *
http_list_nodes (KsMetricsClient *self, const KsLabelSelector *selector, GError **error)
{
  g_autofree char *path = metrics_path ("nodes", NULL, NULL, selector);
  g_autoptr (JsonNode) answer = request ((HttpClient *) self, path, error);

  return answer != NULL ? read_list (answer, (gpointer) ks_node_metrics_from_json,
                                     (GDestroyNotify) ks_node_metrics_free, error)
                        : NULL;
}

static KsNodeMetrics *
http_get_node (KsMetricsClient *self, const char *name, GError **error)
{
  g_autofree char *path = metrics_path ("nodes", NULL, name, NULL);
  g_autoptr (JsonNode) answer = request ((HttpClient *) self, path, error);

  return answer != NULL ? ks_node_metrics_from_json (answer, error) : NULL;
}

static void
http_free (KsMetricsClient *self)
{
  HttpClient *c = (HttpClient *) self;
  ks_rest_free (c->rest);
  g_free (c);
}

static const KsMetricsClientOps http_ops = {
  .list_pods = http_list_pods,
  .get_pod = http_get_pod,
  .list_nodes = http_list_nodes,
  .get_node = http_get_node,
  .free = http_free,
};

KsMetricsClient *
ks_http_metrics_client_new (const char *server, GError **error)
{
  KsRest *rest = ks_rest_new (server, error);
  HttpClient *c;

  if (rest == NULL)
    return NULL;
  c = g_new0 (HttpClient, 1);
  c->parent.ops = &http_ops;
  c->rest = rest;
  return &c->parent;
}
