/* ks-kubelet.c: pod workers: admission, container start order, status, restarts, termination. */
#include "config.h"

#include <string.h>

#include "ks-kubelet.h"
#include "src/api/ks-duration.h"
#include "src/api/ks-node.h"

/* clang-format off */
G_DEFINE_QUARK (ks-runtime-error-quark, ks_runtime_error)
/* clang-format on */

typedef enum
{
  C_IDLE,     /* not started yet */
  C_STARTING, /* start() called, STARTED not yet reported */
  C_RUNNING,
  C_EXITED,  /* terminated, not to be restarted (or pod terminating) */
  C_BACKOFF, /* terminated, waiting for its restart */
} CState;

typedef struct
{
  CState state;
  gint64 backoff;        /* the backoff entry: current duration (0: no entry) */
  gint64 backoff_update; /* and its lastUpdate */
  guint64 restart_timer;
  gboolean restarted; /* restarted after a backoff: restartCount grows when it runs */
} CWork;

typedef struct
{
  KsUid uid;
  KsKubelet *kubelet;
  KsPod *pod;      /* the newest version seen */
  guint next_init; /* the init container running or to run; n_init_containers when done */
  guint8 admitted;
  guint8 terminal;
  guint8 killing;
  guint8 queued;  /* waiting in the kubelet's sync queue */
  guint8 deleted; /* the pod object is gone: forget the worker when synced */
  CWork work[];   /* init containers, then containers (W_INIT / W_MAIN) */
} PodWorker;

#define W_INIT(w) ((w)->work)
#define W_MAIN(w) ((w)->work + (w)->pod->spec->n_init_containers)

struct _KsKubelet
{
  KsClient *client;
  KsClock *clock;
  KsRuntime *runtime;
  KsEventRecorder events;
  const char *node_name; /* interned */
  GHashTable *workers;   /* &uid → PodWorker */
  KsResources admitted;  /* Σ requests of admitted, non-terminal pods */
  guint n_admitted;
  guint watch;
  GQueue to_sync; /* PodWorker*, in the order their events came */
  guint64 sync_task;
};

/* Worker lifecycle */

static void
worker_free (gpointer p)
{
  PodWorker *w = p;
  KsKubelet *k = w->kubelet;
  const KsPodSpec *spec = w->pod->spec;

  for (guint i = 0; i < spec->n_init_containers; i++)
    ks_clock_cancel (k->clock, W_INIT (w)[i].restart_timer);
  for (guint i = 0; i < spec->n_containers; i++)
    ks_clock_cancel (k->clock, W_MAIN (w)[i].restart_timer);
  ks_object_unref (KS_OBJECT (w->pod));
  g_free (w);
}

static void
release (PodWorker *w)
{
  if (w->admitted && !w->terminal)
    {
      ks_resources_sub (&w->kubelet->admitted, &w->pod->spec->requests);
      w->kubelet->n_admitted--;
    }
  w->terminal = TRUE;
}

/* Drop the worker: the runtime forgets the containers, resources are released. */
static void
forget (KsKubelet *k, PodWorker *w)
{
  const KsPodSpec *spec = w->pod->spec;

  release (w);
  for (guint i = 0; i < spec->n_init_containers; i++)
    k->runtime->ops->remove (k->runtime, w->pod, &spec->init_containers[i], TRUE);
  for (guint i = 0; i < spec->n_containers; i++)
    k->runtime->ops->remove (k->runtime, w->pod, &spec->containers[i], FALSE);
  g_hash_table_remove (k->workers, &w->uid);
}

/* Status */

static char *
pod_ref (const KsPod *pod)
{
  char uid[KS_UID_STRING_LEN];
  return g_strdup_printf ("%s_%s(%s)", pod->parent.meta.name, pod->parent.meta.namespace,
                          ks_uid_to_string (&pod->parent.meta.uid, uid));
}

static KsContainerStatus *
status_of (KsPod *pod, gboolean init, guint i)
{
  return init ? &pod->init_container_statuses[i] : &pod->container_statuses[i];
}

/* getPhase (kubelet_pods.go) over the container statuses. */
static KsPodPhase
compute_phase (PodWorker *w, const KsPod *pod)
{
  const KsPodSpec *spec = pod->spec;
  guint running = 0, waiting = 0, stopped = 0, succeeded = 0;

  if (w->next_init < spec->n_init_containers)
    {
      const KsContainerStatus *s = &pod->init_container_statuses[w->next_init];
      if (spec->restart_policy == KS_RESTART_NEVER && s->state == KS_CONTAINER_TERMINATED
          && s->exit_code != 0)
        return KS_POD_FAILED;
      return KS_POD_PENDING;
    }
  for (guint i = 0; i < spec->n_containers; i++)
    {
      const KsContainerStatus *s = &pod->container_statuses[i];
      switch (s->state)
        {
        case KS_CONTAINER_RUNNING:
          running++;
          break;
        case KS_CONTAINER_TERMINATED:
          stopped++;
          succeeded += s->exit_code == 0;
          break;
        case KS_CONTAINER_WAITING:
          if (s->has_last)
            {
              stopped++;
              succeeded += s->last_exit_code == 0;
            }
          else
            waiting++;
          break;
        }
    }
  if (waiting > 0)
    return KS_POD_PENDING;
  if (running > 0)
    return KS_POD_RUNNING;
  if (stopped > 0)
    {
      if (spec->restart_policy == KS_RESTART_ALWAYS)
        return KS_POD_RUNNING;
      if (stopped == succeeded)
        return KS_POD_SUCCEEDED;
      if (spec->restart_policy == KS_RESTART_NEVER)
        return KS_POD_FAILED;
      return KS_POD_RUNNING;
    }
  return KS_POD_PENDING;
}

static void
compute_conditions (PodWorker *w, KsPod *pod, gint64 now)
{
  const KsPodSpec *spec = pod->spec;
  GString *unready = g_string_new (NULL);

  if (pod->phase == KS_POD_SUCCEEDED)
    ks_pod_set_condition (pod, KS_POD_COND_INITIALIZED, KS_CONDITION_TRUE, "PodCompleted", NULL,
                          now);
  else if (w->next_init < spec->n_init_containers)
    {
      GString *incomplete = g_string_new (NULL);
      for (guint i = w->next_init; i < spec->n_init_containers; i++)
        g_string_append_printf (incomplete, "%s%s", incomplete->len ? " " : "",
                                spec->init_containers[i].name);
      g_string_prepend (incomplete, "containers with incomplete status: [");
      g_string_append_c (incomplete, ']');
      ks_pod_set_condition (pod, KS_POD_COND_INITIALIZED, KS_CONDITION_FALSE,
                            "ContainersNotInitialized", incomplete->str, now);
      g_string_free (incomplete, TRUE);
    }
  else
    ks_pod_set_condition (pod, KS_POD_COND_INITIALIZED, KS_CONDITION_TRUE, NULL, NULL, now);

  for (guint i = 0; i < spec->n_containers; i++)
    if (!pod->container_statuses[i].ready)
      g_string_append_printf (unready, "%s%s", unready->len ? " " : "", spec->containers[i].name);
  if (ks_pod_is_terminal (pod))
    {
      /* status/generate.go: PodFailed or PodCompleted by the terminal phase. */
      const char *reason = pod->phase == KS_POD_FAILED ? "PodFailed" : "PodCompleted";
      ks_pod_set_condition (pod, KS_POD_COND_CONTAINERS_READY, KS_CONDITION_FALSE, reason, NULL,
                            now);
      ks_pod_set_condition (pod, KS_POD_COND_READY, KS_CONDITION_FALSE, reason, NULL, now);
    }
  else if (unready->len == 0)
    {
      ks_pod_set_condition (pod, KS_POD_COND_CONTAINERS_READY, KS_CONDITION_TRUE, NULL, NULL, now);
      ks_pod_set_condition (pod, KS_POD_COND_READY, KS_CONDITION_TRUE, NULL, NULL, now);
    }
  else
    {
      g_autofree char *message
          = g_strdup_printf ("containers with unready status: [%s]", unready->str);
      ks_pod_set_condition (pod, KS_POD_COND_CONTAINERS_READY, KS_CONDITION_FALSE,
                            "ContainersNotReady", message, now);
      ks_pod_set_condition (pod, KS_POD_COND_READY, KS_CONDITION_FALSE, "ContainersNotReady",
                            message, now);
    }
  g_string_free (unready, TRUE);
}

typedef void (*MutateFunc) (PodWorker *w, KsPod *pod, gpointer data);

/* Write the pod's status: copy the newest version, let mutate change it, recompute phase and
 * conditions, update.  A conflict (real mode) retries once on a fresh copy. */
static void
write_status (PodWorker *w, MutateFunc mutate, gpointer data)
{
  KsKubelet *k = w->kubelet;
  gint64 now = ks_clock_now (k->clock);

  for (guint attempt = 0; attempt < 2; attempt++)
    {
      g_autoptr (GError) error = NULL;
      KsPod *pod = ks_pod_copy (w->pod);
      KsObject *updated;

      ks_pod_ensure_container_statuses (pod);
      if (mutate != NULL)
        mutate (w, pod, data);
      if (!ks_pod_is_terminal (pod))
        pod->phase = compute_phase (w, pod);
      compute_conditions (w, pod, now);
      updated = ks_client_update_status (k->client, KS_OBJECT (pod), &error);
      ks_object_unref (KS_OBJECT (pod));
      if (updated != NULL)
        {
          ks_object_unref (KS_OBJECT (w->pod));
          w->pod = KS_POD (updated);
          if (ks_pod_is_terminal (w->pod))
            release (w);
          return;
        }
      if (!g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_CONFLICT))
        return;
      {
        KsObject *fresh
            = ks_client_get (k->client, KS_OBJECT (w->pod)->kind, w->pod->parent.meta.namespace,
                             w->pod->parent.meta.name, NULL);
        if (fresh == NULL)
          return;
        ks_object_unref (KS_OBJECT (w->pod));
        w->pod = KS_POD (fresh);
      }
    }
}

/* Starting containers */

static CWork *
work_of (PodWorker *w, gboolean init, guint i)
{
  return init ? &W_INIT (w)[i] : &W_MAIN (w)[i];
}

static const KsContainer *
container_of (const KsPod *pod, gboolean init, guint i)
{
  return init ? &pod->spec->init_containers[i] : &pod->spec->containers[i];
}

static void fail_start (PodWorker *w, gboolean init, guint i, const char *message);

static void
start_container (PodWorker *w, gboolean init, guint i)
{
  KsKubelet *k = w->kubelet;
  const KsContainer *c = container_of (w->pod, init, i);
  g_autoptr (GError) error = NULL;

  work_of (w, init, i)->state = C_STARTING;
  if (!k->runtime->ops->create (k->runtime, w->pod, c, init, &error)
      || !k->runtime->ops->start (k->runtime, w->pod, c, init, &error))
    fail_start (w, init, i, error->message);
}

static void
start_main_containers (PodWorker *w)
{
  for (guint i = 0; i < w->pod->spec->n_containers; i++)
    if (W_MAIN (w)[i].state == C_IDLE)
      start_container (w, FALSE, i);
}

/* Move on: the next init container, or the containers once init is done. */
static void
advance (PodWorker *w)
{
  if (w->next_init < w->pod->spec->n_init_containers)
    {
      if (W_INIT (w)[w->next_init].state == C_IDLE)
        start_container (w, TRUE, w->next_init);
      return;
    }
  start_main_containers (w);
}

typedef struct
{
  gboolean init;
  guint index;
  const char *message;
} FailData;

static void
mutate_fail_start (PodWorker *w, KsPod *pod, gpointer data)
{
  FailData *f = data;
  KsContainerStatus *s = status_of (pod, f->init, f->index);

  s->state = KS_CONTAINER_WAITING;
  s->reason = ks_intern ("CreateContainerError");
  g_free (s->message);
  s->message = g_strdup (f->message);
}

static void
fail_start (PodWorker *w, gboolean init, guint i, const char *message)
{
  FailData f = { init, i, message };

  work_of (w, init, i)->state = C_IDLE;
  ks_event_record (&w->kubelet->events, KS_OBJECT (w->pod), TRUE, "Failed", w->kubelet->node_name,
                   "Error: %s", message);
  write_status (w, mutate_fail_start, &f);
}

/* Admission */

static gboolean
admit (PodWorker *w)
{
  KsKubelet *k = w->kubelet;
  g_autoptr (KsNode) node = NULL;
  const KsResources *req = &w->pod->spec->requests;
  const KsResources *alloc;
  const char *resource = NULL;
  gint64 requested = 0, used = 0, capacity = 0;

  node = (KsNode *) ks_client_get (k->client, ks_kind_get (KS_KIND_NODE), NULL, k->node_name, NULL);
  /* No Node object (yet): nothing to check against, admit.  The pod still counts as admitted, or
   * every later sync would start it again. */
  alloc = node != NULL ? &node->allocatable : NULL;
  /* lifecycle/predicate.go: the node's resources must hold the pod next to the admitted ones. */
  if (alloc == NULL)
    {
      /* admitted below */
    }
  else if ((gint64) k->n_admitted + 1 > alloc->pods)
    resource = KS_RESOURCE_PODS, requested = 1, used = k->n_admitted, capacity = alloc->pods;
  else if (req->milli_cpu > 0 && req->milli_cpu > alloc->milli_cpu - k->admitted.milli_cpu)
    resource = KS_RESOURCE_CPU, requested = req->milli_cpu, used = k->admitted.milli_cpu,
    capacity = alloc->milli_cpu;
  else if (req->memory > 0 && req->memory > alloc->memory - k->admitted.memory)
    resource = KS_RESOURCE_MEMORY, requested = req->memory, used = k->admitted.memory,
    capacity = alloc->memory;
  else if (req->ephemeral_storage > 0
           && req->ephemeral_storage > alloc->ephemeral_storage - k->admitted.ephemeral_storage)
    resource = KS_RESOURCE_EPHEMERAL_STORAGE, requested = req->ephemeral_storage,
    used = k->admitted.ephemeral_storage, capacity = alloc->ephemeral_storage;
  else
    for (guint i = 0; i < req->n_scalar && resource == NULL; i++)
      {
        const char *name = req->scalar[i].name;
        gint64 a = ks_resources_get (alloc, name), u = ks_resources_get (&k->admitted, name);
        if (req->scalar[i].value > 0 && req->scalar[i].value > a - u)
          resource = name, requested = req->scalar[i].value, used = u, capacity = a;
      }
  if (resource == NULL)
    {
      ks_resources_add (&k->admitted, req);
      k->n_admitted++;
      w->admitted = TRUE;
      return TRUE;
    }
  {
    g_autofree char *reason = g_strdup_printf ("OutOf%s", resource);
    g_autofree char *detail
        = g_strdup_printf ("Node didn't have enough resource: %s, requested: %" G_GINT64_FORMAT
                           ", used: %" G_GINT64_FORMAT ", capacity: %" G_GINT64_FORMAT,
                           resource, requested, used, capacity);
    g_autofree char *message = g_strdup_printf ("Pod was rejected: %s", detail);
    KsPod *pod = ks_pod_copy (w->pod);
    KsObject *updated;
    pod->phase = KS_POD_FAILED;
    ks_pod_set_status_string (pod, KS_POD_REASON, reason);
    ks_pod_set_status_string (pod, KS_POD_MESSAGE, message);
    ks_event_record (&k->events, KS_OBJECT (w->pod), TRUE, reason, k->node_name, "%s", detail);
    updated = ks_client_update_status (k->client, KS_OBJECT (pod), NULL);
    ks_object_unref (KS_OBJECT (pod));
    if (updated != NULL)
      {
        ks_object_unref (KS_OBJECT (w->pod));
        w->pod = KS_POD (updated);
      }
    w->terminal = TRUE;
    return FALSE;
  }
}

static void
mutate_start (PodWorker *w, KsPod *pod, gpointer data)
{
  KsKubelet *k = w->kubelet;
  g_autoptr (KsNode) node
      = (KsNode *) ks_client_get (k->client, ks_kind_get (KS_KIND_NODE), NULL, k->node_name, NULL);

  pod->start_time = ks_clock_now (k->clock);
  if (node != NULL && node->internal_ip != NULL)
    {
      ks_pod_set_status_string (pod, KS_POD_HOST_IP, node->internal_ip);
    }
}

/* Terminating */

static void
finish_kill (PodWorker *w)
{
  KsKubelet *k = w->kubelet;
  KsDeleteOptions opts = { .grace_period_seconds = 0 };
  g_autoptr (KsObject) keep = ks_object_ref (KS_OBJECT (w->pod));

  /* The pod object goes; the DELETED event forgets the worker. */
  ks_client_delete (k->client, keep->kind, keep->meta.namespace, keep->meta.name, &opts, NULL);
}

static guint
n_active_containers (PodWorker *w)
{
  guint n = 0;
  for (guint i = 0; i < w->pod->spec->n_init_containers; i++)
    n += W_INIT (w)[i].state == C_STARTING || W_INIT (w)[i].state == C_RUNNING;
  for (guint i = 0; i < w->pod->spec->n_containers; i++)
    n += W_MAIN (w)[i].state == C_STARTING || W_MAIN (w)[i].state == C_RUNNING;
  return n;
}

static void
kill_pod (PodWorker *w)
{
  KsKubelet *k = w->kubelet;
  gint64 grace = w->pod->parent.meta.deletion_grace_period_seconds;
  const KsPodSpec *spec = w->pod->spec;

  if (w->killing)
    return;
  w->killing = TRUE;
  if (grace < 0)
    grace = spec->termination_grace_period_seconds;
  for (guint k2 = 0; k2 < spec->n_init_containers + spec->n_containers; k2++)
    {
      gboolean init = k2 < spec->n_init_containers;
      guint i = init ? k2 : k2 - spec->n_init_containers;
      CWork *cw = work_of (w, init, i);
      ks_clock_cancel (k->clock, cw->restart_timer);
      cw->restart_timer = 0;
      if (cw->state == C_BACKOFF || cw->state == C_IDLE)
        cw->state = C_EXITED;
      if (cw->state == C_STARTING || cw->state == C_RUNNING)
        {
          ks_event_record (&k->events, KS_OBJECT (w->pod), FALSE, "Killing", k->node_name,
                           "Stopping container %s", container_of (w->pod, init, i)->name);
          k->runtime->ops->stop (k->runtime, w->pod, container_of (w->pod, init, i), init,
                                 grace * KS_USEC_PER_SEC);
        }
    }
  if (n_active_containers (w) == 0)
    finish_kill (w);
}

/* Runtime events */

typedef struct
{
  gboolean init;
  guint index;
  const KsContainerEvent *event;
  gboolean restart;
  gboolean backoff;
  gint64 backoff_duration;
  gboolean restarted; /* STARTED: the instance a backoff delayed */
} ExitData;

static void
mutate_started (PodWorker *w, KsPod *pod, gpointer data)
{
  ExitData *d = data;
  KsContainerStatus *s = status_of (pod, d->init, d->index);

  s->state = KS_CONTAINER_RUNNING;
  s->reason = NULL;
  g_clear_pointer (&s->message, g_free);
  s->started_at = ks_clock_now (w->kubelet->clock);
  s->started = TRUE;
  s->ready = !d->init;
  if (d->restarted)
    s->restart_count++;
}

static void
mutate_exited (PodWorker *w, KsPod *pod, gpointer data)
{
  ExitData *d = data;
  KsContainerStatus *s = status_of (pod, d->init, d->index);
  gint64 now = ks_clock_now (w->kubelet->clock);

  s->ready = FALSE;
  s->started = FALSE;
  if (d->restart)
    {
      /* The ended instance becomes lastState; the container waits for (or is at) its restart. */
      s->has_last = TRUE;
      s->last_exit_code = d->event->exit_code;
      s->last_reason = ks_intern (d->event->reason);
      s->last_started_at = s->started_at;
      s->last_finished_at = now;
      s->started_at = KS_TIME_NONE;
      /* restartCount counts the restarts done: one that waits for its backoff is counted when
       * it has happened (kubelet: the new instance's restart count, seen once it runs). */
      if (!d->backoff)
        s->restart_count++;
      s->state = KS_CONTAINER_WAITING;
      g_free (s->message);
      if (d->backoff)
        {
          g_autofree char *ref = pod_ref (pod);
          g_autofree char *duration = ks_duration_format (d->backoff_duration);
          s->reason = ks_intern ("CrashLoopBackOff");
          s->message = g_strdup_printf ("back-off %s restarting failed container=%s pod=%s",
                                        duration, container_of (pod, d->init, d->index)->name, ref);
        }
      else
        {
          s->reason = ks_intern ("ContainerCreating");
          s->message = NULL;
        }
      return;
    }
  s->state = KS_CONTAINER_TERMINATED;
  s->exit_code = d->event->exit_code;
  s->reason = ks_intern (d->event->reason);
  s->finished_at = now;
  /* prober_manager.UpdatePodStatus: an init container that exited 0 is ready. */
  s->ready = d->init && d->event->exit_code == 0;
  if (d->init && d->event->exit_code == 0)
    w->next_init = d->index + 1;
}

static void restart_due (gpointer data);

typedef struct
{
  PodWorker *w;
  KsUid uid;
  gboolean init;
  guint index;
} RestartData;

/* Next (flowcontrol.Backoff): reset when the entry is absent or expired, else double. */
static void
backoff_next (KsKubelet *k, CWork *cw, gint64 event_time)
{
  if (cw->backoff == 0 || event_time - cw->backoff_update > 2 * KS_CONTAINER_BACKOFF_MAX)
    cw->backoff = KS_CONTAINER_BACKOFF_INITIAL;
  else
    cw->backoff = MIN (2 * cw->backoff, KS_CONTAINER_BACKOFF_MAX);
  cw->backoff_update = ks_clock_now (k->clock);
}

static void
on_exited (PodWorker *w, gboolean init, guint i, const KsContainerEvent *event)
{
  KsKubelet *k = w->kubelet;
  CWork *cw = work_of (w, init, i);
  KsRestartPolicy policy = w->pod->spec->restart_policy;
  gint64 now = ks_clock_now (k->clock);
  ExitData d = { .init = init, .index = i, .event = event };

  if (w->killing)
    {
      cw->state = C_EXITED;
      d.restart = FALSE;
      write_status (w, mutate_exited, &d);
      if (n_active_containers (w) == 0)
        finish_kill (w);
      return;
    }
  d.restart
      = policy == KS_RESTART_ALWAYS || (policy == KS_RESTART_ON_FAILURE && event->exit_code != 0);
  if (init && event->exit_code == 0)
    d.restart = FALSE; /* a completed init container is done */
  if (!d.restart)
    {
      cw->state = C_EXITED;
      write_status (w, mutate_exited, &d);
      if (init && event->exit_code == 0)
        advance (w);
      return;
    }
  /* doBackOff: in backoff since this exit while an unexpired entry's duration has not passed. */
  d.backoff = cw->backoff != 0 && now - cw->backoff_update <= 2 * KS_CONTAINER_BACKOFF_MAX;
  d.backoff_duration = cw->backoff;
  if (d.backoff)
    {
      RestartData *r = g_new0 (RestartData, 1);
      g_autofree char *ref = pod_ref (w->pod);
      cw->state = C_BACKOFF;
      write_status (w, mutate_exited, &d);
      ks_event_record (&k->events, KS_OBJECT (w->pod), TRUE, "BackOff", k->node_name,
                       "Back-off restarting failed container %s in pod %s",
                       container_of (w->pod, init, i)->name, ref);
      r->w = w;
      r->uid = w->uid;
      r->init = init;
      r->index = i;
      cw->restart_timer = ks_clock_schedule (k->clock, now + cw->backoff, restart_due, r, g_free);
      return;
    }
  backoff_next (k, cw, now);
  write_status (w, mutate_exited, &d);
  start_container (w, init, i);
}

static void
restart_due (gpointer data)
{
  RestartData *r = data;
  PodWorker *w = r->w;
  CWork *cw = work_of (w, r->init, r->index);
  gint64 finished;

  cw->restart_timer = 0;
  finished = status_of (w->pod, r->init, r->index)->last_finished_at;
  backoff_next (w->kubelet, cw, finished);
  cw->restarted = TRUE;
  start_container (w, r->init, r->index);
}

static PodWorker *
find_worker (KsKubelet *k, const KsUid *uid)
{
  return g_hash_table_lookup (k->workers, uid);
}

static gboolean
find_container (PodWorker *w, const char *name, gboolean init, guint *index)
{
  const KsPodSpec *spec = w->pod->spec;
  guint n = init ? spec->n_init_containers : spec->n_containers;

  for (guint i = 0; i < n; i++)
    if (strcmp (container_of (w->pod, init, i)->name, name) == 0)
      {
        *index = i;
        return TRUE;
      }
  return FALSE;
}

static void
on_container_event (const KsContainerEvent *event, gpointer data)
{
  KsKubelet *k = data;
  PodWorker *w = find_worker (k, &event->pod_uid);
  guint i;

  if (w == NULL || !find_container (w, event->container, event->init, &i))
    return;
  if (event->type == KS_CONTAINER_STARTED)
    {
      ExitData d = { .init = event->init, .index = i, .event = event };
      CWork *cw = work_of (w, event->init, i);
      if (cw->state != C_STARTING)
        return;
      cw->state = C_RUNNING;
      d.restarted = cw->restarted;
      cw->restarted = FALSE;
      ks_event_record (&k->events, KS_OBJECT (w->pod), FALSE, "Created", k->node_name,
                       "Created container: %s", event->container);
      ks_event_record (&k->events, KS_OBJECT (w->pod), FALSE, "Started", k->node_name,
                       "Started container %s", event->container);
      write_status (w, mutate_started, &d);
      return;
    }
  {
    CWork *cw = work_of (w, event->init, i);
    if (cw->state != C_STARTING && cw->state != C_RUNNING)
      return;
    on_exited (w, event->init, i, event);
  }
}

/* Pod events */

static void
sync_pod (PodWorker *w)
{
  if (ks_object_is_being_deleted (KS_OBJECT (w->pod)))
    {
      kill_pod (w);
      return;
    }
  if (w->terminal || ks_pod_is_terminal (w->pod))
    return;
  if (!w->admitted)
    {
      if (!admit (w))
        return;
      write_status (w, mutate_start, NULL);
      advance (w);
    }
}

/* The pods whose objects changed, synced by a clock task after the change (the kubelet learns
 * of changes through its watch, as in Kubernetes, and acts afterwards). */
static void
sync_queued (gpointer data)
{
  KsKubelet *k = data;
  guint n = k->to_sync.length;
  PodWorker *w;

  /* The pods queued now; a sync that changes its pod queues it again for a later task (at the
   * same time), so one task never loops on itself. */
  k->sync_task = 0;
  while (n-- > 0 && (w = g_queue_pop_head (&k->to_sync)) != NULL)
    {
      w->queued = FALSE;
      if (w->deleted)
        forget (k, w);
      else
        sync_pod (w);
    }
}

static void
queue_sync (KsKubelet *k, PodWorker *w)
{
  if (!w->queued)
    {
      w->queued = TRUE;
      g_queue_push_tail (&k->to_sync, w);
    }
  if (k->sync_task == 0)
    k->sync_task = ks_clock_schedule (k->clock, ks_clock_now (k->clock), sync_queued, k, NULL);
}

static void
on_pod (const KsWatchEvent *event, gpointer data)
{
  KsKubelet *k = data;
  KsPod *pod = KS_POD (event->object);
  PodWorker *w = find_worker (k, &pod->parent.meta.uid);

  switch (event->type)
    {
    case KS_WATCH_ADDED:
    case KS_WATCH_MODIFIED:
      if (w == NULL)
        {
          if (ks_pod_is_terminal (pod))
            return;
          w = g_malloc0 (sizeof (PodWorker)
                         + (pod->spec->n_init_containers + pod->spec->n_containers)
                               * sizeof (CWork));
          w->uid = pod->parent.meta.uid;
          w->kubelet = k;
          w->pod = KS_POD (ks_object_ref (event->object));
          g_hash_table_insert (k->workers, &w->uid, w);
        }
      else if (event->object->meta.resource_version >= KS_OBJECT (w->pod)->meta.resource_version)
        {
          ks_object_ref (event->object);
          ks_object_unref (KS_OBJECT (w->pod));
          w->pod = pod;
        }
      queue_sync (k, w);
      break;
    case KS_WATCH_DELETED:
      if (w != NULL)
        {
          w->deleted = TRUE;
          queue_sync (k, w);
        }
      break;
    }
}

KsKubelet *
ks_kubelet_new (KsClient *client, KsClock *clock, KsRuntime *runtime, KsEventSink *events,
                const char *node_name)
{
  KsKubelet *k = g_new0 (KsKubelet, 1);

  k->client = client;
  k->clock = clock;
  k->runtime = runtime;
  k->node_name = ks_intern (node_name);
  ks_event_recorder_init (&k->events, events, clock, "kubelet");
  k->workers = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, NULL, worker_free);
  g_queue_init (&k->to_sync);
  ks_runtime_set_notify (runtime, on_container_event, k);
  k->watch
      = ks_client_watch (client, ks_kind_get (KS_KIND_POD), k->node_name, TRUE, on_pod, k, NULL);
  return k;
}

void
ks_kubelet_free (KsKubelet *k)
{
  if (k == NULL)
    return;
  ks_client_unwatch (k->client, k->watch);
  ks_clock_cancel (k->clock, k->sync_task);
  g_queue_clear (&k->to_sync);
  ks_runtime_set_notify (k->runtime, NULL, NULL);
  g_hash_table_unref (k->workers);
  ks_resources_clear (&k->admitted);
  g_free (k);
}

const char *
ks_kubelet_get_node_name (KsKubelet *k)
{
  return k->node_name;
}

guint
ks_kubelet_n_active_pods (KsKubelet *k)
{
  return k->n_admitted;
}
