/* ks-http-client.h: a KsClient that speaks to the API server (real/ks-apiserver) over HTTP.
 *
 * Reads and writes are synchronous requests; returned objects are decoded as stored objects
 * (KS_DECODE_STORED).  A failed request sets a KS_STORE_ERROR error with the store's code when
 * the server's Status has a reason the store knows (NotFound, AlreadyExists, Conflict, Invalid,
 * Forbidden, BadRequest, InternalError) and its message, so callers tell errors apart as with the
 * store client; other statuses give KS_HTTP_CLIENT_ERROR_STATUS, unreadable answers
 * KS_HTTP_CLIENT_ERROR_BAD_RESPONSE, and a server that cannot be reached the G_IO_ERROR libsoup
 * reports.
 *
 * A watch lists (delivering ADDED events first when replay is asked) and then reads a watch
 * stream asynchronously on the thread-default main context of the caller of
 * ks_http_client_new.  Each watch keeps the objects it has seen (an informer's cache): MODIFIED
 * events carry the previous state from it, and when the stream is lost (the server restarted,
 * or answered 410 Expired) the client lists again and delivers the difference as ADDED,
 * MODIFIED and DELETED events, reconnecting with a growing delay (100 ms to 5 s) while the
 * server cannot be reached.  Events reach the watcher after the change, from the main loop,
 * never from inside the write that made them.
 *
 * Differences from the store client: create drops status (a Node's excepted) and server-set
 * fields, as the API decodes a create as a manifest; list_dependents lists and filters (there is
 * no owner index over HTTP).  Use the client from one thread. */
#pragma once

#include "src/store/ks-client.h"

G_BEGIN_DECLS

#define KS_HTTP_CLIENT_ERROR (ks_http_client_error_quark ())
GQuark ks_http_client_error_quark (void);

typedef enum
{
  KS_HTTP_CLIENT_ERROR_STATUS,       /* an error status the store has no code for (500, 405, ...) */
  KS_HTTP_CLIENT_ERROR_BAD_RESPONSE, /* the answer is not what the API sends */
  KS_HTTP_CLIENT_ERROR_BAD_URL,      /* the server URL is not an http:// URL */
} KsHttpClientError;

/* A client of the API server at url ("http://127.0.0.1:6443").  epoch is the Unix time in µs of
 * cluster time 0 (0 in real mode).  No request is made yet.  NULL with error for a bad URL. */
KsClient *ks_http_client_new (const char *url, gint64 epoch, GError **error);

/* TRUE when every watch of client currently has an open stream (for tests and status). */
gboolean ks_http_client_watches_connected (KsClient *client);

G_END_DECLS
