/* ks-trace-queue.c: see ks-trace-queue.h. */
#include "config.h"

#include "ks-trace-queue.h"

#include <string.h>

typedef struct
{
  KsTraceRecord record; /* its strings and models point into strings and models below */
  guint64 seq;          /* push order: ties in time keep it */
  guint64 count;        /* 0: one record as is; n: n records "<id>-<i>" */
  guint64 next;         /* the next index to emit when count > 0 */
  gboolean started;     /* a POD_SUBMIT followed by its POD_START */
  char *strings;        /* the record's strings, one after the other; kept when recycled */
  gsize strings_cap;
  const char **models; /* gpu_models, NULL-terminated; allocated when first needed */
  guint models_cap;
} Item;

/* A heap slot: the item's order key next to its pointer, so that sifting compares keys in the
 * heap's own array instead of following a pointer (a cache miss) for each comparison. */
typedef struct
{
  gint64 time;
  guint64 seq;
  Item *item;
} Slot;

/* Children per heap node: a 4-ary heap is half as deep as a binary one, and a node's children
 * are next to each other. */
#define ARITY 4

/* How many FIFO items ahead of the head pop_head fetches into the cache. */
#define PREFETCH_AHEAD 8

struct _KsTraceQueue
{
  /* Items pushed in (time, seq) order go to a FIFO ring (O(1)); the others to a min-heap on
     (time, seq).  The head is the smaller of the two heads.  Ends pushed in the order of their
     times (a table sorted by creation whose lifetimes are alike) never touch the heap. */
  Slot *heap;
  guint heap_len, heap_cap;
  Item **fifo;
  guint fifo_head, fifo_len, fifo_cap;
  GPtrArray *pool; /* free items, their buffers kept: a steady stream allocates nothing */
  guint64 seq;
  GString *id; /* scratch for expanded ids */
};

static gboolean
slot_before (const Slot *x, const Slot *y)
{
  return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

static void
item_free (gpointer data)
{
  Item *item = data;

  g_free (item->strings);
  g_free (item->models);
  g_free (item);
}

KsTraceQueue *
ks_trace_queue_new (void)
{
  KsTraceQueue *queue = g_new0 (KsTraceQueue, 1);

  queue->pool = g_ptr_array_new_with_free_func (item_free);
  queue->id = g_string_new (NULL);
  return queue;
}

void
ks_trace_queue_free (KsTraceQueue *queue)
{
  if (queue == NULL)
    return;
  for (guint i = 0; i < queue->heap_len; i++)
    item_free (queue->heap[i].item);
  for (guint i = 0; i < queue->fifo_len; i++)
    item_free (queue->fifo[(queue->fifo_head + i) % queue->fifo_cap]);
  g_free (queue->heap);
  g_free (queue->fifo);
  g_ptr_array_unref (queue->pool);
  g_string_free (queue->id, TRUE);
  g_free (queue);
}

static gsize
string_size (const char *s)
{
  return s != NULL ? strlen (s) + 1 : 0;
}

static const char *
copy_string (char **cursor, const char *s)
{
  char *out = *cursor;
  gsize len;

  if (s == NULL)
    return NULL;
  len = strlen (s) + 1;
  memcpy (out, s, len);
  *cursor += len;
  return out;
}

static void
heap_push (KsTraceQueue *queue, Item *item)
{
  Slot slot = { item->record.time, item->seq, item };
  guint i;

  if (queue->heap_len == queue->heap_cap)
    {
      queue->heap_cap = MAX (queue->heap_cap * 2, 64);
      queue->heap = g_renew (Slot, queue->heap, queue->heap_cap);
    }
  /* Sift up. */
  for (i = queue->heap_len++; i > 0;)
    {
      guint parent = (i - 1) / ARITY;

      if (!slot_before (&slot, &queue->heap[parent]))
        break;
      queue->heap[i] = queue->heap[parent];
      i = parent;
    }
  queue->heap[i] = slot;
}

/* Remove the heap's top (its item is the caller's). */
static void
heap_remove_top (KsTraceQueue *queue)
{
  Slot *heap = queue->heap;
  Slot last;
  guint n, i = 0;

  last = heap[--queue->heap_len];
  n = queue->heap_len;
  if (n == 0)
    return;
  for (;;)
    {
      guint first = ARITY * i + 1, best = i;
      const Slot *best_slot = &last;

      for (guint c = first; c < first + ARITY && c < n; c++)
        if (slot_before (&heap[c], best_slot))
          {
            best = c;
            best_slot = &heap[c];
          }
      if (best == i)
        break;
      heap[i] = heap[best];
      i = best;
    }
  heap[i] = last;
}

static void
fifo_push (KsTraceQueue *queue, Item *item)
{
  if (queue->fifo_len == queue->fifo_cap)
    {
      guint cap = MAX (queue->fifo_cap * 2, 64);
      Item **ring = g_new (Item *, cap);

      for (guint i = 0; i < queue->fifo_len; i++)
        ring[i] = queue->fifo[(queue->fifo_head + i) % queue->fifo_cap];
      g_free (queue->fifo);
      queue->fifo = ring;
      queue->fifo_cap = cap;
      queue->fifo_head = 0;
    }
  queue->fifo[(queue->fifo_head + queue->fifo_len) % queue->fifo_cap] = item;
  queue->fifo_len++;
}

/* The head item, or NULL when empty; *in_fifo says where it is. */
static Item *
peek_item (KsTraceQueue *queue, gboolean *in_fifo)
{
  Item *head;

  if (queue->fifo_len == 0)
    {
      *in_fifo = FALSE;
      return queue->heap_len > 0 ? queue->heap[0].item : NULL;
    }
  head = queue->fifo[queue->fifo_head];
  if (queue->heap_len > 0
      && (queue->heap[0].time < head->record.time
          || (queue->heap[0].time == head->record.time && queue->heap[0].seq < head->seq)))
    {
      *in_fifo = FALSE;
      return queue->heap[0].item;
    }
  *in_fifo = TRUE;
  return head;
}

/* Copy a record into a pooled item (one buffer for its strings and models: the copy is the
 * queue's main cost) and queue it. */
static Item *
push_item (KsTraceQueue *queue, const KsTraceRecord *record, guint64 count)
{
  guint n_models = record->gpu_models != NULL ? g_strv_length ((char **) record->gpu_models) : 0;
  gsize size = string_size (record->id) + string_size (record->job)
               + string_size (record->event_name) + string_size (record->zone)
               + string_size (record->priority_class) + string_size (record->file);
  Item *item;
  char *cursor;

  for (guint m = 0; m < n_models; m++)
    size += strlen (record->gpu_models[m]) + 1;
  item = queue->pool->len > 0 ? g_ptr_array_steal_index_fast (queue->pool, queue->pool->len - 1)
                              : g_new0 (Item, 1);
  if (size > item->strings_cap)
    {
      item->strings_cap = MAX (size, 128);
      g_free (item->strings);
      item->strings = g_malloc (item->strings_cap);
    }
  cursor = item->strings;
  item->record = *record;
  item->record.id = copy_string (&cursor, record->id);
  item->record.job = copy_string (&cursor, record->job);
  item->record.event_name = copy_string (&cursor, record->event_name);
  item->record.zone = copy_string (&cursor, record->zone);
  item->record.priority_class = copy_string (&cursor, record->priority_class);
  item->record.file = copy_string (&cursor, record->file);
  if (record->gpu_models != NULL)
    {
      if (item->models_cap < n_models + 1)
        {
          item->models_cap = n_models + 1;
          item->models = g_renew (const char *, item->models, item->models_cap);
        }
      for (guint m = 0; m < n_models; m++)
        item->models[m] = copy_string (&cursor, record->gpu_models[m]);
      item->models[n_models] = NULL;
      item->record.gpu_models = item->models;
    }
  /* Only the native format carries objects, and it never queues. */
  item->record.object = NULL;
  item->seq = queue->seq++;
  item->count = count;
  item->next = 0;
  item->started = FALSE;
  if (queue->fifo_len == 0
      || queue->fifo[(queue->fifo_head + queue->fifo_len - 1) % queue->fifo_cap]->record.time
             <= item->record.time)
    fifo_push (queue, item);
  else
    heap_push (queue, item);
  return item;
}

/* Remove the head and keep it for reuse. */
static void
pop_head (KsTraceQueue *queue)
{
  gboolean in_fifo;
  Item *item = peek_item (queue, &in_fifo);

  if (in_fifo)
    {
      queue->fifo_head = (queue->fifo_head + 1) % queue->fifo_cap;
      queue->fifo_len--;
      /* A reorder queue holds a whole window of items, cold by their turn: fetch those a few
         places behind, the item first and its strings once the item is there (as the core's
         window does). */
      if (queue->fifo_len > 2 * PREFETCH_AHEAD)
        {
          const Item *near = queue->fifo[(queue->fifo_head + PREFETCH_AHEAD) % queue->fifo_cap];
          const Item *far = queue->fifo[(queue->fifo_head + 2 * PREFETCH_AHEAD) % queue->fifo_cap];

          __builtin_prefetch (far);
          __builtin_prefetch ((const char *) far + 64);
          __builtin_prefetch ((const char *) far + 128);
          __builtin_prefetch (near->strings);
        }
    }
  else
    heap_remove_top (queue);
  g_ptr_array_add (queue->pool, item);
}

void
ks_trace_queue_push (KsTraceQueue *queue, const KsTraceRecord *record, guint64 count)
{
  push_item (queue, record, count);
}

void
ks_trace_queue_push_started (KsTraceQueue *queue, const KsTraceRecord *record, guint64 count)
{
  push_item (queue, record, count)->started = TRUE;
}

/* Emit record, and its start when started. */
static void
emit (KsTraceReader *reader, const KsTraceRecord *record, gboolean started)
{
  KsTraceRecord start;

  ks_trace_emit (reader, record);
  if (!started)
    return;
  start = *record;
  start.op = KS_TRACE_POD_START;
  start.cpu_milli = start.memory_bytes = start.gpu = start.gpu_milli = -1;
  start.gpu_models = NULL;
  start.runtime = -1;
  ks_trace_emit (reader, &start);
}

guint
ks_trace_queue_get_length (KsTraceQueue *queue)
{
  return queue->heap_len + queue->fifo_len;
}

gboolean
ks_trace_queue_peek_time (KsTraceQueue *queue, gint64 *time)
{
  gboolean in_fifo;
  Item *item = peek_item (queue, &in_fifo);

  if (item == NULL)
    return FALSE;
  *time = item->record.time;
  return TRUE;
}

/* out = "<id>-<index>", by hand: printf was a tenth of the expanding readers' time. */
static void
expanded_id (GString *out, const char *id, guint64 index)
{
  char digits[24];
  int n = 0;

  g_string_assign (out, id);
  g_string_append_c (out, '-');
  do
    digits[n++] = (char) ('0' + index % 10);
  while ((index /= 10) > 0);
  while (n > 0)
    g_string_append_c (out, digits[--n]);
}

/* Emit up to max records of the head item; remove it once it is all out. */
static guint
emit_head (KsTraceQueue *queue, KsTraceReader *reader, guint max)
{
  gboolean in_fifo;
  Item *item = peek_item (queue, &in_fifo);
  guint n = 0;

  if (item->count == 0)
    {
      emit (reader, &item->record, item->started);
      pop_head (queue);
      return 1;
    }
  while (n < max && item->next < item->count)
    {
      KsTraceRecord record = item->record;

      expanded_id (queue->id, item->record.id, item->next);
      record.id = queue->id->str;
      emit (reader, &record, item->started);
      item->next++;
      n++;
    }
  if (item->next >= item->count)
    pop_head (queue);
  return n;
}

guint
ks_trace_queue_pump (KsTraceQueue *reorder, KsTraceQueue *later, guint window, gboolean at_end,
                     KsTraceReader *reader, guint max)
{
  guint n = 0;

  while (n < max)
    {
      gint64 t_reorder = 0, t_later = 0;
      gboolean have_reorder = ks_trace_queue_peek_time (reorder, &t_reorder);
      gboolean have_later = later != NULL && ks_trace_queue_peek_time (later, &t_later);
      gboolean reorder_ready
          = have_reorder && (at_end || ks_trace_queue_get_length (reorder) > window);

      if (have_later && ((reorder_ready && t_later <= t_reorder) || (at_end && !have_reorder)))
        n += emit_head (later, reader, max - n);
      else if (reorder_ready)
        n += emit_head (reorder, reader, max - n);
      else
        break;
    }
  return n;
}

void
ks_trace_queue_emit_now (KsTraceQueue *later, KsTraceReader *reader, const KsTraceRecord *record,
                         guint64 count)
{
  gint64 t;

  while (ks_trace_queue_peek_time (later, &t) && t <= record->time)
    emit_head (later, reader, G_MAXUINT);
  if (count == 0)
    {
      ks_trace_emit (reader, record);
      return;
    }
  for (guint64 i = 0; i < count; i++)
    {
      KsTraceRecord copy = *record;

      expanded_id (later->id, record->id, i);
      copy.id = later->id->str;
      ks_trace_emit (reader, &copy);
    }
}

void
ks_trace_append_dns (GString *out, const char *s)
{
  gsize start = out->len;
  gboolean dash = FALSE;
  char *p;

  /* Written in place (a character at a time through GString was a tenth of some readers' time):
     the label is never longer than s, as each '-' stands for at least one character of s. */
  g_string_set_size (out, start + strlen (s));
  p = out->str + start;
  for (; *s != '\0'; s++)
    {
      char c = g_ascii_tolower (*s);

      if (g_ascii_isalnum (c))
        {
          if (dash && p > out->str + start)
            *p++ = '-';
          *p++ = c;
          dash = FALSE;
        }
      else
        dash = TRUE;
    }
  g_string_truncate (out, (gsize) (p - out->str));
}

char **
ks_trace_split_models (const char *field)
{
  g_auto (GStrv) parts = g_strsplit (field, "|", -1);
  g_autoptr (GPtrArray) models = g_ptr_array_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *model = g_strstrip (parts[i]);
      gboolean seen = FALSE;

      if (*model == '\0' || g_ascii_strcasecmp (model, "nan") == 0)
        continue;
      for (guint j = 0; j < models->len && !seen; j++)
        seen = strcmp (g_ptr_array_index (models, j), model) == 0;
      if (!seen)
        g_ptr_array_add (models, g_strdup (model));
    }
  if (models->len == 0)
    return NULL;
  g_ptr_array_add (models, NULL);
  return (char **) g_ptr_array_steal (models, NULL);
}

gboolean
ks_trace_seconds_to_us (gint64 seconds, gint64 *us)
{
  if (seconds > G_MAXINT64 / G_USEC_PER_SEC || seconds < G_MININT64 / G_USEC_PER_SEC)
    return FALSE;
  *us = seconds * G_USEC_PER_SEC;
  return TRUE;
}

int
ks_trace_csv_column (const KsCsvRow *row, const char *name)
{
  for (guint i = 0; i < row->n_fields; i++)
    {
      const char *f = row->fields[i];
      gsize len;

      while (*f == ' ' || *f == '\t')
        f++;
      len = strlen (f);
      while (len > 0 && (f[len - 1] == ' ' || f[len - 1] == '\t' || f[len - 1] == '\r'))
        len--;
      if (len == strlen (name) && strncmp (f, name, len) == 0)
        return (int) i;
    }
  return -1;
}

static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

char **
ks_trace_expand_tables (const char *const *paths, guint n_paths, const char *const *tables)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n_paths; i++)
    {
      g_autoptr (GDir) dir = NULL;
      g_autoptr (GPtrArray) named = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      if (strcmp (paths[i], "-") != 0 && g_file_test (paths[i], G_FILE_TEST_IS_DIR))
        dir = g_dir_open (paths[i], 0, NULL);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        for (guint t = 0; tables[t] != NULL; t++)
          if (strstr (name, tables[t]) != NULL)
            {
              g_autofree char *child = g_build_filename (paths[i], name, NULL);

              if (g_file_test (child, G_FILE_TEST_IS_REGULAR))
                g_ptr_array_add (named, g_steal_pointer (&child));
              break;
            }
      if (named->len == 0)
        {
          g_ptr_array_add (out, g_strdup (paths[i]));
          continue;
        }
      g_ptr_array_sort (named, compare_paths);
      for (guint j = 0; j < named->len; j++)
        g_ptr_array_add (out, g_strdup (g_ptr_array_index (named, j)));
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_steal (out, NULL);
}

#define STEP_RECORDS 1024

void
ks_trace_queue_rows_init (KsTraceQueueRows *rows, KsTraceQueueRowFunc row_func, guint window)
{
  rows->row_func = row_func;
  rows->reorder = ks_trace_queue_new ();
  rows->later = ks_trace_queue_new ();
  rows->window = window > 0 ? window : KS_TRACE_DEFAULT_REORDER_WINDOW;
}

void
ks_trace_queue_rows_clear (KsTraceQueueRows *rows)
{
  g_clear_pointer (&rows->input, ks_trace_input_free);
  g_clear_pointer (&rows->reorder, ks_trace_queue_free);
  g_clear_pointer (&rows->later, ks_trace_queue_free);
}

gboolean
ks_trace_queue_rows_step (gpointer data, KsTraceReader *reader, GError **error)
{
  KsTraceQueueRows *rows = data;
  KsCsvRow row;
  GError *local = NULL;

  if (rows->pending)
    {
      /* The first row's fields are still valid: nothing was read from the input since. */
      rows->pending = FALSE;
      return rows->row_func (data, reader, &rows->first, error);
    }
  /* A task of many instances can fill the queue faster than one pump empties it: read on only
     once the backlog is out. */
  if (!rows->done && ks_trace_queue_get_length (rows->reorder) > rows->window)
    {
      ks_trace_queue_pump (rows->reorder, rows->later, rows->window, FALSE, reader, STEP_RECORDS);
      return TRUE;
    }
  if (!rows->done)
    {
      if (ks_trace_input_next_csv (rows->input, &row, &local))
        {
          if (!rows->row_func (data, reader, &row, error))
            return FALSE;
          ks_trace_queue_pump (rows->reorder, rows->later, rows->window, FALSE, reader,
                               STEP_RECORDS);
          return TRUE;
        }
      if (local != NULL)
        {
          g_propagate_error (error, local);
          return FALSE;
        }
      rows->done = TRUE;
    }
  return ks_trace_queue_pump (rows->reorder, rows->later, rows->window, TRUE, reader, STEP_RECORDS)
         > 0;
}

KsTraceInput *
ks_trace_queue_rows_get_input (gpointer data)
{
  return ((KsTraceQueueRows *) data)->input;
}
