/* ks-test.c: helpers shared by the unit tests (ks-test.h). */
#include "config.h"

#include "tests/ks-test.h"

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
