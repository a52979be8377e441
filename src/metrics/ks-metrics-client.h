/* ks-metrics-client.h: how a component reads resource metrics (metrics.k8s.io/v1beta1), as the
 * HPA controller's resource metrics client and kubectl top read them.
 *
 * One interface, two transports, as KsClient: in sim and inside the control plane the client
 * reads a KsMetricsServer directly (ks_metrics_client_new_local); out of process it asks the API
 * server (real/ks-metrics-api.h, ks_http_metrics_client_new).  Both answer what the metrics API
 * answers: only pods and nodes that exist and have metrics, in namespace and name order.
 *
 * Errors (KS_STORE_ERROR): NOT_FOUND for a pod or node that does not exist (`pods "x" not
 * found`) and for one without metrics yet (`podmetrics.metrics.k8s.io "default/x" not found`,
 * `nodemetrics.metrics.k8s.io "node-0" not found`, metrics-server's messages); the HTTP client
 * adds the transport's errors. */
#pragma once

#include "ks-metrics-server.h"
#include "src/api/ks-selector.h"

G_BEGIN_DECLS

typedef struct _KsMetricsClient KsMetricsClient;

typedef struct
{
  /* The metrics of the pods of namespace ns (NULL: every namespace) whose labels selector
   * matches (NULL: every pod): KsPodMetrics *, newly allocated. */
  GPtrArray *(*list_pods) (KsMetricsClient *self, const char *ns, const KsLabelSelector *selector,
                           GError **error);
  KsPodMetrics *(*get_pod) (KsMetricsClient *self, const char *ns, const char *name,
                            GError **error);
  /* The metrics of the nodes selector matches (NULL: every node): KsNodeMetrics *. */
  GPtrArray *(*list_nodes) (KsMetricsClient *self, const KsLabelSelector *selector, GError **error);
  KsNodeMetrics *(*get_node) (KsMetricsClient *self, const char *name, GError **error);
  void (*free) (KsMetricsClient *self);
} KsMetricsClientOps;

struct _KsMetricsClient
{
  const KsMetricsClientOps *ops;
};

/* A client of server, which reads pods and nodes through client (both borrowed; they must
 * outlive it). */
KsMetricsClient *ks_metrics_client_new_local (KsMetricsServer *server, KsClient *client);

static inline GPtrArray *
ks_metrics_client_list_pods (KsMetricsClient *c, const char *ns, const KsLabelSelector *selector,
                             GError **error)
{
  return c->ops->list_pods (c, ns, selector, error);
}

static inline KsPodMetrics *
ks_metrics_client_get_pod (KsMetricsClient *c, const char *ns, const char *name, GError **error)
{
  return c->ops->get_pod (c, ns, name, error);
}

static inline GPtrArray *
ks_metrics_client_list_nodes (KsMetricsClient *c, const KsLabelSelector *selector, GError **error)
{
  return c->ops->list_nodes (c, selector, error);
}

static inline KsNodeMetrics *
ks_metrics_client_get_node (KsMetricsClient *c, const char *name, GError **error)
{
  return c->ops->get_node (c, name, error);
}

static inline void
ks_metrics_client_free (KsMetricsClient *c)
{
  if (c != NULL)
    c->ops->free (c);
}

/* metrics-server's NotFound messages, for both transports' errors. */
void ks_metrics_set_pod_not_found (GError **error, const char *ns, const char *name);
void ks_metrics_set_node_not_found (GError **error, const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsMetricsClient, ks_metrics_client_free)

G_END_DECLS
