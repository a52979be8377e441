/* ks-report.c: kubesim report (ks-report.h). */
#include "config.h"

#include "ks-report.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gsl/gsl_statistics_double.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "ks-compare.h"
#include "ks-plot.h"
#include "ks-stats.h"

G_DEFINE_QUARK (ks - report - error - quark, ks_report_error)

static gboolean input_error (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
input_error (GError **error, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  g_propagate_error (error,
                     g_error_new_valist (KS_REPORT_ERROR, KS_REPORT_ERROR_INPUT, format, ap));
  va_end (ap);
  return FALSE;
}

/* ---- reading ------------------------------------------------------------------------------- */

/* A time series of one run: (t, value) in time order. */
typedef struct
{
  GArray *t, *v; /* double */
} Series;

static void
series_free (Series *s)
{
  g_array_unref (s->t);
  g_array_unref (s->v);
  g_free (s);
}

typedef struct
{
  char *policy;
  char *seed;
  char *dir;
  gboolean ok;              /* runs.csv says ok */
  gboolean has_metrics;     /* metrics.csv was there */
  GHashTable *series;       /* "metric\tobject" → Series* */
  GArray *latencies;        /* double s, or NULL when the run has neither pods.csv nor events */
  const char *latency_from; /* "pods.csv" or "events.jsonl" */
  char *version;            /* summary.json's kubesim_version, or NULL */
} Run;

static void
run_free (Run *r)
{
  g_free (r->policy);
  g_free (r->seed);
  g_free (r->dir);
  if (r->series != NULL)
    g_hash_table_unref (r->series);
  if (r->latencies != NULL)
    g_array_unref (r->latencies);
  g_free (r->version);
  g_free (r);
}

typedef struct
{
  char *dir;
  char *prefix;         /* of its figures' names: "fig-", or "dN-fig-" with several dirs */
  JsonParser *manifest; /* compare.json */
  JsonObject *matrix;
  GPtrArray *policies, *specs, *seeds, *metrics; /* char* */
  char *baseline, *scenario, *scenario_sha256, *duration, *shard;
  GStrv runs_header;
  GPtrArray *runs_rows; /* GStrv */
  GStrv comparison_header;
  GPtrArray *comparison_rows; /* GStrv */
  GPtrArray *runs;            /* Run*, in runs.csv's order */
} Comparison;

static void
comparison_free (Comparison *c)
{
  g_free (c->dir);
  g_free (c->prefix);
  g_clear_object (&c->manifest);
  g_ptr_array_unref (c->policies);
  g_ptr_array_unref (c->specs);
  g_ptr_array_unref (c->seeds);
  g_ptr_array_unref (c->metrics);
  g_free (c->baseline);
  g_free (c->scenario);
  g_free (c->scenario_sha256);
  g_free (c->duration);
  g_free (c->shard);
  g_strfreev (c->runs_header);
  g_ptr_array_unref (c->runs_rows);
  g_strfreev (c->comparison_header);
  g_ptr_array_unref (c->comparison_rows);
  g_ptr_array_unref (c->runs);
  g_free (c);
}

/* Read a CSV file of kubesim compare (no quoting: its fields never hold commas): the header's
 * fields in *header, each row's in rows (GStrv), every row as wide as the header. */
static gboolean
read_csv (const char *path, GStrv *header, GPtrArray *rows, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) local = NULL;
  g_auto (GStrv) lines = NULL;
  guint width;

  if (!g_file_get_contents (path, &text, NULL, &local))
    return input_error (error, "%s: %s (not a kubesim compare output directory?)", path,
                        local->message);
  lines = g_strsplit (text, "\n", -1);
  if (lines[0] == NULL || lines[0][0] == '\0')
    return input_error (error, "%s: empty, expected a header line", path);
  *header = g_strsplit (lines[0], ",", -1);
  width = g_strv_length (*header);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      GStrv fields;
      if (lines[i][0] == '\0' && lines[i + 1] == NULL)
        break;
      fields = g_strsplit (lines[i], ",", -1);
      if (g_strv_length (fields) != width)
        {
          guint got = g_strv_length (fields);
          g_strfreev (fields);
          return input_error (error, "%s:%u: %u fields, the header has %u", path, i + 1, got,
                              width);
        }
      g_ptr_array_add (rows, fields);
    }
  return TRUE;
}

static int
column (GStrv header, const char *name)
{
  for (int i = 0; header[i] != NULL; i++)
    if (strcmp (header[i], name) == 0)
      return i;
  return -1;
}

/* A string member of o, or "" for null; FALSE when it is something else. */
static gboolean
string_member (JsonObject *o, const char *name, char **out)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    {
      *out = g_strdup ("");
      return TRUE;
    }
  if (json_node_get_value_type (n) != G_TYPE_STRING)
    return FALSE;
  *out = g_strdup (json_node_get_string (n));
  return TRUE;
}

/* Read the array member name of o, each element a string (seeds are strings too). */
static gboolean
strings_member (JsonObject *o, const char *name, const char *element, GPtrArray *out)
{
  JsonNode *n = json_object_get_member (o, name);
  JsonArray *a;

  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n))
    return FALSE;
  a = json_node_get_array (n);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      if (element != NULL)
        {
          if (!JSON_NODE_HOLDS_OBJECT (e))
            return FALSE;
          e = json_object_get_member (json_node_get_object (e), element);
          if (e == NULL)
            return FALSE;
        }
      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        return FALSE;
      g_ptr_array_add (out, g_strdup (json_node_get_string (e)));
    }
  return TRUE;
}

static gboolean
load_manifest (Comparison *c, GError **error)
{
  g_autofree char *path = g_build_filename (c->dir, "compare.json", NULL);
  g_autoptr (GError) local = NULL;
  JsonNode *root, *shard;
  JsonObject *o;

  if (!g_file_test (c->dir, G_FILE_TEST_IS_DIR))
    return input_error (error,
                        "%s: not a directory (give the output directory of kubesim "
                        "compare)",
                        c->dir);
  c->manifest = json_parser_new ();
  if (!json_parser_load_from_file (c->manifest, path, &local))
    return input_error (error, "%s: %s (not a kubesim compare output directory?)", path,
                        local->message);
  root = json_parser_get_root (c->manifest);
  o = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (o == NULL || !json_object_has_member (o, "kubesim_compare")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "matrix")))
    return input_error (error,
                        "%s: not written by kubesim compare (expected an object with "
                        "\"kubesim_compare\" and \"matrix\")",
                        path);
  c->matrix = json_object_get_object_member (o, "matrix");
  if (!strings_member (c->matrix, "policies", "name", c->policies)
      || !strings_member (c->matrix, "policies", "spec", c->specs)
      || !strings_member (c->matrix, "seeds", NULL, c->seeds)
      || !strings_member (c->matrix, "metrics", NULL, c->metrics)
      || !string_member (c->matrix, "baseline", &c->baseline)
      || !string_member (c->matrix, "scenario", &c->scenario)
      || !string_member (c->matrix, "scenario_sha256", &c->scenario_sha256)
      || !string_member (c->matrix, "duration", &c->duration) || c->policies->len == 0)
    return input_error (error,
                        "%s: matrix: expected policies (name, spec), seeds, metrics, "
                        "baseline, scenario, scenario_sha256 and duration as kubesim "
                        "compare writes them",
                        path);
  shard = json_object_get_member (o, "shard");
  if (shard != NULL && JSON_NODE_HOLDS_VALUE (shard)
      && json_node_get_value_type (shard) == G_TYPE_STRING)
    c->shard = g_strdup (json_node_get_string (shard));
  return TRUE;
}

/* The rows of metrics.csv the figures use. */
static gboolean
wanted_metric (const char *metric, const char *object)
{
  static const char *const cluster[]
      = { "nodes",          "cpu_requested_ratio", "memory_requested_ratio", "gpu_requested_ratio",
          "cpu_used_ratio", "memory_used_ratio",   "gpu_used_ratio",         "pods_unscheduled" };

  if (strcmp (object, "cluster") == 0)
    {
      for (guint i = 0; i < G_N_ELEMENTS (cluster); i++)
        if (strcmp (metric, cluster[i]) == 0)
          return TRUE;
      return FALSE;
    }
  return strcmp (metric, "hpa_current_replicas") == 0 || strcmp (metric, "hpa_metric_0") == 0
         || strcmp (metric, "service_request_rate") == 0;
}

static gboolean
parse_number (const char *text, double *out)
{
  char *end;

  if (text[0] == '\0')
    return FALSE;
  *out = g_ascii_strtod (text, &end);
  return *end == '\0' && isfinite (*out);
}

/* Stream a run's metrics.csv, keeping the rows wanted_metric names. */
static gboolean
load_metrics (Run *r, const char *path, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInputStream) in = NULL;
  g_autoptr (GDataInputStream) data = NULL;
  g_autoptr (GError) local = NULL;
  guint line_no = 0;
  char *line;

  in = g_file_read (file, NULL, &local);
  if (in == NULL)
    return input_error (error, "%s: %s", path, local->message);
  data = g_data_input_stream_new (G_INPUT_STREAM (in));
  r->series = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) series_free);
  while ((line = g_data_input_stream_read_line_utf8 (data, NULL, NULL, &local)) != NULL)
    {
      g_auto (GStrv) f = NULL;
      double t, v;
      line_no++;
      if (line_no == 1)
        {
          gboolean good = strcmp (line, "t,metric,object,value") == 0;
          g_free (line);
          if (!good)
            return input_error (error, "%s:1: expected the header t,metric,object,value", path);
          continue;
        }
      f = g_strsplit (line, ",", -1);
      g_free (line);
      if (g_strv_length (f) != 4 || !parse_number (f[0], &t) || !parse_number (f[3], &v))
        return input_error (error, "%s:%u: expected t,metric,object,value with numbers", path,
                            line_no);
      if (wanted_metric (f[1], f[2]))
        {
          g_autofree char *key = g_strdup_printf ("%s\t%s", f[1], f[2]);
          Series *s = g_hash_table_lookup (r->series, key);
          if (s == NULL)
            {
              s = g_new0 (Series, 1);
              s->t = g_array_new (FALSE, FALSE, sizeof (double));
              s->v = g_array_new (FALSE, FALSE, sizeof (double));
              g_hash_table_insert (r->series, g_steal_pointer (&key), s);
            }
          g_array_append_val (s->t, t);
          g_array_append_val (s->v, v);
        }
    }
  if (local != NULL)
    return input_error (error, "%s: %s", path, local->message);
  return TRUE;
}

/* Scheduling latencies from pods.csv: scheduled − created of every pod that was bound. */
static gboolean
latencies_from_pods (Run *r, const char *path, GError **error)
{
  g_auto (GStrv) header = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  int created, scheduled;

  if (!read_csv (path, &header, rows, error))
    return FALSE;
  created = column (header, "created");
  scheduled = column (header, "scheduled");
  if (created < 0 || scheduled < 0)
    return input_error (error, "%s: no created and scheduled columns", path);
  r->latencies = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < rows->len; i++)
    {
      GStrv f = rows->pdata[i];
      double c, s, d;
      if (f[scheduled][0] == '\0')
        continue;
      if (!parse_number (f[created], &c) || !parse_number (f[scheduled], &s))
        return input_error (error, "%s:%u: created and scheduled must be numbers", path, i + 2);
      d = s - c;
      g_array_append_val (r->latencies, d);
    }
  r->latency_from = "pods.csv";
  return TRUE;
}

/* The namespace of an event's object name "namespace/name", or "" for a cluster-scoped one. */
static char *
event_namespace (const char *name)
{
  const char *slash = strchr (name, '/');

  return slash != NULL ? g_strndup (name, slash - name) : g_strdup ("");
}

/* Scheduling latencies from events.jsonl: from a pod's creation (a scenario's Apply of the Pod,
 * a controller's SuccessfulCreate naming it) to its Scheduled event, as the recorder measures
 * (a pod's creation to its binding); pods with spec.nodeName have no Scheduled event. */
static gboolean
latencies_from_events (Run *r, const char *path, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInputStream) in = NULL;
  g_autoptr (GDataInputStream) data = NULL;
  g_autoptr (GError) local = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GHashTable) created = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  guint line_no = 0;
  char *line;

  in = g_file_read (file, NULL, &local);
  if (in == NULL)
    return input_error (error, "%s: %s", path, local->message);
  data = g_data_input_stream_new (G_INPUT_STREAM (in));
  r->latencies = g_array_new (FALSE, FALSE, sizeof (double));
  while ((line = g_data_input_stream_read_line_utf8 (data, NULL, NULL, &local)) != NULL)
    {
      g_autofree char *text = line;
      JsonObject *o;
      const char *event, *kind, *name, *message;
      double t;
      line_no++;
      /* Most events are neither: skip them unparsed. */
      if (strstr (text, "\"event\":\"Scheduled\"") == NULL
          && strstr (text, "\"event\":\"SuccessfulCreate\"") == NULL
          && strstr (text, "\"event\":\"Apply\"") == NULL)
        continue;
      if (!json_parser_load_from_data (parser, text, -1, NULL)
          || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        return input_error (error, "%s:%u: not a JSON object", path, line_no);
      o = json_node_get_object (json_parser_get_root (parser));
      event = json_object_get_string_member_with_default (o, "event", "");
      kind = json_object_get_string_member_with_default (o, "kind", "");
      name = json_object_get_string_member_with_default (o, "name", "");
      message = json_object_get_string_member_with_default (o, "message", "");
      if (!json_object_has_member (o, "t")
          || !JSON_NODE_HOLDS_VALUE (json_object_get_member (o, "t"))
          || (json_node_get_value_type (json_object_get_member (o, "t")) != G_TYPE_DOUBLE
              && json_node_get_value_type (json_object_get_member (o, "t")) != G_TYPE_INT64))
        return input_error (error, "%s:%u: no time \"t\"", path, line_no);
      t = json_object_get_double_member (o, "t");
      if (strcmp (event, "Apply") == 0 && strcmp (kind, "Pod") == 0)
        g_hash_table_insert (created, g_strdup (name), g_memdup2 (&t, sizeof t));
      else if (strcmp (event, "SuccessfulCreate") == 0)
        {
          g_autofree char *ns = event_namespace (name);
          g_autofree char *pod = NULL;
          char *end;
          if (g_str_has_prefix (message, "Created pod: "))
            pod = g_strdup (message + strlen ("Created pod: "));
          else if (g_str_has_prefix (message, "create Pod ")
                   && (end = strstr (message + strlen ("create Pod "), " in StatefulSet ")) != NULL)
            pod = g_strndup (message + strlen ("create Pod "),
                             end - (message + strlen ("create Pod ")));
          if (pod != NULL)
            g_hash_table_insert (created, g_strdup_printf ("%s/%s", ns, pod),
                                 g_memdup2 (&t, sizeof t));
        }
      else if (strcmp (event, "Scheduled") == 0 && strcmp (kind, "Pod") == 0)
        {
          double *c = g_hash_table_lookup (created, name);
          if (c != NULL)
            {
              double d = t - *c;
              g_array_append_val (r->latencies, d);
              g_hash_table_remove (created, name);
            }
        }
    }
  if (local != NULL)
    return input_error (error, "%s: %s", path, local->message);
  r->latency_from = "events.jsonl";
  return TRUE;
}

static gboolean
load_run (Run *r, GError **error)
{
  g_autofree char *metrics = g_build_filename (r->dir, "metrics.csv", NULL);
  g_autofree char *pods = g_build_filename (r->dir, "pods.csv", NULL);
  g_autofree char *events = g_build_filename (r->dir, "events.jsonl", NULL);
  g_autofree char *summary = g_build_filename (r->dir, "summary.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (json_parser_load_from_file (parser, summary, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *o = json_node_get_object (json_parser_get_root (parser));
      const char *v = json_object_get_string_member_with_default (o, "kubesim_version", NULL);
      r->version = g_strdup (v);
    }
  if (g_file_test (metrics, G_FILE_TEST_EXISTS))
    {
      if (!load_metrics (r, metrics, error))
        return FALSE;
      r->has_metrics = TRUE;
    }
  if (g_file_test (pods, G_FILE_TEST_EXISTS))
    return latencies_from_pods (r, pods, error);
  if (g_file_test (events, G_FILE_TEST_EXISTS))
    return latencies_from_events (r, events, error);
  return TRUE;
}

static Comparison *
load_comparison (const char *dir, const char *prefix, GError **error)
{
  Comparison *c = g_new0 (Comparison, 1);
  g_autofree char *runs_path = g_build_filename (dir, "runs.csv", NULL);
  g_autofree char *comparison_path = g_build_filename (dir, "comparison.csv", NULL);
  int policy_col, seed_col, status_col;

  c->dir = g_strdup (dir);
  c->prefix = g_strdup (prefix);
  c->policies = g_ptr_array_new_with_free_func (g_free);
  c->specs = g_ptr_array_new_with_free_func (g_free);
  c->seeds = g_ptr_array_new_with_free_func (g_free);
  c->metrics = g_ptr_array_new_with_free_func (g_free);
  c->runs_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  c->comparison_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  c->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) run_free);
  if (!load_manifest (c, error) || !read_csv (runs_path, &c->runs_header, c->runs_rows, error)
      || !read_csv (comparison_path, &c->comparison_header, c->comparison_rows, error))
    goto fail;
  policy_col = column (c->runs_header, "policy");
  seed_col = column (c->runs_header, "seed");
  status_col = column (c->runs_header, "status");
  if (policy_col != 0 || seed_col != 1 || status_col != 2)
    {
      input_error (error, "%s:1: expected the header to begin with policy,seed,status", runs_path);
      goto fail;
    }
  {
    static const char *const expected[]
        = { "policy",     "metric",          "n",          "mean",  "sd",   "ci95_low",
            "ci95_high",  "median",          "baseline",   "pairs", "diff", "t_p",
            "wilcoxon_p", "wilcoxon_method", "significant" };
    if (g_strv_length (c->comparison_header) != G_N_ELEMENTS (expected))
      goto bad_comparison;
    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      if (strcmp (c->comparison_header[i], expected[i]) != 0)
        goto bad_comparison;
  }
  for (guint i = 0; i < c->runs_rows->len; i++)
    {
      GStrv f = c->runs_rows->pdata[i];
      Run *r = g_new0 (Run, 1);
      g_autofree char *seed_dir = g_strdup_printf ("seed-%s", f[1]);
      r->policy = g_strdup (f[0]);
      r->seed = g_strdup (f[1]);
      r->ok = strcmp (f[2], "ok") == 0;
      r->dir = g_build_filename (dir, "runs", f[0], seed_dir, NULL);
      g_ptr_array_add (c->runs, r);
      if (!g_ptr_array_find_with_equal_func (c->policies, f[0], g_str_equal, NULL))
        {
          input_error (error, "%s:%u: policy \"%s\" is not in compare.json", runs_path, i + 2,
                       f[0]);
          goto fail;
        }
      if (r->ok && !load_run (r, error))
        goto fail;
    }
  return c;

bad_comparison:
  input_error (error,
               "%s:1: expected the header policy,metric,n,mean,sd,ci95_low,ci95_high,"
               "median,baseline,pairs,diff,t_p,wilcoxon_p,wilcoxon_method,significant",
               comparison_path);
fail:
  comparison_free (c);
  return NULL;
}

/* ---- figures ------------------------------------------------------------------------------- */

typedef struct
{
  char *name;    /* the script's and data's name: PREFIX + what */
  char *title;   /* the heading */
  char *caption; /* what it shows (HTML) */
  char *script;  /* gnuplot body (after the preamble), or NULL: omitted */
  char *data;    /* the contents of NAME.dat */
  char *omitted; /* why there is no figure (HTML), when script is NULL */
  char *svg;     /* drawn */
} Figure;

static void
figure_free (Figure *f)
{
  g_free (f->name);
  g_free (f->title);
  g_free (f->caption);
  g_free (f->script);
  g_free (f->data);
  g_free (f->omitted);
  g_free (f->svg);
  g_free (f);
}

static Figure *
figure_new (const Comparison *c, const char *what, const char *title)
{
  Figure *f = g_new0 (Figure, 1);

  f->name = g_strconcat (c->prefix, what, NULL);
  f->title = g_strdup (title);
  return f;
}

static void
append_number (GString *s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.10g", v));
}

/* A gnuplot string literal (double quotes: names hold only letters, digits, - _ .). */
static char *
gp_string (const char *text)
{
  GString *s = g_string_new ("\"");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
  return g_string_free (s, FALSE);
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The runs of policy p that are ok. */
static GPtrArray *
policy_runs (const Comparison *c, const char *policy)
{
  GPtrArray *runs = g_ptr_array_new ();

  for (guint i = 0; i < c->runs->len; i++)
    {
      Run *r = c->runs->pdata[i];
      if (r->ok && strcmp (r->policy, policy) == 0)
        g_ptr_array_add (runs, r);
    }
  return runs;
}

static Figure *
latency_figure (const Comparison *c)
{
  Figure *f = figure_new (c, "latency-cdf", "Scheduling latency");
  GString *data = g_string_new ("# kubesim report: scheduling latency (s) and the fraction of "
                                "pods scheduled within it; one block per policy (gnuplot index)\n");
  GString *plot = g_string_new (NULL);
  guint block = 0, runs_with = 0, runs_ok = 0;
  gboolean from_pods = FALSE, from_events = FALSE;

  for (guint p = 0; p < c->policies->len; p++)
    {
      g_autoptr (GPtrArray) runs = policy_runs (c, c->policies->pdata[p]);
      g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (double));
      runs_ok += runs->len;
      for (guint i = 0; i < runs->len; i++)
        {
          Run *r = runs->pdata[i];
          if (r->latencies == NULL)
            continue;
          runs_with++;
          from_pods |= strcmp (r->latency_from, "pods.csv") == 0;
          from_events |= strcmp (r->latency_from, "events.jsonl") == 0;
          g_array_append_vals (all, r->latencies->data, r->latencies->len);
        }
      if (all->len == 0)
        continue;
      g_array_sort (all, compare_doubles);
      g_string_append_printf (data, "%s# %s: %u pods\n", block > 0 ? "\n\n" : "",
                              (char *) c->policies->pdata[p], all->len);
      for (guint i = 0; i < all->len; i++)
        {
          append_number (data, g_array_index (all, double, i));
          g_string_append_c (data, ' ');
          append_number (data, (double) (i + 1) / all->len);
          g_string_append_c (data, '\n');
        }
      {
        g_autofree char *title = gp_string (c->policies->pdata[p]);
        g_string_append_printf (plot,
                                "%s \"%s.dat\" index %u using 1:2 with steps lw 2 lc %u "
                                "title %s",
                                block > 0 ? ", \\\n    " : "plot", f->name, block, p + 1, title);
      }
      block++;
    }
  if (block == 0)
    {
      f->omitted = g_strdup (
          runs_with == 0
              ? "No scheduling latency figure: no run has an events.jsonl or pods.csv (a merged "
                "comparison keeps only the runs' summary.json)."
              : "No scheduling latency figure: no pod was scheduled by the scheduler in any run.");
      g_string_free (data, TRUE);
      g_string_free (plot, TRUE);
      return f;
    }
  f->caption = g_strdup_printf (
      "The cumulative distribution of the time from a pod's creation to its binding to a node, "
      "over the pods the scheduler bound in all the runs of each policy (%u of %u runs; from "
      "%s).",
      runs_with, runs_ok,
      from_pods && from_events ? "pods.csv or events.jsonl"
      : from_pods              ? "pods.csv"
                               : "events.jsonl");
  f->data = g_string_free (data, FALSE);
  f->script = g_strdup_printf ("set title \"Scheduling latency\"\n"
                               "set xlabel \"time from creation to binding (s)\"\n"
                               "set ylabel \"fraction of pods\"\n"
                               "set xrange [0:*]\n"
                               "set yrange [0:1.05]\n"
                               "set grid\n"
                               "set key bottom right\n"
                               "# data: %s.dat, one block per policy: latency (s), fraction\n"
                               "%s\n",
                               f->name, plot->str);
  g_string_free (plot, TRUE);
  return f;
}

/* Unit of the time axis for runs up to max_t seconds: divisor and name. */
static void
time_unit (double max_t, double *divisor, const char **name)
{
  if (max_t <= 600)
    *divisor = 1, *name = "s";
  else if (max_t <= 36000)
    *divisor = 60, *name = "min";
  else
    *divisor = 3600, *name = "h";
}

/* The series key across the ok runs of policy: at each sample time the mean of the runs that
 * have it, and its 95 % t interval.  Appends a block to data; returns the number of runs with the
 * series (0: no block). */
static guint
series_block (const Comparison *c, const char *policy, const char *key, guint block, GString *data,
              double *max_t)
{
  g_autoptr (GPtrArray) runs = policy_runs (c, policy);
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GPtrArray) with = g_ptr_array_new ();
  g_autofree guint *pos = NULL;
  double *values;

  for (guint i = 0; i < runs->len; i++)
    {
      Run *r = runs->pdata[i];
      Series *s = r->series != NULL ? g_hash_table_lookup (r->series, key) : NULL;
      if (s == NULL)
        continue;
      g_ptr_array_add (with, s);
      g_array_append_vals (times, s->t->data, s->t->len);
    }
  if (with->len == 0)
    return 0;
  g_array_sort (times, compare_doubles);
  pos = g_new0 (guint, with->len);
  values = g_new (double, with->len);
  {
    const char *tab = strchr (key, '\t');
    g_string_append_printf (data, "%s# block %u: %s, %.*s of %s, %u runs\n",
                            block > 0 ? "\n\n" : "", block, policy, (int) (tab - key), key, tab + 1,
                            with->len);
  }
  for (guint i = 0; i < times->len; i++)
    {
      double t = g_array_index (times, double, i);
      KsSummaryStats st;
      guint n = 0;
      if (i > 0 && t == g_array_index (times, double, i - 1))
        continue;
      for (guint k = 0; k < with->len; k++)
        {
          Series *s = with->pdata[k];
          while (pos[k] < s->t->len && g_array_index (s->t, double, pos[k]) < t)
            pos[k]++;
          /* A series sampled twice at one time (the end of the run): the last sample. */
          while (pos[k] + 1 < s->t->len && g_array_index (s->t, double, pos[k] + 1) == t)
            pos[k]++;
          if (pos[k] < s->t->len && g_array_index (s->t, double, pos[k]) == t)
            values[n++] = g_array_index (s->v, double, pos[k]);
        }
      ks_stats_summarize (values, n, &st);
      append_number (data, t);
      g_string_append_c (data, ' ');
      append_number (data, st.mean);
      g_string_append_c (data, ' ');
      append_number (data, n >= 2 ? st.ci_low : st.mean);
      g_string_append_c (data, ' ');
      append_number (data, n >= 2 ? st.ci_high : st.mean);
      g_string_append_printf (data, " %u\n", n);
      *max_t = MAX (*max_t, t);
    }
  g_free (values);
  return with->len;
}

/* A figure of the series key over time: per policy the mean across seeds and its 95 % CI band.
 * key2 (or NULL): a second series per policy (dashed), ylabel2 its label, on the right axis or
 * (same_axis) on the left one. */
static Figure *
time_figure (const Comparison *c, const char *what, const char *title, const char *key,
             const char *ylabel, const char *key2, const char *ylabel2, gboolean same_axis,
             const char *caption)
{
  Figure *f = figure_new (c, what, title);
  GString *data = g_string_new (NULL);
  GString *plot = g_string_new (NULL);
  GString *lines = g_string_new (NULL);
  guint block = 0, runs_with = 0, runs_ok = 0, runs_metrics = 0;
  double max_t = 0, divisor;
  const char *unit;
  g_autofree char *gp_title = gp_string (title);
  g_autofree char *y2 = key2 != NULL && !same_axis
                            ? g_strdup_printf ("set y2label \"%s\"\nset y2tics\nset "
                                               "ytics nomirror\n",
                                               ylabel2)
                            : g_strdup ("");

  g_string_append_printf (data,
                          "# kubesim report: %s; one block per policy%s (gnuplot index): t (s), "
                          "mean across seeds, 95%% CI low, high, runs\n",
                          title, key2 != NULL ? " and series" : "");
  for (guint i = 0; i < c->runs->len; i++)
    {
      Run *r = c->runs->pdata[i];
      runs_ok += r->ok;
      runs_metrics += r->ok && r->has_metrics;
    }
  for (guint p = 0; p < c->policies->len; p++)
    {
      const char *policy = c->policies->pdata[p];
      g_autofree char *name = gp_string (policy);
      guint n = series_block (c, policy, key, block, data, &max_t);
      if (n == 0)
        continue;
      runs_with += n;
      g_string_append_printf (plot,
                              "%s \"%s.dat\" index %u using ($1/T):3:4 with filledcurves fs "
                              "transparent solid 0.2 noborder lc %u notitle",
                              block > 0 ? ", \\\n    " : "plot", f->name, block, p + 1);
      g_string_append_printf (lines,
                              ", \\\n    \"%s.dat\" index %u using ($1/T):2 with lines lw 2 lc "
                              "%u title %s",
                              f->name, block, p + 1, name);
      block++;
      if (key2 != NULL)
        {
          g_autofree char *name2 = g_strdup_printf ("%s (%s)", policy, ylabel2);
          g_autofree char *t2 = gp_string (name2);
          if (series_block (c, policy, key2, block, data, &max_t) == 0)
            continue;
          g_string_append_printf (lines,
                                  ", \\\n    \"%s.dat\" index %u using ($1/T):2 %swith "
                                  "lines lw 1 dt 2 lc %u title %s",
                                  f->name, block, same_axis ? "" : "axes x1y2 ", p + 1, t2);
          block++;
        }
    }
  if (block == 0)
    {
      f->omitted = runs_metrics == 0
                       ? g_strdup_printf (
                           "No figure of %s: no run has a metrics.csv (a merged comparison keeps "
                           "only the runs' summary.json).",
                           title)
                       : g_strdup_printf ("No figure of %s: no run recorded it.", title);
      g_string_free (data, TRUE);
      g_string_free (plot, TRUE);
      g_string_free (lines, TRUE);
      return f;
    }
  time_unit (max_t, &divisor, &unit);
  f->caption = g_strdup_printf ("%s From each run's metrics.csv (%u of %u runs); the line is the "
                                "mean across seeds at each sample, the band its 95%% confidence "
                                "interval (Student t).",
                                caption, runs_with, runs_ok);
  f->data = g_string_free (data, FALSE);
  f->script = g_strdup_printf (
      "set title %s\n"
      "T = %g  # seconds per unit of the time axis\n"
      "set xlabel \"time (%s)\"\n"
      "set ylabel \"%s\"\n"
      "%s"
      "set grid\n"
      "set offsets 0, 0, graph 0.05, 0\n"
      "set key outside right top\n"
      "# data: %s.dat, one block per policy%s: t (s), mean, 95%% CI low, high, runs\n"
      "%s%s\n",
      gp_title, divisor, unit, ylabel, y2, f->name, key2 != NULL ? " and series" : "", plot->str,
      lines->str);
  g_string_free (plot, TRUE);
  g_string_free (lines, TRUE);
  return f;
}

static Figure *
box_figure (const Comparison *c, const char *metric)
{
  const KsCompareMetric *m = ks_compare_metric_lookup (metric);
  g_autofree char *what = g_strdup_printf ("box-%s", metric);
  g_autofree char *title = g_strdup_printf ("%s across seeds", metric);
  Figure *f = figure_new (c, what, title);
  int col = column (c->runs_header, metric);
  GString *data = g_string_new (NULL);
  GString *points = g_string_new (NULL);
  GString *plot = g_string_new (NULL);
  GString *tics = g_string_new (NULL);
  guint block = 0;

  /* Block 0: one row per policy with its quartiles (drawn as candlesticks: gnuplot's own
   * boxplot style draws nothing with fewer than 4 values); then one block of values per policy. */
  g_string_append_printf (data,
                          "# kubesim report: %s (%s) of each run (runs.csv)\n"
                          "# block 0, one row per policy: x, first quartile, minimum, maximum, "
                          "third quartile, median (quartiles: linear interpolation, as R's "
                          "type 7)\n",
                          metric, m != NULL ? m->unit : "");
  for (guint p = 0; p < c->policies->len && col >= 0; p++)
    {
      const char *policy = c->policies->pdata[p];
      g_autoptr (GArray) v = g_array_new (FALSE, FALSE, sizeof (double));
      double x;
      for (guint i = 0; i < c->runs_rows->len; i++)
        {
          GStrv row = c->runs_rows->pdata[i];
          if (strcmp (row[0], policy) != 0 || !parse_number (row[col], &x))
            continue;
          if (v->len == 0)
            g_string_append_printf (points,
                                    "\n\n# block %u: %s, the value of each seed, the "
                                    "seed\n",
                                    block + 1, policy);
          g_string_append_printf (points, "%s %s\n", row[col], row[1]);
          g_array_append_val (v, x);
        }
      if (v->len == 0)
        continue;
      g_array_sort (v, compare_doubles);
      {
        const double *d = (const double *) v->data;
        double q[] = { gsl_stats_quantile_from_sorted_data (d, 1, v->len, 0.25), d[0],
                       d[v->len - 1], gsl_stats_quantile_from_sorted_data (d, 1, v->len, 0.75),
                       gsl_stats_quantile_from_sorted_data (d, 1, v->len, 0.5) };
        g_autofree char *name = gp_string (policy);
        g_string_append_printf (data, "%u", p + 1);
        for (guint k = 0; k < G_N_ELEMENTS (q); k++)
          {
            g_string_append_c (data, ' ');
            append_number (data, q[k]);
          }
        g_string_append_printf (data, " # %s\n", policy);
        g_string_append_printf (tics, "%s%s %u", block > 0 ? ", " : "", name, p + 1);
      }
      g_string_append_printf (plot,
                              ", \\\n     \"%s.dat\" index %u using (%u):1 with points pt 7 ps "
                              "0.6 lc rgb \"black\" notitle",
                              f->name, block + 1, p + 1);
      block++;
    }
  if (block == 0)
    {
      f->omitted = g_strdup_printf ("No boxplot of %s: no run has a value (%s).", metric,
                                    col < 0 ? "runs.csv has no such column"
                                            : "the runs.csv column is empty");
      g_string_free (data, TRUE);
      g_string_free (points, TRUE);
      g_string_free (plot, TRUE);
      g_string_free (tics, TRUE);
      return f;
    }
  g_string_append (data, points->str);
  g_string_free (points, TRUE);
  f->caption = g_strdup_printf ("%s (%s) of each run, per policy (runs.csv): the box spans the "
                                "first to the third quartile, the thick line is the median, the "
                                "whiskers reach the smallest and the largest value; the dots "
                                "are the seeds.",
                                m != NULL ? m->description : metric, m != NULL ? m->unit : "");
  f->data = g_string_free (data, FALSE);
  f->script = g_strdup_printf (
      "set title \"%s\"\n"
      "set ylabel \"%s (%s)\"\n"
      "set xtics (%s)\n"
      "set xrange [0.5:%u.5]\n"
      "set offsets 0, 0, graph 0.05, graph 0.05\n"
      "set boxwidth 0.5\n"
      "set style fill solid 0.25 border -1\n"
      "set grid ytics\n"
      "# data: %s.dat: block 0 the quartiles (x, q1, min, max, q3, median), then the values\n"
      "plot \"%s.dat\" index 0 using 1:2:3:4:5:($1) with candlesticks lc variable notitle "
      "whiskerbars 0.5, \\\n"
      "     \"%s.dat\" index 0 using 1:6:6:6:6 with candlesticks lc rgb \"black\" lw 2 "
      "notitle%s\n",
      title, metric, m != NULL ? m->unit : "", tics->str, c->policies->len, f->name, f->name,
      f->name, plot->str);
  g_string_free (plot, TRUE);
  g_string_free (tics, TRUE);
  return f;
}

static int
sort_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Every HorizontalPodAutoscaler seen in the runs' metrics.csv, sorted. */
static GPtrArray *
hpa_names (const Comparison *c)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < c->runs->len; i++)
    {
      Run *r = c->runs->pdata[i];
      GHashTableIter it;
      const char *key;
      if (r->series == NULL)
        continue;
      g_hash_table_iter_init (&it, r->series);
      while (g_hash_table_iter_next (&it, (gpointer *) &key, NULL))
        if (g_str_has_prefix (key, "hpa_current_replicas\t")
            && !g_ptr_array_find_with_equal_func (names, strchr (key, '\t') + 1, g_str_equal, NULL))
          g_ptr_array_add (names, g_strdup (strchr (key, '\t') + 1));
    }
  g_ptr_array_sort (names, sort_strings);
  return names;
}

static gboolean
any_series (const Comparison *c, const char *key)
{
  for (guint i = 0; i < c->runs->len; i++)
    {
      Run *r = c->runs->pdata[i];
      if (r->series != NULL && g_hash_table_contains (r->series, key))
        return TRUE;
    }
  return FALSE;
}

static void
build_figures (const Comparison *c, GPtrArray *figures)
{
  g_autoptr (GPtrArray) hpas = hpa_names (c);

  g_ptr_array_add (figures, latency_figure (c));
  g_ptr_array_add (figures,
                   time_figure (c, "cpu-allocated", "Allocated cpu", "cpu_requested_ratio\tcluster",
                                "requests / allocatable", NULL, NULL, FALSE,
                                "The cpu requested by the bound, unfinished pods over the "
                                "nodes' allocatable cpu (metrics.csv cpu_requested_ratio)."));
  g_ptr_array_add (figures,
                   time_figure (c, "memory-allocated", "Allocated memory",
                                "memory_requested_ratio\tcluster", "requests / allocatable", NULL,
                                NULL, FALSE,
                                "The memory requested by the bound, unfinished pods over the "
                                "nodes' allocatable memory (metrics.csv memory_requested_ratio)."));
  /* Used against allocated, on one axis: how much of what the pods hold they use. */
  g_ptr_array_add (
      figures, time_figure (c, "cpu-used", "Used vs allocated cpu", "cpu_used_ratio\tcluster",
                            "used / allocatable", "cpu_requested_ratio\tcluster", "allocated", TRUE,
                            "The cpu the running pods used (solid; the simulator's usage "
                            "model: kubesim.io/cpu-usage and requests served, over each "
                            "sample's interval; metrics.csv cpu_used_ratio) against the cpu "
                            "their requests hold (dashed; cpu_requested_ratio), both over "
                            "the nodes' allocatable cpu."));
  g_ptr_array_add (figures,
                   time_figure (c, "memory-used", "Used vs allocated memory",
                                "memory_used_ratio\tcluster", "used / allocatable",
                                "memory_requested_ratio\tcluster", "allocated", TRUE,
                                "The memory the running pods used (solid; the simulator's usage "
                                "model: kubesim.io/memory-usage and memory-growth; metrics.csv "
                                "memory_used_ratio) against the memory their requests hold "
                                "(dashed; memory_requested_ratio), both over the nodes' "
                                "allocatable memory."));
  /* Only clusters with GPUs have the rows. */
  if (any_series (c, "gpu_used_ratio\tcluster"))
    g_ptr_array_add (figures,
                     time_figure (c, "gpu-used", "Used vs allocated GPUs",
                                  "gpu_used_ratio\tcluster", "used / allocatable",
                                  "gpu_requested_ratio\tcluster", "allocated", TRUE,
                                  "The nvidia.com/gpu of the pods with a container running "
                                  "(solid; metrics.csv gpu_used_ratio) against those of the "
                                  "bound, unfinished pods (dashed; gpu_requested_ratio), over the "
                                  "nodes' allocatable GPUs."));
  g_ptr_array_add (figures, time_figure (c, "pending", "Pods waiting for a node",
                                         "pods_unscheduled\tcluster", "pods", NULL, NULL, FALSE,
                                         "Pods Pending without a node (metrics.csv "
                                         "pods_unscheduled)."));
  g_ptr_array_add (figures, time_figure (c, "nodes", "Nodes", "nodes\tcluster", "nodes", NULL, NULL,
                                         FALSE, "Nodes in the cluster (metrics.csv nodes)."));
  if (hpas->len == 0)
    {
      Figure *f = figure_new (c, "hpa", "Replicas and load of the HorizontalPodAutoscalers");
      f->omitted = g_strdup ("No replicas-versus-load figure: the runs have no "
                             "HorizontalPodAutoscaler (no hpa_current_replicas rows in "
                             "metrics.csv).");
      g_ptr_array_add (figures, f);
    }
  for (guint i = 0; i < hpas->len; i++)
    {
      const char *hpa = hpas->pdata[i];
      g_autofree char *what = g_strdup_printf ("hpa-%u", i + 1);
      g_autofree char *title = g_strdup_printf ("HPA %s: replicas and load", hpa);
      g_autofree char *key = g_strdup_printf ("hpa_current_replicas\t%s", hpa);
      g_autofree char *service = g_strdup_printf ("service_request_rate\t%s", hpa);
      g_autofree char *metric = g_strdup_printf ("hpa_metric_0\t%s", hpa);
      gboolean has_service = any_series (c, service);
      g_autofree char *caption = g_strdup_printf (
          "The replicas of HorizontalPodAutoscaler %s (metrics.csv hpa_current_replicas, solid, "
          "left axis) and its load (dashed, right axis): %s.",
          hpa,
          has_service ? "the requests per second arriving at the Service of the same name "
                        "(service_request_rate)"
                      : "its first metric's current value (hpa_metric_0; no Service of the same "
                        "name has a load)");
      g_ptr_array_add (figures,
                       time_figure (c, what, title, key, "replicas", has_service ? service : metric,
                                    has_service ? "requests/s" : "metric 0", FALSE, caption));
    }
  for (guint i = 0; i < c->metrics->len; i++)
    g_ptr_array_add (figures, box_figure (c, c->metrics->pdata[i]));
}

/* ---- the page ------------------------------------------------------------------------------ */

static const char style[]
    = "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
      "h1,h2,h3{font-weight:600}"
      "table{border-collapse:collapse;margin:1em 0;font-size:0.9em}"
      "th,td{border:1px solid #ccc;padding:0.2em 0.5em;text-align:right}"
      "th{background:#f0f0f0}"
      "td.name,th.name{text-align:left}"
      "table.meta td{text-align:left}"
      "tr.sig td{background:#fff6d5}"
      "figure{margin:1.5em 0}"
      "figure svg{width:100%;height:auto;max-width:800px;display:block}"
      "figcaption{font-size:0.9em;max-width:800px}"
      "p.note{font-style:italic;color:#555}"
      "code{font-size:0.95em}"
      "div.wide{overflow-x:auto}"
      "table.comparison{font-size:0.8em}";

/* Text in HTML: &, <, > and " escaped (g_markup_escape_text's &apos; is not needed). */
static void
append_escaped (GString *s, const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    switch (*p)
      {
      case '&':
        g_string_append (s, "&amp;");
        break;
      case '<':
        g_string_append (s, "&lt;");
        break;
      case '>':
        g_string_append (s, "&gt;");
        break;
      case '"':
        g_string_append (s, "&quot;");
        break;
      default:
        g_string_append_c (s, *p);
      }
}

static void
meta_row (GString *s, const char *what, const char *value)
{
  g_string_append (s, "<tr><th class=\"name\">");
  append_escaped (s, what);
  g_string_append (s, "</th><td>");
  append_escaped (s, value);
  g_string_append (s, "</td></tr>\n");
}

static void
append_meta (GString *s, const Comparison *c)
{
  g_autoptr (GPtrArray) versions = g_ptr_array_new ();
  g_autoptr (GString) policies = g_string_new (NULL);
  g_autoptr (GString) runs = g_string_new (NULL);
  g_autofree char *seeds = NULL, *scenario = NULL, *version = NULL;
  guint ok = 0, failed = 0, missing = 0;

  for (guint i = 0; i < c->runs->len; i++)
    {
      Run *r = c->runs->pdata[i];
      GStrv row = c->runs_rows->pdata[i];
      ok += r->ok;
      failed += strcmp (row[2], "failed") == 0;
      missing += strcmp (row[2], "missing") == 0;
      if (r->version != NULL
          && !g_ptr_array_find_with_equal_func (versions, r->version, g_str_equal, NULL))
        g_ptr_array_add (versions, r->version);
    }
  g_ptr_array_sort (versions, sort_strings);
  g_ptr_array_add (versions, NULL);
  version = versions->len > 1 ? g_strjoinv (", ", (char **) versions->pdata)
                              : g_strdup ("unknown (no run's summary.json says)");
  for (guint p = 0; p < c->policies->len; p++)
    g_string_append_printf (policies, "%s%s = %s", p > 0 ? "; " : "",
                            (char *) c->policies->pdata[p], (char *) c->specs->pdata[p]);
  g_ptr_array_add (c->seeds, NULL);
  seeds = g_strjoinv (", ", (char **) c->seeds->pdata);
  g_ptr_array_remove_index (c->seeds, c->seeds->len - 1);
  scenario = g_strdup_printf ("%s (SHA-256 %s)", c->scenario, c->scenario_sha256);
  g_string_append_printf (runs, "%u: %u ok, %u failed, %u missing", c->runs->len, ok, failed,
                          missing);
  g_string_append (s, "<table class=\"meta\">\n");
  meta_row (s, "kubesim version of the runs", version);
  meta_row (s, "scenario", scenario);
  meta_row (s, "duration", c->duration[0] != '\0' ? c->duration : "the scenario's");
  meta_row (s, "policies", policies->str);
  meta_row (s, "baseline", c->baseline);
  meta_row (s, "seeds", seeds);
  meta_row (s, "runs", runs->str);
  if (c->shard != NULL)
    meta_row (s, "shard", c->shard);
  g_string_append (s, "</table>\n");
}

static void
append_table (GString *s, const Comparison *c)
{
  /* comparison.csv's columns but baseline (in the metadata), with its numbers as they are. */
  g_string_append (s, "<div class=\"wide\"><table class=\"comparison\">\n<thead><tr>");
  for (guint i = 0; c->comparison_header[i] != NULL; i++)
    {
      if (i == 8)
        continue;
      g_string_append_printf (s, "<th%s>%s</th>", i < 2 ? " class=\"name\"" : "",
                              c->comparison_header[i]);
    }
  g_string_append (s, "</tr></thead>\n<tbody>\n");
  for (guint r = 0; r < c->comparison_rows->len; r++)
    {
      GStrv f = c->comparison_rows->pdata[r];
      gboolean sig = f[14][0] != '\0' && strcmp (f[14], "no") != 0;
      g_string_append_printf (s, "<tr%s>", sig ? " class=\"sig\"" : "");
      for (guint i = 0; f[i] != NULL; i++)
        {
          if (i == 8)
            continue;
          g_string_append_printf (s, "<td%s>", i < 2 || i >= 13 ? " class=\"name\"" : "");
          append_escaped (s, f[i]);
          if (i == 14 && sig)
            g_string_append (s, " *");
          g_string_append (s, "</td>");
        }
      g_string_append (s, "</tr>\n");
    }
  g_string_append (s, "</tbody>\n</table></div>\n"
                      "<p>An empty field is a value that does not exist (docs/experiments.md). "
                      "<code>significant</code>: which paired tests against the baseline have "
                      "p &lt; 0.05 (t: paired t, wilcoxon: Wilcoxon signed-rank); rows marked * "
                      "are highlighted.</p>\n");
}

static gboolean
write_figure (Figure *f, const char *files_dir, const char *gnuplot, GError **error)
{
  g_autofree char *dat = g_strdup_printf ("%s.dat", f->name);
  g_autofree char *dat_path = g_build_filename (files_dir, dat, NULL);
  g_autoptr (GError) local = NULL;

  if (f->script == NULL)
    return TRUE;
  if (!g_file_set_contents (dat_path, f->data, -1, &local)
      || !ks_plot_write_script (files_dir, f->name, f->script, &local))
    {
      g_set_error (error, KS_REPORT_ERROR, KS_REPORT_ERROR_FAILED, "%s", local->message);
      return FALSE;
    }
  if (gnuplot == NULL)
    return TRUE;
  f->svg = ks_plot_render (gnuplot, files_dir, f->name, &local);
  if (f->svg == NULL)
    {
      g_set_error (error, KS_REPORT_ERROR, KS_REPORT_ERROR_FAILED, "%s", local->message);
      return FALSE;
    }
  return TRUE;
}

static void
append_figure (GString *s, const Figure *f, const char *files_base, guint *number)
{
  if (f->script == NULL)
    {
      g_string_append (s, "<p class=\"note omitted\">");
      append_escaped (s, f->omitted);
      g_string_append (s, "</p>\n");
      return;
    }
  (*number)++;
  g_string_append_printf (s, "<figure id=\"%s\">\n", f->name);
  if (f->svg != NULL)
    {
      g_string_append (s, f->svg);
      if (s->str[s->len - 1] != '\n')
        g_string_append_c (s, '\n');
    }
  else
    g_string_append_printf (s,
                            "<p class=\"note missing\">Figure %u was not drawn: gnuplot was not "
                            "found on PATH. Install gnuplot (Debian: gnuplot-nox) and run "
                            "<code>gnuplot %s.gp</code> in <code>%s/</code>, or run kubesim report "
                            "again.</p>\n",
                            *number, f->name, files_base);
  g_string_append_printf (s, "<figcaption>Figure %u. <b>", *number);
  append_escaped (s, f->title);
  g_string_append (s, ".</b> ");
  append_escaped (s, f->caption);
  g_string_append_printf (s, " Script and data: <code>%s/%s.gp</code>, <code>%s.dat</code>.",
                          files_base, f->name, f->name);
  g_string_append (s, "</figcaption>\n</figure>\n");
}

char *
ks_report_files_dir (const char *out_html)
{
  g_autofree char *stem = NULL;

  if (g_str_has_suffix (out_html, ".html"))
    stem = g_strndup (out_html, strlen (out_html) - 5);
  else if (g_str_has_suffix (out_html, ".htm"))
    stem = g_strndup (out_html, strlen (out_html) - 4);
  else
    stem = g_strdup (out_html);
  return g_strconcat (stem, "-files", NULL);
}

gboolean
ks_report_write (char **dirs, const char *out_html, const char *gnuplot, GError **error)
{
  g_autoptr (GPtrArray) comparisons
      = g_ptr_array_new_with_free_func ((GDestroyNotify) comparison_free);
  g_autofree char *files_dir = ks_report_files_dir (out_html);
  g_autofree char *files_base = g_path_get_basename (files_dir);
  g_autoptr (GString) s = g_string_new (NULL);
  guint n_dirs = g_strv_length (dirs);
  guint number = 0;

  g_return_val_if_fail (n_dirs > 0, FALSE);
  /* Everything is read and checked before anything is written. */
  for (guint d = 0; d < n_dirs; d++)
    {
      g_autofree char *prefix
          = n_dirs > 1 ? g_strdup_printf ("d%u-fig-", d + 1) : g_strdup ("fig-");
      Comparison *c = load_comparison (dirs[d], prefix, error);
      if (c == NULL)
        return FALSE;
      g_ptr_array_add (comparisons, c);
    }
  if (g_mkdir_with_parents (files_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, KS_REPORT_ERROR, KS_REPORT_ERROR_FAILED, "cannot create %s: %s",
                   files_dir, g_strerror (saved));
      return FALSE;
    }
  g_string_append (s, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<title>kubesim report</title>\n<style>");
  g_string_append (s, style);
  g_string_append (s, "</style>\n</head>\n<body>\n<h1>kubesim report</h1>\n");
  g_string_append_printf (s,
                          "<p>Made by kubesim %s report from the output of kubesim compare "
                          "(docs/experiments.md). The figures' gnuplot scripts and data are in "
                          "<code>%s/</code>: edit a script and run <code>gnuplot "
                          "fig-NAME.gp</code> there to redraw its SVG.</p>\n",
                          PACKAGE_VERSION, files_base);
  if (gnuplot == NULL)
    g_string_append (s, "<p class=\"note missing\">gnuplot was not found on PATH: the figures "
                        "were not drawn, only their scripts and data written. The tables are "
                        "complete.</p>\n");
  for (guint d = 0; d < comparisons->len; d++)
    {
      Comparison *c = comparisons->pdata[d];
      g_autoptr (GPtrArray) figures = g_ptr_array_new_with_free_func ((GDestroyNotify) figure_free);
      g_string_append (s, "<section>\n<h2>Comparison ");
      append_escaped (s, c->dir);
      g_string_append (s, "</h2>\n");
      append_meta (s, c);
      g_string_append (s, "<h3>Comparison table (comparison.csv)</h3>\n");
      append_table (s, c);
      g_string_append (s, "<h3>Figures</h3>\n");
      build_figures (c, figures);
      for (guint i = 0; i < figures->len; i++)
        {
          if (!write_figure (figures->pdata[i], files_dir, gnuplot, error))
            return FALSE;
          append_figure (s, figures->pdata[i], files_base, &number);
        }
      g_string_append (s, "</section>\n");
    }
  g_string_append (s, "</body>\n</html>\n");
  if (!g_file_set_contents (out_html, s->str, s->len, error))
    {
      g_prefix_error (error, "the report: ");
      if (error != NULL && *error != NULL)
        {
          (*error)->domain = KS_REPORT_ERROR;
          (*error)->code = KS_REPORT_ERROR_FAILED;
        }
      return FALSE;
    }
  return TRUE;
}
