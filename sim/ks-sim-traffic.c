/* ks-sim-traffic.c: the request model: arrivals, kube-proxy's random spread, an M/M/1/K queue per
 * pod and second, CPU usage, drops and latency. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "ks-sim-model.h"
#include "ks-sim-traffic.h"
#include "src/api/ks-pod.h"
#include "src/api/ks-service.h"
#include "src/api/ks-yaml-emit.h"
#include "src/ks-rng.h"

/* Latencies are kept as a histogram of the per-pod, per-second mean response times (each second's
 * requests at a pod are exponential with that mean), log-spaced: BINS_PER_DECADE per decade from
 * 10^MIN_DECADE s. */
#define BINS_PER_DECADE 100
#define MIN_DECADE (-7)
#define N_DECADES 12
#define N_BINS (BINS_PER_DECADE * N_DECADES)

typedef struct
{
  guint64 requests, served, no_endpoints, over_capacity, cpu_ns;
  double latency_sum;
} Totals;

typedef struct
{
  const KsLoad *load;
  char *key; /* namespace/name */
  gsl_rng *rng;
  double expected; /* requests the rate has brought so far (no noise) */
  Totals totals;
  Totals before_tick;     /* totals before the latest tick */
  gint64 tick_at;         /* the latest tick's time, KS_TIME_NONE before the first */
  Totals snap, snap_prev; /* totals at the last sample and the one before */
  gint64 snap_at, snap_prev_at;
  double bin_weight[N_BINS]; /* served requests */
  double bin_sum[N_BINS];    /* served requests × their mean response time */
  GArray *pods;              /* PodShare of the current tick */
} Service;

/* What the model knows of a pod. */
typedef struct
{
  KsUid uid;
  double capacity; /* cores for requests; INFINITY: no CPU limit or request */
  gboolean known;  /* capacity computed */
  /* CPU spent on requests: base up to start, then rate (core-ns per µs) until end */
  guint64 base;
  double rate;
  gint64 start, end;
  /* this tick: arrivals of each load, the work they bring */
  guint64 arrivals;
  guint64 total_arrivals; /* every request sent to the pod so far (the custom metrics) */
  double work_s;          /* core-seconds */
  guint queue_capacity;
  gint64 tick; /* the tick these belong to */
} Pod;

typedef struct
{
  Pod *pod;
  guint64 arrivals;
} PodShare;

struct _KsSimTraffic
{
  KsClient *client;
  KsClock *clock;
  GPtrArray *services; /* Service*, the loads' order */
  GHashTable *pods;    /* KsUid* → Pod* (owned) */
  GPtrArray *touched;  /* Pod* with arrivals in the current tick, in order of arrival */
  guint64 task;
  /* Every pod's CPU spent on requests: base up to the latest tick, then rate (core-ns per µs)
   * during its second. */
  double cpu_base, cpu_rate;
  gint64 cpu_tick;
};

static void
service_free (gpointer p)
{
  Service *s = p;
  gsl_rng_free (s->rng);
  g_free (s->key);
  g_array_unref (s->pods);
  g_free (s);
}

KsSimTraffic *
ks_sim_traffic_new (KsClient *client, KsClock *clock, const GPtrArray *loads, guint64 seed)
{
  KsSimTraffic *t = g_new0 (KsSimTraffic, 1);

  t->client = client;
  t->clock = clock;
  t->services = g_ptr_array_new_with_free_func (service_free);
  t->pods = g_hash_table_new_full (ks_uid_hash, ks_uid_equal_func, NULL, g_free);
  t->touched = g_ptr_array_new ();
  for (guint i = 0; i < loads->len; i++)
    {
      const KsLoad *load = g_ptr_array_index (loads, i);
      Service *s = g_new0 (Service, 1);
      g_autofree char *stream = g_strdup_printf ("load/%s/%s", load->namespace, load->service);
      s->load = load;
      s->key = g_strdup_printf ("%s/%s", load->namespace, load->service);
      s->rng = ks_rng_new (seed, stream);
      s->tick_at = KS_TIME_NONE;
      s->snap_at = s->snap_prev_at = KS_TIME_NONE;
      s->pods = g_array_new (FALSE, FALSE, sizeof (PodShare));
      g_ptr_array_add (t->services, s);
    }
  return t;
}

void
ks_sim_traffic_free (KsSimTraffic *t)
{
  if (t == NULL)
    return;
  ks_clock_cancel (t->clock, t->task);
  g_ptr_array_unref (t->services);
  g_hash_table_unref (t->pods);
  g_ptr_array_unref (t->touched);
  g_free (t);
}

static guint64
pod_cpu_at (const Pod *p, gint64 now)
{
  gint64 until = CLAMP (now, p->start, p->end);
  return p->base + (guint64) llround (p->rate * (double) (until - p->start));
}

guint64
ks_sim_traffic_pod_cpu_ns (const KsUid *uid, gpointer data)
{
  KsSimTraffic *t = data;
  const Pod *p = g_hash_table_lookup (t->pods, uid);
  return p != NULL ? pod_cpu_at (p, ks_clock_now (t->clock)) : 0;
}

static double
cpu_at (const KsSimTraffic *t, gint64 now)
{
  return t->cpu_base + t->cpu_rate * (double) CLAMP (now - t->cpu_tick, 0, KS_TRAFFIC_TICK);
}

guint64
ks_sim_traffic_cpu_ns (KsSimTraffic *t)
{
  return (guint64) llround (cpu_at (t, ks_clock_now (t->clock)));
}

guint64
ks_sim_traffic_pod_requests (KsSimTraffic *t, const KsUid *uid)
{
  const Pod *p = g_hash_table_lookup (t->pods, uid);
  return p != NULL ? p->total_arrivals : 0;
}

/* Cores a pod has for requests: its containers' CPU limits if all have one, else its CPU
 * request, less its kubesim.io/cpu-usage baseline; INFINITY when it has neither. */
static double
pod_capacity (const KsPod *pod)
{
  const KsPodSpec *spec = pod->spec;
  gint64 milli = 0;
  gboolean all_limited = spec->n_containers > 0;
  KsSimPodModel model;

  for (guint i = 0; i < spec->n_containers; i++)
    {
      if (!(spec->containers[i].limits.set & KS_RES_SET_CPU))
        all_limited = FALSE;
      milli += spec->containers[i].limits.milli_cpu;
    }
  if (!all_limited)
    milli = spec->requests.milli_cpu;
  if (milli <= 0)
    return INFINITY;
  if (ks_sim_pod_model_parse (pod->parent.meta.annotations, &model, NULL) && model.cpu_usage > 0)
    milli -= model.cpu_usage;
  return (double) milli / 1000.0;
}

static Pod *
pod_for (KsSimTraffic *t, const KsObjectReference *ref)
{
  Pod *p = g_hash_table_lookup (t->pods, &ref->uid);

  if (p == NULL)
    {
      p = g_new0 (Pod, 1);
      p->uid = ref->uid;
      p->tick = KS_TIME_NONE;
      g_hash_table_insert (t->pods, &p->uid, p);
    }
  if (!p->known)
    {
      g_autoptr (KsObject) obj
          = ks_client_get (t->client, ks_kind_get (KS_KIND_POD), ref->namespace, ref->name, NULL);
      if (obj == NULL || !ks_uid_equal (&obj->meta.uid, &ref->uid))
        return NULL;
      p->capacity = pod_capacity (KS_POD (obj));
      p->known = TRUE;
    }
  return p;
}

static gint
slice_name_compare (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(KsObject *const *) a)->meta.name, (*(KsObject *const *) b)->meta.name);
}

/* kube-proxy's endpoints of the Service: the ready endpoints of its EndpointSlices (slices in
 * name order, each pod once); when none is ready, the serving and terminating ones (v1.32's
 * fallback).  *n_ready: the ready ones. */
static void
ready_pods (KsSimTraffic *t, Service *s, GPtrArray *out, guint *n_ready)
{
  g_autoptr (GPtrArray) all
      = ks_client_list (t->client, ks_kind_get (KS_KIND_ENDPOINT_SLICE), s->load->namespace, NULL);
  g_autoptr (GPtrArray) slices = g_ptr_array_new ();

  *n_ready = 0;
  for (guint i = 0; all != NULL && i < all->len; i++)
    if (g_strcmp0 (ks_object_get_label (g_ptr_array_index (all, i), KS_LABEL_SERVICE_NAME),
                   s->load->service)
        == 0)
      g_ptr_array_add (slices, g_ptr_array_index (all, i));
  g_ptr_array_sort (slices, slice_name_compare);
  for (guint pass = 0; pass < 2 && out->len == 0; pass++)
    for (guint i = 0; i < slices->len; i++)
      {
        const KsEndpointSlice *slice = g_ptr_array_index (slices, i);
        for (guint j = 0; j < slice->n_endpoints; j++)
          {
            const KsSliceEndpoint *e = &slice->endpoints[j];
            Pod *p;
            if (pass == 0 ? e->ready != 1 : e->serving != 1 || e->terminating != 1)
              continue;
            if (e->target_ref == NULL || g_strcmp0 (e->target_ref->kind, "Pod") != 0)
              continue;
            p = pod_for (t, e->target_ref);
            if (p == NULL || g_ptr_array_find (out, p, NULL))
              continue;
            g_ptr_array_add (out, p);
            if (pass == 0)
              (*n_ready)++;
          }
      }
}

/* This tick's requests of service s. */
static guint64
arrivals (Service *s, gint64 now)
{
  double rate = ks_rate_at (&s->load->rate, now + KS_TRAFFIC_TICK / 2);
  double mean = rate * ((double) KS_TRAFFIC_TICK / KS_USEC_PER_SEC);
  guint64 before;

  if (s->load->poisson)
    return mean > 0 ? gsl_ran_poisson (s->rng, mean) : 0;
  before = (guint64) floor (s->expected);
  s->expected += mean;
  return (guint64) floor (s->expected) - before;
}

/* M/M/1/K with offered load rho: the blocking probability and the mean number in the system. */
static void
mm1k (double rho, guint k, double *blocking, double *mean_number)
{
  if (fabs (rho - 1) < 1e-9)
    {
      *blocking = 1.0 / (k + 1);
      *mean_number = k / 2.0;
    }
  else if (rho < 1)
    {
      double rk1 = pow (rho, k + 1);
      *blocking = (1 - rho) * pow (rho, k) / (1 - rk1);
      *mean_number = rho / (1 - rho) - (k + 1) * rk1 / (1 - rk1);
    }
  else
    {
      /* With sigma = 1/rho, free places behave as a queue of load sigma (no overflow). */
      double sigma = 1 / rho, sk1 = pow (sigma, k + 1);
      *blocking = (1 - sigma) / (1 - sk1);
      *mean_number = k - (sigma / (1 - sigma) - (k + 1) * sk1 / (1 - sk1));
    }
}

static guint
latency_bin (double mean)
{
  double x = (log10 (mean) - MIN_DECADE) * BINS_PER_DECADE;
  if (!(x > 0))
    return 0;
  return x >= N_BINS ? N_BINS - 1 : (guint) x;
}

static void
tick (gpointer data)
{
  KsSimTraffic *t = data;
  gint64 now = ks_clock_now (t->clock);
  double dt = (double) KS_TRAFFIC_TICK / KS_USEC_PER_SEC;
  g_autoptr (GPtrArray) ready = g_ptr_array_new ();
  guint n_ready;

  t->task = ks_clock_schedule (t->clock, now + KS_TRAFFIC_TICK, tick, t, NULL);
  g_ptr_array_set_size (t->touched, 0);
  t->cpu_base = cpu_at (t, now);
  t->cpu_rate = 0;
  t->cpu_tick = now;
  /* Arrivals, spread over each Service's ready endpoints. */
  for (guint i = 0; i < t->services->len; i++)
    {
      Service *s = g_ptr_array_index (t->services, i);
      guint64 n = arrivals (s, now);

      s->before_tick = s->totals;
      s->tick_at = now;
      s->totals.requests += n;
      g_array_set_size (s->pods, 0);
      g_ptr_array_set_size (ready, 0);
      ready_pods (t, s, ready, &n_ready);
      if (ready->len == 0)
        {
          s->totals.no_endpoints += n;
          continue;
        }
      {
        g_autofree double *p = g_new (double, ready->len);
        g_autofree unsigned int *counts = g_new0 (unsigned int, ready->len);
        for (guint j = 0; j < ready->len; j++)
          p[j] = 1;
        if (n > 0)
          gsl_ran_multinomial (s->rng, ready->len, (unsigned int) n, p, counts);
        for (guint j = 0; j < ready->len; j++)
          {
            Pod *pod = g_ptr_array_index (ready, j);
            PodShare share = { pod, counts[j] };
            if (pod->tick != now)
              {
                pod->tick = now;
                pod->arrivals = 0;
                pod->work_s = 0;
                pod->queue_capacity = 0;
                g_ptr_array_add (t->touched, pod);
              }
            pod->arrivals += counts[j];
            pod->total_arrivals += counts[j];
            pod->work_s += counts[j] * ((double) s->load->cpu_per_request / 1e9);
            pod->queue_capacity = MAX (pod->queue_capacity, s->load->queue_capacity);
            g_array_append_val (s->pods, share);
          }
      }
    }
  /* Each pod's queue for the second: drops per load, response time, CPU. */
  for (guint i = 0; i < t->services->len; i++)
    {
      Service *s = g_ptr_array_index (t->services, i);
      double cost = (double) s->load->cpu_per_request / 1e9;
      for (guint j = 0; j < s->pods->len; j++)
        {
          PodShare *share = &g_array_index (s->pods, PodShare, j);
          Pod *pod = share->pod;
          double blocking, number, response;
          guint64 dropped, served;

          if (share->arrivals == 0)
            continue;
          if (isinf (pod->capacity))
            blocking = 0, response = pod->work_s / pod->arrivals;
          else if (pod->capacity <= 0)
            blocking = 1, response = 0;
          else
            {
              double lambda = pod->arrivals / dt;
              double mu = pod->capacity / (pod->work_s / pod->arrivals);
              mm1k (lambda / mu, pod->queue_capacity, &blocking, &number);
              response = blocking < 1 ? number / (lambda * (1 - blocking)) : 0;
            }
          dropped = blocking >= 1 ? share->arrivals
                    : blocking <= 0
                        ? 0
                        : gsl_ran_binomial (s->rng, blocking, (unsigned int) share->arrivals);
          served = share->arrivals - dropped;
          s->totals.over_capacity += dropped;
          s->totals.served += served;
          if (served > 0)
            {
              guint b = latency_bin (response);
              s->totals.latency_sum += served * response;
              s->bin_weight[b] += served;
              s->bin_sum[b] += served * response;
            }
          s->totals.cpu_ns += (guint64) llround (served * cost * 1e9);
          /* The pod's CPU: what was served this second, spread evenly over it.  A pod of
           * several loads adds each load's share. */
          if (pod->start != now)
            {
              pod->base = pod_cpu_at (pod, now);
              pod->start = now;
              pod->end = now + KS_TRAFFIC_TICK;
              pod->rate = 0;
            }
          pod->rate += served * cost * 1e9 / (double) KS_TRAFFIC_TICK;
          t->cpu_rate += served * cost * 1e9 / (double) KS_TRAFFIC_TICK;
        }
    }
}

void
ks_sim_traffic_start (KsSimTraffic *t)
{
  tick (t);
}

static Service *
find (KsSimTraffic *t, const char *ns, const char *name)
{
  for (guint i = 0; i < t->services->len; i++)
    {
      Service *s = g_ptr_array_index (t->services, i);
      if (strcmp (s->load->namespace, ns) == 0 && strcmp (s->load->service, name) == 0)
        return s;
    }
  return NULL;
}

gboolean
ks_sim_traffic_get_totals (KsSimTraffic *t, const char *ns, const char *name, KsServiceTraffic *out)
{
  Service *s = find (t, ns, name);

  if (s == NULL)
    return FALSE;
  out->requests = s->totals.requests;
  out->served = s->totals.served;
  out->dropped_no_endpoints = s->totals.no_endpoints;
  out->dropped_over_capacity = s->totals.over_capacity;
  out->latency_sum = s->totals.latency_sum;
  out->cpu_ns = s->totals.cpu_ns;
  return TRUE;
}

/* The share of served requests that took at most x seconds. */
static double
latency_cdf (const Service *s, double x, double total)
{
  double below = 0;

  for (guint b = 0; b < N_BINS; b++)
    if (s->bin_weight[b] > 0)
      {
        double mean = s->bin_sum[b] / s->bin_weight[b];
        below += s->bin_weight[b] * (mean > 0 ? -expm1 (-x / mean) : 1);
      }
  return below / total;
}

static double
quantile (const Service *s, double q)
{
  double total = 0, lo = 0, hi = 0;

  for (guint b = 0; b < N_BINS; b++)
    if (s->bin_weight[b] > 0)
      {
        total += s->bin_weight[b];
        hi = MAX (hi, s->bin_sum[b] / s->bin_weight[b]);
      }
  if (total <= 0)
    return -1;
  /* No exponential of the mixture puts more than 1e-12 of its weight beyond 28 means. */
  hi *= 28;
  for (guint i = 0; i < 200 && hi - lo > 1e-12 * hi; i++)
    {
      double mid = (lo + hi) / 2;
      if (latency_cdf (s, mid, total) < q)
        lo = mid;
      else
        hi = mid;
    }
  return (lo + hi) / 2;
}

double
ks_sim_traffic_latency_quantile (KsSimTraffic *t, const char *ns, const char *name, double q)
{
  Service *s = find (t, ns, name);
  return s != NULL ? quantile (s, q) : -1;
}

static guint
count_ready (KsSimTraffic *t, Service *s)
{
  g_autoptr (GPtrArray) ready = g_ptr_array_new ();
  guint n_ready;

  ready_pods (t, s, ready, &n_ready);
  return n_ready;
}

void
ks_sim_traffic_sample (KsSimTraffic *t, KsSimTrafficRowFunc row, gpointer data)
{
  gint64 now = ks_clock_now (t->clock);

  for (guint i = 0; i < t->services->len; i++)
    {
      Service *s = g_ptr_array_index (t->services, i);
      /* A tick at this instant covers the second from now on: it belongs to the next sample. */
      const Totals *cur = s->tick_at == now ? &s->before_tick : &s->totals;
      double span;

      if (s->snap_at == now)
        {
          s->snap = s->snap_prev;
          s->snap_at = s->snap_prev_at;
        }
      span = s->snap_at == KS_TIME_NONE ? 0 : (double) (now - s->snap_at) / KS_USEC_PER_SEC;
      if (span > 0)
        {
          guint64 served = cur->served - s->snap.served;
          row (now, "service_request_rate", s->key, (cur->requests - s->snap.requests) / span,
               data);
          row (now, "service_served_rate", s->key, served / span, data);
          row (now, "service_dropped_rate", s->key,
               (cur->no_endpoints + cur->over_capacity - s->snap.no_endpoints
                - s->snap.over_capacity)
                   / span,
               data);
          if (served > 0)
            row (now, "service_latency_mean_s", s->key,
                 (cur->latency_sum - s->snap.latency_sum) / served, data);
          row (now, "service_cpu_cores", s->key, (cur->cpu_ns - s->snap.cpu_ns) / (span * 1e9),
               data);
        }
      else
        {
          row (now, "service_request_rate", s->key, 0, data);
          row (now, "service_served_rate", s->key, 0, data);
          row (now, "service_dropped_rate", s->key, 0, data);
          row (now, "service_cpu_cores", s->key, 0, data);
        }
      row (now, "service_endpoints_ready", s->key, count_ready (t, s), data);
      s->snap_prev = s->snap;
      s->snap_prev_at = s->snap_at;
      s->snap = *cur;
      s->snap_at = now;
    }
}

static void
append_double (GString *json, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_string_append (json, g_ascii_formatd (buf, sizeof buf, "%.6g", v));
}

static gint
cmp_key (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(Service *const *) a)->key, (*(Service *const *) b)->key);
}

void
ks_sim_traffic_append_summary (KsSimTraffic *t, GString *json)
{
  g_autoptr (GPtrArray) sorted = g_ptr_array_sized_new (t->services->len);

  for (guint i = 0; i < t->services->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (t->services, i));
  g_ptr_array_sort (sorted, cmp_key);
  g_string_append (json, ",\n  \"services\": {");
  for (guint i = 0; i < sorted->len; i++)
    {
      const Service *s = g_ptr_array_index (sorted, i);
      g_string_append (json, i > 0 ? ",\n    " : "\n    ");
      ks_json_append_string (json, s->key, KS_JSON_ESCAPE_UTF8);
      g_string_append_printf (
          json,
          ": {\n      \"requests\": %" G_GUINT64_FORMAT ",\n      \"served\": %" G_GUINT64_FORMAT
          ",\n      \"dropped\": %" G_GUINT64_FORMAT
          ",\n      \"dropped_no_endpoints\": %" G_GUINT64_FORMAT
          ",\n      \"dropped_over_capacity\": %" G_GUINT64_FORMAT ",\n      \"latency_s\": ",
          s->totals.requests, s->totals.served, s->totals.no_endpoints + s->totals.over_capacity,
          s->totals.no_endpoints, s->totals.over_capacity);
      if (s->totals.served == 0)
        g_string_append (json, "null\n    }");
      else
        {
          g_string_append (json, "{\n        \"mean\": ");
          append_double (json, s->totals.latency_sum / s->totals.served);
          g_string_append (json, ",\n        \"p50\": ");
          append_double (json, quantile (s, 0.5));
          g_string_append (json, ",\n        \"p95\": ");
          append_double (json, quantile (s, 0.95));
          g_string_append (json, ",\n        \"p99\": ");
          append_double (json, quantile (s, 0.99));
          g_string_append (json, "\n      }\n    }");
        }
    }
  g_string_append (json, sorted->len > 0 ? "\n  }" : "}");
}
