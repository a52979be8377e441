/* ks-test-netns.c: see ks-test-netns.h. */
#define _GNU_SOURCE /* unshare () */
#include "config.h"

#include "ks-test-netns.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

char *
ks_test_enter_private_netns (void)
{
  g_autofree char *ip = g_find_program_in_path ("ip");
  g_autofree char *busybox = g_find_program_in_path ("busybox");
  const char *lo_up[] = { "ip", "link", "set", "lo", "up", NULL };
  gint status;

  if (geteuid () != 0)
    return g_strdup ("needs root (network namespaces, bridges and veths)");
  if (ip == NULL)
    return g_strdup ("needs the ip command (Debian package iproute2)");
  if (busybox == NULL)
    return g_strdup ("needs busybox (Debian package busybox-static)");
  if (unshare (CLONE_NEWNET | CLONE_NEWNS) != 0)
    return g_strdup_printf ("cannot make private network and mount namespaces: %s",
                            g_strerror (errno));
  /* From here on, nothing this process does reaches the machine's network or mounts. */
  /* Without private propagation our mounts could reach the machine's namespace: skip.  (In a
   * chroot whose root is not a mount point, this fails with EINVAL.) */
  if (mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0)
    return g_strdup_printf ("cannot make the mount namespace private (mount --make-rprivate /: "
                            "%s; in a chroot, / must be a mount point)",
                            g_strerror (errno));
  if (g_mkdir_with_parents ("/run/netns", 0755) != 0)
    g_error ("mkdir /run/netns: %s", g_strerror (errno));
  if (mount ("tmpfs", "/run/netns", "tmpfs", 0, "mode=0755") != 0)
    g_error ("tmpfs on /run/netns: %s", g_strerror (errno));
  if (!g_spawn_sync (NULL, (char **) lo_up, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                     &status, NULL)
      || !g_spawn_check_wait_status (status, NULL))
    g_error ("ip link set lo up failed");
  return NULL;
}

typedef struct
{
  gboolean done;
  char *out;
  GSubprocess *proc;
  guint timer;
} RunState;

static void
run_done (GObject *source, GAsyncResult *result, gpointer data)
{
  RunState *st = data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &st->out, NULL, NULL);
  st->done = TRUE;
}

static gboolean
run_timeout (gpointer data)
{
  RunState *st = data;

  g_subprocess_force_exit (st->proc);
  st->timer = 0;
  return G_SOURCE_REMOVE;
}

char *
ks_test_run (const char *const *argv, guint timeout_s, int *exit_status)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GError) error = NULL;
  RunState st = { 0 };
  static const char *proxy_vars[] = { "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                                      "all_proxy",  "ALL_PROXY",  "ftp_proxy",   "no_proxy" };

  /* Test clients talk to the bridge and loopback only, never through a proxy. */
  for (guint i = 0; i < G_N_ELEMENTS (proxy_vars); i++)
    g_subprocess_launcher_unsetenv (launcher, proxy_vars[i]);
  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (proc, NULL, NULL, run_done, &st);
  st.proc = proc;
  st.timer = g_timeout_add_seconds (timeout_s, run_timeout, &st);
  while (!st.done)
    g_main_context_iteration (NULL, TRUE);
  g_subprocess_wait (proc, NULL, NULL);
  if (st.timer != 0)
    g_source_remove (st.timer);
  *exit_status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
  return st.out != NULL ? st.out : g_strdup ("");
}

char *
ks_test_run_ok (const char *const *argv)
{
  int status;
  char *out = ks_test_run (argv, 20, &status);

  if (status != 0)
    {
      g_autofree char *cmd = g_strjoinv (" ", (char **) argv);
      g_error ("%s: exit status %d: %s", cmd, status, out);
    }
  return out;
}
