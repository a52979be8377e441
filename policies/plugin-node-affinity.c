/* plugin-node-affinity.c: NodeAffinity (nodeaffinity/node_affinity.go).
 *
 * Args (NodeAffinityArgs): addedAffinity, a node affinity the scheduler adds to every pod of the
 * profile: its required terms must match (else "scheduler-enforced" rejection), its preferred
 * terms add their weights to the score.
 *
 * PreFilter: Skip when there is nothing to check; "pod affinity terms conflict" when every
 * required term names nodes by metadata.name and no name is left.  kubesim does not narrow the
 * node list to those names (docs/scheduler.md, differences): Filter rejects the other nodes.
 * Filter: addedAffinity's required terms, then spec.nodeSelector and one required term.
 * PreScore: Skip when neither the pod nor the args have preferred terms.
 * Score: the sum of the weights of the matching preferred terms; DefaultNormalizeScore. */
#include "config.h"

#include <string.h>

#include "ks-builtin-private.h"
#include "src/api/ks-decode.h"

typedef struct
{
  KsNodeAffinity *added; /* addedAffinity, or NULL */
} AffinityArgs;

static void
affinity_args_free (gpointer p)
{
  AffinityArgs *a = p;

  if (a == NULL)
    return;
  if (a->added != NULL)
    ks_node_affinity_free (a->added);
  g_free (a);
}

static gboolean
affinity_init (JsonNode *args, gpointer *instance, GError **error)
{
  static const char *const fields[] = { "addedAffinity", NULL };
  AffinityArgs *a;
  GString *lines = NULL;
  JsonNode *added;

  *instance = NULL;
  if (args == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (args))
    {
      g_set_error (error, KS_POLICY_ERROR, 0, "expected a mapping of NodeAffinityArgs, got %s",
                   ks_decoder_node_type_name (args));
      return FALSE;
    }
  a = g_new0 (AffinityArgs, 1);
  *instance = a;
  ks_args_check_fields (json_node_get_object (args), "", "NodeAffinityArgs", fields, &lines);
  added = json_object_get_member (json_node_get_object (args), "addedAffinity");
  if (added != NULL && !JSON_NODE_HOLDS_NULL (added))
    {
      /* A pod's node affinity, decoded and checked the same way (without positions: the
       * configuration reader finds them from the field paths). */
      g_autoptr (KsDiag) diag = ks_diag_new ();
      KsDecoder dec;
      gsize mark;
      ks_decoder_init (&dec, NULL, diag);
      mark = ks_decoder_push (&dec, "addedAffinity");
      a->added = ks_node_affinity_decode (&dec, added);
      ks_decoder_pop (&dec, mark);
      ks_decoder_clear (&dec);
      for (guint i = 0; i < ks_diag_get_count (diag); i++)
        ks_args_error (&lines, "%s: %s", ks_diag_get_path (diag, i), ks_diag_get_message (diag, i));
    }
  return ks_args_finish (lines, error);
}

static const KsNodeAffinity *
added_affinity (KsPluginCtx *ctx)
{
  const AffinityArgs *a = ctx->instance;
  return a != NULL ? a->added : NULL;
}

/* The node names a term's metadata.name In fields allow (their intersection), or NULL when the
 * term has no such field.  A new set. */
static GHashTable *
term_node_names (const KsNodeSelectorTerm *term)
{
  GHashTable *names = NULL;

  for (guint i = 0; i < term->n_fields; i++)
    {
      const KsRequirement *r = &term->fields[i];
      GHashTable *these;
      if (r->op != KS_SELECTOR_IN || strcmp (r->key, "metadata.name") != 0)
        continue;
      these = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint v = 0; v < r->n_values; v++)
        if (names == NULL || g_hash_table_contains (names, r->values[v]))
          g_hash_table_add (these, r->values[v]);
      if (names != NULL)
        g_hash_table_unref (names);
      names = these;
    }
  return names;
}

static KsStatusCode
affinity_pre_filter (KsPluginCtx *ctx, const KsPod *pod, KsStatus *status)
{
  const KsPodSpec *spec = pod->spec;
  const KsNodeAffinity *added = added_affinity (ctx);
  const KsNodeSelector *required = spec->node_affinity ? spec->node_affinity->required : NULL;
  gboolean any_names = FALSE;

  if (required == NULL && (added == NULL || added->required == NULL)
      && ks_str_map_size (spec->node_selector) == 0)
    return KS_STATUS_SKIP;
  if (required == NULL || required->n_terms == 0)
    return KS_STATUS_SUCCESS;
  /* The union over terms of the names each allows; a term without names allows every node. */
  for (guint t = 0; t < required->n_terms; t++)
    {
      GHashTable *names = term_node_names (&required->terms[t]);
      if (names == NULL)
        return KS_STATUS_SUCCESS;
      any_names |= g_hash_table_size (names) > 0;
      g_hash_table_unref (names);
    }
  if (!any_names)
    {
      ks_status_add_reason (status, "pod affinity terms conflict");
      return KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE;
    }
  return KS_STATUS_SUCCESS;
}

static KsStatusCode
affinity_filter (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni, KsStatus *status)
{
  const KsPodSpec *spec = pod->spec;
  const KsStrMap *labels = ni->node->parent.meta.labels;
  const KsNodeAffinity *added = added_affinity (ctx);

  if (added != NULL && added->required != NULL
      && !ks_node_selector_matches (added->required, labels, ni->name))
    {
      ks_status_add_reason (status, "node(s) didn't match scheduler-enforced node affinity");
      return KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE;
    }
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

  /* Any addedAffinity keeps Score running (kube-scheduler always builds its preferred terms). */
  if ((a == NULL || a->n_preferred == 0) && added_affinity (ctx) == NULL)
    return KS_STATUS_SKIP;
  return KS_STATUS_SUCCESS;
}

static gint64
preferred_sum (const KsNodeAffinity *a, const KsNodeInfo *ni)
{
  gint64 sum = 0;

  if (a == NULL)
    return 0;
  for (guint i = 0; i < a->n_preferred; i++)
    if (ks_node_selector_term_matches (&a->preferred[i].term, ni->node->parent.meta.labels,
                                       ni->name))
      sum += a->preferred[i].weight;
  return sum;
}

/* Score may run without PreScore (a profile can disable NodeAffinity's PreScore); it needs no
 * state from it. */
static gint64
affinity_score (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni)
{
  return preferred_sum (added_affinity (ctx), ni) + preferred_sum (pod->spec->node_affinity, ni);
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
  .init = affinity_init,
  .destroy = affinity_args_free,
  .pre_filter = affinity_pre_filter,
  .filter = affinity_filter,
  .pre_score = affinity_pre_score,
  .score = affinity_score,
  .normalize = affinity_normalize,
};
