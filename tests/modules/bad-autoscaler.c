/* bad-autoscaler.c: autoscaler policy modules that kubesim must refuse, one per BAD_* macro
 * (tests/local.mk builds each as its own module, bad-as-*.so): the loader's error names the file
 * and says what is valid. */
#include <policies/ks-autoscaler-policy.h>

G_GNUC_UNUSED static gpointer
bad_state_new (const KsHorizontalPodAutoscaler *hpa)
{
  return g_new0 (int, 1);
}

G_GNUC_UNUSED static gboolean
bad_recommend (gpointer state, const KsHpaRecommendInput *in, gint32 *desired, char **reason,
               GError **error)
{
  *desired = in->current;
  *reason = NULL;
  return TRUE;
}

#if defined(BAD_BUILTIN_NAME)
#define NAME "kubernetes" /* a built-in policy's name */
#elif defined(BAD_NO_NAME)
#define NAME "with space"
#else
#define NAME "bad-policy"
#endif

#if defined(BAD_POLICY_VERSION)
#define POLICY_VERSION (KS_AUTOSCALER_POLICY_ABI_VERSION + 1)
#else
#define POLICY_VERSION KS_AUTOSCALER_POLICY_ABI_VERSION
#endif

G_GNUC_UNUSED static const KsAutoscalerPolicy policy = {
  .abi_version = POLICY_VERSION,
  .name = NAME,
#if !defined(BAD_NO_RECOMMEND)
  .recommend = bad_recommend,
#endif
  .state_new = bad_state_new,
#if !defined(BAD_NO_FREE)
  .state_free = g_free,
#endif
};

#if defined(BAD_TWICE)
G_GNUC_UNUSED static const KsAutoscalerPolicy *const policies[] = { &policy, &policy, NULL };
#else
G_GNUC_UNUSED static const KsAutoscalerPolicy *const policies[] = { &policy, NULL };
#endif

const KsAutoscalerPolicy *const *
ks_autoscaler_policy_module_init (guint32 host_abi_version, guint32 *module_abi_version)
{
#if defined(BAD_MODULE_VERSION)
  *module_abi_version = KS_AUTOSCALER_POLICY_ABI_VERSION + 1;
#else
  *module_abi_version = KS_AUTOSCALER_POLICY_ABI_VERSION;
#endif
#if defined(BAD_NULL)
  return NULL;
#else
  return policies;
#endif
}
