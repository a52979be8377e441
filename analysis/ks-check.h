/* ks-check.h: what `kubesim check` reports (docs/ci.md): the results of a scenario's run read
 * from its summary.json, the comparison of a run's metrics.csv with a stored (golden) one, and
 * the reports: TAP (version 13) and JUnit XML (the schema in tests/junit.xsd). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One assertion: a TAP line, a JUnit testcase. */
typedef struct
{
  char *name; /* the description: "<scenario>: at 5m: <expression>" */
  gboolean ok;
  gboolean error; /* the scenario could not be run (bad input, a failed run), not a failed check */
  char *observed; /* the observed value as JSON, or NULL */
  double t;       /* s; -1: none */
  char *where;    /* "file:line:column", or NULL */
  char *message;  /* why it failed, or NULL */
} KsCheckCase;

typedef struct
{
  char *path;       /* the scenario file */
  char *name;       /* its name (the output directory under out/) */
  char *out_dir;    /* where its run wrote */
  int exit_status;  /* of `kubesim run`: 0, 1 (an expectation failed) or 2 (bad input) */
  char *output;     /* the run's stderr */
  double wall;      /* s */
  GPtrArray *cases; /* KsCheckCase* */
} KsCheckScenario;

KsCheckScenario *ks_check_scenario_new (const char *path, const char *name, const char *out_dir);
void ks_check_scenario_free (KsCheckScenario *s);

/* After the run: the cases from out_dir/summary.json (one per expectation, or one "ran" case
 * when it has none), or one error case when the run failed without writing it. */
void ks_check_scenario_collect (KsCheckScenario *s);

/* Compare the run's metrics.csv (path) with golden (path): each row (t, metric, object) must be in
 * both, with values within tolerance (|run - golden| <= tolerance × max(1, |golden|)).  Returns
 * TRUE when they match; otherwise *divergence describes the first divergence in time. */
gboolean ks_check_golden (const char *run, const char *golden, double tolerance, char **divergence);

/* Add a case. */
void ks_check_scenario_add (KsCheckScenario *s, const char *name, gboolean ok, gboolean error,
                            const char *message);

/* TAP lines of s's cases, numbered from *n + 1 (*n advanced). */
void ks_check_append_tap (GString *out, const KsCheckScenario *s, guint *n);
/* A JUnit XML document of scenarios (KsCheckScenario*): a testsuite per scenario. */
char *ks_check_junit (const GPtrArray *scenarios);

G_END_DECLS
