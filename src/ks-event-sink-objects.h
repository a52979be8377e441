/* ks-event-sink-objects.h: event records as v1 Event objects, as client-go's event recorder and
 * its EventCorrelator write them, and the API server's event TTL.
 *
 * Real mode's control plane and node agents install a KsObjectEventSink as their components'
 * KsEventSink (sim keeps its run recorder, which writes events.jsonl).  Each record becomes an
 * Event named "<involved object's name>.<Unix time in ns, hex>" in the involved object's
 * namespace ("default" for cluster-scoped objects), with involvedObject, source, reporting
 * component and instance, first and last timestamps and a count.  The correlator of the sink
 * (one per process, as one EventBroadcaster per component in Kubernetes) does what client-go's
 * does, with its constants:
 *
 *  - An event identical to an earlier one (same source, involved object, type, reason and
 *    message) increments the count and lastTimestamp (and message) of the Event already written,
 *    for as long as its key stays in a cache of the 4096 keys used last; if that Event is gone
 *    (the TTL deleted it), it is written again under the same name with the next count.
 *  - Events that differ only in their message: from the 10th distinct message about one object,
 *    source, type and reason within 10 minutes of the previous one, they are counted on one
 *    Event whose message is "(combined from similar events): <message>".
 *  - Spam filter: each source and involved object has a token bucket of 25 events, refilled at
 *    one per 5 minutes (float32 1/300 per second); events beyond it are dropped (though counted,
 *    as client-go counts them, in the next one that passes).
 *
 * Writes are synchronous through the KsClient; an error (the namespace is gone, the server cannot
 * be reached) drops the event with a debug message, without client-go's retries.
 *
 * KsEventTtl is the API server's --event-ttl (1 hour): an Event is deleted when it has not been
 * written for that long (etcd's lease, renewed by each write).  Run it once, in the process that
 * holds the store. */
#pragma once

#include "src/ks-events.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

/* client-go's EventCorrelator defaults and the API server's --event-ttl. */
#define KS_EVENT_CACHE_SIZE 4096
#define KS_EVENT_AGGREGATE_MAX_EVENTS 10
#define KS_EVENT_AGGREGATE_INTERVAL (600 * KS_USEC_PER_SEC)
#define KS_EVENT_SPAM_BURST 25
#define KS_EVENT_SPAM_QPS (1.f / 300.f)
#define KS_EVENT_TTL KS_USEC_PER_HOUR

typedef struct _KsObjectEventSink KsObjectEventSink;

/* A sink writing Events through client (borrowed; must outlive the sink).  host is source.host
 * and reportingInstance (a node agent's node name; NULL in the control plane, whose components
 * set none).  epoch is the Unix time in µs of clock time 0 (0 in real mode), for Event names. */
KsObjectEventSink *ks_object_event_sink_new (KsClient *client, KsClock *clock, const char *host,
                                             gint64 epoch);
/* The KsEventSink to hand to components (borrowed; valid as long as sink). */
KsEventSink *ks_object_event_sink_get_sink (KsObjectEventSink *sink);
void ks_object_event_sink_free (KsObjectEventSink *sink);

typedef struct _KsEventTtl KsEventTtl;

/* Delete Events ttl µs after their last write (KS_EVENT_TTL).  Events already stored when it
 * starts count from their lastTimestamp (else firstTimestamp, else creationTimestamp): the time
 * of their last write is not kept across a restart. */
KsEventTtl *ks_event_ttl_new (KsClient *client, KsClock *clock, gint64 ttl);
void ks_event_ttl_free (KsEventTtl *ttl);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsObjectEventSink, ks_object_event_sink_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsEventTtl, ks_event_ttl_free)

G_END_DECLS
