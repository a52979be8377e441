/* ks-prober-gio.c: httpGet and tcpSocket probes over the network. */
#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "ks-prober-gio.h"

typedef struct _GioProber GioProber;

/* One probe in flight.  Each pending asynchronous call holds a reference; the probe's own
 * reference goes when it finishes. */
typedef struct
{
  gint ref_count;
  GioProber *prober; /* NULL once the prober is gone */
  gboolean http;
  gboolean https;
  char *host; /* as given (a name or an address) */
  char *ip;   /* resolved */
  guint16 port;
  char *path;
  KsHttpHeader *headers;
  guint n_headers;
  char *url; /* http: the URL, for messages */
  SoupMessage *msg;
  GCancellable *cancellable;
  GSource *timeout;
  gboolean timed_out;
  gboolean finished;
  KsProbeDoneFunc done;
  gpointer user_data;
} Op;

struct _GioProber
{
  KsProber parent;
  GMainContext *context;
  SoupSession *session;
  GSocketClient *client;
  KsProberAllowFunc allow;
  gpointer allow_data;
  GHashTable *ops; /* Op* not yet finished */
};

static Op *
op_ref (Op *op)
{
  op->ref_count++;
  return op;
}

static void
op_unref (gpointer data)
{
  Op *op = data;

  if (--op->ref_count > 0)
    return;
  g_free (op->host);
  g_free (op->ip);
  g_free (op->path);
  for (guint i = 0; i < op->n_headers; i++)
    {
      g_free (op->headers[i].name);
      g_free (op->headers[i].value);
    }
  g_free (op->headers);
  g_free (op->url);
  g_clear_object (&op->msg);
  g_clear_object (&op->cancellable);
  g_free (op);
}

/* The end of a probe: done is called once; the probe stops waiting. */
static void
op_finish (Op *op, gboolean success, const char *output)
{
  if (op->finished)
    return;
  op->finished = TRUE;
  if (op->timeout != NULL)
    {
      g_source_destroy (op->timeout);
      g_source_unref (op->timeout);
      op->timeout = NULL;
    }
  if (op->prober != NULL)
    g_hash_table_remove (op->prober->ops, op);
  op->done (success, output, op->user_data);
  op_unref (op);
}

typedef struct
{
  Op *op;
  gboolean success;
  char *output;
} Later;

static gboolean
later_run (gpointer data)
{
  Later *l = data;
  op_finish (l->op, l->success, l->output);
  return G_SOURCE_REMOVE;
}

static void
later_free (gpointer data)
{
  Later *l = data;
  op_unref (l->op);
  g_free (l->output);
  g_free (l);
}

/* Finish from the main context, not from within the caller's call.  Takes output. */
static void
op_finish_later (Op *op, gboolean success, char *output)
{
  Later *l = g_new0 (Later, 1);
  GSource *source = g_idle_source_new ();

  l->op = op_ref (op);
  l->success = success;
  l->output = output;
  g_source_set_callback (source, later_run, l, later_free);
  g_source_attach (source, op->prober->context);
  g_source_unref (source);
}

/* "10.244.1.2:80", "[fd00::2]:80": Go's net.JoinHostPort. */
static char *
host_port (const char *host, guint16 port)
{
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", host, port);
  return g_strdup_printf ("%s:%u", host, port);
}

/* A connection error in Go's words: "dial tcp ADDR: connect: connection refused". */
static char *
dial_error (Op *op, const GError *error)
{
  g_autofree char *addr = host_port (op->ip != NULL ? op->ip : op->host, op->port);
  g_autofree char *why = NULL;

  if (op->timed_out)
    {
      if (op->http)
        return g_strdup_printf (
            "Get \"%s\": context deadline exceeded (Client.Timeout exceeded while awaiting "
            "headers)",
            op->url);
      return g_strdup_printf ("dial tcp %s: i/o timeout", addr);
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    why = g_strdup_printf ("dial tcp %s: connect: connection refused", addr);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE))
    why = g_strdup_printf ("dial tcp %s: connect: no route to host", addr);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    why = g_strdup_printf ("dial tcp %s: connect: network is unreachable", addr);
  else if (op->http)
    why = g_strdup (error->message);
  else
    why = g_strdup_printf ("dial tcp %s: %s", addr, error->message);
  if (op->http)
    return g_strdup_printf ("Get \"%s\": %s", op->url, why);
  return g_steal_pointer (&why);
}

static gboolean
on_timeout (gpointer data)
{
  Op *op = data;

  op->timed_out = TRUE;
  g_cancellable_cancel (op->cancellable);
  return G_SOURCE_CONTINUE; /* destroyed by op_finish */
}

static gboolean
accept_any_certificate (SoupMessage *msg, GTlsCertificate *cert, GTlsCertificateFlags errors,
                        gpointer data)
{
  return TRUE;
}

static void
on_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  Op *op = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GInputStream) body = soup_session_send_finish (SOUP_SESSION (source), result, &error);

  if (!op->finished)
    {
      if (body == NULL)
        {
          g_autofree char *output = dial_error (op, error);
          op_finish (op, FALSE, output);
        }
      else
        {
          guint status = soup_message_get_status (op->msg);
          if (status >= 200 && status < 400)
            op_finish (op, TRUE, "");
          else
            {
              /* Kubernetes leaves the body out of this message on purpose (issue 99425). */
              g_autofree char *output
                  = g_strdup_printf ("HTTP probe failed with statuscode: %u", status);
              op_finish (op, FALSE, output);
            }
        }
    }
  op_unref (op);
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  Op *op = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) conn
      = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);

  if (conn != NULL)
    g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  if (!op->finished)
    {
      if (conn != NULL)
        op_finish (op, TRUE, "");
      else
        {
          g_autofree char *output = dial_error (op, error);
          op_finish (op, FALSE, output);
        }
    }
  op_unref (op);
}

static void
start_http (Op *op)
{
  GioProber *p = op->prober;
  g_autofree char *authority = host_port (op->ip, op->port);
  g_autofree char *target = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GUri) uri = NULL;
  SoupMessageHeaders *headers;

  target = g_strdup_printf ("%s://%s%s%s", op->https ? "https" : "http", authority,
                            op->path[0] == '/' ? "" : "/", op->path);
  uri = g_uri_parse (target, SOUP_HTTP_URI_FLAGS, &error);
  if (uri == NULL)
    {
      op_finish (op, FALSE, error->message);
      return;
    }
  op->msg = soup_message_new_from_uri (SOUP_METHOD_GET, uri);
  soup_message_add_flags (op->msg, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (op->msg);
  if (g_strcmp0 (op->host, op->ip) != 0)
    {
      /* The probe named a host: it is the Host header, though the address is connected to. */
      g_autofree char *host = host_port (op->host, op->port);
      soup_message_headers_replace (headers, "Host", host);
    }
  soup_message_headers_replace (headers, "User-Agent", KS_PROBER_USER_AGENT);
  soup_message_headers_replace (headers, "Accept", "*/*");
  for (guint i = 0; i < op->n_headers; i++)
    soup_message_headers_replace (headers, op->headers[i].name,
                                  op->headers[i].value != NULL ? op->headers[i].value : "");
  soup_message_headers_replace (headers, "Connection", "close");
  if (op->https)
    g_signal_connect (op->msg, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  soup_session_send_async (p->session, op->msg, G_PRIORITY_DEFAULT, op->cancellable, on_sent,
                           op_ref (op));
}

/* The address is known: connect if allowed. */
static void
connect_to (Op *op)
{
  GioProber *p = op->prober;

  if (!p->allow (op->ip, p->allow_data))
    {
      g_autofree char *addr = host_port (op->ip, op->port);
      g_autofree char *why = g_strdup_printf (
          "dial tcp %s: not connecting: the address is not on kubesim's pod network", addr);
      g_autofree char *output
          = op->http ? g_strdup_printf ("Get \"%s\": %s", op->url, why) : g_strdup (why);
      op_finish (op, FALSE, output);
      return;
    }
  if (op->http)
    start_http (op);
  else
    {
      g_autoptr (GSocketAddress) addr = g_inet_socket_address_new_from_string (op->ip, op->port);
      g_socket_client_connect_async (p->client, G_SOCKET_CONNECTABLE (addr), op->cancellable,
                                     on_connected, op_ref (op));
    }
}

static void
on_resolved (GObject *source, GAsyncResult *result, gpointer data)
{
  Op *op = data;
  g_autoptr (GError) error = NULL;
  GList *addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);

  if (!op->finished && op->prober != NULL)
    {
      if (addresses == NULL)
        {
          g_autofree char *why
              = op->timed_out ? g_strdup ("i/o timeout") : g_strdup (error->message);
          g_autofree char *output
              = op->http ? g_strdup_printf ("Get \"%s\": dial tcp: lookup %s: %s", op->url,
                                            op->host, why)
                         : g_strdup_printf ("dial tcp: lookup %s: %s", op->host, why);
          op_finish (op, FALSE, output);
        }
      else
        {
          /* The first IPv4 address, else the first (Go dials IPv4 first on a dual-stack
           * name). */
          GInetAddress *pick = addresses->data;
          for (GList *l = addresses; l != NULL; l = l->next)
            if (g_inet_address_get_family (l->data) == G_SOCKET_FAMILY_IPV4)
              {
                pick = l->data;
                break;
              }
          op->ip = g_inet_address_to_string (pick);
          connect_to (op);
        }
    }
  g_resolver_free_addresses (addresses);
  op_unref (op);
}

/* Resolve the host (unless it is an address), then connect if allowed. */
static gboolean
op_begin (gpointer data)
{
  Op *op = data;

  if (op->finished || op->prober == NULL)
    return G_SOURCE_REMOVE;
  if (g_hostname_is_ip_address (op->host))
    {
      g_autoptr (GInetAddress) addr = g_inet_address_new_from_string (op->host);
      op->ip = addr != NULL ? g_inet_address_to_string (addr) : g_strdup (op->host);
      connect_to (op);
    }
  else
    {
      g_autoptr (GResolver) resolver = g_resolver_get_default ();
      g_resolver_lookup_by_name_async (resolver, op->host, op->cancellable, on_resolved,
                                       op_ref (op));
    }
  return G_SOURCE_REMOVE;
}

static void
probe (GioProber *p, gboolean http, const KsProbeRequest *req, KsProbeDoneFunc done,
       gpointer user_data)
{
  Op *op = g_new0 (Op, 1);
  gint64 timeout_ms = MAX (req->timeout / 1000, 1);

  op->ref_count = 1;
  op->prober = p;
  op->http = http;
  op->host = g_strdup (req->host);
  op->port = (guint16) req->port;
  op->done = done;
  op->user_data = user_data;
  op->cancellable = g_cancellable_new ();
  if (http)
    {
      const KsProbe *probe = req->probe;
      g_autofree char *authority = host_port (req->host != NULL ? req->host : "", op->port);
      op->https = probe->https;
      op->path = g_strdup (probe->path != NULL ? probe->path : "/");
      op->n_headers = probe->n_http_headers;
      op->headers = g_new0 (KsHttpHeader, MAX (op->n_headers, 1));
      for (guint i = 0; i < op->n_headers; i++)
        {
          op->headers[i].name = g_strdup (probe->http_headers[i].name);
          op->headers[i].value = g_strdup (probe->http_headers[i].value);
        }
      op->url = g_strdup_printf ("%s://%s%s%s", op->https ? "https" : "http", authority,
                                 op->path[0] == '/' ? "" : "/", op->path);
    }
  g_hash_table_add (p->ops, op);
  op->timeout = g_timeout_source_new ((guint) MIN (timeout_ms, G_MAXUINT));
  g_source_set_callback (op->timeout, on_timeout, op, NULL);
  g_source_attach (op->timeout, p->context);

  if (req->port < 1 || req->port > 65535)
    {
      op_finish_later (op, FALSE, g_strdup_printf ("invalid port number: %d", req->port));
      return;
    }
  if (req->host == NULL || req->host[0] == '\0')
    {
      /* Go would dial the local machine for an empty host; kubesim never does. */
      op_finish_later (op, FALSE, g_strdup ("no address to probe: the pod has no IP"));
      return;
    }
  {
    GSource *source = g_idle_source_new ();
    g_source_set_callback (source, op_begin, op_ref (op), op_unref);
    g_source_attach (source, p->context);
    g_source_unref (source);
  }
}

static void
gp_http_get (KsProber *self, const KsProbeRequest *req, KsProbeDoneFunc done, gpointer user_data)
{
  probe ((GioProber *) self, TRUE, req, done, user_data);
}

static void
gp_tcp (KsProber *self, const KsProbeRequest *req, KsProbeDoneFunc done, gpointer user_data)
{
  probe ((GioProber *) self, FALSE, req, done, user_data);
}

static void
gp_free (KsProber *self)
{
  GioProber *p = (GioProber *) self;
  g_autoptr (GPtrArray) ops = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer op;

  /* The probes in flight end now; their pending calls come back cancelled, to no one. */
  g_hash_table_iter_init (&iter, p->ops);
  while (g_hash_table_iter_next (&iter, &op, NULL))
    g_ptr_array_add (ops, op);
  for (guint i = 0; i < ops->len; i++)
    {
      Op *o = ops->pdata[i];
      g_cancellable_cancel (o->cancellable);
      op_finish (o, FALSE, "prober stopped");
      o->prober = NULL;
    }
  soup_session_abort (p->session);
  g_object_unref (p->session);
  g_object_unref (p->client);
  g_hash_table_unref (p->ops);
  g_main_context_unref (p->context);
  g_free (p);
}

static const KsProberOps gio_prober_ops = {
  .http_get = gp_http_get,
  .tcp = gp_tcp,
  .free = gp_free,
};

KsProber *
ks_prober_gio_new (KsProberAllowFunc allow, gpointer user_data)
{
  GioProber *p;
  g_autoptr (GProxyResolver) direct = NULL;

  g_return_val_if_fail (allow != NULL, NULL);
  p = g_new0 (GioProber, 1);
  p->parent.ops = &gio_prober_ops;
  p->context = g_main_context_ref_thread_default ();
  p->allow = allow;
  p->allow_data = user_data;
  p->ops = g_hash_table_new (NULL, NULL);
  /* No proxy, ever: a probe goes to the pod, and only after allow said yes. */
  direct = g_simple_proxy_resolver_new (NULL, NULL);
  p->session = soup_session_new_with_options ("proxy-resolver", direct, "max-conns", 1000,
                                              "max-conns-per-host", 100, NULL);
  soup_session_remove_feature_by_type (p->session, SOUP_TYPE_CONTENT_DECODER);
  p->client = g_socket_client_new ();
  g_socket_client_set_enable_proxy (p->client, FALSE);
  return &p->parent;
}
