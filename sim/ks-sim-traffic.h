/* ks-sim-traffic.h: the request model (docs/user-guide.md "Traffic through Services").
 *
 * Every second (KS_TRAFFIC_TICK) each load (ks-load.h) sends its Service the requests of that
 * second, spread over the ready endpoints of the Service's EndpointSlices (or, with none ready,
 * the serving and terminating ones) uniformly at random, as kube-proxy picks an endpoint per
 * connection.  Each pod is an M/M/1/K queue for the second: the
 * arrivals it got, a service rate from its CPU capacity (the sum of its containers' CPU limits
 * when all have one, else its CPU request; minus its kubesim.io/cpu-usage baseline) over the
 * CPU cost of a request, and K its queue capacity.  Requests that find the queue full are
 * dropped (binomially, with the queue's blocking probability); the others are served with the
 * queue's mean response time, and spend their CPU on the pod, which the modelled runtime adds to
 * the pod's usage (ks_sim_runtime_set_load) for the metrics pipeline.  All draws come from one
 * GSL stream per load, "load/<namespace>/<service>". */
#pragma once

#include "ks-load.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

#define KS_TRAFFIC_TICK (1 * KS_USEC_PER_SEC)

typedef struct _KsSimTraffic KsSimTraffic;

/* A model of loads (KsLoad*, borrowed; must outlive it) on client and clock (borrowed). */
KsSimTraffic *ks_sim_traffic_new (KsClient *client, KsClock *clock, const GPtrArray *loads,
                                  guint64 seed);
void ks_sim_traffic_free (KsSimTraffic *traffic);
/* Run the first tick now, then every second. */
void ks_sim_traffic_start (KsSimTraffic *traffic);

/* The KsSimLoadFunc of the modelled runtimes (data: the model): the CPU, in core-ns, the pod has
 * spent on requests up to now (a continuous count: each second's CPU accrues evenly). */
guint64 ks_sim_traffic_pod_cpu_ns (const KsUid *pod_uid, gpointer traffic);

/* The CPU, in core-ns, every pod has spent on requests up to now (the sum of
 * ks_sim_traffic_pod_cpu_ns over the pods, each second's CPU accruing evenly over it). */
guint64 ks_sim_traffic_cpu_ns (KsSimTraffic *traffic);

/* The requests sent to the pod so far (by every load), for the custom metrics
 * (sim/ks-sim-custom-metrics.h). */
guint64 ks_sim_traffic_pod_requests (KsSimTraffic *traffic, const KsUid *pod_uid);

/* Totals of one Service's load over the run so far. */
typedef struct
{
  guint64 requests;
  guint64 served;
  guint64 dropped_no_endpoints;
  guint64 dropped_over_capacity;
  double latency_sum; /* response times of the served requests, summed, s */
  guint64 cpu_ns;     /* CPU spent serving, core-ns */
} KsServiceTraffic;

/* FALSE when the Service has no load. */
gboolean ks_sim_traffic_get_totals (KsSimTraffic *traffic, const char *ns, const char *name,
                                    KsServiceTraffic *out);
/* The q-quantile (0 < q < 1) of the served requests' response times so far, s; -1 when none was
 * served (or no such load). */
double ks_sim_traffic_latency_quantile (KsSimTraffic *traffic, const char *ns, const char *name,
                                        double q);

/* A metrics.csv row. */
typedef void (*KsSimTrafficRowFunc) (gint64 t, const char *metric, const char *object, double value,
                                     gpointer data);
/* The per-Service rows of a sample at now (docs/formats.md "metrics.csv"), over the ticks since
 * the previous sample.  A second sample at the same instant replaces the first (it covers the
 * same ticks). */
void ks_sim_traffic_sample (KsSimTraffic *traffic, KsSimTrafficRowFunc row, gpointer data);
/* Append summary.json's "services" member (",\n  \"services\": {...}"). */
void ks_sim_traffic_append_summary (KsSimTraffic *traffic, GString *json);

G_END_DECLS
