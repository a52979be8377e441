/* plugin-node-basic.c: NodeUnschedulable and NodeName. */
#include "config.h"

#include <string.h>

#include "ks-builtin-private.h"

/* NodeUnschedulable (nodeunschedulable/node_unschedulable.go): a cordoned node takes only pods
 * that tolerate node.kubernetes.io/unschedulable:NoSchedule. */
static KsStatusCode
unschedulable_filter (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni, KsStatus *status)
{
  static const KsTaint taint = { .key = (char *) "node.kubernetes.io/unschedulable",
                                 .value = (char *) "",
                                 .effect = KS_TAINT_NO_SCHEDULE };

  if (!ni->unschedulable
      || ks_tolerations_tolerate (pod->spec->tolerations, pod->spec->n_tolerations, &taint))
    return KS_STATUS_SUCCESS;
  ks_status_add_reason (status, "node(s) were unschedulable");
  return KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE;
}

const KsSchedulerPlugin ks_plugin_node_unschedulable = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "NodeUnschedulable",
  .filter = unschedulable_filter,
};

/* NodeName (nodename/node_name.go): a pod that names a node fits only there. */
static KsStatusCode
node_name_filter (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni, KsStatus *status)
{
  const char *wanted = pod->spec->node_name;

  if (wanted == NULL || wanted[0] == '\0' || strcmp (wanted, ni->name) == 0)
    return KS_STATUS_SUCCESS;
  ks_status_add_reason (status, "node(s) didn't match the requested node name");
  return KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE;
}

const KsSchedulerPlugin ks_plugin_node_name = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "NodeName",
  .filter = node_name_filter,
};
