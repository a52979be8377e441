/* ks-test-sched.h: what the scheduler plugin tests share: pods and nodes from YAML, hand-built
 * node views (KsNodeInfo) with pods on them, a plugin instantiated with args and a framework
 * handle over a node list, and scoring a plugin over the nodes the way the framework does
 * (PreScore, Score, NormalizeScore). */
#pragma once

#include "policies/ks-policy.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pod.h"
#include "src/scheduler/ks-sched-config.h"

G_BEGIN_DECLS

#define KS_TEST_MI G_GINT64_CONSTANT (1048576)
#define KS_TEST_GI G_GINT64_CONSTANT (1073741824)

/* A pod named name in namespace default whose spec is the YAML flow mapping spec. */
KsPod *ks_test_pod (const char *name, const char *spec);
/* A pod with one container (image busybox) requesting the YAML flow mapping requests (the
 * inside of the braces, e.g. "cpu: 500m, memory: 1Gi"; NULL or "": no requests). */
KsPod *ks_test_pod_req (const char *name, const char *requests);
/* A node: labels and spec are YAML flow mappings or NULL; status is the inside of the status
 * flow mapping (e.g. "allocatable: {cpu: 4, memory: 8Gi}"). */
KsNode *ks_test_node (const char *name, const char *labels, const char *spec, const char *status);

/* A node view over node (a reference is taken over), as the scheduler's cache makes it. */
KsNodeInfo *ks_test_node_info_new (KsNode *node, guint index);
/* Another view of the same node object (a reference is taken) under another name: many identical
 * nodes without decoding each. */
KsNodeInfo *ks_test_node_info_new_shared (KsNode *node, const char *name, guint index);
void ks_test_node_info_free (KsNodeInfo *ni);
/* Put pod on the node view: its requests, non-zero requests and host ports, as the cache does. */
void ks_test_node_info_add_pod (KsNodeInfo *ni, KsPod *pod);

/* A list of node views (freed with the array). */
GPtrArray *ks_test_node_list_new (void);

/* A plugin instance with a context over nodes (their list, the handle's nodes_with_image counted
 * over them). */
typedef struct
{
  const KsSchedulerPlugin *plugin;
  KsPluginCtx ctx;
  KsFrameworkHandle handle;
  GPtrArray *nodes; /* borrowed */
} KsTestPlug;

/* Look up the built-in plugin name and init it with args (JSON text or NULL); must succeed. */
void ks_test_plug_init (KsTestPlug *p, const char *name, const char *args_json, GPtrArray *nodes);
/* Init with args that must be refused; returns the message (newly allocated). */
char *ks_test_plug_error (const char *name, const char *args_json);
/* End the cycle (free_cycle) and destroy the instance. */
void ks_test_plug_clear (KsTestPlug *p);
/* End the current cycle (free the per-cycle state) so the next pod starts afresh. */
void ks_test_plug_end_cycle (KsTestPlug *p);

/* PreFilter then Filter of pod on ni; the reasons joined by " | " in *reasons (may be NULL,
 * newly allocated).  A PreFilter Skip returns KS_STATUS_SKIP without filtering. */
KsStatusCode ks_test_plug_filter (KsTestPlug *p, KsPod *pod, KsNodeInfo *ni, char **reasons);
/* PreScore (if any), Score on every node of the list, NormalizeScore (if any): scores[i] of
 * node i.  Returns the PreScore code (KS_STATUS_SKIP: scores untouched). */
KsStatusCode ks_test_plug_score_all (KsTestPlug *p, KsPod *pod, gint64 *scores);

/* The first lines of a KubeSchedulerConfiguration document. */
#define KS_TEST_SCHED_CONFIG_HEAD                                                                  \
  "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"

/* Decode a KubeSchedulerConfiguration from text (named sched.yaml); NULL when refused, which must
 * come with problems (and acceptance without).  problems (may be NULL: then they are printed):
 * every problem, one a line, when all, else the first; NULL when none.  Newly allocated. */
KsSchedulerConfig *ks_test_sched_config_decode (const char *text, gboolean all, char **problems);
/* Assert the plugins of profile p at point e, "Name" or "Name:weight" (score) joined by ", ". */
void ks_test_assert_point (const KsProfileConfig *p, KsExtensionPoint e, const char *expected);

G_END_DECLS
