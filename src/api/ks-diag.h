/* ks-diag.h: a list of user-input problems, each "file:line:column: field.path: message".
 *
 * Decoders keep going after a problem so that one run reports every problem of a file; the
 * caller prints the list and exits 2 when it is not empty. */
#pragma once

#include <glib.h>
#include <stdio.h>

G_BEGIN_DECLS

#define KS_INPUT_ERROR (ks_input_error_quark ())
GQuark ks_input_error_quark (void);

typedef enum
{
  KS_INPUT_ERROR_INVALID, /* the input was read but is not valid; the message lists every problem */
} KsInputError;

typedef struct _KsDiag KsDiag;

KsDiag *ks_diag_new (void);
void ks_diag_free (KsDiag *diag);

/* Add a problem.  file may be NULL (then no position is printed); line/column 0 mean unknown;
 * path may be NULL or "" for the document root. */
void ks_diag_add (KsDiag *diag, const char *file, guint line, guint column, const char *path,
                  const char *format, ...) G_GNUC_PRINTF (6, 7);
/* Add a problem that already carries its position (e.g. a YAML syntax error's message). */
void ks_diag_add_literal (KsDiag *diag, const char *line);

guint ks_diag_get_count (KsDiag *diag);
/* Problem i as one line, without a newline.  Borrowed. */
const char *ks_diag_get (KsDiag *diag, guint index);
/* The parts of problem i: its field path ("" when it has none) and its message (without position
 * and path), e.g. for the causes of an API server's Invalid status.  Borrowed. */
const char *ks_diag_get_path (KsDiag *diag, guint index);
const char *ks_diag_get_message (KsDiag *diag, guint index);
/* Write every problem to stream, one per line. */
void ks_diag_print (KsDiag *diag, FILE *stream);
/* Set error (KS_INPUT_ERROR_INVALID) to all problems joined by newlines and return FALSE, or
 * return TRUE when there are none. */
gboolean ks_diag_to_error (KsDiag *diag, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsDiag, ks_diag_free)

G_END_DECLS
