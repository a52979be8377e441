/* test-trace-google.c: the google-2011 and google-2019 readers: units and identities on known
 * rows, lifetimes, the sentinels, merged tables, quirks (missing requests, CRLF), bad rows; and
 * the counts of the two real task_events parts when the shared traces are there. */
#include "config.h"

#include <string.h>

#include "ks-test-traces.h"
#include "tests/ks-test.h"
#include "traces/ks-trace-private.h"
#include "traces/ks-trace-stats.h"

/* ---- helpers ----------------------------------------------------------------------------- */

/* A fixture's text, gunzipped. */
static char *
fixture_text (const char *relative)
{
  g_autofree char *path = ks_test_trace_fixture (relative);
  const char *paths[] = { path };
  g_autoptr (GError) error = NULL;
  g_autoptr (KsTraceInput) input = ks_trace_input_open (paths, 1, &error);
  g_autoptr (GString) out = g_string_new (NULL);
  const char *line;
  gsize len;

  g_assert_no_error (error);
  while (ks_trace_input_next_line (input, &line, &len, &error))
    g_string_append_printf (out, "%s\n", line);
  g_assert_no_error (error);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static const char *const op_names[] = { "NODE_ADD",  "NODE_UPDATE", "NODE_REMOVE", "POD_SUBMIT",
                                        "POD_START", "POD_END",     "POD_UPDATE",  "OBJECT" };
static const char *const outcome_names[]
    = { "", "succeeded", "failed", "killed", "evicted", "lost" };

/* A record as one line: "time op id job event cpu_milli memory_bytes priority class outcome". */
static void
append_record (GString *out, const KsTraceRecord *r)
{
  g_string_append_printf (
      out, "%" G_GINT64_FORMAT " %s %s %s %s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %d %s %s\n",
      r->time, op_names[r->op], r->id, r->job != NULL ? r->job : "-", r->event_name, r->cpu_milli,
      r->memory_bytes, r->priority, r->priority_class != NULL ? r->priority_class : "-",
      outcome_names[r->outcome]);
}

typedef struct
{
  GString *records;
  GString *bad;
  KsTraceCounts counts;
} Read;

static void
collect_bad_row (const char *file, guint64 line, const char *reason, gpointer data)
{
  g_autofree char *base = g_path_get_basename (file);

  g_string_append_printf (data, "%s:%" G_GUINT64_FORMAT ": %s\n", base, line, reason);
}

static void
read_clear (Read *read)
{
  g_string_free (read->records, TRUE);
  g_string_free (read->bad, TRUE);
}

/* Read a whole trace (max records into read->records); the reader must not fail. */
static void
read_trace (const char *format, const char *const *paths, guint n, const KsTraceOptions *given,
            guint max, Read *read)
{
  KsTraceOptions options;
  g_autoptr (GError) error = NULL;
  g_autoptr (KsTraceReader) reader = NULL;
  KsTraceRecord record;
  guint n_records = 0;
  gint64 last = 0;

  if (given != NULL)
    options = *given;
  else
    ks_trace_options_init (&options);
  read->records = g_string_new (NULL);
  read->bad = g_string_new (NULL);
  options.bad_row = collect_bad_row;
  options.bad_row_data = read->bad;
  reader = ks_trace_reader_new (format, paths, n, &options, &error);
  g_assert_no_error (error);
  while (ks_trace_reader_next (reader, &record, &error))
    {
      g_assert_cmpint (record.time, >=, last);
      last = record.time;
      if (n_records++ < max)
        append_record (read->records, &record);
    }
  g_assert_no_error (error);
  read->counts = *ks_trace_reader_get_counts (reader);
}

/* ---- google-2011 ------------------------------------------------------------------------- */

static void
test_2011_fixture (void)
{
  g_autofree char *path
      = ks_test_trace_fixture ("google-2011/task_events/part-00000-of-00500.csv.gz");
  const char *paths[] = { path };
  Read read;

  read_trace ("google-2011", paths, 1, NULL, 4, &read);
  /* Rows 1-2 carry missing-info code 2 and no requests (the quirk: empty fields, columns kept);
     rows 3-4 request 0.125 of the reference machine's 32 cores (4000m) and 0.07446 of its 128 GiB
     (round (0.07446 × 137438953472) = 10233704476 bytes); priority 9 is a production one. */
  g_assert_cmpstr (read.records->str, ==,
                   "0 POD_SUBMIT 3418309-0 3418309 SUBMIT -1 -1 9 trace-production \n"
                   "0 POD_SUBMIT 3418309-1 3418309 SUBMIT -1 -1 9 trace-production \n"
                   "0 POD_SUBMIT 3418314-0 3418314 SUBMIT 4000 10233704476 9 trace-production \n"
                   "0 POD_SUBMIT 3418314-1 3418314 SUBMIT 4000 10233704476 9 trace-production \n");
  g_assert_cmpuint (read.counts.rows, ==, 300);
  g_assert_cmpuint (read.counts.bad_rows, ==, 0);
  g_assert_cmpuint (read.counts.late_rows, ==, 0);
  g_assert_cmpstr (read.bad->str, ==, "");
  read_clear (&read);
}

static void
test_2011_reference_machine (void)
{
  g_autofree char *path
      = ks_test_trace_fixture ("google-2011/task_events/part-00000-of-00500.csv.gz");
  const char *paths[] = { path };
  KsTraceOptions options;
  Read read;
  g_auto (GStrv) lines = NULL;

  ks_trace_options_init (&options);
  options.machine_cpu = 64;
  options.machine_memory = G_GINT64_CONSTANT (1) << 30;
  read_trace ("google-2011", paths, 1, &options, 3, &read);
  lines = g_strsplit (read.records->str, "\n", -1);
  /* 0.125 × 64 cores; round (0.07446 × 2^30) = 79950816. */
  g_assert_cmpstr (lines[2], ==,
                   "0 POD_SUBMIT 3418314-0 3418314 SUBMIT 8000 79950816 9 trace-production ");
  read_clear (&read);
}

static void
test_2011_lifetimes (void)
{
  g_autofree char *path
      = ks_test_trace_fixture ("google-2011/task_events/part-00001-of-00500.csv.gz");
  const char *paths[] = { path };
  Read read;
  g_autoptr (KsTraceStats) stats = ks_trace_stats_new ();
  g_autoptr (JsonNode) json = NULL;
  g_autofree char *text = NULL;
  KsTraceOptions options;
  g_autoptr (KsTraceReader) reader = NULL;

  read_trace ("google-2011", paths, 1, NULL, 3, &read);
  /* FINISH ends a pod as succeeded; EVICT (2) as evicted; priorities 2 and 0 are batch and free;
     the requests are given on every event. */
  g_assert_cmpstr (read.records->str, ==,
                   "5611824441 POD_END 6251812952-1761 6251812952 FINISH 800 10938766307 2 "
                   "trace-batch succeeded\n"
                   "5611824625 POD_END 6251974185-252 6251974185 FINISH 800 4589086656 2 "
                   "trace-batch succeeded\n"
                   "5612587437 POD_END 6251995937-33 6251995937 EVICT 2199 1639646715 0 "
                   "trace-free evicted\n");
  read_clear (&read);

  /* Event counts of the 300 rows: `cut -d, -f6 | sort | uniq -c` gives 119 SUBMIT, 46 SCHEDULE,
     105 EVICT, 2 FAIL, 16 FINISH, 12 KILL. */
  ks_trace_options_init (&options);
  reader = ks_trace_reader_new ("google-2011", paths, 1, &options, NULL);
  g_assert_true (ks_trace_stats_read (stats, reader, NULL, NULL, NULL));
  json = ks_trace_stats_to_json (stats);
  text = json_to_string (json_object_get_member (json_node_get_object (json), "events"), FALSE);
  g_assert_cmpstr (text, ==,
                   "{\"EVICT\":105,\"FAIL\":2,\"FINISH\":16,\"KILL\":12,\"SCHEDULE\":46,"
                   "\"SUBMIT\":119}");
}

static void
test_2011_crlf (void)
{
  g_autofree char *text = fixture_text ("google-2011/task_events/part-00000-of-00500.csv.gz");
  g_autofree char *dir = ks_test_scratch_dir ("ks-test-google-XXXXXX");
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *crlf_text = g_strjoinv ("\r\n", lines);
  g_autofree char *lf = ks_test_write_file (dir, "lf/task_events.csv", text, -1);
  g_autofree char *crlf = ks_test_write_file (dir, "crlf/task_events.csv", crlf_text, -1);
  const char *lf_paths[] = { lf }, *crlf_paths[] = { crlf };
  Read a, b;

  g_assert_nonnull (strstr (crlf_text, ",,,,\r\n"));
  read_trace ("google-2011", lf_paths, 1, NULL, 1000, &a);
  read_trace ("google-2011", crlf_paths, 1, NULL, 1000, &b);
  /* Same records, the empty last columns included. */
  g_assert_cmpstr (a.records->str, ==, b.records->str);
  g_assert_cmpuint (a.counts.rows, ==, 300);
  g_assert_cmpuint (b.counts.rows, ==, 300);
  g_assert_cmpuint (b.counts.bad_rows, ==, 0);
  read_clear (&a);
  read_clear (&b);
  ks_test_remove_tree (dir);
}

static void
test_2011_tables (void)
{
  g_autofree char *dir = ks_test_scratch_dir ("ks-test-google-XXXXXX");
  /* The upstream layout: a folder per table, classified by its name.  Machines come before tasks
     at equal times; 2^63-1 ("after the window") is counted but gives no record; job events give
     no record. */
  g_autofree char *machines = ks_test_write_file (
      dir, "trace/machine_events/part-00000-of-00001.csv",
      "0,5,0,HofLGzk1Or/8Ildj2+Lqv0UGGvY82NLoni8+J/Yy0RU=,0.5,0.2493\n"
      "0,6,0,HofLGzk1Or/8Ildj2+Lqv0UGGvY82NLoni8+J/Yy0RU=,0.5,0.4995\n"
      "835150655,5,1,HofLGzk1Or/8Ildj2+Lqv0UGGvY82NLoni8+J/Yy0RU=,,\n"
      "900000000,6,2,HofLGzk1Or/8Ildj2+Lqv0UGGvY82NLoni8+J/Yy0RU=,0.25,0.4995\n",
      -1);
  g_autofree char *jobs = ks_test_write_file (dir, "trace/job_events/part-00000-of-00500.csv",
                                              "0,,3418309,0,user,3,name,logical\n", -1);
  g_autofree char *tasks
      = ks_test_write_file (dir, "trace/task_events/part-00000-of-00500.csv",
                            "0,,3418309,0,,0,user,3,9,0.125,0.0625,0.001,0\n"
                            "600000000,,3418309,0,5,1,user,3,9,0.125,0.0625,0.001,0\n"
                            "700000000,,3418309,0,5,3,user,3,9,0.125,0.0625,0.001,0\n"
                            "710000000,,3418309,0,,0,user,3,9,0.125,0.0625,0.001,0\n"
                            "720000000,,3418309,0,6,1,user,3,9,0.125,0.0625,0.001,0\n"
                            "730000000,,3418309,0,6,8,user,3,9,0.25,0.0625,0.001,0\n"
                            "950000000,,3418309,0,6,6,user,3,11,0.125,0.0625,0.001,0\n"
                            "9223372036854775807,,3418309,0,6,4,user,3,9,0.125,0.0625,0.001,0\n",
                            -1);
  g_autofree char *top = g_build_filename (dir, "trace", NULL);
  const char *paths[] = { top };
  Read read;

  read_trace ("google-2011", paths, 1, NULL, 100, &read);
  g_assert_cmpstr (read.records->str, ==,
                   "0 NODE_ADD machine-5 - ADD 16000 34263531101 0 - \n"
                   "0 NODE_ADD machine-6 - ADD 16000 68650757259 0 - \n"
                   "0 POD_SUBMIT 3418309-0 3418309 SUBMIT 4000 8589934592 9 trace-production \n"
                   "600000000 POD_START 3418309-0 3418309 SCHEDULE 4000 8589934592 9 "
                   "trace-production \n"
                   "700000000 POD_END 3418309-0 3418309 FAIL 4000 8589934592 9 trace-production "
                   "failed\n"
                   "710000000 POD_SUBMIT 3418309-0 3418309 SUBMIT 4000 8589934592 9 "
                   "trace-production \n"
                   "720000000 POD_START 3418309-0 3418309 SCHEDULE 4000 8589934592 9 "
                   "trace-production \n"
                   "730000000 POD_UPDATE 3418309-0 3418309 UPDATE_RUNNING 8000 8589934592 9 "
                   "trace-production \n"
                   "835150655 NODE_REMOVE machine-5 - REMOVE -1 -1 0 - \n"
                   "900000000 NODE_UPDATE machine-6 - UPDATE 8000 68650757259 0 - \n"
                   "950000000 POD_END 3418309-0 3418309 LOST 4000 8589934592 11 trace-production "
                   "lost\n");
  g_assert_cmpuint (read.counts.rows, ==, 13);
  g_assert_cmpuint (read.counts.bad_rows, ==, 0);
  read_clear (&read);

  /* The same tables given as files. */
  {
    const char *files[] = { tasks, jobs, machines };
    Read again;

    read_trace ("google-2011", files, 3, NULL, 2, &again);
    g_assert_true (g_str_has_prefix (again.records->str, "0 NODE_ADD machine-5"));
    g_assert_cmpuint (again.counts.rows, ==, 13);
    read_clear (&again);
  }
  ks_test_remove_tree (dir);
}

static void
test_2011_bad_rows (void)
{
  g_autofree char *dir = ks_test_scratch_dir ("ks-test-google-XXXXXX");
  g_autofree char *path
      = ks_test_write_file (dir, "task_events.csv",
                            "0,,1,0,,0,u,3,9,0.1,0.1,0.1,0\n"
                            "0,,1,1,,0,u,3,9,0.1,0.1,0.1\n"     /* 12 columns */
                            "x,,1,2,,0,u,3,9,0.1,0.1,0.1,0\n"   /* time */
                            "-5,,1,3,,0,u,3,9,0.1,0.1,0.1,0\n"  /* negative time */
                            "1,,1,4,,9,u,3,9,0.1,0.1,0.1,0\n"   /* event type 9 */
                            "1,,1,5,,0,u,3,9,lots,0.1,0.1,0\n"  /* cpu */
                            "1,,job,6,,0,u,3,9,0.1,0.1,0.1,0\n" /* job id */
                            "1,,1,7,,0,u,3,,0.1,0.1,0.1,0\n"    /* priority (mandatory) */
                            "1,,1,8,,0,u,3,9,0.1,-0.1,0.1,0\n"  /* negative memory */
                            "1,x,1,8,,0,u,3,9,0.1,0.1,0.1,0\n"  /* missing info */
                            "2,,1,9,,0,u,3,9,0.1,0.1,0.1,0\n",
                            -1);
  const char *paths[] = { path };
  Read read;
  KsTraceOptions options;
  g_autoptr (KsTraceReader) reader = NULL;
  g_autoptr (GError) error = NULL;
  KsTraceRecord record;

  read_trace ("google-2011", paths, 1, NULL, 100, &read);
  g_assert_cmpuint (read.counts.rows, ==, 11);
  g_assert_cmpuint (read.counts.bad_rows, ==, 9);
  g_assert_cmpstr (
      read.bad->str, ==,
      "task_events.csv:2: expected 13 columns (task_events), found 12\n"
      "task_events.csv:3: time \"x\" is not an integer ≥ 0 (µs, column 1 of task_events)\n"
      "task_events.csv:4: time \"-5\" is not an integer ≥ 0 (µs, column 1 of task_events)\n"
      "task_events.csv:5: event type \"9\" is not one of 0 SUBMIT … 8 UPDATE_RUNNING (column 6 "
      "of task_events)\n"
      "task_events.csv:6: CPU request \"lots\" is not a number ≥ 0 (column 10 of task_events)\n"
      "task_events.csv:7: job ID \"job\" is not an integer ≥ 0 (column 3 of task_events)\n"
      "task_events.csv:8: priority \"\" is not an integer ≥ 0 (column 9 of task_events)\n"
      "task_events.csv:9: memory request \"-0.1\" is not a number ≥ 0 (column 11 of "
      "task_events)\n"
      "task_events.csv:10: missing info \"x\" is not an integer (column 2 of task_events)\n");
  g_assert_cmpuint (strlen (read.records->str), >, 0);
  g_assert_nonnull (strstr (read.records->str, " 1-0 "));
  g_assert_nonnull (strstr (read.records->str, " 1-9 "));
  read_clear (&read);

  /* Strict: the first bad row is the error. */
  ks_trace_options_init (&options);
  options.strict = TRUE;
  reader = ks_trace_reader_new ("google-2011", paths, 1, &options, &error);
  g_assert_no_error (error);
  g_assert_false (ks_trace_reader_next (reader, &record, &error));
  g_assert_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_BAD_ROW);
  g_assert_true (g_str_has_suffix (
      error->message, "task_events.csv:2: expected 13 columns (task_events), found 12"));
  ks_test_remove_tree (dir);
}

static void
test_2011_unread_table (void)
{
  const char *paths[] = { "trace/task_usage/part-00000-of-00500.csv.gz" };
  g_autoptr (GError) error = NULL;

  g_assert_null (ks_trace_reader_new ("google-2011", paths, 1, NULL, &error));
  g_assert_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT);
  g_assert_cmpstr (error->message, ==,
                   "trace/task_usage/part-00000-of-00500.csv.gz: the task_usage table is not read "
                   "by the google-2011 format (it reads machine_events, job_events, "
                   "task_events)");
}

/* The two real parts: row and pod counts (`zcat | wc -l`, and distinct job-index pairs with
   awk), event counts (`cut -d, -f6 | sort | uniq -c`), the time span. */
static void
test_2011_real_parts (void)
{
  g_autofree char *dir = ks_test_find_trace ("google-2011/task_events");
  struct
  {
    const char *name;
    guint64 rows, pods, jobs, submit, schedule, evict, fail, finish, kill;
    double first, last;
  } parts[] = {
    { "part-00000-of-00500.csv.gz", 450146, 190926, 4895, 201491, 189994, 4338, 581, 43237, 10505,
      0, 5611.086346 },
    { "part-00001-of-00500.csv.gz", 77776, 25006, 1324, 25822, 26231, 2500, 501, 14551, 8171,
      5611.824441, 10622.38815 },
  };

  if (dir == NULL)
    {
      g_test_skip ("google-2011/task_events not found (set KS_TRACES_DIR to the folder that holds "
                   "google-2011/)");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_autofree char *path = g_build_filename (dir, parts[i].name, NULL);
      const char *paths[] = { path };
      g_autoptr (KsTraceReader) reader = ks_trace_reader_new ("google-2011", paths, 1, NULL, NULL);
      g_autoptr (KsTraceStats) stats = ks_trace_stats_new ();
      g_autoptr (JsonNode) json = NULL;
      JsonObject *o, *events;

      g_assert_nonnull (reader);
      g_assert_true (ks_trace_stats_read (stats, reader, NULL, NULL, NULL));
      json = ks_trace_stats_to_json (stats);
      o = json_node_get_object (json);
      events = json_object_get_object_member (o, "events");
      g_assert_cmpint (json_object_get_int_member (o, "rows"), ==, parts[i].rows);
      g_assert_cmpint (json_object_get_int_member (o, "bad_rows"), ==, 0);
      g_assert_cmpint (json_object_get_int_member (o, "late_rows"), ==, 0);
      g_assert_cmpint (json_object_get_int_member (o, "pods"), ==, parts[i].pods);
      g_assert_cmpint (json_object_get_int_member (o, "jobs"), ==, parts[i].jobs);
      g_assert_cmpint (json_object_get_int_member (events, "SUBMIT"), ==, parts[i].submit);
      g_assert_cmpint (json_object_get_int_member (events, "SCHEDULE"), ==, parts[i].schedule);
      g_assert_cmpint (json_object_get_int_member (events, "EVICT"), ==, parts[i].evict);
      g_assert_cmpint (json_object_get_int_member (events, "FAIL"), ==, parts[i].fail);
      g_assert_cmpint (json_object_get_int_member (events, "FINISH"), ==, parts[i].finish);
      g_assert_cmpint (json_object_get_int_member (events, "KILL"), ==, parts[i].kill);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "first_time_s"),
                                      parts[i].first, 1e-6);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "last_time_s"),
                                      parts[i].last, 1e-6);
    }
  /* The directory: both parts in name order, one stream in time order. */
  {
    const char *paths[] = { dir };
    Read read;

    read_trace ("google-2011", paths, 1, NULL, 0, &read);
    g_assert_cmpuint (read.counts.rows, ==, 450146 + 77776);
    g_assert_cmpuint (read.counts.late_rows, ==, 0);
    read_clear (&read);
  }
}

/* ---- google-2019 ------------------------------------------------------------------------- */

static void
test_2019_fixture (void)
{
  g_autofree char *dir = ks_test_trace_fixture ("google-2019");
  const char *paths[] = { dir };
  Read read;

  /* The folder's three tables, classified by name; the instance events are gzip.  int64 as
     strings and as numbers, enums by code and by name; alloc-set instances (collection 7003) and
     the 2^63-1 time give no record; a missing resource_request gives -1. */
  read_trace ("google-2019", paths, 1, NULL, 100, &read);
  g_assert_cmpstr (read.records->str, ==,
                   "0 NODE_ADD machine-100 - ADD 16000 68719476736 0 - \n"
                   "0 NODE_ADD machine-101 - ADD 32000 34359738368 0 - \n"
                   "0 POD_SUBMIT 7001-0 7001 SUBMIT 2000 4294967296 200 trace-production \n"
                   "0 POD_START 7001-0 7001 SCHEDULE 2000 4294967296 200 trace-production \n"
                   "300000000 POD_SUBMIT 7002-0 7002 SUBMIT 4000 1073741824 25 trace-free \n"
                   "300000000 POD_UPDATE 7002-0 7002 QUEUE 4000 1073741824 25 trace-free \n"
                   "301000000 POD_UPDATE 7002-0 7002 ENABLE 4000 1073741824 25 trace-free \n"
                   "302000000 POD_START 7002-0 7002 SCHEDULE 4000 1073741824 25 trace-free \n"
                   "310000000 POD_SUBMIT 7001-1 7001 SUBMIT -1 -1 200 trace-production \n"
                   "350000000 NODE_UPDATE machine-101 - UPDATE 24000 34359738368 0 - \n"
                   "400000000 POD_END 7002-0 7002 FAIL 4000 1073741824 25 trace-free failed\n"
                   "410000000 POD_SUBMIT 7002-0 7002 SUBMIT 4000 1073741824 25 trace-free \n"
                   "420000000 POD_UPDATE 7001-0 7001 UPDATE_RUNNING 4000 4294967296 200 "
                   "trace-production \n"
                   "500000000 POD_END 7001-0 7001 EVICT 4000 4294967296 200 trace-production "
                   "evicted\n"
                   "600000000 POD_END 7002-0 7002 KILL 4000 1073741824 25 trace-free killed\n"
                   "700000000 POD_END 7001-1 7001 FINISH -1 -1 200 trace-production succeeded\n"
                   "800000000 POD_END 7001-2 7001 LOST -1 -1 200 trace-production lost\n"
                   "900000000 NODE_REMOVE machine-100 - REMOVE -1 -1 0 - \n");
  g_assert_cmpuint (read.counts.rows, ==, 23);
  g_assert_cmpuint (read.counts.bad_rows, ==, 0);
  read_clear (&read);
}

static void
test_2019_bad_rows (void)
{
  g_autofree char *dir = ks_test_scratch_dir ("ks-test-google-XXXXXX");
  g_autofree char *path = ks_test_write_file (
      dir, "instance_events-000000000000.json",
      "{\"time\":\"1\",\"type\":\"0\",\"collection_id\":\"5\",\"instance_index\":\"0\"}\n"
      "{\"time\":\"1\",\"type\":\"0\",\"collection_id\":\"5\"\n"
      "[1,2]\n"
      "{\"time\":\"-1\",\"type\":\"0\",\"collection_id\":\"5\",\"instance_index\":\"1\"}\n"
      "{\"time\":\"2\",\"type\":\"11\",\"collection_id\":\"5\",\"instance_index\":\"2\"}\n"
      "{\"time\":\"2\",\"type\":\"SUBMITTED\",\"collection_id\":\"5\",\"instance_index\":\"3\"}\n"
      "{\"time\":\"2\",\"type\":0,\"collection_id\":\"five\",\"instance_index\":\"4\"}\n"
      "{\"time\":\"2\",\"type\":0,\"collection_id\":5,\"instance_index\":5,"
      "\"resource_request\":{\"cpus\":\"many\"}}\n"
      "\n"
      "{\"time\":3,\"type\":0,\"collection_id\":5,\"instance_index\":6,\"priority\":\"120\"}\n",
      -1);
  const char *paths[] = { path };
  Read read;

  read_trace ("google-2019", paths, 1, NULL, 100, &read);
  g_assert_cmpuint (read.counts.rows, ==, 9);
  g_assert_cmpuint (read.counts.bad_rows, ==, 7);
  g_assert_cmpstr (read.records->str, ==,
                   "1 POD_SUBMIT 5-0 5 SUBMIT -1 -1 0 trace-free \n"
                   "3 POD_SUBMIT 5-6 5 SUBMIT -1 -1 120 trace-production \n");
  g_assert_true (
      g_str_has_prefix (read.bad->str, "instance_events-000000000000.json:2: not JSON ("));
  g_assert_nonnull (strstr (read.bad->str,
                            "instance_events-000000000000.json:3: expected one instance_events "
                            "object per line\n"
                            "instance_events-000000000000.json:4: time \"-1\" is not an integer "
                            "≥ 0 (µs)\n"
                            "instance_events-000000000000.json:5: type \"11\" is not an event type "
                            "(0 SUBMIT … 10 UPDATE_RUNNING, by code or name)\n"
                            "instance_events-000000000000.json:6: type \"SUBMITTED\" is not an "
                            "event type (0 SUBMIT … 10 UPDATE_RUNNING, by code or name)\n"
                            "instance_events-000000000000.json:7: collection_id \"five\" is not an "
                            "integer ≥ 0\n"
                            "instance_events-000000000000.json:8: resource_request.cpus is not a "
                            "number ≥ 0\n"));
  read_clear (&read);
  ks_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/trace-google/2011/fixture", test_2011_fixture);
  g_test_add_func ("/trace-google/2011/reference-machine", test_2011_reference_machine);
  g_test_add_func ("/trace-google/2011/lifetimes", test_2011_lifetimes);
  g_test_add_func ("/trace-google/2011/crlf", test_2011_crlf);
  g_test_add_func ("/trace-google/2011/tables", test_2011_tables);
  g_test_add_func ("/trace-google/2011/bad-rows", test_2011_bad_rows);
  g_test_add_func ("/trace-google/2011/unread-table", test_2011_unread_table);
  g_test_add_func ("/trace-google/2011/real-parts", test_2011_real_parts);
  g_test_add_func ("/trace-google/2019/fixture", test_2019_fixture);
  g_test_add_func ("/trace-google/2019/bad-rows", test_2019_bad_rows);
  return g_test_run ();
}
