/* ks-sim-usage.h: the cluster's modelled resource usage, summed over the running pods, for the
 * recorder's used ratios (metrics.csv cpu_used_ratio, memory_used_ratio, gpu_used_ratio;
 * docs/formats.md).
 *
 * It is the usage the metrics pipeline reads from the modelled runtimes (ks-sim-metrics.h),
 * summed cluster-wide.  A pod uses while the API shows at least one of its containers (init,
 * sidecar or regular) running:
 *   cpu     its kubesim.io/cpu-usage (none: 0), plus the CPU it spends serving requests
 *           (ks-sim-traffic.h);
 *   memory  its kubesim.io/memory-usage (none: 0), plus each running sidecar's or container's
 *           share of kubesim.io/memory-growth times the time since that container started;
 *   GPU     its nvidia.com/gpu request (sim models no GPU utilisation: a running pod uses the
 *           GPUs it holds).
 * A pod without those annotations uses nothing, as its metrics say.
 *
 * The sums are kept up to date from the pods' watch events (O(1) per change, annotations parsed
 * only for pods that run), so a read costs O(1) whatever the cluster's size. */
#pragma once

#include "ks-sim-traffic.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

typedef struct _KsSimUsage KsSimUsage;

/* Watch client's pods from now on (client, clock and traffic borrowed; traffic may be NULL for
 * a run without loads). */
KsSimUsage *ks_sim_usage_new (KsClient *client, KsClock *clock, KsSimTraffic *traffic);
void ks_sim_usage_free (KsSimUsage *usage);

typedef struct
{
  /* Now: */
  double cpu;    /* millicores: the running pods' kubesim.io/cpu-usage (requests served are
                  * counted in cpu_integral only, as they come in one-second ticks) */
  double memory; /* bytes */
  double gpu;    /* GPUs */
  /* Integrated from the usage's creation to now: */
  double cpu_integral;    /* millicore-µs (= core-ns), requests served included */
  double memory_integral; /* byte-µs */
  double gpu_integral;    /* GPU-µs */
} KsSimUsageValues;

/* The usage now (does not change the state: any number of reads at one instant agree). */
void ks_sim_usage_read (KsSimUsage *usage, KsSimUsageValues *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsSimUsage, ks_sim_usage_free)

G_END_DECLS
