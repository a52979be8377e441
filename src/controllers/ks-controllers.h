/* ks-controllers.h: the controllers of kube-controller-manager that kubesim runs: ReplicaSet,
 * Deployment and the garbage collector.  They see objects only through a KsClient and act from
 * work queues driven by the clock, so they run unchanged in sim and in real mode. */
#pragma once

#include "src/ks-events.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

typedef struct _KsControllerManager KsControllerManager;

/* Start every controller on client (watches are installed now). */
KsControllerManager *ks_controller_manager_new (KsClient *client, KsClock *clock,
                                                KsEventSink *events);
void ks_controller_manager_free (KsControllerManager *manager);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsControllerManager, ks_controller_manager_free)

G_END_DECLS
