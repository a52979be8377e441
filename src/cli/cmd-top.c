/* cmd-top.c: kubesim top pod|node: resource usage from the metrics API, as kubectl top. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ks-cli.h"
#include "kubectl-cli.h"

static void
usage (FILE *out)
{
  fprintf (out, "Usage: kubesim top COMMAND [OPTIONS...]\n\n"
                "Show the cpu and memory usage of pods or nodes, from the metrics API, as kubectl "
                "top does.\n\nCommands:\n"
                "  pod (pods, po)     The usage of pods (or of their containers)\n"
                "  node (nodes, no)   The usage of nodes, with their share of the allocatable\n\n"
                "Run \"kubesim top COMMAND --help\" for a command's options.\n");
}

/* Parse the options of command ("top pod", "top node": entries and the cluster's), take at most
 * one NAME into *name and connect.  NULL with the exit status in *status. */
static KsKubectl *
top_parse (const char *command, const GOptionEntry *entries, const char *summary,
           KsCliCluster *cluster, int argc, char **argv, const char **name, int *status)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("[NAME]");
  g_autofree char *prgname = g_strconcat ("kubesim ", command, NULL);

  g_option_context_add_main_entries (context, entries, NULL);
  ks_cli_cluster_add_options (context, cluster);
  g_option_context_set_summary (context, summary);
  g_set_prgname (prgname);
  *status = KS_EXIT_USAGE;
  if (!ks_cli_parse (context, command, &argc, &argv))
    return NULL;
  if (argc > 2)
    {
      g_printerr ("kubesim %s: one NAME at most (got \"%s\" and \"%s\")\n", command, argv[1],
                  argv[2]);
      return NULL;
    }
  *name = argc == 2 ? argv[1] : NULL;
  *status = KS_EXIT_OK;
  return ks_cli_kubectl_new (command, cluster, status);
}

static int
top_pod (int argc, char **argv)
{
  g_auto (KsCliCluster) cluster = { 0 };
  g_autofree char *selector = NULL;
  g_autofree char *field_selector = NULL;
  g_autofree char *sort_by = NULL;
  KsTopPodOptions o = { 0 };
  GOptionEntry entries[]
      = { { "all-namespaces", 'A', 0, G_OPTION_ARG_NONE, &o.all_namespaces,
            "The pods of every namespace", NULL },
          { "selector", 'l', 0, G_OPTION_ARG_STRING, &selector,
            "Only the pods with these labels (e.g. app=web,tier!=db)", "SELECTOR" },
          { "field-selector", 0, 0, G_OPTION_ARG_STRING, &field_selector,
            "Only the pods with these fields (e.g. spec.nodeName=node-0)", "SELECTOR" },
          { "containers", 0, 0, G_OPTION_ARG_NONE, &o.containers, "A line per container", NULL },
          { "no-headers", 0, 0, G_OPTION_ARG_NONE, &o.no_headers, "Leave out the header line",
            NULL },
          { "sort-by", 0, 0, G_OPTION_ARG_STRING, &sort_by, "Sort by cpu or memory, largest first",
            "cpu|memory" },
          { "sum", 0, 0, G_OPTION_ARG_NONE, &o.sum, "End with the total usage", NULL },
          { NULL } };
  g_autoptr (KsKubectl) k = NULL;
  int status;

  k = top_parse ("top pod", entries,
                 "Show the cpu (millicores) and memory (MiB) the pods use, as the metrics API "
                 "reports it: averaged over the last window of the control plane's metrics server "
                 "(about 15 s).",
                 &cluster, argc, argv, &o.name, &status);
  if (k == NULL)
    return status;
  o.selector = selector;
  o.field_selector = field_selector;
  o.sort_by = sort_by;
  return ks_kubectl_top_pods (k, &o);
}

static int
top_node (int argc, char **argv)
{
  g_auto (KsCliCluster) cluster = { 0 };
  g_autofree char *selector = NULL;
  g_autofree char *sort_by = NULL;
  KsTopNodeOptions o = { 0 };
  GOptionEntry entries[] = { { "selector", 'l', 0, G_OPTION_ARG_STRING, &selector,
                               "Only the nodes with these labels", "SELECTOR" },
                             { "no-headers", 0, 0, G_OPTION_ARG_NONE, &o.no_headers,
                               "Leave out the header line", NULL },
                             { "show-capacity", 0, 0, G_OPTION_ARG_NONE, &o.show_capacity,
                               "Percentages of the capacity rather than of the allocatable", NULL },
                             { "sort-by", 0, 0, G_OPTION_ARG_STRING, &sort_by,
                               "Sort by cpu or memory, largest first", "cpu|memory" },
                             { NULL } };
  g_autoptr (KsKubectl) k = NULL;
  int status;

  k = top_parse ("top node", entries,
                 "Show the cpu (millicores) and memory (MiB) the nodes use, and their share of "
                 "each node's allocatable, as the metrics API reports it.",
                 &cluster, argc, argv, &o.name, &status);
  if (k == NULL)
    return status;
  o.selector = selector;
  o.sort_by = sort_by;
  return ks_kubectl_top_nodes (k, &o);
}

int
ks_cmd_top (int argc, char **argv)
{
  const char *what = argc >= 2 ? argv[1] : NULL;

  if (what == NULL)
    {
      usage (stderr);
      return KS_EXIT_USAGE;
    }
  if (strcmp (what, "--help") == 0 || strcmp (what, "-h") == 0)
    {
      usage (stdout);
      return KS_EXIT_OK;
    }
  if (strcmp (what, "pod") == 0 || strcmp (what, "pods") == 0 || strcmp (what, "po") == 0)
    return top_pod (argc - 1, argv + 1);
  if (strcmp (what, "node") == 0 || strcmp (what, "nodes") == 0 || strcmp (what, "no") == 0)
    return top_node (argc - 1, argv + 1);
  g_printerr ("kubesim top: unknown command \"%s\" (pod or node)\n\n", what);
  usage (stderr);
  return KS_EXIT_USAGE;
}
