/* ks-diag.c: lists of user-input problems. */
#include "config.h"

#include "ks-diag.h"

/* clang-format off */
G_DEFINE_QUARK (ks-input-error-quark, ks_input_error)
/* clang-format on */

struct _KsDiag
{
  GPtrArray *lines;
};

KsDiag *
ks_diag_new (void)
{
  KsDiag *diag = g_new0 (KsDiag, 1);
  diag->lines = g_ptr_array_new_with_free_func (g_free);
  return diag;
}

void
ks_diag_free (KsDiag *diag)
{
  if (diag == NULL)
    return;
  g_ptr_array_unref (diag->lines);
  g_free (diag);
}

void
ks_diag_add (KsDiag *diag, const char *file, guint line, guint column, const char *path,
             const char *format, ...)
{
  GString *s = g_string_new (NULL);
  va_list args;

  if (file != NULL)
    {
      g_string_append (s, file);
      if (line > 0)
        g_string_append_printf (s, ":%u:%u", line, column);
      g_string_append (s, ": ");
    }
  if (path != NULL && path[0] != '\0')
    g_string_append_printf (s, "%s: ", path);
  va_start (args, format);
  g_string_append_vprintf (s, format, args);
  va_end (args);
  g_ptr_array_add (diag->lines, g_string_free (s, FALSE));
}

void
ks_diag_add_literal (KsDiag *diag, const char *line)
{
  g_ptr_array_add (diag->lines, g_strdup (line));
}

guint
ks_diag_get_count (KsDiag *diag)
{
  return diag->lines->len;
}

const char *
ks_diag_get (KsDiag *diag, guint index)
{
  g_return_val_if_fail (index < diag->lines->len, NULL);
  return g_ptr_array_index (diag->lines, index);
}

void
ks_diag_print (KsDiag *diag, FILE *stream)
{
  for (guint i = 0; i < diag->lines->len; i++)
    fprintf (stream, "%s\n", (const char *) g_ptr_array_index (diag->lines, i));
}

gboolean
ks_diag_to_error (KsDiag *diag, GError **error)
{
  GString *s;

  if (diag->lines->len == 0)
    return TRUE;
  s = g_string_new (NULL);
  for (guint i = 0; i < diag->lines->len; i++)
    {
      if (i > 0)
        g_string_append_c (s, '\n');
      g_string_append (s, g_ptr_array_index (diag->lines, i));
    }
  g_set_error_literal (error, KS_INPUT_ERROR, KS_INPUT_ERROR_INVALID, s->str);
  g_string_free (s, TRUE);
  return FALSE;
}
