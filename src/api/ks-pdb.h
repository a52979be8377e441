/* ks-pdb.h: policy/v1 PodDisruptionBudget.
 *
 * A budget says how many of the pods its selector picks (in its namespace) must stay available
 * (minAvailable) or may be unavailable (maxUnavailable), as an integer or a percentage; the
 * disruption controller writes its status (how many are healthy, how many disruptions are
 * allowed), which the scheduler's preemption reads to prefer victims whose budgets allow it. */
#pragma once

#include "ks-apps.h"
#include "ks-object.h"
#include "ks-pod.h"
#include "ks-selector.h"

G_BEGIN_DECLS

typedef enum
{
  KS_UNHEALTHY_POLICY_UNSET,
  KS_UNHEALTHY_POLICY_IF_HEALTHY_BUDGET,
  KS_UNHEALTHY_POLICY_ALWAYS_ALLOW,
} KsUnhealthyPodEvictionPolicy;

/* An entry of status.disruptedPods: a pod the eviction API let go, and when. */
typedef struct
{
  char *name;
  gint64 time;
} KsDisruptedPod;

typedef struct
{
  KsObject parent;
  KsIntOrPercent min_available;   /* set when given */
  KsIntOrPercent max_unavailable; /* set when given; never both */
  KsLabelSelector *selector;      /* NULL when absent: selects nothing */
  KsUnhealthyPodEvictionPolicy unhealthy_pod_eviction_policy;
  struct
  {
    gint64 observed_generation;
    KsDisruptedPod *disrupted_pods; /* sorted by name */
    guint n_disrupted_pods;
    gint32 disruptions_allowed;
    gint32 current_healthy;
    gint32 desired_healthy;
    gint32 expected_pods;
    /* The condition DisruptionAllowed (the only one Kubernetes sets). */
    KsConditionStatus allowed_status; /* KS_CONDITION_UNSET when absent */
    const char *allowed_reason;       /* interned: SufficientPods, InsufficientPods, SyncFailed */
    char *allowed_message;
    gint64 allowed_transition_time;
    gint64 allowed_observed_generation;
  } status;
} KsPodDisruptionBudget;

#define KS_POD_DISRUPTION_BUDGET(o) ((KsPodDisruptionBudget *) (o))

/* The time a pod is listed in status.disruptedPods (DeletionTimeout). */
#define KS_PDB_DELETION_TIMEOUT G_GINT64_CONSTANT (120000000)

/* Whether budget's selector picks pod: same namespace, a non-empty selector that matches the
 * pod's labels.  As the scheduler's preemption reads it, an empty selector picks nothing (the
 * disruption controller's own listing lets it pick every pod of the namespace). */
gboolean ks_pdb_selects_for_preemption (const KsPodDisruptionBudget *pdb, const KsPod *pod);
/* The time pod is listed in status.disruptedPods, or KS_TIME_NONE. */
gint64 ks_pdb_disrupted_time (const KsPodDisruptionBudget *pdb, const char *pod_name);

/* Set the condition DisruptionAllowed (apimeta.SetStatusCondition: the transition time changes
 * only with the status).  message may be NULL. */
void ks_pdb_set_allowed_condition (KsPodDisruptionBudget *pdb, KsConditionStatus status,
                                   const char *reason, const char *message, gint64 now);

KS_DEFINE_OBJECT_AUTOPTR (KsPodDisruptionBudget, ks_pod_disruption_budget)

G_END_DECLS
