/* ks-kinds-private.h: the kind descriptors defined by each kind's file, for the registry. */
#pragma once

#include "ks-object.h"

G_BEGIN_DECLS

extern const KsKind ks_namespace_kind;
extern const KsKind ks_node_kind;
extern const KsKind ks_priority_class_kind;
extern const KsKind ks_pod_kind;
extern const KsKind ks_replica_set_kind;
extern const KsKind ks_deployment_kind;
extern const KsKind ks_service_kind;
extern const KsKind ks_endpoints_kind;
extern const KsKind ks_event_kind;
extern const KsKind ks_lease_kind;
extern const KsKind ks_pod_disruption_budget_kind;
extern const KsKind ks_stateful_set_kind;
extern const KsKind ks_job_kind;
extern const KsKind ks_endpoint_slice_kind;
extern const KsKind ks_storage_class_kind;
extern const KsKind ks_persistent_volume_kind;
extern const KsKind ks_persistent_volume_claim_kind;
extern const KsKind ks_horizontal_pod_autoscaler_kind;

/* Shared by kinds with conditions. */
const char *ks_intern_reason (const char *reason);

G_END_DECLS
