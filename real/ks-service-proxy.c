/* ks-service-proxy.c: the userspace Service proxy (see ks-service-proxy.h).
 *
 * State: per Service key a ServiceState holding its ports (PortState: the usable endpoints,
 * sorted, and the ClientIP affinity table) and the listening sockets, which are proxy-wide in
 * one table keyed by "ip:port" so that two Services cannot claim one address.  A PortState
 * survives updates (its affinity table with it); only its endpoint list is replaced.
 *
 * A connection (Conn) copies with two pumps, one per direction: read into a buffer, write it all,
 * read again.  End of input on one side becomes a shutdown of the other side's writing half, so a
 * client that half-closes still gets its answer; the connection is closed when both directions
 * have ended.  An error on either side resets both (SO_LINGER 0), as a broken path would. */
#include "config.h"

#include "ks-net-private.h"
#include "ks-service-proxy.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#define PUMP_BUFFER_SIZE (64 * 1024)
#define LISTEN_BACKLOG 1024
/* Messages about single connections: at most this many per second, so a client hammering a
 * port without endpoints cannot flood the log. */
#define CONN_LOG_PER_SEC 10
/* Connecting to an endpoint gives up after this long (an address on the bridge that nobody
 * answers would otherwise take minutes of SYN retries). */
#define CONNECT_TIMEOUT_S 10

/* ---- Plain data ---- */

static void
endpoint_free (gpointer data)
{
  KsProxyEndpoint *e = data;

  g_free (e->ip);
  g_free (e);
}

static void
port_free (gpointer data)
{
  KsProxyPort *p = data;

  g_free (p->name);
  g_ptr_array_unref (p->endpoints);
  g_free (p);
}

KsProxyService *
ks_proxy_service_new (const char *cluster_ip, KsProxyAffinity affinity, guint affinity_timeout)
{
  KsProxyService *s = g_new0 (KsProxyService, 1);

  s->cluster_ip = g_strdup (cluster_ip);
  s->affinity = affinity;
  s->affinity_timeout = affinity_timeout;
  s->ports = g_ptr_array_new_with_free_func (port_free);
  return s;
}

void
ks_proxy_service_free (KsProxyService *service)
{
  if (service == NULL)
    return;
  g_free (service->cluster_ip);
  g_ptr_array_unref (service->ports);
  g_free (service);
}

KsProxyPort *
ks_proxy_service_add_port (KsProxyService *service, const char *name, KsProxyProtocol protocol,
                           guint16 port, guint16 node_port)
{
  KsProxyPort *p;

  g_return_val_if_fail (service != NULL, NULL);
  p = g_new0 (KsProxyPort, 1);
  p->name = g_strdup (name != NULL ? name : "");
  p->protocol = protocol;
  p->port = port;
  p->node_port = node_port;
  p->endpoints = g_ptr_array_new_with_free_func (endpoint_free);
  g_ptr_array_add (service->ports, p);
  return p;
}

void
ks_proxy_port_add_endpoint (KsProxyPort *port, const char *ip, guint16 target_port, gboolean ready,
                            gboolean serving, gboolean terminating)
{
  KsProxyEndpoint *e;

  g_return_if_fail (port != NULL);
  e = g_new0 (KsProxyEndpoint, 1);
  e->ip = g_strdup (ip);
  e->port = target_port;
  e->ready = ready;
  e->serving = serving;
  e->terminating = terminating;
  g_ptr_array_add (port->endpoints, e);
}

/* ---- Proxy state ---- */

typedef struct
{
  char *endpoint; /* "ip:port" */
  gint64 last;    /* when the client last started a connection through it */
} AffinityEntry;

typedef struct
{
  char *label;        /* "<key>:<port name>" for the log */
  GPtrArray *targets; /* "ip:port" of the usable endpoints, sorted, unique */
  KsProxyAffinity affinity;
  gint64 timeout;      /* µs */
  GHashTable *clients; /* client address -> AffinityEntry */
} PortState;

typedef struct
{
  char *key;
  char *cluster_ip;     /* NULL: none */
  GHashTable *ports;    /* name -> PortState */
  GHashTable *rejected; /* names of ports skipped (UDP, SCTP), so the log says it once */
} ServiceState;

typedef struct _Listener Listener;

struct _KsServiceProxy
{
  KsNet *net;
  KsClock *clock;
  GRand *rand;
  GMainContext *context;
  GHashTable *services;  /* key -> ServiceState */
  GHashTable *listeners; /* "ip:port" -> Listener */
  GHashTable *conns;     /* set of Conn */
  KsProxyStats stats;
  gint64 log_window; /* start of the current second of connection messages */
  guint log_count;
  guint log_suppressed;
};

struct _Listener
{
  KsServiceProxy *proxy;
  char *address; /* "ip:port" */
  char *service_key;
  PortState *port; /* borrowed from the service's state */
  GSocket *socket;
  GSource *source;
};

static void
affinity_entry_free (gpointer data)
{
  AffinityEntry *e = data;

  g_free (e->endpoint);
  g_free (e);
}

static PortState *
port_state_new (const char *key, const char *name)
{
  PortState *ps = g_new0 (PortState, 1);

  ps->label = g_strdup_printf ("%s:%s", key, *name != '\0' ? name : "(unnamed)");
  ps->targets = g_ptr_array_new_with_free_func (g_free);
  ps->clients = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, affinity_entry_free);
  return ps;
}

static void
port_state_free (gpointer data)
{
  PortState *ps = data;

  g_free (ps->label);
  g_ptr_array_unref (ps->targets);
  g_hash_table_unref (ps->clients);
  g_free (ps);
}

static void
service_state_free (gpointer data)
{
  ServiceState *s = data;

  g_free (s->key);
  g_free (s->cluster_ip);
  g_hash_table_unref (s->ports);
  g_hash_table_unref (s->rejected);
  g_free (s);
}

static void
listener_free (gpointer data)
{
  Listener *l = data;

  if (l->source != NULL)
    {
      g_source_destroy (l->source);
      g_source_unref (l->source);
    }
  if (l->socket != NULL)
    {
      g_socket_close (l->socket, NULL);
      g_object_unref (l->socket);
    }
  g_free (l->address);
  g_free (l->service_key);
  g_free (l);
}

static const char *
port_name (const KsProxyPort *p)
{
  return p->name != NULL ? p->name : "";
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Logs a message about one connection, within CONN_LOG_PER_SEC. */
static void G_GNUC_PRINTF (2, 3) conn_log (KsServiceProxy *proxy, const char *format, ...)
{
  gint64 now;
  va_list ap;

  if (proxy == NULL)
    return; /* a connection outliving its proxy */
  now = ks_clock_now (proxy->clock);
  if (now - proxy->log_window >= G_USEC_PER_SEC)
    {
      if (proxy->log_suppressed > 0)
        g_message ("Service proxy: %u more connection messages were not logged",
                   proxy->log_suppressed);
      proxy->log_window = now;
      proxy->log_count = 0;
      proxy->log_suppressed = 0;
    }
  if (proxy->log_count >= CONN_LOG_PER_SEC)
    {
      proxy->log_suppressed++;
      return;
    }
  proxy->log_count++;
  va_start (ap, format);
  g_logv (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, format, ap);
  va_end (ap);
}

/* ---- Choosing an endpoint ---- */

static gboolean
targets_contain (GPtrArray *targets, const char *endpoint)
{
  for (guint i = 0; i < targets->len; i++)
    if (strcmp (targets->pdata[i], endpoint) == 0)
      return TRUE;
  return FALSE;
}

/* The endpoint (borrowed from ps) for a new connection from client, or NULL. */
static const char *
port_choose (KsServiceProxy *proxy, PortState *ps, const char *client)
{
  const char *chosen;
  gint64 now;

  if (ps->targets->len == 0)
    return NULL;
  now = ks_clock_now (proxy->clock);
  if (ps->affinity == KS_PROXY_AFFINITY_CLIENT_IP)
    {
      AffinityEntry *e = g_hash_table_lookup (ps->clients, client);

      /* iptables' `recent --rcheck --seconds T`: seen within the last T seconds, inclusive. */
      if (e != NULL && now - e->last <= ps->timeout && targets_contain (ps->targets, e->endpoint))
        {
          e->last = now;
          return e->endpoint;
        }
    }
  chosen = ps->targets->pdata[g_rand_int_range (proxy->rand, 0, ps->targets->len)];
  if (ps->affinity == KS_PROXY_AFFINITY_CLIENT_IP)
    {
      AffinityEntry *e = g_new0 (AffinityEntry, 1);

      e->endpoint = g_strdup (chosen);
      e->last = now;
      g_hash_table_replace (ps->clients, g_strdup (client), e);
    }
  return chosen;
}

/* Replaces the usable endpoints of ps by those of port: the ready ones, or the serving and
 * terminating ones when none is ready (kube-proxy's fallback), as sorted unique "ip:port". */
static void
port_state_set (PortState *ps, const KsProxyService *service, const KsProxyPort *port, gint64 now)
{
  gboolean any_ready = FALSE;
  GHashTableIter it;
  gpointer value;

  g_ptr_array_set_size (ps->targets, 0);
  for (guint i = 0; i < port->endpoints->len; i++)
    any_ready |= ((KsProxyEndpoint *) port->endpoints->pdata[i])->ready;
  for (guint i = 0; i < port->endpoints->len; i++)
    {
      const KsProxyEndpoint *e = port->endpoints->pdata[i];
      char *target;

      if (any_ready ? !e->ready : !(e->serving && e->terminating))
        continue;
      target = g_strdup_printf ("%s:%u", e->ip, e->port);
      if (targets_contain (ps->targets, target))
        g_free (target);
      else
        g_ptr_array_add (ps->targets, target);
    }
  g_ptr_array_sort (ps->targets, compare_strings);

  if (service->affinity != ps->affinity)
    g_hash_table_remove_all (ps->clients);
  ps->affinity = service->affinity;
  ps->timeout = (gint64) service->affinity_timeout * G_USEC_PER_SEC;
  /* Forget clients whose time is up (iptables' --reap). */
  g_hash_table_iter_init (&it, ps->clients);
  while (g_hash_table_iter_next (&it, NULL, &value))
    if (now - ((AffinityEntry *) value)->last > ps->timeout)
      g_hash_table_iter_remove (&it);
}

char *
ks_service_proxy_choose (KsServiceProxy *proxy, const char *key, const char *port_name,
                         const char *client_ip)
{
  ServiceState *s;
  PortState *ps;

  g_return_val_if_fail (proxy != NULL && key != NULL && port_name != NULL, NULL);
  g_return_val_if_fail (client_ip != NULL, NULL);
  if ((s = g_hash_table_lookup (proxy->services, key)) == NULL
      || (ps = g_hash_table_lookup (s->ports, port_name)) == NULL)
    return NULL;
  return g_strdup (port_choose (proxy, ps, client_ip));
}

/* ---- Connections ---- */

typedef struct _Conn Conn;

typedef struct
{
  Conn *conn;
  GInputStream *in;
  GOutputStream *out;
  GSocket *out_socket;
  guint8 *buf;
  gboolean done;
} Pump;

struct _Conn
{
  KsServiceProxy *proxy; /* NULL once the proxy is gone */
  char *label;           /* "client -> service:port -> endpoint" */
  GSocket *down_socket;
  GSocket *up_socket;
  GSocketConnection *down;
  GSocketConnection *up;
  GCancellable *cancel;
  GSource *connect_source;
  guint pending; /* asynchronous operations outstanding */
  gboolean failed;
  Pump pumps[2];
};

/* Closes socket with a reset rather than an orderly close. */
static void
socket_reset (GSocket *socket)
{
  struct linger lg = { .l_onoff = 1, .l_linger = 0 };

  if (!g_socket_is_closed (socket))
    setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  g_socket_close (socket, NULL);
}

static void
conn_free (Conn *c)
{
  if (c->connect_source != NULL)
    {
      g_source_destroy (c->connect_source);
      g_source_unref (c->connect_source);
    }
  for (guint i = 0; i < 2; i++)
    g_free (c->pumps[i].buf);
  g_clear_object (&c->down);
  g_clear_object (&c->up);
  g_clear_object (&c->down_socket);
  g_clear_object (&c->up_socket);
  g_clear_object (&c->cancel);
  g_free (c->label);
  g_free (c);
}

/* Frees c once nothing is outstanding and it has either failed or finished both ways. */
static void
conn_check_end (Conn *c)
{
  if (c->pending > 0 || !(c->failed || (c->pumps[0].done && c->pumps[1].done)))
    return;
  if (c->failed)
    {
      socket_reset (c->down_socket);
      if (c->up_socket != NULL)
        socket_reset (c->up_socket);
    }
  else
    {
      g_socket_close (c->down_socket, NULL);
      g_socket_close (c->up_socket, NULL);
    }
  if (c->proxy != NULL)
    {
      g_hash_table_remove (c->proxy->conns, c);
      c->proxy->stats.active--;
    }
  g_debug ("%s: closed%s", c->label, c->failed ? " (reset)" : "");
  conn_free (c);
}

static void
conn_fail (Conn *c, const char *what, const GError *error)
{
  if (!c->failed && error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("%s: %s: %s", c->label, what, error->message);
  c->failed = TRUE;
  g_cancellable_cancel (c->cancel);
}

static void pump_read (Pump *p);

static void
pump_written (GObject *source, GAsyncResult *result, gpointer data)
{
  Pump *p = data;
  Conn *c = p->conn;
  g_autoptr (GError) error = NULL;

  c->pending--;
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    conn_fail (c, "write", error);
  else if (!c->failed)
    pump_read (p);
  conn_check_end (c);
}

static void
pump_got (GObject *source, GAsyncResult *result, gpointer data)
{
  Pump *p = data;
  Conn *c = p->conn;
  g_autoptr (GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  c->pending--;
  if (n < 0)
    conn_fail (c, "read", error);
  else if (c->failed)
    ;
  else if (n == 0)
    {
      /* Pass the half-close on; the other direction may still carry the answer. */
      p->done = TRUE;
      g_socket_shutdown (p->out_socket, FALSE, TRUE, NULL);
    }
  else
    {
      c->pending++;
      g_output_stream_write_all_async (p->out, p->buf, n, G_PRIORITY_DEFAULT, c->cancel,
                                       pump_written, p);
    }
  conn_check_end (c);
}

static void
pump_read (Pump *p)
{
  p->conn->pending++;
  g_input_stream_read_async (p->in, p->buf, PUMP_BUFFER_SIZE, G_PRIORITY_DEFAULT, p->conn->cancel,
                             pump_got, p);
}

static void
pump_init (Pump *p, Conn *c, GSocketConnection *from, GSocketConnection *to, GSocket *to_socket)
{
  p->conn = c;
  p->in = g_io_stream_get_input_stream (G_IO_STREAM (from));
  p->out = g_io_stream_get_output_stream (G_IO_STREAM (to));
  p->out_socket = to_socket;
  p->buf = g_malloc (PUMP_BUFFER_SIZE);
}

static gboolean
conn_connected (GSocket *socket, GIOCondition condition, gpointer data)
{
  Conn *c = data;
  g_autoptr (GError) error = NULL;

  g_clear_pointer (&c->connect_source, g_source_unref);
  c->pending--;
  if (c->failed)
    ;
  else if (!g_socket_check_connect_result (socket, &error))
    {
      conn_log (c->proxy, "%s: cannot connect to the endpoint: %s; connection reset", c->label,
                error->message);
      if (c->proxy != NULL)
        c->proxy->stats.refused++;
      conn_fail (c, "connect", NULL);
    }
  else
    {
      g_socket_set_timeout (socket, 0); /* the timeout was for connecting only */
      if (c->proxy != NULL)
        c->proxy->stats.proxied++;
      c->up = g_socket_connection_factory_create_connection (socket);
      pump_init (&c->pumps[0], c, c->down, c->up, c->up_socket);
      pump_init (&c->pumps[1], c, c->up, c->down, c->down_socket);
      pump_read (&c->pumps[0]);
      pump_read (&c->pumps[1]);
    }
  conn_check_end (c);
  return G_SOURCE_REMOVE;
}

/* Starts connecting c to endpoint ip:port. */
static gboolean
conn_connect (Conn *c, const char *ip, guint16 port, GError **error)
{
  g_autoptr (GInetAddress) addr = g_inet_address_new_from_string (ip);
  g_autoptr (GSocketAddress) sa = NULL;
  g_autoptr (GError) local = NULL;

  if (addr == NULL)
    {
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID, "bad endpoint address %s", ip);
      return FALSE;
    }
  sa = g_inet_socket_address_new (addr, port);
  c->up_socket
      = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (c->up_socket == NULL)
    return FALSE;
  g_socket_set_blocking (c->up_socket, FALSE);
  g_socket_set_timeout (c->up_socket, CONNECT_TIMEOUT_S);
  g_socket_set_option (c->up_socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  if (g_socket_connect (c->up_socket, sa, NULL, &local))
    {
      /* Connected at once (possible on a local bridge): report it from the main loop all the
       * same, so the accept loop stays short. */
      g_clear_error (&local);
    }
  else if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_PENDING))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  c->connect_source = g_socket_create_source (c->up_socket, G_IO_OUT, NULL);
  g_source_set_callback (c->connect_source, G_SOURCE_FUNC (conn_connected), c, NULL);
  g_source_attach (c->connect_source, c->proxy->context);
  c->pending++;
  return TRUE;
}

/* Splits "ip:port". */
static gboolean
split_target (const char *target, char **ip, guint16 *port)
{
  const char *colon = strrchr (target, ':');

  if (colon == NULL)
    return FALSE;
  *ip = g_strndup (target, colon - target);
  *port = (guint16) g_ascii_strtoull (colon + 1, NULL, 10);
  return TRUE;
}

static void
handle_client (Listener *l, GSocket *client)
{
  KsServiceProxy *proxy = l->proxy;
  g_autoptr (GSocketAddress) remote = g_socket_get_remote_address (client, NULL);
  g_autofree char *client_ip = NULL;
  g_autofree char *ip = NULL;
  g_autoptr (GError) error = NULL;
  const char *target;
  guint16 client_port = 0, port = 0;
  Conn *c;

  proxy->stats.accepted++;
  if (remote != NULL && G_IS_INET_SOCKET_ADDRESS (remote))
    {
      GInetSocketAddress *isa = G_INET_SOCKET_ADDRESS (remote);
      client_ip = g_inet_address_to_string (g_inet_socket_address_get_address (isa));
      client_port = g_inet_socket_address_get_port (isa);
    }
  else
    client_ip = g_strdup ("?");
  target = port_choose (proxy, l->port, client_ip);
  if (target == NULL)
    {
      conn_log (proxy,
                "Service %s: no endpoint for a connection from %s:%u to %s; connection reset",
                l->port->label, client_ip, client_port, l->address);
      proxy->stats.no_endpoint++;
      socket_reset (client);
      return;
    }
  split_target (target, &ip, &port);
  if (!ks_net_route_is_ours (proxy->net, ip))
    {
      conn_log (proxy,
                "Service %s: endpoint %s is not routed through " KS_NET_BRIDGE
                "; connection from %s:%u reset",
                l->port->label, target, client_ip, client_port);
      proxy->stats.refused++;
      socket_reset (client);
      return;
    }
  c = g_new0 (Conn, 1);
  c->proxy = proxy;
  c->label = g_strdup_printf ("%s:%u -> %s -> %s", client_ip, client_port, l->port->label, target);
  c->cancel = g_cancellable_new ();
  c->down_socket = g_object_ref (client);
  /* Bytes are passed on as they come; coalescing them is the ends' business. */
  g_socket_set_option (client, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  c->down = g_socket_connection_factory_create_connection (client);
  g_hash_table_add (proxy->conns, c);
  proxy->stats.active++;
  if (!conn_connect (c, ip, port, &error))
    {
      conn_log (proxy, "%s: cannot connect to the endpoint: %s; connection reset", c->label,
                error->message);
      proxy->stats.refused++;
      conn_fail (c, "connect", NULL);
      conn_check_end (c);
      return;
    }
  g_debug ("%s: connecting", c->label);
}

static gboolean
listener_ready (GSocket *socket, GIOCondition condition, gpointer data)
{
  Listener *l = data;

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GSocket) client = g_socket_accept (socket, NULL, &error);

      if (client == NULL)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            conn_log (l->proxy, "Service %s: accepting on %s: %s", l->port->label, l->address,
                      error->message);
          break;
        }
      handle_client (l, client);
    }
  return G_SOURCE_CONTINUE;
}

static GSocket *
listen_on (const char *ip, guint16 port, GError **error)
{
  g_autoptr (GInetAddress) addr = g_inet_address_new_from_string (ip);
  g_autoptr (GSocketAddress) sa = g_inet_socket_address_new (addr, port);
  g_autoptr (GSocket) socket = NULL;
  struct sockaddr_storage native;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;
  /* SO_REUSEPORT: the agents of several nodes on this machine listen on the same address.
   * bind(2) directly: g_socket_bind turns SO_REUSEPORT off again for stream sockets. */
  if (!g_socket_set_option (socket, SOL_SOCKET, SO_REUSEADDR, 1, error)
      || !g_socket_set_option (socket, SOL_SOCKET, SO_REUSEPORT, 1, error))
    return NULL;
  if (!g_socket_address_to_native (sa, &native, sizeof native, error))
    return NULL;
  if (bind (g_socket_get_fd (socket), (struct sockaddr *) &native,
            g_socket_address_get_native_size (sa))
      != 0)
    {
      int e = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "cannot bind %s:%u: %s", ip, port,
                   g_strerror (e));
      return NULL;
    }
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_listen (socket, error))
    return NULL;
  g_socket_set_blocking (socket, FALSE);
  return g_steal_pointer (&socket);
}

/* ---- The proxy ---- */

KsServiceProxy *
ks_service_proxy_new (KsNet *net, KsClock *clock)
{
  KsServiceProxy *proxy;

  g_return_val_if_fail (clock != NULL, NULL);
  proxy = g_new0 (KsServiceProxy, 1);
  proxy->net = net;
  proxy->clock = clock;
  proxy->rand = g_rand_new (); /* seeded from /dev/urandom */
  proxy->context = g_main_context_ref_thread_default ();
  proxy->services = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, service_state_free);
  proxy->listeners = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, listener_free);
  proxy->conns = g_hash_table_new (g_direct_hash, g_direct_equal);
  return proxy;
}

void
ks_service_proxy_free (KsServiceProxy *proxy)
{
  GHashTableIter it;
  gpointer conn;

  if (proxy == NULL)
    return;
  g_hash_table_remove_all (proxy->listeners);
  /* Open connections end once their outstanding operations return (cancelled). */
  g_hash_table_iter_init (&it, proxy->conns);
  while (g_hash_table_iter_next (&it, &conn, NULL))
    {
      Conn *c = conn;
      c->proxy = NULL;
      conn_fail (c, "proxy stopped", NULL);
      if (c->connect_source != NULL)
        {
          /* The connect watch is not cancellable: end it here. */
          g_source_destroy (c->connect_source);
          g_clear_pointer (&c->connect_source, g_source_unref);
          c->pending--;
        }
      g_hash_table_iter_remove (&it);
      conn_check_end (c);
    }
  g_hash_table_unref (proxy->conns);
  g_hash_table_unref (proxy->listeners);
  g_hash_table_unref (proxy->services);
  g_main_context_unref (proxy->context);
  g_rand_free (proxy->rand);
  g_free (proxy);
}

void
ks_service_proxy_set_seed (KsServiceProxy *proxy, guint32 seed)
{
  g_return_if_fail (proxy != NULL);
  g_rand_set_seed (proxy->rand, seed);
}

void
ks_service_proxy_get_stats (KsServiceProxy *proxy, KsProxyStats *stats)
{
  g_return_if_fail (proxy != NULL && stats != NULL);
  *stats = proxy->stats;
}

static gboolean
proxied_protocol (KsProxyProtocol protocol)
{
  return protocol == KS_PROXY_PROTOCOL_TCP;
}

static const char *
protocol_name (KsProxyProtocol protocol)
{
  switch (protocol)
    {
    case KS_PROXY_PROTOCOL_TCP:
      return "TCP";
    case KS_PROXY_PROTOCOL_UDP:
      return "UDP";
    case KS_PROXY_PROTOCOL_SCTP:
      return "SCTP";
    }
  return "?";
}

/* "None" and "" (a headless Service) are no ClusterIP. */
static const char *
effective_cluster_ip (const KsProxyService *service)
{
  const char *ip = service->cluster_ip;

  if (ip == NULL || *ip == '\0' || strcmp (ip, "None") == 0)
    return NULL;
  return ip;
}

/* Checks service; appends every problem to problems. */
static void
validate (const char *key, const KsProxyService *service, GString *problems)
{
  const char *cip = effective_cluster_ip (service);
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) used = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint32 addr;

  if (cip != NULL && !(ks_net_parse_ipv4 (cip, &addr) && ks_net_in_service_range (addr)))
    g_string_append_printf (problems,
                            "clusterIP \"%s\": expected an IPv4 address inside %s, or None; ", cip,
                            KS_NET_SERVICE_RANGE);
  if (service->affinity == KS_PROXY_AFFINITY_CLIENT_IP
      && (service->affinity_timeout == 0
          || service->affinity_timeout > KS_PROXY_AFFINITY_TIMEOUT_MAX))
    g_string_append_printf (problems,
                            "sessionAffinityConfig.clientIP.timeoutSeconds %u: expected 1 to "
                            "%u; ",
                            service->affinity_timeout, KS_PROXY_AFFINITY_TIMEOUT_MAX);
  for (guint i = 0; i < service->ports->len; i++)
    {
      const KsProxyPort *p = service->ports->pdata[i];
      const char *name = port_name (p);

      if (!g_hash_table_add (names, (gpointer) name))
        g_string_append_printf (problems, "ports[%u]: name \"%s\" repeats; ", i, name);
      if (p->port == 0)
        g_string_append_printf (problems, "ports[%u].port: expected 1 to 65535; ", i);
      /* Service port and NodePort share no space, but each must be unique per protocol. */
      if (p->port != 0
          && !g_hash_table_add (used, GUINT_TO_POINTER (p->port | (guint) p->protocol << 16)))
        g_string_append_printf (problems, "ports[%u].port %u/%s repeats; ", i, p->port,
                                protocol_name (p->protocol));
      if (p->node_port != 0
          && !g_hash_table_add (
              used, GUINT_TO_POINTER (p->node_port | (guint) p->protocol << 16 | 1u << 20)))
        g_string_append_printf (problems, "ports[%u].nodePort %u/%s repeats; ", i, p->node_port,
                                protocol_name (p->protocol));
      for (guint k = 0; k < p->endpoints->len; k++)
        {
          const KsProxyEndpoint *e = p->endpoints->pdata[k];

          if (!ks_net_parse_ipv4 (e->ip, &addr))
            g_string_append_printf (problems,
                                    "ports[%u].endpoints[%u]: address \"%s\" is not an IPv4 "
                                    "address; ",
                                    i, k, e->ip != NULL ? e->ip : "(null)");
          if (e->port == 0)
            g_string_append_printf (problems,
                                    "ports[%u].endpoints[%u].port: expected 1 to "
                                    "65535; ",
                                    i, k);
        }
    }
}

/* Whether another Service of this proxy has the ClusterIP of s (two Services never should). */
static gboolean
cluster_ip_shared (KsServiceProxy *proxy, const ServiceState *s)
{
  GHashTableIter it;
  gpointer v;

  g_hash_table_iter_init (&it, proxy->services);
  while (g_hash_table_iter_next (&it, NULL, &v))
    if (v != s && g_strcmp0 (((ServiceState *) v)->cluster_ip, s->cluster_ip) == 0)
      return TRUE;
  return FALSE;
}

typedef struct
{
  char *ip;
  guint16 port;
  PortState *ps;
} Want;

static void
want_free (gpointer data)
{
  Want *w = data;

  g_free (w->ip);
  g_free (w);
}

gboolean
ks_service_proxy_update (KsServiceProxy *proxy, const char *key, const KsProxyService *service,
                         GError **error)
{
  g_autoptr (GString) problems = g_string_new (NULL);
  g_autoptr (GString) failures = g_string_new (NULL);
  g_autoptr (GHashTable) wanted = NULL; /* "ip:port" -> Want */
  g_autoptr (GHashTable) rejected = NULL;
  g_autoptr (GPtrArray) stale = NULL;
  const char *cip;
  ServiceState *s;
  GHashTableIter it;
  gpointer k, v;
  gint64 now;

  g_return_val_if_fail (proxy != NULL && service != NULL, FALSE);
  if (key == NULL || *key == '\0')
    g_string_append (problems, "empty Service key; ");
  else
    validate (key, service, problems);
  if (problems->len > 0)
    {
      g_string_truncate (problems, problems->len - 2);
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID, "Service %s: %s",
                   key != NULL ? key : "(null)", problems->str);
      return FALSE;
    }

  cip = effective_cluster_ip (service);
  now = ks_clock_now (proxy->clock);
  s = g_hash_table_lookup (proxy->services, key);
  if (s == NULL)
    {
      s = g_new0 (ServiceState, 1);
      s->key = g_strdup (key);
      s->ports = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, port_state_free);
      s->rejected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (proxy->services, s->key, s);
    }

  /* The port states: kept by name (their affinity tables live on), new ones made. */
  wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, want_free);
  rejected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < service->ports->len; i++)
    {
      const KsProxyPort *p = service->ports->pdata[i];
      PortState *ps;

      if (!proxied_protocol (p->protocol))
        {
          if (!g_hash_table_contains (s->rejected, port_name (p)))
            g_message ("Service %s: port %s (%u/%s) is not proxied: kubesim's Service proxy "
                       "handles TCP only",
                       key, *port_name (p) != '\0' ? port_name (p) : "(unnamed)", p->port,
                       protocol_name (p->protocol));
          g_hash_table_add (rejected, g_strdup (port_name (p)));
          continue;
        }
      ps = g_hash_table_lookup (s->ports, port_name (p));
      if (ps == NULL)
        {
          ps = port_state_new (key, port_name (p));
          g_hash_table_insert (s->ports, g_strdup (port_name (p)), ps);
        }
      port_state_set (ps, service, p, now);
      if (cip != NULL)
        {
          Want *w = g_new0 (Want, 1);
          w->ip = g_strdup (cip);
          w->port = p->port;
          w->ps = ps;
          g_hash_table_insert (wanted, g_strdup_printf ("%s:%u", cip, p->port), w);
        }
      if (p->node_port != 0)
        {
          Want *w = g_new0 (Want, 1);
          w->ip = g_strdup ("127.0.0.1");
          w->port = p->node_port;
          w->ps = ps;
          g_hash_table_insert (wanted, g_strdup_printf ("127.0.0.1:%u", p->node_port), w);
        }
    }
  g_hash_table_unref (s->rejected);
  s->rejected = g_steal_pointer (&rejected);

  /* Listeners no longer wanted go first (their port state may be about to go). */
  g_hash_table_iter_init (&it, proxy->listeners);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (strcmp (((Listener *) v)->service_key, key) == 0 && !g_hash_table_contains (wanted, k))
      g_hash_table_iter_remove (&it);
  /* Port states of ports that are gone. */
  stale = g_ptr_array_new_with_free_func (g_free);
  g_hash_table_iter_init (&it, s->ports);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      gboolean kept = FALSE;
      for (guint i = 0; i < service->ports->len && !kept; i++)
        {
          const KsProxyPort *p = service->ports->pdata[i];
          kept = proxied_protocol (p->protocol) && strcmp (port_name (p), k) == 0;
        }
      if (!kept)
        g_ptr_array_add (stale, g_strdup (k));
    }
  for (guint i = 0; i < stale->len; i++)
    g_hash_table_remove (s->ports, stale->pdata[i]);

  /* The ClusterIP: on the bridge before anything listens on it. */
  if (g_strcmp0 (s->cluster_ip, cip) != 0)
    {
      if (s->cluster_ip != NULL && proxy->net != NULL && !cluster_ip_shared (proxy, s))
        {
          g_autoptr (GError) local = NULL;
          if (!ks_net_service_ip_remove (proxy->net, s->cluster_ip, &local))
            g_message ("Service %s: %s", key, local->message);
        }
      g_free (s->cluster_ip);
      s->cluster_ip = g_strdup (cip);
    }
  if (proxy->net != NULL && cip != NULL && g_hash_table_size (wanted) > 0)
    {
      g_autoptr (GError) local = NULL;
      if (!ks_net_service_ip_add (proxy->net, cip, &local))
        g_string_append_printf (failures, "%s; ", local->message);
    }

  /* Listeners: repoint the ones kept, open the new ones. */
  g_hash_table_iter_init (&it, wanted);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      Want *w = v;
      Listener *l = g_hash_table_lookup (proxy->listeners, k);
      g_autoptr (GError) local = NULL;

      if (l != NULL)
        {
          if (strcmp (l->service_key, key) != 0)
            {
              g_string_append_printf (failures, "%s is already served for Service %s; ", (char *) k,
                                      l->service_key);
              continue;
            }
          l->port = w->ps;
          continue;
        }
      if (proxy->net == NULL)
        continue; /* records only */
      l = g_new0 (Listener, 1);
      l->proxy = proxy;
      l->address = g_strdup (k);
      l->service_key = g_strdup (key);
      l->port = w->ps;
      l->socket = listen_on (w->ip, w->port, &local);
      if (l->socket == NULL)
        {
          g_string_append_printf (failures, "cannot listen on %s: %s; ", (char *) k,
                                  local->message);
          listener_free (l);
          continue;
        }
      l->source = g_socket_create_source (l->socket, G_IO_IN, NULL);
      g_source_set_callback (l->source, G_SOURCE_FUNC (listener_ready), l, NULL);
      g_source_attach (l->source, proxy->context);
      g_hash_table_insert (proxy->listeners, l->address, l);
      g_debug ("Service %s: listening on %s", l->port->label, l->address);
    }
  if (failures->len > 0)
    {
      g_string_truncate (failures, failures->len - 2);
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_COMMAND, "Service %s: %s", key, failures->str);
      return FALSE;
    }
  return TRUE;
}

void
ks_service_proxy_remove (KsServiceProxy *proxy, const char *key)
{
  ServiceState *s;
  GHashTableIter it;
  gpointer v;

  g_return_if_fail (proxy != NULL && key != NULL);
  if ((s = g_hash_table_lookup (proxy->services, key)) == NULL)
    return;
  g_hash_table_iter_init (&it, proxy->listeners);
  while (g_hash_table_iter_next (&it, NULL, &v))
    if (strcmp (((Listener *) v)->service_key, key) == 0)
      g_hash_table_iter_remove (&it);
  if (s->cluster_ip != NULL && proxy->net != NULL && !cluster_ip_shared (proxy, s))
    {
      g_autoptr (GError) error = NULL;
      if (!ks_net_service_ip_remove (proxy->net, s->cluster_ip, &error))
        g_message ("Service %s: %s", key, error->message);
    }
  g_hash_table_remove (proxy->services, key);
}
