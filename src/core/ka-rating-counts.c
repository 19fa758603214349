/* ka-rating-counts.c: aggregated counts per (left model, right model, outcome)
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sources: LMArena/FastChat, fastchat/serve/monitor/rating_systems.py (`compute_bootstrap_bt`:
 * a multinomial bootstrap over the unique (model_a, model_b, outcome) rows).
 */

#define G_LOG_DOMAIN "ka-rating-counts"

#include "config.h"

#include <string.h>

#include "ka-multinomial.h"
#include "ka-rating-counts-private.h"

G_DEFINE_BOXED_TYPE (KaRatingCounts, ka_rating_counts, ka_rating_counts_ref, ka_rating_counts_unref)

/**
 * ka_rating_counts_new:
 *
 * Creates empty aggregated counts: for every ordered pair (model_a = left,
 * model_b = right) the number of ballots of each outcome.
 *
 * Returns: (transfer full): new counts
 */
KaRatingCounts *
ka_rating_counts_new (void)
{
  KaRatingCounts *self = g_new0 (KaRatingCounts, 1);

  g_atomic_ref_count_init (&self->ref);
  ka_name_table_init (&self->models);
  return self;
}

/**
 * ka_rating_counts_ref:
 * @self: counts
 *
 * Returns: (transfer full): @self
 */
KaRatingCounts *
ka_rating_counts_ref (KaRatingCounts *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref);
  return self;
}

/**
 * ka_rating_counts_unref:
 * @self: (transfer full): counts
 */
void
ka_rating_counts_unref (KaRatingCounts *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref))
    {
      ka_name_table_clear (&self->models);
      g_free (self->cells);
      g_free (self);
    }
}

/* Makes room for @need models (the matrix side doubles), keeping the counts. */
void
_ka_rating_counts_grow (KaRatingCounts *self,
                        guint           need)
{
  guint cap = MAX (self->cap, 4);
  gint64 *cells;

  if (need <= self->cap)
    return;
  while (cap < need)
    cap *= 2;

  cells = g_new0 (gint64, (gsize) cap * cap * N_OUTCOMES);
  for (guint a = 0; a < self->cap; a++)
    memcpy (cells + ((gsize) a * cap) * N_OUTCOMES,
            self->cells + ((gsize) a * self->cap) * N_OUTCOMES,
            sizeof (gint64) * self->cap * N_OUTCOMES);
  g_free (self->cells);
  self->cells = cells;
  self->cap = cap;
}

/**
 * ka_rating_counts_add_model:
 * @self: counts
 * @model: a model name (UTF-8)
 *
 * Adds a model if it is not known yet.
 *
 * Returns: the model's index (0-based, in order of addition)
 */
guint
ka_rating_counts_add_model (KaRatingCounts *self,
                            const char     *model)
{
  guint i;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (model != NULL, 0);

  i = ka_name_table_add (&self->models, model);
  _ka_rating_counts_grow (self, self->models.names->len);
  return i;
}

/**
 * ka_rating_counts_lookup_model:
 * @self: counts
 * @model: a model name
 * @index: (out) (optional): its index
 *
 * Returns: whether @model is known
 */
gboolean
ka_rating_counts_lookup_model (KaRatingCounts *self,
                               const char     *model,
                               guint          *index)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (model != NULL, FALSE);

  return ka_name_table_lookup (&self->models, model, index);
}

/**
 * ka_rating_counts_get_n_models:
 * @self: counts
 *
 * Returns: the number of models
 */
guint
ka_rating_counts_get_n_models (KaRatingCounts *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->models.names->len;
}

/**
 * ka_rating_counts_get_model:
 * @self: counts
 * @index: a model index
 *
 * Returns: (transfer none): the model's name
 */
const char *
ka_rating_counts_get_model (KaRatingCounts *self,
                            guint           index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->models.names->len, NULL);

  return g_ptr_array_index (self->models.names, index);
}

/**
 * ka_rating_counts_add:
 * @self: counts
 * @model_a: index of the left model
 * @model_b: index of the right model, different from @model_a
 * @winner: the outcome
 * @count: how many ballots (≥ 0)
 *
 * Adds @count ballots with this outcome to the ordered pair (@model_a, @model_b).
 */
void
ka_rating_counts_add (KaRatingCounts *self,
                      guint           model_a,
                      guint           model_b,
                      KaWinner        winner,
                      gint64          count)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (model_a < self->models.names->len);
  g_return_if_fail (model_b < self->models.names->len);
  g_return_if_fail (model_a != model_b);
  g_return_if_fail ((guint) winner < N_OUTCOMES);
  g_return_if_fail (count >= 0);

  _ka_rating_counts_cell (self, model_a, model_b)[winner] += count;
  self->total += count;
}

/**
 * ka_rating_counts_get:
 * @self: counts
 * @model_a: index of the left model
 * @model_b: index of the right model
 * @winner: an outcome
 *
 * Returns: the number of ballots on (@model_a, @model_b) with this outcome
 */
gint64
ka_rating_counts_get (KaRatingCounts *self,
                      guint           model_a,
                      guint           model_b,
                      KaWinner        winner)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (model_a < self->models.names->len, 0);
  g_return_val_if_fail (model_b < self->models.names->len, 0);
  g_return_val_if_fail ((guint) winner < N_OUTCOMES, 0);

  return _ka_rating_counts_cell (self, model_a, model_b)[winner];
}

/**
 * ka_rating_counts_get_total:
 * @self: counts
 *
 * Returns: the number of ballots
 */
gint64
ka_rating_counts_get_total (KaRatingCounts *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->total;
}

/**
 * ka_rating_counts_resample:
 * @self: counts
 * @rand: the random generator to draw from
 *
 * One bootstrap replicate: as many ballots as @self holds, drawn with replacement from
 * the observed ones, i.e. the cell counts are Multinomial(N, observed frequencies). This
 * is LMArena's `compute_bootstrap_bt` resampling, drawn as a sequence of conditional
 * binomials (Hörmann's BTRS for large cells), so the cost grows with the number of
 * cells, not of ballots.
 *
 * Returns: (transfer full): new counts with the same models
 */
KaRatingCounts *
ka_rating_counts_resample (KaRatingCounts *self,
                           GRand          *rand)
{
  KaRatingCounts *copy;
  gsize n;
  g_autofree gint64 *out = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (rand != NULL, NULL);

  copy = ka_rating_counts_new ();
  for (guint i = 0; i < self->models.names->len; i++)
    ka_rating_counts_add_model (copy, g_ptr_array_index (self->models.names, i));
  _ka_rating_counts_grow (copy, self->cap);
  g_assert (copy->cap == self->cap || self->cap == 0);

  n = (gsize) self->cap * self->cap * N_OUTCOMES;
  if (n == 0)
    return copy;
  out = g_new0 (gint64, n);
  ka_multinomial_resample (rand, self->cells, out, (guint) n);
  memcpy (copy->cells, out, n * sizeof (gint64));
  copy->total = self->total;
  return copy;
}
