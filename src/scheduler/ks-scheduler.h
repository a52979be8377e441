/* ks-scheduler.h: kube-scheduler: watches pods and nodes through a KsClient, keeps its cache
 * and queue, schedules pending pods one at a time with the profile named by their
 * spec.schedulerName, binds them, and records Scheduled / FailedScheduling events. */
#pragma once

#include "ks-sched-config.h"
#include "src/ks-events.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

typedef struct _KsScheduler KsScheduler;

typedef struct
{
  guint64 attempts;  /* scheduling cycles run */
  guint64 scheduled; /* pods bound */
  guint64 failed;    /* cycles that found no node */
} KsSchedulerStats;

/* A scheduler for config (borrowed; must outlive the scheduler).  seed drives tie-breaking. */
KsScheduler *ks_scheduler_new (KsClient *client, KsClock *clock, KsSchedulerConfig *config,
                               KsEventSink *events, guint64 seed, GError **error);
void ks_scheduler_free (KsScheduler *scheduler);
void ks_scheduler_get_stats (KsScheduler *scheduler, KsSchedulerStats *stats);
/* Pods waiting: in activeQ, backoffQ, unschedulable. */
void ks_scheduler_get_queue_lengths (KsScheduler *scheduler, guint *active, guint *backoff,
                                     guint *unschedulable);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsScheduler, ks_scheduler_free)

G_END_DECLS
