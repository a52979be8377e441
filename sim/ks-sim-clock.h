/* ks-sim-clock.h: virtual time.  A KsClock whose tasks live in a KsEventQueue; time jumps from
 * one event to the next. */
#pragma once

#include "src/ks-clock.h"

G_BEGIN_DECLS

typedef struct _KsSimClock KsSimClock;

KsSimClock *ks_sim_clock_new (void);
/* Frees the clock; pending tasks are destroyed without running. */
void ks_sim_clock_free (KsSimClock *clock);

/* The KsClock interface of this clock (borrowed; valid as long as the KsSimClock). */
KsClock *ks_sim_clock_get_clock (KsSimClock *clock);

/* Run the earliest task if its time is <= until: set now to its time, call it, destroy its
 * data.  Returns FALSE when no task is due by until (now is left unchanged). */
gboolean ks_sim_clock_step (KsSimClock *clock, gint64 until);

/* Run every task due by until, in order (tasks scheduled meanwhile included), then set now to
 * until.  Returns the number of tasks run. */
guint64 ks_sim_clock_run_until (KsSimClock *clock, gint64 until);

/* Number of tasks run so far, and pending. */
guint64 ks_sim_clock_get_n_run (KsSimClock *clock);
guint ks_sim_clock_get_n_pending (KsSimClock *clock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsSimClock, ks_sim_clock_free)

G_END_DECLS
