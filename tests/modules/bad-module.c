/* bad-module.c: policy modules that kubesim must refuse, one per BAD_* macro (tests/local.mk
 * builds each as its own module): the loader's error names the file and says what is valid. */
#include <policies/ks-policy.h>

G_GNUC_UNUSED static gint64
bad_score (KsPluginCtx *ctx, const KsPod *pod, const KsNodeInfo *node)
{
  return 0;
}

G_GNUC_UNUSED static gboolean
bad_observe (gpointer instance, const KsPod *pod, const KsNodeInfo *node, gboolean added)
{
  return FALSE;
}

#if defined(BAD_NO_NAME)
#define NAME NULL
#elif defined(BAD_BUILTIN_NAME)
#define NAME "NodeName" /* a built-in plugin's name */
#elif defined(BAD_EXAMPLE_NAME)
#define NAME "PreferNodeLabel" /* the example module's */
#else
#define NAME "BadModulePlugin"
#endif

#if defined(BAD_PLUGIN_VERSION)
#define PLUGIN_VERSION (KS_POLICY_ABI_VERSION - 1)
#else
#define PLUGIN_VERSION KS_POLICY_ABI_VERSION
#endif

G_GNUC_UNUSED static const KsSchedulerPlugin plugin = {
  .abi_version = PLUGIN_VERSION,
  .name = NAME,
#if defined(BAD_NO_POINT)
  .observe_pod = bad_observe, /* an observer alone is no extension point */
#else
  .score = bad_score,
#endif
};

#if defined(BAD_EMPTY)
G_GNUC_UNUSED static const KsSchedulerPlugin *const plugins[] = { NULL };
#elif defined(BAD_TWICE)
G_GNUC_UNUSED static const KsSchedulerPlugin *const plugins[] = { &plugin, &plugin, NULL };
#else
G_GNUC_UNUSED static const KsSchedulerPlugin *const plugins[] = { &plugin, NULL };
#endif

#if defined(BAD_UNDEFINED)
/* Not a function of kubesim's: loading must fail on the unresolved symbol. */
void ks_no_such_function_in_kubesim (void);
#endif

#if defined(BAD_NO_SYMBOL)
/* The entry point under another name. */
const KsSchedulerPlugin *const *ks_policy_module_start (guint32 host, guint32 *version);

const KsSchedulerPlugin *const *
ks_policy_module_start (guint32 host, guint32 *version)
{
  *version = KS_POLICY_ABI_VERSION;
  return plugins;
}
#else
const KsSchedulerPlugin *const *
ks_policy_module_init (guint32 host_abi_version, guint32 *module_abi_version)
{
#if defined(BAD_UNDEFINED)
  ks_no_such_function_in_kubesim ();
#endif
#if defined(BAD_MODULE_VERSION)
  *module_abi_version = KS_POLICY_ABI_VERSION - 1;
#else
  *module_abi_version = KS_POLICY_ABI_VERSION;
#endif
#if defined(BAD_NULL)
  return NULL;
#else
  return plugins;
#endif
}
#endif
