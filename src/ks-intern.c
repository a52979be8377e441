/* ks-intern.c: the process's table of interned strings. */
#include "config.h"

#include "ks-intern.h"

/* Never freed: interned strings live as long as the process, as GLib's do. */
static GHashTable *table;
static GStringChunk *chunk;

const char *
ks_intern (const char *s)
{
  const char *found;

  if (s == NULL)
    return NULL;
  if (G_UNLIKELY (table == NULL))
    {
      table = g_hash_table_new (g_str_hash, g_str_equal);
      chunk = g_string_chunk_new (64 * 1024);
    }
  found = g_hash_table_lookup (table, s);
  if (found == NULL)
    {
      found = g_string_chunk_insert (chunk, s);
      g_hash_table_add (table, (gpointer) found);
    }
  return found;
}
