/* cmd-image.c: kubesim image import|list: real mode's local image store. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ks-cli.h"
#include "real/ks-image-store.h"
#include "real/ks-kubeconfig.h"

typedef struct
{
  char *data_dir;
  char **entrypoint;
  char **cmd;
  char **env;
  char *workdir;
  char *config;
} ImageOptions;

static void
image_options_clear (ImageOptions *o)
{
  g_free (o->data_dir);
  g_strfreev (o->entrypoint);
  g_strfreev (o->cmd);
  g_strfreev (o->env);
  g_free (o->workdir);
  g_free (o->config);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ImageOptions, image_options_clear)

static void
usage (FILE *out)
{
  fprintf (out, "Usage: kubesim image COMMAND [OPTIONS...]\n\n"
                "Real mode's local image store: root file systems that pods run.\n\n"
                "Commands:\n"
                "  import NAME[:TAG] DIR|TARBALL   Add an image from a directory or a tarball\n"
                "  list                            List the images\n\n"
                "busybox is built in: it is made from the host's /bin/busybox when first used.\n"
                "Run \"kubesim image COMMAND --help\" for a command's options.\n");
}

/* --entrypoint and --cmd: each use adds one word, or a JSON array of words. */
static gboolean
parse_words (const char *option, char **values, char ***out)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    {
      g_autoptr (JsonParser) parser = NULL;
      g_autoptr (GError) error = NULL;
      JsonNode *root;
      JsonArray *array;
      if (values[i][0] != '[')
        {
          g_strv_builder_add (b, values[i]);
          continue;
        }
      parser = json_parser_new ();
      if (!json_parser_load_from_data (parser, values[i], -1, &error)
          || !JSON_NODE_HOLDS_ARRAY (root = json_parser_get_root (parser)))
        {
          g_printerr ("kubesim image import: %s: \"%s\" is not a JSON array of strings\n", option,
                      values[i]);
          return FALSE;
        }
      array = json_node_get_array (root);
      for (guint j = 0; j < json_array_get_length (array); j++)
        {
          JsonNode *e = json_array_get_element (array, j);
          if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
            {
              g_printerr ("kubesim image import: %s: \"%s\" is not a JSON array of strings\n",
                          option, values[i]);
              return FALSE;
            }
          g_strv_builder_add (b, json_node_get_string (e));
        }
    }
  *out = g_strv_builder_end (b);
  return TRUE;
}

static int
image_import (int argc, char **argv)
{
  g_auto (ImageOptions) o = { 0 };
  GOptionEntry entries[] = {
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &o.data_dir,
      "Real mode's data directory (default $KUBESIM_DATA_DIR or " KS_DEFAULT_DATA_DIR ")", "DIR" },
    { "entrypoint", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.entrypoint,
      "The image's entrypoint: one word per use, or a JSON array", "WORD" },
    { "cmd", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.cmd,
      "The image's cmd (default sh): one word per use, or a JSON array", "WORD" },
    { "env", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.env, "An environment variable of the image",
      "KEY=VALUE" },
    { "workdir", 0, 0, G_OPTION_ARG_STRING, &o.workdir, "The image's working directory", "DIR" },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &o.config,
      "The image's config (JSON: entrypoint, cmd, env, workingDir); options override it", "FILE" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("NAME[:TAG] DIR|TARBALL");
  g_auto (KsImageConfig) config = { 0 };
  g_autoptr (KsImageStore) store = NULL;
  g_autofree char *data_dir = NULL;
  g_autoptr (KsImage) image = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *normalized = NULL;
  struct stat st;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (
      context, "Add an image to real mode's image store from a directory holding a root file\n"
               "system (copied with its links, modes and owners) or a tarball of one (.tar,\n"
               ".tar.gz, .tgz; e.g. from `docker export`).  Pods name the image in\n"
               "spec.containers[].image; NAME is normalised as Docker does (busybox =\n"
               "docker.io/library/busybox:latest).");
  if (!ks_cli_parse (context, "image import", &argc, &argv))
    return KS_EXIT_USAGE;
  if (argc != 3)
    {
      g_printerr ("kubesim image import: %s\nTry \"kubesim image import --help\".\n",
                  argc < 2   ? "missing NAME[:TAG] and DIR|TARBALL"
                  : argc < 3 ? "missing DIR|TARBALL"
                             : "too many arguments");
      return KS_EXIT_USAGE;
    }
  normalized = ks_image_reference_normalize (argv[1], &error);
  if (normalized == NULL)
    {
      g_printerr ("kubesim image import: %s\n", error->message);
      return KS_EXIT_USAGE;
    }
  if (stat (argv[2], &st) < 0 || (!S_ISDIR (st.st_mode) && !S_ISREG (st.st_mode)))
    {
      g_printerr ("kubesim image import: %s: %s\n", argv[2],
                  access (argv[2], F_OK) < 0
                      ? "no such file or directory"
                      : "neither a directory nor a tarball (.tar, .tar.gz, .tgz)");
      return KS_EXIT_USAGE;
    }
  if (o.config != NULL && !ks_image_config_load (o.config, &config, &error))
    {
      g_printerr ("kubesim image import: --config: %s\n", error->message);
      return KS_EXIT_USAGE;
    }
  if (o.entrypoint != NULL)
    {
      g_clear_pointer (&config.entrypoint, g_strfreev);
      if (!parse_words ("--entrypoint", o.entrypoint, &config.entrypoint))
        return KS_EXIT_USAGE;
    }
  if (o.cmd != NULL)
    {
      g_clear_pointer (&config.cmd, g_strfreev);
      if (!parse_words ("--cmd", o.cmd, &config.cmd))
        return KS_EXIT_USAGE;
    }
  for (guint i = 0; o.env != NULL && o.env[i] != NULL; i++)
    if (strchr (o.env[i], '=') == NULL || o.env[i][0] == '=')
      {
        g_printerr ("kubesim image import: --env: \"%s\" is not KEY=VALUE\n", o.env[i]);
        return KS_EXIT_USAGE;
      }
  if (o.env != NULL)
    {
      g_strfreev (config.env);
      config.env = g_strdupv (o.env);
    }
  if (o.workdir != NULL)
    {
      if (!g_path_is_absolute (o.workdir))
        {
          g_printerr ("kubesim image import: --workdir: \"%s\" is not an absolute path\n",
                      o.workdir);
          return KS_EXIT_USAGE;
        }
      g_free (config.working_dir);
      config.working_dir = g_strdup (o.workdir);
    }

  data_dir = ks_data_dir_resolve (o.data_dir);
  store = ks_image_store_new (data_dir);
  image = ks_image_store_import (store, argv[1], argv[2], &config, &error);
  if (image == NULL)
    {
      g_printerr ("kubesim image import: %s\n", error->message);
      return KS_EXIT_FAILED;
    }
  printf ("imported %s from %s\n", image->reference, argv[2]);
  return KS_EXIT_OK;
}

static char *
command_of (const KsImage *image)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  g_auto (GStrv) words = NULL;

  if (image->config.entrypoint != NULL)
    g_strv_builder_addv (b, (const char **) image->config.entrypoint);
  if (image->config.cmd != NULL)
    g_strv_builder_addv (b, (const char **) image->config.cmd);
  words = g_strv_builder_end (b);
  return g_strjoinv (" ", words);
}

static int
image_list (int argc, char **argv)
{
  g_auto (ImageOptions) o = { 0 };
  GOptionEntry entries[] = {
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &o.data_dir,
      "Real mode's data directory (default $KUBESIM_DATA_DIR or " KS_DEFAULT_DATA_DIR ")", "DIR" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (KsImageStore) store = NULL;
  g_autofree char *data_dir = NULL;
  g_autoptr (GPtrArray) images = NULL;
  g_autoptr (GError) error = NULL;
  gboolean has_busybox = FALSE;
  int width = (int) strlen ("IMAGE");

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context, "List the images of real mode's image store.");
  if (!ks_cli_parse (context, "image list", &argc, &argv))
    return KS_EXIT_USAGE;
  if (argc > 1)
    {
      g_printerr ("kubesim image list: unexpected argument \"%s\"\n", argv[1]);
      return KS_EXIT_USAGE;
    }
  data_dir = ks_data_dir_resolve (o.data_dir);
  store = ks_image_store_new (data_dir);
  images = ks_image_store_list (store, &error);
  if (images == NULL)
    {
      g_printerr ("kubesim image list: %s\n", error->message);
      return KS_EXIT_FAILED;
    }
  for (guint i = 0; i < images->len; i++)
    {
      const KsImage *image = images->pdata[i];
      width = MAX (width, (int) strlen (image->repository));
      has_busybox |= strcmp (image->reference, "docker.io/library/busybox:latest") == 0;
    }
  printf ("%-*s   %-10s   %s\n", width, "IMAGE", "TAG", "COMMAND");
  for (guint i = 0; i < images->len; i++)
    {
      const KsImage *image = images->pdata[i];
      g_autofree char *command = command_of (image);
      printf ("%-*s   %-10s   %s\n", width, image->repository, image->tag, command);
    }
  if (!has_busybox)
    printf ("(busybox:latest is built in and made when a pod first uses it)\n");
  return KS_EXIT_OK;
}

int
ks_cmd_image (int argc, char **argv)
{
  const char *sub;

  if (argc < 2)
    {
      usage (stderr);
      return KS_EXIT_USAGE;
    }
  sub = argv[1];
  if (strcmp (sub, "--help") == 0 || strcmp (sub, "-h") == 0 || strcmp (sub, "help") == 0)
    {
      usage (stdout);
      return KS_EXIT_OK;
    }
  if (strcmp (sub, "import") == 0)
    {
      g_set_prgname ("kubesim image import");
      return image_import (argc - 1, argv + 1);
    }
  if (strcmp (sub, "list") == 0)
    {
      g_set_prgname ("kubesim image list");
      return image_list (argc - 1, argv + 1);
    }
  g_printerr ("kubesim image: unknown command \"%s\"\n\n", sub);
  usage (stderr);
  return KS_EXIT_USAGE;
}
