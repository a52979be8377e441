/* ks-trace-generate.c: see ks-trace-generate.h. */
#include "config.h"

#include "ks-trace-generate.h"

#include <gsl/gsl_histogram.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

#include "src/ks-rng.h"

/* Run times are binned by their base-10 logarithm, 40 bins a decade from 1 ms to 10^8 s (three
 * years): fine enough that sampling within a bin changes a run time by at most 6 %. */
#define LOG_MIN -3.0
#define LOG_MAX 8.0
#define BINS_PER_DECADE 40
#define MAX_RUN_S 1e9

struct _KsTraceFit
{
  guint64 submissions;
  gint64 first, last; /* submission times, µs */
  gsl_histogram *log_durations;
  guint64 zero_durations; /* run times of 0 (no logarithm) */
  guint64 n_durations;
  GHashTable *waiting; /* pods submitted without a run time, until they start */
  GHashTable
      *started; /* those of them started: pod id → recorded start (gint64 *), until the end */
  GHashTable *shapes; /* "cpu/memory/gpu/gpu_milli" → count */
  GHashTable *node_shapes;
  GHashTable *node_ids;
  KsTraceShape *shape_array, *node_array;
  guint n_shapes, n_node_shapes;
};

static void
count_shape (GHashTable *table, gint64 cpu, gint64 memory, gint64 gpu, gint64 gpu_milli)
{
  char *key = g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                               "/%" G_GINT64_FORMAT,
                               cpu, memory, gpu, gpu_milli);
  gpointer old = g_hash_table_lookup (table, key);

  g_hash_table_replace (table, key, GSIZE_TO_POINTER (GPOINTER_TO_SIZE (old) + 1));
}

static int
compare_keys (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The table's shapes in key order (never hash order: the sampling must not depend on it). */
static KsTraceShape *
sorted_shapes (GHashTable *table, guint *n)
{
  g_autofree gpointer *keys = g_hash_table_get_keys_as_array (table, n);
  KsTraceShape *shapes = g_new0 (KsTraceShape, MAX (*n, 1));

  qsort (keys, *n, sizeof (gpointer), compare_keys);
  for (guint i = 0; i < *n; i++)
    {
      KsTraceShape *s = &shapes[i];

      sscanf (keys[i],
              "%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
              &s->cpu_milli, &s->memory_bytes, &s->gpu, &s->gpu_milli);
      s->weight = (double) GPOINTER_TO_SIZE (g_hash_table_lookup (table, keys[i]));
    }
  return shapes;
}

static void
add_duration (KsTraceFit *fit, gint64 us)
{
  double seconds = (double) us / G_USEC_PER_SEC;

  fit->n_durations++;
  if (us <= 0)
    {
      fit->zero_durations++;
      return;
    }
  gsl_histogram_increment (fit->log_durations, CLAMP (log10 (seconds), LOG_MIN, LOG_MAX - 1e-9));
}

void
ks_trace_fit_free (KsTraceFit *fit)
{
  if (fit == NULL)
    return;
  gsl_histogram_free (fit->log_durations);
  g_hash_table_unref (fit->waiting);
  g_hash_table_unref (fit->started);
  g_hash_table_unref (fit->shapes);
  g_hash_table_unref (fit->node_shapes);
  g_hash_table_unref (fit->node_ids);
  g_free (fit->shape_array);
  g_free (fit->node_array);
  g_free (fit);
}

KsTraceFit *
ks_trace_fit_new (KsTraceReader *reader, GError **error)
{
  g_autoptr (KsTraceFit) fit = g_new0 (KsTraceFit, 1);
  KsTraceRecord record;
  GError *local = NULL;

  fit->log_durations = gsl_histogram_alloc ((size_t) ((LOG_MAX - LOG_MIN) * BINS_PER_DECADE));
  gsl_histogram_set_ranges_uniform (fit->log_durations, LOG_MIN, LOG_MAX);
  fit->waiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fit->started = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fit->shapes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fit->node_shapes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fit->node_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  while (ks_trace_reader_next (reader, &record, &local))
    switch (record.op)
      {
      case KS_TRACE_POD_SUBMIT:
        if (fit->submissions == 0)
          fit->first = record.time;
        fit->last = record.time;
        fit->submissions++;
        count_shape (fit->shapes, record.cpu_milli, record.memory_bytes, record.gpu,
                     record.gpu_milli);
        /* The row's own run time; else the time from a recorded start to the end (each pod's
           run counted once). */
        g_hash_table_remove (fit->started, record.id);
        if (record.runtime >= 0)
          {
            add_duration (fit, record.runtime);
            g_hash_table_remove (fit->waiting, record.id);
          }
        else
          g_hash_table_add (fit->waiting, g_strdup (record.id));
        break;
      case KS_TRACE_POD_START:
        if (g_hash_table_remove (fit->waiting, record.id))
          g_hash_table_replace (fit->started, g_strdup (record.id),
                                g_memdup2 (&record.time, sizeof record.time));
        break;
      case KS_TRACE_POD_END:
        {
          gint64 *start = g_hash_table_lookup (fit->started, record.id);

          if (start != NULL)
            {
              add_duration (fit, record.time - *start);
              g_hash_table_remove (fit->started, record.id);
            }
          g_hash_table_remove (fit->waiting, record.id);
          break;
        }
      case KS_TRACE_NODE_ADD:
        if (!g_hash_table_contains (fit->node_ids, record.id))
          {
            g_hash_table_add (fit->node_ids, g_strdup (record.id));
            count_shape (fit->node_shapes, record.cpu_milli, record.memory_bytes, record.gpu, -1);
          }
        break;
      default:
        break;
      }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  /* Pods whose row gave a run time were counted at submission; a start without an end is a pod
     still running when the trace ends: its run time is unknown. */
  g_hash_table_remove_all (fit->started);
  g_hash_table_remove_all (fit->waiting);
  if (fit->submissions < 2 || fit->last <= fit->first)
    {
      g_set_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT,
                   "the trace has %" G_GUINT64_FORMAT " submission(s)%s: at least two at "
                   "different times are needed to fit an arrival rate",
                   fit->submissions, fit->submissions >= 2 ? ", all at the same time" : "");
      return NULL;
    }
  fit->shape_array = sorted_shapes (fit->shapes, &fit->n_shapes);
  fit->node_array = sorted_shapes (fit->node_shapes, &fit->n_node_shapes);
  return g_steal_pointer (&fit);
}

double
ks_trace_fit_get_rate (KsTraceFit *fit)
{
  return (double) (fit->submissions - 1) * 3600.0 * G_USEC_PER_SEC
         / (double) (fit->last - fit->first);
}

guint64
ks_trace_fit_get_n_durations (KsTraceFit *fit)
{
  return fit->n_durations;
}

guint
ks_trace_fit_get_n_nodes (KsTraceFit *fit)
{
  return g_hash_table_size (fit->node_ids);
}

const KsTraceShape *
ks_trace_fit_get_shapes (KsTraceFit *fit, guint *n_shapes)
{
  *n_shapes = fit->n_shapes;
  return fit->shape_array;
}

void
ks_trace_generate_options_init (KsTraceGenerateOptions *options)
{
  static const KsTraceShape one_core = { 1.0, 1000, G_GINT64_CONSTANT (1) << 30, 0, -1 };

  memset (options, 0, sizeof *options);
  options->seed = 1;
  options->arrivals = KS_TRACE_ARRIVALS_POISSON;
  options->rate_per_hour = 60;
  options->burst_on_s = 60;
  options->burst_off_s = 240;
  options->durations = KS_TRACE_DURATIONS_LOGNORMAL;
  options->median_s = 300;
  options->sigma = 1;
  options->pareto_scale_s = 60;
  options->pareto_alpha = 1.5;
  options->shapes = &one_core;
  options->n_shapes = 1;
  options->node.weight = 1;
  options->node.cpu_milli = 32000;
  options->node.memory_bytes = G_GINT64_CONSTANT (128) << 30;
  options->node.gpu = 0;
  options->node.gpu_milli = -1;
}

static gboolean
invalid (GError **error, const char *message)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, message);
  return FALSE;
}

static gboolean
check (const KsTraceGenerateOptions *o, GError **error)
{
  if (o->pods == 0 && o->duration <= 0)
    return invalid (error, "give --pods N or --duration SECONDS (or both): without either the "
                           "trace would never end");
  if (o->duration < 0)
    return invalid (error, "--duration must be more than 0 seconds");
  if (o->fit == NULL || o->rate_per_hour > 0)
    if (!(o->rate_per_hour > 0) || !isfinite (o->rate_per_hour))
      return invalid (error, "--rate must be a number of arrivals per hour above 0");
  if (o->arrivals == KS_TRACE_ARRIVALS_BURSTY
      && (!(o->burst_on_s > 0) || !(o->burst_off_s >= 0) || !isfinite (o->burst_on_s)
          || !isfinite (o->burst_off_s)))
    return invalid (error, "--burst-on must be above 0 seconds and --burst-off 0 or more");
  if (o->fit == NULL && o->durations == KS_TRACE_DURATIONS_LOGNORMAL
      && (!(o->median_s > 0) || !(o->sigma >= 0) || !isfinite (o->median_s)
          || !isfinite (o->sigma)))
    return invalid (error, "lognormal run times need --median above 0 seconds and --sigma 0 or "
                           "more");
  if (o->fit == NULL && o->durations == KS_TRACE_DURATIONS_PARETO
      && (!(o->pareto_scale_s > 0) || !(o->pareto_alpha > 0) || !isfinite (o->pareto_scale_s)
          || !isfinite (o->pareto_alpha)))
    return invalid (error, "Pareto run times need --pareto-scale above 0 seconds and "
                           "--pareto-alpha above 0");
  if (o->fit == NULL && o->n_shapes == 0)
    return invalid (error, "the request mix is empty: give at least one --shape");
  for (guint i = 0; o->fit == NULL && i < o->n_shapes; i++)
    if (!(o->shapes[i].weight > 0) || !isfinite (o->shapes[i].weight))
      return invalid (error, "every --shape needs a weight above 0");
  if (o->fit != NULL && ks_trace_fit_get_n_durations (o->fit) == 0)
    return invalid (error, "the fitted trace gives no run time (no row with one, no pod with a "
                           "recorded start and end): nothing to draw run times from");
  return TRUE;
}

/* A discrete sampler over the shapes' weights. */
static gsl_ran_discrete_t *
shape_sampler (const KsTraceShape *shapes, guint n)
{
  g_autofree double *weights = g_new (double, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    weights[i] = shapes[i].weight;
  return gsl_ran_discrete_preproc (n, weights);
}

/* The next arrival after *t (µs) of a Poisson process, or of an on/off Markov-modulated one
 * whose state and the end of its stay are in *on and *stay_end. */
static double
next_arrival (const KsTraceGenerateOptions *o, double rate_per_s, gsl_rng *rng, double t,
              gboolean *on, double *stay_end)
{
  double on_rate;

  if (o->arrivals == KS_TRACE_ARRIVALS_POISSON)
    return t + gsl_ran_exponential (rng, 1.0 / rate_per_s);
  /* In the on state arrivals come at the rate that makes the mean over on and off the rate
     asked for; none come in the off state.  Stays and gaps are memoryless, so a gap cut by the
     end of a stay is drawn again from there. */
  on_rate = rate_per_s * (o->burst_on_s + o->burst_off_s) / o->burst_on_s;
  for (;;)
    {
      if (*on)
        {
          double candidate = t + gsl_ran_exponential (rng, 1.0 / on_rate);

          if (candidate < *stay_end)
            return candidate;
        }
      t = *stay_end;
      *on = !*on;
      *stay_end = t + gsl_ran_exponential (rng, *on ? o->burst_on_s : o->burst_off_s);
    }
}

static double
draw_duration (const KsTraceGenerateOptions *o, gsl_rng *rng, gsl_histogram_pdf *pdf, double p_zero)
{
  if (o->fit != NULL)
    {
      if (gsl_rng_uniform (rng) < p_zero)
        return 0;
      return pow (10.0, gsl_histogram_pdf_sample (pdf, gsl_rng_uniform (rng)));
    }
  if (o->durations == KS_TRACE_DURATIONS_PARETO)
    return gsl_ran_pareto (rng, o->pareto_alpha, o->pareto_scale_s);
  return gsl_ran_lognormal (rng, log (o->median_s), o->sigma);
}

gboolean
ks_trace_generate (const KsTraceGenerateOptions *options, KsTraceWriter *writer, GError **error)
{
  const KsTraceGenerateOptions *o = options;
  g_autoptr (gsl_rng) arrivals = NULL;
  g_autoptr (gsl_rng) durations = NULL;
  g_autoptr (gsl_rng) requests = NULL;
  g_autoptr (gsl_rng) nodes = NULL;
  gsl_ran_discrete_t *pod_sampler = NULL, *node_sampler = NULL;
  gsl_histogram_pdf *pdf = NULL;
  const KsTraceShape *shapes = o->shapes, *node_shapes = &o->node;
  guint n_shapes = o->n_shapes, n_node_shapes = 1, n_nodes = o->nodes;
  double rate_per_s, p_zero = 0, t = 0, stay_end = 0;
  gboolean on = FALSE, ok = TRUE;
  g_autoptr (GString) id = g_string_new (NULL);

  if (!check (o, error))
    return FALSE;
  arrivals = ks_rng_new (o->seed, "trace-generate/arrivals");
  durations = ks_rng_new (o->seed, "trace-generate/durations");
  requests = ks_rng_new (o->seed, "trace-generate/requests");
  nodes = ks_rng_new (o->seed, "trace-generate/nodes");
  rate_per_s = (o->rate_per_hour > 0 ? o->rate_per_hour : ks_trace_fit_get_rate (o->fit)) / 3600;
  if (o->fit != NULL)
    {
      KsTraceFit *fit = o->fit;

      shapes = fit->shape_array;
      n_shapes = fit->n_shapes;
      if (fit->n_node_shapes > 0)
        {
          node_shapes = fit->node_array;
          n_node_shapes = fit->n_node_shapes;
          if (n_nodes == 0)
            n_nodes = ks_trace_fit_get_n_nodes (fit);
        }
      p_zero = (double) fit->zero_durations / (double) fit->n_durations;
      if (fit->zero_durations < fit->n_durations)
        {
          pdf = gsl_histogram_pdf_alloc (gsl_histogram_bins (fit->log_durations));
          gsl_histogram_pdf_init (pdf, fit->log_durations);
        }
    }
  pod_sampler = shape_sampler (shapes, n_shapes);
  node_sampler = shape_sampler (node_shapes, n_node_shapes);

  for (guint i = 0; ok && i < n_nodes; i++)
    {
      const KsTraceShape *s = &node_shapes[gsl_ran_discrete (nodes, node_sampler)];
      KsTraceRecord record = { 0 };

      g_string_printf (id, "node-%u", i);
      record.op = KS_TRACE_NODE_ADD;
      record.id = id->str;
      record.cpu_milli = s->cpu_milli;
      record.memory_bytes = s->memory_bytes;
      record.gpu = s->gpu;
      record.gpu_milli = -1;
      record.runtime = -1;
      ok = ks_trace_writer_write_record (writer, &record, error);
    }

  if (o->arrivals == KS_TRACE_ARRIVALS_BURSTY)
    {
      /* Start in the state the process is in at a random moment of its steady state. */
      on = gsl_rng_uniform (arrivals) < o->burst_on_s / (o->burst_on_s + o->burst_off_s);
      stay_end = gsl_ran_exponential (arrivals, on ? o->burst_on_s : o->burst_off_s);
    }
  for (guint64 n = 0; ok && (o->pods == 0 || n < o->pods); n++)
    {
      KsTraceRecord record = { 0 };
      const KsTraceShape *s;
      gint64 time;

      t = next_arrival (o, rate_per_s, arrivals, t, &on, &stay_end);
      time = (gint64) llround (t * G_USEC_PER_SEC);
      if (o->duration > 0 && time >= o->duration)
        break;
      s = &shapes[gsl_ran_discrete (requests, pod_sampler)];
      g_string_printf (id, "gen-%06" G_GUINT64_FORMAT, n);
      record.op = KS_TRACE_POD_SUBMIT;
      record.time = time;
      record.id = id->str;
      record.cpu_milli = s->cpu_milli;
      record.memory_bytes = s->memory_bytes;
      record.gpu = s->gpu;
      record.gpu_milli = s->gpu_milli;
      /* Capped (a Pareto draw of small alpha can exceed any clock): 10^9 s is 31 years. */
      record.runtime = (gint64) llround (MIN (draw_duration (o, durations, pdf, p_zero), MAX_RUN_S)
                                         * G_USEC_PER_SEC);
      ok = ks_trace_writer_write_record (writer, &record, error);
    }
  gsl_ran_discrete_free (pod_sampler);
  gsl_ran_discrete_free (node_sampler);
  if (pdf != NULL)
    gsl_histogram_pdf_free (pdf);
  return ok && ks_trace_writer_flush (writer, error);
}
