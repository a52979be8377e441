/* ks-compare.c: the comparison matrix: policies, runs as processes, resuming, shards, the tables.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "ks-compare.h"
#include "ks-plot.h"
#include "ks-report.h"
#include "ks-stats.h"
#include "policies/ks-policy-modules.h"
#include "src/controllers/ks-hpa.h"
#include "src/scheduler/ks-sched-config.h"

G_DEFINE_QUARK (ks - compare - error - quark, ks_compare_error)

/* ---- policies ------------------------------------------------------------------------------ */

static const char *const valid_items
    = "valid: a KubeSchedulerConfiguration file, \"scenario\" (the scenario's own scheduler), "
      "\"default\", \"LeastAllocated\", \"MostAllocated\", a score or queueSort plugin (see "
      "kubesim policies), hpa=NAME (an autoscaler policy, see kubesim policies)";

void
ks_compare_policy_free (KsComparePolicy *p)
{
  if (p == NULL)
    return;
  g_free (p->name);
  g_free (p->spec);
  g_free (p->config_file);
  g_free (p->generated);
  g_free (p->hpa_policy);
  g_free (p);
}

static gboolean
valid_name (const char *name)
{
  if (name[0] == '\0' || name[0] == '.' || strlen (name) > 100)
    return FALSE;
  for (const char *c = name; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_' && *c != '.')
      return FALSE;
  return TRUE;
}

static gboolean
looks_like_file (const char *item)
{
  return strchr (item, '/') != NULL || g_str_has_suffix (item, ".yaml")
         || g_str_has_suffix (item, ".yml") || g_str_has_suffix (item, ".json")
         || g_file_test (item, G_FILE_TEST_EXISTS);
}

/* The configuration of the built-in profile items: a scoring (default, LeastAllocated,
 * MostAllocated or a score plugin alone) and a queue sort plugin, either may be NULL. */
static char *
generate_config (const char *name, const char *spec, const char *scoring,
                 const KsSchedulerPlugin *score, const KsSchedulerPlugin *queue)
{
  GString *s = g_string_new (NULL);
  gboolean other_points = FALSE;

  g_string_append_printf (s,
                          "# Made by kubesim compare for the policy %s (%s).\n"
                          "apiVersion: kubescheduler.config.k8s.io/v1\n"
                          "kind: KubeSchedulerConfiguration\n"
                          "profiles:\n"
                          "  - schedulerName: default-scheduler\n",
                          name, spec);
  if (score != NULL)
    for (guint e = 0; e < KS_N_POINTS; e++)
      other_points |= e != KS_POINT_SCORE && ks_plugin_implements (score, e);
  if (score != NULL || queue != NULL)
    g_string_append (s, "    plugins:\n");
  if (queue != NULL)
    g_string_append_printf (s,
                            "      queueSort:\n"
                            "        disabled: [{name: \"*\"}]\n"
                            "        enabled: [{name: %s}]\n",
                            queue->name);
  if (other_points)
    g_string_append_printf (s, "      multiPoint:\n        enabled: [{name: %s}]\n", score->name);
  if (score != NULL)
    g_string_append_printf (s,
                            "      score:\n"
                            "        disabled: [{name: \"*\"}]\n"
                            "        enabled: [{name: %s}]\n",
                            score->name);
  if (scoring != NULL && score == NULL && strcmp (scoring, "default") != 0)
    g_string_append_printf (s,
                            "    pluginConfig:\n"
                            "      - name: NodeResourcesFit\n"
                            "        args:\n"
                            "          scoringStrategy:\n"
                            "            type: %s\n"
                            "            resources:\n"
                            "              - {name: cpu, weight: 1}\n"
                            "              - {name: memory, weight: 1}\n",
                            scoring);
  return g_string_free (s, FALSE);
}

static gboolean input_error (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
input_error (GError **error, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_propagate_error (error,
                     g_error_new_valist (KS_COMPARE_ERROR, KS_COMPARE_ERROR_INPUT, format, args));
  va_end (args);
  return FALSE;
}

KsComparePolicy *
ks_compare_policy_parse (const char *arg, GError **error)
{
  g_autoptr (KsComparePolicy) p = g_new0 (KsComparePolicy, 1);
  const char *eq = strchr (arg, '=');
  g_auto (GStrv) items = NULL;
  const char *scoring = NULL, *file = NULL;
  const KsSchedulerPlugin *score = NULL, *queue = NULL;
  gboolean scenario = FALSE;

  if (g_str_has_prefix (arg, "hpa=") || eq == NULL)
    p->spec = g_strdup (arg);
  else
    {
      p->name = g_strndup (arg, eq - arg);
      p->spec = g_strdup (eq + 1);
    }
  if (p->spec[0] == '\0')
    {
      input_error (error, "--policy %s: nothing after \"=\" (%s)", arg, valid_items);
      return NULL;
    }
  items = g_strsplit (p->spec, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      const char *item = items[i];
      const KsSchedulerPlugin *plugin;
      gboolean conflict = FALSE;

      if (g_str_has_prefix (item, "hpa="))
        {
          if (ks_autoscaler_policy_lookup (item + 4) == NULL)
            {
              g_autofree char *names = ks_autoscaler_policy_names ();

              input_error (error, "--policy %s: unknown autoscaler policy \"%s\" (valid: %s)", arg,
                           item + 4, names);
              return NULL;
            }
          if (p->hpa_policy != NULL)
            {
              input_error (error, "--policy %s: more than one hpa= item", arg);
              return NULL;
            }
          p->hpa_policy = g_strdup (item + 4);
          continue;
        }
      if (strcmp (item, "scenario") == 0)
        {
          conflict = scenario || file != NULL || scoring != NULL || queue != NULL;
          scenario = TRUE;
        }
      else if (strcmp (item, "default") == 0 || strcmp (item, "LeastAllocated") == 0
               || strcmp (item, "MostAllocated") == 0)
        {
          conflict = scoring != NULL || scenario || file != NULL;
          scoring = item;
        }
      else if ((plugin = ks_scheduler_plugin_lookup (item)) != NULL
               && (ks_plugin_implements (plugin, KS_POINT_SCORE)
                   || ks_plugin_implements (plugin, KS_POINT_QUEUE_SORT)))
        {
          if (ks_plugin_implements (plugin, KS_POINT_QUEUE_SORT))
            {
              conflict = queue != NULL || scenario || file != NULL;
              queue = plugin;
            }
          else
            {
              conflict = scoring != NULL || scenario || file != NULL;
              scoring = item;
              score = plugin;
            }
        }
      else if (plugin != NULL)
        {
          input_error (error,
                       "--policy %s: plugin %s has neither a score nor a queueSort extension "
                       "point; enable it with a KubeSchedulerConfiguration file",
                       arg, item);
          return NULL;
        }
      else if (looks_like_file (item))
        {
          g_autoptr (KsSchedulerConfig) config = NULL;
          g_autoptr (GError) local = NULL;
          conflict = file != NULL || scenario || scoring != NULL || queue != NULL;
          file = item;
          if (!conflict && (config = ks_scheduler_config_load_file (item, &local)) == NULL)
            {
              input_error (error, "%s\n--policy %s: %s is not a usable KubeSchedulerConfiguration",
                           local->message, arg, item);
              return NULL;
            }
        }
      else
        {
          input_error (error, "--policy %s: unknown policy \"%s\" (%s)", arg, item, valid_items);
          return NULL;
        }
      if (conflict)
        {
          input_error (error,
                       "--policy %s: \"%s\" conflicts with an earlier item: a policy has at most "
                       "one configuration file or \"scenario\", or else at most one scoring "
                       "(default, LeastAllocated, MostAllocated, a score plugin) and one queueSort "
                       "plugin",
                       arg, item);
          return NULL;
        }
    }
  if (p->name == NULL)
    {
      if (items[1] != NULL || g_str_has_prefix (p->spec, "hpa="))
        p->name = g_strdelimit (g_strdup (p->spec), ",=/", '-');
      else if (file != NULL)
        {
          char *base = g_path_get_basename (file);
          char *dot = strrchr (base, '.');
          if (dot != NULL && dot != base)
            *dot = '\0';
          p->name = base;
        }
      else
        p->name = g_strdup (p->spec);
    }
  if (!valid_name (p->name))
    {
      input_error (error,
                   "--policy %s: bad policy name \"%s\": letters, digits, '-', '_' and '.', not "
                   "starting with '.' (write NAME=SPEC)",
                   arg, p->name);
      return NULL;
    }
  if (file != NULL)
    p->config_file = g_strdup (file);
  else if (scoring != NULL || queue != NULL)
    p->generated = generate_config (p->name, p->spec, scoring, score, queue);
  return g_steal_pointer (&p);
}

/* ---- metrics ------------------------------------------------------------------------------- */

static const KsCompareMetric metrics[] = {
  { "sched_latency_p50", "s", "scheduling latency (creation to binding), median over pods" },
  { "sched_latency_p95", "s", "scheduling latency, 95th percentile" },
  { "sched_latency_p99", "s", "scheduling latency, 99th percentile" },
  { "pending_pod_seconds", "pod·s", "time pods spent Pending without a node, summed" },
  { "pods_never_scheduled", "pods", "pods created without a node and never bound" },
  { "makespan", "s", "first pod created to last pod finished (Succeeded or Failed)" },
  { "cpu_allocated", "ratio", "time-weighted mean of requested / allocatable cpu" },
  { "memory_allocated", "ratio", "time-weighted mean of requested / allocatable memory" },
  { "gpu_allocated", "ratio", "time-weighted mean of requested / allocatable nvidia.com/gpu" },
  { "cpu_used", "ratio", "time-weighted mean of used (modelled) / allocatable cpu" },
  { "memory_used", "ratio", "time-weighted mean of used (modelled) / allocatable memory" },
  { "gpu_used", "ratio", "time-weighted mean of GPUs of running pods / allocatable" },
  { "fragmentation", "ratio", "mean share of free cpu unusable by the median pending request" },
  { "evictions", "pods", "pods evicted by the cluster (kubelet, taint manager, pod GC)" },
  { "preemptions", "pods", "pods preempted by the scheduler (victims)" },
  { "node_hours", "h", "nodes present, integrated over the run" },
  { "service_latency_p95", "s", "the worst Service's 95th percentile request latency" },
  { "slo_violations", "count", "expectations of the scenario that failed" },
};

const KsCompareMetric *
ks_compare_metrics (guint *n)
{
  *n = G_N_ELEMENTS (metrics);
  return metrics;
}

const KsCompareMetric *
ks_compare_metric_lookup (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (metrics); i++)
    if (strcmp (metrics[i].name, name) == 0)
      return &metrics[i];
  return NULL;
}

/* A number at object.a.b (NULL b: object.a); FALSE when missing or null. */
static gboolean
number_at (JsonObject *o, const char *a, const char *b, double *out)
{
  JsonNode *n;

  if (o == NULL || !json_object_has_member (o, a))
    return FALSE;
  n = json_object_get_member (o, a);
  if (b != NULL)
    {
      if (!JSON_NODE_HOLDS_OBJECT (n) || !json_object_has_member (json_node_get_object (n), b))
        return FALSE;
      n = json_object_get_member (json_node_get_object (n), b);
    }
  if (!JSON_NODE_HOLDS_VALUE (n))
    return FALSE;
  *out = json_node_get_double (n);
  return TRUE;
}

gboolean
ks_compare_metric_value (JsonObject *s, const KsCompareMetric *m, double *out)
{
  const char *name = m->name;

  if (g_str_has_prefix (name, "sched_latency_"))
    return number_at (s, "scheduling_latency_s", name + strlen ("sched_latency_"), out);
  if (strcmp (name, "pending_pod_seconds") == 0 || strcmp (name, "pods_never_scheduled") == 0
      || strcmp (name, "evictions") == 0 || strcmp (name, "node_hours") == 0
      || strcmp (name, "fragmentation") == 0)
    return number_at (s, "totals", name, out);
  if (strcmp (name, "makespan") == 0)
    return number_at (s, "totals", "makespan_s", out);
  if (g_str_has_suffix (name, "_allocated") || g_str_has_suffix (name, "_used"))
    {
      g_autofree char *key = g_strdup_printf ("mean_%s_ratio", name);
      return number_at (s, "totals", key, out);
    }
  if (strcmp (name, "preemptions") == 0)
    return number_at (s, "preemption", "victims", out);
  if (strcmp (name, "service_latency_p95") == 0)
    {
      JsonObject *services;
      g_autoptr (GList) members = NULL;
      gboolean any = FALSE;
      if (!json_object_has_member (s, "services")
          || (services = json_object_get_object_member (s, "services")) == NULL)
        return FALSE;
      members = json_object_get_members (services);
      for (GList *l = members; l != NULL; l = l->next)
        {
          double v;
          if (number_at (json_object_get_object_member (services, l->data), "latency_s", "p95", &v))
            {
              *out = any ? MAX (*out, v) : v;
              any = TRUE;
            }
        }
      return any;
    }
  if (strcmp (name, "slo_violations") == 0)
    {
      JsonArray *a;
      guint failed = 0;
      if (!json_object_has_member (s, "expectations")
          || (a = json_object_get_array_member (s, "expectations")) == NULL
          || json_array_get_length (a) == 0)
        return FALSE;
      for (guint i = 0; i < json_array_get_length (a); i++)
        failed += g_strcmp0 (json_object_get_string_member_with_default (
                                 json_array_get_object_element (a, i), "status", ""),
                             "failed")
                  == 0;
      *out = failed;
      return TRUE;
    }
  return FALSE;
}

/* ---- the matrix ---------------------------------------------------------------------------- */

typedef enum
{
  RUN_TODO,
  RUN_DONE,   /* summary.json read */
  RUN_FAILED, /* the process ended without a complete run */
  RUN_OTHER_SHARD,
} RunState;

typedef struct
{
  guint policy, seed_index;
  guint64 seed;
  char *dir;
  char *fingerprint;
  RunState state;
  int exit_status;
  double *values; /* per metric of the full list; NAN: none */
} Run;

typedef struct
{
  /* The matrix (what compare.json records): */
  char *scenario; /* the scenario, or the trace's paths joined by spaces */
  char *scenario_sha256;
  GPtrArray *replay;  /* char*: the replay options of a trace, or NULL */
  GPtrArray *names;   /* char*: the policies' names */
  GPtrArray *specs;   /* char*: their specs */
  GArray *seeds;      /* guint64 */
  GPtrArray *metrics; /* const KsCompareMetric*: compared */
  guint baseline;
  char *duration;

  GPtrArray *runs; /* Run*, policy-major, seeds in order */
} Matrix;

static void
run_free (gpointer data)
{
  Run *r = data;
  g_free (r->dir);
  g_free (r->fingerprint);
  g_free (r->values);
  g_free (r);
}

static void
matrix_clear (Matrix *m)
{
  g_free (m->scenario);
  g_free (m->scenario_sha256);
  g_clear_pointer (&m->replay, g_ptr_array_unref);
  g_clear_pointer (&m->names, g_ptr_array_unref);
  g_clear_pointer (&m->specs, g_ptr_array_unref);
  g_clear_pointer (&m->seeds, g_array_unref);
  g_clear_pointer (&m->metrics, g_ptr_array_unref);
  g_free (m->duration);
  g_clear_pointer (&m->runs, g_ptr_array_unref);
}

static void
matrix_add_runs (Matrix *m, const char *out_dir)
{
  m->runs = g_ptr_array_new_with_free_func (run_free);
  for (guint p = 0; p < m->names->len; p++)
    for (guint s = 0; s < m->seeds->len; s++)
      {
        Run *r = g_new0 (Run, 1);
        char seed_dir[40];
        r->policy = p;
        r->seed_index = s;
        r->seed = g_array_index (m->seeds, guint64, s);
        g_snprintf (seed_dir, sizeof seed_dir, "seed-%" G_GUINT64_FORMAT, r->seed);
        r->dir = g_build_filename (out_dir, "runs", (char *) m->names->pdata[p], seed_dir, NULL);
        r->values = g_new (double, G_N_ELEMENTS (metrics));
        for (guint i = 0; i < G_N_ELEMENTS (metrics); i++)
          r->values[i] = NAN;
        g_ptr_array_add (m->runs, r);
      }
}

/* compare.json's "matrix": what must agree between shards. */
static JsonNode *
matrix_to_json (const Matrix *m)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "scenario");
  json_builder_add_string_value (b, m->scenario);
  json_builder_set_member_name (b, "scenario_sha256");
  json_builder_add_string_value (b, m->scenario_sha256);
  if (m->replay != NULL)
    {
      json_builder_set_member_name (b, "replay");
      json_builder_begin_array (b);
      for (guint i = 0; i < m->replay->len; i++)
        json_builder_add_string_value (b, m->replay->pdata[i]);
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "duration");
  if (m->duration != NULL)
    json_builder_add_string_value (b, m->duration);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "policies");
  json_builder_begin_array (b);
  for (guint i = 0; i < m->names->len; i++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, m->names->pdata[i]);
      json_builder_set_member_name (b, "spec");
      json_builder_add_string_value (b, m->specs->pdata[i]);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "seeds");
  json_builder_begin_array (b);
  /* As strings: 64-bit seeds do not survive JSON's doubles. */
  for (guint i = 0; i < m->seeds->len; i++)
    {
      char buf[24];
      g_snprintf (buf, sizeof buf, "%" G_GUINT64_FORMAT, g_array_index (m->seeds, guint64, i));
      json_builder_add_string_value (b, buf);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "metrics");
  json_builder_begin_array (b);
  for (guint i = 0; i < m->metrics->len; i++)
    json_builder_add_string_value (b, ((const KsCompareMetric *) m->metrics->pdata[i])->name);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "baseline");
  json_builder_add_string_value (b, m->names->pdata[m->baseline]);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
write_manifest (const Matrix *m, const char *out_dir, guint shard, guint n_shards, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL, *path = g_build_filename (out_dir, "compare.json", NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kubesim_compare");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "matrix");
  json_builder_add_value (b, matrix_to_json (m));
  json_builder_set_member_name (b, "shard");
  if (n_shards > 0)
    {
      g_autofree char *s = g_strdup_printf ("%u/%u", shard, n_shards);
      json_builder_add_string_value (b, s);
    }
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  return g_file_set_contents (path, text, -1, error);
}

/* ---- reading runs -------------------------------------------------------------------------- */

static JsonParser *
load_summary (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "summary.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_file (parser, path, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return g_steal_pointer (&parser);
}

static void
read_values (Run *r, JsonObject *summary)
{
  for (guint i = 0; i < G_N_ELEMENTS (metrics); i++)
    if (!ks_compare_metric_value (summary, &metrics[i], &r->values[i]))
      r->values[i] = NAN;
}

/* A run is complete when its summary.json (renamed into place last by the recorder) is there
 * and its inputs.sha256 says it was made from the same inputs. */
static gboolean
run_complete (Run *r)
{
  g_autofree char *path = g_build_filename (r->dir, "inputs.sha256", NULL);
  g_autofree char *text = NULL;
  g_autoptr (JsonParser) parser = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL) || strcmp (g_strchomp (text), r->fingerprint))
    return FALSE;
  if ((parser = load_summary (r->dir)) == NULL)
    return FALSE;
  read_values (r, json_node_get_object (json_parser_get_root (parser)));
  return TRUE;
}

/* ---- the tables ---------------------------------------------------------------------------- */

static void
append_number (GString *s, double v, const char *format)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  if (!isnan (v))
    g_string_append (s, g_ascii_formatd (buf, sizeof buf, format, v));
}

static guint
metric_index (const KsCompareMetric *m)
{
  return m - metrics;
}

static char *
runs_csv (const Matrix *m)
{
  GString *s = g_string_new ("policy,seed,status");

  for (guint i = 0; i < G_N_ELEMENTS (metrics); i++)
    g_string_append_printf (s, ",%s", metrics[i].name);
  g_string_append_c (s, '\n');
  for (guint k = 0; k < m->runs->len; k++)
    {
      const Run *r = g_ptr_array_index (m->runs, k);
      if (r->state == RUN_OTHER_SHARD)
        continue;
      g_string_append_printf (s, "%s,%" G_GUINT64_FORMAT ",%s", (char *) m->names->pdata[r->policy],
                              r->seed,
                              r->state == RUN_DONE     ? "ok"
                              : r->state == RUN_FAILED ? "failed"
                                                       : "missing");
      for (guint i = 0; i < G_N_ELEMENTS (metrics); i++)
        {
          g_string_append_c (s, ',');
          append_number (s, r->values[i], "%.10g");
        }
      g_string_append_c (s, '\n');
    }
  return g_string_free (s, FALSE);
}

typedef struct
{
  KsSummaryStats stats;
  guint pairs;
  double diff;
  KsPairedT t;
  KsWilcoxon w;
  gboolean is_baseline;
} Row;

static const Run *
run_at (const Matrix *m, guint policy, guint seed)
{
  return g_ptr_array_index (m->runs, policy * m->seeds->len + seed);
}

static void
compute_row (const Matrix *m, guint policy, const KsCompareMetric *metric, Row *row)
{
  guint mi = metric_index (metric), n = 0, pairs = 0;
  g_autofree double *x = g_new (double, m->seeds->len + 1);
  g_autofree double *px = g_new (double, m->seeds->len + 1);
  g_autofree double *py = g_new (double, m->seeds->len + 1);

  memset (row, 0, sizeof *row);
  row->is_baseline = policy == m->baseline;
  for (guint s = 0; s < m->seeds->len; s++)
    {
      const Run *r = run_at (m, policy, s), *b = run_at (m, m->baseline, s);
      double v = r->state == RUN_DONE ? r->values[mi] : NAN;
      double bv = b->state == RUN_DONE ? b->values[mi] : NAN;
      if (isnan (v))
        continue;
      x[n++] = v;
      if (!isnan (bv))
        {
          px[pairs] = v;
          py[pairs] = bv;
          pairs++;
        }
    }
  ks_stats_summarize (x, n, &row->stats);
  row->pairs = pairs;
  ks_stats_paired_t (px, py, pairs, &row->t);
  ks_stats_wilcoxon (px, py, pairs, &row->w);
  row->diff = row->t.mean_diff;
}

static const char *
significance (const Row *row)
{
  gboolean t = !isnan (row->t.p) && row->t.p < 0.05;
  gboolean w = !isnan (row->w.p) && row->w.p < 0.05;

  if (row->is_baseline || (isnan (row->t.p) && isnan (row->w.p)))
    return "";
  return t && w ? "both" : t ? "t" : w ? "wilcoxon" : "no";
}

static char *
comparison_csv (const Matrix *m)
{
  GString *s = g_string_new ("policy,metric,n,mean,sd,ci95_low,ci95_high,median,baseline,pairs,"
                             "diff,t_p,wilcoxon_p,wilcoxon_method,significant\n");

  for (guint mi = 0; mi < m->metrics->len; mi++)
    for (guint p = 0; p < m->names->len; p++)
      {
        const KsCompareMetric *metric = m->metrics->pdata[mi];
        Row row;
        compute_row (m, p, metric, &row);
        g_string_append_printf (s, "%s,%s,%u,", (char *) m->names->pdata[p], metric->name,
                                row.stats.n);
        append_number (s, row.stats.mean, "%.10g");
        g_string_append_c (s, ',');
        append_number (s, row.stats.sd, "%.10g");
        g_string_append_c (s, ',');
        append_number (s, row.stats.ci_low, "%.10g");
        g_string_append_c (s, ',');
        append_number (s, row.stats.ci_high, "%.10g");
        g_string_append_c (s, ',');
        append_number (s, row.stats.median, "%.10g");
        g_string_append_printf (s, ",%s,", (char *) m->names->pdata[m->baseline]);
        if (row.is_baseline)
          {
            g_string_append (s, ",,,,,\n");
            continue;
          }
        g_string_append_printf (s, "%u,", row.pairs);
        append_number (s, row.diff, "%.10g");
        g_string_append_c (s, ',');
        append_number (s, row.t.p, "%.6g");
        g_string_append_c (s, ',');
        append_number (s, row.w.p, "%.6g");
        g_string_append_printf (s, ",%s,%s\n",
                                isnan (row.w.p) ? ""
                                : row.w.n == 0  ? "all-zero"
                                : row.w.exact   ? "exact"
                                                : "normal",
                                significance (&row));
      }
  return g_string_free (s, FALSE);
}

static char *
cell (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  return isnan (v) ? g_strdup ("-") : g_strdup (g_ascii_formatd (buf, sizeof buf, "%.4g", v));
}

static void
print_table (const Matrix *m)
{
  int width = (int) strlen ("POLICY");

  for (guint p = 0; p < m->names->len; p++)
    width = MAX (width, (int) strlen (m->names->pdata[p]));
  printf ("%-20s  %-*s  %3s  %10s  %23s  %10s  %11s  %8s  %8s  %s\n", "METRIC", width, "POLICY",
          "N", "MEAN", "95% CI", "MEDIAN", "DIFF", "P(T)", "P(W)", "SIGNIFICANT");
  for (guint mi = 0; mi < m->metrics->len; mi++)
    for (guint p = 0; p < m->names->len; p++)
      {
        const KsCompareMetric *metric = m->metrics->pdata[mi];
        Row row;
        g_autofree char *mean = NULL, *lo = NULL, *hi = NULL, *median = NULL, *ci = NULL;
        g_autofree char *diff = NULL, *tp = NULL, *wp = NULL, *line = NULL;
        compute_row (m, p, metric, &row);
        mean = cell (row.stats.mean);
        lo = cell (row.stats.ci_low);
        hi = cell (row.stats.ci_high);
        median = cell (row.stats.median);
        ci = isnan (row.stats.ci_low) ? g_strdup ("-") : g_strdup_printf ("[%s, %s]", lo, hi);
        if (row.is_baseline)
          {
            diff = g_strdup ("(baseline)");
            tp = g_strdup ("");
            wp = g_strdup ("");
          }
        else
          {
            diff = cell (row.diff);
            tp = cell (row.t.p);
            wp = cell (row.w.p);
          }
        line = g_strdup_printf ("%-20s  %-*s  %3u  %10s  %23s  %10s  %11s  %8s  %8s  %s",
                                p == 0 ? metric->name : "", width, (char *) m->names->pdata[p],
                                row.stats.n, mean, ci, median, diff, tp, wp, significance (&row));
        /* The baseline's empty columns leave no trailing blanks. */
        printf ("%s\n", g_strchomp (line));
      }
}

/* DIR/report.html (ks-report.h), from the files just written. */
static gboolean
write_report (const char *out_dir, GError **error)
{
  g_autofree char *html = g_build_filename (out_dir, "report.html", NULL);
  g_autofree char *gnuplot = ks_plot_find_gnuplot ();
  g_autoptr (GError) local = NULL;
  char *dirs[] = { (char *) out_dir, NULL };

  if (gnuplot == NULL)
    g_printerr ("kubesim compare: gnuplot is not on PATH (Debian: gnuplot-nox): %s has the "
                "tables but no figures\n",
                html);
  if (!ks_report_write (dirs, html, gnuplot, &local))
    {
      g_set_error (error, KS_COMPARE_ERROR, KS_COMPARE_ERROR_FAILED, "the report: %s",
                   local->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_results (const Matrix *m, const char *out_dir, GError **error)
{
  g_autofree char *runs = runs_csv (m), *comparison = comparison_csv (m);
  g_autofree char *runs_path = g_build_filename (out_dir, "runs.csv", NULL);
  g_autofree char *comparison_path = g_build_filename (out_dir, "comparison.csv", NULL);

  if (!g_file_set_contents (runs_path, runs, -1, error)
      || !g_file_set_contents (comparison_path, comparison, -1, error))
    return FALSE;
  print_table (m);
  fflush (stdout);
  return write_report (out_dir, error);
}

/* ---- running ------------------------------------------------------------------------------- */

typedef struct
{
  const KsCompareOptions *o;
  Matrix *m;
  GPtrArray *todo; /* Run* */
  guint next, running, done, failed;
  GPtrArray *procs; /* GSubprocess* running */
  gboolean interrupted;
} Compare;

static Compare *current; /* for ks_compare_interrupt */

static char *
file_sha256 (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize len;

  if (!g_file_get_contents (path, &text, &len, error))
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text, len);
}

static gint
cmp_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Feed path's contents (a directory: its entries' names and contents, in name order) to sum. */
static gboolean
hash_path (GChecksum *sum, const char *path, GError **error)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, error);
      g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;
      if (dir == NULL)
        return FALSE;
      while ((name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, cmp_names);
      for (guint i = 0; i < names->len; i++)
        {
          g_autofree char *child = g_build_filename (path, names->pdata[i], NULL);
          g_checksum_update (sum, (const guchar *) names->pdata[i], -1);
          g_checksum_update (sum, (const guchar *) "", 1);
          if (!hash_path (sum, child, error))
            return FALSE;
        }
      return TRUE;
    }
  else
    {
      /* Traces run to gigabytes: streamed, never read whole. */
      FILE *f = fopen (path, "rb");
      guchar buf[65536];
      size_t n;
      gboolean ok;
      if (f == NULL)
        {
          int saved = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s",
                       g_strerror (saved));
          return FALSE;
        }
      while ((n = fread (buf, 1, sizeof buf, f)) > 0)
        g_checksum_update (sum, buf, n);
      ok = !ferror (f);
      fclose (f);
      if (!ok)
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, "read error");
      return ok;
    }
}

/* What a trace comparison's runs are made from: the traces' contents, the replay options (those
 * naming files by their contents). */
static char *
trace_sha256 (const KsCompareOptions *o, GError **error)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint i = 0; o->traces[i] != NULL; i++)
    {
      g_autoptr (GError) local = NULL;
      g_checksum_update (sum, (const guchar *) "trace\n", -1);
      if (!hash_path (sum, o->traces[i], &local))
        {
          input_error (error, "%s: %s", o->traces[i], local->message);
          return NULL;
        }
    }
  for (guint i = 0; o->replay_args != NULL && o->replay_args[i] != NULL; i++)
    {
      const char *arg = o->replay_args[i];
      g_checksum_update (sum, (const guchar *) "\n", 1);
      if (g_str_has_prefix (arg, "--nodes=") || g_str_has_prefix (arg, "--cluster="))
        g_checksum_update (sum, (const guchar *) arg, strchr (arg, '=') - arg);
      else
        g_checksum_update (sum, (const guchar *) arg, -1);
    }
  for (guint i = 0; o->replay_files != NULL && o->replay_files[i] != NULL; i++)
    {
      g_autoptr (GError) local = NULL;
      g_checksum_update (sum, (const guchar *) "file\n", -1);
      if (!hash_path (sum, o->replay_files[i], &local))
        {
          input_error (error, "%s: %s", o->replay_files[i], local->message);
          return NULL;
        }
    }
  return g_strdup (g_checksum_get_string (sum));
}

static char *
fingerprint (const KsCompareOptions *o, const Matrix *m, const KsComparePolicy *p, guint64 seed)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *config = NULL;
  char buf[24];

  g_checksum_update (sum, (const guchar *) "kubesim compare run 1", -1);
#define PART(text)                                                                                 \
  do                                                                                               \
    {                                                                                              \
      g_checksum_update (sum, (const guchar *) "\n", 1);                                           \
      g_checksum_update (sum, (const guchar *) ((text) != NULL ? (text) : "(none)"), -1);          \
    }                                                                                              \
  while (0)
  PART (PACKAGE_VERSION);
  PART (m->scenario_sha256);
  PART (p->spec);
  if (p->config_file != NULL)
    g_file_get_contents (p->config_file, &config, NULL, NULL);
  PART (config);
  PART (p->generated);
  PART (p->hpa_policy);
  g_snprintf (buf, sizeof buf, "%" G_GUINT64_FORMAT, seed);
  PART (buf);
  PART (o->duration);
  for (guint i = 0; o->policy_path != NULL && o->policy_path[i] != NULL; i++)
    PART (o->policy_path[i]);
#undef PART
  return g_strdup (g_checksum_get_string (sum));
}

static void start_jobs (Compare *c);

static void
child_setup (gpointer data)
{
  /* A run does not outlive compare (killed, the terminal closed). */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

typedef struct
{
  Compare *c;
  Run *run;
  GSubprocess *proc;
  gint64 start;
} Job;

static void
job_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Job *job = data;
  Compare *c = job->c;
  Run *r = job->run;
  double wall = (double) (g_get_monotonic_time () - job->start) / G_USEC_PER_SEC;

  g_subprocess_wait_finish (job->proc, result, NULL);
  r->exit_status = g_subprocess_get_if_exited (job->proc)
                       ? g_subprocess_get_exit_status (job->proc)
                       : 128 + g_subprocess_get_term_sig (job->proc);
  g_ptr_array_remove (c->procs, job->proc);
  c->running--;
  c->done++;
  /* Exit 1 with a summary: an expectation failed, which is a result (slo_violations). */
  if (run_complete (r))
    r->state = RUN_DONE;
  else
    {
      r->state = RUN_FAILED;
      c->failed++;
    }
  if (!c->o->quiet || r->state == RUN_FAILED)
    g_printerr ("[%u/%u] %s seed %" G_GUINT64_FORMAT ": %s (%.1fs)%s%s%s\n", c->done, c->todo->len,
                (char *) c->m->names->pdata[r->policy], r->seed,
                r->state == RUN_DONE ? "done"
                : c->interrupted     ? "interrupted"
                                     : "FAILED",
                wall, r->state == RUN_FAILED && !c->interrupted ? ": see " : "",
                r->state == RUN_FAILED && !c->interrupted ? r->dir : "",
                r->state == RUN_FAILED && !c->interrupted ? "/run.log" : "");
  g_object_unref (job->proc);
  g_free (job);
  start_jobs (c);
}

static gboolean
launch (Compare *c, Run *r, GError **error)
{
  const KsCompareOptions *o = c->o;
  const KsComparePolicy *p = g_ptr_array_index (o->policies, r->policy);
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autofree char *log = g_build_filename (r->dir, "run.log", NULL);
  g_autofree char *sum_path = g_build_filename (r->dir, "inputs.sha256", NULL);
  g_autofree char *summary = g_build_filename (r->dir, "summary.json", NULL);
  g_autofree char *fp = g_strconcat (r->fingerprint, "\n", NULL);
  Job *job;

  if (g_mkdir_with_parents (r->dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, KS_COMPARE_ERROR, KS_COMPARE_ERROR_FAILED, "cannot create %s: %s", r->dir,
                   g_strerror (saved));
      return FALSE;
    }
  /* The old summary goes before the new inputs are recorded: never the one with the other. */
  if ((g_unlink (summary) != 0 && errno != ENOENT)
      || !g_file_set_contents (sum_path, fp, -1, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, KS_COMPARE_ERROR, KS_COMPARE_ERROR_FAILED, "cannot remove %s", summary);
      return FALSE;
    }
  g_ptr_array_add (argv, g_strdup (o->kubesim));
  g_ptr_array_add (argv, g_strdup (o->scenario != NULL ? "run" : "replay"));
  g_ptr_array_add (argv, g_strdup ("--quiet"));
  g_ptr_array_add (argv, g_strdup_printf ("--seed=%" G_GUINT64_FORMAT, r->seed));
  g_ptr_array_add (argv, g_strdup_printf ("--out=%s", r->dir));
  if (p->config_file != NULL || p->generated != NULL)
    {
      g_autofree char *name = g_strconcat (p->name, ".yaml", NULL);
      g_autofree char *made = g_build_filename (o->out_dir, "policies", name, NULL);
      g_ptr_array_add (
          argv, g_strdup_printf ("--config=%s", p->config_file != NULL ? p->config_file : made));
    }
  if (p->hpa_policy != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--hpa-policy=%s", p->hpa_policy));
  if (o->duration != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--duration=%s", o->duration));
  for (guint i = 0; o->policy_path != NULL && o->policy_path[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup_printf ("--policy-path=%s", o->policy_path[i]));
  for (guint i = 0; o->scenario == NULL && o->replay_args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (o->replay_args[i]));
  g_ptr_array_add (argv, g_strdup ("--"));
  if (o->scenario != NULL)
    g_ptr_array_add (argv, g_strdup (o->scenario));
  for (guint i = 0; o->scenario == NULL && o->traces[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (o->traces[i]));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  job = g_new0 (Job, 1);
  job->c = c;
  job->run = r;
  job->start = g_get_monotonic_time ();
  job->proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, error);
  if (job->proc == NULL)
    {
      g_free (job);
      return FALSE;
    }
  g_ptr_array_add (c->procs, job->proc);
  c->running++;
  g_subprocess_wait_async (job->proc, NULL, job_done, job);
  return TRUE;
}

static void
start_jobs (Compare *c)
{
  while (!c->interrupted && c->running < c->o->jobs && c->next < c->todo->len)
    {
      Run *r = g_ptr_array_index (c->todo, c->next++);
      g_autoptr (GError) error = NULL;
      if (!launch (c, r, &error))
        {
          g_printerr ("kubesim compare: %s\n", error->message);
          r->state = RUN_FAILED;
          c->failed++;
          c->done++;
        }
    }
}

void
ks_compare_interrupt (void)
{
  if (current == NULL)
    return;
  current->interrupted = TRUE;
  for (guint i = 0; i < current->procs->len; i++)
    g_subprocess_send_signal (g_ptr_array_index (current->procs, i), SIGTERM);
}

static gboolean
write_policies (const KsCompareOptions *o, GError **error)
{
  g_autofree char *dir = g_build_filename (o->out_dir, "policies", NULL);

  for (guint i = 0; i < o->policies->len; i++)
    {
      const KsComparePolicy *p = g_ptr_array_index (o->policies, i);
      g_autofree char *name = g_strconcat (p->name, ".yaml", NULL);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr (KsSchedulerConfig) config = NULL;
      if (p->generated == NULL)
        continue;
      if (g_mkdir_with_parents (dir, 0755) != 0
          || !g_file_set_contents (path, p->generated, -1, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, KS_COMPARE_ERROR, KS_COMPARE_ERROR_FAILED, "cannot create %s", dir);
          return FALSE;
        }
      /* What was made must load: a mistake here is kubesim's, but say so before running. */
      config = ks_scheduler_config_load_file (path, error);
      if (config == NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
matrix_init (Matrix *m, const KsCompareOptions *o, GError **error)
{
  g_autoptr (GError) local = NULL;

  memset (m, 0, sizeof *m);
  if (o->scenario != NULL)
    {
      m->scenario = g_strdup (o->scenario);
      m->scenario_sha256 = file_sha256 (o->scenario, &local);
      if (m->scenario_sha256 == NULL)
        return input_error (error, "%s: %s", o->scenario, local->message);
    }
  else
    {
      m->scenario = g_strjoinv (" ", o->traces);
      m->replay = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; o->replay_args != NULL && o->replay_args[i] != NULL; i++)
        g_ptr_array_add (m->replay, g_strdup (o->replay_args[i]));
      m->scenario_sha256 = trace_sha256 (o, error);
      if (m->scenario_sha256 == NULL)
        return FALSE;
    }
  m->names = g_ptr_array_new ();
  m->specs = g_ptr_array_new ();
  for (guint i = 0; i < o->policies->len; i++)
    {
      const KsComparePolicy *p = g_ptr_array_index (o->policies, i);
      for (guint j = 0; j < i; j++)
        if (strcmp (p->name, m->names->pdata[j]) == 0)
          return input_error (
              error, "two policies are named \"%s\": name them (--policy NAME=SPEC)", p->name);
      g_ptr_array_add (m->names, p->name);
      g_ptr_array_add (m->specs, p->spec);
      if (o->baseline != NULL && strcmp (o->baseline, p->name) == 0)
        m->baseline = i;
    }
  if (o->baseline != NULL && strcmp (o->baseline, m->names->pdata[m->baseline]) != 0)
    {
      g_autofree char *names = NULL;
      g_ptr_array_add (m->names, NULL);
      names = g_strjoinv (", ", (char **) m->names->pdata);
      g_ptr_array_remove_index (m->names, m->names->len - 1);
      return input_error (error, "--baseline %s: no such policy (the policies: %s)", o->baseline,
                          names);
    }
  m->seeds = g_array_ref (o->seeds);
  m->metrics = g_ptr_array_new ();
  if (o->metrics != NULL && o->metrics->len > 0)
    g_ptr_array_extend (m->metrics, o->metrics, NULL, NULL);
  else
    for (guint i = 0; i < G_N_ELEMENTS (metrics); i++)
      g_ptr_array_add (m->metrics, (gpointer) &metrics[i]);
  m->duration = g_strdup (o->duration);
  matrix_add_runs (m, o->out_dir);
  return TRUE;
}

gboolean
ks_compare_run (const KsCompareOptions *o, GError **error)
{
  Matrix m;
  Compare c = { .o = o };
  guint skipped = 0;
  gboolean ok;

  g_return_val_if_fail (o->policies->len > 0 && o->seeds->len > 0 && o->jobs > 0, FALSE);
  if (!matrix_init (&m, o, error))
    {
      matrix_clear (&m);
      return FALSE;
    }
  if (g_mkdir_with_parents (o->out_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, KS_COMPARE_ERROR, KS_COMPARE_ERROR_FAILED,
                   "cannot create output directory %s: %s", o->out_dir, g_strerror (saved));
      matrix_clear (&m);
      return FALSE;
    }
  if (!write_policies (o, error) || !write_manifest (&m, o->out_dir, o->shard, o->n_shards, error))
    {
      matrix_clear (&m);
      return FALSE;
    }
  c.m = &m;
  c.todo = g_ptr_array_new ();
  c.procs = g_ptr_array_new ();
  for (guint k = 0; k < m.runs->len; k++)
    {
      Run *r = g_ptr_array_index (m.runs, k);
      if (o->n_shards > 0 && k % o->n_shards != o->shard - 1)
        {
          r->state = RUN_OTHER_SHARD;
          continue;
        }
      r->fingerprint = fingerprint (o, &m, g_ptr_array_index (o->policies, r->policy), r->seed);
      if (run_complete (r))
        {
          r->state = RUN_DONE;
          skipped++;
        }
      else
        g_ptr_array_add (c.todo, r);
    }
  if (!o->quiet)
    g_printerr ("kubesim compare: %u run%s to do (%u at once), %u already done\n", c.todo->len,
                c.todo->len == 1 ? "" : "s", MIN (o->jobs, c.todo->len), skipped);
  current = &c;
  start_jobs (&c);
  while (c.running > 0)
    g_main_context_iteration (NULL, TRUE);
  current = NULL;
  ok = write_results (&m, o->out_dir, error);
  if (ok && (c.failed > 0 || c.interrupted))
    {
      guint left = c.todo->len - c.done + c.failed;
      g_set_error (error, KS_COMPARE_ERROR, KS_COMPARE_ERROR_FAILED,
                   c.interrupted ? "interrupted: %u of %u runs not done; the same command resumes"
                                 : "%u of %u runs failed (status \"failed\" in runs.csv)",
                   c.interrupted ? left : c.failed, m.runs->len);
      ok = FALSE;
    }
  g_ptr_array_unref (c.todo);
  g_ptr_array_unref (c.procs);
  matrix_clear (&m);
  return ok;
}

/* ---- merging ------------------------------------------------------------------------------- */

static JsonObject *
read_manifest (const char *dir, JsonParser *parser, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "compare.json", NULL);
  JsonObject *root;
  g_autoptr (GError) local = NULL;

  if (!json_parser_load_from_file (parser, path, &local))
    return input_error (error, "--merge %s: %s (not a kubesim compare directory?)", dir,
                        local->message),
           NULL;
  root = JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
             ? json_node_get_object (json_parser_get_root (parser))
             : NULL;
  if (root == NULL || !json_object_has_member (root, "matrix")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "matrix")))
    return input_error (error, "--merge %s: compare.json has no matrix", dir), NULL;
  return root;
}

static gboolean
matrix_from_json (Matrix *m, JsonObject *o, const char *out_dir, GError **error)
{
  JsonArray *a;

  memset (m, 0, sizeof *m);
  m->scenario = g_strdup (json_object_get_string_member_with_default (o, "scenario", ""));
  m->scenario_sha256
      = g_strdup (json_object_get_string_member_with_default (o, "scenario_sha256", ""));
  if (json_object_has_member (o, "duration") && !json_object_get_null_member (o, "duration"))
    m->duration = g_strdup (json_object_get_string_member (o, "duration"));
  if (json_object_has_member (o, "replay")
      && (a = json_object_get_array_member (o, "replay")) != NULL)
    {
      m->replay = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < json_array_get_length (a); i++)
        g_ptr_array_add (m->replay, g_strdup (json_array_get_string_element (a, i)));
    }
  m->names = g_ptr_array_new_with_free_func (g_free);
  m->specs = g_ptr_array_new_with_free_func (g_free);
  a = json_object_get_array_member (o, "policies");
  for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
    {
      JsonObject *p = json_array_get_object_element (a, i);
      g_ptr_array_add (m->names, g_strdup (json_object_get_string_member (p, "name")));
      g_ptr_array_add (m->specs, g_strdup (json_object_get_string_member (p, "spec")));
      if (g_strcmp0 (m->names->pdata[i], json_object_get_string_member (o, "baseline")) == 0)
        m->baseline = i;
    }
  m->seeds = g_array_new (FALSE, FALSE, sizeof (guint64));
  a = json_object_get_array_member (o, "seeds");
  for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
    {
      guint64 seed = g_ascii_strtoull (json_array_get_string_element (a, i), NULL, 10);
      g_array_append_val (m->seeds, seed);
    }
  m->metrics = g_ptr_array_new ();
  a = json_object_get_array_member (o, "metrics");
  for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
    {
      const KsCompareMetric *metric
          = ks_compare_metric_lookup (json_array_get_string_element (a, i));
      if (metric == NULL)
        return input_error (error, "compare.json: unknown metric \"%s\"",
                            json_array_get_string_element (a, i));
      g_ptr_array_add (m->metrics, (gpointer) metric);
    }
  if (m->names->len == 0 || m->seeds->len == 0)
    return input_error (error, "compare.json: no policies or no seeds");
  matrix_add_runs (m, out_dir);
  return TRUE;
}

static gboolean
copy_file (const char *from, const char *to, GError **error)
{
  g_autofree char *text = NULL;
  gsize len;
  return g_file_get_contents (from, &text, &len, error)
         && g_file_set_contents (to, text, len, error);
}

static void
copy_member (JsonObject *from, const char *name, JsonNode *node, gpointer data)
{
  if (strcmp (name, "scenario") != 0 && strcmp (name, "replay") != 0)
    json_object_set_member (data, name, json_node_copy (node));
}

/* The "policy,seed,ok" lines of dir/runs.csv (empty when it has none). */
static GHashTable *
read_ok_runs (const char *dir)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *path = g_build_filename (dir, "runs.csv", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return set;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[i], ",", 4);
      if (g_strv_length (fields) >= 3 && strcmp (fields[2], "ok") == 0)
        g_hash_table_add (set, g_strdup_printf ("%s,%s,ok", fields[0], fields[1]));
    }
  return set;
}

/* What must agree between shards: the matrix but the scenario's or trace's paths and the replay
 * options, which may name files by paths that differ between the machines the shards ran on
 * (scenario_sha256 covers the contents and the options, and may not differ). */
static char *
matrix_key (JsonObject *matrix)
{
  g_autoptr (JsonNode) copy = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (copy, json_object_new ());
  json_object_foreach_member (matrix, copy_member, json_node_get_object (copy));
  return json_to_string (copy, FALSE);
}

gboolean
ks_compare_merge (char **dirs, const char *out_dir, GError **error)
{
  g_autoptr (JsonParser) first = json_parser_new ();
  JsonObject *root;
  g_autofree char *reference = NULL;
  Matrix m;
  guint missing = 0;
  gboolean ok = TRUE;
  g_autoptr (GPtrArray) ok_runs = NULL;

  root = read_manifest (dirs[0], first, error);
  if (root == NULL)
    return FALSE;
  reference = matrix_key (json_object_get_object_member (root, "matrix"));
  for (guint d = 1; dirs[d] != NULL; d++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *other = read_manifest (dirs[d], parser, error);
      g_autofree char *text = NULL;
      if (other == NULL)
        return FALSE;
      text = matrix_key (json_object_get_object_member (other, "matrix"));
      if (strcmp (text, reference) != 0)
        return input_error (error,
                            "--merge: %s and %s hold different comparisons (scenario, policies, "
                            "seeds, metrics or baseline differ in their compare.json)",
                            dirs[0], dirs[d]);
    }
  if (!matrix_from_json (&m, json_object_get_object_member (root, "matrix"), out_dir, error))
    {
      matrix_clear (&m);
      return FALSE;
    }
  /* Only the runs a shard's runs.csv says were complete with its inputs: a summary.json there
   * may be left from other inputs (an earlier comparison, a resumed one cut short). */
  ok_runs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  for (guint d = 0; dirs[d] != NULL; d++)
    g_ptr_array_add (ok_runs, read_ok_runs (dirs[d]));
  for (guint k = 0; k < m.runs->len; k++)
    {
      Run *r = g_ptr_array_index (m.runs, k);
      g_autofree char *rel = g_build_filename ("runs", (char *) m.names->pdata[r->policy], NULL);
      char seed_dir[40];
      g_snprintf (seed_dir, sizeof seed_dir, "seed-%" G_GUINT64_FORMAT, r->seed);
      g_autofree char *key = g_strdup_printf ("%s,%" G_GUINT64_FORMAT ",ok",
                                              (char *) m.names->pdata[r->policy], r->seed);
      for (guint d = 0; dirs[d] != NULL && r->state != RUN_DONE; d++)
        {
          g_autofree char *dir = g_build_filename (dirs[d], rel, seed_dir, NULL);
          g_autoptr (JsonParser) parser = NULL;
          g_autofree char *from = g_build_filename (dir, "summary.json", NULL);
          g_autofree char *to = g_build_filename (r->dir, "summary.json", NULL);
          if (!g_hash_table_contains (g_ptr_array_index (ok_runs, d), key)
              || (parser = load_summary (dir)) == NULL)
            continue;
          read_values (r, json_node_get_object (json_parser_get_root (parser)));
          r->state = RUN_DONE;
          if (strcmp (from, to) != 0
              && (g_mkdir_with_parents (r->dir, 0755) != 0 || !copy_file (from, to, error)))
            {
              if (error != NULL && *error == NULL)
                g_set_error (error, KS_COMPARE_ERROR, KS_COMPARE_ERROR_FAILED, "cannot create %s",
                             r->dir);
              matrix_clear (&m);
              return FALSE;
            }
        }
      if (r->state != RUN_DONE)
        {
          if (missing++ == 0)
            g_printerr ("kubesim compare: --merge: no shard holds a complete run of %s seed "
                        "%" G_GUINT64_FORMAT "\n",
                        (char *) m.names->pdata[r->policy], r->seed);
        }
    }
  if (missing > 0)
    {
      g_set_error (error, KS_COMPARE_ERROR, KS_COMPARE_ERROR_FAILED,
                   "--merge: %u of %u runs are in none of the directories (a shard not run, or "
                   "not finished?); nothing was written",
                   missing, m.runs->len);
      matrix_clear (&m);
      return FALSE;
    }
  if (g_mkdir_with_parents (out_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, KS_COMPARE_ERROR, KS_COMPARE_ERROR_FAILED, "cannot create %s: %s",
                   out_dir, g_strerror (saved));
      ok = FALSE;
    }
  ok = ok && write_manifest (&m, out_dir, 0, 0, error) && write_results (&m, out_dir, error);
  matrix_clear (&m);
  return ok;
}
