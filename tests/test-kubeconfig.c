/* test-kubeconfig.c: real/ks-kubeconfig.c: write then read, the lookup order (--server,
 * --kubeconfig, $KUBECONFIG, the data directory), and errors with positions for broken files. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "real/ks-kubeconfig.h"
#include "src/api/ks-diag.h"

typedef struct
{
  char *dir;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("ks-kubeconfig-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  g_unsetenv ("KUBECONFIG");
  g_setenv ("KUBESIM_DATA_DIR", f->dir, TRUE);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  g_autoptr (GDir) d = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (f->dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_unsetenv ("KUBESIM_DATA_DIR");
}

static char *
write_file (Fixture *f, const char *name, const char *text)
{
  char *path = g_build_filename (f->dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
test_round_trip (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "kubeconfig", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *server = NULL;
  g_autofree char *text = NULL;
  g_autofree char *found = NULL;

  g_assert_true (ks_kubeconfig_write (path, "http://127.0.0.1:6443", &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  /* kubectl's layout: a v1 Config with current-context. */
  g_assert_nonnull (strstr (text, "apiVersion: v1\n"));
  g_assert_nonnull (strstr (text, "current-context: kubesim\n"));
  g_assert_nonnull (strstr (text, "    server: http://127.0.0.1:6443\n"));
  server = ks_kubeconfig_read_server (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (server, ==, "http://127.0.0.1:6443");
  /* The default place is the data directory's kubeconfig. */
  found = ks_kubeconfig_find_server (NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, "http://127.0.0.1:6443");
}

static void
test_lookup_order (Fixture *f, gconstpointer data)
{
  g_autofree char *a = write_file (f, "a.yaml",
                                   "apiVersion: v1\nkind: Config\ncurrent-context: x\n"
                                   "contexts: [{name: x, context: {cluster: cx}}]\n"
                                   "clusters: [{name: other, cluster: {server: http://other}}, "
                                   "{name: cx, cluster: {server: http://a:1}}]\n");
  g_autofree char *b
      = write_file (f, "b.yaml",
                    "current-context: ctx\ncontexts: [{name: ctx, context: {cluster: "
                    "c}}]\nclusters: [{name: c, cluster: {server: http://b:2}}]\n");
  g_autoptr (GError) error = NULL;
  g_autofree char *env = g_strconcat (b, ":", a, NULL);
  char *s;

  s = ks_kubeconfig_find_server ("http://flag:9", a, &error);
  g_assert_cmpstr (s, ==, "http://flag:9");
  g_free (s);
  g_setenv ("KUBECONFIG", env, TRUE);
  s = ks_kubeconfig_find_server (NULL, a, &error);
  g_assert_cmpstr (s, ==, "http://a:1");
  g_free (s);
  s = ks_kubeconfig_find_server (NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s, ==, "http://b:2");
  g_free (s);
  g_unsetenv ("KUBECONFIG");
}

static void
test_missing (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  char *s = ks_kubeconfig_find_server (NULL, NULL, &error);

  g_assert_null (s);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "kubesim cluster up"));
  g_assert_nonnull (strstr (error->message, "/kubeconfig does not exist"));
}

static void
check_error (Fixture *f, const char *text, const char *want)
{
  g_autofree char *path = write_file (f, "bad.yaml", text);
  g_autoptr (GError) error = NULL;
  g_autofree char *s = ks_kubeconfig_read_server (path, &error);
  g_autofree char *expected = g_strconcat (path, want, NULL);

  g_assert_null (s);
  g_assert_error (error, KS_INPUT_ERROR, KS_INPUT_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_errors (Fixture *f, gconstpointer data)
{
  check_error (f, "kind: Config\n", ":1:1: current-context: required field is missing");
  check_error (f, "current-context: x\ncontexts: [{name: y, context: {cluster: c}}]\n",
               ":2:11: contexts: no entry named \"x\"");
  check_error (f,
               "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\n"
               "clusters:\n- name: c\n  cluster: {}\n",
               ":7:12: clusters[0].cluster.server: required field is missing");
  check_error (f, "current-context: x\ncontexts:\n- name: x\n  context: [1]\n",
               ":4:12: contexts[0].context: expected a mapping, got a list");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/real/kubeconfig/round-trip", Fixture, NULL, setup, test_round_trip, teardown);
  g_test_add ("/real/kubeconfig/lookup-order", Fixture, NULL, setup, test_lookup_order, teardown);
  g_test_add ("/real/kubeconfig/missing", Fixture, NULL, setup, test_missing, teardown);
  g_test_add ("/real/kubeconfig/errors", Fixture, NULL, setup, test_errors, teardown);
  return g_test_run ();
}
