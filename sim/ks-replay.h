/* ks-replay.h: a trace replayed through a simulated cluster (docs/user-guide.md "Replaying a
 * trace", docs/formats.md "Native trace format").
 *
 * Records are read from the trace only as simulated time reaches them (the reader's one record
 * and the pods that are alive are all that is held), mapped to sim time as
 * (t − window start) / speed, and applied:
 *   NODE_ADD / NODE_REMOVE   a Node joins (ks_sim_add_node) or leaves (its pods are deleted, as
 *                            Lost) — only when the trace's machines make the cluster
 *   POD_SUBMIT               the Pod is created (ks_trace_pod_manifest, or the native format's
 *                            manifest); a resubmission of a task that still has a pod replaces
 *                            it, and the new pod carries kubesim.io/attempt
 *   POD_START                remembered: the trace's start, from which an end's run time counts
 *   POD_END                  the pod ends its recorded run time R after it actually started (at
 *                            once if that has passed; when it has not started yet, R after it
 *                            starts): succeeded → its containers exit 0, failed → exit 1,
 *                            killed / evicted / lost (and a plain native delete) → the pod is
 *                            deleted; a pod the trace never started (no R) ends at once
 *   OBJECT                   created (or updated when it exists) or deleted
 *   POD_UPDATE, NODE_UPDATE  ignored (counted)
 * After the last record the run goes on until every pod with a known end has ended (and, while
 * pods still wait for a node, one more scheduler retry interval). */
#pragma once

#include "ks-sim.h"
#include "traces/ks-trace.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 window_start;  /* trace µs: earlier pod records are skipped (machines still join, at 0) */
  gint64 window_end;    /* trace µs: records from here on are not read; -1: none */
  double speed;         /* trace times and run times are divided by it (> 0) */
  double sample;        /* fraction (0, 1] of jobs kept (whole jobs; pods without one alone) */
  guint64 max_pods;     /* pods created at most; 0: no limit */
  guint64 seed;         /* for sample */
  gboolean trace_nodes; /* the trace's machines are the cluster (else its node records are
                           ignored: --nodes or --cluster gave it) */
} KsReplayOptions;

void ks_replay_options_init (KsReplayOptions *options);

typedef struct _KsReplay KsReplay;

/* Replay reader's records (borrowed, as is sim) into sim, which must be started. */
KsReplay *ks_replay_new (KsSim *sim, KsTraceReader *reader, const KsReplayOptions *options);
void ks_replay_free (KsReplay *replay);

/* Called just before replay deletes a pod for a recorded end (namespace, name, the outcome as
 * pods.csv writes it: Killed, Evicted, Lost, Deleted or, for a pod never started, Succeeded or
 * Failed), e.g. ks_pod_records_note_outcome. */
typedef void (*KsReplayOutcomeFunc) (const char *namespace, const char *name, const char *outcome,
                                     gpointer data);
void ks_replay_set_outcome_func (KsReplay *replay, KsReplayOutcomeFunc func, gpointer data);

/* Create the PriorityClass bands, then read and apply the whole trace and run on as described
 * above.  FALSE with error on an I/O error, a bad row in strict mode (KS_TRACE_ERROR) or a record
 * whose object is invalid ("file:line: ..."); the sim is then left where it stopped. */
gboolean ks_replay_run (KsReplay *replay, KsSimProgressFunc progress, gpointer data,
                        GError **error);

typedef struct
{
  guint64 pods_submitted; /* POD_SUBMIT records in the window */
  guint64 pods_created;   /* pods created (resubmissions included) */
  guint64 resubmissions;  /* of them, a task's later attempts */
  guint64 sampled_out;    /* submissions of jobs --sample left out */
  guint64 outside_window; /* pod records before the window */
  guint64 over_max_pods;  /* submissions after --max-pods was reached */
  guint64 ends;           /* POD_END records applied to a pod */
  guint64 nodes_added;
  guint64 nodes_removed;
  guint64 ignored; /* POD_UPDATE, NODE_UPDATE, and node records with --nodes/--cluster */
} KsReplayStats;

const KsReplayStats *ks_replay_get_stats (KsReplay *replay);
/* Append summary.json's "replay" member (",\n  \"replay\": {...}"). */
void ks_replay_append_summary (KsReplay *replay, GString *json);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsReplay, ks_replay_free)

G_END_DECLS
