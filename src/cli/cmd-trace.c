/* cmd-trace.c: kubesim trace SUBCOMMAND: look at and make cluster traces (docs/traces.md).  Each
 * subcommand lives in its own file (cmd-trace-<name>.c) and has one line in the table here. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ks-cli.h"

static const KsCommand subcommands[] = {
  { "stats", ks_cmd_trace_stats, "Count a trace's rows, pods, jobs, events and requests" },
  { "convert", ks_cmd_trace_convert, "Rewrite a trace in kubesim's native format" },
  { "generate", ks_cmd_trace_generate, "Write a synthetic workload, or one fitted to a trace" },
};

static void
usage (FILE *out)
{
  fprintf (out, "Usage: kubesim trace SUBCOMMAND [OPTIONS...]\n\n"
                "Look at and make cluster traces (docs/traces.md).\n\nSubcommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (subcommands); i++)
    fprintf (out, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
  fprintf (out, "\nRun \"kubesim trace SUBCOMMAND --help\" for a subcommand's options.\n");
}

int
ks_cmd_trace (int argc, char **argv)
{
  if (argc < 2)
    {
      usage (stderr);
      return KS_EXIT_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      usage (stdout);
      return KS_EXIT_OK;
    }
  for (guint i = 0; i < G_N_ELEMENTS (subcommands); i++)
    if (strcmp (subcommands[i].name, argv[1]) == 0)
      {
        g_autofree char *prgname = g_strconcat ("kubesim trace ", argv[1], NULL);

        g_set_prgname (prgname);
        return subcommands[i].handler (argc - 1, argv + 1);
      }
  g_printerr ("kubesim trace: unknown subcommand \"%s\"\n\n", argv[1]);
  usage (stderr);
  return KS_EXIT_USAGE;
}
