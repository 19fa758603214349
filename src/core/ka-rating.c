/* ka-rating.c: the tally: counts → fit → bootstrap → leaderboard
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sources:
 *  - R. A. Bradley and M. E. Terry, "Rank analysis of incomplete block designs: I. The
 *    method of paired comparisons", Biometrika 39 (1952) 324–345.
 *  - E. Zermelo, "Die Berechnung der Turnier-Ergebnisse als ein Maximumproblem der
 *    Wahrscheinlichkeitsrechnung", Math. Z. 29 (1929) 436–460 (existence of the MLE).
 *  - D. R. Hunter, "MM algorithms for generalized Bradley–Terry models", Ann. Statist. 32
 *    (2004) 384–406 (the MM iteration and the strong-connectivity condition).
 *  - W. Hörmann, "The generation of binomial random variates", J. Statist. Comput.
 *    Simul. 46 (1993) 101–110 (BTRS sampler).
 *  - LMArena/FastChat, fastchat/serve/monitor/rating_systems.py and elo_analysis.py:
 *    Elo scale 400·log10, ties as half a win, multinomial bootstrap over the unique
 *    (model_a, model_b, outcome) rows, 2.5/97.5 % quantiles, rank = 1 + #{lower > upper},
 *    online Elo with K = 4.
 */

#define G_LOG_DOMAIN "ka-rating"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "ka-bootstrap.h"
#include "ka-bradley-terry.h"
#include "ka-online-elo.h"
#include "ka-rating.h"
#include "ka-rating-counts-private.h"
#include "ka-rating-result-private.h"
#include "ka-vote-log-private.h"

typedef struct
{
  guint  model;
  guint  comp;
  double rating;
  const char *name;
} SortKey;

static int
compare_sort_key (const void *a,
                  const void *b)
{
  const SortKey *x = a, *y = b;

  if (x->comp != y->comp)
    return x->comp < y->comp ? -1 : 1;
  if (x->rating != y->rating)
    return x->rating > y->rating ? -1 : 1;
  return strcmp (x->name, y->name);
}

static char *
join_models (KaRatingCounts *counts,
             const guint    *models,
             guint           n)
{
  GString *s = g_string_new (NULL);

  for (guint k = 0; k < n; k++)
    {
      if (k > 0)
        g_string_append (s, ", ");
      g_string_append (s, ka_rating_counts_get_model (counts, models[k]));
    }
  return g_string_free (s, FALSE);
}

/**
 * ka_rating_compute:
 * @counts: aggregated ballots
 * @options: (nullable): options; %NULL for the defaults of ka_rating_options_init()
 * @cancellable: (nullable): checked between bootstrap rounds
 * @error: return location for an error
 *
 * Fits the Bradley–Terry model (Bradley & Terry 1952) by maximum likelihood on the
 * aggregated counts, with `tie` and `both_bad` each counted as half a win for both sides
 * (LMArena's convention: "this form naturally counts a draw as half a win and half a
 * loss"). Newton's method (or, on request, Hunter's 2004 MM iteration) runs until the
 * largest relative change of a strength is below %KA_RATING_TOLERANCE.
 *
 * Ratings are on the Elo scale, R = 400·log10(p), shifted so that the mean of each
 * component is %KA_RATING_CENTRE, or so that @options->anchor_model has
 * @options->anchor_value; the anchor shifts ratings and bounds of its component alike
 * (bootstrap replicates are centred, then shifted), so it changes no interval width and
 * no rank. The 95 % interval is the 2.5th and 97.5th percentile (linear
 * interpolation, as numpy.quantile) of @options->bootstrap_rounds refits on multinomial
 * resamples of the counts (see ka_rating_counts_resample()); round r draws from its own
 * generator seeded with (seed, r), so the result is the same for any thread count.
 * The rank of a model is 1 + the number of models of its component whose lower bound is
 * above its upper bound (LMArena's "Rank (UB)").
 *
 * Degenerate data: a comparison graph in several components gets one fit per component
 * (ratings are comparable only inside one; a warning names the components). When the
 * maximum-likelihood estimate is not finite — a model that never won or never lost, or
 * more generally a component whose "scored against" graph is not strongly connected
 * (Zermelo 1929; Hunter 2004) — %KA_RATING_PRIOR_TIES virtual tie is added to every
 * compared pair of that component, a warning names the models and their entries are
 * marked `regularised`. The same rule applies to each bootstrap replicate
 * (ka_rating_result_get_prior_rounds() counts those that needed it).
 *
 * Online Elo is not computed here (counts have no order); see ka_rating_tally().
 *
 * Returns: (transfer full): the result, or %NULL with @error set:
 *   %KA_RATING_ERROR_NO_DATA if there is no ballot or fewer than two models,
 *   %KA_RATING_ERROR_INVALID for an unknown anchor model,
 *   %G_IO_ERROR_CANCELLED if cancelled
 */
KaRatingResult *
ka_rating_compute (KaRatingCounts        *counts,
                   const KaRatingOptions *options,
                   GCancellable          *cancellable,
                   GError               **error)
{
  KaRatingOptions defaults;
  g_autoptr(KaBtProblem) p = NULL;
  g_autoptr(KaBtWork) w = NULL;
  g_autoptr(KaRatingResult) self = NULL;
  g_autofree double *rating = NULL;
  g_autofree double *beta = NULL;
  g_autofree double *lower = NULL;
  g_autofree double *upper = NULL;
  g_autofree SortKey *keys = NULL;
  g_autofree guint *row_of = NULL;
  g_autofree gboolean *reg = NULL;
  guint anchor = G_MAXUINT;
  guint m, n_reg = 0, iterations = 0;

  g_return_val_if_fail (counts != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (options == NULL)
    {
      ka_rating_options_init (&defaults);
      options = &defaults;
    }

  m = counts->models.names->len;
  if (counts->total == 0)
    {
      g_set_error (error, KA_RATING_ERROR, KA_RATING_ERROR_NO_DATA,
                   _("There are no ballots to tally"));
      return NULL;
    }
  if (m < 2)
    {
      g_set_error (error, KA_RATING_ERROR, KA_RATING_ERROR_NO_DATA,
                   _("At least two models are needed for a leaderboard"));
      return NULL;
    }
  if (options->anchor_model != NULL &&
      !ka_rating_counts_lookup_model (counts, options->anchor_model, &anchor))
    {
      g_set_error (error, KA_RATING_ERROR, KA_RATING_ERROR_INVALID,
                   _("Anchor model “%s” has no ballots"), options->anchor_model);
      return NULL;
    }

  p = ka_bt_problem_new (counts);
  w = ka_bt_work_new (p);

  if (!ka_bt_fit (p, w, p->cell_count, options->method, NULL, &iterations, &n_reg))
    {
      g_set_error (error, KA_RATING_ERROR, KA_RATING_ERROR_NOT_CONVERGED,
                   _("The Bradley–Terry fit did not converge"));
      return NULL;
    }
  beta = g_memdup2 (w->beta, sizeof (double) * m);
  reg = g_memdup2 (w->regularised, sizeof (gboolean) * MAX (p->n_comp, 1));
  rating = g_new (double, m);
  /* Centred first; the anchor shifts point and bounds alike at the end, so that it moves
   * the scale without changing any interval width or rank. */
  ka_bt_to_elo (p, beta, G_MAXUINT, 0.0, rating);

  lower = g_memdup2 (rating, sizeof (double) * m);
  upper = g_memdup2 (rating, sizeof (double) * m);

  self = g_new0 (KaRatingResult, 1);
  g_atomic_ref_count_init (&self->ref);
  self->warnings = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->warnings, NULL);
  self->m = m;
  self->n_comp = p->n_comp;
  self->n_ballots = counts->total;
  self->rounds = options->bootstrap_rounds;
  self->seed = options->seed;
  self->iterations = iterations;

  /* Bootstrap. */
  if (options->bootstrap_rounds > 0 &&
      !ka_bootstrap_intervals (p, options->method, options->seed, options->bootstrap_rounds,
                               options->n_threads, beta, cancellable, lower, upper,
                               &self->prior_rounds, error))
    return NULL;

  if (anchor != G_MAXUINT)
    {
      double shift = options->anchor_value - rating[anchor];

      for (guint i = 0; i < m; i++)
        if (p->comp[i] == p->comp[anchor])
          {
            rating[i] += shift;
            lower[i] += shift;
            upper[i] += shift;
          }
    }

  /* Rows. */
  keys = g_new (SortKey, m);
  for (guint i = 0; i < m; i++)
    {
      keys[i].model = i;
      keys[i].comp = p->comp[i];
      keys[i].rating = rating[i];
      keys[i].name = ka_rating_counts_get_model (counts, i);
    }
  qsort (keys, m, sizeof (SortKey), compare_sort_key);
  row_of = g_new (guint, m);
  for (guint r = 0; r < m; r++)
    row_of[keys[r].model] = r;

  self->entries = g_new0 (KaRatingEntry, m);
  self->names = g_new0 (char *, m + 1);
  self->battles = g_new0 (gint64, (gsize) m * m);
  self->wins = g_new0 (gint64, (gsize) m * m);
  for (guint r = 0; r < m; r++)
    {
      KaRatingEntry *e = &self->entries[r];
      guint i = keys[r].model;

      self->names[r] = g_strdup (keys[r].name);
      e->model = self->names[r];
      e->rating = rating[i];
      e->ci_lower = lower[i];
      e->ci_upper = upper[i];
      e->component = p->comp[i];
      e->regularised = reg[p->comp[i]];
      e->online_elo = NAN;
      e->rank = 1;
      for (guint j = 0; j < m; j++)
        if (j != i && p->comp[j] == p->comp[i] && lower[j] > upper[i])
          e->rank++;
    }

  for (guint a = 0; a < m; a++)
    for (guint b = 0; b < m; b++)
      {
        const gint64 *cell;
        guint ra = row_of[a], rb = row_of[b];
        gint64 n;

        if (a == b)
          continue;
        cell = _ka_rating_counts_cell (counts, a, b);
        n = cell[0] + cell[1] + cell[2] + cell[3];
        if (n == 0)
          continue;
        self->battles[ra * m + rb] += n;
        self->battles[rb * m + ra] += n;
        self->wins[ra * m + rb] += cell[KA_WINNER_MODEL_A];
        self->wins[rb * m + ra] += cell[KA_WINNER_MODEL_B];
        self->left_wins += cell[KA_WINNER_MODEL_A];
        self->decisive += cell[KA_WINNER_MODEL_A] + cell[KA_WINNER_MODEL_B];
        self->entries[ra].battles += n;
        self->entries[rb].battles += n;
        self->entries[ra].wins += cell[KA_WINNER_MODEL_A];
        self->entries[ra].losses += cell[KA_WINNER_MODEL_B];
        self->entries[rb].wins += cell[KA_WINNER_MODEL_B];
        self->entries[rb].losses += cell[KA_WINNER_MODEL_A];
        self->entries[ra].ties += cell[KA_WINNER_TIE];
        self->entries[rb].ties += cell[KA_WINNER_TIE];
        self->entries[ra].both_bad += cell[KA_WINNER_BOTH_BAD];
        self->entries[rb].both_bad += cell[KA_WINNER_BOTH_BAD];
      }
  for (guint r = 0; r < m; r++)
    {
      KaRatingEntry *e = &self->entries[r];

      e->win_rate = e->wins + e->losses > 0 ?
        (double) e->wins / (double) (e->wins + e->losses) : NAN;
    }

  /* Warnings. */
  if (p->n_comp > 1)
    {
      GString *s = g_string_new (NULL);
      g_autofree guint *members = g_new (guint, m);

      for (guint c = 0; c < p->n_comp; c++)
        {
          guint n = 0;
          g_autofree char *list = NULL;

          for (guint r = 0; r < m; r++)
            if (p->comp[keys[r].model] == c)
              members[n++] = keys[r].model;
          list = join_models (counts, members, n);
          g_string_append_printf (s, "%s{%s}", c > 0 ? " | " : "", list);
        }
      _ka_rating_result_add_warning (self, g_strdup_printf (_("The models form %u groups that were never "
                                            "compared with each other; ratings are only "
                                            "comparable within a group: %s"),
                                          p->n_comp, s->str));
      g_string_free (s, TRUE);
    }

  if (n_reg > 0)
    {
      g_autofree guint *never_won = g_new (guint, m);
      g_autofree guint *never_lost = g_new (guint, m);
      guint n_won = 0, n_lost = 0;

      for (guint r = 0; r < m; r++)
        {
          const KaRatingEntry *e = &self->entries[r];

          if (!e->regularised)
            continue;
          if (e->wins == 0 && e->ties == 0 && e->both_bad == 0)
            never_won[n_won++] = keys[r].model;
          if (e->losses == 0 && e->ties == 0 && e->both_bad == 0)
            never_lost[n_lost++] = keys[r].model;
        }
      if (n_won > 0)
        {
          g_autofree char *list = join_models (counts, never_won, n_won);

          _ka_rating_result_add_warning (self, g_strdup_printf (_("Never won nor tied: %s"), list));
        }
      if (n_lost > 0)
        {
          g_autofree char *list = join_models (counts, never_lost, n_lost);

          _ka_rating_result_add_warning (self, g_strdup_printf (_("Never lost nor tied: %s"), list));
        }
      _ka_rating_result_add_warning (self, g_strdup_printf (_("The maximum-likelihood ratings are infinite for "
                                            "%u group(s) of models (some never beat, or never "
                                            "lost to, the others); one virtual tie was added "
                                            "to each compared pair of those groups, so their "
                                            "ratings are shrunk towards each other"),
                                          n_reg));
    }

  if (self->prior_rounds > 0 && n_reg == 0)
    _ka_rating_result_add_warning (self, g_strdup_printf (_("%u of %u bootstrap rounds had a model that never "
                                          "won or never lost and used one virtual tie per "
                                          "compared pair; intervals of rarely seen models "
                                          "are uncertain"),
                                        self->prior_rounds, self->rounds));

  if (anchor != G_MAXUINT && p->n_comp > 1)
    _ka_rating_result_add_warning (self, g_strdup_printf (_("The anchor “%s” only fixes its own group; the "
                                          "other groups are centred at %.0f"),
                                        options->anchor_model, KA_RATING_CENTRE));

  return g_steal_pointer (&self);
}
/**
 * ka_rating_tally:
 * @log: ballots
 * @filter: (nullable): which ballots to count; %NULL for all
 * @options: (nullable): options; %NULL for the defaults
 * @cancellable: (nullable): checked between bootstrap rounds
 * @error: return location for an error
 *
 * Aggregates the ballots of @log that pass @filter (ka_vote_log_aggregate()), computes
 * the leaderboard (ka_rating_compute()) and, unless @options->online_k is 0, the online
 * Elo indicator of FastChat's `compute_elo` (K = 4, base 10, scale 400, all models start
 * at 1000; tie and both-bad score 0.5) over the same ballots in time order. Ballots
 * without a time keep the log's order (a warning says so). Online Elo depends on the
 * order of the ballots and is only an indicator; the leaderboard is the Bradley–Terry fit.
 *
 * Returns: (transfer full): the result, or %NULL with @error set as ka_rating_compute()
 */
KaRatingResult *
ka_rating_tally (KaVoteLog             *log,
                 const KaRatingFilter  *filter,
                 const KaRatingOptions *options,
                 GCancellable          *cancellable,
                 GError               **error)
{
  g_autofree guint *map = NULL;
  g_autoptr(KaRatingCounts) counts = NULL;
  g_autoptr(KaRatingResult) result = NULL;
  KaRatingOptions defaults;

  g_return_val_if_fail (log != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (options == NULL)
    {
      ka_rating_options_init (&defaults);
      options = &defaults;
    }

  map = g_new (guint, MAX (log->models.names->len, 1));
  counts = _ka_vote_log_aggregate (log, filter, map);
  result = ka_rating_compute (counts, options, cancellable, error);
  if (result == NULL)
    return NULL;

  if (options->online_k > 0.0)
    {
      g_autofree double *elo = g_new (double, MAX (log->models.names->len, 1));
      gboolean untimed = FALSE;

      ka_online_elo_compute (log, filter, options->online_k, elo, &untimed);
      for (guint i = 0; i < log->models.names->len; i++)
        {
          guint row;

          if (map[i] == G_MAXUINT)
            continue;
          if (ka_rating_result_lookup (result, g_ptr_array_index (log->models.names, i), &row))
            result->entries[row].online_elo = elo[i];
        }
      if (untimed)
        _ka_rating_result_add_warning (result, g_strdup (_("Some ballots have no time; online Elo follows the "
                                         "input order")));
    }

  return g_steal_pointer (&result);
}

typedef struct
{
  KaVoteLog      *log;
  KaRatingFilter  filter;
  KaRatingOptions options;
  char           *category;
  char           *mode;
  char           *anchor;
} TallyData;

static void
tally_data_free (gpointer data)
{
  TallyData *d = data;

  ka_vote_log_unref (d->log);
  g_free (d->category);
  g_free (d->mode);
  g_free (d->anchor);
  g_free (d);
}

static void
tally_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  TallyData *d = task_data;
  GError *error = NULL;
  KaRatingResult *result;

  result = ka_rating_tally (d->log, &d->filter, &d->options, cancellable, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) ka_rating_result_unref);
}

/**
 * ka_rating_tally_async:
 * @log: ballots (a reference is kept; do not add to it until the task completes)
 * @filter: (nullable): as ka_rating_tally(); copied
 * @options: (nullable): as ka_rating_tally(); copied
 * @cancellable: (nullable): a cancellable
 * @callback: called in the thread-default main context of the caller
 * @user_data: data for @callback
 *
 * Runs ka_rating_tally() in a worker thread, so a user interface stays responsive.
 */
void
ka_rating_tally_async (KaVoteLog             *log,
                       const KaRatingFilter  *filter,
                       const KaRatingOptions *options,
                       GCancellable          *cancellable,
                       GAsyncReadyCallback    callback,
                       gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  TallyData *d;

  g_return_if_fail (log != NULL);

  d = g_new0 (TallyData, 1);
  d->log = ka_vote_log_ref (log);
  ka_rating_filter_init (&d->filter);
  ka_rating_options_init (&d->options);
  if (filter != NULL)
    {
      d->filter = *filter;
      d->category = g_strdup (filter->category);
      d->mode = g_strdup (filter->mode);
      d->filter.category = d->category;
      d->filter.mode = d->mode;
    }
  if (options != NULL)
    {
      d->options = *options;
      d->anchor = g_strdup (options->anchor_model);
      d->options.anchor_model = d->anchor;
    }

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ka_rating_tally_async);
  g_task_set_task_data (task, d, tally_data_free);
  g_task_run_in_thread (task, tally_thread);
}

/**
 * ka_rating_tally_finish:
 * @result: the #GAsyncResult
 * @error: return location for an error
 *
 * Returns: (transfer full): the result, or %NULL with @error set
 */
KaRatingResult *
ka_rating_tally_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ka_rating_tally_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
