/* test-bootstrap.c: the fast bootstrap gives the ratings and intervals of the reference code
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The reference values below were printed by `kai-arena-admin tally --input human.json
 * --format json` (1,000 rounds, seed 0) at commit 7eb8b4c, before the solver was sped up
 * (every Newton step checked against the likelihood, one confirming step at the end,
 * lgamma() called for every log-factorial). The sampler draws the very same variates
 * and the solver converges to the same optimum, so every value must agree to 10⁻⁶ Elo
 * (observed: 3·10⁻¹¹ on Debian 12's libm).
 */

#define G_LOG_DOMAIN "test-bootstrap"

#include "config.h"

#include <math.h>
#include <stdio.h>

#include "ka-export.h"
#include "ka-multinomial.h"
#include "ka-rating.h"

#define TOLERANCE_ELO 1e-6

static const struct
{
  const char *model;
  double      rating;
  double      ci_lower;
  double      ci_upper;
} reference[] = {
  { "gpt-4", 1237.435088430061, 1226.3525098786147, 1248.7333553565315 },
  { "claude-v1", 1191.9806255765575, 1181.612311309374, 1203.926912831518 },
  { "claude-instant-v1", 1169.2187776817818, 1155.6979832710783, 1182.9072567048952 },
  { "gpt-3.5-turbo", 1138.0280353235617, 1128.2719489060887, 1148.5162766445408 },
  { "guanaco-33b", 1078.9308569720815, 1058.236267328352, 1098.7296116286836 },
  { "vicuna-13b", 1058.9562918427828, 1050.5492083513482, 1067.7664131524423 },
  { "palm-2", 1048.3563451887767, 1036.8340336091248, 1059.1313921885505 },
  { "wizardlm-13b", 1045.7755253931152, 1026.7503897974343, 1063.006477173005 },
  { "vicuna-7b", 1024.38270796613, 1012.7539923305159, 1035.9160469401293 },
  { "koala-13b", 1001.6264523937919, 993.8279349383602, 1009.7864568448045 },
  { "mpt-7b-chat", 953.4249194177997, 942.2091738912393, 964.5729003953647 },
  { "gpt4all-13b-snoozy", 946.5996922422945, 927.310419332071, 967.2902789841226 },
  { "RWKV-4-Raven-14B", 941.8563363931972, 931.8050244745973, 951.1763698234619 },
  { "oasst-pythia-12b", 924.6623085644619, 916.1910068522521, 933.2917372590679 },
  { "alpaca-13b", 921.282731709078, 911.6630518637912, 931.2529358767034 },
  { "fastchat-t5-3b", 899.5595616240013, 888.8856731609421, 910.0570474098816 },
  { "chatglm-6b", 892.5406071455541, 882.4765151027207, 903.3113411522255 },
  { "stablelm-tuned-alpha-7b", 855.5004174408401, 842.7420299161332, 867.1550123730245 },
  { "dolly-v2-12b", 845.599789409672, 833.408767937509, 857.2108846775697 },
  { "llama-13b", 824.2829292844625, 810.3804697185604, 839.1049062212862 },
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

static KaVoteLog *
load_human (const char *path)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr(GBytes) bytes = NULL;
  KaVoteLog *log = ka_vote_log_new ();
  GError *error = NULL;

  g_assert_true (g_file_get_contents (path, &text, &len, &error));
  g_assert_no_error (error);
  bytes = g_bytes_new_take (g_steal_pointer (&text), len);
  g_assert_true (ka_export_load_fastchat (log, bytes, &error));
  g_assert_no_error (error);
  return log;
}

/* 26,919 real votes, 1,000 rounds: every rating and bound as the reference code gave. */
static void
test_reference (void)
{
  g_autofree char *path = find_human_json ();
  g_autoptr(KaVoteLog) log = NULL;
  KaRatingOptions o;
  double worst = 0.0;

  if (path == NULL)
    {
      g_test_skip ("chatbot_arena/human.json not found in tests/data nor KA_SHARED_DATA");
      return;
    }
  log = load_human (path);
  ka_rating_options_init (&o);
  g_assert_cmpuint (o.bootstrap_rounds, ==, 1000);
  g_assert_cmpuint (o.seed, ==, 0);

  for (guint threads = 1; threads <= 2; threads++)
    {
      g_autoptr(KaRatingResult) r = NULL;
      GError *error = NULL;

      o.n_threads = threads;
      r = ka_rating_tally (log, NULL, &o, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (ka_rating_result_get_n_models (r), ==, G_N_ELEMENTS (reference));
      g_assert_cmpuint (ka_rating_result_get_prior_rounds (r), ==, 0);
      for (guint i = 0; i < G_N_ELEMENTS (reference); i++)
        {
          const KaRatingEntry *e = ka_rating_result_get_entry (r, i);

          g_assert_cmpstr (e->model, ==, reference[i].model);
          worst = MAX (worst, fabs (e->rating - reference[i].rating));
          worst = MAX (worst, fabs (e->ci_lower - reference[i].ci_lower));
          worst = MAX (worst, fabs (e->ci_upper - reference[i].ci_upper));
          g_assert_cmpfloat_with_epsilon (e->rating, reference[i].rating, TOLERANCE_ELO);
          g_assert_cmpfloat_with_epsilon (e->ci_lower, reference[i].ci_lower, TOLERANCE_ELO);
          g_assert_cmpfloat_with_epsilon (e->ci_upper, reference[i].ci_upper, TOLERANCE_ELO);
        }
    }
  printf ("# largest difference from the reference code: %.3g Elo\n", worst);
}

/* The point fit needs few Newton iterations; the MM iteration (Hunter 2004), a different
 * algorithm, reaches the same optimum. */
static void
test_point_fit (void)
{
  g_autofree char *path = find_human_json ();
  g_autoptr(KaVoteLog) log = NULL;
  g_autoptr(KaRatingResult) newton = NULL;
  g_autoptr(KaRatingResult) mm = NULL;
  KaRatingOptions o;
  GError *error = NULL;

  if (path == NULL)
    {
      g_test_skip ("chatbot_arena/human.json not found in tests/data nor KA_SHARED_DATA");
      return;
    }
  log = load_human (path);
  ka_rating_options_init (&o);
  o.bootstrap_rounds = 0;
  newton = ka_rating_tally (log, NULL, &o, NULL, &error);
  g_assert_no_error (error);
  o.method = KA_RATING_METHOD_MM;
  mm = ka_rating_tally (log, NULL, &o, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (ka_rating_result_get_iterations (newton), <=, 8);
  for (guint i = 0; i < G_N_ELEMENTS (reference); i++)
    {
      const KaRatingEntry *a = ka_rating_result_get_entry (newton, i);
      const KaRatingEntry *b = ka_rating_result_lookup (mm, a->model, NULL);

      g_assert_cmpfloat_with_epsilon (a->rating, reference[i].rating, TOLERANCE_ELO);
      g_assert_cmpfloat_with_epsilon (a->rating, b->rating, 1e-4);
    }
}

/* KaMt is GRand's generator: the same seed words give the same doubles, and the same
 * multinomial draws, with or without a precomputed plan. */
static void
test_mt_is_grand (void)
{
  for (guint s = 0; s < 200; s++)
    {
      guint32 words[4] = { s * 2654435761u, s, s * 7 + 1, 0x6b612d72u };
      guint len = 1 + s % 4;
      g_autoptr(GRand) rand = g_rand_new_with_seed_array (words, len);
      KaMt mt;

      ka_mt_seed_array (&mt, words, len);
      for (guint i = 0; i < 2000; i++)
        {
          double a = g_rand_double (rand);
          double b = ka_mt_double (&mt);

          g_assert_cmpmem (&a, sizeof a, &b, sizeof b);
        }
    }

  {
    static const gint64 counts[] = { 0, 3, 17, 250, 1, 0, 9000, 42, 5, 123456, 2, 77 };
    guint32 words[4] = { 1, 2, 3, 4 };
    g_autoptr(GRand) rand = g_rand_new_with_seed_array (words, 4);
    KaMt mt;
    gint64 a[G_N_ELEMENTS (counts)], b[G_N_ELEMENTS (counts)];

    KaMt mt2;
    KaMultinomialPlan *plan = ka_multinomial_plan_new (counts, G_N_ELEMENTS (counts));
    gint64 c[G_N_ELEMENTS (counts)];

    ka_mt_seed_array (&mt, words, 4);
    ka_mt_seed_array (&mt2, words, 4);
    for (guint r = 0; r < 500; r++)
      {
        ka_multinomial_resample (rand, counts, a, G_N_ELEMENTS (counts));
        ka_multinomial_resample_mt (&mt, counts, b, G_N_ELEMENTS (counts));
        ka_multinomial_resample_plan (&mt2, plan, c);
        g_assert_cmpmem (a, sizeof a, b, sizeof b);
        g_assert_cmpmem (a, sizeof a, c, sizeof c);
      }
    ka_multinomial_plan_free (plan);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ka/bootstrap/reference", test_reference);
  g_test_add_func ("/ka/bootstrap/point-fit", test_point_fit);
  g_test_add_func ("/ka/bootstrap/mt-is-grand", test_mt_is_grand);

  return g_test_run ();
}
