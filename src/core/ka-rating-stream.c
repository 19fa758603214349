/* ka-rating-stream.c: a tally that aggregates ballots as they are read
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Source: the online Elo of LMArena/FastChat, fastchat/serve/monitor/elo_analysis.py
 * `compute_elo` (K = 4, base 10, scale 400, start 1000, tie = 0.5), as ka-online-elo.c.
 *
 * ka_rating_tally() keeps every ballot (16 bytes each in a #KaVoteLog) so that it can
 * filter, aggregate and sort them by time. When the filter is known before reading, as
 * in `kai-arena-admin tally --input`, a ballot can instead be filtered and counted as it
 * arrives, and the online Elo updated in arrival order; memory then depends on the number
 * of models, not of ballots. The result is the same as ka_rating_tally() on a log of the
 * same ballots, bit for bit, as long as the ballots arrive in time order (or some have no
 * time, when the log's order is used too): ka_rating_stream_needs_order() says when they
 * did not, and the caller must then tally from a log.
 */

#define G_LOG_DOMAIN "ka-rating-stream"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "ka-name-table.h"
#include "ka-rating.h"
#include "ka-rating-counts-private.h"
#include "ka-rating-result-private.h"
#include "ka-rating-stream.h"

struct _KaRatingStream
{
  /* The filter, with owned copies of its strings. */
  char           *category;
  char           *mode;
  gint64          since_us;
  gint64          until_us;
  gboolean        timed;
  double          online_k;

  KaNameTable     models;       /* every model seen, in order of first appearance */
  KaNameTable     categories;   /* seen, for the limits of #KaVoteLog only */
  KaNameTable     modes;
  GArray         *map;          /* of guint: model → counts index, G_MAXUINT if none yet */
  GArray         *elo;          /* of double: model → online Elo */
  KaRatingCounts *counts;       /* the kept ballots */

  guint64         n_votes;      /* every ballot */
  guint64         n_kept;       /* ballots that passed the filter */
  gboolean        all_timed;
  gboolean        out_of_order;
  gint64          last_time_us;
};

/**
 * ka_rating_stream_new:
 * @filter: (nullable): which ballots to count (as ka_rating_tally()); copied
 * @online_k: step of the online Elo indicator; 0 to skip it
 *
 * Creates a streaming tally: feed it ballots in file order with ka_rating_stream_add(),
 * then call ka_rating_stream_finish(). It keeps the aggregated counts per (left model,
 * right model, outcome) and one online Elo per model, nothing per ballot.
 *
 * Returns: (transfer full): a new stream
 */
KaRatingStream *
ka_rating_stream_new (const KaRatingFilter *filter,
                      double                online_k)
{
  KaRatingStream *self = g_new0 (KaRatingStream, 1);
  KaRatingFilter all;

  if (filter == NULL)
    {
      ka_rating_filter_init (&all);
      filter = &all;
    }
  self->category = g_strdup (filter->category);
  self->mode = g_strdup (filter->mode);
  self->since_us = filter->since_us;
  self->until_us = filter->until_us;
  self->timed = filter->since_us != G_MININT64 || filter->until_us != G_MAXINT64;
  self->online_k = online_k;
  ka_name_table_init (&self->models);
  ka_name_table_init (&self->categories);
  ka_name_table_init (&self->modes);
  self->map = g_array_new (FALSE, FALSE, sizeof (guint));
  self->elo = g_array_new (FALSE, FALSE, sizeof (double));
  self->counts = ka_rating_counts_new ();
  self->all_timed = TRUE;
  self->last_time_us = G_MININT64;
  return self;
}

/**
 * ka_rating_stream_free:
 * @self: (transfer full): a stream
 */
void
ka_rating_stream_free (KaRatingStream *self)
{
  g_return_if_fail (self != NULL);

  g_free (self->category);
  g_free (self->mode);
  ka_name_table_clear (&self->models);
  ka_name_table_clear (&self->categories);
  ka_name_table_clear (&self->modes);
  g_array_unref (self->map);
  g_array_unref (self->elo);
  ka_rating_counts_unref (self->counts);
  g_free (self);
}

static guint
add_model (KaRatingStream *self,
           const char     *name)
{
  guint i = ka_name_table_add (&self->models, name);

  if (i == self->map->len)
    {
      guint none = G_MAXUINT;
      double start = KA_RATING_CENTRE;

      g_array_append_val (self->map, none);
      g_array_append_val (self->elo, start);
    }
  return i;
}

/**
 * ka_rating_stream_add:
 * @self: a stream
 * @model_a: the left model's name
 * @model_b: the right model's name
 * @winner: the outcome
 * @time_us: when the ballot was cast, µs since the Unix epoch, or %G_MININT64 if unknown
 * @category: (nullable): the prompt's category
 * @mode: (nullable): the voting mode
 *
 * Counts one ballot if it passes the filter, and updates the online Elo. Refuses exactly
 * what ka_vote_log_add() refuses (so a caller can report it the same way).
 *
 * Returns: %TRUE if the ballot was taken; %FALSE if @model_a equals @model_b or a limit
 *   of #KaVoteLog (65,534 models or categories, 254 modes) was reached
 */
gboolean
ka_rating_stream_add (KaRatingStream *self,
                      const char     *model_a,
                      const char     *model_b,
                      KaWinner        winner,
                      gint64          time_us,
                      const char     *category,
                      const char     *mode)
{
  guint a = 0, b = 0;
  gboolean have_a, have_b;
  guint *map;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (model_a != NULL && model_b != NULL, FALSE);
  g_return_val_if_fail ((guint) winner < N_OUTCOMES, FALSE);

  if (strcmp (model_a, model_b) == 0)
    return FALSE;

  /* The limits of ka_vote_log_add(), so that every input the log refuses is refused. */
  have_a = ka_name_table_lookup (&self->models, model_a, &a);
  have_b = ka_name_table_lookup (&self->models, model_b, &b);
  if ((!have_a || !have_b) && self->models.names->len >= G_MAXUINT16 - 1)
    return FALSE;
  if (category != NULL && !ka_name_table_lookup (&self->categories, category, NULL))
    {
      if (self->categories.names->len >= G_MAXUINT16 - 1)
        return FALSE;
      ka_name_table_add (&self->categories, category);
    }
  if (mode != NULL && !ka_name_table_lookup (&self->modes, mode, NULL))
    {
      if (self->modes.names->len >= G_MAXUINT8 - 1)
        return FALSE;
      ka_name_table_add (&self->modes, mode);
    }

  if (!have_a)
    a = add_model (self, model_a);
  if (!have_b)
    b = add_model (self, model_b);
  self->n_votes++;

  /* The filter of ka_vote_log_aggregate(). */
  if (self->category != NULL && (category == NULL || strcmp (category, self->category) != 0))
    return TRUE;
  if (self->mode != NULL && (mode == NULL || strcmp (mode, self->mode) != 0))
    return TRUE;
  if (self->timed &&
      (time_us == G_MININT64 || time_us < self->since_us || time_us >= self->until_us))
    return TRUE;

  /* Models enter the counts in order of first appearance among the kept ballots. */
  map = (guint *) (void *) self->map->data;
  if (map[a] == G_MAXUINT)
    map[a] = ka_rating_counts_add_model (self->counts, model_a);
  if (map[b] == G_MAXUINT)
    map[b] = ka_rating_counts_add_model (self->counts, model_b);
  _ka_rating_counts_cell (self->counts, map[a], map[b])[winner]++;
  self->counts->total++;
  self->n_kept++;

  if (time_us == G_MININT64)
    self->all_timed = FALSE;
  else if (self->n_kept > 1 && time_us < self->last_time_us)
    self->out_of_order = TRUE;
  if (time_us != G_MININT64)
    self->last_time_us = time_us;

  if (self->online_k > 0.0)
    {
      /* ka_online_elo_compute(), one ballot at a time. */
      double *elo = (double *) (void *) self->elo->data;
      double ea = 1.0 / (1.0 + exp ((elo[b] - elo[a]) * (G_LN10 / KA_RATING_ELO_SCALE)));
      double sa;
      double u;

      switch (winner)
        {
        case KA_WINNER_MODEL_A:
          sa = 1.0;
          break;
        case KA_WINNER_MODEL_B:
          sa = 0.0;
          break;
        default:
          sa = 0.5;
          break;
        }
      u = self->online_k * (sa - ea);
      elo[a] += u;
      elo[b] -= u;
    }
  return TRUE;
}

/**
 * ka_rating_stream_get_n_votes:
 * @self: a stream
 *
 * Returns: the number of ballots taken (kept by the filter or not)
 */
guint64
ka_rating_stream_get_n_votes (KaRatingStream *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_votes;
}

/**
 * ka_rating_stream_needs_order:
 * @self: a stream
 *
 * Whether the online Elo of these ballots needs them sorted by time: every kept ballot
 * has a time and they did not arrive in time order. ka_rating_tally() sorts them (a
 * stable sort); a stream cannot, so the caller must then tally from a #KaVoteLog.
 *
 * Returns: %TRUE if ka_rating_stream_finish() must not be used
 */
gboolean
ka_rating_stream_needs_order (KaRatingStream *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->online_k > 0.0 && self->all_timed && self->n_kept > 1 && self->out_of_order;
}

/**
 * ka_rating_stream_finish:
 * @self: a stream for which ka_rating_stream_needs_order() is %FALSE
 * @options: (nullable): options, as ka_rating_tally(); @options->online_k must be the
 *   step given to ka_rating_stream_new()
 * @cancellable: (nullable): checked between bootstrap rounds
 * @error: return location for an error
 *
 * Computes the leaderboard of the kept ballots (ka_rating_compute()) and adds the online
 * Elo and its warning: the same result as ka_rating_tally() on a log of the same ballots.
 *
 * Returns: (transfer full): the result, or %NULL with @error set as ka_rating_compute()
 */
KaRatingResult *
ka_rating_stream_finish (KaRatingStream        *self,
                         const KaRatingOptions *options,
                         GCancellable          *cancellable,
                         GError               **error)
{
  g_autoptr(KaRatingResult) result = NULL;
  KaRatingOptions defaults;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (!ka_rating_stream_needs_order (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (options == NULL)
    {
      ka_rating_options_init (&defaults);
      options = &defaults;
    }
  g_return_val_if_fail (options->online_k == self->online_k, NULL);

  result = ka_rating_compute (self->counts, options, cancellable, error);
  if (result == NULL)
    return NULL;

  if (options->online_k > 0.0)
    {
      const guint *map = (const guint *) (void *) self->map->data;
      const double *elo = (const double *) (void *) self->elo->data;

      for (guint i = 0; i < self->models.names->len; i++)
        {
          guint row;

          if (map[i] == G_MAXUINT)
            continue;
          if (ka_rating_result_lookup (result, g_ptr_array_index (self->models.names, i), &row))
            result->entries[row].online_elo = elo[i];
        }
      if (!self->all_timed && self->n_kept > 0)
        _ka_rating_result_add_warning (result, g_strdup (_("Some ballots have no time; online "
                                                           "Elo follows the input order")));
    }

  return g_steal_pointer (&result);
}
