/* ks-node.h: v1 Node. */
#pragma once

#include "ks-object.h"
#include "ks-pod.h"
#include "ks-resources.h"
#include "ks-taint.h"

G_BEGIN_DECLS

typedef enum
{
  KS_NODE_COND_READY,
  KS_NODE_COND_MEMORY_PRESSURE,
  KS_NODE_COND_DISK_PRESSURE,
  KS_NODE_COND_PID_PRESSURE,
  KS_NODE_COND_NETWORK_UNAVAILABLE,
  KS_N_NODE_CONDITIONS
} KsNodeConditionType;

const char *ks_node_condition_name (KsNodeConditionType type);

typedef struct
{
  KsConditionStatus status;
  gint64 last_heartbeat_time;
  gint64 last_transition_time;
  const char *reason; /* interned */
  char *message;
} KsNodeCondition;

typedef struct
{
  char **names; /* NULL-terminated */
  gint64 size_bytes;
} KsContainerImage;

/* status.nodeInfo (NodeSystemInfo): the node's machine and software as its agent reports them.
 * Each string may be NULL (encoded as "", as Kubernetes encodes an unknown field). */
typedef struct
{
  char *machine_id;
  char *system_uuid;
  char *boot_id;
  char *kernel_version;
  char *os_image;
  char *container_runtime_version;
  char *kubelet_version;
  char *kube_proxy_version;
  char *operating_system;
  char *architecture;
} KsNodeSystemInfo;

/* A newly allocated copy (NULL for NULL), and its free (NULL-safe). */
KsNodeSystemInfo *ks_node_system_info_copy (const KsNodeSystemInfo *info);
void ks_node_system_info_free (KsNodeSystemInfo *info);

/* The version the node agent's kubelet and proxy report, as the API's /version reports kubesim's
 * Kubernetes: the release whose behaviour kubesim follows, then kubesim's own version. */
#define KS_KUBELET_VERSION "v1.32.0+kubesim-" PACKAGE_VERSION

typedef struct
{
  KsObject parent;
  gboolean unschedulable;
  KsTaint *taints;
  guint n_taints;
  char *pod_cidr; /* spec.podCIDR, and podCIDRs (single-stack: this one) */
  char *provider_id;
  KsResources capacity;
  KsResources allocatable; /* defaulted to capacity; pods defaulted to 110 */
  KsNodeCondition conditions[KS_N_NODE_CONDITIONS];
  KsContainerImage *images;
  guint n_images;
  char *internal_ip; /* status.addresses: the InternalIP address, or NULL */
  char *hostname;    /* status.addresses: the Hostname address, or NULL */
  /* status.nodeInfo, out of line (one pointer for nodes without it: sim's); NULL until a node
   * agent reports it. */
  KsNodeSystemInfo *node_info;
  gint32 kubelet_port; /* status.daemonEndpoints.kubeletEndpoint.Port: the agent's own HTTP
                        * port (real mode); 0 when unknown */
} KsNode;

#define KS_NODE(o) ((KsNode *) (o))

/* The kubelet's default --max-pods. */
#define KS_DEFAULT_MAX_PODS 110

KsNode *ks_node_new (const char *name);
KsNode *ks_node_copy (const KsNode *node);
/* Ready condition is True. */
gboolean ks_node_is_ready (const KsNode *node);
void ks_node_set_condition (KsNode *node, KsNodeConditionType type, KsConditionStatus status,
                            const char *reason, const char *message, gint64 now);
/* Add a taint unless one with the same key and effect exists; remove by key and effect. */
void ks_node_add_taint (KsNode *node, const char *key, const char *value, KsTaintEffect effect,
                        gint64 now);
void ks_node_remove_taint (KsNode *node, const char *key, KsTaintEffect effect);

KS_DEFINE_OBJECT_AUTOPTR (KsNode, ks_node)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsNodeSystemInfo, ks_node_system_info_free)

G_END_DECLS
