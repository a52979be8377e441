/* cmd-control-plane.c: kubesim control-plane: real mode's control plane in the foreground. */
#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>

#include "ks-cli.h"
#include "kubectl-cli.h"
#include "real/ks-control-plane.h"
#include "real/ks-kubeconfig.h"

static gboolean
on_signal (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

int
ks_cmd_control_plane (int argc, char **argv)
{
  g_auto (KsControlPlaneOptions) o = { 0 };
  gint port = KS_CONTROL_PLANE_DEFAULT_PORT;
  g_autofree char *data_dir = NULL;
  g_autofree char *config = NULL;
  g_autofree char *seed = NULL;
  g_autofree char *resolution = NULL;
  g_autofree char *hpa_sync = NULL;
  g_autofree char *autoscaler = NULL, *node_cgroup_parent = NULL;
  g_auto (GStrv) node_args = NULL;
  g_auto (GStrv) policy_path = NULL;
  GOptionEntry entries[] = {
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
      "Where the database lives (default $KUBESIM_DATA_DIR or " KS_DEFAULT_DATA_DIR ")", "DIR" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Serve the API on 127.0.0.1:PORT (default 6443)",
      "PORT" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed,
      "Seed the scheduler's tie-breaking as `kubesim run --seed` does (default: random)", "N" },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config,
      "The scheduler's KubeSchedulerConfiguration (default: Kubernetes' default profile)", "FILE" },
    { "metric-resolution", 0, 0, G_OPTION_ARG_STRING, &resolution,
      "How often the nodes' resource metrics are scraped, as metrics-server's flag (default 15s, "
      "at least 1s)",
      "DURATION" },
    { "horizontal-pod-autoscaler-sync-period", 0, 0, G_OPTION_ARG_STRING, &hpa_sync,
      "How often each HorizontalPodAutoscaler is reconciled (default 15s)", "DURATION" },
    { "autoscaler", 0, 0, G_OPTION_ARG_FILENAME, &autoscaler,
      "Run the cluster autoscaler on the node groups of FILE (nodeGroups and autoscaler, as in a "
      "scenario), starting and stopping their node agents",
      "FILE" },
    { "node-cgroup-parent", 0, 0, G_OPTION_ARG_STRING, &node_cgroup_parent,
      "The --cgroup-parent of the node agents the autoscaler starts (default kubesim)", "NAME" },
    { "node-arg", 0, 0, G_OPTION_ARG_STRING_ARRAY, &node_args,
      "An option for every node agent the autoscaler starts (repeatable)", "ARG" },
    KS_CLI_POLICY_PATH_OPTION (policy_path),
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (KsControlPlane) cp = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *url = NULL;

  ks_control_plane_options_init (&o);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, ks_controller_options_get_option_group (&o.controllers));
  g_option_context_set_summary (
      context, "Run real mode's control plane in the foreground: the store (kept in DIR/store.db), "
               "the scheduler, the controllers and the Kubernetes-shaped API on 127.0.0.1.  "
               "`kubesim cluster up` starts it in the background.");
  if (!ks_cli_parse (context, "control-plane", &argc, &argv))
    return KS_EXIT_USAGE;
  if (argc > 1)
    {
      g_printerr ("kubesim control-plane: unexpected argument \"%s\"\n", argv[1]);
      return KS_EXIT_USAGE;
    }
  if (port < 0 || port > 65535)
    {
      g_printerr ("kubesim control-plane: --port: %d is not a port (0 to 65535)\n", port);
      return KS_EXIT_USAGE;
    }
  o.port = (guint) port;
  if (seed != NULL)
    {
      if (!ks_cli_parse_seed ("control-plane", seed, &o.seed))
        return KS_EXIT_USAGE;
      o.has_seed = TRUE;
    }
  if (!ks_cli_parse_duration ("control-plane", "--metric-resolution", resolution,
                              &o.metric_resolution))
    return KS_EXIT_USAGE;
  if (resolution != NULL && o.metric_resolution < G_USEC_PER_SEC)
    {
      g_printerr ("kubesim control-plane: --metric-resolution: \"%s\" is too short: at least 1s "
                  "is valid (metrics-server's default is 15s)\n",
                  resolution);
      return KS_EXIT_USAGE;
    }
  if (!ks_cli_parse_duration ("control-plane", "--horizontal-pod-autoscaler-sync-period", hpa_sync,
                              &o.hpa.sync_period))
    return KS_EXIT_USAGE;
  if (hpa_sync != NULL && o.hpa.sync_period <= 0)
    {
      g_printerr ("kubesim control-plane: --horizontal-pod-autoscaler-sync-period: \"%s\" must "
                  "be above 0 (the default is 15s)\n",
                  hpa_sync);
      return KS_EXIT_USAGE;
    }
  o.data_dir = ks_data_dir_resolve (data_dir);
  o.scheduler_config = g_steal_pointer (&config);
  o.autoscaler = g_steal_pointer (&autoscaler);
  o.node_cgroup_parent = g_steal_pointer (&node_cgroup_parent);
  o.node_args = g_steal_pointer (&node_args);
  if (!ks_controller_options_validate (&o.controllers, &error))
    {
      g_printerr ("kubesim control-plane: %s\n", error->message);
      return KS_EXIT_USAGE;
    }
  /* Before the configuration is read: it may enable a loaded plugin. */
  if (!ks_cli_load_policies ("control-plane", policy_path))
    return KS_EXIT_USAGE;
  cp = ks_control_plane_new (&o, &error);
  if (cp == NULL)
    {
      g_printerr ("kubesim control-plane: %s\n", error->message);
      return g_error_matches (error, KS_INPUT_ERROR, KS_INPUT_ERROR_INVALID) ? KS_EXIT_USAGE
                                                                             : KS_EXIT_FAILED;
    }
  url = ks_control_plane_get_url (cp);
  g_print ("kubesim control plane: serving %s (data %s, %u objects loaded)\n", url, o.data_dir,
           ks_control_plane_get_n_loaded (cp));
  fflush (stdout);
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_main_loop_run (loop);
  g_print ("kubesim control plane: stopping\n");
  return KS_EXIT_OK;
}
