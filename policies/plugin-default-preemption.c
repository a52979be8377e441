/* plugin-default-preemption.c: DefaultPreemption, the PostFilter plugin of kube-scheduler v1.32
 * (defaultpreemption/default_preemption.go, framework/preemption/preemption.go,
 * scheduler/util/utils.go).
 *
 * When no node passed the filters, it looks for a node where removing pods of lower priority
 * (the victims) lets the pod fit: eligibility, the nodes the filters marked Unschedulable, a dry
 * run on copies of their views from a random offset until enough candidates are found, the
 * fewest victims on each (all lower-priority pods removed, then reprieved one by one, budget
 * violators first), and one node by five criteria.  It answers with the node and its victims;
 * the scheduler deletes them and nominates the pod (src/scheduler/ks-scheduler.c).  Everything
 * it evaluates goes through the framework handle (copies of node views, cloned cycle states,
 * the filters with nominated pods), so it never changes the scheduler's own state. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ks-builtin-private.h"
#include "src/api/ks-pdb.h"
#include "src/ks-clock.h"
#include "src/ks-rng.h"

#define ARGS_ERROR KS_POLICY_ERROR

/* DefaultPreemptionArgs defaults (apis/config/v1/defaults.go). */
#define DEFAULT_MIN_CANDIDATE_NODES_PERCENTAGE 10
#define DEFAULT_MIN_CANDIDATE_NODES_ABSOLUTE 100

#define NO_VICTIMS "No preemption victims found for incoming pod"
#define NOT_HELPFUL "Preemption is not helpful for scheduling"

typedef struct
{
  gint32 min_candidate_nodes_percentage;
  gint32 min_candidate_nodes_absolute;
} PreemptionArgs;

static gboolean
int32_member (JsonObject *o, const char *member, gint32 *out, GError **error)
{
  JsonNode *n = json_object_get_member (o, member);
  gint64 v;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64
      || (v = json_node_get_int (n)) < G_MININT32 || v > G_MAXINT32)
    {
      g_set_error (error, ARGS_ERROR, 0, "%s: expected an integer", member);
      return FALSE;
    }
  *out = (gint32) v;
  return TRUE;
}

/* New and ValidateDefaultPreemptionArgs. */
static gboolean
preemption_init (JsonNode *args, gpointer *instance, GError **error)
{
  static const char *const fields[]
      = { "minCandidateNodesPercentage", "minCandidateNodesAbsolute", "apiVersion", "kind", NULL };
  PreemptionArgs *a = g_new (PreemptionArgs, 1);
  JsonObject *o;
  g_autoptr (GList) members = NULL;

  a->min_candidate_nodes_percentage = DEFAULT_MIN_CANDIDATE_NODES_PERCENTAGE;
  a->min_candidate_nodes_absolute = DEFAULT_MIN_CANDIDATE_NODES_ABSOLUTE;
  *instance = a;
  if (args == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (args))
    {
      g_set_error (error, ARGS_ERROR, 0, "expected a mapping of DefaultPreemptionArgs");
      return FALSE;
    }
  o = json_node_get_object (args);
  members = json_object_get_members (o);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (fields, l->data))
      {
        g_set_error (error, ARGS_ERROR, 0,
                     "unknown field \"%s\"; valid fields: minCandidateNodesPercentage, "
                     "minCandidateNodesAbsolute",
                     (const char *) l->data);
        return FALSE;
      }
  if (json_object_has_member (o, "kind")
      && g_strcmp0 (json_object_get_string_member_with_default (o, "kind", ""),
                    "DefaultPreemptionArgs")
             != 0)
    {
      g_set_error (error, ARGS_ERROR, 0, "kind: expected DefaultPreemptionArgs");
      return FALSE;
    }
  if (!int32_member (o, "minCandidateNodesPercentage", &a->min_candidate_nodes_percentage, error)
      || !int32_member (o, "minCandidateNodesAbsolute", &a->min_candidate_nodes_absolute, error))
    return FALSE;
  if (a->min_candidate_nodes_percentage < 0 || a->min_candidate_nodes_percentage > 100)
    {
      g_set_error (error, ARGS_ERROR, 0,
                   "minCandidateNodesPercentage: Invalid value: %d: not in valid range [0, 100]",
                   a->min_candidate_nodes_percentage);
      return FALSE;
    }
  if (a->min_candidate_nodes_absolute < 0)
    {
      g_set_error (error, ARGS_ERROR, 0,
                   "minCandidateNodesAbsolute: Invalid value: %d: not in valid range [0, inf)",
                   a->min_candidate_nodes_absolute);
      return FALSE;
    }
  if (a->min_candidate_nodes_percentage == 0 && a->min_candidate_nodes_absolute == 0)
    {
      g_set_error (error, ARGS_ERROR, 0,
                   "minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the same "
                   "time as minCandidateNodesAbsolute");
      return FALSE;
    }
  return TRUE;
}

guint
ks_preemption_num_candidates (gint32 percentage, gint32 absolute, guint n_nodes)
{
  gint64 n = (gint64) n_nodes * percentage / 100;

  if (n < absolute)
    n = absolute;
  if (n > (gint64) n_nodes)
    n = n_nodes;
  return (guint) n;
}

/* util.GetPodStartTime: status.startTime, or now for a pod that has not started. */
static gint64
start_time (const KsPod *pod, gint64 now)
{
  return pod->start_time != KS_TIME_NONE ? pod->start_time : now;
}

gboolean
ks_preemption_more_important (const KsPod *a, const KsPod *b, gint64 now)
{
  gint32 pa = ks_pod_get_priority (a), pb = ks_pod_get_priority (b);

  if (pa != pb)
    return pa > pb;
  return start_time (a, now) < start_time (b, now);
}

/* A stable insertion sort by importance, most important first (victim lists are short).  Go's
 * sort.Slice is not stable: pods equal in priority and start time may come out in another
 * order there. */
static void
sort_by_importance (GPtrArray *pods, gint64 now)
{
  for (guint i = 1; i < pods->len; i++)
    {
      gpointer p = pods->pdata[i];
      guint j = i;
      while (j > 0 && ks_preemption_more_important (p, pods->pdata[j - 1], now))
        {
          pods->pdata[j] = pods->pdata[j - 1];
          j--;
        }
      pods->pdata[j] = p;
    }
}

/* podTerminatingByPreemption */
static gboolean
terminating_by_preemption (const KsPod *pod)
{
  const KsCondition *c = &pod->conditions[KS_POD_COND_DISRUPTION_TARGET];

  return ks_object_is_being_deleted (KS_OBJECT (pod)) && c->status == KS_CONDITION_TRUE
         && g_strcmp0 (c->reason, "PreemptionByScheduler") == 0;
}

/* PodEligibleToPreemptOthers: NULL when pod may preempt, else the reason. */
static const char *
not_eligible (KsPluginCtx *ctx, const KsPod *pod, const KsStatusCode *codes)
{
  const char *nominated = ks_pod_get_status_string (pod, KS_POD_NOMINATED_NODE_NAME);
  gint32 priority = ks_pod_get_priority (pod);

  if (pod->spec->has_preemption_policy && pod->spec->preemption_policy == KS_PREEMPT_NEVER)
    return "not eligible due to preemptionPolicy=Never.";
  if (nominated == NULL || nominated[0] == '\0')
    return NULL;
  nominated = ks_intern (nominated);
  for (guint i = 0; i < ctx->n_all_nodes; i++)
    {
      const KsNodeInfo *node = ctx->all_nodes[i];
      if (node->name != nominated)
        continue;
      /* A nominated node the filters found Unresolvable is worth preempting elsewhere. */
      if (codes[i] == KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE)
        return NULL;
      for (guint k = 0; k < node->pods->len; k++)
        {
          const KsPod *p = g_ptr_array_index (node->pods, k);
          if (ks_pod_get_priority (p) < priority && terminating_by_preemption (p))
            return "not eligible due to a terminating pod on the nominated node.";
        }
      return NULL;
    }
  return NULL; /* the nominated node is gone: its status is Unresolvable */
}

/* filterPodsWithPDBViolation: split pods (most important first) into those whose eviction
 * would exceed a budget's disruptionsAllowed and the others, keeping the order. */
static void
split_by_pdb (GPtrArray *pods, GPtrArray *pdbs, GPtrArray *violating, GPtrArray *non_violating)
{
  g_autofree gint64 *allowed = g_new (gint64, MAX (pdbs->len, 1));

  for (guint i = 0; i < pdbs->len; i++)
    allowed[i] = KS_POD_DISRUPTION_BUDGET (g_ptr_array_index (pdbs, i))->status.disruptions_allowed;
  for (guint v = 0; v < pods->len; v++)
    {
      const KsPod *pod = g_ptr_array_index (pods, v);
      gboolean violated = FALSE;
      for (guint i = 0; i < pdbs->len; i++)
        {
          const KsPodDisruptionBudget *pdb = g_ptr_array_index (pdbs, i);
          if (!ks_pdb_selects_for_preemption (pdb, pod))
            continue;
          /* Already disrupted through the eviction API: not counted again. */
          if (ks_pdb_disrupted_time (pdb, pod->parent.meta.name) != KS_TIME_NONE)
            continue;
          if (--allowed[i] < 0)
            violated = TRUE;
        }
      g_ptr_array_add (violated ? violating : non_violating, (gpointer) pod);
    }
}

/* Add or remove pod on the copy and tell the plugins' cloned states. */
static void
what_if (KsPluginCtx *ctx, KsCycleState *state, const KsPod *pod, KsNodeInfo *node,
         const KsPod *other, gboolean add)
{
  const KsFrameworkHandle *h = ctx->handle;

  if (add)
    {
      ks_node_info_add_pod (node, other);
      h->add_pod (h->data, state, pod, other, node);
    }
  else
    {
      ks_node_info_remove_pod (node, other);
      h->remove_pod (h->data, state, pod, other, node);
    }
}

/* SelectVictimsOnNode on a copy of node with a copy of the states: the fewest pods of lower
 * priority to remove so that pod fits.  Returns SUCCESS with the victims (most important
 * first) and the number that violate a budget, or the failure, with reasons in status. */
static KsStatusCode
select_victims (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *original, GPtrArray *pdbs,
                GPtrArray *victims, guint *n_violating, KsStatus *status)
{
  const KsFrameworkHandle *h = ctx->handle;
  KsNodeInfo *node;
  KsCycleState *state;
  g_autoptr (GPtrArray) potential = g_ptr_array_new ();
  g_autoptr (GPtrArray) violating = g_ptr_array_new ();
  g_autoptr (GPtrArray) non_violating = g_ptr_array_new ();
  gint32 priority = ks_pod_get_priority (pod);
  KsStatusCode code;

  *n_violating = 0;
  /* Every pod of lower priority goes first (in the node's order)... */
  for (guint i = 0; i < original->pods->len; i++)
    {
      const KsPod *p = g_ptr_array_index (original->pods, i);
      if (ks_pod_get_priority (p) < priority)
        g_ptr_array_add (potential, (gpointer) p);
    }
  /* Without any, the node is no candidate: known before the copies (on a full cluster most
   * nodes hold only pods as important as the pod, and copying each cost more than the rest). */
  if (potential->len == 0)
    {
      status->n_reasons = 0;
      ks_status_add_reason (status, NO_VICTIMS);
      return status->code = KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE;
    }
  node = ks_node_info_copy (original);
  state = h->clone_state (h->data);
  for (guint i = 0; i < potential->len; i++)
    what_if (ctx, state, pod, node, g_ptr_array_index (potential, i), FALSE);
  /* ... and if the pod does not fit even then, the node is no candidate. */
  code = h->run_filters (h->data, state, pod, node, status);
  if (code != KS_STATUS_SUCCESS)
    goto out;
  /* Reprieve as many as possible, most important first, budget violators before the rest. */
  sort_by_importance (potential, ctx->now);
  split_by_pdb (potential, pdbs, violating, non_violating);
  for (guint group = 0; group < 2; group++)
    {
      GPtrArray *pods = group == 0 ? violating : non_violating;
      for (guint i = 0; i < pods->len; i++)
        {
          const KsPod *p = g_ptr_array_index (pods, i);
          KsStatus probe = { 0 };
          what_if (ctx, state, pod, node, p, TRUE);
          if (h->run_filters (h->data, state, pod, node, &probe) == KS_STATUS_SUCCESS)
            continue;
          what_if (ctx, state, pod, node, p, FALSE);
          g_ptr_array_add (victims, ks_object_ref (KS_OBJECT (p)));
          if (group == 0)
            (*n_violating)++;
        }
    }
  if (violating->len > 0 && non_violating->len > 0)
    sort_by_importance (victims, ctx->now);
  code = KS_STATUS_SUCCESS;
out:
  h->free_state (h->data, state);
  ks_node_info_free (node);
  return code;
}

/* util.GetEarliestPodStartTime: the earliest start among the victims of the highest
 * priority. */
static gint64
earliest_start (const KsPreemptionCandidate *c, gint64 now)
{
  const KsPod *first = g_ptr_array_index (c->victims, 0);
  gint32 max_priority = ks_pod_get_priority (first);
  gint64 earliest = start_time (first, now);

  for (guint i = 0; i < c->victims->len; i++)
    {
      const KsPod *p = g_ptr_array_index (c->victims, i);
      gint32 pr = ks_pod_get_priority (p);
      if (pr == max_priority && start_time (p, now) < earliest)
        earliest = start_time (p, now);
      else if (pr > max_priority)
        {
          max_priority = pr;
          earliest = start_time (p, now);
        }
    }
  return earliest;
}

/* The score of candidate c by criterion k of pickOneNodeForPreemption; higher is better. */
static gint64
criterion (const KsPreemptionCandidate *c, guint k, gint64 now)
{
  gint64 sum = 0;

  switch (k)
    {
    case 0: /* fewest budget violations */
      return -(gint64) c->n_pdb_violations;
    case 1: /* lowest priority of the most important victim */
      return -(gint64) ks_pod_get_priority (g_ptr_array_index (c->victims, 0));
    case 2: /* smallest sum of priorities, each shifted by MaxInt32 + 1 to be positive */
      for (guint i = 0; i < c->victims->len; i++)
        sum += (gint64) ks_pod_get_priority (g_ptr_array_index (c->victims, i))
               + (gint64) G_MAXINT32 + 1;
      return -sum;
    case 3: /* fewest victims */
      return -(gint64) c->victims->len;
    default: /* latest start among the highest-priority victims */
      return earliest_start (c, now);
    }
}

guint
ks_preemption_pick_candidate (const KsPreemptionCandidate *candidates, guint n, gint64 now)
{
  g_autofree guint *keep = g_new (guint, MAX (n, 1));
  guint n_keep = n;

  g_return_val_if_fail (n > 0, 0);
  for (guint i = 0; i < n; i++)
    {
      /* A node that needs no preemption at all wins at once. */
      if (candidates[i].victims->len == 0)
        return i;
      keep[i] = i;
    }
  for (guint k = 0; k < 5 && n_keep > 1; k++)
    {
      gint64 best = G_MININT64;
      guint m = 0;
      for (guint i = 0; i < n_keep; i++)
        best = MAX (best, criterion (&candidates[keep[i]], k, now));
      for (guint i = 0; i < n_keep; i++)
        if (criterion (&candidates[keep[i]], k, now) == best)
          keep[m++] = keep[i];
      n_keep = m;
    }
  /* Still tied: the first, in the order the candidates were found (non-violating first). */
  return keep[0];
}

static int
cmp_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* A failed node of the dry run, for the message. */
typedef struct
{
  KsStatus status;
} NodeFailure;

/* FitError.Error() of the dry run: "0/N nodes are available: <histogram>.", the nodes not
 * tried counting as "Preemption is not helpful for scheduling". */
static const char *
no_candidate_message (guint n_all, GArray *failures)
{
  g_autoptr (GHashTable) histogram = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  GString *s = g_string_new (NULL);
  GHashTableIter iter;
  gpointer reason, count;
  g_autofree char *text = NULL;
  /* The first reasons are counted by pointer (most failures share a handful of constant or
   * interned reasons), then merged by text: hashing each failure's text cost more than the
   * rest of a failed preemption on a full cluster.  The items are sorted, so the order of
   * the merges does not matter. */
  const char *seen[8];
  guint seen_counts[8], n_seen = 0;

  for (guint i = 0; i < failures->len; i++)
    {
      const KsStatus *st = &g_array_index (failures, NodeFailure, i).status;
      for (guint r = 0; r < st->n_reasons; r++)
        {
          const char *why = st->reasons[r];
          guint j;
          for (j = 0; j < n_seen && seen[j] != why; j++)
            ;
          if (j < n_seen)
            seen_counts[j]++;
          else if (n_seen < G_N_ELEMENTS (seen))
            {
              seen[n_seen] = why;
              seen_counts[n_seen++] = 1;
            }
          else
            g_hash_table_insert (
                histogram, (gpointer) why,
                GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (histogram, why)) + 1));
        }
    }
  for (guint j = 0; j < n_seen; j++)
    g_hash_table_insert (
        histogram, (gpointer) seen[j],
        GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (histogram, seen[j]))
                          + seen_counts[j]));
  if (failures->len < n_all)
    g_hash_table_insert (
        histogram, (gpointer) NOT_HELPFUL,
        GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (histogram, NOT_HELPFUL)) + n_all
                          - failures->len));
  g_hash_table_iter_init (&iter, histogram);
  while (g_hash_table_iter_next (&iter, &reason, &count))
    g_ptr_array_add (items,
                     g_strdup_printf ("%u %s", GPOINTER_TO_UINT (count), (const char *) reason));
  g_ptr_array_sort (items, cmp_strings);
  g_string_append_printf (s, "preemption: 0/%u nodes are available:", n_all);
  for (guint i = 0; i < items->len; i++)
    g_string_append_printf (s, "%s%s", i == 0 ? " " : ", ",
                            (const char *) g_ptr_array_index (items, i));
  if (items->len > 0)
    g_string_append_c (s, '.');
  text = g_string_free (s, FALSE);
  return ks_intern (text);
}

static void
candidate_clear (gpointer p)
{
  KsPreemptionCandidate *c = p;
  g_clear_pointer (&c->victims, g_ptr_array_unref);
}

/* PostFilter (Evaluator.Preempt). */
static KsStatusCode
preemption_post_filter (KsPluginCtx *ctx, const KsPod *pod, const KsStatusCode *codes,
                        KsPostFilterResult *result, KsStatus *status)
{
  const PreemptionArgs *args = ctx->instance;
  const KsFrameworkHandle *h = ctx->handle;
  const char *why = not_eligible (ctx, pod, codes);
  g_autoptr (GPtrArray) potential = NULL;
  g_autoptr (GPtrArray) pdbs = NULL;
  g_autoptr (GArray) non_violating = NULL;
  g_autoptr (GArray) violating = NULL;
  g_autoptr (GArray) failures = NULL;
  guint n, k, offset, chosen;
  KsPreemptionCandidate *all;
  guint n_candidates;

  if (why != NULL)
    {
      g_autofree char *text = g_strdup_printf ("preemption: %s", why);
      ks_status_add_reason (status, ks_intern (text));
      return KS_STATUS_UNSCHEDULABLE;
    }

  /* Nodes where removing pods may help: those the filters found Unschedulable, in node-list
   * order. */
  potential = g_ptr_array_new ();
  for (guint i = 0; i < ctx->n_all_nodes; i++)
    if (codes[i] == KS_STATUS_UNSCHEDULABLE)
      g_ptr_array_add (potential, ctx->all_nodes[i]);
  failures = g_array_new (FALSE, TRUE, sizeof (NodeFailure));
  n = potential->len;
  if (n == 0)
    {
      result->clear = TRUE;
      ks_status_add_reason (status, no_candidate_message (ctx->n_all_nodes, failures));
      return KS_STATUS_UNSCHEDULABLE;
    }

  /* DryRunPreemption from a random offset, until there is a candidate that violates no
   * budget and k candidates in all.  Each list keeps at most k (candidateList). */
  pdbs = h->list_objects (h->data, KS_KIND_POD_DISRUPTION_BUDGET, NULL);
  k = ks_preemption_num_candidates (args->min_candidate_nodes_percentage,
                                    args->min_candidate_nodes_absolute, n);
  /* (One node: the offset is 0 without a draw, which leaves the stream to host selection.) */
  offset = n > 1 ? (guint) ks_rng_uniform (ctx->rng, n) : 0;
  non_violating = g_array_new (FALSE, TRUE, sizeof (KsPreemptionCandidate));
  violating = g_array_new (FALSE, TRUE, sizeof (KsPreemptionCandidate));
  g_array_set_clear_func (non_violating, candidate_clear);
  g_array_set_clear_func (violating, candidate_clear);
  for (guint i = 0; i < n; i++)
    {
      const KsNodeInfo *node = g_ptr_array_index (potential, (offset + i) % n);
      KsPreemptionCandidate c = { node->name, NULL, 0 };
      NodeFailure f = { { 0 } };
      KsStatusCode code;

      c.victims = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
      code = select_victims (ctx, pod, node, pdbs, c.victims, &c.n_pdb_violations, &f.status);
      if (code == KS_STATUS_SUCCESS && c.victims->len > 0)
        {
          GArray *list = c.n_pdb_violations == 0 ? non_violating : violating;
          if (list->len < k)
            g_array_append_val (list, c);
          else
            candidate_clear (&c);
          if (non_violating->len > 0 && non_violating->len + violating->len >= k)
            break;
          continue;
        }
      candidate_clear (&c);
      if (code == KS_STATUS_SUCCESS)
        {
          /* Cannot happen here (the node failed the filters with these pods on it). */
          g_autofree char *text
              = g_strdup_printf ("expected at least one victim pod on node \"%s\"", node->name);
          f.status.code = KS_STATUS_ERROR;
          f.status.n_reasons = 0;
          ks_status_add_reason (&f.status, ks_intern (text));
        }
      g_array_append_val (failures, f);
    }

  n_candidates = non_violating->len + violating->len;
  if (n_candidates == 0)
    {
      result->clear = TRUE;
      ks_status_add_reason (status, no_candidate_message (ctx->n_all_nodes, failures));
      return KS_STATUS_UNSCHEDULABLE;
    }

  /* SelectCandidate over the non-violating candidates, then the violating ones. */
  all = g_new (KsPreemptionCandidate, n_candidates);
  /* An empty GArray's data may be NULL, which memcpy must not see even for 0 bytes. */
  if (non_violating->len > 0)
    memcpy (all, non_violating->data, non_violating->len * sizeof *all);
  if (violating->len > 0)
    memcpy (all + non_violating->len, violating->data, violating->len * sizeof *all);
  chosen = ks_preemption_pick_candidate (all, n_candidates, ctx->now);
  result->nominated = all[chosen].node;
  for (guint i = 0; i < all[chosen].victims->len; i++)
    g_ptr_array_add (result->victims, ks_object_ref (g_ptr_array_index (all[chosen].victims, i)));
  g_free (all);
  return KS_STATUS_SUCCESS;
}

const KsSchedulerPlugin ks_plugin_default_preemption = {
  .abi_version = KS_POLICY_ABI_VERSION,
  .name = "DefaultPreemption",
  .init = preemption_init,
  .destroy = g_free,
  .post_filter = preemption_post_filter,
};
