/* ks-trace-alibaba-2018.c: Alibaba cluster-trace-v2018 (schema.txt upstream; no headers):
 * machine_meta (machines: id, time, two failure domains, cpus, normalized memory 0..100, status),
 * container_meta (long-running containers: id, machine, time, app_du, status, cpu request and
 * limit in hundredths of a core, normalized memory 0..100), and one batch table: batch_task
 * (task name, instances, job, type, status, start, end, plan_cpu in hundredths, plan_mem
 * normalized 0..100) or batch_instance (instance, task, job, type, status, start, end, machine,
 * seq_no, total_seq_no, cpu and memory average and maximum).  machine_meta and container_meta
 * are sorted by id, not by time, upstream: they are loaded and sorted (their size is the
 * cluster's and the service fleet's, not the batch workload's); the batch table streams through
 * a reorder queue.  docs/traces.md has the mapping. */
#include "config.h"

#include "ks-trace-queue.h"

#include <math.h>
#include <string.h>

typedef enum
{
  TABLE_UNKNOWN,
  TABLE_MACHINE_META,
  TABLE_CONTAINER_META,
  TABLE_BATCH_TASK,
  TABLE_BATCH_INSTANCE,
  TABLE_MACHINE_USAGE,
  TABLE_CONTAINER_USAGE,
} TableKind;

static const char *const table_names[] = {
  [TABLE_UNKNOWN] = "unknown",
  [TABLE_MACHINE_META] = "machine_meta",
  [TABLE_CONTAINER_META] = "container_meta",
  [TABLE_BATCH_TASK] = "batch_task",
  [TABLE_BATCH_INSTANCE] = "batch_instance",
  [TABLE_MACHINE_USAGE] = "machine_usage",
  [TABLE_CONTAINER_USAGE] = "container_usage",
};

static const guint table_columns[] = {
  [TABLE_UNKNOWN] = 0,          [TABLE_MACHINE_META] = 7,    [TABLE_CONTAINER_META] = 8,
  [TABLE_BATCH_TASK] = 9,       [TABLE_BATCH_INSTANCE] = 14, [TABLE_MACHINE_USAGE] = 9,
  [TABLE_CONTAINER_USAGE] = 11,
};

typedef struct
{
  KsTraceQueueRows rows;
  TableKind batch_kind;
  gint64 machine_memory;
  GString *id;
} State;

/* A table read whole (machine_meta, container_meta) lives in an arena of large blocks: a malloc
 * and a free per row were a third of machine_meta's time. */
#define ARENA_BLOCK (1 << 20)

typedef struct
{
  GPtrArray *blocks;
  char *next;
  gsize left;
} Arena;

static gpointer
arena_alloc (Arena *arena, gsize size)
{
  gpointer out;

  size = (size + 7) & ~(gsize) 7;
  if (size > arena->left)
    {
      gsize block = MAX (size, ARENA_BLOCK);

      arena->next = g_malloc (block);
      g_ptr_array_add (arena->blocks, arena->next);
      arena->left = block;
    }
  out = arena->next;
  arena->next += size;
  arena->left -= size;
  return out;
}

/* A row of a table read whole: the row, its fields array and their strings, one after the
 * other in the arena. */
typedef struct
{
  char **fields;    /* NULL-terminated */
  const char *file; /* the input's, which outlives the rows */
  guint64 line;
  gpointer owner; /* the machine or container of fields[0] (NULL for an empty id) */
} Loaded;

/* A row's place in time order: the key beside the pointer, so that sorting never follows it. */
typedef struct
{
  gint64 time;
  Loaded *row;
} Key;

/* A table read whole, its rows in time order, and the state of each machine or container
 * (owners: fields[0] → a zeroed block of owner_size bytes, both in the arena). */
typedef struct
{
  Arena arena;
  GHashTable *owners;
  Key *keys;
  guint n_keys, keys_cap;
} Table;

static void
table_free (Table *table)
{
  if (table == NULL)
    return;
  g_ptr_array_unref (table->arena.blocks);
  g_hash_table_unref (table->owners);
  g_free (table->keys);
  g_free (table);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Table, table_free)

static Loaded *
loaded_new (Arena *arena, const KsCsvRow *row)
{
  gsize size = sizeof (Loaded) + (row->n_fields + 1) * sizeof (char *);
  gsize lengths[16];
  Loaded *loaded;
  char *cursor;

  for (guint i = 0; i < row->n_fields; i++)
    size += (lengths[i] = strlen (row->fields[i]) + 1);
  loaded = arena_alloc (arena, size);
  loaded->fields = (char **) (loaded + 1);
  cursor = (char *) (loaded->fields + row->n_fields + 1);
  for (guint i = 0; i < row->n_fields; i++)
    {
      memcpy (cursor, row->fields[i], lengths[i]);
      loaded->fields[i] = cursor;
      cursor += lengths[i];
    }
  loaded->fields[row->n_fields] = NULL;
  return loaded;
}

/* Sort keys by time, stably (rows of equal times stay in file order): a radix sort, a byte of
 * the time a pass, of the bytes in which the times differ; it replaced a comparison sort through
 * the row pointers (a quarter of machine_meta's time). */
static void
sort_by_time (Key *keys, guint n)
{
  g_autofree Key *spare = NULL;
  Key *from = keys, *to;
  gint64 min, max;
  guint64 range;
  gboolean sorted = TRUE;

  if (n < 2)
    return;
  min = max = keys[0].time;
  for (guint i = 1; i < n; i++)
    {
      if (keys[i].time < keys[i - 1].time)
        sorted = FALSE;
      min = MIN (min, keys[i].time);
      max = MAX (max, keys[i].time);
    }
  if (sorted)
    return;
  range = (guint64) max - (guint64) min;
  to = spare = g_new (Key, n);
  for (guint shift = 0; shift < 64 && (range >> shift) != 0; shift += 8)
    {
      gsize count[257] = { 0 };
      Key *swap;

      for (guint i = 0; i < n; i++)
        count[((((guint64) from[i].time - (guint64) min) >> shift) & 0xff) + 1]++;
      for (guint d = 1; d <= 256; d++)
        count[d] += count[d - 1];
      for (guint i = 0; i < n; i++)
        to[count[(((guint64) from[i].time - (guint64) min) >> shift) & 0xff]++] = from[i];
      swap = from;
      from = to;
      to = swap;
    }
  if (from != keys)
    memcpy (keys, from, n * sizeof (Key));
}

static void
state_free (gpointer data)
{
  State *state = data;

  if (state == NULL)
    return;
  ks_trace_queue_rows_clear (&state->rows);
  g_string_free (state->id, TRUE);
  g_free (state);
}

/* Normalized memory (0..100 of the largest machine) in bytes of the reference machine; empty is
 * "not given" (-1). */
static gboolean
scale_memory (const char *value, gint64 machine_memory, gint64 *out)
{
  double percent;

  if (*value == '\0')
    {
      *out = -1;
      return TRUE;
    }
  if (!ks_trace_parse_double (value, &percent) || percent < 0 || percent > 1e5)
    return FALSE;
  *out = (gint64) llround (percent / 100.0 * (double) machine_memory);
  return TRUE;
}

/* CPUs in hundredths of a core ("100 is 1 core", may be printed as a float) in millicores; empty
 * is "not given" (-1). */
static gboolean
scale_cpu (const char *value, gint64 *out)
{
  double hundredths;

  if (*value == '\0')
    {
      *out = -1;
      return TRUE;
    }
  if (!ks_trace_parse_double (value, &hundredths) || hundredths < 0 || hundredths > 1e12)
    return FALSE;
  *out = (gint64) llround (hundredths * 10);
  return TRUE;
}

static gboolean
parse_seconds (const char *value, gint64 *us)
{
  gint64 seconds;

  return ks_trace_parse_int64 (value, &seconds) && seconds >= 0
         && ks_trace_seconds_to_us (seconds, us);
}

static TableKind
classify (const char *path, const KsCsvRow *first)
{
  g_autofree char *base = g_path_get_basename (path);
  const char *f0 = first->n_fields > 0 ? first->fields[0] : "";

  for (TableKind kind = TABLE_MACHINE_META; kind <= TABLE_CONTAINER_USAGE; kind++)
    if (strstr (base, table_names[kind]) != NULL)
      return kind;
  switch (first->n_fields)
    {
    case 7:
      return g_str_has_prefix (f0, "m_") ? TABLE_MACHINE_META : TABLE_UNKNOWN;
    case 8:
      return g_str_has_prefix (f0, "c_") ? TABLE_CONTAINER_META : TABLE_UNKNOWN;
    case 9:
      if (g_str_has_prefix (f0, "m_"))
        return TABLE_MACHINE_USAGE;
      return g_str_has_prefix (first->fields[2], "j_") ? TABLE_BATCH_TASK : TABLE_UNKNOWN;
    case 11:
      return g_str_has_prefix (f0, "c_") ? TABLE_CONTAINER_USAGE : TABLE_UNKNOWN;
    case 14:
      return TABLE_BATCH_INSTANCE;
    default:
      return TABLE_UNKNOWN;
    }
}

/* Read a whole small table (machine_meta, container_meta) into rows sorted by time, each with
 * its owner (a zeroed block of owner_size bytes per distinct fields[0]); bad rows of the wrong
 * width or time are reported here, in file order.  The first row has been read already. */
static Table *
load_sorted (KsTraceReader *reader, KsTraceInput *input, TableKind kind, KsCsvRow *row,
             int time_column, gsize owner_size, GError **error)
{
  g_autoptr (Table) table = g_new0 (Table, 1);
  Loaded *previous = NULL;
  GError *local = NULL;

  table->arena.blocks = g_ptr_array_new_with_free_func (g_free);
  table->owners = g_hash_table_new (g_str_hash, g_str_equal);
  do
    {
      const char *file = ks_trace_input_get_file (input);
      guint64 line = ks_trace_input_get_line (input);
      Loaded *loaded;
      gint64 time;

      ks_trace_count_row (reader);
      if (row->n_fields != table_columns[kind])
        {
          if (!ks_trace_bad_row (reader, file, line, error, "%u columns where %s has %u",
                                 row->n_fields, table_names[kind], table_columns[kind]))
            return NULL;
          continue;
        }
      if (!parse_seconds (row->fields[time_column], &time))
        {
          if (!ks_trace_bad_row (reader, file, line, error,
                                 "time_stamp '%s' is not a non-negative integer (seconds)",
                                 row->fields[time_column]))
            return NULL;
          continue;
        }
      loaded = loaded_new (&table->arena, row);
      loaded->file = file;
      loaded->line = line;
      /* The upstream tables are sorted by id: a row's owner is mostly the previous row's. */
      if (loaded->fields[0][0] == '\0')
        loaded->owner = NULL;
      else if (previous != NULL && strcmp (loaded->fields[0], previous->fields[0]) == 0)
        loaded->owner = previous->owner;
      else
        {
          loaded->owner = g_hash_table_lookup (table->owners, loaded->fields[0]);
          if (loaded->owner == NULL)
            {
              loaded->owner = memset (arena_alloc (&table->arena, owner_size), 0, owner_size);
              g_hash_table_insert (table->owners, loaded->fields[0], loaded->owner);
            }
        }
      if (loaded->owner != NULL)
        previous = loaded;
      if (table->n_keys == table->keys_cap)
        {
          table->keys_cap = MAX (table->keys_cap * 2, 1024);
          table->keys = g_renew (Key, table->keys, table->keys_cap);
        }
      table->keys[table->n_keys].time = time;
      table->keys[table->n_keys].row = loaded;
      table->n_keys++;
    }
  while (ks_trace_input_next_csv (input, row, &local));
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  sort_by_time (table->keys, table->n_keys);
  return g_steal_pointer (&table);
}

/* The row at position i of the time order, fetching those a few places on into the cache (the
 * rows are in file order, so the time order visits them all over the arena). */
static Loaded *
table_row (const Table *table, guint i)
{
  if (i + 16 < table->n_keys)
    {
      __builtin_prefetch (table->keys[i + 16].row);
      __builtin_prefetch ((const char *) table->keys[i + 16].row + 64);
      __builtin_prefetch (table->keys[i + 8].row->owner);
    }
  return table->keys[i].row;
}

typedef struct
{
  gboolean added;
  gint64 cpu, memory;
} Machine;

/* machine_meta in time order: the first USING row adds the machine, a change of capacity updates
 * it, a status other than USING removes it; repeated snapshots give no record. */
static gboolean
machines (State *state, KsTraceReader *reader, const Table *table, GError **error)
{
  for (guint i = 0; i < table->n_keys; i++)
    {
      Loaded *row = table_row (table, i);
      char **f = row->fields;
      KsTraceRecord record = { 0 };
      Machine *machine;
      gint64 cpus, memory;
      gboolean using = strcmp (f[6], "USING") == 0;

      if (f[0][0] == '\0')
        {
          if (!ks_trace_bad_row (reader, row->file, row->line, error, "empty machine_id"))
            return FALSE;
          continue;
        }
      if (!ks_trace_parse_int64 (f[4], &cpus) || cpus < 0 || cpus > G_MAXINT64 / 1000)
        {
          if (!ks_trace_bad_row (reader, row->file, row->line, error,
                                 "cpu_num '%s' is not a non-negative integer", f[4]))
            return FALSE;
          continue;
        }
      if (!scale_memory (f[5], state->machine_memory, &memory))
        {
          if (!ks_trace_bad_row (reader, row->file, row->line, error,
                                 "mem_size '%s' is not a number from 0 to 100", f[5]))
            return FALSE;
          continue;
        }
      machine = row->owner;
      record.time = table->keys[i].time;
      record.event_name = f[6];
      record.cpu_milli = cpus * 1000;
      record.memory_bytes = memory;
      record.gpu = -1;
      record.gpu_milli = -1;
      record.zone = f[2][0] != '\0' ? f[2] : NULL;
      record.runtime = -1;
      record.file = row->file;
      record.line = row->line;
      if (using && !machine->added)
        record.op = KS_TRACE_NODE_ADD;
      else if (using && (machine->cpu != record.cpu_milli || machine->memory != memory))
        record.op = KS_TRACE_NODE_UPDATE;
      else if (!using && machine->added)
        {
          record.op = KS_TRACE_NODE_REMOVE;
          record.cpu_milli = record.memory_bytes = -1;
        }
      else
        continue;
      machine->added = using;
      machine->cpu = record.cpu_milli;
      machine->memory = memory;
      /* Only rows that give a record need the id (most rows repeat a machine's state). */
      g_string_truncate (state->id, 0);
      ks_trace_append_dns (state->id, f[0]);
      record.id = state->id->str;
      ks_trace_queue_push (state->rows.later, &record, 0);
    }
  return TRUE;
}

typedef struct
{
  gboolean submitted, started;
} Container;

/* container_meta in time order: a container is submitted at its first row (and again after it
 * stopped), started at its first "started" row, and ends at a "stopped" (succeeded) or "failed"
 * row; other rows repeat its state and give no record. */
static gboolean
containers (State *state, KsTraceReader *reader, const Table *table, GError **error)
{
  for (guint i = 0; i < table->n_keys; i++)
    {
      Loaded *row = table_row (table, i);
      char **f = row->fields;
      KsTraceRecord record = { 0 };
      Container *container;
      gint64 cpu, memory;
      const char *status = f[4];
      gboolean stopped = strcmp (status, "stopped") == 0;
      gboolean failed = strcmp (status, "failed") == 0;

      if (f[0][0] == '\0')
        {
          if (!ks_trace_bad_row (reader, row->file, row->line, error, "empty container_id"))
            return FALSE;
          continue;
        }
      if (!scale_cpu (f[5], &cpu))
        {
          if (!ks_trace_bad_row (reader, row->file, row->line, error,
                                 "cpu_request '%s' is not a non-negative number (100 is 1 core)",
                                 f[5]))
            return FALSE;
          continue;
        }
      if (!scale_memory (f[7], state->machine_memory, &memory))
        {
          if (!ks_trace_bad_row (reader, row->file, row->line, error,
                                 "mem_size '%s' is not a number from 0 to 100", f[7]))
            return FALSE;
          continue;
        }
      container = row->owner;
      g_string_truncate (state->id, 0);
      ks_trace_append_dns (state->id, f[0]);
      record.time = table->keys[i].time;
      record.id = state->id->str;
      record.job = f[3][0] != '\0' ? f[3] : NULL;
      record.event_name = status;
      record.gpu_milli = -1;
      record.runtime = -1;
      record.file = row->file;
      record.line = row->line;
      if (!container->submitted)
        {
          if (stopped || failed)
            continue; /* a container seen only when it stops ran before the window */
          record.op = KS_TRACE_POD_SUBMIT;
          record.event_name = NULL; /* the status is the start's or the end's */
          record.cpu_milli = cpu;
          record.memory_bytes = memory;
          record.gpu = 0;
          ks_trace_queue_push (state->rows.later, &record, 0);
          record.event_name = status;
          container->submitted = TRUE;
        }
      record.cpu_milli = record.memory_bytes = record.gpu = -1;
      if (strcmp (status, "started") == 0 && !container->started)
        {
          record.op = KS_TRACE_POD_START;
          ks_trace_queue_push (state->rows.later, &record, 0);
          container->started = TRUE;
        }
      else if (stopped || failed)
        {
          record.op = KS_TRACE_POD_END;
          record.outcome = stopped ? KS_TRACE_OUTCOME_SUCCEEDED : KS_TRACE_OUTCOME_FAILED;
          ks_trace_queue_push (state->rows.later, &record, 0);
          container->submitted = container->started = FALSE;
        }
    }
  return TRUE;
}

static const char *const batch_statuses[]
    = { "Terminated", "Failed", "Running", "Waiting", "Ready", "Cancelled", "Interrupted", NULL };

static KsTraceOutcome
outcome_of (const char *status)
{
  if (strcmp (status, "Terminated") == 0)
    return KS_TRACE_OUTCOME_SUCCEEDED;
  if (strcmp (status, "Failed") == 0)
    return KS_TRACE_OUTCOME_FAILED;
  return KS_TRACE_OUTCOME_KILLED;
}

/* One batch_task or batch_instance row. */
static gboolean
batch_row (gpointer data, KsTraceReader *reader, const KsCsvRow *row, GError **error)
{
  State *state = data;
  const char *file = ks_trace_input_get_file (state->rows.input);
  guint64 line = ks_trace_input_get_line (state->rows.input);
  const char *const *f = row->fields;
  gboolean tasks = state->batch_kind == TABLE_BATCH_TASK;
  KsTraceRecord record = { 0 };
  gint64 instances = 0, start, end, cpu, memory;
  const char *status = f[4], *job = f[2];
  gboolean ran, ended;

  ks_trace_count_row (reader);
  if (row->n_fields != table_columns[state->batch_kind])
    return ks_trace_bad_row (reader, file, line, error, "%u columns where %s has %u", row->n_fields,
                             table_names[state->batch_kind], table_columns[state->batch_kind]);
  if (f[0][0] == '\0')
    return ks_trace_bad_row (reader, file, line, error, "empty %s",
                             tasks ? "task_name" : "instance_name");
  if (tasks && (!ks_trace_parse_int64 (f[1], &instances) || instances < 0))
    return ks_trace_bad_row (reader, file, line, error,
                             "instance_num '%s' is not a non-negative integer", f[1]);
  if (!g_strv_contains (batch_statuses, status))
    return ks_trace_bad_row (reader, file, line, error,
                             "unknown status '%s' (Terminated, Failed, Running, Waiting, Ready, "
                             "Cancelled or Interrupted)",
                             status);
  if (!parse_seconds (f[5], &start))
    return ks_trace_bad_row (reader, file, line, error,
                             "start_time '%s' is not a non-negative integer (seconds)", f[5]);
  if (!parse_seconds (f[6], &end))
    return ks_trace_bad_row (reader, file, line, error,
                             "end_time '%s' is not a non-negative integer (seconds)", f[6]);
  /* Requests: a task's plan; an instance has only its usage, whose maximum stands for it. */
  if (!scale_cpu (tasks ? f[7] : f[11], &cpu))
    return ks_trace_bad_row (reader, file, line, error,
                             "%s '%s' is not a non-negative number (100 is 1 core)",
                             tasks ? "plan_cpu" : "cpu_max", tasks ? f[7] : f[11]);
  if (!scale_memory (tasks ? f[8] : f[13], state->machine_memory, &memory))
    return ks_trace_bad_row (reader, file, line, error, "%s '%s' is not a number from 0 to 100",
                             tasks ? "plan_mem" : "mem_max", tasks ? f[8] : f[13]);
  ran = strcmp (status, "Terminated") == 0 || strcmp (status, "Failed") == 0;
  /* Running, Waiting and Ready rows have not ended (end_time 0); the others end at end_time. */
  ended
      = ran
        || ((strcmp (status, "Cancelled") == 0 || strcmp (status, "Interrupted") == 0) && end > 0);
  if (ended && end < start)
    return ks_trace_bad_row (reader, file, line, error, "end_time %s is before start_time %s", f[6],
                             f[5]);
  if (tasks && instances == 0)
    return TRUE;

  g_string_truncate (state->id, 0);
  if (tasks)
    {
      ks_trace_append_dns (state->id, job);
      g_string_append_c (state->id, '-');
    }
  ks_trace_append_dns (state->id, f[0]);
  record.op = KS_TRACE_POD_SUBMIT;
  record.time = start;
  record.id = state->id->str;
  record.job = job[0] != '\0' ? job : NULL;
  record.cpu_milli = cpu;
  record.memory_bytes = memory;
  record.gpu = 0;
  record.gpu_milli = -1;
  /* A run time only for those that finished by themselves: replay runs a pod with one to its
     end and success, while a failure's end (and exit code) is its POD_END's. */
  record.runtime = strcmp (status, "Terminated") == 0 ? end - start : -1;
  record.file = file;
  record.line = line;
  /* Those that ran started at their start time: replay counts the run time from there. */
  if (ran)
    ks_trace_queue_push_started (state->rows.reorder, &record, tasks ? (guint64) instances : 0);
  else
    ks_trace_queue_push (state->rows.reorder, &record, tasks ? (guint64) instances : 0);
  if (ended)
    {
      record.op = KS_TRACE_POD_END;
      record.time = end;
      record.event_name = status;
      record.cpu_milli = record.memory_bytes = record.gpu = -1;
      record.runtime = -1;
      record.outcome = outcome_of (status);
      ks_trace_queue_push (state->rows.later, &record, tasks ? (guint64) instances : 0);
    }
  return TRUE;
}

static gpointer
a18_open (KsTraceReader *reader, const char *const *given, guint n_given,
          const KsTraceOptions *options, GError **error)
{
  static const char *const tables[]
      = { "machine_meta", "container_meta", "batch_task", "batch_instance", NULL };
  g_auto (GStrv) expanded = ks_trace_expand_tables (given, n_given, tables);
  const char *const *paths = (const char *const *) expanded;
  guint n_paths = g_strv_length (expanded);
  State *state = g_new0 (State, 1);

  ks_trace_queue_rows_init (&state->rows, batch_row, options->reorder_window);
  state->machine_memory
      = options->machine_memory > 0 ? options->machine_memory : KS_TRACE_DEFAULT_MACHINE_MEMORY;
  state->id = g_string_new (NULL);
  for (guint i = 0; i < n_paths; i++)
    {
      g_autoptr (KsTraceInput) input = ks_trace_input_open (&paths[i], 1, error);
      g_autoptr (Table) table = NULL;
      KsCsvRow row;
      GError *local = NULL;
      TableKind kind;
      gboolean ok;

      if (input == NULL)
        goto fail;
      if (!ks_trace_input_next_csv (input, &row, &local))
        {
          if (local != NULL)
            {
              g_propagate_error (error, local);
              goto fail;
            }
          continue; /* an empty table */
        }
      kind = classify (paths[i], &row);
      switch (kind)
        {
        case TABLE_UNKNOWN:
          g_set_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT,
                       "%s: not an Alibaba 2018 table: machine_meta (7 columns, m_ ids), "
                       "container_meta (8, c_ ids), batch_task (9, j_ jobs) or batch_instance "
                       "(14) was expected, named so or told by its first row",
                       paths[i]);
          goto fail;
        case TABLE_MACHINE_USAGE:
        case TABLE_CONTAINER_USAGE:
          g_set_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT,
                       "%s: %s holds utilization, which replay does not use: give machine_meta, "
                       "container_meta and batch_task or batch_instance",
                       paths[i], table_names[kind]);
          goto fail;
        case TABLE_BATCH_TASK:
        case TABLE_BATCH_INSTANCE:
          if (state->rows.input != NULL)
            {
              g_set_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT,
                           "%s: a second batch table besides %s (give one of batch_task and "
                           "batch_instance: both describe the same instances; give a table's "
                           "parts as one directory)",
                           paths[i], table_names[state->batch_kind]);
              goto fail;
            }
          state->rows.input = g_steal_pointer (&input);
          state->batch_kind = kind;
          state->rows.pending = TRUE;
          state->rows.first = row;
          continue;
        case TABLE_MACHINE_META:
        case TABLE_CONTAINER_META:
          table = load_sorted (reader, input, kind, &row, kind == TABLE_MACHINE_META ? 1 : 2,
                               kind == TABLE_MACHINE_META ? sizeof (Machine) : sizeof (Container),
                               error);
          if (table == NULL)
            goto fail;
          ok = kind == TABLE_MACHINE_META ? machines (state, reader, table, error)
                                          : containers (state, reader, table, error);
          if (!ok)
            goto fail;
          continue;
        }
    }
  if (state->rows.input == NULL)
    state->rows.done = TRUE;
  return state;

fail:
  state_free (state);
  return NULL;
}

const KsTraceFormat ks_trace_format_alibaba_2018 = {
  .name = "alibaba-2018",
  .open = a18_open,
  .step = ks_trace_queue_rows_step,
  .free = state_free,
  .get_input = ks_trace_queue_rows_get_input,
  .orders_itself = TRUE, /* the batch table's reorder queue, merged with the other tables' */
};
