/* ks-hpa.h: the HorizontalPodAutoscaler controller (pkg/controller/podautoscaler, reference §2)
 * and its arithmetic.
 *
 * One reconcile of an HPA (every sync period, 15 s) reads the target's scale, asks the metrics
 * for a proposal per metric (the replica calculator: ks_hpa_resource_replicas and friends, over
 * the target's pods grouped by ks_hpa_group_pod), takes the largest, normalizes it (legacy
 * stabilization and max(2×current, 4), or the behavior's stabilization windows and rate
 * policies: ks_hpa_normalize), writes the new scale, records SuccessfulRescale and updates the
 * HPA's status and conditions.
 *
 * The recommendation (the proposals from the metrics and their normalization) is one replaceable
 * step, an autoscaler policy (KsAutoscalerPolicy, policies/ks-autoscaler-policy.h, the installed
 * ABI): the controller gathers what the metrics say (KsHpaMetricInput, one per spec.metrics
 * entry) and hands it over with the HPA, the current count and the policy's state for this HPA.
 * The default policy is Kubernetes' (ks_hpa_kubernetes_policy); predictive and step are built in
 * too, and modules add more (policies/ks-policy-modules.h keeps the registry). */
#pragma once

#include "ks-controllers.h"
#include "policies/ks-autoscaler-policy.h"
#include "src/api/ks-autoscaling.h"
#include "src/api/ks-selector.h"
#include "src/metrics/ks-metrics-client.h"

G_BEGIN_DECLS

/* kube-controller-manager's HPA flags (reference §2.1). */
#define KS_HPA_DEFAULT_SYNC_PERIOD (15 * KS_USEC_PER_SEC)
#define KS_HPA_DEFAULT_TOLERANCE 0.1
#define KS_HPA_DEFAULT_DOWNSCALE_STABILIZATION (300 * KS_USEC_PER_SEC)
#define KS_HPA_DEFAULT_CPU_INITIALIZATION_PERIOD (300 * KS_USEC_PER_SEC)
#define KS_HPA_DEFAULT_INITIAL_READINESS_DELAY (30 * KS_USEC_PER_SEC)

void ks_hpa_options_init (KsHpaOptions *options);

/* The replica calculator */

/* groupPods for one pod: ignored when being deleted or Failed, unready when Pending, missing
 * without a metric; for cpu (cpu TRUE) the readiness rules with the CPU initialization period
 * and the initial readiness delay, metric_timestamp and metric_window being the metric's. */
KsHpaPodState ks_hpa_group_pod (const KsPod *pod, gboolean has_metric, gint64 metric_timestamp,
                                gint64 metric_window, gboolean cpu, gint64 now,
                                const KsHpaOptions *options);

/* GetResourceReplicas over n pods (missing-request checks are the caller's): *replicas, the
 * utilization (integer percent) and the raw average usage of the counted pods.  FALSE with an
 * error (KS_CONTROLLER_ERROR) when no pod has a metric or the requests sum to 0. */
gboolean ks_hpa_resource_replicas (const KsHpaPodSample *pods, guint n, gint32 current,
                                   gint32 target_utilization, double tolerance, gint32 *replicas,
                                   gint32 *utilization, gint64 *raw_usage, GError **error);
/* calcPlainMetricReplicas (Pods metrics, Resource AverageValue): target_usage per pod, milli;
 * *usage is the average over the pods with metrics. */
gboolean ks_hpa_plain_replicas (const KsHpaPodSample *pods, guint n, gint32 current,
                                gint64 target_usage, double tolerance, gint32 *replicas,
                                gint64 *usage, GError **error);
/* getUsageRatioReplicaCount (Object and External Value targets): ready_pods counts the target's
 * Running and Ready pods. */
gint32 ks_hpa_usage_ratio_replicas (gint32 current, double usage_ratio, gint32 ready_pods,
                                    double tolerance);
/* GetObjectPerPodMetricReplicas / GetExternalPerPodMetricReplicas (AverageValue targets):
 * *average is usage divided by status_replicas, rounded up. */
gint32 ks_hpa_per_pod_replicas (gint64 usage, gint64 target_average, gint32 status_replicas,
                                double tolerance, gint64 *average);

/* Normalization, with the per-HPA memory it keeps (recommendations, scale events) */

/* Holt's linear trend state (the predictive policy). */
typedef struct
{
  gboolean initialized;
  double level;
  double trend; /* per observation */
} KsHpaHolt;

KsHpaHistory *ks_hpa_history_new (void);
void ks_hpa_history_free (KsHpaHistory *history);
/* recordInitialRecommendation: the first reconcile remembers the current count at now. */
void ks_hpa_history_record_initial (KsHpaHistory *history, gint32 current, gint64 now);
/* storeScaleEvent (only with a behavior). */
void ks_hpa_history_store_scale_event (KsHpaHistory *history, const KsHorizontalPodAutoscaler *hpa,
                                       gint32 previous, gint32 replicas, gint64 now);

/* The autoscaler policies */

/* The annotation that selects an HPA's autoscaler policy (options' policy when absent). */
#define KS_HPA_POLICY_ANNOTATION "kubesim.io/autoscaler-policy"
/* ScalingActive's reason and the Warning event's when the annotation names no known policy. */
#define KS_HPA_REASON_INVALID_POLICY "InvalidAutoscalerPolicy"

/* The built-in policies, kubernetes (the default) first, then predictive and step;
 * NULL-terminated.  Look policies up by name with ks_autoscaler_policy_lookup
 * (policies/ks-policy-modules.h), which knows the loaded ones too. */
const KsAutoscalerPolicy *const *ks_hpa_builtin_policies (void);

/* Kubernetes' algorithm (ks_hpa_compute_proposal, then ks_hpa_normalize); no state. */
const KsAutoscalerPolicy *ks_hpa_kubernetes_policy (void);

/* Step scaling as AWS Application Auto Scaling's step scaling policies: the largest ratio of a
 * metric to its target gives the breach (ratio - 1); the step whose [lower, upper) interval holds
 * it gives a fixed change (adjustment replicas) or a percent change of the current count
 * (percent TRUE; rounded toward zero but at least 1 in magnitude).  After a change, no step for
 * KS_HPA_STEP_COOLDOWN. */
typedef struct
{
  double lower; /* breach, inclusive */
  double upper; /* exclusive */
  gboolean percent;
  gint32 adjustment;
} KsHpaStep;

#define KS_HPA_STEP_COOLDOWN (300 * KS_USEC_PER_SEC)

/* The built-in step table: below -50 %: -25 %; -50 %..-10 %: -1; 10 %..30 %: +1;
 * 30 %..60 %: +2; 60 % and above: +50 %. */
extern const KsHpaStep ks_hpa_default_steps[];
extern const guint ks_hpa_n_default_steps;

/* The change in replicas steps[0..n) give for ratio at current replicas (0: no step holds it). */
gint32 ks_hpa_step_adjustment (const KsHpaStep *steps, guint n, double ratio, gint32 current);

/* The step policy with ks_hpa_default_steps (status and ScalingActive as Kubernetes; the
 * count clamped to [min, max] with ScalingLimited set; no stabilization or behavior).  Its state
 * is the time of its last step (the cooldown). */
const KsAutoscalerPolicy *ks_hpa_step_policy (void);

/* Predictive scaling with Holt's linear trend (double exponential smoothing; Holt 1957, see
 * docs/autoscaling.md): each sync observes the demand y = current × (metric / target), the
 * largest over the metrics, and updates level ℓ and trend b:
 *   ℓ' = α y + (1 − α)(ℓ + b),  b' = β (ℓ' − ℓ) + (1 − β) b,  forecast = ℓ' + h b'
 * (the first observation sets ℓ = y, b = 0).  h is KS_HPA_PREDICTIVE_HORIZON in sync periods. */
#define KS_HPA_PREDICTIVE_ALPHA 0.5
#define KS_HPA_PREDICTIVE_BETA 0.5
#define KS_HPA_PREDICTIVE_HORIZON (60 * KS_USEC_PER_SEC)

/* One observation y into holt; returns the forecast h observations ahead. */
double ks_hpa_holt_update (KsHpaHolt *holt, double y, double alpha, double beta, double h);

/* The predictive policy: Kubernetes' proposal, raised to ceil(forecast) when the forecast is
 * higher and outside the tolerance (so it never scales later than kubernetes), then Kubernetes'
 * normalization (behavior, stabilization, limits) as usual.  Its state is a KsHpaHolt. */
const KsAutoscalerPolicy *ks_hpa_predictive_policy (void);

/* Pods, Object and External metrics come from a custom metrics source (the load model in sim). */
typedef struct _KsCustomMetricsSource KsCustomMetricsSource;

typedef struct
{
  /* The metric for each pod of ns that has it (pod name → gint64 * milli, into out); FALSE
   * with an error when the metric is unknown. */
  gboolean (*pods_metric) (KsCustomMetricsSource *self, const char *ns, const char *metric,
                           GHashTable *out, gint64 *timestamp, GError **error);
  /* The metric of an object (Object) or an external metric (described NULL). */
  gboolean (*object_metric) (KsCustomMetricsSource *self, const char *ns,
                             const KsHpaObjectRef *described, const char *metric, gint64 *value,
                             gint64 *timestamp, GError **error);
} KsCustomMetricsSourceOps;

struct _KsCustomMetricsSource
{
  const KsCustomMetricsSourceOps *ops;
};

/* The controller */

typedef struct _KsHpaController KsHpaController;

/* An HPA controller on client, reading resource metrics through metrics and custom metrics
 * through custom (NULL: Pods/Object/External metrics fail), all borrowed and outliving it;
 * options copied. */
KsHpaController *ks_hpa_controller_new (KsClient *client, KsClock *clock, KsEventSink *sink,
                                        KsMetricsClient *metrics, KsCustomMetricsSource *custom,
                                        const KsHpaOptions *options);
void ks_hpa_controller_free (KsHpaController *controller);

/* What the controller did for one HPA over its life (kept after the HPA is deleted). */
typedef struct
{
  guint rescales;    /* SuccessfulRescale events */
  guint scale_ups;   /* of which upward */
  guint scale_downs; /* and downward */
  guint failures;    /* reconciles that ended in a Warning (FailedGetScale,
                      * FailedComputeMetricsReplicas, FailedRescale) */
  gint32 highest;    /* the highest count it set, or -1 */
  gint32 lowest;     /* the lowest, or -1 */
} KsHpaCounts;

/* The counts of HPA ns/name; FALSE when the controller never reconciled it. */
gboolean ks_hpa_controller_get_counts (KsHpaController *controller, const char *ns,
                                       const char *name, KsHpaCounts *out);

G_END_DECLS
