/* ks-test-traces.c: where the trace tests find their inputs, and opening them. */
#include "config.h"

#include "ks-test-traces.h"

#include <string.h>

char *
ks_test_find_trace (const char *relative)
{
  const char *env = g_getenv ("KS_TRACES_DIR");
  g_autofree char *dir = NULL;

  if (env != NULL)
    {
      char *path = g_build_filename (env, relative, NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return path;
      g_free (path);
    }
  dir = g_canonicalize_filename (g_test_get_dir (G_TEST_DIST), NULL);
  for (int up = 0; up < 5 && dir != NULL; up++)
    {
      char *path = g_build_filename (dir, "shared", "traces", relative, NULL);
      char *parent;

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return path;
      g_free (path);
      parent = g_path_get_dirname (dir);
      if (strcmp (parent, dir) == 0)
        {
          g_free (parent);
          break;
        }
      g_free (dir);
      dir = parent;
    }
  return NULL;
}

char *
ks_test_trace_fixture (const char *relative)
{
  return g_test_build_filename (G_TEST_DIST, "traces", relative, NULL);
}

KsTraceInput *
ks_test_trace_input_open (const char *path)
{
  g_autoptr (GError) error = NULL;
  const char *paths[] = { path };
  KsTraceInput *input = ks_trace_input_open (paths, 1, &error);

  g_assert_no_error (error);
  return input;
}
