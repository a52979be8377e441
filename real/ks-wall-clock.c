/* ks-wall-clock.c: a KsClock on the GLib main loop (see ks-wall-clock.h).
 *
 * Tasks live in a KsEventQueue ordered by (time, sequence).  One GSource is armed for the
 * earliest task; when it fires, every task due by now runs in order, tasks scheduled meanwhile for
 * a time already past included, and the source is re-armed.  The wait is rounded up to whole
 * milliseconds (g_source_set_ready_time works in monotonic µs; the wall time is re-read when the
 * source fires, and a task never runs before its time). */
#include "config.h"

#include "ks-wall-clock.h"
#include "src/ks-event-queue.h"

struct _KsWallClock
{
  KsClock parent;
  KsEventQueue *queue;
  GSource *source;
  gboolean dispatching;
};

static gint64
wall_now (KsClock *self)
{
  return g_get_real_time ();
}

static void
arm (KsWallClock *c)
{
  gint64 at;

  if (c->dispatching)
    return; /* dispatch re-arms when it is done */
  if (!ks_event_queue_peek_time (c->queue, &at))
    {
      g_source_set_ready_time (c->source, -1);
      return;
    }
  /* Monotonic time of the wall-clock deadline. */
  gint64 delay = at - g_get_real_time ();
  g_source_set_ready_time (c->source, g_get_monotonic_time () + MAX (delay, 0));
}

static guint64
wall_schedule (KsClock *self, gint64 at, KsTaskFunc fn, gpointer data, GDestroyNotify destroy)
{
  KsWallClock *c = (KsWallClock *) self;
  gint64 first;
  gboolean had_first = ks_event_queue_peek_time (c->queue, &first);
  guint64 id = ks_event_queue_push (c->queue, at, fn, data, destroy);

  if (!had_first || at < first)
    arm (c);
  return id;
}

static void
wall_cancel (KsClock *self, guint64 id)
{
  KsWallClock *c = (KsWallClock *) self;

  if (ks_event_queue_cancel (c->queue, id))
    arm (c);
}

static const KsClockOps wall_clock_ops = {
  .now = wall_now,
  .schedule = wall_schedule,
  .cancel = wall_cancel,
};

static gboolean
dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  KsWallClock *c = user_data;
  gint64 at;

  c->dispatching = TRUE;
  while (ks_event_queue_peek_time (c->queue, &at) && at <= g_get_real_time ())
    {
      KsEvent ev;
      ks_event_queue_pop (c->queue, &ev);
      ev.fn (ev.data);
      if (ev.destroy != NULL)
        ev.destroy (ev.data);
    }
  c->dispatching = FALSE;
  arm (c);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs source_funcs = {
  .dispatch = dispatch,
};

KsWallClock *
ks_wall_clock_new (void)
{
  KsWallClock *c = g_new0 (KsWallClock, 1);

  c->parent.ops = &wall_clock_ops;
  c->queue = ks_event_queue_new ();
  c->source = g_source_new (&source_funcs, sizeof (GSource));
  g_source_set_callback (c->source, NULL, c, NULL);
  g_source_set_name (c->source, "kubesim wall clock");
  g_source_set_ready_time (c->source, -1);
  g_source_attach (c->source, g_main_context_get_thread_default ());
  return c;
}

void
ks_wall_clock_free (KsWallClock *c)
{
  if (c == NULL)
    return;
  g_source_destroy (c->source);
  g_source_unref (c->source);
  ks_event_queue_free (c->queue);
  g_free (c);
}

KsClock *
ks_wall_clock_get_clock (KsWallClock *c)
{
  return &c->parent;
}

guint
ks_wall_clock_get_n_pending (KsWallClock *c)
{
  return ks_event_queue_get_length (c->queue);
}
