/* ks-node-agent.c: real mode's node agent (see ks-node-agent.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ks-fsutil.h"
#include "ks-http-client.h"
#include "ks-kubelet-server.h"
#include "ks-net.h"
#include "ks-node-agent.h"
#include "ks-prober-gio.h"
#include "ks-runc-runtime.h"
#include "ks-service-feed.h"
#include "ks-service-proxy.h"
#include "ks-wall-clock.h"
#include "src/api/ks-decode.h"
#include "src/api/ks-node.h"
#include "src/api/ks-storage.h"
#include "src/ks-event-sink-objects.h"
#include "src/kubelet/ks-kubelet.h"
#include "src/kubelet/ks-node-status.h"

/* clang-format off */
G_DEFINE_QUARK (ks-node-agent-error-quark, ks_node_agent_error)
/* clang-format on */

struct _KsNodeAgent
{
  char *node_name;
  int lock_fd; /* agent.lock, held (flock) while the agent lives */
  KsWallClock *clock;
  KsClient *client;
  KsNet *net;
  char *pod_cidr; /* the podCIDR the network was configured with; NULL until then */
  KsKubeletServer *server;
  KsNodeStatus *status;
  guint node_watch;
  KsNetworkProvider provider;
  KsRuntime *runtime;
  KsProber *prober;
  KsKubelet *kubelet;
  KsServiceProxy *proxy;
  KsServiceFeed *feed;
  KsObjectEventSink *events; /* Events as objects, with this node as their source host */
};

void
ks_node_agent_options_init (KsNodeAgentOptions *o)
{
  memset (o, 0, sizeof *o);
  o->max_pods = KS_DEFAULT_MAX_PODS;
  o->status_update_frequency = KS_NODE_STATUS_UPDATE_FREQUENCY;
}

void
ks_node_agent_options_clear (KsNodeAgentOptions *o)
{
  g_clear_pointer (&o->server, g_free);
  g_clear_pointer (&o->node_name, g_free);
  g_clear_pointer (&o->data_dir, g_free);
  g_clear_pointer (&o->cgroup_parent, g_free);
  g_clear_pointer (&o->runc, g_free);
  g_clear_pointer (&o->labels, ks_str_map_unref);
  for (guint i = 0; i < o->n_taints; i++)
    ks_taint_clear (&o->taints[i]);
  g_clear_pointer (&o->taints, g_free);
  o->n_taints = 0;
}

gboolean
ks_node_agent_parse_labels (const char *text, KsStrMap **labels, GError **error)
{
  g_auto (GStrv) items = g_strsplit (text, ",", -1);
  g_autoptr (KsStrMap) map = ks_str_map_new (NULL, NULL, 0);

  for (guint i = 0; items[i] != NULL; i++)
    {
      const char *eq = strchr (items[i], '=');
      g_autofree char *key = NULL;
      const char *why;
      KsStrMap *next;
      if (items[i][0] == '\0' && items[1] == NULL)
        break;
      if (eq == NULL)
        {
          g_set_error (error, KS_NODE_AGENT_ERROR, KS_NODE_AGENT_ERROR_INVALID,
                       "--node-labels: \"%s\" is not key=value (e.g. "
                       "--node-labels=disk=ssd,zone=a)",
                       items[i]);
          return FALSE;
        }
      key = g_strndup (items[i], eq - items[i]);
      why = ks_validate_label_key (key);
      if (why == NULL)
        why = ks_validate_label_value (eq + 1);
      if (why != NULL)
        {
          g_set_error (error, KS_NODE_AGENT_ERROR, KS_NODE_AGENT_ERROR_INVALID,
                       "--node-labels: invalid label \"%s\": %s", items[i], why);
          return FALSE;
        }
      next = ks_str_map_with (map, key, eq + 1);
      ks_str_map_unref (map);
      map = next;
    }
  *labels = g_steal_pointer (&map);
  return TRUE;
}

gboolean
ks_node_agent_parse_taints (const char *text, KsTaint **taints, guint *n_taints, GError **error)
{
  static const KsTaintEffect effects[]
      = { KS_TAINT_NO_SCHEDULE, KS_TAINT_PREFER_NO_SCHEDULE, KS_TAINT_NO_EXECUTE };
  g_auto (GStrv) items = g_strsplit (text, ",", -1);
  g_autoptr (GArray) out = g_array_new (FALSE, TRUE, sizeof (KsTaint));

  g_array_set_clear_func (out, (GDestroyNotify) ks_taint_clear);
  for (guint i = 0; items[i] != NULL; i++)
    {
      const char *colon = strrchr (items[i], ':');
      g_autofree char *kv = NULL;
      char *eq;
      KsTaint t = { 0 };
      gboolean found = FALSE;
      if (items[i][0] == '\0' && items[1] == NULL)
        break;
      for (guint j = 0; colon != NULL && j < G_N_ELEMENTS (effects); j++)
        if (strcmp (colon + 1, ks_taint_effect_name (effects[j])) == 0)
          {
            t.effect = effects[j];
            found = TRUE;
          }
      kv = colon != NULL ? g_strndup (items[i], colon - items[i]) : NULL;
      eq = kv != NULL ? strchr (kv, '=') : NULL;
      if (eq != NULL)
        *eq = '\0';
      if (!found || kv[0] == '\0' || ks_validate_label_key (kv) != NULL
          || (eq != NULL && ks_validate_label_value (eq + 1) != NULL))
        {
          g_set_error (error, KS_NODE_AGENT_ERROR, KS_NODE_AGENT_ERROR_INVALID,
                       "--register-with-taints: \"%s\" is not key[=value]:Effect with Effect "
                       "NoSchedule, PreferNoSchedule or NoExecute (e.g. dedicated=gpu:NoSchedule)",
                       items[i]);
          return FALSE;
        }
      t.key = g_strdup (kv);
      t.value = g_strdup (eq != NULL ? eq + 1 : "");
      t.time_added = KS_TIME_NONE;
      g_array_append_val (out, t);
    }
  *n_taints = out->len;
  g_array_set_clear_func (out, NULL);
  *taints = (KsTaint *) g_array_free (g_steal_pointer (&out), FALSE);
  return TRUE;
}

static gboolean invalid (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError **error, const char *format, ...)
{
  va_list args;
  char *message;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, KS_NODE_AGENT_ERROR, KS_NODE_AGENT_ERROR_INVALID, message);
  g_free (message);
  return FALSE;
}

/* A cgroup parent is one name: it is made under the root of every cgroup hierarchy. */
static const char *
cgroup_parent_problem (const char *parent)
{
  if (parent[0] == '\0')
    return "it is empty";
  if (strchr (parent, '/') != NULL || strcmp (parent, ".") == 0 || strcmp (parent, "..") == 0)
    return "a name without '/' is expected (it is made under the root of every cgroup hierarchy)";
  return NULL;
}

gboolean
ks_node_agent_options_validate (const KsNodeAgentOptions *o, GError **error)
{
  const char *why;

  if (o->server == NULL || o->server[0] == '\0')
    return invalid (error, "--server: the API server's URL is required (e.g. "
                           "http://127.0.0.1:6443)");
  if (!g_str_has_prefix (o->server, "http://"))
    return invalid (error, "--server: \"%s\" is not an http:// URL (e.g. http://127.0.0.1:6443)",
                    o->server);
  if (o->node_name == NULL || o->node_name[0] == '\0')
    return invalid (error, "--name: the node's name is required");
  if ((why = ks_validate_dns1123_subdomain (o->node_name)) != NULL)
    return invalid (error, "--name: \"%s\" is not a valid node name: %s", o->node_name, why);
  if (o->milli_cpu <= 0)
    return invalid (error, "--cpu: the node's cpu capacity is required, above 0 (e.g. 2 or 500m)");
  if (o->memory <= 0)
    return invalid (error, "--memory: the node's memory capacity is required, above 0 (e.g. 4Gi)");
  if (o->max_pods <= 0)
    return invalid (error,
                    "--pods: %" G_GINT64_FORMAT " is not valid: a number of pods above 0 "
                    "is expected (default 110)",
                    o->max_pods);
  if (o->data_dir == NULL || o->data_dir[0] == '\0')
    return invalid (error, "--data-dir: the data directory is required");
  if (o->cgroup_parent != NULL && (why = cgroup_parent_problem (o->cgroup_parent)) != NULL)
    return invalid (error, "--cgroup-parent: \"%s\" is not valid: %s", o->cgroup_parent, why);
  if (o->status_update_frequency <= 0)
    return invalid (error, "--node-status-update-frequency: the duration must be above 0 "
                           "(e.g. \"10s\")");
  if (o->port > 65535)
    return invalid (error, "--port: %u is not a port (0 to 65535)", o->port);
  return TRUE;
}

/* Root and runc: what every agent needs of the machine, said plainly before anything fails
 * half-way. */
static gboolean
check_machine (const KsNodeAgentOptions *o, GError **error)
{
  const char *runc = o->runc != NULL ? o->runc : "runc";
  g_autofree char *found = NULL;

  if (geteuid () != 0)
    {
      g_set_error (error, KS_NODE_AGENT_ERROR, KS_NODE_AGENT_ERROR_UNAVAILABLE,
                   "a node agent must run as root: runc containers, cgroups and the pod network "
                   "need it");
      return FALSE;
    }
  found = g_find_program_in_path (runc);
  if (found == NULL)
    {
      g_set_error (error, KS_NODE_AGENT_ERROR, KS_NODE_AGENT_ERROR_UNAVAILABLE,
                   "%s is not installed or not executable: real mode runs pods with runc "
                   "(apt-get install runc, or scripts/deps)",
                   runc);
      return FALSE;
    }
  return TRUE;
}

/* One agent per node: a second one would remove the first one's containers as leftovers.  The
 * lock goes with the process, however it ends; the descriptor is close-on-exec so that no runc
 * or container process inherits it. */
static int
lock_node (const KsNodeAgentOptions *o, GError **error)
{
  g_autofree char *dir = g_build_filename (o->data_dir, "nodes", o->node_name, NULL);
  g_autofree char *path = g_build_filename (dir, "agent.lock", NULL);
  int fd;

  if (!ks_fs_mkdirs (dir, 0755, error))
    return -1;
  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "cannot open %s: %s", path,
                   g_strerror (saved));
      return -1;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved = errno;
      close (fd);
      if (saved == EWOULDBLOCK)
        g_set_error (error, KS_NODE_AGENT_ERROR, KS_NODE_AGENT_ERROR_RUNNING,
                     "node %s already has an agent running on %s (it holds %s)", o->node_name,
                     o->data_dir, path);
      else
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "cannot lock %s: %s",
                     path, g_strerror (saved));
      return -1;
    }
  return fd;
}

/* The pod network */

static gboolean
provider_setup (gpointer data, const KsPod *pod, char **netns_path, char **ip, GError **error)
{
  KsNodeAgent *a = data;
  char uid[KS_UID_STRING_LEN];

  if (a->pod_cidr == NULL)
    {
      g_set_error (error, KS_NET_ERROR, KS_NET_ERROR_INVALID,
                   "the pod network is not configured yet: node %s has no spec.podCIDR",
                   a->node_name);
      return FALSE;
    }
  return ks_net_pod_setup (a->net, ks_uid_to_string (&pod->parent.meta.uid, uid), netns_path, ip,
                           error);
}

static void
provider_teardown (gpointer data, const KsUid *pod_uid)
{
  KsNodeAgent *a = data;
  g_autoptr (GError) error = NULL;
  char uid[KS_UID_STRING_LEN];

  if (a->pod_cidr == NULL)
    return;
  if (!ks_net_pod_teardown (a->net, ks_uid_to_string (pod_uid, uid), &error))
    g_warning ("%s", error->message);
}

/* The UIDs of the pods bound to this node that are not over, or NULL (no error) when the pods
 * cannot be listed now. */
static GStrv
live_pod_uids (KsNodeAgent *a)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) pods = NULL;
  g_autoptr (GStrvBuilder) uids = g_strv_builder_new ();

  pods = ks_client_list (a->client, ks_kind_get (KS_KIND_POD), NULL, &error);
  if (pods == NULL)
    {
      g_message ("node %s: cannot list pods (%s): the networks of pods no longer on this node "
                 "are left for now",
                 a->node_name, error->message);
      return NULL;
    }
  for (guint i = 0; i < pods->len; i++)
    {
      const KsPod *pod = pods->pdata[i];
      char uid[KS_UID_STRING_LEN];
      if (g_strcmp0 (pod->node_name, a->node_name) == 0 && !ks_pod_is_terminal (pod))
        g_strv_builder_add (uids, ks_uid_to_string (&pod->parent.meta.uid, uid));
    }
  return g_strv_builder_end (uids);
}

/* The Node has a podCIDR: configure the pod network with it (once), remove the networks of pods
 * an earlier agent left that are no longer bound here, and report the network ready. */
static void
configure_network (KsNodeAgent *a, const char *pod_cidr)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) live = NULL;

  if (a->pod_cidr != NULL)
    {
      if (strcmp (a->pod_cidr, pod_cidr) != 0)
        g_warning ("node %s: spec.podCIDR changed from %s to %s; this agent keeps %s until it "
                   "restarts",
                   a->node_name, a->pod_cidr, pod_cidr, a->pod_cidr);
      return;
    }
  if (!ks_net_set_node (a->net, a->node_name, pod_cidr, &error))
    {
      g_warning ("node %s: cannot use spec.podCIDR %s: %s", a->node_name, pod_cidr, error->message);
      return;
    }
  /* No pod network was set up before this (setup needs the podCIDR), so what the IPAM holds of
   * pods that are no longer here is an earlier agent's. */
  live = live_pod_uids (a);
  if (live != NULL && !ks_net_node_gc (a->net, (const char *const *) live, &error))
    {
      g_warning ("node %s: %s", a->node_name, error->message);
      g_clear_error (&error);
    }
  a->pod_cidr = g_strdup (pod_cidr);
  g_message ("node %s: pod network configured (podCIDR %s)", a->node_name, pod_cidr);
  ks_node_status_set_network_error (a->status, NULL);
}

static void
on_node (const KsWatchEvent *event, gpointer data)
{
  KsNodeAgent *a = data;
  const KsNode *node = KS_NODE (event->object);

  if (event->type == KS_WATCH_DELETED || strcmp (event->object->meta.name, a->node_name) != 0
      || node->pod_cidr == NULL)
    return;
  configure_network (a, node->pod_cidr);
}

/* Probes connect only to addresses the kernel routes through kubesim's bridge (a pod's), never
 * to anything else a probe's host might name. */
static gboolean
may_probe (const char *ip, gpointer data)
{
  KsNodeAgent *a = data;
  return ks_net_route_is_ours (a->net, ip);
}

/* The registration */

static const char *
go_arch (void)
{
  static struct utsname u;
  static const struct
  {
    const char *machine, *arch;
  } map[] = { { "x86_64", "amd64" }, { "aarch64", "arm64" },  { "armv7l", "arm" },
              { "i686", "386" },     { "i386", "386" },       { "ppc64le", "ppc64le" },
              { "s390x", "s390x" },  { "riscv64", "riscv64" } };

  if (uname (&u) != 0)
    return "unknown";
  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (strcmp (u.machine, map[i].machine) == 0)
      return map[i].arch;
  return u.machine;
}

char *
ks_os_release_pretty_name (const char *os_release)
{
  g_auto (GStrv) lines = g_strsplit (os_release != NULL ? os_release : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      char *value;
      if (!g_str_has_prefix (line, "PRETTY_NAME="))
        continue;
      value = g_shell_unquote (line + strlen ("PRETTY_NAME="), NULL);
      if (value != NULL && value[0] != '\0')
        return value;
      g_free (value);
    }
  return g_strdup ("Linux");
}

char *
ks_runc_version_parse (const char *output)
{
  const char *p;
  gsize n;

  if (output == NULL || !g_str_has_prefix (output, "runc version "))
    return NULL;
  p = output + strlen ("runc version ");
  n = strcspn (p, " \t\r\n");
  return n > 0 ? g_strndup (p, n) : NULL;
}

/* The first line of a small file, or NULL when it cannot be read or is empty. */
static char *
read_first_line (const char *path)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  text[strcspn (text, "\n")] = '\0';
  g_strstrip (text);
  return text[0] != '\0' ? g_steal_pointer (&text) : NULL;
}

KsNodeSystemInfo *
ks_node_agent_system_info (const char *runc)
{
  KsNodeSystemInfo *info = g_new0 (KsNodeSystemInfo, 1);
  g_autofree char *os_release = NULL;
  g_autofree char *out = NULL;
  const char *argv[] = { runc != NULL ? runc : "runc", "--version", NULL };
  struct utsname u;
  gint status;

  info->machine_id = read_first_line ("/etc/machine-id");
  info->system_uuid = read_first_line ("/sys/class/dmi/id/product_uuid");
  info->boot_id = read_first_line ("/proc/sys/kernel/random/boot_id");
  if (uname (&u) == 0)
    info->kernel_version = g_strdup (u.release);
  if (!g_file_get_contents ("/etc/os-release", &os_release, NULL, NULL))
    g_file_get_contents ("/usr/lib/os-release", &os_release, NULL, NULL);
  info->os_image = ks_os_release_pretty_name (os_release);
  if (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                    NULL, NULL, &out, NULL, &status, NULL)
      && g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *version = ks_runc_version_parse (out);
      if (version != NULL)
        info->container_runtime_version = g_strconcat ("runc://", version, NULL);
    }
  info->kubelet_version = g_strdup (KS_KUBELET_VERSION);
  info->kube_proxy_version = g_strdup (KS_KUBELET_VERSION);
  info->operating_system = g_strdup ("linux");
  info->architecture = g_strdup (go_arch ());
  return info;
}

KsNode *
ks_node_agent_initial_node (const KsNodeAgentOptions *o, guint port)
{
  KsNode *node = ks_node_new (o->node_name);
  const char *arch = go_arch ();
  g_autoptr (KsStrMap) labels = NULL;

  labels = ks_str_map_new_pairs ("beta.kubernetes.io/arch", arch, "beta.kubernetes.io/os", "linux",
                                 "kubernetes.io/arch", arch, "kubernetes.io/hostname", o->node_name,
                                 "kubernetes.io/os", "linux", NULL);
  /* --node-labels first, the kubelet's own labels over them (initialNode). */
  for (guint i = 0; o->labels != NULL && i < ks_str_map_size (o->labels); i++)
    if (ks_str_map_lookup (labels, ks_str_map_key (o->labels, i)) == NULL)
      {
        KsStrMap *next = ks_str_map_with (labels, ks_str_map_key (o->labels, i),
                                          ks_str_map_value (o->labels, i));
        ks_str_map_unref (labels);
        labels = next;
      }
  ks_object_set_labels (KS_OBJECT (node), labels);
  node->taints = g_new0 (KsTaint, MAX (o->n_taints, 1));
  for (guint i = 0; i < o->n_taints; i++)
    ks_taint_copy (&node->taints[i], &o->taints[i]);
  node->n_taints = o->n_taints;
  ks_resources_set (&node->capacity, KS_RESOURCE_CPU, o->milli_cpu);
  ks_resources_set (&node->capacity, KS_RESOURCE_MEMORY, o->memory);
  ks_resources_set (&node->capacity, KS_RESOURCE_PODS, o->max_pods);
  ks_resources_copy (&node->allocatable, &node->capacity);
  node->internal_ip = g_strdup (KS_NET_GATEWAY);
  node->hostname = g_strdup (o->node_name);
  node->kubelet_port = (gint32) port;
  return node;
}

/* The Node the kubelet registers: the initial node and its system info. */
static KsNode *
registration_new (const KsNodeAgentOptions *o, guint port)
{
  KsNode *node = ks_node_agent_initial_node (o, port);

  node->node_info = ks_node_agent_system_info (o->runc);
  return node;
}

/* The eviction manager's MemoryPressure goes to the node status the kubelet posts (its
 * MemoryPressureCondition setter). */
static void
memory_pressure_changed (KsKubelet *kubelet, gboolean pressure, gpointer data)
{
  KsNodeAgent *a = data;

  ks_node_status_set_memory_pressure (a->status, pressure);
}

/* The runtime's KsClaimPathFunc: the claim, then its volume, from the API (the kubelet's volume
 * manager reads them the same way).  The scheduler binds a pod only once its claims are bound. */
static char *
claim_path (gpointer data, const char *ns, const char *claim, GError **error)
{
  KsNodeAgent *a = data;
  g_autoptr (KsObject) pvc = NULL;
  g_autoptr (KsObject) pv = NULL;
  const char *volume;

  pvc = ks_client_get (a->client, ks_kind_get (KS_KIND_PERSISTENT_VOLUME_CLAIM), ns, claim, error);
  if (pvc == NULL)
    return NULL;
  volume = KS_PERSISTENT_VOLUME_CLAIM (pvc)->volume_name;
  if (KS_PERSISTENT_VOLUME_CLAIM (pvc)->status.phase != KS_PVC_BOUND || volume == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "persistent volume claim %s/%s is not bound to a volume", ns, claim);
      return NULL;
    }
  pv = ks_client_get (a->client, ks_kind_get (KS_KIND_PERSISTENT_VOLUME), NULL, volume, error);
  if (pv == NULL)
    return NULL;
  return ks_volume_pv_host_path (KS_PERSISTENT_VOLUME (pv), error);
}

KsNodeAgent *
ks_node_agent_new (const KsNodeAgentOptions *o, GError **error)
{
  g_autoptr (KsNodeAgent) a = NULL;
  const char *parent;
  g_autofree char *logs_dir = NULL;
  g_autoptr (KsNode) registration = NULL;
  KsNodeStatusOptions status_options;
  KsRuncRuntimeOptions runtime_options;
  KsClock *clock;

  if (!ks_node_agent_options_validate (o, error) || !check_machine (o, error))
    return NULL;
  parent = o->cgroup_parent != NULL ? o->cgroup_parent : KS_RUNC_DEFAULT_CGROUP_PARENT;
  a = g_new0 (KsNodeAgent, 1);
  a->node_name = g_strdup (o->node_name);
  a->lock_fd = lock_node (o, error);
  if (a->lock_fd < 0 || !ks_runc_runtime_become_subreaper (error))
    return NULL;
  a->clock = ks_wall_clock_new ();
  clock = ks_wall_clock_get_clock (a->clock);
  a->client = ks_http_client_new (o->server, 0, error);
  if (a->client == NULL)
    return NULL;

  a->net = ks_net_new (o->data_dir);
  if (!ks_net_preflight (a->net, error) || !ks_net_bridge_ensure (a->net, error))
    return NULL;
  /* What a crashed (or stopped) agent of this node left: its containers go, the kubelet starts
   * them again.  Pod networks are judged once the podCIDR is known (configure_network). */
  if (!ks_runc_cleanup (o->data_dir, o->node_name, parent, o->runc, error))
    {
      g_prefix_error (error, "cannot remove what an earlier agent of node %s left: ", o->node_name);
      return NULL;
    }

  logs_dir = g_build_filename (o->data_dir, "nodes", o->node_name, "logs", NULL);
  a->server = ks_kubelet_server_new (a->client, o->node_name, logs_dir);
  if (!ks_kubelet_server_listen (a->server, o->port, error))
    return NULL;

  registration = registration_new (o, ks_kubelet_server_get_port (a->server));
  status_options.update_frequency = o->status_update_frequency;
  a->events = ks_object_event_sink_new (a->client, clock, o->node_name, 0);
  a->status = ks_node_status_new (a->client, clock, ks_object_event_sink_get_sink (a->events),
                                  registration, &status_options);
  ks_node_status_set_network_error (a->status, KS_NODE_NETWORK_NOT_READY);
  /* With replay: a Node that has its podCIDR (an agent starting again) configures the network
   * now, before the kubelet sets up pods. */
  a->node_watch
      = ks_client_watch (a->client, ks_kind_get (KS_KIND_NODE), NULL, TRUE, on_node, a, NULL);

  a->provider = (KsNetworkProvider){ provider_setup, provider_teardown, a };
  runtime_options = (KsRuncRuntimeOptions){
    .data_dir = o->data_dir,
    .node_name = o->node_name,
    .cgroup_parent = parent,
    .node_milli_cpu = o->milli_cpu,
    .node_memory = o->memory,
    .runc = o->runc,
    .network = &a->provider,
    .claim_path = claim_path,
    .claim_path_data = a,
  };
  a->runtime = ks_runc_runtime_new (clock, &runtime_options, error);
  if (a->runtime == NULL)
    return NULL;
  ks_kubelet_server_set_runtime (a->server, a->runtime);
  a->prober = ks_prober_gio_new (may_probe, a);
  a->kubelet = ks_kubelet_new (a->client, clock, a->runtime,
                               ks_object_event_sink_get_sink (a->events), o->node_name);
  ks_kubelet_set_prober (a->kubelet, a->prober);
  ks_kubelet_start_eviction (a->kubelet, NULL, memory_pressure_changed, a);

  a->proxy = ks_service_proxy_new (a->net, clock);
  a->feed = ks_service_feed_new (a->client, a->proxy);
  return g_steal_pointer (&a);
}

void
ks_node_agent_free (KsNodeAgent *a)
{
  if (a == NULL)
    return;
  /* Users before what they use: the feed before the proxy, the kubelet before the runtime, the
   * watches before the client, the client before the clock. */
  g_clear_pointer (&a->feed, ks_service_feed_free);
  g_clear_pointer (&a->proxy, ks_service_proxy_free);
  g_clear_pointer (&a->kubelet, ks_kubelet_free);
  g_clear_pointer (&a->prober, ks_prober_free);
  if (a->server != NULL)
    ks_kubelet_server_set_runtime (a->server, NULL);
  g_clear_pointer (&a->runtime, ks_runtime_free);
  if (a->node_watch != 0)
    ks_client_unwatch (a->client, a->node_watch);
  g_clear_pointer (&a->status, ks_node_status_free);
  g_clear_pointer (&a->events, ks_object_event_sink_free);
  g_clear_pointer (&a->server, ks_kubelet_server_free);
  g_clear_pointer (&a->client, ks_client_free);
  g_clear_pointer (&a->net, ks_net_free);
  g_clear_pointer (&a->clock, ks_wall_clock_free);
  g_free (a->pod_cidr);
  g_free (a->node_name);
  if (a->lock_fd >= 0)
    close (a->lock_fd);
  g_free (a);
}

gboolean
ks_node_agent_quiesce (KsNodeAgent *a, gint64 timeout)
{
  gint64 deadline = g_get_monotonic_time () + timeout;

  g_clear_pointer (&a->kubelet, ks_kubelet_free);
  while (a->runtime != NULL && !ks_runc_runtime_is_idle (a->runtime))
    {
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      /* The commands' ends arrive as child watches on this context. */
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (5000);
    }
  return TRUE;
}

guint
ks_node_agent_get_port (KsNodeAgent *a)
{
  return ks_kubelet_server_get_port (a->server);
}

gboolean
ks_node_agent_network_ready (KsNodeAgent *a)
{
  return a->pod_cidr != NULL;
}

gboolean
ks_node_agent_cleanup (const char *data_dir, const char *cgroup_parent, const char *runc,
                       GError **error)
{
  g_autoptr (KsNet) net = NULL;

  g_return_val_if_fail (data_dir != NULL, FALSE);
  if (geteuid () != 0)
    {
      g_set_error (error, KS_NODE_AGENT_ERROR, KS_NODE_AGENT_ERROR_UNAVAILABLE,
                   "cleaning up needs root: runc containers, cgroups and the pod network are "
                   "root's");
      return FALSE;
    }
  if (!ks_runc_cleanup (data_dir, NULL,
                        cgroup_parent != NULL ? cgroup_parent : KS_RUNC_DEFAULT_CGROUP_PARENT, runc,
                        error))
    return FALSE;
  net = ks_net_new (data_dir);
  return ks_net_sweep (net, error);
}
