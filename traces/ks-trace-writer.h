/* ks-trace-writer.h: writing the native trace format `kubesim` (docs/formats.md "Native trace
 * format"): JSON lines, one event per line, in non-decreasing time:
 *
 *   {"t":12.5,"op":"create","object":{...Pod manifest...}}
 *   {"t":30.0,"op":"delete","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a",
 *    "namespace":"default"}},"outcome":"succeeded","runtime":17.5}
 *   {"t":0.0,"op":"node-add","object":{...Node manifest...}}
 *   {"t":99.0,"op":"node-remove","name":"m-1"}
 *
 * t is seconds from the trace's zero.  A pod's recorded end is a delete with its outcome and,
 * when the trace placed the pod, its recorded run time (seconds from its recorded start to its
 * end): replay ends the pod that long after it actually starts, so nothing replay needs is lost
 * by converting.  Used by `kubesim trace convert --to kubesim` and `kubesim trace generate`. */
#pragma once

#include <gio/gio.h>

#include "ks-trace.h"

G_BEGIN_DECLS

typedef struct _KsTraceWriter KsTraceWriter;

/* A writer onto out (a reference is taken; out is not closed by the writer). */
KsTraceWriter *ks_trace_writer_new (GOutputStream *out);
void ks_trace_writer_free (KsTraceWriter *writer);

/* Write one record as what replay would do with it: POD_SUBMIT → create of its Pod
 * (ks_trace_pod_manifest), POD_END → delete with the outcome and the run time since the pod's
 * POD_START (remembered per pod until its end), NODE_ADD → node-add (ks_trace_node_manifest),
 * NODE_REMOVE → node-remove, OBJECT → create or delete of its object.  POD_START (only
 * remembered), POD_UPDATE and NODE_UPDATE, which replay ignores, write nothing.  Records must
 * come in non-decreasing time. */
gboolean ks_trace_writer_write_record (KsTraceWriter *writer, const KsTraceRecord *record,
                                       GError **error);

/* The events themselves (t in µs).  op "create" or "node-add" with a manifest (borrowed). */
gboolean ks_trace_writer_write_object (KsTraceWriter *writer, gint64 t, const char *op,
                                       JsonObject *object, GError **error);
/* A delete of kind/name (namespace may be NULL for cluster-scoped kinds); for pods, outcome
 * (NONE: left out) and the recorded run time in µs (-1: left out). */
gboolean ks_trace_writer_write_delete (KsTraceWriter *writer, gint64 t, const char *api_version,
                                       const char *kind, const char *namespace, const char *name,
                                       KsTraceOutcome outcome, gint64 runtime, GError **error);
gboolean ks_trace_writer_write_node_remove (KsTraceWriter *writer, gint64 t, const char *name,
                                            GError **error);

/* Flush what is buffered (the stream itself is left open). */
gboolean ks_trace_writer_flush (KsTraceWriter *writer, GError **error);
/* Events written so far. */
guint64 ks_trace_writer_get_count (KsTraceWriter *writer);

/* "12.5", "0.0", "3.000001": seconds for t in µs, exact, shortest. */
char *ks_trace_format_seconds (gint64 usec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsTraceWriter, ks_trace_writer_free)

G_END_DECLS
