/* ks-kubeconfig.c: writing and reading kubeconfig files (see ks-kubeconfig.h). */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ks-kubeconfig.h"
#include "src/api/ks-decode.h"
#include "src/api/ks-yaml-emit.h"

char *
ks_data_dir_resolve (const char *dir)
{
  const char *env = g_getenv ("KUBESIM_DATA_DIR");

  if (dir != NULL)
    return g_strdup (dir);
  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  return g_strdup (KS_DEFAULT_DATA_DIR);
}

gboolean
ks_kubeconfig_write (const char *path, const char *server, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GString) text = g_string_new (NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "apiVersion");
  json_builder_add_string_value (b, "v1");
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "Config");
  json_builder_set_member_name (b, "clusters");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, "kubesim");
  json_builder_set_member_name (b, "cluster");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "server");
  json_builder_add_string_value (b, server);
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "contexts");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, "kubesim");
  json_builder_set_member_name (b, "context");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "cluster");
  json_builder_add_string_value (b, "kubesim");
  json_builder_set_member_name (b, "user");
  json_builder_add_string_value (b, "kubesim");
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "current-context");
  json_builder_add_string_value (b, "kubesim");
  json_builder_set_member_name (b, "users");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, "kubesim");
  json_builder_set_member_name (b, "user");
  json_builder_begin_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  ks_yaml_emit (root, text);
  return g_file_set_contents_full (path, text->str, (gssize) text->len,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

/* In the list member field of root (kubeconfig's named lists: [{name: x, <inner>: {...}}]),
 * the mapping inner of the entry named name; reports what is missing.  On success the decoder's
 * path is left at "field[i].inner" for the caller to read it: pop to *mark afterwards. */
static JsonNode *
find_named (KsDecoder *dec, JsonNode *root, const char *field, const char *name, const char *inner,
            gsize *mark)
{
  JsonNode *list = ks_decoder_member (root, field);
  JsonArray *a;

  *mark = ks_decoder_push (dec, field);
  if (list == NULL)
    {
      ks_decoder_pop (dec, *mark);
      ks_decoder_error_field (dec, root, field, "required field is missing");
      return NULL;
    }
  if (!ks_decoder_expect_array (dec, list))
    goto fail;
  a = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *item = json_array_get_element (a, i);
      JsonNode *n = JSON_NODE_HOLDS_OBJECT (item) ? ks_decoder_member (item, "name") : NULL;
      JsonNode *found;

      if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING
          || strcmp (json_node_get_string (n), name) != 0)
        continue;
      ks_decoder_push_index (dec, i);
      found = ks_decoder_member (item, inner);
      if (found == NULL)
        ks_decoder_error_field (dec, item, inner, "required field is missing");
      else
        {
          ks_decoder_push (dec, inner);
          if (ks_decoder_expect_object (dec, found))
            return found;
        }
      goto fail;
    }
  ks_decoder_error (dec, list, "no entry named \"%s\"", name);
fail:
  ks_decoder_pop (dec, *mark);
  return NULL;
}

char *
ks_kubeconfig_read_server (const char *path, GError **error)
{
  g_autoptr (KsSource) source = ks_source_new_from_file (path, error);
  g_autoptr (KsDiag) diag = NULL;
  g_autofree char *context_name = NULL;
  g_autofree char *cluster_name = NULL;
  char *server = NULL;
  KsDecoder dec;
  JsonNode *root, *context, *cluster;
  gsize mark;

  if (source == NULL)
    return NULL;
  diag = ks_diag_new ();
  ks_decoder_init (&dec, source, diag);
  if (ks_source_get_n_documents (source) == 0)
    {
      ks_diag_add (diag, path, 0, 0, NULL, "empty kubeconfig");
      goto out;
    }
  root = ks_source_get_document (source, 0);
  if (!ks_decoder_expect_object (&dec, root)
      || !ks_decoder_require_string (&dec, root, "current-context", &context_name, NULL))
    goto out;
  context = find_named (&dec, root, "contexts", context_name, "context", &mark);
  if (context == NULL)
    goto out;
  ks_decoder_require_string (&dec, context, "cluster", &cluster_name, NULL);
  ks_decoder_pop (&dec, mark);
  if (cluster_name == NULL)
    goto out;
  cluster = find_named (&dec, root, "clusters", cluster_name, "cluster", &mark);
  if (cluster == NULL)
    goto out;
  ks_decoder_require_string (&dec, cluster, "server", &server, NULL);
  ks_decoder_pop (&dec, mark);
out:
  ks_decoder_clear (&dec);
  if (!ks_diag_to_error (diag, error))
    {
      g_free (server);
      return NULL;
    }
  return server;
}

char *
ks_kubeconfig_find_server (const char *server, const char *kubeconfig, GError **error)
{
  const char *env = g_getenv ("KUBECONFIG");
  g_autofree char *path = NULL;
  g_autofree char *data_dir = NULL;

  if (server != NULL)
    return g_strdup (server);
  if (kubeconfig != NULL)
    return ks_kubeconfig_read_server (kubeconfig, error);
  if (env != NULL && env[0] != '\0')
    {
      /* kubectl merges every file of the list; kubesim reads the first. */
      g_auto (GStrv) files = g_strsplit (env, G_SEARCHPATH_SEPARATOR_S, -1);
      return ks_kubeconfig_read_server (files[0], error);
    }
  data_dir = ks_data_dir_resolve (NULL);
  path = g_build_filename (data_dir, "kubeconfig", NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   "no cluster: %s does not exist (start one with `kubesim cluster up`, or give "
                   "--server or --kubeconfig)",
                   path);
      return NULL;
    }
  return ks_kubeconfig_read_server (path, error);
}
