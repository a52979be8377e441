/* plugin-taint-toleration.c: TaintToleration (tainttoleration/taint_toleration.go).
 *
 * Filter: the first NoSchedule/NoExecute taint no toleration tolerates rejects the node.
 * PreScore: never skips (kube-scheduler keeps the pod's PreferNoSchedule tolerations there).
 * Score: the number of PreferNoSchedule taints not tolerated by the pod's tolerations whose
 * effect is empty or PreferNoSchedule; normalized reversed (fewer is better). */
#include "config.h"

#include "ks-builtin-private.h"

static KsStatusCode
taint_filter (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni, KsStatus *status)
{
  const KsNode *node = ni->node;

  if (ni->n_taints == 0)
    return KS_STATUS_SUCCESS;
  for (guint i = 0; i < node->n_taints; i++)
    {
      const KsTaint *t = &node->taints[i];
      if (t->effect != KS_TAINT_NO_SCHEDULE && t->effect != KS_TAINT_NO_EXECUTE)
        continue;
      if (!ks_tolerations_tolerate (pod->spec->tolerations, pod->spec->n_tolerations, t))
        {
          g_autofree char *reason
              = g_strdup_printf ("node(s) had untolerated taint {%s: %s}", t->key, t->value);
          ks_status_add_reason (status, ks_intern (reason));
          return KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE;
        }
    }
  return KS_STATUS_SUCCESS;
}

/* Score reads the tolerations from the pod itself (a few), so the PreScore has nothing to keep;
 * it exists so that configurations may name TaintToleration at preScore as kube-scheduler's
 * may. */
static KsStatusCode
taint_pre_score (KsPluginCtx *ctx, const KsPod *pod, KsNodeInfo *const *nodes, guint n)
{
  return KS_STATUS_SUCCESS;
}

static gint64
taint_score (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni)
{
  const KsNode *node = ni->node;
  const KsPodSpec *spec = pod->spec;
  gint64 count = 0;

  if (ni->n_taints == 0)
    return 0;
  for (guint i = 0; i < node->n_taints; i++)
    {
      const KsTaint *t = &node->taints[i];
      gboolean tolerated = FALSE;
      if (t->effect != KS_TAINT_PREFER_NO_SCHEDULE)
        continue;
      for (guint j = 0; j < spec->n_tolerations && !tolerated; j++)
        {
          const KsToleration *tol = &spec->tolerations[j];
          if ((tol->effect == KS_TAINT_EFFECT_ALL || tol->effect == KS_TAINT_PREFER_NO_SCHEDULE)
              && ks_toleration_tolerates (tol, t))
            tolerated = TRUE;
        }
      if (!tolerated)
        count++;
    }
  return count;
}

static void
taint_normalize (KsPluginCtx *ctx, const KsPod *pod, KsNodeInfo *const *nodes, gint64 *scores,
                 guint n)
{
  ks_default_normalize_score (KS_MAX_NODE_SCORE, TRUE, scores, n);
}

const KsSchedulerPlugin ks_plugin_taint_toleration = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "TaintToleration",
  .default_weight = 3,
  .filter = taint_filter,
  .pre_score = taint_pre_score,
  .score = taint_score,
  .normalize = taint_normalize,
};
