/* cmd-schedule.c: kubesim schedule STATE POD: where the scheduler puts a pod, and why. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ks-cli.h"
#include "src/scheduler/ks-explain.h"

int
ks_cmd_schedule (int argc, char **argv)
{
  g_autofree char *config_path = NULL;
  g_autofree char *output = NULL;
  g_autofree char *seed_text = NULL;
  g_auto (GStrv) policy_path = NULL;
  GOptionEntry entries[] = {
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path,
      "A KubeSchedulerConfiguration (default: the default profile)", "FILE" },
    { "output", 'o', 0, G_OPTION_ARG_STRING, &output, "Output format: table (default) or json",
      "FORMAT" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text,
      "Random seed for ties (default 1, as kubesim run)", "N" },
    KS_CLI_POLICY_PATH_OPTION (policy_path),
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("STATE POD");
  g_autoptr (KsSchedulerConfig) config = NULL;
  g_autoptr (KsDiag) diag = ks_diag_new ();
  g_autoptr (KsSource) state = NULL;
  g_autoptr (KsSource) pod = NULL;
  g_autoptr (KsExplanation) explanation = NULL;
  g_autoptr (GError) error = NULL;
  GString *out;
  gboolean json;
  guint64 seed = 1;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (
      context, "Run one scheduling cycle for the pending pod in POD (one Pod document) on the\n"
               "cluster in STATE (Nodes, Pods bound to them with spec.nodeName, and the\n"
               "PriorityClasses, Services and ReplicaSets plugins read), and print the node\n"
               "the scheduler picks and why: every node's filter result and every feasible\n"
               "node's scores per plugin.");
  if (!ks_cli_parse (context, "schedule", &argc, &argv))
    return KS_EXIT_USAGE;
  if (argc != 3)
    {
      g_printerr ("kubesim schedule: %s\nTry \"kubesim schedule --help\".\n",
                  argc < 2   ? "missing STATE and POD"
                  : argc < 3 ? "missing POD"
                             : "too many arguments");
      return KS_EXIT_USAGE;
    }
  if (output != NULL && strcmp (output, "json") != 0 && strcmp (output, "table") != 0)
    {
      g_printerr ("kubesim schedule: --output: unknown format \"%s\": expected json or table\n",
                  output);
      return KS_EXIT_USAGE;
    }
  json = output != NULL && strcmp (output, "json") == 0;
  if (seed_text != NULL && !ks_cli_parse_seed ("schedule", seed_text, &seed))
    return KS_EXIT_USAGE;
  /* Before the configuration: a profile may enable a loaded plugin. */
  if (!ks_cli_load_policies ("schedule", policy_path))
    return KS_EXIT_USAGE;
  if (config_path != NULL)
    config = ks_scheduler_config_load_file (config_path, &error);
  else
    config = ks_scheduler_config_new_default ();
  if (config == NULL)
    {
      g_printerr ("%s\nkubesim schedule: %s: the configuration is not valid\n", error->message,
                  config_path);
      return KS_EXIT_USAGE;
    }

  /* Both files are read, so that one run reports what is wrong with either. */
  g_clear_error (&error);
  state = ks_source_new_from_file (argv[1], &error);
  if (state == NULL)
    {
      ks_diag_add_literal (diag, error->message);
      g_clear_error (&error);
    }
  pod = ks_source_new_from_file (argv[2], &error);
  if (pod == NULL)
    ks_diag_add_literal (diag, error->message);
  if (state != NULL && pod != NULL)
    explanation = ks_explain (state, pod, config, seed, diag);
  if (explanation == NULL)
    {
      ks_diag_print (diag, stderr);
      g_printerr ("kubesim schedule: %u problem%s; nothing was scheduled\n",
                  ks_diag_get_count (diag), ks_diag_get_count (diag) == 1 ? "" : "s");
      return KS_EXIT_USAGE;
    }
  out = g_string_new (NULL);
  if (json)
    ks_explanation_to_json (explanation, out);
  else
    ks_explanation_to_table (explanation, out);
  fwrite (out->str, 1, out->len, stdout);
  g_string_free (out, TRUE);
  return KS_EXIT_OK;
}
