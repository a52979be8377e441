/* test-job.c: tests for the Job kind (decode, defaults, validation), the Job controller and the
 * TTL-after-finished controller (src/controllers/), on a store, a store client and a simulated
 * clock.  No kubelet or scheduler runs: the tests finish pods themselves by writing their status
 * (phase and container finish time), so every time below is exact. */
#include "config.h"

#include <string.h>

#include "sim/ks-sim-clock.h"
#include "src/api/ks-batch.h"
#include "src/api/ks-diag.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-yaml.h"
#include "src/controllers/ks-controller-private.h"
#include "src/controllers/ks-controllers.h"
#include "src/ks-events.h"
#include "src/store/ks-client.h"
#include "src/store/ks-store.h"
#include "tests/ks-test.h"

#define SEC KS_USEC_PER_SEC

/* ---- decoding -------------------------------------------------------------------------------- */

/* Decode text; problems into diag. */
static KsObject *
decode_in (const char *text, KsDiag *diag)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsSource) source = ks_source_new_from_data ("job.yaml", text, -1, &error);
  KsDecoder dec;
  KsObject *obj;

  g_assert_no_error (error);
  ks_decoder_init (&dec, source, diag);
  obj = ks_object_decode (&dec, ks_source_get_document (source, 0), "default");
  ks_decoder_clear (&dec);
  return obj;
}

/* text must fail with a problem containing want. */
static void
assert_decode_fails (const char *text, const char *want)
{
  g_autoptr (KsDiag) diag = ks_diag_new ();
  KsObject *obj = decode_in (text, diag);
  gboolean found = FALSE;

  g_assert_null (obj);
  for (guint i = 0; i < ks_diag_get_count (diag); i++)
    {
      g_test_message ("problem: %s", ks_diag_get (diag, i));
      found |= strstr (ks_diag_get (diag, i), want) != NULL;
    }
  g_assert_true (found);
}

#define JOB_HEAD "apiVersion: batch/v1\nkind: Job\nmetadata: {name: pi}\nspec:\n"
#define TEMPLATE(policy)                                                                           \
  "  template:\n    spec:\n" policy "      containers: [{name: main, image: busybox}]\n"
#define NEVER "      restartPolicy: Never\n"

static void
test_decode_defaults (void)
{
  g_autoptr (KsObject) obj = ks_test_decode (JOB_HEAD TEMPLATE (NEVER));
  KsJob *job = KS_JOB (obj);

  g_assert_true (obj->kind == ks_kind_get (KS_KIND_JOB));
  g_assert_true (ks_kind_lookup_resource ("jobs") == obj->kind);
  g_assert_cmpint (job->parallelism, ==, 1);
  g_assert_true (job->has_completions);
  g_assert_cmpint (job->completions, ==, 1);
  g_assert_cmpint (job->backoff_limit, ==, 6);
  g_assert_cmpint (job->active_deadline_seconds, ==, -1);
  g_assert_cmpint (job->ttl_seconds_after_finished, ==, -1);
  g_assert_cmpint (job->completion_mode, ==, KS_JOB_NON_INDEXED);
  g_assert_null (job->selector);
}

static void
test_decode_work_queue (void)
{
  /* parallelism without completions: completions stays unset (a work queue). */
  g_autoptr (KsObject) obj = ks_test_decode (JOB_HEAD "  parallelism: 3\n" TEMPLATE (NEVER));
  g_autofree char *json = ks_object_to_json (obj, 0);

  g_assert_false (KS_JOB (obj)->has_completions);
  g_assert_cmpint (KS_JOB (obj)->parallelism, ==, 3);
  g_assert_null (strstr (json, "\"completions\""));
}

static void
test_decode_errors (void)
{
  assert_decode_fails (JOB_HEAD TEMPLATE (""),
                       "spec.template.spec.restartPolicy: Unsupported value: \"Always\": "
                       "supported values: \"OnFailure\", \"Never\" (the pod default, Always, "
                       "is not allowed for a Job)");
  assert_decode_fails (JOB_HEAD TEMPLATE ("      restartPolicy: Always\n"),
                       "spec.template.spec.restartPolicy: Unsupported value: \"Always\": "
                       "supported values: \"OnFailure\", \"Never\"");
  assert_decode_fails (JOB_HEAD "  selector: {matchLabels: {a: b}}\n" TEMPLATE (NEVER),
                       "spec.selector: Invalid value: `selector` not auto-generated");
  assert_decode_fails (JOB_HEAD "  manualSelector: true\n" TEMPLATE (NEVER),
                       "spec.selector: Required value: when manualSelector is true");
  assert_decode_fails (
      JOB_HEAD "  manualSelector: true\n  selector: {matchLabels: {a: b}}\n" TEMPLATE (NEVER),
      "spec.selector: Invalid value: `selector` does not match template `labels`");
  assert_decode_fails (JOB_HEAD "  ttlSecondsAfterFinished: -1\n" TEMPLATE (NEVER),
                       "spec.ttlSecondsAfterFinished: Invalid value: -1: must be greater than or "
                       "equal to 0");
  assert_decode_fails (JOB_HEAD "  activeDeadlineSeconds: 0\n" TEMPLATE (NEVER),
                       "spec.activeDeadlineSeconds: Invalid value: 0: must be greater than zero");
  assert_decode_fails (JOB_HEAD "  completionMode: Indexed\n  parallelism: 2\n" TEMPLATE (NEVER),
                       "spec.completions: Required value: when completion mode is Indexed");
  assert_decode_fails (JOB_HEAD "  completionMode: Ordered\n" TEMPLATE (NEVER),
                       "spec.completionMode");
  assert_decode_fails (JOB_HEAD "  backoffLimit: -1\n" TEMPLATE (NEVER), "spec.backoffLimit");
}

/* A stored Job (what the API returns) decodes whole; a condition type twice is refused. */
static void
test_decode_stored (void)
{
  static const char stored[]
      = JOB_HEAD "  selector: {matchLabels: {batch.kubernetes.io/controller-uid: x}}\n" TEMPLATE (
          NEVER) "status:\n"
                 "  startTime: '2025-01-01T00:00:05Z'\n"
                 "  failed: 2\n"
                 "  conditions:\n"
                 "    - {type: FailureTarget, status: 'True', reason: BackoffLimitExceeded}\n"
                 "    - {type: %s, status: 'True', reason: BackoffLimitExceeded}\n";
  g_autofree char *ok_text = g_strdup_printf (stored, "Failed");
  g_autofree char *dup_text = g_strdup_printf (stored, "FailureTarget");
  g_autoptr (GError) error = NULL;
  g_autoptr (KsSource) ok_src = ks_source_new_from_data ("job.yaml", ok_text, -1, &error);
  g_autoptr (KsSource) dup_src = ks_source_new_from_data ("job.yaml", dup_text, -1, &error);
  g_autoptr (KsDiag) diag = ks_diag_new ();
  g_autoptr (KsObject) obj = NULL;
  g_autoptr (KsObject) dup = NULL;
  KsDecoder dec;

  ks_decoder_init (&dec, ok_src, diag);
  dec.mode = KS_DECODE_STORED;
  obj = ks_object_decode (&dec, ks_source_get_document (ok_src, 0), "default");
  ks_decoder_clear (&dec);
  g_assert_nonnull (obj);
  g_assert_cmpint (KS_JOB (obj)->status.start_time, ==, 5 * SEC);
  g_assert_cmpint (KS_JOB (obj)->status.failed, ==, 2);
  g_assert_true (ks_job_is_finished (KS_JOB (obj)));
  g_assert_cmpstr (ks_job_get_condition (KS_JOB (obj), KS_JOB_COND_FAILED)->reason, ==,
                   "BackoffLimitExceeded");

  ks_decoder_init (&dec, dup_src, diag);
  dec.mode = KS_DECODE_STORED;
  dup = ks_object_decode (&dec, ks_source_get_document (dup_src, 0), "default");
  ks_decoder_clear (&dec);
  g_assert_null (dup);
  g_assert_cmpuint (ks_diag_get_count (diag), ==, 1);
  g_assert_nonnull (strstr (ks_diag_get (diag, 0),
                            "status.conditions[1].type: Duplicate value: \"FailureTarget\""));
}

static void
test_backoff_delay (void)
{
  g_assert_cmpint (ks_job_backoff_delay (0), ==, 0);
  g_assert_cmpint (ks_job_backoff_delay (1), ==, 10 * SEC);
  g_assert_cmpint (ks_job_backoff_delay (2), ==, 20 * SEC);
  g_assert_cmpint (ks_job_backoff_delay (6), ==, 320 * SEC);
  g_assert_cmpint (ks_job_backoff_delay (7), ==, 600 * SEC); /* 640 s, capped */
  g_assert_cmpint (ks_job_backoff_delay (40), ==, 600 * SEC);
}

/* ---- fixture -------------------------------------------------------------------------------- */

typedef struct
{
  KsSimClock *sim;
  KsStore *store;
  KsClient *client;
  KsTestSink sink;
  KsControllerManager *manager;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->sim = ks_sim_clock_new ();
  f->store = ks_store_new (ks_sim_clock_get_clock (f->sim), 1);
  f->client = ks_store_client_new (f->store);
  ks_test_sink_init (&f->sink);
  ks_test_create (f->store, KS_OBJECT (ks_namespace_new ("default")));
  f->manager
      = ks_controller_manager_new (f->client, ks_sim_clock_get_clock (f->sim), &f->sink.parent);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ks_controller_manager_free (f->manager);
  ks_client_free (f->client);
  ks_store_free (f->store);
  ks_sim_clock_free (f->sim);
  ks_test_sink_clear (&f->sink);
}

static void
run_to (Fixture *f, gint64 seconds)
{
  ks_test_run_to (f->sim, seconds * SEC, 100000);
}

static KsJob *
get_job (Fixture *f, const char *name)
{
  return KS_JOB (ks_store_get (f->store, ks_kind_get (KS_KIND_JOB), "default", name));
}

/* The Job's pods (borrowed, sorted by name); active_only: not terminal. */
static GPtrArray *
job_pods (Fixture *f, gboolean active_only)
{
  GPtrArray *out = g_ptr_array_new ();

  ks_store_list (f->store, ks_kind_get (KS_KIND_POD), "default", out);
  for (guint i = out->len; i-- > 0;)
    if (active_only && ks_pod_is_terminal (g_ptr_array_index (out, i)))
      g_ptr_array_remove_index (out, i);
  return out;
}

/* Finish the pod now: phase Succeeded or Failed, its container terminated now. */
static void
finish_pod (Fixture *f, KsPod *pod, gboolean ok)
{
  g_autoptr (GError) error = NULL;
  KsPod *copy = KS_POD (ks_object_copy (KS_OBJECT (pod)));
  gint64 now = ks_clock_now (ks_sim_clock_get_clock (f->sim));

  copy->phase = ok ? KS_POD_SUCCEEDED : KS_POD_FAILED;
  ks_pod_ensure_container_statuses (copy);
  copy->container_statuses[0].state = KS_CONTAINER_TERMINATED;
  copy->container_statuses[0].exit_code = ok ? 0 : 1;
  copy->container_statuses[0].finished_at = now;
  g_assert_nonnull (ks_store_update (f->store, KS_OBJECT (copy), TRUE, &error));
  g_assert_no_error (error);
  ks_object_unref (KS_OBJECT (copy));
}

/* Finish the first (by name) active pod. */
static void
finish_one (Fixture *f, gboolean ok)
{
  g_autoptr (GPtrArray) pods = job_pods (f, TRUE);

  g_assert_cmpuint (pods->len, >, 0);
  finish_pod (f, g_ptr_array_index (pods, 0), ok);
}

static guint
count_lines (Fixture *f, const char *prefix)
{
  guint n = 0;

  for (guint i = 0; i < f->sink.lines->len; i++)
    n += g_str_has_prefix (g_ptr_array_index (f->sink.lines, i), prefix);
  return n;
}

static void
assert_condition (KsJob *job, KsJobConditionType type, const char *reason, const char *message,
                  gint64 at)
{
  const KsJobCondition *c = ks_job_get_condition (job, type);

  g_assert_nonnull (c);
  g_assert_cmpint (c->status, ==, KS_CONDITION_TRUE);
  g_assert_cmpstr (c->reason, ==, reason);
  g_assert_cmpstr (c->message, ==, message);
  g_assert_cmpint (c->last_transition_time, ==, at);
}

static KsJob *
create_job (Fixture *f, const char *spec)
{
  g_autofree char *text = g_strconcat (JOB_HEAD, spec, TEMPLATE (NEVER), NULL);

  return KS_JOB (ks_test_create (f->store, ks_test_decode (text)));
}

/* ---- controller ------------------------------------------------------------------------------ */

static void
test_completions_parallelism (Fixture *f, gconstpointer data)
{
  KsJob *job = create_job (f, "  completions: 5\n  parallelism: 2\n");
  char uid[KS_UID_STRING_LEN];
  g_autoptr (GPtrArray) pods = NULL;
  KsPod *pod;

  /* The generated selector and labels. */
  ks_uid_to_string (&job->parent.meta.uid, uid);
  g_assert_nonnull (job->selector);
  g_assert_cmpstr (ks_str_map_lookup (job->template.labels, KS_JOB_LABEL_CONTROLLER_UID), ==, uid);
  g_assert_cmpstr (ks_str_map_lookup (job->template.labels, KS_JOB_LABEL_JOB_NAME), ==, "pi");
  g_assert_cmpstr (ks_str_map_lookup (job->template.labels, "job-name"), ==, "pi");

  run_to (f, 1);
  pods = job_pods (f, TRUE);
  g_assert_cmpuint (pods->len, ==, 2);
  pod = g_ptr_array_index (pods, 0);
  job = get_job (f, "pi"); /* the status update replaced the stored object */
  g_assert_true (g_str_has_prefix (pod->parent.meta.name, "pi-"));
  g_assert_true (ks_label_selector_matches (job->selector, pod->parent.meta.labels));
  g_assert_cmpstr (ks_object_get_controller_ref (KS_OBJECT (pod))->kind, ==, "Job");
  g_assert_cmpint (job->status.active, ==, 2);
  g_assert_cmpint (job->status.start_time, ==, 0);
  g_assert_cmpuint (count_lines (f, "SuccessfulCreate Job default/pi: Created pod: pi-"), ==, 2);

  /* Each success makes room for one more, up to the remaining completions. */
  for (gint t = 10; t <= 50; t += 10)
    {
      ks_sim_clock_run_until (f->sim, t * SEC);
      finish_one (f, TRUE);
    }
  run_to (f, 60);
  g_clear_pointer (&pods, g_ptr_array_unref);
  pods = job_pods (f, FALSE);
  g_assert_cmpuint (pods->len, ==, 5);
  job = get_job (f, "pi");
  g_assert_cmpint (job->status.succeeded, ==, 5);
  g_assert_cmpint (job->status.active, ==, 0);
  g_assert_cmpint (job->status.failed, ==, 0);
  g_assert_cmpuint (job->status.n_conditions, ==, 2);
  g_assert_cmpint (job->status.conditions[0].type, ==, KS_JOB_COND_SUCCESS_CRITERIA_MET);
  assert_condition (job, KS_JOB_COND_SUCCESS_CRITERIA_MET, "CompletionsReached",
                    "Reached expected number of succeeded pods", 50 * SEC);
  assert_condition (job, KS_JOB_COND_COMPLETE, "CompletionsReached",
                    "Reached expected number of succeeded pods", 50 * SEC);
  g_assert_cmpint (job->status.completion_time, ==, 50 * SEC);
  g_assert_cmpuint (count_lines (f, "Completed Job default/pi: Job completed"), ==, 1);
  g_assert_cmpuint (count_lines (f, "SuccessfulCreate "), ==, 5);
}

static void
test_backoff (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) pods = NULL;
  KsJob *job;

  create_job (f, "  backoffLimit: 3\n");
  run_to (f, 5);
  finish_one (f, FALSE); /* 1st failure at 5 s: next pod at 15 s */
  run_to (f, 14);
  pods = job_pods (f, TRUE);
  g_assert_cmpuint (pods->len, ==, 0);
  g_assert_cmpint (get_job (f, "pi")->status.failed, ==, 1);
  run_to (f, 15);
  g_clear_pointer (&pods, g_ptr_array_unref);
  pods = job_pods (f, TRUE);
  g_assert_cmpuint (pods->len, ==, 1);
  g_assert_cmpint (KS_OBJECT (g_ptr_array_index (pods, 0))->meta.creation_timestamp, ==, 15 * SEC);

  run_to (f, 20);
  finish_one (f, FALSE); /* 2nd at 20 s: 20 s later */
  run_to (f, 39);
  g_clear_pointer (&pods, g_ptr_array_unref);
  pods = job_pods (f, TRUE);
  g_assert_cmpuint (pods->len, ==, 0);
  run_to (f, 40);
  g_clear_pointer (&pods, g_ptr_array_unref);
  pods = job_pods (f, TRUE);
  g_assert_cmpuint (pods->len, ==, 1);

  run_to (f, 45);
  finish_one (f, FALSE); /* 3rd at 45 s: 40 s later */
  run_to (f, 84);
  g_assert_cmpuint (count_lines (f, "SuccessfulCreate "), ==, 3);
  run_to (f, 85);
  g_assert_cmpuint (count_lines (f, "SuccessfulCreate "), ==, 4);
  job = get_job (f, "pi");
  g_assert_false (ks_job_is_finished (job));

  run_to (f, 90);
  finish_one (f, FALSE); /* 4th > backoffLimit 3: the Job fails */
  run_to (f, 500);
  job = get_job (f, "pi");
  g_assert_cmpint (job->status.failed, ==, 4);
  g_assert_cmpint (job->status.active, ==, 0);
  assert_condition (job, KS_JOB_COND_FAILURE_TARGET, "BackoffLimitExceeded",
                    "Job has reached the specified backoff limit", 90 * SEC);
  assert_condition (job, KS_JOB_COND_FAILED, "BackoffLimitExceeded",
                    "Job has reached the specified backoff limit", 90 * SEC);
  g_assert_null (ks_job_get_condition (job, KS_JOB_COND_COMPLETE));
  g_assert_cmpint (job->status.completion_time, ==, KS_TIME_NONE);
  g_assert_cmpuint (
      count_lines (f, "!BackoffLimitExceeded Job default/pi: Job has reached the specified "
                      "backoff limit"),
      ==, 1);
  g_assert_cmpuint (count_lines (f, "SuccessfulCreate "), ==, 4);
}

static void
test_success_resets_backoff (Fixture *f, gconstpointer data)
{
  create_job (f, "  completions: 3\n");
  run_to (f, 5);
  finish_one (f, FALSE); /* next at 15 */
  run_to (f, 15);
  g_assert_cmpuint (count_lines (f, "SuccessfulCreate "), ==, 2);
  run_to (f, 20);
  finish_one (f, TRUE); /* a success: no backoff for the next pod */
  run_to (f, 20);
  g_assert_cmpuint (count_lines (f, "SuccessfulCreate "), ==, 3);
}

static void
test_deadline (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) pods = NULL;
  KsJob *job;

  create_job (f, "  completions: 4\n  parallelism: 2\n  activeDeadlineSeconds: 30\n");
  run_to (f, 29);
  pods = job_pods (f, FALSE);
  g_assert_cmpuint (pods->len, ==, 2);
  g_assert_false (ks_job_is_finished (get_job (f, "pi")));
  run_to (f, 31);
  g_clear_pointer (&pods, g_ptr_array_unref);
  pods = job_pods (f, FALSE);
  g_assert_cmpuint (pods->len, ==, 0); /* unbound pods go at once */
  job = get_job (f, "pi");
  assert_condition (job, KS_JOB_COND_FAILED, "DeadlineExceeded",
                    "Job was active longer than specified deadline", 30 * SEC);
  g_assert_cmpint (job->status.active, ==, 0);
  g_assert_cmpuint (count_lines (f, "SuccessfulDelete Job default/pi: Deleted pod: pi-"), ==, 2);
  g_assert_cmpuint (count_lines (f, "!DeadlineExceeded Job default/pi"), ==, 1);
}

static void
test_ttl (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) pods = NULL;

  create_job (f, "  ttlSecondsAfterFinished: 20\n");
  run_to (f, 10);
  finish_one (f, TRUE);
  run_to (f, 29);
  g_assert_nonnull (get_job (f, "pi"));
  g_assert_true (ks_job_is_finished (get_job (f, "pi")));
  pods = job_pods (f, FALSE);
  g_assert_cmpuint (pods->len, ==, 1);
  run_to (f, 31);
  g_assert_null (get_job (f, "pi"));
  g_clear_pointer (&pods, g_ptr_array_unref);
  pods = job_pods (f, FALSE);
  g_assert_cmpuint (pods->len, ==, 0); /* the garbage collector took the pod */
}

static void
test_indexed (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) pods = NULL;
  KsJob *job;

  create_job (f, "  completions: 3\n  parallelism: 2\n  completionMode: Indexed\n");
  run_to (f, 1);
  pods = job_pods (f, TRUE);
  g_assert_cmpuint (pods->len, ==, 2);
  for (guint i = 0; i < pods->len; i++)
    {
      KsPod *pod = g_ptr_array_index (pods, i);
      g_autofree char *host = g_strdup_printf ("pi-%u", i);
      g_autofree char *prefix = g_strdup_printf ("pi-%u-", i);
      g_autofree char *idx = g_strdup_printf ("%u", i);
      g_assert_true (g_str_has_prefix (pod->parent.meta.name, prefix));
      g_assert_cmpstr (pod->spec->hostname, ==, host);
      g_assert_cmpstr (ks_object_get_annotation (KS_OBJECT (pod), KS_JOB_COMPLETION_INDEX), ==,
                       idx);
      g_assert_cmpstr (ks_object_get_label (KS_OBJECT (pod), KS_JOB_COMPLETION_INDEX), ==, idx);
      /* JOB_COMPLETION_INDEX appended to the container's env: the annotation, by reference. */
      g_assert_cmpuint (pod->spec->containers[0].n_env, >=, 1);
      g_assert_cmpstr (pod->spec->containers[0].env[pod->spec->containers[0].n_env - 1].name, ==,
                       "JOB_COMPLETION_INDEX");
      g_assert_cmpstr (pod->spec->containers[0].env[pod->spec->containers[0].n_env - 1].field_path,
                       ==, "metadata.annotations['batch.kubernetes.io/job-completion-index']");
    }
  finish_pod (f, g_ptr_array_index (pods, 0), TRUE);
  run_to (f, 2);
  job = get_job (f, "pi");
  g_assert_cmpstr (job->status.completed_indexes, ==, "0");
  g_clear_pointer (&pods, g_ptr_array_unref);
  pods = job_pods (f, TRUE);
  g_assert_cmpuint (pods->len, ==, 2);
  g_assert_true (g_str_has_prefix (KS_OBJECT (g_ptr_array_index (pods, 1))->meta.name, "pi-2-"));
  finish_one (f, TRUE);
  finish_one (f, TRUE);
  run_to (f, 3);
  job = get_job (f, "pi");
  g_assert_cmpstr (job->status.completed_indexes, ==, "0-2");
  g_assert_cmpint (job->status.succeeded, ==, 3);
  g_assert_true (ks_job_is_finished (job));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  g_test_add_func ("/job/decode/defaults", test_decode_defaults);
  g_test_add_func ("/job/decode/work-queue", test_decode_work_queue);
  g_test_add_func ("/job/decode/errors", test_decode_errors);
  g_test_add_func ("/job/decode/stored", test_decode_stored);
  g_test_add_func ("/job/backoff-delay", test_backoff_delay);
  ADD ("/job/controller/completions-parallelism", test_completions_parallelism);
  ADD ("/job/controller/backoff", test_backoff);
  ADD ("/job/controller/success-resets-backoff", test_success_resets_backoff);
  ADD ("/job/controller/deadline", test_deadline);
  ADD ("/job/controller/ttl", test_ttl);
  ADD ("/job/controller/indexed", test_indexed);
  return g_test_run ();
}
