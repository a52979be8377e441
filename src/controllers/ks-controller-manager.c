/* ks-controller-manager.c: starts and stops the controllers together. */
#include "config.h"

#include "ks-controller-private.h"

struct _KsControllerManager
{
  KsReplicaSetController *replicaset;
  KsDeploymentController *deployment;
  KsGarbageCollector *gc;
};

KsControllerManager *
ks_controller_manager_new (KsClient *client, KsClock *clock, KsEventSink *events)
{
  KsControllerManager *m = g_new0 (KsControllerManager, 1);

  m->deployment = ks_deployment_controller_new (client, clock, events);
  m->replicaset = ks_replicaset_controller_new (client, clock, events);
  m->gc = ks_garbage_collector_new (client, clock);
  return m;
}

void
ks_controller_manager_free (KsControllerManager *m)
{
  if (m == NULL)
    return;
  ks_garbage_collector_free (m->gc);
  ks_replicaset_controller_free (m->replicaset);
  ks_deployment_controller_free (m->deployment);
  g_free (m);
}
