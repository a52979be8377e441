/* cmd-trace-generate.c: kubesim trace generate: a synthetic workload in the native trace format
 * (traces/ks-trace-generate.h, docs/traces.md "Synthetic traces"). */
#include "config.h"

#include <gio/gunixoutputstream.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ks-cli.h"
#include "src/api/ks-quantity.h"
#include "traces/ks-trace-generate.h"

#define NAME "kubesim trace generate"

static gboolean
parse_number (const char *option, const char *text, double *out)
{
  char *end = NULL;

  if (text == NULL)
    return TRUE;
  *out = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (*out))
    {
      g_printerr (NAME ": --%s: \"%s\" is not a number\n", option, text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_count (const char *option, const char *text, guint64 *out)
{
  g_autoptr (GError) error = NULL;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, out, &error))
    {
      g_printerr (NAME ": --%s: \"%s\" is not a whole number from 0 to %u\n", option, text,
                  G_MAXUINT32);
      return FALSE;
    }
  return TRUE;
}

/* "WEIGHT:CPU,MEMORY[,GPUS]", e.g. "3:500m,1Gi" or "1:8,64Gi,2". */
static gboolean
parse_shape (const char *text, KsTraceShape *shape)
{
  g_autoptr (GError) error = NULL;
  const char *colon = strchr (text, ':');
  g_autofree char *weight = colon != NULL ? g_strndup (text, (gsize) (colon - text)) : NULL;
  g_auto (GStrv) parts = colon != NULL ? g_strsplit (colon + 1, ",", -1) : NULL;
  guint64 gpus = 0;
  char *end = NULL;

  shape->gpu_milli = -1;
  if (colon == NULL || (g_strv_length (parts) != 2 && g_strv_length (parts) != 3))
    goto bad;
  shape->weight = g_ascii_strtod (weight, &end);
  if (end == weight || *end != '\0' || !(shape->weight > 0) || !isfinite (shape->weight))
    goto bad;
  if (!ks_quantity_parse_milli (parts[0], &shape->cpu_milli, &error) || shape->cpu_milli < 0)
    goto bad;
  if (!ks_quantity_parse_value (parts[1], &shape->memory_bytes, &error) || shape->memory_bytes < 0)
    goto bad;
  if (parts[2] != NULL && !g_ascii_string_to_unsigned (parts[2], 10, 0, 1024, &gpus, &error))
    goto bad;
  shape->gpu = (gint64) gpus;
  return TRUE;

bad:
  g_printerr (NAME ": --shape: \"%s\" is not WEIGHT:CPU,MEMORY[,GPUS] (a weight above 0, "
                   "quantities such as 500m and 1Gi, a whole number of GPUs: \"3:500m,1Gi\")%s%s\n",
              text, error != NULL ? ": " : "", error != NULL ? error->message : "");
  return FALSE;
}

int
ks_cmd_trace_generate (int argc, char **argv)
{
  g_autofree char *seed = NULL, *pods = NULL, *duration = NULL, *arrivals = NULL, *rate = NULL;
  g_autofree char *burst_on = NULL, *burst_off = NULL, *durations = NULL, *median = NULL;
  g_autofree char *sigma = NULL, *pareto_scale = NULL, *pareto_alpha = NULL, *nodes = NULL;
  g_autofree char *node_cpu = NULL, *node_memory = NULL, *node_gpus = NULL, *format = NULL;
  g_autofree char *output = NULL, *machine_cpu = NULL, *machine_memory = NULL;
  g_auto (GStrv) shape_texts = NULL;
  g_auto (GStrv) fit_paths = NULL;
  GOptionEntry entries[] = {
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed, "The random seed (default 1)", "N" },
    { "pods", 0, 0, G_OPTION_ARG_STRING, &pods, "Stop after N pods", "N" },
    { "duration", 0, 0, G_OPTION_ARG_STRING, &duration, "Stop arrivals at this time", "SECONDS" },
    { "arrivals", 0, 0, G_OPTION_ARG_STRING, &arrivals, "poisson (default) or bursty", "KIND" },
    { "rate", 0, 0, G_OPTION_ARG_STRING, &rate,
      "Mean arrivals per hour (default 60; with --fit, the trace's)", "N" },
    { "burst-on", 0, 0, G_OPTION_ARG_STRING, &burst_on,
      "bursty: mean length of a burst (default 60)", "SECONDS" },
    { "burst-off", 0, 0, G_OPTION_ARG_STRING, &burst_off,
      "bursty: mean quiet time between bursts (default 240)", "SECONDS" },
    { "durations", 0, 0, G_OPTION_ARG_STRING, &durations,
      "Run times: lognormal (default) or pareto", "KIND" },
    { "median", 0, 0, G_OPTION_ARG_STRING, &median, "lognormal: median run time (default 300)",
      "SECONDS" },
    { "sigma", 0, 0, G_OPTION_ARG_STRING, &sigma,
      "lognormal: standard deviation of the log (default 1)", "X" },
    { "pareto-scale", 0, 0, G_OPTION_ARG_STRING, &pareto_scale,
      "pareto: the least run time (default 60)", "SECONDS" },
    { "pareto-alpha", 0, 0, G_OPTION_ARG_STRING, &pareto_alpha,
      "pareto: the tail index (default 1.5)", "A" },
    { "shape", 0, 0, G_OPTION_ARG_STRING_ARRAY, &shape_texts,
      "A request shape and its weight in the mix, repeatable (default 1:1,1Gi)",
      "WEIGHT:CPU,MEMORY[,GPUS]" },
    { "nodes", 0, 0, G_OPTION_ARG_STRING, &nodes,
      "Nodes added at time 0 (default 0; with --fit, as many as the trace has)", "N" },
    { "node-cpu", 0, 0, G_OPTION_ARG_STRING, &node_cpu, "Each node's cpu (default 32)",
      "QUANTITY" },
    { "node-memory", 0, 0, G_OPTION_ARG_STRING, &node_memory, "Each node's memory (default 128Gi)",
      "QUANTITY" },
    { "node-gpus", 0, 0, G_OPTION_ARG_STRING, &node_gpus, "Each node's GPUs (default 0)", "N" },
    { "fit", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &fit_paths,
      "Fit the rate, run times, requests and nodes to this trace (repeatable: its files)",
      "TRACE" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "The format of the --fit trace", "FORMAT" },
    { "machine-cpu", 0, 0, G_OPTION_ARG_STRING, &machine_cpu,
      "--fit: the reference machine's cpu (default 32)", "QUANTITY" },
    { "machine-memory", 0, 0, G_OPTION_ARG_STRING, &machine_memory,
      "--fit: the reference machine's memory (default 128Gi)", "QUANTITY" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write here (default standard output)",
      "FILE" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("");
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) shapes = g_array_new (FALSE, TRUE, sizeof (KsTraceShape));
  g_autoptr (KsTraceFit) fit = NULL;
  g_autoptr (GOutputStream) out = NULL;
  g_autoptr (KsTraceWriter) writer = NULL;
  KsTraceGenerateOptions options;
  guint64 count = 0;
  double seconds = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
                                "Write a synthetic workload in the native trace format (kubesim): "
                                "nodes at time 0, then pods arriving by a Poisson or bursty "
                                "process with lognormal or Pareto run times and a weighted mix of "
                                "requests, or all of these fitted to a given trace.");
  g_option_context_set_description (context,
                                    "Exit status: 0 success, 2 bad usage or an unreadable --fit "
                                    "trace.");
  if (!ks_cli_parse (context, "trace generate", &argc, &argv))
    return KS_EXIT_USAGE;
  if (argc > 1)
    {
      g_printerr (NAME ": unexpected argument \"%s\" (the trace to fit is given with --fit)\n",
                  argv[1]);
      return KS_EXIT_USAGE;
    }
  ks_trace_generate_options_init (&options);
  if (!parse_count ("seed", seed, &options.seed) || !parse_count ("pods", pods, &options.pods)
      || !parse_number ("duration", duration, &seconds)
      || !parse_number ("rate", rate, &options.rate_per_hour)
      || !parse_number ("burst-on", burst_on, &options.burst_on_s)
      || !parse_number ("burst-off", burst_off, &options.burst_off_s)
      || !parse_number ("median", median, &options.median_s)
      || !parse_number ("sigma", sigma, &options.sigma)
      || !parse_number ("pareto-scale", pareto_scale, &options.pareto_scale_s)
      || !parse_number ("pareto-alpha", pareto_alpha, &options.pareto_alpha))
    return KS_EXIT_USAGE;
  if (duration != NULL && !(seconds > 0 && seconds < 1e12))
    {
      g_printerr (NAME ": --duration: must be more than 0 seconds\n");
      return KS_EXIT_USAGE;
    }
  options.duration = (gint64) (seconds * G_USEC_PER_SEC);
  if (!parse_count ("nodes", nodes, &count))
    return KS_EXIT_USAGE;
  options.nodes = (guint) count;
  if (!parse_count ("node-gpus", node_gpus, &count))
    return KS_EXIT_USAGE;
  options.node.gpu = node_gpus != NULL ? (gint64) count : 0;
  if (node_cpu != NULL
      && (!ks_quantity_parse_milli (node_cpu, &options.node.cpu_milli, &error)
          || options.node.cpu_milli <= 0))
    {
      g_printerr (NAME ": --node-cpu: %s\n", error != NULL ? error->message : "must be above 0");
      return KS_EXIT_USAGE;
    }
  if (node_memory != NULL
      && (!ks_quantity_parse_value (node_memory, &options.node.memory_bytes, &error)
          || options.node.memory_bytes <= 0))
    {
      g_printerr (NAME ": --node-memory: %s\n", error != NULL ? error->message : "must be above 0");
      return KS_EXIT_USAGE;
    }
  if (arrivals != NULL && strcmp (arrivals, "poisson") != 0 && strcmp (arrivals, "bursty") != 0)
    {
      g_printerr (NAME ": --arrivals: \"%s\" is not poisson or bursty\n", arrivals);
      return KS_EXIT_USAGE;
    }
  if (arrivals != NULL && strcmp (arrivals, "bursty") == 0)
    options.arrivals = KS_TRACE_ARRIVALS_BURSTY;
  if (durations != NULL && strcmp (durations, "lognormal") != 0
      && strcmp (durations, "pareto") != 0)
    {
      g_printerr (NAME ": --durations: \"%s\" is not lognormal or pareto\n", durations);
      return KS_EXIT_USAGE;
    }
  if (durations != NULL && strcmp (durations, "pareto") == 0)
    options.durations = KS_TRACE_DURATIONS_PARETO;
  for (guint i = 0; shape_texts != NULL && shape_texts[i] != NULL; i++)
    {
      KsTraceShape shape;

      if (!parse_shape (shape_texts[i], &shape))
        return KS_EXIT_USAGE;
      g_array_append_val (shapes, shape);
    }
  if (shapes->len > 0)
    {
      options.shapes = (const KsTraceShape *) shapes->data;
      options.n_shapes = shapes->len;
    }

  if (fit_paths != NULL)
    {
      g_autoptr (KsTraceReader) reader = NULL;
      KsTraceOptions trace_options;

      if (format == NULL)
        {
          g_autofree char *formats = g_strjoinv (", ", (char **) ks_trace_formats ());

          g_printerr (NAME ": --fit needs --format (one of %s)\n", formats);
          return KS_EXIT_USAGE;
        }
      if (shapes->len > 0 || durations != NULL)
        {
          g_printerr (NAME ": --fit takes the run times and requests from the trace: --shape "
                           "and --durations cannot be given with it\n");
          return KS_EXIT_USAGE;
        }
      ks_trace_options_init (&trace_options);
      if (!ks_cli_trace_machine ("trace generate", machine_cpu, machine_memory, &trace_options))
        return KS_EXIT_USAGE;
      reader = ks_trace_reader_new (format, (const char *const *) fit_paths,
                                    g_strv_length (fit_paths), &trace_options, &error);
      if (reader != NULL)
        fit = ks_trace_fit_new (reader, &error);
      if (fit == NULL)
        {
          g_printerr (NAME ": --fit: %s\n", error->message);
          return KS_EXIT_USAGE;
        }
      options.fit = fit;
      if (rate == NULL)
        options.rate_per_hour = 0; /* the trace's */
    }
  else if (format != NULL)
    {
      g_printerr (NAME ": --format is the format of a --fit trace, and none is given\n");
      return KS_EXIT_USAGE;
    }

  if (output != NULL && strcmp (output, "-") != 0)
    {
      g_autoptr (GFile) file = g_file_new_for_commandline_arg (output);

      out = G_OUTPUT_STREAM (
          g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, &error));
      if (out == NULL)
        {
          g_printerr (NAME ": -o: %s\n", error->message);
          return KS_EXIT_USAGE;
        }
    }
  else
    out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  writer = ks_trace_writer_new (out);
  if (!ks_trace_generate (&options, writer, &error) || !g_output_stream_close (out, NULL, &error))
    {
      g_printerr (NAME ": %s\n", error->message);
      return KS_EXIT_USAGE;
    }
  return KS_EXIT_OK;
}
