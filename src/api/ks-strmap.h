/* ks-strmap.h: immutable, reference-counted string→string maps (labels, annotations,
 * nodeSelector), sorted by key.
 *
 * Maps are shared, never modified: every pod made from one template points at the template's
 * label map.  "Changing" a map makes a new one.  NULL is a valid empty map everywhere. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _KsStrMap KsStrMap;

/* A map from n key/value pairs (keys[i] → values[i]).  Later duplicates win.  Returns NULL
 * when n is 0.  The strings are copied. */
KsStrMap *ks_str_map_new (const char *const *keys, const char *const *values, guint n);
/* A map from a NULL-terminated list of key, value, key, value, ... */
KsStrMap *ks_str_map_new_pairs (const char *first_key, ...) G_GNUC_NULL_TERMINATED;

KsStrMap *ks_str_map_ref (KsStrMap *map);
void ks_str_map_unref (KsStrMap *map);

guint ks_str_map_size (const KsStrMap *map);
/* Entry i in key order.  Borrowed. */
const char *ks_str_map_key (const KsStrMap *map, guint index);
const char *ks_str_map_value (const KsStrMap *map, guint index);
/* The value for key, or NULL.  Binary search. */
const char *ks_str_map_lookup (const KsStrMap *map, const char *key);
gboolean ks_str_map_contains (const KsStrMap *map, const char *key);

/* A new map: map with key set to value (value NULL removes key).  Returns a new reference
 * (possibly to map itself when nothing changes). */
KsStrMap *ks_str_map_with (KsStrMap *map, const char *key, const char *value);

gboolean ks_str_map_equal (const KsStrMap *a, const KsStrMap *b);
/* TRUE when every entry of sub is in map. */
gboolean ks_str_map_is_subset (const KsStrMap *sub, const KsStrMap *map);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsStrMap, ks_str_map_unref)

G_END_DECLS
