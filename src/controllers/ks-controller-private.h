/* ks-controller-private.h: pieces shared by the controllers. */
#pragma once

#include "ks-controllers.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-service.h"
#include "src/store/ks-workqueue.h"

G_BEGIN_DECLS

/* What every controller holds. */
typedef struct
{
  KsClient *client;
  KsClock *clock;
  KsEventRecorder events;
  KsWorkQueue *queue;
  guint watches[4];
  guint n_watches;
} KsController;

void ks_controller_init (KsController *c, KsClient *client, KsClock *clock, KsEventSink *sink,
                         const char *source, KsWorkFunc func, gpointer user_data);
void ks_controller_clear (KsController *c);
/* Split "namespace/name" into parts (pointers into a copy the caller frees with g_free on ns). */
void ks_controller_split_key (const char *key, char **ns, const char **name);
/* Enqueue the key of the object's controller owner if its kind is kind_name. */
void ks_controller_enqueue_owner (KsController *c, const KsObject *obj, const char *kind_name);

/* The replica-set controller */
typedef struct _KsReplicaSetController KsReplicaSetController;
KsReplicaSetController *ks_replicaset_controller_new (KsClient *client, KsClock *clock,
                                                      KsEventSink *sink);
void ks_replicaset_controller_free (KsReplicaSetController *rsc);

/* The deployment controller */
typedef struct _KsDeploymentController KsDeploymentController;
KsDeploymentController *ks_deployment_controller_new (KsClient *client, KsClock *clock,
                                                      KsEventSink *sink);
void ks_deployment_controller_free (KsDeploymentController *dc);

/* The StatefulSet controller (ks-statefulset-controller.c) */
typedef struct _KsStatefulSetController KsStatefulSetController;
KsStatefulSetController *ks_statefulset_controller_new (KsClient *client, KsClock *clock,
                                                        KsEventSink *sink);
void ks_statefulset_controller_free (KsStatefulSetController *ssc);

/* The Job controller (ks-job-controller.c).  The pod failure backoff: 10 s doubling per failure
 * since the last success, capped at 10 minutes (DefaultJobPodFailureBackOff,
 * MaxJobPodFailureBackOff in v1.32's job_controller.go; the Kubernetes documentation's "six
 * minutes" is the older MaxJobBackOff). */
#define KS_JOB_POD_FAILURE_BACKOFF (10 * KS_USEC_PER_SEC)
#define KS_JOB_MAX_POD_FAILURE_BACKOFF (600 * KS_USEC_PER_SEC)
typedef struct _KsJobController KsJobController;
KsJobController *ks_job_controller_new (KsClient *client, KsClock *clock, KsEventSink *sink);
void ks_job_controller_free (KsJobController *jc);
/* The delay before replacing a pod after failures failed pods since the last success, µs. */
gint64 ks_job_backoff_delay (gint32 failures);

/* The TTL-after-finished controller (ks-ttl-after-finished-controller.c): deletes finished Jobs
 * ttlSecondsAfterFinished after they finished. */
typedef struct _KsTtlAfterFinishedController KsTtlAfterFinishedController;
KsTtlAfterFinishedController *
ks_ttl_after_finished_controller_new (KsClient *client, KsClock *clock, KsEventSink *sink);
void ks_ttl_after_finished_controller_free (KsTtlAfterFinishedController *tc);

/* The PersistentVolume controller with its modelled provisioner (ks-pv-controller.c). */
typedef struct _KsPvController KsPvController;
KsPvController *ks_pv_controller_new (KsClient *client, KsClock *clock, KsEventSink *sink);
/* The kubesim.io/hostpath provisioner's directory and deleter (KsControllerOptions). */
void ks_pv_controller_set_hostpath (KsPvController *pc, const char *dir,
                                    KsHostPathDeleteFunc delete_func);
void ks_pv_controller_free (KsPvController *pc);

/* The PVC and PV protection controllers (ks-volume-protection-controller.c): remove the
 * kubernetes.io/pvc-protection and pv-protection finalizers once claims are unused and volumes
 * unbound. */
typedef struct _KsVolumeProtectionController KsVolumeProtectionController;
KsVolumeProtectionController *ks_volume_protection_controller_new (KsClient *client, KsClock *clock,
                                                                   KsEventSink *sink);
void ks_volume_protection_controller_free (KsVolumeProtectionController *vc);

/* The garbage collector */
typedef struct _KsGarbageCollector KsGarbageCollector;
KsGarbageCollector *ks_garbage_collector_new (KsClient *client, KsClock *clock);
void ks_garbage_collector_free (KsGarbageCollector *gc);

/* The node lifecycle controller (ks-node-lifecycle-controller.c); options borrowed. */
typedef struct _KsNodeLifecycleController KsNodeLifecycleController;
KsNodeLifecycleController *ks_node_lifecycle_controller_new (KsClient *client, KsClock *clock,
                                                             KsEventSink *sink,
                                                             const KsControllerOptions *options);
void ks_node_lifecycle_controller_free (KsNodeLifecycleController *nc);

/* The taint eviction controller (ks-taint-eviction-controller.c) */
typedef struct _KsTaintEvictionController KsTaintEvictionController;
KsTaintEvictionController *ks_taint_eviction_controller_new (KsClient *client, KsClock *clock,
                                                             KsEventSink *sink);
void ks_taint_eviction_controller_free (KsTaintEvictionController *tc);

/* The EndpointSlice controller (ks-endpointslice-controller.c) */
typedef struct _KsEndpointSliceController KsEndpointSliceController;
KsEndpointSliceController *ks_endpointslice_controller_new (KsClient *client, KsClock *clock,
                                                            KsEventSink *sink);
void ks_endpointslice_controller_free (KsEndpointSliceController *sc);

/* The pod garbage collector (ks-pod-gc-controller.c); threshold is
 * --terminated-pod-gc-threshold (0: terminated pods are kept). */
typedef struct _KsPodGcController KsPodGcController;
KsPodGcController *ks_pod_gc_controller_new (KsClient *client, KsClock *clock, KsEventSink *sink,
                                             gint32 threshold);
void ks_pod_gc_controller_free (KsPodGcController *gc);

/* The Endpoints controller (ks-endpoints-controller.c); epoch as KsControllerOptions.epoch. */
typedef struct _KsEndpointsController KsEndpointsController;
KsEndpointsController *ks_endpoints_controller_new (KsClient *client, KsClock *clock,
                                                    KsEventSink *sink, gint64 epoch);
void ks_endpoints_controller_free (KsEndpointsController *ec);
/* The MD5 (hex) of go-spew's "%#v" dump of a v1.EndpointPort or v1.EndpointSubset, by which
 * Kubernetes orders the ports of a subset and the subsets (SortSubsets).  Newly allocated. */
char *ks_endpoint_port_hash (const KsEndpointPort *port);
char *ks_endpoint_subset_hash (const KsEndpointSubset *subset);

/* The disruption controller (ks-disruption-controller.c): PodDisruptionBudget status. */
typedef struct _KsDisruptionController KsDisruptionController;
KsDisruptionController *ks_disruption_controller_new (KsClient *client, KsClock *clock,
                                                      KsEventSink *sink);
void ks_disruption_controller_free (KsDisruptionController *dc);

/* The node IPAM controller (ks-node-ipam-controller.c); options borrowed (cluster CIDR, node
 * CIDR mask size: valid). */
typedef struct _KsNodeIpamController KsNodeIpamController;
KsNodeIpamController *ks_node_ipam_controller_new (KsClient *client, KsClock *clock,
                                                   KsEventSink *sink,
                                                   const KsControllerOptions *options);
void ks_node_ipam_controller_free (KsNodeIpamController *ic);
/* "a.b.c.d/n" (n 0-32) into the address (host order, host bits kept) and prefix length; FALSE
 * when text is not that. */
gboolean ks_ipv4_cidr_parse (const char *text, guint32 *address, guint *prefix);
/* "a.b.c.d/n".  Newly allocated. */
char *ks_ipv4_cidr_format (guint32 address, guint prefix);

/* Pods by node, as an informer's spec.nodeName index: the last state of every bound pod a pod
 * watch delivered.  Feed it every event of a watch of all pods. */
typedef struct _KsPodIndex KsPodIndex;
KsPodIndex *ks_pod_index_new (void);
void ks_pod_index_free (KsPodIndex *index);
void ks_pod_index_apply (KsPodIndex *index, const KsWatchEvent *event);
/* The pods bound to node, sorted by namespace and name: a new array of new references. */
GPtrArray *ks_pod_index_list (KsPodIndex *index, const char *node);

/* Kubernetes' ordering of pods to delete first (controller.ActivePodsWithRanks): ranks[i] is
 * the number of related active pods on pod i's node.  Sorts pods (and ranks) in place. */
void ks_sort_pods_for_deletion (KsPod **pods, gint *ranks, guint n, gint64 now);

/* pod-template-hash: FNV-32a of the template's canonical JSON (and collision count), in decimal,
 * encoded with SafeEncodeString.  Newly allocated. */
char *ks_pod_template_hash (const KsPodTemplate *template, gboolean has_collision_count,
                            gint32 collision_count);
/* Templates equal apart from the pod-template-hash label (EqualIgnoreHash). */
gboolean ks_pod_templates_equal_ignore_hash (const KsPodTemplate *a, const KsPodTemplate *b);

G_END_DECLS
