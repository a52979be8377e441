/* cmd-trace-stats.c: kubesim trace stats TRACE... --format F: what a trace holds, as a table or
 * JSON (traces/ks-trace-stats.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ks-cli.h"
#include "src/api/ks-quantity.h"
#include "traces/ks-trace-stats.h"

typedef struct
{
  gboolean enabled;
  gint64 last_print;
  gboolean printed;
} Progress;

static void
progress (double fraction, gpointer data)
{
  Progress *p = data;
  gint64 now = g_get_monotonic_time ();

  if (!p->enabled || fraction < 0 || now - p->last_print < G_USEC_PER_SEC / 5)
    return;
  p->last_print = now;
  fprintf (stderr, "\r\033[Kreading the trace: %.0f%%", 100.0 * fraction);
  p->printed = TRUE;
}

/* "file:line: reason" on stderr, as the reader's default, but after clearing a progress line. */
static void
bad_row (const char *file, guint64 line, const char *reason, gpointer data)
{
  Progress *p = data;

  if (p->printed)
    {
      fprintf (stderr, "\r\033[K");
      p->printed = FALSE;
    }
  fprintf (stderr, "%s:%" G_GUINT64_FORMAT ": %s\n", file, line, reason);
}

int
ks_cmd_trace_stats (int argc, char **argv)
{
  g_autofree char *format = NULL;
  g_autofree char *output = NULL;
  g_autofree char *machine_cpu = NULL;
  g_autofree char *machine_memory = NULL;
  gboolean strict = FALSE;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "The trace's format (required)", "FORMAT" },
    { "output", 'o', 0, G_OPTION_ARG_STRING, &output, "table (default) or json", "FORMAT" },
    { "strict", 0, 0, G_OPTION_ARG_NONE, &strict,
      "Stop at the first bad row (exit 2) instead of reporting and skipping it", NULL },
    { "machine-cpu", 0, 0, G_OPTION_ARG_STRING, &machine_cpu,
      "The reference machine's cpu that normalized requests are scaled by (default 32)",
      "QUANTITY" },
    { "machine-memory", 0, 0, G_OPTION_ARG_STRING, &machine_memory,
      "The reference machine's memory (default 128Gi)", "QUANTITY" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("TRACE...");
  g_autofree char *formats = g_strjoinv (", ", (char **) ks_trace_formats ());
  g_autofree char *description = g_strdup_printf (
      "TRACE is a file (gzip or not), a directory of parts, or - for standard input.\n"
      "Formats: %s.\nExit status: 0 success, 2 bad usage or, with --strict, a bad row.",
      formats);
  g_autoptr (GError) error = NULL;
  g_autoptr (KsTraceReader) reader = NULL;
  g_autoptr (KsTraceStats) stats = NULL;
  KsTraceOptions options;
  Progress prog = { 0 };
  gboolean json;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context, "Count a trace's rows, bad rows, pods, jobs and nodes, "
                                         "its events by type, the requested cpu, memory and "
                                         "GPUs, and its arrival rate.");
  g_option_context_set_description (context, description);
  if (!ks_cli_parse (context, "trace stats", &argc, &argv))
    return KS_EXIT_USAGE;
  if (argc < 2)
    {
      g_printerr ("kubesim trace stats: no TRACE given\nTry \"kubesim trace stats --help\".\n");
      return KS_EXIT_USAGE;
    }
  if (format == NULL)
    {
      g_printerr ("kubesim trace stats: --format is required (one of %s)\n", formats);
      return KS_EXIT_USAGE;
    }
  json = output != NULL && strcmp (output, "json") == 0;
  if (output != NULL && !json && strcmp (output, "table") != 0)
    {
      g_printerr ("kubesim trace stats: -o: \"%s\" is not table or json\n", output);
      return KS_EXIT_USAGE;
    }
  ks_trace_options_init (&options);
  options.strict = strict;
  if (!ks_cli_trace_machine ("trace stats", machine_cpu, machine_memory, &options))
    return KS_EXIT_USAGE;
  prog.enabled = isatty (STDERR_FILENO);
  options.bad_row = bad_row;
  options.bad_row_data = &prog;
  reader = ks_trace_reader_new (format, (const char *const *) argv + 1, (guint) argc - 1, &options,
                                &error);
  if (reader == NULL)
    {
      g_printerr ("kubesim trace stats: %s\n", error->message);
      return KS_EXIT_USAGE;
    }
  stats = ks_trace_stats_new ();
  if (!ks_trace_stats_read (stats, reader, progress, &prog, &error))
    {
      if (prog.printed)
        fprintf (stderr, "\r\033[K");
      g_printerr ("kubesim trace stats: %s\n", error->message);
      return KS_EXIT_USAGE;
    }
  if (prog.printed)
    fprintf (stderr, "\r\033[K");
  if (json)
    {
      g_autoptr (JsonNode) root = ks_trace_stats_to_json (stats);
      g_autofree char *text = json_to_string (root, TRUE);

      printf ("%s\n", text);
    }
  else
    {
      g_autofree char *text = ks_trace_stats_to_table (stats);

      fputs (text, stdout);
    }
  return KS_EXIT_OK;
}
