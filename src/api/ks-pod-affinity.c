/* ks-pod-affinity.c: a pod spec's inter-pod affinity and anti-affinity and its topology spread
 * constraints: decoding with Kubernetes' validation (pkg/apis/core/validation: validateAffinity,
 * validateTopologySpreadConstraints; kube-scheduler's ValidatePodTopologySpreadArgs for default
 * constraints) and encoding in the field order of the Go structs. */
#include "config.h"

#include <string.h>

#include "ks-pod.h"

static const char *const action_names[] = { "DoNotSchedule", "ScheduleAnyway", NULL };
static const char *const inclusion_names[] = { "", "Honor", "Ignore", NULL };
static const char *const policy_names[] = { "Honor", "Ignore", NULL };

const char *
ks_unsatisfiable_action_name (KsUnsatisfiableAction action)
{
  return action_names[action];
}

/* Shared checks */

/* A name checked by validate (ks_validate_label_key: Kubernetes' ValidateLabelName for
 * topologyKey and matchLabelKeys[i]; ks_validate_dns1123_label for namespaces[i]). */
static void
check_name (KsDecoder *dec, JsonNode *at, const char *name, const char *(*validate) (const char *) )
{
  const char *why = validate (name);

  if (why != NULL)
    ks_decoder_error (dec, at, "Invalid value: \"%s\": %s", name, why);
}

/* A required topologyKey: non-empty and a valid label name. */
static void
topology_key_decode (KsDecoder *dec, JsonNode *obj, char **out)
{
  JsonNode *m = ks_decoder_member (obj, "topologyKey");
  gsize mark;

  if (m == NULL)
    {
      ks_decoder_error_field (dec, obj, "topologyKey", "Required value: can not be empty");
      return;
    }
  if (!ks_decoder_get_string (dec, obj, "topologyKey", out))
    return;
  mark = ks_decoder_push (dec, "topologyKey");
  if (**out == '\0')
    ks_decoder_error (dec, m, "Required value: can not be empty");
  else
    check_name (dec, m, *out, ks_validate_label_key);
  ks_decoder_pop (dec, mark);
}

/* A list of names at member field, each checked by validate; an empty list is kept as NULL. */
static void
names_decode (KsDecoder *dec, JsonNode *obj, const char *field,
              const char *(*validate) (const char *), char ***out)
{
  JsonNode *m;
  gsize mark;

  if (!ks_decoder_get_strv (dec, obj, field, out) || *out == NULL)
    return;
  if (**out == NULL)
    {
      g_clear_pointer (out, g_strfreev);
      return;
    }
  m = ks_decoder_member (obj, field);
  mark = ks_decoder_push (dec, field);
  for (guint i = 0; (*out)[i] != NULL; i++)
    {
      gsize mark2 = ks_decoder_push_index (dec, i);
      check_name (dec, json_array_get_element (json_node_get_array (m), i), (*out)[i], validate);
      ks_decoder_pop (dec, mark2);
    }
  ks_decoder_pop (dec, mark);
}

/* matchLabelKeys[i] (key) also stands in other (mismatchLabelKeys, the labelSelector). */
static void
match_label_key_conflict (KsDecoder *dec, JsonNode *obj, guint i, const char *key,
                          const char *other)
{
  JsonNode *m = ks_decoder_member (obj, "matchLabelKeys");
  gsize mark = ks_decoder_push (dec, "matchLabelKeys");
  gsize mark2 = ks_decoder_push_index (dec, i);

  ks_decoder_error (dec, json_array_get_element (json_node_get_array (m), i),
                    "Invalid value: \"%s\": exists in both matchLabelKeys and %s", key, other);
  ks_decoder_pop (dec, mark2);
  ks_decoder_pop (dec, mark);
}

/* An optional label selector at member field. */
static KsLabelSelector *
selector_decode (KsDecoder *dec, JsonNode *obj, const char *field)
{
  JsonNode *m = ks_decoder_member (obj, field);
  KsLabelSelector *s;
  gsize mark;

  if (m == NULL)
    return NULL;
  mark = ks_decoder_push (dec, field);
  s = ks_label_selector_decode (dec, m);
  ks_decoder_pop (dec, mark);
  return s;
}

static void
builder_add_strv (JsonBuilder *b, const char *member, char **strv)
{
  if (strv == NULL || *strv == NULL)
    return;
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (char **s = strv; *s != NULL; s++)
    json_builder_add_string_value (b, *s);
  json_builder_end_array (b);
}

static void
builder_add_selector (JsonBuilder *b, const char *member, const KsLabelSelector *s)
{
  if (s == NULL)
    return;
  json_builder_set_member_name (b, member);
  ks_label_selector_encode (s, b);
}

/* Pod affinity */

static void
term_clear (KsPodAffinityTerm *t)
{
  ks_label_selector_unref (t->label_selector);
  g_strfreev (t->namespaces);
  ks_label_selector_unref (t->namespace_selector);
  g_free (t->topology_key);
  g_strfreev (t->match_label_keys);
  g_strfreev (t->mismatch_label_keys);
  memset (t, 0, sizeof *t);
}

/* validatePodAffinityTerm and validateMatchLabelKeysAndMismatchLabelKeys.  The path names the
 * term. */
static gboolean
term_decode (KsDecoder *dec, JsonNode *node, KsPodAffinityTerm *t)
{
  guint errors = ks_decoder_n_errors (dec);

  if (!ks_decoder_expect_object (dec, node))
    return FALSE;
  t->label_selector = selector_decode (dec, node, "labelSelector");
  names_decode (dec, node, "namespaces", ks_validate_dns1123_label, &t->namespaces);
  t->namespace_selector = selector_decode (dec, node, "namespaceSelector");
  topology_key_decode (dec, node, &t->topology_key);
  names_decode (dec, node, "matchLabelKeys", ks_validate_label_key, &t->match_label_keys);
  names_decode (dec, node, "mismatchLabelKeys", ks_validate_label_key, &t->mismatch_label_keys);
  if ((t->match_label_keys != NULL || t->mismatch_label_keys != NULL)
      && ks_decoder_member (node, "labelSelector") == NULL)
    ks_decoder_error_field (
        dec, node, "labelSelector",
        "Forbidden: must not be nil when matchLabelKeys or mismatchLabelKeys is specified");
  else if (t->match_label_keys != NULL && t->mismatch_label_keys != NULL)
    for (guint i = 0; t->match_label_keys[i] != NULL; i++)
      if (g_strv_contains ((const char *const *) t->mismatch_label_keys, t->match_label_keys[i]))
        match_label_key_conflict (dec, node, i, t->match_label_keys[i], "mismatchLabelKeys");
  if (ks_decoder_n_errors (dec) != errors)
    {
      term_clear (t);
      return FALSE;
    }
  return TRUE;
}

static gboolean
required_item (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer unused)
{
  return term_decode (dec, item, slot);
}

static gboolean
preferred_item (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer unused)
{
  KsWeightedPodAffinityTerm *w = slot;
  guint errors = ks_decoder_n_errors (dec);
  JsonNode *term = ks_decoder_member (item, "podAffinityTerm");
  JsonNode *weight = ks_decoder_member (item, "weight");

  if (weight == NULL)
    ks_decoder_error_field (dec, item, "weight", "Invalid value: 0: must be in the range 1-100");
  else if (ks_decoder_get_int32 (dec, item, "weight", G_MININT32, G_MAXINT32, &w->weight)
           && (w->weight < 1 || w->weight > 100))
    ks_decoder_error_field (dec, item, "weight", "Invalid value: %d: must be in the range 1-100",
                            w->weight);
  if (term == NULL)
    ks_decoder_error_field (dec, item, "podAffinityTerm", "Required value");
  else
    {
      gsize mark = ks_decoder_push (dec, "podAffinityTerm");
      term_decode (dec, term, &w->term);
      ks_decoder_pop (dec, mark);
    }
  if (ks_decoder_n_errors (dec) != errors)
    {
      term_clear (&w->term);
      return FALSE;
    }
  return TRUE;
}

KsPodAffinity *
ks_pod_affinity_ref (KsPodAffinity *a)
{
  if (a != NULL)
    a->ref_count++;
  return a;
}

void
ks_pod_affinity_unref (KsPodAffinity *a)
{
  if (a == NULL || --a->ref_count > 0)
    return;
  for (guint i = 0; i < a->n_required; i++)
    term_clear (&a->required[i]);
  g_free (a->required);
  for (guint i = 0; i < a->n_preferred; i++)
    term_clear (&a->preferred[i].term);
  g_free (a->preferred);
  g_free (a);
}

KsPodAffinity *
ks_pod_affinity_decode (KsDecoder *dec, JsonNode *node)
{
  g_autoptr (KsPodAffinity) a = NULL;
  guint errors = ks_decoder_n_errors (dec);
  JsonNode *m;

  if (!ks_decoder_expect_object (dec, node))
    return NULL;
  a = g_new0 (KsPodAffinity, 1);
  a->ref_count = 1;
  if ((m = ks_decoder_member (node, "requiredDuringSchedulingIgnoredDuringExecution")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "requiredDuringSchedulingIgnoredDuringExecution");
      a->required = ks_decoder_list (dec, m, sizeof (KsPodAffinityTerm), required_item, NULL,
                                     &a->n_required);
      ks_decoder_pop (dec, mark);
    }
  if ((m = ks_decoder_member (node, "preferredDuringSchedulingIgnoredDuringExecution")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "preferredDuringSchedulingIgnoredDuringExecution");
      a->preferred = ks_decoder_list (dec, m, sizeof (KsWeightedPodAffinityTerm), preferred_item,
                                      NULL, &a->n_preferred);
      ks_decoder_pop (dec, mark);
    }
  if (ks_decoder_n_errors (dec) != errors)
    return NULL;
  return g_steal_pointer (&a);
}

static void
term_encode (const KsPodAffinityTerm *t, JsonBuilder *b)
{
  json_builder_begin_object (b);
  builder_add_selector (b, "labelSelector", t->label_selector);
  builder_add_strv (b, "namespaces", t->namespaces);
  json_builder_set_member_name (b, "topologyKey");
  json_builder_add_string_value (b, t->topology_key);
  builder_add_selector (b, "namespaceSelector", t->namespace_selector);
  builder_add_strv (b, "matchLabelKeys", t->match_label_keys);
  builder_add_strv (b, "mismatchLabelKeys", t->mismatch_label_keys);
  json_builder_end_object (b);
}

void
ks_pod_affinity_encode (const KsPodAffinity *a, JsonBuilder *b)
{
  json_builder_begin_object (b);
  if (a->n_required > 0)
    {
      json_builder_set_member_name (b, "requiredDuringSchedulingIgnoredDuringExecution");
      json_builder_begin_array (b);
      for (guint i = 0; i < a->n_required; i++)
        term_encode (&a->required[i], b);
      json_builder_end_array (b);
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
          json_builder_set_member_name (b, "podAffinityTerm");
          term_encode (&a->preferred[i].term, b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
}

/* Topology spread constraints */

static void
constraint_clear (KsTopologySpreadConstraint *c)
{
  g_free (c->topology_key);
  ks_label_selector_unref (c->label_selector);
  g_strfreev (c->match_label_keys);
  memset (c, 0, sizeof *c);
}

/* One constraint.  for_args: a PodTopologySpreadArgs default constraint. */
static gboolean
constraint_decode (KsDecoder *dec, JsonNode *node, gpointer slot, gpointer for_args_p)
{
  KsTopologySpreadConstraint *c = slot;
  gboolean for_args = GPOINTER_TO_INT (for_args_p);
  guint errors = ks_decoder_n_errors (dec);
  int action = -1, policy;

  if (ks_decoder_member (node, "maxSkew") == NULL)
    ks_decoder_error_field (dec, node, "maxSkew", "Invalid value: 0: %s",
                            for_args ? "not in valid range (0, inf)" : "must be greater than zero");
  else if (ks_decoder_get_int32 (dec, node, "maxSkew", G_MININT32, G_MAXINT32, &c->max_skew)
           && c->max_skew <= 0)
    ks_decoder_error_field (dec, node, "maxSkew", "Invalid value: %d: %s", c->max_skew,
                            for_args ? "not in valid range (0, inf)" : "must be greater than zero");
  topology_key_decode (dec, node, &c->topology_key);
  if (ks_decoder_member (node, "whenUnsatisfiable") == NULL)
    ks_decoder_error_field (dec, node, "whenUnsatisfiable", "Required value: can not be empty");
  else if (ks_decoder_get_enum (dec, node, "whenUnsatisfiable", action_names, &action))
    c->when_unsatisfiable = action;
  if (for_args && ks_decoder_member (node, "labelSelector") != NULL)
    ks_decoder_error_field (
        dec, node, "labelSelector",
        "Forbidden: constraint must not define a selector, as they deduced for each pod");
  else
    c->label_selector = selector_decode (dec, node, "labelSelector");
  if (ks_decoder_member (node, "minDomains") != NULL
      && ks_decoder_get_int32 (dec, node, "minDomains", G_MININT32, G_MAXINT32, &c->min_domains))
    {
      if (c->min_domains <= 0)
        ks_decoder_error_field (dec, node, "minDomains",
                                "Invalid value: %d: must be greater than zero", c->min_domains);
      if (action == KS_SCHEDULE_ANYWAY)
        ks_decoder_error_field (dec, node, "minDomains",
                                "Invalid value: %d: can only use minDomains if "
                                "whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway",
                                c->min_domains);
    }
  policy = -1;
  if (ks_decoder_get_enum (dec, node, "nodeAffinityPolicy", policy_names, &policy) && policy >= 0)
    c->node_affinity_policy = KS_NODE_INCLUSION_HONOR + policy;
  policy = -1;
  if (ks_decoder_get_enum (dec, node, "nodeTaintsPolicy", policy_names, &policy) && policy >= 0)
    c->node_taints_policy = KS_NODE_INCLUSION_HONOR + policy;
  names_decode (dec, node, "matchLabelKeys", ks_validate_label_key, &c->match_label_keys);
  if (c->match_label_keys != NULL && !for_args)
    {
      /* validateMatchLabelKeysInTopologySpread */
      if (ks_decoder_member (node, "labelSelector") == NULL)
        ks_decoder_error_field (dec, node, "matchLabelKeys",
                                "Forbidden: must not be specified when labelSelector is not set");
      else if (c->label_selector != NULL)
        for (guint i = 0; c->match_label_keys[i] != NULL; i++)
          {
            const char *key = c->match_label_keys[i];
            gboolean in_selector = ks_str_map_contains (c->label_selector->match_labels, key);
            for (guint e = 0; e < c->label_selector->n_expressions; e++)
              in_selector |= strcmp (c->label_selector->expressions[e].key, key) == 0;
            if (in_selector)
              match_label_key_conflict (dec, node, i, key, "labelSelector");
          }
    }
  if (ks_decoder_n_errors (dec) != errors)
    {
      constraint_clear (c);
      return FALSE;
    }
  return TRUE;
}

KsTopologySpreadConstraints *
ks_topology_spread_constraints_ref (KsTopologySpreadConstraints *c)
{
  if (c != NULL)
    c->ref_count++;
  return c;
}

void
ks_topology_spread_constraints_unref (KsTopologySpreadConstraints *c)
{
  if (c == NULL || --c->ref_count > 0)
    return;
  for (guint i = 0; i < c->n; i++)
    constraint_clear (&c->items[i]);
  g_free (c);
}

KsTopologySpreadConstraints *
ks_topology_spread_constraints_decode (KsDecoder *dec, JsonNode *node, gboolean for_args)
{
  g_autofree KsTopologySpreadConstraint *items = NULL;
  KsTopologySpreadConstraints *c;
  guint errors = ks_decoder_n_errors (dec), n = 0;

  items = ks_decoder_list (dec, node, sizeof (KsTopologySpreadConstraint), constraint_decode,
                           GINT_TO_POINTER (for_args), &n);
  if (items != NULL && ks_decoder_n_errors (dec) == errors)
    {
      /* Each {topologyKey, whenUnsatisfiable} once.  Pods report the first of a pair
       * (ValidateSpreadConstraintNotRepeat), the scheduler's args the second
       * (validateConstraintNotRepeat). */
      JsonArray *array = json_node_get_array (node);
      for (guint i = 0; i < n; i++)
        for (guint j = i + 1; j < n; j++)
          if (strcmp (items[i].topology_key, items[j].topology_key) == 0
              && items[i].when_unsatisfiable == items[j].when_unsatisfiable)
            {
              guint at = for_args ? j : i;
              gsize mark = ks_decoder_push_index (dec, at);
              ks_decoder_error (
                  dec, json_array_get_element (array, at), "Duplicate value: \"{%s, %s}\"%s",
                  items[i].topology_key, action_names[items[i].when_unsatisfiable],
                  for_args ? "" : ": {topologyKey, whenUnsatisfiable} must be unique");
              ks_decoder_pop (dec, mark);
              break;
            }
    }
  if (items == NULL || ks_decoder_n_errors (dec) != errors)
    {
      for (guint i = 0; i < n; i++)
        constraint_clear (&items[i]);
      return NULL;
    }
  c = g_malloc0 (sizeof *c + n * sizeof (KsTopologySpreadConstraint));
  c->ref_count = 1;
  c->n = n;
  if (n > 0)
    memcpy (c->items, items, n * sizeof (KsTopologySpreadConstraint));
  return c;
}

void
ks_topology_spread_constraints_encode (const KsTopologySpreadConstraints *c, JsonBuilder *b)
{
  json_builder_begin_array (b);
  for (guint i = 0; i < c->n; i++)
    {
      const KsTopologySpreadConstraint *t = &c->items[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "maxSkew");
      json_builder_add_int_value (b, t->max_skew);
      json_builder_set_member_name (b, "topologyKey");
      json_builder_add_string_value (b, t->topology_key);
      json_builder_set_member_name (b, "whenUnsatisfiable");
      json_builder_add_string_value (b, action_names[t->when_unsatisfiable]);
      builder_add_selector (b, "labelSelector", t->label_selector);
      if (t->min_domains > 0)
        {
          json_builder_set_member_name (b, "minDomains");
          json_builder_add_int_value (b, t->min_domains);
        }
      if (t->node_affinity_policy != KS_NODE_INCLUSION_UNSET)
        {
          json_builder_set_member_name (b, "nodeAffinityPolicy");
          json_builder_add_string_value (b, inclusion_names[t->node_affinity_policy]);
        }
      if (t->node_taints_policy != KS_NODE_INCLUSION_UNSET)
        {
          json_builder_set_member_name (b, "nodeTaintsPolicy");
          json_builder_add_string_value (b, inclusion_names[t->node_taints_policy]);
        }
      builder_add_strv (b, "matchLabelKeys", t->match_label_keys);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}
