/* test-expect.c: the expectations' expression language (sim/ks-expect.h): parse errors with
 * their offsets, every operator, object fields by path, cluster metrics, count() of events, and
 * the at / within / always windows on a clock. */
#include "config.h"

#include <string.h>

#include "sim/ks-expect.h"
#include "sim/ks-sim-clock.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-namespace.h"
#include "tests/ks-test.h"

typedef struct
{
  KsSimClock *clock;
  KsStore *store;
  KsClient *client;
  KsExprEnv env;
  double pending; /* cluster.pods_pending */
} Fixture;

static gboolean
cluster_metric (const char *name, double *out, gpointer data)
{
  Fixture *f = data;
  if (strcmp (name, "pods_pending") != 0)
    return FALSE;
  *out = f->pending;
  return TRUE;
}

static gboolean
metric (const char *name, const char *object, double *out, gpointer data)
{
  if (strcmp (name, "deployment_ready_replicas") != 0 || strcmp (object, "default/web") != 0)
    return FALSE;
  *out = 4;
  return TRUE;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->clock = ks_sim_clock_new ();
  f->store = ks_store_new (ks_sim_clock_get_clock (f->clock), 1);
  f->client = ks_store_client_new (f->store);
  ks_test_create (f->store, KS_OBJECT (ks_namespace_new ("default")));
  ks_test_create (f->store,
                  ks_test_decode ("apiVersion: apps/v1\nkind: Deployment\n"
                                  "metadata: {name: web, labels: {app.kubernetes.io/name: web}}\n"
                                  "spec:\n  replicas: 3\n  selector: {matchLabels: {app: web}}\n"
                                  "  template:\n    metadata: {labels: {app: web}}\n"
                                  "    spec: {containers: [{name: c, image: web:1.0}]}\n"));
  f->env.client = f->client;
  f->env.cluster_metric = cluster_metric;
  f->env.metric = metric;
  f->env.data = f;
  f->env.epoch = KS_DEFAULT_EPOCH;
  f->pending = 2;
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ks_client_free (f->client);
  ks_store_free (f->store);
  ks_sim_clock_free (f->clock);
}

/* 1: true, 0: false, -1: cannot be evaluated. */
static int
eval (Fixture *f, const char *text)
{
  g_autoptr (GError) error = NULL;
  KsExpr *e = ks_expr_parse (text, NULL, &error);
  KsValue result = { 0 }, observed = { 0 };
  int r;

  g_assert_no_error (error);
  f->env.now = ks_clock_now (ks_sim_clock_get_clock (f->clock));
  if (!ks_expr_eval (e, &f->env, &result, &observed, &error))
    {
      g_assert_nonnull (error);
      r = -1;
    }
  else
    r = result.boolean;
  ks_value_clear (&result);
  ks_value_clear (&observed);
  ks_expr_free (e);
  return r;
}

static void
test_operators (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *text;
    int want;
  } cases[] = {
    { "1 == 1", 1 },
    { "1 == 2", 0 },
    { "1 != 2", 1 },
    { "1 < 2", 1 },
    { "2 < 2", 0 },
    { "2 <= 2", 1 },
    { "3 > 2", 1 },
    { "2 > 2", 0 },
    { "2 >= 2", 1 },
    { "1 + 2 * 3 == 7", 1 },
    { "(1 + 2) * 3 == 9", 1 },
    { "7 / 2 == 3.5", 1 },
    { "7 % 4 == 3", 1 },
    { "10 - 2 - 3 == 5", 1 },
    { "-2 + 5 == 3", 1 },
    { "1.5e1 == 15", 1 },
    { "true && false", 0 },
    { "true and true", 1 },
    { "false || true", 1 },
    { "false or false", 0 },
    { "!false", 1 },
    { "not true", 0 },
    { "true || 1 / 0 == 1", 1 }, /* short-circuit */
    { "1 / 0 == 1", -1 },
    { "'a' == 'a'", 1 },
    { "\"a\" != 'b'", 1 },
    { "'abc' < 'abd'", 1 },
    { "'a' == 1", -1 },
    { "'a' < 1", -1 },
    { "1 && true", -1 },
    { "null == 0", 1 },
    { "null == null", 1 },
    { "deployment/web.spec.replicas == 3", 1 },
    { "deploy/web.spec.replicas + 1 > 3", 1 },
    { "deployment/default/web.spec.replicas == 3", 1 },
    { "deployment/web.metadata.name == 'web'", 1 },
    { "deployment/web.metadata.labels['app.kubernetes.io/name'] == 'web'", 1 },
    { "deployment/web.spec.template.spec.containers[0].image == 'web:1.0'", 1 },
    { "deployment/web.spec.template.spec.containers[1].image == null", 1 },
    { "deployment/web.status.readyReplicas == 0", 1 }, /* omitted zero */
    { "deployment/web.status.readyReplicas >= 1", 0 },
    { "deployment/web.spec.template == 1", -1 },   /* a mapping */
    { "deployment/other.spec.replicas == 3", -1 }, /* no such object */
    { "deployment/web.spec.paused == false || deployment/web.spec.paused == null", 1 },
    { "deployment/web.spec.replicas", -1 }, /* a number, not true or false */
    { "cluster.pods_pending <= 2", 1 },
    { "cluster.pods_pending < 2", 0 },
    { "cluster.nodes == 0", -1 }, /* not provided by this environment */
    { "time == 0", 1 },
    { "metric('deployment_ready_replicas', 'default/web') == 4", 1 },
    { "metric(\"deployment_ready_replicas\", \"default/web\") > 4", 0 },
    { "metric('deployment_ready_replicas', 'default/api') == 4", -1 }, /* no such row */
    { "count(event == 'Scaled') == 0", 1 },
    { "service/web.latency_p95 < 1", -1 }, /* no request model */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int got = eval (f, cases[i].text);
      if (got != cases[i].want)
        g_error ("%s: got %d, want %d", cases[i].text, got, cases[i].want);
    }
}

static void
test_parse_errors (void)
{
  static const struct
  {
    const char *text;
    guint offset;
    const char *message; /* a part of the message */
  } cases[] = {
    { "", 0, "empty expression" },
    { "1 = 1", 2, "compare with \"==\"" },
    { "1 < 2 < 3", 6, "do not chain" },
    { "1 +", 3, "expected a value" },
    { "(1 == 1", 7, "expected \")\"" },
    { "1 == 1 2", 7, "expected an operator or the end" },
    { "'abc == 1", 0, "unterminated string" },
    { "1 & 2", 2, "use \"&&\"" },
    { "1 | 2", 2, "use \"||\"" },
    { "1 $ 2", 2, "unexpected character" },
    { "12abc == 1", 0, "invalid number" },
    { "widget/web.x == 1", 0, "unknown kind \"widget\"" },
    { "deployment/web == 1", 15, "expected a field after the object" },
    { "deployment/web. == 1", 16, "a field name after \".\"" },
    { "deployment/web.spec[x] == 1", 20, "an index" },
    { "deployment/.spec == 1", 11, "the object's name" },
    { "cluster.podz == 1", 8, "a cluster metric" },
    { "cluster == 1", 8, "expected \".\"" },
    { "foo == 1", 0, "unknown name \"foo\"" },
    { "count(event = 'x') == 1", 12, "compare with" },
    { "count(colour == 'x') == 1", 6, "a condition on one of" },
    { "count(event == x) == 1", 15, "a string in quotes" },
    { "count(object == 'web') == 1", 6, "'kind/name'" },
    { "count(type == 'Error') == 1", 6, "'Normal' or 'Warning'" },
    { "count(event == 'a' event == 'b') == 1", 19, "expected \",\"" },
    { "deployment/web.spec.replicas - 1", 0, "a value, not a condition" },
    { "metric(pods, 'node-0') == 1", 7, "the metric's name in quotes" },
    { "metric('pods') == 1", 13, "expected \",\"" },
    { "metric('pods', node) == 1", 15, "the metric's object in quotes" },
    { "metric('pods', 'n', 'x') == 1", 18, "expected \")\"" },
    { "metric('pods', 'n')", 0, "a value, not a condition" },
    { "count()", 0, "a value, not a condition" },
    { "1 + 2", 0, "a value, not a condition" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      guint offset = 999;
      KsExpr *e = ks_expr_parse (cases[i].text, &offset, &error);
      if (e != NULL)
        g_error ("%s: parsed", cases[i].text);
      g_assert_error (error, KS_EXPR_ERROR, 0);
      if (strstr (error->message, cases[i].message) == NULL || offset != cases[i].offset)
        g_error ("%s: got \"%s\" at %u, want \"%s\" at %u", cases[i].text, error->message, offset,
                 cases[i].message, cases[i].offset);
    }
}

static void
record (KsExpr *e, const KsObject *obj, const char *reason, gboolean warning, const char *node)
{
  KsEventRecord r = { .reason = reason, .object = obj, .warning = warning, .node = node };
  ks_expr_count_event (e, &r);
}

static void
test_count (Fixture *f, gconstpointer data)
{
  g_autoptr (KsObject) web
      = ks_client_get (f->client, ks_kind_get (KS_KIND_DEPLOYMENT), "default", "web", NULL);
  g_autoptr (GError) error = NULL;
  KsExpr *e = ks_expr_parse ("count(event == 'ScalingReplicaSet', object == 'deployment/web', "
                             "type != 'Warning') == 2 && count(node == 'n1') == 1",
                             NULL, &error);
  KsValue result = { 0 }, observed = { 0 };

  g_assert_no_error (error);
  record (e, web, "ScalingReplicaSet", FALSE, NULL);
  record (e, web, "ScalingReplicaSet", TRUE, NULL); /* a Warning: not counted */
  record (e, web, "Other", FALSE, "n1");
  record (e, NULL, "ScalingReplicaSet", FALSE, NULL); /* no object */
  g_assert_true (ks_expr_eval (e, &f->env, &result, &observed, &error));
  g_assert_false (result.boolean);
  record (e, web, "ScalingReplicaSet", FALSE, NULL);
  g_assert_true (ks_expr_eval (e, &f->env, &result, &observed, &error));
  g_assert_true (result.boolean);
  ks_value_clear (&observed);
  ks_expr_free (e);
}

/* The observed value of a comparison is its left side. */
static void
test_observed (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  KsExpr *e = ks_expr_parse ("deployment/web.spec.replicas * 2 >= 10", NULL, &error);
  KsValue result = { 0 }, observed = { 0 };
  g_autoptr (GString) json = g_string_new (NULL);

  g_assert_true (ks_expr_eval (e, &f->env, &result, &observed, &error));
  g_assert_false (result.boolean);
  ks_value_append_json (&observed, json);
  g_assert_cmpstr (json->str, ==, "6");
  ks_value_clear (&observed);
  ks_expr_free (e);

  /* In a conjunction, the condition that decided it. */
  e = ks_expr_parse ("1 < 2 && deployment/web.spec.replicas > 5 && 7 > 8", NULL, &error);
  g_assert_true (ks_expr_eval (e, &f->env, &result, &observed, &error));
  g_assert_false (result.boolean);
  g_string_truncate (json, 0);
  ks_value_append_json (&observed, json);
  g_assert_cmpstr (json->str, ==, "3");
  ks_value_clear (&observed);
  ks_expr_free (e);
  e = ks_expr_parse ("1 > 2 || 'x' == 'x'", NULL, &error);
  g_assert_true (ks_expr_eval (e, &f->env, &result, &observed, &error));
  g_assert_true (result.boolean);
  g_string_truncate (json, 0);
  ks_value_append_json (&observed, json);
  g_assert_cmpstr (json->str, ==, "\"x\"");
  ks_value_clear (&observed);
  ks_expr_free (e);
}

static KsExpectation *
expectation (KsExpectMode mode, gint64 from, gint64 until, const char *that)
{
  KsExpectation *e = g_new0 (KsExpectation, 1);
  e->mode = mode;
  e->from = from;
  e->until = until;
  e->that = g_strdup (that);
  e->where = g_strdup ("test");
  e->every = KS_EXPECT_STEP;
  e->expr = ks_expr_parse (that, NULL, NULL);
  g_assert_nonnull (e->expr);
  return e;
}

static void
set_pending (gpointer data)
{
  Fixture *f = data;
  f->pending = f->pending == 2 ? 5 : 2;
}

/* pods_pending is 2, becomes 5 at 30 s and 2 again at 60 s; the run ends at 100 s. */
static void
test_windows (Fixture *f, gconstpointer data)
{
  const gint64 s = KS_USEC_PER_SEC;
  g_autoptr (GPtrArray) list
      = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_expectation_free);
  KsClock *clock = ks_sim_clock_get_clock (f->clock);
  KsExpectRun *run;
  g_autoptr (GString) json = g_string_new (NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonArray *a;
  static const struct
  {
    const char *status;
    double t;
  } want[] = {
    { "passed", 10 },  /* at 10s: <= 2 */
    { "failed", 40 },  /* at 40s: <= 2 */
    { "passed", 30 },  /* within [0s, 50s]: >= 5, first true at 30 */
    { "failed", 20 },  /* within [0s, 20s]: >= 5 */
    { "failed", 30 },  /* always from 0: <= 2, first false at 30 */
    { "passed", 100 }, /* always from 60s: <= 2 */
    { "passed", 100 }, /* at end: <= 2 */
    { "failed", 100 }, /* at 200s: after the end */
    { "passed", 60 },  /* within [55s, 300s]: <= 2 past the end's window, true at 60 */
    { "passed", 50 },  /* within [0s, 50s] every 25s: >= 5, seen at 50 */
  };

  g_ptr_array_add (list, expectation (KS_EXPECT_AT, 10 * s, 10 * s, "cluster.pods_pending <= 2"));
  g_ptr_array_add (list, expectation (KS_EXPECT_AT, 40 * s, 40 * s, "cluster.pods_pending <= 2"));
  g_ptr_array_add (list, expectation (KS_EXPECT_WITHIN, 0, 50 * s, "cluster.pods_pending >= 5"));
  g_ptr_array_add (list, expectation (KS_EXPECT_WITHIN, 0, 20 * s, "cluster.pods_pending >= 5"));
  g_ptr_array_add (list,
                   expectation (KS_EXPECT_ALWAYS, 0, KS_EXPECT_END, "cluster.pods_pending <= 2"));
  g_ptr_array_add (
      list, expectation (KS_EXPECT_ALWAYS, 60 * s, KS_EXPECT_END, "cluster.pods_pending <= 2"));
  g_ptr_array_add (
      list, expectation (KS_EXPECT_AT, KS_EXPECT_END, KS_EXPECT_END, "cluster.pods_pending <= 2"));
  g_ptr_array_add (list, expectation (KS_EXPECT_AT, 200 * s, 200 * s, "cluster.pods_pending <= 2"));
  g_ptr_array_add (list,
                   expectation (KS_EXPECT_WITHIN, 55 * s, 300 * s, "cluster.pods_pending <= 2"));
  g_ptr_array_add (list, expectation (KS_EXPECT_WITHIN, 0, 50 * s, "cluster.pods_pending >= 5"));
  ((KsExpectation *) g_ptr_array_index (list, list->len - 1))->every = 25 * s;
  ks_clock_schedule (clock, 30 * s, set_pending, f, NULL);
  ks_clock_schedule (clock, 60 * s, set_pending, f, NULL);
  run = ks_expect_run_new (list, &f->env, clock, 100 * s);
  ks_expect_run_start (run);
  ks_sim_clock_run_until (f->clock, 100 * s);
  ks_expect_run_finish (run);
  g_assert_cmpuint (ks_expect_run_n_failed (run), ==, 4);
  g_string_append (json, "{\"x\": 0");
  ks_expect_run_append_summary (run, json);
  g_string_append (json, "}");
  g_assert_true (json_parser_load_from_data (parser, json->str, -1, &error));
  a = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                    "expectations");
  g_assert_cmpuint (json_array_get_length (a), ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      JsonObject *o = json_array_get_object_element (a, i);
      if (strcmp (json_object_get_string_member (o, "status"), want[i].status) != 0
          || json_object_get_double_member (o, "t") != want[i].t)
        g_error ("expectation %u: %s at %g, want %s at %g", i,
                 json_object_get_string_member (o, "status"),
                 json_object_get_double_member (o, "t"), want[i].status, want[i].t);
    }
  ks_expect_run_free (run);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/expect/operators", Fixture, NULL, fixture_setup, test_operators, fixture_teardown);
  g_test_add_func ("/expect/parse-errors", test_parse_errors);
  g_test_add ("/expect/count", Fixture, NULL, fixture_setup, test_count, fixture_teardown);
  g_test_add ("/expect/observed", Fixture, NULL, fixture_setup, test_observed, fixture_teardown);
  g_test_add ("/expect/windows", Fixture, NULL, fixture_setup, test_windows, fixture_teardown);
  return g_test_run ();
}
