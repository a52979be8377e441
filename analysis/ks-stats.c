/* ks-stats.c: summaries, confidence intervals and paired tests with GSL. */
#include "config.h"

#include <float.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <string.h>

#include "ks-stats.h"

void
ks_stats_summarize (const double *x, guint n, KsSummaryStats *out)
{
  g_autofree double *sorted = NULL;

  out->n = n;
  out->mean = out->sd = out->median = out->ci_low = out->ci_high = NAN;
  if (n == 0)
    return;
  sorted = g_memdup2 (x, n * sizeof (double));
  gsl_sort (sorted, 1, n);
  out->mean = gsl_stats_mean (x, 1, n);
  out->median = gsl_stats_median_from_sorted_data (sorted, 1, n);
  if (n < 2)
    return;
  out->sd = gsl_stats_sd_m (x, 1, n, out->mean);
  {
    double half = gsl_cdf_tdist_Pinv (0.975, n - 1) * out->sd / sqrt (n);
    out->ci_low = out->mean - half;
    out->ci_high = out->mean + half;
  }
}

void
ks_stats_paired_t (const double *x, const double *y, guint n, KsPairedT *out)
{
  g_autofree double *d = g_new (double, MAX (n, 1));
  double sd;
  gboolean all_zero = TRUE;

  out->n = n;
  out->mean_diff = out->t = out->p = NAN;
  for (guint i = 0; i < n; i++)
    {
      d[i] = x[i] - y[i];
      all_zero &= d[i] == 0;
    }
  if (n == 0)
    return;
  out->mean_diff = gsl_stats_mean (d, 1, n);
  if (n < 2)
    return;
  if (all_zero)
    {
      out->t = 0;
      out->p = 1;
      return;
    }
  sd = gsl_stats_sd_m (d, 1, n, out->mean_diff);
  /* Constant differences (the standard error is 0, or a few ulps of the mean from rounding):
   * R's t.test stops when it is below 10 ε·|mean|. */
  if (sd / sqrt (n) < 10 * DBL_EPSILON * fabs (out->mean_diff))
    return;
  out->t = out->mean_diff / (sd / sqrt (n));
  out->p = 2 * gsl_cdf_tdist_Q (fabs (out->t), n - 1);
  out->p = MIN (out->p, 1.0);
}

/* The number of subsets of {1..n} with each rank sum s, counts[0..n(n+1)/2]: the exact null
 * distribution of V times 2^n.  Doubles count exactly up to 2^53, past any n < 50. */
static double *
signrank_counts (guint n)
{
  guint max = n * (n + 1) / 2;
  double *c = g_new0 (double, max + 1);

  c[0] = 1;
  for (guint k = 1; k <= n; k++)
    for (guint s = k * (k + 1) / 2; s >= k; s--)
      c[s] += c[s - k];
  return c;
}

double
ks_stats_signrank_cdf (double v, guint n)
{
  guint max = n * (n + 1) / 2;
  g_autofree double *c = NULL;
  double q = floor (v + 1e-7), sum = 0;

  if (q < 0)
    return 0;
  if (q >= max)
    return 1;
  c = signrank_counts (n);
  for (guint s = 0; s <= (guint) q; s++)
    sum += c[s];
  return sum / ldexp (1.0, (int) n);
}

typedef struct
{
  double abs;
  gboolean positive;
} Diff;

static int
cmp_diff (const void *a, const void *b)
{
  double x = ((const Diff *) a)->abs, y = ((const Diff *) b)->abs;
  return (x > y) - (x < y);
}

void
ks_stats_wilcoxon (const double *x, const double *y, guint n, KsWilcoxon *out)
{
  g_autofree Diff *d = g_new (Diff, MAX (n, 1));
  guint m = 0;
  gboolean zeros = FALSE, ties = FALSE;
  double v = 0, tie_sum = 0;

  for (guint i = 0; i < n; i++)
    {
      double diff = x[i] - y[i];
      if (diff == 0)
        {
          zeros = TRUE;
          continue;
        }
      d[m].abs = fabs (diff);
      d[m].positive = diff > 0;
      m++;
    }
  out->n = m;
  out->v = 0;
  out->exact = FALSE;
  out->p = NAN;
  if (m == 0)
    {
      out->p = n > 0 ? 1 : NAN;
      return;
    }
  qsort (d, m, sizeof (Diff), cmp_diff);
  /* Average ranks over runs of equal |d| (R's rank, ties.method "average"). */
  for (guint i = 0; i < m;)
    {
      guint j = i;
      double rank, t;
      while (j + 1 < m && d[j + 1].abs == d[i].abs)
        j++;
      rank = (i + 1 + j + 1) / 2.0;
      t = j - i + 1;
      if (t > 1)
        {
          ties = TRUE;
          tie_sum += t * t * t - t;
        }
      for (guint k = i; k <= j; k++)
        if (d[k].positive)
          v += rank;
      i = j + 1;
    }
  out->v = v;
  if (m < 50 && !ties && !zeros)
    {
      double p;
      out->exact = TRUE;
      if (v > m * (m + 1) / 4.0)
        p = 1 - ks_stats_signrank_cdf (v - 1, m);
      else
        p = ks_stats_signrank_cdf (v, m);
      out->p = MIN (2 * p, 1.0);
    }
  else
    {
      double z = v - m * (m + 1) / 4.0;
      double sigma = sqrt (m * (m + 1.0) * (2 * m + 1) / 24 - tie_sum / 48);
      double correction = z > 0 ? 0.5 : z < 0 ? -0.5 : 0;
      if (sigma <= 0)
        return;
      z = (z - correction) / sigma;
      out->p = MIN (2 * MIN (gsl_cdf_ugaussian_P (z), gsl_cdf_ugaussian_Q (z)), 1.0);
    }
}
