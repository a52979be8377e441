/* ks-kubelet-server.h: the node agent's own HTTP server (the kubelet's port): container logs
 * and resource metrics.
 *
 * It listens on 127.0.0.1 (plain HTTP; the port goes to the Node's
 * status.daemonEndpoints.kubeletEndpoint.Port) and serves what the API server's pods/log proxies
 * to it, and what the control plane's metrics server scrapes:
 *
 *   GET /containerLogs/<namespace>/<pod>/<container>?follow=&previous=&tailLines=&limitBytes=
 *   GET /metrics/resource
 *
 * /metrics/resource is the kubelet's Prometheus text (real/ks-resource-metrics.h): the usage of
 * the node and of the running containers of the pods bound to it, read from the runtime
 * (ks_kubelet_server_set_runtime; 503 before).
 *
 * answering text/plain, chunked, from the container's log files
 * (<logs-dir>/<ns>_<pod>_<uid>/<container>/<n>.log, n the instance's restart count, as the runc
 * runtime writes them).  While following, new output is sent as it is written (the file is looked
 * at every 200 ms), and the response ends when the container instance ends (a change of its
 * pod's status, seen through a watch of the node's pods) or the client goes away.  Errors are
 * Kubernetes Status objects: 400 BadRequest with the kubelet's messages (`container "c" in pod
 * "p" is waiting to start: ContainerCreating`, `previous terminated container "c" in pod "p" not
 * found`), 422 Invalid for options Kubernetes' validation refuses, 404 NotFound for a pod or
 * container this node does not have.  timestamps=true, sinceSeconds and sinceTime are refused
 * (400): the files carry no timestamps. */
#pragma once

#include "src/kubelet/ks-runtime.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

#define KS_KUBELET_SERVER_ERROR (ks_kubelet_server_error_quark ())
GQuark ks_kubelet_server_error_quark (void);

typedef enum
{
  KS_KUBELET_SERVER_ERROR_BAD_REQUEST, /* 400 BadRequest */
  KS_KUBELET_SERVER_ERROR_INVALID,     /* 422 Invalid (PodLogOptions validation) */
  KS_KUBELET_SERVER_ERROR_NOT_FOUND,   /* 404 NotFound */
} KsKubeletServerError;

/* v1.PodLogOptions, the part kubesim serves. */
typedef struct
{
  gboolean follow;
  gboolean previous;
  gint64 tail_lines;  /* -1: every line */
  gint64 limit_bytes; /* -1: no limit */
} KsLogOptions;

/* Read the options of a containerLogs request for pod from query (name → value, as libsoup
 * decodes it; NULL for none).  Booleans as Go's strconv.ParseBool reads them, integers in
 * decimal.  Errors: BAD_REQUEST for a value that does not parse ("tailLines: \"x\" is not an
 * integer") and for what kubesim does not support (timestamps=true, sinceSeconds, sinceTime);
 * INVALID with Kubernetes' message for values its validation refuses (`PodLogOptions "p" is
 * invalid: tailLines: Invalid value: -1: must be greater than or equal to 0`; limitBytes and
 * sinceSeconds must be greater than 0). */
gboolean ks_log_options_parse (GHashTable *query, const char *pod, KsLogOptions *out,
                               GError **error);

/* Which instance of container (an init container or a container of pod) a request is for, as
 * the kubelet's validateContainerLogStatus chooses it from the container's status: the running
 * or terminated instance, else the last terminated one (lastState), or with previous the last
 * terminated one.  An instance is numbered by its restart count (the runc runtime's n.log):
 * running and terminated instances are restartCount; the last terminated one is restartCount - 1,
 * except while the container waits in CrashLoopBackOff (the restart is not counted until it
 * happens) when it is restartCount.  Sets *instance; BAD_REQUEST with the kubelet's message when
 * there is none (`container "c" in pod "p" is waiting to start: <reason>`; "image can't be
 * pulled" for ErrImagePull, "trying and failing to pull image" for ImagePullBackOff; `previous
 * terminated container "c" in pod "p" not found`), NOT_FOUND when pod has no such container.
 * *running is set when the instance chosen is running (its log may still grow). */
gboolean ks_log_select_instance (const KsPod *pod, const char *container, gboolean previous,
                                 gint *instance, gboolean *running, GError **error);

/* The offset in the first size bytes of fd (a regular file) where its last tail_lines lines
 * start (0 for tail_lines < 0, size for 0).  A line ends with '\n'; a last line without one
 * counts as a line.  FALSE with a G_IO_ERROR when fd cannot be read. */
gboolean ks_log_tail_offset (int fd, gint64 size, gint64 tail_lines, gint64 *offset,
                             GError **error);

typedef struct _KsKubeletServer KsKubeletServer;

/* A server for node_name's container logs, kept by the runtime under logs_dir
 * (<data-dir>/nodes/<node>/logs).  It watches the pods bound to node_name through client
 * (borrowed; must outlive the server) on the thread-default main context.  Not listening yet. */
KsKubeletServer *ks_kubelet_server_new (KsClient *client, const char *node_name,
                                        const char *logs_dir);
/* The runtime whose usage /metrics/resource reports (borrowed; NULL to stop serving it). */
void ks_kubelet_server_set_runtime (KsKubeletServer *server, KsRuntime *runtime);
/* Listen on 127.0.0.1:port (0: a free port). */
gboolean ks_kubelet_server_listen (KsKubeletServer *server, guint port, GError **error);
/* The port listened on, 0 before ks_kubelet_server_listen. */
guint ks_kubelet_server_get_port (KsKubeletServer *server);
/* Log responses in progress (following or being written). */
guint ks_kubelet_server_n_streams (KsKubeletServer *server);
/* Stop listening, end every response and stop watching. */
void ks_kubelet_server_free (KsKubeletServer *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsKubeletServer, ks_kubelet_server_free)

G_END_DECLS
