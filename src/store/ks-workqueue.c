/* ks-workqueue.c: deduplicating FIFO work queues driven by the clock. */
#include "config.h"

#include "ks-workqueue.h"

typedef struct
{
  KsWorkQueue *queue;
  char *key;
  gint64 at;
  guint64 id;
} Delayed;

struct _KsWorkQueue
{
  KsClock *clock;
  KsWorkFunc func;
  gpointer user_data;
  GQueue keys;         /* char *, owned */
  GHashTable *dirty;   /* key → present (the strings in keys) */
  GHashTable *delayed; /* key → Delayed */
  guint64 task;
};

static void process (gpointer data);

KsWorkQueue *
ks_workqueue_new (KsClock *clock, KsWorkFunc func, gpointer user_data)
{
  KsWorkQueue *q = g_new0 (KsWorkQueue, 1);

  q->clock = clock;
  q->func = func;
  q->user_data = user_data;
  g_queue_init (&q->keys);
  q->dirty = g_hash_table_new (g_str_hash, g_str_equal);
  q->delayed = g_hash_table_new (g_str_hash, g_str_equal);
  return q;
}

static void
delayed_free (gpointer p)
{
  Delayed *d = p;
  g_free (d->key);
  g_free (d);
}

void
ks_workqueue_free (KsWorkQueue *q)
{
  GHashTableIter iter;
  gpointer value;

  if (q == NULL)
    return;
  ks_clock_cancel (q->clock, q->task);
  g_hash_table_iter_init (&iter, q->delayed);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Delayed *d = value;
      g_hash_table_iter_steal (&iter);
      ks_clock_cancel (q->clock, d->id); /* frees d */
    }
  g_hash_table_unref (q->delayed);
  g_hash_table_unref (q->dirty);
  g_queue_clear_full (&q->keys, g_free);
  g_free (q);
}

static void
ensure_task (KsWorkQueue *q)
{
  if (q->task == 0 && q->keys.length > 0)
    q->task = ks_clock_schedule (q->clock, ks_clock_now (q->clock), process, q, NULL);
}

void
ks_workqueue_add (KsWorkQueue *q, const char *key)
{
  char *copy;

  if (g_hash_table_contains (q->dirty, key))
    return;
  copy = g_strdup (key);
  g_queue_push_tail (&q->keys, copy);
  g_hash_table_add (q->dirty, copy);
  ensure_task (q);
}

/* Process the keys present when the task starts; keys added meanwhile wait for the next task at
 * the same time, so other components' tasks due now interleave fairly. */
static void
process (gpointer data)
{
  KsWorkQueue *q = data;
  guint n = q->keys.length;

  q->task = 0;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *key = g_queue_pop_head (&q->keys);
      if (key == NULL)
        break;
      g_hash_table_remove (q->dirty, key);
      q->func (key, q->user_data);
    }
  ensure_task (q);
}

static void
delayed_fire (gpointer data)
{
  Delayed *d = data;
  KsWorkQueue *q = d->queue;

  g_hash_table_remove (q->delayed, d->key);
  d->id = 0;
  ks_workqueue_add (q, d->key);
}

void
ks_workqueue_add_after (KsWorkQueue *q, const char *key, gint64 delay)
{
  gint64 at = ks_clock_now (q->clock) + delay;
  Delayed *d;

  if (delay <= 0)
    {
      ks_workqueue_add (q, key);
      return;
    }
  d = g_hash_table_lookup (q->delayed, key);
  if (d != NULL)
    {
      if (d->at <= at)
        return;
      g_hash_table_remove (q->delayed, key);
      ks_clock_cancel (q->clock, d->id);
    }
  d = g_new0 (Delayed, 1);
  d->queue = q;
  d->key = g_strdup (key);
  d->at = at;
  g_hash_table_insert (q->delayed, d->key, d);
  d->id = ks_clock_schedule (q->clock, at, delayed_fire, d, delayed_free);
}

guint
ks_workqueue_length (KsWorkQueue *q)
{
  return q->keys.length;
}
