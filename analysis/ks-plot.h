/* ks-plot.h: figures drawn by gnuplot for `kubesim report` (docs/experiments.md "The report").
 *
 * A figure NAME is a gnuplot script DIR/NAME.gp and its data files; the script sets the SVG
 * terminal and the output NAME.svg itself, so running `gnuplot NAME.gp` in DIR again (after
 * restyling it) redraws the same SVG.  gnuplot runs as a subprocess (GSubprocess) in DIR. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The first lines of every figure's script: the SVG terminal (size 800×450, scalable, white
 * background, no enhanced text so that names with "_" print as they are) and its output. */
char *ks_plot_preamble (const char *name);

/* The gnuplot executable on PATH, or NULL when there is none. */
char *ks_plot_find_gnuplot (void);

/* Write dir/name.gp: ks_plot_preamble (name) followed by body. */
gboolean ks_plot_write_script (const char *dir, const char *name, const char *body, GError **error);

/* Run `gnuplot name.gp` in dir and return the SVG it wrote (dir/name.svg), with the XML
 * declaration dropped (it starts at "<svg") and its element ids and their references prefixed by
 * "name-", so that several figures can be put inline in one HTML page.  NULL with an error
 * carrying gnuplot's messages when it fails. */
char *ks_plot_render (const char *gnuplot, const char *dir, const char *name, GError **error);

G_END_DECLS
