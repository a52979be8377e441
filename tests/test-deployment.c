/* test-deployment.c: the Deployment controller in a whole simulated cluster (sim/ks-sim.h, with
 * modelled kubelets, so pods become Ready and available): revision-history cleanup (reference
 * §3.8), rollback, pausing, the ReplicaSet sizes of a rolling update step by step (§3.4), rounding,
 * the progress deadline, proportional scaling, Recreate, minReadySeconds (§3.2–3.7), and a
 * readiness fail window moving the pods' Endpoints addresses.
 * Each test writes a scenario to a temporary directory, runs it to chosen times and reads the
 * store. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sim/ks-sim-clock.h"
#include "sim/ks-sim.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-service.h"
#include "src/controllers/ks-rollback.h"
#include "src/store/ks-store.h"
#include "tests/ks-test.h"

#define SEC KS_USEC_PER_SEC

typedef KsTestSim Run;

/* A deployment manifest: name web, image, replicas, extra spec fields (each followed by a
 * comma), the template's annotations (flow mapping entries, may be "") and extra container
 * fields (each followed by a comma). */
static char *
deployment_full (const char *image, int replicas, const char *extra, const char *annotations,
                 const char *container)
{
  return g_strdup_printf ("{apiVersion: apps/v1, kind: Deployment, metadata: {name: web},\n"
                          "    spec: {replicas: %d, %s\n"
                          "      selector: {matchLabels: {app: web}},\n"
                          "      template: {metadata: {labels: {app: web}, annotations: {%s}},\n"
                          "        spec: {terminationGracePeriodSeconds: 0, containers: [{name: "
                          "web, image: \"%s\", %s\n"
                          "          resources: {requests: {cpu: 100m, memory: 64Mi}}}]}}}}",
                          replicas, extra, annotations, image, container);
}

/* A deployment manifest: name web, image, replicas, and extra spec fields. */
static char *
deployment (const char *image, int replicas, const char *extra)
{
  return deployment_full (image, replicas, extra, "", "");
}

/* Load and start the scenario text (events as YAML list items after "events:"). */
static void
run_start (Run *r, const char *objects, const char *events)
{
  ks_test_sim_start (r, FALSE,
                     "kind: Scenario\nduration: 30m\nkubelet: {startup: 2s}\n"
                     "cluster:\n  nodes:\n    - {name: node, count: 4, capacity: {cpu: \"16\", "
                     "memory: 64Gi}}\nobjects:\n  - %s\nevents:\n%s",
                     objects, events != NULL ? events : "  []\n");
}

static void
run_to_ms (Run *r, gint64 ms)
{
  ks_sim_run_until (r->sim, ms * (SEC / 1000), NULL, NULL);
}

/* The deployment's ReplicaSets (borrowed from the store, in a new array), by revision. */
static int
rs_by_revision (gconstpointer pa, gconstpointer pb)
{
  const KsObject *a = *(KsObject *const *) pa, *b = *(KsObject *const *) pb;
  gint64 ra = g_ascii_strtoll (ks_object_get_annotation (a, KS_ANNOTATION_REVISION), NULL, 10);
  gint64 rb = g_ascii_strtoll (ks_object_get_annotation (b, KS_ANNOTATION_REVISION), NULL, 10);

  return ra < rb ? -1 : ra > rb;
}

static GPtrArray *
replica_sets (Run *r)
{
  GPtrArray *out = g_ptr_array_new ();

  ks_store_list (ks_sim_get_store (r->sim), ks_kind_get (KS_KIND_REPLICA_SET), "default", out);
  g_ptr_array_sort (out, rs_by_revision);
  return out;
}

static KsDeployment *
web (Run *r)
{
  return KS_DEPLOYMENT (
      ks_store_get (ks_sim_get_store (r->sim), ks_kind_get (KS_KIND_DEPLOYMENT), "default", "web"));
}

/* The image of a ReplicaSet's (first) container. */
static const char *
rs_image (KsObject *rs)
{
  return KS_REPLICA_SET (rs)->template.spec->containers[0].image;
}

/* The revisions of the ReplicaSets, "image@revision" joined by spaces. */
static char *
history (Run *r)
{
  g_autoptr (GPtrArray) all = replica_sets (r);
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < all->len; i++)
    {
      KsObject *rs = g_ptr_array_index (all, i);
      g_string_append_printf (s, "%s%s@%s", i > 0 ? " " : "", rs_image (rs),
                              ks_object_get_annotation (rs, KS_ANNOTATION_REVISION));
    }
  return g_string_free (s, FALSE);
}

/* ---- revisionHistoryLimit ------------------------------------------------------------------ */

static void
test_history_limit (void)
{
  Run r = { 0 };
  g_autofree char *v1 = deployment ("app:1", 2, "revisionHistoryLimit: 1,");
  g_autofree char *v2 = deployment ("app:2", 2, "revisionHistoryLimit: 1,");
  g_autofree char *v3 = deployment ("app:3", 2, "revisionHistoryLimit: 1,");
  g_autofree char *events
      = g_strdup_printf ("  - {at: 20s, apply: %s}\n  - {at: 40s, apply: %s}\n", v2, v3);
  g_autofree char *h1 = NULL, *h2 = NULL, *h3 = NULL, *h3_early = NULL;

  run_start (&r, v1, events);
  run_to_ms (&r, 19000);
  h1 = history (&r);
  g_assert_cmpstr (h1, ==, "app:1@1");
  /* One old revision is within the limit: both stay. */
  run_to_ms (&r, 39000);
  h2 = history (&r);
  g_assert_cmpstr (h2, ==, "app:1@1 app:2@2");
  /* Right after v3's rollout starts, nothing is deleted: it runs only once it is complete. */
  run_to_ms (&r, 40000);
  h3_early = history (&r);
  g_assert_cmpstr (h3_early, ==, "app:1@1 app:2@2 app:3@3");
  run_to_ms (&r, 60000);
  h3 = history (&r);
  /* Two scaled-down old sets, limit 1: the oldest revision goes. */
  g_assert_cmpstr (h3, ==, "app:2@2 app:3@3");
  g_assert_cmpstr (ks_object_get_annotation (KS_OBJECT (web (&r)), KS_ANNOTATION_REVISION), ==,
                   "3");
  ks_test_sim_clear (&r);
}

/* revisionHistoryLimit 0 keeps no old ReplicaSet once the rollout completes. */
static void
test_history_limit_zero (void)
{
  Run r = { 0 };
  g_autofree char *v1 = deployment ("app:1", 3, "revisionHistoryLimit: 0,");
  g_autofree char *v2 = deployment ("app:2", 3, "revisionHistoryLimit: 0,");
  g_autofree char *events = g_strdup_printf ("  - {at: 20s, apply: %s}\n", v2);
  g_autofree char *h = NULL;

  run_start (&r, v1, events);
  run_to_ms (&r, 60000);
  h = history (&r);
  g_assert_cmpstr (h, ==, "app:2@2");
  ks_test_sim_clear (&r);
}

/* ---- rollback ------------------------------------------------------------------------------ */

/* Rolling back to the previous revision reuses its ReplicaSet, which gets a new revision; a
 * rollback to a given revision; errors for a missing revision. */
static void
test_rollback (void)
{
  Run r = { 0 };
  g_autofree char *v1 = deployment ("app:1", 2, "");
  g_autofree char *v2 = deployment ("app:2", 2, "");
  g_autofree char *v3 = deployment ("app:3", 2, "");
  g_autofree char *events
      = g_strdup_printf ("  - {at: 20s, apply: %s}\n  - {at: 40s, apply: %s}\n"
                         "  - {at: 60s, rollback: {deployment: web, toRevision: 0}}\n"
                         "  - {at: 80s, rollback: {deployment: web, toRevision: 1}}\n"
                         "  - {at: 100s, rollback: {deployment: web, toRevision: 9}}\n"
                         "  - {at: 110s, rollback: {deployment: web, toRevision: 5}}\n",
                         v2, v3);
  g_autofree char *h = NULL, *h2 = NULL, *h3 = NULL;
  g_autoptr (GPtrArray) all = NULL;
  KsDeployment *d;

  run_start (&r, v1, events);
  run_to_ms (&r, 59000);
  h = history (&r);
  g_assert_cmpstr (h, ==, "app:1@1 app:2@2 app:3@3");
  /* toRevision 0: the second-highest, 2; its ReplicaSet becomes revision 4. */
  run_to_ms (&r, 79000);
  h2 = history (&r);
  g_assert_cmpstr (h2, ==, "app:1@1 app:3@3 app:2@4");
  d = web (&r);
  g_assert_cmpstr (d->template.spec->containers[0].image, ==, "app:2");
  g_assert_null (ks_str_map_lookup (d->template.labels, KS_LABEL_POD_TEMPLATE_HASH));
  g_assert_cmpstr (ks_object_get_annotation (KS_OBJECT (d), KS_ANNOTATION_REVISION), ==, "4");
  all = replica_sets (&r);
  g_assert_cmpint (KS_REPLICA_SET (g_ptr_array_index (all, 2))->replicas, ==, 2);
  g_assert_cmpint (KS_REPLICA_SET (g_ptr_array_index (all, 1))->replicas, ==, 0);
  g_assert_cmpint (d->status.updated_replicas, ==, 2);
  g_assert_cmpint (d->status.available_replicas, ==, 2);
  /* toRevision 1. */
  run_to_ms (&r, 99000);
  h3 = history (&r);
  g_assert_cmpstr (h3, ==, "app:3@3 app:2@4 app:1@5");
  /* toRevision 9 does not exist: nothing changes (a warning, tested in tests/cli.sh). */
  run_to_ms (&r, 120000);
  g_free (h3);
  h3 = history (&r);
  g_assert_cmpstr (h3, ==, "app:3@3 app:2@4 app:1@5");
  ks_test_sim_clear (&r);
}

static void
test_rollback_errors (void)
{
  KsSimClock *clock = ks_sim_clock_new ();
  KsStore *store = ks_store_new (ks_sim_clock_get_clock (clock), 1);
  KsClient *client = ks_store_client_new (store);
  g_autoptr (GError) error = NULL;

  g_assert_false (ks_deployment_rollback (client, "default", "web", 0, NULL, NULL, &error));
  g_assert_error (error, KS_ROLLBACK_ERROR, KS_ROLLBACK_ERROR_NOT_FOUND);
  ks_client_free (client);
  ks_store_free (store);
  ks_sim_clock_free (clock);
}

/* Only one revision: no history to go back to. */
static void
test_rollback_no_history (void)
{
  Run r = { 0 };
  g_autofree char *v1 = deployment ("app:1", 2, "");
  g_autoptr (GError) error = NULL;
  gboolean skipped = TRUE;

  run_start (&r, v1, NULL);
  run_to_ms (&r, 10000);
  g_assert_false (ks_deployment_rollback (ks_sim_get_client (r.sim), "default", "web", 0, NULL,
                                          &skipped, &error));
  g_assert_error (error, KS_ROLLBACK_ERROR, KS_ROLLBACK_ERROR_NO_HISTORY);
  g_assert_cmpstr (error->message, ==, "no rollout history found for deployment \"web\"");
  g_clear_error (&error);
  g_assert_false (ks_deployment_rollback (ks_sim_get_client (r.sim), "default", "web", 3, NULL,
                                          &skipped, &error));
  g_assert_error (error, KS_ROLLBACK_ERROR, KS_ROLLBACK_ERROR_NO_REVISION);
  g_assert_cmpstr (error->message, ==, "unable to find specified revision 3 in history");
  g_clear_error (&error);
  /* Revision 1 is the current template: skipped. */
  g_assert_true (ks_deployment_rollback (ks_sim_get_client (r.sim), "default", "web", 1, NULL,
                                         &skipped, &error));
  g_assert_no_error (error);
  g_assert_true (skipped);
  ks_test_sim_clear (&r);
}

/* ---- paused ------------------------------------------------------------------------------- */

/* A paused deployment scales but does not roll out, and its progress deadline (15 s here) does
 * not run while paused; resuming rolls the new template out. */
static void
test_paused (void)
{
  Run r = { 0 };
  g_autofree char *v1 = deployment ("app:1", 2, "progressDeadlineSeconds: 15,");
  /* The applied manifest says paused too: kubesim's apply replaces the whole spec. */
  g_autofree char *v2 = deployment ("app:2", 3, "progressDeadlineSeconds: 15, paused: true,");
  g_autofree char *events = g_strdup_printf ("  - {at: 20s, pause: {deployment: web}}\n"
                                             "  - {at: 25s, apply: %s}\n"
                                             "  - {at: 60s, rollback: {deployment: web}}\n"
                                             "  - {at: 90s, resume: {deployment: web}}\n",
                                             v2);
  g_autofree char *h = NULL, *h2 = NULL;
  g_autoptr (GPtrArray) all = NULL;
  KsDeploymentCondition *c;
  KsDeployment *d;

  run_start (&r, v1, events);
  run_to_ms (&r, 89000);
  d = web (&r);
  g_assert_true (d->paused);
  c = &d->status.conditions[KS_DEPLOY_COND_PROGRESSING];
  g_assert_cmpint (c->status, ==, KS_CONDITION_UNKNOWN);
  g_assert_cmpstr (c->reason, ==, "DeploymentPaused");
  g_assert_cmpstr (c->message, ==, "Deployment is paused");
  g_assert_cmpint (c->last_update_time, ==, 20 * SEC);
  /* Scaled to 3, still the old template: no new ReplicaSet. */
  h = history (&r);
  g_assert_cmpstr (h, ==, "app:1@1");
  all = replica_sets (&r);
  g_assert_cmpint (KS_REPLICA_SET (g_ptr_array_index (all, 0))->replicas, ==, 3);
  g_assert_cmpint (d->status.available_replicas, ==, 3);
  g_assert_cmpint (d->status.updated_replicas, ==, 0);

  run_to_ms (&r, 90000);
  d = web (&r);
  c = &d->status.conditions[KS_DEPLOY_COND_PROGRESSING];
  g_assert_false (d->paused);
  /* Resumed, then at once the new set is created in the same sync or the next. */
  g_assert_cmpint (c->status, ==, KS_CONDITION_TRUE);
  run_to_ms (&r, 150000);
  d = web (&r);
  c = &d->status.conditions[KS_DEPLOY_COND_PROGRESSING];
  h2 = history (&r);
  g_assert_cmpstr (h2, ==, "app:1@1 app:2@2");
  g_assert_cmpstr (c->reason, ==, "NewReplicaSetAvailable");
  g_assert_cmpint (d->status.updated_replicas, ==, 3);
  g_assert_cmpint (d->status.available_replicas, ==, 3);
  ks_test_sim_clear (&r);
}

/* ---- rolling update step by step ------------------------------------------------------------ */

/* Each distinct (new, old) pair of ReplicaSet spec sizes, in order, as a watcher sees them. */
typedef struct
{
  GHashTable *sizes;  /* RS name -> GINT_TO_POINTER (spec.replicas + 1) */
  GHashTable *is_new; /* RS names whose image is app:2 */
  GString *steps;
  int last_new, last_old;
} Steps;

static void
steps_watch (const KsWatchEvent *event, gpointer user_data)
{
  Steps *s = user_data;
  KsReplicaSet *rs = KS_REPLICA_SET (event->object);
  const char *name = event->object->meta.name;
  GHashTableIter iter;
  gpointer key, value;
  int new_size = 0, old_size = 0;

  if (event->type == KS_WATCH_DELETED)
    g_hash_table_remove (s->sizes, name);
  else
    g_hash_table_insert (s->sizes, g_strdup (name), GINT_TO_POINTER (rs->replicas + 1));
  if (g_strcmp0 (rs_image (event->object), "app:2") == 0)
    g_hash_table_add (s->is_new, g_strdup (name));
  g_hash_table_iter_init (&iter, s->sizes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_hash_table_contains (s->is_new, key))
      new_size += GPOINTER_TO_INT (value) - 1;
    else
      old_size += GPOINTER_TO_INT (value) - 1;
  if (new_size == s->last_new && old_size == s->last_old)
    return;
  s->last_new = new_size;
  s->last_old = old_size;
  g_string_append_printf (s->steps, "%s(%d,%d)", s->steps->len > 0 ? " " : "", new_size, old_size);
}

/* 10 replicas, maxSurge 3, maxUnavailable 2 (maxTotal 13, minAvailable 8), pods Ready 2 s after
 * they start and so all pods created in one instant become available together.  By hand from
 * reference §3.4:
 *   (0,10) v1 complete.
 *   (3,10) new RS: add = min(13 - 10, 10 - 0) = 3.
 *   (3,8)  maxScaledDown = 13 - 8 - (3 - 0) = 2; no unhealthy old pods; budget 10 - 8 = 2.
 *   (5,8)  total 11 < 13: add min(2, 10 - 3) = 2.
 *          wait: maxScaledDown = 13 - 8 - 5 = 0 until the 5 new pods are available.
 *   (5,3)  maxScaledDown = 13 - 8 - 0 = 5; available 13, budget 13 - 8 = 5: old 8 -> 3.
 *   (10,3) total 8: add min(5, 5) = 5.
 *          wait: maxScaledDown = 13 - 8 - (10 - 5) = 0.
 *   (10,0) maxScaledDown 5, budget 5: old 3 -> 0.
 * At most 13 pods (surge 3) and at least 8 available (unavailable 2) at any time. */
static void
test_rolling_steps (void)
{
  Run r = { 0 };
  const char *strategy = "strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 3, "
                         "maxUnavailable: 2}},";
  g_autofree char *v1 = deployment ("app:1", 10, strategy);
  g_autofree char *v2 = deployment ("app:2", 10, strategy);
  g_autofree char *events = g_strdup_printf ("  - {at: 20s, apply: %s}\n", v2);
  Steps s = { 0 };
  guint id;
  KsDeployment *d;

  s.sizes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  s.is_new = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  s.steps = g_string_new (NULL);
  run_start (&r, v1, events);
  run_to_ms (&r, 19000);
  id = ks_store_watch (ks_sim_get_store (r.sim), ks_kind_get (KS_KIND_REPLICA_SET), NULL, TRUE,
                       steps_watch, &s, NULL);
  run_to_ms (&r, 60000);
  ks_store_unwatch (ks_sim_get_store (r.sim), id);
  g_assert_cmpstr (s.steps->str, ==, "(0,10) (3,10) (3,8) (5,8) (5,3) (10,3) (10,0)");
  d = web (&r);
  g_assert_cmpint (d->status.updated_replicas, ==, 10);
  g_assert_cmpint (d->status.available_replicas, ==, 10);
  g_assert_cmpint (d->status.replicas, ==, 10);
  g_hash_table_unref (s.sizes);
  g_hash_table_unref (s.is_new);
  g_string_free (s.steps, TRUE);
  ks_test_sim_clear (&r);
}

/* The (new, old) steps of a rollout from v1 to v2 (image app:2, applied at 20 s by events), as
 * a watcher sees them from 19 s to until_ms; the run is left at until_ms. */
static char *
rollout_steps (Run *r, const char *v1, const char *events, gint64 until_ms)
{
  Steps s = { 0 };
  guint id;

  s.sizes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  s.is_new = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  s.steps = g_string_new (NULL);
  run_start (r, v1, events);
  run_to_ms (r, 19000);
  id = ks_store_watch (ks_sim_get_store (r->sim), ks_kind_get (KS_KIND_REPLICA_SET), NULL, TRUE,
                       steps_watch, &s, NULL);
  run_to_ms (r, until_ms);
  ks_store_unwatch (ks_sim_get_store (r->sim), id);
  g_hash_table_unref (s.sizes);
  g_hash_table_unref (s.is_new);
  return g_string_free (s.steps, FALSE);
}

/* The defaults, 25 % and 25 %, on 10 replicas resolve (§3.2) to surge ceil(2.5) = 3 and
 * unavailable floor(2.5) = 2: the same steps as test_rolling_steps' explicit 3 and 2. */
static void
test_rolling_percent (void)
{
  Run r = { 0 };
  g_autofree char *v1 = deployment ("app:1", 10, "");
  g_autofree char *v2 = deployment ("app:2", 10, "");
  g_autofree char *events = g_strdup_printf ("  - {at: 20s, apply: %s}\n", v2);
  g_autofree char *steps = rollout_steps (&r, v1, events, 60000);

  g_assert_cmpstr (steps, ==, "(0,10) (3,10) (3,8) (5,8) (5,3) (10,3) (10,0)");
  ks_test_sim_clear (&r);
}

/* maxSurge 0 and maxUnavailable 20 % of 3 replicas: unavailable floor(0.6) = 0, both 0, so
 * MaxUnavailable is 1 (§3.2).  maxTotal 3, minAvailable 2; the new set is created with 0
 * replicas (3 ≥ maxTotal), the old one goes to 2 (maxScaledDown 3 − 2 − 0 = 1, budget 1), the new
 * one to 1; once it is available (2 s), old to 1 and new to 2; then old 0, new 3. */
static void
test_rolling_both_zero (void)
{
  Run r = { 0 };
  const char *strategy = "strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 20%}},";
  g_autofree char *v1 = deployment ("app:1", 3, strategy);
  g_autofree char *v2 = deployment ("app:2", 3, strategy);
  g_autofree char *events = g_strdup_printf ("  - {at: 20s, apply: %s}\n", v2);
  g_autofree char *steps = rollout_steps (&r, v1, events, 60000);

  g_assert_cmpstr (steps, ==, "(0,3) (0,2) (1,2) (1,1) (2,1) (2,0) (3,0)");
  g_assert_cmpint (web (&r)->status.available_replicas, ==, 3);
  ks_test_sim_clear (&r);
}

/* ---- progress deadline -------------------------------------------------------------------- */

/* progressDeadlineSeconds 30, 2 replicas (surge 1, unavailable 0).  v2 at 20 s: its pods are
 * Ready 60 s after they start (readiness probe every 10 s).  At 20 s the new set and its pod
 * appear (ReplicaSetUpdated, lastUpdateTime 20 s); the pod runs at 22 s but is not Ready: no
 * progress.  The deployment is requeued at lastUpdateTime + 30 s + 1 s = 51 s, where
 * 20 + 30 < 51: Progressing=False, ProgressDeadlineExceeded.  At 50 s it still progresses (the
 * comparison is strict).  The rollout goes on regardless: the pod is Ready at 82 s
 * (ReplicaSetUpdated again, True), the second new pod at 144 s, complete:
 * NewReplicaSetAvailable. */
static void
test_progress_deadline (void)
{
  Run r = { 0 };
  g_autofree char *v1 = deployment ("app:1", 2, "progressDeadlineSeconds: 30,");
  g_autofree char *v2 = deployment_full (
      "app:2", 2, "progressDeadlineSeconds: 30,", "kubesim.io/readiness-delay: 60s",
      "readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 10},");
  g_autofree char *events = g_strdup_printf ("  - {at: 20s, apply: %s}\n", v2);
  g_autoptr (GPtrArray) all = NULL;
  g_autofree char *msg = NULL;
  KsDeploymentCondition *c;
  KsDeployment *d;

  run_start (&r, v1, events);
  run_to_ms (&r, 19000);
  c = &web (&r)->status.conditions[KS_DEPLOY_COND_PROGRESSING];
  g_assert_cmpstr (c->reason, ==, "NewReplicaSetAvailable");

  run_to_ms (&r, 50999);
  d = web (&r);
  c = &d->status.conditions[KS_DEPLOY_COND_PROGRESSING];
  g_assert_cmpint (c->status, ==, KS_CONDITION_TRUE);
  g_assert_cmpstr (c->reason, ==, "ReplicaSetUpdated");
  g_assert_cmpint (c->last_update_time, ==, 20 * SEC);
  g_assert_cmpint (d->status.updated_replicas, ==, 1);
  g_assert_cmpint (d->status.ready_replicas, ==, 2);

  run_to_ms (&r, 51000);
  d = web (&r);
  c = &d->status.conditions[KS_DEPLOY_COND_PROGRESSING];
  all = replica_sets (&r);
  msg = g_strdup_printf ("ReplicaSet \"%s\" has timed out progressing.",
                         KS_OBJECT (g_ptr_array_index (all, 1))->meta.name);
  g_assert_cmpint (c->status, ==, KS_CONDITION_FALSE);
  g_assert_cmpstr (c->reason, ==, "ProgressDeadlineExceeded");
  g_assert_cmpstr (c->message, ==, msg);
  g_assert_cmpint (c->last_update_time, ==, 51 * SEC);
  g_assert_cmpint (c->last_transition_time, ==, 51 * SEC);
  /* Stuck: old 2, new 1, nothing available to trade. */
  g_assert_cmpint (KS_REPLICA_SET (g_ptr_array_index (all, 0))->replicas, ==, 2);
  g_assert_cmpint (KS_REPLICA_SET (g_ptr_array_index (all, 1))->replicas, ==, 1);
  g_assert_cmpint (d->status.unavailable_replicas, ==, 1);

  run_to_ms (&r, 81999);
  c = &web (&r)->status.conditions[KS_DEPLOY_COND_PROGRESSING];
  g_assert_cmpstr (c->reason, ==, "ProgressDeadlineExceeded");
  run_to_ms (&r, 82000);
  c = &web (&r)->status.conditions[KS_DEPLOY_COND_PROGRESSING];
  g_assert_cmpint (c->status, ==, KS_CONDITION_TRUE);
  g_assert_cmpstr (c->reason, ==, "ReplicaSetUpdated");
  g_assert_cmpint (c->last_transition_time, ==, 82 * SEC);

  run_to_ms (&r, 143999);
  g_assert_cmpint (web (&r)->status.updated_replicas, ==, 2);
  g_assert_cmpint (web (&r)->status.available_replicas, ==, 2);
  g_assert_cmpint (web (&r)->status.replicas, ==, 3);
  run_to_ms (&r, 144000);
  d = web (&r);
  c = &d->status.conditions[KS_DEPLOY_COND_PROGRESSING];
  g_assert_cmpint (c->status, ==, KS_CONDITION_TRUE);
  g_assert_cmpstr (c->reason, ==, "NewReplicaSetAvailable");
  g_assert_cmpint (d->status.updated_replicas, ==, 2);
  g_assert_cmpint (d->status.available_replicas, ==, 2);
  g_assert_cmpint (d->status.replicas, ==, 2);
  ks_test_sim_clear (&r);
}

/* ---- proportional scaling ----------------------------------------------------------------- */

/* 10 replicas, maxSurge 3, maxUnavailable 2; v2's pods are never Ready, so the rollout stops at
 * new 5, old 8 (test_rolling_steps' third step), both sets annotated max-replicas 13.  Scaling to
 * 20 at 40 s (§3.6): allowed 23, toAdd 23 − 13 = 10; largest first: old
 * round(8 × 23 / 13) − 8 = 14 − 8 = 6, new round(5 × 23 / 13) − 5 = 9 − 5 = 4: old 14, new 9,
 * annotated desired 20 and max 23.  The rollout then waits: maxTotal 23 reached, and
 * maxScaledDown 23 − 18 − 9 < 0.  Scaling down to 5 at 60 s: allowed 8, toAdd 8 − 23 = −15;
 * largest first: old round(14 × 8 / 23) − 14 = 5 − 14 = −9, new round(9 × 8 / 23) − 9 =
 * 3 − 9 = −6: old 5, new 3.  The rollout goes on from there: minAvailable 5 − 2 = 3,
 * maxScaledDown 8 − 3 − 3 = 2, old available 5, budget 2: old to 3; new to 5 (maxTotal 8); then
 * maxScaledDown 8 − 3 − 5 = 0: stuck at (5,3).  In between, the old set's status still counts
 * the 14 pods of before the scale-down: available above spec.replicas, which
 * cleanupUnhealthyReplicas refuses as an error (the pass ends, retried) rather than taking the
 * stale availability as budget (which would scale the old set to 0). */
static void
test_proportional (void)
{
  Run r = { 0 };
  const char *strategy = "strategy: {rollingUpdate: {maxSurge: 3, maxUnavailable: 2}},";
  const char *never = "kubesim.io/readiness-delay: 1h";
  const char *probe = "readinessProbe: {httpGet: {path: /, port: 80}},";
  g_autofree char *v1 = deployment ("app:1", 10, strategy);
  g_autofree char *v2 = deployment_full ("app:2", 10, strategy, never, probe);
  g_autofree char *v2_20 = deployment_full ("app:2", 20, strategy, never, probe);
  g_autofree char *v2_5 = deployment_full ("app:2", 5, strategy, never, probe);
  g_autofree char *events = g_strdup_printf ("  - {at: 20s, apply: %s}\n  - {at: 40s, apply: %s}\n"
                                             "  - {at: 60s, apply: %s}\n",
                                             v2, v2_20, v2_5);
  g_autofree char *steps = rollout_steps (&r, v1, events, 80000);
  g_autoptr (GPtrArray) all = replica_sets (&r);
  KsObject *old = g_ptr_array_index (all, 0), *new = g_ptr_array_index (all, 1);

  g_assert_cmpstr (steps, ==, "(0,10) (3,10) (3,8) (5,8) (5,14) (9,14) (9,5) (3,5) (3,3) (5,3)");
  g_assert_cmpint (KS_REPLICA_SET (old)->replicas, ==, 3);
  g_assert_cmpint (KS_REPLICA_SET (new)->replicas, ==, 5);
  g_assert_cmpint (KS_REPLICA_SET (old)->status.available_replicas, ==, 3);
  g_assert_cmpstr (ks_object_get_annotation (old, "deployment.kubernetes.io/desired-replicas"), ==,
                   "5");
  g_assert_cmpstr (ks_object_get_annotation (new, "deployment.kubernetes.io/max-replicas"), ==,
                   "8");
  ks_test_sim_clear (&r);
}

/* The same mid-rollout scale-up, checked at 40 s exactly: the sizes and annotations right after
 * the proportional step. */
static void
test_proportional_annotations (void)
{
  Run r = { 0 };
  const char *strategy = "strategy: {rollingUpdate: {maxSurge: 3, maxUnavailable: 2}},";
  const char *never = "kubesim.io/readiness-delay: 1h";
  const char *probe = "readinessProbe: {httpGet: {path: /, port: 80}},";
  g_autofree char *v1 = deployment ("app:1", 10, strategy);
  g_autofree char *v2 = deployment_full ("app:2", 10, strategy, never, probe);
  g_autofree char *v2_20 = deployment_full ("app:2", 20, strategy, never, probe);
  g_autofree char *events
      = g_strdup_printf ("  - {at: 20s, apply: %s}\n  - {at: 40s, apply: %s}\n", v2, v2_20);
  g_autoptr (GPtrArray) before = NULL, after = NULL;

  run_start (&r, v1, events);
  run_to_ms (&r, 39999);
  before = replica_sets (&r);
  g_assert_cmpint (KS_REPLICA_SET (g_ptr_array_index (before, 0))->replicas, ==, 8);
  g_assert_cmpint (KS_REPLICA_SET (g_ptr_array_index (before, 1))->replicas, ==, 5);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpstr (ks_object_get_annotation (g_ptr_array_index (before, i),
                                               "deployment.kubernetes.io/max-replicas"),
                     ==, "13");
  run_to_ms (&r, 40000);
  after = replica_sets (&r);
  g_assert_cmpint (KS_REPLICA_SET (g_ptr_array_index (after, 0))->replicas, ==, 14);
  g_assert_cmpint (KS_REPLICA_SET (g_ptr_array_index (after, 1))->replicas, ==, 9);
  for (guint i = 0; i < 2; i++)
    {
      KsObject *rs = g_ptr_array_index (after, i);
      g_assert_cmpstr (ks_object_get_annotation (rs, "deployment.kubernetes.io/desired-replicas"),
                       ==, "20");
      g_assert_cmpstr (ks_object_get_annotation (rs, "deployment.kubernetes.io/max-replicas"), ==,
                       "23");
    }
  run_to_ms (&r, 50000);
  g_assert_cmpint (web (&r)->status.replicas, ==, 23);
  g_assert_cmpint (web (&r)->status.updated_replicas, ==, 9);
  g_assert_cmpint (web (&r)->status.available_replicas, ==, 14);
  g_assert_cmpint (web (&r)->status.unavailable_replicas, ==, 9);
  ks_test_sim_clear (&r);
}

/* Recreate with a grace period: the old pods (terminationGracePeriodSeconds 10; a modelled
 * container does not exit on SIGTERM) are stopped at 20 s and killed at 30 s; only then is the new
 * ReplicaSet created, and its pods run at 32 s. */
static void
test_recreate_waits (void)
{
  Run r = { 0 };
  g_autofree char *v1 = NULL, *v2 = NULL, *events = NULL;
  g_autoptr (GPtrArray) before = NULL, after = NULL;
#define RECREATE_WEB(image)                                                                        \
  "{apiVersion: apps/v1, kind: Deployment, metadata: {name: web},\n"                               \
  "    spec: {replicas: 3, strategy: {type: Recreate},\n"                                          \
  "      selector: {matchLabels: {app: web}},\n"                                                   \
  "      template: {metadata: {labels: {app: web}},\n"                                             \
  "        spec: {terminationGracePeriodSeconds: 10, containers: [{name: web, image: \"" image     \
  "\"}]}}}}"
  v1 = g_strdup (RECREATE_WEB ("app:1"));
  v2 = g_strdup (RECREATE_WEB ("app:2"));
#undef RECREATE_WEB
  events = g_strdup_printf ("  - {at: 20s, apply: %s}\n", v2);
  run_start (&r, v1, events);
  run_to_ms (&r, 29999);
  before = replica_sets (&r);
  /* Scaled to 0 at 20 s, no new set while the old pods terminate. */
  g_assert_cmpuint (before->len, ==, 1);
  g_assert_cmpint (KS_REPLICA_SET (g_ptr_array_index (before, 0))->replicas, ==, 0);
  g_assert_cmpint (web (&r)->status.replicas, ==, 0);
  run_to_ms (&r, 30000);
  after = replica_sets (&r);
  g_assert_cmpuint (after->len, ==, 2);
  g_assert_cmpint (KS_REPLICA_SET (g_ptr_array_index (after, 1))->replicas, ==, 3);
  g_assert_cmpint (KS_OBJECT (g_ptr_array_index (after, 1))->meta.creation_timestamp, ==, 30 * SEC);
  run_to_ms (&r, 31999);
  g_assert_cmpint (web (&r)->status.available_replicas, ==, 0);
  run_to_ms (&r, 32000);
  g_assert_cmpint (web (&r)->status.available_replicas, ==, 3);
  ks_test_sim_clear (&r);
}

/* ---- minReadySeconds ---------------------------------------------------------------------- */

/* minReadySeconds 5, 2 replicas (surge 1, unavailable 0), pods Ready when they run (2 s after
 * creation).  A pod is available once Ready for more than 5 s (IsPodAvailable is strict); the
 * ReplicaSet controller looks again minReadySeconds + 1 s after a pod became Ready, as Kubernetes'
 * updatePod does.  v2 at 20 s: the new pod is Ready at 22 s and counted available at 28 s, when
 * the old set goes to 1 and the new one to 2; that pod is Ready at 30 s, available at 36 s, when
 * the old set goes to 0. */
static void
test_min_ready_seconds (void)
{
  Run r = { 0 };
  g_autofree char *v1 = deployment ("app:1", 2, "minReadySeconds: 5,");
  g_autofree char *v2 = deployment ("app:2", 2, "minReadySeconds: 5,");
  g_autofree char *events = g_strdup_printf ("  - {at: 20s, apply: %s}\n", v2);
  g_autoptr (GPtrArray) a = NULL, b = NULL, c = NULL, d = NULL;

  run_start (&r, v1, events);
  run_to_ms (&r, 27999);
  a = replica_sets (&r);
  g_assert_cmpint (KS_REPLICA_SET (g_ptr_array_index (a, 0))->replicas, ==, 2);
  g_assert_cmpint (KS_REPLICA_SET (g_ptr_array_index (a, 1))->replicas, ==, 1);
  g_assert_cmpint (web (&r)->status.ready_replicas, ==, 3);
  g_assert_cmpint (web (&r)->status.available_replicas, ==, 2);
  run_to_ms (&r, 28000);
  b = replica_sets (&r);
  g_assert_cmpint (KS_REPLICA_SET (g_ptr_array_index (b, 0))->replicas, ==, 1);
  g_assert_cmpint (KS_REPLICA_SET (g_ptr_array_index (b, 1))->replicas, ==, 2);
  run_to_ms (&r, 35999);
  c = replica_sets (&r);
  g_assert_cmpint (KS_REPLICA_SET (g_ptr_array_index (c, 0))->replicas, ==, 1);
  run_to_ms (&r, 36000);
  d = replica_sets (&r);
  g_assert_cmpint (KS_REPLICA_SET (g_ptr_array_index (d, 0))->replicas, ==, 0);
  g_assert_cmpint (web (&r)->status.available_replicas, ==, 2);
  g_assert_cmpint (web (&r)->status.updated_replicas, ==, 2);
  ks_test_sim_clear (&r);
}

/* ---- readiness gating Endpoints -------------------------------------------------------------- */

/* Ready and not-ready addresses of the Service web's Endpoints, "ready/not-ready". */
static char *
endpoint_counts (Run *r)
{
  KsObject *obj
      = ks_store_get (ks_sim_get_store (r->sim), ks_kind_get (KS_KIND_ENDPOINTS), "default", "web");
  const KsEndpoints *ep = obj != NULL ? KS_ENDPOINTS (obj) : NULL;
  guint ready = 0, not_ready = 0;

  for (guint i = 0; ep != NULL && i < ep->n_subsets; i++)
    {
      ready += ep->subsets[i].n_addresses;
      not_ready += ep->subsets[i].n_not_ready_addresses;
    }
  return g_strdup_printf ("%u/%u", ready, not_ready);
}

/* In a whole run with a Service (so pods have IPs): 2 replicas Running at 2 s, whose readiness
 * probes (every 10 s from the start, failureThreshold 1) fail while the pods are 30 s to 50 s
 * old: probes at 2, 12, 22, 32, 42, 52 s, so both pods are not-ready addresses from 32 s to 52 s
 * and ready ones before and after. */
static void
test_readiness_window_endpoints (void)
{
  Run r = { 0 };
  g_autofree char *web
      = deployment_full ("app:1", 2, "", "kubesim.io/readiness-fail-window: 30s-50s",
                         "readinessProbe: {httpGet: {path: /, port: 80}, failureThreshold: 1},");
  g_autofree char *objects
      = g_strdup_printf ("{apiVersion: v1, kind: Service, metadata: {name: web}, spec: "
                         "{selector: {app: web}, ports: [{port: 80}]}}\n  - %s",
                         web);
  static const char *const checks[][2] = {
    { "1999", "0/2" },  { "2000", "2/0" },  { "31999", "2/0" },
    { "32000", "0/2" }, { "51999", "0/2" }, { "52000", "2/0" },
  };

  run_start (&r, objects, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      g_autofree char *counts = NULL;
      run_to_ms (&r, g_ascii_strtoll (checks[i][0], NULL, 10));
      counts = endpoint_counts (&r);
      g_test_message ("%s ms: %s", checks[i][0], counts);
      g_assert_cmpstr (counts, ==, checks[i][1]);
    }
  ks_test_sim_clear (&r);
}

/* ---- Recreate ----------------------------------------------------------------------------- */

typedef struct
{
  gint64 last_old_gone;                 /* when the last app:1 pod was deleted */
  gint64 first_new;                     /* when the first app:2 pod was created */
  guint n, last_old_seq, first_new_seq; /* the same, as positions in the watch's event order */
  KsClock *clock;
} RecreateWatch;

static void
recreate_watch (const KsWatchEvent *event, gpointer user_data)
{
  RecreateWatch *w = user_data;
  const char *image = KS_POD (event->object)->spec->containers[0].image;

  w->n++;
  if (event->type == KS_WATCH_DELETED && g_strcmp0 (image, "app:1") == 0)
    {
      w->last_old_gone = ks_clock_now (w->clock);
      w->last_old_seq = w->n;
    }
  if (event->type == KS_WATCH_ADDED && g_strcmp0 (image, "app:2") == 0 && w->first_new < 0)
    {
      w->first_new = ks_clock_now (w->clock);
      w->first_new_seq = w->n;
    }
}

/* Recreate (§3.7): v2 at 20 s scales the old set to 0 at once; the new set is created only once
 * no old pod is left, and scaled straight to 3.  No instant has old and new pods together. */
static void
test_recreate (void)
{
  Run r = { 0 };
  const char *strategy = "strategy: {type: Recreate},";
  g_autofree char *v1 = deployment ("app:1", 3, strategy);
  g_autofree char *v2 = deployment ("app:2", 3, strategy);
  g_autofree char *events = g_strdup_printf ("  - {at: 20s, apply: %s}\n", v2);
  RecreateWatch w = { -1, -1, 0, 0, 0, NULL };
  g_autoptr (GPtrArray) all = NULL;
  KsDeployment *d;
  guint id;

  run_start (&r, v1, events);
  run_to_ms (&r, 19000);
  w.clock = ks_sim_get_clock (r.sim);
  id = ks_store_watch (ks_sim_get_store (r.sim), ks_kind_get (KS_KIND_POD), NULL, FALSE,
                       recreate_watch, &w, NULL);
  run_to_ms (&r, 60000);
  ks_store_unwatch (ks_sim_get_store (r.sim), id);
  g_test_message ("last old pod gone at %" G_GINT64_FORMAT ", first new pod at %" G_GINT64_FORMAT,
                  w.last_old_gone, w.first_new);
  /* The modelled containers stop at once (grace period 0): all within the instant 20 s, but the
   * first new pod only after the last old one is gone. */
  g_assert_cmpint (w.last_old_gone, ==, 20 * SEC);
  g_assert_cmpint (w.first_new, ==, 20 * SEC);
  g_assert_cmpuint (w.last_old_seq, >, 0);
  g_assert_cmpuint (w.first_new_seq, >, w.last_old_seq);
  all = replica_sets (&r);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpint (KS_REPLICA_SET (g_ptr_array_index (all, 0))->replicas, ==, 0);
  g_assert_cmpint (KS_REPLICA_SET (g_ptr_array_index (all, 1))->replicas, ==, 3);
  d = web (&r);
  g_assert_cmpint (d->status.available_replicas, ==, 3);
  g_assert_cmpint (d->status.updated_replicas, ==, 3);
  g_assert_cmpstr (d->status.conditions[KS_DEPLOY_COND_PROGRESSING].reason, ==,
                   "NewReplicaSetAvailable");
  ks_test_sim_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/deployment/history-limit", test_history_limit);
  g_test_add_func ("/deployment/history-limit-zero", test_history_limit_zero);
  g_test_add_func ("/deployment/rollback", test_rollback);
  g_test_add_func ("/deployment/rollback-errors", test_rollback_errors);
  g_test_add_func ("/deployment/rollback-no-history", test_rollback_no_history);
  g_test_add_func ("/deployment/paused", test_paused);
  g_test_add_func ("/deployment/rolling-steps", test_rolling_steps);
  g_test_add_func ("/deployment/rolling-percent", test_rolling_percent);
  g_test_add_func ("/deployment/rolling-both-zero", test_rolling_both_zero);
  g_test_add_func ("/deployment/progress-deadline", test_progress_deadline);
  g_test_add_func ("/deployment/proportional", test_proportional);
  g_test_add_func ("/deployment/proportional-annotations", test_proportional_annotations);
  g_test_add_func ("/deployment/recreate", test_recreate);
  g_test_add_func ("/deployment/recreate-waits", test_recreate_waits);
  g_test_add_func ("/deployment/min-ready-seconds", test_min_ready_seconds);
  g_test_add_func ("/deployment/readiness-window-endpoints", test_readiness_window_endpoints);
  return g_test_run ();
}
