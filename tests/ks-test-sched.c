/* ks-test-sched.c: scheduler plugin test helpers (ks-test-sched.h). */
#include "config.h"

#include <string.h>

#include "ks-test-sched.h"
#include "ks-test.h"
#include "src/api/ks-yaml.h"

KsPod *
ks_test_pod (const char *name, const char *spec)
{
  g_autofree char *text = g_strdup_printf ("apiVersion: v1\nkind: Pod\n"
                                           "metadata: {name: %s, namespace: default}\n"
                                           "spec: %s\n",
                                           name, spec);
  return KS_POD (ks_test_decode (text));
}

KsPod *
ks_test_pod_req (const char *name, const char *requests)
{
  g_autofree char *spec = NULL;

  if (requests != NULL && requests[0] != '\0')
    spec = g_strdup_printf ("{containers: [{name: c, image: busybox, "
                            "resources: {requests: {%s}}}]}",
                            requests);
  else
    spec = g_strdup ("{containers: [{name: c, image: busybox}]}");
  return ks_test_pod (name, spec);
}

KsNode *
ks_test_node (const char *name, const char *labels, const char *spec, const char *status)
{
  g_autofree char *text
      = g_strdup_printf ("apiVersion: v1\nkind: Node\n"
                         "metadata: {name: %s%s%s}\n"
                         "%s%s%s"
                         "status: {%s}\n",
                         name, labels ? ", labels: " : "", labels ? labels : "",
                         spec ? "spec: " : "", spec ? spec : "", spec ? "\n" : "", status);
  return KS_NODE (ks_test_decode (text));
}

KsNodeInfo *
ks_test_node_info_new (KsNode *node, guint index)
{
  KsNodeInfo *ni = g_new0 (KsNodeInfo, 1);

  ni->node = node;
  ni->name = ks_intern (node->parent.meta.name);
  ni->index = index;
  ks_resources_copy (&ni->allocatable, &node->allocatable);
  ni->unschedulable = node->unschedulable;
  ni->n_taints = node->n_taints;
  ni->pods = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  return ni;
}

KsNodeInfo *
ks_test_node_info_new_shared (KsNode *node, const char *name, guint index)
{
  KsNodeInfo *ni = ks_test_node_info_new (KS_NODE (ks_object_ref (KS_OBJECT (node))), index);

  ni->name = ks_intern (name);
  return ni;
}

void
ks_test_node_info_free (KsNodeInfo *ni)
{
  ks_resources_clear (&ni->allocatable);
  ks_resources_clear (&ni->requested);
  if (ni->used_ports != NULL)
    g_array_unref (ni->used_ports);
  g_ptr_array_unref (ni->pods);
  ks_object_unref (KS_OBJECT ((KsNode *) ni->node));
  g_free (ni);
}

void
ks_test_node_info_add_pod (KsNodeInfo *ni, KsPod *pod)
{
  ks_resources_add (&ni->requested, &pod->spec->requests);
  ni->nonzero_milli_cpu += pod->spec->nonzero_milli_cpu;
  ni->nonzero_memory += pod->spec->nonzero_memory;
  ks_host_ports_update (&ni->used_ports, pod, TRUE);
  g_ptr_array_add (ni->pods, ks_object_ref (KS_OBJECT (pod)));
  ni->n_pods = ni->pods->len;
}

GPtrArray *
ks_test_node_list_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) ks_test_node_info_free);
}

/* The handle's nodes_with_image over the test's node list. */
static guint
nodes_with_image (gpointer data, const char *image)
{
  GPtrArray *nodes = data;
  guint count = 0;

  for (guint i = 0; nodes != NULL && i < nodes->len; i++)
    {
      const KsNode *node = ((KsNodeInfo *) g_ptr_array_index (nodes, i))->node;
      gboolean found = FALSE;
      for (guint k = 0; k < node->n_images && !found; k++)
        for (char **name = node->images[k].names; *name != NULL && !found; name++)
          found = strcmp (*name, image) == 0;
      count += found;
    }
  return count;
}

void
ks_test_plug_init (KsTestPlug *p, const char *name, const char *args_json, GPtrArray *nodes)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) args = NULL;

  memset (p, 0, sizeof *p);
  p->plugin = ks_builtin_scheduler_plugin_lookup (name);
  g_assert_nonnull (p->plugin);
  g_assert_cmpuint (p->plugin->abi_version, ==, KS_POLICY_ABI_VERSION);
  if (args_json != NULL)
    {
      args = json_from_string (args_json, &error);
      g_assert_no_error (error);
    }
  if (p->plugin->init != NULL)
    {
      gboolean ok = p->plugin->init (args, &p->ctx.instance, &error);
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    g_assert_null (args);
  p->nodes = nodes;
  p->handle.data = nodes;
  p->handle.nodes_with_image = nodes_with_image;
  p->ctx.handle = &p->handle;
  if (nodes != NULL)
    {
      p->ctx.all_nodes = (KsNodeInfo *const *) nodes->pdata;
      p->ctx.n_all_nodes = nodes->len;
    }
}

char *
ks_test_plug_error (const char *name, const char *args_json)
{
  const KsSchedulerPlugin *plugin = ks_builtin_scheduler_plugin_lookup (name);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) args = json_from_string (args_json, &error);
  gpointer instance = NULL;
  gboolean ok;

  g_assert_no_error (error);
  g_assert_nonnull (plugin->init);
  ok = plugin->init (args, &instance, &error);
  g_assert_false (ok);
  g_assert_error (error, KS_POLICY_ERROR, 0);
  if (plugin->destroy != NULL)
    plugin->destroy (instance);
  return g_strdup (error->message);
}

void
ks_test_plug_end_cycle (KsTestPlug *p)
{
  if (p->ctx.cycle != NULL && p->plugin->free_cycle != NULL)
    p->plugin->free_cycle (p->ctx.cycle);
  p->ctx.cycle = NULL;
}

void
ks_test_plug_clear (KsTestPlug *p)
{
  ks_test_plug_end_cycle (p);
  if (p->plugin->destroy != NULL)
    p->plugin->destroy (p->ctx.instance);
  p->ctx.instance = NULL;
}

static char *
join_reasons (const KsStatus *status)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < status->n_reasons; i++)
    g_string_append_printf (s, "%s%s", i ? " | " : "", status->reasons[i]);
  return g_string_free (s, FALSE);
}

KsStatusCode
ks_test_plug_filter (KsTestPlug *p, KsPod *pod, KsNodeInfo *ni, char **reasons)
{
  KsStatus status = { 0 };
  KsStatusCode code = KS_STATUS_SUCCESS;

  ks_test_plug_end_cycle (p);
  if (p->plugin->pre_filter != NULL)
    code = p->plugin->pre_filter (&p->ctx, pod, &status);
  if (code == KS_STATUS_SUCCESS)
    {
      status.n_reasons = 0;
      code = p->plugin->filter (&p->ctx, pod, ni, &status);
    }
  if (reasons != NULL)
    *reasons = join_reasons (&status);
  return code;
}

KsStatusCode
ks_test_plug_score_all (KsTestPlug *p, KsPod *pod, gint64 *scores)
{
  KsNodeInfo *const *nodes = (KsNodeInfo *const *) p->nodes->pdata;
  guint n = p->nodes->len;
  KsStatusCode code = KS_STATUS_SUCCESS;

  ks_test_plug_end_cycle (p);
  if (p->plugin->pre_score != NULL)
    code = p->plugin->pre_score (&p->ctx, pod, nodes, n);
  if (code == KS_STATUS_SKIP)
    return code;
  for (guint i = 0; i < n; i++)
    scores[i] = p->plugin->score (&p->ctx, pod, nodes[i]);
  if (p->plugin->normalize != NULL)
    p->plugin->normalize (&p->ctx, pod, nodes, scores, n);
  return code;
}

KsSchedulerConfig *
ks_test_sched_config_decode (const char *text, gboolean all, char **problems)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsSource) source = ks_source_new_from_data ("sched.yaml", text, -1, &error);
  g_autoptr (KsDiag) diag = ks_diag_new ();
  g_autoptr (GString) found = g_string_new (NULL);
  guint n;
  KsSchedulerConfig *config;
  KsDecoder dec;

  g_assert_no_error (error);
  ks_decoder_init (&dec, source, diag);
  config = ks_scheduler_config_decode (&dec, ks_source_get_document (source, 0));
  ks_decoder_clear (&dec);
  n = ks_diag_get_count (diag);
  for (guint i = 0; i < (all || problems == NULL ? n : MIN (n, 1)); i++)
    g_string_append_printf (found, "%s%s", i ? "\n" : "", ks_diag_get (diag, i));
  if (problems != NULL)
    *problems = n > 0 ? g_strdup (found->str) : NULL;
  else if (n > 0)
    g_printerr ("%s\n", found->str);
  g_assert_true ((config == NULL) == (n > 0));
  return config;
}

void
ks_test_assert_point (const KsProfileConfig *p, KsExtensionPoint e, const char *expected)
{
  GString *s = g_string_new (NULL);
  g_autofree char *got = NULL;

  for (guint i = 0; i < p->points[e]->len; i++)
    {
      const KsPluginEntry *entry = &g_array_index (p->points[e], KsPluginEntry, i);
      g_string_append_printf (s, "%s%s", i ? ", " : "", entry->plugin->name);
      if (e == KS_POINT_SCORE)
        g_string_append_printf (s, ":%d", entry->weight);
    }
  got = g_string_free (s, FALSE);
  g_assert_cmpstr (got, ==, expected);
}
