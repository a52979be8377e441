/* ks-trace-kubesim.c: the native format `kubesim` (docs/formats.md "Native trace format";
 * written by ks-trace-writer.c): JSON lines {"t": seconds, "op": ..., ...}.
 *
 *   create       a Pod → POD_SUBMIT (object: the manifest; requests summed from its
 *                containers, job from label kubesim.io/job); anything else → OBJECT
 *   delete       a Pod → POD_END (object: the reference; outcome and runtime when given);
 *                anything else → OBJECT with delete set
 *   node-add     a Node → NODE_ADD (object: the manifest; capacity from status.capacity)
 *   node-remove  → NODE_REMOVE (id: "name")
 *
 * Each line is parsed on its own with json-glib; a line that is not such an object is a bad row. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ks-trace-objects.h"
#include "ks-trace-private.h"
#include "src/api/ks-duration.h"
#include "src/api/ks-quantity.h"

typedef struct
{
  KsTraceInput *input;
  JsonParser *parser;
  const char *models[2]; /* a node's GPU model label */
} State;

static gpointer
kubesim_open (KsTraceReader *reader, const char *const *paths, guint n_paths,
              const KsTraceOptions *options, GError **error)
{
  KsTraceInput *input = ks_trace_input_open (paths, n_paths, error);
  State *s;

  if (input == NULL)
    return NULL;
  s = g_new0 (State, 1);
  s->input = input;
  s->parser = json_parser_new ();
  return s;
}

static void
kubesim_free (gpointer data)
{
  State *s = data;

  ks_trace_input_free (s->input);
  g_object_unref (s->parser);
  g_free (s);
}

static KsTraceInput *
kubesim_get_input (gpointer data)
{
  return ((State *) data)->input;
}

static JsonObject *
member_object (JsonObject *o, const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;
  return n != NULL && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

/* A member object of o, or NULL (o may be NULL): chains of lookups need no checks between. */
static JsonObject *
sub (JsonObject *o, const char *name)
{
  return member_object (o, name);
}

static const char *
member_string (JsonObject *o, const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;
  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
             ? json_node_get_string (n)
             : NULL;
}

/* A number member in seconds → µs; FALSE when absent or not a number. */
static gboolean
member_seconds (JsonObject *o, const char *name, gint64 *out)
{
  JsonNode *n = json_object_get_member (o, name);
  GType type;
  double v;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return FALSE;
  type = json_node_get_value_type (n);
  if (type != G_TYPE_DOUBLE && type != G_TYPE_INT64)
    return FALSE;
  v = json_node_get_double (n);
  if (!isfinite (v) || fabs (v) > 9.2e12)
    return FALSE;
  *out = (gint64) llround (v * G_USEC_PER_SEC);
  return TRUE;
}

/* Add a resource list's quantity to *sum (-1: none yet). */
static void
add_quantity (JsonObject *list, const char *name, gboolean milli, gint64 *sum)
{
  const char *text = member_string (list, name);
  gint64 v;

  if (text == NULL)
    return;
  if (!(milli ? ks_quantity_parse_milli (text, &v, NULL)
              : ks_quantity_parse_value (text, &v, NULL)))
    return; /* replay's decoding reports it */
  *sum = (*sum < 0 ? 0 : *sum) + v;
}

static void
pod_requests (JsonObject *pod, KsTraceRecord *r)
{
  JsonObject *spec = member_object (pod, "spec");
  JsonObject *annotations = member_object (sub (pod, "metadata"), "annotations");
  JsonNode *containers = spec != NULL ? json_object_get_member (spec, "containers") : NULL;
  const char *milli = member_string (annotations, "kubesim.io/gpu-milli");
  const char *duration = member_string (annotations, "kubesim.io/duration");

  if (containers != NULL && JSON_NODE_HOLDS_ARRAY (containers))
    {
      JsonArray *a = json_node_get_array (containers);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *c = json_array_get_element (a, i);
          JsonObject *requests;
          if (!JSON_NODE_HOLDS_OBJECT (c))
            continue;
          requests = member_object (sub (json_node_get_object (c), "resources"), "requests");
          if (requests == NULL)
            continue;
          add_quantity (requests, "cpu", TRUE, &r->cpu_milli);
          add_quantity (requests, "memory", FALSE, &r->memory_bytes);
          add_quantity (requests, "nvidia.com/gpu", FALSE, &r->gpu);
        }
    }
  if (milli != NULL && ks_trace_parse_int64 (milli, &r->gpu_milli))
    r->gpu = MAX (r->gpu, 1);
  if (duration != NULL)
    if (!ks_duration_parse (duration, &r->runtime, NULL))
      r->runtime = -1;
}

static void
node_capacity (KsTraceRecord *r, State *s)
{
  JsonObject *capacity = member_object (sub (r->object, "status"), "capacity");
  JsonObject *labels = member_object (sub (r->object, "metadata"), "labels");

  if (capacity != NULL)
    {
      add_quantity (capacity, "cpu", TRUE, &r->cpu_milli);
      add_quantity (capacity, "memory", FALSE, &r->memory_bytes);
      add_quantity (capacity, "nvidia.com/gpu", FALSE, &r->gpu);
    }
  s->models[0] = member_string (labels, KS_TRACE_LABEL_GPU_MODEL);
  s->models[1] = NULL;
  if (s->models[0] != NULL)
    r->gpu_models = s->models;
  r->zone = member_string (labels, KS_TRACE_LABEL_ZONE);
}

static gboolean
bad (KsTraceReader *reader, State *s, GError **error, const char *why)
{
  return ks_trace_bad_row (reader, ks_trace_input_get_file (s->input),
                           ks_trace_input_get_line (s->input), error, "%s", why);
}

static gboolean
kubesim_step (gpointer data, KsTraceReader *reader, GError **error)
{
  State *s = data;
  const char *line;
  gsize len;
  JsonNode *root;
  JsonObject *o, *object = NULL, *meta = NULL;
  const char *op, *kind = NULL, *name = NULL;
  KsTraceRecord r = { 0 };
  g_autoptr (GError) parse_error = NULL;

  for (;;)
    {
      if (!ks_trace_input_next_line (s->input, &line, &len, error))
        return FALSE;
      while (len > 0 && g_ascii_isspace (line[len - 1]))
        len--;
      if (len > 0)
        break;
    }
  ks_trace_count_row (reader);
  if (!json_parser_load_from_data (s->parser, line, (gssize) len, &parse_error))
    {
      g_autofree char *why = g_strdup_printf ("not JSON: %s", parse_error->message);
      return bad (reader, s, error, why);
    }
  root = json_parser_get_root (s->parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return bad (reader, s, error, "not a JSON object (expected {\"t\": SECONDS, \"op\": ...})");
  o = json_node_get_object (root);
  r.cpu_milli = r.memory_bytes = r.gpu = r.gpu_milli = r.runtime = -1;
  r.file = ks_trace_input_get_file (s->input);
  r.line = ks_trace_input_get_line (s->input);
  if (!member_seconds (o, "t", &r.time))
    return bad (reader, s, error, "\"t\" must be a number of seconds");
  if (r.time < 0)
    return bad (reader, s, error, "\"t\" must not be negative");
  op = member_string (o, "op");
  if (op == NULL)
    return bad (reader, s, error,
                "\"op\" must be one of \"create\", \"delete\", \"node-add\", \"node-remove\"");
  r.event_name = op;
  if (strcmp (op, "node-remove") == 0)
    {
      r.op = KS_TRACE_NODE_REMOVE;
      r.id = member_string (o, "name");
      if (r.id == NULL)
        return bad (reader, s, error, "node-remove: \"name\" (the node's) is missing");
      ks_trace_emit (reader, &r);
      return TRUE;
    }
  if (strcmp (op, "create") != 0 && strcmp (op, "delete") != 0 && strcmp (op, "node-add") != 0)
    {
      g_autofree char *why = g_strdup_printf (
          "unknown op \"%s\" (valid: create, delete, node-add, node-remove)", op);
      return bad (reader, s, error, why);
    }
  object = member_object (o, "object");
  meta = object != NULL ? member_object (object, "metadata") : NULL;
  kind = object != NULL ? member_string (object, "kind") : NULL;
  name = member_string (meta, "name");
  if (object == NULL || kind == NULL || name == NULL)
    {
      g_autofree char *why = g_strdup_printf (
          "%s: \"object\" must be a Kubernetes object with kind and metadata.name", op);
      return bad (reader, s, error, why);
    }
  r.object = object;
  r.id = name;
  if (strcmp (op, "node-add") == 0)
    {
      if (strcmp (kind, "Node") != 0)
        {
          g_autofree char *why = g_strdup_printf ("node-add: the object is a %s, not a Node", kind);
          return bad (reader, s, error, why);
        }
      r.op = KS_TRACE_NODE_ADD;
      node_capacity (&r, s);
    }
  else if (strcmp (kind, "Pod") != 0)
    {
      r.op = KS_TRACE_OBJECT;
      r.delete = strcmp (op, "delete") == 0;
    }
  else if (strcmp (op, "create") == 0)
    {
      r.op = KS_TRACE_POD_SUBMIT;
      r.job = member_string (member_object (meta, "labels"), KS_TRACE_LABEL_JOB);
      pod_requests (object, &r);
    }
  else
    {
      const char *outcome = member_string (o, "outcome");
      r.op = KS_TRACE_POD_END;
      if (outcome != NULL && !ks_trace_outcome_parse (outcome, &r.outcome))
        {
          g_autofree char *why = g_strdup_printf (
              "delete: unknown outcome \"%s\" (valid: succeeded, failed, killed, evicted, lost)",
              outcome);
          return bad (reader, s, error, why);
        }
      if (json_object_has_member (o, "runtime")
          && (!member_seconds (o, "runtime", &r.runtime) || r.runtime < 0))
        return bad (reader, s, error,
                    "delete: \"runtime\" must be a non-negative number of seconds");
    }
  ks_trace_emit (reader, &r);
  return TRUE;
}

const KsTraceFormat ks_trace_format_kubesim = {
  .name = "kubesim",
  .open = kubesim_open,
  .step = kubesim_step,
  .free = kubesim_free,
  .get_input = kubesim_get_input,
};
