/* bench-net.c: measures real mode's pod network and Service proxy, as root, in a network
 * namespace of its own (see docs/benchmarks.md):
 *
 *   pod network setup and teardown, one pod at a time (mean and slowest);
 *   TCP throughput, round-trip latency and connection rate from the host to a pod, directly and
 *   through the proxy (NodePort on 127.0.0.1 and ClusterIP).
 *
 * Usage: tests/bench-net [--pods N] [--mib M] [--round-trips R] [--connections C] */
#define _GNU_SOURCE /* setns () */
#include "config.h"

#include "real/ks-net.h"
#include "real/ks-service-proxy.h"
#include "real/ks-wall-clock.h"
#include "tests/ks-test-netns.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define ECHO_PORT 7001
#define SINK_PORT 7002

static gint opt_pods = 50;
static gint opt_mib = 512;
static gint opt_round_trips = 20000;
static gint opt_connections = 2000;

/* A server inside the pod's namespace, in a child process that uses system calls only (the
 * parent has threads).  echo: each byte back; otherwise: read everything, then close. */
static pid_t
start_server (const char *netns_path, guint16 port, gboolean echo)
{
  pid_t pid = fork ();
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (port) };
  static char buf[256 * 1024];
  int fd, one = 1;

  if (pid != 0)
    return pid;
  fd = open (netns_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns (fd, CLONE_NEWNET) != 0)
    _exit (1);
  close (fd);
  fd = socket (AF_INET, SOCK_STREAM, 0);
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind (fd, (struct sockaddr *) &sa, sizeof sa) != 0 || listen (fd, 128) != 0)
    _exit (1);
  for (;;)
    {
      int c = accept (fd, NULL, NULL);
      ssize_t n;

      if (c < 0)
        continue;
      setsockopt (c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      while ((n = read (c, buf, echo ? 1 : sizeof buf)) > 0)
        if (echo && write (c, buf, n) != n)
          break;
      close (c);
    }
}

static int
connect_to (const char *ip, guint16 port)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (port) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

  inet_pton (AF_INET, ip, &sa.sin_addr);
  if (connect (fd, (struct sockaddr *) &sa, sizeof sa) != 0)
    g_error ("connect %s:%u: %s", ip, port, g_strerror (errno));
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

typedef struct
{
  const char *ip;
  guint16 echo_port;
  guint16 sink_port;
  double mib_per_s;
  double rtt_us;
  double conns_per_s;
  gboolean done;
} Run;

/* The client, on its own thread (the proxy runs on the main loop). */
static gpointer
client (gpointer data)
{
  Run *r = data;
  g_autofree char *buf = g_malloc0 (256 * 1024);
  gint64 t0, t1;
  int fd;
  char b = 'x';

  /* Throughput: opt_mib MiB, half-close, wait for the server's close. */
  fd = connect_to (r->ip, r->sink_port);
  t0 = g_get_monotonic_time ();
  for (gint64 left = (gint64) opt_mib << 20; left > 0;)
    {
      ssize_t n = write (fd, buf, MIN (left, 256 * 1024));
      if (n <= 0)
        g_error ("write: %s", g_strerror (errno));
      left -= n;
    }
  shutdown (fd, SHUT_WR);
  while (read (fd, buf, 1) > 0)
    ;
  t1 = g_get_monotonic_time ();
  close (fd);
  r->mib_per_s = opt_mib / ((t1 - t0) / 1e6);

  /* Latency: one byte there and back, on one connection. */
  fd = connect_to (r->ip, r->echo_port);
  t0 = g_get_monotonic_time ();
  for (gint i = 0; i < opt_round_trips; i++)
    if (write (fd, &b, 1) != 1 || read (fd, &b, 1) != 1)
      g_error ("echo: %s", g_strerror (errno));
  t1 = g_get_monotonic_time ();
  close (fd);
  r->rtt_us = (double) (t1 - t0) / opt_round_trips;

  /* Connections: connect, one byte there and back, close. */
  t0 = g_get_monotonic_time ();
  for (gint i = 0; i < opt_connections; i++)
    {
      fd = connect_to (r->ip, r->echo_port);
      if (write (fd, &b, 1) != 1 || read (fd, &b, 1) != 1)
        g_error ("echo: %s", g_strerror (errno));
      close (fd);
    }
  t1 = g_get_monotonic_time ();
  r->conns_per_s = opt_connections / ((t1 - t0) / 1e6);

  g_atomic_int_set (&r->done, TRUE);
  g_main_context_wakeup (NULL);
  return NULL;
}

static void
run (Run *r, const char *what)
{
  GThread *t = g_thread_new ("client", client, r);

  while (!g_atomic_int_get (&r->done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (t);
  g_print ("| %s | %.0f | %.1f | %.0f |\n", what, r->mib_per_s, r->rtt_us, r->conns_per_s);
}

int
main (int argc, char **argv)
{
  GOptionEntry entries[] = {
    { "pods", 0, 0, G_OPTION_ARG_INT, &opt_pods, "pods to set up and tear down (50)", "N" },
    { "mib", 0, 0, G_OPTION_ARG_INT, &opt_mib, "MiB per throughput run (512)", "M" },
    { "round-trips", 0, 0, G_OPTION_ARG_INT, &opt_round_trips, "round trips (20000)", "R" },
    { "connections", 0, 0, G_OPTION_ARG_INT, &opt_connections, "connections (2000)", "C" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- measure kubesim's pod network");
  g_autoptr (GError) error = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *dir = NULL;
  g_autoptr (KsNet) net = NULL;
  g_autoptr (GPtrArray) uids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (KsWallClock) clock = NULL;
  g_autoptr (KsServiceProxy) proxy = NULL;
  g_autoptr (KsProxyService) svc = NULL;
  g_autofree char *netns = NULL, *ip = NULL;
  char *uid;
  gint64 t0, t1, slowest = 0;
  pid_t echo, sink;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("bench-net: %s\n", error->message);
      return 2;
    }
  if (opt_pods < 1 || opt_pods > 253 || opt_mib < 1 || opt_round_trips < 1 || opt_connections < 1)
    {
      g_printerr ("bench-net: --pods must be 1 to 253, the other counts at least 1\n");
      return 2;
    }
  if ((reason = ks_test_enter_private_netns ()) != NULL)
    {
      g_printerr ("bench-net: %s\n", reason);
      return 77;
    }
  dir = g_dir_make_tmp ("ks-bench-net-XXXXXX", &error);
  g_assert_no_error (error);
  net = ks_net_new (dir);
  if (!ks_net_set_node (net, "node-1", "10.244.1.0/24", &error)
      || !ks_net_bridge_ensure (net, &error))
    g_error ("%s", error->message);

  /* Pod network setup and teardown. */
  t0 = g_get_monotonic_time ();
  for (gint i = 0; i < opt_pods; i++)
    {
      gint64 s = g_get_monotonic_time ();
      uid = g_uuid_string_random ();
      if (!ks_net_pod_setup (net, uid, NULL, NULL, &error))
        g_error ("%s", error->message);
      slowest = MAX (slowest, g_get_monotonic_time () - s);
      g_ptr_array_add (uids, uid);
    }
  t1 = g_get_monotonic_time ();
  g_print ("pod network setup: %d pods in %.2f s, %.1f ms each, slowest %.1f ms\n", opt_pods,
           (t1 - t0) / 1e6, (t1 - t0) / 1e3 / opt_pods, slowest / 1e3);
  slowest = 0;
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < uids->len; i++)
    {
      gint64 s = g_get_monotonic_time ();
      if (!ks_net_pod_teardown (net, uids->pdata[i], &error))
        g_error ("%s", error->message);
      slowest = MAX (slowest, g_get_monotonic_time () - s);
    }
  t1 = g_get_monotonic_time ();
  g_print ("pod network teardown: %d pods in %.2f s, %.1f ms each, slowest %.1f ms\n\n", opt_pods,
           (t1 - t0) / 1e6, (t1 - t0) / 1e3 / opt_pods, slowest / 1e3);

  /* One pod with an echo server and a sink; the proxy in front of it. */
  uid = g_uuid_string_random ();
  g_ptr_array_add (uids, uid);
  if (!ks_net_pod_setup (net, uid, &netns, &ip, &error))
    g_error ("%s", error->message);
  echo = start_server (netns, ECHO_PORT, TRUE);
  sink = start_server (netns, SINK_PORT, FALSE);
  clock = ks_wall_clock_new ();
  proxy = ks_service_proxy_new (net, ks_wall_clock_get_clock (clock));
  svc = ks_proxy_service_new ("10.96.0.100", KS_PROXY_AFFINITY_NONE, 0);
  ks_proxy_port_add_endpoint (
      ks_proxy_service_add_port (svc, "echo", KS_PROXY_PROTOCOL_TCP, ECHO_PORT, 30101), ip,
      ECHO_PORT, TRUE, TRUE, FALSE);
  ks_proxy_port_add_endpoint (
      ks_proxy_service_add_port (svc, "sink", KS_PROXY_PROTOCOL_TCP, SINK_PORT, 30102), ip,
      SINK_PORT, TRUE, TRUE, FALSE);
  if (!ks_service_proxy_update (proxy, "bench/svc", svc, &error))
    g_error ("%s", error->message);
  g_usleep (100 * 1000); /* the servers listen */

  g_print ("%d MiB per throughput run, %d round trips, %d connections\n\n", opt_mib,
           opt_round_trips, opt_connections);
  g_print ("| path | MiB/s | round trip (us) | connections/s |\n|---|---|---|---|\n");
  {
    Run direct = { .ip = ip, .echo_port = ECHO_PORT, .sink_port = SINK_PORT };
    Run node_port = { .ip = "127.0.0.1", .echo_port = 30101, .sink_port = 30102 };
    Run cluster = { .ip = "10.96.0.100", .echo_port = ECHO_PORT, .sink_port = SINK_PORT };
    run (&direct, "host -> pod, direct");
    run (&node_port, "host -> NodePort -> pod");
    run (&cluster, "host -> ClusterIP -> pod");
  }

  kill (echo, SIGKILL);
  kill (sink, SIGKILL);
  waitpid (echo, NULL, 0);
  waitpid (sink, NULL, 0);
  g_clear_pointer (&proxy, ks_service_proxy_free);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (!ks_net_sweep (net, &error))
    g_error ("%s", error->message);
  {
    g_autofree char *node = g_build_filename (dir, "nodes", "node-1", NULL);
    g_autofree char *nodes = g_build_filename (dir, "nodes", NULL);
    g_rmdir (node);
    g_rmdir (nodes);
    g_rmdir (dir);
  }
  return 0;
}
