/* ks-test.h: what the unit tests share: objects from YAML, store writes that must succeed, an
 * event sink that keeps what it is given, a runtime that reports set usage, scratch files, a
 * whole simulated cluster run from a scenario's text, and a thread that serves (an API server and
 * its store) while the test's own thread makes synchronous requests. */
#pragma once

#include <glib.h>

#include "real/ks-wall-clock.h"
#include "sim/ks-sim-clock.h"
#include "sim/ks-sim.h"
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

/* The first record with reason (and, if text is not NULL, a message containing text) at or after
 * from µs, or NULL. */
const KsTestRecord *ks_test_sink_find (KsTestSink *sink, const char *reason, const char *text,
                                       gint64 from);
/* How many records have reason (and, if text is not NULL, a message containing text). */
guint ks_test_sink_count (KsTestSink *sink, const char *reason, const char *text);

/* A runtime that only reports usage (container_stats, node_stats; its other operations are
 * NULL): what ks_test_stats_runtime_set gave it, for the container "<pod name>/<container>" and
 * for "node".  Free with ks_runtime_free. */
KsRuntime *ks_test_stats_runtime_new (void);
/* Report stats for key from now on; NULL: report nothing (it does not run). */
void ks_test_stats_runtime_set (KsRuntime *runtime, const char *key, const KsStats *stats);

/* Run every task of sim due by t (µs) and end at t.  More than max_tasks tasks (a livelock: tasks
 * due now that keep scheduling more) fails the test instead of hanging it. */
void ks_test_run_to (KsSimClock *sim, gint64 t, guint64 max_tasks);

/* A clock whose time stands still at now (for timestamps) but whose tasks run on wall's clock,
 * after the delay they were scheduled with (so servers that wait for timers run). */
typedef struct
{
  KsClock parent;
  KsWallClock *wall; /* not owned */
  gint64 now;
} KsTestClock;

void ks_test_clock_init (KsTestClock *clock, KsWallClock *wall, gint64 now);

/* ---- scratch files ------------------------------------------------------------------------ */

/* A new empty directory under the system's temporary one, named after template (its last six
 * characters "XXXXXX"); the test fails when it cannot be made. */
char *ks_test_scratch_dir (const char *template);

/* Remove path, a directory, and everything below it; every removal must succeed. */
void ks_test_remove_tree (const char *path);

/* Write len bytes of text (-1: up to its NUL) to dir/name, making name's folders; returns the
 * path.  The test fails when it cannot. */
char *ks_test_write_file (const char *dir, const char *name, const char *text, gssize len);

/* The same, gzip-compressed (through GIO's zlib compressor). */
char *ks_test_write_gzip (const char *dir, const char *name, const char *text);

/* ---- a simulated cluster from a scenario's text ------------------------------------------ */

typedef struct
{
  char *dir; /* scratch: the scenario's file s.yaml */
  KsScenario *scenario;
  KsSim *sim;
  KsTestSink sink; /* the sim's events, when started with record_events */
} KsTestSim;

/* Write the text of a whole scenario (printf-style) to a scratch directory, load it (a scenario
 * with errors fails the test with the first one), make the sim with seed 1, give it sink as its
 * event sink when record_events, and start it. */
void ks_test_sim_start (KsTestSim *run, gboolean record_events, const char *format, ...)
    G_GNUC_PRINTF (3, 4);

/* The object of kind (a new reference) from the sim's store, which must hold it. */
KsObject *ks_test_sim_get (KsTestSim *run, KsKindId kind, const char *ns, const char *name);

/* Free what ks_test_sim_start made and remove its directory. */
void ks_test_sim_clear (KsTestSim *run);

/* ---- a thread that serves ------------------------------------------------------------------ */

/* A thread with a main context of its own, for servers (an API server, its store) that must
 * answer while the test's thread blocks in synchronous requests.  lock and cond also serve the
 * owner's own shared fields. */
typedef struct
{
  GThread *thread; /* NULL until started; calls then run in the caller's thread */
  GMainContext *context;
  GMainLoop *loop;
  GMutex lock;
  GCond cond;
  gboolean ready;
} KsTestThread;

/* Prepare t (lock, cond): for a thread that may never be started. */
void ks_test_thread_init (KsTestThread *t);

/* Initialize t (zeroed, as GLib's fixtures are) and run func (data) in a new thread named name;
 * return once func has called ks_test_thread_ready.  func must push t->context as its
 * thread-default context, set up, call ks_test_thread_ready, run t->loop, and tear down when the
 * loop quits. */
void ks_test_thread_start (KsTestThread *t, const char *name, GThreadFunc func, gpointer data);

/* Called by the thread's func when its servers listen. */
void ks_test_thread_ready (KsTestThread *t);

typedef void (*KsTestThreadFunc) (gpointer owner, gpointer data);

/* Run func (owner, data) in t's thread (in this one when t was not started) and wait for it. */
void ks_test_thread_call (KsTestThread *t, KsTestThreadFunc func, gpointer owner, gpointer data);

/* Quit t's loop and join its thread (when started), and free what ks_test_thread_init and
 * ks_test_thread_start made. */
void ks_test_thread_stop (KsTestThread *t);

/* Drop GIO's debug messages (its socket client logs every connection): keeps test logs
 * readable. */
void ks_test_drop_gio_debug (void);

/* Run this thread's default main context until cond (data) holds; the test fails (naming what)
 * after timeout_ms. */
void ks_test_wait_for (gboolean (*cond) (gpointer data), gpointer data, const char *what,
                       guint timeout_ms);

G_END_DECLS
