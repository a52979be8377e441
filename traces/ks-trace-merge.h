/* ks-trace-merge.h: the merge of a trace's tables by time, shared by the readers whose trace is
 * several tables, each sorted by time (Google 2011: CSV rows; Google 2019: JSON objects).
 *
 * A reader describes each table with a KsTraceMergeClass (how to read its next row and get the
 * row's time, and what to do with the row) and keeps one KsTraceMergeTable per table as the first
 * member of a struct of its own that also holds the row (a KsCsvRow, a JsonParser), so that its
 * callbacks cast the table to that struct, and a KsTraceMerge (zeroed) to which it adds the tables
 * in merge order.
 * ks_trace_merge_step keeps one row pending per table and hands on the
 * one with the smallest time; at equal times the table that comes first, so a reader puts the
 * tables whose rows others depend on first (machines before the tasks that run on them). */
#pragma once

#include "ks-trace-private.h"

G_BEGIN_DECLS

typedef struct _KsTraceMergeTable KsTraceMergeTable;

/* What a table's fill gives. */
typedef enum
{
  KS_TRACE_MERGE_ROW,  /* a good row is pending, its time (µs, ≥ 0) in *time */
  KS_TRACE_MERGE_SKIP, /* the row was bad, reported with ks_trace_bad_row, and is skipped */
  KS_TRACE_MERGE_END,  /* the table's input is read to its end */
  KS_TRACE_MERGE_FAIL, /* error is set: the input failed, or a bad row in strict mode */
} KsTraceMergeFill;

typedef struct
{
  /* The upstream table name ("task_events"), as ks_trace_classify matches files to it. */
  const char *name;
  /* Read table->input's next row into the reader's own row storage, count it with
     ks_trace_count_row (blank lines are not rows), check its shape and get its time.  The row
     stays valid until the next fill of this table. */
  KsTraceMergeFill (*fill) (KsTraceMergeTable *table, KsTraceReader *reader, gint64 *time,
                            GError **error);
  /* Handle the pending row (emit records, or report it as bad): as a KsTraceFormat's step, FALSE
     only with error set. */
  gboolean (*handle) (KsTraceMergeTable *table, KsTraceReader *reader, GError **error);
} KsTraceMergeClass;

struct _KsTraceMergeTable
{
  const KsTraceMergeClass *klass;
  gpointer data;       /* the reader's state, for its callbacks */
  KsTraceInput *input; /* NULL when the trace has no file of this table */
  gint64 time;         /* the pending row's */
  gboolean pending;    /* a good row waits to be handled */
};

/* Emit record for table's pending row (ks_trace_emit): its time, file and line are the row's. */
static inline void
ks_trace_merge_emit (KsTraceMergeTable *table, KsTraceReader *reader, KsTraceRecord *record)
{
  record->time = table->time;
  record->file = ks_trace_input_get_file (table->input);
  record->line = ks_trace_input_get_line (table->input);
  ks_trace_emit (reader, record);
}

/* The most tables a merge takes. */
#define KS_TRACE_MERGE_MAX_TABLES 8

/* A merge of tables (a reader's state holds one). */
typedef struct
{
  KsTraceMergeTable *tables[KS_TRACE_MERGE_MAX_TABLES]; /* every table, in merge order */
  guint n_tables;
  /* The tables still to read, in merge order: a finished table leaves the array, so a step only
     looks at the tables that can still give a row (often one: task_events alone). */
  KsTraceMergeTable *active[KS_TRACE_MERGE_MAX_TABLES];
  guint n_active;
} KsTraceMerge;

/* Add table (zeroed but for what the reader keeps beside it) to merge, after those added
 * before: at most KS_TRACE_MERGE_MAX_TABLES, the tables whose rows others depend on first.
 * klass reads and handles its rows; data is for klass's callbacks. */
void ks_trace_merge_add (KsTraceMerge *merge, KsTraceMergeTable *table,
                         const KsTraceMergeClass *klass, gpointer data);

/* Sort paths into the added tables by their classes' names (ks_trace_classify with format,
 * default_table and unread) and open each table's files as one input; tables without files give
 * no rows.  FALSE with error set (nothing left open) when classifying or opening fails. */
gboolean ks_trace_merge_open (KsTraceMerge *merge, const char *format, const char *const *paths,
                              guint n_paths, guint default_table, const char *const *unread,
                              GError **error);

/* Close the tables' inputs. */
void ks_trace_merge_clear (KsTraceMerge *merge);

/* One step of the merge: fill the tables that have no pending row, then handle the earliest
 * pending row.  FALSE when every table is finished (error unset) or on an error.  merge is a
 * KsTraceMerge, or a reader's state that begins with one: this is then the KsTraceFormat's step. */
gboolean ks_trace_merge_step (gpointer merge, KsTraceReader *reader, GError **error);

/* The input that measures progress: the last table's that has one, the largest table by the
 * readers' convention.  merge as for ks_trace_merge_step: this is a KsTraceFormat's get_input. */
KsTraceInput *ks_trace_merge_get_input (gpointer merge);

G_END_DECLS
