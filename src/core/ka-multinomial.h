/* ka-multinomial.h: binomial and multinomial random variates
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * KaMt:
 *
 * A Mersenne Twister (MT19937) generator, the one inside #GRand, in the open so that
 * drawing a number costs no function call. Seed with ka_mt_seed_array().
 */
typedef struct
{
  guint32 mt[624];
  guint   mti;
} KaMt;

void   ka_mt_seed_array           (KaMt          *mt,
                                   const guint32 *seed,
                                   guint          len);
double ka_mt_double               (KaMt          *mt);
void   ka_multinomial_resample_mt (KaMt          *mt,
                                   const gint64  *counts,
                                   gint64        *out,
                                   guint          n);
typedef struct _KaMultinomialPlan KaMultinomialPlan;

KaMultinomialPlan *ka_multinomial_plan_new      (const gint64            *counts,
                                                 guint                    n);
void               ka_multinomial_plan_free     (KaMultinomialPlan       *plan);
void               ka_multinomial_resample_plan (KaMt                    *mt,
                                                 const KaMultinomialPlan *plan,
                                                 gint64                  *out);

void ka_multinomial_resample (GRand        *rand,
                              const gint64 *counts,
                              gint64       *out,
                              guint         n);

G_END_DECLS
