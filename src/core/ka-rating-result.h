/* ka-rating-result.h: the leaderboard: rows, matrices, position bias, warnings
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * KaRatingEntry:
 * @model: the model's name
 * @rating: Bradley–Terry rating on the Elo scale
 * @ci_lower: 2.5th percentile of the bootstrap ratings (equal to @rating without bootstrap)
 * @ci_upper: 97.5th percentile of the bootstrap ratings
 * @rank: 1 + the number of models of the same component whose @ci_lower is above this
 *   model's @ci_upper (LMArena's "Rank (UB)")
 * @component: index of the model's component of the comparison graph (0 = the largest);
 *   ratings of different components are not comparable
 * @battles: ballots involving the model
 * @wins: ballots it won (either side)
 * @losses: ballots it lost
 * @ties: ballots voted `tie`
 * @both_bad: ballots voted `both_bad` (counted as ties in the fit)
 * @win_rate: @wins / (@wins + @losses), ties excluded; NAN without a decisive ballot
 * @online_elo: online Elo indicator (K = 4); NAN when not computed
 * @regularised: the model's component needed the prior (see ka_rating_compute())
 *
 * One row of the leaderboard; owned by its #KaRatingResult.
 */
typedef struct
{
  const char *model;
  double      rating;
  double      ci_lower;
  double      ci_upper;
  guint       rank;
  guint       component;
  gint64      battles;
  gint64      wins;
  gint64      losses;
  gint64      ties;
  gint64      both_bad;
  double      win_rate;
  double      online_elo;
  gboolean    regularised;
} KaRatingEntry;

typedef struct _KaRatingResult KaRatingResult;

#define KA_TYPE_RATING_RESULT (ka_rating_result_get_type ())

GType                ka_rating_result_get_type              (void) G_GNUC_CONST;
KaRatingResult      *ka_rating_result_ref                   (KaRatingResult *self);
void                 ka_rating_result_unref                 (KaRatingResult *self);
guint                ka_rating_result_get_n_models          (KaRatingResult *self);
const KaRatingEntry *ka_rating_result_get_entry             (KaRatingResult *self,
                                                             guint           index);
const KaRatingEntry *ka_rating_result_lookup                (KaRatingResult *self,
                                                             const char     *model,
                                                             guint          *index);
gint64               ka_rating_result_get_n_ballots         (KaRatingResult *self);
gint64               ka_rating_result_get_battles           (KaRatingResult *self,
                                                             guint           i,
                                                             guint           j);
double               ka_rating_result_get_win_rate          (KaRatingResult *self,
                                                             guint           i,
                                                             guint           j);
void                 ka_rating_result_get_position_bias     (KaRatingResult *self,
                                                             gint64         *left_wins,
                                                             gint64         *decisive,
                                                             double         *share,
                                                             double         *lower,
                                                             double         *upper);
guint                ka_rating_result_get_n_components      (KaRatingResult *self);
const char * const  *ka_rating_result_get_warnings          (KaRatingResult *self);
guint                ka_rating_result_get_bootstrap_rounds  (KaRatingResult *self);
guint64              ka_rating_result_get_seed              (KaRatingResult *self);
guint                ka_rating_result_get_prior_rounds      (KaRatingResult *self);
guint                ka_rating_result_get_iterations        (KaRatingResult *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaRatingResult, ka_rating_result_unref)

G_END_DECLS
