/* ks-check.c: results, golden comparison and reports of `kubesim check` (ks-check.h). */
#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "ks-check.h"

static void
case_free (gpointer p)
{
  KsCheckCase *c = p;
  g_free (c->name);
  g_free (c->observed);
  g_free (c->where);
  g_free (c->message);
  g_free (c);
}

KsCheckScenario *
ks_check_scenario_new (const char *path, const char *name, const char *out_dir)
{
  KsCheckScenario *s = g_new0 (KsCheckScenario, 1);
  s->path = g_strdup (path);
  s->name = g_strdup (name);
  s->out_dir = g_strdup (out_dir);
  s->cases = g_ptr_array_new_with_free_func (case_free);
  return s;
}

void
ks_check_scenario_free (KsCheckScenario *s)
{
  if (s == NULL)
    return;
  g_free (s->path);
  g_free (s->name);
  g_free (s->out_dir);
  g_free (s->output);
  g_ptr_array_unref (s->cases);
  g_free (s);
}

void
ks_check_scenario_add (KsCheckScenario *s, const char *name, gboolean ok, gboolean error,
                       const char *message)
{
  KsCheckCase *c = g_new0 (KsCheckCase, 1);
  c->name = g_strdup (name);
  c->ok = ok;
  c->error = error;
  c->t = -1;
  c->message = g_strdup (message);
  g_ptr_array_add (s->cases, c);
}

/* "5m", "90s", "1h2m3.5s" from seconds, as durations are written in scenarios. */
static char *
format_seconds (double t)
{
  GString *s = g_string_new (NULL);
  gint64 whole = (gint64) floor (t);
  double frac = t - (double) whole;

  if (whole >= 3600)
    g_string_append_printf (s, "%" G_GINT64_FORMAT "h", whole / 3600);
  if (whole % 3600 >= 60)
    g_string_append_printf (s, "%" G_GINT64_FORMAT "m", whole % 3600 / 60);
  if (whole % 60 != 0 || frac > 0 || s->len == 0)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.6g", (double) (whole % 60) + frac));
      g_string_append_c (s, 's');
    }
  return g_string_free (s, FALSE);
}

static char *
describe_expectation (JsonObject *e)
{
  GString *d;

  if (json_object_has_member (e, "name"))
    return g_strdup (json_object_get_string_member (e, "name"));
  d = g_string_new (NULL);
  if (json_object_has_member (e, "at"))
    {
      g_autofree char *t = format_seconds (json_object_get_double_member (e, "at"));
      g_string_append_printf (d, "at %s: ", t);
    }
  else
    {
      const char *mode = json_object_has_member (e, "within") ? "within" : "always";
      JsonArray *w = json_object_get_array_member (e, mode);
      g_autofree char *from = format_seconds (json_array_get_double_element (w, 0));
      g_autofree char *until = format_seconds (json_array_get_double_element (w, 1));
      g_string_append_printf (d, "%s [%s, %s]: ", mode, from, until);
    }
  g_string_append (d, json_object_get_string_member (e, "that"));
  return g_string_free (d, FALSE);
}

void
ks_check_scenario_collect (KsCheckScenario *s)
{
  g_autofree char *path = g_build_filename (s->out_dir, "summary.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *root;
  JsonArray *a;

  if (s->exit_status == 2)
    {
      ks_check_scenario_add (s, "bad input: nothing was run", FALSE, TRUE, s->output);
      return;
    }
  if (!json_parser_load_from_file (parser, path, &error)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_autofree char *m = g_strdup_printf (
          "the run (exit status %d) left no summary.json: %s%s", s->exit_status,
          error ? error->message : "not a mapping", s->output && *s->output ? "\n" : "");
      g_autofree char *full = g_strconcat (m, s->output ? s->output : "", NULL);
      ks_check_scenario_add (s, "the run failed", FALSE, TRUE, full);
      return;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (root, "expectations"))
    {
      ks_check_scenario_add (s, "runs (no expectations)", s->exit_status == 0, s->exit_status != 0,
                             s->exit_status == 0 ? NULL : s->output);
      return;
    }
  a = json_object_get_array_member (root, "expectations");
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *e = json_array_get_object_element (a, i);
      KsCheckCase *c = g_new0 (KsCheckCase, 1);
      c->name = describe_expectation (e);
      c->ok = strcmp (json_object_get_string_member (e, "status"), "passed") == 0;
      c->observed = json_to_string (json_object_get_member (e, "observed"), FALSE);
      if (json_node_get_value_type (json_object_get_member (e, "observed")) == G_TYPE_DOUBLE)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          g_free (c->observed);
          c->observed = g_strdup (g_ascii_formatd (buf, sizeof buf, "%.6g",
                                                   json_object_get_double_member (e, "observed")));
        }
      c->t = json_object_get_double_member (e, "t");
      c->where = g_strdup (json_object_get_string_member (e, "where"));
      if (json_object_has_member (e, "message"))
        c->message = g_strdup (json_object_get_string_member (e, "message"));
      g_ptr_array_add (s->cases, c);
    }
}

/* Golden comparison */

typedef struct
{
  double t;
  char *key; /* "metric,object" */
  double value;
  guint line;
} Row;

static void
row_clear (gpointer p)
{
  g_free (((Row *) p)->key);
}

/* metrics.csv's rows: t,metric,object,value after a header. */
static GArray *
read_rows (const char *path, char **problem)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  GArray *rows;

  if (!g_file_get_contents (path, &text, NULL, &error))
    {
      *problem = g_strdup (error->message);
      return NULL;
    }
  rows = g_array_new (FALSE, TRUE, sizeof (Row));
  g_array_set_clear_func (rows, row_clear);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[0] != NULL && lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = NULL;
      Row r = { 0 };
      if (lines[i][0] == '\0')
        continue;
      f = g_strsplit (lines[i], ",", 4);
      if (g_strv_length (f) != 4)
        {
          *problem = g_strdup_printf ("%s:%u: expected t,metric,object,value, got \"%s\"", path,
                                      i + 1, lines[i]);
          g_array_unref (rows);
          return NULL;
        }
      r.t = g_ascii_strtod (f[0], NULL);
      r.key = g_strdup_printf ("%s,%s", f[1], f[2]);
      r.value = g_ascii_strtod (f[3], NULL);
      r.line = i + 1;
      g_array_append_val (rows, r);
    }
  return rows;
}

/* Rows by "t,metric,object". */
static GHashTable *
index_rows (GArray *rows)
{
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < rows->len; i++)
    {
      Row *r = &g_array_index (rows, Row, i);
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      g_hash_table_insert (
          h, g_strdup_printf ("%s,%s", g_ascii_formatd (buf, sizeof buf, "%.9g", r->t), r->key), r);
    }
  return h;
}

static char *
row_id (const Row *r)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup_printf ("%s,%s", g_ascii_formatd (buf, sizeof buf, "%.9g", r->t), r->key);
}

gboolean
ks_check_golden (const char *run, const char *golden, double tolerance, char **divergence)
{
  g_autofree char *problem = NULL;
  g_autoptr (GArray) a = read_rows (run, &problem);
  g_autoptr (GArray) b = a != NULL ? read_rows (golden, &problem) : NULL;
  g_autoptr (GHashTable) ia = NULL;
  g_autoptr (GHashTable) ib = NULL;
  const Row *first = NULL;
  char *what = NULL;

  if (b == NULL)
    {
      *divergence = g_steal_pointer (&problem);
      return FALSE;
    }
  ia = index_rows (a);
  ib = index_rows (b);
  /* Both files are in time order: the first divergence is the earlier of the first golden row
   * the run does not match and the first run row the golden file does not have. */
  for (guint i = 0; i < b->len && first == NULL; i++)
    {
      const Row *g = &g_array_index (b, Row, i);
      g_autofree char *id = row_id (g);
      const Row *r = g_hash_table_lookup (ia, id);
      g_autofree char *t = format_seconds (g->t);
      if (r == NULL)
        {
          first = g;
          what = g_strdup_printf ("at t=%s: %s is %g in the golden file (line %u) and missing in "
                                  "the run",
                                  t, g->key, g->value, g->line);
        }
      else if (fabs (r->value - g->value) > tolerance * MAX (1.0, fabs (g->value)))
        {
          first = g;
          what = g_strdup_printf ("at t=%s: %s is %g, the golden file has %g (line %u; tolerance "
                                  "%g)",
                                  t, g->key, r->value, g->value, g->line, tolerance);
        }
    }
  for (guint i = 0; i < a->len; i++)
    {
      const Row *r = &g_array_index (a, Row, i);
      g_autofree char *id = row_id (r);
      if (first != NULL && r->t >= first->t)
        break;
      if (!g_hash_table_contains (ib, id))
        {
          g_autofree char *t = format_seconds (r->t);
          g_free (what);
          what = g_strdup_printf ("at t=%s: %s is %g in the run and missing in the golden file", t,
                                  r->key, r->value);
          first = r;
          break;
        }
    }
  if (first == NULL)
    return TRUE;
  *divergence = what;
  return FALSE;
}

/* TAP */

static void
append_yaml_string (GString *out, const char *key, const char *value)
{
  /* A literal block keeps multi-line text (a bad scenario's problems) readable. */
  if (strchr (value, '\n') != NULL)
    {
      g_auto (GStrv) lines = g_strsplit (value, "\n", -1);
      g_string_append_printf (out, "  %s: |\n", key);
      for (guint i = 0; lines[i] != NULL; i++)
        if (lines[i][0] != '\0' || lines[i + 1] != NULL)
          g_string_append_printf (out, "    %s\n", lines[i]);
    }
  else
    {
      g_autoptr (JsonNode) n = json_node_init_string (json_node_alloc (), value);
      g_autofree char *q = json_to_string (n, FALSE);
      g_string_append_printf (out, "  %s: %s\n", key, q);
    }
}

void
ks_check_append_tap (GString *out, const KsCheckScenario *s, guint *n)
{
  for (guint i = 0; i < s->cases->len; i++)
    {
      const KsCheckCase *c = g_ptr_array_index (s->cases, i);
      g_autofree char *name = g_strdup_printf ("%s: %s", s->name, c->name);

      /* "#" starts a TAP directive: keep it out of descriptions. */
      g_strdelimit (name, "#", '_');
      g_string_append_printf (out, "%sok %u - %s\n", c->ok ? "" : "not ", ++*n, name);
      if (c->ok)
        continue;
      g_string_append (out, "  ---\n");
      append_yaml_string (out, "scenario", s->path);
      if (c->where != NULL)
        append_yaml_string (out, "where", c->where);
      if (c->observed != NULL)
        g_string_append_printf (out, "  observed: %s\n", c->observed);
      if (c->t >= 0)
        {
          g_autofree char *t = format_seconds (c->t);
          g_string_append_printf (out, "  t: %s\n", t);
        }
      if (c->message != NULL && c->message[0] != '\0')
        append_yaml_string (out, "message", c->message);
      g_string_append (out, "  ...\n");
    }
}

/* JUnit */

static void
attr (GString *out, const char *name, const char *value)
{
  g_autofree char *e = g_markup_escape_text (value, -1);
  g_string_append_printf (out, " %s=\"%s\"", name, e);
}

static void
text (GString *out, const char *value)
{
  g_autofree char *e = g_markup_escape_text (value, -1);
  g_string_append (out, e);
}

char *
ks_check_junit (const GPtrArray *scenarios)
{
  GString *out = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  guint tests = 0, failures = 0, errors = 0;
  double wall = 0;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; i < scenarios->len; i++)
    {
      const KsCheckScenario *s = g_ptr_array_index (scenarios, i);
      wall += s->wall;
      for (guint j = 0; j < s->cases->len; j++)
        {
          const KsCheckCase *c = g_ptr_array_index (s->cases, j);
          tests++;
          failures += !c->ok && !c->error;
          errors += !c->ok && c->error;
        }
    }
  g_string_append_printf (out,
                          "<testsuites name=\"kubesim check\" tests=\"%u\" failures=\"%u\" "
                          "errors=\"%u\" time=\"%s\">\n",
                          tests, failures, errors, g_ascii_formatd (buf, sizeof buf, "%.3f", wall));
  for (guint i = 0; i < scenarios->len; i++)
    {
      const KsCheckScenario *s = g_ptr_array_index (scenarios, i);
      guint f = 0, e = 0;
      for (guint j = 0; j < s->cases->len; j++)
        {
          const KsCheckCase *c = g_ptr_array_index (s->cases, j);
          f += !c->ok && !c->error;
          e += !c->ok && c->error;
        }
      g_string_append (out, "  <testsuite");
      attr (out, "name", s->name);
      g_string_append_printf (out, " tests=\"%u\" failures=\"%u\" errors=\"%u\" time=\"%s\"",
                              s->cases->len, f, e,
                              g_ascii_formatd (buf, sizeof buf, "%.3f", s->wall));
      attr (out, "file", s->path);
      g_string_append (out, ">\n");
      for (guint j = 0; j < s->cases->len; j++)
        {
          const KsCheckCase *c = g_ptr_array_index (s->cases, j);
          g_string_append (out, "    <testcase");
          attr (out, "name", c->name);
          attr (out, "classname", s->name);
          attr (out, "file", s->path);
          g_string_append (out, " time=\"0\"");
          if (c->ok)
            {
              g_string_append (out, "/>\n");
              continue;
            }
          g_string_append_printf (out, ">\n      <%s", c->error ? "error" : "failure");
          {
            g_autoptr (GString) m = g_string_new (NULL);
            g_autofree char *t = c->t >= 0 ? format_seconds (c->t) : NULL;
            if (c->observed != NULL)
              g_string_append_printf (m, "observed %s", c->observed);
            if (t != NULL)
              g_string_append_printf (m, "%sat %s", m->len ? " " : "", t);
            if (c->message != NULL && strchr (c->message, '\n') == NULL)
              g_string_append_printf (m, "%s%s", m->len ? ": " : "", c->message);
            if (m->len == 0)
              g_string_append (m, c->error ? "the scenario could not be run" : "failed");
            attr (out, "message", m->str);
          }
          attr (out, "type", c->error ? "error" : "expectation");
          g_string_append (out, ">");
          if (c->where != NULL)
            {
              text (out, c->where);
              g_string_append (out, ": ");
            }
          text (out, c->name);
          if (c->message != NULL)
            {
              g_string_append (out, "\n");
              text (out, c->message);
            }
          g_string_append_printf (out, "</%s>\n    </testcase>\n", c->error ? "error" : "failure");
        }
      if (s->output != NULL && s->output[0] != '\0')
        {
          g_string_append (out, "    <system-err>");
          text (out, s->output);
          g_string_append (out, "</system-err>\n");
        }
      g_string_append (out, "  </testsuite>\n");
    }
  g_string_append (out, "</testsuites>\n");
  return g_string_free (out, FALSE);
}
