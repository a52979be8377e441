/* plugin-priority-sort.c: PrioritySort (queuesort/priority_sort.go): higher priority first, then
 * the earlier queue timestamp; kubesim adds arrival order as the last tie-breaker so the order
 * is total. */
#include "config.h"

#include "ks-builtin-private.h"

static gboolean
priority_sort_less (gpointer instance, const KsQueuedPod *a, const KsQueuedPod *b)
{
  gint32 pa = ks_pod_get_priority (a->pod), pb = ks_pod_get_priority (b->pod);

  if (pa != pb)
    return pa > pb;
  if (a->timestamp != b->timestamp)
    return a->timestamp < b->timestamp;
  return a->sequence < b->sequence;
}

const KsSchedulerPlugin ks_plugin_priority_sort = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "PrioritySort",
  .less = priority_sort_less,
};
