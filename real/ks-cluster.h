/* ks-cluster.h: `kubesim cluster up|down|status`: a real-mode cluster on this machine.
 *
 * up checks the machine (root, runc, cgroups, the pod network), removes what a crashed cluster
 * left behind, starts the control plane and one node agent per node as daemons
 * (real/ks-daemon.h), writes <data-dir>/kubeconfig, and returns once every node is Ready; a
 * failure stops what it started.  Its settings are kept in <data-dir>/cluster.json for down and
 * status.  down stops the daemons, then removes every container, cgroup, pod network namespace,
 * veth, Service address and the bridge, and checks that nothing is left.
 *
 * With an autoscaler file (ks_node_groups_load_file: nodeGroups and autoscaler, checked before
 * anything starts, KS_INPUT_ERROR), the control plane runs the cluster autoscaler and starts and
 * stops the groups' node agents itself (real/ks-agent-provider.h); up waits until each group has
 * its initial size (count, else min) of Ready nodes, status shows each group's nodes and limits,
 * and down stops those agents as the others. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define KS_CLUSTER_ERROR (ks_cluster_error_quark ())
GQuark ks_cluster_error_quark (void);

typedef enum
{
  KS_CLUSTER_ERROR_PREFLIGHT, /* the machine cannot run a cluster: every problem, and its fix */
  KS_CLUSTER_ERROR_RUNNING,   /* a cluster is already up in this data directory */
  KS_CLUSTER_ERROR_START,     /* a daemon did not start or did not become ready in time */
  KS_CLUSTER_ERROR_LEFTOVER,  /* something could not be removed */
} KsClusterError;

typedef struct
{
  char *data_dir;
  guint n_nodes;             /* 1 */
  char *node_cpu;            /* a quantity, "1" */
  char *node_memory;         /* "1Gi" */
  char *node_pods;           /* "110" */
  guint port;                /* 6443 */
  char *scheduler_config;    /* a KubeSchedulerConfiguration file, or NULL */
  char *cgroup_parent;       /* "kubesim" */
  char **control_plane_args; /* extra arguments for the control plane (controller flags), or NULL */
  char **node_args;          /* extra arguments for every node agent, or NULL */
  char *autoscaler;          /* node groups and the cluster autoscaler's options, or NULL */
  gint64 timeout;            /* µs to wait for readiness: 60 s */
} KsClusterOptions;

void ks_cluster_options_init (KsClusterOptions *options);
void ks_cluster_options_clear (KsClusterOptions *options);

/* What the machine lacks to run a cluster, one problem per line with how to fix it; NULL when
 * nothing is missing.  Newly allocated. */
char *ks_cluster_preflight (const char *data_dir);

/* Progress lines go to print (may be NULL). */
typedef void (*KsClusterPrintFunc) (const char *line, gpointer user_data);

gboolean ks_cluster_up (const KsClusterOptions *options, KsClusterPrintFunc print,
                        gpointer user_data, GError **error);
/* purge also removes the data directory (the database, images, logs). */
gboolean ks_cluster_down (const char *data_dir, gboolean purge, KsClusterPrintFunc print,
                          gpointer user_data, GError **error);
/* Print the state of the cluster of data_dir; TRUE when it is up (control plane answering, every
 * agent running, every node Ready). */
gboolean ks_cluster_status (const char *data_dir, KsClusterPrintFunc print, gpointer user_data);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (KsClusterOptions, ks_cluster_options_clear)

G_END_DECLS
