/* ks-recorder.h: what a run leaves behind (DESIGN.md "Outputs of a run"):
 *
 *   events.jsonl  one JSON object per Kubernetes event, in time order
 *   metrics.csv   long format t,metric,object,value sampled every sample_every
 *   summary.json  counts, scheduling latency percentiles, preemptions, why pods wait
 *                 (unschedulable), rollouts of each Deployment (deployments), run metadata
 *
 * The recorder is the run's KsEventSink and watches pods, nodes, ReplicaSets and Deployments
 * through the client.  Files are written under temporary names and renamed only by
 * ks_recorder_finish, so a failed run leaves nothing that looks complete. */
#pragma once

#include "src/ks-events.h"
#include "src/scheduler/ks-scheduler.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

typedef struct _KsRecorder KsRecorder;

typedef struct
{
  const char *out_dir; /* NULL: keep statistics only, write no files */
  gint64 sample_every; /* µs between metric samples */
  gint64 epoch;        /* Unix µs of time 0 (for timestamps inside messages; unused so far) */
  /* Leave out metrics.csv's per-node rows (cpu_requested_ratio, memory_requested_ratio and pods
   * of each node): trace replays of thousands of nodes over months would write billions. */
  gboolean cluster_only;
} KsRecorderOptions;

/* Create the output directory and the temporary files (removing earlier outputs there). */
KsRecorder *ks_recorder_new (KsClient *client, KsClock *clock, const KsRecorderOptions *options,
                             GError **error);
/* Frees the recorder; if it was not finished, its temporary files are removed. */
void ks_recorder_free (KsRecorder *recorder);

KsEventSink *ks_recorder_get_sink (KsRecorder *recorder);
/* Watch pods, nodes, ReplicaSets and Deployments and take the first sample now.  Call before
 * the run starts. */
void ks_recorder_start (KsRecorder *recorder);

typedef struct
{
  const char *scenario;
  guint64 seed;
  gint64 sim_time;  /* µs */
  double wall_time; /* s */
  guint64 events_processed;
  const KsSchedulerStats *scheduler; /* the scheduler's counts (preemption), or NULL */
} KsRunInfo;

typedef struct
{
  guint64 created;
  guint64 scheduled;
  guint running;
  guint pending;
  guint succeeded;
  guint failed;
  guint nodes;
  guint64 events;      /* Kubernetes events recorded */
  guint unschedulable; /* pods waiting for a node after a failed attempt */
  gboolean has_latency;
  gint64 latency_p50, latency_p95, latency_p99, latency_max; /* µs */
} KsRunStats;

void ks_recorder_get_stats (KsRecorder *recorder, KsRunStats *stats);
/* The reasons of the last failed attempt of the pods still waiting for a node, with the number
 * of pods, sorted: "Insufficient cpu (2), node(s) had untolerated taint {k: v} (1)"; NULL when
 * no pod waits after a failed attempt.  Newly allocated. */
char *ks_recorder_describe_pending (KsRecorder *recorder);

/* A model the recorder does not know (sim's request model) adding to the outputs: sample (may
 * be NULL) writes rows with ks_recorder_metric after the recorder's own at each sample; summary
 * (may be NULL) appends members to summary.json's top-level object, each as ",\n  \"key\": ...".
 * data is borrowed and must outlive the recorder's last sample.  Up to KS_RECORDER_MAX_SECTIONS
 * sections, sampled and summarized in the order they were set. */
#define KS_RECORDER_MAX_SECTIONS 8
typedef void (*KsRecorderSampleFunc) (KsRecorder *recorder, gint64 t, gpointer data);
typedef void (*KsRecorderSummaryFunc) (GString *json, gpointer data);
void ks_recorder_set_section (KsRecorder *recorder, KsRecorderSampleFunc sample,
                              KsRecorderSummaryFunc summary, gpointer data);
/* The cluster's resource usage from a usage model the recorder does not know (sim's, summed
 * over the running pods: sim/ks-sim-usage.h), for metrics.csv's cpu_used_ratio,
 * memory_used_ratio and gpu_used_ratio and summary.json's mean used ratios. */
typedef struct
{
  double cpu, memory, gpu; /* now: millicores, bytes, GPUs */
  /* Since the model started (before ks_recorder_start): millicore-µs, byte-µs, GPU-µs.  CPU
   * the instantaneous cpu leaves out (sim's requests served) is in cpu_integral. */
  double cpu_integral, memory_integral, gpu_integral;
} KsRecorderUsage;
typedef void (*KsRecorderUsageFunc) (gpointer data, KsRecorderUsage *out);
/* Record the used ratios from func (data borrowed; it must outlive the recorder's last sample).
 * Set before ks_recorder_start.  Without it the used rows are left out and the summary's mean
 * used ratios are null. */
void ks_recorder_set_usage (KsRecorder *recorder, KsRecorderUsageFunc func, gpointer data);

/* A metrics.csv row (t in µs), the value with up to 6 significant digits. */
void ks_recorder_metric (KsRecorder *recorder, gint64 t, const char *name, const char *object,
                         double value);

/* The current value of metrics.csv's cluster metric name (object "cluster": nodes, nodes_ready,
 * pods_pending, pods_unscheduled, pods_running, pods_succeeded, pods_failed, cpu_requested_ratio,
 * memory_requested_ratio), computed now rather than at the last sample.  FALSE for other
 * names. */
gboolean ks_recorder_cluster_metric (KsRecorder *recorder, const char *name, double *out);

/* Remember the last value of every metrics.csv row written from now on (a cost per row, for
 * expectations' metric()), and read one: FALSE when no row (name, object) was written yet. */
void ks_recorder_keep_last_values (KsRecorder *recorder);
gboolean ks_recorder_last_value (KsRecorder *recorder, const char *name, const char *object,
                                 double *out);

/* Take the last sample, write summary.json and give the files their final names. */
gboolean ks_recorder_finish (KsRecorder *recorder, const KsRunInfo *info, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsRecorder, ks_recorder_free)

G_END_DECLS
