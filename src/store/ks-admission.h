/* ks-admission.h: what the API server's admission and registry do to objects on their way into
 * the store: Priority (pod priority from its PriorityClass, or the global default),
 * DefaultTolerationSeconds (pods tolerate not-ready/unreachable for 300 s), the PriorityClass
 * "one global default" rule, and the allocation of Service ClusterIPs and NodePorts.
 *
 * Service allocation (reference §7.1).  A Service that needs a ClusterIP gets one at random from
 * the service range, the upper part first and then the static band (the first
 * min(max(16, size/16), 256) addresses, kept for clusterIPs that are asked for); the range's
 * network and broadcast addresses are never given.  NodePorts and healthCheckNodePorts come from
 * the NodePort range the same way (static band min(max(16, size/32), 128) ports: 30000–30085 by
 * default).  A requested address or port is checked against the range and against the other
 * Services, with Kubernetes' messages ('spec.ports[0].nodePort: Invalid value: 30080: provided
 * port is already allocated'; KS_STORE_ERROR_INVALID), a full range is an internal error
 * (KS_STORE_ERROR_INTERNAL).  Random draws come from the store's stream "apiserver/services",
 * so Services do not change the UIDs and names other objects get.
 *
 * The allocator keeps no state of its own: each allocation derives the addresses and ports in
 * use from the Service objects in the store at that moment.  So a deleted Service's addresses
 * are free at once, an update keeps its own, and a store filled from disk by a backend (objects
 * inserted without admission) needs no rebuild step: nothing a loaded Service holds can be given
 * out again.  The price is a scan of the Services, O(Services), per Service create or update. */
#pragma once

#include "ks-store.h"

G_BEGIN_DECLS

/* The DefaultTolerationSeconds admission plugin's default. */
#define KS_DEFAULT_TOLERATION_SECONDS 300

/* kubesim's default ranges (Kubernetes: --service-cluster-ip-range as kubeadm sets it, but a
 * /16; --service-node-port-range). */
#define KS_SERVICE_CLUSTER_IP_RANGE "10.96.0.0/16"
#define KS_SERVICE_NODE_PORT_RANGE "30000-32767"

/* A store's admission state: its configuration and random stream. */
typedef struct _KsAdmission KsAdmission;

/* With the default ranges and the random stream "apiserver/services" of seed.  The store makes
 * its own (ks_store_new); these are for it. */
KsAdmission *ks_admission_new (guint64 seed);
void ks_admission_free (KsAdmission *admission);
/* Restart the random stream from seed (the store's ks_store_use_system_random gives one drawn
 * from the system's random source). */
void ks_admission_reseed (KsAdmission *admission, guint64 seed);
/* The store's admission state (defined by ks-store.c). */
KsAdmission *ks_store_get_admission (KsStore *store);

/* Set the store's service range: an IPv4 network "a.b.c.d/p" with 12 ≤ p ≤ 30.  FALSE with a
 * KS_INPUT_ERROR otherwise.  Services already allocated outside it keep their addresses. */
gboolean ks_admission_set_service_cluster_ip_range (KsStore *store, const char *cidr,
                                                    GError **error);
/* Set the NodePort range: "first-last", 1 ≤ first ≤ last ≤ 65535. */
gboolean ks_admission_set_service_node_port_range (KsStore *store, const char *range,
                                                   GError **error);

/* Admit obj for creation, modifying it in place (a Service gets its addresses).  FALSE with a
 * KS_STORE_ERROR (FORBIDDEN, INVALID or INTERNAL, with Kubernetes' message) when refused. */
gboolean ks_admission_admit_create (KsStore *store, KsObject *obj, GError **error);

/* Admit obj to replace current (same kind and name).  A Service keeps the addresses it had when
 * obj leaves them unset (clusterIP, NodePorts by port name, healthCheckNodePort), may not change
 * its clusterIP ('spec.clusterIP: Invalid value: "…": field is immutable'), gets NodePorts it
 * newly needs and loses those it no longer needs. */
gboolean ks_admission_admit_update (KsStore *store, const KsObject *current, KsObject *obj,
                                    GError **error);

G_END_DECLS
