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

typedef struct
{
  gint64 milli_cpu;
  gint64 memory_bytes;
} KsUsage;

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
} KsContainerEvent;

typedef void (*KsContainerEventFunc) (const KsContainerEvent *event, gpointer user_data);

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
  /* Current usage of the pod's containers; FALSE when unknown. */
  gboolean (*stats) (KsRuntime *self, const KsPod *pod, KsUsage *out);
  /* Drop every container of every pod at once, reporting nothing (the node died). */
  void (*kill_all) (KsRuntime *self);
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
