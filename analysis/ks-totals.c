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

/* A node's free capacity: its allocatable less the requests of the pods that hold it. */
typedef struct
{
  gint64 cpu, memory, gpu;
  gboolean present, schedulable; /* schedulable: Ready and not cordoned */
} Free;

/* The requests of a pod waiting for a node. */
typedef struct
{
  gint64 cpu, memory, gpu;
} Request;

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

  /* The usage model (ks_totals_set_usage; NULL: none), its integrals at last, and the integrals
   * of the used ratios over [start, last] (ratio × µs). */
  KsRecorderUsageFunc usage;
  gpointer usage_data;
  KsRecorderUsage usage_last;
  double cpu_used_us, memory_used_us, gpu_used_us;

  guint64 created_unbound, bound, evictions;
  gint64 first_created, last_finished; /* KS_TIME_NONE: none yet */
  double fragmentation_sum;
  guint fragmentation_samples;
  gint64 fragmentation_at;  /* the last sample's time (KS_TIME_NONE: none) */
  double fragmentation_was; /* its value (NAN: no pod waited) */

  /* For the fragmentation: */
  GHashTable *free_by_node; /* interned node name → Free* (kept after the node goes) */
  GPtrArray *free;          /* Free*, owned, in order of first sight */
  GHashTable *waiting;      /* KsUid* of the pods Pending without a node (owned) → Request* */
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
  if (t->usage != NULL)
    {
      /* The usage over (last, now] against the allocatable that held then. */
      KsRecorderUsage u;
      t->usage (t->usage_data, &u);
      if (t->alloc_cpu > 0)
        t->cpu_used_us += (u.cpu_integral - t->usage_last.cpu_integral) / (double) t->alloc_cpu;
      if (t->alloc_memory > 0)
        t->memory_used_us
            += (u.memory_integral - t->usage_last.memory_integral) / (double) t->alloc_memory;
      if (t->alloc_gpu > 0)
        t->gpu_used_us += (u.gpu_integral - t->usage_last.gpu_integral) / (double) t->alloc_gpu;
      t->usage_last = u;
    }
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

static gint64
gpus (const KsResources *r)
{
  return r->n_scalar > 0 ? ks_resources_get (r, KS_TOTALS_GPU_RESOURCE) : 0;
}

/* The free capacity of node name (interned), made on first sight: a pod may be bound to a node
 * that is not (or no longer) there. */
static Free *
free_of (KsTotals *t, const char *name)
{
  Free *f = g_hash_table_lookup (t->free_by_node, name);

  if (f == NULL)
    {
      f = g_new0 (Free, 1);
      g_ptr_array_add (t->free, f);
      g_hash_table_insert (t->free_by_node, (gpointer) name, f);
    }
  return f;
}

static void
add_requests (KsTotals *t, const KsPod *pod, int sign)
{
  const KsResources *r = &pod->spec->requests;
  gint64 gpu = gpus (r);
  Free *f = free_of (t, pod->node_name);

  t->req_cpu += sign * r->milli_cpu;
  t->req_memory += sign * r->memory;
  t->req_gpu += sign * gpu;
  f->cpu -= sign * r->milli_cpu;
  f->memory -= sign * r->memory;
  f->gpu -= sign * gpu;
}

static void
set_waiting (KsTotals *t, const KsPod *pod)
{
  const KsResources *r = &pod->spec->requests;
  Request *q = g_new (Request, 1);

  *q = (Request){ r->milli_cpu, r->memory, gpus (r) };
  g_hash_table_replace (t->waiting, g_memdup2 (&pod->parent.meta.uid, sizeof (KsUid)), q);
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
  if (unbound (prev) && !unbound (cur))
    g_hash_table_remove (t->waiting, &prev->parent.meta.uid);
  if (unbound (cur) && (!unbound (prev) || prev->spec != cur->spec))
    set_waiting (t, cur);
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
  gint64 gpu = gpus (r);
  Free *f = free_of (t, ks_intern (node->parent.meta.name));

  t->nodes += sign;
  t->alloc_cpu += sign * r->milli_cpu;
  t->alloc_memory += sign * r->memory;
  t->alloc_gpu += sign * gpu;
  t->had_gpus |= gpu > 0;
  f->cpu += sign * r->milli_cpu;
  f->memory += sign * r->memory;
  f->gpu += sign * gpu;
  f->present = sign > 0;
  f->schedulable = sign > 0 && ks_node_is_ready (node) && !node->unschedulable;
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
  t->fragmentation_at = KS_TIME_NONE;
  t->free = g_ptr_array_new_with_free_func (g_free);
  t->free_by_node = g_hash_table_new (g_direct_hash, g_direct_equal);
  t->waiting = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, g_free, g_free);
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
  g_ptr_array_unref (t->free);
  g_hash_table_unref (t->free_by_node);
  g_hash_table_unref (t->waiting);
  g_free (t);
}

void
ks_totals_set_usage (KsTotals *t, KsRecorderUsageFunc func, gpointer data)
{
  advance (t);
  t->usage = func;
  t->usage_data = data;
  if (func != NULL)
    func (data, &t->usage_last);
}

/* The share of the free cpu of the Ready, schedulable nodes that lies on nodes where the median
 * waiting request (median cpu, median memory, median GPUs of the pods Pending without a node)
 * does not fit: a node short of memory or GPUs for it makes its free cpu unusable too. */
static double
fragmentation (KsTotals *t)
{
  guint n = g_hash_table_size (t->waiting), i = 0;
  g_autofree double *cpu = g_new (double, n);
  g_autofree double *memory = g_new (double, n);
  g_autofree double *gpu = g_new (double, n);
  double med_cpu, med_memory, med_gpu;
  gint64 total = 0, unusable = 0;
  GHashTableIter it;
  gpointer value;

  /* The medians do not depend on the table's order. */
  g_hash_table_iter_init (&it, t->waiting);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      const Request *q = value;
      cpu[i] = (double) q->cpu;
      memory[i] = (double) q->memory;
      gpu[i] = (double) q->gpu;
      i++;
    }
  gsl_sort (cpu, 1, n);
  gsl_sort (memory, 1, n);
  gsl_sort (gpu, 1, n);
  med_cpu = gsl_stats_median_from_sorted_data (cpu, 1, n);
  med_memory = gsl_stats_median_from_sorted_data (memory, 1, n);
  med_gpu = gsl_stats_median_from_sorted_data (gpu, 1, n);
  for (i = 0; i < t->free->len; i++)
    {
      const Free *f = g_ptr_array_index (t->free, i);
      gint64 c = MAX (f->cpu, 0);
      if (!f->present || !f->schedulable)
        continue;
      total += c;
      if ((double) c < med_cpu || (double) f->memory < med_memory
          || (med_gpu > 0 && (double) f->gpu < med_gpu))
        unusable += c;
    }
  return total > 0 ? (double) unusable / (double) total : 0;
}

void
ks_totals_sample (KsTotals *t, KsTotalsSample *out)
{
  gint64 now = ks_clock_now (t->clock);

  /* Not advance (): the summary's sums stay those of the pod and node changes alone. */
  out->fragmentation = NAN;
  out->node_hours
      = (t->node_us + (double) t->nodes * (double) (now - t->last)) / (3600.0 * G_USEC_PER_SEC);
  out->gpu_requested_ratio
      = t->alloc_gpu > 0 ? (double) t->req_gpu / (double) t->alloc_gpu : (double) NAN;
  out->gpu_used_ratio = NAN;
  if (t->usage != NULL && t->alloc_gpu > 0)
    {
      KsRecorderUsage u;
      t->usage (t->usage_data, &u);
      out->gpu_used_ratio = u.gpu / (double) t->alloc_gpu;
    }
  /* The recorder takes its last sample again in place of one at the same instant: it replaces
   * that sample's value in the mean. */
  if (t->fragmentation_at == now && !isnan (t->fragmentation_was))
    {
      t->fragmentation_sum -= t->fragmentation_was;
      t->fragmentation_samples--;
    }
  t->fragmentation_at = now;
  t->fragmentation_was = NAN;
  if (t->unbound <= 0 || g_hash_table_size (t->waiting) == 0)
    return;
  out->fragmentation = fragmentation (t);
  t->fragmentation_was = out->fragmentation;
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
  if (t->usage != NULL)
    {
      append_number (json, "mean_cpu_used_ratio", span > 0 ? t->cpu_used_us / span : 0, FALSE);
      append_number (json, "mean_memory_used_ratio", span > 0 ? t->memory_used_us / span : 0,
                     FALSE);
    }
  else
    {
      append_null (json, "mean_cpu_used_ratio");
      append_null (json, "mean_memory_used_ratio");
    }
  if (t->usage != NULL && t->had_gpus)
    append_number (json, "mean_gpu_used_ratio", span > 0 ? t->gpu_used_us / span : 0, FALSE);
  else
    append_null (json, "mean_gpu_used_ratio");
  if (t->fragmentation_samples > 0)
    append_number (json, "fragmentation", t->fragmentation_sum / t->fragmentation_samples, TRUE);
  else
    g_string_append (json, "    \"fragmentation\": null\n");
  g_string_append (json, "  }");
}
