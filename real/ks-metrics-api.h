/* ks-metrics-api.h: the resource metrics API (metrics.k8s.io/v1beta1) in real mode: what the API
 * server serves from the control plane's metrics server, its JSON, and the HTTP metrics client.
 *
 * Served (GET only; no watch), as metrics-server serves them:
 *
 *   /apis/metrics.k8s.io/v1beta1/nodes[/<name>]                 NodeMetrics(List)
 *   /apis/metrics.k8s.io/v1beta1/pods                            PodMetricsList, every namespace
 *   /apis/metrics.k8s.io/v1beta1/namespaces/<ns>/pods[/<name>]  PodMetrics(List)
 *
 * with labelSelector and fieldSelector on lists.  Lists hold the pods and nodes that exist, match
 * and have metrics; a get of one without metrics is 404 NotFound
 * (`podmetrics.metrics.k8s.io "default/x" not found`), of one that does not exist 404 as for the
 * object (`pods "x" not found`).  An item:
 *
 *   {"kind":"PodMetrics","apiVersion":"metrics.k8s.io/v1beta1",
 *    "metadata":{"name":"web","namespace":"default","creationTimestamp":"<now>","labels":{...}},
 *    "timestamp":"2025-03-04T05:06:07Z","window":"15.004s",
 *    "containers":[{"name":"app","usage":{"cpu":"1234567n","memory":"12340Ki"}}]}
 *
 * cpu in nanocores (ks_quantity_format_nano), memory as a BinarySI quantity
 * (ks_quantity_format_binary_si), the window as Go prints a duration, the labels the object's. */
#pragma once

#include <libsoup/soup.h>

#include "src/metrics/ks-metrics-client.h"
#include "src/store/ks-store.h"

G_BEGIN_DECLS

#define KS_METRICS_API_GROUP "metrics.k8s.io"
#define KS_METRICS_API_VERSION "v1beta1"

/* Serve a request under /apis/metrics.k8s.io/v1beta1/: segs are the path's segments after the
 * version (n of them, at least 1), query its parameters (may be NULL).  Objects come from store,
 * metrics from metrics; times are printed with epoch (0 in real mode). */
void ks_metrics_api_serve (KsMetricsServer *metrics, KsStore *store, gint64 epoch,
                           SoupServerMessage *msg, char **segs, guint n, GHashTable *query);

/* The JSON of one item (labels may be NULL; created is metadata.creationTimestamp), as the API
 * writes it.  Newly allocated JSON nodes. */
JsonNode *ks_pod_metrics_to_json (const KsPodMetrics *metrics, const KsStrMap *labels,
                                  gint64 created, gint64 epoch);
JsonNode *ks_node_metrics_to_json (const KsNodeMetrics *metrics, const KsStrMap *labels,
                                   gint64 created, gint64 epoch);

/* Read an item back (times with epoch 0); NULL with KS_STORE_ERROR_BAD_REQUEST naming the field
 * that is missing or wrong. */
KsPodMetrics *ks_pod_metrics_from_json (JsonNode *node, GError **error);
KsNodeMetrics *ks_node_metrics_from_json (JsonNode *node, GError **error);

/* A metrics client of the API at server ("http://127.0.0.1:6443"), synchronous.  A Status error
 * becomes the KS_STORE_ERROR of its reason (NotFound: KS_STORE_ERROR_NOT_FOUND) with its
 * message; an unreachable server is a KS_REST_ERROR. */
KsMetricsClient *ks_http_metrics_client_new (const char *server, GError **error);

G_END_DECLS
