/* ka-multinomial.c: binomial and multinomial random variates
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sources:
 *  - V. Kachitvichyanukul and B. W. Schmeiser, "Binomial random variate generation",
 *    CACM 31 (1988) 216–222 (BINV, inversion by sequential search; as numpy).
 *  - W. Hörmann, "The generation of binomial random variates", J. Statist. Comput.
 *    Simul. 46 (1993) 101–110 (BTRS sampler).
 */

#define G_LOG_DOMAIN "ka-multinomial"

#include "config.h"

#include <math.h>

#include "ka-multinomial.h"

/* Inversion by sequential search (Kachitvichyanukul and Schmeiser's BINV), used by numpy
 * for small n·p; expected O(n·p) steps. Requires p ≤ 0.5. */
static gint64
binomial_inversion (GRand  *rand,
                    gint64  n,
                    double  p)
{
  double q = 1.0 - p;
  double qn = exp ((double) n * log (q));
  double np = (double) n * p;
  double bound = MIN ((double) n, np + 10.0 * sqrt (np * q + 1.0));
  gint64 x = 0;
  double px = qn;
  double u = g_rand_double (rand);

  while (u > px)
    {
      x++;
      if ((double) x > bound)
        {
          /* Round-off ran away: start again, as numpy does. */
          x = 0;
          px = qn;
          u = g_rand_double (rand);
        }
      else
        {
          u -= px;
          px = ((double) (n - x + 1) * p * px) / ((double) x * q);
        }
    }
  return x;
}

/* ln k! for k < LOG_FACTORIAL_TABLE, computed once with the same lgamma_r() call as for
 * larger k, so a table lookup returns the very same double (the draws do not change). */
#define LOG_FACTORIAL_TABLE 32768

static double *log_factorial_table;

static gpointer
log_factorial_table_init (gpointer data)
{
  double *t = g_new (double, LOG_FACTORIAL_TABLE);
  int sign;

  for (guint k = 0; k < LOG_FACTORIAL_TABLE; k++)
    t[k] = lgamma_r ((double) k + 1.0, &sign);
  log_factorial_table = t;
  return t;
}

static inline double
log_factorial (double k)
{
  int sign;

  if (k >= 0.0 && k < LOG_FACTORIAL_TABLE)
    return log_factorial_table[(guint) k];
  return lgamma_r (k + 1.0, &sign);
}

/* BTRS: transformed rejection with squeeze (Hörmann 1993, algorithm BTRS).
 * Requires p ≤ 0.5 and n·p ≥ 10. */
static gint64
binomial_btrs (GRand  *rand,
               gint64  n,
               double  p)
{
  double q = 1.0 - p;
  double spq = sqrt ((double) n * p * q);
  double b = 1.15 + 2.53 * spq;
  double a = -0.0873 + 0.0248 * b + 0.01 * p;
  double c = (double) n * p + 0.5;
  double v_r = 0.92 - 4.2 / b;
  double alpha = (2.83 + 5.1 / b) * spq;
  double lpq = log (p / q);
  double m = floor ((double) (n + 1) * p);
  double h = log_factorial (m) + log_factorial ((double) n - m);

  for (;;)
    {
      double u = g_rand_double (rand) - 0.5;
      double v = g_rand_double (rand);
      double us = 0.5 - fabs (u);
      double k = floor ((2.0 * a / us + b) * u + c);

      if (k < 0.0 || k > (double) n)
        continue;
      if (us >= 0.07 && v <= v_r)
        return (gint64) k;
      if (v <= 0.0)
        continue;
      v = log (v * alpha / (a / (us * us) + b));
      if (v <= h - log_factorial (k) - log_factorial ((double) n - k) + (k - m) * lpq)
        return (gint64) k;
    }
}

static gint64
binomial (GRand  *rand,
          gint64  n,
          double  p)
{
  if (n <= 0 || p <= 0.0)
    return 0;
  if (p >= 1.0)
    return n;
  if (p > 0.5)
    return n - binomial (rand, n, 1.0 - p);
  if ((double) n * p < 10.0)
    return binomial_inversion (rand, n, p);
  return binomial_btrs (rand, n, p);
}

/* Multinomial(total, counts/total) over @n cells by sequential conditional binomials:
 * cell k gets Binomial(remaining draws, c_k / remaining weight). Exact, O(n) binomials. */
void
ka_multinomial_resample (GRand        *rand,
                      const gint64 *counts,
                      gint64       *out,
                      guint         n)
{
  static GOnce once = G_ONCE_INIT;
  gint64 weight = 0;
  gint64 left;

  g_once (&once, log_factorial_table_init, NULL);

  for (guint k = 0; k < n; k++)
    weight += counts[k];
  left = weight;

  for (guint k = 0; k < n; k++)
    {
      if (left <= 0 || weight <= 0)
        out[k] = 0;
      else if (k + 1 == n || counts[k] >= weight)
        out[k] = left;
      else
        out[k] = binomial (rand, left, (double) counts[k] / (double) weight);
      left -= out[k];
      weight -= counts[k];
    }
}
