/* ks-http-client.c: KsClient over the REST API (see ks-http-client.h). */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "ks-api-status.h"
#include "ks-http-client.h"

/* clang-format off */
G_DEFINE_QUARK (ks-http-client-error-quark, ks_http_client_error)
/* clang-format on */

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define REQUEST_TIMEOUT_S 60
/* Watch requests ask the server to end them after 5 to 10 minutes (as client-go does) and are
 * abandoned if it has not done so this long after. */
#define WATCH_TIMEOUT_MIN_S 300
#define WATCH_TIMEOUT_SPREAD_S 300
#define WATCH_GRACE_S 30

typedef struct _Watch Watch;

static const char *
str_member (JsonObject *o, const char *name)
{
  JsonNode *n
      = o != NULL && json_object_has_member (o, name) ? json_object_get_member (o, name) : NULL;
  return n != NULL && json_node_get_value_type (n) == G_TYPE_STRING ? json_node_get_string (n)
                                                                    : NULL;
}

static JsonObject *
obj_member (JsonObject *o, const char *name)
{
  JsonNode *n
      = o != NULL && json_object_has_member (o, name) ? json_object_get_member (o, name) : NULL;
  return n != NULL && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

typedef struct
{
  KsClient parent;
  char *base; /* without a trailing slash */
  gint64 epoch;
  SoupSession *session;       /* synchronous requests */
  SoupSession *watch_session; /* watch streams and relists, asynchronous */
  GMainContext *context;
  GHashTable *watches; /* id → Watch* */
  guint next_id;
} HttpClient;

#define CLIENT(self) ((HttpClient *) (self))

/* URLs */

static void
append_group_version (GString *url, const KsKind *kind)
{
  if (kind->group[0] == '\0')
    g_string_append (url, "/api/v1");
  else
    g_string_append_printf (url, "/apis/%s", kind->api_version);
}

static GString *
collection_url (HttpClient *c, const KsKind *kind, const char *ns)
{
  GString *url = g_string_new (c->base);

  append_group_version (url, kind);
  if (kind->namespaced && ns != NULL)
    {
      g_string_append (url, "/namespaces/");
      g_string_append_uri_escaped (url, ns, NULL, FALSE);
    }
  g_string_append_c (url, '/');
  g_string_append (url, kind->plural);
  return url;
}

static GString *
item_url (HttpClient *c, const KsKind *kind, const char *ns, const char *name, const char *sub)
{
  GString *url = collection_url (c, kind, ns);

  g_string_append_c (url, '/');
  g_string_append_uri_escaped (url, name, NULL, FALSE);
  if (sub != NULL)
    g_string_append_printf (url, "/%s", sub);
  return url;
}

/* Errors */

/* The error of a non-2xx answer: the store's code when the Status' reason has one. */
static void
set_status_error (GError **error, guint status, GBytes *body, const char *method, const char *url)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  const char *reason = NULL, *message = NULL;
  gsize len = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &len) : NULL;
  KsStoreError code;

  if (data != NULL && len > 0 && json_parser_load_from_data (parser, data, len, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *o = json_node_get_object (json_parser_get_root (parser));
      reason = str_member (o, "reason");
      message = str_member (o, "message");
    }
  if (ks_api_store_error_from_reason (reason, &code))
    {
      g_set_error_literal (error, KS_STORE_ERROR, code, message != NULL ? message : reason);
      return;
    }
  g_set_error (error, KS_HTTP_CLIENT_ERROR, KS_HTTP_CLIENT_ERROR_STATUS, "%s %s: %u %s%s%s", method,
               url, status, reason != NULL ? reason : soup_status_get_phrase (status),
               message != NULL ? ": " : "", message != NULL ? message : "");
}

/* One synchronous request.  Returns the body of a 2xx answer, or NULL with error. */
static GBytes *
request (HttpClient *c, const char *method, const char *url, const char *content_type,
         const char *body, GError **error)
{
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GBytes) response = NULL;
  guint status;

  if (msg == NULL)
    {
      g_set_error (error, KS_HTTP_CLIENT_ERROR, KS_HTTP_CLIENT_ERROR_BAD_URL, "invalid URL: %s",
                   url);
      return NULL;
    }
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }
  response = soup_session_send_and_read (c->session, msg, NULL, error);
  if (response == NULL)
    {
      g_prefix_error (error, "%s %s: ", method, url);
      return NULL;
    }
  status = soup_message_get_status (msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      set_status_error (error, status, response, method, url);
      return NULL;
    }
  return g_steal_pointer (&response);
}

static JsonNode *
parse_json (GBytes *bytes, const char *url, GError **error)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  g_autofree char *text = g_strndup (data, len);
  g_autoptr (GError) local = NULL;
  JsonNode *node = json_from_string (text, &local);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, KS_HTTP_CLIENT_ERROR, KS_HTTP_CLIENT_ERROR_BAD_RESPONSE,
                   "%s: the answer is not a JSON object%s%s", url, local != NULL ? ": " : "",
                   local != NULL ? local->message : "");
      g_clear_pointer (&node, json_node_unref);
    }
  return node;
}

/* Decode a stored object of kind (any kind when NULL). */
static KsObject *
decode_stored (HttpClient *c, JsonNode *node, const KsKind *kind, const char *url, GError **error)
{
  g_autoptr (KsDiag) diag = ks_diag_new ();
  KsDecoder dec;
  KsObject *obj;

  ks_decoder_init (&dec, NULL, diag);
  dec.mode = KS_DECODE_STORED;
  dec.epoch = c->epoch;
  obj = ks_object_decode (&dec, node, NULL);
  ks_decoder_clear (&dec);
  if (obj != NULL && kind != NULL && obj->kind != kind)
    {
      g_set_error (error, KS_HTTP_CLIENT_ERROR, KS_HTTP_CLIENT_ERROR_BAD_RESPONSE,
                   "%s: expected a %s, got a %s", url, kind->name, obj->kind->name);
      g_clear_pointer (&obj, ks_object_unref);
    }
  else if (obj == NULL)
    {
      g_autoptr (GError) problems = NULL;
      ks_diag_to_error (diag, &problems);
      g_set_error (error, KS_HTTP_CLIENT_ERROR, KS_HTTP_CLIENT_ERROR_BAD_RESPONSE,
                   "%s: cannot decode the object: %s", url,
                   problems != NULL ? problems->message : "unknown problem");
    }
  return obj;
}

static KsObject *
object_request (HttpClient *c, const char *method, const GString *url, const char *body,
                const KsKind *kind, GError **error)
{
  g_autoptr (GBytes) response
      = request (c, method, url->str, body != NULL ? "application/json" : NULL, body, error);
  g_autoptr (JsonNode) node = NULL;

  if (response == NULL || (node = parse_json (response, url->str, error)) == NULL)
    return NULL;
  return decode_stored (c, node, kind, url->str, error);
}

/* A list answer: the decoded items and the list's resourceVersion. */
static GPtrArray *
decode_list (HttpClient *c, GBytes *response, const KsKind *kind, const char *url, guint64 *rv,
             GError **error)
{
  g_autoptr (JsonNode) node = parse_json (response, url, error);
  g_autoptr (GPtrArray) out = NULL;
  JsonObject *o, *meta;
  JsonArray *items;

  if (node == NULL)
    return NULL;
  o = json_node_get_object (node);
  meta = obj_member (o, "metadata");
  if (!json_object_has_member (o, "items")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "items")))
    {
      g_set_error (error, KS_HTTP_CLIENT_ERROR, KS_HTTP_CLIENT_ERROR_BAD_RESPONSE,
                   "%s: the answer is not a list", url);
      return NULL;
    }
  if (rv != NULL)
    {
      const char *text = str_member (meta, "resourceVersion");
      *rv = text != NULL ? g_ascii_strtoull (text, NULL, 10) : 0;
    }
  items = json_object_get_array_member (o, "items");
  out = g_ptr_array_new_full (json_array_get_length (items), (GDestroyNotify) ks_object_unref);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *item = json_array_get_element (items, i);
      KsObject *obj;
      if (JSON_NODE_HOLDS_OBJECT (item))
        {
          /* List items may leave out their kind, as Kubernetes' do. */
          JsonObject *io = json_node_get_object (item);
          if (!json_object_has_member (io, "kind"))
            json_object_set_string_member (io, "kind", kind->name);
          if (!json_object_has_member (io, "apiVersion"))
            json_object_set_string_member (io, "apiVersion", kind->api_version);
        }
      obj = decode_stored (c, item, kind, url, error);
      if (obj == NULL)
        return NULL;
      g_ptr_array_add (out, obj);
    }
  return g_steal_pointer (&out);
}

static GPtrArray *
list_request (HttpClient *c, const KsKind *kind, const char *ns, const char *field_selector,
              guint64 *rv, GError **error)
{
  g_autoptr (GString) url = collection_url (c, kind, ns);
  g_autoptr (GBytes) response = NULL;

  if (field_selector != NULL)
    {
      g_string_append (url, "?fieldSelector=");
      g_string_append_uri_escaped (url, field_selector, NULL, FALSE);
    }
  response = request (c, "GET", url->str, NULL, NULL, error);
  if (response == NULL)
    return NULL;
  return decode_list (c, response, kind, url->str, rv, error);
}

/* Reads and writes */

static KsObject *
hc_get (KsClient *self, const KsKind *kind, const char *ns, const char *name, GError **error)
{
  g_autoptr (GString) url = item_url (CLIENT (self), kind, ns, name, NULL);
  return object_request (CLIENT (self), "GET", url, NULL, kind, error);
}

static GPtrArray *
hc_list (KsClient *self, const KsKind *kind, const char *ns, GError **error)
{
  return list_request (CLIENT (self), kind, ns, NULL, NULL, error);
}

static gboolean
owned_by (const KsObject *obj, const KsUid *uid)
{
  const KsOwnerRefs *refs = obj->meta.owner_refs;

  for (guint i = 0; refs != NULL && i < refs->n; i++)
    if (ks_uid_equal (&refs->refs[i].uid, uid))
      return TRUE;
  return FALSE;
}

static GPtrArray *
hc_list_dependents (KsClient *self, const KsKind *kind, const KsObject *owner, GError **error)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);

  /* No owner index over HTTP: list and filter (dependents live in their owner's namespace). */
  for (guint k = 0; k < KS_N_KINDS; k++)
    {
      const KsKind *kk = ks_kind_get (k);
      g_autoptr (GPtrArray) all = NULL;
      if (kind != NULL && kk != kind)
        continue;
      all = list_request (CLIENT (self), kk,
                          kk->namespaced && owner->kind->namespaced ? owner->meta.namespace : NULL,
                          NULL, NULL, error);
      if (all == NULL)
        {
          g_ptr_array_unref (out);
          return NULL;
        }
      for (guint i = 0; i < all->len; i++)
        {
          KsObject *obj = g_ptr_array_index (all, i);
          if (owned_by (obj, &owner->meta.uid))
            g_ptr_array_add (out, ks_object_ref (obj));
        }
    }
  return out;
}

static KsObject *
hc_create (KsClient *self, KsObject *obj, GError **error)
{
  HttpClient *c = CLIENT (self);
  g_autoptr (GString) url = collection_url (c, obj->kind, obj->meta.namespace);
  g_autofree char *body = ks_object_to_json (obj, c->epoch);

  if (obj->kind->namespaced && obj->meta.namespace == NULL)
    {
      g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_BAD_REQUEST,
                   "an empty namespace may not be set during creation of %s", obj->kind->name);
      return NULL;
    }
  return object_request (c, "POST", url, body, obj->kind, error);
}

static KsObject *
update_request (KsClient *self, KsObject *obj, const char *sub, GError **error)
{
  HttpClient *c = CLIENT (self);
  g_autoptr (GString) url = item_url (c, obj->kind, obj->meta.namespace, obj->meta.name, sub);
  g_autofree char *body = ks_object_to_json (obj, c->epoch);

  return object_request (c, "PUT", url, body, obj->kind, error);
}

static KsObject *
hc_update (KsClient *self, KsObject *obj, GError **error)
{
  return update_request (self, obj, NULL, error);
}

static KsObject *
hc_update_status (KsClient *self, KsObject *obj, GError **error)
{
  return update_request (self, obj, "status", error);
}

static gboolean
hc_delete (KsClient *self, const KsKind *kind, const char *ns, const char *name,
           const KsDeleteOptions *options, GError **error)
{
  static const char *const policies[] = { "Background", "Orphan", "Foreground" };
  HttpClient *c = CLIENT (self);
  g_autoptr (GString) url = item_url (c, kind, ns, name, NULL);
  g_autoptr (GString) body = g_string_new ("{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\"");
  g_autoptr (GBytes) response = NULL;
  KsDeleteOptions defaults = KS_DELETE_OPTIONS_DEFAULT;

  if (options == NULL)
    options = &defaults;
  if (options->grace_period_seconds >= 0)
    g_string_append_printf (body, ",\"gracePeriodSeconds\":%" G_GINT64_FORMAT,
                            options->grace_period_seconds);
  g_string_append_printf (body, ",\"propagationPolicy\":\"%s\"}", policies[options->propagation]);
  response = request (c, "DELETE", url->str, "application/json", body->str, error);
  return response != NULL;
}

static gboolean
hc_bind (KsClient *self, const KsPod *pod, const char *node, GError **error)
{
  HttpClient *c = CLIENT (self);
  const KsObject *obj = KS_OBJECT (pod);
  g_autoptr (GString) url = item_url (c, obj->kind, obj->meta.namespace, obj->meta.name, "binding");
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *body = NULL;
  g_autoptr (GBytes) response = NULL;

  json_builder_begin_object (b);
  ks_builder_add_string (b, "apiVersion", "v1");
  ks_builder_add_string (b, "kind", "Binding");
  json_builder_set_member_name (b, "metadata");
  json_builder_begin_object (b);
  ks_builder_add_string (b, "name", obj->meta.name);
  ks_builder_add_string (b, "namespace", obj->meta.namespace);
  if (ks_uid_is_set (&obj->meta.uid))
    {
      char uid[KS_UID_STRING_LEN];
      ks_builder_add_string (b, "uid", ks_uid_to_string (&obj->meta.uid, uid));
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "target");
  json_builder_begin_object (b);
  ks_builder_add_string (b, "apiVersion", "v1");
  ks_builder_add_string (b, "kind", "Node");
  ks_builder_add_string (b, "name", node);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  body = json_to_string (root, FALSE);
  response = request (c, "POST", url->str, "application/json", body, error);
  return response != NULL;
}

/* Watches */

typedef struct
{
  Watch *watch;
  const KsKind *kind;
  GHashTable *cache; /* "namespace/name" → KsObject* */
  guint64 rv;        /* the last resourceVersion seen */
  gboolean have_list;
  GCancellable *cancellable; /* the current request or read */
  SoupMessage *msg;          /* the current request (answers to older ones are ignored) */
  GDataInputStream *lines;
  GSource *retry;    /* a pending reconnection or relist */
  GSource *deadline; /* abandon a watch request the server should have ended */
  guint backoff_ms;
  gint64 opened_at;   /* monotonic time the current stream opened */
  gboolean connected; /* a watch stream is open */
} Stream;

struct _Watch
{
  HttpClient *client;
  guint id;
  char *node_name;
  gboolean replay;
  KsWatchFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
  Stream *streams;
  guint n_streams;
  gboolean removed;
  gint ref_count;
};

static Watch *
watch_ref (Watch *w)
{
  w->ref_count++;
  return w;
}

static void
stream_stop (Stream *s)
{
  if (s->cancellable != NULL)
    {
      g_cancellable_cancel (s->cancellable);
      g_clear_object (&s->cancellable);
    }
  g_clear_object (&s->msg);
  g_clear_object (&s->lines);
  if (s->retry != NULL)
    {
      g_source_destroy (s->retry);
      g_clear_pointer (&s->retry, g_source_unref);
    }
  if (s->deadline != NULL)
    {
      g_source_destroy (s->deadline);
      g_clear_pointer (&s->deadline, g_source_unref);
    }
  s->connected = FALSE;
}

static void
watch_unref (Watch *w)
{
  if (--w->ref_count > 0)
    return;
  for (guint i = 0; i < w->n_streams; i++)
    {
      stream_stop (&w->streams[i]);
      g_hash_table_unref (w->streams[i].cache);
    }
  g_free (w->streams);
  g_free (w->node_name);
  g_free (w);
}

/* Stop a watch: no more events; destroy is called now. */
static void
watch_remove (Watch *w)
{
  if (w->removed)
    return;
  w->removed = TRUE;
  for (guint i = 0; i < w->n_streams; i++)
    stream_stop (&w->streams[i]);
  if (w->destroy != NULL)
    w->destroy (w->user_data);
}

static void
deliver (Watch *w, KsWatchEventType type, KsObject *obj, KsObject *old)
{
  KsWatchEvent event = { type, obj, old };

  if (!w->removed)
    w->func (&event, w->user_data);
}

static char *
field_selector (Watch *w)
{
  return w->node_name != NULL ? g_strdup_printf ("spec.nodeName=%s", w->node_name) : NULL;
}

static void stream_watch (Stream *s);
static void stream_relist (Stream *s);

static void
stream_schedule (Stream *s, GSourceFunc func)
{
  guint delay = s->backoff_ms;

  s->backoff_ms = MIN (MAX (s->backoff_ms * 2, BACKOFF_MIN_MS), BACKOFF_MAX_MS);
  if (s->retry != NULL)
    {
      g_source_destroy (s->retry);
      g_source_unref (s->retry);
    }
  s->retry = g_timeout_source_new (delay);
  g_source_set_callback (s->retry, func, s, NULL);
  g_source_attach (s->retry, s->watch->client->context);
}

static gboolean
on_retry_watch (gpointer data)
{
  Stream *s = data;

  g_clear_pointer (&s->retry, g_source_unref);
  stream_watch (s);
  return G_SOURCE_REMOVE;
}

static gboolean
on_retry_relist (gpointer data)
{
  Stream *s = data;

  g_clear_pointer (&s->retry, g_source_unref);
  stream_relist (s);
  return G_SOURCE_REMOVE;
}

/* The stream ended or failed: close it and try again later, from the same version (or with a
 * new list when relist). */
static void
stream_lost (Stream *s, gboolean relist, gboolean at_once)
{
  stream_stop (s);
  if (s->watch->removed)
    return;
  if (at_once)
    s->backoff_ms = 0;
  stream_schedule (s, relist ? on_retry_relist : on_retry_watch);
}

static void
cache_put (Stream *s, KsObject *obj)
{
  g_hash_table_replace (s->cache, ks_object_key (obj), ks_object_ref (obj));
}

/* Apply one event of the stream to the cache and deliver it, with the old state from the
 * cache. */
static void
stream_event (Stream *s, const char *type, KsObject *obj)
{
  Watch *w = s->watch;
  g_autofree char *key = ks_object_key (obj);
  KsObject *cached = g_hash_table_lookup (s->cache, key);
  g_autoptr (KsObject) old = cached != NULL ? ks_object_ref (cached) : NULL;

  s->rv = MAX (s->rv, obj->meta.resource_version);
  if (strcmp (type, "DELETED") == 0)
    {
      if (old == NULL)
        return; /* never seen: nothing to delete */
      g_hash_table_remove (s->cache, key);
      deliver (w, KS_WATCH_DELETED, obj, NULL);
      return;
    }
  cache_put (s, obj);
  if (old != NULL && !ks_uid_equal (&old->meta.uid, &obj->meta.uid))
    {
      /* Deleted and created again under the same name. */
      deliver (w, KS_WATCH_DELETED, old, NULL);
      deliver (w, KS_WATCH_ADDED, obj, NULL);
    }
  else if (old != NULL)
    deliver (w, KS_WATCH_MODIFIED, obj, old);
  else
    deliver (w, KS_WATCH_ADDED, obj, NULL);
}

static int
compare_keys (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* A new list: deliver the difference with the cache (gone objects first, then new and changed
 * ones in list order) and make it the cache. */
static void
stream_apply_list (Stream *s, GPtrArray *items, guint64 rv, gboolean silent)
{
  Watch *w = s->watch;
  g_autoptr (GHashTable) fresh
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) ks_object_unref);
  g_autoptr (GHashTable) old_cache = s->cache;
  g_autoptr (GPtrArray) gone = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < items->len; i++)
    {
      KsObject *obj = g_ptr_array_index (items, i);
      g_hash_table_replace (fresh, ks_object_key (obj), ks_object_ref (obj));
    }
  s->cache = g_hash_table_ref (fresh);
  s->rv = rv;
  s->have_list = TRUE;
  if (silent)
    return;
  g_hash_table_iter_init (&iter, old_cache);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (fresh, key))
      g_ptr_array_add (gone, key);
  g_ptr_array_sort (gone, compare_keys);
  for (guint i = 0; i < gone->len && !w->removed; i++)
    deliver (w, KS_WATCH_DELETED, g_hash_table_lookup (old_cache, g_ptr_array_index (gone, i)),
             NULL);
  for (guint i = 0; i < items->len && !w->removed; i++)
    {
      KsObject *obj = g_ptr_array_index (items, i);
      g_autofree char *k = ks_object_key (obj);
      KsObject *old = g_hash_table_lookup (old_cache, k);
      if (old == NULL)
        deliver (w, KS_WATCH_ADDED, obj, NULL);
      else if (!ks_uid_equal (&old->meta.uid, &obj->meta.uid))
        {
          deliver (w, KS_WATCH_DELETED, old, NULL);
          deliver (w, KS_WATCH_ADDED, obj, NULL);
        }
      else if (old->meta.resource_version != obj->meta.resource_version)
        deliver (w, KS_WATCH_MODIFIED, obj, old);
    }
}

static void on_line (GObject *source, GAsyncResult *result, gpointer data);

static void
read_next_line (Stream *s)
{
  g_data_input_stream_read_line_async (s->lines, G_PRIORITY_DEFAULT, s->cancellable, on_line,
                                       watch_ref (s->watch));
}

/* One line of the watch stream: a WatchEvent. */
static gboolean
handle_line (Stream *s, const char *line)
{
  g_autoptr (JsonNode) node = json_from_string (line, NULL);
  JsonObject *o;
  JsonNode *object;
  const char *type;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_warning ("watch of %s: not a watch event: %.200s", s->kind->plural, line);
      return FALSE;
    }
  o = json_node_get_object (node);
  type = str_member (o, "type") != NULL ? str_member (o, "type") : "";
  object = json_object_has_member (o, "object") ? json_object_get_member (o, "object") : NULL;
  if (object == NULL || !JSON_NODE_HOLDS_OBJECT (object))
    {
      g_warning ("watch of %s: an event without an object: %.200s", s->kind->plural, line);
      return FALSE;
    }
  if (strcmp (type, "ERROR") == 0)
    {
      /* 410 Expired (or any other error): list again. */
      const char *message = str_member (json_node_get_object (object), "message");
      g_debug ("watch of %s: %s", s->kind->plural, message != NULL ? message : "error");
      return FALSE;
    }
  if (strcmp (type, "BOOKMARK") == 0)
    {
      const char *rv
          = str_member (obj_member (json_node_get_object (object), "metadata"), "resourceVersion");
      if (rv != NULL)
        s->rv = MAX (s->rv, g_ascii_strtoull (rv, NULL, 10));
      return TRUE;
    }
  if (strcmp (type, "ADDED") == 0 || strcmp (type, "MODIFIED") == 0
      || strcmp (type, "DELETED") == 0)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (KsObject) obj = decode_stored (s->watch->client, object, s->kind, "watch", &error);
      if (obj == NULL)
        {
          g_warning ("watch of %s: %s", s->kind->plural, error->message);
          return FALSE;
        }
      s->backoff_ms = 0;
      stream_event (s, type, obj);
      return TRUE;
    }
  g_warning ("watch of %s: unknown event type \"%s\"", s->kind->plural, type);
  return TRUE;
}

static void
on_line (GObject *source, GAsyncResult *result, gpointer data)
{
  Watch *w = data;
  g_autoptr (GError) error = NULL;
  gsize len;
  g_autofree char *line
      = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result, &len, &error);
  Stream *s = NULL;

  for (guint i = 0; i < w->n_streams && s == NULL; i++)
    if (w->streams[i].lines == G_DATA_INPUT_STREAM (source))
      s = &w->streams[i];
  if (w->removed || s == NULL)
    {
      watch_unref (w);
      return;
    }
  if (line == NULL)
    {
      /* EOF: the server ended the watch (its timeout), or the connection broke.  A stream that
       * ended as soon as it opened is retried after the growing delay, not at once. */
      if (error != NULL)
        g_debug ("watch of %s: %s", s->kind->plural, error->message);
      stream_lost (s, FALSE,
                   error == NULL && g_get_monotonic_time () - s->opened_at > G_USEC_PER_SEC);
    }
  else if (line[0] == '\0' || handle_line (s, line))
    {
      if (!w->removed && s->lines == G_DATA_INPUT_STREAM (source))
        read_next_line (s);
    }
  else
    stream_lost (s, TRUE, FALSE); /* after the delay, which events reset */
  watch_unref (w);
}

static void
on_watch_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  Stream *s = data;
  Watch *w = s->watch;
  g_autoptr (GError) error = NULL;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GInputStream) stream
      = soup_session_send_finish (SOUP_SESSION (source), result, &error);

  if (w->removed || msg != s->msg || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      watch_unref (w);
      return;
    }
  if (stream == NULL)
    {
      g_debug ("watch of %s: %s", s->kind->plural, error->message);
      stream_lost (s, FALSE, FALSE);
    }
  else if (soup_message_get_status (msg) != 200)
    {
      /* 410 Gone as a status (Kubernetes may answer so) or another error: list again. */
      g_debug ("watch of %s: status %u", s->kind->plural, soup_message_get_status (msg));
      stream_lost (s, TRUE, soup_message_get_status (msg) == 410);
    }
  else
    {
      s->lines = g_data_input_stream_new (stream);
      s->opened_at = g_get_monotonic_time ();
      g_buffered_input_stream_set_buffer_size (G_BUFFERED_INPUT_STREAM (s->lines), 65536);
      s->connected = TRUE;
      read_next_line (s);
    }
  watch_unref (w);
}

static gboolean
on_watch_deadline (gpointer data)
{
  Stream *s = data;

  g_clear_pointer (&s->deadline, g_source_unref);
  g_debug ("watch of %s: the server did not end the watch in time", s->kind->plural);
  stream_lost (s, FALSE, TRUE);
  return G_SOURCE_REMOVE;
}

/* Open the watch stream from s->rv. */
static void
stream_watch (Stream *s)
{
  Watch *w = s->watch;
  HttpClient *c = w->client;
  g_autoptr (GString) url = collection_url (c, s->kind, NULL);
  g_autofree char *fs = field_selector (w);
  g_autoptr (SoupMessage) msg = NULL;
  guint timeout = WATCH_TIMEOUT_MIN_S + g_random_int_range (0, WATCH_TIMEOUT_SPREAD_S);

  stream_stop (s);
  g_string_append_printf (url,
                          "?watch=true&allowWatchBookmarks=true&timeoutSeconds=%u"
                          "&resourceVersion=%" G_GUINT64_FORMAT,
                          timeout, s->rv);
  if (fs != NULL)
    {
      g_string_append (url, "&fieldSelector=");
      g_string_append_uri_escaped (url, fs, NULL, FALSE);
    }
  msg = soup_message_new ("GET", url->str);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");
  s->cancellable = g_cancellable_new ();
  s->msg = g_object_ref (msg);
  s->deadline = g_timeout_source_new_seconds (timeout + WATCH_GRACE_S);
  g_source_set_callback (s->deadline, on_watch_deadline, s, NULL);
  g_source_attach (s->deadline, c->context);
  watch_ref (w);
  soup_session_send_async (c->watch_session, msg, G_PRIORITY_DEFAULT, s->cancellable, on_watch_sent,
                           s);
}

static void
on_relisted (GObject *source, GAsyncResult *result, gpointer data)
{
  Stream *s = data;
  Watch *w = s->watch;
  g_autoptr (GError) error = NULL;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GBytes) body
      = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr (GPtrArray) items = NULL;
  g_autofree char *url = NULL;
  guint64 rv = 0;

  if (w->removed || msg != s->msg || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      watch_unref (w);
      return;
    }
  url = g_uri_to_string (soup_message_get_uri (msg));
  if (body != NULL && !SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    set_status_error (&error, soup_message_get_status (msg), body, "GET", url);
  else if (body != NULL)
    items = decode_list (w->client, body, s->kind, url, &rv, &error);
  g_clear_object (&s->cancellable);
  g_clear_object (&s->msg);
  if (items == NULL)
    {
      g_debug ("list of %s: %s", s->kind->plural, error->message);
      stream_schedule (s, on_retry_relist);
      watch_unref (w);
      return;
    }
  /* A watch without replay whose first list failed starts from this list without events. */
  stream_apply_list (s, items, rv, !s->have_list && !w->replay);
  if (!w->removed)
    stream_watch (s);
  watch_unref (w);
}

/* List again (asynchronously) and deliver the difference, then watch. */
static void
stream_relist (Stream *s)
{
  Watch *w = s->watch;
  HttpClient *c = w->client;
  g_autoptr (GString) url = collection_url (c, s->kind, NULL);
  g_autofree char *fs = field_selector (w);
  g_autoptr (SoupMessage) msg = NULL;

  stream_stop (s);
  if (fs != NULL)
    {
      g_string_append (url, "?fieldSelector=");
      g_string_append_uri_escaped (url, fs, NULL, FALSE);
    }
  msg = soup_message_new ("GET", url->str);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");
  s->cancellable = g_cancellable_new ();
  s->msg = g_object_ref (msg);
  watch_ref (w);
  soup_session_send_and_read_async (c->watch_session, msg, G_PRIORITY_DEFAULT, s->cancellable,
                                    on_relisted, s);
}

static guint
hc_watch (KsClient *self, const KsKind *kind, const char *node_name, gboolean replay,
          KsWatchFunc func, gpointer user_data, GDestroyNotify destroy)
{
  HttpClient *c = CLIENT (self);
  Watch *w = g_new0 (Watch, 1);
  g_autofree char *fs = NULL;

  g_return_val_if_fail (node_name == NULL || (kind != NULL && kind->id == KS_KIND_POD), 0);
  w->client = c;
  w->id = c->next_id++;
  w->node_name = g_strdup (node_name);
  w->replay = replay;
  w->func = func;
  w->user_data = user_data;
  w->destroy = destroy;
  w->ref_count = 1;
  w->n_streams = kind != NULL ? 1 : KS_N_KINDS;
  w->streams = g_new0 (Stream, w->n_streams);
  fs = field_selector (w);
  g_hash_table_insert (c->watches, GUINT_TO_POINTER (w->id), w);
  for (guint i = 0; i < w->n_streams; i++)
    {
      Stream *s = &w->streams[i];
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) items = NULL;
      s->watch = w;
      s->kind = kind != NULL ? kind : ks_kind_get (i);
      s->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) ks_object_unref);
      items = list_request (c, s->kind, NULL, fs, &s->rv, &error);
      if (items == NULL)
        {
          /* Keep trying in the background; the watcher hears of the objects then. */
          g_message ("watch of %s: %s; retrying", s->kind->plural, error->message);
          stream_schedule (s, on_retry_relist);
          continue;
        }
      stream_apply_list (s, items, s->rv, !replay);
    }
  /* Streams start after the replay, so a watch removed from its callback never opens one. */
  watch_ref (w);
  for (guint i = 0; i < w->n_streams && !w->removed; i++)
    if (w->streams[i].have_list)
      stream_watch (&w->streams[i]);
  watch_unref (w);
  return w->id;
}

static void
hc_unwatch (KsClient *self, guint id)
{
  HttpClient *c = CLIENT (self);
  Watch *w = g_hash_table_lookup (c->watches, GUINT_TO_POINTER (id));

  if (w == NULL)
    return;
  g_hash_table_steal (c->watches, GUINT_TO_POINTER (id));
  watch_remove (w);
  watch_unref (w);
}

gboolean
ks_http_client_watches_connected (KsClient *self)
{
  HttpClient *c = CLIENT (self);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, c->watches);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Watch *w = value;
      for (guint i = 0; i < w->n_streams; i++)
        if (!w->streams[i].connected)
          return FALSE;
    }
  return TRUE;
}

static void
hc_free (KsClient *self)
{
  HttpClient *c = CLIENT (self);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, c->watches);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_hash_table_iter_steal (&iter);
      watch_remove (value);
      watch_unref (value);
    }
  g_hash_table_unref (c->watches);
  g_object_unref (c->session);
  g_object_unref (c->watch_session);
  g_main_context_unref (c->context);
  g_free (c->base);
  g_free (c);
}

static const KsClientOps http_client_ops = {
  .get = hc_get,
  .list = hc_list,
  .list_dependents = hc_list_dependents,
  .create = hc_create,
  .update = hc_update,
  .update_status = hc_update_status,
  .delete = hc_delete,
  .bind = hc_bind,
  .watch = hc_watch,
  .unwatch = hc_unwatch,
  .free = hc_free,
};

KsClient *
ks_http_client_new (const char *url, gint64 epoch, GError **error)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  HttpClient *c;
  gsize len;

  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "http") != 0
      || g_uri_get_host (uri) == NULL)
    {
      g_set_error (error, KS_HTTP_CLIENT_ERROR, KS_HTTP_CLIENT_ERROR_BAD_URL,
                   "invalid server URL \"%s\": expected http://HOST:PORT", url);
      return NULL;
    }
  c = g_new0 (HttpClient, 1);
  c->parent.ops = &http_client_ops;
  c->base = g_strdup (url);
  len = strlen (c->base);
  while (len > 0 && c->base[len - 1] == '/')
    c->base[--len] = '\0';
  c->epoch = epoch;
  c->context = g_main_context_ref_thread_default ();
  c->session = soup_session_new_with_options ("timeout", REQUEST_TIMEOUT_S, NULL);
  /* Each watch holds a connection for as long as it streams. */
  c->watch_session
      = soup_session_new_with_options ("max-conns", 1024, "max-conns-per-host", 1024, NULL);
  c->watches = g_hash_table_new (g_direct_hash, g_direct_equal);
  c->next_id = 1;
  return &c->parent;
}
