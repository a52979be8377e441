/* ks-statefulset.h: apps/v1 StatefulSet (reference §4). */
#pragma once

#include "ks-apps.h"

G_BEGIN_DECLS

typedef enum
{
  KS_STS_ORDERED_READY,
  KS_STS_PARALLEL,
} KsStatefulSetPodManagement;

typedef enum
{
  KS_STS_ROLLING_UPDATE,
  KS_STS_ON_DELETE,
} KsStatefulSetUpdateStrategy;

typedef enum
{
  KS_STS_PVC_RETAIN,
  KS_STS_PVC_DELETE,
} KsStatefulSetPvcPolicy;

typedef struct
{
  KsObject parent;
  gint32 replicas; /* default 1 */
  KsLabelSelector *selector;
  KsPodTemplate template;
  char *service_name; /* may be NULL */
  KsStatefulSetPodManagement pod_management_policy;
  KsStatefulSetUpdateStrategy update_strategy;
  gint32 partition;              /* RollingUpdate only; default 0 */
  gint32 revision_history_limit; /* default 10 */
  gint32 min_ready_seconds;
  gint32 ordinals_start; /* spec.ordinals.start, default 0 */
  KsStatefulSetPvcPolicy when_deleted, when_scaled;
  /* spec.volumeClaimTemplates as written (an array node, or NULL), kept and encoded as is:
   * PersistentVolumeClaims are not modelled yet, so nothing creates them. */
  JsonNode *volume_claim_templates;
  struct
  {
    gint64 observed_generation;
    gint32 replicas;
    gint32 ready_replicas;
    gint32 current_replicas;
    gint32 updated_replicas;
    gint32 available_replicas;
    char *current_revision;
    char *update_revision;
  } status;
} KsStatefulSet;

#define KS_STATEFUL_SET(o) ((KsStatefulSet *) (o))

/* Labels the StatefulSet controller puts on its pods. */
#define KS_LABEL_STS_POD_NAME "statefulset.kubernetes.io/pod-name"
#define KS_LABEL_POD_INDEX "apps.kubernetes.io/pod-index"
#define KS_LABEL_CONTROLLER_REVISION_HASH "controller-revision-hash"

/* The DNS name a pod with spec.hostname and spec.subdomain gets
 * ("web-0.web.default.svc.cluster.local"), or NULL when either is unset.  Newly allocated. */
char *ks_pod_dns_name (const KsObject *pod);

KS_DEFINE_OBJECT_AUTOPTR (KsStatefulSet, ks_stateful_set)

G_END_DECLS
