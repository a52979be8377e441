/* ks-trace-alibaba-gpu-2023.c: the "openb" GPU cluster trace (Alibaba cluster-trace-gpu-v2023):
 * a node list (sn, cpu_milli, memory_mib, gpu, model) and a pod list (name, cpu_milli,
 * memory_mib, num_gpu, gpu_milli, gpu_spec, qos, pod_phase, creation_time, deletion_time,
 * scheduled_time), both CSV with a header that decides which file is which and where each column
 * is (the multigpu50 pod list has only the first five).  docs/traces.md has the mapping. */
#include "config.h"

#include "ks-trace-queue.h"

#include <string.h>

typedef enum
{
  TABLE_NODES,
  TABLE_PODS,
} TableKind;

typedef struct
{
  TableKind kind;
  KsTraceInput *input;
  char *path;
  /* Column positions from the header; -1 when the file has no such column. */
  int name, cpu, memory, gpu, gpu_milli, gpu_spec, phase, created, deleted, scheduled, model;
  guint n_columns;
} Table;

typedef struct
{
  GPtrArray *pod_tables; /* of Table, read one after the other */
  guint current;
  KsTraceQueue *reorder; /* submits */
  KsTraceQueue *later;   /* nodes, starts and ends */
  guint window;
  GString *id;
} State;

static void
table_free (gpointer data)
{
  Table *table = data;

  if (table == NULL)
    return;
  ks_trace_input_free (table->input);
  g_free (table->path);
  g_free (table);
}

static void
state_free (gpointer data)
{
  State *state = data;

  if (state == NULL)
    return;
  g_ptr_array_unref (state->pod_tables);
  ks_trace_queue_free (state->reorder);
  ks_trace_queue_free (state->later);
  g_string_free (state->id, TRUE);
  g_free (state);
}

/* A field of row at column (NULL when the file has no such column). */
static const char *
field (const KsCsvRow *row, int column)
{
  return column >= 0 && (guint) column < row->n_fields ? row->fields[column] : NULL;
}

static gboolean
is_empty (const char *value)
{
  if (value == NULL)
    return TRUE;
  while (*value == ' ')
    value++;
  return *value == '\0' || g_ascii_strcasecmp (value, "nan") == 0;
}

/* Parse an optional integer column: missing or empty gives fallback; anything else must be a
 * non-negative integer. */
static gboolean
parse_count (const char *value, gint64 fallback, gint64 *out)
{
  if (is_empty (value))
    {
      *out = fallback;
      return TRUE;
    }
  return ks_trace_parse_int64 (value, out) && *out >= 0;
}

static Table *
open_table (const char *path, GError **error)
{
  const char *paths[] = { path };
  g_autoptr (KsTraceInput) input = ks_trace_input_open (paths, 1, error);
  KsCsvRow header;
  GError *local = NULL;
  Table *table;

  if (input == NULL)
    return NULL;
  if (!ks_trace_input_next_csv (input, &header, &local))
    {
      if (local != NULL)
        g_propagate_error (error, local);
      else
        g_set_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT,
                     "%s: empty file: an openb node list (header sn,cpu_milli,memory_mib,gpu,"
                     "model) or pod list (header name,cpu_milli,memory_mib,...) was expected",
                     path);
      return NULL;
    }
  table = g_new0 (Table, 1);
  table->path = g_strdup (path);
  table->n_columns = header.n_fields;
  table->cpu = ks_trace_csv_column (&header, "cpu_milli");
  table->memory = ks_trace_csv_column (&header, "memory_mib");
  if (ks_trace_csv_column (&header, "sn") >= 0)
    {
      table->kind = TABLE_NODES;
      table->name = ks_trace_csv_column (&header, "sn");
      table->gpu = ks_trace_csv_column (&header, "gpu");
      table->model = ks_trace_csv_column (&header, "model");
      table->gpu_milli = table->gpu_spec = table->phase = -1;
      table->created = table->deleted = table->scheduled = -1;
    }
  else
    {
      table->kind = TABLE_PODS;
      table->name = ks_trace_csv_column (&header, "name");
      table->gpu = ks_trace_csv_column (&header, "num_gpu");
      table->gpu_milli = ks_trace_csv_column (&header, "gpu_milli");
      table->gpu_spec = ks_trace_csv_column (&header, "gpu_spec");
      table->phase = ks_trace_csv_column (&header, "pod_phase");
      table->created = ks_trace_csv_column (&header, "creation_time");
      table->deleted = ks_trace_csv_column (&header, "deletion_time");
      table->scheduled = ks_trace_csv_column (&header, "scheduled_time");
      table->model = -1;
    }
  if (table->name < 0 || table->cpu < 0 || table->memory < 0)
    {
      g_set_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT,
                   "%s:%" G_GUINT64_FORMAT ": not an openb node or pod list: the header must "
                   "name sn, cpu_milli and memory_mib (nodes) or name, cpu_milli and memory_mib "
                   "(pods)",
                   path, ks_trace_input_get_line (input));
      table_free (table);
      return NULL;
    }
  table->input = g_steal_pointer (&input);
  return table;
}

/* The columns node and pod lists share: their number, the name, cpu_milli and memory_mib (MiB
 * that fit in bytes).  NULL when they are good, else why the row is bad. */
static char *
check_shared_columns (const Table *table, const KsCsvRow *row, gint64 *cpu, gint64 *memory)
{
  if (row->n_fields != table->n_columns)
    return g_strdup_printf ("%u columns where the header has %u", row->n_fields, table->n_columns);
  if (is_empty (field (row, table->name)))
    return g_strdup (table->kind == TABLE_NODES ? "empty node name (column sn)"
                                                : "empty pod name (column name)");
  if (!ks_trace_parse_int64 (field (row, table->cpu), cpu) || *cpu < 0)
    return g_strdup_printf ("cpu_milli '%s' is not a non-negative integer",
                            field (row, table->cpu));
  if (!ks_trace_parse_int64 (field (row, table->memory), memory) || *memory < 0
      || *memory > G_MAXINT64 / (1 << 20))
    return g_strdup_printf ("memory_mib '%s' is not a non-negative integer",
                            field (row, table->memory));
  return NULL;
}

/* One node row: a NODE_ADD at time 0 into the later queue.  FALSE only for a strict bad row. */
static gboolean
node_row (State *state, KsTraceReader *reader, Table *table, const KsCsvRow *row, GError **error)
{
  const char *file = ks_trace_input_get_file (table->input);
  guint64 line = ks_trace_input_get_line (table->input);
  KsTraceRecord record = { 0 };
  gint64 cpu, memory, gpu;
  g_auto (GStrv) models = NULL;

  g_autofree char *bad = NULL;

  ks_trace_count_row (reader);
  bad = check_shared_columns (table, row, &cpu, &memory);
  if (bad != NULL)
    return ks_trace_bad_row (reader, file, line, error, "%s", bad);
  if (!parse_count (field (row, table->gpu), 0, &gpu))
    return ks_trace_bad_row (reader, file, line, error, "gpu '%s' is not a non-negative integer",
                             field (row, table->gpu));
  if (!is_empty (field (row, table->model)))
    models = ks_trace_split_models (field (row, table->model));
  g_string_truncate (state->id, 0);
  ks_trace_append_dns (state->id, field (row, table->name));
  record.op = KS_TRACE_NODE_ADD;
  record.time = 0;
  record.id = state->id->str;
  record.cpu_milli = cpu;
  record.memory_bytes = memory << 20;
  record.gpu = gpu;
  record.gpu_milli = -1;
  record.gpu_models = (const char *const *) models;
  record.runtime = -1;
  record.file = file;
  record.line = line;
  ks_trace_queue_push (state->later, &record, 0);
  return TRUE;
}

/* An optional time column in seconds: *present FALSE when missing or empty. */
static gboolean
parse_time (const char *value, gboolean *present, gint64 *us)
{
  gint64 seconds;

  *present = FALSE;
  if (is_empty (value))
    return TRUE;
  if (!ks_trace_parse_int64 (value, &seconds) || seconds < 0
      || !ks_trace_seconds_to_us (seconds, us))
    return FALSE;
  *present = TRUE;
  return TRUE;
}

static gboolean
pod_row (State *state, KsTraceReader *reader, Table *table, const KsCsvRow *row, GError **error)
{
  const char *file = ks_trace_input_get_file (table->input);
  guint64 line = ks_trace_input_get_line (table->input);
  KsTraceRecord record = { 0 };
  gint64 cpu, memory, gpu, gpu_milli, created = 0, deleted = 0, scheduled = 0;
  gboolean has_created, has_deleted, has_scheduled;
  const char *phase = field (row, table->phase);
  KsTraceOutcome outcome = KS_TRACE_OUTCOME_SUCCEEDED;
  g_auto (GStrv) models = NULL;

  g_autofree char *bad = NULL;

  ks_trace_count_row (reader);
  bad = check_shared_columns (table, row, &cpu, &memory);
  if (bad != NULL)
    return ks_trace_bad_row (reader, file, line, error, "%s", bad);
  if (!parse_count (field (row, table->gpu), 0, &gpu))
    return ks_trace_bad_row (reader, file, line, error,
                             "num_gpu '%s' is not a non-negative integer", field (row, table->gpu));
  /* Without a gpu_milli column a GPU pod has its GPUs whole. */
  if (!parse_count (field (row, table->gpu_milli), gpu > 0 ? 1000 : 0, &gpu_milli)
      || gpu_milli > 1000)
    return ks_trace_bad_row (reader, file, line, error,
                             "gpu_milli '%s' is not an integer from 0 to 1000",
                             field (row, table->gpu_milli));
  if (!parse_time (field (row, table->created), &has_created, &created))
    return ks_trace_bad_row (reader, file, line, error,
                             "creation_time '%s' is not a non-negative integer (seconds)",
                             field (row, table->created));
  if (!parse_time (field (row, table->deleted), &has_deleted, &deleted))
    return ks_trace_bad_row (reader, file, line, error,
                             "deletion_time '%s' is not a non-negative integer (seconds)",
                             field (row, table->deleted));
  if (!parse_time (field (row, table->scheduled), &has_scheduled, &scheduled))
    return ks_trace_bad_row (reader, file, line, error,
                             "scheduled_time '%s' is not a non-negative integer (seconds)",
                             field (row, table->scheduled));
  if (table->created >= 0 && !has_created)
    return ks_trace_bad_row (reader, file, line, error, "empty creation_time");
  if (has_deleted && deleted < created)
    return ks_trace_bad_row (reader, file, line, error,
                             "deletion_time %s is before creation_time %s",
                             field (row, table->deleted), field (row, table->created));
  if (has_scheduled && scheduled < created)
    return ks_trace_bad_row (reader, file, line, error,
                             "scheduled_time %s is before creation_time %s",
                             field (row, table->scheduled), field (row, table->created));
  if (has_scheduled && has_deleted && deleted < scheduled)
    return ks_trace_bad_row (reader, file, line, error,
                             "deletion_time %s is before scheduled_time %s",
                             field (row, table->deleted), field (row, table->scheduled));
  if (is_empty (phase) || strcmp (phase, "Succeeded") == 0 || strcmp (phase, "Running") == 0)
    outcome = KS_TRACE_OUTCOME_SUCCEEDED;
  else if (strcmp (phase, "Failed") == 0)
    outcome = KS_TRACE_OUTCOME_FAILED;
  else if (strcmp (phase, "Pending") == 0)
    outcome = KS_TRACE_OUTCOME_KILLED;
  else
    return ks_trace_bad_row (reader, file, line, error,
                             "unknown pod_phase '%s' (Pending, Running, Succeeded or Failed)",
                             phase);
  /* A pod that never ran has nothing to place or run, whatever else the row says. */
  if (outcome == KS_TRACE_OUTCOME_KILLED)
    has_scheduled = FALSE;
  if (!is_empty (field (row, table->gpu_spec)))
    models = ks_trace_split_models (field (row, table->gpu_spec));

  g_string_truncate (state->id, 0);
  ks_trace_append_dns (state->id, field (row, table->name));
  record.op = KS_TRACE_POD_SUBMIT;
  record.time = created;
  record.id = state->id->str;
  record.cpu_milli = cpu;
  record.memory_bytes = memory << 20;
  record.gpu = gpu;
  record.gpu_milli = gpu_milli;
  record.gpu_models = (const char *const *) models;
  /* A run time only for pods that ended well: replay runs a pod with one to its end and success,
     while a failed pod's end (and exit code) is its POD_END's, counted from its start. */
  record.runtime = has_scheduled && has_deleted && outcome == KS_TRACE_OUTCOME_SUCCEEDED
                       ? deleted - scheduled
                       : -1;
  record.file = file;
  record.line = line;
  ks_trace_queue_emit_now (state->later, reader, &record, 0);

  record.gpu_models = NULL;
  record.cpu_milli = record.memory_bytes = record.gpu = record.gpu_milli = -1;
  record.runtime = -1;
  if (has_scheduled)
    {
      record.op = KS_TRACE_POD_START;
      record.time = scheduled;
      /* Most pods are placed the second they are created: no need to queue those. */
      if (scheduled == created)
        ks_trace_emit (reader, &record);
      else
        ks_trace_queue_push (state->later, &record, 0);
    }
  if (has_deleted)
    {
      record.op = KS_TRACE_POD_END;
      record.time = deleted;
      record.outcome = outcome;
      record.event_name = is_empty (phase) ? NULL : phase;
      ks_trace_queue_push (state->later, &record, 0);
    }
  return TRUE;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The files to open: each path as given, except that a directory stands for its regular files in
 * name order (except those whose names start with '.', as for other formats).  Upstream keeps two
 * node lists and a dozen pod lists side by side, which are alternative clusters and workloads
 * rather than parts of one: reading them all as one would mix workloads, so a directory must hold
 * at most one list of each kind (checked once the headers are read, by open_tables). */
static GPtrArray *
list_files (const char *const *paths, guint n_paths, GPtrArray *dirs, GError **error)
{
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n_paths; i++)
    {
      g_autoptr (GDir) dir = NULL;
      g_autoptr (GPtrArray) children = NULL;
      const char *name;

      if (strcmp (paths[i], "-") == 0 || !g_file_test (paths[i], G_FILE_TEST_IS_DIR))
        {
          g_ptr_array_add (files, g_strdup (paths[i]));
          g_ptr_array_add (dirs, NULL);
          continue;
        }
      dir = g_dir_open (paths[i], 0, error);
      if (dir == NULL)
        return NULL;
      children = g_ptr_array_new_with_free_func (g_free);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (paths[i], name, NULL);

          if (name[0] != '.' && g_file_test (child, G_FILE_TEST_IS_REGULAR))
            g_ptr_array_add (children, g_steal_pointer (&child));
        }
      if (children->len == 0)
        {
          g_set_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT,
                       "%s: a directory without files: an openb node list and pod list were "
                       "expected",
                       paths[i]);
          return NULL;
        }
      g_ptr_array_sort (children, compare_names);
      for (guint j = 0; j < children->len; j++)
        {
          g_ptr_array_add (files, g_strdup (g_ptr_array_index (children, j)));
          g_ptr_array_add (dirs, (gpointer) paths[i]);
        }
    }
  return g_steal_pointer (&files);
}

/* FALSE (with the error) when the directory dir gave more than one list of kind among tables. */
static gboolean
check_directory (const char *dir, TableKind kind, GPtrArray *tables, GPtrArray *dirs,
                 GError **error)
{
  g_autoptr (GString) names = g_string_new (NULL);
  guint n = 0;

  for (guint i = 0; i < tables->len; i++)
    {
      const Table *table = g_ptr_array_index (tables, i);

      if (g_ptr_array_index (dirs, i) != dir || table->kind != kind)
        continue;
      g_string_append_printf (names, "%s%s", n > 0 ? ", " : "", table->path);
      n++;
    }
  if (n <= 1)
    return TRUE;
  g_set_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT,
               "%s: the directory holds %u openb %s lists (%s): they are alternatives, not parts "
               "of one trace; give the node list and one pod list as files",
               dir, n, kind == TABLE_NODES ? "node" : "pod", names->str);
  return FALSE;
}

/* Every file's table, headers read, in the order given; NULL with the error when a file is not
 * an openb list or a directory mixes lists. */
static GPtrArray *
open_tables (const char *const *paths, guint n_paths, GError **error)
{
  g_autoptr (GPtrArray) dirs = g_ptr_array_new ();
  g_autoptr (GPtrArray) files = list_files (paths, n_paths, dirs, error);
  g_autoptr (GPtrArray) tables = NULL;

  if (files == NULL)
    return NULL;
  tables = g_ptr_array_new_with_free_func (table_free);
  for (guint i = 0; i < files->len; i++)
    {
      Table *table = open_table (g_ptr_array_index (files, i), error);

      if (table == NULL)
        return NULL;
      g_ptr_array_add (tables, table);
    }
  for (guint i = 0; i < n_paths; i++)
    if (!check_directory (paths[i], TABLE_NODES, tables, dirs, error)
        || !check_directory (paths[i], TABLE_PODS, tables, dirs, error))
      return NULL;
  return g_steal_pointer (&tables);
}

static gpointer
gpu_open (KsTraceReader *reader, const char *const *paths, guint n_paths,
          const KsTraceOptions *options, GError **error)
{
  g_autoptr (GPtrArray) tables = open_tables (paths, n_paths, error);
  State *state;

  if (tables == NULL)
    return NULL;
  state = g_new0 (State, 1);

  state->pod_tables = g_ptr_array_new_with_free_func (table_free);
  state->reorder = ks_trace_queue_new ();
  state->later = ks_trace_queue_new ();
  state->window
      = options->reorder_window > 0 ? options->reorder_window : KS_TRACE_DEFAULT_REORDER_WINDOW;
  state->id = g_string_new (NULL);
  for (guint i = 0; i < tables->len; i++)
    {
      Table *table = g_ptr_array_index (tables, i);
      KsCsvRow row;
      GError *local = NULL;

      tables->pdata[i] = NULL; /* owned here from now on; tables frees the rest on an error */
      if (table->kind == TABLE_PODS)
        {
          g_ptr_array_add (state->pod_tables, table);
          continue;
        }
      /* Node lists are small (a cluster's machines) and all at time 0: read them now, so that
         every node is there before the first pod. */
      while (ks_trace_input_next_csv (table->input, &row, &local))
        if (!node_row (state, reader, table, &row, &local))
          break;
      table_free (table);
      if (local != NULL)
        {
          g_propagate_error (error, local);
          state_free (state);
          return NULL;
        }
    }
  return state;
}

/* Records handed to the core per step: enough to amortize the call, few enough to stay flat. */
#define STEP_RECORDS 1024

static gboolean
gpu_step (gpointer data, KsTraceReader *reader, GError **error)
{
  State *state = data;

  while (state->current < state->pod_tables->len)
    {
      Table *table = g_ptr_array_index (state->pod_tables, state->current);
      KsCsvRow row;
      GError *local = NULL;

      if (!ks_trace_input_next_csv (table->input, &row, &local))
        {
          if (local != NULL)
            {
              g_propagate_error (error, local);
              return FALSE;
            }
          state->current++;
          continue;
        }
      if (!pod_row (state, reader, table, &row, error))
        return FALSE;
      ks_trace_queue_pump (state->reorder, state->later, state->window, FALSE, reader,
                           STEP_RECORDS);
      return TRUE;
    }
  return ks_trace_queue_pump (state->reorder, state->later, state->window, TRUE, reader,
                              STEP_RECORDS)
         > 0;
}

static KsTraceInput *
gpu_get_input (gpointer data)
{
  State *state = data;

  if (state->current < state->pod_tables->len)
    return ((Table *) g_ptr_array_index (state->pod_tables, state->current))->input;
  return NULL;
}

const KsTraceFormat ks_trace_format_alibaba_gpu_2023 = {
  .name = "alibaba-gpu-2023",
  .open = gpu_open,
  .step = gpu_step,
  .free = state_free,
  .get_input = gpu_get_input,
};
