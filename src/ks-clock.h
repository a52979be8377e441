/* ks-clock.h: the time source every component uses.
 *
 * Time is a gint64 count of microseconds since the start of the run, virtual in sim/ and wall
 * time in real/.  Components never read the system clock; they ask their KsClock, and they never
 * sleep: they schedule a task.  Two implementations exist: sim/ks-sim-clock.c (an event heap) and
 * the real-mode clock on the GLib main loop. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KS_USEC_PER_MSEC G_GINT64_CONSTANT (1000)
#define KS_USEC_PER_SEC G_GINT64_CONSTANT (1000000)
#define KS_USEC_PER_MIN (60 * KS_USEC_PER_SEC)
#define KS_USEC_PER_HOUR (60 * KS_USEC_PER_MIN)
/* "no time": an unset timestamp (e.g. a pod that has no deletionTimestamp). */
#define KS_TIME_NONE G_MININT64

typedef struct _KsClock KsClock;

/* A scheduled task.  Called once, at its time, from the clock's single thread; afterwards the
 * clock calls the task's destroy notify (if any) on data. */
typedef void (*KsTaskFunc) (gpointer data);

typedef struct
{
  /* The current time in microseconds since the start of the run. */
  gint64 (*now) (KsClock *self);
  /* Run fn(data) at time at (a time in the past means "as soon as possible", after the tasks
   * already due).  Tasks due at the same time run in the order they were scheduled.  Returns an
   * id, never 0, valid until the task has run or was cancelled.  destroy (may be NULL) is called
   * on data after the task ran or when it is cancelled. */
  guint64 (*schedule) (KsClock *self, gint64 at, KsTaskFunc fn, gpointer data,
                       GDestroyNotify destroy);
  /* Cancel a pending task: it will not run and its destroy notify is called now.  Cancelling an
   * id that already ran, was cancelled, or is 0 does nothing. */
  void (*cancel) (KsClock *self, guint64 id);
} KsClockOps;

struct _KsClock
{
  const KsClockOps *ops;
};

static inline gint64
ks_clock_now (KsClock *clock)
{
  return clock->ops->now (clock);
}

static inline guint64
ks_clock_schedule (KsClock *clock, gint64 at, KsTaskFunc fn, gpointer data, GDestroyNotify destroy)
{
  return clock->ops->schedule (clock, at, fn, data, destroy);
}

/* Schedule relative to now. */
static inline guint64
ks_clock_schedule_in (KsClock *clock, gint64 delay, KsTaskFunc fn, gpointer data,
                      GDestroyNotify destroy)
{
  return clock->ops->schedule (clock, clock->ops->now (clock) + delay, fn, data, destroy);
}

static inline void
ks_clock_cancel (KsClock *clock, guint64 id)
{
  if (id != 0)
    clock->ops->cancel (clock, id);
}

G_END_DECLS
