/* ks-decode.c: typed, position-aware access to json-glib trees. */
#include "config.h"

#include <string.h>

#include "ks-decode.h"
#include "ks-duration.h"
#include "ks-quantity.h"
#include "src/ks-clock.h"

void
ks_decoder_init (KsDecoder *dec, KsSource *source, KsDiag *diag)
{
  dec->source = source;
  dec->diag = diag;
  dec->path = g_string_new (NULL);
  dec->mode = KS_DECODE_MANIFEST;
  dec->epoch = KS_DEFAULT_EPOCH;
}

void
ks_decoder_clear (KsDecoder *dec)
{
  if (dec->path != NULL)
    g_string_free (dec->path, TRUE);
  dec->path = NULL;
}

static gboolean
needs_quoting (const char *field)
{
  for (const char *p = field; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      return TRUE;
  return field[0] == '\0';
}

gsize
ks_decoder_push (KsDecoder *dec, const char *field)
{
  gsize mark = dec->path->len;

  if (needs_quoting (field))
    g_string_append_printf (dec->path, "[\"%s\"]", field);
  else
    {
      if (dec->path->len > 0)
        g_string_append_c (dec->path, '.');
      g_string_append (dec->path, field);
    }
  return mark;
}

gsize
ks_decoder_push_index (KsDecoder *dec, guint index)
{
  gsize mark = dec->path->len;
  g_string_append_printf (dec->path, "[%u]", index);
  return mark;
}

void
ks_decoder_pop (KsDecoder *dec, gsize mark)
{
  g_string_truncate (dec->path, mark);
}

guint
ks_decoder_n_errors (KsDecoder *dec)
{
  return ks_diag_get_count (dec->diag);
}

static void
report (KsDecoder *dec, JsonNode *at, const char *message)
{
  guint line = 0, column = 0;
  const char *file = NULL;

  if (dec->source != NULL)
    {
      file = ks_source_get_name (dec->source);
      if (at != NULL)
        ks_source_get_position (dec->source, at, &line, &column);
    }
  ks_diag_add (dec->diag, file, line, column, dec->path->str, "%s", message);
}

void
ks_decoder_error (KsDecoder *dec, JsonNode *at, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  report (dec, at, message);
}

void
ks_decoder_error_field (KsDecoder *dec, JsonNode *obj, const char *field, const char *format, ...)
{
  g_autofree char *message = NULL;
  JsonNode *at = obj;
  va_list args;
  gsize mark;

  if (obj != NULL && JSON_NODE_HOLDS_OBJECT (obj)
      && json_object_has_member (json_node_get_object (obj), field))
    at = json_object_get_member (json_node_get_object (obj), field);
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  mark = ks_decoder_push (dec, field);
  report (dec, at, message);
  ks_decoder_pop (dec, mark);
}

const char *
ks_decoder_node_type_name (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return "null";
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "a mapping";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "a list";
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      return "a boolean";
    case G_TYPE_INT64:
      return "an integer";
    case G_TYPE_DOUBLE:
      return "a number";
    default:
      return "a string";
    }
}

gboolean
ks_decoder_expect_object (KsDecoder *dec, JsonNode *node)
{
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    return TRUE;
  ks_decoder_error (dec, node, "expected a mapping, got %s", ks_decoder_node_type_name (node));
  return FALSE;
}

gboolean
ks_decoder_expect_array (KsDecoder *dec, JsonNode *node)
{
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    return TRUE;
  ks_decoder_error (dec, node, "expected a list, got %s", ks_decoder_node_type_name (node));
  return FALSE;
}

void
ks_decoder_check_fields (KsDecoder *dec, JsonNode *obj, const char *const *allowed)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  if (obj == NULL || !JSON_NODE_HOLDS_OBJECT (obj))
    return;
  json_object_iter_init (&iter, json_node_get_object (obj));
  while (json_object_iter_next (&iter, &key, &value))
    if (!g_strv_contains (allowed, key))
      {
        g_autofree char *list = g_strjoinv (", ", (char **) allowed);
        guint line = 0, column = 0;
        gsize mark = ks_decoder_push (dec, key);
        if (dec->source != NULL)
          ks_source_get_key_position (dec->source, obj, key, &line, &column);
        ks_diag_add (dec->diag, dec->source ? ks_source_get_name (dec->source) : NULL, line, column,
                     dec->path->str, "unknown field \"%s\"; valid fields: %s", key, list);
        ks_decoder_pop (dec, mark);
      }
}

gpointer
ks_decoder_list (KsDecoder *dec, JsonNode *node, gsize size, KsDecodeItemFunc item,
                 gpointer user_data, guint *n_out)
{
  JsonArray *array;
  guint8 *out;
  guint n;

  *n_out = 0;
  if (!ks_decoder_expect_array (dec, node))
    return NULL;
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  out = g_malloc0 (MAX (n, 1) * size);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      gpointer slot = out + (gsize) *n_out * size;
      gsize mark = ks_decoder_push_index (dec, i);
      if (ks_decoder_expect_object (dec, element))
        {
          if (item (dec, element, slot, user_data))
            (*n_out)++;
          else
            memset (slot, 0, size);
        }
      ks_decoder_pop (dec, mark);
    }
  return out;
}

JsonNode *
ks_decoder_member (JsonNode *obj, const char *field)
{
  JsonNode *m;

  if (obj == NULL || !JSON_NODE_HOLDS_OBJECT (obj))
    return NULL;
  m = json_object_get_member (json_node_get_object (obj), field);
  if (m == NULL || JSON_NODE_HOLDS_NULL (m))
    return NULL;
  return m;
}

char *
ks_decoder_scalar_text (KsDecoder *dec, JsonNode *node)
{
  const char *text;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (dec->source != NULL && (text = ks_source_get_text (dec->source, node)) != NULL)
    return g_strdup (text);
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        return g_strdup (g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
      }
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    default:
      return NULL;
    }
}

gboolean
ks_decoder_string (KsDecoder *dec, JsonNode *node, char **out)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      g_free (*out);
      *out = g_strdup (json_node_get_string (node));
      return TRUE;
    }
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      g_autofree char *text = ks_decoder_scalar_text (dec, node);
      ks_decoder_error (dec, node, "expected a string, got %s (write it in quotes: \"%s\")",
                        ks_decoder_node_type_name (node), text);
    }
  else
    ks_decoder_error (dec, node, "expected a string, got %s", ks_decoder_node_type_name (node));
  return FALSE;
}

gboolean
ks_decoder_get_string (KsDecoder *dec, JsonNode *obj, const char *field, char **out)
{
  JsonNode *m = ks_decoder_member (obj, field);
  gsize mark;
  gboolean ok;

  if (m == NULL)
    return TRUE;
  mark = ks_decoder_push (dec, field);
  ok = ks_decoder_string (dec, m, out);
  ks_decoder_pop (dec, mark);
  return ok;
}

gboolean
ks_decoder_require_string (KsDecoder *dec, JsonNode *obj, const char *field, char **out,
                           const char *hint)
{
  if (ks_decoder_member (obj, field) == NULL)
    {
      ks_decoder_error_field (dec, obj, field, "required field is missing%s", hint ? hint : "");
      return FALSE;
    }
  return ks_decoder_get_string (dec, obj, field, out);
}

static gboolean
get_integer (KsDecoder *dec, JsonNode *m, gint64 *out)
{
  if (JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_INT64)
    {
      *out = json_node_get_int (m);
      return TRUE;
    }
  ks_decoder_error (dec, m, "expected an integer, got %s", ks_decoder_node_type_name (m));
  return FALSE;
}

gboolean
ks_decoder_get_int64 (KsDecoder *dec, JsonNode *obj, const char *field, gint64 *out)
{
  JsonNode *m = ks_decoder_member (obj, field);
  gsize mark;
  gboolean ok;

  if (m == NULL)
    return TRUE;
  mark = ks_decoder_push (dec, field);
  ok = get_integer (dec, m, out);
  ks_decoder_pop (dec, mark);
  return ok;
}

gboolean
ks_decoder_get_int32 (KsDecoder *dec, JsonNode *obj, const char *field, gint32 min, gint32 max,
                      gint32 *out)
{
  JsonNode *m = ks_decoder_member (obj, field);
  gint64 v = 0;
  gsize mark;
  gboolean ok;

  if (m == NULL)
    return TRUE;
  mark = ks_decoder_push (dec, field);
  ok = get_integer (dec, m, &v);
  if (ok && (v < min || v > max))
    {
      if (max == G_MAXINT32)
        ks_decoder_error (dec, m, "must be greater than or equal to %d, got %" G_GINT64_FORMAT, min,
                          v);
      else
        ks_decoder_error (dec, m, "must be between %d and %d, got %" G_GINT64_FORMAT, min, max, v);
      ok = FALSE;
    }
  if (ok)
    *out = (gint32) v;
  ks_decoder_pop (dec, mark);
  return ok;
}

gboolean
ks_decoder_get_bool (KsDecoder *dec, JsonNode *obj, const char *field, gboolean *out)
{
  JsonNode *m = ks_decoder_member (obj, field);
  gsize mark;

  if (m == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_BOOLEAN)
    {
      *out = json_node_get_boolean (m);
      return TRUE;
    }
  mark = ks_decoder_push (dec, field);
  ks_decoder_error (dec, m, "expected true or false, got %s", ks_decoder_node_type_name (m));
  ks_decoder_pop (dec, mark);
  return FALSE;
}

gboolean
ks_decoder_get_str_map (KsDecoder *dec, JsonNode *obj, const char *field, KsStrMap **out)
{
  JsonNode *m = ks_decoder_member (obj, field);
  g_autoptr (GPtrArray) keys = NULL;
  g_autoptr (GPtrArray) values = NULL;
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;
  gboolean ok = TRUE;
  gsize mark;

  if (m == NULL)
    return TRUE;
  mark = ks_decoder_push (dec, field);
  if (!ks_decoder_expect_object (dec, m))
    {
      ks_decoder_pop (dec, mark);
      return FALSE;
    }
  keys = g_ptr_array_new ();
  values = g_ptr_array_new_with_free_func (g_free);
  json_object_iter_init (&iter, json_node_get_object (m));
  while (json_object_iter_next (&iter, &key, &value))
    {
      char *s = NULL;
      gsize mark2 = ks_decoder_push (dec, key);
      if (JSON_NODE_HOLDS_NULL (value))
        s = g_strdup ("");
      else if (!ks_decoder_string (dec, value, &s))
        ok = FALSE;
      ks_decoder_pop (dec, mark2);
      if (s != NULL)
        {
          g_ptr_array_add (keys, (gpointer) key);
          g_ptr_array_add (values, s);
        }
    }
  ks_decoder_pop (dec, mark);
  if (!ok)
    return FALSE;
  ks_str_map_unref (*out);
  *out = ks_str_map_new ((const char *const *) keys->pdata, (const char *const *) values->pdata,
                         keys->len);
  return TRUE;
}

gboolean
ks_decoder_get_strv (KsDecoder *dec, JsonNode *obj, const char *field, char ***out)
{
  JsonNode *m = ks_decoder_member (obj, field);
  g_autoptr (GPtrArray) items = NULL;
  JsonArray *array;
  gboolean ok = TRUE;
  gsize mark;

  if (m == NULL)
    return TRUE;
  mark = ks_decoder_push (dec, field);
  if (!ks_decoder_expect_array (dec, m))
    {
      ks_decoder_pop (dec, mark);
      return FALSE;
    }
  array = json_node_get_array (m);
  items = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      char *s = NULL;
      gsize mark2 = ks_decoder_push_index (dec, i);
      if (ks_decoder_string (dec, json_array_get_element (array, i), &s))
        g_ptr_array_add (items, s);
      else
        ok = FALSE;
      ks_decoder_pop (dec, mark2);
    }
  ks_decoder_pop (dec, mark);
  if (!ok)
    return FALSE;
  g_ptr_array_add (items, NULL);
  g_strfreev (*out);
  *out = (char **) g_ptr_array_steal (items, NULL);
  return TRUE;
}

gboolean
ks_decoder_get_enum (KsDecoder *dec, JsonNode *obj, const char *field, const char *const *choices,
                     int *out)
{
  JsonNode *m = ks_decoder_member (obj, field);
  g_autofree char *s = NULL;
  gsize mark;
  gboolean ok = FALSE;

  if (m == NULL)
    return TRUE;
  mark = ks_decoder_push (dec, field);
  if (ks_decoder_string (dec, m, &s))
    {
      for (int i = 0; choices[i] != NULL; i++)
        if (strcmp (s, choices[i]) == 0)
          {
            *out = i;
            ok = TRUE;
          }
      if (!ok)
        {
          g_autofree char *list = g_strjoinv (", ", (char **) choices);
          ks_decoder_error (dec, m, "unsupported value \"%s\": supported values: %s", s, list);
        }
    }
  ks_decoder_pop (dec, mark);
  return ok;
}

gboolean
ks_decoder_duration (KsDecoder *dec, JsonNode *node, gint64 *out)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    {
      ks_decoder_error (dec, node, "expected a duration such as \"30s\" or \"1h30m\", got %s",
                        ks_decoder_node_type_name (node));
      return FALSE;
    }
  text = ks_decoder_scalar_text (dec, node);
  if (!ks_duration_parse (text, out, &error))
    {
      ks_decoder_error (dec, node, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
ks_decoder_get_duration (KsDecoder *dec, JsonNode *obj, const char *field, gint64 *out)
{
  JsonNode *m = ks_decoder_member (obj, field);
  gsize mark;
  gboolean ok;

  if (m == NULL)
    return TRUE;
  mark = ks_decoder_push (dec, field);
  ok = ks_decoder_duration (dec, m, out);
  ks_decoder_pop (dec, mark);
  return ok;
}

/* n decimal digits at *p (advanced past them). */
static gboolean
parse_digits (const char **p, guint n, int *out)
{
  int v = 0;

  /* Stops at the first non-digit, so never reads past a NUL. */
  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit ((*p)[i]))
        return FALSE;
      v = v * 10 + ((*p)[i] - '0');
    }
  *p += n;
  *out = v;
  return TRUE;
}

gboolean
ks_time_parse_rfc3339 (const char *text, gint64 epoch, gint64 *out)
{
  const char *p = text;
  int year, month, day, hour, minute, second, off_h = 0, off_m = 0, sign = 0;
  gint64 frac = 0, usec;
  g_autoptr (GDateTime) dt = NULL;

  if (!parse_digits (&p, 4, &year) || *p != '-')
    return FALSE;
  p++;
  if (!parse_digits (&p, 2, &month) || *p != '-')
    return FALSE;
  p++;
  if (!parse_digits (&p, 2, &day) || (*p != 'T' && *p != 't'))
    return FALSE;
  p++;
  if (!parse_digits (&p, 2, &hour) || *p != ':')
    return FALSE;
  p++;
  if (!parse_digits (&p, 2, &minute) || *p != ':')
    return FALSE;
  p++;
  if (!parse_digits (&p, 2, &second))
    return FALSE;
  if (*p == '.')
    {
      guint n = 0;
      p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      for (; g_ascii_isdigit (*p); p++, n++)
        if (n < 6)
          frac = frac * 10 + (*p - '0');
      for (; n < 6; n++)
        frac *= 10;
    }
  if (*p == 'Z' || *p == 'z')
    p++;
  else if (*p == '+' || *p == '-')
    {
      sign = *p == '+' ? 1 : -1;
      p++;
      if (!parse_digits (&p, 2, &off_h) || *p != ':')
        return FALSE;
      p++;
      if (!parse_digits (&p, 2, &off_m) || off_h > 23 || off_m > 59)
        return FALSE;
    }
  else
    return FALSE;
  if (*p != '\0' || year < 1 || month < 1 || month > 12 || day < 1
      || day > g_date_get_days_in_month (month, year) || hour > 23 || minute > 59 || second > 59)
    return FALSE;
  if (year == 1 && month == 1 && day == 1 && hour == 0 && minute == 0 && second == 0 && frac == 0
      && sign == 0)
    {
      *out = KS_TIME_NONE;
      return TRUE;
    }
  dt = g_date_time_new_utc (year, month, day, hour, minute, 0);
  if (dt == NULL)
    return FALSE;
  usec = (g_date_time_to_unix (dt) + second - sign * (off_h * 3600 + off_m * 60)) * KS_USEC_PER_SEC
         + frac;
  *out = usec - epoch;
  return TRUE;
}

gboolean
ks_decoder_get_time (KsDecoder *dec, JsonNode *obj, const char *field, gint64 *out)
{
  JsonNode *m = ks_decoder_member (obj, field);
  g_autofree char *text = NULL;
  gsize mark;
  gboolean ok;

  if (m == NULL)
    return TRUE;
  mark = ks_decoder_push (dec, field);
  ok = ks_decoder_string (dec, m, &text);
  if (ok && !ks_time_parse_rfc3339 (text, dec->epoch, out))
    {
      ks_decoder_error (dec, m,
                        "invalid time \"%s\": expected an RFC 3339 time such as "
                        "\"2025-01-01T00:00:05Z\"",
                        text);
      ok = FALSE;
    }
  ks_decoder_pop (dec, mark);
  return ok;
}

static gboolean
quantity (KsDecoder *dec, JsonNode *node, gboolean milli, gint64 *out)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    {
      ks_decoder_error (dec, node, "expected a quantity such as \"500m\", \"2\" or \"1Gi\", got %s",
                        ks_decoder_node_type_name (node));
      return FALSE;
    }
  text = ks_decoder_scalar_text (dec, node);
  ok = milli ? ks_quantity_parse_milli (text, out, &error)
             : ks_quantity_parse_value (text, out, &error);
  if (!ok)
    ks_decoder_error (dec, node, "%s", error->message);
  return ok;
}

gboolean
ks_decoder_quantity_milli (KsDecoder *dec, JsonNode *node, gint64 *out)
{
  return quantity (dec, node, TRUE, out);
}

gboolean
ks_decoder_quantity_value (KsDecoder *dec, JsonNode *node, gint64 *out)
{
  return quantity (dec, node, FALSE, out);
}

/* Kubernetes name rules (k8s.io/apimachinery/pkg/util/validation). */

static gboolean
is_dns1123_label (const char *s, gsize len)
{
  if (len == 0 || len > 63)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = s[i];
      if (!(g_ascii_islower (c) || g_ascii_isdigit (c) || c == '-'))
        return FALSE;
    }
  return s[0] != '-' && s[len - 1] != '-';
}

const char *
ks_validate_dns1123_label (const char *name)
{
  if (!is_dns1123_label (name, strlen (name)))
    return "must be a lowercase RFC 1123 label: at most 63 characters, lowercase letters, digits "
           "and '-', starting and ending with a letter or digit (e.g. \"my-name\")";
  return NULL;
}

const char *
ks_validate_dns1123_subdomain (const char *name)
{
  gsize len = strlen (name);
  const char *p = name;

  if (len == 0 || len > 253)
    goto bad;
  while (TRUE)
    {
      const char *dot = strchr (p, '.');
      gsize part = dot != NULL ? (gsize) (dot - p) : strlen (p);
      if (!is_dns1123_label (p, part))
        goto bad;
      if (dot == NULL)
        break;
      p = dot + 1;
    }
  return NULL;
bad:
  return "must be a lowercase RFC 1123 subdomain: at most 253 characters, lowercase letters, "
         "digits, '-' and '.', starting and ending with a letter or digit (e.g. \"example.com\")";
}

static gboolean
is_qualified_name_part (const char *s, gsize len)
{
  if (len == 0 || len > 63)
    return FALSE;
  if (!g_ascii_isalnum (s[0]) || !g_ascii_isalnum (s[len - 1]))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
      return FALSE;
  return TRUE;
}

const char *
ks_validate_label_key (const char *key)
{
  const char *slash = strchr (key, '/');
  const char *name = key;

  if (slash != NULL)
    {
      g_autofree char *prefix = g_strndup (key, slash - key);
      if (ks_validate_dns1123_subdomain (prefix) != NULL)
        return "the prefix before '/' must be a DNS subdomain (e.g. \"example.com/my-key\")";
      name = slash + 1;
    }
  if (!is_qualified_name_part (name, strlen (name)))
    return "must be a qualified name: an optional DNS subdomain prefix and '/', then at most 63 "
           "characters of letters, digits, '-', '_' and '.', starting and ending with a letter or "
           "digit (e.g. \"app\" or \"example.com/tier\")";
  return NULL;
}

const char *
ks_validate_label_value (const char *value)
{
  gsize len = strlen (value);
  if (len == 0)
    return NULL;
  if (!is_qualified_name_part (value, len))
    return "a label value must be empty or at most 63 characters of letters, digits, '-', '_' "
           "and '.', starting and ending with a letter or digit";
  return NULL;
}

const char *
ks_validate_port_name (const char *name)
{
  gsize len = strlen (name);
  gboolean letter = FALSE;

  if (len > 15)
    return "must be no more than 15 characters";
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_islower (name[i]) && !g_ascii_isdigit (name[i]) && name[i] != '-')
        return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
      letter |= g_ascii_islower (name[i]);
    }
  if (!letter)
    return "must contain at least one letter (a-z)";
  if (strstr (name, "--") != NULL)
    return "must not contain consecutive hyphens (-)";
  if (name[0] == '-' || name[len - 1] == '-')
    return "must not begin or end with a hyphen (-)";
  return NULL;
}
