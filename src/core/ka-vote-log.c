/* ka-vote-log.c: ballots in cast order, before aggregation
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-vote-log"

#include "config.h"

#include <string.h>

#include "ka-vote-log-private.h"

G_DEFINE_BOXED_TYPE (KaVoteLog, ka_vote_log, ka_vote_log_ref, ka_vote_log_unref)

/**
 * ka_vote_log_new:
 *
 * Creates an empty vote log: ballots in the order they were cast, with the model names
 * revealed, before any aggregation. ka_vote_log_aggregate() turns a filtered view into
 * #KaRatingCounts; ka_rating_tally() also runs the online Elo indicator over it.
 * Holds up to 65,535 models, categories and 255 modes; 16 bytes per ballot.
 *
 * Returns: (transfer full): a new log
 */
KaVoteLog *
ka_vote_log_new (void)
{
  KaVoteLog *self = g_new0 (KaVoteLog, 1);

  g_atomic_ref_count_init (&self->ref);
  ka_name_table_init (&self->models);
  ka_name_table_init (&self->categories);
  ka_name_table_init (&self->modes);
  self->votes = g_array_new (FALSE, FALSE, sizeof (Vote));
  return self;
}

/**
 * ka_vote_log_ref:
 * @self: a log
 *
 * Returns: (transfer full): @self
 */
KaVoteLog *
ka_vote_log_ref (KaVoteLog *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref);
  return self;
}

/**
 * ka_vote_log_unref:
 * @self: (transfer full): a log
 */
void
ka_vote_log_unref (KaVoteLog *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref))
    {
      ka_name_table_clear (&self->models);
      ka_name_table_clear (&self->categories);
      ka_name_table_clear (&self->modes);
      g_array_unref (self->votes);
      g_free (self);
    }
}

/**
 * ka_vote_log_add:
 * @self: a log
 * @model_a: the left model's name
 * @model_b: the right model's name
 * @winner: the outcome
 * @time_us: when the ballot was cast, µs since the Unix epoch, or %G_MININT64 if unknown
 * @category: (nullable): the prompt's category
 * @mode: (nullable): the voting mode (`citizen`, `kiosk`)
 *
 * Appends one ballot. A ballot of a model against itself is refused.
 *
 * Returns: %TRUE if the ballot was added; %FALSE if @model_a equals @model_b or a limit
 *   (models, categories, modes) was reached
 */
gboolean
ka_vote_log_add (KaVoteLog  *self,
                 const char *model_a,
                 const char *model_b,
                 KaWinner    winner,
                 gint64      time_us,
                 const char *category,
                 const char *mode)
{
  Vote v = { 0, };
  guint a, b;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (model_a != NULL && model_b != NULL, FALSE);
  g_return_val_if_fail ((guint) winner < N_OUTCOMES, FALSE);

  if (g_str_equal (model_a, model_b))
    return FALSE;

  if ((!ka_name_table_lookup (&self->models, model_a, NULL) ||
       !ka_name_table_lookup (&self->models, model_b, NULL)) &&
      self->models.names->len >= G_MAXUINT16 - 1)
    return FALSE;
  if (category != NULL && !ka_name_table_lookup (&self->categories, category, NULL) &&
      self->categories.names->len >= G_MAXUINT16 - 1)
    return FALSE;
  if (mode != NULL && !ka_name_table_lookup (&self->modes, mode, NULL) &&
      self->modes.names->len >= G_MAXUINT8 - 1)
    return FALSE;

  a = ka_name_table_add (&self->models, model_a);
  b = ka_name_table_add (&self->models, model_b);
  v.a = (guint16) a;
  v.b = (guint16) b;
  v.winner = (guint8) winner;
  v.time_us = time_us;
  v.category = category != NULL ? (guint16) (ka_name_table_add (&self->categories, category) + 1) : 0;
  v.mode = mode != NULL ? (guint8) (ka_name_table_add (&self->modes, mode) + 1) : 0;
  g_array_append_val (self->votes, v);
  return TRUE;
}

/**
 * ka_vote_log_get_n_votes:
 * @self: a log
 *
 * Returns: the number of ballots
 */
guint
ka_vote_log_get_n_votes (KaVoteLog *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->votes->len;
}

/**
 * ka_vote_log_get_n_models:
 * @self: a log
 *
 * Returns: the number of distinct models
 */
guint
ka_vote_log_get_n_models (KaVoteLog *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->models.names->len;
}

/**
 * ka_vote_log_get_model:
 * @self: a log
 * @index: a model index, in order of first appearance
 *
 * Returns: (transfer none): the model's name
 */
const char *
ka_vote_log_get_model (KaVoteLog *self,
                       guint      index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->models.names->len, NULL);

  return g_ptr_array_index (self->models.names, index);
}

static GStrv
sorted_names (KaNameTable *t)
{
  GStrv out = g_new0 (char *, t->names->len + 1);

  for (guint i = 0; i < t->names->len; i++)
    out[i] = g_strdup (g_ptr_array_index (t->names, i));
  return out;
}

static int
compare_strv_items (const void *a,
                    const void *b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/**
 * ka_vote_log_list_categories:
 * @self: a log
 *
 * Returns: (transfer full): the categories seen, sorted
 */
GStrv
ka_vote_log_list_categories (KaVoteLog *self)
{
  GStrv out;

  g_return_val_if_fail (self != NULL, NULL);

  out = sorted_names (&self->categories);
  qsort (out, g_strv_length (out), sizeof (char *), compare_strv_items);
  return out;
}

/**
 * ka_vote_log_list_modes:
 * @self: a log
 *
 * Returns: (transfer full): the modes seen, sorted
 */
GStrv
ka_vote_log_list_modes (KaVoteLog *self)
{
  GStrv out;

  g_return_val_if_fail (self != NULL, NULL);

  out = sorted_names (&self->modes);
  qsort (out, g_strv_length (out), sizeof (char *), compare_strv_items);
  return out;
}

/* Turns @filter's names into the log's indices (a name the log never saw matches
 * nothing), for _ka_vote_matches(). */
void
_ka_vote_log_resolve_filter (KaVoteLog            *self,
                const KaRatingFilter *filter,
                ResolvedFilter       *out)
{
  guint i;

  memset (out, 0, sizeof *out);
  out->since_us = G_MININT64;
  out->until_us = G_MAXINT64;
  if (filter == NULL)
    return;

  if (filter->category != NULL)
    {
      if (ka_name_table_lookup (&self->categories, filter->category, &i))
        out->category = i + 1;
      else
        out->match_nothing = TRUE;
    }
  if (filter->mode != NULL)
    {
      if (ka_name_table_lookup (&self->modes, filter->mode, &i))
        out->mode = i + 1;
      else
        out->match_nothing = TRUE;
    }
  out->since_us = filter->since_us;
  out->until_us = filter->until_us;
  out->timed = filter->since_us != G_MININT64 || filter->until_us != G_MAXINT64;
}

/* Aggregates and fills @map (log model index → counts index, G_MAXUINT if absent). */
KaRatingCounts *
_ka_vote_log_aggregate (KaVoteLog            *self,
           const KaRatingFilter *filter,
           guint                *map)
{
  KaRatingCounts *counts = ka_rating_counts_new ();
  ResolvedFilter f;
  guint n_models = self->models.names->len;
  g_autofree gint64 *dense = NULL;

  _ka_vote_log_resolve_filter (self, filter, &f);

  /* Count into a dense log-indexed matrix first: one pass, no hashing. */
  dense = g_new0 (gint64, (gsize) MAX (n_models, 1) * MAX (n_models, 1) * N_OUTCOMES);
  for (guint k = 0; k < self->votes->len; k++)
    {
      const Vote *v = &g_array_index (self->votes, Vote, k);

      if (_ka_vote_matches (v, &f))
        dense[((gsize) v->a * n_models + v->b) * N_OUTCOMES + v->winner]++;
    }

  for (guint i = 0; i < n_models; i++)
    map[i] = G_MAXUINT;

  /* Add models in order of first appearance among the matching ballots. */
  for (guint k = 0; k < self->votes->len; k++)
    {
      const Vote *v = &g_array_index (self->votes, Vote, k);

      if (map[v->a] != G_MAXUINT && map[v->b] != G_MAXUINT)
        continue;
      if (!_ka_vote_matches (v, &f))
        continue;
      if (map[v->a] == G_MAXUINT)
        map[v->a] = ka_rating_counts_add_model (counts, g_ptr_array_index (self->models.names, v->a));
      if (map[v->b] == G_MAXUINT)
        map[v->b] = ka_rating_counts_add_model (counts, g_ptr_array_index (self->models.names, v->b));
    }

  for (guint a = 0; a < n_models; a++)
    for (guint b = 0; b < n_models; b++)
      for (guint w = 0; w < N_OUTCOMES; w++)
        {
          gint64 c = dense[((gsize) a * n_models + b) * N_OUTCOMES + w];

          if (c > 0)
            ka_rating_counts_add (counts, map[a], map[b], (KaWinner) w, c);
        }

  return counts;
}

/**
 * ka_vote_log_aggregate:
 * @self: a log
 * @filter: (nullable): which ballots to keep; %NULL keeps all
 *
 * Aggregates the ballots that pass @filter into counts per ordered pair and outcome.
 * Only models with at least one kept ballot appear, in order of first appearance.
 *
 * Returns: (transfer full): the counts
 */
KaRatingCounts *
ka_vote_log_aggregate (KaVoteLog            *self,
                       const KaRatingFilter *filter)
{
  g_autofree guint *map = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  map = g_new (guint, MAX (self->models.names->len, 1));
  return _ka_vote_log_aggregate (self, filter, map);
}
