/* ks-trace-input.h: the bytes of a trace, read as one stream of lines or CSV rows.
 *
 * A path is a file, a gzip file (read through GIO's GZlibDecompressor when its first two bytes
 * are the gzip magic, whatever its name), a directory (its regular files, in name order, read one
 * after the other: the upstream "part-00000-of-00500.csv.gz" layout), or "-" for stdin.  Several
 * paths may be opened as one input.  Lines end at "\n" with an optional "\r" before it (CRLF
 * files), and the last line needs no newline.  CSV rows are split by libcsv (quotes, embedded
 * commas), never by hand.  Every line and row carries its file and 1-based line number, so bad
 * rows can be reported as "file:line: reason". */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _KsTraceInput KsTraceInput;

/* Open paths (n > 0) as one input.  Fails (G_IO_ERROR) when a path does not exist, cannot be
 * read, or is a directory without regular files. */
KsTraceInput *ks_trace_input_open (const char *const *paths, guint n, GError **error);
void ks_trace_input_free (KsTraceInput *input);

/* The next line without its line ending: TRUE with *line (NUL-terminated, valid until the next
 * call) and *len; FALSE at the end (error unset) or on a read or decompression error. */
gboolean ks_trace_input_next_line (KsTraceInput *input, const char **line, gsize *len,
                                   GError **error);

/* One CSV row: fields NUL-terminated, valid until the next call.  An empty field is "" (never
 * NULL), so columns never shift. */
typedef struct
{
  const char *const *fields;
  guint n_fields;
} KsCsvRow;

/* The next non-empty CSV row (empty lines are skipped, not counted as rows); FALSE at the end
 * (error unset) or on an error. */
gboolean ks_trace_input_next_csv (KsTraceInput *input, KsCsvRow *row, GError **error);

/* Where the last line or row came from: the file (as given, or "<stdin>") and its 1-based line
 * number within that file. */
const char *ks_trace_input_get_file (KsTraceInput *input);
guint64 ks_trace_input_get_line (KsTraceInput *input);

/* Bytes read so far from the underlying files (compressed bytes for gzip files) and their total
 * size when known (0 for stdin), for progress reports. */
guint64 ks_trace_input_get_bytes_read (KsTraceInput *input);
guint64 ks_trace_input_get_bytes_total (KsTraceInput *input);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsTraceInput, ks_trace_input_free)

G_END_DECLS
