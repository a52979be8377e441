/* ks-autoscaling.h: autoscaling/v2 HorizontalPodAutoscaler (autoscaling/v1 manifests are read
 * and converted to v2, as the API server stores them).
 *
 * Decoding fills Kubernetes' defaults (pkg/apis/autoscaling/v2/defaults.go, reference §2.6):
 * minReplicas 1, one cpu Utilization 80 metric when none is given, and the behavior's fields only
 * when spec.behavior is present (scaleUp: window 0, Pods 4 and Percent 100 per 15 s, Max;
 * scaleDown: Percent 100 per 15 s, Max, the window left unset for the controller's 300 s); it
 * validates as pkg/apis/autoscaling/validation does, with its messages. */
#pragma once

#include "ks-object.h"
#include "ks-pod.h"

G_BEGIN_DECLS

typedef enum
{
  KS_METRIC_SOURCE_RESOURCE = 1,
  KS_METRIC_SOURCE_PODS,
  KS_METRIC_SOURCE_OBJECT,
  KS_METRIC_SOURCE_EXTERNAL,
  KS_METRIC_SOURCE_CONTAINER_RESOURCE,
} KsMetricSourceType;

typedef enum
{
  KS_METRIC_TARGET_UTILIZATION = 1,
  KS_METRIC_TARGET_VALUE,
  KS_METRIC_TARGET_AVERAGE_VALUE,
} KsMetricTargetType;

/* A CrossVersionObjectReference (scaleTargetRef, an Object metric's describedObject). */
typedef struct
{
  char *api_version; /* may be NULL */
  char *kind;
  char *name;
} KsHpaObjectRef;

/* One entry of spec.metrics.  Quantities are in milli-units (cpu in millicores, memory in
 * thousandths of a byte, a request rate in millirequests per second). */
typedef struct
{
  KsMetricSourceType type;
  char *name;      /* the resource (Resource, ContainerResource) or the metric's name */
  char *container; /* ContainerResource */
  KsHpaObjectRef described_object; /* Object */
  KsMetricTargetType target_type;
  gint32 average_utilization; /* percent of the request (Utilization) */
  gint64 value;               /* Value, milli */
  gint64 average_value;       /* AverageValue, milli */
} KsMetricSpec;

typedef enum
{
  KS_HPA_POLICY_PODS = 1,
  KS_HPA_POLICY_PERCENT,
} KsHpaPolicyType;

typedef struct
{
  KsHpaPolicyType type;
  gint32 value;
  gint32 period_seconds;
} KsHpaPolicy;

typedef enum
{
  KS_HPA_SELECT_MAX = 1,
  KS_HPA_SELECT_MIN,
  KS_HPA_SELECT_DISABLED,
} KsHpaSelectPolicy;

/* HPAScalingRules. */
typedef struct
{
  gboolean has_window;         /* stabilizationWindowSeconds given (or defaulted) */
  gint32 stabilization_window; /* seconds */
  KsHpaSelectPolicy select;    /* defaulted to Max */
  KsHpaPolicy *policies;
  guint n_policies;
} KsHpaScalingRules;

/* status.currentMetrics entry: what the controller last read for one metric. */
typedef struct
{
  KsMetricSourceType type;
  char *name;
  char *container;
  KsHpaObjectRef described_object;
  gboolean has_utilization;
  gint32 average_utilization;
  gboolean has_value;
  gint64 value; /* milli */
  gboolean has_average_value;
  gint64 average_value; /* milli */
} KsMetricStatus;

typedef enum
{
  KS_HPA_COND_ABLE_TO_SCALE,
  KS_HPA_COND_SCALING_ACTIVE,
  KS_HPA_COND_SCALING_LIMITED,
  KS_N_HPA_CONDITIONS
} KsHpaConditionType;

typedef struct
{
  KsConditionStatus status; /* KS_CONDITION_UNSET when absent */
  gint64 last_transition_time;
  const char *reason; /* interned */
  char *message;
} KsHpaCondition;

typedef struct
{
  KsObject parent;
  KsHpaObjectRef scale_target_ref;
  gint32 min_replicas; /* default 1 */
  gint32 max_replicas;
  KsMetricSpec *metrics;
  guint n_metrics;
  gboolean has_behavior;
  KsHpaScalingRules scale_up;
  KsHpaScalingRules scale_down;
  struct
  {
    gint64 observed_generation;
    gint64 last_scale_time; /* KS_TIME_NONE when never */
    gint32 current_replicas;
    gint32 desired_replicas;
    KsMetricStatus *current_metrics;
    guint n_current_metrics;
    KsHpaCondition conditions[KS_N_HPA_CONDITIONS];
  } status;
} KsHorizontalPodAutoscaler;

#define KS_HPA(o) ((KsHorizontalPodAutoscaler *) (o))

/* The default CPU target (DefaultCPUUtilization) and the API's limits. */
#define KS_HPA_DEFAULT_CPU_UTILIZATION 80
#define KS_HPA_MAX_PERIOD_SECONDS 1800
#define KS_HPA_MAX_STABILIZATION_SECONDS 3600

const char *ks_hpa_condition_name (KsHpaConditionType type);
/* Set a condition (the transition time changes only with the status); message may be NULL. */
void ks_hpa_set_condition (KsHorizontalPodAutoscaler *hpa, KsHpaConditionType type,
                           KsConditionStatus status, const char *reason, const char *message,
                           gint64 now);
/* Replace status.currentMetrics with a copy of the n entries of metrics. */
void ks_hpa_set_current_metrics (KsHorizontalPodAutoscaler *hpa, const KsMetricStatus *metrics,
                                 guint n);
void ks_metric_status_clear (KsMetricStatus *m);

/* kubectl's TARGETS column: "cpu: 45%/80%", "<unknown>/80%" before metrics, metrics joined by
 * ", " (kubectl's formatHPAMetrics, which shows at most two then "+ N more...").  Newly
 * allocated. */
char *ks_hpa_format_targets (const KsHorizontalPodAutoscaler *hpa);

/* A new autoscaling/v1-style HPA, as kubectl autoscale makes it: name, target (kind, apiVersion,
 * name), min (< 1: unset, defaulted to 1), max, cpu_percent (< 0: unset, defaulted to 80). */
KsHorizontalPodAutoscaler *ks_hpa_new_autoscale (const char *ns, const char *name,
                                                 const char *target_api_version,
                                                 const char *target_kind, const char *target_name,
                                                 gint32 min, gint32 max, gint32 cpu_percent);

/* autoscaling/v1 (src/api/ks-autoscaling-v1.c), as Kubernetes' conversion: v1 shows
 * targetCPUUtilizationPercentage (the first cpu Resource metric, when a Utilization) and
 * currentCPUUtilizationPercentage; the other metrics, every current metric, the conditions and
 * the behavior travel in the autoscaling.alpha.kubernetes.io/{metrics, current-metrics,
 * conditions, behavior} annotations. */

/* Encode hpa as autoscaling/v1.  A JSON tree. */
JsonNode *ks_hpa_encode_v1 (const KsHorizontalPodAutoscaler *hpa, gint64 epoch);
/* The v1 form of a v2 HPA's JSON (as ks_object_encode writes it).  A new tree. */
JsonNode *ks_hpa_v2_to_v1 (JsonNode *v2);
/* The v2 form of a v1 HPA's JSON (a request body): the annotations taken back into spec and
 * status; cpu at 80 % when v1 gives no metric.  NULL with error (KS_INPUT_ERROR) when an
 * annotation does not parse. */
JsonNode *ks_hpa_v1_to_v2 (JsonNode *v1, GError **error);

KS_DEFINE_OBJECT_AUTOPTR (KsHorizontalPodAutoscaler, ks_hpa)

G_END_DECLS
