/* ks-kubectl-private.h: what the kubectl-like commands (ks-kubectl*.c) share: output, errors,
 * resource arguments, requests and manifests. */
#pragma once

#include "ks-kubectl.h"
#include "ks-rest.h"
#include "src/api/ks-object.h"
#include "src/api/ks-yaml.h"

G_BEGIN_DECLS

struct _KsKubectl
{
  KsRest *rest;
  char *namespace;
  gboolean namespace_explicit; /* -n was given: manifests must agree with it */
  GOutputStream *out;
  GOutputStream *err;
  gint64 now; /* 0: the real time */
  GCancellable *cancellable;
};

/* ---- output ---- */

void kc_out (KsKubectl *k, const char *format, ...) G_GNUC_PRINTF (2, 3);
void kc_err (KsKubectl *k, const char *format, ...) G_GNUC_PRINTF (2, 3);
void kc_out_text (KsKubectl *k, const char *text, gssize len);
/* The time for ages, µs since the Unix epoch. */
gint64 kc_now (KsKubectl *k);

/* Print an error as kubectl's CheckErr does: a server Status as "Error from server (Reason):
 * message" (Invalid as "The Kind \"name\" is invalid: field: message"), a connection failure
 * as its message, anything else as "error: message". */
void kc_print_error (KsKubectl *k, const GError *error);
/* The same, with kubectl's AddSourceToErr: a Status' message becomes "error when VERB
 * \"SOURCE\": message" (source NULL: unchanged). */
void kc_print_error_with_source (KsKubectl *k, const GError *error, const char *verb,
                                 const char *source);
/* Print "error: " and the message; return KS_KUBECTL_USAGE. */
int kc_usage (KsKubectl *k, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* The exit status for a failed request: 2 for bad input, else 1. */
int kc_status_for (const GError *error);

/* ---- resources ---- */

/* The kind a TYPE argument names ("po", "deployments.apps", "Deployment"); NULL with an error
 * (kubectl's "the server doesn't have a resource type ...") otherwise. */
const KsKind *kc_lookup_type (const char *type, GError **error);

typedef struct
{
  const KsKind *kind;
  char *name; /* NULL: the collection */
} KcRequest;

/* The requests of resource arguments, in order; *single_item is set when they name exactly
 * one object (kubectl prints it alone rather than in a List).  NULL with error (bad usage). */
GArray *kc_parse_args (char **args, gboolean *single_item, GError **error);
void kc_requests_free (GArray *requests);

/* "deployment.apps" (kubectl's kind string) and "deployments.apps" (a resource). */
char *kc_kind_string (const KsKind *kind);
char *kc_resource_string (const KsKind *kind);

/* ---- requests ---- */

/* The namespace to use for kind: NULL for cluster-scoped kinds. */
const char *kc_namespace_for (KsKubectl *k, const KsKind *kind);
JsonNode *kc_get (KsKubectl *k, const KsKind *kind, const char *ns, const char *name,
                  GError **error);
/* The List answer of a collection (ns NULL: every namespace), with the selectors (may be NULL). */
JsonNode *kc_list (KsKubectl *k, const KsKind *kind, const char *ns, const char *label_selector,
                   const char *field_selector, GError **error);
/* The items of a List answer, each with kind and apiVersion set.  Borrowed nodes. */
GPtrArray *kc_list_items (JsonNode *list, const KsKind *kind);
/* Decode an object as the server returned it (stored mode, epoch 0). */
KsObject *kc_decode (JsonNode *node, GError **error);

/* ---- manifests ---- */

typedef struct
{
  KsSource *source;
  JsonNode *doc;           /* the document (borrowed from source) */
  KsObject *object;        /* decoded as a manifest */
  const char *source_name; /* "f.yaml", "STDIN" (borrowed from source) */
  char *namespace;         /* NULL for cluster-scoped kinds */
} KcManifest;

/* The objects of files (apply -f, delete -f; verb for "no objects passed to VERB").  Every
 * problem of every document is printed with its position and NULL is returned (then exit 2). */
GPtrArray *kc_read_manifests (KsKubectl *k, char **files, gboolean recursive, const char *verb);

/* ---- waits ---- */

/* Wait until the object of kind ns/name whose UID is uid (NULL: any) is gone, watching it;
 * timeout µs.  FALSE with error on a timeout ("timed out waiting for the condition on ...") or
 * a failed request. */
gboolean kc_wait_deleted (KsKubectl *k, const KsKind *kind, const char *ns, const char *name,
                          const char *uid, gint64 timeout, GError **error);

G_END_DECLS
