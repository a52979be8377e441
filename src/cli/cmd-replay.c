/* cmd-replay.c: kubesim replay TRACE... --format F: a cluster trace through the simulator, with
 * run's outputs (events.jsonl, metrics.csv, summary.json) and pods.csv (docs/user-guide.md
 * "Replaying a trace"). */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analysis/ks-pod-records.h"
#include "analysis/ks-recorder.h"
#include "ks-cli.h"
#include "sim/ks-replay.h"
#include "sim/ks-sim.h"
#include "src/api/ks-duration.h"
#include "src/api/ks-quantity.h"

#define KS_REPLAY_NATIVE_REORDER_WINDOW 1024

typedef struct
{
  KsCliTraceArgs t;
  char *config;
  char **policy_path;
  char *seed;
  char *out;
  char *sample_every;
  gboolean strict;
  gboolean quiet;
  gboolean node_metrics;
} ReplayOptions;

typedef struct
{
  gboolean enabled;
  gboolean printed;
  gint64 start_wall, last_print;
  KsTraceReader *reader;
} Progress;

static void
progress (gint64 now, guint64 n_events, gpointer data)
{
  Progress *p = data;
  gint64 wall = g_get_monotonic_time ();
  double fraction;

  if (!p->enabled || wall - p->start_wall < G_USEC_PER_SEC
      || wall - p->last_print < G_USEC_PER_SEC / 5)
    return;
  p->last_print = wall;
  fraction = ks_trace_reader_get_progress (p->reader);
  {
    g_autofree char *sim = ks_duration_format (now);
    if (fraction >= 0)
      fprintf (stderr,
               "\r\033[Kreplayed %.0f%% of the trace, simulated %s, %" G_GUINT64_FORMAT " events",
               100.0 * fraction, sim, n_events);
    else
      fprintf (stderr, "\r\033[Ksimulated %s, %" G_GUINT64_FORMAT " events", sim, n_events);
  }
  p->printed = TRUE;
}

/* A trace time: seconds ("3600", "1.5") or a duration ("1h"). */
static gboolean
parse_trace_time (const char *text, gint64 *out)
{
  char *end;
  double seconds = g_ascii_strtod (text, &end);

  if (end != text && *end == '\0')
    {
      if (!isfinite (seconds) || seconds < 0 || seconds > 9.2e12)
        return FALSE;
      *out = (gint64) llround (seconds * G_USEC_PER_SEC);
      return TRUE;
    }
  return ks_duration_parse (text, out, NULL) && *out >= 0;
}

/* "START:END" in trace seconds (or durations: 1h:2h); either side may be empty. */
static gboolean
parse_window (const char *text, gint64 *start, gint64 *end)
{
  const char *colon = strchr (text, ':');
  g_autofree char *a = NULL;

  if (colon == NULL)
    return FALSE;
  a = g_strndup (text, (gsize) (colon - text));
  *start = 0;
  *end = -1;
  if (*a != '\0' && !parse_trace_time (a, start))
    return FALSE;
  if (colon[1] != '\0' && !parse_trace_time (colon + 1, end))
    return FALSE;
  return *start >= 0 && (*end < 0 || *end > *start);
}

static void
note_outcome (const char *namespace, const char *name, const char *outcome, gpointer data)
{
  ks_pod_records_note_outcome (data, namespace, name, outcome);
}

static void
replay_summary (GString *json, gpointer data)
{
  ks_replay_append_summary (data, json);
}

/* The cluster: --nodes FILE's Nodes, --cluster SCENARIO's cluster, scheduler and kubelet, or
 * none (the trace's machines). */
static KsScenario *
make_scenario (const ReplayOptions *o, const char *trace, gboolean *trace_nodes)
{
  g_autoptr (KsDiag) diag = ks_diag_new ();
  KsScenario *s;

  *trace_nodes = o->t.nodes == NULL && o->t.cluster == NULL;
  if (o->t.cluster != NULL)
    {
      s = ks_scenario_load (o->t.cluster, diag);
      if (s == NULL)
        {
          ks_diag_print (diag, stderr);
          g_printerr ("kubesim replay: --cluster %s: %u problem%s; nothing was run\n", o->t.cluster,
                      ks_diag_get_count (diag), ks_diag_get_count (diag) == 1 ? "" : "s");
          return NULL;
        }
      if (s->objects->len > 0 || s->actions->len > 0 || s->loads != NULL || s->expectations->len > 0
          || s->failures->len > 0)
        g_printerr ("kubesim replay: note: --cluster %s: only its cluster, scheduler and kubelet "
                    "are used (its objects, events, load, expectations and failures are not)\n",
                    o->t.cluster);
      g_ptr_array_set_size (s->objects, 0);
      g_ptr_array_set_size (s->actions, 0);
      g_ptr_array_set_size (s->expectations, 0);
      g_ptr_array_set_size (s->failures, 0);
      g_clear_pointer (&s->loads, g_ptr_array_unref);
      g_free (s->name);
      s->name = g_strdup ("replay");
      return s;
    }
  s = ks_scenario_new ("replay", trace);
  /* A trace's run times count from the task's start: pods start as soon as they are bound. */
  s->kubelet_startup = 0;
  if (o->t.nodes != NULL)
    {
      if (!ks_manifests_load (o->t.nodes, s->nodes, diag))
        {
          ks_diag_print (diag, stderr);
          g_printerr ("kubesim replay: --nodes %s: nothing was run\n", o->t.nodes);
          ks_scenario_free (s);
          return NULL;
        }
      for (guint i = 0; i < s->nodes->len; i++)
        {
          const KsObject *obj = g_ptr_array_index (s->nodes, i);
          if (obj->kind->id != KS_KIND_NODE)
            {
              g_printerr ("kubesim replay: --nodes %s: holds a %s (%s); it may hold only Nodes\n",
                          o->t.nodes, obj->kind->name, obj->meta.name);
              ks_scenario_free (s);
              return NULL;
            }
        }
      if (s->nodes->len == 0)
        {
          g_printerr ("kubesim replay: --nodes %s: no Nodes in it\n", o->t.nodes);
          ks_scenario_free (s);
          return NULL;
        }
    }
  return s;
}

gboolean
ks_cli_trace_machine (const char *command, const char *machine_cpu, const char *machine_memory,
                      KsTraceOptions *options)
{
  gint64 milli, bytes;

  if (machine_cpu != NULL)
    {
      if (!ks_quantity_parse_milli (machine_cpu, &milli, NULL) || milli <= 0)
        {
          g_printerr ("kubesim %s: --machine-cpu \"%s\": expected the reference machine's "
                      "cores, e.g. 32 or 64\n",
                      command, machine_cpu);
          return FALSE;
        }
      options->machine_cpu = milli / 1000.0;
    }
  if (machine_memory != NULL)
    {
      if (!ks_quantity_parse_value (machine_memory, &bytes, NULL) || bytes <= 0)
        {
          g_printerr ("kubesim %s: --machine-memory \"%s\": expected the reference machine's "
                      "memory, e.g. 128Gi\n",
                      command, machine_memory);
          return FALSE;
        }
      options->machine_memory = bytes;
    }
  return TRUE;
}

gboolean
ks_cli_trace_args_check (const char *command, const KsCliTraceArgs *o, KsReplayOptions *ropts,
                         KsTraceOptions *topts)
{
  ks_replay_options_init (ropts);
  ks_trace_options_init (topts);
  if (o->window != NULL && !parse_window (o->window, &ropts->window_start, &ropts->window_end))
    {
      g_printerr ("kubesim %s: --window \"%s\": expected START:END in trace seconds (or "
                  "durations such as 1h:2h), START < END, either may be left out\n",
                  command, o->window);
      return FALSE;
    }
  if (o->speed != NULL)
    {
      char *end;
      ropts->speed = g_ascii_strtod (o->speed, &end);
      if (*end != '\0' || end == o->speed || !(ropts->speed > 0) || !isfinite (ropts->speed))
        {
          g_printerr ("kubesim %s: --speed \"%s\": expected a number greater than 0 (2: twice "
                      "as fast)\n",
                      command, o->speed);
          return FALSE;
        }
    }
  if (o->sample != NULL)
    {
      char *end;
      ropts->sample = g_ascii_strtod (o->sample, &end);
      if (*end != '\0' || end == o->sample || !(ropts->sample > 0) || ropts->sample > 1)
        {
          g_printerr ("kubesim %s: --sample \"%s\": expected a fraction of the jobs, greater "
                      "than 0 and at most 1\n",
                      command, o->sample);
          return FALSE;
        }
    }
  if (o->max_pods != NULL)
    {
      guint64 n;
      if (!g_ascii_string_to_unsigned (o->max_pods, 10, 1, G_MAXUINT64, &n, NULL))
        {
          g_printerr ("kubesim %s: --max-pods \"%s\": expected a whole number of pods, at "
                      "least 1\n",
                      command, o->max_pods);
          return FALSE;
        }
      ropts->max_pods = n;
    }
  if (!ks_cli_trace_machine (command, o->machine_cpu, o->machine_memory, topts))
    return FALSE;
  if (o->nodes != NULL && o->cluster != NULL)
    {
      g_printerr ("kubesim %s: --nodes and --cluster both give the cluster: use one\n", command);
      return FALSE;
    }
  if (o->format == NULL)
    {
      g_autofree char *valid = g_strjoinv (", ", (char **) ks_trace_formats ());
      g_printerr ("kubesim %s: --format is required (one of %s)\n", command, valid);
      return FALSE;
    }
  return TRUE;
}

void
ks_cli_trace_args_to_argv (const KsCliTraceArgs *a, GPtrArray *argv)
{
  const struct
  {
    const char *name;
    const char *value;
  } args[] = {
    { "format", a->format },
    { "nodes", a->nodes },
    { "cluster", a->cluster },
    { "window", a->window },
    { "speed", a->speed },
    { "sample", a->sample },
    { "max-pods", a->max_pods },
    { "machine-cpu", a->machine_cpu },
    { "machine-memory", a->machine_memory },
  };

  for (guint i = 0; i < G_N_ELEMENTS (args); i++)
    if (args[i].value != NULL)
      g_ptr_array_add (argv, g_strdup_printf ("--%s=%s", args[i].name, args[i].value));
}

void
ks_cli_trace_args_clear (KsCliTraceArgs *a)
{
  g_clear_pointer (&a->format, g_free);
  g_clear_pointer (&a->nodes, g_free);
  g_clear_pointer (&a->cluster, g_free);
  g_clear_pointer (&a->window, g_free);
  g_clear_pointer (&a->speed, g_free);
  g_clear_pointer (&a->sample, g_free);
  g_clear_pointer (&a->max_pods, g_free);
  g_clear_pointer (&a->machine_cpu, g_free);
  g_clear_pointer (&a->machine_memory, g_free);
}

int
ks_cmd_replay (int argc, char **argv)
{
  ReplayOptions o = { 0 };
  GOptionEntry entries[] = {
    KS_CLI_TRACE_OPTIONS (o.t),
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &o.config,
      "The scheduler's KubeSchedulerConfiguration", "FILE" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &o.seed, "Random seed (default 1)", "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &o.out, "Write outputs into DIR (default out/replay)",
      "DIR" },
    { "strict", 0, 0, G_OPTION_ARG_NONE, &o.strict, "Stop at the first bad row (exit 2)", NULL },
    { "sample-every", 0, 0, G_OPTION_ARG_STRING, &o.sample_every,
      "Metrics sampling interval (default 10m)", "T" },
    { "node-metrics", 0, 0, G_OPTION_ARG_NONE, &o.node_metrics,
      "Also write each node's rows into metrics.csv", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, "Print only errors and warnings", NULL },
    KS_CLI_POLICY_PATH_OPTION (o.policy_path),
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("TRACE...");
  g_autoptr (KsScenario) scenario = NULL;
  g_autoptr (KsSim) sim = NULL;
  g_autoptr (KsRecorder) recorder = NULL;
  g_autoptr (KsPodRecords) pods = NULL;
  g_autoptr (KsSimUsage) usage = NULL;
  g_autoptr (KsTraceReader) reader = NULL;
  g_autoptr (KsReplay) replay = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out_dir = NULL;
  KsReplayOptions ropts;
  KsTraceOptions topts;
  KsRecorderOptions rec_opts = { 0 };
  KsRunInfo info = { 0 };
  KsSchedulerStats sched_stats;
  KsRunStats stats;
  Progress prog = { 0 };
  gint64 sample_every = 10 * KS_USEC_PER_MIN, wall_start;
  gboolean trace_nodes, made_dir = FALSE;
  int status = KS_EXIT_OK;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (
      context,
      "Replay a cluster trace (files, .gz files, directories of parts or \"-\" for stdin)\n"
      "through the simulator and write events.jsonl, metrics.csv, summary.json and\n"
      "pods.csv into the output directory.");
  if (!ks_cli_parse (context, "replay", &argc, &argv))
    {
      status = KS_EXIT_USAGE;
      goto out;
    }
  if (argc < 2)
    {
      g_printerr ("kubesim replay: missing TRACE\nTry \"kubesim replay --help\".\n");
      status = KS_EXIT_USAGE;
      goto out;
    }
  if (!ks_cli_trace_args_check ("replay", &o.t, &ropts, &topts)
      || (o.seed != NULL && !ks_cli_parse_seed ("replay", o.seed, &ropts.seed)))
    {
      status = KS_EXIT_USAGE;
      goto out;
    }
  if (o.sample_every != NULL
      && (!ks_duration_parse (o.sample_every, &sample_every, &error) || sample_every <= 0))
    {
      g_printerr ("kubesim replay: --sample-every: %s\n",
                  error ? error->message : "must be greater than 0");
      status = KS_EXIT_USAGE;
      goto out;
    }
  /* As run: modules first, as the configuration may enable one of their plugins. */
  if (!ks_cli_load_policies ("replay", o.policy_path))
    {
      status = KS_EXIT_USAGE;
      goto out;
    }
  scenario = make_scenario (&o, argv[1], &trace_nodes);
  if (scenario == NULL)
    {
      status = KS_EXIT_USAGE;
      goto out;
    }
  ropts.trace_nodes = trace_nodes;
  topts.strict = o.strict;
  if (o.config != NULL)
    {
      KsSchedulerConfig *config = ks_scheduler_config_load_file (o.config, &error);
      if (config == NULL)
        {
          g_printerr ("%s\nkubesim replay: --config: %s: nothing was run\n", error->message,
                      o.config);
          status = KS_EXIT_USAGE;
          goto out;
        }
      ks_scheduler_config_free (scenario->scheduler);
      scenario->scheduler = config;
    }
  /* The native format is written in time order: a short reorder window keeps the look-ahead (whole
   * manifests) small. */
  if (strcmp (o.t.format, "kubesim") == 0)
    topts.reorder_window = KS_REPLAY_NATIVE_REORDER_WINDOW;
  reader = ks_trace_reader_new (o.t.format, (const char *const *) argv + 1, (guint) argc - 1,
                                &topts, &error);
  if (reader == NULL)
    {
      g_printerr ("kubesim replay: %s\n", error->message);
      status = KS_EXIT_USAGE;
      goto out;
    }
  out_dir = o.out != NULL ? g_strdup (o.out) : g_build_filename ("out", "replay", NULL);
  sim = ks_sim_new (scenario, ropts.seed, &error);
  if (sim == NULL)
    {
      g_printerr ("kubesim replay: %s\n", error->message);
      status = KS_EXIT_USAGE;
      goto out;
    }
  made_dir = !g_file_test (out_dir, G_FILE_TEST_EXISTS);
  rec_opts.out_dir = out_dir;
  rec_opts.sample_every = sample_every;
  /* Traces span months on thousands of nodes: cluster rows only, unless asked. */
  rec_opts.cluster_only = !o.node_metrics;
  recorder = ks_recorder_new (ks_sim_get_client (sim), ks_sim_get_clock (sim), &rec_opts, &error);
  if (recorder == NULL
      || (pods
          = ks_pod_records_new (ks_sim_get_client (sim), ks_sim_get_clock (sim), out_dir, &error))
             == NULL)
    {
      g_printerr ("kubesim replay: %s\n", error->message);
      status = KS_EXIT_FAILED;
      goto out;
    }
  ks_sim_set_event_sink (sim, ks_recorder_get_sink (recorder));
  usage = ks_cli_record_usage (recorder, sim);
  ks_recorder_start (recorder);
  ks_pod_records_start (pods);
  wall_start = g_get_monotonic_time ();
  if (!ks_sim_start (sim, &error))
    {
      g_printerr ("kubesim replay: %s\n", error->message);
      status = KS_EXIT_USAGE;
      goto out;
    }
  replay = ks_replay_new (sim, reader, &ropts);
  ks_replay_set_outcome_func (replay, note_outcome, pods);
  ks_recorder_set_section (recorder, NULL, replay_summary, replay);
  prog.enabled = !o.quiet && isatty (STDERR_FILENO);
  prog.start_wall = wall_start;
  prog.reader = reader;
  if (!ks_replay_run (replay, progress, &prog, &error))
    {
      if (prog.printed)
        fprintf (stderr, "\r\033[K");
      /* Bad input: nothing is renamed into place (the recorders remove their temporary files). */
      g_printerr ("kubesim replay: %s; no outputs were written\n", error->message);
      status = error->domain == KS_TRACE_ERROR && error->code == KS_TRACE_ERROR_IO ? KS_EXIT_FAILED
                                                                                   : KS_EXIT_USAGE;
      goto out;
    }
  if (prog.printed)
    fprintf (stderr, "\r\033[K");

  info.scenario = scenario->name;
  info.seed = ropts.seed;
  info.sim_time = ks_clock_now (ks_sim_get_clock (sim));
  info.wall_time = (double) (g_get_monotonic_time () - wall_start) / G_USEC_PER_SEC;
  info.events_processed = ks_sim_get_events_processed (sim);
  ks_scheduler_get_stats (ks_sim_get_scheduler (sim), &sched_stats);
  info.scheduler = &sched_stats;
  if (!ks_pod_records_finish (pods, &error) || !ks_recorder_finish (recorder, &info, &error))
    {
      g_printerr ("kubesim replay: %s\n", error->message);
      status = KS_EXIT_FAILED;
      goto out;
    }
  if (!o.quiet)
    {
      const KsTraceCounts *counts = ks_trace_reader_get_counts (reader);
      const KsReplayStats *rs = ks_replay_get_stats (replay);
      g_autofree char *sim_text = ks_duration_format (info.sim_time);
      ks_recorder_get_stats (recorder, &stats);
      printf ("replay: simulated %s in %.2fs (%" G_GUINT64_FORMAT " events)\n", sim_text,
              info.wall_time, info.events_processed);
      printf ("  trace: %" G_GUINT64_FORMAT " rows, %" G_GUINT64_FORMAT " bad; %" G_GUINT64_FORMAT
              " pods submitted, %" G_GUINT64_FORMAT " created (%" G_GUINT64_FORMAT
              " resubmissions), %" G_GUINT64_FORMAT " sampled out, %" G_GUINT64_FORMAT
              " before the window, %" G_GUINT64_FORMAT " over --max-pods\n",
              counts->rows, counts->bad_rows, rs->pods_submitted, rs->pods_created,
              rs->resubmissions, rs->sampled_out, rs->outside_window, rs->over_max_pods);
      printf ("  nodes %u; pods scheduled %" G_GUINT64_FORMAT ", running %u, pending %u, "
              "succeeded %u, failed %u\n",
              stats.nodes, stats.scheduled, stats.running, stats.pending, stats.succeeded,
              stats.failed);
      printf ("  outputs: %s/events.jsonl, %s/metrics.csv, %s/summary.json, %s/pods.csv\n", out_dir,
              out_dir, out_dir, out_dir);
    }

out:
  /* The recorders watch the sim's client: they go first. */
  g_clear_pointer (&replay, ks_replay_free);
  g_clear_pointer (&pods, ks_pod_records_free);
  g_clear_pointer (&recorder, ks_recorder_free);
  g_clear_pointer (&usage, ks_sim_usage_free);
  g_clear_pointer (&sim, ks_sim_free);
  /* A failed replay leaves no directory it made (the recorders removed their files from it). */
  if (status != KS_EXIT_OK && made_dir)
    g_rmdir (out_dir);
  ks_cli_trace_args_clear (&o.t);
  g_free (o.config);
  g_strfreev (o.policy_path);
  g_free (o.seed);
  g_free (o.out);
  g_free (o.sample_every);
  return status;
}
