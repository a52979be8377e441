/* cmd-bench.c: kubesim bench: scheduling throughput, events/s and memory per live pod; with
 * --trace, a trace reader's rows and records per second. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ks-cli.h"
#include "sim/ks-bench.h"
#include "src/api/ks-diag.h"
#include "traces/ks-trace.h"

/* a / b rounded, or "-" when b is 0 (a burst too short for the clock, no live pod). */
static const char *
ratio (char buf[32], double a, double b)
{
  if (b <= 0)
    return "-";
  g_snprintf (buf, 32, "%.0f", a / b);
  return buf;
}

static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Bad rows are counted by the reader and reported in the totals, not line by line: printing
 * them would time the terminal. */
static void
ignore_bad_row (const char *file, guint64 line, const char *reason, gpointer user_data)
{
}

/* Parsing speed: the format's reader and nothing after it (no statistics, no simulation), timed
 * in CPU seconds of this process from opening the trace to its last record. */
static int
bench_trace (const char *format, const char *const *paths, guint n_paths)
{
  KsTraceOptions options;
  g_autoptr (KsTraceReader) reader = NULL;
  g_autoptr (GError) error = NULL;
  KsTraceRecord record;
  const KsTraceCounts *counts;
  guint64 records = 0;
  double start = cpu_seconds (), seconds;
  char rate[32];

  ks_trace_options_init (&options);
  options.bad_row = ignore_bad_row;
  reader = ks_trace_reader_new (format, paths, n_paths, &options, &error);
  if (reader == NULL)
    {
      g_printerr ("kubesim bench: %s\n", error->message);
      return KS_EXIT_USAGE;
    }
  while (ks_trace_reader_next (reader, &record, &error))
    records++;
  if (error != NULL)
    {
      g_printerr ("kubesim bench: %s\n", error->message);
      return KS_EXIT_USAGE;
    }
  seconds = cpu_seconds () - start;
  counts = ks_trace_reader_get_counts (reader);
  printf ("%s: %" G_GUINT64_FORMAT " rows (%" G_GUINT64_FORMAT " bad), %" G_GUINT64_FORMAT
          " records in %.3f s of CPU\n",
          format, counts->rows, counts->bad_rows, records, seconds);
  printf ("  rows/s:    %s\n", ratio (rate, (double) counts->rows, seconds));
  printf ("  records/s: %s\n", ratio (rate, (double) records, seconds));
  return KS_EXIT_OK;
}

int
ks_cmd_bench (int argc, char **argv)
{
  g_autofree char *trace_format = NULL;
  g_autofree char *nodes = NULL;
  gint pods_per_node = 10;
  gint64 seed = 1;
  g_autofree char *config = NULL;
  g_auto (GStrv) policy_path = NULL;
  g_autofree char *workload = NULL;
  KsBenchWorkload which = KS_BENCH_DEFAULT;
  GOptionEntry entries[] = {
    { "nodes", 'n', 0, G_OPTION_ARG_STRING, &nodes,
      "Cluster sizes to measure, comma-separated (default 1000,10000)", "N,..." },
    { "pods-per-node", 'p', 0, G_OPTION_ARG_INT, &pods_per_node,
      "Pods per node in the burst (default 10)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 1)", "N" },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config,
      "The scheduler's KubeSchedulerConfiguration (default: Kubernetes' default profile)", "FILE" },
    KS_CLI_POLICY_PATH_OPTION (policy_path),
    { "workload", 'w', 0, G_OPTION_ARG_STRING, &workload,
      "default: bare pods, one zone; spread: 10 zones, 16 apps whose pods spread over zones "
      "and avoid each other's nodes (default: default)",
      "NAME" },
    { "trace", 0, 0, G_OPTION_ARG_STRING, &trace_format,
      "Instead: read the trace PATH... of this format (kubesim trace formats: docs/traces.md) "
      "through its reader alone and print rows/s and records/s",
      "FORMAT" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_auto (GStrv) sizes = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (
      context, "Build a synthetic cluster of 32-core, 128 GiB nodes, create a burst "
               "of pods\n(16 shapes, 250m-1 core, 256 MiB-2 GiB, 5-20 minute runs) "
               "and measure the\ndefault scheduler's throughput, the engine's events "
               "per second over the pods'\nlives, and resident memory per live pod.");
  g_option_context_set_description (context, "With --trace FORMAT, the arguments are the trace's "
                                             "paths.");
  if (!ks_cli_parse (context, "bench", &argc, &argv))
    return KS_EXIT_USAGE;
  if (trace_format != NULL)
    {
      if (argc < 2)
        {
          g_printerr ("kubesim bench: --trace %s: no trace paths given\n", trace_format);
          return KS_EXIT_USAGE;
        }
      return bench_trace (trace_format, (const char *const *) argv + 1, (guint) argc - 1);
    }
  if (argc > 1 || pods_per_node < 1 || seed < 0)
    {
      g_printerr ("kubesim bench: %s\n",
                  argc > 1 ? "unexpected argument" : "values must be positive");
      return KS_EXIT_USAGE;
    }
  if (!ks_cli_load_policies ("bench", policy_path))
    return KS_EXIT_USAGE;
  if (workload != NULL && strcmp (workload, "spread") == 0)
    which = KS_BENCH_SPREAD;
  else if (workload != NULL && strcmp (workload, "default") != 0)
    {
      g_printerr ("kubesim bench: --workload: unknown workload \"%s\" (default or spread)\n",
                  workload);
      return KS_EXIT_USAGE;
    }
  sizes = g_strsplit (nodes != NULL ? nodes : "1000,10000", ",", -1);
  for (guint i = 0; sizes[i] != NULL; i++)
    {
      KsBenchParams p = { 0 };
      KsBenchResult r;
      char rate[32];
      g_autoptr (GError) error = NULL;
      char *end;
      guint64 n = g_ascii_strtoull (sizes[i], &end, 10);

      if (*end != '\0' || n == 0 || n > 1000000)
        {
          g_printerr ("kubesim bench: --nodes: invalid size \"%s\"\n", sizes[i]);
          return KS_EXIT_USAGE;
        }
      if (n * (guint64) pods_per_node > G_MAXUINT)
        {
          g_printerr ("kubesim bench: %" G_GUINT64_FORMAT " nodes with %d pods per node: more "
                      "than %u pods\n",
                      n, pods_per_node, G_MAXUINT);
          return KS_EXIT_USAGE;
        }
      p.nodes = (guint) n;
      p.pods = p.nodes * (guint) pods_per_node;
      p.seed = (guint64) seed;
      p.config = config;
      p.workload = which;
      if (!ks_bench_run (&p, &r, &error))
        {
          g_printerr ("kubesim bench: %s\n", error->message);
          return error->domain == KS_INPUT_ERROR ? KS_EXIT_USAGE : KS_EXIT_FAILED;
        }
      printf ("%u nodes, %u pods (seed %" G_GUINT64_FORMAT ", %s%s, %u nodes filtered per pod)\n",
              p.nodes, p.pods, p.seed, which == KS_BENCH_SPREAD ? "spread workload, " : "",
              config != NULL ? config : "default profile", r.nodes_scored);
      printf ("  scheduling:  %" G_GUINT64_FORMAT " pods bound in %.3f s = %s pods/s\n",
              r.scheduled, r.schedule_seconds, ratio (rate, r.scheduled, r.schedule_seconds));
      printf ("  lifecycle:   %" G_GUINT64_FORMAT
              " events in %.3f s = %s events/s (%" G_GUINT64_FORMAT " pods ran to completion)\n",
              r.lifecycle_events, r.lifecycle_seconds,
              ratio (rate, r.lifecycle_events, r.lifecycle_seconds), r.finished);
      printf ("  memory:      %.1f MiB resident for %u live pods = %s bytes per pod\n",
              (double) (r.rss_pods - r.rss_nodes) / (1 << 20), r.live_pods,
              ratio (rate, (double) (r.rss_pods - r.rss_nodes), r.live_pods));
      fflush (stdout);
    }
  return KS_EXIT_OK;
}
