/* ks-match-cache.h: a small direct-mapped cache of match results keyed by pointers, for the
 * plugins that match label selectors and affinity terms against every pod of the cluster in one
 * cycle (PodTopologySpread, InterPodAffinity).  Pods of one template share their label map, and
 * their affinity terms, so a result is computed once per cycle for all of them.
 *
 * A key is up to three pointers: typically a term or selector, a label map and a namespace.  The
 * cache holds a reference on each label map it keeps, so that a freed map's address cannot come
 * back with another content while it is in the cache. */
#pragma once

#include "src/api/ks-strmap.h"

G_BEGIN_DECLS

#define KS_MATCH_CACHE_SIZE 64

typedef struct
{
  gconstpointer a;
  KsStrMap *labels;
  gconstpointer c;
  guint64 value;
  gboolean used;
} KsMatchCacheEntry;

typedef struct
{
  KsMatchCacheEntry e[KS_MATCH_CACHE_SIZE];
} KsMatchCache;

static inline KsMatchCacheEntry *
ks_match_cache_slot (KsMatchCache *mc, gconstpointer a, const KsStrMap *labels, gconstpointer c)
{
  guintptr h = (guintptr) a * 31 + (guintptr) labels * 17 + (guintptr) c;

  h ^= h >> 6;
  h ^= h >> 13;
  return &mc->e[h % KS_MATCH_CACHE_SIZE];
}

/* The value cached for (a, labels, c): TRUE and *value, or FALSE when it is not there. */
static inline gboolean
ks_match_cache_get (KsMatchCache *mc, gconstpointer a, const KsStrMap *labels, gconstpointer c,
                    guint64 *value)
{
  KsMatchCacheEntry *e = ks_match_cache_slot (mc, a, labels, c);

  if (!e->used || e->a != a || e->labels != labels || e->c != c)
    return FALSE;
  *value = e->value;
  return TRUE;
}

/* Keep value for (a, labels, c), replacing what shared its slot. */
static inline void
ks_match_cache_put (KsMatchCache *mc, gconstpointer a, KsStrMap *labels, gconstpointer c,
                    guint64 value)
{
  KsMatchCacheEntry *e = ks_match_cache_slot (mc, a, labels, c);

  if (e->labels != labels)
    {
      ks_str_map_unref (e->labels);
      e->labels = ks_str_map_ref (labels);
    }
  e->a = a;
  e->c = c;
  e->value = value;
  e->used = TRUE;
}

/* Drop every entry (and the references). */
static inline void
ks_match_cache_clear (KsMatchCache *mc)
{
  for (guint i = 0; i < KS_MATCH_CACHE_SIZE; i++)
    {
      ks_str_map_unref (mc->e[i].labels);
      mc->e[i].labels = NULL;
      mc->e[i].used = FALSE;
    }
}

G_END_DECLS
