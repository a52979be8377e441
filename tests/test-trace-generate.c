/* test-trace-generate.c: kubesim trace generate's library (traces/ks-trace-generate.h): the same
 * seed gives the same bytes; counts, run times and the request mix agree with the distributions
 * asked for, within bounds computed here from those distributions (five standard deviations, so
 * a correct generator fails about once in two million runs; the seeds are fixed anyway); bursty
 * arrivals are over-dispersed where Poisson ones are not; a fit reproduces a trace's rate, shapes
 * and machines; the output reads back through the native format's reader. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "ks-test-traces.h"
#include "src/api/ks-duration.h"
#include "src/api/ks-quantity.h"
#include "traces/ks-trace-generate.h"

typedef struct
{
  double t;        /* seconds */
  double duration; /* seconds */
  gint64 cpu_milli, memory_bytes, gpu;
  gint64 gpu_milli; /* a GPU share (kubesim.io/gpu-milli), else 1000 per whole GPU, or 0 */
} Pod;

typedef struct
{
  GArray *pods; /* Pod, in file order */
  guint nodes;
  char *text;
} Output;

static void
output_free (Output *out)
{
  g_array_unref (out->pods);
  g_free (out->text);
  g_free (out);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Output, output_free)

static char *
generate_text (const KsTraceGenerateOptions *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr (KsTraceWriter) writer = ks_trace_writer_new (out);
  char *text;

  g_assert_true (ks_trace_generate (options, writer, &error));
  g_assert_no_error (error);
  g_clear_pointer (&writer, ks_trace_writer_free);
  g_output_stream_write_all (out, "", 1, NULL, NULL, &error); /* the NUL */
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);
  text = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
  return text;
}

static gint64
request (JsonObject *requests, const char *name, gboolean milli)
{
  g_autoptr (GError) error = NULL;
  gint64 value = 0;

  if (requests == NULL || !json_object_has_member (requests, name))
    return 0;
  if (milli)
    g_assert_true (
        ks_quantity_parse_milli (json_object_get_string_member (requests, name), &value, &error));
  else
    g_assert_true (
        ks_quantity_parse_value (json_object_get_string_member (requests, name), &value, &error));
  return value;
}

/* Generate and parse the JSON lines back (independently of the native reader). */
static Output *
generate (const KsTraceGenerateOptions *options)
{
  Output *out = g_new0 (Output, 1);
  g_auto (GStrv) lines = NULL;
  double last = 0;

  out->pods = g_array_new (FALSE, TRUE, sizeof (Pod));
  out->text = generate_text (options);
  lines = g_strsplit (out->text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonNode) node = NULL;
      JsonObject *line, *object, *meta, *annotations, *requests;
      const char *op;
      Pod pod = { 0 };

      if (lines[i][0] == '\0')
        continue;
      node = json_from_string (lines[i], &error);
      g_assert_no_error (error);
      line = json_node_get_object (node);
      op = json_object_get_string_member (line, "op");
      object = json_object_get_object_member (line, "object");
      pod.t = json_object_get_double_member (line, "t");
      g_assert_cmpfloat (pod.t, >=, last);
      last = pod.t;
      if (strcmp (op, "node-add") == 0)
        {
          g_assert_cmpfloat (pod.t, ==, 0);
          out->nodes++;
          continue;
        }
      g_assert_cmpstr (op, ==, "create");
      meta = json_object_get_object_member (object, "metadata");
      annotations = json_object_get_object_member (meta, "annotations");
      g_assert_true (
          ks_duration_parse (json_object_get_string_member (annotations, "kubesim.io/duration"),
                             &(gint64){ 0 }, &error));
      {
        gint64 us = 0;

        ks_duration_parse (json_object_get_string_member (annotations, "kubesim.io/duration"), &us,
                           NULL);
        pod.duration = (double) us / G_USEC_PER_SEC;
      }
      requests = json_object_get_object_member (
          json_object_get_object_member (
              json_array_get_object_element (
                  json_object_get_array_member (json_object_get_object_member (object, "spec"),
                                                "containers"),
                  0),
              "resources"),
          "requests");
      pod.cpu_milli = request (requests, "cpu", TRUE);
      pod.memory_bytes = request (requests, "memory", FALSE);
      /* A share of one GPU is not an extended resource but GPUPacking's annotations. */
      pod.gpu
          = json_object_has_member (annotations, "kubesim.io/gpu-count")
                ? g_ascii_strtoll (
                    json_object_get_string_member (annotations, "kubesim.io/gpu-count"), NULL, 10)
                : request (requests, "nvidia.com/gpu", FALSE);
      pod.gpu_milli
          = json_object_has_member (annotations, "kubesim.io/gpu-milli") ? g_ascii_strtoll (
                json_object_get_string_member (annotations, "kubesim.io/gpu-milli"), NULL, 10)
            : pod.gpu > 0 ? 1000
                          : 0;
      g_array_append_val (out->pods, pod);
    }
  return out;
}

/* Samples a tenth as large under valgrind (the bounds follow the sample's size). */
static double
sample_scale (void)
{
  return g_getenv ("KS_VALGRIND") != NULL ? 0.1 : 1.0;
}

#define POD(out, i) (&g_array_index ((out)->pods, Pod, (i)))

static void
assert_within (double value, double expected, double sd, const char *what)
{
  g_test_message ("%s: %.4f, expected %.4f ± %.4f (5 sd)", what, value, expected, 5 * sd);
  g_assert_cmpfloat (fabs (value - expected), <=, 5 * sd);
}

static void
test_same_seed (void)
{
  KsTraceGenerateOptions options;
  g_autofree char *a = NULL, *b = NULL, *c = NULL;

  ks_trace_generate_options_init (&options);
  options.pods = 500;
  options.nodes = 3;
  options.arrivals = KS_TRACE_ARRIVALS_BURSTY;
  a = generate_text (&options);
  b = generate_text (&options);
  g_assert_cmpstr (a, ==, b);
  options.seed = 2;
  c = generate_text (&options);
  g_assert_cmpstr (a, !=, c);
}

static void
test_poisson_lognormal (void)
{
  static const KsTraceShape mix[] = {
    { 3, 500, G_GINT64_CONSTANT (1) << 30, 0, -1 },
    { 1, 4000, G_GINT64_CONSTANT (16) << 30, 1, -1 },
  };
  KsTraceGenerateOptions options;
  g_autoptr (Output) out = NULL;
  double hours = 200 * sample_scale (), rate = 60, expected, sum_log = 0, sum_log2 = 0, n, p_small,
         mean_gap;
  guint small = 0;

  ks_trace_generate_options_init (&options);
  options.duration = (gint64) (hours * 3600 * G_USEC_PER_SEC);
  options.rate_per_hour = rate;
  options.median_s = 120;
  options.sigma = 0.8;
  options.shapes = mix;
  options.n_shapes = G_N_ELEMENTS (mix);
  options.nodes = 4;
  out = generate (&options);
  n = out->pods->len;
  g_assert_cmpuint (out->nodes, ==, 4);
  /* The count over the horizon is Poisson(rate × hours). */
  expected = rate * hours;
  assert_within (n, expected, sqrt (expected), "pods");
  g_assert_cmpfloat (POD (out, out->pods->len - 1)->t, <, hours * 3600);
  /* Gaps are exponential with mean 1/rate: the mean of n of them has sd mean/sqrt(n). */
  mean_gap = POD (out, out->pods->len - 1)->t / n;
  assert_within (mean_gap, 3600 / rate, 3600 / rate / sqrt (n), "mean gap (s)");
  /* log(run time) is normal(log median, sigma). */
  for (guint i = 0; i < out->pods->len; i++)
    {
      Pod *pod = POD (out, i);
      double l = log (pod->duration);

      sum_log += l;
      sum_log2 += l * l;
      if (pod->cpu_milli == 500)
        {
          g_assert_cmpint (pod->memory_bytes, ==, G_GINT64_CONSTANT (1) << 30);
          g_assert_cmpint (pod->gpu, ==, 0);
          small++;
        }
      else
        {
          g_assert_cmpint (pod->cpu_milli, ==, 4000);
          g_assert_cmpint (pod->memory_bytes, ==, G_GINT64_CONSTANT (16) << 30);
          g_assert_cmpint (pod->gpu, ==, 1);
        }
    }
  assert_within (sum_log / n, log (120), 0.8 / sqrt (n), "mean log run time");
  /* The sample variance of normal draws has sd sigma² sqrt(2/(n-1)). */
  assert_within ((sum_log2 - sum_log * sum_log / n) / (n - 1), 0.64, 0.64 * sqrt (2 / (n - 1)),
                 "variance of log run time");
  /* The mix: binomial(n, 3/4). */
  p_small = 0.75;
  assert_within (small, n * p_small, sqrt (n * p_small * (1 - p_small)), "small pods");
}

static void
test_pareto (void)
{
  KsTraceGenerateOptions options;
  g_autoptr (Output) out = NULL;
  double sum = 0, n, alpha = 2.5, scale = 30;

  ks_trace_generate_options_init (&options);
  options.pods = (guint64) (5000 * sample_scale ());
  options.durations = KS_TRACE_DURATIONS_PARETO;
  options.pareto_alpha = alpha;
  options.pareto_scale_s = scale;
  out = generate (&options);
  n = out->pods->len;
  g_assert_cmpuint (out->pods->len, ==, options.pods);
  g_assert_cmpuint (out->nodes, ==, 0);
  /* log(x / scale) is exponential with mean (and sd) 1/alpha; nothing is below the scale (run
     times are written to the µs). */
  for (guint i = 0; i < out->pods->len; i++)
    {
      g_assert_cmpfloat (POD (out, i)->duration, >=, scale - 1e-6);
      sum += log (POD (out, i)->duration / scale);
    }
  assert_within (sum / n, 1 / alpha, 1 / alpha / sqrt (n), "mean log(x/scale)");
}

/* The index of dispersion (variance / mean) of arrivals per window. */
static double
dispersion (Output *out, double window, double horizon)
{
  guint n_windows = (guint) (horizon / window);
  g_autofree guint *counts = g_new0 (guint, n_windows);
  double mean = 0, var = 0;

  for (guint i = 0; i < out->pods->len; i++)
    {
      guint w = (guint) (POD (out, i)->t / window);

      if (w < n_windows)
        counts[w]++;
    }
  for (guint w = 0; w < n_windows; w++)
    mean += counts[w];
  mean /= n_windows;
  for (guint w = 0; w < n_windows; w++)
    var += (counts[w] - mean) * (counts[w] - mean);
  var /= n_windows - 1;
  return var / mean;
}

static void
test_bursty (void)
{
  KsTraceGenerateOptions options;
  g_autoptr (Output) poisson = NULL, bursty = NULL;
  double hours = 500 * sample_scale (), rate = 120, window = 600, n_windows = hours * 3600 / window,
         d;

  ks_trace_generate_options_init (&options);
  options.duration = (gint64) (hours * 3600 * G_USEC_PER_SEC);
  options.rate_per_hour = rate;
  poisson = generate (&options);
  options.arrivals = KS_TRACE_ARRIVALS_BURSTY;
  options.burst_on_s = 60;
  options.burst_off_s = 540;
  bursty = generate (&options);
  /* Poisson counts per window: dispersion 1, the sample's sd about sqrt(2/(windows-1)). */
  d = dispersion (poisson, window, hours * 3600);
  assert_within (d, 1, sqrt (2 / (n_windows - 1)), "Poisson dispersion");
  /* On/off arrivals keep the mean rate.  Their count varies more than a Poisson count: by
     renewal-reward over on/off cycles C = on + off, Var(count) ≈ (horizon / E[C]) Var(N − μC),
     where N | on ~ Poisson(λ on), so Var(N − μC) = λ E[on] + (λ − μ)² Var(on) + μ² Var(off)
     (exponential stays: Var = mean²). */
  {
    double mu = rate / 3600, on = options.burst_on_s, off = options.burst_off_s;
    double lambda = mu * (on + off) / on;
    double var_cycle = lambda * on + (lambda - mu) * (lambda - mu) * on * on + mu * mu * off * off;
    double var = hours * 3600 / (on + off) * var_cycle;

    assert_within (bursty->pods->len, rate * hours, sqrt (var), "bursty pods");
  }
  /* ... but come in bursts: per window, a burst's arrivals (about 20 at 10/min for 1 min) make
     the dispersion far above 1. */
  d = dispersion (bursty, window, hours * 3600);
  g_test_message ("bursty dispersion %.2f", d);
  g_assert_cmpfloat (d, >, 5);
}

static void
test_fit (void)
{
  g_autofree char *nodes = ks_test_trace_fixture ("alibaba-gpu-2023/openb_node_list_all_node.csv");
  g_autofree char *pods = ks_test_trace_fixture ("alibaba-gpu-2023/openb_pod_list_gpuspec33.csv");
  const char *paths[] = { nodes, pods };
  g_autoptr (GError) error = NULL;
  g_autoptr (KsTraceReader) reader = NULL;
  g_autoptr (KsTraceFit) fit = NULL;
  g_autoptr (Output) out = NULL;
  g_autoptr (GHashTable) trace_shapes
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  KsTraceGenerateOptions options;
  KsTraceOptions trace_options;
  const KsTraceShape *shapes;
  guint n_shapes, rows = 0, top = 0, top_count = 0, generated_top = 0;
  gint64 first = -1, last = 0;
  double rate, n, trace_log = 0, trace_log2 = 0, trace_runs = 0, gen_log = 0, gen_runs = 0;

  /* The trace's own rate and shapes, from the CSV. */
  g_file_get_contents (pods, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], ",", -1);
      g_autofree char *key = NULL;
      gint64 t;

      if (lines[i][0] == '\0')
        continue;
      t = g_ascii_strtoll (f[8], NULL, 10);
      first = first < 0 ? t : first;
      last = t;
      rows++;
      key = g_strdup_printf ("%s/%s/%s/%s", f[1], f[2], f[3], f[4]);
      /* Run times: from the scheduled time (empty for pods that never ran) to the deletion. */
      if (f[10][0] != '\0' && f[10][0] != '\r')
        {
          double run
              = (double) (g_ascii_strtoll (f[9], NULL, 10) - g_ascii_strtoll (f[10], NULL, 10));

          if (run > 0)
            {
              double l = log10 (run);

              trace_log += l;
              trace_log2 += l * l;
              trace_runs++;
            }
        }
      g_hash_table_replace (
          trace_shapes, g_strdup (key),
          GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (trace_shapes, key)) + 1));
    }

  ks_trace_options_init (&trace_options);
  reader = ks_trace_reader_new ("alibaba-gpu-2023", paths, 2, &trace_options, &error);
  g_assert_no_error (error);
  fit = ks_trace_fit_new (reader, &error);
  g_assert_no_error (error);
  rate = (double) (rows - 1) * 3600 / (double) (last - first);
  g_assert_cmpfloat (fabs (ks_trace_fit_get_rate (fit) - rate), <, 1e-9 * rate);
  g_assert_cmpuint (ks_trace_fit_get_n_nodes (fit), ==, 400);
  shapes = ks_trace_fit_get_shapes (fit, &n_shapes);
  g_assert_cmpuint (n_shapes, ==, g_hash_table_size (trace_shapes));
  for (guint i = 0; i < n_shapes; i++)
    if (shapes[i].weight > shapes[top].weight)
      top = i;
  top_count = (guint) shapes[top].weight;

  ks_trace_generate_options_init (&options);
  options.fit = fit;
  options.rate_per_hour = 0;
  options.pods = (guint64) (4000 * sample_scale ());
  out = generate (&options);
  n = out->pods->len;
  g_assert_cmpuint (out->nodes, ==, 400);
  for (guint i = 0; i < out->pods->len; i++)
    {
      Pod *pod = POD (out, i);
      g_autofree char *key = g_strdup_printf (
          "%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
          pod->cpu_milli, pod->memory_bytes >> 20, pod->gpu, pod->gpu_milli);

      /* Only the trace's shapes. */
      g_assert_true (g_hash_table_contains (trace_shapes, key));
      if (pod->duration > 0)
        {
          gen_log += log10 (pod->duration);
          gen_runs++;
        }
      generated_top += pod->cpu_milli == shapes[top].cpu_milli
                       && pod->memory_bytes == shapes[top].memory_bytes
                       && pod->gpu == shapes[top].gpu && pod->gpu_milli == shapes[top].gpu_milli;
    }
  /* The commonest shape as often as in the trace: binomial(n, its share). */
  {
    double p = (double) top_count / rows;

    assert_within (generated_top, n * p, sqrt (n * p * (1 - p)), "commonest shape");
  }
  /* Run times drawn from the trace's: the mean of their logarithms as the trace's, within the
     sampling error of the generated ones (the trace's sd over their number) plus a histogram bin
     (1/40 of a decade). */
  {
    double mean = trace_log / trace_runs;
    double sd = sqrt (trace_log2 / trace_runs - mean * mean);

    g_assert_cmpfloat (trace_runs, >, 100);
    assert_within (gen_log / gen_runs, mean, sd / sqrt (gen_runs) + 0.025 / 5,
                   "mean log10 run time");
  }
  /* Arrivals at the fitted rate. */
  assert_within (POD (out, out->pods->len - 1)->t / n, 3600 / rate, 3600 / rate / sqrt (n),
                 "mean gap (s)");
}

/* The output is a native trace: the kubesim reader reads every line as an object. */
static void
test_reads_back (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ks-test-generate-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "gen.jsonl", NULL);
  g_autofree char *text = NULL;
  g_autoptr (KsTraceReader) reader = NULL;
  KsTraceGenerateOptions options;
  KsTraceOptions trace_options;
  KsTraceRecord record;
  const char *paths[] = { path };
  guint pods = 0, nodes = 0;

  g_assert_no_error (error);
  ks_trace_generate_options_init (&options);
  options.pods = 200;
  options.nodes = 5;
  text = generate_text (&options);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  ks_trace_options_init (&trace_options);
  reader = ks_trace_reader_new ("kubesim", paths, 1, &trace_options, &error);
  g_assert_no_error (error);
  while (ks_trace_reader_next (reader, &record, &error))
    {
      if (record.op == KS_TRACE_NODE_ADD)
        nodes++;
      else if (record.op == KS_TRACE_POD_SUBMIT || (record.op == KS_TRACE_OBJECT && !record.delete))
        pods++;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (ks_trace_reader_get_counts (reader)->bad_rows, ==, 0);
  g_assert_cmpuint (ks_trace_reader_get_counts (reader)->rows, ==, 205);
  g_assert_cmpuint (pods + nodes, ==, 205);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_bad_options (void)
{
  static const KsTraceShape zero = { 0, 1000, 1, 0, -1 };
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr (KsTraceWriter) writer = ks_trace_writer_new (out);
  KsTraceGenerateOptions options;
  ks_trace_generate_options_init (&options);
  {
    g_autoptr (GError) error = NULL;

    g_assert_false (ks_trace_generate (&options, writer, &error));
    g_assert_nonnull (strstr (error->message, "give --pods N or --duration"));
  }
  options.pods = 1;
  options.rate_per_hour = -1;
  {
    g_autoptr (GError) error = NULL;

    g_assert_false (ks_trace_generate (&options, writer, &error));
    g_assert_nonnull (strstr (error->message, "--rate"));
  }
  options.rate_per_hour = 1;
  options.shapes = &zero;
  {
    g_autoptr (GError) error = NULL;

    g_assert_false (ks_trace_generate (&options, writer, &error));
    g_assert_nonnull (strstr (error->message, "weight above 0"));
  }
  options.n_shapes = 0;
  {
    g_autoptr (GError) error = NULL;

    g_assert_false (ks_trace_generate (&options, writer, &error));
    g_assert_nonnull (strstr (error->message, "request mix is empty"));
  }
  g_assert_cmpuint (ks_trace_writer_get_count (writer), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/trace-generate/same-seed", test_same_seed);
  g_test_add_func ("/trace-generate/poisson-lognormal", test_poisson_lognormal);
  g_test_add_func ("/trace-generate/pareto", test_pareto);
  g_test_add_func ("/trace-generate/bursty", test_bursty);
  g_test_add_func ("/trace-generate/fit", test_fit);
  g_test_add_func ("/trace-generate/reads-back", test_reads_back);
  g_test_add_func ("/trace-generate/bad-options", test_bad_options);
  return g_test_run ();
}
