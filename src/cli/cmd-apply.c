/* cmd-apply.c: kubesim apply -f: create or update objects from manifests, as kubectl apply. */
#include "config.h"

#include "ks-cli.h"
#include "kubectl-cli.h"

int
ks_cmd_apply (int argc, char **argv)
{
  g_auto (KsCliCluster) cluster = { 0 };
  g_auto (GStrv) files = NULL;
  g_autofree char *output = NULL;
  KsApplyOptions o = { 0 };
  GOptionEntry entries[]
      = { { "filename", 'f', 0, G_OPTION_ARG_FILENAME_ARRAY, &files,
            "A manifest file, a directory of them (.yaml, .yml, .json), or - for standard input; "
            "may be repeated",
            "FILE" },
          { "recursive", 'R', 0, G_OPTION_ARG_NONE, &o.recursive, "Read directories recursively",
            NULL },
          { "output", 'o', 0, G_OPTION_ARG_STRING, &output, "name: print only TYPE/NAME", "name" },
          { NULL } };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (KsKubectl) k = NULL;
  int status = KS_EXIT_OK;

  g_option_context_add_main_entries (context, entries, NULL);
  ks_cli_cluster_add_options (context, &cluster);
  g_option_context_set_summary (
      context, "Create or update the objects of manifests (multi-document YAML or JSON) in a "
               "real-mode cluster, as kubectl apply does (client-side apply): each is created, "
               "configured or unchanged.");
  if (!ks_cli_parse (context, "apply", &argc, &argv))
    return KS_EXIT_USAGE;
  if (argc > 1)
    {
      g_printerr ("kubesim apply: unexpected argument \"%s\" (manifests are given with -f)\n",
                  argv[1]);
      return KS_EXIT_USAGE;
    }
  o.files = files;
  o.output = output;
  k = ks_cli_kubectl_new ("apply", &cluster, &status);
  if (k == NULL)
    return status;
  return ks_kubectl_apply (k, &o);
}
