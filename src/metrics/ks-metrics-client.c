/* ks-metrics-client.c: the local metrics client, over a KsMetricsServer (see
 * ks-metrics-client.h).  It answers as metrics-server's API does: the pods or nodes are listed
 * from the cluster's objects (metrics-server uses its informers), then each one's stored metrics
 * are looked up; those without metrics are left out of lists. */
#include "config.h"

#include "ks-metrics-client.h"

typedef struct
{
  KsMetricsClient parent;
  KsMetricsServer *server;
  KsClient *client;
} LocalClient;

void
ks_metrics_set_pod_not_found (GError **error, const char *ns, const char *name)
{
  g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND,
               "podmetrics.metrics.k8s.io \"%s/%s\" not found", ns, name);
}

void
ks_metrics_set_node_not_found (GError **error, const char *name)
{
  g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND,
               "nodemetrics.metrics.k8s.io \"%s\" not found", name);
}

static GPtrArray *
local_list_pods (KsMetricsClient *self, const char *ns, const KsLabelSelector *selector,
                 GError **error)
{
  LocalClient *c = (LocalClient *) self;
  g_autoptr (GPtrArray) pods = ks_client_list (c->client, ks_kind_get (KS_KIND_POD), ns, error);
  GPtrArray *out;

  if (pods == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_pod_metrics_free);
  for (guint i = 0; i < pods->len; i++)
    {
      const KsObject *pod = g_ptr_array_index (pods, i);
      KsPodMetrics *m;
      if (selector != NULL && !ks_label_selector_matches (selector, pod->meta.labels))
        continue;
      m = ks_metrics_server_get_pod_metrics (c->server, KS_POD (pod));
      if (m != NULL)
        g_ptr_array_add (out, m);
    }
  return out;
}

static KsPodMetrics *
local_get_pod (KsMetricsClient *self, const char *ns, const char *name, GError **error)
{
  LocalClient *c = (LocalClient *) self;
  g_autoptr (KsObject) pod = ks_client_get (c->client, ks_kind_get (KS_KIND_POD), ns, name, error);
  KsPodMetrics *m;

  if (pod == NULL)
    return NULL;
  m = ks_metrics_server_get_pod_metrics (c->server, KS_POD (pod));
  if (m == NULL)
    ks_metrics_set_pod_not_found (error, ns, name);
  return m;
}

static GPtrArray *
local_list_nodes (KsMetricsClient *self, const KsLabelSelector *selector, GError **error)
{
  LocalClient *c = (LocalClient *) self;
  g_autoptr (GPtrArray) nodes = ks_client_list (c->client, ks_kind_get (KS_KIND_NODE), NULL, error);
  GPtrArray *out;

  if (nodes == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_node_metrics_free);
  for (guint i = 0; i < nodes->len; i++)
    {
      const KsObject *node = g_ptr_array_index (nodes, i);
      KsNodeMetrics *m;
      if (selector != NULL && !ks_label_selector_matches (selector, node->meta.labels))
        continue;
      m = ks_metrics_server_get_node_metrics (c->server, KS_NODE (node));
      if (m != NULL)
        g_ptr_array_add (out, m);
    }
  return out;
}

static KsNodeMetrics *
local_get_node (KsMetricsClient *self, const char *name, GError **error)
{
  LocalClient *c = (LocalClient *) self;
  g_autoptr (KsObject) node
      = ks_client_get (c->client, ks_kind_get (KS_KIND_NODE), NULL, name, error);
  KsNodeMetrics *m;

  if (node == NULL)
    return NULL;
  m = ks_metrics_server_get_node_metrics (c->server, KS_NODE (node));
  if (m == NULL)
    ks_metrics_set_node_not_found (error, name);
  return m;
}

static void
local_free (KsMetricsClient *self)
{
  g_free (self);
}

static const KsMetricsClientOps local_ops = {
  .list_pods = local_list_pods,
  .get_pod = local_get_pod,
  .list_nodes = local_list_nodes,
  .get_node = local_get_node,
  .free = local_free,
};

KsMetricsClient *
ks_metrics_client_new_local (KsMetricsServer *server, KsClient *client)
{
  LocalClient *c;

  g_return_val_if_fail (server != NULL && client != NULL, NULL);
  c = g_new0 (LocalClient, 1);
  c->parent.ops = &local_ops;
  c->server = server;
  c->client = client;
  return &c->parent;
}
