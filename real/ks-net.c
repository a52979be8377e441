/* ks-net.c: real mode's pod network: bridge, pod namespaces and veths, per-node IPAM, Service
 * addresses, the route check, preflight and sweep (see ks-net.h).
 *
 * Changes go through iproute2 in batch mode (`ip -b -`), which keeps a pod's setup to two
 * processes: one in the host namespace (create the namespace and the veth, attach it to the
 * bridge) and one inside the pod's namespace (addresses and routes).  Reads that sit on hot
 * paths (the route check before every proxied connection and probe) use rtnetlink directly. */
#include "config.h"

#include "ks-net-private.h"
#include "src/api/ks-object.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK (ks - net - error - quark, ks_net_error)

#define POD_RANGE_NET 0x0af40000u     /* 10.244.0.0 */
#define SERVICE_RANGE_NET 0x0a600000u /* 10.96.0.0 */
#define RANGE_MASK 0xffff0000u        /* both are /16 */
#define POD_PREFIX_LEN 16

/* How long a sweep waits for the kernel to destroy the veths of deleted namespaces (it does so
 * asynchronously) before deleting the rest one by one. */
#define SWEEP_VETH_WAIT_USEC (2 * G_USEC_PER_SEC)
/* A route-check cache larger than this is dropped (it only grows with distinct addresses). */
#define ROUTE_CACHE_MAX 4096

/* For g_ptr_array_sort over strings. */
static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* ---- Addresses ---- */

gboolean
ks_net_parse_ipv4 (const char *text, guint32 *out)
{
  struct in_addr a;
  char canon[INET_ADDRSTRLEN];

  if (text == NULL || inet_pton (AF_INET, text, &a) != 1)
    return FALSE;
  /* inet_pton is strict already; the round trip also refuses anything non-canonical. */
  if (inet_ntop (AF_INET, &a, canon, sizeof canon) == NULL || strcmp (canon, text) != 0)
    return FALSE;
  *out = ntohl (a.s_addr);
  return TRUE;
}

char *
ks_net_format_ipv4 (guint32 addr, char *buf)
{
  g_snprintf (buf, INET_ADDRSTRLEN, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
              (addr >> 8) & 0xff, addr & 0xff);
  return buf;
}

static guint32
prefix_mask (guint len)
{
  return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

gboolean
ks_net_parse_cidr (const char *text, guint min_len, guint max_len, guint32 *network, guint *len)
{
  const char *slash;
  g_autofree char *addr = NULL;
  guint64 l;
  char *end;
  guint32 a;

  if (text == NULL || (slash = strchr (text, '/')) == NULL)
    return FALSE;
  addr = g_strndup (text, slash - text);
  if (!ks_net_parse_ipv4 (addr, &a) || !g_ascii_isdigit (slash[1]))
    return FALSE;
  l = g_ascii_strtoull (slash + 1, &end, 10);
  if (*end != '\0' || l < min_len || l > max_len || (slash[1] == '0' && slash[2] != '\0'))
    return FALSE;
  if ((a & ~prefix_mask (l)) != 0)
    return FALSE;
  *network = a;
  *len = l;
  return TRUE;
}

gboolean
ks_net_in_pod_range (guint32 addr)
{
  return (addr & RANGE_MASK) == POD_RANGE_NET;
}

gboolean
ks_net_in_service_range (guint32 addr)
{
  return (addr & RANGE_MASK) == SERVICE_RANGE_NET;
}

/* ---- IPAM ---- */

struct _KsNetIpam
{
  char *dir;
  char *cidr;
  guint32 network;
  guint len;
};

KsNetIpam *
ks_net_ipam_new (const char *dir, const char *cidr, GError **error)
{
  KsNetIpam *ipam;
  guint32 network;
  guint len;

  g_return_val_if_fail (dir != NULL, NULL);
  if (!ks_net_parse_cidr (cidr, 16, 30, &network, &len))
    {
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID,
                   "IPAM range \"%s\": expected an IPv4 network a.b.c.d/N with N from 16 to 30 "
                   "and no host bits set",
                   cidr != NULL ? cidr : "(null)");
      return NULL;
    }
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int e = errno;
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_IPAM, "cannot create IPAM directory %s: %s",
                   dir, g_strerror (e));
      return NULL;
    }
  ipam = g_new0 (KsNetIpam, 1);
  ipam->dir = g_strdup (dir);
  ipam->cidr = g_strdup (cidr);
  ipam->network = network;
  ipam->len = len;
  return ipam;
}

void
ks_net_ipam_free (KsNetIpam *ipam)
{
  if (ipam == NULL)
    return;
  g_free (ipam->dir);
  g_free (ipam->cidr);
  g_free (ipam);
}

static gboolean
owner_is_valid (const char *owner)
{
  return owner != NULL && *owner != '\0' && strpbrk (owner, "/\n") == NULL;
}

/* Takes the directory's lock (shared by threads and processes: flock locks belong to the open
 * file, and each call opens its own).  Returns the fd to close, or -1. */
static int
ipam_lock (KsNetIpam *ipam, GError **error)
{
  g_autofree char *path = g_build_filename (ipam->dir, "lock", NULL);
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_IPAM, "cannot open IPAM lock %s: %s", path,
                   g_strerror (e));
      return -1;
    }
  while (flock (fd, LOCK_EX) != 0)
    if (errno != EINTR)
      {
        int e = errno;
        g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_IPAM, "cannot lock %s: %s", path,
                     g_strerror (e));
        close (fd);
        return -1;
      }
  return fd;
}

/* The records: address (string) -> owner, both owned by the table. */
static GHashTable *
ipam_read (KsNetIpam *ipam, GError **error)
{
  g_autoptr (GHashTable) records = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GError) local = NULL;
  g_autoptr (GDir) dir = g_dir_open (ipam->dir, 0, &local);
  const char *name;
  guint32 addr;

  if (dir == NULL)
    {
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_IPAM, "IPAM: %s", local->message);
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *text = NULL;

      if (!ks_net_parse_ipv4 (name, &addr))
        continue; /* the lock file, temporary files */
      path = g_build_filename (ipam->dir, name, NULL);
      if (!g_file_get_contents (path, &text, NULL, &local))
        {
          if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            {
              g_clear_error (&local);
              continue;
            }
          g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_IPAM, "IPAM: %s", local->message);
          return NULL;
        }
      g_strchomp (text);
      g_hash_table_insert (records, g_strdup (name), g_steal_pointer (&text));
    }
  return g_steal_pointer (&records);
}

static const char *
records_find_owner (GHashTable *records, const char *owner)
{
  GHashTableIter it;
  gpointer ip, who;

  g_hash_table_iter_init (&it, records);
  while (g_hash_table_iter_next (&it, &ip, &who))
    if (strcmp (who, owner) == 0)
      return ip;
  return NULL;
}

/* Creates dir/<ip> holding owner, atomically: written under a temporary name, then linked (link
 * fails if the name exists), so a reader never sees a record without its owner.  No fsync: the
 * records only need to outlive the agent process; a machine crash takes the pods with it. */
static gboolean
ipam_claim (KsNetIpam *ipam, const char *ip, const char *owner, gboolean *taken, GError **error)
{
  g_autofree char *final = g_build_filename (ipam->dir, ip, NULL);
  g_autofree char *tmp_name = g_strdup_printf (".tmp-%s-%d", ip, (int) getpid ());
  g_autofree char *tmp = g_build_filename (ipam->dir, tmp_name, NULL);
  g_autofree char *text = g_strconcat (owner, "\n", NULL);
  int r, e;
  g_autoptr (GError) local = NULL;

  *taken = FALSE;
  if (!g_file_set_contents_full (tmp, text, -1, G_FILE_SET_CONTENTS_NONE, 0644, &local))
    {
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_IPAM, "IPAM: %s", local->message);
      return FALSE;
    }
  r = link (tmp, final);
  e = errno;
  unlink (tmp);
  if (r == 0)
    return TRUE;
  if (e == EEXIST)
    {
      *taken = TRUE;
      return TRUE;
    }
  g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_IPAM, "IPAM: cannot create %s: %s", final,
               g_strerror (e));
  return FALSE;
}

char *
ks_net_ipam_allocate (KsNetIpam *ipam, const char *owner, GError **error)
{
  g_autoptr (GHashTable) records = NULL;
  const char *have;
  guint32 first, last;
  int lock;

  g_return_val_if_fail (ipam != NULL, NULL);
  if (!owner_is_valid (owner))
    {
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID,
                   "IPAM owner \"%s\": expected a non-empty name without '/' or newlines",
                   owner != NULL ? owner : "(null)");
      return NULL;
    }
  if ((lock = ipam_lock (ipam, error)) < 0)
    return NULL;
  records = ipam_read (ipam, error);
  if (records == NULL)
    {
      close (lock);
      return NULL;
    }
  if ((have = records_find_owner (records, owner)) != NULL)
    {
      char *ip = g_strdup (have);
      close (lock);
      return ip;
    }
  /* Skip the network address, .1 (a gateway's) and the broadcast address. */
  first = ipam->network + 2;
  last = (ipam->network | ~prefix_mask (ipam->len)) - 1;
  for (guint32 a = first; a <= last; a++)
    {
      char ip[INET_ADDRSTRLEN];
      gboolean taken;

      ks_net_format_ipv4 (a, ip);
      if (g_hash_table_contains (records, ip))
        continue;
      if (!ipam_claim (ipam, ip, owner, &taken, error))
        {
          close (lock);
          return NULL;
        }
      if (taken)
        continue;
      close (lock);
      return g_strdup (ip);
    }
  close (lock);
  {
    char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
    g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_EXHAUSTED,
                 "no free pod address in %s for %s: all %u addresses (%s to %s) are taken "
                 "(records in %s)",
                 ipam->cidr, owner, last - first + 1, ks_net_format_ipv4 (first, a),
                 ks_net_format_ipv4 (last, b), ipam->dir);
  }
  return NULL;
}

char *
ks_net_ipam_lookup (KsNetIpam *ipam, const char *owner, GError **error)
{
  g_autoptr (GHashTable) records = NULL;
  const char *have;
  int lock;

  g_return_val_if_fail (ipam != NULL && owner != NULL, NULL);
  if ((lock = ipam_lock (ipam, error)) < 0)
    return NULL;
  records = ipam_read (ipam, error);
  close (lock);
  if (records == NULL)
    return NULL;
  have = records_find_owner (records, owner);
  return g_strdup (have);
}

gboolean
ks_net_ipam_release (KsNetIpam *ipam, const char *owner, GError **error)
{
  g_autoptr (GHashTable) records = NULL;
  GHashTableIter it;
  gpointer ip, who;
  gboolean ok = TRUE;
  int lock;

  g_return_val_if_fail (ipam != NULL && owner != NULL, FALSE);
  if ((lock = ipam_lock (ipam, error)) < 0)
    return FALSE;
  records = ipam_read (ipam, error);
  if (records == NULL)
    {
      close (lock);
      return FALSE;
    }
  g_hash_table_iter_init (&it, records);
  while (ok && g_hash_table_iter_next (&it, &ip, &who))
    if (strcmp (who, owner) == 0)
      {
        g_autofree char *path = g_build_filename (ipam->dir, ip, NULL);
        if (unlink (path) != 0 && errno != ENOENT)
          {
            int e = errno;
            g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_IPAM, "IPAM: cannot remove %s: %s", path,
                         g_strerror (e));
            ok = FALSE;
          }
      }
  close (lock);
  return ok;
}

GHashTable *
ks_net_ipam_list (KsNetIpam *ipam, GError **error)
{
  g_autoptr (GHashTable) records = NULL;
  GHashTable *by_owner;
  GHashTableIter it;
  gpointer ip, who;
  int lock;

  g_return_val_if_fail (ipam != NULL, NULL);
  if ((lock = ipam_lock (ipam, error)) < 0)
    return NULL;
  records = ipam_read (ipam, error);
  close (lock);
  if (records == NULL)
    return NULL;
  by_owner = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_iter_init (&it, records);
  while (g_hash_table_iter_next (&it, &ip, &who))
    g_hash_table_insert (by_owner, g_strdup (who), g_strdup (ip));
  return by_owner;
}

/* ---- The network object ---- */

struct _KsNet
{
  char *data_dir;
  char *node;
  char *pod_cidr;
  KsNetIpam *ipam;

  KsNetCommandFunc func;
  gpointer func_data;
  GDestroyNotify func_destroy;

  GMutex lock;    /* the netlink sockets and the route cache */
  int nl_fd;      /* queries; -1 until first needed */
  int monitor_fd; /* change notifications; -1 until first needed, -2 if it cannot be had */
  guint32 nl_seq;
  GHashTable *route_cache; /* address -> 1 (ours) or 2 (not ours) */
};

KsNet *
ks_net_new (const char *data_dir)
{
  KsNet *net;

  g_return_val_if_fail (data_dir != NULL, NULL);
  net = g_new0 (KsNet, 1);
  net->data_dir = g_strdup (data_dir);
  g_mutex_init (&net->lock);
  net->nl_fd = -1;
  net->monitor_fd = -1;
  net->route_cache = g_hash_table_new (g_direct_hash, g_direct_equal);
  return net;
}

void
ks_net_free (KsNet *net)
{
  if (net == NULL)
    return;
  if (net->func_destroy != NULL)
    net->func_destroy (net->func_data);
  if (net->nl_fd >= 0)
    close (net->nl_fd);
  if (net->monitor_fd >= 0)
    close (net->monitor_fd);
  g_hash_table_unref (net->route_cache);
  g_mutex_clear (&net->lock);
  ks_net_ipam_free (net->ipam);
  g_free (net->data_dir);
  g_free (net->node);
  g_free (net->pod_cidr);
  g_free (net);
}

gboolean
ks_net_set_node (KsNet *net, const char *node_name, const char *pod_cidr, GError **error)
{
  guint32 network;
  guint len;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (net != NULL, FALSE);
  if (node_name == NULL || *node_name == '\0' || strchr (node_name, '/') != NULL
      || strcmp (node_name, ".") == 0 || strcmp (node_name, "..") == 0)
    {
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID,
                   "node name \"%s\": expected a non-empty name without '/'",
                   node_name != NULL ? node_name : "(null)");
      return FALSE;
    }
  if (!ks_net_parse_cidr (pod_cidr, 24, 24, &network, &len) || !ks_net_in_pod_range (network)
      || network == POD_RANGE_NET)
    {
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID,
                   "node %s: podCIDR \"%s\": expected a /24 inside %s other than 10.244.0.0/24 "
                   "(10.244.1.0/24 to 10.244.255.0/24)",
                   node_name, pod_cidr != NULL ? pod_cidr : "(null)", KS_NET_POD_RANGE);
      return FALSE;
    }
  if (net->node != NULL)
    {
      if (strcmp (net->node, node_name) == 0 && strcmp (net->pod_cidr, pod_cidr) == 0)
        return TRUE;
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID,
                   "node %s with podCIDR %s: this network is already node %s with podCIDR %s",
                   node_name, pod_cidr, net->node, net->pod_cidr);
      return FALSE;
    }
  dir = g_build_filename (net->data_dir, "nodes", node_name, "ipam", NULL);
  net->ipam = ks_net_ipam_new (dir, pod_cidr, error);
  if (net->ipam == NULL)
    return FALSE;
  net->node = g_strdup (node_name);
  net->pod_cidr = g_strdup (pod_cidr);
  return TRUE;
}

KsNetIpam *
ks_net_get_ipam (KsNet *net)
{
  g_return_val_if_fail (net != NULL, NULL);
  return net->ipam;
}

void
ks_net_set_command_func (KsNet *net, KsNetCommandFunc func, gpointer user_data,
                         GDestroyNotify destroy)
{
  g_return_if_fail (net != NULL);
  if (net->func_destroy != NULL)
    net->func_destroy (net->func_data);
  net->func = func;
  net->func_data = user_data;
  net->func_destroy = destroy;
}

/* Whether net acts on the machine (no command runner installed). */
static gboolean
net_live (KsNet *net)
{
  return net->func == NULL;
}

/* ---- Running ip ---- */

static char *
describe_command (const char *const *argv, const char *input)
{
  g_autofree char *cmd = g_strjoinv (" ", (char **) argv);
  g_autofree char *lines = NULL;

  if (input == NULL)
    return g_steal_pointer (&cmd);
  lines = g_strdelimit (g_strstrip (g_strdup (input)), "\n", ';');
  return g_strdup_printf ("%s <<< '%s'", cmd, lines);
}

/* The ip command: from PATH, else where Debian and others install it (an agent started with a
 * user's PATH may lack /usr/sbin).  Owned; NULL when there is none. */
static char *
find_ip (void)
{
  static const char *const places[] = { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip" };
  char *path = g_find_program_in_path ("ip");

  for (guint i = 0; path == NULL && i < G_N_ELEMENTS (places); i++)
    if (g_file_test (places[i], G_FILE_TEST_IS_EXECUTABLE))
      path = g_strdup (places[i]);
  return path;
}

/* Runs argv (an ip command; argv[0] is "ip") with input on its standard input. */
static gboolean
net_run (KsNet *net, const char *const *argv, const char *input, char **output, GError **error)
{
  g_autoptr (GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE;
  g_autoptr (GError) local = NULL;
  g_autofree char *ip = NULL;
  g_auto (GStrv) real_argv = NULL;

  if (output != NULL)
    *output = NULL;
  if (net->func != NULL)
    {
      g_autofree char *ignored = NULL;
      if (!net->func (argv, input, output != NULL ? output : &ignored, net->func_data, &local))
        {
          g_autofree char *what = describe_command (argv, input);
          if (local == NULL)
            g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_COMMAND, "%s: failed", what);
          else
            g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_COMMAND, "%s: %s", what, local->message);
          return FALSE;
        }
      return TRUE;
    }
  if (input != NULL)
    flags |= G_SUBPROCESS_FLAGS_STDIN_PIPE;
  ip = find_ip ();
  if (ip == NULL)
    {
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_COMMAND,
                   "cannot run ip: not found in PATH or /usr/sbin (Debian package iproute2)");
      return FALSE;
    }
  real_argv = g_strdupv ((char **) argv);
  g_free (real_argv[0]);
  real_argv[0] = g_steal_pointer (&ip);
  proc = g_subprocess_newv ((const char *const *) real_argv, flags, &local);
  if (proc == NULL)
    {
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_COMMAND, "cannot run %s: %s", real_argv[0],
                   local->message);
      return FALSE;
    }
  if (!g_subprocess_communicate_utf8 (proc, input, NULL, &out, &err, &local))
    {
      g_autofree char *what = describe_command (argv, input);
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_COMMAND, "%s: %s", what, local->message);
      return FALSE;
    }
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    {
      g_autofree char *what = describe_command (argv, input);
      g_strdelimit (g_strstrip (err), "\n", ';');
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_COMMAND, "%s: %s", what,
                   *err != '\0' ? err : "failed");
      return FALSE;
    }
  if (output != NULL)
    *output = g_steal_pointer (&out);
  return TRUE;
}

/* Runs `ip [-n netns] [-force] -b -` over the lines of batch. */
static gboolean
net_run_batch (KsNet *net, const char *netns, gboolean force, const char *batch, GError **error)
{
  const char *argv[8];
  guint n = 0;

  argv[n++] = "ip";
  if (netns != NULL)
    {
      argv[n++] = "-n";
      argv[n++] = netns;
    }
  if (force)
    argv[n++] = "-force";
  argv[n++] = "-b";
  argv[n++] = "-";
  argv[n] = NULL;
  return net_run (net, argv, batch, NULL, error);
}

/* ---- rtnetlink ---- */

static int
nl_open (guint32 groups, gboolean nonblock)
{
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
  int fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0),
                   NETLINK_ROUTE);

  if (fd < 0)
    return -1;
  if (bind (fd, (struct sockaddr *) &sa, sizeof sa) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

typedef void (*NlFunc) (const struct nlmsghdr *h, gpointer data);

static void
nl_add_attr (struct nlmsghdr *h, gsize max, unsigned short type, const void *data, gsize len)
{
  struct rtattr *rta = (struct rtattr *) ((char *) h + NLMSG_ALIGN (h->nlmsg_len));

  g_assert (NLMSG_ALIGN (h->nlmsg_len) + RTA_SPACE (len) <= max);
  rta->rta_type = type;
  rta->rta_len = RTA_LENGTH (len);
  memcpy (RTA_DATA (rta), data, len);
  h->nlmsg_len = NLMSG_ALIGN (h->nlmsg_len) + RTA_SPACE (len);
}

/* Sends req and hands each reply to fn until the reply (or the dump) is complete.  Returns 0 or
 * a negative errno (the kernel's answer or the socket's).  Called with net->lock held. */
static int
nl_transact (KsNet *net, struct nlmsghdr *req, NlFunc fn, gpointer data)
{
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  gboolean dump = (req->nlmsg_flags & NLM_F_DUMP) != 0;
  guint32 seq;
  g_autofree char *buf = NULL;
  const gsize buf_size = 65536;

  if (net->nl_fd < 0 && (net->nl_fd = nl_open (0, FALSE)) < 0)
    return -errno;
  seq = ++net->nl_seq;
  req->nlmsg_seq = seq;
  req->nlmsg_pid = 0;
  if (sendto (net->nl_fd, req, req->nlmsg_len, 0, (struct sockaddr *) &kernel, sizeof kernel) < 0)
    return -errno;
  buf = g_malloc (buf_size);
  for (;;)
    {
      ssize_t n = recv (net->nl_fd, buf, buf_size, 0);
      gboolean got = FALSE;

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return -errno;
        }
      for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK (h, (guint32) n);
           h = NLMSG_NEXT (h, n))
        {
          if (h->nlmsg_seq != seq)
            continue; /* a late answer to an earlier request */
          if (h->nlmsg_type == NLMSG_DONE)
            return 0;
          if (h->nlmsg_type == NLMSG_ERROR)
            {
              const struct nlmsgerr *e = NLMSG_DATA (h);
              if (e->error != 0 || !dump)
                return e->error;
              continue;
            }
          fn (h, data);
          got = TRUE;
        }
      if (got && !dump)
        return 0;
    }
}

typedef struct
{
  guint32 addr; /* network order */
  int ifindex;
  gboolean found;
} AddrSearch;

static void
addr_search_cb (const struct nlmsghdr *h, gpointer data)
{
  AddrSearch *s = data;
  const struct ifaddrmsg *ifa = NLMSG_DATA (h);
  int len = IFA_PAYLOAD (h);

  if (h->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET
      || (int) ifa->ifa_index != s->ifindex)
    return;
  for (const struct rtattr *rta = IFA_RTA (ifa); RTA_OK (rta, len); rta = RTA_NEXT (rta, len))
    if ((rta->rta_type == IFA_LOCAL || rta->rta_type == IFA_ADDRESS) && RTA_PAYLOAD (rta) == 4
        && memcmp (RTA_DATA (rta), &s->addr, 4) == 0)
      s->found = TRUE;
}

/* Whether addr (network order) is an address of interface ifindex. */
static gboolean
nl_has_address (KsNet *net, guint32 addr, int ifindex)
{
  struct
  {
    struct nlmsghdr h;
    struct ifaddrmsg ifa;
  } req = { 0 };
  AddrSearch s = { .addr = addr, .ifindex = ifindex };

  req.h.nlmsg_len = NLMSG_LENGTH (sizeof (struct ifaddrmsg));
  req.h.nlmsg_type = RTM_GETADDR;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.ifa.ifa_family = AF_INET;
  if (nl_transact (net, &req.h, addr_search_cb, &s) != 0)
    return FALSE;
  return s.found;
}

static void
link_kind_cb (const struct nlmsghdr *h, gpointer data)
{
  char *kind = data;
  const struct ifinfomsg *ifi = NLMSG_DATA (h);
  int len = IFLA_PAYLOAD (h);

  if (h->nlmsg_type != RTM_NEWLINK)
    return;
  for (const struct rtattr *rta = IFLA_RTA (ifi); RTA_OK (rta, len); rta = RTA_NEXT (rta, len))
    if (rta->rta_type == IFLA_LINKINFO)
      {
        int inner = RTA_PAYLOAD (rta);
        for (const struct rtattr *i = RTA_DATA (rta); RTA_OK (i, inner); i = RTA_NEXT (i, inner))
          if (i->rta_type == IFLA_INFO_KIND)
            g_strlcpy (kind, RTA_DATA (i), MIN ((gsize) RTA_PAYLOAD (i) + 1, 32));
      }
}

/* Whether interface ifindex is a bridge.  Asked over rtnetlink rather than read from
 * /sys/class/net, which shows the interfaces of whichever namespace mounted it. */
static gboolean
nl_is_bridge (KsNet *net, int ifindex)
{
  struct
  {
    struct nlmsghdr h;
    struct ifinfomsg ifi;
  } req = { 0 };
  char kind[32] = "";

  req.h.nlmsg_len = NLMSG_LENGTH (sizeof (struct ifinfomsg));
  req.h.nlmsg_type = RTM_GETLINK;
  req.h.nlmsg_flags = NLM_F_REQUEST;
  req.ifi.ifi_family = AF_UNSPEC;
  req.ifi.ifi_index = ifindex;
  if (nl_transact (net, &req.h, link_kind_cb, kind) != 0)
    return FALSE;
  return strcmp (kind, "bridge") == 0;
}

typedef struct
{
  guint8 type;
  int oif;
} RouteAnswer;

static void
route_answer_cb (const struct nlmsghdr *h, gpointer data)
{
  RouteAnswer *a = data;
  const struct rtmsg *r = NLMSG_DATA (h);
  int len = RTM_PAYLOAD (h);

  if (h->nlmsg_type != RTM_NEWROUTE)
    return;
  a->type = r->rtm_type;
  for (const struct rtattr *rta = RTM_RTA (r); RTA_OK (rta, len); rta = RTA_NEXT (rta, len))
    if (rta->rta_type == RTA_OIF && RTA_PAYLOAD (rta) == 4)
      memcpy (&a->oif, RTA_DATA (rta), 4);
}

/* Asks the kernel how it routes addr (host order).  Called with net->lock held. */
static gboolean
route_query_is_ours (KsNet *net, guint32 addr)
{
  struct
  {
    struct nlmsghdr h;
    struct rtmsg r;
    char attrs[64];
  } req = { 0 };
  RouteAnswer answer = { .type = RTN_UNSPEC };
  guint32 dst = htonl (addr);
  int bridge = if_nametoindex (KS_NET_BRIDGE);

  if (bridge == 0)
    return FALSE;
  req.h.nlmsg_len = NLMSG_LENGTH (sizeof (struct rtmsg));
  req.h.nlmsg_type = RTM_GETROUTE;
  req.h.nlmsg_flags = NLM_F_REQUEST;
  req.r.rtm_family = AF_INET;
  req.r.rtm_dst_len = 32;
  nl_add_attr (&req.h, sizeof req, RTA_DST, &dst, 4);
  if (nl_transact (net, &req.h, route_answer_cb, &answer) != 0)
    return FALSE; /* unreachable, or the kernel would not say */
  if (answer.type == RTN_UNICAST)
    return answer.oif == bridge;
  if (answer.type == RTN_LOCAL)
    return nl_has_address (net, dst, bridge); /* a ClusterIP, or the gateway */
  return FALSE;
}

/* Drops the cache if the kernel reported any change since the last look.  Called with net->lock
 * held.  The kernel queues a notification before the change that causes it completes, so a
 * check that follows a change always sees it. */
static void
route_cache_refresh (KsNet *net)
{
  char buf[8192];
  gboolean changed = FALSE;

  if (net->monitor_fd == -1)
    {
      net->monitor_fd = nl_open (RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE, TRUE);
      if (net->monitor_fd < 0)
        net->monitor_fd = -2;
      changed = TRUE; /* nothing cached can predate the monitor */
    }
  if (net->monitor_fd == -2)
    changed = TRUE; /* no notifications: no cache */
  else
    for (;;)
      {
        ssize_t n = recv (net->monitor_fd, buf, sizeof buf, MSG_DONTWAIT);

        if (n > 0)
          changed = TRUE;
        else if (n < 0 && errno == EINTR)
          continue;
        else if (n < 0 && errno == ENOBUFS)
          changed = TRUE; /* notifications were lost */
        else
          {
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
              changed = TRUE;
            break;
          }
      }
  if (changed || g_hash_table_size (net->route_cache) > ROUTE_CACHE_MAX)
    g_hash_table_remove_all (net->route_cache);
}

gboolean
ks_net_route_is_ours (KsNet *net, const char *ip)
{
  guint32 addr;
  gpointer cached;
  gboolean ours;

  g_return_val_if_fail (net != NULL, FALSE);
  if (!ks_net_parse_ipv4 (ip, &addr))
    return FALSE;
  if (!ks_net_in_pod_range (addr) && !ks_net_in_service_range (addr))
    return FALSE;
  g_mutex_lock (&net->lock);
  route_cache_refresh (net);
  cached = g_hash_table_lookup (net->route_cache, GUINT_TO_POINTER (addr));
  if (cached != NULL)
    ours = GPOINTER_TO_INT (cached) == 1;
  else
    {
      ours = route_query_is_ours (net, addr);
      g_hash_table_insert (net->route_cache, GUINT_TO_POINTER (addr),
                           GINT_TO_POINTER (ours ? 1 : 2));
    }
  g_mutex_unlock (&net->lock);
  return ours;
}

/* ---- Preflight ---- */

typedef struct
{
  GArray *routes;
  int bridge;
} RouteDump;

static void
route_dump_cb (const struct nlmsghdr *h, gpointer data)
{
  RouteDump *d = data;
  const struct rtmsg *r = NLMSG_DATA (h);
  int len = RTM_PAYLOAD (h);
  KsNetRoute route = { .dst_len = r->rtm_dst_len, .type = r->rtm_type, .table = r->rtm_table };
  GString *devs = g_string_new (NULL);
  guint n_hops = 0, n_bridge = 0;

  if (h->nlmsg_type != RTM_NEWROUTE || r->rtm_family != AF_INET)
    {
      g_string_free (devs, TRUE);
      return;
    }
  for (const struct rtattr *rta = RTM_RTA (r); RTA_OK (rta, len); rta = RTA_NEXT (rta, len))
    {
      if (rta->rta_type == RTA_DST && RTA_PAYLOAD (rta) == 4)
        {
          guint32 dst;
          memcpy (&dst, RTA_DATA (rta), 4);
          route.dst = ntohl (dst);
        }
      else if (rta->rta_type == RTA_TABLE && RTA_PAYLOAD (rta) == 4)
        memcpy (&route.table, RTA_DATA (rta), 4);
      else if (rta->rta_type == RTA_OIF && RTA_PAYLOAD (rta) == 4)
        {
          int oif;
          char name[IF_NAMESIZE] = "";
          memcpy (&oif, RTA_DATA (rta), 4);
          g_string_append_printf (devs, "%s%s", devs->len > 0 ? "," : "",
                                  if_indextoname (oif, name) != NULL ? name : "?");
          n_hops++;
          n_bridge += oif == d->bridge;
        }
      else if (rta->rta_type == RTA_MULTIPATH)
        {
          const struct rtnexthop *nh = RTA_DATA (rta);
          int left = RTA_PAYLOAD (rta);
          while (left >= (int) sizeof *nh && nh->rtnh_len >= sizeof *nh && nh->rtnh_len <= left)
            {
              char name[IF_NAMESIZE] = "";
              g_string_append_printf (devs, "%s%s", devs->len > 0 ? "," : "",
                                      if_indextoname (nh->rtnh_ifindex, name) != NULL ? name : "?");
              n_hops++;
              n_bridge += nh->rtnh_ifindex == d->bridge;
              left -= RTNH_ALIGN (nh->rtnh_len);
              nh = RTNH_NEXT (nh);
            }
        }
    }
  route.via_bridge = d->bridge != 0 && n_hops > 0 && n_hops == n_bridge;
  g_strlcpy (route.dev, devs->str, sizeof route.dev);
  g_string_free (devs, TRUE);
  g_array_append_val (d->routes, route);
}

static const char *
route_type_name (guint8 type)
{
  switch (type)
    {
    case RTN_UNICAST:
      return "unicast";
    case RTN_LOCAL:
      return "local";
    case RTN_BROADCAST:
      return "broadcast";
    case RTN_ANYCAST:
      return "anycast";
    case RTN_MULTICAST:
      return "multicast";
    case RTN_BLACKHOLE:
      return "blackhole";
    case RTN_UNREACHABLE:
      return "unreachable";
    case RTN_PROHIBIT:
      return "prohibit";
    case RTN_THROW:
      return "throw";
    case RTN_NAT:
      return "nat";
    default:
      return "other";
    }
}

gboolean
ks_net_check_routes (const KsNetRoute *routes, guint n_routes, GString *problems)
{
  static const struct
  {
    guint32 net;
    const char *name;
  } ranges[] = {
    { POD_RANGE_NET, "pod addresses " KS_NET_POD_RANGE },
    { SERVICE_RANGE_NET, "Service addresses " KS_NET_SERVICE_RANGE },
  };
  gboolean ok = TRUE;

  for (guint i = 0; i < n_routes; i++)
    {
      const KsNetRoute *r = &routes[i];

      if (r->dst_len == 0 || r->via_bridge)
        continue;
      for (guint k = 0; k < G_N_ELEMENTS (ranges); k++)
        {
          guint common = MIN (r->dst_len, 16u);
          char dst[INET_ADDRSTRLEN];
          g_autofree char *table = NULL;

          if (((r->dst ^ ranges[k].net) & prefix_mask (common)) != 0)
            continue;
          ok = FALSE;
          if (r->table == RT_TABLE_MAIN)
            table = g_strdup ("main");
          else if (r->table == RT_TABLE_LOCAL)
            table = g_strdup ("local");
          else
            table = g_strdup_printf ("%u", r->table);
          g_string_append_printf (
              problems, "%s are already routed elsewhere: %s route %s/%u%s%s (table %s) %s them\n",
              ranges[k].name, route_type_name (r->type), ks_net_format_ipv4 (r->dst, dst),
              r->dst_len, r->dev[0] != '\0' ? " dev " : "", r->dev, table,
              r->dst_len <= 16 ? "covers" : "lies inside");
        }
    }
  return ok;
}

gboolean
ks_net_preflight (KsNet *net, GError **error)
{
  g_autoptr (GString) problems = g_string_new (NULL);
  g_autofree char *ip = find_ip ();
  int bridge = if_nametoindex (KS_NET_BRIDGE);
  gboolean is_bridge;

  g_return_val_if_fail (net != NULL, FALSE);
  if (ip == NULL)
    g_string_append (problems, "the ip command (Debian package iproute2) is not installed (not "
                               "in PATH or /usr/sbin)\n");
  if (g_mkdir_with_parents (KS_NET_NETNS_DIR, 0755) != 0 || access (KS_NET_NETNS_DIR, W_OK) != 0)
    {
      int e = errno;
      g_string_append_printf (problems,
                              "%s (where network namespaces are kept) cannot be created or "
                              "written: %s; run as root on a writable /run\n",
                              KS_NET_NETNS_DIR, g_strerror (e));
    }
  g_mutex_lock (&net->lock);
  is_bridge = bridge != 0 && nl_is_bridge (net, bridge);
  g_mutex_unlock (&net->lock);
  if (bridge != 0 && !is_bridge)
    g_string_append (problems, "an interface named " KS_NET_BRIDGE
                               " exists and is not a bridge; delete it (ip link del " KS_NET_BRIDGE
                               ") or find what created it\n");
  {
    struct
    {
      struct nlmsghdr h;
      struct rtmsg r;
    } req = { 0 };
    RouteDump d = { .routes = g_array_new (FALSE, TRUE, sizeof (KsNetRoute)), .bridge = bridge };
    int r;

    req.h.nlmsg_len = NLMSG_LENGTH (sizeof (struct rtmsg));
    req.h.nlmsg_type = RTM_GETROUTE;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.r.rtm_family = AF_INET;
    g_mutex_lock (&net->lock);
    r = nl_transact (net, &req.h, route_dump_cb, &d);
    g_mutex_unlock (&net->lock);
    if (r != 0)
      g_string_append_printf (problems, "cannot read the routing tables: %s\n", g_strerror (-r));
    else if (!ks_net_check_routes ((KsNetRoute *) d.routes->data, d.routes->len, problems))
      g_string_append (problems,
                       "kubesim puts pods on " KS_NET_POD_RANGE
                       " and Services on " KS_NET_SERVICE_RANGE " behind its bridge " KS_NET_BRIDGE
                       ", which would hide hosts of those networks or be hidden by them; remove "
                       "or narrow those routes, or run kubesim on a machine whose networks do "
                       "not use these ranges\n");
    g_array_unref (d.routes);
  }
  if (problems->len == 0)
    return TRUE;
  g_strchomp (problems->str);
  g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_PREFLIGHT,
               "this machine cannot run kubesim's pod network:\n%s", problems->str);
  return FALSE;
}

/* ---- Bridge ---- */

static gboolean
link_exists (const char *name)
{
  return if_nametoindex (name) != 0;
}

gboolean
ks_net_bridge_ensure (KsNet *net, GError **error)
{
  g_autoptr (GString) batch = g_string_new (NULL);
  g_autoptr (GError) local = NULL;
  guint32 gw;
  int bridge;
  gboolean ok;

  g_return_val_if_fail (net != NULL, FALSE);
  /* -force: another agent may create the bridge between the look and the add. */
  if (!net_live (net) || !link_exists (KS_NET_BRIDGE))
    g_string_append (batch, "link add " KS_NET_BRIDGE " type bridge\n");
  g_string_append (batch, "addr replace " KS_NET_GATEWAY "/16 dev " KS_NET_BRIDGE "\n"
                          "link set " KS_NET_BRIDGE " up\n");
  net_run_batch (net, NULL, TRUE, batch->str, &local);
  if (!net_live (net))
    {
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      return TRUE;
    }
  bridge = if_nametoindex (KS_NET_BRIDGE);
  ks_net_parse_ipv4 (KS_NET_GATEWAY, &gw);
  g_mutex_lock (&net->lock);
  ok = bridge != 0 && nl_is_bridge (net, bridge) && nl_has_address (net, htonl (gw), bridge);
  g_mutex_unlock (&net->lock);
  if (!ok)
    {
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_COMMAND,
                   "cannot set up bridge " KS_NET_BRIDGE " with " KS_NET_GATEWAY "/16: %s",
                   local != NULL ? local->message
                   : bridge == 0 ? "it does not exist"
                                 : "it is not a bridge or lacks the address");
      return FALSE;
    }
  return TRUE;
}

gboolean
ks_net_bridge_teardown (KsNet *net, GError **error)
{
  g_return_val_if_fail (net != NULL, FALSE);
  if (net_live (net) && !link_exists (KS_NET_BRIDGE))
    return TRUE;
  if (!net_run_batch (net, NULL, TRUE, "link del " KS_NET_BRIDGE "\n", error))
    {
      if (net_live (net) && !link_exists (KS_NET_BRIDGE))
        {
          g_clear_error (error);
          return TRUE;
        }
      return FALSE;
    }
  return TRUE;
}

/* ---- Pods ---- */

static gboolean
check_pod_uid (const char *pod_uid, GError **error)
{
  KsUid uid;
  char canon[KS_UID_STRING_LEN];

  /* The uid names the namespace and a file: only the canonical UUID form is accepted. */
  if (pod_uid == NULL || !ks_uid_parse (pod_uid, &uid)
      || strcmp (ks_uid_to_string (&uid, canon), pod_uid) != 0)
    {
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID,
                   "pod uid \"%s\": expected a UUID in lower case, such as "
                   "1b4e28ba-2fa1-41d2-883f-0016d3cca427",
                   pod_uid != NULL ? pod_uid : "(null)");
      return FALSE;
    }
  return TRUE;
}

static gboolean
need_node (KsNet *net, const char *what, GError **error)
{
  if (net->ipam != NULL)
    return TRUE;
  g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID,
               "%s: the network has no node yet (ks_net_set_node)", what);
  return FALSE;
}

/* The veth's host end is named after the pod IP, which is unique on the machine while the pod
 * holds it; a leftover of that name can only be a stale one. */
static void
veth_name (const char *ip, char name[IF_NAMESIZE])
{
  guint32 a = 0;

  ks_net_parse_ipv4 (ip, &a);
  g_snprintf (name, IF_NAMESIZE, "ksv%08x", a);
}

/* eth0's MAC address: 0a:58 and the pod IP (a locally administered unicast address, the form
 * OVN-Kubernetes uses).  A neighbour entry that outlives a pod (the host's, another pod's) is
 * then right for the next pod to get the address, so reusing an address at once is safe. */
static void
pod_mac (const char *ip, char mac[18])
{
  guint32 a = 0;

  ks_net_parse_ipv4 (ip, &a);
  g_snprintf (mac, 18, "0a:58:%02x:%02x:%02x:%02x", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff,
              a & 0xff);
}

/* Deletes the veth (both ends; synchronous) and then the namespace.  Live: only what exists,
 * and verifies it is gone. */
static gboolean
pod_remove (KsNet *net, const char *netns, const char *veth, GError **error)
{
  g_autoptr (GString) batch = g_string_new (NULL);
  g_autofree char *path = g_build_filename (KS_NET_NETNS_DIR, netns, NULL);
  g_autoptr (GError) local = NULL;
  gboolean live = net_live (net);

  if (veth != NULL && (!live || link_exists (veth)))
    g_string_append_printf (batch, "link del %s\n", veth);
  if (!live || g_file_test (path, G_FILE_TEST_EXISTS))
    g_string_append_printf (batch, "netns del %s\n", netns);
  if (batch->len == 0)
    return TRUE;
  if (net_run_batch (net, NULL, TRUE, batch->str, &local) || !live)
    {
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      return TRUE;
    }
  if ((veth != NULL && link_exists (veth)) || g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_LEFTOVER, "cannot remove %s%s%s: %s", netns,
                   veth != NULL ? " and " : "", veth != NULL ? veth : "", local->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
ks_net_pod_setup (KsNet *net, const char *pod_uid, char **netns_path, char **ip_out, GError **error)
{
  g_autofree char *ip = NULL;
  g_autofree char *netns = NULL;
  g_autofree char *path = NULL;
  g_autofree char *host = NULL;
  g_autofree char *inside = NULL;
  char veth[IF_NAMESIZE];
  char mac[18];
  gboolean live = net_live (net);
  gboolean ns_exists, veth_exists;

  g_return_val_if_fail (net != NULL, FALSE);
  if (!check_pod_uid (pod_uid, error) || !need_node (net, "pod network setup", error))
    return FALSE;
  if (live && !link_exists (KS_NET_BRIDGE))
    {
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID,
                   "pod %s: network setup: there is no bridge " KS_NET_BRIDGE
                   " (ks_net_bridge_ensure makes it)",
                   pod_uid);
      return FALSE;
    }
  ip = ks_net_ipam_allocate (net->ipam, pod_uid, error);
  if (ip == NULL)
    {
      g_prefix_error (error, "pod %s: ", pod_uid);
      return FALSE;
    }
  netns = g_strconcat ("ks-", pod_uid, NULL);
  path = g_build_filename (KS_NET_NETNS_DIR, netns, NULL);
  veth_name (ip, veth);
  pod_mac (ip, mac);
  ns_exists = live && g_file_test (path, G_FILE_TEST_EXISTS);
  veth_exists = live && link_exists (veth);
  inside = g_strdup_printf ("link set lo up\n"
                            "addr replace %s/%d dev eth0\n"
                            "link set eth0 up\n"
                            "route replace default via " KS_NET_GATEWAY " dev eth0\n",
                            ip, POD_PREFIX_LEN);
  if (!(ns_exists && veth_exists))
    {
      /* Leftovers of an interrupted setup go first. */
      if ((ns_exists || veth_exists) && !pod_remove (net, netns, veth, error))
        goto fail;
      host = g_strdup_printf ("netns add %s\n"
                              "link add %s type veth peer name eth0 address %s netns %s\n"
                              "link set %s master " KS_NET_BRIDGE " up\n",
                              netns, veth, mac, netns, veth);
      if (!net_run_batch (net, NULL, FALSE, host, error))
        goto fail_remove;
    }
  if (!net_run_batch (net, netns, FALSE, inside, error))
    goto fail_remove;
  if (netns_path != NULL)
    *netns_path = g_steal_pointer (&path);
  if (ip_out != NULL)
    *ip_out = g_steal_pointer (&ip);
  return TRUE;

fail_remove:
  {
    g_autoptr (GError) ignored = NULL;
    if (!pod_remove (net, netns, veth, &ignored))
      g_warning ("pod %s: cleaning up after a failed network setup: %s", pod_uid, ignored->message);
  }
fail:
  {
    g_autoptr (GError) ignored = NULL;
    if (!ks_net_ipam_release (net->ipam, pod_uid, &ignored))
      g_warning ("pod %s: %s", pod_uid, ignored->message);
  }
  g_prefix_error (error, "pod %s: network setup: ", pod_uid);
  return FALSE;
}

gboolean
ks_net_pod_teardown (KsNet *net, const char *pod_uid, GError **error)
{
  g_autofree char *ip = NULL;
  g_autofree char *netns = NULL;
  g_autoptr (GError) local = NULL;
  char veth[IF_NAMESIZE];

  g_return_val_if_fail (net != NULL, FALSE);
  if (!check_pod_uid (pod_uid, error) || !need_node (net, "pod network teardown", error))
    return FALSE;
  ip = ks_net_ipam_lookup (net->ipam, pod_uid, &local);
  if (local != NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local), "pod %s: ", pod_uid);
      return FALSE;
    }
  netns = g_strconcat ("ks-", pod_uid, NULL);
  if (ip != NULL)
    veth_name (ip, veth);
  if (!pod_remove (net, netns, ip != NULL ? veth : NULL, error))
    {
      g_prefix_error (error, "pod %s: network teardown: ", pod_uid);
      return FALSE; /* the address stays taken until the rest is gone */
    }
  if (!ks_net_ipam_release (net->ipam, pod_uid, error))
    {
      g_prefix_error (error, "pod %s: ", pod_uid);
      return FALSE;
    }
  return TRUE;
}

gboolean
ks_net_node_gc (KsNet *net, const char *const *live_uids, GError **error)
{
  g_autoptr (GHashTable) records = NULL;
  g_autoptr (GPtrArray) stale = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter it;
  gpointer owner;
  gboolean ok = TRUE;

  g_return_val_if_fail (net != NULL, FALSE);
  if (!need_node (net, "pod network cleanup", error))
    return FALSE;
  if ((records = ks_net_ipam_list (net->ipam, error)) == NULL)
    return FALSE;
  g_hash_table_iter_init (&it, records);
  while (g_hash_table_iter_next (&it, &owner, NULL))
    if (live_uids == NULL || !g_strv_contains (live_uids, owner))
      g_ptr_array_add (stale, g_strdup (owner));
  g_ptr_array_sort (stale, compare_strings);
  for (guint i = 0; i < stale->len; i++)
    {
      g_autoptr (GError) local = NULL;
      const char *uid = stale->pdata[i];
      KsUid parsed;

      if (!ks_uid_parse (uid, &parsed))
        {
          /* Not a pod of ours (only pods are recorded): free the address, touch nothing else. */
          if (!ks_net_ipam_release (net->ipam, uid, &local) && ok)
            {
              g_propagate_error (error, g_steal_pointer (&local));
              ok = FALSE;
            }
          continue;
        }
      if (!ks_net_pod_teardown (net, uid, &local) && ok)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          ok = FALSE;
        }
    }
  return ok;
}

/* ---- Service addresses ---- */

static gboolean
check_service_ip (const char *cluster_ip, guint32 *addr, GError **error)
{
  if (ks_net_parse_ipv4 (cluster_ip, addr) && ks_net_in_service_range (*addr))
    return TRUE;
  g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID,
               "ClusterIP \"%s\": expected an IPv4 address inside %s",
               cluster_ip != NULL ? cluster_ip : "(null)", KS_NET_SERVICE_RANGE);
  return FALSE;
}

static gboolean
bridge_has_address (KsNet *net, guint32 addr)
{
  int bridge = if_nametoindex (KS_NET_BRIDGE);
  gboolean has;

  if (bridge == 0)
    return FALSE;
  g_mutex_lock (&net->lock);
  has = nl_has_address (net, htonl (addr), bridge);
  g_mutex_unlock (&net->lock);
  return has;
}

gboolean
ks_net_service_ip_add (KsNet *net, const char *cluster_ip, GError **error)
{
  g_autofree char *batch = NULL;
  guint32 addr;

  g_return_val_if_fail (net != NULL, FALSE);
  if (!check_service_ip (cluster_ip, &addr, error))
    return FALSE;
  if (net_live (net) && bridge_has_address (net, addr))
    return TRUE;
  /* replace: adding an address another agent just added is not an error. */
  batch = g_strdup_printf ("addr replace %s/32 dev " KS_NET_BRIDGE "\n", cluster_ip);
  if (!net_run_batch (net, NULL, FALSE, batch, error))
    {
      g_prefix_error (error, "Service address %s: ", cluster_ip);
      return FALSE;
    }
  return TRUE;
}

gboolean
ks_net_service_ip_remove (KsNet *net, const char *cluster_ip, GError **error)
{
  g_autofree char *batch = NULL;
  guint32 addr;

  g_return_val_if_fail (net != NULL, FALSE);
  if (!check_service_ip (cluster_ip, &addr, error))
    return FALSE;
  if (net_live (net) && !bridge_has_address (net, addr))
    return TRUE;
  batch = g_strdup_printf ("addr del %s/32 dev " KS_NET_BRIDGE "\n", cluster_ip);
  if (!net_run_batch (net, NULL, FALSE, batch, error))
    {
      if (net_live (net) && !bridge_has_address (net, addr))
        {
          g_clear_error (error); /* another agent removed it first */
          return TRUE;
        }
      g_prefix_error (error, "Service address %s: ", cluster_ip);
      return FALSE;
    }
  return TRUE;
}

/* ---- Sweep ---- */

static gboolean
is_pod_netns_name (const char *name)
{
  KsUid uid;
  return g_str_has_prefix (name, "ks-") && ks_uid_parse (name + 3, &uid);
}

static gboolean
is_veth_name (const char *name)
{
  if (!g_str_has_prefix (name, "ksv") || strlen (name) != 11)
    return FALSE;
  for (const char *p = name + 3; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

/* Runs `ip -j <args>` and collects the member `field` of each object of the array it prints
 * that keep accepts. */
static GPtrArray *
list_json_names (KsNet *net, const char *const *argv, const char *field,
                 gboolean (*keep) (const char *), GError **error)
{
  g_autofree char *out = NULL;
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  JsonNode *root;
  GList *elements;

  if (!net_run (net, argv, NULL, &out, error))
    return NULL;
  if (out == NULL || *g_strstrip (out) == '\0')
    return g_steal_pointer (&names); /* `ip -j netns list` prints nothing when there is none */
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, out, -1, error))
    {
      g_prefix_error (error, "%s %s: ", argv[0], argv[2]);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_COMMAND,
                   "ip -j %s printed something other than a JSON array", argv[2]);
      return NULL;
    }
  elements = json_array_get_elements (json_node_get_array (root));
  for (GList *e = elements; e != NULL; e = e->next)
    {
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (e->data) ? json_node_get_object (e->data) : NULL;
      const char *name
          = o != NULL ? json_object_get_string_member_with_default (o, field, NULL) : NULL;
      if (name != NULL && keep (name))
        g_ptr_array_add (names, g_strdup (name));
    }
  g_list_free (elements);
  g_ptr_array_sort (names, compare_strings);
  return g_steal_pointer (&names);
}

static gboolean
keep_ours_link (const char *name)
{
  return is_veth_name (name) || strcmp (name, KS_NET_BRIDGE) == 0;
}

static GPtrArray *
list_netns (KsNet *net, GError **error)
{
  const char *argv[] = { "ip", "-j", "netns", "list", NULL };
  return list_json_names (net, argv, "name", is_pod_netns_name, error);
}

static GPtrArray *
list_links (KsNet *net, GError **error)
{
  const char *argv[] = { "ip", "-j", "link", "show", NULL };
  return list_json_names (net, argv, "ifname", keep_ours_link, error);
}

static gboolean
any_link_exists (GPtrArray *names)
{
  for (guint i = 0; i < names->len; i++)
    if (is_veth_name (names->pdata[i]) && link_exists (names->pdata[i]))
      return TRUE;
  return FALSE;
}

static gboolean
remove_ipam_dirs (KsNet *net, GError **error)
{
  g_autofree char *nodes = g_build_filename (net->data_dir, "nodes", NULL);
  g_autoptr (GDir) dir = g_dir_open (nodes, 0, NULL);
  const char *node;

  if (dir == NULL)
    return TRUE; /* no node ever ran */
  while ((node = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *ipam = g_build_filename (nodes, node, "ipam", NULL);
      g_autoptr (GDir) records = g_dir_open (ipam, 0, NULL);
      const char *name;

      if (records == NULL)
        continue;
      while ((name = g_dir_read_name (records)) != NULL)
        {
          g_autofree char *path = g_build_filename (ipam, name, NULL);
          if (unlink (path) != 0 && errno != ENOENT)
            {
              int e = errno;
              g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_LEFTOVER, "cannot remove %s: %s", path,
                           g_strerror (e));
              return FALSE;
            }
        }
      if (rmdir (ipam) != 0 && errno != ENOENT)
        {
          int e = errno;
          g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_LEFTOVER, "cannot remove %s: %s", ipam,
                       g_strerror (e));
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
ks_net_sweep (KsNet *net, GError **error)
{
  g_autoptr (GPtrArray) netns = NULL;
  g_autoptr (GPtrArray) links = NULL;
  g_autoptr (GString) batch = g_string_new (NULL);
  g_autoptr (GError) failed = NULL;
  gboolean live;

  g_return_val_if_fail (net != NULL, FALSE);
  live = net_live (net);
  if ((netns = list_netns (net, error)) == NULL || (links = list_links (net, error)) == NULL)
    return FALSE;
  /* Namespaces first: the kernel then destroys their veths together, which is much faster than
   * deleting veths one by one (each deletion waits for the network stack to quiesce). */
  for (guint i = 0; i < netns->len; i++)
    g_string_append_printf (batch, "netns del %s\n", (char *) netns->pdata[i]);
  if (batch->len > 0)
    {
      if (!net_run_batch (net, NULL, TRUE, batch->str, &failed) && !live)
        {
          g_propagate_error (error, g_steal_pointer (&failed));
          return FALSE;
        }
      g_clear_error (&failed);
      if (live)
        {
          gint64 deadline = g_get_monotonic_time () + SWEEP_VETH_WAIT_USEC;
          while (any_link_exists (links) && g_get_monotonic_time () < deadline)
            g_usleep (10 * 1000);
        }
    }
  /* Then whatever is left: veths whose namespace is still held by a process, and the bridge. */
  g_string_truncate (batch, 0);
  for (guint i = 0; i < links->len; i++)
    {
      const char *name = links->pdata[i];
      if (live && !link_exists (name))
        continue;
      if (is_veth_name (name))
        g_string_append_printf (batch, "link del %s\n", name);
    }
  if (!live || link_exists (KS_NET_BRIDGE))
    for (guint i = 0; i < links->len; i++)
      if (strcmp (links->pdata[i], KS_NET_BRIDGE) == 0)
        g_string_append (batch, "link del " KS_NET_BRIDGE "\n");
  if (batch->len > 0 && !net_run_batch (net, NULL, TRUE, batch->str, &failed) && !live)
    {
      g_propagate_error (error, g_steal_pointer (&failed));
      return FALSE;
    }
  if (live)
    {
      g_autoptr (GPtrArray) netns_left = list_netns (net, error);
      g_autoptr (GPtrArray) links_left = netns_left != NULL ? list_links (net, error) : NULL;

      if (links_left == NULL)
        return FALSE;
      if (netns_left->len > 0 || links_left->len > 0)
        {
          g_ptr_array_extend_and_steal (netns_left, g_steal_pointer (&links_left));
          g_ptr_array_add (netns_left, NULL);
          g_autofree char *names = g_strjoinv (", ", (char **) netns_left->pdata);
          g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_LEFTOVER, "could not remove %s%s%s", names,
                       failed != NULL ? ": " : "", failed != NULL ? failed->message : "");
          return FALSE;
        }
    }
  return remove_ipam_dirs (net, error);
}
