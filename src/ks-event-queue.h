/* ks-event-queue.h: the event heap behind both clocks (virtual and wall time).
 *
 * Events are ordered by (time, sequence): equal times pop in insertion order.  Each event has an
 * id for cancellation and a destroy notify for its data.  The heap holds indices into a slab of
 * event slots, and each slot knows its heap position, so cancel is O(log n) with no hashing and
 * pushing/popping does not allocate once the slab has grown. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*KsEventFunc) (gpointer data);

typedef struct
{
  gint64 time;
  guint64 id;
  KsEventFunc fn;
  gpointer data;
  GDestroyNotify destroy;
} KsEvent;

typedef struct _KsEventQueue KsEventQueue;

KsEventQueue *ks_event_queue_new (void);
/* Frees the queue; the destroy notify of every pending event is called on its data. */
void ks_event_queue_free (KsEventQueue *queue);

/* Add an event.  Returns its id, never 0.  Ids are not reused while the event is pending. */
guint64 ks_event_queue_push (KsEventQueue *queue, gint64 time, KsEventFunc fn, gpointer data,
                             GDestroyNotify destroy);

/* Remove a pending event and call its destroy notify.  Returns FALSE (and does nothing) when id
 * is 0, unknown, already popped or already cancelled. */
gboolean ks_event_queue_cancel (KsEventQueue *queue, guint64 id);

/* The time of the earliest pending event; FALSE when the queue is empty. */
gboolean ks_event_queue_peek_time (KsEventQueue *queue, gint64 *time);

/* Remove the earliest event and copy it to out; the caller then owns it: it calls out->fn and
 * afterwards out->destroy (if any).  FALSE when empty. */
gboolean ks_event_queue_pop (KsEventQueue *queue, KsEvent *out);

guint ks_event_queue_get_length (KsEventQueue *queue);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsEventQueue, ks_event_queue_free)

G_END_DECLS
