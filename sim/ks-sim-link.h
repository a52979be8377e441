/* ks-sim-link.h: a node agent's network link to the API server, as a KsClient over another
 * one, which a scenario's partitionNode cuts and healPartition mends.
 *
 * While the link is cut every call fails (KS_STORE_ERROR_INTERNAL, "... cannot reach the API
 * server: network partition"), so the kubelet's status posts and Lease renewals never arrive,
 * and the watch events meant for the agent are held back; when the link is mended they are
 * delivered, in order, before any new one, as a watch that reconnects from its last
 * resourceVersion replays what it missed.  The last pod status the agent tried to write for each
 * pod while cut is then written (over what the control plane set meanwhile), as the kubelet's
 * status manager syncs its cached statuses once the API server answers. */
#pragma once

#include "src/store/ks-client.h"

G_BEGIN_DECLS

/* A client for node (its name, for the messages) that forwards to inner (borrowed; must
 * outlive it).  Free it with ks_client_free. */
KsClient *ks_sim_link_new (KsClient *inner, const char *node);
/* Cut (TRUE) or mend (FALSE) the link; mending delivers the held watch events now. */
void ks_sim_link_set_cut (KsClient *link, gboolean cut);
gboolean ks_sim_link_is_cut (KsClient *link);

G_END_DECLS
