/* ka-admin-tally.c: `kai-arena-admin tally`, `export` and `audit`
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ka-admin.h"
#include "ka-collector-client.h"
#include "ka-export.h"
#include "ka-fastchat-reader.h"
#include "ka-pack.h"
#include "ka-rating.h"
#include "ka-rating-stream.h"
#include "ka-seal-maps.h"
#include "ka-store.h"

/* Options shared by tally and export. */
typedef struct
{
  char    *input;
  char    *database;
  char   **packs;
  char    *server;
  char    *token_file;
  char    *format;
  gint64   bootstrap;
  gint64   seed;
  gint64   threads;
  char    *anchor;
  char    *category;
  char    *mode;
  char    *since;
  char    *until;
  char    *method;
  char    *output;
} Args;

static void
args_clear (Args *a)
{
  g_free (a->input);
  g_free (a->database);
  g_strfreev (a->packs);
  g_free (a->server);
  g_free (a->token_file);
  g_free (a->format);
  g_free (a->anchor);
  g_free (a->category);
  g_free (a->mode);
  g_free (a->since);
  g_free (a->until);
  g_free (a->method);
  g_free (a->output);
}

static GPtrArray *
load_packs (const char *cmd,
            char      **paths,
            int        *status)
{
  g_autoptr(GPtrArray) packs = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      KaPack *pack = ka_pack_new_from_file (paths[i], &error);

      if (pack == NULL)
        {
          fprintf (stderr, "kai-arena-admin %s: %s: %s\n", cmd, paths[i], error->message);
          *status = 1;
          return NULL;
        }
      if (ka_pack_is_sealed (pack))
        fprintf (stderr, "kai-arena-admin %s: warning: %s is sealed: it cannot reveal which "
                 "model wrote each response; use the organisers' open pack\n", cmd, paths[i]);
      g_ptr_array_add (packs, pack);
    }
  return g_steal_pointer (&packs);
}

/* Our ballots from --database (a store) or from a ballots file. */
static GPtrArray *
load_store_ballots (const char *cmd,
                    const char *database,
                    int        *status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = NULL;
  GPtrArray *ballots;

  if (!g_file_test (database, G_FILE_TEST_IS_REGULAR))
    {
      fprintf (stderr, "kai-arena-admin %s: %s: no such database\n", cmd, database);
      *status = 1;
      return NULL;
    }
  store = ka_store_open (database, &error);
  if (store == NULL)
    {
      fprintf (stderr, "kai-arena-admin %s: %s: %s\n", cmd, database, error->message);
      *status = 1;
      return NULL;
    }
  ballots = ka_store_list_ballots (store, NULL, &error);
  if (ballots == NULL)
    {
      fprintf (stderr, "kai-arena-admin %s: %s: %s\n", cmd, database, error->message);
      *status = 1;
    }
  return ballots;
}

static GBytes *
read_input (const char *cmd,
            const char *path,
            int        *status)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      fprintf (stderr, "kai-arena-admin %s: %s\n", cmd, error->message);
      *status = 1;
      return NULL;
    }
  return g_bytes_new_take (contents, len);
}

static void
print_stats (const KaExportStats *stats)
{
  if (stats->identity_flagged > 0)
    fprintf (stderr, "note: %u ballot(s) marked identity_flag left out (DESIGN.md §7)\n",
             stats->identity_flagged);
  if (stats->unknown_response > 0)
    fprintf (stderr, "warning: %u ballot(s) left out: their responses are in none of the "
             "given packs\n", stats->unknown_response);
  if (stats->sealed > 0)
    fprintf (stderr, "warning: %u ballot(s) left out: their pack is sealed (no model names)\n",
             stats->sealed);
}

/* Parses RFC 3339, or a date (YYYY-MM-DD, UTC midnight; @end_of_day adds one day so that
 * "--until 2026-12-01" includes that day). */
static gboolean
parse_when (const char *str,
            gboolean    end_of_day,
            gint64     *out)
{
  int y, m, d;
  char extra;

  if (sscanf (str, "%4d-%2d-%2d%c", &y, &m, &d, &extra) == 3)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_utc (y, m, d, 0, 0, 0);
      g_autoptr(GDateTime) next = NULL;

      if (dt == NULL)
        return FALSE;
      if (end_of_day)
        {
          next = g_date_time_add_days (dt, 1);
          *out = g_date_time_to_unix (next) * G_USEC_PER_SEC;
        }
      else
        *out = g_date_time_to_unix (dt) * G_USEC_PER_SEC;
      return TRUE;
    }
  *out = ka_export_parse_time (str);
  return *out != G_MININT64;
}

static gboolean
check_rating_args (const char      *cmd,
                   Args            *a,
                   KaRatingOptions *o)
{
  ka_rating_options_init (o);
  if (a->bootstrap < 0 || a->bootstrap > 1000000)
    {
      fprintf (stderr, "kai-arena-admin %s: --bootstrap must be between 0 and 1000000\n", cmd);
      return FALSE;
    }
  if (a->seed < 0)
    {
      fprintf (stderr, "kai-arena-admin %s: --seed must not be negative\n", cmd);
      return FALSE;
    }
  if (a->threads < 0 || a->threads > 1024)
    {
      fprintf (stderr, "kai-arena-admin %s: --threads must be between 0 and 1024\n", cmd);
      return FALSE;
    }
  o->bootstrap_rounds = (guint) a->bootstrap;
  o->seed = (guint64) a->seed;
  o->n_threads = (guint) a->threads;
  if (a->method != NULL)
    {
      if (g_str_equal (a->method, "newton"))
        o->method = KA_RATING_METHOD_NEWTON;
      else if (g_str_equal (a->method, "mm"))
        o->method = KA_RATING_METHOD_MM;
      else
        {
          fprintf (stderr, "kai-arena-admin %s: --method must be newton or mm\n", cmd);
          return FALSE;
        }
    }
  if (a->anchor != NULL)
    {
      const char *eq = strrchr (a->anchor, '=');
      char *end = NULL;

      if (eq == NULL || eq == a->anchor)
        {
          fprintf (stderr, "kai-arena-admin %s: --anchor must be MODEL=VALUE\n", cmd);
          return FALSE;
        }
      o->anchor_value = g_ascii_strtod (eq + 1, &end);
      if (end == eq + 1 || *end != '\0' || !isfinite (o->anchor_value))
        {
          fprintf (stderr, "kai-arena-admin %s: --anchor value “%s” is not a number\n", cmd, eq + 1);
          return FALSE;
        }
      a->anchor[eq - a->anchor] = '\0';
      o->anchor_model = a->anchor;
    }
  return TRUE;
}

/* Terminal columns taken by a UTF-8 string (wide East Asian characters take two). */
static guint
display_width (const char *s)
{
  guint w = 0;

  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      w += g_unichar_iswide (c) ? 2 : 1;
    }
  return w;
}

static void
print_table (KaRatingResult *r,
             const char     *source)
{
  guint m = ka_rating_result_get_n_models (r);
  guint name_w = 5;
  gboolean components = ka_rating_result_get_n_components (r) > 1;
  const char * const *warnings = ka_rating_result_get_warnings (r);
  gint64 lw, dec;
  double share, lo, hi;

  for (guint i = 0; i < m; i++)
    name_w = MAX (name_w, display_width (ka_rating_result_get_entry (r, i)->model));

  printf ("Leaderboard: %s\n", source);
  printf ("%" G_GINT64_FORMAT " ballots, %u models; Bradley–Terry (ties and both-bad = half "
          "a win), Elo scale",
          ka_rating_result_get_n_ballots (r), m);
  if (ka_rating_result_get_bootstrap_rounds (r) > 0)
    printf ("; 95%% intervals from %u bootstrap rounds (seed %" G_GUINT64_FORMAT ")\n\n",
            ka_rating_result_get_bootstrap_rounds (r), ka_rating_result_get_seed (r));
  else
    printf ("; no bootstrap (no intervals)\n\n");

  printf ("%4s  %s%*s  %7s  %-17s  %7s  %8s  %10s%s\n", "Rank", "Model",
          (int) (name_w - 5), "", "Rating", "95% interval", "Battles", "Win rate",
          "Online Elo", components ? "  Group" : "");
  for (guint i = 0; i < m; i++)
    {
      const KaRatingEntry *e = ka_rating_result_get_entry (r, i);
      g_autofree char *ci = g_strdup_printf ("[%.1f, %.1f]", e->ci_lower, e->ci_upper);
      g_autofree char *wr = isnan (e->win_rate) ? g_strdup ("—") :
                            g_strdup_printf ("%.1f %%", 100.0 * e->win_rate);
      g_autofree char *oe = isnan (e->online_elo) ? g_strdup ("—") :
                            g_strdup_printf ("%.1f", e->online_elo);

      printf ("%4u  %s%*s  %7.1f  %-17s  %7" G_GINT64_FORMAT "  %*s%s  %*s%s",
              e->rank, e->model, (int) (name_w - display_width (e->model)), "",
              e->rating, ci, e->battles,
              (int) (8 - display_width (wr)), "", wr,
              (int) (10 - display_width (oe)), "", oe);
      if (components)
        printf ("  %5u", e->component + 1);
      if (e->regularised)
        printf ("  *");
      printf ("\n");
    }

  ka_rating_result_get_position_bias (r, &lw, &dec, &share, &lo, &hi);
  if (dec > 0)
    printf ("\nPosition bias: the left answer won %.1f %% of %" G_GINT64_FORMAT " decisive "
            "ballots (95 %% interval %.1f–%.1f %%; 50 %% = no bias)\n",
            100.0 * share, dec, 100.0 * lo, 100.0 * hi);
  printf ("Rank = 1 + models whose lower bound is above this model's upper bound. "
          "Online Elo (K = 4) is only an indicator.\n");
  if (warnings[0] != NULL)
    {
      gboolean any_prior = FALSE;

      printf ("\nWarnings:\n");
      for (guint i = 0; warnings[i] != NULL; i++)
        printf ("  - %s\n", warnings[i]);
      for (guint i = 0; i < m; i++)
        any_prior |= ka_rating_result_get_entry (r, i)->regularised;
      if (any_prior)
        printf ("  (* = rating shrunk by the virtual-tie prior; see docs/ratings.md)\n");
    }
}

static gboolean
stream_add_cb (const char *model_a,
               const char *model_b,
               KaWinner    winner,
               gint64      time_us,
               const char *category,
               const char *mode,
               gpointer    user_data)
{
  return ka_rating_stream_add (user_data, model_a, model_b, winner, time_us, category, mode);
}

static gboolean
log_add_cb (const char *model_a,
            const char *model_b,
            KaWinner    winner,
            gint64      time_us,
            const char *category,
            const char *mode,
            gpointer    user_data)
{
  return ka_vote_log_add (user_data, model_a, model_b, winner, time_us, category, mode);
}

/* `tally --input` on FastChat battles, streaming: the file is read in chunks and
 * aggregated as it is read (ka_fastchat_read_file(), KaRatingStream), so memory does not
 * grow with the file. Returns FALSE when the file is not FastChat battles or holds
 * anything the stream leaves to the whole-file reader (which then reports it exactly as
 * before); otherwise sets @result, or leaves it NULL with @error set. Timed ballots out of
 * time order need a sort for the online Elo: they are read again into a KaVoteLog
 * (16 bytes a ballot), as the whole-file path does. */
static gboolean
tally_fastchat_stream (const char            *path,
                       const KaRatingFilter  *filter,
                       const KaRatingOptions *options,
                       KaRatingResult       **result,
                       GError               **error)
{
  g_autoptr(KaRatingStream) stream = ka_rating_stream_new (filter, options->online_k);
  g_autoptr(KaVoteLog) log = NULL;

  if (!ka_fastchat_read_file (path, stream_add_cb, stream, NULL))
    return FALSE;
  if (!ka_rating_stream_needs_order (stream))
    {
      *result = ka_rating_stream_finish (stream, options, NULL, error);
      return TRUE;
    }

  log = ka_vote_log_new ();
  if (!ka_fastchat_read_file (path, log_add_cb, log, NULL))
    return FALSE;
  *result = ka_rating_tally (log, filter, options, NULL, error);
  return TRUE;
}

int
ka_admin_tally (int    argc,
                char **argv)
{
  Args a = { 0, };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KaVoteLog) log = ka_vote_log_new ();
  g_autoptr(KaRatingResult) result = NULL;
  g_autoptr(GPtrArray) packs = NULL;
  g_autoptr(GPtrArray) ballots = NULL;
  g_autoptr(GBytes) bytes = NULL;
  KaRatingOptions options;
  KaRatingFilter filter;
  KaExportStats stats = { 0, };
  int status = 0;
  const char *source;

  a.bootstrap = KA_RATING_DEFAULT_BOOTSTRAP;
  {
    const GOptionEntry entries[] = {
      { "input", 'i', 0, G_OPTION_ARG_FILENAME, &a.input, "Ballots (JSON Lines, as `ballots --format jsonl`) or FastChat battles (JSON array or JSON Lines)", "FILE" },
      { "database", 'd', 0, G_OPTION_ARG_FILENAME, &a.database, "A K-AI Arena store (SQLite); needs --pack", "FILE" },
      { "pack", 'p', 0, G_OPTION_ARG_FILENAME_ARRAY, &a.packs, "Open pack revealing the models of our ballots (repeatable)", "FILE" },
      { "server", 0, 0, G_OPTION_ARG_STRING, &a.server, "A collector (https://, or http:// on loopback); needs --token-file and --pack", "URL" },
      { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &a.token_file, "File holding the organiser token, for --server", "FILE" },
      { "format", 'f', 0, G_OPTION_ARG_STRING, &a.format, "table (default), csv or json", "FORMAT" },
      { "bootstrap", 'b', 0, G_OPTION_ARG_INT64, &a.bootstrap, "Bootstrap rounds (default 1000; 0 for none)", "N" },
      { "seed", 's', 0, G_OPTION_ARG_INT64, &a.seed, "Bootstrap seed (default 0)", "S" },
      { "threads", 't', 0, G_OPTION_ARG_INT64, &a.threads, "Bootstrap threads (default: one per processor)", "N" },
      { "anchor", 0, 0, G_OPTION_ARG_STRING, &a.anchor, "Shift ratings so MODEL has VALUE (default: mean 1000)", "MODEL=VALUE" },
      { "category", 0, 0, G_OPTION_ARG_STRING, &a.category, "Only ballots on prompts of this category", "NAME" },
      { "mode", 0, 0, G_OPTION_ARG_STRING, &a.mode, "Only ballots cast in this mode (citizen, kiosk)", "MODE" },
      { "since", 0, 0, G_OPTION_ARG_STRING, &a.since, "Only ballots voted at or after (RFC 3339, or YYYY-MM-DD UTC)", "TIME" },
      { "until", 0, 0, G_OPTION_ARG_STRING, &a.until, "Only ballots voted before (RFC 3339; a date includes that day)", "TIME" },
      { "method", 0, 0, G_OPTION_ARG_STRING, &a.method, "Fitting method: newton (default) or mm", "METHOD" },
      { NULL }
    };

    context = g_option_context_new ("— Bradley–Terry leaderboard with bootstrap intervals");
    g_option_context_set_summary (context,
                                  "Reads our ballots (a store with --database and --pack, "
                                  "a JSON Lines file with --input and --pack, or a "
                                  "collector with --server, --token-file and --pack) or FastChat "
                                  "battle files (--input), and prints the leaderboard: rating, "
                                  "95 % interval, rank, battles, win rate, online Elo, "
                                  "position bias. See docs/ratings.md.");
    g_option_context_add_main_entries (context, entries, NULL);
    if (!g_option_context_parse (context, &argc, &argv, &error))
      {
        fprintf (stderr, "kai-arena-admin tally: %s\n", error->message);
        args_clear (&a);
        return 2;
      }
  }

  if ((a.input != NULL) + (a.database != NULL) + (a.server != NULL) != 1)
    {
      fprintf (stderr, "kai-arena-admin tally: give exactly one of --input FILE, --database FILE "
               "and --server URL\n");
      args_clear (&a);
      return 2;
    }
  if ((a.server != NULL) != (a.token_file != NULL))
    {
      fprintf (stderr, "kai-arena-admin tally: --server URL and --token-file FILE go together\n");
      args_clear (&a);
      return 2;
    }
  if (a.format != NULL && !g_str_equal (a.format, "table") && !g_str_equal (a.format, "csv") &&
      !g_str_equal (a.format, "json"))
    {
      fprintf (stderr, "kai-arena-admin tally: --format must be table, csv or json\n");
      args_clear (&a);
      return 2;
    }
  if (!check_rating_args ("tally", &a, &options))
    {
      args_clear (&a);
      return 2;
    }
  ka_rating_filter_init (&filter);
  filter.category = a.category;
  filter.mode = a.mode;
  if ((a.since != NULL && !parse_when (a.since, FALSE, &filter.since_us)) ||
      (a.until != NULL && !parse_when (a.until, TRUE, &filter.until_us)))
    {
      fprintf (stderr, "kai-arena-admin tally: --since/--until must be RFC 3339 or YYYY-MM-DD\n");
      args_clear (&a);
      return 2;
    }

  packs = load_packs ("tally", a.packs, &status);
  if (packs == NULL)
    goto out;

  if (a.server != NULL)
    {
      g_autofree char *token = NULL;

      source = a.server;
      if (packs->len == 0)
        {
          fprintf (stderr, "kai-arena-admin tally: --server needs --pack FILE: ballots "
                   "carry response IDs only, the open pack says which model wrote each\n");
          status = 2;
          goto out;
        }
      if (!g_file_get_contents (a.token_file, &token, NULL, &error))
        {
          fprintf (stderr, "kai-arena-admin tally: %s\n", error->message);
          status = 1;
          goto out;
        }
      g_strchomp (token);
      if (token[0] == '\0')
        {
          fprintf (stderr, "kai-arena-admin tally: %s: the organiser token file is empty\n",
                   a.token_file);
          status = 1;
          goto out;
        }
      bytes = ka_export_fetch_collector_ballots (a.server, token, NULL, &error);
      if (bytes == NULL)
        {
          fprintf (stderr, "kai-arena-admin tally: %s: %s\n", a.server, error->message);
          status = 1;
          goto out;
        }
      ballots = ka_export_parse_ballots (bytes, &error);
      if (ballots == NULL)
        {
          fprintf (stderr, "kai-arena-admin tally: %s: %s\n", a.server, error->message);
          status = 1;
          goto out;
        }
      /* Citizens' ballots carry the sealed copy's response IDs: the collector's seal maps
       * lead from them to the open pack's. */
      {
        g_autoptr(KaCollectorClient) client = ka_collector_client_new (a.server, token, &error);
        g_autoptr(GHashTable) maps = NULL;

        if (client != NULL)
          maps = ka_seal_maps_fetch (client, NULL, &error);
        if (maps == NULL)
          {
            fprintf (stderr, "kai-arena-admin tally: %s: %s\n", a.server, error->message);
            status = 1;
            goto out;
          }
        ka_seal_maps_apply (maps, packs);
      }
      ka_export_add_ballots (log, ballots, packs, &stats);
      print_stats (&stats);
    }
  else if (a.database != NULL)
    {
      source = a.database;
      if (packs->len == 0)
        {
          fprintf (stderr, "kai-arena-admin tally: --database needs --pack FILE: ballots "
                   "carry response IDs only, the open pack says which model wrote each\n");
          status = 2;
          goto out;
        }
      ballots = load_store_ballots ("tally", a.database, &status);
      if (ballots == NULL)
        goto out;
      ka_export_add_ballots (log, ballots, packs, &stats);
      print_stats (&stats);
    }
  else if (tally_fastchat_stream (a.input, &filter, &options, &result, &error))
    {
      source = a.input;
      if (result == NULL)
        {
          fprintf (stderr, "kai-arena-admin tally: %s\n", error->message);
          status = 1;
          goto out;
        }
    }
  else
    {
      source = a.input;
      bytes = read_input ("tally", a.input, &status);
      if (bytes == NULL)
        goto out;
      switch (ka_export_detect_input (bytes))
        {
        case KA_INPUT_FASTCHAT:
          if (!ka_export_load_fastchat (log, bytes, &error))
            {
              fprintf (stderr, "kai-arena-admin tally: %s: %s\n", a.input, error->message);
              status = 1;
              goto out;
            }
          break;
        case KA_INPUT_BALLOTS:
          if (packs->len == 0)
            {
              fprintf (stderr, "kai-arena-admin tally: %s holds our ballots: give --pack FILE "
                       "to reveal the models\n", a.input);
              status = 2;
              goto out;
            }
          ballots = ka_export_parse_ballots (bytes, &error);
          if (ballots == NULL)
            {
              fprintf (stderr, "kai-arena-admin tally: %s: %s\n", a.input, error->message);
              status = 1;
              goto out;
            }
          ka_export_add_ballots (log, ballots, packs, &stats);
          print_stats (&stats);
          break;
        case KA_INPUT_UNKNOWN:
        default:
          fprintf (stderr, "kai-arena-admin tally: %s is neither ballots nor FastChat battles "
                   "(JSON array or JSON Lines)\n", a.input);
          status = 1;
          goto out;
        }
    }

  if (result == NULL)
    result = ka_rating_tally (log, &filter, &options, NULL, &error);
  if (result == NULL)
    {
      fprintf (stderr, "kai-arena-admin tally: %s\n", error->message);
      status = 1;
      goto out;
    }

  if (a.format == NULL || g_str_equal (a.format, "table"))
    print_table (result, source);
  else if (g_str_equal (a.format, "csv"))
    {
      g_autofree char *csv = ka_rating_result_to_csv (result);

      fputs (csv, stdout);
    }
  else
    {
      g_autoptr(JsonNode) node = ka_rating_result_to_json (result);
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autofree char *text = NULL;

      json_generator_set_pretty (gen, TRUE);
      json_generator_set_root (gen, node);
      text = json_generator_to_data (gen, NULL);
      printf ("%s\n", text);
    }

out:
  args_clear (&a);
  return status;
}

/* Self-check: an export that does not audit clean says so at once. Clears @a. */
static int
finish_export (Args      *a,
               GPtrArray *packs,
               guint      n_ballots)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = ka_export_audit (a->output, packs, &error);

  if (problems == NULL)
    {
      fprintf (stderr, "kai-arena-admin export: %s\n", error->message);
      args_clear (a);
      return 1;
    }
  printf ("Exported %u ballots to %s\n", n_ballots, a->output);
  for (guint i = 0; i < problems->len; i++)
    {
      const KaAuditProblem *p = g_ptr_array_index (problems, i);

      fprintf (stderr, "warning: %s\n", p->message);
    }
  args_clear (a);
  return 0;
}

int
ka_admin_export (int    argc,
                 char **argv)
{
  Args a = { 0, };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) packs = NULL;
  g_autoptr(GPtrArray) ballots = NULL;
  KaRatingOptions options;
  int status = 0;

  a.bootstrap = KA_RATING_DEFAULT_BOOTSTRAP;
  {
    const GOptionEntry entries[] = {
      { "database", 'd', 0, G_OPTION_ARG_FILENAME, &a.database, "A K-AI Arena store (SQLite)", "FILE" },
      { "input", 'i', 0, G_OPTION_ARG_FILENAME, &a.input, "Or: our ballots as JSON Lines", "FILE" },
      { "pack", 'p', 0, G_OPTION_ARG_FILENAME_ARRAY, &a.packs, "Open pack revealing the models (repeatable)", "FILE" },
      { "output", 'o', 0, G_OPTION_ARG_FILENAME, &a.output, "Export directory (created; must be empty)", "DIR" },
      { "bootstrap", 'b', 0, G_OPTION_ARG_INT64, &a.bootstrap, "Bootstrap rounds of tally.csv (default 1000)", "N" },
      { "seed", 's', 0, G_OPTION_ARG_INT64, &a.seed, "Bootstrap seed of tally.csv (default 0)", "S" },
      { "threads", 't', 0, G_OPTION_ARG_INT64, &a.threads, "Bootstrap threads", "N" },
      { NULL }
    };

    context = g_option_context_new ("— export ballots with a manifest");
    g_option_context_set_summary (context,
                                  "Writes ballots.csv (UTF-8 with BOM), ballots.jsonl, "
                                  "battles-fastchat.json (FastChat schema), tally.csv and "
                                  "manifest.json (SHA-256 of every file, every device's chain "
                                  "head) to DIR. Check it later with `kai-arena-admin audit DIR`.");
    g_option_context_add_main_entries (context, entries, NULL);
    if (!g_option_context_parse (context, &argc, &argv, &error))
      {
        fprintf (stderr, "kai-arena-admin export: %s\n", error->message);
        args_clear (&a);
        return 2;
      }
  }

  if ((a.input == NULL) == (a.database == NULL) || a.output == NULL || a.packs == NULL)
    {
      fprintf (stderr, "kai-arena-admin export: --database FILE (or --input FILE), --pack FILE "
               "and -o DIR are required\n");
      args_clear (&a);
      return 2;
    }
  if (!check_rating_args ("export", &a, &options))
    {
      args_clear (&a);
      return 2;
    }

  packs = load_packs ("export", a.packs, &status);
  if (packs == NULL)
    goto out;
  if (a.database != NULL)
    {
      /* Each row straight from SQLite to the files: nothing kept per ballot. */
      g_autoptr(KaStore) store = NULL;
      guint n_written = 0;

      if (!g_file_test (a.database, G_FILE_TEST_IS_REGULAR))
        {
          fprintf (stderr, "kai-arena-admin export: %s: no such database\n", a.database);
          status = 1;
          goto out;
        }
      store = ka_store_open (a.database, &error);
      if (store == NULL ||
          !ka_export_write_database (a.output, a.database, packs, &options, &n_written, &error))
        {
          fprintf (stderr, "kai-arena-admin export: %s\n", error->message);
          status = 1;
          goto out;
        }
      return finish_export (&a, packs, n_written);
    }
  else
    {
      g_autoptr(GBytes) bytes = read_input ("export", a.input, &status);

      if (bytes != NULL)
        {
          ballots = ka_export_parse_ballots (bytes, &error);
          if (ballots == NULL)
            {
              fprintf (stderr, "kai-arena-admin export: %s: %s\n", a.input, error->message);
              status = 1;
            }
        }
    }
  if (ballots == NULL)
    goto out;

  if (!ka_export_write (a.output, ballots, packs, &options, &error))
    {
      fprintf (stderr, "kai-arena-admin export: %s\n", error->message);
      status = 1;
      goto out;
    }
  return finish_export (&a, packs, ballots->len);

out:
  args_clear (&a);
  return status;
}

int
ka_admin_audit (int    argc,
                char **argv)
{
  Args a = { 0, };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) packs = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  int status = 0;
  guint counts[KA_AUDIT_UNREADABLE + 1] = { 0, };
  {
    const GOptionEntry entries[] = {
      { "pack", 'p', 0, G_OPTION_ARG_FILENAME_ARRAY, &a.packs, "Open pack, to check the revealed model names too (repeatable)", "FILE" },
      { NULL }
    };

    context = g_option_context_new ("DIR — check an export against its manifest and chains");
    g_option_context_set_summary (context,
                                  "Checks every file's SHA-256 against manifest.json, every "
                                  "device's hash chain in ballots.jsonl, that ballots.csv and "
                                  "battles-fastchat.json match the ballots row for row, and "
                                  "that tally.csv recomputes. Names what is missing, altered "
                                  "or reordered; exits 1 on any problem.");
    g_option_context_add_main_entries (context, entries, NULL);
    if (!g_option_context_parse (context, &argc, &argv, &error))
      {
        fprintf (stderr, "kai-arena-admin audit: %s\n", error->message);
        args_clear (&a);
        return 2;
      }
  }
  if (argc != 2)
    {
      fprintf (stderr, "kai-arena-admin audit: give one export directory\n");
      args_clear (&a);
      return 2;
    }

  packs = load_packs ("audit", a.packs, &status);
  if (packs == NULL)
    goto out;

  problems = ka_export_audit (argv[1], packs->len > 0 ? packs : NULL, &error);
  if (problems == NULL)
    {
      fprintf (stderr, "kai-arena-admin audit: %s\n", error->message);
      status = 1;
      goto out;
    }

  for (guint i = 0; i < problems->len; i++)
    {
      const KaAuditProblem *p = g_ptr_array_index (problems, i);

      counts[p->kind]++;
      printf ("%-10s %s\n", ka_audit_kind_to_string (p->kind), p->message);
    }
  if (problems->len == 0)
    printf ("OK: %s matches its manifest; every chain verifies; all files agree\n", argv[1]);
  else
    {
      printf ("\n%u problem(s):", problems->len);
      for (guint k = 0; k <= KA_AUDIT_UNREADABLE; k++)
        if (counts[k] > 0)
          printf (" %u %s", counts[k], ka_audit_kind_to_string ((KaAuditKind) k));
      printf ("\n");
      status = 1;
    }

out:
  args_clear (&a);
  return status;
}
