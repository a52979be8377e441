/* ks-apiserver.h: real mode's REST API, Kubernetes' paths and JSON over a KsStore.
 *
 * A libsoup server on 127.0.0.1 (plain HTTP, no authentication) on the thread-default main
 * context of the caller.  It serves discovery (/api, /apis, /api/v1, /apis/<group>/<version>,
 * /version, /healthz, /readyz, /livez, a minimal /openapi/v3), and for every kind of the kind
 * table its collections and items at Kubernetes' paths: list (labelSelector, fieldSelector,
 * limit/continue), watch (?watch=true: a chunked stream of WatchEvent lines, resumable from a
 * resourceVersion kept in the watch cache), create, update, delete (DeleteOptions), patch (JSON,
 * merge and strategic merge), and the subresources status, scale (Deployment, ReplicaSet),
 * pods/binding and pods/log (proxied to the node agent); with a metrics server, the resource
 * metrics API (metrics.k8s.io/v1beta1).  Errors are Status objects with
 * Kubernetes' codes, reasons and messages.  docs/real-mode.md ("API") lists what is served and
 * how it differs from Kubernetes. */
#pragma once

#include "src/metrics/ks-metrics-server.h"
#include "src/store/ks-store.h"

G_BEGIN_DECLS

typedef struct _KsApiServer KsApiServer;

/* The watch cache keeps this many recent events by default: a watch may resume from any
 * resourceVersion they cover; older ones get 410 Expired. */
#define KS_API_SERVER_DEFAULT_WATCH_CACHE 4096
/* A watcher whose client has not read this many bytes of events is closed, so that a slow or
 * stuck client cannot make the control plane hold its events. */
#define KS_API_SERVER_DEFAULT_WATCH_QUEUE_LIMIT (16 * 1024 * 1024)

/* A server over store (borrowed: it must outlive the server) whose timestamps are printed with
 * epoch, the Unix time in µs of cluster time 0 (0 in real mode, where cluster time is Unix
 * time).  It watches the store from now on for its watch cache; it does not listen yet. */
KsApiServer *ks_api_server_new (KsStore *store, gint64 epoch);

/* Close every connection (watch streams end), stop listening, free. */
void ks_api_server_free (KsApiServer *server);

/* Keep n events in the watch cache (at least 1; default KS_API_SERVER_DEFAULT_WATCH_CACHE).
 * Call before serving. */
void ks_api_server_set_watch_cache_size (KsApiServer *server, guint n);
/* Close watchers with more than bytes unread (default KS_API_SERVER_DEFAULT_WATCH_QUEUE_LIMIT). */
void ks_api_server_set_watch_queue_limit (KsApiServer *server, gsize bytes);
/* Send watches that asked for bookmarks (allowWatchBookmarks=true) a BOOKMARK every interval µs
 * of the store's clock (default one minute). */
void ks_api_server_set_bookmark_interval (KsApiServer *server, gint64 interval);

/* Serve the resource metrics API (metrics.k8s.io/v1beta1, real/ks-metrics-api.h) from metrics
 * (borrowed; it must outlive the server; NULL: not served, and not in discovery). */
void ks_api_server_set_metrics (KsApiServer *server, KsMetricsServer *metrics);

/* Listen on 127.0.0.1:port (0: a free port, see ks_api_server_get_port).  FALSE with error
 * when the port cannot be bound. */
gboolean ks_api_server_listen (KsApiServer *server, guint port, GError **error);

/* The port listened on, or 0 before ks_api_server_listen. */
guint ks_api_server_get_port (KsApiServer *server);

/* "http://127.0.0.1:<port>".  Newly allocated. */
char *ks_api_server_get_url (KsApiServer *server);

/* The number of open watch streams (for tests and status). */
guint ks_api_server_get_n_watchers (KsApiServer *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsApiServer, ks_api_server_free)

G_END_DECLS
