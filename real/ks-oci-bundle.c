/* ks-oci-bundle.c: OCI runtime configs for runc (see ks-oci-bundle.h). */
#include "config.h"

#include <string.h>

#include "ks-net.h"
#include "ks-oci-bundle.h"

/* clang-format off */
G_DEFINE_QUARK (ks-oci-error-quark, ks_oci_error)
/* clang-format on */

/* pkg/kubelet/cm/helper_linux.go */
#define MIN_SHARES 2
#define MAX_SHARES 262144
#define SHARES_PER_CPU 1024
#define MILLI_CPU_TO_CPU 1000
#define MIN_QUOTA_PERIOD 1000

/* pkg/kubelet/qos/policy.go */
#define GUARANTEED_OOM_SCORE_ADJ (-997)
#define BEST_EFFORT_OOM_SCORE_ADJ 1000
#define SYSTEM_CRITICAL_PRIORITY 2000000000

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define HOSTNAME_MAX 63

gint64
ks_oci_milli_cpu_to_shares (gint64 milli_cpu)
{
  gint64 shares;

  if (milli_cpu == 0)
    return MIN_SHARES; /* the kernel's default for zero */
  shares = milli_cpu * SHARES_PER_CPU / MILLI_CPU_TO_CPU;
  return CLAMP (shares, MIN_SHARES, MAX_SHARES);
}

gint64
ks_oci_milli_cpu_to_quota (gint64 milli_cpu, gint64 period)
{
  gint64 quota;

  if (milli_cpu == 0)
    return 0;
  quota = milli_cpu * period / MILLI_CPU_TO_CPU;
  return MAX (quota, MIN_QUOTA_PERIOD);
}

gint64
ks_oci_shares_to_weight (gint64 shares)
{
  if (shares == 0)
    return 0;
  return 1 + ((shares - 2) * 9999) / 262142;
}

static gboolean
is_sidecar (const KsPod *pod, const KsContainer *c)
{
  const KsPodSpec *spec = pod->spec;

  for (guint i = 0; i < spec->n_init_containers; i++)
    if (&spec->init_containers[i] == c)
      return c->restart_always;
  return FALSE;
}

gint
ks_oci_oom_score_adj (const KsPod *pod, const KsContainer *c, gint64 memory_capacity)
{
  const KsPodSpec *spec = pod->spec;
  gint64 adj;

  g_return_val_if_fail (memory_capacity > 0, BEST_EFFORT_OOM_SCORE_ADJ);
  if (g_strcmp0 (spec->priority_class_name, "system-node-critical") == 0
      && ks_pod_get_priority (pod) >= SYSTEM_CRITICAL_PRIORITY)
    return GUARANTEED_OOM_SCORE_ADJ;
  switch (spec->qos_class)
    {
    case KS_QOS_GUARANTEED:
      return GUARANTEED_OOM_SCORE_ADJ;
    case KS_QOS_BEST_EFFORT:
      return BEST_EFFORT_OOM_SCORE_ADJ;
    case KS_QOS_BURSTABLE:
      break;
    }
  adj = 1000 - (1000 * c->requests.memory) / memory_capacity;
  if (is_sidecar (pod, c) && spec->n_containers > 0)
    {
      /* A sidecar is killed no earlier than the regular container with the smallest request. */
      gint64 min_memory = spec->containers[0].requests.memory, min_adj;
      for (guint i = 1; i < spec->n_containers; i++)
        min_memory = MIN (min_memory, spec->containers[i].requests.memory);
      min_adj = 1000 - (1000 * min_memory) / memory_capacity;
      adj = MIN (adj, min_adj);
    }
  if (adj < 1000 + GUARANTEED_OOM_SCORE_ADJ)
    return 1000 + GUARANTEED_OOM_SCORE_ADJ;
  if (adj == BEST_EFFORT_OOM_SCORE_ADJ)
    return (gint) adj - 1;
  return (gint) adj;
}

char *
ks_oci_expand (const char *input, GHashTable *vars)
{
  GString *out = g_string_sized_new (strlen (input));

  for (const char *p = input; *p != '\0'; p++)
    {
      if (p[0] != '$' || p[1] == '\0')
        {
          g_string_append_c (out, *p);
          continue;
        }
      if (p[1] == '$')
        {
          /* $$ is an escaped $ */
          g_string_append_c (out, '$');
          p++;
        }
      else if (p[1] == '(')
        {
          const char *close = strchr (p + 2, ')');
          if (close == NULL)
            {
              /* An unterminated reference stays as written. */
              g_string_append (out, "$(");
              p++;
            }
          else
            {
              g_autofree char *name = g_strndup (p + 2, close - (p + 2));
              const char *value = g_hash_table_lookup (vars, name);
              if (value != NULL)
                g_string_append (out, value);
              else
                g_string_append_printf (out, "$(%s)", name);
              p = close;
            }
        }
      else
        {
          g_string_append_c (out, '$');
          g_string_append_c (out, p[1]);
          p++;
        }
    }
  return g_string_free (out, FALSE);
}

/* The value of a downward API field path (validated by the decoder) for the pod, as the kubelet's
 * podFieldSelectorRuntimeValue and ExtractFieldPathAsString give it.  Newly allocated. */
static char *
field_value (const KsPod *pod, const char *path, const char *pod_ip)
{
  const KsObject *obj = KS_OBJECT (pod);
  const char *v = NULL;
  char uid[KS_UID_STRING_LEN];

  if (strcmp (path, "metadata.name") == 0)
    v = obj->meta.name;
  else if (strcmp (path, "metadata.namespace") == 0)
    v = obj->meta.namespace != NULL ? obj->meta.namespace : "default";
  else if (strcmp (path, "metadata.uid") == 0)
    {
      ks_uid_to_string (&obj->meta.uid, uid);
      v = uid;
    }
  else if (strcmp (path, "spec.nodeName") == 0)
    v = pod->node_name;
  else if (strcmp (path, "spec.serviceAccountName") == 0)
    /* The ServiceAccount admission plugin's default. */
    v = pod->spec->service_account_name != NULL ? pod->spec->service_account_name : "default";
  else if (strcmp (path, "status.hostIP") == 0 || strcmp (path, "status.hostIPs") == 0)
    v = KS_NET_GATEWAY; /* the node's InternalIP, the bridge */
  else if (strcmp (path, "status.podIP") == 0 || strcmp (path, "status.podIPs") == 0)
    v = pod_ip;
  else if (g_str_has_prefix (path, "metadata.labels['"))
    {
      g_autofree char *key = g_strndup (path + strlen ("metadata.labels['"),
                                        strlen (path) - strlen ("metadata.labels['") - 2);
      v = ks_object_get_label (obj, key);
      return g_strdup (v != NULL ? v : "");
    }
  else if (g_str_has_prefix (path, "metadata.annotations['"))
    {
      g_autofree char *key = g_strndup (path + strlen ("metadata.annotations['"),
                                        strlen (path) - strlen ("metadata.annotations['") - 2);
      v = ks_object_get_annotation (obj, key);
      return g_strdup (v != NULL ? v : "");
    }
  return g_strdup (v != NULL ? v : "");
}

/* The container's own variables, expanded in order (each sees those before it); a downward API
 * value is taken as it is, not expanded. */
static GHashTable *
container_vars (const KsPod *pod, const KsContainer *c, const char *pod_ip)
{
  GHashTable *vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < c->n_env; i++)
    {
      const char *value = c->env[i].value != NULL ? c->env[i].value : "";
      g_hash_table_insert (vars, g_strdup (c->env[i].name),
                           c->env[i].field_path != NULL
                               ? field_value (pod, c->env[i].field_path, pod_ip)
                               : ks_oci_expand (value, vars));
    }
  return vars;
}

/* Set KEY=VALUE in env (a GPtrArray of char*), replacing an entry with the same KEY in place. */
static void
env_set (GPtrArray *env, const char *entry)
{
  const char *eq = strchr (entry, '=');
  gsize key_len = eq != NULL ? (gsize) (eq - entry) : strlen (entry);

  for (guint i = 0; i < env->len; i++)
    {
      const char *e = env->pdata[i];
      if (strncmp (e, entry, key_len) == 0 && (e[key_len] == '=' || e[key_len] == '\0'))
        {
          g_free (env->pdata[i]);
          env->pdata[i] = g_strdup (entry);
          return;
        }
    }
  g_ptr_array_add (env, g_strdup (entry));
}

char **
ks_oci_process_env (const KsPod *pod, const KsContainer *c, const KsImageConfig *image,
                    const char *pod_ip)
{
  GPtrArray *env = g_ptr_array_new ();
  g_autoptr (GHashTable) vars = container_vars (pod, c, pod_ip);
  g_autofree char *hostname = ks_oci_pod_hostname (pod);
  g_autofree char *hostname_entry = g_strconcat ("HOSTNAME=", hostname, NULL);

  env_set (env, DEFAULT_PATH);
  env_set (env, hostname_entry);
  for (guint i = 0; image->env != NULL && image->env[i] != NULL; i++)
    env_set (env, image->env[i]);
  for (guint i = 0; i < c->n_env; i++)
    {
      /* The final value of each variable (a later definition of a name wins). */
      g_autofree char *entry
          = g_strconcat (c->env[i].name, "=", g_hash_table_lookup (vars, c->env[i].name), NULL);
      env_set (env, entry);
    }
  g_ptr_array_add (env, NULL);
  return (char **) g_ptr_array_free (env, FALSE);
}

char **
ks_oci_process_args (const KsPod *pod, const KsContainer *c, const KsImageConfig *image,
                     const char *pod_ip, GError **error)
{
  g_autoptr (GHashTable) vars = container_vars (pod, c, pod_ip);
  GPtrArray *args = g_ptr_array_new_with_free_func (g_free);
  gboolean has_command = c->command != NULL && c->command[0] != NULL;
  gboolean has_args = c->args != NULL && c->args[0] != NULL;

  /* containerd's WithProcessArgs over the kubelet's expanded command and args. */
  if (has_command)
    for (guint i = 0; c->command[i] != NULL; i++)
      g_ptr_array_add (args, ks_oci_expand (c->command[i], vars));
  else if (image->entrypoint != NULL
           && !(image->entrypoint[0] != NULL && image->entrypoint[0][0] == '\0'
                && image->entrypoint[1] == NULL))
    for (guint i = 0; image->entrypoint[i] != NULL; i++)
      g_ptr_array_add (args, g_strdup (image->entrypoint[i]));
  if (has_args)
    for (guint i = 0; c->args[i] != NULL; i++)
      g_ptr_array_add (args, ks_oci_expand (c->args[i], vars));
  else if (!has_command)
    for (guint i = 0; image->cmd != NULL && image->cmd[i] != NULL; i++)
      g_ptr_array_add (args, g_strdup (image->cmd[i]));
  if (args->len == 0)
    {
      g_ptr_array_unref (args);
      g_set_error (error, KS_OCI_ERROR, KS_OCI_ERROR_NO_COMMAND,
                   "no command specified: the container has no command or args and image %s "
                   "has no entrypoint or cmd",
                   c->image);
      return NULL;
    }
  g_ptr_array_add (args, NULL);
  return (char **) g_ptr_array_free (args, FALSE);
}

char *
ks_oci_pod_hostname (const KsPod *pod)
{
  const char *name = pod->spec->hostname != NULL && pod->spec->hostname[0] != '\0'
                         ? pod->spec->hostname
                         : pod->parent.meta.name;
  gsize n = MIN (strlen (name), HOSTNAME_MAX);

  /* truncatePodHostnameIfNeeded: cut, then drop trailing '-' and '.'. */
  if (strlen (name) > HOSTNAME_MAX)
    while (n > 0 && (name[n - 1] == '-' || name[n - 1] == '.'))
      n--;
  return g_strndup (name, n);
}

char *
ks_oci_hosts_file (const KsPod *pod, const char *ip)
{
  g_autofree char *hostname = ks_oci_pod_hostname (pod);
  GString *s = g_string_new ("# Kubernetes-managed hosts file.\n"
                             "127.0.0.1\tlocalhost\n"
                             "::1\tlocalhost ip6-localhost ip6-loopback\n"
                             "fe00::0\tip6-localnet\n"
                             "fe00::0\tip6-mcastprefix\n"
                             "fe00::1\tip6-allnodes\n"
                             "fe00::2\tip6-allrouters\n");
  /* GeneratePodHostNameAndDomain: a subdomain puts the pod under it, as
   * <hostname>.<subdomain>.<namespace>.svc.cluster.local, first on the line. */
  if (ip != NULL && ip[0] != '\0' && pod->spec->subdomain != NULL
      && pod->spec->subdomain[0] != '\0')
    g_string_append_printf (
        s, "%s\t%s.%s.%s.svc.cluster.local\t%s\n", ip, hostname, pod->spec->subdomain,
        pod->parent.meta.namespace != NULL ? pod->parent.meta.namespace : "default", hostname);
  else if (ip != NULL && ip[0] != '\0')
    g_string_append_printf (s, "%s\t%s\n", ip, hostname);
  return g_string_free (s, FALSE);
}

/* Building the JSON */

static void
add_string (JsonBuilder *b, const char *member, const char *value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, value);
}

static void
add_int (JsonBuilder *b, const char *member, gint64 value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_int_value (b, value);
}

static void
add_strv (JsonBuilder *b, const char *member, const char *const *strv)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; strv[i] != NULL; i++)
    json_builder_add_string_value (b, strv[i]);
  json_builder_end_array (b);
}

/* containerd's default capability set (oci/spec.go, defaultUnixCaps). */
static const char *const default_caps[] = {
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FSETID",
  "CAP_FOWNER",
  "CAP_MKNOD",
  "CAP_NET_RAW",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETFCAP",
  "CAP_SETPCAP",
  "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT",
  "CAP_KILL",
  "CAP_AUDIT_WRITE",
  NULL,
};

/* `runc spec`'s defaults. */
static const char *const masked_paths[] = {
  "/proc/acpi",
  "/proc/asound",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/sys/firmware",
  "/proc/scsi",
  NULL,
};
static const char *const readonly_paths[] = {
  "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static void
add_process (JsonBuilder *b, const KsOciSpec *spec, char **args)
{
  const KsContainer *c = spec->container;
  g_auto (GStrv) env = ks_oci_process_env (spec->pod, c, spec->image, spec->pod_ip);
  const char *cwd = c->working_dir != NULL && c->working_dir[0] != '\0' ? c->working_dir
                    : spec->image->working_dir != NULL && spec->image->working_dir[0] != '\0'
                        ? spec->image->working_dir
                        : "/";

  json_builder_set_member_name (b, "process");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "terminal");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "user");
  json_builder_begin_object (b);
  add_int (b, "uid", 0);
  add_int (b, "gid", 0);
  json_builder_end_object (b);
  add_strv (b, "args", (const char *const *) args);
  add_strv (b, "env", (const char *const *) env);
  add_string (b, "cwd", cwd);
  json_builder_set_member_name (b, "capabilities");
  json_builder_begin_object (b);
  add_strv (b, "bounding", default_caps);
  add_strv (b, "effective", default_caps);
  add_strv (b, "permitted", default_caps);
  json_builder_end_object (b);
  if (spec->node_memory > 0)
    {
      gint adj = ks_oci_oom_score_adj (spec->pod, c, spec->node_memory);
      if (spec->limit_oom_score_adj)
        adj = MAX (adj, spec->oom_score_adj_min);
      add_int (b, "oomScoreAdj", adj);
    }
  json_builder_end_object (b);
}

static void
add_mount (JsonBuilder *b, const char *destination, const char *type, const char *source,
           const char *const *options)
{
  json_builder_begin_object (b);
  add_string (b, "destination", destination);
  add_string (b, "type", type);
  add_string (b, "source", source);
  add_strv (b, "options", options);
  json_builder_end_object (b);
}

static void
add_mounts (JsonBuilder *b, const KsOciSpec *spec)
{
  static const char *const proc_opts[] = { "nosuid", "noexec", "nodev", NULL };
  static const char *const dev_opts[]
      = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
  static const char *const pts_opts[]
      = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL };
  static const char *const shm_opts[]
      = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL };
  static const char *const mqueue_opts[] = { "nosuid", "noexec", "nodev", NULL };
  static const char *const sys_opts[] = { "nosuid", "noexec", "nodev", "ro", NULL };
  static const char *const cgroup_opts[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };
  static const char *const tmp_opts[] = { "nosuid", "nodev", "mode=1777", NULL };
  static const char *const bind_ro_opts[] = { "rbind", "rprivate", "ro", NULL };
  const char *const files[][2] = {
    { "/etc/hosts", spec->hosts },
    { "/etc/hostname", spec->hostname },
    { "/etc/resolv.conf", spec->resolv_conf },
  };

  json_builder_set_member_name (b, "mounts");
  json_builder_begin_array (b);
  add_mount (b, "/proc", "proc", "proc", proc_opts);
  add_mount (b, "/dev", "tmpfs", "tmpfs", dev_opts);
  add_mount (b, "/dev/pts", "devpts", "devpts", pts_opts);
  add_mount (b, "/dev/shm", "tmpfs", "shm", shm_opts);
  add_mount (b, "/dev/mqueue", "mqueue", "mqueue", mqueue_opts);
  add_mount (b, "/sys", "sysfs", "sysfs", sys_opts);
  add_mount (b, "/sys/fs/cgroup", "cgroup", "cgroup", cgroup_opts);
  add_mount (b, "/tmp", "tmpfs", "tmpfs", tmp_opts);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    if (files[i][1] != NULL)
      add_mount (b, files[i][0], "bind", files[i][1], bind_ro_opts);
  for (guint i = 0; i < spec->n_volume_mounts; i++)
    {
      static const char *const bind_rw_opts[] = { "rbind", "rprivate", "rw", NULL };
      const KsOciMount *m = spec->volume_mounts[i];
      add_mount (b, m->destination, "bind", m->source, m->read_only ? bind_ro_opts : bind_rw_opts);
    }
  json_builder_end_array (b);
}

static void
add_namespace (JsonBuilder *b, const char *type, const char *path)
{
  json_builder_begin_object (b);
  add_string (b, "type", type);
  if (path != NULL)
    add_string (b, "path", path);
  json_builder_end_object (b);
}

/* kuberuntime_container_linux.go, calculateLinuxResources, with containerd's mapping to OCI. */
static void
add_resources (JsonBuilder *b, const KsOciSpec *spec)
{
  const KsContainer *c = spec->container;
  gint64 cpu_request = c->requests.milli_cpu, cpu_limit = c->limits.milli_cpu;
  gint64 shares, quota;

  /* A limit without a request: the request defaults to the limit. */
  shares
      = ks_oci_milli_cpu_to_shares (cpu_request == 0 && cpu_limit != 0 ? cpu_limit : cpu_request);
  quota = ks_oci_milli_cpu_to_quota (cpu_limit, KS_OCI_CPU_PERIOD);

  json_builder_set_member_name (b, "resources");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "devices");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "allow");
  json_builder_add_boolean_value (b, FALSE);
  add_string (b, "access", "rwm");
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "cpu");
  json_builder_begin_object (b);
  add_int (b, "shares", shares);
  if (quota != 0)
    add_int (b, "quota", quota);
  add_int (b, "period", KS_OCI_CPU_PERIOD);
  json_builder_end_object (b);
  if (c->limits.memory > 0)
    {
      json_builder_set_member_name (b, "memory");
      json_builder_begin_object (b);
      add_int (b, "limit", c->limits.memory);
      json_builder_end_object (b);
    }
  if (spec->cgroup_v2)
    {
      /* The kernel kills the whole container on OOM, as the kubelet asks on cgroup v2. */
      json_builder_set_member_name (b, "unified");
      json_builder_begin_object (b);
      add_string (b, "memory.oom.group", "1");
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

static void
add_linux (JsonBuilder *b, const KsOciSpec *spec)
{
  json_builder_set_member_name (b, "linux");
  json_builder_begin_object (b);
  add_resources (b, spec);
  if (spec->cgroups_path != NULL)
    add_string (b, "cgroupsPath", spec->cgroups_path);
  json_builder_set_member_name (b, "namespaces");
  json_builder_begin_array (b);
  add_namespace (b, "pid", NULL);
  add_namespace (b, "ipc", spec->ipcns);
  add_namespace (b, "uts", NULL);
  add_namespace (b, "mount", NULL);
  if (spec->cgroup_namespace)
    add_namespace (b, "cgroup", NULL);
  add_namespace (b, "network", spec->netns);
  json_builder_end_array (b);
  add_strv (b, "maskedPaths", masked_paths);
  add_strv (b, "readonlyPaths", readonly_paths);
  json_builder_end_object (b);
}

JsonNode *
ks_oci_config_new (const KsOciSpec *spec, GError **error)
{
  g_autoptr (JsonBuilder) b = NULL;
  g_auto (GStrv) args = NULL;
  g_autofree char *hostname = NULL;

  g_return_val_if_fail (spec->pod != NULL && spec->container != NULL && spec->image != NULL
                            && spec->rootfs != NULL,
                        NULL);
  args = ks_oci_process_args (spec->pod, spec->container, spec->image, spec->pod_ip, error);
  if (args == NULL)
    return NULL;
  hostname = ks_oci_pod_hostname (spec->pod);
  b = json_builder_new ();
  json_builder_begin_object (b);
  add_string (b, "ociVersion", "1.0.2");
  add_process (b, spec, args);
  json_builder_set_member_name (b, "root");
  json_builder_begin_object (b);
  add_string (b, "path", spec->rootfs);
  json_builder_set_member_name (b, "readonly");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_end_object (b);
  add_string (b, "hostname", hostname);
  add_mounts (b, spec);
  add_linux (b, spec);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
