/* cmd-autoscale.c: kubesim autoscale: a HorizontalPodAutoscaler for a deployment, replica set or
 * stateful set, as kubectl autoscale. */
#include "config.h"

#include "ks-cli.h"
#include "kubectl-cli.h"

int
ks_cmd_autoscale (int argc, char **argv)
{
  g_auto (KsCliCluster) cluster = { 0 };
  g_autofree char *name = NULL;
  KsAutoscaleOptions o = { .min = -1, .max = -1, .cpu_percent = -1 };
  GOptionEntry entries[]
      = { { "min", 0, 0, G_OPTION_ARG_INT, &o.min,
            "The lower limit for the number of pods (default: the server's, 1)", "MINPODS" },
          { "max", 0, 0, G_OPTION_ARG_INT, &o.max,
            "The upper limit for the number of pods "
            "(required)",
            "MAXPODS" },
          { "cpu-percent", 0, 0, G_OPTION_ARG_INT, &o.cpu_percent,
            "The target average CPU utilization over all the pods, in percent of the request "
            "(default: the server's, 80)",
            "CPU" },
          { "name", 0, 0, G_OPTION_ARG_STRING, &name,
            "The HorizontalPodAutoscaler's name (default: the resource's)", "NAME" },
          { NULL } };
  g_autoptr (GOptionContext) context = g_option_context_new ("TYPE NAME | TYPE/NAME");
  g_autoptr (KsKubectl) k = NULL;
  int status = KS_EXIT_OK;

  g_option_context_add_main_entries (context, entries, NULL);
  ks_cli_cluster_add_options (context, &cluster);
  g_option_context_set_summary (context, "Make a HorizontalPodAutoscaler for a deployment, replica "
                                         "set or stateful set, as kubectl autoscale does.");
  if (!ks_cli_parse (context, "autoscale", &argc, &argv))
    return KS_EXIT_USAGE;
  o.args = argv + 1;
  o.name = name;
  k = ks_cli_kubectl_new ("autoscale", &cluster, &status);
  if (k == NULL)
    return status;
  return ks_kubectl_autoscale (k, &o);
}
