/* cmd-node.c: kubesim node: real mode's node agent in the foreground (or --cleanup). */
#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>

#include "ks-cli.h"
#include "real/ks-kubeconfig.h"
#include "real/ks-node-agent.h"
#include "src/api/ks-duration.h"
#include "src/api/ks-node.h"
#include "src/api/ks-quantity.h"

static gboolean
on_signal (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static int usage_error (const char *format, ...) G_GNUC_PRINTF (1, 2);

static int
usage_error (const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("kubesim node: %s\nTry \"kubesim node --help\".\n", message);
  return KS_EXIT_USAGE;
}

int
ks_cmd_node (int argc, char **argv)
{
  g_auto (KsNodeAgentOptions) o = { 0 };
  g_autofree char *server = NULL, *name = NULL, *cpu = NULL, *memory = NULL, *data_dir = NULL;
  g_autofree char *cgroup_parent = NULL, *frequency = NULL, *labels = NULL, *taints = NULL;
  gint pods = KS_DEFAULT_MAX_PODS, port = 0;
  gboolean cleanup = FALSE;
  GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &server, "The API server (e.g. http://127.0.0.1:6443)",
      "URL" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "The node's name", "NAME" },
    { "cpu", 0, 0, G_OPTION_ARG_STRING, &cpu, "The node's cpu capacity (e.g. 2, 500m)", "CPU" },
    { "memory", 0, 0, G_OPTION_ARG_STRING, &memory, "The node's memory capacity (e.g. 4Gi)",
      "BYTES" },
    { "pods", 0, 0, G_OPTION_ARG_INT, &pods, "The most pods the node runs (default 110)", "N" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
      "Where images, containers and logs live (default $KUBESIM_DATA_DIR or " KS_DEFAULT_DATA_DIR
      ")",
      "DIR" },
    { "cgroup-parent", 0, 0, G_OPTION_ARG_STRING, &cgroup_parent,
      "The cgroup under which the node's cgroup is made (default kubesim)", "NAME" },
    { "node-status-update-frequency", 0, 0, G_OPTION_ARG_STRING, &frequency,
      "How often the node posts its status, its heartbeat (default 10s)", "DURATION" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port,
      "Serve container logs on 127.0.0.1:PORT (default 0: a free port)", "PORT" },
    { "node-labels", 0, 0, G_OPTION_ARG_STRING, &labels,
      "Labels the node registers with, as the kubelet's (e.g. disk=ssd,zone=a)", "LABELS" },
    { "register-with-taints", 0, 0, G_OPTION_ARG_STRING, &taints,
      "Taints the node registers with, as the kubelet's (e.g. dedicated=gpu:NoSchedule)",
      "TAINTS" },
    { "cleanup", 0, 0, G_OPTION_ARG_NONE, &cleanup,
      "Remove every container, cgroup and pod network the agents of DIR left, and exit", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (KsNodeAgent) agent = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (
      context, "Run real mode's node agent for one node in the foreground: the kubelet with runc "
               "containers, pod networking, the Service proxy, heartbeats and container logs.  "
               "`kubesim cluster up` starts one per node in the background.  Needs root.");
  if (!ks_cli_parse (context, "node", &argc, &argv))
    return KS_EXIT_USAGE;
  if (argc > 1)
    return usage_error ("unexpected argument \"%s\"", argv[1]);

  ks_node_agent_options_init (&o);
  o.data_dir = ks_data_dir_resolve (data_dir);
  o.cgroup_parent = g_steal_pointer (&cgroup_parent);
  if (cleanup)
    {
      if (server != NULL || name != NULL || cpu != NULL || memory != NULL || frequency != NULL)
        return usage_error ("--cleanup takes only --data-dir and --cgroup-parent");
      if (!ks_node_agent_cleanup (o.data_dir, o.cgroup_parent, NULL, &error))
        {
          g_printerr ("kubesim node: --cleanup: %s\n", error->message);
          return KS_EXIT_FAILED;
        }
      g_print ("kubesim node: removed the containers, cgroups and pod networks of %s\n",
               o.data_dir);
      return KS_EXIT_OK;
    }

  o.server = g_steal_pointer (&server);
  o.node_name = g_steal_pointer (&name);
  if (cpu != NULL && !ks_quantity_parse_milli (cpu, &o.milli_cpu, &error))
    return usage_error ("--cpu: %s", error->message);
  if (cpu != NULL && o.milli_cpu <= 0)
    return usage_error ("--cpu: \"%s\" is not valid: a cpu capacity above 0 is expected (e.g. 2 "
                        "or 500m)",
                        cpu);
  if (memory != NULL && !ks_quantity_parse_value (memory, &o.memory, &error))
    return usage_error ("--memory: %s", error->message);
  if (memory != NULL && o.memory <= 0)
    return usage_error ("--memory: \"%s\" is not valid: a memory capacity above 0 is expected "
                        "(e.g. 4Gi)",
                        memory);
  o.max_pods = pods;
  if (labels != NULL && !ks_node_agent_parse_labels (labels, &o.labels, &error))
    return usage_error ("%s", error->message);
  if (taints != NULL && !ks_node_agent_parse_taints (taints, &o.taints, &o.n_taints, &error))
    return usage_error ("%s", error->message);
  if (frequency != NULL && !ks_duration_parse (frequency, &o.status_update_frequency, &error))
    return usage_error ("--node-status-update-frequency: %s", error->message);
  if (port < 0 || port > 65535)
    return usage_error ("--port: %d is not a port (0 to 65535)", port);
  o.port = (guint) port;
  if (!ks_node_agent_options_validate (&o, &error))
    return usage_error ("%s", error->message);

  agent = ks_node_agent_new (&o, &error);
  if (agent == NULL)
    {
      g_printerr ("kubesim node: %s\n", error->message);
      return g_error_matches (error, KS_NODE_AGENT_ERROR, KS_NODE_AGENT_ERROR_INVALID)
                 ? KS_EXIT_USAGE
                 : KS_EXIT_FAILED;
    }
  g_print ("kubesim node %s: serving container logs on 127.0.0.1:%u (API %s, data %s)\n",
           o.node_name, ks_node_agent_get_port (agent), o.server, o.data_dir);
  fflush (stdout);
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_main_loop_run (loop);
  g_print ("kubesim node %s: stopping (containers keep running)\n", o.node_name);
  if (!ks_node_agent_quiesce (agent, 5 * G_USEC_PER_SEC))
    g_printerr ("kubesim node %s: runc commands still running after 5 s; not waiting longer\n",
                o.node_name);
  return KS_EXIT_OK;
}
