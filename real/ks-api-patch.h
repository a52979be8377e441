/* ks-api-patch.h: the three patch formats of Kubernetes' PATCH verb, applied to JSON trees.
 *
 * - JSON merge patch (RFC 7386, application/merge-patch+json): mappings merge recursively, null
 *   removes a member, anything else (lists included) replaces.
 * - Strategic merge patch (application/strategic-merge-patch+json): a merge patch whose lists
 *   of known fields merge element by element on a merge key (containers and env by name, ports
 *   by containerPort, conditions by type, ...), with the directives $patch (delete, replace),
 *   $setElementOrder/<list>, $deleteFromPrimitiveList/<list> and $retainKeys.  The keys come
 *   from a table of field names (docs/real-mode.md lists it), not from a schema.
 * - JSON patch (RFC 6902, application/json-patch+json): add, remove, replace, move, copy, test.
 *
 * Each returns a new tree and leaves doc and patch unchanged. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define KS_PATCH_ERROR (ks_patch_error_quark ())
GQuark ks_patch_error_quark (void);

typedef enum
{
  KS_PATCH_ERROR_BAD_PATCH, /* the patch document is malformed (the API answers 400) */
  KS_PATCH_ERROR_FAILED,    /* well-formed but does not apply to doc (422) */
} KsPatchError;

typedef enum
{
  KS_PATCH_JSON,      /* application/json-patch+json */
  KS_PATCH_MERGE,     /* application/merge-patch+json */
  KS_PATCH_STRATEGIC, /* application/strategic-merge-patch+json */
} KsPatchType;

/* The patch type of a Content-Type header value (parameters ignored); FALSE when it is none of
 * the three. */
gboolean ks_patch_type_from_content_type (const char *content_type, KsPatchType *out);

/* Apply patch of type to doc.  kind (the object's kind name, e.g. "Service") selects merge keys
 * that depend on it (a Service's ports merge on port, a container's on containerPort); NULL
 * for none.  Returns a new tree, or NULL with error. */
JsonNode *ks_patch_apply (KsPatchType type, JsonNode *doc, JsonNode *patch, const char *kind,
                          GError **error);

G_END_DECLS
