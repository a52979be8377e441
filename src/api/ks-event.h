/* ks-event.h: v1 Event and coordination.k8s.io/v1 Lease.
 *
 * Events are the API objects `kubectl get events` lists (the recorder of src/ks-events.h writes
 * events.jsonl in sim; real mode also stores them).  Leases are the node heartbeats of the
 * namespace kube-node-lease.  Their MicroTimes (acquireTime, renewTime) keep microseconds on the
 * wire; an Event's firstTimestamp and lastTimestamp are whole seconds (metav1.Time). */
#pragma once

#include "ks-object.h"

G_BEGIN_DECLS

typedef struct
{
  KsObject parent;
  KsObjectReference involved_object;
  char *reason;              /* NULL when unset */
  char *message;             /* NULL when unset */
  char *type;                /* "Normal" or "Warning"; NULL when unset */
  gint32 count;              /* 0 when unset */
  gint64 first_timestamp;    /* KS_TIME_NONE when unset */
  gint64 last_timestamp;     /* KS_TIME_NONE when unset */
  char *source_component;    /* source.component, NULL when unset */
  char *source_host;         /* source.host, NULL when unset */
  char *reporting_component; /* reportingComponent ("" on the wire when unset) */
  char *reporting_instance;  /* reportingInstance ("" on the wire when unset) */
} KsEvent;

#define KS_EVENT(o) ((KsEvent *) (o))

/* A new Event named name in namespace ns, about nothing yet, no times. */
KsEvent *ks_event_new (const char *ns, const char *name);

typedef struct
{
  KsObject parent;
  char *holder_identity;         /* NULL when unset */
  gint32 lease_duration_seconds; /* 0 when unset */
  gint64 acquire_time;           /* KS_TIME_NONE when unset; µs kept */
  gint64 renew_time;             /* KS_TIME_NONE when unset; µs kept */
  gint32 lease_transitions;      /* -1 when unset */
} KsLease;

#define KS_LEASE(o) ((KsLease *) (o))

/* The namespace of node heartbeat Leases, and a node Lease's duration (kubelet default). */
#define KS_NODE_LEASE_NAMESPACE "kube-node-lease"
#define KS_NODE_LEASE_DURATION_SECONDS 40

/* A new Lease named name in namespace ns with nothing set. */
KsLease *ks_lease_new (const char *ns, const char *name);

KS_DEFINE_OBJECT_AUTOPTR (KsEvent, ks_event)
KS_DEFINE_OBJECT_AUTOPTR (KsLease, ks_lease)

G_END_DECLS
