/* ka-admin-pack.c: kai-arena-admin pack build | pack verify
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ka-admin.h"
#include "ka-identity.h"
#include "ka-pack-builder.h"
#include "ka-pack.h"

#define EXIT_OK     0
#define EXIT_FAILED 1
#define EXIT_USAGE  2

static void
print_pack_usage (FILE *out)
{
  fprintf (out,
           "Usage:\n"
           "  kai-arena-admin pack build --from ko-arena-hard|mt-bench|logickor --source DIR\n"
           "        [--models LIST] [--prompts N] [--pack-id ID] [--title-ko T] [--title-en T]\n"
           "        [--created-at RFC3339] [--licence TEXT] [--identity-terms LIST]\n"
           "        [--secret-file FILE] [--sealed] [--accept-unknown-model ID]... -o FILE\n"
           "  kai-arena-admin pack verify FILE\n"
           "\n"
           "Run 'kai-arena-admin pack build --help' for the options.\n");
}

static char **
split_list (const char *list)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) parts = NULL;

  if (list == NULL)
    return NULL;
  parts = g_strsplit (list, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  return g_strv_builder_end (builder);
}

/* Reports the responses the identity guard flags (DESIGN.md §7). They stay in the pack; the
 * scheduler skips them. */
static guint
report_flagged (KaPack *pack,
                FILE   *out)
{
  g_autoptr(KaIdentityGuard) guard = ka_identity_guard_new_for_pack (pack);
  guint n = ka_pack_get_n_responses (pack);
  guint flagged = 0;

  for (guint i = 0; i < n; i++)
    {
      const KaPackResponse *response = ka_pack_get_response (pack, i);
      g_autofree char *term = NULL;

      if (!ka_identity_guard_check_response (guard, response, &term))
        continue;
      flagged++;
      fprintf (out, "  flagged: prompt %s, model %s, response %s: \"%s\"\n",
               response->prompt_id,
               response->model_id != NULL ? response->model_id : "(sealed)",
               response->response_id, term);
    }
  return flagged;
}

/* Builds whose pack is estimated at this size or more report their progress: they take
 * seconds (a 50 MB pack about ten). */
#define PROGRESS_MIN_BYTES (8 * 1000 * 1000)

/* Progress on standard error: one line every 5 % (a log, a CI job), or one line rewritten
 * in place when standard error is a terminal. */
typedef struct
{
  gboolean tty;
  int      shown;   /* the last percentage shown; -1 none */
} ProgressPrinter;

static void
print_progress (const char *stage,
                double      fraction,
                gpointer    user_data)
{
  ProgressPrinter *printer = user_data;
  int percent = (int) (fraction * 100.0 + 0.0001);

  if (!printer->tty)
    percent = percent / 5 * 5;
  if (percent <= printer->shown)
    return;
  printer->shown = percent;

  if (printer->tty)
    fprintf (stderr, "\rpack build: %3d %% %-20s%s", percent, stage, percent >= 100 ? "\n" : "");
  else
    fprintf (stderr, "pack build: %d %% (%s)\n", percent, stage);
  fflush (stderr);
}

/* What to do about a limit, in the options of this command. */
static const char *
limit_hint (const GError *error)
{
  if (g_error_matches (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_TOO_MANY_MODELS))
    return "choose the models to take with --models LIST (comma-separated)";
  if (g_error_matches (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_TOO_LARGE))
    return "take fewer prompts with --prompts N, or fewer models with --models LIST";
  return NULL;
}

static int
pack_build (int    argc,
            char **argv)
{
  g_autofree char *from = NULL;
  g_autofree char *source_dir = NULL;
  g_autofree char *models = NULL;
  g_autofree char *pack_id = NULL;
  g_autofree char *title_ko = NULL;
  g_autofree char *title_en = NULL;
  g_autofree char *created_at = NULL;
  g_autofree char *licence = NULL;
  g_autofree char *identity_terms = NULL;
  g_autofree char *secret_file = NULL;
  g_autofree char *output = NULL;
  int n_prompts = G_MININT;   /* G_MININT: not given, take all */
  gboolean sealed = FALSE;
  g_auto(GStrv) accept_unknown = NULL;
  const GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &from,
      "Source kind: ko-arena-hard, mt-bench or logickor", "KIND" },
    { "source", 0, 0, G_OPTION_ARG_FILENAME, &source_dir, "Source directory", "DIR" },
    { "models", 0, 0, G_OPTION_ARG_STRING, &models,
      "Comma-separated models to take (default: all)", "LIST" },
    { "prompts", 0, 0, G_OPTION_ARG_INT, &n_prompts,
      "Take at most N prompts, in source order (default: all)", "N" },
    { "pack-id", 0, 0, G_OPTION_ARG_STRING, &pack_id, "Pack ID", "ID" },
    { "title-ko", 0, 0, G_OPTION_ARG_STRING, &title_ko, "Korean title", "T" },
    { "title-en", 0, 0, G_OPTION_ARG_STRING, &title_en, "English title", "T" },
    { "created-at", 0, 0, G_OPTION_ARG_STRING, &created_at,
      "Creation time, RFC 3339 (default: SOURCE_DATE_EPOCH, else the newest answer)",
      "TIME" },
    { "licence", 0, 0, G_OPTION_ARG_STRING, &licence, "Licence text", "TEXT" },
    { "identity-terms", 0, 0, G_OPTION_ARG_STRING, &identity_terms,
      "Comma-separated identity terms added to those of the models' families", "LIST" },
    { "secret-file", 0, 0, G_OPTION_ARG_FILENAME, &secret_file,
      "Key for response IDs (required with --sealed; use the same for the open pack)",
      "FILE" },
    { "sealed", 0, 0, G_OPTION_ARG_NONE, &sealed,
      "Leave out models and model IDs (for citizen devices)", NULL },
    { "accept-unknown-model", 0, 0, G_OPTION_ARG_STRING_ARRAY, &accept_unknown,
      "Take this model although the identity guard knows no names for its family "
      "(repeatable)", "ID" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Output file", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- build a battle pack");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = g_strdupv (argv);
  g_auto(GStrv) model_list = NULL;
  g_auto(GStrv) term_list = NULL;
  g_autoptr(GBytes) secret = NULL;
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(KaPack) pack = NULL;
  KaPackBuildOptions options = { 0 };
  KaPackBuildEstimate estimate = { 0 };
  ProgressPrinter printer = { FALSE, -1 };
  GBytes *bytes;
  guint flagged;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse_strv (context, &args, &error))
    {
      fprintf (stderr, "kai-arena-admin pack build: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (g_strv_length (args) > 1)
    {
      fprintf (stderr, "kai-arena-admin pack build: unexpected argument '%s'\n", args[1]);
      return EXIT_USAGE;
    }
  if (from == NULL || !ka_pack_source_from_string (from, &options.source))
    {
      fprintf (stderr, "kai-arena-admin pack build: --from must be ko-arena-hard, mt-bench "
                       "or logickor\n");
      return EXIT_USAGE;
    }
  if (source_dir == NULL || output == NULL)
    {
      fprintf (stderr, "kai-arena-admin pack build: --source and -o are required\n");
      return EXIT_USAGE;
    }
  if (n_prompts == G_MININT)
    n_prompts = 0;   /* all */
  else if (n_prompts < 1)
    {
      /* 0 must not silently mean "all": leave --prompts out for that. */
      fprintf (stderr, "kai-arena-admin pack build: --prompts must be at least 1 (leave it "
                       "out to take all prompts)\n");
      return EXIT_USAGE;
    }
  if (sealed && secret_file == NULL)
    {
      fprintf (stderr, "kai-arena-admin pack build: --sealed needs --secret-file: without a "
                       "secret, anybody could recompute which model wrote which response\n");
      return EXIT_USAGE;
    }
  if (secret_file != NULL)
    {
      g_autofree char *contents = NULL;
      gsize len;

      if (!g_file_get_contents (secret_file, &contents, &len, &error))
        {
          fprintf (stderr, "kai-arena-admin pack build: %s\n", error->message);
          return EXIT_FAILED;
        }
      if (len < 16)
        {
          fprintf (stderr, "kai-arena-admin pack build: %s: a secret needs at least 16 "
                           "bytes\n", secret_file);
          return EXIT_FAILED;
        }
      secret = g_bytes_new_take (g_steal_pointer (&contents), len);
    }

  model_list = split_list (models);
  term_list = split_list (identity_terms);

  options.source_dir = source_dir;
  options.models = (const char * const *) model_list;
  options.max_prompts = (guint) n_prompts;
  options.pack_id = pack_id;
  options.title_ko = title_ko;
  options.title_en = title_en;
  options.created_at = created_at;
  options.licence = licence;
  options.identity_terms = (const char * const *) term_list;
  options.id_secret = secret;
  options.sealed = sealed;
  options.accept_unknown_models = (const char * const *) accept_unknown;

  /* A long build says how far it has got; the limits are checked by ka_pack_build()
   * itself before any answer is read. */
  if (ka_pack_build_estimate (&options, &estimate, NULL) &&
      estimate.n_bytes >= PROGRESS_MIN_BYTES)
    {
      printer.tty = isatty (fileno (stderr));
      options.progress = print_progress;
      options.progress_data = &printer;
    }

  pack = ka_pack_build (&options, notes, &error);
  if (printer.tty && printer.shown >= 0 && printer.shown < 100)
    fputc ('\n', stderr);
  for (guint i = 0; i < notes->len; i++)
    fprintf (stderr, "note: %s\n", (const char *) g_ptr_array_index (notes, i));
  if (pack == NULL)
    {
      const char *hint = limit_hint (error);

      fprintf (stderr, "kai-arena-admin pack build: %s\n", error->message);
      if (hint != NULL)
        fprintf (stderr, "kai-arena-admin pack build: nothing was built; %s\n", hint);
      return EXIT_FAILED;
    }

  flagged = report_flagged (pack, stderr);
  fprintf (stderr, "identity guard: %u of %u responses flagged (kept in the pack; never "
                   "scheduled)\n", flagged, ka_pack_get_n_responses (pack));

  bytes = ka_pack_get_bytes (pack);
  if (!g_file_set_contents (output, g_bytes_get_data (bytes, NULL),
                            (gssize) g_bytes_get_size (bytes), &error))
    {
      fprintf (stderr, "kai-arena-admin pack build: %s\n", error->message);
      return EXIT_FAILED;
    }

  fprintf (stderr, "wrote %s: %s pack \"%s\", %u prompts, %u responses, %u models, "
                   "sha256 %s\n",
           output, ka_pack_is_sealed (pack) ? "sealed" : "open", ka_pack_get_id (pack),
           ka_pack_get_n_prompts (pack), ka_pack_get_n_responses (pack),
           ka_pack_get_n_models (pack), ka_pack_get_content_hash (pack));
  return EXIT_OK;
}

static int
pack_verify (int    argc,
             char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaPack) pack = NULL;
  const char * const *terms;
  guint flagged;

  if (argc == 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      printf ("Usage: kai-arena-admin pack verify FILE\n\n"
              "Checks a battle pack; exits 0 when it is valid (and prints a summary),\n"
              "1 when it is not (the reason goes to standard error).\n");
      return EXIT_OK;
    }
  if (argc != 2)
    {
      print_pack_usage (stderr);
      return EXIT_USAGE;
    }

  /* A device, FIFO or directory is not a pack (reading /dev/zero fails with "Bad
   * address", a FIFO may block). A missing file is left to the loader's message. */
  if (g_file_test (argv[1], G_FILE_TEST_EXISTS) &&
      !g_file_test (argv[1], G_FILE_TEST_IS_REGULAR))
    {
      fprintf (stderr, "kai-arena-admin pack verify: %s: not a regular file (a pack is a "
                       "JSON file)\n", argv[1]);
      return EXIT_FAILED;
    }

  pack = ka_pack_new_from_file (argv[1], &error);
  if (pack == NULL)
    {
      fprintf (stderr, "kai-arena-admin pack verify: %s\n", error->message);
      return EXIT_FAILED;
    }

  terms = ka_pack_get_identity_terms (pack);
  printf ("%s: valid %s pack\n", argv[1], KA_PACK_FORMAT);
  printf ("  pack_id:        %s\n", ka_pack_get_id (pack));
  printf ("  sealed:         %s\n", ka_pack_is_sealed (pack) ? "yes" : "no");
  printf ("  title (ko):     %s\n", ka_pack_get_title (pack, "ko"));
  printf ("  title (en):     %s\n", ka_pack_get_title (pack, "en"));
  printf ("  language:       %s\n", ka_pack_get_language (pack));
  printf ("  created_at:     %s\n", ka_pack_get_created_at (pack));
  printf ("  licence:        %s\n",
          ka_pack_get_licence (pack) != NULL ? ka_pack_get_licence (pack) : "(none)");
  printf ("  models:         %u\n", ka_pack_get_n_models (pack));
  for (guint i = 0; i < ka_pack_get_n_models (pack); i++)
    {
      const KaPackModel *model = ka_pack_get_model (pack, i);

      printf ("    %s (%s%s%s)\n", model->model_id, model->display_name,
              model->organisation != NULL ? ", " : "",
              model->organisation != NULL ? model->organisation : "");
    }
  printf ("  prompts:        %u\n", ka_pack_get_n_prompts (pack));
  printf ("  responses:      %u\n", ka_pack_get_n_responses (pack));
  printf ("  identity_terms: %u\n", g_strv_length ((char **) terms));
  printf ("  sha256:         %s\n", ka_pack_get_content_hash (pack));
  flagged = report_flagged (pack, stdout);
  printf ("  identity guard: %u of %u responses flagged\n",
          flagged, ka_pack_get_n_responses (pack));
  {
    g_autoptr(KaIdentityGuard) guard = ka_identity_guard_new_for_pack (pack);
    g_auto(GStrv) unknown = ka_identity_guard_get_unknown_models (guard);

    /* Not an error: the pack is valid, but its guard is weaker for these models. */
    for (guint i = 0; unknown[i] != NULL; i++)
      fprintf (stderr, "warning: the identity guard knows no names for the family of %s "
                       "(only its ID, display name and organisation)\n", unknown[i]);
  }
  return EXIT_OK;
}

int
ka_admin_pack (int    argc,
               char **argv)
{
  if (argc < 2)
    {
      print_pack_usage (stderr);
      return EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_pack_usage (stdout);
      return EXIT_OK;
    }
  if (g_str_equal (argv[1], "build"))
    return pack_build (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "verify"))
    return pack_verify (argc - 1, argv + 1);

  fprintf (stderr, "kai-arena-admin pack: unknown subcommand '%s'\n\n", argv[1]);
  print_pack_usage (stderr);
  return EXIT_USAGE;
}
