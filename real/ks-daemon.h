/* ks-daemon.h: the background processes of `kubesim cluster up|down|status`.
 *
 * The control plane and each node agent run as daemons: a new session (setsid), stdin from
 * /dev/null, stdout and stderr appended to <data-dir>/log/<name>.log, and a pid file
 * <data-dir>/run/<name>.pid.  A pid file is trusted only while its process is alive and runs
 * this program, so a stale file left by a crash (or a pid reused by another program) is ignored
 * rather than signalled. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Start argv (argv[0] a path) as daemon name under data_dir; returns its pid, or -1. */
GPid ks_daemon_start (const char *data_dir, const char *name, const char *const *argv,
                      GError **error);

/* The pid of daemon name if its pid file names a live process of this program, else 0. */
GPid ks_daemon_get_pid (const char *data_dir, const char *name);

/* The names of the daemons with pid files under data_dir (running or not), sorted. */
GPtrArray *ks_daemon_list (const char *data_dir);

/* Stop daemon name: SIGTERM, then SIGKILL after timeout µs, wait until it is gone, remove the
 * pid file.  TRUE when it is gone (or was not running); sets *killed when SIGKILL was needed. */
gboolean ks_daemon_stop (const char *data_dir, const char *name, gint64 timeout, gboolean *killed);

/* The path of this program (/proc/self/exe resolved), for argv[0] of daemons.  Static. */
const char *ks_daemon_self_path (void);

G_END_DECLS
