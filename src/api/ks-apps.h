/* ks-apps.h: apps/v1 ReplicaSet and Deployment. */
#pragma once

#include "ks-object.h"
#include "ks-pod.h"
#include "ks-selector.h"

G_BEGIN_DECLS

/* intstr.IntOrString as used by maxSurge / maxUnavailable: an integer or "N%". */
typedef struct
{
  gboolean set;
  gboolean percent;
  gint32 value;
} KsIntOrPercent;

/* GetScaledValueFromIntOrPercent: an integer as is; N% of total rounded up or down. */
gint32 ks_int_or_percent_scaled (const KsIntOrPercent *v, gint32 total, gboolean round_up);
/* Decode member field of obj: a non-negative integer or "N%" (absent: *out unchanged); FALSE
 * after reporting a problem. */
gboolean ks_int_or_percent_decode (KsDecoder *dec, JsonNode *obj, const char *field,
                                   KsIntOrPercent *out);
/* Add member as an integer or "N%". */
void ks_int_or_percent_encode (JsonBuilder *b, const char *member, const KsIntOrPercent *v);

/* spec.selector (required, non-empty) and spec.template of a workload's spec, with the check
 * that the selector matches the template's labels; problems go to dec. */
void ks_apps_selector_template_decode (KsDecoder *dec, JsonNode *spec, KsLabelSelector **selector,
                                       KsPodTemplate *template);

typedef struct
{
  KsObject parent;
  gint32 replicas;
  gint32 min_ready_seconds;
  KsLabelSelector *selector;
  KsPodTemplate template;
  struct
  {
    gint32 replicas;
    gint32 fully_labeled_replicas;
    gint32 ready_replicas;
    gint32 available_replicas;
    gint64 observed_generation;
  } status;
} KsReplicaSet;

#define KS_REPLICA_SET(o) ((KsReplicaSet *) (o))

typedef enum
{
  KS_DEPLOY_ROLLING_UPDATE,
  KS_DEPLOY_RECREATE,
} KsDeploymentStrategy;

typedef enum
{
  KS_DEPLOY_COND_AVAILABLE,
  KS_DEPLOY_COND_PROGRESSING,
  KS_DEPLOY_COND_REPLICA_FAILURE,
  KS_N_DEPLOY_CONDITIONS
} KsDeploymentConditionType;

typedef struct
{
  KsConditionStatus status;
  gint64 last_update_time;
  gint64 last_transition_time;
  const char *reason; /* interned */
  char *message;
} KsDeploymentCondition;

typedef struct
{
  KsObject parent;
  gint32 replicas;
  KsLabelSelector *selector;
  KsPodTemplate template;
  KsDeploymentStrategy strategy;
  KsIntOrPercent max_surge;       /* default 25% */
  KsIntOrPercent max_unavailable; /* default 25% */
  gint32 min_ready_seconds;
  gint32 revision_history_limit;    /* default 10 */
  gint32 progress_deadline_seconds; /* default 600 */
  gboolean paused;
  struct
  {
    gint64 observed_generation;
    gint32 replicas;
    gint32 updated_replicas;
    gint32 ready_replicas;
    gint32 available_replicas;
    gint32 unavailable_replicas;
    gboolean has_collision_count;
    gint32 collision_count;
    KsDeploymentCondition conditions[KS_N_DEPLOY_CONDITIONS];
  } status;
} KsDeployment;

#define KS_DEPLOYMENT(o) ((KsDeployment *) (o))

const char *ks_deployment_condition_name (KsDeploymentConditionType type);
void ks_deployment_set_condition (KsDeployment *d, KsDeploymentConditionType type,
                                  KsConditionStatus status, const char *reason, const char *message,
                                  gint64 now);

/* The annotations the Deployment controller keeps on ReplicaSets. */
#define KS_ANNOTATION_REVISION "deployment.kubernetes.io/revision"
#define KS_ANNOTATION_DESIRED_REPLICAS "deployment.kubernetes.io/desired-replicas"
#define KS_ANNOTATION_MAX_REPLICAS "deployment.kubernetes.io/max-replicas"
#define KS_LABEL_POD_TEMPLATE_HASH "pod-template-hash"

KS_DEFINE_OBJECT_AUTOPTR (KsReplicaSet, ks_replica_set)
KS_DEFINE_OBJECT_AUTOPTR (KsDeployment, ks_deployment)

G_END_DECLS
