/* ks-cluster-autoscaler.c: the cluster autoscaler (kubernetes/autoscaler's cluster-autoscaler:
 * core/static_autoscaler.go RunOnce, core/scaleup, estimator/binpacking,
 * expander/{waste,mostpods,random}, core/scaledown, simulator/drainability). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ks-cluster-autoscaler.h"
#include "ks-evict.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pdb.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-yaml-emit.h"
#include "src/ks-intern.h"
#include "src/ks-rng.h"
#include "src/scheduler/ks-framework.h"
#include "src/scheduler/ks-sched-cache.h"

#define SAFE_TO_EVICT "cluster-autoscaler.kubernetes.io/safe-to-evict"
#define SCALE_DOWN_DISABLED "cluster-autoscaler.kubernetes.io/scale-down-disabled"
#define TO_BE_DELETED_TAINT KS_CLUSTER_AUTOSCALER_TAINT
#define MIRROR_ANNOTATION "kubernetes.io/config.mirror"
/* --expendable-pods-priority-cutoff: pods below it never trigger a scale-up. */
#define EXPENDABLE_PRIORITY_CUTOFF (-10)
/* How often a removal retries refused evictions (CA's EvictionRetryTime) and polls for the
 * evicted pods to go. */
#define EVICTION_RETRY (10 * KS_USEC_PER_SEC)
#define DELETION_POLL (1 * KS_USEC_PER_SEC)

typedef struct
{
  guint pool; /* index in the pools given to ks_cluster_autoscaler_new */
  const KsNodePool *p;
  guint target;
  GPtrArray *upcoming; /* names (char*) of nodes being provisioned */
  guint next_index;    /* the next node number to try for a new node's name */
  KsNodeGroupStats stats;
} Group;

typedef struct
{
  KsClusterAutoscaler *ca;
  Group *group;
  char *node;
  GPtrArray *pods;    /* KsPod* to evict, as listed when the removal started */
  GPtrArray *evicted; /* of those, the ones whose eviction went through (borrowed) */
  gint64 deadline;
  gboolean drain; /* the node had pods to move when it was chosen */
} Removal;

struct _KsClusterAutoscaler
{
  KsClient *client;
  KsClock *clock;
  const KsSchedulerConfig *config;
  const KsNodeGroupProvider *provider;
  gpointer provider_data;
  KsAutoscalerOptions o[1];
  KsEventRecorder events;
  GPtrArray *frameworks; /* KsFramework*, one per scheduler profile */
  gsl_rng *rng;
  GPtrArray *groups;          /* Group*, in the order of the pools */
  GHashTable *unneeded_since; /* node name → gint64* */
  GHashTable *removing;       /* node name → Removal* (non-empty removals in progress) */
  gint64 last_scale_up, last_delete, last_failure;
  guint64 loop_task;
};

static void
group_free (gpointer p)
{
  Group *g = p;
  g_ptr_array_unref (g->upcoming);
  g_free (g);
}

static void
removal_free (gpointer p)
{
  Removal *r = p;
  g_free (r->node);
  g_ptr_array_unref (r->pods);
  g_ptr_array_unref (r->evicted);
  g_free (r);
}

/* The handle's list_objects: the cluster's objects. */
static GPtrArray *
list_objects (gpointer data, KsKindId kind, const char *ns)
{
  GPtrArray *objects = ks_client_list (data, ks_kind_get (kind), ns, NULL);

  return objects != NULL ? objects
                         : g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
}

KsClusterAutoscaler *
ks_cluster_autoscaler_new (KsClient *client, KsClock *clock, const KsSchedulerConfig *config,
                           const GPtrArray *pools, const KsAutoscalerOptions *options,
                           const KsNodeGroupProvider *provider, gpointer provider_data,
                           guint64 seed, KsEventSink *events, GError **error)
{
  KsClusterAutoscaler *ca = g_new0 (KsClusterAutoscaler, 1);

  ca->client = client;
  ca->clock = clock;
  ca->config = config;
  ca->provider = provider;
  ca->provider_data = provider_data;
  *ca->o = *options;
  ks_event_recorder_init (&ca->events, events, ca->clock, "cluster-autoscaler");
  ca->rng = ks_rng_new (seed, "cluster-autoscaler");
  ca->frameworks = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_framework_free);
  for (guint i = 0; i < config->profiles->len; i++)
    {
      KsFramework *fw = ks_framework_new (g_ptr_array_index (config->profiles, i),
                                          config->percentage_of_nodes_to_score, seed, error);
      if (fw == NULL)
        {
          ks_cluster_autoscaler_free (ca);
          return NULL;
        }
      ks_framework_set_lister (fw, list_objects, ca->client);
      /* Explain mode: every node filtered (first fit is read from the statuses), no
       * preemption. */
      ks_framework_set_explain (fw, TRUE);
      g_ptr_array_add (ca->frameworks, fw);
    }
  ca->groups = g_ptr_array_new_with_free_func (group_free);
  for (guint i = 0; i < pools->len; i++)
    {
      const KsNodePool *p = g_ptr_array_index (pools, i);
      Group *g;
      if (!p->group)
        continue;
      g = g_new0 (Group, 1);
      g->pool = i;
      g->p = p;
      g->target = p->count;
      g->next_index = p->count;
      g->upcoming = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (ca->groups, g);
    }
  ca->unneeded_since = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ca->removing = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, removal_free);
  ca->last_scale_up = ca->last_delete = ca->last_failure = KS_TIME_NONE;
  return ca;
}

void
ks_cluster_autoscaler_free (KsClusterAutoscaler *ca)
{
  if (ca == NULL)
    return;
  if (ca->loop_task != 0)
    ks_clock_cancel (ca->clock, ca->loop_task);
  g_clear_pointer (&ca->frameworks, g_ptr_array_unref);
  g_clear_pointer (&ca->groups, g_ptr_array_unref);
  g_clear_pointer (&ca->unneeded_since, g_hash_table_unref);
  g_clear_pointer (&ca->removing, g_hash_table_unref);
  if (ca->rng != NULL)
    gsl_rng_free (ca->rng);
  g_free (ca);
}

void
ks_cluster_autoscaler_get_group_stats (KsClusterAutoscaler *ca, guint pool, KsNodeGroupStats *stats)
{
  memset (stats, 0, sizeof *stats);
  for (guint i = 0; i < ca->groups->len; i++)
    {
      Group *g = g_ptr_array_index (ca->groups, i);
      if (g->pool == pool)
        {
          *stats = g->stats;
          stats->target_size = g->target;
        }
    }
}

/* Snapshots */

static KsFramework *
framework_for (KsClusterAutoscaler *ca, const KsPod *pod)
{
  const KsSchedulerConfig *config = ca->config;

  for (guint i = 0; i < config->profiles->len; i++)
    if (g_strcmp0 (
            ((const KsProfileConfig *) g_ptr_array_index (config->profiles, i))->scheduler_name,
            pod->spec->scheduler_name)
        == 0)
      return g_ptr_array_index (ca->frameworks, i);
  return NULL;
}

/* Run the Filter plugins for pod over the cache's nodes: the name (interned) of the first node
 * in the cache's order that passes (first fit, as CA's simulator), or NULL with the reasons
 * (KsReasonCount, may be NULL) in *reasons when reasons is not NULL. */
static const char *
first_fit (KsClusterAutoscaler *ca, KsSchedCache *cache, const KsPod *pod, GArray **reasons)
{
  KsFramework *fw = framework_for (ca, pod);
  guint n = 0;
  KsNodeInfo *const *nodes = ks_sched_cache_list_nodes (cache, &n);
  const char *found = NULL;
  KsScheduleResult r;

  if (reasons != NULL)
    *reasons = NULL;
  if (fw == NULL || n == 0)
    return NULL;
  ks_framework_schedule (fw, pod, nodes, n, ks_clock_now (ca->clock), &r);
  if (r.n_feasible > 0)
    for (guint i = 0; i < n && found == NULL; i++)
      if (ks_framework_last_status (fw, i)->code == KS_STATUS_SUCCESS)
        found = nodes[i]->name;
  if (found == NULL && reasons != NULL)
    *reasons = g_steal_pointer (&r.reasons);
  ks_framework_end_cycle (fw);
  ks_schedule_result_clear (&r);
  return found;
}

static gboolean
has_taint (const KsNode *node, const char *key)
{
  for (guint i = 0; i < node->n_taints; i++)
    if (strcmp (node->taints[i].key, key) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
pod_counts (const KsPod *pod)
{
  return pod->node_name != NULL && !ks_pod_is_terminal (pod);
}

/* A cache of the cluster's nodes (except those in skip, and those being removed) and the pods
 * bound to them. */
static KsSchedCache *
cluster_cache (GPtrArray *nodes, GPtrArray *pods, GHashTable *skip)
{
  KsSchedCache *cache = ks_sched_cache_new ();

  for (guint i = 0; i < nodes->len; i++)
    {
      KsNode *node = g_ptr_array_index (nodes, i);
      if (skip != NULL && g_hash_table_contains (skip, node->parent.meta.name))
        continue;
      if (has_taint (node, TO_BE_DELETED_TAINT) || ks_object_is_being_deleted (KS_OBJECT (node)))
        continue;
      ks_sched_cache_set_node (cache, node);
    }
  for (guint i = 0; i < pods->len; i++)
    {
      KsPod *pod = g_ptr_array_index (pods, i);
      if (pod_counts (pod) && ks_sched_cache_get_node (cache, pod->node_name) != NULL)
        ks_sched_cache_set_pod (cache, pod);
    }
  return cache;
}

/* Scale-up */

static gboolean
is_unschedulable (const KsPod *pod)
{
  const KsCondition *c = &pod->conditions[KS_POD_COND_SCHEDULED];

  return pod->node_name == NULL && !ks_pod_is_terminal (pod)
         && !ks_object_is_being_deleted (KS_OBJECT (pod)) && c->status == KS_CONDITION_FALSE
         && g_strcmp0 (c->reason, "Unschedulable") == 0
         && !(pod->spec->has_priority && pod->spec->priority < EXPENDABLE_PRIORITY_CUTOFF);
}

/* Higher priority first, then older, then by name (CA sorts by priority; the rest keeps runs
 * deterministic). */
static gint
cmp_pending (gconstpointer pa, gconstpointer pb)
{
  const KsPod *a = *(KsPod *const *) pa, *b = *(KsPod *const *) pb;
  gint32 x = a->spec->priority, y = b->spec->priority;

  if (x != y)
    return x > y ? -1 : 1;
  if (a->parent.meta.creation_timestamp != b->parent.meta.creation_timestamp)
    return a->parent.meta.creation_timestamp < b->parent.meta.creation_timestamp ? -1 : 1;
  return strcmp (a->parent.meta.name, b->parent.meta.name);
}

typedef struct
{
  Group *group;
  guint node_count;
  GPtrArray *pods; /* KsPod* helped (borrowed) */
  double waste;
} Option;

/* Pods' share of the template node: CPU and memory requests over allocatable, summed (the
 * binpacking estimator's decreasing score order). */
static double
pod_score (const KsPod *pod, const KsNode *node)
{
  double s = 0;

  if (node->allocatable.milli_cpu > 0)
    s += (double) pod->spec->requests.milli_cpu / (double) node->allocatable.milli_cpu;
  if (node->allocatable.memory > 0)
    s += (double) pod->spec->requests.memory / (double) node->allocatable.memory;
  return s;
}

typedef struct
{
  KsPod *pod;
  double score;
  guint order;
} Scored;

static gint
cmp_scored (gconstpointer pa, gconstpointer pb)
{
  const Scored *a = pa, *b = pb;
  if (a->score != b->score)
    return a->score > b->score ? -1 : 1;
  return a->order < b->order ? -1 : a->order > b->order;
}

static char *
template_name (const Group *g, guint i)
{
  return g_strdup_printf ("template-node-for-%s-%u", g->p->name, i);
}

/* Bin-pack pods (which each fit on an empty template node) onto at most limit new nodes of g,
 * first fit, largest first (estimator/binpacking_estimator.go). */
static void
estimate (KsClusterAutoscaler *ca, Group *g, GPtrArray *fitting, guint limit, Option *opt)
{
  g_autoptr (GPtrArray) nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  g_autoptr (GArray) scored = g_array_new (FALSE, FALSE, sizeof (Scored));
  KsSchedCache *cache = ks_sched_cache_new ();
  g_autoptr (KsNode) probe = NULL;
  gint64 cpu = 0, mem = 0;

  opt->group = g;
  opt->pods = g_ptr_array_new ();
  probe = ca->provider->template_node (ca->provider_data, g->pool, "probe");
  for (guint i = 0; i < fitting->len; i++)
    {
      Scored s = { g_ptr_array_index (fitting, i), 0, i };
      s.score = pod_score (s.pod, probe);
      g_array_append_val (scored, s);
    }
  g_array_sort (scored, cmp_scored);
  for (guint i = 0; i < scored->len; i++)
    {
      KsPod *pod = g_array_index (scored, Scored, i).pod;
      const char *node = nodes->len > 0 ? first_fit (ca, cache, pod, NULL) : NULL;
      if (node == NULL && nodes->len < limit)
        {
          g_autofree char *name = template_name (g, nodes->len);
          KsNode *n = ca->provider->template_node (ca->provider_data, g->pool, name);
          g_ptr_array_add (nodes, n);
          ks_sched_cache_set_node (cache, n);
          node = first_fit (ca, cache, pod, NULL);
        }
      if (node == NULL)
        continue;
      ks_sched_cache_assume_pod (cache, pod, node);
      g_ptr_array_add (opt->pods, pod);
      cpu += pod->spec->requests.milli_cpu;
      mem += pod->spec->requests.memory;
    }
  opt->node_count = nodes->len;
  /* expander/waste: the unused fraction of the new nodes' CPU plus that of their memory. */
  opt->waste = 0;
  if (probe->allocatable.milli_cpu > 0 && nodes->len > 0)
    {
      double avail = (double) probe->allocatable.milli_cpu * nodes->len;
      opt->waste += (avail - (double) cpu) / avail;
    }
  if (probe->allocatable.memory > 0 && nodes->len > 0)
    {
      double avail = (double) probe->allocatable.memory * nodes->len;
      opt->waste += (avail - (double) mem) / avail;
    }
  ks_sched_cache_free (cache);
}

/* A name for a new node of g: <group>-<n> with the next number no node has. */
static char *
new_node_name (KsClusterAutoscaler *ca, Group *g)
{
  for (;;)
    {
      char *name = g_strdup_printf ("%s-%u", g->p->name, g->next_index++);
      g_autoptr (KsObject) existing
          = ks_client_get (ca->client, ks_kind_get (KS_KIND_NODE), NULL, name, NULL);
      if (existing == NULL)
        return name;
      g_free (name);
    }
}

static guint
total_nodes (KsClusterAutoscaler *ca, GPtrArray *nodes)
{
  guint n = nodes->len;
  for (guint i = 0; i < ca->groups->len; i++)
    n += ((Group *) g_ptr_array_index (ca->groups, i))->upcoming->len;
  return n;
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* "1 Insufficient cpu, 1 max node group size reached": each group counted once under each of
 * its reasons, sorted. */
static char *
reasons_message (GHashTable *counts)
{
  g_autoptr (GPtrArray) keys = g_ptr_array_new ();
  GString *s = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, cmp_str);
  for (guint i = 0; i < keys->len; i++)
    g_string_append_printf (s, "%s%u %s", i > 0 ? ", " : "",
                            GPOINTER_TO_UINT (g_hash_table_lookup (counts, keys->pdata[i])),
                            (const char *) keys->pdata[i]);
  return g_string_free (s, FALSE);
}

static void
add_reason (GHashTable *counts, const char *reason)
{
  g_hash_table_insert (
      counts, (gpointer) reason,
      GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, reason)) + 1));
}

/* Pick an option as the expander does; ties at random from the autoscaler's stream. */
static Option *
expand (KsClusterAutoscaler *ca, GArray *options)
{
  g_autoptr (GPtrArray) best = g_ptr_array_new ();

  for (guint i = 0; i < options->len; i++)
    {
      Option *o = &g_array_index (options, Option, i);
      Option *b = best->len > 0 ? g_ptr_array_index (best, 0) : NULL;
      int c = 0; /* > 0: o is better than b */
      if (b != NULL)
        switch (ca->o->expander)
          {
          case KS_EXPANDER_LEAST_WASTE:
            c = o->waste < b->waste ? 1 : o->waste > b->waste ? -1 : 0;
            break;
          case KS_EXPANDER_MOST_PODS:
            c = o->pods->len > b->pods->len ? 1 : o->pods->len < b->pods->len ? -1 : 0;
            break;
          case KS_EXPANDER_RANDOM:
            c = 0;
            break;
          }
      if (c > 0)
        g_ptr_array_set_size (best, 0);
      if (b == NULL || c >= 0)
        g_ptr_array_add (best, o);
    }
  if (best->len == 0)
    return NULL;
  return g_ptr_array_index (best, best->len == 1 ? 0 : ks_rng_uniform (ca->rng, best->len));
}

/* One scale-up attempt (core/scaleup/orchestrator.go ScaleUp).  Returns TRUE when a group was
 * scaled up. */
static gboolean
scale_up (KsClusterAutoscaler *ca, GPtrArray *nodes, GPtrArray *pods)
{
  g_autoptr (GPtrArray) pending = g_ptr_array_new ();
  g_autoptr (GPtrArray) templates
      = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  g_autoptr (GArray) options = g_array_new (FALSE, TRUE, sizeof (Option));
  /* Per pod: reason → number of groups (NotTriggerScaleUp). */
  g_autoptr (GPtrArray) pod_reasons
      = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  KsSchedCache *cache;
  Option *chosen;
  guint total = total_nodes (ca, nodes);
  gboolean scaled = FALSE;

  for (guint i = 0; i < pods->len; i++)
    if (is_unschedulable (g_ptr_array_index (pods, i)))
      g_ptr_array_add (pending, g_ptr_array_index (pods, i));
  if (pending->len == 0)
    return FALSE;
  g_ptr_array_sort (pending, cmp_pending);

  /* filterOutSchedulable: pods that fit on a node of the cluster, or on one being provisioned,
   * wait for the scheduler. */
  cache = cluster_cache (nodes, pods, NULL);
  for (guint i = 0; i < ca->groups->len; i++)
    {
      Group *g = g_ptr_array_index (ca->groups, i);
      for (guint j = 0; j < g->upcoming->len; j++)
        {
          KsNode *n = ca->provider->template_node (ca->provider_data, g->pool,
                                                   g_ptr_array_index (g->upcoming, j));
          ks_sched_cache_set_node (cache, n);
          g_ptr_array_add (templates, n);
        }
    }
  for (guint i = 0; i < pending->len;)
    {
      KsPod *pod = g_ptr_array_index (pending, i);
      const char *node = first_fit (ca, cache, pod, NULL);
      if (node != NULL)
        {
          ks_sched_cache_assume_pod (cache, pod, node);
          g_ptr_array_remove_index (pending, i);
        }
      else
        i++;
    }
  ks_sched_cache_free (cache);
  if (pending->len == 0)
    return FALSE;

  for (guint i = 0; i < pending->len; i++)
    g_ptr_array_add (pod_reasons, g_hash_table_new (g_str_hash, g_str_equal));
  for (guint i = 0; i < ca->groups->len; i++)
    {
      Group *g = g_ptr_array_index (ca->groups, i);
      g_autoptr (GPtrArray) fitting = g_ptr_array_new ();
      g_autoptr (KsNode) tmpl = NULL;
      KsSchedCache *one;
      guint limit = g->p->max > g->target ? g->p->max - g->target : 0;
      const char *skip = NULL;

      if (limit == 0)
        skip = "max node group size reached";
      else if (ca->o->max_nodes_total > 0 && total >= ca->o->max_nodes_total)
        skip = "max cluster size reached";
      if (skip != NULL)
        {
          for (guint j = 0; j < pending->len; j++)
            add_reason (g_ptr_array_index (pod_reasons, j), skip);
          continue;
        }
      if (ca->o->max_nodes_total > 0)
        limit = MIN (limit, ca->o->max_nodes_total - total);
      /* Which pods fit on an empty template node of the group at all. */
      {
        g_autofree char *name = template_name (g, 0);
        tmpl = ca->provider->template_node (ca->provider_data, g->pool, name);
      }
      one = ks_sched_cache_new ();
      ks_sched_cache_set_node (one, tmpl);
      for (guint j = 0; j < pending->len; j++)
        {
          KsPod *pod = g_ptr_array_index (pending, j);
          g_autoptr (GArray) reasons = NULL;
          if (first_fit (ca, one, pod, &reasons) != NULL)
            g_ptr_array_add (fitting, pod);
          else
            {
              GHashTable *counts = g_ptr_array_index (pod_reasons, j);
              for (guint k = 0; reasons != NULL && k < reasons->len; k++)
                add_reason (counts, g_array_index (reasons, KsReasonCount, k).reason);
              if (reasons == NULL || reasons->len == 0)
                add_reason (counts, ks_intern ("pod does not fit the node template"));
            }
        }
      ks_sched_cache_free (one);
      if (fitting->len > 0)
        {
          Option opt = { 0 };
          estimate (ca, g, fitting, limit, &opt);
          if (opt.node_count > 0)
            g_array_append_val (options, opt);
          else
            g_ptr_array_unref (opt.pods);
        }
    }

  chosen = expand (ca, options);
  if (chosen != NULL)
    {
      Group *g = chosen->group;
      g_autofree char *info = g_strdup_printf ("[{%s %u->%u (max: %u)}]", g->p->name, g->target,
                                               g->target + chosen->node_count, g->p->max);
      g->target += chosen->node_count;
      for (guint i = 0; i < chosen->node_count; i++)
        {
          g_autofree char *name = new_node_name (ca, g);
          g_ptr_array_add (g->upcoming, g_strdup (name));
          ca->provider->create_node (ca->provider_data, g->pool, name);
        }
      g->stats.scale_ups++;
      for (guint i = 0; i < chosen->pods->len; i++)
        ks_event_record (&ca->events, g_ptr_array_index (chosen->pods, i), FALSE,
                         "TriggeredScaleUp", NULL, "pod triggered scale-up: %s", info);
      ca->last_scale_up = ks_clock_now (ca->clock);
      scaled = TRUE;
    }
  else
    for (guint i = 0; i < pending->len; i++)
      {
        g_autofree char *msg = reasons_message (g_ptr_array_index (pod_reasons, i));
        ks_event_record (&ca->events, g_ptr_array_index (pending, i), FALSE, "NotTriggerScaleUp",
                         NULL,
                         "pod didn't trigger scale-up (it wouldn't fit if a new node is "
                         "added): %s",
                         msg);
      }
  for (guint i = 0; i < options->len; i++)
    g_ptr_array_unref (g_array_index (options, Option, i).pods);
  return scaled;
}

/* Scale-down */

static gboolean
is_mirror_or_daemon (const KsPod *pod)
{
  const KsOwnerRef *ref = ks_object_get_controller_ref (KS_OBJECT (pod));

  return ks_object_get_annotation (KS_OBJECT (pod), MIRROR_ANNOTATION) != NULL
         || (ref != NULL && g_strcmp0 (ref->kind, "DaemonSet") == 0);
}

/* A volume on the node's disk (hostPath, or emptyDir not in memory): skip-nodes-with-local-
 * storage. */
static gboolean
has_local_storage (const KsPod *pod)
{
  JsonArray *a;

  if (pod->spec->volumes == NULL || !JSON_NODE_HOLDS_ARRAY (pod->spec->volumes))
    return FALSE;
  a = json_node_get_array (pod->spec->volumes);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *v = json_array_get_object_element (a, i);
      if (v == NULL)
        continue;
      if (json_object_has_member (v, "hostPath"))
        return TRUE;
      if (json_object_has_member (v, "emptyDir"))
        {
          JsonObject *e = json_object_get_object_member (v, "emptyDir");
          if (e == NULL
              || g_strcmp0 (json_object_get_string_member_with_default (e, "medium", ""), "Memory")
                     != 0)
            return TRUE;
        }
    }
  return FALSE;
}

static KsPodDisruptionBudget *
budget_of (GPtrArray *pdbs, const KsPod *pod)
{
  for (guint i = 0; i < pdbs->len; i++)
    {
      KsPodDisruptionBudget *pdb = g_ptr_array_index (pdbs, i);
      if (g_strcmp0 (pdb->parent.meta.namespace, pod->parent.meta.namespace) == 0
          && ks_pdb_selects_for_preemption (pdb, pod))
        return pdb;
    }
  return NULL;
}

/* The pods a removal of the node holding pods (its unfinished pods) must evict (into move), or
 * FALSE when one blocks it (simulator/drainability rules with CA's defaults).  A pod still
 * terminating holds the node until it is gone: kubesim has no pod garbage collector to clean up
 * after a node deleted under it. */
static gboolean
pods_to_move (GPtrArray *pods, GPtrArray *pdbs, GPtrArray *move)
{
  g_autoptr (GHashTable) per_pdb = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < pods->len; i++)
    {
      KsPod *pod = g_ptr_array_index (pods, i);
      const char *safe;
      KsPodDisruptionBudget *pdb;
      if (ks_object_is_being_deleted (KS_OBJECT (pod)))
        return FALSE;
      if (is_mirror_or_daemon (pod))
        continue;
      safe = ks_object_get_annotation (KS_OBJECT (pod), SAFE_TO_EVICT);
      pdb = budget_of (pdbs, pod);
      if (pdb != NULL)
        g_hash_table_insert (
            per_pdb, pdb,
            GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (per_pdb, pdb)) + 1));
      if (g_strcmp0 (safe, "false") == 0)
        return FALSE;
      if (g_strcmp0 (safe, "true") != 0)
        {
          if (ks_object_get_controller_ref (KS_OBJECT (pod)) == NULL)
            return FALSE;
          if (g_strcmp0 (pod->parent.meta.namespace, "kube-system") == 0 && pdb == NULL)
            return FALSE;
          if (has_local_storage (pod))
            return FALSE;
        }
      g_ptr_array_add (move, pod);
    }
  {
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init (&iter, per_pdb);
    while (g_hash_table_iter_next (&iter, &key, &value))
      if (((KsPodDisruptionBudget *) key)->status.disruptions_allowed
          < (gint32) GPOINTER_TO_UINT (value))
        return FALSE;
  }
  return TRUE;
}

/* max(CPU requests / allocatable, memory requests / allocatable) of the node's unfinished pods
 * (simulator/utilization: DaemonSet and mirror pods count by default). */
static double
utilization (const KsNode *node, GPtrArray *pods)
{
  gint64 cpu = 0, mem = 0;
  double u = 0;

  for (guint i = 0; i < pods->len; i++)
    {
      const KsPod *pod = g_ptr_array_index (pods, i);
      cpu += pod->spec->requests.milli_cpu;
      mem += pod->spec->requests.memory;
    }
  if (node->allocatable.milli_cpu > 0)
    u = MAX (u, (double) cpu / (double) node->allocatable.milli_cpu);
  if (node->allocatable.memory > 0)
    u = MAX (u, (double) mem / (double) node->allocatable.memory);
  return u;
}

/* Each node's unfinished pods: name → GPtrArray of KsPod* (borrowed). */
static GHashTable *
pods_by_node (GPtrArray *pods)
{
  GHashTable *by
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);

  for (guint i = 0; i < pods->len; i++)
    {
      KsPod *pod = g_ptr_array_index (pods, i);
      GPtrArray *list;
      if (!pod_counts (pod))
        continue;
      list = g_hash_table_lookup (by, pod->node_name);
      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (by, (gpointer) pod->node_name, list);
        }
      g_ptr_array_add (list, pod);
    }
  return by;
}

static Group *
group_of (KsClusterAutoscaler *ca, const KsNode *node)
{
  const char *name = ks_object_get_label (KS_OBJECT (node), KS_NODE_GROUP_LABEL);

  for (guint i = 0; name != NULL && i < ca->groups->len; i++)
    {
      Group *g = g_ptr_array_index (ca->groups, i);
      if (strcmp (g->p->name, name) == 0)
        return g;
    }
  return NULL;
}

static gboolean
node_ready (const KsNode *node)
{
  return node->conditions[KS_NODE_COND_READY].status == KS_CONDITION_TRUE;
}

typedef struct
{
  KsNode *node;
  Group *group;
  GPtrArray *move; /* KsPod* (borrowed) */
} Unneeded;

static void
unneeded_clear (gpointer p)
{
  Unneeded *u = p;
  g_ptr_array_unref (u->move);
}

static gboolean
set_taint (KsClusterAutoscaler *ca, const char *name, gboolean on)
{
  g_autoptr (KsObject) obj
      = ks_client_get (ca->client, ks_kind_get (KS_KIND_NODE), NULL, name, NULL);
  g_autoptr (KsNode) node = NULL;
  g_autoptr (KsObject) updated = NULL;
  guint j = 0;

  if (obj == NULL)
    return FALSE;
  node = ks_node_copy (KS_NODE (obj));
  if (on)
    {
      if (has_taint (node, TO_BE_DELETED_TAINT))
        return TRUE;
      node->taints = g_renew (KsTaint, node->taints, node->n_taints + 1);
      node->taints[node->n_taints]
          = (KsTaint){ g_strdup (TO_BE_DELETED_TAINT),
                       g_strdup_printf ("%" G_GINT64_FORMAT,
                                        ks_clock_now (ca->clock) / KS_USEC_PER_SEC),
                       KS_TAINT_NO_SCHEDULE, KS_TIME_NONE };
      node->n_taints++;
    }
  else
    {
      for (guint i = 0; i < node->n_taints; i++)
        if (strcmp (node->taints[i].key, TO_BE_DELETED_TAINT) == 0)
          ks_taint_clear (&node->taints[i]);
        else
          node->taints[j++] = node->taints[i];
      node->n_taints = j;
    }
  updated = ks_client_update (ca->client, KS_OBJECT (node), NULL);
  return updated != NULL;
}

static void
node_removed (KsClusterAutoscaler *ca, Group *g, const char *name)
{
  g_autoptr (KsObject) obj
      = ks_client_get (ca->client, ks_kind_get (KS_KIND_NODE), NULL, name, NULL);
  g_autoptr (GError) error = NULL;

  if (obj != NULL)
    ks_event_record (&ca->events, obj, FALSE, "ScaleDown", name,
                     "nodes removed by cluster autoscaler");
  if (!ca->provider->delete_node (ca->provider_data, g->pool, name, &error))
    g_printerr ("kubesim: warning: cluster autoscaler: removing node %s: %s\n", name,
                error->message);
  g_hash_table_remove (ca->unneeded_since, name);
  g->stats.nodes_removed++;
  ca->last_delete = ks_clock_now (ca->clock);
}

static void removal_step (gpointer data);

static void
removal_again (Removal *r, gint64 delay)
{
  ks_clock_schedule_in (r->ca->clock, delay, removal_step, r, NULL);
}

/* A non-empty removal: evict the pods (failed evictions retried every 10 s), wait for them to
 * go, then delete the node; past maxPodEvictionTime with pods not evicted, give up. */
static void
removal_step (gpointer data)
{
  Removal *r = data;
  KsClusterAutoscaler *ca = r->ca;
  gint64 now = ks_clock_now (ca->clock);
  gboolean all_evicted = TRUE, all_gone = TRUE;

  for (guint i = 0; i < r->pods->len; i++)
    {
      KsPod *pod = g_ptr_array_index (r->pods, i);
      g_autoptr (KsObject) cur
          = ks_client_get (ca->client, ks_kind_get (KS_KIND_POD), pod->parent.meta.namespace,
                           pod->parent.meta.name, NULL);
      gboolean gone = cur == NULL || !ks_uid_equal (&cur->meta.uid, &pod->parent.meta.uid)
                      || ks_pod_is_terminal (KS_POD (cur));
      g_autofree char *message = NULL;
      if (gone)
        continue;
      all_gone = FALSE;
      if (g_ptr_array_find (r->evicted, pod, NULL))
        continue;
      switch (ks_evict_pod (ca->client, now, KS_POD (cur), &message))
        {
        case KS_EVICT_DONE:
          g_ptr_array_add (r->evicted, pod);
          break;
        case KS_EVICT_REFUSED:
        case KS_EVICT_FAILED:
          /* CA's evictPod retries any error until maxPodEvictionTime. */
          all_evicted = FALSE;
          break;
        }
    }
  if (all_gone)
    {
      node_removed (ca, r->group, r->node);
      g_hash_table_remove (ca->removing, r->node);
      return;
    }
  if (!all_evicted && now >= r->deadline)
    {
      g_autoptr (KsObject) obj
          = ks_client_get (ca->client, ks_kind_get (KS_KIND_NODE), NULL, r->node, NULL);
      if (obj != NULL)
        ks_event_record (&ca->events, obj, TRUE, "ScaleDownFailed", r->node,
                         "failed to drain the node, aborting ScaleDown");
      set_taint (ca, r->node, FALSE);
      r->group->target++;
      r->group->stats.failed_removals++;
      ca->last_failure = now;
      g_hash_table_remove (ca->unneeded_since, r->node);
      g_hash_table_remove (ca->removing, r->node);
      return;
    }
  removal_again (r, all_evicted ? DELETION_POLL : EVICTION_RETRY);
}

/* --node-delete-delay-after-taint has passed: evict the node's pods (those still there, mirror
 * and DaemonSet pods apart) and go on as removal_step; an empty node goes at once. */
static void
removal_begin (gpointer data)
{
  Removal *r = data;
  KsClusterAutoscaler *ca = r->ca;
  g_autoptr (GPtrArray) pods = ks_client_list (ca->client, ks_kind_get (KS_KIND_POD), NULL, NULL);

  r->deadline = ks_clock_now (ca->clock) + ca->o->max_pod_eviction_time;
  for (guint i = 0; pods != NULL && i < pods->len; i++)
    {
      KsPod *pod = g_ptr_array_index (pods, i);
      if (!pod_counts (pod) || strcmp (pod->node_name, r->node) != 0 || is_mirror_or_daemon (pod))
        continue;
      g_ptr_array_add (r->pods, ks_object_ref (KS_OBJECT (pod)));
      ks_event_record (&ca->events, KS_OBJECT (pod), FALSE, "ScaleDown", r->node,
                       "deleting pod for node scale down");
    }
  removal_step (r);
}

/* Taint the node, then (after nodeDeleteDelayAfterTaint, so that the scheduler sees the taint)
 * drain and delete it (core/scaledown/actuation/actuator.go). */
static void
start_removal (KsClusterAutoscaler *ca, Unneeded *u)
{
  const char *name = u->node->parent.meta.name;
  Removal *r;

  if (!set_taint (ca, name, TRUE))
    return;
  u->group->target--;
  ks_event_record (&ca->events, KS_OBJECT (u->node), FALSE, "ScaleDown", name,
                   "marked the node as toBeDeleted/unschedulable");
  r = g_new0 (Removal, 1);
  r->ca = ca;
  r->group = u->group;
  r->node = g_strdup (name);
  r->drain = u->move->len > 0;
  r->pods = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  r->evicted = g_ptr_array_new ();
  g_hash_table_insert (ca->removing, r->node, r);
  ks_clock_schedule_in (ca->clock, ca->o->node_delete_delay_after_taint, removal_begin, r, NULL);
}

static gint
cmp_node_name (gconstpointer pa, gconstpointer pb)
{
  const KsObject *a = *(KsObject *const *) pa, *b = *(KsObject *const *) pb;
  return strcmp (a->meta.name, b->meta.name);
}

static gboolean
in_cooldown (KsClusterAutoscaler *ca, gint64 now)
{
  const KsAutoscalerOptions *o = ca->o;
  return (ca->last_scale_up != KS_TIME_NONE
          && now < ca->last_scale_up + o->scale_down_delay_after_add)
         || (ca->last_delete != KS_TIME_NONE
             && now < ca->last_delete + o->scale_down_delay_after_delete)
         || (ca->last_failure != KS_TIME_NONE
             && now < ca->last_failure + o->scale_down_delay_after_failure);
}

static void
scale_down (KsClusterAutoscaler *ca, GPtrArray *nodes, GPtrArray *pods)
{
  gint64 now = ks_clock_now (ca->clock);
  g_autoptr (GPtrArray) pdbs
      = ks_client_list (ca->client, ks_kind_get (KS_KIND_POD_DISRUPTION_BUDGET), NULL, NULL);
  g_autoptr (GArray) unneeded = g_array_new (FALSE, TRUE, sizeof (Unneeded));
  g_autoptr (GHashTable) skip = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) still = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) moved = g_ptr_array_new (); /* pod, interned node, pod, node, ... */
  g_autoptr (GHashTable) planned = g_hash_table_new (NULL, NULL); /* Group → removals */
  g_autoptr (GHashTable) by_node = pods_by_node (pods);
  g_autoptr (GPtrArray) none = g_ptr_array_new ();

  g_array_set_clear_func (unneeded, unneeded_clear);
  if (pdbs == NULL)
    pdbs = g_ptr_array_new ();
  g_ptr_array_sort (nodes, cmp_node_name);
  for (guint i = 0; i < nodes->len; i++)
    {
      KsNode *node = g_ptr_array_index (nodes, i);
      const char *name = node->parent.meta.name;
      Group *g = group_of (ca, node);
      g_autoptr (GPtrArray) move = NULL;
      GPtrArray *on_node;
      KsSchedCache *cache;
      gboolean ok = TRUE;
      guint removals;

      if (g == NULL || g_hash_table_contains (ca->removing, name)
          || has_taint (node, TO_BE_DELETED_TAINT) || !node_ready (node)
          || g_strcmp0 (ks_object_get_annotation (KS_OBJECT (node), SCALE_DOWN_DISABLED), "true")
                 == 0)
        continue;
      removals = GPOINTER_TO_UINT (g_hash_table_lookup (planned, g));
      if (g->target <= g->p->min + removals)
        continue;
      on_node = g_hash_table_lookup (by_node, name);
      if (on_node == NULL)
        on_node = none;
      if (utilization (node, on_node) >= ca->o->scale_down_utilization_threshold)
        continue;
      move = g_ptr_array_new ();
      if (!pods_to_move (on_node, pdbs, move))
        continue;
      /* Can its pods go elsewhere?  Nodes found unneeded before it are gone in this snapshot,
       * their pods placed where they would go. */
      g_hash_table_add (skip, (gpointer) name);
      cache = cluster_cache (nodes, pods, skip);
      for (guint k = 0; k + 1 < moved->len; k += 2)
        if (ks_sched_cache_get_node (cache, moved->pdata[k + 1]) != NULL)
          ks_sched_cache_assume_pod (cache, moved->pdata[k], moved->pdata[k + 1]);
      {
        g_autoptr (GPtrArray) here = g_ptr_array_new ();
        for (guint k = 0; k < move->len && ok; k++)
          {
            KsPod *pod = g_ptr_array_index (move, k);
            const char *dest = first_fit (ca, cache, pod, NULL);
            if (dest == NULL)
              ok = FALSE;
            else
              {
                ks_sched_cache_assume_pod (cache, pod, dest);
                g_ptr_array_add (here, pod);
                g_ptr_array_add (here, (gpointer) dest);
              }
          }
        if (ok)
          g_ptr_array_extend (moved, here, NULL, NULL);
      }
      ks_sched_cache_free (cache);
      if (!ok)
        {
          g_hash_table_remove (skip, name);
          continue;
        }
      {
        Unneeded u = { node, g, g_steal_pointer (&move) };
        g_array_append_val (unneeded, u);
      }
      g_hash_table_insert (planned, g, GUINT_TO_POINTER (removals + 1));
      g_hash_table_add (still, (gpointer) name);
      if (!g_hash_table_contains (ca->unneeded_since, name))
        {
          gint64 *since = g_new (gint64, 1);
          *since = now;
          g_hash_table_insert (ca->unneeded_since, g_strdup (name), since);
        }
    }
  /* Nodes no longer unneeded start over. */
  {
    GHashTableIter iter;
    gpointer key;
    g_hash_table_iter_init (&iter, ca->unneeded_since);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      if (!g_hash_table_contains (still, key))
        g_hash_table_iter_remove (&iter);
  }
  if (in_cooldown (ca, now))
    return;
  {
    guint empty = 0;
    gboolean drained = FALSE;
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init (&iter, ca->removing);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      drained |= ((Removal *) value)->drain;
    for (guint i = 0; i < unneeded->len; i++)
      {
        Unneeded *u = &g_array_index (unneeded, Unneeded, i);
        const gint64 *since = g_hash_table_lookup (ca->unneeded_since, u->node->parent.meta.name);
        if (since == NULL || now - *since < ca->o->scale_down_unneeded_time
            || u->group->target <= u->group->p->min)
          continue;
        if (u->move->len == 0 && empty < ca->o->max_empty_bulk_delete)
          {
            empty++;
            start_removal (ca, u);
          }
        else if (u->move->len > 0 && !drained)
          {
            drained = TRUE;
            start_removal (ca, u);
          }
      }
  }
}

/* The loop */

static void
run_once (gpointer data)
{
  KsClusterAutoscaler *ca = data;
  g_autoptr (GPtrArray) nodes = ks_client_list (ca->client, ks_kind_get (KS_KIND_NODE), NULL, NULL);
  g_autoptr (GPtrArray) pods = ks_client_list (ca->client, ks_kind_get (KS_KIND_POD), NULL, NULL);

  ca->loop_task = ks_clock_schedule_in (ca->clock, ca->o->scan_interval, run_once, ca, NULL);
  if (nodes == NULL || pods == NULL)
    return;
  /* No scale-down in a loop that scaled up (static_autoscaler.go). */
  if (scale_up (ca, nodes, pods))
    return;
  if (ca->o->scale_down_enabled)
    scale_down (ca, nodes, pods);
}

void
ks_cluster_autoscaler_start (KsClusterAutoscaler *ca)
{
  ca->loop_task = ks_clock_schedule_in (ca->clock, ca->o->scan_interval, run_once, ca, NULL);
}

void
ks_cluster_autoscaler_node_registered (KsClusterAutoscaler *ca, guint pool, const char *name,
                                       const GError *error)
{
  for (guint i = 0; i < ca->groups->len; i++)
    {
      Group *g = g_ptr_array_index (ca->groups, i);
      guint j;
      if (g->pool != pool || !g_ptr_array_find_with_equal_func (g->upcoming, name, g_str_equal, &j))
        continue;
      g_ptr_array_remove_index (g->upcoming, j);
      if (error != NULL)
        {
          g_printerr ("kubesim: warning: cluster autoscaler: node %s of group %s: %s\n", name,
                      g->p->name, error->message);
          g->target--;
          return;
        }
      g->stats.nodes_added++;
      return;
    }
}
