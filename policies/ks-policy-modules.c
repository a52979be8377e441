/* ks-policy-modules.c: loading policy modules with GModule, and the plugin registry. */
#include "config.h"

#include <errno.h>
#include <gmodule.h>
#include <stdlib.h>
#include <string.h>

#include "ks-policy-modules.h"
#include "src/controllers/ks-hpa.h"

/* clang-format off */
G_DEFINE_QUARK (ks-policy-module-error-quark, ks_policy_module_error)
/* clang-format on */

typedef struct
{
  char *path; /* as the user reached it (directory + file name) */
  char *real; /* canonical, to load a file once */
  GModule *module;
  const KsSchedulerPlugin *const *plugins;      /* NULL: no scheduler plugins */
  const KsAutoscalerPolicy *const *autoscalers; /* NULL: no autoscaler policies */
} Module;

/* The process-wide registry: modules stay loaded until exit, because profiles, frameworks and
 * queues hold plugin pointers into them. */
static GPtrArray *modules;            /* Module*, load order */
static GPtrArray *loaded;             /* const KsSchedulerPlugin*, load order */
static GHashTable *plugin_mod;        /* plugin → Module* */
static GPtrArray *loaded_autoscalers; /* const KsAutoscalerPolicy*, load order */
static GHashTable *autoscaler_mod;    /* policy → Module* */

static void
module_free (Module *m)
{
  if (m->module != NULL)
    g_module_close (m->module);
  g_free (m->path);
  g_free (m->real);
  g_free (m);
}

static void
registry_init (void)
{
  if (modules != NULL)
    return;
  modules = g_ptr_array_new ();
  loaded = g_ptr_array_new ();
  plugin_mod = g_hash_table_new (g_direct_hash, g_direct_equal);
  loaded_autoscalers = g_ptr_array_new ();
  autoscaler_mod = g_hash_table_new (g_direct_hash, g_direct_equal);
}

void
ks_policy_modules_unload_all (void)
{
  if (modules == NULL)
    return;
  for (guint i = 0; i < modules->len; i++)
    module_free (g_ptr_array_index (modules, i));
  g_clear_pointer (&modules, g_ptr_array_unref);
  g_clear_pointer (&loaded, g_ptr_array_unref);
  g_clear_pointer (&plugin_mod, g_hash_table_unref);
  g_clear_pointer (&loaded_autoscalers, g_ptr_array_unref);
  g_clear_pointer (&autoscaler_mod, g_hash_table_unref);
}

gboolean
ks_scheduler_plugin_has_extension_point (const KsSchedulerPlugin *p)
{
  return p->less != NULL || p->pre_filter != NULL || p->filter != NULL || p->post_filter != NULL
         || p->pre_score != NULL || p->score != NULL || p->reserve != NULL;
}

static const KsSchedulerPlugin *
loaded_lookup (const char *name, Module **from)
{
  if (loaded == NULL)
    return NULL;
  for (guint i = 0; i < loaded->len; i++)
    {
      const KsSchedulerPlugin *p = g_ptr_array_index (loaded, i);
      if (strcmp (p->name, name) == 0)
        {
          if (from != NULL)
            *from = g_hash_table_lookup (plugin_mod, p);
          return p;
        }
    }
  return NULL;
}

const KsSchedulerPlugin *
ks_scheduler_plugin_lookup (const char *name)
{
  const KsSchedulerPlugin *p = ks_builtin_scheduler_plugin_lookup (name);

  return p != NULL ? p : loaded_lookup (name, NULL);
}

GPtrArray *
ks_scheduler_plugin_list (void)
{
  GPtrArray *all = g_ptr_array_new ();
  const KsSchedulerPlugin *const *builtin = ks_builtin_scheduler_plugins ();
  const KsSchedulerPlugin *const *research = ks_research_scheduler_plugins ();

  for (guint i = 0; builtin[i] != NULL; i++)
    g_ptr_array_add (all, (gpointer) builtin[i]);
  for (guint i = 0; research[i] != NULL; i++)
    g_ptr_array_add (all, (gpointer) research[i]);
  if (loaded != NULL)
    for (guint i = 0; i < loaded->len; i++)
      g_ptr_array_add (all, g_ptr_array_index (loaded, i));
  return all;
}

const char *
ks_scheduler_plugin_get_module (const KsSchedulerPlugin *plugin)
{
  Module *m = plugin_mod != NULL ? g_hash_table_lookup (plugin_mod, plugin) : NULL;

  return m != NULL ? m->path : NULL;
}

static const KsAutoscalerPolicy *
builtin_autoscaler_lookup (const char *name)
{
  const KsAutoscalerPolicy *const *builtin = ks_hpa_builtin_policies ();

  for (guint i = 0; builtin[i] != NULL; i++)
    if (strcmp (builtin[i]->name, name) == 0)
      return builtin[i];
  return NULL;
}

static const KsAutoscalerPolicy *
loaded_autoscaler_lookup (const char *name, Module **from)
{
  for (guint i = 0; loaded_autoscalers != NULL && i < loaded_autoscalers->len; i++)
    {
      const KsAutoscalerPolicy *p = g_ptr_array_index (loaded_autoscalers, i);
      if (strcmp (p->name, name) == 0)
        {
          if (from != NULL)
            *from = g_hash_table_lookup (autoscaler_mod, p);
          return p;
        }
    }
  return NULL;
}

const KsAutoscalerPolicy *
ks_autoscaler_policy_lookup (const char *name)
{
  const KsAutoscalerPolicy *p;

  if (name == NULL)
    return NULL;
  p = builtin_autoscaler_lookup (name);
  return p != NULL ? p : loaded_autoscaler_lookup (name, NULL);
}

GPtrArray *
ks_autoscaler_policy_list (void)
{
  GPtrArray *all = g_ptr_array_new ();
  const KsAutoscalerPolicy *const *builtin = ks_hpa_builtin_policies ();

  for (guint i = 0; builtin[i] != NULL; i++)
    g_ptr_array_add (all, (gpointer) builtin[i]);
  for (guint i = 0; loaded_autoscalers != NULL && i < loaded_autoscalers->len; i++)
    g_ptr_array_add (all, g_ptr_array_index (loaded_autoscalers, i));
  return all;
}

const char *
ks_autoscaler_policy_get_module (const KsAutoscalerPolicy *policy)
{
  Module *m = autoscaler_mod != NULL ? g_hash_table_lookup (autoscaler_mod, policy) : NULL;

  return m != NULL ? m->path : NULL;
}

char *
ks_autoscaler_policy_names (void)
{
  g_autoptr (GPtrArray) all = ks_autoscaler_policy_list ();
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < all->len; i++)
    g_string_append_printf (s, "%s%s", i > 0 ? ", " : "",
                            ((const KsAutoscalerPolicy *) g_ptr_array_index (all, i))->name);
  return g_string_free (s, FALSE);
}

static gboolean
name_is_valid (const char *name)
{
  if (name[0] == '\0' || strcmp (name, "*") == 0)
    return FALSE;
  for (const char *c = name; *c != '\0'; c++)
    if (g_ascii_isspace (*c) || g_ascii_iscntrl (*c))
      return FALSE;
  return TRUE;
}

/* Check the plugin table of m before anything is registered. */
static gboolean
check_plugins (Module *m, GError **error)
{
  const KsSchedulerPlugin *const *plugins = m->plugins;
  guint n = 0;

  for (; plugins[n] != NULL; n++)
    {
      const KsSchedulerPlugin *p = plugins[n];
      const KsSchedulerPlugin *builtin;
      Module *other = NULL;
      if (p->abi_version != KS_POLICY_ABI_VERSION)
        {
          g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_VERSION,
                       "%s: plugin %u%s%s%s was built for policy ABI version %u, but this kubesim "
                       "loads version %u: set .abi_version = KS_POLICY_ABI_VERSION and rebuild "
                       "with this kubesim's <policies/ks-policy.h>",
                       m->path, n, p->name ? " (\"" : "", p->name ? p->name : "",
                       p->name ? "\")" : "", p->abi_version, KS_POLICY_ABI_VERSION);
          return FALSE;
        }
      if (p->name == NULL || !name_is_valid (p->name))
        {
          g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_INVALID,
                       "%s: plugin %u has %s: set .name to the name profiles enable it by (not "
                       "empty, no spaces, not \"*\")",
                       m->path, n, p->name == NULL ? "no name" : "an invalid name");
          return FALSE;
        }
      if (!ks_scheduler_plugin_has_extension_point (p))
        {
          g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_INVALID,
                       "%s: plugin \"%s\" implements no extension point: set at least one of "
                       "less, pre_filter, filter, post_filter, pre_score, score or reserve",
                       m->path, p->name);
          return FALSE;
        }
      if ((p->add_pod != NULL || p->remove_pod != NULL) && p->clone_cycle == NULL)
        {
          g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_INVALID,
                       "%s: plugin \"%s\" has add_pod/remove_pod but no clone_cycle: what-if "
                       "filtering copies the cycle state, so set clone_cycle too",
                       m->path, p->name);
          return FALSE;
        }
      if (p->normalize != NULL && p->score == NULL)
        {
          g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_INVALID,
                       "%s: plugin \"%s\" has normalize but no score: normalize is the Score "
                       "plugin's NormalizeScore",
                       m->path, p->name);
          return FALSE;
        }
      if ((builtin = ks_builtin_scheduler_plugin_lookup (p->name)) != NULL)
        {
          g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_DUPLICATE,
                       "%s: plugin \"%s\" has the name of a built-in plugin: give it another "
                       "name (`kubesim policies` lists the names in use)",
                       m->path, p->name);
          return FALSE;
        }
      if (loaded_lookup (p->name, &other) != NULL)
        {
          g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_DUPLICATE,
                       "%s: plugin \"%s\" is already loaded from %s: give it another name, or "
                       "keep only one of the modules on the policy path",
                       m->path, p->name, other->path);
          return FALSE;
        }
      for (guint j = 0; j < n; j++)
        if (strcmp (plugins[j]->name, p->name) == 0)
          {
            g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_DUPLICATE,
                         "%s: the module lists plugin \"%s\" twice (entries %u and %u): each "
                         "plugin needs its own name",
                         m->path, p->name, j, n);
            return FALSE;
          }
    }
  if (n == 0)
    {
      g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_INVALID,
                   "%s: the module has no plugins: ks_policy_module_init must return a "
                   "NULL-terminated array of at least one plugin",
                   m->path);
      return FALSE;
    }
  return TRUE;
}

/* Check the autoscaler policy table of m before anything is registered. */
static gboolean
check_autoscalers (Module *m, GError **error)
{
  const KsAutoscalerPolicy *const *policies = m->autoscalers;
  guint n = 0;

  for (; policies[n] != NULL; n++)
    {
      const KsAutoscalerPolicy *p = policies[n];
      Module *other = NULL;
      if (p->abi_version != KS_AUTOSCALER_POLICY_ABI_VERSION)
        {
          g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_VERSION,
                       "%s: autoscaler policy %u%s%s%s was built for autoscaler ABI version %u, "
                       "but this kubesim loads version %u: set .abi_version = "
                       "KS_AUTOSCALER_POLICY_ABI_VERSION and rebuild with this kubesim's "
                       "<policies/ks-autoscaler-policy.h>",
                       m->path, n, p->name ? " (\"" : "", p->name ? p->name : "",
                       p->name ? "\")" : "", p->abi_version, KS_AUTOSCALER_POLICY_ABI_VERSION);
          return FALSE;
        }
      /* "*" is no wildcard here, but refusing it keeps one rule for every name in a module. */
      if (p->name == NULL || !name_is_valid (p->name))
        {
          g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_INVALID,
                       "%s: autoscaler policy %u has %s: set .name to the name the "
                       "annotation " KS_HPA_POLICY_ANNOTATION
                       " selects it by (not empty, no spaces, not \"*\")",
                       m->path, n, p->name == NULL ? "no name" : "an invalid name");
          return FALSE;
        }
      if (p->recommend == NULL)
        {
          g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_INVALID,
                       "%s: autoscaler policy \"%s\" has no recommend: set .recommend to the "
                       "function that gives the desired replica count",
                       m->path, p->name);
          return FALSE;
        }
      if (p->state_new != NULL && p->state_free == NULL)
        {
          g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_INVALID,
                       "%s: autoscaler policy \"%s\" has state_new but no state_free: set "
                       ".state_free to the function that frees one HPA's state",
                       m->path, p->name);
          return FALSE;
        }
      if (builtin_autoscaler_lookup (p->name) != NULL)
        {
          g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_DUPLICATE,
                       "%s: autoscaler policy \"%s\" has the name of a built-in policy: give it "
                       "another name (`kubesim policies` lists the names in use)",
                       m->path, p->name);
          return FALSE;
        }
      if (loaded_autoscaler_lookup (p->name, &other) != NULL)
        {
          g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_DUPLICATE,
                       "%s: autoscaler policy \"%s\" is already loaded from %s: give it another "
                       "name, or keep only one of the modules on the policy path",
                       m->path, p->name, other->path);
          return FALSE;
        }
      for (guint j = 0; j < n; j++)
        if (strcmp (policies[j]->name, p->name) == 0)
          {
            g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_DUPLICATE,
                         "%s: the module lists autoscaler policy \"%s\" twice (entries %u and "
                         "%u): each policy needs its own name",
                         m->path, p->name, j, n);
            return FALSE;
          }
    }
  if (n == 0)
    {
      g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_INVALID,
                   "%s: the module has no autoscaler policies: "
                   "ks_autoscaler_policy_module_init must return a NULL-terminated array of at "
                   "least one policy",
                   m->path);
      return FALSE;
    }
  return TRUE;
}

/* Ask the module for its autoscaler policies (init is its ks_autoscaler_policy_module_init). */
static gboolean
init_autoscalers (Module *m, gpointer init, GError **error)
{
  guint32 version = 0;

  m->autoscalers
      = ((KsAutoscalerPolicyModuleInitFunc) init) (KS_AUTOSCALER_POLICY_ABI_VERSION, &version);
  if (version != KS_AUTOSCALER_POLICY_ABI_VERSION)
    {
      g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_VERSION,
                   "%s: built for autoscaler policy ABI version %u, but this kubesim loads "
                   "version %u modules: rebuild it with this kubesim's "
                   "<policies/ks-autoscaler-policy.h> (`pkg-config "
                   "--variable=autoscaler_abi_version kubesim-policy` prints %u)",
                   m->path, version, KS_AUTOSCALER_POLICY_ABI_VERSION,
                   KS_AUTOSCALER_POLICY_ABI_VERSION);
      return FALSE;
    }
  if (m->autoscalers == NULL)
    {
      g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_INVALID,
                   "%s: ks_autoscaler_policy_module_init returned no policy table (the module "
                   "refused to work with autoscaler policy ABI version %u): it must return a "
                   "NULL-terminated array of policies",
                   m->path, KS_AUTOSCALER_POLICY_ABI_VERSION);
      return FALSE;
    }
  return check_autoscalers (m, error);
}

gboolean
ks_policy_modules_load_file (const char *path, GError **error)
{
  g_autofree char *real = realpath (path, NULL);
  Module *m;
  gpointer symbol = NULL, autoscaler_symbol = NULL;
  guint32 version = 0;

  registry_init ();
  if (real == NULL)
    {
      int e = errno;
      g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_OPEN,
                   "%s: cannot load the policy module: %s", path, g_strerror (e));
      return FALSE;
    }
  for (guint i = 0; i < modules->len; i++)
    if (strcmp (((Module *) g_ptr_array_index (modules, i))->real, real) == 0)
      return TRUE; /* reached twice (a directory listed twice, a symbolic link) */

  m = g_new0 (Module, 1);
  m->path = g_strdup (path);
  m->real = g_steal_pointer (&real);
  /* Bind every symbol now, so that a missing ks_* function is an error here and not a crash
   * in the middle of a run; keep the module's symbols to itself, so that two modules may use
   * the same names for their own functions. */
  m->module = g_module_open (m->real, G_MODULE_BIND_LOCAL);
  if (m->module == NULL)
    {
      g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_OPEN,
                   "%s: cannot load the policy module: %s", path, g_module_error ());
      module_free (m);
      return FALSE;
    }
  if (!g_module_symbol (m->module, KS_POLICY_MODULE_INIT_SYMBOL, &symbol))
    symbol = NULL;
  if (!g_module_symbol (m->module, KS_AUTOSCALER_POLICY_MODULE_INIT_SYMBOL, &autoscaler_symbol))
    autoscaler_symbol = NULL;
  if (symbol == NULL && autoscaler_symbol == NULL)
    {
      g_set_error (
          error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_SYMBOL,
          "%s: not a kubesim policy module: it does not export " KS_POLICY_MODULE_INIT_SYMBOL
          " (a module defines `const KsSchedulerPlugin *const *ks_policy_module_init "
          "(guint32 host_abi_version, guint32 *module_abi_version)`, see "
          "docs/policy-abi.md) nor " KS_AUTOSCALER_POLICY_MODULE_INIT_SYMBOL
          " (`const KsAutoscalerPolicy *const *ks_autoscaler_policy_module_init (guint32 "
          "host_abi_version, guint32 *module_abi_version)`)",
          path);
      module_free (m);
      return FALSE;
    }
  if (symbol != NULL)
    {
      m->plugins = ((KsPolicyModuleInitFunc) symbol) (KS_POLICY_ABI_VERSION, &version);
      if (version != KS_POLICY_ABI_VERSION)
        {
          g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_VERSION,
                       "%s: built for policy ABI version %u, but this kubesim loads version %u "
                       "modules: rebuild it with this kubesim's <policies/ks-policy.h> "
                       "(`pkg-config --variable=abi_version kubesim-policy` prints %u)",
                       path, version, KS_POLICY_ABI_VERSION, KS_POLICY_ABI_VERSION);
          module_free (m);
          return FALSE;
        }
      if (m->plugins == NULL)
        {
          g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_INVALID,
                       "%s: ks_policy_module_init returned no plugin table (the module refused "
                       "to work with policy ABI version %u): it must return a NULL-terminated "
                       "array of plugins",
                       path, KS_POLICY_ABI_VERSION);
          module_free (m);
          return FALSE;
        }
      if (!check_plugins (m, error))
        {
          module_free (m);
          return FALSE;
        }
    }
  if (autoscaler_symbol != NULL && !init_autoscalers (m, autoscaler_symbol, error))
    {
      module_free (m);
      return FALSE;
    }
  g_ptr_array_add (modules, m);
  for (guint i = 0; m->plugins != NULL && m->plugins[i] != NULL; i++)
    {
      g_ptr_array_add (loaded, (gpointer) m->plugins[i]);
      g_hash_table_insert (plugin_mod, (gpointer) m->plugins[i], m);
    }
  for (guint i = 0; m->autoscalers != NULL && m->autoscalers[i] != NULL; i++)
    {
      g_ptr_array_add (loaded_autoscalers, (gpointer) m->autoscalers[i]);
      g_hash_table_insert (autoscaler_mod, (gpointer) m->autoscalers[i], m);
    }
  return TRUE;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

gboolean
ks_policy_modules_load_dir (const char *dir, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (GDir) d = g_dir_open (dir, 0, &local);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    {
      g_set_error (error, KS_POLICY_MODULE_ERROR, KS_POLICY_MODULE_ERROR_PATH,
                   "policy path \"%s\": %s (--policy-path and " KS_POLICY_PATH_ENV
                   " name directories holding policy modules, *.so files)",
                   dir, local->message);
      return FALSE;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, "." G_MODULE_SUFFIX))
      g_ptr_array_add (names, g_strdup (name));
  /* Name order, so that which module is refused as a duplicate does not depend on the file
   * system. */
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
      if (!ks_policy_modules_load_file (path, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
ks_policy_modules_load_path (const char *const *dirs, const char *env_path, GError **error)
{
  g_auto (GStrv) env_dirs = NULL;

  for (guint i = 0; dirs != NULL && dirs[i] != NULL; i++)
    if (!ks_policy_modules_load_dir (dirs[i], error))
      return FALSE;
  if (env_path == NULL)
    return TRUE;
  env_dirs = g_strsplit (env_path, G_SEARCHPATH_SEPARATOR_S, -1);
  for (guint i = 0; env_dirs[i] != NULL; i++)
    if (env_dirs[i][0] != '\0' && !ks_policy_modules_load_dir (env_dirs[i], error))
      {
        g_prefix_error (error, KS_POLICY_PATH_ENV ": ");
        return FALSE;
      }
  return TRUE;
}
