/* ks-cli.h: the kubesim command line: one file per command, dispatched from a table in main.c.
 * Handlers parse their options and call the library; they return the exit status:
 * 0 success, 1 a failed run or check, 2 bad usage or bad input. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KS_EXIT_OK 0
#define KS_EXIT_FAILED 1
#define KS_EXIT_USAGE 2

typedef struct
{
  const char *name;
  int (*handler) (int argc, char **argv);
  const char *summary;
} KsCommand;

int ks_cmd_run (int argc, char **argv);
int ks_cmd_check (int argc, char **argv);
int ks_cmd_compare (int argc, char **argv);
int ks_cmd_report (int argc, char **argv);
int ks_cmd_replay (int argc, char **argv);
int ks_cmd_bench (int argc, char **argv);
int ks_cmd_schedule (int argc, char **argv);
int ks_cmd_cluster (int argc, char **argv);
int ks_cmd_control_plane (int argc, char **argv);
int ks_cmd_image (int argc, char **argv);
int ks_cmd_node (int argc, char **argv);
int ks_cmd_version (int argc, char **argv);
int ks_cmd_apply (int argc, char **argv);
int ks_cmd_get (int argc, char **argv);
int ks_cmd_describe (int argc, char **argv);
int ks_cmd_delete (int argc, char **argv);
int ks_cmd_scale (int argc, char **argv);
int ks_cmd_autoscale (int argc, char **argv);
int ks_cmd_rollout (int argc, char **argv);
int ks_cmd_logs (int argc, char **argv);
int ks_cmd_top (int argc, char **argv);
int ks_cmd_policies (int argc, char **argv);
int ks_cmd_trace (int argc, char **argv);
/* kubesim trace's subcommands (cmd-trace.c dispatches). */
int ks_cmd_trace_stats (int argc, char **argv);
int ks_cmd_trace_convert (int argc, char **argv);
int ks_cmd_trace_generate (int argc, char **argv);

/* Parse options with context; on error print "kubesim CMD: message" and the hint to use
 * --help, and return FALSE. */
gboolean ks_cli_parse (GOptionContext *context, const char *command, int *argc, char ***argv);

/* A --seed value: digits only, 0 to 2^64-1 (strtoull would skip spaces, take a sign and
 * saturate).  FALSE after printing "kubesim CMD: --seed: ...". */
gboolean ks_cli_parse_seed (const char *command, const char *text, guint64 *out);

/* The --policy-path option of the commands that schedule: dirs is a char ** the option fills. */
#define KS_CLI_POLICY_PATH_OPTION(dirs)                                                            \
  {                                                                                                \
    "policy-path", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &(dirs),                                     \
        "Load scheduler policy modules (*.so) from DIR; repeatable, before $KUBESIM_POLICY_PATH",  \
        "DIR"                                                                                      \
  }

/* Load the policy modules of dirs (--policy-path, may be NULL) and $KUBESIM_POLICY_PATH, before
 * any configuration is read.  FALSE after printing "kubesim CMD: <problem>" (exit 2). */
gboolean ks_cli_load_policies (const char *command, char **dirs);

G_END_DECLS
