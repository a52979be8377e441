/* ks-sim-custom-metrics.h: custom and external metrics from the load model, for the HPA's Pods,
 * Object and External metrics (what a metrics adapter such as prometheus-adapter serves from a
 * request counter).
 *
 * Every resolution (the scenario's metricResolution) the source reads the load model's request
 * counters: each pod's requests received and each Service's requests sent.  A metric's value is
 * the rate between the last two readings, in requests per second:
 *
 *  - Pods metric "requests_per_second": each pod's rate (a pod needs two readings);
 *  - Object metric "requests_per_second" of a Service (describedObject kind Service);
 *  - External metric "<service>_requests_per_second": the rate of that Service of the HPA's
 *    namespace.
 *
 * Other names fail as an adapter fails for a metric it does not serve. */
#pragma once

#include "ks-sim-traffic.h"
#include "src/controllers/ks-hpa.h"

G_BEGIN_DECLS

#define KS_CUSTOM_METRIC_RPS "requests_per_second"

/* A source reading traffic (borrowed, may be NULL: every metric is then 0 or missing) and the
 * pods of client every resolution µs of clock, the first reading now.  Free with
 * ks_sim_custom_metrics_free. */
KsCustomMetricsSource *ks_sim_custom_metrics_new (KsClient *client, KsClock *clock,
                                                  KsSimTraffic *traffic, gint64 resolution);
void ks_sim_custom_metrics_free (KsCustomMetricsSource *source);

G_END_DECLS
