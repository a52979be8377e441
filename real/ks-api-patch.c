/* ks-api-patch.c: JSON merge patch, strategic merge patch and JSON patch (see ks-api-patch.h).
 *
 * Every function builds new trees from deep copies, so a result never shares a mapping or a list
 * with its inputs and may be changed by the caller. */
#include "config.h"

#include <string.h>

#include "ks-api-patch.h"

/* clang-format off */
G_DEFINE_QUARK (ks-patch-error-quark, ks_patch_error)
/* clang-format on */

static JsonNode *
deep_copy (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *src = json_node_get_object (node);
      JsonObject *dst = json_object_new ();
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;
      JsonNode *out = json_node_new (JSON_NODE_OBJECT);

      json_object_iter_init_ordered (&iter, src);
      while (json_object_iter_next_ordered (&iter, &name, &member))
        json_object_set_member (dst, name, deep_copy (member));
      json_node_take_object (out, dst);
      return out;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *src = json_node_get_array (node);
      JsonArray *dst = json_array_sized_new (json_array_get_length (src));
      JsonNode *out = json_node_new (JSON_NODE_ARRAY);

      for (guint i = 0; i < json_array_get_length (src); i++)
        json_array_add_element (dst, deep_copy (json_array_get_element (src, i)));
      json_node_take_array (out, dst);
      return out;
    }
  return json_node_copy (node);
}

gboolean
ks_patch_type_from_content_type (const char *content_type, KsPatchType *out)
{
  static const struct
  {
    const char *media;
    KsPatchType type;
  } types[] = {
    { "application/json-patch+json", KS_PATCH_JSON },
    { "application/merge-patch+json", KS_PATCH_MERGE },
    { "application/strategic-merge-patch+json", KS_PATCH_STRATEGIC },
  };
  gsize len;

  if (content_type == NULL)
    return FALSE;
  len = strcspn (content_type, ";");
  while (len > 0 && content_type[len - 1] == ' ')
    len--;
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (strlen (types[i].media) == len
        && g_ascii_strncasecmp (content_type, types[i].media, len) == 0)
      {
        *out = types[i].type;
        return TRUE;
      }
  return FALSE;
}

/* JSON merge patch (RFC 7386) */

static JsonNode *
merge_patch (JsonNode *target, JsonNode *patch)
{
  JsonObject *out;
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;
  JsonNode *node;

  if (!JSON_NODE_HOLDS_OBJECT (patch))
    return deep_copy (patch);
  if (target != NULL && JSON_NODE_HOLDS_OBJECT (target))
    node = deep_copy (target);
  else
    {
      node = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (node, json_object_new ());
    }
  out = json_node_get_object (node);
  json_object_iter_init_ordered (&iter, json_node_get_object (patch));
  while (json_object_iter_next_ordered (&iter, &name, &value))
    {
      if (JSON_NODE_HOLDS_NULL (value))
        {
          if (json_object_has_member (out, name))
            json_object_remove_member (out, name);
          continue;
        }
      json_object_set_member (out, name,
                              merge_patch (json_object_has_member (out, name)
                                               ? json_object_get_member (out, name)
                                               : NULL,
                                           value));
    }
  return node;
}

/* Strategic merge patch */

/* Lists that merge element by element, by field name (Kubernetes' patchMergeKey tags on the
 * types kubesim serves). */
static const struct
{
  const char *field;
  const char *key;
} merge_keys[] = {
  { "containers", "name" },
  { "initContainers", "name" },
  { "ephemeralContainers", "name" },
  { "volumes", "name" },
  { "imagePullSecrets", "name" },
  { "env", "name" },
  { "resourceClaims", "name" },
  { "ports", "containerPort" }, /* a Service's spec.ports: port (merge_key_for) */
  { "volumeMounts", "mountPath" },
  { "volumeDevices", "devicePath" },
  { "conditions", "type" },
  { "ownerReferences", "uid" },
  { "addresses", "type" },
  { "hostAliases", "ip" },
  { "topologySpreadConstraints", "topologyKey" },
};

/* Lists of scalars that merge as sets (patchStrategy merge without a key). */
static const char *const set_lists[] = { "finalizers" };

static const char *
merge_key_for (const char *field, const char *kind, const char *path)
{
  if (strcmp (field, "ports") == 0 && kind != NULL && strcmp (kind, "Service") == 0
      && strcmp (path, "spec") == 0)
    return "port";
  for (guint i = 0; i < G_N_ELEMENTS (merge_keys); i++)
    if (strcmp (merge_keys[i].field, field) == 0)
      return merge_keys[i].key;
  return NULL;
}

static gboolean
is_set_list (const char *field)
{
  for (guint i = 0; i < G_N_ELEMENTS (set_lists); i++)
    if (strcmp (set_lists[i], field) == 0)
      return TRUE;
  return FALSE;
}

static const char *
patch_directive (JsonNode *node)
{
  JsonObject *obj;
  JsonNode *d;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  obj = json_node_get_object (node);
  if (!json_object_has_member (obj, "$patch"))
    return NULL;
  d = json_object_get_member (obj, "$patch");
  if (json_node_get_value_type (d) != G_TYPE_STRING)
    return "";
  return json_node_get_string (d);
}

/* A copy of patch without directives, for a value that replaces (or is added) as it is. */
static JsonNode *
strip_directives (JsonNode *patch)
{
  if (JSON_NODE_HOLDS_OBJECT (patch))
    {
      JsonObject *src = json_node_get_object (patch);
      JsonObject *dst = json_object_new ();
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;
      JsonNode *out = json_node_new (JSON_NODE_OBJECT);

      json_object_iter_init_ordered (&iter, src);
      while (json_object_iter_next_ordered (&iter, &name, &member))
        if (name[0] != '$' && !JSON_NODE_HOLDS_NULL (member))
          json_object_set_member (dst, name, strip_directives (member));
      json_node_take_object (out, dst);
      return out;
    }
  if (JSON_NODE_HOLDS_ARRAY (patch))
    {
      JsonArray *src = json_node_get_array (patch);
      JsonArray *dst = json_array_new ();
      JsonNode *out = json_node_new (JSON_NODE_ARRAY);

      for (guint i = 0; i < json_array_get_length (src); i++)
        {
          JsonNode *e = json_array_get_element (src, i);
          if (patch_directive (e) == NULL)
            json_array_add_element (dst, strip_directives (e));
        }
      json_node_take_array (out, dst);
      return out;
    }
  return json_node_copy (patch);
}

static gboolean values_equal (JsonNode *a, JsonNode *b);

static gboolean
values_equal (JsonNode *a, JsonNode *b)
{
  if (JSON_NODE_TYPE (a) != JSON_NODE_TYPE (b))
    return FALSE;
  if (JSON_NODE_HOLDS_VALUE (a))
    {
      GType ta = json_node_get_value_type (a), tb = json_node_get_value_type (b);
      /* 80 and 80.0 are the same number. */
      if ((ta == G_TYPE_INT64 || ta == G_TYPE_DOUBLE)
          && (tb == G_TYPE_INT64 || tb == G_TYPE_DOUBLE))
        return json_node_get_double (a) == json_node_get_double (b);
      if (ta != tb)
        return FALSE;
      if (ta == G_TYPE_STRING)
        return strcmp (json_node_get_string (a), json_node_get_string (b)) == 0;
      if (ta == G_TYPE_BOOLEAN)
        return json_node_get_boolean (a) == json_node_get_boolean (b);
      return FALSE;
    }
  if (JSON_NODE_HOLDS_NULL (a))
    return TRUE;
  if (JSON_NODE_HOLDS_ARRAY (a))
    {
      JsonArray *x = json_node_get_array (a), *y = json_node_get_array (b);
      if (json_array_get_length (x) != json_array_get_length (y))
        return FALSE;
      for (guint i = 0; i < json_array_get_length (x); i++)
        if (!values_equal (json_array_get_element (x, i), json_array_get_element (y, i)))
          return FALSE;
      return TRUE;
    }
  {
    JsonObject *x = json_node_get_object (a), *y = json_node_get_object (b);
    JsonObjectIter iter;
    const char *name;
    JsonNode *member;

    if (json_object_get_size (x) != json_object_get_size (y))
      return FALSE;
    json_object_iter_init (&iter, x);
    while (json_object_iter_next (&iter, &name, &member))
      if (!json_object_has_member (y, name)
          || !values_equal (member, json_object_get_member (y, name)))
        return FALSE;
    return TRUE;
  }
}

/* A string member, or NULL when absent or not a string. */
static const char *
string_member (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_has_member (o, name) ? json_object_get_member (o, name) : NULL;

  return n != NULL && json_node_get_value_type (n) == G_TYPE_STRING ? json_node_get_string (n)
                                                                    : NULL;
}

static JsonNode *smp_node (JsonNode *target, JsonNode *patch, const char *kind, const char *path,
                           GError **error);

/* The element of list (GPtrArray of JsonNode*) whose key member equals value, or -1. */
static gint
find_keyed (GPtrArray *list, const char *key, JsonNode *value, const gboolean *taken)
{
  for (guint i = 0; i < list->len; i++)
    {
      JsonNode *e = g_ptr_array_index (list, i);
      JsonObject *o;
      if (taken != NULL && taken[i])
        continue;
      if (!JSON_NODE_HOLDS_OBJECT (e))
        {
          if (key == NULL && values_equal (e, value))
            return i;
          continue;
        }
      if (key == NULL)
        continue;
      o = json_node_get_object (e);
      if (json_object_has_member (o, key) && values_equal (json_object_get_member (o, key), value))
        return i;
    }
  return -1;
}

static JsonNode *
array_node_from (GPtrArray *elements) /* takes elements */
{
  JsonArray *array = json_array_sized_new (elements->len);
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; i < elements->len; i++)
    json_array_add_element (array, g_ptr_array_index (elements, i));
  /* The array owns the elements now. */
  g_ptr_array_set_free_func (elements, NULL);
  g_ptr_array_unref (elements);
  json_node_take_array (node, array);
  return node;
}

static GPtrArray *
elements_of (JsonNode *list)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  if (list != NULL && JSON_NODE_HOLDS_ARRAY (list))
    {
      JsonArray *a = json_node_get_array (list);
      for (guint i = 0; i < json_array_get_length (a); i++)
        g_ptr_array_add (out, deep_copy (json_array_get_element (a, i)));
    }
  return out;
}

static JsonNode *
merge_keyed_list (JsonNode *target, JsonNode *patch, const char *key, const char *kind,
                  const char *path, GError **error)
{
  JsonArray *p = json_node_get_array (patch);
  g_autoptr (GPtrArray) out = NULL;

  for (guint i = 0; i < json_array_get_length (p); i++)
    {
      const char *d = patch_directive (json_array_get_element (p, i));
      if (d != NULL && strcmp (d, "replace") == 0)
        return strip_directives (patch);
    }
  out = elements_of (target);
  for (guint i = 0; i < json_array_get_length (p); i++)
    {
      JsonNode *e = json_array_get_element (p, i);
      const char *d = patch_directive (e);
      JsonObject *o;
      JsonNode *kv;
      gint at;

      if (!JSON_NODE_HOLDS_OBJECT (e))
        {
          g_set_error (error, KS_PATCH_ERROR, KS_PATCH_ERROR_BAD_PATCH,
                       "%s: expected a list of mappings with the merge key %s", path, key);
          return NULL;
        }
      o = json_node_get_object (e);
      if (!json_object_has_member (o, key))
        {
          g_autofree char *text = json_to_string (e, FALSE);
          g_set_error (error, KS_PATCH_ERROR, KS_PATCH_ERROR_BAD_PATCH,
                       "map: %s does not contain declared merge key: %s", text, key);
          return NULL;
        }
      kv = json_object_get_member (o, key);
      at = find_keyed (out, key, kv, NULL);
      if (d != NULL && strcmp (d, "delete") == 0)
        {
          if (at >= 0)
            g_ptr_array_remove_index (out, at);
          continue;
        }
      {
        JsonNode *merged
            = smp_node (at >= 0 ? g_ptr_array_index (out, at) : NULL, e, kind, path, error);
        if (merged == NULL)
          return NULL;
        if (at >= 0)
          {
            json_node_unref (g_ptr_array_index (out, at));
            g_ptr_array_index (out, at) = merged;
          }
        else
          g_ptr_array_add (out, merged);
      }
    }
  return array_node_from (g_steal_pointer (&out));
}

static JsonNode *
merge_set_list (JsonNode *target, JsonNode *patch)
{
  g_autoptr (GPtrArray) out = elements_of (target);
  JsonArray *p = json_node_get_array (patch);

  for (guint i = 0; i < json_array_get_length (p); i++)
    {
      JsonNode *e = json_array_get_element (p, i);
      if (find_keyed (out, NULL, e, NULL) < 0)
        g_ptr_array_add (out, deep_copy (e));
    }
  return array_node_from (g_steal_pointer (&out));
}

/* $setElementOrder/<field>: the listed elements first, in that order; the others after them in
 * their current order. */
static gboolean
set_element_order (JsonObject *out, const char *field, JsonNode *order, const char *key,
                   GError **error)
{
  g_autoptr (GPtrArray) current = NULL;
  g_autoptr (GPtrArray) sorted = g_ptr_array_new ();
  g_autofree gboolean *taken = NULL;
  JsonArray *o;

  if (!JSON_NODE_HOLDS_ARRAY (order))
    {
      g_set_error (error, KS_PATCH_ERROR, KS_PATCH_ERROR_BAD_PATCH,
                   "$setElementOrder/%s: expected a list", field);
      return FALSE;
    }
  if (!json_object_has_member (out, field))
    return TRUE;
  current = elements_of (json_object_get_member (out, field));
  taken = g_new0 (gboolean, MAX (current->len, 1));
  o = json_node_get_array (order);
  for (guint i = 0; i < json_array_get_length (o); i++)
    {
      JsonNode *e = json_array_get_element (o, i);
      JsonNode *value = e;
      gint at;
      if (key != NULL)
        {
          if (!JSON_NODE_HOLDS_OBJECT (e)
              || !json_object_has_member (json_node_get_object (e), key))
            {
              g_set_error (error, KS_PATCH_ERROR, KS_PATCH_ERROR_BAD_PATCH,
                           "$setElementOrder/%s: each element must have the merge key %s", field,
                           key);
              return FALSE;
            }
          value = json_object_get_member (json_node_get_object (e), key);
        }
      at = find_keyed (current, key, value, taken);
      if (at >= 0)
        {
          taken[at] = TRUE;
          g_ptr_array_add (sorted, g_ptr_array_index (current, at));
        }
    }
  for (guint i = 0; i < current->len; i++)
    if (!taken[i])
      g_ptr_array_add (sorted, g_ptr_array_index (current, i));
  {
    JsonArray *array = json_array_sized_new (sorted->len);
    JsonNode *node = json_node_new (JSON_NODE_ARRAY);
    for (guint i = 0; i < sorted->len; i++)
      json_array_add_element (array, json_node_ref (g_ptr_array_index (sorted, i)));
    json_node_take_array (node, array);
    json_object_set_member (out, field, node);
  }
  return TRUE;
}

static gboolean
delete_from_primitive_list (JsonObject *out, const char *field, JsonNode *values, GError **error)
{
  g_autoptr (GPtrArray) current = NULL;
  JsonArray *v;

  if (!JSON_NODE_HOLDS_ARRAY (values))
    {
      g_set_error (error, KS_PATCH_ERROR, KS_PATCH_ERROR_BAD_PATCH,
                   "$deleteFromPrimitiveList/%s: expected a list", field);
      return FALSE;
    }
  if (!json_object_has_member (out, field))
    return TRUE;
  current = elements_of (json_object_get_member (out, field));
  v = json_node_get_array (values);
  for (guint i = 0; i < json_array_get_length (v); i++)
    {
      gint at;
      while ((at = find_keyed (current, NULL, json_array_get_element (v, i), NULL)) >= 0)
        g_ptr_array_remove_index (current, at);
    }
  json_object_set_member (out, field, array_node_from (g_steal_pointer (&current)));
  return TRUE;
}

static gboolean
retain_keys (JsonObject *out, JsonNode *keys, GError **error)
{
  GList *members;
  JsonArray *k;

  if (!JSON_NODE_HOLDS_ARRAY (keys))
    {
      g_set_error_literal (error, KS_PATCH_ERROR, KS_PATCH_ERROR_BAD_PATCH,
                           "$retainKeys: expected a list of field names");
      return FALSE;
    }
  k = json_node_get_array (keys);
  members = json_object_get_members (out);
  for (GList *l = members; l != NULL; l = l->next)
    {
      gboolean keep = FALSE;
      for (guint i = 0; i < json_array_get_length (k) && !keep; i++)
        {
          JsonNode *e = json_array_get_element (k, i);
          keep = json_node_get_value_type (e) == G_TYPE_STRING
                 && strcmp (json_node_get_string (e), l->data) == 0;
        }
      if (!keep)
        json_object_remove_member (out, l->data);
    }
  g_list_free (members);
  return TRUE;
}

static char *
child_path (const char *path, const char *field)
{
  return path[0] == '\0' ? g_strdup (field) : g_strconcat (path, ".", field, NULL);
}

/* Merge the mapping patch into target (any node or NULL).  Returns the new node, or NULL with
 * error; a $patch: delete returns a null node (the caller removes the member). */
static JsonNode *
smp_node (JsonNode *target, JsonNode *patch, const char *kind, const char *path, GError **error)
{
  const char *directive;
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;
  JsonNode *node;
  JsonObject *out, *p;

  if (!JSON_NODE_HOLDS_OBJECT (patch))
    return strip_directives (patch);
  directive = patch_directive (patch);
  if (directive != NULL)
    {
      if (strcmp (directive, "replace") == 0)
        return strip_directives (patch);
      if (strcmp (directive, "delete") == 0)
        return json_node_new (JSON_NODE_NULL);
      if (strcmp (directive, "merge") != 0)
        {
          g_set_error (error, KS_PATCH_ERROR, KS_PATCH_ERROR_BAD_PATCH,
                       "%s%sunknown patch type: \"%s\" (valid: replace, delete, merge)", path,
                       path[0] != '\0' ? ": " : "", directive);
          return NULL;
        }
    }
  if (target != NULL && JSON_NODE_HOLDS_OBJECT (target))
    node = deep_copy (target);
  else
    {
      node = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (node, json_object_new ());
    }
  out = json_node_get_object (node);
  p = json_node_get_object (patch);
  json_object_iter_init_ordered (&iter, p);
  while (json_object_iter_next_ordered (&iter, &name, &value))
    {
      g_autofree char *sub = NULL;
      JsonNode *current;
      JsonNode *merged;
      const char *key;

      if (name[0] == '$')
        continue; /* directives: below */
      if (JSON_NODE_HOLDS_NULL (value))
        {
          if (json_object_has_member (out, name))
            json_object_remove_member (out, name);
          continue;
        }
      current = json_object_has_member (out, name) ? json_object_get_member (out, name) : NULL;
      sub = child_path (path, name);
      if (JSON_NODE_HOLDS_ARRAY (value))
        {
          if ((key = merge_key_for (name, kind, path)) != NULL)
            merged = merge_keyed_list (current, value, key, kind, sub, error);
          else if (is_set_list (name))
            merged = merge_set_list (current, value);
          else
            merged = strip_directives (value);
        }
      else
        merged = smp_node (current, value, kind, sub, error);
      if (merged == NULL)
        {
          json_node_unref (node);
          return NULL;
        }
      if (JSON_NODE_HOLDS_NULL (merged))
        {
          json_node_unref (merged);
          if (json_object_has_member (out, name))
            json_object_remove_member (out, name);
          continue;
        }
      json_object_set_member (out, name, merged);
    }
  json_object_iter_init_ordered (&iter, p);
  while (json_object_iter_next_ordered (&iter, &name, &value))
    {
      gboolean ok = TRUE;
      if (g_str_has_prefix (name, "$deleteFromPrimitiveList/"))
        ok = delete_from_primitive_list (out, name + strlen ("$deleteFromPrimitiveList/"), value,
                                         error);
      else if (g_str_has_prefix (name, "$setElementOrder/"))
        {
          const char *field = name + strlen ("$setElementOrder/");
          ok = set_element_order (out, field, value, merge_key_for (field, kind, path), error);
        }
      else if (strcmp (name, "$retainKeys") == 0)
        ok = retain_keys (out, value, error);
      if (!ok)
        {
          json_node_unref (node);
          return NULL;
        }
    }
  return node;
}

/* JSON patch (RFC 6902) */

/* The reference tokens of a JSON pointer ("/a/b~1c" → a, b/c), or NULL for a malformed one. */
static char **
pointer_tokens (const char *pointer)
{
  char **tokens;

  if (pointer[0] == '\0')
    return g_new0 (char *, 1);
  if (pointer[0] != '/')
    return NULL;
  tokens = g_strsplit (pointer + 1, "/", -1);
  for (guint i = 0; tokens[i] != NULL; i++)
    {
      GString *s = g_string_new (NULL);
      for (const char *c = tokens[i]; *c != '\0'; c++)
        {
          if (*c == '~' && c[1] == '1')
            g_string_append_c (s, '/'), c++;
          else if (*c == '~' && c[1] == '0')
            g_string_append_c (s, '~'), c++;
          else if (*c == '~')
            {
              g_string_free (s, TRUE);
              g_strfreev (tokens);
              return NULL;
            }
          else
            g_string_append_c (s, *c);
        }
      g_free (tokens[i]);
      tokens[i] = g_string_free (s, FALSE);
    }
  return tokens;
}

/* An array index token: digits without a leading zero. */
static gboolean
parse_index (const char *token, guint *out)
{
  guint64 v;

  if (token[0] == '\0' || (token[0] == '0' && token[1] != '\0'))
    return FALSE;
  for (const char *c = token; *c != '\0'; c++)
    if (!g_ascii_isdigit (*c))
      return FALSE;
  v = g_ascii_strtoull (token, NULL, 10);
  if (v > G_MAXUINT)
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

static JsonNode *
child_of (JsonNode *node, const char *token)
{
  guint index;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *o = json_node_get_object (node);
      return json_object_has_member (o, token) ? json_object_get_member (o, token) : NULL;
    }
  if (JSON_NODE_HOLDS_ARRAY (node) && parse_index (token, &index)
      && index < json_array_get_length (json_node_get_array (node)))
    return json_array_get_element (json_node_get_array (node), index);
  return NULL;
}

/* The node that holds the last token of tokens (n ≥ 1 tokens). */
static JsonNode *
parent_of (JsonNode *root, char **tokens, guint n)
{
  JsonNode *node = root;

  for (guint i = 0; i + 1 < n && node != NULL; i++)
    node = child_of (node, tokens[i]);
  return node;
}

static JsonNode *
value_at (JsonNode *root, char **tokens)
{
  JsonNode *node = root;

  for (guint i = 0; tokens[i] != NULL && node != NULL; i++)
    node = child_of (node, tokens[i]);
  return node;
}

static void
array_insert (JsonArray *array, guint index, JsonNode *value)
{
  g_autoptr (GPtrArray) tail = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  guint len = json_array_get_length (array);

  for (guint i = index; i < len; i++)
    g_ptr_array_add (tail, json_node_ref (json_array_get_element (array, i)));
  for (guint i = len; i-- > index;)
    json_array_remove_element (array, i);
  json_array_add_element (array, value);
  for (guint i = 0; i < tail->len; i++)
    json_array_add_element (array, json_node_ref (g_ptr_array_index (tail, i)));
}

/* Add value (taken) at tokens in *root. */
static gboolean
op_add (JsonNode **root, char **tokens, JsonNode *value, const char *op, const char *path,
        GError **error)
{
  guint n = g_strv_length (tokens);
  JsonNode *parent;
  const char *last;
  guint index;

  if (n == 0)
    {
      json_node_unref (*root);
      *root = value;
      return TRUE;
    }
  parent = parent_of (*root, tokens, n);
  last = tokens[n - 1];
  if (parent != NULL && JSON_NODE_HOLDS_OBJECT (parent))
    {
      json_object_set_member (json_node_get_object (parent), last, value);
      return TRUE;
    }
  if (parent != NULL && JSON_NODE_HOLDS_ARRAY (parent))
    {
      JsonArray *a = json_node_get_array (parent);
      if (strcmp (last, "-") == 0)
        {
          json_array_add_element (a, value);
          return TRUE;
        }
      if (parse_index (last, &index) && index <= json_array_get_length (a))
        {
          array_insert (a, index, value);
          return TRUE;
        }
      json_node_unref (value);
      g_set_error (error, KS_PATCH_ERROR, KS_PATCH_ERROR_FAILED,
                   "%s operation does not apply: index out of bounds: %s", op, path);
      return FALSE;
    }
  json_node_unref (value);
  g_set_error (error, KS_PATCH_ERROR, KS_PATCH_ERROR_FAILED,
               "%s operation does not apply: doc is missing path: \"%s\"", op, path);
  return FALSE;
}

static gboolean
op_remove (JsonNode *root, char **tokens, const char *op, const char *path, GError **error)
{
  guint n = g_strv_length (tokens);
  JsonNode *parent = n > 0 ? parent_of (root, tokens, n) : NULL;
  const char *last = n > 0 ? tokens[n - 1] : "";
  guint index;

  if (parent != NULL && JSON_NODE_HOLDS_OBJECT (parent)
      && json_object_has_member (json_node_get_object (parent), last))
    {
      json_object_remove_member (json_node_get_object (parent), last);
      return TRUE;
    }
  if (parent != NULL && JSON_NODE_HOLDS_ARRAY (parent) && parse_index (last, &index)
      && index < json_array_get_length (json_node_get_array (parent)))
    {
      json_array_remove_element (json_node_get_array (parent), index);
      return TRUE;
    }
  g_set_error (error, KS_PATCH_ERROR, KS_PATCH_ERROR_FAILED,
               "%s operation does not apply: doc is missing path: \"%s\"", op, path);
  return FALSE;
}

static gboolean
json_patch_op (JsonNode **doc, JsonNode *operation, guint i, GError **error)
{
  JsonObject *o;
  const char *op, *path, *from = NULL;
  g_auto (GStrv) tokens = NULL;
  g_auto (GStrv) from_tokens = NULL;
  JsonNode *value = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (operation))
    {
      g_set_error (error, KS_PATCH_ERROR, KS_PATCH_ERROR_BAD_PATCH,
                   "json patch operation %u: expected a mapping with op and path", i);
      return FALSE;
    }
  o = json_node_get_object (operation);
  op = string_member (o, "op");
  path = string_member (o, "path");
  if (op == NULL || path == NULL)
    {
      g_set_error (error, KS_PATCH_ERROR, KS_PATCH_ERROR_BAD_PATCH,
                   "json patch operation %u: op and path must be strings", i);
      return FALSE;
    }
  tokens = pointer_tokens (path);
  if (tokens == NULL)
    {
      g_set_error (error, KS_PATCH_ERROR, KS_PATCH_ERROR_BAD_PATCH,
                   "json patch operation %u: invalid JSON pointer \"%s\"", i, path);
      return FALSE;
    }
  if (strcmp (op, "move") == 0 || strcmp (op, "copy") == 0)
    {
      from = string_member (o, "from");
      if (from == NULL || (from_tokens = pointer_tokens (from)) == NULL)
        {
          g_set_error (error, KS_PATCH_ERROR, KS_PATCH_ERROR_BAD_PATCH,
                       "json patch operation %u: %s needs a valid from pointer", i, op);
          return FALSE;
        }
    }
  if (strcmp (op, "add") == 0 || strcmp (op, "replace") == 0 || strcmp (op, "test") == 0)
    {
      if (!json_object_has_member (o, "value"))
        {
          g_set_error (error, KS_PATCH_ERROR, KS_PATCH_ERROR_BAD_PATCH,
                       "json patch operation %u: %s needs a value", i, op);
          return FALSE;
        }
      value = json_object_get_member (o, "value");
    }

  if (strcmp (op, "add") == 0)
    return op_add (doc, tokens, deep_copy (value), op, path, error);
  if (strcmp (op, "remove") == 0)
    return op_remove (*doc, tokens, op, path, error);
  if (strcmp (op, "replace") == 0)
    {
      if (tokens[0] != NULL && !op_remove (*doc, tokens, op, path, error))
        return FALSE;
      return op_add (doc, tokens, deep_copy (value), op, path, error);
    }
  if (strcmp (op, "move") == 0 || strcmp (op, "copy") == 0)
    {
      JsonNode *src = value_at (*doc, from_tokens);
      JsonNode *moved;
      if (src == NULL)
        {
          g_set_error (error, KS_PATCH_ERROR, KS_PATCH_ERROR_FAILED,
                       "%s operation does not apply: doc is missing from path: \"%s\"", op, from);
          return FALSE;
        }
      if (strcmp (op, "move") == 0 && g_str_has_prefix (path, from) && (path[strlen (from)] == '/'))
        {
          g_set_error (error, KS_PATCH_ERROR, KS_PATCH_ERROR_FAILED,
                       "move operation does not apply: \"%s\" is a child of \"%s\"", path, from);
          return FALSE;
        }
      moved = deep_copy (src);
      if (strcmp (op, "move") == 0 && !op_remove (*doc, from_tokens, op, from, error))
        {
          json_node_unref (moved);
          return FALSE;
        }
      return op_add (doc, tokens, moved, op, path, error);
    }
  if (strcmp (op, "test") == 0)
    {
      JsonNode *current = value_at (*doc, tokens);
      if (current == NULL || !values_equal (current, value))
        {
          g_set_error (error, KS_PATCH_ERROR, KS_PATCH_ERROR_FAILED, "testing value %s failed",
                       path);
          return FALSE;
        }
      return TRUE;
    }
  g_set_error (error, KS_PATCH_ERROR, KS_PATCH_ERROR_BAD_PATCH,
               "json patch operation %u: unexpected kind of operation: \"%s\" (valid: add, remove, "
               "replace, move, copy, test)",
               i, op);
  return FALSE;
}

static JsonNode *
json_patch (JsonNode *doc, JsonNode *patch, GError **error)
{
  JsonArray *ops;
  JsonNode *out;

  if (!JSON_NODE_HOLDS_ARRAY (patch))
    {
      g_set_error_literal (error, KS_PATCH_ERROR, KS_PATCH_ERROR_BAD_PATCH,
                           "a json patch must be a list of operations");
      return NULL;
    }
  ops = json_node_get_array (patch);
  out = deep_copy (doc);
  for (guint i = 0; i < json_array_get_length (ops); i++)
    if (!json_patch_op (&out, json_array_get_element (ops, i), i, error))
      {
        json_node_unref (out);
        return NULL;
      }
  return out;
}

JsonNode *
ks_patch_apply (KsPatchType type, JsonNode *doc, JsonNode *patch, const char *kind, GError **error)
{
  g_return_val_if_fail (doc != NULL && patch != NULL, NULL);

  switch (type)
    {
    case KS_PATCH_JSON:
      return json_patch (doc, patch, error);
    case KS_PATCH_MERGE:
    case KS_PATCH_STRATEGIC:
      if (!JSON_NODE_HOLDS_OBJECT (patch))
        {
          g_set_error_literal (error, KS_PATCH_ERROR, KS_PATCH_ERROR_BAD_PATCH,
                               "a merge patch must be a mapping");
          return NULL;
        }
      if (type == KS_PATCH_MERGE)
        return merge_patch (doc, patch);
      {
        JsonNode *out = smp_node (doc, patch, kind, "", error);
        if (out != NULL && JSON_NODE_HOLDS_NULL (out))
          {
            json_node_unref (out);
            g_set_error_literal (error, KS_PATCH_ERROR, KS_PATCH_ERROR_BAD_PATCH,
                                 "$patch: delete of the whole object is not supported");
            return NULL;
          }
        return out;
      }
    }
  g_return_val_if_reached (NULL);
}
