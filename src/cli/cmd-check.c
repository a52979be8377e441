/* cmd-check.c: kubesim check [PATH...]: run every scenario under the paths, each in its own
 * `kubesim run` process (up to --jobs at once), and report their expectations as TAP on stdout,
 * optionally JUnit XML, and metrics.csv against golden files (docs/ci.md). */
#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#include "analysis/ks-check.h"
#include "ks-cli.h"
#include "src/api/ks-decode.h"
#include "src/api/ks-yaml.h"

typedef struct
{
  char *junit;
  char *golden;
  gboolean update_golden;
  char *tolerance;
  char *out;
  gint jobs;
} CheckOptions;

typedef struct
{
  CheckOptions *o;
  char *self; /* this executable */
  double tolerance;
  GPtrArray *scenarios; /* KsCheckScenario* */
  gboolean *done;
  guint next_start, next_print, running, n_tap;
  GString *tap;
  GMainLoop *loop;
} Check;

typedef struct
{
  Check *check;
  guint index;
  gint64 start;
} Job;

/* The scenario's name (its name: field, else the file's base name without extension), or NULL
 * when path is not a scenario (a manifest, a CSV file beside it). */
static char *
scenario_name (const char *path, gboolean *is_scenario)
{
  g_autoptr (KsSource) source = ks_source_new_from_file (path, NULL);
  JsonNode *root, *name;
  JsonNode *kind;

  *is_scenario = FALSE;
  if (source != NULL && ks_source_get_n_documents (source) == 1)
    {
      root = ks_source_get_document (source, 0);
      kind = JSON_NODE_HOLDS_OBJECT (root) ? ks_decoder_member (root, "kind") : NULL;
      *is_scenario = kind != NULL && JSON_NODE_HOLDS_VALUE (kind)
                     && json_node_get_value_type (kind) == G_TYPE_STRING
                     && strcmp (json_node_get_string (kind), "Scenario") == 0;
      name = *is_scenario ? ks_decoder_member (root, "name") : NULL;
      if (name != NULL && JSON_NODE_HOLDS_VALUE (name)
          && json_node_get_value_type (name) == G_TYPE_STRING)
        return g_strdup (json_node_get_string (name));
    }
  {
    char *base = g_path_get_basename (path);
    char *dot = strrchr (base, '.');
    if (dot != NULL)
      *dot = '\0';
    return base;
  }
}

static gboolean
has_yaml_suffix (const char *name)
{
  return g_str_has_suffix (name, ".yaml") || g_str_has_suffix (name, ".yml");
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The scenario files under dir, recursively, sorted by path. */
static void
find_scenarios (const char *dir, GPtrArray *out)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        find_scenarios (path, out);
      else if (has_yaml_suffix (path))
        {
          gboolean is_scenario;
          g_autofree char *sname = scenario_name (path, &is_scenario);
          if (is_scenario)
            g_ptr_array_add (out, g_steal_pointer (&path));
        }
    }
}

static void
golden (Check *c, KsCheckScenario *s)
{
  g_autofree char *run = g_build_filename (s->out_dir, "metrics.csv", NULL);
  g_autofree char *dir = g_build_filename (c->o->golden, s->name, NULL);
  g_autofree char *stored = g_build_filename (dir, "metrics.csv", NULL);
  g_autofree char *name = g_strdup_printf ("metrics.csv matches %s", stored);
  g_autofree char *divergence = NULL;
  g_autoptr (GError) error = NULL;

  if (!g_file_test (run, G_FILE_TEST_EXISTS))
    return;
  if (c->o->update_golden)
    {
      g_autofree char *text = NULL;
      gsize len;
      g_autofree char *what = g_strdup_printf ("metrics.csv written to %s", stored);
      gboolean ok = g_mkdir_with_parents (dir, 0755) == 0
                    && g_file_get_contents (run, &text, &len, &error)
                    && g_file_set_contents (stored, text, len, &error);
      ks_check_scenario_add (s, what, ok, !ok, ok ? NULL : error ? error->message : dir);
      return;
    }
  if (!g_file_test (stored, G_FILE_TEST_EXISTS))
    {
      g_autofree char *m
          = g_strdup_printf ("no golden file %s (write it with --update-golden)", stored);
      ks_check_scenario_add (s, name, FALSE, FALSE, m);
      return;
    }
  if (ks_check_golden (run, stored, c->tolerance, &divergence))
    ks_check_scenario_add (s, name, TRUE, FALSE, NULL);
  else
    ks_check_scenario_add (s, name, FALSE, FALSE, divergence);
}

static void start_jobs (Check *c);

static void
job_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Job *job = data;
  Check *c = job->check;
  GSubprocess *proc = G_SUBPROCESS (source);
  KsCheckScenario *s = g_ptr_array_index (c->scenarios, job->index);
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;

  if (!g_subprocess_communicate_utf8_finish (proc, result, NULL, &err, &error))
    {
      s->exit_status = 1;
      s->output = g_strdup (error->message);
    }
  else
    {
      s->output = g_steal_pointer (&err);
      s->exit_status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : 1;
    }
  s->wall = (double) (g_get_monotonic_time () - job->start) / G_USEC_PER_SEC;
  ks_check_scenario_collect (s);
  if (c->o->golden != NULL && s->exit_status != 2)
    golden (c, s);
  c->done[job->index] = TRUE;
  c->running--;
  g_object_unref (proc);
  g_free (job);
  /* TAP in the scenarios' order, whatever order they finish in. */
  while (c->next_print < c->scenarios->len && c->done[c->next_print])
    {
      g_string_truncate (c->tap, 0);
      ks_check_append_tap (c->tap, g_ptr_array_index (c->scenarios, c->next_print++), &c->n_tap);
      fputs (c->tap->str, stdout);
      fflush (stdout);
    }
  start_jobs (c);
  if (c->running == 0)
    g_main_loop_quit (c->loop);
}

static void
start_jobs (Check *c)
{
  while (c->running < (guint) c->o->jobs && c->next_start < c->scenarios->len)
    {
      KsCheckScenario *s = g_ptr_array_index (c->scenarios, c->next_start);
      const char *argv[] = { c->self, "run", "--quiet", "--out", s->out_dir, s->path, NULL };
      g_autoptr (GError) error = NULL;
      GSubprocess *proc = g_subprocess_newv (
          argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
      Job *job = g_new0 (Job, 1);

      job->check = c;
      job->index = c->next_start++;
      job->start = g_get_monotonic_time ();
      if (proc == NULL)
        {
          g_printerr ("kubesim check: cannot run %s: %s\n", c->self, error->message);
          s->exit_status = 1;
          s->output = g_strdup (error->message);
          ks_check_scenario_collect (s);
          c->done[job->index] = TRUE;
          g_free (job);
          continue;
        }
      c->running++;
      g_subprocess_communicate_utf8_async (proc, NULL, NULL, job_done, job);
    }
}

int
ks_cmd_check (int argc, char **argv)
{
  CheckOptions o = { .jobs = 1 };
  GOptionEntry entries[] = {
    { "junit", 0, 0, G_OPTION_ARG_FILENAME, &o.junit, "Also write JUnit XML to FILE", "FILE" },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &o.jobs, "Run N scenarios at once (default 1)", "N" },
    { "golden", 0, 0, G_OPTION_ARG_FILENAME, &o.golden,
      "Compare each run's metrics.csv with DIR/<scenario name>/metrics.csv", "DIR" },
    { "update-golden", 0, 0, G_OPTION_ARG_NONE, &o.update_golden,
      "Write the runs' metrics.csv into the --golden DIR instead of comparing", NULL },
    { "tolerance", 0, 0, G_OPTION_ARG_STRING, &o.tolerance,
      "Golden values may differ by X times max(1, |golden|) (default 0.01)", "X" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &o.out,
      "Write each run's outputs into DIR/<scenario name> (default out/check)", "DIR" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("[PATH...]");
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GMainLoop) loop = NULL;
  Check c = { .o = &o, .tolerance = 0.01 };
  int status = KS_EXIT_OK;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (
      context, "Run every scenario under the PATHs (files or folders, searched for scenario "
               "YAML files;\ndefault tests/regression, else .kubesim) and report each "
               "expectation as TAP on stdout.\nExit 0 when all pass, 1 when one fails, 2 on bad "
               "input.");
  if (!ks_cli_parse (context, "check", &argc, &argv))
    return KS_EXIT_USAGE;
  c.scenarios = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_check_scenario_free);
  c.tap = g_string_new (NULL);
  if (o.jobs < 1)
    {
      g_printerr ("kubesim check: --jobs: must be at least 1, got %d\n", o.jobs);
      status = KS_EXIT_USAGE;
      goto out;
    }
  if (o.tolerance != NULL)
    {
      char *end = NULL;
      c.tolerance = g_ascii_strtod (o.tolerance, &end);
      if (end == o.tolerance || *end != '\0' || !(c.tolerance >= 0))
        {
          g_printerr ("kubesim check: --tolerance: expected a number at least 0 (e.g. 0.01), got "
                      "\"%s\"\n",
                      o.tolerance);
          status = KS_EXIT_USAGE;
          goto out;
        }
    }
  if (o.update_golden && o.golden == NULL)
    {
      g_printerr ("kubesim check: --update-golden needs --golden DIR\n");
      status = KS_EXIT_USAGE;
      goto out;
    }
  if (argc < 2)
    {
      const char *def = g_file_test ("tests/regression", G_FILE_TEST_IS_DIR) ? "tests/regression"
                        : g_file_test (".kubesim", G_FILE_TEST_IS_DIR)       ? ".kubesim"
                                                                             : NULL;
      if (def == NULL)
        {
          g_printerr ("kubesim check: no PATH given and neither tests/regression nor .kubesim/ "
                      "exists here\nTry \"kubesim check --help\".\n");
          status = KS_EXIT_USAGE;
          goto out;
        }
      find_scenarios (def, paths);
    }
  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        find_scenarios (argv[i], paths);
      else if (g_file_test (argv[i], G_FILE_TEST_EXISTS))
        g_ptr_array_add (paths, g_strdup (argv[i]));
      else
        {
          g_printerr ("kubesim check: %s: no such file or folder\n", argv[i]);
          status = KS_EXIT_USAGE;
          goto out;
        }
    }
  if (paths->len == 0)
    {
      g_printerr ("kubesim check: no scenario files (YAML with kind: Scenario) under %s\n",
                  argc < 2 ? "the default folder" : "the given paths");
      status = KS_EXIT_USAGE;
      goto out;
    }
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      gboolean is_scenario;
      g_autofree char *name = scenario_name (path, &is_scenario);
      g_autofree char *dir = g_build_filename (o.out ? o.out : "out/check", name, NULL);
      const char *before = g_hash_table_lookup (names, name);

      /* Outputs and golden files are per name: two scenarios may not share one. */
      if (before != NULL)
        {
          g_printerr ("kubesim check: %s and %s are both named \"%s\": give them different names\n",
                      before, path, name);
          status = KS_EXIT_USAGE;
          goto out;
        }
      g_hash_table_insert (names, g_strdup (name), g_strdup (path));
      g_ptr_array_add (c.scenarios, ks_check_scenario_new (path, name, dir));
    }
  c.self = g_file_read_link ("/proc/self/exe", NULL);
  if (c.self == NULL)
    {
      g_printerr ("kubesim check: cannot find the kubesim executable (/proc/self/exe)\n");
      status = KS_EXIT_FAILED;
      goto out;
    }
  c.done = g_new0 (gboolean, c.scenarios->len);
  loop = g_main_loop_new (NULL, FALSE);
  c.loop = loop;
  printf ("TAP version 13\n");
  fflush (stdout);
  start_jobs (&c);
  if (c.running > 0)
    g_main_loop_run (loop);
  /* Jobs that could not start are done without a callback: print what is left. */
  while (c.next_print < c.scenarios->len)
    {
      g_string_truncate (c.tap, 0);
      ks_check_append_tap (c.tap, g_ptr_array_index (c.scenarios, c.next_print++), &c.n_tap);
      fputs (c.tap->str, stdout);
    }
  printf ("1..%u\n", c.n_tap);
  fflush (stdout);
  for (guint i = 0; i < c.scenarios->len; i++)
    {
      const KsCheckScenario *s = g_ptr_array_index (c.scenarios, i);
      if (s->exit_status == 2)
        status = KS_EXIT_USAGE;
      for (guint j = 0; j < s->cases->len && status == KS_EXIT_OK; j++)
        if (!((KsCheckCase *) g_ptr_array_index (s->cases, j))->ok)
          status = KS_EXIT_FAILED;
    }
  if (o.junit != NULL)
    {
      g_autofree char *xml = ks_check_junit (c.scenarios);
      g_autoptr (GError) error = NULL;
      if (!g_file_set_contents (o.junit, xml, -1, &error))
        {
          g_printerr ("kubesim check: --junit: %s\n", error->message);
          status = status == KS_EXIT_OK ? KS_EXIT_FAILED : status;
        }
    }

out:
  g_free (c.self);
  g_free (c.done);
  g_ptr_array_unref (c.scenarios);
  g_string_free (c.tap, TRUE);
  g_free (o.junit);
  g_free (o.golden);
  g_free (o.tolerance);
  g_free (o.out);
  return status;
}
