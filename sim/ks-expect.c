/* ks-expect.c: the expression language and the expectations of a run (ks-expect.h).  The parser
 * is a hand-written recursive descent over the grammar in ks-expect.h: the language is small and
 * the messages must say what was expected where.  Object fields are read by walking the
 * object's JSON encoding (what `kubectl get -o json` shows) along the path's segments; json-glib's
 * JsonPath does not fit: an index past the end of a list makes it fail an assertion (json-glib
 * 1.6) where a missing field must read as null. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ks-expect.h"
#include "src/api/ks-duration.h"
#include "src/api/ks-yaml.h"

G_DEFINE_QUARK (ks - expr - error - quark, ks_expr_error)

const char *const ks_expr_cluster_metrics[] = {
  "nodes",          "nodes_ready", "pods_pending",        "pods_unscheduled",       "pods_running",
  "pods_succeeded", "pods_failed", "cpu_requested_ratio", "memory_requested_ratio", NULL
};

const char *const ks_expr_service_figures[] = { "requests",
                                                "served",
                                                "dropped",
                                                "dropped_no_endpoints",
                                                "dropped_over_capacity",
                                                "latency_mean",
                                                "latency_p50",
                                                "latency_p90",
                                                "latency_p95",
                                                "latency_p99",
                                                NULL };

typedef enum
{
  N_NUMBER,
  N_STRING,
  N_BOOL,
  N_NULL,
  N_TIME,
  N_CLUSTER, /* str: the metric */
  N_FIELD,   /* kind, ns, name, path */
  N_SERVICE, /* ns, name, str: the figure */
  N_COUNT,
  N_METRIC, /* str: the metric, name: the object */
  N_NOT,
  N_NEG,
  N_BINARY, /* op, a, b */
} NodeType;

typedef enum
{
  OP_NONE,
  OP_OR,
  OP_AND,
  OP_EQ,
  OP_NE,
  OP_LT,
  OP_LE,
  OP_GT,
  OP_GE,
  OP_ADD,
  OP_SUB,
  OP_MUL,
  OP_DIV,
  OP_MOD,
} Op;

static const char *const op_text[]
    = { "", "||", "&&", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%" };

typedef enum
{
  C_EVENT,
  C_OBJECT,
  C_TYPE,
  C_NODE,
} CondField;

typedef struct
{
  CondField field;
  gboolean negate;
  char *value;
  const KsKind *kind; /* object: the kind, namespace and name of "kind/[ns/]name" */
  char *ns, *name;
} Cond;

struct _KsExpr
{
  NodeType type;
  Op op;
  double number;
  gboolean boolean;
  char *str;
  KsExpr *a, *b;
  const KsKind *kind;
  char *ns, *name;
  GPtrArray *path; /* char*: a member name, or "[N]" for a list index */
  char *path_text; /* ".status.readyReplicas", for messages */
  GArray *conds;   /* Cond */
  guint64 count;
};

void
ks_expr_free (KsExpr *e)
{
  if (e == NULL)
    return;
  ks_expr_free (e->a);
  ks_expr_free (e->b);
  g_free (e->str);
  g_free (e->ns);
  g_free (e->name);
  g_clear_pointer (&e->path, g_ptr_array_unref);
  g_free (e->path_text);
  if (e->conds != NULL)
    {
      for (guint i = 0; i < e->conds->len; i++)
        {
          Cond *c = &g_array_index (e->conds, Cond, i);
          g_free (c->value);
          g_free (c->ns);
          g_free (c->name);
        }
      g_array_unref (e->conds);
    }
  g_free (e);
}

static KsExpr *
node_new (NodeType type)
{
  KsExpr *e = g_new0 (KsExpr, 1);
  e->type = type;
  return e;
}

/* Lexer */

typedef enum
{
  T_END,
  T_NUMBER,
  T_STRING,
  T_NAME,
  T_PUNCT, /* text: the operator or punctuation */
  T_BAD,
} TokType;

typedef struct
{
  const char *text;
  guint pos;   /* after the current token */
  TokType tok; /* the current token */
  guint start; /* its offset */
  char *value; /* its text (name, string contents, punctuation, number) */
  double number;
  GError *error;
  guint error_offset;
} Parser;

static void fail (Parser *p, guint offset, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
fail (Parser *p, guint offset, const char *format, ...)
{
  va_list args;

  if (p->error != NULL)
    return;
  va_start (args, format);
  p->error = g_error_new_valist (KS_EXPR_ERROR, 0, format, args);
  va_end (args);
  p->error_offset = offset;
}

static gboolean
is_name_start (char c)
{
  return g_ascii_isalpha (c) || c == '_';
}

/* Names hold '-' (object names such as web-frontend): write spaces around a minus sign. */
static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '-';
}

static void
next (Parser *p)
{
  const char *s = p->text;
  guint i = p->pos;
  static const char *const puncts[] = { "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "+", "-",
                                        "*",  "/",  "%",  "(",  ")",  "[",  "]", ",", ".", NULL };

  g_clear_pointer (&p->value, g_free);
  while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
    i++;
  p->start = i;
  if (s[i] == '\0')
    {
      p->tok = T_END;
      p->pos = i;
      return;
    }
  if (g_ascii_isdigit (s[i]) || (s[i] == '.' && g_ascii_isdigit (s[i + 1])))
    {
      char *end = NULL;
      p->number = g_ascii_strtod (s + i, &end);
      if (is_name_char (*end) && *end != '-')
        {
          p->tok = T_BAD;
          fail (p, i, "invalid number \"%.*s\"", (int) (end - (s + i) + 1), s + i);
          p->pos = end - s;
          return;
        }
      p->tok = T_NUMBER;
      p->value = g_strndup (s + i, end - (s + i));
      p->pos = end - s;
      return;
    }
  if (s[i] == '\'' || s[i] == '"')
    {
      char q = s[i];
      guint j = i + 1;
      while (s[j] != '\0' && s[j] != q)
        j++;
      if (s[j] == '\0')
        {
          p->tok = T_BAD;
          fail (p, i, "unterminated string: a %c without its closing %c", q, q);
          p->pos = j;
          return;
        }
      p->tok = T_STRING;
      p->value = g_strndup (s + i + 1, j - i - 1);
      p->pos = j + 1;
      return;
    }
  if (is_name_start (s[i]))
    {
      guint j = i;
      while (is_name_char (s[j]))
        j++;
      p->tok = T_NAME;
      p->value = g_strndup (s + i, j - i);
      p->pos = j;
      return;
    }
  for (guint k = 0; puncts[k] != NULL; k++)
    if (strncmp (s + i, puncts[k], strlen (puncts[k])) == 0)
      {
        p->tok = T_PUNCT;
        p->value = g_strdup (puncts[k]);
        p->pos = i + strlen (puncts[k]);
        return;
      }
  p->tok = T_BAD;
  p->pos = i + 1;
  if (s[i] == '=')
    fail (p, i, "unexpected \"=\": compare with \"==\"");
  else if (s[i] == '&' || s[i] == '|')
    fail (p, i, "unexpected \"%c\": use \"%c%c\"", s[i], s[i], s[i]);
  else
    fail (p, i, "unexpected character \"%c\"", s[i]);
}

static gboolean
is_punct (Parser *p, const char *text)
{
  return p->tok == T_PUNCT && strcmp (p->value, text) == 0;
}

static gboolean
is_name (Parser *p, const char *text)
{
  return p->tok == T_NAME && strcmp (p->value, text) == 0;
}

static const char *
describe (Parser *p)
{
  switch (p->tok)
    {
    case T_END:
      return "the end";
    case T_NUMBER:
      return "a number";
    case T_STRING:
      return "a string";
    case T_NAME:
      return "a name";
    default:
      return "\"?\"";
    }
}

static void
fail_expected (Parser *p, const char *what)
{
  if (p->tok == T_PUNCT || p->tok == T_NAME)
    fail (p, p->start, "expected %s, got \"%s\"", what, p->value);
  else
    fail (p, p->start, "expected %s, got %s", what, describe (p));
}

static gboolean
expect_punct (Parser *p, const char *text)
{
  g_autofree char *what = NULL;

  if (is_punct (p, text))
    {
      next (p);
      return TRUE;
    }
  what = g_strdup_printf ("\"%s\"", text);
  fail_expected (p, what);
  return FALSE;
}

static KsExpr *parse_or (Parser *p);

static gboolean
in_list (const char *const *list, const char *s)
{
  for (guint i = 0; list[i] != NULL; i++)
    if (strcmp (list[i], s) == 0)
      return TRUE;
  return FALSE;
}

static char *
join (const char *const *list)
{
  return g_strjoinv (", ", (char **) list);
}

/* "kind/[ns/]name" as written in count(object == '...'): FALSE when not that form. */
static gboolean
parse_object_ref (const char *text, const KsKind **kind, char **ns, char **name)
{
  g_auto (GStrv) parts = g_strsplit (text, "/", -1);
  guint n = g_strv_length (parts);

  if (n < 2 || n > 3)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (parts[i][0] == '\0')
      return FALSE;
  *kind = ks_kind_lookup_resource (parts[0]);
  if (*kind == NULL)
    return FALSE;
  *ns = g_strdup (n == 3 ? parts[1] : (*kind)->namespaced ? "default" : "");
  *name = g_strdup (parts[n - 1]);
  return TRUE;
}

static KsExpr *
parse_count (Parser *p)
{
  static const char *const fields[] = { "event", "reason", "object", "type", "node", NULL };
  KsExpr *e = node_new (N_COUNT);

  e->conds = g_array_new (FALSE, TRUE, sizeof (Cond));
  next (p);
  if (!expect_punct (p, "("))
    return e;
  while (p->error == NULL && !is_punct (p, ")"))
    {
      Cond c = { 0 };
      guint at = p->start;

      if (e->conds->len > 0 && !expect_punct (p, ","))
        break;
      at = p->start;
      if (p->tok != T_NAME || !in_list (fields, p->value))
        {
          fail_expected (p, "a condition on one of event, reason, object, type, node");
          break;
        }
      c.field = strcmp (p->value, "event") == 0 || strcmp (p->value, "reason") == 0 ? C_EVENT
                : strcmp (p->value, "object") == 0                                  ? C_OBJECT
                : strcmp (p->value, "type") == 0                                    ? C_TYPE
                                                                                    : C_NODE;
      next (p);
      if (is_punct (p, "==") || is_punct (p, "!="))
        c.negate = is_punct (p, "!=");
      else
        {
          fail_expected (p, "\"==\" or \"!=\" (count's conditions compare with a string)");
          break;
        }
      next (p);
      if (p->tok != T_STRING)
        {
          fail_expected (p, "a string in quotes");
          break;
        }
      c.value = g_strdup (p->value);
      if (c.field == C_OBJECT && !parse_object_ref (c.value, &c.kind, &c.ns, &c.name))
        {
          fail (p, at,
                "object == '%s': expected 'kind/name' or 'kind/namespace/name' with a known kind "
                "(e.g. 'deployment/web')",
                c.value);
          g_free (c.value);
          break;
        }
      if (c.field == C_TYPE && strcmp (c.value, "Normal") != 0 && strcmp (c.value, "Warning") != 0)
        {
          fail (p, at, "type == '%s': an event's type is 'Normal' or 'Warning'", c.value);
          g_free (c.value);
          break;
        }
      g_array_append_val (e->conds, c);
      next (p);
    }
  if (p->error == NULL)
    next (p); /* ")" */
  return e;
}

/* metric('deployment_ready_replicas', 'default/web'): any row of metrics.csv. */
static KsExpr *
parse_metric (Parser *p)
{
  KsExpr *e = node_new (N_METRIC);

  next (p);
  if (!expect_punct (p, "("))
    return e;
  if (p->tok != T_STRING)
    {
      fail_expected (p, "the metric's name in quotes (metric('NAME', 'OBJECT'))");
      return e;
    }
  e->str = g_strdup (p->value);
  next (p);
  if (!expect_punct (p, ","))
    return e;
  if (p->tok != T_STRING)
    {
      fail_expected (p, "the metric's object in quotes (metric('NAME', 'OBJECT'))");
      return e;
    }
  e->name = g_strdup (p->value);
  next (p);
  expect_punct (p, ")");
  return e;
}

/* The fields after an object reference: names and "[N]" indexes. */
static void
parse_fields (Parser *p, KsExpr *e)
{
  GString *shown = g_string_new (NULL);

  e->path = g_ptr_array_new_with_free_func (g_free);
  while (p->error == NULL && (is_punct (p, ".") || is_punct (p, "[")))
    {
      if (is_punct (p, "."))
        {
          next (p);
          if (p->tok != T_NAME)
            {
              fail_expected (p, "a field name after \".\"");
              break;
            }
          g_ptr_array_add (e->path, g_strdup (p->value));
          g_string_append_printf (shown, ".%s", p->value);
          next (p);
        }
      else
        {
          next (p);
          if (p->tok == T_NUMBER && strspn (p->value, "0123456789") == strlen (p->value)
              && strlen (p->value) < 10)
            {
              g_ptr_array_add (e->path, g_strdup_printf ("[%s]", p->value));
              g_string_append_printf (shown, "[%s]", p->value);
            }
          else if (p->tok == T_STRING)
            {
              g_ptr_array_add (e->path, g_strdup (p->value));
              g_string_append_printf (shown, "['%s']", p->value);
            }
          else
            {
              fail_expected (p, "an index (e.g. [0]) or a key in quotes (e.g. ['app'])");
              break;
            }
          next (p);
          if (!expect_punct (p, "]"))
            break;
        }
    }
  if (p->error == NULL && shown->len == 0)
    fail_expected (p, "a field after the object (e.g. deployment/web.status.readyReplicas)");
  e->path_text = g_string_free (shown, FALSE);
}

static KsExpr *
parse_reference (Parser *p)
{
  g_autofree char *first = g_strdup (p->value);
  g_autofree char *second = NULL;
  guint at = p->start;
  const KsKind *kind;
  KsExpr *e;

  next (p); /* the kind */
  next (p); /* "/" */
  kind = ks_kind_lookup_resource (first);
  if (kind == NULL)
    {
      fail (p, at,
            "unknown kind \"%s\" (known: %s; a kind is written as kubectl get takes it, "
            "e.g. deployment, deploy, pod)",
            first, ks_kind_list_known ());
      return node_new (N_NULL);
    }
  if (p->tok != T_NAME)
    {
      fail_expected (p, "the object's name after \"/\"");
      return node_new (N_NULL);
    }
  second = g_strdup (p->value);
  next (p);
  e = node_new (N_FIELD);
  e->kind = kind;
  if (is_punct (p, "/") && kind->namespaced)
    {
      next (p);
      if (p->tok != T_NAME)
        {
          fail_expected (p, "the object's name after \"namespace/\"");
          return e;
        }
      e->ns = g_steal_pointer (&second);
      e->name = g_strdup (p->value);
      next (p);
    }
  else
    {
      e->ns = g_strdup (kind->namespaced ? "default" : "");
      e->name = g_steal_pointer (&second);
    }
  /* A Service's request-model figures: service/web.latency_p95 (a look ahead at the name after
   * the "."; anything else is an object field). */
  if (kind->id == KS_KIND_SERVICE && is_punct (p, "."))
    {
      const char *s = p->text + p->pos;
      guint len = 0;
      g_autofree char *figure = NULL;

      while (is_name_char (s[len]))
        len++;
      figure = g_strndup (s, len);
      if (in_list (ks_expr_service_figures, figure))
        {
          next (p); /* the figure */
          next (p);
          e->type = N_SERVICE;
          e->str = g_steal_pointer (&figure);
          return e;
        }
    }
  parse_fields (p, e);
  return e;
}

static KsExpr *
parse_primary (Parser *p)
{
  KsExpr *e;

  if (p->error != NULL)
    return node_new (N_NULL);
  switch (p->tok)
    {
    case T_NUMBER:
      e = node_new (N_NUMBER);
      e->number = p->number;
      next (p);
      return e;
    case T_STRING:
      e = node_new (N_STRING);
      e->str = g_strdup (p->value);
      next (p);
      return e;
    case T_PUNCT:
      if (is_punct (p, "("))
        {
          next (p);
          e = parse_or (p);
          expect_punct (p, ")");
          return e;
        }
      break;
    case T_NAME:
      if (is_name (p, "true") || is_name (p, "false"))
        {
          e = node_new (N_BOOL);
          e->boolean = is_name (p, "true");
          next (p);
          return e;
        }
      if (is_name (p, "null"))
        {
          next (p);
          return node_new (N_NULL);
        }
      if (is_name (p, "time"))
        {
          next (p);
          return node_new (N_TIME);
        }
      if (is_name (p, "count"))
        return parse_count (p);
      if (is_name (p, "metric"))
        return parse_metric (p);
      if (is_name (p, "cluster"))
        {
          next (p);
          if (!expect_punct (p, "."))
            return node_new (N_NULL);
          if (p->tok != T_NAME || !in_list (ks_expr_cluster_metrics, p->value))
            {
              g_autofree char *valid = join (ks_expr_cluster_metrics);
              g_autofree char *what = g_strdup_printf ("a cluster metric (%s)", valid);
              fail_expected (p, what);
              return node_new (N_NULL);
            }
          e = node_new (N_CLUSTER);
          e->str = g_strdup (p->value);
          next (p);
          return e;
        }
      if (p->text[p->pos] == '/')
        return parse_reference (p);
      fail (p, p->start,
            "unknown name \"%s\": expected an object (kind/name.field), cluster.METRIC, "
            "count(...), metric(...), time, true, false or null",
            p->value);
      return node_new (N_NULL);
    default:
      break;
    }
  fail_expected (p, "a value (a number, a string, an object field, cluster.METRIC, count(...))");
  return node_new (N_NULL);
}

static KsExpr *
binary (Op op, KsExpr *a, KsExpr *b)
{
  KsExpr *e = node_new (N_BINARY);
  e->op = op;
  e->a = a;
  e->b = b;
  return e;
}

static KsExpr *
parse_unary (Parser *p)
{
  if (p->error == NULL && is_punct (p, "-"))
    {
      KsExpr *e = node_new (N_NEG);
      next (p);
      e->a = parse_unary (p);
      return e;
    }
  return parse_primary (p);
}

static KsExpr *
parse_product (Parser *p)
{
  KsExpr *e = parse_unary (p);
  while (p->error == NULL && (is_punct (p, "*") || is_punct (p, "/") || is_punct (p, "%")))
    {
      Op op = is_punct (p, "*") ? OP_MUL : is_punct (p, "/") ? OP_DIV : OP_MOD;
      next (p);
      e = binary (op, e, parse_unary (p));
    }
  return e;
}

static KsExpr *
parse_sum (Parser *p)
{
  KsExpr *e = parse_product (p);
  while (p->error == NULL && (is_punct (p, "+") || is_punct (p, "-")))
    {
      Op op = is_punct (p, "+") ? OP_ADD : OP_SUB;
      next (p);
      e = binary (op, e, parse_product (p));
    }
  return e;
}

static KsExpr *
parse_cmp (Parser *p)
{
  static const Op ops[] = { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };
  KsExpr *e = parse_sum (p);

  if (p->error != NULL || p->tok != T_PUNCT)
    return e;
  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    if (strcmp (p->value, op_text[ops[i]]) == 0)
      {
        next (p);
        e = binary (ops[i], e, parse_sum (p));
        if (p->error == NULL && p->tok == T_PUNCT)
          for (guint j = 0; j < G_N_ELEMENTS (ops); j++)
            if (strcmp (p->value, op_text[ops[j]]) == 0)
              fail (p, p->start,
                    "comparisons do not chain: write \"a < b && b < c\" rather than \"a < b < "
                    "c\"");
        break;
      }
  return e;
}

static KsExpr *
parse_not (Parser *p)
{
  if (p->error == NULL && (is_punct (p, "!") || is_name (p, "not")))
    {
      KsExpr *e = node_new (N_NOT);
      next (p);
      e->a = parse_not (p);
      return e;
    }
  return parse_cmp (p);
}

static KsExpr *
parse_and (Parser *p)
{
  KsExpr *e = parse_not (p);
  while (p->error == NULL && (is_punct (p, "&&") || is_name (p, "and")))
    {
      next (p);
      e = binary (OP_AND, e, parse_not (p));
    }
  return e;
}

static KsExpr *
parse_or (Parser *p)
{
  KsExpr *e = parse_and (p);
  while (p->error == NULL && (is_punct (p, "||") || is_name (p, "or")))
    {
      next (p);
      e = binary (OP_OR, e, parse_and (p));
    }
  return e;
}

/* Whether e can only be a number or a string (never a condition). */
static gboolean
is_plain_value (const KsExpr *e)
{
  return e->type == N_NUMBER || e->type == N_STRING || e->type == N_TIME || e->type == N_CLUSTER
         || e->type == N_COUNT || e->type == N_METRIC || e->type == N_SERVICE || e->type == N_NEG
         || (e->type == N_BINARY && e->op >= OP_ADD);
}

KsExpr *
ks_expr_parse (const char *text, guint *offset, GError **error)
{
  Parser p = { .text = text };
  KsExpr *e;

  next (&p);
  if (p.tok == T_END && p.error == NULL)
    fail (&p, 0,
          "empty expression: expected a condition such as "
          "\"deployment/web.status.readyReplicas >= 2\"");
  e = parse_or (&p);
  if (p.error == NULL && p.tok != T_END)
    fail_expected (&p, "an operator or the end");
  if (p.error == NULL && is_plain_value (e))
    fail (&p, 0, "the expression is a value, not a condition: compare it (e.g. \"%s >= 1\")", text);
  g_free (p.value);
  if (p.error != NULL)
    {
      if (offset != NULL)
        *offset = p.error_offset;
      g_propagate_error (error, p.error);
      ks_expr_free (e);
      return NULL;
    }
  return e;
}

void
ks_expr_foreach_ref (KsExpr *e, KsExprRefFunc func, gpointer data)
{
  if (e == NULL)
    return;
  if (e->type == N_FIELD || e->type == N_SERVICE)
    func (e->kind, e->ns, e->name, e->type == N_SERVICE, data);
  ks_expr_foreach_ref (e->a, func, data);
  ks_expr_foreach_ref (e->b, func, data);
}

/* Events */

static gboolean
cond_matches (const Cond *c, const KsEventRecord *r)
{
  gboolean m = FALSE;

  switch (c->field)
    {
    case C_EVENT:
      m = r->reason != NULL && strcmp (r->reason, c->value) == 0;
      break;
    case C_TYPE:
      m = strcmp (r->warning ? "Warning" : "Normal", c->value) == 0;
      break;
    case C_NODE:
      m = r->node != NULL && strcmp (r->node, c->value) == 0;
      break;
    case C_OBJECT:
      m = r->object != NULL && r->object->kind == c->kind
          && g_strcmp0 (r->object->meta.name, c->name) == 0
          && g_strcmp0 (r->object->meta.namespace ? r->object->meta.namespace : "", c->ns) == 0;
      break;
    }
  return c->negate ? !m : m;
}

void
ks_expr_count_event (KsExpr *e, const KsEventRecord *r)
{
  if (e == NULL)
    return;
  if (e->type == N_COUNT)
    {
      gboolean all = TRUE;
      for (guint i = 0; i < e->conds->len && all; i++)
        all = cond_matches (&g_array_index (e->conds, Cond, i), r);
      e->count += all;
    }
  ks_expr_count_event (e->a, r);
  ks_expr_count_event (e->b, r);
}

/* Values */

void
ks_value_clear (KsValue *v)
{
  g_clear_pointer (&v->string, g_free);
  v->type = KS_VALUE_NULL;
}

void
ks_value_append_json (const KsValue *v, GString *out)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  switch (v->type)
    {
    case KS_VALUE_NULL:
      g_string_append (out, "null");
      break;
    case KS_VALUE_BOOL:
      g_string_append (out, v->boolean ? "true" : "false");
      break;
    case KS_VALUE_NUMBER:
      if (!isfinite (v->number))
        g_string_append (out, "null");
      else
        g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.10g", v->number));
      break;
    case KS_VALUE_STRING:
      {
        g_autoptr (JsonNode) n = json_node_init_string (json_node_alloc (), v->string);
        g_autofree char *s = json_to_string (n, FALSE);
        g_string_append (out, s);
      }
      break;
    }
}

static const char *
type_name (KsValueType t)
{
  static const char *const names[] = { "null", "a number", "a string", "a boolean" };
  return names[t];
}

static void
set_number (KsValue *v, double n)
{
  v->type = KS_VALUE_NUMBER;
  v->number = n;
}

static void
set_bool (KsValue *v, gboolean b)
{
  v->type = KS_VALUE_BOOL;
  v->boolean = b;
}

static gboolean
eval_field (KsExpr *e, const KsExprEnv *env, KsValue *out, GError **error)
{
  g_autoptr (KsObject) obj = ks_client_get (env->client, e->kind, e->ns, e->name, NULL);
  g_autoptr (JsonNode) root = NULL;
  JsonNode *n;

  if (obj == NULL)
    {
      if (e->kind->namespaced)
        g_set_error (error, KS_EXPR_ERROR, 0, "%s %s/%s does not exist", e->kind->name, e->ns,
                     e->name);
      else
        g_set_error (error, KS_EXPR_ERROR, 0, "%s %s does not exist", e->kind->name, e->name);
      return FALSE;
    }
  root = ks_object_encode (obj, env->epoch);
  n = root;
  /* Kubernetes leaves out zero values (readyReplicas of 0): a missing field is null, which
   * arithmetic and ordering read as 0. */
  for (guint i = 0; i < e->path->len && n != NULL; i++)
    {
      const char *seg = g_ptr_array_index (e->path, i);
      if (seg[0] == '[')
        {
          guint index = (guint) g_ascii_strtoull (seg + 1, NULL, 10);
          n = JSON_NODE_HOLDS_ARRAY (n) && index < json_array_get_length (json_node_get_array (n))
                  ? json_array_get_element (json_node_get_array (n), index)
                  : NULL;
        }
      else
        n = JSON_NODE_HOLDS_OBJECT (n) ? json_object_get_member (json_node_get_object (n), seg)
                                       : NULL;
    }
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n))
    {
      g_set_error (error, KS_EXPR_ERROR, 0, "%s%s is a %s, not a value", e->kind->name,
                   e->path_text, JSON_NODE_HOLDS_OBJECT (n) ? "mapping" : "list");
      return FALSE;
    }
  switch (json_node_get_value_type (n))
    {
    case G_TYPE_BOOLEAN:
      set_bool (out, json_node_get_boolean (n));
      break;
    case G_TYPE_STRING:
      out->type = KS_VALUE_STRING;
      out->string = g_strdup (json_node_get_string (n));
      break;
    default:
      set_number (out, json_node_get_double (n));
      break;
    }
  return TRUE;
}

static gboolean
eval_service (KsExpr *e, const KsExprEnv *env, KsValue *out, GError **error)
{
  KsServiceTraffic t;
  const char *f = e->str;

  if (env->traffic == NULL || !ks_sim_traffic_get_totals (env->traffic, e->ns, e->name, &t))
    {
      g_set_error (error, KS_EXPR_ERROR, 0, "Service %s/%s has no load", e->ns, e->name);
      return FALSE;
    }
  if (strcmp (f, "requests") == 0)
    set_number (out, t.requests);
  else if (strcmp (f, "served") == 0)
    set_number (out, t.served);
  else if (strcmp (f, "dropped") == 0)
    set_number (out, t.dropped_no_endpoints + t.dropped_over_capacity);
  else if (strcmp (f, "dropped_no_endpoints") == 0)
    set_number (out, t.dropped_no_endpoints);
  else if (strcmp (f, "dropped_over_capacity") == 0)
    set_number (out, t.dropped_over_capacity);
  else
    {
      double v;
      if (strcmp (f, "latency_mean") == 0)
        v = t.served > 0 ? t.latency_sum / t.served : -1;
      else
        v = ks_sim_traffic_latency_quantile (
            env->traffic, e->ns, e->name, g_ascii_strtod (f + strlen ("latency_p"), NULL) / 100.0);
      if (v < 0)
        {
          g_set_error (error, KS_EXPR_ERROR, 0, "Service %s/%s has served no request yet", e->ns,
                       e->name);
          return FALSE;
        }
      set_number (out, v);
    }
  return TRUE;
}

static gboolean eval (KsExpr *e, const KsExprEnv *env, KsValue *out, GError **error);

static gboolean
as_number (KsExpr *e, const KsValue *v, double *out, const char *op, GError **error)
{
  if (v->type == KS_VALUE_NUMBER || v->type == KS_VALUE_NULL)
    {
      *out = v->type == KS_VALUE_NULL ? 0 : v->number;
      return TRUE;
    }
  g_set_error (error, KS_EXPR_ERROR, 0, "\"%s\" needs numbers, got %s", op, type_name (v->type));
  return FALSE;
}

static gboolean
as_bool (const KsValue *v, const char *op, gboolean *out, GError **error)
{
  if (v->type == KS_VALUE_BOOL)
    {
      *out = v->boolean;
      return TRUE;
    }
  g_set_error (error, KS_EXPR_ERROR, 0, "\"%s\" needs conditions, got %s", op, type_name (v->type));
  return FALSE;
}

static gboolean
eval_binary (KsExpr *e, const KsExprEnv *env, KsValue *out, GError **error)
{
  KsValue a = { 0 }, b = { 0 };
  gboolean ok = FALSE;
  const char *op = op_text[e->op];
  double x, y;
  gboolean p, q;

  if (e->op == OP_OR || e->op == OP_AND)
    {
      /* Short-circuit, so that "deployment/web.status.replicas == null || ..." can guard. */
      if (!eval (e->a, env, &a, error) || !as_bool (&a, op, &p, error))
        goto out;
      if ((e->op == OP_OR && p) || (e->op == OP_AND && !p))
        {
          set_bool (out, p);
          ok = TRUE;
          goto out;
        }
      if (!eval (e->b, env, &b, error) || !as_bool (&b, op, &q, error))
        goto out;
      set_bool (out, q);
      ok = TRUE;
      goto out;
    }
  if (!eval (e->a, env, &a, error) || !eval (e->b, env, &b, error))
    goto out;
  if (e->op == OP_EQ || e->op == OP_NE)
    {
      gboolean eq;
      if (a.type == KS_VALUE_NULL || b.type == KS_VALUE_NULL)
        {
          /* null == 0 too: Kubernetes leaves zero counts out. */
          const KsValue *other = a.type == KS_VALUE_NULL ? &b : &a;
          eq = other->type == KS_VALUE_NULL
               || (other->type == KS_VALUE_NUMBER && other->number == 0);
        }
      else if (a.type != b.type)
        {
          g_set_error (error, KS_EXPR_ERROR, 0, "\"%s\" compares %s with %s", op,
                       type_name (a.type), type_name (b.type));
          goto out;
        }
      else if (a.type == KS_VALUE_NUMBER)
        eq = a.number == b.number;
      else if (a.type == KS_VALUE_STRING)
        eq = strcmp (a.string, b.string) == 0;
      else
        eq = a.boolean == b.boolean;
      set_bool (out, e->op == OP_EQ ? eq : !eq);
      ok = TRUE;
      goto out;
    }
  if (e->op >= OP_LT && e->op <= OP_GE && a.type == KS_VALUE_STRING && b.type == KS_VALUE_STRING)
    {
      int c = strcmp (a.string, b.string);
      set_bool (out, e->op == OP_LT   ? c < 0
                     : e->op == OP_LE ? c <= 0
                     : e->op == OP_GT ? c > 0
                                      : c >= 0);
      ok = TRUE;
      goto out;
    }
  if (!as_number (e, &a, &x, op, error) || !as_number (e, &b, &y, op, error))
    goto out;
  switch (e->op)
    {
    case OP_LT:
      set_bool (out, x < y);
      break;
    case OP_LE:
      set_bool (out, x <= y);
      break;
    case OP_GT:
      set_bool (out, x > y);
      break;
    case OP_GE:
      set_bool (out, x >= y);
      break;
    case OP_ADD:
      set_number (out, x + y);
      break;
    case OP_SUB:
      set_number (out, x - y);
      break;
    case OP_MUL:
      set_number (out, x * y);
      break;
    case OP_DIV:
    case OP_MOD:
      if (y == 0)
        {
          g_set_error (error, KS_EXPR_ERROR, 0, "division by zero");
          goto out;
        }
      set_number (out, e->op == OP_DIV ? x / y : fmod (x, y));
      break;
    default:
      g_assert_not_reached ();
    }
  ok = TRUE;
out:
  ks_value_clear (&a);
  ks_value_clear (&b);
  return ok;
}

static gboolean
eval (KsExpr *e, const KsExprEnv *env, KsValue *out, GError **error)
{
  out->type = KS_VALUE_NULL;
  out->string = NULL;
  switch (e->type)
    {
    case N_NUMBER:
      set_number (out, e->number);
      return TRUE;
    case N_STRING:
      out->type = KS_VALUE_STRING;
      out->string = g_strdup (e->str);
      return TRUE;
    case N_BOOL:
      set_bool (out, e->boolean);
      return TRUE;
    case N_NULL:
      return TRUE;
    case N_TIME:
      set_number (out, (double) env->now / KS_USEC_PER_SEC);
      return TRUE;
    case N_CLUSTER:
      {
        double v = 0;
        if (env->cluster_metric == NULL || !env->cluster_metric (e->str, &v, env->data))
          {
            g_set_error (error, KS_EXPR_ERROR, 0, "cluster.%s is not available", e->str);
            return FALSE;
          }
        set_number (out, v);
        return TRUE;
      }
    case N_METRIC:
      {
        double v = 0;
        if (env->metric == NULL || !env->metric (e->str, e->name, &v, env->data))
          {
            g_set_error (error, KS_EXPR_ERROR, 0, "metrics.csv has no row %s,%s yet", e->str,
                         e->name);
            return FALSE;
          }
        set_number (out, v);
        return TRUE;
      }
    case N_FIELD:
      return eval_field (e, env, out, error);
    case N_SERVICE:
      return eval_service (e, env, out, error);
    case N_COUNT:
      set_number (out, (double) e->count);
      return TRUE;
    case N_NOT:
      {
        KsValue a = { 0 };
        gboolean b;
        if (!eval (e->a, env, &a, error) || !as_bool (&a, "!", &b, error))
          {
            ks_value_clear (&a);
            return FALSE;
          }
        set_bool (out, !b);
        return TRUE;
      }
    case N_NEG:
      {
        KsValue a = { 0 };
        double x;
        if (!eval (e->a, env, &a, error) || !as_number (e, &a, &x, "-", error))
          {
            ks_value_clear (&a);
            return FALSE;
          }
        set_number (out, -x);
        return TRUE;
      }
    case N_BINARY:
      return eval_binary (e, env, out, error);
    }
  g_assert_not_reached ();
}

/* What a report shows of e: the left side of a comparison; in a conjunction the part that
 * decided it (the first false condition of "&&", the first true one of "||", else the first);
 * else e's value. */
static void
observe (KsExpr *e, const KsExprEnv *env, KsValue *observed)
{
  if (e->type == N_BINARY && (e->op == OP_AND || e->op == OP_OR))
    {
      KsValue v = { 0 };
      gboolean ok = eval (e->a, env, &v, NULL);
      gboolean left = ok && v.type == KS_VALUE_BOOL && v.boolean;
      KsValue w = { 0 };
      gboolean right_decides;

      ks_value_clear (&v);
      if (e->op == OP_AND)
        right_decides = ok && left;
      else
        {
          gboolean rok = !ok || left ? FALSE : eval (e->b, env, &w, NULL);
          right_decides = rok && w.type == KS_VALUE_BOOL && w.boolean;
          ks_value_clear (&w);
        }
      observe (right_decides ? e->b : e->a, env, observed);
      return;
    }
  if (e->type == N_BINARY && e->op >= OP_EQ && e->op <= OP_GE)
    e = e->a;
  if (!eval (e, env, observed, NULL))
    ks_value_clear (observed);
}

gboolean
ks_expr_eval (KsExpr *e, const KsExprEnv *env, KsValue *result, KsValue *observed, GError **error)
{
  gboolean ok;

  *observed = (KsValue){ 0 };
  ok = eval (e, env, result, error);
  observe (e, env, observed);
  if (ok && result->type != KS_VALUE_BOOL)
    {
      g_set_error (error, KS_EXPR_ERROR, 0, "the expression gave %s, not true or false",
                   type_name (result->type));
      ks_value_clear (result);
      return FALSE;
    }
  return ok;
}

/* Decoding the expect list */

void
ks_expectation_free (KsExpectation *e)
{
  if (e == NULL)
    return;
  g_free (e->name);
  g_free (e->that);
  ks_expr_free (e->expr);
  g_free (e->where);
  g_free (e);
}

/* A time: a duration or "end". */
static gboolean
decode_time (KsDecoder *dec, JsonNode *node, gint64 *out)
{
  g_autofree char *text = ks_decoder_scalar_text (dec, node);
  g_autoptr (GError) error = NULL;

  if (text != NULL && strcmp (text, "end") == 0)
    {
      *out = KS_EXPECT_END;
      return TRUE;
    }
  if (text == NULL || !JSON_NODE_HOLDS_VALUE (node) || !ks_duration_parse (text, out, &error)
      || *out < 0)
    {
      ks_decoder_error (dec, node,
                        "expected a time from the start (e.g. 5m, 90s) or \"end\", got %s",
                        text != NULL ? text : ks_decoder_node_type_name (node));
      return FALSE;
    }
  return TRUE;
}

static gboolean
decode_time_field (KsDecoder *dec, JsonNode *obj, const char *field, gint64 *out)
{
  JsonNode *m = ks_decoder_member (obj, field);
  gsize mark;
  gboolean ok;

  if (m == NULL)
    return TRUE;
  mark = ks_decoder_push (dec, field);
  ok = decode_time (dec, m, out);
  ks_decoder_pop (dec, mark);
  return ok;
}

static void
decode_expr (KsDecoder *dec, JsonNode *obj, const char *field, KsExpectation *e)
{
  JsonNode *m = ks_decoder_member (obj, field);
  g_autoptr (GError) error = NULL;
  guint offset = 0;

  if (m == NULL)
    return;
  if (!ks_decoder_get_string (dec, obj, field, &e->that))
    return;
  e->expr = ks_expr_parse (e->that, &offset, &error);
  if (e->expr == NULL)
    {
      /* One line per problem: the character inside the expression, then what is wrong. */
      ks_decoder_error_field (dec, obj, field, "at character %u of \"%s\": %s",
                              (guint) g_utf8_strlen (e->that, offset) + 1, e->that, error->message);
    }
}

static gboolean
decode_item (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer user_data)
{
  static const char *const fields[]
      = { "name", "at", "within", "always", "that", "from", "until", "every", NULL };
  KsExpectation *e = g_new0 (KsExpectation, 1);
  KsExpectation **out = slot;
  guint errors = ks_decoder_n_errors (dec);
  JsonNode *at = ks_decoder_member (item, "at");
  JsonNode *within = ks_decoder_member (item, "within");
  JsonNode *always = ks_decoder_member (item, "always");
  guint line = 0, column = 0;

  ks_source_get_position (dec->source, item, &line, &column);
  e->where = g_strdup_printf ("%s:%u:%u", dec->source ? ks_source_get_name (dec->source) : "-",
                              line, column);
  ks_decoder_check_fields (dec, item, fields);
  ks_decoder_get_string (dec, item, "name", &e->name);
  e->every = KS_EXPECT_STEP;
  if (ks_decoder_member (item, "every") != NULL)
    {
      if (at != NULL)
        ks_decoder_error_field (dec, item, "every", "every: goes with within: and always:");
      else if (ks_decoder_get_duration (dec, item, "every", &e->every) && e->every <= 0)
        ks_decoder_error_field (dec, item, "every", "must be a duration above 0 (e.g. 10s)");
    }
  if ((at != NULL) + (within != NULL) + (always != NULL) != 1)
    ks_decoder_error (dec, item,
                      "an expectation has exactly one of at: TIME, within: [FROM, UNTIL] (with "
                      "that:) or always: CONDITION (with from: and until:)");
  else if (at != NULL)
    {
      gsize mark = ks_decoder_push (dec, "at");
      e->mode = KS_EXPECT_AT;
      if (decode_time (dec, at, &e->from))
        e->until = e->from;
      ks_decoder_pop (dec, mark);
      decode_expr (dec, item, "that", e);
    }
  else if (within != NULL)
    {
      gsize mark = ks_decoder_push (dec, "within");
      e->mode = KS_EXPECT_WITHIN;
      if (!JSON_NODE_HOLDS_ARRAY (within)
          || json_array_get_length (json_node_get_array (within)) != 2)
        ks_decoder_error (dec, within, "expected [FROM, UNTIL] (e.g. [0s, 3m]), got %s%s",
                          ks_decoder_node_type_name (within),
                          JSON_NODE_HOLDS_ARRAY (within) ? " of another length" : "");
      else
        {
          JsonArray *a = json_node_get_array (within);
          gsize m2 = ks_decoder_push_index (dec, 0);
          decode_time (dec, json_array_get_element (a, 0), &e->from);
          ks_decoder_pop (dec, m2);
          m2 = ks_decoder_push_index (dec, 1);
          decode_time (dec, json_array_get_element (a, 1), &e->until);
          ks_decoder_pop (dec, m2);
        }
      ks_decoder_pop (dec, mark);
      decode_expr (dec, item, "that", e);
    }
  else
    {
      e->mode = KS_EXPECT_ALWAYS;
      e->from = 0;
      e->until = KS_EXPECT_END;
      decode_time_field (dec, item, "from", &e->from);
      decode_time_field (dec, item, "until", &e->until);
      decode_expr (dec, item, "always", e);
      if (ks_decoder_member (item, "that") != NULL)
        ks_decoder_error_field (dec, item, "that",
                                "always: takes the condition itself (always: \"...\"), not that:");
    }
  if (e->mode != KS_EXPECT_ALWAYS && ks_decoder_member (item, "that") == NULL
      && (at != NULL || within != NULL))
    ks_decoder_error_field (dec, item, "that", "required field is missing (the condition)");
  if (e->mode != KS_EXPECT_ALWAYS
      && (ks_decoder_member (item, "from") != NULL || ks_decoder_member (item, "until") != NULL))
    ks_decoder_error (dec, item, "from: and until: go with always:; within: takes [FROM, UNTIL]");
  if (ks_decoder_n_errors (dec) == errors && e->from > e->until)
    ks_decoder_error (dec, item, "the window ends before it starts");
  if (ks_decoder_n_errors (dec) != errors)
    {
      ks_expectation_free (e);
      return FALSE;
    }
  *out = e;
  return TRUE;
}

void
ks_expect_decode (KsDecoder *dec, JsonNode *node, GPtrArray *out)
{
  guint n = 0;
  KsExpectation **items
      = ks_decoder_list (dec, node, sizeof (KsExpectation *), decode_item, NULL, &n);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (out, items[i]);
  g_free (items);
}

/* The run */

typedef struct
{
  KsExpectRun *run;
  const KsExpectation *e;
  gboolean done;
  gboolean passed;
  gboolean evaluated;
  gint64 t;         /* when it was decided (or last evaluated) */
  KsValue observed; /* the observed value then */
  char *message;    /* why it could not be evaluated then, or NULL */
  guint64 task;
} State;

struct _KsExpectRun
{
  KsEventSink sink;
  KsEventSink *next;
  KsExprEnv env;
  KsClock *clock;
  gint64 duration;
  GArray *states; /* State */
};

static void
sink_record (KsEventSink *sink, const KsEventRecord *r)
{
  KsExpectRun *run = (KsExpectRun *) sink;

  for (guint i = 0; i < run->states->len; i++)
    ks_expr_count_event (g_array_index (run->states, State, i).e->expr, r);
  if (run->next != NULL)
    run->next->ops->record (run->next, r);
}

static const KsEventSinkOps sink_ops = { sink_record, NULL };

KsExpectRun *
ks_expect_run_new (const GPtrArray *expectations, const KsExprEnv *env, KsClock *clock,
                   gint64 duration)
{
  KsExpectRun *run = g_new0 (KsExpectRun, 1);

  run->sink.ops = &sink_ops;
  run->env = *env;
  run->clock = clock;
  run->duration = duration;
  run->states = g_array_sized_new (FALSE, TRUE, sizeof (State), expectations->len);
  g_array_set_size (run->states, expectations->len);
  for (guint i = 0; i < expectations->len; i++)
    {
      State *s = &g_array_index (run->states, State, i);
      s->run = run;
      s->e = g_ptr_array_index (expectations, i);
    }
  return run;
}

void
ks_expect_run_free (KsExpectRun *run)
{
  if (run == NULL)
    return;
  for (guint i = 0; i < run->states->len; i++)
    {
      State *s = &g_array_index (run->states, State, i);
      ks_clock_cancel (run->clock, s->task);
      ks_value_clear (&s->observed);
      g_free (s->message);
    }
  g_array_unref (run->states);
  g_free (run);
}

KsEventSink *
ks_expect_run_wrap_sink (KsExpectRun *run, KsEventSink *next)
{
  run->next = next;
  return &run->sink;
}

static gint64
resolve (KsExpectRun *run, gint64 t)
{
  return t == KS_EXPECT_END ? run->duration : t;
}

/* Evaluate s now: returns whether the condition held; records the observation. */
static gboolean
evaluate (State *s)
{
  KsExpectRun *run = s->run;
  g_autoptr (GError) error = NULL;
  KsValue result = { 0 };
  gboolean held;

  run->env.now = ks_clock_now (run->clock);
  ks_value_clear (&s->observed);
  g_clear_pointer (&s->message, g_free);
  held = ks_expr_eval (s->e->expr, &run->env, &result, &s->observed, &error) && result.boolean;
  if (error != NULL)
    s->message = g_strdup (error->message);
  ks_value_clear (&result);
  s->t = run->env.now;
  s->evaluated = TRUE;
  return held;
}

static void
decide (State *s, gboolean passed)
{
  s->done = TRUE;
  s->passed = passed;
}

static void
step (gpointer data)
{
  State *s = data;
  KsExpectRun *run = s->run;
  gint64 until = resolve (run, s->e->until);
  gint64 now = ks_clock_now (run->clock);
  gboolean held;

  s->task = 0;
  if (s->done)
    return;
  held = evaluate (s);
  switch (s->e->mode)
    {
    case KS_EXPECT_AT:
      decide (s, held);
      return;
    case KS_EXPECT_WITHIN:
      if (held)
        {
          decide (s, TRUE);
          return;
        }
      if (now >= until)
        {
          decide (s, FALSE);
          return;
        }
      break;
    case KS_EXPECT_ALWAYS:
      if (!held)
        {
          decide (s, FALSE);
          return;
        }
      if (now >= until)
        {
          decide (s, TRUE);
          return;
        }
      break;
    }
  /* The window's end is evaluated at the end instant even when it is off the step grid; the
   * run's end is left to ks_expect_run_finish (after the last events at that instant). */
  if (MIN (now + s->e->every, until) < run->duration)
    s->task = ks_clock_schedule (run->clock, MIN (now + s->e->every, until), step, s, NULL);
}

void
ks_expect_run_start (KsExpectRun *run)
{
  for (guint i = 0; i < run->states->len; i++)
    {
      State *s = &g_array_index (run->states, State, i);
      gint64 from = resolve (run, s->e->from);

      if (s->e->from != KS_EXPECT_END && from > run->duration)
        {
          /* Never reached: the run is shorter than the expectation's time. */
          g_autofree char *t = ks_duration_format (from);
          g_autofree char *end = ks_duration_format (run->duration);
          s->message = g_strdup_printf ("not evaluated: the run ends at %s, before %s", end, t);
          s->t = run->duration;
          decide (s, FALSE);
          continue;
        }
      if (from < run->duration)
        s->task = ks_clock_schedule (run->clock, from, step, s, NULL);
    }
}

void
ks_expect_run_finish (KsExpectRun *run)
{
  for (guint i = 0; i < run->states->len; i++)
    {
      State *s = &g_array_index (run->states, State, i);
      ks_clock_cancel (run->clock, s->task);
      s->task = 0;
      if (!s->done)
        {
          /* Windows reaching past the end close at the end. */
          gint64 until = resolve (run, s->e->until);
          if (s->e->until != KS_EXPECT_END && until > run->duration)
            {
              step (s);
              if (!s->done)
                decide (s, s->e->mode == KS_EXPECT_ALWAYS);
            }
          else
            step (s);
        }
    }
}

guint
ks_expect_run_n_failed (KsExpectRun *run)
{
  guint n = 0;
  for (guint i = 0; i < run->states->len; i++)
    n += !g_array_index (run->states, State, i).passed;
  return n;
}

static void
append_string (GString *json, const char *s)
{
  g_autoptr (JsonNode) n = json_node_init_string (json_node_alloc (), s);
  g_autofree char *text = json_to_string (n, FALSE);
  g_string_append (json, text);
}

static void
append_time (GString *json, KsExpectRun *run, gint64 t)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_string_append (
      json, g_ascii_formatd (buf, sizeof buf, "%.6g", (double) resolve (run, t) / KS_USEC_PER_SEC));
}

void
ks_expect_run_append_summary (KsExpectRun *run, GString *json)
{
  static const char *const modes[] = { "at", "within", "always" };

  g_string_append (json, ",\n  \"expectations\": [");
  for (guint i = 0; i < run->states->len; i++)
    {
      State *s = &g_array_index (run->states, State, i);
      g_string_append (json, i ? ",\n    {" : "\n    {");
      if (s->e->name != NULL)
        {
          g_string_append (json, "\"name\": ");
          append_string (json, s->e->name);
          g_string_append (json, ", ");
        }
      g_string_append_printf (json, "\"%s\": ", modes[s->e->mode]);
      if (s->e->mode == KS_EXPECT_AT)
        append_time (json, run, s->e->from);
      else
        {
          g_string_append (json, "[");
          append_time (json, run, s->e->from);
          g_string_append (json, ", ");
          append_time (json, run, s->e->until);
          g_string_append (json, "]");
        }
      g_string_append (json, ", \"that\": ");
      append_string (json, s->e->that);
      g_string_append (json, ", \"where\": ");
      append_string (json, s->e->where);
      g_string_append_printf (
          json, ", \"status\": \"%s\", \"observed\": ", s->passed ? "passed" : "failed");
      ks_value_append_json (&s->observed, json);
      g_string_append (json, ", \"t\": ");
      append_time (json, run, s->t);
      if (s->message != NULL)
        {
          g_string_append (json, ", \"message\": ");
          append_string (json, s->message);
        }
      g_string_append (json, "}");
    }
  g_string_append (json, run->states->len ? "\n  ]" : "]");
}
