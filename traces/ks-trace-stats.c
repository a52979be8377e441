/* ks-trace-stats.c: what a trace holds (ks-trace-stats.h). */
#include "config.h"

#include "ks-trace-stats.h"

#include <math.h>
#include <string.h>

struct _KsTraceStats
{
  KsTraceCounts counts;
  GHashTable *pods;   /* distinct pod ids (owned keys) */
  GHashTable *jobs;   /* distinct jobs */
  GHashTable *nodes;  /* distinct node ids */
  GHashTable *events; /* event name → guint64 * */
  guint64 records;
  guint64 submissions;
  gboolean any_time, any_submit;
  gint64 first_time, last_time;
  gint64 first_submit, last_submit;
  gint64 cpu_milli;    /* summed over submissions */
  double memory_bytes; /* a sum of many byte counts may pass 2^63 */
  double gpus;         /* whole GPUs, or a share of them (openb gpu_milli) */
};

KsTraceStats *
ks_trace_stats_new (void)
{
  KsTraceStats *stats = g_new0 (KsTraceStats, 1);

  stats->pods = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  stats->jobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  stats->nodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  stats->events = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return stats;
}

void
ks_trace_stats_free (KsTraceStats *stats)
{
  if (stats == NULL)
    return;
  g_hash_table_unref (stats->pods);
  g_hash_table_unref (stats->jobs);
  g_hash_table_unref (stats->nodes);
  g_hash_table_unref (stats->events);
  g_free (stats);
}

/* Keys are copied only the first time they are seen. */
static void
remember (GHashTable *set, const char *key)
{
  if (key != NULL && !g_hash_table_contains (set, key))
    g_hash_table_add (set, g_strdup (key));
}

static const char *
object_kind (const KsTraceRecord *record)
{
  if (record->object == NULL || !json_object_has_member (record->object, "kind"))
    return NULL;
  return json_object_get_string_member_with_default (record->object, "kind", NULL);
}

void
ks_trace_stats_add (KsTraceStats *stats, const KsTraceRecord *record)
{
  gboolean pod = FALSE, node = FALSE, submit = FALSE;

  stats->records++;
  if (!stats->any_time || record->time < stats->first_time)
    stats->first_time = record->time;
  if (!stats->any_time || record->time > stats->last_time)
    stats->last_time = record->time;
  stats->any_time = TRUE;
  switch (record->op)
    {
    case KS_TRACE_POD_SUBMIT:
      submit = TRUE;
      pod = TRUE;
      break;
    case KS_TRACE_POD_START:
    case KS_TRACE_POD_END:
    case KS_TRACE_POD_UPDATE:
      pod = TRUE;
      break;
    case KS_TRACE_NODE_ADD:
    case KS_TRACE_NODE_UPDATE:
    case KS_TRACE_NODE_REMOVE:
      node = TRUE;
      break;
    case KS_TRACE_OBJECT:
      {
        /* The native format: a Pod or Node created or deleted. */
        const char *kind = object_kind (record);

        pod = g_strcmp0 (kind, "Pod") == 0;
        node = g_strcmp0 (kind, "Node") == 0;
        submit = pod && !record->delete;
      }
      break;
    }
  if (pod)
    {
      remember (stats->pods, record->id);
      remember (stats->jobs, record->job);
    }
  if (node)
    remember (stats->nodes, record->id);
  if (submit)
    {
      stats->submissions++;
      if (!stats->any_submit || record->time < stats->first_submit)
        stats->first_submit = record->time;
      if (!stats->any_submit || record->time > stats->last_submit)
        stats->last_submit = record->time;
      stats->any_submit = TRUE;
      if (record->cpu_milli > 0)
        stats->cpu_milli += record->cpu_milli;
      if (record->memory_bytes > 0)
        stats->memory_bytes += (double) record->memory_bytes;
      if (record->gpu > 0)
        stats->gpus += (double) record->gpu
                       * (record->gpu_milli >= 0 ? (double) record->gpu_milli / 1000.0 : 1.0);
    }
  if (record->event_name != NULL)
    {
      guint64 *count = g_hash_table_lookup (stats->events, record->event_name);

      if (count == NULL)
        {
          count = g_new0 (guint64, 1);
          g_hash_table_insert (stats->events, g_strdup (record->event_name), count);
        }
      (*count)++;
    }
}

gboolean
ks_trace_stats_read (KsTraceStats *stats, KsTraceReader *reader,
                     void (*progress) (double fraction, gpointer data), gpointer progress_data,
                     GError **error)
{
  KsTraceRecord record;
  guint64 n = 0;

  while (ks_trace_reader_next (reader, &record, error))
    {
      ks_trace_stats_add (stats, &record);
      if (progress != NULL && (++n & 0xffff) == 0)
        progress (ks_trace_reader_get_progress (reader), progress_data);
    }
  stats->counts = *ks_trace_reader_get_counts (reader);
  if (error != NULL && *error != NULL)
    return FALSE;
  if (progress != NULL)
    progress (ks_trace_reader_get_progress (reader), progress_data);
  return TRUE;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Event names in name order, so the output never depends on hash-table order. */
static GPtrArray *
sorted_events (KsTraceStats *stats)
{
  GPtrArray *names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, stats->events);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (names, key);
  g_ptr_array_sort (names, compare_names);
  return names;
}

static gboolean
arrival_rate (KsTraceStats *stats, double *per_hour)
{
  double hours;

  if (stats->submissions < 2 || stats->last_submit <= stats->first_submit)
    return FALSE;
  hours = (double) (stats->last_submit - stats->first_submit) / 3600e6;
  *per_hour = (double) stats->submissions / hours;
  return TRUE;
}

/* A byte total as an integer while it fits. */
static void
add_bytes (JsonBuilder *b, double bytes)
{
  if (bytes < 9.0e18)
    json_builder_add_int_value (b, (gint64) llround (bytes));
  else
    json_builder_add_double_value (b, bytes);
}

JsonNode *
ks_trace_stats_to_json (KsTraceStats *stats)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (GPtrArray) names = sorted_events (stats);
  double rate;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "rows");
  json_builder_add_int_value (b, (gint64) stats->counts.rows);
  json_builder_set_member_name (b, "bad_rows");
  json_builder_add_int_value (b, (gint64) stats->counts.bad_rows);
  json_builder_set_member_name (b, "late_rows");
  json_builder_add_int_value (b, (gint64) stats->counts.late_rows);
  json_builder_set_member_name (b, "records");
  json_builder_add_int_value (b, (gint64) stats->records);
  json_builder_set_member_name (b, "pods");
  json_builder_add_int_value (b, g_hash_table_size (stats->pods));
  json_builder_set_member_name (b, "jobs");
  if (g_hash_table_size (stats->jobs) > 0)
    json_builder_add_int_value (b, g_hash_table_size (stats->jobs));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "nodes");
  json_builder_add_int_value (b, g_hash_table_size (stats->nodes));
  json_builder_set_member_name (b, "submissions");
  json_builder_add_int_value (b, (gint64) stats->submissions);
  json_builder_set_member_name (b, "first_time_s");
  if (stats->any_time)
    json_builder_add_double_value (b, (double) stats->first_time / 1e6);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "last_time_s");
  if (stats->any_time)
    json_builder_add_double_value (b, (double) stats->last_time / 1e6);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "events");
  json_builder_begin_object (b);
  for (guint i = 0; i < names->len; i++)
    {
      guint64 *count = g_hash_table_lookup (stats->events, names->pdata[i]);

      json_builder_set_member_name (b, names->pdata[i]);
      json_builder_add_int_value (b, (gint64) *count);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "requested");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "cpu_cores");
  json_builder_add_double_value (b, (double) stats->cpu_milli / 1000.0);
  json_builder_set_member_name (b, "memory_bytes");
  add_bytes (b, stats->memory_bytes);
  json_builder_set_member_name (b, "gpus");
  json_builder_add_double_value (b, stats->gpus);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "arrivals_per_hour");
  if (arrival_rate (stats, &rate))
    json_builder_add_double_value (b, rate);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
ks_trace_stats_to_table (KsTraceStats *stats)
{
  GString *out = g_string_new (NULL);
  g_autoptr (GPtrArray) names = sorted_events (stats);
  double rate;

#define ROW(name, ...) g_string_append_printf (out, "%-20s " name "\n", __VA_ARGS__)
  ROW ("%" G_GUINT64_FORMAT, "rows", stats->counts.rows);
  ROW ("%" G_GUINT64_FORMAT, "bad rows", stats->counts.bad_rows);
  ROW ("%" G_GUINT64_FORMAT, "late rows", stats->counts.late_rows);
  ROW ("%" G_GUINT64_FORMAT, "records", stats->records);
  ROW ("%u", "pods", g_hash_table_size (stats->pods));
  if (g_hash_table_size (stats->jobs) > 0)
    ROW ("%u", "jobs", g_hash_table_size (stats->jobs));
  else
    ROW ("%s", "jobs", "-");
  ROW ("%u", "nodes", g_hash_table_size (stats->nodes));
  ROW ("%" G_GUINT64_FORMAT, "submissions", stats->submissions);
  if (stats->any_time)
    {
      ROW ("%.6f s", "first time", (double) stats->first_time / 1e6);
      ROW ("%.6f s", "last time", (double) stats->last_time / 1e6);
    }
  else
    {
      ROW ("%s", "first time", "-");
      ROW ("%s", "last time", "-");
    }
  ROW ("%.3f", "requested cpu cores", (double) stats->cpu_milli / 1000.0);
  ROW ("%.0f (%.1f GiB)", "requested memory", stats->memory_bytes,
       stats->memory_bytes / (double) (1 << 30));
  ROW ("%.3f", "requested gpus", stats->gpus);
  if (arrival_rate (stats, &rate))
    ROW ("%.1f", "arrivals per hour", rate);
  else
    ROW ("%s", "arrivals per hour", "-");
  if (names->len > 0)
    {
      g_string_append (out, "events\n");
      for (guint i = 0; i < names->len; i++)
        {
          guint64 *count = g_hash_table_lookup (stats->events, names->pdata[i]);

          g_string_append_printf (out, "  %-18s %" G_GUINT64_FORMAT "\n",
                                  (const char *) names->pdata[i], *count);
        }
    }
#undef ROW
  return g_string_free (out, FALSE);
}
