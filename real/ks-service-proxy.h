/* ks-service-proxy.h: the node agent's Service proxy (kube-proxy's job), in user space.
 *
 * For each Service port it listens on ClusterIP:port (the ClusterIP is added to kubesim0 first)
 * and, for a NodePort, on 127.0.0.1:nodePort; both sockets have SO_REUSEPORT, so the agents of
 * several nodes on one machine serve the same addresses and the kernel spreads connections over
 * them.  Each new connection goes to an endpoint chosen uniformly at random among the ready ones
 * (the serving and terminating ones when none is ready), or, with ClientIP session affinity, to
 * the endpoint the same client address went to within the timeout, as kube-proxy's iptables
 * mode does.  The proxy connects to the endpoint only if the kernel routes its address through
 * kubesim0 (ks_net_route_is_ours), then copies bytes both ways until both sides have closed,
 * passing a half-close on.  A connection with no endpoint is reset at once and logged.
 *
 * Its input is plain data, filled in by the agent from Service and Endpoints objects.  Updates
 * take effect for new connections; open ones keep their endpoint.  The proxy runs on the
 * thread-default main context of the thread that created it and is used from that thread only. */
#pragma once

#include "real/ks-net.h"
#include "src/ks-clock.h"

G_BEGIN_DECLS

typedef enum
{
  KS_PROXY_PROTOCOL_TCP,
  KS_PROXY_PROTOCOL_UDP,  /* not proxied: the port is skipped with a log message */
  KS_PROXY_PROTOCOL_SCTP, /* not proxied, as UDP */
} KsProxyProtocol;

typedef enum
{
  KS_PROXY_AFFINITY_NONE,
  KS_PROXY_AFFINITY_CLIENT_IP,
} KsProxyAffinity;

/* Kubernetes' default sessionAffinityConfig.clientIP.timeoutSeconds, and its maximum. */
#define KS_PROXY_AFFINITY_TIMEOUT_DEFAULT 10800
#define KS_PROXY_AFFINITY_TIMEOUT_MAX 86400

/* One endpoint of a Service port: an EndpointSlice endpoint with its conditions. */
typedef struct
{
  char *ip;
  guint16 port;
  gboolean ready;
  gboolean serving;
  gboolean terminating;
} KsProxyEndpoint;

typedef struct
{
  char *name; /* the Service port's name; "" when unnamed */
  KsProxyProtocol protocol;
  guint16 port;         /* the Service port (on the ClusterIP) */
  guint16 node_port;    /* 0: none */
  GPtrArray *endpoints; /* KsProxyEndpoint, owned */
} KsProxyPort;

/* What the proxy needs to know of a Service. */
typedef struct
{
  char *cluster_ip; /* NULL: none (a headless Service; only NodePorts are served) */
  KsProxyAffinity affinity;
  guint affinity_timeout; /* seconds, 1 to KS_PROXY_AFFINITY_TIMEOUT_MAX, for CLIENT_IP */
  GPtrArray *ports;       /* KsProxyPort, owned */
} KsProxyService;

/* A Service with no ports yet.  cluster_ip may be NULL. */
KsProxyService *ks_proxy_service_new (const char *cluster_ip, KsProxyAffinity affinity,
                                      guint affinity_timeout);
void ks_proxy_service_free (KsProxyService *service);
/* Appends a port (name may be NULL for ""); returns it, borrowed from service. */
KsProxyPort *ks_proxy_service_add_port (KsProxyService *service, const char *name,
                                        KsProxyProtocol protocol, guint16 port, guint16 node_port);
/* Appends an endpoint to port. */
void ks_proxy_port_add_endpoint (KsProxyPort *port, const char *ip, guint16 target_port,
                                 gboolean ready, gboolean serving, gboolean terminating);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsProxyService, ks_proxy_service_free)

typedef struct _KsServiceProxy KsServiceProxy;

/* Counters of a proxy, over all its Services since it was created. */
typedef struct
{
  guint64 accepted;    /* connections accepted */
  guint64 no_endpoint; /* reset because the port had no usable endpoint */
  guint64 refused;     /* reset because the endpoint's route is not kubesim's, or connecting
                          to it failed */
  guint64 proxied;     /* connected to an endpoint */
  guint active;        /* open now */
} KsProxyStats;

/* A proxy using net (borrowed; it must outlive the proxy) for Service addresses and route
 * checks, and clock for affinity timeouts.  net NULL: a proxy that records Services and chooses
 * endpoints but opens no socket and touches no address (for tests). */
KsServiceProxy *ks_service_proxy_new (KsNet *net, KsClock *clock);
/* Closes the listeners and every open connection.  ClusterIPs stay on the bridge: another
 * agent may serve them (ks_net_sweep removes them). */
void ks_service_proxy_free (KsServiceProxy *proxy);

/* Seeds the endpoint choice (by default seeded from the system's random source). */
void ks_service_proxy_set_seed (KsServiceProxy *proxy, guint32 seed);

/* Sets Service key (e.g. "namespace/name") to service (borrowed; copied).  Checked first, and
 * refused as a whole (KS_NET_ERROR_INVALID, nothing changes) when a ClusterIP, endpoint address
 * or port is malformed, a port name repeats, or the affinity timeout is out of range.  Then
 * applied: listeners for new addresses are opened, those no longer wanted closed, the endpoint
 * sets replaced.  UDP and SCTP ports are skipped with a message in the log.  If a listener
 * cannot be opened (the port is taken), the rest is still applied and FALSE is returned with
 * KS_NET_ERROR_COMMAND naming every address that failed; a later update retries them. */
gboolean ks_service_proxy_update (KsServiceProxy *proxy, const char *key,
                                  const KsProxyService *service, GError **error);
/* Forgets Service key: closes its listeners and removes its ClusterIP from the bridge (when
 * the Service is deleted every agent does so; the first one removes it).  Open connections
 * stay.  Nothing happens for an unknown key. */
void ks_service_proxy_remove (KsServiceProxy *proxy, const char *key);

/* The endpoint ("ip:port", owned) a new connection from client_ip to port port_name ("" for
 * an unnamed port) of Service key would go to now, with the same effects as a real connection
 * (it draws from the random stream and records the client for session affinity).  NULL when
 * the port has no usable endpoint or does not exist. */
char *ks_service_proxy_choose (KsServiceProxy *proxy, const char *key, const char *port_name,
                               const char *client_ip);

void ks_service_proxy_get_stats (KsServiceProxy *proxy, KsProxyStats *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsServiceProxy, ks_service_proxy_free)

G_END_DECLS
