/* ks-disruption-controller.c: the disruption controller (pkg/controller/disruption), which keeps
 * each PodDisruptionBudget's status: the pods it covers that are healthy (Ready, not being
 * deleted, not just evicted), how many must be, how many are expected, and so how many
 * disruptions are allowed, with the condition DisruptionAllowed.
 *
 * Expected pods: with an integer minAvailable, the number of pods the selector picks; with a
 * percentage or with maxUnavailable, the sum of the scales (spec.replicas) of the pods'
 * controllers: a Deployment for pods of a ReplicaSet it owns, else the ReplicaSet.  A pod owned
 * by any other kind fails the sync (the budget then allows no disruption, condition SyncFailed);
 * pods without a controller are left out with a warning event.
 *
 * It syncs a budget when the budget changes and when a pod it covers changes (only the first
 * budget of the pod's namespace, in name order, that selects it, as Kubernetes' getPdbForPod
 * takes one), and again when a pod listed in status.disruptedPods should have been deleted.
 * Pods are watched only while some budget exists. */
#include "config.h"

#include <string.h>

#include "ks-controller-private.h"
#include "src/api/ks-pdb.h"

#define COMPONENT "controllermanager"

struct _KsDisruptionController
{
  KsController c;
  guint pod_watch; /* while some budget exists; else 0 */
  guint n_pdbs;
};

static const char *const no_pods = "No matching pods found";

/* metav1.LabelSelector's String(), as Kubernetes prints it with %v in event messages. */
static char *
selector_go_string (const KsLabelSelector *sel)
{
  GString *s;

  if (sel == NULL)
    return g_strdup ("nil");
  s = g_string_new ("&LabelSelector{MatchLabels:map[string]string{");
  for (guint i = 0; i < ks_str_map_size (sel->match_labels); i++)
    g_string_append_printf (s, "%s: %s,", ks_str_map_key (sel->match_labels, i),
                            ks_str_map_value (sel->match_labels, i));
  g_string_append (s, "},MatchExpressions:[]LabelSelectorRequirement{");
  for (guint i = 0; i < sel->n_expressions; i++)
    {
      const KsRequirement *r = &sel->expressions[i];
      g_string_append_printf (s, "LabelSelectorRequirement{Key:%s,Operator:%s,Values:[", r->key,
                              ks_selector_op_name (r->op));
      for (guint v = 0; v < r->n_values; v++)
        g_string_append_printf (s, "%s%s", v ? " " : "", r->values[v]);
      g_string_append (s, "],},");
    }
  g_string_append (s, "},}");
  return g_string_free (s, FALSE);
}

/* The pods budget's selector picks in its namespace (getPodsForPdb): none without a selector,
 * every pod of the namespace with an empty one.  A new array of references. */
static GPtrArray *
pods_for_pdb (KsDisruptionController *dc, const KsPodDisruptionBudget *pdb)
{
  GPtrArray *pods = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  g_autoptr (GPtrArray) all = NULL;

  if (pdb->selector == NULL)
    return pods;
  all = ks_client_list (dc->c.client, ks_kind_get (KS_KIND_POD), pdb->parent.meta.namespace, NULL);
  for (guint i = 0; all != NULL && i < all->len; i++)
    {
      KsObject *pod = g_ptr_array_index (all, i);
      if (ks_label_selector_matches (pdb->selector, pod->meta.labels))
        g_ptr_array_add (pods, ks_object_ref (pod));
    }
  return pods;
}

/* The controller of pod and its scale (the finders): FALSE when no finder knows it. */
static gboolean
find_scale (KsDisruptionController *dc, const KsOwnerRef *ref, const char *ns, KsUid *uid,
            gint32 *scale)
{
  g_autoptr (KsObject) rs = NULL;
  const KsOwnerRef *owner;

  if (strcmp (ref->kind, "ReplicaSet") != 0 || !g_str_has_prefix (ref->api_version, "apps/"))
    return FALSE;
  rs = ks_client_get (dc->c.client, ks_kind_get (KS_KIND_REPLICA_SET), ns, ref->name, NULL);
  if (rs == NULL || !ks_uid_equal (&rs->meta.uid, &ref->uid))
    return FALSE;
  owner = ks_object_get_controller_ref (rs);
  if (owner == NULL || strcmp (owner->kind, "Deployment") != 0)
    {
      /* getPodReplicaSet: a ReplicaSet that no Deployment controls. */
      *uid = rs->meta.uid;
      *scale = KS_REPLICA_SET (rs)->replicas;
      return TRUE;
    }
  {
    /* getPodDeployment */
    g_autoptr (KsObject) d
        = ks_client_get (dc->c.client, ks_kind_get (KS_KIND_DEPLOYMENT), ns, owner->name, NULL);
    if (d == NULL || !ks_uid_equal (&d->meta.uid, &owner->uid))
      return FALSE;
    *uid = d->meta.uid;
    *scale = KS_DEPLOYMENT (d)->replicas;
    return TRUE;
  }
}

/* getExpectedScale: Σ scale over the pods' distinct controllers; unmanaged pods named in
 * unmanaged.  FALSE with error when a pod's controller is unknown. */
static gboolean
expected_scale (KsDisruptionController *dc, const KsPodDisruptionBudget *pdb, GPtrArray *pods,
                gint32 *expected, GPtrArray *unmanaged, GError **error)
{
  g_autoptr (GHashTable) scales
      = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, g_free, NULL);
  GHashTableIter iter;
  gpointer value;

  for (guint i = 0; i < pods->len; i++)
    {
      const KsObject *pod = g_ptr_array_index (pods, i);
      const KsOwnerRef *ref = ks_object_get_controller_ref (pod);
      KsUid uid;
      gint32 scale;
      if (ref == NULL)
        {
          g_ptr_array_add (unmanaged, pod->meta.name);
          continue;
        }
      if (g_hash_table_contains (scales, &ref->uid))
        continue;
      if (!find_scale (dc, ref, pdb->parent.meta.namespace, &uid, &scale))
        {
          g_set_error (error, KS_CONTROLLER_ERROR, 0, "found no controllers for pod \"%s\"",
                       pod->meta.name);
          return FALSE;
        }
      g_hash_table_insert (scales, g_memdup2 (&uid, sizeof uid), GINT_TO_POINTER (scale));
    }
  *expected = 0;
  g_hash_table_iter_init (&iter, scales);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    *expected += GPOINTER_TO_INT (value);
  return TRUE;
}

/* getExpectedPodCount */
static gboolean
expected_count (KsDisruptionController *dc, const KsPodDisruptionBudget *pdb, GPtrArray *pods,
                gint32 *expected, gint32 *desired, GPtrArray *unmanaged, GError **error)
{
  *expected = *desired = 0;
  if (pdb->max_unavailable.set)
    {
      gint32 max_unavailable;
      if (!expected_scale (dc, pdb, pods, expected, unmanaged, error))
        return FALSE;
      max_unavailable = ks_int_or_percent_scaled (&pdb->max_unavailable, *expected, TRUE);
      *desired = MAX (*expected - max_unavailable, 0);
    }
  else if (pdb->min_available.set && !pdb->min_available.percent)
    {
      *desired = pdb->min_available.value;
      *expected = (gint32) pods->len;
    }
  else if (pdb->min_available.set)
    {
      if (!expected_scale (dc, pdb, pods, expected, unmanaged, error))
        return FALSE;
      *desired = ks_int_or_percent_scaled (&pdb->min_available, *expected, TRUE);
    }
  return TRUE;
}

/* buildDisruptedPodMap: the entries of status.disruptedPods still waiting for their pod's
 * deletion (within the timeout), and when to look again. */
static GArray *
disrupted_pods (KsDisruptionController *dc, const KsPodDisruptionBudget *pdb, GPtrArray *pods,
                gint64 now, gint64 *recheck)
{
  GArray *kept = g_array_new (FALSE, TRUE, sizeof (KsDisruptedPod));

  *recheck = KS_TIME_NONE;
  for (guint i = 0; i < pods->len && pdb->status.n_disrupted_pods > 0; i++)
    {
      KsObject *pod = g_ptr_array_index (pods, i);
      gint64 when, expected;
      if (ks_object_is_being_deleted (pod)
          || (when = ks_pdb_disrupted_time (pdb, pod->meta.name)) == KS_TIME_NONE)
        continue;
      expected = when + KS_PDB_DELETION_TIMEOUT;
      if (expected < now)
        {
          ks_event_record (&dc->c.events, pod, TRUE, "NotDeleted", NULL,
                           "Pod was expected by PDB %s/%s to be deleted but it wasn't",
                           pdb->parent.meta.namespace, pdb->parent.meta.namespace);
          continue;
        }
      if (*recheck == KS_TIME_NONE || expected < *recheck)
        *recheck = expected;
      {
        KsDisruptedPod d = { g_strdup (pod->meta.name), when };
        g_array_append_val (kept, d);
      }
    }
  return kept;
}

/* countHealthyPods */
static gint32
count_healthy (GPtrArray *pods, GArray *disrupted, gint64 now)
{
  gint32 healthy = 0;

  for (guint i = 0; i < pods->len; i++)
    {
      const KsPod *pod = g_ptr_array_index (pods, i);
      gboolean just_disrupted = FALSE;
      if (ks_object_is_being_deleted (KS_OBJECT (pod)))
        continue;
      for (guint d = 0; d < disrupted->len; d++)
        {
          const KsDisruptedPod *e = &g_array_index (disrupted, KsDisruptedPod, d);
          if (strcmp (e->name, pod->parent.meta.name) == 0
              && e->time + KS_PDB_DELETION_TIMEOUT > now)
            just_disrupted = TRUE;
        }
      if (!just_disrupted && ks_pod_is_ready (pod))
        healthy++;
    }
  return healthy;
}

static void
disrupted_free (GArray *a)
{
  for (guint i = 0; i < a->len; i++)
    g_free (g_array_index (a, KsDisruptedPod, i).name);
  g_array_unref (a);
}

static gboolean
disrupted_equal (const KsPodDisruptionBudget *pdb, GArray *disrupted)
{
  if (pdb->status.n_disrupted_pods != disrupted->len)
    return FALSE;
  for (guint i = 0; i < disrupted->len; i++)
    {
      const KsDisruptedPod *e = &g_array_index (disrupted, KsDisruptedPod, i);
      if (ks_pdb_disrupted_time (pdb, e->name) != e->time)
        return FALSE;
    }
  return TRUE;
}

/* ConditionsAreUpToDate */
static gboolean
conditions_up_to_date (const KsPodDisruptionBudget *pdb)
{
  if (pdb->status.allowed_status == KS_CONDITION_UNSET
      || pdb->status.observed_generation != pdb->parent.meta.generation)
    return FALSE;
  if (pdb->status.disruptions_allowed > 0)
    return pdb->status.allowed_status == KS_CONDITION_TRUE
           && g_strcmp0 (pdb->status.allowed_reason, "SufficientPods") == 0;
  return pdb->status.allowed_status == KS_CONDITION_FALSE
         && g_strcmp0 (pdb->status.allowed_reason, "InsufficientPods") == 0;
}

static gboolean
write_status (KsDisruptionController *dc, KsPodDisruptionBudget *copy, GError **error)
{
  KsObject *updated = ks_client_update_status (dc->c.client, KS_OBJECT (copy), error);

  ks_object_unref (KS_OBJECT (copy));
  if (updated == NULL)
    return FALSE;
  ks_object_unref (updated);
  return TRUE;
}

/* updatePdbStatus: write the status when anything in it changes. */
static gboolean
update_status (KsDisruptionController *dc, const KsPodDisruptionBudget *pdb, gint32 healthy,
               gint32 desired, gint32 expected, GArray *disrupted, GError **error)
{
  gint32 allowed = healthy - desired;
  KsPodDisruptionBudget *copy;

  /* A budget that expects no pods is safe only while it allows nothing. */
  if (expected <= 0 || allowed <= 0)
    allowed = 0;
  if (pdb->status.current_healthy == healthy && pdb->status.desired_healthy == desired
      && pdb->status.expected_pods == expected && pdb->status.disruptions_allowed == allowed
      && disrupted_equal (pdb, disrupted)
      && pdb->status.observed_generation == pdb->parent.meta.generation
      && conditions_up_to_date (pdb))
    return TRUE;
  copy = KS_POD_DISRUPTION_BUDGET (ks_object_copy (KS_OBJECT (pdb)));
  copy->status.current_healthy = healthy;
  copy->status.desired_healthy = desired;
  copy->status.expected_pods = expected;
  copy->status.disruptions_allowed = allowed;
  copy->status.observed_generation = pdb->parent.meta.generation;
  for (guint i = 0; i < copy->status.n_disrupted_pods; i++)
    g_free (copy->status.disrupted_pods[i].name);
  g_free (copy->status.disrupted_pods);
  copy->status.n_disrupted_pods = disrupted->len;
  copy->status.disrupted_pods = NULL;
  if (disrupted->len > 0)
    {
      copy->status.disrupted_pods = g_new (KsDisruptedPod, disrupted->len);
      for (guint i = 0; i < disrupted->len; i++)
        {
          const KsDisruptedPod *e = &g_array_index (disrupted, KsDisruptedPod, i);
          copy->status.disrupted_pods[i] = (KsDisruptedPod){ g_strdup (e->name), e->time };
        }
    }
  /* UpdateDisruptionAllowedCondition */
  if (allowed > 0)
    ks_pdb_set_allowed_condition (copy, KS_CONDITION_TRUE, "SufficientPods", NULL,
                                  ks_clock_now (dc->c.clock));
  else
    ks_pdb_set_allowed_condition (copy, KS_CONDITION_FALSE, "InsufficientPods", NULL,
                                  ks_clock_now (dc->c.clock));
  return write_status (dc, copy, error);
}

/* trySync */
static gboolean
try_sync (KsDisruptionController *dc, const KsPodDisruptionBudget *pdb, const char *key,
          GError **error)
{
  g_autoptr (GPtrArray) pods = pods_for_pdb (dc, pdb);
  g_autoptr (GPtrArray) unmanaged = g_ptr_array_new ();
  gint32 expected, desired, healthy;
  gint64 now = ks_clock_now (dc->c.clock), recheck;
  GArray *disrupted;
  gboolean ok;

  if (pods->len == 0)
    ks_event_record (&dc->c.events, KS_OBJECT (pdb), FALSE, "NoPods", NULL, "%s", no_pods);
  if (!expected_count (dc, pdb, pods, &expected, &desired, unmanaged, error))
    {
      ks_event_record (&dc->c.events, KS_OBJECT (pdb), TRUE, "CalculateExpectedPodCountFailed",
                       NULL, "Failed to calculate the number of expected pods: %s",
                       (*error)->message);
      return FALSE;
    }
  if (unmanaged->len > 0)
    {
      g_autofree char *sel = selector_go_string (pdb->selector);
      ks_event_record (&dc->c.events, KS_OBJECT (pdb), TRUE, "UnmanagedPods", NULL,
                       "Pods selected by this PodDisruptionBudget (selector: %s) were found to be "
                       "unmanaged. As a result, the status of the PDB cannot be calculated "
                       "correctly, which may result in undefined behavior. To account for these "
                       "pods please set \".spec.minAvailable\" field of the PDB to an integer "
                       "value.",
                       sel);
    }
  disrupted = disrupted_pods (dc, pdb, pods, now, &recheck);
  healthy = count_healthy (pods, disrupted, now);
  ok = update_status (dc, pdb, healthy, desired, expected, disrupted, error);
  disrupted_free (disrupted);
  if (ok && recheck != KS_TIME_NONE)
    ks_workqueue_add_after (dc->c.queue, key, recheck - now);
  return ok;
}

/* failSafe: a budget that cannot be synced allows no disruption. */
static void
fail_safe (KsDisruptionController *dc, const KsPodDisruptionBudget *pdb, const char *message)
{
  KsPodDisruptionBudget *copy;
  g_autoptr (GError) error = NULL;

  /* The API server does not write an update that changes nothing (no new resourceVersion, no
   * watch event): without this a failing budget would sync itself forever. */
  if (pdb->status.disruptions_allowed == 0 && pdb->status.allowed_status == KS_CONDITION_FALSE
      && g_strcmp0 (pdb->status.allowed_reason, "SyncFailed") == 0
      && g_strcmp0 (pdb->status.allowed_message, message) == 0)
    return;
  copy = KS_POD_DISRUPTION_BUDGET (ks_object_copy (KS_OBJECT (pdb)));
  copy->status.disruptions_allowed = 0;
  ks_pdb_set_allowed_condition (copy, KS_CONDITION_FALSE, "SyncFailed", message,
                                ks_clock_now (dc->c.clock));
  copy->status.allowed_observed_generation = pdb->status.observed_generation;
  write_status (dc, copy, &error);
}

static void
sync_pdb (const char *key, gpointer data)
{
  KsDisruptionController *dc = data;
  g_autofree char *ns = NULL;
  const char *name;
  g_autoptr (KsObject) obj = NULL;
  g_autoptr (GError) error = NULL;

  ks_controller_split_key (key, &ns, &name);
  obj = ks_client_get (dc->c.client, ks_kind_get (KS_KIND_POD_DISRUPTION_BUDGET), ns, name, NULL);
  if (obj == NULL)
    return;
  if (try_sync (dc, KS_POD_DISRUPTION_BUDGET (obj), key, &error))
    return;
  if (g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_CONFLICT))
    {
      ks_workqueue_add_after (dc->c.queue, key, 5 * KS_USEC_PER_MSEC);
      return;
    }
  fail_safe (dc, KS_POD_DISRUPTION_BUDGET (obj), error->message);
}

/* getPdbForPod: the first budget (in name order) of the pod's namespace whose selector picks
 * it, an empty selector picking every pod; with several, a warning event on the pod. */
static void
enqueue_for_pod (KsDisruptionController *dc, const KsPod *pod)
{
  g_autoptr (GPtrArray) pdbs = ks_client_list (
      dc->c.client, ks_kind_get (KS_KIND_POD_DISRUPTION_BUDGET), pod->parent.meta.namespace, NULL);
  KsObject *first = NULL;
  guint n = 0;

  for (guint i = 0; pdbs != NULL && i < pdbs->len; i++)
    {
      KsPodDisruptionBudget *pdb = g_ptr_array_index (pdbs, i);
      if (pdb->selector == NULL
          || !ks_label_selector_matches (pdb->selector, pod->parent.meta.labels))
        continue;
      if (n++ == 0)
        first = KS_OBJECT (pdb);
    }
  if (first == NULL)
    return;
  if (n > 1)
    ks_event_record (&dc->c.events, KS_OBJECT (pod), TRUE, "MultiplePodDisruptionBudgets", NULL,
                     "Pod \"%s\"/\"%s\" matches multiple PodDisruptionBudgets.  Chose \"%s\" "
                     "arbitrarily.",
                     pod->parent.meta.namespace, pod->parent.meta.name, first->meta.name);
  {
    g_autofree char *key = ks_object_key (first);
    ks_workqueue_add (dc->c.queue, key);
  }
}

static void
on_pod (const KsWatchEvent *event, gpointer data)
{
  enqueue_for_pod (data, KS_POD (event->object));
}

static void
on_pdb (const KsWatchEvent *event, gpointer data)
{
  KsDisruptionController *dc = data;
  g_autofree char *key = ks_object_key (event->object);

  if (event->type == KS_WATCH_ADDED)
    dc->n_pdbs++;
  else if (event->type == KS_WATCH_DELETED)
    dc->n_pdbs--;
  if (dc->n_pdbs > 0 && dc->pod_watch == 0)
    dc->pod_watch
        = ks_client_watch (dc->c.client, ks_kind_get (KS_KIND_POD), NULL, FALSE, on_pod, dc, NULL);
  else if (dc->n_pdbs == 0 && dc->pod_watch != 0)
    {
      ks_client_unwatch (dc->c.client, dc->pod_watch);
      dc->pod_watch = 0;
    }
  if (event->type != KS_WATCH_DELETED)
    ks_workqueue_add (dc->c.queue, key);
}

KsDisruptionController *
ks_disruption_controller_new (KsClient *client, KsClock *clock, KsEventSink *sink)
{
  KsDisruptionController *dc = g_new0 (KsDisruptionController, 1);

  ks_controller_init (&dc->c, client, clock, sink, COMPONENT, sync_pdb, dc);
  dc->c.watches[dc->c.n_watches++] = ks_client_watch (
      client, ks_kind_get (KS_KIND_POD_DISRUPTION_BUDGET), NULL, TRUE, on_pdb, dc, NULL);
  return dc;
}

void
ks_disruption_controller_free (KsDisruptionController *dc)
{
  if (dc == NULL)
    return;
  if (dc->pod_watch != 0)
    ks_client_unwatch (dc->c.client, dc->pod_watch);
  ks_controller_clear (&dc->c);
  g_free (dc);
}
