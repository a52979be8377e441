/* ks-kubectl-logs.c: kubesim logs (see ks-kubectl.h).
 *
 * kubectl's logsForObject: a pod's log, or for a workload (deploy/web, rs/x, svc/x) the log of
 * one of the pods its selector selects, the "best for logging" (podutils.ByLogging), waiting for
 * one to exist.  The container is -c, else the pod's kubectl.kubernetes.io/default-container,
 * else its first (with kubectl's note on stderr when it had a choice).  The log is streamed from
 * the API server's pods/log subresource as it comes. */
#include "config.h"

#include <string.h>

#include "ks-kubectl-private.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-service.h"
#include "src/ks-clock.h"

#define DEFAULT_CONTAINER_ANNOTATION "kubectl.kubernetes.io/default-container"
#define DEFAULT_POD_RUNNING_TIMEOUT (20 * G_USEC_PER_SEC)

static gint
phase_rank (KsPodPhase phase)
{
  /* Running < Unknown < Pending; other phases count as Running (a Go map's zero value). */
  switch (phase)
    {
    case KS_POD_UNKNOWN:
      return 1;
    case KS_POD_PENDING:
      return 2;
    default:
      return 0;
    }
}

static gint32
max_restarts (const KsPod *pod)
{
  gint32 max = 0;

  for (guint i = 0; pod->container_statuses != NULL && i < pod->spec->n_containers; i++)
    max = MAX (max, pod->container_statuses[i].restart_count);
  return max;
}

/* podutils.ByLogging: assigned before unassigned, Running before Unknown before Pending, ready
 * before not ready, ready longer before ready shorter, more restarts first, older first. */
static gint
by_logging (gconstpointer pa, gconstpointer pb)
{
  const KsPod *a = *(const KsPod *const *) pa, *b = *(const KsPod *const *) pb;
  gboolean ra = ks_pod_is_ready (a), rb = ks_pod_is_ready (b);
  gint64 ca = KS_OBJECT (a)->meta.creation_timestamp, cb = KS_OBJECT (b)->meta.creation_timestamp;

  if ((a->node_name == NULL) != (b->node_name == NULL))
    return a->node_name != NULL ? -1 : 1;
  if (phase_rank (a->phase) != phase_rank (b->phase))
    return phase_rank (a->phase) - phase_rank (b->phase);
  if (ra != rb)
    return ra ? -1 : 1;
  if (ra && rb)
    {
      gint64 ta = a->conditions[KS_POD_COND_READY].last_transition_time;
      gint64 tb = b->conditions[KS_POD_COND_READY].last_transition_time;
      if (ta != tb)
        return ta < tb ? -1 : 1;
    }
  if (max_restarts (a) != max_restarts (b))
    return max_restarts (a) > max_restarts (b) ? -1 : 1;
  if (ca != cb)
    {
      if (ca == KS_TIME_NONE || cb == KS_TIME_NONE)
        return ca == KS_TIME_NONE ? 1 : -1;
      return ca < cb ? -1 : 1;
    }
  return 0;
}

/* GetFirstPod: the best pod selector selects in ns, waiting up to timeout µs for one to exist.
 * Returns a new reference, *n_pods the number found; NULL after printing the error. */
static KsObject *
first_pod (KsKubectl *k, const char *ns, const char *selector, gint64 timeout, guint *n_pods)
{
  const KsKind *pods = ks_kind_get (KS_KIND_POD);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) list = kc_list (k, pods, ns, selector, NULL, &error);
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GPtrArray) decoded = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  g_autoptr (KsRestWatch) watch = NULL;
  g_autofree char *base = NULL;
  g_autoptr (GString) path = NULL;

  if (list == NULL)
    {
      kc_print_error (k, error);
      return NULL;
    }
  items = kc_list_items (list, pods);
  for (guint i = 0; i < items->len; i++)
    {
      KsObject *obj = kc_decode (g_ptr_array_index (items, i), &error);
      if (obj == NULL)
        {
          kc_print_error (k, error);
          return NULL;
        }
      g_ptr_array_add (decoded, obj);
    }
  if (decoded->len > 0)
    {
      g_ptr_array_sort (decoded, by_logging);
      *n_pods = decoded->len;
      return ks_object_ref (g_ptr_array_index (decoded, 0));
    }
  /* Watch until a pod appears. */
  base = ks_rest_path (pods, ns, NULL, NULL);
  path = g_string_new (base);
  g_string_append (path, "?watch=true&labelSelector=");
  g_string_append_uri_escaped (path, selector, NULL, FALSE);
  g_string_append_printf (path, "&resourceVersion=%s&timeoutSeconds=%" G_GINT64_FORMAT,
                          ks_json_get_string (list, "metadata.resourceVersion") != NULL
                              ? ks_json_get_string (list, "metadata.resourceVersion")
                              : "0",
                          MAX ((timeout + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 1));
  watch = ks_rest_watch_open (k->rest, path->str, k->cancellable, &error);
  if (watch == NULL)
    {
      kc_print_error (k, error);
      return NULL;
    }
  for (;;)
    {
      g_autofree char *type = NULL;
      g_autoptr (JsonNode) object = NULL;
      if (!ks_rest_watch_next (watch, &type, &object, NULL))
        break;
      if (strcmp (type, "ADDED") == 0 || strcmp (type, "MODIFIED") == 0)
        {
          KsObject *obj = kc_decode (object, &error);
          if (obj == NULL)
            {
              kc_print_error (k, error);
              return NULL;
            }
          *n_pods = 1;
          return obj;
        }
    }
  kc_err (k, "error: timed out waiting for the condition\n");
  return NULL;
}

/* kubectl's AllContainerNames: "a, b, init (init)". */
static char *
all_container_names (const KsPodSpec *spec)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < spec->n_containers; i++)
    g_string_append_printf (out, "%s%s", out->len > 0 ? ", " : "", spec->containers[i].name);
  for (guint i = 0; i < spec->n_init_containers; i++)
    g_string_append_printf (out, "%s%s (init)", out->len > 0 ? ", " : "",
                            spec->init_containers[i].name);
  return g_string_free (out, FALSE);
}

static gboolean
has_container (const KsPodSpec *spec, const char *name)
{
  for (guint i = 0; i < spec->n_init_containers; i++)
    if (strcmp (spec->init_containers[i].name, name) == 0)
      return TRUE;
  for (guint i = 0; i < spec->n_containers; i++)
    if (strcmp (spec->containers[i].name, name) == 0)
      return TRUE;
  return FALSE;
}

/* The pod a non-pod object's logs come from; NULL after printing why. */
static KsObject *
pod_of (KsKubectl *k, const KsKind *kind, const char *name, const KsLogsOptions *o)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = kc_get (k, kind, kc_namespace_for (k, kind), name, &error);
  g_autoptr (KsObject) obj = NULL;
  g_autofree char *selector = NULL;
  KsObject *pod;
  guint n = 0;

  if (node == NULL)
    {
      kc_print_error (k, error);
      return NULL;
    }
  obj = kc_decode (node, &error);
  if (obj == NULL)
    {
      kc_print_error (k, error);
      return NULL;
    }
  switch (kind->id)
    {
    case KS_KIND_POD:
      return g_steal_pointer (&obj);
    case KS_KIND_DEPLOYMENT:
      selector = ks_label_selector_to_string (KS_DEPLOYMENT (obj)->selector);
      break;
    case KS_KIND_REPLICA_SET:
      selector = ks_label_selector_to_string (KS_REPLICA_SET (obj)->selector);
      break;
    case KS_KIND_SERVICE:
      if (KS_SERVICE (obj)->selector == NULL)
        {
          kc_err (k,
                  "error: cannot attach to *v1.Service: invalid service '%s': Service is "
                  "defined without a selector\n",
                  name);
          return NULL;
        }
      {
        GString *s = g_string_new (NULL);
        for (guint i = 0; i < ks_str_map_size (KS_SERVICE (obj)->selector); i++)
          g_string_append_printf (s, "%s%s=%s", i > 0 ? "," : "",
                                  ks_str_map_key (KS_SERVICE (obj)->selector, i),
                                  ks_str_map_value (KS_SERVICE (obj)->selector, i));
        selector = g_string_free (s, FALSE);
      }
      break;
    default:
      kc_err (k, "error: cannot get the logs from *v1.%s\n", kind->name);
      return NULL;
    }
  pod = first_pod (
      k, obj->meta.namespace, selector,
      o->pod_running_timeout > 0 ? o->pod_running_timeout : DEFAULT_POD_RUNNING_TIMEOUT, &n);
  if (pod != NULL && n > 1)
    kc_err (k, "Found %u pods, using pod/%s\n", n, pod->meta.name);
  return pod;
}

int
ks_kubectl_logs (KsKubectl *k, const KsLogsOptions *o)
{
  guint n = o->args != NULL ? g_strv_length (o->args) : 0;
  const char *container = o->container;
  const KsKind *kind = ks_kind_get (KS_KIND_POD);
  g_autofree char *name = NULL;
  g_autoptr (KsObject) pod = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GInputStream) stream = NULL;
  g_autofree char *base = NULL;
  g_autoptr (GString) path = NULL;
  const KsPodSpec *spec;
  const char *slash;

  if (n == 0)
    {
      kc_err (k, "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
                 "POD or TYPE/NAME is a required argument for the logs command\n");
      return KS_KUBECTL_USAGE;
    }
  if (n > 2)
    return kc_usage (k,
                     "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]', got %u "
                     "arguments",
                     n);
  if (n == 2)
    {
      if (container != NULL)
        return kc_usage (k, "only one of -c or an inline [CONTAINER] arg is allowed");
      container = o->args[1];
    }
  if (o->tail < -1)
    return kc_usage (k, "--tail must be greater than or equal to -1");
  slash = strchr (o->args[0], '/');
  if (slash != NULL)
    {
      g_autofree char *type = g_strndup (o->args[0], slash - o->args[0]);
      kind = kc_lookup_type (type, &error);
      if (kind == NULL)
        return kc_usage (k, "%s", error->message);
      name = g_strdup (slash + 1);
    }
  else
    name = g_strdup (o->args[0]);
  pod = pod_of (k, kind, name, o);
  if (pod == NULL)
    return KS_KUBECTL_FAILED;
  spec = KS_POD (pod)->spec;
  if (container == NULL)
    {
      const char *preset = ks_object_get_annotation (pod, DEFAULT_CONTAINER_ANNOTATION);
      if (preset != NULL && preset[0] != '\0')
        {
          if (has_container (spec, preset))
            container = preset;
          else
            kc_err (k, "Default container name \"%s\" not found in pod %s\n", preset,
                    pod->meta.name);
        }
    }
  if (container == NULL)
    {
      container = spec->containers[0].name;
      if (spec->n_containers > 1 || spec->n_init_containers > 0)
        {
          g_autofree char *all = all_container_names (spec);
          kc_err (k, "Defaulted container \"%s\" out of: %s\n", container, all);
        }
    }
  if (!has_container (spec, container))
    {
      kc_err (k, "error: container %s is not valid for pod %s\n", container, pod->meta.name);
      return KS_KUBECTL_FAILED;
    }
  base = ks_rest_path (ks_kind_get (KS_KIND_POD), pod->meta.namespace, pod->meta.name, "log");
  path = g_string_new (base);
  g_string_append (path, "?container=");
  g_string_append_uri_escaped (path, container, NULL, FALSE);
  if (o->follow)
    g_string_append (path, "&follow=true");
  if (o->previous)
    g_string_append (path, "&previous=true");
  if (o->timestamps)
    g_string_append (path, "&timestamps=true");
  if (o->tail >= 0)
    g_string_append_printf (path, "&tailLines=%" G_GINT64_FORMAT, o->tail);
  if (o->limit_bytes > 0)
    g_string_append_printf (path, "&limitBytes=%" G_GINT64_FORMAT, o->limit_bytes);
  if (o->since_seconds > 0)
    g_string_append_printf (path, "&sinceSeconds=%" G_GINT64_FORMAT, o->since_seconds);
  stream = ks_rest_open (k->rest, path->str, k->cancellable, &error);
  if (stream == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return KS_KUBECTL_OK;
      kc_print_error (k, error);
      return KS_KUBECTL_FAILED;
    }
  for (;;)
    {
      char buf[8192];
      gssize got = g_input_stream_read (stream, buf, sizeof buf, k->cancellable, &error);
      if (got < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            break;
          kc_err (k, "error: %s\n", error->message);
          return KS_KUBECTL_FAILED;
        }
      if (got == 0)
        break;
      kc_out_text (k, buf, got);
    }
  return KS_KUBECTL_OK;
}
