/* ks-sim-clock.c: virtual time for the simulator.
 *
 * A KsClock whose tasks are events in a KsEventQueue.  Time never advances on its own: the engine
 * calls ks_sim_clock_step() or ks_sim_clock_run_until(), which jump now to the next task's time
 * and run it.  A task scheduled in the past is clamped to now, so it runs after the tasks already
 * due at now (the queue's sequence numbers keep insertion order among equal times). */
#include "config.h"

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "kubesim-sim"
#endif

#include "sim/ks-sim-clock.h"

#include "src/ks-event-queue.h"

struct _KsSimClock
{
  KsClock clock; /* first: the KsClock * handed out is this member */
  KsEventQueue *queue;
  gint64 now;
  guint64 n_run;
  gboolean running; /* inside a task: step/run_until must not nest */
};

static gint64
sim_clock_now (KsClock *clock)
{
  return ((KsSimClock *) clock)->now;
}

static guint64
sim_clock_schedule (KsClock *clock, gint64 at, KsTaskFunc fn, gpointer data, GDestroyNotify destroy)
{
  KsSimClock *self = (KsSimClock *) clock;

  g_return_val_if_fail (fn != NULL, 0);

  if (at < self->now)
    at = self->now;
  return ks_event_queue_push (self->queue, at, fn, data, destroy);
}

static void
sim_clock_cancel (KsClock *clock, guint64 id)
{
  KsSimClock *self = (KsSimClock *) clock;

  /* FALSE for 0, stale (already ran, including the running task itself) and cancelled ids: the
   * KsClock contract makes those a no-op. */
  ks_event_queue_cancel (self->queue, id);
}

static const KsClockOps sim_clock_ops = {
  .now = sim_clock_now,
  .schedule = sim_clock_schedule,
  .cancel = sim_clock_cancel,
};

KsSimClock *
ks_sim_clock_new (void)
{
  KsSimClock *self = g_new0 (KsSimClock, 1);

  self->clock.ops = &sim_clock_ops;
  self->queue = ks_event_queue_new ();
  return self;
}

void
ks_sim_clock_free (KsSimClock *clock)
{
  if (clock == NULL)
    return;

  g_return_if_fail (!clock->running);

  ks_event_queue_free (clock->queue);
  g_free (clock);
}

KsClock *
ks_sim_clock_get_clock (KsSimClock *clock)
{
  g_return_val_if_fail (clock != NULL, NULL);

  return &clock->clock;
}

gboolean
ks_sim_clock_step (KsSimClock *clock, gint64 until)
{
  gint64 time;
  KsEvent event;

  g_return_val_if_fail (clock != NULL, FALSE);
  /* A task that steps the clock would move now under the tasks still due before it. */
  g_return_val_if_fail (!clock->running, FALSE);

  if (!ks_event_queue_peek_time (clock->queue, &time) || time > until)
    return FALSE;
  ks_event_queue_pop (clock->queue, &event);
  /* Never backwards: every task was clamped to now when scheduled. */
  g_assert_cmpint (event.time, >=, clock->now);
  clock->now = event.time;

  clock->running = TRUE;
  event.fn (event.data);
  if (event.destroy != NULL)
    event.destroy (event.data);
  clock->running = FALSE;
  clock->n_run++;
  return TRUE;
}

guint64
ks_sim_clock_run_until (KsSimClock *clock, gint64 until)
{
  guint64 n = 0;

  g_return_val_if_fail (clock != NULL, 0);
  g_return_val_if_fail (!clock->running, 0);

  while (ks_sim_clock_step (clock, until))
    n++;
  if (until > clock->now)
    clock->now = until;
  return n;
}

guint64
ks_sim_clock_get_n_run (KsSimClock *clock)
{
  g_return_val_if_fail (clock != NULL, 0);

  return clock->n_run;
}

guint
ks_sim_clock_get_n_pending (KsSimClock *clock)
{
  g_return_val_if_fail (clock != NULL, 0);

  return ks_event_queue_get_length (clock->queue);
}
