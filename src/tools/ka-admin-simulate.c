/* ka-admin-simulate.c: `kai-arena-admin simulate`
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>

#include "ka-admin.h"

/* A rehearsal of a whole contest is a few hundred thousand ballots; more is a typo. */
#define SIMULATE_MAX_VOTES 10000000
#include "ka-identity.h"
#include "ka-pack.h"
#include "ka-scheduler.h"
#include "ka-session.h"
#include "ka-store.h"

/* The simulated voter. Each model (or, in a sealed pack, each response) has a hidden
 * strength on the Elo scale; a decisive vote follows the Bradley–Terry probability
 * 1 / (1 + 10^((s_b - s_a) / 400)). A fixed share of votes are ties and both-bad, and
 * with probability left_bias a decisive vote goes to the left answer whatever it says
 * (a position-biased voter, to exercise the position-bias estimate downstream). */
#define STRENGTH_SPREAD  200.0   /* strengths are uniform in ±this many Elo points */
#define P_TIE            0.10
#define P_BOTH_BAD       0.05

typedef struct
{
  GRand      *rand;
  GHashTable *strength;    /* model or response ID → gdouble* */
  double      left_bias;
} Voter;

static double
voter_strength (Voter      *voter,
                const char *key)
{
  double *value = g_hash_table_lookup (voter->strength, key);

  if (value == NULL)
    {
      value = g_new (double, 1);
      *value = g_rand_double_range (voter->rand, -STRENGTH_SPREAD, STRENGTH_SPREAD);
      g_hash_table_insert (voter->strength, g_strdup (key), value);
    }

  return *value;
}

static const char *
strength_key (const KaPackResponse *response)
{
  return response->model_id != NULL ? response->model_id : response->response_id;
}

static KaWinner
voter_decide (Voter    *voter,
              KaBattle *battle)
{
  double s_a = voter_strength (voter, strength_key (ka_battle_get_response_a (battle)));
  double s_b = voter_strength (voter, strength_key (ka_battle_get_response_b (battle)));
  double p_a = 1.0 / (1.0 + pow (10.0, (s_b - s_a) / 400.0));
  double u = g_rand_double (voter->rand);

  if (u < P_TIE)
    return KA_WINNER_TIE;
  if (u < P_TIE + P_BOTH_BAD)
    return KA_WINNER_BOTH_BAD;

  if (g_rand_double (voter->rand) < voter->left_bias)
    return KA_WINNER_MODEL_A;

  return g_rand_double (voter->rand) < p_a ? KA_WINNER_MODEL_A : KA_WINNER_MODEL_B;
}

static double
deviation (double count,
           double expected)
{
  return expected > 0 ? fabs (count - expected) / expected : 0;
}

static void
print_balance (KaScheduler *scheduler,
               KaPack      *pack,
               Voter       *voter)
{
  guint n_pairs = ka_scheduler_get_n_pairs (scheduler);
  guint n_models = ka_pack_get_n_models (pack);
  guint64 total = 0;
  double expected, max_dev = 0;

  if (ka_pack_is_sealed (pack))
    {
      printf ("Sealed pack: model pairs and sides cannot be balanced on this device "
              "(see docs/scheduling.md); no balance report.\n");
      return;
    }

  for (guint p = 0; p < n_pairs; p++)
    {
      const char *x, *y;

      ka_scheduler_get_pair (scheduler, p, &x, &y);
      total += ka_scheduler_get_pair_count (scheduler, x, y);
    }

  if (n_pairs == 0 || total == 0)
    return;

  expected = (double) total / n_pairs;
  printf ("\nPer pair (this pack's ballots in the store plus this run; %" G_GUINT64_FORMAT
          " battles, %.1f expected per pair):\n", total, expected);
  printf ("  %-28s %-28s %7s %7s %7s %7s\n", "model x", "model y", "battles", "x left",
          "y left", "dev");
  for (guint p = 0; p < n_pairs; p++)
    {
      const char *x, *y;
      guint count;
      double dev;

      ka_scheduler_get_pair (scheduler, p, &x, &y);
      count = ka_scheduler_get_pair_count (scheduler, x, y);
      dev = deviation (count, expected);
      max_dev = MAX (max_dev, dev);
      printf ("  %-28s %-28s %7u %7u %7u %6.2f%%\n", x, y, count,
              ka_scheduler_get_pair_side_count (scheduler, x, y),
              ka_scheduler_get_pair_side_count (scheduler, y, x),
              100 * dev);
    }
  printf ("Max pair deviation from uniform: %.2f %%\n", 100 * max_dev);

  /* Each battle has one left and one right seat: a model's fair share of either side
   * is total / n_models (with every pair schedulable). */
  expected = (double) total / n_models;
  max_dev = 0;
  printf ("\nPer model and side (%.1f expected per side):\n", expected);
  printf ("  %-28s %7s %7s %7s %7s %9s\n", "model", "left", "right", "dev L", "dev R",
          "strength");
  for (guint m = 0; m < n_models; m++)
    {
      const char *id = ka_pack_get_model (pack, m)->model_id;
      guint left = ka_scheduler_get_side_count (scheduler, id, TRUE);
      guint right = ka_scheduler_get_side_count (scheduler, id, FALSE);
      double dl = deviation (left, expected);
      double dr = deviation (right, expected);

      max_dev = MAX (max_dev, MAX (dl, dr));
      printf ("  %-28s %7u %7u %6.2f%% %6.2f%% %+9.1f\n", id, left, right, 100 * dl, 100 * dr,
              voter_strength (voter, id));
    }
  printf ("Max side deviation from uniform: %.2f %%\n", 100 * max_dev);
}

/**
 * ka_admin_simulate:
 * @argc: argument count, argv[0] being "simulate"
 * @argv: arguments
 *
 * `kai-arena-admin simulate --database FILE --pack FILE --votes N --seed S
 * [--mode citizen|kiosk] [--left-bias P]`: casts N ballots into the store through the
 * same #KaSession loop as the window (next battle, vote, commit), with a seeded simulated
 * voter. When a session has seen every prompt a new simulated visitor starts a new
 * session. Prints the counts and the per-pair and per-side balance.
 *
 * Returns: 0 on success, 1 on an error, 2 on a usage error
 */
int
ka_admin_simulate (int    argc,
                   char **argv)
{
  g_autofree char *database = NULL;
  g_autofree char *pack_path = NULL;
  g_autofree char *mode_str = NULL;
  gint64 votes = 100;
  gint64 seed = 1;
  double left_bias = 0;
  const GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &database,
      "SQLite store to write ballots to (created if missing)", "FILE" },
    { "pack", 'p', 0, G_OPTION_ARG_FILENAME, &pack_path,
      "Battle pack (kai-arena-pack/1 JSON)", "FILE" },
    { "votes", 'n', 0, G_OPTION_ARG_INT64, &votes,
      "Ballots to cast (default 100)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed,
      "Seed of the scheduler and the voter (default 1)", "S" },
    { "mode", 'm', 0, G_OPTION_ARG_STRING, &mode_str,
      "Ballot mode: citizen (default) or kiosk", "MODE" },
    { "left-bias", 0, 0, G_OPTION_ARG_DOUBLE, &left_bias,
      "Share of decisive votes given to the left answer regardless (0-1, default 0)", "P" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KaPack) pack = NULL;
  g_autoptr(KaStore) store = NULL;
  g_autoptr(KaIdentityGuard) guard = NULL;
  g_autoptr(KaScheduler) scheduler = NULL;
  g_autoptr(KaSession) session = NULL;
  g_autoptr(GTimer) timer = NULL;
  g_autoptr(GPtrArray) history = NULL;
  Voter voter = { 0 };
  KaMode mode = KA_MODE_CITIZEN;
  guint64 winners[4] = { 0 };
  guint64 cast = 0, visitors = 1, flagged = 0, in_visitor = 0;
  int status = 0;

  context = g_option_context_new ("— cast ballots with a simulated voter");
  g_option_context_set_summary (context,
                                "Casts ballots into a store through the same voting loop as "
                                "the app, with a seeded simulated voter, and reports how "
                                "evenly pairs and sides were scheduled.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "kai-arena-admin simulate: %s\n", error->message);
      return 2;
    }

  if (database == NULL || pack_path == NULL)
    {
      fprintf (stderr, "kai-arena-admin simulate: --database and --pack are required\n");
      return 2;
    }
  if (votes < 0 || votes > SIMULATE_MAX_VOTES)
    {
      fprintf (stderr, "kai-arena-admin simulate: --votes must be between 0 and %d\n",
               SIMULATE_MAX_VOTES);
      return 2;
    }
  if (seed < 0 || seed > G_MAXUINT32)
    {
      fprintf (stderr, "kai-arena-admin simulate: --seed must be between 0 and %u\n", G_MAXUINT32);
      return 2;
    }
  if (!(left_bias >= 0 && left_bias <= 1))
    {
      fprintf (stderr, "kai-arena-admin simulate: --left-bias must be between 0 and 1\n");
      return 2;
    }
  if (mode_str != NULL && !ka_mode_from_string (mode_str, &mode))
    {
      fprintf (stderr, "kai-arena-admin simulate: --mode must be citizen or kiosk\n");
      return 2;
    }

  pack = ka_pack_new_from_file (pack_path, &error);
  if (pack == NULL)
    {
      fprintf (stderr, "kai-arena-admin simulate: %s: %s\n", pack_path, error->message);
      return 1;
    }

  store = ka_store_open (database, &error);
  if (store == NULL)
    {
      fprintf (stderr, "kai-arena-admin simulate: %s: %s\n", database, error->message);
      return 1;
    }

  /* Simulated ballots are indistinguishable from real ones once chained, so they only ever
   * go into a store that holds nothing else: a new one, or one simulate made before. */
  {
    g_autofree char *marker = ka_store_get_meta (store, "simulation");
    gint64 existing = 0;

    for (int state = KA_DELIVERY_PENDING; state <= KA_DELIVERY_REJECTED; state++)
      {
        gint64 n = ka_store_count_ballots (store, state, &error);

        if (n < 0)
          {
            fprintf (stderr, "kai-arena-admin simulate: %s: %s\n", database, error->message);
            return 1;
          }
        existing += n;
      }

    if (existing > 0 && g_strcmp0 (marker, "1") != 0)
      {
        fprintf (stderr,
                 "kai-arena-admin simulate: %s already holds %" G_GINT64_FORMAT " real ballots; "
                 "simulated ballots would join their chain and count as votes. Use a separate "
                 "database for rehearsals.\n", database, existing);
        return 1;
      }

    if (marker == NULL && !ka_store_set_meta (store, "simulation", "1", &error))
      {
        fprintf (stderr, "kai-arena-admin simulate: %s: %s\n", database, error->message);
        return 1;
      }
  }

  if (!ka_store_import_pack (store, pack, &error))
    {
      fprintf (stderr, "kai-arena-admin simulate: %s: %s\n", database, error->message);
      return 1;
    }

  guard = ka_identity_guard_new_for_pack (pack);
  scheduler = ka_scheduler_new (pack, guard, (guint32) seed);
  if (!ka_scheduler_load_history (scheduler, store, &error))
    {
      fprintf (stderr, "kai-arena-admin simulate: %s: %s\n", database, error->message);
      return 1;
    }
  history = ka_store_list_ballots (store, ka_pack_get_id (pack), &error);
  if (history == NULL)
    {
      fprintf (stderr, "kai-arena-admin simulate: %s: %s\n", database, error->message);
      return 1;
    }

  session = ka_session_new (store, scheduler, mode, "ko");

  /* The voter has its own stream, derived from the seed, so that the battles do not
   * depend on how many random numbers the voter draws. */
  voter.rand = g_rand_new_with_seed ((guint32) seed ^ 0x9e3779b9u);
  voter.strength = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  voter.left_bias = left_bias;
  for (guint m = 0; m < ka_pack_get_n_models (pack); m++)
    voter_strength (&voter, ka_pack_get_model (pack, m)->model_id);

  timer = g_timer_new ();
  while (cast < (guint64) votes)
    {
      g_autoptr(KaBallot) ballot = NULL;
      KaWinner winner;

      if (!ka_session_next_battle (session, &error))
        {
          if (g_error_matches (error, KA_SCHEDULER_ERROR, KA_SCHEDULER_ERROR_EXHAUSTED) &&
              in_visitor > 0)
            {
              /* This visitor has seen every prompt; the next one walks up. */
              g_clear_error (&error);
              ka_session_reset (session);
              visitors++;
              in_visitor = 0;
              continue;
            }

          fprintf (stderr, "kai-arena-admin simulate: %s\n", error->message);
          status = 1;
          break;
        }

      winner = voter_decide (&voter, ka_session_get_battle (session));
      ballot = ka_session_vote (session, winner, &error);
      if (ballot == NULL)
        {
          fprintf (stderr, "kai-arena-admin simulate: %s\n", error->message);
          status = 1;
          break;
        }

      winners[winner]++;
      if (ballot->identity_flag)
        flagged++;
      cast++;
      in_visitor++;
    }
  g_timer_stop (timer);

  printf ("Pack %s (%s): %u models, %u prompts, %u schedulable, %u responses flagged by the "
          "identity guard\n",
          ka_pack_get_id (pack), ka_pack_is_sealed (pack) ? "sealed" : "open",
          ka_pack_get_n_models (pack), ka_pack_get_n_prompts (pack),
          ka_scheduler_get_n_schedulable_prompts (scheduler),
          ka_scheduler_get_n_flagged (scheduler));
  printf ("Store %s: %u earlier ballots of this pack loaded as history\n",
          database, history->len);
  printf ("Cast %" G_GUINT64_FORMAT " ballots (seed %" G_GINT64_FORMAT ", mode %s, left bias %.2f) "
          "from %" G_GUINT64_FORMAT " simulated visitors in %.2f s\n",
          cast, seed, ka_mode_to_string (mode), left_bias, visitors,
          g_timer_elapsed (timer, NULL));
  for (guint w = KA_WINNER_MODEL_A; w <= KA_WINNER_BOTH_BAD; w++)
    printf ("  %-9s %8" G_GUINT64_FORMAT " (%5.1f %%)\n", ka_winner_to_string (w), winners[w],
            cast > 0 ? 100.0 * winners[w] / cast : 0.0);
  printf ("  identity-flagged ballots: %" G_GUINT64_FORMAT "\n", flagged);

  print_balance (scheduler, pack, &voter);

  g_hash_table_unref (voter.strength);
  g_rand_free (voter.rand);

  return status;
}
