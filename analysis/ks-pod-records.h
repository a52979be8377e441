/* ks-pod-records.h: pods.csv, one row per pod (docs/formats.md "pods.csv"):
 *
 *   name,created,scheduled,started,finished,node,attempts,preemptions,evictions,outcome
 *
 * name is the pod's name ("namespace/name" outside namespace default); times are seconds of
 * simulated time (empty when it did not happen): created, bound to a node (scheduled), its
 * first container running (started), ended (finished); node is where it was bound; attempts is
 * the pod's kubesim.io/attempt annotation (1 without it: trace replay counts resubmissions of a
 * task there); preemptions and evictions are 1 when the pod's DisruptionTarget condition says
 * it was a preemption victim or evicted (ks_totals_disruption_kind; 0 otherwise); outcome is
 * Succeeded or Failed (its phase), Deleted (deleted before it ended), or what a caller noted
 * (ks_pod_records_note_outcome: a trace's Killed, Evicted, Lost), and at the end of the run Running
 * or Pending for the pods still there.
 *
 * Rows stream to disk: a pod's row is written when it ends, in the order pods end (the
 * simulation's, hence deterministic), made from the pod object then: nothing is kept per pod
 * (kubesim run records every pod at < 1% of its instructions); the pods still there at the end
 * follow, sorted by name.  The file is written under a temporary name and
 * renamed by ks_pod_records_finish, so a failed run leaves no pods.csv. */
#pragma once

#include "src/ks-clock.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

typedef struct _KsPodRecords KsPodRecords;

/* Open out_dir/pods.csv's temporary file (the directory must exist). */
KsPodRecords *ks_pod_records_new (KsClient *client, KsClock *clock, const char *out_dir,
                                  GError **error);
/* Removes the temporary file unless finished. */
void ks_pod_records_free (KsPodRecords *records);
/* Watch pods (those that exist now are recorded as created now). */
void ks_pod_records_start (KsPodRecords *records);
/* The outcome the next deletion of pod namespace/name will be written with (instead of
 * Deleted); outcome is copied. */
void ks_pod_records_note_outcome (KsPodRecords *records, const char *namespace, const char *name,
                                  const char *outcome);
/* Write the rows of the pods that are still there and give the file its final name. */
gboolean ks_pod_records_finish (KsPodRecords *records, GError **error);
/* Rows written so far. */
guint64 ks_pod_records_get_rows (KsPodRecords *records);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsPodRecords, ks_pod_records_free)

G_END_DECLS
