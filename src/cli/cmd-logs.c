/* cmd-logs.c: kubesim logs: a container's log, as kubectl logs. */
#include "config.h"

#include "ks-cli.h"
#include "kubectl-cli.h"

int
ks_cmd_logs (int argc, char **argv)
{
  g_auto (KsCliCluster) cluster = { 0 };
  g_autofree char *container = NULL;
  g_autofree char *since = NULL;
  g_autofree char *pod_running_timeout = NULL;
  KsLogsOptions o = { .tail = -1 };
  GOptionEntry entries[] = {
    { "container", 'c', 0, G_OPTION_ARG_STRING, &container,
      "The container (default: the pod's kubectl.kubernetes.io/default-container, else its "
      "first)",
      "NAME" },
    { "follow", 'f', 0, G_OPTION_ARG_NONE, &o.follow, "Keep printing as the log grows", NULL },
    { "previous", 'p', 0, G_OPTION_ARG_NONE, &o.previous,
      "The log of the container's previous instance", NULL },
    { "tail", 0, 0, G_OPTION_ARG_INT64, &o.tail, "Only the last LINES lines (default -1: all)",
      "LINES" },
    { "limit-bytes", 0, 0, G_OPTION_ARG_INT64, &o.limit_bytes, "At most BYTES bytes", "BYTES" },
    { "timestamps", 0, 0, G_OPTION_ARG_NONE, &o.timestamps, "Start lines with their time", NULL },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since, "Only lines newer than DURATION (e.g. 5m)",
      "DURATION" },
    { "pod-running-timeout", 0, 0, G_OPTION_ARG_STRING, &pod_running_timeout,
      "For TYPE/NAME: how long to wait for a pod (default 20s)", "DURATION" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("POD | TYPE/NAME [CONTAINER]");
  g_autoptr (KsKubectl) k = NULL;
  gint64 since_us = 0;
  int status = KS_EXIT_OK;

  g_option_context_add_main_entries (context, entries, NULL);
  ks_cli_cluster_add_options (context, &cluster);
  g_option_context_set_summary (context, "Print the log of a pod's container (or of a pod of a "
                                         "deployment or replica set, deploy/web), as kubectl logs "
                                         "does.");
  if (!ks_cli_parse (context, "logs", &argc, &argv))
    return KS_EXIT_USAGE;
  if (!ks_cli_parse_duration ("logs", "--since", since, &since_us)
      || !ks_cli_parse_duration ("logs", "--pod-running-timeout", pod_running_timeout,
                                 &o.pod_running_timeout))
    return KS_EXIT_USAGE;
  if (o.limit_bytes < 0)
    {
      g_printerr ("kubesim logs: --limit-bytes: must be greater than 0\n");
      return KS_EXIT_USAGE;
    }
  o.since_seconds = (since_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
  o.args = argv + 1;
  o.container = container;
  k = ks_cli_kubectl_new ("logs", &cluster, &status);
  if (k == NULL)
    return status;
  return ks_kubectl_logs (k, &o);
}
