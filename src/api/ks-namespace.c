/* ks-namespace.c: v1 Namespace and scheduling.k8s.io/v1 PriorityClass. */
#include "config.h"

#include "ks-kinds-private.h"
#include "ks-namespace.h"

KsNamespace *
ks_namespace_new (const char *name)
{
  KsNamespace *ns = (KsNamespace *) ks_object_new (&ks_namespace_kind);
  ns->parent.meta.name = g_strdup (name);
  return ns;
}

static void
namespace_decode (KsDecoder *dec, JsonNode *node, KsObject *obj)
{
  static const char *const phases[] = { "Active", "Terminating", NULL };
  JsonNode *status = ks_decoder_member (node, "status");
  int phase = 0;
  gsize mark;

  if (dec->mode != KS_DECODE_STORED || status == NULL)
    return;
  mark = ks_decoder_push (dec, "status");
  if (ks_decoder_expect_object (dec, status))
    ks_decoder_get_enum (dec, status, "phase", phases, &phase);
  KS_NAMESPACE (obj)->terminating = phase == 1;
  ks_decoder_pop (dec, mark);
}

static void
namespace_encode (const KsObject *obj, JsonBuilder *b, gint64 epoch)
{
  json_builder_set_member_name (b, "spec");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "finalizers");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "kubernetes");
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_begin_object (b);
  ks_builder_add_string (b, "phase", KS_NAMESPACE (obj)->terminating ? "Terminating" : "Active");
  json_builder_end_object (b);
}

static void
namespace_copy_status (KsObject *dst, const KsObject *src)
{
  KS_NAMESPACE (dst)->terminating = KS_NAMESPACE (src)->terminating;
}

const KsKind ks_namespace_kind = {
  .id = KS_KIND_NAMESPACE,
  .name = "Namespace",
  .api_version = "v1",
  .group = "",
  .plural = "namespaces",
  .short_name = "ns",
  .namespaced = FALSE,
  .size = sizeof (KsNamespace),
  .decode = namespace_decode,
  .encode = namespace_encode,
  .copy_status = namespace_copy_status,
};

KsPriorityClass *
ks_priority_class_new (const char *name, gint32 value)
{
  KsPriorityClass *pc = (KsPriorityClass *) ks_object_new (&ks_priority_class_kind);
  pc->parent.meta.name = g_strdup (name);
  pc->value = value;
  return pc;
}

static void
priority_class_decode (KsDecoder *dec, JsonNode *node, KsObject *obj)
{
  static const char *const policies[] = { "PreemptLowerPriority", "Never", NULL };
  KsPriorityClass *pc = KS_PRIORITY_CLASS (obj);
  int policy = KS_PREEMPT_LOWER_PRIORITY;

  if (ks_decoder_member (node, "value") == NULL)
    ks_decoder_error_field (dec, node, "value", "required field is missing (an integer priority)");
  else if (ks_decoder_get_int32 (dec, node, "value", G_MININT32, G_MAXINT32, &pc->value)
           && pc->value > KS_HIGHEST_USER_DEFINABLE_PRIORITY && obj->meta.name != NULL
           && !g_str_has_prefix (obj->meta.name, "system-"))
    ks_decoder_error_field (dec, node, "value",
                            "must be at most %d: higher values are reserved for system-* "
                            "priority classes",
                            KS_HIGHEST_USER_DEFINABLE_PRIORITY);
  ks_decoder_get_bool (dec, node, "globalDefault", &pc->global_default);
  ks_decoder_get_enum (dec, node, "preemptionPolicy", policies, &policy);
  pc->preemption_policy = policy;
  ks_decoder_get_string (dec, node, "description", &pc->description);
}

static void
priority_class_encode (const KsObject *obj, JsonBuilder *b, gint64 epoch)
{
  const KsPriorityClass *pc = KS_PRIORITY_CLASS (obj);

  ks_builder_add_int (b, "value", pc->value);
  if (pc->global_default)
    ks_builder_add_bool (b, "globalDefault", TRUE);
  if (pc->description != NULL)
    ks_builder_add_string (b, "description", pc->description);
  ks_builder_add_string (b, "preemptionPolicy", ks_preemption_policy_name (pc->preemption_policy));
}

static void
priority_class_copy (KsObject *dst, const KsObject *src)
{
  KS_PRIORITY_CLASS (dst)->description = g_strdup (KS_PRIORITY_CLASS (src)->description);
}

static void
priority_class_finalize (KsObject *obj)
{
  g_free (KS_PRIORITY_CLASS (obj)->description);
}

const KsKind ks_priority_class_kind = {
  .id = KS_KIND_PRIORITY_CLASS,
  .name = "PriorityClass",
  .api_version = "scheduling.k8s.io/v1",
  .group = "scheduling.k8s.io",
  .plural = "priorityclasses",
  .short_name = "pc",
  .namespaced = FALSE,
  .size = sizeof (KsPriorityClass),
  .decode = priority_class_decode,
  .encode = priority_class_encode,
  .copy = priority_class_copy,
  .finalize = priority_class_finalize,
};
