/* test-pack.c: the battle pack loader and builder, on real sources and malformed packs
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>
#include <sys/wait.h>

#include "ka-identity.h"
#include "ka-pack-builder.h"
#include "ka-pack.h"
#include "ka-test-source.h"

/* The shipped sample pack is built with exactly these options (data/packs/NOTICE). */
#define SAMPLE_PACK_ID    "sample-ko-2026"
#define SAMPLE_TITLE_KO   "K-AI Arena 견본: 한국어 문항 100개"
#define SAMPLE_TITLE_EN   "K-AI Arena sample: 100 Korean prompts"
#define SAMPLE_CREATED_AT "2026-11-29T00:00:00Z"

static char *
test_data_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", name, NULL);
}

static char *
shared_data_path (const char *name)
{
  const char *shared = g_getenv ("KA_SHARED_DATA");
  g_autofree char *path = NULL;

  if (shared == NULL)
    return NULL;
  path = g_build_filename (shared, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    return NULL;
  return g_steal_pointer (&path);
}

static KaPack *
build (KaPackSource        source,
       const char         *dir,
       const char * const *models,
       guint               max_prompts)
{
  KaPackBuildOptions options = { 0 };
  g_autoptr(GError) error = NULL;
  KaPack *pack;

  options.source = source;
  options.source_dir = dir;
  options.models = models;
  options.max_prompts = max_prompts;
  pack = ka_pack_build (&options, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pack);
  return pack;
}

static KaPack *
load_text (const char  *text,
           gssize       len,
           GError     **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, len < 0 ? strlen (text) : (gsize) len);

  return ka_pack_new_from_bytes (bytes, error);
}

static const KaPackResponse *
find_response (KaPack     *pack,
               const char *prompt_id,
               const char *model_id)
{
  g_autoptr(GPtrArray) answers = ka_pack_get_prompt_responses (pack, prompt_id);

  g_assert_nonnull (answers);
  for (guint i = 0; i < answers->len; i++)
    {
      const KaPackResponse *r = g_ptr_array_index (answers, i);

      if (g_str_equal (r->model_id, model_id))
        return r;
    }
  return NULL;
}

/* Every structural promise of a loaded pack, checked through the public API. */
static void
check_consistent (KaPack *pack)
{
  guint n_prompts = ka_pack_get_n_prompts (pack);
  guint n_responses = ka_pack_get_n_responses (pack);
  guint total = 0;

  g_assert_cmpuint (n_prompts, >, 0);
  for (guint i = 0; i < n_prompts; i++)
    {
      const KaPackPrompt *prompt = ka_pack_get_prompt (pack, i);
      g_autoptr(GPtrArray) answers = ka_pack_get_prompt_responses (pack, prompt->prompt_id);

      g_assert_true (ka_pack_lookup_prompt (pack, prompt->prompt_id) == prompt);
      g_assert_cmpuint (prompt->n_turns, ==, g_strv_length (prompt->turns));
      g_assert_cmpuint (answers->len, >=, 2);
      total += answers->len;
    }
  g_assert_cmpuint (total, ==, n_responses);

  for (guint i = 0; i < n_responses; i++)
    {
      const KaPackResponse *r = ka_pack_get_response (pack, i);
      const KaPackPrompt *prompt = ka_pack_lookup_prompt (pack, r->prompt_id);

      g_assert_true (ka_pack_lookup_response (pack, r->response_id) == r);
      g_assert_nonnull (prompt);
      g_assert_cmpuint (r->n_turns, ==, prompt->n_turns);
      g_assert_cmpuint (g_strv_length (r->turns), ==, r->n_turns);
      if (ka_pack_is_sealed (pack))
        g_assert_null (r->model_id);
      else
        g_assert_nonnull (ka_pack_lookup_model (pack, r->model_id));
      /* Opaque: 12 hex digits that do not spell the model. */
      g_assert_cmpuint (strlen (r->response_id), ==, 12);
      for (const char *p = r->response_id; *p != '\0'; p++)
        g_assert_true (g_ascii_isxdigit (*p) && !g_ascii_isupper (*p));
    }
}

static void
check_content_hash (KaPack *pack)
{
  GBytes *bytes = ka_pack_get_bytes (pack);
  g_autofree char *expected = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);

  g_assert_cmpstr (ka_pack_get_content_hash (pack), ==, expected);
}

static void
test_real_ko_arena_hard (void)
{
  g_autofree char *dir = test_data_path ("ko_arena_hard");
  g_autoptr(KaPack) pack = build (KA_PACK_SOURCE_KO_ARENA_HARD, dir, NULL, 0);
  g_autoptr(KaPack) again = build (KA_PACK_SOURCE_KO_ARENA_HARD, dir, NULL, 0);
  const KaPackResponse *gemma;
  const KaPackPrompt *first;

  g_assert_cmpuint (ka_pack_get_n_prompts (pack), ==, 100);
  g_assert_cmpuint (ka_pack_get_n_models (pack), ==, 6);
  g_assert_cmpuint (ka_pack_get_n_responses (pack), ==, 600);
  g_assert_false (ka_pack_is_sealed (pack));
  g_assert_cmpstr (ka_pack_get_language (pack), ==, "ko");
  check_consistent (pack);
  check_content_hash (pack);

  /* Source order; the Korean cluster as category (the upstream "category" is constant). */
  first = ka_pack_get_prompt (pack, 0);
  g_assert_cmpstr (first->prompt_id, ==, "328c149ed45a41c0b9d6f14659e63599");
  g_assert_cmpstr (first->category, ==, "ABC 순서 퍼즐 및 그룹");
  g_assert_cmpstr (ka_pack_lookup_model (pack, "qwen-2.5-72b-instruct")->organisation, ==,
                   "Alibaba Cloud");

  /* Every gemma-2-27b-it answer starts with blank lines upstream: stripped. */
  for (guint i = 0; i < ka_pack_get_n_responses (pack); i++)
    {
      const KaPackResponse *r = ka_pack_get_response (pack, i);

      for (guint t = 0; t < r->n_turns; t++)
        g_assert_false (g_ascii_isspace (r->turns[t][0]));
    }
  gemma = find_response (pack, first->prompt_id, "gemma-2-27b-it");
  g_assert_nonnull (gemma);
  g_assert_true (g_str_has_prefix (gemma->turns[0], "## 민요 스타일 멜로디"));

  /* Same input, same bytes. */
  g_assert_true (g_bytes_equal (ka_pack_get_bytes (pack), ka_pack_get_bytes (again)));
  g_assert_cmpstr (ka_pack_get_content_hash (pack), ==, ka_pack_get_content_hash (again));
}

static void
test_real_mt_bench (void)
{
  g_autofree char *dir = test_data_path ("mt_bench");
  g_autoptr(KaPack) pack = build (KA_PACK_SOURCE_MT_BENCH, dir, NULL, 0);
  const char * const two[] = { "RWKV-4-Raven-14B", "GPT-4", NULL };
  g_autoptr(KaPack) subset = build (KA_PACK_SOURCE_MT_BENCH, dir, two, 5);
  const KaPackModel *rwkv;
  const KaPackResponse *empty;

  g_assert_cmpuint (ka_pack_get_n_prompts (pack), ==, 80);
  g_assert_cmpuint (ka_pack_get_n_models (pack), ==, 31);
  g_assert_cmpuint (ka_pack_get_n_responses (pack), ==, 80 * 31);
  g_assert_cmpstr (ka_pack_get_language (pack), ==, "en");
  check_consistent (pack);
  check_content_hash (pack);

  /* Two turns each; question IDs were integers. */
  g_assert_cmpuint (ka_pack_lookup_prompt (pack, "81")->n_turns, ==, 2);
  g_assert_cmpstr (ka_pack_lookup_prompt (pack, "81")->category, ==, "writing");

  /* The file name is the key; the answer's own model_id (other case) is the display name. */
  rwkv = ka_pack_lookup_model (pack, "rwkv-4-raven-14b");
  g_assert_nonnull (rwkv);
  g_assert_cmpstr (rwkv->display_name, ==, "RWKV-4-Raven-14B");
  g_assert_null (ka_pack_lookup_model (pack, "RWKV-4-Raven-14B"));

  /* A real empty answer (llama-13b) is kept: it is a fair "both bad". */
  empty = NULL;
  for (guint i = 0; i < ka_pack_get_n_responses (pack) && empty == NULL; i++)
    {
      const KaPackResponse *r = ka_pack_get_response (pack, i);

      for (guint t = 0; t < r->n_turns; t++)
        if (r->turns[t][0] == '\0')
          empty = r;
    }
  g_assert_nonnull (empty);
  g_assert_cmpstr (empty->model_id, ==, "llama-13b");

  /* --models in any case, in the given order; --prompts takes the first N. */
  g_assert_cmpuint (ka_pack_get_n_models (subset), ==, 2);
  g_assert_cmpstr (ka_pack_get_model (subset, 0)->model_id, ==, "rwkv-4-raven-14b");
  g_assert_cmpstr (ka_pack_get_model (subset, 1)->model_id, ==, "gpt-4");
  g_assert_cmpuint (ka_pack_get_n_prompts (subset), ==, 5);
  g_assert_cmpuint (ka_pack_get_n_responses (subset), ==, 10);
  g_assert_cmpstr (ka_pack_get_prompt (subset, 4)->prompt_id, ==, "85");
  check_consistent (subset);
}

static void
test_real_logickor (void)
{
  g_autofree char *dir = shared_data_path ("logickor");
  g_autoptr(KaPack) pack = NULL;
  const KaPackPrompt *three;
  const KaPackResponse *varco;

  if (dir == NULL)
    {
      g_test_skip ("LogicKor may not be redistributed, so it is not in tests/data; "
                   "set KA_SHARED_DATA to a directory holding logickor/ to run this test");
      return;
    }

  pack = build (KA_PACK_SOURCE_LOGICKOR, dir, NULL, 0);
  g_assert_cmpuint (ka_pack_get_n_prompts (pack), ==, 42);
  g_assert_cmpuint (ka_pack_get_n_models (pack), ==, 38);
  g_assert_cmpuint (ka_pack_get_n_responses (pack), ==, 42 * 38);
  check_consistent (pack);
  check_content_hash (pack);

  /* Question 3 lists three questions: the first two are the turns. */
  three = ka_pack_lookup_prompt (pack, "3");
  g_assert_nonnull (three);
  g_assert_cmpuint (three->n_turns, ==, 2);
  g_assert_true (g_str_has_prefix (three->turns[0], "민수에게는 빨간색 셔츠"));

  /* A file with a byte-order mark and its own line order, joined on id. */
  varco = find_response (pack, "13", "NCSOFT/Llama-VARCO-8B-Instruct");
  g_assert_nonnull (varco);
  g_assert_true (g_str_has_prefix (varco->turns[0], "3의 제곱의 일의 자리 숫자를"));
  g_assert_cmpstr (ka_pack_lookup_model (pack, "NCSOFT/Llama-VARCO-8B-Instruct")->organisation,
                   ==, "NCSOFT");
}

static char *
source_root (void)
{
  const char *root = g_getenv ("KA_SOURCE_ROOT");

  if (root != NULL)
    return g_strdup (root);
  return g_test_build_filename (G_TEST_DIST, "..", NULL);
}

static void
test_sample_pack (void)
{
  g_autofree char *root = source_root ();
  g_autofree char *path = g_build_filename (root, "data", "packs", "sample-ko.json", NULL);
  g_autofree char *dir = test_data_path ("ko_arena_hard");
  g_autoptr(GError) error = NULL;
  g_autoptr(KaPack) shipped = ka_pack_new_from_file (path, &error);
  g_autoptr(KaPack) rebuilt = NULL;
  KaPackBuildOptions options = { 0 };
  const char * const *terms;

  g_assert_no_error (error);
  g_assert_cmpstr (ka_pack_get_id (shipped), ==, SAMPLE_PACK_ID);
  g_assert_cmpstr (ka_pack_get_title (shipped, "ko"), ==, SAMPLE_TITLE_KO);
  g_assert_cmpstr (ka_pack_get_title (shipped, "en"), ==, SAMPLE_TITLE_EN);
  g_assert_cmpstr (ka_pack_get_licence (shipped), ==, "Apache-2.0; see NOTICE");
  g_assert_cmpuint (ka_pack_get_n_prompts (shipped), ==, 100);
  g_assert_cmpuint (ka_pack_get_n_models (shipped), ==, 6);
  g_assert_false (ka_pack_is_sealed (shipped));
  terms = ka_pack_get_identity_terms (shipped);
  g_assert_true (g_strv_contains (terms, "Qwen"));
  g_assert_true (g_strv_contains (terms, "클로드"));
  check_consistent (shipped);

  /* The committed file is exactly what the command in data/packs/NOTICE produces. */
  options.source = KA_PACK_SOURCE_KO_ARENA_HARD;
  options.source_dir = dir;
  options.pack_id = SAMPLE_PACK_ID;
  options.title_ko = SAMPLE_TITLE_KO;
  options.title_en = SAMPLE_TITLE_EN;
  options.created_at = SAMPLE_CREATED_AT;
  rebuilt = ka_pack_build (&options, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (ka_pack_get_bytes (shipped), ka_pack_get_bytes (rebuilt)));
}

/* Round trip through ka_pack_to_json(): open stays open, sealed tells nobody who answered. */
static void
test_to_json (void)
{
  g_autofree char *dir = test_data_path ("mt_bench");
  g_autoptr(KaPack) pack = build (KA_PACK_SOURCE_MT_BENCH, dir, NULL, 10);
  g_autoptr(GError) error = NULL;

  for (guint s = 0; s < 2; s++)
    {
      gboolean sealed = s == 1;
      g_autoptr(JsonNode) node = ka_pack_to_json (pack, sealed);
      g_autofree char *text = json_to_string (node, FALSE);
      g_autoptr(KaPack) copy = load_text (text, -1, &error);

      g_assert_no_error (error);
      g_assert_nonnull (copy);
      g_assert_cmpint (ka_pack_is_sealed (copy), ==, sealed);
      g_assert_cmpuint (ka_pack_get_n_prompts (copy), ==, ka_pack_get_n_prompts (pack));
      g_assert_cmpuint (ka_pack_get_n_responses (copy), ==, ka_pack_get_n_responses (pack));
      g_assert_cmpuint (ka_pack_get_n_models (copy), ==, sealed ? 0 : 31);
      g_assert_cmpstr (ka_pack_get_created_at (copy), ==, ka_pack_get_created_at (pack));
      g_assert_cmpstrv (ka_pack_get_identity_terms (copy), ka_pack_get_identity_terms (pack));
      for (guint i = 0; i < ka_pack_get_n_responses (pack); i++)
        {
          const KaPackResponse *a = ka_pack_get_response (pack, i);
          const KaPackResponse *b = ka_pack_get_response (copy, i);

          g_assert_cmpstr (a->response_id, ==, b->response_id);
          g_assert_cmpstrv (a->turns, b->turns);
          g_assert_cmpstr (sealed ? NULL : a->model_id, ==, b->model_id);
        }
      if (sealed)
        {
          g_assert_null (strstr (text, "\"models\""));
          g_assert_null (strstr (text, "\"model_id\""));
          g_assert_null (strstr (text, "vicuna-13b-v1.3"));
        }
    }
}

/* Sealed builds need a secret; the same secret gives the open and sealed packs the same
 * response IDs, which nobody can recompute from public names. */
static void
test_sealed_build (void)
{
  g_autofree char *dir = test_data_path ("mt_bench");
  g_autoptr(GBytes) secret = g_bytes_new_static ("0123456789abcdef-secret", 23);
  g_autoptr(GError) error = NULL;
  g_autoptr(KaPack) open_pack = NULL;
  g_autoptr(KaPack) sealed_pack = NULL;
  KaPackBuildOptions options = { 0 };
  const KaPackResponse *r;
  g_autofree char *public_id = NULL;

  options.source = KA_PACK_SOURCE_MT_BENCH;
  options.source_dir = dir;
  options.max_prompts = 3;
  options.sealed = TRUE;
  g_assert_null (ka_pack_build (&options, NULL, &error));
  g_assert_error (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_NO_SECRET);
  g_clear_error (&error);

  options.id_secret = secret;
  sealed_pack = ka_pack_build (&options, NULL, &error);
  g_assert_no_error (error);
  options.sealed = FALSE;
  open_pack = ka_pack_build (&options, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (ka_pack_is_sealed (sealed_pack));
  g_assert_cmpuint (ka_pack_get_n_models (sealed_pack), ==, 0);
  check_consistent (sealed_pack);
  g_assert_cmpuint (ka_pack_get_n_responses (sealed_pack), ==,
                    ka_pack_get_n_responses (open_pack));
  for (guint i = 0; i < ka_pack_get_n_responses (open_pack); i++)
    g_assert_cmpstr (ka_pack_get_response (open_pack, i)->response_id, ==,
                     ka_pack_get_response (sealed_pack, i)->response_id);

  r = ka_pack_get_response (open_pack, 0);
  public_id = ka_pack_build_response_id (NULL, "mt-bench", r->prompt_id, r->model_id);
  g_assert_cmpstr (public_id, !=, r->response_id);
  g_assert_null (strstr ((const char *) g_bytes_get_data (ka_pack_get_bytes (sealed_pack), NULL),
                         "alpaca-13b"));
}

static void
test_build_errors (void)
{
  g_autofree char *dir = test_data_path ("mt_bench");
  g_autoptr(GError) error = NULL;
  const char * const unknown[] = { "gpt-4", "no-such-model", NULL };
  const char * const one[] = { "gpt-4", NULL };
  KaPackBuildOptions options = { 0 };

  options.source = KA_PACK_SOURCE_MT_BENCH;
  options.source_dir = dir;
  options.models = unknown;
  g_assert_null (ka_pack_build (&options, NULL, &error));
  g_assert_error (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_MODEL);
  g_assert_nonnull (strstr (error->message, "no-such-model"));
  g_clear_error (&error);

  options.models = one;
  g_assert_null (ka_pack_build (&options, NULL, &error));
  g_assert_error (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_MODEL);
  g_clear_error (&error);

  options.models = NULL;
  options.source = KA_PACK_SOURCE_LOGICKOR;   /* wrong layout for this directory */
  g_assert_null (ka_pack_build (&options, NULL, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

/* ------------------------------------------------------------------------------------------ */
/* Limits and progress (issue 9): packs as organisers will have them. */

typedef struct
{
  guint   calls;
  double  last;
  gboolean read, wrote;
} ProgressLog;

static void
progress_cb (const char *stage,
             double      fraction,
             gpointer    user_data)
{
  ProgressLog *log = user_data;

  g_assert_cmpfloat (fraction, >=, log->last);
  g_assert_cmpfloat (fraction, <=, 1.0);
  log->last = fraction;
  log->calls++;
  if (g_str_equal (stage, "reading answers"))
    log->read = TRUE;
  if (g_str_equal (stage, "writing the pack"))
    log->wrote = TRUE;
}

static char *
make_source (guint copies,
             guint n_models)
{
  g_autofree char *real = ka_test_source_real_dir ();
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *dir = NULL;

  if (real == NULL)
    return NULL;
  tmp = g_dir_make_tmp ("ka-test-pack-limits-XXXXXX", &error);
  g_assert_no_error (error);
  dir = g_build_filename (tmp, "source", NULL);
  g_assert_true (ka_test_source_make (real, dir, copies, n_models, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&tmp);
}

/* 72 models against 64, and 20 models × 2,800 prompts against 64 MiB: refused with the
 * figures before a single answer is read (the progress callback is never called). */
static void
test_build_limits (void)
{
  g_autofree char *tmp = make_source (28, 72);
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) twenty = g_ptr_array_new_with_free_func (g_free);
  KaPackBuildOptions options = { 0 };
  KaPackBuildEstimate est = { 0 };
  ProgressLog log = { 0 };
  g_autoptr(GDir) d = NULL;
  const char *name;

  if (tmp == NULL)
    {
      g_test_skip ("KA_SHARED_DATA/ko_arena_hard is not there");
      return;
    }
  dir = g_build_filename (tmp, "source", NULL);

  options.source = KA_PACK_SOURCE_KO_ARENA_HARD;
  options.source_dir = dir;
  options.progress = progress_cb;
  options.progress_data = &log;

  g_assert_true (ka_pack_build_estimate (&options, &est, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (est.n_models, ==, 72);
  g_assert_cmpuint (est.n_prompts, ==, 2800);
  g_assert_cmpuint (est.n_responses, ==, 72 * 2800);
  g_assert_cmpuint (est.n_bytes, >, 500 * 1000 * 1000);
  g_assert_cmpuint (est.models_that_fit, <, 12);
  g_assert_cmpuint (est.models_that_fit, >=, 6);

  g_assert_null (ka_pack_build (&options, NULL, &error));
  g_assert_error (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_TOO_MANY_MODELS);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "72 models"));
  g_assert_nonnull (strstr (error->message, "64"));
  g_assert_cmpuint (log.calls, ==, 0);
  g_clear_error (&error);

  /* Twenty of them: within the model limit, far over the size. */
  {
    g_autofree char *answers = g_build_filename (dir, "model_answer", NULL);

    d = g_dir_open (answers, 0, NULL);
  }
  while ((name = g_dir_read_name (d)) != NULL && twenty->len < 20)
    g_ptr_array_add (twenty, g_strndup (name, strlen (name) - strlen (".jsonl")));
  g_ptr_array_add (twenty, NULL);
  options.models = (const char * const *) twenty->pdata;

  g_assert_true (ka_pack_build_estimate (&options, &est, &error));
  g_assert_cmpuint (est.n_models, ==, 20);
  g_assert_cmpuint (est.n_bytes, >, 2 * KA_PACK_MAX_BYTES);
  g_assert_cmpuint (est.prompts_that_fit, <, 1400);
  g_assert_cmpuint (est.prompts_that_fit, >, 700);

  g_assert_null (ka_pack_build (&options, NULL, &error));
  g_assert_error (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_TOO_LARGE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "64 MiB"));
  g_assert_nonnull (strstr (error->message, "2800 prompts × 20 models"));
  g_assert_cmpuint (log.calls, ==, 0);
  g_clear_error (&error);

  /* As many prompts as the estimate says fit: built, and under the limit. */
  {
    g_autoptr(KaPack) pack = NULL;
    guint fit = est.prompts_that_fit;

    options.max_prompts = fit;
    pack = ka_pack_build (&options, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ka_pack_get_n_prompts (pack), ==, fit);
    g_assert_cmpuint (g_bytes_get_size (ka_pack_get_bytes (pack)), <=, KA_PACK_MAX_BYTES);
    g_assert_cmpuint (g_bytes_get_size (ka_pack_get_bytes (pack)), >, KA_PACK_MAX_BYTES / 2);
    g_assert_true (log.read && log.wrote);
    g_assert_cmpfloat (log.last, ==, 1.0);
  }

  ka_test_source_remove (tmp);
}

/* The estimate against the real size, and the progress of a build from start to end. */
static void
test_build_estimate_progress (void)
{
  g_autofree char *tmp = make_source (5, 6);
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KaPack) pack = NULL;
  KaPackBuildOptions options = { 0 };
  KaPackBuildEstimate est = { 0 };
  ProgressLog log = { 0 };
  gsize size;

  if (tmp == NULL)
    {
      g_test_skip ("KA_SHARED_DATA/ko_arena_hard is not there");
      return;
    }
  dir = g_build_filename (tmp, "source", NULL);
  options.source = KA_PACK_SOURCE_KO_ARENA_HARD;
  options.source_dir = dir;
  options.progress = progress_cb;
  options.progress_data = &log;

  g_assert_true (ka_pack_build_estimate (&options, &est, &error));
  pack = ka_pack_build (&options, NULL, &error);
  g_assert_no_error (error);
  size = g_bytes_get_size (ka_pack_get_bytes (pack));
  g_test_message ("estimated %" G_GUINT64_FORMAT " bytes, built %" G_GSIZE_FORMAT,
                  est.n_bytes, size);
  /* An upper estimate, and not by much. */
  g_assert_cmpuint (est.n_bytes, >=, size);
  g_assert_cmpuint (est.n_bytes, <=, size + size / 7);
  g_assert_cmpuint (ka_pack_get_n_prompts (pack), ==, est.n_prompts);

  /* Reported after every answer line: thousands of calls, ending at 1. */
  g_assert_cmpuint (log.calls, >, 500 * 6);
  g_assert_true (log.read && log.wrote);
  g_assert_cmpfloat (log.last, ==, 1.0);

  ka_test_source_remove (tmp);
}

/* ------------------------------------------------------------------------------------------ */
/* Malformed packs. */

#define VALID_MODELS \
  "[{\"model_id\":\"m1\",\"display_name\":\"M1\",\"organisation\":\"O1\"}," \
  "{\"model_id\":\"m2\",\"display_name\":\"M2\"}]"
#define VALID_PROMPTS \
  "[{\"prompt_id\":\"p1\",\"category\":\"c\",\"turns\":[\"q1\"]}," \
  "{\"prompt_id\":\"p2\",\"turns\":[\"q2a\",\"q2b\"]}]"
#define VALID_RESPONSES \
  "[{\"response_id\":\"r1\",\"prompt_id\":\"p1\",\"model_id\":\"m1\",\"turns\":[\"a\"]}," \
  "{\"response_id\":\"r2\",\"prompt_id\":\"p1\",\"model_id\":\"m2\",\"turns\":[\"b\"]}," \
  "{\"response_id\":\"r3\",\"prompt_id\":\"p2\",\"model_id\":\"m1\",\"turns\":[\"c\",\"d\"]}," \
  "{\"response_id\":\"r4\",\"prompt_id\":\"p2\",\"model_id\":\"m2\",\"turns\":[\"e\",\"\"]}]"
#define SEALED_RESPONSES \
  "[{\"response_id\":\"r1\",\"prompt_id\":\"p1\",\"turns\":[\"a\"]}," \
  "{\"response_id\":\"r2\",\"prompt_id\":\"p1\",\"turns\":[\"b\"]}," \
  "{\"response_id\":\"r3\",\"prompt_id\":\"p2\",\"turns\":[\"c\",\"d\"]}," \
  "{\"response_id\":\"r4\",\"prompt_id\":\"p2\",\"turns\":[\"e\",\"f\"]}]"

/* A second answer to p1, for responses arrays that must pass the "two or more" check. */
#define R2 "{\"response_id\":\"r2\",\"prompt_id\":\"p1\",\"model_id\":\"m2\",\"turns\":[\"b\"]}"

/* A pack with the given members replaced; NULL keeps the valid default, "" drops it. */
typedef struct
{
  const char *format;
  const char *pack_id;
  const char *title;
  const char *created_at;
  const char *models;
  const char *prompts;
  const char *responses;
  const char *identity_terms;
  const char *extra;       /* raw text appended inside the root object */
} Parts;

static char *
make_pack (const Parts *p)
{
  GString *s = g_string_new ("{");
  const char *models = p->models != NULL ? p->models : VALID_MODELS;

#define MEMBER(name, value, fallback) \
  G_STMT_START { \
    const char *v_ = (value) != NULL ? (value) : (fallback); \
    if (v_[0] != '\0') \
      g_string_append_printf (s, "\"%s\":%s,", name, v_); \
  } G_STMT_END

  MEMBER ("format", p->format, "\"" KA_PACK_FORMAT "\"");
  MEMBER ("pack_id", p->pack_id, "\"t\"");
  MEMBER ("title", p->title, "{\"ko\":\"시험\",\"en\":\"Test\"}");
  MEMBER ("language", NULL, "\"ko\"");
  MEMBER ("created_at", p->created_at, "\"2026-11-29T00:00:00Z\"");
  MEMBER ("models", models, VALID_MODELS);
  MEMBER ("prompts", p->prompts, VALID_PROMPTS);
  MEMBER ("responses", p->responses, VALID_RESPONSES);
  MEMBER ("identity_terms", p->identity_terms, "[\"X\"]");
  if (p->extra != NULL)
    g_string_append (s, p->extra);
  g_string_append (s, "\"licence\":\"L\"}");
#undef MEMBER

  return g_string_free (s, FALSE);
}

typedef struct
{
  const char *name;
  Parts       parts;
  const char *raw;           /* used instead of parts when not NULL */
  int         code;
  const char *expect[3];     /* substrings of the message */
} BadCase;

static char *
repeat (const char *unit,
        guint       n)
{
  GString *s = g_string_sized_new (strlen (unit) * n);

  for (guint i = 0; i < n; i++)
    g_string_append (s, unit);
  return g_string_free (s, FALSE);
}

static void
check_refused (const char  *name,
               const char  *text,
               gsize        len,
               int          code,
               const char * const *expect)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaPack) pack = load_text (text, (gssize) len, &error);

  if (pack != NULL)
    g_error ("case %s: the pack was accepted", name);
  g_assert_nonnull (error);
  if (error->domain != KA_PACK_ERROR || error->code != code)
    g_error ("case %s: expected code %d, got %s %d: %s", name, code,
             g_quark_to_string (error->domain), error->code, error->message);
  for (guint i = 0; i < 3 && expect[i] != NULL; i++)
    if (strstr (error->message, expect[i]) == NULL)
      g_error ("case %s: message \"%s\" lacks \"%s\"", name, error->message, expect[i]);
  g_test_message ("%-28s %s", name, error->message);
}

static void
test_malformed (void)
{
  g_autofree char *long_text = repeat ("가", KA_PACK_MAX_TEXT_BYTES / 3 + 1);
  g_autofree char *long_id = repeat ("r", KA_PACK_MAX_ID_BYTES + 1);
  g_autofree char *big_text_responses = NULL;
  g_autofree char *big_id_responses = NULL;
  g_autofree char *many_turns = NULL;
  g_autofree char *nested_licence = NULL;
  const BadCase cases[] = {
    { "unknown-format", { .format = "\"kai-arena-pack/2\"" }, NULL,
      KA_PACK_ERROR_FORMAT, { "format", "unknown format", "kai-arena-pack/2" } },
    { "missing-format", { .format = "" }, NULL,
      KA_PACK_ERROR_FORMAT, { "missing \"format\"" } },
    { "format-not-string", { .format = "1" }, NULL,
      KA_PACK_ERROR_FORMAT, { "format: expected a string, got number" } },
    { "root-array", { 0 }, "[1, 2]",
      KA_PACK_ERROR_FORMAT, { "expected an object, got array" } },
    { "unknown-top-level-key", { .extra = "\"votes\":[]," }, NULL,
      KA_PACK_ERROR_INVALID, { "unknown top-level key \"votes\"" } },
    { "response-turn-number", { .responses =
      "[{\"response_id\":\"r1\",\"prompt_id\":\"p1\",\"model_id\":\"m1\",\"turns\":[\"a\"]},"
      "{\"response_id\":\"r2\",\"prompt_id\":\"p1\",\"model_id\":\"m2\",\"turns\":[7]}]" },
      NULL, KA_PACK_ERROR_INVALID, { "responses[1].turns[0]: expected a string, got number" } },
    { "prompt-turns-string", { .prompts = "[{\"prompt_id\":\"p1\",\"turns\":\"q\"}]" }, NULL,
      KA_PACK_ERROR_INVALID, { "prompts[0].turns: expected an array, got string" } },
    { "model-not-object", { .models = "[{\"model_id\":\"m1\",\"display_name\":\"M1\"},null]" },
      NULL, KA_PACK_ERROR_INVALID, { "models[1]: expected an object, got null" } },
    { "model-missing-name", { .models =
      "[{\"model_id\":\"m1\",\"display_name\":\"M1\"},{\"model_id\":\"m2\"}]" }, NULL,
      KA_PACK_ERROR_INVALID, { "models[1]: missing \"display_name\"" } },
    { "title-en-number", { .title = "{\"ko\":\"시험\",\"en\":3}" }, NULL,
      KA_PACK_ERROR_INVALID, { "title.en: expected a string, got number" } },
    { "title-missing-en", { .title = "{\"ko\":\"시험\"}" }, NULL,
      KA_PACK_ERROR_INVALID, { "title: missing \"en\"" } },
    { "pack-id-empty", { .pack_id = "\"\"" }, NULL,
      KA_PACK_ERROR_INVALID, { "pack_id: must not be empty" } },
    { "pack-id-boolean", { .pack_id = "true" }, NULL,
      KA_PACK_ERROR_INVALID, { "pack_id: expected a string, got boolean" } },
    { "duplicate-model-id", { .models =
      "[{\"model_id\":\"m1\",\"display_name\":\"M1\"},{\"model_id\":\"m2\",\"display_name\":\"M2\"},"
      "{\"model_id\":\"m1\",\"display_name\":\"again\"}]" }, NULL,
      KA_PACK_ERROR_INVALID, { "models[2].model_id", "duplicate model ID \"m1\"", "models[0]" } },
    { "duplicate-prompt-id", { .prompts =
      "[{\"prompt_id\":\"p1\",\"turns\":[\"q1\"]},{\"prompt_id\":\"p2\",\"turns\":[\"a\",\"b\"]},"
      "{\"prompt_id\":\"p1\",\"turns\":[\"again\"]}]" }, NULL,
      KA_PACK_ERROR_INVALID, { "prompts[2].prompt_id", "duplicate prompt ID \"p1\"" } },
    { "duplicate-response-id", { .responses =
      "[{\"response_id\":\"r1\",\"prompt_id\":\"p1\",\"model_id\":\"m1\",\"turns\":[\"a\"]},"
      "{\"response_id\":\"r2\",\"prompt_id\":\"p1\",\"model_id\":\"m2\",\"turns\":[\"b\"]},"
      "{\"response_id\":\"r1\",\"prompt_id\":\"p2\",\"model_id\":\"m1\",\"turns\":[\"c\",\"d\"]}]" },
      NULL, KA_PACK_ERROR_INVALID,
      { "responses[2].response_id", "duplicate response ID \"r1\"", "responses[0]" } },
    { "dangling-prompt", { .responses =
      "[{\"response_id\":\"r1\",\"prompt_id\":\"p1\",\"model_id\":\"m1\",\"turns\":[\"a\"]},"
      "{\"response_id\":\"r2\",\"prompt_id\":\"p9\",\"model_id\":\"m2\",\"turns\":[\"b\"]}]" },
      NULL, KA_PACK_ERROR_INVALID, { "responses[1].prompt_id", "no prompt has the ID \"p9\"" } },
    { "dangling-model", { .responses =
      "[{\"response_id\":\"r1\",\"prompt_id\":\"p1\",\"model_id\":\"m1\",\"turns\":[\"a\"]},"
      "{\"response_id\":\"r2\",\"prompt_id\":\"p1\",\"model_id\":\"m9\",\"turns\":[\"b\"]}]" },
      NULL, KA_PACK_ERROR_INVALID, { "responses[1].model_id", "no model has the ID \"m9\"" } },
    { "one-response", { .responses =
      "[{\"response_id\":\"r1\",\"prompt_id\":\"p1\",\"model_id\":\"m1\",\"turns\":[\"a\"]},"
      "{\"response_id\":\"r2\",\"prompt_id\":\"p1\",\"model_id\":\"m2\",\"turns\":[\"b\"]},"
      "{\"response_id\":\"r3\",\"prompt_id\":\"p2\",\"model_id\":\"m1\",\"turns\":[\"c\",\"d\"]}]" },
      NULL, KA_PACK_ERROR_INVALID, { "prompts[1]", "prompt \"p2\" has 1 response",
                                     "at least two" } },
    { "one-model-twice", { .responses =
      "[{\"response_id\":\"r1\",\"prompt_id\":\"p1\",\"model_id\":\"m1\",\"turns\":[\"a\"]},"
      "{\"response_id\":\"r2\",\"prompt_id\":\"p1\",\"model_id\":\"m1\",\"turns\":[\"b\"]}]" },
      NULL, KA_PACK_ERROR_INVALID,
      { "responses[1]", "model \"m1\" already answered prompt \"p1\"", "responses[0]" } },
    { "turn-count-mismatch", { .responses =
      "[{\"response_id\":\"r1\",\"prompt_id\":\"p1\",\"model_id\":\"m1\",\"turns\":[\"a\"]},"
      "{\"response_id\":\"r2\",\"prompt_id\":\"p1\",\"model_id\":\"m2\",\"turns\":[\"b\"]},"
      "{\"response_id\":\"r3\",\"prompt_id\":\"p2\",\"model_id\":\"m1\",\"turns\":[\"c\"]}]" },
      NULL, KA_PACK_ERROR_INVALID, { "responses[2].turns", "1 turn,", "prompt \"p2\" has 2" } },
    { "sealed-open-mix-1", { .responses =
      "[{\"response_id\":\"r1\",\"prompt_id\":\"p1\",\"model_id\":\"m1\",\"turns\":[\"a\"]},"
      "{\"response_id\":\"r2\",\"prompt_id\":\"p1\",\"turns\":[\"b\"]}]" }, NULL,
      KA_PACK_ERROR_INVALID, { "responses[1]", "missing \"model_id\"", "cannot be mixed" } },
    { "sealed-open-mix-2", { .models = "", .responses =
      "[{\"response_id\":\"r1\",\"prompt_id\":\"p1\",\"turns\":[\"a\"]},"
      "{\"response_id\":\"r2\",\"prompt_id\":\"p1\",\"model_id\":\"m2\",\"turns\":[\"b\"]}]" },
      NULL, KA_PACK_ERROR_INVALID, { "responses[1].model_id", "sealed pack" } },
    { "empty-prompts", { .prompts = "[]" }, NULL,
      KA_PACK_ERROR_INVALID, { "prompts: empty array" } },
    { "empty-responses", { .responses = "[]" }, NULL,
      KA_PACK_ERROR_INVALID, { "responses: empty array" } },
    { "empty-models", { .models = "[]" }, NULL,
      KA_PACK_ERROR_INVALID, { "models: empty array" } },
    { "empty-response-turns", { .responses =
      "[{\"response_id\":\"r1\",\"prompt_id\":\"p1\",\"model_id\":\"m1\",\"turns\":[\"a\"]},"
      "{\"response_id\":\"r2\",\"prompt_id\":\"p1\",\"model_id\":\"m2\",\"turns\":[]}]" },
      NULL, KA_PACK_ERROR_INVALID, { "responses[1].turns: empty array" } },
    { "one-model", { .models = "[{\"model_id\":\"m1\",\"display_name\":\"M1\"}]" }, NULL,
      KA_PACK_ERROR_INVALID, { "models: 1 item, at least 2 needed" } },
    { "empty-prompt-turn", { .prompts = "[{\"prompt_id\":\"p1\",\"turns\":[\"\"]}]" }, NULL,
      KA_PACK_ERROR_INVALID, { "prompts[0].turns[0]: must not be empty" } },
    { "unknown-response-key", { .responses =
      "[{\"response_id\":\"r1\",\"prompt_id\":\"p1\",\"model_id\":\"m1\",\"turns\":[\"a\"],"
      "\"score\":9}," R2 "]" }, NULL,
      KA_PACK_ERROR_INVALID, { "responses[0]: unknown key \"score\"" } },
    { "id-control-char", { .pack_id = "\"a\\u0007b\"" }, NULL,
      KA_PACK_ERROR_INVALID, { "pack_id", "control characters" } },
    { "created-at-month-13", { .created_at = "\"2026-13-01T00:00:00Z\"" }, NULL,
      KA_PACK_ERROR_INVALID, { "created_at", "RFC 3339" } },
    { "created-at-words", { .created_at = "\"yesterday\"" }, NULL,
      KA_PACK_ERROR_INVALID, { "created_at", "yesterday" } },
    { "identity-term-number", { .identity_terms = "[\"A\",2]" }, NULL,
      KA_PACK_ERROR_INVALID, { "identity_terms[1]: expected a string, got number" } },
    { "duplicate-top-level-key", { .extra = "\"pack_id\":\"u\"," }, NULL,
      KA_PACK_ERROR_INVALID, { "duplicate key \"pack_id\"" } },
    { "duplicate-key", { .responses =
      "[{\"response_id\":\"r1\",\"prompt_id\":\"p1\",\"model_id\":\"m1\",\"model_id\":\"m2\","
      "\"turns\":[\"a\"]}]" }, NULL,
      KA_PACK_ERROR_INVALID, { "responses[0]", "duplicate key \"model_id\"" } },
    { "truncated", { 0 }, "{\"format\":\"kai-arena-pack/1\",\"pack_id\":\"t\",\"prompts\":[{\"pr",
      KA_PACK_ERROR_SYNTAX, { "prompts[0]", "truncated" } },
    { "truncated-after-value", { 0 }, "{\"format\":\"kai-arena-pack/1\",\"pack_id\":\"t\"",
      KA_PACK_ERROR_SYNTAX, { "truncated" } },
    { "empty-document", { 0 }, "  \n",
      KA_PACK_ERROR_SYNTAX, { "empty" } },
    { "trailing-data", { 0 }, "{} {}",
      KA_PACK_ERROR_SYNTAX, { "after the end of the JSON document", "column 4" } },
    { "single-quotes", { 0 }, "{'format':'kai-arena-pack/1'}",
      KA_PACK_ERROR_SYNTAX, { "expected a string key", "line 1, column 2" } },
    { "comment", { 0 }, "/* pack */ {}",
      KA_PACK_ERROR_SYNTAX, { "expected a value" } },
    { "trailing-comma", { 0 }, "{\"a\":[1,2,],\"b\":1}",
      KA_PACK_ERROR_SYNTAX, { "a[2]", "expected a value" } },
    { "leading-zero", { 0 }, "{\"format\":\"kai-arena-pack/1\",\"n\":01}",
      KA_PACK_ERROR_SYNTAX, { "n: invalid number (leading zero)" } },
    { "nul-escape", { .pack_id = "\"a\\u0000b\"" }, NULL,
      KA_PACK_ERROR_SYNTAX, { "pack_id", "\\u0000" } },
    { "lone-surrogate", { .pack_id = "\"a\\ud800b\"" }, NULL,
      KA_PACK_ERROR_SYNTAX, { "pack_id", "unpaired UTF-16 surrogate" } },
    { "raw-tab-in-string", { .pack_id = "\"a\tb\"" }, NULL,
      KA_PACK_ERROR_SYNTAX, { "pack_id", "control character U+0009" } },
    { "bad-escape", { .pack_id = "\"a\\xb\"" }, NULL,
      KA_PACK_ERROR_SYNTAX, { "pack_id", "invalid escape" } },
    { "bom", { 0 }, "\xEF\xBB\xBF{}",
      KA_PACK_ERROR_SYNTAX, { "byte-order mark" } },
    { "invalid-utf8", { 0 }, "{\"format\":\"kai-arena-pack/1\",\"pack_id\":\"t\xff\"}",
      KA_PACK_ERROR_SYNTAX, { "invalid UTF-8 at byte offset 41" } },
    { "overlong-utf8", { 0 }, "{\"format\":\"\xC0\xAF\"}",
      KA_PACK_ERROR_SYNTAX, { "invalid UTF-8 at byte offset 11" } },
    { "too-many-turns", { 0 }, NULL, KA_PACK_ERROR_TOO_LARGE,
      { "prompts[0].turns: 51 items, more than the limit of 50" } },
    { "oversized-text", { 0 }, NULL, KA_PACK_ERROR_TOO_LARGE,
      { "responses[1].turns[0]", "524289 bytes", "limit of 524288" } },
    { "oversized-id", { 0 }, NULL, KA_PACK_ERROR_TOO_LARGE,
      { "responses[0].response_id", "129 bytes", "limit of 128" } },
    { "nesting-in-field", { 0 }, NULL, KA_PACK_ERROR_TOO_LARGE,
      { "licence", "nesting deeper than 32 levels" } },
  };

  big_text_responses = g_strdup_printf (
    "[{\"response_id\":\"r1\",\"prompt_id\":\"p1\",\"model_id\":\"m1\",\"turns\":[\"a\"]},"
    "{\"response_id\":\"r2\",\"prompt_id\":\"p1\",\"model_id\":\"m2\",\"turns\":[\"%s\"]}]",
    long_text);
  big_id_responses = g_strdup_printf (
    "[{\"response_id\":\"%s\",\"prompt_id\":\"p1\",\"model_id\":\"m1\",\"turns\":[\"a\"]},"
    R2 "]", long_id);
  {
    g_autofree char *turns = repeat ("\"q\",", KA_PACK_MAX_TURNS);

    many_turns = g_strdup_printf ("[{\"prompt_id\":\"p1\",\"turns\":[%s\"q\"]}]", turns);
  }
  {
    g_autofree char *open = repeat ("[", 40);
    g_autofree char *close = repeat ("]", 40);

    nested_licence = g_strdup_printf ("\"licence\":%s%s,", open, close);
  }

  /* At least 25 kinds of damage, as the brief asks. */
  g_assert_cmpuint (G_N_ELEMENTS (cases), >=, 25);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const BadCase *c = &cases[i];
      g_autofree char *text = NULL;
      Parts parts = c->parts;

      if (g_str_equal (c->name, "too-many-turns"))
        parts.prompts = many_turns;
      else if (g_str_equal (c->name, "oversized-text"))
        parts.responses = big_text_responses;
      else if (g_str_equal (c->name, "oversized-id"))
        parts.responses = big_id_responses;
      else if (g_str_equal (c->name, "nesting-in-field"))
        parts.extra = nested_licence;

      text = c->raw != NULL ? g_strdup (c->raw) : make_pack (&parts);
      check_refused (c->name, text, strlen (text), c->code, c->expect);
    }
}

/* The valid base of the table loads, so every refusal above is due to its one change. */
static void
test_valid_minimal (void)
{
  Parts open_parts = { 0 };
  Parts sealed_parts = { .models = "", .responses = SEALED_RESPONSES };
  g_autofree char *open_text = make_pack (&open_parts);
  g_autofree char *sealed_text = make_pack (&sealed_parts);
  g_autoptr(GError) error = NULL;
  g_autoptr(KaPack) open_pack = load_text (open_text, -1, &error);
  g_autoptr(KaPack) sealed_pack = NULL;
  g_autoptr(GPtrArray) answers = NULL;
  g_autoptr(GPtrArray) answers_again = NULL;
  g_autofree char *hash = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (open_pack);
  g_assert_cmpstr (ka_pack_get_id (open_pack), ==, "t");
  g_assert_cmpstr (ka_pack_get_licence (open_pack), ==, "L");
  g_assert_cmpstr (ka_pack_lookup_model (open_pack, "m1")->organisation, ==, "O1");
  g_assert_null (ka_pack_lookup_model (open_pack, "m2")->organisation);
  g_assert_null (ka_pack_lookup_prompt (open_pack, "p2")->category);
  g_assert_cmpstr (ka_pack_lookup_response (open_pack, "r4")->turns[1], ==, "");
  g_assert_null (ka_pack_lookup_response (open_pack, "nope"));
  g_assert_null (ka_pack_get_prompt_responses (open_pack, "nope"));

  /* Titles: exact tag, primary language, then English. */
  g_assert_cmpstr (ka_pack_get_title (open_pack, "ko-KR"), ==, "시험");
  g_assert_cmpstr (ka_pack_get_title (open_pack, "ko_KR.UTF-8"), ==, "시험");
  g_assert_cmpstr (ka_pack_get_title (open_pack, "fr"), ==, "Test");
  g_assert_cmpstr (ka_pack_get_title (open_pack, NULL), ==, "Test");

  /* The per-prompt list is a copy: changing it leaves the pack alone. */
  answers = ka_pack_get_prompt_responses (open_pack, "p1");
  g_assert_cmpuint (answers->len, ==, 2);
  g_ptr_array_set_size (answers, 0);
  answers_again = ka_pack_get_prompt_responses (open_pack, "p1");
  g_assert_cmpuint (answers_again->len, ==, 2);

  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, open_text, -1);
  g_assert_cmpstr (ka_pack_get_content_hash (open_pack), ==, hash);

  sealed_pack = load_text (sealed_text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (ka_pack_is_sealed (sealed_pack));
  g_assert_cmpuint (ka_pack_get_n_models (sealed_pack), ==, 0);
  g_assert_null (ka_pack_lookup_model (sealed_pack, "m1"));
  g_assert_finalize_object (g_steal_pointer (&sealed_pack));
}

static void
test_deep_nesting (void)
{
  const guint depth = 100000;
  GString *s = g_string_sized_new (2 * depth + 16);
  g_autoptr(GError) error = NULL;
  g_autoptr(KaPack) pack = NULL;

  for (guint i = 0; i < depth; i++)
    g_string_append (s, "{\"a\":");
  /* Truncated too; it must be refused at depth 33 without recursing 100,000 times. */
  pack = load_text (s->str, (gssize) s->len, &error);
  g_assert_null (pack);
  g_assert_error (error, KA_PACK_ERROR, KA_PACK_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "nesting deeper than 32 levels"));
  g_string_free (s, TRUE);

  g_clear_error (&error);
  s = g_string_new (NULL);
  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, ']');
  pack = load_text (s->str, (gssize) s->len, &error);
  g_assert_null (pack);
  g_assert_error (error, KA_PACK_ERROR, KA_PACK_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "byte offset 32"));
  g_string_free (s, TRUE);
}

static void
test_oversized_document (void)
{
  gsize len = (gsize) KA_PACK_MAX_BYTES + 1;
  char *data = g_malloc (len);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  memset (data, ' ', len);
  data[0] = '{';
  data[len - 1] = '}';
  bytes = g_bytes_new_take (data, len);
  g_assert_null (ka_pack_new_from_bytes (bytes, &error));
  g_assert_error (error, KA_PACK_ERROR, KA_PACK_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "more than the limit of 67108864"));
}

static void
test_from_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ka-pack-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *text = NULL;
  Parts parts = { 0 };
  g_autoptr(KaPack) pack = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "pack.json", NULL);
  bad = g_build_filename (dir, "missing.json", NULL);
  text = make_pack (&parts);
  g_assert_true (g_file_set_contents (path, text, -1, &error));

  pack = ka_pack_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ka_pack_get_n_responses (pack), ==, 4);

  g_assert_null (ka_pack_new_from_file (bad, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, "{\"format\":1}", -1, &error));
  g_assert_null (ka_pack_new_from_file (path, &error));
  g_assert_error (error, KA_PACK_ERROR, KA_PACK_ERROR_FORMAT);
  g_assert_true (g_str_has_prefix (error->message, path));

  g_unlink (path);
  g_rmdir (dir);
}

/* ------------------------------------------------------------------------------------------ */
/* The command line, when the executable is built. */

static int
run_admin (const char * const *args,
           char              **out,
           char              **err)
{
  const char *admin = g_getenv ("KA_ADMIN");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, (gpointer) admin);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
test_cli (void)
{
  const char *admin = g_getenv ("KA_ADMIN");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *source = test_data_path ("mt_bench");
  g_autofree char *output = NULL;
  g_autofree char *sealed_output = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *broken = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(KaPack) pack = NULL;

  if (admin == NULL || !g_file_test (admin, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("kai-arena-admin is not built (KA_ADMIN unset)");
      return;
    }

  dir = g_dir_make_tmp ("ka-pack-cli-XXXXXX", &error);
  g_assert_no_error (error);
  output = g_build_filename (dir, "mt.json", NULL);
  sealed_output = g_build_filename (dir, "mt-sealed.json", NULL);
  secret = g_build_filename (dir, "secret", NULL);
  broken = g_build_filename (dir, "broken.json", NULL);

  {
    const char * const args[] = { "pack", "build", "--from", "mt-bench", "--source", source,
                                  "--models", "claude-v1,gpt-4,alpaca-13b", "--prompts", "40",
                                  "--pack-id", "cli-test", "-o", output, NULL };

    g_assert_cmpint (run_admin (args, &out, &err), ==, 0);
    /* Claude's self-descriptions in MT-bench are reported, with prompt, model and term. */
    g_assert_nonnull (strstr (err, "flagged: prompt 91, model claude-v1"));
    g_assert_nonnull (strstr (err, "\"Anthropic\""));
    g_assert_nonnull (strstr (err, "identity guard: "));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  pack = ka_pack_new_from_file (output, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ka_pack_get_id (pack), ==, "cli-test");
  g_assert_cmpuint (ka_pack_get_n_prompts (pack), ==, 40);
  g_assert_cmpuint (ka_pack_get_n_models (pack), ==, 3);

  {
    const char * const args[] = { "pack", "verify", output, NULL };

    g_assert_cmpint (run_admin (args, &out, &err), ==, 0);
    g_assert_nonnull (strstr (out, "valid kai-arena-pack/1 pack"));
    g_assert_nonnull (strstr (out, "prompts:        40"));
    g_assert_nonnull (strstr (out, ka_pack_get_content_hash (pack)));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* Sealed: needs a secret (usage error without), then verifies as sealed. */
  {
    const char * const args[] = { "pack", "build", "--from", "mt-bench", "--source", source,
                                  "--prompts", "2", "--sealed", "-o", sealed_output, NULL };

    g_assert_cmpint (run_admin (args, &out, &err), ==, 2);
    g_assert_nonnull (strstr (err, "--secret-file"));
    g_assert_false (g_file_test (sealed_output, G_FILE_TEST_EXISTS));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  g_assert_true (g_file_set_contents (secret, "a secret of more than sixteen bytes", -1,
                                      &error));
  {
    const char * const args[] = { "pack", "build", "--from", "mt-bench", "--source", source,
                                  "--prompts", "2", "--sealed", "--secret-file", secret,
                                  "-o", sealed_output, NULL };
    const char * const verify[] = { "pack", "verify", sealed_output, NULL };

    g_assert_cmpint (run_admin (args, &out, &err), ==, 0);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_admin (verify, &out, &err), ==, 0);
    g_assert_nonnull (strstr (out, "sealed:         yes"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* A broken pack: exit 1, the reason on stderr. */
  g_assert_true (g_file_set_contents (broken, "{\"format\":\"kai-arena-pack/1\",\"pack_id\":\"x\","
                                      "\"title\":{\"ko\":\"k\",\"en\":7}}", -1, &error));
  {
    const char * const args[] = { "pack", "verify", broken, NULL };

    g_assert_cmpint (run_admin (args, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "title.en: expected a string, got number"));
    g_assert_cmpstr (out, ==, "");
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* Usage errors: exit 2. */
  {
    const char * const no_file[] = { "pack", "verify", NULL };
    const char * const bad_from[] = { "pack", "build", "--from", "alpaca", "--source", source,
                                      "-o", output, NULL };
    const char * const no_output[] = { "pack", "build", "--from", "mt-bench", "--source",
                                       source, NULL };
    const char * const bad_sub[] = { "pack", "seal", NULL };
    /* 0 prompts is a mistake, not "all prompts" (which is leaving --prompts out). */
    const char * const zero_prompts[] = { "pack", "build", "--from", "mt-bench", "--source",
                                          source, "--prompts", "0", "-o", output, NULL };
    const char * const negative_prompts[] = { "pack", "build", "--from", "mt-bench",
                                              "--source", source, "--prompts", "-3", "-o",
                                              output, NULL };
    const char * const *all[] = { no_file, bad_from, no_output, bad_sub, zero_prompts,
                                  negative_prompts };

    for (guint i = 0; i < G_N_ELEMENTS (all); i++)
      {
        g_assert_cmpint (run_admin (all[i], &out, &err), ==, 2);
        g_assert_cmpstr (err, !=, "");
        g_clear_pointer (&out, g_free);
        g_clear_pointer (&err, g_free);
      }
  }

  /* An unknown model: exit 1, naming it. */
  {
    const char * const args[] = { "pack", "build", "--from", "mt-bench", "--source", source,
                                  "--models", "gpt-4,gpt-5", "-o", output, NULL };

    g_assert_cmpint (run_admin (args, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "no model \"gpt-5\""));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* One chosen model: the source has 31, so the message must not say it has 1. */
  {
    const char * const args[] = { "pack", "build", "--from", "mt-bench", "--source", source,
                                  "--models", "gpt-4", "-o", output, NULL };

    g_assert_cmpint (run_admin (args, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "at least two models"));
    g_assert_nonnull (strstr (err, "1 of the 31 models"));
    g_assert_null (strstr (err, "has 1"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* Not a regular file: a clear reason, not the read(2) error ("Bad address"). */
  {
    const char * const devices[] = { "/dev/zero", dir };

    for (guint i = 0; i < G_N_ELEMENTS (devices); i++)
      {
        const char * const args[] = { "pack", "verify", devices[i], NULL };

        if (!g_file_test (devices[i], G_FILE_TEST_EXISTS))
          continue;
        g_assert_cmpint (run_admin (args, &out, &err), ==, 1);
        g_assert_nonnull (strstr (err, "not a regular file"));
        g_assert_null (strstr (err, "Bad address"));
        g_assert_cmpstr (out, ==, "");
        g_clear_pointer (&out, g_free);
        g_clear_pointer (&err, g_free);
      }
  }

  g_unlink (output);
  g_unlink (sealed_output);
  g_unlink (secret);
  g_unlink (broken);
  g_rmdir (dir);
}

/* Issue 11: a raw NUL is named as such (it is valid UTF-8, but never valid JSON text), not
 * as invalid UTF-8; an empty input is refused plainly (and without undefined behaviour:
 * an empty GBytes may hold a NULL pointer). */
static void
test_nul (void)
{
  static const char with_nul[] = "{\"format\":\"kai-arena-pack/1\",\0\"pack_id\":\"x\"}";
  g_autoptr(GBytes) nul = g_bytes_new_static (with_nul, sizeof with_nul - 1);
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) bad_utf8 = g_bytes_new_static ("{\"a\":\"\xff\"}", 9);
  g_autoptr(GError) error = NULL;

  g_assert_null (ka_pack_new_from_bytes (nul, &error));
  g_assert_error (error, KA_PACK_ERROR, KA_PACK_ERROR_SYNTAX);
  g_assert_nonnull (strstr (error->message, "NUL byte at byte offset 29"));
  g_assert_null (strstr (error->message, "UTF-8"));
  g_clear_error (&error);

  g_assert_null (ka_pack_new_from_bytes (empty, &error));
  g_assert_error (error, KA_PACK_ERROR, KA_PACK_ERROR_SYNTAX);
  g_assert_cmpstr (error->message, ==, "the pack file is empty");
  g_clear_error (&error);

  /* Invalid UTF-8 is still called that. */
  g_assert_null (ka_pack_new_from_bytes (bad_utf8, &error));
  g_assert_error (error, KA_PACK_ERROR, KA_PACK_ERROR_SYNTAX);
  g_assert_nonnull (strstr (error->message, "invalid UTF-8 at byte offset 6"));
}

/* `pack build` refuses a model the identity guard has no names for, says which, and takes
 * it when told to (issue 10); through the real kai-arena-admin. */
static void
test_cli_unknown_model (void)
{
  const char *admin = g_getenv ("KA_ADMIN");
  g_autoptr(GError) error = NULL;
  g_autofree char *source = test_data_path ("ko_arena_hard");
  g_autofree char *dir = NULL;
  g_autofree char *answers = NULL;
  g_autofree char *output = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *copied[] = { "gpt-4o-2024-11-20", "claude-3.5-sonnet", NULL };
  g_autoptr(KaPack) pack = NULL;

  if (admin == NULL || !g_file_test (admin, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("kai-arena-admin is not built (KA_ADMIN unset)");
      return;
    }

  /* A copy of ko-arena-hard where Claude's answers come from "acme-chat-7b". */
  dir = g_dir_make_tmp ("test-pack-unknown-XXXXXX", &error);
  g_assert_no_error (error);
  answers = g_build_filename (dir, "model_answer", NULL);
  g_assert_cmpint (g_mkdir (answers, 0700), ==, 0);
  {
    g_autofree char *from = g_build_filename (source, "question.jsonl", NULL);
    g_autofree char *to = g_build_filename (dir, "question.jsonl", NULL);
    g_autofree char *contents = NULL;
    gsize len;

    g_file_get_contents (from, &contents, &len, &error);
    g_assert_no_error (error);
    g_file_set_contents (to, contents, (gssize) len, &error);
    g_assert_no_error (error);
  }
  for (guint i = 0; copied[i] != NULL; i++)
    {
      g_autofree char *name = g_strconcat (copied[i], ".jsonl", NULL);
      g_autofree char *from = g_build_filename (source, "model_answer", name, NULL);
      g_autofree char *contents = NULL;
      g_autofree char *to = NULL;
      g_auto(GStrv) parts = NULL;
      g_autofree char *renamed = NULL;

      g_file_get_contents (from, &contents, NULL, &error);
      g_assert_no_error (error);
      if (i == 1)
        {
          parts = g_strsplit (contents, copied[i], -1);
          renamed = g_strjoinv ("acme-chat-7b", parts);
          to = g_build_filename (answers, "acme-chat-7b.jsonl", NULL);
        }
      else
        to = g_build_filename (answers, name, NULL);
      g_file_set_contents (to, renamed != NULL ? renamed : contents, -1, &error);
      g_assert_no_error (error);
    }
  output = g_build_filename (dir, "pack.json", NULL);

  {
    const char * const args[] = { "pack", "build", "--from", "ko-arena-hard", "--source", dir,
                                  "--prompts", "3", "-o", output, NULL };

    g_assert_cmpint (run_admin (args, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "acme-chat-7b"));
    g_assert_null (strstr (err, "gpt-4o"));
    g_assert_nonnull (strstr (err, "--accept-unknown-model"));
    g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    /* Accepting another model is not enough. */
    const char * const args[] = { "pack", "build", "--from", "ko-arena-hard", "--source", dir,
                                  "--prompts", "3", "--accept-unknown-model", "gpt-4o-2024-11-20",
                                  "-o", output, NULL };

    g_assert_cmpint (run_admin (args, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "acme-chat-7b"));
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    const char * const args[] = { "pack", "build", "--from", "ko-arena-hard", "--source", dir,
                                  "--prompts", "3", "--accept-unknown-model", "ACME-chat-7b",
                                  "-o", output, NULL };

    g_assert_cmpint (run_admin (args, &out, &err), ==, 0);
  }
  pack = ka_pack_new_from_file (output, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ka_pack_lookup_model (pack, "acme-chat-7b"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    /* `pack verify` warns that the guard is weaker for it. */
    const char * const args[] = { "pack", "verify", output, NULL };

    g_assert_cmpint (run_admin (args, &out, &err), ==, 0);
    g_assert_nonnull (strstr (err, "warning: the identity guard knows no names for the family "
                                   "of acme-chat-7b"));
  }

  {
    const char *names[] = { "pack.json", "question.jsonl", "model_answer/gpt-4o-2024-11-20.jsonl",
                            "model_answer/acme-chat-7b.jsonl", "model_answer", NULL };

    for (guint i = 0; names[i] != NULL; i++)
      {
        g_autofree char *path = g_build_filename (dir, names[i], NULL);

        g_assert_cmpint (g_remove (path), ==, 0);
      }
    g_assert_cmpint (g_rmdir (dir), ==, 0);
  }
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ka/pack/valid-minimal", test_valid_minimal);
  g_test_add_func ("/ka/pack/malformed", test_malformed);
  g_test_add_func ("/ka/pack/deep-nesting", test_deep_nesting);
  g_test_add_func ("/ka/pack/oversized-document", test_oversized_document);
  g_test_add_func ("/ka/pack/from-file", test_from_file);
  g_test_add_func ("/ka/pack/real/ko-arena-hard", test_real_ko_arena_hard);
  g_test_add_func ("/ka/pack/real/mt-bench", test_real_mt_bench);
  g_test_add_func ("/ka/pack/real/logickor", test_real_logickor);
  g_test_add_func ("/ka/pack/sample", test_sample_pack);
  g_test_add_func ("/ka/pack/to-json", test_to_json);
  g_test_add_func ("/ka/pack/sealed-build", test_sealed_build);
  g_test_add_func ("/ka/pack/build-errors", test_build_errors);
  g_test_add_func ("/ka/pack/build-limits", test_build_limits);
  g_test_add_func ("/ka/pack/build-estimate-progress", test_build_estimate_progress);
  g_test_add_func ("/ka/pack/cli", test_cli);
  g_test_add_func ("/ka/pack/nul", test_nul);
  g_test_add_func ("/ka/pack/cli/unknown-model", test_cli_unknown_model);

  return g_test_run ();
}
