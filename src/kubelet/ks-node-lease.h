/* ks-node-lease.h: the kubelet's node lease controller (pkg/kubelet/nodelease, the
 * component-helpers lease controller), shared by sim and real mode.
 *
 * The node's heartbeat: the Lease kube-node-lease/<node> (holderIdentity the node's name,
 * leaseDurationSeconds 40, an owner reference to the Node so that it goes with it) is created
 * when missing and its renewTime set to now every renew interval (0.25 × the duration: 10 s).
 * The node lifecycle controller counts a renewal as a heartbeat as much as a new
 * lastHeartbeatTime of the node's Ready condition, which lets the kubelet post its node status
 * only when it changes (and every nodeStatusReportFrequency) instead of every 10 s.
 *
 * Differences from the kubelet: no jitter; a failed renewal is tried again at the next interval
 * rather than with a 200 ms doubling backoff; while the Node does not exist yet the Lease is
 * not created (the kubelet waits for it too, to set the owner reference). */
#pragma once

#include "src/api/ks-event.h"
#include "src/ks-clock.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

/* The kubelet's renewInterval for the default 40 s lease (NodeLeaseRenewIntervalFraction 0.25). */
#define KS_NODE_LEASE_RENEW_INTERVAL (10 * KS_USEC_PER_SEC)

typedef struct _KsNodeLease KsNodeLease;

/* Start renewing node_name's Lease through client: the first renewal is due now (a clock task
 * at the current time), then one every KS_NODE_LEASE_RENEW_INTERVAL after it. */
KsNodeLease *ks_node_lease_new (KsClient *client, KsClock *clock, const char *node_name);
/* Stop renewing (the node agent ended or lost its link).  The Lease is left as it is. */
void ks_node_lease_free (KsNodeLease *lease);

/* Renew now: create the Lease if it is missing (the Node must exist), else set renewTime to
 * now.  FALSE with the client's error. */
gboolean ks_node_lease_renew (KsNodeLease *lease, GError **error);

/* Successful renewals so far. */
guint64 ks_node_lease_get_n_renewals (KsNodeLease *lease);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsNodeLease, ks_node_lease_free)

G_END_DECLS
