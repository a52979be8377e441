/* test-hpa-sim.c: the HPA controller in a whole simulated cluster: the metrics pipeline (scrapes
 * every resolution, the scrape delay), the sync period, kubectl autoscale's legacy limits
 * (max(2 × current, 4) per sync), behavior's default rate (4 pods or 100 % per 15 s, whichever
 * is more), the 300 s scale-down stabilization, events and conditions.  Each test writes a
 * scenario, runs it to chosen times and reads the store and the events. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "policies/ks-policy-modules.h"
#include "sim/ks-sim.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-autoscaling.h"
#include "src/api/ks-statefulset.h"
#include "src/controllers/ks-hpa.h"
#include "tests/ks-test.h"

#define SEC KS_USEC_PER_SEC

typedef KsTestSim Run;

/* A Deployment "web" of replicas pods, each using cpu (kubesim.io/cpu-usage) of a 100m request
 * and 64Mi of memory (metrics-server drops points without memory). */
static char *
deployment (int replicas, const char *cpu)
{
  return g_strdup_printf (
      "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: web},\n"
      "    spec: {replicas: %d, selector: {matchLabels: {app: web}},\n"
      "      template: {metadata: {labels: {app: web},\n"
      "          annotations: {kubesim.io/cpu-usage: %s, kubesim.io/memory-usage: 64Mi}},\n"
      "        spec: {containers: [{name: web, image: web:1,\n"
      "          resources: {requests: {cpu: 100m, memory: 128Mi}}}]}}}}\n",
      replicas, cpu);
}

static void
run_start (Run *r, const char *objects, const char *events, const char *extra)
{
  ks_test_sim_start (r, TRUE,
                     "kind: Scenario\nduration: 20m\nkubelet: {startup: 1s}\n"
                     "cluster:\n  nodes:\n    - {name: node, count: 4, capacity: {cpu: "
                     "\"32\", memory: 64Gi}}\n%sobjects:\n%s%s%s",
                     extra, objects, events[0] != '\0' ? "events:\n" : "", events);
}

static void
run_to (Run *r, gint64 t)
{
  ks_sim_run_until (r->sim, t, NULL, NULL);
}

static gint32
replicas (Run *r)
{
  g_autoptr (KsObject) obj = ks_test_sim_get (r, KS_KIND_DEPLOYMENT, "default", "web");

  return KS_DEPLOYMENT (obj)->replicas;
}

static KsHorizontalPodAutoscaler *
get_hpa (Run *r)
{
  return KS_HPA (ks_test_sim_get (r, KS_KIND_HORIZONTAL_POD_AUTOSCALER, "default", "web"));
}

/* The times (s) and messages of the SuccessfulRescale events, "t: message" lines joined. */
static char *
rescales (Run *r)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < r->sink.records->len; i++)
    {
      const KsTestRecord *rec = g_ptr_array_index (r->sink.records, i);
      if (strcmp (rec->reason, "SuccessfulRescale") == 0)
        g_string_append_printf (s, "%s%" G_GINT64_FORMAT ": %s", s->len ? "\n" : "",
                                rec->time / SEC, rec->message);
    }
  return g_string_free (s, FALSE);
}

static void
dump (Run *r)
{
  g_autoptr (KsHorizontalPodAutoscaler) hpa = get_hpa (r);
  g_autofree char *targets = ks_hpa_format_targets (hpa);

  g_test_message ("t=%.1f replicas=%d current=%d desired=%d targets=%s",
                  (double) ks_clock_now (ks_sim_get_clock (r->sim)) / SEC, replicas (r),
                  hpa->status.current_replicas, hpa->status.desired_replicas, targets);
  for (guint i = 0; i < KS_N_HPA_CONDITIONS; i++)
    if (hpa->status.conditions[i].status != KS_CONDITION_UNSET)
      g_test_message ("  %s %s %s: %s", ks_hpa_condition_name (i),
                      ks_condition_status_name (hpa->status.conditions[i].status),
                      hpa->status.conditions[i].reason, hpa->status.conditions[i].message);
}

static void
assert_limited (Run *r, const char *reason)
{
  g_autoptr (KsHorizontalPodAutoscaler) hpa = get_hpa (r);
  g_assert_cmpstr (hpa->status.conditions[KS_HPA_COND_SCALING_LIMITED].reason, ==, reason);
}

#define UP "cpu resource utilization (percentage of request) above target"

/* kubectl autoscale (no behavior): every pod uses 500m of its 100m request, ten times the 50 %
 * target, whatever the count, so each sync asks for more and the legacy limit max(2 × current,
 * 4) binds: 1 → 4 → 8 → 16 → 20 (the max), one step per 15 s sync, the first 15 s after the HPA
 * was made. */
static void
test_legacy_scale_up (void)
{
  Run r = { 0 };
  g_autofree char *objects = deployment (1, "500m");
  g_autofree char *events = NULL;
  g_autoptr (KsHorizontalPodAutoscaler) hpa = NULL;
  g_autofree char *targets = NULL;

  run_start (&r, objects, "  - {at: 0s, autoscale: {deployment: web, max: 20, cpuPercent: 50}}\n",
             "");
  run_to (&r, 14 * SEC);
  g_assert_cmpint (replicas (&r), ==, 1);
  run_to (&r, 15 * SEC + SEC / 2);
  dump (&r);
  g_assert_cmpint (replicas (&r), ==, 4);
  assert_limited (&r, "ScaleUpLimit");
  run_to (&r, 30 * SEC + SEC / 2);
  g_assert_cmpint (replicas (&r), ==, 8);
  run_to (&r, 45 * SEC + SEC / 2);
  g_assert_cmpint (replicas (&r), ==, 16);
  run_to (&r, 60 * SEC + SEC / 2);
  g_assert_cmpint (replicas (&r), ==, 20);
  assert_limited (&r, "TooManyReplicas");
  run_to (&r, 120 * SEC);
  events = rescales (&r);
  g_assert_cmpstr (events, ==,
                   "15: New size: 4; reason: " UP "\n30: New size: 8; reason: " UP
                   "\n45: New size: 16; reason: " UP "\n60: New size: 20; reason: " UP);
  hpa = get_hpa (&r);
  targets = ks_hpa_format_targets (hpa);
  g_assert_cmpstr (targets, ==, "cpu: 500%/50%");
  g_assert_cmpint (hpa->status.current_replicas, ==, 20);
  g_assert_cmpint (hpa->status.desired_replicas, ==, 20);
  g_assert_cmpint (hpa->status.last_scale_time, ==, 60 * SEC);
  g_assert_cmpint (hpa->status.conditions[KS_HPA_COND_SCALING_ACTIVE].status, ==,
                   KS_CONDITION_TRUE);
  ks_test_sim_clear (&r);
}

static const char hpa_v2[]
    = "  - apiVersion: autoscaling/v2\n"
      "    kind: HorizontalPodAutoscaler\n"
      "    metadata: {name: web}\n"
      "    spec:\n"
      "      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"
      "      minReplicas: %d\n"
      "      maxReplicas: 20\n"
      "      metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, "
      "averageUtilization: 50}}}]\n"
      "      behavior: {}\n";

/* behavior's default scale-up: 4 pods or 100 % per 15 s, whichever is more: 1 → 5 → 10 → 20. */
static void
test_behavior_scale_up (void)
{
  Run r = { 0 };
  g_autofree char *dep = deployment (1, "500m");
  g_autofree char *hpa = g_strdup_printf (hpa_v2, 1);
  g_autofree char *objects = g_strconcat (dep, hpa, NULL);
  g_autofree char *events = NULL;

  run_start (&r, objects, "", "");
  run_to (&r, 90 * SEC);
  events = rescales (&r);
  g_assert_cmpstr (events, ==,
                   "15: New size: 5; reason: " UP "\n30: New size: 10; reason: " UP
                   "\n45: New size: 20; reason: " UP);
  g_assert_cmpint (replicas (&r), ==, 20);
  ks_test_sim_clear (&r);
}

/* Scale-down waits for the 300 s window.  Ten pods at 10 % of their request against 50 %: the
 * proposal is ceil(0.2 × 10) = 2 from the first sync (15 s) on, but the first sync's
 * recommendation (the current 10) holds the count.  Without behavior it counts while it is not
 * before now − 300 s, so the count drops at 330 s (to the min, 3); with behavior while it is
 * strictly after now − 300 s, so at 315 s (to 2). */
static void
test_legacy_scale_down (void)
{
  Run r = { 0 };
  g_autofree char *objects = deployment (10, "10m");
  g_autofree char *events = NULL;

  run_start (&r, objects,
             "  - {at: 0s, autoscale: {deployment: web, min: 3, max: 20, cpuPercent: 50}}\n", "");
  run_to (&r, 315 * SEC + SEC / 2);
  dump (&r);
  g_assert_cmpint (replicas (&r), ==, 10);
  {
    g_autoptr (KsHorizontalPodAutoscaler) hpa = get_hpa (&r);
    g_assert_cmpstr (hpa->status.conditions[KS_HPA_COND_ABLE_TO_SCALE].reason, ==,
                     "ScaleDownStabilized");
  }
  run_to (&r, 330 * SEC + SEC / 2);
  g_assert_cmpint (replicas (&r), ==, 3);
  assert_limited (&r, "TooFewReplicas");
  events = rescales (&r);
  g_assert_cmpstr (events, ==, "330: New size: 3; reason: All metrics below target");
  ks_test_sim_clear (&r);
}

static void
test_behavior_scale_down (void)
{
  Run r = { 0 };
  g_autofree char *dep = deployment (10, "10m");
  g_autofree char *hpa = g_strdup_printf (hpa_v2, 1);
  g_autofree char *objects = g_strconcat (dep, hpa, NULL);
  g_autofree char *events = NULL;

  run_start (&r, objects, "", "");
  run_to (&r, 300 * SEC + SEC / 2);
  g_assert_cmpint (replicas (&r), ==, 10);
  run_to (&r, 315 * SEC + SEC / 2);
  g_assert_cmpint (replicas (&r), ==, 2);
  events = rescales (&r);
  g_assert_cmpstr (events, ==, "315: New size: 2; reason: All metrics below target");
  ks_test_sim_clear (&r);
}

/* The scenario's autoscaling section: a 30 s sync period moves the first rescale to 30 s; a
 * 10 s scrape delay stores the scrape of 15 s at 25 s, so the sync at 15 s finds no usable
 * metrics (one point per container, no window yet) and records why. */
static void
test_settings (void)
{
  g_autofree char *objects = deployment (1, "500m");
  const char *autoscale = "  - {at: 0s, autoscale: {deployment: web, max: 20, cpuPercent: 50}}\n";

  {
    Run r = { 0 };
    g_autofree char *events = NULL;
    run_start (&r, objects, autoscale, "hpa: {syncPeriod: 30s}\n");
    run_to (&r, 60 * SEC + SEC / 2);
    events = rescales (&r);
    g_assert_cmpstr (events, ==, "30: New size: 4; reason: " UP "\n60: New size: 8; reason: " UP);
    ks_test_sim_clear (&r);
  }
  {
    Run r = { 0 };
    g_autofree char *events = NULL;
    gboolean failed = FALSE;
    run_start (&r, objects, autoscale, "hpa: {metricResolution: 15s, scrapeDelay: 10s}\n");
    run_to (&r, 30 * SEC + SEC / 2);
    events = rescales (&r);
    g_assert_cmpstr (events, ==, "30: New size: 4; reason: " UP);
    for (guint i = 0; i < r.sink.records->len; i++)
      {
        const KsTestRecord *rec = g_ptr_array_index (r.sink.records, i);
        if (strcmp (rec->reason, "FailedGetResourceMetric") == 0 && rec->time == 15 * SEC)
          {
            g_test_message ("%s", rec->message);
            g_assert_true (rec->warning);
            g_assert_cmpstr (rec->message, ==,
                             "failed to get cpu utilization: unable to get metrics for resource "
                             "cpu: no metrics returned from resource metrics API");
            failed = TRUE;
          }
      }
    g_assert_true (failed);
    ks_test_sim_clear (&r);
  }
}

static const char service_and_load[]
    = "  - {apiVersion: v1, kind: Service, metadata: {name: web},\n"
      "    spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}}\n";

/* Pods, Object and External metrics from the load model: 100 requests per second to the
 * Service "web", 10 per pod wanted. */
static void
run_custom (const char *metric, const char *expected)
{
  Run r = { 0 };
  g_autofree char *dep = deployment (2, "10m");
  g_autofree char *hpa = g_strdup_printf (
      "  - apiVersion: autoscaling/v2\n"
      "    kind: HorizontalPodAutoscaler\n"
      "    metadata: {name: web}\n"
      "    spec:\n"
      "      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"
      "      maxReplicas: 30\n"
      "      metrics: [%s]\n"
      "      behavior: {}\n",
      metric);
  g_autofree char *objects = g_strconcat (service_and_load, dep, hpa, NULL);
  g_autofree char *events = NULL;

  run_start (&r, objects, "",
             "load: [{service: web, rate: {constant: 100}, cpuPerRequest: 1ms}]\n");
  for (int t = 15; t <= 120; t += 15)
    {
      run_to (&r, t * SEC + SEC / 2);
      dump (&r);
    }
  for (guint i = 0; i < r.sink.records->len; i++)
    {
      const KsTestRecord *rec = g_ptr_array_index (r.sink.records, i);
      if (rec->warning)
        g_test_message ("%s", (const char *) g_ptr_array_index (r.sink.lines, i));
    }
  events = rescales (&r);
  g_test_message ("%s", events);
  g_assert_cmpstr (events, ==, expected);
  ks_test_sim_clear (&r);
}

static void
test_pods_metric (void)
{
  run_custom ("{type: Pods, pods: {metric: {name: requests_per_second}, target: {type: "
              "AverageValue, averageValue: 10}}}",
              /* 15 s: one reading per pod, no rate yet.  30 s: 50 per pod, 2 → 6 (4 pods or
               * 100 %).  45 s: the 4 new pods have no rate yet and count as 0 on the way up,
               * which flips the direction: no change.  60 s: 100 / 6 per pod → 10. */
              "30: New size: 6; reason: pods metric requests_per_second above target\n"
              "60: New size: 10; reason: pods metric requests_per_second above target");
}

static void
test_object_metric (void)
{
  run_custom ("{type: Object, object: {describedObject: {apiVersion: v1, kind: Service, name: "
              "web}, metric: {name: requests_per_second}, target: {type: AverageValue, "
              "averageValue: 10}}}",
              /* ceil(100 / 10) = 10, limited to 6 at the first sync. */
              "15: New size: 6; reason: Service metric requests_per_second above target\n"
              "30: New size: 10; reason: Service metric requests_per_second above target");
}

static void
test_external_metric (void)
{
  /* AverageValue: ceil(100 / 20) = 5. */
  run_custom ("{type: External, external: {metric: {name: web_requests_per_second}, target: "
              "{type: AverageValue, averageValue: 20}}}",
              "15: New size: 5; reason: external metric web_requests_per_second(nil) above "
              "target");
  /* Value: the ratio 100 / 20 times the ready pods, whatever their count: it keeps growing to
   * the max (as Kubernetes does for a Value target that more pods do not lower). */
  run_custom ("{type: External, external: {metric: {name: web_requests_per_second}, target: "
              "{type: Value, value: 20}}}",
              "15: New size: 6; reason: external metric web_requests_per_second(nil) above "
              "target\n30: New size: 12; reason: external metric web_requests_per_second(nil) "
              "above target\n45: New size: 24; reason: external metric "
              "web_requests_per_second(nil) above target\n60: New size: 30; reason: external "
              "metric web_requests_per_second(nil) above target");
}

/* The scale subresource of ReplicaSets and StatefulSets: kubectl autoscale of each scales it as
 * a Deployment (1 → 4 at the first sync). */
static void
test_other_targets (void)
{
  static const char *const kinds[][2]
      = { { "ReplicaSet", "replicaset" }, { "StatefulSet", "statefulset" } };
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      Run r = { 0 };
      g_autofree char *objects = g_strdup_printf (
          "  - {apiVersion: apps/v1, kind: %s, metadata: {name: web},\n"
          "    spec: {replicas: 1, serviceName: web, selector: {matchLabels: {app: web}},\n"
          "      template: {metadata: {labels: {app: web},\n"
          "          annotations: {kubesim.io/cpu-usage: 500m, kubesim.io/memory-usage: 64Mi}},\n"
          "        spec: {containers: [{name: web, image: web:1,\n"
          "          resources: {requests: {cpu: 100m, memory: 128Mi}}}]}}}}\n",
          kinds[k][0]);
      g_autofree char *events = g_strdup_printf (
          "  - {at: 0s, autoscale: {%s: web, max: 20, cpuPercent: 50}}\n", kinds[k][1]);
      g_autofree char *rescaled = NULL;
      g_autoptr (KsObject) obj = NULL;

      if (k == 0)
        {
          /* A ReplicaSet has no serviceName. */
          char *p = strstr (objects, "serviceName: web, ");
          memmove (p, p + strlen ("serviceName: web, "),
                   strlen (p + strlen ("serviceName: web, ")) + 1);
        }
      run_start (&r, objects, events, "");
      run_to (&r, 15 * SEC + SEC / 2);
      rescaled = rescales (&r);
      g_assert_cmpstr (rescaled, ==, "15: New size: 4; reason: " UP);
      obj = ks_client_get (ks_sim_get_client (r.sim), ks_kind_lookup (NULL, kinds[k][0]), "default",
                           "web", NULL);
      g_assert_cmpint (k == 0 ? KS_REPLICA_SET (obj)->replicas : KS_STATEFUL_SET (obj)->replicas,
                       ==, 4);
      ks_test_sim_clear (&r);
    }
}

/* The annotation kubesim.io/autoscaler-policy: step: every pod at 500m of 100m is 1000 % of the
 * 50 % target (a breach of +900 %), so each step is +50 % of the count (at least 1), one per
 * 300 s cooldown: 1 → 2 at 15 s, → 3 at 315 s, → 4 at 615 s (1.5 rounds to 1). */
static void
test_step_policy (void)
{
  Run r = { 0 };
  g_autofree char *dep = deployment (1, "500m");
  g_autofree char *hpa = g_strdup_printf (hpa_v2, 1);
  g_autofree char *annotated = NULL;
  g_autofree char *objects = NULL;
  g_autofree char *events = NULL;
  g_auto (GStrv) parts = g_strsplit (hpa, "metadata: {name: web}", 2);

  annotated = g_strconcat (parts[0],
                           "metadata: {name: web, annotations: {kubesim.io/autoscaler-policy: "
                           "step}}",
                           parts[1], NULL);
  objects = g_strconcat (dep, annotated, NULL);
  run_start (&r, objects, "", "");
  run_to (&r, 700 * SEC);
  events = rescales (&r);
  g_assert_cmpstr (events, ==,
                   "15: New size: 2; reason: step scaling: cpu resource utilization (percentage "
                   "of request) at 1000% of target\n315: New size: 3; reason: step scaling: cpu "
                   "resource utilization (percentage of request) at 1000% of target\n615: New "
                   "size: 4; reason: step scaling: cpu resource utilization (percentage of "
                   "request) at 1000% of target");
  ks_test_sim_clear (&r);
}

/* The first record with reason, or NULL. */
static const KsTestRecord *
find_record (Run *r, const char *reason)
{
  for (guint i = 0; i < r->sink.records->len; i++)
    {
      const KsTestRecord *rec = g_ptr_array_index (r->sink.records, i);
      if (strcmp (rec->reason, reason) == 0)
        return rec;
    }
  return NULL;
}

/* An unknown policy name in an HPA made at run time (a scenario's own HPAs are checked at load,
 * tests/bad/; real mode's come through the API): the HPA does not scale, ScalingActive is False
 * with reason InvalidAutoscalerPolicy, and Warning events say why and what is valid. */
static void
test_unknown_policy (void)
{
  Run r = { 0 };
  g_autofree char *dep = deployment (1, "500m");
  g_autofree char *valid = ks_autoscaler_policy_names ();
  g_autofree char *want = g_strdup_printf ("unknown autoscaler policy \"bogus\" in annotation "
                                           "kubesim.io/autoscaler-policy (valid: %s)",
                                           valid);
  g_autoptr (GError) error = NULL;
  g_autoptr (KsObject) stored = NULL;
  g_autoptr (KsHorizontalPodAutoscaler) hpa = NULL;
  const KsTestRecord *rec;
  KsObject *obj = ks_test_decode (
      "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n"
      "metadata: {name: web, annotations: {kubesim.io/autoscaler-policy: bogus}}\n"
      "spec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"
      "  maxReplicas: 20\n");

  g_assert_cmpstr (valid, ==, "kubernetes, predictive, step");
  /* The hpa settings start the autoscaling machinery although no HPA is there yet. */
  run_start (&r, dep, "", "hpa: {policy: kubernetes}\n");
  stored = ks_client_create (ks_sim_get_client (r.sim), obj, &error);
  g_assert_no_error (error);
  ks_object_unref (obj);
  run_to (&r, 60 * SEC);
  g_assert_cmpint (replicas (&r), ==, 1);
  rec = find_record (&r, KS_HPA_REASON_INVALID_POLICY);
  g_assert_nonnull (rec);
  g_assert_true (rec->warning);
  g_assert_cmpstr (rec->message, ==, want);
  rec = find_record (&r, "FailedComputeMetricsReplicas");
  g_assert_nonnull (rec);
  g_assert_cmpstr (rec->message, ==, want);
  hpa = get_hpa (&r);
  g_assert_cmpint (hpa->status.conditions[KS_HPA_COND_SCALING_ACTIVE].status, ==,
                   KS_CONDITION_FALSE);
  g_assert_cmpstr (hpa->status.conditions[KS_HPA_COND_SCALING_ACTIVE].reason, ==,
                   KS_HPA_REASON_INVALID_POLICY);
  g_assert_cmpstr (hpa->status.conditions[KS_HPA_COND_SCALING_ACTIVE].message, ==, want);
  g_assert_cmpint (hpa->status.current_replicas, ==, 1);
  ks_test_sim_clear (&r);
}

/* Two HPAs on one Deployment (validateAndParseSelector): at 15 s the first, web, finds no other
 * HPA selecting its pods (web2 has not reconciled yet: Kubernetes registers a new HPA with a
 * selector that selects nothing) and scales 1 → 5; web2 then finds web's selector on the same
 * pods, and from then on both refuse: ScalingActive False, AmbiguousSelector, Kubernetes'
 * message (the HPAs sorted, where Kubernetes lists them in map order). */
static void
test_ambiguous_selector (void)
{
  Run r = { 0 };
  g_autofree char *dep = deployment (1, "500m");
  g_autofree char *hpa1 = g_strdup_printf (hpa_v2, 1);
  g_autofree char *hpa2 = NULL;
  g_autofree char *objects = NULL;
  g_autofree char *events = NULL;
  g_auto (GStrv) parts = g_strsplit (hpa1, "metadata: {name: web}", 2);
  const char *want
      = "pods by selector app=web are controlled by multiple HPAs: [default/web default/web2]";
  guint ambiguous = 0;

  hpa2 = g_strconcat (parts[0], "metadata: {name: web2}", parts[1], NULL);
  objects = g_strconcat (dep, hpa1, hpa2, NULL);
  run_start (&r, objects, "", "");
  run_to (&r, 60 * SEC);
  events = rescales (&r);
  g_assert_cmpstr (events, ==, "15: New size: 5; reason: " UP);
  g_assert_cmpint (replicas (&r), ==, 5);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (KsObject) obj = ks_client_get (ks_sim_get_client (r.sim),
                                                ks_kind_get (KS_KIND_HORIZONTAL_POD_AUTOSCALER),
                                                "default", i == 0 ? "web" : "web2", NULL);
      const KsHpaCondition *c = &KS_HPA (obj)->status.conditions[KS_HPA_COND_SCALING_ACTIVE];
      g_assert_cmpint (c->status, ==, KS_CONDITION_FALSE);
      g_assert_cmpstr (c->reason, ==, "AmbiguousSelector");
      g_assert_cmpstr (c->message, ==, want);
    }
  for (guint i = 0; i < r.sink.records->len; i++)
    {
      const KsTestRecord *rec = g_ptr_array_index (r.sink.records, i);
      if (strcmp (rec->reason, "AmbiguousSelector") == 0)
        {
          g_assert_true (rec->warning);
          g_assert_cmpstr (rec->message, ==, want);
          ambiguous++;
        }
    }
  /* web2 at 15, 30, 45, 60 s; web at 30, 45, 60 s. */
  g_assert_cmpuint (ambiguous, ==, 7);
  ks_test_sim_clear (&r);
}

/* status.observedGeneration is the generation the last reconcile read: 1 after the first sync, 2
 * from the sync after a spec change (maxReplicas 20 → 3, which the next sync applies). */
static void
test_observed_generation (void)
{
  Run r = { 0 };
  g_autofree char *dep = deployment (1, "500m");
  g_autofree char *hpa_text = g_strdup_printf (hpa_v2, 1);
  g_autofree char *objects = g_strconcat (dep, hpa_text, NULL);
  g_autoptr (KsHorizontalPodAutoscaler) hpa = NULL;
  g_autoptr (KsHorizontalPodAutoscaler) after = NULL;
  g_autoptr (KsHorizontalPodAutoscaler) later = NULL;
  g_autoptr (KsObject) copy = NULL;
  g_autoptr (KsObject) stored = NULL;
  g_autoptr (GError) error = NULL;

  run_start (&r, objects, "", "");
  run_to (&r, 20 * SEC);
  hpa = get_hpa (&r);
  g_assert_cmpint (hpa->parent.meta.generation, ==, 1);
  g_assert_cmpint (hpa->status.observed_generation, ==, 1);
  copy = ks_object_copy (KS_OBJECT (hpa));
  KS_HPA (copy)->max_replicas = 3;
  stored = ks_client_update (ks_sim_get_client (r.sim), copy, &error);
  g_assert_no_error (error);
  run_to (&r, 25 * SEC);
  after = get_hpa (&r);
  g_assert_cmpint (after->parent.meta.generation, ==, 2);
  g_assert_cmpint (after->status.observed_generation, ==, 1);
  run_to (&r, 31 * SEC);
  later = get_hpa (&r);
  g_assert_cmpint (later->status.observed_generation, ==, 2);
  g_assert_cmpint (replicas (&r), ==, 3);
  ks_test_sim_clear (&r);
}

/* The example module policies/examples/target-tracking.c, loaded as `kubesim run --policy-path`
 * loads it, on a Pods metric (requests per second per pod, target 10) of a load of 100 per
 * second that drops to 20 at 5 min, on 2 pods.  Worked by hand (the dump shows each reading):
 *   15 s: one reading per pod, no rate yet: FailedGetPodsMetric, no change;
 *   30 s: 50 per pod (49.999: the rate's window): r = 5.0, ceil(2 × 4.9999) = 10 (no rate
 *   limit: kubernetes goes 2 → 6);
 *   45 s: the readings still average 15.2 per pod (r = 1.52): the scale-out cooldown (60 s after
 *   30 s) holds 10; from 60 s 10 pods share 100 (r = 1.0): no change;
 *   315 s: the load is 20 since 300 s, 2 per pod (r = 0.2, ceil(10 × 0.1999) = 2), but the
 *   scale-in cooldown (300 s after 30 s) holds until 330 s: 2 at 330 s; then 2 pods share 20,
 *   r = 1.0. */
static void
test_target_tracking_module (void)
{
  const char *module = g_getenv ("KS_EXAMPLE_AUTOSCALER_MODULE");
  g_autoptr (GError) error = NULL;
  Run r = { 0 };
  g_autofree char *dep = deployment (2, "10m");
  g_autofree char *objects = NULL;
  g_autofree char *events = NULL;
  g_autoptr (KsHorizontalPodAutoscaler) hpa = NULL;

  if (module == NULL)
    {
      g_test_skip ("KS_EXAMPLE_AUTOSCALER_MODULE is not set: run through make check");
      return;
    }
  g_assert_true (ks_policy_modules_load_file (module, &error));
  g_assert_no_error (error);
  objects = g_strconcat (service_and_load, dep,
                         "  - apiVersion: autoscaling/v2\n"
                         "    kind: HorizontalPodAutoscaler\n"
                         "    metadata: {name: web, annotations: {kubesim.io/autoscaler-policy: "
                         "target-tracking}}\n"
                         "    spec:\n"
                         "      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: "
                         "web}\n"
                         "      maxReplicas: 30\n"
                         "      metrics: [{type: Pods, pods: {metric: {name: "
                         "requests_per_second}, target: {type: AverageValue, averageValue: "
                         "10}}}]\n",
                         NULL);
  run_start (&r, objects, "",
             "load: [{service: web, rate: {step: [{at: 0s, rate: 100}, {at: 5m, rate: 20}]}, "
             "cpuPerRequest: 1ms}]\n");
  for (int t = 15; t <= 420; t += 15)
    {
      run_to (&r, t * SEC + SEC / 2);
      dump (&r);
    }
  events = rescales (&r);
  g_test_message ("%s", events);
  g_assert_cmpstr (events, ==,
                   "30: New size: 10; reason: target tracking: pods metric requests_per_second at "
                   "500% of target\n330: New size: 2; reason: target tracking: pods metric "
                   "requests_per_second at 20% of target");
  hpa = get_hpa (&r);
  g_assert_cmpint (hpa->status.conditions[KS_HPA_COND_SCALING_ACTIVE].status, ==,
                   KS_CONDITION_TRUE);
  ks_test_sim_clear (&r);
  ks_policy_modules_unload_all ();
}

/* A ramp from 20 to 400 requests per second over 10 min (5 ms of cpu each) on a Deployment whose
 * HPA (behavior's defaults, 50 % of 100m) uses policy (NULL: none): the counts every 15 s. */
static GArray *
ramp_counts (const char *policy)
{
  Run r = { 0 };
  GArray *counts = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autofree char *annotations
      = policy ? g_strdup_printf (", annotations: {kubesim.io/autoscaler-policy: %s}", policy)
               : g_strdup ("");
  g_autofree char *objects = g_strdup_printf (
      "  - {apiVersion: v1, kind: Service, metadata: {name: web},\n"
      "    spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}}\n"
      "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: web},\n"
      "    spec: {replicas: 2, selector: {matchLabels: {app: web}},\n"
      "      template: {metadata: {labels: {app: web},\n"
      "          annotations: {kubesim.io/memory-usage: 64Mi}},\n"
      "        spec: {containers: [{name: web, image: web:1,\n"
      "          resources: {requests: {cpu: 100m, memory: 128Mi}}}]}}}}\n"
      "  - apiVersion: autoscaling/v2\n"
      "    kind: HorizontalPodAutoscaler\n"
      "    metadata: {name: web%s}\n"
      "    spec:\n"
      "      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"
      "      minReplicas: 2\n"
      "      maxReplicas: 60\n"
      "      metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, "
      "averageUtilization: 50}}}]\n"
      "      behavior: {}\n",
      annotations);

  run_start (&r, objects, "",
             "load:\n  - service: web\n    rate: {ramp: {from: 20, to: 400, start: 0s, end: "
             "10m}}\n    cpuPerRequest: 5ms\n");
  for (gint64 t = 15; t <= 600; t += 15)
    {
      gint32 n;
      run_to (&r, t * SEC + SEC / 2);
      n = replicas (&r);
      g_array_append_val (counts, n);
    }
  ks_test_sim_clear (&r);
  return counts;
}

/* On a rising ramp the predictive policy runs ahead of kubernetes: never fewer pods at a sync,
 * and more at some. */
static void
test_predictive_ramp (void)
{
  g_autoptr (GArray) k = ramp_counts (NULL);
  g_autoptr (GArray) p = ramp_counts ("predictive");
  guint ahead = 0;

  g_assert_cmpuint (k->len, ==, p->len);
  for (guint i = 0; i < k->len; i++)
    {
      g_test_message ("t=%us kubernetes=%d predictive=%d", (i + 1) * 15,
                      g_array_index (k, gint32, i), g_array_index (p, gint32, i));
      g_assert_cmpint (g_array_index (p, gint32, i), >=, g_array_index (k, gint32, i));
      ahead += g_array_index (p, gint32, i) > g_array_index (k, gint32, i);
    }
  g_assert_cmpuint (ahead, >=, 5);
}

/* hpa: {policy: step} in the scenario: HPAs without the annotation use it (kubernetes would go
 * 1 → 5 at 15 s with behavior's defaults; step goes to 2). */
static void
test_global_policy (void)
{
  Run r = { 0 };
  g_autofree char *dep = deployment (1, "500m");
  g_autofree char *hpa = g_strdup_printf (hpa_v2, 1);
  g_autofree char *objects = g_strconcat (dep, hpa, NULL);

  run_start (&r, objects, "", "hpa: {policy: step}\n");
  run_to (&r, 20 * SEC);
  g_assert_cmpint (replicas (&r), ==, 2);
  ks_test_sim_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hpa-sim/legacy-scale-up", test_legacy_scale_up);
  g_test_add_func ("/hpa-sim/behavior-scale-up", test_behavior_scale_up);
  g_test_add_func ("/hpa-sim/legacy-scale-down", test_legacy_scale_down);
  g_test_add_func ("/hpa-sim/behavior-scale-down", test_behavior_scale_down);
  g_test_add_func ("/hpa-sim/settings", test_settings);
  g_test_add_func ("/hpa-sim/pods-metric", test_pods_metric);
  g_test_add_func ("/hpa-sim/object-metric", test_object_metric);
  g_test_add_func ("/hpa-sim/external-metric", test_external_metric);
  g_test_add_func ("/hpa-sim/other-targets", test_other_targets);
  g_test_add_func ("/hpa-sim/step-policy", test_step_policy);
  g_test_add_func ("/hpa-sim/unknown-policy", test_unknown_policy);
  g_test_add_func ("/hpa-sim/predictive-ramp", test_predictive_ramp);
  g_test_add_func ("/hpa-sim/global-policy", test_global_policy);
  g_test_add_func ("/hpa-sim/ambiguous-selector", test_ambiguous_selector);
  g_test_add_func ("/hpa-sim/observed-generation", test_observed_generation);
  g_test_add_func ("/hpa-sim/target-tracking-module", test_target_tracking_module);
  return g_test_run ();
}
