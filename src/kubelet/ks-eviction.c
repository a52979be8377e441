/* ks-eviction.c: the kubelet's eviction manager (memory.available). */
#include "config.h"

#include <string.h>

#include "ks-eviction.h"
#include "ks-kubelet.h"
#include "src/api/ks-node.h"
#include "src/api/ks-quantity.h"

struct _KsEvictionManager
{
  KsKubelet *kubelet;
  KsClient *client;
  KsClock *clock;
  KsRuntime *runtime;
  KsEventRecorder events;
  const char *node_name; /* the kubelet's (interned) */
  KsEvictionOptions options;
  KsMemoryPressureFunc func;
  gpointer user_data;
  gboolean pressure; /* MemoryPressure as last reported */
  gboolean reported; /* reported at all: the first check reports whatever it finds */
  gint64 last_met;   /* when the threshold was last met; -1: never */
  guint64 task;
};

void
ks_eviction_options_init (KsEvictionOptions *options)
{
  options->monitoring_interval = KS_EVICTION_MONITORING_INTERVAL;
  options->memory_available = KS_EVICTION_MEMORY_AVAILABLE_HARD;
  options->pressure_transition_period = KS_EVICTION_PRESSURE_TRANSITION_PERIOD;
}

/* One pod's memory, as the summary API gives it: each running container's working set. */
typedef struct
{
  KsPod *pod; /* borrowed from the list */
  gint64 usage;
  gint64 request;
} PodUsage;

static gint64
container_usage (KsRuntime *rt, const KsPod *pod, const KsContainer *c, gboolean init)
{
  KsStats stats;

  if (rt->ops->container_stats == NULL || !rt->ops->container_stats (rt, pod, c, init, &stats))
    return 0;
  return (gint64) stats.working_set;
}

static gint64
pod_usage (KsRuntime *rt, const KsPod *pod)
{
  gint64 sum = 0;

  for (guint i = 0; i < pod->spec->n_init_containers; i++)
    sum += container_usage (rt, pod, &pod->spec->init_containers[i], TRUE);
  for (guint i = 0; i < pod->spec->n_containers; i++)
    sum += container_usage (rt, pod, &pod->spec->containers[i], FALSE);
  return sum;
}

/* rankMemoryPressure: orderedBy(exceedMemoryRequests, priority, memory); kubesim breaks the
 * remaining ties by namespace and name (the list is sorted so, and the sort is stable). */
static int
rank_memory (gconstpointer pa, gconstpointer pb)
{
  const PodUsage *a = pa, *b = pb;
  gboolean ea = a->usage > a->request, eb = b->usage > b->request;
  gint32 pra = ks_pod_get_priority (a->pod), prb = ks_pod_get_priority (b->pod);
  gint64 da = a->usage - a->request, db = b->usage - b->request;

  if (ea != eb)
    return ea ? -1 : 1;
  if (pra != prb)
    return pra < prb ? -1 : 1;
  if (da != db)
    return da > db ? -1 : 1;
  return 0;
}

/* evictionMessage (eviction/helpers.go), with its trailing spaces. */
static char *
eviction_message (KsEvictionManager *m, const PodUsage *u, gint64 available)
{
  KsRuntime *rt = m->runtime;
  g_autofree char *threshold = ks_quantity_format_value (m->options.memory_available, TRUE);
  g_autofree char *avail = ks_quantity_format_binary_si (available);
  GString *s = g_string_new ("The node was low on resource: memory. ");

  g_string_append_printf (s, "Threshold quantity: %s, available: %s. ", threshold, avail);
  /* Only the regular containers, as the kubelet's loop over pod.Spec.Containers. */
  for (guint i = 0; i < u->pod->spec->n_containers; i++)
    {
      const KsContainer *c = &u->pod->spec->containers[i];
      gint64 usage = container_usage (rt, u->pod, c, FALSE);
      if (usage > c->requests.memory)
        {
          g_autofree char *used = ks_quantity_format_binary_si (usage);
          g_autofree char *req = ks_quantity_format_value (c->requests.memory, TRUE);
          g_string_append_printf (s,
                                  "Container %s was using %s, request is %s, has larger "
                                  "consumption of memory. ",
                                  c->name, used, req);
        }
    }
  return g_string_free (s, FALSE);
}

static void
set_pressure (KsEvictionManager *m, gboolean pressure)
{
  /* The first report also clears what an earlier kubelet of the node may have left. */
  if (m->reported && pressure == m->pressure)
    return;
  m->reported = TRUE;
  m->pressure = pressure;
  ks_kubelet_set_memory_pressure (m->kubelet, pressure);
  if (m->func != NULL)
    m->func (m->kubelet, pressure, m->user_data);
}

KsPod *
ks_eviction_manager_synchronize (KsEvictionManager *m)
{
  KsRuntime *rt = m->runtime;
  gint64 now = ks_clock_now (m->clock);
  g_autoptr (KsObject) node = NULL;
  g_autoptr (GPtrArray) pods = NULL;
  g_autoptr (GArray) usage = NULL;
  gint64 working_set = 0, available;
  KsStats node_stats;
  gboolean met;

  node = ks_client_get (m->client, ks_kind_get (KS_KIND_NODE), NULL, m->node_name, NULL);
  /* No Node, or no memory capacity known: nothing to observe. */
  if (node == NULL || KS_NODE (node)->capacity.memory <= 0)
    return NULL;
  pods = ks_kubelet_list_pods (m->kubelet);
  usage = g_array_sized_new (FALSE, FALSE, sizeof (PodUsage), pods->len);
  for (guint i = 0; i < pods->len; i++)
    {
      KsPod *pod = g_ptr_array_index (pods, i);
      PodUsage u = { pod, pod_usage (rt, pod), pod->spec->requests.memory };
      g_array_append_val (usage, u);
      working_set += u.usage;
    }
  if (rt->ops->node_stats != NULL && rt->ops->node_stats (rt, &node_stats))
    working_set = (gint64) node_stats.working_set;
  available = KS_NODE (node)->capacity.memory - working_set;
  /* thresholdsMet: the threshold's quantity above what is observed. */
  met = available < m->options.memory_available;
  if (met)
    m->last_met = now;
  /* nodeConditionsObservedSince: the condition lasts the transition period after the last time
   * the threshold was met. */
  set_pressure (m, m->last_met >= 0 && now - m->last_met < m->options.pressure_transition_period);
  if (!met)
    return NULL;

  ks_event_record (&m->events, node, TRUE, "EvictionThresholdMet", m->node_name,
                   "Attempting to reclaim memory");
  g_array_sort (usage, rank_memory);
  for (guint i = 0; i < usage->len; i++)
    {
      PodUsage *u = &g_array_index (usage, PodUsage, i);
      g_autofree char *message = NULL;
      /* evictPod refuses critical pods; the next one is tried. */
      if (ks_pod_get_priority (u->pod) >= KS_SYSTEM_CRITICAL_PRIORITY)
        continue;
      message = eviction_message (m, u, available);
      if (ks_kubelet_evict_pod (m->kubelet, u->pod, message))
        return KS_POD (ks_object_ref (KS_OBJECT (u->pod)));
    }
  return NULL;
}

static void
tick (gpointer data)
{
  KsEvictionManager *m = data;
  KsPod *evicted;

  m->task = ks_clock_schedule_in (m->clock, m->options.monitoring_interval, tick, m, NULL);
  evicted = ks_eviction_manager_synchronize (m);
  if (evicted != NULL)
    ks_object_unref (KS_OBJECT (evicted));
}

KsEvictionManager *
ks_eviction_manager_new (KsKubelet *kubelet, KsClient *client, KsClock *clock, KsRuntime *runtime,
                         KsEventSink *events, const char *node_name,
                         const KsEvictionOptions *options, KsMemoryPressureFunc func,
                         gpointer user_data)
{
  KsEvictionManager *m = g_new0 (KsEvictionManager, 1);

  m->kubelet = kubelet;
  m->client = client;
  m->clock = clock;
  m->runtime = runtime;
  ks_event_recorder_init (&m->events, events, clock, "kubelet");
  m->node_name = node_name;
  if (options != NULL)
    m->options = *options;
  else
    ks_eviction_options_init (&m->options);
  m->func = func;
  m->user_data = user_data;
  m->last_met = -1;
  m->task = ks_clock_schedule_in (clock, m->options.monitoring_interval, tick, m, NULL);
  return m;
}

void
ks_eviction_manager_free (KsEvictionManager *m)
{
  if (m == NULL)
    return;
  ks_clock_cancel (m->clock, m->task);
  g_free (m);
}
