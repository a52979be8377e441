/* ks-kubectl-rollout.c: kubesim rollout status and rollout undo (see ks-kubectl.h).
 *
 * status follows kubectl's DeploymentStatusViewer and StatefulSetStatusViewer: a list and watch
 * of the object by name, one message per ADDED or MODIFIED event, until the rollout is done.  undo
 * is kubectl's DeploymentRollbacker: the ReplicaSet of the revision asked for (the second highest
 * by default), and a JSON patch putting its pod template (without pod-template-hash) and
 * annotations back on the deployment. */
#include "config.h"

#include <string.h>

#include "ks-kubectl-private.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-statefulset.h"

/* The one deployment (or, for rollout status, stateful set) the arguments name, fetched; NULL
 * after printing why (*status set). */
static JsonNode *
get_deployment (KsKubectl *k, char **args, const char *command, KcRequest *out, int *status)
{
  g_autoptr (GError) error = NULL;
  gboolean single = FALSE;
  GArray *requests;
  JsonNode *obj;

  if (args == NULL || args[0] == NULL)
    {
      *status = kc_usage (k, "required resource not specified");
      return NULL;
    }
  requests = kc_parse_args (args, &single, &error);
  if (requests == NULL)
    {
      *status = kc_usage (k, "%s", error->message);
      return NULL;
    }
  if (requests->len != 1 || g_array_index (requests, KcRequest, 0).name == NULL)
    {
      *status = kc_usage (k, "%s is only supported on one named resource (TYPE NAME or TYPE/NAME)",
                          command);
      kc_requests_free (requests);
      return NULL;
    }
  out->kind = g_array_index (requests, KcRequest, 0).kind;
  out->name = g_strdup (g_array_index (requests, KcRequest, 0).name);
  kc_requests_free (requests);
  obj = kc_get (k, out->kind, kc_namespace_for (k, out->kind), out->name, &error);
  if (obj == NULL)
    {
      kc_print_error (k, error);
      *status = KS_KUBECTL_FAILED;
      g_clear_pointer (&out->name, g_free);
      return NULL;
    }
  if (out->kind->id != KS_KIND_DEPLOYMENT
      && !(out->kind->id == KS_KIND_STATEFUL_SET && strcmp (command, "rollout status") == 0))
    {
      /* kubectl's words, with the GroupKind ("ReplicaSet.apps", "Pod"). */
      if (strcmp (command, "rollout status") == 0)
        kc_err (k, "error: no status viewer has been implemented for %s%s%s\n", out->kind->name,
                out->kind->group[0] != '\0' ? "." : "", out->kind->group);
      else
        kc_err (k, "error: no rollbacker has been implemented for \"%s%s%s\"\n", out->kind->name,
                out->kind->group[0] != '\0' ? "." : "", out->kind->group);
      *status = KS_KUBECTL_FAILED;
      g_clear_pointer (&out->name, g_free);
      json_node_unref (obj);
      return NULL;
    }
  return obj;
}

static gint64
revision_of (const KsObject *obj, gboolean *ok)
{
  const char *v = ks_object_get_annotation (obj, KS_ANNOTATION_REVISION);
  char *end = NULL;
  gint64 r;

  *ok = FALSE;
  if (v == NULL)
    return 0;
  r = g_ascii_strtoll (v, &end, 10);
  *ok = end != v && *end == '\0';
  return r;
}

/* ---- rollout status -------------------------------------------------------------------------- */

/* DeploymentStatusViewer.Status: the message, and whether the rollout is done; NULL with error. */
static char *
deployment_status (const KsDeployment *d, gint64 revision, gboolean *done, GError **error)
{
  const KsObject *obj = KS_OBJECT (d);
  const char *name = obj->meta.name;

  *done = FALSE;
  if (revision > 0)
    {
      gboolean ok;
      gint64 current = revision_of (obj, &ok);
      if (!ok)
        {
          g_set_error (error, KS_REST_ERROR, KS_REST_ERROR_BAD_RESPONSE,
                       "cannot get the revision of deployment \"%s\": %s", name,
                       ks_object_get_annotation (obj, KS_ANNOTATION_REVISION) == NULL
                           ? "the deployment has no revision annotation"
                           : "the revision annotation is not a number");
          return NULL;
        }
      if (revision != current)
        {
          g_set_error (error, KS_REST_ERROR, KS_REST_ERROR_BAD_RESPONSE,
                       "desired revision (%" G_GINT64_FORMAT
                       ") is different from the running revision (%" G_GINT64_FORMAT ")",
                       revision, current);
          return NULL;
        }
    }
  if (obj->meta.generation > d->status.observed_generation)
    return g_strdup ("Waiting for deployment spec update to be observed...\n");
  if (g_strcmp0 (d->status.conditions[KS_DEPLOY_COND_PROGRESSING].reason,
                 "ProgressDeadlineExceeded")
      == 0)
    {
      g_set_error (error, KS_REST_ERROR, KS_REST_ERROR_BAD_RESPONSE,
                   "deployment \"%s\" exceeded its progress deadline", name);
      return NULL;
    }
  if (d->status.updated_replicas < d->replicas)
    return g_strdup_printf ("Waiting for deployment \"%s\" rollout to finish: %d out of %d new "
                            "replicas have been updated...\n",
                            name, d->status.updated_replicas, d->replicas);
  if (d->status.replicas > d->status.updated_replicas)
    return g_strdup_printf ("Waiting for deployment \"%s\" rollout to finish: %d old replicas "
                            "are pending termination...\n",
                            name, d->status.replicas - d->status.updated_replicas);
  if (d->status.available_replicas < d->status.updated_replicas)
    return g_strdup_printf ("Waiting for deployment \"%s\" rollout to finish: %d of %d updated "
                            "replicas are available...\n",
                            name, d->status.available_replicas, d->status.updated_replicas);
  *done = TRUE;
  return g_strdup_printf ("deployment \"%s\" successfully rolled out\n", name);
}

/* StatefulSetStatusViewer.Status (v1.32), which ignores --revision.  The API defaults
 * rollingUpdate to {partition: 0}, so a RollingUpdate set always takes kubectl's partitioned
 * path. */
static char *
stateful_set_status (const KsStatefulSet *s, gboolean *done, GError **error)
{
  const KsObject *obj = KS_OBJECT (s);
  gint32 expected = s->replicas - s->partition;

  *done = FALSE;
  if (s->update_strategy != KS_STS_ROLLING_UPDATE)
    {
      g_set_error (error, KS_REST_ERROR, KS_REST_ERROR_BAD_RESPONSE,
                   "rollout status is only available for RollingUpdate strategy type");
      return NULL;
    }
  if (s->status.observed_generation == 0 || obj->meta.generation > s->status.observed_generation)
    return g_strdup ("Waiting for statefulset spec update to be observed...\n");
  if (s->status.ready_replicas < s->replicas)
    return g_strdup_printf ("Waiting for %d pods to be ready...\n",
                            s->replicas - s->status.ready_replicas);
  if (s->status.updated_replicas < expected)
    return g_strdup_printf ("Waiting for partitioned roll out to finish: %d out of %d new pods "
                            "have been updated...\n",
                            s->status.updated_replicas, expected);
  *done = TRUE;
  return g_strdup_printf ("partitioned roll out complete: %d new pods have been updated...\n",
                          s->status.updated_replicas);
}

typedef enum
{
  STEP_CONTINUE,
  STEP_DONE,
  STEP_FAILED,
} Step;

/* Print the status of one observed deployment. */
static Step
observe (KsKubectl *k, JsonNode *node, const KsRolloutStatusOptions *o)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsObject) obj = kc_decode (node, &error);
  g_autofree char *message = NULL;
  gboolean done;

  if (obj == NULL)
    {
      kc_print_error (k, error);
      return STEP_FAILED;
    }
  if (obj->kind->id == KS_KIND_STATEFUL_SET)
    message = stateful_set_status (KS_STATEFUL_SET (obj), &done, &error);
  else
    message = deployment_status (KS_DEPLOYMENT (obj), o->revision, &done, &error);
  if (message == NULL)
    {
      kc_print_error (k, error);
      return STEP_FAILED;
    }
  kc_out (k, "%s", message);
  return done || !o->watch ? STEP_DONE : STEP_CONTINUE;
}

int
ks_kubectl_rollout_status (KsKubectl *k, const KsRolloutStatusOptions *o)
{
  KcRequest r = { 0 };
  int status = KS_KUBECTL_OK;
  g_autoptr (JsonNode) obj = get_deployment (k, o->args, "rollout status", &r, &status);
  g_autofree char *name = r.name;
  g_autofree char *selector = NULL;
  g_autofree char *rv = NULL;
  g_autoptr (JsonNode) list = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GError) error = NULL;
  const char *ns;
  gint64 deadline;

  if (obj == NULL)
    return status;
  if (o->revision < 0)
    return kc_usage (k, "revision must be a positive integer: %" G_GINT64_FORMAT, o->revision);
  ns = kc_namespace_for (k, r.kind);
  deadline = o->timeout > 0 ? g_get_monotonic_time () + o->timeout : G_MAXINT64;
  selector = g_strconcat ("metadata.name=", name, NULL);
  list = kc_list (k, r.kind, ns, NULL, selector, &error);
  if (list == NULL)
    {
      kc_print_error (k, error);
      return KS_KUBECTL_FAILED;
    }
  items = kc_list_items (list, r.kind);
  for (guint i = 0; i < items->len; i++)
    switch (observe (k, g_ptr_array_index (items, i), o))
      {
      case STEP_DONE:
        return KS_KUBECTL_OK;
      case STEP_FAILED:
        return KS_KUBECTL_FAILED;
      case STEP_CONTINUE:
        break;
      }
  rv = g_strdup (ks_json_get_string (list, "metadata.resourceVersion"));
  for (;;)
    {
      g_autofree char *base = ks_rest_path (r.kind, ns, NULL, NULL);
      g_autoptr (GString) path = g_string_new (base);
      g_autoptr (KsRestWatch) watch = NULL;
      gint64 left = deadline - g_get_monotonic_time ();

      if (left <= 0 || g_cancellable_is_cancelled (k->cancellable))
        {
          kc_err (k, "error: timed out waiting for the condition\n");
          return KS_KUBECTL_FAILED;
        }
      g_string_append (path, "?watch=true&fieldSelector=");
      g_string_append_uri_escaped (path, selector, NULL, FALSE);
      g_string_append_printf (path, "&resourceVersion=%s", rv != NULL ? rv : "0");
      if (deadline != G_MAXINT64)
        g_string_append_printf (path, "&timeoutSeconds=%" G_GINT64_FORMAT,
                                MAX ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 1));
      watch = ks_rest_watch_open (k->rest, path->str, k->cancellable, &error);
      if (watch == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            continue;
          kc_print_error (k, error);
          return KS_KUBECTL_FAILED;
        }
      for (;;)
        {
          g_autofree char *type = NULL;
          g_autoptr (JsonNode) object = NULL;

          if (!ks_rest_watch_next (watch, &type, &object, NULL))
            break;
          if (ks_json_get_string (object, "metadata.resourceVersion") != NULL)
            {
              g_free (rv);
              rv = g_strdup (ks_json_get_string (object, "metadata.resourceVersion"));
            }
          if (strcmp (type, "ADDED") == 0 || strcmp (type, "MODIFIED") == 0)
            switch (observe (k, object, o))
              {
              case STEP_DONE:
                return KS_KUBECTL_OK;
              case STEP_FAILED:
                return KS_KUBECTL_FAILED;
              case STEP_CONTINUE:
                break;
              }
          else if (strcmp (type, "DELETED") == 0)
            {
              kc_err (k, "error: object has been deleted\n");
              return KS_KUBECTL_FAILED;
            }
          else if (strcmp (type, "ERROR") == 0)
            {
              /* Too old a version: list again, as UntilWithSync's informer does. */
              g_autoptr (JsonNode) again = kc_list (k, r.kind, ns, NULL, selector, &error);
              if (again == NULL)
                {
                  kc_print_error (k, error);
                  return KS_KUBECTL_FAILED;
                }
              g_free (rv);
              rv = g_strdup (ks_json_get_string (again, "metadata.resourceVersion"));
              break;
            }
        }
    }
}

/* ---- rollout undo ---------------------------------------------------------------------------- */

/* The annotations a rollback keeps from the deployment (kubectl's annotationsToSkip). */
static const char *const kept_annotations[] = {
  "kubectl.kubernetes.io/last-applied-configuration",
  KS_ANNOTATION_REVISION,
  "deployment.kubernetes.io/revision-history",
  KS_ANNOTATION_DESIRED_REPLICAS,
  KS_ANNOTATION_MAX_REPLICAS,
  "deprecated.deployment.rollback.to",
  NULL,
};

int
ks_kubectl_rollout_undo (KsKubectl *k, const KsRolloutUndoOptions *o)
{
  KcRequest r = { 0 };
  int status = KS_KUBECTL_OK;
  g_autoptr (JsonNode) obj = get_deployment (k, o->args, "rollout undo", &r, &status);
  g_autofree char *name = r.name;
  g_autoptr (GError) error = NULL;
  g_autoptr (KsObject) dobj = NULL;
  g_autoptr (JsonNode) list = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autofree char *selector = NULL;
  JsonNode *latest = NULL, *previous = NULL, *chosen = NULL;
  gint64 latest_rev = -1, previous_rev = -1;
  const KsDeployment *d;
  const char *ns;

  if (obj == NULL)
    return status;
  dobj = kc_decode (obj, &error);
  if (dobj == NULL)
    {
      kc_print_error (k, error);
      return KS_KUBECTL_FAILED;
    }
  d = KS_DEPLOYMENT (dobj);
  ns = kc_namespace_for (k, r.kind);
  /* The deployment's ReplicaSets: its selector's, controlled by it. */
  selector = ks_label_selector_to_string (d->selector);
  list = kc_list (k, ks_kind_get (KS_KIND_REPLICA_SET), ns, selector, NULL, &error);
  if (list == NULL)
    {
      kc_err (k, "error: failed to retrieve replica sets from deployment %s: %s\n", name,
              error->message);
      return KS_KUBECTL_FAILED;
    }
  items = kc_list_items (list, ks_kind_get (KS_KIND_REPLICA_SET));
  for (guint i = 0; i < items->len; i++)
    {
      JsonNode *node = g_ptr_array_index (items, i);
      g_autoptr (KsObject) rs = kc_decode (node, NULL);
      const KsOwnerRef *owner;
      gboolean ok;
      gint64 v;

      if (rs == NULL)
        continue;
      owner = ks_object_get_controller_ref (rs);
      if (owner == NULL || !ks_uid_equal (&owner->uid, &dobj->meta.uid))
        continue;
      v = revision_of (rs, &ok);
      if (!ok)
        continue;
      if (o->to_revision == 0)
        {
          if (latest_rev < v)
            {
              previous_rev = latest_rev;
              previous = latest;
              latest_rev = v;
              latest = node;
            }
          else if (previous_rev < v)
            {
              previous_rev = v;
              previous = node;
            }
        }
      else if (o->to_revision == v)
        chosen = node;
    }
  if (o->to_revision > 0 && chosen == NULL)
    {
      kc_err (k, "error: unable to find specified revision %" G_GINT64_FORMAT " in history\n",
              o->to_revision);
      return KS_KUBECTL_FAILED;
    }
  if (o->to_revision == 0)
    {
      if (previous == NULL)
        {
          kc_err (k, "error: no rollout history found for deployment \"%s\"\n", name);
          return KS_KUBECTL_FAILED;
        }
      chosen = previous;
    }
  if (d->paused)
    {
      kc_err (k,
              "error: you cannot rollback a paused deployment; resume it first with 'kubectl "
              "rollout resume deployment/%s' and try again\n",
              name);
      return KS_KUBECTL_FAILED;
    }
  {
    g_autoptr (KsObject) rs = kc_decode (chosen, &error);
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;
    g_autofree char *kind_string = kc_kind_string (r.kind);
    g_autoptr (JsonBuilder) builder = json_builder_new ();
    g_autoptr (JsonNode) patch = NULL;
    g_autoptr (JsonNode) answer = NULL;
    g_autofree char *body = NULL;
    g_autofree char *path = NULL;
    JsonObject *template, *labels;
    JsonNode *template_node;

    if (rs == NULL)
      {
        kc_print_error (k, error);
        return KS_KUBECTL_FAILED;
      }
    a = ks_pod_template_to_json (&KS_REPLICA_SET (rs)->template, KS_LABEL_POD_TEMPLATE_HASH);
    b = ks_pod_template_to_json (&d->template, KS_LABEL_POD_TEMPLATE_HASH);
    if (strcmp (a, b) == 0)
      {
        kc_out (
            k,
            "%s/%s skipped rollback (current template already matches revision %" G_GINT64_FORMAT
            ")\n",
            kind_string, name, o->to_revision);
        return KS_KUBECTL_OK;
      }
    /* The ReplicaSet's template, without its hash label. */
    template = ks_json_get_object (chosen, "spec.template");
    template_node = json_node_new (JSON_NODE_OBJECT);
    json_node_set_object (template_node, template);
    labels = ks_json_get_object (template_node, "metadata.labels");
    if (labels != NULL && json_object_has_member (labels, KS_LABEL_POD_TEMPLATE_HASH))
      json_object_remove_member (labels, KS_LABEL_POD_TEMPLATE_HASH);
    json_builder_begin_array (builder);
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "op");
    json_builder_add_string_value (builder, "replace");
    json_builder_set_member_name (builder, "path");
    json_builder_add_string_value (builder, "/spec/template");
    json_builder_set_member_name (builder, "value");
    json_builder_add_value (builder, template_node);
    json_builder_end_object (builder);
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "op");
    json_builder_add_string_value (builder, "replace");
    json_builder_set_member_name (builder, "path");
    json_builder_add_string_value (builder, "/metadata/annotations");
    json_builder_set_member_name (builder, "value");
    json_builder_begin_object (builder);
    for (guint i = 0; kept_annotations[i] != NULL; i++)
      {
        const char *v = ks_object_get_annotation (dobj, kept_annotations[i]);
        if (v != NULL)
          {
            json_builder_set_member_name (builder, kept_annotations[i]);
            json_builder_add_string_value (builder, v);
          }
      }
    for (guint i = 0; i < ks_str_map_size (rs->meta.annotations); i++)
      {
        const char *key = ks_str_map_key (rs->meta.annotations, i);
        if (g_strv_contains (kept_annotations, key))
          continue;
        json_builder_set_member_name (builder, key);
        json_builder_add_string_value (builder, ks_str_map_value (rs->meta.annotations, i));
      }
    json_builder_end_object (builder);
    json_builder_end_object (builder);
    json_builder_end_array (builder);
    patch = json_builder_get_root (builder);
    body = json_to_string (patch, FALSE);
    path = ks_rest_path (r.kind, ns, name, NULL);
    answer = ks_rest_request (k->rest, "PATCH", path, "application/json-patch+json", body, &error);
    if (answer == NULL)
      {
        kc_err (k, "error: failed restoring revision %" G_GINT64_FORMAT ": %s\n", o->to_revision,
                error->message);
        return KS_KUBECTL_FAILED;
      }
    kc_out (k, "%s/%s rolled back\n", kind_string, name);
  }
  return KS_KUBECTL_OK;
}
