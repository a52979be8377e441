/* ks-evict.c: the eviction subresource (see ks-evict.h). */
#include "config.h"

#include <string.h>

#include "ks-evict.h"
#include "src/api/ks-pdb.h"

#define EVICTION_MESSAGE "Eviction API: evicting"

/* The pod's single budget (the eviction API refuses pods with several), as the eviction API
 * picks them: same namespace, a non-empty selector matching the pod.  NULL with *several set
 * when more than one. */
static KsPodDisruptionBudget *
pod_budget (KsClient *client, const KsPod *pod, gboolean *several)
{
  g_autoptr (GPtrArray) pdbs = ks_client_list (client, ks_kind_get (KS_KIND_POD_DISRUPTION_BUDGET),
                                               pod->parent.meta.namespace, NULL);
  KsPodDisruptionBudget *found = NULL;

  *several = FALSE;
  for (guint i = 0; pdbs != NULL && i < pdbs->len; i++)
    {
      KsPodDisruptionBudget *pdb = g_ptr_array_index (pdbs, i);
      if (!ks_pdb_selects_for_preemption (pdb, pod))
        continue;
      if (found != NULL)
        {
          *several = TRUE;
          ks_object_unref (KS_OBJECT (found));
          return NULL;
        }
      found = KS_POD_DISRUPTION_BUDGET (ks_object_ref (KS_OBJECT (pdb)));
    }
  return found;
}

/* Add (or refresh) pod in status.disruptedPods, kept sorted by name. */
static void
add_disrupted_pod (KsPodDisruptionBudget *pdb, const char *name, gint64 now)
{
  guint i = 0;

  while (i < pdb->status.n_disrupted_pods && strcmp (pdb->status.disrupted_pods[i].name, name) < 0)
    i++;
  if (i < pdb->status.n_disrupted_pods && strcmp (pdb->status.disrupted_pods[i].name, name) == 0)
    {
      pdb->status.disrupted_pods[i].time = now;
      return;
    }
  pdb->status.disrupted_pods
      = g_renew (KsDisruptedPod, pdb->status.disrupted_pods, pdb->status.n_disrupted_pods + 1);
  memmove (&pdb->status.disrupted_pods[i + 1], &pdb->status.disrupted_pods[i],
           (pdb->status.n_disrupted_pods - i) * sizeof (KsDisruptedPod));
  pdb->status.disrupted_pods[i] = (KsDisruptedPod){ g_strdup (name), now };
  pdb->status.n_disrupted_pods++;
}

/* EvictionsRetry's 20 steps: how often a conflicting write of the condition is tried again. */
#define CONDITION_RETRIES 20

/* addConditionAndDeletePod's first half: DisruptionTarget=True, reason EvictionByEvictionAPI,
 * message "Eviction API: evicting", written to the pod's status (UpdatePodCondition: nothing is
 * written when the pod already says so; lastTransitionTime kept when the status was True).  On a
 * conflict the latest pod is read and the write tried again, as the API server's GuaranteedUpdate
 * does.  FALSE with error when it cannot be written (NotFound when the pod is gone). */
static gboolean
add_condition (KsClient *client, gint64 now, const KsPod *pod, GError **error)
{
  g_autoptr (KsObject) latest = NULL;

  for (guint attempt = 0;; attempt++)
    {
      const KsCondition *c = &pod->conditions[KS_POD_COND_DISRUPTION_TARGET];
      g_autoptr (GError) local = NULL;
      KsPod *copy;
      KsObject *updated;

      if (c->status == KS_CONDITION_TRUE
          && g_strcmp0 (c->reason, KS_DISRUPTION_EVICTION_BY_EVICTION_API) == 0
          && g_strcmp0 (c->message, EVICTION_MESSAGE) == 0)
        return TRUE;
      copy = ks_pod_copy (pod);
      ks_pod_set_condition (copy, KS_POD_COND_DISRUPTION_TARGET, KS_CONDITION_TRUE,
                            KS_DISRUPTION_EVICTION_BY_EVICTION_API, EVICTION_MESSAGE, now);
      updated = ks_client_update_status (client, KS_OBJECT (copy), &local);
      ks_object_unref (KS_OBJECT (copy));
      if (updated != NULL)
        {
          ks_object_unref (updated);
          return TRUE;
        }
      if (!g_error_matches (local, KS_STORE_ERROR, KS_STORE_ERROR_CONFLICT)
          || attempt + 1 >= CONDITION_RETRIES)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      g_clear_pointer (&latest, ks_object_unref);
      latest = ks_client_get (client, ks_kind_get (KS_KIND_POD), pod->parent.meta.namespace,
                              pod->parent.meta.name, error);
      if (latest == NULL)
        return FALSE;
      pod = KS_POD (latest);
    }
}

/* The eviction subresource (pkg/registry/core/pod/storage/eviction.go, v1.32): pods already
 * terminating, terminal or Pending are deleted without looking at budgets; a pod with no budget
 * is deleted; with one, the eviction needs an observed budget with disruptionsAllowed > 0, which
 * it decrements, listing the pod in status.disruptedPods, before deleting the pod with its own
 * grace period.  A not-Ready pod whose budget is healthy (IfHealthyBudget) or AlwaysAllow goes
 * without using up a disruption.  The pod let through is marked (add_condition), then deleted.
 * *message says why on refusal or failure. */
KsEvictResult
ks_evict_pod (KsClient *client, gint64 now, const KsPod *pod, char **message)
{
  KsEvictStatus status;
  KsEvictResult result = ks_evict_pod_status (client, now, pod, &status);

  *message = g_steal_pointer (&status.message);
  ks_evict_status_clear (&status);
  return result;
}

void
ks_evict_status_clear (KsEvictStatus *status)
{
  g_clear_pointer (&status->message, g_free);
  g_clear_pointer (&status->budget, g_free);
  g_clear_pointer (&status->cause, g_free);
}

KsEvictResult
ks_evict_pod_status (KsClient *client, gint64 now, const KsPod *pod, KsEvictStatus *status)
{
  char **message = &status->message;
  KsObject *obj = (KsObject *) pod;
  KsDeleteOptions options = KS_DELETE_OPTIONS_DEFAULT;
  g_autoptr (GError) error = NULL;
  KsPodDisruptionBudget *pdb = NULL;
  gboolean several = FALSE;

  memset (status, 0, sizeof *status);
  if (!ks_object_is_being_deleted (obj) && !ks_pod_is_terminal (pod)
      && pod->phase != KS_POD_PENDING)
    pdb = pod_budget (client, pod, &several);
  if (several)
    {
      status->several = TRUE;
      *message = g_strdup ("This pod has more than one PodDisruptionBudget, which the eviction "
                           "subresource does not support.");
      return KS_EVICT_FAILED;
    }
  if (pdb != NULL)
    {
      gboolean unhealthy_ok
          = !ks_pod_is_ready (pod)
            && (pdb->unhealthy_pod_eviction_policy == KS_UNHEALTHY_POLICY_ALWAYS_ALLOW
                || (pdb->status.current_healthy >= pdb->status.desired_healthy
                    && pdb->status.desired_healthy > 0));
      if (!unhealthy_ok)
        {
          KsPodDisruptionBudget *copy;
          KsObject *updated;
          status->budget = g_strdup (pdb->parent.meta.name);
          /* checkAndDecrement's order: a budget not yet processed, then a negative count, then
           * none left. */
          if (pdb->status.observed_generation < pdb->parent.meta.generation)
            {
              status->cause = g_strdup_printf (
                  "The disruption budget %s is still being processed by the server.",
                  pdb->parent.meta.name);
              status->retry_after = 10;
              ks_object_unref (KS_OBJECT (pdb));
              *message = g_strdup ("Cannot evict pod as it would violate the pod's disruption "
                                   "budget.");
              return KS_EVICT_REFUSED;
            }
          if (pdb->status.disruptions_allowed < 0)
            {
              status->negative = TRUE;
              ks_object_unref (KS_OBJECT (pdb));
              *message = g_strdup ("pdb disruptions allowed is negative");
              return KS_EVICT_FAILED;
            }
          if (pdb->status.disruptions_allowed == 0)
            {
              status->cause = g_strdup_printf (
                  "The disruption budget %s needs %d healthy pods and has %d currently",
                  pdb->parent.meta.name, (int) pdb->status.desired_healthy,
                  (int) pdb->status.current_healthy);
              ks_object_unref (KS_OBJECT (pdb));
              *message = g_strdup ("Cannot evict pod as it would violate the pod's disruption "
                                   "budget.");
              return KS_EVICT_REFUSED;
            }
          g_clear_pointer (&status->budget, g_free);
          copy = KS_POD_DISRUPTION_BUDGET (ks_object_copy (KS_OBJECT (pdb)));
          copy->status.disruptions_allowed--;
          add_disrupted_pod (copy, pod->parent.meta.name, now);
          updated = ks_client_update_status (client, KS_OBJECT (copy), &error);
          ks_object_unref (KS_OBJECT (copy));
          if (updated == NULL)
            {
              ks_object_unref (KS_OBJECT (pdb));
              *message = g_strdup (error->message);
              return KS_EVICT_FAILED;
            }
          ks_object_unref (updated);
        }
      ks_object_unref (KS_OBJECT (pdb));
    }
  /* Every eviction let through, the budget's or not, marks the pod before deleting it
   * (addConditionAndDeletePod; PodDisruptionConditions, on by default since v1.26): a refusal
   * above leaves the pod untouched.  A pod gone meanwhile counts as evicted, as below. */
  if (!add_condition (client, now, pod, &error))
    {
      if (g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
        return KS_EVICT_DONE;
      *message = g_strdup (error->message);
      return KS_EVICT_FAILED;
    }
  if (!ks_client_delete (client, obj->kind, obj->meta.namespace, obj->meta.name, &options, &error)
      && !g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
    {
      *message = g_strdup (error->message);
      return KS_EVICT_FAILED;
    }
  return KS_EVICT_DONE;
}
