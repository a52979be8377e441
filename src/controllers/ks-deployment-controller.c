/* ks-deployment-controller.c: the Deployment controller (pkg/controller/deployment).
 *
 * Keeps one ReplicaSet per pod template (named <deployment>-<pod-template-hash>), scales it,
 * rolls from old ReplicaSets to the new one (RollingUpdate with maxSurge/maxUnavailable, or
 * Recreate), scales proportionally when replicas change mid-rollout, and keeps status with the
 * Available and Progressing conditions, deletes old ReplicaSets beyond revisionHistoryLimit, and
 * only scales a paused Deployment.  Rollbacks are done by ks-rollback.c. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ks-controller-private.h"

struct _KsDeploymentController
{
  KsController c;
};

typedef struct
{
  KsDeploymentController *dc;
  KsDeployment *d;      /* borrowed, the deployment being synced */
  GPtrArray *all;       /* KsReplicaSet* (refs) controlled by d, oldest first */
  KsReplicaSet *new_rs; /* in all, or NULL */
  gint64 now;
  gboolean paused_changed; /* the working copy's Progressing condition was paused or resumed */
  gboolean failed;         /* the pass ended in an error: no status update, retried */
} Sync;

/* Owner events */

static void
enqueue (KsDeploymentController *dc, const KsObject *obj)
{
  g_autofree char *key = ks_object_key (obj);
  ks_workqueue_add (dc->c.queue, key);
}

static void
on_deployment (const KsWatchEvent *event, gpointer data)
{
  if (event->type != KS_WATCH_DELETED)
    enqueue (data, event->object);
}

static void
on_replica_set (const KsWatchEvent *event, gpointer data)
{
  KsDeploymentController *dc = data;
  ks_controller_enqueue_owner (&dc->c, event->object, "Deployment");
}

/* Recreate waits for old pods to go: deleted pods wake the deployment. */
static void
on_pod (const KsWatchEvent *event, gpointer data)
{
  KsDeploymentController *dc = data;
  const KsOwnerRef *ref;
  g_autoptr (KsObject) rs = NULL;

  if (event->type != KS_WATCH_DELETED)
    return;
  ref = ks_object_get_controller_ref (event->object);
  if (ref == NULL || strcmp (ref->kind, "ReplicaSet") != 0)
    return;
  rs = ks_client_get (dc->c.client, ks_kind_get (KS_KIND_REPLICA_SET),
                      event->object->meta.namespace, ref->name, NULL);
  if (rs != NULL)
    ks_controller_enqueue_owner (&dc->c, rs, "Deployment");
}

/* Helpers of deployment_util.go */

static gint32
max_unavailable (const KsDeployment *d)
{
  gint32 surge, unavailable;

  if (d->strategy != KS_DEPLOY_ROLLING_UPDATE || d->replicas == 0)
    return 0;
  surge = ks_int_or_percent_scaled (&d->max_surge, d->replicas, TRUE);
  unavailable = ks_int_or_percent_scaled (&d->max_unavailable, d->replicas, FALSE);
  if (surge == 0 && unavailable == 0)
    unavailable = 1;
  return MIN (unavailable, d->replicas);
}

static gint32
max_surge (const KsDeployment *d)
{
  if (d->strategy != KS_DEPLOY_ROLLING_UPDATE)
    return 0;
  return ks_int_or_percent_scaled (&d->max_surge, d->replicas, TRUE);
}

static gint64
revision_of (const KsReplicaSet *rs)
{
  const char *v = ks_object_get_annotation (KS_OBJECT (rs), KS_ANNOTATION_REVISION);
  return v != NULL ? g_ascii_strtoll (v, NULL, 10) : 0;
}

static gint32
spec_sum (GPtrArray *list, KsReplicaSet *except)
{
  gint32 sum = 0;
  for (guint i = 0; i < list->len; i++)
    if (g_ptr_array_index (list, i) != except)
      sum += KS_REPLICA_SET (g_ptr_array_index (list, i))->replicas;
  return sum;
}

static int
oldest_first (gconstpointer pa, gconstpointer pb)
{
  const KsReplicaSet *a = *(KsReplicaSet *const *) pa, *b = *(KsReplicaSet *const *) pb;
  gint64 ta = a->parent.meta.creation_timestamp / KS_USEC_PER_SEC;
  gint64 tb = b->parent.meta.creation_timestamp / KS_USEC_PER_SEC;

  if (ta != tb)
    return ta < tb ? -1 : 1;
  return strcmp (a->parent.meta.name, b->parent.meta.name);
}

/* Scale rs to n, keeping the desired/max annotations; record ScalingReplicaSet.  Returns the
 * stored ReplicaSet (a new reference replacing the one in s->all) or NULL on failure. */
static gboolean
scale_rs (Sync *s, KsReplicaSet *rs, gint32 n, const char *verb)
{
  KsReplicaSet *copy;
  KsObject *updated;
  g_autoptr (GError) error = NULL;
  char desired[16], max[16];
  gint32 old = rs->replicas;
  gboolean annotations_ok;

  g_snprintf (desired, sizeof desired, "%d", s->d->replicas);
  g_snprintf (max, sizeof max, "%d", s->d->replicas + max_surge (s->d));
  annotations_ok
      = g_strcmp0 (ks_object_get_annotation (KS_OBJECT (rs), KS_ANNOTATION_DESIRED_REPLICAS),
                   desired)
            == 0
        && g_strcmp0 (ks_object_get_annotation (KS_OBJECT (rs), KS_ANNOTATION_MAX_REPLICAS), max)
               == 0;
  if (old == n && annotations_ok)
    return FALSE;
  copy = KS_REPLICA_SET (ks_object_copy (KS_OBJECT (rs)));
  copy->replicas = n;
  ks_object_set_annotation (KS_OBJECT (copy), KS_ANNOTATION_DESIRED_REPLICAS, desired);
  ks_object_set_annotation (KS_OBJECT (copy), KS_ANNOTATION_MAX_REPLICAS, max);
  updated = ks_client_update (s->dc->c.client, KS_OBJECT (copy), &error);
  ks_object_unref (KS_OBJECT (copy));
  if (updated == NULL)
    return FALSE;
  for (guint i = 0; i < s->all->len; i++)
    if (g_ptr_array_index (s->all, i) == rs)
      {
        ks_object_unref (KS_OBJECT (rs));
        s->all->pdata[i] = updated;
        if (s->new_rs == rs)
          s->new_rs = KS_REPLICA_SET (updated);
        break;
      }
  if (old != n)
    ks_event_record (&s->dc->c.events, KS_OBJECT (s->d), FALSE, "ScalingReplicaSet", NULL,
                     "Scaled %s replica set %s from %d to %d",
                     verb ? verb : (n > old ? "up" : "down"), updated->meta.name, old, n);
  return old != n;
}

/* Finding and creating the new ReplicaSet */

static void
copy_deployment_annotations (const KsDeployment *d, KsObject *rs)
{
  static const char *const skip[] = { "kubectl.kubernetes.io/last-applied-configuration",
                                      KS_ANNOTATION_REVISION,
                                      "deployment.kubernetes.io/revision-history",
                                      KS_ANNOTATION_DESIRED_REPLICAS,
                                      KS_ANNOTATION_MAX_REPLICAS,
                                      "deprecated.deployment.rollback.to",
                                      NULL };
  const KsStrMap *a = d->parent.meta.annotations;

  for (guint i = 0; i < ks_str_map_size (a); i++)
    if (!g_strv_contains (skip, ks_str_map_key (a, i)))
      ks_object_set_annotation (rs, ks_str_map_key (a, i), ks_str_map_value (a, i));
}

/* NewRSNewReplicas for a rolling update. */
static gint32
new_rs_new_replicas (Sync *s, gint32 current_new)
{
  gint32 max_total, current;

  if (s->d->strategy == KS_DEPLOY_RECREATE)
    return s->d->replicas;
  max_total = s->d->replicas + max_surge (s->d);
  current = spec_sum (s->all, NULL);
  if (current >= max_total)
    return current_new;
  return current_new + MIN (max_total - current, s->d->replicas - current_new);
}

static gboolean
create_new_rs (Sync *s)
{
  KsDeployment *d = s->d;
  KsReplicaSet *rs = KS_REPLICA_SET (ks_object_new (ks_kind_get (KS_KIND_REPLICA_SET)));
  g_autofree char *hash = ks_pod_template_hash (&d->template, d->status.has_collision_count,
                                                d->status.collision_count);
  g_autoptr (KsStrMap) labels
      = ks_str_map_with (d->template.labels, KS_LABEL_POD_TEMPLATE_HASH, hash);
  g_autoptr (KsStrMap) sel_labels
      = ks_str_map_with (d->selector->match_labels, KS_LABEL_POD_TEMPLATE_HASH, hash);
  g_autoptr (KsOwnerRefs) owner = ks_owner_refs_new_controller (KS_OBJECT (d));
  g_autoptr (GError) error = NULL;
  gint64 max_revision = 0;
  char buf[24];
  KsObject *created;
  gint32 replicas;

  for (guint i = 0; i < s->all->len; i++)
    max_revision = MAX (max_revision, revision_of (g_ptr_array_index (s->all, i)));
  rs->parent.meta.name = g_strdup_printf ("%s-%s", d->parent.meta.name, hash);
  rs->parent.meta.namespace = d->parent.meta.namespace;
  ks_object_set_labels (KS_OBJECT (rs), labels);
  ks_object_set_owner_refs (KS_OBJECT (rs), owner);
  rs->min_ready_seconds = d->min_ready_seconds;
  rs->selector = ks_label_selector_new (sel_labels);
  if (d->selector->n_expressions > 0)
    {
      /* Keep the expressions: rebuild the selector with them. */
      KsLabelSelector *full = g_new0 (KsLabelSelector, 1);
      full->ref_count = 1;
      full->match_labels = ks_str_map_ref (sel_labels);
      full->n_expressions = d->selector->n_expressions;
      full->expressions = g_new0 (KsRequirement, full->n_expressions);
      for (guint i = 0; i < full->n_expressions; i++)
        {
          full->expressions[i] = d->selector->expressions[i];
          full->expressions[i].key = g_strdup (d->selector->expressions[i].key);
          full->expressions[i].values = g_strdupv (d->selector->expressions[i].values);
        }
      ks_label_selector_unref (rs->selector);
      rs->selector = full;
    }
  rs->template.labels = ks_str_map_ref (labels);
  rs->template.annotations = ks_str_map_ref (d->template.annotations);
  rs->template.spec = ks_pod_spec_ref (d->template.spec);
  replicas = new_rs_new_replicas (s, 0);
  rs->replicas = replicas;
  copy_deployment_annotations (d, KS_OBJECT (rs));
  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, max_revision + 1);
  ks_object_set_annotation (KS_OBJECT (rs), KS_ANNOTATION_REVISION, buf);
  g_snprintf (buf, sizeof buf, "%d", d->replicas);
  ks_object_set_annotation (KS_OBJECT (rs), KS_ANNOTATION_DESIRED_REPLICAS, buf);
  g_snprintf (buf, sizeof buf, "%d", d->replicas + max_surge (d));
  ks_object_set_annotation (KS_OBJECT (rs), KS_ANNOTATION_MAX_REPLICAS, buf);

  created = ks_client_create (s->dc->c.client, KS_OBJECT (rs), &error);
  ks_object_unref (KS_OBJECT (rs));
  if (created == NULL)
    {
      if (g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_ALREADY_EXISTS))
        {
          /* A ReplicaSet with this name but another template: a hash collision.  Bump
           * status.collisionCount and try again on the next sync. */
          KsDeployment *copy = KS_DEPLOYMENT (ks_object_copy (KS_OBJECT (d)));
          KsObject *updated;
          copy->status.has_collision_count = TRUE;
          copy->status.collision_count++;
          updated = ks_client_update_status (s->dc->c.client, KS_OBJECT (copy), NULL);
          ks_object_unref (KS_OBJECT (copy));
          if (updated != NULL)
            ks_object_unref (updated);
          return FALSE;
        }
      ks_event_record (&s->dc->c.events, KS_OBJECT (d), TRUE, "FailedCreate", NULL,
                       "Failed to create new replica set \"%s-%s\": %s", d->parent.meta.name, hash,
                       error->message);
      return FALSE;
    }
  if (replicas > 0)
    ks_event_record (&s->dc->c.events, KS_OBJECT (d), FALSE, "ScalingReplicaSet", NULL,
                     "Scaled up replica set %s from 0 to %d", created->meta.name, replicas);
  g_ptr_array_add (s->all, created);
  s->new_rs = KS_REPLICA_SET (created);
  {
    g_autofree char *message
        = g_strdup_printf ("Created new replica set \"%s\"", created->meta.name);
    ks_deployment_set_condition (d, KS_DEPLOY_COND_PROGRESSING, KS_CONDITION_TRUE,
                                 "NewReplicaSetCreated", message, s->now);
  }
  return TRUE;
}

static void
find_new_rs (Sync *s)
{
  s->new_rs = NULL;
  for (guint i = 0; i < s->all->len; i++)
    {
      KsReplicaSet *rs = g_ptr_array_index (s->all, i);
      if (ks_pod_templates_equal_ignore_hash (&rs->template, &s->d->template))
        {
          s->new_rs = rs;
          return;
        }
    }
}

/* The new ReplicaSet's revision must be the highest; Deployment mirrors it. */
static void
sync_revision (Sync *s)
{
  gint64 max_old = 0;
  char buf[24];

  if (s->new_rs == NULL)
    return;
  for (guint i = 0; i < s->all->len; i++)
    if (g_ptr_array_index (s->all, i) != s->new_rs)
      max_old = MAX (max_old, revision_of (g_ptr_array_index (s->all, i)));
  if (revision_of (s->new_rs) <= max_old)
    {
      KsReplicaSet *copy = KS_REPLICA_SET (ks_object_copy (KS_OBJECT (s->new_rs)));
      KsObject *updated;
      g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, max_old + 1);
      ks_object_set_annotation (KS_OBJECT (copy), KS_ANNOTATION_REVISION, buf);
      updated = ks_client_update (s->dc->c.client, KS_OBJECT (copy), NULL);
      ks_object_unref (KS_OBJECT (copy));
      if (updated != NULL)
        {
          for (guint i = 0; i < s->all->len; i++)
            if (g_ptr_array_index (s->all, i) == s->new_rs)
              {
                ks_object_unref (g_ptr_array_index (s->all, i));
                s->all->pdata[i] = updated;
              }
          s->new_rs = KS_REPLICA_SET (updated);
        }
    }
}

/* Revision history (cleanupDeployment, reference §3.8) */

static int
by_revision (gconstpointer pa, gconstpointer pb)
{
  const KsReplicaSet *a = *(KsReplicaSet *const *) pa, *b = *(KsReplicaSet *const *) pb;
  gint64 ra = revision_of (a), rb = revision_of (b);

  if (ra != rb)
    return ra < rb ? -1 : 1;
  return oldest_first (pa, pb);
}

/* Delete the oldest revisions of the scaled-down old ReplicaSets beyond revisionHistoryLimit.
 * The deleted ones stay in s->all: they are not the new set and have no replicas, so nothing
 * later in this sync counts them. */
static void
cleanup (Sync *s)
{
  g_autoptr (GPtrArray) candidates = g_ptr_array_new ();
  gint diff;

  for (guint i = 0; i < s->all->len; i++)
    {
      KsReplicaSet *rs = g_ptr_array_index (s->all, i);
      if (rs != s->new_rs && rs->replicas == 0 && rs->status.replicas == 0
          && !ks_object_is_being_deleted (KS_OBJECT (rs)))
        g_ptr_array_add (candidates, rs);
    }
  diff = (gint) candidates->len - s->d->revision_history_limit;
  if (diff <= 0)
    return;
  g_ptr_array_sort (candidates, by_revision);
  for (gint i = 0; i < diff; i++)
    {
      KsObject *rs = g_ptr_array_index (candidates, i);
      g_autoptr (GError) error = NULL;
      if (!ks_client_delete (s->dc->c.client, rs->kind, rs->meta.namespace, rs->meta.name, NULL,
                             &error)
          && !g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
        g_warning ("deployment %s: cannot delete old replica set %s: %s", s->d->parent.meta.name,
                   rs->meta.name, error->message);
    }
}

/* Rolling update */

static gboolean
reconcile_new_rs (Sync *s)
{
  KsReplicaSet *rs = s->new_rs;

  if (rs->replicas == s->d->replicas)
    return FALSE;
  if (rs->replicas > s->d->replicas)
    return scale_rs (s, rs, s->d->replicas, "down");
  return scale_rs (s, rs, new_rs_new_replicas (s, rs->replicas), "up");
}

static gboolean
reconcile_old_rss (Sync *s)
{
  gint32 old_count = spec_sum (s->all, s->new_rs);
  gint32 all_count, min_available, new_unavailable, max_scaled_down, done = 0;
  gint32 available = 0, budget, cleaned = 0;

  if (old_count == 0)
    return FALSE;
  all_count = spec_sum (s->all, NULL);
  min_available = s->d->replicas - max_unavailable (s->d);
  new_unavailable
      = s->new_rs != NULL ? s->new_rs->replicas - s->new_rs->status.available_replicas : 0;
  max_scaled_down = all_count - min_available - new_unavailable;
  if (max_scaled_down <= 0)
    return FALSE;

  /* cleanupUnhealthyReplicas: old sets' unavailable pods first, oldest set first. */
  for (guint i = 0; i < s->all->len && cleaned < max_scaled_down; i++)
    {
      KsReplicaSet *rs = g_ptr_array_index (s->all, i);
      gint32 n;
      if (rs == s->new_rs || rs->replicas == 0 || rs->replicas == rs->status.available_replicas)
        continue;
      n = MIN (max_scaled_down - cleaned, rs->replicas - rs->status.available_replicas);
      if (n < 0)
        {
          /* More available than wanted: the set's status predates its last scale-down (the
           * ReplicaSet controller writes the status from the pods it saw before deleting).
           * cleanupUnhealthyReplicas refuses the "scale down" upwards with an error, which ends
           * the pass; going on would trade the stale availability for real pods. */
          s->failed = TRUE;
          return TRUE;
        }
      if (n > 0)
        {
          rs = g_ptr_array_index (s->all, i);
          scale_rs (s, rs, rs->replicas - n, "down");
          cleaned += n;
        }
    }

  /* scaleDownOldReplicaSetsForRollingUpdate */
  for (guint i = 0; i < s->all->len; i++)
    available += KS_REPLICA_SET (g_ptr_array_index (s->all, i))->status.available_replicas;
  if (available > min_available)
    {
      budget = available - min_available;
      for (guint i = 0; i < s->all->len && done < budget; i++)
        {
          KsReplicaSet *rs = g_ptr_array_index (s->all, i);
          gint32 n;
          if (rs == s->new_rs || rs->replicas == 0)
            continue;
          n = MIN (rs->replicas, budget - done);
          scale_rs (s, rs, rs->replicas - n, "down");
          done += n;
        }
    }
  return cleaned + done > 0;
}

/* Proportional scaling (sync.go scale()) */

typedef struct
{
  KsReplicaSet *rs;
  gboolean up;
} Sized;

static int
largest_first (gconstpointer pa, gconstpointer pb, gpointer data)
{
  const KsReplicaSet *a = *(KsReplicaSet *const *) pa, *b = *(KsReplicaSet *const *) pb;
  gboolean up = GPOINTER_TO_INT (data);
  gint64 ta = a->parent.meta.creation_timestamp / KS_USEC_PER_SEC;
  gint64 tb = b->parent.meta.creation_timestamp / KS_USEC_PER_SEC;

  if (a->replicas != b->replicas)
    return a->replicas > b->replicas ? -1 : 1;
  /* ties: newer first when scaling up, older first when scaling down */
  if (ta != tb)
    return (up ? ta > tb : ta < tb) ? -1 : 1;
  /* ReplicaSetsBySizeNewer reverses ReplicaSetsByCreationTimestamp, name tie-break included. */
  return up ? strcmp (b->parent.meta.name, a->parent.meta.name)
            : strcmp (a->parent.meta.name, b->parent.meta.name);
}

static gint32
round_to_int32 (double a)
{
  return a >= 0 ? (gint32) (a + 0.5) : (gint32) (a - 0.5);
}

static gboolean
scale (Sync *s)
{
  g_autoptr (GPtrArray) active = g_ptr_array_new ();
  KsDeployment *d = s->d;
  gboolean changed = FALSE;

  for (guint i = 0; i < s->all->len; i++)
    if (KS_REPLICA_SET (g_ptr_array_index (s->all, i))->replicas > 0)
      g_ptr_array_add (active, g_ptr_array_index (s->all, i));
  if (active->len == 1 || active->len == 0)
    {
      KsReplicaSet *target = active->len == 1
                                 ? g_ptr_array_index (active, 0)
                                 : (s->new_rs != NULL ? s->new_rs
                                    : s->all->len > 0 ? g_ptr_array_index (s->all, s->all->len - 1)
                                                      : NULL);
      if (target != NULL && target->replicas != d->replicas)
        return scale_rs (s, target, d->replicas, NULL);
      return FALSE;
    }
  if (s->new_rs != NULL && s->new_rs->replicas == d->replicas
      && s->new_rs->status.available_replicas == d->replicas)
    {
      const char *desired
          = ks_object_get_annotation (KS_OBJECT (s->new_rs), KS_ANNOTATION_DESIRED_REPLICAS);
      if (desired != NULL && g_ascii_strtoll (desired, NULL, 10) == d->replicas)
        {
          for (guint i = 0; i < active->len; i++)
            if (g_ptr_array_index (active, i) != s->new_rs)
              changed |= scale_rs (s, g_ptr_array_index (active, i), 0, "down");
          return changed;
        }
    }
  if (d->strategy == KS_DEPLOY_ROLLING_UPDATE)
    {
      gint32 allowed = d->replicas > 0 ? d->replicas + max_surge (d) : 0;
      gint32 current = spec_sum (active, NULL);
      gint32 to_add = allowed - current, added = 0;
      g_autofree gint32 *sizes = g_new (gint32, active->len);

      /* Even with nothing to add, scale_rs writes the desired/max annotations: until they match
       * spec.replicas every sync is a scaling event and the rollout would never go on. */
      g_ptr_array_sort_with_data (active, largest_first, GINT_TO_POINTER (to_add > 0));
      for (guint i = 0; i < active->len; i++)
        {
          KsReplicaSet *rs = g_ptr_array_index (active, i);
          gint32 proportion = 0;
          sizes[i] = rs->replicas;
          if (to_add != 0)
            {
              const char *maxa
                  = ks_object_get_annotation (KS_OBJECT (rs), KS_ANNOTATION_MAX_REPLICAS);
              gint32 annotated
                  = maxa != NULL ? (gint32) g_ascii_strtoll (maxa, NULL, 10) : d->status.replicas;
              if (rs->replicas == 0 || annotated == 0)
                proportion = -rs->replicas;
              else
                proportion
                    = round_to_int32 ((double) rs->replicas * allowed / annotated) - rs->replicas;
              proportion = to_add > 0 ? MIN (proportion, to_add - added)
                                      : MAX (proportion, to_add - added);
            }
          sizes[i] += proportion;
          added += proportion;
        }
      if (added != to_add)
        sizes[0] = MAX (0, sizes[0] + to_add - added);
      for (guint i = 0; i < active->len; i++)
        changed |= scale_rs (s, g_ptr_array_index (active, i), sizes[i], NULL);
    }
  return changed;
}

static gboolean
is_scaling_event (Sync *s)
{
  for (guint i = 0; i < s->all->len; i++)
    {
      KsReplicaSet *rs = g_ptr_array_index (s->all, i);
      const char *desired
          = ks_object_get_annotation (KS_OBJECT (rs), KS_ANNOTATION_DESIRED_REPLICAS);
      if (rs->replicas > 0 && desired != NULL
          && g_ascii_strtoll (desired, NULL, 10) != s->d->replicas)
        return TRUE;
    }
  return FALSE;
}

/* Status (calculateStatus, syncRolloutStatus) */

static gboolean
is_complete (const KsDeployment *d)
{
  return d->status.updated_replicas == d->replicas && d->status.replicas == d->replicas
         && d->status.available_replicas == d->replicas
         && d->status.observed_generation >= d->parent.meta.generation;
}

static gboolean
conditions_equal (const KsDeploymentCondition *a, const KsDeploymentCondition *b)
{
  return a->status == b->status && a->last_update_time == b->last_update_time
         && a->last_transition_time == b->last_transition_time
         && g_strcmp0 (a->reason, b->reason) == 0 && g_strcmp0 (a->message, b->message) == 0;
}

static gboolean
status_equal (const KsDeployment *a, const KsDeployment *b)
{
  if (a->status.observed_generation != b->status.observed_generation
      || a->status.replicas != b->status.replicas
      || a->status.updated_replicas != b->status.updated_replicas
      || a->status.ready_replicas != b->status.ready_replicas
      || a->status.available_replicas != b->status.available_replicas
      || a->status.unavailable_replicas != b->status.unavailable_replicas
      || a->status.has_collision_count != b->status.has_collision_count
      || a->status.collision_count != b->status.collision_count)
    return FALSE;
  for (guint i = 0; i < KS_N_DEPLOY_CONDITIONS; i++)
    if (!conditions_equal (&a->status.conditions[i], &b->status.conditions[i]))
      return FALSE;
  return TRUE;
}

static void
sync_status (Sync *s)
{
  KsDeployment *old = s->d;
  KsDeployment *d = KS_DEPLOYMENT (ks_object_copy (KS_OBJECT (old)));
  KsDeploymentCondition *progressing = &d->status.conditions[KS_DEPLOY_COND_PROGRESSING];
  gint32 spec_total = 0, max_unavail = max_unavailable (d);
  gboolean revision_changed = FALSE;
  KsObject *updated;

  d->status.replicas = d->status.ready_replicas = d->status.available_replicas = 0;
  for (guint i = 0; i < s->all->len; i++)
    {
      KsReplicaSet *rs = g_ptr_array_index (s->all, i);
      d->status.replicas += rs->status.replicas;
      d->status.ready_replicas += rs->status.ready_replicas;
      d->status.available_replicas += rs->status.available_replicas;
      spec_total += rs->replicas;
    }
  d->status.updated_replicas = s->new_rs != NULL ? s->new_rs->status.replicas : 0;
  d->status.unavailable_replicas = MAX (0, spec_total - d->status.available_replicas);
  d->status.observed_generation = d->parent.meta.generation;
  if (d->status.available_replicas >= d->replicas - max_unavail)
    ks_deployment_set_condition (d, KS_DEPLOY_COND_AVAILABLE, KS_CONDITION_TRUE,
                                 "MinimumReplicasAvailable", "Deployment has minimum availability.",
                                 s->now);
  else
    ks_deployment_set_condition (d, KS_DEPLOY_COND_AVAILABLE, KS_CONDITION_FALSE,
                                 "MinimumReplicasUnavailable",
                                 "Deployment does not have minimum availability.", s->now);

  /* Progressing (syncRolloutStatus): no estimate once the rollout completed and no old replicas
   * are left, even if pods come and go afterwards. */
  if (d->paused)
    {
      /* syncDeploymentStatus of sync(): no progress estimate, no deadline while paused. */
    }
  else if (progressing->status != KS_CONDITION_UNSET
           && g_strcmp0 (progressing->reason, "NewReplicaSetAvailable") == 0
           && d->status.replicas == d->status.updated_replicas)
    {
      /* isCompleteDeployment: keep the condition as it is */
    }
  else if (is_complete (d))
    {
      /* Also after ProgressDeadlineExceeded: a late completion still completes. */
      g_autofree char *msg
          = s->new_rs != NULL ? g_strdup_printf ("ReplicaSet \"%s\" has successfully progressed.",
                                                 s->new_rs->parent.meta.name)
                              : g_strdup_printf ("Deployment \"%s\" has successfully progressed.",
                                                 d->parent.meta.name);
      ks_deployment_set_condition (d, KS_DEPLOY_COND_PROGRESSING, KS_CONDITION_TRUE,
                                   "NewReplicaSetAvailable", msg, s->now);
    }
  else if (d->status.updated_replicas > old->status.updated_replicas
           || d->status.replicas - d->status.updated_replicas
                  < old->status.replicas - old->status.updated_replicas
           || d->status.ready_replicas > old->status.ready_replicas
           || d->status.available_replicas > old->status.available_replicas)
    {
      g_autofree char *msg
          = s->new_rs != NULL
                ? g_strdup_printf ("ReplicaSet \"%s\" is progressing.", s->new_rs->parent.meta.name)
                : g_strdup_printf ("Deployment \"%s\" is progressing.", d->parent.meta.name);
      KsConditionStatus was = progressing->status;
      gint64 transition = progressing->last_transition_time;
      ks_deployment_set_condition (d, KS_DEPLOY_COND_PROGRESSING, KS_CONDITION_TRUE,
                                   "ReplicaSetUpdated", msg, s->now);
      progressing->last_update_time = s->now;
      if (was == KS_CONDITION_TRUE)
        progressing->last_transition_time = transition;
    }
  else if (progressing->status != KS_CONDITION_UNSET
           && g_strcmp0 (progressing->reason, "NewReplicaSetAvailable") != 0 && !is_complete (d)
           && progressing->last_update_time + d->progress_deadline_seconds * KS_USEC_PER_SEC
                  < s->now)
    {
      g_autofree char *msg = s->new_rs != NULL
                                 ? g_strdup_printf ("ReplicaSet \"%s\" has timed out progressing.",
                                                    s->new_rs->parent.meta.name)
                                 : g_strdup_printf ("Deployment \"%s\" has timed out progressing.",
                                                    d->parent.meta.name);
      ks_deployment_set_condition (d, KS_DEPLOY_COND_PROGRESSING, KS_CONDITION_FALSE,
                                   "ProgressDeadlineExceeded", msg, s->now);
    }

  /* The Deployment mirrors its new ReplicaSet's revision (SetDeploymentRevision), written with
   * the status as getNewReplicaSet does. */
  if (s->new_rs != NULL)
    {
      const char *rev = ks_object_get_annotation (KS_OBJECT (s->new_rs), KS_ANNOTATION_REVISION);
      if (rev != NULL
          && g_strcmp0 (ks_object_get_annotation (KS_OBJECT (d), KS_ANNOTATION_REVISION), rev) != 0)
        {
          ks_object_set_annotation (KS_OBJECT (d), KS_ANNOTATION_REVISION, rev);
          revision_changed = TRUE;
        }
    }
  if (revision_changed || s->paused_changed || !status_equal (old, d))
    {
      updated = ks_client_update_status (s->dc->c.client, KS_OBJECT (d), NULL);
      if (updated != NULL)
        ks_object_unref (updated);
    }
  /* Not complete and not timed out: look again when the deadline passes.  A NewReplicaSetAvailable
   * rollout cannot time out (its lastUpdateTime may be long past, which would requeue it at once,
   * forever); Kubernetes requeues it rate-limited to no effect, kubesim not at all. */
  if (!d->paused && !is_complete (d) && progressing->status != KS_CONDITION_UNSET
      && g_strcmp0 (progressing->reason, "ProgressDeadlineExceeded") != 0
      && g_strcmp0 (progressing->reason, "NewReplicaSetAvailable") != 0)
    {
      g_autofree char *key = ks_object_key (KS_OBJECT (d));
      gint64 after
          = progressing->last_update_time + d->progress_deadline_seconds * KS_USEC_PER_SEC - s->now;
      ks_workqueue_add_after (s->dc->c.queue, key, after + KS_USEC_PER_SEC);
    }
  ks_object_unref (KS_OBJECT (d));
}

static gboolean
old_pods_running (Sync *s)
{
  for (guint i = 0; i < s->all->len; i++)
    {
      KsReplicaSet *rs = g_ptr_array_index (s->all, i);
      g_autoptr (GPtrArray) pods = NULL;
      if (rs == s->new_rs)
        continue;
      if (rs->status.replicas > 0)
        return TRUE;
      pods = ks_client_list_dependents (s->dc->c.client, ks_kind_get (KS_KIND_POD), KS_OBJECT (rs),
                                        NULL);
      for (guint j = 0; j < pods->len; j++)
        {
          KsPodPhase phase = KS_POD (g_ptr_array_index (pods, j))->phase;
          if (phase == KS_POD_PENDING || phase == KS_POD_RUNNING || phase == KS_POD_UNKNOWN)
            return TRUE;
        }
    }
  return FALSE;
}

static void
rollout (Sync *s)
{
  KsDeployment *d = s->d;

  if (d->strategy == KS_DEPLOY_RECREATE)
    {
      gboolean scaled = FALSE;
      for (guint i = 0; i < s->all->len; i++)
        if (g_ptr_array_index (s->all, i) != s->new_rs
            && KS_REPLICA_SET (g_ptr_array_index (s->all, i))->replicas > 0)
          scaled |= scale_rs (s, g_ptr_array_index (s->all, i), 0, "down");
      if (scaled || old_pods_running (s))
        return;
      if (s->new_rs == NULL && !create_new_rs (s))
        return;
      if (s->new_rs->replicas != d->replicas)
        scale_rs (s, s->new_rs, d->replicas, NULL);
      else if (is_complete (d))
        cleanup (s);
      return;
    }
  if (s->new_rs == NULL && !create_new_rs (s))
    return;
  sync_revision (s);
  if (reconcile_new_rs (s))
    return;
  if (reconcile_old_rss (s))
    return;
  /* DeploymentComplete on the status stored before this sync, as rolloutRolling does. */
  if (is_complete (d))
    cleanup (s);
}

/* checkPausedConditions: Progressing turns Unknown with DeploymentPaused while paused, and
 * DeploymentResumed when resumed; the latter restarts the progress deadline from now. */
static void
paused_conditions (Sync *s)
{
  KsDeploymentCondition *c = &s->d->status.conditions[KS_DEPLOY_COND_PROGRESSING];
  gboolean paused_cond = g_strcmp0 (c->reason, "DeploymentPaused") == 0;

  if (s->d->paused && !paused_cond)
    ks_deployment_set_condition (s->d, KS_DEPLOY_COND_PROGRESSING, KS_CONDITION_UNKNOWN,
                                 "DeploymentPaused", "Deployment is paused", s->now);
  else if (!s->d->paused && paused_cond)
    ks_deployment_set_condition (s->d, KS_DEPLOY_COND_PROGRESSING, KS_CONDITION_UNKNOWN,
                                 "DeploymentResumed", "Deployment is resumed", s->now);
  else
    return;
  s->paused_changed = TRUE;
}

static void
sync_deployment (const char *key, gpointer data)
{
  KsDeploymentController *dc = data;
  g_autofree char *ns = NULL;
  const char *name;
  g_autoptr (KsObject) obj = NULL;
  g_autoptr (KsObject) working = NULL;
  Sync s = { .dc = dc };

  ks_controller_split_key (key, &ns, &name);
  obj = ks_client_get (dc->c.client, ks_kind_get (KS_KIND_DEPLOYMENT), ns, name, NULL);
  if (obj == NULL || ks_object_is_being_deleted (obj))
    return;
  /* Conditions set while syncing (NewReplicaSetCreated) go on a working copy. */
  working = ks_object_copy (obj);
  s.d = KS_DEPLOYMENT (working);
  s.now = ks_clock_now (dc->c.clock);
  s.all = ks_client_list_dependents (dc->c.client, ks_kind_get (KS_KIND_REPLICA_SET), obj, NULL);
  for (guint i = s.all->len; i-- > 0;)
    {
      const KsOwnerRef *ref = ks_object_get_controller_ref (g_ptr_array_index (s.all, i));
      if (ref == NULL || !ks_uid_equal (&ref->uid, &obj->meta.uid))
        g_ptr_array_remove_index (s.all, i);
    }
  g_ptr_array_sort (s.all, oldest_first);
  find_new_rs (&s);

  paused_conditions (&s);
  if (s.d->paused)
    {
      /* sync(): scaling only, and the history cleanup (on every sync while paused). */
      scale (&s);
      cleanup (&s);
    }
  else if (is_scaling_event (&s))
    scale (&s);
  else
    rollout (&s);
  if (s.failed)
    /* processNextWorkItem: AddRateLimited, whose first delay is 5 ms. */
    ks_workqueue_add_after (dc->c.queue, key, 5 * KS_USEC_PER_MSEC);
  else
    sync_status (&s);
  g_ptr_array_unref (s.all);
}

KsDeploymentController *
ks_deployment_controller_new (KsClient *client, KsClock *clock, KsEventSink *sink)
{
  KsDeploymentController *dc = g_new0 (KsDeploymentController, 1);

  ks_controller_init (&dc->c, client, clock, sink, "deployment-controller", sync_deployment, dc);
  dc->c.watches[dc->c.n_watches++] = ks_client_watch (client, ks_kind_get (KS_KIND_DEPLOYMENT),
                                                      NULL, TRUE, on_deployment, dc, NULL);
  dc->c.watches[dc->c.n_watches++] = ks_client_watch (client, ks_kind_get (KS_KIND_REPLICA_SET),
                                                      NULL, TRUE, on_replica_set, dc, NULL);
  dc->c.watches[dc->c.n_watches++]
      = ks_client_watch (client, ks_kind_get (KS_KIND_POD), NULL, FALSE, on_pod, dc, NULL);
  return dc;
}

void
ks_deployment_controller_free (KsDeploymentController *dc)
{
  if (dc == NULL)
    return;
  ks_controller_clear (&dc->c);
  g_free (dc);
}
