/* test-stats.c: analysis/ks-stats.c against values computed elsewhere:
 *
 * - hand-worked samples with Student's t quantile from a printed table (t(0.975, 7) =
 *   2.364624, e.g. any statistics textbook's table or R's qt (0.975, 7));
 * - Student's sleep data (Cushny and Peebles 1905, R's `sleep` data set) with the output R
 *   prints for t.test (sleep$extra[11:20]), t.test (extra ~ group, paired = TRUE) and
 *   wilcox.test (..., paired = TRUE), as published in R's documentation and countless tutorials;
 * - the depression data of Hollander and Wolfe (1973), p. 29, the example of R's ?wilcox.test
 *   (V = 40, one-sided p = 0.01953);
 * - the critical values of the Wilcoxon signed-rank test (two-sided α = 0.05) of the published
 *   tables (e.g. Wilcoxon, Katti and Wilcox 1963; reproduced in most textbooks);
 * - the normal approximation worked by hand with Φ from a printed normal table. */
#include "config.h"

#include <math.h>

#include "analysis/ks-stats.h"

/* Student's sleep data: extra hours of sleep with drug 1 (x) and drug 2 (y), same patients. */
static const double sleep1[] = { 0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0 };
static const double sleep2[] = { 1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4 };

static void
test_summary_hand (void)
{
  /* mean 5, Σ(x − 5)² = 32, sd = √(32/7), median (4 + 5)/2; CI 5 ± 2.364624·sd/√8. */
  const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
  KsSummaryStats s;

  ks_stats_summarize (x, 8, &s);
  g_assert_cmpuint (s.n, ==, 8);
  g_assert_cmpfloat_with_epsilon (s.mean, 5, 1e-12);
  g_assert_cmpfloat_with_epsilon (s.sd, 2.1380899353, 1e-9);
  g_assert_cmpfloat_with_epsilon (s.median, 4.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (s.ci_low, 3.2125121, 1e-6);
  g_assert_cmpfloat_with_epsilon (s.ci_high, 6.7874879, 1e-6);
}

static void
test_summary_sleep (void)
{
  /* R: t.test (sleep$extra[11:20]): mean 2.33, 95 percent CI 0.8976775 3.7623225. */
  KsSummaryStats s;

  ks_stats_summarize (sleep2, 10, &s);
  g_assert_cmpfloat_with_epsilon (s.mean, 2.33, 1e-12);
  g_assert_cmpfloat_with_epsilon (s.ci_low, 0.8976775, 1e-7);
  g_assert_cmpfloat_with_epsilon (s.ci_high, 3.7623225, 1e-7);
  g_assert_cmpfloat_with_epsilon (s.median, 1.75, 1e-12);
}

static void
test_summary_small (void)
{
  const double one[] = { 3.5 };
  KsSummaryStats s;

  ks_stats_summarize (one, 1, &s);
  g_assert_cmpuint (s.n, ==, 1);
  g_assert_cmpfloat (s.mean, ==, 3.5);
  g_assert_cmpfloat (s.median, ==, 3.5);
  g_assert_true (isnan (s.sd) && isnan (s.ci_low) && isnan (s.ci_high));
  ks_stats_summarize (NULL, 0, &s);
  g_assert_cmpuint (s.n, ==, 0);
  g_assert_true (isnan (s.mean) && isnan (s.median));
}

static void
test_paired_t_sleep (void)
{
  /* R: t.test (extra ~ group, data = sleep, paired = TRUE):
   * t = -4.0621, df = 9, p-value = 0.002833, mean difference -1.58. */
  KsPairedT t;

  ks_stats_paired_t (sleep1, sleep2, 10, &t);
  g_assert_cmpuint (t.n, ==, 10);
  g_assert_cmpfloat_with_epsilon (t.mean_diff, -1.58, 1e-12);
  g_assert_cmpfloat_with_epsilon (t.t, -4.0621, 5e-5);
  g_assert_cmpfloat_with_epsilon (t.p, 0.002833, 5e-7);
  /* Swapped: the same p, t of the other sign. */
  ks_stats_paired_t (sleep2, sleep1, 10, &t);
  g_assert_cmpfloat_with_epsilon (t.t, 4.0621, 5e-5);
  g_assert_cmpfloat_with_epsilon (t.p, 0.002833, 5e-7);
}

static void
test_paired_t_degenerate (void)
{
  const double a[] = { 1, 2, 3 }, b[] = { 1, 2, 3 }, c[] = { 2, 3, 4 };
  KsPairedT t;

  ks_stats_paired_t (a, b, 3, &t);
  g_assert_cmpfloat (t.p, ==, 1);
  /* Constant nonzero differences: undefined. */
  ks_stats_paired_t (a, c, 3, &t);
  g_assert_cmpfloat (t.mean_diff, ==, -1);
  g_assert_true (isnan (t.p));
  ks_stats_paired_t (a, c, 1, &t);
  g_assert_true (isnan (t.t) && isnan (t.p));
}

static void
test_wilcoxon_sleep (void)
{
  /* R: wilcox.test (sleep1, sleep2, paired = TRUE): "cannot compute exact p-value with ties"
   * and "with zeroes"; V = 0, p-value = 0.009091.  By hand: one zero dropped, n = 9, one tie
   * of two (|−1.3|), σ² = 9·10·19/24 − 6/48, z = (0 − 22.5 + 0.5)/σ = −2.6087. */
  KsWilcoxon w;

  ks_stats_wilcoxon (sleep1, sleep2, 10, &w);
  g_assert_cmpuint (w.n, ==, 9);
  g_assert_cmpfloat (w.v, ==, 0);
  g_assert_false (w.exact);
  g_assert_cmpfloat_with_epsilon (w.p, 0.009091, 5e-7);
  /* The other direction: V = 45, the same p. */
  ks_stats_wilcoxon (sleep2, sleep1, 10, &w);
  g_assert_cmpfloat (w.v, ==, 45);
  g_assert_cmpfloat_with_epsilon (w.p, 0.009091, 5e-7);
}

static void
test_wilcoxon_depression (void)
{
  /* Hollander and Wolfe's depression scale before (x) and after (y) therapy; R's example:
   * wilcox.test (x, y, paired = TRUE, alternative = "greater"): V = 40, p-value = 0.01953.
   * Exact: P(V ≥ 40) = P(V ≤ 5) = 10/512; two-sided twice that. */
  const double x[] = { 1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30 };
  const double y[] = { 0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29 };
  KsWilcoxon w;

  ks_stats_wilcoxon (x, y, 9, &w);
  g_assert_cmpuint (w.n, ==, 9);
  g_assert_cmpfloat (w.v, ==, 40);
  g_assert_true (w.exact);
  g_assert_cmpfloat_with_epsilon (w.p, 20.0 / 512, 1e-12);
}

static void
test_signrank_table (void)
{
  /* Two-sided α = 0.05 critical values T: P(V ≤ T) ≤ 0.025 < P(V ≤ T + 1). */
  static const struct
  {
    guint n;
    int t;
  } table[] = { { 6, 0 },   { 7, 2 },   { 8, 3 },   { 9, 5 },   { 10, 8 },
                { 11, 10 }, { 12, 13 }, { 13, 17 }, { 14, 21 }, { 15, 25 },
                { 16, 29 }, { 17, 34 }, { 18, 40 }, { 19, 46 }, { 20, 52 } };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_test_message ("n = %u, T = %d", table[i].n, table[i].t);
      g_assert_cmpfloat (ks_stats_signrank_cdf (table[i].t, table[i].n), <=, 0.025);
      g_assert_cmpfloat (ks_stats_signrank_cdf (table[i].t + 1, table[i].n), >, 0.025);
    }
  /* n = 5 has no critical value: even V = 0 has P = 1/32 > 0.025. */
  g_assert_cmpfloat (ks_stats_signrank_cdf (0, 5), ==, 1.0 / 32);
  /* n = 3 by hand: the subsets of {1,2,3} by sum 0,1,2,3,3,4,5,6. */
  g_assert_cmpfloat (ks_stats_signrank_cdf (0, 3), ==, 1.0 / 8);
  g_assert_cmpfloat (ks_stats_signrank_cdf (2, 3), ==, 3.0 / 8);
  g_assert_cmpfloat (ks_stats_signrank_cdf (3, 3), ==, 5.0 / 8);
  g_assert_cmpfloat (ks_stats_signrank_cdf (6, 3), ==, 1);
  g_assert_cmpfloat (ks_stats_signrank_cdf (-1, 3), ==, 0);
  /* n = 8, V = 3 (the critical value): {}, {1}, {2}, {3}, {1,2}: 5/256, two-sided 10/256. */
  {
    const double x[] = { -1, -2, 3, 4, 5, 6, 7, 8 }, zero[8] = { 0 };
    KsWilcoxon w;
    ks_stats_wilcoxon (zero, x, 8, &w);
    g_assert_cmpfloat (w.v, ==, 3);
    g_assert_true (w.exact);
    g_assert_cmpfloat_with_epsilon (w.p, 10.0 / 256, 1e-12);
    ks_stats_wilcoxon (x, zero, 8, &w);
    g_assert_cmpfloat (w.v, ==, 33);
    g_assert_cmpfloat_with_epsilon (w.p, 10.0 / 256, 1e-12);
  }
}

static void
test_wilcoxon_normal (void)
{
  /* n = 50 (no longer exact), differences ±1..±50 without ties, 1..30 negative:
   * V = 1275 − 465 = 810, E = 637.5, σ² = 50·51·101/24 = 10731.25, z = 172/σ = 1.66036,
   * p = 2(1 − Φ(1.66036)) = 2(1 − 0.951576) from the table (Φ(1.66) = 0.95154,
   * Φ(1.67) = 0.95254, interpolated). */
  double x[50], y[50] = { 0 };
  KsWilcoxon w;

  for (guint i = 0; i < 50; i++)
    x[i] = i < 30 ? -(double) (i + 1) : (double) (i + 1);
  ks_stats_wilcoxon (x, y, 50, &w);
  g_assert_cmpuint (w.n, ==, 50);
  g_assert_cmpfloat (w.v, ==, 810);
  g_assert_false (w.exact);
  g_assert_cmpfloat_with_epsilon (w.p, 0.096848, 2e-5);
  /* 49 pairs are still exact. */
  ks_stats_wilcoxon (x + 1, y, 49, &w);
  g_assert_true (w.exact);
}

static void
test_wilcoxon_degenerate (void)
{
  const double a[] = { 1, 2, 3 };
  KsWilcoxon w;

  ks_stats_wilcoxon (a, a, 3, &w);
  g_assert_cmpuint (w.n, ==, 0);
  g_assert_cmpfloat (w.p, ==, 1);
  ks_stats_wilcoxon (NULL, NULL, 0, &w);
  g_assert_true (isnan (w.p));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stats/summary/hand", test_summary_hand);
  g_test_add_func ("/stats/summary/sleep", test_summary_sleep);
  g_test_add_func ("/stats/summary/small", test_summary_small);
  g_test_add_func ("/stats/paired-t/sleep", test_paired_t_sleep);
  g_test_add_func ("/stats/paired-t/degenerate", test_paired_t_degenerate);
  g_test_add_func ("/stats/wilcoxon/sleep", test_wilcoxon_sleep);
  g_test_add_func ("/stats/wilcoxon/depression", test_wilcoxon_depression);
  g_test_add_func ("/stats/wilcoxon/table", test_signrank_table);
  g_test_add_func ("/stats/wilcoxon/normal", test_wilcoxon_normal);
  g_test_add_func ("/stats/wilcoxon/degenerate", test_wilcoxon_degenerate);
  return g_test_run ();
}
