/* ks-runc.h: runc command lines and running them.
 *
 * Every command is an argv built here (never a shell string), with `--root` set so kubesim sees
 * only its own containers.  Commands run as GSubprocesses: synchronously for tools and cleanup,
 * asynchronously (on the thread-default main context) for the runtime.  A hook can take the place
 * of runc, so tests see the command lines and choose the results. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define KS_RUNC_ERROR (ks_runc_error_quark ())
GQuark ks_runc_error_quark (void);

typedef enum
{
  KS_RUNC_ERROR_SPAWN,  /* runc could not be run */
  KS_RUNC_ERROR_FAILED, /* runc exited with a non-zero status */
} KsRuncError;

typedef struct _KsRunc KsRunc;

/* Commands for runc at runc_path (NULL: "runc" from PATH) over state directory root. */
KsRunc *ks_runc_new (const char *runc_path, const char *root);
void ks_runc_free (KsRunc *runc);
const char *ks_runc_get_root (KsRunc *runc);

/* Command lines, newly allocated and NULL-terminated:
 *   runc --root ROOT [--log LOG --log-format json] create --bundle B --pid-file P ID
 *   runc --root ROOT start ID
 *   runc --root ROOT kill ID SIGNAL
 *   runc --root ROOT delete [--force] ID
 *   runc --root ROOT state ID
 *   runc --root ROOT list --format json
 *   runc --root ROOT exec --pid-file P ID ARGV...
 * log may be NULL (runc's own messages then go only to its stderr). */
char **ks_runc_argv_create (KsRunc *runc, const char *id, const char *bundle, const char *pid_file,
                            const char *log);
char **ks_runc_argv_start (KsRunc *runc, const char *id);
char **ks_runc_argv_kill (KsRunc *runc, const char *id, const char *signal);
char **ks_runc_argv_delete (KsRunc *runc, const char *id, gboolean force);
char **ks_runc_argv_state (KsRunc *runc, const char *id);
char **ks_runc_argv_list (KsRunc *runc);
char **ks_runc_argv_exec (KsRunc *runc, const char *id, const char *pid_file,
                          const char *const *argv);

/* What a command did: its exit status (-1 when it could not run or was killed by a signal) and
 * its stdout and stderr (NULL when not captured); cancelled when it was abandoned (async commands
 * whose cancellable was cancelled: status is -1 and nothing else is known). */
typedef struct
{
  gint status;
  gboolean cancelled;
  char *out;
  char *err;
} KsRuncResult;

void ks_runc_result_clear (KsRuncResult *result);

/* A hook run instead of runc: fill result (status 0 and no output by default).  Called on the
 * caller's thread; async commands complete from an idle callback afterwards. */
typedef void (*KsRuncHook) (const char *const *argv, KsRuncResult *result, gpointer user_data);
void ks_runc_set_hook (KsRunc *runc, KsRuncHook hook, gpointer user_data);

/* Run argv and wait: stdin /dev/null, stdout and stderr captured.  FALSE with
 * KS_RUNC_ERROR_FAILED (the message is runc's stderr) when it exits non-zero; result (may be NULL)
 * is filled either way. */
gboolean ks_runc_run (KsRunc *runc, const char *const *argv, KsRuncResult *result, GError **error);

/* Called once when an async command ends, or with result->cancelled set once cancellable was
 * cancelled (so user_data can be freed).  result is borrowed. */
typedef void (*KsRuncDoneFunc) (const KsRuncResult *result, gpointer user_data);

/* Run argv without waiting: stdin /dev/null; stdout and stderr go to output_fd when it is >= 0
 * (duplicated, the caller keeps its descriptor: a container's log), else they are captured. */
void ks_runc_run_async (KsRunc *runc, const char *const *argv, int output_fd,
                        GCancellable *cancellable, KsRuncDoneFunc done, gpointer user_data);

/* The last error runc wrote to a --log file in JSON format (a line with "level":"error"), or
 * NULL.  Newly allocated. */
char *ks_runc_log_error (const char *log_path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsRunc, ks_runc_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (KsRuncResult, ks_runc_result_clear)

G_END_DECLS
