/* ks-trace-alibaba-2017.c: Alibaba cluster-trace-v2017: batch_task.csv (task create and end
 * times, job and task ids, instance count, status, CPUs in hundredths of a core and normalized
 * memory per instance) and, when given, server_event.csv (machines: add, remove, softerror,
 * harderror).  Pristine files have no header; a re-export with a header (leading spaces, CRLF) is
 * accepted.  batch_task is not sorted by time: rows go through a reorder queue.  docs/traces.md
 * has the mapping. */
#include "config.h"

#include "ks-trace-queue.h"

#include <math.h>
#include <string.h>

/* batch_task.csv needs about 80,000 rows of reordering (measured on the full table): less and
 * some rows would come out late. */
#define MIN_WINDOW 131072

typedef struct
{
  KsTraceQueueRows rows;
  gint64 machine_memory;
  GString *id, *job;
} State;

static void
state_free (gpointer data)
{
  State *state = data;

  if (state == NULL)
    return;
  ks_trace_queue_rows_clear (&state->rows);
  g_string_free (state->id, TRUE);
  g_string_free (state->job, TRUE);
  g_free (state);
}

static const char *const task_statuses[]
    = { "Terminated", "Failed", "Running", "Waiting", "Cancelled", "Interrupted", NULL };
static const char *const machine_events[] = { "add", "remove", "softerror", "harderror", NULL };

static gboolean
is_one_of (const char *value, const char *const *names)
{
  return g_strv_contains (names, value);
}

/* Normalized memory (0..1 of the largest machine) in bytes of the reference machine. */
static gboolean
scale_memory (const char *value, gint64 machine_memory, gint64 *out)
{
  double fraction;

  if (!ks_trace_parse_double (value, &fraction) || fraction < 0 || fraction > 1e3)
    return FALSE;
  *out = (gint64) llround (fraction * (double) machine_memory);
  return TRUE;
}

static gboolean
server_row (State *state, KsTraceReader *reader, KsTraceInput *input, const KsCsvRow *row,
            GError **error)
{
  const char *file = ks_trace_input_get_file (input);
  guint64 line = ks_trace_input_get_line (input);
  KsTraceRecord record = { 0 };
  gint64 time, machine, cpus = -1, memory = -1;
  const char *event;

  ks_trace_count_row (reader);
  if (row->n_fields != 7)
    return ks_trace_bad_row (reader, file, line, error,
                             "%u columns where server_event has 7 (timestamp, machine id, event "
                             "type, event detail, cpus, normalized memory, normalized disk)",
                             row->n_fields);
  if (!ks_trace_parse_int64 (row->fields[0], &time) || time < 0
      || !ks_trace_seconds_to_us (time, &time))
    return ks_trace_bad_row (reader, file, line, error,
                             "timestamp '%s' is not a non-negative integer (seconds)",
                             row->fields[0]);
  if (!ks_trace_parse_int64 (row->fields[1], &machine) || machine < 0)
    return ks_trace_bad_row (reader, file, line, error,
                             "machine id '%s' is not a non-negative integer", row->fields[1]);
  event = row->fields[2];
  if (!is_one_of (event, machine_events))
    return ks_trace_bad_row (reader, file, line, error,
                             "unknown event type '%s' (add, remove, softerror or harderror)",
                             event);
  if (strcmp (event, "add") == 0)
    {
      if (!ks_trace_parse_int64 (row->fields[4], &cpus) || cpus < 0 || cpus > G_MAXINT64 / 1000)
        return ks_trace_bad_row (reader, file, line, error,
                                 "number of cpus '%s' is not a non-negative integer",
                                 row->fields[4]);
      if (!scale_memory (row->fields[5], state->machine_memory, &memory))
        return ks_trace_bad_row (reader, file, line, error,
                                 "normalized memory '%s' is not a non-negative number",
                                 row->fields[5]);
    }
  g_string_printf (state->id, "machine-%" G_GINT64_FORMAT, machine);
  record.op = strcmp (event, "add") == 0      ? KS_TRACE_NODE_ADD
              : strcmp (event, "remove") == 0 ? KS_TRACE_NODE_REMOVE
                                              : KS_TRACE_NODE_UPDATE;
  record.time = time;
  record.id = state->id->str;
  record.event_name = event;
  record.cpu_milli = cpus >= 0 ? cpus * 1000 : -1;
  record.memory_bytes = memory;
  record.gpu = -1;
  record.gpu_milli = -1;
  record.runtime = -1;
  record.file = file;
  record.line = line;
  ks_trace_queue_push (state->rows.later, &record, 0);
  return TRUE;
}

static gboolean
task_row (gpointer data, KsTraceReader *reader, const KsCsvRow *row, GError **error)
{
  State *state = data;
  const char *file = ks_trace_input_get_file (state->rows.input);
  guint64 line = ks_trace_input_get_line (state->rows.input);
  const char *const *f = row->fields;
  KsTraceRecord record = { 0 };
  gint64 created, ended, job, task, instances, cpus = -1, memory = -1;
  const char *status;

  ks_trace_count_row (reader);
  if (row->n_fields != 8)
    return ks_trace_bad_row (reader, file, line, error,
                             "%u columns where batch_task has 8 (create time, end time, job id, "
                             "task id, instances, status, cpus, normalized memory)",
                             row->n_fields);
  if (!ks_trace_parse_int64 (f[0], &created) || !ks_trace_seconds_to_us (created, &created))
    return ks_trace_bad_row (reader, file, line, error,
                             "task create time '%s' is not an integer (seconds)", f[0]);
  if (!ks_trace_parse_int64 (f[1], &ended) || !ks_trace_seconds_to_us (ended, &ended))
    return ks_trace_bad_row (reader, file, line, error,
                             "task end time '%s' is not an integer (seconds)", f[1]);
  if (!ks_trace_parse_int64 (f[2], &job) || job < 0)
    return ks_trace_bad_row (reader, file, line, error, "job id '%s' is not a non-negative integer",
                             f[2]);
  if (!ks_trace_parse_int64 (f[3], &task) || task < 0)
    return ks_trace_bad_row (reader, file, line, error,
                             "task id '%s' is not a non-negative integer", f[3]);
  if (!ks_trace_parse_int64 (f[4], &instances) || instances < 0)
    return ks_trace_bad_row (reader, file, line, error,
                             "number of instances '%s' is not a non-negative integer", f[4]);
  status = f[5];
  if (!is_one_of (status, task_statuses))
    return ks_trace_bad_row (reader, file, line, error,
                             "unknown status '%s' (Terminated, Failed, Running, Waiting, "
                             "Cancelled or Interrupted)",
                             status);
  /* Requests are empty for most Waiting tasks: "not given", not zero. */
  if (f[6][0] != '\0'
      && (!ks_trace_parse_int64 (f[6], &cpus) || cpus < 0 || cpus > G_MAXINT64 / 10))
    return ks_trace_bad_row (reader, file, line, error,
                             "cpus '%s' is not a non-negative integer (hundredths of a core)",
                             f[6]);
  if (f[7][0] != '\0' && !scale_memory (f[7], state->machine_memory, &memory))
    return ks_trace_bad_row (reader, file, line, error,
                             "normalized memory '%s' is not a non-negative number", f[7]);
  /* A task created before the trace window (negative create time) is there when it opens. */
  if (created < 0)
    created = 0;
  if (strcmp (status, "Running") != 0)
    {
      if (ended < 0)
        return ks_trace_bad_row (reader, file, line, error,
                                 "task ended before the trace window (end time %s s)", f[1]);
      if (ended < created)
        return ks_trace_bad_row (reader, file, line, error,
                                 "task end time %s is before its create time %s", f[1], f[0]);
    }
  if (instances == 0)
    return TRUE;

  g_string_printf (state->job, "%" G_GINT64_FORMAT, job);
  g_string_printf (state->id, "%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, job, task);
  record.op = KS_TRACE_POD_SUBMIT;
  record.time = created;
  record.id = state->id->str;
  record.job = state->job->str;
  record.cpu_milli = cpus >= 0 ? cpus * 10 : -1;
  record.memory_bytes = memory;
  record.gpu = 0;
  record.gpu_milli = -1;
  /* A run time only for tasks that finished by themselves: replay runs a pod with one to its
     end and success, while a failed task's end (and exit code) is its POD_END's, counted from
     its start. */
  record.runtime = strcmp (status, "Terminated") == 0 ? ended - created : -1;
  record.file = file;
  record.line = line;
  /* The table's create time is the only start it gives: a task that ran started then, so that
     replay counts the run time from the pod's actual start. */
  if (strcmp (status, "Terminated") == 0 || strcmp (status, "Failed") == 0)
    ks_trace_queue_push_started (state->rows.reorder, &record, (guint64) instances);
  else
    ks_trace_queue_push (state->rows.reorder, &record, (guint64) instances);

  /* Running tasks have not ended (their end time is 0); the others end at their end time. */
  if (strcmp (status, "Running") != 0)
    {
      record.op = KS_TRACE_POD_END;
      record.time = ended;
      record.event_name = status;
      record.cpu_milli = record.memory_bytes = record.gpu = -1;
      record.runtime = -1;
      record.outcome = strcmp (status, "Terminated") == 0 ? KS_TRACE_OUTCOME_SUCCEEDED
                       : strcmp (status, "Failed") == 0   ? KS_TRACE_OUTCOME_FAILED
                                                          : KS_TRACE_OUTCOME_KILLED;
      ks_trace_queue_push (state->rows.later, &record, (guint64) instances);
    }
  return TRUE;
}

typedef enum
{
  TABLE_UNKNOWN,
  TABLE_TASKS,
  TABLE_SERVERS,
} TableKind;

/* Which table a file is: by its name, else by its first row (a header naming task_create_time,
 * or the column count and the status or event column). */
static TableKind
classify (const char *path, const KsCsvRow *first, gboolean *header)
{
  g_autofree char *base = g_path_get_basename (path);
  gint64 number;

  /* Only a row that names the columns is a header: a malformed first row is a bad row. */
  *header = first->n_fields > 0 && !ks_trace_parse_int64 (first->fields[0], &number)
            && (ks_trace_csv_column (first, "task_create_time") >= 0
                || ks_trace_csv_column (first, "timestamp") >= 0);
  if (strstr (base, "batch_task") != NULL)
    return TABLE_TASKS;
  if (strstr (base, "server_event") != NULL)
    return TABLE_SERVERS;
  if (*header)
    return ks_trace_csv_column (first, "task_create_time") >= 0 ? TABLE_TASKS : TABLE_UNKNOWN;
  if (first->n_fields == 8 && is_one_of (first->fields[5], task_statuses))
    return TABLE_TASKS;
  if (first->n_fields == 7 && is_one_of (first->fields[2], machine_events))
    return TABLE_SERVERS;
  return TABLE_UNKNOWN;
}

static gpointer
a17_open (KsTraceReader *reader, const char *const *given, guint n_given,
          const KsTraceOptions *options, GError **error)
{
  static const char *const tables[] = { "batch_task", "server_event", NULL };
  g_auto (GStrv) expanded = ks_trace_expand_tables (given, n_given, tables);
  const char *const *paths = (const char *const *) expanded;
  guint n_paths = g_strv_length (expanded);
  State *state = g_new0 (State, 1);

  ks_trace_queue_rows_init (&state->rows, task_row, MAX (options->reorder_window, MIN_WINDOW));
  state->machine_memory
      = options->machine_memory > 0 ? options->machine_memory : KS_TRACE_DEFAULT_MACHINE_MEMORY;
  state->id = g_string_new (NULL);
  state->job = g_string_new (NULL);
  for (guint i = 0; i < n_paths; i++)
    {
      g_autoptr (KsTraceInput) input = ks_trace_input_open (&paths[i], 1, error);
      KsCsvRow row;
      GError *local = NULL;
      gboolean header, ok = TRUE;
      TableKind kind;

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
      kind = classify (paths[i], &row, &header);
      if (kind == TABLE_UNKNOWN)
        {
          g_set_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT,
                       "%s: neither an Alibaba 2017 batch_task table (8 columns: create time, "
                       "end time, job id, task id, instances, status, cpus, memory) nor a "
                       "server_event table (7 columns: timestamp, machine id, add|remove|"
                       "softerror|harderror, ...)",
                       paths[i]);
          goto fail;
        }
      if (kind == TABLE_TASKS)
        {
          if (state->rows.input != NULL)
            {
              g_set_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT,
                           "%s: a second batch_task table (give its parts as one directory)",
                           paths[i]);
              goto fail;
            }
          state->rows.input = g_steal_pointer (&input);
          state->rows.pending = !header;
          state->rows.first = row;
          continue;
        }
      /* Machine events are few (one per machine and failure): load them now, sorted by the
         queue, so that they merge with the tasks by time. */
      if (!header)
        ok = server_row (state, reader, input, &row, &local);
      while (ok && ks_trace_input_next_csv (input, &row, &local))
        ok = server_row (state, reader, input, &row, &local);
      if (local != NULL)
        {
          g_propagate_error (error, local);
          goto fail;
        }
    }
  if (state->rows.input == NULL)
    state->rows.done = TRUE;
  return state;

fail:
  state_free (state);
  return NULL;
}

const KsTraceFormat ks_trace_format_alibaba_2017 = {
  .name = "alibaba-2017",
  .open = a17_open,
  .step = ks_trace_queue_rows_step,
  .free = state_free,
  .get_input = ks_trace_queue_rows_get_input,
  .orders_itself = TRUE, /* batch_task's reorder queue, merged with server_event's */
};
