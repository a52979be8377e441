/* ks-diag.c: lists of user-input problems. */
#include "config.h"

#include "ks-diag.h"

/* clang-format off */
G_DEFINE_QUARK (ks-input-error-quark, ks_input_error)
/* clang-format on */

struct _KsDiag
{
  GPtrArray *lines;
  GPtrArray *paths;    /* per problem: the field path ("" for none) */
  GPtrArray *messages; /* per problem: the message without position and path */
};

KsDiag *
ks_diag_new (void)
{
  KsDiag *diag = g_new0 (KsDiag, 1);
  diag->lines = g_ptr_array_new_with_free_func (g_free);
  diag->paths = g_ptr_array_new_with_free_func (g_free);
  diag->messages = g_ptr_array_new_with_free_func (g_free);
  return diag;
}

void
ks_diag_free (KsDiag *diag)
{
  if (diag == NULL)
    return;
  g_ptr_array_unref (diag->lines);
  g_ptr_array_unref (diag->paths);
  g_ptr_array_unref (diag->messages);
  g_free (diag);
}

void
ks_diag_add (KsDiag *diag, const char *file, guint line, guint column, const char *path,
             const char *format, ...)
{
  GString *s = g_string_new (NULL);
  char *message;
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
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_string_append (s, message);
  g_ptr_array_add (diag->lines, g_string_free (s, FALSE));
  g_ptr_array_add (diag->paths, g_strdup (path != NULL ? path : ""));
  g_ptr_array_add (diag->messages, message);
}

void
ks_diag_add_literal (KsDiag *diag, const char *line)
{
  g_ptr_array_add (diag->lines, g_strdup (line));
  g_ptr_array_add (diag->paths, g_strdup (""));
  g_ptr_array_add (diag->messages, g_strdup (line));
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

const char *
ks_diag_get_path (KsDiag *diag, guint index)
{
  g_return_val_if_fail (index < diag->paths->len, NULL);
  return g_ptr_array_index (diag->paths, index);
}

const char *
ks_diag_get_message (KsDiag *diag, guint index)
{
  g_return_val_if_fail (index < diag->messages->len, NULL);
  return g_ptr_array_index (diag->messages, index);
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
