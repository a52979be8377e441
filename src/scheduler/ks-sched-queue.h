/* ks-sched-queue.h: the scheduling queue (PriorityQueue of kube-scheduler): activeQ ordered by
 * the queue-sort plugin, backoffQ ordered by backoff expiry, and the unschedulable pods.
 *
 * Backoff is initial·2^(attempts−1) capped at max.  Backed-off pods move to activeQ on a 1 s
 * tick; unschedulable pods move on cluster events (ks_sched_queue_move_all) and, at the latest,
 * after 5 minutes (checked on a 30 s tick).  Ticks are aligned to whole multiples of their
 * period since time 0 and exist only while there is something to flush. */
#pragma once

#include "policies/ks-policy.h"
#include "src/ks-clock.h"

G_BEGIN_DECLS

#define KS_POD_MAX_IN_UNSCHEDULABLE (5 * KS_USEC_PER_MIN)

typedef struct _KsSchedQueue KsSchedQueue;

typedef gboolean (*KsQueueLessFunc) (gpointer data, const KsQueuedPod *a, const KsQueuedPod *b);

/* ready(data) is called whenever a pod enters activeQ. */
KsSchedQueue *ks_sched_queue_new (KsClock *clock, KsQueueLessFunc less, gpointer less_data,
                                  gint64 initial_backoff, gint64 max_backoff, GFunc ready,
                                  gpointer ready_data);
void ks_sched_queue_free (KsSchedQueue *queue);

/* A new pending pod: into activeQ.  The queue keeps a reference. */
void ks_sched_queue_add (KsSchedQueue *queue, KsPod *pod);
/* The pod changed.  If it waits as unschedulable and more than its status changed, it moves
 * to backoffQ or activeQ. */
void ks_sched_queue_update (KsSchedQueue *queue, KsPod *pod);
void ks_sched_queue_delete (KsSchedQueue *queue, const KsPod *pod);
gboolean ks_sched_queue_contains (KsSchedQueue *queue, const KsPod *pod);

/* The next pod of activeQ (borrowed; in flight until done or requeued), or NULL.  Increments
 * its attempts. */
const KsQueuedPod *ks_sched_queue_pop (KsSchedQueue *queue);
/* The in-flight pod was scheduled: forget it. */
void ks_sched_queue_done (KsSchedQueue *queue, const KsPod *pod);
/* The in-flight pod failed: to the unschedulable pods when plugins rejected it and no cluster
 * event (move_all) came while it was in flight, else to backoffQ. */
void ks_sched_queue_requeue (KsSchedQueue *queue, const KsPod *pod, gboolean rejected_by_plugins);
/* A cluster event: every unschedulable pod moves to backoffQ (still backing off) or activeQ. */
void ks_sched_queue_move_all (KsSchedQueue *queue);
/* The queue-sort order may have changed for pods already in activeQ (a queue-sort plugin's
 * observer said so): activeQ is re-sorted, once, before the next pop. */
void ks_sched_queue_resort (KsSchedQueue *queue);

/* The nominator (kube-scheduler's PodNominator): the pods nominated to each node, that is
 * waiting pods whose status.nominatedNodeName is set or that preemption has just nominated.
 * The queue keeps it in step with its pods: a pod added or updated is nominated to its
 * status.nominatedNodeName (an update whose old and new pod both have none keeps a nomination
 * made by the scheduler), a pod deleted, or done (scheduled), is no longer nominated. */
typedef struct _KsNominator KsNominator;

KsNominator *ks_sched_queue_get_nominator (KsSchedQueue *queue);
/* Nominate pod to node (interned or not; NULL: to the pod's status.nominatedNodeName; "" or a
 * pod without one: no nomination), replacing its earlier nomination (AddNominatedPod with
 * NominatingInfo, ModeOverride for a node, ModeNoop for NULL). */
void ks_nominator_add (KsNominator *nominator, KsPod *pod, const char *node);
void ks_nominator_delete (KsNominator *nominator, const KsPod *pod);
/* The pods nominated to node, in nomination order: borrowed KsPod pointers valid until the
 * nominator changes, or NULL when there are none. */
const GPtrArray *ks_nominator_pods_for_node (KsNominator *nominator, const char *node);
/* The node pod is nominated to (interned), or NULL. */
const char *ks_nominator_node_of (KsNominator *nominator, const KsPod *pod);
/* How many pods are nominated: 0 lets filtering skip every lookup. */
guint ks_nominator_count (KsNominator *nominator);

guint ks_sched_queue_n_active (KsSchedQueue *queue);
guint ks_sched_queue_n_backoff (KsSchedQueue *queue);
guint ks_sched_queue_n_unschedulable (KsSchedQueue *queue);

/* calculateBackoffDuration: 0 for 0 attempts, else initial·2^(attempts−1) capped at max. */
gint64 ks_sched_backoff_duration (gint64 initial, gint64 max, guint attempts);

G_END_DECLS
