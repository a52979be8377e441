/* ks-rest.h: the CLI's client of the real-mode API: plain requests on JSON trees.
 *
 * The kubectl-like commands need what KsClient does not offer (patches, the scale and log
 * subresources, the server's own JSON for -o json, selectors, watches of one object), so they
 * speak to the API server (real/ks-apiserver.h) through this small synchronous client.  A failed
 * request sets a KS_REST_ERROR: KS_REST_ERROR_STATUS when the server answered an error Status,
 * whose fields (code, reason, message, details) ks_rest_error_get_status returns, so that the
 * caller prints it as kubectl does ("Error from server (NotFound): ..."); a server that cannot be
 * reached gives kubectl's connection messages ("The connection to the server 127.0.0.1:6443 was
 * refused - did you specify the right host or port?").  Use a KsRest from one thread. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "src/api/ks-object.h"

G_BEGIN_DECLS

#define KS_REST_ERROR (ks_rest_error_quark ())
GQuark ks_rest_error_quark (void);

typedef enum
{
  KS_REST_ERROR_STATUS,       /* the server answered an error Status (ks_rest_error_get_status) */
  KS_REST_ERROR_UNREACHABLE,  /* the server could not be reached; kubectl's message */
  KS_REST_ERROR_BAD_RESPONSE, /* the answer is not what the API sends */
  KS_REST_ERROR_BAD_URL,      /* the server URL is not an http:// URL */
} KsRestError;

/* One of a Status' details.causes. */
typedef struct
{
  char *field;
  char *message;
} KsRestCause;

/* An error Status as the server sent it. */
typedef struct
{
  guint code;    /* the HTTP status */
  char *reason;  /* "NotFound"; NULL when the Status has none */
  char *message; /* NULL when the Status has none */
  char *kind;    /* details.kind (a resource, or a Kind for Invalid); NULL when unset */
  char *name;    /* details.name; NULL when unset */
  KsRestCause *causes;
  guint n_causes;
} KsRestStatus;

/* The Status of a KS_REST_ERROR_STATUS error (borrowed), else NULL. */
const KsRestStatus *ks_rest_error_get_status (const GError *error);
/* TRUE when error is a Status with this reason ("NotFound", "AlreadyExists", ...). */
gboolean ks_rest_error_has_reason (const GError *error, const char *reason);

typedef struct _KsRest KsRest;

/* A client of the API at server ("http://127.0.0.1:6443").  NULL with KS_REST_ERROR_BAD_URL
 * when server is not an http:// URL. */
KsRest *ks_rest_new (const char *server, GError **error);
void ks_rest_free (KsRest *rest);
/* The server URL without a trailing slash.  Borrowed. */
const char *ks_rest_get_server (KsRest *rest);

/* The path of a kind's collection in namespace ns (all namespaces, or cluster-scoped, when NULL)
 * or of one object (name not NULL) and its subresource (sub not NULL):
 * "/apis/apps/v1/namespaces/default/deployments/web/scale".  Newly allocated. */
char *ks_rest_path (const KsKind *kind, const char *ns, const char *name, const char *sub);

/* One request: method on path (with its query, already escaped), with body of content_type
 * when not NULL.  Returns the JSON answer of a 2xx status (an object; a 2xx answer that is not
 * JSON is KS_REST_ERROR_BAD_RESPONSE), or NULL with error. */
JsonNode *ks_rest_request (KsRest *rest, const char *method, const char *path,
                           const char *content_type, const char *body, GError **error);

/* GET path and return the answer's body as a stream, read while the server writes it (logs,
 * watches).  A non-2xx answer is read whole and turned into the error.  cancellable may be
 * NULL. */
GInputStream *ks_rest_open (KsRest *rest, const char *path, GCancellable *cancellable,
                            GError **error);

/* A watch stream (GET ...?watch=true...): one WatchEvent per line. */
typedef struct _KsRestWatch KsRestWatch;

KsRestWatch *ks_rest_watch_open (KsRest *rest, const char *path, GCancellable *cancellable,
                                 GError **error);
/* The next event: its type ("ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR") and object
 * (new references).  FALSE at the end of the stream (error unset) or on a read or parse error
 * (error set). */
gboolean ks_rest_watch_next (KsRestWatch *watch, char **type, JsonNode **object, GError **error);
void ks_rest_watch_free (KsRestWatch *watch);

/* Helpers on JSON trees. */
JsonObject *ks_json_get_object (JsonNode *node, const char *path);
const char *ks_json_get_string (JsonNode *node, const char *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsRest, ks_rest_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsRestWatch, ks_rest_watch_free)

G_END_DECLS
