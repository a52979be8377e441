/* ks-load.h: a scenario's `load:` section (docs/formats.md "Load"): requests sent to Services,
 * each with a rate over time (constant, step, ramp, sine, piecewise from a CSV file), optional
 * Poisson noise, a CPU cost per request and a per-pod queue capacity.  Decoded and checked with
 * the scenario; run by the traffic model (ks-sim-traffic.h). */
#pragma once

#include "src/api/ks-decode.h"
#include "src/ks-clock.h"

G_BEGIN_DECLS

typedef enum
{
  KS_RATE_CONSTANT,
  KS_RATE_STEP,
  KS_RATE_RAMP,
  KS_RATE_SINE,
  KS_RATE_CSV,
} KsRateShape;

/* Requests per second as a function of time. */
typedef struct
{
  KsRateShape shape;
  double value; /* constant */
  /* step and csv: the points (µs, req/s), times strictly increasing */
  gint64 *times;
  double *rates;
  guint n;
  gboolean linear; /* csv: straight lines between points (else steps) */
  double from, to; /* ramp */
  gint64 start, end;
  double mean, amplitude; /* sine */
  gint64 period, phase;
} KsRate;

typedef struct
{
  char *namespace;
  char *service;
  KsRate rate;
  gboolean poisson;       /* noise: poisson */
  gint64 cpu_per_request; /* ns of one core */
  guint queue_capacity;   /* requests a pod holds (M/M/1/K's K) */
  char *where;            /* "file:line:column" of the item */
} KsLoad;

#define KS_LOAD_DEFAULT_QUEUE_CAPACITY 100
/* The largest rate, requests per second (a second's count must fit the GSL draws' unsigned). */
#define KS_LOAD_MAX_RATE 1e7

void ks_load_free (KsLoad *load);

/* Requests per second at time t (µs). */
double ks_rate_at (const KsRate *rate, gint64 t);

/* Decode the `load` list node (the decoder's path at "load"); CSV paths are relative to dir.
 * Loads go to out (KsLoad*); every problem goes to the decoder's diag. */
void ks_load_decode (KsDecoder *dec, JsonNode *node, const char *dir, GPtrArray *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KsLoad, ks_load_free)

G_END_DECLS
