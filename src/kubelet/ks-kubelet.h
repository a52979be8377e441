/* ks-kubelet.h: the kubelet's pod logic, shared by sim and real mode.
 *
 * One kubelet serves one node: it watches the pods bound to it, admits them (resources fit
 * the node's allocatable), runs init containers in order and then the containers through a
 * KsRuntime, reports status (phase, conditions, container states), restarts exited containers
 * by restartPolicy with CrashLoopBackOff (10 s doubling to 300 s), and on deletion stops the
 * containers within the grace period and then removes the pod. */
#pragma once

#include "ks-runtime.h"
#include "src/ks-events.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

typedef struct _KsKubelet KsKubelet;

/* Start a kubelet for node_name (runtime is borrowed and must outlive it). */
KsKubelet *ks_kubelet_new (KsClient *client, KsClock *clock, KsRuntime *runtime,
                           KsEventSink *events, const char *node_name);
/* Stop watching and forget every pod without touching containers or objects (the kubelet
 * process ended).  The runtime is not freed. */
void ks_kubelet_free (KsKubelet *kubelet);

const char *ks_kubelet_get_node_name (KsKubelet *kubelet);
/* Pods the kubelet currently runs (admitted, not terminal). */
guint ks_kubelet_n_active_pods (KsKubelet *kubelet);

/* The kubelet's restart backoff (flowcontrol.Backoff with 10 s initial, 300 s max). */
#define KS_CONTAINER_BACKOFF_INITIAL (10 * KS_USEC_PER_SEC)
#define KS_CONTAINER_BACKOFF_MAX (300 * KS_USEC_PER_SEC)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsKubelet, ks_kubelet_free)

G_END_DECLS
