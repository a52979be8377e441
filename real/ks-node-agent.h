/* ks-node-agent.h: real mode's node agent (`kubesim node`): one process per node.
 *
 * On the wall clock and the thread-default main context it runs, against the API server over
 * HTTP: the kubelet (src/kubelet) with the runc runtime, whose pods get their network from
 * real/ks-net, and the GIO prober, allowed to connect only to addresses the kernel routes through
 * kubesim's bridge (ks_net_route_is_ours); the node status updater (registration and heartbeats);
 * the Service proxy fed from watches of Services and Endpoints; and its own HTTP server for
 * container logs.
 *
 * Start order: take the node's lock (<data-dir>/nodes/<node>/agent.lock: one agent per node and
 * data directory); become a child subreaper; check the machine's network (preflight) and make sure
 * of the shared bridge; remove what an earlier agent of this node left (its runc containers,
 * bundles, namespace files and cgroups: an agent that starts again restarts its pods'
 * containers, see below); serve logs; register the Node (Ready False, "cni plugin not
 * initialized", until its spec.podCIDR is known); watch the Node for spec.podCIDR, which
 * configures the pod network (and removes the networks of pods no longer bound to the node);
 * then the runtime, the kubelet and the Service proxy.
 *
 * Stopping (ks_node_agent_free) leaves the containers running and their networks in place, as a
 * killed kubelet leaves its pods; `kubesim cluster down` (ks_node_agent_cleanup) removes them.
 *
 * An agent that starts while its node's pods still run does not adopt their containers: it
 * removes them and the kubelet starts them again (restartCount unchanged; the pod keeps its IP,
 * since its network namespace is kept for a pod still bound to the node).  Adopting them would
 * need a way to learn their exit (they are no longer this process's children: a pidfd, and the
 * exit code would be lost), the runtime's records rebuilt from `runc state` and the log files,
 * and a kubelet that takes a running container's state from the runtime instead of starting it
 * (Kubernetes' PLEG relist). */
#pragma once

#include <gio/gio.h>

#include "src/api/ks-node.h"

G_BEGIN_DECLS

#define KS_NODE_AGENT_ERROR (ks_node_agent_error_quark ())
GQuark ks_node_agent_error_quark (void);

typedef enum
{
  KS_NODE_AGENT_ERROR_INVALID,     /* a bad option (what, and what would be valid) */
  KS_NODE_AGENT_ERROR_UNAVAILABLE, /* this machine cannot run an agent: not root, no runc */
  KS_NODE_AGENT_ERROR_RUNNING,     /* another agent of the node runs on this data directory */
} KsNodeAgentError;

typedef struct
{
  char *server;                   /* the API server's URL, "http://127.0.0.1:6443"; required */
  char *node_name;                /* a DNS-1123 subdomain; required */
  gint64 milli_cpu;               /* capacity (and allocatable): cpu in millicores, above 0 */
  gint64 memory;                  /* memory in bytes, above 0 */
  gint64 max_pods;                /* pods, above 0 (KS_DEFAULT_MAX_PODS) */
  char *data_dir;                 /* required */
  char *cgroup_parent;            /* NULL: "kubesim" */
  gint64 status_update_frequency; /* µs between heartbeats, above 0 (10 s) */
  guint port;                     /* the log server's port on 127.0.0.1; 0: a free one */
  char *runc;                     /* the runc binary; NULL: "runc" from PATH */
  KsStrMap *labels;               /* --node-labels: added to the Node it registers, or NULL */
  KsTaint *taints;                /* --register-with-taints: the registered Node's taints */
  guint n_taints;
} KsNodeAgentOptions;

/* status.nodeInfo as the kubelet fills it, for this machine (every node of a machine reports
 * the same): machineID (/etc/machine-id), systemUUID (/sys/class/dmi/id/product_uuid), bootID
 * (/proc/sys/kernel/random/boot_id), kernelVersion (uname's release), osImage (PRETTY_NAME of
 * /etc/os-release, else "Linux", as cAdvisor reads it), containerRuntimeVersion
 * ("runc://<version>" from `runc --version`; runc NULL: "runc" from PATH), kubeletVersion and
 * kubeProxyVersion (KS_KUBELET_VERSION), operatingSystem "linux" and architecture (Go's name:
 * amd64, arm64, ...).  What cannot be read is left unset. */
KsNodeSystemInfo *ks_node_agent_system_info (const char *runc);

/* The osImage of /etc/os-release's contents: PRETTY_NAME's value unquoted as a shell reads it,
 * or "Linux" when there is none.  Newly allocated. */
char *ks_os_release_pretty_name (const char *os_release);
/* The version in `runc --version`'s output ("runc version 1.1.5+ds1\n..." gives "1.1.5+ds1"),
 * or NULL.  Newly allocated. */
char *ks_runc_version_parse (const char *output);

/* The Node an agent with options registers (the kubelet's initialNode, without system info and
 * conditions): its default labels over --node-labels, taints, capacity (= allocatable),
 * addresses (the InternalIP and, as --hostname-override sets it, the node's name as its
 * Hostname) and the daemon endpoint port.  For the cluster autoscaler's template nodes too. */
KsNode *ks_node_agent_initial_node (const KsNodeAgentOptions *options, guint port);

/* Defaults: 110 pods, heartbeats every 10 s, port 0; everything else unset. */
void ks_node_agent_options_init (KsNodeAgentOptions *options);
void ks_node_agent_options_clear (KsNodeAgentOptions *options);
/* The kubelet's --node-labels "key=value,key2=value2" into *labels (new reference; an empty text
 * gives an empty map), and --register-with-taints "key=value:Effect,key2:Effect" into *taints
 * (newly allocated) and *n_taints.  KS_NODE_AGENT_ERROR_INVALID saying what is wrong and what is
 * valid. */
gboolean ks_node_agent_parse_labels (const char *text, KsStrMap **labels, GError **error);
gboolean ks_node_agent_parse_taints (const char *text, KsTaint **taints, guint *n_taints,
                                     GError **error);

/* KS_NODE_AGENT_ERROR_INVALID naming the option, when one is missing or out of range. */
gboolean ks_node_agent_options_validate (const KsNodeAgentOptions *options, GError **error);

typedef struct _KsNodeAgent KsNodeAgent;

/* Start the agent (see the start order above).  Errors: the options
 * (KS_NODE_AGENT_ERROR_INVALID), not root or runc missing (KS_NODE_AGENT_ERROR_UNAVAILABLE),
 * another agent of the node running (KS_NODE_AGENT_ERROR_RUNNING), the
 * network preflight (KS_NET_ERROR_PREFLIGHT, listing every problem), the leftovers of an earlier
 * agent that cannot be removed, the data directory, the cgroups, the log port.  An API server that
 * cannot be reached yet is no error: the agent keeps trying. */
KsNodeAgent *ks_node_agent_new (const KsNodeAgentOptions *options, GError **error);
/* Stop: the watches, the proxy's listeners, the log server and the heartbeats end; containers and
 * pod networks stay. */
void ks_node_agent_free (KsNodeAgent *agent);
/* Before free, on SIGTERM: stop the kubelet (no new container work) and let the runc commands
 * already running finish, for at most timeout µs, running the thread-default main context, so
 * that no container is half made when the agent exits (one created after `cluster down` looked
 * would be left behind).  TRUE when nothing was left in flight. */
gboolean ks_node_agent_quiesce (KsNodeAgent *agent, gint64 timeout);

/* The log server's port (the Node's kubelet port). */
guint ks_node_agent_get_port (KsNodeAgent *agent);
/* Whether the pod network is configured (the Node's spec.podCIDR was seen). */
gboolean ks_node_agent_network_ready (KsNodeAgent *agent);

/* Remove everything the agents of data_dir left on this machine: every node's runc containers,
 * bundles, namespace files and cgroups (under /<cgroup_parent>, NULL: "kubesim"), and kubesim's
 * whole pod network (every ks-* namespace, ksv* veth, the bridge, the IPAM records).  What
 * `kubesim cluster down` does after stopping the processes; logs are kept.  Needs root. */
gboolean ks_node_agent_cleanup (const char *data_dir, const char *cgroup_parent, const char *runc,
                                GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsNodeAgent, ks_node_agent_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (KsNodeAgentOptions, ks_node_agent_options_clear)

G_END_DECLS
