/* placeholder */
#include "config.h"
#include "ks-kubectl-private.h"
int
ks_kubectl_logs (KsKubectl *k, const KsLogsOptions *o)
{
  return kc_usage (k, "not yet");
}
