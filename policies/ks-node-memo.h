/* ks-node-memo.h: per-node results kept from one scheduling cycle to the next.
 *
 * PodTopologySpread and InterPodAffinity sum, for the incoming pod, something over every pod of
 * every node (matching pods per topology domain).  Pods of one template ask the same question
 * cycle after cycle, and between two cycles only the node that got the last pod changed.  A memo
 * keeps what each node contributed to the sums (a few (table, key, value, count) entries) with
 * the node's generation (KsNodeInfo.generation), and the sums themselves: a refresh recomputes
 * only the nodes whose generation changed, taking their old entries off the sums and adding the
 * new ones.  Nodes with generation 0 (views built by hand) are recomputed at every refresh.
 *
 * Keys and values of entries are interned strings (ks_intern), so that they outlive the node
 * objects they came from. */
#pragma once

#include "ks-policy.h"

G_BEGIN_DECLS

typedef struct
{
  guint table;       /* which sum (plugin-defined) */
  const char *key;   /* interned (a topology key), or NULL */
  const char *value; /* interned (a topology value) */
  gint64 count;
} KsNodeEntry;

typedef struct _KsNodeMemo KsNodeMemo;

/* Append to out (a GArray of KsNodeEntry) what node contributes. */
typedef void (*KsNodeMemoCompute) (gpointer data, const KsNodeInfo *node, GArray *out);
/* Add the n entries of one node to the sums, times sign (+1 or -1). */
typedef void (*KsNodeMemoApply) (gpointer sums, const KsNodeEntry *entries, guint n, int sign);

/* A memo whose sums are sums, applied with apply; free_sums frees them with the memo. */
KsNodeMemo *ks_node_memo_new (gpointer sums, KsNodeMemoApply apply, GDestroyNotify free_sums);
void ks_node_memo_free (KsNodeMemo *memo);
gpointer ks_node_memo_get_sums (KsNodeMemo *memo);

/* Bring the sums up to date with nodes[0..n) (a node list in node-list order): compute is called
 * (with data) for the nodes that changed or are new; nodes gone are taken off. */
void ks_node_memo_refresh (KsNodeMemo *memo, KsNodeInfo *const *nodes, guint n,
                           KsNodeMemoCompute compute, gpointer data);

/* The entries node contributed at the last refresh, when the memo's slot for it is current
 * (same view, same generation, not 0): *n entries, or NULL. */
const KsNodeEntry *ks_node_memo_node_entries (KsNodeMemo *memo, const KsNodeInfo *node, guint *n);

/* A small set of memos, each for one question (a key of up to four pointers), the least recently
 * used one dropped when a new question comes.  The key's pointers must stay valid while the memo
 * lives: hold references (the destroy functions release them). */
typedef struct
{
  gconstpointer key[4];
  GDestroyNotify free_key[4];
  KsNodeMemo *memo;
  guint64 used;
} KsNodeMemoSlot;

#define KS_NODE_MEMO_SLOTS 32

typedef struct
{
  KsNodeMemoSlot slots[KS_NODE_MEMO_SLOTS];
  guint64 clock;
} KsNodeMemoSet;

/* The memo for key, or NULL. */
KsNodeMemo *ks_node_memo_set_lookup (KsNodeMemoSet *set, const gconstpointer key[4]);
/* Keep memo for key (taking it and the key's references, released with free_key). */
void ks_node_memo_set_insert (KsNodeMemoSet *set, const gconstpointer key[4],
                              const GDestroyNotify free_key[4], KsNodeMemo *memo);
void ks_node_memo_set_clear (KsNodeMemoSet *set);

G_END_DECLS
