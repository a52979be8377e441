/* ks-runc-runtime.h: real mode's container runtime: the KsRuntime the kubelet drives, with each
 * container a runc container.
 *
 * Layout (docs/architecture.md, "Real mode"): runc's state in <data-dir>/runc; a container's
 * bundle in <data-dir>/nodes/<node>/pods/<pod-uid>/<container>/; each instance of it a runc
 * container with the id "<pod-uid>-<container>-<n>", n its number (its restart count when it
 * starts, the number of its log), reported to the kubelet as the containerID "runc://<id>"; its
 * output appended to
 * <data-dir>/nodes/<node>/logs/<ns>_<pod>_<uid>/<container>/<attempt>.log; its cgroup
 * /<cgroup-parent>/<node>/pod<uid>/<container>, under a node cgroup limited to the node's
 * capacity.  What a pod's containers share (network and IPC namespaces, /etc/hosts, /etc/hostname,
 * /etc/resolv.conf) is in <pod dir>/sandbox.d/.
 *
 * The process must be a child subreaper (ks_runc_runtime_become_subreaper): when `runc create`
 * returns, the container's init process becomes its child and its exit is collected with a GLib
 * child watch.  Everything runs on the thread-default GLib main context, and timers on the
 * KsClock (the wall clock in real mode): runc commands run asynchronously, so no call blocks on a
 * container.  Stop is `runc kill TERM`, then `runc kill KILL` when the grace period ends; an exited
 * container is `runc delete`d (never with --force on this path) before EXITED is reported.
 *
 * exec is `runc exec`.  Under a chroot that is not the mount namespace's root
 * (ks_mount_ns_root_is_elsewhere) runc exec would run commands outside the containers, so exec
 * refuses them with an error saying so (code -1); containers themselves run as elsewhere. */
#pragma once

#include "real/ks-volumes.h"
#include "src/ks-clock.h"
#include "src/kubelet/ks-runtime.h"

G_BEGIN_DECLS

/* A pod network: set up by another module (the node agent's pod networking), called by the
 * runtime when a pod's sandbox is made and torn down.  Calls are synchronous, on the main
 * context's thread. */
typedef struct
{
  /* Give pod a network: a network namespace (its path in *netns_path) with the pod's interfaces
   * and address (in *ip).  Both strings newly allocated.  FALSE with an error when it cannot. */
  gboolean (*setup) (gpointer user_data, const KsPod *pod, char **netns_path, char **ip,
                     GError **error);
  /* Remove what setup made for the pod with this UID (only the UID: after a crash the pod may
   * be unknown).  Idempotent; called once all the pod's containers are gone. */
  void (*teardown) (gpointer user_data, const KsUid *pod_uid);
  gpointer user_data;
} KsNetworkProvider;

typedef struct
{
  const char *data_dir;      /* required */
  const char *node_name;     /* required */
  const char *cgroup_parent; /* NULL: "kubesim" */
  gint64 node_milli_cpu;     /* the node's capacity, the node cgroup's limits; 0: no limit */
  gint64 node_memory;
  const char *runc; /* the runc binary; NULL: "runc" from PATH */
  /* NULL: a pod gets a network namespace of its own with only lo (no IP), and the runtime has no
   * sandbox_create/sandbox_remove ops.  Borrowed: must outlive the runtime. */
  const KsNetworkProvider *network;
  /* Finds the host directory of a pod's persistentVolumeClaim volume (ks-volumes.h); NULL: such
   * volumes cannot be mounted (the container is not created). */
  KsClaimPathFunc claim_path;
  gpointer claim_path_data;
} KsRuncRuntimeOptions;

#define KS_RUNC_DEFAULT_CGROUP_PARENT "kubesim"

/* Make this process a child subreaper (PR_SET_CHILD_SUBREAPER), as the runtime needs; a node agent
 * calls it first thing. */
gboolean ks_runc_runtime_become_subreaper (GError **error);

/* A runtime for one node: creates the data directories and the node's cgroup with its limits.
 * Fails when the process is not a subreaper, the data directory cannot be written, or the cgroup
 * cannot be made.  Leftovers of an earlier agent of this node should be removed first
 * (ks_runc_cleanup). */
KsRuntime *ks_runc_runtime_new (KsClock *clock, const KsRuncRuntimeOptions *options,
                                GError **error);

/* Containers the runtime still holds (created and not yet removed, or being torn down). */
guint ks_runc_runtime_n_containers (KsRuntime *runtime);
/* Whether nothing is in flight: no runc command running, no container being torn down. */
gboolean ks_runc_runtime_is_idle (KsRuntime *runtime);

/* The scheme of the containerIDs the runtime reports ("runc://<runc id>"), as containerd's are
 * "containerd://<id>". */
#define KS_RUNC_CONTAINER_ID_PREFIX "runc://"

/* Names the runtime uses, newly allocated: the runc id of instance n of a pod's container, and
 * the cgroup path of a pod (container NULL) or of one of its containers. */
char *ks_runc_runtime_container_id (const KsUid *pod_uid, const char *container, gint instance);
/* The instance number n of a containerID "runc://<pod-uid>-<container>-<n>" of this pod and
 * container; FALSE when container_id is not one of theirs. */
gboolean ks_runc_runtime_parse_container_id (const char *container_id, const KsUid *pod_uid,
                                             const char *container, gint *instance);
char *ks_runc_runtime_cgroup_path (const char *cgroup_parent, const char *node_name,
                                   const KsUid *pod_uid, const char *container);

/* Remove every leftover of node_name (NULL: of every node) in data_dir, synchronously: runc
 * containers whose bundles are the node's (`runc delete --force`: their processes are not this
 * process's children), mounts (namespace files) and bundles under nodes/<node>/pods, and the
 * cgroups under /<cgroup_parent>/<node> (NULL node: /<cgroup_parent>) in every hierarchy.  Logs
 * are kept.  For `kubesim cluster down` and an agent starting after a crash.  Pod networks are
 * the network provider's to clean. */
gboolean ks_runc_cleanup (const char *data_dir, const char *node_name, const char *cgroup_parent,
                          const char *runc, GError **error);

G_END_DECLS
