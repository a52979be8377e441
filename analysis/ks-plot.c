/* ks-plot.c: gnuplot figures (ks-plot.h). */
#include "config.h"

#include "ks-plot.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

char *
ks_plot_preamble (const char *name)
{
  return g_strdup_printf (
      "# Drawn by kubesim report; edit and run `gnuplot %s.gp` here to redraw %s.svg.\n"
      "set terminal svg size 800,450 dynamic noenhanced font \"sans,12\" background \"white\"\n"
      "set output \"%s.svg\"\n",
      name, name, name);
}

char *
ks_plot_find_gnuplot (void)
{
  return g_find_program_in_path ("gnuplot");
}

gboolean
ks_plot_write_script (const char *dir, const char *name, const char *body, GError **error)
{
  g_autofree char *file = g_strdup_printf ("%s.gp", name);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *preamble = ks_plot_preamble (name);
  g_autofree char *text = g_strconcat (preamble, body, NULL);

  return g_file_set_contents (path, text, -1, error);
}

/* Replace every occurrence of from by to in s. */
static void
replace_all (GString *s, const char *from, const char *to)
{
  g_string_replace (s, from, to, 0);
}

char *
ks_plot_render (const char *gnuplot, const char *dir, const char *name, GError **error)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autofree char *script = g_strdup_printf ("%s.gp", name);
  g_autofree char *svg_file = g_strdup_printf ("%s.svg", name);
  g_autofree char *svg_path = g_build_filename (dir, svg_file, NULL);
  g_autofree char *err_text = NULL, *svg = NULL, *prefix = NULL;
  GString *s;
  const char *start;

  /* An SVG left by an earlier report must not pass for this one's. */
  (void) g_unlink (svg_path);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (launcher, dir);
  proc = g_subprocess_launcher_spawn (launcher, error, gnuplot, script, NULL);
  if (proc == NULL)
    return NULL;
  if (!g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err_text, error))
    return NULL;
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "gnuplot failed on %s/%s: %s", dir, script,
                   err_text != NULL ? g_strstrip (err_text) : "");
      return NULL;
    }
  if (!g_file_get_contents (svg_path, &svg, NULL, error))
    return NULL;
  start = strstr (svg, "<svg");
  if (start == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s has no <svg> element", svg_path);
      return NULL;
    }
  s = g_string_new (start);
  /* gnuplot names its defs (gpPt0, gpDot, gnuplot_canvas, ...) the same in every figure. */
  prefix = g_strdup_printf ("%s-", name);
  for (guint i = 0; i < 2; i++)
    {
      const char q = i == 0 ? '\'' : '"';
      g_autofree char *id = g_strdup_printf ("id=%c", q);
      g_autofree char *id_to = g_strdup_printf ("id=%c%s", q, prefix);
      g_autofree char *ref = g_strdup_printf ("href=%c#", q);
      g_autofree char *ref_to = g_strdup_printf ("href=%c#%s", q, prefix);
      replace_all (s, id, id_to);
      replace_all (s, ref, ref_to);
    }
  {
    g_autofree char *url_to = g_strdup_printf ("url(#%s", prefix);
    replace_all (s, "url(#", url_to);
  }
  return g_string_free (s, FALSE);
}
