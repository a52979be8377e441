/* ks-rest.c: the CLI's client of the real-mode API (see ks-rest.h). */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "ks-rest.h"

typedef struct
{
  KsRestStatus status;
  gboolean has_status;
} KsRestErrorPrivate;

static void
ks_rest_error_private_init (KsRestErrorPrivate *priv)
{
  memset (priv, 0, sizeof *priv);
}

static void
status_clear (KsRestStatus *s)
{
  g_free (s->reason);
  g_free (s->message);
  g_free (s->kind);
  g_free (s->name);
  for (guint i = 0; i < s->n_causes; i++)
    {
      g_free (s->causes[i].field);
      g_free (s->causes[i].message);
    }
  g_free (s->causes);
  memset (s, 0, sizeof *s);
}

static void
ks_rest_error_private_copy (const KsRestErrorPrivate *src, KsRestErrorPrivate *dst)
{
  dst->has_status = src->has_status;
  dst->status.code = src->status.code;
  dst->status.reason = g_strdup (src->status.reason);
  dst->status.message = g_strdup (src->status.message);
  dst->status.kind = g_strdup (src->status.kind);
  dst->status.name = g_strdup (src->status.name);
  dst->status.n_causes = src->status.n_causes;
  dst->status.causes = g_new0 (KsRestCause, MAX (src->status.n_causes, 1));
  for (guint i = 0; i < src->status.n_causes; i++)
    {
      dst->status.causes[i].field = g_strdup (src->status.causes[i].field);
      dst->status.causes[i].message = g_strdup (src->status.causes[i].message);
    }
}

static void
ks_rest_error_private_clear (KsRestErrorPrivate *priv)
{
  status_clear (&priv->status);
}

/* clang-format off */
G_DEFINE_EXTENDED_ERROR (KsRestError, ks_rest_error)
/* clang-format on */

const KsRestStatus *
ks_rest_error_get_status (const GError *error)
{
  KsRestErrorPrivate *priv;

  if (error == NULL || error->domain != KS_REST_ERROR || error->code != KS_REST_ERROR_STATUS)
    return NULL;
  priv = ks_rest_error_get_private (error);
  return priv != NULL && priv->has_status ? &priv->status : NULL;
}

gboolean
ks_rest_error_has_reason (const GError *error, const char *reason)
{
  const KsRestStatus *s = ks_rest_error_get_status (error);

  return s != NULL && g_strcmp0 (s->reason, reason) == 0;
}

/* ---- JSON helpers ---------------------------------------------------------------------------- */

static JsonNode *
member (JsonNode *node, const char *name)
{
  JsonObject *o;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  o = json_node_get_object (node);
  return json_object_has_member (o, name) ? json_object_get_member (o, name) : NULL;
}

/* The node at a dotted path ("metadata.name"). */
static JsonNode *
lookup (JsonNode *node, const char *path)
{
  g_auto (GStrv) parts = g_strsplit (path, ".", -1);

  for (guint i = 0; parts[i] != NULL && node != NULL; i++)
    node = member (node, parts[i]);
  return node;
}

JsonObject *
ks_json_get_object (JsonNode *node, const char *path)
{
  node = lookup (node, path);
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

const char *
ks_json_get_string (JsonNode *node, const char *path)
{
  node = lookup (node, path);
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
                 && json_node_get_value_type (node) == G_TYPE_STRING
             ? json_node_get_string (node)
             : NULL;
}

/* ---- the client ------------------------------------------------------------------------------ */

struct _KsRest
{
  char *server;
  char *host; /* host:port, for messages */
  SoupSession *session;
};

KsRest *
ks_rest_new (const char *server, GError **error)
{
  g_autoptr (GUri) uri = NULL;
  KsRest *rest;

  uri = g_uri_parse (server, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 || g_uri_get_host (uri) == NULL
      || g_uri_get_host (uri)[0] == '\0')
    {
      g_set_error (error, KS_REST_ERROR, KS_REST_ERROR_BAD_URL,
                   "the server URL \"%s\" is not an http:// URL (kubesim's API is plain HTTP, "
                   "e.g. http://127.0.0.1:6443)",
                   server);
      return NULL;
    }
  rest = g_new0 (KsRest, 1);
  rest->server = g_strdup (server);
  while (g_str_has_suffix (rest->server, "/"))
    rest->server[strlen (rest->server) - 1] = '\0';
  if (g_uri_get_port (uri) > 0)
    rest->host = g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
  else
    rest->host = g_strdup (g_uri_get_host (uri));
  /* No timeout: log and watch streams stay open as long as the server writes them. */
  rest->session = soup_session_new ();
  return rest;
}

void
ks_rest_free (KsRest *rest)
{
  if (rest == NULL)
    return;
  g_object_unref (rest->session);
  g_free (rest->server);
  g_free (rest->host);
  g_free (rest);
}

const char *
ks_rest_get_server (KsRest *rest)
{
  return rest->server;
}

char *
ks_rest_path (const KsKind *kind, const char *ns, const char *name, const char *sub)
{
  GString *p = g_string_new (NULL);

  if (kind->group[0] == '\0')
    g_string_append (p, "/api/v1");
  else
    g_string_append_printf (p, "/apis/%s", kind->api_version);
  if (kind->namespaced && ns != NULL)
    {
      g_string_append (p, "/namespaces/");
      g_string_append_uri_escaped (p, ns, NULL, FALSE);
    }
  g_string_append_c (p, '/');
  g_string_append (p, kind->plural);
  if (name != NULL)
    {
      g_string_append_c (p, '/');
      g_string_append_uri_escaped (p, name, NULL, FALSE);
    }
  if (sub != NULL)
    g_string_append_printf (p, "/%s", sub);
  return g_string_free (p, FALSE);
}

/* kubectl's messages for a server it cannot reach (cmdutil.StandardErrorMessage). */
static void
set_unreachable (KsRest *rest, GError *cause, GError **error)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    g_set_error (error, KS_REST_ERROR, KS_REST_ERROR_UNREACHABLE,
                 "The connection to the server %s was refused - did you specify the right host or "
                 "port?",
                 rest->host);
  else
    g_set_error (error, KS_REST_ERROR, KS_REST_ERROR_UNREACHABLE,
                 "Unable to connect to the server: %s", cause->message);
}

static char *
dup_string_member (JsonNode *node, const char *path)
{
  return g_strdup (ks_json_get_string (node, path));
}

/* The error of a non-2xx answer with body. */
static void
set_status_error (guint code, const char *data, gsize len, GError **error)
{
  g_autoptr (JsonNode) root = NULL;
  KsRestErrorPrivate *priv;
  KsRestStatus *s;
  JsonNode *causes;
  GError *e;

  if (data != NULL && len > 0)
    {
      g_autofree char *text = g_strndup (data, len);
      root = json_from_string (text, NULL);
    }
  if (root == NULL || g_strcmp0 (ks_json_get_string (root, "kind"), "Status") != 0)
    {
      /* kubectl's words for an answer without a Status. */
      g_set_error (error, KS_REST_ERROR, KS_REST_ERROR_BAD_RESPONSE,
                   "the server responded with the status code %u but did not return more "
                   "information",
                   code);
      return;
    }
  e = g_error_new_literal (KS_REST_ERROR, KS_REST_ERROR_STATUS,
                           ks_json_get_string (root, "message") != NULL
                               ? ks_json_get_string (root, "message")
                               : soup_status_get_phrase (code));
  priv = ks_rest_error_get_private (e);
  priv->has_status = TRUE;
  s = &priv->status;
  s->code = code;
  s->reason = dup_string_member (root, "reason");
  s->message = dup_string_member (root, "message");
  s->kind = dup_string_member (root, "details.kind");
  s->name = dup_string_member (root, "details.name");
  causes = lookup (root, "details.causes");
  if (causes != NULL && JSON_NODE_HOLDS_ARRAY (causes))
    {
      JsonArray *a = json_node_get_array (causes);
      s->causes = g_new0 (KsRestCause, json_array_get_length (a) + 1);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *c = json_array_get_element (a, i);
          s->causes[s->n_causes].field = dup_string_member (c, "field");
          s->causes[s->n_causes].message = dup_string_member (c, "message");
          s->n_causes++;
        }
    }
  g_propagate_error (error, e);
}

static SoupMessage *
new_message (KsRest *rest, const char *method, const char *path, GError **error)
{
  g_autofree char *url = g_strconcat (rest->server, path, NULL);
  SoupMessage *msg = soup_message_new (method, url);

  if (msg == NULL)
    {
      g_set_error (error, KS_REST_ERROR, KS_REST_ERROR_BAD_URL, "invalid URL: %s", url);
      return NULL;
    }
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");
  return msg;
}

JsonNode *
ks_rest_request (KsRest *rest, const char *method, const char *path, const char *content_type,
                 const char *body, GError **error)
{
  g_autoptr (SoupMessage) msg = new_message (rest, method, path, error);
  g_autoptr (GBytes) response = NULL;
  g_autoptr (GError) local = NULL;
  g_autoptr (GError) parse_error = NULL;
  g_autofree char *text = NULL;
  const char *data;
  JsonNode *root;
  gsize len;
  guint code;

  if (msg == NULL)
    return NULL;
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }
  response = soup_session_send_and_read (rest->session, msg, NULL, &local);
  if (response == NULL)
    {
      set_unreachable (rest, local, error);
      return NULL;
    }
  code = soup_message_get_status (msg);
  data = g_bytes_get_data (response, &len);
  if (!SOUP_STATUS_IS_SUCCESSFUL (code))
    {
      set_status_error (code, data, len, error);
      return NULL;
    }
  text = g_strndup (data != NULL ? data : "", len);
  root = json_from_string (text, &parse_error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, KS_REST_ERROR, KS_REST_ERROR_BAD_RESPONSE,
                   "%s %s: the answer is not a JSON object%s%s", method, path,
                   parse_error != NULL ? ": " : "",
                   parse_error != NULL ? parse_error->message : "");
      g_clear_pointer (&root, json_node_unref);
    }
  return root;
}

GInputStream *
ks_rest_open (KsRest *rest, const char *path, GCancellable *cancellable, GError **error)
{
  g_autoptr (SoupMessage) msg = new_message (rest, "GET", path, error);
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (GError) local = NULL;
  guint code;

  if (msg == NULL)
    return NULL;
  stream = soup_session_send (rest->session, msg, cancellable, &local);
  if (stream == NULL)
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local));
      else
        set_unreachable (rest, local, error);
      return NULL;
    }
  code = soup_message_get_status (msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (code))
    {
      g_autoptr (GOutputStream) sink = g_memory_output_stream_new_resizable ();
      g_autoptr (GBytes) bytes = NULL;
      gsize len;
      const char *data;

      g_output_stream_splice (sink, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, cancellable, NULL);
      bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (sink));
      data = g_bytes_get_data (bytes, &len);
      set_status_error (code, data, len, error);
      return NULL;
    }
  return g_steal_pointer (&stream);
}

/* ---- watches --------------------------------------------------------------------------------- */

struct _KsRestWatch
{
  GDataInputStream *lines;
  GCancellable *cancellable;
};

KsRestWatch *
ks_rest_watch_open (KsRest *rest, const char *path, GCancellable *cancellable, GError **error)
{
  GInputStream *stream = ks_rest_open (rest, path, cancellable, error);
  KsRestWatch *w;

  if (stream == NULL)
    return NULL;
  w = g_new0 (KsRestWatch, 1);
  w->lines = g_data_input_stream_new (stream);
  w->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  g_object_unref (stream);
  return w;
}

gboolean
ks_rest_watch_next (KsRestWatch *w, char **type, JsonNode **object, GError **error)
{
  for (;;)
    {
      g_autoptr (GError) local = NULL;
      g_autofree char *line
          = g_data_input_stream_read_line_utf8 (w->lines, NULL, w->cancellable, &local);
      g_autoptr (JsonNode) event = NULL;
      JsonNode *obj;

      if (line == NULL)
        {
          if (local != NULL)
            g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      g_strstrip (line);
      if (line[0] == '\0')
        continue;
      event = json_from_string (line, &local);
      if (event == NULL || ks_json_get_string (event, "type") == NULL
          || (obj = member (event, "object")) == NULL || !JSON_NODE_HOLDS_OBJECT (obj))
        {
          g_set_error (error, KS_REST_ERROR, KS_REST_ERROR_BAD_RESPONSE,
                       "a watch event that is not a WatchEvent: %s", line);
          return FALSE;
        }
      *type = g_strdup (ks_json_get_string (event, "type"));
      *object = json_node_copy (obj);
      return TRUE;
    }
}

void
ks_rest_watch_free (KsRestWatch *w)
{
  if (w == NULL)
    return;
  g_clear_object (&w->lines);
  g_clear_object (&w->cancellable);
  g_free (w);
}
