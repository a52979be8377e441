/* test-daemon.c: real/ks-daemon.c with this test program as the daemon: start (new session, log
 * and pid file), find, list, stop with SIGTERM, escalation to SIGKILL, stale pid files. */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "real/ks-daemon.h"
#include "tests/ks-test.h"

static char *data_dir;

/* The daemon side: say hello (to the log), then wait to be stopped. */
G_GNUC_NORETURN static void
daemon_main (gboolean ignore_term)
{
  if (ignore_term)
    signal (SIGTERM, SIG_IGN);
  g_print ("hello from %d, session %d\n", getpid (), getsid (0));
  for (;;)
    pause ();
}

static void
test_start_stop (void)
{
  const char *argv[] = { ks_daemon_self_path (), "--daemon", NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *log = g_build_filename (data_dir, "log", "cp.log", NULL);
  g_autofree char *pidfile = g_build_filename (data_dir, "run", "cp.pid", NULL);
  g_autofree char *text = NULL;
  g_autofree char *expect = NULL;
  g_autoptr (GPtrArray) names = NULL;
  gboolean killed = TRUE;
  GPid pid = ks_daemon_start (data_dir, "cp", argv, &error);

  g_assert_no_error (error);
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (ks_daemon_get_pid (data_dir, "cp"), ==, pid);
  /* Its output goes to the log; it leads a session of its own. */
  expect = g_strdup_printf ("hello from %d, session %d\n", pid, pid);
  for (int i = 0; i < 250 && (text == NULL || strcmp (text, expect) != 0); i++)
    {
      g_clear_pointer (&text, g_free);
      g_usleep (20000);
      g_file_get_contents (log, &text, NULL, NULL);
    }
  g_assert_cmpstr (text, ==, expect);
  names = ks_daemon_list (data_dir);
  g_assert_cmpuint (names->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "cp");
  g_assert_true (ks_daemon_stop (data_dir, "cp", 5 * G_USEC_PER_SEC, &killed));
  g_assert_false (killed);
  g_assert_cmpint (ks_daemon_get_pid (data_dir, "cp"), ==, 0);
  g_assert_false (g_file_test (pidfile, G_FILE_TEST_EXISTS));
  /* Stopping what is not running is fine. */
  g_assert_true (ks_daemon_stop (data_dir, "cp", G_USEC_PER_SEC, NULL));
}

static void
test_escalation (void)
{
  const char *argv[] = { ks_daemon_self_path (), "--daemon-ignore-term", NULL };
  g_autoptr (GError) error = NULL;
  gboolean killed = FALSE;
  GPid pid = ks_daemon_start (data_dir, "stubborn", argv, &error);
  gint64 t0;

  g_assert_no_error (error);
  g_assert_cmpint (pid, >, 0);
  g_usleep (200000); /* let it install its handler */
  t0 = g_get_monotonic_time ();
  g_assert_true (ks_daemon_stop (data_dir, "stubborn", 300000, &killed));
  g_assert_true (killed);
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 300000);
  g_assert_cmpint (ks_daemon_get_pid (data_dir, "stubborn"), ==, 0);
}

static void
test_stale (void)
{
  g_autofree char *run = g_build_filename (data_dir, "run", NULL);
  g_autofree char *pidfile = g_build_filename (run, "old.pid", NULL);

  g_assert_cmpint (g_mkdir_with_parents (run, 0755), ==, 0);
  /* pid 1 is alive but is not this program; a huge pid is not alive; garbage is no pid. */
  g_assert_true (g_file_set_contents (pidfile, "1\n", -1, NULL));
  g_assert_cmpint (ks_daemon_get_pid (data_dir, "old"), ==, 0);
  g_assert_true (g_file_set_contents (pidfile, "4194304\n", -1, NULL));
  g_assert_cmpint (ks_daemon_get_pid (data_dir, "old"), ==, 0);
  g_assert_true (g_file_set_contents (pidfile, "x\n", -1, NULL));
  g_assert_cmpint (ks_daemon_get_pid (data_dir, "old"), ==, 0);
  /* Stopping a stale entry signals nobody and removes the file. */
  g_assert_true (ks_daemon_stop (data_dir, "old", G_USEC_PER_SEC, NULL));
  g_assert_false (g_file_test (pidfile, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  int status;

  if (argc == 2 && strcmp (argv[1], "--daemon") == 0)
    daemon_main (FALSE);
  if (argc == 2 && strcmp (argv[1], "--daemon-ignore-term") == 0)
    daemon_main (TRUE);
  g_test_init (&argc, &argv, NULL);
  data_dir = g_dir_make_tmp ("ks-daemon-XXXXXX", NULL);
  g_test_add_func ("/real/daemon/start-stop", test_start_stop);
  g_test_add_func ("/real/daemon/escalation", test_escalation);
  g_test_add_func ("/real/daemon/stale", test_stale);
  status = g_test_run ();
  ks_test_remove_tree (data_dir);
  g_free (data_dir);
  return status;
}
