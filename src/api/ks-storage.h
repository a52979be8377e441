/* ks-storage.h: storage.k8s.io/v1 StorageClass, v1 PersistentVolume and v1
 * PersistentVolumeClaim (reference §6), and the matching rules the PV controller and the
 * scheduler's VolumeBinding plugin share (FindMatchingVolume, v1.32). */
#pragma once

#include "ks-object.h"
#include "ks-pod.h"
#include "ks-selector.h"

G_BEGIN_DECLS

/* Access modes as a bit set. */
typedef enum
{
  KS_ACCESS_RWO = 1 << 0,  /* ReadWriteOnce */
  KS_ACCESS_ROX = 1 << 1,  /* ReadOnlyMany */
  KS_ACCESS_RWX = 1 << 2,  /* ReadWriteMany */
  KS_ACCESS_RWOP = 1 << 3, /* ReadWriteOncePod */
} KsAccessMode;

typedef enum
{
  KS_RECLAIM_RETAIN,
  KS_RECLAIM_DELETE,
  KS_RECLAIM_RECYCLE,
} KsReclaimPolicy;

typedef enum
{
  KS_BINDING_IMMEDIATE,
  KS_BINDING_WAIT_FOR_FIRST_CONSUMER,
} KsVolumeBindingMode;

typedef enum
{
  KS_VOLUME_FILESYSTEM,
  KS_VOLUME_BLOCK,
} KsVolumeMode;

typedef enum
{
  KS_PV_PENDING,
  KS_PV_AVAILABLE,
  KS_PV_BOUND,
  KS_PV_RELEASED,
  KS_PV_FAILED,
} KsPvPhase;

typedef enum
{
  KS_PVC_PENDING,
  KS_PVC_BOUND,
  KS_PVC_LOST,
} KsPvcPhase;

const char *ks_pv_phase_name (KsPvPhase phase);
const char *ks_pvc_phase_name (KsPvcPhase phase);
const char *ks_reclaim_policy_name (KsReclaimPolicy policy);
/* "RWO,RWX" as kubectl prints access modes (the order Kubernetes lists them).  Newly allocated. */
char *ks_access_modes_to_string (guint modes);

/* Annotations and labels of the binding protocol. */
#define KS_ANN_BIND_COMPLETED "pv.kubernetes.io/bind-completed"
#define KS_ANN_BOUND_BY_CONTROLLER "pv.kubernetes.io/bound-by-controller"
#define KS_ANN_SELECTED_NODE "volume.kubernetes.io/selected-node"
#define KS_ANN_STORAGE_PROVISIONER "volume.kubernetes.io/storage-provisioner"
#define KS_ANN_BETA_STORAGE_PROVISIONER "volume.beta.kubernetes.io/storage-provisioner"
#define KS_ANN_PROVISIONED_BY "pv.kubernetes.io/provisioned-by"
#define KS_ANN_BETA_STORAGE_CLASS "volume.beta.kubernetes.io/storage-class"
#define KS_ANN_DEFAULT_CLASS "storageclass.kubernetes.io/is-default-class"
/* kubesim's model of a provisioner's latency: a StorageClass annotation with a Go duration
 * ("5s"); the PV appears that long after provisioning starts (default 0). */
#define KS_ANN_PROVISIONING_DELAY "kubesim.io/provisioning-delay"
/* The protection finalizers (StorageObjectInUseProtection admission adds them on create). */
#define KS_FINALIZER_PVC_PROTECTION "kubernetes.io/pvc-protection"
#define KS_FINALIZER_PV_PROTECTION "kubernetes.io/pv-protection"
/* The provisioner name that means "no dynamic provisioning" (local volumes). */
#define KS_NO_PROVISIONER "kubernetes.io/no-provisioner"

typedef struct
{
  KsObject parent;
  char *provisioner;
  KsStrMap *parameters;
  KsReclaimPolicy reclaim_policy; /* default Delete */
  KsVolumeBindingMode volume_binding_mode;
  gboolean allow_volume_expansion;
  char **mount_options; /* NULL-terminated or NULL */
  /* allowedTopologies: terms (ORed) of label requirements (ANDed, key In values); NULL when
   * unset (every node).  As written, for encode and copy, and parsed. */
  JsonNode *allowed_topologies_json;
  KsNodeSelector *allowed_topologies;
  gint64 provisioning_delay; /* µs, from KS_ANN_PROVISIONING_DELAY */
} KsStorageClass;

#define KS_STORAGE_CLASS(o) ((KsStorageClass *) (o))

/* Whether class allows provisioning for node (allowedTopologies; unset: every node). */
gboolean ks_storage_class_allows_node (const KsStorageClass *sc, const KsObject *node);
/* Whether class is annotated as the default class ("true"). */
gboolean ks_storage_class_is_default (const KsStorageClass *sc);

typedef struct
{
  KsObject parent;
  gint64 capacity; /* spec.capacity.storage, bytes */
  guint access_modes;
  KsReclaimPolicy reclaim_policy; /* default Retain */
  char *storage_class_name;       /* NULL when unset */
  KsVolumeMode volume_mode;
  gboolean has_claim_ref;
  KsObjectReference claim_ref;
  KsNodeSelector *node_affinity; /* spec.nodeAffinity.required; NULL when unset */
  JsonNode *node_affinity_json;  /* spec.nodeAffinity as written, for encode and copy */
  /* The volume source (hostPath, local, csi, nfs, ...): its field name and value, kept. */
  char *source_type;
  JsonNode *source;
  char **mount_options;
  struct
  {
    KsPvPhase phase;
    char *reason;
    char *message;
    gint64 last_phase_transition_time;
  } status;
} KsPersistentVolume;

#define KS_PERSISTENT_VOLUME(o) ((KsPersistentVolume *) (o))

typedef struct
{
  KsObject parent;
  guint access_modes;
  KsLabelSelector *selector; /* NULL when unset */
  gint64 request;            /* spec.resources.requests.storage, bytes */
  gint64 limit;              /* spec.resources.limits.storage, bytes; 0 when unset */
  char *storage_class_name;  /* NULL when unset; "" asks for no class */
  KsVolumeMode volume_mode;
  char *volume_name; /* spec.volumeName, NULL until bound (or pre-bound by the user) */
  struct
  {
    KsPvcPhase phase;
    guint access_modes;
    gint64 capacity; /* 0 when unset */
  } status;
} KsPersistentVolumeClaim;

#define KS_PERSISTENT_VOLUME_CLAIM(o) ((KsPersistentVolumeClaim *) (o))

/* GetPersistentVolumeClaimClass / GetPersistentVolumeClass: the beta annotation, else
 * spec.storageClassName, else "". */
const char *ks_pvc_class (const KsPersistentVolumeClaim *pvc);
const char *ks_pv_class (const KsPersistentVolume *pv);

/* Whether pv's claimRef points at claim (namespace and name; the UID too when set). */
gboolean ks_pv_claim_ref_is (const KsPersistentVolume *pv, const KsPersistentVolumeClaim *claim);
/* Whether pv's node affinity admits node (no affinity: every node). */
gboolean ks_pv_matches_node (const KsPersistentVolume *pv, const KsObject *node);

/* FindMatchingVolume with the PV controller's index order (findByClaim): of pvs (KsObject *),
 * the volume for claim — pre-bound to it, else the smallest Available one among the smallest
 * superset of access modes that matches class, selector and volume mode.  node non-NULL is the
 * scheduler's path (node affinity checked, pre-bound volumes too); delay_binding (a
 * WaitForFirstConsumer class on the controller's path) leaves only pre-bound volumes.  excluded
 * (may be NULL) holds PV names (char *) not to pick.  NULL when none. */
KsPersistentVolume *ks_pv_find_matching (GPtrArray *pvs, const KsPersistentVolumeClaim *claim,
                                         const KsObject *node, gboolean delay_binding,
                                         GHashTable *excluded);

/* findMatchingVolumes + checkVolumeProvisions of the scheduler's binder for node: each of the
 * unbound claims delayed (KsPersistentVolumeClaim, smallest first) gets a matching volume of
 * volumes on node (each volume once) or, failing that, must have a class whose provisioner
 * (classes[i], a KsStorageClass or NULL) provisions, on this node (allowedTopologies).  With
 * chosen, appends per claim its volume or NULL (to provision).  FALSE when some claim can be
 * served neither way. */
gboolean ks_pv_choose_for_node (GPtrArray *volumes, GPtrArray *delayed, GPtrArray *classes,
                                const KsObject *node, GPtrArray *chosen);

/* The claim names of pod's persistentVolumeClaim volumes: the spec's list (NULL-terminated), or
 * NULL when it has none. */
static inline char **
ks_pod_claim_names (const KsPod *pod)
{
  return pod->spec->claim_names;
}

KS_DEFINE_OBJECT_AUTOPTR (KsStorageClass, ks_storage_class)
KS_DEFINE_OBJECT_AUTOPTR (KsPersistentVolume, ks_persistent_volume)
KS_DEFINE_OBJECT_AUTOPTR (KsPersistentVolumeClaim, ks_persistent_volume_claim)

G_END_DECLS
