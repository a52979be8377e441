/* ks-node-status.h: the kubelet's node status updater, shared by sim and real mode.
 *
 * It registers the node (creates the Node object if there is none; on a Node that exists, it
 * sets the registration's labels that differ, as the kubelet's updateDefaultLabels does) and
 * then, every --node-status-update-frequency (10 s), posts the node's status: the registration's
 * capacity, allocatable, InternalIP and Hostname addresses, kubelet port and nodeInfo (the
 * kubelet's setNodeStatus funcs set them on every post), and the conditions MemoryPressure,
 * DiskPressure and PIDPressure False and Ready True ("KubeletReady", "kubelet is posting ready
 * status") — or Ready False
 * ("KubeletNotReady") while the container runtime's network is not ready
 * (ks_node_status_set_network_error) — each with lastHeartbeatTime = now.  That heartbeat is what
 * the node lifecycle controller watches: when the updater stops (the node agent was killed), the
 * node becomes Unknown after the grace period.  A condition that changes status is recorded as
 * the kubelet does it ("NodeHasSufficientMemory", ..., "NodeReady" or "NodeNotReady": "Node
 * <name> status is now: <reason>").
 *
 * Differences from the kubelet: no jitter (the kubelet waits 10 s to 10.4 s), and without Leases
 * the status is posted every period rather than only on change or every 5 minutes. */
#pragma once

#include "src/api/ks-node.h"
#include "src/ks-events.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

/* --node-status-update-frequency's default. */
#define KS_NODE_STATUS_UPDATE_FREQUENCY (10 * KS_USEC_PER_SEC)
/* nodeStatusReportFrequency's default: with Leases as heartbeats, the kubelet posts an unchanged
 * status this often. */
#define KS_NODE_STATUS_REPORT_FREQUENCY (5 * KS_USEC_PER_MIN)

typedef struct
{
  gint64 update_frequency; /* µs between posts; above 0 */
} KsNodeStatusOptions;

void ks_node_status_options_init (KsNodeStatusOptions *options);

typedef struct _KsNodeStatus KsNodeStatus;

/* An updater for node (borrowed; only read now: its name, and the whole object for the
 * registration and the status fields each post refreshes: capacity and allocatable when the
 * capacity is set, the addresses, kubelet port and nodeInfo when set).  The first post is due now,
 * as a clock task, then one every options->update_frequency after it.  options may be NULL for the
 * defaults. */
KsNodeStatus *ks_node_status_new (KsClient *client, KsClock *clock, KsEventSink *events,
                                  const KsNode *node, const KsNodeStatusOptions *options);
/* Stop posting (the node agent ended).  The Node object is left as it is. */
void ks_node_status_free (KsNodeStatus *status);

/* Post now (what each period does): until a registration has succeeded, create the Node from
 * the object given at creation if it does not exist; then update its conditions, retrying on
 * conflicts (five attempts, as the kubelet).  FALSE with the client's error otherwise (e.g. the
 * Node was deleted after registration: the kubelet does not register twice). */
gboolean ks_node_status_sync (KsNodeStatus *status, GError **error);

/* The runtime network error of a node whose pod network is not configured yet, as containerd
 * reports it before a CNI configuration exists; the kubelet's Ready message is
 * "container runtime network not ready: " followed by it. */
#define KS_NODE_NETWORK_NOT_READY                                                                  \
  "NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni "     \
  "plugin not initialized"

/* Report the container runtime's network as not ready, error saying why (e.g.
 * KS_NODE_NETWORK_NOT_READY; copied), or, with NULL, as ready (the default).  While it is not
 * ready every post sets Ready False with reason "KubeletNotReady" and message "container runtime
 * network not ready: <error>" (the kubelet's ReadyCondition setter).  A change is posted at once
 * (the next post becomes due now, the period counting from it), as the kubelet's fast status
 * update does. */
void ks_node_status_set_network_error (KsNodeStatus *status, const char *error);

/* Report MemoryPressure (the eviction manager's, ks-eviction.h): while TRUE every post sets it
 * True with reason "KubeletHasInsufficientMemory" and message "kubelet has insufficient memory
 * available" (event NodeHasInsufficientMemory on the change).  A change is posted at once, as
 * ks_node_status_set_network_error. */
void ks_node_status_set_memory_pressure (KsNodeStatus *status, gboolean pressure);

/* Number of successful posts. */
guint64 ks_node_status_get_n_posts (KsNodeStatus *status);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsNodeStatus, ks_node_status_free)

G_END_DECLS
