/* cmd-scale.c: kubesim scale: set the replicas of a deployment, replica set or stateful set (its
 * scale subresource), as kubectl scale. */
#include "config.h"

#include "ks-cli.h"
#include "kubectl-cli.h"

int
ks_cmd_scale (int argc, char **argv)
{
  g_auto (KsCliCluster) cluster = { 0 };
  g_autofree char *resource_version = NULL;
  g_autofree char *timeout = NULL;
  KsScaleOptions o = { .replicas = -1, .current_replicas = -1 };
  GOptionEntry entries[]
      = { { "replicas", 0, 0, G_OPTION_ARG_INT, &o.replicas,
            "The new number of replicas (required)", "COUNT" },
          { "current-replicas", 0, 0, G_OPTION_ARG_INT, &o.current_replicas,
            "Only if the replicas are now COUNT", "COUNT" },
          { "resource-version", 0, 0, G_OPTION_ARG_STRING, &resource_version,
            "Only if the resourceVersion is VERSION", "VERSION" },
          { "timeout", 0, 0, G_OPTION_ARG_STRING, &timeout,
            "Wait this long for the replicas to be there (default: do not wait)", "DURATION" },
          { NULL } };
  g_autoptr (GOptionContext) context = g_option_context_new ("TYPE NAME | TYPE/NAME");
  g_autoptr (KsKubectl) k = NULL;
  int status = KS_EXIT_OK;

  g_option_context_add_main_entries (context, entries, NULL);
  ks_cli_cluster_add_options (context, &cluster);
  g_option_context_set_summary (context, "Set the number of replicas of a deployment, replica "
                                         "set or stateful set, as kubectl scale does.");
  if (!ks_cli_parse (context, "scale", &argc, &argv))
    return KS_EXIT_USAGE;
  if (!ks_cli_parse_duration ("scale", "--timeout", timeout, &o.timeout))
    return KS_EXIT_USAGE;
  o.args = argv + 1;
  o.resource_version = resource_version;
  k = ks_cli_kubectl_new ("scale", &cluster, &status);
  if (k == NULL)
    return status;
  return ks_kubectl_scale (k, &o);
}
