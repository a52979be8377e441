/* ks-oci-bundle.h: a container's OCI runtime config (config.json) for runc, built the way the
 * kubelet and containerd's CRI plugin build it from a pod, a container and the image's config.
 *
 * Pure functions: nothing here touches the file system.  What Kubernetes computes (args, env,
 * resources, oom_score_adj, hostname) follows the kubelet v1.32 and containerd to the integer;
 * the differences are listed in docs/real-mode.md. */
#pragma once

#include <json-glib/json-glib.h>

#include "real/ks-image-store.h"
#include "real/ks-volumes.h"
#include "src/api/ks-pod.h"

G_BEGIN_DECLS

#define KS_OCI_ERROR (ks_oci_error_quark ())
GQuark ks_oci_error_quark (void);

typedef enum
{
  KS_OCI_ERROR_NO_COMMAND, /* neither the container nor the image gives a command */
} KsOciError;

/* cm.MilliCPUToShares: milliCPU × 1024 / 1000, at least 2 (also for 0), at most 262144. */
gint64 ks_oci_milli_cpu_to_shares (gint64 milli_cpu);
/* kuberuntime's milliCPUToQuota: 0 for 0 (no limit), else milliCPU × period / 1000, at least
 * 1000 (1 ms). */
gint64 ks_oci_milli_cpu_to_quota (gint64 milli_cpu, gint64 period);
#define KS_OCI_CPU_PERIOD 100000

/* The cgroup v2 cpu.weight of v1 cpu shares, as runc converts them (1 + ((shares - 2) × 9999) /
 * 262142; 0 for 0). */
gint64 ks_oci_shares_to_weight (gint64 shares);

/* qos.GetContainerOOMScoreAdjust: -997 for Guaranteed pods and system-node-critical ones, 1000
 * for BestEffort, else 1000 - 1000 × memory request / memory_capacity clamped to [3, 999]
 * (a sidecar no higher than the pod's regular container with the smallest request). */
gint ks_oci_oom_score_adj (const KsPod *pod, const KsContainer *c, gint64 memory_capacity);

/* Kubernetes' $(VAR) expansion (third_party/forked/golang/expansion): $(NAME) becomes the value
 * of NAME in vars (char* → char*) and stays as written when NAME is not there; $$ is a literal $.
 * Newly allocated. */
char *ks_oci_expand (const char *input, GHashTable *vars);

/* The container's environment as "KEY=VALUE" strings, in order: PATH (a default), HOSTNAME (the
 * pod's hostname), the image's env, then the container's env with $(VAR) references to earlier
 * container variables expanded and downward API references (valueFrom.fieldRef) resolved from
 * the pod, pod_ip (its status.podIP; NULL: "") and the node's address (status.hostIP); a later
 * KEY replaces an earlier one in place.  Newly allocated. */
char **ks_oci_process_env (const KsPod *pod, const KsContainer *c, const KsImageConfig *image,
                           const char *pod_ip);

/* The process args: command replaces the image's entrypoint and args replace its cmd (the image's
 * cmd is dropped when command is given); $(VAR) in command and args expanded with the container's
 * env (downward API values resolved as for ks_oci_process_env).  NULL with
 * KS_OCI_ERROR_NO_COMMAND when nothing is left. */
char **ks_oci_process_args (const KsPod *pod, const KsContainer *c, const KsImageConfig *image,
                            const char *pod_ip, GError **error);

/* The pod's hostname: spec.hostname or the pod's name, cut to 63 characters without a trailing
 * '-' or '.'.  Newly allocated. */
char *ks_oci_pod_hostname (const KsPod *pod);

/* The contents of the pod's /etc/hosts (the kubelet's managed hosts file), with a line for ip
 * when it is not NULL: "<ip>\t<hostname>", or with spec.subdomain
 * "<ip>\t<hostname>.<subdomain>.<namespace>.svc.cluster.local\t<hostname>".  Newly allocated. */
char *ks_oci_hosts_file (const KsPod *pod, const char *ip);

typedef struct
{
  const KsPod *pod;
  const KsContainer *container;
  const KsImageConfig *image;
  const char *rootfs;   /* the image's root file system (absolute), mounted read-only */
  const char *netns;    /* the pod's network namespace (a path), or NULL: a new one */
  const char *ipcns;    /* the pod's IPC namespace (a path), or NULL: a new one */
  const char *hosts;    /* files bind-mounted read-only at /etc/hosts, /etc/hostname, */
  const char *hostname; /* /etc/resolv.conf (absolute paths; NULL: not mounted) */
  const char *resolv_conf;
  const char *pod_ip;        /* the pod's address (downward API status.podIP), or NULL */
  const char *cgroups_path;  /* linux.cgroupsPath */
  gboolean cgroup_namespace; /* the kernel has cgroup namespaces */
  gboolean cgroup_v2;        /* the unified hierarchy: memory.oom.group as the kubelet sets it */
  gint64 node_memory;        /* the node's memory capacity (bytes), for oom_score_adj */
  /* Without CAP_SYS_RESOURCE a process cannot lower its oom_score_adj below its parent's: the
   * kubelet's value is raised to oom_score_adj_min when limit_oom_score_adj is set. */
  gboolean limit_oom_score_adj;
  gint oom_score_adj_min;
  /* The container's volume mounts (ks_volume_mounts), bind-mounted after the others so that a
   * volume at /tmp hides the tmpfs. */
  KsOciMount *const *volume_mounts;
  guint n_volume_mounts;
} KsOciSpec;

/* The config.json of spec (an object node), or NULL with an error (no command).  Newly
 * allocated. */
JsonNode *ks_oci_config_new (const KsOciSpec *spec, GError **error);

G_END_DECLS
