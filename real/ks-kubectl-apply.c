/* ks-kubectl-apply.c: kubesim apply, kubectl's client-side apply (see ks-kubectl.h).
 *
 * Each object of the files is read as written (the YAML converted to JSON) and, for namespaced
 * kinds, given its namespace.  A new object is created with the annotation
 * kubectl.kubernetes.io/last-applied-configuration holding that configuration; an existing one
 * gets the three-way strategic merge patch from the last applied configuration, the new one and
 * the live object (ks_patch_create_three_way), as kubectl computes it.  An empty patch is
 * "unchanged"; so is a patch that would not change what the server stores (kubesim keeps only
 * the fields it models, so a configuration may hold fields the live object never shows): the
 * patch is applied here first, with the server's own code, and sent only when it changes the
 * object. */
#include "config.h"

#include <string.h>

#include "ks-api-patch.h"
#include "ks-kubectl-private.h"
#include "ks-printers.h"
#include "src/api/ks-yaml-emit.h"

#define LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"
/* kubectl's maxPatchRetry. */
#define MAX_PATCH_RETRY 5

/* A modifiable deep copy of a tree (the source's trees must not change). */
static JsonNode *
tree_copy (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *src = json_node_get_object (node), *dst = json_object_new ();
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;
      JsonNode *out = json_node_new (JSON_NODE_OBJECT);

      json_object_iter_init_ordered (&iter, src);
      while (json_object_iter_next_ordered (&iter, &name, &member))
        json_object_set_member (dst, name, tree_copy (member));
      json_node_take_object (out, dst);
      return out;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *src = json_node_get_array (node), *dst = json_array_new ();
      JsonNode *out = json_node_new (JSON_NODE_ARRAY);

      for (guint i = 0; i < json_array_get_length (src); i++)
        json_array_add_element (dst, tree_copy (json_array_get_element (src, i)));
      json_node_take_array (out, dst);
      return out;
    }
  return json_node_copy (node);
}

/* Go's json encoding of the object, as runtime.Encode writes it (a newline at the end). */
static char *
encode (JsonNode *node)
{
  GString *out = g_string_new (NULL);

  ks_json_emit_compact (node, out);
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

static JsonObject *
ensure_member_object (JsonObject *o, const char *name)
{
  JsonNode *m = json_object_has_member (o, name) ? json_object_get_member (o, name) : NULL;

  if (m == NULL || !JSON_NODE_HOLDS_OBJECT (m))
    {
      json_object_set_object_member (o, name, json_object_new ());
      m = json_object_get_member (o, name);
    }
  return json_node_get_object (m);
}

/* kubectl's GetModifiedConfiguration: the configuration without the annotation, encoded (into
 * *bare), and the object with the annotation set to it when annotate (returned). */
static JsonNode *
modified_configuration (const KcManifest *m, gboolean annotate, char **bare)
{
  g_autoptr (JsonNode) obj = tree_copy (m->doc);
  JsonObject *meta = ensure_member_object (json_node_get_object (obj), "metadata");
  JsonObject *annotations;

  if (m->namespace != NULL && !json_object_has_member (meta, "namespace"))
    json_object_set_string_member (meta, "namespace", m->namespace);
  annotations = ensure_member_object (meta, "annotations");
  if (json_object_has_member (annotations, LAST_APPLIED))
    json_object_remove_member (annotations, LAST_APPLIED);
  *bare = encode (obj);
  if (annotate)
    json_object_set_string_member (annotations, LAST_APPLIED, *bare);
  return g_steal_pointer (&obj);
}

/* Resource: "apps/v1, Resource=deployments", GroupVersionKind: ... (resource.Info's String). */
static char *
info_string (const KcManifest *m)
{
  const KsKind *kind = m->object->kind;
  const char *version = strchr (kind->api_version, '/') != NULL
                            ? strchr (kind->api_version, '/') + 1
                            : kind->api_version;

  return g_strdup_printf ("Resource: \"%s/%s, Resource=%s\", GroupVersionKind: \"%s/%s, "
                          "Kind=%s\"\nName: \"%s\", Namespace: \"%s\"",
                          kind->group, version, kind->plural, kind->group, version, kind->name,
                          m->object->meta.name, m->namespace != NULL ? m->namespace : "");
}

/* Whether patch would change what the server stores: apply it to current as the server would
 * and compare the decoded results. */
static gboolean
patch_changes (JsonNode *current, JsonNode *patch, const KsKind *kind)
{
  g_autoptr (JsonNode) patched
      = ks_patch_apply (KS_PATCH_STRATEGIC, current, patch, kind->name, NULL);
  g_autoptr (KsObject) before = NULL;
  g_autoptr (KsObject) after = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (patched == NULL)
    return TRUE; /* let the server say what is wrong */
  before = kc_decode (current, NULL);
  after = kc_decode (patched, NULL);
  if (before == NULL || after == NULL)
    return TRUE;
  a = ks_object_to_json (before, 0);
  b = ks_object_to_json (after, 0);
  return strcmp (a, b) != 0;
}

typedef enum
{
  APPLIED_CREATED,
  APPLIED_CONFIGURED,
  APPLIED_UNCHANGED,
  APPLIED_FAILED,
} Applied;

static Applied
apply_one (KsKubectl *k, const KcManifest *m)
{
  const KsKind *kind = m->object->kind;
  const char *name = m->object->meta.name;

  for (guint attempt = 0;; attempt++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonNode) current = kc_get (k, kind, m->namespace, name, &error);
      g_autoptr (JsonNode) modified = NULL;
      g_autoptr (JsonNode) original = NULL;
      g_autoptr (JsonNode) patch = NULL;
      g_autoptr (JsonNode) answer = NULL;
      g_autofree char *bare = NULL;
      g_autofree char *body = NULL;
      g_autofree char *path = NULL;
      g_autofree char *collection = NULL;
      JsonObject *annotations;
      const char *last = NULL;

      if (current == NULL && !ks_rest_error_has_reason (error, "NotFound"))
        {
          g_autofree char *info = info_string (m);
          g_autofree char *verb = g_strdup_printf (
              "retrieving current configuration of:\n%s\nfrom server for:", info);
          kc_print_error_with_source (k, error, verb, m->source_name);
          return APPLIED_FAILED;
        }
      if (current == NULL)
        {
          /* Create, with the configuration as its last applied one. */
          g_clear_error (&error);
          modified = modified_configuration (m, TRUE, &bare);
          body = encode (modified);
          collection = ks_rest_path (kind, m->namespace, NULL, NULL);
          path = g_strconcat (
              collection, "?fieldManager=kubectl-client-side-apply&fieldValidation=Strict", NULL);
          answer = ks_rest_request (k->rest, "POST", path, "application/json", body, &error);
          if (answer == NULL)
            {
              kc_print_error_with_source (k, error, "creating", m->source_name);
              return APPLIED_FAILED;
            }
          return APPLIED_CREATED;
        }
      modified = modified_configuration (m, TRUE, &bare);
      annotations = ks_json_get_object (current, "metadata.annotations");
      if (annotations != NULL && json_object_has_member (annotations, LAST_APPLIED)
          && JSON_NODE_HOLDS_VALUE (json_object_get_member (annotations, LAST_APPLIED)))
        last = json_object_get_string_member (annotations, LAST_APPLIED);
      if (last != NULL && last[0] != '\0')
        original = json_from_string (last, NULL);
      patch = ks_patch_create_three_way (original, modified, current, kind->name, &error);
      if (patch == NULL)
        {
          kc_print_error_with_source (k, error, "computing the patch for", m->source_name);
          return APPLIED_FAILED;
        }
      if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
        {
          g_autoptr (GString) text = g_string_new (NULL);
          ks_json_emit_compact (patch, text);
          g_debug ("apply %s/%s: the three-way patch is %s", kind->plural, name, text->str);
        }
      if (json_object_get_size (json_node_get_object (patch)) == 0
          || !patch_changes (current, patch, kind))
        return APPLIED_UNCHANGED;
      {
        g_autoptr (GString) text = g_string_new (NULL);
        ks_json_emit_compact (patch, text);
        body = g_string_free (g_steal_pointer (&text), FALSE);
      }
      collection = ks_rest_path (kind, m->namespace, name, NULL);
      path = g_strconcat (collection,
                          "?fieldManager=kubectl-client-side-apply&fieldValidation=Strict", NULL);
      answer = ks_rest_request (k->rest, "PATCH", path, "application/strategic-merge-patch+json",
                                body, &error);
      if (answer != NULL)
        return APPLIED_CONFIGURED;
      if (ks_rest_error_has_reason (error, "Conflict") && attempt + 1 < MAX_PATCH_RETRY)
        {
          /* kubectl fetches the object again and retries, after a second from the second try. */
          if (attempt > 0)
            g_usleep (G_USEC_PER_SEC);
          continue;
        }
      {
        g_autofree char *info = info_string (m);
        g_autofree char *verb = g_strdup_printf ("applying patch:\n%s\nto:\n%s\nfor:", body, info);
        kc_print_error_with_source (k, error, verb, m->source_name);
      }
      return APPLIED_FAILED;
    }
}

int
ks_kubectl_apply (KsKubectl *k, const KsApplyOptions *o)
{
  g_autoptr (GPtrArray) manifests = NULL;
  int status = KS_KUBECTL_OK;

  if (o->files == NULL || o->files[0] == NULL)
    return kc_usage (k, "must specify -f (a file, a directory, or - for standard input)");
  if (o->output != NULL && strcmp (o->output, "name") != 0)
    return kc_usage (k, "unexpected -o output mode: %s (apply prints names with -o name)",
                     o->output);
  manifests = kc_read_manifests (k, o->files, o->recursive, "apply");
  if (manifests == NULL)
    return KS_KUBECTL_USAGE;
  for (guint i = 0; i < manifests->len; i++)
    {
      const KcManifest *m = g_ptr_array_index (manifests, i);
      g_autofree char *type = ks_object_type_name (m->object);
      static const char *const words[] = { "created", "configured", "unchanged" };
      Applied result = apply_one (k, m);

      if (result == APPLIED_FAILED)
        {
          status = KS_KUBECTL_FAILED;
          continue;
        }
      if (o->output != NULL)
        kc_out (k, "%s\n", type);
      else
        kc_out (k, "%s %s\n", type, words[result]);
    }
  return status;
}
