/* ks-trace-queue.h: a time-ordered queue of records that a format emits later, shared by the
 * readers whose rows give a whole lifetime (Alibaba, openb, Azure: one row says when a pod was
 * created, started and ended) or whose rows are not sorted by time.
 *
 * A reader pushes a row's submit into a reorder queue and its start and end into a "later" queue;
 * ks_trace_queue_pump then emits from both in time order, holding back up to `window` reorder
 * items so that rows a little out of order come out sorted.  Memory is the window plus the pods
 * still alive (their pending ends), never the length of the trace.  An item may stand for
 * `count` pods (an Alibaba task's instances): it is expanded into count records, ids
 * "<id>-<index>", only when emitted, a bounded number per pump. */
#pragma once

#include "ks-trace-private.h"

G_BEGIN_DECLS

typedef struct _KsTraceQueue KsTraceQueue;

KsTraceQueue *ks_trace_queue_new (void);
void ks_trace_queue_free (KsTraceQueue *queue);

/* Copy record (strings and gpu_models included) into the queue at record->time.  count 0: emit it
 * once as it is; count n > 0: emit n records whose ids are "<id>-0" … "<id>-(n-1)".  Items with
 * equal times come out in push order. */
void ks_trace_queue_push (KsTraceQueue *queue, const KsTraceRecord *record, guint64 count);

/* The same for a POD_SUBMIT whose pods also start at its time: each submit is followed by its
 * POD_START (no requests, no run time), without a queue entry of its own. */
void ks_trace_queue_push_started (KsTraceQueue *queue, const KsTraceRecord *record, guint64 count);

guint ks_trace_queue_get_length (KsTraceQueue *queue);
/* The head's time; FALSE when empty. */
gboolean ks_trace_queue_peek_time (KsTraceQueue *queue, gint64 *time);

/* Emit up to max records, in time order across both queues: the reorder queue's head only while
 * it holds more than window items (or at_end), the later queue's items only when no reorder item
 * that may still come is earlier (they are due before the reorder head, or at_end).  Returns the
 * number emitted; 0 means nothing can be emitted now. */
guint ks_trace_queue_pump (KsTraceQueue *reorder, KsTraceQueue *later, guint window,
                           gboolean at_end, KsTraceReader *reader, guint max);

/* For inputs sorted well enough for the core's own reorder window: emit the later items due at or
 * before record->time, then record itself (count as in ks_trace_queue_push) without queueing it. */
void ks_trace_queue_emit_now (KsTraceQueue *later, KsTraceReader *reader,
                              const KsTraceRecord *record, guint64 count);

typedef gboolean (*KsTraceQueueRowFunc) (gpointer state, KsTraceReader *reader, const KsCsvRow *row,
                                         GError **error);

/* A reader of one CSV table whose rows go through a reorder and a "later" queue (Alibaba,
 * Azure): the part of its state that ks_trace_queue_rows_step drives.  It is the first member
 * of the reader's state, so that the state is what row_func is given. */
typedef struct
{
  KsTraceQueueRowFunc row_func; /* handles one data row of the table */
  KsTraceInput *input;          /* the table, or NULL when there is none */
  gboolean pending;             /* first is a data row still to be handled */
  KsCsvRow first;               /* (a headerless file's first row, read while classifying it) */
  KsTraceQueue *reorder;        /* the rows' submits */
  KsTraceQueue *later;          /* starts, ends and other tables' records */
  guint window;
  gboolean done; /* the table is read to its end */
} KsTraceQueueRows;

/* Set up rows (zeroed) for row_func with empty queues and a reorder window of window records
 * (0: KS_TRACE_DEFAULT_REORDER_WINDOW); clear frees its input and queues. */
void ks_trace_queue_rows_init (KsTraceQueueRows *rows, KsTraceQueueRowFunc row_func, guint window);
void ks_trace_queue_rows_clear (KsTraceQueueRows *rows);

/* The KsTraceFormat step and get_input of such a reader (data: its state, which starts with its
 * KsTraceQueueRows).  A step handles the pending first row, else the next row through row_func,
 * pumping the queues; at the table's end, what they still hold.  A row whose instances fill the
 * queue beyond the window is let out before more is read. */
gboolean ks_trace_queue_rows_step (gpointer data, KsTraceReader *reader, GError **error);
KsTraceInput *ks_trace_queue_rows_get_input (gpointer data);

/* Append s to out as a DNS-1123 label fragment: lower case, runs of characters other than
 * [a-z0-9] as one '-', no leading or trailing '-' ("M1_2" → "m1-2"). */
void ks_trace_append_dns (GString *out, const char *s);

/* Split a '|'-separated list of models (openb gpu_spec) into a NULL-terminated array without
 * empty entries and duplicates, in first-seen order; NULL when nothing is left (an empty field or
 * "nan").  Free with g_strfreev. */
char **ks_trace_split_models (const char *field);

/* Seconds (a trace's unit) to the records' µs, FALSE when out of range. */
gboolean ks_trace_seconds_to_us (gint64 seconds, gint64 *us);

/* For formats of several tables: each path that is a directory holding files named after tables
 * (their names contain one of tables, e.g. "batch_task") is replaced by those files, in name
 * order; its other files (schema.csv, usage tables the format does not read) are left out.  Other
 * paths, and directories of parts whose names say nothing, are kept as they are.  Free with
 * g_strfreev. */
char **ks_trace_expand_tables (const char *const *paths, guint n_paths, const char *const *tables);

/* Field positions by header name: the index of name in row (exact match after trimming blanks),
 * or -1. */
int ks_trace_csv_column (const KsCsvRow *row, const char *name);

G_END_DECLS
