/* ks-workqueue.h: controller work queues (client-go's workqueue): keys ("namespace/name")
 * deduplicated while waiting, processed in arrival order by a task on the clock, with delayed
 * adds for requeues.  A key added while it is being processed is processed again afterwards. */
#pragma once

#include "src/ks-clock.h"

G_BEGIN_DECLS

typedef struct _KsWorkQueue KsWorkQueue;

/* Process one key.  Called from a clock task. */
typedef void (*KsWorkFunc) (const char *key, gpointer user_data);

KsWorkQueue *ks_workqueue_new (KsClock *clock, KsWorkFunc func, gpointer user_data);
void ks_workqueue_free (KsWorkQueue *queue);

void ks_workqueue_add (KsWorkQueue *queue, const char *key);
/* Add key after delay µs; of several pending delayed adds of one key the earliest stands. */
void ks_workqueue_add_after (KsWorkQueue *queue, const char *key, gint64 delay);
guint ks_workqueue_length (KsWorkQueue *queue);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsWorkQueue, ks_workqueue_free)

G_END_DECLS
