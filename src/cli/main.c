/* main.c: the kubesim command: dispatch to a subcommand. */
#include "config.h"

#include <errno.h>

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "ks-cli.h"
#include "policies/ks-policy-modules.h"

static const KsCommand commands[] = {
  { "run", ks_cmd_run, "Simulate a scenario and write events, metrics and a summary" },
  { "replay", ks_cmd_replay, "Replay a cluster trace through the simulator (pods.csv too)" },
  { "check", ks_cmd_check, "Run scenarios and report their expectations (TAP, JUnit)" },
  { "compare", ks_cmd_compare, "Compare policies over seeds: runs, statistics, paired tests" },
  { "report", ks_cmd_report, "Write an HTML report with figures on compare's output" },
  { "schedule", ks_cmd_schedule, "Explain where the scheduler puts a pod, node by node" },
  { "bench", ks_cmd_bench, "Measure scheduling throughput, events/s and memory per pod" },
  { "cluster", ks_cmd_cluster, "Start, stop or show a real cluster on this machine (root)" },
  { "control-plane", ks_cmd_control_plane, "Run real mode's control plane in the foreground" },
  { "node", ks_cmd_node, "Run real mode's node agent for one node in the foreground" },
  { "image", ks_cmd_image, "Import and list the images real mode runs (root file systems)" },
  { "apply", ks_cmd_apply, "Create or update objects from manifests (kubectl apply)" },
  { "get", ks_cmd_get, "Show objects (kubectl get)" },
  { "describe", ks_cmd_describe, "Show objects in detail, with their events (kubectl describe)" },
  { "delete", ks_cmd_delete, "Delete objects and wait until they are gone (kubectl delete)" },
  { "scale", ks_cmd_scale, "Set a deployment's replicas (kubectl scale)" },
  { "autoscale", ks_cmd_autoscale, "Make a HorizontalPodAutoscaler (kubectl autoscale)" },
  { "rollout", ks_cmd_rollout, "Follow or undo a deployment's rollout (kubectl rollout)" },
  { "logs", ks_cmd_logs, "Print a container's log (kubectl logs)" },
  { "top", ks_cmd_top, "Show the cpu and memory pods or nodes use (kubectl top)" },
  { "trace", ks_cmd_trace, "Look at and make cluster traces: stats, convert, generate" },
  { "policies", ks_cmd_policies, "List the scheduler plugins: built in and loaded from modules" },
  { "version", ks_cmd_version, "Print the version" },
};

static void
usage (FILE *out)
{
  fprintf (out, "Usage: kubesim COMMAND [OPTIONS...]\n\n"
                "A Kubernetes-style cluster simulator.\n\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-14s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nRun \"kubesim COMMAND --help\" for a command's options.\n"
                "Exit status: 0 success, 1 a failed run or check, 2 bad usage or input.\n");
}

/* Run a command; its --help says "Usage: kubesim COMMAND ..." (GOption names the program after
 * argv[0], here the command's name). */
static int
run_command (const KsCommand *command, int argc, char **argv)
{
  g_autofree char *prgname = g_strconcat ("kubesim ", command->name, NULL);

  g_set_prgname (prgname);
  return command->handler (argc, argv);
}

gboolean
ks_cli_parse_seed (const char *command, const char *text, guint64 *out)
{
  char *end;

  errno = 0;
  *out = g_ascii_strtoull (text, &end, 10);
  if (*end != '\0' || !g_ascii_isdigit (text[0]) || errno == ERANGE)
    {
      g_printerr ("kubesim %s: --seed: invalid seed \"%s\": expected an integer from 0 to "
                  "%" G_GUINT64_FORMAT "\n",
                  command, text, G_MAXUINT64);
      return FALSE;
    }
  return TRUE;
}

gboolean
ks_cli_load_policies (const char *command, char **dirs)
{
  g_autoptr (GError) error = NULL;

  if (ks_policy_modules_load_path ((const char *const *) dirs, g_getenv (KS_POLICY_PATH_ENV),
                                   &error))
    return TRUE;
  g_printerr ("kubesim %s: %s\n", command, error->message);
  return FALSE;
}

gboolean
ks_cli_parse (GOptionContext *context, const char *command, int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("kubesim %s: %s\nTry \"kubesim %s --help\".\n", command, error->message, command);
      return FALSE;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  const char *name;

  setlocale (LC_ALL, "");
  if (argc < 2)
    {
      usage (stderr);
      return KS_EXIT_USAGE;
    }
  name = argv[1];
  if (strcmp (name, "--help") == 0 || strcmp (name, "-h") == 0 || strcmp (name, "help") == 0)
    {
      if (argc > 2 && strcmp (name, "help") == 0)
        {
          for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
            if (strcmp (commands[i].name, argv[2]) == 0)
              {
                char *args[] = { argv[2], (char *) "--help", NULL };
                return run_command (&commands[i], 2, args);
              }
          g_printerr ("kubesim: unknown command \"%s\"\n\n", argv[2]);
          usage (stderr);
          return KS_EXIT_USAGE;
        }
      usage (stdout);
      return KS_EXIT_OK;
    }
  if (strcmp (name, "--version") == 0)
    return ks_cmd_version (1, argv + 1);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (commands[i].name, name) == 0)
      return run_command (&commands[i], argc - 1, argv + 1);
  g_printerr ("kubesim: unknown command \"%s\"\n\n", name);
  usage (stderr);
  return KS_EXIT_USAGE;
}
