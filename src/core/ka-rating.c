/* ka-rating.c: Bradley–Terry leaderboard, bootstrap intervals, online Elo
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

#include "ka-rating.h"

G_DEFINE_QUARK (ka-rating-error-quark, ka_rating_error)

#define N_OUTCOMES 4
#define NEWTON_MAX_ITERATIONS 200
#define MM_MAX_ITERATIONS 1000000
#define WILSON_Z 1.959963984540054

/**
 * ka_rating_options_init:
 * @options: (out caller-allocates): the options to fill
 *
 * Sets the defaults: %KA_RATING_DEFAULT_BOOTSTRAP rounds, seed 0, one thread per
 * processor, no anchor (the mean rating is 1000), Newton's method, online Elo with
 * K = %KA_RATING_ONLINE_K.
 */
void
ka_rating_options_init (KaRatingOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->bootstrap_rounds = KA_RATING_DEFAULT_BOOTSTRAP;
  options->seed = 0;
  options->n_threads = 0;
  options->anchor_model = NULL;
  options->anchor_value = KA_RATING_CENTRE;
  options->method = KA_RATING_METHOD_NEWTON;
  options->online_k = KA_RATING_ONLINE_K;
}

/**
 * ka_rating_filter_init:
 * @filter: (out caller-allocates): the filter to fill
 *
 * Sets a filter that keeps every ballot.
 */
void
ka_rating_filter_init (KaRatingFilter *filter)
{
  g_return_if_fail (filter != NULL);

  filter->category = NULL;
  filter->mode = NULL;
  filter->since_us = G_MININT64;
  filter->until_us = G_MAXINT64;
}

/**
 * ka_rating_wilson_interval:
 * @successes: successes, 0 ≤ @successes ≤ @trials
 * @trials: trials
 * @lower: (out): lower bound of the 95 % Wilson score interval, in [0, 1]
 * @upper: (out): upper bound
 *
 * The Wilson score interval for a binomial proportion (E. B. Wilson, "Probable inference,
 * the law of succession, and statistical inference", JASA 22 (1927) 209–212), with
 * z = 1.96. With no trial the interval is [0, 1].
 */
void
ka_rating_wilson_interval (gint64  successes,
                           gint64  trials,
                           double *lower,
                           double *upper)
{
  double n, p, z2, denom, centre, half;

  g_return_if_fail (lower != NULL && upper != NULL);

  if (trials <= 0)
    {
      *lower = 0.0;
      *upper = 1.0;
      return;
    }

  n = (double) trials;
  p = (double) successes / n;
  z2 = WILSON_Z * WILSON_Z;
  denom = 1.0 + z2 / n;
  centre = (p + z2 / (2.0 * n)) / denom;
  half = WILSON_Z / denom * sqrt (p * (1.0 - p) / n + z2 / (4.0 * n * n));
  *lower = MAX (0.0, centre - half);
  *upper = MIN (1.0, centre + half);
}

/* Model names: a list plus an index ---------------------------------------------------- */

typedef struct
{
  GPtrArray  *names;  /* (element-type utf8) (owned) */
  GHashTable *index;  /* name → GUINT_TO_POINTER (index + 1) */
} NameTable;

static void
name_table_init (NameTable *t)
{
  t->names = g_ptr_array_new_with_free_func (g_free);
  t->index = g_hash_table_new (g_str_hash, g_str_equal);
}

static void
name_table_clear (NameTable *t)
{
  g_clear_pointer (&t->index, g_hash_table_unref);
  g_clear_pointer (&t->names, g_ptr_array_unref);
}

static gboolean
name_table_lookup (NameTable  *t,
                   const char *name,
                   guint      *index)
{
  gpointer v = g_hash_table_lookup (t->index, name);

  if (v == NULL)
    return FALSE;
  if (index != NULL)
    *index = GPOINTER_TO_UINT (v) - 1;
  return TRUE;
}

static guint
name_table_add (NameTable  *t,
                const char *name)
{
  guint i;
  char *copy;

  if (name_table_lookup (t, name, &i))
    return i;

  copy = g_strdup (name);
  i = t->names->len;
  g_ptr_array_add (t->names, copy);
  g_hash_table_insert (t->index, copy, GUINT_TO_POINTER (i + 1));
  return i;
}

/* KaRatingCounts --------------------------------------------------------------------- */

struct _KaRatingCounts
{
  gatomicrefcount ref;
  NameTable       models;
  guint           cap;     /* allocated side of the matrix */
  gint64         *cells;   /* [(a * cap + b) * N_OUTCOMES + winner] */
  gint64          total;
};

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
  name_table_init (&self->models);
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
      name_table_clear (&self->models);
      g_free (self->cells);
      g_free (self);
    }
}

static void
counts_grow (KaRatingCounts *self,
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

static inline gint64 *
counts_cell (KaRatingCounts *self,
             guint           a,
             guint           b)
{
  return self->cells + ((gsize) a * self->cap + b) * N_OUTCOMES;
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

  i = name_table_add (&self->models, model);
  counts_grow (self, self->models.names->len);
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

  return name_table_lookup (&self->models, model, index);
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

  counts_cell (self, model_a, model_b)[winner] += count;
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

  return counts_cell (self, model_a, model_b)[winner];
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

/* Random variates -------------------------------------------------------------------- */

/* Inversion by sequential search (Kachitvichyanukul and Schmeiser's BINV), used by numpy
 * for small n·p; expected O(n·p) steps. Requires p ≤ 0.5. */
static gint64
binomial_inversion (GRand  *rand,
                    gint64  n,
                    double  p)
{
  double q = 1.0 - p;
  double qn = exp ((double) n * log (q));
  double np = (double) n * p;
  double bound = MIN ((double) n, np + 10.0 * sqrt (np * q + 1.0));
  gint64 x = 0;
  double px = qn;
  double u = g_rand_double (rand);

  while (u > px)
    {
      x++;
      if ((double) x > bound)
        {
          /* Round-off ran away: start again, as numpy does. */
          x = 0;
          px = qn;
          u = g_rand_double (rand);
        }
      else
        {
          u -= px;
          px = ((double) (n - x + 1) * p * px) / ((double) x * q);
        }
    }
  return x;
}

static double
log_factorial (double k)
{
  int sign;

  return lgamma_r (k + 1.0, &sign);
}

/* BTRS: transformed rejection with squeeze (Hörmann 1993, algorithm BTRS).
 * Requires p ≤ 0.5 and n·p ≥ 10. */
static gint64
binomial_btrs (GRand  *rand,
               gint64  n,
               double  p)
{
  double q = 1.0 - p;
  double spq = sqrt ((double) n * p * q);
  double b = 1.15 + 2.53 * spq;
  double a = -0.0873 + 0.0248 * b + 0.01 * p;
  double c = (double) n * p + 0.5;
  double v_r = 0.92 - 4.2 / b;
  double alpha = (2.83 + 5.1 / b) * spq;
  double lpq = log (p / q);
  double m = floor ((double) (n + 1) * p);
  double h = log_factorial (m) + log_factorial ((double) n - m);

  for (;;)
    {
      double u = g_rand_double (rand) - 0.5;
      double v = g_rand_double (rand);
      double us = 0.5 - fabs (u);
      double k = floor ((2.0 * a / us + b) * u + c);

      if (k < 0.0 || k > (double) n)
        continue;
      if (us >= 0.07 && v <= v_r)
        return (gint64) k;
      if (v <= 0.0)
        continue;
      v = log (v * alpha / (a / (us * us) + b));
      if (v <= h - log_factorial (k) - log_factorial ((double) n - k) + (k - m) * lpq)
        return (gint64) k;
    }
}

static gint64
binomial (GRand  *rand,
          gint64  n,
          double  p)
{
  if (n <= 0 || p <= 0.0)
    return 0;
  if (p >= 1.0)
    return n;
  if (p > 0.5)
    return n - binomial (rand, n, 1.0 - p);
  if ((double) n * p < 10.0)
    return binomial_inversion (rand, n, p);
  return binomial_btrs (rand, n, p);
}

/* Multinomial(total, counts/total) over @n cells by sequential conditional binomials:
 * cell k gets Binomial(remaining draws, c_k / remaining weight). Exact, O(n) binomials. */
static void
multinomial_resample (GRand        *rand,
                      const gint64 *counts,
                      gint64       *out,
                      guint         n)
{
  gint64 weight = 0;
  gint64 left;

  for (guint k = 0; k < n; k++)
    weight += counts[k];
  left = weight;

  for (guint k = 0; k < n; k++)
    {
      if (left <= 0 || weight <= 0)
        out[k] = 0;
      else if (k + 1 == n || counts[k] >= weight)
        out[k] = left;
      else
        out[k] = binomial (rand, left, (double) counts[k] / (double) weight);
      left -= out[k];
      weight -= counts[k];
    }
}

/* Round r's generator depends only on (seed, r): results do not depend on threads. */
static GRand *
round_rand_new (guint64 seed,
                guint   round)
{
  guint32 words[4] = {
    (guint32) (seed & 0xffffffffu),
    (guint32) (seed >> 32),
    (guint32) round,
    0x6b612d72u, /* "ka-r" */
  };

  return g_rand_new_with_seed_array (words, G_N_ELEMENTS (words));
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
  counts_grow (copy, self->cap);
  g_assert (copy->cap == self->cap || self->cap == 0);

  n = (gsize) self->cap * self->cap * N_OUTCOMES;
  if (n == 0)
    return copy;
  out = g_new0 (gint64, n);
  multinomial_resample (rand, self->cells, out, (guint) n);
  memcpy (copy->cells, out, n * sizeof (gint64));
  copy->total = self->total;
  return copy;
}

/* KaVoteLog -------------------------------------------------------------------------- */

typedef struct
{
  gint64  time_us;   /* G_MININT64: unknown */
  guint16 a;
  guint16 b;
  guint16 category;  /* 0: none; else index + 1 */
  guint8  mode;      /* 0: none; else index + 1 */
  guint8  winner;
} Vote;

struct _KaVoteLog
{
  gatomicrefcount ref;
  NameTable       models;
  NameTable       categories;
  NameTable       modes;
  GArray         *votes;  /* of Vote */
};

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
  name_table_init (&self->models);
  name_table_init (&self->categories);
  name_table_init (&self->modes);
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
      name_table_clear (&self->models);
      name_table_clear (&self->categories);
      name_table_clear (&self->modes);
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

  if ((!name_table_lookup (&self->models, model_a, NULL) ||
       !name_table_lookup (&self->models, model_b, NULL)) &&
      self->models.names->len >= G_MAXUINT16 - 1)
    return FALSE;
  if (category != NULL && !name_table_lookup (&self->categories, category, NULL) &&
      self->categories.names->len >= G_MAXUINT16 - 1)
    return FALSE;
  if (mode != NULL && !name_table_lookup (&self->modes, mode, NULL) &&
      self->modes.names->len >= G_MAXUINT8 - 1)
    return FALSE;

  a = name_table_add (&self->models, model_a);
  b = name_table_add (&self->models, model_b);
  v.a = (guint16) a;
  v.b = (guint16) b;
  v.winner = (guint8) winner;
  v.time_us = time_us;
  v.category = category != NULL ? (guint16) (name_table_add (&self->categories, category) + 1) : 0;
  v.mode = mode != NULL ? (guint8) (name_table_add (&self->modes, mode) + 1) : 0;
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
sorted_names (NameTable *t)
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

typedef struct
{
  gboolean match_nothing;
  guint    category;   /* 0: any */
  guint    mode;       /* 0: any */
  gboolean timed;
  gint64   since_us;
  gint64   until_us;
} ResolvedFilter;

static void
resolve_filter (KaVoteLog            *self,
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
      if (name_table_lookup (&self->categories, filter->category, &i))
        out->category = i + 1;
      else
        out->match_nothing = TRUE;
    }
  if (filter->mode != NULL)
    {
      if (name_table_lookup (&self->modes, filter->mode, &i))
        out->mode = i + 1;
      else
        out->match_nothing = TRUE;
    }
  out->since_us = filter->since_us;
  out->until_us = filter->until_us;
  out->timed = filter->since_us != G_MININT64 || filter->until_us != G_MAXINT64;
}

static inline gboolean
vote_matches (const Vote           *v,
              const ResolvedFilter *f)
{
  if (f->match_nothing)
    return FALSE;
  if (f->category != 0 && v->category != f->category)
    return FALSE;
  if (f->mode != 0 && v->mode != f->mode)
    return FALSE;
  if (f->timed)
    {
      if (v->time_us == G_MININT64)
        return FALSE;
      if (v->time_us < f->since_us || v->time_us >= f->until_us)
        return FALSE;
    }
  return TRUE;
}

/* Aggregates and fills @map (log model index → counts index, G_MAXUINT if absent). */
static KaRatingCounts *
aggregate (KaVoteLog            *self,
           const KaRatingFilter *filter,
           guint                *map)
{
  KaRatingCounts *counts = ka_rating_counts_new ();
  ResolvedFilter f;
  guint n_models = self->models.names->len;
  g_autofree gint64 *dense = NULL;

  resolve_filter (self, filter, &f);

  /* Count into a dense log-indexed matrix first: one pass, no hashing. */
  dense = g_new0 (gint64, (gsize) MAX (n_models, 1) * MAX (n_models, 1) * N_OUTCOMES);
  for (guint k = 0; k < self->votes->len; k++)
    {
      const Vote *v = &g_array_index (self->votes, Vote, k);

      if (vote_matches (v, &f))
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
      if (!vote_matches (v, &f))
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
  return aggregate (self, filter, map);
}

/* The fit -------------------------------------------------------------------------- */

/* The problem in compact form: the unordered pairs that were compared, and the non-zero
 * cells of the count matrix mapped onto them. */
typedef struct
{
  guint   m;
  guint   n_pairs;
  guint  *pair_i;       /* i < j */
  guint  *pair_j;
  guint   n_cells;
  gint64 *cell_count;
  guint  *cell_pair;
  guint8 *cell_kind;    /* 0: pair_i won, 1: pair_j won, 2: tie, 3: both bad */
  guint   n_comp;
  guint  *comp;         /* model → component */
  guint  *comp_size;
  guint  *comp_ref;     /* component → reference model (β = 0) */
  guint  *var;          /* model → Newton variable, G_MAXUINT for a reference */
  guint   n_var;
  guint  *adj_start;    /* CSR: model → incident pairs */
  guint  *adj;
} Problem;

static void
problem_free (Problem *p)
{
  g_free (p->pair_i);
  g_free (p->pair_j);
  g_free (p->cell_count);
  g_free (p->cell_pair);
  g_free (p->cell_kind);
  g_free (p->comp);
  g_free (p->comp_size);
  g_free (p->comp_ref);
  g_free (p->var);
  g_free (p->adj_start);
  g_free (p->adj);
  g_free (p);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Problem, problem_free)

static guint
uf_find (guint *parent,
         guint  x)
{
  while (parent[x] != x)
    {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
  return x;
}

typedef struct
{
  guint size;
  guint first;   /* model index of the component's first model by name */
  guint rank;    /* its position by name */
  guint root;
} CompInfo;

static int
compare_comp_info (const void *a,
                   const void *b)
{
  const CompInfo *x = a, *y = b;

  if (x->size != y->size)
    return x->size > y->size ? -1 : 1;
  return x->rank < y->rank ? -1 : (x->rank > y->rank ? 1 : 0);
}

static int
compare_model_names (gconstpointer a,
                     gconstpointer b,
                     gpointer      data)
{
  GPtrArray *names = data;

  return strcmp (g_ptr_array_index (names, *(const guint *) a),
                 g_ptr_array_index (names, *(const guint *) b));
}

static Problem *
problem_new (KaRatingCounts *counts)
{
  Problem *p = g_new0 (Problem, 1);
  guint m = counts->models.names->len;
  g_autofree guint *pair_of = NULL;   /* i * m + j (i < j) → pair index + 1 */
  g_autofree guint *parent = NULL;
  g_autofree CompInfo *info = NULL;
  g_autofree guint *root_to_comp = NULL;
  g_autofree guint *fill = NULL;
  g_autofree guint *by_name = NULL;
  guint n_roots = 0;

  p->m = m;
  pair_of = g_new0 (guint, (gsize) MAX (m, 1) * MAX (m, 1));
  parent = g_new (guint, MAX (m, 1));
  for (guint i = 0; i < m; i++)
    parent[i] = i;

  /* Cells and pairs. */
  p->cell_count = g_new (gint64, 16);
  p->cell_pair = g_new (guint, 16);
  p->cell_kind = g_new (guint8, 16);
  p->pair_i = g_new (guint, 16);
  p->pair_j = g_new (guint, 16);
  /* Cells in the order of the model names, not of their first appearance, so that the
   * bootstrap draws (and so the intervals) do not depend on the order of the ballots. */
  by_name = g_new (guint, MAX (m, 1));
  for (guint i = 0; i < m; i++)
    by_name[i] = i;
  g_qsort_with_data (by_name, m, sizeof (guint), compare_model_names, counts->models.names);
  {
    guint cap_cells = 16, cap_pairs = 16;

    for (guint ia = 0; ia < m; ia++)
      for (guint ib = 0; ib < m; ib++)
        {
          guint a = by_name[ia], b = by_name[ib];
          const gint64 *cell = counts_cell (counts, a, b);

          for (guint w = 0; w < N_OUTCOMES; w++)
            {
              guint i = ia < ib ? a : b, j = ia < ib ? b : a;
              guint pair;
              guint8 kind;

              if (cell[w] == 0)
                continue;

              if (pair_of[i * m + j] == 0)
                {
                  if (p->n_pairs == cap_pairs)
                    {
                      cap_pairs *= 2;
                      p->pair_i = g_renew (guint, p->pair_i, cap_pairs);
                      p->pair_j = g_renew (guint, p->pair_j, cap_pairs);
                    }
                  p->pair_i[p->n_pairs] = i;
                  p->pair_j[p->n_pairs] = j;
                  pair_of[i * m + j] = ++p->n_pairs;
                  parent[uf_find (parent, i)] = uf_find (parent, j);
                }
              pair = pair_of[i * m + j] - 1;

              if (w == KA_WINNER_TIE)
                kind = 2;
              else if (w == KA_WINNER_BOTH_BAD)
                kind = 3;
              else if ((w == KA_WINNER_MODEL_A) == (a == i))
                kind = 0;
              else
                kind = 1;

              if (p->n_cells == cap_cells)
                {
                  cap_cells *= 2;
                  p->cell_count = g_renew (gint64, p->cell_count, cap_cells);
                  p->cell_pair = g_renew (guint, p->cell_pair, cap_cells);
                  p->cell_kind = g_renew (guint8, p->cell_kind, cap_cells);
                }
              p->cell_count[p->n_cells] = cell[w];
              p->cell_pair[p->n_cells] = pair;
              p->cell_kind[p->n_cells] = kind;
              p->n_cells++;
            }
        }
  }

  /* Components, numbered by size (largest first), then by first model. */
  info = g_new0 (CompInfo, MAX (m, 1));
  root_to_comp = g_new (guint, MAX (m, 1));
  for (guint i = 0; i < m; i++)
    root_to_comp[i] = G_MAXUINT;
  for (guint k = 0; k < m; k++)
    {
      guint i = by_name[k];
      guint r = uf_find (parent, i);

      if (root_to_comp[r] == G_MAXUINT)
        {
          root_to_comp[r] = n_roots;
          info[n_roots].first = i;
          info[n_roots].rank = k;
          info[n_roots].root = r;
          n_roots++;
        }
      info[root_to_comp[r]].size++;
    }
  qsort (info, n_roots, sizeof (CompInfo), compare_comp_info);
  for (guint c = 0; c < n_roots; c++)
    root_to_comp[info[c].root] = c;

  p->n_comp = n_roots;
  p->comp = g_new (guint, MAX (m, 1));
  p->comp_size = g_new0 (guint, MAX (n_roots, 1));
  p->comp_ref = g_new (guint, MAX (n_roots, 1));
  for (guint c = 0; c < n_roots; c++)
    {
      p->comp_size[c] = info[c].size;
      p->comp_ref[c] = info[c].first;
    }
  p->var = g_new (guint, MAX (m, 1));
  for (guint k = 0; k < m; k++)
    {
      guint i = by_name[k];

      p->comp[i] = root_to_comp[uf_find (parent, i)];
      if (p->comp_ref[p->comp[i]] == i)
        p->var[i] = G_MAXUINT;
      else
        p->var[i] = p->n_var++;
    }

  /* Adjacency. */
  p->adj_start = g_new0 (guint, m + 1);
  p->adj = g_new (guint, MAX (2 * p->n_pairs, 1));
  for (guint k = 0; k < p->n_pairs; k++)
    {
      p->adj_start[p->pair_i[k] + 1]++;
      p->adj_start[p->pair_j[k] + 1]++;
    }
  for (guint i = 0; i < m; i++)
    p->adj_start[i + 1] += p->adj_start[i];
  fill = g_memdup2 (p->adj_start, sizeof (guint) * (m + 1));
  for (guint k = 0; k < p->n_pairs; k++)
    {
      p->adj[fill[p->pair_i[k]]++] = k;
      p->adj[fill[p->pair_j[k]]++] = k;
    }

  return p;
}

/* Working state of one fit (one per thread). */
typedef struct
{
  double *s_i;      /* per pair: score of pair_i (wins + half the ties) */
  double *s_j;
  double *n;        /* per pair: ballots */
  double *beta;     /* per model, natural log strength */
  double *trial;
  double *grad;     /* per model */
  double *hess;     /* n_var × n_var */
  double *step;     /* per model */
  double *rhs;
  guint  *queue;
  guint8 *seen;
  gboolean *regularised;  /* per component */
} Work;

static Work *
work_new (const Problem *p)
{
  Work *w = g_new0 (Work, 1);
  gsize np = MAX (p->n_pairs, 1), m = MAX (p->m, 1), nv = MAX (p->n_var, 1);

  w->s_i = g_new0 (double, np);
  w->s_j = g_new0 (double, np);
  w->n = g_new0 (double, np);
  w->beta = g_new0 (double, m);
  w->trial = g_new0 (double, m);
  w->grad = g_new0 (double, m);
  w->step = g_new0 (double, m);
  w->rhs = g_new0 (double, nv);
  w->hess = g_new0 (double, nv * nv);
  w->queue = g_new0 (guint, m);
  w->seen = g_new0 (guint8, m);
  w->regularised = g_new0 (gboolean, MAX (p->n_comp, 1));
  return w;
}

static void
work_free (Work *w)
{
  g_free (w->s_i);
  g_free (w->s_j);
  g_free (w->n);
  g_free (w->beta);
  g_free (w->trial);
  g_free (w->grad);
  g_free (w->step);
  g_free (w->rhs);
  g_free (w->hess);
  g_free (w->queue);
  g_free (w->seen);
  g_free (w->regularised);
  g_free (w);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Work, work_free)

static void
load_scores (const Problem *p,
             Work          *w,
             const gint64  *cell_count)
{
  memset (w->s_i, 0, sizeof (double) * p->n_pairs);
  memset (w->s_j, 0, sizeof (double) * p->n_pairs);
  memset (w->n, 0, sizeof (double) * p->n_pairs);
  for (guint c = 0; c < p->n_cells; c++)
    {
      double x = (double) cell_count[c];
      guint k = p->cell_pair[c];

      if (x == 0.0)
        continue;
      w->n[k] += x;
      switch (p->cell_kind[c])
        {
        case 0:
          w->s_i[k] += x;
          break;
        case 1:
          w->s_j[k] += x;
          break;
        default:
          w->s_i[k] += 0.5 * x;
          w->s_j[k] += 0.5 * x;
          break;
        }
    }
}

/* Is every model of component @c reachable from its reference along edges "x scored
 * against y" (forward == TRUE) or "y scored against x"? */
static gboolean
reach_all (const Problem *p,
           Work          *w,
           guint          c,
           gboolean       forward)
{
  guint head = 0, tail = 0, reached = 1;
  guint root = p->comp_ref[c];

  memset (w->seen, 0, p->m);
  w->seen[root] = 1;
  w->queue[tail++] = root;
  while (head < tail)
    {
      guint x = w->queue[head++];

      for (guint e = p->adj_start[x]; e < p->adj_start[x + 1]; e++)
        {
          guint k = p->adj[e];
          guint y = p->pair_i[k] == x ? p->pair_j[k] : p->pair_i[k];
          double s_xy = p->pair_i[k] == x ? w->s_i[k] : w->s_j[k];
          double s_yx = p->pair_i[k] == x ? w->s_j[k] : w->s_i[k];

          if (w->seen[y] || (forward ? s_xy : s_yx) <= 0.0)
            continue;
          w->seen[y] = 1;
          w->queue[tail++] = y;
          reached++;
        }
    }
  return reached == p->comp_size[c];
}

/* The MLE exists and is finite iff the directed "scored against" graph of each component
 * is strongly connected (Zermelo 1929; Hunter 2004, assumption 1). Where it is not, add
 * KA_RATING_PRIOR_TIES virtual ties to every pair of that component that was compared in
 * the data: each edge then points both ways, so the regularised MLE is finite. */
static guint
regularise (const Problem *p,
            Work          *w)
{
  guint n = 0;

  for (guint c = 0; c < p->n_comp; c++)
    {
      w->regularised[c] = FALSE;
      if (p->comp_size[c] < 2)
        continue;
      if (reach_all (p, w, c, TRUE) && reach_all (p, w, c, FALSE))
        continue;
      w->regularised[c] = TRUE;
      n++;
    }

  if (n == 0)
    return 0;

  for (guint k = 0; k < p->n_pairs; k++)
    {
      if (!w->regularised[p->comp[p->pair_i[k]]])
        continue;
      w->s_i[k] += 0.5 * KA_RATING_PRIOR_TIES;
      w->s_j[k] += 0.5 * KA_RATING_PRIOR_TIES;
      w->n[k] += KA_RATING_PRIOR_TIES;
    }
  return n;
}

static inline double
log_sigmoid (double x)
{
  return x >= 0.0 ? -log1p (exp (-x)) : x - log1p (exp (x));
}

static double
log_likelihood (const Problem *p,
                const Work    *w,
                const double  *beta)
{
  double ll = 0.0;

  for (guint k = 0; k < p->n_pairs; k++)
    {
      double d = beta[p->pair_i[k]] - beta[p->pair_j[k]];

      if (w->s_i[k] > 0.0)
        ll += w->s_i[k] * log_sigmoid (d);
      if (w->s_j[k] > 0.0)
        ll += w->s_j[k] * log_sigmoid (-d);
    }
  return ll;
}

/* In-place Cholesky solve of the n×n symmetric positive-definite system A x = b. */
static gboolean
cholesky_solve (double *a,
                double *b,
                guint   n)
{
  for (guint j = 0; j < n; j++)
    {
      double d = a[j * n + j];

      for (guint k = 0; k < j; k++)
        d -= a[j * n + k] * a[j * n + k];
      if (!(d > 0.0))
        return FALSE;
      d = sqrt (d);
      a[j * n + j] = d;
      for (guint i = j + 1; i < n; i++)
        {
          double s = a[i * n + j];

          for (guint k = 0; k < j; k++)
            s -= a[i * n + k] * a[j * n + k];
          a[i * n + j] = s / d;
        }
    }
  for (guint i = 0; i < n; i++)
    {
      double s = b[i];

      for (guint k = 0; k < i; k++)
        s -= a[i * n + k] * b[k];
      b[i] = s / a[i * n + i];
    }
  for (guint ii = n; ii > 0; ii--)
    {
      guint i = ii - 1;
      double s = b[i];

      for (guint k = i + 1; k < n; k++)
        s -= a[k * n + i] * b[k];
      b[i] = s / a[i * n + i];
    }
  return TRUE;
}

/* Newton–Raphson on the concave log-likelihood in β = ln p, one reference model per
 * component fixed at 0; backtracking keeps every step an ascent. Stops when the largest
 * relative change of any p_i = e^β_i is below KA_RATING_TOLERANCE. */
static gboolean
fit_newton (const Problem *p,
            Work          *w,
            guint         *iterations)
{
  guint nv = p->n_var;
  double ll = log_likelihood (p, w, w->beta);

  for (guint it = 1; it <= NEWTON_MAX_ITERATIONS; it++)
    {
      double t = 1.0, ll_new, change = 0.0;

      memset (w->grad, 0, sizeof (double) * p->m);
      memset (w->hess, 0, sizeof (double) * nv * nv);
      for (guint k = 0; k < p->n_pairs; k++)
        {
          guint i = p->pair_i[k], j = p->pair_j[k];
          guint vi = p->var[i], vj = p->var[j];
          double sig = 1.0 / (1.0 + exp (w->beta[j] - w->beta[i]));
          double h = w->n[k] * sig * (1.0 - sig);
          double g = w->s_i[k] - w->n[k] * sig;

          w->grad[i] += g;
          w->grad[j] -= g;
          if (vi != G_MAXUINT)
            w->hess[vi * nv + vi] += h;
          if (vj != G_MAXUINT)
            w->hess[vj * nv + vj] += h;
          if (vi != G_MAXUINT && vj != G_MAXUINT)
            {
              w->hess[vi * nv + vj] -= h;
              w->hess[vj * nv + vi] -= h;
            }
        }
      for (guint i = 0; i < p->m; i++)
        if (p->var[i] != G_MAXUINT)
          w->rhs[p->var[i]] = w->grad[i];

      if (nv > 0 && !cholesky_solve (w->hess, w->rhs, nv))
        return FALSE;

      for (guint i = 0; i < p->m; i++)
        w->step[i] = p->var[i] != G_MAXUINT ? w->rhs[p->var[i]] : 0.0;

      for (;;)
        {
          for (guint i = 0; i < p->m; i++)
            w->trial[i] = w->beta[i] + t * w->step[i];
          ll_new = log_likelihood (p, w, w->trial);
          /* Accept any non-decrease, with slack for round-off near the optimum. */
          if (ll_new >= ll - 1e-12 * fabs (ll) || t < 1e-12)
            break;
          t *= 0.5;
        }

      for (guint i = 0; i < p->m; i++)
        change = MAX (change, fabs (expm1 (t * w->step[i])));
      memcpy (w->beta, w->trial, sizeof (double) * p->m);
      ll = ll_new;

      if (change < KA_RATING_TOLERANCE)
        {
          *iterations = it;
          return TRUE;
        }
    }
  return FALSE;
}

/* Zermelo's iteration as an MM algorithm (Hunter 2004, eq. 3), ties as half wins:
 *   p_i ← W_i / Σ_j n_ij / (p_i + p_j),
 * then each component rescaled so its reference model has p = 1. */
static gboolean
fit_mm (const Problem *p,
        Work          *w,
        guint         *iterations)
{
  double *pp = w->trial;     /* strengths */
  double *win = w->grad;     /* W_i */
  double *denom = w->step;

  memset (win, 0, sizeof (double) * p->m);
  for (guint k = 0; k < p->n_pairs; k++)
    {
      win[p->pair_i[k]] += w->s_i[k];
      win[p->pair_j[k]] += w->s_j[k];
    }
  for (guint i = 0; i < p->m; i++)
    pp[i] = exp (w->beta[i]);

  for (guint it = 1; it <= MM_MAX_ITERATIONS; it++)
    {
      double change = 0.0;

      memset (denom, 0, sizeof (double) * p->m);
      for (guint k = 0; k < p->n_pairs; k++)
        {
          guint i = p->pair_i[k], j = p->pair_j[k];
          double q = w->n[k] / (pp[i] + pp[j]);

          denom[i] += q;
          denom[j] += q;
        }
      for (guint i = 0; i < p->m; i++)
        if (denom[i] > 0.0)
          denom[i] = win[i] / denom[i];
        else
          denom[i] = pp[i];
      for (guint i = 0; i < p->m; i++)
        {
          double scale = denom[p->comp_ref[p->comp[i]]];
          double next = denom[i] / scale;

          change = MAX (change, fabs (next / pp[i] - 1.0));
          pp[i] = next;
        }
      if (change < KA_RATING_TOLERANCE)
        {
          for (guint i = 0; i < p->m; i++)
            w->beta[i] = log (pp[i]);
          *iterations = it;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
fit (const Problem  *p,
     Work           *w,
     const gint64   *cell_count,
     KaRatingMethod  method,
     const double   *start,
     guint          *iterations,
     guint          *n_regularised)
{
  guint n_reg;

  load_scores (p, w, cell_count);
  n_reg = regularise (p, w);
  if (n_regularised != NULL)
    *n_regularised = n_reg;

  if (start != NULL)
    memcpy (w->beta, start, sizeof (double) * p->m);
  else
    memset (w->beta, 0, sizeof (double) * p->m);

  if (method == KA_RATING_METHOD_MM)
    return fit_mm (p, w, iterations);
  if (fit_newton (p, w, iterations))
    return TRUE;
  /* A numerically singular Hessian (extreme data): fall back to the slower MM. */
  memset (w->beta, 0, sizeof (double) * p->m);
  return fit_mm (p, w, iterations);
}

/* β (natural log) → Elo scale, each component centred at 1000 or anchored. */
static void
to_elo (const Problem *p,
        const double  *beta,
        guint          anchor,
        double         anchor_value,
        double        *out)
{
  const double scale = KA_RATING_ELO_SCALE / G_LN10;
  g_autofree double *sum = g_new0 (double, MAX (p->n_comp, 1));

  for (guint i = 0; i < p->m; i++)
    {
      out[i] = scale * beta[i];
      sum[p->comp[i]] += out[i];
    }
  for (guint c = 0; c < p->n_comp; c++)
    sum[c] = KA_RATING_CENTRE - sum[c] / p->comp_size[c];
  if (anchor != G_MAXUINT)
    sum[p->comp[anchor]] = anchor_value - out[anchor];
  for (guint i = 0; i < p->m; i++)
    out[i] += sum[p->comp[i]];
}

/* Bootstrap ------------------------------------------------------------------------ */

typedef struct
{
  const Problem  *p;
  KaRatingMethod  method;
  guint64         seed;
  guint           anchor;
  double          anchor_value;
  const double   *start;
  double         *samples;     /* rounds × m */
  GCancellable   *cancellable;
  guint           first;
  guint           last;        /* exclusive */
  guint           prior_rounds;
  gboolean        failed;
} BootstrapJob;

static gpointer
bootstrap_run (gpointer data)
{
  BootstrapJob *job = data;
  const Problem *p = job->p;
  g_autoptr(Work) w = work_new (p);
  g_autofree gint64 *resampled = g_new0 (gint64, MAX (p->n_cells, 1));

  for (guint r = job->first; r < job->last; r++)
    {
      g_autoptr(GRand) rand = NULL;
      guint it = 0, n_reg = 0;

      if (g_cancellable_is_cancelled (job->cancellable))
        return NULL;

      rand = round_rand_new (job->seed, r);
      multinomial_resample (rand, p->cell_count, resampled, p->n_cells);
      if (!fit (p, w, resampled, job->method, job->start, &it, &n_reg))
        {
          job->failed = TRUE;
          return NULL;
        }
      if (n_reg > 0)
        job->prior_rounds++;
      to_elo (p, w->beta, job->anchor, job->anchor_value, job->samples + (gsize) r * p->m);
    }
  return NULL;
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : (x > y ? 1 : 0);
}

/* numpy.quantile's default (linear interpolation, "type 7"). */
static double
quantile_sorted (const double *v,
                 guint         n,
                 double        q)
{
  double pos = q * (n - 1);
  guint lo = (guint) floor (pos);
  guint hi = MIN (lo + 1, n - 1);

  return v[lo] + (pos - lo) * (v[hi] - v[lo]);
}

/* KaRatingResult ------------------------------------------------------------------- */

struct _KaRatingResult
{
  gatomicrefcount ref;
  guint           m;
  KaRatingEntry  *entries;     /* sorted */
  char          **names;       /* owned, entry order */
  gint64         *battles;     /* m × m, entry order */
  gint64         *wins;        /* m × m: ballots row won against column */
  gint64          n_ballots;
  gint64          left_wins;
  gint64          decisive;
  guint           n_comp;
  GPtrArray      *warnings;    /* NULL-terminated */
  guint           rounds;
  guint64         seed;
  guint           prior_rounds;
  guint           iterations;
};

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

static void
add_warning (KaRatingResult *self,
             char           *message)
{
  g_ptr_array_insert (self->warnings, self->warnings->len - 1, message);
}

static JsonNode *
double_node (double v)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  if (isnan (v))
    json_node_init_null (node);
  else
    json_node_set_double (node, v);
  return node;
}

/**
 * ka_rating_result_to_json:
 * @self: a result
 *
 * The whole result as JSON: `{"ballots", "bootstrap": {"rounds", "seed", "prior_rounds"},
 * "components", "models": [{"rank", "model", "rating", "ci_lower", "ci_upper",
 * "battles", "wins", "losses", "ties", "both_bad", "win_rate", "online_elo",
 * "component", "regularised"}], "position_bias": {"left_wins", "decisive", "share",
 * "ci_lower", "ci_upper"}, "win_rate_matrix" and "battle_matrix" (rows and columns in
 * "models" order; null where undefined), "warnings": [...]}`.
 *
 * Returns: (transfer full): a JSON object node
 */
JsonNode *
ka_rating_result_to_json (KaRatingResult *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gint64 lw, dec;
  double share, lo, hi;

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ballots");
  json_builder_add_int_value (b, self->n_ballots);
  json_builder_set_member_name (b, "bootstrap");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "rounds");
  json_builder_add_int_value (b, self->rounds);
  json_builder_set_member_name (b, "seed");
  json_builder_add_int_value (b, (gint64) self->seed);
  json_builder_set_member_name (b, "prior_rounds");
  json_builder_add_int_value (b, self->prior_rounds);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "components");
  json_builder_add_int_value (b, self->n_comp);

  json_builder_set_member_name (b, "models");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->m; i++)
    {
      const KaRatingEntry *e = &self->entries[i];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "rank");
      json_builder_add_int_value (b, e->rank);
      json_builder_set_member_name (b, "model");
      json_builder_add_string_value (b, e->model);
      json_builder_set_member_name (b, "rating");
      json_builder_add_value (b, double_node (e->rating));
      json_builder_set_member_name (b, "ci_lower");
      json_builder_add_value (b, double_node (e->ci_lower));
      json_builder_set_member_name (b, "ci_upper");
      json_builder_add_value (b, double_node (e->ci_upper));
      json_builder_set_member_name (b, "battles");
      json_builder_add_int_value (b, e->battles);
      json_builder_set_member_name (b, "wins");
      json_builder_add_int_value (b, e->wins);
      json_builder_set_member_name (b, "losses");
      json_builder_add_int_value (b, e->losses);
      json_builder_set_member_name (b, "ties");
      json_builder_add_int_value (b, e->ties);
      json_builder_set_member_name (b, "both_bad");
      json_builder_add_int_value (b, e->both_bad);
      json_builder_set_member_name (b, "win_rate");
      json_builder_add_value (b, double_node (e->win_rate));
      json_builder_set_member_name (b, "online_elo");
      json_builder_add_value (b, double_node (e->online_elo));
      json_builder_set_member_name (b, "component");
      json_builder_add_int_value (b, e->component);
      json_builder_set_member_name (b, "regularised");
      json_builder_add_boolean_value (b, e->regularised);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  ka_rating_result_get_position_bias (self, &lw, &dec, &share, &lo, &hi);
  json_builder_set_member_name (b, "position_bias");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "left_wins");
  json_builder_add_int_value (b, lw);
  json_builder_set_member_name (b, "decisive");
  json_builder_add_int_value (b, dec);
  json_builder_set_member_name (b, "share");
  json_builder_add_value (b, double_node (share));
  json_builder_set_member_name (b, "ci_lower");
  json_builder_add_value (b, double_node (lo));
  json_builder_set_member_name (b, "ci_upper");
  json_builder_add_value (b, double_node (hi));
  json_builder_end_object (b);

  json_builder_set_member_name (b, "win_rate_matrix");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->m; i++)
    {
      json_builder_begin_array (b);
      for (guint j = 0; j < self->m; j++)
        json_builder_add_value (b, double_node (i == j ? NAN : ka_rating_result_get_win_rate (self, i, j)));
      json_builder_end_array (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "battle_matrix");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->m; i++)
    {
      json_builder_begin_array (b);
      for (guint j = 0; j < self->m; j++)
        json_builder_add_int_value (b, self->battles[i * self->m + j]);
      json_builder_end_array (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "warnings");
  json_builder_begin_array (b);
  for (guint i = 0; i + 1 < self->warnings->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (self->warnings, i));
  json_builder_end_array (b);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

static void
csv_append_field (GString    *out,
                  const char *s)
{
  if (strpbrk (s, ",\"\r\n") == NULL)
    {
      g_string_append (out, s);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *c = s; *c != '\0'; c++)
    {
      if (*c == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *c);
    }
  g_string_append_c (out, '"');
}

static void
append_fixed (GString    *out,
              const char *format,
              double      v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isnan (v))
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, format, v));
}

/**
 * ka_rating_result_to_csv:
 * @self: a result
 *
 * The leaderboard as CSV (RFC 4180, `\n` line ends, no byte-order mark), with exactly the
 * columns `rank,model,rating,ci_lower,ci_upper,battles,win_rate`; ratings with two
 * decimals, win rate with four (empty when undefined), `.` as decimal mark whatever the
 * locale.
 *
 * Returns: (transfer full): the CSV text
 */
char *
ka_rating_result_to_csv (KaRatingResult *self)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_new ("rank,model,rating,ci_lower,ci_upper,battles,win_rate\n");
  for (guint i = 0; i < self->m; i++)
    {
      const KaRatingEntry *e = &self->entries[i];

      g_string_append_printf (out, "%u,", e->rank);
      csv_append_field (out, e->model);
      g_string_append_c (out, ',');
      append_fixed (out, "%.2f", e->rating);
      g_string_append_c (out, ',');
      append_fixed (out, "%.2f", e->ci_lower);
      g_string_append_c (out, ',');
      append_fixed (out, "%.2f", e->ci_upper);
      g_string_append_printf (out, ",%" G_GINT64_FORMAT ",", e->battles);
      append_fixed (out, "%.4f", e->win_rate);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

/* Computation ---------------------------------------------------------------------- */

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
  g_autoptr(Problem) p = NULL;
  g_autoptr(Work) w = NULL;
  g_autoptr(KaRatingResult) self = NULL;
  g_autofree double *rating = NULL;
  g_autofree double *beta = NULL;
  g_autofree double *lower = NULL;
  g_autofree double *upper = NULL;
  g_autofree double *samples = NULL;
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
      !name_table_lookup (&counts->models, options->anchor_model, &anchor))
    {
      g_set_error (error, KA_RATING_ERROR, KA_RATING_ERROR_INVALID,
                   _("Anchor model “%s” has no ballots"), options->anchor_model);
      return NULL;
    }

  p = problem_new (counts);
  w = work_new (p);

  if (!fit (p, w, p->cell_count, options->method, NULL, &iterations, &n_reg))
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
  to_elo (p, beta, G_MAXUINT, 0.0, rating);

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
  if (options->bootstrap_rounds > 0)
    {
      guint rounds = options->bootstrap_rounds;
      guint n_threads = options->n_threads > 0 ? options->n_threads : g_get_num_processors ();
      g_autofree BootstrapJob *jobs = NULL;
      g_autofree GThread **threads = NULL;
      g_autofree double *column = g_new (double, rounds);
      gboolean failed = FALSE;

      n_threads = CLAMP (n_threads, 1, rounds);
      samples = g_new (double, (gsize) rounds * m);
      jobs = g_new0 (BootstrapJob, n_threads);
      threads = g_new0 (GThread *, n_threads);
      for (guint t = 0; t < n_threads; t++)
        {
          jobs[t].p = p;
          jobs[t].method = options->method;
          jobs[t].seed = options->seed;
          jobs[t].anchor = G_MAXUINT;
          jobs[t].anchor_value = options->anchor_value;
          jobs[t].start = beta;
          jobs[t].samples = samples;
          jobs[t].cancellable = cancellable;
          jobs[t].first = (guint) ((guint64) rounds * t / n_threads);
          jobs[t].last = (guint) ((guint64) rounds * (t + 1) / n_threads);
        }
      if (n_threads == 1)
        bootstrap_run (&jobs[0]);
      else
        {
          for (guint t = 0; t < n_threads; t++)
            threads[t] = g_thread_new ("ka-bootstrap", bootstrap_run, &jobs[t]);
          for (guint t = 0; t < n_threads; t++)
            g_thread_join (threads[t]);
        }

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      for (guint t = 0; t < n_threads; t++)
        {
          failed |= jobs[t].failed;
          self->prior_rounds += jobs[t].prior_rounds;
        }
      if (failed)
        {
          g_set_error (error, KA_RATING_ERROR, KA_RATING_ERROR_NOT_CONVERGED,
                       _("A bootstrap fit did not converge"));
          return NULL;
        }

      for (guint i = 0; i < m; i++)
        {
          for (guint r = 0; r < rounds; r++)
            column[r] = samples[(gsize) r * m + i];
          qsort (column, rounds, sizeof (double), compare_double);
          lower[i] = quantile_sorted (column, rounds, 0.025);
          upper[i] = quantile_sorted (column, rounds, 0.975);
        }
    }

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
        cell = counts_cell (counts, a, b);
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
      add_warning (self, g_strdup_printf (_("The models form %u groups that were never "
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

          add_warning (self, g_strdup_printf (_("Never won nor tied: %s"), list));
        }
      if (n_lost > 0)
        {
          g_autofree char *list = join_models (counts, never_lost, n_lost);

          add_warning (self, g_strdup_printf (_("Never lost nor tied: %s"), list));
        }
      add_warning (self, g_strdup_printf (_("The maximum-likelihood ratings are infinite for "
                                            "%u group(s) of models (some never beat, or never "
                                            "lost to, the others); one virtual tie was added "
                                            "to each compared pair of those groups, so their "
                                            "ratings are shrunk towards each other"),
                                          n_reg));
    }

  if (self->prior_rounds > 0 && n_reg == 0)
    add_warning (self, g_strdup_printf (_("%u of %u bootstrap rounds had a model that never "
                                          "won or never lost and used one virtual tie per "
                                          "compared pair; intervals of rarely seen models "
                                          "are uncertain"),
                                        self->prior_rounds, self->rounds));

  if (anchor != G_MAXUINT && p->n_comp > 1)
    add_warning (self, g_strdup_printf (_("The anchor “%s” only fixes its own group; the "
                                          "other groups are centred at %.0f"),
                                        options->anchor_model, KA_RATING_CENTRE));

  return g_steal_pointer (&self);
}

static gboolean
already_sorted (KaVoteLog   *log,
                const guint *order,
                guint        n)
{
  for (guint i = 1; i < n; i++)
    if (g_array_index (log->votes, Vote, order[i - 1]).time_us >
        g_array_index (log->votes, Vote, order[i]).time_us)
      return FALSE;
  return TRUE;
}

/* Online Elo, as FastChat's compute_elo (K = 4, base 10, scale 400, start 1000). */
static void
online_elo (KaVoteLog            *log,
            const KaRatingFilter *filter,
            double                k,
            double               *elo,           /* per log model */
            gboolean             *untimed)
{
  ResolvedFilter f;
  g_autofree guint *order = NULL;
  guint n = 0;
  gboolean all_timed = TRUE;
  guint n_models = log->models.names->len;

  resolve_filter (log, filter, &f);
  order = g_new (guint, MAX (log->votes->len, 1));
  for (guint i = 0; i < log->votes->len; i++)
    {
      const Vote *v = &g_array_index (log->votes, Vote, i);

      if (!vote_matches (v, &f))
        continue;
      if (v->time_us == G_MININT64)
        all_timed = FALSE;
      order[n++] = i;
    }

  if (all_timed && n > 1 && !already_sorted (log, order, n))
    {
      /* Stable sort by time: merge sort on indices through a scratch buffer. */
      g_autofree guint *tmp = g_new (guint, n);

      for (guint width = 1; width < n; width *= 2)
        {
          for (guint lo = 0; lo < n; lo += 2 * width)
            {
              guint mid = MIN (lo + width, n), hi = MIN (lo + 2 * width, n);
              guint x = lo, y = mid, o = lo;

              while (x < mid && y < hi)
                {
                  gint64 tx = g_array_index (log->votes, Vote, order[x]).time_us;
                  gint64 ty = g_array_index (log->votes, Vote, order[y]).time_us;

                  tmp[o++] = ty < tx ? order[y++] : order[x++];
                }
              while (x < mid)
                tmp[o++] = order[x++];
              while (y < hi)
                tmp[o++] = order[y++];
            }
          memcpy (order, tmp, sizeof (guint) * n);
        }
    }
  *untimed = !all_timed && n > 0;

  for (guint i = 0; i < n_models; i++)
    elo[i] = KA_RATING_CENTRE;
  for (guint i = 0; i < n; i++)
    {
      const Vote *v = &g_array_index (log->votes, Vote, order[i]);
      double ea = 1.0 / (1.0 + exp ((elo[v->b] - elo[v->a]) * (G_LN10 / KA_RATING_ELO_SCALE)));
      double sa;
      double u;

      switch (v->winner)
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
      u = k * (sa - ea);
      elo[v->a] += u;
      elo[v->b] -= u;
    }
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
  counts = aggregate (log, filter, map);
  result = ka_rating_compute (counts, options, cancellable, error);
  if (result == NULL)
    return NULL;

  if (options->online_k > 0.0)
    {
      g_autofree double *elo = g_new (double, MAX (log->models.names->len, 1));
      gboolean untimed = FALSE;

      online_elo (log, filter, options->online_k, elo, &untimed);
      for (guint i = 0; i < log->models.names->len; i++)
        {
          guint row;

          if (map[i] == G_MAXUINT)
            continue;
          if (ka_rating_result_lookup (result, g_ptr_array_index (log->models.names, i), &row))
            result->entries[row].online_elo = elo[i];
        }
      if (untimed)
        add_warning (result, g_strdup (_("Some ballots have no time; online Elo follows the "
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
