/* ks-totals.c: run-wide sums for summary.json's "totals" (docs/experiments.md). */
#include "config.h"

#include <math.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <string.h>

#include "ks-totals.h"
#include "src/api/ks-node.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-yaml-emit.h"
#include "src/ks-intern.h"

struct _KsTotals
{
  KsClient *client;
  KsClock *clock;
  guint watches[2];
  gint64 start, last; /* µs: time 0 of the means; the instant the sums below reach */

  /* Now: */
  gint64 unbound; /* pods Pending without a node */
  gint64 req_cpu, req_memory, req_gpu;
  gint64 alloc_cpu, alloc_memory, alloc_gpu;
  gint64 nodes;
  gboolean had_gpus;

  /* Integrals over [start, last]: */
  double pending_us;                /* pods × µs */
  double node_us;                   /* nodes × µs */
  double cpu_us, memory_us, gpu_us; /* ratio × µs */

  guint64 created_unbound, bound, evictions;
  gint64 first_created, last_finished; /* KS_TIME_NONE: none yet */
  double fragmentation_sum;
  guint fragmentation_samples;
};

/* Bring the integrals up to now with the values that held since the last change. */
static void
advance (KsTotals *t)
{
  gint64 now = ks_clock_now (t->clock);
  double dt = (double) (now - t->last);

  if (now <= t->last)
    return;
  t->pending_us += (double) t->unbound * dt;
  t->node_us += (double) t->nodes * dt;
  if (t->alloc_cpu > 0)
    t->cpu_us += (double) t->req_cpu / (double) t->alloc_cpu * dt;
  if (t->alloc_memory > 0)
    t->memory_us += (double) t->req_memory / (double) t->alloc_memory * dt;
  if (t->alloc_gpu > 0)
    t->gpu_us += (double) t->req_gpu / (double) t->alloc_gpu * dt;
  t->last = now;
}

/* As the recorder: a pod holds its requests on its node while bound and not terminal. */
static gboolean
holds (const KsPod *pod)
{
  return pod != NULL && pod->node_name != NULL && !ks_pod_is_terminal (pod);
}

static gboolean
unbound (const KsPod *pod)
{
  return pod != NULL && pod->phase == KS_POD_PENDING && pod->node_name == NULL;
}

KsDisruptionKind
ks_totals_disruption_kind (const KsPod *pod)
{
  const KsCondition *c = &pod->conditions[KS_POD_COND_DISRUPTION_TARGET];

  if (c->status != KS_CONDITION_TRUE || c->reason == NULL)
    return KS_DISRUPTION_NONE;
  if (strcmp (c->reason, KS_DISRUPTION_PREEMPTION_BY_SCHEDULER) == 0)
    return KS_DISRUPTION_PREEMPTION;
  if (strcmp (c->reason, KS_DISRUPTION_EVICTION_BY_EVICTION_API) == 0
      || strcmp (c->reason, KS_DISRUPTION_DELETION_BY_TAINT_MANAGER) == 0
      || strcmp (c->reason, KS_DISRUPTION_TERMINATION_BY_KUBELET) == 0
      || strcmp (c->reason, KS_DISRUPTION_DELETION_BY_POD_GC) == 0)
    return KS_DISRUPTION_EVICTION;
  return KS_DISRUPTION_NONE;
}

/* The change marked a pod that had not ended as evicted (a pod preempted and then evicted while
 * terminating counts: the Eviction API overwrites the reason, as pods.csv then shows it).  A
 * pod that ended before it was marked (the Eviction API marks terminal pods too) does not
 * count, as pods.csv, whose row was written when the pod ended, does not. */
static gboolean
newly_evicted (const KsPod *prev, const KsPod *cur)
{
  if (cur == NULL || ks_totals_disruption_kind (cur) != KS_DISRUPTION_EVICTION)
    return FALSE;
  if (prev == NULL)
    return !ks_pod_is_terminal (cur);
  return !ks_pod_is_terminal (prev) && ks_totals_disruption_kind (prev) != KS_DISRUPTION_EVICTION;
}

static void
add_requests (KsTotals *t, const KsPod *pod, int sign)
{
  const KsResources *r = &pod->spec->requests;
  t->req_cpu += sign * r->milli_cpu;
  t->req_memory += sign * r->memory;
  if (r->n_scalar > 0)
    t->req_gpu += sign * ks_resources_get (r, KS_TOTALS_GPU_RESOURCE);
}

static void
on_pod (const KsWatchEvent *event, gpointer data)
{
  KsTotals *t = data;
  const KsPod *cur = event->type == KS_WATCH_DELETED ? NULL : KS_POD (event->object);
  const KsPod *prev = event->type == KS_WATCH_ADDED     ? NULL
                      : event->type == KS_WATCH_DELETED ? KS_POD (event->object)
                                                        : KS_POD (event->old_object);
  gint64 now = ks_clock_now (t->clock);

  advance (t);
  if (event->type == KS_WATCH_ADDED)
    {
      if (cur->node_name == NULL)
        t->created_unbound++;
      if (t->first_created == KS_TIME_NONE)
        t->first_created = now;
    }
  t->unbound += unbound (cur) - unbound (prev);
  if (holds (prev) && (!holds (cur) || prev->spec != cur->spec))
    add_requests (t, prev, -1);
  if (holds (cur) && (!holds (prev) || prev->spec != cur->spec))
    add_requests (t, cur, +1);
  if (prev != NULL && cur != NULL && prev->node_name == NULL && cur->node_name != NULL)
    t->bound++;
  if (cur != NULL && ks_pod_is_terminal (cur) && (prev == NULL || !ks_pod_is_terminal (prev)))
    t->last_finished = now;
  if (newly_evicted (prev, cur))
    t->evictions++;
}

static void
add_node (KsTotals *t, const KsNode *node, int sign)
{
  const KsResources *r = &node->allocatable;
  gint64 gpus = r->n_scalar > 0 ? ks_resources_get (r, KS_TOTALS_GPU_RESOURCE) : 0;

  t->nodes += sign;
  t->alloc_cpu += sign * r->milli_cpu;
  t->alloc_memory += sign * r->memory;
  t->alloc_gpu += sign * gpus;
  t->had_gpus |= gpus > 0;
}

static void
on_node (const KsWatchEvent *event, gpointer data)
{
  KsTotals *t = data;

  advance (t);
  if (event->type != KS_WATCH_ADDED)
    add_node (t, KS_NODE (event->type == KS_WATCH_DELETED ? event->object : event->old_object), -1);
  if (event->type != KS_WATCH_DELETED)
    add_node (t, KS_NODE (event->object), +1);
}

KsTotals *
ks_totals_new (KsClient *client, KsClock *clock)
{
  KsTotals *t = g_new0 (KsTotals, 1);

  t->client = client;
  t->clock = clock;
  t->start = t->last = ks_clock_now (clock);
  t->first_created = t->last_finished = KS_TIME_NONE;
  t->watches[0]
      = ks_client_watch (client, ks_kind_get (KS_KIND_NODE), NULL, TRUE, on_node, t, NULL);
  t->watches[1] = ks_client_watch (client, ks_kind_get (KS_KIND_POD), NULL, TRUE, on_pod, t, NULL);
  return t;
}

void
ks_totals_free (KsTotals *t)
{
  if (t == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (t->watches); i++)
    ks_client_unwatch (t->client, t->watches[i]);
  g_free (t);
}

typedef struct
{
  gint64 cpu, memory, gpu;
} Free;

/* The share of the free cpu of the Ready, schedulable nodes that lies on nodes where the median
 * waiting request (median cpu, median memory, median GPUs of the pods Pending without a node)
 * does not fit. */
void
ks_totals_sample (KsTotals *t, KsTotalsSample *out)
{
  g_autoptr (GPtrArray) pods = NULL;
  g_autoptr (GPtrArray) nodes = NULL;
  g_autoptr (GHashTable) free_by_node = NULL;
  g_autofree double *cpu = NULL, *memory = NULL, *gpu = NULL;
  g_autofree Free *free = NULL;
  double med_cpu, med_memory, med_gpu, total = 0, unusable = 0;
  guint n = 0;

  /* Not advance (): the summary's sums stay those of the pod and node changes alone. */
  out->fragmentation = NAN;
  out->node_hours = (t->node_us + (double) t->nodes * (double) (ks_clock_now (t->clock) - t->last))
                    / (3600.0 * G_USEC_PER_SEC);
  out->gpu_requested_ratio
      = t->alloc_gpu > 0 ? (double) t->req_gpu / (double) t->alloc_gpu : (double) NAN;
  if (t->unbound <= 0)
    return;
  pods = ks_client_list (t->client, ks_kind_get (KS_KIND_POD), NULL, NULL);
  nodes = ks_client_list (t->client, ks_kind_get (KS_KIND_NODE), NULL, NULL);
  cpu = g_new (double, pods->len + 1);
  memory = g_new (double, pods->len + 1);
  gpu = g_new (double, pods->len + 1);
  free = g_new0 (Free, nodes->len + 1);
  free_by_node = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint i = 0; i < nodes->len; i++)
    {
      const KsNode *node = g_ptr_array_index (nodes, i);
      free[i].cpu = node->allocatable.milli_cpu;
      free[i].memory = node->allocatable.memory;
      free[i].gpu = ks_resources_get (&node->allocatable, KS_TOTALS_GPU_RESOURCE);
      g_hash_table_insert (free_by_node, (gpointer) ks_intern (node->parent.meta.name), &free[i]);
    }
  for (guint i = 0; i < pods->len; i++)
    {
      const KsPod *pod = g_ptr_array_index (pods, i);
      const KsResources *r = &pod->spec->requests;
      Free *f;
      if (unbound (pod))
        {
          cpu[n] = (double) r->milli_cpu;
          memory[n] = (double) r->memory;
          gpu[n] = (double) ks_resources_get (r, KS_TOTALS_GPU_RESOURCE);
          n++;
        }
      else if (holds (pod) && (f = g_hash_table_lookup (free_by_node, pod->node_name)) != NULL)
        {
          f->cpu -= r->milli_cpu;
          f->memory -= r->memory;
          f->gpu -= ks_resources_get (r, KS_TOTALS_GPU_RESOURCE);
        }
    }
  if (n == 0)
    return;
  gsl_sort (cpu, 1, n);
  gsl_sort (memory, 1, n);
  gsl_sort (gpu, 1, n);
  med_cpu = gsl_stats_median_from_sorted_data (cpu, 1, n);
  med_memory = gsl_stats_median_from_sorted_data (memory, 1, n);
  med_gpu = gsl_stats_median_from_sorted_data (gpu, 1, n);
  for (guint i = 0; i < nodes->len; i++)
    {
      const KsNode *node = g_ptr_array_index (nodes, i);
      const Free *f = &free[i];
      double c = (double) MAX (f->cpu, 0);
      if (!ks_node_is_ready (node) || node->unschedulable)
        continue;
      total += c;
      if (c < med_cpu || (double) f->memory < med_memory || (med_gpu > 0 && f->gpu < med_gpu))
        unusable += c;
    }
  out->fragmentation = total > 0 ? unusable / total : 0;
  t->fragmentation_sum += out->fragmentation;
  t->fragmentation_samples++;
}

static void
append_number (GString *json, const char *name, double v, gboolean last)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (json, "    \"%s\": %s%s\n", name,
                          g_ascii_formatd (buf, sizeof buf, "%.10g", v), last ? "" : ",");
}

static void
append_null (GString *json, const char *name)
{
  g_string_append_printf (json, "    \"%s\": null,\n", name);
}

void
ks_totals_append_summary (KsTotals *t, GString *json)
{
  double span;

  advance (t);
  span = (double) (t->last - t->start);
  g_string_append (json, ",\n  \"totals\": {\n");
  append_number (json, "pending_pod_seconds", t->pending_us / G_USEC_PER_SEC, FALSE);
  g_string_append_printf (json, "    \"pods_never_scheduled\": %" G_GUINT64_FORMAT ",\n",
                          t->created_unbound - t->bound);
  if (t->last_finished != KS_TIME_NONE)
    append_number (json, "makespan_s",
                   (double) (t->last_finished - t->first_created) / G_USEC_PER_SEC, FALSE);
  else
    append_null (json, "makespan_s");
  g_string_append_printf (json, "    \"evictions\": %" G_GUINT64_FORMAT ",\n", t->evictions);
  append_number (json, "node_hours", t->node_us / (3600.0 * G_USEC_PER_SEC), FALSE);
  append_number (json, "mean_cpu_allocated_ratio", span > 0 ? t->cpu_us / span : 0, FALSE);
  append_number (json, "mean_memory_allocated_ratio", span > 0 ? t->memory_us / span : 0, FALSE);
  if (t->had_gpus)
    append_number (json, "mean_gpu_allocated_ratio", span > 0 ? t->gpu_us / span : 0, FALSE);
  else
    append_null (json, "mean_gpu_allocated_ratio");
  if (t->fragmentation_samples > 0)
    append_number (json, "fragmentation", t->fragmentation_sum / t->fragmentation_samples, TRUE);
  else
    g_string_append (json, "    \"fragmentation\": null\n");
  g_string_append (json, "  }");
}
