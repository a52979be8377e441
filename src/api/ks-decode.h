/* ks-decode.h: helpers for decoding json-glib trees (from KsSource) into C structs with precise
 * error reports.
 *
 * A KsDecoder carries the source (for positions), the diagnostics list and the current field
 * path ("spec.template.spec.containers[0].resources.requests.cpu").  Every getter reports a
 * wrong type or invalid value as a problem at the node's position and keeps going, so one pass
 * reports everything.  Getters return FALSE when they reported a problem; absent and null
 * members are not problems (the output is left unchanged). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "ks-diag.h"
#include "ks-strmap.h"
#include "ks-yaml.h"

G_BEGIN_DECLS

/* The default Unix epoch of cluster time 0 in µs: 2025-01-01T00:00:00Z (sim); real mode uses 0. */
#define KS_DEFAULT_EPOCH G_GINT64_CONSTANT (1735689600000000)

/* What a document is.  A manifest is what a user writes: server-set metadata (uid,
 * resourceVersion, creationTimestamp, ...) and status are ignored, as the API server ignores them
 * on create.  A stored object is what the API server returns or a store backend saved: those
 * fields are read too, so that encode and decode are inverses. */
typedef enum
{
  KS_DECODE_MANIFEST,
  KS_DECODE_STORED,
} KsDecodeMode;

typedef struct
{
  KsSource *source; /* may be NULL for trees built in code (no positions then) */
  KsDiag *diag;
  GString *path;
  KsDecodeMode mode; /* KS_DECODE_MANIFEST after init */
  gint64 epoch;      /* Unix µs of cluster time 0, for timestamps: KS_DEFAULT_EPOCH after init */
} KsDecoder;

/* A decoder for manifests (set mode and epoch afterwards for stored objects). */
void ks_decoder_init (KsDecoder *dec, KsSource *source, KsDiag *diag);
void ks_decoder_clear (KsDecoder *dec);

/* Extend the path by a field name or an index; returns a mark for ks_decoder_pop. */
gsize ks_decoder_push (KsDecoder *dec, const char *field);
gsize ks_decoder_push_index (KsDecoder *dec, guint index);
void ks_decoder_pop (KsDecoder *dec, gsize mark);

/* The number of problems so far (to tell whether a sub-decode failed). */
guint ks_decoder_n_errors (KsDecoder *dec);

/* Report a problem at node (the current path). */
void ks_decoder_error (KsDecoder *dec, JsonNode *at, const char *format, ...) G_GNUC_PRINTF (3, 4);
/* Report a problem about member field of the mapping node obj (path extended by field;
 * position of the member's value if present, else of obj). */
void ks_decoder_error_field (KsDecoder *dec, JsonNode *obj, const char *field, const char *format,
                             ...) G_GNUC_PRINTF (4, 5);

/* Type checks with a report: "expected a mapping, got a string". */
gboolean ks_decoder_expect_object (KsDecoder *dec, JsonNode *node);
gboolean ks_decoder_expect_array (KsDecoder *dec, JsonNode *node);
const char *ks_decoder_node_type_name (JsonNode *node);

/* Report every member of the mapping obj that is not in the NULL-terminated allowed list
 * ("unknown field "x"; valid fields: ..."), at the member's key.  For kubesim's own formats,
 * which are strict (Kubernetes manifests ignore unknown fields instead). */
void ks_decoder_check_fields (KsDecoder *dec, JsonNode *obj, const char *const *allowed);

/* Decode one mapping of a list into slot (zeroed).  Return TRUE to keep it; on FALSE free what
 * was put in slot (it is zeroed again and reused). */
typedef gboolean (*KsDecodeItemFunc) (KsDecoder *dec, JsonNode *item, gpointer slot,
                                      gpointer user_data);

/* Decode the list node (the path already names it) into a new array of items of size bytes:
 * item is called for each element that is a mapping, with the path extended by "[i]"; other
 * elements are reported.  Returns the array (at least one zeroed item; g_free it) with the number
 * of kept items in *n_out, or NULL (and 0) after reporting that node is not a list. */
gpointer ks_decoder_list (KsDecoder *dec, JsonNode *node, gsize size, KsDecodeItemFunc item,
                          gpointer user_data, guint *n_out);

/* The member's node, or NULL when obj has no such member or it is null. */
JsonNode *ks_decoder_member (JsonNode *obj, const char *field);

/* A required string member: "required field is missing" (then hint, e.g. " (the node's name)")
 * when absent or null, a type problem otherwise; FALSE after a report. */
gboolean ks_decoder_require_string (KsDecoder *dec, JsonNode *obj, const char *field, char **out,
                                    const char *hint);

/* Typed members.  obj must be a mapping node.  The path is extended by field for reports. */
gboolean ks_decoder_get_string (KsDecoder *dec, JsonNode *obj, const char *field, char **out);
gboolean ks_decoder_get_int64 (KsDecoder *dec, JsonNode *obj, const char *field, gint64 *out);
/* An int32 in [min, max]. */
gboolean ks_decoder_get_int32 (KsDecoder *dec, JsonNode *obj, const char *field, gint32 min,
                               gint32 max, gint32 *out);
gboolean ks_decoder_get_bool (KsDecoder *dec, JsonNode *obj, const char *field, gboolean *out);
/* A mapping of strings to strings. */
gboolean ks_decoder_get_str_map (KsDecoder *dec, JsonNode *obj, const char *field, KsStrMap **out);
/* A sequence of strings. */
gboolean ks_decoder_get_strv (KsDecoder *dec, JsonNode *obj, const char *field, char ***out);
/* A string that must be one of the NULL-terminated choices; *out is its index. */
gboolean ks_decoder_get_enum (KsDecoder *dec, JsonNode *obj, const char *field,
                              const char *const *choices, int *out);
/* A Go duration string ("90s"), in microseconds. */
gboolean ks_decoder_get_duration (KsDecoder *dec, JsonNode *obj, const char *field, gint64 *out);

/* Parse an RFC 3339 time, as metav1.Time and MicroTime are written ("2025-01-01T00:00:05Z",
 * "2025-01-01T00:00:05.123456Z", offsets such as "+02:00"), into µs of cluster time, epoch being
 * the Unix time in µs of cluster time 0.  Digits beyond microseconds are dropped.  Go's zero time
 * "0001-01-01T00:00:00Z", which stands for an unset time, gives KS_TIME_NONE.  FALSE when text is
 * not such a time (*out unchanged). */
gboolean ks_time_parse_rfc3339 (const char *text, gint64 epoch, gint64 *out);
/* A time member as above, converted with dec->epoch. */
gboolean ks_decoder_get_time (KsDecoder *dec, JsonNode *obj, const char *field, gint64 *out);

/* Scalars themselves (the path must already point at node). */
gboolean ks_decoder_string (KsDecoder *dec, JsonNode *node, char **out);
/* A quantity (string or number, read from its text as written), as milli or plain value. */
gboolean ks_decoder_quantity_milli (KsDecoder *dec, JsonNode *node, gint64 *out);
gboolean ks_decoder_quantity_value (KsDecoder *dec, JsonNode *node, gint64 *out);
gboolean ks_decoder_duration (KsDecoder *dec, JsonNode *node, gint64 *out);

/* The text of a scalar as written in the source (or its JSON rendering for code-built trees).
 * Returns a newly allocated string, or NULL for non-scalars. */
char *ks_decoder_scalar_text (KsDecoder *dec, JsonNode *node);

/* Name validation as Kubernetes does it; each returns NULL when valid or a static description of
 * what is valid. */
const char *ks_validate_dns1123_subdomain (const char *name);
const char *ks_validate_dns1123_label (const char *name);
const char *ks_validate_label_key (const char *key);
const char *ks_validate_label_value (const char *value);
/* IsValidPortName: at most 15 characters of a-z, 0-9 and '-', at least one letter, no "--", not
 * starting or ending with '-'.  Returns Kubernetes' message for the first rule broken. */
const char *ks_validate_port_name (const char *name);

G_END_DECLS
