/* ks-yaml.h: YAML and JSON documents read with libyaml into json-glib trees that remember where
 * every node came from, so that decoders can report file:line:column.
 *
 * One decoder serves YAML and JSON (JSON is read as YAML flow style).  Plain scalars are typed
 * the way sigs.k8s.io/yaml (go-yaml v2, YAML 1.1) types them, because that is what kubectl
 * does: null, booleans (true/false/yes/no/on/off/y/n in their case variants), integers, floats,
 * else strings.  Quoted scalars are always strings.  Anchors, aliases and merge keys work.
 * Empty documents (only comments, or a lone "---") are skipped.  ks-yaml.c's opening comment has
 * the typing rules in full, and where they differ from kubectl's.
 *
 * The trees belong to the source: do not modify them (positions are looked up by node, and a
 * string node's text is its own value).  Every node's parent is set (json_node_get_parent()).
 * Integers that do not fit a gint64 are stored as doubles; their text keeps every digit.  An
 * alias is a deep copy of the anchored node and reports the anchored node's positions; members
 * brought in by a merge key report where they were written. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define KS_YAML_ERROR (ks_yaml_error_quark ())
GQuark ks_yaml_error_quark (void);

typedef enum
{
  KS_YAML_ERROR_IO,     /* the file could not be read */
  KS_YAML_ERROR_SYNTAX, /* not well-formed YAML/JSON, a duplicate key, an unknown tag, ... */
} KsYamlError;

typedef struct _KsSource KsSource;

/* Read and parse a file.  On failure returns NULL and sets error; the message starts with
 * "file:line:column: " for syntax errors and names the file for I/O errors. */
KsSource *ks_source_new_from_file (const char *path, GError **error);

/* Parse a buffer; name is used in positions and messages (e.g. "<stdin>").  length -1 means
 * NUL-terminated. */
KsSource *ks_source_new_from_data (const char *name, const char *data, gssize length,
                                   GError **error);

KsSource *ks_source_ref (KsSource *source);
void ks_source_unref (KsSource *source);

/* The name given at creation (the path for files).  Borrowed. */
const char *ks_source_get_name (KsSource *source);

/* Whether s, written as a plain scalar, reads back as a string (not null, a boolean or a number)
 * by the typing rules above.  For writers of YAML, which must quote the other strings. */
gboolean ks_yaml_plain_is_string (const char *s);

/* Number of non-empty documents, and document i (borrowed, owned by the source). */
guint ks_source_get_n_documents (KsSource *source);
JsonNode *ks_source_get_document (KsSource *source, guint index);

/* Where node (any node of this source's trees) starts, 1-based, with columns counted in
 * characters.  For a mapping member this is the position of its value.  A node with an anchor or
 * tag starts at the first of them; a block mapping at its first key, a block sequence at its
 * first "-".  Returns FALSE (and 0s) for nodes not from this source.  line and column may be
 * NULL. */
gboolean ks_source_get_position (KsSource *source, JsonNode *node, guint *line, guint *column);

/* The position of the key of member name in the mapping node object_node, 1-based.  Returns
 * FALSE (and 0s) when object_node is not a mapping of this source or has no such member. */
gboolean ks_source_get_key_position (KsSource *source, JsonNode *object_node, const char *name,
                                     guint *line, guint *column);

/* The text of a scalar node as written in the file (after YAML unquoting/folding, before typing):
 * for "cpu: 0.1" the text "0.1" even though the node is a double.  NULL for mappings and
 * sequences, and for nodes not from this source.  Borrowed. */
const char *ks_source_get_text (KsSource *source, JsonNode *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsSource, ks_source_unref)

G_END_DECLS
