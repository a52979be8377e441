/* ks-apiserver.c: the REST API over a KsStore (see ks-apiserver.h).
 *
 * Objects travel as JSON in both directions and every write goes through the kind table's
 * codecs: a request body is decoded (MANIFEST mode for creates, STORED mode for the rest),
 * and updates, patches and subresources work on the JSON of the stored object (encode, change,
 * decode), so a new kind in the table is served without code here.
 *
 * Watches: the server watches the whole store once and keeps the last events in a ring (the
 * watch cache).  Each watch request is a chunked response that receives the events of its kind
 * that pass its namespace and selectors; an object that starts or stops passing them arrives as
 * ADDED or DELETED, as Kubernetes' watch cache does.  Writing never blocks: an event is appended
 * to the response body and libsoup writes it when the socket takes it; a client that falls too
 * far behind is disconnected. */
#include "config.h"

#include <errno.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/socket.h>

#include "ks-api-patch.h"
#include "ks-api-select.h"
#include "ks-api-status.h"
#include "ks-apiserver.h"
#include "ks-http-listen.h"
#include "ks-metrics-api.h"
#include "src/api/ks-autoscaling.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-selector.h"
#include "src/api/ks-yaml.h"
#include "src/controllers/ks-evict.h"

#define NOT_FOUND_MESSAGE "the server could not find the requested resource"
#define DEFAULT_WATCH_TIMEOUT (30 * KS_USEC_PER_MIN)
#define LOG_CHUNK 16384

/* Kind traits the kind table does not carry.  By name, so that kinds added to the table get
 * the common behaviour unless listed. */
static const char *const scalable_kinds[] = { "Deployment", "ReplicaSet", "StatefulSet" };
/* The "all" category (kubectl get all). */
static const char *const all_category_kinds[] = { "Pod",        "Service",     "Deployment",
                                                  "ReplicaSet", "StatefulSet", "DaemonSet",
                                                  "Job",        "CronJob" };
/* Kinds whose create keeps the status it is given (Kubernetes' node strategy: the kubelet
 * registers its Node with capacity and conditions); other kinds' creates drop it. */
static const char *const status_on_create_kinds[] = { "Node" };
/* Kinds whose registry returns the deleted object rather than a Status (ReturnDeletedObject). */
static const char *const return_deleted_kinds[] = { "Pod", "Service" };

static gboolean
name_in (const char *name, const char *const *list, guint n)
{
  for (guint i = 0; i < n; i++)
    if (strcmp (list[i], name) == 0)
      return TRUE;
  return FALSE;
}

#define KIND_IN(kind, list) name_in ((kind)->name, list, G_N_ELEMENTS (list))

static const char *
kind_version (const KsKind *kind)
{
  const char *slash = strchr (kind->api_version, '/');
  return slash != NULL ? slash + 1 : kind->api_version;
}

/* "pods", "deployments.apps": the qualified resource of NotFound and friends. */
/* The version of kind's other API version (other_api_version "autoscaling/v1": "v1"), or
 * NULL. */
static const char *
kind_other_version (const KsKind *kind)
{
  const char *slash
      = kind->other_api_version != NULL ? strchr (kind->other_api_version, '/') : NULL;

  return slash != NULL ? slash + 1 : kind->other_api_version;
}

/* An object's JSON in the stored version, or in the kind's other version (v1); a new tree. */
static JsonNode *
object_encode_version (const KsObject *obj, gboolean v1, gint64 epoch)
{
  if (v1 && obj->kind->id == KS_KIND_HORIZONTAL_POD_AUTOSCALER)
    return ks_hpa_encode_v1 (KS_HPA (obj), epoch);
  return ks_object_encode (obj, epoch);
}

static char *
object_json_version (const KsObject *obj, gboolean v1, gint64 epoch)
{
  g_autoptr (JsonNode) node = NULL;

  if (!v1)
    return ks_object_to_json (obj, epoch);
  node = object_encode_version (obj, v1, epoch);
  return json_to_string (node, FALSE);
}

static char *
qualified_resource (const KsKind *kind)
{
  if (kind->group[0] == '\0')
    return g_strdup (kind->plural);
  return g_strdup_printf ("%s.%s", kind->plural, kind->group);
}

/* "Pod", "Deployment.apps": the qualified kind of Invalid. */
static char *
qualified_kind (const KsKind *kind)
{
  if (kind->group[0] == '\0')
    return g_strdup (kind->name);
  return g_strdup_printf ("%s.%s", kind->name, kind->group);
}

/* The watch cache */

typedef struct
{
  guint64 rv;
  KsWatchEventType type;
  KsObject *object;
  KsObject *old_object;
  char *json; /* the object's JSON, made when a watcher first needs it */
} CacheEvent;

typedef struct _Watcher Watcher;
typedef struct _LogProxy LogProxy;

struct _KsApiServer
{
  KsStore *store;
  KsClock *clock;
  gint64 epoch;
  SoupServer *soup;
  guint port;
  guint store_watch;

  CacheEvent *ring;
  guint capacity;
  guint first;
  guint len;
  guint64 floor; /* every event after this resourceVersion is in the ring */

  GPtrArray *watchers; /* Watcher* */
  gsize watch_queue_limit;
  gint64 bookmark_interval;

  SoupSession *proxy_session;
  GPtrArray *log_proxies; /* LogProxy* */

  KsMetricsServer *metrics; /* metrics.k8s.io, or NULL: not served */
};

static void
cache_event_clear (CacheEvent *e)
{
  g_clear_pointer (&e->object, ks_object_unref);
  g_clear_pointer (&e->old_object, ks_object_unref);
  g_clear_pointer (&e->json, g_free);
}

static CacheEvent *
cache_at (KsApiServer *s, guint i)
{
  return &s->ring[(s->first + i) % s->capacity];
}

static const char *
cache_event_json (KsApiServer *s, CacheEvent *e)
{
  if (e->json == NULL)
    e->json = ks_object_to_json (e->object, s->epoch);
  return e->json;
}

/* HTTP helpers */

typedef struct
{
  KsApiServer *server;
  SoupServerMessage *msg;
  const char *method;
  GHashTable *query;
  const KsKind *kind;
  const char *ns;   /* from the URL, or NULL */
  const char *name; /* item name, or NULL for the collection */
  const char *sub;  /* subresource, or NULL */
  gboolean v1;      /* the URL's version is the kind's other one (autoscaling/v1 HPAs): bodies
                     * are converted to and from the stored version */
} Req;

static void
reply_text (SoupServerMessage *msg, guint code, const char *content_type, char *text)
{
  soup_server_message_set_status (msg, code, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE, text, strlen (text));
}

static void
reply_json (SoupServerMessage *msg, guint code, char *json)
{
  reply_text (msg, code, "application/json", json);
}

static void
reply_object (Req *r, guint code, const KsObject *obj)
{
  reply_json (r->msg, code, object_json_version (obj, r->v1, r->server->epoch));
}

/* The apiVersion bodies of this request have. */
static const char *
req_api_version (Req *r)
{
  return r->v1 ? r->kind->other_api_version : r->kind->api_version;
}

static void
reply_failure (SoupServerMessage *msg, guint code, const char *reason, const char *message,
               gboolean with_details, const char *name, const char *group, const char *kind)
{
  reply_json (msg, code,
              ks_api_status_json ("Failure", code, reason, message, with_details, name, group, kind,
                                  NULL, NULL, 0));
}

static void
reply_not_found_path (SoupServerMessage *msg)
{
  reply_failure (msg, 404, "NotFound", NOT_FOUND_MESSAGE, TRUE, NULL, NULL, NULL);
}

static void
reply_bad_request (Req *r, const char *message)
{
  reply_failure (r->msg, 400, "BadRequest", message, FALSE, NULL, NULL, NULL);
}

static void
reply_internal (Req *r, const char *detail)
{
  g_autofree char *message = g_strdup_printf ("Internal error occurred: %s", detail);
  reply_json (r->msg, 500,
              ks_api_status_json ("Failure", 500, "InternalError", message, TRUE, NULL, NULL, NULL,
                                  NULL, &(KsApiCause){ "", detail, "" }, 1));
}

static void
reply_method_not_allowed (Req *r, const char *action, const char *resource)
{
  g_autofree char *message
      = g_strdup_printf ("%s is not supported on resources of kind \"%s\"", action, resource);
  reply_failure (r->msg, 405, "MethodNotAllowed", message, TRUE, NULL,
                 r->kind != NULL ? r->kind->group : NULL, resource);
}

static void
reply_unsupported_media (Req *r, const char *accepted)
{
  g_autofree char *message = g_strdup_printf (
      "the body of the request was in an unknown format - accepted media types include: %s",
      accepted);
  reply_failure (r->msg, 415, "UnsupportedMediaType", message, FALSE, NULL, NULL, NULL);
}

/* An Invalid status from decoder problems: "<Kind.group> "<name>" is invalid: <errors>". */
static void
reply_invalid_diag (Req *r, const KsKind *kind, const char *name, KsDiag *diag)
{
  guint n = ks_diag_get_count (diag);
  g_autofree KsApiCause *causes = g_new0 (KsApiCause, MAX (n, 1));
  g_autofree char *qkind = qualified_kind (kind);
  GString *errors = g_string_new (NULL);
  g_autofree char *message = NULL;

  for (guint i = 0; i < n; i++)
    {
      const char *path = ks_diag_get_path (diag, i), *text = ks_diag_get_message (diag, i);
      causes[i].reason = g_str_has_prefix (text, "required field is missing") ? "FieldValueRequired"
                                                                              : "FieldValueInvalid";
      causes[i].message = text;
      causes[i].field = path;
      if (i > 0)
        g_string_append (errors, ", ");
      if (path[0] != '\0')
        g_string_append_printf (errors, "%s: ", path);
      g_string_append (errors, text);
    }
  if (n > 1)
    {
      g_string_prepend_c (errors, '[');
      g_string_append_c (errors, ']');
    }
  message
      = g_strdup_printf ("%s \"%s\" is invalid: %s", qkind, name != NULL ? name : "", errors->str);
  g_string_free (errors, TRUE);
  reply_json (r->msg, 422,
              ks_api_status_json ("Failure", 422, "Invalid", message, TRUE,
                                  name != NULL ? name : "", kind->group, kind->name, NULL, causes,
                                  n));
}

/* A failed store write: the store's messages are Kubernetes' already; add reason and details. */
static void
reply_store_error (Req *r, const GError *error, const char *name)
{
  const KsKind *kind = r->kind;
  g_autofree char *resource = qualified_resource (kind);
  guint code;

  if (error->domain != KS_STORE_ERROR || error->code == KS_STORE_ERROR_INTERNAL)
    {
      reply_internal (r, error->message);
      return;
    }
  code = ks_api_store_error_code (error->code);
  switch ((KsStoreError) error->code)
    {
    case KS_STORE_ERROR_BAD_REQUEST:
      reply_failure (r->msg, code, "BadRequest", error->message, FALSE, NULL, NULL, NULL);
      return;
    case KS_STORE_ERROR_INVALID:
      {
        /* "<Kind> "<name>" is invalid: <field>: <detail>": one cause. */
        const char *rest = strstr (error->message, " is invalid: ");
        g_autofree char *field = NULL;
        const char *detail = NULL;
        if (rest != NULL)
          {
            const char *colon;
            rest += strlen (" is invalid: ");
            colon = strstr (rest, ": ");
            field = colon != NULL ? g_strndup (rest, colon - rest) : g_strdup ("");
            detail = colon != NULL ? colon + 2 : rest;
          }
        reply_json (r->msg, code,
                    ks_api_status_json ("Failure", code, "Invalid", error->message, TRUE,
                                        name != NULL ? name : "", kind->group, kind->name, NULL,
                                        &(KsApiCause){ "FieldValueInvalid",
                                                       detail != NULL ? detail : error->message,
                                                       field != NULL ? field : "" },
                                        1));
        return;
      }
    default:
      reply_failure (r->msg, code, ks_api_store_error_reason (error->code), error->message, TRUE,
                     name, kind->group, kind->plural);
      return;
    }
}

static const char *
query_get (Req *r, const char *key)
{
  return r->query != NULL ? g_hash_table_lookup (r->query, key) : NULL;
}

static gboolean
query_true (Req *r, const char *key)
{
  const char *v = query_get (r, key);
  return v != NULL && (strcmp (v, "true") == 0 || strcmp (v, "1") == 0);
}

/* A non-negative integer query parameter: FALSE after replying 400 when it is malformed. */
static gboolean
query_uint (Req *r, const char *key, gboolean *present, guint64 *out)
{
  const char *v = query_get (r, key);
  char *end;

  *present = FALSE;
  if (v == NULL || v[0] == '\0')
    return TRUE;
  *out = g_ascii_strtoull (v, &end, 10);
  if (*end != '\0' || v[0] == '-' || !g_ascii_isdigit (v[0]))
    {
      g_autofree char *message = g_strdup_printf (
          "invalid value for %s: \"%s\": expected a non-negative integer", key, v);
      reply_bad_request (r, message);
      return FALSE;
    }
  *present = TRUE;
  return TRUE;
}

/* Request bodies */

typedef struct
{
  JsonParser *parser;
  KsSource *source;
  JsonNode *root; /* borrowed from parser or source */
} Body;

static void
body_clear (Body *b)
{
  g_clear_object (&b->parser);
  g_clear_pointer (&b->source, ks_source_unref);
}

/* The media type of the request (without parameters), or NULL. */
static const char *
request_media_type (Req *r, char **owned)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (r->msg);
  *owned = g_strdup (soup_message_headers_get_content_type (h, NULL));
  return *owned;
}

/* Parse the body as JSON (or YAML) into a mapping.  FALSE after replying 400 or 415. */
static gboolean
parse_body (Req *r, gboolean yaml_ok, Body *out)
{
  SoupMessageBody *body = soup_server_message_get_request_body (r->msg);
  g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
  g_autofree char *media = NULL;
  g_autoptr (GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  gboolean yaml;

  request_media_type (r, &media);
  yaml = media != NULL
         && (strcmp (media, "application/yaml") == 0 || strcmp (media, "application/x-yaml") == 0);
  if (media != NULL && strcmp (media, "application/json") != 0 && !(yaml && yaml_ok))
    {
      reply_unsupported_media (r,
                               yaml_ok ? "application/json, application/yaml" : "application/json");
      return FALSE;
    }
  if (len == 0)
    {
      reply_bad_request (r, "the request body is empty: expected a JSON object");
      return FALSE;
    }
  if (yaml)
    {
      out->source = ks_source_new_from_data ("request body", data, len, &error);
      if (out->source != NULL && ks_source_get_n_documents (out->source) != 1)
        {
          reply_bad_request (r, "the request body must hold exactly one YAML document");
          return FALSE;
        }
      if (out->source != NULL)
        out->root = ks_source_get_document (out->source, 0);
    }
  else
    {
      out->parser = json_parser_new_immutable ();
      if (json_parser_load_from_data (out->parser, data, len, &error))
        out->root = json_parser_get_root (out->parser);
    }
  if (out->root == NULL)
    {
      g_autofree char *message = g_strdup_printf ("couldn't get version/kind; json parse error: %s",
                                                  error != NULL ? error->message : "");
      reply_bad_request (r, message);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (out->root))
    {
      reply_bad_request (r, "couldn't get version/kind; json parse error: the body must be a JSON "
                            "object");
      return FALSE;
    }
  return TRUE;
}

static JsonObject *
member_object (JsonObject *o, const char *name)
{
  JsonNode *n
      = o != NULL && json_object_has_member (o, name) ? json_object_get_member (o, name) : NULL;
  return n != NULL && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static const char *
member_string (JsonObject *o, const char *name)
{
  JsonNode *n
      = o != NULL && json_object_has_member (o, name) ? json_object_get_member (o, name) : NULL;
  return n != NULL && json_node_get_value_type (n) == G_TYPE_STRING ? json_node_get_string (n)
                                                                    : NULL;
}

/* A deep, mutable copy of a tree (parsed trees may be immutable). */
static JsonNode *
tree_copy (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);
  return json_from_string (text, NULL);
}

/* Check (and fill in) apiVersion and kind of a body against what the URL expects.  FALSE after
 * replying 400. */
static gboolean
check_type (Req *r, JsonObject *o, const char *api_version, const char *kind)
{
  const char *v = member_string (o, "apiVersion");
  const char *k = member_string (o, "kind");

  if (v == NULL || v[0] == '\0')
    json_object_set_string_member (o, "apiVersion", api_version);
  else if (strcmp (v, api_version) != 0)
    {
      g_autofree char *message
          = g_strdup_printf ("the API version in the data (%s) does not match the expected API "
                             "version (%s)",
                             v, api_version);
      reply_bad_request (r, message);
      return FALSE;
    }
  if (k == NULL || k[0] == '\0')
    json_object_set_string_member (o, "kind", kind);
  else if (strcmp (k, kind) != 0)
    {
      g_autofree char *message = g_strdup_printf (
          "the kind in the data (%s) does not match the expected kind (%s)", k, kind);
      reply_bad_request (r, message);
      return FALSE;
    }
  return TRUE;
}

/* The body's namespace must be absent or the URL's; the name (when check_name) the URL's. */
static gboolean
check_name_and_namespace (Req *r, JsonObject *o, gboolean check_name)
{
  JsonObject *meta = member_object (o, "metadata");
  const char *ns = member_string (meta, "namespace");
  const char *name = member_string (meta, "name");

  if (r->kind->namespaced && ns != NULL && ns[0] != '\0' && r->ns != NULL
      && strcmp (ns, r->ns) != 0)
    {
      reply_bad_request (r, "the namespace of the provided object does not match the namespace "
                            "sent on the request");
      return FALSE;
    }
  if (check_name && (name == NULL || strcmp (name, r->name) != 0))
    {
      g_autofree char *message
          = g_strdup_printf ("the name of the object (%s) does not match the name on the URL (%s)",
                             name != NULL ? name : "", r->name);
      reply_bad_request (r, message);
      return FALSE;
    }
  return TRUE;
}

/* Decode a mapping as an object in mode.  NULL after replying 422 with the problems. */
static KsObject *
decode_object (Req *r, JsonNode *tree, KsDecodeMode mode)
{
  g_autoptr (KsDiag) diag = ks_diag_new ();
  g_autoptr (JsonNode) converted = NULL;
  KsDecoder dec;
  KsObject *obj;

  if (r->v1 && r->kind->id == KS_KIND_HORIZONTAL_POD_AUTOSCALER)
    {
      /* An autoscaling/v1 body: decoded as the v2 object Kubernetes' conversion makes of it. */
      g_autoptr (GError) error = NULL;
      converted = ks_hpa_v1_to_v2 (tree, &error);
      if (converted == NULL)
        {
          JsonObject *meta = member_object (json_node_get_object (tree), "metadata");
          ks_diag_add_literal (diag, error->message);
          reply_invalid_diag (r, r->kind, member_string (meta, "name"), diag);
          return NULL;
        }
      tree = converted;
    }
  ks_decoder_init (&dec, NULL, diag);
  dec.mode = mode;
  dec.epoch = r->server->epoch;
  obj = ks_object_decode (&dec, tree, r->kind->namespaced ? r->ns : NULL);
  ks_decoder_clear (&dec);
  if (obj != NULL && obj->kind != r->kind)
    {
      /* check_type has made this impossible; be safe. */
      ks_object_unref (obj);
      obj = NULL;
      ks_diag_add (diag, NULL, 0, 0, "kind", "expected kind %s", r->kind->name);
    }
  if (obj == NULL)
    {
      JsonObject *meta = member_object (json_node_get_object (tree), "metadata");
      reply_invalid_diag (r, r->kind, member_string (meta, "name"), diag);
    }
  return obj;
}

/* Discovery */

static void
builder_string (JsonBuilder *b, const char *member, const char *value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, value);
}

static char *
builder_finish (JsonBuilder *b)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static void
group_version_object (JsonBuilder *b, const char *group, const char *version)
{
  g_autofree char *gv = g_strdup_printf ("%s/%s", group, version);
  json_builder_begin_object (b);
  builder_string (b, "groupVersion", gv);
  builder_string (b, "version", version);
  json_builder_end_object (b);
}

/* The API groups (other than the core group) of the kind table, in table order; each group has
 * one version. */
static GPtrArray *
api_groups (void)
{
  GPtrArray *groups = g_ptr_array_new ();

  for (guint i = 0; i < KS_N_KINDS; i++)
    {
      const KsKind *k = ks_kind_get (i);
      gboolean seen = FALSE;
      if (k->group[0] == '\0')
        continue;
      for (guint j = 0; j < groups->len && !seen; j++)
        seen = strcmp (((const KsKind *) g_ptr_array_index (groups, j))->group, k->group) == 0;
      if (!seen)
        g_ptr_array_add (groups, (gpointer) k);
    }
  return groups;
}

/* A group's versions: its kinds' version, then (autoscaling) the other version its kinds are
 * also served in, after the preferred one as Kubernetes lists them. */
static void
api_group_body (JsonBuilder *b, const KsKind *k)
{
  const char *other = NULL;

  for (guint i = 0; i < KS_N_KINDS && other == NULL; i++)
    {
      const KsKind *o = ks_kind_get (i);
      if (strcmp (o->group, k->group) == 0 && kind_other_version (o) != NULL)
        other = kind_other_version (o);
    }
  builder_string (b, "name", k->group);
  json_builder_set_member_name (b, "versions");
  json_builder_begin_array (b);
  group_version_object (b, k->group, kind_version (k));
  if (other != NULL)
    group_version_object (b, k->group, other);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "preferredVersion");
  group_version_object (b, k->group, kind_version (k));
}

static void
serve_api_versions (KsApiServer *s, SoupServerMessage *msg)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", s->port);

  json_builder_begin_object (b);
  builder_string (b, "kind", "APIVersions");
  json_builder_set_member_name (b, "versions");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "v1");
  json_builder_end_array (b);
  json_builder_set_member_name (b, "serverAddressByClientCIDRs");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  builder_string (b, "clientCIDR", "0.0.0.0/0");
  builder_string (b, "serverAddress", address);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  reply_json (msg, 200, builder_finish (b));
}

/* The metrics.k8s.io group: one version, served by the metrics server (not a kind). */
static void
metrics_group_body (JsonBuilder *b)
{
  builder_string (b, "name", KS_METRICS_API_GROUP);
  json_builder_set_member_name (b, "versions");
  json_builder_begin_array (b);
  group_version_object (b, KS_METRICS_API_GROUP, KS_METRICS_API_VERSION);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "preferredVersion");
  group_version_object (b, KS_METRICS_API_GROUP, KS_METRICS_API_VERSION);
}

static void
serve_api_groups (KsApiServer *s, SoupServerMessage *msg)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (GPtrArray) groups = api_groups ();

  json_builder_begin_object (b);
  builder_string (b, "kind", "APIGroupList");
  builder_string (b, "apiVersion", "v1");
  json_builder_set_member_name (b, "groups");
  json_builder_begin_array (b);
  for (guint i = 0; i < groups->len; i++)
    {
      json_builder_begin_object (b);
      api_group_body (b, g_ptr_array_index (groups, i));
      json_builder_end_object (b);
    }
  if (s->metrics != NULL)
    {
      json_builder_begin_object (b);
      metrics_group_body (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  reply_json (msg, 200, builder_finish (b));
}

static void
serve_api_group (SoupServerMessage *msg, const char *group)
{
  g_autoptr (GPtrArray) groups = api_groups ();

  for (guint i = 0; i < groups->len; i++)
    {
      const KsKind *k = g_ptr_array_index (groups, i);
      if (strcmp (k->group, group) == 0)
        {
          g_autoptr (JsonBuilder) b = json_builder_new ();
          json_builder_begin_object (b);
          builder_string (b, "kind", "APIGroup");
          builder_string (b, "apiVersion", "v1");
          api_group_body (b, k);
          json_builder_end_object (b);
          reply_json (msg, 200, builder_finish (b));
          return;
        }
    }
  reply_not_found_path (msg);
}

typedef struct
{
  char *name;
  JsonNode *node;
} ResourceEntry;

static int
resource_entry_compare (gconstpointer a, gconstpointer b)
{
  return strcmp (((const ResourceEntry *) a)->name, ((const ResourceEntry *) b)->name);
}

static void
resource_entry_clear (gpointer p)
{
  ResourceEntry *e = p;
  g_free (e->name);
  json_node_unref (e->node);
}

static void
add_resource (GArray *entries, const char *name, const char *singular, gboolean namespaced,
              const char *group, const char *version, const char *kind, const char *const *verbs,
              const char *short_name, gboolean all_category)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  ResourceEntry e;

  json_builder_begin_object (b);
  builder_string (b, "name", name);
  builder_string (b, "singularName", singular);
  json_builder_set_member_name (b, "namespaced");
  json_builder_add_boolean_value (b, namespaced);
  if (group != NULL)
    {
      builder_string (b, "group", group);
      builder_string (b, "version", version);
    }
  builder_string (b, "kind", kind);
  json_builder_set_member_name (b, "verbs");
  json_builder_begin_array (b);
  for (guint i = 0; verbs[i] != NULL; i++)
    json_builder_add_string_value (b, verbs[i]);
  json_builder_end_array (b);
  if (short_name != NULL)
    {
      json_builder_set_member_name (b, "shortNames");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, short_name);
      json_builder_end_array (b);
    }
  if (all_category)
    {
      json_builder_set_member_name (b, "categories");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, "all");
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  e.name = g_strdup (name);
  e.node = json_builder_get_root (b);
  g_array_append_val (entries, e);
}

static void
serve_resource_list (SoupServerMessage *msg, const char *group, const char *version)
{
  static const char *const verbs[]
      = { "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch", NULL };
  static const char *const sub_verbs[] = { "get", "patch", "update", NULL };
  static const char *const create_verb[] = { "create", NULL };
  static const char *const get_verb[] = { "get", NULL };
  g_autoptr (GArray) entries = g_array_new (FALSE, FALSE, sizeof (ResourceEntry));
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *gv
      = group[0] == '\0' ? g_strdup (version) : g_strdup_printf ("%s/%s", group, version);
  gboolean found = FALSE;

  g_array_set_clear_func (entries, resource_entry_clear);
  for (guint i = 0; i < KS_N_KINDS; i++)
    {
      const KsKind *k = ks_kind_get (i);
      g_autofree char *singular = NULL;
      g_autofree char *sub = NULL;
      gboolean other = g_strcmp0 (kind_other_version (k), version) == 0;
      if (strcmp (k->group, group) != 0 || (strcmp (kind_version (k), version) != 0 && !other))
        continue;
      found = TRUE;
      singular = g_ascii_strdown (k->name, -1);
      add_resource (entries, k->plural, singular, k->namespaced, NULL, NULL, k->name, verbs,
                    k->short_name, KIND_IN (k, all_category_kinds));
      if (k->copy_status != NULL)
        {
          sub = g_strconcat (k->plural, "/status", NULL);
          add_resource (entries, sub, "", k->namespaced, NULL, NULL, k->name, sub_verbs, NULL,
                        FALSE);
          g_clear_pointer (&sub, g_free);
        }
      if (KIND_IN (k, scalable_kinds) && !other)
        {
          sub = g_strconcat (k->plural, "/scale", NULL);
          add_resource (entries, sub, "", k->namespaced, "autoscaling", "v1", "Scale", sub_verbs,
                        NULL, FALSE);
          g_clear_pointer (&sub, g_free);
        }
      if (k->id == KS_KIND_POD)
        {
          add_resource (entries, "pods/binding", "", TRUE, NULL, NULL, "Binding", create_verb, NULL,
                        FALSE);
          add_resource (entries, "pods/eviction", "", TRUE, "policy", "v1", "Eviction", create_verb,
                        NULL, FALSE);
          add_resource (entries, "pods/log", "", TRUE, NULL, NULL, "Pod", get_verb, NULL, FALSE);
        }
    }
  if (!found)
    {
      reply_not_found_path (msg);
      return;
    }
  g_array_sort (entries, resource_entry_compare);
  json_builder_begin_object (b);
  builder_string (b, "kind", "APIResourceList");
  builder_string (b, "apiVersion", "v1");
  builder_string (b, "groupVersion", gv);
  json_builder_set_member_name (b, "resources");
  json_builder_begin_array (b);
  for (guint i = 0; i < entries->len; i++)
    json_builder_add_value (b, json_node_ref (g_array_index (entries, ResourceEntry, i).node));
  json_builder_end_array (b);
  json_builder_end_object (b);
  reply_json (msg, 200, builder_finish (b));
}

static void
serve_metrics_resource_list (SoupServerMessage *msg)
{
  static const char *const verbs[] = { "get", "list", NULL };
  g_autoptr (GArray) entries = g_array_new (FALSE, FALSE, sizeof (ResourceEntry));
  g_autoptr (JsonBuilder) b = json_builder_new ();

  g_array_set_clear_func (entries, resource_entry_clear);
  add_resource (entries, "nodes", "", FALSE, NULL, NULL, "NodeMetrics", verbs, NULL, FALSE);
  add_resource (entries, "pods", "", TRUE, NULL, NULL, "PodMetrics", verbs, NULL, FALSE);
  json_builder_begin_object (b);
  builder_string (b, "kind", "APIResourceList");
  builder_string (b, "apiVersion", "v1");
  builder_string (b, "groupVersion", KS_METRICS_API_GROUP "/" KS_METRICS_API_VERSION);
  json_builder_set_member_name (b, "resources");
  json_builder_begin_array (b);
  for (guint i = 0; i < entries->len; i++)
    json_builder_add_value (b, json_node_ref (g_array_index (entries, ResourceEntry, i).node));
  json_builder_end_array (b);
  json_builder_end_object (b);
  reply_json (msg, 200, builder_finish (b));
}

/* /apis/metrics.k8s.io/...: discovery here, the rest in ks-metrics-api. */
static void
route_metrics (KsApiServer *s, SoupServerMessage *msg, char **segs, guint n, GHashTable *query)
{
  if (n == 2)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      builder_string (b, "kind", "APIGroup");
      builder_string (b, "apiVersion", "v1");
      metrics_group_body (b);
      json_builder_end_object (b);
      reply_json (msg, 200, builder_finish (b));
    }
  else if (strcmp (segs[2], KS_METRICS_API_VERSION) != 0)
    reply_not_found_path (msg);
  else if (n == 3)
    serve_metrics_resource_list (msg);
  else
    ks_metrics_api_serve (s->metrics, s->store, s->epoch, msg, segs + 3, n - 3, query);
}

static void
serve_version (SoupServerMessage *msg)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  builder_string (b, "major", "1");
  builder_string (b, "minor", "32");
  builder_string (b, "gitVersion", "v1.32.0+kubesim-" PACKAGE_VERSION);
  builder_string (b, "gitCommit", "");
  builder_string (b, "gitTreeState", "");
  builder_string (b, "buildDate", "");
  builder_string (b, "goVersion", "");
  builder_string (b, "compiler", "kubesim");
#if defined(__x86_64__)
  builder_string (b, "platform", "linux/amd64");
#elif defined(__aarch64__)
  builder_string (b, "platform", "linux/arm64");
#else
  builder_string (b, "platform", "linux/unknown");
#endif
  json_builder_end_object (b);
  reply_json (msg, 200, builder_finish (b));
}

/* OpenAPI v3, the least kubectl needs to send fieldValidation=Strict instead of validating on the
 * client (see docs/real-mode.md). */

static char *
gv_path (const KsKind *k)
{
  return k->group[0] == '\0' ? g_strdup ("api/v1")
                             : g_strdup_printf ("apis/%s/%s", k->group, kind_version (k));
}

static char *
openapi_document (const char *path)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  gboolean found = FALSE;

  json_builder_begin_object (b);
  builder_string (b, "openapi", "3.0.0");
  json_builder_set_member_name (b, "info");
  json_builder_begin_object (b);
  builder_string (b, "title", "Kubernetes");
  builder_string (b, "version", "v1.32.0");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "paths");
  json_builder_begin_object (b);
  for (guint i = 0; i < KS_N_KINDS; i++)
    {
      const KsKind *k = ks_kind_get (i);
      g_autofree char *p = gv_path (k);
      g_autofree char *item = NULL;
      if (strcmp (p, path) != 0)
        continue;
      found = TRUE;
      item = k->namespaced ? g_strdup_printf ("/%s/namespaces/{namespace}/%s/{name}", p, k->plural)
                           : g_strdup_printf ("/%s/%s/{name}", p, k->plural);
      json_builder_set_member_name (b, item);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "patch");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "x-kubernetes-group-version-kind");
      json_builder_begin_object (b);
      builder_string (b, "group", k->group);
      builder_string (b, "version", kind_version (k));
      builder_string (b, "kind", k->name);
      json_builder_end_object (b);
      json_builder_set_member_name (b, "parameters");
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      builder_string (b, "name", "fieldValidation");
      builder_string (b, "in", "query");
      json_builder_set_member_name (b, "schema");
      json_builder_begin_object (b);
      builder_string (b, "type", "string");
      json_builder_end_object (b);
      json_builder_end_object (b);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "requestBody");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "content");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "application/merge-patch+json");
      json_builder_begin_object (b);
      json_builder_end_object (b);
      json_builder_set_member_name (b, "application/json-patch+json");
      json_builder_begin_object (b);
      json_builder_end_object (b);
      json_builder_end_object (b);
      json_builder_end_object (b);
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  return found ? builder_finish (b) : NULL;
}

static void
serve_openapi (SoupServerMessage *msg, char **segs, guint n)
{
  if (n == 2)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "paths");
      json_builder_begin_object (b);
      for (guint i = 0; i < KS_N_KINDS; i++)
        {
          char *p = gv_path (ks_kind_get (i));
          g_autofree char *doc = NULL;
          g_autofree char *hash = NULL;
          g_autofree char *url = NULL;
          if (g_ptr_array_find_with_equal_func (seen, p, g_str_equal, NULL))
            {
              g_free (p);
              continue;
            }
          g_ptr_array_add (seen, p);
          doc = openapi_document (p);
          hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, doc, -1);
          url = g_strdup_printf ("/openapi/v3/%s?hash=%s", p, hash);
          json_builder_set_member_name (b, p);
          json_builder_begin_object (b);
          builder_string (b, "serverRelativeURL", url);
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
      json_builder_end_object (b);
      reply_json (msg, 200, builder_finish (b));
      return;
    }
  {
    g_autofree char *path = g_strjoinv ("/", segs + 2);
    char *doc = openapi_document (path);
    if (doc == NULL)
      reply_not_found_path (msg);
    else
      reply_json (msg, 200, doc);
  }
}

/* Streaming responses (watches, logs): their clients send nothing after the request, so the
 * socket becoming readable means the peer closed it (or sent something it should not).  Noticing
 * that at once frees the stream, rather than when its next write fails. */

typedef void (*PeerClosedFunc) (gpointer data);

typedef struct
{
  PeerClosedFunc func;
  gpointer data;
} PeerWatch;

static gboolean
on_peer_input (GSocket *socket, GIOCondition condition, gpointer data)
{
  PeerWatch *pw = data;
  char c;
  gssize n = recv (g_socket_get_fd (socket), &c, 1, MSG_PEEK | MSG_DONTWAIT);

  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    pw->func (pw->data);
  return G_SOURCE_REMOVE; /* closed, or data that is not ours to read: stop looking */
}

/* A source (attached to the thread-default context) calling func (data) once when the client of
 * msg closes its connection; NULL when msg has no socket.  Destroy and unref it when done. */
static GSource *
peer_watch_new (SoupServerMessage *msg, PeerClosedFunc func, gpointer data)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  PeerWatch *pw;
  GSource *source;

  if (socket == NULL)
    return NULL;
  pw = g_new (PeerWatch, 1);
  pw->func = func;
  pw->data = data;
  source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (source, G_SOURCE_FUNC (on_peer_input), pw, g_free);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

static void
source_clear (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

/* Drop a streaming response now: shut the socket down so that libsoup's pending write fails and
 * the message finishes. */
static void
stream_abort (SoupServerMessage *msg, gboolean complete)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  if (complete)
    soup_message_body_complete (soup_server_message_get_response_body (msg));
  soup_server_message_unpause (msg);
}

/* Watch streams */

struct _Watcher
{
  KsApiServer *server;
  SoupServerMessage *msg;
  const KsKind *kind;
  const char *ns; /* interned, or NULL for every namespace */
  KsApiSelector *selector;
  gboolean v1; /* objects in the kind's other version */
  gboolean bookmarks;
  guint64 timeout_task;
  guint64 bookmark_task;
  GSource *hup_source;
  GQueue sizes; /* bytes of each chunk not yet written */
  gsize queued;
  gboolean closing;
  gulong finished_id;
  gulong wrote_chunk_id;
};

static void
watcher_free (Watcher *w)
{
  KsClock *clock = w->server->clock;

  g_ptr_array_remove_fast (w->server->watchers, w);
  ks_clock_cancel (clock, w->timeout_task);
  ks_clock_cancel (clock, w->bookmark_task);
  source_clear (&w->hup_source);
  g_signal_handler_disconnect (w->msg, w->finished_id);
  g_signal_handler_disconnect (w->msg, w->wrote_chunk_id);
  g_object_unref (w->msg);
  ks_api_selector_free (w->selector);
  g_queue_clear (&w->sizes);
  g_free (w);
}

static void
on_watch_finished (SoupServerMessage *msg, gpointer data)
{
  watcher_free (data);
}

static void
on_watch_wrote_chunk (SoupServerMessage *msg, gpointer data)
{
  Watcher *w = data;
  gsize n = GPOINTER_TO_SIZE (g_queue_pop_head (&w->sizes));

  w->queued -= MIN (n, w->queued);
}

/* End the stream: what is queued is still written, then the response completes. */
static void
watcher_end (Watcher *w)
{
  if (w->closing)
    return;
  w->closing = TRUE;
  soup_message_body_complete (soup_server_message_get_response_body (w->msg));
  soup_server_message_unpause (w->msg);
}

/* Drop the connection now (a client gone or too slow): libsoup's pending write fails and the
 * message finishes. */
static void
watcher_abort (Watcher *w)
{
  stream_abort (w->msg, !w->closing);
  w->closing = TRUE;
}

static void
watcher_write (Watcher *w, const char *type, const char *object_json)
{
  char *line;
  gsize len;

  if (w->closing)
    return;
  line = g_strdup_printf ("{\"type\":\"%s\",\"object\":%s}\n", type, object_json);
  len = strlen (line);
  soup_message_body_append (soup_server_message_get_response_body (w->msg), SOUP_MEMORY_TAKE, line,
                            len);
  g_queue_push_tail (&w->sizes, GSIZE_TO_POINTER (len));
  w->queued += len;
  soup_server_message_unpause (w->msg);
  if (w->queued > w->server->watch_queue_limit)
    {
      g_message ("closing a watch of %s: its client has not read %" G_GSIZE_FORMAT " bytes",
                 w->kind->plural, w->queued);
      watcher_abort (w);
    }
}

static void
watcher_write_status (Watcher *w, guint code, const char *reason, const char *message)
{
  g_autofree char *status = ks_api_status_json ("Failure", code, reason, message, FALSE, NULL, NULL,
                                                NULL, NULL, NULL, 0);
  watcher_write (w, "ERROR", status);
}

static void
watcher_write_bookmark (Watcher *w)
{
  g_autofree char *object = g_strdup_printf (
      "{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":{\"resourceVersion\":"
      "\"%" G_GUINT64_FORMAT "\"}}",
      w->kind->name, w->kind->api_version, ks_store_get_resource_version (w->server->store));
  watcher_write (w, "BOOKMARK", object);
}

static gboolean
watcher_passes (const Watcher *w, const KsObject *obj)
{
  return (w->ns == NULL || obj->meta.namespace == w->ns)
         && ks_api_selector_matches (w->selector, obj);
}

/* Offer a cache event to a watcher: it gets it, or ADDED/DELETED when the object starts or stops
 * passing its filters, or nothing. */
static void
watcher_offer (Watcher *w, CacheEvent *e)
{
  gboolean now, before;

  if (w->closing || e->object->kind != w->kind)
    return;
  now = watcher_passes (w, e->object);
  if (w->v1 && now)
    {
      /* Converted for this watcher (the cache keeps the stored version's JSON). */
      g_autofree char *json = object_json_version (e->object, TRUE, w->server->epoch);
      before = e->type == KS_WATCH_MODIFIED && e->old_object != NULL
               && watcher_passes (w, e->old_object);
      watcher_write (w,
                     e->type != KS_WATCH_MODIFIED || e->old_object == NULL
                         ? ks_watch_event_type_name (e->type)
                     : before ? "MODIFIED"
                              : "ADDED",
                     json);
      return;
    }
  if (e->type != KS_WATCH_MODIFIED || e->old_object == NULL)
    {
      if (now)
        watcher_write (w, ks_watch_event_type_name (e->type), cache_event_json (w->server, e));
      return;
    }
  before = watcher_passes (w, e->old_object);
  if (now)
    watcher_write (w, before ? "MODIFIED" : "ADDED", cache_event_json (w->server, e));
  else if (before)
    {
      /* The last state it passed, at the event's resourceVersion (as Kubernetes does). */
      g_autoptr (KsObject) last = ks_object_copy (e->old_object);
      g_autofree char *json = NULL;
      last->meta.resource_version = e->rv;
      json = object_json_version (last, w->v1, w->server->epoch);
      watcher_write (w, "DELETED", json);
    }
}

static void
on_watch_timeout (gpointer data)
{
  Watcher *w = data;

  w->timeout_task = 0;
  if (w->bookmarks)
    watcher_write_bookmark (w);
  watcher_end (w);
}

static void
on_bookmark_due (gpointer data)
{
  Watcher *w = data;

  w->bookmark_task = 0;
  if (w->closing)
    return;
  watcher_write_bookmark (w);
  w->bookmark_task = ks_clock_schedule_in (w->server->clock, w->server->bookmark_interval,
                                           on_bookmark_due, w, NULL);
}

static void
on_watch_peer_closed (gpointer data)
{
  Watcher *w = data;

  /* The source is being dispatched and goes when it returns. */
  g_clear_pointer (&w->hup_source, g_source_unref);
  watcher_abort (w);
}

static void
on_store_event (const KsWatchEvent *event, gpointer data)
{
  KsApiServer *s = data;
  CacheEvent *e;

  if (s->len == s->capacity)
    {
      e = cache_at (s, 0);
      s->floor = e->rv;
      cache_event_clear (e);
      s->first = (s->first + 1) % s->capacity;
      s->len--;
    }
  e = cache_at (s, s->len);
  s->len++;
  e->rv = event->object->meta.resource_version;
  e->type = event->type;
  e->object = ks_object_ref (event->object);
  e->old_object = event->old_object != NULL ? ks_object_ref (event->old_object) : NULL;
  e->json = NULL;
  for (guint i = 0; i < s->watchers->len; i++)
    watcher_offer (g_ptr_array_index (s->watchers, i), e);
}

/* The index of the first cached event after rv. */
static guint
cache_find_after (KsApiServer *s, guint64 rv)
{
  guint lo = 0, hi = s->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (cache_at (s, mid)->rv <= rv)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
serve_watch (Req *r, KsApiSelector *selector)
{
  KsApiServer *s = r->server;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (r->msg);
  const char *rv_text = query_get (r, "resourceVersion");
  guint64 rv = 0, timeout = 0;
  gboolean has_timeout;
  Watcher *w;

  if (!query_uint (r, "timeoutSeconds", &has_timeout, &timeout))
    {
      ks_api_selector_free (selector);
      return;
    }
  if (rv_text != NULL && rv_text[0] != '\0')
    {
      char *end;
      rv = g_ascii_strtoull (rv_text, &end, 10);
      if (*end != '\0' || !g_ascii_isdigit (rv_text[0]))
        {
          g_autofree char *message
              = g_strdup_printf ("invalid resourceVersion \"%s\": expected a number", rv_text);
          ks_api_selector_free (selector);
          reply_bad_request (r, message);
          return;
        }
    }

  w = g_new0 (Watcher, 1);
  w->server = s;
  w->msg = g_object_ref (r->msg);
  w->kind = r->kind;
  w->ns = r->ns != NULL ? ks_intern (r->ns) : NULL;
  w->selector = selector;
  w->v1 = r->v1;
  w->bookmarks = query_true (r, "allowWatchBookmarks");
  g_queue_init (&w->sizes);
  g_ptr_array_add (s->watchers, w);
  w->finished_id = g_signal_connect (r->msg, "finished", G_CALLBACK (on_watch_finished), w);
  w->wrote_chunk_id
      = g_signal_connect (r->msg, "wrote-chunk", G_CALLBACK (on_watch_wrote_chunk), w);

  soup_server_message_set_status (r->msg, 200, NULL);
  soup_message_headers_set_content_type (headers, "application/json", NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_body_set_accumulate (soup_server_message_get_response_body (r->msg), FALSE);

  if (rv > ks_store_get_resource_version (s->store))
    {
      g_autofree char *message = g_strdup_printf ("Too large resource version: %" G_GUINT64_FORMAT
                                                  ", current: %" G_GUINT64_FORMAT,
                                                  rv, ks_store_get_resource_version (s->store));
      watcher_write_status (w, 504, "Timeout", message);
      watcher_end (w);
      return;
    }
  if (rv != 0 && rv < s->floor)
    {
      g_autofree char *message = g_strdup_printf (
          "too old resource version: %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT ")", rv, s->floor);
      watcher_write_status (w, 410, "Expired", message);
      watcher_end (w);
      return;
    }
  if (rv != 0)
    {
      for (guint i = cache_find_after (s, rv); i < s->len; i++)
        watcher_offer (w, cache_at (s, i));
    }
  else
    {
      /* No version (or 0): the current state as ADDED events, then the changes. */
      g_autoptr (GPtrArray) objects = g_ptr_array_new ();
      ks_store_list (s->store, r->kind, r->ns, objects);
      for (guint i = 0; i < objects->len; i++)
        {
          KsObject *obj = g_ptr_array_index (objects, i);
          if (watcher_passes (w, obj))
            {
              g_autofree char *json = object_json_version (obj, w->v1, s->epoch);
              watcher_write (w, "ADDED", json);
            }
        }
    }
  if (w->closing)
    return;
  /* timeoutSeconds=0, as no timeoutSeconds, means the server's default. */
  w->timeout_task = ks_clock_schedule_in (s->clock,
                                          has_timeout && timeout > 0
                                              ? (gint64) MIN (timeout, G_MAXINT32) * KS_USEC_PER_SEC
                                              : DEFAULT_WATCH_TIMEOUT,
                                          on_watch_timeout, w, NULL);
  if (w->bookmarks)
    w->bookmark_task
        = ks_clock_schedule_in (s->clock, s->bookmark_interval, on_bookmark_due, w, NULL);
  w->hup_source = peer_watch_new (r->msg, on_watch_peer_closed, w);
}

/* Reads */

static void
append_list_head (GString *out, const KsKind *kind, const char *api_version, guint64 rv,
                  const char *cont, guint remaining)
{
  g_string_append_printf (out,
                          "{\"kind\":\"%sList\",\"apiVersion\":\"%s\",\"metadata\":{"
                          "\"resourceVersion\":\"%" G_GUINT64_FORMAT "\"",
                          kind->name, api_version, rv);
  if (cont != NULL)
    g_string_append_printf (out, ",\"continue\":\"%s\",\"remainingItemCount\":%u", cont, remaining);
  g_string_append (out, "},\"items\":[");
}

static void
serve_list (Req *r, KsApiSelector *selector)
{
  KsApiServer *s = r->server;
  g_autoptr (GPtrArray) objects = g_ptr_array_new ();
  g_autoptr (GPtrArray) selected = g_ptr_array_new ();
  g_autofree char *start_key = NULL;
  g_autofree char *next = NULL;
  const char *cont = query_get (r, "continue");
  guint64 limit = 0;
  gboolean has_limit;
  guint begin = 0, end;
  GString *out;

  if (!query_uint (r, "limit", &has_limit, &limit))
    return;
  if (cont != NULL && cont[0] != '\0')
    {
      gsize len;
      guchar *raw = g_base64_decode (cont, &len);
      if (len == 0 || !g_utf8_validate ((const char *) raw, len, NULL))
        {
          g_free (raw);
          reply_bad_request (r, "continue key is not valid: expected a token from a previous list");
          return;
        }
      start_key = g_strndup ((const char *) raw, len);
      g_free (raw);
    }
  ks_store_list (s->store, r->kind, r->ns, objects);
  for (guint i = 0; i < objects->len; i++)
    {
      KsObject *obj = g_ptr_array_index (objects, i);
      if (ks_api_selector_matches (selector, obj))
        g_ptr_array_add (selected, obj);
    }
  if (start_key != NULL)
    {
      /* The page starts after the last key of the previous one, in list order. */
      const char *slash = r->kind->namespaced ? strchr (start_key, '/') : NULL;
      g_autofree char *start_ns = slash != NULL ? g_strndup (start_key, slash - start_key) : NULL;
      const char *start_name = slash != NULL ? slash + 1 : start_key;
      while (begin < selected->len)
        {
          const KsObject *obj = g_ptr_array_index (selected, begin);
          int c = start_ns != NULL ? strcmp (obj->meta.namespace, start_ns) : 0;
          if (c == 0)
            c = strcmp (obj->meta.name, start_name);
          if (c > 0)
            break;
          begin++;
        }
    }
  end = selected->len;
  if (has_limit && limit > 0 && end - begin > limit)
    {
      g_autofree char *key = NULL;
      end = begin + (guint) limit;
      key = ks_object_key (g_ptr_array_index (selected, end - 1));
      next = g_base64_encode ((const guchar *) key, strlen (key));
    }
  out = g_string_new (NULL);
  append_list_head (out, r->kind, req_api_version (r), ks_store_get_resource_version (s->store),
                    next, selected->len - end);
  for (guint i = begin; i < end; i++)
    {
      g_autofree char *json
          = object_json_version (g_ptr_array_index (selected, i), r->v1, s->epoch);
      if (i > begin)
        g_string_append_c (out, ',');
      g_string_append (out, json);
    }
  g_string_append (out, "]}");
  reply_json (r->msg, 200, g_string_free (out, FALSE));
}

static KsObject *
get_or_reply (Req *r)
{
  KsObject *obj = ks_store_get (r->server->store, r->kind, r->ns, r->name);

  if (obj == NULL)
    {
      g_autofree char *resource = qualified_resource (r->kind);
      g_autofree char *message = g_strdup_printf ("%s \"%s\" not found", resource, r->name);
      reply_failure (r->msg, 404, "NotFound", message, TRUE, r->name, r->kind->group,
                     r->kind->plural);
    }
  return obj;
}

/* Writes */

static void
serve_create (Req *r)
{
  Body body = { 0 };
  g_autoptr (JsonNode) tree = NULL;
  JsonObject *o;
  g_autoptr (KsObject) obj = NULL;
  g_autoptr (GError) error = NULL;
  KsObject *stored;

  if (query_get (r, "dryRun") != NULL)
    {
      reply_bad_request (r, "dryRun is not supported by kubesim");
      return;
    }
  if (!parse_body (r, TRUE, &body))
    goto out;
  tree = tree_copy (body.root);
  o = json_node_get_object (tree);
  if (!check_type (r, o, req_api_version (r), r->kind->name)
      || !check_name_and_namespace (r, o, FALSE))
    goto out;
  /* A stored object's decoding reads status; the store sets the server's metadata anew. */
  obj = decode_object (
      r, tree, KIND_IN (r->kind, status_on_create_kinds) ? KS_DECODE_STORED : KS_DECODE_MANIFEST);
  if (obj == NULL)
    goto out;
  stored = ks_store_create (r->server->store, obj, &error);
  if (stored == NULL)
    {
      JsonObject *meta = member_object (o, "metadata");
      const char *name = member_string (meta, "name");
      if (g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND) && r->ns != NULL)
        reply_failure (r->msg, 404, "NotFound", error->message, TRUE, r->ns, NULL, "namespaces");
      else
        reply_store_error (r, error, name);
      goto out;
    }
  reply_object (r, 201, stored);
out:
  body_clear (&body);
}

/* Read DeleteOptions from the body (if any) and the query.  FALSE after replying. */
static gboolean
delete_options (Req *r, KsDeleteOptions *opts, char **uid, char **rv)
{
  SoupMessageBody *mb = soup_server_message_get_request_body (r->msg);
  const char *grace = query_get (r, "gracePeriodSeconds");
  const char *policy = query_get (r, "propagationPolicy");
  g_autoptr (JsonParser) parser = NULL;

  *opts = KS_DELETE_OPTIONS_DEFAULT;
  if (mb->length > 0)
    {
      g_autoptr (GBytes) bytes = soup_message_body_flatten (mb);
      g_autoptr (GError) error = NULL;
      JsonObject *o, *pre;
      JsonNode *n;
      gsize len;
      const char *data = g_bytes_get_data (bytes, &len);

      parser = json_parser_new_immutable ();
      if (!json_parser_load_from_data (parser, data, len, &error)
          || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          g_autofree char *message = g_strdup_printf (
              "couldn't get version/kind; json parse error: %s",
              error != NULL ? error->message : "DeleteOptions must be a JSON object");
          reply_bad_request (r, message);
          return FALSE;
        }
      o = json_node_get_object (json_parser_get_root (parser));
      if (json_object_has_member (o, "gracePeriodSeconds"))
        {
          n = json_object_get_member (o, "gracePeriodSeconds");
          if (json_node_get_value_type (n) != G_TYPE_INT64)
            {
              reply_bad_request (r, "gracePeriodSeconds must be an integer");
              return FALSE;
            }
          opts->grace_period_seconds = json_node_get_int (n);
        }
      if (member_string (o, "propagationPolicy") != NULL)
        policy = member_string (o, "propagationPolicy");
      else if (json_object_has_member (o, "orphanDependents")
               && json_node_get_value_type (json_object_get_member (o, "orphanDependents"))
                      == G_TYPE_BOOLEAN)
        policy = json_object_get_boolean_member (o, "orphanDependents") ? "Orphan" : "Background";
      pre = member_object (o, "preconditions");
      *uid = g_strdup (member_string (pre, "uid"));
      *rv = g_strdup (member_string (pre, "resourceVersion"));
    }
  if (grace != NULL)
    {
      char *end;
      opts->grace_period_seconds = g_ascii_strtoll (grace, &end, 10);
      if (*end != '\0' || grace[0] == '\0')
        {
          g_autofree char *message = g_strdup_printf (
              "invalid value for gracePeriodSeconds: \"%s\": expected an integer", grace);
          reply_bad_request (r, message);
          return FALSE;
        }
    }
  if (opts->grace_period_seconds < -1)
    opts->grace_period_seconds = -1; /* a negative grace means the default, as kubectl sends it */
  if (policy != NULL)
    {
      if (strcmp (policy, "Background") == 0)
        opts->propagation = KS_PROPAGATION_BACKGROUND;
      else if (strcmp (policy, "Orphan") == 0)
        opts->propagation = KS_PROPAGATION_ORPHAN;
      else if (strcmp (policy, "Foreground") == 0)
        opts->propagation = KS_PROPAGATION_FOREGROUND;
      else
        {
          g_autofree char *message = g_strdup_printf (
              "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: "
              "\"%s\": supported values: \"Foreground\", \"Background\", \"Orphan\"",
              policy);
          g_autofree char *detail = g_strdup_printf (
              "Unsupported value: \"%s\": supported values: \"Foreground\", \"Background\", "
              "\"Orphan\"",
              policy);
          reply_json (
              r->msg, 422,
              ks_api_status_json (
                  "Failure", 422, "Invalid", message, TRUE, "", "meta.k8s.io", "DeleteOptions",
                  NULL, &(KsApiCause){ "FieldValueNotSupported", detail, "propagationPolicy" }, 1));
          return FALSE;
        }
    }
  return TRUE;
}

/* Delete preconditions: FALSE after replying 409. */
static gboolean
check_preconditions (Req *r, const KsObject *obj, const char *uid, const char *rv)
{
  g_autofree char *resource = qualified_resource (r->kind);
  g_autofree char *detail = NULL;
  char have[KS_UID_STRING_LEN];

  ks_uid_to_string (&obj->meta.uid, have);
  if (uid != NULL && strcmp (uid, have) != 0)
    detail = g_strdup_printf ("Precondition failed: UID in precondition: %s, UID in object meta: "
                              "%s",
                              uid, have);
  else if (rv != NULL)
    {
      g_autofree char *cur = g_strdup_printf ("%" G_GUINT64_FORMAT, obj->meta.resource_version);
      if (strcmp (rv, cur) != 0)
        detail = g_strdup_printf ("Precondition failed: ResourceVersion in precondition: %s, "
                                  "ResourceVersion in object meta: %s",
                                  rv, cur);
    }
  if (detail != NULL)
    {
      g_autofree char *message = g_strdup_printf ("Operation cannot be fulfilled on %s \"%s\": %s",
                                                  resource, obj->meta.name, detail);
      reply_failure (r->msg, 409, "Conflict", message, TRUE, obj->meta.name, r->kind->group,
                     r->kind->plural);
      return FALSE;
    }
  return TRUE;
}

static void
serve_delete (Req *r)
{
  KsDeleteOptions opts;
  g_autofree char *uid = NULL;
  g_autofree char *rv = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (KsObject) before = NULL;
  KsObject *current, *after;
  char uid_text[KS_UID_STRING_LEN];

  if (!delete_options (r, &opts, &uid, &rv))
    return;
  current = get_or_reply (r);
  if (current == NULL || !check_preconditions (r, current, uid, rv))
    return;
  before = ks_object_ref (current);
  if (!ks_store_delete (r->server->store, r->kind, r->ns, r->name, &opts, &error))
    {
      reply_store_error (r, error, r->name);
      return;
    }
  after = ks_store_get (r->server->store, r->kind, r->ns, r->name);
  if (after != NULL && ks_uid_equal (&after->meta.uid, &before->meta.uid))
    {
      reply_object (r, 200, after); /* graceful: still there, with a deletionTimestamp */
      return;
    }
  if (KIND_IN (r->kind, return_deleted_kinds))
    {
      reply_object (r, 200, before);
      return;
    }
  reply_json (r->msg, 200,
              ks_api_status_json ("Success", 0, NULL, NULL, TRUE, r->name, r->kind->group,
                                  r->kind->plural, ks_uid_to_string (&before->meta.uid, uid_text),
                                  NULL, 0));
}

static void
serve_delete_collection (Req *r, KsApiSelector *selector)
{
  KsDeleteOptions opts;
  g_autofree char *uid = NULL;
  g_autofree char *rv = NULL;
  g_autoptr (GPtrArray) objects = g_ptr_array_new ();
  g_autoptr (GPtrArray) deleted = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  GString *out;

  if (!delete_options (r, &opts, &uid, &rv))
    return;
  ks_store_list (r->server->store, r->kind, r->ns, objects);
  for (guint i = 0; i < objects->len; i++)
    {
      KsObject *obj = g_ptr_array_index (objects, i);
      if (ks_api_selector_matches (selector, obj))
        g_ptr_array_add (deleted, ks_object_ref (obj));
    }
  for (guint i = 0; i < deleted->len; i++)
    {
      KsObject *obj = g_ptr_array_index (deleted, i);
      g_autoptr (GError) error = NULL;
      if (!ks_store_delete (r->server->store, r->kind, obj->meta.namespace, obj->meta.name, &opts,
                            &error)
          && !g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
        {
          reply_store_error (r, error, obj->meta.name);
          return;
        }
    }
  out = g_string_new (NULL);
  append_list_head (out, r->kind, req_api_version (r),
                    ks_store_get_resource_version (r->server->store), NULL, 0);
  for (guint i = 0; i < deleted->len; i++)
    {
      g_autofree char *json
          = object_json_version (g_ptr_array_index (deleted, i), r->v1, r->server->epoch);
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, json);
    }
  g_string_append (out, "]}");
  reply_json (r->msg, 200, g_string_free (out, FALSE));
}

/* The JSON of the stored object, mutable. */
static JsonNode *
object_tree (Req *r, const KsObject *obj)
{
  return object_encode_version (obj, r->v1, r->server->epoch);
}

static JsonObject *
ensure_object (JsonObject *o, const char *name)
{
  JsonObject *m = member_object (o, name);

  if (m == NULL)
    {
      m = json_object_new ();
      json_object_set_object_member (o, name, m);
    }
  return m;
}

/* Decode tree (a full object in STORED mode) and update the store.  Replies either way. */
static void
update_from_tree (Req *r, JsonNode *tree, gboolean status_only)
{
  g_autoptr (KsObject) obj = decode_object (r, tree, KS_DECODE_STORED);
  g_autoptr (GError) error = NULL;
  KsObject *stored;

  if (obj == NULL)
    return;
  stored = ks_store_update (r->server->store, obj, status_only, &error);
  if (stored == NULL)
    {
      reply_store_error (r, error, r->name);
      return;
    }
  reply_object (r, 200, stored);
}

static void
serve_update (Req *r)
{
  Body body = { 0 };
  g_autoptr (JsonNode) tree = NULL;
  JsonObject *o;
  KsObject *current;

  if (!parse_body (r, TRUE, &body))
    goto out;
  tree = tree_copy (body.root);
  o = json_node_get_object (tree);
  if (!check_type (r, o, req_api_version (r), r->kind->name)
      || !check_name_and_namespace (r, o, TRUE))
    goto out;
  current = get_or_reply (r);
  if (current == NULL)
    goto out;
  /* The store applies the update strategies: the main resource keeps its status, the status
   * subresource changes only the status (and a pod's labels and annotations). */
  update_from_tree (r, tree, r->sub != NULL);
out:
  body_clear (&body);
}

/* The patch of a PATCH request.  NULL after replying. */
static JsonNode *
parse_patch (Req *r, KsPatchType *type)
{
  g_autofree char *media = NULL;
  SoupMessageBody *mb = soup_server_message_get_request_body (r->msg);
  g_autoptr (GBytes) bytes = soup_message_body_flatten (mb);
  g_autoptr (GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  JsonNode *patch;

  request_media_type (r, &media);
  if (!ks_patch_type_from_content_type (media, type))
    {
      reply_unsupported_media (r, "application/json-patch+json, application/merge-patch+json, "
                                  "application/strategic-merge-patch+json");
      return NULL;
    }
  g_autofree char *text = g_strndup (data, len);
  patch = json_from_string (text, &error);
  if (patch == NULL)
    {
      g_autofree char *message = g_strdup_printf (
          "error decoding patch: %s", error != NULL ? error->message : "the patch is empty");
      reply_bad_request (r, message);
    }
  return patch;
}

/* Apply the request's patch to doc.  NULL after replying. */
static JsonNode *
apply_patch (Req *r, JsonNode *doc, const char *kind_name)
{
  KsPatchType type;
  g_autoptr (JsonNode) patch = parse_patch (r, &type);
  g_autoptr (GError) error = NULL;
  JsonNode *result;

  if (patch == NULL)
    return NULL;
  result = ks_patch_apply (type, doc, patch, kind_name, &error);
  if (result == NULL)
    {
      if (g_error_matches (error, KS_PATCH_ERROR, KS_PATCH_ERROR_BAD_PATCH))
        reply_bad_request (r, error->message);
      else
        reply_failure (r->msg, 422, "Invalid", error->message, FALSE, NULL, NULL, NULL);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (result))
    {
      json_node_unref (result);
      reply_failure (r->msg, 422, "Invalid", "the patched object is not a JSON object", FALSE, NULL,
                     NULL, NULL);
      return NULL;
    }
  return result;
}

static void
serve_patch (Req *r)
{
  KsObject *current = get_or_reply (r);
  g_autoptr (JsonNode) doc = NULL;
  g_autoptr (JsonNode) result = NULL;
  JsonObject *o;

  if (current == NULL)
    return;
  doc = object_tree (r, current);
  result = apply_patch (r, doc, r->kind->name);
  if (result == NULL)
    return;
  o = json_node_get_object (result);
  if (!check_type (r, o, req_api_version (r), r->kind->name)
      || !check_name_and_namespace (r, o, TRUE))
    return;
  update_from_tree (r, result, r->sub != NULL); /* (the store's strategies, as for PUT) */
}

/* Subresources: scale */

static gint64
member_int (JsonObject *o, const char *name, gint64 unset)
{
  JsonNode *n
      = o != NULL && json_object_has_member (o, name) ? json_object_get_member (o, name) : NULL;
  return n != NULL && json_node_get_value_type (n) == G_TYPE_INT64 ? json_node_get_int (n) : unset;
}

/* The autoscaling/v1 Scale of a scalable object. */
static JsonNode *
scale_tree (Req *r, const KsObject *obj)
{
  g_autoptr (JsonNode) tree = object_tree (r, obj);
  JsonObject *o = json_node_get_object (tree);
  JsonObject *spec = member_object (o, "spec"), *status = member_object (o, "status");
  JsonObject *meta = member_object (o, "metadata");
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *selector = NULL;

  if (spec != NULL && json_object_has_member (spec, "selector"))
    {
      g_autoptr (KsDiag) diag = ks_diag_new ();
      KsDecoder dec;
      KsLabelSelector *sel;
      ks_decoder_init (&dec, NULL, diag);
      sel = ks_label_selector_decode (&dec, json_object_get_member (spec, "selector"));
      ks_decoder_clear (&dec);
      if (sel != NULL)
        {
          selector = ks_label_selector_to_string (sel);
          ks_label_selector_unref (sel);
        }
    }
  json_builder_begin_object (b);
  builder_string (b, "kind", "Scale");
  builder_string (b, "apiVersion", "autoscaling/v1");
  json_builder_set_member_name (b, "metadata");
  json_builder_begin_object (b);
  {
    static const char *const keep[]
        = { "name", "namespace", "uid", "resourceVersion", "creationTimestamp" };
    for (guint i = 0; i < G_N_ELEMENTS (keep); i++)
      if (meta != NULL && json_object_has_member (meta, keep[i]))
        {
          json_builder_set_member_name (b, keep[i]);
          json_builder_add_value (b, json_node_copy (json_object_get_member (meta, keep[i])));
        }
  }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "spec");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "replicas");
  json_builder_add_int_value (b, member_int (spec, "replicas", 1));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "replicas");
  json_builder_add_int_value (b, member_int (status, "replicas", 0));
  if (selector != NULL)
    builder_string (b, "selector", selector);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
reply_scale (Req *r, const KsObject *obj)
{
  g_autoptr (JsonNode) scale = scale_tree (r, obj);
  reply_json (r->msg, 200, json_to_string (scale, FALSE));
}

/* Write a Scale (the body of a PUT, or the patched Scale of a PATCH) to its object. */
static void
update_scale (Req *r, KsObject *current, JsonObject *scale)
{
  JsonObject *spec = member_object (scale, "spec");
  JsonObject *meta = member_object (scale, "metadata");
  const char *rv = member_string (meta, "resourceVersion");
  const char *name = member_string (meta, "name");
  JsonNode *replicas = spec != NULL && json_object_has_member (spec, "replicas")
                           ? json_object_get_member (spec, "replicas")
                           : NULL;
  g_autoptr (JsonNode) doc = NULL;
  g_autoptr (KsObject) obj = NULL;
  g_autoptr (GError) error = NULL;
  gint64 n = 0;
  KsObject *stored;

  if (name != NULL && strcmp (name, r->name) != 0)
    {
      g_autofree char *message = g_strdup_printf (
          "the name of the object (%s) does not match the name on the URL (%s)", name, r->name);
      reply_bad_request (r, message);
      return;
    }
  if (replicas != NULL && json_node_get_value_type (replicas) == G_TYPE_INT64)
    n = json_node_get_int (replicas);
  if (replicas == NULL || json_node_get_value_type (replicas) != G_TYPE_INT64 || n < 0
      || n > G_MAXINT32)
    {
      g_autofree char *text = replicas != NULL ? json_to_string (replicas, FALSE) : g_strdup ("");
      g_autofree char *detail
          = replicas == NULL
                ? g_strdup ("Required value")
                : g_strdup_printf ("Invalid value: %s: must be greater than or equal to 0", text);
      g_autofree char *message = g_strdup_printf (
          "Scale.autoscaling \"%s\" is invalid: spec.replicas: %s", r->name, detail);
      reply_json (r->msg, 422,
                  ks_api_status_json (
                      "Failure", 422, "Invalid", message, TRUE, r->name, "autoscaling", "Scale",
                      NULL,
                      &(KsApiCause){ replicas == NULL ? "FieldValueRequired" : "FieldValueInvalid",
                                     detail, "spec.replicas" },
                      1));
      return;
    }
  doc = object_tree (r, current);
  json_object_set_int_member (ensure_object (json_node_get_object (doc), "spec"), "replicas", n);
  if (rv != NULL && rv[0] != '\0')
    json_object_set_string_member (ensure_object (json_node_get_object (doc), "metadata"),
                                   "resourceVersion", rv);
  obj = decode_object (r, doc, KS_DECODE_STORED);
  if (obj == NULL)
    return;
  stored = ks_store_update (r->server->store, obj, FALSE, &error);
  if (stored == NULL)
    {
      reply_store_error (r, error, r->name);
      return;
    }
  reply_scale (r, stored);
}

static void
serve_scale (Req *r)
{
  KsObject *current = get_or_reply (r);

  if (current == NULL)
    return;
  if (strcmp (r->method, "GET") == 0)
    reply_scale (r, current);
  else if (strcmp (r->method, "PUT") == 0)
    {
      Body body = { 0 };
      if (parse_body (r, FALSE, &body))
        {
          g_autoptr (JsonNode) tree = tree_copy (body.root);
          JsonObject *o = json_node_get_object (tree);
          if (check_type (r, o, "autoscaling/v1", "Scale"))
            update_scale (r, current, o);
        }
      body_clear (&body);
    }
  else
    {
      g_autoptr (JsonNode) scale = scale_tree (r, current);
      g_autoptr (JsonNode) result = apply_patch (r, scale, "Scale");
      if (result != NULL)
        update_scale (r, current, json_node_get_object (result));
    }
}

/* Subresources: binding */

static void
serve_binding (Req *r)
{
  Body body = { 0 };
  g_autoptr (JsonNode) tree = NULL;
  g_autoptr (GError) error = NULL;
  JsonObject *o, *meta, *target;
  const char *name, *node, *uid_text;
  KsUid uid;

  if (!parse_body (r, FALSE, &body))
    goto out;
  tree = tree_copy (body.root);
  o = json_node_get_object (tree);
  if (!check_type (r, o, "v1", "Binding"))
    goto out;
  meta = member_object (o, "metadata");
  name = member_string (meta, "name");
  if (name != NULL && strcmp (name, r->name) != 0)
    {
      reply_bad_request (r, "name in URL does not match name in Binding object");
      goto out;
    }
  if (!check_name_and_namespace (r, o, FALSE))
    goto out;
  target = member_object (o, "target");
  node = member_string (target, "name");
  if (node == NULL || node[0] == '\0')
    {
      g_autofree char *message
          = g_strdup_printf ("Binding \"%s\" is invalid: target.name: Required value", r->name);
      reply_json (r->msg, 422,
                  ks_api_status_json (
                      "Failure", 422, "Invalid", message, TRUE, r->name, NULL, "Binding", NULL,
                      &(KsApiCause){ "FieldValueRequired", "Required value", "target.name" }, 1));
      goto out;
    }
  uid_text = member_string (meta, "uid");
  if (uid_text != NULL && !ks_uid_parse (uid_text, &uid))
    {
      reply_bad_request (r, "metadata.uid of the Binding is not a UID");
      goto out;
    }
  if (!ks_store_bind (r->server->store, r->ns, r->name, uid_text != NULL ? &uid : NULL, node,
                      &error))
    {
      if (g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_CONFLICT))
        {
          g_autofree char *message = g_strdup_printf (
              "Operation cannot be fulfilled on pods/binding \"%s\": %s", r->name, error->message);
          reply_failure (r->msg, 409, "Conflict", message, TRUE, r->name, NULL, "pods/binding");
        }
      else
        reply_store_error (r, error, r->name);
      goto out;
    }
  reply_json (
      r->msg, 201,
      ks_api_status_json ("Success", 201, NULL, NULL, FALSE, NULL, NULL, NULL, NULL, NULL, 0));
out:
  body_clear (&body);
}

/* Subresources: eviction (pkg/registry/core/pod/storage/eviction.go), on ks_evict_pod */

#define EVICTION_REFUSED "Cannot evict pod as it would violate the pod's disruption budget."

/* The 429 a budget's refusal answers: NewTooManyRequests with one DisruptionBudget cause, and
 * details.retryAfterSeconds (with a Retry-After header) when the refusal suggests one. */
static void
reply_eviction_refused (Req *r, const KsEvictStatus *st)
{
  g_autofree char *json = ks_api_status_json (
      "Failure", 429, "TooManyRequests", EVICTION_REFUSED, TRUE, NULL, NULL, NULL, NULL,
      &(KsApiCause){ "DisruptionBudget", st->cause != NULL ? st->cause : "", NULL }, 1);
  g_autoptr (JsonNode) tree = json_from_string (json, NULL);
  JsonObject *details = member_object (json_node_get_object (tree), "details");

  if (st->retry_after > 0)
    {
      g_autofree char *seconds = g_strdup_printf ("%u", st->retry_after);
      /* retryAfterSeconds ends StatusDetails, before the Status' code. */
      json_object_set_int_member (details, "retryAfterSeconds", st->retry_after);
      soup_message_headers_replace (soup_server_message_get_response_headers (r->msg),
                                    "Retry-After", seconds);
    }
  reply_json (r->msg, 429, json_to_string (tree, FALSE));
}

/* POST pods/<name>/eviction: a policy/v1 (or v1beta1) Eviction whose metadata.name is the URL's.
 * The pod is evicted as ks_evict_pod does; its deleteOptions are read but not applied (the pod
 * goes with its own grace period, as ks_evict_pod deletes). */
static void
serve_eviction (Req *r)
{
  Body body = { 0 };
  JsonObject *o, *meta;
  const char *v, *k, *name;
  g_autoptr (KsObject) pod = NULL; /* a reference: the eviction's writes replace the store's */
  KsClient *client;
  KsEvictStatus st;
  KsEvictResult result;

  if (!parse_body (r, FALSE, &body))
    goto out;
  o = json_node_get_object (body.root);
  v = member_string (o, "apiVersion");
  k = member_string (o, "kind");
  if (v != NULL && v[0] != '\0' && strcmp (v, "policy/v1") != 0
      && strcmp (v, "policy/v1beta1") != 0)
    {
      g_autofree char *message
          = g_strdup_printf ("the API version in the data (%s) does not match the expected API "
                             "version (policy/v1 or policy/v1beta1)",
                             v);
      reply_bad_request (r, message);
      goto out;
    }
  if (k != NULL && k[0] != '\0' && strcmp (k, "Eviction") != 0)
    {
      g_autofree char *message = g_strdup_printf (
          "the kind in the data (%s) does not match the expected kind (Eviction)", k);
      reply_bad_request (r, message);
      goto out;
    }
  if (json_object_has_member (o, "deleteOptions") && member_object (o, "deleteOptions") == NULL
      && !JSON_NODE_HOLDS_NULL (json_object_get_member (o, "deleteOptions")))
    {
      reply_bad_request (r, "deleteOptions of the Eviction must be an object");
      goto out;
    }
  meta = member_object (o, "metadata");
  name = member_string (meta, "name");
  if (!check_name_and_namespace (r, o, FALSE))
    goto out;
  if (name == NULL || strcmp (name, r->name) != 0)
    {
      reply_bad_request (r, "name in URL does not match name in Eviction object");
      goto out;
    }
  pod = get_or_reply (r);
  if (pod == NULL)
    goto out;
  ks_object_ref (pod);
  client = ks_store_client_new (r->server->store);
  result = ks_evict_pod_status (client, ks_clock_now (r->server->clock), KS_POD (pod), &st);
  ks_client_free (client);
  switch (result)
    {
    case KS_EVICT_DONE:
      reply_json (
          r->msg, 201,
          ks_api_status_json ("Success", 201, NULL, NULL, FALSE, NULL, NULL, NULL, NULL, NULL, 0));
      break;
    case KS_EVICT_REFUSED:
      reply_eviction_refused (r, &st);
      break;
    case KS_EVICT_FAILED:
      if (st.several)
        /* eviction.go answers a bare Status: code 500, no reason. */
        reply_json (r->msg, 500,
                    ks_api_status_json ("Failure", 500, NULL, st.message, FALSE, NULL, NULL, NULL,
                                        NULL, NULL, 0));
      else if (st.negative)
        {
          g_autofree char *message = g_strdup_printf (
              "poddisruptionbudgets.policy \"%s\" is forbidden: %s", st.budget, st.message);
          reply_failure (r->msg, 403, "Forbidden", message, TRUE, st.budget, "policy",
                         "poddisruptionbudgets");
        }
      else
        reply_internal (r, st.message != NULL ? st.message : "eviction failed");
      break;
    }
  ks_evict_status_clear (&st);
out:
  body_clear (&body);
}

/* Subresources: log, proxied to the node agent */

struct _LogProxy
{
  KsApiServer *server; /* NULL once the server is gone */
  SoupServerMessage *msg;
  SoupMessage *upstream;
  GInputStream *stream;
  GCancellable *cancellable;
  gulong finished_id;
  gulong wrote_chunk_id;
  GSource *hup_source;
  gboolean finished; /* the client's message is done */
  gboolean reading;
  gint ref_count;
};

static LogProxy *
log_proxy_ref (LogProxy *p)
{
  p->ref_count++;
  return p;
}

static void
log_proxy_detach (LogProxy *p)
{
  source_clear (&p->hup_source);
  if (p->msg != NULL)
    {
      g_signal_handler_disconnect (p->msg, p->finished_id);
      g_signal_handler_disconnect (p->msg, p->wrote_chunk_id);
      g_clear_object (&p->msg);
    }
  if (p->server != NULL)
    {
      g_ptr_array_remove_fast (p->server->log_proxies, p);
      p->server = NULL;
    }
  g_cancellable_cancel (p->cancellable);
}

static void
log_proxy_unref (LogProxy *p)
{
  if (--p->ref_count > 0)
    return;
  log_proxy_detach (p);
  g_clear_object (&p->upstream);
  g_clear_object (&p->stream);
  g_clear_object (&p->cancellable);
  g_free (p);
}

static void
on_log_finished (SoupServerMessage *msg, gpointer data)
{
  LogProxy *p = data;

  p->finished = TRUE;
  log_proxy_detach (p);
  log_proxy_unref (p); /* the server's reference */
}

static void
log_proxy_finish (LogProxy *p)
{
  if (p->msg == NULL)
    return;
  soup_message_body_complete (soup_server_message_get_response_body (p->msg));
  soup_server_message_unpause (p->msg);
}

static void log_proxy_read (LogProxy *p);

static void
on_log_read (GObject *source, GAsyncResult *result, gpointer data)
{
  LogProxy *p = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes
      = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);

  p->reading = FALSE;
  if (p->msg == NULL)
    {
      log_proxy_unref (p);
      return;
    }
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      if (error != NULL)
        g_message ("pod log stream ended: %s", error->message);
      log_proxy_finish (p);
      log_proxy_unref (p);
      return;
    }
  soup_message_body_append_bytes (soup_server_message_get_response_body (p->msg), bytes);
  soup_server_message_unpause (p->msg);
  log_proxy_unref (p); /* the next read starts when this chunk is written */
}

static void
log_proxy_read (LogProxy *p)
{
  if (p->reading || p->msg == NULL || p->stream == NULL)
    return; /* (no stream: the answer is an error of ours, written whole) */
  p->reading = TRUE;
  g_input_stream_read_bytes_async (p->stream, LOG_CHUNK, G_PRIORITY_DEFAULT, p->cancellable,
                                   on_log_read, log_proxy_ref (p));
}

static void
on_log_peer_closed (gpointer data)
{
  LogProxy *p = data;

  g_clear_pointer (&p->hup_source, g_source_unref);
  if (p->msg != NULL)
    stream_abort (p->msg, TRUE);
}

static void
on_log_wrote_chunk (SoupServerMessage *msg, gpointer data)
{
  log_proxy_read (data);
}

static void
on_log_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  LogProxy *p = data;
  g_autoptr (GError) error = NULL;
  GInputStream *stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  SoupMessageHeaders *headers;
  const char *type;

  if (p->msg == NULL)
    {
      g_clear_object (&stream);
      log_proxy_unref (p);
      return;
    }
  if (stream == NULL)
    {
      g_autofree char *uri = g_uri_to_string (soup_message_get_uri (p->upstream));
      g_autofree char *detail = g_strdup_printf ("Get \"%s\": %s", uri, error->message);
      g_autofree char *message = g_strdup_printf ("Internal error occurred: %s", detail);
      reply_json (p->msg, 500,
                  ks_api_status_json ("Failure", 500, "InternalError", message, TRUE, NULL, NULL,
                                      NULL, NULL, &(KsApiCause){ "", detail, "" }, 1));
      soup_server_message_unpause (p->msg);
      log_proxy_unref (p);
      return;
    }
  p->stream = stream;
  headers = soup_server_message_get_response_headers (p->msg);
  type = soup_message_headers_get_content_type (soup_message_get_response_headers (p->upstream),
                                                NULL);
  soup_server_message_set_status (p->msg, soup_message_get_status (p->upstream), NULL);
  soup_message_headers_set_content_type (headers, type != NULL ? type : "text/plain", NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_body_set_accumulate (soup_server_message_get_response_body (p->msg), FALSE);
  soup_server_message_unpause (p->msg);
  log_proxy_read (p);
  log_proxy_unref (p);
}

/* The kubelet port of a node: status.daemonEndpoints.kubeletEndpoint.Port, or 0. */
static gint64
node_kubelet_port (Req *r, const KsObject *node)
{
  g_autoptr (JsonNode) tree = object_tree (r, node);
  JsonObject *o = json_node_get_object (tree);
  JsonObject *endpoint = member_object (
      member_object (member_object (o, "status"), "daemonEndpoints"), "kubeletEndpoint");
  return member_int (endpoint, "Port", 0);
}

static gboolean
pod_has_container (const KsPod *pod, const char *name)
{
  for (guint i = 0; i < pod->spec->n_containers; i++)
    if (strcmp (pod->spec->containers[i].name, name) == 0)
      return TRUE;
  for (guint i = 0; i < pod->spec->n_init_containers; i++)
    if (strcmp (pod->spec->init_containers[i].name, name) == 0)
      return TRUE;
  return FALSE;
}

static void
serve_log (Req *r)
{
  static const char *const passed[] = { "follow",       "previous",  "tailLines", "timestamps",
                                        "sinceSeconds", "sinceTime", "limitBytes" };
  KsObject *obj = get_or_reply (r);
  const char *container = query_get (r, "container");
  g_autofree char *chosen = NULL;
  const KsPod *pod;
  KsObject *node;
  gint64 port;
  GString *url;
  LogProxy *p;

  if (obj == NULL)
    return;
  pod = KS_POD (obj);
  if (container == NULL || container[0] == '\0')
    {
      if (pod->spec->n_containers == 1)
        chosen = g_strdup (pod->spec->containers[0].name);
      else if (pod->spec->n_containers == 0)
        {
          g_autofree char *message = g_strdup_printf ("pod %s does not have a container", r->name);
          reply_bad_request (r, message);
          return;
        }
      else
        {
          /* Go prints the names as a []string: "[a b c]". */
          GString *names = g_string_new ("[");
          g_autofree char *message = NULL;
          for (guint i = 0; i < pod->spec->n_init_containers; i++)
            g_string_append_printf (names, "%s%s", names->len > 1 ? " " : "",
                                    pod->spec->init_containers[i].name);
          for (guint i = 0; i < pod->spec->n_containers; i++)
            g_string_append_printf (names, "%s%s", names->len > 1 ? " " : "",
                                    pod->spec->containers[i].name);
          g_string_append_c (names, ']');
          message
              = g_strdup_printf ("a container name must be specified for pod %s, choose one of: %s",
                                 r->name, names->str);
          g_string_free (names, TRUE);
          reply_bad_request (r, message);
          return;
        }
    }
  else if (!pod_has_container (pod, container))
    {
      g_autofree char *message
          = g_strdup_printf ("container %s is not valid for pod %s", container, r->name);
      reply_bad_request (r, message);
      return;
    }
  else
    chosen = g_strdup (container);
  if (pod->node_name == NULL)
    {
      /* Kubernetes answers an unscheduled pod's logs with an empty body. */
      reply_text (r->msg, 200, "text/plain", g_strdup (""));
      return;
    }
  node = ks_store_get (r->server->store, ks_kind_get (KS_KIND_NODE), NULL, pod->node_name);
  if (node == NULL)
    {
      g_autofree char *message = g_strdup_printf ("nodes \"%s\" not found", pod->node_name);
      reply_failure (r->msg, 404, "NotFound", message, TRUE, pod->node_name, NULL, "nodes");
      return;
    }
  port = node_kubelet_port (r, node);
  if (port <= 0 || port > 65535)
    {
      g_autofree char *detail = g_strdup_printf ("node \"%s\" has no kubelet port "
                                                 "(status.daemonEndpoints.kubeletEndpoint.Port)",
                                                 pod->node_name);
      reply_internal (r, detail);
      return;
    }
  url = g_string_new (NULL);
  g_string_append_printf (url, "http://127.0.0.1:%" G_GINT64_FORMAT "/containerLogs/", port);
  g_string_append_uri_escaped (url, obj->meta.namespace, NULL, FALSE);
  g_string_append_c (url, '/');
  g_string_append_uri_escaped (url, obj->meta.name, NULL, FALSE);
  g_string_append_c (url, '/');
  g_string_append_uri_escaped (url, chosen, NULL, FALSE);
  for (guint i = 0, n = 0; i < G_N_ELEMENTS (passed); i++)
    {
      const char *v = query_get (r, passed[i]);
      if (v == NULL)
        continue;
      g_string_append_printf (url, "%c%s=", n++ == 0 ? '?' : '&', passed[i]);
      g_string_append_uri_escaped (url, v, NULL, FALSE);
    }

  p = g_new0 (LogProxy, 1);
  p->ref_count = 1; /* the server's, until the client's message finishes */
  p->server = r->server;
  p->msg = g_object_ref (r->msg);
  p->cancellable = g_cancellable_new ();
  p->upstream = soup_message_new ("GET", url->str);
  g_string_free (url, TRUE);
  g_ptr_array_add (r->server->log_proxies, p);
  p->finished_id = g_signal_connect (r->msg, "finished", G_CALLBACK (on_log_finished), p);
  p->wrote_chunk_id = g_signal_connect (r->msg, "wrote-chunk", G_CALLBACK (on_log_wrote_chunk), p);
  p->hup_source = peer_watch_new (r->msg, on_log_peer_closed, p);
  soup_server_message_pause (r->msg);
  soup_session_send_async (r->server->proxy_session, p->upstream, G_PRIORITY_DEFAULT,
                           p->cancellable, on_log_sent, log_proxy_ref (p));
}

/* Routing */

/* The kind of group/version/plural; *other TRUE when version is the kind's other version. */
static const KsKind *
lookup_kind (const char *group, const char *version, const char *plural, gboolean *other)
{
  for (guint i = 0; i < KS_N_KINDS; i++)
    {
      const KsKind *k = ks_kind_get (i);
      if (strcmp (k->group, group) != 0 || strcmp (k->plural, plural) != 0)
        continue;
      *other = g_strcmp0 (kind_other_version (k), version) == 0;
      if (strcmp (kind_version (k), version) == 0 || *other)
        return k;
    }
  return NULL;
}

static KsApiSelector *
selector_or_reply (Req *r)
{
  g_autoptr (GError) error = NULL;
  KsApiSelector *sel = ks_api_selector_new (r->kind, query_get (r, "labelSelector"),
                                            query_get (r, "fieldSelector"), &error);

  if (sel == NULL)
    reply_bad_request (r, error->message);
  return sel;
}

/* The verb Kubernetes names in MethodNotAllowed for an HTTP method. */
static const char *
method_action (const char *method)
{
  static const char *const actions[][2] = {
    { "GET", "get" },     { "POST", "create" },   { "PUT", "update" },
    { "PATCH", "patch" }, { "DELETE", "delete" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    if (strcmp (actions[i][0], method) == 0)
      return actions[i][1];
  return method;
}

static void
serve_resource (Req *r)
{
  const char *m = r->method;
  g_autofree char *resource = r->sub != NULL ? g_strconcat (r->kind->plural, "/", r->sub, NULL)
                                             : g_strdup (r->kind->plural);

  if (r->name == NULL)
    {
      KsApiSelector *sel;
      if (strcmp (m, "GET") == 0)
        {
          if ((sel = selector_or_reply (r)) == NULL)
            return;
          if (query_true (r, "watch"))
            serve_watch (r, sel);
          else
            {
              serve_list (r, sel);
              ks_api_selector_free (sel);
            }
        }
      else if (strcmp (m, "POST") == 0 && (r->ns != NULL || !r->kind->namespaced))
        serve_create (r);
      else if (strcmp (m, "DELETE") == 0 && (r->ns != NULL || !r->kind->namespaced))
        {
          if ((sel = selector_or_reply (r)) == NULL)
            return;
          serve_delete_collection (r, sel);
          ks_api_selector_free (sel);
        }
      else
        reply_method_not_allowed (
            r, strcmp (m, "DELETE") == 0 ? "deletecollection" : method_action (m), resource);
      return;
    }
  if (r->sub == NULL)
    {
      if (strcmp (m, "GET") == 0 && query_true (r, "watch"))
        {
          /* A watch of one object: the collection's watch with metadata.name=<name>. */
          g_autofree char *fs = g_strdup_printf ("metadata.name=%s", r->name);
          g_autoptr (GError) error = NULL;
          KsApiSelector *sel
              = ks_api_selector_new (r->kind, query_get (r, "labelSelector"), fs, &error);
          if (sel == NULL)
            reply_bad_request (r, error->message);
          else
            serve_watch (r, sel);
        }
      else if (strcmp (m, "GET") == 0)
        {
          KsObject *obj = get_or_reply (r);
          if (obj != NULL)
            reply_object (r, 200, obj);
        }
      else if (strcmp (m, "PUT") == 0)
        serve_update (r);
      else if (strcmp (m, "PATCH") == 0)
        serve_patch (r);
      else if (strcmp (m, "DELETE") == 0)
        serve_delete (r);
      else
        reply_method_not_allowed (r, method_action (m), resource);
      return;
    }
  if (strcmp (r->sub, "status") == 0 && r->kind->copy_status != NULL)
    {
      if (strcmp (m, "GET") == 0)
        {
          KsObject *obj = get_or_reply (r);
          if (obj != NULL)
            reply_object (r, 200, obj);
        }
      else if (strcmp (m, "PUT") == 0)
        serve_update (r);
      else if (strcmp (m, "PATCH") == 0)
        serve_patch (r);
      else
        reply_method_not_allowed (r, method_action (m), resource);
      return;
    }
  if (strcmp (r->sub, "scale") == 0 && KIND_IN (r->kind, scalable_kinds))
    {
      if (strcmp (m, "GET") == 0 || strcmp (m, "PUT") == 0 || strcmp (m, "PATCH") == 0)
        serve_scale (r);
      else
        reply_method_not_allowed (r, method_action (m), resource);
      return;
    }
  if (strcmp (r->sub, "binding") == 0 && r->kind->id == KS_KIND_POD)
    {
      if (strcmp (m, "POST") == 0)
        serve_binding (r);
      else
        reply_method_not_allowed (r, method_action (m), resource);
      return;
    }
  if (strcmp (r->sub, "eviction") == 0 && r->kind->id == KS_KIND_POD)
    {
      if (strcmp (m, "POST") == 0)
        serve_eviction (r);
      else
        reply_method_not_allowed (r, method_action (m), resource);
      return;
    }
  if (strcmp (r->sub, "log") == 0 && r->kind->id == KS_KIND_POD)
    {
      if (strcmp (m, "GET") == 0)
        serve_log (r);
      else
        reply_method_not_allowed (r, method_action (m), resource);
      return;
    }
  reply_not_found_path (r->msg);
}

/* Route /api/v1/... and /apis/<group>/<version>/... (segs after the group version). */
static void
route_resource (Req *r, const char *group, const char *version, char **segs, guint n)
{
  const char *ns = NULL;
  const KsKind *kind;

  if (n > 0 && strcmp (segs[0], "watch") == 0)
    {
      /* The deprecated /watch/ prefix: as ?watch=true. */
      GHashTable *query = g_hash_table_new (g_str_hash, g_str_equal);
      if (r->query != NULL)
        {
          GHashTableIter iter;
          gpointer k, v;
          g_hash_table_iter_init (&iter, r->query);
          while (g_hash_table_iter_next (&iter, &k, &v))
            g_hash_table_insert (query, k, v);
        }
      g_hash_table_insert (query, (gpointer) "watch", (gpointer) "true");
      /* The request's table stays alive (libsoup holds it) while the copy borrows from it. */
      g_clear_pointer (&r->query, g_hash_table_unref);
      r->query = query;
      segs++, n--;
    }
  if (n >= 3 && strcmp (segs[0], "namespaces") == 0
      && !(n == 3 && (strcmp (segs[2], "status") == 0 || strcmp (segs[2], "finalize") == 0)))
    {
      ns = segs[1];
      segs += 2, n -= 2;
    }
  if (n == 0 || n > 3 || (kind = lookup_kind (group, version, segs[0], &r->v1)) == NULL
      || (ns != NULL && !kind->namespaced) || (ns == NULL && kind->namespaced && n > 1))
    {
      reply_not_found_path (r->msg);
      return;
    }
  r->kind = kind;
  r->ns = ns;
  r->name = n > 1 ? segs[1] : NULL;
  r->sub = n > 2 ? segs[2] : NULL;
  serve_resource (r);
}

static void
handle (SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
        gpointer data)
{
  KsApiServer *s = data;
  g_auto (GStrv) raw = g_strsplit (path, "/", -1);
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  char **segs;
  guint n;
  Req r = { s, msg, soup_server_message_get_method (msg), NULL, NULL, NULL, NULL, NULL };

  for (guint i = 0; raw[i] != NULL; i++)
    {
      char *seg;
      if (raw[i][0] == '\0')
        continue;
      seg = g_uri_unescape_string (raw[i], NULL);
      if (seg == NULL)
        {
          reply_not_found_path (msg);
          return;
        }
      g_ptr_array_add (parts, seg);
    }
  g_ptr_array_add (parts, NULL);
  segs = (char **) parts->pdata;
  n = parts->len - 1;

  if (n == 1
      && (strcmp (segs[0], "healthz") == 0 || strcmp (segs[0], "readyz") == 0
          || strcmp (segs[0], "livez") == 0))
    {
      reply_text (msg, 200, "text/plain", g_strdup ("ok"));
      return;
    }
  if (n == 1 && strcmp (segs[0], "version") == 0)
    {
      serve_version (msg);
      return;
    }
  if (n >= 2 && strcmp (segs[0], "openapi") == 0 && strcmp (segs[1], "v3") == 0)
    {
      serve_openapi (msg, segs, n);
      return;
    }
  if (n >= 1 && strcmp (segs[0], "api") == 0)
    {
      if (n == 1)
        serve_api_versions (s, msg);
      else if (strcmp (segs[1], "v1") != 0)
        reply_not_found_path (msg);
      else if (n == 2)
        serve_resource_list (msg, "", "v1");
      else
        {
          r.query = query != NULL ? g_hash_table_ref (query) : NULL;
          route_resource (&r, "", "v1", segs + 2, n - 2);
          g_clear_pointer (&r.query, g_hash_table_unref);
        }
      return;
    }
  if (n >= 2 && strcmp (segs[0], "apis") == 0 && strcmp (segs[1], KS_METRICS_API_GROUP) == 0
      && s->metrics != NULL)
    {
      route_metrics (s, msg, segs, n, query);
      return;
    }
  if (n >= 1 && strcmp (segs[0], "apis") == 0)
    {
      if (n == 1)
        serve_api_groups (s, msg);
      else if (n == 2)
        serve_api_group (msg, segs[1]);
      else if (n == 3)
        serve_resource_list (msg, segs[1], segs[2]);
      else
        {
          r.query = query != NULL ? g_hash_table_ref (query) : NULL;
          route_resource (&r, segs[1], segs[2], segs + 3, n - 3);
          g_clear_pointer (&r.query, g_hash_table_unref);
        }
      return;
    }
  reply_not_found_path (msg);
}

/* Life cycle */

KsApiServer *
ks_api_server_new (KsStore *store, gint64 epoch)
{
  KsApiServer *s = g_new0 (KsApiServer, 1);

  s->store = store;
  s->clock = ks_store_get_clock (store);
  s->epoch = epoch;
  s->capacity = KS_API_SERVER_DEFAULT_WATCH_CACHE;
  s->ring = g_new0 (CacheEvent, s->capacity);
  s->floor = ks_store_get_resource_version (store);
  s->watchers = g_ptr_array_new ();
  s->watch_queue_limit = KS_API_SERVER_DEFAULT_WATCH_QUEUE_LIMIT;
  s->bookmark_interval = KS_USEC_PER_MIN;
  s->log_proxies = g_ptr_array_new ();
  s->proxy_session = soup_session_new_with_options ("max-conns-per-host", 64, NULL);
  /* Raw paths: each segment is unescaped after splitting, so "%2F" stays inside a name. */
  s->soup = soup_server_new ("server-header", "kubesim ", "raw-paths", TRUE, NULL);
  soup_server_add_handler (s->soup, NULL, handle, s, NULL);
  s->store_watch = ks_store_watch (store, NULL, NULL, FALSE, on_store_event, s, NULL);
  return s;
}

void
ks_api_server_set_watch_cache_size (KsApiServer *s, guint n)
{
  g_return_if_fail (n > 0);
  for (guint i = 0; i < s->len; i++)
    cache_event_clear (cache_at (s, i));
  g_free (s->ring);
  s->capacity = n;
  s->ring = g_new0 (CacheEvent, n);
  s->first = s->len = 0;
  s->floor = ks_store_get_resource_version (s->store);
}

void
ks_api_server_set_watch_queue_limit (KsApiServer *s, gsize bytes)
{
  s->watch_queue_limit = bytes;
}

void
ks_api_server_set_bookmark_interval (KsApiServer *s, gint64 interval)
{
  g_return_if_fail (interval > 0);
  s->bookmark_interval = interval;
}

gboolean
ks_api_server_listen (KsApiServer *s, guint port, GError **error)
{
  return ks_http_listen_loopback (s->soup, port, &s->port, error);
}

void
ks_api_server_set_metrics (KsApiServer *s, KsMetricsServer *metrics)
{
  s->metrics = metrics;
}

guint
ks_api_server_get_port (KsApiServer *s)
{
  return s->port;
}

char *
ks_api_server_get_url (KsApiServer *s)
{
  return g_strdup_printf ("http://127.0.0.1:%u", s->port);
}

guint
ks_api_server_get_n_watchers (KsApiServer *s)
{
  return s->watchers->len;
}

void
ks_api_server_free (KsApiServer *s)
{
  if (s == NULL)
    return;
  ks_store_unwatch (s->store, s->store_watch);
  while (s->watchers->len > 0)
    watcher_free (g_ptr_array_index (s->watchers, s->watchers->len - 1));
  while (s->log_proxies->len > 0)
    {
      LogProxy *p = g_ptr_array_index (s->log_proxies, s->log_proxies->len - 1);
      log_proxy_detach (p);
      log_proxy_unref (p);
    }
  soup_server_disconnect (s->soup);
  g_object_unref (s->soup);
  g_object_unref (s->proxy_session);
  g_ptr_array_unref (s->log_proxies);
  g_ptr_array_unref (s->watchers);
  for (guint i = 0; i < s->len; i++)
    cache_event_clear (cache_at (s, i));
  g_free (s->ring);
  g_free (s);
}
