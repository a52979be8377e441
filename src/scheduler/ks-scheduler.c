/* ks-scheduler.c: the scheduler's event handlers and scheduling loop (schedule_one.go,
 * eventhandlers.go). */
#include "config.h"

#include <string.h>

#include "ks-framework.h"
#include "ks-sched-cache.h"
#include "ks-sched-queue.h"
#include "ks-scheduler.h"
#include "src/api/ks-storage.h"

struct _KsScheduler
{
  KsClient *client;
  KsClock *clock;
  KsEventSink *sink;
  KsSchedulerConfig *config;
  GPtrArray *frameworks; /* KsFramework*, one per profile */
  KsSchedCache *cache;
  KsSchedQueue *queue;
  guint watches[4];
  guint64 task;
  KsSchedulerStats stats;
  /* Pods whose binding waits for their volumes (VolumeBinding's PreBind): Waiting*. */
  GPtrArray *waiting;
  guint64 waiting_task;
};

/* A pod assumed on node whose claims are being bound or provisioned. */
typedef struct
{
  KsScheduler *s;
  KsPod *pod; /* reference */
  const char *node;
  KsFramework *fw;
  guint64 timeout_task;
} Waiting;

static void waiting_free (Waiting *w);

/* VolumeBindingArgs.bindTimeoutSeconds' default: how long a pod waits for its claims. */
#define KS_VOLUME_BIND_TIMEOUT (600 * KS_USEC_PER_SEC)

static void
object_unref0 (gpointer obj)
{
  if (obj != NULL)
    ks_object_unref (obj);
}

/* Claims smallest first, then by name (the binder's order). */
static int
claim_size_order (gconstpointer a, gconstpointer b)
{
  const KsPersistentVolumeClaim *x = *(KsPersistentVolumeClaim *const *) a;
  const KsPersistentVolumeClaim *y = *(KsPersistentVolumeClaim *const *) b;

  if (x->request != y->request)
    return x->request < y->request ? -1 : 1;
  return strcmp (x->parent.meta.name, y->parent.meta.name);
}

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

/* The binding cycle's end: bind (DefaultBinder) and report.  On a failure the Reserve plugins are
 * unreserved (with their cycle state when the cycle is still open). */
static void
finish_binding (KsScheduler *s, KsFramework *fw, KsPod *pod, const char *node)
{
  g_autoptr (GError) error = NULL;

  if (!ks_client_bind (s->client, pod, node, &error))
    {
      /* handleBindingCycleError: unreserve and forget the pod; what it held may let others
       * fit. */
      ks_framework_unreserve (fw, pod, node);
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
      return;
    }
  s->stats.scheduled++;
  ks_sched_queue_done (s->queue, pod);
  {
    g_autofree char *message
        = g_strdup_printf ("Successfully assigned %s/%s to %s", pod->parent.meta.namespace,
                           pod->parent.meta.name, node);
    record_event (s, fw, KS_OBJECT (pod), FALSE, "Scheduled", node, message);
  }
}

static gboolean
claim_fully_bound (const KsPersistentVolumeClaim *pvc)
{
  return pvc->volume_name != NULL
         && ks_object_get_annotation (KS_OBJECT (pvc), KS_ANN_BIND_COMPLETED) != NULL;
}

/* VolumeBinding's Reserve and PreBind writes (binder.go AssumePodVolumes, BindPodVolumes): for
 * pod's unbound claims on node, the matching volumes get their claimRef (the PV controller
 * finishes the binding) and claims to provision get the selected-node annotation (the
 * provisioner creates their volume).  Returns 1 when every claim is bound, 0 when the pod must
 * wait for them, −1 when a write failed or the node no longer fits. */
static gint
prebind_volumes (KsScheduler *s, const KsPod *pod, const char *node_name)
{
  char **names = ks_pod_claim_names (pod);
  const char *ns = pod->parent.meta.namespace;
  g_autoptr (GPtrArray) delayed = NULL;
  g_autoptr (GPtrArray) classes = NULL;
  g_autoptr (GPtrArray) volumes = NULL;
  g_autoptr (GPtrArray) chosen = NULL;
  g_autoptr (KsObject) node = NULL;

  if (names == NULL)
    return 1;
  delayed = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  classes = g_ptr_array_new_with_free_func (object_unref0);
  for (guint i = 0; names[i] != NULL; i++)
    {
      KsObject *o = ks_client_get (s->client, ks_kind_get (KS_KIND_PERSISTENT_VOLUME_CLAIM), ns,
                                   names[i], NULL);
      if (o == NULL)
        return -1;
      if (claim_fully_bound (KS_PERSISTENT_VOLUME_CLAIM (o)))
        ks_object_unref (o);
      else
        g_ptr_array_add (delayed, o);
    }
  if (delayed->len == 0)
    return 1;
  /* Claims the scheduler already handled (an earlier attempt) are only waited for. */
  for (guint i = delayed->len; i-- > 0;)
    {
      const KsObject *o = g_ptr_array_index (delayed, i);
      if (KS_PERSISTENT_VOLUME_CLAIM (o)->volume_name != NULL
          || ks_object_get_annotation (o, KS_ANN_SELECTED_NODE) != NULL)
        g_ptr_array_remove_index (delayed, i);
    }
  if (delayed->len == 0)
    return 0;
  g_ptr_array_sort (delayed, claim_size_order);
  for (guint i = 0; i < delayed->len; i++)
    {
      const char *class = ks_pvc_class (g_ptr_array_index (delayed, i));
      g_ptr_array_add (classes, class[0] != '\0'
                                    ? ks_client_get (s->client, ks_kind_get (KS_KIND_STORAGE_CLASS),
                                                     NULL, class, NULL)
                                    : NULL);
    }
  node = ks_client_get (s->client, ks_kind_get (KS_KIND_NODE), NULL, node_name, NULL);
  volumes = ks_client_list (s->client, ks_kind_get (KS_KIND_PERSISTENT_VOLUME), NULL, NULL);
  chosen = g_ptr_array_new ();
  if (node == NULL || volumes == NULL
      || !ks_pv_choose_for_node (volumes, delayed, classes, node, chosen))
    return -1;
  for (guint i = 0; i < delayed->len; i++)
    {
      const KsObject *claim = g_ptr_array_index (delayed, i);
      const KsPersistentVolume *pv = g_ptr_array_index (chosen, i);
      g_autoptr (KsObject) copy = NULL;
      KsObject *updated;
      if (pv != NULL)
        {
          KsPersistentVolume *p;
          copy = ks_object_copy (KS_OBJECT (pv));
          p = KS_PERSISTENT_VOLUME (copy);
          ks_object_reference_clear (&p->claim_ref);
          ks_object_reference_set (&p->claim_ref, claim);
          p->has_claim_ref = TRUE;
          ks_object_set_annotation (copy, KS_ANN_BOUND_BY_CONTROLLER, "yes");
        }
      else
        {
          copy = ks_object_copy (claim);
          ks_object_set_annotation (copy, KS_ANN_SELECTED_NODE, node_name);
        }
      updated = ks_client_update (s->client, copy, NULL);
      if (updated == NULL)
        return -1;
      ks_object_unref (updated);
    }
  return 0;
}

/* Whether every claim of pod is bound now. */
static gboolean
volumes_bound (KsScheduler *s, const KsPod *pod)
{
  char **names = ks_pod_claim_names (pod);

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      g_autoptr (KsObject) o
          = ks_client_get (s->client, ks_kind_get (KS_KIND_PERSISTENT_VOLUME_CLAIM),
                           pod->parent.meta.namespace, names[i], NULL);
      if (o == NULL || !claim_fully_bound (KS_PERSISTENT_VOLUME_CLAIM (o)))
        return FALSE;
    }
  return TRUE;
}

/* bindTimeoutSeconds ran out: give the node up and try again later. */
static void
waiting_timeout (gpointer data)
{
  Waiting *w = data;
  KsScheduler *s = w->s;
  g_autofree char *message = NULL;

  g_autoptr (KsObject) pod = ks_object_ref (KS_OBJECT (w->pod));
  KsFramework *fw = w->fw;
  const char *node = w->node;

  w->timeout_task = 0;
  g_ptr_array_remove (s->waiting, w);
  ks_framework_unreserve (fw, KS_POD (pod), node);
  ks_sched_cache_remove_pod (s->cache, KS_POD (pod));
  s->stats.failed++;
  ks_sched_queue_move_all (s->queue);
  record_failure (s, fw, KS_POD (pod), FALSE,
                  "running PreBind plugin \"VolumeBinding\": binding volumes: context deadline "
                  "exceeded",
                  &nominating_clear, NULL);
}

/* A waiting pod was deleted: forget it. */
static void
forget_waiting (KsScheduler *s, const KsPod *pod)
{
  for (guint i = 0; i < s->waiting->len; i++)
    {
      Waiting *w = g_ptr_array_index (s->waiting, i);
      if (ks_uid_equal (&w->pod->parent.meta.uid, &pod->parent.meta.uid))
        {
          ks_sched_cache_remove_pod (s->cache, w->pod);
          ks_sched_queue_done (s->queue, w->pod);
          g_ptr_array_remove_index (s->waiting, i);
          return;
        }
    }
}

/* Re-check the waiting pods after a claim changed: bind those whose claims are all bound. */
static void
check_waiting (KsScheduler *s)
{
  for (guint i = 0; i < s->waiting->len;)
    {
      Waiting *w = g_ptr_array_index (s->waiting, i);
      if (!volumes_bound (s, w->pod))
        {
          i++;
          continue;
        }
      {
        g_autoptr (KsObject) pod = ks_object_ref (KS_OBJECT (w->pod));
        KsFramework *fw = w->fw;
        const char *node = w->node;
        g_ptr_array_remove_index (s->waiting, i);
        finish_binding (s, fw, KS_POD (pod), node);
        i = 0; /* binding may have changed the list */
      }
    }
}

static void
wait_for_volumes (KsScheduler *s, KsFramework *fw, KsPod *pod, const char *node)
{
  Waiting *w = g_new0 (Waiting, 1);

  w->s = s;
  w->pod = KS_POD (ks_object_ref (KS_OBJECT (pod)));
  w->node = node;
  w->fw = fw;
  w->timeout_task
      = ks_clock_schedule_in (s->clock, KS_VOLUME_BIND_TIMEOUT, waiting_timeout, w, NULL);
  g_ptr_array_add (s->waiting, w);
  /* The claims may be bound already (a provisioner without delay). */
  check_waiting (s);
}

static void
waiting_free (Waiting *w)
{
  if (w->timeout_task != 0)
    ks_clock_cancel (w->s->clock, w->timeout_task);
  ks_object_unref (KS_OBJECT (w->pod));
  g_free (w);
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
  {
    /* VolumeBinding's PreBind: claims of WaitForFirstConsumer classes get their volume (or a
     * node to provision on); the pod is bound when every claim is.  The plugins' cycle state
     * lives until the binding (or its failure) when the pod is bound at once; a pod that waits
     * for its claims outlives the cycle. */
    gint prebind = prebind_volumes (s, pod, result.node);
    if (prebind < 0)
      {
        ks_framework_unreserve (fw, pod, result.node);
        ks_framework_end_cycle (fw);
        ks_sched_cache_remove_pod (s->cache, pod);
        s->stats.failed++;
        record_failure (s, fw, pod, FALSE,
                        "running PreBind plugin \"VolumeBinding\": binding volumes failed",
                        &nominating_clear, NULL);
      }
    else if (prebind == 0)
      {
        ks_framework_end_cycle (fw);
        wait_for_volumes (s, fw, pod, result.node);
      }
    else
      {
        finish_binding (s, fw, pod, result.node);
        ks_framework_end_cycle (fw);
      }
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
        {
          if (s->waiting->len > 0)
            forget_waiting (s, pod);
          ks_sched_queue_delete (s->queue, pod);
        }
      break;
    }
}

static void
run_waiting (gpointer data)
{
  KsScheduler *s = data;

  s->waiting_task = 0;
  check_waiting (s);
}

/* Claims, volumes and classes (VolumeBinding's cluster events): pods the volume plugins
 * rejected may fit now, and pods waiting for their claims may be bound. */
static void
on_storage (const KsWatchEvent *event, gpointer data)
{
  KsScheduler *s = data;

  if (event->type == KS_WATCH_DELETED && event->object->kind->id == KS_KIND_STORAGE_CLASS)
    return;
  ks_sched_queue_move_all (s->queue);
  /* Not from inside the store's notification: a task now, as the scheduling loop runs. */
  if (s->waiting->len > 0 && event->object->kind->id == KS_KIND_PERSISTENT_VOLUME_CLAIM
      && s->waiting_task == 0)
    s->waiting_task = ks_clock_schedule (s->clock, ks_clock_now (s->clock), run_waiting, s, NULL);
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
  s->waiting = g_ptr_array_new_with_free_func ((GDestroyNotify) waiting_free);
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
  s->watches[2] = ks_client_watch (client, ks_kind_get (KS_KIND_PERSISTENT_VOLUME_CLAIM), NULL,
                                   FALSE, on_storage, s, NULL);
  s->watches[3] = ks_client_watch (client, ks_kind_get (KS_KIND_PERSISTENT_VOLUME), NULL, FALSE,
                                   on_storage, s, NULL);
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
  ks_clock_cancel (s->clock, s->waiting_task);
  g_ptr_array_unref (s->waiting);
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
