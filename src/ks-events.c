/* ks-events.c: event recording. */
#include "config.h"

#include "ks-events.h"

void
ks_event_record (KsEventRecorder *recorder, const KsObject *object, gboolean warning,
                 const char *reason, const char *node, const char *format, ...)
{
  g_autofree char *message = NULL;
  KsEventRecord record;
  va_list args;

  if (recorder == NULL || recorder->sink == NULL
      || (recorder->sink->ops->wants != NULL && !recorder->sink->ops->wants (recorder->sink)))
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  record = (KsEventRecord){
    .time = ks_clock_now (recorder->clock),
    .warning = warning,
    .reason = reason,
    .object = object,
    .node = node,
    .message = message,
    .source = recorder->source,
  };
  recorder->sink->ops->record (recorder->sink, &record);
}
