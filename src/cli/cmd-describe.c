/* cmd-describe.c: kubesim describe: an object in detail, with its events, as kubectl describe. */
#include "config.h"

#include "ks-cli.h"
#include "kubectl-cli.h"

int
ks_cmd_describe (int argc, char **argv)
{
  g_auto (KsCliCluster) cluster = { 0 };
  g_autofree char *selector = NULL;
  gboolean no_events = FALSE;
  KsDescribeOptions o = { 0 };
  GOptionEntry entries[]
      = { { "selector", 'l', 0, G_OPTION_ARG_STRING, &selector, "Only objects with these labels",
            "SELECTOR" },
          { "all-namespaces", 'A', 0, G_OPTION_ARG_NONE, &o.all_namespaces,
            "Objects of every namespace", NULL },
          { "no-events", 0, 0, G_OPTION_ARG_NONE, &no_events,
            "Leave out the Events section (kubectl's --show-events=false)", NULL },
          { NULL } };
  g_autoptr (GOptionContext) context
      = g_option_context_new ("TYPE [NAME_PREFIX...] | TYPE/NAME...");
  g_autoptr (KsKubectl) k = NULL;
  int status = KS_EXIT_OK;

  g_option_context_add_main_entries (context, entries, NULL);
  ks_cli_cluster_add_options (context, &cluster);
  g_option_context_set_summary (
      context, "Describe objects of a real-mode cluster as kubectl describe does (pods, "
               "deployments, replica sets, nodes, services, ...), ending with their events.");
  if (!ks_cli_parse (context, "describe", &argc, &argv))
    return KS_EXIT_USAGE;
  o.args = argv + 1;
  o.selector = selector;
  o.show_events = !no_events;
  k = ks_cli_kubectl_new ("describe", &cluster, &status);
  if (k == NULL)
    return status;
  return ks_kubectl_describe (k, &o);
}
