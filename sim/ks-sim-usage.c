/* ks-sim-usage.c: the running pods' modelled usage, summed (see ks-sim-usage.h). */
#include "config.h"

#include "ks-sim-model.h"
#include "ks-sim-usage.h"
#include "src/api/ks-pod.h"

#define GPU_RESOURCE "nvidia.com/gpu"

/* What one pod adds to the sums. */
typedef struct
{
  gint64 cpu, memory, gpu; /* millicores, bytes, GPUs */
  guint growing;           /* running containers with a share of memory growth */
  double growth;           /* their shares, bytes per µs */
  double growth_start;     /* Σ share × the container's start (µs): bytes */
} Use;

struct _KsSimUsage
{
  KsClient *client;
  KsClock *clock;
  KsSimTraffic *traffic;
  guint watch;

  /* The running pods' sums (memory growth: growth × now − growth_start bytes more): */
  Use sum;
  /* The annotations parsed last (a reference: pods of one template share theirs) and their
   * model, so that a template's pods parse them once. */
  KsStrMap *parsed;
  gboolean parsed_ok;
  KsSimPodModel model;
  /* Integrals of cpu (without requests served), memory and GPU up to last: */
  gint64 last;
  double cpu_us, memory_us, gpu_us;
};

/* The memory growth of the sum at time t, bytes. */
static double
growth_at (const Use *u, gint64 t)
{
  return u->growing > 0 ? u->growth * (double) t - u->growth_start : 0;
}

static gboolean
running (const KsContainerStatus *s)
{
  return s->state == KS_CONTAINER_RUNNING;
}

/* The pod's usage (zero when none of its containers runs), as the modelled runtime reports it
 * (sim/ks-sim-runtime.c sr_container_stats): the pod's cpu and memory usage shared by its
 * running containers, and memory growth split among its sidecars and containers. */
/* The model of annotations (NULL when they do not parse). */
static const KsSimPodModel *
model_of (KsSimUsage *u, KsStrMap *annotations)
{
  if (u->parsed == NULL || annotations != u->parsed)
    {
      g_clear_pointer (&u->parsed, ks_str_map_unref);
      u->parsed = annotations != NULL ? ks_str_map_ref (annotations) : NULL;
      u->parsed_ok = ks_sim_pod_model_parse (annotations, &u->model, NULL);
    }
  return u->parsed_ok ? &u->model : NULL;
}

static void
pod_use (KsSimUsage *u, const KsPod *pod, Use *out)
{
  const KsPodSpec *spec;
  const KsContainerStatus *init;
  const KsSimPodModel *model;
  gboolean any = FALSE;
  guint steady;

  memset (out, 0, sizeof *out);
  if (pod == NULL || pod->node_name == NULL || pod->container_statuses == NULL)
    return;
  spec = pod->spec;
  init = ks_pod_init_container_statuses (pod);
  for (guint i = 0; i < spec->n_containers && !any; i++)
    any = running (&pod->container_statuses[i]);
  for (guint i = 0; init != NULL && i < spec->n_init_containers && !any; i++)
    any = running (&init[i]);
  /* Annotations parsed only for pods that run; a bad one was refused when the scenario was
   * loaded, and the runtime reports no usage for it either. */
  if (!any || (model = model_of (u, KS_OBJECT (pod)->meta.annotations)) == NULL)
    return;
  out->cpu = MAX (model->cpu_usage, 0);
  out->memory = MAX (model->memory_usage, 0);
  if (spec->requests.n_scalar > 0)
    out->gpu = ks_resources_get (&spec->requests, GPU_RESOURCE);
  if (model->memory_growth <= 0)
    return;
  steady = spec->n_containers;
  for (guint i = 0; i < spec->n_init_containers; i++)
    steady += spec->init_containers[i].restart_always;
  for (guint i = 0; i < spec->n_containers + spec->n_init_containers; i++)
    {
      gboolean is_init = i >= spec->n_containers;
      const KsContainerStatus *s
          = is_init ? &init[i - spec->n_containers] : &pod->container_statuses[i];
      double share;
      /* Init containers that complete have no share of the growth. */
      if (!running (s)
          || (is_init && !spec->init_containers[i - spec->n_containers].restart_always))
        continue;
      share = model->memory_growth / MAX (steady, 1) / G_USEC_PER_SEC;
      out->growing++;
      out->growth += share;
      out->growth_start += share * (double) s->started_at;
    }
}

static void
add_use (Use *sum, const Use *u, int sign)
{
  sum->cpu += sign * u->cpu;
  sum->memory += sign * u->memory;
  sum->gpu += sign * u->gpu;
  sum->growing += sign * (int) u->growing;
  sum->growth += sign * u->growth;
  sum->growth_start += sign * u->growth_start;
  /* No rounding left behind once nothing grows. */
  if (sum->growing == 0)
    sum->growth = sum->growth_start = 0;
}

/* The integrals of [from, to] at the current sums. */
static void
integrate (const KsSimUsage *u, gint64 from, gint64 to, double *cpu, double *memory, double *gpu)
{
  double dt = (double) (to - from);

  *cpu = (double) u->sum.cpu * dt;
  /* Growth is linear in time: its mean over the span is its value at the middle. */
  *memory
      = ((double) u->sum.memory + (growth_at (&u->sum, from) + growth_at (&u->sum, to)) / 2) * dt;
  *gpu = (double) u->sum.gpu * dt;
}

static void
advance (KsSimUsage *u)
{
  gint64 now = ks_clock_now (u->clock);
  double cpu, memory, gpu;

  if (now <= u->last)
    return;
  integrate (u, u->last, now, &cpu, &memory, &gpu);
  u->cpu_us += cpu;
  u->memory_us += memory;
  u->gpu_us += gpu;
  u->last = now;
}

/* Whether a and b have the same usage without working it out: the same spec and annotations,
 * and the same containers running since the same instants (most changes of a running pod: its
 * conditions, readiness, restart counts of others). */
static gboolean
same_use (const KsPod *a, const KsPod *b)
{
  guint n;

  if (a == NULL || b == NULL || a->spec != b->spec || a->node_name != b->node_name
      || a->parent.meta.annotations != b->parent.meta.annotations
      || (a->container_statuses == NULL) != (b->container_statuses == NULL))
    return FALSE;
  n = a->container_statuses != NULL ? a->spec->n_containers + a->spec->n_init_containers : 0;
  for (guint i = 0; i < n; i++)
    {
      const KsContainerStatus *x = &a->container_statuses[i], *y = &b->container_statuses[i];
      if (running (x) != running (y) || (running (x) && x->started_at != y->started_at))
        return FALSE;
    }
  return TRUE;
}

static void
on_pod (const KsWatchEvent *event, gpointer data)
{
  KsSimUsage *u = data;
  const KsPod *cur = event->type == KS_WATCH_DELETED ? NULL : KS_POD (event->object);
  const KsPod *prev = event->type == KS_WATCH_ADDED     ? NULL
                      : event->type == KS_WATCH_DELETED ? KS_POD (event->object)
                                                        : KS_POD (event->old_object);
  Use before, after;

  if (same_use (prev, cur))
    return;
  pod_use (u, prev, &before);
  pod_use (u, cur, &after);
  if (memcmp (&before, &after, sizeof before) == 0)
    return;
  advance (u);
  add_use (&u->sum, &before, -1);
  add_use (&u->sum, &after, +1);
}

KsSimUsage *
ks_sim_usage_new (KsClient *client, KsClock *clock, KsSimTraffic *traffic)
{
  KsSimUsage *u = g_new0 (KsSimUsage, 1);

  u->client = client;
  u->clock = clock;
  u->traffic = traffic;
  u->last = ks_clock_now (clock);
  u->watch = ks_client_watch (client, ks_kind_get (KS_KIND_POD), NULL, TRUE, on_pod, u, NULL);
  return u;
}

void
ks_sim_usage_free (KsSimUsage *u)
{
  if (u == NULL)
    return;
  ks_client_unwatch (u->client, u->watch);
  g_clear_pointer (&u->parsed, ks_str_map_unref);
  g_free (u);
}

void
ks_sim_usage_read (KsSimUsage *u, KsSimUsageValues *out)
{
  gint64 now = ks_clock_now (u->clock);
  double cpu = 0, memory = 0, gpu = 0;

  if (now > u->last)
    integrate (u, u->last, now, &cpu, &memory, &gpu);
  out->cpu = (double) u->sum.cpu;
  out->memory = (double) u->sum.memory + MAX (growth_at (&u->sum, now), 0);
  out->gpu = (double) u->sum.gpu;
  out->cpu_integral = u->cpu_us + cpu;
  /* core-ns are millicore-µs */
  if (u->traffic != NULL)
    out->cpu_integral += (double) ks_sim_traffic_cpu_ns (u->traffic);
  out->memory_integral = u->memory_us + memory;
  out->gpu_integral = u->gpu_us + gpu;
}
