/* ks-metrics-storage.h: the resource metrics pipeline's points and storage, as metrics-server
 * keeps them (kubernetes-sigs/metrics-server, pkg/storage).
 *
 * A node agent reports cumulative usage, read with the time it was read: for each running
 * container, the CPU time its instance has used since it started and its memory working set now,
 * and the same for the node as a whole (KsStats).  A scrape of every node is stored at once, as
 * one batch per node.  For the node and for each container the storage keeps the last point and
 * the one before it (prev), and serves usage over the window between them: CPU as the rate
 * (last.cpu − prev.cpu) / (last.timestamp − prev.timestamp), in nanocores (truncated), memory as
 * the last working set.  metrics-server's rules:
 *
 *  - a point that is not complete is dropped: a node's when its CPU or memory is 0; a pod's
 *    whole point when one of its containers has CPU or memory 0 (decode.go);
 *  - a new point moves the stored one to prev when it is newer, else the stored prev stays if it
 *    is older than the new point;
 *  - a container whose start time is not before the stored point's timestamp is a new instance:
 *    the old points are dropped;
 *  - a fresh container, started less than the resolution but at least 10 s before its point,
 *    gets a prev at its start with no CPU used, so that it has usage after its first scrape;
 *  - a pod has metrics only when every container of its last point has a prev; the pod's
 *    timestamp and window are those of its container with the earliest timestamp;
 *  - what a scrape did not report (a node that failed, a pod that ended) is forgotten.
 *
 * Times are µs of the cluster's clock. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* metrics-server's --metric-resolution default: how often nodes are scraped. */
#define KS_METRICS_DEFAULT_RESOLUTION (15 * G_USEC_PER_SEC)
/* freshContainerMinMetricsResolution */
#define KS_METRICS_FRESH_CONTAINER_MIN (10 * G_USEC_PER_SEC)

/* One reading of cumulative usage. */
typedef struct
{
  gint64 timestamp;  /* when it was read */
  gint64 start_time; /* containers: when the instance started */
  guint64 cpu_ns;    /* CPU time used (since the start, for a container) */
  guint64 memory;    /* working set, bytes */
} KsMetricsPoint;

typedef struct
{
  char *namespace;
  char *pod;
  char *container;
  KsMetricsPoint point;
} KsContainerPoint;

/* One scrape of one node: its own point and its containers'. */
typedef struct
{
  char *node;
  gboolean has_node;
  KsMetricsPoint node_point;
  GArray *containers; /* KsContainerPoint, grouped by pod */
} KsMetricsBatch;

KsMetricsBatch *ks_metrics_batch_new (const char *node);
void ks_metrics_batch_add_container (KsMetricsBatch *batch, const char *ns, const char *pod,
                                     const char *container, const KsMetricsPoint *point);
void ks_metrics_batch_free (KsMetricsBatch *batch);

/* Usage over a window, as the metrics API serves it. */
typedef struct
{
  char *name;
  gint64 nano_cpu; /* nanocores */
  gint64 memory;   /* bytes */
} KsContainerMetrics;

typedef struct
{
  char *namespace;
  char *name;
  gint64 timestamp; /* the end of the window */
  gint64 window;    /* its length, µs */
  KsContainerMetrics *containers;
  guint n_containers;
} KsPodMetrics;

typedef struct
{
  char *name;
  gint64 timestamp;
  gint64 window;
  gint64 nano_cpu;
  gint64 memory;
} KsNodeMetrics;

/* A newly allocated pod metrics with n_containers zeroed containers. */
KsPodMetrics *ks_pod_metrics_new (const char *ns, const char *name, guint n_containers);
void ks_pod_metrics_free (KsPodMetrics *metrics);
/* A container's CPU in millicores, rounded up as Quantity.MilliValue() rounds (the HPA sums
 * these over a pod's containers). */
gint64 ks_container_metrics_milli_cpu (const KsContainerMetrics *metrics);
/* The pod's usage as kubectl top adds it: the containers' quantities summed, then in millicores
 * (rounded up) and bytes. */
void ks_pod_metrics_total (const KsPodMetrics *metrics, gint64 *milli_cpu, gint64 *memory);
KsNodeMetrics *ks_node_metrics_new (const char *name);
void ks_node_metrics_free (KsNodeMetrics *metrics);

/* metrics-server's resourceUsage: the CPU rate between two cumulative readings, in nanocores
 * (float64(Δcpu) / window.Seconds(), truncated), and the window.  FALSE when the CPU counter
 * went down or the window is not positive. */
gboolean ks_metrics_cpu_rate (const KsMetricsPoint *last, const KsMetricsPoint *prev,
                              gint64 *nano_cpu, gint64 *window);

typedef struct _KsMetricsStorage KsMetricsStorage;

/* Storage for scrapes made every resolution µs (the fresh-container rule uses it). */
KsMetricsStorage *ks_metrics_storage_new (gint64 resolution);
void ks_metrics_storage_free (KsMetricsStorage *storage);

/* Store one scrape of the cluster: batches (KsMetricsBatch *, borrowed), one per node that
 * answered.  Replaces what the previous scrape stored. */
void ks_metrics_storage_store (KsMetricsStorage *storage, GPtrArray *batches);

/* The metrics of pod ns/name and of node name, newly allocated, or NULL when they have none
 * (yet). */
KsPodMetrics *ks_metrics_storage_get_pod (KsMetricsStorage *storage, const char *ns,
                                          const char *name);
KsNodeMetrics *ks_metrics_storage_get_node (KsMetricsStorage *storage, const char *name);

/* Points held (last and prev), for tests and status. */
guint ks_metrics_storage_n_points (KsMetricsStorage *storage);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsMetricsBatch, ks_metrics_batch_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsPodMetrics, ks_pod_metrics_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsNodeMetrics, ks_node_metrics_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsMetricsStorage, ks_metrics_storage_free)

G_END_DECLS
