/* ks-node-info.c: node views that can be copied and changed (framework.NodeInfo's Snapshot,
 * AddPodInfo and RemovePod), for what-if filtering: nominated pods and preemption.
 *
 * ks_node_info_account_pod is the one place that knows what a pod adds to a node view; the
 * scheduler cache uses it too, so a copy changed here stays what the cache would hold with the
 * same pods. */
#include "config.h"

#include <string.h>

#include "ks-policy.h"

static GArray *
host_ports_copy (const GArray *ports)
{
  GArray *copy;

  if (ports == NULL)
    return NULL;
  copy = g_array_sized_new (FALSE, FALSE, sizeof (KsHostPort), ports->len);
  g_array_append_vals (copy, ports->data, ports->len);
  return copy;
}

static GPtrArray *
pods_copy (const GPtrArray *pods)
{
  GPtrArray *copy;

  if (pods == NULL)
    return NULL;
  copy = g_ptr_array_sized_new (pods->len);
  for (guint i = 0; i < pods->len; i++)
    g_ptr_array_add (copy, g_ptr_array_index (pods, i));
  return copy;
}

guint64
ks_node_info_next_generation (void)
{
  static gint64 last; /* atomically incremented: caches and copies may live in several threads */
  return (guint64) __atomic_add_fetch (&last, 1, __ATOMIC_RELAXED);
}

KsNodeInfo *
ks_node_info_copy (const KsNodeInfo *node)
{
  KsNodeInfo *copy = g_new (KsNodeInfo, 1);

  g_return_val_if_fail (node != NULL, NULL);
  *copy = *node;
  memset (&copy->allocatable, 0, sizeof copy->allocatable);
  memset (&copy->requested, 0, sizeof copy->requested);
  ks_resources_copy (&copy->allocatable, &node->allocatable);
  ks_resources_copy (&copy->requested, &node->requested);
  /* The copy holds its own reference on each pod, so that it outlives changes to the cache. */
  copy->pods = g_ptr_array_new_full (node->pods != NULL ? node->pods->len : 0,
                                     (GDestroyNotify) ks_object_unref);
  for (guint i = 0; node->pods != NULL && i < node->pods->len; i++)
    g_ptr_array_add (copy->pods, ks_object_ref (g_ptr_array_index (node->pods, i)));
  copy->used_ports = host_ports_copy (node->used_ports);
  /* The affinity lists point into pods, whose references the copy holds. */
  copy->pods_with_affinity = pods_copy (node->pods_with_affinity);
  copy->pods_with_required_anti_affinity = pods_copy (node->pods_with_required_anti_affinity);
  return copy;
}

void
ks_node_info_free (KsNodeInfo *node)
{
  if (node == NULL)
    return;
  ks_resources_clear (&node->allocatable);
  ks_resources_clear (&node->requested);
  if (node->pods != NULL)
    g_ptr_array_unref (node->pods);
  if (node->used_ports != NULL)
    g_array_unref (node->used_ports);
  if (node->pods_with_affinity != NULL)
    g_ptr_array_unref (node->pods_with_affinity);
  if (node->pods_with_required_anti_affinity != NULL)
    g_ptr_array_unref (node->pods_with_required_anti_affinity);
  g_free (node);
}

/* The lists of pods kept with pods (pods_with_affinity, pods_with_required_anti_affinity):
 * borrowed pointers, the arrays NULL while empty. */
static void
list_add (GPtrArray **list, const KsPod *pod)
{
  if (*list == NULL)
    *list = g_ptr_array_new ();
  g_ptr_array_add (*list, (gpointer) pod);
}

/* Remove pod (by pointer); NULL-safe. */
static void
list_remove (GPtrArray **list, const KsPod *pod)
{
  if (*list == NULL || !g_ptr_array_remove (*list, (gpointer) pod) || (*list)->len > 0)
    return;
  g_clear_pointer (list, g_ptr_array_unref);
}

void
ks_node_info_account_pod (KsNodeInfo *node, const KsPod *pod, int sign)
{
  const KsPodSpec *spec = pod->spec;

  if (sign > 0)
    ks_resources_add (&node->requested, &spec->requests);
  else
    ks_resources_sub (&node->requested, &spec->requests);
  /* NodeInfo.PodsWithAffinity and PodsWithRequiredAntiAffinity (InterPodAffinity). */
  if (spec->pod_affinity != NULL || spec->pod_anti_affinity != NULL)
    {
      gboolean required_anti
          = spec->pod_anti_affinity != NULL && spec->pod_anti_affinity->n_required > 0;
      if (sign > 0)
        {
          list_add (&node->pods_with_affinity, pod);
          if (required_anti)
            list_add (&node->pods_with_required_anti_affinity, pod);
        }
      else
        {
          list_remove (&node->pods_with_affinity, pod);
          if (required_anti)
            list_remove (&node->pods_with_required_anti_affinity, pod);
        }
    }
  node->nonzero_milli_cpu += sign * spec->nonzero_milli_cpu;
  node->nonzero_memory += sign * spec->nonzero_memory;
  ks_host_ports_update (&node->used_ports, pod, sign > 0);
  node->generation = ks_node_info_next_generation ();
}

void
ks_node_info_add_pod (KsNodeInfo *node, const KsPod *pod)
{
  g_return_if_fail (node != NULL && node->pods != NULL && pod != NULL);
  g_ptr_array_add (node->pods, ks_object_ref (KS_OBJECT (pod)));
  node->n_pods = node->pods->len;
  ks_node_info_account_pod (node, pod, +1);
}

gboolean
ks_node_info_remove_pod (KsNodeInfo *node, const KsPod *pod)
{
  g_return_val_if_fail (node != NULL && node->pods != NULL && pod != NULL, FALSE);
  for (guint i = 0; i < node->pods->len; i++)
    {
      KsPod *p = g_ptr_array_index (node->pods, i);
      /* By UID, as NodeInfo.RemovePod (the pod may be another version of the object); a pod
       * without one (built by hand) by identity. */
      if (ks_uid_is_set (&pod->parent.meta.uid)
              ? !ks_uid_equal (&p->parent.meta.uid, &pod->parent.meta.uid)
              : p != pod)
        continue;
      ks_node_info_account_pod (node, p, -1);
      /* Keep the arrival order of the others (the order victims are looked at). */
      g_ptr_array_steal_index (node->pods, i);
      node->n_pods = node->pods->len;
      ks_object_unref (KS_OBJECT (p));
      return TRUE;
    }
  return FALSE;
}
