/* ks-node-lifecycle-controller.c: the node lifecycle controller (pkg/controller/nodelifecycle,
 * reference §5.1).
 *
 * Every --node-monitor-period (5 s) a monitor pass looks at every node.  The controller keeps,
 * per node, the time it last saw a new heartbeat (its "probe timestamp": its own clock, not the
 * node's timestamps); a node that has shown none for the grace period (50 s, or 60 s while it has
 * never had a Ready condition) gets its Ready, MemoryPressure, DiskPressure and PIDPressure
 * conditions set to Unknown.  When Ready leaves True the controller records NodeNotReady and
 * marks the node's pods not ready.  From the Ready condition seen at the start of a pass, a node
 * that is not ready or unreachable is put in its zone's queue for a NoExecute taint
 * (node.kubernetes.io/not-ready or unreachable); the queues are worked every 100 ms under a token
 * bucket per zone (burst 1, --node-eviction-rate 0.1 nodes/s), whose rate follows the zone's
 * state (Normal, PartialDisruption, FullDisruption); when every zone is fully disrupted the
 * controller stops tainting and removes the NoExecute taints.  A ready node loses them.
 * Separately, every node change runs the taint-by-condition pass, which keeps the NoSchedule
 * taints in step with the conditions and spec.unschedulable.
 *
 * The heartbeat is the Ready condition's lastHeartbeatTime.  Kubernetes also takes the renewal
 * of the node's Lease (kube-node-lease/<node>): see update_probe_timestamp, the one place a
 * Lease's renewTime would be compared.
 *
 * Deterministic where Kubernetes runs goroutines: nodes are processed in name order, zones in
 * key order, the zone queues keep arrival order among equal times, and a monitor pass due at the
 * same instant as a tainting pass runs first. */
#include "config.h"

#include <string.h>

#include "ks-controller-private.h"
#include "src/api/ks-event.h"
#include "src/api/ks-node.h"

/* scheduler.NodeEvictionPeriod */
#define NODE_EVICTION_PERIOD (100 * KS_USEC_PER_MSEC)
/* The monitor pass retries a node whose status update failed (NodeHealthUpdateRetry). */
#define NODE_HEALTH_UPDATE_RETRY 5

#define TAINT_NOT_READY "node.kubernetes.io/not-ready"
#define TAINT_UNREACHABLE "node.kubernetes.io/unreachable"
#define TAINT_UNSCHEDULABLE "node.kubernetes.io/unschedulable"
#define LABEL_EXCLUDE_DISRUPTION "node.kubernetes.io/exclude-disruption"

typedef enum
{
  ZONE_INITIAL,
  ZONE_NORMAL,
  ZONE_FULL_DISRUPTION,
  ZONE_PARTIAL_DISRUPTION,
} ZoneState;

static const char *const zone_state_names[]
    = { "Initial", "Normal", "FullDisruption", "PartialDisruption" };

/* flowcontrol's token bucket over golang.org/x/time/rate with burst 1, or (qps 0) the limiter
 * that never accepts.  Tokens are float64 and the rate is the float32 flag widened, as in Go: at
 * 0.01 a token takes a little more than 100 s (100 s give 0.99999997765 of one). */
typedef struct
{
  float qps;
  double tokens;
  gint64 last;
} Limiter;

typedef struct
{
  char *name;
  gint64 process_at;
  guint64 seq;
} TimedValue;

/* scheduler.RateLimitedTimedQueue: a queue of node names by (processAt, arrival) whose set
 * remembers names taken off the queue until they are explicitly removed, and a limiter. */
typedef struct
{
  GPtrArray *queue; /* TimedValue*, sorted */
  GHashTable *set;  /* names */
  Limiter limiter;
} Tainter;

/* nodeHealthData: when the controller last saw a heartbeat, and the Ready condition it saw. */
typedef struct
{
  gint64 probe_timestamp;
  gint64 ready_transition_timestamp;
  gboolean has_ready;
  KsConditionStatus ready_status;
  gint64 ready_heartbeat;
  gint64 ready_transition;
  gboolean has_lease; /* a Lease of the node was seen ... */
  gint64 lease_renew; /* ... with this renewTime */
} NodeHealth;

/* A Ready condition as observed (without its strings' ownership). */
typedef struct
{
  KsConditionStatus status;
  gint64 last_heartbeat_time;
  gint64 last_transition_time;
  const char *reason;
  const char *message;
} Observed;

typedef struct
{
  gint ready;
  gint not_ready;
} ZoneCount;

/* A node's zone key and the labels it was computed from (the monitor pass asks for it several
 * times per node every 5 s; labels are shared, so an unchanged node has the same map). */
typedef struct
{
  KsStrMap *labels;
  char *zone;
} ZoneOf;

struct _KsNodeLifecycleController
{
  KsController c;        /* the taint-by-condition pass, by node name (nodeUpdateQueue) */
  KsWorkQueue *pod_work; /* pods newly bound to a node (podUpdateQueue) */
  KsControllerOptions opts;
  KsPodIndex *pods;
  GHashTable *known;  /* name → KsNode (knownNodeSet) */
  GHashTable *health; /* name → NodeHealth */
  GTree *zone_states; /* zone key → ZoneState + 1 */
  GTree *tainters;    /* zone key → Tainter (zoneNoExecuteTainter) */
  GHashTable *retry;  /* names of nodes whose pods are still to be marked not ready */
  GHashTable *zones;  /* name → ZoneOf: each node's zone key, kept while its labels stay */
  guint64 seq;
  guint64 monitor_task;
  guint64 pass_task;
  gint64 origin;    /* the tainting passes fall on origin + k × 100 ms */
  gint64 last_pass; /* time of the last tainting pass */
};

typedef KsNodeLifecycleController Nlc;

/* ---- limiter and queues ------------------------------------------------------------------- */

static void
limiter_init (Limiter *l, float qps, gint64 now)
{
  /* A new bucket is full. */
  *l = (Limiter){ .qps = qps > 0 ? qps : 0, .tokens = 1, .last = now };
}

/* time.Duration.Seconds of a span given in µs. */
static double
go_seconds (gint64 usec)
{
  gint64 ns = usec * 1000;
  return (double) (ns / 1000000000) + (double) (ns % 1000000000) / 1e9;
}

/* Limiter.AllowN (now, 1). */
static gboolean
limiter_try_accept (Limiter *l, gint64 now)
{
  double limit = (double) l->qps;
  gint64 last = l->last;
  double tokens;

  if (l->qps <= 0)
    return FALSE;
  if (now < last)
    last = now;
  tokens = l->tokens + go_seconds (now - last) * limit;
  if (tokens > 1)
    tokens = 1;
  tokens -= 1;
  /* A shortfall shorter than a nanosecond's worth of tokens is no wait (durationFromTokens
   * truncates to whole nanoseconds). */
  if (tokens < 0 && (gint64) (1e9 * (-tokens / limit)) > 0)
    return FALSE;
  l->last = now;
  l->tokens = tokens;
  return TRUE;
}

static void
timed_value_free (gpointer p)
{
  TimedValue *v = p;
  g_free (v->name);
  g_free (v);
}

static Tainter *
tainter_new (float qps, gint64 now)
{
  Tainter *t = g_new0 (Tainter, 1);

  t->queue = g_ptr_array_new_with_free_func (timed_value_free);
  t->set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  limiter_init (&t->limiter, qps, now);
  return t;
}

static void
tainter_free (gpointer p)
{
  Tainter *t = p;
  g_ptr_array_unref (t->queue);
  g_hash_table_unref (t->set);
  g_free (t);
}

static void
tainter_insert (Tainter *t, TimedValue *v)
{
  guint i = t->queue->len;

  while (i > 0)
    {
      const TimedValue *p = g_ptr_array_index (t->queue, i - 1);
      if (p->process_at < v->process_at || (p->process_at == v->process_at && p->seq < v->seq))
        break;
      i--;
    }
  g_ptr_array_insert (t->queue, i, v);
}

static gint
tainter_find (Tainter *t, const char *name)
{
  for (guint i = 0; i < t->queue->len; i++)
    if (strcmp (((TimedValue *) g_ptr_array_index (t->queue, i))->name, name) == 0)
      return (gint) i;
  return -1;
}

/* UniqueQueue.Add: TRUE when name was not in the set. */
static gboolean
tainter_add (Nlc *nc, Tainter *t, const char *name, gint64 now)
{
  TimedValue *v;

  if (g_hash_table_contains (t->set, name))
    return FALSE;
  v = g_new (TimedValue, 1);
  *v = (TimedValue){ g_strdup (name), now, nc->seq++ };
  tainter_insert (t, v);
  g_hash_table_add (t->set, g_strdup (name));
  return TRUE;
}

/* UniqueQueue.Remove: off the queue and out of the set, so it can be added again. */
static gboolean
tainter_remove (Tainter *t, const char *name)
{
  gint i;

  if (!g_hash_table_remove (t->set, name))
    return FALSE;
  if ((i = tainter_find (t, name)) >= 0)
    g_ptr_array_remove_index (t->queue, i);
  return TRUE;
}

/* RateLimitedTimedQueue.SwapLimiter: a new bucket for a new rate, empty if the old one was. */
static void
tainter_swap_limiter (Tainter *t, float qps, gint64 now)
{
  Limiter fresh;

  if (t->limiter.qps == (qps > 0 ? qps : 0))
    return;
  limiter_init (&fresh, qps, now);
  if (qps > 0 && !limiter_try_accept (&t->limiter, now))
    limiter_try_accept (&fresh, now);
  t->limiter = fresh;
}

/* ---- helpers ------------------------------------------------------------------------------ */

/* nodetopology.GetZoneKey: region and zone from the beta or GA labels; "" when neither. */
static char *
zone_key (const KsNode *node)
{
  const KsObject *obj = KS_OBJECT (node);
  const char *zone = ks_object_get_label (obj, "failure-domain.beta.kubernetes.io/zone");
  const char *region = ks_object_get_label (obj, "failure-domain.beta.kubernetes.io/region");

  if (zone == NULL)
    zone = ks_object_get_label (obj, "topology.kubernetes.io/zone");
  if (region == NULL)
    region = ks_object_get_label (obj, "topology.kubernetes.io/region");
  if ((region == NULL || region[0] == '\0') && (zone == NULL || zone[0] == '\0'))
    return g_strdup ("");
  /* Kubernetes joins them with ":\0:"; a label value cannot hold \x1f either. */
  return g_strdup_printf ("%s:\x1f:%s", region != NULL ? region : "", zone != NULL ? zone : "");
}

static gint
tree_key_compare (gconstpointer a, gconstpointer b, gpointer unused)
{
  return strcmp (a, b);
}

static gboolean
has_taint (const KsNode *node, const char *key, KsTaintEffect effect)
{
  for (guint i = 0; i < node->n_taints; i++)
    if (node->taints[i].effect == effect && strcmp (node->taints[i].key, key) == 0)
      return TRUE;
  return FALSE;
}

static KsNode *
get_node (Nlc *nc, const char *name, GError **error)
{
  return KS_NODE (ks_client_get (nc->c.client, ks_kind_get (KS_KIND_NODE), NULL, name, error));
}

typedef struct
{
  const char *key;
  KsTaintEffect effect;
} TaintRef;

/* controller.AddOrUpdateTaintOnNode then RemoveTaintOffNode, in one update of the newest node
 * (so the not-ready and unreachable taints replace each other at once).  Added taints carry
 * timeAdded = now (SwapNodeControllerTaint sets it on every taint it adds); a taint of the same
 * key and effect is replaced unless equal.  TRUE when the node is as asked. */
static gboolean
swap_node_taints (Nlc *nc, const char *name, const TaintRef *add, guint n_add,
                  const TaintRef *remove, guint n_remove)
{
  gint64 now = ks_clock_now (nc->c.clock);
  g_autoptr (GError) error = NULL;
  g_autoptr (KsNode) current = get_node (nc, name, &error);
  KsNode *copy;
  KsObject *updated;
  gboolean changed = FALSE;

  if (current == NULL)
    {
      g_debug ("node %s: cannot change taints: %s", name, error->message);
      return FALSE;
    }
  copy = ks_node_copy (current);
  for (guint i = 0; i < n_add; i++)
    {
      gboolean found = FALSE;
      for (guint j = 0; j < copy->n_taints; j++)
        {
          KsTaint *t = &copy->taints[j];
          if (t->effect != add[i].effect || strcmp (t->key, add[i].key) != 0)
            continue;
          found = TRUE;
          if (t->value[0] != '\0' || t->time_added != now)
            {
              g_free (t->value);
              t->value = g_strdup ("");
              t->time_added = now;
              changed = TRUE;
            }
        }
      if (!found)
        {
          ks_node_add_taint (copy, add[i].key, NULL, add[i].effect, now);
          copy->taints[copy->n_taints - 1].time_added = now;
          changed = TRUE;
        }
    }
  for (guint i = 0; i < n_remove; i++)
    if (has_taint (copy, remove[i].key, remove[i].effect))
      {
        ks_node_remove_taint (copy, remove[i].key, remove[i].effect);
        changed = TRUE;
      }
  if (!changed)
    {
      ks_object_unref (KS_OBJECT (copy));
      return TRUE;
    }
  updated = ks_client_update (nc->c.client, KS_OBJECT (copy), &error);
  ks_object_unref (KS_OBJECT (copy));
  if (updated == NULL)
    {
      g_debug ("node %s: cannot change taints: %s", name, error->message);
      return FALSE;
    }
  ks_object_unref (updated);
  return TRUE;
}

/* ---- the zone queues and their pass ------------------------------------------------------- */

static void no_execute_tainting_pass (gpointer data);

/* Make sure a tainting pass is due: at the next 100 ms mark that has not had its pass yet. */
static void
ensure_tainting_pass (Nlc *nc)
{
  gint64 now = ks_clock_now (nc->c.clock);
  gint64 k, at;

  if (nc->pass_task != 0)
    return;
  k = (now - nc->origin + NODE_EVICTION_PERIOD - 1) / NODE_EVICTION_PERIOD;
  at = nc->origin + k * NODE_EVICTION_PERIOD;
  if (at <= nc->last_pass)
    at = nc->last_pass + NODE_EVICTION_PERIOD;
  nc->pass_task = ks_clock_schedule (nc->c.clock, at, no_execute_tainting_pass, nc, NULL);
}

static void
zone_of_free (gpointer p)
{
  ZoneOf *z = p;
  if (z->labels != NULL)
    ks_str_map_unref (z->labels);
  g_free (z->zone);
  g_free (z);
}

/* zone_key of node, from the cache (borrowed: valid until the node's next lookup or removal). */
static const char *
node_zone (Nlc *nc, const KsNode *node)
{
  const KsObject *obj = KS_OBJECT (node);
  ZoneOf *z = g_hash_table_lookup (nc->zones, obj->meta.name);

  if (z != NULL && z->labels == obj->meta.labels)
    return z->zone;
  if (z == NULL)
    {
      z = g_new0 (ZoneOf, 1);
      g_hash_table_insert (nc->zones, g_strdup (obj->meta.name), z);
    }
  if (z->labels != NULL)
    ks_str_map_unref (z->labels);
  z->labels = obj->meta.labels != NULL ? ks_str_map_ref (obj->meta.labels) : NULL;
  g_free (z->zone);
  z->zone = zone_key (node);
  return z->zone;
}

static Tainter *
tainter_of (Nlc *nc, const KsNode *node)
{
  return g_tree_lookup (nc->tainters, node_zone (nc, node));
}

/* addPodEvictorForNewZone */
static void
add_zone (Nlc *nc, const char *zone)
{
  if (g_tree_lookup_extended (nc->zone_states, zone, NULL, NULL))
    return;
  g_tree_replace (nc->zone_states, g_strdup (zone), GINT_TO_POINTER (ZONE_INITIAL + 1));
  g_tree_replace (nc->tainters, g_strdup (zone),
                  tainter_new (nc->opts.node_eviction_rate, ks_clock_now (nc->c.clock)));
}

/* markNodeForTainting */
static void
mark_node_for_tainting (Nlc *nc, const KsNode *node, KsConditionStatus status)
{
  Tainter *t = tainter_of (nc, node);
  const char *name = KS_OBJECT (node)->meta.name;

  if (t == NULL)
    return;
  /* A node without its taint goes to the back of the queue again (processAt now). */
  if (status == KS_CONDITION_FALSE && !has_taint (node, TAINT_NOT_READY, KS_TAINT_NO_EXECUTE))
    tainter_remove (t, name);
  if (status == KS_CONDITION_UNKNOWN && !has_taint (node, TAINT_UNREACHABLE, KS_TAINT_NO_EXECUTE))
    tainter_remove (t, name);
  tainter_add (nc, t, name, ks_clock_now (nc->c.clock));
  ensure_tainting_pass (nc);
}

/* controller.RemoveTaintOffNode for one NoExecute taint: nothing when node does not have it. */
static gboolean
remove_no_execute_taint (Nlc *nc, const KsNode *node, const char *key)
{
  TaintRef ref = { key, KS_TAINT_NO_EXECUTE };

  if (!has_taint (node, key, KS_TAINT_NO_EXECUTE))
    return TRUE;
  return swap_node_taints (nc, KS_OBJECT (node)->meta.name, NULL, 0, &ref, 1);
}

/* markNodeAsReachable: remove the NoExecute taints and take the node off its zone's queue. */
static gboolean
mark_node_as_reachable (Nlc *nc, const KsNode *node)
{
  Tainter *t;

  if (!remove_no_execute_taint (nc, node, TAINT_UNREACHABLE)
      || !remove_no_execute_taint (nc, node, TAINT_NOT_READY))
    return FALSE;
  t = tainter_of (nc, node);
  return t != NULL && tainter_remove (t, KS_OBJECT (node)->meta.name);
}

/* RateLimitedTimedQueue.Try with doNoExecuteTaintingPass's function. */
static void
tainter_try (Nlc *nc, Tainter *t, gint64 now)
{
  static const TaintRef not_ready = { TAINT_NOT_READY, KS_TAINT_NO_EXECUTE };
  static const TaintRef unreachable = { TAINT_UNREACHABLE, KS_TAINT_NO_EXECUTE };

  while (t->queue->len > 0)
    {
      TimedValue *v = g_ptr_array_index (t->queue, 0);
      g_autoptr (KsNode) node = NULL;
      const TaintRef *add, *remove;

      /* A token is spent on each look at the head, as in Kubernetes. */
      if (!limiter_try_accept (&t->limiter, now))
        break;
      if (now < v->process_at)
        break;
      node = get_node (nc, v->name, NULL);
      if (node == NULL)
        {
          g_ptr_array_remove_index (t->queue, 0); /* stays in the set */
          continue;
        }
      switch (node->conditions[KS_NODE_COND_READY].status)
        {
        case KS_CONDITION_UNSET:
          /* Retried 50 ms (and a nanosecond) later. */
          g_ptr_array_steal_index (t->queue, 0);
          v->process_at = now + 50 * KS_USEC_PER_MSEC + 1;
          tainter_insert (t, v);
          continue;
        case KS_CONDITION_FALSE:
          add = &not_ready;
          remove = &unreachable;
          break;
        case KS_CONDITION_UNKNOWN:
          add = &unreachable;
          remove = &not_ready;
          break;
        default:
          /* Ready again: no taint. */
          g_ptr_array_remove_index (t->queue, 0);
          continue;
        }
      if (swap_node_taints (nc, v->name, add, 1, remove, 1))
        g_ptr_array_remove_index (t->queue, 0);
      else
        {
          g_ptr_array_steal_index (t->queue, 0);
          v->process_at = now + 1;
          tainter_insert (t, v);
        }
    }
}

static gboolean
try_tainter (gpointer key, gpointer value, gpointer data)
{
  Nlc *nc = data;
  tainter_try (nc, value, ks_clock_now (nc->c.clock));
  return FALSE;
}

static gboolean
tainter_pending (gpointer key, gpointer value, gpointer data)
{
  gboolean *pending = data;
  *pending = ((Tainter *) value)->queue->len > 0;
  return *pending;
}

/* doNoExecuteTaintingPass, every 100 ms while some zone queue holds a node (a pass over empty
 * queues does nothing, so the others are not run). */
static void
no_execute_tainting_pass (gpointer data)
{
  Nlc *nc = data;
  gboolean pending = FALSE;

  nc->pass_task = 0;
  nc->last_pass = ks_clock_now (nc->c.clock);
  g_tree_foreach (nc->tainters, try_tainter, nc);
  g_tree_foreach (nc->tainters, tainter_pending, &pending);
  if (pending)
    ensure_tainting_pass (nc);
}

/* ---- pods --------------------------------------------------------------------------------- */

/* MarkPodsNotReady for one pod: its Ready condition goes False (reason and message kept), with
 * the event NodeNotReady.  FALSE on a failed update other than NotFound. */
static gboolean
mark_pod_not_ready (Nlc *nc, const KsPod *seen, const char *node)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsPod) pod
      = KS_POD (ks_client_get (nc->c.client, KS_OBJECT (seen)->kind, seen->parent.meta.namespace,
                               seen->parent.meta.name, NULL));
  const KsCondition *ready;
  KsPod *copy;
  KsObject *updated;
  gboolean ok = TRUE;

  if (pod == NULL || pod->node_name != ks_intern (node))
    return TRUE;
  ready = &pod->conditions[KS_POD_COND_READY];
  if (ready->status == KS_CONDITION_UNSET || ready->status == KS_CONDITION_FALSE)
    return TRUE;
  copy = ks_pod_copy (pod);
  ks_pod_set_condition (copy, KS_POD_COND_READY, KS_CONDITION_FALSE, ready->reason, ready->message,
                        ks_clock_now (nc->c.clock));
  updated = ks_client_update_status (nc->c.client, KS_OBJECT (copy), &error);
  ks_object_unref (KS_OBJECT (copy));
  if (updated != NULL)
    ks_object_unref (updated);
  else if (g_error_matches (error, KS_STORE_ERROR, KS_STORE_ERROR_NOT_FOUND))
    return TRUE;
  else
    {
      g_debug ("pod %s/%s: cannot mark it not ready: %s", pod->parent.meta.namespace,
               pod->parent.meta.name, error->message);
      ok = FALSE;
    }
  ks_event_record (&nc->c.events, KS_OBJECT (pod), TRUE, "NodeNotReady", node, "Node is not ready");
  return ok;
}

static gboolean
mark_pods_not_ready (Nlc *nc, const char *node)
{
  g_autoptr (GPtrArray) pods = ks_pod_index_list (nc->pods, node);
  gboolean ok = TRUE;

  for (guint i = 0; i < pods->len; i++)
    ok &= mark_pod_not_ready (nc, g_ptr_array_index (pods, i), node);
  return ok;
}

/* processPod: a pod bound to a node the controller last saw not Ready is marked not ready. */
static void
process_pod (const char *key, gpointer data)
{
  Nlc *nc = data;
  g_autofree char *ns = NULL;
  const char *name;
  g_autoptr (KsPod) pod = NULL;
  g_autoptr (KsNode) node = NULL;
  const NodeHealth *h;

  ks_controller_split_key (key, &ns, &name);
  pod = KS_POD (ks_client_get (nc->c.client, ks_kind_get (KS_KIND_POD), ns, name, NULL));
  if (pod == NULL || pod->node_name == NULL
      || (h = g_hash_table_lookup (nc->health, pod->node_name)) == NULL)
    return;
  node = get_node (nc, pod->node_name, NULL);
  if (node == NULL || !h->has_ready)
    return;
  if (h->ready_status != KS_CONDITION_TRUE)
    mark_pod_not_ready (nc, pod, pod->node_name);
}

/* ---- node health -------------------------------------------------------------------------- */

static void
save_ready (NodeHealth *h, const KsNode *node)
{
  const KsNodeCondition *c = &node->conditions[KS_NODE_COND_READY];

  h->has_ready = c->status != KS_CONDITION_UNSET;
  h->ready_status = c->status;
  h->ready_heartbeat = c->last_heartbeat_time;
  h->ready_transition = c->last_transition_time;
}

static NodeHealth *
health_insert (Nlc *nc, const char *name, gint64 probe, gint64 transition)
{
  NodeHealth *h = g_new0 (NodeHealth, 1);

  h->probe_timestamp = probe;
  h->ready_transition_timestamp = transition;
  g_hash_table_replace (nc->health, g_strdup (name), h);
  return h;
}

/* The probe timestamp moves to now whenever the node shows a new heartbeat: a Ready condition
 * that appeared, or whose lastHeartbeatTime changed.  The readyTransitionTimestamp moves with it
 * when the condition's lastTransitionTime changed too.  Then the node's Lease
 * (kube-node-lease/<node>): the first one seen, or one whose renewTime is later than the last
 * seen, moves the probe timestamp to now as well. */
static NodeHealth *
update_probe_timestamp (Nlc *nc, NodeHealth *h, const KsNode *node, gint64 now)
{
  const char *name = KS_OBJECT (node)->meta.name;
  const KsNodeCondition *ready = &node->conditions[KS_NODE_COND_READY];
  gboolean has_ready = ready->status != KS_CONDITION_UNSET;

  if (h == NULL)
    {
      h = health_insert (nc, name, now, now);
      save_ready (h, node);
    }
  else if (!h->has_ready && has_ready)
    {
      h->probe_timestamp = now;
      h->ready_transition_timestamp = now;
      save_ready (h, node);
    }
  else if (h->has_ready && has_ready && h->ready_heartbeat != ready->last_heartbeat_time)
    {
      if (h->ready_transition != ready->last_transition_time)
        h->ready_transition_timestamp = now;
      h->probe_timestamp = now;
      save_ready (h, node);
    }
  {
    g_autoptr (KsObject) lease = ks_client_get (nc->c.client, ks_kind_get (KS_KIND_LEASE),
                                                KS_NODE_LEASE_NAMESPACE, name, NULL);
    if (lease != NULL && (!h->has_lease || h->lease_renew < KS_LEASE (lease)->renew_time))
      {
        h->has_lease = TRUE;
        h->lease_renew = KS_LEASE (lease)->renew_time;
        h->probe_timestamp = now;
      }
  }
  return h;
}

static gboolean
ready_equal (const KsNodeCondition *c, const Observed *o)
{
  return c->status == o->status && c->last_heartbeat_time == o->last_heartbeat_time
         && c->last_transition_time == o->last_transition_time
         && g_strcmp0 (c->reason, o->reason) == 0 && g_strcmp0 (c->message, o->message) == 0;
}

/* tryUpdateNodeHealth.  *node (a reference) may be replaced by the updated node.  Sets
 * *observed to the Ready status at the start (Unknown when there is no Ready condition) and
 * *current to the status afterwards (KS_CONDITION_UNSET for none).  FALSE when the status update
 * failed. */
static gboolean
try_update_node_health (Nlc *nc, KsNode **node_io, KsConditionStatus *observed_status,
                        KsConditionStatus *current, GError **error)
{
  static const KsNodeConditionType checked[]
      = { KS_NODE_COND_READY, KS_NODE_COND_MEMORY_PRESSURE, KS_NODE_COND_DISK_PRESSURE,
          KS_NODE_COND_PID_PRESSURE };
  KsNode *node = *node_io;
  const char *name = KS_OBJECT (node)->meta.name;
  gint64 created = KS_OBJECT (node)->meta.creation_timestamp;
  gint64 now = ks_clock_now (nc->c.clock);
  const KsNodeCondition *ready = &node->conditions[KS_NODE_COND_READY];
  NodeHealth *h = g_hash_table_lookup (nc->health, name);
  Observed observed[1];
  gint64 grace;

  if (ready->status == KS_CONDITION_UNSET)
    {
      /* The kubelet never posted status: an Unknown condition dated at the node's creation, the
       * startup grace, and a probe timestamp from creation for a node seen the first time. */
      *observed = (Observed){ KS_CONDITION_UNKNOWN, created, created, NULL, NULL };
      grace = nc->opts.node_startup_grace_period;
      if (h != NULL)
        h->has_ready = FALSE;
      else
        h = health_insert (nc, name, created, created);
    }
  else
    {
      *observed = (Observed){ ready->status, ready->last_heartbeat_time,
                              ready->last_transition_time, ready->reason, ready->message };
      grace = nc->opts.node_monitor_grace_period;
    }
  h = update_probe_timestamp (nc, h, node, now);
  *observed_status = observed->status;

  if (now > h->probe_timestamp + grace)
    {
      KsNode *copy = ks_node_copy (node);
      KsObject *updated;

      for (guint i = 0; i < G_N_ELEMENTS (checked); i++)
        {
          KsNodeCondition *c = &copy->conditions[checked[i]];
          if (c->status == KS_CONDITION_UNSET)
            {
              c->status = KS_CONDITION_UNKNOWN;
              c->reason = ks_intern ("NodeStatusNeverUpdated");
              g_free (c->message);
              c->message = g_strdup ("Kubelet never posted node status.");
              c->last_heartbeat_time = created;
              c->last_transition_time = now;
            }
          else if (c->status != KS_CONDITION_UNKNOWN)
            {
              /* lastHeartbeatTime stays: the last time the kubelet was heard from. */
              c->status = KS_CONDITION_UNKNOWN;
              c->reason = ks_intern ("NodeStatusUnknown");
              g_free (c->message);
              c->message = g_strdup ("Kubelet stopped posting node status.");
              c->last_transition_time = now;
            }
        }
      if (!ready_equal (&copy->conditions[KS_NODE_COND_READY], observed))
        {
          updated = ks_client_update_status (nc->c.client, KS_OBJECT (copy), error);
          ks_object_unref (KS_OBJECT (copy));
          if (updated == NULL)
            return FALSE;
          save_ready (h, KS_NODE (updated));
          h->ready_transition_timestamp = now;
          ks_object_unref (KS_OBJECT (*node_io));
          *node_io = KS_NODE (updated);
          *current = KS_NODE (updated)->conditions[KS_NODE_COND_READY].status;
          return TRUE;
        }
      ks_object_unref (KS_OBJECT (copy));
    }
  *current = ready->status;
  return TRUE;
}

/* processTaintBaseEviction, from the Ready status seen at the start of the pass. */
static void
process_taint_based_eviction (Nlc *nc, const KsNode *node, KsConditionStatus observed)
{
  static const TaintRef not_ready = { TAINT_NOT_READY, KS_TAINT_NO_EXECUTE };
  static const TaintRef unreachable = { TAINT_UNREACHABLE, KS_TAINT_NO_EXECUTE };
  const char *name = KS_OBJECT (node)->meta.name;

  switch (observed)
    {
    case KS_CONDITION_FALSE:
      /* An unreachable node that answers again but is not ready is re-tainted at once. */
      if (has_taint (node, TAINT_UNREACHABLE, KS_TAINT_NO_EXECUTE))
        swap_node_taints (nc, name, &not_ready, 1, &unreachable, 1);
      else
        mark_node_for_tainting (nc, node, KS_CONDITION_FALSE);
      break;
    case KS_CONDITION_UNKNOWN:
      if (has_taint (node, TAINT_NOT_READY, KS_TAINT_NO_EXECUTE))
        swap_node_taints (nc, name, &unreachable, 1, &not_ready, 1);
      else
        mark_node_for_tainting (nc, node, KS_CONDITION_UNKNOWN);
      break;
    case KS_CONDITION_TRUE:
      if (mark_node_as_reachable (nc, node))
        g_debug ("node %s is healthy again: NoExecute taints removed", name);
      break;
    default:
      break;
    }
}

/* ---- zones -------------------------------------------------------------------------------- */

/* ComputeZoneState; the fraction is computed in float32, as in Kubernetes. */
static ZoneState
compute_zone_state (Nlc *nc, const ZoneCount *count)
{
  if (count->ready == 0 && count->not_ready > 0)
    return ZONE_FULL_DISRUPTION;
  if (count->not_ready > 2)
    {
      float fraction = (float) count->not_ready / (float) (count->not_ready + count->ready);
      if (fraction >= nc->opts.unhealthy_zone_threshold)
        return ZONE_PARTIAL_DISRUPTION;
    }
  return ZONE_NORMAL;
}

/* setLimiterInZone */
static void
set_limiter_in_zone (Nlc *nc, const char *zone, gint size, ZoneState state)
{
  Tainter *t = g_tree_lookup (nc->tainters, zone);
  gint64 now = ks_clock_now (nc->c.clock);

  if (t == NULL)
    return;
  switch (state)
    {
    case ZONE_NORMAL:
    case ZONE_FULL_DISRUPTION:
      tainter_swap_limiter (t, nc->opts.node_eviction_rate, now);
      break;
    case ZONE_PARTIAL_DISRUPTION:
      /* ReducedQPSFunc: large zones slow down, small ones stop. */
      tainter_swap_limiter (
          t,
          size > nc->opts.large_cluster_size_threshold ? nc->opts.secondary_node_eviction_rate : 0,
          now);
      break;
    default:
      break;
    }
}

static ZoneState
zone_state_of (Nlc *nc, const char *zone)
{
  return GPOINTER_TO_INT (g_tree_lookup (nc->zone_states, zone)) - 1;
}

static gboolean
collect_key (gpointer key, gpointer value, gpointer data)
{
  g_ptr_array_add (data, key);
  return FALSE;
}

/* handleDisruption */
static void
handle_disruption (Nlc *nc, GTree *counts, GPtrArray *nodes)
{
  g_autoptr (GPtrArray) zones = g_ptr_array_new ();
  g_autoptr (GPtrArray) known_zones = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) new_states = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean all_are_full = TRUE, all_was_full = TRUE;
  gint64 now = ks_clock_now (nc->c.clock);

  g_tree_foreach (counts, collect_key, zones);
  for (guint i = 0; i < zones->len; i++)
    {
      const char *zone = g_ptr_array_index (zones, i);
      ZoneState state = compute_zone_state (nc, g_tree_lookup (counts, zone));
      if (state != ZONE_FULL_DISRUPTION)
        all_are_full = FALSE;
      g_hash_table_insert (new_states, (gpointer) zone, GINT_TO_POINTER (state));
      if (!g_tree_lookup_extended (nc->zone_states, zone, NULL, NULL))
        g_tree_replace (nc->zone_states, g_strdup (zone), GINT_TO_POINTER (ZONE_INITIAL + 1));
    }
  {
    g_autoptr (GPtrArray) keys = g_ptr_array_new ();
    g_tree_foreach (nc->zone_states, collect_key, keys);
    for (guint i = 0; i < keys->len; i++)
      {
        const char *zone = g_ptr_array_index (keys, i);
        if (g_tree_lookup (counts, zone) == NULL)
          /* A zone without nodes any more. */
          g_tree_remove (nc->zone_states, zone);
        else
          {
            if (zone_state_of (nc, zone) != ZONE_FULL_DISRUPTION)
              all_was_full = FALSE;
            g_ptr_array_add (known_zones, g_strdup (zone));
          }
      }
  }
  if (all_are_full && all_was_full)
    return;

  if (all_are_full)
    {
      /* Every zone is down: more likely the control plane cannot see the nodes than that they
       * all failed.  Stop tainting and untaint everything. */
      g_info ("node lifecycle: every node is not ready: entering master disruption mode");
      for (guint i = 0; i < nodes->len; i++)
        {
          const char *name = KS_OBJECT (g_ptr_array_index (nodes, i))->meta.name;
          g_autoptr (KsNode) node = get_node (nc, name, NULL);
          if (node != NULL)
            mark_node_as_reachable (nc, node);
        }
      for (guint i = 0; i < known_zones->len; i++)
        {
          const char *zone = g_ptr_array_index (known_zones, i);
          Tainter *t = g_tree_lookup (nc->tainters, zone);
          if (t != NULL)
            tainter_swap_limiter (t, 0, now);
          g_tree_replace (nc->zone_states, g_strdup (zone),
                          GINT_TO_POINTER (ZONE_FULL_DISRUPTION + 1));
        }
      return;
    }
  if (all_was_full)
    {
      /* Leaving it: every node gets a fresh grace period, the zones their rates. */
      g_info ("node lifecycle: some nodes are ready: leaving master disruption mode");
      for (guint i = 0; i < nodes->len; i++)
        {
          NodeHealth *h = g_hash_table_lookup (nc->health,
                                               KS_OBJECT (g_ptr_array_index (nodes, i))->meta.name);
          if (h != NULL)
            h->probe_timestamp = h->ready_transition_timestamp = now;
        }
    }
  for (guint i = 0; i < known_zones->len; i++)
    {
      const char *zone = g_ptr_array_index (known_zones, i);
      const ZoneCount *count = g_tree_lookup (counts, zone);
      ZoneState state = GPOINTER_TO_INT (g_hash_table_lookup (new_states, zone));
      if (!all_was_full && zone_state_of (nc, zone) == state)
        continue;
      g_debug ("node lifecycle: zone \"%s\" is now %s", zone, zone_state_names[state]);
      set_limiter_in_zone (nc, zone, count->ready + count->not_ready, state);
      g_tree_replace (nc->zone_states, g_strdup (zone), GINT_TO_POINTER (state + 1));
    }
}

/* ---- the monitor pass --------------------------------------------------------------------- */

static void
count_in_zone (Nlc *nc, GTree *counts, const KsNode *node, KsConditionStatus ready)
{
  const char *zone = node_zone (nc, node);
  ZoneCount *count = g_tree_lookup (counts, zone);

  if (count == NULL)
    {
      count = g_new0 (ZoneCount, 1);
      g_tree_insert (counts, g_strdup (zone), count);
    }
  if (ready == KS_CONDITION_TRUE)
    count->ready++;
  else
    count->not_ready++;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* classifyNodes and what follows for new and deleted nodes. */
static void
classify_nodes (Nlc *nc, GPtrArray *nodes)
{
  g_autoptr (GHashTable) listed = NULL;
  g_autoptr (GPtrArray) gone = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < nodes->len; i++)
    {
      KsNode *node = g_ptr_array_index (nodes, i);
      const char *name = KS_OBJECT (node)->meta.name;
      const char *zone = node_zone (nc, node);

      if (g_hash_table_contains (nc->known, name))
        {
          add_zone (nc, zone);
          continue;
        }
      ks_event_record (&nc->c.events, KS_OBJECT (node), FALSE, "RegisteredNode", name,
                       "Registered Node %s in Controller", name);
      g_hash_table_replace (nc->known, g_strdup (name), ks_object_ref (KS_OBJECT (node)));
      add_zone (nc, zone);
      mark_node_as_reachable (nc, node);
    }
  /* Every listed node is known now: when there are as many known as listed, none is gone (the
   * usual case, which then costs no set of the listed names). */
  if (g_hash_table_size (nc->known) == nodes->len)
    return;
  listed = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < nodes->len; i++)
    g_hash_table_add (listed, KS_OBJECT (g_ptr_array_index (nodes, i))->meta.name);
  g_hash_table_iter_init (&iter, nc->known);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (listed, key))
      g_ptr_array_add (gone, key);
  g_ptr_array_sort (gone, compare_names);
  for (guint i = 0; i < gone->len; i++)
    {
      const char *name = g_ptr_array_index (gone, i);
      ks_event_record (&nc->c.events, g_hash_table_lookup (nc->known, name), FALSE, "RemovingNode",
                       name, "Removing Node %s from Controller", name);
      /* Kubernetes keeps a deleted node's health record; a node registered again under the name
       * starts afresh here. */
      g_hash_table_remove (nc->health, name);
      g_hash_table_remove (nc->retry, name);
      g_hash_table_remove (nc->zones, name);
      g_hash_table_remove (nc->known, name); /* frees name */
    }
}

/* One node of monitorNodeHealth. */
static void
monitor_node (Nlc *nc, KsNode *listed, GTree *counts)
{
  g_autoptr (GError) error = NULL;
  const char *name = KS_OBJECT (listed)->meta.name;
  /* The listed node, as the lister's is used; a conflict gets the newest. */
  KsNode *node = KS_NODE (ks_object_ref (KS_OBJECT (listed)));
  KsConditionStatus observed = KS_CONDITION_UNSET, current = KS_CONDITION_UNSET;
  gboolean ok = FALSE, mark = FALSE;

  for (guint attempt = 0; node != NULL && attempt < NODE_HEALTH_UPDATE_RETRY; attempt++)
    {
      g_clear_error (&error);
      if ((ok = try_update_node_health (nc, &node, &observed, &current, &error)))
        break;
      /* A conflict: the node changed meanwhile.  Again with the newest. */
      ks_object_unref (KS_OBJECT (node));
      node = get_node (nc, name, NULL);
    }
  if (!ok)
    {
      if (error != NULL)
        g_message ("node %s: cannot update its health, no pods will be evicted: %s", name,
                   error->message);
      if (node != NULL)
        ks_object_unref (KS_OBJECT (node));
      return;
    }
  if (ks_object_get_label (KS_OBJECT (node), LABEL_EXCLUDE_DISRUPTION) == NULL)
    count_in_zone (nc, counts, node, current);
  if (current != KS_CONDITION_UNSET)
    {
      process_taint_based_eviction (nc, node, observed);
      if (current != KS_CONDITION_TRUE && observed == KS_CONDITION_TRUE)
        {
          ks_event_record (&nc->c.events, KS_OBJECT (node), FALSE, "NodeNotReady", name,
                           "Node %s status is now: NodeNotReady", name);
          mark = TRUE;
        }
      else if (g_hash_table_contains (nc->retry, name) && observed != KS_CONDITION_TRUE)
        mark = TRUE;
      if (mark && !mark_pods_not_ready (nc, name))
        {
          g_hash_table_add (nc->retry, g_strdup (name));
          ks_object_unref (KS_OBJECT (node));
          return;
        }
    }
  g_hash_table_remove (nc->retry, name);
  ks_object_unref (KS_OBJECT (node));
}

/* monitorNodeHealth */
static void
monitor_node_health (Nlc *nc)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) nodes
      = ks_client_list (nc->c.client, ks_kind_get (KS_KIND_NODE), NULL, &error);
  g_autoptr (GTree) counts = NULL;

  if (nodes == NULL)
    {
      g_message ("node lifecycle: cannot list nodes: %s", error->message);
      return;
    }
  counts = g_tree_new_full (tree_key_compare, NULL, g_free, g_free);
  classify_nodes (nc, nodes);
  for (guint i = 0; i < nodes->len; i++)
    monitor_node (nc, g_ptr_array_index (nodes, i), counts);
  handle_disruption (nc, counts, nodes);
}

static void
monitor_tick (gpointer data)
{
  Nlc *nc = data;

  nc->monitor_task = 0;
  monitor_node_health (nc);
  nc->monitor_task
      = ks_clock_schedule_in (nc->c.clock, nc->opts.node_monitor_period, monitor_tick, nc, NULL);
}

/* ---- taint by condition ------------------------------------------------------------------- */

/* The NoSchedule taint of each condition status (nodeConditionToTaintKeyStatusMap), in the order
 * a kubelet lists the conditions. */
static const struct
{
  KsNodeConditionType type;
  KsConditionStatus status;
  const char *key;
} condition_taints[] = {
  { KS_NODE_COND_NETWORK_UNAVAILABLE, KS_CONDITION_TRUE, "node.kubernetes.io/network-unavailable" },
  { KS_NODE_COND_MEMORY_PRESSURE, KS_CONDITION_TRUE, "node.kubernetes.io/memory-pressure" },
  { KS_NODE_COND_DISK_PRESSURE, KS_CONDITION_TRUE, "node.kubernetes.io/disk-pressure" },
  { KS_NODE_COND_PID_PRESSURE, KS_CONDITION_TRUE, "node.kubernetes.io/pid-pressure" },
  { KS_NODE_COND_READY, KS_CONDITION_FALSE, TAINT_NOT_READY },
  { KS_NODE_COND_READY, KS_CONDITION_UNKNOWN, TAINT_UNREACHABLE },
};

static gboolean
is_condition_taint_key (const char *key)
{
  if (strcmp (key, TAINT_UNSCHEDULABLE) == 0)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (condition_taints); i++)
    if (strcmp (key, condition_taints[i].key) == 0)
      return TRUE;
  return FALSE;
}

/* doNoScheduleTaintingPass: the NoSchedule taints the conditions and spec.unschedulable call
 * for, and no others of those keys. */
static void
no_schedule_tainting_pass (const char *name, gpointer data)
{
  Nlc *nc = data;
  g_autoptr (KsNode) node = get_node (nc, name, NULL);
  TaintRef want[G_N_ELEMENTS (condition_taints) + 1], add[G_N_ELEMENTS (want)];
  g_autofree TaintRef *del = NULL;
  guint n_want = 0, n_add = 0, n_del = 0;

  if (node == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (condition_taints); i++)
    if (node->conditions[condition_taints[i].type].status == condition_taints[i].status)
      want[n_want++] = (TaintRef){ condition_taints[i].key, KS_TAINT_NO_SCHEDULE };
  if (node->unschedulable)
    want[n_want++] = (TaintRef){ TAINT_UNSCHEDULABLE, KS_TAINT_NO_SCHEDULE };
  for (guint i = 0; i < n_want; i++)
    if (!has_taint (node, want[i].key, KS_TAINT_NO_SCHEDULE))
      add[n_add++] = want[i];
  del = g_new (TaintRef, MAX (node->n_taints, 1));
  for (guint i = 0; i < node->n_taints; i++)
    {
      const KsTaint *t = &node->taints[i];
      gboolean wanted = FALSE;
      if (t->effect != KS_TAINT_NO_SCHEDULE || !is_condition_taint_key (t->key))
        continue;
      for (guint j = 0; j < n_want; j++)
        wanted |= strcmp (want[j].key, t->key) == 0;
      if (!wanted)
        del[n_del++] = (TaintRef){ t->key, KS_TAINT_NO_SCHEDULE };
    }
  if (n_add == 0 && n_del == 0)
    return;
  if (!swap_node_taints (nc, name, add, n_add, del, n_del))
    g_message ("node %s: cannot update its NoSchedule taints", name);
}

/* ---- watches and lifetime ----------------------------------------------------------------- */

static void
on_node (const KsWatchEvent *event, gpointer data)
{
  Nlc *nc = data;

  if (event->type == KS_WATCH_DELETED)
    {
      g_hash_table_remove (nc->retry, event->object->meta.name);
      return;
    }
  ks_workqueue_add (nc->c.queue, event->object->meta.name);
}

static void
on_pod (const KsWatchEvent *event, gpointer data)
{
  Nlc *nc = data;
  const KsPod *pod = KS_POD (event->object);
  g_autofree char *key = NULL;

  ks_pod_index_apply (nc->pods, event);
  if (event->type == KS_WATCH_DELETED || pod->node_name == NULL
      || (event->old_object != NULL && KS_POD (event->old_object)->node_name == pod->node_name))
    return;
  key = ks_object_key (event->object);
  ks_workqueue_add (nc->pod_work, key);
}

KsNodeLifecycleController *
ks_node_lifecycle_controller_new (KsClient *client, KsClock *clock, KsEventSink *sink,
                                  const KsControllerOptions *options)
{
  Nlc *nc = g_new0 (Nlc, 1);

  ks_controller_init (&nc->c, client, clock, sink, "node-controller", no_schedule_tainting_pass,
                      nc);
  nc->opts = *options;
  nc->pod_work = ks_workqueue_new (clock, process_pod, nc);
  nc->pods = ks_pod_index_new ();
  nc->known
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) ks_object_unref);
  nc->health = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  nc->zone_states = g_tree_new_full (tree_key_compare, NULL, g_free, NULL);
  nc->tainters = g_tree_new_full (tree_key_compare, NULL, g_free, tainter_free);
  nc->retry = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  nc->zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, zone_of_free);
  nc->origin = ks_clock_now (clock);
  nc->last_pass = G_MININT64;
  nc->c.watches[nc->c.n_watches++]
      = ks_client_watch (client, ks_kind_get (KS_KIND_NODE), NULL, TRUE, on_node, nc, NULL);
  nc->c.watches[nc->c.n_watches++]
      = ks_client_watch (client, ks_kind_get (KS_KIND_POD), NULL, TRUE, on_pod, nc, NULL);
  /* The first pass runs now (after whatever is due already), then every period. */
  nc->monitor_task = ks_clock_schedule (clock, nc->origin, monitor_tick, nc, NULL);
  return nc;
}

void
ks_node_lifecycle_controller_free (KsNodeLifecycleController *nc)
{
  if (nc == NULL)
    return;
  ks_clock_cancel (nc->c.clock, nc->monitor_task);
  ks_clock_cancel (nc->c.clock, nc->pass_task);
  ks_controller_clear (&nc->c);
  ks_workqueue_free (nc->pod_work);
  ks_pod_index_free (nc->pods);
  g_hash_table_unref (nc->known);
  g_hash_table_unref (nc->health);
  g_tree_unref (nc->zone_states);
  g_tree_unref (nc->tainters);
  g_hash_table_unref (nc->retry);
  g_hash_table_unref (nc->zones);
  g_free (nc);
}
