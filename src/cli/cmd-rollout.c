/* cmd-rollout.c: kubesim rollout status|undo: follow a deployment's or stateful set's rollout, or
 * roll a deployment back, as kubectl rollout. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ks-cli.h"
#include "kubectl-cli.h"

static void
usage (FILE *out)
{
  fprintf (out, "Usage: kubesim rollout COMMAND [OPTIONS...] TYPE NAME | TYPE/NAME\n\n"
                "Manage the rollout of a deployment or stateful set, as kubectl rollout "
                "does.\n\nCommands:\n"
                "  status    Wait until the rollout is done, printing its progress\n"
                "  undo      Roll back to the previous (or a given) revision\n\n"
                "Run \"kubesim rollout COMMAND --help\" for a command's options.\n");
}

static int
rollout_status (int argc, char **argv)
{
  g_auto (KsCliCluster) cluster = { 0 };
  g_autofree char *timeout = NULL;
  g_autofree char *watch = NULL;
  KsRolloutStatusOptions o = { .watch = TRUE };
  GOptionEntry entries[]
      = { { "timeout", 0, 0, G_OPTION_ARG_STRING, &timeout,
            "Give up after this long (default 0: never)", "DURATION" },
          { "watch", 'w', 0, G_OPTION_ARG_STRING, &watch,
            "true (default): wait until the rollout is done; false: print the status once",
            "true|false" },
          { "revision", 0, 0, G_OPTION_ARG_INT64, &o.revision,
            "Fail unless the deployment's revision is REVISION (ignored for a stateful set)",
            "REVISION" },
          { NULL } };
  g_autoptr (GOptionContext) context = g_option_context_new ("TYPE NAME | TYPE/NAME");
  g_autoptr (KsKubectl) k = NULL;
  int status = KS_EXIT_OK;

  g_option_context_add_main_entries (context, entries, NULL);
  ks_cli_cluster_add_options (context, &cluster);
  g_option_context_set_summary (context, "Wait until a deployment's or stateful set's rollout "
                                         "is done, printing kubectl's progress messages.");
  g_set_prgname ("kubesim rollout status");
  if (!ks_cli_parse (context, "rollout status", &argc, &argv))
    return KS_EXIT_USAGE;
  if (watch != NULL)
    {
      if (g_ascii_strcasecmp (watch, "true") == 0)
        o.watch = TRUE;
      else if (g_ascii_strcasecmp (watch, "false") == 0)
        o.watch = FALSE;
      else
        {
          g_printerr ("kubesim rollout status: --watch: \"%s\" is not true or false\n", watch);
          return KS_EXIT_USAGE;
        }
    }
  if (!ks_cli_parse_duration ("rollout status", "--timeout", timeout, &o.timeout))
    return KS_EXIT_USAGE;
  o.args = argv + 1;
  k = ks_cli_kubectl_new ("rollout status", &cluster, &status);
  if (k == NULL)
    return status;
  return ks_kubectl_rollout_status (k, &o);
}

static int
rollout_undo (int argc, char **argv)
{
  g_auto (KsCliCluster) cluster = { 0 };
  KsRolloutUndoOptions o = { 0 };
  GOptionEntry entries[]
      = { { "to-revision", 0, 0, G_OPTION_ARG_INT64, &o.to_revision,
            "The revision to roll back to (default 0: the previous one)", "REVISION" },
          { NULL } };
  g_autoptr (GOptionContext) context = g_option_context_new ("TYPE NAME | TYPE/NAME");
  g_autoptr (KsKubectl) k = NULL;
  int status = KS_EXIT_OK;

  g_option_context_add_main_entries (context, entries, NULL);
  ks_cli_cluster_add_options (context, &cluster);
  g_option_context_set_summary (context, "Put back a deployment's pod template of an earlier "
                                         "revision (the previous one by default).");
  g_set_prgname ("kubesim rollout undo");
  if (!ks_cli_parse (context, "rollout undo", &argc, &argv))
    return KS_EXIT_USAGE;
  if (o.to_revision < 0)
    {
      g_printerr ("kubesim rollout undo: --to-revision: %" G_GINT64_FORMAT
                  " is not a revision (0 or more)\n",
                  o.to_revision);
      return KS_EXIT_USAGE;
    }
  o.args = argv + 1;
  k = ks_cli_kubectl_new ("rollout undo", &cluster, &status);
  if (k == NULL)
    return status;
  return ks_kubectl_rollout_undo (k, &o);
}

int
ks_cmd_rollout (int argc, char **argv)
{
  if (argc < 2)
    {
      usage (stderr);
      return KS_EXIT_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      usage (stdout);
      return KS_EXIT_OK;
    }
  if (strcmp (argv[1], "status") == 0)
    return rollout_status (argc - 1, argv + 1);
  if (strcmp (argv[1], "undo") == 0)
    return rollout_undo (argc - 1, argv + 1);
  g_printerr ("kubesim rollout: unknown command \"%s\"\n\n", argv[1]);
  usage (stderr);
  return KS_EXIT_USAGE;
}
