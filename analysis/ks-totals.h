/* ks-totals.h: the run-wide figures `kubesim compare` ranks policies by (summary.json's "totals",
 * defined in docs/experiments.md): pending-pod-seconds, pods never scheduled, makespan,
 * evictions, node-hours, the time-weighted mean allocated (requested) and used cpu, memory and
 * GPU ratios and the mean fragmentation.
 *
 * It watches pods and nodes itself and keeps running sums, O(1) per change: the requests, each
 * node's free capacity and the requests of the pods waiting for a node.  The fragmentation is
 * measured at the recorder's samples, only while pods wait, in O(nodes + waiting pods). */
#pragma once

#include <glib.h>

#include "ks-recorder.h"
#include "src/api/ks-pod.h"
#include "src/ks-clock.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

typedef struct _KsTotals KsTotals;

/* Start watching now (the run's time 0 for the means is the clock's time now). */
KsTotals *ks_totals_new (KsClient *client, KsClock *clock);
void ks_totals_free (KsTotals *totals);

/* What a sample of the cluster series (metrics.csv) reads from the totals. */
typedef struct
{
  double fragmentation;       /* now; NAN when no pod waits for a node */
  double node_hours;          /* so far */
  double gpu_requested_ratio; /* now; NAN when the cluster has no GPU */
  double gpu_used_ratio;      /* now; NAN when the cluster has no GPU or there is no usage model */
} KsTotalsSample;

/* Integrate the used ratios from now on with func (see ks_recorder_set_usage).  Without it the
 * summary's mean used ratios are null. */
void ks_totals_set_usage (KsTotals *totals, KsRecorderUsageFunc func, gpointer data);

/* Measure the fragmentation at this instant (when pods are waiting for a node) and fill out. */
void ks_totals_sample (KsTotals *totals, KsTotalsSample *out);

/* Append ",\n  \"totals\": {...}" (summary.json's member) with the sums up to now. */
void ks_totals_append_summary (KsTotals *totals, GString *json);

/* What a pod's DisruptionTarget condition makes it in summary.json's totals and pods.csv
 * (docs/formats.md "Preemptions and evictions"). */
typedef enum
{
  KS_DISRUPTION_NONE,       /* no DisruptionTarget=True, or a reason of neither list */
  KS_DISRUPTION_PREEMPTION, /* PreemptionByScheduler */
  KS_DISRUPTION_EVICTION,   /* EvictionByEvictionAPI, DeletionByTaintManager,
                             * TerminationByKubelet, DeletionByPodGC */
} KsDisruptionKind;

/* pod's disruption, by its DisruptionTarget condition's reason.  A disruption counts only when
 * it came to a pod that had not ended (Succeeded or Failed): the recorder's callers look at the
 * pod as it ends, or at the change that marked it. */
KsDisruptionKind ks_totals_disruption_kind (const KsPod *pod);

/* The GPU resource whose allocation is measured. */
#define KS_TOTALS_GPU_RESOURCE "nvidia.com/gpu"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsTotals, ks_totals_free)

G_END_DECLS
