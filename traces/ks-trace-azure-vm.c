/* ks-trace-azure-vm.c: the Azure Public Dataset VM table (vmtable.csv, V1 2017 and V2 2019): one
 * row per VM with its creation and deletion times, its size and its category.  V1 gives the core
 * count and memory in GB; V2 gives buckets ("2", "4", "8", "24", ">24"; memory "2" … ">64").
 * Both have these 11 columns and no header; a header naming them (vmid, vmcreated, ...) is also
 * accepted.  docs/traces.md has the mapping. */
#include "config.h"

#include "ks-trace-queue.h"

#include <math.h>
#include <string.h>

enum
{
  COL_VMID,
  COL_SUBSCRIPTION,
  COL_DEPLOYMENT,
  COL_CREATED,
  COL_DELETED,
  COL_MAX_CPU,
  COL_AVG_CPU,
  COL_P95_CPU,
  COL_CATEGORY,
  COL_CORES,
  COL_MEMORY,
  N_COLUMNS
};

/* Header names (V1 and V2 spellings) for each column. */
static const char *const column_names[N_COLUMNS][3] = {
  { "vmid", "vm_id", NULL },
  { "subscriptionid", "subscription_id", NULL },
  { "deploymentid", "deployment_id", NULL },
  { "vmcreated", "timestamp_vm_created", NULL },
  { "vmdeleted", "timestamp_vm_deleted", NULL },
  { "maxcpu", NULL, NULL },
  { "avgcpu", NULL, NULL },
  { "p95maxcpu", NULL, NULL },
  { "vmcategory", NULL, NULL },
  { "vmcorecount", "vmcorecountbucket", NULL },
  { "vmmemory", "vmmemorybucket", NULL },
};

typedef struct
{
  KsTraceQueueRows rows;
  int columns[N_COLUMNS];
  guint n_columns;
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

/* A short stable name for an encrypted (base64) id: base64 is case-sensitive and has '/' and
 * '+', so it cannot be lower-cased into a DNS name without collisions.  The 64-bit FNV-1a hash of
 * the id, in 16 hex digits, can: a collision among the 2.7 million VMs of V2 has a chance of
 * about 2 in 10 million.  (SHA-256 took half the reader's time.) */
static void
hashed_name (GString *out, const char *prefix, const char *value)
{
  guint64 h = G_GUINT64_CONSTANT (14695981039346656037);

  for (const char *p = value; *p != '\0'; p++)
    h = (h ^ (guint8) *p) * G_GUINT64_CONSTANT (1099511628211);
  char hex[18];

  /* By hand: printf (and the allocation behind g_string_append_printf) was a tenth of the
     reader's time. */
  hex[0] = '-';
  for (int i = 16; i >= 1; i--, h >>= 4)
    hex[i] = "0123456789abcdef"[h & 0xf];
  hex[17] = '\0';
  g_string_truncate (out, 0);
  g_string_append (out, prefix);
  g_string_append_len (out, hex, 17);
}

/* A core count or memory size: a number (V1) or a bucket ("8", ">24": V2, the bucket's bound). */
static gboolean
parse_size (const char *value, double *out)
{
  while (*value == ' ')
    value++;
  if (*value == '>')
    value++;
  return ks_trace_parse_double (value, out) && *out >= 0 && isfinite (*out);
}

static gboolean
azure_row (gpointer data, KsTraceReader *reader, const KsCsvRow *row, GError **error)
{
  State *state = data;
  const char *file = ks_trace_input_get_file (state->rows.input);
  guint64 line = ks_trace_input_get_line (state->rows.input);
  const char *const *f = row->fields;
  const int *c = state->columns;
  KsTraceRecord record = { 0 };
  gint64 created, deleted;
  double cores, memory;

  ks_trace_count_row (reader);
  if (row->n_fields != state->n_columns)
    return ks_trace_bad_row (reader, file, line, error,
                             "%u columns where a vmtable has %u (vmid, subscriptionid, "
                             "deploymentid, vmcreated, vmdeleted, maxcpu, avgcpu, p95maxcpu, "
                             "vmcategory, vmcorecount, vmmemory)",
                             row->n_fields, state->n_columns);
  if (f[c[COL_VMID]][0] == '\0')
    return ks_trace_bad_row (reader, file, line, error, "empty vmid");
  if (!ks_trace_parse_int64 (f[c[COL_CREATED]], &created) || created < 0
      || !ks_trace_seconds_to_us (created, &created))
    return ks_trace_bad_row (reader, file, line, error,
                             "vmcreated '%s' is not a non-negative integer (seconds)",
                             f[c[COL_CREATED]]);
  if (!ks_trace_parse_int64 (f[c[COL_DELETED]], &deleted) || deleted < 0
      || !ks_trace_seconds_to_us (deleted, &deleted))
    return ks_trace_bad_row (reader, file, line, error,
                             "vmdeleted '%s' is not a non-negative integer (seconds)",
                             f[c[COL_DELETED]]);
  if (deleted < created)
    return ks_trace_bad_row (reader, file, line, error, "vmdeleted %s is before vmcreated %s",
                             f[c[COL_DELETED]], f[c[COL_CREATED]]);
  if (!parse_size (f[c[COL_CORES]], &cores) || cores > 1e6)
    return ks_trace_bad_row (reader, file, line, error,
                             "vmcorecount '%s' is not a core count or bucket (8, >24)",
                             f[c[COL_CORES]]);
  if (!parse_size (f[c[COL_MEMORY]], &memory) || memory > 1e6)
    return ks_trace_bad_row (reader, file, line, error,
                             "vmmemory '%s' is not a size in GB or bucket (1.75, 32, >64)",
                             f[c[COL_MEMORY]]);

  hashed_name (state->id, "vm", f[c[COL_VMID]]);
  if (f[c[COL_DEPLOYMENT]][0] != '\0')
    hashed_name (state->job, "deployment", f[c[COL_DEPLOYMENT]]);
  record.op = KS_TRACE_POD_SUBMIT;
  record.time = created;
  record.id = state->id->str;
  record.job = f[c[COL_DEPLOYMENT]][0] != '\0' ? state->job->str : NULL;
  record.cpu_milli = (gint64) llround (cores * 1000);
  /* Azure sizes are in GiB (an A1's "1.75 GB" is 1792 MiB). */
  record.memory_bytes = (gint64) llround (memory * (1 << 30));
  record.gpu = 0;
  record.gpu_milli = -1;
  record.runtime = deleted - created;
  record.file = file;
  record.line = line;
  ks_trace_queue_emit_now (state->rows.later, reader, &record, 0);
  /* A VM runs from its creation: replay counts its lifetime from its actual start. */
  record.op = KS_TRACE_POD_START;
  record.cpu_milli = record.memory_bytes = record.gpu = -1;
  record.runtime = -1;
  ks_trace_queue_emit_now (state->rows.later, reader, &record, 0);

  record.op = KS_TRACE_POD_END;
  record.time = deleted;
  record.cpu_milli = record.memory_bytes = record.gpu = -1;
  record.runtime = -1;
  record.outcome = KS_TRACE_OUTCOME_SUCCEEDED;
  ks_trace_queue_push (state->rows.later, &record, 0);
  return TRUE;
}

static gpointer
azure_open (KsTraceReader *reader, const char *const *paths, guint n_paths,
            const KsTraceOptions *options, GError **error)
{
  State *state = g_new0 (State, 1);
  KsCsvRow row;
  GError *local = NULL;
  double number;

  (void) reader;
  ks_trace_queue_rows_init (&state->rows, azure_row, options->reorder_window);
  state->id = g_string_new (NULL);
  state->job = g_string_new (NULL);
  state->rows.input = ks_trace_input_open (paths, n_paths, error);
  if (state->rows.input == NULL)
    goto fail;
  if (!ks_trace_input_next_csv (state->rows.input, &row, &local))
    {
      /* An empty table is an empty trace. */
      if (local != NULL)
        {
          g_propagate_error (error, local);
          goto fail;
        }
      state->rows.done = TRUE;
      return state;
    }
  for (int i = 0; i < N_COLUMNS; i++)
    state->columns[i] = i;
  state->n_columns = N_COLUMNS;
  if (row.n_fields > COL_CREATED && !ks_trace_parse_double (row.fields[COL_CREATED], &number))
    {
      /* A header: find each column by name. */
      state->n_columns = row.n_fields;
      for (int i = 0; i < N_COLUMNS; i++)
        {
          state->columns[i] = -1;
          for (int j = 0; j < 3 && column_names[i][j] != NULL && state->columns[i] < 0; j++)
            state->columns[i] = ks_trace_csv_column (&row, column_names[i][j]);
          if (state->columns[i] < 0 && i != COL_MAX_CPU && i != COL_AVG_CPU && i != COL_P95_CPU
              && i != COL_CATEGORY && i != COL_SUBSCRIPTION)
            {
              g_set_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT,
                           "%s:%" G_GUINT64_FORMAT ": not an Azure vmtable: the header has no "
                           "%s column (a vmtable has vmid, subscriptionid, deploymentid, "
                           "vmcreated, vmdeleted, maxcpu, avgcpu, p95maxcpu, vmcategory, "
                           "vmcorecount[bucket], vmmemory[bucket])",
                           ks_trace_input_get_file (state->rows.input),
                           ks_trace_input_get_line (state->rows.input), column_names[i][0]);
              goto fail;
            }
        }
      return state;
    }
  if (row.n_fields != N_COLUMNS)
    {
      /* The first row decides: vm_cpu_readings (5 columns) and other tables are not VM lists. */
      g_set_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT,
                   "%s:%" G_GUINT64_FORMAT ": not an Azure vmtable: %u columns where a vmtable "
                   "has 11 (vm_cpu_readings files hold utilization, which replay does not use)",
                   ks_trace_input_get_file (state->rows.input),
                   ks_trace_input_get_line (state->rows.input), row.n_fields);
      goto fail;
    }
  state->rows.pending = TRUE;
  state->rows.first = row;
  return state;

fail:
  state_free (state);
  return NULL;
}

const KsTraceFormat ks_trace_format_azure_vm = {
  .name = "azure-vm",
  .open = azure_open,
  .step = ks_trace_queue_rows_step,
  .free = state_free,
  .get_input = ks_trace_queue_rows_get_input,
};
