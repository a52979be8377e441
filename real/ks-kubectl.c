/* ks-kubectl.c: what the kubectl-like commands share, and get, delete and scale (see
 * ks-kubectl.h). */
#include "config.h"

#include <gio/gunixinputstream.h>
#include <math.h>
#include <string.h>

#include "ks-kubectl-private.h"
#include "ks-printers.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-autoscaling.h"
#include "src/api/ks-diag.h"
#include "src/api/ks-yaml-emit.h"

/* ---- context and output ---------------------------------------------------------------------- */

KsKubectl *
ks_kubectl_new (const KsKubectlConfig *config, GError **error)
{
  KsRest *rest = ks_rest_new (config->server, error);
  KsKubectl *k;

  if (rest == NULL)
    return NULL;
  k = g_new0 (KsKubectl, 1);
  k->rest = rest;
  k->namespace = g_strdup (config->namespace != NULL ? config->namespace : "default");
  k->namespace_explicit = config->namespace != NULL;
  k->out = g_object_ref (config->out);
  k->err = g_object_ref (config->err);
  k->now = config->now;
  k->cancellable = config->cancellable != NULL ? g_object_ref (config->cancellable) : NULL;
  return k;
}

void
ks_kubectl_free (KsKubectl *k)
{
  if (k == NULL)
    return;
  ks_rest_free (k->rest);
  g_free (k->namespace);
  g_object_unref (k->out);
  g_object_unref (k->err);
  g_clear_object (&k->cancellable);
  g_free (k);
}

void
kc_out_text (KsKubectl *k, const char *text, gssize len)
{
  g_output_stream_write_all (k->out, text, len < 0 ? strlen (text) : (gsize) len, NULL, NULL, NULL);
  g_output_stream_flush (k->out, NULL, NULL);
}

void
kc_out (KsKubectl *k, const char *format, ...)
{
  va_list ap;
  g_autofree char *text = NULL;

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  kc_out_text (k, text, -1);
}

void
kc_err (KsKubectl *k, const char *format, ...)
{
  va_list ap;
  g_autofree char *text = NULL;

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_output_stream_write_all (k->err, text, strlen (text), NULL, NULL, NULL);
  g_output_stream_flush (k->err, NULL, NULL);
}

gint64
kc_now (KsKubectl *k)
{
  return k->now != 0 ? k->now : g_get_real_time ();
}

/* ---- errors ---------------------------------------------------------------------------------- */

static void
print_status_error (KsKubectl *k, const KsRestStatus *s, const char *message)
{
  if (g_strcmp0 (s->reason, "Invalid") == 0 && s->n_causes > 0
      && ((s->kind != NULL && s->kind[0] != '\0') || (s->name != NULL && s->name[0] != '\0')))
    {
      /* kubectl's CheckErr for Invalid: the causes, one per line when several. */
      g_autoptr (GString) text = g_string_new (NULL);
      g_string_printf (text, "The %s \"%s\" is invalid: ", s->kind != NULL ? s->kind : "",
                       s->name != NULL ? s->name : "");
      if (s->n_causes == 1)
        g_string_append_printf (text, "%s: %s\n", s->causes[0].field ? s->causes[0].field : "",
                                s->causes[0].message ? s->causes[0].message : "");
      else
        {
          g_string_append_c (text, '\n');
          for (guint i = 0; i < s->n_causes; i++)
            g_string_append_printf (text, "* %s: %s\n",
                                    s->causes[i].field ? s->causes[i].field : "",
                                    s->causes[i].message ? s->causes[i].message : "");
        }
      kc_err (k, "%s", text->str);
      return;
    }
  if (s->reason != NULL && s->reason[0] != '\0')
    kc_err (k, "Error from server (%s): %s\n", s->reason, message);
  else
    kc_err (k, "Error from server: %s\n", message);
}

void
kc_print_error_with_source (KsKubectl *k, const GError *error, const char *verb, const char *source)
{
  const KsRestStatus *s = ks_rest_error_get_status (error);

  if (s != NULL)
    {
      g_autofree char *message = source != NULL
                                     ? g_strdup_printf ("error when %s \"%s\": %s", verb, source,
                                                        s->message != NULL ? s->message : "")
                                     : g_strdup (s->message != NULL ? s->message : "");
      print_status_error (k, s, message);
    }
  else if (g_error_matches (error, KS_REST_ERROR, KS_REST_ERROR_UNREACHABLE))
    kc_err (k, "%s\n", error->message);
  else if (source != NULL)
    kc_err (k, "error: error when %s \"%s\": %s\n", verb, source, error->message);
  else
    kc_err (k, "error: %s\n", error->message);
}

void
kc_print_error (KsKubectl *k, const GError *error)
{
  kc_print_error_with_source (k, error, NULL, NULL);
}

int
kc_usage (KsKubectl *k, const char *format, ...)
{
  va_list ap;
  g_autofree char *text = NULL;

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  kc_err (k, "error: %s\n", text);
  return KS_KUBECTL_USAGE;
}

int
kc_status_for (const GError *error)
{
  return error != NULL && error->domain == KS_INPUT_ERROR ? KS_KUBECTL_USAGE : KS_KUBECTL_FAILED;
}

/* ---- resources ------------------------------------------------------------------------------- */

char *
kc_kind_string (const KsKind *kind)
{
  return ks_kind_type_name (kind);
}

char *
kc_resource_string (const KsKind *kind)
{
  if (kind->group[0] == '\0')
    return g_strdup (kind->plural);
  return g_strconcat (kind->plural, ".", kind->group, NULL);
}

const KsKind *
kc_lookup_type (const char *type, GError **error)
{
  g_autofree char *lower = g_ascii_strdown (type, -1);
  const KsKind *kind = ks_kind_lookup_resource (lower);
  char *dot;

  if (kind == NULL && (dot = strchr (lower, '.')) != NULL)
    {
      /* "deployments.apps", "deployments.v1.apps": the resource, then its group. */
      const char *group = dot + 1;
      *dot = '\0';
      kind = ks_kind_lookup_resource (lower);
      if (kind != NULL && g_str_has_prefix (group, "v1."))
        group += 3;
      if (kind != NULL && strcmp (group, kind->group) != 0
          && !(kind->group[0] == '\0' && strcmp (group, "v1") == 0))
        kind = NULL;
    }
  if (kind == NULL)
    g_set_error (error, KS_INPUT_ERROR, KS_INPUT_ERROR_INVALID,
                 "the server doesn't have a resource type \"%s\"", type);
  return kind;
}

static void
request_clear (gpointer p)
{
  g_free (((KcRequest *) p)->name);
}

void
kc_requests_free (GArray *requests)
{
  if (requests != NULL)
    g_array_unref (requests);
}

/* The kinds of a TYPE list ("pods,svc", "all"), appended to kinds. */
static gboolean
add_types (GPtrArray *kinds, const char *types, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (types, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const KsKind *kind;
      if (parts[i][0] == '\0')
        continue;
      if (g_ascii_strcasecmp (parts[i], "all") == 0)
        {
          /* The "all" category, in discovery's order. */
          g_ptr_array_add (kinds, (gpointer) ks_kind_get (KS_KIND_POD));
          g_ptr_array_add (kinds, (gpointer) ks_kind_get (KS_KIND_SERVICE));
          g_ptr_array_add (kinds, (gpointer) ks_kind_get (KS_KIND_DEPLOYMENT));
          g_ptr_array_add (kinds, (gpointer) ks_kind_get (KS_KIND_REPLICA_SET));
          g_ptr_array_add (kinds, (gpointer) ks_kind_get (KS_KIND_JOB));
          continue;
        }
      kind = kc_lookup_type (parts[i], error);
      if (kind == NULL)
        return FALSE;
      g_ptr_array_add (kinds, (gpointer) kind);
    }
  if (kinds->len == 0)
    {
      g_set_error (error, KS_INPUT_ERROR, KS_INPUT_ERROR_INVALID,
                   "resource(s) were provided, but no name was specified");
      return FALSE;
    }
  return TRUE;
}

GArray *
kc_parse_args (char **args, gboolean *single_item, GError **error)
{
  g_autoptr (GArray) requests = g_array_new (FALSE, TRUE, sizeof (KcRequest));
  guint n = args != NULL ? g_strv_length (args) : 0;
  guint with_slash = 0;

  g_array_set_clear_func (requests, request_clear);
  *single_item = FALSE;
  for (guint i = 0; i < n; i++)
    if (strchr (args[i], '/') != NULL)
      with_slash++;
  if (with_slash > 0 && with_slash != n)
    {
      g_set_error (error, KS_INPUT_ERROR, KS_INPUT_ERROR_INVALID,
                   "there is no need to specify a resource type as a separate argument when "
                   "passing arguments in resource/name form (e.g. 'kubesim get resource/"
                   "<resource_name>' instead of 'kubesim get resource resource/<resource_name>'");
      return NULL;
    }
  if (with_slash > 0)
    {
      for (guint i = 0; i < n; i++)
        {
          const char *slash = strchr (args[i], '/');
          g_autofree char *type = g_strndup (args[i], slash - args[i]);
          KcRequest r;
          if (slash[1] == '\0' || strchr (slash + 1, '/') != NULL || type[0] == '\0'
              || strchr (type, ',') != NULL)
            {
              g_set_error (error, KS_INPUT_ERROR, KS_INPUT_ERROR_INVALID,
                           "arguments in resource/name form must have a single resource and "
                           "name");
              return NULL;
            }
          r.kind = kc_lookup_type (type, error);
          if (r.kind == NULL)
            return NULL;
          r.name = g_strdup (slash + 1);
          g_array_append_val (requests, r);
        }
      *single_item = n == 1;
      return g_steal_pointer (&requests);
    }
  if (n == 0)
    return g_steal_pointer (&requests);
  {
    g_autoptr (GPtrArray) kinds = g_ptr_array_new ();
    if (!add_types (kinds, args[0], error))
      return NULL;
    for (guint t = 0; t < kinds->len; t++)
      {
        if (n == 1)
          {
            KcRequest r = { g_ptr_array_index (kinds, t), NULL };
            g_array_append_val (requests, r);
            continue;
          }
        for (guint i = 1; i < n; i++)
          {
            KcRequest r = { g_ptr_array_index (kinds, t), g_strdup (args[i]) };
            g_array_append_val (requests, r);
          }
      }
    *single_item = kinds->len == 1 && n == 2 && g_ascii_strcasecmp (args[0], "all") != 0;
  }
  return g_steal_pointer (&requests);
}

/* ---- requests -------------------------------------------------------------------------------- */

const char *
kc_namespace_for (KsKubectl *k, const KsKind *kind)
{
  return kind->namespaced ? k->namespace : NULL;
}

JsonNode *
kc_get (KsKubectl *k, const KsKind *kind, const char *ns, const char *name, GError **error)
{
  g_autofree char *path = ks_rest_path (kind, ns, name, NULL);

  return ks_rest_request (k->rest, "GET", path, NULL, NULL, error);
}

JsonNode *
kc_list (KsKubectl *k, const KsKind *kind, const char *ns, const char *label_selector,
         const char *field_selector, GError **error)
{
  g_autofree char *base = ks_rest_path (kind, ns, NULL, NULL);
  g_autoptr (GString) path = g_string_new (base);
  char sep = '?';

  if (label_selector != NULL && label_selector[0] != '\0')
    {
      g_string_append_printf (path, "%clabelSelector=", sep);
      g_string_append_uri_escaped (path, label_selector, NULL, FALSE);
      sep = '&';
    }
  if (field_selector != NULL && field_selector[0] != '\0')
    {
      g_string_append_printf (path, "%cfieldSelector=", sep);
      g_string_append_uri_escaped (path, field_selector, NULL, FALSE);
    }
  return ks_rest_request (k->rest, "GET", path->str, NULL, NULL, error);
}

GPtrArray *
kc_list_items (JsonNode *list, const KsKind *kind)
{
  GPtrArray *out = g_ptr_array_new ();
  JsonObject *o = json_node_get_object (list);
  JsonArray *items;

  if (!json_object_has_member (o, "items")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "items")))
    return out;
  items = json_object_get_array_member (o, "items");
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *item = json_array_get_element (items, i);
      JsonObject *io;
      if (!JSON_NODE_HOLDS_OBJECT (item))
        continue;
      /* Kubernetes' list items leave out kind and apiVersion; kubectl sets them. */
      io = json_node_get_object (item);
      if (!json_object_has_member (io, "kind"))
        json_object_set_string_member (io, "kind", kind->name);
      if (!json_object_has_member (io, "apiVersion"))
        json_object_set_string_member (io, "apiVersion", kind->api_version);
      g_ptr_array_add (out, item);
    }
  return out;
}

KsObject *
kc_decode (JsonNode *node, GError **error)
{
  g_autoptr (KsDiag) diag = ks_diag_new ();
  KsDecoder dec;
  KsObject *obj;

  ks_decoder_init (&dec, NULL, diag);
  dec.mode = KS_DECODE_STORED;
  dec.epoch = 0;
  obj = ks_object_decode (&dec, node, NULL);
  ks_decoder_clear (&dec);
  if (obj == NULL)
    {
      g_autoptr (GError) problems = NULL;
      ks_diag_to_error (diag, &problems);
      g_set_error (error, KS_REST_ERROR, KS_REST_ERROR_BAD_RESPONSE,
                   "the server sent an object kubesim cannot read: %s",
                   problems != NULL ? problems->message : "unknown problem");
    }
  return obj;
}

/* ---- manifests ------------------------------------------------------------------------------- */

static void
manifest_free (gpointer p)
{
  KcManifest *m = p;

  ks_source_unref (m->source);
  g_clear_pointer (&m->object, ks_object_unref);
  g_free (m->namespace);
  g_free (m);
}

static gboolean
has_manifest_extension (const char *name)
{
  return g_str_has_suffix (name, ".yaml") || g_str_has_suffix (name, ".yml")
         || g_str_has_suffix (name, ".json");
}

static gint compare_strings (gconstpointer a, gconstpointer b);

/* The files of path: itself, or a directory's manifests (sorted, recursively when asked). */
static gboolean
expand_path (const char *path, gboolean recursive, gboolean top, GPtrArray *files, GError **error)
{
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, KS_INPUT_ERROR, KS_INPUT_ERROR_INVALID, "the path \"%s\" does not exist",
                   path);
      return FALSE;
    }
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      if (top || has_manifest_extension (path))
        g_ptr_array_add (files, g_strdup (path));
      return TRUE;
    }
  if (!top && !recursive)
    return TRUE;
  dir = g_dir_open (path, 0, error);
  if (dir == NULL)
    return FALSE;
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *child = g_build_filename (path, g_ptr_array_index (names, i), NULL);
      if (!expand_path (child, recursive, FALSE, files, error))
        return FALSE;
    }
  return TRUE;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static KsSource *
read_stdin (GError **error)
{
  g_autoptr (GInputStream) in = g_unix_input_stream_new (0, FALSE);
  g_autoptr (GOutputStream) sink = g_memory_output_stream_new_resizable ();
  g_autoptr (GBytes) bytes = NULL;
  gsize len;
  const char *data;

  if (g_output_stream_splice (sink, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
    return NULL;
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (sink));
  data = g_bytes_get_data (bytes, &len);
  return ks_source_new_from_data ("STDIN", data != NULL ? data : "", len, error);
}

GPtrArray *
kc_read_manifests (KsKubectl *k, char **files, gboolean recursive, const char *verb)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (manifest_free);
  g_autoptr (KsDiag) diag = ks_diag_new ();
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; files != NULL && files[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      if (strcmp (files[i], "-") == 0)
        g_ptr_array_add (paths, g_strdup ("-"));
      else if (!expand_path (files[i], recursive, TRUE, paths, &error))
        {
          kc_err (k, "error: %s\n", error->message);
          return NULL;
        }
    }
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autoptr (GError) error = NULL;
      g_autoptr (KsSource) source
          = strcmp (path, "-") == 0 ? read_stdin (&error) : ks_source_new_from_file (path, &error);

      if (source == NULL)
        {
          ks_diag_add_literal (diag, error->message);
          continue;
        }
      for (guint d = 0; d < ks_source_get_n_documents (source); d++)
        {
          JsonNode *doc = ks_source_get_document (source, d);
          KsDecoder dec;
          KsObject *obj;
          KcManifest *m;

          ks_decoder_init (&dec, source, diag);
          obj = ks_object_decode (&dec, doc, k->namespace);
          ks_decoder_clear (&dec);
          if (obj == NULL)
            continue;
          m = g_new0 (KcManifest, 1);
          m->source = ks_source_ref (source);
          m->doc = doc;
          m->object = obj;
          m->source_name = ks_source_get_name (source);
          if (obj->kind->namespaced)
            {
              m->namespace = g_strdup (obj->meta.namespace);
              if (k->namespace_explicit && g_strcmp0 (m->namespace, k->namespace) != 0)
                {
                  guint line = 0, column = 0;
                  JsonNode *meta = ks_decoder_member (doc, "metadata");
                  JsonNode *at = meta != NULL ? ks_decoder_member (meta, "namespace") : NULL;
                  ks_source_get_position (source, at != NULL ? at : doc, &line, &column);
                  ks_diag_add (diag, m->source_name, line, column, "metadata.namespace",
                               "the namespace from the provided object \"%s\" does not match "
                               "the namespace \"%s\". You must pass '--namespace=%s' to perform "
                               "this operation.",
                               m->namespace, k->namespace, m->namespace);
                }
            }
          g_ptr_array_add (out, m);
        }
    }
  if (ks_diag_get_count (diag) > 0)
    {
      for (guint i = 0; i < ks_diag_get_count (diag); i++)
        kc_err (k, "%s\n", ks_diag_get (diag, i));
      return NULL;
    }
  if (out->len == 0)
    {
      kc_err (k, "error: no objects passed to %s\n", verb);
      return NULL;
    }
  return g_steal_pointer (&out);
}

/* ---- waits ----------------------------------------------------------------------------------- */

gboolean
kc_wait_deleted (KsKubectl *k, const KsKind *kind, const char *ns, const char *name,
                 const char *uid, gint64 timeout, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + timeout;

  for (;;)
    {
      g_autoptr (GError) local = NULL;
      g_autoptr (JsonNode) obj = kc_get (k, kind, ns, name, &local);
      g_autoptr (KsRestWatch) watch = NULL;
      g_autofree char *base = NULL;
      g_autoptr (GString) path = NULL;
      const char *rv;
      gint64 left;

      if (obj == NULL)
        {
          if (ks_rest_error_has_reason (local, "NotFound"))
            return TRUE;
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (uid != NULL && g_strcmp0 (ks_json_get_string (obj, "metadata.uid"), uid) != 0)
        return TRUE; /* another object of that name now */
      left = deadline - g_get_monotonic_time ();
      if (left <= 0 || g_cancellable_is_cancelled (k->cancellable))
        {
          g_autofree char *resource = kc_resource_string (kind);
          g_set_error (error, KS_REST_ERROR, KS_REST_ERROR_BAD_RESPONSE,
                       "timed out waiting for the condition on %s/%s", resource, name);
          return FALSE;
        }
      rv = ks_json_get_string (obj, "metadata.resourceVersion");
      base = ks_rest_path (kind, ns, NULL, NULL);
      path = g_string_new (base);
      g_string_append (path, "?watch=true&fieldSelector=");
      {
        g_autofree char *selector = g_strconcat ("metadata.name=", name, NULL);
        g_string_append_uri_escaped (path, selector, NULL, FALSE);
      }
      /* The server ends the stream at the deadline (whole seconds, at least one). */
      g_string_append_printf (path, "&resourceVersion=%s&timeoutSeconds=%" G_GINT64_FORMAT,
                              rv != NULL ? rv : "0",
                              MAX ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 1));
      watch = ks_rest_watch_open (k->rest, path->str, k->cancellable, &local);
      if (watch == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      for (;;)
        {
          g_autofree char *type = NULL;
          g_autoptr (JsonNode) object = NULL;
          if (!ks_rest_watch_next (watch, &type, &object, NULL))
            break;
          if (strcmp (type, "DELETED") == 0
              && (uid == NULL || g_strcmp0 (ks_json_get_string (object, "metadata.uid"), uid) == 0))
            return TRUE;
          if (strcmp (type, "ERROR") == 0)
            break; /* e.g. 410 Expired: look again */
        }
      if (g_cancellable_is_cancelled (k->cancellable))
        deadline = 0;
    }
}

/* ---- get ------------------------------------------------------------------------------------- */

typedef struct
{
  const KsKind *kind;
  JsonNode *json;
  KsObject *object;
} Item;

static void
item_clear (gpointer p)
{
  Item *it = p;

  json_node_unref (it->json);
  ks_object_unref (it->object);
}

/* kubectl's List of -o json|yaml for several objects. */
static JsonNode *
list_node (GArray *items)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "apiVersion");
  json_builder_add_string_value (b, "v1");
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  for (guint i = 0; i < items->len; i++)
    json_builder_add_value (b, json_node_copy (g_array_index (items, Item, i).json));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "List");
  json_builder_set_member_name (b, "metadata");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "resourceVersion");
  json_builder_add_string_value (b, "");
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
print_structured (KsKubectl *k, JsonNode *node, const char *output)
{
  g_autoptr (GString) text = g_string_new (NULL);

  if (strcmp (output, "json") == 0)
    ks_json_emit_indented (node, text);
  else
    ks_yaml_emit (node, text);
  kc_out_text (k, text->str, text->len);
}

static gboolean
valid_output (const char *output)
{
  static const char *const formats[] = { "wide", "json", "yaml", "name", NULL };

  return output == NULL || g_strv_contains (formats, output);
}

/* The table of items [from, to) (all of one kind). */
static void
print_table (KsKubectl *k, GArray *items, guint from, guint to, const KsGetOptions *o,
             gboolean with_kind, GArray *widths)
{
  g_autoptr (GPtrArray) objects = g_ptr_array_new ();
  g_autoptr (KsTable) table = NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  KsTableFlags flags = 0;

  for (guint i = from; i < to; i++)
    g_ptr_array_add (objects, g_array_index (items, Item, i).object);
  if (o->all_namespaces)
    flags |= KS_TABLE_WITH_NAMESPACE;
  if (with_kind)
    flags |= KS_TABLE_WITH_KIND;
  if (o->show_labels)
    flags |= KS_TABLE_SHOW_LABELS;
  table = ks_table_for_objects_full (g_array_index (items, Item, from).kind, objects, kc_now (k),
                                     flags);
  ks_table_print_remembering (table, o->output != NULL && strcmp (o->output, "wide") == 0,
                              o->no_headers, widths, text);
  kc_out_text (k, text->str, text->len);
}

static void
print_name (KsKubectl *k, const KsObject *obj)
{
  g_autofree char *name = ks_object_type_name (obj);

  kc_out (k, "%s\n", name);
}

/* get -w: the changes after the list, until cancelled. */
static int
watch_changes (KsKubectl *k, const KsGetOptions *o, const KcRequest *r, const char *rv,
               gboolean with_kind, GArray *widths)
{
  const char *ns = o->all_namespaces ? NULL : kc_namespace_for (k, r->kind);
  g_autofree char *base = ks_rest_path (r->kind, ns, NULL, NULL);
  g_autofree char *last_rv = g_strdup (rv);

  while (!g_cancellable_is_cancelled (k->cancellable))
    {
      g_autoptr (GString) path = g_string_new (base);
      g_autoptr (GError) error = NULL;
      g_autoptr (KsRestWatch) watch = NULL;

      g_string_append_printf (path, "?watch=true&resourceVersion=%s", last_rv);
      if (o->selector != NULL)
        {
          g_string_append (path, "&labelSelector=");
          g_string_append_uri_escaped (path, o->selector, NULL, FALSE);
        }
      if (r->name != NULL)
        {
          g_autofree char *selector = g_strconcat ("metadata.name=", r->name, NULL);
          g_string_append (path, "&fieldSelector=");
          g_string_append_uri_escaped (path, selector, NULL, FALSE);
        }
      watch = ks_rest_watch_open (k->rest, path->str, k->cancellable, &error);
      if (watch == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            return KS_KUBECTL_OK;
          kc_print_error (k, error);
          return KS_KUBECTL_FAILED;
        }
      for (;;)
        {
          g_autofree char *type = NULL;
          g_autoptr (JsonNode) object = NULL;
          g_autoptr (KsObject) obj = NULL;
          g_autoptr (GArray) items = NULL;
          Item it;

          if (!ks_rest_watch_next (watch, &type, &object, NULL))
            break;
          if (strcmp (type, "ERROR") == 0)
            {
              /* The version is too old: kubectl's watch ends with the server's error. */
              kc_err (k, "error: %s\n",
                      ks_json_get_string (object, "message") != NULL
                          ? ks_json_get_string (object, "message")
                          : "the watch failed");
              return KS_KUBECTL_FAILED;
            }
          if (ks_json_get_string (object, "metadata.resourceVersion") != NULL)
            {
              g_free (last_rv);
              last_rv = g_strdup (ks_json_get_string (object, "metadata.resourceVersion"));
            }
          if (strcmp (type, "BOOKMARK") == 0)
            continue;
          obj = kc_decode (object, &error);
          if (obj == NULL)
            {
              kc_print_error (k, error);
              return KS_KUBECTL_FAILED;
            }
          if (o->output != NULL && strcmp (o->output, "name") == 0)
            {
              print_name (k, obj);
              continue;
            }
          if (o->output != NULL
              && (strcmp (o->output, "json") == 0 || strcmp (o->output, "yaml") == 0))
            {
              print_structured (k, object, o->output);
              continue;
            }
          items = g_array_new (FALSE, FALSE, sizeof (Item));
          it = (Item){ r->kind, object, obj };
          g_array_append_val (items, it);
          {
            KsGetOptions rows = *o;
            rows.no_headers = TRUE;
            print_table (k, items, 0, 1, &rows, with_kind, widths);
          }
        }
    }
  return KS_KUBECTL_OK;
}

int
ks_kubectl_get (KsKubectl *k, const KsGetOptions *o)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) items = g_array_new (FALSE, FALSE, sizeof (Item));
  g_autoptr (GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr (GArray) widths = g_array_new (FALSE, TRUE, sizeof (gsize));
  g_autoptr (GHashTable) kinds_seen = g_hash_table_new (NULL, NULL);
  g_autofree char *watch_rv = NULL;
  gboolean single_item = FALSE, with_kind, all_namespaced = TRUE, printed = FALSE;
  GArray *requests;
  int status = KS_KUBECTL_OK;

  g_array_set_clear_func (items, item_clear);
  if (!valid_output (o->output))
    return kc_usage (k,
                     "unable to match a printer suitable for the output format \"%s\", allowed "
                     "formats are: json,name,wide,yaml",
                     o->output);
  if (o->args == NULL || o->args[0] == NULL)
    {
      kc_err (k, "You must specify the type of resource to get. Use \"kubesim get pods\", "
                 "\"kubesim get deployments\", ... (types: pods, deployments, replicasets, "
                 "services, endpoints, nodes, namespaces, events, leases, priorityclasses).\n");
      return kc_usage (k, "Required resource not specified.");
    }
  requests = kc_parse_args (o->args, &single_item, &error);
  if (requests == NULL)
    return kc_usage (k, "%s", error->message);
  for (guint i = 0; i < requests->len; i++)
    {
      KcRequest *r = &g_array_index (requests, KcRequest, i);
      g_hash_table_add (kinds_seen, (gpointer) r->kind);
      if (r->name != NULL && o->selector != NULL)
        {
          kc_requests_free (requests);
          return kc_usage (k, "name cannot be provided when a selector is specified");
        }
      if (r->name != NULL && o->all_namespaces && r->kind->namespaced)
        {
          kc_requests_free (requests);
          return kc_usage (k, "a resource cannot be retrieved by name across all namespaces");
        }
      if (!r->kind->namespaced || o->all_namespaces)
        all_namespaced = FALSE;
    }
  with_kind = g_hash_table_size (kinds_seen) > 1 || strcmp (o->args[0], "all") == 0
              || strstr (o->args[0], ",") != NULL;
  if (o->watch && (g_hash_table_size (kinds_seen) > 1 || (requests->len > 1)))
    {
      kc_requests_free (requests);
      return kc_usage (k,
                       "watch is only supported on individual resources and resource "
                       "collections, but %u resources were found",
                       g_hash_table_size (kinds_seen) > 1 ? g_hash_table_size (kinds_seen)
                                                          : requests->len);
    }

  for (guint i = 0; i < requests->len; i++)
    {
      KcRequest *r = &g_array_index (requests, KcRequest, i);
      const char *ns = o->all_namespaces ? NULL : kc_namespace_for (k, r->kind);
      g_autoptr (GError) local = NULL;
      g_autoptr (JsonNode) answer = r->name != NULL
                                        ? kc_get (k, r->kind, ns, r->name, &local)
                                        : kc_list (k, r->kind, ns, o->selector, NULL, &local);
      g_autoptr (GPtrArray) nodes = NULL;

      if (answer == NULL)
        {
          if (!g_error_matches (local, KS_REST_ERROR, KS_REST_ERROR_STATUS))
            {
              /* The server cannot be reached: nothing else would work either. */
              kc_print_error (k, local);
              kc_requests_free (requests);
              return KS_KUBECTL_FAILED;
            }
          g_ptr_array_add (errors, g_steal_pointer (&local));
          continue;
        }
      if (r->name != NULL)
        {
          nodes = g_ptr_array_new ();
          g_ptr_array_add (nodes, answer);
        }
      else
        nodes = kc_list_items (answer, r->kind);
      if (o->watch)
        watch_rv = g_strdup (ks_json_get_string (answer, "metadata.resourceVersion"));
      for (guint j = 0; j < nodes->len; j++)
        {
          JsonNode *node = g_ptr_array_index (nodes, j);
          Item it = { r->kind, json_node_copy (node), NULL };
          it.object = kc_decode (node, &local);
          if (it.object == NULL)
            {
              json_node_unref (it.json);
              kc_print_error (k, local);
              kc_requests_free (requests);
              return KS_KUBECTL_FAILED;
            }
          g_array_append_val (items, it);
        }
    }

  if (o->output != NULL && (strcmp (o->output, "json") == 0 || strcmp (o->output, "yaml") == 0))
    {
      if (single_item && items->len == 1)
        print_structured (k, g_array_index (items, Item, 0).json, o->output);
      else if (!(single_item && items->len == 0))
        {
          g_autoptr (JsonNode) list = list_node (items);
          print_structured (k, list, o->output);
        }
      printed = TRUE;
    }
  else if (o->output != NULL && strcmp (o->output, "name") == 0)
    {
      for (guint i = 0; i < items->len; i++)
        print_name (k, g_array_index (items, Item, i).object);
      printed = TRUE; /* kubectl's generic printers say nothing of an empty list */
    }
  else
    {
      /* One table per kind, in the order asked, a blank line between them. */
      guint from = 0;
      while (from < items->len)
        {
          guint to = from + 1;
          while (to < items->len
                 && g_array_index (items, Item, to).kind == g_array_index (items, Item, from).kind)
            to++;
          if (printed && !o->no_headers)
            kc_out (k, "\n");
          if (printed)
            g_array_set_size (widths, 0);
          print_table (k, items, from, to, o, with_kind, widths);
          printed = TRUE;
          from = to;
        }
    }
  if (!printed && errors->len == 0)
    {
      if (all_namespaced)
        kc_err (k, "No resources found in %s namespace.\n", k->namespace);
      else
        kc_err (k, "No resources found\n");
    }
  for (guint i = 0; i < errors->len; i++)
    kc_print_error (k, g_ptr_array_index (errors, i));
  if (errors->len > 0)
    status = KS_KUBECTL_FAILED;
  if (o->watch && status == KS_KUBECTL_OK && watch_rv != NULL)
    status = watch_changes (k, o, &g_array_index (requests, KcRequest, 0), watch_rv, with_kind,
                            widths);
  kc_requests_free (requests);
  return status;
}

/* ---- delete ---------------------------------------------------------------------------------- */

typedef struct
{
  const KsKind *kind;
  char *namespace;
  char *name;
  const char *source; /* the manifest's file, for messages; NULL for arguments */
} Target;

static void
target_clear (gpointer p)
{
  Target *t = p;

  g_free (t->namespace);
  g_free (t->name);
}

static const char *
propagation_policy (const char *cascade)
{
  if (cascade == NULL || strcmp (cascade, "background") == 0 || strcmp (cascade, "true") == 0)
    return "Background";
  if (strcmp (cascade, "foreground") == 0)
    return "Foreground";
  if (strcmp (cascade, "orphan") == 0 || strcmp (cascade, "false") == 0)
    return "Orphan";
  return NULL;
}

int
ks_kubectl_delete (KsKubectl *k, const KsKubectlDeleteOptions *o)
{
  g_autoptr (GArray) targets = g_array_new (FALSE, TRUE, sizeof (Target));
  g_autoptr (GPtrArray) manifests = NULL;
  g_autoptr (GPtrArray) uids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) deleted = g_array_new (FALSE, FALSE, sizeof (guint));
  const char *policy = propagation_policy (o->cascade);
  gboolean has_args = o->args != NULL && o->args[0] != NULL;
  gboolean has_files = o->files != NULL && o->files[0] != NULL;
  gboolean ignore_not_found = o->ignore_not_found || o->all || o->selector != NULL;
  gint grace = o->grace_period;
  int status = KS_KUBECTL_OK;
  guint found = 0;

  g_array_set_clear_func (targets, target_clear);
  if (policy == NULL)
    return kc_usage (k,
                     "invalid cascade value (%s). Must be \"background\", \"foreground\", or "
                     "\"orphan\"",
                     o->cascade);
  if (o->output != NULL && strcmp (o->output, "name") != 0)
    return kc_usage (k, "unexpected -o output mode: %s. We only support '-o name'", o->output);
  if (o->all && o->selector != NULL)
    return kc_usage (k, "cannot set --all and --selector at the same time");
  if (o->now)
    {
      if (grace != -1)
        return kc_usage (k, "--now and --grace-period cannot be specified together");
      grace = 1;
    }
  if (grace == 0 && !o->force)
    grace = 1; /* kubectl: --grace-period=0 without --force means 1 */
  if (o->force && grace < 0)
    grace = 0;
  if (o->force && grace > 0)
    return kc_usage (k, "--force and --grace-period greater than 0 cannot be specified together");
  if (has_args == has_files)
    return kc_usage (k, has_args ? "both resource arguments and -f were given; use one"
                                 : "You must provide one or more resources by argument or "
                                   "filename.");
  if (o->force && grace == 0)
    kc_err (k, "Warning: Immediate deletion does not wait for confirmation that the running "
               "resource has been terminated. The resource may continue to run on the cluster "
               "indefinitely.\n");

  if (has_files)
    {
      manifests = kc_read_manifests (k, o->files, o->recursive, "delete");
      if (manifests == NULL)
        return KS_KUBECTL_USAGE;
      for (guint i = 0; i < manifests->len; i++)
        {
          KcManifest *m = g_ptr_array_index (manifests, i);
          Target t = { m->object->kind, g_strdup (m->namespace), g_strdup (m->object->meta.name),
                       m->source_name };
          g_array_append_val (targets, t);
        }
    }
  else
    {
      g_autoptr (GError) error = NULL;
      gboolean single = FALSE;
      GArray *requests = kc_parse_args (o->args, &single, &error);
      if (requests == NULL)
        return kc_usage (k, "%s", error->message);
      for (guint i = 0; i < requests->len; i++)
        {
          KcRequest *r = &g_array_index (requests, KcRequest, i);
          const char *ns = o->all_namespaces ? NULL : kc_namespace_for (k, r->kind);
          if (r->name != NULL && (o->selector != NULL || o->all))
            {
              kc_requests_free (requests);
              return kc_usage (k, "name cannot be provided when a selector is specified");
            }
          if (r->name == NULL && o->selector == NULL && !o->all)
            {
              kc_requests_free (requests);
              return kc_usage (k, "resource(s) were provided, but no name was specified");
            }
          if (r->name != NULL)
            {
              Target t = { r->kind, g_strdup (ns), g_strdup (r->name), NULL };
              g_array_append_val (targets, t);
              continue;
            }
          {
            g_autoptr (JsonNode) list = kc_list (k, r->kind, ns, o->selector, NULL, &error);
            g_autoptr (GPtrArray) nodes = NULL;
            if (list == NULL)
              {
                kc_print_error (k, error);
                kc_requests_free (requests);
                return KS_KUBECTL_FAILED;
              }
            nodes = kc_list_items (list, r->kind);
            for (guint j = 0; j < nodes->len; j++)
              {
                JsonNode *item = g_ptr_array_index (nodes, j);
                Target t = { r->kind, g_strdup (ks_json_get_string (item, "metadata.namespace")),
                             g_strdup (ks_json_get_string (item, "metadata.name")), NULL };
                g_array_append_val (targets, t);
              }
          }
        }
      kc_requests_free (requests);
    }

  for (guint i = 0; i < targets->len; i++)
    {
      Target *t = &g_array_index (targets, Target, i);
      g_autofree char *path = ks_rest_path (t->kind, t->namespace, t->name, NULL);
      g_autofree char *body = NULL;
      g_autofree char *kind_string = kc_kind_string (t->kind);
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonNode) answer = NULL;
      const char *uid;

      if (grace >= 0)
        body = g_strdup_printf ("{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\","
                                "\"gracePeriodSeconds\":%d,\"propagationPolicy\":\"%s\"}",
                                grace, policy);
      else
        body = g_strdup_printf ("{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\","
                                "\"propagationPolicy\":\"%s\"}",
                                policy);
      answer = ks_rest_request (k->rest, "DELETE", path, "application/json", body, &error);
      if (answer == NULL)
        {
          if (ignore_not_found && ks_rest_error_has_reason (error, "NotFound"))
            continue;
          if (!g_error_matches (error, KS_REST_ERROR, KS_REST_ERROR_STATUS))
            {
              kc_print_error (k, error);
              return KS_KUBECTL_FAILED;
            }
          kc_print_error_with_source (k, error, "deleting", t->source);
          status = KS_KUBECTL_FAILED;
          continue;
        }
      found++;
      if (o->output != NULL)
        kc_out (k, "%s/%s\n", kind_string, t->name);
      else
        kc_out (k, "%s \"%s\" %s\n", kind_string, t->name,
                grace == 0 ? "force deleted" : "deleted");
      /* A Status (the object is gone) carries the UID in its details. */
      uid = g_strcmp0 (ks_json_get_string (answer, "kind"), "Status") == 0
                ? ks_json_get_string (answer, "details.uid")
                : ks_json_get_string (answer, "metadata.uid");
      g_ptr_array_add (uids, g_strdup (uid));
      g_array_append_val (deleted, i);
    }
  if (found == 0 && status == KS_KUBECTL_OK)
    {
      kc_out (k, "No resources found\n");
      return KS_KUBECTL_OK;
    }
  if (!o->wait)
    return status;
  for (guint i = 0; i < deleted->len; i++)
    {
      Target *t = &g_array_index (targets, Target, g_array_index (deleted, guint, i));
      g_autoptr (GError) error = NULL;
      gint64 timeout = o->timeout > 0 ? o->timeout : (gint64) 168 * 3600 * G_USEC_PER_SEC;
      if (!kc_wait_deleted (k, t->kind, t->namespace, t->name, g_ptr_array_index (uids, i), timeout,
                            &error))
        {
          kc_print_error (k, error);
          return KS_KUBECTL_FAILED;
        }
    }
  return status;
}

/* ---- scale ----------------------------------------------------------------------------------- */

static gint64
json_int (JsonNode *node, const char *path, gint64 unset)
{
  g_auto (GStrv) parts = g_strsplit (path, ".", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      JsonObject *o;
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        return unset;
      o = json_node_get_object (node);
      node = json_object_has_member (o, parts[i]) ? json_object_get_member (o, parts[i]) : NULL;
    }
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return unset;
  return json_node_get_int (node);
}

int
ks_kubectl_scale (KsKubectl *k, const KsScaleOptions *o)
{
  g_autoptr (GError) error = NULL;
  gboolean single = FALSE;
  GArray *requests;
  int status = KS_KUBECTL_OK;

  if (o->replicas < 0)
    return kc_usage (k, "The --replicas=COUNT flag is required, and COUNT must be greater than or "
                        "equal to 0");
  if (o->current_replicas < -1)
    return kc_usage (k, "The --current-replicas must specify an integer of -1 or greater");
  if (o->args == NULL || o->args[0] == NULL)
    return kc_usage (k, "required resource not specified");
  requests = kc_parse_args (o->args, &single, &error);
  if (requests == NULL)
    return kc_usage (k, "%s", error->message);
  if (o->resource_version != NULL && requests->len > 1)
    {
      kc_requests_free (requests);
      return kc_usage (k, "cannot use --resource-version with multiple resources");
    }
  for (guint i = 0; i < requests->len; i++)
    {
      KcRequest *r = &g_array_index (requests, KcRequest, i);
      if (r->name == NULL)
        {
          kc_requests_free (requests);
          return kc_usage (k, "resource(s) were provided, but no name was specified");
        }
      if (r->kind->id != KS_KIND_DEPLOYMENT && r->kind->id != KS_KIND_REPLICA_SET
          && r->kind->id != KS_KIND_STATEFUL_SET)
        {
          g_autofree char *resource = kc_resource_string (r->kind);
          kc_requests_free (requests);
          kc_err (k,
                  "error: cannot scale %s: only deployments, replica sets and stateful sets have "
                  "a scale subresource\n",
                  resource);
          return KS_KUBECTL_FAILED;
        }
    }
  for (guint i = 0; i < requests->len; i++)
    {
      KcRequest *r = &g_array_index (requests, KcRequest, i);
      const char *ns = kc_namespace_for (k, r->kind);
      g_autoptr (JsonNode) obj = kc_get (k, r->kind, ns, r->name, &error);
      g_autofree char *scale_path = ks_rest_path (r->kind, ns, r->name, "scale");
      g_autofree char *kind_string = kc_kind_string (r->kind);
      g_autoptr (JsonNode) answer = NULL;

      if (obj == NULL)
        {
          kc_print_error (k, error);
          g_clear_error (&error);
          status = KS_KUBECTL_FAILED;
          continue;
        }
      if (o->current_replicas != -1 || o->resource_version != NULL)
        {
          /* Preconditions: GET the Scale, check it, PUT it back with the new size. */
          g_autoptr (JsonNode) scale
              = ks_rest_request (k->rest, "GET", scale_path, NULL, NULL, &error);
          g_autofree char *body = NULL;
          gint64 current;
          if (scale == NULL)
            {
              kc_print_error (k, error);
              kc_requests_free (requests);
              return KS_KUBECTL_FAILED;
            }
          current = json_int (scale, "spec.replicas", 0);
          if (o->current_replicas != -1 && current != o->current_replicas)
            {
              kc_err (k, "error: Expected replicas to be %d, was %" G_GINT64_FORMAT "\n",
                      o->current_replicas, current);
              kc_requests_free (requests);
              return KS_KUBECTL_FAILED;
            }
          if (o->resource_version != NULL
              && g_strcmp0 (ks_json_get_string (scale, "metadata.resourceVersion"),
                            o->resource_version)
                     != 0)
            {
              kc_err (k, "error: Expected resource version to be %s, was %s\n", o->resource_version,
                      ks_json_get_string (scale, "metadata.resourceVersion"));
              kc_requests_free (requests);
              return KS_KUBECTL_FAILED;
            }
          json_object_set_int_member (ks_json_get_object (scale, "spec"), "replicas", o->replicas);
          body = json_to_string (scale, FALSE);
          answer = ks_rest_request (k->rest, "PUT", scale_path, "application/json", body, &error);
        }
      else
        {
          g_autofree char *body = g_strdup_printf ("{\"spec\":{\"replicas\":%d}}", o->replicas);
          answer = ks_rest_request (k->rest, "PATCH", scale_path, "application/merge-patch+json",
                                    body, &error);
        }
      if (answer == NULL)
        {
          kc_print_error (k, error);
          kc_requests_free (requests);
          return KS_KUBECTL_FAILED;
        }
      if (o->timeout > 0)
        {
          /* Wait for the replicas (kubectl polls the Scale every second). */
          gint64 deadline = g_get_monotonic_time () + o->timeout;
          for (;;)
            {
              g_autoptr (JsonNode) scale
                  = ks_rest_request (k->rest, "GET", scale_path, NULL, NULL, &error);
              if (scale == NULL)
                {
                  kc_print_error (k, error);
                  kc_requests_free (requests);
                  return KS_KUBECTL_FAILED;
                }
              if (json_int (scale, "status.replicas", 0) == o->replicas)
                break;
              if (g_get_monotonic_time () >= deadline
                  || g_cancellable_is_cancelled (k->cancellable))
                {
                  kc_err (k, "error: timed out waiting for \"%s\" to be synced\n", r->name);
                  kc_requests_free (requests);
                  return KS_KUBECTL_FAILED;
                }
              g_usleep (MIN (G_USEC_PER_SEC, deadline - g_get_monotonic_time ()));
            }
        }
      kc_out (k, "%s/%s scaled\n", kind_string, r->name);
    }
  kc_requests_free (requests);
  return status;
}

int
ks_kubectl_autoscale (KsKubectl *k, const KsAutoscaleOptions *o)
{
  g_autoptr (GError) error = NULL;
  gboolean single = FALSE;
  GArray *requests;
  KcRequest *r;
  const char *ns;
  g_autoptr (JsonNode) target = NULL;
  g_autoptr (KsHorizontalPodAutoscaler) hpa = NULL;
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char *path = NULL;
  g_autofree char *body = NULL;
  int status = KS_KUBECTL_OK;

  /* autoscale.go's Validate. */
  if (o->max < 1)
    return kc_usage (k, "--max=MAXPODS is required and must be at least 1, max: %d", o->max);
  if (o->max < o->min)
    return kc_usage (k, "--max=MAXPODS must be larger or equal to --min=MINPODS, max: %d, min: %d",
                     o->max, o->min);
  if (o->args == NULL || o->args[0] == NULL)
    return kc_usage (k, "required resource not specified");
  requests = kc_parse_args (o->args, &single, &error);
  if (requests == NULL)
    return kc_usage (k, "%s", error->message);
  if (requests->len != 1 || g_array_index (requests, KcRequest, 0).name == NULL)
    {
      kc_requests_free (requests);
      return kc_usage (k, "one resource with its name is required: TYPE NAME or TYPE/NAME");
    }
  r = &g_array_index (requests, KcRequest, 0);
  if (r->kind->id != KS_KIND_DEPLOYMENT && r->kind->id != KS_KIND_REPLICA_SET
      && r->kind->id != KS_KIND_STATEFUL_SET)
    {
      g_autofree char *resource = kc_resource_string (r->kind);
      kc_err (k,
              "error: cannot autoscale a %s: only deployments, replica sets and stateful sets "
              "have a scale subresource\n",
              resource);
      kc_requests_free (requests);
      return KS_KUBECTL_FAILED;
    }
  ns = kc_namespace_for (k, r->kind);
  target = kc_get (k, r->kind, ns, r->name, &error);
  if (target == NULL)
    {
      kc_print_error (k, error);
      kc_requests_free (requests);
      return KS_KUBECTL_FAILED;
    }
  hpa = ks_hpa_new_autoscale (ns, o->name != NULL ? o->name : r->name, r->kind->api_version,
                              r->kind->name, r->name, o->min, o->max, o->cpu_percent);
  /* kubectl v1.32 posts an autoscaling/v1 object (reference §2.7); the server converts it. */
  {
    g_autoptr (JsonNode) v1 = ks_hpa_encode_v1 (hpa, 0);
    g_autoptr (GString) p = g_string_new ("/apis/autoscaling/v1/namespaces/");
    body = json_to_string (v1, FALSE);
    g_string_append_uri_escaped (p, ns, NULL, FALSE);
    g_string_append (p, "/horizontalpodautoscalers");
    path = g_strdup (p->str);
  }
  answer = ks_rest_request (k->rest, "POST", path, "application/json", body, &error);
  if (answer == NULL)
    {
      kc_print_error (k, error);
      status = KS_KUBECTL_FAILED;
    }
  else
    kc_out (k, "horizontalpodautoscaler.autoscaling/%s autoscaled\n", hpa->parent.meta.name);
  kc_requests_free (requests);
  return status;
}
