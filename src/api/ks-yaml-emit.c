/* ks-yaml-emit.c: YAML (libyaml's emitter) and Go-style indented JSON from json-glib trees. */
#include "config.h"

#include <string.h>
#include <yaml.h>

#include "ks-yaml-emit.h"
#include "ks-yaml.h"

/* The members of a mapping in byte order of their names (a new list of borrowed strings). */
static GList *
sorted_members (JsonObject *object)
{
  return g_list_sort (json_object_get_members (object), (GCompareFunc) strcmp);
}

/* A number as Go's encoding/json writes a float64 ('g'-like, shortest repr that reads back). */
static char *
format_double (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (v == (double) (gint64) v && v > -1e21 && v < 1e21)
    return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) v);
  return g_strdup (g_ascii_dtostr (buf, sizeof buf, v));
}

/* ---- YAML ------------------------------------------------------------------------------------ */

static int
write_handler (void *data, unsigned char *buffer, size_t size)
{
  g_string_append_len (data, (const char *) buffer, (gssize) size);
  return 1;
}

static gboolean
emit_scalar (yaml_emitter_t *e, const char *text, yaml_scalar_style_t style)
{
  yaml_event_t event;

  yaml_scalar_event_initialize (&event, NULL, NULL, (yaml_char_t *) text, (int) strlen (text), 1, 1,
                                style);
  return yaml_emitter_emit (e, &event);
}

/* digits of at least min and at most max characters at *p; advances *p. */
static gboolean
skip_digits (const char **p, guint min, guint max)
{
  guint n = 0;

  while (g_ascii_isdigit (**p) && n < max)
    (*p)++, n++;
  return n >= min;
}

/* Whether go-yaml v2 reads the plain scalar s as a timestamp (its parseTimestamp formats:
 * "2006-1-2", "2006-1-2T15:4:5.999999999Z07:00" with T or t, "2006-1-2 15:4:5.999999999"), so
 * that kubectl quotes it: creationTimestamp: "2025-01-01T00:00:05Z". */
static gboolean
is_timestamp (const char *s)
{
  const char *p = s;

  if (!skip_digits (&p, 4, 4) || *p++ != '-' || !skip_digits (&p, 1, 2) || *p++ != '-'
      || !skip_digits (&p, 1, 2))
    return FALSE;
  if (*p == '\0')
    return TRUE;
  if (*p != 'T' && *p != 't' && *p != ' ')
    return FALSE;
  {
    gboolean zone = *p != ' ';
    p++;
    if (!skip_digits (&p, 1, 2) || *p++ != ':' || !skip_digits (&p, 1, 2) || *p++ != ':'
        || !skip_digits (&p, 1, 2))
      return FALSE;
    if (*p == '.' && (p++, !skip_digits (&p, 1, 9)))
      return FALSE;
    if (!zone)
      return *p == '\0';
    if (*p == 'Z')
      return p[1] == '\0';
    if (*p != '+' && *p != '-')
      return FALSE;
    p++;
    return skip_digits (&p, 2, 2) && *p++ == ':' && skip_digits (&p, 2, 2) && *p == '\0';
  }
}

static gboolean
emit_string (yaml_emitter_t *e, const char *s)
{
  yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;

  if (strchr (s, '\n') != NULL)
    style = YAML_LITERAL_SCALAR_STYLE;
  else if (!ks_yaml_plain_is_string (s) || is_timestamp (s))
    style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
  return emit_scalar (e, s, style);
}

static gboolean
emit_node (yaml_emitter_t *e, JsonNode *node)
{
  yaml_event_t event;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        GList *members = sorted_members (object);
        gboolean ok;

        yaml_mapping_start_event_initialize (&event, NULL, NULL, 1,
                                             members == NULL ? YAML_FLOW_MAPPING_STYLE
                                                             : YAML_BLOCK_MAPPING_STYLE);
        ok = yaml_emitter_emit (e, &event);
        for (GList *l = members; ok && l != NULL; l = l->next)
          ok = emit_string (e, l->data) && emit_node (e, json_object_get_member (object, l->data));
        g_list_free (members);
        yaml_mapping_end_event_initialize (&event);
        return ok && yaml_emitter_emit (e, &event);
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);
        gboolean ok;

        yaml_sequence_start_event_initialize (
            &event, NULL, NULL, 1, n == 0 ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE);
        ok = yaml_emitter_emit (e, &event);
        for (guint i = 0; ok && i < n; i++)
          ok = emit_node (e, json_array_get_element (array, i));
        yaml_sequence_end_event_initialize (&event);
        return ok && yaml_emitter_emit (e, &event);
      }
    case JSON_NODE_NULL:
      return emit_scalar (e, "null", YAML_PLAIN_SCALAR_STYLE);
    case JSON_NODE_VALUE:
    default:
      {
        GType type = json_node_get_value_type (node);
        g_autofree char *text = NULL;

        if (type == G_TYPE_STRING)
          return emit_string (e, json_node_get_string (node));
        if (type == G_TYPE_BOOLEAN)
          return emit_scalar (e, json_node_get_boolean (node) ? "true" : "false",
                              YAML_PLAIN_SCALAR_STYLE);
        if (type == G_TYPE_INT64)
          text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
        else
          text = format_double (json_node_get_double (node));
        return emit_scalar (e, text, YAML_PLAIN_SCALAR_STYLE);
      }
    }
}

void
ks_yaml_emit (JsonNode *node, GString *out)
{
  yaml_emitter_t e;
  yaml_event_t event;
  gboolean ok;

  yaml_emitter_initialize (&e);
  yaml_emitter_set_output (&e, write_handler, out);
  yaml_emitter_set_unicode (&e, 1);
  yaml_emitter_set_width (&e, -1); /* go-yaml v2 does not fold long lines either */
  yaml_stream_start_event_initialize (&event, YAML_UTF8_ENCODING);
  ok = yaml_emitter_emit (&e, &event);
  yaml_document_start_event_initialize (&event, NULL, NULL, NULL, 1);
  ok = ok && yaml_emitter_emit (&e, &event);
  ok = ok && emit_node (&e, node);
  yaml_document_end_event_initialize (&event, 1);
  ok = ok && yaml_emitter_emit (&e, &event);
  yaml_stream_end_event_initialize (&event);
  ok = ok && yaml_emitter_emit (&e, &event);
  /* The emitter only fails on a malformed event sequence or invalid UTF-8, which the trees
   * kubesim builds do not contain. */
  if (!ok)
    g_warning ("YAML emitter: %s", e.problem != NULL ? e.problem : "unknown error");
  yaml_emitter_delete (&e);
}

/* ---- JSON ------------------------------------------------------------------------------------ */

void
ks_json_append_string (GString *out, const char *s, KsJsonEscape flags)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) s; *p != '\0'; p++)
    {
      if (*p >= 0x80 && (flags & KS_JSON_ESCAPE_UTF8))
        {
          /* JSON text is UTF-8 (RFC 8259 §8.1): a byte that does not start a valid sequence (a
           * file name in a Latin-1 locale, say) becomes U+FFFD, as in Go's encoding/json. */
          gunichar c = g_utf8_get_char_validated ((const char *) p, -1);
          if (c == (gunichar) -1 || c == (gunichar) -2)
            g_string_append (out, "\\ufffd");
          else
            {
              const char *next = g_utf8_next_char (p);
              g_string_append_len (out, (const char *) p, next - (const char *) p);
              p = (const unsigned char *) next - 1;
            }
          continue;
        }
      switch (*p)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        case '<':
        case '>':
        case '&':
          if (flags & KS_JSON_ESCAPE_HTML)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
          break;
        default:
          if (*p < 0x20)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}

/* depth G_MAXUINT: compact output (no newlines or indentation). */
#define COMPACT G_MAXUINT

static void
indent (GString *out, guint depth)
{
  if (depth == COMPACT)
    return;
  g_string_append_c (out, '\n');
  for (guint i = 0; i < depth; i++)
    g_string_append (out, "    ");
}

static void
json_node_write (JsonNode *node, guint depth, GString *out)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        GList *members = sorted_members (object);

        g_string_append_c (out, '{');
        for (GList *l = members; l != NULL; l = l->next)
          {
            indent (out, depth == COMPACT ? COMPACT : depth + 1);
            ks_json_append_string (out, l->data, KS_JSON_ESCAPE_HTML);
            g_string_append (out, depth == COMPACT ? ":" : ": ");
            json_node_write (json_object_get_member (object, l->data),
                             depth == COMPACT ? COMPACT : depth + 1, out);
            if (l->next != NULL)
              g_string_append_c (out, ',');
          }
        if (members != NULL)
          indent (out, depth);
        g_string_append_c (out, '}');
        g_list_free (members);
        break;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            indent (out, depth == COMPACT ? COMPACT : depth + 1);
            json_node_write (json_array_get_element (array, i),
                             depth == COMPACT ? COMPACT : depth + 1, out);
            if (i + 1 < n)
              g_string_append_c (out, ',');
          }
        if (n > 0)
          indent (out, depth);
        g_string_append_c (out, ']');
        break;
      }
    case JSON_NODE_NULL:
      g_string_append (out, "null");
      break;
    case JSON_NODE_VALUE:
    default:
      {
        GType type = json_node_get_value_type (node);
        if (type == G_TYPE_STRING)
          ks_json_append_string (out, json_node_get_string (node), KS_JSON_ESCAPE_HTML);
        else if (type == G_TYPE_BOOLEAN)
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
        else if (type == G_TYPE_INT64)
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
        else
          {
            g_autofree char *text = format_double (json_node_get_double (node));
            g_string_append (out, text);
          }
      }
    }
}

void
ks_json_emit_indented (JsonNode *node, GString *out)
{
  json_node_write (node, 0, out);
  g_string_append_c (out, '\n');
}

void
ks_json_emit_compact (JsonNode *node, GString *out)
{
  json_node_write (node, COMPACT, out);
}
