/* ks-stats.h: the statistics of `kubesim compare` (docs/experiments.md): a sample's summary with
 * a Student t confidence interval, and the paired tests across seeds (paired t, Wilcoxon
 * signed-rank).  Missing values are the caller's business: pass only the values that exist.
 * Undefined results (a standard deviation of one value, a test of fewer than two pairs) are NAN. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint n;
  double mean;
  double sd;     /* sample standard deviation (n − 1 in the denominator); NAN when n < 2 */
  double median; /* the mean of the two middle values when n is even */
  double ci_low,
      ci_high; /* 95 % interval of the mean, mean ± t(0.975, n − 1)·sd/√n; NAN if n < 2 */
} KsSummaryStats;

/* Summarize x[0..n-1]; with n = 0 every field but n is NAN. */
void ks_stats_summarize (const double *x, guint n, KsSummaryStats *out);

typedef struct
{
  guint n;          /* pairs */
  double mean_diff; /* mean of x − y */
  double t;         /* t statistic, df = n − 1 */
  double p;         /* two-sided */
} KsPairedT;

/* Paired t test of x against y (the differences x[i] − y[i]).  With fewer than 2 pairs, t and p
 * are NAN; when every difference is the same, the test is undefined (R's t.test stops with "data
 * are essentially constant"): p is 1 when the differences are all 0, NAN otherwise. */
void ks_stats_paired_t (const double *x, const double *y, guint n, KsPairedT *out);

typedef struct
{
  guint n;        /* pairs with a nonzero difference (zeros are dropped, as R does) */
  double v;       /* sum of the ranks of the positive differences (R's V) */
  gboolean exact; /* p from the exact null distribution; else the normal approximation */
  double p;       /* two-sided */
} KsWilcoxon;

/* Wilcoxon signed-rank test of x against y, as R's wilcox.test (x, y, paired = TRUE): zero
 * differences dropped, ranks of |x − y| with ties averaged; with n < 50 nonzero differences and
 * no ties and no zeros, the exact p from the enumerated distribution of V; otherwise the normal
 * approximation with the tie correction of the variance and a continuity correction of 0.5.
 * When every difference is 0 (n = 0), p is 1 (R returns NaN). */
void ks_stats_wilcoxon (const double *x, const double *y, guint n, KsWilcoxon *out);

/* P(V ≤ v) under the null hypothesis for n nonzero differences without ties (R's psignrank). */
double ks_stats_signrank_cdf (double v, guint n);

G_END_DECLS
