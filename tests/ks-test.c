/* ks-test.c: helpers shared by the unit tests (ks-test.h). */
#include "config.h"

#include "tests/ks-test.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "src/api/ks-yaml.h"

KsObject *
ks_test_decode (const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsSource) source = ks_source_new_from_data ("test.yaml", text, -1, &error);
  g_autoptr (KsDiag) diag = ks_diag_new ();
  KsDecoder dec;
  KsObject *obj;

  g_assert_no_error (error);
  g_assert_cmpuint (ks_source_get_n_documents (source), ==, 1);
  ks_decoder_init (&dec, source, diag);
  obj = ks_object_decode (&dec, ks_source_get_document (source, 0), "default");
  ks_decoder_clear (&dec);
  for (guint i = 0; i < ks_diag_get_count (diag); i++)
    g_printerr ("problem: %s\n", ks_diag_get (diag, i));
  g_assert_cmpuint (ks_diag_get_count (diag), ==, 0);
  g_assert_nonnull (obj);
  return obj;
}

KsObject *
ks_test_create (KsStore *store, KsObject *obj)
{
  g_autoptr (GError) error = NULL;
  KsObject *stored = ks_store_create (store, obj, &error);

  g_assert_no_error (error);
  g_assert_nonnull (stored);
  ks_object_unref (obj);
  return stored;
}

static void
record_free (gpointer p)
{
  KsTestRecord *r = p;

  g_free (r->reason);
  g_free (r->object);
  g_free (r->node);
  g_free (r->message);
  g_free (r->source);
  g_free (r);
}

static void
sink_record (KsEventSink *self, const KsEventRecord *record)
{
  KsTestSink *sink = (KsTestSink *) self;
  KsTestRecord *r = g_new0 (KsTestRecord, 1);

  r->time = record->time;
  r->warning = record->warning;
  r->reason = g_strdup (record->reason);
  r->object = ks_object_key (record->object);
  r->node = g_strdup (record->node);
  r->message = g_strdup (record->message);
  r->source = g_strdup (record->source);
  g_ptr_array_add (sink->records, r);
  g_ptr_array_add (sink->lines,
                   g_strdup_printf ("%s%s %s %s: %s", record->warning ? "!" : "", record->reason,
                                    record->object->kind->name, r->object, record->message));
}

static const KsEventSinkOps sink_ops = { .record = sink_record };

void
ks_test_sink_init (KsTestSink *sink)
{
  sink->parent.ops = &sink_ops;
  sink->records = g_ptr_array_new_with_free_func (record_free);
  sink->lines = g_ptr_array_new_with_free_func (g_free);
}

void
ks_test_sink_clear (KsTestSink *sink)
{
  g_clear_pointer (&sink->records, g_ptr_array_unref);
  g_clear_pointer (&sink->lines, g_ptr_array_unref);
}

/* ---- a runtime that reports usage ---------------------------------------------------------- */

typedef struct
{
  KsRuntime parent;
  GHashTable *stats; /* "<pod>/<container>" or "node" → KsStats */
} StatsRuntime;

static gboolean
stats_lookup (KsRuntime *self, const char *key, KsStats *out)
{
  const KsStats *s = g_hash_table_lookup (((StatsRuntime *) self)->stats, key);

  if (s == NULL)
    return FALSE;
  *out = *s;
  return TRUE;
}

static gboolean
stats_container (KsRuntime *self, const KsPod *pod, const KsContainer *c, gboolean init,
                 KsStats *out)
{
  g_autofree char *key = g_strdup_printf ("%s/%s", KS_OBJECT (pod)->meta.name, c->name);

  return stats_lookup (self, key, out);
}

static gboolean
stats_node (KsRuntime *self, KsStats *out)
{
  return stats_lookup (self, "node", out);
}

static void
stats_free (KsRuntime *self)
{
  g_hash_table_unref (((StatsRuntime *) self)->stats);
  g_free (self);
}

static const KsRuntimeOps stats_ops = {
  .container_stats = stats_container,
  .node_stats = stats_node,
  .free = stats_free,
};

KsRuntime *
ks_test_stats_runtime_new (void)
{
  StatsRuntime *rt = g_new0 (StatsRuntime, 1);

  rt->parent.ops = &stats_ops;
  rt->stats = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return &rt->parent;
}

void
ks_test_stats_runtime_set (KsRuntime *runtime, const char *key, const KsStats *stats)
{
  StatsRuntime *rt = (StatsRuntime *) runtime;

  if (stats == NULL)
    g_hash_table_remove (rt->stats, key);
  else
    g_hash_table_replace (rt->stats, g_strdup (key), g_memdup2 (stats, sizeof *stats));
}

void
ks_test_run_to (KsSimClock *sim, gint64 t, guint64 max_tasks)
{
  guint64 n = 0;

  while (ks_sim_clock_step (sim, t))
    g_assert_cmpuint (++n, <, max_tasks);
  ks_sim_clock_run_until (sim, t);
  g_assert_cmpint (ks_clock_now (ks_sim_clock_get_clock (sim)), ==, t);
}

const KsTestRecord *
ks_test_sink_find (KsTestSink *sink, const char *reason, const char *text, gint64 from)
{
  for (guint i = 0; i < sink->records->len; i++)
    {
      const KsTestRecord *e = g_ptr_array_index (sink->records, i);

      if (e->time >= from && strcmp (e->reason, reason) == 0
          && (text == NULL || strstr (e->message, text) != NULL))
        return e;
    }
  return NULL;
}

guint
ks_test_sink_count (KsTestSink *sink, const char *reason, const char *text)
{
  guint n = 0;

  for (guint i = 0; i < sink->records->len; i++)
    {
      const KsTestRecord *e = g_ptr_array_index (sink->records, i);

      n += strcmp (e->reason, reason) == 0 && (text == NULL || strstr (e->message, text) != NULL);
    }
  return n;
}

static gint64
test_clock_now (KsClock *self)
{
  return ((KsTestClock *) self)->now;
}

static guint64
test_clock_schedule (KsClock *self, gint64 at, KsTaskFunc fn, gpointer data, GDestroyNotify destroy)
{
  KsTestClock *c = (KsTestClock *) self;
  KsClock *wall = ks_wall_clock_get_clock (c->wall);

  return ks_clock_schedule (wall, ks_clock_now (wall) + (at - c->now), fn, data, destroy);
}

static void
test_clock_cancel (KsClock *self, guint64 id)
{
  ks_clock_cancel (ks_wall_clock_get_clock (((KsTestClock *) self)->wall), id);
}

static const KsClockOps test_clock_ops = { test_clock_now, test_clock_schedule, test_clock_cancel };

void
ks_test_clock_init (KsTestClock *clock, KsWallClock *wall, gint64 now)
{
  clock->parent.ops = &test_clock_ops;
  clock->wall = wall;
  clock->now = now;
}

/* ---- scratch files ------------------------------------------------------------------------ */

char *
ks_test_scratch_dir (const char *template)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp (template, &error);

  g_assert_no_error (error);
  return dir;
}

void
ks_test_remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        ks_test_remove_tree (child);
      else
        g_assert_cmpint (g_unlink (child), ==, 0);
    }
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

char *
ks_test_write_file (const char *dir, const char *name, const char *text, gssize len)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, text, len, &error);
  g_assert_no_error (error);
  return path;
}

char *
ks_test_write_gzip (const char *dir, const char *name, const char *text)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileOutputStream) out
      = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_autoptr (GZlibCompressor) gzip = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr (GOutputStream) compressed = NULL;

  g_assert_no_error (error);
  compressed = g_converter_output_stream_new (G_OUTPUT_STREAM (out), G_CONVERTER (gzip));
  g_output_stream_write_all (compressed, text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (compressed, NULL, &error);
  g_assert_no_error (error);
  return path;
}

/* ---- a simulated cluster from a scenario's text ------------------------------------------ */

void
ks_test_sim_start (KsTestSim *run, gboolean record_events, const char *format, ...)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  KsDiag *diag = ks_diag_new ();
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  run->dir = ks_test_scratch_dir ("ks-test-sim-XXXXXX");
  path = ks_test_write_file (run->dir, "s.yaml", text, -1);
  run->scenario = ks_scenario_load (path, diag);
  if (run->scenario == NULL)
    g_error ("scenario: %s", ks_diag_get (diag, 0));
  ks_diag_free (diag);
  run->sim = ks_sim_new (run->scenario, 1, &error);
  g_assert_no_error (error);
  ks_test_sink_init (&run->sink);
  if (record_events)
    ks_sim_set_event_sink (run->sim, &run->sink.parent);
  g_assert_true (ks_sim_start (run->sim, &error));
  g_assert_no_error (error);
}

KsObject *
ks_test_sim_get (KsTestSim *run, KsKindId kind, const char *ns, const char *name)
{
  KsObject *obj = ks_client_get (ks_sim_get_client (run->sim), ks_kind_get (kind), ns, name, NULL);

  g_assert_nonnull (obj);
  return obj;
}

void
ks_test_sim_clear (KsTestSim *run)
{
  ks_sim_free (run->sim);
  ks_scenario_free (run->scenario);
  ks_test_sink_clear (&run->sink);
  ks_test_remove_tree (run->dir);
  g_free (run->dir);
}

/* ---- a thread that serves ------------------------------------------------------------------ */

void
ks_test_thread_init (KsTestThread *t)
{
  g_mutex_init (&t->lock);
  g_cond_init (&t->cond);
}

void
ks_test_thread_start (KsTestThread *t, const char *name, GThreadFunc func, gpointer data)
{
  ks_test_thread_init (t);
  t->context = g_main_context_new ();
  t->loop = g_main_loop_new (t->context, FALSE);
  t->thread = g_thread_new (name, func, data);
  g_mutex_lock (&t->lock);
  while (!t->ready)
    g_cond_wait (&t->cond, &t->lock);
  g_mutex_unlock (&t->lock);
}

void
ks_test_thread_ready (KsTestThread *t)
{
  g_mutex_lock (&t->lock);
  t->ready = TRUE;
  g_cond_broadcast (&t->cond);
  g_mutex_unlock (&t->lock);
}

typedef struct
{
  KsTestThread *t;
  KsTestThreadFunc func;
  gpointer owner;
  gpointer data;
  gboolean done;
} Call;

static gboolean
call_in_thread (gpointer data)
{
  Call *c = data;

  c->func (c->owner, c->data);
  g_mutex_lock (&c->t->lock);
  c->done = TRUE;
  g_cond_broadcast (&c->t->cond);
  g_mutex_unlock (&c->t->lock);
  return G_SOURCE_REMOVE;
}

void
ks_test_thread_call (KsTestThread *t, KsTestThreadFunc func, gpointer owner, gpointer data)
{
  Call c = { t, func, owner, data, FALSE };

  if (t->thread == NULL)
    {
      func (owner, data);
      return;
    }
  g_main_context_invoke (t->context, call_in_thread, &c);
  g_mutex_lock (&t->lock);
  while (!c.done)
    g_cond_wait (&t->cond, &t->lock);
  g_mutex_unlock (&t->lock);
}

void
ks_test_thread_stop (KsTestThread *t)
{
  if (t->thread != NULL)
    {
      g_main_loop_quit (t->loop);
      g_thread_join (g_steal_pointer (&t->thread));
      g_clear_pointer (&t->loop, g_main_loop_unref);
      g_clear_pointer (&t->context, g_main_context_unref);
    }
  g_mutex_clear (&t->lock);
  g_cond_clear (&t->cond);
}

static void
drop_debug (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
}

void
ks_test_drop_gio_debug (void)
{
  g_log_set_handler ("GLib-GIO", G_LOG_LEVEL_DEBUG, drop_debug, NULL);
}

static gboolean
on_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
ks_test_wait_for (gboolean (*cond) (gpointer data), gpointer data, const char *what,
                  guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, on_timeout, &timed_out);

  while (!cond (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("timed out waiting for %s", what);
  g_source_remove (id);
}
