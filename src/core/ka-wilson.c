/* ka-wilson.c: Wilson score interval of a binomial proportion
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Source: E. B. Wilson, "Probable inference, the law of succession, and statistical
 * inference", JASA 22 (1927) 209–212.
 */

#define G_LOG_DOMAIN "ka-wilson"

#include "config.h"

#include <math.h>

#include "ka-wilson.h"

#define WILSON_Z 1.959963984540054

/**
 * ka_rating_wilson_interval:
 * @successes: successes, 0 ≤ @successes ≤ @trials
 * @trials: trials
 * @lower: (out): lower bound of the 95 % Wilson score interval, in [0, 1]
 * @upper: (out): upper bound
 *
 * The Wilson score interval for a binomial proportion (E. B. Wilson, "Probable inference,
 * the law of succession, and statistical inference", JASA 22 (1927) 209–212), with
 * z = 1.96. With no trial the interval is [0, 1].
 */
void
ka_rating_wilson_interval (gint64  successes,
                           gint64  trials,
                           double *lower,
                           double *upper)
{
  double n, p, z2, denom, centre, half;

  g_return_if_fail (lower != NULL && upper != NULL);

  if (trials <= 0)
    {
      *lower = 0.0;
      *upper = 1.0;
      return;
    }

  n = (double) trials;
  p = (double) successes / n;
  z2 = WILSON_Z * WILSON_Z;
  denom = 1.0 + z2 / n;
  centre = (p + z2 / (2.0 * n)) / denom;
  half = WILSON_Z / denom * sqrt (p * (1.0 - p) / n + z2 / (4.0 * n * n));
  *lower = MAX (0.0, centre - half);
  *upper = MIN (1.0, centre + half);
}
