/* ks-trace-stats.h: what a trace holds (`kubesim trace stats`, docs/traces.md "Statistics"):
 * rows, bad rows, distinct pods, jobs and nodes, the time span, counts of events by the trace's
 * own type names, the requested cpu, memory and GPUs summed over submissions, and the arrival
 * rate of submissions per hour. */
#pragma once

#include "ks-trace.h"

G_BEGIN_DECLS

typedef struct _KsTraceStats KsTraceStats;

KsTraceStats *ks_trace_stats_new (void);
void ks_trace_stats_free (KsTraceStats *stats);

/* Account for one record (as ks_trace_reader_next gives it). */
void ks_trace_stats_add (KsTraceStats *stats, const KsTraceRecord *record);

/* Read every record of reader into stats and take its counts; FALSE with error as
 * ks_trace_reader_next fails (an I/O error, a bad row in strict mode).  progress, when not NULL,
 * is called now and then with the reader's progress (0..1, or -1 when unknown). */
gboolean ks_trace_stats_read (KsTraceStats *stats, KsTraceReader *reader,
                              void (*progress) (double fraction, gpointer data),
                              gpointer progress_data, GError **error);

/* The statistics as a JSON object (members in a fixed order, events sorted by name; "jobs" is
 * null when no record named a job, "arrivals_per_hour" null when the trace spans no time). */
JsonNode *ks_trace_stats_to_json (KsTraceStats *stats);
/* The same as a table for a person: one "name  value" line each, events indented. */
char *ks_trace_stats_to_table (KsTraceStats *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsTraceStats, ks_trace_stats_free)

G_END_DECLS
