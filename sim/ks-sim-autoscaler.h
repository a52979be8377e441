/* ks-sim-autoscaler.h: the cluster autoscaler of a simulated cluster (docs/formats.md "Node
 * groups and the cluster autoscaler"): src/controllers/ks-cluster-autoscaler.h on the scenario's
 * node groups, options and scheduler profiles, with a provider whose new nodes register after
 * their group's provisioning delay. */
#pragma once

#include "ks-scenario.h"
#include "ks-sim-private.h"
#include "src/controllers/ks-cluster-autoscaler.h"
#include "src/ks-events.h"

G_BEGIN_DECLS

/* The autoscaler of sim (which must outlive it) for scenario's node groups and options; events
 * go to events (component "cluster-autoscaler").  NULL with error when a scheduler profile
 * cannot be instantiated. */
KsSimAutoscaler *ks_sim_autoscaler_new (KsSim *sim, const KsScenario *scenario, guint64 seed,
                                        KsEventSink *events, GError **error);
void ks_sim_autoscaler_free (KsSimAutoscaler *ca);
/* Schedule the first run at scanInterval. */
void ks_sim_autoscaler_start (KsSimAutoscaler *ca);

G_END_DECLS
