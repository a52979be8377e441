/* ks-bootstrap.h: the objects every cluster starts with, as the API server creates them at
 * start: the namespaces default, kube-system, kube-public and kube-node-lease, and the
 * PriorityClasses system-cluster-critical (2000000000) and system-node-critical (2000001000). */
#pragma once

#include "ks-client.h"

G_BEGIN_DECLS

/* Create those of them that do not exist yet (a store loaded from disk has them), in that
 * order. */
gboolean ks_bootstrap_objects (KsClient *client, GError **error);

G_END_DECLS
