/* ks-admission.c: admission of new objects (Priority, DefaultTolerationSeconds, PriorityClass). */
#include "config.h"

#include <string.h>

#include "ks-admission.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-pod.h"

static KsPriorityClass *
global_default (KsStore *store)
{
  g_autoptr (GPtrArray) classes = g_ptr_array_new ();

  ks_store_list (store, ks_kind_get (KS_KIND_PRIORITY_CLASS), NULL, classes);
  for (guint i = 0; i < classes->len; i++)
    if (KS_PRIORITY_CLASS (g_ptr_array_index (classes, i))->global_default)
      return g_ptr_array_index (classes, i);
  return NULL;
}

static void
add_default_toleration (KsPodSpec *spec, const char *key)
{
  KsTaint taint = { .key = (char *) key, .value = (char *) "", .effect = KS_TAINT_NO_EXECUTE };

  if (ks_tolerations_tolerate (spec->tolerations, spec->n_tolerations, &taint))
    return;
  spec->tolerations = g_renew (KsToleration, spec->tolerations, spec->n_tolerations + 1);
  spec->tolerations[spec->n_tolerations++] = (KsToleration){
    .key = g_strdup (key),
    .op = KS_TOLERATION_EXISTS,
    .value = g_strdup (""),
    .effect = KS_TAINT_NO_EXECUTE,
    .has_seconds = TRUE,
    .toleration_seconds = KS_DEFAULT_TOLERATION_SECONDS,
  };
}

static gboolean
admit_pod (KsStore *store, KsPod *pod, GError **error)
{
  KsPodSpec *spec = pod->spec, *admitted, *cache;
  KsPriorityClass *pc = NULL;
  const char *class_name = spec->priority_class_name;
  gint32 value = 0;
  KsPreemptionPolicy policy = KS_PREEMPT_LOWER_PRIORITY;

  if (spec->admitted)
    return TRUE;
  if (class_name != NULL)
    {
      pc = KS_PRIORITY_CLASS (
          ks_store_get (store, ks_kind_get (KS_KIND_PRIORITY_CLASS), NULL, class_name));
      if (pc == NULL)
        {
          g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_FORBIDDEN,
                       "pods \"%s\" is forbidden: no PriorityClass with name %s was found",
                       pod->parent.meta.name, class_name);
          return FALSE;
        }
    }
  else
    pc = global_default (store);
  if (pc != NULL)
    {
      value = pc->value;
      policy = pc->preemption_policy;
      class_name = pc->parent.meta.name;
    }
  if (spec->has_priority && spec->priority != value)
    {
      g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_FORBIDDEN,
                   "pods \"%s\" is forbidden: the integer value of priority (%d) must not be "
                   "provided in pod spec; priority admission controller computed %d from the "
                   "given PriorityClass name",
                   pod->parent.meta.name, spec->priority, value);
      return FALSE;
    }

  /* Pods of one template share one admitted spec. */
  cache = spec->admitted_cache;
  if (cache != NULL && cache->priority == value
      && g_strcmp0 (cache->priority_class_name, class_name) == 0
      && cache->preemption_policy
             == (spec->has_preemption_policy ? spec->preemption_policy : policy))
    {
      pod->spec = ks_pod_spec_ref (cache);
      ks_pod_spec_unref (spec);
      return TRUE;
    }
  admitted = ks_pod_spec_copy (spec);
  admitted->has_priority = TRUE;
  admitted->priority = value;
  if (admitted->priority_class_name == NULL && class_name != NULL)
    admitted->priority_class_name = g_strdup (class_name);
  if (!admitted->has_preemption_policy)
    {
      admitted->has_preemption_policy = TRUE;
      admitted->preemption_policy = policy;
    }
  add_default_toleration (admitted, "node.kubernetes.io/not-ready");
  add_default_toleration (admitted, "node.kubernetes.io/unreachable");
  admitted->admitted = TRUE;
  ks_pod_spec_unref (spec->admitted_cache);
  spec->admitted_cache = ks_pod_spec_ref (admitted);
  pod->spec = admitted;
  ks_pod_spec_unref (spec);
  return TRUE;
}

gboolean
ks_admission_admit_create (KsStore *store, KsObject *obj, GError **error)
{
  switch (obj->kind->id)
    {
    case KS_KIND_POD:
      return admit_pod (store, KS_POD (obj), error);
    case KS_KIND_PRIORITY_CLASS:
      {
        KsPriorityClass *other;
        if (!KS_PRIORITY_CLASS (obj)->global_default)
          return TRUE;
        other = global_default (store);
        if (other != NULL)
          {
            g_set_error (error, KS_STORE_ERROR, KS_STORE_ERROR_FORBIDDEN,
                         "%s.%s \"%s\" is forbidden: PriorityClass %s is already marked as "
                         "default. Only one default can exist",
                         obj->kind->plural, obj->kind->group, obj->meta.name,
                         other->parent.meta.name);
            return FALSE;
          }
        return TRUE;
      }
    default:
      return TRUE;
    }
}
