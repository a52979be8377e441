/* test-traces.c: the trace input (files, gzip, directories, lines, CSV rows) and the reader core
 * (reorder window, late rows, bad rows, strict mode, field parsers, the format table). */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "tests/ks-test-traces.h"
#include "tests/ks-test.h"
#include "traces/ks-trace-private.h"

/* ---- helpers ----------------------------------------------------------------------------- */

/* Every line of an input as "file:line:text" (file without its directory). */
static char *
read_lines (KsTraceInput *input)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  const char *line;
  gsize len;

  while (ks_trace_input_next_line (input, &line, &len, &error))
    {
      g_autofree char *base = g_path_get_basename (ks_trace_input_get_file (input));

      g_assert_cmpuint (strlen (line), ==, len);
      g_string_append_printf (out, "%s:%" G_GUINT64_FORMAT ":%s\n", base,
                              ks_trace_input_get_line (input), line);
    }
  g_assert_no_error (error);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Every CSV row of an input as "line:[field|field|...]". */
static char *
read_rows (KsTraceInput *input)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  KsCsvRow row;

  while (ks_trace_input_next_csv (input, &row, &error))
    {
      g_string_append_printf (out, "%" G_GUINT64_FORMAT ":[", ks_trace_input_get_line (input));
      for (guint i = 0; i < row.n_fields; i++)
        g_string_append_printf (out, "%s%s", i > 0 ? "|" : "", row.fields[i]);
      g_string_append (out, "]\n");
      g_assert_null (row.fields[row.n_fields]);
    }
  g_assert_no_error (error);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ---- input ------------------------------------------------------------------------------- */

static void
test_input_lines (void)
{
  g_autofree char *dir = ks_test_scratch_dir ("ks-test-traces-XXXXXX");
  /* CRLF and LF mixed, an empty line, a lone "\r" kept inside a line, no final newline. */
  g_autofree char *path = ks_test_write_file (dir, "a.txt", "one\r\ntwo\n\nthr\ree\r\nlast", -1);
  g_autoptr (KsTraceInput) input = ks_test_trace_input_open (path);
  g_autofree char *lines = read_lines (input);

  g_assert_cmpstr (lines, ==,
                   "a.txt:1:one\na.txt:2:two\na.txt:3:\na.txt:4:thr\ree\na.txt:5:last\n");
  g_assert_cmpuint (ks_trace_input_get_bytes_total (input), ==, 22);
  g_assert_cmpuint (ks_trace_input_get_bytes_read (input), ==, 22);
  ks_test_remove_tree (dir);
}

static void
test_input_long_line (void)
{
  g_autofree char *dir = ks_test_scratch_dir ("ks-test-traces-XXXXXX");
  gsize big = (3 << 20) + 17; /* longer than the read buffer */
  g_autofree char *text = g_malloc (big + 16);
  g_autofree char *path = NULL;
  g_autoptr (KsTraceInput) input = NULL;
  g_autoptr (GError) error = NULL;
  const char *line;
  gsize len;

  memcpy (text, "x\n", 2);
  memset (text + 2, 'a', big);
  memcpy (text + 2 + big, "\nz\n", 4);
  path = ks_test_write_file (dir, "long", text, -1);
  input = ks_test_trace_input_open (path);
  g_assert_true (ks_trace_input_next_line (input, &line, &len, &error));
  g_assert_cmpstr (line, ==, "x");
  g_assert_true (ks_trace_input_next_line (input, &line, &len, &error));
  g_assert_cmpuint (len, ==, big);
  g_assert_cmpint (line[0], ==, 'a');
  g_assert_cmpint (line[big - 1], ==, 'a');
  g_assert_cmpuint (ks_trace_input_get_line (input), ==, 2);
  g_assert_true (ks_trace_input_next_line (input, &line, &len, &error));
  g_assert_cmpstr (line, ==, "z");
  g_assert_cmpuint (ks_trace_input_get_line (input), ==, 3);
  g_assert_false (ks_trace_input_next_line (input, &line, &len, &error));
  g_assert_no_error (error);
  ks_test_remove_tree (dir);
}

static void
test_input_gzip (void)
{
  g_autofree char *dir = ks_test_scratch_dir ("ks-test-traces-XXXXXX");
  /* Recognized by its magic bytes, whatever the name says. */
  g_autofree char *gz = ks_test_write_gzip (dir, "events.csv", "1,a\r\n2,b\r\n");
  g_autofree char *plain = ks_test_write_file (dir, "plain.gz", "3,c\n", -1);
  const char *paths[] = { gz, plain };
  g_autoptr (GError) error = NULL;
  g_autoptr (KsTraceInput) input = ks_trace_input_open (paths, 2, &error);
  g_autofree char *lines = NULL;

  g_assert_no_error (error);
  lines = read_lines (input);
  g_assert_cmpstr (lines, ==, "events.csv:1:1,a\nevents.csv:2:2,b\nplain.gz:1:3,c\n");
  ks_test_remove_tree (dir);
}

static void
test_input_gzip_corrupt (void)
{
  g_autofree char *dir = ks_test_scratch_dir ("ks-test-traces-XXXXXX");
  g_autofree char *path
      = ks_test_write_file (dir, "bad.gz", "\x1f\x8b\x08\x00garbage that is not deflate", -1);
  g_autoptr (KsTraceInput) input = ks_test_trace_input_open (path);
  g_autoptr (GError) error = NULL;
  g_autofree char *prefix = g_strconcat (path, ": ", NULL);
  const char *line;
  gsize len;

  g_assert_false (ks_trace_input_next_line (input, &line, &len, &error));
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  ks_test_remove_tree (dir);
}

static void
test_input_directory (void)
{
  g_autofree char *dir = ks_test_scratch_dir ("ks-test-traces-XXXXXX");
  g_autofree char *parts = g_build_filename (dir, "task_events", NULL);
  g_autofree char *p1 = NULL, *p0 = NULL, *hidden = NULL, *p2 = NULL;
  g_autoptr (KsTraceInput) input = NULL;
  g_autofree char *lines = NULL;

  g_assert_cmpint (g_mkdir (parts, 0755), ==, 0);
  /* Written out of order: read in name order, hidden files skipped, gzip and plain mixed. */
  p1 = ks_test_write_gzip (parts, "part-00001-of-00003.csv.gz", "b1\nb2\n");
  p0 = ks_test_write_file (parts, "part-00000-of-00003.csv.gz", "a1\n", -1);
  p2 = ks_test_write_file (parts, "part-00002-of-00003.csv.gz", "", -1);
  hidden = ks_test_write_file (parts, ".part-00000.crc", "x\n", -1);
  input = ks_test_trace_input_open (parts);
  lines = read_lines (input);
  g_assert_cmpstr (lines, ==,
                   "part-00000-of-00003.csv.gz:1:a1\npart-00001-of-00003.csv.gz:1:b1\n"
                   "part-00001-of-00003.csv.gz:2:b2\n");
  ks_test_remove_tree (dir);
}

static void
test_input_errors (void)
{
  g_autofree char *dir = ks_test_scratch_dir ("ks-test-traces-XXXXXX");
  g_autofree char *missing = g_build_filename (dir, "nope.csv", NULL);
  g_autofree char *expected = g_strconcat (missing, ": no such file or directory", NULL);
  g_autofree char *empty_expected = NULL;
  const char *paths[] = { missing };
  const char *dirs[] = { dir };
  g_autoptr (GError) error = NULL;

  g_assert_null (ks_trace_input_open (paths, 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  g_assert_null (ks_trace_input_open (dirs, 1, &error));
  empty_expected = g_strdup_printf ("%s: directory without regular files (expected the trace's "
                                    "parts, such as part-00000-of-00500.csv.gz)",
                                    dir);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, empty_expected);
  ks_test_remove_tree (dir);
}

static void
test_input_csv (void)
{
  g_autofree char *dir = ks_test_scratch_dir ("ks-test-traces-XXXXXX");
  /* Empty fields keep their columns; blank lines are skipped but counted in line numbers; a
     quoted field holds a comma, a doubled quote and a newline (its row has its first line's
     number; a CRLF inside it is read as "\n" like every line end); CRLF; spaces around unquoted
     fields are trimmed (libcsv); no final newline. */
  g_autofree char *path = ks_test_write_file (dir, "t.csv",
                                              "0,,3418309,0,,,\r\n"
                                              "\r\n"
                                              "  \n"
                                              "1,\"a,b\",\"say \"\"hi\"\"\"\r\n"
                                              "2,\"two\r\nlines\",x\n"
                                              " 3 , y ,\n"
                                              "4",
                                              -1);
  g_autoptr (KsTraceInput) input = ks_test_trace_input_open (path);
  g_autofree char *rows = read_rows (input);

  g_assert_cmpstr (rows, ==,
                   "1:[0||3418309|0|||]\n"
                   "4:[1|a,b|say \"hi\"]\n"
                   "5:[2|two\nlines|x]\n"
                   "7:[3|y|]\n"
                   "8:[4]\n");
  ks_test_remove_tree (dir);
}

static void
test_input_csv_unterminated (void)
{
  g_autofree char *dir = ks_test_scratch_dir ("ks-test-traces-XXXXXX");
  /* A quote left open at the end of the first file ends the row there, not in the next file. */
  g_autofree char *a = ks_test_write_file (dir, "a.csv", "1,x\n2,\"open\n", -1);
  g_autofree char *b = ks_test_write_file (dir, "b.csv", "3,y\n", -1);
  const char *paths[] = { a, b };
  g_autoptr (GError) error = NULL;
  g_autoptr (KsTraceInput) input = ks_trace_input_open (paths, 2, &error);
  g_autofree char *rows = NULL;

  g_assert_no_error (error);
  rows = read_rows (input);
  g_assert_cmpstr (rows, ==, "1:[1|x]\n2:[2|open\n]\n1:[3|y]\n");
  g_assert_true (g_str_has_suffix (ks_trace_input_get_file (input), "b.csv"));
  ks_test_remove_tree (dir);
}

/* ---- the core, through a format of the test's own ------------------------------------------ */

/* Lines "time,id"; "bad" lines are bad rows. */
typedef struct
{
  KsTraceInput *input;
} TestState;

static gpointer
test_format_open (KsTraceReader *reader, const char *const *paths, guint n_paths,
                  const KsTraceOptions *options, GError **error)
{
  TestState *state;
  KsTraceInput *input = ks_trace_input_open (paths, n_paths, error);

  (void) reader;
  (void) options;
  if (input == NULL)
    return NULL;
  state = g_new0 (TestState, 1);
  state->input = input;
  return state;
}

static gboolean
test_format_step (gpointer data, KsTraceReader *reader, GError **error)
{
  TestState *state = data;
  KsCsvRow row;
  KsTraceRecord record = { 0 };
  gint64 time;

  if (!ks_trace_input_next_csv (state->input, &row, error))
    return FALSE;
  ks_trace_count_row (reader);
  if (row.n_fields != 2 || !ks_trace_parse_int64 (row.fields[0], &time) || time < 0)
    return ks_trace_bad_row (reader, ks_trace_input_get_file (state->input),
                             ks_trace_input_get_line (state->input), error,
                             "expected \"time,id\" with a time ≥ 0");
  record.op = KS_TRACE_POD_SUBMIT;
  record.time = time;
  record.id = row.fields[1];
  record.file = ks_trace_input_get_file (state->input);
  record.line = ks_trace_input_get_line (state->input);
  ks_trace_emit (reader, &record);
  return TRUE;
}

static void
test_format_free (gpointer data)
{
  TestState *state = data;

  ks_trace_input_free (state->input);
  g_free (state);
}

static KsTraceInput *
test_format_get_input (gpointer data)
{
  return ((TestState *) data)->input;
}

static const KsTraceFormat test_format = {
  .name = "test",
  .open = test_format_open,
  .step = test_format_step,
  .free = test_format_free,
  .get_input = test_format_get_input,
};

/* The same format, declaring that it emits its records in time order itself. */
static const KsTraceFormat test_format_ordered = {
  .name = "test-ordered",
  .open = test_format_open,
  .step = test_format_step,
  .free = test_format_free,
  .get_input = test_format_get_input,
  .orders_itself = TRUE,
};

static void
collect_bad_row (const char *file, guint64 line, const char *reason, gpointer data)
{
  g_autofree char *base = g_path_get_basename (file);

  g_string_append_printf (data, "%s:%" G_GUINT64_FORMAT ": %s\n", base, line, reason);
}

/* Read everything with format: "time id\n" per record; the counts in *counts. */
static char *
read_records_with (const KsTraceFormat *format, const char *text, guint window, gboolean strict,
                   GString *bad, KsTraceCounts *counts, GError **error)
{
  g_autofree char *dir = ks_test_scratch_dir ("ks-test-traces-XXXXXX");
  g_autofree char *path = ks_test_write_file (dir, "trace.csv", text, -1);
  const char *paths[] = { path };
  KsTraceOptions options;
  g_autoptr (KsTraceReader) reader = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  KsTraceRecord record;
  gboolean ok = TRUE;

  ks_trace_options_init (&options);
  options.reorder_window = window;
  options.strict = strict;
  options.bad_row = collect_bad_row;
  options.bad_row_data = bad;
  reader = ks_trace_reader_new_for_format (format, paths, 1, &options, error);
  g_assert_nonnull (reader);
  g_assert_cmpfloat (ks_trace_reader_get_progress (reader), ==, 0.0);
  while ((ok = ks_trace_reader_next (reader, &record, error)))
    g_string_append_printf (out, "%" G_GINT64_FORMAT " %s\n", record.time, record.id);
  if (error == NULL || *error == NULL)
    g_assert_cmpfloat (ks_trace_reader_get_progress (reader), ==, 1.0);
  *counts = *ks_trace_reader_get_counts (reader);
  ks_test_remove_tree (dir);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
read_records (const char *text, guint window, gboolean strict, GString *bad, KsTraceCounts *counts,
              GError **error)
{
  return read_records_with (&test_format, text, window, strict, bad, counts, error);
}

static void
test_reorder (void)
{
  g_autoptr (GString) bad = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  KsTraceCounts counts;
  g_autofree char *out = NULL;

  /* Window 3: "5 b" and "4 c" are repaired; "1 f" comes out after "20 d" and is given its time;
     equal times keep their order. */
  out = read_records ("10,a\n5,b\n4,c\n20,d\n6,e\n6,e2\n30,x\n40,y\n1,f\n", 3, FALSE, bad, &counts,
                      &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "4 c\n5 b\n6 e\n6 e2\n10 a\n20 d\n20 f\n30 x\n40 y\n");
  g_assert_cmpuint (counts.rows, ==, 9);
  g_assert_cmpuint (counts.late_rows, ==, 1);
  g_assert_cmpuint (counts.bad_rows, ==, 0);
  g_assert_cmpstr (bad->str, ==, "");
}

/* A format that orders its records itself is read without the core's window: records in order
   come out as they are; one out of order is not repaired but clamped and counted late, and bad
   rows are reported as with the window. */
static void
test_orders_itself (void)
{
  const char *sorted = "1,a\n1,b\n4,c\n9,d\n9,e\n";
  const char *shuffled = "10,a\n5,b\n20,c\nx,bad\n20,d\n30,e\n1,f\n";
  g_autoptr (GString) bad = g_string_new (NULL);
  g_autoptr (GString) bad_ordered = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  KsTraceCounts counts, counts_ordered;
  g_autofree char *windowed = NULL, *ordered = NULL, *windowed_sorted = NULL;
  g_autofree char *ordered_sorted = NULL;

  windowed_sorted = read_records_with (&test_format, sorted, 16, FALSE, bad, &counts, &error);
  g_assert_no_error (error);
  ordered_sorted
      = read_records_with (&test_format_ordered, sorted, 16, FALSE, bad, &counts_ordered, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ordered_sorted, ==, windowed_sorted);
  g_assert_cmpstr (ordered_sorted, ==, "1 a\n1 b\n4 c\n9 d\n9 e\n");
  g_assert_cmpuint (counts_ordered.late_rows, ==, 0);

  windowed = read_records_with (&test_format, shuffled, 16, FALSE, bad, &counts, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (windowed, ==, "1 f\n5 b\n10 a\n20 c\n20 d\n30 e\n");
  g_assert_cmpuint (counts.late_rows, ==, 0);
  ordered = read_records_with (&test_format_ordered, shuffled, 16, FALSE, bad_ordered,
                               &counts_ordered, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ordered, ==, "10 a\n10 b\n20 c\n20 d\n30 e\n30 f\n");
  g_assert_cmpuint (counts_ordered.late_rows, ==, 2);
  g_assert_cmpuint (counts_ordered.rows, ==, 7);
  g_assert_cmpuint (counts_ordered.bad_rows, ==, 1);
  g_assert_cmpstr (bad_ordered->str, ==, bad->str);
  g_assert_cmpstr (bad_ordered->str, ==, "trace.csv:4: expected \"time,id\" with a time ≥ 0\n");
}

static void
test_reorder_big (void)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GString) bad = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  KsTraceCounts counts;
  g_autofree char *out = NULL;
  char **lines;
  guint n = 0;
  gint64 previous = -1;

  /* Shuffled within blocks of 100: a window of 128 sorts it completely. */
  for (int block = 0; block < 50; block++)
    for (int i = 0; i < 100; i++)
      g_string_append_printf (text, "%d,r%d\n", block * 100 + (i * 37) % 100, n++);
  out = read_records (text->str, 128, FALSE, bad, &counts, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (counts.rows, ==, 5000);
  g_assert_cmpuint (counts.late_rows, ==, 0);
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 5001);
  for (guint i = 0; i < 5000; i++)
    {
      gint64 t = g_ascii_strtoll (lines[i], NULL, 10);

      g_assert_cmpint (t, ==, (gint64) i);
      g_assert_cmpint (t, >, previous);
      previous = t;
    }
  g_strfreev (lines);
}

static void
test_bad_rows (void)
{
  g_autoptr (GString) bad = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  KsTraceCounts counts;
  g_autofree char *out = NULL;

  out = read_records ("1,a\nx,b\n2,c,extra\n-5,d\n\n3,e\n", 16, FALSE, bad, &counts, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "1 a\n3 e\n");
  g_assert_cmpuint (counts.rows, ==, 5);
  g_assert_cmpuint (counts.bad_rows, ==, 3);
  /* Each reported once, with its line (the empty line 5 is no row). */
  g_assert_cmpstr (bad->str, ==,
                   "trace.csv:2: expected \"time,id\" with a time ≥ 0\n"
                   "trace.csv:3: expected \"time,id\" with a time ≥ 0\n"
                   "trace.csv:4: expected \"time,id\" with a time ≥ 0\n");
}

static void
test_strict (void)
{
  g_autoptr (GString) bad = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  KsTraceCounts counts;
  g_autofree char *out = NULL;

  out = read_records ("1,a\n2,b\nx,c\n3,d\n", 16, TRUE, bad, &counts, &error);
  g_assert_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_BAD_ROW);
  g_assert_true (g_str_has_suffix (error->message, "trace.csv:3: expected \"time,id\" with a "
                                                   "time ≥ 0"));
  /* Nothing from a trace that failed: the error is the answer. */
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpuint (counts.bad_rows, ==, 1);
  g_assert_cmpstr (bad->str, ==, "");
}

static void
test_emit_copies (void)
{
  g_autofree char *dir = ks_test_scratch_dir ("ks-test-traces-XXXXXX");
  g_autofree char *path = ks_test_write_file (dir, "x", "", -1);
  const char *paths[] = { path };
  g_autoptr (KsTraceReader) reader
      = ks_trace_reader_new_for_format (&test_format, paths, 1, NULL, NULL);
  char id[16], model_a[8], model_b[8];
  const char *models[] = { model_a, model_b, NULL };
  g_autoptr (JsonObject) object = json_object_new ();
  KsTraceRecord in = { 0 }, out;

  g_assert_nonnull (reader);
  strcpy (id, "pod-1");
  strcpy (model_a, "V100");
  strcpy (model_b, "T4");
  in.op = KS_TRACE_OBJECT;
  in.time = 7;
  in.id = id;
  in.job = "job";
  in.event_name = "SUBMIT";
  in.gpu_models = models;
  in.object = object;
  in.cpu_milli = 1500;
  ks_trace_emit (reader, &in);
  /* The caller's buffers are reused at once: the record must not change. */
  strcpy (id, "zzzzz");
  strcpy (model_a, "zzzz");
  strcpy (model_b, "zz");
  g_assert_true (ks_trace_reader_next (reader, &out, NULL));
  g_assert_cmpstr (out.id, ==, "pod-1");
  g_assert_cmpstr (out.job, ==, "job");
  g_assert_cmpstr (out.event_name, ==, "SUBMIT");
  g_assert_cmpstr (out.gpu_models[0], ==, "V100");
  g_assert_cmpstr (out.gpu_models[1], ==, "T4");
  g_assert_null (out.gpu_models[2]);
  g_assert_null (out.zone);
  g_assert_true (out.object == object);
  g_assert_cmpint (out.cpu_milli, ==, 1500);
  g_assert_cmpint (out.time, ==, 7);
  g_assert_false (ks_trace_reader_next (reader, &out, NULL));
  ks_test_remove_tree (dir);
}

static void
test_parse (void)
{
  gint64 i = 0;
  double d = 0;

  g_assert_true (ks_trace_parse_int64 ("42", &i));
  g_assert_cmpint (i, ==, 42);
  g_assert_true (ks_trace_parse_int64 (" -7 ", &i));
  g_assert_cmpint (i, ==, -7);
  g_assert_true (ks_trace_parse_int64 ("100.0", &i));
  g_assert_cmpint (i, ==, 100);
  g_assert_true (ks_trace_parse_int64 ("9223372036854775807", &i));
  g_assert_cmpint (i, ==, G_MAXINT64);
  g_assert_false (ks_trace_parse_int64 ("9223372036854775808", &i));
  g_assert_false (ks_trace_parse_int64 ("100.5", &i));
  g_assert_false (ks_trace_parse_int64 ("", &i));
  g_assert_false (ks_trace_parse_int64 ("  ", &i));
  g_assert_false (ks_trace_parse_int64 ("12abc", &i));
  g_assert_false (ks_trace_parse_int64 ("abc", &i));
  g_assert_true (ks_trace_parse_double ("0.125", &d));
  g_assert_cmpfloat (d, ==, 0.125);
  g_assert_true (ks_trace_parse_double ("1e-3", &d));
  g_assert_cmpfloat (d, ==, 0.001);
  g_assert_false (ks_trace_parse_double ("", &d));
  g_assert_false (ks_trace_parse_double ("nan", &d));
  g_assert_false (ks_trace_parse_double ("inf", &d));
  g_assert_false (ks_trace_parse_double ("0.5x", &d));
}

static void
test_formats (void)
{
  const char *const *names = ks_trace_formats ();
  const char *paths[] = { "-" };
  g_autoptr (GError) error = NULL;
  g_autofree char *valid = g_strjoinv (", ", (char **) names);
  g_autofree char *expected
      = g_strdup_printf ("unknown trace format \"nope\" (valid formats: %s)", valid);

  g_assert_nonnull (names);
  g_assert_null (ks_trace_reader_new ("nope", paths, 1, NULL, &error));
  g_assert_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_classify (void)
{
  static const char *const tables[] = { "machine_events", "task_events", NULL };
  static const char *const unread[] = { "task_usage", NULL };
  g_autofree char *dir = ks_test_scratch_dir ("ks-test-traces-XXXXXX");
  g_autofree char *top = g_build_filename (dir, "top", NULL);
  g_autofree char *flat = g_build_filename (dir, "flat", NULL);
  g_autofree char *parts = g_build_filename (dir, "parts", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad", NULL);
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL, *f = NULL, *g = NULL;
  GPtrArray *out[2];
  g_autoptr (GError) error = NULL;

  for (int t = 0; t < 2; t++)
    out[t] = g_ptr_array_new_with_free_func (g_free);
  g_assert_cmpint (g_mkdir_with_parents (top, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (flat, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (parts, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (bad, 0755), ==, 0);
  /* A top folder: its table folders (schema.csv and other folders left alone). */
  {
    g_autofree char *tasks = g_build_filename (top, "task_events", NULL);
    g_autofree char *usage = g_build_filename (top, "task_usage", NULL);

    g_assert_cmpint (g_mkdir (tasks, 0755), ==, 0);
    g_assert_cmpint (g_mkdir (usage, 0755), ==, 0);
  }
  a = ks_test_write_file (top, "schema.csv", "x\n", -1);
  /* A folder of table files, and one of parts. */
  b = ks_test_write_file (flat, "task_events-000.json", "", -1);
  c = ks_test_write_file (flat, "machine_events-000.json", "", -1);
  d = ks_test_write_file (parts, "part-00001", "", -1);
  e = ks_test_write_file (parts, "part-00000", "", -1);
  {
    const char *paths[] = { top, flat, parts, "-" };
    g_autofree char *top_tasks = g_build_filename (top, "task_events", NULL);

    g_assert_true (ks_trace_classify ("test", paths, 4, tables, 2, 1, unread, out, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (out[0]->len, ==, 1);
    g_assert_cmpstr (out[0]->pdata[0], ==, c);
    g_assert_cmpuint (out[1]->len, ==, 4);
    g_assert_cmpstr (out[1]->pdata[0], ==, top_tasks);
    g_assert_cmpstr (out[1]->pdata[1], ==, b);
    g_assert_cmpstr (out[1]->pdata[2], ==, parts);
    g_assert_cmpstr (out[1]->pdata[3], ==, "-");
  }
  /* A table the format does not read, as a file among table files. */
  f = ks_test_write_file (bad, "machine_events.csv", "", -1);
  g = ks_test_write_file (bad, "task_usage.csv", "", -1);
  {
    const char *paths[] = { bad };
    g_autofree char *expected = g_strdup_printf (
        "%s: the task_usage table is not read by the test format (it reads machine_events, "
        "task_events)",
        g);

    g_assert_false (ks_trace_classify ("test", paths, 1, tables, 2, 1, unread, out, &error));
    g_assert_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT);
    g_assert_cmpstr (error->message, ==, expected);
  }
  for (int t = 0; t < 2; t++)
    g_ptr_array_unref (out[t]);
  ks_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/traces/input/lines", test_input_lines);
  g_test_add_func ("/traces/input/long-line", test_input_long_line);
  g_test_add_func ("/traces/input/gzip", test_input_gzip);
  g_test_add_func ("/traces/input/gzip-corrupt", test_input_gzip_corrupt);
  g_test_add_func ("/traces/input/directory", test_input_directory);
  g_test_add_func ("/traces/input/errors", test_input_errors);
  g_test_add_func ("/traces/input/csv", test_input_csv);
  g_test_add_func ("/traces/input/csv-unterminated", test_input_csv_unterminated);
  g_test_add_func ("/traces/core/reorder", test_reorder);
  g_test_add_func ("/traces/core/reorder-big", test_reorder_big);
  g_test_add_func ("/traces/core/orders-itself", test_orders_itself);
  g_test_add_func ("/traces/core/bad-rows", test_bad_rows);
  g_test_add_func ("/traces/core/strict", test_strict);
  g_test_add_func ("/traces/core/emit-copies", test_emit_copies);
  g_test_add_func ("/traces/core/parse", test_parse);
  g_test_add_func ("/traces/core/formats", test_formats);
  g_test_add_func ("/traces/core/classify", test_classify);
  return g_test_run ();
}
