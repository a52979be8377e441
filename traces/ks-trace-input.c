/* ks-trace-input.c: files, gzip files, directories of parts and stdin as one stream of lines or
 * libcsv rows.
 *
 * Speed matters here (a Google trace has over a billion rows), so nothing is allocated per line
 * or per row: bytes are read in large chunks into one buffer and lines are cut out of it in
 * place; a CSV row's fields are copied by libcsv's field callback into one reused arena. */
#include "config.h"

#include "ks-trace-input.h"

#include <csv.h>
#include <gio/gunixinputstream.h>
#include <string.h>

#define CHUNK_SIZE (1 << 20)
#define GZIP_IN_SIZE (256 << 10)

typedef struct
{
  char *path; /* as shown in messages: as given, dir/name for parts, "<stdin>" */
  gboolean is_stdin;
  guint64 size; /* 0 when unknown */
} InputFile;

struct _KsTraceInput
{
  GPtrArray *files; /* InputFile */
  guint next_file;  /* the next file to open */
  guint current;    /* the open (or last) file; valid when files_opened > 0 */
  guint files_opened;
  GInputStream *raw;    /* the file or stdin, NULL between files */
  GInputStream *stream; /* what is read: raw, buffered (also the gzip source) */
  gboolean stream_eof;

  /* gzip: the converter is driven here rather than through a GConverterInputStream, which ends
     at the first member's end and loses the bytes it read past it.  A file may hold several
     members (`cat a.gz b.gz`, pigz, bgzip), read one after the other as gzip -d does. */
  GConverter *gunzip; /* NULL: the file is not gzip */
  guint8 *zin;        /* compressed bytes [zin_start, zin_end) not yet given to zlib */
  gsize zin_start, zin_end;
  gboolean zin_eof;     /* the file has no more compressed bytes */
  gboolean member_done; /* between two members (or after the last) */
  guint64 zin_offset;   /* file offset of zin[zin_start] */
  guint64 member_start; /* file offset of the current member's first byte */

  char *buf; /* [start, end) are read but not yet returned; one spare byte for a NUL */
  gsize cap, start, end;
  guint64 line_no; /* lines returned from the current file */

  guint64 bytes_done;  /* of the files already finished */
  guint64 bytes_total; /* 0: unknown (stdin) */
  guint64 stream_read; /* bytes read from a stream that cannot tell its position */

  /* Where the last line or row came from. */
  const char *reported_file;
  guint64 reported_line;

  /* CSV: libcsv's fields, each copied NUL-terminated into arena at offsets[i]. */
  struct csv_parser csv;
  char *arena;
  gsize arena_len, arena_cap;
  gsize *offsets;
  guint n_fields, fields_cap;
  const char **fields; /* pointers into arena, made once the row is complete */
  guint fields_ptr_cap;
  gboolean row_done;
};

typedef enum
{
  READ_LINE,
  READ_FILE_END, /* the current file is finished (given once per file) */
  READ_END,      /* every file is finished */
  READ_ERROR,
} ReadResult;

static void
input_file_free (gpointer data)
{
  InputFile *file = data;

  g_free (file->path);
  g_free (file);
}

static void
add_file (KsTraceInput *input, char *path, gboolean is_stdin, guint64 size)
{
  InputFile *file = g_new0 (InputFile, 1);

  file->path = path;
  file->is_stdin = is_stdin;
  file->size = size;
  g_ptr_array_add (input->files, file);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* A directory's regular files (hidden ones skipped), in name order. */
static gboolean
add_directory (KsTraceInput *input, const char *path, GFile *dir, GError **error)
{
  g_autoptr (GFileEnumerator) children = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) sizes = g_hash_table_new (g_str_hash, g_str_equal);
  GFileInfo *info;

  children = g_file_enumerate_children (dir,
                                        G_FILE_ATTRIBUTE_STANDARD_NAME
                                        "," G_FILE_ATTRIBUTE_STANDARD_TYPE
                                        "," G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                        G_FILE_QUERY_INFO_NONE, NULL, error);
  if (children == NULL)
    return FALSE;
  while (g_file_enumerator_iterate (children, &info, NULL, NULL, error) && info != NULL)
    {
      const char *name = g_file_info_get_name (info);
      char *copy;

      if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR || name[0] == '.')
        continue;
      copy = g_strdup (name);
      g_ptr_array_add (names, copy);
      g_hash_table_insert (sizes, copy, GSIZE_TO_POINTER ((gsize) g_file_info_get_size (info)));
    }
  if (error != NULL && *error != NULL)
    return FALSE;
  if (names->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "%s: directory without regular files (expected the trace's parts, such as "
                   "part-00000-of-00500.csv.gz)",
                   path);
      return FALSE;
    }
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];

      add_file (input, g_build_filename (path, name, NULL), FALSE,
                GPOINTER_TO_SIZE (g_hash_table_lookup (sizes, name)));
    }
  return TRUE;
}

KsTraceInput *
ks_trace_input_open (const char *const *paths, guint n, GError **error)
{
  g_autoptr (KsTraceInput) input = g_new0 (KsTraceInput, 1);
  gboolean size_known = TRUE;

  g_return_val_if_fail (paths != NULL && n > 0, NULL);
  input->files = g_ptr_array_new_with_free_func (input_file_free);
  input->cap = CHUNK_SIZE + 1;
  input->buf = g_malloc (input->cap);
  csv_init (&input->csv, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GFile) file = NULL;
      g_autoptr (GFileInfo) info = NULL;
      g_autoptr (GError) local = NULL;

      if (strcmp (paths[i], "-") == 0)
        {
          add_file (input, g_strdup ("<stdin>"), TRUE, 0);
          size_known = FALSE;
          continue;
        }
      file = g_file_new_for_path (paths[i]);
      info = g_file_query_info (file,
                                G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                G_FILE_QUERY_INFO_NONE, NULL, &local);
      if (info == NULL)
        {
          g_set_error (error, G_IO_ERROR, local->code, "%s: %s", paths[i],
                       local->code == G_IO_ERROR_NOT_FOUND ? "no such file or directory"
                                                           : local->message);
          return NULL;
        }
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        {
          if (!add_directory (input, paths[i], file, error))
            return NULL;
        }
      else
        add_file (input, g_strdup (paths[i]), FALSE, (guint64) g_file_info_get_size (info));
    }
  if (size_known)
    for (guint i = 0; i < input->files->len; i++)
      input->bytes_total += ((InputFile *) input->files->pdata[i])->size;
  return g_steal_pointer (&input);
}

static void
close_stream (KsTraceInput *input)
{
  if (input->raw != NULL)
    input->bytes_done
        += input->files_opened > 0 ? ((InputFile *) input->files->pdata[input->current])->size : 0;
  g_clear_object (&input->stream);
  g_clear_object (&input->raw);
  g_clear_object (&input->gunzip);
  input->stream_read = 0;
}

void
ks_trace_input_free (KsTraceInput *input)
{
  if (input == NULL)
    return;
  close_stream (input);
  csv_free (&input->csv);
  g_ptr_array_unref (input->files);
  g_free (input->buf);
  g_free (input->zin);
  g_free (input->arena);
  g_free (input->offsets);
  g_free (input->fields);
  g_free (input);
}

/* Open the next file; gzip is recognized by its magic bytes (1f 8b), not by its name. */
static gboolean
open_next (KsTraceInput *input, GError **error)
{
  InputFile *file = input->files->pdata[input->next_file];
  g_autoptr (GBufferedInputStream) buffered = NULL;
  const guint8 *peek;
  gsize available;

  if (file->is_stdin)
    input->raw = g_unix_input_stream_new (0, FALSE);
  else
    {
      g_autoptr (GFile) gfile = g_file_new_for_path (file->path);

      input->raw = G_INPUT_STREAM (g_file_read (gfile, NULL, error));
      if (input->raw == NULL)
        {
          g_prefix_error (error, "%s: ", file->path);
          return FALSE;
        }
    }
  input->current = input->next_file++;
  input->files_opened++;
  input->line_no = 0;
  input->start = input->end = 0;
  input->stream_eof = FALSE;

  buffered = G_BUFFERED_INPUT_STREAM (g_buffered_input_stream_new_sized (input->raw, 64 << 10));
  if (g_buffered_input_stream_fill (buffered, 2, NULL, error) < 0)
    {
      g_prefix_error (error, "%s: ", file->path);
      close_stream (input);
      return FALSE;
    }
  peek = g_buffered_input_stream_peek_buffer (buffered, &available);
  if (available >= 2 && peek[0] == 0x1f && peek[1] == 0x8b)
    {
      input->gunzip = G_CONVERTER (g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP));
      if (input->zin == NULL)
        input->zin = g_malloc (GZIP_IN_SIZE);
      input->zin_start = input->zin_end = 0;
      input->zin_eof = FALSE;
      input->member_done = FALSE;
      input->zin_offset = input->member_start = 0;
    }
  input->stream = G_INPUT_STREAM (g_steal_pointer (&buffered));
  return TRUE;
}

static const char *
current_path (KsTraceInput *input)
{
  return ((InputFile *) input->files->pdata[input->current])->path;
}

/* More compressed bytes after [zin_start, zin_end), moved to the front first. */
static gboolean
gzip_refill (KsTraceInput *input, GError **error)
{
  gssize n;

  if (input->zin_start > 0)
    {
      memmove (input->zin, input->zin + input->zin_start, input->zin_end - input->zin_start);
      input->zin_end -= input->zin_start;
      input->zin_start = 0;
    }
  if (input->zin_end == GZIP_IN_SIZE)
    {
      /* zlib takes all the input it is given while it has room for output. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: corrupt gzip data near byte offset %" G_GUINT64_FORMAT
                   " (the decompressor makes no progress)",
                   current_path (input), input->zin_offset);
      return FALSE;
    }
  n = g_input_stream_read (input->stream, input->zin + input->zin_end,
                           GZIP_IN_SIZE - input->zin_end, NULL, error);
  if (n < 0)
    {
      g_prefix_error (error, "%s: ", current_path (input));
      return FALSE;
    }
  if (n == 0)
    input->zin_eof = TRUE;
  input->zin_end += (gsize) n;
  return TRUE;
}

/* What follows a member: the next member, or the end of the file.  gzip -d also accepts zero
 * bytes to the end (padding added by tape and block devices) and so does this; anything else
 * there is an error rather than data silently dropped. */
static gboolean
gzip_next_member (KsTraceInput *input, gboolean *at_end, GError **error)
{
  *at_end = FALSE;
  while (input->zin_end - input->zin_start < 2 && !input->zin_eof)
    if (!gzip_refill (input, error))
      return FALSE;
  if (input->zin_end == input->zin_start)
    {
      *at_end = TRUE;
      return TRUE;
    }
  if (input->zin_end - input->zin_start >= 2 && input->zin[input->zin_start] == 0x1f
      && input->zin[input->zin_start + 1] == 0x8b)
    {
      g_converter_reset (input->gunzip);
      input->member_done = FALSE;
      input->member_start = input->zin_offset;
      return TRUE;
    }
  for (;;)
    {
      for (; input->zin_start < input->zin_end; input->zin_start++, input->zin_offset++)
        if (input->zin[input->zin_start] != 0)
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "%s: byte offset %" G_GUINT64_FORMAT
                         ": data after the end of a gzip member that is neither another gzip "
                         "member (1f 8b) nor zero padding to the end of the file",
                         current_path (input), input->zin_offset);
            return FALSE;
          }
      if (input->zin_eof)
        {
          *at_end = TRUE;
          return TRUE;
        }
      if (!gzip_refill (input, error))
        return FALSE;
    }
}

/* Decompress into out (size > 0): the number of bytes written, 0 at the end of the last member,
 * -1 with error on a truncated or corrupt member (the file and the byte offset named). */
static gssize
gzip_read (KsTraceInput *input, char *out, gsize size, GError **error)
{
  for (;;)
    {
      g_autoptr (GError) local = NULL;
      GConverterResult result;
      gsize n_read = 0, n_written = 0;

      if (input->member_done)
        {
          gboolean at_end;

          if (!gzip_next_member (input, &at_end, error))
            return -1;
          if (at_end)
            return 0;
        }
      if (input->zin_start == input->zin_end && !input->zin_eof && !gzip_refill (input, error))
        return -1;
      result = g_converter_convert (
          input->gunzip, input->zin + input->zin_start, input->zin_end - input->zin_start, out,
          size, input->zin_eof ? G_CONVERTER_INPUT_AT_END : 0, &n_read, &n_written, &local);
      input->zin_start += n_read;
      input->zin_offset += n_read;
      if (result == G_CONVERTER_ERROR)
        {
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) && !input->zin_eof)
            {
              if (!gzip_refill (input, error))
                return -1;
              continue;
            }
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "%s: truncated gzip data: the file ends at byte offset %" G_GUINT64_FORMAT
                         " inside the gzip member that starts at byte offset %" G_GUINT64_FORMAT,
                         current_path (input), input->zin_offset, input->member_start);
          else
            g_set_error (
                error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                "%s: corrupt gzip data near byte offset %" G_GUINT64_FORMAT
                " in the gzip member that starts at byte offset %" G_GUINT64_FORMAT " (%s)",
                current_path (input), input->zin_offset, input->member_start, local->message);
          return -1;
        }
      if (result == G_CONVERTER_FINISHED)
        input->member_done = TRUE;
      if (n_written > 0)
        return (gssize) n_written;
    }
}

/* Read more bytes after [start, end), moving them to the front and growing the buffer when a
 * line is longer than it. */
static gboolean
fill (KsTraceInput *input, GError **error)
{
  gssize n;

  if (input->start > 0)
    {
      memmove (input->buf, input->buf + input->start, input->end - input->start);
      input->end -= input->start;
      input->start = 0;
    }
  if (input->end + 1 >= input->cap)
    {
      input->cap = input->cap * 2;
      input->buf = g_realloc (input->buf, input->cap);
    }
  if (input->gunzip != NULL)
    {
      n = gzip_read (input, input->buf + input->end, input->cap - 1 - input->end, error);
      if (n < 0)
        return FALSE;
    }
  else
    {
      n = g_input_stream_read (input->stream, input->buf + input->end, input->cap - 1 - input->end,
                               NULL, error);
      if (n < 0)
        {
          g_prefix_error (error, "%s: ", current_path (input));
          return FALSE;
        }
    }
  if (n == 0)
    input->stream_eof = TRUE;
  input->end += (gsize) n;
  input->stream_read += (gsize) n;
  return TRUE;
}

static ReadResult
read_line (KsTraceInput *input, char **line, gsize *len, GError **error)
{
  for (;;)
    {
      char *begin, *newline;
      gsize n;

      if (input->stream == NULL)
        {
          if (input->next_file >= input->files->len)
            return READ_END;
          if (!open_next (input, error))
            return READ_ERROR;
        }
      begin = input->buf + input->start;
      newline = memchr (begin, '\n', input->end - input->start);
      if (newline != NULL)
        {
          n = (gsize) (newline - begin);
          input->start += n + 1;
        }
      else if (input->stream_eof)
        {
          if (input->end == input->start)
            {
              close_stream (input);
              return READ_FILE_END;
            }
          /* The last line without a newline; the spare byte holds its NUL. */
          n = input->end - input->start;
          input->start = input->end;
        }
      else
        {
          if (!fill (input, error))
            return READ_ERROR;
          continue;
        }
      if (n > 0 && begin[n - 1] == '\r')
        n--;
      begin[n] = '\0';
      input->line_no++;
      *line = begin;
      *len = n;
      return READ_LINE;
    }
}

static void
report_position (KsTraceInput *input, guint64 line)
{
  input->reported_file = ((InputFile *) input->files->pdata[input->current])->path;
  input->reported_line = line;
}

gboolean
ks_trace_input_next_line (KsTraceInput *input, const char **line, gsize *len, GError **error)
{
  for (;;)
    {
      char *text;

      switch (read_line (input, &text, len, error))
        {
        case READ_LINE:
          report_position (input, input->line_no);
          *line = text;
          return TRUE;
        case READ_FILE_END:
          continue;
        case READ_END:
        case READ_ERROR:
          return FALSE;
        }
    }
}

static void
on_field (void *text, size_t len, void *data)
{
  KsTraceInput *input = data;

  if (input->arena_len + len + 1 > input->arena_cap)
    {
      input->arena_cap = MAX (input->arena_cap * 2, input->arena_len + len + 1 + 256);
      input->arena = g_realloc (input->arena, input->arena_cap);
    }
  if (len > 0)
    memcpy (input->arena + input->arena_len, text, len);
  input->arena[input->arena_len + len] = '\0';
  if (input->n_fields == input->fields_cap)
    {
      input->fields_cap = MAX (input->fields_cap * 2, 32);
      input->offsets = g_renew (gsize, input->offsets, input->fields_cap);
    }
  input->offsets[input->n_fields++] = input->arena_len;
  input->arena_len += len + 1;
}

static void
on_row (int terminator, void *data)
{
  KsTraceInput *input = data;

  (void) terminator;
  input->row_done = TRUE;
}

static gboolean
is_blank (const char *line, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (line[i] != ' ' && line[i] != '\t')
      return FALSE;
  return TRUE;
}

static void
make_row (KsTraceInput *input, KsCsvRow *row)
{
  if (input->fields_ptr_cap < input->n_fields + 1)
    {
      input->fields_ptr_cap = MAX (input->fields_ptr_cap * 2, input->n_fields + 1);
      input->fields = g_renew (const char *, input->fields, input->fields_ptr_cap);
    }
  for (guint i = 0; i < input->n_fields; i++)
    input->fields[i] = input->arena + input->offsets[i];
  input->fields[input->n_fields] = NULL;
  row->fields = input->fields;
  row->n_fields = input->n_fields;
}

/* A line without quotes and carriage returns (nearly every trace line) is split on its commas
 * here, each field trimmed of blanks as libcsv trims unquoted fields, which gives the fields
 * libcsv would (checked against it on every short line of such characters) at a third of its
 * cost.  FALSE for any other line, which libcsv parses. */
static gboolean
split_plain (KsTraceInput *input, const char *line, gsize len)
{
  const char *p = line, *end = line + len;

  if (memchr (line, '"', len) != NULL || memchr (line, '\r', len) != NULL)
    return FALSE;
  for (;;)
    {
      const char *comma = memchr (p, ',', (gsize) (end - p));
      const char *a = p, *b = comma != NULL ? comma : end;

      while (a < b && (*a == ' ' || *a == '\t'))
        a++;
      while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
        b--;
      on_field ((void *) a, (gsize) (b - a), input);
      if (comma == NULL)
        return TRUE;
      p = comma + 1;
    }
}

/* Lines are fed to libcsv one at a time (with their newline) so that every row knows its line;
 * a row goes on over the next lines only inside a quoted field. */
gboolean
ks_trace_input_next_csv (KsTraceInput *input, KsCsvRow *row, GError **error)
{
  gboolean in_row = FALSE;
  guint64 row_line = 0;

  input->arena_len = 0;
  input->n_fields = 0;
  input->row_done = FALSE;
  for (;;)
    {
      char *line;
      gsize len;

      switch (read_line (input, &line, &len, error))
        {
        case READ_LINE:
          if (!in_row && is_blank (line, len))
            continue;
          if (!in_row)
            {
              in_row = TRUE;
              row_line = input->line_no;
              report_position (input, row_line);
              if (split_plain (input, line, len))
                {
                  make_row (input, row);
                  return TRUE;
                }
            }
          csv_parse (&input->csv, line, len, on_field, on_row, input);
          csv_parse (&input->csv, "\n", 1, on_field, on_row, input);
          if (input->row_done)
            {
              make_row (input, row);
              return TRUE;
            }
          continue;
        case READ_FILE_END:
        case READ_END:
          if (in_row)
            {
              /* An unterminated quoted field at the end of a file ends the row there. */
              csv_fini (&input->csv, on_field, on_row, input);
              make_row (input, row);
              return TRUE;
            }
          if (input->next_file < input->files->len)
            continue;
          return FALSE;
        case READ_ERROR:
          return FALSE;
        }
    }
}

const char *
ks_trace_input_get_file (KsTraceInput *input)
{
  if (input->reported_file != NULL)
    return input->reported_file;
  return input->files->len > 0 ? ((InputFile *) input->files->pdata[0])->path : "";
}

guint64
ks_trace_input_get_line (KsTraceInput *input)
{
  return input->reported_line;
}

guint64
ks_trace_input_get_bytes_read (KsTraceInput *input)
{
  guint64 current = 0;

  if (input->raw != NULL)
    {
      if (G_IS_SEEKABLE (input->raw) && g_seekable_can_seek (G_SEEKABLE (input->raw)))
        current = (guint64) g_seekable_tell (G_SEEKABLE (input->raw));
      else
        current = input->stream_read;
    }
  return input->bytes_done + current;
}

guint64
ks_trace_input_get_bytes_total (KsTraceInput *input)
{
  return input->bytes_total;
}
