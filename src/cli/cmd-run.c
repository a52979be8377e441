/* cmd-run.c: kubesim run SCENARIO: simulate and write events.jsonl, metrics.csv, summary.json. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analysis/ks-pod-records.h"
#include "analysis/ks-recorder.h"
#include "ks-cli.h"
#include "policies/ks-policy-modules.h"
#include "sim/ks-expect.h"
#include "sim/ks-sim.h"
#include "src/api/ks-duration.h"
#include "src/controllers/ks-hpa.h"

static void
read_usage (gpointer data, KsRecorderUsage *out)
{
  KsSimUsageValues v;

  ks_sim_usage_read (data, &v);
  *out = (KsRecorderUsage){ v.cpu,          v.memory,          v.gpu,
                            v.cpu_integral, v.memory_integral, v.gpu_integral };
}

KsSimUsage *
ks_cli_record_usage (KsRecorder *recorder, KsSim *sim)
{
  KsSimUsage *usage = ks_sim_usage_new (ks_sim_get_client (sim), ks_sim_get_clock (sim),
                                        ks_sim_get_traffic (sim));

  ks_recorder_set_usage (recorder, read_usage, usage);
  return usage;
}

typedef struct
{
  char *out;
  char *seed;
  char *duration;
  char *sample_every;
  char **policy_path;
  char *config;
  char *hpa_policy;
  gboolean quiet;
} RunOptions;

typedef struct
{
  gboolean enabled;
  gint64 start_wall;
  gint64 last_print;
  gint64 end;
  gboolean printed;
} Progress;

static void
progress (gint64 now, guint64 n_events, gpointer data)
{
  Progress *p = data;
  gint64 wall = g_get_monotonic_time ();
  double elapsed;

  if (!p->enabled || wall - p->start_wall < G_USEC_PER_SEC
      || wall - p->last_print < G_USEC_PER_SEC / 5)
    return;
  p->last_print = wall;
  elapsed = (double) (wall - p->start_wall) / G_USEC_PER_SEC;
  {
    g_autofree char *sim = ks_duration_format (now);
    g_autofree char *total = ks_duration_format (p->end);
    fprintf (stderr,
             "\r\033[Ksimulated %s of %s (%.0f%%), %" G_GUINT64_FORMAT " events, %.0f events/s",
             sim, total, p->end > 0 ? 100.0 * now / p->end : 100.0, n_events, n_events / elapsed);
  }
  p->printed = TRUE;
}

static void
print_summary (const char *scenario, const KsRunStats *st, const char *pending, gint64 sim_time,
               double wall, guint64 events, const char *out_dir)
{
  g_autofree char *sim = ks_duration_format (sim_time);
  char b[4][32];

  printf ("%s: simulated %s in %.2fs (%" G_GUINT64_FORMAT " events)\n", scenario, sim, wall,
          events);
  printf ("  nodes %u; pods created %" G_GUINT64_FORMAT ", scheduled %" G_GUINT64_FORMAT
          ", running %u, pending %u, succeeded %u, failed %u\n",
          st->nodes, st->created, st->scheduled, st->running, st->pending, st->succeeded,
          st->failed);
  if (st->has_latency)
    printf ("  scheduling latency p50 %ss, p95 %ss, p99 %ss, max %ss\n",
            ks_format_seconds (st->latency_p50, b[0]), ks_format_seconds (st->latency_p95, b[1]),
            ks_format_seconds (st->latency_p99, b[2]), ks_format_seconds (st->latency_max, b[3]));
  if (pending != NULL)
    printf ("  unschedulable: %u pod%s waiting for a node, by last reason: %s\n", st->unschedulable,
            st->unschedulable == 1 ? "" : "s", pending);
  printf ("  outputs: %s/events.jsonl, %s/metrics.csv, %s/summary.json, %s/pods.csv\n", out_dir,
          out_dir, out_dir, out_dir);
}

/* Events after the end never run: say so, rather than drop them in silence. */
static void
warn_late_actions (const KsScenario *scenario, gint64 duration)
{
  const KsAction *first = NULL;
  guint late = 0;

  for (guint i = 0; i < scenario->actions->len; i++)
    {
      const KsAction *a = g_ptr_array_index (scenario->actions, i);
      if (a->at > duration)
        {
          first = first != NULL ? first : a;
          late++;
        }
    }
  if (late > 0)
    {
      g_autofree char *end = ks_duration_format (duration);
      g_printerr ("kubesim run: warning: %u event%s after the end of the run (%s) and will not "
                  "run, the first at %s\n",
                  late, late == 1 ? " comes" : "s come", end, first->where);
    }
}

/* One of the sim's output sections (ks_sim_get_sections) through the recorder. */
typedef struct
{
  KsRecorder *recorder;
  KsSim *sim;
  const KsSimSection *section;
} Section;

static void
section_row (gint64 t, const char *metric, const char *object, double value, gpointer data)
{
  ks_recorder_metric (((Section *) data)->recorder, t, metric, object, value);
}

static void
section_sample (KsRecorder *recorder, gint64 t, gpointer data)
{
  Section *s = data;
  s->section->sample (s->sim, section_row, s);
}

static void
section_summary (GString *json, gpointer data)
{
  Section *s = data;
  s->section->append_summary (s->sim, json);
}

/* Expectations read the recorder's cluster metrics and write their summary member. */
static gboolean
cluster_metric (const char *name, double *out, gpointer data)
{
  return ks_recorder_cluster_metric (data, name, out);
}

static gboolean
last_metric (const char *name, const char *object, double *out, gpointer data)
{
  return ks_recorder_last_value (data, name, object, out);
}

static void
expect_summary (GString *json, gpointer data)
{
  ks_expect_run_append_summary (data, json);
}

/* Each failed expectation on stderr: where, what, what was observed when. */
static void
print_failed (const char *path)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonArray *a;

  if (!json_parser_load_from_file (parser, path, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
      || !json_object_has_member (json_node_get_object (json_parser_get_root (parser)),
                                  "expectations"))
    return;
  a = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                    "expectations");
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *e = json_array_get_object_element (a, i);
      g_autofree char *observed = NULL;
      if (strcmp (json_object_get_string_member (e, "status"), "failed") != 0)
        continue;
      if (json_node_get_value_type (json_object_get_member (e, "observed")) == G_TYPE_DOUBLE)
        observed = g_strdup_printf ("%g", json_object_get_double_member (e, "observed"));
      else
        observed = json_to_string (json_object_get_member (e, "observed"), FALSE);
      g_printerr (
          "%s: expectation failed: %s (observed %s at %gs%s%s)\n",
          json_object_get_string_member (e, "where"), json_object_get_string_member (e, "that"),
          observed, json_object_get_double_member (e, "t"),
          json_object_has_member (e, "message") ? ": " : "",
          json_object_has_member (e, "message") ? json_object_get_string_member (e, "message")
                                                : "");
    }
}

int
ks_cmd_run (int argc, char **argv)
{
  RunOptions o = { 0 };
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &o.out,
      "Write outputs into DIR (default out/<scenario name>)", "DIR" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &o.seed, "Random seed (overrides the scenario's)", "N" },
    { "duration", 0, 0, G_OPTION_ARG_STRING, &o.duration,
      "Simulated time to run, e.g. 30m (overrides the scenario's)", "T" },
    { "sample-every", 0, 0, G_OPTION_ARG_STRING, &o.sample_every,
      "Metrics sampling interval (default 10s)", "T" },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &o.config,
      "The scheduler's KubeSchedulerConfiguration (replaces the scenario's \"scheduler\")",
      "FILE" },
    { "hpa-policy", 0, 0, G_OPTION_ARG_STRING, &o.hpa_policy,
      "The HPAs' autoscaler policy (replaces the scenario's hpa.policy; see kubesim policies)",
      "NAME" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, "Print only errors and warnings", NULL },
    KS_CLI_POLICY_PATH_OPTION (o.policy_path),
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("SCENARIO");
  g_autoptr (KsDiag) diag = ks_diag_new ();
  g_autoptr (KsScenario) scenario = NULL;
  g_autoptr (KsSim) sim = NULL;
  g_autoptr (KsRecorder) recorder = NULL;
  g_autoptr (KsPodRecords) pods = NULL;
  g_autoptr (KsSimUsage) usage = NULL;
  KsExpectRun *expect = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out_dir = NULL;
  KsRecorderOptions ropts = { 0 };
  KsRunInfo info = { 0 };
  KsRunStats stats;
  KsSchedulerStats sched_stats;
  Progress prog = { 0 };
  const KsSimSection *sim_sections[KS_SIM_MAX_SECTIONS];
  Section sections[KS_SIM_MAX_SECTIONS];
  guint n_sections;
  gint64 duration, sample_every = 10 * KS_USEC_PER_SEC, wall_start;
  guint64 seed;
  int status = KS_EXIT_OK;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
                                "Simulate SCENARIO (a kubesim Scenario YAML file) and write "
                                "events.jsonl,\nmetrics.csv and summary.json into the output "
                                "directory.");
  if (!ks_cli_parse (context, "run", &argc, &argv))
    {
      status = KS_EXIT_USAGE;
      goto out;
    }
  if (argc != 2)
    {
      g_printerr ("kubesim run: %s\nTry \"kubesim run --help\".\n",
                  argc < 2 ? "missing SCENARIO" : "too many arguments");
      status = KS_EXIT_USAGE;
      goto out;
    }
  if (o.sample_every != NULL
      && (!ks_duration_parse (o.sample_every, &sample_every, &error) || sample_every <= 0))
    {
      g_printerr ("kubesim run: --sample-every: %s\n",
                  error ? error->message : "must be greater than 0");
      status = KS_EXIT_USAGE;
      goto out;
    }
  /* Before the scenario: its scheduler profile may enable a loaded plugin. */
  if (!ks_cli_load_policies ("run", o.policy_path))
    {
      status = KS_EXIT_USAGE;
      goto out;
    }
  if (o.hpa_policy != NULL && ks_autoscaler_policy_lookup (o.hpa_policy) == NULL)
    {
      g_autofree char *names = ks_autoscaler_policy_names ();

      g_printerr ("kubesim run: --hpa-policy: unknown autoscaler policy \"%s\"; valid policies: "
                  "%s\n",
                  o.hpa_policy, names);
      status = KS_EXIT_USAGE;
      goto out;
    }
  scenario = ks_scenario_load (argv[1], diag);
  if (scenario == NULL)
    {
      ks_diag_print (diag, stderr);
      g_printerr ("kubesim run: %s: %u problem%s; nothing was run\n", argv[1],
                  ks_diag_get_count (diag), ks_diag_get_count (diag) == 1 ? "" : "s");
      status = KS_EXIT_USAGE;
      goto out;
    }
  if (o.config != NULL)
    {
      KsSchedulerConfig *config = ks_scheduler_config_load_file (o.config, &error);
      if (config == NULL)
        {
          g_printerr ("%s\nkubesim run: --config: %s: nothing was run\n", error->message, o.config);
          status = KS_EXIT_USAGE;
          goto out;
        }
      ks_scheduler_config_free (scenario->scheduler);
      scenario->scheduler = config;
    }
  if (o.hpa_policy != NULL)
    scenario->hpa_policy = ks_autoscaler_policy_lookup (o.hpa_policy)->name;
  duration = scenario->duration;
  if (o.duration != NULL && (!ks_duration_parse (o.duration, &duration, &error) || duration < 0))
    {
      g_printerr ("kubesim run: --duration: %s\n", error ? error->message : "must not be negative");
      status = KS_EXIT_USAGE;
      goto out;
    }
  if (duration < 0)
    {
      g_printerr ("kubesim run: %s: no duration: set \"duration:\" in the scenario or pass "
                  "--duration\n",
                  argv[1]);
      status = KS_EXIT_USAGE;
      goto out;
    }
  warn_late_actions (scenario, duration);
  seed = scenario->seed;
  if (o.seed != NULL && !ks_cli_parse_seed ("run", o.seed, &seed))
    {
      status = KS_EXIT_USAGE;
      goto out;
    }
  out_dir = o.out != NULL ? g_strdup (o.out) : g_build_filename ("out", scenario->name, NULL);

  sim = ks_sim_new (scenario, seed, &error);
  if (sim == NULL)
    {
      g_printerr ("kubesim run: %s: %s\n", argv[1], error->message);
      status = KS_EXIT_USAGE;
      goto out;
    }
  ropts.out_dir = out_dir;
  ropts.sample_every = sample_every;
  recorder = ks_recorder_new (ks_sim_get_client (sim), ks_sim_get_clock (sim), &ropts, &error);
  if (recorder == NULL
      || (pods
          = ks_pod_records_new (ks_sim_get_client (sim), ks_sim_get_clock (sim), out_dir, &error))
             == NULL)
    {
      g_printerr ("kubesim run: %s\n", error->message);
      status = KS_EXIT_FAILED;
      goto out;
    }
  n_sections = ks_sim_get_sections (sim, sim_sections);
  for (guint i = 0; i < n_sections; i++)
    {
      sections[i] = (Section){ recorder, sim, sim_sections[i] };
      ks_recorder_set_section (recorder, section_sample, section_summary, &sections[i]);
    }
  if (scenario->expectations->len > 0)
    {
      KsExprEnv env = { .client = ks_sim_get_client (sim),
                        .traffic = ks_sim_get_traffic (sim),
                        .cluster_metric = cluster_metric,
                        .metric = last_metric,
                        .data = recorder,
                        .epoch = KS_DEFAULT_EPOCH };
      expect = ks_expect_run_new (scenario->expectations, &env, ks_sim_get_clock (sim), duration);
      ks_recorder_keep_last_values (recorder);
      ks_sim_set_event_sink (sim,
                             ks_expect_run_wrap_sink (expect, ks_recorder_get_sink (recorder)));
      ks_recorder_set_section (recorder, NULL, expect_summary, expect);
    }
  else
    ks_sim_set_event_sink (sim, ks_recorder_get_sink (recorder));
  usage = ks_cli_record_usage (recorder, sim);
  ks_recorder_start (recorder);
  ks_pod_records_start (pods);
  wall_start = g_get_monotonic_time ();
  if (!ks_sim_start (sim, &error))
    {
      g_printerr ("kubesim run: %s\n", error->message);
      status = KS_EXIT_USAGE;
      goto out;
    }
  /* After the scenario's own events are scheduled: an expectation at T sees them done. */
  if (expect != NULL)
    ks_expect_run_start (expect);
  prog.enabled = !o.quiet && isatty (STDERR_FILENO);
  prog.start_wall = wall_start;
  prog.end = duration;
  ks_sim_run_until (sim, duration, progress, &prog);
  if (prog.printed)
    fprintf (stderr, "\r\033[K");
  if (expect != NULL)
    ks_expect_run_finish (expect);

  info.scenario = scenario->name;
  info.seed = seed;
  info.sim_time = duration;
  info.wall_time = (double) (g_get_monotonic_time () - wall_start) / G_USEC_PER_SEC;
  info.events_processed = ks_sim_get_events_processed (sim);
  ks_scheduler_get_stats (ks_sim_get_scheduler (sim), &sched_stats);
  info.scheduler = &sched_stats;
  /* summary.json last: its presence says the run's outputs are complete (kubesim compare). */
  if (!ks_pod_records_finish (pods, &error) || !ks_recorder_finish (recorder, &info, &error))
    {
      g_printerr ("kubesim run: %s\n", error->message);
      status = KS_EXIT_FAILED;
      goto out;
    }
  if (!o.quiet)
    {
      g_autofree char *pending = ks_recorder_describe_pending (recorder);
      ks_recorder_get_stats (recorder, &stats);
      print_summary (scenario->name, &stats, pending, duration, info.wall_time,
                     info.events_processed, out_dir);
      if (expect != NULL)
        printf ("  expectations: %u passed, %u failed\n",
                scenario->expectations->len - ks_expect_run_n_failed (expect),
                ks_expect_run_n_failed (expect));
    }
  /* A failed expectation fails the run (exit 1), with the outputs written. */
  if (expect != NULL && ks_expect_run_n_failed (expect) > 0)
    {
      g_autofree char *summary = g_build_filename (out_dir, "summary.json", NULL);
      print_failed (summary);
      status = KS_EXIT_FAILED;
    }

out:
  /* The recorders watch the sim's client: they go first. */
  g_clear_pointer (&pods, ks_pod_records_free);
  g_clear_pointer (&recorder, ks_recorder_free);
  g_clear_pointer (&usage, ks_sim_usage_free);
  g_clear_pointer (&expect, ks_expect_run_free);
  g_clear_pointer (&sim, ks_sim_free);
  g_free (o.out);
  g_free (o.seed);
  g_free (o.duration);
  g_free (o.sample_every);
  g_strfreev (o.policy_path);
  g_free (o.config);
  g_free (o.hpa_policy);
  return status;
}
