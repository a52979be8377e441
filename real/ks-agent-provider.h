/* ks-agent-provider.h: real mode's node group provider for the cluster autoscaler
 * (src/controllers/ks-cluster-autoscaler.h): a group's nodes are node agents on this machine,
 * started and stopped by the control plane as `kubesim cluster up` starts its nodes' agents
 * (daemons node-agent-<node> of the data directory, real/ks-daemon.h).
 *
 *   - Scale-up starts `kubesim node` for the new node with the group's capacity (cpu, memory,
 *     pods; allocatable is the capacity, as the agent registers it), labels (with
 *     KS_NODE_GROUP_LABEL) and taints, and reports the node to the autoscaler once its Node is
 *     registered and Ready (until then it is upcoming, so a pending pod does not start a second
 *     one); an agent that exits first, or whose node is not Ready within 60 s, is a failed
 *     scale-up (killed; the group's target size goes back down).
 *   - Scale-down (after the autoscaler drained the node) stops the agent (SIGTERM, SIGKILL after
 *     10 s), removes what it leaves of the node (runc containers, bundles and cgroups of the
 *     node, e.g. DaemonSet pods'; the pod network namespaces and veths of its IPAM), then deletes
 *     the Node object.  Its logs stay in <data-dir>/log and nodes/<node>/logs.
 *   - At start (ks_agent_provider_start) a group's size is the number of its Nodes in the store
 *     (a control plane that restarts adopts them; an agent of theirs that is not running is
 *     started again; a removal left unfinished is given up, its taint removed, as
 *     cluster-autoscaler does at start), at least its count (min by default) and at most its max;
 *     missing nodes are started as <group>-<n>. */
#pragma once

#include "src/controllers/ks-cluster-autoscaler.h"

G_BEGIN_DECLS

typedef struct _KsAgentProvider KsAgentProvider;

typedef struct
{
  const char *data_dir;      /* the cluster's data directory */
  const char *server;        /* the API's URL for the agents */
  const char *cgroup_parent; /* the agents' --cgroup-parent; NULL: the default */
  char **node_args;          /* extra arguments for every agent (NULL-terminated), or NULL */
} KsAgentProviderOptions;

/* A provider on client and clock for the groups among pools (which must outlive it); options are
 * copied. */
KsAgentProvider *ks_agent_provider_new (KsClient *client, KsClock *clock, GPtrArray *pools,
                                        const KsAgentProviderOptions *options);
void ks_agent_provider_free (KsAgentProvider *p);
/* The provider's operations, for ks_cluster_autoscaler_new with p as their data. */
const KsNodeGroupProvider *ks_agent_provider_get_ops (void);

/* Set every group's count to its size at start (see above) and start the agents missing; call
 * before ks_cluster_autoscaler_new, whose target sizes start at the counts.  FALSE when an agent
 * cannot be started. */
gboolean ks_agent_provider_start (KsAgentProvider *p, GError **error);
/* The autoscaler to report registrations to (set once it exists). */
void ks_agent_provider_set_autoscaler (KsAgentProvider *p, KsClusterAutoscaler *ca);

/* The daemon name of node's agent: "node-agent-<node>".  Newly allocated. */
char *ks_agent_daemon_name (const char *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsAgentProvider, ks_agent_provider_free)

G_END_DECLS
