/* ks-runc.c: runc command lines and running them (see ks-runc.h). */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "ks-runc.h"

/* clang-format off */
G_DEFINE_QUARK (ks-runc-error-quark, ks_runc_error)
/* clang-format on */

struct _KsRunc
{
  char *runc;
  char *root;
  KsRuncHook hook;
  gpointer hook_data;
};

KsRunc *
ks_runc_new (const char *runc_path, const char *root)
{
  KsRunc *runc = g_new0 (KsRunc, 1);

  g_return_val_if_fail (root != NULL, NULL);
  runc->runc = g_strdup (runc_path != NULL ? runc_path : "runc");
  runc->root = g_strdup (root);
  return runc;
}

void
ks_runc_free (KsRunc *runc)
{
  if (runc == NULL)
    return;
  g_free (runc->runc);
  g_free (runc->root);
  g_free (runc);
}

const char *
ks_runc_get_root (KsRunc *runc)
{
  return runc->root;
}

void
ks_runc_set_hook (KsRunc *runc, KsRuncHook hook, gpointer user_data)
{
  runc->hook = hook;
  runc->hook_data = user_data;
}

void
ks_runc_result_clear (KsRuncResult *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
}

/* Command lines */

static GStrvBuilder *
begin (KsRunc *runc)
{
  GStrvBuilder *b = g_strv_builder_new ();

  g_strv_builder_add (b, runc->runc);
  g_strv_builder_add (b, "--root");
  g_strv_builder_add (b, runc->root);
  return b;
}

static char **
finish (GStrvBuilder *b)
{
  char **argv = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return argv;
}

char **
ks_runc_argv_create (KsRunc *runc, const char *id, const char *bundle, const char *pid_file,
                     const char *log)
{
  GStrvBuilder *b = begin (runc);

  if (log != NULL)
    g_strv_builder_addv (b, (const char *[]){ "--log", log, "--log-format", "json", NULL });
  g_strv_builder_addv (
      b, (const char *[]){ "create", "--bundle", bundle, "--pid-file", pid_file, id, NULL });
  return finish (b);
}

char **
ks_runc_argv_start (KsRunc *runc, const char *id)
{
  GStrvBuilder *b = begin (runc);

  g_strv_builder_addv (b, (const char *[]){ "start", id, NULL });
  return finish (b);
}

char **
ks_runc_argv_kill (KsRunc *runc, const char *id, const char *signal)
{
  GStrvBuilder *b = begin (runc);

  g_strv_builder_addv (b, (const char *[]){ "kill", id, signal, NULL });
  return finish (b);
}

char **
ks_runc_argv_delete (KsRunc *runc, const char *id, gboolean force)
{
  GStrvBuilder *b = begin (runc);

  g_strv_builder_add (b, "delete");
  if (force)
    g_strv_builder_add (b, "--force");
  g_strv_builder_add (b, id);
  return finish (b);
}

char **
ks_runc_argv_state (KsRunc *runc, const char *id)
{
  GStrvBuilder *b = begin (runc);

  g_strv_builder_addv (b, (const char *[]){ "state", id, NULL });
  return finish (b);
}

char **
ks_runc_argv_list (KsRunc *runc)
{
  GStrvBuilder *b = begin (runc);

  g_strv_builder_addv (b, (const char *[]){ "list", "--format", "json", NULL });
  return finish (b);
}

char **
ks_runc_argv_exec (KsRunc *runc, const char *id, const char *pid_file, const char *const *argv)
{
  GStrvBuilder *b = begin (runc);

  g_strv_builder_addv (b, (const char *[]){ "exec", "--pid-file", pid_file, id, NULL });
  g_strv_builder_addv (b, (const char **) argv);
  return finish (b);
}

/* Running */

/* In the child before exec: signals as a fresh process has them (the agent may ignore SIGPIPE
 * or block signals, and a container would inherit that). */
static void
child_setup (gpointer data)
{
  sigset_t none;

  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  signal (SIGPIPE, SIG_DFL);
}

static GSubprocess *
spawn (const char *const *argv, int output_fd, GError **error)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  int null_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);

  if (null_fd < 0)
    {
      g_set_error (error, KS_RUNC_ERROR, KS_RUNC_ERROR_SPAWN, "cannot open /dev/null");
      return NULL;
    }
  launcher = g_subprocess_launcher_new (output_fd >= 0 ? G_SUBPROCESS_FLAGS_NONE
                                                       : G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                             | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_take_stdin_fd (launcher, null_fd);
  if (output_fd >= 0)
    {
      g_subprocess_launcher_take_stdout_fd (launcher, fcntl (output_fd, F_DUPFD_CLOEXEC, 3));
      g_subprocess_launcher_take_stderr_fd (launcher, fcntl (output_fd, F_DUPFD_CLOEXEC, 3));
    }
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  return g_subprocess_launcher_spawnv (launcher, argv, error);
}

static gint
status_of (GSubprocess *p)
{
  return g_subprocess_get_if_exited (p) ? g_subprocess_get_exit_status (p) : -1;
}

static char *
bytes_to_text (GBytes *bytes)
{
  gsize len;
  const char *data;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  return g_utf8_make_valid (data != NULL ? data : "", len);
}

static gboolean
check_status (const char *const *argv, const KsRuncResult *r, GError **error)
{
  g_autofree char *command = NULL;
  g_autofree char *err = NULL;

  if (r->status == 0)
    return TRUE;
  command = g_strjoinv (" ", (char **) argv);
  err = g_strstrip (g_strdup (r->err != NULL ? r->err : ""));
  if (r->status < 0)
    g_set_error (error, KS_RUNC_ERROR, KS_RUNC_ERROR_FAILED, "%s was killed%s%s", command,
                 err[0] ? ": " : "", err);
  else
    g_set_error (error, KS_RUNC_ERROR, KS_RUNC_ERROR_FAILED, "%s failed (exit status %d)%s%s",
                 command, r->status, err[0] ? ": " : "", err);
  return FALSE;
}

gboolean
ks_runc_run (KsRunc *runc, const char *const *argv, KsRuncResult *result, GError **error)
{
  g_auto (KsRuncResult) r = { 0 };
  g_autoptr (GSubprocess) p = NULL;
  g_autoptr (GBytes) out = NULL;
  g_autoptr (GBytes) err = NULL;
  gboolean ok;

  if (runc->hook != NULL)
    runc->hook (argv, &r, runc->hook_data);
  else
    {
      p = spawn (argv, -1, error);
      if (p == NULL || !g_subprocess_communicate (p, NULL, NULL, &out, &err, error))
        {
          g_prefix_error (error, "%s: ", argv[0]);
          if (error != NULL && *error != NULL)
            {
              (*error)->domain = KS_RUNC_ERROR;
              (*error)->code = KS_RUNC_ERROR_SPAWN;
            }
          if (result != NULL)
            result->status = -1;
          return FALSE;
        }
      r.status = status_of (p);
      r.out = bytes_to_text (out);
      r.err = bytes_to_text (err);
    }
  ok = check_status (argv, &r, error);
  if (result != NULL)
    {
      *result = r;
      memset (&r, 0, sizeof r);
    }
  return ok;
}

typedef struct
{
  GSubprocess *process;
  GCancellable *cancellable;
  KsRuncDoneFunc done;
  gpointer user_data;
  KsRuncResult result;
} AsyncOp;

static void
async_op_free (AsyncOp *op)
{
  g_clear_object (&op->process);
  g_clear_object (&op->cancellable);
  ks_runc_result_clear (&op->result);
  g_free (op);
}

static void
async_op_finish (AsyncOp *op)
{
  if (op->cancellable != NULL && g_cancellable_is_cancelled (op->cancellable))
    {
      ks_runc_result_clear (&op->result);
      op->result.status = -1;
      op->result.cancelled = TRUE;
    }
  op->done (&op->result, op->user_data);
  async_op_free (op);
}

static gboolean
hook_done (gpointer data)
{
  async_op_finish (data);
  return G_SOURCE_REMOVE;
}

static void
waited (GObject *source, GAsyncResult *res, gpointer data)
{
  AsyncOp *op = data;
  g_autoptr (GError) error = NULL;

  if (!g_subprocess_wait_finish (op->process, res, &error))
    op->result.status = -1;
  else
    op->result.status = status_of (op->process);
  async_op_finish (op);
}

static void
communicated (GObject *source, GAsyncResult *res, gpointer data)
{
  AsyncOp *op = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) out = NULL;
  g_autoptr (GBytes) err = NULL;

  if (!g_subprocess_communicate_finish (op->process, res, &out, &err, &error))
    {
      op->result.status = -1;
      op->result.err = g_strdup (error->message);
    }
  else
    {
      op->result.status = status_of (op->process);
      op->result.out = bytes_to_text (out);
      op->result.err = bytes_to_text (err);
    }
  async_op_finish (op);
}

void
ks_runc_run_async (KsRunc *runc, const char *const *argv, int output_fd, GCancellable *cancellable,
                   KsRuncDoneFunc done, gpointer user_data)
{
  AsyncOp *op = g_new0 (AsyncOp, 1);
  g_autoptr (GError) error = NULL;

  op->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  op->done = done;
  op->user_data = user_data;
  if (runc->hook != NULL)
    {
      runc->hook (argv, &op->result, runc->hook_data);
      g_idle_add (hook_done, op);
      return;
    }
  op->process = spawn (argv, output_fd, &error);
  if (op->process == NULL)
    {
      op->result.status = -1;
      op->result.err = g_strdup_printf ("%s: %s", argv[0], error->message);
      g_idle_add (hook_done, op);
      return;
    }
  if (output_fd >= 0)
    g_subprocess_wait_async (op->process, cancellable, waited, op);
  else
    g_subprocess_communicate_async (op->process, NULL, cancellable, communicated, op);
}

char *
ks_runc_log_error (const char *log_path)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  char *message = NULL;

  if (!g_file_get_contents (log_path, &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *o;
      if (lines[i][0] == '\0' || !json_parser_load_from_data (parser, lines[i], -1, NULL))
        continue;
      if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        continue;
      o = json_node_get_object (json_parser_get_root (parser));
      if (g_strcmp0 (json_object_get_string_member_with_default (o, "level", ""), "error") == 0)
        {
          g_free (message);
          message = g_strdup (json_object_get_string_member_with_default (o, "msg", ""));
        }
    }
  return message;
}
