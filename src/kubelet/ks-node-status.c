/* ks-node-status.c: the kubelet's node registration and status heartbeats
 * (pkg/kubelet/kubelet_node_status.go and nodestatus/setters.go, for the conditions kubesim
 * models). */
#include "config.h"

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
  gboolean registered;
  guint64 task;
  guint64 n_posts;
};

/* The conditions the kubelet sets, in its order, with the event of a change to that status. */
static const struct
{
  KsNodeConditionType type;
  KsConditionStatus status;
  const char *reason;
  const char *message;
  const char *event;
} healthy[] = {
  { KS_NODE_COND_MEMORY_PRESSURE, KS_CONDITION_FALSE, "KubeletHasSufficientMemory",
    "kubelet has sufficient memory available", "NodeHasSufficientMemory" },
  { KS_NODE_COND_DISK_PRESSURE, KS_CONDITION_FALSE, "KubeletHasNoDiskPressure",
    "kubelet has no disk pressure", "NodeHasNoDiskPressure" },
  { KS_NODE_COND_PID_PRESSURE, KS_CONDITION_FALSE, "KubeletHasSufficientPID",
    "kubelet has sufficient PID available", "NodeHasSufficientPID" },
  { KS_NODE_COND_READY, KS_CONDITION_TRUE, "KubeletReady", "kubelet is posting ready status",
    "NodeReady" },
};

void
ks_node_status_options_init (KsNodeStatusOptions *options)
{
  options->update_frequency = KS_NODE_STATUS_UPDATE_FREQUENCY;
}

/* Set the conditions with lastHeartbeatTime = now; returns a bit per entry of healthy[] whose
 * status changed. */
static guint
set_conditions (KsNode *node, gint64 now)
{
  guint changed = 0;

  for (guint i = 0; i < G_N_ELEMENTS (healthy); i++)
    {
      if (node->conditions[healthy[i].type].status != healthy[i].status)
        changed |= 1u << i;
      ks_node_set_condition (node, healthy[i].type, healthy[i].status, healthy[i].reason,
                             healthy[i].message, now);
    }
  return changed;
}

static void
record_changes (KsNodeStatus *s, const KsObject *node, guint changed)
{
  for (guint i = 0; i < G_N_ELEMENTS (healthy); i++)
    if (changed & (1u << i))
      ks_event_record (&s->events, node, FALSE, healthy[i].event, node->meta.name,
                       "Node %s status is now: %s", node->meta.name, healthy[i].event);
}

/* Create the Node.  FALSE with error; ALREADY_EXISTS means someone else did. */
static gboolean
register_node (KsNodeStatus *s, gint64 now, GError **error)
{
  KsNode *node = ks_node_copy (s->registration);
  guint changed = set_conditions (node, now);
  KsObject *created = ks_client_create (s->client, KS_OBJECT (node), error);

  ks_object_unref (KS_OBJECT (node));
  if (created == NULL)
    return FALSE;
  s->registered = TRUE;
  record_changes (s, created, changed);
  ks_object_unref (created);
  return TRUE;
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
      s->registered = TRUE;
      copy = ks_node_copy (KS_NODE (existing));
      changed = set_conditions (copy, now);
      updated = ks_client_update_status (s->client, KS_OBJECT (copy), &local);
      ks_object_unref (KS_OBJECT (copy));
      if (updated != NULL)
        {
          record_changes (s, updated, changed);
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
  g_free (s);
}

guint64
ks_node_status_get_n_posts (KsNodeStatus *s)
{
  return s->n_posts;
}
