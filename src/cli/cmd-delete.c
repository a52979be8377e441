/* cmd-delete.c: kubesim delete: delete objects (by name, label or manifest) and wait until they
 * are gone, as kubectl delete. */
#include "config.h"

#include "ks-cli.h"
#include "kubectl-cli.h"

int
ks_cmd_delete (int argc, char **argv)
{
  g_auto (KsCliCluster) cluster = { 0 };
  g_auto (GStrv) files = NULL;
  g_autofree char *selector = NULL;
  g_autofree char *cascade = NULL;
  g_autofree char *wait = NULL;
  g_autofree char *timeout = NULL;
  g_autofree char *output = NULL;
  KsKubectlDeleteOptions o = { .grace_period = -1 };
  GOptionEntry entries[]
      = { { "filename", 'f', 0, G_OPTION_ARG_FILENAME_ARRAY, &files,
            "Delete the objects of a manifest file or directory (- for standard input)", "FILE" },
          { "recursive", 'R', 0, G_OPTION_ARG_NONE, &o.recursive, "Read directories recursively",
            NULL },
          { "selector", 'l', 0, G_OPTION_ARG_STRING, &selector,
            "Delete the objects with these labels", "SELECTOR" },
          { "all", 0, 0, G_OPTION_ARG_NONE, &o.all, "Delete every object of the types", NULL },
          { "all-namespaces", 'A', 0, G_OPTION_ARG_NONE, &o.all_namespaces,
            "With -l or --all: in every namespace", NULL },
          { "grace-period", 0, 0, G_OPTION_ARG_INT, &o.grace_period,
            "Seconds pods get to stop (default: theirs; 0 needs --force)", "SECONDS" },
          { "now", 0, 0, G_OPTION_ARG_NONE, &o.now, "A grace period of 1 second", NULL },
          { "force", 0, 0, G_OPTION_ARG_NONE, &o.force,
            "Remove at once, without waiting for the pod's containers to stop", NULL },
          { "wait", 0, 0, G_OPTION_ARG_STRING, &wait,
            "true (default): wait until the objects are gone; false: do not", "true|false" },
          { "timeout", 0, 0, G_OPTION_ARG_STRING, &timeout, "How long to wait (default a week)",
            "DURATION" },
          { "cascade", 0, 0, G_OPTION_ARG_STRING, &cascade,
            "What happens to dependents: background (default), foreground or orphan", "MODE" },
          { "ignore-not-found", 0, 0, G_OPTION_ARG_NONE, &o.ignore_not_found,
            "An object that does not exist is not an error", NULL },
          { "output", 'o', 0, G_OPTION_ARG_STRING, &output, "name: print only TYPE/NAME", "name" },
          { NULL } };
  g_autoptr (GOptionContext) context
      = g_option_context_new ("TYPE NAME... | TYPE/NAME... | TYPE -l SELECTOR | -f FILE");
  g_autoptr (KsKubectl) k = NULL;
  int status = KS_EXIT_OK;

  g_option_context_add_main_entries (context, entries, NULL);
  ks_cli_cluster_add_options (context, &cluster);
  g_option_context_set_summary (
      context, "Delete objects of a real-mode cluster as kubectl delete does, then wait until "
               "they are gone.");
  if (!ks_cli_parse (context, "delete", &argc, &argv))
    return KS_EXIT_USAGE;
  o.wait = TRUE;
  if (wait != NULL)
    {
      if (g_ascii_strcasecmp (wait, "true") == 0)
        o.wait = TRUE;
      else if (g_ascii_strcasecmp (wait, "false") == 0)
        o.wait = FALSE;
      else
        {
          g_printerr ("kubesim delete: --wait: \"%s\" is not true or false\n", wait);
          return KS_EXIT_USAGE;
        }
    }
  if (!ks_cli_parse_duration ("delete", "--timeout", timeout, &o.timeout))
    return KS_EXIT_USAGE;
  o.args = argv + 1;
  o.files = files;
  o.selector = selector;
  o.cascade = cascade;
  o.output = output;
  k = ks_cli_kubectl_new ("delete", &cluster, &status);
  if (k == NULL)
    return status;
  return ks_kubectl_delete (k, &o);
}
