/* ks-events.h: Kubernetes Events ("Scheduled", "FailedScheduling", "SuccessfulCreate", ...).
 *
 * Components record events through a KsEventRecorder naming themselves (the event's source,
 * e.g. "default-scheduler"); the recorder hands them to a KsEventSink: in sim the run's
 * recorder writes events.jsonl, in real mode the sink creates Event objects.  A NULL recorder
 * or sink drops events without formatting them. */
#pragma once

#include "src/api/ks-object.h"
#include "src/ks-clock.h"

G_BEGIN_DECLS

/* How many nodes failed for one reason (the FitError's histogram, kube-scheduler's
 * Diagnosis.NodeToStatus counted by reason). */
typedef struct
{
  const char *reason; /* interned */
  guint count;
} KsReasonCount;

typedef struct
{
  gint64 time;
  gboolean warning;       /* type Warning, else Normal */
  const char *reason;     /* "Scheduled" */
  const KsObject *object; /* the involved object (borrowed) */
  const char *node;       /* a related node, or NULL */
  const char *message;    /* Kubernetes' wording */
  const char *source;     /* the component */
  /* FailedScheduling of a pod that plugins rejected: nodes per filter reason, by reason
   * (n_reasons 0 otherwise).  Not part of a Kubernetes Event; the run's recorder keeps it. */
  const KsReasonCount *reasons;
  guint n_reasons;
} KsEventRecord;

typedef struct _KsEventSink KsEventSink;

typedef struct
{
  void (*record) (KsEventSink *self, const KsEventRecord *record);
  /* Whether records are wanted at all (NULL: yes); lets recorders skip formatting. */
  gboolean (*wants) (KsEventSink *self);
} KsEventSinkOps;

struct _KsEventSink
{
  const KsEventSinkOps *ops;
};

typedef struct
{
  KsEventSink *sink;
  KsClock *clock;
  const char *source;
} KsEventRecorder;

static inline void
ks_event_recorder_init (KsEventRecorder *recorder, KsEventSink *sink, KsClock *clock,
                        const char *source)
{
  recorder->sink = sink;
  recorder->clock = clock;
  recorder->source = source;
}

/* Record an event; message is a printf format. */
void ks_event_record (KsEventRecorder *recorder, const KsObject *object, gboolean warning,
                      const char *reason, const char *node, const char *format, ...)
    G_GNUC_PRINTF (6, 7);
/* The same with the nodes-per-reason counts of a FailedScheduling (borrowed for the call). */
void ks_event_record_reasons (KsEventRecorder *recorder, const KsObject *object, gboolean warning,
                              const char *reason, const KsReasonCount *reasons, guint n_reasons,
                              const char *format, ...) G_GNUC_PRINTF (7, 8);

G_END_DECLS
