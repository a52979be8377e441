/* ks-taint.c: taints and tolerations. */
#include "config.h"

#include <string.h>

#include "ks-object.h"
#include "ks-taint.h"
#include "src/ks-clock.h"

static const char *const effect_names[]
    = { "", "NoSchedule", "PreferNoSchedule", "NoExecute", NULL };

const char *
ks_taint_effect_name (KsTaintEffect effect)
{
  return effect_names[effect];
}

gboolean
ks_toleration_tolerates (const KsToleration *t, const KsTaint *taint)
{
  if (t->effect != KS_TAINT_EFFECT_ALL && t->effect != taint->effect)
    return FALSE;
  if (t->key[0] != '\0' && strcmp (t->key, taint->key) != 0)
    return FALSE;
  if (t->op == KS_TOLERATION_EXISTS)
    return TRUE;
  return strcmp (t->value, taint->value) == 0;
}

gboolean
ks_tolerations_tolerate (const KsToleration *tolerations, guint n, const KsTaint *taint)
{
  for (guint i = 0; i < n; i++)
    if (ks_toleration_tolerates (&tolerations[i], taint))
      return TRUE;
  return FALSE;
}

void
ks_taint_clear (KsTaint *taint)
{
  g_free (taint->key);
  g_free (taint->value);
}

void
ks_taint_copy (KsTaint *dst, const KsTaint *src)
{
  *dst = *src;
  dst->key = g_strdup (src->key);
  dst->value = g_strdup (src->value);
}

void
ks_toleration_clear (KsToleration *t)
{
  g_free (t->key);
  g_free (t->value);
}

void
ks_toleration_copy (KsToleration *dst, const KsToleration *src)
{
  *dst = *src;
  dst->key = g_strdup (src->key);
  dst->value = g_strdup (src->value);
}

static gboolean
taint_decode (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer unused)
{
  KsTaint *t = slot;
  guint errors = ks_decoder_n_errors (dec);
  int effect = -1;
  const char *why;

  ks_decoder_require_string (dec, item, "key", &t->key, NULL);
  ks_decoder_get_string (dec, item, "value", &t->value);
  if (ks_decoder_member (item, "effect") == NULL)
    ks_decoder_error_field (
        dec, item, "effect",
        "required field is missing (NoSchedule, PreferNoSchedule or NoExecute)");
  else
    ks_decoder_get_enum (dec, item, "effect", effect_names + 1, &effect);
  if (t->key != NULL && (why = ks_validate_label_key (t->key)) != NULL)
    ks_decoder_error_field (dec, item, "key", "invalid taint key \"%s\": %s", t->key, why);
  if (t->value == NULL)
    t->value = g_strdup ("");
  else if ((why = ks_validate_label_value (t->value)) != NULL)
    ks_decoder_error_field (dec, item, "value", "invalid taint value \"%s\": %s", t->value, why);
  t->effect = effect + 1;
  t->time_added = KS_TIME_NONE;
  if (dec->mode == KS_DECODE_STORED)
    ks_decoder_get_time (dec, item, "timeAdded", &t->time_added);
  if (ks_decoder_n_errors (dec) != errors)
    {
      ks_taint_clear (t);
      return FALSE;
    }
  return TRUE;
}

gboolean
ks_taints_decode (KsDecoder *dec, JsonNode *node, KsTaint **out, guint *n_out)
{
  guint errors = ks_decoder_n_errors (dec);

  *out = ks_decoder_list (dec, node, sizeof (KsTaint), taint_decode, NULL, n_out);
  return ks_decoder_n_errors (dec) == errors;
}

static gboolean
toleration_decode (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer unused)
{
  static const char *const ops[] = { "Equal", "Exists", NULL };
  KsToleration *t = slot;
  int op = KS_TOLERATION_EQUAL, effect = 0;
  guint errors = ks_decoder_n_errors (dec);

  ks_decoder_get_string (dec, item, "key", &t->key);
  ks_decoder_get_enum (dec, item, "operator", ops, &op);
  ks_decoder_get_string (dec, item, "value", &t->value);
  ks_decoder_get_enum (dec, item, "effect", effect_names, &effect);
  if (ks_decoder_member (item, "tolerationSeconds") != NULL)
    {
      t->has_seconds = TRUE;
      ks_decoder_get_int64 (dec, item, "tolerationSeconds", &t->toleration_seconds);
    }
  if (t->key == NULL)
    t->key = g_strdup ("");
  if (t->value == NULL)
    t->value = g_strdup ("");
  t->op = op;
  t->effect = effect;
  if (t->key[0] == '\0' && t->op != KS_TOLERATION_EXISTS)
    ks_decoder_error_field (dec, item, "operator",
                            "must be Exists when key is empty (to tolerate every taint)");
  if (t->op == KS_TOLERATION_EXISTS && t->value[0] != '\0')
    ks_decoder_error_field (dec, item, "value", "must be empty when operator is Exists");
  if (t->has_seconds && t->effect != KS_TAINT_NO_EXECUTE)
    ks_decoder_error_field (dec, item, "tolerationSeconds",
                            "can only be set when effect is NoExecute");
  if (ks_decoder_n_errors (dec) != errors)
    {
      ks_toleration_clear (t);
      return FALSE;
    }
  return TRUE;
}

gboolean
ks_tolerations_decode (KsDecoder *dec, JsonNode *node, KsToleration **out, guint *n_out)
{
  guint errors = ks_decoder_n_errors (dec);

  *out = ks_decoder_list (dec, node, sizeof (KsToleration), toleration_decode, NULL, n_out);
  return ks_decoder_n_errors (dec) == errors;
}

void
ks_taints_encode (const KsTaint *taints, guint n, JsonBuilder *b, gint64 epoch)
{
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      json_builder_begin_object (b);
      ks_builder_add_string (b, "key", taints[i].key);
      if (taints[i].value[0] != '\0')
        ks_builder_add_string (b, "value", taints[i].value);
      ks_builder_add_string (b, "effect", effect_names[taints[i].effect]);
      if (taints[i].time_added != KS_TIME_NONE)
        ks_builder_add_time (b, "timeAdded", taints[i].time_added, epoch);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

void
ks_tolerations_encode (const KsToleration *list, guint n, JsonBuilder *b)
{
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      const KsToleration *t = &list[i];
      json_builder_begin_object (b);
      if (t->key[0] != '\0')
        ks_builder_add_string (b, "key", t->key);
      ks_builder_add_string (b, "operator", t->op == KS_TOLERATION_EXISTS ? "Exists" : "Equal");
      if (t->value[0] != '\0')
        ks_builder_add_string (b, "value", t->value);
      if (t->effect != KS_TAINT_EFFECT_ALL)
        ks_builder_add_string (b, "effect", effect_names[t->effect]);
      if (t->has_seconds)
        ks_builder_add_int (b, "tolerationSeconds", t->toleration_seconds);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}
