/* ks-yaml-emit.h: writing json-glib trees as YAML and as indented JSON, the way kubectl prints
 * objects with -o yaml and -o json.
 *
 * kubectl converts objects to generic maps before printing, so both outputs have every mapping's
 * keys in sorted (byte) order.  YAML is written by libyaml in block style with sequences inside
 * mappings not indented ("containers:\n- name: a"), empty mappings and sequences as {} and [],
 * strings that would read back as another type quoted ("1", "true", and timestamps such as
 * "2025-01-01T00:00:05Z", which go-yaml v2 types as timestamps), multi-line strings as
 * literal blocks.  JSON is Go's json.MarshalIndent with four spaces: "key": value, and <, > and &
 * escaped as \u003c, \u003e and \u0026. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Append node as one YAML document (no "---" line) to out. */
void ks_yaml_emit (JsonNode *node, GString *out);
/* Append node as indented JSON and a newline to out. */
void ks_json_emit_indented (JsonNode *node, GString *out);
/* Append node as compact JSON (Go's json.Marshal: sorted keys, no spaces, the same escapes),
 * without a newline. */
void ks_json_emit_compact (JsonNode *node, GString *out);

/* How ks_json_append_string escapes beyond JSON's must (", \ and control characters). */
typedef enum
{
  KS_JSON_ESCAPE_PLAIN = 0,
  /* A byte that does not start a valid UTF-8 sequence becomes \ufffd (Go's encoding/json);
   * without it bytes >= 0x80 are copied as they are. */
  KS_JSON_ESCAPE_UTF8 = 1 << 0,
  /* <, > and & as \u003c, \u003e and \u0026 (Go's json.Marshal default). */
  KS_JSON_ESCAPE_HTML = 1 << 1,
} KsJsonEscape;

/* Append s (not NULL) to out as a JSON string, with its quotes. */
void ks_json_append_string (GString *out, const char *s, KsJsonEscape flags);

G_END_DECLS
