/* ks-trace-private.h: what a trace format implements, and the services the reader core
 * (ks-trace.c: format table, reorder window, counts, bad-row reporting) gives it.  One file per
 * format: ks-trace-google-2011.c, ks-trace-alibaba-2017.c, ... */
#pragma once

#include "ks-trace-input.h"
#include "ks-trace.h"

G_BEGIN_DECLS

typedef struct
{
  const char *name; /* "google-2011", ... */
  /* Open the format's state over paths (classify the files: by name or header).  The state is
     freed with free. */
  gpointer (*open) (KsTraceReader *reader, const char *const *paths, guint n_paths,
                    const KsTraceOptions *options, GError **error);
  /* Read on: emit zero or more records with ks_trace_emit and report bad rows with
     ks_trace_bad_row.  Return FALSE at the end (error unset) or on an error. */
  gboolean (*step) (gpointer state, KsTraceReader *reader, GError **error);
  void (*free) (gpointer state);
  /* The input whose bytes measure progress (may be NULL). */
  KsTraceInput *(*get_input) (gpointer state);
  /* TRUE for a format that emits its records in time order itself, through a reorder window of
     its own (ks-trace-queue.h): the core then keeps no window of 65,536 records behind it, which
     would only repeat the sorting (and a cache miss per record).  Such a format's record that is
     still earlier than the one before it is clamped and counted in late_rows, as the core's
     window does with a record later than it can repair. */
  gboolean orders_itself;
} KsTraceFormat;

/* ks_trace_reader_new with the format given rather than named (tests use formats of their own). */
KsTraceReader *ks_trace_reader_new_for_format (const KsTraceFormat *format,
                                               const char *const *paths, guint n_paths,
                                               const KsTraceOptions *options, GError **error);

/* Hand a record to the core.  Its strings and arrays are copied (at most 64 gpu_models; the
 * object is referenced), so the caller's may be temporary.  Rows are not counted here: a row may
 * give several records or none, so readers count rows with ks_trace_count_row. */
void ks_trace_emit (KsTraceReader *reader, const KsTraceRecord *record);
/* Count one data row: every row read that is not a header or empty, bad rows included. */
void ks_trace_count_row (KsTraceReader *reader);

/* Report a bad row (printf-style reason): counted and reported; returns TRUE to skip it and go
 * on, or FALSE with error set (KS_TRACE_ERROR_BAD_ROW, "file:line: reason") in strict mode. */
gboolean ks_trace_bad_row (KsTraceReader *reader, const char *file, guint64 line, GError **error,
                           const char *format, ...) G_GNUC_PRINTF (5, 6);

/* Field parsers for readers: a whole-field integer or double (leading/trailing blanks allowed,
 * "100.0" accepted as an integer when integral); FALSE on anything else, including "". */
gboolean ks_trace_parse_int64 (const char *field, gint64 *out);
gboolean ks_trace_parse_double (const char *field, double *out);

/* Sort paths into a format's tables by the upstream names, for formats whose trace is several
 * tables (docs/traces.md "How files are classified").  A file belongs to the table whose name
 * is in its own name or else in its folder's ("machine_events/part-00000-of-00001.csv.gz",
 * "instance_events-000000000000.json.gz"); a directory with subfolders named after tables (a
 * trace's top folder) gives those subfolders; a directory whose files are named after tables
 * gives each file; any other directory is one table's parts, named by the directory; "-" and
 * unrecognized names go to default_table.  A name containing one of unread (the trace's other
 * tables, which the format does not read) is an error (KS_TRACE_ERROR_FORMAT).  table_paths
 * (n_tables arrays) receive the paths, each in name order within a directory. */
gboolean ks_trace_classify (const char *format, const char *const *paths, guint n_paths,
                            const char *const *tables, guint n_tables, guint default_table,
                            const char *const *unread, GPtrArray **table_paths, GError **error);

/* The formats (each file defines one). */
extern const KsTraceFormat ks_trace_format_google_2011;
extern const KsTraceFormat ks_trace_format_google_2019;
extern const KsTraceFormat ks_trace_format_alibaba_2017;
extern const KsTraceFormat ks_trace_format_alibaba_2018;
extern const KsTraceFormat ks_trace_format_alibaba_gpu_2023;
extern const KsTraceFormat ks_trace_format_azure_vm;
extern const KsTraceFormat ks_trace_format_kubesim;

G_END_DECLS
