/* ks-service.h: v1 Service and v1 Endpoints.
 *
 * A Service's ClusterIP and NodePorts are allocated when it is created, by the store's admission
 * (src/store/ks-admission.h), from kubesim's service range 10.96.0.0/16 and the NodePort range
 * 30000–32767.  Decoding applies Kubernetes' defaults (type ClusterIP, protocol TCP, targetPort =
 * port, sessionAffinity None, externalTrafficPolicy Cluster for NodePort and LoadBalancer,
 * internalTrafficPolicy Cluster, ipFamilyPolicy SingleStack) and its validation, with its
 * messages.  ExternalName Services are refused (not supported).  A LoadBalancer Service is a
 * NodePort Service whose load balancer stays pending (status.loadBalancer is empty). */
#pragma once

#include "ks-object.h"
#include "ks-pod.h"

G_BEGIN_DECLS

typedef enum
{
  KS_SERVICE_CLUSTER_IP,
  KS_SERVICE_NODE_PORT,
  KS_SERVICE_LOAD_BALANCER,
} KsServiceType;

typedef enum
{
  KS_TRAFFIC_POLICY_CLUSTER,
  KS_TRAFFIC_POLICY_LOCAL,
} KsTrafficPolicy;

typedef enum
{
  KS_SESSION_AFFINITY_NONE,
  KS_SESSION_AFFINITY_CLIENT_IP,
} KsSessionAffinity;

typedef enum
{
  KS_IP_FAMILY_POLICY_SINGLE_STACK,
  KS_IP_FAMILY_POLICY_PREFER_DUAL_STACK, /* accepted; a single-stack cluster gives one family */
} KsIpFamilyPolicy;

const char *ks_service_type_name (KsServiceType type);
const char *ks_traffic_policy_name (KsTrafficPolicy policy);

/* spec.clusterIP of a headless Service. */
#define KS_CLUSTER_IP_NONE "None"
/* sessionAffinityConfig.clientIP.timeoutSeconds: default and maximum. */
#define KS_DEFAULT_CLIENT_IP_AFFINITY_SECONDS 10800
#define KS_MAX_CLIENT_IP_AFFINITY_SECONDS 86400

typedef struct
{
  char *name;           /* NULL when unset (allowed with a single port) */
  const char *protocol; /* static: "TCP", "UDP" or "SCTP" */
  gint32 port;
  KsIntOrString target_port; /* defaulted to port */
  gint32 node_port;          /* 0: none (ClusterIP) or not allocated yet */
} KsServicePort;

typedef struct
{
  KsObject parent;
  KsServiceType type;
  KsStrMap *selector; /* NULL: no selector (its Endpoints are written by hand) */
  KsServicePort *ports;
  guint n_ports;
  char *cluster_ip; /* NULL until allocated; "None" for a headless Service */
  KsSessionAffinity session_affinity;
  gint32 session_affinity_timeout;      /* ClientIP: seconds; 0 otherwise */
  gboolean has_external_traffic_policy; /* NodePort and LoadBalancer */
  KsTrafficPolicy external_traffic_policy;
  KsTrafficPolicy internal_traffic_policy;
  gint32 health_check_node_port; /* LoadBalancer with externalTrafficPolicy Local; else 0 */
  gboolean publish_not_ready_addresses;
  KsIpFamilyPolicy ip_family_policy;
  gboolean allocate_load_balancer_node_ports; /* LoadBalancer only; default TRUE */
} KsService;

#define KS_SERVICE(o) ((KsService *) (o))

/* A new ClusterIP Service named name in namespace ns, without ports, with decoding's defaults
 * (a caller that makes it NodePort or LoadBalancer sets has_external_traffic_policy too). */
KsService *ks_service_new (const char *ns, const char *name);
/* Headless: spec.clusterIP is "None". */
gboolean ks_service_is_headless (const KsService *svc);
/* The Service gets a ClusterIP (every type kubesim has, unless headless). */
gboolean ks_service_needs_cluster_ip (const KsService *svc);
/* Its ports get NodePorts: NodePort, and LoadBalancer with allocateLoadBalancerNodePorts. */
gboolean ks_service_needs_node_ports (const KsService *svc);
/* It gets a healthCheckNodePort: LoadBalancer with externalTrafficPolicy Local. */
gboolean ks_service_needs_health_check_node_port (const KsService *svc);

/* The port of a Service port's targetPort on a pod: a number as it is; a name looked up in the
 * pod's containers' ports with the same protocol, then in its sidecars' (FindPort, as the
 * endpoints controller does).  FALSE when no container has such a port. */
gboolean ks_service_port_resolve (const KsServicePort *port, const KsPodSpec *spec, gint32 *out);

/* v1.EndpointAddress. */
typedef struct
{
  char *ip;
  char *hostname;                /* NULL when unset */
  char *node_name;               /* NULL when unset */
  KsObjectReference *target_ref; /* NULL when unset */
} KsEndpointAddress;

/* v1.EndpointPort. */
typedef struct
{
  char *name; /* NULL when unset (allowed with a single port) */
  gint32 port;
  const char *protocol; /* static: "TCP", "UDP" or "SCTP" */
} KsEndpointPort;

/* v1.EndpointSubset: addresses that share ports. */
typedef struct
{
  KsEndpointAddress *addresses;
  guint n_addresses;
  KsEndpointAddress *not_ready_addresses;
  guint n_not_ready_addresses;
  KsEndpointPort *ports;
  guint n_ports;
} KsEndpointSubset;

typedef struct
{
  KsObject parent;
  KsEndpointSubset *subsets;
  guint n_subsets;
} KsEndpoints;

#define KS_ENDPOINTS(o) ((KsEndpoints *) (o))

/* Endpoints named name in namespace ns, with no subsets. */
KsEndpoints *ks_endpoints_new (const char *ns, const char *name);
void ks_endpoint_address_clear (KsEndpointAddress *address);
void ks_endpoint_address_copy (KsEndpointAddress *dst, const KsEndpointAddress *src);
void ks_endpoint_subset_clear (KsEndpointSubset *subset);
void ks_endpoint_subset_copy (KsEndpointSubset *dst, const KsEndpointSubset *src);
/* Replace the subsets of ep with the n of subsets (taken: the caller's array is freed with
 * g_free and its contents belong to ep). */
void ks_endpoints_take_subsets (KsEndpoints *ep, KsEndpointSubset *subsets, guint n);

/* discovery.k8s.io/v1 EndpointSlice.  A condition is -1 when unset (a nil *bool), else 0 or 1. */
typedef struct
{
  char **addresses; /* NULL-terminated, 1 to 100 */
  gint8 ready, serving, terminating;
  char *hostname;                /* NULL when unset */
  char *node_name;               /* NULL when unset */
  char *zone;                    /* NULL when unset */
  KsObjectReference *target_ref; /* NULL when unset */
} KsSliceEndpoint;

typedef struct
{
  char *name;           /* NULL when unset */
  gint32 port;          /* 0 when unset */
  const char *protocol; /* static: "TCP", "UDP" or "SCTP" */
} KsSlicePort;

typedef struct
{
  KsObject parent;
  const char *address_type; /* static: "IPv4", "IPv6" or "FQDN" */
  KsSliceEndpoint *endpoints;
  guint n_endpoints;
  KsSlicePort *ports;
  guint n_ports;
} KsEndpointSlice;

#define KS_ENDPOINT_SLICE(o) ((KsEndpointSlice *) (o))
/* The labels the EndpointSlice controller puts on its slices. */
#define KS_LABEL_SERVICE_NAME "kubernetes.io/service-name"
#define KS_LABEL_MANAGED_BY "endpointslice.kubernetes.io/managed-by"
#define KS_ENDPOINTSLICE_CONTROLLER_NAME "endpointslice-controller.k8s.io"
/* --max-endpoints-per-slice */
#define KS_MAX_ENDPOINTS_PER_SLICE 100

/* An IPv4 slice in ns, with generateName prefix (name NULL) or name, no endpoints or ports. */
KsEndpointSlice *ks_endpoint_slice_new (const char *ns, const char *name, const char *prefix);
void ks_slice_endpoint_clear (KsSliceEndpoint *endpoint);
void ks_slice_endpoint_copy (KsSliceEndpoint *dst, const KsSliceEndpoint *src);
gboolean ks_slice_endpoint_equal (const KsSliceEndpoint *a, const KsSliceEndpoint *b);
/* Replace the endpoints (ports) of slice with the n given (taken, as ks_endpoints_take_subsets). */
void ks_endpoint_slice_take_endpoints (KsEndpointSlice *slice, KsSliceEndpoint *endpoints, guint n);
void ks_endpoint_slice_take_ports (KsEndpointSlice *slice, KsSlicePort *ports, guint n);

/* Kubernetes' IP literal check for validation: an IPv4 dotted quad or an IPv6 address. */
gboolean ks_ip_is_valid (const char *text);
/* The message Kubernetes gives for an invalid IP. */
#define KS_INVALID_IP_MESSAGE "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"

KS_DEFINE_OBJECT_AUTOPTR (KsService, ks_service)
KS_DEFINE_OBJECT_AUTOPTR (KsEndpoints, ks_endpoints)
KS_DEFINE_OBJECT_AUTOPTR (KsEndpointSlice, ks_endpoint_slice)

G_END_DECLS
