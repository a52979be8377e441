/* test-image-store.c: the local image store (real/ks-image-store.c): reference normalisation,
 * image configs, import of a directory and of tarballs into a temporary data directory, listing,
 * and the built-in busybox (skipped when /bin/busybox is missing).  Needs no root. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "real/ks-fsutil.h"
#include "real/ks-image-store.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("ks-images-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (ks_fs_remove_tree (f->dir, &error));
  g_assert_no_error (error);
  g_free (f->dir);
}

static void
check_normal (const char *reference, const char *expected)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *got = ks_image_reference_normalize (reference, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, expected);
}

static void
check_invalid (const char *reference, const char *why)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *got = ks_image_reference_normalize (reference, &error);

  g_assert_null (got);
  g_assert_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_INVALID_REFERENCE);
  if (strstr (error->message, why) == NULL)
    g_error ("\"%s\": message \"%s\" lacks \"%s\"", reference, error->message, why);
}

static void
test_reference (void)
{
  check_normal ("busybox", "docker.io/library/busybox:latest");
  check_normal ("busybox:latest", "docker.io/library/busybox:latest");
  check_normal ("docker.io/library/busybox:latest", "docker.io/library/busybox:latest");
  check_normal ("index.docker.io/library/busybox", "docker.io/library/busybox:latest");
  check_normal ("docker.io/busybox:1.36", "docker.io/library/busybox:1.36");
  check_normal ("team/app", "docker.io/team/app:latest");
  check_normal ("team/sub/app:v2", "docker.io/team/sub/app:v2");
  check_normal ("registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.10");
  check_normal ("localhost/app", "localhost/app:latest");
  check_normal ("localhost:5000/app:x", "localhost:5000/app:x");
  check_normal ("Example.COM/app", "Example.COM/app:latest"); /* upper case: a domain */
  check_normal ("team/a.b-c__d/e_f.g---h", "docker.io/team/a.b-c__d/e_f.g---h:latest");
  check_normal ("app:V1_beta.2-rc", "docker.io/library/app:V1_beta.2-rc");

  check_invalid ("", "empty");
  check_invalid ("Busybox", "lower case");
  check_invalid ("busybox@sha256:0123", "digests are not supported");
  check_invalid ("busybox:", "a tag is");
  check_invalid ("busybox:.x", "a tag is");
  check_invalid ("bad..name", "each part of the name");
  check_invalid ("-app", "each part of the name");
  check_invalid ("app-", "each part of the name");
  check_invalid ("team//app", "each part of the name");
  check_invalid ("team/app/", "each part of the name");
  check_invalid ("bad_host./app", "invalid registry host");
  check_invalid ("host:port/app", "invalid registry host");
}

static void
test_config_json (void)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (KsImageConfig) config = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) back = NULL;
  g_auto (KsImageConfig) again = { 0 };

  g_assert_true (json_parser_load_from_data (
      parser,
      "{\"entrypoint\": [\"/bin/sh\", \"-c\"], \"cmd\": [\"echo hi\"], \"env\": [\"A=1\", \"B=\"],"
      " \"workingDir\": \"/srv\"}",
      -1, NULL));
  g_assert_true (
      ks_image_config_from_json (json_parser_get_root (parser), "x.json", &config, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (config.entrypoint[1], ==, "-c");
  g_assert_cmpstr (config.cmd[0], ==, "echo hi");
  g_assert_cmpstr (config.env[1], ==, "B=");
  g_assert_cmpstr (config.working_dir, ==, "/srv");
  back = ks_image_config_to_json (&config);
  g_assert_true (ks_image_config_from_json (back, "back", &again, &error));
  g_assert_true (g_strv_equal ((const char *const *) again.entrypoint,
                               (const char *const *) config.entrypoint));
  g_assert_true (g_strv_equal ((const char *const *) again.env, (const char *const *) config.env));
}

static void
check_bad_config (const char *json, const char *message)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (KsImageConfig) config = { 0 };
  g_autoptr (GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  g_assert_false (
      ks_image_config_from_json (json_parser_get_root (parser), "img.json", &config, &error));
  g_assert_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_config_errors (void)
{
  check_bad_config ("[1]", "img.json: expected an object with entrypoint, cmd, env and workingDir");
  check_bad_config ("{\"Cmd\": [\"sh\"]}",
                    "img.json: unknown field \"Cmd\" (valid: entrypoint, cmd, env, workingDir)");
  check_bad_config ("{\"cmd\": \"sh\"}", "img.json: cmd: expected an array of strings");
  check_bad_config ("{\"cmd\": [\"sh\", 1]}", "img.json: cmd[1]: expected a string");
  check_bad_config ("{\"env\": [\"NOVALUE\"]}", "img.json: env[0]: \"NOVALUE\" is not KEY=VALUE");
  check_bad_config ("{\"workingDir\": \"rel\"}", "img.json: workingDir: expected an absolute path");
}

/* A small root file system: a file, an executable, a symbolic link, a sub-directory with an
 * unusual mode. */
static char *
make_rootfs (const char *parent)
{
  char *root = g_build_filename (parent, "src-rootfs", NULL);
  g_autofree char *bin = g_build_filename (root, "bin", NULL);
  g_autofree char *tool = g_build_filename (bin, "tool", NULL);
  g_autofree char *link = g_build_filename (bin, "alias", NULL);
  g_autofree char *data = g_build_filename (root, "data", NULL);
  g_autofree char *file = g_build_filename (data, "file.txt", NULL);

  g_assert_true (ks_fs_mkdirs (bin, 0755, NULL));
  g_assert_true (ks_fs_mkdirs (data, 0755, NULL));
  g_assert_true (g_file_set_contents (tool, "#!/bin/sh\necho tool\n", -1, NULL));
  g_assert_cmpint (chmod (tool, 0751), ==, 0);
  g_assert_cmpint (symlink ("tool", link), ==, 0);
  g_assert_true (g_file_set_contents (file, "payload\n", -1, NULL));
  g_assert_cmpint (chmod (data, 0710), ==, 0);
  return root;
}

static void
check_imported (const KsImage *image, const char *reference)
{
  g_autofree char *tool = g_build_filename (image->rootfs, "bin", "tool", NULL);
  g_autofree char *link = g_build_filename (image->rootfs, "bin", "alias", NULL);
  g_autofree char *data = g_build_filename (image->rootfs, "data", NULL);
  g_autofree char *file = g_build_filename (data, "file.txt", NULL);
  g_autofree char *target = NULL;
  g_autofree char *text = NULL;
  struct stat st;

  g_assert_cmpstr (image->reference, ==, reference);
  g_assert_cmpint (lstat (tool, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0751);
  target = g_file_read_link (link, NULL);
  g_assert_cmpstr (target, ==, "tool");
  g_assert_cmpint (lstat (data, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0710);
  g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "payload\n");
  /* What runc mounts onto exists in the read-only rootfs. */
  for (guint i = 0; i < 4; i++)
    {
      const char *dirs[] = { "proc", "sys", "dev", "tmp" };
      g_autofree char *d = g_build_filename (image->rootfs, dirs[i], NULL);
      g_assert_true (g_file_test (d, G_FILE_TEST_IS_DIR));
    }
  {
    g_autofree char *hosts = g_build_filename (image->rootfs, "etc", "hosts", NULL);
    g_autofree char *tmp = g_build_filename (image->rootfs, "tmp", NULL);
    g_assert_true (g_file_test (hosts, G_FILE_TEST_IS_REGULAR));
    g_assert_cmpint (stat (tmp, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 07777, ==, 01777);
  }
}

static void
test_import_dir (Fixture *f, gconstpointer data)
{
  g_autoptr (KsImageStore) store = ks_image_store_new (f->dir);
  g_autofree char *src = make_rootfs (f->dir);
  KsImageConfig config
      = { .entrypoint = (char *[]){ (char *) "/bin/tool", NULL }, .working_dir = (char *) "/data" };
  g_autoptr (KsImage) image = NULL;
  g_autoptr (KsImage) found = NULL;
  g_autoptr (KsImage) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *expected_dir
      = g_build_filename (f->dir, "images", "docker.io", "team", "tool", "v1", NULL);

  image = ks_image_store_import (store, "team/tool:v1", src, &config, &error);
  g_assert_no_error (error);
  check_imported (image, "docker.io/team/tool:v1");
  g_assert_cmpstr (image->dir, ==, expected_dir);
  g_assert_cmpstr (image->config.entrypoint[0], ==, "/bin/tool");
  g_assert_null (image->config.cmd);
  g_assert_cmpstr (image->config.working_dir, ==, "/data");

  /* Found under every spelling of its name. */
  found = ks_image_store_lookup (store, "docker.io/team/tool:v1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->rootfs, ==, image->rootfs);
  /* Twice: refused, the first stays. */
  again = ks_image_store_import (store, "docker.io/team/tool:v1", src, NULL, &error);
  g_assert_null (again);
  g_assert_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_EXISTS);
  g_clear_error (&error);
  /* Nothing half-made is left next to the images. */
  {
    g_autofree char *images = g_build_filename (f->dir, "images", NULL);
    g_autoptr (GDir) d = g_dir_open (images, 0, NULL);
    const char *name;
    while ((name = g_dir_read_name (d)) != NULL)
      g_assert_false (g_str_has_prefix (name, ".tmp-"));
  }
}

static void
test_import_tarball (Fixture *f, gconstpointer data)
{
  g_autoptr (KsImageStore) store = ks_image_store_new (f->dir);
  g_autofree char *src = make_rootfs (f->dir);
  g_autofree char *tar = g_build_filename (f->dir, "fs.tar", NULL);
  g_autofree char *tgz = g_build_filename (f->dir, "fs.tgz", NULL);
  g_autoptr (KsImage) plain = NULL;
  g_autoptr (KsImage) gz = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *cmd1 = g_strdup_printf ("tar -C '%s' -cf '%s' .", src, tar);
  g_autofree char *cmd2 = g_strdup_printf ("tar -C '%s' -czf '%s' .", src, tgz);
  gint status;

  g_assert_true (g_spawn_command_line_sync (cmd1, NULL, NULL, &status, NULL));
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_spawn_command_line_sync (cmd2, NULL, NULL, &status, NULL));
  g_assert_cmpint (status, ==, 0);

  plain = ks_image_store_import (store, "plain", tar, NULL, &error);
  g_assert_no_error (error);
  check_imported (plain, "docker.io/library/plain:latest");
  /* No config: cmd sh and a PATH. */
  g_assert_cmpstr (plain->config.cmd[0], ==, "sh");
  g_assert_null (plain->config.cmd[1]);
  g_assert_true (g_str_has_prefix (plain->config.env[0], "PATH="));
  gz = ks_image_store_import (store, "example.com/gz:1", tgz, NULL, &error);
  g_assert_no_error (error);
  check_imported (gz, "example.com/gz:1");
}

static void
test_import_errors (Fixture *f, gconstpointer data)
{
  g_autoptr (KsImageStore) store = ks_image_store_new (f->dir);
  g_autofree char *junk = g_build_filename (f->dir, "junk.tar", NULL);
  g_autofree char *empty = g_build_filename (f->dir, "empty", NULL);
  g_autofree char *saved = g_build_filename (f->dir, "saved", NULL);
  g_autofree char *manifest = g_build_filename (saved, "manifest.json", NULL);
  g_autofree char *repositories = g_build_filename (saved, "repositories", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "missing", NULL);
  g_autoptr (GError) error = NULL;
  KsImage *image;

  g_assert_true (g_file_set_contents (junk, "this is not a tar file\n", -1, NULL));
  image = ks_image_store_import (store, "junk", junk, NULL, &error);
  g_assert_null (image);
  g_assert_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_IMPORT);
  g_assert_true (g_str_has_prefix (error->message, junk));
  g_assert_nonnull (strstr (error->message, "not a readable tarball"));
  g_clear_error (&error);

  g_assert_true (ks_fs_mkdirs (empty, 0755, NULL));
  image = ks_image_store_import (store, "empty", empty, NULL, &error);
  g_assert_null (image);
  g_assert_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_IMPORT);
  g_assert_nonnull (strstr (error->message, "is empty"));
  g_clear_error (&error);

  g_assert_true (ks_fs_mkdirs (saved, 0755, NULL));
  g_assert_true (g_file_set_contents (manifest, "[]", -1, NULL));
  g_assert_true (g_file_set_contents (repositories, "{}", -1, NULL));
  image = ks_image_store_import (store, "saved", saved, NULL, &error);
  g_assert_null (image);
  g_assert_nonnull (strstr (error->message, "docker export"));
  g_clear_error (&error);

  image = ks_image_store_import (store, "missing", missing, NULL, &error);
  g_assert_null (image);
  g_assert_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_IMPORT);
  g_clear_error (&error);

  image = ks_image_store_import (store, "UPPER", empty, NULL, &error);
  g_assert_null (image);
  g_assert_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_INVALID_REFERENCE);
  g_clear_error (&error);

  /* Nothing was added, nothing was left half-made. */
  {
    g_autoptr (GPtrArray) images = ks_image_store_list (store, &error);
    g_autofree char *dir = g_build_filename (f->dir, "images", NULL);
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    g_assert_no_error (error);
    g_assert_cmpuint (images->len, ==, 0);
    g_assert_null (d != NULL ? g_dir_read_name (d) : NULL);
  }
}

static void
test_lookup_missing (Fixture *f, gconstpointer data)
{
  g_autoptr (KsImageStore) store = ks_image_store_new (f->dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (KsImage) image = ks_image_store_lookup (store, "nginx:1.27", &error);

  g_assert_null (image);
  g_assert_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "\"nginx:1.27\""));
  g_assert_nonnull (strstr (error->message, "docker.io/library/nginx:1.27"));
  g_assert_nonnull (strstr (error->message, "kubesim image import nginx:1.27"));
}

static void
test_overlap (Fixture *f, gconstpointer data)
{
  g_autoptr (KsImageStore) store = ks_image_store_new (f->dir);
  g_autofree char *src = make_rootfs (f->dir);
  g_autoptr (KsImage) outer = NULL;
  g_autoptr (KsImage) inner = NULL;
  g_autoptr (GError) error = NULL;

  /* docker.io/team/a:b lives in images/docker.io/team/a/b; docker.io/team/a/b:c would be
   * inside it. */
  outer = ks_image_store_import (store, "team/a:b", src, NULL, &error);
  g_assert_no_error (error);
  inner = ks_image_store_import (store, "team/a/b:c", src, NULL, &error);
  g_assert_null (inner);
  g_assert_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "inside the image"));
}

static void
test_list (Fixture *f, gconstpointer data)
{
  g_autoptr (KsImageStore) store = ks_image_store_new (f->dir);
  g_autofree char *src = make_rootfs (f->dir);
  const char *refs[] = { "zeta", "alpha:2", "example.com/x/y:1", "alpha:1" };
  g_autoptr (GPtrArray) images = NULL;
  g_autoptr (GError) error = NULL;
  GString *got = g_string_new (NULL);

  images = ks_image_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (images->len, ==, 0);
  g_clear_pointer (&images, g_ptr_array_unref);
  for (guint i = 0; i < G_N_ELEMENTS (refs); i++)
    {
      KsImage *image = ks_image_store_import (store, refs[i], src, NULL, &error);
      g_assert_no_error (error);
      ks_image_free (image);
    }
  images = ks_image_store_list (store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < images->len; i++)
    g_string_append_printf (got, "%s\n", ((KsImage *) images->pdata[i])->reference);
  g_assert_cmpstr (got->str, ==,
                   "docker.io/library/alpha:1\ndocker.io/library/alpha:2\n"
                   "docker.io/library/zeta:latest\nexample.com/x/y:1\n");
  g_string_free (got, TRUE);
}

static void
test_busybox (Fixture *f, gconstpointer data)
{
  g_autoptr (KsImageStore) store = ks_image_store_new (f->dir);
  g_autoptr (KsImage) image = NULL;
  g_autoptr (KsImage) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *binary = NULL;
  g_autofree char *sh = NULL;
  g_autofree char *wget = NULL;
  g_autofree char *passwd = NULL;
  g_autofree char *text = NULL;
  g_autofree char *out = NULL;
  struct stat st;
  gint status;

  if (!g_file_test ("/bin/busybox", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("/bin/busybox is missing (Debian package busybox-static)");
      return;
    }
  image = ks_image_store_lookup (store, "busybox", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (image->reference, ==, "docker.io/library/busybox:latest");
  g_assert_cmpstr (image->config.cmd[0], ==, "sh");
  binary = g_build_filename (image->rootfs, "bin", "busybox", NULL);
  g_assert_cmpint (stat (binary, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0111, ==, 0111);
  sh = g_build_filename (image->rootfs, "bin", "sh", NULL);
  text = g_file_read_link (sh, NULL);
  g_assert_cmpstr (text, ==, "/bin/busybox");
  g_clear_pointer (&text, g_free);
  /* Every applet busybox lists has its link. */
  g_assert_true (g_spawn_command_line_sync ("/bin/busybox --list-full", &out, NULL, &status, NULL));
  {
    g_auto (GStrv) applets = g_strsplit (g_strstrip (out), "\n", -1);
    g_assert_cmpuint (g_strv_length (applets), >, 100);
    for (guint i = 0; applets[i] != NULL; i++)
      {
        g_autofree char *link = g_build_filename (image->rootfs, applets[i], NULL);
        g_assert_cmpint (lstat (link, &st), ==, 0);
      }
  }
  wget = g_build_filename (image->rootfs, "usr", "bin", "wget", NULL);
  g_assert_true (g_file_test (wget, G_FILE_TEST_IS_SYMLINK));
  passwd = g_build_filename (image->rootfs, "etc", "passwd", NULL);
  g_assert_true (g_file_get_contents (passwd, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "root:x:0:0:"));
  g_assert_nonnull (strstr (text, "\nnobody:x:65534:65534:"));
  /* Made once: the second lookup finds it. */
  again = ks_image_store_lookup (store, "docker.io/library/busybox:latest", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->dir, ==, image->dir);
}

static void
test_busybox_missing (Fixture *f, gconstpointer data)
{
  g_autoptr (KsImageStore) store = ks_image_store_new (f->dir);
  g_autofree char *fake = g_build_filename (f->dir, "no-busybox", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (KsImage) image = NULL;

  ks_image_store_set_busybox (store, fake);
  image = ks_image_store_lookup (store, "busybox:latest", &error);
  g_assert_null (image);
  g_assert_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_BUILTIN);
  g_assert_nonnull (strstr (error->message, "busybox-static"));
  /* Only busybox:latest is built in. */
  g_clear_error (&error);
  image = ks_image_store_lookup (store, "busybox:1.36", &error);
  g_assert_error (error, KS_IMAGE_ERROR, KS_IMAGE_ERROR_NOT_FOUND);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/image/reference", test_reference);
  g_test_add_func ("/image/config-json", test_config_json);
  g_test_add_func ("/image/config-errors", test_config_errors);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/image/import-dir", test_import_dir);
  ADD ("/image/import-tarball", test_import_tarball);
  ADD ("/image/import-errors", test_import_errors);
  ADD ("/image/lookup-missing", test_lookup_missing);
  ADD ("/image/overlap", test_overlap);
  ADD ("/image/list", test_list);
  ADD ("/image/busybox", test_busybox);
  ADD ("/image/busybox-missing", test_busybox_missing);
#undef ADD
  return g_test_run ();
}
