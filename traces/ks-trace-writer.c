/* ks-trace-writer.c: the native trace format's writer (ks-trace-writer.h). */
#include "config.h"

#include <string.h>

#include "ks-trace-objects.h"
#include "ks-trace-writer.h"

struct _KsTraceWriter
{
  GOutputStream *out; /* a buffered stream over the caller's */
  GString *line;
  JsonGenerator *generator;
  GHashTable *started; /* pod id → recorded start (gint64*), from POD_START to POD_END */
  guint64 count;
};

KsTraceWriter *
ks_trace_writer_new (GOutputStream *out)
{
  KsTraceWriter *w = g_new0 (KsTraceWriter, 1);

  w->out = g_buffered_output_stream_new_sized (out, 1 << 16);
  g_filter_output_stream_set_close_base_stream (G_FILTER_OUTPUT_STREAM (w->out), FALSE);
  w->line = g_string_sized_new (1024);
  w->generator = json_generator_new ();
  w->started = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return w;
}

void
ks_trace_writer_free (KsTraceWriter *w)
{
  if (w == NULL)
    return;
  /* Whatever is buffered goes out; a failure here was the caller's to see with flush. */
  g_output_stream_flush (w->out, NULL, NULL);
  g_object_unref (w->out);
  g_string_free (w->line, TRUE);
  g_object_unref (w->generator);
  g_hash_table_destroy (w->started);
  g_free (w);
}

char *
ks_trace_format_seconds (gint64 usec)
{
  GString *s = g_string_new (NULL);
  guint64 abs = usec < 0 ? (guint64) (-(usec + 1)) + 1 : (guint64) usec;
  guint64 frac = abs % G_USEC_PER_SEC;

  g_string_append_printf (s, "%s%" G_GUINT64_FORMAT, usec < 0 ? "-" : "", abs / G_USEC_PER_SEC);
  if (frac == 0)
    g_string_append (s, ".0");
  else
    {
      g_string_append_printf (s, ".%06" G_GUINT64_FORMAT, frac);
      while (s->str[s->len - 1] == '0')
        g_string_truncate (s, s->len - 1);
    }
  return g_string_free (s, FALSE);
}

static void
begin (KsTraceWriter *w, gint64 t, const char *op)
{
  g_autofree char *seconds = ks_trace_format_seconds (t);

  g_string_printf (w->line, "{\"t\":%s,\"op\":\"%s\"", seconds, op);
}

static void
append_object (KsTraceWriter *w, const char *member, JsonObject *object)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autofree char *json = NULL;

  json_generator_set_root (w->generator, node);
  json = json_generator_to_data (w->generator, NULL);
  json_generator_set_root (w->generator, NULL);
  g_string_append_printf (w->line, ",\"%s\":%s", member, json);
}

static gboolean
end (KsTraceWriter *w, GError **error)
{
  g_string_append (w->line, "}\n");
  if (!g_output_stream_write_all (w->out, w->line->str, w->line->len, NULL, NULL, error))
    return FALSE;
  w->count++;
  return TRUE;
}

gboolean
ks_trace_writer_write_object (KsTraceWriter *w, gint64 t, const char *op, JsonObject *object,
                              GError **error)
{
  begin (w, t, op);
  append_object (w, "object", object);
  return end (w, error);
}

gboolean
ks_trace_writer_write_delete (KsTraceWriter *w, gint64 t, const char *api_version, const char *kind,
                              const char *namespace, const char *name, KsTraceOutcome outcome,
                              gint64 runtime, GError **error)
{
  g_autoptr (JsonObject) ref = json_object_new ();
  JsonObject *meta = json_object_new ();

  json_object_set_string_member (ref, "apiVersion", api_version);
  json_object_set_string_member (ref, "kind", kind);
  json_object_set_object_member (ref, "metadata", meta);
  json_object_set_string_member (meta, "name", name);
  if (namespace != NULL)
    json_object_set_string_member (meta, "namespace", namespace);
  begin (w, t, "delete");
  append_object (w, "object", ref);
  if (outcome != KS_TRACE_OUTCOME_NONE)
    g_string_append_printf (w->line, ",\"outcome\":\"%s\"", ks_trace_outcome_name (outcome));
  if (runtime >= 0)
    {
      g_autofree char *seconds = ks_trace_format_seconds (runtime);
      g_string_append_printf (w->line, ",\"runtime\":%s", seconds);
    }
  return end (w, error);
}

gboolean
ks_trace_writer_write_node_remove (KsTraceWriter *w, gint64 t, const char *name, GError **error)
{
  g_autoptr (JsonNode) n = json_node_init_string (json_node_alloc (), name);
  g_autofree char *quoted = json_to_string (n, FALSE);

  begin (w, t, "node-remove");
  g_string_append_printf (w->line, ",\"name\":%s", quoted);
  return end (w, error);
}

/* An object's "apiVersion", "kind", namespace and name, from its manifest. */
static gboolean
object_ref (JsonObject *o, const char **api_version, const char **kind, const char **ns,
            const char **name)
{
  JsonObject *meta;

  if (!json_object_has_member (o, "kind") || !json_object_has_member (o, "metadata"))
    return FALSE;
  meta = json_object_get_object_member (o, "metadata");
  if (meta == NULL || !json_object_has_member (meta, "name"))
    return FALSE;
  *api_version = json_object_has_member (o, "apiVersion")
                     ? json_object_get_string_member (o, "apiVersion")
                     : "v1";
  *kind = json_object_get_string_member (o, "kind");
  *name = json_object_get_string_member (meta, "name");
  *ns = json_object_has_member (meta, "namespace")
            ? json_object_get_string_member (meta, "namespace")
            : NULL;
  return *kind != NULL && *name != NULL;
}

gboolean
ks_trace_writer_write_record (KsTraceWriter *w, const KsTraceRecord *r, GError **error)
{
  switch (r->op)
    {
    case KS_TRACE_POD_SUBMIT:
      {
        g_autoptr (JsonObject) pod
            = r->object != NULL ? json_object_ref (r->object) : ks_trace_pod_manifest (r);
        /* A resubmission starts over. */
        g_hash_table_remove (w->started, r->id);
        return ks_trace_writer_write_object (w, r->time, "create", pod, error);
      }
    case KS_TRACE_POD_START:
      g_hash_table_replace (w->started, g_strdup (r->id), g_memdup2 (&r->time, sizeof r->time));
      return TRUE;
    case KS_TRACE_POD_END:
      {
        const gint64 *start = g_hash_table_lookup (w->started, r->id);
        gint64 runtime = r->runtime;
        gboolean ok;
        if (runtime < 0 && start != NULL)
          runtime = r->time - *start;
        const char *api_version, *kind, *ns = KS_TRACE_NAMESPACE, *name = r->id;
        /* The native format's pods may live in other namespaces. */
        if (r->object != NULL && object_ref (r->object, &api_version, &kind, &ns, &name)
            && ns == NULL)
          ns = KS_TRACE_NAMESPACE;
        ok = ks_trace_writer_write_delete (w, r->time, "v1", "Pod", ns, name, r->outcome, runtime,
                                           error);
        g_hash_table_remove (w->started, r->id);
        return ok;
      }
    case KS_TRACE_NODE_ADD:
      {
        g_autoptr (JsonObject) node
            = r->object != NULL ? json_object_ref (r->object) : ks_trace_node_manifest (r);
        return ks_trace_writer_write_object (w, r->time, "node-add", node, error);
      }
    case KS_TRACE_NODE_REMOVE:
      return ks_trace_writer_write_node_remove (w, r->time, r->id, error);
    case KS_TRACE_OBJECT:
      {
        const char *api_version, *kind, *ns, *name;
        if (!r->delete)
          return ks_trace_writer_write_object (w, r->time, "create", r->object, error);
        if (!object_ref (r->object, &api_version, &kind, &ns, &name))
          {
            g_set_error (error, KS_TRACE_ERROR, KS_TRACE_ERROR_FORMAT,
                         "%s:%" G_GUINT64_FORMAT ": a delete needs the object's kind and name",
                         r->file != NULL ? r->file : "<record>", r->line);
            return FALSE;
          }
        return ks_trace_writer_write_delete (w, r->time, api_version, kind, ns, name, r->outcome,
                                             r->runtime, error);
      }
    case KS_TRACE_NODE_UPDATE:
    case KS_TRACE_POD_UPDATE:
      return TRUE;
    }
  return TRUE;
}

gboolean
ks_trace_writer_flush (KsTraceWriter *w, GError **error)
{
  return g_output_stream_flush (w->out, NULL, error);
}

guint64
ks_trace_writer_get_count (KsTraceWriter *w)
{
  return w->count;
}
