/* ks-events.c: event recording. */
#include "config.h"

#include "ks-events.h"

static void
record_v (KsEventRecorder *recorder, const KsObject *object, gboolean warning, const char *reason,
          const char *node, const KsReasonCount *reasons, guint n_reasons, const char *format,
          va_list args)
{
  g_autofree char *message = NULL;
  KsEventRecord record;

  if (recorder == NULL || recorder->sink == NULL
      || (recorder->sink->ops->wants != NULL && !recorder->sink->ops->wants (recorder->sink)))
    return;
  message = g_strdup_vprintf (format, args);
  record = (KsEventRecord){
    .time = ks_clock_now (recorder->clock),
    .warning = warning,
    .reason = reason,
    .object = object,
    .node = node,
    .message = message,
    .source = recorder->source,
    .reasons = reasons,
    .n_reasons = n_reasons,
  };
  recorder->sink->ops->record (recorder->sink, &record);
}

void
ks_event_record (KsEventRecorder *recorder, const KsObject *object, gboolean warning,
                 const char *reason, const char *node, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  record_v (recorder, object, warning, reason, node, NULL, 0, format, args);
  va_end (args);
}

void
ks_event_record_reasons (KsEventRecorder *recorder, const KsObject *object, gboolean warning,
                         const char *reason, const KsReasonCount *reasons, guint n_reasons,
                         const char *format, ...)
{
  va_list args;

  va_start (args, format);
  record_v (recorder, object, warning, reason, NULL, reasons, n_reasons, format, args);
  va_end (args);
}
