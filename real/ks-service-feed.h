/* ks-service-feed.h: what feeds the node agent's Service proxy (real/ks-service-proxy): watches
 * of Services and Endpoints, turned into the proxy's plain data, as kube-proxy's service and
 * endpoints change trackers do.
 *
 * The conversion is a pure function (ks_proxy_service_new_from_objects), so it is tested without
 * sockets; the feed applies it whenever a Service or its Endpoints change. */
#pragma once

#include "real/ks-service-proxy.h"
#include "src/api/ks-service.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

/* What the proxy should do for Service svc with Endpoints ep (NULL: none yet), newly allocated:
 *  - the ClusterIP, or none for a headless Service (or one without an address yet);
 *  - ClientIP session affinity with its timeout (10800 s when unset);
 *  - a port per Service port (its name, "" when unnamed; protocol; port; nodePort, 0 when none),
 *    each with the endpoints of the Endpoints subsets whose port has the same name and protocol
 *    (as kube-proxy's ServicePortName matches them): `addresses` ready and serving,
 *    `notReadyAddresses` neither (kept, never chosen); the target port is the subset's port.
 *    Addresses that are not IPv4 are left out (kubesim's network is IPv4 only). */
KsProxyService *ks_proxy_service_new_from_objects (const KsService *svc, const KsEndpoints *ep);

typedef struct _KsServiceFeed KsServiceFeed;

/* Watch every Service and Endpoints through client and keep proxy (borrowed; both must outlive
 * the feed) in step: a Service is set ("namespace/name") when it or its Endpoints change and
 * removed when it is deleted.  A Service the proxy refuses, or whose listeners cannot all be
 * opened, is logged (once per change).  Existing objects are applied now. */
KsServiceFeed *ks_service_feed_new (KsClient *client, KsServiceProxy *proxy);
/* Stops watching; the proxy keeps what it has. */
void ks_service_feed_free (KsServiceFeed *feed);

/* Services the feed currently knows. */
guint ks_service_feed_n_services (KsServiceFeed *feed);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsServiceFeed, ks_service_feed_free)

G_END_DECLS
