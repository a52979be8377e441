/* plugin-inter-pod-affinity.c: InterPodAffinity (interpodaffinity/plugin.go, filtering.go,
 * scoring.go), as in kube-scheduler v1.32.
 *
 * Filter, from counts per topology pair (key, value) made once per cycle (PreFilter):
 * - the incoming pod's required affinity: every term needs a pod matching all the terms in the
 *   node's domain, unless no pod anywhere matches and the pod matches its own terms (the first
 *   pod of a group);
 * - its required anti-affinity: no matching pod in the node's domain of the term;
 * - existing pods' required anti-affinity (symmetry): no pod whose term matches the incoming pod
 *   may be in one of the node's domains.
 * Score: per topology pair, + weight for the incoming pod's preferred affinity terms that
 * existing pods match, − weight for its preferred anti-affinity terms, and the reverse for
 * existing pods' preferred terms (required affinity terms count hardPodAffinityWeight); normalized
 * by min and max (which may be negative).
 *
 * Terms select pods by namespace and labels (AffinityTerm.Matches); matchLabelKeys and
 * mismatchLabelKeys take their values from the labels of the term's pod.  The incoming pod's
 * namespaceSelector is turned into namespace names once per cycle, as upstream. */
#include "config.h"

#include <string.h>

#include "ks-builtin-private.h"
#include "ks-match-cache.h"
#include "ks-node-memo.h"
#include "src/api/ks-namespace.h"

#define REASON_AFFINITY "node(s) didn't match pod affinity rules"
#define REASON_ANTI_AFFINITY "node(s) didn't match pod anti-affinity rules"
#define REASON_EXISTING_ANTI_AFFINITY "node(s) didn't satisfy existing pods anti-affinity rules"

typedef struct
{
  gint32 hard_pod_affinity_weight;
  gboolean ignore_preferred_terms_of_existing_pods;
  /* Per-node counts kept from cycle to cycle, by question (ks-node-memo.h). */
  KsNodeMemoSet filter_memos;
  KsNodeMemoSet score_memos;
} Ipa;

/* The namespaces an incoming term's namespaceSelector selects (mergeAffinityTermNamespaces). */
typedef struct
{
  gboolean all;     /* the selector is empty: every namespace */
  GPtrArray *names; /* interned namespace names, or NULL */
} MergedNs;

/* The incoming pod's terms, shared by the state and its clones. */
typedef struct
{
  gint ref_count;
  const KsPod *pod;                   /* borrowed: lives through the cycle */
  const KsPodAffinityTerm **affinity; /* required affinity terms */
  guint n_affinity;
  const KsPodAffinityTerm **anti; /* required anti-affinity terms */
  guint n_anti;
  MergedNs *merged_affinity; /* per term */
  MergedNs *merged_anti;
  /* The labels of the incoming pod's namespace, for existing pods' namespaceSelectors. */
  gboolean have_ns_labels;
  KsStrMap *ns_labels;
  /* Match results of this cycle: existing pods' terms against the incoming pod, by (term,
   * owner's labels, owner's namespace); the incoming pod's terms against existing pods, by (the
   * kind of terms, labels, namespace), as bit sets. */
  KsMatchCache existing;
  KsMatchCache incoming;
  /* The PreFilter sums when no memo set keeps them (see filter_sums). */
  KsNodeMemo *owned_memo;
} Incoming;

/* topologyToMatchedTermCount: key → (value → count).  In the memos' sums both strings are
 * interned; in a state's changes (AddPod/RemovePod) they are borrowed (topology keys of pod specs
 * and node label values, alive through the cycle). */
typedef struct
{
  GHashTable *keys;
  guint n_pairs;
} TopoCounts;

/* The PreFilter sums (in a memo): existing pods' anti-affinity terms matching the pod, pods
 * matching all the pod's affinity terms, pods matching the pod's anti-affinity terms. */
enum
{
  EXISTING_ANTI,
  AFFINITY,
  ANTI,
  N_COUNTS
};

typedef struct
{
  TopoCounts t[N_COUNTS];
} FilterSums;

/* A count as the filter reads it: the memo's sums and this state's own changes. */
typedef struct
{
  const TopoCounts *base;
  TopoCounts delta; /* keys NULL until AddPod/RemovePod change something */
  guint n_pairs;    /* pairs whose count is not 0 */
  /* The base's values of the last key looked up (filters ask for the same key on every node). */
  const char *last_key;
  GHashTable *last_values;
} Counts;

typedef struct
{
  Incoming *in;
  Counts c[N_COUNTS];
} FilterState;

/* The PreScore sums (in a memo): topologyScore, and how many terms matched (the scores skip when
 * none did, even if they add up to 0). */
typedef struct
{
  TopoCounts scores;
  gint64 n_matched;
} ScoreSums;

typedef struct
{
  const ScoreSums *sums;
  KsNodeMemo *owned; /* a memo no set keeps (questions not worth keeping), or NULL */
} ScoreState;

typedef struct
{
  FilterState *filter;
  ScoreState *score;
} Cycle;

/* Topology counts */

static void
topo_init (TopoCounts *m)
{
  m->keys
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_hash_table_unref);
  m->n_pairs = 0;
}

static void
topo_clear (TopoCounts *m)
{
  g_clear_pointer (&m->keys, g_hash_table_unref);
  m->n_pairs = 0;
}

static gint64
topo_get (const TopoCounts *m, const char *key, const char *value)
{
  GHashTable *values = g_hash_table_lookup (m->keys, key);
  return values != NULL ? (gint64) (gintptr) g_hash_table_lookup (values, value) : 0;
}

/* Add delta to (key, value); with drop_zero, a pair reaching 0 is removed (filtering's
 * update); scoring keeps pairs once made. */
static void
topo_add (TopoCounts *m, const char *key, const char *value, gint64 delta, gboolean drop_zero)
{
  GHashTable *values = g_hash_table_lookup (m->keys, key);
  gpointer old = NULL;
  gboolean had;
  gint64 now;

  if (values == NULL)
    {
      values = g_hash_table_new (g_str_hash, g_str_equal);
      g_hash_table_insert (m->keys, (gpointer) key, values);
    }
  had = g_hash_table_lookup_extended (values, value, NULL, &old);
  now = (gint64) (gintptr) old + delta;
  if (drop_zero && now == 0)
    {
      if (had)
        {
          g_hash_table_remove (values, value);
          m->n_pairs--;
        }
      if (g_hash_table_size (values) == 0)
        g_hash_table_remove (m->keys, key);
      return;
    }
  if (!had)
    m->n_pairs++;
  g_hash_table_insert (values, (gpointer) value, (gpointer) (gintptr) now);
}

/* Matching (AffinityTerm.Matches) */

static gboolean
ns_listed (char **names, const char *ns)
{
  for (char **n = names; n != NULL && *n != NULL; n++)
    if (strcmp (*n, ns) == 0)
      return TRUE;
  return FALSE;
}

/* Whether term, written in a pod of namespace owner_ns with labels owner_labels, selects pod.
 * ns_labels are the labels of pod's namespace (for a namespaceSelector); merged, for the
 * incoming pod's own terms, the namespaces its namespaceSelector selects. */
static gboolean
term_matches (const KsPodAffinityTerm *t, const char *owner_ns, const KsStrMap *owner_labels,
              const KsPod *pod, const KsStrMap *ns_labels, const MergedNs *merged)
{
  const char *ns = KS_OBJECT (pod)->meta.namespace;
  const KsStrMap *labels = KS_OBJECT (pod)->meta.labels;

  if (t->namespaces == NULL && t->namespace_selector == NULL)
    {
      if (g_strcmp0 (ns, owner_ns) != 0)
        return FALSE;
    }
  else if (!ns_listed (t->namespaces, ns))
    {
      if (merged != NULL)
        {
          gboolean found = merged->all;
          for (guint i = 0; !found && merged->names != NULL && i < merged->names->len; i++)
            found = g_ptr_array_index (merged->names, i) == (gpointer) ns;
          if (!found)
            return FALSE;
        }
      else if (!ks_label_selector_matches (t->namespace_selector, ns_labels))
        return FALSE;
    }
  if (!ks_label_selector_matches (t->label_selector, labels))
    return FALSE;
  /* kube-apiserver merges these into the selector as "key in (value)" / "key notin (value)"
   * with the values of the term's pod. */
  for (char **k = t->match_label_keys; k != NULL && *k != NULL; k++)
    {
      const char *v = ks_str_map_lookup (owner_labels, *k);
      if (v != NULL && g_strcmp0 (ks_str_map_lookup (labels, *k), v) != 0)
        return FALSE;
    }
  for (char **k = t->mismatch_label_keys; k != NULL && *k != NULL; k++)
    {
      const char *v = ks_str_map_lookup (owner_labels, *k);
      if (v != NULL && g_strcmp0 (ks_str_map_lookup (labels, *k), v) == 0)
        return FALSE;
    }
  return TRUE;
}

/* A term of an existing pod against the incoming pod. */
static gboolean
existing_term_matches (const KsPodAffinityTerm *t, const KsPod *existing, const KsPod *pod,
                       const KsStrMap *ns_labels)
{
  return term_matches (t, KS_OBJECT (existing)->meta.namespace, KS_OBJECT (existing)->meta.labels,
                       pod, ns_labels, NULL);
}

/* A term of the incoming pod against an existing pod. */
static gboolean
incoming_term_matches (const KsPodAffinityTerm *t, const MergedNs *merged, const KsPod *pod,
                       const KsPod *existing)
{
  return term_matches (t, KS_OBJECT (pod)->meta.namespace, KS_OBJECT (pod)->meta.labels, existing,
                       NULL, merged);
}

/* The labels of namespace ns (GetNamespaceLabelsSnapshot): a new reference, NULL when the
 * namespace is unknown or has none. */
static KsStrMap *
namespace_labels (KsPluginCtx *ctx, const char *ns)
{
  g_autoptr (GPtrArray) list = NULL;

  if (ctx->handle == NULL || ctx->handle->list_objects == NULL)
    return NULL;
  list = ctx->handle->list_objects (ctx->handle->data, KS_KIND_NAMESPACE, NULL);
  for (guint i = 0; i < list->len; i++)
    {
      const KsObject *o = g_ptr_array_index (list, i);
      if (strcmp (o->meta.name, ns) == 0)
        return ks_str_map_ref (o->meta.labels);
    }
  return NULL;
}

/* The incoming pod's namespace labels, fetched when first needed. */
static const KsStrMap *
incoming_ns_labels (KsPluginCtx *ctx, Incoming *in)
{
  if (!in->have_ns_labels)
    {
      in->ns_labels = namespace_labels (ctx, KS_OBJECT (in->pod)->meta.namespace);
      in->have_ns_labels = TRUE;
    }
  return in->ns_labels;
}

/* Whether some term needs the namespace labels of the pod it is matched against. */
static gboolean
needs_ns_labels (const KsPodAffinityTerm *t)
{
  return t->namespace_selector != NULL;
}

/* existing_term_matches for the incoming pod of in, cached. */
static gboolean
cached_existing_term_matches (KsPluginCtx *ctx, Incoming *in, const KsPodAffinityTerm *t,
                              const KsPod *existing)
{
  KsStrMap *labels = KS_OBJECT (existing)->meta.labels;
  const char *ns = KS_OBJECT (existing)->meta.namespace;
  guint64 v;

  if (!ks_match_cache_get (&in->existing, t, labels, ns, &v))
    {
      v = existing_term_matches (t, existing, in->pod,
                                 needs_ns_labels (t) ? incoming_ns_labels (ctx, in) : NULL);
      ks_match_cache_put (&in->existing, t, labels, ns, v);
    }
  return v != 0;
}

/* mergeAffinityTermNamespacesIfNotEmpty for the incoming pod's term t. */
static void
merge_namespaces (KsPluginCtx *ctx, const KsPodAffinityTerm *t, MergedNs *out)
{
  g_autoptr (GPtrArray) list = NULL;

  memset (out, 0, sizeof *out);
  if (t->namespace_selector == NULL)
    return;
  if (ks_label_selector_is_empty (t->namespace_selector))
    {
      out->all = TRUE;
      return;
    }
  if (ctx->handle == NULL || ctx->handle->list_objects == NULL)
    return;
  list = ctx->handle->list_objects (ctx->handle->data, KS_KIND_NAMESPACE, NULL);
  out->names = g_ptr_array_new ();
  for (guint i = 0; i < list->len; i++)
    {
      const KsObject *o = g_ptr_array_index (list, i);
      if (ks_label_selector_matches (t->namespace_selector, o->meta.labels))
        g_ptr_array_add (out->names, (gpointer) ks_intern (o->meta.name));
    }
}

static void
incoming_unref (Incoming *in)
{
  if (in == NULL || --in->ref_count > 0)
    return;
  for (guint i = 0; i < in->n_affinity; i++)
    if (in->merged_affinity[i].names != NULL)
      g_ptr_array_unref (in->merged_affinity[i].names);
  for (guint i = 0; i < in->n_anti; i++)
    if (in->merged_anti[i].names != NULL)
      g_ptr_array_unref (in->merged_anti[i].names);
  g_free (in->affinity);
  g_free (in->anti);
  g_free (in->merged_affinity);
  g_free (in->merged_anti);
  ks_str_map_unref (in->ns_labels);
  ks_match_cache_clear (&in->existing);
  ks_match_cache_clear (&in->incoming);
  ks_node_memo_free (in->owned_memo);
  g_free (in);
}

static Incoming *
incoming_new (KsPluginCtx *ctx, const KsPod *pod)
{
  const KsPodAffinity *a = pod->spec->pod_affinity, *aa = pod->spec->pod_anti_affinity;
  Incoming *in = g_new0 (Incoming, 1);

  in->ref_count = 1;
  in->pod = pod;
  in->n_affinity = a != NULL ? a->n_required : 0;
  in->n_anti = aa != NULL ? aa->n_required : 0;
  in->affinity = g_new0 (const KsPodAffinityTerm *, MAX (in->n_affinity, 1));
  in->anti = g_new0 (const KsPodAffinityTerm *, MAX (in->n_anti, 1));
  in->merged_affinity = g_new0 (MergedNs, MAX (in->n_affinity, 1));
  in->merged_anti = g_new0 (MergedNs, MAX (in->n_anti, 1));
  for (guint i = 0; i < in->n_affinity; i++)
    {
      in->affinity[i] = &a->required[i];
      merge_namespaces (ctx, in->affinity[i], &in->merged_affinity[i]);
    }
  for (guint i = 0; i < in->n_anti; i++)
    {
      in->anti[i] = &aa->required[i];
      merge_namespaces (ctx, in->anti[i], &in->merged_anti[i]);
    }
  return in;
}

/* podMatchesAllAffinityTerms: existing matches every required affinity term (FALSE without
 * terms). */
static gboolean
matches_all_affinity_terms (const Incoming *in, const KsPod *existing)
{
  if (in->n_affinity == 0)
    return FALSE;
  for (guint i = 0; i < in->n_affinity; i++)
    if (!incoming_term_matches (in->affinity[i], &in->merged_affinity[i], in->pod, existing))
      return FALSE;
  return TRUE;
}

#define ALL_AFFINITY_BIT (G_GUINT64_CONSTANT (1) << 63)

/* How the incoming pod's required terms match existing, cached: ALL_AFFINITY_BIT when it
 * matches all the affinity terms, bit t when it matches anti-affinity term t (t < 63). */
static guint64
incoming_matches (Incoming *in, const KsPod *existing)
{
  KsStrMap *labels = KS_OBJECT (existing)->meta.labels;
  const char *ns = KS_OBJECT (existing)->meta.namespace;
  guint64 v = 0;

  if (ks_match_cache_get (&in->incoming, &in->incoming, labels, ns, &v))
    return v;
  if (matches_all_affinity_terms (in, existing))
    v |= ALL_AFFINITY_BIT;
  for (guint t = 0; t < in->n_anti && t < 63; t++)
    if (incoming_term_matches (in->anti[t], &in->merged_anti[t], in->pod, existing))
      v |= G_GUINT64_CONSTANT (1) << t;
  ks_match_cache_put (&in->incoming, &in->incoming, labels, ns, v);
  return v;
}

/* Counts */

static gint64
counts_get (const Counts *cc, const char *key, const char *value)
{
  Counts *c = (Counts *) cc; /* the lookup cache only */
  gint64 n;

  if (key != c->last_key)
    {
      c->last_key = key;
      c->last_values = g_hash_table_lookup (c->base->keys, key);
    }
  n = c->last_values != NULL ? (gint64) (gintptr) g_hash_table_lookup (c->last_values, value) : 0;
  return n + (c->delta.keys != NULL ? topo_get (&c->delta, key, value) : 0);
}

/* Add delta to (key, node's value of key), when the node has the label (update). */
static void
counts_update (Counts *c, const KsNodeInfo *ni, const char *key, gint64 delta)
{
  const char *value = ks_str_map_lookup (ni->node->parent.meta.labels, key);
  gint64 before;

  if (value == NULL || delta == 0)
    return;
  before = counts_get (c, key, value);
  if (c->delta.keys == NULL)
    topo_init (&c->delta);
  topo_add (&c->delta, key, value, delta, TRUE);
  if (before == 0)
    c->n_pairs++;
  else if (before + delta == 0)
    c->n_pairs--;
}

/* What one node contributes to the PreFilter sums: entries for its existing pods' required
 * anti-affinity terms that match the incoming pod, and for its pods that the incoming pod's
 * required terms match (getExistingAntiAffinityCounts, getIncomingAffinityAntiAffinityCounts). */
typedef struct
{
  KsPluginCtx *ctx;
  Incoming *in;
} FilterCompute;

static void
entry_add (GArray *out, guint table, const KsNodeInfo *ni, const char *key)
{
  const char *value = ks_str_map_lookup (ni->node->parent.meta.labels, key);
  KsNodeEntry e;

  if (value == NULL)
    return;
  e.table = table;
  e.key = ks_intern (key);
  e.value = ks_intern (value);
  e.count = 1;
  g_array_append_val (out, e);
}

static void
filter_compute (gpointer data, const KsNodeInfo *ni, GArray *out)
{
  FilterCompute *fc = data;
  Incoming *in = fc->in;
  GPtrArray *anti = ni->pods_with_required_anti_affinity;

  for (guint i = 0; anti != NULL && i < anti->len; i++)
    {
      const KsPod *existing = g_ptr_array_index (anti, i);
      const KsPodAffinity *aa = existing->spec->pod_anti_affinity;
      for (guint t = 0; t < aa->n_required; t++)
        if (cached_existing_term_matches (fc->ctx, in, &aa->required[t], existing))
          entry_add (out, EXISTING_ANTI, ni, aa->required[t].topology_key);
    }
  if (in->n_affinity == 0 && in->n_anti == 0)
    return;
  for (guint i = 0; i < ni->n_pods; i++)
    {
      const KsPod *existing = g_ptr_array_index (ni->pods, i);
      guint64 v = incoming_matches (in, existing);
      if (v & ALL_AFFINITY_BIT)
        for (guint t = 0; t < in->n_affinity; t++)
          entry_add (out, AFFINITY, ni, in->affinity[t]->topology_key);
      for (guint t = 0; t < in->n_anti; t++)
        if (t < 63 ? (v & (G_GUINT64_CONSTANT (1) << t)) != 0
                   : incoming_term_matches (in->anti[t], &in->merged_anti[t], in->pod, existing))
          entry_add (out, ANTI, ni, in->anti[t]->topology_key);
    }
}

static void
filter_sums_apply (gpointer p, const KsNodeEntry *e, guint n, int sign)
{
  FilterSums *sums = p;

  for (guint i = 0; i < n; i++)
    topo_add (&sums->t[e[i].table], e[i].key, e[i].value, sign * e[i].count, TRUE);
}

static void
filter_sums_free (gpointer p)
{
  FilterSums *sums = p;

  for (guint i = 0; i < N_COUNTS; i++)
    topo_clear (&sums->t[i]);
  g_free (sums);
}

static KsNodeMemo *
filter_memo_new (void)
{
  FilterSums *sums = g_new0 (FilterSums, 1);

  for (guint i = 0; i < N_COUNTS; i++)
    topo_init (&sums->t[i]);
  return ks_node_memo_new (sums, filter_sums_apply, filter_sums_free);
}

static void
str_map_unref (gpointer p)
{
  ks_str_map_unref (p);
}

static void
spec_unref (gpointer p)
{
  ks_pod_spec_unref (p);
}

/* Whether a term's namespaceSelector depends on the labels of every namespace (which a memo
 * key does not capture). */
static gboolean
merges_namespaces (const KsPodAffinityTerm *t)
{
  return t->namespace_selector != NULL && !ks_label_selector_is_empty (t->namespace_selector);
}

/* The memo of PreFilter sums for the incoming pod of in, brought up to date.  The question is
 * (spec, labels, namespace, namespace labels): pods of one template share it. */
static const FilterSums *
filter_sums (KsPluginCtx *ctx, Incoming *in)
{
  Ipa *pl = ctx->instance;
  const KsPod *pod = in->pod;
  FilterCompute fc = { ctx, in };
  gboolean keep = TRUE;
  gconstpointer key[4];
  KsNodeMemo *memo;

  for (guint t = 0; t < in->n_affinity; t++)
    keep &= !merges_namespaces (in->affinity[t]);
  for (guint t = 0; t < in->n_anti; t++)
    keep &= !merges_namespaces (in->anti[t]);
  incoming_ns_labels (ctx, in);
  key[0] = pod->spec;
  key[1] = KS_OBJECT (pod)->meta.labels;
  key[2] = KS_OBJECT (pod)->meta.namespace;
  key[3] = in->ns_labels;
  memo = keep ? ks_node_memo_set_lookup (&pl->filter_memos, key) : NULL;
  if (memo == NULL)
    {
      memo = filter_memo_new ();
      if (keep)
        {
          const GDestroyNotify free_key[4] = { spec_unref, str_map_unref, NULL, str_map_unref };
          ks_pod_spec_ref ((KsPodSpec *) pod->spec);
          ks_str_map_ref (KS_OBJECT (pod)->meta.labels);
          ks_str_map_ref (in->ns_labels);
          ks_node_memo_set_insert (&pl->filter_memos, key, free_key, memo);
        }
      else
        in->owned_memo = memo;
    }
  ks_node_memo_refresh (memo, ctx->all_nodes, ctx->n_all_nodes, filter_compute, &fc);
  return ks_node_memo_get_sums (memo);
}

static FilterState *
filter_state_new (Incoming *in, const FilterSums *sums)
{
  FilterState *s = g_new0 (FilterState, 1);

  s->in = in;
  for (guint i = 0; i < N_COUNTS; i++)
    {
      s->c[i].base = &sums->t[i];
      s->c[i].n_pairs = sums->t[i].n_pairs;
    }
  return s;
}

static void
filter_state_free (FilterState *s)
{
  if (s == NULL)
    return;
  for (guint i = 0; i < N_COUNTS; i++)
    if (s->c[i].delta.keys != NULL)
      topo_clear (&s->c[i].delta);
  incoming_unref (s->in);
  g_free (s);
}

static void
score_state_free (ScoreState *s)
{
  if (s == NULL)
    return;
  ks_node_memo_free (s->owned);
  g_free (s);
}

static Cycle *
cycle_get (KsPluginCtx *ctx)
{
  if (ctx->cycle == NULL)
    ctx->cycle = g_new0 (Cycle, 1);
  return ctx->cycle;
}

/* Filter */

static gboolean
has_required_terms (const KsPod *pod)
{
  return (pod->spec->pod_affinity != NULL && pod->spec->pod_affinity->n_required > 0)
         || (pod->spec->pod_anti_affinity != NULL && pod->spec->pod_anti_affinity->n_required > 0);
}

static KsStatusCode
ipa_pre_filter (KsPluginCtx *ctx, const KsPod *pod, KsStatus *status)
{
  Incoming *in;
  const FilterSums *sums;
  FilterState *s;
  Cycle *cycle;

  /* Most pods have no affinity terms and most clusters no pod with required anti-affinity:
   * look for a node with such pods in a tight loop. */
  if (!has_required_terms (pod))
    {
      KsNodeInfo *const *all = ctx->all_nodes;
      guint n = ctx->n_all_nodes, first = 0;
      if (ctx->affinity_counts_known && ctx->n_nodes_with_required_anti_affinity == 0)
        return KS_STATUS_SKIP;
      while (first < n && all[first]->pods_with_required_anti_affinity == NULL)
        first++;
      if (first == n)
        return KS_STATUS_SKIP;
    }
  in = incoming_new (ctx, pod);
  sums = filter_sums (ctx, in);
  if (sums->t[EXISTING_ANTI].n_pairs == 0 && !has_required_terms (pod))
    {
      incoming_unref (in);
      return KS_STATUS_SKIP;
    }
  s = filter_state_new (in, sums);
  cycle = cycle_get (ctx);
  filter_state_free (cycle->filter);
  cycle->filter = s;
  return KS_STATUS_SUCCESS;
}

static gboolean
satisfy_pod_affinity (const FilterState *s, const KsNodeInfo *ni)
{
  const Incoming *in = s->in;
  const KsStrMap *labels = ni->node->parent.meta.labels;
  gboolean pods_exist = TRUE;

  for (guint t = 0; t < in->n_affinity; t++)
    {
      const char *key = in->affinity[t]->topology_key;
      const char *value = ks_str_map_lookup (labels, key);
      if (value == NULL)
        return FALSE; /* every topology label must be on the node */
      if (counts_get (&s->c[AFFINITY], key, value) <= 0)
        pods_exist = FALSE;
    }
  if (pods_exist)
    return TRUE;
  /* The first pod of a group whose pods have affinity to each other: no pod anywhere matches
   * and the pod matches its own terms. */
  return s->c[AFFINITY].n_pairs == 0 && matches_all_affinity_terms (in, in->pod);
}

static gboolean
satisfy_pod_anti_affinity (const FilterState *s, const KsNodeInfo *ni)
{
  const Incoming *in = s->in;
  const KsStrMap *labels = ni->node->parent.meta.labels;

  if (s->c[ANTI].n_pairs == 0)
    return TRUE;
  for (guint t = 0; t < in->n_anti; t++)
    {
      const char *key = in->anti[t]->topology_key;
      const char *value = ks_str_map_lookup (labels, key);
      if (value != NULL && counts_get (&s->c[ANTI], key, value) > 0)
        return FALSE;
    }
  return TRUE;
}

static gboolean
satisfy_existing_pods_anti_affinity (const FilterState *s, const KsNodeInfo *ni)
{
  const Counts *c = &s->c[EXISTING_ANTI];
  const KsStrMap *labels = ni->node->parent.meta.labels;
  GHashTableIter iter;
  gpointer key;

  if (c->n_pairs == 0)
    return TRUE;
  /* Any of the node's labels whose pair has a count: look up the few topology keys that have
   * counts rather than every label of the node. */
  for (int pass = 0; pass < 2; pass++)
    {
      const TopoCounts *t = pass == 0 ? c->base : &c->delta;
      if (t->keys == NULL)
        continue;
      g_hash_table_iter_init (&iter, t->keys);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          const char *value = ks_str_map_lookup (labels, key);
          if (value != NULL && counts_get (c, key, value) > 0)
            return FALSE;
        }
    }
  return TRUE;
}

static KsStatusCode
ipa_filter (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni, KsStatus *status)
{
  const Cycle *cycle = ctx->cycle;
  const FilterState *s = cycle != NULL ? cycle->filter : NULL;

  if (s == NULL)
    return KS_STATUS_SUCCESS;
  if (!satisfy_pod_affinity (s, ni))
    {
      ks_status_add_reason (status, REASON_AFFINITY);
      return KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE;
    }
  if (!satisfy_pod_anti_affinity (s, ni))
    {
      ks_status_add_reason (status, REASON_ANTI_AFFINITY);
      return KS_STATUS_UNSCHEDULABLE;
    }
  if (!satisfy_existing_pods_anti_affinity (s, ni))
    {
      ks_status_add_reason (status, REASON_EXISTING_ANTI_AFFINITY);
      return KS_STATUS_UNSCHEDULABLE;
    }
  return KS_STATUS_SUCCESS;
}

/* updateWithPod */
static void
update_with_pod (KsPluginCtx *ctx, const KsPod *other, const KsNodeInfo *ni, gint64 delta)
{
  Cycle *cycle = ctx->cycle;
  FilterState *s = cycle != NULL ? cycle->filter : NULL;
  const KsPodAffinity *aa = other->spec->pod_anti_affinity;
  Incoming *in;
  guint64 v;

  if (s == NULL || ni->node == NULL)
    return;
  in = s->in;
  for (guint t = 0; aa != NULL && t < aa->n_required; t++)
    if (cached_existing_term_matches (ctx, in, &aa->required[t], other))
      counts_update (&s->c[EXISTING_ANTI], ni, aa->required[t].topology_key, delta);
  if (in->n_affinity == 0 && in->n_anti == 0)
    return;
  v = incoming_matches (in, other);
  if (v & ALL_AFFINITY_BIT)
    for (guint t = 0; t < in->n_affinity; t++)
      counts_update (&s->c[AFFINITY], ni, in->affinity[t]->topology_key, delta);
  for (guint t = 0; t < in->n_anti; t++)
    if (t < 63 ? (v & (G_GUINT64_CONSTANT (1) << t)) != 0
               : incoming_term_matches (in->anti[t], &in->merged_anti[t], in->pod, other))
      counts_update (&s->c[ANTI], ni, in->anti[t]->topology_key, delta);
}

static void
ipa_add_pod (KsPluginCtx *ctx, const KsPod *pod, const KsPod *added, const KsNodeInfo *ni)
{
  update_with_pod (ctx, added, ni, 1);
}

static void
ipa_remove_pod (KsPluginCtx *ctx, const KsPod *pod, const KsPod *removed, const KsNodeInfo *ni)
{
  update_with_pod (ctx, removed, ni, -1);
}

static gpointer
ipa_clone_cycle (gconstpointer p)
{
  const Cycle *cycle = p;
  Cycle *copy = g_new0 (Cycle, 1);
  const FilterState *s = cycle->filter;

  /* Only the filter state matters to what-if filtering; the sums are shared, the changes
   * copied. */
  if (s != NULL)
    {
      FilterState *c = g_new0 (FilterState, 1);
      c->in = s->in;
      c->in->ref_count++;
      for (guint i = 0; i < N_COUNTS; i++)
        {
          GHashTableIter iter;
          gpointer key, values;
          c->c[i].base = s->c[i].base;
          c->c[i].n_pairs = s->c[i].n_pairs;
          if (s->c[i].delta.keys == NULL)
            continue;
          topo_init (&c->c[i].delta);
          g_hash_table_iter_init (&iter, s->c[i].delta.keys);
          while (g_hash_table_iter_next (&iter, &key, &values))
            {
              GHashTableIter inner;
              gpointer value, count;
              g_hash_table_iter_init (&inner, values);
              while (g_hash_table_iter_next (&inner, &value, &count))
                topo_add (&c->c[i].delta, key, value, (gint64) (gintptr) count, FALSE);
            }
        }
      copy->filter = c;
    }
  return copy;
}

/* Score */

typedef struct
{
  KsPluginCtx *ctx;
  const KsPod *pod;
  Incoming *in;                            /* for the namespace labels and the match caches */
  MergedNs *merged_affinity, *merged_anti; /* per preferred term of the incoming pod */
  gint32 hard_weight;
  gboolean all_pods; /* the incoming pod has preferred terms: every pod counts */
} ScoreInput;

/* processTerm: when term (of the pod owning it) matched, weight on the pair of node ni. */
static void
score_entry (GArray *out, const KsNodeInfo *ni, const KsPodAffinityTerm *term, gint64 weight,
             gboolean matches)
{
  if (matches)
    {
      entry_add (out, 0, ni, term->topology_key);
      g_array_index (out, KsNodeEntry, out->len - 1).count = weight;
    }
}

/* processExistingPod */
static void
score_existing_pod (GArray *out, const ScoreInput *in, const KsPod *existing, const KsNodeInfo *ni)
{
  const KsPodAffinity *a = in->pod->spec->pod_affinity, *aa = in->pod->spec->pod_anti_affinity;
  const KsPodAffinity *ea = existing->spec->pod_affinity, *eaa = existing->spec->pod_anti_affinity;
  const KsStrMap *labels = ni->node->parent.meta.labels;

  /* entry_add skips nodes without the key; a term that matched there adds nothing. */
#define SCORE(term, weight, matches)                                                               \
  do                                                                                               \
    {                                                                                              \
      if (ks_str_map_contains (labels, (term)->topology_key))                                      \
        score_entry (out, ni, term, weight, matches);                                              \
    }                                                                                              \
  while (0)
  for (guint t = 0; a != NULL && t < a->n_preferred; t++)
    SCORE (
        &a->preferred[t].term, a->preferred[t].weight,
        incoming_term_matches (&a->preferred[t].term, &in->merged_affinity[t], in->pod, existing));
  for (guint t = 0; aa != NULL && t < aa->n_preferred; t++)
    SCORE (&aa->preferred[t].term, -(gint64) aa->preferred[t].weight,
           incoming_term_matches (&aa->preferred[t].term, &in->merged_anti[t], in->pod, existing));
  if (in->hard_weight > 0)
    for (guint t = 0; ea != NULL && t < ea->n_required; t++)
      SCORE (&ea->required[t], in->hard_weight,
             cached_existing_term_matches (in->ctx, in->in, &ea->required[t], existing));
  for (guint t = 0; ea != NULL && t < ea->n_preferred; t++)
    SCORE (&ea->preferred[t].term, ea->preferred[t].weight,
           cached_existing_term_matches (in->ctx, in->in, &ea->preferred[t].term, existing));
  for (guint t = 0; eaa != NULL && t < eaa->n_preferred; t++)
    SCORE (&eaa->preferred[t].term, -(gint64) eaa->preferred[t].weight,
           cached_existing_term_matches (in->ctx, in->in, &eaa->preferred[t].term, existing));
#undef SCORE
}

static void
score_compute (gpointer data, const KsNodeInfo *ni, GArray *out)
{
  const ScoreInput *in = data;
  /* Without preferred terms of its own, only pods with affinity terms can count. */
  GPtrArray *pods = in->all_pods ? ni->pods : ni->pods_with_affinity;

  if (ks_str_map_size (ni->node->parent.meta.labels) == 0)
    return;
  for (guint i = 0; pods != NULL && i < pods->len; i++)
    score_existing_pod (out, in, g_ptr_array_index (pods, i), ni);
}

static void
score_sums_apply (gpointer p, const KsNodeEntry *e, guint n, int sign)
{
  ScoreSums *sums = p;

  for (guint i = 0; i < n; i++)
    topo_add (&sums->scores, e[i].key, e[i].value, sign * e[i].count, TRUE);
  sums->n_matched += sign * (gint64) n;
}

static void
score_sums_free (gpointer p)
{
  ScoreSums *sums = p;

  topo_clear (&sums->scores);
  g_free (sums);
}

static KsStatusCode
ipa_pre_score (KsPluginCtx *ctx, const KsPod *pod, KsNodeInfo *const *nodes, guint n)
{
  Ipa *pl = ctx->instance;
  const KsPodAffinity *a = pod->spec->pod_affinity, *aa = pod->spec->pod_anti_affinity;
  guint n_pref_affinity = a != NULL ? a->n_preferred : 0;
  guint n_pref_anti = aa != NULL ? aa->n_preferred : 0;
  gboolean has_constraints = n_pref_affinity > 0 || n_pref_anti > 0, keep = TRUE;
  ScoreInput in = { ctx, pod, NULL, NULL, NULL, pl->hard_pod_affinity_weight, has_constraints };
  ScoreState *s;
  const ScoreSums *sums;
  KsNodeMemo *memo;
  gconstpointer key[4];
  Cycle *cycle;

  if (pl->ignore_preferred_terms_of_existing_pods && !has_constraints)
    return KS_STATUS_SKIP;
  if (!has_constraints)
    {
      /* Only pods with affinity terms can count: look for a node with some in a tight loop
       * (most clusters have none). */
      KsNodeInfo *const *all = ctx->all_nodes;
      guint n_all = ctx->n_all_nodes, first = 0;
      if (ctx->affinity_counts_known && ctx->n_nodes_with_affinity == 0)
        return KS_STATUS_SKIP;
      while (first < n_all && all[first]->pods_with_affinity == NULL)
        first++;
      if (first == n_all)
        return KS_STATUS_SKIP;
    }
  in.in = g_new0 (Incoming, 1);
  in.in->ref_count = 1;
  in.in->pod = pod;
  in.merged_affinity = g_new0 (MergedNs, MAX (n_pref_affinity, 1));
  in.merged_anti = g_new0 (MergedNs, MAX (n_pref_anti, 1));
  for (guint t = 0; t < n_pref_affinity; t++)
    {
      merge_namespaces (ctx, &a->preferred[t].term, &in.merged_affinity[t]);
      keep &= !merges_namespaces (&a->preferred[t].term);
    }
  for (guint t = 0; t < n_pref_anti; t++)
    {
      merge_namespaces (ctx, &aa->preferred[t].term, &in.merged_anti[t]);
      keep &= !merges_namespaces (&aa->preferred[t].term);
    }
  /* The question: (spec, labels, namespace, namespace labels), as for filtering. */
  incoming_ns_labels (ctx, in.in);
  key[0] = pod->spec;
  key[1] = KS_OBJECT (pod)->meta.labels;
  key[2] = KS_OBJECT (pod)->meta.namespace;
  key[3] = in.in->ns_labels;
  s = g_new0 (ScoreState, 1);
  memo = keep ? ks_node_memo_set_lookup (&pl->score_memos, key) : NULL;
  if (memo == NULL)
    {
      memo = ks_node_memo_new (g_new0 (ScoreSums, 1), score_sums_apply, score_sums_free);
      topo_init (&((ScoreSums *) ks_node_memo_get_sums (memo))->scores);
      if (keep)
        {
          const GDestroyNotify free_key[4] = { spec_unref, str_map_unref, NULL, str_map_unref };
          ks_pod_spec_ref ((KsPodSpec *) pod->spec);
          ks_str_map_ref (KS_OBJECT (pod)->meta.labels);
          ks_str_map_ref (in.in->ns_labels);
          ks_node_memo_set_insert (&pl->score_memos, key, free_key, memo);
        }
      else
        s->owned = memo;
    }
  ks_node_memo_refresh (memo, ctx->all_nodes, ctx->n_all_nodes, score_compute, &in);
  sums = ks_node_memo_get_sums (memo);
  s->sums = sums;
  for (guint t = 0; t < n_pref_affinity; t++)
    if (in.merged_affinity[t].names != NULL)
      g_ptr_array_unref (in.merged_affinity[t].names);
  for (guint t = 0; t < n_pref_anti; t++)
    if (in.merged_anti[t].names != NULL)
      g_ptr_array_unref (in.merged_anti[t].names);
  g_free (in.merged_affinity);
  g_free (in.merged_anti);
  incoming_unref (in.in);
  /* No term matched: nothing to score. */
  if (sums->n_matched == 0)
    {
      score_state_free (s);
      return KS_STATUS_SKIP;
    }
  cycle = cycle_get (ctx);
  score_state_free (cycle->score);
  cycle->score = s;
  return KS_STATUS_SUCCESS;
}

static gint64
ipa_score (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni)
{
  const Cycle *cycle = ctx->cycle;
  const ScoreState *s = cycle != NULL ? cycle->score : NULL;
  const KsStrMap *labels = ni->node->parent.meta.labels;
  GHashTableIter iter;
  gpointer key, values;
  gint64 score = 0;

  if (s == NULL)
    return 0;
  g_hash_table_iter_init (&iter, s->sums->scores.keys);
  while (g_hash_table_iter_next (&iter, &key, &values))
    {
      const char *value = ks_str_map_lookup (labels, key);
      if (value != NULL)
        score += (gint64) (gintptr) g_hash_table_lookup (values, value);
    }
  return score;
}

static void
ipa_normalize (KsPluginCtx *ctx, const KsPod *pod, KsNodeInfo *const *nodes, gint64 *scores,
               guint n)
{
  const Cycle *cycle = ctx->cycle;
  const ScoreState *s = cycle != NULL ? cycle->score : NULL;
  gint64 min = G_MAXINT64, max = G_MININT64, diff;

  if (s == NULL)
    return;
  for (guint i = 0; i < n; i++)
    {
      min = MIN (min, scores[i]);
      max = MAX (max, scores[i]);
    }
  diff = max - min;
  for (guint i = 0; i < n; i++)
    {
      double f = 0;
      if (diff > 0)
        f = (double) KS_MAX_NODE_SCORE * ((double) (scores[i] - min) / (double) diff);
      scores[i] = (gint64) f;
    }
}

static void
ipa_free_cycle (gpointer p)
{
  Cycle *cycle = p;

  filter_state_free (cycle->filter);
  score_state_free (cycle->score);
  g_free (cycle);
}

/* Args (InterPodAffinityArgs) */

static void
ipa_destroy (gpointer p)
{
  Ipa *pl = p;

  if (pl == NULL)
    return;
  ks_node_memo_set_clear (&pl->filter_memos);
  ks_node_memo_set_clear (&pl->score_memos);
  g_free (pl);
}

static gboolean
ipa_init (JsonNode *args, gpointer *instance, GError **error)
{
  static const char *const fields[]
      = { "hardPodAffinityWeight", "ignorePreferredTermsOfExistingPods", NULL };
  Ipa *pl = g_new0 (Ipa, 1);
  GString *lines = NULL;
  JsonNode *m;

  *instance = pl;
  pl->hard_pod_affinity_weight = 1;
  if (args == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (args))
    {
      g_set_error (error, KS_POLICY_ERROR, 0, "expected a mapping of InterPodAffinityArgs");
      return FALSE;
    }
  ks_args_check_fields (json_node_get_object (args), "", "InterPodAffinityArgs", fields, &lines);
  if ((m = ks_decoder_member (args, "hardPodAffinityWeight")) != NULL)
    {
      gint64 w;
      if (!ks_args_int (m, &w))
        ks_args_error (&lines, "hardPodAffinityWeight: expected an integer, got %s",
                       ks_decoder_node_type_name (m));
      /* ValidateInterPodAffinityArgs */
      else if (w < 0 || w > 100)
        ks_args_error (&lines,
                       "hardPodAffinityWeight: Invalid value: %" G_GINT64_FORMAT
                       ": not in valid range [0, 100]",
                       w);
      else
        pl->hard_pod_affinity_weight = (gint32) w;
    }
  if ((m = ks_decoder_member (args, "ignorePreferredTermsOfExistingPods")) != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (m) || json_node_get_value_type (m) != G_TYPE_BOOLEAN)
        ks_args_error (&lines, "ignorePreferredTermsOfExistingPods: expected true or false, got %s",
                       ks_decoder_node_type_name (m));
      else
        pl->ignore_preferred_terms_of_existing_pods = json_node_get_boolean (m);
    }
  return ks_args_finish (lines, error);
}

const KsSchedulerPlugin ks_plugin_inter_pod_affinity = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "InterPodAffinity",
  .default_weight = 2,
  .init = ipa_init,
  .destroy = ipa_destroy,
  .pre_filter = ipa_pre_filter,
  .filter = ipa_filter,
  .add_pod = ipa_add_pod,
  .remove_pod = ipa_remove_pod,
  .clone_cycle = ipa_clone_cycle,
  .pre_score = ipa_pre_score,
  .score = ipa_score,
  .normalize = ipa_normalize,
  .free_cycle = ipa_free_cycle,
};
