/* ks-scheduler.h: kube-scheduler: watches pods and nodes through a KsClient, keeps its cache
 * and queue, schedules pending pods one at a time with the profile named by their
 * spec.schedulerName, binds them, and records Scheduled / FailedScheduling events.  When
 * preemption (a PostFilter plugin) chooses victims, it deletes them (condition DisruptionTarget,
 * event Preempted), nominates the pod to the node (status.nominatedNodeName) and clears the
 * nominations of lower-priority pods to that node. */
#pragma once

#include "ks-sched-config.h"
#include "src/ks-events.h"
#include "src/store/ks-client.h"

G_BEGIN_DECLS

typedef struct _KsScheduler KsScheduler;

typedef struct
{
  guint64 attempts;            /* scheduling cycles run */
  guint64 scheduled;           /* pods bound */
  guint64 failed;              /* cycles that found no node */
  guint64 preemption_attempts; /* cycles that ran the PostFilter plugins (preemption_attempts) */
  guint64 preemptions;         /* of those, the ones that nominated a node */
  guint64 victims;             /* pods preempted (the sum of preemption_victims) */
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
