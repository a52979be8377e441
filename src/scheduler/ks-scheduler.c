/* ks-scheduler.c: the scheduler's event handlers and scheduling loop (schedule_one.go,
 * eventhandlers.go). */
#include "config.h"

#include <string.h>

#include "ks-framework.h"
#include "ks-sched-cache.h"
#include "ks-sched-queue.h"
#include "ks-scheduler.h"

struct _KsScheduler
{
  KsClient *client;
  KsClock *clock;
  KsEventSink *sink;
  KsSchedulerConfig *config;
  GPtrArray *frameworks; /* KsFramework*, one per profile */
  KsSchedCache *cache;
  KsSchedQueue *queue;
  guint watches[2];
  guint64 task;
  KsSchedulerStats stats;
};

static KsFramework *
framework_for (KsScheduler *s, const KsPod *pod)
{
  for (guint i = 0; i < s->frameworks->len; i++)
    {
      KsFramework *fw = g_ptr_array_index (s->frameworks, i);
      if (strcmp (ks_framework_get_name (fw), pod->spec->scheduler_name) == 0)
        return fw;
    }
  return NULL;
}

/* Binding and failure */

/* Events carry the profile's name as their source, as kube-scheduler's do. */
static void
record_event (KsScheduler *s, KsFramework *fw, KsObject *pod, gboolean warning, const char *reason,
              const char *node, const char *message)
{
  KsEventRecorder recorder;

  ks_event_recorder_init (&recorder, s->sink, s->clock, ks_framework_get_name (fw));
  ks_event_record (&recorder, pod, warning, reason, node, "%s", message);
}

/* What to do with a pod's nomination after a failed attempt (NominatingInfo): leave it
 * (ModeNoop), or set it to node, or clear it with node NULL (ModeOverride). */
typedef struct
{
  gboolean override;
  const char *node;
} Nominating;

static const Nominating nominating_clear = { TRUE, NULL };

static const char *
nominated_node_name (const KsPod *pod)
{
  const char *node = ks_pod_get_status_string (pod, KS_POD_NOMINATED_NODE_NAME);
  return node != NULL && node[0] != '\0' ? node : NULL;
}

/* handleSchedulingFailure: the pod goes back to the queue and keeps (or gets) its nomination
 * there, a FailedScheduling event, and through the status subresource the condition
 * PodScheduled=False with reason Unschedulable (plugins rejected the pod) or SchedulerError,
 * and status.nominatedNodeName when the nomination changes (updatePod).  The event carries the
 * FitError's nodes per reason when plugins rejected the pod (reasons, may be NULL). */
static void
record_failure (KsScheduler *s, KsFramework *fw, KsPod *pod, gboolean rejected, const char *message,
                const Nominating *nominating, GArray *reasons)
{
  const KsCondition *c = &pod->conditions[KS_POD_COND_SCHEDULED];
  const char *reason = rejected ? "Unschedulable" : "SchedulerError";
  gboolean nnn_changes
      = nominating->override && g_strcmp0 (nominated_node_name (pod), nominating->node) != 0;
  KsEventRecorder recorder;

  ks_sched_queue_requeue (s->queue, pod, rejected);
  ks_nominator_add (ks_sched_queue_get_nominator (s->queue), pod,
                    nominating->override ? (nominating->node ? nominating->node : "") : NULL);
  ks_event_recorder_init (&recorder, s->sink, s->clock, ks_framework_get_name (fw));
  ks_event_record_reasons (&recorder, KS_OBJECT (pod), TRUE, "FailedScheduling",
                           reasons != NULL ? (const KsReasonCount *) reasons->data : NULL,
                           reasons != NULL ? reasons->len : 0, "%s", message);
  if (c->status != KS_CONDITION_FALSE || g_strcmp0 (c->reason, reason) != 0
      || g_strcmp0 (c->message, message) != 0 || nnn_changes)
    {
      KsPod *copy = ks_pod_copy (pod);
      KsObject *updated;
      ks_pod_set_condition (copy, KS_POD_COND_SCHEDULED, KS_CONDITION_FALSE, reason, message,
                            ks_clock_now (s->clock));
      if (nnn_changes)
        ks_pod_set_status_string (copy, KS_POD_NOMINATED_NODE_NAME, nominating->node);
      updated = ks_client_update_status (s->client, KS_OBJECT (copy), NULL);
      ks_object_unref (KS_OBJECT (copy));
      if (updated != NULL)
        ks_object_unref (updated);
    }
}

typedef void (*PodStatusEdit) (KsPod *pod, gpointer data);

/* util.PatchPodStatus: change the latest version of pod's status with edit; retried on a
 * conflict.  FALSE when the pod is gone (or another pod has its name). */
static gboolean
patch_pod_status (KsScheduler *s, const KsPod *pod, PodStatusEdit edit, gpointer data)
{
  for (guint attempt = 0; attempt < 5; attempt++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (KsObject) latest
          = ks_client_get (s->client, ks_kind_get (KS_KIND_POD), pod->parent.meta.namespace,
                           pod->parent.meta.name, NULL);
      KsPod *copy;
      KsObject *updated;

      if (latest == NULL || !ks_uid_equal (&latest->meta.uid, &pod->parent.meta.uid))
        return FALSE;
      copy = ks_pod_copy (KS_POD (latest));
      edit (copy, data);
      updated = ks_client_update_status (s->client, KS_OBJECT (copy), &error);
      ks_object_unref (KS_OBJECT (copy));
      if (updated != NULL)
        {
          ks_object_unref (updated);
          return TRUE;
        }
      if (!g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_CONFLICT))
        {
          g_warning ("cannot update the status of pod %s/%s: %s", pod->parent.meta.namespace,
                     pod->parent.meta.name, error->message);
          return FALSE;
        }
    }
  return FALSE;
}

typedef struct
{
  const char *message;
  gint64 now;
} Disruption;

static void
set_disruption_target (KsPod *pod, gpointer data)
{
  const Disruption *d = data;
  ks_pod_set_condition (pod, KS_POD_COND_DISRUPTION_TARGET, KS_CONDITION_TRUE,
                        "PreemptionByScheduler", d->message, d->now);
}

static void
clear_nomination (KsPod *pod, gpointer unused)
{
  ks_pod_set_status_string (pod, KS_POD_NOMINATED_NODE_NAME, NULL);
}

/* prepareCandidate: delete the victims (each with the DisruptionTarget condition first, then a
 * graceful delete and the Preempted event), then clear the nominations of the pods of lower
 * priority nominated to the node, which may no longer fit there. */
static void
preempt (KsScheduler *s, KsFramework *fw, const KsPod *pod, const char *node, GPtrArray *victims)
{
  g_autofree char *message = g_strdup_printf ("%s: preempting to accommodate a higher priority pod",
                                              pod->spec->scheduler_name);
  char uid[KS_UID_STRING_LEN];
  const GPtrArray *nominated;
  g_autoptr (GPtrArray) lower = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  gint32 priority = ks_pod_get_priority (pod);

  Disruption disruption = { message, ks_clock_now (s->clock) };

  ks_uid_to_string (&pod->parent.meta.uid, uid);
  for (guint i = 0; i < victims->len; i++)
    {
      const KsPod *victim = g_ptr_array_index (victims, i);
      const KsCondition *c = &victim->conditions[KS_POD_COND_DISRUPTION_TARGET];
      KsDeleteOptions options = KS_DELETE_OPTIONS_DEFAULT;
      g_autoptr (GError) error = NULL;

      /* Graceful deletion has already started: nothing more to ask. */
      if (ks_object_is_being_deleted (KS_OBJECT (victim)))
        continue;
      /* UpdatePodCondition changes nothing for an identical condition. */
      if ((c->status != KS_CONDITION_TRUE || g_strcmp0 (c->reason, "PreemptionByScheduler") != 0
           || g_strcmp0 (c->message, message) != 0)
          && !patch_pod_status (s, victim, set_disruption_target, &disruption))
        continue; /* already gone */
      if (!ks_client_delete (s->client, ks_kind_get (KS_KIND_POD), victim->parent.meta.namespace,
                             victim->parent.meta.name, &options, &error))
        {
          if (!g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
            g_warning ("cannot preempt pod %s/%s: %s", victim->parent.meta.namespace,
                       victim->parent.meta.name, error->message);
          continue;
        }
      {
        g_autofree char *text = g_strdup_printf ("Preempted by pod %s on node %s", uid, node);
        record_event (s, fw, KS_OBJECT (victim), FALSE, "Preempted", node, text);
      }
    }
  s->stats.victims += victims->len;

  nominated = ks_nominator_pods_for_node (ks_sched_queue_get_nominator (s->queue), node);
  for (guint i = 0; nominated != NULL && i < nominated->len; i++)
    if (ks_pod_get_priority (g_ptr_array_index (nominated, i)) < priority)
      g_ptr_array_add (lower, ks_object_ref (g_ptr_array_index (nominated, i)));
  for (guint i = 0; i < lower->len; i++)
    if (nominated_node_name (g_ptr_array_index (lower, i)) != NULL)
      patch_pod_status (s, g_ptr_array_index (lower, i), clear_nomination, NULL);
}

static void
schedule_one (KsScheduler *s, const KsQueuedPod *qp)
{
  g_autoptr (KsObject) pod_obj = ks_object_ref (KS_OBJECT (qp->pod));
  KsPod *pod = KS_POD (pod_obj);
  KsFramework *fw = framework_for (s, pod);
  KsScheduleResult result;
  KsNodeInfo *const *nodes;
  guint n;
  g_autoptr (GError) error = NULL;

  if (fw == NULL || ks_object_is_being_deleted (pod_obj))
    {
      ks_sched_queue_done (s->queue, pod);
      return;
    }
  s->stats.attempts++;
  nodes = ks_sched_cache_list_nodes (s->cache, &n);
  ks_framework_schedule (fw, pod, nodes, n, ks_clock_now (s->clock), &result);
  if (result.node == NULL)
    {
      Nominating nominating = nominating_clear;
      s->stats.failed++;
      if (result.post_filter_ran)
        s->stats.preemption_attempts++;
      if (result.rejected)
        nominating = (Nominating){ result.nominate, result.nominated };
      if (result.victims != NULL && result.nominated != NULL)
        {
          s->stats.preemptions++;
          preempt (s, fw, pod, result.nominated, result.victims);
        }
      record_failure (s, fw, pod, result.rejected, result.message, &nominating, result.reasons);
      ks_schedule_result_clear (&result);
      return;
    }
  /* Assume, Reserve, then bind (the binding cycle runs at once in kubesim). */
  ks_sched_cache_assume_pod (s->cache, pod, result.node);
  {
    g_autofree char *why = NULL;
    if (!ks_framework_reserve (fw, pod, result.node, &why))
      {
        ks_framework_end_cycle (fw);
        ks_sched_cache_remove_pod (s->cache, pod);
        s->stats.failed++;
        record_failure (s, fw, pod, FALSE, why, &nominating_clear, NULL);
        ks_schedule_result_clear (&result);
        return;
      }
  }
  if (!ks_client_bind (s->client, pod, result.node, &error))
    {
      /* handleBindingCycleError: unreserve and forget the pod; what it held may let others
       * fit. */
      ks_framework_unreserve (fw, pod, result.node);
      ks_framework_end_cycle (fw);
      ks_sched_cache_remove_pod (s->cache, pod);
      s->stats.failed++;
      ks_sched_queue_requeue (s->queue, pod, FALSE);
      ks_sched_queue_move_all (s->queue);
      {
        /* RunBindPlugins wraps the binder's error so. */
        g_autofree char *message
            = g_strdup_printf ("running Bind plugin \"DefaultBinder\": %s", error->message);
        record_failure (s, fw, pod, FALSE, message, &nominating_clear, NULL);
      }
      ks_schedule_result_clear (&result);
      return;
    }
  ks_framework_end_cycle (fw);
  s->stats.scheduled++;
  ks_sched_queue_done (s->queue, pod);
  {
    g_autofree char *message
        = g_strdup_printf ("Successfully assigned %s/%s to %s", pod_obj->meta.namespace,
                           pod_obj->meta.name, result.node);
    record_event (s, fw, pod_obj, FALSE, "Scheduled", result.node, message);
  }
  ks_schedule_result_clear (&result);
}

static void
run (gpointer data)
{
  KsScheduler *s = data;
  const KsQueuedPod *qp;

  s->task = 0;
  while ((qp = ks_sched_queue_pop (s->queue)) != NULL)
    schedule_one (s, qp);
}

static void
on_ready (gpointer queue, gpointer data)
{
  KsScheduler *s = data;
  if (s->task == 0)
    s->task = ks_clock_schedule (s->clock, ks_clock_now (s->clock), run, s, NULL);
}

/* Event handlers */

static gboolean
responsible (KsScheduler *s, const KsPod *pod)
{
  return framework_for (s, pod) != NULL;
}

static void
on_pod (const KsWatchEvent *event, gpointer data)
{
  KsScheduler *s = data;
  KsPod *pod = KS_POD (event->object);
  KsPod *old = event->old_object ? KS_POD (event->old_object) : NULL;

  switch (event->type)
    {
    case KS_WATCH_ADDED:
      if (pod->node_name != NULL)
        ks_sched_cache_set_pod (s->cache, pod);
      else if (!ks_pod_is_terminal (pod) && !ks_object_is_being_deleted (event->object)
               && responsible (s, pod))
        ks_sched_queue_add (s->queue, pod);
      break;
    case KS_WATCH_MODIFIED:
      if (pod->node_name != NULL)
        {
          if (old != NULL && old->node_name == NULL)
            ks_sched_queue_delete (s->queue, pod);
          ks_sched_cache_set_pod (s->cache, pod);
          /* An assigned pod that ended frees its resources. */
          if (old != NULL && !ks_pod_is_terminal (old) && ks_pod_is_terminal (pod))
            ks_sched_queue_move_all (s->queue);
        }
      else if (ks_pod_is_terminal (pod) || ks_object_is_being_deleted (event->object))
        ks_sched_queue_delete (s->queue, pod);
      else if (ks_sched_queue_contains (s->queue, pod))
        ks_sched_queue_update (s->queue, pod);
      else if (responsible (s, pod))
        ks_sched_queue_add (s->queue, pod);
      break;
    case KS_WATCH_DELETED:
      if (pod->node_name != NULL)
        {
          ks_sched_cache_remove_pod (s->cache, pod);
          ks_sched_queue_move_all (s->queue);
        }
      else
        ks_sched_queue_delete (s->queue, pod);
      break;
    }
}

/* Did a node change in a way that may let pending pods fit? */
static gboolean
node_changed_for_scheduling (const KsNode *a, const KsNode *b)
{
  if (a->unschedulable != b->unschedulable || a->n_taints != b->n_taints
      || !ks_resources_equal (&a->allocatable, &b->allocatable)
      || !ks_str_map_equal (a->parent.meta.labels, b->parent.meta.labels))
    return TRUE;
  for (guint i = 0; i < a->n_taints; i++)
    if (strcmp (a->taints[i].key, b->taints[i].key) != 0
        || strcmp (a->taints[i].value, b->taints[i].value) != 0
        || a->taints[i].effect != b->taints[i].effect)
      return TRUE;
  return FALSE;
}

static void
on_node (const KsWatchEvent *event, gpointer data)
{
  KsScheduler *s = data;
  KsNode *node = KS_NODE (event->object);

  switch (event->type)
    {
    case KS_WATCH_ADDED:
      ks_sched_cache_set_node (s->cache, node);
      ks_sched_queue_move_all (s->queue);
      break;
    case KS_WATCH_MODIFIED:
      ks_sched_cache_set_node (s->cache, node);
      if (node_changed_for_scheduling (KS_NODE (event->old_object), node))
        ks_sched_queue_move_all (s->queue);
      break;
    case KS_WATCH_DELETED:
      ks_sched_cache_remove_node (s->cache, node->parent.meta.name);
      break;
    }
}

/* The cache's changes go to the plugins that observe the cluster; the queue re-sorts when a
 * queue-sort plugin's order moved. */
static void
observe_pod (gpointer data, const KsPod *pod, const KsNodeInfo *node, gboolean added)
{
  KsScheduler *s = data;
  gboolean resort = FALSE;

  for (guint i = 0; i < s->frameworks->len; i++)
    resort |= ks_framework_observe_pod (g_ptr_array_index (s->frameworks, i), pod, node, added);
  if (resort)
    ks_sched_queue_resort (s->queue);
}

static void
observe_node (gpointer data, const KsNode *old_node, const KsNode *node)
{
  KsScheduler *s = data;
  gboolean resort = FALSE;

  for (guint i = 0; i < s->frameworks->len; i++)
    resort |= ks_framework_observe_node (g_ptr_array_index (s->frameworks, i), old_node, node);
  if (resort)
    ks_sched_queue_resort (s->queue);
}

/* The cycle's counts of nodes with pods with affinity terms, from the cache. */
static void
affinity_counts (gpointer data, guint *with_affinity, guint *with_required_anti_affinity)
{
  KsScheduler *s = data;
  ks_sched_cache_affinity_counts (s->cache, with_affinity, with_required_anti_affinity);
}

/* The handle's list_objects: the scheduler's view of cluster objects through its client. */
static GPtrArray *
list_objects (gpointer data, KsKindId kind, const char *ns)
{
  KsScheduler *s = data;
  GPtrArray *objects = ks_client_list (s->client, ks_kind_get (kind), ns, NULL);

  return objects != NULL ? objects
                         : g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
}

/* The handle's nodes_with_image: the cache's counts. */
static guint
nodes_with_image (gpointer data, const char *image)
{
  KsScheduler *s = data;
  return ks_sched_cache_nodes_with_image (s->cache, image);
}

KsScheduler *
ks_scheduler_new (KsClient *client, KsClock *clock, KsSchedulerConfig *config, KsEventSink *events,
                  guint64 seed, GError **error)
{
  KsScheduler *s = g_new0 (KsScheduler, 1);
  KsFramework *first;

  s->client = client;
  s->clock = clock;
  s->config = config;
  s->sink = events;
  s->frameworks = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_framework_free);
  for (guint i = 0; i < config->profiles->len; i++)
    {
      KsFramework *fw = ks_framework_new (g_ptr_array_index (config->profiles, i),
                                          config->percentage_of_nodes_to_score, seed, error);
      if (fw == NULL)
        {
          ks_scheduler_free (s);
          return NULL;
        }
      ks_framework_set_lister (fw, list_objects, s);
      ks_framework_set_affinity_counts (fw, affinity_counts, s);
      g_ptr_array_add (s->frameworks, fw);
    }
  first = g_ptr_array_index (s->frameworks, 0);
  s->cache = ks_sched_cache_new ();
  for (guint i = 0; i < s->frameworks->len; i++)
    ks_framework_set_image_counter (g_ptr_array_index (s->frameworks, i), nodes_with_image, s);
  s->queue = ks_sched_queue_new (clock, ks_framework_queue_less, first, config->pod_initial_backoff,
                                 config->pod_max_backoff, on_ready, s);
  for (guint i = 0; i < s->frameworks->len; i++)
    ks_framework_set_nominator (g_ptr_array_index (s->frameworks, i),
                                ks_sched_queue_get_nominator (s->queue));
  for (guint i = 0; i < s->frameworks->len; i++)
    if (ks_framework_has_observers (g_ptr_array_index (s->frameworks, i)))
      {
        static const KsSchedCacheObserver observer = { observe_pod, observe_node };
        ks_sched_cache_set_observer (s->cache, &observer, s);
        break;
      }
  s->watches[0]
      = ks_client_watch (client, ks_kind_get (KS_KIND_NODE), NULL, TRUE, on_node, s, NULL);
  s->watches[1] = ks_client_watch (client, ks_kind_get (KS_KIND_POD), NULL, TRUE, on_pod, s, NULL);
  return s;
}

void
ks_scheduler_free (KsScheduler *s)
{
  if (s == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (s->watches); i++)
    if (s->watches[i] != 0)
      ks_client_unwatch (s->client, s->watches[i]);
  ks_clock_cancel (s->clock, s->task);
  ks_sched_queue_free (s->queue);
  ks_sched_cache_free (s->cache);
  g_ptr_array_unref (s->frameworks);
  g_free (s);
}

void
ks_scheduler_get_stats (KsScheduler *s, KsSchedulerStats *stats)
{
  *stats = s->stats;
}

void
ks_scheduler_get_queue_lengths (KsScheduler *s, guint *active, guint *backoff, guint *unschedulable)
{
  *active = ks_sched_queue_n_active (s->queue);
  *backoff = ks_sched_queue_n_backoff (s->queue);
  *unschedulable = ks_sched_queue_n_unschedulable (s->queue);
}
