/* test-trace-input.c: gzip files of several members (cat a.gz b.gz, pigz, bgzip), zero padding,
 * truncated, corrupt and trailing data (traces/ks-trace-input.c); the exact distinct counts of
 * `trace stats` (traces/ks-trace-stats.c) against a GHashTable of the same ids. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "tests/ks-test-traces.h"
#include "traces/ks-trace-private.h"
#include "traces/ks-trace-stats.h"

/* ---- helpers ----------------------------------------------------------------------------- */

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  (void) data;
  f->dir = g_dir_make_tmp ("ks-test-trace-input-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autoptr (GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  (void) data;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (f->dir, name, NULL);

      g_assert_cmpint (g_unlink (child), ==, 0);
    }
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->dir);
}

/* One gzip member holding text, made with GIO's zlib compressor. */
static void
append_member (GByteArray *out, const char *text)
{
  g_autoptr (GZlibCompressor) gzip = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  gsize in_len = strlen (text), in_done = 0;

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      guint8 buf[4096];
      gsize n_read = 0, n_written = 0;
      GConverterResult result
          = g_converter_convert (G_CONVERTER (gzip), text + in_done, in_len - in_done, buf,
                                 sizeof buf, G_CONVERTER_INPUT_AT_END, &n_read, &n_written, &error);

      g_assert_no_error (error);
      in_done += n_read;
      g_byte_array_append (out, buf, (guint) n_written);
      if (result == G_CONVERTER_FINISHED)
        return;
    }
}

/* A member as bgzip writes it: the header's FEXTRA flag and a "BC" extra field giving the
 * block's size less one.  The extra field is inserted after the 10-byte header; the trailer
 * (CRC-32 and size of the uncompressed data) does not cover the header. */
static void
append_bgzf_block (GByteArray *out, const char *text)
{
  g_autoptr (GByteArray) member = g_byte_array_new ();
  guint8 extra[8] = { 6, 0, 'B', 'C', 2, 0, 0, 0 };
  guint bsize;

  append_member (member, text);
  bsize = member->len + sizeof extra - 1;
  extra[6] = (guint8) (bsize & 0xff);
  extra[7] = (guint8) (bsize >> 8);
  member->data[3] |= 4; /* FEXTRA */
  g_byte_array_append (out, member->data, 10);
  g_byte_array_append (out, extra, sizeof extra);
  g_byte_array_append (out, member->data + 10, member->len - 10);
}

/* bgzip's end-of-file marker: an empty BGZF block (the SAM/BAM specification, 4.1.2). */
static const guint8 bgzf_eof[28]
    = { 0x1f, 0x8b, 0x08, 0x04, 0,    0, 0, 0, 0, 0xff, 0x06, 0, 'B', 'C',
        2,    0,    0x1b, 0,    0x03, 0, 0, 0, 0, 0,    0,    0, 0,   0 };

static char *
write_bytes (Fixture *f, const char *name, const GByteArray *bytes)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (f->dir, name, NULL);

  g_file_set_contents (path, (const char *) bytes->data, bytes->len, &error);
  g_assert_no_error (error);
  return path;
}

/* Every line of path as "line:text\n"; *error set when reading stopped on an error. */
static char *
read_all (const char *path, GError **error)
{
  g_autoptr (KsTraceInput) input = ks_test_trace_input_open (path);
  GString *out = g_string_new (NULL);
  const char *line;
  gsize len;

  while (ks_trace_input_next_line (input, &line, &len, error))
    g_string_append_printf (out, "%" G_GUINT64_FORMAT ":%s\n", ks_trace_input_get_line (input),
                            line);
  return g_string_free (out, FALSE);
}

/* "1:<prefix>1\n2:<prefix>2\n..." for lines first..last of a text of "<prefix>N\n" lines. */
static char *
numbered (const char *prefix, guint first, guint last)
{
  GString *out = g_string_new (NULL);

  for (guint i = first; i <= last; i++)
    g_string_append_printf (out, "%u:%s%u\n", i, prefix, i);
  return g_string_free (out, FALSE);
}

static char *
lines_text (const char *prefix, guint first, guint last)
{
  GString *out = g_string_new (NULL);

  for (guint i = first; i <= last; i++)
    g_string_append_printf (out, "%s%u\n", prefix, i);
  return g_string_free (out, FALSE);
}

/* ---- gzip members ------------------------------------------------------------------------ */

/* `cat a.gz b.gz`: both members' lines, numbered on; an empty member in between changes
 * nothing; the same bytes as a plain file give the same lines. */
static void
test_members (Fixture *f, gconstpointer data)
{
  g_autoptr (GByteArray) gz = g_byte_array_new ();
  g_autofree char *a = lines_text ("row", 1, 3), *b = lines_text ("row", 4, 7);
  g_autofree char *path = NULL, *lines = NULL, *expected = numbered ("row", 1, 7);
  g_autoptr (GError) error = NULL;

  (void) data;
  append_member (gz, a);
  append_member (gz, "");
  /* The last line of the second member has no newline: it is still a line. */
  b[strlen (b) - 1] = '\0';
  append_member (gz, b);
  path = write_bytes (f, "ab.csv.gz", gz);
  lines = read_all (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lines, ==, expected);
}

/* Thousands of small members (as pigz --independent or a per-record writer make): their
 * boundaries fall everywhere in the reads, the magic bytes of one split across two. */
static void
test_many_members (Fixture *f, gconstpointer data)
{
  g_autoptr (GByteArray) gz = g_byte_array_new ();
  g_autofree char *path = NULL, *lines = NULL, *expected = numbered ("line-", 1, 30000);
  g_autoptr (GError) error = NULL;

  (void) data;
  for (guint i = 1; i <= 30000; i++)
    {
      g_autofree char *text = g_strdup_printf ("line-%u\n", i);

      append_member (gz, text);
    }
  /* Far more than one read of compressed bytes (256 KiB). */
  g_assert_cmpuint (gz->len, >, 3 * (256 << 10));
  path = write_bytes (f, "many.gz", gz);
  lines = read_all (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lines, ==, expected);
}

/* bgzip output: blocks with an extra field, ended by an empty block. */
static void
test_bgzip (Fixture *f, gconstpointer data)
{
  g_autoptr (GByteArray) gz = g_byte_array_new ();
  g_autofree char *a = lines_text ("r", 1, 2), *b = lines_text ("r", 3, 5);
  g_autofree char *path = NULL, *lines = NULL, *expected = numbered ("r", 1, 5);
  g_autoptr (GError) error = NULL;

  (void) data;
  append_bgzf_block (gz, a);
  append_bgzf_block (gz, b);
  g_byte_array_append (gz, bgzf_eof, sizeof bgzf_eof);
  path = write_bytes (f, "bgzf.csv.gz", gz);
  lines = read_all (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lines, ==, expected);

  /* The end-of-file block alone is an empty file. */
  g_byte_array_set_size (gz, 0);
  g_byte_array_append (gz, bgzf_eof, sizeof bgzf_eof);
  g_free (path);
  g_free (lines);
  path = write_bytes (f, "eof-only.gz", gz);
  lines = read_all (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lines, ==, "");
}

/* Zero bytes after the last member (tape or block padding) are ignored, as gzip -d does. */
static void
test_zero_padding (Fixture *f, gconstpointer data)
{
  g_autoptr (GByteArray) gz = g_byte_array_new ();
  g_autofree char *a = lines_text ("p", 1, 2), *b = lines_text ("p", 3, 3);
  g_autofree char *path = NULL, *lines = NULL, *expected = numbered ("p", 1, 3);
  g_autofree guint8 *zeros = g_new0 (guint8, 300000);
  g_autoptr (GError) error = NULL;

  (void) data;
  append_member (gz, a);
  append_member (gz, b);
  g_byte_array_append (gz, zeros, 300000);
  path = write_bytes (f, "padded.gz", gz);
  lines = read_all (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lines, ==, expected);
}

/* Data after a member that is neither a member nor zeros, even after some zeros: an error at
 * its offset, not silently dropped (gzip -d only warns). */
static void
test_trailing_garbage (Fixture *f, gconstpointer data)
{
  g_autoptr (GByteArray) gz = g_byte_array_new ();
  g_autofree char *path = NULL, *lines = NULL, *expected = NULL;
  g_autoptr (GError) error = NULL;
  guint offset;

  (void) data;
  append_member (gz, "x1\nx2\n");
  g_byte_array_append (gz, (const guint8 *) "\0\0\0", 3);
  offset = gz->len;
  g_byte_array_append (gz, (const guint8 *) "PK\3\4", 4);
  path = write_bytes (f, "garbage.gz", gz);
  lines = read_all (path, &error);
  expected = g_strdup_printf ("%s: byte offset %u: data after the end of a gzip member that is "
                              "neither another gzip member (1f 8b) nor zero padding to the end "
                              "of the file",
                              path, offset);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, expected);
  /* The lines before it were read. */
  g_assert_cmpstr (lines, ==, "1:x1\n2:x2\n");
}

/* A second member cut short: the file, where it ends and where the member began. */
static void
test_truncated_member (Fixture *f, gconstpointer data)
{
  g_autoptr (GByteArray) gz = g_byte_array_new ();
  g_autofree char *a = lines_text ("t", 1, 2), *b = lines_text ("t", 3, 2000);
  g_autofree char *path = NULL, *lines = NULL, *expected = NULL;
  g_autoptr (GError) error = NULL;
  guint second;

  (void) data;
  append_member (gz, a);
  second = gz->len;
  append_member (gz, b);
  g_byte_array_set_size (gz, gz->len - 100);
  path = write_bytes (f, "truncated.gz", gz);
  lines = read_all (path, &error);
  expected = g_strdup_printf ("%s: truncated gzip data: the file ends at byte offset %u inside "
                              "the gzip member that starts at byte offset %u",
                              path, gz->len, second);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_true (g_str_has_prefix (lines, "1:t1\n2:t2\n"));

  /* The magic bytes alone are a member cut short too. */
  g_byte_array_set_size (gz, 2);
  g_free (path);
  g_free (lines);
  g_clear_error (&error);
  path = write_bytes (f, "magic-only.gz", gz);
  lines = read_all (path, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_true (strstr (error->message, "truncated gzip data") != NULL);
}

/* A corrupt second member (a bad header; a wrong CRC-32): an error naming the file and the
 * member's offset, never the first member's lines alone as if that were the whole file. */
static void
test_corrupt_member (Fixture *f, gconstpointer data)
{
  g_autoptr (GByteArray) gz = g_byte_array_new ();
  g_autofree char *path = NULL, *lines = NULL, *where = NULL;
  g_autoptr (GError) error = NULL;
  guint second;

  (void) data;
  append_member (gz, "c1\n");
  second = gz->len;
  append_member (gz, "c2\nc3\n");
  gz->data[second + 2] = 9; /* compression method: only 8 (deflate) exists */
  path = write_bytes (f, "bad-header.gz", gz);
  lines = read_all (path, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  where = g_strdup_printf ("in the gzip member that starts at byte offset %u", second);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_true (g_str_has_prefix (error->message + strlen (path), ": corrupt gzip data near"));
  g_assert_true (strstr (error->message, where) != NULL);

  /* Restore the header; break the trailer's CRC-32 instead. */
  gz->data[second + 2] = 8;
  gz->data[gz->len - 8] ^= 0xff;
  g_free (path);
  g_free (lines);
  g_clear_error (&error);
  path = write_bytes (f, "bad-crc.gz", gz);
  lines = read_all (path, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_true (strstr (error->message, where) != NULL);
}

/* Several multi-member files as one input (a directory of parts): line numbers restart per
 * file and every member of each is read. */
static void
test_members_in_parts (Fixture *f, gconstpointer data)
{
  g_autoptr (GByteArray) gz = g_byte_array_new ();
  g_autofree char *p0 = NULL, *p1 = NULL, *lines = NULL;
  g_autoptr (KsTraceInput) input = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  const char *paths[2];
  const char *line;
  gsize len;

  (void) data;
  append_member (gz, "a1\n");
  append_member (gz, "a2\n");
  paths[0] = p0 = write_bytes (f, "part-0.gz", gz);
  g_byte_array_set_size (gz, 0);
  append_member (gz, "b1\n");
  g_byte_array_append (gz, bgzf_eof, sizeof bgzf_eof);
  append_member (gz, "b2\n");
  paths[1] = p1 = write_bytes (f, "part-1.gz", gz);
  input = ks_trace_input_open (paths, 2, &error);
  g_assert_no_error (error);
  while (ks_trace_input_next_line (input, &line, &len, &error))
    {
      g_autofree char *base = g_path_get_basename (ks_trace_input_get_file (input));

      g_string_append_printf (out, "%s:%" G_GUINT64_FORMAT ":%s\n", base,
                              ks_trace_input_get_line (input), line);
    }
  g_assert_no_error (error);
  g_assert_cmpstr (out->str, ==,
                   "part-0.gz:1:a1\npart-0.gz:2:a2\npart-1.gz:1:b1\npart-1.gz:2:b2\n");
  g_assert_cmpuint (ks_trace_input_get_bytes_read (input), ==,
                    ks_trace_input_get_bytes_total (input));
}

/* ---- stats: distinct ids ----------------------------------------------------------------- */

static gint64
json_int (JsonNode *root, const char *member)
{
  JsonObject *object = json_node_get_object (root);

  if (json_node_is_null (json_object_get_member (object, member)))
    return -1;
  return json_object_get_int_member (object, member);
}

static void
add_pod (KsTraceStats *stats, const char *id, const char *job)
{
  KsTraceRecord record = { 0 };

  record.op = KS_TRACE_POD_SUBMIT;
  record.id = id;
  record.job = job;
  record.cpu_milli = record.memory_bytes = record.gpu = record.gpu_milli = -1;
  ks_trace_stats_add (stats, &record);
}

/* Ids that look alike but differ, and numbers at the edges of what is packed. */
static void
test_distinct_edges (void)
{
  static const char *const ids[] = {
    "1-23",
    "12-3",
    "123",
    "1-2-3",
    "12-3-0",
    "1-23-0",
    "0",
    "00",
    "0-0",
    "0-0-0",
    "01",
    "1",
    "1-",
    "-1",
    "1--2",
    "1-2-3-4",
    "a-1",
    "1-a",
    "",
    /* 2^62 - 1 packs, 2^62 does not: both counted, once each. */
    "4611686018427387903",
    "4611686018427387904",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999",
    /* Two numbers of 56 bits together, and one bit more. */
    "72057594037927935-0",
    "36028797018963967-1",
    "36028797018963968-1",
    "1125899906842623-0-0",
    "1125899906842624-0-0",
    "6251412-0",
    "6251412-00",
  };
  g_autoptr (KsTraceStats) stats = ks_trace_stats_new ();
  g_autoptr (JsonNode) root = NULL;

  for (guint round = 0; round < 3; round++)
    for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
      add_pod (stats, ids[i], ids[(i + round) % G_N_ELEMENTS (ids)]);
  root = ks_trace_stats_to_json (stats);
  g_assert_cmpint (json_int (root, "pods"), ==, G_N_ELEMENTS (ids));
  g_assert_cmpint (json_int (root, "jobs"), ==, G_N_ELEMENTS (ids));
  g_assert_cmpint (json_int (root, "submissions"), ==, 3 * G_N_ELEMENTS (ids));
}

/* Random ids of every shape, many repeated, more than a pending buffer (2^20) holds before it is
 * merged, counts taken in the middle too: always the size of a GHashTable of the same strings. */
static void
test_distinct_random (void)
{
  g_autoptr (KsTraceStats) stats = ks_trace_stats_new ();
  g_autoptr (GHashTable) pods = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) jobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < 1800000; i++)
    {
      guint32 job = g_rand_int_range (rand, 0, 20000), task = g_rand_int_range (rand, 0, 50);
      char id[96], job_id[32];

      switch (g_rand_int_range (rand, 0, 6))
        {
        case 0:
          g_snprintf (id, sizeof id, "%u", job * 50 + task);
          break;
        case 1:
        case 2:
          g_snprintf (id, sizeof id, "%u-%u", job, task);
          break;
        case 3:
          g_snprintf (id, sizeof id, "%u-%u-%u", job, task, g_rand_int_range (rand, 0, 3));
          break;
        case 4:
          g_snprintf (id, sizeof id, "%u-%03u", job, task); /* leading zeros: not packed */
          break;
        default:
          g_snprintf (id, sizeof id, "vm-%08x", job * 64 + task);
          break;
        }
      g_snprintf (job_id, sizeof job_id, "%u", job);
      add_pod (stats, id, job_id);
      if (!g_hash_table_contains (pods, id))
        g_hash_table_add (pods, g_strdup (id));
      if (!g_hash_table_contains (jobs, job_id))
        g_hash_table_add (jobs, g_strdup (job_id));
      if (i == 900000 || i == 1799999)
        {
          g_autoptr (JsonNode) root = ks_trace_stats_to_json (stats);

          g_assert_cmpint (json_int (root, "pods"), ==, g_hash_table_size (pods));
          g_assert_cmpint (json_int (root, "jobs"), ==, g_hash_table_size (jobs));
        }
    }
  g_assert_cmpuint (g_hash_table_size (pods), >, 1000000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn)                                                                              \
  g_test_add ("/traces/input/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("gzip-members", test_members);
  ADD ("gzip-many-members", test_many_members);
  ADD ("gzip-bgzip", test_bgzip);
  ADD ("gzip-zero-padding", test_zero_padding);
  ADD ("gzip-trailing-garbage", test_trailing_garbage);
  ADD ("gzip-truncated-member", test_truncated_member);
  ADD ("gzip-corrupt-member", test_corrupt_member);
  ADD ("gzip-members-in-parts", test_members_in_parts);
#undef ADD
  g_test_add_func ("/traces/stats/distinct-edges", test_distinct_edges);
  g_test_add_func ("/traces/stats/distinct-random", test_distinct_random);
  return g_test_run ();
}
