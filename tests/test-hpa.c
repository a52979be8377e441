/* test-hpa.c: the HorizontalPodAutoscaler: the kind's defaults, v1 conversion and validation
 * messages, and the controller's arithmetic as tables (reference §2.3–2.6): tolerance
 * boundaries, missing metrics, unready pods, min/max clamps, the legacy limits and
 * stabilization, and the behavior's policies, select policies and windows.
 *
 * Every expected value is worked out by hand from the Go code the reference cites (float64
 * arithmetic included: 55 % of a 50 % target is a ratio of 1.1, whose distance from 1 is just
 * above 0.1 in float64, so it scales; 45 % is 0.9, just within). */
#include "config.h"

#include <string.h>

#include "src/api/ks-autoscaling.h"
#include "src/api/ks-decode.h"
#include "src/api/ks-yaml.h"
#include "src/controllers/ks-hpa.h"
#include "src/ks-clock.h"

#define S KS_USEC_PER_SEC

/* ---- decoding ---------------------------------------------------------------------------- */

static KsObject *
decode_in (const char *text, KsDiag *diag)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsSource) source = ks_source_new_from_data ("hpa.yaml", text, -1, &error);
  KsDecoder dec;
  KsObject *obj;

  g_assert_no_error (error);
  ks_decoder_init (&dec, source, diag);
  obj = ks_object_decode (&dec, ks_source_get_document (source, 0), "default");
  ks_decoder_clear (&dec);
  return obj;
}

static KsHorizontalPodAutoscaler *
decode_ok (const char *text)
{
  g_autoptr (KsDiag) diag = ks_diag_new ();
  KsObject *obj = decode_in (text, diag);

  for (guint i = 0; i < ks_diag_get_count (diag); i++)
    g_test_message ("unexpected problem: %s", ks_diag_get (diag, i));
  g_assert_cmpuint (ks_diag_get_count (diag), ==, 0);
  g_assert_nonnull (obj);
  g_assert_true (obj->kind == ks_kind_get (KS_KIND_HORIZONTAL_POD_AUTOSCALER));
  return KS_HPA (obj);
}

static void
assert_problem (const char *text, const char *expected)
{
  g_autoptr (KsDiag) diag = ks_diag_new ();
  KsObject *obj = decode_in (text, diag);
  gboolean found = FALSE;

  g_assert_null (obj);
  for (guint i = 0; i < ks_diag_get_count (diag); i++)
    {
      g_test_message ("problem: %s", ks_diag_get (diag, i));
      found |= strcmp (ks_diag_get (diag, i), expected) == 0;
    }
  g_assert_cmpuint (ks_diag_get_count (diag), ==, 1);
  g_assert_true (found);
}

#define HEAD                                                                                       \
  "apiVersion: autoscaling/v2\n"                                                                   \
  "kind: HorizontalPodAutoscaler\n"                                                                \
  "metadata:\n"                                                                                    \
  "  name: web\n"                                                                                  \
  "spec:\n"                                                                                        \
  "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"

static void
test_defaults (void)
{
  g_autoptr (KsHorizontalPodAutoscaler) hpa = decode_ok (HEAD "  maxReplicas: 10\n");

  g_assert_cmpint (hpa->min_replicas, ==, 1);
  g_assert_cmpint (hpa->max_replicas, ==, 10);
  g_assert_cmpuint (hpa->n_metrics, ==, 1);
  g_assert_cmpint (hpa->metrics[0].type, ==, KS_METRIC_SOURCE_RESOURCE);
  g_assert_cmpstr (hpa->metrics[0].name, ==, "cpu");
  g_assert_cmpint (hpa->metrics[0].target_type, ==, KS_METRIC_TARGET_UTILIZATION);
  g_assert_cmpint (hpa->metrics[0].average_utilization, ==, 80);
  /* No behavior: nothing filled in (the legacy path). */
  g_assert_false (hpa->has_behavior);
}

static void
test_behavior_defaults (void)
{
  g_autoptr (KsHorizontalPodAutoscaler) hpa = decode_ok (HEAD "  maxReplicas: 10\n"
                                                              "  behavior:\n"
                                                              "    scaleDown:\n"
                                                              "      selectPolicy: Min\n");

  g_assert_true (hpa->has_behavior);
  /* scaleUp all defaults: window 0, Pods 4 / 15 s and Percent 100 / 15 s, Max. */
  g_assert_true (hpa->scale_up.has_window);
  g_assert_cmpint (hpa->scale_up.stabilization_window, ==, 0);
  g_assert_cmpint (hpa->scale_up.select, ==, KS_HPA_SELECT_MAX);
  g_assert_cmpuint (hpa->scale_up.n_policies, ==, 2);
  g_assert_cmpint (hpa->scale_up.policies[0].type, ==, KS_HPA_POLICY_PODS);
  g_assert_cmpint (hpa->scale_up.policies[0].value, ==, 4);
  g_assert_cmpint (hpa->scale_up.policies[0].period_seconds, ==, 15);
  g_assert_cmpint (hpa->scale_up.policies[1].type, ==, KS_HPA_POLICY_PERCENT);
  g_assert_cmpint (hpa->scale_up.policies[1].value, ==, 100);
  /* scaleDown: the given select policy kept, the window left to the controller, Percent 100. */
  g_assert_false (hpa->scale_down.has_window);
  g_assert_cmpint (hpa->scale_down.select, ==, KS_HPA_SELECT_MIN);
  g_assert_cmpuint (hpa->scale_down.n_policies, ==, 1);
  g_assert_cmpint (hpa->scale_down.policies[0].type, ==, KS_HPA_POLICY_PERCENT);
  g_assert_cmpint (hpa->scale_down.policies[0].value, ==, 100);
  g_assert_cmpint (hpa->scale_down.policies[0].period_seconds, ==, 15);
}

static void
test_v1 (void)
{
  g_autoptr (KsHorizontalPodAutoscaler) hpa
      = decode_ok ("apiVersion: autoscaling/v1\n"
                   "kind: HorizontalPodAutoscaler\n"
                   "metadata: {name: web}\n"
                   "spec:\n"
                   "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"
                   "  minReplicas: 2\n"
                   "  maxReplicas: 10\n"
                   "  targetCPUUtilizationPercentage: 50\n");
  g_autoptr (KsHorizontalPodAutoscaler) dflt
      = decode_ok ("apiVersion: autoscaling/v1\n"
                   "kind: HorizontalPodAutoscaler\n"
                   "metadata: {name: web}\n"
                   "spec:\n"
                   "  scaleTargetRef: {kind: Deployment, name: web}\n"
                   "  maxReplicas: 3\n");
  g_autoptr (JsonNode) v1 = NULL;
  g_autofree char *json = NULL;

  g_assert_cmpint (hpa->min_replicas, ==, 2);
  g_assert_cmpuint (hpa->n_metrics, ==, 1);
  g_assert_cmpstr (hpa->metrics[0].name, ==, "cpu");
  g_assert_cmpint (hpa->metrics[0].average_utilization, ==, 50);
  g_assert_false (hpa->has_behavior);
  g_assert_cmpint (dflt->min_replicas, ==, 1);
  g_assert_cmpint (dflt->metrics[0].average_utilization, ==, 80);
  /* Stored as v2; the v1 view gives targetCPUUtilizationPercentage back. */
  json = ks_object_to_json (KS_OBJECT (hpa), 0);
  g_assert_nonnull (strstr (json, "\"apiVersion\":\"autoscaling/v2\""));
  g_assert_nonnull (strstr (json, "\"averageUtilization\":50"));
  v1 = ks_hpa_encode_v1 (hpa, 0);
  g_free (json);
  json = json_to_string (v1, FALSE);
  g_assert_nonnull (strstr (json, "\"apiVersion\":\"autoscaling/v1\""));
  g_assert_nonnull (strstr (json, "\"targetCPUUtilizationPercentage\":50"));
  {
    /* conversion.go looks at the first cpu metric only: an AverageValue one gives no target
     * (and goes to the annotation); a later cpu Utilization metric is skipped as the target's
     * and so is in neither. */
    g_autoptr (KsHorizontalPodAutoscaler) two
        = decode_ok (HEAD "  maxReplicas: 5\n"
                          "  metrics:\n"
                          "  - {type: Resource, resource: {name: cpu, target: {type: AverageValue, "
                          "averageValue: 200m}}}\n"
                          "  - {type: Resource, resource: {name: cpu, target: {type: Utilization, "
                          "averageUtilization: 60}}}\n");
    g_autoptr (JsonNode) tv1 = ks_hpa_encode_v1 (two, 0);
    JsonObject *spec = json_object_get_object_member (json_node_get_object (tv1), "spec");
    JsonObject *meta = json_object_get_object_member (json_node_get_object (tv1), "metadata");
    g_assert_false (json_object_has_member (spec, "targetCPUUtilizationPercentage"));
    g_assert_cmpstr (
        json_object_get_string_member (json_object_get_object_member (meta, "annotations"),
                                       "autoscaling.alpha.kubernetes.io/metrics"),
        ==,
        "[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\","
        "\"targetAverageValue\":\"200m\"}}]");
  }
}

static void
test_round_trip (void)
{
  g_autoptr (KsHorizontalPodAutoscaler) hpa
      = decode_ok (HEAD "  minReplicas: 2\n"
                        "  maxReplicas: 10\n"
                        "  metrics:\n"
                        "  - type: Resource\n"
                        "    resource: {name: memory, target: {type: AverageValue, averageValue: "
                        "200Mi}}\n"
                        "  - type: Pods\n"
                        "    pods: {metric: {name: requests_per_second}, target: {type: "
                        "AverageValue, averageValue: 10}}\n"
                        "  - type: Object\n"
                        "    object:\n"
                        "      describedObject: {apiVersion: v1, kind: Service, name: web}\n"
                        "      metric: {name: requests_per_second}\n"
                        "      target: {type: Value, value: 500m}\n"
                        "  behavior:\n"
                        "    scaleDown:\n"
                        "      stabilizationWindowSeconds: 60\n"
                        "      policies: [{type: Pods, value: 1, periodSeconds: 30}]\n");
  g_autofree char *json = ks_object_to_json (KS_OBJECT (hpa), KS_DEFAULT_EPOCH);
  g_autoptr (KsDiag) diag = ks_diag_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (KsSource) source = ks_source_new_from_data ("x.json", json, -1, &error);
  KsDecoder dec;
  g_autoptr (KsObject) back = NULL;
  g_autofree char *json2 = NULL;

  g_assert_cmpint (hpa->metrics[0].average_value, ==, G_GINT64_CONSTANT (200) * 1024 * 1024 * 1000);
  g_assert_cmpint (hpa->metrics[1].average_value, ==, 10000);
  g_assert_cmpint (hpa->metrics[2].value, ==, 500);
  g_assert_cmpstr (hpa->metrics[2].described_object.kind, ==, "Service");
  g_assert_no_error (error);
  ks_decoder_init (&dec, source, diag);
  dec.mode = KS_DECODE_STORED;
  back = ks_object_decode (&dec, ks_source_get_document (source, 0), NULL);
  ks_decoder_clear (&dec);
  g_assert_nonnull (back);
  json2 = ks_object_to_json (back, KS_DEFAULT_EPOCH);
  g_assert_cmpstr (json, ==, json2);
  g_assert_false (ks_object_get_annotation (back, "x") != NULL);
}

static void
test_validation (void)
{
  assert_problem (HEAD "  minReplicas: 0\n  maxReplicas: 3\n",
                  "hpa.yaml:7:16: spec.minReplicas: must be greater than or equal to 1");
  assert_problem (HEAD "  minReplicas: 4\n  maxReplicas: 3\n",
                  "hpa.yaml:8:16: spec.maxReplicas: must be greater than or equal to "
                  "`minReplicas`");
  assert_problem (HEAD "  maxReplicas: 0\n",
                  "hpa.yaml:7:16: spec.maxReplicas: must be greater than 0");
  assert_problem (HEAD "  maxReplicas: 3\n"
                       "  behavior:\n"
                       "    scaleUp:\n"
                       "      policies: [{type: Pods, value: 0, periodSeconds: 15}]\n",
                  "hpa.yaml:10:38: spec.behavior.scaleUp.policies[0].value: must be greater "
                  "than zero");
  assert_problem (HEAD "  maxReplicas: 3\n"
                       "  behavior:\n"
                       "    scaleDown:\n"
                       "      policies: [{type: Percent, value: 10, periodSeconds: 1801}]\n",
                  "hpa.yaml:10:60: spec.behavior.scaleDown.policies[0].periodSeconds: must be "
                  "less than or equal to 1800");
  assert_problem (HEAD "  maxReplicas: 3\n"
                       "  behavior:\n"
                       "    scaleDown:\n"
                       "      stabilizationWindowSeconds: 3601\n",
                  "hpa.yaml:10:35: spec.behavior.scaleDown.stabilizationWindowSeconds: must be "
                  "greater than or equal to zero and less than or equal to 3600");
  assert_problem (HEAD "  maxReplicas: 3\n"
                       "  behavior:\n"
                       "    scaleUp:\n"
                       "      policies: []\n",
                  "hpa.yaml:10:17: spec.behavior.scaleUp.policies: must specify at least one "
                  "Policy");
  assert_problem (HEAD "  maxReplicas: 3\n"
                       "  metrics:\n"
                       "  - type: Resource\n"
                       "    resource: {name: cpu, target: {type: Utilization}}\n",
                  "hpa.yaml:10:35: spec.metrics[0].resource.target.averageUtilization: must set "
                  "either a target raw value or a target utilization");
  assert_problem (HEAD "  maxReplicas: 3\n"
                       "  metrics:\n"
                       "  - type: Resource\n"
                       "    pods: {metric: {name: x}, target: {type: AverageValue, averageValue: "
                       "1}}\n",
                  "hpa.yaml:9:5: spec.metrics[0]: must populate information for the given metric "
                  "source");
  assert_problem (HEAD "  maxReplicas: 3\n"
                       "  metrics:\n"
                       "  - type: Resource\n"
                       "    resource: {name: cpu, target: {type: Utilization, "
                       "averageUtilization: 0}}\n",
                  "hpa.yaml:10:75: spec.metrics[0].resource.target.averageUtilization: must be "
                  "greater than 0");
  assert_problem ("apiVersion: autoscaling/v2\n"
                  "kind: HorizontalPodAutoscaler\n"
                  "metadata: {name: web}\n"
                  "spec:\n"
                  "  scaleTargetRef: {kind: Deployment}\n"
                  "  maxReplicas: 3\n",
                  "hpa.yaml:5:19: spec.scaleTargetRef.name: Required value");
}

/* ---- the replica calculator -------------------------------------------------------------- */

#define R KS_HPA_POD_READY
#define U KS_HPA_POD_UNREADY
#define M KS_HPA_POD_MISSING
#define I KS_HPA_POD_IGNORED

typedef struct
{
  const char *what;
  guint n;
  KsHpaPodState states[6];
  gint64 usage[6]; /* millicores */
  gint32 current;
  gint32 target; /* percent */
  gint32 expected;
  gint32 utilization; /* -1: expect an error */
} ResourceCase;

static void
test_resource_table (void)
{
  /* Every pod requests 1000m. */
  static const ResourceCase cases[] = {
    { "at target", 3, { R, R, R }, { 500, 500, 500 }, 3, 50, 3, 50 },
    { "55% of 50%: 1.1 is outside the tolerance in float64",
      3,
      { R, R, R },
      { 550, 550, 550 },
      3,
      50,
      4,
      55 },
    { "54% of 50%: within", 3, { R, R, R }, { 540, 540, 540 }, 3, 50, 3, 54 },
    { "45% of 50%: 0.9 is within the tolerance in float64",
      3,
      { R, R, R },
      { 450, 450, 450 },
      3,
      50,
      3,
      45 },
    { "44% of 50%: ceil(0.88 × 3)", 3, { R, R, R }, { 440, 440, 440 }, 3, 50, 3, 44 },
    { "20% of 50%: ceil(0.4 × 3) = 2", 3, { R, R, R }, { 200, 200, 200 }, 3, 50, 2, 20 },
    { "utilization is an integer percent: 1999m of 2000m is 99%, 1.1 of 90%",
      2,
      { R, R },
      { 1000, 999 },
      2,
      90,
      3,
      99 },
    { "double: 100% of 50% → 2 × 2", 2, { R, R }, { 1000, 1000 }, 2, 50, 4, 100 },
    { "ignored pods do not count", 3, { R, R, I }, { 1000, 1000, 0 }, 3, 50, 4, 100 },
    { "scale-down with a missing pod: it counts as 100% of its request",
      4,
      { R, R, R, M },
      { 100, 100, 100, 0 },
      4,
      50,
      3,
      10 },
    { "scale-up with a missing pod: it counts as 0",
      3,
      { R, R, M },
      { 1000, 1000, 0 },
      3,
      50,
      4,
      100 },
    { "scale-up with unready pods counted as 0 lands within the tolerance",
      4,
      { R, R, U, U },
      { 1000, 1000, 0, 0 },
      4,
      50,
      4,
      100 },
    { "scale-down ignores unready pods", 4, { R, R, U, U }, { 100, 100, 0, 0 }, 4, 50, 1, 10 },
    { "a direction flip keeps the count", 4, { R, R, M, M }, { 600, 600, 0, 0 }, 4, 50, 4, 60 },
    { "a result against the direction keeps the count: ceil(1.32 × 3) < 5",
      3,
      { R, R, M },
      { 1000, 1000, 0 },
      5,
      50,
      5,
      100 },
    { "no pod with a metric", 2, { U, M }, { 0, 0 }, 2, 50, 0, -1 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      const ResourceCase *tc = &cases[c];
      KsHpaPodSample pods[6] = { { 0 } };
      gint32 replicas = -1, util = -1;
      gint64 raw = -1;
      g_autoptr (GError) error = NULL;
      gboolean ok;

      g_test_message ("case: %s", tc->what);
      for (guint i = 0; i < tc->n; i++)
        {
          pods[i].state = tc->states[i];
          pods[i].has_metric = tc->states[i] == R;
          pods[i].value = tc->usage[i];
          pods[i].request = 1000;
        }
      ok = ks_hpa_resource_replicas (pods, tc->n, tc->current, tc->target, 0.1, &replicas, &util,
                                     &raw, &error);
      if (tc->utilization < 0)
        {
          g_assert_false (ok);
          g_assert_cmpstr (error->message, ==,
                           "did not receive metrics for targeted pods (pods might be unready)");
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpint (replicas, ==, tc->expected);
      g_assert_cmpint (util, ==, tc->utilization);
    }
}

static void
test_resource_raw (void)
{
  /* The raw value is the average usage of the ready pods with metrics. */
  KsHpaPodSample pods[] = { { R, TRUE, 300, 1000 }, { R, TRUE, 400, 1000 }, { U, FALSE, 0, 1000 } };
  gint32 replicas, util;
  gint64 raw;

  g_assert_true (ks_hpa_resource_replicas (pods, 3, 3, 50, 0.1, &replicas, &util, &raw, NULL));
  g_assert_cmpint (raw, ==, 350);
  g_assert_cmpint (util, ==, 35);
  /* Scale-down: the unready pod is left out; ceil(0.7 × 2) = 2. */
  g_assert_cmpint (replicas, ==, 2);
  /* Requests that sum to 0. */
  pods[0].request = pods[1].request = 0;
  {
    g_autoptr (GError) error = NULL;
    g_assert_false (ks_hpa_resource_replicas (pods, 3, 3, 50, 0.1, &replicas, &util, &raw, &error));
    g_assert_cmpstr (error->message, ==, "no metrics returned matched known pods");
  }
}

static void
test_plain_table (void)
{
  /* Pods metric: requests per second, 10/s per pod wanted. */
  KsHpaPodSample at[] = { { R, TRUE, 10000 }, { R, TRUE, 10000 } };
  KsHpaPodSample busy[] = { { R, TRUE, 30000 }, { R, TRUE, 25000 } };
  /* A missing pod on scale-down counts as the target. */
  KsHpaPodSample down[] = { { R, TRUE, 2000 }, { R, TRUE, 2000 }, { M, FALSE, 0 } };
  gint32 replicas;
  gint64 usage;

  g_assert_true (ks_hpa_plain_replicas (at, 2, 2, 10000, 0.1, &replicas, &usage, NULL));
  g_assert_cmpint (replicas, ==, 2);
  g_assert_true (ks_hpa_plain_replicas (busy, 2, 2, 10000, 0.1, &replicas, &usage, NULL));
  /* average 27500 → ratio 2.75 → ceil(5.5) */
  g_assert_cmpint (usage, ==, 27500);
  g_assert_cmpint (replicas, ==, 6);
  g_assert_true (ks_hpa_plain_replicas (down, 3, 3, 10000, 0.1, &replicas, &usage, NULL));
  /* (2000 + 2000 + 10000) / 3 = 4666 → 0.4666 → ceil(1.3998) = 2 */
  g_assert_cmpint (usage, ==, 2000);
  g_assert_cmpint (replicas, ==, 2);
}

static void
test_object_external (void)
{
  gint64 avg;

  /* Value: ratio × ready pods; within the tolerance the count stays; from 0 replicas
   * ceil(ratio). */
  g_assert_cmpint (ks_hpa_usage_ratio_replicas (3, 2.5, 3, 0.1), ==, 8);
  g_assert_cmpint (ks_hpa_usage_ratio_replicas (3, 2.5, 2, 0.1), ==, 5);
  g_assert_cmpint (ks_hpa_usage_ratio_replicas (3, 1.05, 3, 0.1), ==, 3);
  g_assert_cmpint (ks_hpa_usage_ratio_replicas (0, 2.5, 0, 0.1), ==, 3);
  /* AverageValue: ceil(value / target) outside the tolerance of value / (target × replicas). */
  g_assert_cmpint (ks_hpa_per_pod_replicas (10000, 1000, 4, 0.1, &avg), ==, 10);
  g_assert_cmpint (avg, ==, 2500);
  g_assert_cmpint (ks_hpa_per_pod_replicas (4200, 1000, 4, 0.1, &avg), ==, 4);
  g_assert_cmpint (avg, ==, 1050);
}

/* ---- grouping pods ----------------------------------------------------------------------- */

static KsPod *
pod_new (KsPodPhase phase, gint64 start, KsConditionStatus ready, gint64 ready_time)
{
  KsPodSpec *spec = ks_pod_spec_new ();
  KsPod *pod = ks_pod_new (spec);

  ks_pod_spec_unref (spec);
  pod->parent.meta.name = g_strdup ("p");
  pod->parent.meta.deletion_timestamp = KS_TIME_NONE;
  pod->phase = phase;
  pod->start_time = start;
  pod->conditions[KS_POD_COND_READY].status = ready;
  pod->conditions[KS_POD_COND_READY].last_transition_time = ready_time;
  return pod;
}

static void
test_group_pods (void)
{
  KsHpaOptions o;
  const gint64 window = 15 * S;

  ks_hpa_options_init (&o);
  {
    g_autoptr (KsPod) p = pod_new (KS_POD_PENDING, KS_TIME_NONE, KS_CONDITION_UNSET, 0);
    g_assert_cmpint (ks_hpa_group_pod (p, TRUE, 0, window, TRUE, 0, &o), ==, U);
    /* Pending is unready for every metric, even without one. */
    g_assert_cmpint (ks_hpa_group_pod (p, FALSE, 0, window, FALSE, 0, &o), ==, U);
  }
  {
    g_autoptr (KsPod) p = pod_new (KS_POD_FAILED, 0, KS_CONDITION_FALSE, 0);
    g_assert_cmpint (ks_hpa_group_pod (p, TRUE, 0, window, TRUE, 0, &o), ==, I);
  }
  {
    g_autoptr (KsPod) p = pod_new (KS_POD_RUNNING, 0, KS_CONDITION_TRUE, 0);
    p->parent.meta.deletion_timestamp = 5 * S;
    g_assert_cmpint (ks_hpa_group_pod (p, TRUE, 0, window, TRUE, 0, &o), ==, I);
  }
  {
    /* Started at 0, ready at 10 s: within the 5 min initialization period its metric counts
     * only when taken at or after ready + window (25 s). */
    g_autoptr (KsPod) p = pod_new (KS_POD_RUNNING, 0, KS_CONDITION_TRUE, 10 * S);
    g_assert_cmpint (ks_hpa_group_pod (p, FALSE, 0, window, TRUE, 30 * S, &o), ==, M);
    g_assert_cmpint (ks_hpa_group_pod (p, TRUE, 25 * S - 1, window, TRUE, 30 * S, &o), ==, U);
    g_assert_cmpint (ks_hpa_group_pod (p, TRUE, 25 * S, window, TRUE, 30 * S, &o), ==, R);
    /* Not for other resources. */
    g_assert_cmpint (ks_hpa_group_pod (p, TRUE, 0, window, FALSE, 30 * S, &o), ==, R);
  }
  {
    /* After the initialization period: unready only when Ready is False and it never was ready
     * (its last transition within 30 s of the start). */
    g_autoptr (KsPod) never = pod_new (KS_POD_RUNNING, 0, KS_CONDITION_FALSE, 29 * S);
    g_autoptr (KsPod) was = pod_new (KS_POD_RUNNING, 0, KS_CONDITION_FALSE, 30 * S);
    g_autoptr (KsPod) none = pod_new (KS_POD_RUNNING, 0, KS_CONDITION_UNSET, 0);
    g_assert_cmpint (ks_hpa_group_pod (never, TRUE, 400 * S, window, TRUE, 400 * S, &o), ==, U);
    g_assert_cmpint (ks_hpa_group_pod (was, TRUE, 400 * S, window, TRUE, 400 * S, &o), ==, R);
    g_assert_cmpint (ks_hpa_group_pod (none, TRUE, 400 * S, window, TRUE, 400 * S, &o), ==, U);
  }
}

/* ---- normalization ----------------------------------------------------------------------- */

static KsHorizontalPodAutoscaler *
hpa_with (const char *extra)
{
  g_autofree char *text = g_strconcat (HEAD, extra, NULL);
  return decode_ok (text);
}

static void
assert_condition (const KsHorizontalPodAutoscaler *hpa, KsHpaConditionType type,
                  KsConditionStatus status, const char *reason)
{
  g_assert_cmpint (hpa->status.conditions[type].status, ==, status);
  g_assert_cmpstr (hpa->status.conditions[type].reason, ==, reason);
}

/* One legacy normalization with a fresh history. */
static gint32
legacy (KsHorizontalPodAutoscaler *hpa, gint32 current, gint32 proposal)
{
  KsHpaHistory *h = ks_hpa_history_new ();
  gint32 r = ks_hpa_normalize (h, hpa, current, proposal, hpa->min_replicas, 300 * S, 0);
  ks_hpa_history_free (h);
  return r;
}

static void
test_legacy_limits (void)
{
  g_autoptr (KsHorizontalPodAutoscaler) hpa = hpa_with ("  minReplicas: 2\n  maxReplicas: 20\n");
  g_autoptr (KsHorizontalPodAutoscaler) small = hpa_with ("  maxReplicas: 8\n");

  /* max(2 × 2, 4) = 4 */
  g_assert_cmpint (legacy (hpa, 2, 10), ==, 4);
  assert_condition (hpa, KS_HPA_COND_SCALING_LIMITED, KS_CONDITION_TRUE, "ScaleUpLimit");
  assert_condition (hpa, KS_HPA_COND_ABLE_TO_SCALE, KS_CONDITION_TRUE, "ReadyForNewScale");
  /* max(2 × 1, 4) = 4 too */
  g_assert_cmpint (legacy (hpa, 1, 10), ==, 4);
  /* 2 × 7 = 14 */
  g_assert_cmpint (legacy (hpa, 7, 19), ==, 14);
  /* within */
  g_assert_cmpint (legacy (hpa, 7, 12), ==, 12);
  assert_condition (hpa, KS_HPA_COND_SCALING_LIMITED, KS_CONDITION_FALSE, "DesiredWithinRange");
  /* The max binds before 2 × 5. */
  g_assert_cmpint (legacy (small, 5, 20), ==, 8);
  assert_condition (small, KS_HPA_COND_SCALING_LIMITED, KS_CONDITION_TRUE, "TooManyReplicas");
  /* The min. */
  g_assert_cmpint (legacy (hpa, 2, 1), ==, 2);
  assert_condition (hpa, KS_HPA_COND_SCALING_LIMITED, KS_CONDITION_TRUE, "TooFewReplicas");
  /* Above the max already: clamped even when the proposal is lower than current. */
  g_assert_cmpint (legacy (small, 12, 10), ==, 8);
}

static void
test_legacy_stabilization (void)
{
  g_autoptr (KsHorizontalPodAutoscaler) hpa = hpa_with ("  maxReplicas: 20\n");
  KsHpaHistory *h = ks_hpa_history_new ();

  ks_hpa_history_record_initial (h, 5, 0);
  /* The highest recommendation of the last 300 s holds the count up. */
  g_assert_cmpint (ks_hpa_normalize (h, hpa, 5, 2, 1, 300 * S, 15 * S), ==, 5);
  assert_condition (hpa, KS_HPA_COND_ABLE_TO_SCALE, KS_CONDITION_TRUE, "ScaleDownStabilized");
  /* At exactly 300 s the first one is not before the cutoff: still 5. */
  g_assert_cmpint (ks_hpa_normalize (h, hpa, 5, 2, 1, 300 * S, 300 * S), ==, 5);
  /* 1 µs later it is, and the rest say 2. */
  g_assert_cmpint (ks_hpa_normalize (h, hpa, 5, 2, 1, 300 * S, 300 * S + 1), ==, 2);
  assert_condition (hpa, KS_HPA_COND_ABLE_TO_SCALE, KS_CONDITION_TRUE, "ReadyForNewScale");
  /* Scale-up is not stabilized. */
  g_assert_cmpint (ks_hpa_normalize (h, hpa, 2, 4, 1, 300 * S, 301 * S), ==, 4);
  ks_hpa_history_free (h);
}

/* One step of a behavior run: normalize at now, apply and store the event as the controller
 * does. */
static gint32
step (KsHpaHistory *h, KsHorizontalPodAutoscaler *hpa, gint32 *current, gint32 proposal, gint64 now)
{
  gint32 desired = ks_hpa_normalize (h, hpa, *current, proposal, hpa->min_replicas, 300 * S, now);
  if (desired != *current)
    ks_hpa_history_store_scale_event (h, hpa, *current, desired, now);
  *current = desired;
  return desired;
}

static void
test_behavior_default_up (void)
{
  /* Default scale-up: max(+4 pods, +100%) per 15 s. */
  g_autoptr (KsHorizontalPodAutoscaler) hpa = hpa_with ("  maxReplicas: 100\n  behavior: {}\n");
  KsHpaHistory *h = ks_hpa_history_new ();
  gint32 current = 1;
  static const gint32 expected[] = { 5, 10, 20, 40, 80, 100 };

  ks_hpa_history_record_initial (h, current, 0);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      /* Every 15 s: the event of 15 s ago is not after the cutoff, so each period starts
       * afresh. */
      g_assert_cmpint (step (h, hpa, &current, 1000, (gint64) i * 15 * S), ==, expected[i]);
      assert_condition (hpa, KS_HPA_COND_SCALING_LIMITED, KS_CONDITION_TRUE,
                        expected[i] == 100 ? "TooManyReplicas" : "ScaleUpLimit");
    }
  ks_hpa_history_free (h);

  /* Within one period the limit counts what was added: at 5 s after 1 → 5, start is 1 again. */
  h = ks_hpa_history_new ();
  current = 1;
  ks_hpa_history_record_initial (h, current, 0);
  g_assert_cmpint (step (h, hpa, &current, 1000, 0), ==, 5);
  g_assert_cmpint (step (h, hpa, &current, 1000, 5 * S), ==, 5);
  g_assert_cmpint (step (h, hpa, &current, 1000, 15 * S), ==, 10);
  ks_hpa_history_free (h);
}

static void
test_behavior_select (void)
{
  g_autoptr (KsHorizontalPodAutoscaler) min
      = hpa_with ("  maxReplicas: 100\n  behavior: {scaleUp: {selectPolicy: Min}}\n");
  g_autoptr (KsHorizontalPodAutoscaler) disabled
      = hpa_with ("  maxReplicas: 100\n  behavior: {scaleUp: {selectPolicy: Disabled}}\n");
  g_autoptr (KsHorizontalPodAutoscaler) pct
      = hpa_with ("  maxReplicas: 100\n"
                  "  behavior:\n"
                  "    scaleUp: {policies: [{type: Percent, value: 50, periodSeconds: 60}]}\n");
  KsHpaHistory *h = ks_hpa_history_new ();
  gint32 current = 10;

  /* Min of +4 and +100%: 14. */
  g_assert_cmpint (step (h, min, &current, 100, 0), ==, 14);
  ks_hpa_history_free (h);
  h = ks_hpa_history_new ();
  current = 10;
  g_assert_cmpint (step (h, disabled, &current, 100, 0), ==, 10);
  assert_condition (disabled, KS_HPA_COND_SCALING_LIMITED, KS_CONDITION_TRUE, "ScaleUpLimit");
  ks_hpa_history_free (h);
  /* Percent rounds up: ceil(3 × 1.5) = 5; then within the 60 s period the start stays 3. */
  h = ks_hpa_history_new ();
  current = 3;
  g_assert_cmpint (step (h, pct, &current, 100, 0), ==, 5);
  g_assert_cmpint (step (h, pct, &current, 100, 30 * S), ==, 5);
  g_assert_cmpint (step (h, pct, &current, 100, 60 * S), ==, 8);
  ks_hpa_history_free (h);
}

static void
test_behavior_down (void)
{
  g_autoptr (KsHorizontalPodAutoscaler) dflt = hpa_with ("  maxReplicas: 100\n  behavior: {}\n");
  g_autoptr (KsHorizontalPodAutoscaler) pods
      = hpa_with ("  maxReplicas: 100\n"
                  "  behavior:\n"
                  "    scaleDown:\n"
                  "      stabilizationWindowSeconds: 0\n"
                  "      policies: [{type: Pods, value: 1, periodSeconds: 60}]\n");
  g_autoptr (KsHorizontalPodAutoscaler) both
      = hpa_with ("  maxReplicas: 100\n"
                  "  behavior:\n"
                  "    scaleDown:\n"
                  "      stabilizationWindowSeconds: 0\n"
                  "      selectPolicy: Min\n"
                  "      policies:\n"
                  "      - {type: Pods, value: 1, periodSeconds: 60}\n"
                  "      - {type: Percent, value: 50, periodSeconds: 60}\n");
  g_autoptr (KsHorizontalPodAutoscaler) pct
      = hpa_with ("  maxReplicas: 100\n"
                  "  behavior:\n"
                  "    scaleDown:\n"
                  "      stabilizationWindowSeconds: 0\n"
                  "      policies: [{type: Percent, value: 50, periodSeconds: 60}]\n");
  KsHpaHistory *h = ks_hpa_history_new ();
  gint32 current = 10;

  /* The default: the flag's 300 s window, then 100% at once (down to the proposal). */
  ks_hpa_history_record_initial (h, current, 0);
  g_assert_cmpint (step (h, dflt, &current, 2, 15 * S), ==, 10);
  assert_condition (dflt, KS_HPA_COND_ABLE_TO_SCALE, KS_CONDITION_TRUE, "ScaleDownStabilized");
  g_assert_cmpint (step (h, dflt, &current, 2, 285 * S), ==, 10);
  /* The window keeps what is strictly after now − 300 s: at 300 s the first one is out. */
  g_assert_cmpint (step (h, dflt, &current, 2, 300 * S), ==, 2);
  ks_hpa_history_free (h);

  /* One pod per 60 s. */
  h = ks_hpa_history_new ();
  current = 10;
  g_assert_cmpint (step (h, pods, &current, 2, 0), ==, 9);
  assert_condition (pods, KS_HPA_COND_SCALING_LIMITED, KS_CONDITION_TRUE, "ScaleDownLimit");
  g_assert_cmpint (step (h, pods, &current, 2, 30 * S), ==, 9);
  g_assert_cmpint (step (h, pods, &current, 2, 60 * S), ==, 8);
  ks_hpa_history_free (h);

  /* Min of (-1 pod, -50%) keeps the most: 9; Max (the default) allows -50%: int(10 × 0.5). */
  h = ks_hpa_history_new ();
  current = 10;
  g_assert_cmpint (step (h, both, &current, 2, 0), ==, 9);
  ks_hpa_history_free (h);
  h = ks_hpa_history_new ();
  current = 5;
  /* int(5 × 0.5) = 2 (truncated) */
  g_assert_cmpint (step (h, pct, &current, 1, 0), ==, 2);
  ks_hpa_history_free (h);

  /* The min clamps below the rate limit: TooFewReplicas. */
  {
    g_autoptr (KsHorizontalPodAutoscaler) floor
        = hpa_with ("  minReplicas: 4\n  maxReplicas: 100\n"
                    "  behavior: {scaleDown: {stabilizationWindowSeconds: 0}}\n");
    h = ks_hpa_history_new ();
    current = 10;
    g_assert_cmpint (step (h, floor, &current, 1, 0), ==, 4);
    assert_condition (floor, KS_HPA_COND_SCALING_LIMITED, KS_CONDITION_TRUE, "TooFewReplicas");
    ks_hpa_history_free (h);
  }
}

static void
test_behavior_mixed_events (void)
{
  /* A scale-down inside the period raises the start of a scale-up: 5 after going 10 → 5 starts
   * from 10, +100% → 20. */
  g_autoptr (KsHorizontalPodAutoscaler) hpa
      = hpa_with ("  maxReplicas: 100\n"
                  "  behavior:\n"
                  "    scaleDown: {stabilizationWindowSeconds: 0}\n"
                  "    scaleUp: {policies: [{type: Percent, value: 100, periodSeconds: 60}]}\n");
  KsHpaHistory *h = ks_hpa_history_new ();
  gint32 current = 10;

  g_assert_cmpint (step (h, hpa, &current, 5, 0), ==, 5);
  g_assert_cmpint (step (h, hpa, &current, 50, 15 * S), ==, 20);
  ks_hpa_history_free (h);
}

static void
test_behavior_up_window (void)
{
  /* A scale-up window holds the count at the lowest recommendation of the window. */
  g_autoptr (KsHorizontalPodAutoscaler) hpa
      = hpa_with ("  maxReplicas: 100\n  behavior: {scaleUp: {stabilizationWindowSeconds: 60}}\n");
  KsHpaHistory *h = ks_hpa_history_new ();
  gint32 current = 5;

  ks_hpa_history_record_initial (h, current, 0);
  g_assert_cmpint (step (h, hpa, &current, 8, 15 * S), ==, 5);
  assert_condition (hpa, KS_HPA_COND_ABLE_TO_SCALE, KS_CONDITION_TRUE, "ScaleUpStabilized");
  g_assert_cmpint (step (h, hpa, &current, 8, 59 * S), ==, 5);
  /* At 60 s the initial 5 left the window (strictly after the cutoff counts); the lowest is
   * 8. */
  g_assert_cmpint (step (h, hpa, &current, 9, 60 * S), ==, 8);
  ks_hpa_history_free (h);
}

/* Every behavior combination from one state: Pods, Percent or both policies × scaleUp/scaleDown
 * × selectPolicy Max/Min/Disabled, with and without a stabilization window, as
 * normalizeDesiredReplicasWithBehaviors computes them (a fresh history; with initial, the first
 * reconcile's recommendation of current at 0 s). */
typedef struct
{
  const char *name;
  const char *spec; /* minReplicas, maxReplicas, behavior */
  gboolean initial;
  gint64 now_s;
  gint32 current, proposal, want;
  const char *limited; /* ScalingLimited's reason (True unless DesiredWithinRange), or NULL */
} BehaviorCase;

#define B2(a, b) "  behavior: {" a ": {stabilizationWindowSeconds: 0, " b "}}\n"
#define PODS(v) "{type: Pods, value: " #v ", periodSeconds: 60}"
#define PCT(v) "{type: Percent, value: " #v ", periodSeconds: 60}"

static void
test_behavior_table (void)
{
  static const BehaviorCase cases[] = {
    /* scale-up from 10 towards 100 */
    { "up: Pods 4 alone", "  maxReplicas: 1000\n" B2 ("scaleUp", "policies: [" PODS (4) "]"), FALSE,
      0, 10, 100, 14, "ScaleUpLimit" },
    { "up: Percent 50 alone: ceil(10 × 1.5)",
      "  maxReplicas: 1000\n" B2 ("scaleUp", "policies: [" PCT (50) "]"), FALSE, 0, 10, 100, 15,
      "ScaleUpLimit" },
    { "up: Percent 10 from 50: 50 × 1.1 is 55.00000000000001 in float64, so ceil gives 56",
      "  maxReplicas: 1000\n" B2 ("scaleUp", "policies: [" PCT (10) "]"), FALSE, 0, 50, 100, 56,
      "ScaleUpLimit" },
    { "up: Pods 4 and Percent 50, Max: the larger limit",
      "  maxReplicas: 1000\n" B2 ("scaleUp",
                                  "selectPolicy: Max, policies: [" PODS (4) ", " PCT (50) "]"),
      FALSE, 0, 10, 100, 15, "ScaleUpLimit" },
    { "up: Pods 8 and Percent 50, Max: the Pods limit is larger",
      "  maxReplicas: 1000\n" B2 ("scaleUp",
                                  "selectPolicy: Max, policies: [" PODS (8) ", " PCT (50) "]"),
      FALSE, 0, 10, 100, 18, "ScaleUpLimit" },
    { "up: Pods 4 and Percent 50, Min: the smaller limit",
      "  maxReplicas: 1000\n" B2 ("scaleUp",
                                  "selectPolicy: Min, policies: [" PODS (4) ", " PCT (50) "]"),
      FALSE, 0, 10, 100, 14, "ScaleUpLimit" },
    { "up: Pods 4 and Percent 50, Disabled: no scale-up",
      "  maxReplicas: 1000\n" B2 ("scaleUp",
                                  "selectPolicy: Disabled, policies: [" PODS (4) ", " PCT (50) "]"),
      FALSE, 0, 10, 100, 10, "ScaleUpLimit" },
    { "up: a proposal within the limit is kept",
      "  maxReplicas: 1000\n" B2 ("scaleUp", "policies: [" PODS (4) "]"), FALSE, 0, 10, 12, 12,
      "DesiredWithinRange" },
    { "up: maxReplicas below the rate limit",
      "  maxReplicas: 12\n" B2 ("scaleUp", "policies: [" PODS (4) "]"), FALSE, 0, 10, 100, 12,
      "TooManyReplicas" },
    /* scale-down from 10 towards 1 */
    { "down: Pods 3 alone", "  maxReplicas: 1000\n" B2 ("scaleDown", "policies: [" PODS (3) "]"),
      FALSE, 0, 10, 1, 7, "ScaleDownLimit" },
    { "down: Percent 25 alone: int32(10 × 0.75)",
      "  maxReplicas: 1000\n" B2 ("scaleDown", "policies: [" PCT (25) "]"), FALSE, 0, 10, 1, 7,
      "ScaleDownLimit" },
    { "down: Percent 33 alone: int32(10 × 0.67) truncates 6.7 to 6",
      "  maxReplicas: 1000\n" B2 ("scaleDown", "policies: [" PCT (33) "]"), FALSE, 0, 10, 1, 6,
      "ScaleDownLimit" },
    { "down: Percent 80 from 10: 10 × 0.2 is 1.9999999999999996 in float64, int32 1",
      "  maxReplicas: 1000\n" B2 ("scaleDown", "policies: [" PCT (80) "]"), FALSE, 0, 10, 1, 1,
      "DesiredWithinRange" },
    { "down: Pods 2 and Percent 50, Max: the larger change (the lower limit)",
      "  maxReplicas: 1000\n" B2 ("scaleDown",
                                  "selectPolicy: Max, policies: [" PODS (2) ", " PCT (50) "]"),
      FALSE, 0, 10, 1, 5, "ScaleDownLimit" },
    { "down: Pods 2 and Percent 50, Min: the smaller change",
      "  maxReplicas: 1000\n" B2 ("scaleDown",
                                  "selectPolicy: Min, policies: [" PODS (2) ", " PCT (50) "]"),
      FALSE, 0, 10, 1, 8, "ScaleDownLimit" },
    { "down: Pods 2 and Percent 50, Disabled: no scale-down",
      "  maxReplicas: 1000\n" B2 ("scaleDown",
                                  "selectPolicy: Disabled, policies: [" PODS (2) ", " PCT (50) "]"),
      FALSE, 0, 10, 1, 10, "ScaleDownLimit" },
    { "down: a proposal within the limit is kept",
      "  maxReplicas: 1000\n" B2 ("scaleDown", "policies: [" PODS (3) "]"), FALSE, 0, 10, 9, 9,
      "DesiredWithinRange" },
    /* stabilization windows with rate policies */
    { "down: a 60 s window holds the first recommendation (10) at 30 s",
      "  maxReplicas: 1000\n  behavior: {scaleDown: {stabilizationWindowSeconds: 60, policies: "
      "[" PODS (5) "]}}\n",
      TRUE, 30, 10, 1, 10, NULL },
    { "down: at 61 s it has left the window; then Pods 5 limits",
      "  maxReplicas: 1000\n  behavior: {scaleDown: {stabilizationWindowSeconds: 60, policies: "
      "[" PODS (5) "]}}\n",
      TRUE, 61, 10, 1, 5, "ScaleDownLimit" },
    { "up: a 60 s window holds the lowest recommendation (10) at 30 s",
      "  maxReplicas: 1000\n  behavior: {scaleUp: {stabilizationWindowSeconds: 60, policies: "
      "[" PCT (100) "]}}\n",
      TRUE, 30, 10, 100, 10, NULL },
    { "up: at 61 s it has left the window; then Percent 100 limits",
      "  maxReplicas: 1000\n  behavior: {scaleUp: {stabilizationWindowSeconds: 60, policies: "
      "[" PCT (100) "]}}\n",
      TRUE, 61, 10, 100, 20, "ScaleUpLimit" },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      const BehaviorCase *tc = &cases[c];
      g_autoptr (KsHorizontalPodAutoscaler) hpa = hpa_with (tc->spec);
      KsHpaHistory *h = ks_hpa_history_new ();
      gint32 got;

      if (tc->initial)
        ks_hpa_history_record_initial (h, tc->current, 0);
      got = ks_hpa_normalize (h, hpa, tc->current, tc->proposal, hpa->min_replicas, 300 * S,
                              tc->now_s * S);
      if (got != tc->want)
        g_error ("%s: got %d, want %d", tc->name, got, tc->want);
      if (tc->limited != NULL
          && g_strcmp0 (hpa->status.conditions[KS_HPA_COND_SCALING_LIMITED].reason, tc->limited)
                 != 0)
        g_error ("%s: ScalingLimited %s, want %s", tc->name,
                 hpa->status.conditions[KS_HPA_COND_SCALING_LIMITED].reason, tc->limited);
      ks_hpa_history_free (h);
    }
}

static void
test_targets_column (void)
{
  g_autoptr (KsHorizontalPodAutoscaler) hpa = hpa_with ("  maxReplicas: 10\n");
  g_autofree char *before = ks_hpa_format_targets (hpa);
  KsMetricStatus st = { 0 };
  g_autofree char *after = NULL;

  g_assert_cmpstr (before, ==, "cpu: <unknown>/80%");
  st.type = KS_METRIC_SOURCE_RESOURCE;
  st.name = (char *) "cpu";
  st.has_utilization = TRUE;
  st.average_utilization = 45;
  ks_hpa_set_current_metrics (hpa, &st, 1);
  after = ks_hpa_format_targets (hpa);
  g_assert_cmpstr (after, ==, "cpu: 45%/80%");
}

/* ---- the step policy (AWS Application Auto Scaling step scaling) --------------------------- */

static void
test_step_table (void)
{
  const KsHpaStep *t = ks_hpa_default_steps;
  guint n = ks_hpa_n_default_steps;

  /* Within ±10 % of the target: no step (the bounds are [lower, upper)). */
  g_assert_cmpint (ks_hpa_step_adjustment (t, n, 1.0, 4), ==, 0);
  g_assert_cmpint (ks_hpa_step_adjustment (t, n, 1.05, 4), ==, 0);
  g_assert_cmpint (ks_hpa_step_adjustment (t, n, 0.95, 4), ==, 0);
  /* Fixed steps. */
  g_assert_cmpint (ks_hpa_step_adjustment (t, n, 1.2, 4), ==, 1);
  g_assert_cmpint (ks_hpa_step_adjustment (t, n, 1.5, 4), ==, 2);
  g_assert_cmpint (ks_hpa_step_adjustment (t, n, 0.7, 4), ==, -1);
  /* +50 % of 5 = 2.5 → 2 (toward zero); of 1 = 0.5 → 1 (at least one). */
  g_assert_cmpint (ks_hpa_step_adjustment (t, n, 2.0, 5), ==, 2);
  g_assert_cmpint (ks_hpa_step_adjustment (t, n, 3.0, 1), ==, 1);
  g_assert_cmpint (ks_hpa_step_adjustment (t, n, 1.6, 10), ==, 5);
  /* -25 % of 10 = -2.5 → -2; of 2 = -0.5 → -1. */
  g_assert_cmpint (ks_hpa_step_adjustment (t, n, 0.2, 10), ==, -2);
  g_assert_cmpint (ks_hpa_step_adjustment (t, n, 0.0, 2), ==, -1);
  /* A table without a step for the breach. */
  g_assert_cmpint (ks_hpa_step_adjustment (t, 1, 2.0, 4), ==, 0);
}

/* One step recommendation for n ready pods at usage_milli cpu each, requesting 1000m. */
static gint32
step_once (const KsAutoscalerPolicy *r, gpointer state, KsHorizontalPodAutoscaler *hpa,
           KsHpaHistory *h, gint32 current, gint64 usage_milli, gint64 now)
{
  g_autofree KsHpaPodSample *pods = g_new0 (KsHpaPodSample, current);
  KsHpaOptions options;
  KsHpaMetricInput mi = { 0 };
  KsHpaRecommendInput in = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *reason = NULL;
  gint32 desired = -1;

  ks_hpa_options_init (&options);
  for (gint32 i = 0; i < current; i++)
    pods[i] = (KsHpaPodSample){ KS_HPA_POD_READY, TRUE, usage_milli, 1000 };
  mi.spec = &hpa->metrics[0];
  mi.ok = TRUE;
  mi.pods = pods;
  mi.n_pods = current;
  mi.timestamp = now;
  in.hpa = hpa;
  in.history = h;
  in.current = in.status_replicas = current;
  in.min_replicas = hpa->min_replicas;
  in.metrics = &mi;
  in.n_metrics = 1;
  in.options = &options;
  in.now = now;
  g_assert_true (r->recommend (state, &in, &desired, &reason, &error));
  g_assert_no_error (error);
  g_assert_true ((desired != current) == (reason != NULL));
  return desired;
}

static void
test_step_recommender (void)
{
  g_autoptr (KsHorizontalPodAutoscaler) hpa = decode_ok (HEAD "  minReplicas: 2\n"
                                                              "  maxReplicas: 6\n");
  const KsAutoscalerPolicy *r = ks_hpa_step_policy ();
  gpointer st = r->state_new (hpa);
  KsHpaHistory *h = ks_hpa_history_new ();

  /* 80 % target; 100 % is a breach of 25 %: +1. */
  g_assert_cmpint (step_once (r, st, hpa, h, 4, 1000, 0), ==, 5);
  assert_condition (hpa, KS_HPA_COND_SCALING_ACTIVE, KS_CONDITION_TRUE, "ValidMetricFound");
  assert_condition (hpa, KS_HPA_COND_SCALING_LIMITED, KS_CONDITION_FALSE, "DesiredWithinRange");
  /* Cooldown: 299 s later nothing, even far above the target. */
  g_assert_cmpint (step_once (r, st, hpa, h, 5, 2000, 299 * S), ==, 5);
  /* 300 s later: 250 % is a breach of 150 %, +50 % of 5 = 2 → 7, clamped to 6. */
  g_assert_cmpint (step_once (r, st, hpa, h, 5, 2000, 300 * S), ==, 6);
  assert_condition (hpa, KS_HPA_COND_SCALING_LIMITED, KS_CONDITION_TRUE, "TooManyReplicas");
  /* Near the target: nothing, and no cooldown is started. */
  g_assert_cmpint (step_once (r, st, hpa, h, 6, 800, 600 * S), ==, 6);
  /* Idle: -25 % of 6 = -1.5 → -1. */
  g_assert_cmpint (step_once (r, st, hpa, h, 6, 0, 601 * S), ==, 5);
  /* At the minimum: clamped. */
  g_assert_cmpint (step_once (r, st, hpa, h, 2, 0, 1000 * S), ==, 2);
  assert_condition (hpa, KS_HPA_COND_SCALING_LIMITED, KS_CONDITION_TRUE, "TooFewReplicas");
  ks_hpa_history_free (h);
  r->state_free (st);
}

/* ---- the predictive policy (Holt's linear trend) ------------------------------------------ */

static void
test_holt (void)
{
  KsHpaHolt holt = { 0 };

  /* α = β = 0.5, h = 4: y 2 → ℓ 2, b 0, f 2; y 4 → ℓ 0.5·4 + 0.5·(2 + 0) = 3,
   * b 0.5·(3 − 2) + 0.5·0 = 0.5, f 3 + 4·0.5 = 5; y 6 → ℓ 0.5·6 + 0.5·3.5 = 4.75,
   * b 0.5·1.75 + 0.5·0.5 = 1.125, f 4.75 + 4.5 = 9.25. */
  g_assert_cmpfloat_with_epsilon (ks_hpa_holt_update (&holt, 2, 0.5, 0.5, 4), 2.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (ks_hpa_holt_update (&holt, 4, 0.5, 0.5, 4), 5.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (ks_hpa_holt_update (&holt, 6, 0.5, 0.5, 4), 9.25, 1e-12);
  g_assert_cmpfloat_with_epsilon (holt.level, 4.75, 1e-12);
  g_assert_cmpfloat_with_epsilon (holt.trend, 1.125, 1e-12);
  /* A flat series forecasts itself. */
  holt = (KsHpaHolt){ 0 };
  for (int i = 0; i < 5; i++)
    g_assert_cmpfloat_with_epsilon (ks_hpa_holt_update (&holt, 3, 0.5, 0.5, 4), 3.0, 1e-12);
}

static void
test_predictive_recommender (void)
{
  g_autoptr (KsHorizontalPodAutoscaler) hpa = decode_ok (HEAD "  maxReplicas: 20\n");
  g_autoptr (KsHorizontalPodAutoscaler) khpa = decode_ok (HEAD "  maxReplicas: 20\n");
  const KsAutoscalerPolicy *p = ks_hpa_predictive_policy ();
  const KsAutoscalerPolicy *k = ks_hpa_kubernetes_policy ();
  gpointer pst = p->state_new (hpa);
  KsHpaHistory *ph = ks_hpa_history_new ();
  KsHpaHistory *kh = ks_hpa_history_new ();

  /* 2 pods at 125 % of the 80 % target: demand 2.5, no trend yet: both ceil(2.5) = 3. */
  g_assert_cmpint (step_once (p, pst, hpa, ph, 2, 1000, 0), ==, 3);
  g_assert_cmpint (step_once (k, NULL, khpa, kh, 2, 1000, 0), ==, 3);
  /* 3 pods at 150 %: demand 4.5; ℓ = 3.5, b = 0.5, 60 s = 4 syncs ahead: 5.5 → 6, where
   * Kubernetes asks for ceil(4.5) = 5. */
  g_assert_cmpint (step_once (p, pst, hpa, ph, 3, 1200, 15 * S), ==, 6);
  g_assert_cmpint (step_once (k, NULL, khpa, kh, 3, 1200, 15 * S), ==, 5);
  ks_hpa_history_free (ph);
  ks_hpa_history_free (kh);
  p->state_free (pst);
  g_assert_null (k->state_new);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hpa/defaults", test_defaults);
  g_test_add_func ("/hpa/behavior-defaults", test_behavior_defaults);
  g_test_add_func ("/hpa/v1", test_v1);
  g_test_add_func ("/hpa/round-trip", test_round_trip);
  g_test_add_func ("/hpa/validation", test_validation);
  g_test_add_func ("/hpa/resource-table", test_resource_table);
  g_test_add_func ("/hpa/resource-raw", test_resource_raw);
  g_test_add_func ("/hpa/plain-table", test_plain_table);
  g_test_add_func ("/hpa/object-external", test_object_external);
  g_test_add_func ("/hpa/group-pods", test_group_pods);
  g_test_add_func ("/hpa/legacy-limits", test_legacy_limits);
  g_test_add_func ("/hpa/legacy-stabilization", test_legacy_stabilization);
  g_test_add_func ("/hpa/behavior-default-up", test_behavior_default_up);
  g_test_add_func ("/hpa/behavior-select", test_behavior_select);
  g_test_add_func ("/hpa/behavior-down", test_behavior_down);
  g_test_add_func ("/hpa/behavior-mixed-events", test_behavior_mixed_events);
  g_test_add_func ("/hpa/behavior-up-window", test_behavior_up_window);
  g_test_add_func ("/hpa/behavior-table", test_behavior_table);
  g_test_add_func ("/hpa/targets-column", test_targets_column);
  g_test_add_func ("/hpa/step-table", test_step_table);
  g_test_add_func ("/hpa/step-recommender", test_step_recommender);
  g_test_add_func ("/hpa/holt", test_holt);
  g_test_add_func ("/hpa/predictive-recommender", test_predictive_recommender);
  return g_test_run ();
}
