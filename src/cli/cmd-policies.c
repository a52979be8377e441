/* cmd-policies.c: kubesim policies: the scheduler plugins kubesim knows, built in and loaded
 * from modules, with their extension points, and the HPA's autoscaler policies. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ks-cli.h"
#include "policies/ks-policy-modules.h"
#include "src/controllers/ks-hpa.h"
#include "src/scheduler/ks-sched-config.h"

/* Where a plugin comes from: "default-profile", "research" or "module". */
static const char *
origin (const KsSchedulerPlugin *p)
{
  const KsSchedulerPlugin *const *builtin = ks_builtin_scheduler_plugins ();

  if (ks_scheduler_plugin_get_module (p) != NULL)
    return "module";
  for (guint i = 0; builtin[i] != NULL; i++)
    if (builtin[i] == p)
      return "default-profile";
  return "research";
}

static char *
points_joined (const KsSchedulerPlugin *p)
{
  GString *s = g_string_new (NULL);

  for (guint e = 0; e < KS_N_POINTS; e++)
    if (ks_plugin_implements (p, e))
      g_string_append_printf (s, "%s%s", s->len ? "," : "", ks_extension_point_name (e));
  return g_string_free (s, FALSE);
}

static void
print_json (GPtrArray *all, GPtrArray *autoscalers)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "abiVersion");
  json_builder_add_int_value (b, KS_POLICY_ABI_VERSION);
  json_builder_set_member_name (b, "plugins");
  json_builder_begin_array (b);
  for (guint i = 0; i < all->len; i++)
    {
      const KsSchedulerPlugin *p = g_ptr_array_index (all, i);
      const char *module = ks_scheduler_plugin_get_module (p);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, p->name);
      json_builder_set_member_name (b, "origin");
      json_builder_add_string_value (b, origin (p));
      json_builder_set_member_name (b, "module");
      if (module != NULL)
        json_builder_add_string_value (b, module);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "extensionPoints");
      json_builder_begin_array (b);
      for (guint e = 0; e < KS_N_POINTS; e++)
        if (ks_plugin_implements (p, e))
          json_builder_add_string_value (b, ks_extension_point_name (e));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "defaultWeight");
      json_builder_add_int_value (b, p->score != NULL ? MAX (p->default_weight, 1) : 0);
      json_builder_set_member_name (b, "takesArgs");
      json_builder_add_boolean_value (b, p->init != NULL);
      json_builder_set_member_name (b, "observesCluster");
      json_builder_add_boolean_value (b, p->observe_pod != NULL || p->observe_node != NULL);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "autoscalerAbiVersion");
  json_builder_add_int_value (b, KS_AUTOSCALER_POLICY_ABI_VERSION);
  json_builder_set_member_name (b, "autoscalerPolicies");
  json_builder_begin_array (b);
  for (guint i = 0; i < autoscalers->len; i++)
    {
      const KsAutoscalerPolicy *p = g_ptr_array_index (autoscalers, i);
      const char *module = ks_autoscaler_policy_get_module (p);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, p->name);
      json_builder_set_member_name (b, "default");
      json_builder_add_boolean_value (b, i == 0);
      json_builder_set_member_name (b, "module");
      if (module != NULL)
        json_builder_add_string_value (b, module);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "summary");
      if (p->summary != NULL)
        json_builder_add_string_value (b, p->summary);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

static void
print_table (GPtrArray *all, GPtrArray *autoscalers)
{
  int width = (int) strlen ("NAME");

  for (guint i = 0; i < all->len; i++)
    width = MAX (width,
                 (int) strlen (((const KsSchedulerPlugin *) g_ptr_array_index (all, i))->name));
  printf ("%-*s  %-40s  %s\n", width, "NAME", "EXTENSION POINTS", "FROM");
  for (guint i = 0; i < all->len; i++)
    {
      const KsSchedulerPlugin *p = g_ptr_array_index (all, i);
      g_autofree char *points = points_joined (p);
      const char *module = ks_scheduler_plugin_get_module (p);
      printf ("%-*s  %-40s  %s\n", width, p->name, points,
              module != NULL                         ? module
              : strcmp (origin (p), "research") == 0 ? "built in (research)"
                                                     : "built in (default profile)");
    }
  /* The HPA's policies (kubesim.io/autoscaler-policy), a second table. */
  printf ("\n%-*s  %s\n", width, "AUTOSCALER POLICY", "FROM");
  for (guint i = 0; i < autoscalers->len; i++)
    {
      const KsAutoscalerPolicy *p = g_ptr_array_index (autoscalers, i);
      const char *module = ks_autoscaler_policy_get_module (p);
      printf ("%-*s  %s\n", width, p->name,
              module != NULL ? module
              : i == 0       ? "built in (default)"
                             : "built in");
    }
}

int
ks_cmd_policies (int argc, char **argv)
{
  g_autofree char *output = NULL;
  g_auto (GStrv) policy_path = NULL;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_STRING, &output, "table (default) or json", "FORMAT" },
    KS_CLI_POLICY_PATH_OPTION (policy_path),
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) autoscalers = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (
      context,
      "List the scheduler plugins a KubeSchedulerConfiguration can enable: Kubernetes' "
      "default profile,\nthe research policies, and the plugins of the modules loaded "
      "from --policy-path\nand $KUBESIM_POLICY_PATH, with their extension points; then the "
      "HPA's autoscaler\npolicies (annotation " KS_HPA_POLICY_ANNOTATION "), built in and "
      "loaded.");
  if (!ks_cli_parse (context, "policies", &argc, &argv))
    return KS_EXIT_USAGE;
  if (argc > 1)
    {
      g_printerr ("kubesim policies: unexpected argument \"%s\"\n", argv[1]);
      return KS_EXIT_USAGE;
    }
  if (output != NULL && strcmp (output, "json") != 0 && strcmp (output, "table") != 0)
    {
      g_printerr ("kubesim policies: --output: \"%s\" is not a format: use table or json\n",
                  output);
      return KS_EXIT_USAGE;
    }
  if (!ks_cli_load_policies ("policies", policy_path))
    return KS_EXIT_USAGE;
  all = ks_scheduler_plugin_list ();
  autoscalers = ks_autoscaler_policy_list ();
  if (output != NULL && strcmp (output, "json") == 0)
    print_json (all, autoscalers);
  else
    print_table (all, autoscalers);
  return KS_EXIT_OK;
}
