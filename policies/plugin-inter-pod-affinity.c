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
#include "src/api/ks-namespace.h"

#define REASON_AFFINITY "node(s) didn't match pod affinity rules"
#define REASON_ANTI_AFFINITY "node(s) didn't match pod anti-affinity rules"
#define REASON_EXISTING_ANTI_AFFINITY "node(s) didn't satisfy existing pods anti-affinity rules"

typedef struct
{
  gint32 hard_pod_affinity_weight;
  gboolean ignore_preferred_terms_of_existing_pods;
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
} Incoming;

/* topologyToMatchedTermCount: key → (value → count); both strings borrowed (topology keys of
 * pod specs and node label values, alive through the cycle). */
typedef struct
{
  GHashTable *keys;
  guint n_pairs;
} TopoCounts;

typedef struct
{
  Incoming *in;
  TopoCounts existing_anti; /* pairs of existing pods' anti-affinity terms matching the pod */
  TopoCounts affinity;      /* pairs of pods matching all the pod's affinity terms */
  TopoCounts anti;          /* pairs of pods matching the pod's anti-affinity terms */
} FilterState;

typedef struct
{
  TopoCounts scores; /* topologyScore */
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

/* update: add delta to (key, node's value of key) when the node has the label. */
static void
topo_update (TopoCounts *m, const KsNodeInfo *ni, const char *key, gint64 delta, gboolean drop_zero)
{
  const char *value = ks_str_map_lookup (ni->node->parent.meta.labels, key);

  if (value != NULL)
    topo_add (m, key, value, delta, drop_zero);
}

static void
topo_copy (TopoCounts *dst, const TopoCounts *src)
{
  GHashTableIter iter;
  gpointer key, values;

  topo_init (dst);
  g_hash_table_iter_init (&iter, src->keys);
  while (g_hash_table_iter_next (&iter, &key, &values))
    {
      GHashTableIter inner;
      gpointer value, count;
      g_hash_table_iter_init (&inner, values);
      while (g_hash_table_iter_next (&inner, &value, &count))
        topo_add (dst, key, value, (gint64) (gintptr) count, FALSE);
    }
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

/* The counts existing (on node ni) contributes, times delta: its required anti-affinity terms
 * matching the incoming pod; and, as a pod matched by the incoming pod's required terms. */
static void
count_existing_anti (KsPluginCtx *ctx, FilterState *s, const KsPod *existing, const KsNodeInfo *ni,
                     gint64 delta)
{
  const KsPodAffinity *aa = existing->spec->pod_anti_affinity;

  for (guint t = 0; aa != NULL && t < aa->n_required; t++)
    {
      const KsPodAffinityTerm *term = &aa->required[t];
      if (cached_existing_term_matches (ctx, s->in, term, existing))
        topo_update (&s->existing_anti, ni, term->topology_key, delta, TRUE);
    }
}

static void
count_incoming (FilterState *s, const KsPod *existing, const KsNodeInfo *ni, gint64 delta)
{
  Incoming *in = s->in;
  guint64 v = incoming_matches (in, existing);

  if (v & ALL_AFFINITY_BIT)
    for (guint t = 0; t < in->n_affinity; t++)
      topo_update (&s->affinity, ni, in->affinity[t]->topology_key, delta, TRUE);
  for (guint t = 0; t < in->n_anti; t++)
    if (t < 63 ? (v & (G_GUINT64_CONSTANT (1) << t)) != 0
               : incoming_term_matches (in->anti[t], &in->merged_anti[t], in->pod, existing))
      topo_update (&s->anti, ni, in->anti[t]->topology_key, delta, TRUE);
}

static FilterState *
filter_state_new (Incoming *in)
{
  FilterState *s = g_new0 (FilterState, 1);

  s->in = in;
  topo_init (&s->existing_anti);
  topo_init (&s->affinity);
  topo_init (&s->anti);
  return s;
}

static void
filter_state_free (FilterState *s)
{
  if (s == NULL)
    return;
  topo_clear (&s->existing_anti);
  topo_clear (&s->affinity);
  topo_clear (&s->anti);
  incoming_unref (s->in);
  g_free (s);
}

static void
score_state_free (ScoreState *s)
{
  if (s == NULL)
    return;
  topo_clear (&s->scores);
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

static KsStatusCode
ipa_pre_filter (KsPluginCtx *ctx, const KsPod *pod, KsStatus *status)
{
  FilterState *s = NULL;
  Cycle *cycle;
  guint first = 0;

  /* Most pods have no affinity terms and most clusters no pod with required anti-affinity:
   * find the first node with such pods in a tight loop. */
  if ((pod->spec->pod_affinity == NULL || pod->spec->pod_affinity->n_required == 0)
      && (pod->spec->pod_anti_affinity == NULL || pod->spec->pod_anti_affinity->n_required == 0))
    {
      KsNodeInfo *const *all = ctx->all_nodes;
      guint n = ctx->n_all_nodes;
      while (first < n && all[first]->pods_with_required_anti_affinity == NULL)
        first++;
      if (first == n)
        return KS_STATUS_SKIP;
    }
  /* getExistingAntiAffinityCounts: only nodes with pods with required anti-affinity. */
  for (guint k = first; k < ctx->n_all_nodes; k++)
    {
      const KsNodeInfo *ni = ctx->all_nodes[k];
      GPtrArray *list = ni->pods_with_required_anti_affinity;
      for (guint i = 0; list != NULL && i < list->len; i++)
        {
          if (s == NULL)
            s = filter_state_new (incoming_new (ctx, pod));
          count_existing_anti (ctx, s, g_ptr_array_index (list, i), ni, 1);
        }
    }
  if ((s == NULL || s->existing_anti.n_pairs == 0)
      && (pod->spec->pod_affinity == NULL || pod->spec->pod_affinity->n_required == 0)
      && (pod->spec->pod_anti_affinity == NULL || pod->spec->pod_anti_affinity->n_required == 0))
    {
      filter_state_free (s);
      return KS_STATUS_SKIP;
    }
  if (s == NULL)
    s = filter_state_new (incoming_new (ctx, pod));
  /* getIncomingAffinityAntiAffinityCounts: every pod of every node. */
  if (s->in->n_affinity > 0 || s->in->n_anti > 0)
    for (guint k = 0; k < ctx->n_all_nodes; k++)
      {
        const KsNodeInfo *ni = ctx->all_nodes[k];
        for (guint i = 0; i < ni->n_pods; i++)
          count_incoming (s, g_ptr_array_index (ni->pods, i), ni, 1);
      }
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
      if (topo_get (&s->affinity, key, value) <= 0)
        pods_exist = FALSE;
    }
  if (pods_exist)
    return TRUE;
  /* The first pod of a group whose pods have affinity to each other: no pod anywhere matches
   * and the pod matches its own terms. */
  return s->affinity.n_pairs == 0 && matches_all_affinity_terms (in, in->pod);
}

static gboolean
satisfy_pod_anti_affinity (const FilterState *s, const KsNodeInfo *ni)
{
  const Incoming *in = s->in;
  const KsStrMap *labels = ni->node->parent.meta.labels;

  if (s->anti.n_pairs == 0)
    return TRUE;
  for (guint t = 0; t < in->n_anti; t++)
    {
      const char *key = in->anti[t]->topology_key;
      const char *value = ks_str_map_lookup (labels, key);
      if (value != NULL && topo_get (&s->anti, key, value) > 0)
        return FALSE;
    }
  return TRUE;
}

static gboolean
satisfy_existing_pods_anti_affinity (const FilterState *s, const KsNodeInfo *ni)
{
  const KsStrMap *labels = ni->node->parent.meta.labels;

  if (s->existing_anti.n_pairs == 0)
    return TRUE;
  for (guint i = 0; i < ks_str_map_size (labels); i++)
    if (topo_get (&s->existing_anti, ks_str_map_key (labels, i), ks_str_map_value (labels, i)) > 0)
      return FALSE;
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

  if (s == NULL || ni->node == NULL)
    return;
  count_existing_anti (ctx, s, other, ni, delta);
  count_incoming (s, other, ni, delta);
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

  /* Only the filter state matters to what-if filtering. */
  if (s != NULL)
    {
      FilterState *c = g_new0 (FilterState, 1);
      c->in = s->in;
      c->in->ref_count++;
      topo_copy (&c->existing_anti, &s->existing_anti);
      topo_copy (&c->affinity, &s->affinity);
      topo_copy (&c->anti, &s->anti);
      copy->filter = c;
    }
  return copy;
}

/* Score */

/* processTerm: term (of the pod owning it) matched against target: weight·multiplier on the
 * pair of node ni. */
static void
score_term (ScoreState *s, const KsNodeInfo *ni, const KsPodAffinityTerm *term, gint64 weight,
            gboolean matches)
{
  if (matches)
    topo_update (&s->scores, ni, term->topology_key, weight, FALSE);
}

typedef struct
{
  KsPluginCtx *ctx;
  const KsPod *pod;
  Incoming *in; /* for the namespace labels and the merged namespaces of preferred terms */
  MergedNs *merged_affinity, *merged_anti; /* per preferred term of the incoming pod */
  gint32 hard_weight;
} ScoreInput;

/* processExistingPod */
static void
score_existing_pod (ScoreState *s, const ScoreInput *in, const KsPod *existing,
                    const KsNodeInfo *ni)
{
  const KsPodAffinity *a = in->pod->spec->pod_affinity, *aa = in->pod->spec->pod_anti_affinity;
  const KsPodAffinity *ea = existing->spec->pod_affinity, *eaa = existing->spec->pod_anti_affinity;

  if (ks_str_map_size (ni->node->parent.meta.labels) == 0)
    return;
  for (guint t = 0; a != NULL && t < a->n_preferred; t++)
    score_term (
        s, ni, &a->preferred[t].term, a->preferred[t].weight,
        incoming_term_matches (&a->preferred[t].term, &in->merged_affinity[t], in->pod, existing));
  for (guint t = 0; aa != NULL && t < aa->n_preferred; t++)
    score_term (
        s, ni, &aa->preferred[t].term, -(gint64) aa->preferred[t].weight,
        incoming_term_matches (&aa->preferred[t].term, &in->merged_anti[t], in->pod, existing));
  if (in->hard_weight > 0)
    for (guint t = 0; ea != NULL && t < ea->n_required; t++)
      score_term (s, ni, &ea->required[t], in->hard_weight,
                  cached_existing_term_matches (in->ctx, in->in, &ea->required[t], existing));
  for (guint t = 0; ea != NULL && t < ea->n_preferred; t++)
    score_term (s, ni, &ea->preferred[t].term, ea->preferred[t].weight,
                cached_existing_term_matches (in->ctx, in->in, &ea->preferred[t].term, existing));
  for (guint t = 0; eaa != NULL && t < eaa->n_preferred; t++)
    score_term (s, ni, &eaa->preferred[t].term, -(gint64) eaa->preferred[t].weight,
                cached_existing_term_matches (in->ctx, in->in, &eaa->preferred[t].term, existing));
}

static KsStatusCode
ipa_pre_score (KsPluginCtx *ctx, const KsPod *pod, KsNodeInfo *const *nodes, guint n)
{
  const Ipa *pl = ctx->instance;
  const KsPodAffinity *a = pod->spec->pod_affinity, *aa = pod->spec->pod_anti_affinity;
  guint n_pref_affinity = a != NULL ? a->n_preferred : 0;
  guint n_pref_anti = aa != NULL ? aa->n_preferred : 0;
  gboolean has_constraints = n_pref_affinity > 0 || n_pref_anti > 0;
  ScoreState *s = NULL;
  ScoreInput in = { ctx, pod, NULL, NULL, NULL, pl->hard_pod_affinity_weight };
  Cycle *cycle;
  guint first = 0;

  if (pl->ignore_preferred_terms_of_existing_pods && !has_constraints)
    return KS_STATUS_SKIP;
  if (!has_constraints)
    {
      /* Only pods with affinity terms can count: find the first node with some in a tight
       * loop (most clusters have none). */
      KsNodeInfo *const *all = ctx->all_nodes;
      guint n_all = ctx->n_all_nodes;
      while (first < n_all && all[first]->pods_with_affinity == NULL)
        first++;
      if (first == n_all)
        return KS_STATUS_SKIP;
    }
  for (guint k = first; k < ctx->n_all_nodes; k++)
    {
      const KsNodeInfo *ni = ctx->all_nodes[k];
      /* Without preferred terms of its own, only pods with affinity terms can count. */
      GPtrArray *pods = has_constraints ? ni->pods : ni->pods_with_affinity;
      for (guint i = 0; pods != NULL && i < pods->len; i++)
        {
          if (s == NULL)
            {
              s = g_new0 (ScoreState, 1);
              topo_init (&s->scores);
              in.in = g_new0 (Incoming, 1);
              in.in->ref_count = 1;
              in.in->pod = pod;
              in.merged_affinity = g_new0 (MergedNs, MAX (n_pref_affinity, 1));
              in.merged_anti = g_new0 (MergedNs, MAX (n_pref_anti, 1));
              for (guint t = 0; t < n_pref_affinity; t++)
                merge_namespaces (ctx, &a->preferred[t].term, &in.merged_affinity[t]);
              for (guint t = 0; t < n_pref_anti; t++)
                merge_namespaces (ctx, &aa->preferred[t].term, &in.merged_anti[t]);
            }
          score_existing_pod (s, &in, g_ptr_array_index (pods, i), ni);
        }
    }
  if (in.in != NULL)
    {
      for (guint t = 0; t < n_pref_affinity; t++)
        if (in.merged_affinity[t].names != NULL)
          g_ptr_array_unref (in.merged_affinity[t].names);
      for (guint t = 0; t < n_pref_anti; t++)
        if (in.merged_anti[t].names != NULL)
          g_ptr_array_unref (in.merged_anti[t].names);
      g_free (in.merged_affinity);
      g_free (in.merged_anti);
      incoming_unref (in.in);
    }
  if (s == NULL || s->scores.n_pairs == 0)
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
  g_hash_table_iter_init (&iter, s->scores.keys);
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

  if (s == NULL || s->scores.n_pairs == 0)
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

static gboolean
ipa_init (JsonNode *args, gpointer *instance, GError **error)
{
  Ipa *pl = g_new0 (Ipa, 1);
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
  if ((m = ks_decoder_member (args, "hardPodAffinityWeight")) != NULL)
    {
      gint64 w;
      if (!JSON_NODE_HOLDS_VALUE (m) || json_node_get_value_type (m) != G_TYPE_INT64)
        {
          g_set_error (error, KS_POLICY_ERROR, 0,
                       "hardPodAffinityWeight: expected an integer, got %s",
                       ks_decoder_node_type_name (m));
          return FALSE;
        }
      w = json_node_get_int (m);
      /* ValidateInterPodAffinityArgs */
      if (w < 0 || w > 100)
        {
          g_set_error (error, KS_POLICY_ERROR, 0,
                       "hardPodAffinityWeight: Invalid value: %" G_GINT64_FORMAT
                       ": not in valid range [0, 100]",
                       w);
          return FALSE;
        }
      pl->hard_pod_affinity_weight = (gint32) w;
    }
  if ((m = ks_decoder_member (args, "ignorePreferredTermsOfExistingPods")) != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (m) || json_node_get_value_type (m) != G_TYPE_BOOLEAN)
        {
          g_set_error (error, KS_POLICY_ERROR, 0,
                       "ignorePreferredTermsOfExistingPods: expected true or false, got %s",
                       ks_decoder_node_type_name (m));
          return FALSE;
        }
      pl->ignore_preferred_terms_of_existing_pods = json_node_get_boolean (m);
    }
  return TRUE;
}

const KsSchedulerPlugin ks_plugin_inter_pod_affinity = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "InterPodAffinity",
  .default_weight = 2,
  .init = ipa_init,
  .destroy = g_free,
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
