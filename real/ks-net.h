/* ks-net.h: real mode's pod network (see docs/architecture.md, "Real mode", Network).
 *
 * One bridge, kubesim0, holds 10.244.0.1/16 and is shared by every node agent of the machine.
 * Node i's pods take addresses from its podCIDR 10.244.(i+1).0/24 (.2 to .254), handed out by a
 * per-node IPAM kept on disk like CNI's host-local plugin.  A pod gets a network namespace
 * /run/netns/ks-<pod uid> with lo and eth0, a veth whose host end ksv<pod IP in hex> is a port of
 * the bridge; eth0 holds the pod IP with the bridge's /16 prefix, so pods of every node reach
 * each other directly on the bridge, and its default route goes to 10.244.0.1 (the host).
 * Service ClusterIPs (10.96.0.0/16) are added to the bridge as /32 addresses so they are local to
 * the host: the Service proxy listens on them.
 *
 * Changes are made with iproute2 (`ip -batch`, two processes per pod setup); reads that must be
 * fast (the route check) ask the kernel over rtnetlink.  The functions are thread-safe and block
 * for the duration of the commands they run (a few milliseconds; deleting a veth takes the
 * kernel about 20 ms). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define KS_NET_BRIDGE "kubesim0"
#define KS_NET_GATEWAY "10.244.0.1"
#define KS_NET_POD_RANGE "10.244.0.0/16"
#define KS_NET_SERVICE_RANGE "10.96.0.0/16"
/* Where iproute2 keeps named network namespaces (fixed in iproute2). */
#define KS_NET_NETNS_DIR "/run/netns"

#define KS_NET_ERROR (ks_net_error_quark ())
GQuark ks_net_error_quark (void);

typedef enum
{
  KS_NET_ERROR_INVALID,   /* a bad argument: malformed address, CIDR or pod uid, out of range */
  KS_NET_ERROR_PREFLIGHT, /* the machine cannot run kubesim's network: what, and how to fix it */
  KS_NET_ERROR_EXHAUSTED, /* no free address left in the node's podCIDR */
  KS_NET_ERROR_IPAM,      /* the IPAM directory cannot be read or written */
  KS_NET_ERROR_COMMAND,   /* an ip command failed (its message is included) */
  KS_NET_ERROR_LEFTOVER,  /* something kubesim created is still there after removing it */
} KsNetError;

/* ---- IPAM: one node's pod addresses, on disk ---- */

typedef struct _KsNetIpam KsNetIpam;

/* An IPAM handing out the addresses of cidr (a /16 to /30), lowest free first, skipping the
 * network address, the first host address (.1: a gateway's) and the broadcast address; for a
 * /24 that is .2 to .254.  Each allocation is a file dir/<ip> holding its owner and a newline;
 * dir (created if missing) also holds a lock file, so several processes may share it.  Errors:
 * KS_NET_ERROR_INVALID for a bad cidr, KS_NET_ERROR_IPAM when dir cannot be created. */
KsNetIpam *ks_net_ipam_new (const char *dir, const char *cidr, GError **error);
void ks_net_ipam_free (KsNetIpam *ipam);

/* The address of owner (a non-empty string without '/' or newlines; a pod uid): the one it
 * already has, or the lowest free one, recorded before it is returned.  Owned by the caller.
 * KS_NET_ERROR_EXHAUSTED when every address is taken; KS_NET_ERROR_IPAM on I/O errors. */
char *ks_net_ipam_allocate (KsNetIpam *ipam, const char *owner, GError **error);
/* The address owner holds, or NULL (no error) when it holds none. */
char *ks_net_ipam_lookup (KsNetIpam *ipam, const char *owner, GError **error);
/* Frees owner's address; TRUE also when it held none. */
gboolean ks_net_ipam_release (KsNetIpam *ipam, const char *owner, GError **error);
/* Every allocation: a new table owner -> address (both owned by the table), or NULL on error. */
GHashTable *ks_net_ipam_list (KsNetIpam *ipam, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsNetIpam, ks_net_ipam_free)

/* ---- The network of a node agent ---- */

typedef struct _KsNet KsNet;

/* A command runner replacing the real one (tests, dry runs): called with the argv of an ip
 * command and the text of its standard input (NULL: none); sets *output (may be left NULL) to
 * what the command would print.  Returns FALSE with error set for a failed command.  With a
 * runner installed, KsNet does not look at the machine's state (it assumes nothing of its own
 * exists) and does not verify results; the IPAM is still the real one. */
typedef gboolean (*KsNetCommandFunc) (const char *const *argv, const char *input, char **output,
                                      gpointer user_data, GError **error);

/* The network of the machine, its IPAM records under data_dir/nodes/<node>/ipam/.  Never fails
 * (nothing is touched until asked). */
KsNet *ks_net_new (const char *data_dir);
/* Frees net; pod networks, the bridge and Service addresses stay as they are. */
void ks_net_free (KsNet *net);

/* Makes net the network of node node_name with podCIDR pod_cidr (a /24 inside 10.244.0.0/16
 * other than 10.244.0.0/24), opening its IPAM.  Needed before pod setup and teardown; a second
 * call must name the same node and CIDR (KS_NET_ERROR_INVALID otherwise). */
gboolean ks_net_set_node (KsNet *net, const char *node_name, const char *pod_cidr, GError **error);
/* The node's IPAM (borrowed), NULL before ks_net_set_node. */
KsNetIpam *ks_net_get_ipam (KsNet *net);

/* Installs a command runner (see KsNetCommandFunc); NULL restores the real one.  destroy (may be
 * NULL) is called on user_data when the runner is replaced or net is freed. */
void ks_net_set_command_func (KsNet *net, KsNetCommandFunc func, gpointer user_data,
                              GDestroyNotify destroy);

/* Checks that this machine can run kubesim's network, reporting every problem at once
 * (KS_NET_ERROR_PREFLIGHT): the ip command exists; /run/netns can be created and written; a
 * kubesim0 that exists is a bridge; no route other than a default route covers or lies inside
 * 10.244.0.0/16 or 10.96.0.0/16 through another interface (in any routing table, local
 * addresses included), since kubesim's bridge would then hide those hosts or be hidden by them. */
gboolean ks_net_preflight (KsNet *net, GError **error);

/* Creates kubesim0 (a bridge with 10.244.0.1/16, up) unless it exists; makes an existing one
 * have the address and be up.  Safe to call from several agents at once. */
gboolean ks_net_bridge_ensure (KsNet *net, GError **error);
/* Deletes kubesim0 (with the Service addresses on it); TRUE when it did not exist. */
gboolean ks_net_bridge_teardown (KsNet *net, GError **error);

/* Sets up the network of pod pod_uid (a UUID string) on this node: an address from the node's
 * IPAM, the namespace ks-<pod_uid> with lo up, eth0 (pod IP/16, up) and a default route via
 * 10.244.0.1, the host end of its veth on kubesim0.  Sets *netns_path (/run/netns/ks-<uid>) and
 * *ip (the pod IP), both owned by the caller and either may be NULL.  Idempotent: a pod whose
 * namespace and veth exist keeps its address (its configuration is reapplied), and leftovers of
 * an interrupted setup are removed first.  On failure nothing is left behind and the address is
 * released.  Needs the bridge (ks_net_bridge_ensure). */
gboolean ks_net_pod_setup (KsNet *net, const char *pod_uid, char **netns_path, char **ip,
                           GError **error);
/* Removes pod pod_uid's veth and namespace and releases its address.  TRUE when none of them
 * exists.  Call it after the pod's containers are gone (a process still inside the namespace
 * keeps it alive, not its veth). */
gboolean ks_net_pod_teardown (KsNet *net, const char *pod_uid, GError **error);
/* Tears down the network of every pod of this node's IPAM that is not in live_uids (a
 * NULL-terminated list, or NULL for none): for an agent that restarts while its pods run.
 * Tries every pod; the first error is reported. */
gboolean ks_net_node_gc (KsNet *net, const char *const *live_uids, GError **error);

/* Adds cluster_ip (an address of 10.96.0.0/16) to kubesim0 as a /32; TRUE when it is there
 * already.  Several agents may add the same address. */
gboolean ks_net_service_ip_add (KsNet *net, const char *cluster_ip, GError **error);
/* Removes it; TRUE when it is not there. */
gboolean ks_net_service_ip_remove (KsNet *net, const char *cluster_ip, GError **error);

/* Whether ip (an IPv4 literal) is a pod or Service address (10.244.0.0/16, 10.96.0.0/16) that
 * the kernel routes through kubesim0 (or holds as a local address of kubesim0).  Asked of the
 * kernel over rtnetlink; answers are cached until the kernel reports a change of links,
 * addresses or routes, so a check costs a system call or two.  FALSE for anything else,
 * including an address the kernel cannot route.  Call it before every connection to a pod or
 * Service address. */
gboolean ks_net_route_is_ours (KsNet *net, const char *ip);

/* Removes everything kubesim's network ever created on this machine: every namespace ks-*,
 * every veth ksv*, the bridge (and the Service addresses on it), and every node's IPAM records
 * under the data directory.  For `kubesim cluster down` and for `cluster up` after a crash; not
 * for one agent's restart while others run (see ks_net_node_gc).  KS_NET_ERROR_LEFTOVER (with
 * the names) when something could not be removed. */
gboolean ks_net_sweep (KsNet *net, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsNet, ks_net_free)

G_END_DECLS
