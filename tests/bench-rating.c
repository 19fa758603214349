/* bench-rating.c: how long tallies take
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints figures only; asserts no timing. For scale: LMArena's Python pipeline takes
 * "around 10 seconds" for 100 bootstrap rounds on ~1.6 M votes collapsed to ~22 k unique
 * (model_a, model_b, outcome) rows (FastChat PR 3523).
 *
 * Cases:
 *  1. Chatbot Arena human.json (26,919 votes, 20 models): read + parse the file, aggregate,
 *     fit, 1,000 bootstrap rounds (1 thread and all processors).
 *  2. 10 million synthetic ballots over 20 models, 1,000 rounds. The pipeline fits
 *     aggregated counts, so this case is measured in two honest parts:
 *     a. aggregation of 10 M ballots held as KaVoteLog entries (16 bytes each: the
 *        representation the tally uses for ballots read from a store, file or
 *        collector), and the online-Elo pass over them;
 *     b. fit + 1,000 bootstrap rounds on the resulting counts (the cost of a round
 *        depends on the number of cells, 20·19·4 = 1,520, not on the 10 M ballots).
 *     Parsing ballots from text is measured separately on 1 M FastChat JSON Lines and
 *     extrapolated linearly (stated as such).
 */

#define G_LOG_DOMAIN "bench-rating"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ka-export.h"
#include "ka-rating.h"

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static KaRatingResult *
run_tally (KaVoteLog *log,
           guint      rounds,
           guint      threads,
           double    *seconds)
{
  KaRatingOptions o;
  GError *error = NULL;
  double t0 = now_s ();
  KaRatingResult *r;

  ka_rating_options_init (&o);
  o.bootstrap_rounds = rounds;
  o.n_threads = threads;
  r = ka_rating_tally (log, NULL, &o, NULL, &error);
  g_assert_no_error (error);
  *seconds = now_s () - t0;
  return r;
}

static void
bench_human (void)
{
  const char *shared = g_getenv ("KA_SHARED_DATA");
  g_autofree char *local = g_test_build_filename (G_TEST_DIST, "data", "chatbot_arena", "human.json", NULL);
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(KaVoteLog) log = ka_vote_log_new ();
  GError *error = NULL;
  gsize len;
  double t0, t_read, t_fit, t1, tn;
  guint n_cpu = g_get_num_processors ();

  if (g_file_test (local, G_FILE_TEST_EXISTS))
    path = g_strdup (local);
  else if (shared != NULL)
    path = g_build_filename (shared, "chatbot_arena", "human.json", NULL);
  if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      printf ("# human.json not found (tests/data or KA_SHARED_DATA): skipped\n");
      return;
    }

  t0 = now_s ();
  g_assert_true (g_file_get_contents (path, &text, &len, &error));
  bytes = g_bytes_new_take (g_steal_pointer (&text), len);
  g_assert_true (ka_export_load_fastchat (log, bytes, &error));
  g_assert_no_error (error);
  t_read = now_s () - t0;

  {
    g_autoptr(KaRatingResult) r0 = run_tally (log, 0, 1, &t_fit);
    g_autoptr(KaRatingResult) r1 = run_tally (log, 1000, 1, &t1);
    g_autoptr(KaRatingResult) rn = run_tally (log, 1000, 0, &tn);

    printf ("human.json: %u votes, %u models\n", ka_vote_log_get_n_votes (log),
            ka_vote_log_get_n_models (log));
    printf ("  read + parse (json-glib, JSON Lines):     %8.3f s\n", t_read);
    printf ("  aggregate + fit + online Elo, no boot:   %8.4f s (%u Newton iterations)\n",
            t_fit, ka_rating_result_get_iterations (r0));
    printf ("  ... + 1000 bootstrap rounds, 1 thread:   %8.3f s (%.2f ms/round)\n",
            t1, 1000.0 * t1 / 1000);
    printf ("  ... + 1000 bootstrap rounds, %u threads:  %8.3f s\n", n_cpu, tn);
  }
}

static void
bench_synthetic (void)
{
  const guint m = 20;
  const guint n_votes = 10000000;
  g_autoptr(GRand) rand = g_rand_new_with_seed (2026);
  g_autoptr(KaVoteLog) log = ka_vote_log_new ();
  g_autoptr(KaRatingCounts) counts = NULL;
  double strength[20];
  char *names[20];
  double t0, t_fill, t_agg, t_elo, t1, tn, t_fit;
  guint n_cpu = g_get_num_processors ();
  KaRatingOptions o;
  GError *error = NULL;
  g_autoptr(KaRatingResult) r0 = NULL;
  g_autoptr(KaRatingResult) r1 = NULL;
  g_autoptr(KaRatingResult) rn = NULL;

  for (guint i = 0; i < m; i++)
    {
      names[i] = g_strdup_printf ("model-%02u", i);
      strength[i] = 800.0 + 25.0 * i;
    }

  /* 10 M ballots in the log: uniform pairs and sides, Bradley–Terry outcomes with 30 %
   * ties and 5 % both-bad, one ballot per 50 ms. */
  t0 = now_s ();
  for (guint k = 0; k < n_votes; k++)
    {
      guint a = g_rand_int_range (rand, 0, m);
      guint b = (a + 1 + g_rand_int_range (rand, 0, m - 1)) % m;
      double u = g_rand_double (rand);
      double pa = 1.0 / (1.0 + pow (10.0, (strength[b] - strength[a]) / 400.0));
      KaWinner w;

      if (u < 0.30)
        w = KA_WINNER_TIE;
      else if (u < 0.35)
        w = KA_WINNER_BOTH_BAD;
      else
        w = g_rand_double (rand) < pa ? KA_WINNER_MODEL_A : KA_WINNER_MODEL_B;
      ka_vote_log_add (log, names[a], names[b], w, (gint64) k * 50000, NULL, NULL);
    }
  t_fill = now_s () - t0;

  t0 = now_s ();
  counts = ka_vote_log_aggregate (log, NULL);
  t_agg = now_s () - t0;

  ka_rating_options_init (&o);
  o.bootstrap_rounds = 0;
  t0 = now_s ();
  r0 = ka_rating_tally (log, NULL, &o, NULL, &error);
  g_assert_no_error (error);
  t_elo = now_s () - t0;   /* aggregation + fit + online Elo (sort by time + 10 M updates) */

  o.online_k = 0;
  t0 = now_s ();
  g_clear_pointer (&r0, ka_rating_result_unref);
  r0 = ka_rating_compute (counts, &o, NULL, &error);
  g_assert_no_error (error);
  t_fit = now_s () - t0;

  o.bootstrap_rounds = 1000;
  o.n_threads = 1;
  t0 = now_s ();
  r1 = ka_rating_compute (counts, &o, NULL, &error);
  g_assert_no_error (error);
  t1 = now_s () - t0;

  o.n_threads = 0;
  t0 = now_s ();
  rn = ka_rating_compute (counts, &o, NULL, &error);
  g_assert_no_error (error);
  tn = now_s () - t0;

  printf ("synthetic: %u ballots over %u models (%" G_GINT64_FORMAT " in the counts)\n",
          n_votes, m, ka_rating_counts_get_total (counts));
  printf ("  generating the 10 M log entries (RNG):   %8.3f s (not part of a tally)\n", t_fill);
  printf ("  aggregate 10 M log entries:              %8.3f s (%.1f ns/ballot)\n",
          t_agg, 1e9 * t_agg / n_votes);
  printf ("  aggregate + fit + online Elo over 10 M:  %8.3f s\n", t_elo);
  printf ("  fit on counts (no bootstrap):            %8.4f s (%u Newton iterations)\n",
          t_fit, ka_rating_result_get_iterations (r0));
  printf ("  fit + 1000 bootstrap rounds, 1 thread:   %8.3f s (%.2f ms/round)\n",
          t1, t1);
  printf ("  fit + 1000 bootstrap rounds, %u threads:  %8.3f s\n", n_cpu, tn);
  printf ("  top: %s %.1f [%.1f, %.1f]; interval width %.2f Elo points\n",
          ka_rating_result_get_entry (r1, 0)->model, ka_rating_result_get_entry (r1, 0)->rating,
          ka_rating_result_get_entry (r1, 0)->ci_lower, ka_rating_result_get_entry (r1, 0)->ci_upper,
          ka_rating_result_get_entry (r1, 0)->ci_upper - ka_rating_result_get_entry (r1, 0)->ci_lower);
  printf ("  LMArena for scale: ~10 s for 100 rounds on 1.6 M votes (Python, 12 processes)\n");

  for (guint i = 0; i < m; i++)
    g_free (names[i]);
}

/* Parsing cost: 1 M FastChat JSON Lines through ka_export_load_fastchat. */
static void
bench_parse (void)
{
  const guint n = 1000000;
  GString *s = g_string_sized_new ((gsize) n * 100);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(KaVoteLog) log = ka_vote_log_new ();
  static const char *winners[] = { "model_a", "model_b", "tie", "tie (bothbad)" };
  GError *error = NULL;
  double t0, t;

  for (guint k = 0; k < n; k++)
    {
      guint a = g_rand_int_range (rand, 0, 20);
      guint b = (a + 1 + g_rand_int_range (rand, 0, 19)) % 20;

      g_string_append_printf (s, "{\"question_id\": \"%08x\", \"model_a\": \"model-%02u\", "
                                 "\"model_b\": \"model-%02u\", \"winner\": \"%s\", "
                                 "\"tstamp\": %u.25}\n",
                              k, a, b, winners[g_rand_int_range (rand, 0, 4)], 1700000000 + k);
    }
  bytes = g_string_free_to_bytes (s);

  t0 = now_s ();
  g_assert_true (ka_export_load_fastchat (log, bytes, &error));
  g_assert_no_error (error);
  t = now_s () - t0;
  printf ("parse: %u FastChat JSON Lines (%.0f MB) in %.2f s (%.2f µs/line); "
          "10 M lines would take ~%.0f s (extrapolated, not measured)\n",
          n, g_bytes_get_size (bytes) / 1e6, t, 1e6 * t / n, 10.0 * t);
}

/* A problem the size of LMArena's: ~1.6 M votes over 130 models (all 8,385 pairs, ~33 k
 * non-empty cells, more than LMArena's 22 k unique rows), 100 rounds: the like-for-like
 * comparison with their "around 10 seconds". Counts are drawn directly. */
static void
bench_lmarena_sized (void)
{
  const guint m = 130;
  const guint n_votes = 1600000;
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);
  g_autoptr(KaRatingCounts) counts = ka_rating_counts_new ();
  g_autoptr(KaRatingResult) r1 = NULL;
  g_autoptr(KaRatingResult) rn = NULL;
  KaRatingOptions o;
  GError *error = NULL;
  double t0, t1, tn;
  guint n_cpu = g_get_num_processors ();

  for (guint i = 0; i < m; i++)
    {
      g_autofree char *name = g_strdup_printf ("model-%03u", i);

      ka_rating_counts_add_model (counts, name);
    }
  for (guint k = 0; k < n_votes; k++)
    {
      guint a = g_rand_int_range (rand, 0, m);
      guint b = (a + 1 + g_rand_int_range (rand, 0, m - 1)) % m;
      double pa = 1.0 / (1.0 + pow (10.0, ((double) b - (double) a) * 4.0 / 400.0));
      double u = g_rand_double (rand);
      KaWinner w = u < 0.35 ? KA_WINNER_TIE :
                   (g_rand_double (rand) < pa ? KA_WINNER_MODEL_A : KA_WINNER_MODEL_B);

      ka_rating_counts_add (counts, a, b, w, 1);
    }

  ka_rating_options_init (&o);
  o.bootstrap_rounds = 100;
  o.n_threads = 1;
  t0 = now_s ();
  r1 = ka_rating_compute (counts, &o, NULL, &error);
  g_assert_no_error (error);
  t1 = now_s () - t0;
  o.n_threads = 0;
  t0 = now_s ();
  rn = ka_rating_compute (counts, &o, NULL, &error);
  g_assert_no_error (error);
  tn = now_s () - t0;

  printf ("LMArena-sized: %u votes, %u models, 100 rounds: %.2f s (1 thread), %.2f s (%u threads); "
          "LMArena: ~10 s\n", n_votes, m, t1, tn, n_cpu);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  printf ("# bench-rating (machine: %u processors)\n", g_get_num_processors ());
  bench_human ();
  bench_parse ();
  bench_synthetic ();
  bench_lmarena_sized ();
  return 0;
}
