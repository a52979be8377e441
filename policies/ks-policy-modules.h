/* ks-policy-modules.h: external policy modules and the registry of every scheduler plugin and
 * autoscaler policy kubesim knows.
 *
 * Modules are shared objects (*.so) exporting ks_policy_module_init (scheduler plugins,
 * ks-policy.h), ks_autoscaler_policy_module_init (autoscaler policies, ks-autoscaler-policy.h),
 * or both.  They are
 * loaded with GModule from the directories given with --policy-path (in order) and then from
 * KUBESIM_POLICY_PATH (colon-separated), every *.so of a directory in name order, and stay
 * loaded until the process exits.  Loading happens before configurations are read, so that a
 * KubeSchedulerConfiguration can enable a loaded plugin by name.
 *
 * Lookup order: the built-in plugins (Kubernetes' default profile, then the research
 * policies), then the loaded ones.  A name is never shadowed: a module whose plugin takes a
 * name already known is refused. */
#pragma once

#include "ks-autoscaler-policy.h"
#include "ks-policy.h"

G_BEGIN_DECLS

#define KS_POLICY_MODULE_ERROR (ks_policy_module_error_quark ())
GQuark ks_policy_module_error_quark (void);

typedef enum
{
  KS_POLICY_MODULE_ERROR_PATH,      /* a directory of the search path cannot be read */
  KS_POLICY_MODULE_ERROR_OPEN,      /* dlopen failed (not a shared object, unresolved symbol) */
  KS_POLICY_MODULE_ERROR_SYMBOL,    /* neither ks_policy_module_init nor
                                     * ks_autoscaler_policy_module_init */
  KS_POLICY_MODULE_ERROR_VERSION,   /* built for another ABI version */
  KS_POLICY_MODULE_ERROR_INVALID,   /* no plugins, a plugin without a name or extension point, a
                                     * policy without a name or recommend */
  KS_POLICY_MODULE_ERROR_DUPLICATE, /* a plugin or policy name already taken */
} KsPolicyModuleError;

/* The environment variable with more module directories, colon-separated. */
#define KS_POLICY_PATH_ENV "KUBESIM_POLICY_PATH"

/* Load the modules of dirs (NULL-terminated, may be NULL), then those of the directories in
 * env_path (a KUBESIM_POLICY_PATH value, may be NULL; empty entries are skipped).  A directory
 * given twice, or a file reached twice, is loaded once.  Stops at the first problem: error names
 * the file and says what would be valid; plugins of the modules loaded before stay
 * registered. */
gboolean ks_policy_modules_load_path (const char *const *dirs, const char *env_path,
                                      GError **error);
/* Load every *.so in dir, in name order. */
gboolean ks_policy_modules_load_dir (const char *dir, GError **error);
/* Load one module file and register its plugins; all or nothing. */
gboolean ks_policy_modules_load_file (const char *path, GError **error);

/* A plugin by name: built-in first, then loaded; NULL when unknown. */
const KsSchedulerPlugin *ks_scheduler_plugin_lookup (const char *name);
/* Every known plugin: the default profile's, the research policies, then the loaded ones in
 * load order.  A new array (borrowed plugins). */
GPtrArray *ks_scheduler_plugin_list (void);
/* The file a loaded plugin came from, or NULL for a built-in one. */
const char *ks_scheduler_plugin_get_module (const KsSchedulerPlugin *plugin);
/* Whether plugin implements at least one extension point (observers do not count). */
gboolean ks_scheduler_plugin_has_extension_point (const KsSchedulerPlugin *plugin);

/* An autoscaler policy by name: the built-in ones (kubernetes, predictive, step), then the
 * loaded ones; NULL when unknown. */
const KsAutoscalerPolicy *ks_autoscaler_policy_lookup (const char *name);
/* Every known autoscaler policy: the built-in ones, then the loaded ones in load order.  A new
 * array (borrowed policies). */
GPtrArray *ks_autoscaler_policy_list (void);
/* The file a loaded policy came from, or NULL for a built-in one. */
const char *ks_autoscaler_policy_get_module (const KsAutoscalerPolicy *policy);
/* The known policies' names joined by ", " (for messages saying what is valid).  Newly
 * allocated. */
char *ks_autoscaler_policy_names (void);

/* Forget every loaded plugin and close the modules (tests; nothing may use them after). */
void ks_policy_modules_unload_all (void);

G_END_DECLS
