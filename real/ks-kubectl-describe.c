/* placeholder */
#include "config.h"
#include "ks-kubectl-private.h"
int
ks_kubectl_describe (KsKubectl *k, const KsDescribeOptions *o)
{
  return kc_usage (k, "not yet");
}
