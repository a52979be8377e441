/* ks-resource-metrics.h: the kubelet's resource metrics endpoint (/metrics/resource) in real
 * mode: the Prometheus text the node agent serves, its decoding by the control plane's metrics
 * server, and the HTTP source that scrapes the agents.
 *
 * The text is the kubelet's (pkg/kubelet/metrics/collectors/resource_metrics.go), with HELP and
 * TYPE lines, families in name order, every usage sample with the time it was read in ms (a start
 * time with itself, as the kubelet stamps it):
 *
 *   container_cpu_usage_seconds_total{container="c",namespace="ns",pod="p"} 12.345678901 <ms>
 *   container_memory_working_set_bytes{container="c",namespace="ns",pod="p"} 20971520 <ms>
 *   container_start_time_seconds{container="c",namespace="ns",pod="p"} 1741064767.089 <ms>
 *   node_cpu_usage_seconds_total 1234.5 <ms>
 *   node_memory_working_set_bytes 104857600 <ms>
 *   resource_scrape_error 0
 *
 * (the pod_* and swap families, which metrics-server does not need, are not served).  Decoding
 * follows metrics-server's decoder (pkg/scraper/client/resource/decode.go): the five families above
 * are read, other lines skipped; a malformed line fails the scrape. */
#pragma once

#include "src/kubelet/ks-runtime.h"
#include "src/metrics/ks-metrics-server.h"

G_BEGIN_DECLS

#define KS_RESOURCE_METRICS_ERROR (ks_resource_metrics_error_quark ())
GQuark ks_resource_metrics_error_quark (void);

typedef enum
{
  KS_RESOURCE_METRICS_ERROR_SYNTAX, /* not Prometheus text: the line and what was expected */
  KS_RESOURCE_METRICS_ERROR_SCRAPE, /* the node could not be scraped */
} KsResourceMetricsError;

/* The text for batch (its containers grouped by pod; start times and timestamps in µs since the
 * Unix epoch); scrape_error is resource_scrape_error's value (1 when usage could not all be
 * read).  Newly allocated. */
char *ks_resource_metrics_encode (const KsMetricsBatch *batch, gboolean scrape_error);

/* The batch of node in text (len bytes, or -1 for NUL-terminated), its containers grouped by pod
 * in namespace and name order.  A sample without a timestamp is taken as read at default_time
 * (µs).  NULL with KS_RESOURCE_METRICS_ERROR_SYNTAX ("line 3: ...") when text does not parse. */
KsMetricsBatch *ks_resource_metrics_decode (const char *node, const char *text, gssize len,
                                            gint64 default_time, GError **error);

/* The batch a node agent serves: for each pod (borrowed KsPod *), each of its containers that
 * runs (init containers that run alongside, then containers) as runtime reports it, and the
 * node's usage.  *incomplete is set when the node's usage could not be read. */
KsMetricsBatch *ks_resource_metrics_collect (KsRuntime *runtime, const char *node, GPtrArray *pods,
                                             gboolean *incomplete);

/* The control plane's source: GET http://127.0.0.1:<kubelet port>/metrics/resource of each node
 * (status.daemonEndpoints.kubeletEndpoint.Port), timeout µs at most, on the thread-default main
 * context.  A node without a port fails its scrape. */
KsMetricsSource *ks_http_metrics_source_new (gint64 timeout);

G_END_DECLS
