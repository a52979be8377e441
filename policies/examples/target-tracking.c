/* target-tracking.c: target-tracking, an external autoscaler policy (docs/policy-abi.md,
 * "Autoscaler policies").
 *
 * Target tracking as AWS Application Auto Scaling's target tracking scaling policies ("Target
 * tracking scaling policies for Application Auto Scaling", AWS documentation): keep a metric at
 * its target by setting the capacity in proportion to it, with cooldowns after each change:
 *
 *   r       = the largest ratio of a metric's current value to its target over the HPA's
 *             metrics (e.g. requests per second per pod over the target per pod)
 *   desired = ceil(current × r)   when |r − 1| > tolerance (0.1), else current
 *
 * then: a scale-out waits TT_SCALE_OUT_COOLDOWN (60 s) after the previous scale-out; a scale-in
 * waits TT_SCALE_IN_COOLDOWN (300 s) after the previous change of either direction; the count
 * is clamped to [minReplicas, maxReplicas].  Unlike Kubernetes' algorithm there is no rate limit
 * and no stabilization window: the cooldowns are the only damping.  (AWS also scales in more
 * gradually than it scales out; this example keeps only the cooldowns.)
 *
 * Build it against an installed kubesim:
 *   cc -shared -fPIC $(pkg-config --cflags kubesim-policy) -o target-tracking.so \
 *      target-tracking.c -lm
 * load it with `kubesim run --policy-path DIR` (DIR holds the .so) and select it per HPA with the
 * annotation kubesim.io/autoscaler-policy: target-tracking (or hpa: {policy: target-tracking}). */
#include <math.h>

#include <policies/ks-autoscaler-policy.h>

#define TT_SCALE_OUT_COOLDOWN (60 * G_USEC_PER_SEC)
#define TT_SCALE_IN_COOLDOWN (300 * G_USEC_PER_SEC)

/* One HPA's memory: when it last scaled out, and last changed at all. */
typedef struct
{
  gboolean scaled_out;
  gint64 last_out;
  gboolean scaled;
  gint64 last_change;
} TrackState;

static gpointer
track_state_new (const KsHorizontalPodAutoscaler *hpa)
{
  (void) hpa;
  return g_new0 (TrackState, 1);
}

static gboolean
track_recommend (gpointer state, const KsHpaRecommendInput *in, gint32 *desired, char **reason,
                 GError **error)
{
  TrackState *st = state;
  gint32 proposal = 0, want = in->current;
  g_autofree char *metric = NULL;
  double ratio = 0.0;

  /* Kubernetes' reading of the metrics: status.currentMetrics, ScalingActive, and the ratio. */
  if (!ks_hpa_compute_proposal (in, &proposal, &metric, &ratio, error))
    return FALSE;
  if (fabs (ratio - 1.0) > in->options->tolerance)
    want = (gint32) MIN (ceil ((double) in->current * ratio), (double) G_MAXINT32);
  if (want > in->current && st->scaled_out && in->now - st->last_out < TT_SCALE_OUT_COOLDOWN)
    want = in->current;
  if (want < in->current && st->scaled && in->now - st->last_change < TT_SCALE_IN_COOLDOWN)
    want = in->current;
  *desired = ks_hpa_clamp_replicas (in, want);
  *reason = NULL;
  if (*desired != in->current)
    {
      if (*desired > in->current)
        {
          st->scaled_out = TRUE;
          st->last_out = in->now;
        }
      st->scaled = TRUE;
      st->last_change = in->now;
      *reason = g_strdup_printf ("target tracking: %s at %.0f%% of target", metric, ratio * 100.0);
    }
  return TRUE;
}

static const KsAutoscalerPolicy target_tracking = {
  .abi_version = KS_AUTOSCALER_POLICY_ABI_VERSION,
  .name = "target-tracking",
  .summary = "target tracking (AWS): ceil(current × metric/target), 60 s/300 s cooldowns",
  .state_new = track_state_new,
  .state_free = g_free,
  .recommend = track_recommend,
};

static const KsAutoscalerPolicy *const policies[] = { &target_tracking, NULL };

const KsAutoscalerPolicy *const *
ks_autoscaler_policy_module_init (guint32 host_abi_version, guint32 *module_abi_version)
{
  (void) host_abi_version;
  *module_abi_version = KS_AUTOSCALER_POLICY_ABI_VERSION;
  return policies;
}
