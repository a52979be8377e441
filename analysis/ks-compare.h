/* ks-compare.h: `kubesim compare` (docs/experiments.md): run a scenario under several policies
 * and seeds, each (policy, seed) pair as its own `kubesim run` process, and compare the runs'
 * headline metrics with ks-stats.
 *
 * INPUT is a scenario or a trace: then every run is a `kubesim replay` process with the trace's
 * options.
 *
 * An output directory holds
 *   compare.json          the matrix (scenario, policies, seeds, metrics, baseline) and shard
 *   policies/NAME.yaml    the KubeSchedulerConfiguration made for a built-in profile
 *   runs/NAME/seed-N/     one run: events.jsonl, metrics.csv, summary.json, run.log and
 *                         inputs.sha256 (what the run was made from, for resuming)
 *   runs.csv              one row per run: its status and every headline metric
 *   comparison.csv        per policy and compared metric: the statistics and the tests
 *   report.html           the report on all of it (ks-report.h), its figures' scripts and data
 *                         in report-files/
 * Everything written is a function of the matrix and the runs' summaries: the same matrix gives
 * byte-identical CSV files whether it ran at once, resumed, or in shards merged afterwards. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define KS_COMPARE_ERROR (ks_compare_error_quark ())
GQuark ks_compare_error_quark (void);

typedef enum
{
  KS_COMPARE_ERROR_INPUT, /* bad options or input: exit 2 */
  KS_COMPARE_ERROR_FAILED /* runs failed, a merge lacks runs, files cannot be written: exit 1 */
} KsCompareError;

/* One --policy: NAME=SPEC, or SPEC alone (docs/experiments.md "Policies"). */
typedef struct
{
  char *name;        /* the directory under runs/ and the name in the tables */
  char *spec;        /* what followed NAME= */
  char *config_file; /* a KubeSchedulerConfiguration file given in SPEC, or NULL */
  char *generated;   /* the configuration made for built-in profiles, or NULL */
  char *hpa_policy;  /* hpa=NAME, or NULL */
} KsComparePolicy;

/* Parse one --policy argument: every item of SPEC checked (files exist and load as a
 * KubeSchedulerConfiguration, plugins are known: load policy modules first).  NULL with
 * KS_COMPARE_ERROR_INPUT saying what is wrong and what would be valid. */
KsComparePolicy *ks_compare_policy_parse (const char *arg, GError **error);
void ks_compare_policy_free (KsComparePolicy *policy);

/* The headline metrics, in the order of runs.csv's columns. */
typedef struct
{
  const char *name;
  const char *unit;
  const char *description;
} KsCompareMetric;

const KsCompareMetric *ks_compare_metrics (guint *n);
const KsCompareMetric *ks_compare_metric_lookup (const char *name);
/* A metric's value in a run's summary.json; FALSE when the run has none (no pod scheduled, no
 * Service, no expectation, ...): an empty field in runs.csv, left out of the statistics. */
gboolean ks_compare_metric_value (JsonObject *summary, const KsCompareMetric *metric, double *out);

typedef struct
{
  const char *scenario; /* the scenario run by `kubesim run`, or NULL with traces */
  char **traces;        /* or the trace (files, directories of parts) replayed by `kubesim replay`
                         * with replay_args (--format=F and the other trace options, as
                         * --name=value), every run; NULL-terminated */
  char **replay_args;
  char **replay_files;  /* the files replay_args name (--nodes, --cluster): their contents count in
                         * the inputs' fingerprint, not their paths */
  GPtrArray *policies;  /* KsComparePolicy*, at least one, distinct names */
  GArray *seeds;        /* guint64, distinct */
  GPtrArray *metrics;   /* const KsCompareMetric*: those compared (all when empty) */
  const char *baseline; /* a policy's name; NULL: the first */
  const char *out_dir;
  guint jobs;            /* runs at once, ≥ 1 */
  guint shard, n_shards; /* run only the runs k (matrix order) with k mod n_shards = shard − 1;
                          * 0, 0: all */
  const char *duration;  /* --duration for every run, or NULL */
  char **policy_path;    /* --policy-path for every run, or NULL */
  const char *kubesim;   /* the executable to run */
  gboolean quiet;        /* no progress lines on stderr */
} KsCompareOptions;

/* Run what is missing of the matrix (or of its shard), then write runs.csv and comparison.csv
 * and print the table on stdout.  FALSE with KS_COMPARE_ERROR_INPUT (nothing was run),
 * KS_COMPARE_ERROR_FAILED (some runs failed or were interrupted; the rest is written). */
gboolean ks_compare_run (const KsCompareOptions *options, GError **error);

/* Combine the shard directories dirs (each written by ks_compare_run with the same matrix) into
 * out_dir: the runs' summaries copied to out_dir/runs/, runs.csv, comparison.csv, compare.json,
 * the table on stdout. */
gboolean ks_compare_merge (char **dirs, const char *out_dir, GError **error);

/* Stop the runs under way (their directories stay incomplete, to be redone) and make
 * ks_compare_run return: for SIGINT and SIGTERM. */
void ks_compare_interrupt (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsComparePolicy, ks_compare_policy_free)

G_END_DECLS
