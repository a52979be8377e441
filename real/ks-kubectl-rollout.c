/* placeholder */
#include "config.h"
#include "ks-kubectl-private.h"
int
ks_kubectl_rollout_status (KsKubectl *k, const KsRolloutStatusOptions *o)
{
  return kc_usage (k, "not yet");
}
int
ks_kubectl_rollout_undo (KsKubectl *k, const KsRolloutUndoOptions *o)
{
  return kc_usage (k, "not yet");
}
