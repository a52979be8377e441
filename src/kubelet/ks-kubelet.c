/* ks-kubelet.c: pod workers: admission, the pod sandbox, container start order (init containers
 * and sidecars), status, restarts, image and create errors, probes, termination. */
#include "config.h"

#include <string.h>

#include "ks-kubelet.h"
#include "src/api/ks-duration.h"
#include "src/api/ks-node.h"

/* clang-format off */
G_DEFINE_QUARK (ks-runtime-error-quark, ks_runtime_error)
/* clang-format on */

/* killContainer's minimumGracePeriodInSeconds: what a container stopped for a failed probe or
 * after waiting for its turn (sidecars) gets at least. */
#define MIN_GRACE_SECONDS 2

typedef enum
{
  C_IDLE,     /* not started yet */
  C_STARTING, /* start() called, STARTED not yet reported */
  C_RUNNING,
  C_EXITED,  /* terminated, not to be restarted (or pod terminating) */
  C_BACKOFF, /* terminated, waiting for its restart */
  C_RETRY,   /* its creation or start failed, or its image is in back-off: waiting to retry */
} CState;

/* Why a container in C_RETRY waits. */
typedef enum
{
  E_NONE,
  E_PULL,         /* ErrImagePull */
  E_PULL_BACKOFF, /* ImagePullBackOff */
  E_NEVER_PULL,   /* ErrImageNeverPull */
  E_CREATE,       /* CreateContainerError */
  E_RUN,          /* RunContainerError */
} CError;

/* Probe results, as pkg/kubelet/prober/results (whose zero value is Success). */
enum
{
  R_UNKNOWN = -1,
  R_SUCCESS = 0,
  R_FAILURE = 1,
};

typedef struct _PodWorker PodWorker;
typedef struct _ProbeCall ProbeCall;

/* One probe of one container (prober/worker.go); exists for the pod's life, probing each running
 * instance of the container. */
typedef struct
{
  PodWorker *w;      /* NULL: the container has no probe of this kind */
  guint16 index;     /* the container: init containers first, then the containers */
  guint8 kind;       /* KsProbeKind */
  gint8 result;      /* the results manager's value for the running instance */
  gint8 last_result; /* the last probe's result, and how many in a row gave it */
  guint8 on_hold;    /* a liveness or startup failure: no probing until a new instance */
  gint32 run;
  gint64 started_at; /* the instance probed */
  guint64 timer;     /* the next tick */
  ProbeCall *call;   /* the probe in flight, or NULL */
} ProbeWorker;

/* A probe in flight: its worker, or NULL once the worker no longer wants the answer (the
 * instance ended, the pod went).  Freed when the answer comes. */
struct _ProbeCall
{
  ProbeWorker *pw;
};

/* The image pull back-off of one image of the pod (kubelet key "<pod uid>_<image>"). */
typedef struct
{
  const char *image; /* interned */
  gint64 backoff;
  gint64 update;
} ImageBackoff;

/* What few pods need, allocated when one does. */
typedef struct
{
  guint64 sandbox_timer; /* the retry of a failed sandbox creation */
  guint64 turn_timer;    /* stopping sidecars: the end of their wait for their turn */
  gint64 stop_start;     /* stopping with termination ordering: since when, and the grace (s) */
  gint64 stop_grace;
  GArray *images;      /* ImageBackoff, or NULL */
  ProbeWorker *probes; /* KS_N_PROBE_KINDS per container (init containers first), or NULL */
} PodExtra;

typedef struct
{
  guint8 state;          /* CState */
  guint8 restarted;      /* restarted after a backoff: restartCount grows when it runs */
  guint8 probe_kill;     /* being stopped for a failed liveness or startup probe */
  guint8 stop_pending;   /* a sidecar waiting for its turn to be stopped */
  guint8 error;          /* C_RETRY: why (CError) */
  gint64 backoff;        /* the backoff entry: current duration (0: no entry) */
  gint64 backoff_update; /* and its lastUpdate */
  guint64 timer;         /* the restart after a backoff, or the retry after an error */
} CWork;

struct _PodWorker
{
  KsUid uid;
  KsKubelet *kubelet;
  KsPod *pod;      /* the newest version seen */
  PodExtra *extra; /* NULL until needed */
  guint next_init; /* the init container running or to run; n_init_containers when done */
  guint8 admitted;
  guint8 terminal;
  guint8 killing;   /* deleted: stopping everything, then the object goes */
  guint8 queued;    /* waiting in the kubelet's sync queue */
  guint8 deleted;   /* the pod object is gone: forget the worker when synced */
  guint8 sandbox;   /* the pod's sandbox exists (or the runtime has none) */
  guint8 finishing; /* the containers are done (or the pod is terminal): stopping the rest */
  guint8 cleaned;   /* terminal, and its containers and sandbox are removed */
  CWork work[];     /* init containers, then containers (W_INIT / W_MAIN) */
};

#define W_INIT(w) ((w)->work)
#define W_MAIN(w) ((w)->work + (w)->pod->spec->n_init_containers)

struct _KsKubelet
{
  KsClient *client;
  KsClock *clock;
  KsRuntime *runtime;
  KsProber *prober; /* borrowed, may be NULL */
  KsEventRecorder events;
  const char *node_name; /* interned */
  GHashTable *workers;   /* &uid → PodWorker */
  KsResources admitted;  /* Σ requests of admitted, non-terminal pods */
  guint n_admitted;
  guint watch;
  GQueue to_sync; /* PodWorker*, in the order their events came */
  guint64 sync_task;
  KsEvictionManager *eviction; /* NULL unless started */
  gboolean memory_pressure;    /* the eviction manager's MemoryPressure (admission) */
};

const char *
ks_probe_kind_name (KsProbeKind kind)
{
  static const char *const names[] = { "Liveness", "Readiness", "Startup" };
  return kind < KS_N_PROBE_KINDS ? names[kind] : "Unknown";
}

/* Containers by flat index: init containers first, then the containers. */

static guint
n_all (const PodWorker *w)
{
  return w->pod->spec->n_init_containers + w->pod->spec->n_containers;
}

static gboolean
flat_is_init (const PodWorker *w, guint k)
{
  return k < w->pod->spec->n_init_containers;
}

static guint
flat_index (const PodWorker *w, guint k)
{
  return flat_is_init (w, k) ? k : k - w->pod->spec->n_init_containers;
}

static guint
flat_of (const PodWorker *w, gboolean init, guint i)
{
  return init ? i : w->pod->spec->n_init_containers + i;
}

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

static const KsContainer *
flat_container (const PodWorker *w, guint k)
{
  return container_of (w->pod, flat_is_init (w, k), flat_index (w, k));
}

static KsContainerStatus *
status_of (KsPod *pod, gboolean init, guint i)
{
  return init ? &ks_pod_init_container_statuses (pod)[i] : &pod->container_statuses[i];
}

/* A restartable init container (restartPolicy: Always). */
static gboolean
is_sidecar (const PodWorker *w, gboolean init, guint i)
{
  return init && w->pod->spec->init_containers[i].restart_always;
}

static gboolean
is_active (const CWork *cw)
{
  return cw->state == C_STARTING || cw->state == C_RUNNING;
}

static PodExtra *
ensure_extra (PodWorker *w)
{
  if (w->extra == NULL)
    w->extra = g_new0 (PodExtra, 1);
  return w->extra;
}

static const KsProbe *
probe_of (const PodWorker *w, guint k, KsProbeKind kind)
{
  const KsContainer *c = flat_container (w, k);

  switch (kind)
    {
    case KS_PROBE_LIVENESS:
      return c->liveness_probe;
    case KS_PROBE_READINESS:
      return c->readiness_probe;
    case KS_PROBE_STARTUP:
      return c->startup_probe;
    default:
      return NULL;
    }
}

static ProbeWorker *
probe_worker (PodWorker *w, guint k, KsProbeKind kind)
{
  if (w->extra == NULL || w->extra->probes == NULL)
    return NULL;
  return &w->extra->probes[k * KS_N_PROBE_KINDS + kind];
}

/* The probe in flight (if any) no longer reports to its worker. */
static void
probe_detach (ProbeWorker *pw)
{
  if (pw->call != NULL)
    {
      pw->call->pw = NULL;
      pw->call = NULL;
    }
}

static void
probe_stop (KsKubelet *k, ProbeWorker *pw)
{
  ks_clock_cancel (k->clock, pw->timer);
  pw->timer = 0;
  probe_detach (pw);
}

/* Stop probing container k (its instance ended). */
static void
probes_stop_container (PodWorker *w, guint k)
{
  for (guint kind = 0; kind < KS_N_PROBE_KINDS; kind++)
    {
      ProbeWorker *pw = probe_worker (w, k, kind);
      if (pw != NULL && pw->w != NULL)
        probe_stop (w->kubelet, pw);
    }
}

/* Worker lifecycle */

static void
worker_free (gpointer p)
{
  PodWorker *w = p;
  KsKubelet *k = w->kubelet;

  for (guint i = 0; i < n_all (w); i++)
    ks_clock_cancel (k->clock, w->work[i].timer);
  if (w->extra != NULL)
    {
      ks_clock_cancel (k->clock, w->extra->sandbox_timer);
      ks_clock_cancel (k->clock, w->extra->turn_timer);
      if (w->extra->probes != NULL)
        for (guint i = 0; i < n_all (w) * KS_N_PROBE_KINDS; i++)
          probe_stop (k, &w->extra->probes[i]);
      g_free (w->extra->probes);
      if (w->extra->images != NULL)
        g_array_unref (w->extra->images);
      g_free (w->extra);
    }
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

/* Tell the runtime to forget the pod's containers, then tear its sandbox down. */
static void
remove_containers (PodWorker *w)
{
  KsKubelet *k = w->kubelet;
  const KsPodSpec *spec = w->pod->spec;

  for (guint i = 0; i < spec->n_init_containers; i++)
    k->runtime->ops->remove (k->runtime, w->pod, &spec->init_containers[i], TRUE);
  for (guint i = 0; i < spec->n_containers; i++)
    k->runtime->ops->remove (k->runtime, w->pod, &spec->containers[i], FALSE);
  if (w->sandbox && k->runtime->ops->sandbox_remove != NULL)
    k->runtime->ops->sandbox_remove (k->runtime, w->pod);
  w->sandbox = FALSE;
}

/* Drop the worker: the runtime forgets the containers, resources are released. */
static void
forget (KsKubelet *k, PodWorker *w)
{
  release (w);
  if (!w->cleaned)
    remove_containers (w);
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

/* HasAnyRegularContainerStarted: a container (not an init container) runs or has terminated. */
static gboolean
any_container_started (const KsPod *pod)
{
  for (guint i = 0; i < pod->spec->n_containers; i++)
    if (pod->container_statuses[i].state != KS_CONTAINER_WAITING)
      return TRUE;
  return FALSE;
}

/* getPhase (kubelet_pods.go) over the container statuses, for a pod that is not terminal. */
static KsPodPhase
compute_phase (const KsPod *pod)
{
  const KsPodSpec *spec = pod->spec;
  guint pending_init = 0, failed_init = 0;
  guint running = 0, waiting = 0, stopped = 0, succeeded = 0;

  for (guint i = 0; i < spec->n_init_containers; i++)
    {
      const KsContainerStatus *s = &ks_pod_init_container_statuses (pod)[i];
      if (spec->init_containers[i].restart_always)
        {
          /* Sidecars: running counts (pending until started); a terminated one does not count. */
          if (s->state == KS_CONTAINER_RUNNING)
            {
              pending_init += !s->started;
              running++;
            }
          else if (s->state == KS_CONTAINER_WAITING && !s->has_last)
            {
              pending_init++;
              waiting++;
            }
          continue;
        }
      switch (s->state)
        {
        case KS_CONTAINER_RUNNING:
          pending_init++;
          break;
        case KS_CONTAINER_TERMINATED:
          failed_init += s->exit_code != 0;
          break;
        case KS_CONTAINER_WAITING:
          if (s->has_last)
            failed_init += s->last_exit_code != 0;
          else
            pending_init++;
          break;
        }
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
            stopped++;
          else
            waiting++;
          break;
        }
    }
  if (failed_init > 0 && spec->restart_policy == KS_RESTART_NEVER)
    return KS_POD_FAILED;
  if ((pending_init > 0 && !any_container_started (pod)) || waiting > 0)
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
append_name (GString *list, const char *name)
{
  g_string_append_printf (list, "%s%s", list->len ? " " : "", name);
}

/* status/generate.go: Initialized, ContainersReady, Ready. */
static void
compute_conditions (KsPod *pod, gint64 now)
{
  const KsPodSpec *spec = pod->spec;
  GString *unready = g_string_new (NULL);

  if (pod->phase == KS_POD_SUCCEEDED)
    ks_pod_set_condition (pod, KS_POD_COND_INITIALIZED, KS_CONDITION_TRUE, "PodCompleted", NULL,
                          now);
  else if (any_container_started (pod))
    ks_pod_set_condition (pod, KS_POD_COND_INITIALIZED, KS_CONDITION_TRUE, NULL, NULL, now);
  else
    {
      GString *incomplete = g_string_new (NULL);
      for (guint i = 0; i < spec->n_init_containers; i++)
        {
          const KsContainerStatus *s = &ks_pod_init_container_statuses (pod)[i];
          /* isInitContainerInitialized: a sidecar once started, another once it succeeded. */
          if (spec->init_containers[i].restart_always ? !s->started : !s->ready)
            append_name (incomplete, spec->init_containers[i].name);
        }
      if (incomplete->len > 0)
        {
          g_string_prepend (incomplete, "containers with incomplete status: [");
          g_string_append_c (incomplete, ']');
          ks_pod_set_condition (pod, KS_POD_COND_INITIALIZED, KS_CONDITION_FALSE,
                                "ContainersNotInitialized", incomplete->str, now);
        }
      else
        ks_pod_set_condition (pod, KS_POD_COND_INITIALIZED, KS_CONDITION_TRUE, NULL, NULL, now);
      g_string_free (incomplete, TRUE);
    }

  /* Sidecars count as containers here, before the containers. */
  for (guint i = 0; i < spec->n_init_containers; i++)
    if (spec->init_containers[i].restart_always && !ks_pod_init_container_statuses (pod)[i].ready)
      append_name (unready, spec->init_containers[i].name);
  for (guint i = 0; i < spec->n_containers; i++)
    if (!pod->container_statuses[i].ready)
      append_name (unready, spec->containers[i].name);
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
        pod->phase = compute_phase (pod);
      compute_conditions (pod, now);
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

/* started and ready of a running container or sidecar (prober_manager.UpdatePodStatus): started
 * once its startup probe succeeded (at once without one), ready once started and its readiness
 * probe succeeded (at once without one). */
static void
set_probe_flags (PodWorker *w, KsPod *pod, gboolean init, guint i)
{
  KsContainerStatus *s = status_of (pod, init, i);
  const KsContainer *c = container_of (pod, init, i);
  guint k = flat_of (w, init, i);
  gboolean started = TRUE, ready = !init || c->restart_always;

  if (s->state != KS_CONTAINER_RUNNING)
    return;
  if (init && !c->restart_always)
    {
      /* An init container is started when it runs, ready once it succeeded. */
      s->started = TRUE;
      s->ready = FALSE;
      return;
    }
  if (c->startup_probe != NULL)
    {
      ProbeWorker *pw = probe_worker (w, k, KS_PROBE_STARTUP);
      started = pw != NULL && pw->result == R_SUCCESS;
    }
  if (c->readiness_probe != NULL)
    {
      ProbeWorker *pw = probe_worker (w, k, KS_PROBE_READINESS);
      ready = ready && pw != NULL && pw->result == R_SUCCESS;
    }
  s->started = started;
  s->ready = ready && started;
}

static void
mutate_probe_flags (PodWorker *w, KsPod *pod, gpointer data)
{
  for (guint i = 0; i < pod->spec->n_init_containers; i++)
    set_probe_flags (w, pod, TRUE, i);
  for (guint i = 0; i < pod->spec->n_containers; i++)
    set_probe_flags (w, pod, FALSE, i);
}

/* Whether container k runs and has started (its startup probe, if any, succeeded). */
static gboolean
container_started (PodWorker *w, guint k)
{
  ProbeWorker *pw;

  if (w->work[k].state != C_RUNNING)
    return FALSE;
  if (flat_container (w, k)->startup_probe == NULL)
    return TRUE;
  pw = probe_worker (w, k, KS_PROBE_STARTUP);
  return pw != NULL && pw->result == R_SUCCESS;
}

/* Starting containers */

typedef struct
{
  PodWorker *w;
  gboolean init;
  guint index;
} ContainerRef;

static ContainerRef *
container_ref_new (PodWorker *w, gboolean init, guint i)
{
  ContainerRef *r = g_new (ContainerRef, 1);
  r->w = w;
  r->init = init;
  r->index = i;
  return r;
}

typedef struct
{
  gboolean init;
  guint index;
  const char *reason; /* interned */
  const char *message;
} WaitData;

static void
mutate_waiting (PodWorker *w, KsPod *pod, gpointer data)
{
  WaitData *d = data;
  KsContainerStatus *s = status_of (pod, d->init, d->index);

  s->state = KS_CONTAINER_WAITING;
  s->reason = d->reason;
  g_free (s->message);
  s->message = g_strdup (d->message);
}

static void
set_waiting (PodWorker *w, gboolean init, guint i, const char *reason, const char *message)
{
  WaitData d = { init, i, ks_intern (reason), message };
  write_status (w, mutate_waiting, &d);
}

static ImageBackoff *
image_backoff (PodWorker *w, const char *image, gboolean create)
{
  GArray *images;

  if (w->extra != NULL && w->extra->images != NULL)
    {
      images = w->extra->images;
      for (guint i = 0; i < images->len; i++)
        if (strcmp (g_array_index (images, ImageBackoff, i).image, image) == 0)
          return &g_array_index (images, ImageBackoff, i);
    }
  if (!create)
    return NULL;
  if (ensure_extra (w)->images == NULL)
    w->extra->images = g_array_new (FALSE, TRUE, sizeof (ImageBackoff));
  images = w->extra->images;
  g_array_set_size (images, images->len + 1);
  g_array_index (images, ImageBackoff, images->len - 1).image = ks_intern (image);
  return &g_array_index (images, ImageBackoff, images->len - 1);
}

/* IsInBackOffSinceUpdate (image_manager.go): an unexpired entry whose duration has not passed
 * since its last update. */
static gboolean
image_in_backoff (PodWorker *w, const char *image)
{
  ImageBackoff *b = image_backoff (w, image, FALSE);
  gint64 now = ks_clock_now (w->kubelet->clock);

  return b != NULL && b->backoff > 0 && now - b->update <= 2 * KS_IMAGE_BACKOFF_MAX
         && now - b->update < b->backoff;
}

/* Next (flowcontrol.Backoff) on a failed pull. */
static void
image_backoff_next (PodWorker *w, const char *image)
{
  ImageBackoff *b = image_backoff (w, image, TRUE);
  gint64 now = ks_clock_now (w->kubelet->clock);

  if (b->backoff == 0 || now - b->update > 2 * KS_IMAGE_BACKOFF_MAX)
    b->backoff = KS_IMAGE_BACKOFF_INITIAL;
  else
    b->backoff = MIN (2 * b->backoff, KS_IMAGE_BACKOFF_MAX);
  b->update = now;
}

static void start_container (PodWorker *w, gboolean init, guint i);

static void
retry_due (gpointer data)
{
  ContainerRef *r = data;
  CWork *cw = work_of (r->w, r->init, r->index);

  cw->timer = 0;
  start_container (r->w, r->init, r->index);
}

/* The sync failed for this container: it is retried at the kubelet's next sync of the pod, which
 * comes backOffPeriod later (the pod worker's requeue after an error). */
static void
schedule_retry (PodWorker *w, gboolean init, guint i, CError why)
{
  KsKubelet *k = w->kubelet;
  CWork *cw = work_of (w, init, i);

  cw->state = C_RETRY;
  cw->error = why;
  ks_clock_cancel (k->clock, cw->timer);
  cw->timer = ks_clock_schedule (k->clock, ks_clock_now (k->clock) + KS_KUBELET_RETRY_PERIOD,
                                 retry_due, container_ref_new (w, init, i), g_free);
}

/* startContainer's errors: EnsureImageExists, CreateContainer, StartContainer
 * (kuberuntime_container.go, images/image_manager.go), with their events and waiting reasons. */
static void
start_failed (PodWorker *w, gboolean init, guint i, gboolean created, const GError *error)
{
  KsKubelet *k = w->kubelet;
  const KsContainer *c = container_of (w->pod, init, i);
  const char *image = c->image != NULL ? c->image : "";
  KsRuntimeError code = KS_RUNTIME_ERROR_CREATE;

  if (error->domain == KS_RUNTIME_ERROR)
    code = error->code;
  else if (created)
    code = KS_RUNTIME_ERROR_START;
  if (code == KS_RUNTIME_ERROR_IMAGE_NOT_FOUND && g_strcmp0 (c->image_pull_policy, "Never") == 0)
    {
      g_autofree char *message = g_strdup_printf (
          "Container image \"%s\" is not present with pull policy of Never", image);
      ks_event_record (&k->events, KS_OBJECT (w->pod), TRUE, "ErrImageNeverPull", k->node_name,
                       "%s", message);
      ks_event_record (&k->events, KS_OBJECT (w->pod), TRUE, "Failed", k->node_name,
                       "Error: ErrImageNeverPull");
      schedule_retry (w, init, i, E_NEVER_PULL);
      set_waiting (w, init, i, "ErrImageNeverPull", message);
      return;
    }
  if (code == KS_RUNTIME_ERROR_IMAGE_NOT_FOUND)
    {
      image_backoff_next (w, image);
      ks_event_record (&k->events, KS_OBJECT (w->pod), TRUE, "Failed", k->node_name,
                       "Failed to pull image \"%s\": %s", image, error->message);
      ks_event_record (&k->events, KS_OBJECT (w->pod), TRUE, "Failed", k->node_name,
                       "Error: ErrImagePull");
      schedule_retry (w, init, i, E_PULL);
      set_waiting (w, init, i, "ErrImagePull", error->message);
      return;
    }
  ks_event_record (&k->events, KS_OBJECT (w->pod), TRUE, "Failed", k->node_name, "Error: %s",
                   error->message);
  if (code == KS_RUNTIME_ERROR_START)
    {
      schedule_retry (w, init, i, E_RUN);
      set_waiting (w, init, i, "RunContainerError", error->message);
    }
  else
    {
      schedule_retry (w, init, i, E_CREATE);
      set_waiting (w, init, i, "CreateContainerError", error->message);
    }
}

static void
start_container (PodWorker *w, gboolean init, guint i)
{
  KsKubelet *k = w->kubelet;
  const KsContainer *c = container_of (w->pod, init, i);
  CWork *cw = work_of (w, init, i);
  g_autoptr (GError) error = NULL;
  gboolean had_error = cw->error != E_NONE;
  const char *image = c->image != NULL ? c->image : "";

  if (image_in_backoff (w, image))
    {
      g_autofree char *message = g_strdup_printf ("Back-off pulling image \"%s\"", image);
      ks_event_record (&k->events, KS_OBJECT (w->pod), FALSE, "BackOff", k->node_name, "%s",
                       message);
      ks_event_record (&k->events, KS_OBJECT (w->pod), TRUE, "Failed", k->node_name,
                       "Error: ImagePullBackOff");
      schedule_retry (w, init, i, E_PULL_BACKOFF);
      set_waiting (w, init, i, "ImagePullBackOff", message);
      return;
    }
  cw->state = C_STARTING;
  cw->error = E_NONE;
  if (!k->runtime->ops->create (k->runtime, w->pod, c, init, &error))
    {
      start_failed (w, init, i, FALSE, error);
      return;
    }
  if (!k->runtime->ops->start (k->runtime, w->pod, c, init, &error))
    {
      start_failed (w, init, i, TRUE, error);
      return;
    }
  /* After an error the status said why it waited; now it is being created. */
  if (had_error)
    set_waiting (w, init, i, "ContainerCreating", NULL);
}

static void
start_main_containers (PodWorker *w)
{
  for (guint i = 0; i < w->pod->spec->n_containers; i++)
    if (W_MAIN (w)[i].state == C_IDLE)
      start_container (w, FALSE, i);
}

/* Move on (computeInitContainerActions): the next init container once the previous one
 * succeeded, or, for a sidecar, once it has started; the containers once every init container
 * is done. */
static void
advance (PodWorker *w)
{
  const KsPodSpec *spec = w->pod->spec;

  while (w->next_init < spec->n_init_containers)
    {
      guint i = w->next_init;
      if (W_INIT (w)[i].state == C_IDLE)
        {
          start_container (w, TRUE, i);
          return;
        }
      if (!spec->init_containers[i].restart_always || !container_started (w, i))
        return;
      w->next_init++;
    }
  start_main_containers (w);
}

/* The pod sandbox */

static void
mutate_pod_ip (PodWorker *w, KsPod *pod, gpointer data)
{
  if (data != NULL)
    ks_pod_set_status_string (pod, KS_POD_POD_IP, data);
}

static void sandbox_retry_due (gpointer data);

/* RunPodSandbox before the first container (SyncPod step 4).  On failure the pod's sync is
 * retried backOffPeriod later.  *ip: the pod's new IP, or NULL. */
static gboolean
ensure_sandbox (PodWorker *w, char **ip)
{
  KsKubelet *k = w->kubelet;
  g_autoptr (GError) error = NULL;
  char *addr;

  *ip = NULL;
  if (w->sandbox)
    return TRUE;
  if (k->runtime->ops->sandbox_create == NULL)
    {
      w->sandbox = TRUE;
      return TRUE;
    }
  addr = k->runtime->ops->sandbox_create (k->runtime, w->pod, &error);
  if (addr == NULL)
    {
      ks_event_record (&k->events, KS_OBJECT (w->pod), TRUE, "FailedCreatePodSandBox", k->node_name,
                       "Failed to create pod sandbox: %s",
                       error != NULL ? error->message : "unknown error");
      ensure_extra (w)->sandbox_timer = ks_clock_schedule (
          k->clock, ks_clock_now (k->clock) + KS_KUBELET_RETRY_PERIOD, sandbox_retry_due, w, NULL);
      return FALSE;
    }
  w->sandbox = TRUE;
  if (addr[0] != '\0')
    *ip = addr;
  else
    g_free (addr);
  return TRUE;
}

static void
sandbox_retry_due (gpointer data)
{
  PodWorker *w = data;
  g_autofree char *ip = NULL;

  w->extra->sandbox_timer = 0;
  if (w->killing || w->terminal || !ensure_sandbox (w, &ip))
    return;
  if (ip != NULL)
    write_status (w, mutate_pod_ip, ip);
  advance (w);
}

/* Admission */

/* rejectPod: a Warning event with the admission's reason and message, and the pod Failed. */
static void
reject (PodWorker *w, const char *reason, const char *detail)
{
  KsKubelet *k = w->kubelet;
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
}

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
  /* The eviction manager's Admit: no BestEffort pod on a node under memory pressure. */
  if (k->memory_pressure && w->pod->spec->qos_class == KS_QOS_BEST_EFFORT)
    {
      reject (w, "Evicted", "The node had condition: [MemoryPressure]. ");
      return FALSE;
    }
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
    reject (w, reason, detail);
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
    ks_pod_set_status_string (pod, KS_POD_HOST_IP, node->internal_ip);
  mutate_pod_ip (w, pod, data);
}

/* Terminating */

static guint
n_active_containers (PodWorker *w)
{
  guint n = 0;
  for (guint k = 0; k < n_all (w); k++)
    n += is_active (&w->work[k]);
  return n;
}

/* Stop sidecars whose turn has come (killContainer's terminationOrdering): a sidecar is stopped
 * once every container and every later sidecar has exited, with what remains of the grace
 * period (whole seconds), at least 2 s. */
static void
stop_turns (PodWorker *w)
{
  KsKubelet *k = w->kubelet;
  const KsPodSpec *spec = w->pod->spec;
  gboolean blocked = FALSE, pending = FALSE;
  gint64 now = ks_clock_now (k->clock);

  if (w->extra == NULL)
    return;
  for (guint i = 0; i < spec->n_containers; i++)
    blocked |= is_active (&W_MAIN (w)[i]);
  for (guint j = spec->n_init_containers; j-- > 0;)
    {
      CWork *cw = &W_INIT (w)[j];
      if (!spec->init_containers[j].restart_always)
        continue;
      if (cw->stop_pending && !blocked)
        {
          gint64 waited = (now - w->extra->stop_start) / KS_USEC_PER_SEC;
          gint64 grace = MAX (w->extra->stop_grace - waited, MIN_GRACE_SECONDS);
          cw->stop_pending = FALSE;
          k->runtime->ops->stop (k->runtime, w->pod, &spec->init_containers[j], TRUE,
                                 grace * KS_USEC_PER_SEC);
        }
      blocked |= cw->stop_pending || is_active (cw);
      pending |= cw->stop_pending;
    }
  if (!pending)
    {
      ks_clock_cancel (k->clock, w->extra->turn_timer);
      w->extra->turn_timer = 0;
    }
}

/* waitForTurn gives up when the grace period has passed: the sidecars still waiting are stopped
 * then, with the minimum grace. */
static void
turn_timeout (gpointer data)
{
  PodWorker *w = data;
  KsKubelet *k = w->kubelet;
  const KsPodSpec *spec = w->pod->spec;

  w->extra->turn_timer = 0;
  for (guint j = spec->n_init_containers; j-- > 0;)
    if (W_INIT (w)[j].stop_pending)
      {
        W_INIT (w)[j].stop_pending = FALSE;
        k->runtime->ops->stop (k->runtime, w->pod, &spec->init_containers[j], TRUE,
                               MIN_GRACE_SECONDS * KS_USEC_PER_SEC);
      }
}

/* Stop every container (killPodWithSyncResult): the ones not running are done; the running
 * ones get Killing and TERM, then KILL after grace seconds; sidecars wait for their turn. */
static void
stop_all (PodWorker *w, gint64 grace)
{
  KsKubelet *k = w->kubelet;
  gboolean pending = FALSE;

  for (guint j = 0; j < n_all (w); j++)
    {
      gboolean init = flat_is_init (w, j);
      guint i = flat_index (w, j);
      CWork *cw = &w->work[j];
      const KsContainer *c = container_of (w->pod, init, i);

      ks_clock_cancel (k->clock, cw->timer);
      cw->timer = 0;
      if (cw->state == C_BACKOFF || cw->state == C_IDLE || cw->state == C_RETRY)
        cw->state = C_EXITED;
      if (!is_active (cw))
        continue;
      ks_event_record (&k->events, KS_OBJECT (w->pod), FALSE, "Killing", k->node_name,
                       "Stopping container %s", c->name);
      if (is_sidecar (w, init, i) && grace > 0)
        cw->stop_pending = pending = TRUE;
      else
        k->runtime->ops->stop (k->runtime, w->pod, c, init, grace * KS_USEC_PER_SEC);
    }
  if (pending)
    {
      PodExtra *extra = ensure_extra (w);
      extra->stop_start = ks_clock_now (k->clock);
      extra->stop_grace = grace;
      ks_clock_cancel (k->clock, extra->turn_timer);
      extra->turn_timer = ks_clock_schedule (k->clock, extra->stop_start + grace * KS_USEC_PER_SEC,
                                             turn_timeout, w, NULL);
      stop_turns (w);
    }
}

static void
finish_kill (PodWorker *w)
{
  KsKubelet *k = w->kubelet;
  KsDeleteOptions opts = { .grace_period_seconds = 0 };
  g_autoptr (KsObject) keep = ks_object_ref (KS_OBJECT (w->pod));

  /* The pod object goes; the DELETED event forgets the worker. */
  ks_client_delete (k->client, keep->kind, keep->meta.namespace, keep->meta.name, &opts, NULL);
}

/* A terminal pod whose containers have all stopped: the runtime forgets them (their logs stay)
 * and the sandbox goes (syncTerminatedPod; the IP is released). */
static void
cleanup (PodWorker *w)
{
  KsKubelet *k = w->kubelet;

  if (w->cleaned)
    return;
  w->cleaned = TRUE;
  for (guint j = 0; j < n_all (w); j++)
    {
      ks_clock_cancel (k->clock, w->work[j].timer);
      w->work[j].timer = 0;
      if (!is_active (&w->work[j]))
        w->work[j].state = C_EXITED;
      probes_stop_container (w, j);
    }
  if (w->extra != NULL)
    {
      ks_clock_cancel (k->clock, w->extra->sandbox_timer);
      w->extra->sandbox_timer = 0;
    }
  remove_containers (w);
}

/* What follows a change: a deletion ends once nothing runs; a pod whose containers are done
 * (or that became terminal) stops what still runs (its sidecars); a terminal pod with nothing
 * running is cleaned up. */
static void
settle (PodWorker *w)
{
  const KsPodSpec *spec = w->pod->spec;
  guint active = n_active_containers (w);

  if (w->killing)
    {
      stop_turns (w);
      if (n_active_containers (w) == 0)
        finish_kill (w);
      return;
    }
  if (!w->finishing && active > 0)
    {
      gboolean done = w->terminal;
      if (!done && spec->n_containers > 0)
        {
          done = TRUE;
          for (guint i = 0; i < spec->n_containers; i++)
            done &= W_MAIN (w)[i].state == C_EXITED;
        }
      if (done)
        {
          /* computePodActions: the containers will not run again, so the pod is killed; its
           * restartable init containers are not restarted. */
          w->finishing = TRUE;
          stop_all (w, spec->termination_grace_period_seconds);
        }
    }
  else if (w->finishing)
    stop_turns (w);
  if (w->terminal && n_active_containers (w) == 0)
    cleanup (w);
}

static void
kill_pod (PodWorker *w)
{
  KsKubelet *k = w->kubelet;
  gint64 grace = w->pod->parent.meta.deletion_grace_period_seconds;

  if (w->killing)
    return;
  w->killing = TRUE;
  if (grace < 0)
    grace = w->pod->spec->termination_grace_period_seconds;
  if (w->extra != NULL)
    {
      ks_clock_cancel (k->clock, w->extra->sandbox_timer);
      w->extra->sandbox_timer = 0;
    }
  /* prober worker: liveness and startup probes stop once deletion is requested; readiness goes on
   * while the containers run. */
  for (guint j = 0; j < n_all (w); j++)
    {
      ProbeWorker *pw = probe_worker (w, j, KS_PROBE_LIVENESS);
      if (pw != NULL)
        {
          probe_stop (k, pw);
          probe_stop (k, probe_worker (w, j, KS_PROBE_STARTUP));
        }
    }
  stop_all (w, grace);
  settle (w);
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

/* containerID: the instance that runs, or that ran last (it stays while the container waits to
 * restart, as the kubelet keeps the last instance's). */
static void
set_container_id (KsContainerStatus *s, const char *container_id)
{
  if (container_id == NULL || g_strcmp0 (s->container_id, container_id) == 0)
    return;
  g_free (s->container_id);
  s->container_id = g_strdup (container_id);
}

static void
mutate_started (PodWorker *w, KsPod *pod, gpointer data)
{
  ExitData *d = data;
  KsContainerStatus *s = status_of (pod, d->init, d->index);

  s->state = KS_CONTAINER_RUNNING;
  s->reason = NULL;
  g_clear_pointer (&s->message, g_free);
  s->started_at = ks_clock_now (w->kubelet->clock);
  set_probe_flags (w, pod, d->init, d->index);
  if (d->restarted)
    s->restart_count++;
  set_container_id (s, d->event->container_id);
}

static void
mutate_exited (PodWorker *w, KsPod *pod, gpointer data)
{
  ExitData *d = data;
  KsContainerStatus *s = status_of (pod, d->init, d->index);
  gint64 now = ks_clock_now (w->kubelet->clock);
  gboolean regular_init = d->init && !is_sidecar (w, d->init, d->index);

  s->ready = FALSE;
  s->started = FALSE;
  set_container_id (s, d->event->container_id);
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
  s->ready = regular_init && d->event->exit_code == 0;
  if (regular_init && d->event->exit_code == 0)
    w->next_init = d->index + 1;
}

static void
restart_due (gpointer data)
{
  ContainerRef *r = data;
  PodWorker *w = r->w;
  CWork *cw = work_of (w, r->init, r->index);
  gint64 finished;

  cw->timer = 0;
  finished = status_of (w->pod, r->init, r->index)->last_finished_at;
  /* Next (flowcontrol.Backoff): reset when the entry is absent or expired, else double. */
  if (cw->backoff == 0 || finished - cw->backoff_update > 2 * KS_CONTAINER_BACKOFF_MAX)
    cw->backoff = KS_CONTAINER_BACKOFF_INITIAL;
  else
    cw->backoff = MIN (2 * cw->backoff, KS_CONTAINER_BACKOFF_MAX);
  cw->backoff_update = ks_clock_now (w->kubelet->clock);
  cw->restarted = TRUE;
  start_container (w, r->init, r->index);
}

static void
on_exited (PodWorker *w, gboolean init, guint i, const KsContainerEvent *event)
{
  KsKubelet *k = w->kubelet;
  CWork *cw = work_of (w, init, i);
  KsRestartPolicy policy = w->pod->spec->restart_policy;
  gint64 now = ks_clock_now (k->clock);
  ExitData d = { .init = init, .index = i, .event = event };
  gboolean sidecar = is_sidecar (w, init, i);

  probes_stop_container (w, flat_of (w, init, i));
  if (w->killing || w->finishing || w->terminal)
    {
      cw->state = C_EXITED;
      cw->probe_kill = FALSE;
      cw->stop_pending = FALSE; /* a sidecar that ended before its turn */
      write_status (w, mutate_exited, &d);
      settle (w);
      return;
    }
  if (sidecar)
    d.restart = TRUE; /* a restartable init container runs as long as the pod */
  else if (cw->probe_kill)
    d.restart = policy != KS_RESTART_NEVER; /* computePodActions: "will be restarted" */
  else if (init && event->exit_code == 0)
    d.restart = FALSE; /* a completed init container is done */
  else
    d.restart
        = policy == KS_RESTART_ALWAYS || (policy == KS_RESTART_ON_FAILURE && event->exit_code != 0);
  cw->probe_kill = FALSE;
  if (!d.restart)
    {
      cw->state = C_EXITED;
      write_status (w, mutate_exited, &d);
      if (init && event->exit_code == 0 && !w->terminal)
        advance (w);
      settle (w);
      return;
    }
  /* doBackOff: in backoff since this exit while an unexpired entry's duration has not passed. */
  d.backoff = cw->backoff != 0 && now - cw->backoff_update <= 2 * KS_CONTAINER_BACKOFF_MAX;
  d.backoff_duration = cw->backoff;
  if (d.backoff)
    {
      g_autofree char *ref = pod_ref (w->pod);
      cw->state = C_BACKOFF;
      write_status (w, mutate_exited, &d);
      ks_event_record (&k->events, KS_OBJECT (w->pod), TRUE, "BackOff", k->node_name,
                       "Back-off restarting failed container %s in pod %s",
                       container_of (w->pod, init, i)->name, ref);
      cw->timer = ks_clock_schedule (k->clock, now + cw->backoff, restart_due,
                                     container_ref_new (w, init, i), g_free);
      return;
    }
  cw->backoff = KS_CONTAINER_BACKOFF_INITIAL;
  cw->backoff_update = now;
  write_status (w, mutate_exited, &d);
  start_container (w, init, i);
}

/* Probes (pkg/kubelet/prober) */

static void probe_tick (gpointer data);
static void probe_run (ProbeWorker *pw);

/* AddPod: a worker per probe of every container. */
static void
probes_setup (PodWorker *w)
{
  guint n = n_all (w);
  gboolean any = FALSE;

  for (guint j = 0; j < n && !any; j++)
    for (guint kind = 0; kind < KS_N_PROBE_KINDS; kind++)
      any |= probe_of (w, j, kind) != NULL;
  if (!any)
    return;
  ensure_extra (w)->probes = g_new0 (ProbeWorker, n * KS_N_PROBE_KINDS);
  for (guint j = 0; j < n; j++)
    for (guint kind = 0; kind < KS_N_PROBE_KINDS; kind++)
      if (probe_of (w, j, kind) != NULL)
        {
          ProbeWorker *pw = probe_worker (w, j, kind);
          pw->w = w;
          pw->index = j;
          pw->kind = kind;
        }
}

/* A new instance of container j runs: its probes start over (the worker sees a new container
 * ID: the initial result, probing resumes), first after initialDelaySeconds, then every
 * periodSeconds. */
static void
probes_start_instance (PodWorker *w, guint j)
{
  KsKubelet *k = w->kubelet;
  gint64 now = ks_clock_now (k->clock);

  for (guint kind = 0; kind < KS_N_PROBE_KINDS; kind++)
    {
      ProbeWorker *pw = probe_worker (w, j, kind);
      const KsProbe *probe = probe_of (w, j, kind);
      if (pw == NULL || pw->w == NULL || probe == NULL)
        continue;
      probe_stop (k, pw);
      pw->started_at = now;
      pw->on_hold = FALSE;
      pw->result = kind == KS_PROBE_READINESS  ? R_FAILURE
                   : kind == KS_PROBE_LIVENESS ? R_SUCCESS
                                               : R_UNKNOWN;
      pw->timer = ks_clock_schedule (k->clock, now + probe->initial_delay_seconds * KS_USEC_PER_SEC,
                                     probe_tick, pw, NULL);
    }
}

/* A failed liveness or startup probe: the container is killed, and restarted unless the pod's
 * restartPolicy is Never (a sidecar always is). */
static void
probe_kill (PodWorker *w, guint j, KsProbeKind kind)
{
  KsKubelet *k = w->kubelet;
  gboolean init = flat_is_init (w, j);
  guint i = flat_index (w, j);
  const KsContainer *c = container_of (w->pod, init, i);
  const KsProbe *probe = probe_of (w, j, kind);
  CWork *cw = &w->work[j];
  gboolean sidecar = is_sidecar (w, init, i);
  const char *what = kind == KS_PROBE_LIVENESS ? "liveness" : "startup";
  gint64 grace = w->pod->spec->termination_grace_period_seconds;

  if (cw->state != C_RUNNING || cw->probe_kill || w->killing || w->finishing)
    return;
  if (probe != NULL && probe->termination_grace_period_seconds >= 0)
    grace = probe->termination_grace_period_seconds;
  grace = MAX (grace, MIN_GRACE_SECONDS);
  if (sidecar)
    ks_event_record (&k->events, KS_OBJECT (w->pod), FALSE, "Killing", k->node_name,
                     "Init container %s failed %s probe", c->name, what);
  else
    ks_event_record (&k->events, KS_OBJECT (w->pod), FALSE, "Killing", k->node_name,
                     "Container %s failed %s probe%s", c->name, what,
                     w->pod->spec->restart_policy != KS_RESTART_NEVER ? ", will be restarted" : "");
  cw->probe_kill = TRUE;
  k->runtime->ops->stop (k->runtime, w->pod, c, init, grace * KS_USEC_PER_SEC);
}

/* A result that reached its threshold becomes the container's (results manager Set), and the
 * kubelet acts on a change at once (its sync on probe updates). */
static void
probe_set_result (ProbeWorker *pw, gint8 result)
{
  PodWorker *w = pw->w;
  guint j = pw->index;

  if (pw->result == result)
    return;
  pw->result = result;
  switch (pw->kind)
    {
    case KS_PROBE_READINESS:
      write_status (w, mutate_probe_flags, NULL);
      break;
    case KS_PROBE_LIVENESS:
      if (result == R_FAILURE)
        probe_kill (w, j, KS_PROBE_LIVENESS);
      break;
    case KS_PROBE_STARTUP:
      if (result == R_FAILURE)
        {
          probe_kill (w, j, KS_PROBE_STARTUP);
          break;
        }
      if (result != R_SUCCESS)
        break;
      /* Started: the startup probe stops for this instance; the readiness probe runs at once
       * (UpdatePodStatus triggers it while the container is not ready); a sidecar lets the next
       * init container start. */
      probe_stop (w->kubelet, pw);
      write_status (w, mutate_probe_flags, NULL);
      {
        ProbeWorker *rpw = probe_worker (w, j, KS_PROBE_READINESS);
        const KsProbe *rp = probe_of (w, j, KS_PROBE_READINESS);
        gint64 now = ks_clock_now (w->kubelet->clock);
        if (rpw != NULL && rpw->w != NULL && rp != NULL && rpw->result != R_SUCCESS
            && rpw->call == NULL && !rpw->on_hold
            && now - rpw->started_at >= rp->initial_delay_seconds * KS_USEC_PER_SEC)
          probe_run (rpw);
      }
      if (flat_is_init (w, j) && !w->killing && !w->finishing && !w->terminal)
        advance (w);
      break;
    default:
      break;
    }
}

/* One probe's answer (worker.doProbe after the probe). */
static void
probe_finish (ProbeCall *call, gboolean success, const char *output, gboolean errored)
{
  ProbeWorker *pw = call->pw;
  PodWorker *w;
  KsKubelet *k;
  const KsProbe *probe;
  gint8 result = success ? R_SUCCESS : R_FAILURE;

  g_free (call);
  if (pw == NULL)
    return; /* no longer wanted */
  pw->call = NULL;
  w = pw->w;
  k = w->kubelet;
  probe = probe_of (w, pw->index, pw->kind);
  if (w->work[pw->index].state != C_RUNNING || w->terminal || probe == NULL)
    return;
  if (errored)
    {
      /* A prober error: the result is thrown away. */
      ks_event_record (&k->events, KS_OBJECT (w->pod), TRUE, "Unhealthy", k->node_name,
                       "%s probe errored: %s", ks_probe_kind_name (pw->kind), output);
      return;
    }
  if (!success)
    ks_event_record (&k->events, KS_OBJECT (w->pod), TRUE, "Unhealthy", k->node_name,
                     "%s probe failed: %s", ks_probe_kind_name (pw->kind), output);
  if (pw->last_result == result)
    pw->run++;
  else
    {
      pw->last_result = result;
      pw->run = 1;
    }
  if ((!success && pw->run < probe->failure_threshold)
      || (success && pw->run < probe->success_threshold))
    return;
  probe_set_result (pw, result);
  if (!success && pw->kind != KS_PROBE_READINESS)
    {
      /* Killed: no probing until a new instance runs. */
      pw->on_hold = TRUE;
      pw->run = 0;
    }
}

static void
probe_done (gboolean success, const char *output, gpointer data)
{
  probe_finish (data, success, output != NULL ? output : "", FALSE);
}

static void
exec_done (gint exit_code, const char *message, gpointer data)
{
  /* exec.Probe: exit 0 is success; another exit code, or a command that could not run or timed
   * out, is a failure with the output. */
  probe_finish (data, exit_code == 0, message != NULL ? message : "", FALSE);
}

typedef struct
{
  ProbeCall *call;
  gboolean success;
  gboolean errored;
  char *output;
} LaterResult;

static void
later_run (gpointer data)
{
  LaterResult *r = data;
  probe_finish (r->call, r->success, r->output, r->errored);
  r->call = NULL;
}

static void
later_free (gpointer data)
{
  LaterResult *r = data;
  if (r->call != NULL)
    g_free (r->call); /* cancelled with the clock */
  g_free (r->output);
  g_free (r);
}

/* A result known at once, handed over like a prober's: later, from the clock. */
static void
probe_later (KsKubelet *k, ProbeCall *call, gboolean errored, char *output)
{
  LaterResult *r = g_new0 (LaterResult, 1);

  r->call = call;
  r->errored = errored;
  r->output = output;
  ks_clock_schedule (k->clock, ks_clock_now (k->clock), later_run, r, later_free);
}

static void
probe_run (ProbeWorker *pw)
{
  PodWorker *w = pw->w;
  KsKubelet *k = w->kubelet;
  const KsProbe *probe = probe_of (w, pw->index, pw->kind);
  const KsContainer *c = flat_container (w, pw->index);
  ProbeCall *call = g_new0 (ProbeCall, 1);
  KsProbeRequest req = {
    .pod = w->pod,
    .container = c,
    .probe = probe,
    .kind = pw->kind,
    .started_at = pw->started_at,
    .pod_ip = ks_pod_get_status_string (w->pod, KS_POD_POD_IP),
    .timeout = probe->timeout_seconds * KS_USEC_PER_SEC,
  };

  call->pw = pw;
  pw->call = call;
  if (probe->handler == KS_PROBE_EXEC)
    {
      if (k->prober != NULL && k->prober->ops->exec != NULL)
        k->prober->ops->exec (k->prober, &req, probe_done, call);
      else if (k->runtime->ops->exec != NULL)
        k->runtime->ops->exec (k->runtime, w->pod, c, (const char *const *) probe->command,
                               req.timeout, exec_done, call);
      else
        probe_later (k, call, FALSE, g_strdup ("exec is not supported"));
      return;
    }
  if (!ks_container_resolve_port (c, &probe->port, &req.port))
    {
      /* extractPort: not a port name of the container, and not a number either. */
      probe_later (
          k, call, TRUE,
          g_strdup_printf ("strconv.Atoi: parsing \"%s\": invalid syntax", probe->port.name));
      return;
    }
  req.host = probe->host != NULL ? probe->host : req.pod_ip;
  if (k->prober == NULL)
    probe_later (k, call, FALSE,
                 g_strdup_printf ("%s probes are not supported",
                                  probe->handler == KS_PROBE_HTTP_GET ? "HTTP" : "TCP"));
  else if (probe->handler == KS_PROBE_HTTP_GET)
    k->prober->ops->http_get (k->prober, &req, probe_done, call);
  else
    k->prober->ops->tcp (k->prober, &req, probe_done, call);
}

/* The probe ticker: on the instance's grid, start + initialDelaySeconds + n × periodSeconds;
 * a tick while the previous probe is still in flight is dropped, as Go's ticker drops it. */
static void
probe_tick (gpointer data)
{
  ProbeWorker *pw = data;
  PodWorker *w = pw->w;
  KsKubelet *k = w->kubelet;
  const KsProbe *probe = probe_of (w, pw->index, pw->kind);
  gboolean started;

  pw->timer = 0;
  if (probe == NULL || w->work[pw->index].state != C_RUNNING || w->terminal)
    return;
  pw->timer = ks_clock_schedule (
      k->clock, ks_clock_now (k->clock) + MAX (probe->period_seconds, 1) * KS_USEC_PER_SEC,
      probe_tick, pw, NULL);
  if (pw->on_hold || pw->call != NULL)
    return;
  started = container_started (w, pw->index);
  if (pw->kind == KS_PROBE_STARTUP ? started : !started)
    return; /* startup probes until started, the others from then on */
  probe_run (pw);
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
on_started (PodWorker *w, gboolean init, guint i, const KsContainerEvent *event)
{
  KsKubelet *k = w->kubelet;
  CWork *cw = work_of (w, init, i);
  ExitData d = { .init = init, .index = i, .event = event };
  guint j = flat_of (w, init, i);

  cw->state = C_RUNNING;
  d.restarted = cw->restarted;
  cw->restarted = FALSE;
  ks_event_record (&k->events, KS_OBJECT (w->pod), FALSE, "Created", k->node_name,
                   "Created container: %s", event->container);
  ks_event_record (&k->events, KS_OBJECT (w->pod), FALSE, "Started", k->node_name,
                   "Started container %s", event->container);
  probes_start_instance (w, j);
  write_status (w, mutate_started, &d);
  if (is_sidecar (w, init, i) && !w->killing && !w->finishing && !w->terminal)
    advance (w);
}

static void
on_container_event (const KsContainerEvent *event, gpointer data)
{
  KsKubelet *k = data;
  PodWorker *w = find_worker (k, &event->pod_uid);
  guint i;
  CWork *cw;

  if (w == NULL || !find_container (w, event->container, event->init, &i))
    return;
  cw = work_of (w, event->init, i);
  if (event->type == KS_CONTAINER_STARTED)
    {
      if (cw->state == C_STARTING)
        on_started (w, event->init, i, event);
      return;
    }
  if (cw->state == C_STARTING || cw->state == C_RUNNING)
    on_exited (w, event->init, i, event);
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
      g_autofree char *ip = NULL;
      gboolean ready;
      if (!admit (w))
        return;
      probes_setup (w);
      ready = ensure_sandbox (w, &ip);
      write_status (w, mutate_start, ip);
      if (ready)
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
ks_kubelet_set_prober (KsKubelet *k, KsProber *prober)
{
  k->prober = prober;
}

void
ks_kubelet_free (KsKubelet *k)
{
  if (k == NULL)
    return;
  ks_eviction_manager_free (k->eviction);
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

/* Eviction (ks-eviction.c) */

static int
pod_by_name (gconstpointer pa, gconstpointer pb)
{
  const KsObject *a = *(KsObject *const *) pa, *b = *(KsObject *const *) pb;
  int c = strcmp (a->meta.namespace, b->meta.namespace);
  return c != 0 ? c : strcmp (a->meta.name, b->meta.name);
}

GPtrArray *
ks_kubelet_list_pods (KsKubelet *k)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, k->workers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      PodWorker *w = value;
      if (w->admitted && !w->terminal && !w->killing && !w->deleted)
        g_ptr_array_add (out, ks_object_ref (KS_OBJECT (w->pod)));
    }
  /* The table's order is no order: sort, so that what is done with the list repeats. */
  g_ptr_array_sort (out, pod_by_name);
  return out;
}

static void
mutate_evicted (PodWorker *w, KsPod *pod, gpointer data)
{
  const char *message = data;

  pod->phase = KS_POD_FAILED;
  ks_pod_set_status_string (pod, KS_POD_REASON, "Evicted");
  ks_pod_set_status_string (pod, KS_POD_MESSAGE, message);
  ks_pod_set_condition (pod, KS_POD_COND_DISRUPTION_TARGET, KS_CONDITION_TRUE,
                        "TerminationByKubelet", message, ks_clock_now (w->kubelet->clock));
}

gboolean
ks_kubelet_evict_pod (KsKubelet *k, const KsPod *pod, const char *message)
{
  PodWorker *w = find_worker (k, &pod->parent.meta.uid);

  if (w == NULL || !w->admitted || w->terminal || w->killing || w->deleted)
    return FALSE;
  ks_event_record (&k->events, KS_OBJECT (w->pod), TRUE, "Evicted", k->node_name, "%s", message);
  /* killPodNow with the hard threshold's grace period, 0; the pod stays, Failed. */
  write_status (w, mutate_evicted, (gpointer) message);
  /* Terminal even if the write failed: the kubelet does not run the pod again. */
  release (w);
  w->finishing = TRUE;
  stop_all (w, 0);
  settle (w);
  return TRUE;
}

void
ks_kubelet_start_eviction (KsKubelet *k, const KsEvictionOptions *options,
                           KsMemoryPressureFunc func, gpointer user_data)
{
  g_return_if_fail (k->eviction == NULL);
  k->eviction = ks_eviction_manager_new (k, k->client, k->clock, k->runtime, k->events.sink,
                                         k->node_name, options, func, user_data);
}

void
ks_kubelet_set_memory_pressure (KsKubelet *k, gboolean pressure)
{
  k->memory_pressure = pressure;
}

gboolean
ks_kubelet_under_memory_pressure (KsKubelet *k)
{
  return k->memory_pressure;
}

static gint
compare_workers (gconstpointer a, gconstpointer b)
{
  const KsObject *x = KS_OBJECT ((*(PodWorker *const *) a)->pod);
  const KsObject *y = KS_OBJECT ((*(PodWorker *const *) b)->pod);
  gint c = g_strcmp0 (x->meta.namespace, y->meta.namespace);
  return c != 0 ? c : strcmp (x->meta.name, y->meta.name);
}

void
ks_kubelet_resync_status (KsKubelet *k)
{
  g_autoptr (GPtrArray) workers = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (k != NULL);
  g_hash_table_iter_init (&iter, k->workers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      PodWorker *w = value;
      if (w->admitted && !w->terminal && !w->killing && !w->deleted
          && !ks_object_is_being_deleted (KS_OBJECT (w->pod)))
        g_ptr_array_add (workers, w);
    }
  /* By name, not in hash-table order: the writes are events of the run. */
  g_ptr_array_sort (workers, compare_workers);
  for (guint i = 0; i < workers->len; i++)
    write_status (g_ptr_array_index (workers, i), mutate_probe_flags, NULL);
}
