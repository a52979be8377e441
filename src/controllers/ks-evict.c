/* ks-evict.c: the eviction subresource (see ks-evict.h). */
#include "config.h"

#include <string.h>

#include "ks-evict.h"
#include "src/api/ks-pdb.h"

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

/* The eviction subresource (pkg/registry/core/pod/storage/eviction.go, v1.32): pods already
 * terminating, terminal or Pending are deleted without looking at budgets; a pod with no budget
 * is deleted; with one, the eviction needs an observed budget with disruptionsAllowed > 0, which
 * it decrements, listing the pod in status.disruptedPods, before deleting the pod with its own
 * grace period.  A not-Ready pod whose budget is healthy (IfHealthyBudget) or AlwaysAllow goes
 * without using up a disruption.  *message says why on refusal or failure. */
KsEvictResult
ks_evict_pod (KsClient *client, gint64 now, const KsPod *pod, char **message)
{
  KsObject *obj = (KsObject *) pod;
  KsDeleteOptions options = KS_DELETE_OPTIONS_DEFAULT;
  g_autoptr (GError) error = NULL;
  KsPodDisruptionBudget *pdb = NULL;
  gboolean several = FALSE;

  *message = NULL;
  if (!ks_object_is_being_deleted (obj) && !ks_pod_is_terminal (pod)
      && pod->phase != KS_POD_PENDING)
    pdb = pod_budget (client, pod, &several);
  if (several)
    {
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
          if (pdb->status.observed_generation < pdb->parent.meta.generation
              || pdb->status.disruptions_allowed == 0)
            {
              ks_object_unref (KS_OBJECT (pdb));
              *message = g_strdup ("Cannot evict pod as it would violate the pod's disruption "
                                   "budget.");
              return KS_EVICT_REFUSED;
            }
          if (pdb->status.disruptions_allowed < 0)
            {
              ks_object_unref (KS_OBJECT (pdb));
              *message = g_strdup ("pdb disruptions allowed is negative");
              return KS_EVICT_FAILED;
            }
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
  if (!ks_client_delete (client, obj->kind, obj->meta.namespace, obj->meta.name, &options, &error)
      && !g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
    {
      *message = g_strdup (error->message);
      return KS_EVICT_FAILED;
    }
  return KS_EVICT_DONE;
}
