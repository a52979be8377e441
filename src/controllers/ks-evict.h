/* ks-evict.h: the eviction subresource of pods (pods/eviction, policy/v1 Eviction) over a
 * KsClient, shared by sim (kubectl drain, the cluster autoscaler) and real mode's cluster
 * autoscaler. */
#pragma once

#include "src/api/ks-pod.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

typedef enum
{
  KS_EVICT_DONE,    /* the pod is being deleted (or was gone) */
  KS_EVICT_REFUSED, /* 429 TooManyRequests: the budget allows no disruption now; retry */
  KS_EVICT_FAILED,  /* any other error */
} KsEvictResult;

/* Evict pod at time now (µs, written into the budget's status.disruptedPods):
 * pkg/registry/core/pod/storage/eviction.go, v1.32.  Pods already terminating, terminal or
 * Pending are deleted without looking at budgets; a pod with no budget is deleted; with one, the
 * eviction needs an observed budget with disruptionsAllowed > 0, which it decrements, listing the
 * pod in status.disruptedPods, before deleting the pod with its own grace period.  A not-Ready
 * pod whose budget is healthy (IfHealthyBudget) or AlwaysAllow goes without using up a
 * disruption.  A pod let through (on any of these paths, terminal pods included) first gets the
 * condition DisruptionTarget=True, reason EvictionByEvictionAPI, message "Eviction API:
 * evicting", lastTransitionTime now; a refusal or failure leaves it untouched.  *message (newly
 * allocated) says why on refusal or failure, else NULL. */
KsEvictResult ks_evict_pod (KsClient *client, gint64 now, const KsPod *pod, char **message);

/* What the eviction subresource answers beyond the result, for the API server's Status
 * (eviction.go's errors).  Clear with ks_evict_status_clear. */
typedef struct
{
  char *message;     /* as ks_evict_pod's, or NULL */
  char *budget;      /* the budget's name when it refused or failed the eviction, else NULL */
  char *cause;       /* a refusal's DisruptionBudget cause ("The disruption budget B needs ..."),
                      * or NULL */
  guint retry_after; /* a refusal's suggested retry in seconds (10 while the budget's status has
                      * not caught up with its generation), 0 for none */
  gboolean several;  /* failed: the pod has more than one budget */
  gboolean negative; /* failed: the budget's disruptionsAllowed is negative (403 Forbidden) */
} KsEvictStatus;

/* As ks_evict_pod, filling *status (zeroed first) with the details of a refusal or failure. */
KsEvictResult ks_evict_pod_status (KsClient *client, gint64 now, const KsPod *pod,
                                   KsEvictStatus *status);
void ks_evict_status_clear (KsEvictStatus *status);

G_END_DECLS
