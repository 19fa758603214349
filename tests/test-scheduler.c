/* test-scheduler.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-scheduler"

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "ka-identity.h"
#include "ka-pack.h"
#include "ka-scheduler.h"
#include "ka-store.h"

#define N_BALANCE_BATTLES 10000
#define BALANCE_TOLERANCE 0.05     /* per-pair and per-side counts within 5 % of uniform */
#define LEAK_TERM         "Zorblax"

/* ---- Packs ------------------------------------------------------------------------ */

typedef enum
{
  RESPONSE_ABSENT,
  RESPONSE_CLEAN,
  RESPONSE_LEAK,      /* mentions the pack's identity term: must never be scheduled */
} ResponseKind;

typedef ResponseKind (*KindFunc) (guint prompt,
                                  guint model);

static const char * const display_names[] = {
  "Contestant Alpha", "Contestant Bravo", "Contestant Charlie", "Contestant Delta",
  "Contestant Echo", "Contestant Foxtrot", "Contestant Golf", "Contestant Hotel",
};

static KaPack *
pack_from_builder (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  KaPack *pack;
  char *json;
  gsize length;

  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, &length);
  bytes = g_bytes_new_take (json, length);
  pack = ka_pack_new_from_bytes (bytes, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pack);

  return pack;
}

static void
begin_pack (JsonBuilder *builder,
            const char  *pack_id)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, KA_PACK_FORMAT);
  json_builder_set_member_name (builder, "pack_id");
  json_builder_add_string_value (builder, pack_id);
  json_builder_set_member_name (builder, "title");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ko");
  json_builder_add_string_value (builder, "스케줄러 시험 묶음");
  json_builder_set_member_name (builder, "en");
  json_builder_add_string_value (builder, "Scheduler test pack");
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "language");
  json_builder_add_string_value (builder, "ko");
  json_builder_set_member_name (builder, "created_at");
  json_builder_add_string_value (builder, "2026-11-29T00:00:00Z");
  json_builder_set_member_name (builder, "licence");
  json_builder_add_string_value (builder, "Apache-2.0");
  json_builder_set_member_name (builder, "identity_terms");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, LEAK_TERM);
  json_builder_end_array (builder);
}

static void
add_model (JsonBuilder *builder,
           const char  *model_id,
           const char  *display_name)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model_id");
  json_builder_add_string_value (builder, model_id);
  json_builder_set_member_name (builder, "display_name");
  json_builder_add_string_value (builder, display_name);
  json_builder_end_object (builder);
}

static void
add_text_array (JsonBuilder *builder,
                const char  *member,
                GPtrArray   *texts)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; i < texts->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (texts, i));
  json_builder_end_array (builder);
}

static void
add_prompt (JsonBuilder *builder,
            const char  *prompt_id,
            const char  *category,
            GPtrArray   *turns)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "prompt_id");
  json_builder_add_string_value (builder, prompt_id);
  if (category != NULL)
    {
      json_builder_set_member_name (builder, "category");
      json_builder_add_string_value (builder, category);
    }
  add_text_array (builder, "turns", turns);
  json_builder_end_object (builder);
}

static void
add_response (JsonBuilder *builder,
              const char  *response_id,
              const char  *prompt_id,
              const char  *model_id,
              GPtrArray   *turns)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "response_id");
  json_builder_add_string_value (builder, response_id);
  json_builder_set_member_name (builder, "prompt_id");
  json_builder_add_string_value (builder, prompt_id);
  json_builder_set_member_name (builder, "model_id");
  json_builder_add_string_value (builder, model_id);
  add_text_array (builder, "turns", turns);
  json_builder_end_object (builder);
}

static char *
model_id_for (guint m)
{
  return g_strdup_printf ("m%u", m + 1);
}

/* A synthetic open pack: @n_models × @n_prompts, each response present, clean or leaking
 * as @kind says. Response IDs are "r<prompt>-<model>". */
static KaPack *
build_synthetic (const char *pack_id,
                 guint       n_models,
                 guint       n_prompts,
                 KindFunc    kind)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_assert_cmpuint (n_models, <=, G_N_ELEMENTS (display_names));

  begin_pack (builder, pack_id);

  json_builder_set_member_name (builder, "models");
  json_builder_begin_array (builder);
  for (guint m = 0; m < n_models; m++)
    {
      g_autofree char *id = model_id_for (m);

      add_model (builder, id, display_names[m]);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "prompts");
  json_builder_begin_array (builder);
  for (guint p = 0; p < n_prompts; p++)
    {
      g_autoptr(GPtrArray) turns = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *id = g_strdup_printf ("p%u", p);

      g_ptr_array_add (turns, g_strdup_printf ("질문 %u: 한국의 사계절을 설명해 주세요.", p));
      add_prompt (builder, id, "general", turns);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "responses");
  json_builder_begin_array (builder);
  for (guint p = 0; p < n_prompts; p++)
    for (guint m = 0; m < n_models; m++)
      {
        g_autoptr(GPtrArray) turns = g_ptr_array_new_with_free_func (g_free);
        g_autofree char *rid = g_strdup_printf ("r%u-%u", p, m);
        g_autofree char *pid = g_strdup_printf ("p%u", p);
        g_autofree char *mid = model_id_for (m);
        ResponseKind k = kind (p, m);

        if (k == RESPONSE_ABSENT)
          continue;

        if (k == RESPONSE_LEAK)
          g_ptr_array_add (turns, g_strdup_printf ("저는 " LEAK_TERM "입니다. 답 %u.", p));
        else
          g_ptr_array_add (turns, g_strdup_printf ("답 %u: 봄, 여름, 가을, 겨울이 있습니다.", p));
        add_response (builder, rid, pid, mid, turns);
      }
  json_builder_end_array (builder);

  json_builder_end_object (builder);

  return pack_from_builder (builder);
}

static ResponseKind
kind_all_clean (guint prompt,
                guint model)
{
  return RESPONSE_CLEAN;
}

/* 6 models, 30 prompts:
 * - m1 leaks on prompts 0-9;
 * - m6 answers only prompts 0-9, so the pair (m1, m6) shares no clean prompt;
 * - on prompts 20-21 every model but m2 leaks: one clean response, not schedulable. */
static ResponseKind
kind_with_leaks (guint prompt,
                 guint model)
{
  if (model == 5 && prompt >= 10)
    return RESPONSE_ABSENT;
  if (model == 0 && prompt < 10)
    return RESPONSE_LEAK;
  if ((prompt == 20 || prompt == 21) && model != 1)
    return RESPONSE_LEAK;
  return RESPONSE_CLEAN;
}

/* Every prompt has exactly one clean response. */
static ResponseKind
kind_one_clean (guint prompt,
                guint model)
{
  return model == prompt % 3 ? RESPONSE_CLEAN : RESPONSE_LEAK;
}

static char *
find_ko_arena_hard (void)
{
  const char *dirs[] = { g_getenv ("G_TEST_SRCDIR"), g_getenv ("KA_SOURCE_ROOT") };
  const char *shared = g_getenv ("KA_SHARED_DATA");

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = NULL;

      if (dirs[i] == NULL)
        continue;
      path = i == 0 ? g_build_filename (dirs[i], "data", "ko_arena_hard", NULL)
                    : g_build_filename (dirs[i], "tests", "data", "ko_arena_hard", NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        return g_steal_pointer (&path);
    }

  if (shared != NULL)
    {
      g_autofree char *path = g_build_filename (shared, "ko_arena_hard", NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        return g_steal_pointer (&path);
    }

  return NULL;
}

static JsonObject *
parse_line (JsonParser *parser,
            const char *line)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_node_get_object (json_parser_get_root (parser));
}

static GPtrArray *
turn_contents (JsonArray *turns)
{
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);

  for (guint t = 0; t < json_array_get_length (turns); t++)
    g_ptr_array_add (texts, g_strdup (json_object_get_string_member (
                       json_array_get_object_element (turns, t), "content")));

  return texts;
}

/* The real Korean sample: ko-arena-hard prompts and six models' answers (see
 * ../shared/data/README.md), turned into an open pack here. NULL if absent. */
static KaPack *
build_ko_arena_hard (void)
{
  g_autofree char *dir = find_ko_arena_hard ();
  g_autofree char *answers_dir = NULL;
  g_autofree char *questions_path = NULL;
  g_autofree char *questions = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GDir) answers = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GHashTable) n_turns = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  const char *name;

  if (dir == NULL)
    return NULL;

  builder = json_builder_new ();
  parser = json_parser_new ();
  n_turns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  begin_pack (builder, "ko-arena-hard-test");

  answers_dir = g_build_filename (dir, "model_answer", NULL);
  answers = g_dir_open (answers_dir, 0, &error);
  g_assert_no_error (error);
  files = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (answers)) != NULL)
    if (g_str_has_suffix (name, ".jsonl"))
      g_ptr_array_add (files, g_strdup (name));
  g_ptr_array_sort (files, (GCompareFunc) g_strcmp0);
  g_assert_cmpuint (files->len, >=, 2);

  json_builder_set_member_name (builder, "models");
  json_builder_begin_array (builder);
  for (guint f = 0; f < files->len; f++)
    {
      const char *file = g_ptr_array_index (files, f);
      g_autofree char *id = g_strndup (file, strlen (file) - strlen (".jsonl"));

      add_model (builder, id, id);
    }
  json_builder_end_array (builder);

  questions_path = g_build_filename (dir, "question.jsonl", NULL);
  g_file_get_contents (questions_path, &questions, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (questions, "\n", -1);
  json_builder_set_member_name (builder, "prompts");
  json_builder_begin_array (builder);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) turns = NULL;
      JsonObject *q;

      if (*g_strstrip (lines[i]) == '\0')
        continue;
      q = parse_line (parser, lines[i]);
      turns = turn_contents (json_object_get_array_member (q, "turns"));
      g_hash_table_insert (n_turns, g_strdup (json_object_get_string_member (q, "question_id")),
                           GUINT_TO_POINTER (turns->len));
      add_prompt (builder, json_object_get_string_member (q, "question_id"),
                  json_object_get_string_member_with_default (q, "cluster", NULL), turns);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "responses");
  json_builder_begin_array (builder);
  for (guint f = 0; f < files->len; f++)
    {
      g_autofree char *path = g_build_filename (answers_dir, g_ptr_array_index (files, f), NULL);
      const char *file = g_ptr_array_index (files, f);
      g_autofree char *model_id = g_strndup (file, strlen (file) - strlen (".jsonl"));
      g_autofree char *contents = NULL;
      g_auto(GStrv) answer_lines = NULL;

      g_file_get_contents (path, &contents, NULL, &error);
      g_assert_no_error (error);
      answer_lines = g_strsplit (contents, "\n", -1);
      for (guint i = 0; answer_lines[i] != NULL; i++)
        {
          g_autoptr(GPtrArray) turns = NULL;
          g_autofree char *response_id = NULL;
          const char *question_id;
          JsonObject *a;
          JsonObject *choice;

          if (*g_strstrip (answer_lines[i]) == '\0')
            continue;
          a = parse_line (parser, answer_lines[i]);
          question_id = json_object_get_string_member (a, "question_id");
          choice = json_array_get_object_element (json_object_get_array_member (a, "choices"), 0);
          turns = turn_contents (json_object_get_array_member (choice, "turns"));
          if (GPOINTER_TO_UINT (g_hash_table_lookup (n_turns, question_id)) != turns->len)
            continue;
          response_id = g_strdup_printf ("%s/%s", model_id, question_id);
          add_response (builder, response_id, question_id, model_id, turns);
        }
    }
  json_builder_end_array (builder);

  json_builder_end_object (builder);

  return pack_from_builder (builder);
}

/* ---- Checks ----------------------------------------------------------------------- */

typedef struct
{
  double max_pair_dev;
  double max_side_dev;
  guint  max_orientation_gap;
  guint  n_sessions;
  double seconds;
} Balance;

static const KaPackResponse *
lookup_response (KaPack     *pack,
                 const char *response_id)
{
  const KaPackResponse *response = ka_pack_lookup_response (pack, response_id);

  g_assert_nonnull (response);
  return response;
}

/* Runs @n battles (resetting the session when exhausted) and checks each one against the
 * pack and an independent guard; measures pair and side balance from the test's own
 * tallies and checks that the scheduler's counts agree. */
static Balance
run_battles (KaPack      *pack,
             KaScheduler *scheduler,
             guint        n)
{
  g_autoptr(KaIdentityGuard) guard = ka_identity_guard_new_for_pack (pack);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) ordered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GTimer) timer = g_timer_new ();
  guint n_models = ka_pack_get_n_models (pack);
  g_autofree guint *left = g_new0 (guint, n_models);
  g_autofree guint *right = g_new0 (guint, n_models);
  g_autofree KaBattle **battles = g_new0 (KaBattle *, n);
  g_autofree gboolean *new_session = g_new0 (gboolean, n);
  Balance balance = { 0, 0, 0, 1, 0 };
  double expected;
  guint n_pairs;

  g_assert_false (ka_pack_is_sealed (pack));

  /* Time the scheduler alone; everything is checked afterwards. */
  g_timer_start (timer);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;

      battles[i] = ka_scheduler_next (scheduler, &error);
      if (battles[i] == NULL)
        {
          g_assert_error (error, KA_SCHEDULER_ERROR, KA_SCHEDULER_ERROR_EXHAUSTED);
          g_clear_error (&error);
          ka_scheduler_reset_session (scheduler);
          new_session[i] = TRUE;
          battles[i] = ka_scheduler_next (scheduler, &error);
          g_assert_no_error (error);
          g_assert_nonnull (battles[i]);
        }
    }
  balance.seconds = g_timer_elapsed (timer, NULL);

  for (guint i = 0; i < n; i++)
    {
      KaBattle *battle = battles[i];
      const KaPackPrompt *prompt = ka_battle_get_prompt (battle);
      const KaPackResponse *ra = ka_battle_get_response_a (battle);
      const KaPackResponse *rb = ka_battle_get_response_b (battle);
      const KaPackModel *ma = ka_battle_get_model_a (battle);
      const KaPackModel *mb = ka_battle_get_model_b (battle);
      g_autofree char *key = NULL;
      guint a = G_MAXUINT, b = G_MAXUINT;
      guint count;

      if (new_session[i])
        {
          g_hash_table_remove_all (seen);
          balance.n_sessions++;
        }

      /* Both responses answer the prompt, are distinct, from two different models,
       * and the guard flags neither. */
      g_assert_true (ka_battle_get_pack (battle) == pack);
      g_assert_true (lookup_response (pack, ra->response_id) == ra);
      g_assert_true (lookup_response (pack, rb->response_id) == rb);
      g_assert_cmpstr (ra->prompt_id, ==, prompt->prompt_id);
      g_assert_cmpstr (rb->prompt_id, ==, prompt->prompt_id);
      g_assert_cmpstr (ra->model_id, !=, rb->model_id);
      g_assert_nonnull (ma);
      g_assert_nonnull (mb);
      g_assert_cmpstr (ma->model_id, ==, ra->model_id);
      g_assert_cmpstr (mb->model_id, ==, rb->model_id);
      g_assert_false (ka_identity_guard_check_response (guard, ra, NULL));
      g_assert_false (ka_identity_guard_check_response (guard, rb, NULL));

      /* No prompt twice in one session. */
      g_assert_false (g_hash_table_contains (seen, prompt->prompt_id));
      g_hash_table_add (seen, prompt->prompt_id);

      for (guint m = 0; m < n_models; m++)
        {
          if (g_str_equal (ka_pack_get_model (pack, m)->model_id, ra->model_id))
            a = m;
          if (g_str_equal (ka_pack_get_model (pack, m)->model_id, rb->model_id))
            b = m;
        }
      g_assert_cmpuint (a, <, n_models);
      g_assert_cmpuint (b, <, n_models);
      left[a]++;
      right[b]++;
      key = g_strdup_printf ("%u>%u", a, b);
      count = GPOINTER_TO_UINT (g_hash_table_lookup (ordered, key));
      g_hash_table_insert (ordered, g_steal_pointer (&key), GUINT_TO_POINTER (count + 1));
    }

  /* Pairs: the scheduler's counts agree with ours, and are near uniform. */
  n_pairs = ka_scheduler_get_n_pairs (scheduler);
  g_assert_cmpuint (n_pairs, >, 0);
  expected = (double) n / n_pairs;
  for (guint p = 0; p < n_pairs; p++)
    {
      const char *x, *y;
      guint xi = G_MAXUINT, yi = G_MAXUINT;
      guint x_left, y_left;
      g_autofree char *kxy = NULL;
      g_autofree char *kyx = NULL;

      ka_scheduler_get_pair (scheduler, p, &x, &y);
      for (guint m = 0; m < n_models; m++)
        {
          if (g_str_equal (ka_pack_get_model (pack, m)->model_id, x))
            xi = m;
          if (g_str_equal (ka_pack_get_model (pack, m)->model_id, y))
            yi = m;
        }
      kxy = g_strdup_printf ("%u>%u", xi, yi);
      kyx = g_strdup_printf ("%u>%u", yi, xi);
      x_left = GPOINTER_TO_UINT (g_hash_table_lookup (ordered, kxy));
      y_left = GPOINTER_TO_UINT (g_hash_table_lookup (ordered, kyx));

      g_assert_cmpuint (ka_scheduler_get_pair_count (scheduler, x, y), ==, x_left + y_left);
      g_assert_cmpuint (ka_scheduler_get_pair_count (scheduler, y, x), ==, x_left + y_left);
      g_assert_cmpuint (ka_scheduler_get_pair_side_count (scheduler, x, y), ==, x_left);
      g_assert_cmpuint (ka_scheduler_get_pair_side_count (scheduler, y, x), ==, y_left);

      balance.max_pair_dev = MAX (balance.max_pair_dev,
                                  fabs ((x_left + y_left) - expected) / expected);
      balance.max_orientation_gap = MAX (balance.max_orientation_gap,
                                         (guint) ABS ((gint) x_left - (gint) y_left));
    }

  /* Sides: each battle has one left and one right seat. */
  expected = (double) n / n_models;
  for (guint m = 0; m < n_models; m++)
    {
      const char *id = ka_pack_get_model (pack, m)->model_id;

      g_assert_cmpuint (ka_scheduler_get_side_count (scheduler, id, TRUE), ==, left[m]);
      g_assert_cmpuint (ka_scheduler_get_side_count (scheduler, id, FALSE), ==, right[m]);
      balance.max_side_dev = MAX (balance.max_side_dev, fabs (left[m] - expected) / expected);
      balance.max_side_dev = MAX (balance.max_side_dev, fabs (right[m] - expected) / expected);
    }

  for (guint i = 0; i < n; i++)
    g_object_unref (battles[i]);

  return balance;
}

static void
report_balance (const char    *what,
                const Balance *balance,
                guint          n)
{
  g_test_message ("%s: %u battles in %u sessions in %.3f s; max pair deviation %.3f %%, "
                  "max side deviation %.3f %%, max left/right gap within a pair %u",
                  what, n, balance->n_sessions, balance->seconds,
                  100 * balance->max_pair_dev, 100 * balance->max_side_dev,
                  balance->max_orientation_gap);
}

/* ---- Tests ------------------------------------------------------------------------ */

static void
test_balance_real (void)
{
  g_autoptr(KaPack) pack = build_ko_arena_hard ();
  g_autoptr(KaScheduler) scheduler = NULL;
  Balance balance;

  if (pack == NULL)
    {
      g_test_skip ("ko_arena_hard sample not found (tests/data/ko_arena_hard or "
                   "$KA_SHARED_DATA/ko_arena_hard)");
      return;
    }

  scheduler = ka_scheduler_new (pack, NULL, 20261129);
  g_test_message ("ko-arena-hard: %u models, %u prompts (%u schedulable), %u responses, "
                  "%u flagged by the guard, %u schedulable pairs",
                  ka_pack_get_n_models (pack), ka_pack_get_n_prompts (pack),
                  ka_scheduler_get_n_schedulable_prompts (scheduler),
                  ka_pack_get_n_responses (pack), ka_scheduler_get_n_flagged (scheduler),
                  ka_scheduler_get_n_pairs (scheduler));
  g_assert_cmpuint (ka_scheduler_get_n_pairs (scheduler), ==,
                    ka_pack_get_n_models (pack) * (ka_pack_get_n_models (pack) - 1) / 2);

  balance = run_battles (pack, scheduler, N_BALANCE_BATTLES);
  report_balance ("ko-arena-hard", &balance, N_BALANCE_BATTLES);

  g_assert_cmpfloat (balance.max_pair_dev, <=, BALANCE_TOLERANCE);
  g_assert_cmpfloat (balance.max_side_dev, <=, BALANCE_TOLERANCE);
  g_assert_cmpuint (balance.max_orientation_gap, <=, 1);
  g_assert_cmpuint (balance.n_sessions, >, 1);
}

static void
test_balance_synthetic (void)
{
  g_autoptr(KaPack) pack = build_synthetic ("synthetic-5x40", 5, 40, kind_all_clean);
  g_autoptr(KaScheduler) scheduler = ka_scheduler_new (pack, NULL, 7);
  Balance balance;

  g_assert_cmpuint (ka_scheduler_get_n_flagged (scheduler), ==, 0);
  g_assert_cmpuint (ka_scheduler_get_n_schedulable_prompts (scheduler), ==, 40);
  g_assert_cmpuint (ka_scheduler_get_n_pairs (scheduler), ==, 10);

  balance = run_battles (pack, scheduler, N_BALANCE_BATTLES);
  report_balance ("synthetic 5 models x 40 prompts", &balance, N_BALANCE_BATTLES);

  g_assert_cmpfloat (balance.max_pair_dev, <=, BALANCE_TOLERANCE);
  g_assert_cmpfloat (balance.max_side_dev, <=, BALANCE_TOLERANCE);
  g_assert_cmpuint (balance.max_orientation_gap, <=, 1);
  g_assert_cmpuint (balance.n_sessions, ==, N_BALANCE_BATTLES / 40);
}

static void
test_flagged (void)
{
  g_autoptr(KaPack) pack = build_synthetic ("synthetic-leaks", 6, 30, kind_with_leaks);
  g_autoptr(KaScheduler) scheduler = ka_scheduler_new (pack, NULL, 99);
  g_autoptr(GHashTable) scheduled = g_hash_table_new (g_str_hash, g_str_equal);
  Balance balance;

  /* m1 leaks 10 times; 5 models × 2 prompts leak on 20-21. */
  g_assert_cmpuint (ka_scheduler_get_n_flagged (scheduler), ==, 10 + 2 * 4);
  /* Prompts 20 and 21 keep one clean response only. */
  g_assert_cmpuint (ka_scheduler_get_n_schedulable_prompts (scheduler), ==, 28);
  /* 15 pairs minus (m1, m6), which share no clean prompt. */
  g_assert_cmpuint (ka_scheduler_get_n_pairs (scheduler), ==, 14);

  for (guint i = 0; i < 2000; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KaBattle) battle = ka_scheduler_next (scheduler, &error);
      const KaPackResponse *ra, *rb;

      if (battle == NULL)
        {
          g_assert_error (error, KA_SCHEDULER_ERROR, KA_SCHEDULER_ERROR_EXHAUSTED);
          ka_scheduler_reset_session (scheduler);
          continue;
        }

      ra = ka_battle_get_response_a (battle);
      rb = ka_battle_get_response_b (battle);
      g_assert_null (strstr (ra->turns[0], LEAK_TERM));
      g_assert_null (strstr (rb->turns[0], LEAK_TERM));
      g_assert_cmpstr (ka_battle_get_prompt (battle)->prompt_id, !=, "p20");
      g_assert_cmpstr (ka_battle_get_prompt (battle)->prompt_id, !=, "p21");
      g_hash_table_add (scheduled, (gpointer) ka_battle_get_prompt (battle)->prompt_id);
    }

  g_assert_cmpuint (g_hash_table_size (scheduled), ==, 28);
  g_assert_cmpuint (ka_scheduler_get_pair_count (scheduler, "m1", "m6"), ==, 0);
  g_assert_cmpuint (ka_scheduler_get_pair_count (scheduler, "m1", "m2"), >, 0);

  /* The full checks (independent guard, balance over the 14 schedulable pairs). Here
   * m6 sits in fewer pairs, so only pair balance and the orientation gap are asserted. */
  g_clear_object (&scheduler);
  scheduler = ka_scheduler_new (pack, NULL, 100);
  balance = run_battles (pack, scheduler, 3000);
  report_balance ("synthetic with leaks", &balance, 3000);
  g_assert_cmpfloat (balance.max_pair_dev, <=, BALANCE_TOLERANCE);
  g_assert_cmpuint (balance.max_orientation_gap, <=, 1);
}

static void
test_exhaustion (void)
{
  g_autoptr(KaPack) pack = build_synthetic ("synthetic-leaks", 6, 30, kind_with_leaks);
  g_autoptr(KaScheduler) scheduler = ka_scheduler_new (pack, NULL, 3);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autoptr(KaBattle) again = NULL;
  guint n = ka_scheduler_get_n_schedulable_prompts (scheduler);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(KaBattle) battle = ka_scheduler_next (scheduler, &error);

      g_assert_no_error (error);
      g_assert_nonnull (battle);
      g_assert_false (g_hash_table_contains (seen, ka_battle_get_prompt (battle)->prompt_id));
      g_hash_table_add (seen, (gpointer) ka_battle_get_prompt (battle)->prompt_id);
      g_assert_cmpuint (ka_scheduler_get_n_unseen_prompts (scheduler), ==, n - i - 1);
    }

  g_assert_null (ka_scheduler_next (scheduler, &error));
  g_assert_error (error, KA_SCHEDULER_ERROR, KA_SCHEDULER_ERROR_EXHAUSTED);
  g_clear_error (&error);

  /* Still exhausted, and nothing was counted for the refusals. */
  g_assert_null (ka_scheduler_next (scheduler, &error));
  g_assert_error (error, KA_SCHEDULER_ERROR, KA_SCHEDULER_ERROR_EXHAUSTED);
  g_clear_error (&error);

  ka_scheduler_reset_session (scheduler);
  again = ka_scheduler_next (scheduler, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
}

static void
test_no_battles (void)
{
  g_autoptr(KaPack) pack = build_synthetic ("synthetic-one-clean", 3, 6, kind_one_clean);
  g_autoptr(KaScheduler) scheduler = ka_scheduler_new (pack, NULL, 1);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (ka_scheduler_get_n_flagged (scheduler), ==, 12);
  g_assert_cmpuint (ka_scheduler_get_n_schedulable_prompts (scheduler), ==, 0);
  g_assert_cmpuint (ka_scheduler_get_n_pairs (scheduler), ==, 0);
  g_assert_null (ka_scheduler_next (scheduler, &error));
  g_assert_error (error, KA_SCHEDULER_ERROR, KA_SCHEDULER_ERROR_NO_BATTLES);
}

static GPtrArray *
sequence (KaPack  *pack,
          guint32  seed,
          guint    n)
{
  g_autoptr(KaScheduler) scheduler = ka_scheduler_new (pack, NULL, seed);
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);

  while (keys->len < n)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KaBattle) battle = ka_scheduler_next (scheduler, &error);

      if (battle == NULL)
        {
          g_assert_error (error, KA_SCHEDULER_ERROR, KA_SCHEDULER_ERROR_EXHAUSTED);
          ka_scheduler_reset_session (scheduler);
          continue;
        }
      g_ptr_array_add (keys, g_strdup_printf ("%s %s %s",
                                              ka_battle_get_prompt (battle)->prompt_id,
                                              ka_battle_get_response_a (battle)->response_id,
                                              ka_battle_get_response_b (battle)->response_id));
    }

  return keys;
}

static void
test_same_seed (void)
{
  g_autoptr(KaPack) pack = build_synthetic ("synthetic-leaks", 6, 30, kind_with_leaks);
  g_autoptr(GPtrArray) one = sequence (pack, 42, 500);
  g_autoptr(GPtrArray) two = sequence (pack, 42, 500);
  g_autoptr(GPtrArray) other = sequence (pack, 43, 500);
  guint differences = 0;

  for (guint i = 0; i < one->len; i++)
    {
      g_assert_cmpstr (g_ptr_array_index (one, i), ==, g_ptr_array_index (two, i));
      if (!g_str_equal (g_ptr_array_index (one, i), g_ptr_array_index (other, i)))
        differences++;
    }

  g_test_message ("seed 42 vs 43: %u of %u battles differ", differences, one->len);
  g_assert_cmpuint (differences, >, one->len / 2);
}

/* Sealed packs: no model IDs, so no balance; checks the documented fallback. */
static void
test_sealed (void)
{
  g_autoptr(KaPack) open = build_synthetic ("synthetic-leaks", 6, 30, kind_with_leaks);
  g_autoptr(JsonNode) node = ka_pack_to_json (open, TRUE);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(KaPack) pack = NULL;
  g_autoptr(KaScheduler) scheduler = NULL;
  g_autoptr(KaIdentityGuard) guard = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint first_left = 0, n = 0;
  char *json;
  gsize length;

  json_generator_set_root (generator, node);
  json = json_generator_to_data (generator, &length);
  bytes = g_bytes_new_take (json, length);
  pack = ka_pack_new_from_bytes (bytes, &error);
  g_assert_no_error (error);
  g_assert_true (ka_pack_is_sealed (pack));

  scheduler = ka_scheduler_new (pack, NULL, 5);
  guard = ka_identity_guard_new_for_pack (pack);
  g_assert_cmpuint (ka_scheduler_get_n_flagged (scheduler), ==, 18);
  g_assert_cmpuint (ka_scheduler_get_n_schedulable_prompts (scheduler), ==, 28);
  g_assert_cmpuint (ka_scheduler_get_n_pairs (scheduler), ==, 0);

  for (guint session = 0; session < 20; session++)
    {
      g_hash_table_remove_all (seen);
      for (;;)
        {
          g_autoptr(KaBattle) battle = ka_scheduler_next (scheduler, &error);
          const KaPackResponse *ra, *rb;

          if (battle == NULL)
            {
              g_assert_error (error, KA_SCHEDULER_ERROR, KA_SCHEDULER_ERROR_EXHAUSTED);
              g_clear_error (&error);
              break;
            }

          ra = ka_battle_get_response_a (battle);
          rb = ka_battle_get_response_b (battle);
          g_assert_true (ra != rb);
          g_assert_null (ra->model_id);
          g_assert_null (ka_battle_get_model_a (battle));
          g_assert_null (ka_battle_get_model_b (battle));
          g_assert_cmpstr (ra->prompt_id, ==, ka_battle_get_prompt (battle)->prompt_id);
          g_assert_cmpstr (rb->prompt_id, ==, ka_battle_get_prompt (battle)->prompt_id);
          g_assert_false (ka_identity_guard_check_response (guard, ra, NULL));
          g_assert_false (ka_identity_guard_check_response (guard, rb, NULL));
          g_assert_false (g_hash_table_contains (seen, ra->prompt_id));
          g_hash_table_add (seen, ra->prompt_id);

          /* Sides are random: the response listed first in the pack is on the left
           * about half the time. */
          if (g_strcmp0 (ra->response_id, rb->response_id) < 0)
            first_left++;
          n++;
        }
      g_assert_cmpuint (g_hash_table_size (seen), ==, 28);
      ka_scheduler_reset_session (scheduler);
    }

  g_test_message ("sealed: lower response ID on the left in %u of %u battles", first_left, n);
  g_assert_cmpuint (first_left, >, n * 40 / 100);
  g_assert_cmpuint (first_left, <, n * 60 / 100);
}

/* ---- History ---------------------------------------------------------------------- */

static char *
make_store_path (char **tmpdir)
{
  g_autoptr(GError) error = NULL;

  *tmpdir = g_dir_make_tmp ("test-scheduler-XXXXXX", &error);
  g_assert_no_error (error);

  return g_build_filename (*tmpdir, "arena.db", NULL);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* What the session does, without the session: record the battle, commit a ballot. */
static void
commit_battle (KaStore    *store,
               KaPack     *pack,
               const char *session_id,
               const char *prompt_id,
               const char *response_a,
               const char *response_b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaBallot) ballot = NULL;
  g_autofree char *battle_id = g_uuid_string_random ();
  g_autofree char *now = ka_timestamp_now ();
  KaBallotDraft draft = {
    .session_id = session_id,
    .pack_id = ka_pack_get_id (pack),
    .prompt_id = prompt_id,
    .response_a = response_a,
    .response_b = response_b,
    .winner = KA_WINNER_TIE,
    .shown_at = now,
    .voted_at = now,
    .decision_ms = 1000,
    .mode = KA_MODE_KIOSK,
    .ui_language = "ko",
    .identity_flag = FALSE,
  };

  g_assert_true (ka_store_record_battle (store, battle_id, session_id, ka_pack_get_id (pack),
                                         prompt_id, response_a, response_b, now, &error));
  g_assert_no_error (error);
  ballot = ka_store_commit_ballot (store, &draft, battle_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ballot);
}

static void
test_history (void)
{
  g_autoptr(KaPack) pack = build_synthetic ("synthetic-5x40", 5, 40, kind_all_clean);
  g_autoptr(KaPack) other = build_synthetic ("synthetic-other", 5, 40, kind_all_clean);
  g_autoptr(KaScheduler) first = ka_scheduler_new (pack, NULL, 11);
  g_autoptr(KaScheduler) second = NULL;
  g_autoptr(KaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *path = make_store_path (&tmpdir);
  g_autofree char *session_id = g_uuid_string_random ();
  guint n_first = 0;

  store = ka_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (ka_store_import_pack (store, pack, &error));
  g_assert_true (ka_store_import_pack (store, other, &error));

  /* 100 ballots from the first run of the app... */
  while (n_first < 100)
    {
      g_autoptr(KaBattle) battle = ka_scheduler_next (first, &error);

      if (battle == NULL)
        {
          g_assert_error (error, KA_SCHEDULER_ERROR, KA_SCHEDULER_ERROR_EXHAUSTED);
          g_clear_error (&error);
          ka_scheduler_reset_session (first);
          continue;
        }
      commit_battle (store, pack, session_id, ka_battle_get_prompt (battle)->prompt_id,
                     ka_battle_get_response_a (battle)->response_id,
                     ka_battle_get_response_b (battle)->response_id);
      n_first++;
    }

  /* ...and ballots of another pack, which must not count. */
  commit_battle (store, other, session_id, "p0", "r0-0", "r0-1");
  commit_battle (store, other, session_id, "p1", "r1-0", "r1-1");

  /* A restart: a new scheduler, another seed, the same store. */
  second = ka_scheduler_new (pack, NULL, 12);
  g_assert_true (ka_scheduler_load_history (second, store, &error));
  g_assert_no_error (error);
  for (guint x = 0; x < 5; x++)
    {
      g_autofree char *mx = model_id_for (x);

      g_assert_cmpuint (ka_scheduler_get_side_count (second, mx, TRUE), ==,
                        ka_scheduler_get_side_count (first, mx, TRUE));
      g_assert_cmpuint (ka_scheduler_get_side_count (second, mx, FALSE), ==,
                        ka_scheduler_get_side_count (first, mx, FALSE));
      for (guint y = 0; y < 5; y++)
        {
          g_autofree char *my = model_id_for (y);

          g_assert_cmpuint (ka_scheduler_get_pair_side_count (second, mx, my), ==,
                            ka_scheduler_get_pair_side_count (first, mx, my));
        }
    }

  /* Loading again replaces rather than adds. */
  g_assert_true (ka_scheduler_load_history (second, store, &error));
  g_assert_cmpuint (ka_scheduler_get_pair_count (second, "m1", "m2"), ==,
                    ka_scheduler_get_pair_count (first, "m1", "m2"));

  /* 100 ballots over 10 pairs: exactly 10 each, 5 per side within each pair. */
  for (guint p = 0; p < ka_scheduler_get_n_pairs (second); p++)
    {
      const char *x, *y;

      ka_scheduler_get_pair (second, p, &x, &y);
      g_assert_cmpuint (ka_scheduler_get_pair_count (second, x, y), ==, 10);
      g_assert_cmpuint (ka_scheduler_get_pair_side_count (second, x, y), ==, 5);
    }

  g_clear_object (&store);
  remove_tree (tmpdir);
}

/* A lopsided history (30 ballots of m1 left vs m2 right) steers the next battles: the
 * other nine pairs catch up first, and then m2 takes the left seat against m1. */
static void
test_history_skewed (void)
{
  g_autoptr(KaPack) pack = build_synthetic ("synthetic-5x40", 5, 40, kind_all_clean);
  g_autoptr(KaScheduler) scheduler = ka_scheduler_new (pack, NULL, 13);
  g_autoptr(KaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *path = make_store_path (&tmpdir);
  g_autofree char *session_id = g_uuid_string_random ();
  guint issued = 0;

  store = ka_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (ka_store_import_pack (store, pack, &error));

  for (guint p = 0; p < 30; p++)
    {
      g_autofree char *pid = g_strdup_printf ("p%u", p);
      g_autofree char *ra = g_strdup_printf ("r%u-0", p);
      g_autofree char *rb = g_strdup_printf ("r%u-1", p);

      commit_battle (store, pack, session_id, pid, ra, rb);
    }

  g_assert_true (ka_scheduler_load_history (scheduler, store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ka_scheduler_get_pair_count (scheduler, "m1", "m2"), ==, 30);
  g_assert_cmpuint (ka_scheduler_get_pair_side_count (scheduler, "m1", "m2"), ==, 30);
  g_assert_cmpuint (ka_scheduler_get_side_count (scheduler, "m1", TRUE), ==, 30);
  g_assert_cmpuint (ka_scheduler_get_side_count (scheduler, "m2", FALSE), ==, 30);

  /* 9 pairs × 30 battles before (m1, m2) comes up again, then 300 more: 30 per pair. */
  while (issued < 270 + 300)
    {
      g_autoptr(KaBattle) battle = ka_scheduler_next (scheduler, &error);
      const char *a, *b;

      if (battle == NULL)
        {
          g_assert_error (error, KA_SCHEDULER_ERROR, KA_SCHEDULER_ERROR_EXHAUSTED);
          g_clear_error (&error);
          ka_scheduler_reset_session (scheduler);
          continue;
        }

      a = ka_battle_get_response_a (battle)->model_id;
      b = ka_battle_get_response_b (battle)->model_id;
      if (issued < 270)
        g_assert_false ((g_str_equal (a, "m1") && g_str_equal (b, "m2")) ||
                        (g_str_equal (a, "m2") && g_str_equal (b, "m1")));
      issued++;
    }

  for (guint p = 0; p < ka_scheduler_get_n_pairs (scheduler); p++)
    {
      const char *x, *y;

      ka_scheduler_get_pair (scheduler, p, &x, &y);
      g_assert_cmpuint (ka_scheduler_get_pair_count (scheduler, x, y), ==, 60);
      g_assert_cmpuint (ka_scheduler_get_pair_side_count (scheduler, x, y), ==, 30);
    }
  g_assert_cmpuint (ka_scheduler_get_side_count (scheduler, "m1", TRUE), ==, 120);
  g_assert_cmpuint (ka_scheduler_get_side_count (scheduler, "m2", FALSE), ==, 120);

  g_clear_object (&store);
  remove_tree (tmpdir);
}

/* The tie-breaks that the 5 % balance tolerance hides (issue 11). 4 models, 40 prompts:
 * - sides: once a pair's own orientation is even, the model that has been on the left
 *   less overall goes left, so no model is ever more than one battle per pair off
 *   balance after a whole round, and at the end of every round of 6 battles each model
 *   is at most 1 off;
 * - pairs: among the pairs with the fewest battles the scheduler draws at random, so
 *   across seeds every pair comes first, and the order within a round varies. */
static void
test_tie_breaks (void)
{
  g_autoptr(KaPack) pack = build_synthetic ("synthetic-4x40", 4, 40, kind_all_clean);
  g_autoptr(GHashTable) first_pairs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                             NULL);
  g_autoptr(GHashTable) orders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint worst = 0;

  for (guint32 seed = 1; seed <= 40; seed++)
    {
      g_autoptr(KaScheduler) scheduler = ka_scheduler_new (pack, NULL, seed);
      g_autoptr(GString) order = g_string_new (NULL);
      guint n_pairs = ka_scheduler_get_n_pairs (scheduler);

      g_assert_cmpuint (n_pairs, ==, 6);
      for (guint i = 0; i < 8 * n_pairs; i++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(KaBattle) battle = ka_scheduler_next (scheduler, &error);
          const char *a, *b;
          g_autofree char *key = NULL;

          if (battle == NULL)
            {
              g_assert_error (error, KA_SCHEDULER_ERROR, KA_SCHEDULER_ERROR_EXHAUSTED);
              g_clear_error (&error);
              ka_scheduler_reset_session (scheduler);
              battle = ka_scheduler_next (scheduler, &error);
              g_assert_no_error (error);
            }
          a = ka_battle_get_model_a (battle)->model_id;
          b = ka_battle_get_model_b (battle)->model_id;
          key = strcmp (a, b) < 0 ? g_strdup_printf ("%s-%s", a, b)
                                  : g_strdup_printf ("%s-%s", b, a);
          if (i == 0)
            g_hash_table_add (first_pairs, g_strdup (key));
          if (i < n_pairs)
            g_string_append_printf (order, "%s ", key);

          /* At the end of each round every model is within one battle of even. */
          if ((i + 1) % n_pairs == 0)
            for (guint m = 0; m < 4; m++)
              {
                g_autofree char *id = model_id_for (m);
                guint left = ka_scheduler_get_side_count (scheduler, id, TRUE);
                guint right = ka_scheduler_get_side_count (scheduler, id, FALSE);
                guint gap = left > right ? left - right : right - left;

                worst = MAX (worst, gap);
                if (gap > 1)
                  g_error ("seed %u, after %u battles: %s was %u times left, %u right",
                           seed, i + 1, id, left, right);
              }
        }
      g_hash_table_add (orders, g_string_free (g_steal_pointer (&order), FALSE));
    }

  g_test_message ("40 seeds: %u different first pairs, %u different first rounds, "
                  "worst side gap %u", g_hash_table_size (first_pairs),
                  g_hash_table_size (orders), worst);
  g_assert_cmpuint (g_hash_table_size (first_pairs), ==, 6);
  g_assert_cmpuint (g_hash_table_size (orders), >=, 20);
}

/* A battle counted from history (ka_scheduler_count_battle(), as ka_scheduler_load_history()
 * does for every stored battle) counts the left model as left and the right one as right,
 * in any order of the pair's indices (issue 11, found by build-aux/mutate.py). */
static void
test_count_battle (void)
{
  g_autoptr(KaPack) pack = build_synthetic ("synthetic-3x4", 3, 4, kind_all_clean);
  g_autoptr(KaScheduler) scheduler = ka_scheduler_new (pack, NULL, 5);

  /* m2 left of m1, then m3 left of m1 twice. */
  ka_scheduler_count_battle (scheduler, "r0-1", "r0-0");
  ka_scheduler_count_battle (scheduler, "r1-2", "r1-0");
  ka_scheduler_count_battle (scheduler, "r2-2", "r2-0");

  g_assert_cmpuint (ka_scheduler_get_side_count (scheduler, "m1", TRUE), ==, 0);
  g_assert_cmpuint (ka_scheduler_get_side_count (scheduler, "m1", FALSE), ==, 3);
  g_assert_cmpuint (ka_scheduler_get_side_count (scheduler, "m2", TRUE), ==, 1);
  g_assert_cmpuint (ka_scheduler_get_side_count (scheduler, "m2", FALSE), ==, 0);
  g_assert_cmpuint (ka_scheduler_get_side_count (scheduler, "m3", TRUE), ==, 2);
  g_assert_cmpuint (ka_scheduler_get_side_count (scheduler, "m3", FALSE), ==, 0);
  g_assert_cmpuint (ka_scheduler_get_pair_count (scheduler, "m1", "m3"), ==, 2);
  g_assert_cmpuint (ka_scheduler_get_pair_side_count (scheduler, "m3", "m1"), ==, 2);
  g_assert_cmpuint (ka_scheduler_get_pair_side_count (scheduler, "m1", "m3"), ==, 0);
  g_assert_cmpuint (ka_scheduler_get_pair_side_count (scheduler, "m2", "m1"), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ka/scheduler/balance-real", test_balance_real);
  g_test_add_func ("/ka/scheduler/balance-synthetic", test_balance_synthetic);
  g_test_add_func ("/ka/scheduler/flagged", test_flagged);
  g_test_add_func ("/ka/scheduler/exhaustion", test_exhaustion);
  g_test_add_func ("/ka/scheduler/no-battles", test_no_battles);
  g_test_add_func ("/ka/scheduler/same-seed", test_same_seed);
  g_test_add_func ("/ka/scheduler/sealed", test_sealed);
  g_test_add_func ("/ka/scheduler/history", test_history);
  g_test_add_func ("/ka/scheduler/history-skewed", test_history_skewed);
  g_test_add_func ("/ka/scheduler/tie-breaks", test_tie_breaks);
  g_test_add_func ("/ka/scheduler/count-battle", test_count_battle);

  return g_test_run ();
}
