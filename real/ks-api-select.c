/* ks-api-select.c: label and field selectors from query strings (see ks-api-select.h). */
#include "config.h"

#include <string.h>

#include "ks-api-select.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-selector.h"
#include "src/store/ks-store.h"

/* The fields Kubernetes lets a field selector use, beyond metadata.name and metadata.namespace
 * (each kind's GetAttrs / field label conversion), with where kubesim's JSON keeps them and
 * what an unset field reads as. */
static const struct
{
  const char *kind;
  const char *field;
  const char *json_path;
  const char *unset;
} selectable[] = {
  { "Pod", "spec.nodeName", "spec.nodeName", "" },
  { "Pod", "spec.restartPolicy", "spec.restartPolicy", "" },
  { "Pod", "spec.schedulerName", "spec.schedulerName", "" },
  { "Pod", "spec.serviceAccountName", "spec.serviceAccountName", "" },
  { "Pod", "spec.hostNetwork", "spec.hostNetwork", "false" },
  { "Pod", "status.phase", "status.phase", "" },
  { "Pod", "status.podIP", "status.podIP", "" },
  { "Pod", "status.nominatedNodeName", "status.nominatedNodeName", "" },
  { "Node", "spec.unschedulable", "spec.unschedulable", "false" },
  { "Namespace", "status.phase", "status.phase", "" },
  { "ReplicaSet", "status.replicas", "status.replicas", "0" },
  { "Event", "involvedObject.kind", "involvedObject.kind", "" },
  { "Event", "involvedObject.namespace", "involvedObject.namespace", "" },
  { "Event", "involvedObject.name", "involvedObject.name", "" },
  { "Event", "involvedObject.uid", "involvedObject.uid", "" },
  { "Event", "involvedObject.apiVersion", "involvedObject.apiVersion", "" },
  { "Event", "involvedObject.resourceVersion", "involvedObject.resourceVersion", "" },
  { "Event", "involvedObject.fieldPath", "involvedObject.fieldPath", "" },
  { "Event", "reason", "reason", "" },
  { "Event", "reportingComponent", "reportingComponent", "" },
  { "Event", "source", "source.component", "" },
  { "Event", "type", "type", "" },
  { "Secret", "type", "type", "" },
};

typedef struct
{
  char *field;
  char *value;
  gboolean negate;
} FieldTerm;

struct _KsApiSelector
{
  const KsKind *kind;
  GArray *labels; /* KsRequirement */
  GArray *fields; /* FieldTerm */
};

static void
requirement_clear (gpointer p)
{
  KsRequirement *r = p;
  g_free (r->key);
  g_strfreev (r->values);
}

static void
field_term_clear (gpointer p)
{
  FieldTerm *t = p;
  g_free (t->field);
  g_free (t->value);
}

void
ks_api_selector_free (KsApiSelector *selector)
{
  if (selector == NULL)
    return;
  g_array_unref (selector->labels);
  g_array_unref (selector->fields);
  g_free (selector);
}

/* Label selector lexer (labels.Parse) */

typedef enum
{
  TOK_END,
  TOK_ID,
  TOK_COMMA,
  TOK_EQ,        /* = */
  TOK_DOUBLE_EQ, /* == */
  TOK_NEQ,       /* != */
  TOK_NOT,       /* ! */
  TOK_GT,
  TOK_LT,
  TOK_OPEN,
  TOK_CLOSE,
  TOK_IN,
  TOK_NOTIN,
} TokType;

typedef struct
{
  const char *text;
  gsize pos;
  TokType type;
  char *value; /* TOK_ID, TOK_IN, TOK_NOTIN: the word */
} Lexer;

static gboolean
is_special (char c)
{
  return c == '!' || c == ',' || c == '=' || c == '(' || c == ')' || c == '<' || c == '>';
}

static void
lex_next (Lexer *lx)
{
  const char *s = lx->text;

  g_clear_pointer (&lx->value, g_free);
  while (s[lx->pos] == ' ' || s[lx->pos] == '\t' || s[lx->pos] == '\n' || s[lx->pos] == '\r')
    lx->pos++;
  switch (s[lx->pos])
    {
    case '\0':
      lx->type = TOK_END;
      return;
    case ',':
      lx->type = TOK_COMMA, lx->pos++;
      return;
    case '(':
      lx->type = TOK_OPEN, lx->pos++;
      return;
    case ')':
      lx->type = TOK_CLOSE, lx->pos++;
      return;
    case '>':
      lx->type = TOK_GT, lx->pos++;
      return;
    case '<':
      lx->type = TOK_LT, lx->pos++;
      return;
    case '=':
      lx->pos++;
      lx->type = TOK_EQ;
      if (s[lx->pos] == '=')
        lx->type = TOK_DOUBLE_EQ, lx->pos++;
      return;
    case '!':
      lx->pos++;
      lx->type = TOK_NOT;
      if (s[lx->pos] == '=')
        lx->type = TOK_NEQ, lx->pos++;
      return;
    default:
      {
        gsize start = lx->pos;
        while (s[lx->pos] != '\0' && !is_special (s[lx->pos]) && s[lx->pos] != ' '
               && s[lx->pos] != '\t' && s[lx->pos] != '\n' && s[lx->pos] != '\r')
          lx->pos++;
        lx->value = g_strndup (s + start, lx->pos - start);
        lx->type = strcmp (lx->value, "in") == 0      ? TOK_IN
                   : strcmp (lx->value, "notin") == 0 ? TOK_NOTIN
                                                      : TOK_ID;
      }
    }
}

static const char *
token_text (const Lexer *lx)
{
  static const char *const names[] = { "", "", ",", "=", "==", "!=", "!", ">", "<", "(", ")" };

  if (lx->value != NULL)
    return lx->value;
  return lx->type < G_N_ELEMENTS (names) ? names[lx->type] : "";
}

static gboolean
check_key (const char *key, GError **error)
{
  const char *why = ks_validate_label_key (key);

  if (why != NULL)
    {
      g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_BAD_REQUEST,
                   "unable to parse requirement: invalid label key \"%s\": %s", key, why);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_value (const char *value, GError **error)
{
  const char *why = ks_validate_label_value (value);

  if (why != NULL)
    {
      g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_BAD_REQUEST,
                   "unable to parse requirement: invalid label value: \"%s\": %s", value, why);
      return FALSE;
    }
  return TRUE;
}

static int
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static gboolean
parse_requirement (Lexer *lx, KsRequirement *req, GError **error)
{
  GPtrArray *values;

  if (lx->type == TOK_NOT)
    {
      lex_next (lx);
      if (lx->type != TOK_ID)
        goto unexpected;
      if (!check_key (lx->value, error))
        return FALSE;
      req->key = g_steal_pointer (&lx->value);
      req->op = KS_SELECTOR_DOES_NOT_EXIST;
      req->values = g_new0 (char *, 1);
      lex_next (lx);
      return TRUE;
    }
  if (lx->type != TOK_ID)
    goto unexpected;
  if (!check_key (lx->value, error))
    return FALSE;
  req->key = g_steal_pointer (&lx->value);
  lex_next (lx);
  values = g_ptr_array_new ();
  switch (lx->type)
    {
    case TOK_END:
    case TOK_COMMA:
      req->op = KS_SELECTOR_EXISTS;
      break;
    case TOK_EQ:
    case TOK_DOUBLE_EQ:
    case TOK_NEQ:
      req->op = lx->type == TOK_NEQ ? KS_SELECTOR_NOT_IN : KS_SELECTOR_IN;
      lex_next (lx);
      if (lx->type == TOK_ID || lx->type == TOK_IN || lx->type == TOK_NOTIN)
        {
          if (!check_value (lx->value, error))
            goto fail;
          g_ptr_array_add (values, g_steal_pointer (&lx->value));
          lex_next (lx);
        }
      else if (lx->type == TOK_END || lx->type == TOK_COMMA)
        g_ptr_array_add (values, g_strdup (""));
      else
        goto unexpected_values;
      break;
    case TOK_GT:
    case TOK_LT:
      {
        char *end;
        req->op = lx->type == TOK_GT ? KS_SELECTOR_GT : KS_SELECTOR_LT;
        lex_next (lx);
        if (lx->type != TOK_ID)
          goto unexpected_values;
        req->number = g_ascii_strtoll (lx->value, &end, 10);
        if (*end != '\0' || lx->value[0] == '\0')
          {
            g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_BAD_REQUEST,
                         "unable to parse requirement: for 'Gt', 'Lt' operators, the value must "
                         "be an integer: \"%s\"",
                         lx->value);
            goto fail;
          }
        g_ptr_array_add (values, g_steal_pointer (&lx->value));
        lex_next (lx);
        break;
      }
    case TOK_IN:
    case TOK_NOTIN:
      req->op = lx->type == TOK_IN ? KS_SELECTOR_IN : KS_SELECTOR_NOT_IN;
      lex_next (lx);
      if (lx->type != TOK_OPEN)
        goto unexpected_values;
      lex_next (lx);
      for (;;)
        {
          if (lx->type == TOK_ID || lx->type == TOK_IN || lx->type == TOK_NOTIN)
            {
              if (!check_value (lx->value, error))
                goto fail;
              g_ptr_array_add (values, g_steal_pointer (&lx->value));
              lex_next (lx);
            }
          else
            g_ptr_array_add (values, g_strdup ("")); /* "a in (x,)": an empty value */
          if (lx->type == TOK_CLOSE)
            break;
          if (lx->type != TOK_COMMA)
            goto unexpected_values;
          lex_next (lx);
        }
      lex_next (lx);
      break;
    default:
      goto unexpected_values;
    }
  g_ptr_array_sort (values, cmp_str);
  req->n_values = values->len;
  g_ptr_array_add (values, NULL);
  req->values = (char **) g_ptr_array_free (values, FALSE);
  return TRUE;

unexpected_values:
  g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_BAD_REQUEST,
               "unable to parse requirement: found '%s', expected: '=', '!=', '==', 'in', "
               "'notin', '>', '<' or a value",
               token_text (lx));
fail:
  g_ptr_array_set_free_func (values, g_free);
  g_ptr_array_unref (values);
  return FALSE;

unexpected:
  g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_BAD_REQUEST,
               "unable to parse requirement: found '%s', expected: !, identifier", token_text (lx));
  return FALSE;
}

static gboolean
parse_labels (const char *text, GArray *out, GError **error)
{
  Lexer lx = { text, 0, TOK_END, NULL };
  gboolean ok = TRUE;

  lex_next (&lx);
  if (lx.type == TOK_END)
    return TRUE;
  for (;;)
    {
      KsRequirement req = { 0 };
      if (!parse_requirement (&lx, &req, error))
        {
          requirement_clear (&req);
          ok = FALSE;
          break;
        }
      g_array_append_val (out, req);
      if (lx.type == TOK_END)
        break;
      if (lx.type != TOK_COMMA)
        {
          g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_BAD_REQUEST,
                       "unable to parse requirement: found '%s', expected: ',' or 'end of string'",
                       token_text (&lx));
          ok = FALSE;
          break;
        }
      lex_next (&lx);
    }
  g_free (lx.value);
  return ok;
}

/* Field selectors (fields.ParseSelector) */

static gboolean
field_supported (const KsKind *kind, const char *field)
{
  if (strcmp (field, "metadata.name") == 0 || strcmp (field, "metadata.namespace") == 0)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (selectable); i++)
    if (strcmp (selectable[i].kind, kind->name) == 0 && strcmp (selectable[i].field, field) == 0)
      return TRUE;
  return FALSE;
}

/* Split text on commas not escaped by a backslash; unescape each part's value later. */
static GPtrArray *
split_terms (const char *text)
{
  GPtrArray *parts = g_ptr_array_new_with_free_func (g_free);
  GString *cur = g_string_new (NULL);

  for (const char *c = text; *c != '\0'; c++)
    {
      if (*c == '\\' && c[1] != '\0')
        {
          g_string_append_c (cur, *c);
          g_string_append_c (cur, *++c);
        }
      else if (*c == ',')
        {
          g_ptr_array_add (parts, g_string_free (cur, FALSE));
          cur = g_string_new (NULL);
        }
      else
        g_string_append_c (cur, *c);
    }
  g_ptr_array_add (parts, g_string_free (cur, FALSE));
  return parts;
}

static char *
unescape (const char *s)
{
  GString *out = g_string_new (NULL);

  for (const char *c = s; *c != '\0'; c++)
    {
      if (*c == '\\' && c[1] != '\0')
        c++;
      g_string_append_c (out, *c);
    }
  return g_string_free (out, FALSE);
}

static gboolean
parse_fields (const KsKind *kind, const char *text, GArray *out, GError **error)
{
  g_autoptr (GPtrArray) parts = NULL;

  if (text[0] == '\0')
    return TRUE;
  parts = split_terms (text);
  for (guint i = 0; i < parts->len; i++)
    {
      const char *term = g_ptr_array_index (parts, i);
      FieldTerm t = { 0 };
      const char *op = NULL;
      gsize op_len = 0;

      /* The first operator in the term, "!=" and "==" before "=". */
      for (const char *c = term; *c != '\0' && op == NULL; c++)
        {
          if (*c == '\\' && c[1] != '\0')
            {
              c++;
              continue;
            }
          if (c[0] == '!' && c[1] == '=')
            op = c, op_len = 2, t.negate = TRUE;
          else if (c[0] == '=' && c[1] == '=')
            op = c, op_len = 2;
          else if (c[0] == '=')
            op = c, op_len = 1;
        }
      if (op == NULL || op == term)
        {
          g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_BAD_REQUEST,
                       "invalid selector: '%s'; can't understand '%s'", text, term);
          return FALSE;
        }
      t.field = g_strstrip (g_strndup (term, op - term));
      if (!field_supported (kind, t.field))
        {
          g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_BAD_REQUEST,
                       "field label not supported: %s", t.field);
          field_term_clear (&t);
          return FALSE;
        }
      t.value = unescape (op + op_len);
      g_array_append_val (out, t);
    }
  return TRUE;
}

KsApiSelector *
ks_api_selector_new (const KsKind *kind, const char *label_selector, const char *field_selector,
                     GError **error)
{
  g_autoptr (KsApiSelector) sel = g_new0 (KsApiSelector, 1);

  sel->kind = kind;
  sel->labels = g_array_new (FALSE, TRUE, sizeof (KsRequirement));
  g_array_set_clear_func (sel->labels, requirement_clear);
  sel->fields = g_array_new (FALSE, TRUE, sizeof (FieldTerm));
  g_array_set_clear_func (sel->fields, field_term_clear);
  if (label_selector != NULL && !parse_labels (label_selector, sel->labels, error))
    return NULL;
  if (field_selector != NULL && !parse_fields (kind, field_selector, sel->fields, error))
    return NULL;
  return g_steal_pointer (&sel);
}

gboolean
ks_api_selector_is_empty (const KsApiSelector *selector)
{
  return selector->labels->len == 0 && selector->fields->len == 0;
}

static char *
json_scalar_text (JsonNode *node)
{
  GType t;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  t = json_node_get_value_type (node);
  if (t == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (t == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (node) ? "true" : "false");
  if (t == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (t == G_TYPE_DOUBLE)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      return g_strdup (g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
    }
  return NULL;
}

char *
ks_api_field_value (const KsObject *obj, const char *field)
{
  const char *json_path = NULL, *unset = "";
  g_autoptr (JsonNode) root = NULL;
  g_auto (GStrv) parts = NULL;
  JsonNode *node;
  char *text;

  if (strcmp (field, "metadata.name") == 0)
    return g_strdup (obj->meta.name != NULL ? obj->meta.name : "");
  if (strcmp (field, "metadata.namespace") == 0)
    return g_strdup (obj->meta.namespace != NULL ? obj->meta.namespace : "");
  /* The kubelets' and the scheduler's selectors, without encoding the pod. */
  if (obj->kind->id == KS_KIND_POD && strcmp (field, "spec.nodeName") == 0)
    return g_strdup (KS_POD (obj)->node_name != NULL ? KS_POD (obj)->node_name : "");
  if (obj->kind->id == KS_KIND_POD && strcmp (field, "status.phase") == 0)
    return g_strdup (ks_pod_phase_name (KS_POD (obj)->phase));
  for (guint i = 0; i < G_N_ELEMENTS (selectable) && json_path == NULL; i++)
    if (strcmp (selectable[i].kind, obj->kind->name) == 0
        && strcmp (selectable[i].field, field) == 0)
      json_path = selectable[i].json_path, unset = selectable[i].unset;
  if (json_path == NULL)
    return NULL;
  root = ks_object_encode (obj, 0);
  parts = g_strsplit (json_path, ".", -1);
  node = root;
  for (guint i = 0; parts[i] != NULL && node != NULL; i++)
    {
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      node = o != NULL && json_object_has_member (o, parts[i])
                 ? json_object_get_member (o, parts[i])
                 : NULL;
    }
  text = json_scalar_text (node);
  return text != NULL ? text : g_strdup (unset);
}

gboolean
ks_api_selector_matches (const KsApiSelector *selector, const KsObject *obj)
{
  for (guint i = 0; i < selector->labels->len; i++)
    if (!ks_requirement_matches (&g_array_index (selector->labels, KsRequirement, i),
                                 obj->meta.labels))
      return FALSE;
  for (guint i = 0; i < selector->fields->len; i++)
    {
      const FieldTerm *t = &g_array_index (selector->fields, FieldTerm, i);
      g_autofree char *value = ks_api_field_value (obj, t->field);
      gboolean equal = value != NULL && strcmp (value, t->value) == 0;
      if (equal == t->negate)
        return FALSE;
    }
  return TRUE;
}
