/* cmd-compare.c: kubesim compare SCENARIO --policy ... and kubesim compare --merge DIR...: the
 * options; analysis/ks-compare.c does the work (docs/experiments.md). */
#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "analysis/ks-compare.h"
#include "ks-cli.h"
#include "sim/ks-scenario.h"

typedef struct
{
  char **policies;
  int seeds;
  char *seed_list;
  int jobs;
  char **metrics;
  char *baseline;
  char *out;
  char *shard;
  gboolean merge;
  char *duration;
  char **policy_path;
  gboolean quiet;
  KsCliTraceArgs t;
} CompareOptions;

static gboolean
on_signal (gpointer data)
{
  ks_compare_interrupt ();
  return G_SOURCE_CONTINUE;
}

static void
options_clear (CompareOptions *o)
{
  g_strfreev (o->policies);
  g_free (o->seed_list);
  g_strfreev (o->metrics);
  g_free (o->baseline);
  g_free (o->out);
  g_free (o->shard);
  g_free (o->duration);
  g_strfreev (o->policy_path);
  ks_cli_trace_args_clear (&o->t);
}

static gboolean
any_trace_arg (const KsCliTraceArgs *t)
{
  return t->format != NULL || t->nodes != NULL || t->cluster != NULL || t->window != NULL
         || t->speed != NULL || t->sample != NULL || t->max_pods != NULL || t->machine_cpu != NULL
         || t->machine_memory != NULL;
}

/* A trace as INPUT: its options and files checked before anything runs (as replay would). */
static gboolean
check_trace (const CompareOptions *o, int argc, char **argv, GPtrArray *policies)
{
  g_autoptr (KsTraceReader) reader = NULL;
  g_autoptr (GError) error = NULL;
  KsReplayOptions ropts;
  KsTraceOptions topts;

  if (!ks_cli_trace_args_check ("compare", &o->t, &ropts, &topts))
    return FALSE;
  if (o->duration != NULL)
    {
      g_printerr ("kubesim compare: --duration: a trace's replay runs until its pods have ended; "
                  "use --window (or --max-pods) to shorten it\n");
      return FALSE;
    }
  for (guint i = 0; i < policies->len; i++)
    {
      const KsComparePolicy *p = g_ptr_array_index (policies, i);
      if (p->hpa_policy != NULL)
        {
          g_printerr ("kubesim compare: --policy %s: hpa= needs a scenario: a trace's replay has "
                      "no HorizontalPodAutoscaler\n",
                      p->spec);
          return FALSE;
        }
    }
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "-") == 0)
      {
        g_printerr ("kubesim compare: a trace from stdin (\"-\") cannot be replayed by every run: "
                    "give its files\n");
        return FALSE;
      }
  if (o->t.cluster != NULL)
    {
      g_autoptr (KsDiag) diag = ks_diag_new ();
      g_autoptr (KsScenario) cluster = ks_scenario_load (o->t.cluster, diag);
      if (cluster == NULL)
        {
          ks_diag_print (diag, stderr);
          g_printerr ("kubesim compare: --cluster %s: %u problem%s; nothing was run\n",
                      o->t.cluster, ks_diag_get_count (diag),
                      ks_diag_get_count (diag) == 1 ? "" : "s");
          return FALSE;
        }
    }
  reader = ks_trace_reader_new (o->t.format, (const char *const *) argv + 1, (guint) argc - 1,
                                &topts, &error);
  if (reader == NULL)
    {
      g_printerr ("kubesim compare: %s\n", error->message);
      return FALSE;
    }
  return TRUE;
}

/* --seeds N (1..N) or --seed-list a,b,c into seeds. */
static gboolean
parse_seeds (const CompareOptions *o, GArray *seeds)
{
  if (o->seed_list != NULL && o->seeds != G_MININT)
    {
      g_printerr ("kubesim compare: --seeds and --seed-list: give one of them\n");
      return FALSE;
    }
  if (o->seed_list != NULL)
    {
      g_auto (GStrv) items = g_strsplit (o->seed_list, ",", -1);
      for (guint i = 0; items[i] != NULL; i++)
        {
          guint64 seed;
          if (!ks_cli_parse_seed ("compare", items[i], &seed))
            {
              g_printerr ("kubesim compare: --seed-list: \"%s\": seeds are whole numbers from 0 "
                          "to 18446744073709551615, separated by commas\n",
                          items[i]);
              return FALSE;
            }
          for (guint j = 0; j < seeds->len; j++)
            if (g_array_index (seeds, guint64, j) == seed)
              {
                g_printerr ("kubesim compare: --seed-list: seed %s is there twice\n", items[i]);
                return FALSE;
              }
          g_array_append_val (seeds, seed);
        }
      return TRUE;
    }
  if (o->seeds != G_MININT && (o->seeds < 1 || o->seeds > 100000))
    {
      g_printerr ("kubesim compare: --seeds: must be from 1 to 100000, got %d\n", o->seeds);
      return FALSE;
    }
  for (guint64 s = 1; s <= (guint64) (o->seeds != G_MININT ? o->seeds : 5); s++)
    g_array_append_val (seeds, s);
  return TRUE;
}

static gboolean
parse_shard (const char *text, guint *shard, guint *n)
{
  guint64 i, count;
  char *end;

  if (!g_ascii_isdigit (text[0]))
    return FALSE;
  i = g_ascii_strtoull (text, &end, 10);
  if (*end != '/' || !g_ascii_isdigit (end[1]))
    return FALSE;
  count = g_ascii_strtoull (end + 1, &end, 10);
  if (*end != '\0' || count < 1 || count > 1000000 || i < 1 || i > count)
    return FALSE;
  *shard = (guint) i;
  *n = (guint) count;
  return TRUE;
}

static int
merge (CompareOptions *o, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  if (argc < 2)
    {
      g_printerr ("kubesim compare: --merge: missing the shard directories\n"
                  "Try \"kubesim compare --help\".\n");
      return KS_EXIT_USAGE;
    }
  if (o->out == NULL)
    {
      g_printerr ("kubesim compare: --merge: missing --out DIR (where the merged results go)\n");
      return KS_EXIT_USAGE;
    }
  if (o->policies != NULL || o->seeds != G_MININT || o->seed_list != NULL || o->metrics != NULL
      || o->baseline != NULL || o->shard != NULL || o->duration != NULL)
    {
      g_printerr ("kubesim compare: --merge takes only --out: the comparison is the one the "
                  "shard directories recorded\n");
      return KS_EXIT_USAGE;
    }
  if (!ks_compare_merge (argv + 1, o->out, &error))
    {
      g_printerr ("kubesim compare: %s\n", error->message);
      return g_error_matches (error, KS_COMPARE_ERROR, KS_COMPARE_ERROR_INPUT) ? KS_EXIT_USAGE
                                                                               : KS_EXIT_FAILED;
    }
  return KS_EXIT_OK;
}

int
ks_cmd_compare (int argc, char **argv)
{
  /* G_MININT: not given (0 and negative numbers are errors). */
  CompareOptions o = { .seeds = G_MININT, .jobs = G_MININT };
  GOptionEntry entries[] = {
    { "policy", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &o.policies,
      "A policy: NAME=SPEC or SPEC, SPEC a KubeSchedulerConfiguration file, scenario, default, "
      "LeastAllocated, MostAllocated, a score or queueSort plugin, hpa=NAME, or items of these "
      "joined by commas; repeatable",
      "NAME=SPEC" },
    { "seeds", 0, 0, G_OPTION_ARG_INT, &o.seeds, "Run seeds 1 to N (default 5)", "N" },
    { "seed-list", 0, 0, G_OPTION_ARG_STRING, &o.seed_list, "Run these seeds", "A,B,..." },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &o.jobs, "Runs at once (default: the number of cores)",
      "J" },
    { "metric", 'm', 0, G_OPTION_ARG_STRING_ARRAY, &o.metrics,
      "Compare this metric (repeatable or comma-separated; default all)", "M" },
    { "baseline", 'b', 0, G_OPTION_ARG_STRING, &o.baseline,
      "The policy the others are tested against (default the first)", "NAME" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &o.out,
      "Output directory (default out/<scenario name>-compare)", "DIR" },
    { "shard", 0, 0, G_OPTION_ARG_STRING, &o.shard,
      "Run only share I (1..N) of the runs, for --merge later", "I/N" },
    { "merge", 0, 0, G_OPTION_ARG_NONE, &o.merge, "Combine the shard directories DIR... into --out",
      NULL },
    { "duration", 0, 0, G_OPTION_ARG_STRING, &o.duration,
      "Simulated time of every run (overrides the scenario's)", "T" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, "No progress lines", NULL },
    KS_CLI_POLICY_PATH_OPTION (o.policy_path),
    KS_CLI_TRACE_OPTIONS (o.t),
    { NULL },
  };
  g_autoptr (GOptionContext) context
      = g_option_context_new ("SCENARIO | TRACE... --format F | --merge DIR...");
  g_autoptr (GPtrArray) policies
      = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_compare_policy_free);
  g_autoptr (GPtrArray) metrics = g_ptr_array_new ();
  g_autoptr (GArray) seeds = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr (KsDiag) diag = ks_diag_new ();
  g_autoptr (KsScenario) scenario = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *self = NULL, *out_dir = NULL;
  g_autoptr (GPtrArray) replay_args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) replay_files = g_ptr_array_new ();
  g_autoptr (GPtrArray) traces = g_ptr_array_new_with_free_func (g_free);
  gboolean trace = FALSE;
  KsCompareOptions co = { 0 };
  guint sources[2];
  int status = KS_EXIT_OK;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (
      context, "Run SCENARIO under each policy with each seed, every run a `kubesim run` process,\n"
               "(or replay TRACE..., given --format and replay's options, with `kubesim replay`)\n"
               "and compare the runs' metrics: runs.csv, comparison.csv and a table.\n"
               "Runs already complete in the output directory are kept (a resumed comparison).\n"
               "See docs/experiments.md.");
  if (!ks_cli_parse (context, "compare", &argc, &argv))
    {
      status = KS_EXIT_USAGE;
      goto out;
    }
  trace = any_trace_arg (&o.t);
  if (o.merge && trace)
    {
      g_printerr ("kubesim compare: --merge takes only --out: the comparison is the one the "
                  "shard directories recorded\n");
      status = KS_EXIT_USAGE;
      goto out;
    }
  if (o.merge)
    {
      status = merge (&o, argc, argv);
      goto out;
    }
  if (argc < 2 || (argc > 2 && !trace))
    {
      g_printerr ("kubesim compare: %s\nTry \"kubesim compare --help\".\n",
                  argc < 2 ? (trace ? "missing TRACE" : "missing SCENARIO")
                           : "too many arguments (a trace's files need --format)");
      status = KS_EXIT_USAGE;
      goto out;
    }
  if (o.policies == NULL)
    {
      g_printerr ("kubesim compare: no --policy: give at least one (e.g. --policy default "
                  "--policy MostAllocated)\n");
      status = KS_EXIT_USAGE;
      goto out;
    }
  if (!parse_seeds (&o, seeds))
    {
      status = KS_EXIT_USAGE;
      goto out;
    }
  if (o.jobs != G_MININT && (o.jobs < 1 || o.jobs > 4096))
    {
      g_printerr ("kubesim compare: --jobs: must be from 1 to 4096, got %d\n", o.jobs);
      status = KS_EXIT_USAGE;
      goto out;
    }
  for (guint i = 0; o.metrics != NULL && o.metrics[i] != NULL; i++)
    {
      g_auto (GStrv) names = g_strsplit (o.metrics[i], ",", -1);
      for (guint j = 0; names[j] != NULL; j++)
        {
          const KsCompareMetric *m = ks_compare_metric_lookup (names[j]);
          guint n;
          const KsCompareMetric *all = ks_compare_metrics (&n);
          if (m == NULL)
            {
              g_autoptr (GString) valid = g_string_new (NULL);
              for (guint k = 0; k < n; k++)
                g_string_append_printf (valid, "%s%s", k > 0 ? ", " : "", all[k].name);
              g_printerr ("kubesim compare: --metric: unknown metric \"%s\"; valid metrics: %s\n",
                          names[j], valid->str);
              status = KS_EXIT_USAGE;
              goto out;
            }
          if (!g_ptr_array_find (metrics, m, NULL))
            g_ptr_array_add (metrics, (gpointer) m);
        }
    }
  if (o.shard != NULL && !parse_shard (o.shard, &co.shard, &co.n_shards))
    {
      g_printerr ("kubesim compare: --shard: \"%s\": expected I/N with 1 <= I <= N (e.g. 2/4)\n",
                  o.shard);
      status = KS_EXIT_USAGE;
      goto out;
    }
  if (!ks_cli_load_policies ("compare", o.policy_path))
    {
      status = KS_EXIT_USAGE;
      goto out;
    }
  /* The input and every policy are checked before anything runs. */
  for (guint i = 0; o.policies[i] != NULL; i++)
    {
      KsComparePolicy *p = ks_compare_policy_parse (o.policies[i], &error);
      if (p == NULL)
        {
          g_printerr ("kubesim compare: %s\n", error->message);
          status = KS_EXIT_USAGE;
          goto out;
        }
      g_ptr_array_add (policies, p);
    }
  if (trace)
    {
      if (!check_trace (&o, argc, argv, policies))
        {
          status = KS_EXIT_USAGE;
          goto out;
        }
    }
  else
    {
      scenario = ks_scenario_load (argv[1], diag);
      if (scenario == NULL)
        {
          ks_diag_print (diag, stderr);
          g_printerr ("kubesim compare: %s: %u problem%s; nothing was run\n", argv[1],
                      ks_diag_get_count (diag), ks_diag_get_count (diag) == 1 ? "" : "s");
          status = KS_EXIT_USAGE;
          goto out;
        }
      if (o.duration == NULL && scenario->duration < 0)
        {
          g_printerr ("kubesim compare: %s: no duration: set \"duration:\" in the scenario or "
                      "pass --duration\n",
                      argv[1]);
          status = KS_EXIT_USAGE;
          goto out;
        }
    }
  self = g_file_read_link ("/proc/self/exe", NULL);
  if (self == NULL)
    {
      g_printerr ("kubesim compare: cannot find the kubesim executable (/proc/self/exe)\n");
      status = KS_EXIT_FAILED;
      goto out;
    }
  if (o.out != NULL)
    out_dir = g_strdup (o.out);
  else if (trace)
    {
      g_autofree char *base = g_path_get_basename (argv[1]);
      out_dir = g_strdup_printf ("out/%s-compare", base);
    }
  else
    out_dir = g_strdup_printf ("out/%s-compare", scenario->name);
  if (trace)
    {
      ks_cli_trace_args_to_argv (&o.t, replay_args);
      g_ptr_array_add (replay_args, NULL);
      if (o.t.nodes != NULL)
        g_ptr_array_add (replay_files, o.t.nodes);
      if (o.t.cluster != NULL)
        g_ptr_array_add (replay_files, o.t.cluster);
      g_ptr_array_add (replay_files, NULL);
      for (int i = 1; i < argc; i++)
        g_ptr_array_add (traces, g_strdup (argv[i]));
      g_ptr_array_add (traces, NULL);
      co.traces = (char **) traces->pdata;
      co.replay_args = (char **) replay_args->pdata;
      co.replay_files = (char **) replay_files->pdata;
    }
  else
    co.scenario = argv[1];
  co.policies = policies;
  co.seeds = seeds;
  co.metrics = metrics;
  co.baseline = o.baseline;
  co.out_dir = out_dir;
  co.jobs = o.jobs != G_MININT ? (guint) o.jobs : MAX (g_get_num_processors (), 1);
  co.duration = o.duration;
  co.policy_path = o.policy_path;
  co.kubesim = self;
  co.quiet = o.quiet;
  sources[0] = g_unix_signal_add (SIGINT, on_signal, NULL);
  sources[1] = g_unix_signal_add (SIGTERM, on_signal, NULL);
  if (!ks_compare_run (&co, &error))
    {
      g_printerr ("kubesim compare: %s\n", error->message);
      status = g_error_matches (error, KS_COMPARE_ERROR, KS_COMPARE_ERROR_INPUT) ? KS_EXIT_USAGE
                                                                                 : KS_EXIT_FAILED;
    }
  g_source_remove (sources[0]);
  g_source_remove (sources[1]);

out:
  options_clear (&o);
  return status;
}
