/* cmd-cluster.c: kubesim cluster up|down|status: a real-mode cluster on this machine. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ks-cli.h"
#include "real/ks-cluster.h"
#include "real/ks-kubeconfig.h"
#include "src/api/ks-diag.h"
#include "src/api/ks-duration.h"
#include "src/api/ks-quantity.h"
#include "src/api/ks-yaml.h"

static void
print_line (const char *line, gpointer data)
{
  g_print ("%s\n", line);
  fflush (stdout);
}

static void
usage (FILE *out)
{
  fprintf (out, "Usage: kubesim cluster COMMAND [OPTIONS...]\n\n"
                "A real-mode cluster on this machine: a control plane and node agents that run\n"
                "pods as runc containers.  Needs root.\n\n"
                "Commands:\n"
                "  up       Start a cluster; returns when every node is Ready\n"
                "  down     Stop it and remove every container, cgroup and pod network\n"
                "  status   Show whether it is up\n\n"
                "Run \"kubesim cluster COMMAND --help\" for a command's options.\n");
}

/* A quantity flag: a valid Kubernetes quantity above zero (cpu in cores, memory in bytes). */
static gboolean
check_quantity (const char *flag, const char *text, gboolean milli)
{
  g_autoptr (GError) error = NULL;
  gint64 v = 0;
  gboolean ok = milli ? ks_quantity_parse_milli (text, &v, &error)
                      : ks_quantity_parse_value (text, &v, &error);

  if (!ok || v <= 0)
    {
      g_printerr ("kubesim cluster up: %s: \"%s\" %s\n", flag, text,
                  ok ? "must be above zero" : error->message);
      return FALSE;
    }
  return TRUE;
}

/* An option given on the command line replaces the default. */
static void
take_string (char **setting, char **option)
{
  if (*option == NULL)
    return;
  g_free (*setting);
  *setting = g_steal_pointer (option);
}

static int
cmd_up (int argc, char **argv)
{
  g_auto (KsClusterOptions) o = { 0 };
  gint nodes = 1, port = 6443;
  char *data_dir = NULL, *cpu = NULL, *memory = NULL, *pods = NULL, *config = NULL;
  char *parent = NULL, *timeout = NULL, *autoscaler = NULL;
  char **cp_args = NULL;
  char **node_args = NULL;
  GOptionEntry entries[] = {
    { "nodes", 0, 0, G_OPTION_ARG_INT, &nodes, "How many nodes (default 1)", "N" },
    { "node-cpu", 0, 0, G_OPTION_ARG_STRING, &cpu, "Each node's cpu (default 1)", "QUANTITY" },
    { "node-memory", 0, 0, G_OPTION_ARG_STRING, &memory, "Each node's memory (default 1Gi)",
      "QUANTITY" },
    { "node-pods", 0, 0, G_OPTION_ARG_STRING, &pods, "Each node's pod limit (default 110)", "N" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
      "Where everything lives (default $KUBESIM_DATA_DIR or " KS_DEFAULT_DATA_DIR ")", "DIR" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "The API's port on 127.0.0.1 (default 6443)", "PORT" },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config, "The scheduler's KubeSchedulerConfiguration",
      "FILE" },
    { "cgroup-parent", 0, 0, G_OPTION_ARG_STRING, &parent,
      "The cgroup holding the nodes' cgroups (default kubesim)", "NAME" },
    { "timeout", 0, 0, G_OPTION_ARG_STRING, &timeout,
      "How long to wait for the cluster to be ready (default 60s)", "DURATION" },
    { "control-plane-arg", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cp_args,
      "An option for the control plane, e.g. --control-plane-arg=--node-monitor-grace-period=20s "
      "(repeatable)",
      "ARG" },
    { "node-arg", 0, 0, G_OPTION_ARG_STRING_ARRAY, &node_args,
      "An option for every node agent, e.g. --node-arg=--node-status-update-frequency=2s "
      "(repeatable)",
      "ARG" },
    { "autoscaler", 0, 0, G_OPTION_ARG_FILENAME, &autoscaler,
      "Node groups and the cluster autoscaler (nodeGroups and autoscaler, as in a scenario): "
      "the control plane starts and stops the groups' node agents",
      "FILE" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;

  ks_cluster_options_init (&o);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (
      context, "Start a real-mode cluster: a control plane and NODES node agents (node-0, "
               "node-1, ...) in the background, with a kubeconfig in DIR/kubeconfig.  Leftovers "
               "of a crashed cluster are removed first.");
  if (!ks_cli_parse (context, "cluster up", &argc, &argv))
    return KS_EXIT_USAGE;
  o.data_dir = ks_data_dir_resolve (data_dir);
  g_free (data_dir);
  o.control_plane_args = cp_args;
  o.node_args = node_args;
  if (argc > 1)
    {
      g_printerr ("kubesim cluster up: unexpected argument \"%s\"\n", argv[1]);
      goto usage_error;
    }
  if (nodes < 0 || nodes > 100)
    {
      g_printerr ("kubesim cluster up: --nodes: %d is not 0 to 100\n", nodes);
      goto usage_error;
    }
  if (port < 1 || port > 65535)
    {
      g_printerr ("kubesim cluster up: --port: %d is not a port (1 to 65535)\n", port);
      goto usage_error;
    }
  o.n_nodes = (guint) nodes;
  o.port = (guint) port;
  take_string (&o.node_cpu, &cpu);
  take_string (&o.node_memory, &memory);
  take_string (&o.node_pods, &pods);
  take_string (&o.cgroup_parent, &parent);
  o.scheduler_config = config;
  if (!check_quantity ("--node-cpu", o.node_cpu, TRUE)
      || !check_quantity ("--node-memory", o.node_memory, FALSE)
      || !check_quantity ("--node-pods", o.node_pods, FALSE))
    goto usage_error;
  if (o.cgroup_parent[0] == '\0' || strchr (o.cgroup_parent, '/') != NULL)
    {
      g_printerr ("kubesim cluster up: --cgroup-parent: \"%s\" must be one non-empty name "
                  "without /\n",
                  o.cgroup_parent);
      goto usage_error;
    }
  if (timeout != NULL && (!ks_duration_parse (timeout, &o.timeout, &error) || o.timeout <= 0))
    {
      g_printerr ("kubesim cluster up: --timeout: %s\n",
                  error != NULL ? error->message : "must be above zero");
      goto usage_error;
    }
  g_free (timeout);
  if (autoscaler != NULL)
    {
      o.autoscaler = g_canonicalize_filename (autoscaler, NULL);
      g_free (autoscaler);
    }
  if (!ks_cluster_up (&o, print_line, NULL, &error))
    {
      g_printerr ("kubesim cluster up: %s\n", error->message);
      /* A bad autoscaler file is bad input. */
      return error->domain == KS_INPUT_ERROR || error->domain == KS_YAML_ERROR ? KS_EXIT_USAGE
                                                                               : KS_EXIT_FAILED;
    }
  return KS_EXIT_OK;

usage_error:
  g_free (autoscaler);
  g_free (cpu);
  g_free (memory);
  g_free (pods);
  g_free (parent);
  g_free (timeout);
  return KS_EXIT_USAGE;
}

static int
cmd_down (int argc, char **argv)
{
  char *data_dir_opt = NULL;
  gboolean purge = FALSE;
  GOptionEntry entries[]
      = { { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir_opt,
            "The cluster's data directory (default $KUBESIM_DATA_DIR or " KS_DEFAULT_DATA_DIR ")",
            "DIR" },
          { "purge", 0, 0, G_OPTION_ARG_NONE, &purge,
            "Also remove the data directory: the database, images and logs", NULL },
          { NULL } };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *data_dir = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (
      context, "Stop the cluster's node agents and control plane, then remove every container, "
               "cgroup, pod network namespace and the bridge; check that nothing is left.  Also "
               "cleans up after a crashed cluster.");
  if (!ks_cli_parse (context, "cluster down", &argc, &argv))
    return KS_EXIT_USAGE;
  data_dir = ks_data_dir_resolve (data_dir_opt);
  g_free (data_dir_opt);
  if (argc > 1)
    {
      g_printerr ("kubesim cluster down: unexpected argument \"%s\"\n", argv[1]);
      return KS_EXIT_USAGE;
    }
  if (!ks_cluster_down (data_dir, purge, print_line, NULL, &error))
    {
      g_printerr ("kubesim cluster down: %s\n", error->message);
      return KS_EXIT_FAILED;
    }
  return KS_EXIT_OK;
}

static int
cmd_status (int argc, char **argv)
{
  char *data_dir_opt = NULL;
  GOptionEntry entries[]
      = { { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir_opt,
            "The cluster's data directory (default $KUBESIM_DATA_DIR or " KS_DEFAULT_DATA_DIR ")",
            "DIR" },
          { NULL } };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autofree char *data_dir = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context, "Show the cluster's processes and nodes; exit 0 when "
                                         "it is up and every node is Ready, else 1.");
  if (!ks_cli_parse (context, "cluster status", &argc, &argv))
    return KS_EXIT_USAGE;
  data_dir = ks_data_dir_resolve (data_dir_opt);
  g_free (data_dir_opt);
  if (argc > 1)
    {
      g_printerr ("kubesim cluster status: unexpected argument \"%s\"\n", argv[1]);
      return KS_EXIT_USAGE;
    }
  return ks_cluster_status (data_dir, print_line, NULL) ? KS_EXIT_OK : KS_EXIT_FAILED;
}

int
ks_cmd_cluster (int argc, char **argv)
{
  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? KS_EXIT_USAGE : KS_EXIT_OK;
    }
  if (strcmp (argv[1], "up") == 0)
    return cmd_up (argc - 1, argv + 1);
  if (strcmp (argv[1], "down") == 0)
    return cmd_down (argc - 1, argv + 1);
  if (strcmp (argv[1], "status") == 0)
    return cmd_status (argc - 1, argv + 1);
  g_printerr ("kubesim cluster: unknown command \"%s\"\n\n", argv[1]);
  usage (stderr);
  return KS_EXIT_USAGE;
}
