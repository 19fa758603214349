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

/* MT19937 (M. Matsumoto and T. Nishimura, "Mersenne Twister: a 623-dimensionally
 * equidistributed uniform pseudo-random number generator", ACM TOMACS 8 (1998) 3–30),
 * seeded by init_by_array() of their reference code, and doubles made of two words as
 * g_rand_double() makes them: GLib's GRand is this generator, so a #KaMt seeded with the
 * same words gives the same doubles (tests/test-bootstrap.c checks it). GRand cannot be
 * inlined; one call per word was a tenth of a bootstrap round. */
#define MT_N 624
#define MT_M 397

static void
mt_seed (KaMt    *mt,
         guint32  seed)
{
  mt->mt[0] = seed;
  for (mt->mti = 1; mt->mti < MT_N; mt->mti++)
    mt->mt[mt->mti] = 1812433253u * (mt->mt[mt->mti - 1] ^ (mt->mt[mt->mti - 1] >> 30)) + mt->mti;
}

/**
 * ka_mt_seed_array:
 * @mt: (out caller-allocates): the generator
 * @seed: (array length=len): seed words
 * @len: how many, ≥ 1
 *
 * Seeds @mt as g_rand_new_with_seed_array() seeds a #GRand (with GLib's default seeding,
 * not the `G_RANDOM_VERSION=2.0` one).
 */
void
ka_mt_seed_array (KaMt          *mt,
                  const guint32 *seed,
                  guint          len)
{
  guint i = 1, j = 0;

  g_return_if_fail (len >= 1);

  mt_seed (mt, 19650218u);
  for (guint k = MAX (MT_N, len); k > 0; k--)
    {
      mt->mt[i] = (mt->mt[i] ^ ((mt->mt[i - 1] ^ (mt->mt[i - 1] >> 30)) * 1664525u)) + seed[j] + j;
      i++;
      j++;
      if (i >= MT_N)
        {
          mt->mt[0] = mt->mt[MT_N - 1];
          i = 1;
        }
      if (j >= len)
        j = 0;
    }
  for (guint k = MT_N - 1; k > 0; k--)
    {
      mt->mt[i] = (mt->mt[i] ^ ((mt->mt[i - 1] ^ (mt->mt[i - 1] >> 30)) * 1566083941u)) - i;
      i++;
      if (i >= MT_N)
        {
          mt->mt[0] = mt->mt[MT_N - 1];
          i = 1;
        }
    }
  mt->mt[0] = 0x80000000u;
  mt->mti = MT_N;
}

static void
mt_refill (KaMt *mt)
{
  static const guint32 mag01[2] = { 0x0, 0x9908b0dfu };
  guint32 y;
  guint k;

  for (k = 0; k < MT_N - MT_M; k++)
    {
      y = (mt->mt[k] & 0x80000000u) | (mt->mt[k + 1] & 0x7fffffffu);
      mt->mt[k] = mt->mt[k + MT_M] ^ (y >> 1) ^ mag01[y & 1];
    }
  for (; k < MT_N - 1; k++)
    {
      y = (mt->mt[k] & 0x80000000u) | (mt->mt[k + 1] & 0x7fffffffu);
      mt->mt[k] = mt->mt[k + MT_M - MT_N] ^ (y >> 1) ^ mag01[y & 1];
    }
  y = (mt->mt[MT_N - 1] & 0x80000000u) | (mt->mt[0] & 0x7fffffffu);
  mt->mt[MT_N - 1] = mt->mt[MT_M - 1] ^ (y >> 1) ^ mag01[y & 1];
  mt->mti = 0;
}

static inline guint32
mt_int (KaMt *mt)
{
  guint32 y;

  if (mt->mti >= MT_N)
    mt_refill (mt);
  y = mt->mt[mt->mti++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

/**
 * ka_mt_double:
 * @mt: a generator
 *
 * Returns: the next double in [0, 1), as g_rand_double() computes it
 */
double
ka_mt_double (KaMt *mt)
{
  for (;;)
    {
      double r = mt_int (mt) * (1.0 / 4294967296.0);

      r = (r + mt_int (mt)) * (1.0 / 4294967296.0);
      if (r < 1.0)
        return r;
    }
}

/* Where the variates come from: a #KaMt (the bootstrap) or a #GRand (the public
 * ka_rating_counts_resample()). */
typedef struct
{
  KaMt  *mt;
  GRand *rand;
} Source;

static inline double
source_double (Source *src)
{
  if (G_LIKELY (src->mt != NULL))
    {
      double r = mt_int (src->mt) * (1.0 / 4294967296.0);

      r = (r + mt_int (src->mt)) * (1.0 / 4294967296.0);
      if (G_LIKELY (r < 1.0))
        return r;
      return ka_mt_double (src->mt);
    }
  return g_rand_double (src->rand);
}

/* Inversion by sequential search (Kachitvichyanukul and Schmeiser's BINV), used by numpy
 * for small n·p; expected O(n·p) steps. Requires p ≤ 0.5. */
static gint64
binomial_inversion (Source *src,
                    gint64  n,
                    double  p,
                    double  q,
                    double  log_q)
{
  double qn = exp ((double) n * log_q);
  double np = (double) n * p;
  double bound = MIN ((double) n, np + 10.0 * sqrt (np * q + 1.0));
  gint64 x = 0;
  double px = qn;
  double u = source_double (src);

  while (u > px)
    {
      x++;
      if ((double) x > bound)
        {
          /* Round-off ran away: start again, as numpy does. */
          x = 0;
          px = qn;
          u = source_double (src);
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

static void
ensure_log_factorial_table (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, log_factorial_table_init, NULL);
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
binomial_btrs (Source *src,
               gint64  n,
               double  p,
               double  q,
               double  lpq)
{
  double spq = sqrt ((double) n * p * q);
  double b = 1.15 + 2.53 * spq;
  double a = -0.0873 + 0.0248 * b + 0.01 * p;
  double c = (double) n * p + 0.5;
  double v_r = 0.92 - 4.2 / b;
  double alpha = (2.83 + 5.1 / b) * spq;
  double m = floor ((double) (n + 1) * p);
  double h = log_factorial (m) + log_factorial ((double) n - m);

  for (;;)
    {
      double u = source_double (src) - 0.5;
      double v = source_double (src);
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
binomial (Source *src,
          gint64  n,
          double  p)
{
  if (n <= 0 || p <= 0.0)
    return 0;
  if (p >= 1.0)
    return n;
  if (p > 0.5)
    return n - binomial (src, n, 1.0 - p);
  if ((double) n * p < 10.0)
    return binomial_inversion (src, n, p, 1.0 - p, log (1.0 - p));
  return binomial_btrs (src, n, p, 1.0 - p, log (p / (1.0 - p)));
}

static void
multinomial (Source       *src,
             const gint64 *counts,
             gint64       *out,
             guint         n)
{
  gint64 weight = 0;
  gint64 left;

  ensure_log_factorial_table ();

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
        out[k] = binomial (src, left, (double) counts[k] / (double) weight);
      left -= out[k];
      weight -= counts[k];
    }
}

/* What ka_multinomial_resample() computes per cell from the counts alone, whatever was
 * drawn before: the conditional probability, folded to ≤ 0.5 as binomial() folds it, and
 * the logarithms the samplers take of it. The same expressions, so the same doubles. */
typedef struct
{
  double p;       /* ≤ 0.5 */
  double q;
  double log_q;
  double lpq;     /* ln (p / q) */
  gboolean flip;  /* the cell gets n − Binomial(n, p) */
  gboolean rest;  /* the cell gets every draw left */
} PlanCell;

struct _KaMultinomialPlan
{
  guint     n;
  gint64    total;
  gint64   *counts;
  PlanCell *cells;
};

/**
 * ka_multinomial_plan_new:
 * @counts: (array length=n): observed counts, ≥ 0 (copied)
 * @n: number of cells
 *
 * Precomputes what ka_multinomial_resample() would compute for every cell on every call,
 * for ka_multinomial_resample_plan().
 *
 * Returns: (transfer full): the plan; free with ka_multinomial_plan_free()
 */
KaMultinomialPlan *
ka_multinomial_plan_new (const gint64 *counts,
                         guint         n)
{
  KaMultinomialPlan *plan = g_new0 (KaMultinomialPlan, 1);
  gint64 weight = 0;

  plan->n = n;
  plan->counts = g_memdup2 (counts, sizeof (gint64) * MAX (n, 1));
  plan->cells = g_new0 (PlanCell, MAX (n, 1));
  for (guint k = 0; k < n; k++)
    weight += counts[k];
  plan->total = weight;
  for (guint k = 0; k < n; k++)
    {
      PlanCell *c = &plan->cells[k];

      if (weight > 0 && (k + 1 == n || counts[k] >= weight))
        c->rest = TRUE;
      else if (weight > 0)
        {
          c->p = (double) counts[k] / (double) weight;
          if (c->p > 0.5)
            {
              c->flip = TRUE;
              c->p = 1.0 - c->p;
            }
          c->q = 1.0 - c->p;
          c->log_q = log (c->q);
          c->lpq = log (c->p / c->q);
        }
      weight -= counts[k];
    }
  return plan;
}

/**
 * ka_multinomial_plan_free:
 * @plan: (transfer full): a plan
 */
void
ka_multinomial_plan_free (KaMultinomialPlan *plan)
{
  g_free (plan->counts);
  g_free (plan->cells);
  g_free (plan);
}

/**
 * ka_multinomial_resample_plan:
 * @mt: the generator to draw from
 * @plan: the counts, prepared by ka_multinomial_plan_new()
 * @out: (out caller-allocates) (array): the draw, one count per cell
 *
 * The draw ka_multinomial_resample_mt() makes from the same generator state and counts,
 * without recomputing what depends on the counts only.
 */
void
ka_multinomial_resample_plan (KaMt                    *mt,
                              const KaMultinomialPlan *plan,
                              gint64                  *out)
{
  Source src = { mt, NULL };
  gint64 left = plan->total;

  ensure_log_factorial_table ();

  for (guint k = 0; k < plan->n; k++)
    {
      const PlanCell *c = &plan->cells[k];
      gint64 x;

      if (left <= 0 || (!c->rest && plan->counts[k] == 0))
        x = 0;
      else if (c->rest)
        x = left;
      else
        {
          /* binomial (left, p), unfolded. */
          if ((double) left * c->p < 10.0)
            x = binomial_inversion (&src, left, c->p, c->q, c->log_q);
          else
            x = binomial_btrs (&src, left, c->p, c->q, c->lpq);
          if (c->flip)
            x = left - x;
        }
      out[k] = x;
      left -= x;
    }
}

/**
 * ka_multinomial_resample:
 * @rand: the generator to draw from
 * @counts: (array length=n): observed counts, ≥ 0
 * @out: (out caller-allocates) (array length=n): the draw
 * @n: number of cells
 *
 * Draws Multinomial(N, @counts / N), N = Σ @counts: the counts of N ballots drawn with
 * replacement from the observed ones (the ordinary bootstrap of the ballots, as LMArena's
 * `compute_bootstrap_bt`), by sequential conditional binomials: cell k gets
 * Binomial(draws left, c_k / weight left). Exact; O(@n) binomials whatever N, each by
 * inversion (BINV) when n·p < 10, else by Hörmann's BTRS. The sequence of draws depends
 * only on @rand's state and @counts.
 */
void
ka_multinomial_resample (GRand        *rand,
                         const gint64 *counts,
                         gint64       *out,
                         guint         n)
{
  Source src = { NULL, rand };

  multinomial (&src, counts, out, n);
}

/**
 * ka_multinomial_resample_mt:
 * @mt: the generator to draw from (see ka_mt_seed_array())
 * @counts: (array length=n): observed counts, ≥ 0
 * @out: (out caller-allocates) (array length=n): the draw
 * @n: number of cells
 *
 * As ka_multinomial_resample(), from a #KaMt: the same draws as from a #GRand seeded with
 * the same words, without a function call per random number.
 */
void
ka_multinomial_resample_mt (KaMt         *mt,
                            const gint64 *counts,
                            gint64       *out,
                            guint         n)
{
  Source src = { mt, NULL };

  multinomial (&src, counts, out, n);
}
