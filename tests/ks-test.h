/* ks-test.h: what the unit tests share: objects from YAML, store writes that must succeed, an
 * event sink that keeps what it is given, and a runtime that reports set usage. */
#pragma once

#include <glib.h>

#include "sim/ks-sim-clock.h"
#include "src/api/ks-object.h"
#include "src/ks-events.h"
#include "src/kubelet/ks-runtime.h"
#include "src/store/ks-store.h"

G_BEGIN_DECLS

/* Decode text, which must hold exactly one valid document (named "test.yaml"), into a new object
 * in namespace "default".  The test fails with the decoder's messages otherwise. */
KsObject *ks_test_decode (const char *text);

/* Create obj in store, which must succeed; takes obj.  Returns the stored object (borrowed). */
KsObject *ks_test_create (KsStore *store, KsObject *obj);

/* One recorded event. */
typedef struct
{
  gint64 time;
  gboolean warning;
  char *reason;
  char *object; /* "namespace/name" */
  char *node;
  char *message;
  char *source;
} KsTestRecord;

/* An event sink that keeps every record, and each as a line
 * "[!]Reason Kind namespace/name: message" ("!" for warnings). */
typedef struct
{
  KsEventSink parent;
  GPtrArray *records; /* KsTestRecord* */
  GPtrArray *lines;   /* char* */
} KsTestSink;

void ks_test_sink_init (KsTestSink *sink);
void ks_test_sink_clear (KsTestSink *sink);

/* A runtime that only reports usage (container_stats, node_stats; its other operations are
 * NULL): what ks_test_stats_runtime_set gave it, for the container "<pod name>/<container>" and
 * for "node".  Free with ks_runtime_free. */
KsRuntime *ks_test_stats_runtime_new (void);
/* Report stats for key from now on; NULL: report nothing (it does not run). */
void ks_test_stats_runtime_set (KsRuntime *runtime, const char *key, const KsStats *stats);

/* Run every task of sim due by t (µs) and end at t.  More than max_tasks tasks (a livelock: tasks
 * due now that keep scheduling more) fails the test instead of hanging it. */
void ks_test_run_to (KsSimClock *sim, gint64 t, guint64 max_tasks);

G_END_DECLS
