/* plugin-pod-topology-spread.c: PodTopologySpread (podtopologyspread/plugin.go, common.go,
 * filtering.go, scoring.go), as in kube-scheduler v1.32 with its default feature gates
 * (minDomains, nodeAffinityPolicy/nodeTaintsPolicy and matchLabelKeys on).
 *
 * Filter: for each DoNotSchedule constraint, the matching pods are counted per topology domain
 * once per cycle (PreFilter); a node fails when its domain's count + 1 (if the pod matches its
 * own selector) − the smallest domain count exceeds maxSkew.  Score: for each ScheduleAnyway
 * constraint, cnt · ln(domains + 2) + (maxSkew − 1), fewer matching pods scoring higher after
 * normalization.  A pod without constraints gets the args' default constraints (by default the
 * system ones: hostname maxSkew 3 and zone maxSkew 5, ScheduleAnyway) with a selector made from
 * the Services and the ReplicaSet that select it (helper.DefaultSelector); ReplicationControllers
 * and StatefulSets are not kinds kubesim has.
 *
 * The per-cycle state keeps counts per constraint and domain; AddPod/RemovePod update them for
 * preemption's what-if filtering. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ks-builtin-private.h"
#include "ks-match-cache.h"
#include "ks-node-memo.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-service.h"

#define HOSTNAME_KEY "kubernetes.io/hostname"
#define ZONE_KEY "topology.kubernetes.io/zone"

#define REASON_NOT_MATCH "node(s) didn't match pod topology spread constraints"
#define REASON_LABEL_MISSING                                                                       \
  "node(s) didn't match pod topology spread constraints (missing required label)"

/* The plugin's args. */
typedef struct
{
  KsTopologySpreadConstraints *defaults; /* NULL: none */
  gboolean system_defaulted;             /* defaultingType System */
  KsLabelSelector *everything;           /* an empty selector, shared */
  KsNodeMemoSet filter_memos;            /* PreFilter counts by question (ks-node-memo.h) */
  KsNodeMemoSet score_memos;             /* PreScore counts by question */
} Spread;

/* A constraint as the cycle uses it (topologySpreadConstraint): the selector parsed, the
 * defaults applied. */
typedef struct
{
  gint32 max_skew;
  const char *key; /* borrowed from the pod's spec or the args */
  gboolean hostname;
  KsLabelSelector *selector; /* NULL: selects nothing */
  KsStrMap *extra; /* pairs the pod must also have: matchLabelKeys, or the Services' selectors */
  gint32 min_domains;
  gboolean honor_affinity;
  gboolean honor_taints;
  /* Results by label map: pods of one template share theirs. */
  KsMatchCache matches;
} Constraint;

/* The constraints of one cycle, shared by the state and its clones. */
typedef struct
{
  gint ref_count;
  KsNodeMemo *owned_memo; /* counts no memo set keeps, or NULL */
  gboolean defaults;      /* the args' default constraints, with the pod's default selector */
  gboolean services;      /* ... which Services' selectors are part of */
  guint n;
  Constraint c[];
} ConstraintSet;

/* criticalPaths: the two domains with the fewest matching pods, as kube-scheduler keeps them
 * (exact after PreFilter; an approximation after AddPod/RemovePod, as upstream). */
typedef struct
{
  const char *value;
  gint64 count;
} Path;

/* A domain's count in the PreFilter sums, and how many nodes it has. */
typedef struct
{
  gint64 count;
  guint nodes;
} FilterDomain;

/* The PreFilter sums (in a memo): per constraint, domain value (interned) → FilterDomain. */
typedef struct
{
  guint n;
  GHashTable *domains[];
} FilterSums;

/* PreFilter state (preFilterState): the sums and this state's own changes (AddPod/RemovePod). */
typedef struct
{
  ConstraintSet *cs;
  const FilterSums *base;
  GHashTable **delta; /* per constraint: value (borrowed) → change, or NULL */
  guint *new_domains; /* per constraint: domains the changes made that base lacks */
  Path *paths;        /* per constraint: 2 entries */
} FilterState;

/* PreScore state (preScoreState).  The counts per domain, and each node's own counts (for the
 * hostname), come from a memo (the sums have the FilterSums shape: domain value → count). */
typedef struct
{
  ConstraintSet *cs;
  guint8 *ignored; /* per node index: the node lacks a topology key; NULL when none is */
  guint n_ignored_slots;
  KsNodeMemo *memo;
  const FilterSums *sums;
  double *weights;
} ScoreState;

typedef struct
{
  FilterState *filter;
  ScoreState *score;
} Cycle;

/* Constraints */

static ConstraintSet *
constraint_set_new (guint n)
{
  ConstraintSet *cs = g_malloc0 (sizeof *cs + n * sizeof (Constraint));
  cs->ref_count = 1;
  cs->n = n;
  return cs;
}

static void
constraint_set_unref (ConstraintSet *cs)
{
  if (cs == NULL || --cs->ref_count > 0)
    return;
  ks_node_memo_free (cs->owned_memo);
  for (guint i = 0; i < cs->n; i++)
    {
      ks_label_selector_unref (cs->c[i].selector);
      ks_str_map_unref (cs->c[i].extra);
      ks_match_cache_clear (&cs->c[i].matches);
    }
  g_free (cs);
}

static gboolean
constraint_matches (Constraint *c, KsStrMap *labels)
{
  guint64 result;

  if (!ks_match_cache_get (&c->matches, NULL, labels, NULL, &result))
    {
      result = ks_label_selector_matches (c->selector, labels)
               && ks_str_map_is_subset (c->extra, labels);
      ks_match_cache_put (&c->matches, NULL, labels, NULL, result);
    }
  return result != 0;
}

/* countPodsMatchSelector: pods on the node in namespace ns, not being deleted, that match. */
static gint64
count_matching (const KsNodeInfo *ni, Constraint *c, const char *ns)
{
  gint64 n = 0;

  for (guint i = 0; i < ni->n_pods; i++)
    {
      const KsPod *p = g_ptr_array_index (ni->pods, i);
      if (p->parent.meta.namespace != ns || ks_object_is_being_deleted (KS_OBJECT (p)))
        continue;
      n += constraint_matches (c, p->parent.meta.labels);
    }
  return n;
}

/* helper.DefaultSelector: the Services of the pod's namespace that select it (their selectors
 * merged) and its controlling ReplicaSet (its selector).  Sets *services and *rs (new
 * references, NULL when none); returns FALSE when the result selects everything (is empty). */
static gboolean
default_selector (KsPluginCtx *ctx, const KsPod *pod, KsStrMap **services, KsLabelSelector **rs)
{
  const KsObject *obj = KS_OBJECT (pod);
  const KsOwnerRef *owner;
  gboolean empty = TRUE;

  *services = NULL;
  *rs = NULL;
  if (ctx->handle == NULL || ctx->handle->list_objects == NULL)
    return FALSE;
  {
    g_autoptr (GPtrArray) list
        = ctx->handle->list_objects (ctx->handle->data, KS_KIND_SERVICE, obj->meta.namespace);
    for (guint i = 0; i < list->len; i++)
      {
        const KsService *svc = g_ptr_array_index (list, i);
        /* GetPodServices: a Service without a selector selects nothing. */
        if (svc->selector == NULL || !ks_str_map_is_subset (svc->selector, obj->meta.labels))
          continue;
        for (guint k = 0; k < ks_str_map_size (svc->selector); k++)
          {
            KsStrMap *merged = ks_str_map_with (*services, ks_str_map_key (svc->selector, k),
                                                ks_str_map_value (svc->selector, k));
            ks_str_map_unref (*services);
            *services = merged;
            empty = FALSE;
          }
      }
  }
  owner = ks_object_get_controller_ref (obj);
  if (owner != NULL && g_strcmp0 (owner->api_version, "apps/v1") == 0
      && g_strcmp0 (owner->kind, "ReplicaSet") == 0)
    {
      g_autoptr (GPtrArray) list
          = ctx->handle->list_objects (ctx->handle->data, KS_KIND_REPLICA_SET, obj->meta.namespace);
      for (guint i = 0; i < list->len; i++)
        {
          const KsReplicaSet *r = g_ptr_array_index (list, i);
          if (strcmp (r->parent.meta.name, owner->name) != 0 || r->selector == NULL)
            continue;
          *rs = ks_label_selector_ref (r->selector);
          if (!ks_label_selector_is_empty (r->selector))
            empty = FALSE;
          break;
        }
    }
  return !empty;
}

static void
constraint_init (Constraint *c, const KsTopologySpreadConstraint *t)
{
  c->max_skew = t->max_skew;
  c->key = t->topology_key;
  c->hostname = strcmp (t->topology_key, HOSTNAME_KEY) == 0;
  c->min_domains = t->min_domains > 0 ? t->min_domains : 1;
  c->honor_affinity = t->node_affinity_policy != KS_NODE_INCLUSION_IGNORE;
  c->honor_taints = t->node_taints_policy == KS_NODE_INCLUSION_HONOR;
}

/* getConstraints / initPreScoreState's choice: the pod's constraints with whenUnsatisfiable
 * action, or the default ones with the pod's default selector.  NULL when there are none. */
static ConstraintSet *
build_constraints (KsPluginCtx *ctx, const KsPod *pod, KsUnsatisfiableAction action)
{
  const Spread *pl = ctx->instance;
  const KsTopologySpreadConstraints *own = pod->spec->topology_spread_constraints;
  const KsTopologySpreadConstraints *from = own != NULL ? own : pl->defaults;
  KsStrMap *labels = KS_OBJECT (pod)->meta.labels;
  ConstraintSet *cs;
  guint n = 0, k = 0;

  for (guint i = 0; from != NULL && i < from->n; i++)
    n += from->items[i].when_unsatisfiable == action;
  if (n == 0)
    return NULL;
  if (own != NULL)
    {
      cs = constraint_set_new (n);
      for (guint i = 0; i < own->n; i++)
        {
          const KsTopologySpreadConstraint *t = &own->items[i];
          Constraint *c;
          if (t->when_unsatisfiable != action)
            continue;
          c = &cs->c[k++];
          constraint_init (c, t);
          c->selector = ks_label_selector_ref (t->label_selector);
          /* matchLabelKeys: the pod's values of those keys join the selector. */
          for (char **key = t->match_label_keys; key != NULL && *key != NULL; key++)
            {
              const char *value = ks_str_map_lookup (labels, *key);
              if (value != NULL)
                {
                  KsStrMap *m = ks_str_map_with (c->extra, *key, value);
                  ks_str_map_unref (c->extra);
                  c->extra = m;
                }
            }
        }
      return cs;
    }
  {
    g_autoptr (KsStrMap) services = NULL;
    g_autoptr (KsLabelSelector) rs = NULL;
    if (!default_selector (ctx, pod, &services, &rs))
      return NULL;
    cs = constraint_set_new (n);
    cs->defaults = TRUE;
    cs->services = services != NULL;
    for (guint i = 0; i < pl->defaults->n; i++)
      {
        const KsTopologySpreadConstraint *t = &pl->defaults->items[i];
        Constraint *c;
        if (t->when_unsatisfiable != action)
          continue;
        c = &cs->c[k++];
        constraint_init (c, t);
        c->selector = ks_label_selector_ref (rs != NULL ? rs : pl->everything);
        c->extra = ks_str_map_ref (services);
      }
  }
  return cs;
}

/* nodeLabelsMatchSpreadConstraints: the node has every topology key. */
static gboolean
has_all_keys (const KsNodeInfo *ni, const ConstraintSet *cs)
{
  const KsStrMap *labels = ni->node->parent.meta.labels;

  for (guint i = 0; i < cs->n; i++)
    if (!ks_str_map_contains (labels, cs->c[i].key))
      return FALSE;
  return TRUE;
}

/* The pod's required node affinity (nodeSelector and required terms) matches the node. */
static gboolean
node_affinity_matches (const KsPod *pod, const KsNodeInfo *ni)
{
  const KsPodSpec *spec = pod->spec;
  const KsStrMap *labels = ni->node->parent.meta.labels;

  return ks_str_map_is_subset (spec->node_selector, labels)
         && (spec->node_affinity == NULL || spec->node_affinity->required == NULL
             || ks_node_selector_matches (spec->node_affinity->required, labels, ni->name));
}

/* The node has a NoSchedule or NoExecute taint the pod does not tolerate. */
static gboolean
untolerated_taint (const KsPod *pod, const KsNodeInfo *ni)
{
  const KsNode *node = ni->node;

  for (guint i = 0; i < ni->n_taints; i++)
    {
      const KsTaint *t = &node->taints[i];
      if ((t->effect == KS_TAINT_NO_SCHEDULE || t->effect == KS_TAINT_NO_EXECUTE)
          && !ks_tolerations_tolerate (pod->spec->tolerations, pod->spec->n_tolerations, t))
        return TRUE;
    }
  return FALSE;
}

/* matchNodeInclusionPolicies; affinity is node_affinity_matches, computed once per node. */
static gboolean
node_included (const Constraint *c, const KsPod *pod, const KsNodeInfo *ni, gboolean affinity)
{
  return (!c->honor_affinity || affinity) && (!c->honor_taints || !untolerated_taint (pod, ni));
}

/* Filter state */

static void
paths_update (Path p[2], const char *value, gint64 count)
{
  int i = -1;

  if (p[0].value != NULL && strcmp (value, p[0].value) == 0)
    i = 0;
  else if (p[1].value != NULL && strcmp (value, p[1].value) == 0)
    i = 1;
  if (i >= 0)
    {
      p[i].count = count;
      if (p[0].count > p[1].count)
        {
          Path t = p[0];
          p[0] = p[1];
          p[1] = t;
        }
    }
  else if (count < p[0].count)
    {
      p[1] = p[0];
      p[0].value = value;
      p[0].count = count;
    }
  else if (count < p[1].count)
    {
      p[1].value = value;
      p[1].count = count;
    }
}

static FilterSums *
filter_sums_new (guint n)
{
  FilterSums *sums = g_malloc0 (sizeof *sums + n * sizeof (GHashTable *));

  sums->n = n;
  for (guint i = 0; i < n; i++)
    sums->domains[i] = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  return sums;
}

static void
filter_sums_free (gpointer p)
{
  FilterSums *sums = p;

  for (guint i = 0; i < sums->n; i++)
    g_hash_table_unref (sums->domains[i]);
  g_free (sums);
}

static void
filter_sums_apply (gpointer p, const KsNodeEntry *e, guint n, int sign)
{
  FilterSums *sums = p;

  for (guint k = 0; k < n; k++)
    {
      GHashTable *t = sums->domains[e[k].table];
      FilterDomain *d;
      if (e[k].value == NULL)
        continue; /* a node's own count (hostname), kept in its entries only */
      d = g_hash_table_lookup (t, e[k].value);
      if (d == NULL)
        {
          d = g_new0 (FilterDomain, 1);
          g_hash_table_insert (t, (gpointer) e[k].value, d);
        }
      d->count += sign * e[k].count;
      d->nodes += sign;
      if (d->nodes == 0)
        g_hash_table_remove (t, e[k].value);
    }
}

typedef struct
{
  const KsPod *pod;
  ConstraintSet *cs;
  gboolean any_honor;
} FilterCompute;

/* What one node contributes: for each constraint it takes part in, its domain and its matching
 * pods (calPreFilterState's processNode). */
static void
filter_compute (gpointer data, const KsNodeInfo *ni, GArray *out)
{
  const FilterCompute *fc = data;
  const char *ns = KS_OBJECT (fc->pod)->meta.namespace;
  gboolean affinity;

  if (ni->node == NULL || !has_all_keys (ni, fc->cs))
    return;
  affinity = !fc->any_honor || node_affinity_matches (fc->pod, ni);
  for (guint i = 0; i < fc->cs->n; i++)
    {
      Constraint *c = &fc->cs->c[i];
      KsNodeEntry e;
      if (!node_included (c, fc->pod, ni, affinity))
        continue;
      e.table = i;
      e.key = NULL;
      e.value = ks_intern (ks_str_map_lookup (ni->node->parent.meta.labels, c->key));
      e.count = count_matching (ni, c, ns);
      g_array_append_val (out, e);
    }
}

static void
spec_unref (gpointer p)
{
  ks_pod_spec_unref (p);
}

static void
str_map_unref (gpointer p)
{
  ks_str_map_unref (p);
}

/* The PreFilter sums for pod's constraints cs, brought up to date.  The question is the pod's
 * (spec, labels, namespace) when the constraints are its own: pods of one template share it.
 * Default constraints (their selector made per pod) get a memo of their own, not kept. */
static const FilterSums *
filter_sums (KsPluginCtx *ctx, const KsPod *pod, ConstraintSet *cs)
{
  Spread *pl = ctx->instance;
  FilterCompute fc = { pod, cs, FALSE };
  gboolean keep = pod->spec->topology_spread_constraints != NULL;
  gconstpointer key[4]
      = { pod->spec, KS_OBJECT (pod)->meta.labels, KS_OBJECT (pod)->meta.namespace, NULL };
  KsNodeMemo *memo = keep ? ks_node_memo_set_lookup (&pl->filter_memos, key) : NULL;

  for (guint i = 0; i < cs->n; i++)
    fc.any_honor |= cs->c[i].honor_affinity;
  if (memo == NULL)
    {
      memo = ks_node_memo_new (filter_sums_new (cs->n), filter_sums_apply, filter_sums_free);
      if (keep)
        {
          const GDestroyNotify free_key[4] = { spec_unref, str_map_unref, NULL, NULL };
          ks_pod_spec_ref ((KsPodSpec *) pod->spec);
          ks_str_map_ref (KS_OBJECT (pod)->meta.labels);
          ks_node_memo_set_insert (&pl->filter_memos, key, free_key, memo);
        }
      else
        cs->owned_memo = memo;
    }
  ks_node_memo_refresh (memo, ctx->all_nodes, ctx->n_all_nodes, filter_compute, &fc);
  return ks_node_memo_get_sums (memo);
}

static FilterState *
filter_state_new (ConstraintSet *cs, const FilterSums *base)
{
  FilterState *s = g_new0 (FilterState, 1);

  s->cs = cs;
  s->base = base;
  s->delta = g_new0 (GHashTable *, cs->n);
  s->new_domains = g_new0 (guint, cs->n);
  s->paths = g_new0 (Path, 2 * cs->n);
  return s;
}

static void
filter_state_free (FilterState *s)
{
  if (s == NULL)
    return;
  for (guint i = 0; i < s->cs->n; i++)
    if (s->delta[i] != NULL)
      g_hash_table_unref (s->delta[i]);
  g_free (s->delta);
  g_free (s->new_domains);
  g_free (s->paths);
  constraint_set_unref (s->cs);
  g_free (s);
}

/* TpValueToMatchNum[i][value]: the count, and whether the domain exists. */
static gint64
domain_count (const FilterState *s, guint i, const char *value, gboolean *exists)
{
  const FilterDomain *d = g_hash_table_lookup (s->base->domains[i], value);
  gpointer delta = NULL;
  gboolean changed
      = s->delta[i] != NULL && g_hash_table_lookup_extended (s->delta[i], value, NULL, &delta);

  if (exists != NULL)
    *exists = d != NULL || changed;
  return (d != NULL ? d->count : 0) + GPOINTER_TO_INT (delta);
}

static guint
n_domains (const FilterState *s, guint i)
{
  return g_hash_table_size (s->base->domains[i]) + s->new_domains[i];
}

static KsStatusCode
spread_pre_filter (KsPluginCtx *ctx, const KsPod *pod, KsStatus *status)
{
  ConstraintSet *cs = build_constraints (ctx, pod, KS_DO_NOT_SCHEDULE);
  FilterState *s;
  Cycle *cycle;

  if (cs == NULL)
    return KS_STATUS_SKIP;
  s = filter_state_new (cs, filter_sums (ctx, pod, cs));
  /* The critical paths: the smallest domain counts. */
  for (guint i = 0; i < cs->n; i++)
    {
      GHashTableIter iter;
      gpointer value, d;
      s->paths[2 * i] = s->paths[2 * i + 1] = (Path){ NULL, G_MAXINT32 };
      g_hash_table_iter_init (&iter, s->base->domains[i]);
      while (g_hash_table_iter_next (&iter, &value, &d))
        paths_update (&s->paths[2 * i], value, ((FilterDomain *) d)->count);
    }
  cycle = ctx->cycle;
  if (cycle == NULL)
    ctx->cycle = cycle = g_new0 (Cycle, 1);
  filter_state_free (cycle->filter);
  cycle->filter = s;
  return KS_STATUS_SUCCESS;
}

static KsStatusCode
spread_filter (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni, KsStatus *status)
{
  const Cycle *cycle = ctx->cycle;
  const FilterState *s = cycle != NULL ? cycle->filter : NULL;
  const KsStrMap *labels = ni->node->parent.meta.labels;

  if (s == NULL)
    return KS_STATUS_SUCCESS;
  for (guint i = 0; i < s->cs->n; i++)
    {
      Constraint *c = &s->cs->c[i];
      const char *value = ks_str_map_lookup (labels, c->key);
      gint64 min_match, self, skew;
      if (value == NULL)
        {
          ks_status_add_reason (status, REASON_LABEL_MISSING);
          return KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE;
        }
      /* minMatchNum: with fewer eligible domains than minDomains the global minimum is 0. */
      min_match = n_domains (s, i) < (guint) c->min_domains ? 0 : s->paths[2 * i].count;
      self = constraint_matches (c, KS_OBJECT (pod)->meta.labels);
      skew = domain_count (s, i, value, NULL) + self - min_match;
      if (skew > c->max_skew)
        {
          ks_status_add_reason (status, REASON_NOT_MATCH);
          return KS_STATUS_UNSCHEDULABLE;
        }
    }
  return KS_STATUS_SUCCESS;
}

/* updateWithPod: other was added to (delta 1) or removed from (−1) node, for pod's state. */
static void
update_with_pod (KsPluginCtx *ctx, const KsPod *pod, const KsPod *other, const KsNodeInfo *ni,
                 gint64 delta)
{
  Cycle *cycle = ctx->cycle;
  FilterState *s = cycle != NULL ? cycle->filter : NULL;
  gboolean affinity;

  if (s == NULL || ni->node == NULL
      || KS_OBJECT (other)->meta.namespace != KS_OBJECT (pod)->meta.namespace
      || !has_all_keys (ni, s->cs))
    return;
  affinity = node_affinity_matches (pod, ni);
  for (guint i = 0; i < s->cs->n; i++)
    {
      Constraint *c = &s->cs->c[i];
      const char *value;
      gboolean exists;
      gpointer old = NULL;
      if (!constraint_matches (c, KS_OBJECT (other)->meta.labels)
          || !node_included (c, pod, ni, affinity))
        continue;
      value = ks_str_map_lookup (ni->node->parent.meta.labels, c->key);
      domain_count (s, i, value, &exists);
      if (!exists)
        s->new_domains[i]++;
      if (s->delta[i] == NULL)
        s->delta[i] = g_hash_table_new (g_str_hash, g_str_equal);
      g_hash_table_lookup_extended (s->delta[i], value, NULL, &old);
      g_hash_table_insert (s->delta[i], (gpointer) value,
                           GINT_TO_POINTER (GPOINTER_TO_INT (old) + delta));
      paths_update (&s->paths[2 * i], value, domain_count (s, i, value, NULL));
    }
}

static void
spread_add_pod (KsPluginCtx *ctx, const KsPod *pod, const KsPod *added, const KsNodeInfo *ni)
{
  update_with_pod (ctx, pod, added, ni, 1);
}

static void
spread_remove_pod (KsPluginCtx *ctx, const KsPod *pod, const KsPod *removed, const KsNodeInfo *ni)
{
  update_with_pod (ctx, pod, removed, ni, -1);
}

/* Score state */

static void
score_state_free (ScoreState *s)
{
  if (s == NULL)
    return;
  g_free (s->weights);
  g_free (s->ignored);
  constraint_set_unref (s->cs);
  g_free (s);
}

static gboolean
is_ignored (const ScoreState *s, const KsNodeInfo *ni)
{
  return s->ignored != NULL && ni->index < s->n_ignored_slots && s->ignored[ni->index];
}

typedef struct
{
  const KsPod *pod;
  ConstraintSet *cs;
  gboolean require_all;
  gboolean any_honor;
} ScoreCompute;

/* What one node contributes to scoring: for the hostname, its matching pods (Score counts them
 * whatever the inclusion policies); for other keys, its domain (a missing label reads as "",
 * Go's map lookup) and matching pods, when it takes part (PreScore's processAllNode). */
static void
score_compute (gpointer data, const KsNodeInfo *ni, GArray *out)
{
  const ScoreCompute *sc = data;
  const char *ns = KS_OBJECT (sc->pod)->meta.namespace;
  gboolean affinity;

  if (ni->node == NULL || (sc->require_all && !has_all_keys (ni, sc->cs)))
    return;
  affinity = !sc->any_honor || node_affinity_matches (sc->pod, ni);
  for (guint i = 0; i < sc->cs->n; i++)
    {
      Constraint *c = &sc->cs->c[i];
      KsNodeEntry e = { i, NULL, NULL, 0 };
      if (!c->hostname)
        {
          const char *value;
          if (!node_included (c, sc->pod, ni, affinity))
            continue;
          value = ks_str_map_lookup (ni->node->parent.meta.labels, c->key);
          e.value = ks_intern (value != NULL ? value : "");
        }
      e.count = count_matching (ni, c, ns);
      g_array_append_val (out, e);
    }
}

/* Score's count of node ni for constraint i: from the memo when it has the node, else counted. */
static gint64
node_count (const ScoreState *s, const KsPod *pod, const KsNodeInfo *ni, guint i)
{
  guint n;
  const KsNodeEntry *e = ks_node_memo_node_entries (s->memo, ni, &n);

  for (guint k = 0; e != NULL && k < n; k++)
    if (e[k].table == i)
      return e[k].count;
  return count_matching (ni, &s->cs->c[i], KS_OBJECT (pod)->meta.namespace);
}

static void
label_selector_unref (gpointer p)
{
  ks_label_selector_unref (p);
}

/* The memo of scoring counts for cs, brought up to date.  The question is the pod's (spec,
 * labels, namespace) for its own constraints, (spec, default selector, namespace) for the
 * defaults; a default selector with Services' selectors in it is made anew each cycle and not
 * kept. */
static KsNodeMemo *
score_memo (KsPluginCtx *ctx, const KsPod *pod, ConstraintSet *cs, gboolean require_all)
{
  Spread *pl = ctx->instance;
  ScoreCompute sc = { pod, cs, require_all, FALSE };
  gboolean keep = !cs->services;
  gconstpointer key[4]
      = { pod->spec, KS_OBJECT (pod)->meta.labels, KS_OBJECT (pod)->meta.namespace, NULL };
  KsNodeMemo *memo;

  if (cs->defaults)
    {
      key[1] = cs->c[0].selector;
      key[3] = pl;
    }
  for (guint i = 0; i < cs->n; i++)
    sc.any_honor |= cs->c[i].honor_affinity;
  memo = keep ? ks_node_memo_set_lookup (&pl->score_memos, key) : NULL;
  if (memo == NULL)
    {
      memo = ks_node_memo_new (filter_sums_new (cs->n), filter_sums_apply, filter_sums_free);
      if (keep)
        {
          const GDestroyNotify free_key[4]
              = { spec_unref, cs->defaults ? label_selector_unref : str_map_unref, NULL, NULL };
          ks_pod_spec_ref ((KsPodSpec *) pod->spec);
          if (cs->defaults)
            ks_label_selector_ref ((KsLabelSelector *) key[1]);
          else
            ks_str_map_ref ((KsStrMap *) key[1]);
          ks_node_memo_set_insert (&pl->score_memos, key, free_key, memo);
        }
      else
        cs->owned_memo = memo;
    }
  ks_node_memo_refresh (memo, ctx->all_nodes, ctx->n_all_nodes, score_compute, &sc);
  return memo;
}

static KsStatusCode
spread_pre_score (KsPluginCtx *ctx, const KsPod *pod, KsNodeInfo *const *nodes, guint n)
{
  const Spread *pl = ctx->instance;
  ConstraintSet *cs;
  ScoreState *s;
  Cycle *cycle;
  gboolean require_all;
  guint n_ignored = 0;
  GHashTable **seen;

  if (ctx->n_all_nodes == 0)
    return KS_STATUS_SKIP;
  cs = build_constraints (ctx, pod, KS_SCHEDULE_ANYWAY);
  if (cs == NULL)
    return KS_STATUS_SKIP;
  /* Only non-default spreading needs every topology key: nodes without a zone label are still
   * spread by hostname under the system defaults. */
  require_all = pod->spec->topology_spread_constraints != NULL || !pl->system_defaulted;
  s = g_new0 (ScoreState, 1);
  s->cs = cs;
  s->weights = g_new0 (double, cs->n);
  s->memo = score_memo (ctx, pod, cs, require_all);
  s->sums = ks_node_memo_get_sums (s->memo);
  /* initPreScoreState: the ignored nodes, and the size of each topology among the others: the
   * number of nodes for the hostname, of distinct values (interned) otherwise. */
  seen = g_newa (GHashTable *, cs->n);
  for (guint i = 0; i < cs->n; i++)
    seen[i] = cs->c[i].hostname ? NULL : g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint k = 0; k < n; k++)
    {
      const KsNodeInfo *ni = nodes[k];
      guint ne;
      const KsNodeEntry *e;
      if (require_all && !has_all_keys (ni, cs))
        {
          if (s->ignored == NULL)
            {
              for (guint j = 0; j < n; j++)
                s->n_ignored_slots = MAX (s->n_ignored_slots, nodes[j]->index + 1);
              s->ignored = g_new0 (guint8, s->n_ignored_slots);
            }
          s->ignored[ni->index] = 1;
          n_ignored++;
          continue;
        }
      e = ks_node_memo_node_entries (s->memo, ni, &ne);
      for (guint i = 0; i < cs->n; i++)
        {
          const char *value = NULL;
          if (cs->c[i].hostname)
            continue;
          for (guint q = 0; e != NULL && q < ne && value == NULL; q++)
            if (e[q].table == i)
              value = e[q].value;
          if (value == NULL)
            {
              value = ks_str_map_lookup (ni->node->parent.meta.labels, cs->c[i].key);
              value = ks_intern (value != NULL ? value : "");
            }
          g_hash_table_add (seen[i], (gpointer) value);
        }
    }
  for (guint i = 0; i < cs->n; i++)
    {
      guint size = cs->c[i].hostname ? n - n_ignored : g_hash_table_size (seen[i]);
      s->weights[i] = log ((double) (size + 2));
      if (seen[i] != NULL)
        g_hash_table_unref (seen[i]);
    }
  cycle = ctx->cycle;
  if (cycle == NULL)
    ctx->cycle = cycle = g_new0 (Cycle, 1);
  score_state_free (cycle->score);
  cycle->score = s;
  return KS_STATUS_SUCCESS;
}

static gint64
spread_score (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *ni)
{
  const Cycle *cycle = ctx->cycle;
  const ScoreState *s = cycle != NULL ? cycle->score : NULL;
  const KsStrMap *labels = ni->node->parent.meta.labels;
  double score = 0;

  if (s == NULL || is_ignored (s, ni))
    return 0;
  for (guint i = 0; i < s->cs->n; i++)
    {
      Constraint *c = &s->cs->c[i];
      const char *value = ks_str_map_lookup (labels, c->key);
      gint64 cnt;
      if (value == NULL)
        continue;
      if (c->hostname)
        cnt = node_count (s, pod, ni, i);
      else
        {
          /* the sums over every node that takes part, not only the feasible ones */
          const FilterDomain *d = g_hash_table_lookup (s->sums->domains[i], value);
          cnt = d != NULL ? d->count : 0;
        }
      /* scoreForCount */
      score += (double) cnt * s->weights[i] + (double) (c->max_skew - 1);
    }
  return (gint64) round (score);
}

static void
spread_normalize (KsPluginCtx *ctx, const KsPod *pod, KsNodeInfo *const *nodes, gint64 *scores,
                  guint n)
{
  const Cycle *cycle = ctx->cycle;
  const ScoreState *s = cycle != NULL ? cycle->score : NULL;
  gint64 min = G_MAXINT64, max = 0;

  if (s == NULL)
    return;
  for (guint i = 0; i < n; i++)
    {
      if (is_ignored (s, nodes[i]))
        continue;
      min = MIN (min, scores[i]);
      max = MAX (max, scores[i]);
    }
  for (guint i = 0; i < n; i++)
    {
      if (is_ignored (s, nodes[i]))
        scores[i] = 0;
      else if (max == 0)
        scores[i] = KS_MAX_NODE_SCORE;
      else
        scores[i] = KS_MAX_NODE_SCORE * (max + min - scores[i]) / max;
    }
}

/* The cycle */

static void
spread_free_cycle (gpointer p)
{
  Cycle *cycle = p;

  filter_state_free (cycle->filter);
  score_state_free (cycle->score);
  g_free (cycle);
}

static gpointer
spread_clone_cycle (gconstpointer p)
{
  const Cycle *cycle = p;
  Cycle *copy = g_new0 (Cycle, 1);
  const FilterState *s = cycle->filter;

  /* Only the filter state matters to what-if filtering. */
  if (s != NULL)
    {
      FilterState *c = filter_state_new (s->cs, s->base);
      s->cs->ref_count++;
      for (guint i = 0; i < s->cs->n; i++)
        {
          c->new_domains[i] = s->new_domains[i];
          c->paths[2 * i] = s->paths[2 * i];
          c->paths[2 * i + 1] = s->paths[2 * i + 1];
          if (s->delta[i] != NULL)
            {
              GHashTableIter iter;
              gpointer k, v;
              c->delta[i] = g_hash_table_new (g_str_hash, g_str_equal);
              g_hash_table_iter_init (&iter, s->delta[i]);
              while (g_hash_table_iter_next (&iter, &k, &v))
                g_hash_table_insert (c->delta[i], k, v);
            }
        }
      copy->filter = c;
    }
  return copy;
}

/* Args (PodTopologySpreadArgs) */

static KsTopologySpreadConstraints *
system_defaults (void)
{
  KsTopologySpreadConstraints *c = g_malloc0 (sizeof *c + 2 * sizeof (KsTopologySpreadConstraint));

  c->ref_count = 1;
  c->n = 2;
  c->items[0].topology_key = g_strdup (HOSTNAME_KEY);
  c->items[0].when_unsatisfiable = KS_SCHEDULE_ANYWAY;
  c->items[0].max_skew = 3;
  c->items[1].topology_key = g_strdup (ZONE_KEY);
  c->items[1].when_unsatisfiable = KS_SCHEDULE_ANYWAY;
  c->items[1].max_skew = 5;
  return c;
}

static void
spread_destroy (gpointer p)
{
  Spread *pl = p;

  if (pl == NULL)
    return;
  ks_topology_spread_constraints_unref (pl->defaults);
  ks_label_selector_unref (pl->everything);
  ks_node_memo_set_clear (&pl->filter_memos);
  ks_node_memo_set_clear (&pl->score_memos);
  g_free (pl);
}

static gboolean
spread_init (JsonNode *args, gpointer *instance, GError **error)
{
  static const char *const fields[] = { "defaultConstraints", "defaultingType", NULL };
  static const char *const constraint_fields[]
      = { "maxSkew",          "topologyKey",    "whenUnsatisfiable",
          "labelSelector",    "minDomains",     "nodeAffinityPolicy",
          "nodeTaintsPolicy", "matchLabelKeys", NULL };
  g_autoptr (KsDiag) diag = ks_diag_new ();
  Spread *pl = g_new0 (Spread, 1);
  const char *type = "System";
  GString *lines = NULL;
  KsDecoder dec;
  JsonNode *m;

  *instance = pl;
  pl->everything = ks_label_selector_new (NULL);
  if (args != NULL && !JSON_NODE_HOLDS_OBJECT (args))
    {
      g_set_error (error, KS_POLICY_ERROR, 0, "expected a mapping of PodTopologySpreadArgs");
      return FALSE;
    }
  if (args != NULL)
    ks_args_check_fields (json_node_get_object (args), "", "PodTopologySpreadArgs", fields, &lines);
  ks_decoder_init (&dec, NULL, diag);
  if ((m = ks_decoder_member (args, "defaultingType")) != NULL)
    {
      if (JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_STRING)
        type = json_node_get_string (m);
      else
        ks_decoder_error_field (&dec, args, "defaultingType", "expected a string, got %s",
                                ks_decoder_node_type_name (m));
      /* SetDefaults_PodTopologySpreadArgs: "" means System. */
      if (*type == '\0')
        type = "System";
    }
  if ((m = ks_decoder_member (args, "defaultConstraints")) != NULL)
    {
      gsize mark = ks_decoder_push (&dec, "defaultConstraints");
      /* kube-scheduler decodes its configuration strictly: no unknown field in a constraint */
      for (guint i = 0;
           JSON_NODE_HOLDS_ARRAY (m) && i < json_array_get_length (json_node_get_array (m)); i++)
        {
          gsize mark2 = ks_decoder_push_index (&dec, i);
          ks_decoder_check_fields (&dec, json_array_get_element (json_node_get_array (m), i),
                                   constraint_fields);
          ks_decoder_pop (&dec, mark2);
        }
      pl->defaults = ks_topology_spread_constraints_decode (&dec, m, TRUE);
      ks_decoder_pop (&dec, mark);
    }
  /* validateDefaultingType */
  if (strcmp (type, "System") != 0 && strcmp (type, "List") != 0)
    ks_decoder_error_field (&dec, args, "defaultingType",
                            "Unsupported value: \"%s\": supported values: \"System\", \"List\"",
                            type);
  else if (strcmp (type, "System") == 0 && m != NULL && JSON_NODE_HOLDS_ARRAY (m)
           && json_array_get_length (json_node_get_array (m)) > 0)
    ks_decoder_error_field (&dec, args, "defaultingType",
                            "Invalid value: \"System\": when .defaultConstraints are not empty");
  ks_decoder_clear (&dec);
  /* One problem a line, "field.path: message" (ks-builtin-private.h). */
  for (guint i = 0; i < ks_diag_get_count (diag); i++)
    ks_args_error (&lines, "%s", ks_diag_get (diag, i));
  if (!ks_args_finish (lines, error))
    return FALSE;
  if (strcmp (type, "System") == 0)
    {
      ks_topology_spread_constraints_unref (pl->defaults);
      pl->defaults = system_defaults ();
      pl->system_defaulted = TRUE;
    }
  else if (pl->defaults != NULL && pl->defaults->n == 0)
    g_clear_pointer (&pl->defaults, ks_topology_spread_constraints_unref);
  return TRUE;
}

const KsSchedulerPlugin ks_plugin_pod_topology_spread = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "PodTopologySpread",
  .default_weight = 2,
  .init = spread_init,
  .destroy = spread_destroy,
  .pre_filter = spread_pre_filter,
  .filter = spread_filter,
  .add_pod = spread_add_pod,
  .remove_pod = spread_remove_pod,
  .clone_cycle = spread_clone_cycle,
  .pre_score = spread_pre_score,
  .score = spread_score,
  .normalize = spread_normalize,
  .free_cycle = spread_free_cycle,
};
