/* ka-rating-counts-private.h: the counts' storage, shared by the rating modules
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ka-name-table.h"
#include "ka-rating-counts.h"

G_BEGIN_DECLS

#define N_OUTCOMES 4

struct _KaRatingCounts
{
  gatomicrefcount ref;
  KaNameTable     models;
  guint           cap;     /* allocated side of the matrix */
  gint64         *cells;   /* [(a * cap + b) * N_OUTCOMES + winner] */
  gint64          total;
};

void _ka_rating_counts_grow (KaRatingCounts *self,
                             guint           need);

static inline gint64 *
_ka_rating_counts_cell (KaRatingCounts *self,
                        guint           a,
                        guint           b)
{
  return self->cells + ((gsize) a * self->cap + b) * N_OUTCOMES;
}

G_END_DECLS
