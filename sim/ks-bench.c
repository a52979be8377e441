/* ks-bench.c: the built-in benchmark. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ks-bench.h"
#include "ks-sim-model.h"
#include "ks-sim.h"
#include "src/api/ks-pod.h"
#include "src/ks-rng.h"
#include "src/scheduler/ks-framework.h"

/* Resident memory in bytes (VmRSS), or -1. */
static gint64
resident_bytes (void)
{
  g_autofree char *status = NULL;
  const char *p;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  p = strstr (status, "VmRSS:");
  if (p == NULL)
    return -1;
  return g_ascii_strtoll (p + 6, NULL, 10) * 1024;
}

/* A handful of pod shapes, as a real workload has a handful of templates. */
#define N_SHAPES 16
/* The spread workload's zones. */
#define N_ZONES 10
#define ZONE_KEY "topology.kubernetes.io/zone"

/* The spread workload's scheduling terms for the pods of app: spread evenly over the zones, one
 * pod of the app per node. */
static KsPodSpec *
spread_spec (const char *app)
{
  g_autofree char *json = g_strdup_printf (
      "{\"containers\": [{\"name\": \"main\", \"image\": \"busybox:1.36\"}],"
      " \"topologySpreadConstraints\": [{\"maxSkew\": 1, \"topologyKey\": \"" ZONE_KEY "\","
      " \"whenUnsatisfiable\": \"DoNotSchedule\","
      " \"labelSelector\": {\"matchLabels\": {\"app\": \"%s\"}}}],"
      " \"affinity\": {\"podAntiAffinity\": {\"requiredDuringSchedulingIgnoredDuringExecution\":"
      " [{\"labelSelector\": {\"matchLabels\": {\"app\": \"%s\"}},"
      " \"topologyKey\": \"kubernetes.io/hostname\"}]}}}",
      app, app);
  g_autoptr (JsonNode) node = json_from_string (json, NULL);
  g_autoptr (KsDiag) diag = ks_diag_new ();
  KsDecoder dec;
  KsPodSpec *spec;

  ks_decoder_init (&dec, NULL, diag);
  spec = ks_pod_spec_decode (&dec, node);
  ks_decoder_clear (&dec);
  g_assert (spec != NULL);
  return spec;
}

static KsPodSpec *
shape (guint i, KsBenchWorkload workload, const char *app)
{
  static const gint64 cpus[] = { 250, 500, 750, 1000 };
  static const gint64 mems[] = { 256, 512, 1024, 2048 };
  KsPodSpec *spec = workload == KS_BENCH_SPREAD ? spread_spec (app) : ks_pod_spec_new ();

  if (spec->n_containers == 0)
    {
      spec->containers = g_new0 (KsContainer, 1);
      spec->n_containers = 1;
      spec->containers[0].name = g_strdup ("main");
      spec->containers[0].image = g_strdup ("busybox:1.36");
    }
  g_free (spec->containers[0].image_pull_policy);
  spec->containers[0].image_pull_policy = g_strdup ("IfNotPresent");
  ks_resources_set (&spec->containers[0].requests, KS_RESOURCE_CPU, cpus[i % 4]);
  ks_resources_set (&spec->containers[0].requests, KS_RESOURCE_MEMORY,
                    mems[(i / 4) % 4] * 1024 * 1024);
  spec->restart_policy = KS_RESTART_NEVER;
  ks_pod_spec_finish (spec);
  return spec;
}

gboolean
ks_bench_run (const KsBenchParams *p, KsBenchResult *r, GError **error)
{
  g_autoptr (KsScenario) s = g_new0 (KsScenario, 1);
  g_autoptr (KsSim) sim = NULL;
  g_autoptr (gsl_rng) rng = ks_rng_new (p->seed, "bench");
  KsPodSpec *specs[N_SHAPES];
  KsStrMap *annotations[N_SHAPES];
  KsStrMap *labels[N_SHAPES];
  guint n_zones = p->workload == KS_BENCH_SPREAD ? MIN (N_ZONES, p->nodes) : 1;
  KsClient *client;
  gint64 t0, horizon = 0;
  gboolean created_all = TRUE;

  memset (r, 0, sizeof *r);
  s->name = g_strdup ("bench");
  s->path = g_strdup ("<bench>");
  s->seed = p->seed;
  s->kubelet_startup = KS_USEC_PER_SEC;
  /* kube-controller-manager's defaults, but every finished pod is kept, to be counted. */
  s->controllers = g_new (KsControllerOptions, 1);
  ks_controller_options_init (s->controllers);
  s->controllers->terminated_pod_gc_threshold = 0;
  s->pools = g_ptr_array_new_with_free_func ((GDestroyNotify) ks_node_pool_free);
  s->nodes = g_ptr_array_new ();
  s->objects = g_ptr_array_new ();
  s->actions = g_ptr_array_new ();
  s->scheduler = p->config != NULL ? ks_scheduler_config_load_file (p->config, error)
                                   : ks_scheduler_config_new_default ();
  if (s->scheduler == NULL)
    return FALSE;
  /* One pool "node" (default), or a pool per zone "zone-Z" (the nodes shared out). */
  for (guint z = 0; z < n_zones; z++)
    {
      KsNodePool *pool = g_new0 (KsNodePool, 1);
      g_autofree char *zone = g_strdup_printf ("zone-%u", z);
      pool->name = n_zones > 1 ? g_strdup (zone) : g_strdup ("node");
      pool->count = p->nodes / n_zones + (z < p->nodes % n_zones);
      if (n_zones > 1)
        pool->labels = ks_str_map_new_pairs (ZONE_KEY, zone, NULL);
      ks_resources_set (&pool->capacity, KS_RESOURCE_CPU, 32000);
      ks_resources_set (&pool->capacity, KS_RESOURCE_MEMORY, G_GINT64_CONSTANT (128) << 30);
      ks_resources_set (&pool->capacity, KS_RESOURCE_PODS, 110);
      g_ptr_array_add (s->pools, pool);
    }

  sim = ks_sim_new (s, p->seed, error);
  if (sim == NULL || !ks_sim_start (sim, error))
    goto fail;
  ks_sim_run_until (sim, 0, NULL, NULL);
  client = ks_sim_get_client (sim);
  r->nodes_scored
      = ks_num_feasible_nodes_to_find (s->scheduler->percentage_of_nodes_to_score, p->nodes);
  r->rss_nodes = resident_bytes ();

  for (guint i = 0; i < N_SHAPES; i++)
    {
      /* Run times of 5 to 20 minutes, so that pods live long enough to be measured. */
      g_autofree char *d = g_strdup_printf ("%um", 5 + i);
      /* The spread workload: one app per shape. */
      g_autofree char *app
          = p->workload == KS_BENCH_SPREAD ? g_strdup_printf ("bench-%u", i) : g_strdup ("bench");
      labels[i] = ks_str_map_new_pairs ("app", app, NULL);
      specs[i] = shape (i, p->workload, app);
      annotations[i] = ks_str_map_new_pairs ("kubesim.io/duration", d, NULL);
      horizon = MAX (horizon, (gint64) (5 + i) * KS_USEC_PER_MIN);
    }
  for (guint i = 0; i < p->pods; i++)
    {
      guint k = (guint) ks_rng_uniform (rng, N_SHAPES);
      KsPod *pod = ks_pod_new (specs[k]);
      KsObject *created;
      pod->parent.meta.generate_name = ks_intern ("bench-");
      pod->parent.meta.namespace = ks_intern ("default");
      ks_object_set_labels (KS_OBJECT (pod), labels[k]);
      ks_object_set_annotations (KS_OBJECT (pod), annotations[k]);
      created = ks_client_create (client, KS_OBJECT (pod), error);
      ks_object_unref (KS_OBJECT (pod));
      if (created == NULL)
        {
          created_all = FALSE;
          break;
        }
      ks_object_unref (created);
    }
  for (guint i = 0; i < N_SHAPES; i++)
    {
      ks_pod_spec_unref (specs[i]);
      ks_str_map_unref (annotations[i]);
      ks_str_map_unref (labels[i]);
    }
  if (!created_all)
    goto fail;

  /* The scheduling burst: every pod is pending at time 0. */
  t0 = g_get_monotonic_time ();
  ks_sim_run_until (sim, 0, NULL, NULL);
  r->schedule_seconds = (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
  {
    KsSchedulerStats st;
    ks_scheduler_get_stats (ks_sim_get_scheduler (sim), &st);
    r->scheduled = st.scheduled;
  }
  /* Every container has started one second later: the pods are live. */
  {
    guint64 before = ks_sim_get_events_processed (sim);
    t0 = g_get_monotonic_time ();
    ks_sim_run_until (sim, 2 * KS_USEC_PER_SEC, NULL, NULL);
    r->rss_pods = resident_bytes ();
    r->live_pods = ks_store_count (ks_sim_get_store (sim), ks_kind_get (KS_KIND_POD));
    ks_sim_run_until (sim, horizon + KS_USEC_PER_MIN, NULL, NULL);
    r->lifecycle_seconds = (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
    r->lifecycle_events = ks_sim_get_events_processed (sim) - before;
  }
  {
    g_autoptr (GPtrArray) pods = ks_client_list (client, ks_kind_get (KS_KIND_POD), NULL, NULL);
    for (guint i = 0; i < pods->len; i++)
      r->finished += KS_POD (g_ptr_array_index (pods, i))->phase == KS_POD_SUCCEEDED;
  }
  g_clear_pointer (&sim, ks_sim_free);
  return TRUE;

fail:
  return FALSE;
}
