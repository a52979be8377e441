/* ks-wall-clock.h: wall-clock time for real mode.  A KsClock whose tasks wait in the same
 * (time, sequence) heap as the sim clock's and run from the thread-default GLib main context:
 * one timeout source wakes for the earliest task.  now() is g_get_real_time (): cluster time 0
 * is the Unix epoch, so every real-mode process agrees on times. */
#pragma once

#include "src/ks-clock.h"

G_BEGIN_DECLS

typedef struct _KsWallClock KsWallClock;

/* A clock on the thread-default main context of the caller. */
KsWallClock *ks_wall_clock_new (void);
/* Frees the clock; pending tasks are destroyed without running. */
void ks_wall_clock_free (KsWallClock *clock);

/* The KsClock interface of this clock (borrowed; valid as long as the KsWallClock). */
KsClock *ks_wall_clock_get_clock (KsWallClock *clock);

guint ks_wall_clock_get_n_pending (KsWallClock *clock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsWallClock, ks_wall_clock_free)

G_END_DECLS
