/* ks-service-feed.c: Services and Endpoints into the Service proxy (see ks-service-feed.h). */
#include "config.h"

#include <string.h>

#include "ks-net-private.h"
#include "ks-service-feed.h"

static KsProxyProtocol
proxy_protocol (const char *protocol)
{
  if (g_strcmp0 (protocol, "UDP") == 0)
    return KS_PROXY_PROTOCOL_UDP;
  if (g_strcmp0 (protocol, "SCTP") == 0)
    return KS_PROXY_PROTOCOL_SCTP;
  return KS_PROXY_PROTOCOL_TCP;
}

static gboolean
is_ipv4 (const char *ip)
{
  guint32 addr;
  return ip != NULL && ks_net_parse_ipv4 (ip, &addr);
}

/* The subset port of Service port sp: same name (unset and "" alike) and protocol. */
static const KsEndpointPort *
subset_port (const KsEndpointSubset *subset, const KsServicePort *sp)
{
  for (guint i = 0; i < subset->n_ports; i++)
    {
      const KsEndpointPort *ep = &subset->ports[i];
      if (g_strcmp0 (ep->name != NULL ? ep->name : "", sp->name != NULL ? sp->name : "") == 0
          && g_strcmp0 (ep->protocol, sp->protocol) == 0)
        return ep;
    }
  return NULL;
}

KsProxyService *
ks_proxy_service_new_from_objects (const KsService *svc, const KsEndpoints *ep)
{
  const char *cluster_ip = svc->cluster_ip;
  KsProxyAffinity affinity = KS_PROXY_AFFINITY_NONE;
  guint timeout = 0;
  KsProxyService *out;

  g_return_val_if_fail (svc != NULL, NULL);
  if (cluster_ip != NULL && (ks_service_is_headless (svc) || cluster_ip[0] == '\0'))
    cluster_ip = NULL;
  if (svc->session_affinity == KS_SESSION_AFFINITY_CLIENT_IP)
    {
      affinity = KS_PROXY_AFFINITY_CLIENT_IP;
      timeout = svc->session_affinity_timeout > 0 ? (guint) svc->session_affinity_timeout
                                                  : KS_PROXY_AFFINITY_TIMEOUT_DEFAULT;
    }
  out = ks_proxy_service_new (cluster_ip, affinity, timeout);
  for (guint i = 0; i < svc->n_ports; i++)
    {
      const KsServicePort *sp = &svc->ports[i];
      KsProxyPort *port = ks_proxy_service_add_port (out, sp->name, proxy_protocol (sp->protocol),
                                                     (guint16) CLAMP (sp->port, 0, 65535),
                                                     (guint16) CLAMP (sp->node_port, 0, 65535));

      for (guint s = 0; ep != NULL && s < ep->n_subsets; s++)
        {
          const KsEndpointSubset *subset = &ep->subsets[s];
          const KsEndpointPort *p = subset_port (subset, sp);
          guint16 target;

          if (p == NULL || p->port <= 0 || p->port > 65535)
            continue;
          target = (guint16) p->port;
          for (guint a = 0; a < subset->n_addresses; a++)
            if (is_ipv4 (subset->addresses[a].ip))
              ks_proxy_port_add_endpoint (port, subset->addresses[a].ip, target, TRUE, TRUE, FALSE);
          for (guint a = 0; a < subset->n_not_ready_addresses; a++)
            if (is_ipv4 (subset->not_ready_addresses[a].ip))
              ks_proxy_port_add_endpoint (port, subset->not_ready_addresses[a].ip, target, FALSE,
                                          FALSE, FALSE);
        }
    }
  return out;
}

/* The feed */

typedef struct
{
  KsService *svc;  /* NULL: not seen, or deleted */
  KsEndpoints *ep; /* NULL: none */
} Entry;

struct _KsServiceFeed
{
  KsClient *client;
  KsServiceProxy *proxy;
  GHashTable *entries; /* "ns/name" → Entry */
  guint services_watch;
  guint endpoints_watch;
};

static void
entry_free (gpointer p)
{
  Entry *e = p;

  if (e->svc != NULL)
    ks_object_unref (KS_OBJECT (e->svc));
  if (e->ep != NULL)
    ks_object_unref (KS_OBJECT (e->ep));
  g_free (e);
}

static char *
object_key (const KsObject *obj)
{
  return g_strconcat (obj->meta.namespace, "/", obj->meta.name, NULL);
}

static void
apply (KsServiceFeed *feed, const char *key, Entry *e)
{
  g_autoptr (KsProxyService) service = NULL;
  g_autoptr (GError) error = NULL;

  if (e->svc == NULL)
    return;
  service = ks_proxy_service_new_from_objects (e->svc, e->ep);
  if (!ks_service_proxy_update (feed->proxy, key, service, &error))
    g_warning ("Service %s: %s", key, error->message);
}

/* Take the new state of key's Service (is_service) or Endpoints: obj, or NULL when deleted. */
static void
on_change (KsServiceFeed *feed, const KsObject *obj, gboolean is_service, gboolean deleted)
{
  g_autofree char *key = object_key (obj);
  Entry *e = g_hash_table_lookup (feed->entries, key);
  KsObject **slot;

  if (e == NULL)
    {
      if (deleted)
        return;
      e = g_new0 (Entry, 1);
      g_hash_table_insert (feed->entries, g_strdup (key), e);
    }
  slot = is_service ? (KsObject **) &e->svc : (KsObject **) &e->ep;
  g_clear_pointer (slot, ks_object_unref);
  if (!deleted)
    *slot = ks_object_ref ((KsObject *) obj);
  if (is_service && deleted)
    ks_service_proxy_remove (feed->proxy, key);
  else
    apply (feed, key, e);
  if (e->svc == NULL && e->ep == NULL)
    g_hash_table_remove (feed->entries, key);
}

static void
on_service (const KsWatchEvent *event, gpointer data)
{
  on_change (data, event->object, TRUE, event->type == KS_WATCH_DELETED);
}

static void
on_endpoints (const KsWatchEvent *event, gpointer data)
{
  on_change (data, event->object, FALSE, event->type == KS_WATCH_DELETED);
}

KsServiceFeed *
ks_service_feed_new (KsClient *client, KsServiceProxy *proxy)
{
  KsServiceFeed *feed = g_new0 (KsServiceFeed, 1);

  feed->client = client;
  feed->proxy = proxy;
  feed->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_free);
  /* Endpoints first: a Service then starts with its endpoints rather than none. */
  feed->endpoints_watch = ks_client_watch (client, ks_kind_get (KS_KIND_ENDPOINTS), NULL, TRUE,
                                           on_endpoints, feed, NULL);
  feed->services_watch
      = ks_client_watch (client, ks_kind_get (KS_KIND_SERVICE), NULL, TRUE, on_service, feed, NULL);
  return feed;
}

void
ks_service_feed_free (KsServiceFeed *feed)
{
  if (feed == NULL)
    return;
  ks_client_unwatch (feed->client, feed->services_watch);
  ks_client_unwatch (feed->client, feed->endpoints_watch);
  g_hash_table_unref (feed->entries);
  g_free (feed);
}

guint
ks_service_feed_n_services (KsServiceFeed *feed)
{
  GHashTableIter it;
  gpointer v;
  guint n = 0;

  g_hash_table_iter_init (&it, feed->entries);
  while (g_hash_table_iter_next (&it, NULL, &v))
    n += ((Entry *) v)->svc != NULL;
  return n;
}
