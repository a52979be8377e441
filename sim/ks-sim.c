/* ks-sim.c: the simulated cluster and the scenario's actions and failures. */
#include "config.h"

#include <string.h>

#include "ks-sim-autoscaler.h"
#include "ks-sim-clock.h"
#include "ks-sim-custom-metrics.h"
#include "ks-sim-link.h"
#include "ks-sim-metrics.h"
#include "ks-sim-model.h"
#include "ks-sim-private.h"
#include "ks-sim-prober.h"
#include "ks-sim-runtime.h"
#include "ks-sim-traffic.h"
#include "ks-sim.h"
#include "src/api/ks-apps.h"
#include "src/api/ks-autoscaling.h"
#include "src/api/ks-batch.h"
#include "src/api/ks-duration.h"
#include "src/api/ks-namespace.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pdb.h"
#include "src/api/ks-statefulset.h"
#include "src/api/ks-yaml-emit.h"
#include "src/controllers/ks-controllers.h"
#include "src/controllers/ks-evict.h"
#include "src/controllers/ks-hpa.h"
#include "src/controllers/ks-rollback.h"
#include "src/ks-rng.h"
#include "src/kubelet/ks-kubelet.h"
#include "src/kubelet/ks-node-lease.h"
#include "src/kubelet/ks-node-status.h"
#include "src/store/ks-bootstrap.h"

/* A node's agent: its kubelet, Lease renewals and status posts, all through its link to the API
 * server, over its modelled container runtime. */
typedef enum
{
  NODE_UP,
  NODE_FAILED,      /* crashed: no agent, no containers */
  NODE_PARTITIONED, /* agent and containers run; its link is cut */
} NodeState;

typedef struct
{
  char *name;
  NodeState state;
  KsClient *link;       /* NULL while failed */
  KsRuntime *runtime;   /* NULL while failed */
  KsKubelet *kubelet;   /* NULL while failed */
  KsNodeLease *lease;   /* NULL while failed */
  KsNodeStatus *status; /* NULL while failed */
  KsSim *sim;
  KsClock *clock;
  gint64 started;           /* when the agent started: its 10 s status checks fall on this grid */
  guint64 status_check;     /* the status check that follows a healed partition */
  gboolean memory_pressure; /* the eviction manager's last report (with node failures) */
  gint pool;                /* index in the scenario's pools, or -1 (a node of nodeFiles) */
  gint64 since;             /* when it was added */
  gpointer down_by;         /* the failure model that took the node down, or NULL */
} SimNode;

/* How long a pool's nodes have existed, for node-hours and cost. */
typedef struct
{
  gint64 node_us;   /* µs of nodes that are gone, summed */
  gint64 sum_since; /* Σ creation times of the nodes there now */
  guint alive;
} PoolUse;

/* The components' sink: forwards to whatever the run sets, so that the recorder, which needs
 * the sim's client and clock, can be attached after the components exist. */
typedef struct
{
  KsEventSink parent;
  KsEventSink *target;
} ForwardSink;

static void
forward_record (KsEventSink *self, const KsEventRecord *record)
{
  KsEventSink *target = ((ForwardSink *) self)->target;
  if (target != NULL)
    target->ops->record (target, record);
}

static gboolean
forward_wants (KsEventSink *self)
{
  KsEventSink *target = ((ForwardSink *) self)->target;
  return target != NULL && (target->ops->wants == NULL || target->ops->wants (target));
}

static const KsEventSinkOps forward_ops = { forward_record, forward_wants };

struct _KsSim
{
  ForwardSink forward;
  const KsScenario *scenario;
  guint64 seed;
  KsSimClock *sim_clock;
  KsClock *clock;
  KsStore *store;
  KsClient *client;
  KsEventSink *sink;
  KsEventRecorder scenario_events;
  KsEventRecorder node_events;
  KsEventRecorder kubelet_events;
  KsScheduler *scheduler;
  KsControllerManager *controllers;
  KsProber *prober; /* every kubelet's (the model holds no state) */
  GPtrArray *nodes; /* SimNode*, creation order */
  GHashTable *nodes_by_name;
  gboolean network;      /* pods get IPs (the scenario has Services) */
  KsSimTraffic *traffic; /* the scenario's loads, or NULL */
  gboolean eviction;     /* run the kubelets' eviction managers (some pod models memory usage) */
  PoolUse *pool_use;     /* one per scenario pool */
  KsSimAutoscaler *autoscaler; /* with node groups, else NULL */
  GPtrArray *failure_drivers;  /* FailureDriver* */
  /* The metrics pipeline and the HPA controller, when the scenario autoscales. */
  KsMetricsServer *metrics;
  KsMetricsClient *metrics_client;
  KsCustomMetricsSource *custom_metrics;
  KsHpaController *hpa;
};

/* The node agent ends (its process dies with the node): nothing more is written or watched;
 * what its containers do is up to the caller (they die with a crash, not with a removal). */
static void
stop_node_agent (SimNode *n)
{
  if (n->status_check != 0)
    ks_clock_cancel (n->clock, n->status_check);
  n->status_check = 0;
  g_clear_pointer (&n->status, ks_node_status_free);
  g_clear_pointer (&n->lease, ks_node_lease_free);
  g_clear_pointer (&n->kubelet, ks_kubelet_free);
  g_clear_pointer (&n->link, ks_client_free);
}

static void failure_driver_free (gpointer p);

static void
sim_node_free (gpointer p)
{
  SimNode *n = p;
  stop_node_agent (n);
  ks_runtime_free (n->runtime);
  g_free (n->name);
  g_free (n);
}

/* Whether the scenario has Services (created at the start or applied later): only then do
 * pods get IPs, so that runs without them (and the benchmarks) pay nothing for the network. */
static gboolean
scenario_uses_services (const KsScenario *s)
{
  for (guint i = 0; i < s->objects->len; i++)
    if (((const KsObject *) g_ptr_array_index (s->objects, i))->kind->id == KS_KIND_SERVICE)
      return TRUE;
  for (guint i = 0; i < s->actions->len; i++)
    {
      const KsAction *a = g_ptr_array_index (s->actions, i);
      if (a->type == KS_ACTION_APPLY)
        for (guint j = 0; j < a->objects->len; j++)
          if (((const KsObject *) g_ptr_array_index (a->objects, j))->kind->id == KS_KIND_SERVICE)
            return TRUE;
    }
  return FALSE;
}

/* The most nodes the cluster can have at once (addNodes and node groups at their max counted,
 * removals not). */
static guint
scenario_max_nodes (const KsScenario *s)
{
  g_autoptr (GPtrArray) names = ks_scenario_node_names (s);
  guint n = names->len;

  /* A node group can grow to its max. */
  for (guint i = 0; i < s->pools->len; i++)
    {
      const KsNodePool *pool = g_ptr_array_index (s->pools, i);
      if (pool->group)
        n += pool->max - pool->count;
    }

  for (guint i = 0; i < s->actions->len; i++)
    {
      const KsAction *a = g_ptr_array_index (s->actions, i);
      if (a->type == KS_ACTION_ADD_NODES)
        n += g_strv_length (a->nodes);
    }
  return n;
}

static gboolean scenario_models_memory (const KsScenario *scenario);

/* Whether the scenario autoscales (an hpa section, HorizontalPodAutoscalers, autoscale
 * events): only then do the metrics pipeline and the HPA controller run, so that other runs pay
 * nothing for them. */
static gboolean
scenario_autoscales (const KsScenario *s)
{
  if (s->has_autoscaling)
    return TRUE;
  for (guint i = 0; i < s->objects->len; i++)
    if (((const KsObject *) g_ptr_array_index (s->objects, i))->kind->id
        == KS_KIND_HORIZONTAL_POD_AUTOSCALER)
      return TRUE;
  for (guint i = 0; i < s->actions->len; i++)
    {
      const KsAction *a = g_ptr_array_index (s->actions, i);
      if (a->type == KS_ACTION_AUTOSCALE)
        return TRUE;
      if (a->type == KS_ACTION_APPLY)
        for (guint j = 0; j < a->objects->len; j++)
          if (((const KsObject *) g_ptr_array_index (a->objects, j))->kind->id
              == KS_KIND_HORIZONTAL_POD_AUTOSCALER)
            return TRUE;
    }
  return FALSE;
}

/* The runtime the metrics source scrapes: none while the node is failed. */
static KsRuntime *
metrics_runtime (const char *node, gpointer data)
{
  KsSim *sim = data;
  SimNode *n = g_hash_table_lookup (sim->nodes_by_name, node);
  return n != NULL && n->kubelet != NULL ? n->runtime : NULL;
}

static void
start_autoscaling (KsSim *sim, KsEventSink *events)
{
  const KsScenario *s = sim->scenario;
  KsMetricsSource *source
      = ks_sim_metrics_source_new (sim->client, sim->clock, metrics_runtime, sim);
  KsHpaOptions options;

  if (s->scrape_delay > 0)
    source = ks_delayed_metrics_source_new (source, sim->clock, s->scrape_delay);
  sim->metrics = ks_metrics_server_new (sim->client, sim->clock, source, s->metric_resolution);
  sim->metrics_client = ks_metrics_client_new_local (sim->metrics, sim->client);
  ks_hpa_options_init (&options);
  options.sync_period = s->hpa_sync_period;
  options.tolerance = s->hpa_tolerance;
  options.downscale_stabilization = s->hpa_downscale_window;
  options.cpu_initialization_period = s->hpa_cpu_init_period;
  options.initial_readiness_delay = s->hpa_readiness_delay;
  options.policy = s->hpa_policy;
  sim->custom_metrics
      = ks_sim_custom_metrics_new (sim->client, sim->clock, sim->traffic, s->metric_resolution);
  sim->hpa = ks_hpa_controller_new (sim->client, sim->clock, events, sim->metrics_client,
                                    sim->custom_metrics, &options);
}

KsSim *
ks_sim_new (const KsScenario *scenario, guint64 seed, GError **error)
{
  KsSim *sim = g_new0 (KsSim, 1);
  KsEventSink *events = &sim->forward.parent;

  sim->scenario = scenario;
  sim->seed = seed;
  sim->sim_clock = ks_sim_clock_new ();
  sim->clock = ks_sim_clock_get_clock (sim->sim_clock);
  sim->store = ks_store_new (sim->clock, seed);
  sim->client = ks_store_client_new (sim->store);
  sim->forward.parent.ops = &forward_ops;
  sim->sink = events;
  ks_event_recorder_init (&sim->scenario_events, events, sim->clock, "scenario");
  ks_event_recorder_init (&sim->node_events, events, sim->clock, "node-controller");
  ks_event_recorder_init (&sim->kubelet_events, events, sim->clock, "kubelet");
  sim->eviction = scenario_models_memory (scenario);
  sim->prober = ks_sim_prober_new (sim->clock);
  sim->nodes = g_ptr_array_new_with_free_func (sim_node_free);
  sim->nodes_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  sim->failure_drivers = g_ptr_array_new_with_free_func (failure_driver_free);
  sim->scheduler
      = ks_scheduler_new (sim->client, sim->clock, scenario->scheduler, events, seed, error);
  if (sim->scheduler == NULL)
    {
      ks_sim_free (sim);
      return NULL;
    }
  sim->network = scenario_uses_services (scenario);
  {
    KsControllerOptions options;
    ks_controller_options_init (&options);
    if (scenario->controllers != NULL)
      {
        const KsControllerOptions *o = scenario->controllers;
        options.node_monitor_period = o->node_monitor_period;
        options.node_monitor_grace_period = o->node_monitor_grace_period;
        options.node_startup_grace_period = o->node_startup_grace_period;
        options.node_eviction_rate = o->node_eviction_rate;
        options.secondary_node_eviction_rate = o->secondary_node_eviction_rate;
        options.large_cluster_size_threshold = o->large_cluster_size_threshold;
        options.unhealthy_zone_threshold = o->unhealthy_zone_threshold;
        options.terminated_pod_gc_threshold = o->terminated_pod_gc_threshold;
      }
    if (sim->network)
      {
        /* Nodes get podCIDRs as with kube-controller-manager --allocate-node-cidrs, from
         * 10.244.0.0/16 (255 nodes), or 10.128.0.0/9 for a cluster that can grow beyond. */
        options.node_ipam = TRUE;
        if (scenario_max_nodes (scenario) > 255)
          ks_controller_options_set_cluster_cidr (&options, KS_SIM_LARGE_CLUSTER_CIDR, NULL);
      }
    /* Node failures as Kubernetes handles them: heartbeats watched by the node lifecycle
     * controller, pods evicted by the taint eviction controller. */
    options.node_lifecycle = scenario->node_lifecycle;
    options.taint_eviction = scenario->node_lifecycle;
    sim->controllers = ks_controller_manager_new_full (sim->client, sim->clock, events, &options);
  }
  if (scenario->loads != NULL && scenario->loads->len > 0)
    sim->traffic = ks_sim_traffic_new (sim->client, sim->clock, scenario->loads, seed);
  sim->pool_use = g_new0 (PoolUse, MAX (scenario->pools->len, 1));
  if (scenario->autoscaler != NULL)
    {
      sim->autoscaler = ks_sim_autoscaler_new (sim, scenario, seed, events, error);
      if (sim->autoscaler == NULL)
        {
          ks_sim_free (sim);
          return NULL;
        }
    }
  if (scenario_autoscales (scenario))
    start_autoscaling (sim, events);
  return sim;
}

void
ks_sim_free (KsSim *sim)
{
  if (sim == NULL)
    return;
  ks_sim_autoscaler_free (sim->autoscaler);
  g_free (sim->pool_use);
  ks_hpa_controller_free (sim->hpa);
  ks_sim_custom_metrics_free (sim->custom_metrics);
  ks_metrics_client_free (sim->metrics_client);
  ks_metrics_server_free (sim->metrics);
  ks_sim_traffic_free (sim->traffic);
  g_ptr_array_unref (sim->failure_drivers);
  g_ptr_array_unref (sim->nodes);
  g_hash_table_unref (sim->nodes_by_name);
  ks_prober_free (sim->prober);
  ks_controller_manager_free (sim->controllers);
  ks_scheduler_free (sim->scheduler);
  ks_client_free (sim->client);
  ks_store_free (sim->store);
  ks_sim_clock_free (sim->sim_clock);
  g_free (sim);
}

void
ks_sim_set_event_sink (KsSim *sim, KsEventSink *sink)
{
  sim->forward.parent.ops = &forward_ops;
  sim->forward.target = sink;
}

KsClock *
ks_sim_get_clock (KsSim *sim)
{
  return sim->clock;
}

KsClient *
ks_sim_get_client (KsSim *sim)
{
  return sim->client;
}

KsStore *
ks_sim_get_store (KsSim *sim)
{
  return sim->store;
}

KsRuntime *
ks_sim_get_node_runtime (KsSim *sim, const char *name)
{
  SimNode *n = g_hash_table_lookup (sim->nodes_by_name, name);
  return n != NULL ? n->runtime : NULL;
}

const KsScenario *
ks_sim_get_scenario (KsSim *sim)
{
  return sim->scenario;
}

KsSimTraffic *
ks_sim_get_traffic (KsSim *sim)
{
  return sim->traffic;
}

KsScheduler *
ks_sim_get_scheduler (KsSim *sim)
{
  return sim->scheduler;
}

guint64
ks_sim_get_events_processed (KsSim *sim)
{
  return ks_sim_clock_get_n_run (sim->sim_clock);
}

/* Autoscaling outputs */

gboolean
ks_sim_autoscales (KsSim *sim)
{
  return sim->hpa != NULL;
}

static gint
cmp_object_key (gconstpointer a, gconstpointer b)
{
  const KsObject *x = *(const KsObject *const *) a;
  const KsObject *y = *(const KsObject *const *) b;
  int c = g_strcmp0 (x->meta.namespace, y->meta.namespace);
  return c != 0 ? c : strcmp (x->meta.name, y->meta.name);
}

static GPtrArray *
sorted_hpas (KsSim *sim)
{
  GPtrArray *hpas
      = ks_client_list (sim->client, ks_kind_get (KS_KIND_HORIZONTAL_POD_AUTOSCALER), NULL, NULL);
  if (hpas != NULL)
    g_ptr_array_sort (hpas, cmp_object_key);
  return hpas;
}

void
ks_sim_sample_hpas (KsSim *sim, KsSimRowFunc row, gpointer data)
{
  g_autoptr (GPtrArray) hpas = NULL;
  gint64 now = ks_clock_now (sim->clock);

  if (sim->hpa == NULL || (hpas = sorted_hpas (sim)) == NULL)
    return;
  for (guint i = 0; i < hpas->len; i++)
    {
      const KsHorizontalPodAutoscaler *hpa = g_ptr_array_index (hpas, i);
      g_autofree char *key = ks_object_key (KS_OBJECT (hpa));
      row (now, "hpa_current_replicas", key, hpa->status.current_replicas, data);
      row (now, "hpa_desired_replicas", key, hpa->status.desired_replicas, data);
      for (guint j = 0; j < hpa->status.n_current_metrics; j++)
        {
          const KsMetricStatus *m = &hpa->status.current_metrics[j];
          g_autofree char *metric = g_strdup_printf ("hpa_metric_%u", j);
          if (m->has_utilization)
            row (now, metric, key, m->average_utilization, data);
          else if (m->has_average_value)
            row (now, metric, key, (double) m->average_value / 1000, data);
          else if (m->has_value)
            row (now, metric, key, (double) m->value / 1000, data);
        }
    }
}

void
ks_sim_append_hpa_summary (KsSim *sim, GString *json)
{
  g_autoptr (GPtrArray) hpas = NULL;
  guint n = 0;

  if (sim->hpa == NULL || (hpas = sorted_hpas (sim)) == NULL)
    return;
  g_string_append (json, ",\n  \"hpas\": {");
  for (guint i = 0; i < hpas->len; i++)
    {
      const KsHorizontalPodAutoscaler *hpa = g_ptr_array_index (hpas, i);
      g_autofree char *key = ks_object_key (KS_OBJECT (hpa));
      g_autofree char *target
          = g_strdup_printf ("%s/%s", hpa->scale_target_ref.kind, hpa->scale_target_ref.name);
      KsHpaCounts c = { 0, 0, 0, 0, -1, -1 };
      ks_hpa_controller_get_counts (sim->hpa, hpa->parent.meta.namespace, hpa->parent.meta.name,
                                    &c);
      g_string_append (json, n++ > 0 ? ",\n    " : "\n    ");
      ks_json_append_string (json, key, KS_JSON_ESCAPE_UTF8);
      g_string_append (json, ": {\n      \"target\": ");
      ks_json_append_string (json, target, KS_JSON_ESCAPE_UTF8);
      g_string_append_printf (json,
                              ",\n      \"min_replicas\": %d,\n      \"max_replicas\": %d"
                              ",\n      \"current_replicas\": %d,\n      \"desired_replicas\": %d"
                              ",\n      \"rescales\": %u,\n      \"scale_ups\": %u"
                              ",\n      \"scale_downs\": %u,\n      \"failed_reconciles\": %u",
                              hpa->min_replicas, hpa->max_replicas, hpa->status.current_replicas,
                              hpa->status.desired_replicas, c.rescales, c.scale_ups, c.scale_downs,
                              c.failures);
      if (c.highest >= 0)
        g_string_append_printf (json,
                                ",\n      \"highest_replicas_set\": %d,\n      "
                                "\"lowest_replicas_set\": %d",
                                c.highest, c.lowest);
      else
        g_string_append (json, ",\n      \"highest_replicas_set\": null,\n      "
                               "\"lowest_replicas_set\": null");
      if (hpa->status.last_scale_time != KS_TIME_NONE)
        g_string_append_printf (
            json, ",\n      \"last_scale_time_s\": %" G_GINT64_FORMAT ".%06" G_GINT64_FORMAT,
            hpa->status.last_scale_time / KS_USEC_PER_SEC,
            hpa->status.last_scale_time % KS_USEC_PER_SEC);
      else
        g_string_append (json, ",\n      \"last_scale_time_s\": null");
      g_string_append (json, ",\n      \"conditions\": {");
      for (guint t = 0, k = 0; t < KS_N_HPA_CONDITIONS; t++)
        {
          const KsHpaCondition *cond = &hpa->status.conditions[t];
          if (cond->status == KS_CONDITION_UNSET)
            continue;
          g_string_append_printf (json, "%s\"%s\": ", k++ > 0 ? ", " : "",
                                  ks_hpa_condition_name (t));
          ks_json_append_string (json, cond->reason ? cond->reason : "", KS_JSON_ESCAPE_UTF8);
        }
      g_string_append (json, "}\n    }");
    }
  g_string_append (json, n > 0 ? "\n  }" : "}");
}

/* Output sections */

static void
traffic_sample (KsSim *sim, KsSimRowFunc row, gpointer data)
{
  ks_sim_traffic_sample (sim->traffic, row, data);
}

static void
traffic_summary (KsSim *sim, GString *json)
{
  ks_sim_traffic_append_summary (sim->traffic, json);
}

guint
ks_sim_get_sections (KsSim *sim, const KsSimSection **sections)
{
  static const KsSimSection traffic = { traffic_sample, traffic_summary };
  static const KsSimSection hpas = { ks_sim_sample_hpas, ks_sim_append_hpa_summary };
  static const KsSimSection pools = { ks_sim_sample_pools, ks_sim_append_pools_summary };
  guint n = 0;

  if (sim->traffic != NULL)
    sections[n++] = &traffic;
  if (ks_sim_autoscales (sim))
    sections[n++] = &hpas;
  if (ks_sim_reports_pools (sim))
    sections[n++] = &pools;
  g_assert (n <= KS_SIM_MAX_SECTIONS);
  return n;
}

/* Nodes */

static void
set_healthy (KsNode *node, gint64 now)
{
  ks_node_set_condition (node, KS_NODE_COND_MEMORY_PRESSURE, KS_CONDITION_FALSE,
                         "KubeletHasSufficientMemory", "kubelet has sufficient memory available",
                         now);
  ks_node_set_condition (node, KS_NODE_COND_DISK_PRESSURE, KS_CONDITION_FALSE,
                         "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now);
  ks_node_set_condition (node, KS_NODE_COND_PID_PRESSURE, KS_CONDITION_FALSE,
                         "KubeletHasSufficientPID", "kubelet has sufficient PID available", now);
  ks_node_set_condition (node, KS_NODE_COND_READY, KS_CONDITION_TRUE, "KubeletReady",
                         "kubelet is posting ready status", now);
}

/* The labels the kubelet puts on its node. */
static void
add_kubelet_labels (KsNode *node)
{
  static const char *const defaults[][2]
      = { { "kubernetes.io/arch", "amd64" }, { "kubernetes.io/os", "linux" } };
  KsObject *obj = KS_OBJECT (node);

  if (ks_object_get_label (obj, "kubernetes.io/hostname") == NULL)
    {
      KsStrMap *labels
          = ks_str_map_with (obj->meta.labels, "kubernetes.io/hostname", obj->meta.name);
      ks_object_set_labels (obj, labels);
      ks_str_map_unref (labels);
    }
  for (guint i = 0; i < G_N_ELEMENTS (defaults); i++)
    if (ks_object_get_label (obj, defaults[i][0]) == NULL)
      {
        KsStrMap *labels = ks_str_map_with (obj->meta.labels, defaults[i][0], defaults[i][1]);
        ks_object_set_labels (obj, labels);
        ks_str_map_unref (labels);
      }
}

/* The taint of MemoryPressure (nodeConditionToTaintKeyStatusMap). */
#define TAINT_MEMORY_PRESSURE "node.kubernetes.io/memory-pressure"

static gboolean
has_taint (const KsNode *node, const char *key)
{
  for (guint i = 0; i < node->n_taints; i++)
    if (strcmp (node->taints[i].key, key) == 0 && node->taints[i].effect == KS_TAINT_NO_SCHEDULE)
      return TRUE;
  return FALSE;
}

/* The pod annotations an object carries: a Pod's own, a workload's template's. */
static const KsStrMap *
pod_annotations_of (const KsObject *obj)
{
  switch (obj->kind->id)
    {
    case KS_KIND_POD:
      return obj->meta.annotations;
    case KS_KIND_REPLICA_SET:
      return KS_REPLICA_SET (obj)->template.annotations;
    case KS_KIND_DEPLOYMENT:
      return KS_DEPLOYMENT (obj)->template.annotations;
    case KS_KIND_STATEFUL_SET:
      return KS_STATEFUL_SET (obj)->template.annotations;
    case KS_KIND_JOB:
      return KS_JOB (obj)->template.annotations;
    default:
      return NULL;
    }
}

static gboolean
models_memory (const KsObject *obj)
{
  const KsStrMap *a = pod_annotations_of (obj);

  return ks_str_map_lookup (a, KS_ANNOTATION_MEMORY_USAGE) != NULL
         || ks_str_map_lookup (a, KS_ANNOTATION_MEMORY_GROWTH) != NULL;
}

/* Whether some pod of the scenario models memory usage: only then can memory.available fall
 * (the model's usage is all there is), so only then do the eviction managers run — a check every
 * 10 s on every node would cost large clusters that never use it. */
static gboolean
scenario_models_memory (const KsScenario *scenario)
{
  for (guint i = 0; i < scenario->objects->len; i++)
    if (models_memory (g_ptr_array_index (scenario->objects, i)))
      return TRUE;
  for (guint i = 0; i < scenario->actions->len; i++)
    {
      const KsAction *a = g_ptr_array_index (scenario->actions, i);
      if (a->type != KS_ACTION_APPLY)
        continue;
      for (guint j = 0; j < a->objects->len; j++)
        if (models_memory (g_ptr_array_index (a->objects, j)))
          return TRUE;
    }
  return FALSE;
}

static void memory_pressure_write (KsSim *sim, const char *name, gboolean pressure);

/* The kubelet's MemoryPressure, as its node status setter posts it (sim posts at once, where the
 * kubelet waits for its next status update), then the NoSchedule taint the node lifecycle
 * controller keeps in step with it (doNoScheduleTaintingPass).  With node failures the node's
 * status updater posts the condition (through the node's link: nothing while partitioned) and
 * the node lifecycle controller, which runs then, the taint. */
static void
memory_pressure_changed (KsKubelet *kubelet, gboolean pressure, gpointer data)
{
  KsSim *sim = data;
  const char *name = ks_kubelet_get_node_name (kubelet);
  SimNode *n = g_hash_table_lookup (sim->nodes_by_name, name);

  if (n != NULL && sim->scenario->node_lifecycle)
    {
      n->memory_pressure = pressure;
      if (n->status != NULL)
        ks_node_status_set_memory_pressure (n->status, pressure);
      return;
    }
  memory_pressure_write (sim, name, pressure);
}

/* Without node failures: the condition and the taint, written at once. */
static void
memory_pressure_write (KsSim *sim, const char *name, gboolean pressure)
{
  g_autoptr (KsObject) obj
      = ks_client_get (sim->client, ks_kind_get (KS_KIND_NODE), NULL, name, NULL);
  const char *event = pressure ? "NodeHasInsufficientMemory" : "NodeHasSufficientMemory";
  gint64 now = ks_clock_now (sim->clock);
  gboolean changed;
  KsNode *node;
  KsObject *updated;

  if (obj == NULL)
    return;
  /* The first report of a kubelet may find everything as it should be: write nothing then. */
  if (KS_NODE (obj)->conditions[KS_NODE_COND_MEMORY_PRESSURE].status
          == (pressure ? KS_CONDITION_TRUE : KS_CONDITION_FALSE)
      && has_taint (KS_NODE (obj), TAINT_MEMORY_PRESSURE) == pressure)
    return;
  node = ks_node_copy (KS_NODE (obj));
  if (pressure)
    ks_node_set_condition (node, KS_NODE_COND_MEMORY_PRESSURE, KS_CONDITION_TRUE,
                           "KubeletHasInsufficientMemory",
                           "kubelet has insufficient memory available", now);
  else
    ks_node_set_condition (node, KS_NODE_COND_MEMORY_PRESSURE, KS_CONDITION_FALSE,
                           "KubeletHasSufficientMemory", "kubelet has sufficient memory available",
                           now);
  changed = KS_NODE (obj)->conditions[KS_NODE_COND_MEMORY_PRESSURE].status
            != node->conditions[KS_NODE_COND_MEMORY_PRESSURE].status;
  updated = ks_client_update_status (sim->client, KS_OBJECT (node), NULL);
  ks_object_unref (KS_OBJECT (node));
  if (updated == NULL)
    return;
  if (changed)
    ks_event_record (&sim->kubelet_events, updated, FALSE, event, name, "Node %s status is now: %s",
                     name, event);
  if (has_taint (KS_NODE (updated), TAINT_MEMORY_PRESSURE) == pressure)
    {
      ks_object_unref (updated);
      return;
    }
  node = ks_node_copy (KS_NODE (updated));
  ks_object_unref (updated);
  if (pressure)
    ks_node_add_taint (node, TAINT_MEMORY_PRESSURE, NULL, KS_TAINT_NO_SCHEDULE, now);
  else
    ks_node_remove_taint (node, TAINT_MEMORY_PRESSURE, KS_TAINT_NO_SCHEDULE);
  updated = ks_client_update (sim->client, KS_OBJECT (node), NULL);
  ks_object_unref (KS_OBJECT (node));
  if (updated != NULL)
    ks_object_unref (updated);
}

/* The kubelet checks its status every 10 s but, renewing a Lease, posts it only when it changed
 * or when 5 minutes have passed since the last post.  A sim node's status changes only when its
 * agent starts or its link comes back, so the posts start then (the first at once) and follow
 * every 5 minutes. */
static void
start_status_posts (KsSim *sim, SimNode *n, const KsNode *registration)
{
  KsNodeStatusOptions status_options;

  ks_node_status_options_init (&status_options);
  status_options.update_frequency = KS_NODE_STATUS_REPORT_FREQUENCY;
  n->status = ks_node_status_new (n->link, sim->clock, sim->sink, registration, &status_options);
  ks_node_status_set_memory_pressure (n->status, n->memory_pressure);
}

/* Start the node's agent on a new runtime (a booted node): its kubelet, its Lease renewals
 * (every 10 s) and its status posts (on change, checked every 10 s, and every 5 minutes),
 * through a new link.  registration is the Node as the agent registers it. */
static void
start_node_agent (KsSim *sim, SimNode *n, const KsNode *registration)
{
  n->state = NODE_UP;
  n->sim = sim;
  n->clock = sim->clock;
  n->started = ks_clock_now (sim->clock);
  /* Only partitions cut links: without node failures the agent talks to the store directly. */
  if (sim->scenario->node_lifecycle)
    n->link = ks_sim_link_new (sim->client, n->name);
  n->runtime = ks_sim_runtime_new (sim->clock, sim->scenario->kubelet_startup);
  ks_sim_runtime_set_seed (n->runtime, sim->seed);
  if (sim->network)
    ks_sim_runtime_set_network (n->runtime, sim->client, n->name);
  if (sim->traffic != NULL)
    ks_sim_runtime_set_load (n->runtime, ks_sim_traffic_pod_cpu_ns, sim->traffic);
  n->kubelet = ks_kubelet_new (n->link != NULL ? n->link : sim->client, sim->clock, n->runtime,
                               sim->sink, n->name);
  ks_kubelet_set_prober (n->kubelet, sim->prober);
  if (sim->eviction)
    ks_kubelet_start_eviction (n->kubelet, NULL, memory_pressure_changed, sim);
  if (!sim->scenario->node_lifecycle)
    return; /* no heartbeats: nothing would watch them */
  n->lease = ks_node_lease_new (n->link, sim->clock, n->name);
  start_status_posts (sim, n, registration);
}

static gboolean
add_node (KsSim *sim, KsNode *node, gint pool, GError **error)
{
  SimNode *n = g_new0 (SimNode, 1);
  KsObject *created;
  gint64 now = ks_clock_now (sim->clock);

  add_kubelet_labels (node);
  if (node->conditions[KS_NODE_COND_READY].status == KS_CONDITION_UNSET)
    set_healthy (node, now);
  n->pool = pool;
  n->since = now;
  if (pool >= 0)
    {
      sim->pool_use[pool].alive++;
      sim->pool_use[pool].sum_since += now;
    }
  n->name = g_strdup (node->parent.meta.name);
  g_ptr_array_add (sim->nodes, n);
  g_hash_table_insert (sim->nodes_by_name, n->name, n);
  created = ks_client_create (sim->client, KS_OBJECT (node), error);
  if (created == NULL)
    return FALSE;
  ks_object_unref (created);
  start_node_agent (sim, n, node);
  return TRUE;
}

static KsNode *
node_from_pool (const KsNodePool *pool, guint index)
{
  g_autofree char *name = g_strdup_printf ("%s-%u", pool->name, index);

  return ks_node_pool_make_node (pool, name);
}

/* Objects */

/* kubectl's "deployment.apps/web" */
static char *
kubectl_name (const KsObject *obj)
{
  g_autofree char *lower = g_ascii_strdown (obj->kind->name, -1);
  if (obj->kind->group[0] == '\0')
    return g_strdup_printf ("%s/%s", lower, obj->meta.name);
  return g_strdup_printf ("%s.%s/%s", lower, obj->kind->group, obj->meta.name);
}

/* An update from a re-applied manifest: the desired spec and metadata, the existing status. */
static KsObject *
apply_merge (const KsObject *existing, const KsObject *desired, GError **error)
{
  KsObject *merged;

  if (existing->kind->id == KS_KIND_POD)
    {
      /* A pod's spec is immutable but for a few fields; kubesim refuses a changed container
       * list and takes labels and annotations from the manifest. */
      KsPod *pod = ks_pod_copy (KS_POD (existing));
      if (KS_POD (existing)->spec->n_containers != KS_POD (desired)->spec->n_containers)
        {
          ks_object_unref (KS_OBJECT (pod));
          g_set_error (error, KS_SIM_ERROR, KS_SIM_ERROR_INPUT,
                       "Pod \"%s\" is invalid: spec: Forbidden: pod updates may not change fields "
                       "other than `spec.containers[*].image`, `spec.activeDeadlineSeconds`, "
                       "`spec.tolerations` (only additions to existing tolerations)",
                       existing->meta.name);
          return NULL;
        }
      ks_object_set_labels (KS_OBJECT (pod), desired->meta.labels);
      ks_object_set_annotations (KS_OBJECT (pod), desired->meta.annotations);
      return KS_OBJECT (pod);
    }
  /* The store keeps the status (an update of the object does not write it); what the
   * controllers, the node agent and the node lifecycle controller own in the spec and metadata
   * stays too. */
  merged = ks_object_copy (desired);
  merged->meta.resource_version = 0;
  switch (existing->kind->id)
    {
    case KS_KIND_DEPLOYMENT:
      {
        const char *rev = ks_object_get_annotation (existing, KS_ANNOTATION_REVISION);
        if (rev != NULL)
          ks_object_set_annotation (merged, KS_ANNOTATION_REVISION, rev);
        break;
      }
    case KS_KIND_NODE:
      {
        KsNode *m = KS_NODE (merged);
        const KsNode *e = KS_NODE (existing);
        /* The kubelet's labels, and the taints of a failed node (else pods would be scheduled
         * onto it). */
        add_kubelet_labels (m);
        for (guint i = 0; i < e->n_taints; i++)
          if (g_str_has_prefix (e->taints[i].key, "node.kubernetes.io/"))
            ks_node_add_taint (m, e->taints[i].key, e->taints[i].value, e->taints[i].effect,
                               e->taints[i].time_added);
        break;
      }
    default:
      break;
    }
  return merged;
}

static gboolean
create_object (KsSim *sim, const KsObject *obj, GError **error)
{
  KsObject *copy = ks_object_copy (obj);
  KsObject *created = ks_client_create (sim->client, copy, error);

  ks_object_unref (copy);
  if (created == NULL)
    return FALSE;
  ks_object_unref (created);
  return TRUE;
}

static void
action_failed (KsSim *sim, const KsAction *a, const KsObject *obj, const char *message)
{
  g_autoptr (KsNode) gone = NULL;

  /* A node action on a node removeNodes deleted: the event is about the node, as Kubernetes
   * events may refer to deleted objects. */
  if (obj == NULL
      && (a->type == KS_ACTION_FAIL_NODE || a->type == KS_ACTION_RECOVER_NODE
          || a->type == KS_ACTION_PARTITION_NODE || a->type == KS_ACTION_HEAL_PARTITION
          || a->type == KS_ACTION_CORDON || a->type == KS_ACTION_UNCORDON
          || a->type == KS_ACTION_DRAIN))
    obj = KS_OBJECT (gone = ks_node_new (a->name));
  if (obj != NULL)
    ks_event_record (&sim->scenario_events, obj, TRUE, "ActionFailed", NULL, "%s at %s: %s",
                     ks_action_type_name (a->type), a->where, message);
  g_printerr ("kubesim: warning: %s (%s) at t=%.3fs failed: %s\n", ks_action_type_name (a->type),
              a->where, (double) ks_clock_now (sim->clock) / KS_USEC_PER_SEC, message);
}

static void
do_apply (KsSim *sim, const KsAction *a)
{
  for (guint i = 0; i < a->objects->len; i++)
    {
      const KsObject *obj = g_ptr_array_index (a->objects, i);
      g_autoptr (KsObject) existing
          = ks_client_get (sim->client, obj->kind, obj->meta.namespace, obj->meta.name, NULL);
      g_autoptr (GError) error = NULL;
      g_autofree char *name = kubectl_name (obj);

      if (existing == NULL)
        {
          if (create_object (sim, obj, &error))
            ks_event_record (&sim->scenario_events, obj, FALSE, "Apply", NULL, "%s created", name);
          else
            action_failed (sim, a, obj, error->message);
          continue;
        }
      {
        KsObject *merged = apply_merge (existing, obj, &error);
        KsObject *updated;
        if (merged == NULL)
          {
            action_failed (sim, a, obj, error->message);
            continue;
          }
        updated = ks_client_update (sim->client, merged, &error);
        ks_object_unref (merged);
        if (updated == NULL)
          {
            action_failed (sim, a, obj, error->message);
            continue;
          }
        {
          gboolean unchanged
              = updated->meta.generation == existing->meta.generation
                && ks_str_map_equal (updated->meta.labels, existing->meta.labels)
                && ks_str_map_equal (updated->meta.annotations, existing->meta.annotations);
          ks_event_record (&sim->scenario_events, updated, FALSE, "Apply", NULL, "%s %s", name,
                           unchanged ? "unchanged" : "configured");
        }
        ks_object_unref (updated);
      }
    }
}

/* kubectl autoscale: create the HPA (an existing one is an error, as with kubectl). */
static void
do_autoscale (KsSim *sim, const KsAction *a)
{
  const KsObject *hpa = g_ptr_array_index (a->objects, 0);
  g_autoptr (GError) error = NULL;

  if (!create_object (sim, hpa, &error))
    {
      action_failed (sim, a, hpa, error->message);
      return;
    }
  ks_event_record (&sim->scenario_events, hpa, FALSE, "Autoscale", NULL,
                   "horizontalpodautoscaler.autoscaling/%s autoscaled", hpa->meta.name);
}

static void
do_scale (KsSim *sim, const KsAction *a)
{
  g_autoptr (KsObject) obj = ks_client_get (sim->client, a->kind, a->namespace, a->name, NULL);
  g_autoptr (GError) error = NULL;
  KsObject *copy, *updated;
  g_autofree char *name = NULL;

  if (obj == NULL)
    {
      g_autofree char *msg = g_strdup_printf ("%s \"%s\" not found in namespace %s", a->kind->name,
                                              a->name, a->namespace);
      action_failed (sim, a, NULL, msg);
      return;
    }
  copy = ks_object_copy (obj);
  if (a->kind->id == KS_KIND_DEPLOYMENT)
    KS_DEPLOYMENT (copy)->replicas = a->replicas;
  else if (a->kind->id == KS_KIND_STATEFUL_SET)
    KS_STATEFUL_SET (copy)->replicas = a->replicas;
  else
    KS_REPLICA_SET (copy)->replicas = a->replicas;
  updated = ks_client_update (sim->client, copy, &error);
  ks_object_unref (copy);
  if (updated == NULL)
    {
      action_failed (sim, a, obj, error->message);
      return;
    }
  name = kubectl_name (obj);
  ks_event_record (&sim->scenario_events, updated, FALSE, "Scale", NULL, "%s scaled to %d", name,
                   a->replicas);
  ks_object_unref (updated);
}

static void
do_delete (KsSim *sim, const KsAction *a)
{
  g_autoptr (KsObject) obj = ks_client_get (sim->client, a->kind, a->namespace, a->name, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *lower = g_ascii_strdown (a->kind->name, -1);

  if (obj == NULL)
    {
      g_autofree char *msg = g_strdup_printf ("%s \"%s\" not found in namespace %s", a->kind->name,
                                              a->name, a->namespace);
      action_failed (sim, a, NULL, msg);
      return;
    }
  if (!ks_client_delete (sim->client, a->kind, a->namespace, a->name, NULL, &error))
    {
      action_failed (sim, a, obj, error->message);
      return;
    }
  if (a->kind->group[0] == '\0')
    ks_event_record (&sim->scenario_events, obj, FALSE, "Delete", NULL, "%s \"%s\" deleted", lower,
                     a->name);
  else
    ks_event_record (&sim->scenario_events, obj, FALSE, "Delete", NULL, "%s.%s \"%s\" deleted",
                     lower, a->kind->group, a->name);
}

/* Deployment rollouts: kubectl rollout undo, pause and resume */

static void
do_rollback (KsSim *sim, const KsAction *a)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsObject) obj = ks_client_get (sim->client, a->kind, a->namespace, a->name, NULL);
  gint64 revision = 0;
  gboolean skipped = FALSE;

  if (!ks_deployment_rollback (sim->client, a->namespace, a->name, a->revision, &revision, &skipped,
                               &error))
    {
      action_failed (sim, a, obj, error->message);
      return;
    }
  if (skipped)
    ks_event_record (&sim->scenario_events, obj, FALSE, "Rollback", NULL,
                     "deployment.apps/%s skipped rollback (current template already matches "
                     "revision %" G_GINT64_FORMAT ")",
                     a->name, revision);
  else
    ks_event_record (&sim->scenario_events, obj, FALSE, "Rollback", NULL,
                     "deployment.apps/%s rolled back to revision %" G_GINT64_FORMAT, a->name,
                     revision);
}

static void
do_pause (KsSim *sim, const KsAction *a, gboolean paused)
{
  g_autoptr (KsObject) obj = ks_client_get (sim->client, a->kind, a->namespace, a->name, NULL);
  g_autoptr (GError) error = NULL;
  KsObject *copy, *updated;

  if (obj == NULL)
    {
      g_autofree char *msg
          = g_strdup_printf ("Deployment \"%s\" not found in namespace %s", a->name, a->namespace);
      action_failed (sim, a, NULL, msg);
      return;
    }
  if (KS_DEPLOYMENT (obj)->paused == paused)
    {
      /* kubectl: error: deployments.apps "web" is already paused / is not paused */
      g_autofree char *msg = g_strdup_printf ("deployments.apps \"%s\" %s", a->name,
                                              paused ? "is already paused" : "is not paused");
      action_failed (sim, a, obj, msg);
      return;
    }
  copy = ks_object_copy (obj);
  KS_DEPLOYMENT (copy)->paused = paused;
  updated = ks_client_update (sim->client, copy, &error);
  ks_object_unref (copy);
  if (updated == NULL)
    {
      action_failed (sim, a, obj, error->message);
      return;
    }
  ks_event_record (&sim->scenario_events, updated, FALSE, paused ? "Pause" : "Resume", NULL,
                   "deployment.apps/%s %s", a->name, paused ? "paused" : "resumed");
  ks_object_unref (updated);
}

/* Failures */

static GPtrArray *
pods_on_node (KsSim *sim, const char *node)
{
  GPtrArray *all = ks_client_list (sim->client, ks_kind_get (KS_KIND_POD), NULL, NULL);
  const char *interned = ks_intern (node);

  for (guint i = all->len; i-- > 0;)
    if (KS_POD (g_ptr_array_index (all, i))->node_name != interned)
      g_ptr_array_remove_index (all, i);
  return all;
}

/* The node of a node action, or NULL after an ActionFailed event when the node is missing or
 * not in state want. */
static SimNode *
action_node (KsSim *sim, const KsAction *a, NodeState want, KsObject **obj)
{
  static const char *const not_in[] = { [NODE_UP] = "the node is not up",
                                        [NODE_FAILED] = "the node has not failed",
                                        [NODE_PARTITIONED] = "the node is not partitioned" };
  SimNode *n = g_hash_table_lookup (sim->nodes_by_name, a->name);

  *obj = ks_client_get (sim->client, ks_kind_get (KS_KIND_NODE), NULL, a->name, NULL);
  if (n == NULL || *obj == NULL)
    {
      action_failed (sim, a, *obj, "no such node");
      return NULL;
    }
  if (n->state != want)
    {
      action_failed (sim, a, *obj,
                     n->state == NODE_FAILED        ? "the node has failed"
                     : n->state == NODE_PARTITIONED ? "the node is partitioned"
                                                    : not_in[want]);
      return NULL;
    }
  return n;
}

/* failNode: the node crashes.  Its agent stops (no more Lease renewals or status posts) and its
 * containers die with it; the API objects stay as they were.  The node lifecycle controller
 * notices the missing heartbeats after the grace period, and the taint eviction controller
 * evicts the pods once they no longer tolerate the unreachable taint. */
static gboolean
do_fail_node (KsSim *sim, const KsAction *a)
{
  g_autoptr (KsObject) obj = NULL;
  SimNode *n = action_node (sim, a, NODE_UP, &obj);

  if (n == NULL)
    return FALSE;
  ks_event_record (&sim->scenario_events, obj, TRUE, "FailNode", a->name, "node %s failed",
                   a->name);
  stop_node_agent (n);
  n->runtime->ops->kill_all (n->runtime);
  g_clear_pointer (&n->runtime, ks_runtime_free);
  n->state = NODE_FAILED;
  n->down_by = NULL;
  return TRUE;
}

/* recoverNode: the node boots again.  A new agent registers (Ready, which takes the node
 * lifecycle controller's taints away), finishes the deletions that waited for it, and starts
 * again the containers of the pods still bound to it. */
static gboolean
do_recover_node (KsSim *sim, const KsAction *a)
{
  g_autoptr (KsObject) obj = NULL;
  SimNode *n = action_node (sim, a, NODE_FAILED, &obj);

  if (n == NULL)
    return FALSE;
  ks_event_record (&sim->scenario_events, obj, FALSE, "RecoverNode", a->name, "node %s recovered",
                   a->name);
  /* A new kubelet's eviction manager knows of no pressure until its first check. */
  n->memory_pressure = FALSE;
  start_node_agent (sim, n, KS_NODE (obj));
  n->down_by = NULL;
  return TRUE;
}

/* partitionNode: the node loses its network.  Its agent and containers keep running, but
 * nothing it writes (status, Lease) arrives and it sees no change: to the control plane it is
 * as good as failed. */
static gboolean
do_partition_node (KsSim *sim, const KsAction *a)
{
  g_autoptr (KsObject) obj = NULL;
  SimNode *n = action_node (sim, a, NODE_UP, &obj);

  if (n == NULL)
    return FALSE;
  ks_event_record (&sim->scenario_events, obj, TRUE, "PartitionNode", a->name,
                   "node %s partitioned from the control plane", a->name);
  ks_sim_link_set_cut (n->link, TRUE);
  /* Its status posts would fail: they stop, and start again when the link is back. */
  if (n->status_check != 0)
    ks_clock_cancel (sim->clock, n->status_check);
  n->status_check = 0;
  g_clear_pointer (&n->status, ks_node_status_free);
  n->state = NODE_PARTITIONED;
  n->down_by = NULL;
  return TRUE;
}

static void
status_check (gpointer data)
{
  SimNode *n = data;
  g_autoptr (KsObject) node = NULL;

  n->status_check = 0;
  node = ks_client_get (n->sim->client, ks_kind_get (KS_KIND_NODE), NULL, n->name, NULL);
  if (n->state == NODE_UP && n->status == NULL && node != NULL)
    start_status_posts (n->sim, n, KS_NODE (node));
}

/* healPartition: the link is back.  The agent's watch catches up (pods deleted meanwhile are
 * stopped and their deletion finished), its next Lease renewal and status check (within 10 s)
 * make the node Ready again, and the kubelet posts its pods' status again. */
static gboolean
do_heal_partition (KsSim *sim, const KsAction *a)
{
  g_autoptr (KsObject) obj = NULL;
  SimNode *n = action_node (sim, a, NODE_PARTITIONED, &obj);

  if (n == NULL)
    return FALSE;
  ks_event_record (&sim->scenario_events, obj, FALSE, "HealPartition", a->name,
                   "node %s reachable again", a->name);
  n->state = NODE_UP;
  ks_sim_link_set_cut (n->link, FALSE);
  ks_kubelet_resync_status (n->kubelet);
  /* The kubelet's next 10 s status check finds the Node's status (Unknown) unlike its own and
   * posts; the Lease renewals resume on their own 10 s grid. */
  if (n->status_check == 0)
    {
      gint64 now = ks_clock_now (sim->clock);
      gint64 period = KS_NODE_STATUS_UPDATE_FREQUENCY;
      gint64 at = n->started + (now - n->started + period - 1) / period * period;
      n->status_check = ks_clock_schedule (sim->clock, at, status_check, n, NULL);
    }
  n->down_by = NULL;
  return TRUE;
}

/* Cordon, uncordon, drain */

/* The taint the node lifecycle controller keeps on cordoned nodes, and the annotation of the
 * kubelet's mirror pods (which kubectl drain leaves alone). */
#define TAINT_UNSCHEDULABLE "node.kubernetes.io/unschedulable"
#define MIRROR_ANNOTATION "kubernetes.io/config.mirror"

/* Set the node's spec.unschedulable as kubectl cordon/uncordon does, then keep the
 * node.kubernetes.io/unschedulable:NoSchedule taint in step as the node lifecycle controller
 * does (two writes; sim runs that controller only with node failures, so the second follows at
 * once, and the controller, when it runs, finds the taint in place).  The
 * kubelet's NodeNotSchedulable/NodeSchedulable event follows.  FALSE when the node is missing. */
static gboolean
set_unschedulable (KsSim *sim, const KsAction *a, gboolean unschedulable)
{
  g_autoptr (KsObject) obj
      = ks_client_get (sim->client, ks_kind_get (KS_KIND_NODE), NULL, a->name, NULL);
  g_autoptr (GError) error = NULL;
  const char *verb = unschedulable ? "cordoned" : "uncordoned";
  KsNode *node;
  KsObject *updated;

  if (obj == NULL)
    {
      action_failed (sim, a, NULL, "no such node");
      return FALSE;
    }
  if (KS_NODE (obj)->unschedulable == unschedulable)
    {
      ks_event_record (&sim->scenario_events, obj, FALSE, unschedulable ? "Cordon" : "Uncordon",
                       a->name, "node/%s already %s", a->name, verb);
      return TRUE;
    }
  node = ks_node_copy (KS_NODE (obj));
  node->unschedulable = unschedulable;
  updated = ks_client_update (sim->client, KS_OBJECT (node), &error);
  ks_object_unref (KS_OBJECT (node));
  if (updated == NULL)
    {
      action_failed (sim, a, obj, error->message);
      return FALSE;
    }
  ks_event_record (&sim->scenario_events, obj, FALSE, unschedulable ? "Cordon" : "Uncordon",
                   a->name, "node/%s %s", a->name, verb);
  node = ks_node_copy (KS_NODE (updated));
  ks_object_unref (updated);
  if (unschedulable)
    ks_node_add_taint (node, TAINT_UNSCHEDULABLE, NULL, KS_TAINT_NO_SCHEDULE,
                       ks_clock_now (sim->clock));
  else
    ks_node_remove_taint (node, TAINT_UNSCHEDULABLE, KS_TAINT_NO_SCHEDULE);
  updated = ks_client_update (sim->client, KS_OBJECT (node), NULL);
  ks_object_unref (KS_OBJECT (node));
  if (updated != NULL)
    ks_object_unref (updated);
  ks_event_record (&sim->node_events, obj, FALSE,
                   unschedulable ? "NodeNotSchedulable" : "NodeSchedulable", a->name,
                   "Node %s status is now: %s", a->name,
                   unschedulable ? "NodeNotSchedulable" : "NodeSchedulable");
  return TRUE;
}

/* The eviction subresource (src/controllers/ks-evict.h). */
static KsEvictResult
evict_pod (KsSim *sim, const KsPod *pod, char **message)
{
  return ks_evict_pod (sim->client, ks_clock_now (sim->clock), pod, message);
}

/* kubectl drain's retry after a refused eviction and its poll for the pod's deletion. */
#define DRAIN_RETRY_DELAY (5 * KS_USEC_PER_SEC)
#define DRAIN_POLL_PERIOD (1 * KS_USEC_PER_SEC)

/* A drain in progress: one task per pod, as kubectl drain runs one goroutine per pod. */
typedef struct
{
  gint ref;
  KsSim *sim;
  const KsAction *action;
  gint64 deadline; /* KS_TIME_NONE: no timeout */
  guint pending;   /* pods not yet gone */
  GString *errors; /* the pods' errors, "; "-separated */
  KsAction *owned; /* removeNodes: the drain of one of its nodes, freed with the drain */
  void (*done) (KsSim *sim, const KsAction *a); /* after a drain that succeeded, or NULL */
} Drain;

static void drain_action_free (KsAction *a);

typedef struct
{
  gint ref;
  Drain *drain;
  KsObject *pod; /* as listed at the start: namespace, name and uid, for events */
  const char *namespace;
  const char *name;
  gboolean evicted; /* the eviction went through: wait for the pod to go */
} DrainPod;

static void
drain_unref (Drain *d)
{
  if (--d->ref > 0)
    return;
  g_string_free (d->errors, TRUE);
  if (d->owned != NULL)
    drain_action_free (d->owned);
  g_free (d);
}

static void
drain_pod_unref (gpointer data)
{
  DrainPod *p = data;

  if (--p->ref > 0)
    return;
  drain_unref (p->drain);
  ks_object_unref (p->pod);
  g_free (p);
}

/* One pod finished (gone, or failed with error): the drain ends with the last one. */
static void
drain_pod_finished (DrainPod *p, const char *error)
{
  Drain *d = p->drain;
  KsSim *sim = d->sim;

  if (error != NULL)
    g_string_append_printf (d->errors, "%s%s", d->errors->len > 0 ? "; " : "", error);
  if (--d->pending > 0)
    return;
  {
    g_autoptr (KsObject) node
        = ks_client_get (sim->client, ks_kind_get (KS_KIND_NODE), NULL, d->action->name, NULL);
    if (d->errors->len > 0)
      {
        g_autofree char *msg = g_strdup_printf ("unable to drain node \"%s\" due to error: %s",
                                                d->action->name, d->errors->str);
        action_failed (sim, d->action, node, msg);
      }
    else
      {
        ks_event_record (&sim->scenario_events, node, FALSE, "Drain", d->action->name,
                         "node/%s drained", d->action->name);
        if (d->done != NULL)
          d->done (sim, d->action);
      }
  }
}

static void drain_pod_step (gpointer data);

static void
drain_pod_again (DrainPod *p, gint64 delay)
{
  p->ref++;
  ks_clock_schedule_in (p->drain->sim->clock, delay, drain_pod_step, p, drain_pod_unref);
}

/* kubectl drain's evictPods loop for one pod, then its waitForDelete. */
static void
drain_pod_step (gpointer data)
{
  DrainPod *p = data;
  Drain *d = p->drain;
  KsSim *sim = d->sim;
  gint64 now = ks_clock_now (sim->clock);
  g_autoptr (KsObject) obj
      = ks_client_get (sim->client, ks_kind_get (KS_KIND_POD), p->namespace, p->name, NULL);
  gboolean gone = obj == NULL || !ks_uid_equal (&obj->meta.uid, &p->pod->meta.uid);
  g_autofree char *message = NULL;

  if (p->evicted)
    {
      if (gone)
        {
          ks_event_record (&sim->scenario_events, p->pod, FALSE, "Evicted", NULL, "pod/%s evicted",
                           p->name);
          drain_pod_finished (p, NULL);
        }
      else if (d->deadline != KS_TIME_NONE && now >= d->deadline)
        {
          g_autofree char *e = g_strdup_printf (
              "error when waiting for pod \"%s\" in namespace \"%s\" to terminate: "
              "context deadline exceeded",
              p->name, p->namespace);
          drain_pod_finished (p, e);
        }
      else
        drain_pod_again (p, DRAIN_POLL_PERIOD);
      return;
    }
  if (d->deadline != KS_TIME_NONE && now >= d->deadline)
    {
      g_autofree char *t = ks_duration_format (d->action->timeout);
      g_autofree char *e = g_strdup_printf (
          "error when evicting pods/\"%s\" -n \"%s\": global timeout reached: %s", p->name,
          p->namespace, t);
      drain_pod_finished (p, e);
      return;
    }
  if (gone)
    {
      /* NotFound: kubectl counts the pod as done. */
      drain_pod_finished (p, NULL);
      return;
    }
  switch (evict_pod (sim, KS_POD (obj), &message))
    {
    case KS_EVICT_DONE:
      p->evicted = TRUE;
      /* waitForDelete polls at once, then every second. */
      drain_pod_step (p);
      break;
    case KS_EVICT_REFUSED:
      ks_event_record (&sim->scenario_events, obj, TRUE, "EvictionRefused", NULL,
                       "error when evicting pods/\"%s\" -n \"%s\" (will retry after 5s): %s",
                       p->name, p->namespace, message);
      drain_pod_again (p, DRAIN_RETRY_DELAY);
      break;
    case KS_EVICT_FAILED:
      {
        g_autofree char *e = g_strdup_printf ("error when evicting pods/\"%s\" -n \"%s\": %s",
                                              p->name, p->namespace, message);
        drain_pod_finished (p, e);
        break;
      }
    }
}

/* kubectl drain: cordon, pick the pods (mirror pods skipped; pods no controller manages refused
 * unless force, finished ones excepted), then evict them all at once.  owned (a removeNodes
 * drain, with a as its one node) is freed with the drain; done runs once it has succeeded. */
static void
drain_start (KsSim *sim, const KsAction *a, KsAction *owned,
             void (*done) (KsSim *sim, const KsAction *a))
{
  g_autoptr (GPtrArray) pods = NULL;
  g_autoptr (GPtrArray) chosen = g_ptr_array_new ();
  g_autoptr (GString) unmanaged = g_string_new (NULL);
  Drain *d;

  if (!set_unschedulable (sim, a, TRUE))
    {
      if (owned != NULL)
        drain_action_free (owned);
      return;
    }
  pods = pods_on_node (sim, a->name);
  for (guint i = 0; i < pods->len; i++)
    {
      KsPod *pod = g_ptr_array_index (pods, i);
      KsObject *obj = KS_OBJECT (pod);
      if (ks_object_get_annotation (obj, MIRROR_ANNOTATION) != NULL)
        continue;
      if (ks_object_get_controller_ref (obj) == NULL && !ks_pod_is_terminal (pod))
        {
          if (a->force)
            ks_event_record (&sim->scenario_events, obj, TRUE, "Drain", a->name,
                             "Warning: deleting Pods that declare no controller: %s/%s",
                             obj->meta.namespace, obj->meta.name);
          else
            {
              g_string_append_printf (unmanaged, "%s%s/%s", unmanaged->len > 0 ? ", " : "",
                                      obj->meta.namespace, obj->meta.name);
              continue;
            }
        }
      g_ptr_array_add (chosen, pod);
    }
  if (unmanaged->len > 0)
    {
      g_autofree char *msg
          = g_strdup_printf ("unable to drain node \"%s\" due to error: cannot delete Pods "
                             "declare no controller (use --force to override): %s",
                             a->name, unmanaged->str);
      g_autoptr (KsObject) node
          = ks_client_get (sim->client, ks_kind_get (KS_KIND_NODE), NULL, a->name, NULL);
      action_failed (sim, a, node, msg);
      if (owned != NULL)
        drain_action_free (owned);
      return;
    }
  d = g_new0 (Drain, 1);
  d->owned = owned;
  d->done = done;
  d->ref = 1;
  d->sim = sim;
  d->action = a;
  d->deadline = a->timeout > 0 ? ks_clock_now (sim->clock) + a->timeout : KS_TIME_NONE;
  d->errors = g_string_new (NULL);
  d->pending = chosen->len + 1;
  for (guint i = 0; i < chosen->len; i++)
    {
      const KsObject *obj = g_ptr_array_index (chosen, i);
      DrainPod *p = g_new0 (DrainPod, 1);
      p->ref = 1;
      p->drain = d;
      d->ref++;
      p->pod = ks_object_ref ((KsObject *) obj);
      p->namespace = obj->meta.namespace;
      p->name = obj->meta.name;
      ks_event_record (&sim->scenario_events, obj, FALSE, "Evict", a->name, "evicting pod %s/%s",
                       obj->meta.namespace, obj->meta.name);
      drain_pod_step (p);
      drain_pod_unref (p);
    }
  /* The drain's own share: an empty node is drained at once. */
  {
    DrainPod self = { .drain = d };
    drain_pod_finished (&self, NULL);
  }
  drain_unref (d);
}

static void
do_drain (KsSim *sim, const KsAction *a)
{
  drain_start (sim, a, NULL, NULL);
}

static void
drain_action_free (KsAction *a)
{
  g_free (a->name);
  g_free (a->where);
  g_free (a);
}

/* A deleted node's agent stops; its time counts for its pool's node-hours. */
static void
forget_node (KsSim *sim, SimNode *n)
{
  if (n->pool >= 0)
    {
      gint64 now = ks_clock_now (sim->clock);
      PoolUse *u = &sim->pool_use[n->pool];
      /* The nodes there now count alive·now − Σ since (ks_sim_get_pool_node_hours). */
      u->node_us += now - n->since;
      u->sum_since -= n->since;
      u->alive--;
    }
  g_hash_table_remove (sim->nodes_by_name, n->name);
  g_ptr_array_remove (sim->nodes, n); /* frees its node agent */
}

/* The end of a drained node of removeNodes: its node agent stops and its Node object goes, as
 * the cluster autoscaler deletes the node once empty; the node lifecycle controller forgets it. */
static void
remove_drained_node (KsSim *sim, const KsAction *a)
{
  SimNode *n = g_hash_table_lookup (sim->nodes_by_name, a->name);
  g_autoptr (KsObject) obj
      = ks_client_get (sim->client, ks_kind_get (KS_KIND_NODE), NULL, a->name, NULL);
  g_autoptr (GError) error = NULL;

  if (n == NULL || obj == NULL)
    {
      action_failed (sim, a, obj, "no such node");
      return;
    }
  if (!ks_client_delete (sim->client, ks_kind_get (KS_KIND_NODE), NULL, a->name, NULL, &error))
    {
      action_failed (sim, a, obj, error->message);
      return;
    }
  forget_node (sim, n);
  ks_event_record (&sim->scenario_events, obj, FALSE, "RemoveNode", a->name, "node/%s removed",
                   a->name);
  if (!sim->scenario->node_lifecycle) /* else the node lifecycle controller says so */
    ks_event_record (&sim->node_events, obj, FALSE, "RemovingNode", a->name,
                     "Node %s event: Removing Node %s from Controller", a->name, a->name);
}

/* The number of a node of pool (NAME-<n>), or -1 if it is not one. */
static gint64
pool_node_index (const char *pool, const char *node)
{
  size_t len = strlen (pool);
  const char *p;

  if (strncmp (node, pool, len) != 0 || node[len] != '-' || node[len + 1] == '\0')
    return -1;
  for (p = node + len + 1; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return -1;
  return g_ascii_strtoll (node + len + 1, NULL, 10);
}

static gint
cmp_index_desc (gconstpointer a, gconstpointer b, gpointer pool)
{
  gint64 x = pool_node_index (pool, ((const SimNode *) *(SimNode *const *) a)->name);
  gint64 y = pool_node_index (pool, ((const SimNode *) *(SimNode *const *) b)->name);
  return x < y ? 1 : x > y ? -1 : 0;
}

/* removeNodes: a node group scaling down by count, its newest nodes (highest numbers) first;
 * each is drained (PodDisruptionBudgets respected, evictions retried without limit, pods no
 * controller manages stopping it) and then deleted. */
static void
do_remove_nodes (KsSim *sim, const KsAction *a)
{
  g_autoptr (GPtrArray) members = g_ptr_array_new ();

  for (guint i = 0; i < sim->nodes->len; i++)
    {
      SimNode *n = g_ptr_array_index (sim->nodes, i);
      if (pool_node_index (a->name, n->name) >= 0)
        g_ptr_array_add (members, n);
    }
  if ((guint) a->replicas > members->len)
    {
      g_autofree char *msg = g_strdup_printf ("cannot remove %d nodes of pool \"%s\": it has %u",
                                              a->replicas, a->name, members->len);
      /* The event needs an object: the pool's newest node, else any node left. */
      const SimNode *about = members->len > 0      ? g_ptr_array_index (members, 0)
                             : sim->nodes->len > 0 ? g_ptr_array_index (sim->nodes, 0)
                                                   : NULL;
      g_autoptr (KsObject) obj
          = about == NULL
                ? NULL
                : ks_client_get (sim->client, ks_kind_get (KS_KIND_NODE), NULL, about->name, NULL);
      if (obj != NULL)
        action_failed (sim, a, obj, msg);
      else
        g_printerr ("kubesim: warning: removeNodes (%s) failed: %s\n", a->where, msg);
      return;
    }
  g_ptr_array_sort_with_data (members, cmp_index_desc, a->name);
  for (gint32 i = 0; i < a->replicas; i++)
    {
      KsAction *one = g_new0 (KsAction, 1);
      one->type = a->type;
      one->name = g_strdup (((SimNode *) g_ptr_array_index (members, i))->name);
      one->where = g_strdup (a->where);
      drain_start (sim, one, one, remove_drained_node);
    }
}

/* addNodes: more nodes of a cluster pool, each registering with a new node agent, as a node
 * group scaling up does. */
static void start_pool_failures (KsSim *sim, const char *pool, const char *node);

static void
do_add_nodes (KsSim *sim, const KsAction *a)
{
  const KsNodePool *pool = NULL;
  gint index = -1;

  for (guint i = 0; i < sim->scenario->pools->len; i++)
    if (strcmp (((const KsNodePool *) g_ptr_array_index (sim->scenario->pools, i))->name, a->name)
        == 0)
      pool = g_ptr_array_index (sim->scenario->pools, i), index = (gint) i;
  g_assert (pool != NULL); /* checked by ks_scenario_load */
  for (guint i = 0; a->nodes[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (KsNode) node = node_from_pool (pool, 0);
      g_free (node->parent.meta.name);
      node->parent.meta.name = g_strdup (a->nodes[i]);
      if (!add_node (sim, node, index, &error))
        {
          action_failed (sim, a, NULL, error->message);
          return;
        }
      ks_event_record (&sim->scenario_events, KS_OBJECT (node), FALSE, "AddNode", a->nodes[i],
                       "node/%s added", a->nodes[i]);
      if (!sim->scenario->node_lifecycle) /* else the node lifecycle controller says so */
        ks_event_record (&sim->node_events, KS_OBJECT (node), FALSE, "RegisteredNode", a->nodes[i],
                         "Node %s event: Registered Node %s in Controller", a->nodes[i],
                         a->nodes[i]);
      start_pool_failures (sim, a->name, a->nodes[i]);
    }
}

/* Random failures (the scenario's failures section) */

/* One failure model applied to one node (a pool model) or to one zone's nodes together: up for
 * a draw of MTBF, down for a draw of MTTR, from its own stream
 * ("failures/<index>/<node or zone>"), so that the times of one never depend on another. */
typedef struct
{
  KsSim *sim;
  const KsFailureModel *model;
  char *target;    /* the node, or the zone */
  GPtrArray *down; /* names of the nodes this driver took down (char*) */
  gsl_rng *rng;
  guint64 task;
} FailureDriver;

static void
failure_driver_free (gpointer p)
{
  FailureDriver *d = p;
  ks_clock_cancel (d->sim->clock, d->task);
  g_ptr_array_unref (d->down);
  gsl_rng_free (d->rng);
  g_free (d->target);
  g_free (d);
}

static void failure_due (gpointer data);
static void repair_due (gpointer data);

static void
schedule_failure (FailureDriver *d)
{
  d->task = ks_clock_schedule_in (d->sim->clock, ks_distribution_sample (&d->model->mtbf, d->rng),
                                  failure_due, d, NULL);
}

/* The node's zone label, as the Node has it now (NULL when none or no Node). */
static gboolean
node_in_zone (KsSim *sim, const char *node, const char *zone)
{
  g_autoptr (KsObject) obj
      = ks_client_get (sim->client, ks_kind_get (KS_KIND_NODE), NULL, node, NULL);
  return obj != NULL
         && g_strcmp0 (ks_object_get_label (obj, "topology.kubernetes.io/zone"), zone) == 0;
}

/* Take node down as the model says, if it is up; TRUE when it went down. */
static gboolean
driver_take_down (FailureDriver *d, SimNode *n)
{
  KsAction a = { .type = d->model->partition ? KS_ACTION_PARTITION_NODE : KS_ACTION_FAIL_NODE,
                 .name = n->name,
                 .where = d->model->where };

  if (n->state != NODE_UP)
    return FALSE;
  if (!(d->model->partition ? do_partition_node (d->sim, &a) : do_fail_node (d->sim, &a)))
    return FALSE;
  n->down_by = d;
  g_ptr_array_add (d->down, g_strdup (n->name));
  return TRUE;
}

static void
failure_due (gpointer data)
{
  FailureDriver *d = data;
  KsSim *sim = d->sim;

  d->task = 0;
  if (d->model->pool != NULL)
    {
      SimNode *n = g_hash_table_lookup (sim->nodes_by_name, d->target);
      if (n != NULL)
        driver_take_down (d, n);
    }
  else
    for (guint i = 0; i < sim->nodes->len; i++)
      {
        SimNode *n = g_ptr_array_index (sim->nodes, i);
        if (n->state == NODE_UP && node_in_zone (sim, n->name, d->target))
          driver_take_down (d, n);
      }
  if (d->down->len == 0)
    {
      /* Nothing to take down (down already, or gone): the next failure. */
      schedule_failure (d);
      return;
    }
  d->task = ks_clock_schedule_in (sim->clock, ks_distribution_sample (&d->model->mttr, d->rng),
                                  repair_due, d, NULL);
}

static void
repair_due (gpointer data)
{
  FailureDriver *d = data;
  KsSim *sim = d->sim;

  d->task = 0;
  for (guint i = 0; i < d->down->len; i++)
    {
      SimNode *n = g_hash_table_lookup (sim->nodes_by_name, g_ptr_array_index (d->down, i));
      KsAction a = { .name = g_ptr_array_index (d->down, i), .where = d->model->where };
      /* Unless something else brought it back (or removed it) meanwhile. */
      if (n == NULL || n->down_by != d)
        continue;
      if (n->state == NODE_FAILED)
        {
          a.type = KS_ACTION_RECOVER_NODE;
          do_recover_node (sim, &a);
        }
      else if (n->state == NODE_PARTITIONED)
        {
          a.type = KS_ACTION_HEAL_PARTITION;
          do_heal_partition (sim, &a);
        }
    }
  g_ptr_array_set_size (d->down, 0);
  schedule_failure (d);
}

static FailureDriver *
failure_driver_new (KsSim *sim, const KsFailureModel *model, guint index, const char *target)
{
  FailureDriver *d = g_new0 (FailureDriver, 1);
  g_autofree char *stream = g_strdup_printf ("failures/%u/%s", index, target);

  d->sim = sim;
  d->model = model;
  d->target = g_strdup (target);
  d->down = g_ptr_array_new_with_free_func (g_free);
  d->rng = ks_rng_new (sim->seed, stream);
  g_ptr_array_add (sim->failure_drivers, d);
  schedule_failure (d);
  return d;
}

/* Drivers for node of pool: one per model of that pool (a node of the start or one addNodes
 * adds; its stream is named after it either way). */
static void
start_pool_failures (KsSim *sim, const char *pool, const char *node)
{
  const GPtrArray *models = sim->scenario->failures;

  for (guint i = 0; models != NULL && i < models->len; i++)
    {
      const KsFailureModel *m = g_ptr_array_index (models, i);
      if (m->pool != NULL && strcmp (m->pool, pool) == 0)
        failure_driver_new (sim, m, i, node);
    }
}

/* A driver per zone model, and per node of each pool model. */
static void
start_failures (KsSim *sim)
{
  const GPtrArray *models = sim->scenario->failures;

  for (guint i = 0; models != NULL && i < models->len; i++)
    {
      const KsFailureModel *m = g_ptr_array_index (models, i);
      if (m->zone != NULL)
        failure_driver_new (sim, m, i, m->zone);
    }
  for (guint j = 0; j < sim->scenario->pools->len; j++)
    {
      const KsNodePool *pool = g_ptr_array_index (sim->scenario->pools, j);
      for (guint k = 0; k < pool->count; k++)
        {
          g_autofree char *node = g_strdup_printf ("%s-%u", pool->name, k);
          start_pool_failures (sim, pool->name, node);
        }
    }
}

typedef struct
{
  KsSim *sim;
  const KsAction *action;
} ActionTask;

static void
run_action (gpointer data)
{
  ActionTask *t = data;

  switch (t->action->type)
    {
    case KS_ACTION_APPLY:
      do_apply (t->sim, t->action);
      break;
    case KS_ACTION_SCALE:
      do_scale (t->sim, t->action);
      break;
    case KS_ACTION_DELETE:
      do_delete (t->sim, t->action);
      break;
    case KS_ACTION_FAIL_NODE:
      do_fail_node (t->sim, t->action);
      break;
    case KS_ACTION_RECOVER_NODE:
      do_recover_node (t->sim, t->action);
      break;
    case KS_ACTION_PARTITION_NODE:
      do_partition_node (t->sim, t->action);
      break;
    case KS_ACTION_HEAL_PARTITION:
      do_heal_partition (t->sim, t->action);
      break;
    case KS_ACTION_ROLLBACK:
      do_rollback (t->sim, t->action);
      break;
    case KS_ACTION_PAUSE:
    case KS_ACTION_RESUME:
      do_pause (t->sim, t->action, t->action->type == KS_ACTION_PAUSE);
      break;
    case KS_ACTION_CORDON:
    case KS_ACTION_UNCORDON:
      set_unschedulable (t->sim, t->action, t->action->type == KS_ACTION_CORDON);
      break;
    case KS_ACTION_DRAIN:
      do_drain (t->sim, t->action);
      break;
    case KS_ACTION_ADD_NODES:
      do_add_nodes (t->sim, t->action);
      break;
    case KS_ACTION_REMOVE_NODES:
      do_remove_nodes (t->sim, t->action);
      break;
    case KS_ACTION_AUTOSCALE:
      do_autoscale (t->sim, t->action);
      break;
    }
}

gboolean
ks_sim_start (KsSim *sim, GError **error)
{
  const KsScenario *s = sim->scenario;

  if (!ks_bootstrap_objects (sim->client, error))
    return FALSE;
  for (guint i = 0; i < s->pools->len; i++)
    {
      const KsNodePool *pool = g_ptr_array_index (s->pools, i);
      for (guint j = 0; j < pool->count; j++)
        {
          KsNode *node = node_from_pool (pool, j);
          gboolean ok = add_node (sim, node, (gint) i, error);
          ks_object_unref (KS_OBJECT (node));
          if (!ok)
            return FALSE;
        }
    }
  for (guint i = 0; i < s->nodes->len; i++)
    {
      KsNode *node = ks_node_copy (g_ptr_array_index (s->nodes, i));
      gboolean ok = add_node (sim, node, -1, error);
      ks_object_unref (KS_OBJECT (node));
      if (!ok)
        return FALSE;
    }
  /* Namespaces and PriorityClasses first, then the rest in order. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < s->objects->len; i++)
      {
        const KsObject *obj = g_ptr_array_index (s->objects, i);
        gboolean first
            = obj->kind->id == KS_KIND_NAMESPACE || obj->kind->id == KS_KIND_PRIORITY_CLASS;
        g_autoptr (GError) local = NULL;
        if (first != (pass == 0))
          continue;
        if (!create_object (sim, obj, &local))
          {
            g_set_error (error, KS_SIM_ERROR, KS_SIM_ERROR_INPUT, "%s: cannot create %s %s: %s",
                         s->path, obj->kind->name, obj->meta.name, local->message);
            return FALSE;
          }
        {
          g_autofree char *name = kubectl_name (obj);
          ks_event_record (&sim->scenario_events, obj, FALSE, "Apply", NULL, "%s created", name);
        }
      }
  if (sim->traffic != NULL)
    ks_sim_traffic_start (sim->traffic);
  if (sim->autoscaler != NULL)
    ks_sim_autoscaler_start (sim->autoscaler);
  for (guint i = 0; i < s->actions->len; i++)
    {
      ActionTask *t = g_new (ActionTask, 1);
      t->sim = sim;
      t->action = g_ptr_array_index (s->actions, i);
      ks_clock_schedule (sim->clock, t->action->at, run_action, t, g_free);
    }
  start_failures (sim);
  return TRUE;
}

void
ks_sim_run_until (KsSim *sim, gint64 end, KsSimProgressFunc progress, gpointer user_data)
{
  guint n = 0;

  while (ks_sim_clock_step (sim->sim_clock, end))
    if (progress != NULL && ++n == 16384)
      {
        n = 0;
        progress (ks_clock_now (sim->clock), ks_sim_clock_get_n_run (sim->sim_clock), user_data);
      }
  ks_sim_clock_run_until (sim->sim_clock, end);
}

/* What the cluster autoscaler asks of the sim (ks-sim-private.h). */

KsNode *
ks_sim_node_from_pool (KsSim *sim, const KsNodePool *pool, const char *name)
{
  KsNode *node = node_from_pool (pool, 0);

  g_free (node->parent.meta.name);
  node->parent.meta.name = g_strdup (name);
  add_kubelet_labels (node);
  set_healthy (node, ks_clock_now (sim->clock));
  return node;
}

gboolean
ks_sim_add_pool_node (KsSim *sim, guint pool, const char *name, GError **error)
{
  g_autoptr (KsNode) node
      = ks_sim_node_from_pool (sim, g_ptr_array_index (sim->scenario->pools, pool), name);

  if (!add_node (sim, node, (gint) pool, error))
    return FALSE;
  ks_event_record (&sim->node_events, KS_OBJECT (node), FALSE, "RegisteredNode", name,
                   "Node %s event: Registered Node %s in Controller", name, name);
  return TRUE;
}

gboolean
ks_sim_add_node (KsSim *sim, const KsNode *node, GError **error)
{
  g_autoptr (KsNode) copy = NULL;
  const char *name = node->parent.meta.name;

  if (g_hash_table_contains (sim->nodes_by_name, name))
    {
      g_set_error (error, KS_SIM_ERROR, KS_SIM_ERROR_INPUT, "node \"%s\" already exists", name);
      return FALSE;
    }
  copy = ks_node_copy (node);
  if (!add_node (sim, copy, -1, error))
    return FALSE;
  ks_event_record (&sim->node_events, KS_OBJECT (copy), FALSE, "RegisteredNode", name,
                   "Node %s event: Registered Node %s in Controller", name, name);
  return TRUE;
}

gboolean
ks_sim_delete_node (KsSim *sim, const char *name, GError **error)
{
  SimNode *n = g_hash_table_lookup (sim->nodes_by_name, name);
  g_autoptr (KsObject) obj
      = ks_client_get (sim->client, ks_kind_get (KS_KIND_NODE), NULL, name, NULL);

  if (n == NULL || obj == NULL)
    {
      g_set_error (error, KS_SIM_ERROR, KS_SIM_ERROR_INPUT, "no node \"%s\"", name);
      return FALSE;
    }
  if (!ks_client_delete (sim->client, ks_kind_get (KS_KIND_NODE), NULL, name, NULL, error))
    return FALSE;
  forget_node (sim, n);
  ks_event_record (&sim->node_events, obj, FALSE, "RemovingNode", name,
                   "Node %s event: Removing Node %s from Controller", name, name);
  return TRUE;
}

double
ks_sim_get_pool_node_hours (KsSim *sim, guint pool)
{
  const PoolUse *u = &sim->pool_use[pool];
  gint64 now = ks_clock_now (sim->clock);

  return (double) (u->node_us + (gint64) u->alive * now - u->sum_since)
         / (3600.0 * KS_USEC_PER_SEC);
}

guint
ks_sim_get_pool_nodes (KsSim *sim, guint pool)
{
  return sim->pool_use[pool].alive;
}

KsSimAutoscaler *
ks_sim_get_autoscaler (KsSim *sim)
{
  return sim->autoscaler;
}
