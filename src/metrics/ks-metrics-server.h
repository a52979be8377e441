/* ks-metrics-server.h: the resource metrics pipeline's server, as metrics-server runs it.
 *
 * Every resolution (15 s, metrics-server's --metric-resolution), on the cluster's clock, it
 * scrapes every Node through a KsMetricsSource (real mode: the node agents' /metrics/resource over
 * HTTP; sim: the modelled runtimes) and stores the answers at once (KsMetricsStorage); the
 * metrics API and the metrics clients read what is stored.  Scraping on a period rather than on
 * request is what metrics-server does: every reader sees the same points, a window is about one
 * resolution long (a CPU rate needs two readings, and one on request would make the window the
 * time since whatever request came before), and reads cost no request to the nodes.  A scrape
 * still running when the next is due makes that one wait for the one after (metrics-server
 * bounds a scrape by a timeout below the resolution; the HTTP source does too). */
#pragma once

#include "ks-metrics-storage.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pod.h"
#include "src/ks-clock.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

typedef struct _KsMetricsSource KsMetricsSource;

/* The end of one scrape: the node's batch (ownership passes; NULL on failure) or the error. */
typedef void (*KsMetricsScrapeFunc) (KsMetricsBatch *batch, const GError *error,
                                     gpointer user_data);

typedef struct
{
  /* Read node's usage: call done exactly once, on the clock's thread, possibly before returning,
   * with the node's batch: its own point (when known) and a point per running container of its
   * pods, listed pod by pod.  node is borrowed for the call. */
  void (*scrape) (KsMetricsSource *self, const KsNode *node, KsMetricsScrapeFunc done,
                  gpointer user_data);
  /* Free the source; scrapes still running are cancelled: each calls done with an error when it
   * ends (from the clock's main context, possibly after free returned). */
  void (*free) (KsMetricsSource *self);
} KsMetricsSourceOps;

struct _KsMetricsSource
{
  const KsMetricsSourceOps *ops;
};

typedef struct _KsMetricsServer KsMetricsServer;

/* A server that scrapes every Node of client every resolution µs of clock, the first time now
 * (as a clock task).  source is owned; client and clock are borrowed and must outlive it. */
KsMetricsServer *ks_metrics_server_new (KsClient *client, KsClock *clock, KsMetricsSource *source,
                                        gint64 resolution);
void ks_metrics_server_free (KsMetricsServer *server);

gint64 ks_metrics_server_get_resolution (KsMetricsServer *server);
/* The storage (borrowed). */
KsMetricsStorage *ks_metrics_server_get_storage (KsMetricsServer *server);
/* Scrapes completed and stored. */
guint ks_metrics_server_get_n_scrapes (KsMetricsServer *server);

/* The metrics of pod and of node (objects of the API, borrowed), newly allocated, or NULL when
 * they have none yet. */
KsPodMetrics *ks_metrics_server_get_pod_metrics (KsMetricsServer *server, const KsPod *pod);
KsNodeMetrics *ks_metrics_server_get_node_metrics (KsMetricsServer *server, const KsNode *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsMetricsServer, ks_metrics_server_free)

G_END_DECLS
