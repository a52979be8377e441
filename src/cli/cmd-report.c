/* cmd-report.c: kubesim report DIR... [--out FILE]: the HTML report on kubesim compare output
 * directories; analysis/ks-report.c does the work (docs/experiments.md "The report"). */
#include "config.h"

#include <stdio.h>

#include "analysis/ks-plot.h"
#include "analysis/ks-report.h"
#include "ks-cli.h"

int
ks_cmd_report (int argc, char **argv)
{
  g_autofree char *out = NULL, *out_html = NULL, *gnuplot = NULL, *files = NULL;
  gboolean quiet = FALSE;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
      "The HTML file to write (default DIR/report.html; required with several DIRs)", "FILE" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Do not print where the report went", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("DIR...");
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (
      context, "Write an HTML report (tables and gnuplot figures, self-contained) on the output\n"
               "directories of kubesim compare; the figures' scripts and data are kept beside it\n"
               "(report.html: report-files/).  See docs/experiments.md.");
  if (!ks_cli_parse (context, "report", &argc, &argv))
    return KS_EXIT_USAGE;
  if (argc < 2)
    {
      g_printerr ("kubesim report: missing DIR (the output directory of kubesim compare)\n"
                  "Try \"kubesim report --help\".\n");
      return KS_EXIT_USAGE;
    }
  if (out == NULL && argc > 2)
    {
      g_printerr ("kubesim report: several directories: give --out FILE (where the report "
                  "goes)\n");
      return KS_EXIT_USAGE;
    }
  out_html = out != NULL ? g_strdup (out) : g_build_filename (argv[1], "report.html", NULL);
  gnuplot = ks_plot_find_gnuplot ();
  if (gnuplot == NULL)
    g_printerr ("kubesim report: gnuplot is not on PATH (Debian: gnuplot-nox): the report has "
                "the tables, and the figures' scripts and data without the figures\n");
  if (!ks_report_write (argv + 1, out_html, gnuplot, &error))
    {
      g_printerr ("kubesim report: %s\n", error->message);
      return g_error_matches (error, KS_REPORT_ERROR, KS_REPORT_ERROR_INPUT) ? KS_EXIT_USAGE
                                                                             : KS_EXIT_FAILED;
    }
  files = ks_report_files_dir (out_html);
  if (!quiet)
    printf ("%s (figures' scripts and data in %s)\n", out_html, files);
  return KS_EXIT_OK;
}
