/* ks-controllers.h: the controllers of kube-controller-manager that kubesim runs: ReplicaSet,
 * Deployment, the garbage collector, the pod garbage collector, Endpoints, EndpointSlices,
 * disruption (PodDisruptionBudgets) and, when
 * enabled, the node lifecycle controller,
 * the taint eviction controller and node IPAM.  They see objects only through a KsClient and act
 * from work queues and tasks driven by the clock, so they run unchanged in sim and in real
 * mode. */
#pragma once

#include "src/ks-events.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

#define KS_CONTROLLER_ERROR (ks_controller_error_quark ())
GQuark ks_controller_error_quark (void);

typedef enum
{
  KS_CONTROLLER_ERROR_INVALID_OPTION, /* a controller option out of its range */
} KsControllerError;

/* kube-controller-manager's defaults (v1.32, reference §5.1). */
#define KS_NODE_MONITOR_PERIOD (5 * KS_USEC_PER_SEC)
#define KS_NODE_MONITOR_GRACE_PERIOD (50 * KS_USEC_PER_SEC) /* 40 s before v1.32 */
#define KS_NODE_STARTUP_GRACE_PERIOD (60 * KS_USEC_PER_SEC)
#define KS_NODE_EVICTION_RATE 0.1f
#define KS_SECONDARY_NODE_EVICTION_RATE 0.01f
#define KS_LARGE_CLUSTER_SIZE_THRESHOLD 50
#define KS_UNHEALTHY_ZONE_THRESHOLD 0.55f
/* --terminated-pod-gc-threshold's default. */
#define KS_TERMINATED_POD_GC_THRESHOLD 12500
/* kubesim's --cluster-cidr (the pod network; kubeadm clusters often use the same) and
 * kube-controller-manager's --node-cidr-mask-size for IPv4. */
#define KS_CLUSTER_CIDR "10.244.0.0/16"
#define KS_NODE_CIDR_MASK_SIZE 24

/* Which optional controllers run, and their settings (kube-controller-manager's flags).  Rates
 * and the threshold are float32 as in Kubernetes, which matters for the token buckets and for the
 * zone-state division.  ks_controller_options_init sets the defaults above, with the Endpoints,
 * EndpointSlice and disruption controllers and the pod garbage collector on (they cost nothing
 * without Services, budgets or garbage) and the node lifecycle, taint eviction and IPAM
 * controllers off (a sim run turns IPAM on when its scenario has Services, and the node
 * lifecycle and taint eviction controllers when it has node failures: the heartbeats they watch
 * cost every node an update every 10 s; sim/ks-sim.c). */
/* The provisioner of kubesim's own StorageClasses (`provisioner: kubesim.io/hostpath`). */
#define KS_HOSTPATH_PROVISIONER "kubesim.io/hostpath"

/* Removes the directory at path of a deleted volume that the hostpath provisioner made (real
 * mode: ks_volume_remove_provisioned).  FALSE with an error when it cannot. */
typedef gboolean (*KsHostPathDeleteFunc) (const char *dir, const char *path, GError **error);

typedef struct
{
  gboolean endpoints;                  /* run the Endpoints controller */
  gboolean endpoint_slices;            /* run the EndpointSlice controller */
  gboolean disruption;                 /* run the disruption controller (PDB status) */
  gboolean pod_gc;                     /* run the pod garbage collector (on by default) */
  gboolean node_lifecycle;             /* run the node lifecycle controller */
  gboolean taint_eviction;             /* run the taint eviction controller */
  gboolean node_ipam;                  /* --allocate-node-cidrs: give Nodes spec.podCIDR */
  gint64 node_monitor_period;          /* --node-monitor-period, µs */
  gint64 node_monitor_grace_period;    /* --node-monitor-grace-period, µs */
  gint64 node_startup_grace_period;    /* --node-startup-grace-period, µs */
  float node_eviction_rate;            /* --node-eviction-rate, nodes per second per zone */
  float secondary_node_eviction_rate;  /* --secondary-node-eviction-rate */
  gint32 large_cluster_size_threshold; /* --large-cluster-size-threshold, nodes */
  float unhealthy_zone_threshold;      /* --unhealthy-zone-threshold, fraction of a zone */
  guint32 cluster_cidr;                /* --cluster-cidr: network address (host order) ... */
  gint32 cluster_cidr_prefix;          /* ... and prefix length; IPv4 only */
  gint32 node_cidr_mask_size;          /* --node-cidr-mask-size */
  gint32 terminated_pod_gc_threshold;  /* --terminated-pod-gc-threshold; 0: keep them all */
  gint64 epoch; /* the Unix time in µs of clock time 0, for times written as text (the
                 * Endpoints' last-change-trigger-time annotation); 0 in real mode */
  /* The kubesim.io/hostpath provisioner, where volumes are host directories (real mode): each
   * provisioned volume is a hostPath volume <hostpath_dir>/<volume name> (type
   * DirectoryOrCreate: the node agent makes it when it first mounts it), and deleting it
   * (reclaim policy Delete) calls hostpath_delete (hostpath_dir, path) first.  NULL (sim): that
   * provisioner is modelled like any other.  Borrowed: must outlive the controllers. */
  const char *hostpath_dir;
  KsHostPathDeleteFunc hostpath_delete;
} KsControllerOptions;

/* Fill options with the defaults (optional controllers off). */
void ks_controller_options_init (KsControllerOptions *options);
/* Check the settings: periods and grace periods above 0, rates and the threshold finite and not
 * negative, the size threshold not negative, the node CIDR mask size between the cluster CIDR's
 * prefix length and 32 and at most 24 bits longer.  FALSE with
 * KS_CONTROLLER_ERROR_INVALID_OPTION naming the flag, its value and what is valid. */
gboolean ks_controller_options_validate (const KsControllerOptions *options, GError **error);
/* Set the cluster CIDR from text ("10.244.0.0/16"; host bits are dropped, as Go's ParseCIDR
 * does).  FALSE with KS_CONTROLLER_ERROR_INVALID_OPTION when it is not an IPv4 CIDR. */
gboolean ks_controller_options_set_cluster_cidr (KsControllerOptions *options, const char *cidr,
                                                 GError **error);
/* Command-line options for the settings (not the enable flags), as kube-controller-manager
 * spells them: --node-monitor-period=5s (Go durations), --node-eviction-rate=0.1,
 * --cluster-cidr=10.244.0.0/16, --node-cidr-mask-size=24, ... .  The parsed values go into
 * options (borrowed; must outlive the group); a value that does not parse fails the parse with a
 * message naming the flag.  Call ks_controller_options_validate after parsing. */
GOptionGroup *ks_controller_options_get_option_group (KsControllerOptions *options);

typedef struct _KsControllerManager KsControllerManager;

/* Start the controllers on client with the default options (watches are installed now). */
KsControllerManager *ks_controller_manager_new (KsClient *client, KsClock *clock,
                                                KsEventSink *events);
/* The same with options (copied; must be valid, see ks_controller_options_validate). */
KsControllerManager *ks_controller_manager_new_full (KsClient *client, KsClock *clock,
                                                     KsEventSink *events,
                                                     const KsControllerOptions *options);
void ks_controller_manager_free (KsControllerManager *manager);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsControllerManager, ks_controller_manager_free)

G_END_DECLS
