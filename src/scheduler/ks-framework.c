/* ks-framework.c: the scheduling cycle (schedule_one.go, framework/runtime/framework.go). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ks-framework.h"
#include "src/ks-rng.h"

/* schedule_one.go constants */
#define MIN_FEASIBLE_NODES_TO_FIND 100
#define MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND 5
/* Distinct reasons the histogram counts without its table (a cycle usually has one to three). */
#define HIST_CACHE 8

typedef struct
{
  const KsSchedulerPlugin *plugin;
  KsPluginCtx ctx; /* instance and per-cycle state */
} Instance;

typedef struct
{
  Instance *inst;
  gint64 weight;
} Slot;

struct _KsFramework
{
  char *name;
  gint32 percentage;           /* resolved: the profile's or the global value */
  GPtrArray *instances;        /* Instance*, one per plugin */
  GPtrArray *observers;        /* Instance* with observe_pod or observe_node */
  GArray *points[KS_N_POINTS]; /* Slot */
  gsl_rng *rng;
  guint next_start_node_index;
  /* Buffers reused across cycles. */
  GPtrArray *feasible;   /* KsNodeInfo* */
  guint feasible_room;   /* feasible's allocated length (GPtrArray keeps it, never shrinking) */
  GArray *scores;        /* gint64, n_score × n_feasible */
  GArray *totals;        /* gint64 per feasible node */
  GArray *codes;         /* KsStatusCode per node (for PostFilter) */
  GPtrArray *ran_score;  /* Slot* of the score plugins that ran last cycle */
  GHashTable *histogram; /* reason pointer → count (merged by text for the message) */
  /* The histogram's first reasons of the cycle, counted here before they go to the table (a
   * lookup and an insert per rejected node cost more than the filters on a full cluster). */
  const char *hist_reasons[HIST_CACHE];
  guint hist_counts[HIST_CACHE];
  guint n_hist;          /* entries used; HIST_CACHE + 1 once flushed (the table counts) */
  gboolean *skip_filter; /* per filter slot, set by PreFilter SKIP */
  Slot **active_filters; /* the filter slots PreFilter did not skip, in order */
  guint n_active_filters;
  KsFrameworkHandle handle;
  KsFrameworkLister lister;
  gpointer lister_data;
  KsNominator *nominator;
  gboolean any_nominated; /* this cycle: some pod is nominated somewhere */
  KsFrameworkImageCounter image_counter;
  gpointer image_counter_data;
  /* Explain mode (ks_framework_set_explain): every node filtered, every feasible node scored,
   * what each node got kept; NULL arrays when off. */
  gboolean explain;
  GArray *statuses;   /* KsStatus per node index */
  GArray *raw_scores; /* gint64 like scores, before NormalizeScore */
  KsFrameworkAffinityCounts affinity_counts;
  gpointer affinity_counts_data;
};

/* Every plugin instance's cycle pointer, in fw->instances order.  A plugin without clone_cycle
 * shares its state with the original (CycleState.Clone of a StateData that returns itself):
 * owned[i] says whether cycles[i] is this state's own copy. */
struct _KsCycleState
{
  guint n;
  gboolean *owned;
  gpointer cycles[];
};

static void end_cycle (KsFramework *fw);
static void handle_init (KsFramework *fw);
static KsStatusCode run_filters_nominated (KsFramework *fw, KsCycleState *state, const KsPod *pod,
                                           const KsNodeInfo *node, KsStatus *status);

static Instance *
instance_for (KsFramework *fw, const KsSchedulerPlugin *plugin)
{
  for (guint i = 0; i < fw->instances->len; i++)
    {
      Instance *inst = g_ptr_array_index (fw->instances, i);
      if (inst->plugin == plugin)
        return inst;
    }
  return NULL;
}

static void
instance_free (gpointer p)
{
  Instance *inst = p;
  if (inst->plugin->destroy != NULL)
    inst->plugin->destroy (inst->ctx.instance);
  g_free (inst);
}

KsFramework *
ks_framework_new (const KsProfileConfig *profile, gint32 global_percentage, guint64 seed,
                  GError **error)
{
  KsFramework *fw = g_new0 (KsFramework, 1);
  g_autofree char *stream = g_strdup_printf ("scheduler/%s", profile->scheduler_name);

  fw->name = g_strdup (profile->scheduler_name);
  fw->percentage = profile->percentage_of_nodes_to_score >= 0
                       ? profile->percentage_of_nodes_to_score
                       : global_percentage;
  fw->instances = g_ptr_array_new_with_free_func (instance_free);
  fw->rng = ks_rng_new (seed, stream);
  for (guint e = 0; e < KS_N_POINTS; e++)
    {
      GArray *entries = profile->points[e];
      fw->points[e] = g_array_new (FALSE, FALSE, sizeof (Slot));
      for (guint i = 0; i < entries->len; i++)
        {
          const KsPluginEntry *entry = &g_array_index (entries, KsPluginEntry, i);
          Instance *inst = instance_for (fw, entry->plugin);
          Slot slot;
          if (inst == NULL)
            {
              JsonNode *args = g_hash_table_lookup (profile->args, entry->plugin->name);
              inst = g_new0 (Instance, 1);
              inst->plugin = entry->plugin;
              inst->ctx.rng = fw->rng;
              inst->ctx.handle = &fw->handle;
              if (args != NULL && JSON_NODE_HOLDS_NULL (args))
                args = NULL;
              if (entry->plugin->init != NULL
                  && !entry->plugin->init (args, &inst->ctx.instance, error))
                {
                  g_prefix_error (error, "profile %s, plugin %s: ", profile->scheduler_name,
                                  entry->plugin->name);
                  instance_free (inst);
                  ks_framework_free (fw);
                  return NULL;
                }
              g_ptr_array_add (fw->instances, inst);
            }
          slot.inst = inst;
          slot.weight = entry->weight;
          g_array_append_val (fw->points[e], slot);
        }
    }
  fw->observers = g_ptr_array_new ();
  for (guint i = 0; i < fw->instances->len; i++)
    {
      Instance *inst = g_ptr_array_index (fw->instances, i);
      if (inst->plugin->observe_pod != NULL || inst->plugin->observe_node != NULL)
        g_ptr_array_add (fw->observers, inst);
    }
  fw->feasible = g_ptr_array_new ();
  fw->scores = g_array_new (FALSE, FALSE, sizeof (gint64));
  fw->totals = g_array_new (FALSE, FALSE, sizeof (gint64));
  fw->codes = g_array_new (FALSE, FALSE, sizeof (KsStatusCode));
  fw->ran_score = g_ptr_array_new ();
  /* By pointer, as every failing node adds its reasons (a pod that fits may meet hundreds):
   * two plugins may report the same text from different pointers, which the message merges. */
  fw->histogram = g_hash_table_new (g_direct_hash, g_direct_equal);
  fw->skip_filter = g_new0 (gboolean, MAX (fw->points[KS_POINT_FILTER]->len, 1));
  fw->active_filters = g_new0 (Slot *, MAX (fw->points[KS_POINT_FILTER]->len, 1));
  handle_init (fw);
  return fw;
}

void
ks_framework_set_lister (KsFramework *fw, KsFrameworkLister lister, gpointer data)
{
  fw->lister = lister;
  fw->lister_data = data;
}

void
ks_framework_set_nominator (KsFramework *fw, KsNominator *nominator)
{
  fw->nominator = nominator;
}

void
ks_framework_set_image_counter (KsFramework *fw, KsFrameworkImageCounter counter, gpointer data)
{
  fw->image_counter = counter;
  fw->image_counter_data = data;
}

void
ks_framework_set_affinity_counts (KsFramework *fw, KsFrameworkAffinityCounts counts, gpointer data)
{
  fw->affinity_counts = counts;
  fw->affinity_counts_data = data;
}

void
ks_framework_free (KsFramework *fw)
{
  if (fw == NULL)
    return;
  if (fw->feasible != NULL)
    end_cycle (fw);
  if (fw->observers != NULL)
    g_ptr_array_unref (fw->observers);
  g_ptr_array_unref (fw->instances);
  for (guint e = 0; e < KS_N_POINTS; e++)
    if (fw->points[e] != NULL)
      g_array_unref (fw->points[e]);
  if (fw->feasible != NULL)
    {
      g_ptr_array_unref (fw->feasible);
      g_array_unref (fw->scores);
      g_array_unref (fw->totals);
      g_array_unref (fw->codes);
      g_ptr_array_unref (fw->ran_score);
      g_hash_table_unref (fw->histogram);
    }
  if (fw->statuses != NULL)
    {
      g_array_unref (fw->statuses);
      g_array_unref (fw->raw_scores);
    }
  g_free (fw->skip_filter);
  g_free (fw->active_filters);
  gsl_rng_free (fw->rng);
  g_free (fw->name);
  g_free (fw);
}

const char *
ks_framework_get_name (KsFramework *fw)
{
  return fw->name;
}

gboolean
ks_framework_has_observers (KsFramework *fw)
{
  return fw->observers->len > 0;
}

gboolean
ks_framework_observe_pod (KsFramework *fw, const KsPod *pod, const KsNodeInfo *node, gboolean added)
{
  gboolean resort = FALSE;

  for (guint i = 0; i < fw->observers->len; i++)
    {
      Instance *inst = g_ptr_array_index (fw->observers, i);
      if (inst->plugin->observe_pod != NULL)
        resort |= inst->plugin->observe_pod (inst->ctx.instance, pod, node, added);
    }
  return resort;
}

gboolean
ks_framework_observe_node (KsFramework *fw, const KsNode *old_node, const KsNode *node)
{
  gboolean resort = FALSE;

  for (guint i = 0; i < fw->observers->len; i++)
    {
      Instance *inst = g_ptr_array_index (fw->observers, i);
      if (inst->plugin->observe_node != NULL)
        resort |= inst->plugin->observe_node (inst->ctx.instance, old_node, node);
    }
  return resort;
}

gboolean
ks_framework_queue_less (gpointer data, const KsQueuedPod *a, const KsQueuedPod *b)
{
  KsFramework *fw = data;
  Slot *slot = &g_array_index (fw->points[KS_POINT_QUEUE_SORT], Slot, 0);
  return slot->inst->plugin->less (slot->inst->ctx.instance, a, b);
}

void
ks_schedule_result_clear (KsScheduleResult *result)
{
  g_free (result->message);
  if (result->victims != NULL)
    g_ptr_array_unref (result->victims);
  if (result->reasons != NULL)
    g_array_unref (result->reasons);
  memset (result, 0, sizeof *result);
}

guint
ks_num_feasible_nodes_to_find (gint32 percentage, guint n)
{
  gint64 pct, num;

  if (n < MIN_FEASIBLE_NODES_TO_FIND)
    return n;
  pct = percentage;
  if (pct == 0)
    {
      pct = 50 - (gint64) n / 125;
      if (pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
        pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
    }
  num = (gint64) n * pct / 100;
  if (num < MIN_FEASIBLE_NODES_TO_FIND)
    return MIN_FEASIBLE_NODES_TO_FIND;
  return (guint) num;
}

guint
ks_framework_num_feasible_nodes_to_find (KsFramework *fw, guint n)
{
  return ks_num_feasible_nodes_to_find (fw->percentage, n);
}

static void
begin_cycle (KsFramework *fw, KsNodeInfo *const *nodes, guint n, gint64 now)
{
  guint with_affinity = 0, with_anti = 0;

  end_cycle (fw); /* a caller that did not end the last cycle */
  if (fw->affinity_counts != NULL)
    fw->affinity_counts (fw->affinity_counts_data, &with_affinity, &with_anti);
  for (guint i = 0; i < fw->instances->len; i++)
    {
      Instance *inst = g_ptr_array_index (fw->instances, i);
      inst->ctx.cycle = NULL;
      inst->ctx.all_nodes = nodes;
      inst->ctx.n_all_nodes = n;
      inst->ctx.now = now;
      inst->ctx.affinity_counts_known = fw->affinity_counts != NULL;
      inst->ctx.n_nodes_with_affinity = with_affinity;
      inst->ctx.n_nodes_with_required_anti_affinity = with_anti;
    }
}

static void
end_cycle (KsFramework *fw)
{
  for (guint i = 0; i < fw->instances->len; i++)
    {
      Instance *inst = g_ptr_array_index (fw->instances, i);
      if (inst->ctx.cycle != NULL && inst->plugin->free_cycle != NULL)
        inst->plugin->free_cycle (inst->ctx.cycle);
      inst->ctx.cycle = NULL;
    }
}

/* Run the filters (those PreFilter did not skip) on one node; first failure stops. */
static KsStatusCode
run_filters (KsFramework *fw, const KsPod *pod, const KsNodeInfo *node, KsStatus *status)
{
  for (guint i = 0; i < fw->n_active_filters; i++)
    {
      Slot *s = fw->active_filters[i];
      KsStatusCode code;
      status->n_reasons = 0;
      code = s->inst->plugin->filter (&s->inst->ctx, pod, node, status);
      if (code != KS_STATUS_SUCCESS)
        {
          status->code = code;
          return code;
        }
    }
  status->code = KS_STATUS_SUCCESS;
  return KS_STATUS_SUCCESS;
}

static int
cmp_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* FitError.Error(): "0/N nodes are available: <sorted "count reason" list>." */
static char *
fit_error_message (KsFramework *fw, guint n_nodes, const char *prefilter_msg,
                   const KsStatus *postfilter)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "0/%u nodes are available:", n_nodes);
  if (prefilter_msg != NULL)
    g_string_append_printf (s, " %s.", prefilter_msg);
  else
    {
      GHashTableIter iter;
      gpointer reason, count;
      g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GHashTable) by_text = g_hash_table_new (g_str_hash, g_str_equal);
      g_hash_table_iter_init (&iter, fw->histogram);
      while (g_hash_table_iter_next (&iter, &reason, &count))
        {
          gpointer old = g_hash_table_lookup (by_text, reason);
          g_hash_table_insert (
              by_text, reason,
              GUINT_TO_POINTER (GPOINTER_TO_UINT (old) + GPOINTER_TO_UINT (count)));
        }
      g_hash_table_iter_init (&iter, by_text);
      while (g_hash_table_iter_next (&iter, &reason, &count))
        g_ptr_array_add (
            items, g_strdup_printf ("%u %s", GPOINTER_TO_UINT (count), (const char *) reason));
      if (items->len > 0)
        {
          qsort (items->pdata, items->len, sizeof (gpointer), cmp_strings);
          g_string_append_c (s, ' ');
          for (guint i = 0; i < items->len; i++)
            {
              if (i > 0)
                g_string_append (s, ", ");
              g_string_append (s, g_ptr_array_index (items, i));
            }
          g_string_append_c (s, '.');
        }
    }
  /* The PostFilter status message (its reasons joined by ", ") after a space: the reasons
   * end with their own period ("preemption: not eligible due to preemptionPolicy=Never."). */
  if (postfilter != NULL && postfilter->n_reasons > 0)
    for (guint i = 0; i < postfilter->n_reasons; i++)
      g_string_append_printf (s, "%s%s", i == 0 ? " " : ", ", postfilter->reasons[i]);
  return g_string_free (s, FALSE);
}

static void
histogram_count (KsFramework *fw, const char *reason, guint count)
{
  gpointer old = g_hash_table_lookup (fw->histogram, reason);
  g_hash_table_insert (fw->histogram, (gpointer) reason,
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (old) + count));
}

/* The cached counts go to the table in the order their reasons came first, so the table is
 * built by the same insertions as when every node went there directly. */
static void
histogram_flush (KsFramework *fw)
{
  if (fw->n_hist > HIST_CACHE)
    return;
  for (guint i = 0; i < fw->n_hist; i++)
    histogram_count (fw, fw->hist_reasons[i], fw->hist_counts[i]);
  fw->n_hist = HIST_CACHE + 1;
}

static void
histogram_reset (KsFramework *fw)
{
  g_hash_table_remove_all (fw->histogram);
  fw->n_hist = 0;
}

static void
histogram_add (KsFramework *fw, const KsStatus *status)
{
  for (guint i = 0; i < status->n_reasons; i++)
    {
      const char *reason = status->reasons[i];
      guint j;
      if (fw->n_hist > HIST_CACHE)
        {
          histogram_count (fw, reason, 1);
          continue;
        }
      for (j = 0; j < fw->n_hist && fw->hist_reasons[j] != reason; j++)
        ;
      if (j < fw->n_hist)
        fw->hist_counts[j]++;
      else if (j < HIST_CACHE)
        {
          fw->hist_reasons[j] = reason;
          fw->hist_counts[j] = 1;
          fw->n_hist++;
        }
      else
        {
          histogram_flush (fw);
          histogram_count (fw, reason, 1);
        }
    }
}

static int
cmp_reason_counts (const void *a, const void *b)
{
  return strcmp (((const KsReasonCount *) a)->reason, ((const KsReasonCount *) b)->reason);
}

/* The FitError's histogram for the result (why-pending statistics): nodes per reason, by
 * reason; a PreFilter rejection counts every node under its message. */
static GArray *
reason_counts (KsFramework *fw, guint n_nodes, const char *prefilter_msg)
{
  GArray *counts = g_array_new (FALSE, FALSE, sizeof (KsReasonCount));
  GHashTableIter iter;
  gpointer reason, count;

  if (prefilter_msg != NULL)
    {
      KsReasonCount rc = { ks_intern (prefilter_msg), n_nodes };
      g_array_append_val (counts, rc);
      return counts;
    }
  g_hash_table_iter_init (&iter, fw->histogram);
  while (g_hash_table_iter_next (&iter, &reason, &count))
    {
      KsReasonCount rc = { ks_intern (reason), GPOINTER_TO_UINT (count) };
      g_array_append_val (counts, rc);
    }
  g_array_sort (counts, cmp_reason_counts);
  return counts;
}

/* RunPostFilterPlugins: the first plugin that succeeds (or answers Unresolvable) decides;
 * otherwise the reasons of all are kept, and the last plugin that asked to change the
 * nomination (to clear it) has it changed. */
static void
run_post_filter (KsFramework *fw, const KsPod *pod, KsScheduleResult *result, KsStatus *post)
{
  GArray *points = fw->points[KS_POINT_POST_FILTER];

  result->post_filter_ran = points->len > 0;
  for (guint i = 0; i < points->len; i++)
    {
      Slot *s = &g_array_index (points, Slot, i);
      KsPostFilterResult pf
          = { NULL, g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref), FALSE };
      KsStatus status = { 0 };
      KsStatusCode code = s->inst->plugin->post_filter (
          &s->inst->ctx, pod, (const KsStatusCode *) fw->codes->data, &pf, &status);
      if (code == KS_STATUS_SUCCESS && pf.nominated != NULL)
        {
          result->nominate = TRUE;
          result->nominated = pf.nominated;
          result->victims = pf.victims;
          post->n_reasons = 0;
          return;
        }
      g_ptr_array_unref (pf.victims);
      if (pf.nominated == NULL && pf.clear)
        {
          result->nominate = TRUE;
          result->nominated = NULL;
        }
      for (guint r = 0; r < status.n_reasons; r++)
        ks_status_add_reason (post, status.reasons[r]);
      if (code == KS_STATUS_UNSCHEDULABLE_AND_UNRESOLVABLE || code == KS_STATUS_ERROR)
        return;
    }
}

/* The node of the list named name (interned), or NULL. */
static KsNodeInfo *
find_node (KsNodeInfo *const *nodes, guint n, const char *name)
{
  for (guint i = 0; i < n; i++)
    if (nodes[i]->name == name)
      return nodes[i];
  return NULL;
}

void
ks_framework_schedule (KsFramework *fw, const KsPod *pod, KsNodeInfo *const *nodes, guint n,
                       gint64 now, KsScheduleResult *result)
{
  GArray *pre_filters = fw->points[KS_POINT_PRE_FILTER];
  GArray *filters = fw->points[KS_POINT_FILTER];
  GArray *pre_scores = fw->points[KS_POINT_PRE_SCORE];
  GArray *score_points = fw->points[KS_POINT_SCORE];
  KsStatus status = { 0 };
  const char *prefilter_msg = NULL;
  guint to_find, processed = 0, start, n_feasible;
  KsNodeInfo **feasible;
  KsNodeInfo *nominated;
  const char *nominated_name;

  memset (result, 0, sizeof *result);
  g_ptr_array_set_size (fw->feasible, 0);
  g_ptr_array_set_size (fw->ran_score, 0);
  histogram_reset (fw);
  if (n == 0)
    {
      result->message = g_strdup ("no nodes available to schedule pods");
      return;
    }
  begin_cycle (fw, nodes, n, now);
  /* Nominations do not change during a cycle: without any, Filter runs once per node. */
  fw->any_nominated = fw->nominator != NULL && ks_nominator_count (fw->nominator) > 0;
  /* Not cleared: only PostFilter reads the codes, when no node was feasible, and then every
   * node has had its code written this cycle (all of them by a PreFilter rejection, else each by
   * the walk, which visits every node when none passes); clearing 12,500 of them each cycle
   * cost more than the filters of a pod that fits. */
  g_array_set_size (fw->codes, n);
  if (fw->explain)
    {
      g_array_set_size (fw->statuses, n);
      memset (fw->statuses->data, 0, n * sizeof (KsStatus));
    }

  /* PreFilter */
  memset (fw->skip_filter, 0, MAX (filters->len, 1) * sizeof (gboolean));
  for (guint i = 0; i < pre_filters->len && prefilter_msg == NULL; i++)
    {
      Slot *s = &g_array_index (pre_filters, Slot, i);
      KsStatusCode code;
      status.n_reasons = 0;
      code = s->inst->plugin->pre_filter (&s->inst->ctx, pod, &status);
      if (code == KS_STATUS_SKIP)
        {
          for (guint f = 0; f < filters->len; f++)
            if (g_array_index (filters, Slot, f).inst == s->inst)
              fw->skip_filter[f] = TRUE;
        }
      else if (code != KS_STATUS_SUCCESS)
        {
          prefilter_msg = status.n_reasons > 0 ? status.reasons[0] : s->inst->plugin->name;
          for (guint k = 0; k < n; k++)
            g_array_index (fw->codes, KsStatusCode, k) = code;
          if (fw->explain)
            for (guint k = 0; k < n; k++)
              {
                KsStatus *st = &g_array_index (fw->statuses, KsStatus, k);
                st->code = code;
                st->n_reasons = 0;
                ks_status_add_reason (st, ks_intern (prefilter_msg));
              }
          processed = n;
        }
    }

  /* The filters to run on each node: a skipped plugin costs nothing per node. */
  fw->n_active_filters = 0;
  for (guint f = 0; f < filters->len; f++)
    if (!fw->skip_filter[f])
      fw->active_filters[fw->n_active_filters++] = &g_array_index (filters, Slot, f);

  /* A pod nominated to a node by an earlier preemption tries that node alone first
   * (evaluateNominatedNode); if it passes, no other node is looked at. */
  nominated_name = ks_pod_get_status_string (pod, KS_POD_NOMINATED_NODE_NAME);
  if (prefilter_msg == NULL && !fw->explain && nominated_name != NULL && nominated_name[0] != '\0'
      && (nominated = find_node (nodes, n, ks_intern (nominated_name))) != NULL)
    {
      if (filters->len == 0
          || run_filters_nominated (fw, NULL, pod, nominated, &status) == KS_STATUS_SUCCESS)
        {
          g_ptr_array_add (fw->feasible, nominated);
          result->n_evaluated = result->n_feasible = 1;
          result->node = nominated->name;
          return;
        }
      g_array_index (fw->codes, KsStatusCode, nominated->index) = status.code;
    }
  else
    nominated = NULL;

  /* Filter over the rotating window (findNodesThatPassFilters, run sequentially). */
  to_find = ks_framework_num_feasible_nodes_to_find (fw, n);
  if (score_points->len == 0)
    to_find = 1;
  start = fw->next_start_node_index % n;
  /* Explain mode goes on: the explanation covers every node. */
  if (fw->explain)
    to_find = G_MAXUINT;
  if (prefilter_msg == NULL)
    {
      /* Room for every node, so that a feasible one is stored without a call. */
      guint n_found = 0;
      KsNodeInfo **found;
      if (fw->feasible_room < n)
        {
          g_ptr_array_set_size (fw->feasible, n);
          fw->feasible_room = n;
        }
      found = (KsNodeInfo **) fw->feasible->pdata;
      /* The walk wraps at the end (an index kept in range, not a division per node). */
      for (guint i = 0, k = start; i < n; i++, k = k + 1 == n ? 0 : k + 1)
        {
          KsNodeInfo *node = nodes[k];
          processed++;
          if (filters->len == 0
              || (fw->any_nominated ? run_filters_nominated (fw, NULL, pod, node, &status)
                                    : run_filters (fw, pod, node, &status))
                     == KS_STATUS_SUCCESS)
            {
              found[n_found++] = node;
              if (n_found >= to_find)
                break;
            }
          else
            {
              g_array_index (fw->codes, KsStatusCode, node->index) = status.code;
              histogram_add (fw, &status);
              if (fw->explain)
                g_array_index (fw->statuses, KsStatus, node->index) = status;
            }
        }
      fw->feasible->len = n_found; /* within the room made above */
      /* processedNodes counts the node statuses of the cycle: the nominated node's failure
       * counts even when the walk stopped before it. */
      if (nominated != NULL && (nominated->index + n - start) % n >= processed)
        processed++;
      fw->next_start_node_index = (start + processed) % n;
    }
  histogram_flush (fw);
  result->n_evaluated = processed;
  n_feasible = result->n_feasible = fw->feasible->len;
  feasible = (KsNodeInfo **) fw->feasible->pdata;

  if (n_feasible == 0)
    {
      KsStatus post = { 0 };
      /* Explain mode only looks: no preemption decisions. */
      if (fw->points[KS_POINT_POST_FILTER]->len > 0 && !fw->explain)
        run_post_filter (fw, pod, result, &post);
      result->rejected = TRUE;
      result->message = fit_error_message (fw, n, prefilter_msg, &post);
      result->reasons = reason_counts (fw, n, prefilter_msg);
      end_cycle (fw);
      return;
    }
  if (n_feasible == 1 && !fw->explain)
    {
      result->node = feasible[0]->name;
      return;
    }

  /* PreScore, Score, NormalizeScore, weights (prioritizeNodes). */
  g_array_set_size (fw->totals, n_feasible);
  memset (fw->totals->data, 0, n_feasible * sizeof (gint64));
  if (score_points->len == 0)
    for (guint i = 0; i < n_feasible; i++)
      g_array_index (fw->totals, gint64, i) = 1;
  for (guint p = 0; p < score_points->len; p++)
    {
      Slot *s = &g_array_index (score_points, Slot, p);
      gboolean skip = FALSE;
      for (guint q = 0; q < pre_scores->len; q++)
        {
          Slot *ps = &g_array_index (pre_scores, Slot, q);
          if (ps->inst == s->inst
              && ps->inst->plugin->pre_score (&ps->inst->ctx, pod, feasible, n_feasible)
                     == KS_STATUS_SKIP)
            skip = TRUE;
        }
      if (!skip)
        g_ptr_array_add (fw->ran_score, s);
    }
  /* PreScore plugins that do not score also run (their state may matter to others). */
  for (guint q = 0; q < pre_scores->len; q++)
    {
      Slot *ps = &g_array_index (pre_scores, Slot, q);
      gboolean scores = FALSE;
      for (guint p = 0; p < score_points->len; p++)
        scores |= g_array_index (score_points, Slot, p).inst == ps->inst;
      if (!scores)
        ps->inst->plugin->pre_score (&ps->inst->ctx, pod, feasible, n_feasible);
    }
  g_array_set_size (fw->scores, fw->ran_score->len * n_feasible);
  if (fw->explain)
    g_array_set_size (fw->raw_scores, fw->ran_score->len * n_feasible);
  for (guint p = 0; p < fw->ran_score->len; p++)
    {
      Slot *s = g_ptr_array_index (fw->ran_score, p);
      gint64 *row = &g_array_index (fw->scores, gint64, p * n_feasible);
      for (guint i = 0; i < n_feasible; i++)
        row[i] = s->inst->plugin->score (&s->inst->ctx, pod, feasible[i]);
      if (fw->explain)
        memcpy (&g_array_index (fw->raw_scores, gint64, p * n_feasible), row,
                n_feasible * sizeof (gint64));
      if (s->inst->plugin->normalize != NULL)
        s->inst->plugin->normalize (&s->inst->ctx, pod, feasible, row, n_feasible);
      for (guint i = 0; i < n_feasible; i++)
        {
          if (row[i] < KS_MIN_NODE_SCORE || row[i] > KS_MAX_NODE_SCORE)
            {
              result->message
                  = g_strdup_printf ("plugin \"%s\" returns an invalid score %" G_GINT64_FORMAT
                                     ", it should in the range of [0, 100] after normalizing",
                                     s->inst->plugin->name, row[i]);
              end_cycle (fw);
              return;
            }
          g_array_index (fw->totals, gint64, i) += row[i] * s->weight;
        }
    }

  /* selectHost: uniformly among the highest totals. */
  {
    gint64 best = G_MININT64;
    guint n_best = 0, chosen = 0;
    gint64 *totals = (gint64 *) fw->totals->data;
    for (guint i = 0; i < n_feasible; i++)
      {
        if (totals[i] > best)
          {
            best = totals[i];
            n_best = 1;
            chosen = i;
          }
        else if (totals[i] == best)
          n_best++;
      }
    if (n_best > 1)
      {
        guint pick = (guint) ks_rng_uniform (fw->rng, n_best);
        for (guint i = 0; i < n_feasible; i++)
          if (totals[i] == best && pick-- == 0)
            {
              chosen = i;
              break;
            }
      }
    result->node = feasible[chosen]->name;
  }
}

gboolean
ks_framework_reserve (KsFramework *fw, const KsPod *pod, const char *node, char **message)
{
  GArray *points = fw->points[KS_POINT_RESERVE];

  for (guint i = 0; i < points->len; i++)
    {
      Slot *s = &g_array_index (points, Slot, i);
      KsStatus status = { 0 };
      if (s->inst->plugin->reserve (&s->inst->ctx, pod, node, &status) == KS_STATUS_SUCCESS)
        continue;
      *message = g_strdup_printf ("running Reserve plugin \"%s\": %s", s->inst->plugin->name,
                                  status.n_reasons > 0 ? status.reasons[0] : "failed");
      for (guint j = i; j-- > 0;)
        {
          Slot *u = &g_array_index (points, Slot, j);
          if (u->inst->plugin->unreserve != NULL)
            u->inst->plugin->unreserve (&u->inst->ctx, pod, node);
        }
      return FALSE;
    }
  return TRUE;
}

void
ks_framework_unreserve (KsFramework *fw, const KsPod *pod, const char *node)
{
  GArray *points = fw->points[KS_POINT_RESERVE];

  for (guint i = points->len; i-- > 0;)
    {
      Slot *u = &g_array_index (points, Slot, i);
      if (u->inst->plugin->unreserve != NULL)
        u->inst->plugin->unreserve (&u->inst->ctx, pod, node);
    }
}

void
ks_framework_end_cycle (KsFramework *fw)
{
  end_cycle (fw);
}

guint
ks_framework_last_n_score_plugins (KsFramework *fw)
{
  return fw->ran_score->len;
}

const char *
ks_framework_last_score_plugin (KsFramework *fw, guint p, gint32 *weight)
{
  Slot *s = g_ptr_array_index (fw->ran_score, p);
  if (weight != NULL)
    *weight = (gint32) s->weight;
  return s->inst->plugin->name;
}

gint64
ks_framework_last_score (KsFramework *fw, guint p, guint i)
{
  return g_array_index (fw->scores, gint64, p * fw->feasible->len + i);
}

KsNodeInfo *const *
ks_framework_last_feasible (KsFramework *fw, guint *n)
{
  *n = fw->feasible->len;
  return (KsNodeInfo *const *) fw->feasible->pdata;
}

gint64
ks_framework_last_total (KsFramework *fw, guint i)
{
  return g_array_index (fw->totals, gint64, i);
}

void
ks_framework_set_explain (KsFramework *fw, gboolean explain)
{
  fw->explain = explain;
  if (explain && fw->statuses == NULL)
    {
      fw->statuses = g_array_new (FALSE, TRUE, sizeof (KsStatus));
      fw->raw_scores = g_array_new (FALSE, FALSE, sizeof (gint64));
    }
}

const KsStatus *
ks_framework_last_status (KsFramework *fw, guint node_index)
{
  g_return_val_if_fail (fw->explain && node_index < fw->statuses->len, NULL);
  return &g_array_index (fw->statuses, KsStatus, node_index);
}

gint64
ks_framework_last_raw_score (KsFramework *fw, guint p, guint i)
{
  g_return_val_if_fail (fw->explain, 0);
  return g_array_index (fw->raw_scores, gint64, p * fw->feasible->len + i);
}

/* The handle (framework.Handle) */

static GPtrArray *
handle_list_objects (gpointer data, KsKindId kind, const char *ns)
{
  KsFramework *fw = data;
  if (fw->lister == NULL)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  return fw->lister (fw->lister_data, kind, ns);
}

static guint
handle_nodes_with_image (gpointer data, const char *image)
{
  KsFramework *fw = data;
  Instance *any;
  guint count = 0;

  if (fw->image_counter != NULL)
    return fw->image_counter (fw->image_counter_data, image);
  if (fw->instances->len == 0)
    return 0;
  /* Without the cache's counts (hand-built node lists): look at every node.  Every instance sees
   * the same snapshot. */
  any = g_ptr_array_index (fw->instances, 0);
  for (guint i = 0; i < any->ctx.n_all_nodes; i++)
    {
      const KsNode *node = any->ctx.all_nodes[i]->node;
      gboolean found = FALSE;
      for (guint k = 0; k < node->n_images && !found; k++)
        for (char **name = node->images[k].names; name != NULL && *name != NULL; name++)
          if (strcmp (*name, image) == 0)
            {
              found = TRUE;
              break;
            }
      count += found;
    }
  return count;
}

/* A copy of the plugins' current per-cycle states. */
static KsCycleState *
clone_current (KsFramework *fw)
{
  KsCycleState *state = g_malloc0 (sizeof *state + fw->instances->len * sizeof (gpointer));

  state->n = fw->instances->len;
  state->owned = g_new0 (gboolean, MAX (state->n, 1));
  for (guint i = 0; i < state->n; i++)
    {
      Instance *inst = g_ptr_array_index (fw->instances, i);
      if (inst->ctx.cycle != NULL && inst->plugin->clone_cycle != NULL)
        {
          state->cycles[i] = inst->plugin->clone_cycle (inst->ctx.cycle);
          state->owned[i] = TRUE;
        }
      else
        state->cycles[i] = inst->ctx.cycle;
    }
  return state;
}

static void swap_state (KsFramework *fw, KsCycleState *state);

/* A copy of state (NULL: of the current states). */
static KsCycleState *
clone_state (KsFramework *fw, KsCycleState *state)
{
  KsCycleState *copy;

  swap_state (fw, state);
  copy = clone_current (fw);
  swap_state (fw, state);
  return copy;
}

static KsCycleState *
handle_clone_state (gpointer data)
{
  return clone_current (data);
}

static void
handle_free_state (gpointer data, KsCycleState *state)
{
  KsFramework *fw = data;

  if (state == NULL)
    return;
  for (guint i = 0; i < state->n; i++)
    {
      Instance *inst = g_ptr_array_index (fw->instances, i);
      if (state->owned[i] && state->cycles[i] != NULL && inst->plugin->free_cycle != NULL)
        inst->plugin->free_cycle (state->cycles[i]);
    }
  g_free (state->owned);
  g_free (state);
}

/* Make state the current per-cycle state of every plugin (saving the current one in saved), or
 * put saved back.  NULL state: nothing to swap. */
static void
swap_state (KsFramework *fw, KsCycleState *state)
{
  if (state == NULL)
    return;
  for (guint i = 0; i < state->n; i++)
    {
      Instance *inst = g_ptr_array_index (fw->instances, i);
      gpointer current = inst->ctx.cycle;
      inst->ctx.cycle = state->cycles[i];
      state->cycles[i] = current;
    }
}

static void
handle_add_or_remove (KsFramework *fw, KsCycleState *state, const KsPod *pod, const KsPod *other,
                      const KsNodeInfo *node, gboolean add)
{
  swap_state (fw, state);
  for (guint i = 0; i < fw->instances->len; i++)
    {
      Instance *inst = g_ptr_array_index (fw->instances, i);
      if (add && inst->plugin->add_pod != NULL)
        inst->plugin->add_pod (&inst->ctx, pod, other, node);
      else if (!add && inst->plugin->remove_pod != NULL)
        inst->plugin->remove_pod (&inst->ctx, pod, other, node);
    }
  swap_state (fw, state);
}

static void
handle_add_pod (gpointer data, KsCycleState *state, const KsPod *pod, const KsPod *added,
                const KsNodeInfo *node)
{
  handle_add_or_remove (data, state, pod, added, node, TRUE);
}

static void
handle_remove_pod (gpointer data, KsCycleState *state, const KsPod *pod, const KsPod *removed,
                   const KsNodeInfo *node)
{
  handle_add_or_remove (data, state, pod, removed, node, FALSE);
}

/* The filters with state (NULL: the current one). */
static KsStatusCode
run_filters_state (KsFramework *fw, KsCycleState *state, const KsPod *pod, const KsNodeInfo *node,
                   KsStatus *status)
{
  KsStatusCode code;

  swap_state (fw, state);
  code = run_filters (fw, pod, node, status);
  swap_state (fw, state);
  return code;
}

/* RunFilterPluginsWithNominatedPods: pass 1 with the pods nominated to node whose priority is
 * at least pod's added to a copy of node (and to a copy of the states, through AddPod), pass 2
 * as node is, only when pass 1 passed and added pods.  Both must pass.  Pods nominated
 * elsewhere, or none at all, cost one lookup or nothing. */
static KsStatusCode
run_filters_nominated (KsFramework *fw, KsCycleState *state, const KsPod *pod,
                       const KsNodeInfo *node, KsStatus *status)
{
  const GPtrArray *nominated
      = fw->nominator != NULL ? ks_nominator_pods_for_node (fw->nominator, node->name) : NULL;
  KsNodeInfo *copy = NULL;
  KsCycleState *state_copy = NULL;
  gint32 priority = ks_pod_get_priority (pod);
  KsStatusCode code;

  for (guint i = 0; nominated != NULL && i < nominated->len; i++)
    {
      const KsPod *np = g_ptr_array_index (nominated, i);
      if (ks_pod_get_priority (np) < priority
          || ks_uid_equal (&np->parent.meta.uid, &pod->parent.meta.uid))
        continue;
      if (copy == NULL)
        {
          copy = ks_node_info_copy (node);
          state_copy = clone_state (fw, state);
        }
      ks_node_info_add_pod (copy, np);
      handle_add_or_remove (fw, state_copy, pod, np, copy, TRUE);
    }
  if (copy == NULL)
    return run_filters_state (fw, state, pod, node, status);
  code = run_filters_state (fw, state_copy, pod, copy, status);
  handle_free_state (fw, state_copy);
  ks_node_info_free (copy);
  if (code != KS_STATUS_SUCCESS)
    return code;
  return run_filters_state (fw, state, pod, node, status);
}

static KsStatusCode
handle_run_filters (gpointer data, KsCycleState *state, const KsPod *pod, const KsNodeInfo *node,
                    KsStatus *status)
{
  KsFramework *fw = data;

  if (fw->points[KS_POINT_FILTER]->len == 0)
    {
      status->code = KS_STATUS_SUCCESS;
      status->n_reasons = 0;
      return KS_STATUS_SUCCESS;
    }
  return run_filters_nominated (fw, state, pod, node, status);
}

static GPtrArray *
handle_nominated_pods (gpointer data, const char *node)
{
  KsFramework *fw = data;
  GPtrArray *pods = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  const GPtrArray *nominated
      = fw->nominator != NULL ? ks_nominator_pods_for_node (fw->nominator, node) : NULL;

  for (guint i = 0; nominated != NULL && i < nominated->len; i++)
    g_ptr_array_add (pods, ks_object_ref (g_ptr_array_index (nominated, i)));
  return pods;
}

static void
handle_init (KsFramework *fw)
{
  fw->handle.data = fw;
  fw->handle.list_objects = handle_list_objects;
  fw->handle.nodes_with_image = handle_nodes_with_image;
  fw->handle.clone_state = handle_clone_state;
  fw->handle.free_state = handle_free_state;
  fw->handle.add_pod = handle_add_pod;
  fw->handle.remove_pod = handle_remove_pod;
  fw->handle.run_filters = handle_run_filters;
  fw->handle.nominated_pods = handle_nominated_pods;
}
