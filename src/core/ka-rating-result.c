/* ka-rating-result.c: the leaderboard: rows, matrices, position bias, warnings
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-rating-result"

#include "config.h"

#include <math.h>

#include "ka-rating-result-private.h"
#include "ka-wilson.h"

G_DEFINE_BOXED_TYPE (KaRatingResult, ka_rating_result, ka_rating_result_ref, ka_rating_result_unref)

/**
 * ka_rating_result_ref:
 * @self: a result
 *
 * Returns: (transfer full): @self
 */
KaRatingResult *
ka_rating_result_ref (KaRatingResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref);
  return self;
}

/**
 * ka_rating_result_unref:
 * @self: (transfer full): a result
 */
void
ka_rating_result_unref (KaRatingResult *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref))
    {
      g_free (self->entries);
      g_strfreev (self->names);
      g_free (self->battles);
      g_free (self->wins);
      g_ptr_array_unref (self->warnings);
      g_free (self);
    }
}

/**
 * ka_rating_result_get_n_models:
 * @self: a result
 *
 * Returns: the number of rows of the leaderboard
 */
guint
ka_rating_result_get_n_models (KaRatingResult *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->m;
}

/**
 * ka_rating_result_get_entry:
 * @self: a result
 * @index: a row, 0-based
 *
 * Rows are sorted by component, then by rating (highest first), then by name.
 *
 * Returns: (transfer none): the row
 */
const KaRatingEntry *
ka_rating_result_get_entry (KaRatingResult *self,
                            guint           index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->m, NULL);

  return &self->entries[index];
}

/**
 * ka_rating_result_lookup:
 * @self: a result
 * @model: a model name
 * @index: (out) (optional): its row
 *
 * Returns: (transfer none) (nullable): the model's row, or %NULL if it has no ballot
 */
const KaRatingEntry *
ka_rating_result_lookup (KaRatingResult *self,
                         const char     *model,
                         guint          *index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (model != NULL, NULL);

  for (guint i = 0; i < self->m; i++)
    if (g_str_equal (self->entries[i].model, model))
      {
        if (index != NULL)
          *index = i;
        return &self->entries[i];
      }
  return NULL;
}

/**
 * ka_rating_result_get_n_ballots:
 * @self: a result
 *
 * Returns: the number of ballots counted
 */
gint64
ka_rating_result_get_n_ballots (KaRatingResult *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_ballots;
}

/**
 * ka_rating_result_get_battles:
 * @self: a result
 * @i: a row
 * @j: a row
 *
 * The battle-count matrix (symmetric; all outcomes, either side).
 *
 * Returns: the number of ballots between rows @i and @j
 */
gint64
ka_rating_result_get_battles (KaRatingResult *self,
                              guint           i,
                              guint           j)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (i < self->m && j < self->m, 0);

  return self->battles[i * self->m + j];
}

/**
 * ka_rating_result_get_win_rate:
 * @self: a result
 * @i: a row
 * @j: a row
 *
 * The win-rate matrix, ties excluded (LMArena's "fraction of model A wins"): the share of
 * the decisive ballots between rows @i and @j that @i won, whichever side it sat on.
 *
 * Returns: a share in [0, 1], or NAN if the two never had a decisive ballot
 */
double
ka_rating_result_get_win_rate (KaRatingResult *self,
                               guint           i,
                               guint           j)
{
  gint64 w, l;

  g_return_val_if_fail (self != NULL, NAN);
  g_return_val_if_fail (i < self->m && j < self->m, NAN);

  w = self->wins[i * self->m + j];
  l = self->wins[j * self->m + i];
  if (w + l == 0)
    return NAN;
  return (double) w / (double) (w + l);
}

/**
 * ka_rating_result_get_position_bias:
 * @self: a result
 * @left_wins: (out) (optional): decisive ballots won by the left answer
 * @decisive: (out) (optional): decisive ballots (neither tie nor both bad)
 * @share: (out) (optional): @left_wins / @decisive (NAN if none); 0.5 means no bias
 * @lower: (out) (optional): lower bound of its 95 % Wilson interval
 * @upper: (out) (optional): upper bound
 */
void
ka_rating_result_get_position_bias (KaRatingResult *self,
                                    gint64         *left_wins,
                                    gint64         *decisive,
                                    double         *share,
                                    double         *lower,
                                    double         *upper)
{
  double lo, hi;

  g_return_if_fail (self != NULL);

  ka_rating_wilson_interval (self->left_wins, self->decisive, &lo, &hi);
  if (left_wins != NULL)
    *left_wins = self->left_wins;
  if (decisive != NULL)
    *decisive = self->decisive;
  if (share != NULL)
    *share = self->decisive > 0 ? (double) self->left_wins / (double) self->decisive : NAN;
  if (lower != NULL)
    *lower = lo;
  if (upper != NULL)
    *upper = hi;
}

/**
 * ka_rating_result_get_n_components:
 * @self: a result
 *
 * Returns: the number of connected components of the comparison graph (1 when every
 *   rating is comparable with every other)
 */
guint
ka_rating_result_get_n_components (KaRatingResult *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_comp;
}

/**
 * ka_rating_result_get_warnings:
 * @self: a result
 *
 * Human-readable (translated) notes on degenerate data: several components, models that
 * never won or never lost (and the prior that was needed), bootstrap rounds that needed
 * the prior, an anchor that only shifts its own component, ballots without a time.
 *
 * Returns: (transfer none) (array zero-terminated=1): the warnings, possibly empty
 */
const char * const *
ka_rating_result_get_warnings (KaRatingResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return (const char * const *) self->warnings->pdata;
}

/**
 * ka_rating_result_get_bootstrap_rounds:
 * @self: a result
 *
 * Returns: the number of bootstrap rounds behind the intervals
 */
guint
ka_rating_result_get_bootstrap_rounds (KaRatingResult *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->rounds;
}

/**
 * ka_rating_result_get_seed:
 * @self: a result
 *
 * Returns: the bootstrap seed
 */
guint64
ka_rating_result_get_seed (KaRatingResult *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->seed;
}

/**
 * ka_rating_result_get_prior_rounds:
 * @self: a result
 *
 * Returns: how many bootstrap rounds needed the prior (a model that never won or never
 *   lost in that replicate)
 */
guint
ka_rating_result_get_prior_rounds (KaRatingResult *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->prior_rounds;
}

/**
 * ka_rating_result_get_iterations:
 * @self: a result
 *
 * Returns: iterations of the point fit until convergence
 */
guint
ka_rating_result_get_iterations (KaRatingResult *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->iterations;
}

/* Appends a translated warning; takes @message. */
void
_ka_rating_result_add_warning (KaRatingResult *self,
             char           *message)
{
  g_ptr_array_insert (self->warnings, self->warnings->len - 1, message);
}
