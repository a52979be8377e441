/* test-prober-gio.c: real mode's prober (real/ks-prober-gio.c) against servers on 127.0.0.1
 * only: HTTP statuses (200 and 302 succeed, 500 fails with Kubernetes' message), the request's
 * headers and path, a refused connection, a server that never answers (the timeout), the allow
 * callback refusing an address (no request reaches the server), TCP connect and refusal, a
 * name resolved before the check, no host, and a prober freed with a probe in flight. */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "real/ks-prober-gio.h"

typedef struct
{
  SoupServer *server;
  guint16 port;
  guint16 closed_port; /* nothing listens there */
  GSocketListener *tcp;
  guint16 tcp_port;
  GPtrArray *requests; /* "<path> <Host> <User-Agent> <Accept> <X-Probe>" */
  GPtrArray *allowed;  /* addresses the allow callback was asked about */
  gboolean refuse;     /* the allow callback says no */
  KsProber *prober;
  GMainLoop *loop;
  /* The last answer. */
  gboolean answered;
  gboolean success;
  char *output;
} Fixture;

static void
handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
         gpointer data)
{
  Fixture *f = data;
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);

  g_ptr_array_add (f->requests, g_strdup_printf ("%s %s %s %s %s", path,
                                                 soup_message_headers_get_one (h, "Host"),
                                                 soup_message_headers_get_one (h, "User-Agent"),
                                                 soup_message_headers_get_one (h, "Accept"),
                                                 soup_message_headers_get_one (h, "X-Probe")));
  if (strcmp (path, "/ok") == 0)
    soup_server_message_set_status (msg, 200, NULL);
  else if (strcmp (path, "/moved") == 0)
    {
      soup_server_message_set_status (msg, 302, NULL);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location",
                                    "http://192.0.2.1/elsewhere");
    }
  else if (strcmp (path, "/slow") == 0)
    soup_server_message_pause (msg); /* never answered */
  else
    soup_server_message_set_status (msg, 500, NULL);
}

static gboolean
allow (const char *ip, gpointer data)
{
  Fixture *f = data;

  g_ptr_array_add (f->allowed, g_strdup (ip));
  /* Loopback only, whatever a test asks. */
  return !f->refuse && (strcmp (ip, "127.0.0.1") == 0 || strcmp (ip, "::1") == 0);
}

static guint16
free_port (void)
{
  g_autoptr (GSocket) sock
      = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (sock, any, FALSE, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;

  f->requests = g_ptr_array_new_with_free_func (g_free);
  f->allowed = g_ptr_array_new_with_free_func (g_free);
  f->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->server, NULL, handler, f, NULL);
  g_assert_true (soup_server_listen_local (f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->server);
  f->port = (guint16) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  f->closed_port = free_port ();
  f->tcp = g_socket_listener_new ();
  {
    g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
    g_autoptr (GSocketAddress) bound = NULL;
    g_assert_true (g_socket_listener_add_address (f->tcp, any, G_SOCKET_TYPE_STREAM,
                                                  G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
    g_assert_no_error (error);
    f->tcp_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  }
  f->loop = g_main_loop_new (NULL, FALSE);
  f->prober = ks_prober_gio_new (allow, f);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ks_prober_free (f->prober);
  /* Let cancelled calls come back before the servers go. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  soup_server_disconnect (f->server);
  g_object_unref (f->server);
  g_socket_listener_close (f->tcp);
  g_object_unref (f->tcp);
  g_main_loop_unref (f->loop);
  g_ptr_array_unref (f->requests);
  g_ptr_array_unref (f->allowed);
  g_free (f->output);
}

static void
on_done (gboolean success, const char *output, gpointer data)
{
  Fixture *f = data;

  g_assert_false (f->answered);
  f->answered = TRUE;
  f->success = success;
  g_free (f->output);
  f->output = g_strdup (output);
  g_main_loop_quit (f->loop);
}

static gboolean
too_long (gpointer data)
{
  g_error ("no answer within 10 s");
  return G_SOURCE_REMOVE;
}

/* Run one probe to its answer; returns how long it took (µs). */
static gint64
run (Fixture *f, gboolean http, const char *host, gint32 port, const char *path, gint32 timeout_s)
{
  KsProbe probe = { .handler = http ? KS_PROBE_HTTP_GET : KS_PROBE_TCP_SOCKET };
  KsHttpHeader headers[] = { { "X-Probe", "yes" } };
  KsProbeRequest req = {
    .probe = &probe,
    .kind = KS_PROBE_LIVENESS,
    .host = host,
    .port = port,
    .timeout = timeout_s * G_USEC_PER_SEC,
  };
  gint64 start = g_get_monotonic_time ();
  guint guard = g_timeout_add_seconds (10, too_long, NULL);

  probe.path = (char *) path;
  probe.http_headers = headers;
  probe.n_http_headers = G_N_ELEMENTS (headers);
  f->answered = FALSE;
  if (http)
    f->prober->ops->http_get (f->prober, &req, on_done, f);
  else
    f->prober->ops->tcp (f->prober, &req, on_done, f);
  /* Never from within the call. */
  g_assert_false (f->answered);
  g_main_loop_run (f->loop);
  g_source_remove (guard);
  return g_get_monotonic_time () - start;
}

static void
test_http_status (Fixture *f, gconstpointer data)
{
  g_autofree char *host = NULL;

  run (f, TRUE, "127.0.0.1", f->port, "/ok", 1);
  g_assert_true (f->success);
  g_assert_cmpstr (f->output, ==, "");
  host = g_strdup_printf ("/ok 127.0.0.1:%u kube-probe/1.32 */* yes", f->port);
  g_assert_cmpstr (g_ptr_array_index (f->requests, 0), ==, host);
  g_assert_cmpstr (g_ptr_array_index (f->allowed, 0), ==, "127.0.0.1");

  /* A redirect is not followed: success. */
  run (f, TRUE, "127.0.0.1", f->port, "/moved", 1);
  g_assert_true (f->success);
  g_assert_cmpuint (f->requests->len, ==, 2);

  run (f, TRUE, "127.0.0.1", f->port, "/broken", 1);
  g_assert_false (f->success);
  g_assert_cmpstr (f->output, ==, "HTTP probe failed with statuscode: 500");

  /* A path without its slash gets one. */
  run (f, TRUE, "127.0.0.1", f->port, "ok", 1);
  g_assert_true (f->success);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (f->requests, 3), "/ok "));
}

static void
test_http_errors (Fixture *f, gconstpointer data)
{
  g_autofree char *expect = NULL;
  gint64 took;

  run (f, TRUE, "127.0.0.1", f->closed_port, "/healthz", 1);
  g_assert_false (f->success);
  expect = g_strdup_printf ("Get \"http://127.0.0.1:%u/healthz\": dial tcp 127.0.0.1:%u: "
                            "connect: connection refused",
                            f->closed_port, f->closed_port);
  g_assert_cmpstr (f->output, ==, expect);

  /* The server takes the request and never answers: the probe ends at its 1 s timeout. */
  took = run (f, TRUE, "127.0.0.1", f->port, "/slow", 1);
  g_assert_false (f->success);
  g_clear_pointer (&expect, g_free);
  expect = g_strdup_printf ("Get \"http://127.0.0.1:%u/slow\": context deadline exceeded "
                            "(Client.Timeout exceeded while awaiting headers)",
                            f->port);
  g_assert_cmpstr (f->output, ==, expect);
  g_assert_cmpint (took, >=, G_USEC_PER_SEC - 10000);
  g_assert_cmpint (took, <, 3 * G_USEC_PER_SEC);

  /* No host (a pod without an IP): nothing is dialled. */
  run (f, TRUE, NULL, f->port, "/ok", 1);
  g_assert_false (f->success);
  g_assert_cmpstr (f->output, ==, "no address to probe: the pod has no IP");
  g_assert_cmpuint (f->allowed->len, ==, 2);
}

/* allow says no: the probe fails saying why, and the server sees nothing. */
static void
test_refused_by_allow (Fixture *f, gconstpointer data)
{
  g_autofree char *expect = NULL;

  f->refuse = TRUE;
  run (f, TRUE, "127.0.0.1", f->port, "/ok", 1);
  g_assert_false (f->success);
  expect = g_strdup_printf ("Get \"http://127.0.0.1:%u/ok\": dial tcp 127.0.0.1:%u: not "
                            "connecting: the address is not on kubesim's pod network",
                            f->port, f->port);
  g_assert_cmpstr (f->output, ==, expect);
  run (f, FALSE, "127.0.0.1", f->tcp_port, NULL, 1);
  g_assert_false (f->success);
  g_clear_pointer (&expect, g_free);
  expect = g_strdup_printf (
      "dial tcp 127.0.0.1:%u: not connecting: the address is not on kubesim's pod network",
      f->tcp_port);
  g_assert_cmpstr (f->output, ==, expect);
  g_assert_cmpuint (f->requests->len, ==, 0);
  g_assert_cmpuint (f->allowed->len, ==, 2);
}

static void
test_tcp (Fixture *f, gconstpointer data)
{
  g_autofree char *expect = NULL;

  run (f, FALSE, "127.0.0.1", f->tcp_port, NULL, 1);
  g_assert_true (f->success);
  run (f, FALSE, "127.0.0.1", f->closed_port, NULL, 1);
  g_assert_false (f->success);
  expect = g_strdup_printf ("dial tcp 127.0.0.1:%u: connect: connection refused", f->closed_port);
  g_assert_cmpstr (f->output, ==, expect);
}

/* A name is resolved first, the check asks about the address, and the request names the host. */
static void
test_name (Fixture *f, gconstpointer data)
{
  g_autofree char *expect = NULL;

  run (f, TRUE, "localhost", f->port, "/ok", 1);
  g_assert_cmpuint (f->allowed->len, ==, 1);
  if (strcmp (g_ptr_array_index (f->allowed, 0), "127.0.0.1") != 0)
    {
      g_test_skip ("localhost does not resolve to 127.0.0.1 here");
      return;
    }
  g_assert_true (f->success);
  expect = g_strdup_printf ("/ok localhost:%u kube-probe/1.32 */* yes", f->port);
  g_assert_cmpstr (g_ptr_array_index (f->requests, 0), ==, expect);
}

/* Freed with a probe waiting: done is called at once (a failure), and only once. */
static void
test_free_in_flight (Fixture *f, gconstpointer data)
{
  KsProbe probe = { .handler = KS_PROBE_HTTP_GET, .path = "/slow" };
  KsProbeRequest req = {
    .probe = &probe,
    .kind = KS_PROBE_READINESS,
    .host = "127.0.0.1",
    .port = f->port,
    .timeout = 30 * G_USEC_PER_SEC,
  };

  f->answered = FALSE;
  f->prober->ops->http_get (f->prober, &req, on_done, f);
  /* Until the server has the request. */
  while (f->requests->len == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (f->answered);
  ks_prober_free (f->prober);
  f->prober = NULL;
  g_assert_true (f->answered);
  g_assert_false (f->success);
  g_assert_cmpstr (f->output, ==, "prober stopped");
  f->answered = FALSE;
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (f->answered);
  f->prober = ks_prober_gio_new (allow, f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/prober-gio/http/status", test_http_status);
  ADD ("/prober-gio/http/errors", test_http_errors);
  ADD ("/prober-gio/refused-by-allow", test_refused_by_allow);
  ADD ("/prober-gio/tcp", test_tcp);
  ADD ("/prober-gio/name", test_name);
  ADD ("/prober-gio/free-in-flight", test_free_in_flight);
#undef ADD

  return g_test_run ();
}
