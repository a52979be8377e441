/* ks-trace-google-2011.c: the Google clusterdata-2011-2 trace (docs/traces.md "google-2011").
 *
 * task_events (13 columns), and machine_events (6) and job_events (8) when given: headerless CSV,
 * usually gzip parts.  The tables are each sorted by time, so they are merged here row by row
 * (the smallest pending time first; machines before jobs before tasks at equal times) and the
 * reorder window has nothing to repair.  Resources are fractions of the largest machine, scaled
 * by the options' reference machine.  Nothing is remembered per task: a task's identity is its
 * job and index, so a resubmission reuses it without any state here. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ks-trace-merge.h"
#include "ks-trace-objects.h"

/* Times: 0 is "before the trace window" (kept as 0), 2^63-1 "after it" (the event did not happen
   within the trace: not emitted). */
#define AFTER_WINDOW G_MAXINT64

typedef enum
{
  TABLE_MACHINE, /* first: at equal times, nodes exist before the pods that use them */
  TABLE_JOB,
  TABLE_TASK,
  N_TABLES,
} Table;

static const guint table_columns[N_TABLES] = { 6, 8, 13 };

/* Other tables of the trace, refused by name rather than read as task events. */
static const char *const unread_tables[]
    = { "task_usage", "task_constraints", "machine_attributes", NULL };

static const char *const task_event_names[] = {
  "SUBMIT", "SCHEDULE", "EVICT",          "FAIL",           "FINISH",
  "KILL",   "LOST",     "UPDATE_PENDING", "UPDATE_RUNNING",
};

/* What each task event type gives: the record's op and, for the ends, the outcome. */
static const struct
{
  KsTraceOp op;
  KsTraceOutcome outcome;
} pod_event_ops[G_N_ELEMENTS (task_event_names)] = {
  { KS_TRACE_POD_SUBMIT, KS_TRACE_OUTCOME_NONE },   { KS_TRACE_POD_START, KS_TRACE_OUTCOME_NONE },
  { KS_TRACE_POD_END, KS_TRACE_OUTCOME_EVICTED },   { KS_TRACE_POD_END, KS_TRACE_OUTCOME_FAILED },
  { KS_TRACE_POD_END, KS_TRACE_OUTCOME_SUCCEEDED }, { KS_TRACE_POD_END, KS_TRACE_OUTCOME_KILLED },
  { KS_TRACE_POD_END, KS_TRACE_OUTCOME_LOST },      { KS_TRACE_POD_UPDATE, KS_TRACE_OUTCOME_NONE },
  { KS_TRACE_POD_UPDATE, KS_TRACE_OUTCOME_NONE },
};

static const char *const machine_event_names[] = { "ADD", "REMOVE", "UPDATE" };
static const char *const job_event_names[] = {
  "SUBMIT", "SCHEDULE", "EVICT",          "FAIL",           "FINISH",
  "KILL",   "LOST",     "UPDATE_PENDING", "UPDATE_RUNNING",
};

/* A table: its pending row, valid until the next fill of the table. */
typedef struct
{
  KsTraceMergeTable merge;
  KsCsvRow row;
} CsvTable;

typedef struct
{
  KsTraceMerge merge; /* first: the state is the merge's (ks_trace_merge_step) */
  KsTraceOptions options;
  CsvTable tables[N_TABLES];
  char id[64];
  char job[32];
} State;

static const KsTraceMergeClass table_classes[N_TABLES];

static void
state_free (gpointer data)
{
  State *state = data;

  if (state == NULL)
    return;
  ks_trace_merge_clear (&state->merge);
  g_free (state);
}

static gpointer
google_2011_open (KsTraceReader *reader, const char *const *paths, guint n_paths,
                  const KsTraceOptions *options, GError **error)
{
  State *state = g_new0 (State, 1);

  (void) reader;
  state->options = *options;
  for (int t = 0; t < N_TABLES; t++)
    ks_trace_merge_add (&state->merge, &state->tables[t].merge, &table_classes[t], state);
  if (!ks_trace_merge_open (&state->merge, "google-2011", paths, n_paths, TABLE_TASK, unread_tables,
                            error))
    g_clear_pointer (&state, state_free);
  return state;
}

static gint64
scale (double fraction, double reference)
{
  return (gint64) llround (fraction * reference);
}

/* An optional normalized resource: -1 when empty; FALSE when not a number ≥ 0. */
static gboolean
parse_resource (const char *field, double reference, gint64 *out)
{
  double value;

  if (field[0] == '\0')
    {
      *out = -1;
      return TRUE;
    }
  if (!ks_trace_parse_double (field, &value) || value < 0)
    return FALSE;
  *out = scale (value, reference);
  return TRUE;
}

/* The PriorityClass band of a 2011 priority (ks-trace-objects.h: the same bands replay creates). */
static const char *
band (gint64 priority)
{
  return ks_trace_google_band ((int) CLAMP (priority, G_MININT, G_MAXINT), FALSE);
}

/* Decimal digits of value ≥ 0 at out; returns the end (not terminated). */
static char *
put_decimal (char *out, gint64 value)
{
  char digits[24];
  int n = 0;

  do
    {
      digits[n++] = (char) ('0' + value % 10);
      value /= 10;
    }
  while (value > 0);
  while (n > 0)
    *out++ = digits[--n];
  return out;
}

#define BAD(...)                                                                                   \
  ks_trace_bad_row (reader, ks_trace_input_get_file (table->merge.input),                          \
                    ks_trace_input_get_line (table->merge.input), error, __VA_ARGS__)

static gboolean
parse_event_type (const char *field, guint n_types, gint64 *out)
{
  return ks_trace_parse_int64 (field, out) && *out >= 0 && *out < (gint64) n_types;
}

/* One task_events row: SUBMIT, SCHEDULE, the ends and the updates. */
static gboolean
task_row (KsTraceMergeTable *merge, KsTraceReader *reader, GError **error)
{
  CsvTable *table = (CsvTable *) merge;
  State *state = merge->data;
  const char *const *f = table->row.fields;
  gint64 job, index, type, priority, missing;
  KsTraceRecord record = { 0 };
  char *end;

  if (!ks_trace_parse_int64 (f[2], &job) || job < 0)
    return BAD ("job ID \"%s\" is not an integer ≥ 0 (column 3 of task_events)", f[2]);
  if (!ks_trace_parse_int64 (f[3], &index) || index < 0)
    return BAD ("task index \"%s\" is not an integer ≥ 0 (column 4 of task_events)", f[3]);
  if (!parse_event_type (f[5], G_N_ELEMENTS (task_event_names), &type))
    return BAD ("event type \"%s\" is not one of 0 SUBMIT … 8 UPDATE_RUNNING (column 6 of "
                "task_events)",
                f[5]);
  if (!ks_trace_parse_int64 (f[8], &priority) || priority < 0)
    return BAD ("priority \"%s\" is not an integer ≥ 0 (column 9 of task_events)", f[8]);
  /* The missing-info code (column 2) only says why requests may be missing; checked, not used. */
  if (f[1][0] != '\0' && !ks_trace_parse_int64 (f[1], &missing))
    return BAD ("missing info \"%s\" is not an integer (column 2 of task_events)", f[1]);
  if (!parse_resource (f[9], state->options.machine_cpu * 1000, &record.cpu_milli))
    return BAD ("CPU request \"%s\" is not a number ≥ 0 (column 10 of task_events)", f[9]);
  if (!parse_resource (f[10], (double) state->options.machine_memory, &record.memory_bytes))
    return BAD ("memory request \"%s\" is not a number ≥ 0 (column 11 of task_events)", f[10]);
  if (table->merge.time == AFTER_WINDOW)
    return TRUE;
  /* "<job>-<index>" without printf: this runs for every row. */
  *put_decimal (state->job, job) = '\0';
  end = put_decimal (state->id, job);
  *end++ = '-';
  *put_decimal (end, index) = '\0';
  record.id = state->id;
  record.job = state->job;
  record.event_name = task_event_names[type];
  record.gpu = -1;
  record.gpu_milli = -1;
  record.priority = (int) MIN (priority, G_MAXINT);
  record.priority_class = band (priority);
  record.runtime = -1;
  record.op = pod_event_ops[type].op;
  record.outcome = pod_event_ops[type].outcome;
  ks_trace_merge_emit (merge, reader, &record);
  return TRUE;
}

/* One machine_events row: ADD, REMOVE, UPDATE. */
static gboolean
machine_row (KsTraceMergeTable *merge, KsTraceReader *reader, GError **error)
{
  CsvTable *table = (CsvTable *) merge;
  State *state = merge->data;
  const char *const *f = table->row.fields;
  gint64 machine, type;
  KsTraceRecord record = { 0 };

  if (!ks_trace_parse_int64 (f[1], &machine) || machine < 0)
    return BAD ("machine ID \"%s\" is not an integer ≥ 0 (column 2 of machine_events)", f[1]);
  if (!parse_event_type (f[2], G_N_ELEMENTS (machine_event_names), &type))
    return BAD ("event type \"%s\" is not one of 0 ADD, 1 REMOVE, 2 UPDATE (column 3 of "
                "machine_events)",
                f[2]);
  if (!parse_resource (f[4], state->options.machine_cpu * 1000, &record.cpu_milli))
    return BAD ("CPUs \"%s\" is not a number ≥ 0 (column 5 of machine_events)", f[4]);
  if (!parse_resource (f[5], (double) state->options.machine_memory, &record.memory_bytes))
    return BAD ("memory \"%s\" is not a number ≥ 0 (column 6 of machine_events)", f[5]);
  if (table->merge.time == AFTER_WINDOW)
    return TRUE;
  g_snprintf (state->id, sizeof state->id, "machine-%" G_GINT64_FORMAT, machine);
  record.op = type == 0   ? KS_TRACE_NODE_ADD
              : type == 1 ? KS_TRACE_NODE_REMOVE
                          : KS_TRACE_NODE_UPDATE;
  record.id = state->id;
  record.event_name = machine_event_names[type];
  record.gpu = -1;
  record.gpu_milli = -1;
  record.runtime = -1;
  ks_trace_merge_emit (merge, reader, &record);
  return TRUE;
}

/* One job_events row: checked and counted; it gives no record (every task event names its job,
   and replay needs nothing else from the job table). */
static gboolean
job_row (KsTraceMergeTable *merge, KsTraceReader *reader, GError **error)
{
  CsvTable *table = (CsvTable *) merge;
  const char *const *f = table->row.fields;
  gint64 job, type;

  if (!ks_trace_parse_int64 (f[2], &job) || job < 0)
    return BAD ("job ID \"%s\" is not an integer ≥ 0 (column 3 of job_events)", f[2]);
  if (!parse_event_type (f[3], G_N_ELEMENTS (job_event_names), &type))
    return BAD ("event type \"%s\" is not one of 0 SUBMIT … 8 UPDATE_RUNNING (column 4 of "
                "job_events)",
                f[3]);
  return TRUE;
}

/* Read a table's next row and check its width and time. */
static KsTraceMergeFill
fill (KsTraceMergeTable *merge, KsTraceReader *reader, gint64 *time, GError **error)
{
  CsvTable *table = (CsvTable *) merge;
  Table t = (Table) (merge->klass - table_classes);
  GError *local = NULL;

  if (!ks_trace_input_next_csv (merge->input, &table->row, &local))
    {
      if (local == NULL)
        return KS_TRACE_MERGE_END;
      g_propagate_error (error, local);
      return KS_TRACE_MERGE_FAIL;
    }
  ks_trace_count_row (reader);
  if (table->row.n_fields != table_columns[t])
    return BAD ("expected %u columns (%s), found %u", table_columns[t], table_classes[t].name,
                table->row.n_fields)
               ? KS_TRACE_MERGE_SKIP
               : KS_TRACE_MERGE_FAIL;
  if (!ks_trace_parse_int64 (table->row.fields[0], time) || *time < 0)
    return BAD ("time \"%s\" is not an integer ≥ 0 (µs, column 1 of %s)", table->row.fields[0],
                table_classes[t].name)
               ? KS_TRACE_MERGE_SKIP
               : KS_TRACE_MERGE_FAIL;
  return KS_TRACE_MERGE_ROW;
}

static const KsTraceMergeClass table_classes[N_TABLES] = {
  [TABLE_MACHINE] = { "machine_events", fill, machine_row },
  [TABLE_JOB] = { "job_events", fill, job_row },
  [TABLE_TASK] = { "task_events", fill, task_row },
};

const KsTraceFormat ks_trace_format_google_2011 = {
  .name = "google-2011",
  .open = google_2011_open,
  .step = ks_trace_merge_step,
  .free = state_free,
  .get_input = ks_trace_merge_get_input,
};
