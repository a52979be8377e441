/* ks-prober.h: how the kubelet runs a container's httpGet and tcpSocket probes (the role of
 * Kubernetes' pkg/probe/http and pkg/probe/tcp).
 *
 * The kubelet decides when to probe and what a result means (pkg/kubelet/prober); a KsProber
 * only runs one check and reports success or failure.  Real mode's prober (real/ks-prober-gio)
 * connects to the pod, after asking whether the address may be reached; sim's
 * (sim/ks-sim-prober) answers from the pod's simulation annotations.  Exec probes go through the
 * runtime's exec op unless the prober has an exec op of its own (sim's does: it models every
 * handler alike). */
#pragma once

#include "src/api/ks-pod.h"

G_BEGIN_DECLS

typedef struct _KsProber KsProber;

typedef enum
{
  KS_PROBE_LIVENESS,
  KS_PROBE_READINESS,
  KS_PROBE_STARTUP,
  KS_N_PROBE_KINDS
} KsProbeKind;

/* "Liveness", "Readiness", "Startup": the kubelet's words in events ("Liveness probe failed"). */
const char *ks_probe_kind_name (KsProbeKind kind);

/* One check to run.  Every pointer is borrowed for the duration of the call only: an
 * implementation copies what it keeps. */
typedef struct
{
  const KsPod *pod;
  const KsContainer *container;
  const KsProbe *probe; /* the handler: path, scheme (https), headers, command */
  KsProbeKind kind;
  gint64 started_at;  /* when this instance of the container started (clock time, µs) */
  const char *pod_ip; /* the pod's IP (status.podIP), NULL when it has none */
  /* httpGet and tcpSocket: where to connect: the probe's host, else the pod's IP; NULL when
   * neither is known.  The implementation may refuse an address (it says why in the output). */
  const char *host;
  gint32 port;    /* httpGet and tcpSocket: the port, resolved from a container port name */
  gint64 timeout; /* µs (timeoutSeconds) */
} KsProbeRequest;

/* The result of one check: success, or failure with output saying what happened (an HTTP
 * status, a connection error, a command's output), which the kubelet puts in its Unhealthy
 * event. */
typedef void (*KsProbeDoneFunc) (gboolean success, const char *output, gpointer user_data);

/* Each op calls done exactly once, later (never from within the call), from the clock's thread:
 * within the request's timeout (plus the time to notice it), and also when the prober is freed
 * first (as a failure).  The kubelet relies on this to free what it passed as user_data. */
typedef struct
{
  /* HTTP GET <scheme>://<host>:<port><path> with the probe's headers; success when the status
   * is 200-399 (redirects are not followed). */
  void (*http_get) (KsProber *self, const KsProbeRequest *request, KsProbeDoneFunc done,
                    gpointer user_data);
  /* Success when a TCP connection to host:port can be opened (it is closed at once). */
  void (*tcp) (KsProber *self, const KsProbeRequest *request, KsProbeDoneFunc done,
               gpointer user_data);
  /* Optional: run an exec probe (NULL: the kubelet uses the runtime's exec op). */
  void (*exec) (KsProber *self, const KsProbeRequest *request, KsProbeDoneFunc done,
                gpointer user_data);
  void (*free) (KsProber *self);
} KsProberOps;

struct _KsProber
{
  const KsProberOps *ops;
};

static inline void
ks_prober_free (KsProber *prober)
{
  if (prober != NULL)
    prober->ops->free (prober);
}

G_END_DECLS
