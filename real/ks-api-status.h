/* ks-api-status.h: what the API server and the HTTP client agree on about errors: the HTTP
 * code and Status reason of each KsStoreError code (both ways), and Status objects. */
#pragma once

#include <json-glib/json-glib.h>

#include "src/store/ks-store.h"

G_BEGIN_DECLS

/* The HTTP code and reason the API answers for a store error code (404 NotFound, ...). */
guint ks_api_store_error_code (KsStoreError code);
const char *ks_api_store_error_reason (KsStoreError code);

/* The store error code of a Status reason; FALSE for reasons with no store code (InternalError,
 * Expired, MethodNotAllowed, ...). */
gboolean ks_api_store_error_from_reason (const char *reason, KsStoreError *out);

/* One entry of a Status' details.causes. */
typedef struct
{
  const char *reason; /* "FieldValueInvalid", ... */
  const char *message;
  const char *field; /* "spec.replicas", or NULL: omitted (eviction's DisruptionBudget) */
} KsApiCause;

/* A Status object ({"kind":"Status","apiVersion":"v1","metadata":{},"status":...}) as compact
 * JSON, members in Kubernetes' order.  status is "Failure" or "Success"; reason, message, the
 * details' name, group, kind and uid may be NULL (omitted); details are printed when
 * with_details (then "{}" when all are unset); code 0 is omitted.  Newly allocated. */
char *ks_api_status_json (const char *status, guint code, const char *reason, const char *message,
                          gboolean with_details, const char *name, const char *group,
                          const char *kind, const char *uid, const KsApiCause *causes,
                          guint n_causes);

G_END_DECLS
