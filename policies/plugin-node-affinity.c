/* plugin-node-affinity.c: NodeAffinity (nodeaffinity/node_affinity.go).
 *
 * Filter: spec.nodeSelector must match exactly and one required term must match.
 * Score: the sum of the weights of the preferred terms that match; DefaultNormalizeScore.
 * kubesim does not turn matchFields metadata.name terms into a PreFilter node set; a node the
 * terms exclude fails the filter instead (docs/scheduler.md, differences). */
#include "config.h"

#include "ks-builtin-private.h"

static KsStatusCode
affinity_pre_filter (KsPluginCtx *ctx, const KsPod *pod, KsStatus *status)
{
  const KsPodSpec *spec = pod->spec;

  if (ks_str_map_size (spec->node_selector) == 0
      && (spec->node_affinity == NULL || spec->node_affinity->required == NULL))
    return KS_STATUS_SKIP;
  return KS_STATUS_SUCCESS;
}

static KsStatusCode
affinity_filter (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni, KsStatus *status)
{
  const KsPodSpec *spec = pod->spec;
  const KsStrMap *labels = ni->node->parent.meta.labels;

  if (!ks_str_map_is_subset (spec->node_selector, labels)
      || (spec->node_affinity != NULL && spec->node_affinity->required != NULL
          && !ks_node_selector_matches (spec->node_affinity->required, labels, ni->name)))
    {
      ks_status_add_reason (status, "node(s) didn't match Pod's node affinity/selector");
      return KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE;
    }
  return KS_STATUS_SUCCESS;
}

static KsStatusCode
affinity_pre_score (KsPluginCtx *ctx, const KsPod *pod, KsNodeInfo *const *nodes, guint n)
{
  const KsNodeAffinity *a = pod->spec->node_affinity;
  return a != NULL && a->n_preferred > 0 ? KS_STATUS_SUCCESS : KS_STATUS_SKIP;
}

static gint64
affinity_score (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni)
{
  const KsNodeAffinity *a = pod->spec->node_affinity;
  gint64 sum = 0;

  /* Score may run without PreScore (a profile can disable NodeAffinity's PreScore). */
  if (a == NULL)
    return 0;
  for (guint i = 0; i < a->n_preferred; i++)
    if (ks_node_selector_term_matches (&a->preferred[i].term, ni->node->parent.meta.labels,
                                       ni->name))
      sum += a->preferred[i].weight;
  return sum;
}

static void
affinity_normalize (KsPluginCtx *ctx, const KsPod *pod, KsNodeInfo *const *nodes, gint64 *scores,
                    guint n)
{
  ks_default_normalize_score (KS_MAX_NODE_SCORE, FALSE, scores, n);
}

const KsSchedulerPlugin ks_plugin_node_affinity = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "NodeAffinity",
  .default_weight = 2,
  .pre_filter = affinity_pre_filter,
  .filter = affinity_filter,
  .pre_score = affinity_pre_score,
  .score = affinity_score,
  .normalize = affinity_normalize,
};
