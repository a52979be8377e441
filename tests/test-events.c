/* test-events.c: the Event-object sink (client-go's recorder and EventCorrelator) and the event
 * TTL, on a store, a store client and the simulated clock.
 *
 * Clock time 0 is 2025-01-01T00:00:00Z (Unix 1735689600 s), so an event at 5.5 s is named
 * "<object>.<hex of 1735689605500000000 ns>" = "<object>.18166880082a5700".  Worked by hand from
 * client-go's constants: identical events count on one Event (no time limit while the key is in
 * the 4096-entry cache); the 10th distinct message about one object and reason within 10 minutes
 * of the previous one starts a combined Event; 25 events per source and object, then one per
 * 300 s; Events go 1 hour after their last write. */
#include "config.h"

#include <string.h>

#include "sim/ks-sim-clock.h"
#include "src/api/ks-event.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pod.h"
#include "src/ks-event-sink-objects.h"
#include "src/store/ks-client.h"
#include "src/store/ks-store.h"
#include "tests/ks-test.h"

#define SEC KS_USEC_PER_SEC
#define MINUTE KS_USEC_PER_MIN
#define EPOCH (G_GINT64_CONSTANT (1735689600) * SEC)

typedef struct
{
  KsSimClock *sim;
  KsClock *clock;
  KsStore *store;
  KsClient *client;
  KsObjectEventSink *sink;
  KsEventRecorder kubelet;
  KsObject *pod; /* borrowed from the store */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->sim = ks_sim_clock_new ();
  f->clock = ks_sim_clock_get_clock (f->sim);
  f->store = ks_store_new (f->clock, 1);
  f->client = ks_store_client_new (f->store);
  ks_test_create (f->store, KS_OBJECT (ks_namespace_new ("default")));
  ks_test_create (f->store, KS_OBJECT (ks_namespace_new ("apps")));
  f->pod = ks_test_create (f->store, ks_test_decode ("apiVersion: v1\nkind: Pod\nmetadata:\n"
                                                     "  name: web-1\n  namespace: apps\n"
                                                     "spec:\n  containers:\n"
                                                     "  - {name: c, image: nginx}\n"));
  f->sink = ks_object_event_sink_new (f->client, f->clock, "node-1", EPOCH);
  ks_event_recorder_init (&f->kubelet, ks_object_event_sink_get_sink (f->sink), f->clock,
                          "kubelet");
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ks_object_event_sink_free (f->sink);
  ks_client_free (f->client);
  ks_store_free (f->store);
  ks_sim_clock_free (f->sim);
}

static void
run_to (Fixture *f, gint64 t)
{
  ks_sim_clock_run_until (f->sim, t);
}

/* The Events of namespace ns, sorted by name (borrowed, in a new array). */
static GPtrArray *
events (Fixture *f, const char *ns)
{
  GPtrArray *out = g_ptr_array_new ();

  ks_store_list (f->store, ks_kind_get (KS_KIND_EVENT), ns, out);
  return out;
}

static guint
count (Fixture *f, const char *ns)
{
  g_autoptr (GPtrArray) list = events (f, ns);

  return list->len;
}

static KsEvent *
only_event (Fixture *f, const char *ns)
{
  g_autoptr (GPtrArray) list = events (f, ns);

  g_assert_cmpuint (list->len, ==, 1);
  return g_ptr_array_index (list, 0);
}

static void
test_naming (Fixture *f, gconstpointer data)
{
  KsEvent *ev;
  char uid[KS_UID_STRING_LEN], ev_uid[KS_UID_STRING_LEN];
  g_autofree char *rv = NULL;
  KsObject *node = ks_test_create (f->store, KS_OBJECT (ks_node_new ("node-1")));
  KsEventRecorder scheduler;

  run_to (f, 5 * SEC + 500 * KS_USEC_PER_MSEC);
  ks_event_record (&f->kubelet, f->pod, TRUE, "BackOff", "node-1", "Back-off pulling image %s",
                   "\"nginx\"");
  ev = only_event (f, "apps");
  g_assert_cmpstr (KS_OBJECT (ev)->meta.name, ==, "web-1.18166880082a5700");
  g_assert_cmpstr (ev->involved_object.kind, ==, "Pod");
  g_assert_cmpstr (ev->involved_object.namespace, ==, "apps");
  g_assert_cmpstr (ev->involved_object.name, ==, "web-1");
  g_assert_cmpstr (ev->involved_object.api_version, ==, "v1");
  rv = g_strdup_printf ("%" G_GUINT64_FORMAT, f->pod->meta.resource_version);
  g_assert_cmpstr (ev->involved_object.resource_version, ==, rv);
  g_assert_cmpstr (ks_uid_to_string (&ev->involved_object.uid, ev_uid), ==,
                   ks_uid_to_string (&f->pod->meta.uid, uid));
  g_assert_cmpstr (ev->reason, ==, "BackOff");
  g_assert_cmpstr (ev->message, ==, "Back-off pulling image \"nginx\"");
  g_assert_cmpstr (ev->type, ==, "Warning");
  g_assert_cmpint (ev->count, ==, 1);
  g_assert_cmpint (ev->first_timestamp, ==, 5 * SEC + 500 * KS_USEC_PER_MSEC);
  g_assert_cmpint (ev->last_timestamp, ==, 5 * SEC + 500 * KS_USEC_PER_MSEC);
  g_assert_cmpstr (ev->source_component, ==, "kubelet");
  g_assert_cmpstr (ev->source_host, ==, "node-1");
  g_assert_cmpstr (ev->reporting_component, ==, "kubelet");
  g_assert_cmpstr (ev->reporting_instance, ==, "node-1");

  /* A cluster-scoped object's events go to "default".  In the same microsecond as the last one:
   * the next nanosecond. */
  ks_event_record (&f->kubelet, node, FALSE, "NodeReady", "node-1",
                   "Node node-1 status is now: NodeReady");
  ev = only_event (f, "default");
  g_assert_cmpstr (KS_OBJECT (ev)->meta.name, ==, "node-1.18166880082a5701");
  g_assert_null (ev->involved_object.namespace);
  g_assert_cmpstr (ev->involved_object.kind, ==, "Node");
  g_assert_cmpstr (ev->type, ==, "Normal");

  /* Another sink, without a host (the control plane's). */
  {
    g_autoptr (KsObjectEventSink) plane = ks_object_event_sink_new (f->client, f->clock, NULL, 0);
    g_autoptr (GPtrArray) list = NULL;
    ks_event_recorder_init (&scheduler, ks_object_event_sink_get_sink (plane), f->clock,
                            "default-scheduler");
    run_to (f, 6 * SEC);
    ks_event_record (&scheduler, f->pod, FALSE, "Scheduled", "node-1",
                     "Successfully assigned apps/web-1 to node-1");
    list = events (f, "apps");
    g_assert_cmpuint (list->len, ==, 2);
    /* epoch 0: 6 s = 6000000000 ns = 0x165a0bc00 */
    ev = g_ptr_array_index (list, 0);
    g_assert_cmpstr (KS_OBJECT (ev)->meta.name, ==, "web-1.165a0bc00");
    g_assert_null (ev->source_host);
    g_assert_null (ev->reporting_instance);
    g_assert_cmpstr (ev->reporting_component, ==, "default-scheduler");
  }
}

/* The same event again: one Event, counted, however long after (here 11 minutes). */
static void
test_repeat (Fixture *f, gconstpointer data)
{
  KsEvent *ev;
  guint64 rv;

  run_to (f, 5 * SEC + 500 * KS_USEC_PER_MSEC);
  ks_event_record (&f->kubelet, f->pod, TRUE, "BackOff", NULL, "Back-off restarting");
  run_to (f, 10 * SEC);
  ks_event_record (&f->kubelet, f->pod, TRUE, "BackOff", NULL, "Back-off restarting");
  ev = only_event (f, "apps");
  g_assert_cmpstr (KS_OBJECT (ev)->meta.name, ==, "web-1.18166880082a5700");
  g_assert_cmpint (ev->count, ==, 2);
  g_assert_cmpint (ev->first_timestamp, ==, 5 * SEC + 500 * KS_USEC_PER_MSEC);
  g_assert_cmpint (ev->last_timestamp, ==, 10 * SEC);
  rv = KS_OBJECT (ev)->meta.resource_version;
  run_to (f, 10 * SEC + 11 * MINUTE);
  ks_event_record (&f->kubelet, f->pod, TRUE, "BackOff", NULL, "Back-off restarting");
  ev = only_event (f, "apps");
  g_assert_cmpint (ev->count, ==, 3);
  g_assert_cmpint (ev->last_timestamp, ==, 10 * SEC + 11 * MINUTE);
  g_assert_cmpuint (KS_OBJECT (ev)->meta.resource_version, >, rv);
  /* Another type, reason or message is another Event. */
  ks_event_record (&f->kubelet, f->pod, FALSE, "BackOff", NULL, "Back-off restarting");
  ks_event_record (&f->kubelet, f->pod, TRUE, "Failed", NULL, "Back-off restarting");
  {
    g_autoptr (GPtrArray) list = events (f, "apps");
    g_assert_cmpuint (list->len, ==, 3);
  }
}

static KsEvent *
find_by_message_prefix (Fixture *f, const char *prefix)
{
  g_autoptr (GPtrArray) list = events (f, "apps");
  KsEvent *found = NULL;

  for (guint i = 0; i < list->len; i++)
    {
      KsEvent *ev = g_ptr_array_index (list, i);
      if (g_str_has_prefix (ev->message, prefix))
        {
          g_assert_null (found);
          found = ev;
        }
    }
  return found;
}

/* Distinct messages, same object and reason: the 10th within 10 minutes starts a combined Event
 * that counts the following ones; after a quiet spell of more than 10 minutes they are single
 * again. */
static void
test_similar (Fixture *f, gconstpointer data)
{
  KsEvent *combined;
  g_autoptr (GPtrArray) list = NULL;

  for (guint i = 1; i <= 11; i++)
    {
      run_to (f, i * MINUTE);
      ks_event_record (&f->kubelet, f->pod, TRUE, "Failed", NULL, "error %u", i);
    }
  list = events (f, "apps");
  g_assert_cmpuint (list->len, ==, 10); /* 9 single + 1 combined */
  combined = find_by_message_prefix (f, "(combined from similar events): ");
  g_assert_nonnull (combined);
  g_assert_cmpstr (combined->message, ==, "(combined from similar events): error 11");
  g_assert_cmpint (combined->count, ==, 2);
  g_assert_cmpint (combined->first_timestamp, ==, 10 * MINUTE);
  g_assert_cmpint (combined->last_timestamp, ==, 11 * MINUTE);
  /* 10 * 60 s after clock 0: (1735689600 + 600) * 10^9 ns, plus one: the 10th event's own name
   * took that nanosecond. */
  g_assert_cmpstr (KS_OBJECT (combined)->meta.name, ==, "web-1.1816690a73207001");
  g_assert_null (combined->reporting_component);
  g_assert_nonnull (find_by_message_prefix (f, "error 9"));
  g_assert_null (find_by_message_prefix (f, "error 10"));

  /* A repeat of one of the first nine is counted on its own Event. */
  run_to (f, 12 * MINUTE);
  ks_event_record (&f->kubelet, f->pod, TRUE, "Failed", NULL, "error 3");
  g_assert_cmpint (find_by_message_prefix (f, "error 3")->count, ==, 2);
  g_assert_cmpint (find_by_message_prefix (f, "(combined")->count, ==, 2);

  /* More than 10 minutes later: a fresh record. */
  run_to (f, 22 * MINUTE + SEC);
  ks_event_record (&f->kubelet, f->pod, TRUE, "Failed", NULL, "error 12");
  g_assert_nonnull (find_by_message_prefix (f, "error 12"));
  g_assert_cmpint (find_by_message_prefix (f, "(combined")->count, ==, 2);
}

/* 25 events per source and object at once, then one per 300 s. */
static void
test_spam (Fixture *f, gconstpointer data)
{
  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *reason = g_strdup_printf ("Reason%02u", i);
      ks_event_record (&f->kubelet, f->pod, FALSE, reason, NULL, "m");
    }
  g_assert_cmpuint (count (f, "apps"), ==, 25);
  /* 299 s give 0.997 of a token: still nothing. */
  run_to (f, 299 * SEC);
  ks_event_record (&f->kubelet, f->pod, FALSE, "Late", NULL, "m");
  g_assert_cmpuint (count (f, "apps"), ==, 25);
  run_to (f, 301 * SEC);
  ks_event_record (&f->kubelet, f->pod, FALSE, "Later", NULL, "m");
  ks_event_record (&f->kubelet, f->pod, FALSE, "Latest", NULL, "m");
  g_assert_cmpuint (count (f, "apps"), ==, 26);
  /* Another source has its own bucket. */
  {
    KsEventRecorder other;
    ks_event_recorder_init (&other, ks_object_event_sink_get_sink (f->sink), f->clock,
                            "default-scheduler");
    ks_event_record (&other, f->pod, FALSE, "Scheduled", NULL, "m");
    g_assert_cmpuint (count (f, "apps"), ==, 27);
  }
}

/* Events go an hour after their last write; one counted again later lives longer, and once gone
 * it is written again under its name with the next count. */
static void
test_ttl (Fixture *f, gconstpointer data)
{
  g_autoptr (KsEventTtl) ttl = ks_event_ttl_new (f->client, f->clock, KS_EVENT_TTL);
  KsEvent *ev;
  g_autofree char *name = NULL;

  ks_event_record (&f->kubelet, f->pod, FALSE, "Pulled", NULL, "a");
  ks_event_record (&f->kubelet, f->pod, FALSE, "Created", NULL, "b");
  run_to (f, 30 * MINUTE);
  ks_event_record (&f->kubelet, f->pod, FALSE, "Created", NULL, "b");
  run_to (f, 60 * MINUTE - 1);
  g_assert_cmpuint (count (f, "apps"), ==, 2);
  run_to (f, 60 * MINUTE);
  ev = only_event (f, "apps");
  g_assert_cmpstr (ev->reason, ==, "Created");
  g_assert_cmpint (ev->count, ==, 2);
  name = g_strdup (KS_OBJECT (ev)->meta.name);
  run_to (f, 90 * MINUTE);
  g_assert_cmpuint (count (f, "apps"), ==, 0);
  ks_event_record (&f->kubelet, f->pod, FALSE, "Created", NULL, "b");
  ev = only_event (f, "apps");
  g_assert_cmpstr (KS_OBJECT (ev)->meta.name, ==, name);
  g_assert_cmpint (ev->count, ==, 3);
  g_assert_cmpint (ev->first_timestamp, ==, 0);
  g_assert_cmpint (ev->last_timestamp, ==, 90 * MINUTE);
}

/* A TTL started over stored Events counts from their lastTimestamp. */
static void
test_ttl_restart (Fixture *f, gconstpointer data)
{
  g_autoptr (KsEventTtl) ttl = NULL;

  run_to (f, 10 * MINUTE);
  ks_event_record (&f->kubelet, f->pod, FALSE, "Pulled", NULL, "a");
  run_to (f, 50 * MINUTE);
  ttl = ks_event_ttl_new (f->client, f->clock, KS_EVENT_TTL);
  run_to (f, 70 * MINUTE - 1);
  only_event (f, "apps");
  run_to (f, 70 * MINUTE);
  g_assert_cmpuint (count (f, "apps"), ==, 0);
  /* Nothing left to do: no task pending but the TTL's own none. */
  g_assert_cmpuint (ks_sim_clock_get_n_pending (f->sim), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/events/naming", test_naming);
  ADD ("/events/repeat", test_repeat);
  ADD ("/events/similar", test_similar);
  ADD ("/events/spam", test_spam);
  ADD ("/events/ttl", test_ttl);
  ADD ("/events/ttl-restart", test_ttl_restart);
#undef ADD
  return g_test_run ();
}
