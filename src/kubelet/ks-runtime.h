/* ks-runtime.h: the container runtime the shared kubelet drives (the role of Kubernetes' CRI).
 *
 * sim/ models containers (startup time, run time, exit code from annotations); real/ runs them
 * with runc.  The runtime reports what happens to containers through the notify callback the
 * kubelet installs: STARTED when a container runs, EXITED when it ends (on its own or after
 * stop).  Containers are named by (pod UID, container name). */
#pragma once

#include "src/api/ks-pod.h"

G_BEGIN_DECLS

typedef struct _KsRuntime KsRuntime;

/* What a running container (or the node as a whole) has used, as cAdvisor reads it from the
 * cgroup and the kubelet's /metrics/resource reports it: cumulative, so that a reader computes a
 * rate over a window of its choosing (the metrics pipeline, src/metrics). */
typedef struct
{
  gint64 timestamp;    /* when it was read, µs of the runtime's clock */
  gint64 start_time;   /* when the container's instance (the node's runtime) started; µs */
  guint64 cpu_ns;      /* CPU time used since then, in ns (core-nanoseconds) */
  guint64 working_set; /* memory working set now, bytes (usage minus inactive file pages) */
} KsStats;

typedef enum
{
  KS_CONTAINER_STARTED,
  KS_CONTAINER_EXITED,
} KsContainerEventType;

typedef struct
{
  KsContainerEventType type;
  KsUid pod_uid;
  const char *container; /* the container's name */
  gboolean init;         /* an init container */
  gint exit_code;        /* EXITED */
  const char *reason;    /* EXITED: "Completed", "Error", "OOMKilled", ... */
  /* The instance's ID as status.containerStatuses[].containerID shows it,
   * "<runtime>://<id>" ("runc://<pod-uid>-<container>-<n>"), or NULL when the runtime has
   * none (sim).  Borrowed for the call. */
  const char *container_id;
} KsContainerEvent;

typedef void (*KsContainerEventFunc) (const KsContainerEvent *event, gpointer user_data);

/* The end of an exec (an exec probe): the command's exit code, or -1 when it could not run or
 * timed out (message says why). */
typedef void (*KsExecDoneFunc) (gint exit_code, const char *message, gpointer user_data);

/* Errors of create/start and sandbox_create. */
#define KS_RUNTIME_ERROR (ks_runtime_error_quark ())
GQuark ks_runtime_error_quark (void);
typedef enum
{
  KS_RUNTIME_ERROR_IMAGE_NOT_FOUND, /* the kubelet reports ErrImagePull / ImagePullBackOff */
  KS_RUNTIME_ERROR_CREATE,          /* CreateContainerError */
  KS_RUNTIME_ERROR_START,           /* RunContainerError */
  KS_RUNTIME_ERROR_SANDBOX,         /* the pod's network could not be set up */
} KsRuntimeError;

typedef struct
{
  /* Prepare container c of pod (image, bundle).  Does not start it. */
  gboolean (*create) (KsRuntime *self, const KsPod *pod, const KsContainer *c, gboolean init,
                      GError **error);
  /* Start it; STARTED is reported when it runs. */
  gboolean (*start) (KsRuntime *self, const KsPod *pod, const KsContainer *c, gboolean init,
                     GError **error);
  /* Stop it: TERM, then KILL after grace µs.  EXITED is reported when it is gone, also for a
   * container that was still starting (it ends at once); nothing is reported for one that was
   * never started or has already exited.  The kubelet relies on this to finish a deletion. */
  void (*stop) (KsRuntime *self, const KsPod *pod, const KsContainer *c, gboolean init,
                gint64 grace);
  /* Forget a container and free what it held, killing it if it still runs; nothing is reported
   * afterwards. */
  void (*remove) (KsRuntime *self, const KsPod *pod, const KsContainer *c, gboolean init);
  /* Optional (NULL: no usage is known).  The usage of the running instance of container c of
   * pod (a container that has started and not yet exited); FALSE when it does not run or its
   * usage cannot be read. */
  gboolean (*container_stats) (KsRuntime *self, const KsPod *pod, const KsContainer *c,
                               gboolean init, KsStats *out);
  /* Optional.  The usage of the node as a whole (everything its pods run); FALSE when unknown.
   * start_time is when the runtime started. */
  gboolean (*node_stats) (KsRuntime *self, KsStats *out);
  /* Drop every container of every pod at once, reporting nothing (the node died). */
  void (*kill_all) (KsRuntime *self);

  /* Optional (NULL: the runtime has no pod sandboxes, pods get no IP).  The role of CRI's
   * RunPodSandbox: set up what the pod's containers share (the network namespace) before its
   * first container is created; returns the pod's IP (newly allocated).  Idempotent for a pod
   * whose sandbox exists. */
  char *(*sandbox_create) (KsRuntime *self, const KsPod *pod, GError **error);
  /* Tear the pod's sandbox down once all its containers are removed.  Idempotent. */
  void (*sandbox_remove) (KsRuntime *self, const KsPod *pod);
  /* Optional (NULL: exec probes fail with "exec is not supported").  Run argv in running
   * container c; done is called once, from the clock's thread, within timeout µs. */
  void (*exec) (KsRuntime *self, const KsPod *pod, const KsContainer *c, const char *const *argv,
                gint64 timeout, KsExecDoneFunc done, gpointer user_data);
  void (*free) (KsRuntime *self);
} KsRuntimeOps;

struct _KsRuntime
{
  const KsRuntimeOps *ops;
  KsContainerEventFunc notify;
  gpointer notify_data;
};

static inline void
ks_runtime_set_notify (KsRuntime *rt, KsContainerEventFunc notify, gpointer data)
{
  rt->notify = notify;
  rt->notify_data = data;
}

static inline void
ks_runtime_free (KsRuntime *rt)
{
  if (rt != NULL)
    rt->ops->free (rt);
}

G_END_DECLS
