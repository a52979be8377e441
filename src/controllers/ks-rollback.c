/* ks-rollback.c: kubectl's rollout undo on a Deployment (see ks-rollback.h), as
 * pkg/polymorphichelpers/rollback.go does it. */
#include "config.h"

#include <string.h>

#include "ks-controller-private.h"
#include "ks-rollback.h"
#include "src/api/ks-apps.h"

G_DEFINE_QUARK (ks - rollback - error - quark, ks_rollback_error)

/* Annotations a rollback leaves as the deployment has them (annotationsToSkip). */
static const char *const skip[] = { "kubectl.kubernetes.io/last-applied-configuration",
                                    KS_ANNOTATION_REVISION,
                                    "deployment.kubernetes.io/revision-history",
                                    KS_ANNOTATION_DESIRED_REPLICAS,
                                    KS_ANNOTATION_MAX_REPLICAS,
                                    "deprecated.deployment.rollback.to",
                                    NULL };

static gint64
revision_of (const KsObject *rs)
{
  const char *v = ks_object_get_annotation (rs, KS_ANNOTATION_REVISION);
  return v != NULL ? g_ascii_strtoll (v, NULL, 10) : 0;
}

/* The template of rs without the pod-template-hash label. */
static void
template_without_hash (KsPodTemplate *dst, const KsPodTemplate *src)
{
  GPtrArray *keys = g_ptr_array_new (), *values = g_ptr_array_new ();

  ks_pod_template_copy (dst, src);
  for (guint i = 0; i < ks_str_map_size (src->labels); i++)
    if (strcmp (ks_str_map_key (src->labels, i), KS_LABEL_POD_TEMPLATE_HASH) != 0)
      {
        g_ptr_array_add (keys, (gpointer) ks_str_map_key (src->labels, i));
        g_ptr_array_add (values, (gpointer) ks_str_map_value (src->labels, i));
      }
  if (dst->labels != NULL)
    ks_str_map_unref (dst->labels);
  dst->labels = ks_str_map_new ((const char *const *) keys->pdata,
                                (const char *const *) values->pdata, keys->len);
  g_ptr_array_unref (keys);
  g_ptr_array_unref (values);
}

/* The rs annotations, but the skipped keys as the deployment has them. */
static KsStrMap *
rollback_annotations (const KsObject *d, const KsObject *rs)
{
  g_autoptr (GPtrArray) keys = g_ptr_array_new ();
  g_autoptr (GPtrArray) values = g_ptr_array_new ();
  const KsStrMap *da = d->meta.annotations, *ra = rs->meta.annotations;

  for (guint i = 0; i < ks_str_map_size (da); i++)
    if (g_strv_contains (skip, ks_str_map_key (da, i)))
      {
        g_ptr_array_add (keys, (gpointer) ks_str_map_key (da, i));
        g_ptr_array_add (values, (gpointer) ks_str_map_value (da, i));
      }
  for (guint i = 0; i < ks_str_map_size (ra); i++)
    if (!g_strv_contains (skip, ks_str_map_key (ra, i)))
      {
        g_ptr_array_add (keys, (gpointer) ks_str_map_key (ra, i));
        g_ptr_array_add (values, (gpointer) ks_str_map_value (ra, i));
      }
  return ks_str_map_new ((const char *const *) keys->pdata, (const char *const *) values->pdata,
                         keys->len);
}

gboolean
ks_deployment_rollback (KsClient *client, const char *ns, const char *name, gint64 revision,
                        gint64 *revision_out, gboolean *skipped, GError **error)
{
  g_autoptr (KsObject) obj
      = ks_client_get (client, ks_kind_get (KS_KIND_DEPLOYMENT), ns, name, NULL);
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (KsObject) copy = NULL;
  KsObject *target = NULL, *updated;
  gint64 highest = 0, previous = 0;
  KsDeployment *d;

  if (skipped != NULL)
    *skipped = FALSE;
  if (obj == NULL)
    {
      g_set_error (error, KS_ROLLBACK_ERROR, KS_ROLLBACK_ERROR_NOT_FOUND,
                   "deployments.apps \"%s\" not found in namespace %s", name, ns);
      return FALSE;
    }
  d = KS_DEPLOYMENT (obj);
  if (d->paused)
    {
      g_set_error_literal (error, KS_ROLLBACK_ERROR, KS_ROLLBACK_ERROR_PAUSED,
                           "you cannot rollback a paused deployment; resume it first with "
                           "'kubectl rollout resume' and try again");
      return FALSE;
    }
  all = ks_client_list_dependents (client, ks_kind_get (KS_KIND_REPLICA_SET), obj, NULL);
  for (guint i = all != NULL ? all->len : 0; i-- > 0;)
    {
      const KsOwnerRef *ref = ks_object_get_controller_ref (g_ptr_array_index (all, i));
      if (ref == NULL || !ks_uid_equal (&ref->uid, &obj->meta.uid))
        g_ptr_array_remove_index (all, i);
    }
  /* The highest and second-highest revisions. */
  for (guint i = 0; all != NULL && i < all->len; i++)
    {
      gint64 r = revision_of (g_ptr_array_index (all, i));
      if (r > highest)
        {
          previous = highest;
          highest = r;
        }
      else if (r > previous && r < highest)
        previous = r;
    }
  if (revision == 0)
    {
      if (previous == 0)
        {
          g_set_error (error, KS_ROLLBACK_ERROR, KS_ROLLBACK_ERROR_NO_HISTORY,
                       "no rollout history found for deployment \"%s\"", name);
          return FALSE;
        }
      revision = previous;
    }
  for (guint i = 0; all != NULL && i < all->len; i++)
    if (revision_of (g_ptr_array_index (all, i)) == revision)
      target = g_ptr_array_index (all, i);
  if (target == NULL)
    {
      g_set_error (error, KS_ROLLBACK_ERROR, KS_ROLLBACK_ERROR_NO_REVISION,
                   "unable to find specified revision %" G_GINT64_FORMAT " in history", revision);
      return FALSE;
    }
  if (revision_out != NULL)
    *revision_out = revision;
  if (ks_pod_templates_equal_ignore_hash (&KS_REPLICA_SET (target)->template, &d->template))
    {
      if (skipped != NULL)
        *skipped = TRUE;
      return TRUE;
    }
  copy = ks_object_copy (obj);
  ks_pod_template_clear (&KS_DEPLOYMENT (copy)->template);
  template_without_hash (&KS_DEPLOYMENT (copy)->template, &KS_REPLICA_SET (target)->template);
  {
    KsStrMap *annotations = rollback_annotations (obj, target);
    ks_object_set_annotations (copy, annotations);
    ks_str_map_unref (annotations);
  }
  updated = ks_client_update (client, copy, error);
  if (updated == NULL)
    return FALSE;
  ks_object_unref (updated);
  return TRUE;
}
