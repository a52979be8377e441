/* ks-node-status.c: the kubelet's node registration and status heartbeats
 * (pkg/kubelet/kubelet_node_status.go and nodestatus/setters.go, for the conditions kubesim
 * models). */
#include "config.h"

#include <string.h>

#include "ks-node-status.h"

/* nodeStatusUpdateRetry */
#define UPDATE_RETRY 5

struct _KsNodeStatus
{
  KsClient *client;
  KsClock *clock;
  KsEventRecorder events;
  KsNode *registration;
  KsNodeStatusOptions options;
  char *network_error; /* NULL: the runtime's network is ready */
  gboolean memory_pressure;
  gboolean registered;
  guint64 task;
  guint64 n_posts;
};

typedef struct
{
  KsNodeConditionType type;
  KsConditionStatus status;
  const char *reason;
  const char *message;
  const char *event; /* recorded when the condition changes to this status */
} Condition;

/* The conditions the kubelet sets, in its order, with the event of a change to that status. */
static const Condition healthy[] = {
  { KS_NODE_COND_MEMORY_PRESSURE, KS_CONDITION_FALSE, "KubeletHasSufficientMemory",
    "kubelet has sufficient memory available", "NodeHasSufficientMemory" },
  { KS_NODE_COND_DISK_PRESSURE, KS_CONDITION_FALSE, "KubeletHasNoDiskPressure",
    "kubelet has no disk pressure", "NodeHasNoDiskPressure" },
  { KS_NODE_COND_PID_PRESSURE, KS_CONDITION_FALSE, "KubeletHasSufficientPID",
    "kubelet has sufficient PID available", "NodeHasSufficientPID" },
  { KS_NODE_COND_READY, KS_CONDITION_TRUE, "KubeletReady", "kubelet is posting ready status",
    "NodeReady" },
};
#define READY_INDEX 3

void
ks_node_status_options_init (KsNodeStatusOptions *options)
{
  options->update_frequency = KS_NODE_STATUS_UPDATE_FREQUENCY;
}

/* The conditions of this post: healthy[], with Ready False while the network is not ready.
 * Fills out (G_N_ELEMENTS (healthy) entries); the message of a not-ready Ready is in *message
 * (owned by the caller). */
static void
current_conditions (KsNodeStatus *s, Condition *out, char **message)
{
  memcpy (out, healthy, sizeof healthy);
  *message = NULL;
  if (s->memory_pressure)
    {
      /* MemoryPressureCondition (nodestatus/setters.go): the eviction manager's answer. */
      out[0].status = KS_CONDITION_TRUE;
      out[0].reason = "KubeletHasInsufficientMemory";
      out[0].message = "kubelet has insufficient memory available";
      out[0].event = "NodeHasInsufficientMemory";
    }
  if (s->network_error != NULL)
    {
      /* ReadyCondition (nodestatus/setters.go): the runtime's errors, joined. */
      *message = g_strconcat ("container runtime network not ready: ", s->network_error, NULL);
      out[READY_INDEX].status = KS_CONDITION_FALSE;
      out[READY_INDEX].reason = "KubeletNotReady";
      out[READY_INDEX].message = *message;
      out[READY_INDEX].event = "NodeNotReady";
    }
}

/* Set the conditions with lastHeartbeatTime = now; returns a bit per entry of conditions whose
 * status changed. */
static guint
set_conditions (KsNode *node, const Condition *conditions, gint64 now)
{
  guint changed = 0;

  for (guint i = 0; i < G_N_ELEMENTS (healthy); i++)
    {
      if (node->conditions[conditions[i].type].status != conditions[i].status)
        changed |= 1u << i;
      ks_node_set_condition (node, conditions[i].type, conditions[i].status, conditions[i].reason,
                             conditions[i].message, now);
    }
  return changed;
}

/* The other status fields the kubelet's setters write on every post (MachineInfo, NodeAddress,
 * DaemonEndpoints, VersionInfo): those the registration has. */
static void
set_node_status (KsNode *node, const KsNode *reg)
{
  if (!ks_resources_is_zero (&reg->capacity))
    {
      ks_resources_copy (&node->capacity, &reg->capacity);
      ks_resources_copy (&node->allocatable, ks_resources_is_zero (&reg->allocatable)
                                                 ? &reg->capacity
                                                 : &reg->allocatable);
    }
  if (reg->internal_ip != NULL && g_strcmp0 (node->internal_ip, reg->internal_ip) != 0)
    {
      g_free (node->internal_ip);
      node->internal_ip = g_strdup (reg->internal_ip);
    }
  if (reg->hostname != NULL && g_strcmp0 (node->hostname, reg->hostname) != 0)
    {
      g_free (node->hostname);
      node->hostname = g_strdup (reg->hostname);
    }
  if (reg->node_info != NULL)
    {
      ks_node_system_info_free (node->node_info);
      node->node_info = ks_node_system_info_copy (reg->node_info);
    }
  if (reg->kubelet_port != 0)
    node->kubelet_port = reg->kubelet_port;
}

static void
record_changes (KsNodeStatus *s, const KsObject *node, const Condition *conditions, guint changed)
{
  for (guint i = 0; i < G_N_ELEMENTS (healthy); i++)
    if (changed & (1u << i))
      ks_event_record (&s->events, node, FALSE, conditions[i].event, node->meta.name,
                       "Node %s status is now: %s", node->meta.name, conditions[i].event);
}

/* Create the Node.  FALSE with error; ALREADY_EXISTS means someone else did. */
static gboolean
register_node (KsNodeStatus *s, gint64 now, GError **error)
{
  KsNode *node = ks_node_copy (s->registration);
  Condition conditions[G_N_ELEMENTS (healthy)];
  g_autofree char *message = NULL;
  guint changed;
  KsObject *created;

  current_conditions (s, conditions, &message);
  changed = set_conditions (node, conditions, now);
  created = ks_client_create (s->client, KS_OBJECT (node), error);
  ks_object_unref (KS_OBJECT (node));
  if (created == NULL)
    return FALSE;
  s->registered = TRUE;
  record_changes (s, created, conditions, changed);
  ks_object_unref (created);
  return TRUE;
}

/* A Node that exists when the updater first finds it (an agent that starts again): set the
 * registration's labels where they differ (updateDefaultLabels).  Returns the Node to post on (a
 * new reference): the updated one, or existing when nothing changed or the update failed (it is
 * logged; the status is still posted). */
static KsObject *
reconcile_labels (KsNodeStatus *s, KsObject *existing)
{
  const KsStrMap *want = KS_OBJECT (s->registration)->meta.labels;
  g_autoptr (KsStrMap) labels = NULL;
  g_autoptr (GError) error = NULL;
  KsObject *copy, *updated;

  if (ks_str_map_is_subset (want, existing->meta.labels))
    return ks_object_ref (existing);
  labels = existing->meta.labels != NULL ? ks_str_map_ref (existing->meta.labels) : NULL;
  for (guint i = 0; i < ks_str_map_size (want); i++)
    {
      KsStrMap *more
          = ks_str_map_with (labels, ks_str_map_key (want, i), ks_str_map_value (want, i));
      g_clear_pointer (&labels, ks_str_map_unref);
      labels = more;
    }
  copy = ks_object_copy (existing);
  ks_object_set_labels (copy, labels);
  updated = ks_client_update (s->client, copy, &error);
  ks_object_unref (copy);
  if (updated == NULL)
    {
      g_message ("node %s: cannot set its labels: %s", existing->meta.name, error->message);
      return ks_object_ref (existing);
    }
  return updated;
}

gboolean
ks_node_status_sync (KsNodeStatus *s, GError **error)
{
  const char *name;
  gint64 now;
  g_autoptr (GError) local = NULL;

  g_return_val_if_fail (s != NULL, FALSE);
  name = KS_OBJECT (s->registration)->meta.name;
  now = ks_clock_now (s->clock);
  for (guint attempt = 0; attempt < UPDATE_RETRY; attempt++)
    {
      g_autoptr (KsObject) existing = NULL;
      Condition conditions[G_N_ELEMENTS (healthy)];
      g_autofree char *message = NULL;
      KsObject *updated;
      KsNode *copy;
      guint changed;

      g_clear_error (&local);
      existing = ks_client_get (s->client, ks_kind_get (KS_KIND_NODE), NULL, name, &local);
      if (existing == NULL)
        {
          if (s->registered || !g_error_matches (local, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
            break;
          g_clear_error (&local);
          if (register_node (s, now, &local))
            {
              s->n_posts++;
              return TRUE;
            }
          if (g_error_matches (local, KS_STORE_ERROR, KS_STORE_ERROR_ALREADY_EXISTS))
            continue;
          break;
        }
      if (!s->registered)
        {
          KsObject *reconciled = reconcile_labels (s, existing);
          ks_object_unref (existing);
          existing = reconciled;
        }
      s->registered = TRUE;
      copy = ks_node_copy (KS_NODE (existing));
      current_conditions (s, conditions, &message);
      changed = set_conditions (copy, conditions, now);
      set_node_status (copy, s->registration);
      updated = ks_client_update_status (s->client, KS_OBJECT (copy), &local);
      ks_object_unref (KS_OBJECT (copy));
      if (updated != NULL)
        {
          record_changes (s, updated, conditions, changed);
          ks_object_unref (updated);
          s->n_posts++;
          return TRUE;
        }
      if (!g_error_matches (local, KS_STORE_ERROR, KS_STORE_ERROR_CONFLICT))
        break;
    }
  g_propagate_prefixed_error (error, g_steal_pointer (&local),
                              "node %s: cannot post its status: ", name);
  return FALSE;
}

static void
tick (gpointer data)
{
  KsNodeStatus *s = data;
  g_autoptr (GError) error = NULL;

  s->task = 0;
  if (!ks_node_status_sync (s, &error))
    g_message ("%s; will retry", error->message);
  s->task = ks_clock_schedule_in (s->clock, s->options.update_frequency, tick, s, NULL);
}

KsNodeStatus *
ks_node_status_new (KsClient *client, KsClock *clock, KsEventSink *events, const KsNode *node,
                    const KsNodeStatusOptions *options)
{
  KsNodeStatus *s;

  g_return_val_if_fail (node != NULL && KS_OBJECT (node)->meta.name != NULL, NULL);
  g_return_val_if_fail (options == NULL || options->update_frequency > 0, NULL);
  s = g_new0 (KsNodeStatus, 1);
  s->client = client;
  s->clock = clock;
  ks_event_recorder_init (&s->events, events, clock, "kubelet");
  s->registration = ks_node_copy (node);
  if (options != NULL)
    s->options = *options;
  else
    ks_node_status_options_init (&s->options);
  s->task = ks_clock_schedule (clock, ks_clock_now (clock), tick, s, NULL);
  return s;
}

void
ks_node_status_free (KsNodeStatus *s)
{
  if (s == NULL)
    return;
  ks_clock_cancel (s->clock, s->task);
  ks_object_unref (KS_OBJECT (s->registration));
  g_free (s->network_error);
  g_free (s);
}

void
ks_node_status_set_network_error (KsNodeStatus *s, const char *error)
{
  g_return_if_fail (s != NULL);
  if (g_strcmp0 (s->network_error, error) == 0)
    return;
  g_free (s->network_error);
  s->network_error = g_strdup (error);
  ks_clock_cancel (s->clock, s->task);
  s->task = ks_clock_schedule (s->clock, ks_clock_now (s->clock), tick, s, NULL);
}

guint64
ks_node_status_get_n_posts (KsNodeStatus *s)
{
  return s->n_posts;
}

void
ks_node_status_set_memory_pressure (KsNodeStatus *s, gboolean pressure)
{
  g_return_if_fail (s != NULL);
  if (s->memory_pressure == pressure)
    return;
  s->memory_pressure = pressure;
  ks_clock_cancel (s->clock, s->task);
  s->task = ks_clock_schedule (s->clock, ks_clock_now (s->clock), tick, s, NULL);
}
