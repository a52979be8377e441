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
  char *internal_ip;   /* status.addresses: the InternalIP address, or NULL */
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

G_END_DECLS
