/* cmd-get.c: kubesim get: list and show objects as kubectl get does. */
#include "config.h"

#include "ks-cli.h"
#include "kubectl-cli.h"

int
ks_cmd_get (int argc, char **argv)
{
  g_auto (KsCliCluster) cluster = { 0 };
  g_autofree char *output = NULL;
  g_autofree char *selector = NULL;
  KsGetOptions o = { 0 };
  GOptionEntry entries[]
      = { { "output", 'o', 0, G_OPTION_ARG_STRING, &output,
            "Output format: wide, json, yaml or name (default: a table)", "FORMAT" },
          { "selector", 'l', 0, G_OPTION_ARG_STRING, &selector,
            "Only objects with these labels (a=b, a!=b, a in (x,y), ...)", "SELECTOR" },
          { "all-namespaces", 'A', 0, G_OPTION_ARG_NONE, &o.all_namespaces,
            "Objects of every namespace", NULL },
          { "show-labels", 0, 0, G_OPTION_ARG_NONE, &o.show_labels, "Add a LABELS column", NULL },
          { "no-headers", 0, 0, G_OPTION_ARG_NONE, &o.no_headers, "Leave out the table's header",
            NULL },
          { "watch", 'w', 0, G_OPTION_ARG_NONE, &o.watch,
            "After the list, print the changes as they come (until interrupted)", NULL },
          { NULL } };
  g_autoptr (GOptionContext) context
      = g_option_context_new ("TYPE[,TYPE...] [NAME...] | TYPE/NAME...");
  g_autoptr (KsKubectl) k = NULL;
  int status = KS_EXIT_OK;

  g_option_context_add_main_entries (context, entries, NULL);
  ks_cli_cluster_add_options (context, &cluster);
  g_option_context_set_summary (
      context, "Show objects of a real-mode cluster as kubectl get does: pods (po), deployments "
               "(deploy), replicasets (rs), services (svc), endpoints (ep), nodes (no), "
               "namespaces (ns), events (ev), leases, priorityclasses (pc), or all.");
  if (!ks_cli_parse (context, "get", &argc, &argv))
    return KS_EXIT_USAGE;
  o.args = argv + 1;
  o.output = output;
  o.selector = selector;
  k = ks_cli_kubectl_new ("get", &cluster, &status);
  if (k == NULL)
    return status;
  return ks_kubectl_get (k, &o);
}
