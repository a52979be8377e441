/* ks-event.c: v1 Event and coordination.k8s.io/v1 Lease codecs (validation as
 * pkg/apis/core/validation/events.go and pkg/apis/coordination/validation). */
#include "config.h"

#include "ks-event.h"
#include "ks-kinds-private.h"
#include "src/ks-clock.h"

/* Event */

KsEvent *
ks_event_new (const char *ns, const char *name)
{
  KsEvent *ev = (KsEvent *) ks_object_new (&ks_event_kind);

  ev->parent.meta.name = g_strdup (name);
  ev->parent.meta.namespace = ns != NULL ? ks_intern (ns) : NULL;
  ev->first_timestamp = KS_TIME_NONE;
  ev->last_timestamp = KS_TIME_NONE;
  return ev;
}

static void
event_decode (KsDecoder *dec, JsonNode *node, KsObject *obj)
{
  KsEvent *ev = KS_EVENT (obj);
  JsonNode *m;

  ev->first_timestamp = KS_TIME_NONE;
  ev->last_timestamp = KS_TIME_NONE;
  if ((m = ks_decoder_member (node, "involvedObject")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "involvedObject");
      ks_object_reference_decode (dec, m, &ev->involved_object);
      ks_decoder_pop (dec, mark);
    }
  ks_decoder_get_string (dec, node, "reason", &ev->reason);
  ks_decoder_get_string (dec, node, "message", &ev->message);
  ks_decoder_get_string (dec, node, "type", &ev->type);
  ks_decoder_get_int32 (dec, node, "count", 0, G_MAXINT32, &ev->count);
  ks_decoder_get_time (dec, node, "firstTimestamp", &ev->first_timestamp);
  ks_decoder_get_time (dec, node, "lastTimestamp", &ev->last_timestamp);
  if ((m = ks_decoder_member (node, "source")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "source");
      if (ks_decoder_expect_object (dec, m))
        {
          ks_decoder_get_string (dec, m, "component", &ev->source_component);
          ks_decoder_get_string (dec, m, "host", &ev->source_host);
        }
      ks_decoder_pop (dec, mark);
    }
  ks_decoder_get_string (dec, node, "reportingComponent", &ev->reporting_component);
  ks_decoder_get_string (dec, node, "reportingInstance", &ev->reporting_instance);
  /* legacyValidateEvent: the involved object is in the Event's namespace, or is cluster-scoped
   * and the Event is in "default". */
  if (obj->meta.namespace != NULL
      && (ev->involved_object.namespace == NULL || ev->involved_object.namespace[0] == '\0'
              ? g_strcmp0 (obj->meta.namespace, "default") != 0
              : g_strcmp0 (obj->meta.namespace, ev->involved_object.namespace) != 0))
    {
      gsize mark = ks_decoder_push (dec, "involvedObject");
      ks_decoder_error_field (dec, ks_decoder_member (node, "involvedObject"), "namespace",
                              "Invalid value: \"%s\": does not match event.namespace",
                              ev->involved_object.namespace != NULL ? ev->involved_object.namespace
                                                                    : "");
      ks_decoder_pop (dec, mark);
    }
}

static void
add_time_or_null (JsonBuilder *b, const char *member, gint64 t, gint64 epoch)
{
  if (t != KS_TIME_NONE)
    ks_builder_add_time (b, member, t, epoch);
  else
    {
      json_builder_set_member_name (b, member);
      json_builder_add_null_value (b);
    }
}

static void
event_encode (const KsObject *obj, JsonBuilder *b, gint64 epoch)
{
  const KsEvent *ev = KS_EVENT (obj);

  /* v1.Event's field order; Go writes zero times as null and the reporting strings always. */
  json_builder_set_member_name (b, "involvedObject");
  ks_object_reference_encode (&ev->involved_object, b);
  if (ev->reason != NULL)
    ks_builder_add_string (b, "reason", ev->reason);
  if (ev->message != NULL)
    ks_builder_add_string (b, "message", ev->message);
  json_builder_set_member_name (b, "source");
  json_builder_begin_object (b);
  if (ev->source_component != NULL)
    ks_builder_add_string (b, "component", ev->source_component);
  if (ev->source_host != NULL)
    ks_builder_add_string (b, "host", ev->source_host);
  json_builder_end_object (b);
  add_time_or_null (b, "firstTimestamp", ev->first_timestamp, epoch);
  add_time_or_null (b, "lastTimestamp", ev->last_timestamp, epoch);
  if (ev->count != 0)
    ks_builder_add_int (b, "count", ev->count);
  if (ev->type != NULL)
    ks_builder_add_string (b, "type", ev->type);
  json_builder_set_member_name (b, "eventTime");
  json_builder_add_null_value (b);
  ks_builder_add_string (b, "reportingComponent",
                         ev->reporting_component != NULL ? ev->reporting_component : "");
  ks_builder_add_string (b, "reportingInstance",
                         ev->reporting_instance != NULL ? ev->reporting_instance : "");
}

static void
event_copy (KsObject *dst_obj, const KsObject *src_obj)
{
  KsEvent *dst = KS_EVENT (dst_obj);
  const KsEvent *src = KS_EVENT (src_obj);

  ks_object_reference_copy (&dst->involved_object, &src->involved_object);
  dst->reason = g_strdup (src->reason);
  dst->message = g_strdup (src->message);
  dst->type = g_strdup (src->type);
  dst->source_component = g_strdup (src->source_component);
  dst->source_host = g_strdup (src->source_host);
  dst->reporting_component = g_strdup (src->reporting_component);
  dst->reporting_instance = g_strdup (src->reporting_instance);
}

static void
event_finalize (KsObject *obj)
{
  KsEvent *ev = KS_EVENT (obj);

  ks_object_reference_clear (&ev->involved_object);
  g_free (ev->reason);
  g_free (ev->message);
  g_free (ev->type);
  g_free (ev->source_component);
  g_free (ev->source_host);
  g_free (ev->reporting_component);
  g_free (ev->reporting_instance);
}

const KsKind ks_event_kind = {
  .id = KS_KIND_EVENT,
  .name = "Event",
  .api_version = "v1",
  .group = "",
  .plural = "events",
  .short_name = "ev",
  .namespaced = TRUE,
  .has_generation = FALSE,
  .size = sizeof (KsEvent),
  .decode = event_decode,
  .encode = event_encode,
  .copy = event_copy,
  .finalize = event_finalize,
};

/* Lease */

KsLease *
ks_lease_new (const char *ns, const char *name)
{
  KsLease *lease = (KsLease *) ks_object_new (&ks_lease_kind);

  lease->parent.meta.name = g_strdup (name);
  lease->parent.meta.namespace = ns != NULL ? ks_intern (ns) : NULL;
  lease->acquire_time = KS_TIME_NONE;
  lease->renew_time = KS_TIME_NONE;
  lease->lease_transitions = -1;
  return lease;
}

static void
lease_decode (KsDecoder *dec, JsonNode *node, KsObject *obj)
{
  KsLease *lease = KS_LEASE (obj);
  JsonNode *spec = ks_decoder_member (node, "spec");
  gint64 v;
  gsize mark;

  lease->acquire_time = KS_TIME_NONE;
  lease->renew_time = KS_TIME_NONE;
  lease->lease_transitions = -1;
  if (spec == NULL)
    return;
  mark = ks_decoder_push (dec, "spec");
  if (ks_decoder_expect_object (dec, spec))
    {
      ks_decoder_get_string (dec, spec, "holderIdentity", &lease->holder_identity);
      v = 0;
      if (ks_decoder_get_int64 (dec, spec, "leaseDurationSeconds", &v)
          && ks_decoder_member (spec, "leaseDurationSeconds") != NULL)
        {
          if (v <= 0 || v > G_MAXINT32)
            ks_decoder_error_field (dec, spec, "leaseDurationSeconds",
                                    "Invalid value: %" G_GINT64_FORMAT ": must be greater than 0",
                                    v);
          else
            lease->lease_duration_seconds = (gint32) v;
        }
      ks_decoder_get_time (dec, spec, "acquireTime", &lease->acquire_time);
      ks_decoder_get_time (dec, spec, "renewTime", &lease->renew_time);
      v = 0;
      if (ks_decoder_get_int64 (dec, spec, "leaseTransitions", &v)
          && ks_decoder_member (spec, "leaseTransitions") != NULL)
        {
          if (v < 0 || v > G_MAXINT32)
            ks_decoder_error_field (
                dec, spec, "leaseTransitions",
                "Invalid value: %" G_GINT64_FORMAT ": must be greater than or equal to 0", v);
          else
            lease->lease_transitions = (gint32) v;
        }
    }
  ks_decoder_pop (dec, mark);
}

static void
lease_encode (const KsObject *obj, JsonBuilder *b, gint64 epoch)
{
  const KsLease *lease = KS_LEASE (obj);

  json_builder_set_member_name (b, "spec");
  json_builder_begin_object (b);
  if (lease->holder_identity != NULL)
    ks_builder_add_string (b, "holderIdentity", lease->holder_identity);
  if (lease->lease_duration_seconds > 0)
    ks_builder_add_int (b, "leaseDurationSeconds", lease->lease_duration_seconds);
  if (lease->acquire_time != KS_TIME_NONE)
    ks_builder_add_micro_time (b, "acquireTime", lease->acquire_time, epoch);
  if (lease->renew_time != KS_TIME_NONE)
    ks_builder_add_micro_time (b, "renewTime", lease->renew_time, epoch);
  if (lease->lease_transitions >= 0)
    ks_builder_add_int (b, "leaseTransitions", lease->lease_transitions);
  json_builder_end_object (b);
}

static void
lease_copy (KsObject *dst, const KsObject *src)
{
  KS_LEASE (dst)->holder_identity = g_strdup (KS_LEASE (src)->holder_identity);
}

static void
lease_finalize (KsObject *obj)
{
  g_free (KS_LEASE (obj)->holder_identity);
}

const KsKind ks_lease_kind = {
  .id = KS_KIND_LEASE,
  .name = "Lease",
  .api_version = "coordination.k8s.io/v1",
  .group = "coordination.k8s.io",
  .plural = "leases",
  .short_name = NULL,
  .namespaced = TRUE,
  .has_generation = FALSE,
  .size = sizeof (KsLease),
  .decode = lease_decode,
  .encode = lease_encode,
  .copy = lease_copy,
  .finalize = lease_finalize,
};
