/* ks-control-plane.h: real mode's control plane in one process (`kubesim control-plane`).
 *
 * On the wall clock and the thread-default main context: the store persisted in
 * <data-dir>/store.db (loaded at start, so objects and resourceVersions survive a restart), the
 * built-in namespaces and priority classes, the scheduler (a KubeSchedulerConfiguration, or
 * Kubernetes' default profile), the controllers with real mode's extras on (node lifecycle, taint
 * eviction, node IPAM, endpoints), Events stored as objects, the metrics server (the nodes'
 * resource metrics scraped every --metric-resolution, src/metrics) and the REST API on
 * 127.0.0.1 with the metrics API.  The kubesim.io/hostpath provisioner makes volumes directories
 * of <data-dir>/volumes; a new cluster (an empty store) gets the default StorageClass
 * KS_DEFAULT_STORAGE_CLASS of that provisioner (WaitForFirstConsumer, reclaim Delete).  With node
 * groups, the cluster autoscaler runs on the wall clock and starts and stops their node agents. */
#pragma once

#include "src/controllers/ks-controllers.h"
#include "src/controllers/ks-hpa.h"

G_BEGIN_DECLS

/* kube-apiserver's secure port; kubesim serves plain HTTP on 127.0.0.1 there. */
#define KS_CONTROL_PLANE_DEFAULT_PORT 6443
/* The default StorageClass a new cluster gets. */
#define KS_DEFAULT_STORAGE_CLASS "standard"

typedef struct
{
  char *data_dir;         /* created if missing */
  guint port;             /* KS_CONTROL_PLANE_DEFAULT_PORT; 0 picks a free port */
  char *scheduler_config; /* a KubeSchedulerConfiguration file, or NULL */
  gboolean has_seed;      /* seed the scheduler's tie-breaking (else from the system) */
  guint64 seed;
  /* µs between scrapes of the nodes' resource metrics (metrics-server's --metric-resolution);
   * KS_METRICS_DEFAULT_RESOLUTION by default; at least 1 s. */
  gint64 metric_resolution;
  KsControllerOptions controllers;
  /* The HPA controller's flags (--horizontal-pod-autoscaler-sync-period, ...); it reads the
   * metrics server's resource metrics (Pods, Object and External metrics are not served). */
  KsHpaOptions hpa;
  /* The cluster autoscaler: node groups and its options (ks_node_groups_load_file's file), or
   * NULL for none; its nodes are node agents the control plane starts (real/ks-agent-provider.h)
   * with node_cgroup_parent (NULL: the default) and node_args (NULL-terminated, or NULL). */
  char *autoscaler;
  char *node_cgroup_parent;
  char **node_args;
} KsControlPlaneOptions;

/* Defaults: port 6443, no scheduler config, the controllers' defaults with the node lifecycle,
 * taint eviction and node IPAM controllers on, metrics every 15 s.  data_dir is left NULL. */
void ks_control_plane_options_init (KsControlPlaneOptions *options);
void ks_control_plane_options_clear (KsControlPlaneOptions *options);

typedef struct _KsControlPlane KsControlPlane;

/* Open the database, load it, start every component and listen.  Errors: the data directory or
 * database cannot be used (another control plane holds it), the scheduler config is invalid
 * (KS_INPUT_ERROR), the port is taken. */
KsControlPlane *ks_control_plane_new (const KsControlPlaneOptions *options, GError **error);
/* Stop listening and free everything; running pods are the node agents' and keep running. */
void ks_control_plane_free (KsControlPlane *cp);

/* "http://127.0.0.1:<port>".  Newly allocated. */
char *ks_control_plane_get_url (KsControlPlane *cp);
/* The number of objects loaded from the database at start. */
guint ks_control_plane_get_n_loaded (KsControlPlane *cp);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsControlPlane, ks_control_plane_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (KsControlPlaneOptions, ks_control_plane_options_clear)

G_END_DECLS
