/* ks-kubectl-describe.c: kubesim describe (see ks-kubectl.h).
 *
 * kubectl's describers (k8s.io/kubectl/pkg/describe) for the fields kubesim models: pods,
 * deployments, replica sets, nodes, services, endpoints and namespaces, and its generic describer
 * (the object's fields, as "Field Name: value" lines) for the other kinds.  The text goes through
 * Go's tabwriter as kubectl's tabbedString sets it up (KsTabWriter), so columns line up the
 * same way.  Each description ends with the Events of the object: the Event objects whose
 * involvedObject is it (name, namespace, kind and UID), oldest first. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ks-kubectl-private.h"
#include "ks-printers.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-batch.h"
#include "src/api/ks-event.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-quantity.h"
#include "src/api/ks-service.h"
#include "src/ks-clock.h"

#define LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"
/* printAnnotationsMultiline's maxAnnotationLen. */
#define MAX_ANNOTATION_LEN 140

/* kubectl's PrefixWriter levels. */
#define L0 ""
#define L1 "  "
#define L2 "    "
#define L3 "      "

typedef struct
{
  KsKubectl *k;
  KsTabWriter *w;
  gint64 now;
} Describe;

#define W(d, ...) ks_tab_writer_printf ((d)->w, __VA_ARGS__)

/* ---- values ---------------------------------------------------------------------------------- */

/* time.RFC1123Z in the local time zone, as kubectl prints times: "Mon, 02 Jan 2006 15:04:05
 * -0700" (English names whatever the locale). */
static char *
rfc1123z (gint64 t)
{
  static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char *const months[]
      = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr (GDateTime) dt = NULL;
  gint64 offset;

  if (t == KS_TIME_NONE)
    t = G_GINT64_CONSTANT (-62135596800) * G_USEC_PER_SEC; /* Go's zero time */
  dt = g_date_time_new_from_unix_local (t / G_USEC_PER_SEC);
  if (dt == NULL)
    return g_strdup ("");
  offset = g_date_time_get_utc_offset (dt) / G_USEC_PER_SEC / 60;
  return g_strdup_printf (
      "%s, %02d %s %04d %02d:%02d:%02d %c%02d%02d", days[g_date_time_get_day_of_week (dt) - 1],
      g_date_time_get_day_of_month (dt), months[g_date_time_get_month (dt) - 1],
      g_date_time_get_year (dt), g_date_time_get_hour (dt), g_date_time_get_minute (dt),
      g_date_time_get_second (dt), offset < 0 ? '-' : '+', (int) (ABS (offset) / 60),
      (int) (ABS (offset) % 60));
}

static char *
age (Describe *d, gint64 t)
{
  return ks_age (t, d->now);
}

/* Go's %v of a JSON scalar. */
static char *
scalar_text (JsonNode *n)
{
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return g_strdup ("<nil>");
  if (!JSON_NODE_HOLDS_VALUE (n))
    return json_to_string (n, FALSE);
  switch (json_node_get_value_type (n))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (n));
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (n) ? "true" : "false");
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (n));
    default:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        return g_strdup (g_ascii_dtostr (buf, sizeof buf, json_node_get_double (n)));
      }
    }
}

static JsonArray *
json_array_at (JsonNode *node, const char *path)
{
  const char *dot = strrchr (path, '.');
  g_autofree char *parent = dot != NULL ? g_strndup (path, dot - path) : NULL;
  const char *last = dot != NULL ? dot + 1 : path;
  JsonObject *o = parent != NULL
                      ? ks_json_get_object (node, parent)
                      : (JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL);

  if (o == NULL || !json_object_has_member (o, last)
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, last)))
    return NULL;
  return json_object_get_array_member (o, last);
}

static const char *
member_string (JsonObject *o, const char *name)
{
  JsonNode *n
      = o != NULL && json_object_has_member (o, name) ? json_object_get_member (o, name) : NULL;

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
             ? json_node_get_string (n)
             : NULL;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* ---- common sections ------------------------------------------------------------------------- */

/* printLabelsMultilineWithIndent (initial indent "", inner indent a tab). */
static void
labels_multiline (Describe *d, const char *title, const KsStrMap *labels)
{
  W (d, "%s:\t", title);
  if (ks_str_map_size (labels) == 0)
    {
      W (d, "<none>\n");
      return;
    }
  for (guint i = 0; i < ks_str_map_size (labels); i++)
    W (d, "%s%s=%s\n", i > 0 ? "\t" : "", ks_str_map_key (labels, i), ks_str_map_value (labels, i));
}

/* printAnnotationsMultiline: without last-applied-configuration; long or multi-line values on
 * their own lines, cut at 140 characters. */
static void
annotations_multiline (Describe *d, const char *title, const KsStrMap *annotations)
{
  guint shown = 0;

  W (d, "%s:\t", title);
  for (guint i = 0; i < ks_str_map_size (annotations); i++)
    {
      const char *key = ks_str_map_key (annotations, i);
      g_autofree char *value = g_strdup (ks_str_map_value (annotations, i));
      gsize len = strlen (value);

      if (strcmp (key, LAST_APPLIED) == 0)
        continue;
      if (shown++ > 0)
        W (d, "\t");
      if (len > 0 && value[len - 1] == '\n')
        value[--len] = '\0';
      if (len + strlen (key) + 2 > MAX_ANNOTATION_LEN || strchr (value, '\n') != NULL)
        {
          g_auto (GStrv) lines = g_strsplit (value, "\n", -1);
          W (d, "%s:\n", key);
          for (guint l = 0; lines[l] != NULL; l++)
            {
              if (strlen (lines[l]) > MAX_ANNOTATION_LEN - 2)
                W (d, "\t  %.*s...\n", MAX_ANNOTATION_LEN - 2, lines[l]);
              else
                W (d, "\t  %s\n", lines[l]);
            }
        }
      else
        W (d, "%s: %s\n", key, value);
    }
  if (shown == 0)
    W (d, "<none>\n");
}

/* printTolerationsMultilineWithIndent, tolerations sorted by key. */
static gint
compare_tolerations (gconstpointer a, gconstpointer b)
{
  return strcmp (((const KsToleration *) a)->key, ((const KsToleration *) b)->key);
}

static void
tolerations_multiline (Describe *d, const char *title, const KsToleration *tolerations, guint n)
{
  g_autofree KsToleration *sorted = g_memdup2 (tolerations, n * sizeof *tolerations);

  W (d, "%s:\t", title);
  if (n == 0)
    {
      W (d, "<none>\n");
      return;
    }
  qsort (sorted, n, sizeof *sorted, compare_tolerations);
  for (guint i = 0; i < n; i++)
    {
      const KsToleration *t = &sorted[i];
      const char *effect = ks_taint_effect_name (t->effect);
      if (i > 0)
        W (d, "\t");
      W (d, "%s", t->key);
      if (t->value[0] != '\0')
        W (d, "=%s", t->value);
      if (effect[0] != '\0')
        W (d, ":%s", effect);
      if (t->op == KS_TOLERATION_EXISTS && t->value[0] == '\0')
        W (d, (t->key[0] != '\0' || effect[0] != '\0') ? " op=Exists" : "op=Exists");
      if (t->has_seconds)
        W (d, " for %" G_GINT64_FORMAT "s", t->toleration_seconds);
      W (d, "\n");
    }
}

/* The Events of an object: searchEvents' field selector, then DescribeEvents. */
static GPtrArray *
search_events (Describe *d, const KsObject *obj, const char *kind, const char *uid, const char *ns)
{
  const KsKind *events = ks_kind_get (KS_KIND_EVENT);
  g_autoptr (GString) selector = g_string_new (NULL);
  g_autoptr (JsonNode) list = NULL;
  g_autoptr (GPtrArray) items = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);

  g_string_append_printf (selector, "involvedObject.name=%s,involvedObject.namespace=%s",
                          obj->meta.name, ns != NULL ? ns : "");
  if (kind != NULL)
    g_string_append_printf (selector, ",involvedObject.kind=%s", kind);
  if (uid != NULL)
    g_string_append_printf (selector, ",involvedObject.uid=%s", uid);
  list = kc_list (d->k, events, ns != NULL && ns[0] != '\0' ? ns : NULL, NULL, selector->str, NULL);
  if (list == NULL)
    return out;
  items = kc_list_items (list, events);
  for (guint i = 0; i < items->len; i++)
    {
      KsObject *e = kc_decode (g_ptr_array_index (items, i), NULL);
      if (e != NULL)
        g_ptr_array_add (out, e);
    }
  return out;
}

static gint64
event_time (const KsEvent *e)
{
  return e->last_timestamp != KS_TIME_NONE ? e->last_timestamp : e->first_timestamp;
}

static gint
compare_events (gconstpointer pa, gconstpointer pb)
{
  gint64 a = event_time (*(const KsEvent *const *) pa);
  gint64 b = event_time (*(const KsEvent *const *) pb);

  return a < b ? -1 : a > b;
}

static void
describe_events (Describe *d, GPtrArray *events)
{
  if (events->len == 0)
    {
      W (d, "Events:\t<none>\n");
      return;
    }
  /* A table of its own: flushed apart from what came before. */
  ks_tab_writer_flush (d->w);
  g_ptr_array_sort (events, compare_events);
  W (d, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
  W (d, L1 "----\t------\t----\t----\t-------\n");
  for (guint i = 0; i < events->len; i++)
    {
      const KsEvent *e = g_ptr_array_index (events, i);
      g_autofree char *first = age (d, e->first_timestamp);
      g_autofree char *interval = NULL;
      g_autofree char *message = g_strstrip (g_strdup (e->message != NULL ? e->message : ""));
      const char *source = e->source_component != NULL && e->source_component[0] != '\0'
                               ? e->source_component
                               : e->reporting_component;

      if (e->count > 1)
        {
          g_autofree char *last = age (d, e->last_timestamp);
          interval = g_strdup_printf ("%s (x%d over %s)", last, e->count, first);
        }
      else
        interval = g_strdup (first);
      W (d, L1 "%s\t%s\t%s\t%s\t%s\n", e->type != NULL ? e->type : "",
         e->reason != NULL ? e->reason : "", interval, source != NULL ? source : "", message);
    }
}

static void
events_of (Describe *d, const KsObject *obj, const char *kind, gboolean show)
{
  char uid[KS_UID_STRING_LEN];
  g_autoptr (GPtrArray) events = NULL;

  if (!show)
    return;
  events
      = search_events (d, obj, kind, ks_uid_to_string (&obj->meta.uid, uid), obj->meta.namespace);
  describe_events (d, events);
}

/* ---- containers ------------------------------------------------------------------------------ */

static char *
int_or_string (const KsIntOrString *v)
{
  return v->name != NULL ? g_strdup (v->name) : g_strdup_printf ("%d", v->number);
}

/* DescribeProbe. */
static char *
describe_probe (const KsProbe *p)
{
  g_autofree char *attrs = g_strdup_printf (
      "delay=%ds timeout=%ds period=%ds #success=%d #failure=%d", p->initial_delay_seconds,
      p->timeout_seconds, p->period_seconds, p->success_threshold, p->failure_threshold);
  g_autofree char *port = int_or_string (&p->port);

  switch (p->handler)
    {
    case KS_PROBE_EXEC:
      {
        g_autofree char *command = g_strjoinv (" ", p->command);
        return g_strdup_printf ("exec [%s] %s", command, attrs);
      }
    case KS_PROBE_HTTP_GET:
      {
        const char *host = p->host != NULL ? p->host : "";
        gboolean v6 = strchr (host, ':') != NULL;
        return g_strdup_printf ("http-get %s://%s%s%s:%s%s %s", p->https ? "https" : "http",
                                v6 ? "[" : "", host, v6 ? "]" : "", port,
                                p->path != NULL ? p->path : "", attrs);
      }
    case KS_PROBE_TCP_SOCKET:
    default:
      return g_strdup_printf ("tcp-socket %s:%s %s", p->host != NULL ? p->host : "", port, attrs);
    }
}

/* The JSON of container i of a pod spec (for its resources, as the server writes them). */
static JsonObject *
container_json (JsonNode *spec, const char *list, guint i)
{
  JsonArray *a = spec != NULL ? json_array_at (spec, list) : NULL;

  if (a == NULL || i >= json_array_get_length (a)
      || !JSON_NODE_HOLDS_OBJECT (json_array_get_element (a, i)))
    return NULL;
  return json_node_get_object (json_array_get_element (a, i));
}

static void
resource_lines (Describe *d, const char *title, JsonObject *list)
{
  g_autoptr (GPtrArray) names = NULL;

  if (list == NULL || json_object_get_size (list) == 0)
    return;
  W (d, L2 "%s:\n", title);
  names = g_ptr_array_new ();
  {
    JsonObjectIter iter;
    const char *name;
    JsonNode *value;
    json_object_iter_init (&iter, list);
    while (json_object_iter_next (&iter, &name, &value))
      g_ptr_array_add (names, (gpointer) name);
  }
  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *v
          = scalar_text (json_object_get_member (list, g_ptr_array_index (names, i)));
      W (d, L3 "%s:\t%s\n", (char *) g_ptr_array_index (names, i), v);
    }
}

static void
container_state (Describe *d, const char *title, KsContainerState state, const char *reason,
                 const char *message, gint32 exit_code, gint64 started, gint64 finished)
{
  switch (state)
    {
    case KS_CONTAINER_RUNNING:
      {
        g_autofree char *t = rfc1123z (started);
        W (d, L2 "%s:\tRunning\n", title);
        W (d, L3 "Started:\t%s\n", t);
        break;
      }
    case KS_CONTAINER_TERMINATED:
      {
        g_autofree char *s = rfc1123z (started);
        g_autofree char *f = rfc1123z (finished);
        W (d, L2 "%s:\tTerminated\n", title);
        if (reason != NULL && reason[0] != '\0')
          W (d, L3 "Reason:\t%s\n", reason);
        if (message != NULL && message[0] != '\0')
          W (d, L3 "Message:\t%s\n", message);
        W (d, L3 "Exit Code:\t%d\n", exit_code);
        W (d, L3 "Started:\t%s\n", s);
        W (d, L3 "Finished:\t%s\n", f);
        break;
      }
    case KS_CONTAINER_WAITING:
    default:
      W (d, L2 "%s:\tWaiting\n", title);
      if (reason != NULL && reason[0] != '\0')
        W (d, L3 "Reason:\t%s\n", reason);
      break;
    }
}

/* EnvValueRetriever with kubectl's fieldpath.ExtractFieldPathAsString: a downward API value of
 * the pod's metadata; "" for the other fields (and for templates, pod NULL).  Newly allocated. */
static char *
env_field_value (const KsObject *pod, const char *path)
{
  char uid[KS_UID_STRING_LEN];
  const char *v = NULL;
  g_autofree char *key = NULL;

  if (pod == NULL)
    return g_strdup ("");
  if (strcmp (path, "metadata.name") == 0)
    v = pod->meta.name;
  else if (strcmp (path, "metadata.namespace") == 0)
    v = pod->meta.namespace;
  else if (strcmp (path, "metadata.uid") == 0)
    v = ks_uid_to_string (&pod->meta.uid, uid);
  else if (g_str_has_prefix (path, "metadata.labels['") && g_str_has_suffix (path, "']"))
    {
      key = g_strndup (path + strlen ("metadata.labels['"),
                       strlen (path) - strlen ("metadata.labels['") - 2);
      v = ks_object_get_label (pod, key);
    }
  else if (g_str_has_prefix (path, "metadata.annotations['") && g_str_has_suffix (path, "']"))
    {
      key = g_strndup (path + strlen ("metadata.annotations['"),
                       strlen (path) - strlen ("metadata.annotations['") - 2);
      v = ks_object_get_annotation (pod, key);
    }
  return g_strdup (v != NULL ? v : "");
}

static gint
mount_path_cmp (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(const KsVolumeMount *const *) a)->mount_path,
                 (*(const KsVolumeMount *const *) b)->mount_path);
}

/* describeContainerVolumes: the mounts sorted by path, "PATH from VOLUME (rw|ro[,path="SUB"])". */
static void
describe_mounts (Describe *d, const KsContainer *c)
{
  g_autoptr (GPtrArray) sorted = g_ptr_array_new ();

  if (c->n_volume_mounts == 0)
    {
      W (d, L2 "Mounts:\t<none>\n");
      return;
    }
  W (d, L2 "Mounts:\n");
  for (guint i = 0; i < c->n_volume_mounts; i++)
    g_ptr_array_add (sorted, &c->volume_mounts[i]);
  g_ptr_array_sort (sorted, mount_path_cmp);
  for (guint i = 0; i < sorted->len; i++)
    {
      const KsVolumeMount *m = g_ptr_array_index (sorted, i);
      g_autofree char *sub
          = m->sub_path != NULL ? g_strdup_printf (",path=\"%s\"", m->sub_path) : g_strdup ("");
      W (d, L3 "%s from %s (%s%s)\n", m->mount_path, m->name, m->read_only ? "ro" : "rw", sub);
    }
}

/* describeContainers: statuses may be NULL (templates); spec_json is the pod spec's JSON; pod
 * (NULL for templates) resolves downward API env values. */
static void
describe_containers (Describe *d, const char *label, const KsContainer *containers, guint n,
                     const KsContainerStatus *statuses, JsonNode *spec_json, const char *list,
                     const char *space, const KsObject *pod)
{
  const char *name_indent = space[0] != '\0' ? " " : "";

  W (d, "%s%s:%s\n", space, label, n == 0 ? " <none>" : "");
  for (guint i = 0; i < n; i++)
    {
      const KsContainer *c = &containers[i];
      const KsContainerStatus *s = statuses != NULL ? &statuses[i] : NULL;
      g_autoptr (GString) ports = g_string_new (NULL);
      g_autoptr (GString) host_ports = g_string_new (NULL);
      JsonObject *cj = container_json (spec_json, list, i);
      JsonObject *resources = cj != NULL && json_object_has_member (cj, "resources")
                                  ? json_object_get_object_member (cj, "resources")
                                  : NULL;

      W (d, L1 "%s%s:\n", name_indent, c->name);
      if (s != NULL)
        W (d, L2 "Container ID:\t%s\n", s->container_id != NULL ? s->container_id : "");
      W (d, L2 "Image:\t%s\n", c->image);
      if (s != NULL)
        W (d, L2 "Image ID:\t%s\n", "");
      for (guint p = 0; p < c->n_ports; p++)
        {
          g_string_append_printf (ports, "%s%d/%s", p > 0 ? ", " : "", c->ports[p].container_port,
                                  c->ports[p].protocol);
          g_string_append_printf (host_ports, "%s%d/%s", p > 0 ? ", " : "", c->ports[p].host_port,
                                  c->ports[p].protocol);
        }
      if (strchr (ports->str, ',') != NULL)
        W (d, L2 "Ports:\t%s\n", ports->str);
      else
        W (d, L2 "Port:\t%s\n", ports->len > 0 ? ports->str : "<none>");
      if (strchr (host_ports->str, ',') != NULL)
        W (d, L2 "Host Ports:\t%s\n", host_ports->str);
      else
        W (d, L2 "Host Port:\t%s\n", host_ports->len > 0 ? host_ports->str : "<none>");
      if (c->command != NULL && c->command[0] != NULL)
        {
          W (d, L2 "Command:\n");
          for (guint j = 0; c->command[j] != NULL; j++)
            {
              g_auto (GStrv) lines = g_strsplit (c->command[j], "\n", -1);
              for (guint l = 0; lines[l] != NULL; l++)
                W (d, L3 "%s\n", lines[l]);
            }
        }
      if (c->args != NULL && c->args[0] != NULL)
        {
          W (d, L2 "Args:\n");
          for (guint j = 0; c->args[j] != NULL; j++)
            {
              g_auto (GStrv) lines = g_strsplit (c->args[j], "\n", -1);
              for (guint l = 0; lines[l] != NULL; l++)
                W (d, L3 "%s\n", lines[l]);
            }
        }
      if (s != NULL)
        {
          container_state (d, "State", s->state, s->reason, s->message, s->exit_code, s->started_at,
                           s->finished_at);
          if (s->has_last)
            container_state (d, "Last State", KS_CONTAINER_TERMINATED, s->last_reason, NULL,
                             s->last_exit_code, s->last_started_at, s->last_finished_at);
          W (d, L2 "Ready:\t%s\n", s->ready ? "True" : "False");
          W (d, L2 "Restart Count:\t%d\n", s->restart_count);
        }
      if (resources != NULL)
        {
          resource_lines (d, "Limits",
                          json_object_has_member (resources, "limits")
                              ? json_object_get_object_member (resources, "limits")
                              : NULL);
          resource_lines (d, "Requests",
                          json_object_has_member (resources, "requests")
                              ? json_object_get_object_member (resources, "requests")
                              : NULL);
        }
      if (c->liveness_probe != NULL)
        {
          g_autofree char *p = describe_probe (c->liveness_probe);
          W (d, L2 "Liveness:\t%s\n", p);
        }
      if (c->readiness_probe != NULL)
        {
          g_autofree char *p = describe_probe (c->readiness_probe);
          W (d, L2 "Readiness:\t%s\n", p);
        }
      if (c->startup_probe != NULL)
        {
          g_autofree char *p = describe_probe (c->startup_probe);
          W (d, L2 "Startup:\t%s\n", p);
        }
      W (d, L2 "Environment:%s\n", c->n_env == 0 ? "\t<none>" : "");
      for (guint e = 0; e < c->n_env; e++)
        {
          if (c->env[e].field_path != NULL)
            {
              g_autofree char *v = env_field_value (pod, c->env[e].field_path);
              W (d, L3 "%s:\t%s (v1:%s)\n", c->env[e].name, v, c->env[e].field_path);
              continue;
            }
          g_auto (GStrv) lines
              = g_strsplit (c->env[e].value != NULL ? c->env[e].value : "", "\n", -1);
          for (guint l = 0; lines[l] != NULL; l++)
            {
              if (l == 0)
                W (d, L3 "%s:\t%s\n", c->env[e].name, lines[l]);
              else
                W (d, L3 "\t%s\n", lines[l]);
            }
        }
      describe_mounts (d, c);
    }
}

/* describeVolumes for the volume types kubesim mounts (others are "<unknown>", as kubectl prints
 * the types it does not know).  space is the section's indent ("  " in a pod template). */
static void
describe_volumes (Describe *d, const KsPodSpec *spec, const char *space)
{
  JsonArray *volumes = spec->volumes != NULL && JSON_NODE_HOLDS_ARRAY (spec->volumes)
                           ? json_node_get_array (spec->volumes)
                           : NULL;

  if (volumes == NULL || json_array_get_length (volumes) == 0)
    {
      W (d, "%sVolumes:\t<none>\n", space);
      return;
    }
  W (d, "%sVolumes:\n", space);
  for (guint i = 0; i < json_array_get_length (volumes); i++)
    {
      JsonNode *node = json_array_get_element (volumes, i);
      JsonObject *v = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonObject *src;
      if (v == NULL)
        continue;
      W (d, L1 "%s%s:\n", space[0] != '\0' ? " " : "", member_string (v, "name"));
      if ((src = ks_json_get_object (node, "hostPath")) != NULL)
        /* The API server defaults an unset type to "". */
        W (d,
           L2 "Type:\tHostPath (bare host directory volume)\n" L2 "Path:\t%s\n" L2
              "HostPathType:\t%s\n",
           member_string (src, "path") ? member_string (src, "path") : "",
           member_string (src, "type") ? member_string (src, "type") : "");
      else if ((src = ks_json_get_object (node, "emptyDir")) != NULL)
        W (d,
           L2 "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n" L2
              "Medium:\t%s\n" L2 "SizeLimit:\t%s\n",
           member_string (src, "medium") ? member_string (src, "medium") : "",
           member_string (src, "sizeLimit") ? member_string (src, "sizeLimit") : "<unset>");
      else if ((src = ks_json_get_object (node, "persistentVolumeClaim")) != NULL)
        W (d,
           L2 "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same "
              "namespace)\n" L2 "ClaimName:\t%s\n" L2 "ReadOnly:\t%s\n",
           member_string (src, "claimName") ? member_string (src, "claimName") : "",
           json_object_get_boolean_member_with_default (src, "readOnly", FALSE) ? "true" : "false");
      else
        W (d, L1 "<unknown>\n");
    }
}

/* DescribePodTemplate. */
static void
describe_pod_template (Describe *d, const KsPodTemplate *t, JsonNode *template_json)
{
  g_autoptr (JsonNode) spec = NULL;
  JsonObject *spec_object
      = template_json != NULL ? ks_json_get_object (template_json, "spec") : NULL;

  if (spec_object != NULL)
    {
      spec = json_node_new (JSON_NODE_OBJECT);
      json_node_set_object (spec, spec_object);
    }
  W (d, "Pod Template:\n");
  labels_multiline (d, "  Labels", t->labels);
  if (ks_str_map_size (t->annotations) > 0)
    annotations_multiline (d, "  Annotations", t->annotations);
  if (t->spec->service_account_name != NULL && t->spec->service_account_name[0] != '\0')
    W (d, L1 "Service Account:\t%s\n", t->spec->service_account_name);
  if (t->spec->n_init_containers > 0)
    describe_containers (d, "Init Containers", t->spec->init_containers, t->spec->n_init_containers,
                         NULL, spec, "initContainers", "  ", NULL);
  describe_containers (d, "Containers", t->spec->containers, t->spec->n_containers, NULL, spec,
                       "containers", "  ", NULL);
  describe_volumes (d, t->spec, "  ");
  if (t->spec->priority_class_name != NULL && t->spec->priority_class_name[0] != '\0')
    W (d, L1 "Priority Class Name:\t%s\n", t->spec->priority_class_name);
  labels_multiline (d, "  Node-Selectors", t->spec->node_selector);
  tolerations_multiline (d, "  Tolerations", t->spec->tolerations, t->spec->n_tolerations);
}

/* The controller owner reference as "Kind/name", or NULL. */
static char *
controlled_by (const KsObject *obj)
{
  const KsOwnerRef *ref = ks_object_get_controller_ref (obj);

  return ref != NULL ? g_strdup_printf ("%s/%s", ref->kind, ref->name) : NULL;
}

/* ---- pods ------------------------------------------------------------------------------------ */

static void
describe_pod (Describe *d, const KsObject *obj, JsonNode *json, gboolean show_events)
{
  const KsPod *pod = KS_POD (obj);
  const KsPodSpec *spec = pod->spec;
  const char *reason = ks_pod_get_status_string (pod, KS_POD_REASON);
  const char *message = ks_pod_get_status_string (pod, KS_POD_MESSAGE);
  const char *ip = ks_pod_get_status_string (pod, KS_POD_POD_IP);
  const char *nominated = ks_pod_get_status_string (pod, KS_POD_NOMINATED_NODE_NAME);
  g_autofree char *controller = controlled_by (obj);
  g_autoptr (JsonNode) spec_json = NULL;
  JsonObject *spec_object = ks_json_get_object (json, "spec");
  JsonArray *conditions = json_array_at (json, "status.conditions");
  JsonArray *ips = json_array_at (json, "status.podIPs");

  if (spec_object != NULL)
    {
      spec_json = json_node_new (JSON_NODE_OBJECT);
      json_node_set_object (spec_json, spec_object);
    }
  W (d, "Name:\t%s\n", obj->meta.name);
  W (d, "Namespace:\t%s\n", obj->meta.namespace);
  if (spec->has_priority)
    W (d, "Priority:\t%d\n", spec->priority);
  if (spec->priority_class_name != NULL && spec->priority_class_name[0] != '\0')
    W (d, "Priority Class Name:\t%s\n", spec->priority_class_name);
  if (spec->service_account_name != NULL && spec->service_account_name[0] != '\0')
    W (d, "Service Account:\t%s\n", spec->service_account_name);
  if (pod->node_name == NULL)
    W (d, "Node:\t<none>\n");
  else
    {
      const char *host_ip = ks_pod_get_status_string (pod, KS_POD_HOST_IP);
      W (d, "Node:\t%s/%s\n", pod->node_name, host_ip != NULL ? host_ip : "");
    }
  if (pod->start_time != KS_TIME_NONE)
    {
      g_autofree char *t = rfc1123z (pod->start_time);
      W (d, "Start Time:\t%s\n", t);
    }
  labels_multiline (d, "Labels", obj->meta.labels);
  annotations_multiline (d, "Annotations", obj->meta.annotations);
  if (ks_object_is_being_deleted (obj) && !ks_pod_is_terminal (pod))
    {
      g_autofree char *lasts = age (d, obj->meta.deletion_timestamp);
      W (d, "Status:\tTerminating (lasts %s)\n", lasts);
      W (d, "Termination Grace Period:\t%" G_GINT64_FORMAT "s\n",
         obj->meta.deletion_grace_period_seconds);
    }
  else
    W (d, "Status:\t%s\n", ks_pod_phase_name (pod->phase));
  if (reason != NULL && reason[0] != '\0')
    W (d, "Reason:\t%s\n", reason);
  if (message != NULL && message[0] != '\0')
    W (d, "Message:\t%s\n", message);
  W (d, "IP:\t%s\n", ip != NULL ? ip : "");
  if (ips == NULL || json_array_get_length (ips) == 0)
    W (d, "IPs:\t<none>\n");
  else
    {
      W (d, "IPs:\n");
      for (guint i = 0; i < json_array_get_length (ips); i++)
        {
          JsonNode *e = json_array_get_element (ips, i);
          W (d, L1 "IP:\t%s\n",
             member_string (JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL, "ip")
                     != NULL
                 ? member_string (json_node_get_object (e), "ip")
                 : "");
        }
    }
  if (controller != NULL)
    W (d, "Controlled By:\t%s\n", controller);
  if (nominated != NULL && nominated[0] != '\0')
    W (d, "NominatedNodeName:\t%s\n", nominated);
  if (spec->n_init_containers > 0)
    describe_containers (d, "Init Containers", spec->init_containers, spec->n_init_containers,
                         ks_pod_init_container_statuses (pod), spec_json, "initContainers", "",
                         KS_OBJECT (pod));
  describe_containers (d, "Containers", spec->containers, spec->n_containers,
                       pod->container_statuses, spec_json, "containers", "", KS_OBJECT (pod));
  if (conditions != NULL && json_array_get_length (conditions) > 0)
    {
      W (d, "Conditions:\n  Type\tStatus\n");
      for (guint i = 0; i < json_array_get_length (conditions); i++)
        {
          JsonNode *c = json_array_get_element (conditions, i);
          JsonObject *co = JSON_NODE_HOLDS_OBJECT (c) ? json_node_get_object (c) : NULL;
          W (d, L1 "%s \t%s \n", member_string (co, "type") ? member_string (co, "type") : "",
             member_string (co, "status") ? member_string (co, "status") : "");
        }
    }
  describe_volumes (d, spec, "");
  W (d, "QoS Class:\t%s\n", ks_qos_class_name (spec->qos_class));
  labels_multiline (d, "Node-Selectors", spec->node_selector);
  tolerations_multiline (d, "Tolerations", spec->tolerations, spec->n_tolerations);
  /* Events of pods: by name, namespace and UID (kubectl leaves the kind out). */
  if (show_events)
    {
      char uid[KS_UID_STRING_LEN];
      g_autoptr (GPtrArray) events = search_events (
          d, obj, NULL, ks_uid_to_string (&obj->meta.uid, uid), obj->meta.namespace);
      describe_events (d, events);
    }
}

/* ---- replica sets and deployments ------------------------------------------------------------ */

/* getPodStatusForController: pods of the selector controlled by uid, by phase. */
static void
pod_status_counts (Describe *d, const KsObject *owner, const KsLabelSelector *selector,
                   guint counts[4], GError **error)
{
  g_autofree char *s = ks_label_selector_to_string (selector);
  g_autoptr (JsonNode) list
      = kc_list (d->k, ks_kind_get (KS_KIND_POD), owner->meta.namespace, s, NULL, error);
  g_autoptr (GPtrArray) items = NULL;

  memset (counts, 0, 4 * sizeof (guint));
  if (list == NULL)
    return;
  items = kc_list_items (list, ks_kind_get (KS_KIND_POD));
  for (guint i = 0; i < items->len; i++)
    {
      g_autoptr (KsObject) pod = kc_decode (g_ptr_array_index (items, i), NULL);
      const KsOwnerRef *ref;
      if (pod == NULL)
        continue;
      ref = ks_object_get_controller_ref (pod);
      if (ref == NULL || !ks_uid_equal (&ref->uid, &owner->meta.uid))
        continue;
      switch (KS_POD (pod)->phase)
        {
        case KS_POD_RUNNING:
          counts[0]++;
          break;
        case KS_POD_PENDING:
          counts[1]++;
          break;
        case KS_POD_SUCCEEDED:
          counts[2]++;
          break;
        case KS_POD_FAILED:
          counts[3]++;
          break;
        default:
          break;
        }
    }
}

static void
status_conditions (Describe *d, JsonNode *json)
{
  JsonArray *conditions = json_array_at (json, "status.conditions");

  if (conditions == NULL || json_array_get_length (conditions) == 0)
    return;
  W (d, "Conditions:\n  Type\tStatus\tReason\n");
  W (d, L1 "----\t------\t------\n");
  for (guint i = 0; i < json_array_get_length (conditions); i++)
    {
      JsonNode *c = json_array_get_element (conditions, i);
      JsonObject *co = JSON_NODE_HOLDS_OBJECT (c) ? json_node_get_object (c) : NULL;
      W (d, L1 "%s \t%s\t%s\n", member_string (co, "type") ? member_string (co, "type") : "",
         member_string (co, "status") ? member_string (co, "status") : "",
         member_string (co, "reason") ? member_string (co, "reason") : "");
    }
}

static JsonNode *
template_json (JsonNode *json)
{
  JsonObject *t = ks_json_get_object (json, "spec.template");
  JsonNode *n;

  if (t == NULL)
    return NULL;
  n = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (n, t);
  return n;
}

static void
describe_replica_set (Describe *d, const KsObject *obj, JsonNode *json, gboolean show_events)
{
  const KsReplicaSet *rs = KS_REPLICA_SET (obj);
  g_autofree char *selector = ks_label_selector_to_string (rs->selector);
  g_autofree char *controller = controlled_by (obj);
  g_autoptr (JsonNode) tj = template_json (json);
  g_autoptr (GError) error = NULL;
  guint counts[4];

  W (d, "Name:\t%s\n", obj->meta.name);
  W (d, "Namespace:\t%s\n", obj->meta.namespace);
  W (d, "Selector:\t%s\n", selector[0] != '\0' ? selector : "<none>");
  labels_multiline (d, "Labels", obj->meta.labels);
  annotations_multiline (d, "Annotations", obj->meta.annotations);
  if (controller != NULL)
    W (d, "Controlled By:\t%s\n", controller);
  W (d, "Replicas:\t%d current / %d desired\n", rs->status.replicas, rs->replicas);
  W (d, "Pods Status:\t");
  pod_status_counts (d, obj, rs->selector, counts, &error);
  if (error != NULL)
    W (d, "error in fetching pods: %s\n", error->message);
  else
    W (d, "%u Running / %u Waiting / %u Succeeded / %u Failed\n", counts[0], counts[1], counts[2],
       counts[3]);
  describe_pod_template (d, &rs->template, tj);
  status_conditions (d, json);
  events_of (d, obj, "ReplicaSet", show_events);
}

/* kubectl's describeJob (v1.32). */
static void
describe_job (Describe *d, const KsObject *obj, JsonNode *json, gboolean show_events)
{
  const KsJob *job = KS_JOB (obj);
  g_autofree char *selector = ks_label_selector_to_string (job->selector);
  g_autofree char *controller = controlled_by (obj);
  g_autoptr (JsonNode) tj = template_json (json);

  W (d, "Name:\t%s\n", obj->meta.name);
  W (d, "Namespace:\t%s\n", obj->meta.namespace);
  W (d, "Selector:\t%s\n", selector);
  labels_multiline (d, "Labels", obj->meta.labels);
  annotations_multiline (d, "Annotations", obj->meta.annotations);
  if (controller != NULL)
    W (d, "Controlled By:\t%s\n", controller);
  W (d, "Parallelism:\t%d\n", job->parallelism);
  if (job->has_completions)
    W (d, "Completions:\t%d\n", job->completions);
  else
    W (d, "Completions:\t<unset>\n");
  W (d, "Completion Mode:\t%s\n",
     job->completion_mode == KS_JOB_INDEXED ? "Indexed" : "NonIndexed");
  W (d, "Suspend:\tfalse\n");
  W (d, "Backoff Limit:\t%d\n", job->backoff_limit);
  if (job->ttl_seconds_after_finished >= 0)
    W (d, "TTL Seconds After Finished:\t%" G_GINT64_FORMAT "\n", job->ttl_seconds_after_finished);
  if (job->status.start_time != KS_TIME_NONE)
    {
      g_autofree char *start = rfc1123z (job->status.start_time);
      W (d, "Start Time:\t%s\n", start);
    }
  if (job->status.completion_time != KS_TIME_NONE)
    {
      g_autofree char *done = rfc1123z (job->status.completion_time);
      W (d, "Completed At:\t%s\n", done);
    }
  if (job->status.start_time != KS_TIME_NONE && job->status.completion_time != KS_TIME_NONE)
    {
      g_autofree char *duration
          = ks_human_duration (job->status.completion_time - job->status.start_time);
      W (d, "Duration:\t%s\n", duration);
    }
  if (job->active_deadline_seconds > 0)
    W (d, "Active Deadline Seconds:\t%" G_GINT64_FORMAT "s\n", job->active_deadline_seconds);
  /* status.ready is written from the controller's first sync on (startTime marks it). */
  if (job->status.start_time == KS_TIME_NONE)
    W (d, "Pods Statuses:\t%d Active / %d Succeeded / %d Failed\n", job->status.active,
       job->status.succeeded, job->status.failed);
  else
    W (d, "Pods Statuses:\t%d Active (%d Ready) / %d Succeeded / %d Failed\n", job->status.active,
       job->status.ready, job->status.succeeded, job->status.failed);
  if (job->completion_mode == KS_JOB_INDEXED)
    W (d, "Completed Indexes:\t%s\n",
       job->status.completed_indexes != NULL ? job->status.completed_indexes : "<none>");
  describe_pod_template (d, &job->template, tj);
  events_of (d, obj, "Job", show_events);
}

static char *
int_or_percent (const KsIntOrPercent *v)
{
  return g_strdup_printf (v->percent ? "%d%%" : "%d", v->value);
}

static void
describe_deployment (Describe *d, const KsObject *obj, JsonNode *json, gboolean show_events)
{
  const KsDeployment *dep = KS_DEPLOYMENT (obj);
  g_autofree char *selector = ks_label_selector_to_string (dep->selector);
  g_autofree char *created = rfc1123z (obj->meta.creation_timestamp);
  g_autoptr (JsonNode) tj = template_json (json);
  g_autoptr (JsonNode) list = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GString) old_rs = g_string_new (NULL);
  g_autoptr (GString) new_rs = g_string_new (NULL);
  gboolean any_rs = FALSE;

  W (d, "Name:\t%s\n", obj->meta.name);
  W (d, "Namespace:\t%s\n", obj->meta.namespace);
  W (d, "CreationTimestamp:\t%s\n", created);
  labels_multiline (d, "Labels", obj->meta.labels);
  annotations_multiline (d, "Annotations", obj->meta.annotations);
  W (d, "Selector:\t%s\n", selector);
  W (d, "Replicas:\t%d desired | %d updated | %d total | %d available | %d unavailable\n",
     dep->replicas, dep->status.updated_replicas, dep->status.replicas,
     dep->status.available_replicas, dep->status.unavailable_replicas);
  W (d, "StrategyType:\t%s\n", dep->strategy == KS_DEPLOY_RECREATE ? "Recreate" : "RollingUpdate");
  W (d, "MinReadySeconds:\t%d\n", dep->min_ready_seconds);
  if (dep->strategy == KS_DEPLOY_ROLLING_UPDATE)
    {
      g_autofree char *unavailable = int_or_percent (&dep->max_unavailable);
      g_autofree char *surge = int_or_percent (&dep->max_surge);
      W (d, "RollingUpdateStrategy:\t%s max unavailable, %s max surge\n", unavailable, surge);
    }
  describe_pod_template (d, &dep->template, tj);
  status_conditions (d, json);
  /* Its ReplicaSets: the new one has the deployment's template (the oldest such), the others
   * are old (deploymentutil.GetAllReplicaSets). */
  list = kc_list (d->k, ks_kind_get (KS_KIND_REPLICA_SET), obj->meta.namespace, selector, NULL,
                  NULL);
  if (list != NULL)
    {
      g_autofree char *want = ks_pod_template_to_json (&dep->template, KS_LABEL_POD_TEMPLATE_HASH);
      g_autoptr (GPtrArray) mine
          = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
      KsObject *newest = NULL;

      items = kc_list_items (list, ks_kind_get (KS_KIND_REPLICA_SET));
      for (guint i = 0; i < items->len; i++)
        {
          KsObject *rs = kc_decode (g_ptr_array_index (items, i), NULL);
          const KsOwnerRef *ref = rs != NULL ? ks_object_get_controller_ref (rs) : NULL;
          if (ref == NULL || !ks_uid_equal (&ref->uid, &obj->meta.uid))
            {
              g_clear_pointer (&rs, ks_object_unref);
              continue;
            }
          g_ptr_array_add (mine, rs);
        }
      for (guint i = 0; i < mine->len; i++)
        {
          KsObject *rs = g_ptr_array_index (mine, i);
          g_autofree char *have = ks_pod_template_to_json (&KS_REPLICA_SET (rs)->template,
                                                           KS_LABEL_POD_TEMPLATE_HASH);
          if (strcmp (have, want) == 0
              && (newest == NULL || rs->meta.creation_timestamp < newest->meta.creation_timestamp))
            newest = rs;
        }
      for (guint i = 0; i < mine->len; i++)
        {
          KsObject *rs = g_ptr_array_index (mine, i);
          GString *to = rs == newest ? new_rs : old_rs;
          g_string_append_printf (to, "%s%s (%d/%d replicas created)", to->len > 0 ? ", " : "",
                                  rs->meta.name, KS_REPLICA_SET (rs)->status.replicas,
                                  KS_REPLICA_SET (rs)->replicas);
          any_rs = TRUE;
        }
    }
  if (any_rs)
    {
      W (d, "OldReplicaSets:\t%s\n", old_rs->len > 0 ? old_rs->str : "<none>");
      W (d, "NewReplicaSet:\t%s\n", new_rs->len > 0 ? new_rs->str : "<none>");
    }
  events_of (d, obj, "Deployment", show_events);
}

/* ---- nodes ----------------------------------------------------------------------------------- */

static void
resource_list_lines (Describe *d, const char *title, JsonObject *list)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (list == NULL || json_object_get_size (list) == 0)
    return;
  W (d, "%s:\n", title);
  json_object_iter_init (&iter, list);
  while (json_object_iter_next (&iter, &name, &value))
    g_ptr_array_add (names, (gpointer) name);
  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *v
          = scalar_text (json_object_get_member (list, g_ptr_array_index (names, i)));
      W (d, "  %s:\t%s\n", (char *) g_ptr_array_index (names, i), v);
    }
}

/* A pod's limits as PodRequestsAndLimits computes them: the sum over containers, at least each
 * init container's, plus the overhead. */
static void
pod_limits (const KsPodSpec *spec, KsResources *out)
{
  memset (out, 0, sizeof *out);
  for (guint i = 0; i < spec->n_containers; i++)
    ks_resources_add (out, &spec->containers[i].limits);
  for (guint i = 0; i < spec->n_init_containers; i++)
    ks_resources_max (out, &spec->init_containers[i].limits);
  if (!ks_resources_is_zero (out))
    ks_resources_add (out, &spec->overhead);
}

static char *
cpu_text (gint64 milli)
{
  return ks_quantity_format_milli (milli);
}

static char *
bytes_text (gint64 value)
{
  return ks_quantity_format_value (value, TRUE);
}

static gint64
percent (gint64 part, gint64 whole)
{
  return whole != 0 ? (gint64) ((double) part / (double) whole * 100) : 0;
}

static void
describe_node_resources (Describe *d, const KsNode *node, GPtrArray *pods)
{
  const KsResources *alloc
      = ks_resources_is_zero (&node->allocatable) ? &node->capacity : &node->allocatable;
  KsResources reqs = { 0 }, limits = { 0 };

  W (d, "Non-terminated Pods:\t(%u in total)\n", pods->len);
  W (d, L1 "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n");
  W (d, L1 "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
  for (guint i = 0; i < pods->len; i++)
    {
      const KsObject *obj = g_ptr_array_index (pods, i);
      const KsPodSpec *spec = KS_POD (obj)->spec;
      KsResources lim;
      g_autofree char *cr = cpu_text (spec->requests.milli_cpu);
      g_autofree char *mr = bytes_text (spec->requests.memory);
      g_autofree char *cl = NULL;
      g_autofree char *ml = NULL;
      g_autofree char *pod_age = age (d, obj->meta.creation_timestamp);

      pod_limits (spec, &lim);
      cl = cpu_text (lim.milli_cpu);
      ml = bytes_text (lim.memory);
      W (d,
         L1 "%s\t%s\t\t%s (%" G_GINT64_FORMAT "%%)\t%s (%" G_GINT64_FORMAT
            "%%)\t%s (%" G_GINT64_FORMAT "%%)\t%s (%" G_GINT64_FORMAT "%%)\t%s\n",
         obj->meta.namespace, obj->meta.name, cr,
         percent (spec->requests.milli_cpu, alloc->milli_cpu), cl,
         percent (lim.milli_cpu, alloc->milli_cpu), mr,
         percent (spec->requests.memory, alloc->memory), ml, percent (lim.memory, alloc->memory),
         pod_age);
      ks_resources_add (&reqs, &spec->requests);
      ks_resources_add (&limits, &lim);
      ks_resources_clear (&lim);
    }
  W (d, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n");
  W (d, L1 "Resource\tRequests\tLimits\n");
  W (d, L1 "--------\t--------\t------\n");
  {
    g_autofree char *cr = cpu_text (reqs.milli_cpu);
    g_autofree char *cl = cpu_text (limits.milli_cpu);
    g_autofree char *mr = bytes_text (reqs.memory);
    g_autofree char *ml = bytes_text (limits.memory);
    g_autofree char *er = bytes_text (reqs.ephemeral_storage);
    g_autofree char *el = bytes_text (limits.ephemeral_storage);
    W (d, L1 "cpu\t%s (%" G_GINT64_FORMAT "%%)\t%s (%" G_GINT64_FORMAT "%%)\n", cr,
       percent (reqs.milli_cpu, alloc->milli_cpu), cl,
       percent (limits.milli_cpu, alloc->milli_cpu));
    W (d, L1 "memory\t%s (%" G_GINT64_FORMAT "%%)\t%s (%" G_GINT64_FORMAT "%%)\n", mr,
       percent (reqs.memory, alloc->memory), ml, percent (limits.memory, alloc->memory));
    W (d, L1 "ephemeral-storage\t%s (%" G_GINT64_FORMAT "%%)\t%s (%" G_GINT64_FORMAT "%%)\n", er,
       percent (reqs.ephemeral_storage, alloc->ephemeral_storage), el,
       percent (limits.ephemeral_storage, alloc->ephemeral_storage));
  }
  /* Huge pages, then extended resources, by name. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < alloc->n_scalar; i++)
      {
        const char *name = alloc->scalar[i].name;
        gboolean huge = g_str_has_prefix (name, "hugepages-");
        gint64 r = ks_resources_get (&reqs, name), l = ks_resources_get (&limits, name);
        if ((pass == 0) != huge)
          continue;
        if (huge)
          {
            g_autofree char *rt = bytes_text (r);
            g_autofree char *lt = bytes_text (l);
            W (d, L1 "%s\t%s (%" G_GINT64_FORMAT "%%)\t%s (%" G_GINT64_FORMAT "%%)\n", name, rt,
               percent (r, alloc->scalar[i].value), lt, percent (l, alloc->scalar[i].value));
          }
        else
          W (d, L1 "%s\t%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT "\n", name, r, l);
      }
  ks_resources_clear (&reqs);
  ks_resources_clear (&limits);
}

static gint
compare_taints (gconstpointer a, gconstpointer b)
{
  const KsTaint *x = a, *y = b;
  g_autofree char *kx = g_strconcat (ks_taint_effect_name (x->effect), ",", x->key, NULL);
  g_autofree char *ky = g_strconcat (ks_taint_effect_name (y->effect), ",", y->key, NULL);

  return strcmp (kx, ky);
}

static void
describe_node (Describe *d, const KsObject *obj, JsonNode *json, gboolean show_events)
{
  const KsNode *node = KS_NODE (obj);
  g_autofree char *created = rfc1123z (obj->meta.creation_timestamp);
  g_autoptr (GPtrArray) roles = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) lease = NULL;
  g_autoptr (JsonNode) pod_list = NULL;
  g_autoptr (GPtrArray) pods = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_object_unref);
  g_autofree char *field = NULL;
  JsonArray *conditions = json_array_at (json, "status.conditions");
  JsonArray *addresses = json_array_at (json, "status.addresses");
  JsonArray *cidrs = json_array_at (json, "spec.podCIDRs");
  JsonObject *info = ks_json_get_object (json, "status.nodeInfo");

  W (d, "Name:\t%s\n", obj->meta.name);
  for (guint i = 0; i < ks_str_map_size (obj->meta.labels); i++)
    {
      const char *key = ks_str_map_key (obj->meta.labels, i);
      const char *value = ks_str_map_value (obj->meta.labels, i);
      if (g_str_has_prefix (key, "node-role.kubernetes.io/")
          && key[strlen ("node-role.kubernetes.io/")] != '\0')
        g_ptr_array_add (roles, (gpointer) (key + strlen ("node-role.kubernetes.io/")));
      else if (strcmp (key, "kubernetes.io/role") == 0 && value[0] != '\0')
        g_ptr_array_add (roles, (gpointer) value);
    }
  g_ptr_array_sort (roles, compare_strings);
  W (d, "Roles:\t");
  if (roles->len == 0)
    W (d, "<none>");
  for (guint i = 0; i < roles->len; i++)
    if (i == 0 || strcmp (roles->pdata[i], roles->pdata[i - 1]) != 0)
      W (d, "%s%s", i > 0 ? "," : "", (char *) roles->pdata[i]);
  W (d, "\n");
  labels_multiline (d, "Labels", obj->meta.labels);
  annotations_multiline (d, "Annotations", obj->meta.annotations);
  W (d, "CreationTimestamp:\t%s\n", created);
  W (d, "Taints:\t");
  if (node->n_taints == 0)
    W (d, "<none>\n");
  else
    {
      g_autofree KsTaint *sorted = g_memdup2 (node->taints, node->n_taints * sizeof (KsTaint));
      qsort (sorted, node->n_taints, sizeof (KsTaint), compare_taints);
      for (guint i = 0; i < node->n_taints; i++)
        {
          const char *effect = ks_taint_effect_name (sorted[i].effect);
          W (d, "%s%s", i > 0 ? "\t" : "", sorted[i].key);
          if (sorted[i].value[0] != '\0')
            W (d, "=%s", sorted[i].value);
          W (d, ":%s\n", effect);
        }
    }
  W (d, "Unschedulable:\t%s\n", node->unschedulable ? "true" : "false");
  lease
      = kc_get (d->k, ks_kind_get (KS_KIND_LEASE), KS_NODE_LEASE_NAMESPACE, obj->meta.name, &error);
  if (lease == NULL)
    {
      const KsRestStatus *s = ks_rest_error_get_status (error);
      W (d, "Lease:\tFailed to get lease: %s\n",
         s != NULL && s->message != NULL ? s->message : error->message);
    }
  else
    {
      g_autoptr (KsObject) l = kc_decode (lease, NULL);
      const KsLease *ls = l != NULL ? KS_LEASE (l) : NULL;
      W (d, "Lease:\n");
      W (d, L1 "HolderIdentity:\t%s\n",
         ls != NULL && ls->holder_identity != NULL ? ls->holder_identity : "<unset>");
      if (ls != NULL && ls->acquire_time != KS_TIME_NONE)
        {
          g_autofree char *t = rfc1123z (ls->acquire_time);
          W (d, L1 "AcquireTime:\t%s\n", t);
        }
      else
        W (d, L1 "AcquireTime:\t<unset>\n");
      if (ls != NULL && ls->renew_time != KS_TIME_NONE)
        {
          g_autofree char *t = rfc1123z (ls->renew_time);
          W (d, L1 "RenewTime:\t%s\n", t);
        }
      else
        W (d, L1 "RenewTime:\t<unset>\n");
    }
  if (conditions != NULL && json_array_get_length (conditions) > 0)
    {
      W (d,
         "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
      W (d, L1 "----\t------\t-----------------\t------------------\t------\t-------\n");
      for (guint i = 0; i < json_array_get_length (conditions); i++)
        {
          JsonNode *c = json_array_get_element (conditions, i);
          JsonObject *co = JSON_NODE_HOLDS_OBJECT (c) ? json_node_get_object (c) : NULL;
          gint64 hb = KS_TIME_NONE, tr = KS_TIME_NONE;
          g_autofree char *hbt = NULL;
          g_autofree char *trt = NULL;
          if (member_string (co, "lastHeartbeatTime") != NULL)
            ks_time_parse_rfc3339 (member_string (co, "lastHeartbeatTime"), 0, &hb);
          if (member_string (co, "lastTransitionTime") != NULL)
            ks_time_parse_rfc3339 (member_string (co, "lastTransitionTime"), 0, &tr);
          hbt = rfc1123z (hb);
          trt = rfc1123z (tr);
          W (d, L1 "%s \t%s \t%s \t%s \t%s \t%s\n",
             member_string (co, "type") ? member_string (co, "type") : "",
             member_string (co, "status") ? member_string (co, "status") : "", hbt, trt,
             member_string (co, "reason") ? member_string (co, "reason") : "",
             member_string (co, "message") ? member_string (co, "message") : "");
        }
    }
  W (d, "Addresses:\n");
  for (guint i = 0; addresses != NULL && i < json_array_get_length (addresses); i++)
    {
      JsonNode *a = json_array_get_element (addresses, i);
      JsonObject *ao = JSON_NODE_HOLDS_OBJECT (a) ? json_node_get_object (a) : NULL;
      W (d, L1 "%s:\t%s\n", member_string (ao, "type") ? member_string (ao, "type") : "",
         member_string (ao, "address") ? member_string (ao, "address") : "");
    }
  resource_list_lines (d, "Capacity", ks_json_get_object (json, "status.capacity"));
  resource_list_lines (d, "Allocatable", ks_json_get_object (json, "status.allocatable"));
  W (d, "System Info:\n");
  {
    static const struct
    {
      const char *label, *field;
    } fields[] = {
      { "Machine ID", "machineID" },
      { "System UUID", "systemUUID" },
      { "Boot ID", "bootID" },
      { "Kernel Version", "kernelVersion" },
      { "OS Image", "osImage" },
      { "Operating System", "operatingSystem" },
      { "Architecture", "architecture" },
      { "Container Runtime Version", "containerRuntimeVersion" },
      { "Kubelet Version", "kubeletVersion" },
      { "Kube-Proxy Version", "kubeProxyVersion" },
    };
    for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
      W (d, "  %s:\t%s\n", fields[i].label,
         member_string (info, fields[i].field) != NULL ? member_string (info, fields[i].field)
                                                       : "");
  }
  if (node->pod_cidr != NULL && node->pod_cidr[0] != '\0')
    W (d, "PodCIDR:\t%s\n", node->pod_cidr);
  if (cidrs != NULL && json_array_get_length (cidrs) > 0)
    {
      W (d, "PodCIDRs:\t");
      for (guint i = 0; i < json_array_get_length (cidrs); i++)
        {
          g_autofree char *c = scalar_text (json_array_get_element (cidrs, i));
          W (d, "%s%s", i > 0 ? "," : "", c);
        }
      W (d, "\n");
    }
  if (node->provider_id != NULL && node->provider_id[0] != '\0')
    W (d, "ProviderID:\t%s\n", node->provider_id);
  /* Its non-terminated pods, in every namespace. */
  field = g_strdup_printf ("spec.nodeName=%s,status.phase!=Succeeded,status.phase!=Failed",
                           obj->meta.name);
  g_clear_error (&error);
  pod_list = kc_list (d->k, ks_kind_get (KS_KIND_POD), NULL, NULL, field, &error);
  if (pod_list != NULL)
    {
      g_autoptr (GPtrArray) items = kc_list_items (pod_list, ks_kind_get (KS_KIND_POD));
      for (guint i = 0; i < items->len; i++)
        {
          KsObject *pod = kc_decode (g_ptr_array_index (items, i), NULL);
          if (pod != NULL)
            g_ptr_array_add (pods, pod);
        }
      describe_node_resources (d, node, pods);
    }
  else
    W (d, "Pods:\tnot authorized\n");
  if (show_events)
    {
      /* Events name a node by its UID or by its name (kubelets use the name). */
      char uid[KS_UID_STRING_LEN];
      g_autoptr (GPtrArray) events
          = search_events (d, obj, "Node", ks_uid_to_string (&obj->meta.uid, uid), "");
      g_autoptr (GPtrArray) by_name = search_events (d, obj, "Node", obj->meta.name, "");
      for (guint i = 0; i < by_name->len; i++)
        g_ptr_array_add (events, ks_object_ref (g_ptr_array_index (by_name, i)));
      describe_events (d, events);
    }
}

/* ---- services and endpoints ------------------------------------------------------------------ */

/* formatEndpointSlices for one port name, over the Service's Endpoints: the first three ready
 * "ip:port", then " + N more..."; "<none>" when there are no Endpoints. */
static char *
service_endpoints (const KsEndpoints *ep, const char *port_name)
{
  GString *out;
  guint listed = 0, count = 0;
  gboolean more = FALSE;

  if (ep == NULL)
    return g_strdup ("<none>");
  out = g_string_new (NULL);
  for (guint s = 0; s < ep->n_subsets; s++)
    for (guint p = 0; p < ep->subsets[s].n_ports; p++)
      {
        const KsEndpointPort *port = &ep->subsets[s].ports[p];
        if (g_strcmp0 (port->name != NULL ? port->name : "", port_name) != 0)
          continue;
        for (guint a = 0; a < ep->subsets[s].n_addresses; a++)
          {
            const char *ip = ep->subsets[s].addresses[a].ip;
            if (listed == 3)
              more = TRUE;
            if (!more)
              {
                g_string_append_printf (out, strchr (ip, ':') != NULL ? "%s[%s]:%d" : "%s%s:%d",
                                        listed > 0 ? "," : "", ip, port->port);
                listed++;
              }
            count++;
          }
      }
  if (more)
    g_string_append_printf (out, " + %u more...", count - 3);
  return g_string_free (out, FALSE);
}

static char *
json_string_list (JsonNode *json, const char *path, const char *sep)
{
  JsonArray *a = json_array_at (json, path);
  GString *out = g_string_new (NULL);

  for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
    {
      g_autofree char *v = scalar_text (json_array_get_element (a, i));
      g_string_append_printf (out, "%s%s", i > 0 ? sep : "", v);
    }
  return g_string_free (out, FALSE);
}

static void
describe_service (Describe *d, const KsObject *obj, JsonNode *json, gboolean show_events)
{
  const KsService *svc = KS_SERVICE (obj);
  g_autofree char *selector = ks_format_labels (svc->selector);
  g_autofree char *families = json_string_list (json, "spec.ipFamilies", ",");
  g_autofree char *ips = json_string_list (json, "spec.clusterIPs", ",");
  const char *policy = ks_json_get_string (json, "spec.ipFamilyPolicy");
  const char *internal = ks_json_get_string (json, "spec.internalTrafficPolicy");
  g_autoptr (JsonNode) ep_json = NULL;
  g_autoptr (KsObject) ep = NULL;

  ep_json
      = kc_get (d->k, ks_kind_get (KS_KIND_ENDPOINTS), obj->meta.namespace, obj->meta.name, NULL);
  if (ep_json != NULL)
    ep = kc_decode (ep_json, NULL);
  W (d, "Name:\t%s\n", obj->meta.name);
  W (d, "Namespace:\t%s\n", obj->meta.namespace);
  labels_multiline (d, "Labels", obj->meta.labels);
  annotations_multiline (d, "Annotations", obj->meta.annotations);
  W (d, "Selector:\t%s\n", selector);
  W (d, "Type:\t%s\n", ks_service_type_name (svc->type));
  if (policy != NULL)
    W (d, "IP Family Policy:\t%s\n", policy);
  W (d, "IP Families:\t%s\n", families[0] != '\0' ? families : "<none>");
  W (d, "IP:\t%s\n", svc->cluster_ip != NULL ? svc->cluster_ip : "");
  W (d, "IPs:\t%s\n", ips[0] != '\0' ? ips : "<none>");
  for (guint i = 0; i < svc->n_ports; i++)
    {
      const KsServicePort *p = &svc->ports[i];
      const char *name = p->name != NULL && p->name[0] != '\0' ? p->name : "<unset>";
      g_autofree char *endpoints = service_endpoints (ep != NULL ? KS_ENDPOINTS (ep) : NULL,
                                                      p->name != NULL ? p->name : "");
      W (d, "Port:\t%s\t%d/%s\n", name, p->port, p->protocol);
      if (p->target_port.name != NULL)
        W (d, "TargetPort:\t%s/%s\n", p->target_port.name, p->protocol);
      else
        W (d, "TargetPort:\t%d/%s\n", p->target_port.number, p->protocol);
      if (p->node_port != 0)
        W (d, "NodePort:\t%s\t%d/%s\n", name, p->node_port, p->protocol);
      W (d, "Endpoints:\t%s\n", endpoints);
    }
  W (d, "Session Affinity:\t%s\n",
     svc->session_affinity == KS_SESSION_AFFINITY_CLIENT_IP ? "ClientIP" : "None");
  if (svc->has_external_traffic_policy)
    W (d, "External Traffic Policy:\t%s\n", ks_traffic_policy_name (svc->external_traffic_policy));
  if (internal != NULL)
    W (d, "Internal Traffic Policy:\t%s\n", internal);
  if (svc->health_check_node_port != 0)
    W (d, "HealthCheck NodePort:\t%d\n", svc->health_check_node_port);
  events_of (d, obj, "Service", show_events);
}

static void
describe_endpoints (Describe *d, const KsObject *obj, JsonNode *json, gboolean show_events)
{
  const KsEndpoints *ep = KS_ENDPOINTS (obj);

  W (d, "Name:\t%s\n", obj->meta.name);
  W (d, "Namespace:\t%s\n", obj->meta.namespace);
  labels_multiline (d, "Labels", obj->meta.labels);
  annotations_multiline (d, "Annotations", obj->meta.annotations);
  W (d, "Subsets:\n");
  for (guint s = 0; s < ep->n_subsets; s++)
    {
      const KsEndpointSubset *ss = &ep->subsets[s];
      g_autoptr (GString) ready = g_string_new (NULL);
      g_autoptr (GString) not_ready = g_string_new (NULL);
      for (guint a = 0; a < ss->n_addresses; a++)
        g_string_append_printf (ready, "%s%s", a > 0 ? "," : "", ss->addresses[a].ip);
      for (guint a = 0; a < ss->n_not_ready_addresses; a++)
        g_string_append_printf (not_ready, "%s%s", a > 0 ? "," : "", ss->not_ready_addresses[a].ip);
      W (d, L1 "Addresses:\t%s\n", ready->len > 0 ? ready->str : "<none>");
      W (d, L1 "NotReadyAddresses:\t%s\n", not_ready->len > 0 ? not_ready->str : "<none>");
      if (ss->n_ports > 0)
        {
          W (d, L1 "Ports:\n");
          W (d, L2 "Name\tPort\tProtocol\n");
          W (d, L2 "----\t----\t--------\n");
          for (guint p = 0; p < ss->n_ports; p++)
            W (d, L2 "%s\t%d\t%s\n",
               ss->ports[p].name != NULL && ss->ports[p].name[0] != '\0' ? ss->ports[p].name
                                                                         : "<unset>",
               ss->ports[p].port, ss->ports[p].protocol);
        }
      W (d, "\n");
    }
  events_of (d, obj, "Endpoints", show_events);
}

static void
describe_namespace (Describe *d, const KsObject *obj, JsonNode *json, gboolean show_events)
{
  W (d, "Name:\t%s\n", obj->meta.name);
  labels_multiline (d, "Labels", obj->meta.labels);
  annotations_multiline (d, "Annotations", obj->meta.annotations);
  W (d, "Status:\t%s\n", KS_NAMESPACE (obj)->terminating ? "Terminating" : "Active");
  /* kubesim has no ResourceQuota or LimitRange kinds: kubectl leaves those sections out. */
}

/* ---- the generic describer ------------------------------------------------------------------- */

/* smartLabelFor: "creationTimestamp" → "Creation Timestamp", "apiVersion" → "API Version". */
static char *
smart_label (const char *field)
{
  static const char *const acronyms[] = { "API", "URL", "UID", "OSB", "GUID", NULL };
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  GString *out = g_string_new (NULL);
  const char *start = field;

  for (const char *p = field; *p != '\0'; p++)
    if (!g_ascii_isalpha (*p) && *p != '-')
      {
        g_string_assign (out, field);
        return g_string_free (out, FALSE);
      }
  /* camelcase.Split: a new part at a lower→upper change, and before the last upper of a run
   * followed by a lower ("HTTPGet" → "HTTP", "Get"). */
  for (const char *p = field + 1; *p != '\0'; p++)
    {
      gboolean split
          = (g_ascii_isupper (*p) && g_ascii_islower (p[-1]))
            || (g_ascii_isupper (p[-1]) && g_ascii_isupper (*p) && g_ascii_islower (p[1]))
            || ((*p == '-') != (p[-1] == '-'));
      if (split)
        {
          g_ptr_array_add (parts, g_strndup (start, p - start));
          start = p;
        }
    }
  g_ptr_array_add (parts, g_strdup (start));
  for (guint i = 0; i < parts->len; i++)
    {
      char *part = g_ptr_array_index (parts, i);
      g_autofree char *upper = g_ascii_strup (part, -1);
      if (out->len > 0)
        g_string_append_c (out, ' ');
      if (g_strv_contains (acronyms, upper))
        g_string_append (out, upper);
      else
        {
          part[0] = g_ascii_toupper (part[0]);
          g_string_append (out, part);
        }
    }
  return g_string_free (out, FALSE);
}

static const char *const generic_skip[]
    = { ".metadata.managedFields", ".metadata.name",        ".metadata.namespace",
        ".metadata.labels",        ".metadata.annotations", NULL };

static void
unstructured_content (Describe *d, guint level, JsonObject *content, const char *prefix)
{
  g_autoptr (GPtrArray) fields = g_ptr_array_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;
  g_autofree char *indent = g_strnfill (level * 2, ' ');

  json_object_iter_init (&iter, content);
  while (json_object_iter_next (&iter, &name, &value))
    g_ptr_array_add (fields, (gpointer) name);
  g_ptr_array_sort (fields, compare_strings);
  for (guint i = 0; i < fields->len; i++)
    {
      const char *field = g_ptr_array_index (fields, i);
      g_autofree char *skip = g_strconcat (prefix, ".", field, NULL);
      g_autofree char *label = smart_label (field);
      value = json_object_get_member (content, field);
      if (g_strv_contains (generic_skip, skip))
        continue;
      if (JSON_NODE_HOLDS_OBJECT (value))
        {
          W (d, "%s%s:\n", indent, label);
          unstructured_content (d, level + 1, json_node_get_object (value), skip);
        }
      else if (JSON_NODE_HOLDS_ARRAY (value))
        {
          JsonArray *a = json_node_get_array (value);
          W (d, "%s%s:\n", indent, label);
          for (guint j = 0; j < json_array_get_length (a); j++)
            {
              JsonNode *e = json_array_get_element (a, j);
              if (JSON_NODE_HOLDS_OBJECT (e))
                unstructured_content (d, level + 1, json_node_get_object (e), skip);
              else
                {
                  g_autofree char *v = scalar_text (e);
                  W (d, "%s  %s\n", indent, v);
                }
            }
        }
      else
        {
          g_autofree char *v = scalar_text (value);
          W (d, "%s%s:\t%s\n", indent, label, v);
        }
    }
}

static void
describe_generic (Describe *d, const KsObject *obj, JsonNode *json, gboolean show_events)
{
  W (d, "Name:\t%s\n", obj->meta.name);
  W (d, "Namespace:\t%s\n", obj->meta.namespace != NULL ? obj->meta.namespace : "");
  labels_multiline (d, "Labels", obj->meta.labels);
  annotations_multiline (d, "Annotations", obj->meta.annotations);
  unstructured_content (d, 0, json_node_get_object (json), "");
  events_of (d, obj, obj->kind->name, show_events);
}

/* ---- the command ----------------------------------------------------------------------------- */

typedef void (*Describer) (Describe *d, const KsObject *obj, JsonNode *json, gboolean show_events);

static Describer
describer_for (const KsKind *kind)
{
  switch (kind->id)
    {
    case KS_KIND_POD:
      return describe_pod;
    case KS_KIND_DEPLOYMENT:
      return describe_deployment;
    case KS_KIND_REPLICA_SET:
      return describe_replica_set;
    case KS_KIND_JOB:
      return describe_job;
    case KS_KIND_NODE:
      return describe_node;
    case KS_KIND_SERVICE:
      return describe_service;
    case KS_KIND_ENDPOINTS:
      return describe_endpoints;
    case KS_KIND_NAMESPACE:
      return describe_namespace;
    default:
      return describe_generic;
    }
}

/* Describe one object into out; FALSE after printing the error. */
static gboolean
describe_one (KsKubectl *k, JsonNode *json, gboolean show_events, GString *out)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsObject) obj = kc_decode (json, &error);
  Describe d = { k, NULL, kc_now (k) };

  if (obj == NULL)
    {
      kc_print_error (k, error);
      return FALSE;
    }
  d.w = ks_tab_writer_new (out);
  describer_for (obj->kind) (&d, obj, json, show_events);
  ks_tab_writer_free (d.w);
  return TRUE;
}

int
ks_kubectl_describe (KsKubectl *k, const KsDescribeOptions *o)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  gboolean single = FALSE, all_namespaced = TRUE, first = TRUE;
  int status = KS_KUBECTL_OK;
  GArray *requests;

  if (o->args == NULL || o->args[0] == NULL)
    {
      kc_err (k, "You must specify the type of resource to describe. Use \"kubesim describe "
                 "pods\", \"kubesim describe deployment web\", ...\n");
      return kc_usage (k, "Required resource not specified.");
    }
  requests = kc_parse_args (o->args, &single, &error);
  if (requests == NULL)
    return kc_usage (k, "%s", error->message);
  for (guint i = 0; i < requests->len; i++)
    {
      KcRequest *r = &g_array_index (requests, KcRequest, i);
      const char *ns = o->all_namespaces ? NULL : kc_namespace_for (k, r->kind);
      g_autoptr (GError) local = NULL;
      g_autoptr (JsonNode) answer = NULL;

      if (!r->kind->namespaced || o->all_namespaces)
        all_namespaced = FALSE;
      if (r->name != NULL && o->selector != NULL)
        {
          kc_requests_free (requests);
          return kc_usage (k, "name cannot be provided when a selector is specified");
        }
      if (r->name != NULL)
        {
          answer = kc_get (k, r->kind, ns, r->name, &local);
          if (answer != NULL)
            {
              g_ptr_array_add (objects, g_steal_pointer (&answer));
              continue;
            }
          if (!ks_rest_error_has_reason (local, "NotFound"))
            {
              kc_print_error (k, local);
              status = KS_KUBECTL_FAILED;
              continue;
            }
          {
            /* kubectl describe TYPE NAME_PREFIX: the objects whose names start with it. */
            g_autoptr (JsonNode) list = kc_list (k, r->kind, ns, NULL, NULL, NULL);
            g_autoptr (GPtrArray) items = list != NULL ? kc_list_items (list, r->kind) : NULL;
            guint matched = 0;
            for (guint j = 0; items != NULL && j < items->len; j++)
              {
                JsonNode *item = g_ptr_array_index (items, j);
                const char *name = ks_json_get_string (item, "metadata.name");
                if (name != NULL && g_str_has_prefix (name, r->name))
                  {
                    g_ptr_array_add (objects, json_node_copy (item));
                    matched++;
                  }
              }
            if (matched == 0)
              {
                kc_print_error (k, local);
                status = KS_KUBECTL_FAILED;
              }
          }
          continue;
        }
      answer = kc_list (k, r->kind, ns, o->selector, NULL, &local);
      if (answer == NULL)
        {
          kc_print_error (k, local);
          status = KS_KUBECTL_FAILED;
          continue;
        }
      {
        g_autoptr (GPtrArray) items = kc_list_items (answer, r->kind);
        for (guint j = 0; j < items->len; j++)
          g_ptr_array_add (objects, json_node_copy (g_ptr_array_index (items, j)));
      }
    }
  kc_requests_free (requests);
  for (guint i = 0; i < objects->len; i++)
    {
      g_autoptr (GString) text = g_string_new (first ? "" : "\n\n");
      if (!describe_one (k, g_ptr_array_index (objects, i), o->show_events, text))
        {
          status = KS_KUBECTL_FAILED;
          continue;
        }
      kc_out_text (k, text->str, text->len);
      first = FALSE;
    }
  if (objects->len == 0 && status == KS_KUBECTL_OK)
    {
      if (all_namespaced)
        kc_err (k, "No resources found in %s namespace.\n", k->namespace);
      else
        kc_err (k, "No resources found\n");
    }
  return status;
}
