/* ks-daemon.c: starting, finding and stopping kubesim's background processes (ks-daemon.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "ks-daemon.h"

const char *
ks_daemon_self_path (void)
{
  static gsize path;

  if (g_once_init_enter (&path))
    {
      char *p = g_file_read_link ("/proc/self/exe", NULL);
      g_once_init_leave (&path, (gsize) (p != NULL ? p : g_strdup ("kubesim")));
    }
  return (const char *) path;
}

static char *
pid_path (const char *data_dir, const char *name)
{
  g_autofree char *file = g_strconcat (name, ".pid", NULL);
  return g_build_filename (data_dir, "run", file, NULL);
}

static void
child_setup (gpointer data)
{
  /* A session of its own: no controlling terminal, and a Ctrl-C in the shell that ran
   * `cluster up` does not reach it. */
  setsid ();
}

GPid
ks_daemon_start (const char *data_dir, const char *name, const char *const *argv, GError **error)
{
  g_autofree char *log_dir = g_build_filename (data_dir, "log", NULL);
  g_autofree char *run_dir = g_build_filename (data_dir, "run", NULL);
  g_autofree char *log_file = g_strconcat (name, ".log", NULL);
  g_autofree char *log_path = g_build_filename (log_dir, log_file, NULL);
  g_autofree char *pidfile = pid_path (data_dir, name);
  g_autofree char *pid_text = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  int fd;
  GPid pid;

  if (g_mkdir_with_parents (log_dir, 0755) != 0 || g_mkdir_with_parents (run_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "cannot create %s: %s",
                   g_file_test (log_dir, G_FILE_TEST_IS_DIR) ? run_dir : log_dir,
                   g_strerror (saved));
      return -1;
    }
  fd = g_open (log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "cannot open %s: %s",
                   log_path, g_strerror (saved));
      return -1;
    }
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdin_file_path (launcher, "/dev/null");
  g_subprocess_launcher_take_stdout_fd (launcher, fd);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL)
    return -1;
  pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (process), NULL, 10);
  pid_text = g_strdup_printf ("%d\n", pid);
  if (!g_file_set_contents (pidfile, pid_text, -1, error))
    {
      kill (pid, SIGKILL);
      return -1;
    }
  return pid;
}

/* Whether pid is alive and runs this program (its executable is ours, possibly since
 * replaced by a rebuild: the kernel then appends " (deleted)"). */
static gboolean
is_ours (GPid pid)
{
  g_autofree char *link = g_strdup_printf ("/proc/%d/exe", pid);
  g_autofree char *exe = NULL;
  const char *self = ks_daemon_self_path ();

  if (pid <= 0 || (kill (pid, 0) != 0 && errno == ESRCH))
    return FALSE;
  exe = g_file_read_link (link, NULL);
  if (exe == NULL)
    return FALSE;
  if (g_str_has_suffix (exe, " (deleted)"))
    exe[strlen (exe) - strlen (" (deleted)")] = '\0';
  return strcmp (exe, self) == 0;
}

/* A zombie (our own child that exited) still answers kill(0): look at its state. */
static gboolean
is_zombie (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *paren;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE; /* gone */
  paren = strrchr (stat, ')');
  return paren == NULL || paren[1] == '\0' || paren[2] == 'Z';
}

GPid
ks_daemon_get_pid (const char *data_dir, const char *name)
{
  g_autofree char *pidfile = pid_path (data_dir, name);
  g_autofree char *text = NULL;
  gint64 pid;

  if (!g_file_get_contents (pidfile, &text, NULL, NULL))
    return 0;
  pid = g_ascii_strtoll (text, NULL, 10);
  if (pid <= 0 || pid > G_MAXINT || !is_ours ((GPid) pid) || is_zombie ((GPid) pid))
    return 0;
  return (GPid) pid;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
ks_daemon_list (const char *data_dir)
{
  g_autofree char *run_dir = g_build_filename (data_dir, "run", NULL);
  g_autoptr (GDir) dir = g_dir_open (run_dir, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (entry, ".pid"))
      g_ptr_array_add (names, g_strndup (entry, strlen (entry) - strlen (".pid")));
  g_ptr_array_sort (names, compare_names);
  return names;
}

static gboolean
wait_gone (GPid pid, gint64 timeout)
{
  gint64 deadline = g_get_monotonic_time () + timeout;

  while (!is_zombie (pid) && kill (pid, 0) == 0)
    {
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_usleep (20 * 1000);
    }
  return TRUE;
}

gboolean
ks_daemon_stop (const char *data_dir, const char *name, gint64 timeout, gboolean *killed)
{
  g_autofree char *pidfile = pid_path (data_dir, name);
  GPid pid = ks_daemon_get_pid (data_dir, name);
  gboolean gone = TRUE;

  if (killed != NULL)
    *killed = FALSE;
  if (pid > 0)
    {
      kill (pid, SIGTERM);
      if (!wait_gone (pid, timeout))
        {
          if (killed != NULL)
            *killed = TRUE;
          kill (pid, SIGKILL);
          gone = wait_gone (pid, 5 * G_USEC_PER_SEC);
        }
    }
  if (gone)
    g_unlink (pidfile);
  return gone;
}
