/* ks-api-select.h: the labelSelector and fieldSelector query parameters of list and watch.
 *
 * Label selectors use Kubernetes' string syntax: "a=b", "a==b", "a!=b", "a in (x,y)",
 * "a notin (x)", "a", "!a", "a>3", "a<3", joined by commas (all must hold).  Field selectors are
 * "f=v", "f==v", "f!=v" joined by commas, over the fields Kubernetes supports for the kind
 * (metadata.name and metadata.namespace for every kind; spec.nodeName, status.phase, ... for
 * pods; the table is in ks-api-select.c and docs/real-mode.md); other fields are refused with
 * Kubernetes' message "field label not supported: <f>". */
#pragma once

#include "src/api/ks-object.h"

G_BEGIN_DECLS

typedef struct _KsApiSelector KsApiSelector;

/* A selector for objects of kind from the two query values (NULL or "" select everything).
 * NULL with error (KS_STORE_ERROR_BAD_REQUEST, Kubernetes' message) when one does not parse. */
KsApiSelector *ks_api_selector_new (const KsKind *kind, const char *label_selector,
                                    const char *field_selector, GError **error);
void ks_api_selector_free (KsApiSelector *selector);

/* TRUE when obj (of the selector's kind) satisfies both selectors. */
gboolean ks_api_selector_matches (const KsApiSelector *selector, const KsObject *obj);

/* TRUE when the selector selects everything. */
gboolean ks_api_selector_is_empty (const KsApiSelector *selector);

/* The value of field (e.g. "spec.nodeName") of obj as a field selector sees it ("" when unset),
 * or NULL when kind has no such selectable field.  Newly allocated. */
char *ks_api_field_value (const KsObject *obj, const char *field);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsApiSelector, ks_api_selector_free)

G_END_DECLS
