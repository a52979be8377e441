/* test-event-queue.c: tests for the event heap (src/ks-event-queue.c) and the virtual clock
 * built on it (sim/ks-sim-clock.c).
 *
 * Set KS_BENCH=1 to also run the benchmarks (they print ns/op with g_test_message; run with
 * --verbose to see them). */
#include "config.h"

#include <stdlib.h>

#include "sim/ks-sim-clock.h"
#include "src/ks-event-queue.h"

/* ---- helpers ---------------------------------------------------------------------------- */

/* Counts destroy-notify calls per tag; event data is GUINT_TO_POINTER (tag + 1). */
typedef struct
{
  guint *destroyed;
  guint n;
} DestroyLog;

static DestroyLog destroy_log;

static void
destroy_log_reset (guint n)
{
  g_free (destroy_log.destroyed);
  destroy_log.destroyed = g_new0 (guint, n);
  destroy_log.n = n;
}

static void
destroy_log_clear (void)
{
  g_clear_pointer (&destroy_log.destroyed, g_free);
  destroy_log.n = 0;
}

static void
count_destroy (gpointer data)
{
  guint tag = GPOINTER_TO_UINT (data) - 1;

  g_assert_cmpuint (tag, <, destroy_log.n);
  destroy_log.destroyed[tag]++;
}

static void
never_called (gpointer data)
{
  (void) data;
  g_assert_not_reached ();
}

static gpointer
tag_data (guint tag)
{
  return GUINT_TO_POINTER (tag + 1);
}

static guint
data_tag (gpointer data)
{
  return GPOINTER_TO_UINT (data) - 1;
}

/* ---- event queue ------------------------------------------------------------------------ */

static void
test_queue_empty (void)
{
  g_autoptr (KsEventQueue) queue = ks_event_queue_new ();
  KsEvent event = { 0 };
  gint64 time = 42;

  g_assert_cmpuint (ks_event_queue_get_length (queue), ==, 0);
  g_assert_false (ks_event_queue_peek_time (queue, &time));
  g_assert_cmpint (time, ==, 42);
  g_assert_false (ks_event_queue_pop (queue, &event));
  g_assert_false (ks_event_queue_cancel (queue, 0));
  g_assert_false (ks_event_queue_cancel (queue, 1));
  g_assert_false (ks_event_queue_cancel (queue, G_MAXUINT64));

  /* NULL-safe free. */
  ks_event_queue_free (NULL);
}

static void
test_queue_order (void)
{
  g_autoptr (KsEventQueue) queue = ks_event_queue_new ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (1);
  const guint n = 5000;
  gint64 previous = G_MININT64;
  KsEvent event;

  for (guint i = 0; i < n; i++)
    {
      /* Negative, huge and repeated times included. */
      gint64 time = (gint64) g_rand_int_range (rand, -1000, 1000) * 1000003;

      if (i % 97 == 0)
        time = i % 2 ? G_MAXINT64 : G_MININT64;
      ks_event_queue_push (queue, time, never_called, tag_data (i), NULL);
    }
  g_assert_cmpuint (ks_event_queue_get_length (queue), ==, n);

  for (guint i = 0; i < n; i++)
    {
      gint64 peeked;

      g_assert_true (ks_event_queue_peek_time (queue, &peeked));
      g_assert_true (ks_event_queue_pop (queue, &event));
      g_assert_cmpint (event.time, ==, peeked);
      g_assert_cmpint (event.time, >=, previous);
      g_assert_true (event.fn == never_called);
      g_assert_null (event.destroy);
      previous = event.time;
      g_assert_cmpuint (ks_event_queue_get_length (queue), ==, n - i - 1);
    }
  g_assert_false (ks_event_queue_pop (queue, &event));
}

static void
test_queue_fifo (void)
{
  g_autoptr (KsEventQueue) queue = ks_event_queue_new ();
  KsEvent event;
  const guint n = 1000;

  /* Three interleaved times; within each time, insertion order must be kept. */
  for (guint i = 0; i < n; i++)
    ks_event_queue_push (queue, (gint64) (2 - i % 3) * 10, never_called, tag_data (i), NULL);

  for (gint64 time = 0; time <= 20; time += 10)
    {
      gint last_tag = -1;

      for (guint i = 0; i < n; i++)
        if ((gint64) (2 - i % 3) * 10 == time)
          {
            g_assert_true (ks_event_queue_pop (queue, &event));
            g_assert_cmpint (event.time, ==, time);
            g_assert_cmpint ((gint) data_tag (event.data), >, last_tag);
            g_assert_cmpuint (data_tag (event.data), ==, i);
            last_tag = (gint) data_tag (event.data);
          }
    }
  g_assert_cmpuint (ks_event_queue_get_length (queue), ==, 0);
}

static void
test_queue_ids (void)
{
  g_autoptr (KsEventQueue) queue = ks_event_queue_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  guint64 ids[300];
  KsEvent event;

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      ids[i] = ks_event_queue_push (queue, i, never_called, tag_data (i), NULL);
      g_assert_cmpuint (ids[i], !=, 0);
      g_assert_false (g_hash_table_contains (seen, &ids[i]));
      g_hash_table_add (seen, &ids[i]);
    }

  /* pop hands back the id push returned. */
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_assert_true (ks_event_queue_pop (queue, &event));
      g_assert_cmpuint (event.id, ==, ids[i]);
    }

  /* Slots are reused, ids are not: a popped id stays stale after its slot is taken again. */
  for (guint round = 0; round < 5; round++)
    {
      guint64 id = ks_event_queue_push (queue, 0, never_called, tag_data (0), NULL);

      g_assert_cmpuint (id, !=, 0);
      for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
        {
          g_assert_cmpuint (id, !=, ids[i]);
          g_assert_false (ks_event_queue_cancel (queue, ids[i]));
        }
      g_assert_true (ks_event_queue_pop (queue, &event));
      g_assert_cmpuint (event.id, ==, id);
      g_assert_false (ks_event_queue_cancel (queue, id));
    }
}

static void
test_queue_cancel (void)
{
  g_autoptr (KsEventQueue) queue = ks_event_queue_new ();
  const guint n = 10;
  guint64 ids[10];
  KsEvent event;
  gint64 time;

  destroy_log_reset (n);
  for (guint i = 0; i < n; i++)
    ids[i]
        = ks_event_queue_push (queue, (gint64) i * 10, never_called, tag_data (i), count_destroy);

  /* The head: peek moves on to the next one. */
  g_assert_true (ks_event_queue_cancel (queue, ids[0]));
  g_assert_cmpuint (destroy_log.destroyed[0], ==, 1);
  g_assert_true (ks_event_queue_peek_time (queue, &time));
  g_assert_cmpint (time, ==, 10);

  /* A middle one and the last one. */
  g_assert_true (ks_event_queue_cancel (queue, ids[5]));
  g_assert_cmpuint (destroy_log.destroyed[5], ==, 1);
  g_assert_true (ks_event_queue_cancel (queue, ids[n - 1]));
  g_assert_cmpuint (destroy_log.destroyed[n - 1], ==, 1);
  g_assert_cmpuint (ks_event_queue_get_length (queue), ==, n - 3);

  /* Cancelled twice, 0, unknown slot, wrong generation: all refused, nothing destroyed. */
  g_assert_false (ks_event_queue_cancel (queue, ids[0]));
  g_assert_false (ks_event_queue_cancel (queue, ids[5]));
  g_assert_false (ks_event_queue_cancel (queue, 0));
  g_assert_false (ks_event_queue_cancel (queue, 1000));
  g_assert_false (ks_event_queue_cancel (queue, (guint64) G_MAXUINT32));
  g_assert_false (ks_event_queue_cancel (queue, ids[3] + ((guint64) 1 << 32)));
  g_assert_false (ks_event_queue_cancel (queue, ids[3] & G_GUINT64_CONSTANT (0xffffffff00000000)));
  g_assert_cmpuint (destroy_log.destroyed[0], ==, 1);
  g_assert_cmpuint (destroy_log.destroyed[5], ==, 1);
  g_assert_cmpuint (destroy_log.destroyed[3], ==, 0);

  /* A popped id is stale. */
  g_assert_true (ks_event_queue_pop (queue, &event));
  g_assert_cmpuint (data_tag (event.data), ==, 1);
  g_assert_false (ks_event_queue_cancel (queue, ids[1]));
  g_assert_cmpuint (destroy_log.destroyed[1], ==, 0);

  /* A never-issued id naming a free slot with the generation its next event will get. */
  g_assert_false (ks_event_queue_cancel (queue, ids[1] + ((guint64) 1 << 32)));
  g_assert_false (ks_event_queue_cancel (queue, ids[0] + ((guint64) 1 << 32)));
  g_assert_cmpuint (ks_event_queue_get_length (queue), ==, n - 4);

  /* The rest still come out in order. */
  {
    const guint expected[] = { 2, 3, 4, 6, 7, 8 };

    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        g_assert_true (ks_event_queue_pop (queue, &event));
        g_assert_cmpuint (data_tag (event.data), ==, expected[i]);
        g_assert_cmpint (event.time, ==, (gint64) expected[i] * 10);
      }
  }
  g_assert_false (ks_event_queue_pop (queue, &event));
  /* pop never destroys. */
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (destroy_log.destroyed[i], ==, (i == 0 || i == 5 || i == n - 1) ? 1 : 0);
  destroy_log_clear ();
}

static void
test_queue_destroy (void)
{
  KsEventQueue *queue = ks_event_queue_new ();
  const guint n = 100;
  guint64 ids[100];
  KsEvent event;

  destroy_log_reset (n);
  for (guint i = 0; i < n; i++)
    ids[i] = ks_event_queue_push (queue, (gint64) (i * 7919) % 101, never_called, tag_data (i),
                                  count_destroy);
  /* Pop a third (not destroyed: the caller owns them), cancel a third, free with the rest. */
  for (guint i = 0; i < n / 3; i++)
    {
      g_assert_true (ks_event_queue_pop (queue, &event));
      g_assert_true (event.destroy == count_destroy);
      ids[data_tag (event.data)] = 0;
    }
  for (guint i = 0; i < n; i += 3)
    if (ids[i] != 0)
      {
        g_assert_true (ks_event_queue_cancel (queue, ids[i]));
        g_assert_cmpuint (destroy_log.destroyed[i], ==, 1);
        ids[i] = 1; /* cancelled */
      }
  ks_event_queue_free (queue);

  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (destroy_log.destroyed[i], ==, ids[i] == 0 ? 0 : 1);
  destroy_log_clear ();
}

/* A destroy notify that pushes onto the queue it is called from (cancel calls it last). */
static KsEventQueue *reentrant_queue;

static void
destroy_push (gpointer data)
{
  /* The cancelled event is already out of the queue. */
  g_assert_cmpuint (ks_event_queue_get_length (reentrant_queue), ==, 63);
  ks_event_queue_push (reentrant_queue, 5, never_called, data, NULL);
}

static void
test_queue_cancel_reentrant (void)
{
  g_autoptr (KsEventQueue) queue = ks_event_queue_new ();
  guint64 id;
  KsEvent event;

  reentrant_queue = queue;
  for (guint i = 0; i < 63; i++)
    ks_event_queue_push (queue, 10 + i, never_called, tag_data (i), NULL);
  /* The notify runs after the slot is released, so its push reuses that slot. */
  id = ks_event_queue_push (queue, 1, never_called, tag_data (63), destroy_push);
  g_assert_true (ks_event_queue_cancel (queue, id));
  g_assert_cmpuint (ks_event_queue_get_length (queue), ==, 64);
  g_assert_true (ks_event_queue_pop (queue, &event));
  g_assert_cmpint (event.time, ==, 5);
  g_assert_cmpuint (data_tag (event.data), ==, 63);
  reentrant_queue = NULL;
}

/* Reference model: pending events in a GArray kept sorted by (time, seq). */
typedef struct
{
  gint64 time;
  guint64 seq;
  guint64 id;
  guint tag;
} ModelEvent;

static guint
model_insert_position (GArray *model, gint64 time, guint64 seq)
{
  guint lo = 0, hi = model->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const ModelEvent *m = &g_array_index (model, ModelEvent, mid);

      if (m->time < time || (m->time == time && m->seq < seq))
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
test_queue_random (void)
{
  g_autoptr (KsEventQueue) queue = ks_event_queue_new ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (20240611);
  g_autoptr (GArray) model = g_array_new (FALSE, FALSE, sizeof (ModelEvent));
  g_autoptr (GArray) stale = g_array_new (FALSE, FALSE, sizeof (guint64));
  const guint n_ops = 200000;
  guint64 seq = 0;
  guint tag = 0;
  guint n_pop = 0, n_cancel = 0, n_stale = 0;

  destroy_log_reset (n_ops);
  for (guint op = 0; op < n_ops; op++)
    {
      guint32 r = g_rand_int_range (rand, 0, 100);
      /* Phases: grow, churn, drain, so the heap is exercised at sizes from 0 to a few thousand. */
      guint phase = (op / 20000) % 3;
      guint push_pct = phase == 0 ? 60 : phase == 1 ? 40 : 25;

      if (r < push_pct)
        {
          /* Narrow time range: lots of ties. */
          gint64 time = g_rand_int_range (rand, 0, 64);
          ModelEvent m = { time, seq++, 0, tag++ };

          if (g_rand_int_range (rand, 0, 8) == 0)
            time = m.time = (gint64) g_rand_int (rand) * 1000 - G_GINT64_CONSTANT (2000000000000);
          m.id = ks_event_queue_push (queue, time, never_called, tag_data (m.tag), count_destroy);
          g_assert_cmpuint (m.id, !=, 0);
          g_array_insert_val (model, model_insert_position (model, m.time, m.seq), m);
        }
      else if (r < push_pct + 20)
        {
          ModelEvent m;
          guint i;

          if (model->len == 0)
            continue;
          i = g_rand_int_range (rand, 0, model->len);
          m = g_array_index (model, ModelEvent, i);
          g_array_remove_index (model, i);
          g_assert_cmpuint (destroy_log.destroyed[m.tag], ==, 0);
          g_assert_true (ks_event_queue_cancel (queue, m.id));
          g_assert_cmpuint (destroy_log.destroyed[m.tag], ==, 1);
          g_array_append_val (stale, m.id);
          n_cancel++;
        }
      else if (r < push_pct + 25)
        {
          guint64 id;

          if (stale->len == 0)
            continue;
          id = g_array_index (stale, guint64, g_rand_int_range (rand, 0, stale->len));
          g_assert_false (ks_event_queue_cancel (queue, id));
          n_stale++;
        }
      else
        {
          KsEvent event;
          ModelEvent m;

          if (model->len == 0)
            {
              g_assert_false (ks_event_queue_pop (queue, &event));
              continue;
            }
          m = g_array_index (model, ModelEvent, 0);
          g_array_remove_index (model, 0);
          g_assert_true (ks_event_queue_pop (queue, &event));
          g_assert_cmpint (event.time, ==, m.time);
          g_assert_cmpuint (event.id, ==, m.id);
          g_assert_cmpuint (data_tag (event.data), ==, m.tag);
          g_assert_true (event.destroy == count_destroy);
          g_assert_cmpuint (destroy_log.destroyed[m.tag], ==, 0);
          g_array_append_val (stale, m.id);
          n_pop++;
        }

      g_assert_cmpuint (ks_event_queue_get_length (queue), ==, model->len);
      if (model->len > 0)
        {
          gint64 time;

          g_assert_true (ks_event_queue_peek_time (queue, &time));
          g_assert_cmpint (time, ==, g_array_index (model, ModelEvent, 0).time);
        }
    }
  g_test_message ("random: %u pushes, %u pops, %u cancels, %u stale cancels, %u left", tag, n_pop,
                  n_cancel, n_stale, model->len);
  g_assert_cmpuint (n_pop, >, 1000);
  g_assert_cmpuint (n_cancel, >, 1000);
  g_assert_cmpuint (n_stale, >, 1000);

  /* free destroys exactly the ones still pending. */
  g_clear_pointer (&queue, ks_event_queue_free);
  {
    guint n_destroyed = 0;

    for (guint i = 0; i < tag; i++)
      n_destroyed += destroy_log.destroyed[i];
    g_assert_cmpuint (n_destroyed, ==, n_cancel + model->len);
    for (guint i = 0; i < model->len; i++)
      g_assert_cmpuint (destroy_log.destroyed[g_array_index (model, ModelEvent, i).tag], ==, 1);
  }
  destroy_log_clear ();
}

/* ---- sim clock -------------------------------------------------------------------------- */

/* What tasks did, in order: "tag@time" entries, plus "~tag" for destroys. */
typedef struct
{
  KsSimClock *sim;
  KsClock *clock;
  GString *log;
  guint64 ids[16];
} ClockFixture;

static ClockFixture *fixture;

typedef struct
{
  guint tag;
  gint64 at;   /* for tasks that schedule another one */
  guint child; /* tag of the task to schedule, or cancel */
} Task;

static void
clock_fixture_setup (ClockFixture *f, gconstpointer user_data)
{
  (void) user_data;
  f->sim = ks_sim_clock_new ();
  f->clock = ks_sim_clock_get_clock (f->sim);
  f->log = g_string_new (NULL);
  fixture = f;
}

static void
clock_fixture_teardown (ClockFixture *f, gconstpointer user_data)
{
  (void) user_data;
  g_clear_pointer (&f->sim, ks_sim_clock_free);
  g_string_free (f->log, TRUE);
  fixture = NULL;
}

static void
log_run (gpointer data)
{
  g_string_append_printf (fixture->log, "%u@%" G_GINT64_FORMAT " ", data_tag (data),
                          ks_clock_now (fixture->clock));
}

static void
log_destroy (gpointer data)
{
  g_string_append_printf (fixture->log, "~%u ", data_tag (data));
}

static void
schedule_tag (ClockFixture *f, guint tag, gint64 at)
{
  f->ids[tag] = ks_clock_schedule (f->clock, at, log_run, tag_data (tag), log_destroy);
  g_assert_cmpuint (f->ids[tag], !=, 0);
}

static void
test_clock_basic (ClockFixture *f, gconstpointer user_data)
{
  (void) user_data;
  g_assert_cmpint (ks_clock_now (f->clock), ==, 0);
  g_assert_cmpuint (ks_sim_clock_get_n_pending (f->sim), ==, 0);
  g_assert_cmpuint (ks_sim_clock_get_n_run (f->sim), ==, 0);
  g_assert_false (ks_sim_clock_step (f->sim, G_MAXINT64));

  schedule_tag (f, 3, 30);
  schedule_tag (f, 1, 10);
  schedule_tag (f, 2, 10);
  schedule_tag (f, 0, 0);
  g_assert_cmpuint (ks_sim_clock_get_n_pending (f->sim), ==, 4);

  /* Nothing due before 0 except tag 0, which is due at 0. */
  g_assert_false (ks_sim_clock_step (f->sim, -1));
  g_assert_cmpint (ks_clock_now (f->clock), ==, 0);
  g_assert_true (ks_sim_clock_step (f->sim, 0));
  g_assert_false (ks_sim_clock_step (f->sim, 9));
  g_assert_cmpint (ks_clock_now (f->clock), ==, 0);
  g_assert_true (ks_sim_clock_step (f->sim, 10));
  g_assert_cmpint (ks_clock_now (f->clock), ==, 10);
  g_assert_cmpuint (ks_sim_clock_get_n_run (f->sim), ==, 2);
  g_assert_cmpuint (ks_sim_clock_get_n_pending (f->sim), ==, 2);
  g_assert_true (ks_sim_clock_step (f->sim, G_MAXINT64));
  g_assert_true (ks_sim_clock_step (f->sim, G_MAXINT64));
  g_assert_false (ks_sim_clock_step (f->sim, G_MAXINT64));
  g_assert_cmpint (ks_clock_now (f->clock), ==, 30);
  g_assert_cmpuint (ks_sim_clock_get_n_run (f->sim), ==, 4);
  /* Each task runs, then its data is destroyed, in (time, schedule order). */
  g_assert_cmpstr (f->log->str, ==, "0@0 ~0 1@10 ~1 2@10 ~2 3@30 ~3 ");

  /* Ran ids are stale: cancel is a no-op. */
  ks_clock_cancel (f->clock, f->ids[1]);
  ks_clock_cancel (f->clock, 0);
  g_assert_cmpstr (f->log->str, ==, "0@0 ~0 1@10 ~1 2@10 ~2 3@30 ~3 ");
}

static void
test_clock_schedule_in_and_past (ClockFixture *f, gconstpointer user_data)
{
  (void) user_data;
  g_assert_cmpuint (ks_sim_clock_run_until (f->sim, 100), ==, 0);
  g_assert_cmpint (ks_clock_now (f->clock), ==, 100);

  schedule_tag (f, 0, 100);
  f->ids[1] = ks_clock_schedule_in (f->clock, 5, log_run, tag_data (1), log_destroy);
  /* In the past: clamped to now, after tag 0 which was already due at now. */
  schedule_tag (f, 2, 50);
  schedule_tag (f, 3, G_MININT64);
  g_assert_cmpuint (ks_sim_clock_run_until (f->sim, 1000), ==, 4);
  g_assert_cmpstr (f->log->str, ==, "0@100 ~0 2@100 ~2 3@100 ~3 1@105 ~1 ");
  g_assert_cmpint (ks_clock_now (f->clock), ==, 1000);
}

static void
test_clock_run_until (ClockFixture *f, gconstpointer user_data)
{
  (void) user_data;
  schedule_tag (f, 0, 10);
  schedule_tag (f, 1, 20);
  schedule_tag (f, 2, 21);

  /* A task exactly at until runs; a later one does not; now == until afterwards. */
  g_assert_cmpuint (ks_sim_clock_run_until (f->sim, 20), ==, 2);
  g_assert_cmpint (ks_clock_now (f->clock), ==, 20);
  g_assert_cmpuint (ks_sim_clock_get_n_pending (f->sim), ==, 1);
  g_assert_cmpstr (f->log->str, ==, "0@10 ~0 1@20 ~1 ");

  /* Nothing due: now still moves forward to until. */
  g_assert_cmpuint (ks_sim_clock_run_until (f->sim, 20), ==, 0);
  g_assert_cmpuint (ks_sim_clock_run_until (f->sim, 15), ==, 0);
  g_assert_cmpint (ks_clock_now (f->clock), ==, 20);

  /* until before now: nothing runs and now does not go back, even for a task due at now. */
  schedule_tag (f, 3, 0);
  g_assert_cmpuint (ks_sim_clock_run_until (f->sim, 19), ==, 0);
  g_assert_cmpint (ks_clock_now (f->clock), ==, 20);
  g_assert_cmpuint (ks_sim_clock_run_until (f->sim, 20), ==, 1);

  g_assert_cmpuint (ks_sim_clock_run_until (f->sim, 21), ==, 1);
  g_assert_cmpint (ks_clock_now (f->clock), ==, 21);
  g_assert_cmpuint (ks_sim_clock_get_n_run (f->sim), ==, 4);
  g_assert_cmpuint (ks_sim_clock_get_n_pending (f->sim), ==, 0);
  g_assert_cmpstr (f->log->str, ==, "0@10 ~0 1@20 ~1 3@20 ~3 2@21 ~2 ");

  g_assert_cmpuint (ks_sim_clock_run_until (f->sim, G_MAXINT64), ==, 0);
  g_assert_cmpint (ks_clock_now (f->clock), ==, G_MAXINT64);
}

/* Task that schedules its child at task->at. */
static void
task_schedule_child (gpointer data)
{
  Task *task = data;

  log_run (tag_data (task->tag));
  schedule_tag (fixture, task->child, task->at);
}

static void
task_cancel_child (gpointer data)
{
  Task *task = data;

  log_run (tag_data (task->tag));
  ks_clock_cancel (fixture->clock, fixture->ids[task->child]);
}

static void
task_destroy (gpointer data)
{
  Task *task = data;

  log_destroy (tag_data (task->tag));
  g_free (task);
}

static Task *
task_new (guint tag, gint64 at, guint child)
{
  Task *task = g_new0 (Task, 1);

  task->tag = tag;
  task->at = at;
  task->child = child;
  return task;
}

static void
test_clock_reentrant_schedule (ClockFixture *f, gconstpointer user_data)
{
  (void) user_data;
  /* Task 0 at 10 schedules 5 at 10 (now) and that lands after 1 and 2, already due at 10; it
   * also runs before 3 at 11.  Task 4 schedules 6 in the past: clamped to now. */
  f->ids[0]
      = ks_clock_schedule (f->clock, 10, task_schedule_child, task_new (0, 10, 5), task_destroy);
  schedule_tag (f, 1, 10);
  schedule_tag (f, 2, 10);
  schedule_tag (f, 3, 11);
  f->ids[4]
      = ks_clock_schedule (f->clock, 11, task_schedule_child, task_new (4, 0, 6), task_destroy);
  schedule_tag (f, 7, 11);

  g_assert_cmpuint (ks_sim_clock_run_until (f->sim, 11), ==, 8);
  g_assert_cmpstr (f->log->str, ==,
                   "0@10 ~0 1@10 ~1 2@10 ~2 5@10 ~5 3@11 ~3 4@11 ~4 7@11 ~7 6@11 ~6 ");
  g_assert_cmpuint (ks_sim_clock_get_n_run (f->sim), ==, 8);
}

static void
test_clock_reentrant_cancel (ClockFixture *f, gconstpointer user_data)
{
  (void) user_data;
  /* 0 cancels 2 (later, destroyed at once, never runs); 3 cancels itself (no-op: it is already
   * off the queue; destroyed once, after running); 4 cancels 1, which already ran (no-op). */
  schedule_tag (f, 1, 5);
  f->ids[0] = ks_clock_schedule (f->clock, 10, task_cancel_child, task_new (0, 0, 2), task_destroy);
  schedule_tag (f, 2, 20);
  f->ids[3] = ks_clock_schedule (f->clock, 30, task_cancel_child, task_new (3, 0, 3), task_destroy);
  f->ids[4] = ks_clock_schedule (f->clock, 30, task_cancel_child, task_new (4, 0, 1), task_destroy);

  g_assert_cmpuint (ks_sim_clock_run_until (f->sim, 100), ==, 4);
  g_assert_cmpstr (f->log->str, ==, "1@5 ~1 0@10 ~2 ~0 3@30 ~3 4@30 ~4 ");
  g_assert_cmpuint (ks_sim_clock_get_n_pending (f->sim), ==, 0);

  /* Cancelling twice is a no-op. */
  ks_clock_cancel (f->clock, f->ids[2]);
  g_assert_cmpstr (f->log->str, ==, "1@5 ~1 0@10 ~2 ~0 3@30 ~3 4@30 ~4 ");
}

/* A task that schedules, then cancels, a task of its own at the same time. */
static void
task_schedule_and_cancel (gpointer data)
{
  (void) data;
  schedule_tag (fixture, 9, ks_clock_now (fixture->clock));
  ks_clock_cancel (fixture->clock, fixture->ids[9]);
}

static void
test_clock_cancel_pending (ClockFixture *f, gconstpointer user_data)
{
  (void) user_data;
  schedule_tag (f, 0, 10);
  schedule_tag (f, 1, 20);
  ks_clock_schedule (f->clock, 15, task_schedule_and_cancel, NULL, NULL);

  /* Cancel from outside a task: destroyed now, never runs. */
  ks_clock_cancel (f->clock, f->ids[1]);
  g_assert_cmpstr (f->log->str, ==, "~1 ");
  g_assert_cmpuint (ks_sim_clock_run_until (f->sim, 100), ==, 2);
  g_assert_cmpstr (f->log->str, ==, "~1 0@10 ~0 ~9 ");
}

static void
test_clock_free_pending (void)
{
  KsSimClock *sim = ks_sim_clock_new ();
  KsClock *clock = ks_sim_clock_get_clock (sim);

  destroy_log_reset (3);
  ks_clock_schedule (clock, 5, never_called, tag_data (0), count_destroy);
  ks_clock_schedule (clock, 6, never_called, tag_data (1), count_destroy);
  ks_clock_schedule (clock, 7, never_called, tag_data (2), NULL);
  ks_sim_clock_free (sim);
  g_assert_cmpuint (destroy_log.destroyed[0], ==, 1);
  g_assert_cmpuint (destroy_log.destroyed[1], ==, 1);
  g_assert_cmpuint (destroy_log.destroyed[2], ==, 0);
  destroy_log_clear ();

  ks_sim_clock_free (NULL);
}

/* ---- benchmarks (KS_BENCH) -------------------------------------------------------------- */

static void
noop_task (gpointer data)
{
  (void) data;
}

static void
test_bench (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  const guint sizes[] = { 1000, 100000, 1000000 };
  gint64 *times;
  guint n_max = 1000000;

  if (g_getenv ("KS_BENCH") == NULL)
    {
      g_test_skip ("set KS_BENCH=1 to run the benchmarks");
      return;
    }

  times = g_new (gint64, 2 * (gsize) n_max);
  for (guint i = 0; i < 2 * n_max; i++)
    times[i] = g_rand_int_range (rand, 0, G_MAXINT32);

  /* Fill with n random times, then drain.  One queue per size, and round 0 is not timed: it
   * grows the slab, which a running simulation does once. */
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      guint n = sizes[s];
      guint rounds = n_max / n;
      gint64 t_push = 0, t_pop = 0;
      guint64 check = 0;
      g_autoptr (KsEventQueue) queue = ks_event_queue_new ();

      for (guint round = 0; round <= rounds; round++)
        {
          KsEvent event;
          gint64 t0, t1, t2;
          const gint64 *tt = times + (round % 2) * n;

          t0 = g_get_monotonic_time ();
          for (guint i = 0; i < n; i++)
            ks_event_queue_push (queue, tt[i], noop_task, NULL, NULL);
          t1 = g_get_monotonic_time ();
          while (ks_event_queue_pop (queue, &event))
            check += (guint64) event.time;
          t2 = g_get_monotonic_time ();
          if (round > 0)
            {
              t_push += t1 - t0;
              t_pop += t2 - t1;
            }
        }
      g_test_message (
          "fill/drain n=%u x%u: push %.1f ns, pop %.1f ns, push+pop %.1f ns (%" G_GUINT64_FORMAT
          ")",
          n, rounds, 1000.0 * t_push / ((double) n * rounds),
          1000.0 * t_pop / ((double) n * rounds), 1000.0 * (t_push + t_pop) / ((double) n * rounds),
          check);
    }

  /* Hold model: steady state at n pending; each op pops the earliest and pushes a new event a
   * random delay later (the simulator's normal pattern).  Slab already grown: no allocation. */
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      guint n = sizes[s];
      guint n_ops = 2 * n_max;
      g_autoptr (KsEventQueue) queue = ks_event_queue_new ();
      KsEvent event;
      gint64 t0, t1;

      for (guint i = 0; i < n; i++)
        ks_event_queue_push (queue, times[i] % (2 * (gint64) n), noop_task, NULL, NULL);
      t0 = g_get_monotonic_time ();
      for (guint i = 0; i < n_ops; i++)
        {
          ks_event_queue_pop (queue, &event);
          ks_event_queue_push (queue, event.time + 1 + times[i] % (2 * (gint64) n), noop_task, NULL,
                               NULL);
        }
      t1 = g_get_monotonic_time ();
      g_test_message ("hold n=%u: pop+push %.1f ns", n, 1000.0 * (t1 - t0) / n_ops);
    }

  /* Cancel: push n, cancel them all in random order. */
  {
    guint n = 100000;
    g_autoptr (KsEventQueue) queue = ks_event_queue_new ();
    g_autofree guint64 *ids = g_new (guint64, n);
    gint64 t0, t1;

    for (guint i = 0; i < n; i++)
      ids[i] = ks_event_queue_push (queue, times[i], noop_task, NULL, NULL);
    for (guint i = n - 1; i > 0; i--)
      {
        guint j = g_rand_int_range (rand, 0, i + 1);
        guint64 tmp = ids[i];

        ids[i] = ids[j];
        ids[j] = tmp;
      }
    t0 = g_get_monotonic_time ();
    for (guint i = 0; i < n; i++)
      ks_event_queue_cancel (queue, ids[i]);
    t1 = g_get_monotonic_time ();
    g_assert_cmpuint (ks_event_queue_get_length (queue), ==, 0);
    g_test_message ("cancel (random order) n=%u: %.1f ns", n, 1000.0 * (t1 - t0) / n);
  }

  /* The clock: hold model through the KsClock interface. */
  {
    guint n = 100000;
    guint64 n_ops = 2 * n_max;
    g_autoptr (KsSimClock) sim = ks_sim_clock_new ();
    KsClock *clock = ks_sim_clock_get_clock (sim);
    gint64 t0, t1;

    for (guint i = 0; i < n; i++)
      ks_clock_schedule (clock, times[i] % 1000000, noop_task, NULL, NULL);
    t0 = g_get_monotonic_time ();
    for (guint64 i = 0; i < n_ops; i++)
      {
        ks_sim_clock_step (sim, G_MAXINT64);
        ks_clock_schedule_in (clock, 1 + times[i] % 1000000, noop_task, NULL, NULL);
      }
    t1 = g_get_monotonic_time ();
    g_test_message ("clock hold n=%u: step+schedule %.1f ns", n, 1000.0 * (t1 - t0) / n_ops);
  }

  g_free (times);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sim/event-queue/empty", test_queue_empty);
  g_test_add_func ("/sim/event-queue/order", test_queue_order);
  g_test_add_func ("/sim/event-queue/fifo", test_queue_fifo);
  g_test_add_func ("/sim/event-queue/ids", test_queue_ids);
  g_test_add_func ("/sim/event-queue/cancel", test_queue_cancel);
  g_test_add_func ("/sim/event-queue/destroy", test_queue_destroy);
  g_test_add_func ("/sim/event-queue/cancel-reentrant", test_queue_cancel_reentrant);
  g_test_add_func ("/sim/event-queue/random", test_queue_random);

  g_test_add ("/sim/clock/basic", ClockFixture, NULL, clock_fixture_setup, test_clock_basic,
              clock_fixture_teardown);
  g_test_add ("/sim/clock/schedule-in-and-past", ClockFixture, NULL, clock_fixture_setup,
              test_clock_schedule_in_and_past, clock_fixture_teardown);
  g_test_add ("/sim/clock/run-until", ClockFixture, NULL, clock_fixture_setup, test_clock_run_until,
              clock_fixture_teardown);
  g_test_add ("/sim/clock/reentrant-schedule", ClockFixture, NULL, clock_fixture_setup,
              test_clock_reentrant_schedule, clock_fixture_teardown);
  g_test_add ("/sim/clock/reentrant-cancel", ClockFixture, NULL, clock_fixture_setup,
              test_clock_reentrant_cancel, clock_fixture_teardown);
  g_test_add ("/sim/clock/cancel-pending", ClockFixture, NULL, clock_fixture_setup,
              test_clock_cancel_pending, clock_fixture_teardown);
  g_test_add_func ("/sim/clock/free-pending", test_clock_free_pending);

  g_test_add_func ("/sim/event-queue/bench", test_bench);

  return g_test_run ();
}
