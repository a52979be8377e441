/* ks-node-memo.c: per-node results kept from one scheduling cycle to the next
 * (ks-node-memo.h). */
#include "config.h"

#include <string.h>

#include "ks-node-memo.h"

typedef struct
{
  const KsNodeInfo *node; /* the view the entries came from (compared, never read) */
  guint64 generation;
  KsNodeEntry *entries;
  guint n_entries;
} Slot;

struct _KsNodeMemo
{
  gpointer sums;
  KsNodeMemoApply apply;
  GDestroyNotify free_sums;
  Slot *slots; /* by position in the node list */
  guint n_slots;
  GArray *scratch; /* KsNodeEntry */
};

KsNodeMemo *
ks_node_memo_new (gpointer sums, KsNodeMemoApply apply, GDestroyNotify free_sums)
{
  KsNodeMemo *m = g_new0 (KsNodeMemo, 1);

  m->sums = sums;
  m->apply = apply;
  m->free_sums = free_sums;
  m->scratch = g_array_new (FALSE, FALSE, sizeof (KsNodeEntry));
  return m;
}

void
ks_node_memo_free (KsNodeMemo *m)
{
  if (m == NULL)
    return;
  for (guint i = 0; i < m->n_slots; i++)
    g_free (m->slots[i].entries);
  g_free (m->slots);
  g_array_unref (m->scratch);
  if (m->free_sums != NULL)
    m->free_sums (m->sums);
  g_free (m);
}

gpointer
ks_node_memo_get_sums (KsNodeMemo *m)
{
  return m->sums;
}

static void
slot_forget (KsNodeMemo *m, Slot *s)
{
  if (s->n_entries > 0)
    m->apply (m->sums, s->entries, s->n_entries, -1);
  g_clear_pointer (&s->entries, g_free);
  s->n_entries = 0;
  s->node = NULL;
  s->generation = 0;
}

void
ks_node_memo_refresh (KsNodeMemo *m, KsNodeInfo *const *nodes, guint n, KsNodeMemoCompute compute,
                      gpointer data)
{
  if (n > m->n_slots)
    {
      m->slots = g_renew (Slot, m->slots, n);
      memset (m->slots + m->n_slots, 0, (n - m->n_slots) * sizeof (Slot));
      m->n_slots = n;
    }
  for (guint i = 0; i < n; i++)
    {
      Slot *s = &m->slots[i];
      const KsNodeInfo *ni = nodes[i];
      if (s->node == ni && s->generation == ni->generation && ni->generation != 0)
        continue;
      slot_forget (m, s);
      g_array_set_size (m->scratch, 0);
      compute (data, ni, m->scratch);
      s->node = ni;
      s->generation = ni->generation;
      if (m->scratch->len > 0)
        {
          s->n_entries = m->scratch->len;
          s->entries = g_memdup2 (m->scratch->data, s->n_entries * sizeof (KsNodeEntry));
          m->apply (m->sums, s->entries, s->n_entries, +1);
        }
    }
  /* Nodes gone from the end of the list. */
  for (guint i = n; i < m->n_slots; i++)
    slot_forget (m, &m->slots[i]);
  m->n_slots = MIN (m->n_slots, n);
}

const KsNodeEntry *
ks_node_memo_node_entries (KsNodeMemo *m, const KsNodeInfo *ni, guint *n)
{
  const Slot *s;

  *n = 0;
  if (ni->index >= m->n_slots || ni->generation == 0)
    return NULL;
  s = &m->slots[ni->index];
  if (s->node != ni || s->generation != ni->generation)
    return NULL;
  *n = s->n_entries;
  return s->entries;
}

/* Memo sets */

static void
slot_clear (KsNodeMemoSlot *s)
{
  for (guint k = 0; k < 4; k++)
    if (s->free_key[k] != NULL && s->key[k] != NULL)
      s->free_key[k]((gpointer) s->key[k]);
  ks_node_memo_free (s->memo);
  memset (s, 0, sizeof *s);
}

KsNodeMemo *
ks_node_memo_set_lookup (KsNodeMemoSet *set, const gconstpointer key[4])
{
  for (guint i = 0; i < KS_NODE_MEMO_SLOTS; i++)
    {
      KsNodeMemoSlot *s = &set->slots[i];
      if (s->memo != NULL && memcmp (s->key, key, sizeof s->key) == 0)
        {
          s->used = ++set->clock;
          return s->memo;
        }
    }
  return NULL;
}

void
ks_node_memo_set_insert (KsNodeMemoSet *set, const gconstpointer key[4],
                         const GDestroyNotify free_key[4], KsNodeMemo *memo)
{
  KsNodeMemoSlot *oldest = &set->slots[0];

  for (guint i = 0; i < KS_NODE_MEMO_SLOTS; i++)
    {
      KsNodeMemoSlot *s = &set->slots[i];
      if (s->memo == NULL)
        {
          oldest = s;
          break;
        }
      if (s->used < oldest->used)
        oldest = s;
    }
  slot_clear (oldest);
  memcpy (oldest->key, key, sizeof oldest->key);
  memcpy (oldest->free_key, free_key, sizeof oldest->free_key);
  oldest->memo = memo;
  oldest->used = ++set->clock;
}

void
ks_node_memo_set_clear (KsNodeMemoSet *set)
{
  for (guint i = 0; i < KS_NODE_MEMO_SLOTS; i++)
    slot_clear (&set->slots[i]);
}
