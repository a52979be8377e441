/* ks-bench.h: the built-in benchmark: a synthetic cluster and a burst of pods, measuring the
 * scheduler's throughput, the engine's events per second over the pods' whole lives, and the
 * memory each live pod costs.  A benchmark a person runs, not a test. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  KS_BENCH_DEFAULT, /* bare pods without affinity or spread constraints, one zone */
  KS_BENCH_SPREAD,  /* 10 zones; 16 apps whose pods spread over zones (DoNotSchedule, maxSkew 1)
                     * and keep away from each other's nodes (required anti-affinity) */
} KsBenchWorkload;

typedef struct
{
  guint nodes;
  guint pods;
  guint64 seed;
  const char *config; /* a KubeSchedulerConfiguration file, or NULL for the default profile */
  KsBenchWorkload workload;
} KsBenchParams;

typedef struct
{
  guint nodes_scored; /* numFeasibleNodesToFind for the cluster */
  guint64 scheduled;
  double schedule_seconds; /* wall time of the scheduling burst */
  gint64 rss_nodes;        /* bytes of resident memory with the nodes only */
  gint64 rss_pods;         /* ... with every pod running */
  guint live_pods;
  guint64 lifecycle_events; /* clock events from the burst until every pod finished */
  double lifecycle_seconds;
  guint64 finished; /* pods that ran to completion */
} KsBenchResult;

/* FALSE with error: KS_INPUT_ERROR when the configuration file is not valid, else the failure. */
gboolean ks_bench_run (const KsBenchParams *params, KsBenchResult *result, GError **error);

G_END_DECLS
