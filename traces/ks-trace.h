/* ks-trace.h: cluster traces as a stream of records (docs/traces.md).
 *
 * A reader turns one trace — one or more files of one format (google-2011, google-2019,
 * alibaba-2017, alibaba-2018, alibaba-gpu-2023, azure-vm, kubesim) — into KsTraceRecords: nodes
 * joining and leaving, pods (tasks, instances, VMs) being submitted and ending.  Readers stream:
 * memory depends on the reorder window and on what the format must remember (e.g. the tasks that
 * are still alive), never on the length of the trace.
 *
 * Records come out in non-decreasing time.  Files that are not sorted by time (Alibaba 2017's
 * batch_task) are put in order through a bounded reorder window; a record that arrives later than
 * the window can repair is given the time of the last record emitted and counted in late_rows.
 *
 * Bad rows (wrong column count, a non-numeric field, a negative time where none is allowed, an
 * unknown event code) are reported once each through the options' bad_row callback (default:
 * "file:line: reason" on stderr), counted in bad_rows and skipped; with options.strict the first
 * one fails ks_trace_reader_next with KS_TRACE_ERROR_BAD_ROW instead. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define KS_TRACE_ERROR (ks_trace_error_quark ())
GQuark ks_trace_error_quark (void);

typedef enum
{
  KS_TRACE_ERROR_FORMAT,  /* unknown format name, or files that are not of the format */
  KS_TRACE_ERROR_BAD_ROW, /* strict mode: a malformed row */
  KS_TRACE_ERROR_IO,
} KsTraceError;

typedef enum
{
  KS_TRACE_NODE_ADD,    /* a machine joins (node_*, id) */
  KS_TRACE_NODE_UPDATE, /* a machine's capacity changes */
  KS_TRACE_NODE_REMOVE, /* a machine leaves */
  KS_TRACE_POD_SUBMIT,  /* a task/instance/pod/VM is submitted (id, job, requests, ...) */
  KS_TRACE_POD_START,   /* the trace's own placement of the pod (its recorded start) */
  KS_TRACE_POD_END,     /* the pod's recorded end (outcome) */
  KS_TRACE_POD_UPDATE,  /* the pod's requests change (Google UPDATE_*); replay ignores it */
  KS_TRACE_OBJECT,      /* native format: create or delete an arbitrary object (object, delete) */
} KsTraceOp;

typedef enum
{
  KS_TRACE_OUTCOME_NONE,
  KS_TRACE_OUTCOME_SUCCEEDED, /* FINISH, Terminated, deletion of a pod that ran */
  KS_TRACE_OUTCOME_FAILED,    /* FAIL, Failed */
  KS_TRACE_OUTCOME_KILLED,    /* KILL, Cancelled */
  KS_TRACE_OUTCOME_EVICTED,   /* EVICT */
  KS_TRACE_OUTCOME_LOST,      /* LOST */
} KsTraceOutcome;

/* One record.  Strings and arrays are owned by the reader and valid until the next call. */
typedef struct
{
  KsTraceOp op;
  gint64 time;     /* µs since the trace's zero (≥ 0) */
  const char *id;  /* stable identity: the pod's name ("<job>-<index>", "openb-pod-0001", a VM
                      id, made DNS-1123-safe) or the node's name; a resubmitted task keeps it */
  const char *job; /* the job or collection it belongs to, or NULL (--sample keeps whole jobs) */
  const char *event_name; /* the trace's own event type ("SUBMIT", "add", "Terminated"), for
                             stats' counts by type; NULL when the format has no event types */
  /* Requests (POD_SUBMIT, POD_UPDATE) or capacity (NODE_ADD, NODE_UPDATE); -1: not given. */
  gint64 cpu_milli;
  gint64 memory_bytes;
  gint64 gpu;       /* whole GPUs (nvidia.com/gpu) */
  gint64 gpu_milli; /* POD_SUBMIT: share of each GPU in thousandths (openb), -1 otherwise */
  /* POD_SUBMIT: allowed GPU models (openb gpu_spec), NULL-terminated, or NULL for any; NODE_*:
     the node's GPU model in gpu_models[0], or NULL */
  const char *const *gpu_models;
  const char *zone;           /* NODE_*: failure domain, or NULL */
  int priority;               /* POD_SUBMIT: the trace's priority (0 when it has none) */
  const char *priority_class; /* POD_SUBMIT: the PriorityClass band the reader maps it to */
  gint64 runtime; /* POD_SUBMIT, POD_END: recorded run time (µs) when the row gives it, else -1 */
  KsTraceOutcome outcome; /* POD_END */
  JsonObject *object;     /* OBJECT: the manifest (borrowed); the native format also gives its
                             Pod (POD_SUBMIT), Pod reference (POD_END) and Node (NODE_ADD) */
  gboolean delete;        /* OBJECT: delete rather than create */
  const char *file;       /* where the record came from */
  guint64 line;
} KsTraceRecord;

typedef void (*KsTraceBadRowFunc) (const char *file, guint64 line, const char *reason,
                                   gpointer user_data);

typedef struct
{
  /* The reference machine that normalized resources (Google, Alibaba memory) are scaled by. */
  double machine_cpu;    /* cores; default KS_TRACE_DEFAULT_MACHINE_CPU */
  gint64 machine_memory; /* bytes; default KS_TRACE_DEFAULT_MACHINE_MEMORY */
  gboolean strict;
  guint reorder_window;      /* records; 0: KS_TRACE_DEFAULT_REORDER_WINDOW */
  KsTraceBadRowFunc bad_row; /* NULL: print to stderr */
  gpointer bad_row_data;
} KsTraceOptions;

#define KS_TRACE_DEFAULT_MACHINE_CPU 32.0
#define KS_TRACE_DEFAULT_MACHINE_MEMORY (G_GINT64_CONSTANT (128) << 30)
#define KS_TRACE_DEFAULT_REORDER_WINDOW 65536

/* Options with every default filled in. */
void ks_trace_options_init (KsTraceOptions *options);

/* The format names, NULL-terminated, in the order docs/traces.md lists them. */
const char *const *ks_trace_formats (void);

typedef struct _KsTraceReader KsTraceReader;

/* Open paths (files, .gz files, directories of parts, "-" for stdin; which file is which table
 * is decided by the format from names or headers, docs/traces.md) as a trace of format. */
KsTraceReader *ks_trace_reader_new (const char *format, const char *const *paths, guint n_paths,
                                    const KsTraceOptions *options, GError **error);
void ks_trace_reader_free (KsTraceReader *reader);

/* The next record: TRUE and *record filled; FALSE at the end (error unset) or on an I/O error or,
 * when strict, a bad row. */
gboolean ks_trace_reader_next (KsTraceReader *reader, KsTraceRecord *record, GError **error);

typedef struct
{
  guint64 rows;      /* data rows read (headers and empty lines not counted) */
  guint64 bad_rows;  /* reported and skipped */
  guint64 late_rows; /* out of order beyond the reorder window (given the last emitted time) */
} KsTraceCounts;

const KsTraceCounts *ks_trace_reader_get_counts (KsTraceReader *reader);
/* Progress for a terminal: fraction of the input's bytes read (0..1), or -1 when unknown. */
double ks_trace_reader_get_progress (KsTraceReader *reader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsTraceReader, ks_trace_reader_free)

G_END_DECLS
