/* ks-strmap.c: immutable sorted string maps in one allocation each. */
#include "config.h"

#include <string.h>

#include "ks-strmap.h"

struct _KsStrMap
{
  gint ref_count;
  guint n;
  const char *kv[]; /* kv[2i] key, kv[2i+1] value; the strings follow the array */
};

typedef struct
{
  const char *key;
  const char *value;
  guint order;
} Pair;

static int
pair_cmp (const void *a, const void *b)
{
  const Pair *pa = a, *pb = b;
  int c = strcmp (pa->key, pb->key);
  if (c != 0)
    return c;
  return pa->order < pb->order ? -1 : pa->order > pb->order;
}

static KsStrMap *
build (Pair *pairs, guint n)
{
  gsize text = 0;
  guint m = 0;
  KsStrMap *map;
  char *p;

  qsort (pairs, n, sizeof (Pair), pair_cmp);
  /* Keep the last of each run of equal keys. */
  for (guint i = 0; i < n; i++)
    {
      if (i + 1 < n && strcmp (pairs[i].key, pairs[i + 1].key) == 0)
        continue;
      if (pairs[i].value == NULL)
        continue;
      pairs[m++] = pairs[i];
    }
  if (m == 0)
    return NULL;
  for (guint i = 0; i < m; i++)
    text += strlen (pairs[i].key) + strlen (pairs[i].value) + 2;
  map = g_malloc (sizeof (KsStrMap) + 2 * m * sizeof (char *) + text);
  map->ref_count = 1;
  map->n = m;
  p = (char *) &map->kv[2 * m];
  for (guint i = 0; i < m; i++)
    {
      gsize lk = strlen (pairs[i].key) + 1, lv = strlen (pairs[i].value) + 1;
      memcpy (p, pairs[i].key, lk);
      map->kv[2 * i] = p;
      p += lk;
      memcpy (p, pairs[i].value, lv);
      map->kv[2 * i + 1] = p;
      p += lv;
    }
  return map;
}

KsStrMap *
ks_str_map_new (const char *const *keys, const char *const *values, guint n)
{
  g_autofree Pair *pairs = NULL;

  if (n == 0)
    return NULL;
  pairs = g_new (Pair, n);
  for (guint i = 0; i < n; i++)
    pairs[i] = (Pair){ keys[i], values[i], i };
  return build (pairs, n);
}

KsStrMap *
ks_str_map_new_pairs (const char *first_key, ...)
{
  g_autoptr (GPtrArray) keys = g_ptr_array_new ();
  g_autoptr (GPtrArray) values = g_ptr_array_new ();
  va_list args;
  const char *key;

  va_start (args, first_key);
  for (key = first_key; key != NULL; key = va_arg (args, const char *))
    {
      g_ptr_array_add (keys, (gpointer) key);
      g_ptr_array_add (values, (gpointer) va_arg (args, const char *));
    }
  va_end (args);
  return ks_str_map_new ((const char *const *) keys->pdata, (const char *const *) values->pdata,
                         keys->len);
}

KsStrMap *
ks_str_map_ref (KsStrMap *map)
{
  if (map != NULL)
    map->ref_count++;
  return map;
}

void
ks_str_map_unref (KsStrMap *map)
{
  if (map != NULL && --map->ref_count == 0)
    g_free (map);
}

guint
ks_str_map_size (const KsStrMap *map)
{
  return map != NULL ? map->n : 0;
}

const char *
ks_str_map_key (const KsStrMap *map, guint index)
{
  g_return_val_if_fail (map != NULL && index < map->n, NULL);
  return map->kv[2 * index];
}

const char *
ks_str_map_value (const KsStrMap *map, guint index)
{
  g_return_val_if_fail (map != NULL && index < map->n, NULL);
  return map->kv[2 * index + 1];
}

const char *
ks_str_map_lookup (const KsStrMap *map, const char *key)
{
  guint lo = 0, hi;

  if (map == NULL)
    return NULL;
  hi = map->n;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      int c = strcmp (key, map->kv[2 * mid]);
      if (c == 0)
        return map->kv[2 * mid + 1];
      if (c < 0)
        hi = mid;
      else
        lo = mid + 1;
    }
  return NULL;
}

gboolean
ks_str_map_contains (const KsStrMap *map, const char *key)
{
  return ks_str_map_lookup (map, key) != NULL;
}

KsStrMap *
ks_str_map_with (KsStrMap *map, const char *key, const char *value)
{
  const char *old = ks_str_map_lookup (map, key);
  guint n = ks_str_map_size (map);
  g_autofree Pair *pairs = NULL;

  if (g_strcmp0 (old, value) == 0)
    return ks_str_map_ref (map);
  pairs = g_new (Pair, n + 1);
  for (guint i = 0; i < n; i++)
    pairs[i] = (Pair){ map->kv[2 * i], map->kv[2 * i + 1], i };
  pairs[n] = (Pair){ key, value, n };
  return build (pairs, n + 1);
}

gboolean
ks_str_map_equal (const KsStrMap *a, const KsStrMap *b)
{
  guint n = ks_str_map_size (a);

  if (a == b)
    return TRUE;
  if (n != ks_str_map_size (b))
    return FALSE;
  for (guint i = 0; i < 2 * n; i++)
    if (strcmp (a->kv[i], b->kv[i]) != 0)
      return FALSE;
  return TRUE;
}

gboolean
ks_str_map_is_subset (const KsStrMap *sub, const KsStrMap *map)
{
  for (guint i = 0; i < ks_str_map_size (sub); i++)
    if (g_strcmp0 (ks_str_map_lookup (map, sub->kv[2 * i]), sub->kv[2 * i + 1]) != 0)
      return FALSE;
  return TRUE;
}
