/* test-net-real.c: real mode's pod network and Service proxy against the kernel, as root, in a
 * network namespace of its own (nothing reaches the machine's network): the bridge, pods of two
 * nodes with busybox servers, host <-> pod and pod <-> pod TCP, the route check, the preflight's
 * conflicts, teardown and the sweep (nothing left); a Service reached through a NodePort from
 * the host and through its ClusterIP from a pod, balanced over its endpoints, endpoint changes,
 * the not-ready fallback, session affinity, no endpoint, an endpoint outside the bridge, a
 * connection that outlives its endpoint, half-close, and two proxies (two agents) sharing one
 * NodePort.  Without root every test is skipped. */
#include "config.h"

#include "real/ks-net.h"
#include "real/ks-service-proxy.h"
#include "real/ks-wall-clock.h"
#include "tests/ks-test-netns.h"
#include "tests/ks-test.h"

#include <glib/gstdio.h>
#include <net/if.h>
#include <signal.h>

static char *skip_reason;

typedef struct
{
  char *dir; /* data directory */
  char *www; /* where the test servers' pages are */
  KsNet *net_a;
  KsNet *net_b;
  GPtrArray *servers; /* GSubprocess */
  KsWallClock *clock;
} Fixture;

typedef struct
{
  char *uid;
  char *ip;
  char *netns;
} Pod;

static void
pod_free (Pod *p)
{
  g_free (p->uid);
  g_free (p->ip);
  g_free (p->netns);
  g_free (p);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pod, pod_free)

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  if (skip_reason != NULL)
    return;
  f->dir = g_dir_make_tmp ("ks-net-real-XXXXXX", &error);
  g_assert_no_error (error);
  f->www = g_build_filename (f->dir, "www", NULL);
  f->net_a = ks_net_new (f->dir);
  f->net_b = ks_net_new (f->dir);
  g_assert_true (ks_net_set_node (f->net_a, "node-a", "10.244.1.0/24", &error));
  g_assert_true (ks_net_set_node (f->net_b, "node-b", "10.244.2.0/24", &error));
  g_assert_no_error (error);
  f->servers = g_ptr_array_new_with_free_func (g_object_unref);
  f->clock = ks_wall_clock_new ();
}

static void
stop_servers (Fixture *f)
{
  for (guint i = 0; i < f->servers->len; i++)
    {
      GSubprocess *s = f->servers->pdata[i];
      g_subprocess_send_signal (s, SIGKILL);
      g_subprocess_wait (s, NULL, NULL);
    }
  g_ptr_array_set_size (f->servers, 0);
}

static void
assert_nothing_left (void)
{
  const char *netns[] = { "ip", "-j", "netns", "list", NULL };
  const char *links[] = { "ip", "-j", "link", "show", NULL };
  const char *addrs[] = { "ip", "-j", "-4", "addr", "show", NULL };
  g_autofree char *ns = ks_test_run_ok (netns);
  g_autofree char *ls = ks_test_run_ok (links);
  g_autofree char *as = ks_test_run_ok (addrs);

  g_assert_null (strstr (ns, "\"ks-"));
  g_assert_null (strstr (ls, "\"ksv"));
  g_assert_null (strstr (ls, "kubesim0"));
  g_assert_null (strstr (as, "10.244."));
  g_assert_null (strstr (as, "10.96."));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  if (skip_reason != NULL)
    return;
  stop_servers (f);
  g_assert_true (ks_net_sweep (f->net_a, &error));
  g_assert_no_error (error);
  assert_nothing_left ();
  g_ptr_array_unref (f->servers);
  ks_net_free (f->net_a);
  ks_net_free (f->net_b);
  ks_wall_clock_free (f->clock);
  ks_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->www);
}

static gboolean
skipped (void)
{
  if (skip_reason == NULL)
    return FALSE;
  g_test_skip (skip_reason);
  return TRUE;
}

static Pod *
pod_new (KsNet *net)
{
  g_autoptr (GError) error = NULL;
  Pod *p = g_new0 (Pod, 1);
  g_autofree char *path = NULL;

  p->uid = g_uuid_string_random ();
  p->netns = g_strconcat ("ks-", p->uid, NULL);
  g_assert_true (ks_net_pod_setup (net, p->uid, &path, &p->ip, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (path, KS_NET_NETNS_DIR "/"));
  g_assert_true (g_str_has_suffix (path, p->netns));
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  return p;
}

/* Starts `busybox <args>` inside pod (NULL: on the host). */
static void
start_server (Fixture *f, const Pod *pod, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  GSubprocess *s;

  if (pod != NULL)
    {
      g_ptr_array_add (argv, "ip");
      g_ptr_array_add (argv, "netns");
      g_ptr_array_add (argv, "exec");
      g_ptr_array_add (argv, pod->netns);
    }
  g_ptr_array_add (argv, "busybox");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  s = g_subprocess_newv ((const char *const *) argv->pdata,
                         G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                         &error);
  g_assert_no_error (error);
  g_ptr_array_add (f->servers, s);
}

/* Serves page text over HTTP on port 8080 of pod (NULL: the host's 10.244.0.1:8081). */
static void
start_http (Fixture *f, const Pod *pod, const char *text)
{
  g_autofree char *dir = g_build_filename (f->www, text, NULL);
  g_autofree char *index = g_build_filename (dir, "index.html", NULL);
  const char *args[]
      = { "httpd", "-f", "-p", pod != NULL ? "8080" : "10.244.0.1:8081", "-h", dir, NULL };

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (index, text, -1, NULL));
  start_server (f, pod, args);
}

/* GET url from inside netns (NULL: the host); returns the body, or NULL when it failed. */
static char *
http_get (const char *netns, const char *url)
{
  const char *host[] = { "busybox", "wget", "-Y", "off", "-q", "-O", "-", url, NULL };
  const char *in_pod[] = { "ip",  "netns", "exec", netns, "busybox", "wget", "-Y",
                           "off", "-q",    "-O",   "-",   url,       NULL };
  int status;
  char *out = ks_test_run (netns != NULL ? in_pod : host, 10, &status);

  if (status == 0)
    return out;
  g_free (out);
  return NULL;
}

/* Waits until url answers expect (servers take a moment to start). */
static void
wait_http (const char *netns, const char *url, const char *expect)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autofree char *body = http_get (netns, url);
      if (g_strcmp0 (body, expect) == 0)
        return;
      if (g_get_monotonic_time () > deadline)
        g_error ("%s did not answer %s (got %s)", url, expect, body != NULL ? body : "nothing");
      g_usleep (20 * 1000);
    }
}

static char *
url (const char *ip, guint port)
{
  return g_strdup_printf ("http://%s:%u/", ip, port);
}

/* ---- Network ---- */

static void
test_preflight (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const char *add_veth[]
      = { "ip", "link", "add", "kstest0", "type", "veth", "peer", "name", "kstest1", NULL };
  const char *up[] = { "ip", "link", "set", "kstest0", "up", NULL };
  const char *add_route[] = { "ip", "route", "add", "10.244.200.0/24", "dev", "kstest0", NULL };
  const char *del_veth[] = { "ip", "link", "del", "kstest0", NULL };
  const char *fake_bridge[]
      = { "ip", "link", "add", "kubesim0", "type", "veth", "peer", "name", "kstest2", NULL };
  const char *del_fake[] = { "ip", "link", "del", "kubesim0", NULL };

  if (skipped ())
    return;
  g_assert_true (ks_net_preflight (f->net_a, &error));
  g_assert_no_error (error);
  ks_net_bridge_ensure (f->net_a, &error);
  g_assert_no_error (error);
  g_assert_true (ks_net_preflight (f->net_a, &error)); /* its own routes are no conflict */
  g_assert_true (ks_net_route_is_ours (f->net_a, "10.244.200.5"));

  /* A route inside the pod range through another interface. */
  g_free (ks_test_run_ok (add_veth));
  g_free (ks_test_run_ok (up));
  g_free (ks_test_run_ok (add_route));
  g_assert_false (ks_net_preflight (f->net_a, &error));
  g_assert_error (error, KS_NET_ERROR, KS_NET_ERROR_PREFLIGHT);
  g_assert_nonnull (strstr (error->message, "unicast route 10.244.200.0/24 dev kstest0 (table "
                                            "main) lies inside them"));
  g_clear_error (&error);
  /* The route check sees the more specific route at once. */
  g_assert_false (ks_net_route_is_ours (f->net_a, "10.244.200.5"));
  g_assert_true (ks_net_route_is_ours (f->net_a, "10.244.201.5"));
  g_free (ks_test_run_ok (del_veth));
  g_assert_true (ks_net_route_is_ours (f->net_a, "10.244.200.5"));

  /* A kubesim0 that is not a bridge. */
  g_assert_true (ks_net_bridge_teardown (f->net_a, &error));
  g_assert_true (ks_net_bridge_teardown (f->net_a, &error)); /* gone already: fine */
  g_free (ks_test_run_ok (fake_bridge));
  g_assert_false (ks_net_preflight (f->net_a, &error));
  g_assert_nonnull (strstr (error->message, "kubesim0 exists and is not a bridge"));
  g_clear_error (&error);
  g_assert_false (ks_net_bridge_ensure (f->net_a, &error));
  g_assert_error (error, KS_NET_ERROR, KS_NET_ERROR_COMMAND);
  g_clear_error (&error);
  g_free (ks_test_run_ok (del_fake));
}

static void
test_pods (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Pod) a = NULL, b = NULL, c = NULL, d = NULL;
  g_autofree char *ip_again = NULL, *path_again = NULL;
  g_autofree char *url_a = NULL, *url_b = NULL, *url_host = NULL;
  char veth[IF_NAMESIZE];

  if (skipped ())
    return;
  g_assert_true (ks_net_preflight (f->net_a, &error));
  {
    g_autofree char *uid = g_uuid_string_random ();
    g_assert_false (ks_net_pod_setup (f->net_a, uid, NULL, NULL, &error));
    g_assert_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "there is no bridge kubesim0"));
    g_clear_error (&error);
  }
  g_assert_true (ks_net_bridge_ensure (f->net_a, &error));
  g_assert_true (ks_net_bridge_ensure (f->net_b, &error)); /* the second agent: no change */
  g_assert_no_error (error);

  a = pod_new (f->net_a);
  b = pod_new (f->net_b);
  c = pod_new (f->net_a);
  g_assert_cmpstr (a->ip, ==, "10.244.1.2");
  g_assert_cmpstr (b->ip, ==, "10.244.2.2");
  g_assert_cmpstr (c->ip, ==, "10.244.1.3");
  g_assert_cmpuint (if_nametoindex ("ksv0af40102"), !=, 0);
  g_assert_cmpuint (if_nametoindex ("ksv0af40202"), !=, 0);

  /* The route check: pod addresses and the gateway yes, anything else no (and nothing is ever
   * sent to 192.0.2.1). */
  g_assert_true (ks_net_route_is_ours (f->net_a, a->ip));
  g_assert_true (ks_net_route_is_ours (f->net_a, b->ip));
  g_assert_true (ks_net_route_is_ours (f->net_a, "10.244.0.1"));
  g_assert_false (ks_net_route_is_ours (f->net_a, "192.0.2.1"));
  g_assert_false (ks_net_route_is_ours (f->net_a, "127.0.0.1"));
  g_assert_false (ks_net_route_is_ours (f->net_a, "10.96.0.10"));
  g_assert_true (ks_net_service_ip_add (f->net_a, "10.96.0.10", &error));
  g_assert_true (ks_net_service_ip_add (f->net_b, "10.96.0.10", &error)); /* both agents */
  g_assert_true (ks_net_route_is_ours (f->net_a, "10.96.0.10"));
  g_assert_true (ks_net_service_ip_remove (f->net_a, "10.96.0.10", &error));
  g_assert_true (ks_net_service_ip_remove (f->net_b, "10.96.0.10", &error)); /* gone: fine */
  g_assert_no_error (error);
  g_assert_false (ks_net_route_is_ours (f->net_a, "10.96.0.10"));

  /* Host -> pod, pod -> pod across nodes, pod -> host. */
  start_http (f, a, "pod-a");
  start_http (f, b, "pod-b");
  start_http (f, NULL, "host");
  url_a = url (a->ip, 8080);
  url_b = url (b->ip, 8080);
  url_host = g_strdup ("http://10.244.0.1:8081/");
  wait_http (NULL, url_a, "pod-a");
  wait_http (NULL, url_b, "pod-b");
  wait_http (c->netns, url_a, "pod-a");
  wait_http (a->netns, url_b, "pod-b");
  wait_http (b->netns, url_host, "host");

  /* Setup again: the same address, nothing broken. */
  g_assert_true (ks_net_pod_setup (f->net_a, a->uid, &path_again, &ip_again, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (ip_again, ==, a->ip);
  wait_http (NULL, url_a, "pod-a");

  /* An interrupted setup (the veth is gone) is redone under the same address. */
  {
    const char *del[] = { "ip", "link", "del", "ksv0af40103", NULL };
    g_autofree char *ip_c = NULL;
    g_free (ks_test_run_ok (del));
    g_assert_true (ks_net_pod_setup (f->net_a, c->uid, NULL, &ip_c, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (ip_c, ==, c->ip);
    g_assert_cmpuint (if_nametoindex ("ksv0af40103"), !=, 0);
    wait_http (c->netns, url_b, "pod-b");
  }

  /* Teardown: namespace and veth gone, the address free again. */
  stop_servers (f);
  g_assert_true (ks_net_pod_teardown (f->net_a, a->uid, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (path_again, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (if_nametoindex ("ksv0af40102"), ==, 0);
  g_assert_true (ks_net_pod_teardown (f->net_a, a->uid, &error)); /* again: nothing to do */
  d = pod_new (f->net_a);
  g_assert_cmpstr (d->ip, ==, "10.244.1.2");
  g_snprintf (veth, sizeof veth, "ksv0af40102");
  g_assert_cmpuint (if_nametoindex (veth), !=, 0);

  /* Setup and teardown times (informational; docs/benchmarks.md has the benchmark). */
  {
    g_autoptr (GPtrArray) uids = g_ptr_array_new_with_free_func (g_free);
    gint64 t0 = g_get_monotonic_time (), t1, t2;

    for (guint i = 0; i < 10; i++)
      {
        char *uid = g_uuid_string_random ();
        g_assert_true (ks_net_pod_setup (f->net_b, uid, NULL, NULL, &error));
        g_ptr_array_add (uids, uid);
      }
    t1 = g_get_monotonic_time ();
    for (guint i = 0; i < uids->len; i++)
      g_assert_true (ks_net_pod_teardown (f->net_b, uids->pdata[i], &error));
    t2 = g_get_monotonic_time ();
    g_test_message ("pod network setup %.1f ms, teardown %.1f ms (mean of 10)", (t1 - t0) / 10e3,
                    (t2 - t1) / 10e3);
  }
  /* The node's garbage collection keeps the pods named and removes the rest. */
  {
    const char *live[] = { b->uid, NULL };
    g_autoptr (Pod) e = pod_new (f->net_b);
    g_autofree char *e_path = g_build_filename (KS_NET_NETNS_DIR, e->netns, NULL);
    g_assert_true (ks_net_node_gc (f->net_b, live, &error));
    g_assert_no_error (error);
    g_assert_false (g_file_test (e_path, G_FILE_TEST_EXISTS));
    g_assert_cmpuint (if_nametoindex ("ksv0af40203"), ==, 0);
    g_assert_cmpuint (if_nametoindex ("ksv0af40202"), !=, 0);
  }
}

/* The sweep removes everything, even a namespace a process still holds. */
static void
test_sweep (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Pod) a = NULL, b = NULL;
  g_autofree char *ipam = g_build_filename (f->dir, "nodes", "node-a", "ipam", NULL);

  if (skipped ())
    return;
  g_assert_true (ks_net_bridge_ensure (f->net_a, &error));
  a = pod_new (f->net_a);
  b = pod_new (f->net_b);
  g_assert_true (ks_net_service_ip_add (f->net_a, "10.96.0.20", &error));
  start_http (f, a, "held"); /* keeps a's namespace alive after `ip netns del` */
  {
    g_autofree char *u = url (a->ip, 8080);
    wait_http (NULL, u, "held");
  }
  g_assert_true (ks_net_sweep (f->net_b, &error));
  g_assert_no_error (error);
  assert_nothing_left ();
  g_assert_false (g_file_test (ipam, G_FILE_TEST_EXISTS));
  g_assert_false (ks_net_route_is_ours (f->net_a, a->ip));
  g_assert_true (ks_net_sweep (f->net_b, &error)); /* nothing to do */
}

/* ---- Service proxy ---- */

/* A client on its own thread (the proxy needs the main loop), driven one command at a time. */
typedef struct
{
  GThread *thread;
  GAsyncQueue *commands;
  GAsyncQueue *results;
  char *host;
  guint16 port;
} Client;

static gpointer
client_main (gpointer data)
{
  Client *c = data;
  g_autoptr (GSocket) s = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) addr = g_inet_address_new_from_string (c->host);
  g_autoptr (GSocketAddress) sa = g_inet_socket_address_new (addr, c->port);

  s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_socket_set_timeout (s, 10);
  if (!g_socket_connect (s, sa, NULL, &error))
    {
      g_async_queue_push (c->results, g_strdup_printf ("error: %s", error->message));
      g_main_context_wakeup (NULL);
      return NULL;
    }
  g_async_queue_push (c->results, g_strdup ("connected"));
  g_main_context_wakeup (NULL);
  for (;;)
    {
      g_autofree char *cmd = g_async_queue_pop (c->commands);
      GString *got = g_string_new (NULL);
      gboolean shut = g_str_has_prefix (cmd, "shut ");
      const char *text = cmd + 5;
      char buf[256];

      if (strcmp (cmd, "close") == 0)
        {
          g_string_free (got, TRUE);
          break;
        }
      /* "send TEXT": send, read as much back; "shut TEXT": send, half-close, read to EOF. */
      if (g_socket_send (s, text, strlen (text), NULL, &error) < 0
          || (shut && !g_socket_shutdown (s, FALSE, TRUE, &error)))
        g_string_append_printf (got, "error: %s", error->message);
      else
        while (shut || got->len < strlen (text))
          {
            gssize n = g_socket_receive (s, buf, sizeof buf, NULL, &error);
            if (n < 0)
              {
                g_string_append_printf (got, "error: %s", error->message);
                break;
              }
            if (n == 0)
              {
                g_string_append (got, shut ? "" : "<eof>");
                break;
              }
            g_string_append_len (got, buf, n);
          }
      g_clear_error (&error);
      g_async_queue_push (c->results, g_string_free (got, FALSE));
      g_main_context_wakeup (NULL);
    }
  g_socket_close (s, NULL);
  return NULL;
}

static char *
client_wait (Client *c)
{
  char *r;

  while ((r = g_async_queue_try_pop (c->results)) == NULL)
    g_main_context_iteration (NULL, TRUE);
  return r;
}

static void client_free (Client *c);

/* A connected client; NULL (and *why set, owned) when connecting failed. */
static Client *
client_try_new (const char *host, guint16 port, char **why)
{
  Client *c = g_new0 (Client, 1);
  g_autofree char *r = NULL;

  c->commands = g_async_queue_new_full (g_free);
  c->results = g_async_queue_new_full (g_free);
  c->host = g_strdup (host);
  c->port = port;
  c->thread = g_thread_new ("client", client_main, c);
  r = client_wait (c);
  if (strcmp (r, "connected") != 0)
    {
      g_thread_join (c->thread);
      c->thread = NULL;
      client_free (c);
      *why = g_steal_pointer (&r);
      return NULL;
    }
  return c;
}

static Client *
client_new (const char *host, guint16 port)
{
  g_autofree char *why = NULL;
  Client *c = client_try_new (host, port, &why);

  if (c == NULL)
    g_error ("connecting to %s:%u: %s", host, port, why);
  return c;
}

static char *
client_do (Client *c, const char *cmd)
{
  g_async_queue_push (c->commands, g_strdup (cmd));
  return client_wait (c);
}

static void
client_free (Client *c)
{
  if (c->thread != NULL)
    {
      g_async_queue_push (c->commands, g_strdup ("close"));
      g_thread_join (c->thread);
    }
  g_async_queue_unref (c->commands);
  g_async_queue_unref (c->results);
  g_free (c->host);
  g_free (c);
}

/* Service web: ClusterIP 10.96.0.10:80, NodePort 30080, target port 8080 of the given pods,
 * with their ready/serving/terminating flags. */
static KsProxyService *
web_service (KsProxyAffinity affinity, const Pod *const *pods, const gboolean (*flags)[3], guint n)
{
  KsProxyService *s = ks_proxy_service_new ("10.96.0.10", affinity, 10800);
  KsProxyPort *p = ks_proxy_service_add_port (s, "http", KS_PROXY_PROTOCOL_TCP, 80, 30080);

  for (guint i = 0; i < n; i++)
    ks_proxy_port_add_endpoint (p, pods[i]->ip, 8080, flags[i][0], flags[i][1], flags[i][2]);
  return s;
}

/* Counts the bodies of n GETs of u from netns (NULL: host). */
static GHashTable *
count_gets (const char *netns, const char *u, guint n)
{
  GHashTable *counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < n; i++)
    {
      char *body = http_get (netns, u);
      if (body == NULL)
        body = g_strdup ("(failed)");
      g_hash_table_insert (
          counts, body,
          GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, body)) + 1));
    }
  return counts;
}

static guint
count_of (GHashTable *counts, const char *body)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, body));
}

static void
test_proxy (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Pod) p1 = NULL, p2 = NULL, client = NULL;
  KsClock *clock = ks_wall_clock_get_clock (f->clock);
  KsServiceProxy *x, *y;
  KsProxyStats sx, sy;
  const gboolean ready[][3] = { { TRUE, TRUE, FALSE }, { TRUE, TRUE, FALSE } };
  const char *node_port = "http://127.0.0.1:30080/";
  const char *cluster = "http://10.96.0.10:80/";

  if (skipped ())
    return;
  g_assert_true (ks_net_bridge_ensure (f->net_a, &error));
  p1 = pod_new (f->net_a);
  p2 = pod_new (f->net_b);
  client = pod_new (f->net_a);
  start_http (f, p1, "p1");
  start_http (f, p2, "p2");
  {
    g_autofree char *u1 = url (p1->ip, 8080), *u2 = url (p2->ip, 8080);
    wait_http (NULL, u1, "p1");
    wait_http (NULL, u2, "p2");
  }

  x = ks_service_proxy_new (f->net_a, clock);
  {
    const Pod *pods[] = { p1, p2 };
    g_autoptr (KsProxyService) s = web_service (KS_PROXY_AFFINITY_NONE, pods, ready, 2);
    g_assert_true (ks_service_proxy_update (x, "default/web", s, &error));
    g_assert_no_error (error);
  }
  g_assert_true (ks_net_route_is_ours (f->net_a, "10.96.0.10"));

  /* Both endpoints get traffic, through the NodePort from the host and through the ClusterIP
   * from a pod. */
  {
    g_autoptr (GHashTable) host = count_gets (NULL, node_port, 40);
    g_autoptr (GHashTable) pod = count_gets (client->netns, cluster, 30);
    g_test_message ("NodePort: p1 %u, p2 %u; ClusterIP: p1 %u, p2 %u", count_of (host, "p1"),
                    count_of (host, "p2"), count_of (pod, "p1"), count_of (pod, "p2"));
    g_assert_cmpuint (count_of (host, "p1") + count_of (host, "p2"), ==, 40);
    g_assert_cmpuint (count_of (host, "p1"), >, 0);
    g_assert_cmpuint (count_of (host, "p2"), >, 0);
    g_assert_cmpuint (count_of (pod, "p1") + count_of (pod, "p2"), ==, 30);
    g_assert_cmpuint (count_of (pod, "p1"), >, 0);
    g_assert_cmpuint (count_of (pod, "p2"), >, 0);
  }

  /* Endpoint changes: p1 not ready (and not terminating) gets nothing... */
  {
    const Pod *pods[] = { p1, p2 };
    const gboolean flags[][3] = { { FALSE, FALSE, FALSE }, { TRUE, TRUE, FALSE } };
    g_autoptr (KsProxyService) s = web_service (KS_PROXY_AFFINITY_NONE, pods, flags, 2);
    g_autoptr (GHashTable) counts = NULL;
    g_assert_true (ks_service_proxy_update (x, "default/web", s, &error));
    counts = count_gets (NULL, node_port, 10);
    g_assert_cmpuint (count_of (counts, "p2"), ==, 10);
  }
  /* ...and with no ready endpoint, a serving terminating one takes the traffic. */
  {
    const Pod *pods[] = { p1, p2 };
    const gboolean flags[][3] = { { FALSE, TRUE, TRUE }, { FALSE, FALSE, TRUE } };
    g_autoptr (KsProxyService) s = web_service (KS_PROXY_AFFINITY_NONE, pods, flags, 2);
    g_autoptr (GHashTable) counts = NULL;
    g_assert_true (ks_service_proxy_update (x, "default/web", s, &error));
    counts = count_gets (client->netns, cluster, 10);
    g_assert_cmpuint (count_of (counts, "p1"), ==, 10);
  }

  /* Session affinity: a client keeps its endpoint. */
  {
    const Pod *pods[] = { p1, p2 };
    g_autoptr (KsProxyService) s = web_service (KS_PROXY_AFFINITY_CLIENT_IP, pods, ready, 2);
    g_autoptr (GHashTable) counts = NULL;
    g_assert_true (ks_service_proxy_update (x, "default/web", s, &error));
    counts = count_gets (NULL, node_port, 15);
    g_assert_cmpuint (MAX (count_of (counts, "p1"), count_of (counts, "p2")), ==, 15);
  }

  /* No endpoint: the connection is reset at once. */
  {
    g_autoptr (KsProxyService) s = web_service (KS_PROXY_AFFINITY_NONE, NULL, NULL, 0);
    g_autofree char *body = NULL;
    gint64 t0;
    ks_service_proxy_get_stats (x, &sx);
    g_assert_true (ks_service_proxy_update (x, "default/web", s, &error));
    t0 = g_get_monotonic_time ();
    body = http_get (NULL, node_port);
    g_assert_null (body);
    g_assert_cmpint (g_get_monotonic_time () - t0, <, 5 * G_USEC_PER_SEC);
    ks_service_proxy_get_stats (x, &sy);
    g_assert_cmpuint (sy.no_endpoint, ==, sx.no_endpoint + 1);
  }
  /* An endpoint the kernel would not route through kubesim0 is never connected to. */
  {
    g_autoptr (KsProxyService) s = ks_proxy_service_new ("10.96.0.10", 0, 0);
    KsProxyPort *p = ks_proxy_service_add_port (s, "http", KS_PROXY_PROTOCOL_TCP, 80, 30080);
    g_autofree char *body = NULL;
    ks_proxy_port_add_endpoint (p, "192.0.2.1", 80, TRUE, TRUE, FALSE);
    ks_service_proxy_get_stats (x, &sx);
    g_assert_true (ks_service_proxy_update (x, "default/web", s, &error));
    body = http_get (NULL, node_port);
    g_assert_null (body);
    ks_service_proxy_get_stats (x, &sy);
    g_assert_cmpuint (sy.refused, ==, sx.refused + 1);
    g_assert_cmpuint (sy.proxied, ==, sx.proxied);
  }

  /* A connection outlives its endpoint's removal; half-close is passed on. */
  {
    const char *echo[] = { "nc", "-ll", "-p", "9000", "-e", "/bin/cat", NULL };
    g_autoptr (KsProxyService) s = ks_proxy_service_new ("10.96.0.11", 0, 0);
    g_autoptr (KsProxyService) none = ks_proxy_service_new ("10.96.0.11", 0, 0);
    KsProxyPort *p = ks_proxy_service_add_port (s, "echo", KS_PROXY_PROTOCOL_TCP, 9000, 30090);
    Client *c;
    g_autofree char *r1 = NULL, *r2 = NULL, *r3 = NULL;
    g_autofree char *body = NULL;

    ks_proxy_service_add_port (none, "echo", KS_PROXY_PROTOCOL_TCP, 9000, 30090);
    start_server (f, p1, echo);
    ks_proxy_port_add_endpoint (p, p1->ip, 9000, TRUE, TRUE, FALSE);
    g_assert_true (ks_service_proxy_update (x, "default/echo", s, &error));
    /* Wait for the echo server: a half-closed exchange answers once it listens. */
    for (gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;;)
      {
        /* Until it listens, the proxy resets connections, maybe before connect returns. */
        g_free (r3);
        r3 = NULL;
        c = client_try_new ("127.0.0.1", 30090, &r3);
        if (c != NULL)
          {
            r3 = client_do (c, "shut ping\n");
            client_free (c);
          }
        if (strcmp (r3, "ping\n") == 0 || g_get_monotonic_time () > deadline)
          break;
        g_usleep (20 * 1000);
      }
    g_assert_cmpstr (r3, ==, "ping\n");

    c = client_new ("127.0.0.1", 30090);
    r1 = client_do (c, "send one\n");
    g_assert_cmpstr (r1, ==, "one\n");
    g_assert_true (ks_service_proxy_update (x, "default/echo", none, &error));
    r2 = client_do (c, "send two\n");
    g_assert_cmpstr (r2, ==, "two\n"); /* still connected to p1 */
    ks_service_proxy_get_stats (x, &sx);
    g_assert_cmpuint (sx.active, ==, 1);
    client_free (c);
    g_assert_true (ks_net_route_is_ours (f->net_a, "10.96.0.11"));
    ks_service_proxy_remove (x, "default/echo");
    g_assert_false (ks_net_route_is_ours (f->net_a, "10.96.0.11"));
    g_assert_true (ks_net_route_is_ours (f->net_a, "10.96.0.10")); /* web's stays */
  }

  /* Two agents serve the same NodePort and ClusterIP; either alone serves it all. */
  {
    const Pod *pods[] = { p1, p2 };
    g_autoptr (KsProxyService) s = web_service (KS_PROXY_AFFINITY_NONE, pods, ready, 2);
    g_autoptr (GHashTable) counts = NULL;
    g_autoptr (GHashTable) after = NULL;
    KsProxyStats x0, y0;

    g_assert_true (ks_service_proxy_update (x, "default/web", s, &error));
    y = ks_service_proxy_new (f->net_b, clock);
    ks_service_proxy_update (y, "default/web", s, &error);
    g_assert_no_error (error);
    ks_service_proxy_get_stats (x, &x0);
    ks_service_proxy_get_stats (y, &y0);
    counts = count_gets (NULL, node_port, 40);
    g_assert_cmpuint (count_of (counts, "p1") + count_of (counts, "p2"), ==, 40);
    ks_service_proxy_get_stats (x, &sx);
    ks_service_proxy_get_stats (y, &sy);
    g_test_message ("two proxies on one NodePort: %" G_GUINT64_FORMAT " and %" G_GUINT64_FORMAT
                    " connections",
                    sx.accepted - x0.accepted, sy.accepted - y0.accepted);
    g_assert_cmpuint (sx.accepted - x0.accepted, >, 0);
    g_assert_cmpuint (sy.accepted - y0.accepted, >, 0);
    g_assert_cmpuint (sx.accepted - x0.accepted + sy.accepted - y0.accepted, ==, 40);

    ks_service_proxy_free (x);
    after = count_gets (client->netns, cluster, 10);
    g_assert_cmpuint (count_of (after, "p1") + count_of (after, "p2"), ==, 10);
    g_hash_table_unref (g_steal_pointer (&after));
    after = count_gets (NULL, node_port, 10);
    g_assert_cmpuint (count_of (after, "p1") + count_of (after, "p2"), ==, 10);
  }
  ks_service_proxy_remove (y, "default/web");
  g_assert_false (ks_net_route_is_ours (f->net_b, "10.96.0.10"));
  ks_service_proxy_free (y);
  /* Let cancelled operations of closed connections finish. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  skip_reason = ks_test_enter_private_netns ();
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/net-real/preflight", test_preflight);
  ADD ("/net-real/pods", test_pods);
  ADD ("/net-real/sweep", test_sweep);
  ADD ("/net-real/proxy", test_proxy);
#undef ADD
  return g_test_run ();
}
