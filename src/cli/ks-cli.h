/* ks-cli.h: the kubesim command line: one file per command, dispatched from a table in main.c.
 * Handlers parse their options and call the library; they return the exit status:
 * 0 success, 1 a failed run or check, 2 bad usage or bad input. */
#pragma once

#include <glib.h>

#include "analysis/ks-recorder.h"
#include "sim/ks-replay.h"
#include "sim/ks-sim-usage.h"
#include "sim/ks-sim.h"

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
/* Record the used ratios of sim's pods (sim/ks-sim-usage.h) in recorder: call before
 * ks_recorder_start; free the result after the recorder. */
KsSimUsage *ks_cli_record_usage (KsRecorder *recorder, KsSim *sim);

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

/* The options of `kubesim replay` that say which trace is replayed and how (kubesim compare on a
 * trace takes the same ones and passes them on to its replay runs), as given. */
typedef struct
{
  char *format;
  char *nodes;
  char *cluster;
  char *window;
  char *speed;
  char *sample;
  char *max_pods;
  char *machine_cpu;
  char *machine_memory;
} KsCliTraceArgs;

/* Their GOptionEntry lines, for a command's entries array; a is a KsCliTraceArgs. */
#define KS_CLI_TRACE_OPTIONS(a)                                                                    \
  {                                                                                                \
    "format", 'f', 0, G_OPTION_ARG_STRING, &(a).format, "The trace's format (docs/traces.md)", "F" \
  },                                                                                               \
      { "nodes",    0,                                                                             \
        0,          G_OPTION_ARG_FILENAME,                                                         \
        &(a).nodes, "The cluster: the Node manifests in FILE (instead of the trace's machines)",   \
        "FILE" },                                                                                  \
      { "cluster",                                                                                 \
        0,                                                                                         \
        0,                                                                                         \
        G_OPTION_ARG_FILENAME,                                                                     \
        &(a).cluster,                                                                              \
        "The cluster, scheduler and kubelet of SCENARIO (instead of the trace's machines)",        \
        "SCENARIO" },                                                                              \
      { "window",                                                                                  \
        0,                                                                                         \
        0,                                                                                         \
        G_OPTION_ARG_STRING,                                                                       \
        &(a).window,                                                                               \
        "Replay only pods submitted in [START, END) of trace time (seconds or durations)",         \
        "START:END" },                                                                             \
      { "speed", 0, 0, G_OPTION_ARG_STRING, &(a).speed, "Divide the trace's times by X", "X" },    \
      { "sample",    0,                                                                            \
        0,           G_OPTION_ARG_STRING,                                                          \
        &(a).sample, "Keep this fraction of the jobs (whole jobs, seeded)",                        \
        "FRACTION" },                                                                              \
      { "max-pods", 0, 0, G_OPTION_ARG_STRING, &(a).max_pods, "Create at most N pods", "N" },      \
      { "machine-cpu",                                                                             \
        0,                                                                                         \
        0,                                                                                         \
        G_OPTION_ARG_STRING,                                                                       \
        &(a).machine_cpu,                                                                          \
        "Cores of the reference machine normalized requests are scaled by (default 32)",           \
        "CORES" },                                                                                 \
  {                                                                                                \
    "machine-memory", 0, 0, G_OPTION_ARG_STRING, &(a).machine_memory,                              \
        "Memory of the reference machine (default 128Gi)", "BYTES"                                 \
  }

/* Parse --machine-cpu and --machine-memory (each NULL when not given) into options; FALSE, after
 * saying what is wrong and what would be valid on stderr, when one is not a positive quantity. */
gboolean ks_cli_trace_machine (const char *command, const char *machine_cpu,
                               const char *machine_memory, KsTraceOptions *options);
/* Check a's values and set what they say in ropts and topts (both initialized here; seed and
 * strict are the caller's).  FALSE after printing "kubesim CMD: --option ...: what would be
 * valid" (exit 2).  In cmd-replay.c. */
gboolean ks_cli_trace_args_check (const char *command, const KsCliTraceArgs *a,
                                  KsReplayOptions *ropts, KsTraceOptions *topts);

/* Append a's options given, as "--name=value" strings (ks_cli_trace_args_to_argv's order is
 * stable: compare fingerprints it), to argv. */
void ks_cli_trace_args_to_argv (const KsCliTraceArgs *a, GPtrArray *argv);
void ks_cli_trace_args_clear (KsCliTraceArgs *a);

G_END_DECLS
