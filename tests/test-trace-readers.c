/* test-trace-readers.c: the alibaba-2017, alibaba-2018, alibaba-gpu-2023 and azure-vm readers on
 * the fixtures in tests/traces (byte-for-byte heads of the real files, tests/traces/SOURCES.md)
 * and, when present, on the whole real samples (shared/traces); the quirks (CRLF, headers or
 * none, gzip, empty fields, the 5-column openb list), the mapping's units on known rows, and bad
 * rows.  Expected counts are computed here from the files themselves with a plain line split,
 * independently of libcsv and the readers. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "ks-test-traces.h"
#include "tests/ks-test.h"
#include "traces/ks-trace.h"

/* ---- collecting a trace ------------------------------------------------------------------ */

typedef struct
{
  KsTraceOp op;
  gint64 time;
  char *id, *job, *event_name, *zone;
  gint64 cpu_milli, memory_bytes, gpu, gpu_milli, runtime;
  char **gpu_models;
  KsTraceOutcome outcome;
  guint64 line;
} Rec;

typedef struct
{
  guint64 ops[KS_TRACE_OBJECT + 1];
  KsTraceCounts counts;
  gboolean sorted;
  gint64 last_time;
  GHashTable *pods;   /* distinct submitted ids (when the records are kept) */
  GPtrArray *records; /* Rec, when kept */
  GPtrArray *bad;     /* "file:line: reason" */
  GHashTable *events; /* event_name → count (as a pointer) */
} Trace;

static void
rec_free (gpointer data)
{
  Rec *rec = data;

  g_free (rec->id);
  g_free (rec->job);
  g_free (rec->event_name);
  g_free (rec->zone);
  g_strfreev (rec->gpu_models);
  g_free (rec);
}

static void
trace_free (Trace *trace)
{
  g_hash_table_unref (trace->pods);
  g_ptr_array_unref (trace->records);
  g_ptr_array_unref (trace->bad);
  g_hash_table_unref (trace->events);
  g_free (trace);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Trace, trace_free)

static void
on_bad_row (const char *file, guint64 line, const char *reason, gpointer user_data)
{
  Trace *trace = user_data;

  g_ptr_array_add (trace->bad,
                   g_strdup_printf ("%s:%" G_GUINT64_FORMAT ": %s", file, line, reason));
}

/* Read a whole trace; keep the records when keep.  NULL with error when opening or reading
 * fails. */
static Trace *
read_trace_with (const char *format, const char *const *paths, guint n, gboolean keep,
                 KsTraceOptions *options, GError **error)
{
  g_autoptr (Trace) trace = g_new0 (Trace, 1);
  g_autoptr (KsTraceReader) reader = NULL;
  KsTraceRecord record;

  trace->pods = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  trace->records = g_ptr_array_new_with_free_func (rec_free);
  trace->bad = g_ptr_array_new_with_free_func (g_free);
  trace->events = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  trace->sorted = TRUE;
  options->bad_row = on_bad_row;
  options->bad_row_data = trace;
  reader = ks_trace_reader_new (format, paths, n, options, error);
  if (reader == NULL)
    return NULL;
  while (ks_trace_reader_next (reader, &record, error))
    {
      trace->ops[record.op]++;
      if (record.time < trace->last_time)
        trace->sorted = FALSE;
      trace->last_time = record.time;
      if (record.op == KS_TRACE_POD_SUBMIT && keep)
        g_hash_table_add (trace->pods, g_strdup (record.id));
      if (record.event_name != NULL)
        {
          gpointer old = g_hash_table_lookup (trace->events, record.event_name);

          g_hash_table_replace (trace->events, g_strdup (record.event_name),
                                GUINT_TO_POINTER (GPOINTER_TO_UINT (old) + 1));
        }
      if (keep)
        {
          Rec *rec = g_new0 (Rec, 1);

          rec->op = record.op;
          rec->time = record.time;
          rec->id = g_strdup (record.id);
          rec->job = g_strdup (record.job);
          rec->event_name = g_strdup (record.event_name);
          rec->zone = g_strdup (record.zone);
          rec->cpu_milli = record.cpu_milli;
          rec->memory_bytes = record.memory_bytes;
          rec->gpu = record.gpu;
          rec->gpu_milli = record.gpu_milli;
          rec->runtime = record.runtime;
          rec->gpu_models = g_strdupv ((char **) record.gpu_models);
          rec->outcome = record.outcome;
          rec->line = record.line;
          g_ptr_array_add (trace->records, rec);
        }
    }
  if (*error != NULL)
    return NULL;
  trace->counts = *ks_trace_reader_get_counts (reader);
  return g_steal_pointer (&trace);
}

static Trace *
read_trace (const char *format, const char *const *paths, guint n, gboolean keep)
{
  g_autoptr (GError) error = NULL;
  KsTraceOptions options;
  Trace *trace;

  ks_trace_options_init (&options);
  trace = read_trace_with (format, paths, n, keep, &options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (trace);
  g_assert_true (trace->sorted);
  g_assert_cmpuint (trace->counts.late_rows, ==, 0);
  return trace;
}

static guint
event_count (Trace *trace, const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (trace->events, name));
}

/* The record of op for id (the first one). */
static Rec *
find (Trace *trace, KsTraceOp op, const char *id)
{
  for (guint i = 0; i < trace->records->len; i++)
    {
      Rec *rec = g_ptr_array_index (trace->records, i);

      if (rec->op == op && strcmp (rec->id, id) == 0)
        return rec;
    }
  return NULL;
}

static guint
count_op (Trace *trace, KsTraceOp op)
{
  return (guint) trace->ops[op];
}

/* ---- files ------------------------------------------------------------------------------- */

static char *
fixture (const char *relative)
{
  char *path = ks_test_trace_fixture (relative);

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  return path;
}

/* The file's data lines (CR and the trailing empty line dropped), split on commas: a check
 * independent of libcsv, good for these files (no quoted fields). */
static GPtrArray *
split_lines (const char *path, gboolean skip_header)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = skip_header ? 1 : 0; lines[i] != NULL; i++)
    {
      gsize len = strlen (lines[i]);

      if (len > 0 && lines[i][len - 1] == '\r')
        lines[i][--len] = '\0';
      if (len == 0)
        continue;
      g_ptr_array_add (rows, g_strsplit (lines[i], ",", -1));
    }
  return rows;
}

/* The same record streams (ops, times, ids, requests), whatever the files looked like. */
static void
assert_same_records (Trace *a, Trace *b)
{
  g_assert_cmpuint (a->records->len, ==, b->records->len);
  for (guint i = 0; i < a->records->len; i++)
    {
      Rec *x = g_ptr_array_index (a->records, i), *y = g_ptr_array_index (b->records, i);

      g_assert_cmpint (x->op, ==, y->op);
      g_assert_cmpint (x->time, ==, y->time);
      g_assert_cmpstr (x->id, ==, y->id);
      g_assert_cmpint (x->cpu_milli, ==, y->cpu_milli);
      g_assert_cmpint (x->memory_bytes, ==, y->memory_bytes);
      g_assert_cmpint (x->runtime, ==, y->runtime);
      g_assert_cmpint (x->outcome, ==, y->outcome);
    }
}

static gint64
parse_i64 (const char *s)
{
  return g_ascii_strtoll (s, NULL, 10);
}

#define S(x) ((gint64) (x) *G_USEC_PER_SEC)
#define GIB(x) ((gint64) (x) << 30)

/* ---- alibaba-gpu-2023 -------------------------------------------------------------------- */

static void
test_openb_fixture (void)
{
  g_autofree char *nodes = fixture ("alibaba-gpu-2023/openb_node_list_all_node.csv");
  g_autofree char *pods = fixture ("alibaba-gpu-2023/openb_pod_list_gpuspec33.csv");
  const char *paths[] = { pods, nodes }; /* the order of the files does not matter */
  g_autoptr (Trace) trace = read_trace ("alibaba-gpu-2023", paths, 2, TRUE);
  g_autoptr (GPtrArray) node_rows = split_lines (nodes, TRUE);
  g_autoptr (GPtrArray) pod_rows = split_lines (pods, TRUE);
  guint cpu_only = 0, pending = 0, constrained = 0, models_out = 0, started = 0;
  Rec *rec, *first_pod = NULL;

  for (guint i = 0; i < node_rows->len; i++)
    if (strcmp (((char **) g_ptr_array_index (node_rows, i))[4], "") == 0)
      cpu_only++;
  for (guint i = 0; i < pod_rows->len; i++)
    {
      char **f = g_ptr_array_index (pod_rows, i);

      pending += strcmp (f[10], "") == 0;
      constrained += strcmp (f[5], "") != 0;
    }
  g_assert_cmpuint (cpu_only, >, 0);
  g_assert_cmpuint (pending, >, 0);
  g_assert_cmpuint (trace->counts.rows, ==, node_rows->len + pod_rows->len);
  g_assert_cmpuint (trace->counts.bad_rows, ==, 0);
  g_assert_cmpuint (count_op (trace, KS_TRACE_NODE_ADD), ==, node_rows->len);
  g_assert_cmpuint (count_op (trace, KS_TRACE_POD_SUBMIT), ==, pod_rows->len);
  g_assert_cmpuint (g_hash_table_size (trace->pods), ==, pod_rows->len);
  g_assert_cmpuint (count_op (trace, KS_TRACE_POD_START), ==, pod_rows->len - pending);
  g_assert_cmpuint (count_op (trace, KS_TRACE_POD_END), ==, pod_rows->len);

  /* Every node comes before the first pod; CPU-only nodes have no model. */
  for (guint i = 0; i < trace->records->len; i++)
    {
      rec = g_ptr_array_index (trace->records, i);
      if (rec->op == KS_TRACE_POD_SUBMIT && first_pod == NULL)
        first_pod = rec;
      if (rec->op == KS_TRACE_NODE_ADD)
        {
          g_assert_null (first_pod);
          models_out += rec->gpu_models == NULL;
        }
      if (rec->op == KS_TRACE_POD_SUBMIT && rec->gpu_models != NULL)
        constrained--;
      started += rec->op == KS_TRACE_POD_START;
    }
  g_assert_cmpuint (models_out, ==, cpu_only);
  g_assert_cmpuint (constrained, ==, 0);

  /* openb-node-0000,32000,262144,0, (CPU only) */
  rec = find (trace, KS_TRACE_NODE_ADD, "openb-node-0000");
  g_assert_nonnull (rec);
  g_assert_cmpint (rec->cpu_milli, ==, 32000);
  g_assert_cmpint (rec->memory_bytes, ==, (gint64) 262144 << 20);
  g_assert_cmpint (rec->gpu, ==, 0);
  g_assert_null (rec->gpu_models);
  /* A GPU node: the model is gpu_models[0]. */
  for (guint i = 0; i < node_rows->len; i++)
    {
      char **f = g_ptr_array_index (node_rows, i);

      if (strcmp (f[4], "") == 0)
        continue;
      rec = find (trace, KS_TRACE_NODE_ADD, f[0]);
      g_assert_nonnull (rec);
      g_assert_cmpint (rec->gpu, ==, parse_i64 (f[3]));
      g_assert_nonnull (rec->gpu_models);
      g_assert_cmpstr (rec->gpu_models[0], ==, f[4]);
      g_assert_null (rec->gpu_models[1]);
      break;
    }

  /* openb-pod-0009,12000,16384,1,1000,V100M16|V100M32,LS,Running,4975773,12902960,4975773 */
  rec = find (trace, KS_TRACE_POD_SUBMIT, "openb-pod-0009");
  g_assert_nonnull (rec);
  g_assert_cmpint (rec->time, ==, S (4975773));
  g_assert_cmpint (rec->cpu_milli, ==, 12000);
  g_assert_cmpint (rec->memory_bytes, ==, (gint64) 16384 << 20);
  g_assert_cmpint (rec->gpu, ==, 1);
  g_assert_cmpint (rec->gpu_milli, ==, 1000);
  g_assert_cmpint (rec->runtime, ==, S (12902960 - 4975773));
  g_assert_cmpuint (g_strv_length (rec->gpu_models), ==, 2);
  g_assert_cmpstr (rec->gpu_models[0], ==, "V100M16");
  g_assert_cmpstr (rec->gpu_models[1], ==, "V100M32");
  rec = find (trace, KS_TRACE_POD_END, "openb-pod-0009");
  g_assert_cmpint (rec->time, ==, S (12902960));
  g_assert_cmpint (rec->outcome, ==, KS_TRACE_OUTCOME_SUCCEEDED);
  g_assert_cmpstr (rec->event_name, ==, "Running");
  /* openb-pod-0021: a GPU share (440 of 1000) and five allowed models. */
  rec = find (trace, KS_TRACE_POD_SUBMIT, "openb-pod-0021");
  g_assert_cmpint (rec->gpu_milli, ==, 440);
  g_assert_cmpuint (g_strv_length (rec->gpu_models), ==, 5);
  /* Line 529: "V100M16|V100M32|V100M32", the duplicate dropped. */
  {
    char **f = g_ptr_array_index (pod_rows, 529 - 2);

    g_assert_cmpstr (f[5], ==, "V100M16|V100M32|V100M32");
    rec = find (trace, KS_TRACE_POD_SUBMIT, f[0]);
    g_assert_cmpuint (g_strv_length (rec->gpu_models), ==, 2);
  }
  /* openb-pod-0061: Pending, never scheduled (empty scheduled_time): no start, no runtime, and
     withdrawn (killed) at its deletion. */
  rec = find (trace, KS_TRACE_POD_SUBMIT, "openb-pod-0061");
  g_assert_cmpint (rec->time, ==, S (10001278));
  g_assert_cmpint (rec->runtime, ==, -1);
  g_assert_null (find (trace, KS_TRACE_POD_START, "openb-pod-0061"));
  rec = find (trace, KS_TRACE_POD_END, "openb-pod-0061");
  g_assert_cmpint (rec->time, ==, S (10001403));
  g_assert_cmpint (rec->outcome, ==, KS_TRACE_OUTCOME_KILLED);
  /* openb-pod-1523: 0 MiB of memory is a request of 0, not "not given". */
  rec = find (trace, KS_TRACE_POD_SUBMIT, "openb-pod-1523");
  g_assert_nonnull (rec);
  g_assert_cmpint (rec->memory_bytes, ==, 0);
  g_assert_cmpint (rec->cpu_milli, ==, 14000);
  g_assert_cmpint (find (trace, KS_TRACE_POD_END, "openb-pod-1523")->outcome, ==,
                   KS_TRACE_OUTCOME_SUCCEEDED);
}

static void
test_openb_five_columns (void)
{
  g_autofree char *pods = fixture ("alibaba-gpu-2023/openb_pod_list_multigpu50.csv");
  const char *paths[] = { pods };
  g_autoptr (Trace) trace = read_trace ("alibaba-gpu-2023", paths, 1, TRUE);
  g_autoptr (GPtrArray) rows = split_lines (pods, TRUE);

  g_assert_cmpuint (g_strv_length (g_ptr_array_index (rows, 0)), ==, 5);
  g_assert_cmpuint (trace->counts.rows, ==, rows->len);
  g_assert_cmpuint (trace->counts.bad_rows, ==, 0);
  g_assert_cmpuint (count_op (trace, KS_TRACE_POD_SUBMIT), ==, rows->len);
  /* No times: every pod is there from the start and runs on (no start, no end, no runtime). */
  g_assert_cmpuint (trace->records->len, ==, rows->len);
  for (guint i = 0; i < rows->len; i++)
    {
      char **f = g_ptr_array_index (rows, i);
      Rec *rec = g_ptr_array_index (trace->records, i);

      g_assert_cmpstr (rec->id, ==, f[0]); /* file order kept */
      g_assert_cmpint (rec->time, ==, 0);
      g_assert_cmpint (rec->runtime, ==, -1);
      g_assert_cmpint (rec->cpu_milli, ==, parse_i64 (f[1]));
      g_assert_cmpint (rec->memory_bytes, ==, parse_i64 (f[2]) << 20);
      g_assert_cmpint (rec->gpu, ==, parse_i64 (f[3]));
      g_assert_cmpint (rec->gpu_milli, ==, parse_i64 (f[4]));
      g_assert_null (rec->gpu_models);
    }
  g_assert_cmpint (find (trace, KS_TRACE_POD_SUBMIT, "openb-pod-0001")->gpu_milli, ==, 460);
}

static void
test_openb_real (void)
{
  const char *names[] = { "openb_pod_list_default.csv", "openb_pod_list_gpuspec33.csv",
                          "openb_pod_list_multigpu50.csv" };
  g_autofree char *nodes = ks_test_find_trace ("alibaba-gpu-v2023/openb_node_list_all_node.csv");

  if (nodes == NULL)
    {
      g_test_skip ("alibaba-gpu-v2023/ not found (set KS_TRACES_DIR to the folder holding it)");
      return;
    }
  for (guint n = 0; n < G_N_ELEMENTS (names); n++)
    {
      g_autofree char *relative = g_strconcat ("alibaba-gpu-v2023/", names[n], NULL);
      g_autofree char *pods = ks_test_find_trace (relative);
      const char *paths[] = { nodes, pods };
      g_autoptr (Trace) trace = read_trace ("alibaba-gpu-2023", paths, 2, TRUE);
      g_autoptr (GPtrArray) pod_rows = split_lines (pods, TRUE);
      g_autoptr (GPtrArray) node_rows = split_lines (nodes, TRUE);
      guint pending = 0;

      for (guint i = 0; i < pod_rows->len; i++)
        {
          char **f = g_ptr_array_index (pod_rows, i);

          pending += g_strv_length (f) == 11 && strcmp (f[10], "") == 0;
        }
      g_test_message ("%s: %u pods, %u pending", names[n], pod_rows->len, pending);
      g_assert_cmpuint (node_rows->len, ==, 1523);
      g_assert_cmpuint (pod_rows->len, ==, n == 2 ? 9061 : 8152);
      g_assert_cmpuint (trace->counts.rows, ==, node_rows->len + pod_rows->len);
      g_assert_cmpuint (trace->counts.bad_rows, ==, 0);
      g_assert_cmpuint (count_op (trace, KS_TRACE_NODE_ADD), ==, 1523);
      g_assert_cmpuint (g_hash_table_size (trace->pods), ==, pod_rows->len);
      if (n < 2)
        {
          g_assert_cmpuint (pending, ==, 897);
          g_assert_cmpuint (count_op (trace, KS_TRACE_POD_START), ==, pod_rows->len - pending);
          g_assert_cmpuint (count_op (trace, KS_TRACE_POD_END), ==, pod_rows->len);
          g_assert_cmpuint (event_count (trace, "Pending"), ==, pending);
        }
    }
}

/* ---- azure-vm ---------------------------------------------------------------------------- */

static void
test_azure_fixture (void)
{
  g_autofree char *path = fixture ("azure-vm/vmtable.csv.gz"); /* gzip, CRLF, no header */
  const char *paths[] = { path };
  g_autoptr (Trace) trace = read_trace ("azure-vm", paths, 1, TRUE);
  Rec *first, *end;

  g_assert_cmpuint (trace->counts.rows, ==, 10);
  g_assert_cmpuint (trace->counts.bad_rows, ==, 0); /* the "Unkown" rows too */
  g_assert_cmpuint (count_op (trace, KS_TRACE_POD_SUBMIT), ==, 10);
  g_assert_cmpuint (count_op (trace, KS_TRACE_POD_START), ==, 10);
  g_assert_cmpuint (count_op (trace, KS_TRACE_POD_END), ==, 10);
  g_assert_cmpuint (g_hash_table_size (trace->pods), ==, 10);
  /* Row 1: created 0, deleted 2591700, 1 core, 1.75 GB. */
  first = NULL;
  for (guint i = 0; i < trace->records->len && first == NULL; i++)
    {
      Rec *rec = g_ptr_array_index (trace->records, i);

      if (rec->op == KS_TRACE_POD_SUBMIT && rec->line == 1)
        first = rec;
    }
  g_assert_nonnull (first);
  g_assert_true (g_str_has_prefix (first->id, "vm-"));
  g_assert_true (g_str_has_prefix (first->job, "deployment-"));
  g_assert_cmpint (first->time, ==, 0);
  g_assert_cmpint (first->runtime, ==, S (2591700));
  g_assert_cmpint (first->cpu_milli, ==, 1000);
  g_assert_cmpint (first->memory_bytes, ==, (gint64) 1792 << 20);
  end = find (trace, KS_TRACE_POD_END, first->id);
  g_assert_cmpint (end->time, ==, S (2591700));
  /* Row 7 (Unkown): 2290500 … 2292300, 8 cores 56 GB is row 4. */
  for (guint i = 0; i < trace->records->len; i++)
    {
      Rec *rec = g_ptr_array_index (trace->records, i);

      if (rec->op == KS_TRACE_POD_SUBMIT && rec->line == 7)
        {
          g_assert_cmpint (rec->time, ==, S (2290500));
          g_assert_cmpint (rec->runtime, ==, S (1800));
        }
      if (rec->op == KS_TRACE_POD_SUBMIT && rec->line == 4)
        {
          g_assert_cmpint (rec->cpu_milli, ==, 8000);
          g_assert_cmpint (rec->memory_bytes, ==, GIB (56));
        }
    }
}

static void
test_azure_v2_header (void)
{
  g_autofree char *dir = ks_test_scratch_dir ("ks-test-readers-XXXXXX");
  /* V2 buckets (">24", ">64"), a header naming the columns, LF endings. */
  g_autofree char *path = ks_test_write_file (
      dir, "vmtable.csv",
      "vmid,subscriptionid,deploymentid,vmcreated,vmdeleted,maxcpu,avgcpu,p95maxcpu,vmcategory,"
      "vmcorecountbucket,vmmemorybucket\n"
      "a/b+C==,s,d1,300,900,90.5,10.2,80.1,Interactive,2,4\n"
      "a/b+c==,s,d1,0,1200,90.5,10.2,80.1,Unkown,>24,>64\n",
      -1);
  const char *paths[] = { path };
  g_autoptr (Trace) trace = read_trace ("azure-vm", paths, 1, TRUE);
  Rec *a, *b;

  g_assert_cmpuint (trace->counts.rows, ==, 2);
  g_assert_cmpuint (trace->counts.bad_rows, ==, 0);
  /* Ids differing only in case stay distinct. */
  g_assert_cmpuint (g_hash_table_size (trace->pods), ==, 2);
  a = g_ptr_array_index (trace->records, 0);
  b = g_ptr_array_index (trace->records, 2);
  g_assert_cmpint (a->op, ==, KS_TRACE_POD_SUBMIT);
  g_assert_cmpint (b->op, ==, KS_TRACE_POD_SUBMIT);
  /* A VM starts when it is created. */
  g_assert_cmpint (((Rec *) g_ptr_array_index (trace->records, 1))->op, ==, KS_TRACE_POD_START);
  g_assert_cmpstr (((Rec *) g_ptr_array_index (trace->records, 1))->id, ==, a->id);
  g_assert_cmpint (a->time, ==, 0);
  g_assert_cmpint (a->cpu_milli, ==, 24000);
  g_assert_cmpint (a->memory_bytes, ==, GIB (64));
  g_assert_cmpint (b->time, ==, S (300));
  g_assert_cmpint (b->cpu_milli, ==, 2000);
  g_assert_cmpint (b->memory_bytes, ==, GIB (4));
  g_assert_cmpint (b->runtime, ==, S (600));
  g_assert_cmpstr (a->job, ==, b->job);
  ks_test_remove_tree (dir);
}

static void
test_azure_real (void)
{
  g_autofree char *table = ks_test_find_trace ("azure-vm-v1/vmtable");
  g_autofree char *readings = ks_test_find_trace ("azure-vm-v1/vm_cpu_readings");
  g_autoptr (GError) error = NULL;
  KsTraceOptions options;
  const char *paths[] = { NULL };
  g_autoptr (Trace) trace = NULL;

  if (table == NULL || readings == NULL)
    {
      g_test_skip ("azure-vm-v1/ not found (set KS_TRACES_DIR to the folder holding it)");
      return;
    }
  /* A directory of parts. */
  paths[0] = table;
  trace = read_trace ("azure-vm", paths, 1, TRUE);
  g_assert_cmpuint (trace->counts.rows, ==, 10);
  g_assert_cmpuint (g_hash_table_size (trace->pods), ==, 10);
  g_clear_pointer (&trace, trace_free);
  /* The CPU readings are not a VM table: refused with the reason. */
  paths[0] = readings;
  ks_trace_options_init (&options);
  trace = read_trace_with ("azure-vm", paths, 1, FALSE, &options, &error);
  g_assert_null (trace);
  g_assert_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "5 columns where a vmtable has 11"));
}

/* ---- alibaba-2017 ------------------------------------------------------------------------ */

static void
test_a17_fixture (void)
{
  g_autofree char *tasks = fixture ("alibaba-2017/batch_task.csv"); /* header, CRLF */
  g_autofree char *servers = fixture ("alibaba-2017/server_event.csv");
  const char *paths[] = { tasks, servers };
  g_autoptr (Trace) trace = read_trace ("alibaba-2017", paths, 2, TRUE);
  g_autoptr (GPtrArray) task_rows = split_lines (tasks, TRUE);
  g_autoptr (GPtrArray) server_rows = split_lines (servers, FALSE);
  guint64 instances = 0, ended = 0, ran = 0, adds = 0, soft = 0, waiting = 0;
  Rec *rec;

  for (guint i = 0; i < task_rows->len; i++)
    {
      char **f = g_ptr_array_index (task_rows, i);

      instances += parse_i64 (f[4]);
      ended += strcmp (f[5], "Running") != 0 ? parse_i64 (f[4]) : 0;
      ran += strcmp (f[5], "Terminated") == 0 || strcmp (f[5], "Failed") == 0 ? parse_i64 (f[4])
                                                                              : 0;
      waiting += strcmp (f[5], "Waiting") == 0;
      g_assert_cmpint (parse_i64 (f[0]), >=, 0); /* the head has no negative times */
    }
  for (guint i = 0; i < server_rows->len; i++)
    {
      char **f = g_ptr_array_index (server_rows, i);

      adds += strcmp (f[2], "add") == 0;
      soft += strcmp (f[2], "softerror") == 0;
    }
  g_assert_cmpuint (waiting, >, 0);
  g_assert_cmpuint (trace->counts.rows, ==, task_rows->len + server_rows->len);
  g_assert_cmpuint (trace->counts.bad_rows, ==, 0);
  g_assert_cmpuint (count_op (trace, KS_TRACE_NODE_ADD), ==, adds);
  g_assert_cmpuint (count_op (trace, KS_TRACE_NODE_UPDATE), ==, soft);
  g_assert_cmpuint (event_count (trace, "softerror"), ==, soft);
  g_assert_cmpuint (count_op (trace, KS_TRACE_POD_SUBMIT), ==, instances);
  g_assert_cmpuint (g_hash_table_size (trace->pods), ==, instances);
  g_assert_cmpuint (count_op (trace, KS_TRACE_POD_END), ==, ended);
  g_assert_cmpuint (count_op (trace, KS_TRACE_POD_START), ==, ran);
  g_assert_cmpuint (ran, <, ended); /* Waiting tasks end without having started */

  /* 6459,6524,3,4,15740,Terminated,50,0.007956928: 15740 instances of half a core. */
  rec = find (trace, KS_TRACE_POD_SUBMIT, "3-4-15739");
  g_assert_nonnull (rec);
  g_assert_null (find (trace, KS_TRACE_POD_SUBMIT, "3-4-15740"));
  g_assert_cmpstr (rec->job, ==, "3");
  g_assert_cmpint (rec->time, ==, S (6459));
  g_assert_cmpint (rec->cpu_milli, ==, 500);
  g_assert_cmpint (rec->memory_bytes, ==,
                   (gint64) llround (0.007956928 * (double) KS_TRACE_DEFAULT_MACHINE_MEMORY));
  g_assert_cmpint (rec->runtime, ==, S (65));
  rec = find (trace, KS_TRACE_POD_END, "3-4-0");
  g_assert_cmpint (rec->time, ==, S (6524));
  g_assert_cmpint (rec->outcome, ==, KS_TRACE_OUTCOME_SUCCEEDED);
  g_assert_cmpstr (rec->event_name, ==, "Terminated");
  /* 6036,6046,4,7,393,Waiting,,: empty requests are "not given"; never ran. */
  rec = find (trace, KS_TRACE_POD_SUBMIT, "4-7-0");
  g_assert_cmpint (rec->cpu_milli, ==, -1);
  g_assert_cmpint (rec->memory_bytes, ==, -1);
  g_assert_cmpint (rec->runtime, ==, -1);
  g_assert_cmpint (find (trace, KS_TRACE_POD_END, "4-7-0")->outcome, ==, KS_TRACE_OUTCOME_KILLED);
  /* The folder holding both tables reads as the two files do. */
  {
    g_autofree char *folder = g_path_get_dirname (tasks);
    const char *one[] = { folder };
    g_autoptr (Trace) same = read_trace ("alibaba-2017", one, 1, TRUE);

    assert_same_records (trace, same);
    g_assert_cmpuint (same->counts.rows, ==, trace->counts.rows);
  }
  /* Machines: 64 cores, normalized memory of the reference machine. */
  rec = find (trace, KS_TRACE_NODE_ADD, "machine-1148");
  g_assert_cmpint (rec->cpu_milli, ==, 64000);
  g_assert_cmpint (
      rec->memory_bytes, ==,
      (gint64) llround (0.6900059534594777 * (double) KS_TRACE_DEFAULT_MACHINE_MEMORY));
}

/* The pristine layout (no header, LF) and gzip give the same records as the re-export. */
static void
test_a17_layouts (void)
{
  g_autofree char *tasks = fixture ("alibaba-2017/batch_task.csv");
  g_autofree char *text = NULL;
  g_autofree char *dir = ks_test_scratch_dir ("ks-test-readers-XXXXXX");
  g_autoptr (GString) pristine = g_string_new (NULL);
  g_autofree char *plain = NULL, *gz = NULL;
  const char *paths[] = { tasks };
  g_autoptr (Trace) reexport = read_trace ("alibaba-2017", paths, 1, TRUE);
  g_autoptr (Trace) a = NULL, b = NULL;

  g_autoptr (GError) error = NULL;

  g_file_get_contents (tasks, &text, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (text, "\r\n"));
  g_string_append (pristine, strchr (text, '\n') + 1);
  g_string_replace (pristine, "\r", "", 0);
  /* A name that does not say which table it is: the first row does. */
  plain = ks_test_write_file (dir, "part-0", pristine->str, -1);
  gz = ks_test_write_gzip (dir, "part-1.gz", pristine->str);
  paths[0] = plain;
  a = read_trace ("alibaba-2017", paths, 1, TRUE);
  paths[0] = gz;
  b = read_trace ("alibaba-2017", paths, 1, TRUE);
  g_assert_cmpuint (a->counts.rows, ==, reexport->counts.rows);
  assert_same_records (reexport, a);
  assert_same_records (reexport, b);
  g_assert_cmpint (g_unlink (plain), ==, 0);
  g_assert_cmpint (g_unlink (gz), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* Negative times, unsorted rows, bad rows. */
static void
test_a17_quirks (void)
{
  g_autofree char *dir = ks_test_scratch_dir ("ks-test-readers-XXXXXX");
  g_autofree char *path = ks_test_write_file (dir, "batch_task.csv",
                                              "x500,600,9,0,2,Terminated,100,0.5\n"
                                              "500,600,9,1,2,Terminated,100,0.5\n"
                                              "-60,110,9,2,1,Terminated,50,0.25\n"
                                              "-60,-55,9,3,1,Terminated,50,0.25\n"
                                              "300,0,9,4,1,Running,200,0.1\n"
                                              "400,390,9,5,1,Failed,50,0.1\n"
                                              "100,x,9,6,1,Terminated,50,0.1\n"
                                              "100,200,9,7,1,Terminated,50\n"
                                              "100,200,9,8,1,Finished,50,0.1\n"
                                              "200,250,9,9,1,Failed,50,0.1\n",
                                              -1);
  const char *paths[] = { path };
  g_autoptr (Trace) trace = read_trace ("alibaba-2017", paths, 1, TRUE);
  g_autoptr (GError) error = NULL;
  KsTraceOptions options;
  Rec *rec;

  g_assert_cmpuint (trace->counts.rows, ==, 10);
  g_assert_cmpuint (trace->counts.bad_rows, ==, 6);
  g_assert_cmpuint (trace->bad->len, ==, 6);
  /* A malformed first row is a bad row, not a header. */
  g_assert_nonnull (strstr (g_ptr_array_index (trace->bad, 0),
                            "batch_task.csv:1: task create time 'x500' is not an integer"));
  g_assert_nonnull (strstr (g_ptr_array_index (trace->bad, 1),
                            "batch_task.csv:4: task ended before the trace window"));
  g_assert_nonnull (strstr (g_ptr_array_index (trace->bad, 2),
                            "batch_task.csv:6: task end time 390 is before its create time 400"));
  g_assert_nonnull (strstr (g_ptr_array_index (trace->bad, 3),
                            "batch_task.csv:7: task end time 'x' is not an integer"));
  g_assert_nonnull (strstr (g_ptr_array_index (trace->bad, 4),
                            "batch_task.csv:8: 7 columns where batch_task has 8"));
  g_assert_nonnull (
      strstr (g_ptr_array_index (trace->bad, 5), "batch_task.csv:9: unknown status 'Finished'"));
  /* Created before the window: there at 0, ending at its recorded end. */
  rec = find (trace, KS_TRACE_POD_SUBMIT, "9-2-0");
  g_assert_cmpint (rec->time, ==, 0);
  g_assert_cmpint (rec->runtime, ==, S (110));
  /* Running: no end. */
  g_assert_null (find (trace, KS_TRACE_POD_END, "9-4-0"));
  g_assert_cmpint (find (trace, KS_TRACE_POD_SUBMIT, "9-4-0")->runtime, ==, -1);
  g_assert_cmpint (find (trace, KS_TRACE_POD_END, "9-9-0")->outcome, ==, KS_TRACE_OUTCOME_FAILED);
  /* Sorted on the way out: 9-2 (0), 9-9 (200), its end (250), 9-4 (300), 9-1 ×2 (500). */
  {
    /* Sorted on the way out, each task that ran started at its (clamped) create time. */
    static const struct
    {
      const char *id;
      KsTraceOp op;
      gint64 seconds;
    } expected[] = {
      { "9-2-0", KS_TRACE_POD_SUBMIT, 0 },   { "9-2-0", KS_TRACE_POD_START, 0 },
      { "9-2-0", KS_TRACE_POD_END, 110 },    { "9-9-0", KS_TRACE_POD_SUBMIT, 200 },
      { "9-9-0", KS_TRACE_POD_START, 200 },  { "9-9-0", KS_TRACE_POD_END, 250 },
      { "9-4-0", KS_TRACE_POD_SUBMIT, 300 }, { "9-1-0", KS_TRACE_POD_SUBMIT, 500 },
      { "9-1-0", KS_TRACE_POD_START, 500 },  { "9-1-1", KS_TRACE_POD_SUBMIT, 500 },
      { "9-1-1", KS_TRACE_POD_START, 500 },  { "9-1-0", KS_TRACE_POD_END, 600 },
      { "9-1-1", KS_TRACE_POD_END, 600 },
    };

    g_assert_cmpuint (trace->records->len, ==, G_N_ELEMENTS (expected));
    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        Rec *r = g_ptr_array_index (trace->records, i);

        g_assert_cmpstr (r->id, ==, expected[i].id);
        g_assert_cmpint (r->op, ==, expected[i].op);
        g_assert_cmpint (r->time, ==, S (expected[i].seconds));
      }
  }

  /* Strict: the first bad row stops the reader. */
  ks_trace_options_init (&options);
  options.strict = TRUE;
  g_clear_pointer (&trace, trace_free);
  trace = read_trace_with ("alibaba-2017", paths, 1, FALSE, &options, &error);
  g_assert_null (trace);
  g_assert_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_BAD_ROW);
  g_assert_true (g_str_has_suffix (error->message,
                                   "batch_task.csv:1: task create time 'x500' is not an integer "
                                   "(seconds)"));
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_a17_real (void)
{
  g_autofree char *tasks = ks_test_find_trace ("alibaba-v2017/batch_task.csv");
  g_autofree char *servers = ks_test_find_trace ("alibaba-v2017/server_event.csv");
  const char *paths[] = { tasks, servers };
  g_autoptr (Trace) trace = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  guint64 instances = 0, ended = 0, before = 0, inverted = 0, negative = 0;
  g_autoptr (GError) error = NULL;
  KsTraceOptions options;

  if (tasks == NULL || servers == NULL)
    {
      g_test_skip ("alibaba-v2017/ not found (set KS_TRACES_DIR to the folder holding it)");
      return;
    }
  if (g_getenv ("KS_VALGRIND") != NULL)
    {
      g_test_skip ("the whole batch_task expands into 11.9 million pods: too slow under valgrind");
      return;
    }
  rows = split_lines (tasks, TRUE);
  for (guint i = 0; i < rows->len; i++)
    {
      char **f = g_ptr_array_index (rows, i);
      gint64 created = MAX (parse_i64 (f[0]), 0), end = parse_i64 (f[1]);
      gboolean running = strcmp (f[5], "Running") == 0;

      negative += parse_i64 (f[0]) < 0;
      if (!running && end < 0)
        before++;
      else if (!running && end < created)
        inverted++;
      else
        {
          instances += parse_i64 (f[4]);
          ended += running ? 0 : parse_i64 (f[4]);
        }
    }
  g_test_message ("%u task rows, %" G_GUINT64_FORMAT " instances, %" G_GUINT64_FORMAT
                  " created before the window, %" G_GUINT64_FORMAT " ended before it",
                  rows->len, instances, negative, before);
  g_assert_cmpuint (rows->len, ==, 80553);
  g_assert_cmpuint (negative, >, 0);
  /* The reader sorts batch_task itself (its own window is large enough for this table): the
     core's window can be small, which keeps its heap in the cache. */
  ks_trace_options_init (&options);
  options.reorder_window = 1024;
  trace = read_trace_with ("alibaba-2017", paths, 2, FALSE, &options, &error);
  g_assert_no_error (error);
  g_assert_true (trace->sorted);
  g_assert_cmpuint (trace->counts.late_rows, ==, 0);
  g_assert_cmpuint (trace->counts.rows, ==, 80553 + 1352);
  g_assert_cmpuint (trace->counts.bad_rows, ==, before + inverted);
  g_assert_cmpuint (count_op (trace, KS_TRACE_NODE_ADD), ==, 1313);
  g_assert_cmpuint (count_op (trace, KS_TRACE_NODE_UPDATE), ==, 39);
  g_assert_cmpuint (count_op (trace, KS_TRACE_POD_SUBMIT), ==, instances);
  g_assert_cmpuint (count_op (trace, KS_TRACE_POD_END), ==, ended);
}

/* ---- alibaba-2018 ------------------------------------------------------------------------ */

static void
test_a18_machines (void)
{
  g_autofree char *meta = fixture ("alibaba-2018/machine_meta.csv");
  const char *paths[] = { meta };
  g_autoptr (Trace) trace = read_trace ("alibaba-2018", paths, 1, TRUE);
  g_autoptr (GPtrArray) rows = split_lines (meta, FALSE);
  g_autoptr (GHashTable) using = g_hash_table_new (g_str_hash, g_str_equal);
  Rec *rec;

  for (guint i = 0; i < rows->len; i++)
    {
      char **f = g_ptr_array_index (rows, i);

      if (strcmp (f[6], "USING") == 0)
        g_hash_table_add (using, f[0]);
    }
  g_assert_cmpuint (trace->counts.rows, ==, rows->len);
  g_assert_cmpuint (trace->counts.bad_rows, ==, 0);
  /* Repeated snapshots give one node each. */
  g_assert_cmpuint (count_op (trace, KS_TRACE_NODE_ADD), ==, g_hash_table_size (using));
  g_assert_cmpuint (trace->records->len, ==, g_hash_table_size (using));
  /* m_1,0,219,17,96,100,USING */
  rec = find (trace, KS_TRACE_NODE_ADD, "m-1");
  g_assert_nonnull (rec);
  g_assert_cmpint (rec->time, ==, 0);
  g_assert_cmpint (rec->cpu_milli, ==, 96000);
  g_assert_cmpint (rec->memory_bytes, ==, KS_TRACE_DEFAULT_MACHINE_MEMORY);
  g_assert_cmpstr (rec->zone, ==, "219");
}

static void
test_a18_tables (void)
{
  g_autofree char *meta = fixture ("alibaba-2018/machine_meta.csv");
  g_autofree char *containers = fixture ("alibaba-2018/container_meta.csv");
  g_autofree char *tasks = fixture ("alibaba-2018/batch_task.csv");
  g_autofree char *instances = fixture ("alibaba-2018/batch_instance.csv");
  const char *paths[] = { containers, tasks, meta };
  g_autoptr (Trace) trace = read_trace ("alibaba-2018", paths, 3, TRUE);
  gint64 mem = KS_TRACE_DEFAULT_MACHINE_MEMORY;
  Rec *rec;

  /* batch_task: 3 + 1 + 2 + 1 + 4 instances; ends for the Terminated and Failed ones. */
  g_assert_cmpuint (count_op (trace, KS_TRACE_POD_SUBMIT), ==, 11 + 3);
  g_assert_cmpuint (count_op (trace, KS_TRACE_POD_END), ==, 3 + 1 + 4 + 2);
  /* M1,3,j_1,1,Terminated,100,160,50.0,0.39 */
  rec = find (trace, KS_TRACE_POD_SUBMIT, "j-1-m1-2");
  g_assert_nonnull (rec);
  g_assert_cmpstr (rec->job, ==, "j_1");
  g_assert_cmpint (rec->time, ==, S (100));
  g_assert_cmpint (rec->cpu_milli, ==, 500);
  g_assert_cmpint (rec->memory_bytes, ==, (gint64) llround (0.0039 * (double) mem));
  g_assert_cmpint (rec->runtime, ==, S (60));
  g_assert_cmpint (find (trace, KS_TRACE_POD_END, "j-1-m1-2")->time, ==, S (160));
  /* R2_1 failed at 200; M1 of j_2 Running: no end; the Waiting task has no memory given. */
  g_assert_cmpint (find (trace, KS_TRACE_POD_END, "j-1-r2-1-0")->outcome, ==,
                   KS_TRACE_OUTCOME_FAILED);
  g_assert_null (find (trace, KS_TRACE_POD_END, "j-2-m1-0"));
  rec = find (trace, KS_TRACE_POD_SUBMIT, "j-3-task-nzg3-0");
  g_assert_cmpint (rec->memory_bytes, ==, -1);
  g_assert_cmpint (rec->cpu_milli, ==, 1000);
  /* Containers: c_1 started at 0 (400 = 4 cores, 1.56 % of memory), stopped at 500. */
  rec = find (trace, KS_TRACE_POD_SUBMIT, "c-1");
  g_assert_cmpint (rec->time, ==, 0);
  g_assert_cmpint (rec->cpu_milli, ==, 4000);
  g_assert_cmpint (rec->memory_bytes, ==, (gint64) llround (0.0156 * (double) mem));
  g_assert_cmpstr (rec->job, ==, "app_1");
  g_assert_cmpint (find (trace, KS_TRACE_POD_START, "c-1")->time, ==, 0);
  rec = find (trace, KS_TRACE_POD_END, "c-1");
  g_assert_cmpint (rec->time, ==, S (500));
  g_assert_cmpint (rec->outcome, ==, KS_TRACE_OUTCOME_SUCCEEDED);
  /* c_2 allocated at 200, started at 250, still running. */
  g_assert_cmpint (find (trace, KS_TRACE_POD_SUBMIT, "c-2")->time, ==, S (200));
  g_assert_cmpint (find (trace, KS_TRACE_POD_START, "c-2")->time, ==, S (250));
  g_assert_null (find (trace, KS_TRACE_POD_END, "c-2"));
  g_assert_cmpint (find (trace, KS_TRACE_POD_END, "c-3")->outcome, ==, KS_TRACE_OUTCOME_FAILED);
  g_assert_cmpuint (event_count (trace, "started"), ==, 3);

  /* batch_instance instead: one pod per instance, a retry (seq_no 2) under the same name. */
  g_clear_pointer (&trace, trace_free);
  paths[1] = instances;
  trace = read_trace ("alibaba-2018", paths, 2, TRUE);
  g_assert_cmpuint (count_op (trace, KS_TRACE_POD_SUBMIT), ==, 3 + 4);
  g_assert_cmpuint (g_hash_table_size (trace->pods), ==, 3 + 3);
  rec = find (trace, KS_TRACE_POD_SUBMIT, "ins-1");
  g_assert_cmpint (rec->cpu_milli, ==, 800);
  g_assert_cmpint (rec->memory_bytes, ==, (gint64) llround (0.003 * (double) mem));
  g_assert_cmpint (rec->runtime, ==, S (30));
  g_assert_cmpint (find (trace, KS_TRACE_POD_SUBMIT, "ins-3")->cpu_milli, ==, -1);
}

static void
test_a18_refused (void)
{
  g_autofree char *usage = fixture ("alibaba-2018/machine_usage.csv");
  g_autofree char *tasks = fixture ("alibaba-2018/batch_task.csv");
  g_autofree char *instances = fixture ("alibaba-2018/batch_instance.csv");
  g_autoptr (GError) error = NULL;
  KsTraceOptions options;
  const char *paths[] = { tasks, instances };
  g_autoptr (Trace) trace = NULL;

  ks_trace_options_init (&options);
  trace = read_trace_with ("alibaba-2018", paths, 2, FALSE, &options, &error);
  g_assert_null (trace);
  g_assert_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "a second batch table"));
  g_clear_error (&error);
  paths[0] = usage;
  trace = read_trace_with ("alibaba-2018", paths, 1, FALSE, &options, &error);
  g_assert_null (trace);
  g_assert_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "machine_usage holds utilization"));
}

static void
test_a18_real (void)
{
  g_autofree char *meta = ks_test_find_trace ("alibaba-v2018/machine_meta.csv");
  g_autofree char *folder = ks_test_find_trace ("alibaba-v2018");
  const char *paths[] = { meta };
  g_autoptr (Trace) trace = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GHashTable) using = g_hash_table_new (g_str_hash, g_str_equal);

  if (meta == NULL)
    {
      g_test_skip ("alibaba-v2018/ not found (set KS_TRACES_DIR to the folder holding it)");
      return;
    }
  rows = split_lines (meta, FALSE);
  for (guint i = 0; i < rows->len; i++)
    {
      char **f = g_ptr_array_index (rows, i);

      if (strcmp (f[6], "USING") == 0)
        g_hash_table_add (using, f[0]);
    }
  /* The folder: machine_meta read, machine_usage and schema.txt left out. */
  paths[0] = folder;
  trace = read_trace ("alibaba-2018", paths, 1, FALSE);
  g_assert_cmpuint (rows->len, ==, 17592);
  g_assert_cmpuint (trace->counts.rows, ==, 17592);
  g_assert_cmpuint (trace->counts.bad_rows, ==, 0);
  g_assert_cmpuint (count_op (trace, KS_TRACE_NODE_ADD), ==, g_hash_table_size (using));
  g_assert_cmpuint (count_op (trace, KS_TRACE_NODE_REMOVE), ==, 0);
}

/* ---- bad rows in the header-driven formats ----------------------------------------------- */

static void
test_bad_rows (void)
{
  g_autofree char *dir = ks_test_scratch_dir ("ks-test-readers-XXXXXX");
  g_autofree char *pods
      = ks_test_write_file (dir, "pods.csv",
                            "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,"
                            "pod_phase,creation_time,deletion_time,scheduled_time\n"
                            "p1,1000,1024,0,0,,BE,Succeeded,10,20,12\n"
                            "p2,lots,1024,0,0,,BE,Succeeded,10,20,12\n"
                            "p3,1000,1024,0,0,,BE\n"
                            "p4,1000,1024,1,1500,,BE,Succeeded,10,20,12\n"
                            "p5,1000,1024,0,0,,BE,Succeeded,30,20,30\n"
                            "p6,1000,1024,0,0,,BE,Lost,10,20,12\n"
                            "p7,1000,1024,0,0,,BE,Failed,10,20,12\n",
                            -1);
  g_autofree char *vms = ks_test_write_file (dir, "vms.csv",
                                             "v1,s,d,0,100,1,1,1,Interactive,2,4\n"
                                             "v2,s,d,-5,100,1,1,1,Interactive,2,4\n"
                                             "v3,s,d,0,100,1,1,1,Interactive,many,4\n"
                                             "v4,s,d,0,100,1,1,1,Interactive,2\n",
                                             -1);
  const char *paths[] = { pods };
  g_autoptr (Trace) trace = read_trace ("alibaba-gpu-2023", paths, 1, TRUE);

  g_assert_cmpuint (trace->counts.rows, ==, 7);
  g_assert_cmpuint (trace->counts.bad_rows, ==, 5);
  g_assert_cmpuint (count_op (trace, KS_TRACE_POD_SUBMIT), ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (trace->bad, 0),
                            "pods.csv:3: cpu_milli 'lots' is not a non-negative integer"));
  g_assert_nonnull (
      strstr (g_ptr_array_index (trace->bad, 1), "pods.csv:4: 7 columns where the header has 11"));
  g_assert_nonnull (strstr (g_ptr_array_index (trace->bad, 2),
                            "pods.csv:5: gpu_milli '1500' is not an integer from 0 to 1000"));
  g_assert_nonnull (strstr (g_ptr_array_index (trace->bad, 3),
                            "pods.csv:6: deletion_time 20 is before creation_time 30"));
  g_assert_nonnull (
      strstr (g_ptr_array_index (trace->bad, 4), "pods.csv:7: unknown pod_phase 'Lost'"));
  g_assert_cmpint (find (trace, KS_TRACE_POD_END, "p7")->outcome, ==, KS_TRACE_OUTCOME_FAILED);

  g_clear_pointer (&trace, trace_free);
  paths[0] = vms;
  trace = read_trace ("azure-vm", paths, 1, FALSE);
  g_assert_cmpuint (trace->counts.rows, ==, 4);
  g_assert_cmpuint (trace->counts.bad_rows, ==, 3);
  g_assert_nonnull (strstr (g_ptr_array_index (trace->bad, 0),
                            "vms.csv:2: vmcreated '-5' is not a non-negative integer"));
  g_assert_nonnull (strstr (g_ptr_array_index (trace->bad, 1),
                            "vms.csv:3: vmcorecount 'many' is not a core count"));
  g_assert_nonnull (
      strstr (g_ptr_array_index (trace->bad, 2), "vms.csv:4: 10 columns where a vmtable has 11"));
  ks_test_remove_tree (dir);
}

static void
test_not_the_format (void)
{
  g_autofree char *dir = ks_test_scratch_dir ("ks-test-readers-XXXXXX");
  g_autofree char *other = ks_test_write_file (dir, "other.csv", "a,b,c\n1,2,3\n", -1);
  const char *paths[] = { other };
  const char *formats[] = { "alibaba-gpu-2023", "alibaba-2017", "alibaba-2018" };

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autoptr (GError) error = NULL;
      KsTraceOptions options;
      g_autoptr (Trace) trace = NULL;

      ks_trace_options_init (&options);
      trace = read_trace_with (formats[i], paths, 1, FALSE, &options, &error);
      g_assert_null (trace);
      g_assert_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT);
      g_assert_nonnull (strstr (error->message, "other.csv"));
    }
  ks_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/trace-readers/openb/fixture", test_openb_fixture);
  g_test_add_func ("/trace-readers/openb/five-columns", test_openb_five_columns);
  g_test_add_func ("/trace-readers/openb/real", test_openb_real);
  g_test_add_func ("/trace-readers/azure/fixture", test_azure_fixture);
  g_test_add_func ("/trace-readers/azure/v2-header", test_azure_v2_header);
  g_test_add_func ("/trace-readers/azure/real", test_azure_real);
  g_test_add_func ("/trace-readers/alibaba-2017/fixture", test_a17_fixture);
  g_test_add_func ("/trace-readers/alibaba-2017/layouts", test_a17_layouts);
  g_test_add_func ("/trace-readers/alibaba-2017/quirks", test_a17_quirks);
  g_test_add_func ("/trace-readers/alibaba-2017/real", test_a17_real);
  g_test_add_func ("/trace-readers/alibaba-2018/machines", test_a18_machines);
  g_test_add_func ("/trace-readers/alibaba-2018/tables", test_a18_tables);
  g_test_add_func ("/trace-readers/alibaba-2018/refused", test_a18_refused);
  g_test_add_func ("/trace-readers/alibaba-2018/real", test_a18_real);
  g_test_add_func ("/trace-readers/bad-rows", test_bad_rows);
  g_test_add_func ("/trace-readers/not-the-format", test_not_the_format);
  return g_test_run ();
}
