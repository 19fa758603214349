/* ka-multinomial.h: binomial and multinomial random variates
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void ka_multinomial_resample (GRand        *rand,
                              const gint64 *counts,
                              gint64       *out,
                              guint         n);

G_END_DECLS
