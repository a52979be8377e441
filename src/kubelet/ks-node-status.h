/* ks-node-status.h: the kubelet's node status updater, shared by sim and real mode.
 *
 * It registers the node (creates the Node object if there is none) and then, every
 * --node-status-update-frequency (10 s), posts the node's conditions: MemoryPressure,
 * DiskPressure and PIDPressure False, Ready True ("KubeletReady", "kubelet is posting ready
 * status"), each with lastHeartbeatTime = now.  That heartbeat is what the node lifecycle
 * controller watches: when the updater stops (the node agent was killed), the node becomes
 * Unknown after the grace period.  A condition that changes status is recorded as the kubelet
 * does it ("NodeHasSufficientMemory", ..., "NodeReady": "Node <name> status is now: <reason>").
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

typedef struct
{
  gint64 update_frequency; /* µs between posts; above 0 */
} KsNodeStatusOptions;

void ks_node_status_options_init (KsNodeStatusOptions *options);

typedef struct _KsNodeStatus KsNodeStatus;

/* An updater for node (borrowed; only read now: its name, and the whole object for the
 * registration).  The first post is due now, as a clock task, then one every
 * options->update_frequency after it.  options may be NULL for the defaults. */
KsNodeStatus *ks_node_status_new (KsClient *client, KsClock *clock, KsEventSink *events,
                                  const KsNode *node, const KsNodeStatusOptions *options);
/* Stop posting (the node agent ended).  The Node object is left as it is. */
void ks_node_status_free (KsNodeStatus *status);

/* Post now (what each period does): until a registration has succeeded, create the Node from
 * the object given at creation if it does not exist; then update its conditions, retrying on
 * conflicts (five attempts, as the kubelet).  FALSE with the client's error otherwise (e.g. the
 * Node was deleted after registration: the kubelet does not register twice). */
gboolean ks_node_status_sync (KsNodeStatus *status, GError **error);

/* Number of successful posts. */
guint64 ks_node_status_get_n_posts (KsNodeStatus *status);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsNodeStatus, ks_node_status_free)

G_END_DECLS
