/* ks-autoscaler-policy.h: the autoscaler policy ABI (installed as
 * <policies/ks-autoscaler-policy.h>; pkg-config kubesim-policy).
 *
 * An autoscaler policy is the recommendation step of the HorizontalPodAutoscaler controller:
 * each sync period the controller reads the HPA's target scale and every spec.metrics entry
 * (resource metrics grouped per pod as Kubernetes' replica calculator groups them, custom and
 * external values), and asks the HPA's policy for the desired replica count.  The controller
 * then writes the scale, records SuccessfulRescale and updates the HPA's status.  A policy is a
 * const KsAutoscalerPolicy: a name (what the annotation kubesim.io/autoscaler-policy or the
 * scenario's hpa.policy selects) and three callbacks, with one state per HPA.
 *
 * The built-in policies (kubernetes, the default; predictive; step) are KsAutoscalerPolicy
 * structs too.  External ones live in shared objects exporting ks_autoscaler_policy_module_init
 * (below), loaded with GModule from --policy-path and KUBESIM_POLICY_PATH like scheduler
 * plugins (a module may export scheduler plugins, autoscaler policies or both).
 * docs/policy-abi.md ("Autoscaler policies") documents every field.
 *
 * Versioning: KS_AUTOSCALER_POLICY_ABI_VERSION changes whenever a struct or a callback here, or
 * a struct a policy reads (KsHorizontalPodAutoscaler, KsObject's metadata), changes
 * incompatibly.  Version 1 is the first.  The module entry point's signature never changes. */
#pragma once

#include <glib.h>

#include "src/api/ks-autoscaling.h"

G_BEGIN_DECLS

#define KS_AUTOSCALER_POLICY_ABI_VERSION 1

/* The controller's settings (kube-controller-manager's --horizontal-pod-autoscaler-* flags). */
typedef struct
{
  gint64 sync_period;               /* µs, 15 s */
  double tolerance;                 /* 0.1 */
  gint64 downscale_stabilization;   /* µs, 300 s: the legacy path's window */
  gint64 cpu_initialization_period; /* µs, 300 s */
  gint64 initial_readiness_delay;   /* µs, 30 s */
  const char *policy; /* the policy of HPAs without the annotation ("kubernetes"); a name that
                       * lives as long as the process (a policy's own name) */
} KsHpaOptions;

/* How Kubernetes' replica calculator counts a pod for one metric (groupPods). */
typedef enum
{
  KS_HPA_POD_READY,   /* counted with its metric */
  KS_HPA_POD_UNREADY, /* Pending, or (cpu) not ready yet: left out, or 0 % when scaling up */
  KS_HPA_POD_MISSING, /* no metric: 100 % of the target when scaling down, 0 when scaling up */
  KS_HPA_POD_IGNORED, /* being deleted or Failed */
} KsHpaPodState;

/* One pod of the target, as the calculator sees it for one metric. */
typedef struct
{
  KsHpaPodState state;
  gboolean has_metric; /* a metric was read (an unready pod may have one) */
  gint64 value;        /* the metric, milli-units (a pod's resource usage summed over containers) */
  gint64 request;      /* Utilization: the pod's request for the resource, milli-units */
} KsHpaPodSample;

/* What the controller read for one spec.metrics entry. */
typedef struct
{
  const KsMetricSpec *spec;
  gboolean ok;         /* FALSE: the metric could not be read (error says why) */
  const GError *error; /* when !ok */
  /* Per-pod metrics (Resource, ContainerResource, Pods), grouped; n_pods entries. */
  const KsHpaPodSample *pods;
  guint n_pods;
  gint32 ready_pods; /* Running and Ready pods (Object/External Value) */
  gint64 value;      /* Object/External: the metric's value, milli */
  gint64 timestamp;  /* when the metric was taken, µs */
} KsHpaMetricInput;

/* The controller's memory of one HPA (its recommendations and scale events), which Kubernetes'
 * normalization reads and writes; opaque. */
typedef struct _KsHpaHistory KsHpaHistory;

/* Everything one recommendation sees. */
typedef struct
{
  KsHorizontalPodAutoscaler *hpa;  /* a copy the policy may change: status.currentMetrics and
                                    * the ScalingActive/ScalingLimited conditions */
  KsHpaHistory *history;           /* for ks_hpa_normalize */
  gint32 current;                  /* scale.spec.replicas */
  gint32 status_replicas;          /* scale.status.replicas */
  gint32 min_replicas;             /* spec.minReplicas (1 when unset) */
  const KsHpaMetricInput *metrics; /* one per spec.metrics entry, in order */
  guint n_metrics;
  const KsHpaOptions *options;
  gint64 now; /* µs: simulated time in a simulation, wall-clock time in real mode */
  /* Record a Warning event on the HPA (a metric's failure: FailedGetResourceMetric, ...). */
  void (*warn) (gpointer data, const char *reason, const char *message);
  gpointer warn_data;
} KsHpaRecommendInput;

/* An autoscaler policy. */
typedef struct
{
  guint32 abi_version; /* KS_AUTOSCALER_POLICY_ABI_VERSION */
  const char *name;    /* the annotation's value: not empty, no spaces */
  const char *summary; /* one line for `kubesim policies`, or NULL */
  /* The state of one HPA, made at its first reconcile with this policy (NULL: the policy keeps
   * none).  Freed with state_free when the HPA is deleted, its annotation names another policy,
   * or the controller stops. */
  gpointer (*state_new) (const KsHorizontalPodAutoscaler *hpa);
  void (*state_free) (gpointer state);
  /* The desired count for in (in->current when nothing should change) into *desired, with
   * *reason the SuccessfulRescale event's reason (newly allocated; NULL when nothing changes).
   * Set in->hpa's status.currentMetrics and conditions (ks_hpa_compute_proposal does both).
   * FALSE with *error when no count can be made: the controller records
   * FailedComputeMetricsReplicas with the error's message and does not scale.  The controller
   * clamps nothing: the policy keeps the count within [min_replicas, spec.maxReplicas]. */
  gboolean (*recommend) (gpointer state, const KsHpaRecommendInput *in, gint32 *desired,
                         char **reason, GError **error);
} KsAutoscalerPolicy;

/* What kubesim gives policies: Kubernetes' own steps, to build on. */

/* computeReplicasForMetrics: each metric's proposal by Kubernetes' replica calculator (with
 * in->options->tolerance), the largest into *replicas and its metric's name ("cpu resource
 * utilization (percentage of request)", newly allocated) into *metric, and the largest ratio of
 * a metric's current value to its target (1.0 on target) into *ratio.  Sets status.currentMetrics
 * and ScalingActive (ValidMetricFound, or the first failing metric's reason).  FALSE with *error
 * when Kubernetes fails: every metric invalid, or some invalid and the rest propose fewer. */
gboolean ks_hpa_compute_proposal (const KsHpaRecommendInput *in, gint32 *replicas, char **metric,
                                  double *ratio, GError **error);
/* Kubernetes' normalization of proposal: normalizeDesiredReplicas for an HPA without behavior
 * (the downscale stabilization window, scale-up limit max(2 × current, 4)) or
 * normalizeDesiredReplicasWithBehaviors; clamps to [min_replicas, max] and sets AbleToScale and
 * ScalingLimited.  Records the proposal in history. */
gint32 ks_hpa_normalize (KsHpaHistory *history, KsHorizontalPodAutoscaler *hpa, gint32 current,
                         gint32 proposal, gint32 min_replicas, gint64 downscale_stabilization,
                         gint64 now);
/* desired clamped to [in->min_replicas, spec.maxReplicas], with ScalingLimited set as
 * Kubernetes sets it (TooManyReplicas, TooFewReplicas, DesiredWithinRange). */
gint32 ks_hpa_clamp_replicas (const KsHpaRecommendInput *in, gint32 desired);

/* External modules.
 *
 * A module with autoscaler policies exports
 *
 *   KS_AUTOSCALER_POLICY_EXPORT const KsAutoscalerPolicy *const *
 *   ks_autoscaler_policy_module_init (guint32 host_abi_version, guint32 *module_abi_version);
 *
 * kubesim calls it once, right after loading the module, with the autoscaler ABI version it was
 * built with.  The module sets *module_abi_version to KS_AUTOSCALER_POLICY_ABI_VERSION and
 * returns its policies, a NULL-terminated array that lives as long as the module (static).  Each
 * policy's abi_version must be KS_AUTOSCALER_POLICY_ABI_VERSION as well.  A module may return
 * NULL to refuse a host version.  The same module may also export ks_policy_module_init
 * (scheduler plugins, <policies/ks-policy.h>). */
#define KS_AUTOSCALER_POLICY_MODULE_INIT_SYMBOL "ks_autoscaler_policy_module_init"

typedef const KsAutoscalerPolicy *const *(*KsAutoscalerPolicyModuleInitFunc) (
    guint32 host_abi_version, guint32 *module_abi_version);

/* Marks the entry point exported when a module is built with -fvisibility=hidden. */
#if defined(__GNUC__)
#define KS_AUTOSCALER_POLICY_EXPORT __attribute__ ((visibility ("default")))
#else
#define KS_AUTOSCALER_POLICY_EXPORT
#endif

/* Declared here so that a module's definition is checked against the signature. */
KS_AUTOSCALER_POLICY_EXPORT const KsAutoscalerPolicy *const *
ks_autoscaler_policy_module_init (guint32 host_abi_version, guint32 *module_abi_version);

G_END_DECLS
