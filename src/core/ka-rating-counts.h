/* ka-rating-counts.h: aggregated counts per (left model, right model, outcome)
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include "ka-ballot.h"

G_BEGIN_DECLS

typedef struct _KaRatingCounts KaRatingCounts;

#define KA_TYPE_RATING_COUNTS (ka_rating_counts_get_type ())

GType           ka_rating_counts_get_type     (void) G_GNUC_CONST;
KaRatingCounts *ka_rating_counts_new          (void);
KaRatingCounts *ka_rating_counts_ref          (KaRatingCounts *self);
void            ka_rating_counts_unref        (KaRatingCounts *self);
guint           ka_rating_counts_add_model    (KaRatingCounts *self,
                                               const char     *model);
gboolean        ka_rating_counts_lookup_model (KaRatingCounts *self,
                                               const char     *model,
                                               guint          *index);
guint           ka_rating_counts_get_n_models (KaRatingCounts *self);
const char     *ka_rating_counts_get_model    (KaRatingCounts *self,
                                               guint           index);
void            ka_rating_counts_add          (KaRatingCounts *self,
                                               guint           model_a,
                                               guint           model_b,
                                               KaWinner        winner,
                                               gint64          count);
gint64          ka_rating_counts_get          (KaRatingCounts *self,
                                               guint           model_a,
                                               guint           model_b,
                                               KaWinner        winner);
gint64          ka_rating_counts_get_total    (KaRatingCounts *self);
KaRatingCounts *ka_rating_counts_resample     (KaRatingCounts *self,
                                               GRand          *rand);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaRatingCounts, ka_rating_counts_unref)

G_END_DECLS
