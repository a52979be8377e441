/* ks-trace.c: the reader core: the format table, options, the reorder window, counts, bad-row
 * reporting and the field parsers every format shares.
 *
 * The reorder window holds record copies ordered by (time, arrival sequence), so records with
 * equal times keep their order.  Most traces are sorted, so a record not earlier than the last
 * one queued goes to a FIFO (a ring, O(1)); only those that arrive out of order go to a binary
 * heap, and the next record is the smaller of the two heads.  The copies live in pooled entries
 * whose string buffers are reused, so a steady stream of records allocates nothing.  Formats that
 * sort their records in a window of their own (KsTraceFormat.orders_itself) skip this one. */
#include "config.h"

#include "ks-trace-private.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

G_DEFINE_QUARK (ks - trace - error - quark, ks_trace_error)

/* The formats, in the order docs/traces.md lists them.  Each format file
 * (ks-trace-<name>.c) defines its KsTraceFormat and has one line here. */
static const KsTraceFormat *const formats[] = {
  &ks_trace_format_google_2011,      &ks_trace_format_google_2019,
  &ks_trace_format_alibaba_2017,     &ks_trace_format_alibaba_2018,
  &ks_trace_format_alibaba_gpu_2023, &ks_trace_format_azure_vm,
  &ks_trace_format_kubesim,          NULL,
};

#define MAX_GPU_MODELS 64
/* How many FIFO entries ahead of the head window_pop fetches into the cache. */
#define PREFETCH_AHEAD 8

typedef struct
{
  KsTraceRecord record;
  guint64 seq;
  char *strings; /* the record's strings, copied one after the other */
  gsize strings_cap;
  const char **models; /* gpu_models, NULL-terminated; allocated when first needed */
  guint models_cap;
} Entry;

struct _KsTraceReader
{
  const KsTraceFormat *format;
  gpointer state;
  KsTraceOptions options;
  guint window; /* records held back to be put in order: options.reorder_window, or 1 */
  KsTraceCounts counts;

  GPtrArray *heap; /* Entry, a min-heap on (time, seq): records that came out of order */
  Entry **fifo;    /* a ring of entries in (time, seq) order */
  guint fifo_head, fifo_len, fifo_cap;
  GPtrArray *pool; /* free entries */
  Entry *current;  /* the record last returned */
  guint64 seq;
  gint64 last_time; /* of the record last returned */
  gboolean emitted_any;
  gboolean finished; /* the format has nothing more to give */
  gboolean failed;   /* an error was returned: the reader stays finished */
};

void
ks_trace_options_init (KsTraceOptions *options)
{
  memset (options, 0, sizeof *options);
  options->machine_cpu = KS_TRACE_DEFAULT_MACHINE_CPU;
  options->machine_memory = KS_TRACE_DEFAULT_MACHINE_MEMORY;
  options->reorder_window = KS_TRACE_DEFAULT_REORDER_WINDOW;
}

const char *const *
ks_trace_formats (void)
{
  static gsize once;
  static const char *names[G_N_ELEMENTS (formats)];

  if (g_once_init_enter (&once))
    {
      for (guint i = 0; formats[i] != NULL; i++)
        names[i] = formats[i]->name;
      g_once_init_leave (&once, 1);
    }
  return names;
}

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  if (entry->record.object != NULL)
    json_object_unref (entry->record.object);
  g_free (entry->strings);
  g_free (entry->models);
  g_free (entry);
}

KsTraceReader *
ks_trace_reader_new (const char *format, const char *const *paths, guint n_paths,
                     const KsTraceOptions *options, GError **error)
{
  const KsTraceFormat *found = NULL;

  g_return_val_if_fail (format != NULL, NULL);
  g_return_val_if_fail (paths != NULL && n_paths > 0, NULL);
  for (guint i = 0; formats[i] != NULL; i++)
    if (strcmp (formats[i]->name, format) == 0)
      found = formats[i];
  if (found == NULL)
    {
      g_autofree char *valid = g_strjoinv (", ", (char **) ks_trace_formats ());

      g_set_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT,
                   "unknown trace format \"%s\" (valid formats: %s)", format, valid);
      return NULL;
    }
  return ks_trace_reader_new_for_format (found, paths, n_paths, options, error);
}

KsTraceReader *
ks_trace_reader_new_for_format (const KsTraceFormat *format, const char *const *paths,
                                guint n_paths, const KsTraceOptions *options, GError **error)
{
  g_autoptr (KsTraceReader) reader = NULL;

  g_return_val_if_fail (format != NULL, NULL);
  g_return_val_if_fail (paths != NULL && n_paths > 0, NULL);
  reader = g_new0 (KsTraceReader, 1);
  reader->format = format;
  if (options != NULL)
    reader->options = *options;
  else
    ks_trace_options_init (&reader->options);
  if (reader->options.machine_cpu <= 0)
    reader->options.machine_cpu = KS_TRACE_DEFAULT_MACHINE_CPU;
  if (reader->options.machine_memory <= 0)
    reader->options.machine_memory = KS_TRACE_DEFAULT_MACHINE_MEMORY;
  if (reader->options.reorder_window == 0)
    reader->options.reorder_window = KS_TRACE_DEFAULT_REORDER_WINDOW;
  /* A format that sorts its records itself is read as they come (the format's own window uses
     options.reorder_window); a record before the last one is still clamped below. */
  reader->window = format->orders_itself ? 1 : reader->options.reorder_window;
  reader->heap = g_ptr_array_new_with_free_func (entry_free);
  reader->pool = g_ptr_array_new_with_free_func (entry_free);
  reader->state = format->open (reader, paths, n_paths, &reader->options, error);
  if (reader->state == NULL)
    return NULL;
  return g_steal_pointer (&reader);
}

void
ks_trace_reader_free (KsTraceReader *reader)
{
  if (reader == NULL)
    return;
  if (reader->state != NULL)
    reader->format->free (reader->state);
  if (reader->heap != NULL)
    g_ptr_array_unref (reader->heap);
  for (guint i = 0; i < reader->fifo_len; i++)
    entry_free (reader->fifo[(reader->fifo_head + i) % reader->fifo_cap]);
  g_free (reader->fifo);
  if (reader->pool != NULL)
    g_ptr_array_unref (reader->pool);
  if (reader->current != NULL)
    entry_free (reader->current);
  g_free (reader);
}

static gboolean
entry_before (const Entry *a, const Entry *b)
{
  return a->record.time < b->record.time || (a->record.time == b->record.time && a->seq < b->seq);
}

static void
heap_push (GPtrArray *heap, Entry *entry)
{
  guint i = heap->len;

  g_ptr_array_add (heap, entry);
  while (i > 0)
    {
      guint parent = (i - 1) / 2;

      if (!entry_before (heap->pdata[i], heap->pdata[parent]))
        break;
      heap->pdata[i] = heap->pdata[parent];
      heap->pdata[parent] = entry;
      i = parent;
    }
}

static Entry *
heap_pop (GPtrArray *heap)
{
  Entry *top = heap->pdata[0];
  Entry *last = heap->pdata[heap->len - 1];
  guint n = heap->len - 1;
  guint i = 0;

  g_ptr_array_steal_index_fast (heap, heap->len - 1);
  if (n == 0)
    return top;
  heap->pdata[0] = last;
  for (;;)
    {
      guint left = 2 * i + 1, right = left + 1, smallest = i;

      if (left < n && entry_before (heap->pdata[left], heap->pdata[smallest]))
        smallest = left;
      if (right < n && entry_before (heap->pdata[right], heap->pdata[smallest]))
        smallest = right;
      if (smallest == i)
        break;
      heap->pdata[i] = heap->pdata[smallest];
      heap->pdata[smallest] = last;
      i = smallest;
    }
  return top;
}

static void
fifo_push (KsTraceReader *reader, Entry *entry)
{
  if (reader->fifo_len == reader->fifo_cap)
    {
      guint cap = MAX (reader->fifo_cap * 2, 64);
      Entry **ring = g_new (Entry *, cap);

      for (guint i = 0; i < reader->fifo_len; i++)
        ring[i] = reader->fifo[(reader->fifo_head + i) % reader->fifo_cap];
      g_free (reader->fifo);
      reader->fifo = ring;
      reader->fifo_cap = cap;
      reader->fifo_head = 0;
    }
  reader->fifo[(reader->fifo_head + reader->fifo_len) % reader->fifo_cap] = entry;
  reader->fifo_len++;
}

/* The first entry of the window: the smaller of the FIFO's head and the heap's top. */
static Entry *
window_pop (KsTraceReader *reader)
{
  Entry *head;

  if (reader->fifo_len == 0)
    return heap_pop (reader->heap);
  head = reader->fifo[reader->fifo_head];
  if (reader->heap->len > 0 && entry_before (reader->heap->pdata[0], head))
    return heap_pop (reader->heap);
  reader->fifo_head = (reader->fifo_head + 1) % reader->fifo_cap;
  reader->fifo_len--;
  /* The window is far larger than the caches, so an entry is cold by the time it leaves: fetch
     the one a few places behind now, so that its time and strings are there when it is due
     (a cache miss on every record was a fifth of the openb reader's time). */
  if (reader->fifo_len > 2 * PREFETCH_AHEAD)
    {
      const Entry *near = reader->fifo[(reader->fifo_head + PREFETCH_AHEAD) % reader->fifo_cap];
      const Entry *far = reader->fifo[(reader->fifo_head + 2 * PREFETCH_AHEAD) % reader->fifo_cap];

      /* In two steps: the entry first, its strings once the entry (their address) is there. */
      __builtin_prefetch (far);
      __builtin_prefetch ((const char *) far + 64);
      __builtin_prefetch ((const char *) far + 128);
      __builtin_prefetch (near->strings);
    }
  return head;
}

static void
entry_recycle (KsTraceReader *reader, Entry *entry)
{
  if (entry->record.object != NULL)
    {
      json_object_unref (entry->record.object);
      entry->record.object = NULL;
    }
  g_ptr_array_add (reader->pool, entry);
}

/* Copy a string of len bytes (its NUL included, 0 for NULL) into the entry's buffer at *used
 * (room was made by the caller). */
static const char *
copy_string (Entry *entry, gsize *used, const char *text, gsize len)
{
  char *out;

  if (text == NULL)
    return NULL;
  out = entry->strings + *used;
  memcpy (out, text, len);
  *used += len;
  return out;
}

static gsize
string_size (const char *text)
{
  return text != NULL ? strlen (text) + 1 : 0;
}

void
ks_trace_emit (KsTraceReader *reader, const KsTraceRecord *record)
{
  Entry *entry;
  gsize need, used = 0, sizes[6];
  guint n_models = 0;

  g_return_if_fail (reader != NULL && record != NULL);
  entry = reader->pool->len > 0 ? g_ptr_array_steal_index_fast (reader->pool, reader->pool->len - 1)
                                : g_new0 (Entry, 1);
  /* Offsets into strings are only final once it is big enough, so measure first (once: strlen
     was a tenth of the time when it was done again for the copy). */
  sizes[0] = string_size (record->id);
  sizes[1] = string_size (record->job);
  sizes[2] = string_size (record->event_name);
  sizes[3] = string_size (record->priority_class);
  sizes[4] = string_size (record->zone);
  sizes[5] = string_size (record->file);
  need = sizes[0] + sizes[1] + sizes[2] + sizes[3] + sizes[4] + sizes[5];
  if (record->gpu_models != NULL)
    for (; record->gpu_models[n_models] != NULL && n_models < MAX_GPU_MODELS; n_models++)
      need += strlen (record->gpu_models[n_models]) + 1;
  if (need > entry->strings_cap)
    {
      entry->strings_cap = MAX (need, 128);
      g_free (entry->strings);
      entry->strings = g_malloc (entry->strings_cap);
    }
  entry->record = *record;
  entry->record.id = copy_string (entry, &used, record->id, sizes[0]);
  entry->record.job = copy_string (entry, &used, record->job, sizes[1]);
  entry->record.event_name = copy_string (entry, &used, record->event_name, sizes[2]);
  entry->record.priority_class = copy_string (entry, &used, record->priority_class, sizes[3]);
  entry->record.zone = copy_string (entry, &used, record->zone, sizes[4]);
  entry->record.file = copy_string (entry, &used, record->file, sizes[5]);
  if (record->gpu_models != NULL)
    {
      if (entry->models_cap < n_models + 1)
        {
          entry->models_cap = n_models + 1;
          entry->models = g_renew (const char *, entry->models, entry->models_cap);
        }
      for (guint i = 0; i < n_models; i++)
        entry->models[i]
            = copy_string (entry, &used, record->gpu_models[i], strlen (record->gpu_models[i]) + 1);
      entry->models[n_models] = NULL;
      entry->record.gpu_models = entry->models;
    }
  if (record->object != NULL)
    entry->record.object = json_object_ref (record->object);
  entry->seq = reader->seq++;
  if (reader->fifo_len == 0
      || reader->fifo[(reader->fifo_head + reader->fifo_len - 1) % reader->fifo_cap]->record.time
             <= entry->record.time)
    fifo_push (reader, entry);
  else
    heap_push (reader->heap, entry);
}

void
ks_trace_count_row (KsTraceReader *reader)
{
  reader->counts.rows++;
}

gboolean
ks_trace_bad_row (KsTraceReader *reader, const char *file, guint64 line, GError **error,
                  const char *format, ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  reader->counts.bad_rows++;
  if (reader->options.strict)
    {
      g_set_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_BAD_ROW, "%s:%" G_GUINT64_FORMAT ": %s",
                   file, line, reason);
      return FALSE;
    }
  if (reader->options.bad_row != NULL)
    reader->options.bad_row (file, line, reason, reader->options.bad_row_data);
  else
    g_printerr ("%s:%" G_GUINT64_FORMAT ": %s\n", file, line, reason);
  return TRUE;
}

gboolean
ks_trace_reader_next (KsTraceReader *reader, KsTraceRecord *record, GError **error)
{
  Entry *entry;

  g_return_val_if_fail (reader != NULL && record != NULL, FALSE);
  if (reader->current != NULL)
    {
      entry_recycle (reader, reader->current);
      reader->current = NULL;
    }
  while (!reader->finished && reader->heap->len + reader->fifo_len < reader->window)
    {
      g_autoptr (GError) local = NULL;

      if (!reader->format->step (reader->state, reader, &local))
        {
          reader->finished = TRUE;
          if (local != NULL)
            {
              /* Records before the error are not returned: the trace is not usable. */
              reader->failed = TRUE;
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
        }
    }
  if (reader->failed || reader->heap->len + reader->fifo_len == 0)
    return FALSE;
  entry = window_pop (reader);
  if (reader->emitted_any && entry->record.time < reader->last_time)
    {
      /* Later than the window could repair: keep the stream in order. */
      entry->record.time = reader->last_time;
      reader->counts.late_rows++;
    }
  reader->last_time = entry->record.time;
  reader->emitted_any = TRUE;
  reader->current = entry;
  *record = entry->record;
  return TRUE;
}

const KsTraceCounts *
ks_trace_reader_get_counts (KsTraceReader *reader)
{
  return &reader->counts;
}

double
ks_trace_reader_get_progress (KsTraceReader *reader)
{
  KsTraceInput *input;
  guint64 total;

  if (reader->format->get_input == NULL)
    return -1;
  input = reader->format->get_input (reader->state);
  if (input == NULL)
    return -1;
  total = ks_trace_input_get_bytes_total (input);
  if (total == 0)
    return -1;
  return MIN (1.0, (double) ks_trace_input_get_bytes_read (input) / (double) total);
}

/* The table named in name, -1 for none, -2 (error set) for an unread one. */
static int
table_of_name (const char *format, const char *path, const char *name, const char *const *tables,
               guint n_tables, const char *const *unread, GError **error)
{
  for (guint t = 0; t < n_tables; t++)
    if (strstr (name, tables[t]) != NULL)
      return (int) t;
  for (guint u = 0; unread != NULL && unread[u] != NULL; u++)
    if (strstr (name, unread[u]) != NULL)
      {
        g_autofree char *valid = g_strjoinv (", ", (char **) tables);

        g_set_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT,
                     "%s: the %s table is not read by the %s format (it reads %s)", path, unread[u],
                     format, valid);
        return -2;
      }
  return -1;
}

static int
table_of_file (const char *format, const char *path, const char *const *tables, guint n_tables,
               guint default_table, const char *const *unread, GError **error)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *parent = g_path_get_basename (dir);
  int t = table_of_name (format, path, base, tables, n_tables, unread, error);

  if (t == -1)
    t = table_of_name (format, path, parent, tables, n_tables, unread, error);
  return t == -1 ? (int) default_table : t;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

gboolean
ks_trace_classify (const char *format, const char *const *paths, guint n_paths,
                   const char *const *tables, guint n_tables, guint default_table,
                   const char *const *unread, GPtrArray **table_paths, GError **error)
{
  for (guint i = 0; i < n_paths; i++)
    {
      const char *path = paths[i];
      int t;

      if (strcmp (path, "-") != 0 && g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_autoptr (GDir) dir = g_dir_open (path, 0, error);
          g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
          gboolean subdirs = FALSE, files = FALSE;
          const char *name;

          if (dir == NULL)
            return FALSE;
          while ((name = g_dir_read_name (dir)) != NULL)
            if (name[0] != '.')
              g_ptr_array_add (names, g_strdup (name));
          g_ptr_array_sort (names, compare_strings);
          for (guint n = 0; n < names->len; n++)
            {
              g_autofree char *child = g_build_filename (path, names->pdata[n], NULL);
              gboolean is_dir = g_file_test (child, G_FILE_TEST_IS_DIR);

              for (guint k = 0; k < n_tables; k++)
                if (is_dir ? strcmp (names->pdata[n], tables[k]) == 0
                           : strstr (names->pdata[n], tables[k]) != NULL)
                  {
                    if (is_dir)
                      subdirs = TRUE;
                    else
                      files = TRUE;
                  }
            }
          if (subdirs || files)
            {
              for (guint n = 0; n < names->len; n++)
                {
                  g_autofree char *child = g_build_filename (path, names->pdata[n], NULL);
                  gboolean is_dir = g_file_test (child, G_FILE_TEST_IS_DIR);

                  if (subdirs != is_dir
                      || (!is_dir && !g_file_test (child, G_FILE_TEST_IS_REGULAR)))
                    continue;
                  t = table_of_name (format, child, names->pdata[n], tables, n_tables,
                                     subdirs ? NULL : unread, error);
                  if (t == -2)
                    return FALSE;
                  if (t >= 0 && (!subdirs || strcmp (names->pdata[n], tables[t]) == 0))
                    g_ptr_array_add (table_paths[t], g_steal_pointer (&child));
                }
              continue;
            }
        }
      t = table_of_file (format, path, tables, n_tables, default_table, unread, error);
      if (t < 0)
        return FALSE;
      g_ptr_array_add (table_paths[t], g_strdup (path));
    }
  return TRUE;
}

static const char *
skip_blanks (const char *text)
{
  while (*text == ' ' || *text == '\t')
    text++;
  return text;
}

/* Exact powers of ten as doubles (10^22 is the largest a double holds exactly). */
static const double powers_of_ten[] = {
  1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* Trace fields are mostly short decimals ("0.06873"): digits ≤ 15 and no exponent give an exact
   integer and an exact power of ten, whose quotient is the correctly rounded double (Clinger's
   fast path), so strtod is only needed for the rest. */
static gboolean
parse_decimal_fast (const char *text, double *out)
{
  const char *p = text;
  gboolean negative = FALSE;
  guint64 mantissa = 0;
  int digits = 0, fraction = 0;
  double value;

  if (*p == '-' || *p == '+')
    negative = *p++ == '-';
  for (; g_ascii_isdigit (*p); p++, digits++)
    mantissa = mantissa * 10 + (guint64) (*p - '0');
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p); p++, digits++, fraction++)
      mantissa = mantissa * 10 + (guint64) (*p - '0');
  if (digits == 0 || digits > 15 || *skip_blanks (p) != '\0')
    return FALSE;
  value = (double) mantissa / powers_of_ten[fraction];
  *out = negative ? -value : value;
  return TRUE;
}

gboolean
ks_trace_parse_double (const char *field, double *out)
{
  const char *start = skip_blanks (field);
  char *end;
  double value;

  if (*start == '\0')
    return FALSE;
  if (parse_decimal_fast (start, out))
    return TRUE;
  errno = 0;
  value = g_ascii_strtod (start, &end);
  if (end == start || errno == ERANGE || !isfinite (value))
    return FALSE;
  if (*skip_blanks (end) != '\0')
    return FALSE;
  *out = value;
  return TRUE;
}

gboolean
ks_trace_parse_int64 (const char *field, gint64 *out)
{
  const char *start = skip_blanks (field);
  const char *p = start;
  gboolean negative = FALSE;
  guint64 value = 0, limit;
  double real;

  if (*p == '-' || *p == '+')
    negative = *p++ == '-';
  limit = negative ? (guint64) G_MAXINT64 + 1 : (guint64) G_MAXINT64;
  if (g_ascii_isdigit (*p))
    {
      for (; g_ascii_isdigit (*p); p++)
        {
          guint digit = (guint) (*p - '0');

          if (value > (limit - digit) / 10)
            return FALSE; /* out of range */
          value = value * 10 + digit;
        }
      if (*skip_blanks (p) == '\0')
        {
          *out = negative ? (gint64) (0 - value) : (gint64) value;
          return TRUE;
        }
    }
  if (*p != '.' && *p != 'e' && *p != 'E')
    return FALSE;
  /* Integers printed as floats ("100.0"): accepted when integral and in range. */
  if (!ks_trace_parse_double (start, &real) || real != floor (real) || real < -9.2e18
      || real > 9.2e18)
    return FALSE;
  *out = (gint64) real;
  return TRUE;
}
