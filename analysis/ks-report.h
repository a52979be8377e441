/* ks-report.h: `kubesim report` (docs/experiments.md "The report"): one self-contained HTML page
 * for one or more `kubesim compare` output directories: the comparison's metadata, its table
 * (comparison.csv) and figures drawn by gnuplot (ks-plot.h) and put inline as SVG.
 *
 * Beside the page, in a directory named after it (report.html: report-files/), every figure's
 * gnuplot script fig-NAME.gp and its data fig-NAME.dat are kept, so that a figure can be
 * restyled and redrawn (`gnuplot fig-NAME.gp` there).  Without gnuplot on PATH the scripts and
 * data are still written and the page says, in place of each figure, that it was not drawn.
 *
 * The page is a function of the directories' files (compare.json, runs.csv, comparison.csv and
 * each run's metrics.csv, events.jsonl or pods.csv, summary.json): no date, no host. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KS_REPORT_ERROR (ks_report_error_quark ())
GQuark ks_report_error_quark (void);

typedef enum
{
  KS_REPORT_ERROR_INPUT, /* a directory that is not a compare output, a missing or bad file: exit 2
                          */
  KS_REPORT_ERROR_FAILED /* gnuplot failed, a file cannot be written: exit 1 */
} KsReportError;

/* The directory of scripts and data kept beside the page out_html: its name without ".html"
 * (or ".htm"), followed by "-files". */
char *ks_report_files_dir (const char *out_html);

/* Write the report on the compare directories dirs (NULL-terminated, at least one) to out_html
 * and its files directory.  gnuplot: the executable to draw with, or NULL for none (the page
 * then says so in place of each figure).  FALSE with KS_REPORT_ERROR_INPUT or _FAILED. */
gboolean ks_report_write (char **dirs, const char *out_html, const char *gnuplot, GError **error);

G_END_DECLS
