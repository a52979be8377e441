/* ks-trace-generate.h: synthetic workloads in the native trace format (`kubesim trace generate`,
 * docs/traces.md "Synthetic traces").
 *
 * Nodes of a given shape (or shapes fitted from a trace) join at time 0; pods arrive by a Poisson
 * process or a bursty one (a Markov-modulated Poisson process switching between an "on" and an
 * "off" state whose stays are exponential), each with a run time drawn from a lognormal or Pareto
 * distribution (or the empirical distribution of a trace) and requests drawn from a weighted mix
 * of shapes (or a trace's).  Every draw comes from a named GSL stream of the seed (src/ks-rng.h),
 * so the same options give the same bytes. */
#pragma once

#include "ks-trace-writer.h"
#include "ks-trace.h"

G_BEGIN_DECLS

typedef enum
{
  KS_TRACE_ARRIVALS_POISSON,
  KS_TRACE_ARRIVALS_BURSTY,
} KsTraceArrivals;

typedef enum
{
  KS_TRACE_DURATIONS_LOGNORMAL,
  KS_TRACE_DURATIONS_PARETO,
} KsTraceDurations;

/* A request (or node capacity) shape and its weight in the mix.  gpu_milli: a share of one GPU
 * in thousandths (openb), -1 for none. */
typedef struct
{
  double weight;
  gint64 cpu_milli;
  gint64 memory_bytes;
  gint64 gpu;
  gint64 gpu_milli;
} KsTraceShape;

/* What a trace says about its workload: the arrival rate, the run times (a histogram of their
 * logarithms), the request shapes and the node shapes, with their frequencies. */
typedef struct _KsTraceFit KsTraceFit;

/* Read the whole trace (bounded memory: the histogram, one entry per distinct request or node
 * shape, and the pods started and not yet ended).  Fails when the reader does, or when the trace
 * has fewer than two submissions at different times (no rate to fit). */
KsTraceFit *ks_trace_fit_new (KsTraceReader *reader, GError **error);
void ks_trace_fit_free (KsTraceFit *fit);
/* Submissions per hour between the first and the last. */
double ks_trace_fit_get_rate (KsTraceFit *fit);
/* Run times seen (from the rows' run times, or from a recorded start to the end). */
guint64 ks_trace_fit_get_n_durations (KsTraceFit *fit);
/* Distinct machines seen (0 when the trace has none). */
guint ks_trace_fit_get_n_nodes (KsTraceFit *fit);
/* The distinct request shapes, sorted, with their counts as weights. */
const KsTraceShape *ks_trace_fit_get_shapes (KsTraceFit *fit, guint *n_shapes);

typedef struct
{
  guint64 seed;
  guint64 pods;    /* stop after this many pods; 0: no limit */
  gint64 duration; /* µs: no arrival at or after it; 0: no limit (pods must then be set) */

  KsTraceArrivals arrivals;
  double rate_per_hour; /* mean arrivals per hour (bursty: over on and off together) */
  double burst_on_s;    /* bursty: mean stay in the on state, seconds */
  double burst_off_s;   /* bursty: mean stay in the off state (no arrivals), seconds */

  KsTraceDurations durations;
  double median_s; /* lognormal: the median run time */
  double sigma;    /* lognormal: the standard deviation of the log */
  double pareto_scale_s, pareto_alpha;

  const KsTraceShape *shapes; /* the request mix (n_shapes > 0) */
  guint n_shapes;

  guint nodes; /* nodes added at time 0 (with fit and 0: as many as the trace has) */
  KsTraceShape node;

  /* When set: the rate (unless rate_per_hour > 0), the run times, the request mix and the node
     shapes come from the trace. */
  KsTraceFit *fit;
} KsTraceGenerateOptions;

/* Defaults: seed 1, Poisson at 60 per hour, bursty stays 60 s on and 240 s off, lognormal run
 * times of median 300 s and sigma 1, Pareto scale 60 s and alpha 1.5, one shape of 1 core and
 * 1 GiB, no nodes of 32 cores, 128 GiB. */
void ks_trace_generate_options_init (KsTraceGenerateOptions *options);

/* Check options (a clear message naming the option and what would be valid); then write the
 * nodes and pods through writer.  Pods are named gen-<n> (from 0, at least 6 digits), nodes
 * node-<n>; each pod carries its run time (kubesim.io/duration). */
gboolean ks_trace_generate (const KsTraceGenerateOptions *options, KsTraceWriter *writer,
                            GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsTraceFit, ks_trace_fit_free)

G_END_DECLS
