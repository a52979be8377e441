/* ks-selector.c: label and node selectors. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ks-selector.h"

static const char *const op_names[] = { "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt", NULL };

const char *
ks_selector_op_name (KsSelectorOp op)
{
  return op_names[op];
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static gboolean
value_listed (const KsRequirement *req, const char *value)
{
  return bsearch (&value, req->values, req->n_values, sizeof (char *), cmp_str) != NULL;
}

static gboolean
parse_int64 (const char *s, gint64 *out)
{
  char *end;
  if (s == NULL || *s == '\0')
    return FALSE;
  *out = g_ascii_strtoll (s, &end, 10);
  return *end == '\0';
}

gboolean
ks_requirement_matches (const KsRequirement *req, const KsStrMap *labels)
{
  const char *value = ks_str_map_lookup (labels, req->key);
  gint64 n;

  switch (req->op)
    {
    case KS_SELECTOR_IN:
      return value != NULL && value_listed (req, value);
    case KS_SELECTOR_NOT_IN:
      return value == NULL || !value_listed (req, value);
    case KS_SELECTOR_EXISTS:
      return value != NULL;
    case KS_SELECTOR_DOES_NOT_EXIST:
      return value == NULL;
    case KS_SELECTOR_GT:
      return parse_int64 (value, &n) && n > req->number;
    case KS_SELECTOR_LT:
      return parse_int64 (value, &n) && n < req->number;
    }
  g_assert_not_reached ();
}

static void
requirement_clear (KsRequirement *req)
{
  g_free (req->key);
  g_strfreev (req->values);
}

static gboolean
requirement_equal (const KsRequirement *a, const KsRequirement *b)
{
  if (strcmp (a->key, b->key) != 0 || a->op != b->op || a->n_values != b->n_values)
    return FALSE;
  for (guint i = 0; i < a->n_values; i++)
    if (strcmp (a->values[i], b->values[i]) != 0)
      return FALSE;
  return TRUE;
}

/* Decode one requirement; allowed ops: first n_ops of op_names.  fields: matchFields (only
 * metadata.name).  Returns FALSE after reporting. */
static gboolean
requirement_decode (KsDecoder *dec, JsonNode *node, int n_ops, gboolean fields, KsRequirement *out)
{
  const char *ops[7];
  int op = -1;
  guint errors = ks_decoder_n_errors (dec);
  char *key = NULL;
  char **values = NULL;

  memset (out, 0, sizeof *out);
  if (!ks_decoder_expect_object (dec, node))
    return FALSE;
  for (int i = 0; i < n_ops; i++)
    ops[i] = op_names[i];
  ops[n_ops] = NULL;
  ks_decoder_require_string (dec, node, "key", &key, NULL);
  if (ks_decoder_member (node, "operator") == NULL)
    ks_decoder_error_field (dec, node, "operator", "required field is missing (one of %s%s)",
                            "In, NotIn, Exists, DoesNotExist", n_ops > 4 ? ", Gt, Lt" : "");
  else
    ks_decoder_get_enum (dec, node, "operator", ops, &op);
  ks_decoder_get_strv (dec, node, "values", &values);
  if (key == NULL)
    ;
  else if (fields)
    {
      if (strcmp (key, "metadata.name") != 0)
        ks_decoder_error_field (
            dec, node, "key", "unsupported field \"%s\": only metadata.name can be selected", key);
      else if (op != -1 && op != KS_SELECTOR_IN && op != KS_SELECTOR_NOT_IN)
        ks_decoder_error_field (dec, node, "operator",
                                "matchFields supports only the operators In and NotIn");
    }
  else
    {
      const char *why = ks_validate_label_key (key);
      if (why != NULL)
        ks_decoder_error_field (dec, node, "key", "invalid label key \"%s\": %s", key, why);
    }
  out->n_values = values != NULL ? g_strv_length (values) : 0;
  if (op == KS_SELECTOR_IN || op == KS_SELECTOR_NOT_IN)
    {
      if (out->n_values == 0)
        ks_decoder_error_field (dec, node, "values",
                                "must be non-empty when the operator is In or NotIn");
    }
  else if (op == KS_SELECTOR_EXISTS || op == KS_SELECTOR_DOES_NOT_EXIST)
    {
      if (out->n_values != 0)
        ks_decoder_error_field (dec, node, "values",
                                "must be empty when the operator is Exists or DoesNotExist");
    }
  else if (op == KS_SELECTOR_GT || op == KS_SELECTOR_LT)
    {
      if (out->n_values != 1 || !parse_int64 (values[0], &out->number))
        ks_decoder_error_field (dec, node, "values",
                                "must be a single integer when the operator is Gt or Lt");
    }
  if (values == NULL)
    values = g_new0 (char *, 1);
  qsort (values, out->n_values, sizeof (char *), cmp_str);
  out->key = key;
  out->op = op < 0 ? KS_SELECTOR_IN : (KsSelectorOp) op;
  out->values = values;
  if (ks_decoder_n_errors (dec) != errors)
    {
      requirement_clear (out);
      memset (out, 0, sizeof *out);
      return FALSE;
    }
  return TRUE;
}

/* Decode a list of requirements at member field of node. */
static gboolean
requirements_decode (KsDecoder *dec, JsonNode *node, const char *field, int n_ops, gboolean fields,
                     KsRequirement **out, guint *n_out)
{
  JsonNode *m = ks_decoder_member (node, field);
  JsonArray *array;
  gboolean ok = TRUE;
  guint n;
  gsize mark;

  *out = NULL;
  *n_out = 0;
  if (m == NULL)
    return TRUE;
  mark = ks_decoder_push (dec, field);
  if (!ks_decoder_expect_array (dec, m))
    {
      ks_decoder_pop (dec, mark);
      return FALSE;
    }
  array = json_node_get_array (m);
  n = json_array_get_length (array);
  *out = g_new0 (KsRequirement, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      gsize mark2 = ks_decoder_push_index (dec, i);
      if (requirement_decode (dec, json_array_get_element (array, i), n_ops, fields,
                              &(*out)[*n_out]))
        (*n_out)++;
      else
        ok = FALSE;
      ks_decoder_pop (dec, mark2);
    }
  ks_decoder_pop (dec, mark);
  return ok;
}

static void
requirements_encode (const KsRequirement *reqs, guint n, JsonBuilder *b)
{
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "key");
      json_builder_add_string_value (b, reqs[i].key);
      json_builder_set_member_name (b, "operator");
      json_builder_add_string_value (b, op_names[reqs[i].op]);
      if (reqs[i].n_values > 0)
        {
          json_builder_set_member_name (b, "values");
          json_builder_begin_array (b);
          for (guint j = 0; j < reqs[i].n_values; j++)
            json_builder_add_string_value (b, reqs[i].values[j]);
          json_builder_end_array (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* Label selectors */

KsLabelSelector *
ks_label_selector_new (KsStrMap *match_labels)
{
  KsLabelSelector *s = g_new0 (KsLabelSelector, 1);
  s->ref_count = 1;
  s->match_labels = ks_str_map_ref (match_labels);
  return s;
}

KsLabelSelector *
ks_label_selector_ref (KsLabelSelector *selector)
{
  if (selector != NULL)
    selector->ref_count++;
  return selector;
}

void
ks_label_selector_unref (KsLabelSelector *selector)
{
  if (selector == NULL || --selector->ref_count > 0)
    return;
  ks_str_map_unref (selector->match_labels);
  for (guint i = 0; i < selector->n_expressions; i++)
    requirement_clear (&selector->expressions[i]);
  g_free (selector->expressions);
  g_free (selector);
}

gboolean
ks_label_selector_matches (const KsLabelSelector *selector, const KsStrMap *labels)
{
  if (selector == NULL)
    return FALSE;
  if (!ks_str_map_is_subset (selector->match_labels, labels))
    return FALSE;
  for (guint i = 0; i < selector->n_expressions; i++)
    if (!ks_requirement_matches (&selector->expressions[i], labels))
      return FALSE;
  return TRUE;
}

gboolean
ks_label_selector_is_empty (const KsLabelSelector *selector)
{
  return selector != NULL && ks_str_map_size (selector->match_labels) == 0
         && selector->n_expressions == 0;
}

gboolean
ks_label_selector_equal (const KsLabelSelector *a, const KsLabelSelector *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;
  if (!ks_str_map_equal (a->match_labels, b->match_labels) || a->n_expressions != b->n_expressions)
    return FALSE;
  for (guint i = 0; i < a->n_expressions; i++)
    if (!requirement_equal (&a->expressions[i], &b->expressions[i]))
      return FALSE;
  return TRUE;
}

KsLabelSelector *
ks_label_selector_decode (KsDecoder *dec, JsonNode *node)
{
  g_autoptr (KsLabelSelector) s = NULL;
  guint errors = ks_decoder_n_errors (dec);

  if (!ks_decoder_expect_object (dec, node))
    return NULL;
  s = ks_label_selector_new (NULL);
  if (ks_decoder_get_str_map (dec, node, "matchLabels", &s->match_labels))
    for (guint i = 0; i < ks_str_map_size (s->match_labels); i++)
      {
        const char *k = ks_str_map_key (s->match_labels, i);
        const char *why = ks_validate_label_key (k);
        gsize mark = ks_decoder_push (dec, "matchLabels");
        if (why != NULL)
          ks_decoder_error_field (dec, ks_decoder_member (node, "matchLabels"), k,
                                  "invalid label key \"%s\": %s", k, why);
        else if ((why = ks_validate_label_value (ks_str_map_value (s->match_labels, i))) != NULL)
          ks_decoder_error_field (dec, ks_decoder_member (node, "matchLabels"), k,
                                  "invalid label value \"%s\": %s",
                                  ks_str_map_value (s->match_labels, i), why);
        ks_decoder_pop (dec, mark);
      }
  requirements_decode (dec, node, "matchExpressions", 4, FALSE, &s->expressions, &s->n_expressions);
  if (ks_decoder_n_errors (dec) != errors)
    return NULL;
  return g_steal_pointer (&s);
}

void
ks_label_selector_encode (const KsLabelSelector *selector, JsonBuilder *b)
{
  json_builder_begin_object (b);
  if (ks_str_map_size (selector->match_labels) > 0)
    {
      json_builder_set_member_name (b, "matchLabels");
      json_builder_begin_object (b);
      for (guint i = 0; i < ks_str_map_size (selector->match_labels); i++)
        {
          json_builder_set_member_name (b, ks_str_map_key (selector->match_labels, i));
          json_builder_add_string_value (b, ks_str_map_value (selector->match_labels, i));
        }
      json_builder_end_object (b);
    }
  if (selector->n_expressions > 0)
    {
      json_builder_set_member_name (b, "matchExpressions");
      requirements_encode (selector->expressions, selector->n_expressions, b);
    }
  json_builder_end_object (b);
}

char *
ks_label_selector_to_string (const KsLabelSelector *selector)
{
  GString *s = g_string_new (NULL);

  if (selector == NULL)
    return g_string_free (s, FALSE);
  for (guint i = 0; i < ks_str_map_size (selector->match_labels); i++)
    g_string_append_printf (s, "%s%s=%s", s->len ? "," : "",
                            ks_str_map_key (selector->match_labels, i),
                            ks_str_map_value (selector->match_labels, i));
  for (guint i = 0; i < selector->n_expressions; i++)
    {
      const KsRequirement *r = &selector->expressions[i];
      if (s->len)
        g_string_append_c (s, ',');
      switch (r->op)
        {
        case KS_SELECTOR_EXISTS:
          g_string_append (s, r->key);
          break;
        case KS_SELECTOR_DOES_NOT_EXIST:
          g_string_append_printf (s, "!%s", r->key);
          break;
        default:
          {
            g_autofree char *list = g_strjoinv (",", r->values);
            g_string_append_printf (s, "%s %s (%s)", r->key,
                                    r->op == KS_SELECTOR_IN ? "in" : "notin", list);
          }
        }
    }
  return g_string_free (s, FALSE);
}

/* Node selectors */

gboolean
ks_node_selector_term_matches (const KsNodeSelectorTerm *term, const KsStrMap *labels,
                               const char *node_name)
{
  if (term->n_expressions == 0 && term->n_fields == 0)
    return FALSE;
  for (guint i = 0; i < term->n_expressions; i++)
    if (!ks_requirement_matches (&term->expressions[i], labels))
      return FALSE;
  for (guint i = 0; i < term->n_fields; i++)
    {
      const KsRequirement *r = &term->fields[i];
      gboolean listed = value_listed (r, node_name);
      if ((r->op == KS_SELECTOR_IN) != listed)
        return FALSE;
    }
  return TRUE;
}

gboolean
ks_node_selector_matches (const KsNodeSelector *selector, const KsStrMap *labels,
                          const char *node_name)
{
  for (guint i = 0; i < selector->n_terms; i++)
    if (ks_node_selector_term_matches (&selector->terms[i], labels, node_name))
      return TRUE;
  return FALSE;
}

static void
term_clear (KsNodeSelectorTerm *term)
{
  for (guint i = 0; i < term->n_expressions; i++)
    requirement_clear (&term->expressions[i]);
  for (guint i = 0; i < term->n_fields; i++)
    requirement_clear (&term->fields[i]);
  g_free (term->expressions);
  g_free (term->fields);
}

static gboolean
term_decode (KsDecoder *dec, JsonNode *node, KsNodeSelectorTerm *term)
{
  gboolean ok;
  memset (term, 0, sizeof *term);
  if (!ks_decoder_expect_object (dec, node))
    return FALSE;
  ok = requirements_decode (dec, node, "matchExpressions", 6, FALSE, &term->expressions,
                            &term->n_expressions);
  ok &= requirements_decode (dec, node, "matchFields", 6, TRUE, &term->fields, &term->n_fields);
  if (!ok)
    term_clear (term);
  return ok;
}

static void
term_encode (const KsNodeSelectorTerm *term, JsonBuilder *b)
{
  json_builder_begin_object (b);
  if (term->n_expressions > 0)
    {
      json_builder_set_member_name (b, "matchExpressions");
      requirements_encode (term->expressions, term->n_expressions, b);
    }
  if (term->n_fields > 0)
    {
      json_builder_set_member_name (b, "matchFields");
      requirements_encode (term->fields, term->n_fields, b);
    }
  json_builder_end_object (b);
}

KsNodeSelector *
ks_node_selector_decode (KsDecoder *dec, JsonNode *req)
{
  KsNodeSelector *sel = NULL;
  JsonNode *terms;
  gsize mark2;

  if (!ks_decoder_expect_object (dec, req))
    return NULL;
  terms = ks_decoder_member (req, "nodeSelectorTerms");
  mark2 = ks_decoder_push (dec, "nodeSelectorTerms");
  if (terms == NULL)
    ks_decoder_error (dec, req, "required field is missing");
  else if (ks_decoder_expect_array (dec, terms))
    {
      JsonArray *array = json_node_get_array (terms);
      guint n = json_array_get_length (array);
      sel = g_new0 (KsNodeSelector, 1);
      sel->terms = g_new0 (KsNodeSelectorTerm, MAX (n, 1));
      if (n == 0)
        ks_decoder_error (dec, terms, "must have at least one term");
      for (guint i = 0; i < n; i++)
        {
          gsize mark3 = ks_decoder_push_index (dec, i);
          if (term_decode (dec, json_array_get_element (array, i), &sel->terms[sel->n_terms]))
            sel->n_terms++;
          ks_decoder_pop (dec, mark3);
        }
    }
  ks_decoder_pop (dec, mark2);
  return sel;
}

void
ks_node_selector_free (KsNodeSelector *sel)
{
  if (sel == NULL)
    return;
  for (guint i = 0; i < sel->n_terms; i++)
    term_clear (&sel->terms[i]);
  g_free (sel->terms);
  g_free (sel);
}

void
ks_node_affinity_free (KsNodeAffinity *affinity)
{
  if (affinity == NULL)
    return;
  ks_node_selector_free (affinity->required);
  for (guint i = 0; i < affinity->n_preferred; i++)
    term_clear (&affinity->preferred[i].term);
  g_free (affinity->preferred);
  g_free (affinity);
}

KsNodeAffinity *
ks_node_affinity_decode (KsDecoder *dec, JsonNode *node)
{
  KsNodeAffinity *a;
  JsonNode *req, *pref;
  guint errors = ks_decoder_n_errors (dec);

  if (!ks_decoder_expect_object (dec, node))
    return NULL;
  a = g_new0 (KsNodeAffinity, 1);
  req = ks_decoder_member (node, "requiredDuringSchedulingIgnoredDuringExecution");
  if (req != NULL)
    {
      gsize mark = ks_decoder_push (dec, "requiredDuringSchedulingIgnoredDuringExecution");
      a->required = ks_node_selector_decode (dec, req);
      ks_decoder_pop (dec, mark);
    }
  pref = ks_decoder_member (node, "preferredDuringSchedulingIgnoredDuringExecution");
  if (pref != NULL)
    {
      gsize mark = ks_decoder_push (dec, "preferredDuringSchedulingIgnoredDuringExecution");
      if (ks_decoder_expect_array (dec, pref))
        {
          JsonArray *array = json_node_get_array (pref);
          guint n = json_array_get_length (array);
          a->preferred = g_new0 (KsPreferredSchedulingTerm, MAX (n, 1));
          for (guint i = 0; i < n; i++)
            {
              JsonNode *item = json_array_get_element (array, i);
              KsPreferredSchedulingTerm *p = &a->preferred[a->n_preferred];
              gsize mark2 = ks_decoder_push_index (dec, i);
              if (ks_decoder_expect_object (dec, item))
                {
                  JsonNode *pt = ks_decoder_member (item, "preference");
                  gboolean ok = TRUE;
                  if (ks_decoder_member (item, "weight") == NULL)
                    {
                      ks_decoder_error_field (dec, item, "weight",
                                              "required field is missing (1 to 100)");
                      ok = FALSE;
                    }
                  else
                    ok = ks_decoder_get_int32 (dec, item, "weight", 1, 100, &p->weight);
                  if (pt == NULL)
                    {
                      ks_decoder_error_field (dec, item, "preference", "required field is missing");
                      ok = FALSE;
                    }
                  else
                    {
                      gsize mark3 = ks_decoder_push (dec, "preference");
                      if (term_decode (dec, pt, &p->term))
                        {
                          if (ok)
                            a->n_preferred++;
                          else
                            term_clear (&p->term);
                        }
                      ks_decoder_pop (dec, mark3);
                    }
                }
              ks_decoder_pop (dec, mark2);
            }
        }
      ks_decoder_pop (dec, mark);
    }
  if (ks_decoder_n_errors (dec) != errors)
    {
      ks_node_affinity_free (a);
      return NULL;
    }
  return a;
}

void
ks_node_affinity_encode (const KsNodeAffinity *a, JsonBuilder *b)
{
  json_builder_begin_object (b);
  if (a->required != NULL)
    {
      json_builder_set_member_name (b, "requiredDuringSchedulingIgnoredDuringExecution");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "nodeSelectorTerms");
      json_builder_begin_array (b);
      for (guint i = 0; i < a->required->n_terms; i++)
        term_encode (&a->required->terms[i], b);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  if (a->n_preferred > 0)
    {
      json_builder_set_member_name (b, "preferredDuringSchedulingIgnoredDuringExecution");
      json_builder_begin_array (b);
      for (guint i = 0; i < a->n_preferred; i++)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "weight");
          json_builder_add_int_value (b, a->preferred[i].weight);
          json_builder_set_member_name (b, "preference");
          term_encode (&a->preferred[i].term, b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
}
