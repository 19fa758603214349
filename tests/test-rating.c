/* test-rating.c: Bradley–Terry, bootstrap, online Elo, matrices, degenerate data
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-rating"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ka-rating.h"

#define ELO_PER_LN (400.0 / G_LN10)

static KaRatingCounts *
counts_from_table (const char * const *models,
                   const gint64        table[][4],
                   guint               n_rows)
{
  KaRatingCounts *c = ka_rating_counts_new ();

  for (guint i = 0; models[i] != NULL; i++)
    ka_rating_counts_add_model (c, models[i]);
  /* table rows: a, b, winner, count */
  for (guint r = 0; r < n_rows; r++)
    ka_rating_counts_add (c, (guint) table[r][0], (guint) table[r][1],
                          (KaWinner) table[r][2], table[r][3]);
  return c;
}

static KaRatingResult *
compute_plain (KaRatingCounts *c,
               KaRatingMethod  method)
{
  KaRatingOptions o;
  GError *error = NULL;
  KaRatingResult *r;

  ka_rating_options_init (&o);
  o.bootstrap_rounds = 0;
  o.method = method;
  r = ka_rating_compute (c, &o, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

static double
rating_of (KaRatingResult *r,
           const char     *model)
{
  const KaRatingEntry *e = ka_rating_result_lookup (r, model, NULL);

  g_assert_nonnull (e);
  return e->rating;
}

/* Two models, A beats B 3 times and loses once: p_A/p_B = 3, so the gap is 400·log10 3
 * and, centred at 1000, A = 1000 + 200·log10 3. Ties count half: 2 wins, 1 loss, 2 ties
 * and a both-bad give scores 3.5 : 2.5. */
static void
test_two_models (void)
{
  const char *models[] = { "A", "B", NULL };
  const gint64 t1[][4] = {
    { 0, 1, KA_WINNER_MODEL_A, 2 },
    { 1, 0, KA_WINNER_MODEL_B, 1 },
    { 1, 0, KA_WINNER_MODEL_A, 1 },
  };
  const gint64 t2[][4] = {
    { 0, 1, KA_WINNER_MODEL_A, 2 },
    { 0, 1, KA_WINNER_MODEL_B, 1 },
    { 0, 1, KA_WINNER_TIE, 2 },
    { 1, 0, KA_WINNER_BOTH_BAD, 1 },
  };
  KaRatingMethod methods[] = { KA_RATING_METHOD_NEWTON, KA_RATING_METHOD_MM };

  for (guint k = 0; k < G_N_ELEMENTS (methods); k++)
    {
      g_autoptr(KaRatingCounts) c1 = counts_from_table (models, t1, G_N_ELEMENTS (t1));
      g_autoptr(KaRatingCounts) c2 = counts_from_table (models, t2, G_N_ELEMENTS (t2));
      g_autoptr(KaRatingResult) r1 = compute_plain (c1, methods[k]);
      g_autoptr(KaRatingResult) r2 = compute_plain (c2, methods[k]);
      const KaRatingEntry *a;

      g_assert_cmpfloat_with_epsilon (rating_of (r1, "A") - rating_of (r1, "B"),
                                      400.0 * log10 (3.0), 1e-6);
      g_assert_cmpfloat_with_epsilon (rating_of (r1, "A"), 1000.0 + 200.0 * log10 (3.0), 1e-6);
      g_assert_cmpfloat_with_epsilon (rating_of (r2, "A") - rating_of (r2, "B"),
                                      400.0 * log10 (3.5 / 2.5), 1e-6);

      a = ka_rating_result_get_entry (r2, 0);
      g_assert_cmpstr (a->model, ==, "A");
      g_assert_cmpint (a->battles, ==, 6);
      g_assert_cmpint (a->wins, ==, 2);
      g_assert_cmpint (a->losses, ==, 1);
      g_assert_cmpint (a->ties, ==, 2);
      g_assert_cmpint (a->both_bad, ==, 1);
      g_assert_cmpfloat_with_epsilon (a->win_rate, 2.0 / 3.0, 1e-12);
      g_assert_false (a->regularised);
      g_assert_cmpuint (ka_rating_result_get_n_components (r2), ==, 1);
      g_assert_null (ka_rating_result_get_warnings (r2)[0]);
    }
}

/* Three models whose counts are exactly consistent with strengths 4 : 2 : 1
 * (A–B 2:1, B–C 2:1, A–C 4:1 satisfy every likelihood equation), and a chain without the
 * A–C pair (A–B 2:1, B–C 2:1), whose likelihood factorises into two 2:1 pairs. */
static void
test_three_models (void)
{
  const char *models[] = { "A", "B", "C", NULL };
  const gint64 tri[][4] = {
    { 0, 1, KA_WINNER_MODEL_A, 2 }, { 0, 1, KA_WINNER_MODEL_B, 1 },
    { 1, 2, KA_WINNER_MODEL_A, 2 }, { 2, 1, KA_WINNER_MODEL_A, 1 },
    { 2, 0, KA_WINNER_MODEL_B, 4 }, { 0, 2, KA_WINNER_MODEL_B, 1 },
  };
  const gint64 chain[][4] = {
    { 0, 1, KA_WINNER_MODEL_A, 2 }, { 1, 0, KA_WINNER_MODEL_A, 1 },
    { 1, 2, KA_WINNER_MODEL_A, 1 }, { 2, 1, KA_WINNER_MODEL_B, 1 },
    { 1, 2, KA_WINNER_TIE, 2 },
  };
  KaRatingMethod methods[] = { KA_RATING_METHOD_NEWTON, KA_RATING_METHOD_MM };
  double l2 = 400.0 * log10 (2.0);

  for (guint k = 0; k < G_N_ELEMENTS (methods); k++)
    {
      g_autoptr(KaRatingCounts) c1 = counts_from_table (models, tri, G_N_ELEMENTS (tri));
      g_autoptr(KaRatingCounts) c2 = counts_from_table (models, chain, G_N_ELEMENTS (chain));
      g_autoptr(KaRatingResult) r1 = compute_plain (c1, methods[k]);
      g_autoptr(KaRatingResult) r2 = compute_plain (c2, methods[k]);

      g_assert_cmpfloat_with_epsilon (rating_of (r1, "A"), 1000.0 + l2, 1e-6);
      g_assert_cmpfloat_with_epsilon (rating_of (r1, "B"), 1000.0, 1e-6);
      g_assert_cmpfloat_with_epsilon (rating_of (r1, "C"), 1000.0 - l2, 1e-6);

      /* B–C: B scores 2 + 1 (ties) = 3 of 4: p_B/p_C = 3. */
      g_assert_cmpfloat_with_epsilon (rating_of (r2, "A") - rating_of (r2, "B"), l2, 1e-6);
      g_assert_cmpfloat_with_epsilon (rating_of (r2, "B") - rating_of (r2, "C"),
                                      400.0 * log10 (3.0), 1e-6);
      g_assert_cmpfloat_with_epsilon ((rating_of (r2, "A") + rating_of (r2, "B") +
                                       rating_of (r2, "C")) / 3.0, 1000.0, 1e-6);
    }
}

/* A random but fixed 6-model data set. */
static KaRatingCounts *
random_counts (guint32 seed,
               guint   m,
               gint64  scale)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  KaRatingCounts *c = ka_rating_counts_new ();

  for (guint i = 0; i < m; i++)
    {
      g_autofree char *name = g_strdup_printf ("model-%u", i);

      ka_rating_counts_add_model (c, name);
    }
  for (guint a = 0; a < m; a++)
    for (guint b = 0; b < m; b++)
      if (a != b)
        for (guint w = 0; w < 4; w++)
          ka_rating_counts_add (c, a, b, (KaWinner) w,
                                scale * (1 + g_rand_int_range (rand, 0, 20) + (w == 0 ? 3 * a : 0)));
  return c;
}

static void
test_newton_matches_mm (void)
{
  g_autoptr(KaRatingCounts) c = random_counts (7, 6, 1);
  g_autoptr(KaRatingResult) rn = compute_plain (c, KA_RATING_METHOD_NEWTON);
  g_autoptr(KaRatingResult) rm = compute_plain (c, KA_RATING_METHOD_MM);

  for (guint i = 0; i < 6; i++)
    {
      const KaRatingEntry *e = ka_rating_result_get_entry (rn, i);

      g_assert_cmpfloat_with_epsilon (e->rating, rating_of (rm, e->model), 1e-5);
    }
  /* Newton converges quadratically. */
  g_assert_cmpuint (ka_rating_result_get_iterations (rn), <, 20);
  g_assert_cmpuint (ka_rating_result_get_iterations (rm), >, ka_rating_result_get_iterations (rn));
}

/* Swapping model_a with model_b and mirroring the winner mirrors the position bias and
 * leaves ratings, intervals and matrices unchanged. */
static void
test_mirror (void)
{
  g_autoptr(KaRatingCounts) c = random_counts (11, 5, 1);
  g_autoptr(KaRatingCounts) mirror = ka_rating_counts_new ();
  g_autoptr(KaRatingResult) r1 = NULL;
  g_autoptr(KaRatingResult) r2 = NULL;
  KaRatingOptions o;
  double s1, s2;
  GError *error = NULL;

  for (guint i = 0; i < 5; i++)
    ka_rating_counts_add_model (mirror, ka_rating_counts_get_model (c, i));
  for (guint a = 0; a < 5; a++)
    for (guint b = 0; b < 5; b++)
      if (a != b)
        {
          ka_rating_counts_add (mirror, b, a, KA_WINNER_MODEL_B, ka_rating_counts_get (c, a, b, KA_WINNER_MODEL_A));
          ka_rating_counts_add (mirror, b, a, KA_WINNER_MODEL_A, ka_rating_counts_get (c, a, b, KA_WINNER_MODEL_B));
          ka_rating_counts_add (mirror, b, a, KA_WINNER_TIE, ka_rating_counts_get (c, a, b, KA_WINNER_TIE));
          ka_rating_counts_add (mirror, b, a, KA_WINNER_BOTH_BAD, ka_rating_counts_get (c, a, b, KA_WINNER_BOTH_BAD));
        }

  ka_rating_options_init (&o);
  o.bootstrap_rounds = 200;
  o.n_threads = 1;
  r1 = ka_rating_compute (c, &o, NULL, &error);
  g_assert_no_error (error);
  r2 = ka_rating_compute (mirror, &o, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 5; i++)
    {
      const KaRatingEntry *e1 = ka_rating_result_get_entry (r1, i);
      const KaRatingEntry *e2 = ka_rating_result_get_entry (r2, i);

      g_assert_cmpstr (e1->model, ==, e2->model);
      g_assert_cmpfloat_with_epsilon (e1->rating, e2->rating, 1e-6);
      g_assert_cmpint (e1->wins, ==, e2->wins);
      for (guint j = 0; j < 5; j++)
        if (i != j)
          g_assert_cmpfloat_with_epsilon (ka_rating_result_get_win_rate (r1, i, j),
                                          ka_rating_result_get_win_rate (r2, i, j), 1e-12);
    }
  ka_rating_result_get_position_bias (r1, NULL, NULL, &s1, NULL, NULL);
  ka_rating_result_get_position_bias (r2, NULL, NULL, &s2, NULL, NULL);
  g_assert_cmpfloat_with_epsilon (s1, 1.0 - s2, 1e-12);
  g_assert_cmpfloat (fabs (s1 - 0.5), >, 0.01);  /* the data set has a left bias to mirror */
}

static double
mean_width (KaRatingResult *r)
{
  double w = 0.0;
  guint m = ka_rating_result_get_n_models (r);

  for (guint i = 0; i < m; i++)
    {
      const KaRatingEntry *e = ka_rating_result_get_entry (r, i);

      g_assert_cmpfloat (e->ci_lower, <=, e->rating + 1e-9);
      g_assert_cmpfloat (e->ci_upper, >=, e->rating - 1e-9);
      w += e->ci_upper - e->ci_lower;
    }
  return w / m;
}

/* Multiplying every count by 7 leaves the MLE unchanged; with 16× the data the bootstrap
 * intervals shrink by about 4× (1/√n). */
static void
test_scaling_and_narrowing (void)
{
  g_autoptr(KaRatingCounts) c1 = random_counts (3, 6, 1);
  g_autoptr(KaRatingCounts) c7 = random_counts (3, 6, 7);
  g_autoptr(KaRatingCounts) c16 = random_counts (3, 6, 16);
  g_autoptr(KaRatingResult) r1 = NULL;
  g_autoptr(KaRatingResult) r7 = NULL;
  g_autoptr(KaRatingResult) r16 = NULL;
  KaRatingOptions o;
  GError *error = NULL;
  double w1, w16;

  ka_rating_options_init (&o);
  o.bootstrap_rounds = 400;
  r1 = ka_rating_compute (c1, &o, NULL, &error);
  g_assert_no_error (error);
  r7 = ka_rating_compute (c7, &o, NULL, &error);
  g_assert_no_error (error);
  r16 = ka_rating_compute (c16, &o, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 6; i++)
    {
      const KaRatingEntry *e = ka_rating_result_get_entry (r1, i);

      g_assert_cmpfloat_with_epsilon (e->rating, rating_of (r7, e->model), 1e-6);
      g_assert_cmpfloat_with_epsilon (e->rating, rating_of (r16, e->model), 1e-6);
    }

  w1 = mean_width (r1);
  w16 = mean_width (r16);
  g_test_message ("mean 95%% interval width: %.1f (n = %" G_GINT64_FORMAT "), %.1f (16 n)",
                  w1, ka_rating_counts_get_total (c1), w16);
  g_assert_cmpfloat (w1, >, 1.0);
  g_assert_cmpfloat (w16, <, w1 / 3.0);
  g_assert_cmpfloat (w16, >, w1 / 5.5);
}

static KaRatingResult *
bootstrap (KaRatingCounts *c,
           guint64         seed,
           guint           n_threads)
{
  KaRatingOptions o;
  GError *error = NULL;
  KaRatingResult *r;

  ka_rating_options_init (&o);
  o.bootstrap_rounds = 300;
  o.seed = seed;
  o.n_threads = n_threads;
  r = ka_rating_compute (c, &o, NULL, &error);
  g_assert_no_error (error);
  return r;
}

static void
test_bootstrap_reproducible (void)
{
  g_autoptr(KaRatingCounts) c = random_counts (5, 6, 3);
  g_autoptr(KaRatingResult) ref = bootstrap (c, 42, 1);
  guint threads[] = { 2, 3, 7 };
  g_autoptr(KaRatingResult) other = bootstrap (c, 43, 1);
  gboolean differs = FALSE;
  g_autofree char *csv1 = NULL;
  g_autofree char *csv2 = NULL;

  for (guint k = 0; k < G_N_ELEMENTS (threads); k++)
    {
      g_autoptr(KaRatingResult) r = bootstrap (c, 42, threads[k]);

      for (guint i = 0; i < 6; i++)
        {
          const KaRatingEntry *a = ka_rating_result_get_entry (ref, i);
          const KaRatingEntry *b = ka_rating_result_get_entry (r, i);

          /* Bit for bit, whatever the thread count. */
          g_assert_true (a->ci_lower == b->ci_lower);
          g_assert_true (a->ci_upper == b->ci_upper);
          g_assert_true (a->rating == b->rating);
        }
    }
  {
    g_autoptr(KaRatingResult) again = bootstrap (c, 42, 1);

    csv1 = ka_rating_result_to_csv (ref);
    csv2 = ka_rating_result_to_csv (again);
    g_assert_cmpstr (csv1, ==, csv2);
  }
  for (guint i = 0; i < 6; i++)
    if (ka_rating_result_get_entry (ref, i)->ci_lower != ka_rating_result_get_entry (other, i)->ci_lower)
      differs = TRUE;
  g_assert_true (differs);
  g_assert_cmpuint (ka_rating_result_get_seed (ref), ==, 42);
  g_assert_cmpuint (ka_rating_result_get_bootstrap_rounds (ref), ==, 300);
}

/* The same ballots in another order (and models first seen in another order) give the
 * same leaderboard and intervals, bit for bit; the async variant gives the same too. */
static void
tally_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  KaRatingResult **out = user_data;
  GError *error = NULL;

  *out = ka_rating_tally_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_order_independent (void)
{
  g_autoptr(KaVoteLog) fwd = ka_vote_log_new ();
  g_autoptr(KaVoteLog) rev = ka_vote_log_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (17);
  g_autoptr(KaRatingResult) r1 = NULL;
  g_autoptr(KaRatingResult) r2 = NULL;
  KaRatingResult *r3 = NULL;
  g_autofree char *c1 = NULL;
  g_autofree char *c2 = NULL;
  g_autofree char *c3 = NULL;
  const char *names[] = { "delta", "alpha", "echo", "charlie", "bravo" };
  guint a[600], b[600], w[600];
  KaRatingOptions o;
  GError *error = NULL;

  for (guint i = 0; i < 600; i++)
    {
      a[i] = g_rand_int_range (rand, 0, 5);
      b[i] = (a[i] + 1 + g_rand_int_range (rand, 0, 4)) % 5;
      w[i] = g_rand_int_range (rand, 0, 4);
      if (w[i] == KA_WINNER_MODEL_B && a[i] < b[i] && g_rand_boolean (rand))
        w[i] = KA_WINNER_MODEL_A;
    }
  for (guint i = 0; i < 600; i++)
    ka_vote_log_add (fwd, names[a[i]], names[b[i]], w[i], G_MININT64, NULL, NULL);
  for (guint i = 600; i > 0; i--)
    ka_vote_log_add (rev, names[a[i - 1]], names[b[i - 1]], w[i - 1], G_MININT64, NULL, NULL);
  {
    gboolean differs = FALSE;

    for (guint i = 0; i < 5; i++)
      differs |= !g_str_equal (ka_vote_log_get_model (fwd, i), ka_vote_log_get_model (rev, i));
    g_assert_true (differs);
  }

  ka_rating_options_init (&o);
  o.bootstrap_rounds = 250;
  o.seed = 5;
  r1 = ka_rating_tally (fwd, NULL, &o, NULL, &error);
  g_assert_no_error (error);
  r2 = ka_rating_tally (rev, NULL, &o, NULL, &error);
  g_assert_no_error (error);
  c1 = ka_rating_result_to_csv (r1);
  c2 = ka_rating_result_to_csv (r2);
  g_assert_cmpstr (c1, ==, c2);

  ka_rating_tally_async (fwd, NULL, &o, NULL, tally_done_cb, &r3);
  while (r3 == NULL)
    g_main_context_iteration (NULL, TRUE);
  c3 = ka_rating_result_to_csv (r3);
  g_assert_cmpstr (c1, ==, c3);
  ka_rating_result_unref (r3);
}

/* Multinomial resampling: totals preserved; cell means and variances match N·p and
 * N·p·(1−p), for cells large (BTRS) and small (inversion). */
static void
test_resample (void)
{
  g_autoptr(KaRatingCounts) c = ka_rating_counts_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);
  const guint rounds = 4000;
  double sum[4] = { 0, }, sum2[4] = { 0, };
  gint64 obs[4];
  gint64 total;

  ka_rating_counts_add_model (c, "x");
  ka_rating_counts_add_model (c, "y");
  ka_rating_counts_add (c, 0, 1, KA_WINNER_MODEL_A, 2000000);
  ka_rating_counts_add (c, 0, 1, KA_WINNER_MODEL_B, 6000000);
  ka_rating_counts_add (c, 0, 1, KA_WINNER_TIE, 3);
  ka_rating_counts_add (c, 1, 0, KA_WINNER_BOTH_BAD, 40);
  total = ka_rating_counts_get_total (c);
  obs[0] = 2000000;
  obs[1] = 6000000;
  obs[2] = 3;
  obs[3] = 40;

  for (guint r = 0; r < rounds; r++)
    {
      g_autoptr(KaRatingCounts) s = ka_rating_counts_resample (c, rand);
      gint64 x[4];

      x[0] = ka_rating_counts_get (s, 0, 1, KA_WINNER_MODEL_A);
      x[1] = ka_rating_counts_get (s, 0, 1, KA_WINNER_MODEL_B);
      x[2] = ka_rating_counts_get (s, 0, 1, KA_WINNER_TIE);
      x[3] = ka_rating_counts_get (s, 1, 0, KA_WINNER_BOTH_BAD);
      g_assert_cmpint (x[0] + x[1] + x[2] + x[3], ==, total);
      g_assert_cmpint (ka_rating_counts_get_total (s), ==, total);
      for (guint k = 0; k < 4; k++)
        {
          sum[k] += (double) x[k];
          sum2[k] += (double) x[k] * (double) x[k];
        }
    }

  for (guint k = 0; k < 4; k++)
    {
      double p = (double) obs[k] / (double) total;
      double mean = sum[k] / rounds;
      double var = sum2[k] / rounds - mean * mean;
      double want_var = (double) total * p * (1.0 - p);

      g_test_message ("cell %u: mean %.2f (want %" G_GINT64_FORMAT "), var %.1f (want %.1f)",
                      k, mean, obs[k], var, want_var);
      /* 5 standard errors of the mean; the variance within 12 %. */
      g_assert_cmpfloat (fabs (mean - (double) obs[k]), <, 5.0 * sqrt (want_var / rounds));
      g_assert_cmpfloat (fabs (var / want_var - 1.0), <, 0.12);
    }
}

/* FastChat's online Elo: first ballot A wins → 1002 / 998; then a tie moves A by
 * 4·(0.5 − 1/(1 + 10^(−4/400))). */
static void
test_online_elo (void)
{
  g_autoptr(KaVoteLog) log = ka_vote_log_new ();
  g_autoptr(KaRatingResult) r = NULL;
  KaRatingOptions o;
  GError *error = NULL;
  double ea = 1.0 / (1.0 + pow (10.0, -4.0 / 400.0));

  /* Added out of time order: the tally sorts by time. */
  g_assert_true (ka_vote_log_add (log, "A", "B", KA_WINNER_TIE, 2000000, NULL, NULL));
  g_assert_true (ka_vote_log_add (log, "A", "B", KA_WINNER_MODEL_A, 1000000, NULL, NULL));
  g_assert_false (ka_vote_log_add (log, "A", "A", KA_WINNER_MODEL_A, 1000000, NULL, NULL));

  ka_rating_options_init (&o);
  o.bootstrap_rounds = 0;
  r = ka_rating_tally (log, NULL, &o, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (ka_rating_result_lookup (r, "A", NULL)->online_elo,
                                  1002.0 + 4.0 * (0.5 - ea), 1e-9);
  g_assert_cmpfloat_with_epsilon (ka_rating_result_lookup (r, "B", NULL)->online_elo,
                                  998.0 - 4.0 * (0.5 - ea), 1e-9);
  /* Bradley–Terry: A scores 1.5 of 2: gap 400·log10 3. */
  g_assert_cmpfloat_with_epsilon (rating_of (r, "A") - rating_of (r, "B"), 400.0 * log10 (3.0), 1e-6);
}

/* Wilson's interval for 60 of 100 is [0.5020, 0.6906] (standard tables); position bias
 * from the left-side wins only. */
static void
test_position_bias (void)
{
  g_autoptr(KaVoteLog) log = ka_vote_log_new ();
  g_autoptr(KaRatingResult) r = NULL;
  KaRatingOptions o;
  GError *error = NULL;
  double lo, hi, share;
  gint64 lw, dec;

  ka_rating_wilson_interval (60, 100, &lo, &hi);
  g_assert_cmpfloat_with_epsilon (lo, 0.5020, 5e-5);
  g_assert_cmpfloat_with_epsilon (hi, 0.6906, 5e-5);
  ka_rating_wilson_interval (0, 0, &lo, &hi);
  g_assert_cmpfloat (lo, ==, 0.0);
  g_assert_cmpfloat (hi, ==, 1.0);

  for (guint i = 0; i < 30; i++)
    ka_vote_log_add (log, "A", "B", KA_WINNER_MODEL_A, G_MININT64, NULL, NULL);
  for (guint i = 0; i < 30; i++)
    ka_vote_log_add (log, "B", "A", KA_WINNER_MODEL_A, G_MININT64, NULL, NULL);
  for (guint i = 0; i < 40; i++)
    ka_vote_log_add (log, "A", "B", KA_WINNER_MODEL_B, G_MININT64, NULL, NULL);
  for (guint i = 0; i < 25; i++)
    ka_vote_log_add (log, "A", "B", KA_WINNER_TIE, G_MININT64, NULL, NULL);

  ka_rating_options_init (&o);
  o.bootstrap_rounds = 0;
  r = ka_rating_tally (log, NULL, &o, NULL, &error);
  g_assert_no_error (error);
  ka_rating_result_get_position_bias (r, &lw, &dec, &share, &lo, &hi);
  g_assert_cmpint (lw, ==, 60);
  g_assert_cmpint (dec, ==, 100);
  g_assert_cmpfloat_with_epsilon (share, 0.6, 1e-12);
  g_assert_cmpfloat_with_epsilon (lo, 0.5020, 5e-5);
  /* A won 30 left + 0 right of its 100 decisive; B won 30 + 40. */
  g_assert_cmpfloat_with_epsilon (ka_rating_result_lookup (r, "A", NULL)->win_rate, 0.3, 1e-12);
  /* The untimed warning for online Elo. */
  g_assert_nonnull (ka_rating_result_get_warnings (r)[0]);
}

/* Matrices on a hand-made case, and the rank rule on separated and overlapping models. */
static void
test_matrices_and_ranks (void)
{
  g_autoptr(KaVoteLog) log = ka_vote_log_new ();
  g_autoptr(KaRatingResult) r = NULL;
  KaRatingOptions o;
  GError *error = NULL;
  guint a, b, c, d;

  /* A, B: equal and strong; C: middle; D: weak. Thousands of ballots: clear gaps. */
  for (guint i = 0; i < 1000; i++)
    {
      ka_vote_log_add (log, "A", "B", i % 2 ? KA_WINNER_MODEL_A : KA_WINNER_MODEL_B, G_MININT64, NULL, NULL);
      ka_vote_log_add (log, "A", "C", i % 5 ? KA_WINNER_MODEL_A : KA_WINNER_MODEL_B, G_MININT64, NULL, NULL);
      ka_vote_log_add (log, "C", "B", i % 5 ? KA_WINNER_MODEL_B : KA_WINNER_MODEL_A, G_MININT64, NULL, NULL);
      ka_vote_log_add (log, "C", "D", i % 5 ? KA_WINNER_MODEL_A : KA_WINNER_TIE, G_MININT64, NULL, NULL);
      ka_vote_log_add (log, "D", "A", i % 10 ? KA_WINNER_MODEL_B : KA_WINNER_MODEL_A, G_MININT64, NULL, NULL);
    }
  ka_rating_options_init (&o);
  o.bootstrap_rounds = 200;
  r = ka_rating_tally (log, NULL, &o, NULL, &error);
  g_assert_no_error (error);

  g_assert_nonnull (ka_rating_result_lookup (r, "A", &a));
  g_assert_nonnull (ka_rating_result_lookup (r, "B", &b));
  g_assert_nonnull (ka_rating_result_lookup (r, "C", &c));
  g_assert_nonnull (ka_rating_result_lookup (r, "D", &d));
  g_assert_cmpint (ka_rating_result_get_battles (r, a, b), ==, 1000);
  g_assert_cmpint (ka_rating_result_get_battles (r, b, a), ==, 1000);
  g_assert_cmpint (ka_rating_result_get_battles (r, b, d), ==, 0);
  g_assert_cmpfloat_with_epsilon (ka_rating_result_get_win_rate (r, a, c), 0.8, 1e-12);
  g_assert_cmpfloat_with_epsilon (ka_rating_result_get_win_rate (r, c, a), 0.2, 1e-12);
  g_assert_cmpfloat_with_epsilon (ka_rating_result_get_win_rate (r, c, d), 1.0, 1e-12);
  g_assert_true (isnan (ka_rating_result_get_win_rate (r, b, d)));

  /* A and B overlap: both rank 1; C has two above it; D three. */
  g_assert_cmpuint (ka_rating_result_get_entry (r, a)->rank, ==, 1);
  g_assert_cmpuint (ka_rating_result_get_entry (r, b)->rank, ==, 1);
  g_assert_cmpuint (ka_rating_result_get_entry (r, c)->rank, ==, 3);
  g_assert_cmpuint (ka_rating_result_get_entry (r, d)->rank, ==, 4);
  g_assert_cmpuint (ka_rating_result_get_entry (r, 3)->rank, ==, 4);
}

static void
test_filters (void)
{
  g_autoptr(KaVoteLog) log = ka_vote_log_new ();
  g_autoptr(KaRatingCounts) all = NULL;
  g_autoptr(KaRatingCounts) coding = NULL;
  g_autoptr(KaRatingCounts) kiosk = NULL;
  g_autoptr(KaRatingCounts) early = NULL;
  g_autoptr(KaRatingCounts) none = NULL;
  g_auto(GStrv) cats = NULL;
  KaRatingFilter f;

  ka_vote_log_add (log, "A", "B", KA_WINNER_MODEL_A, 100, "coding", "citizen");
  ka_vote_log_add (log, "A", "C", KA_WINNER_MODEL_A, 200, "coding", "kiosk");
  ka_vote_log_add (log, "B", "C", KA_WINNER_MODEL_A, 300, "writing", "kiosk");
  ka_vote_log_add (log, "B", "C", KA_WINNER_MODEL_B, G_MININT64, "writing", "kiosk");

  cats = ka_vote_log_list_categories (log);
  g_assert_cmpstrv (cats, ((const char * const[]) { "coding", "writing", NULL }));

  all = ka_vote_log_aggregate (log, NULL);
  g_assert_cmpint (ka_rating_counts_get_total (all), ==, 4);

  ka_rating_filter_init (&f);
  f.category = "coding";
  coding = ka_vote_log_aggregate (log, &f);
  g_assert_cmpint (ka_rating_counts_get_total (coding), ==, 2);
  g_assert_cmpuint (ka_rating_counts_get_n_models (coding), ==, 3);

  ka_rating_filter_init (&f);
  f.mode = "kiosk";
  f.category = "writing";
  kiosk = ka_vote_log_aggregate (log, &f);
  g_assert_cmpint (ka_rating_counts_get_total (kiosk), ==, 2);
  g_assert_cmpuint (ka_rating_counts_get_n_models (kiosk), ==, 2);

  ka_rating_filter_init (&f);
  f.since_us = 100;
  f.until_us = 300;
  early = ka_vote_log_aggregate (log, &f);
  g_assert_cmpint (ka_rating_counts_get_total (early), ==, 2);

  ka_rating_filter_init (&f);
  f.category = "nonexistent";
  none = ka_vote_log_aggregate (log, &f);
  g_assert_cmpint (ka_rating_counts_get_total (none), ==, 0);
}

static void
test_degenerate (void)
{
  g_autoptr(KaVoteLog) log = ka_vote_log_new ();
  g_autoptr(KaRatingCounts) empty = ka_rating_counts_new ();
  g_autoptr(KaRatingResult) r = NULL;
  KaRatingOptions o;
  KaRatingFilter f;
  GError *error = NULL;
  const char * const *warnings;

  /* No ballots at all; nothing left after filtering. */
  g_assert_null (ka_rating_compute (empty, NULL, NULL, &error));
  g_assert_error (error, KA_RATING_ERROR, KA_RATING_ERROR_NO_DATA);
  g_clear_error (&error);
  ka_vote_log_add (log, "A", "B", KA_WINNER_MODEL_A, G_MININT64, "x", NULL);
  ka_rating_filter_init (&f);
  f.category = "y";
  g_assert_null (ka_rating_tally (log, &f, NULL, NULL, &error));
  g_assert_error (error, KA_RATING_ERROR, KA_RATING_ERROR_NO_DATA);
  g_clear_error (&error);

  /* A never loses, C never wins: the MLE is infinite. With one virtual tie per compared
   * pair: A–B 2 wins + tie → 2.5 : 0.5 (p_A/p_B = 5), B–C 1 win + tie → 1.5 : 0.5. */
  g_clear_pointer (&log, ka_vote_log_unref);
  log = ka_vote_log_new ();
  ka_vote_log_add (log, "A", "B", KA_WINNER_MODEL_A, G_MININT64, NULL, NULL);
  ka_vote_log_add (log, "B", "A", KA_WINNER_MODEL_B, G_MININT64, NULL, NULL);
  ka_vote_log_add (log, "B", "C", KA_WINNER_MODEL_A, G_MININT64, NULL, NULL);
  /* And a separate pair, never compared with the others. */
  ka_vote_log_add (log, "X", "Y", KA_WINNER_MODEL_A, G_MININT64, NULL, NULL);
  ka_vote_log_add (log, "X", "Y", KA_WINNER_MODEL_B, G_MININT64, NULL, NULL);
  ka_vote_log_add (log, "Y", "X", KA_WINNER_TIE, G_MININT64, NULL, NULL);

  ka_rating_options_init (&o);
  o.bootstrap_rounds = 100;
  o.anchor_model = "B";
  o.anchor_value = 1200.0;
  r = ka_rating_tally (log, NULL, &o, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (ka_rating_result_get_n_components (r), ==, 2);
  g_assert_true (ka_rating_result_lookup (r, "A", NULL)->regularised);
  g_assert_false (ka_rating_result_lookup (r, "X", NULL)->regularised);
  g_assert_cmpuint (ka_rating_result_lookup (r, "A", NULL)->component, ==, 0);
  g_assert_cmpuint (ka_rating_result_lookup (r, "X", NULL)->component, ==, 1);
  g_assert_cmpfloat_with_epsilon (rating_of (r, "B"), 1200.0, 1e-9);
  g_assert_true (isfinite (rating_of (r, "A")));
  g_assert_cmpfloat_with_epsilon (rating_of (r, "A") - rating_of (r, "B"), 400.0 * log10 (5.0), 1e-5);
  g_assert_cmpfloat_with_epsilon (rating_of (r, "B") - rating_of (r, "C"), 400.0 * log10 (3.0), 1e-5);
  /* X and Y tie overall: the second group is centred at 1000. */
  g_assert_cmpfloat_with_epsilon (rating_of (r, "X"), 1000.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (rating_of (r, "Y"), 1000.0, 1e-6);
  g_assert_cmpuint (ka_rating_result_get_prior_rounds (r), >, 0);

  warnings = ka_rating_result_get_warnings (r);
  {
    g_autofree char *all = g_strjoinv ("\n", (char **) warnings);

    g_test_message ("warnings:\n%s", all);
    g_assert_nonnull (strstr (all, "{A, B, C} | {X, Y}"));
    g_assert_nonnull (strstr (all, "Never won nor tied: C"));
    g_assert_nonnull (strstr (all, "Never lost nor tied: A"));
  }

  /* An anchor moves the whole scale and nothing else: same widths, same ranks. */
  {
    g_autoptr(KaRatingResult) centred = NULL;

    o.anchor_model = NULL;
    centred = ka_rating_tally (log, NULL, &o, NULL, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < ka_rating_result_get_n_models (r); i++)
      {
        const KaRatingEntry *e = ka_rating_result_get_entry (r, i);
        const KaRatingEntry *c = ka_rating_result_lookup (centred, e->model, NULL);
        double shift = e->component == 0 ? 1200.0 - rating_of (centred, "B") : 0.0;

        g_assert_cmpfloat_with_epsilon (e->rating, c->rating + shift, 1e-6);
        g_assert_cmpfloat_with_epsilon (e->ci_lower, c->ci_lower + shift, 1e-6);
        g_assert_cmpfloat_with_epsilon (e->ci_upper, c->ci_upper + shift, 1e-6);
        g_assert_cmpuint (e->rank, ==, c->rank);
      }
    g_assert_cmpfloat (ka_rating_result_lookup (r, "B", NULL)->ci_upper, >,
                       ka_rating_result_lookup (r, "B", NULL)->ci_lower + 1.0);
  }

  /* An anchor without ballots. */
  o.anchor_model = "Z";
  g_assert_null (ka_rating_tally (log, NULL, &o, NULL, &error));
  g_assert_error (error, KA_RATING_ERROR, KA_RATING_ERROR_INVALID);
  g_clear_error (&error);
}

static void
test_csv_and_json (void)
{
  g_autoptr(KaVoteLog) log = ka_vote_log_new ();
  g_autoptr(KaRatingResult) r = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;
  KaRatingOptions o;
  GError *error = NULL;
  JsonObject *obj;

  ka_vote_log_add (log, "모델, \"1\"", "B", KA_WINNER_MODEL_A, G_MININT64, NULL, NULL);
  ka_vote_log_add (log, "모델, \"1\"", "B", KA_WINNER_MODEL_A, G_MININT64, NULL, NULL);
  ka_vote_log_add (log, "B", "모델, \"1\"", KA_WINNER_MODEL_A, G_MININT64, NULL, NULL);
  ka_vote_log_add (log, "B", "모델, \"1\"", KA_WINNER_BOTH_BAD, G_MININT64, NULL, NULL);
  ka_rating_options_init (&o);
  o.bootstrap_rounds = 0;
  r = ka_rating_tally (log, NULL, &o, NULL, &error);
  g_assert_no_error (error);

  csv = ka_rating_result_to_csv (r);
  lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "rank,model,rating,ci_lower,ci_upper,battles,win_rate");
  /* 2.5 : 1.5 → gap 400·log10(5/3) = 88.74; centred: 1044.37 / 955.63. */
  g_assert_cmpstr (lines[1], ==, "1,\"모델, \"\"1\"\"\",1044.37,1044.37,1044.37,4,0.6667");
  g_assert_cmpstr (lines[2], ==, "2,B,955.63,955.63,955.63,4,0.3333");
  g_assert_cmpstr (lines[3], ==, "");

  node = ka_rating_result_to_json (r);
  obj = json_node_get_object (node);
  g_assert_cmpint (json_object_get_int_member (obj, "ballots"), ==, 4);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "models")), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (
                     json_object_get_array_member (obj, "models"), 1), "both_bad"), ==, 1);
}

/* The real Chatbot Arena votes against LMSYS's published table (Week 8, June 2023). */
static const struct
{
  const char *model;
  double      elo;
} published[] = {
  { "gpt-4", 1227 }, { "claude-v1", 1178 }, { "claude-instant-v1", 1156 },
  { "gpt-3.5-turbo", 1130 }, { "guanaco-33b", 1065 }, { "vicuna-13b", 1061 },
  { "wizardlm-13b", 1048 }, { "palm-2", 1038 }, { "vicuna-7b", 1008 },
  { "koala-13b", 992 }, { "gpt4all-13b-snoozy", 986 }, { "mpt-7b-chat", 956 },
  { "RWKV-4-Raven-14B", 950 }, { "alpaca-13b", 930 }, { "oasst-pythia-12b", 924 },
  { "chatglm-6b", 905 }, { "fastchat-t5-3b", 897 }, { "stablelm-tuned-alpha-7b", 871 },
  { "dolly-v2-12b", 850 }, { "llama-13b", 826 },
};

static char *
find_human_json (void)
{
  const char *shared = g_getenv ("KA_SHARED_DATA");
  g_autofree char *local = g_test_build_filename (G_TEST_DIST, "data", "chatbot_arena", "human.json", NULL);

  if (g_file_test (local, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&local);
  if (shared != NULL)
    {
      char *path = g_build_filename (shared, "chatbot_arena", "human.json", NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return path;
      g_free (path);
    }
  return NULL;
}

/* Reads human.json (JSON Lines: num, question_id, model_a, model_b, winner) with
 * json-glib directly, so this test does not depend on ka-export. */
static KaVoteLog *
load_human (const char *path)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  KaVoteLog *log = ka_vote_log_new ();
  GError *error = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      JsonObject *o;
      const char *w;
      KaWinner winner;

      if (lines[i][0] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, &error));
      g_assert_no_error (error);
      o = json_node_get_object (json_parser_get_root (parser));
      w = json_object_get_string_member (o, "winner");
      if (g_str_equal (w, "model_a"))
        winner = KA_WINNER_MODEL_A;
      else if (g_str_equal (w, "model_b"))
        winner = KA_WINNER_MODEL_B;
      else if (g_str_equal (w, "tie"))
        winner = KA_WINNER_TIE;
      else
        {
          g_assert_cmpstr (w, ==, "tie (bothbad)");
          winner = KA_WINNER_BOTH_BAD;
        }
      g_assert_true (ka_vote_log_add (log, json_object_get_string_member (o, "model_a"),
                                      json_object_get_string_member (o, "model_b"),
                                      winner, G_MININT64, NULL, NULL));
    }
  return log;
}

static int
compare_by_value (gconstpointer a,
                  gconstpointer b,
                  gpointer      data)
{
  const double *v = data;
  guint i = *(const guint *) a, j = *(const guint *) b;

  return v[i] < v[j] ? -1 : (v[i] > v[j] ? 1 : 0);
}

static void
ranks_of (const double *v,
          guint         n,
          double       *ranks)
{
  g_autofree guint *idx = g_new (guint, n);

  for (guint i = 0; i < n; i++)
    idx[i] = i;
  g_qsort_with_data (idx, n, sizeof (guint), compare_by_value, (gpointer) v);
  for (guint k = 0; k < n;)
    {
      guint e = k;

      while (e + 1 < n && v[idx[e + 1]] == v[idx[k]])
        e++;
      for (guint t = k; t <= e; t++)
        ranks[idx[t]] = (k + e) / 2.0 + 1.0;  /* average rank for ties */
      k = e + 1;
    }
}

static void
test_chatbot_arena (void)
{
  g_autofree char *path = find_human_json ();
  g_autoptr(KaVoteLog) log = NULL;
  g_autoptr(KaRatingResult) r = NULL;
  g_autoptr(KaRatingResult) mm = NULL;
  KaRatingOptions o;
  GError *error = NULL;
  guint n = G_N_ELEMENTS (published);
  double ours[G_N_ELEMENTS (published)], pub[G_N_ELEMENTS (published)];
  double rank_ours[G_N_ELEMENTS (published)], rank_pub[G_N_ELEMENTS (published)];
  double gaps[G_N_ELEMENTS (published)];
  double mean_ours = 0, mean_pub = 0, d2 = 0, median;
  double spearman;

  if (path == NULL)
    {
      g_test_skip ("chatbot_arena/human.json not found in tests/data nor KA_SHARED_DATA");
      return;
    }

  log = load_human (path);
  g_assert_cmpuint (ka_vote_log_get_n_votes (log), ==, 26919);
  g_assert_cmpuint (ka_vote_log_get_n_models (log), ==, 20);

  ka_rating_options_init (&o);
  o.bootstrap_rounds = 200;
  r = ka_rating_tally (log, NULL, &o, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ka_rating_result_get_n_models (r), ==, 20);
  g_assert_cmpuint (ka_rating_result_get_n_components (r), ==, 1);
  /* Every model won and lost: no prior, no second component. */
  for (guint i = 0; i < 20; i++)
    g_assert_false (ka_rating_result_get_entry (r, i)->regularised);

  o.bootstrap_rounds = 0;
  o.method = KA_RATING_METHOD_MM;
  mm = ka_rating_tally (log, NULL, &o, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < n; i++)
    {
      const KaRatingEntry *e = ka_rating_result_lookup (r, published[i].model, NULL);

      g_assert_nonnull (e);
      ours[i] = e->rating;
      pub[i] = published[i].elo;
      mean_ours += ours[i] / n;
      mean_pub += pub[i] / n;
      g_assert_cmpfloat_with_epsilon (e->rating, rating_of (mm, e->model), 1e-4);
      g_assert_cmpfloat (e->ci_lower, <, e->rating);
      g_assert_cmpfloat (e->ci_upper, >, e->rating);
      g_assert_true (isfinite (e->online_elo));
    }
  g_assert_cmpfloat_with_epsilon (mean_ours, 1000.0, 1e-6);

  ranks_of (ours, n, rank_ours);
  ranks_of (pub, n, rank_pub);
  for (guint i = 0; i < n; i++)
    {
      d2 += (rank_ours[i] - rank_pub[i]) * (rank_ours[i] - rank_pub[i]);
      gaps[i] = fabs ((ours[i] - mean_ours) - (pub[i] - mean_pub));
    }
  spearman = 1.0 - 6.0 * d2 / (n * ((double) n * n - 1.0));
  /* Insertion sort of the 20 gaps. */
  for (guint i = 1; i < n; i++)
    for (guint j = i; j > 0 && gaps[j - 1] > gaps[j]; j--)
      {
        double t = gaps[j];

        gaps[j] = gaps[j - 1];
        gaps[j - 1] = t;
      }
  median = (gaps[n / 2 - 1] + gaps[n / 2]) / 2.0;

  printf ("# Chatbot Arena human.json (%u votes) vs published June 2023 Elo: "
          "Spearman %.4f, median |gap| %.1f, max |gap| %.1f (after aligning means)\n",
          ka_vote_log_get_n_votes (log), spearman, median, gaps[n - 1]);
  for (guint i = 0; i < n; i++)
    {
      const KaRatingEntry *e = ka_rating_result_get_entry (r, i);

      printf ("#   %2u %-24s %7.1f [%7.1f, %7.1f] %6" G_GINT64_FORMAT " battles\n",
              e->rank, e->model, e->rating, e->ci_lower, e->ci_upper, e->battles);
    }
  g_assert_cmpfloat (spearman, >=, 0.99);
  g_assert_cmpfloat (median, <=, 15.0);
}

/* The bootstrap interval is numpy.quantile's default (linear interpolation between order
 * statistics, "type 7") of the replicates (issue 11). Round r's replicate depends only on
 * (seed, r), so a run with 1 round gives replicate 0 (lower = upper = v0), and a run with
 * 2 rounds gives min + 0.025 d and min + 0.975 d of {v0, v1}: from their sum v1 follows,
 * and the two bounds must sit exactly there. */
static void
test_bootstrap_quantile (void)
{
  guint spread = 0, checked = 0;

  for (guint32 seed = 1; seed <= 8; seed++)
    {
      g_autoptr(KaRatingCounts) c = random_counts (seed, 6, 3);
      g_autoptr(KaRatingResult) one = NULL;
      g_autoptr(KaRatingResult) two = NULL;
      KaRatingOptions o;
      GError *error = NULL;

      ka_rating_options_init (&o);
      o.seed = 1000 + seed;
      o.n_threads = 1;
      o.bootstrap_rounds = 1;
      one = ka_rating_compute (c, &o, NULL, &error);
      g_assert_no_error (error);
      o.bootstrap_rounds = 2;
      two = ka_rating_compute (c, &o, NULL, &error);
      g_assert_no_error (error);

      for (guint i = 0; i < ka_rating_result_get_n_models (one); i++)
        {
          const KaRatingEntry *e1 = ka_rating_result_get_entry (one, i);
          const KaRatingEntry *e2 = NULL;
          double v0, v1, lo, d;

          for (guint j = 0; j < ka_rating_result_get_n_models (two); j++)
            if (g_str_equal (ka_rating_result_get_entry (two, j)->model, e1->model))
              e2 = ka_rating_result_get_entry (two, j);
          g_assert_nonnull (e2);

          g_assert_cmpfloat_with_epsilon (e1->ci_lower, e1->ci_upper, 1e-9);
          v0 = e1->ci_lower;
          v1 = e2->ci_lower + e2->ci_upper - v0;
          lo = MIN (v0, v1);
          d = fabs (v1 - v0);
          if (d > 0.5)
            spread++;
          g_assert_cmpfloat_with_epsilon (e2->ci_lower, lo + 0.025 * d, 1e-6);
          g_assert_cmpfloat_with_epsilon (e2->ci_upper, lo + 0.975 * d, 1e-6);
          checked++;
        }
    }

  /* The replicates really differed, so the rule was tested and not only a point. */
  g_test_message ("%u of %u intervals with two distinct replicates", spread, checked);
  g_assert_cmpuint (spread, >=, checked / 2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ka/rating/two-models", test_two_models);
  g_test_add_func ("/ka/rating/three-models", test_three_models);
  g_test_add_func ("/ka/rating/newton-matches-mm", test_newton_matches_mm);
  g_test_add_func ("/ka/rating/mirror", test_mirror);
  g_test_add_func ("/ka/rating/scaling-and-narrowing", test_scaling_and_narrowing);
  g_test_add_func ("/ka/rating/bootstrap-reproducible", test_bootstrap_reproducible);
  g_test_add_func ("/ka/rating/order-independent", test_order_independent);
  g_test_add_func ("/ka/rating/resample", test_resample);
  g_test_add_func ("/ka/rating/online-elo", test_online_elo);
  g_test_add_func ("/ka/rating/position-bias", test_position_bias);
  g_test_add_func ("/ka/rating/matrices-and-ranks", test_matrices_and_ranks);
  g_test_add_func ("/ka/rating/filters", test_filters);
  g_test_add_func ("/ka/rating/degenerate", test_degenerate);
  g_test_add_func ("/ka/rating/csv-and-json", test_csv_and_json);
  g_test_add_func ("/ka/rating/chatbot-arena", test_chatbot_arena);
  g_test_add_func ("/ka/rating/bootstrap-quantile", test_bootstrap_quantile);

  return g_test_run ();
}
