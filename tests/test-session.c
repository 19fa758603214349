/* test-session.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-session"

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>

#include "ka-identity.h"
#include "ka-pack.h"
#include "ka-scheduler.h"
#include "ka-session.h"
#include "ka-store.h"
#include "ka-store-private.h"

/* Present in every response, but not an identity term of the pack: a guard that learns
 * it later flags every battle. */
#define LATE_TERM "Quuxwell"

typedef struct
{
  char        *tmpdir;
  char        *path;
  KaPack      *pack;
  KaStore     *store;
  KaScheduler *scheduler;
  KaSession   *session;
} Fixture;

/* An open pack of @n_models × @n_prompts clean responses "r<prompt>-<model>". */
static KaPack *
build_pack (guint n_models,
            guint n_prompts)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  KaPack *pack;
  char *json;
  gsize length;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, KA_PACK_FORMAT);
  json_builder_set_member_name (b, "pack_id");
  json_builder_add_string_value (b, "session-test");
  json_builder_set_member_name (b, "title");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ko");
  json_builder_add_string_value (b, "세션 시험");
  json_builder_set_member_name (b, "en");
  json_builder_add_string_value (b, "Session test");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "language");
  json_builder_add_string_value (b, "ko");
  json_builder_set_member_name (b, "created_at");
  json_builder_add_string_value (b, "2026-11-29T00:00:00Z");
  json_builder_set_member_name (b, "licence");
  json_builder_add_string_value (b, "Apache-2.0");
  json_builder_set_member_name (b, "identity_terms");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "Zorblax");
  json_builder_end_array (b);

  json_builder_set_member_name (b, "models");
  json_builder_begin_array (b);
  for (guint m = 0; m < n_models; m++)
    {
      g_autofree char *id = g_strdup_printf ("m%u", m + 1);
      g_autofree char *name = g_strdup_printf ("Contestant %c", 'A' + m);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "model_id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "display_name");
      json_builder_add_string_value (b, name);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "prompts");
  json_builder_begin_array (b);
  for (guint p = 0; p < n_prompts; p++)
    {
      g_autofree char *id = g_strdup_printf ("p%u", p);
      g_autofree char *text = g_strdup_printf ("질문 %u: 김치 만드는 법을 알려 주세요.", p);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "prompt_id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "turns");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, text);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "responses");
  json_builder_begin_array (b);
  for (guint p = 0; p < n_prompts; p++)
    for (guint m = 0; m < n_models; m++)
      {
        g_autofree char *rid = g_strdup_printf ("r%u-%u", p, m);
        g_autofree char *pid = g_strdup_printf ("p%u", p);
        g_autofree char *mid = g_strdup_printf ("m%u", m + 1);
        /* Signed with a name the pack does not list (a self-identification once known). */
        g_autofree char *text = g_strdup_printf ("답 %u-%u: 배추를 절이고 양념을 바릅니다.\n\n"
                                                 "— " LATE_TERM, p, m);

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "response_id");
        json_builder_add_string_value (b, rid);
        json_builder_set_member_name (b, "prompt_id");
        json_builder_add_string_value (b, pid);
        json_builder_set_member_name (b, "model_id");
        json_builder_add_string_value (b, mid);
        json_builder_set_member_name (b, "turns");
        json_builder_begin_array (b);
        json_builder_add_string_value (b, text);
        json_builder_end_array (b);
        json_builder_end_object (b);
      }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, &length);
  bytes = g_bytes_new_take (json, length);
  pack = ka_pack_new_from_bytes (bytes, &error);
  g_assert_no_error (error);

  return pack;
}

static void
fixture_set_up_with (Fixture *fixture,
                     guint    n_models,
                     guint    n_prompts)
{
  g_autoptr(GError) error = NULL;

  fixture->tmpdir = g_dir_make_tmp ("test-session-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->tmpdir, "arena.db", NULL);
  fixture->store = ka_store_open (fixture->path, &error);
  g_assert_no_error (error);
  fixture->pack = build_pack (n_models, n_prompts);
  g_assert_true (ka_store_import_pack (fixture->store, fixture->pack, &error));
  g_assert_no_error (error);
  fixture->scheduler = ka_scheduler_new (fixture->pack, NULL, 2026);
  fixture->session = ka_session_new (fixture->store, fixture->scheduler, KA_MODE_KIOSK, "en");
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture_set_up_with (fixture, 4, 10);
}

static void
fixture_set_up_small (Fixture       *fixture,
                      gconstpointer  data)
{
  fixture_set_up_with (fixture, 3, 3);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  GWeakRef store_ref;
  KaStore *alive;

  g_assert_finalize_object (fixture->session);
  g_assert_finalize_object (fixture->scheduler);

  /* The store's async commit runs in a GTask worker thread, which may drop its last
   * reference on the store a moment after our callback has run. Wait for it (bounded)
   * rather than assert the finalisation at once. */
  g_weak_ref_init (&store_ref, fixture->store);
  g_clear_object (&fixture->store);
  for (guint i = 0; i < 5000 && (alive = g_weak_ref_get (&store_ref)) != NULL; i++)
    {
      g_object_unref (alive);
      g_usleep (1000);
    }
  alive = g_weak_ref_get (&store_ref);
  g_assert_null (alive);
  g_weak_ref_clear (&store_ref);
  g_clear_object (&fixture->pack);

  dir = g_dir_open (fixture->tmpdir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->tmpdir, name, NULL);

      g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (fixture->tmpdir), ==, 0);
  g_free (fixture->path);
  g_free (fixture->tmpdir);
}

static gint64
count_ballots (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  gint64 n = ka_store_count_ballots (fixture->store, KA_DELIVERY_PENDING, &error);

  g_assert_no_error (error);
  return n;
}

/* The stored ballot with @ballot_id, looked up through the store's public listing. */
static KaBallot *
stored_ballot (Fixture    *fixture,
               const char *ballot_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ballots = ka_store_list_ballots (fixture->store,
                                                        ka_pack_get_id (fixture->pack),
                                                        &error);

  g_assert_no_error (error);
  for (guint i = 0; i < ballots->len; i++)
    {
      const KaBallot *ballot = g_ptr_array_index (ballots, i);

      if (g_str_equal (ballot->ballot_id, ballot_id))
        return ka_ballot_copy (ballot);
    }

  return NULL;
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *counter)
{
  (*counter)++;
}

static void
assert_ballot_matches_battle (Fixture        *fixture,
                              const KaBallot *ballot,
                              KaBattle       *battle,
                              KaWinner        winner)
{
  g_assert_cmpstr (ballot->session_id, ==, ka_session_get_id (fixture->session));
  g_assert_cmpstr (ballot->pack_id, ==, ka_pack_get_id (fixture->pack));
  g_assert_cmpstr (ballot->prompt_id, ==, ka_battle_get_prompt (battle)->prompt_id);
  g_assert_cmpstr (ballot->response_a, ==, ka_battle_get_response_a (battle)->response_id);
  g_assert_cmpstr (ballot->response_b, ==, ka_battle_get_response_b (battle)->response_id);
  g_assert_cmpint (ballot->winner, ==, winner);
  g_assert_cmpint (ballot->mode, ==, KA_MODE_KIOSK);
  g_assert_cmpstr (ballot->ui_language, ==, "en");
  g_assert_false (ballot->identity_flag);
  g_assert_cmpint (ballot->decision_ms, >=, 0);
  /* Same fixed-width RFC 3339 format: string order is time order. */
  g_assert_cmpint (strlen (ballot->shown_at), ==, strlen (ballot->voted_at));
  g_assert_cmpstr (ballot->shown_at, <=, ballot->voted_at);
  g_assert_true (ka_ballot_verify_hash (ballot));
}

static void
test_state_machine (Fixture       *fixture,
                    gconstpointer  data)
{
  KaSession *session = fixture->session;
  g_autoptr(GError) error = NULL;
  g_autoptr(KaBallot) ballot = NULL;
  g_autoptr(KaBallot) stored = NULL;
  g_autoptr(KaBattle) first = NULL;
  guint n_state = 0, n_battle = 0, n_ballot = 0;

  g_assert_true (g_uuid_string_is_valid (ka_session_get_id (session)));
  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_IDLE);
  g_assert_null (ka_session_get_battle (session));
  g_assert_null (ka_session_get_ballot (session));
  g_assert_true (ka_session_get_store (session) == fixture->store);

  g_signal_connect (session, "notify::state", G_CALLBACK (count_notify_cb), &n_state);
  g_signal_connect (session, "notify::battle", G_CALLBACK (count_notify_cb), &n_battle);
  g_signal_connect (session, "notify::ballot", G_CALLBACK (count_notify_cb), &n_ballot);

  /* No battle on show: refused, nothing stored. */
  g_assert_null (ka_session_vote (session, KA_WINNER_MODEL_A, &error));
  g_assert_error (error, KA_SESSION_ERROR, KA_SESSION_ERROR_NOT_VOTING);
  g_clear_error (&error);
  g_assert_cmpint (count_ballots (fixture), ==, 0);
  g_assert_cmpuint (n_state, ==, 0);

  g_assert_true (ka_session_next_battle (session, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_VOTING);
  g_assert_nonnull (ka_session_get_battle (session));
  g_assert_null (ka_session_get_ballot (session));
  g_assert_cmpuint (n_state, ==, 1);
  g_assert_cmpuint (n_battle, ==, 1);
  first = g_object_ref (ka_session_get_battle (session));

  ballot = ka_session_vote (session, KA_WINNER_MODEL_B, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ballot);
  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_REVEALED);
  g_assert_cmpuint (n_state, ==, 2);
  g_assert_cmpuint (n_ballot, ==, 1);
  g_assert_true (ka_session_get_battle (session) == first);
  g_assert_nonnull (ka_session_get_ballot (session));
  g_assert_true (ka_ballot_equal (ka_session_get_ballot (session), ballot));
  assert_ballot_matches_battle (fixture, ballot, first, KA_WINNER_MODEL_B);

  /* The ballot is in the store when vote() returns, exactly as returned. */
  g_assert_cmpint (count_ballots (fixture), ==, 1);
  stored = stored_ballot (fixture, ballot->ballot_id);
  g_assert_nonnull (stored);
  g_assert_true (ka_ballot_equal (stored, ballot));

  /* A second vote on the same battle is refused and stores nothing. */
  g_assert_null (ka_session_vote (session, KA_WINNER_MODEL_A, &error));
  g_assert_error (error, KA_SESSION_ERROR, KA_SESSION_ERROR_NOT_VOTING);
  g_clear_error (&error);
  g_assert_cmpint (count_ballots (fixture), ==, 1);
  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_REVEALED);

  /* The next battle clears the ballot and shows another prompt. */
  g_assert_true (ka_session_next_battle (session, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_VOTING);
  g_assert_null (ka_session_get_ballot (session));
  g_assert_cmpuint (n_ballot, ==, 2);
  g_assert_true (ka_session_get_battle (session) != first);
  g_assert_cmpstr (ka_battle_get_prompt (ka_session_get_battle (session))->prompt_id, !=,
                   ka_battle_get_prompt (first)->prompt_id);
}

static void
test_decision_time (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaBallot) ballot = NULL;

  g_assert_true (ka_session_next_battle (fixture->session, &error));
  g_usleep (60 * 1000);
  ballot = ka_session_vote (fixture->session, KA_WINNER_TIE, &error);
  g_assert_no_error (error);

  /* A lower bound only: the voter took at least the 60 ms slept. */
  g_assert_cmpint (ballot->decision_ms, >=, 60);
}

typedef struct
{
  KaBallot *ballot;
  GError   *error;
  gboolean  done;
} AsyncResult;

static void
vote_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  AsyncResult *out = user_data;

  out->ballot = ka_session_vote_finish (KA_SESSION (source), result, &out->error);
  out->done = TRUE;
}

static void
wait_for (AsyncResult *out)
{
  while (!out->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_async (Fixture       *fixture,
            gconstpointer  data)
{
  KaSession *session = fixture->session;
  g_autoptr(GError) error = NULL;
  g_autoptr(KaBallot) stored = NULL;
  AsyncResult first = { 0 }, second = { 0 }, early = { 0 };
  KaBattle *battle;

  /* Refused before any battle, through the callback. */
  ka_session_vote_async (session, KA_WINNER_TIE, NULL, vote_done_cb, &early);
  wait_for (&early);
  g_assert_null (early.ballot);
  g_assert_error (early.error, KA_SESSION_ERROR, KA_SESSION_ERROR_NOT_VOTING);
  g_clear_error (&early.error);

  g_assert_true (ka_session_next_battle (session, &error));
  battle = ka_session_get_battle (session);

  ka_session_vote_async (session, KA_WINNER_BOTH_BAD, NULL, vote_done_cb, &first);
  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_COMMITTING);

  /* While committing: a second vote of either kind, and the next battle, are refused. */
  g_assert_null (ka_session_vote (session, KA_WINNER_MODEL_A, &error));
  g_assert_error (error, KA_SESSION_ERROR, KA_SESSION_ERROR_NOT_VOTING);
  g_clear_error (&error);
  g_assert_false (ka_session_next_battle (session, &error));
  g_assert_error (error, KA_SESSION_ERROR, KA_SESSION_ERROR_BUSY);
  g_clear_error (&error);
  ka_session_vote_async (session, KA_WINNER_MODEL_B, NULL, vote_done_cb, &second);
  g_assert_true (ka_session_get_battle (session) == battle);

  wait_for (&first);
  wait_for (&second);

  g_assert_no_error (first.error);
  g_assert_nonnull (first.ballot);
  g_assert_error (second.error, KA_SESSION_ERROR, KA_SESSION_ERROR_NOT_VOTING);
  g_assert_null (second.ballot);
  g_clear_error (&second.error);

  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_REVEALED);
  g_assert_true (ka_ballot_equal (ka_session_get_ballot (session), first.ballot));
  assert_ballot_matches_battle (fixture, first.ballot, battle, KA_WINNER_BOTH_BAD);
  g_assert_cmpint (count_ballots (fixture), ==, 1);
  stored = stored_ballot (fixture, first.ballot->ballot_id);
  g_assert_true (ka_ballot_equal (stored, first.ballot));

  ka_ballot_free (first.ballot);
}

static char *
current_prompt_id (KaSession *session)
{
  return ka_battle_get_prompt (ka_session_get_battle (session))->prompt_id;
}

static void
test_reset (Fixture       *fixture,
            gconstpointer  data)
{
  KaSession *session = fixture->session;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) first_prompts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) second_prompts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *old_id = g_strdup (ka_session_get_id (session));
  guint n_id = 0;

  /* Three prompts: three battles, then the session is exhausted. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(KaBallot) ballot = NULL;

      g_assert_true (ka_session_next_battle (session, &error));
      g_assert_no_error (error);
      /* Prompt IDs are owned by the pack, which outlives the tables. */
      g_hash_table_add (first_prompts, current_prompt_id (session));
      ballot = ka_session_vote (session, KA_WINNER_MODEL_A, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (ballot->session_id, ==, old_id);
    }
  g_assert_cmpuint (g_hash_table_size (first_prompts), ==, 3);

  g_assert_false (ka_session_next_battle (session, &error));
  g_assert_error (error, KA_SCHEDULER_ERROR, KA_SCHEDULER_ERROR_EXHAUSTED);
  g_clear_error (&error);
  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_EXHAUSTED);
  g_assert_null (ka_session_get_battle (session));
  g_assert_null (ka_session_get_ballot (session));
  g_assert_null (ka_session_vote (session, KA_WINNER_TIE, &error));
  g_assert_error (error, KA_SESSION_ERROR, KA_SESSION_ERROR_NOT_VOTING);
  g_clear_error (&error);

  /* A new visitor: new ID, idle, and the same prompts may be shown again. */
  g_signal_connect (session, "notify::id", G_CALLBACK (count_notify_cb), &n_id);
  ka_session_reset (session);
  g_assert_cmpuint (n_id, ==, 1);
  g_assert_true (g_uuid_string_is_valid (ka_session_get_id (session)));
  g_assert_cmpstr (ka_session_get_id (session), !=, old_id);
  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_IDLE);
  g_assert_null (ka_session_get_battle (session));

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(KaBallot) ballot = NULL;

      g_assert_true (ka_session_next_battle (session, &error));
      g_assert_no_error (error);
      g_hash_table_add (second_prompts, current_prompt_id (session));
      ballot = ka_session_vote (session, KA_WINNER_MODEL_B, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (ballot->session_id, ==, ka_session_get_id (session));
    }
  g_assert_cmpuint (g_hash_table_size (second_prompts), ==, 3);
  g_assert_cmpint (count_ballots (fixture), ==, 6);

  /* A reset in the middle of a battle drops it; nothing is stored for it. */
  ka_session_reset (session);
  g_assert_true (ka_session_next_battle (session, &error));
  ka_session_reset (session);
  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_IDLE);
  g_assert_null (ka_session_get_battle (session));
  g_assert_null (ka_session_vote (session, KA_WINNER_TIE, &error));
  g_assert_error (error, KA_SESSION_ERROR, KA_SESSION_ERROR_NOT_VOTING);
  g_assert_cmpint (count_ballots (fixture), ==, 6);
}

/* A kiosk wipe while a vote is being committed: the ballot is still stored (it was
 * cast), and the wiped session stays wiped. */
static void
test_reset_while_committing (Fixture       *fixture,
                             gconstpointer  data)
{
  KaSession *session = fixture->session;
  g_autoptr(GError) error = NULL;
  g_autofree char *old_id = g_strdup (ka_session_get_id (session));
  AsyncResult result = { 0 };

  g_assert_true (ka_session_next_battle (session, &error));
  ka_session_vote_async (session, KA_WINNER_MODEL_A, NULL, vote_done_cb, &result);
  ka_session_reset (session);
  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_IDLE);

  wait_for (&result);
  g_assert_no_error (result.error);
  g_assert_nonnull (result.ballot);
  g_assert_cmpstr (result.ballot->session_id, ==, old_id);
  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_IDLE);
  g_assert_null (ka_session_get_battle (session));
  g_assert_null (ka_session_get_ballot (session));
  g_assert_cmpint (count_ballots (fixture), ==, 1);

  ka_ballot_free (result.ballot);
}

/* Makes every ballot insert fail (or work again) through a second SQLite connection. */
static void
block_ballots (Fixture  *fixture,
               gboolean  block)
{
  sqlite3 *db = NULL;
  char *message = NULL;
  const char *sql = block
    ? "CREATE TRIGGER test_block BEFORE INSERT ON ballots "
      "BEGIN SELECT RAISE(ABORT, 'blocked by test'); END;"
    : "DROP TRIGGER test_block;";

  g_assert_cmpint (sqlite3_open_v2 (fixture->path, &db, SQLITE_OPEN_READWRITE, NULL), ==,
                   SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  sqlite3_exec (db, sql, NULL, NULL, &message);
  g_assert_cmpstr (message, ==, NULL);
  sqlite3_close (db);
}

static void
test_commit_failure (Fixture       *fixture,
                     gconstpointer  data)
{
  KaSession *session = fixture->session;
  g_autoptr(GError) error = NULL;
  g_autoptr(KaBallot) ballot = NULL;
  AsyncResult result = { 0 };
  KaBattle *battle;

  g_assert_true (ka_session_next_battle (session, &error));
  battle = ka_session_get_battle (session);

  block_ballots (fixture, TRUE);

  /* Sync: the error comes back, nothing is acknowledged, the battle awaits a vote. */
  g_assert_null (ka_session_vote (session, KA_WINNER_MODEL_A, &error));
  g_assert_nonnull (error);
  g_test_message ("commit refused as expected: %s", error->message);
  g_clear_error (&error);
  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_VOTING);
  g_assert_null (ka_session_get_ballot (session));
  g_assert_true (ka_session_get_battle (session) == battle);

  /* Async: back to voting. */
  ka_session_vote_async (session, KA_WINNER_MODEL_A, NULL, vote_done_cb, &result);
  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_COMMITTING);
  wait_for (&result);
  g_assert_null (result.ballot);
  g_assert_nonnull (result.error);
  g_clear_error (&result.error);
  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_VOTING);
  g_assert_null (ka_session_get_ballot (session));
  g_assert_cmpint (count_ballots (fixture), ==, 0);

  /* The voter tries again once the store works: one ballot. */
  block_ballots (fixture, FALSE);
  ballot = ka_session_vote (session, KA_WINNER_MODEL_A, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ballot);
  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_REVEALED);
  assert_ballot_matches_battle (fixture, ballot, battle, KA_WINNER_MODEL_A);
  g_assert_cmpint (count_ballots (fixture), ==, 1);
}

/* Makes every battle insert fail (or work again), as block_ballots() does for ballots. */
static void
block_battles (Fixture  *fixture,
               gboolean  block)
{
  sqlite3 *db = NULL;
  char *message = NULL;
  const char *sql = block
    ? "CREATE TRIGGER test_block_battles BEFORE INSERT ON battles "
      "BEGIN SELECT RAISE(ABORT, 'battles blocked by test'); END;"
    : "DROP TRIGGER test_block_battles;";

  g_assert_cmpint (sqlite3_open_v2 (fixture->path, &db, SQLITE_OPEN_READWRITE, NULL), ==,
                   SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  sqlite3_exec (db, sql, NULL, NULL, &message);
  g_assert_cmpstr (message, ==, NULL);
  sqlite3_close (db);
}

/* The queued "battle shown" fails: the battle stays on show but no vote on it is
 * acknowledged while the store refuses it; once the store works again a vote records the
 * battle (with its first shown_at) and then the ballot. */
static void
test_record_failure (Fixture       *fixture,
                     gconstpointer  data)
{
  KaSession *session = fixture->session;
  g_autoptr(GError) error = NULL;
  g_autoptr(KaBallot) ballot = NULL;
  g_autofree char *shown_at = NULL;
  AsyncResult result = { 0 };
  KaBattle *battle;

  block_battles (fixture, TRUE);
  g_assert_true (ka_session_next_battle (session, &error));
  g_assert_no_error (error);
  battle = ka_session_get_battle (session);
  g_assert_nonnull (battle);

  ka_session_vote_async (session, KA_WINNER_MODEL_A, NULL, vote_done_cb, &result);
  wait_for (&result);
  g_assert_null (result.ballot);
  g_assert_nonnull (result.error);
  g_test_message ("vote refused as expected: %s", result.error->message);
  g_clear_error (&result.error);
  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_VOTING);

  g_assert_null (ka_session_vote (session, KA_WINNER_MODEL_A, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpint (count_ballots (fixture), ==, 0);

  block_battles (fixture, FALSE);
  result.done = FALSE;
  ka_session_vote_async (session, KA_WINNER_MODEL_B, NULL, vote_done_cb, &result);
  wait_for (&result);
  g_assert_no_error (result.error);
  ballot = result.ballot;
  g_assert_nonnull (ballot);
  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_REVEALED);
  assert_ballot_matches_battle (fixture, ballot, battle, KA_WINNER_MODEL_B);
  g_assert_cmpint (count_ballots (fixture), ==, 1);
}

/* Terms learnt after scheduling: the ballot is kept but marked. */
static void
test_identity_flag (Fixture       *fixture,
                    gconstpointer  data)
{
  const char * const late_terms[] = { LATE_TERM, NULL };
  g_autoptr(KaIdentityGuard) late = ka_identity_guard_new (late_terms);
  g_autoptr(GError) error = NULL;
  g_autoptr(KaBallot) before = NULL;
  g_autoptr(KaBallot) after = NULL;

  /* The pack's own guard does not know the term, so the battle was scheduled. */
  g_assert_cmpuint (ka_scheduler_get_n_flagged (fixture->scheduler), ==, 0);

  g_assert_true (ka_session_next_battle (fixture->session, &error));
  before = ka_session_vote (fixture->session, KA_WINNER_MODEL_A, &error);
  g_assert_no_error (error);
  g_assert_false (before->identity_flag);

  g_assert_true (ka_session_next_battle (fixture->session, &error));
  ka_session_set_guard (fixture->session, late);
  after = ka_session_vote (fixture->session, KA_WINNER_MODEL_A, &error);
  g_assert_no_error (error);
  g_assert_true (after->identity_flag);
  g_assert_true (ka_ballot_verify_hash (after));
}

static void
test_no_battles (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpdir = g_dir_make_tmp ("test-session-XXXXXX", &error);
  g_autofree char *path = g_build_filename (tmpdir, "arena.db", NULL);
  g_autoptr(KaStore) store = ka_store_open (path, &error);
  g_autoptr(KaPack) pack = build_pack (2, 2);
  const char * const terms[] = { LATE_TERM, NULL };
  /* A guard that flags every response: nothing to schedule. */
  g_autoptr(KaIdentityGuard) guard = ka_identity_guard_new (terms);
  g_autoptr(KaScheduler) scheduler = ka_scheduler_new (pack, guard, 1);
  g_autoptr(KaSession) session = ka_session_new (store, scheduler, KA_MODE_CITIZEN, NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_assert_no_error (error);
  g_assert_false (ka_session_next_battle (session, &error));
  g_assert_error (error, KA_SCHEDULER_ERROR, KA_SCHEDULER_ERROR_NO_BATTLES);
  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_EXHAUSTED);
  g_assert_cmpstr (ka_session_get_ui_language (session), ==, "ko");

  g_clear_object (&session);
  g_clear_object (&store);
  dir = g_dir_open (tmpdir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (tmpdir, name, NULL);

      g_assert_cmpint (g_remove (file), ==, 0);
    }
  g_assert_cmpint (g_rmdir (tmpdir), ==, 0);
}

/* Load on the store from another thread, as the sync worker makes it: 500 ballots, then
 * one 500-ballot settle_deliveries() transaction after another until told to stop. */
typedef struct
{
  KaStore  *store;
  gint      stop;           /* atomic */
  gint      transactions;   /* atomic: big transactions committed so far */
} Load;

static gpointer
load_thread (gpointer user_data)
{
  Load *load = user_data;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree KaDeliverySettlement *settlements = NULL;

  for (guint i = 0; i < 500; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KaBallot) ballot = NULL;
      g_autofree char *now = ka_timestamp_now ();
      KaBallotDraft draft = {
        .session_id = "load", .pack_id = "session-test", .prompt_id = "p0",
        .response_a = "r0-0", .response_b = "r0-1", .winner = KA_WINNER_TIE,
        .shown_at = now, .voted_at = now, .decision_ms = 1, .mode = KA_MODE_KIOSK,
        .ui_language = "ko",
      };

      ballot = ka_store_commit_ballot (load->store, &draft, NULL, &error);
      g_assert_no_error (error);
      g_ptr_array_add (ids, g_strdup (ballot->ballot_id));
    }

  settlements = g_new0 (KaDeliverySettlement, ids->len);
  for (guint i = 0; i < ids->len; i++)
    {
      settlements[i].ballot_id = g_ptr_array_index (ids, i);
      settlements[i].state = KA_DELIVERY_REJECTED;
      settlements[i].receipt = "{\"status\":\"rejected\"}";
    }

  while (!g_atomic_int_get (&load->stop))
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (ka_store_settle_deliveries (load->store, settlements, ids->len, NULL,
                                                 &error));
      g_assert_no_error (error);
      g_atomic_int_inc (&load->transactions);
    }

  return NULL;
}

/* Starts the load and waits for its first big transaction, so that it really runs. */
static GThread *
start_load (Load    *load,
            KaStore *store)
{
  GThread *thread;

  load->store = store;
  thread = g_thread_new ("test-load", load_thread, load);
  while (g_atomic_int_get (&load->transactions) == 0)
    g_usleep (1000);
  return thread;
}

static void
stop_load (Load    *load,
           GThread *thread)
{
  g_atomic_int_set (&load->stop, TRUE);
  g_thread_join (thread);
  g_test_message ("%d 500-ballot transactions ran beside the UI thread",
                  g_atomic_int_get (&load->transactions));
}

/* No SQLite write on the thread that calls next_battle (the UI thread, DESIGN.md §6):
 * the battle is recorded, and the ballot committed, on the store's writer thread, also
 * while another thread runs 500-ballot transactions; and every ballot links its battle. */
static void
test_no_write_on_ui_thread (Fixture       *fixture,
                            gconstpointer  data)
{
  KaSession *session = fixture->session;
  GThread *ui = g_thread_self ();
  GThread *writer = ka_store_get_writer_thread (fixture->store);
  Load load = { 0 };
  GThread *thread;
  guint ui_commits, writer_commits;
  gint64 slowest = 0;

  g_assert_nonnull (writer);
  g_assert_true (writer != ui);

  thread = start_load (&load, fixture->store);
  ui_commits = ka_store_get_commits_on_thread (fixture->store, ui);
  writer_commits = ka_store_get_commits_on_thread (fixture->store, writer);

  for (guint i = 0; i < 9; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KaBallot) stored = NULL;
      AsyncResult result = { 0 };
      gint64 start = g_get_monotonic_time ();

      g_assert_true (ka_session_next_battle (session, &error));
      g_assert_no_error (error);
      slowest = MAX (slowest, g_get_monotonic_time () - start);

      ka_session_vote_async (session, KA_WINNER_MODEL_A, NULL, vote_done_cb, &result);
      wait_for (&result);
      g_assert_no_error (result.error);
      g_assert_nonnull (result.ballot);
      stored = stored_ballot (fixture, result.ballot->ballot_id);
      g_assert_nonnull (stored);
      ka_ballot_free (result.ballot);
    }

  stop_load (&load, thread);
  g_test_message ("slowest next_battle on the UI thread: %.3f ms", slowest / 1000.0);

  g_assert_cmpuint (ka_store_get_commits_on_thread (fixture->store, ui), ==, ui_commits);
  /* Per round, each its own transaction on the writer thread: the battle, the battle again
   * as the vote queues it (a no-op), the ballot. */
  g_assert_cmpuint (ka_store_get_commits_on_thread (fixture->store, writer), ==,
                    writer_commits + 27);
}

typedef struct
{
  guint      index;
  KaBallot  *ballot;
  GError    *error;
  guint     *n_done;
} QueuedVote;

static void
queued_commit_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  QueuedVote *vote = user_data;

  vote->ballot = ka_store_commit_ballot_finish (KA_STORE (source), result, &vote->error);
  (*vote->n_done)++;
}

static void
record_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  guint *n_done = user_data;

  g_assert_true (ka_store_record_battle_finish (KA_STORE (source), result, &error));
  g_assert_no_error (error);
  (*n_done)++;
}

/* FIFO under load: 200 "battle shown" + "ballot" pairs queued back to back from the UI
 * thread without waiting, while another thread runs 500-ballot transactions. Every
 * ballot finds its battle recorded (it is linked), and the ballots are committed in the
 * order they were queued (their seq). */
static void
test_fifo_under_load (Fixture       *fixture,
                      gconstpointer  data)
{
  const guint n = 200;
  g_autofree QueuedVote *votes = g_new0 (QueuedVote, n);
  GThread *ui = g_thread_self ();
  guint ui_commits;
  guint n_done = 0, n_recorded = 0;
  Load load = { 0 };
  GThread *thread;
  gint64 slowest = 0;

  thread = start_load (&load, fixture->store);
  ui_commits = ka_store_get_commits_on_thread (fixture->store, ui);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *battle_id = g_strdup_printf ("fifo-%u", i);
      g_autofree char *prompt_id = g_strdup_printf ("p%u", i % 10);
      g_autofree char *response_a = g_strdup_printf ("r%u-0", i % 10);
      g_autofree char *response_b = g_strdup_printf ("r%u-1", i % 10);
      g_autofree char *now = ka_timestamp_now ();
      KaBallotDraft draft = {
        .session_id = "fifo", .pack_id = "session-test", .prompt_id = prompt_id,
        .response_a = response_a, .response_b = response_b, .winner = KA_WINNER_MODEL_B,
        .shown_at = now, .voted_at = now, .decision_ms = 1000, .mode = KA_MODE_KIOSK,
        .ui_language = "ko",
      };
      gint64 start = g_get_monotonic_time ();

      /* Half without a callback, as ka_session_next_battle() queues them. */
      ka_store_record_battle_async (fixture->store, battle_id, "fifo", "session-test",
                                    prompt_id, response_a, response_b, now, NULL,
                                    i % 2 ? record_cb : NULL, &n_recorded);
      votes[i].index = i;
      votes[i].n_done = &n_done;
      ka_store_commit_ballot_async (fixture->store, &draft, battle_id, NULL,
                                    queued_commit_cb, &votes[i]);
      slowest = MAX (slowest, g_get_monotonic_time () - start);
    }

  while (n_done < n || n_recorded < n / 2)
    g_main_context_iteration (NULL, TRUE);
  stop_load (&load, thread);
  g_test_message ("slowest queueing of a battle and its ballot: %.3f ms", slowest / 1000.0);

  for (guint i = 0; i < n; i++)
    {
      g_assert_no_error (votes[i].error);
      g_assert_nonnull (votes[i].ballot);
      if (i > 0)
        g_assert_cmpint (votes[i].ballot->seq, ==, votes[i - 1].ballot->seq + 1);
    }
  g_assert_cmpuint (ka_store_get_commits_on_thread (fixture->store, ui), ==, ui_commits);

  for (guint i = 0; i < n; i++)
    ka_ballot_free (votes[i].ballot);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/ka/session/state-machine", Fixture, NULL,
              fixture_set_up, test_state_machine, fixture_tear_down);
  g_test_add ("/ka/session/decision-time", Fixture, NULL,
              fixture_set_up, test_decision_time, fixture_tear_down);
  g_test_add ("/ka/session/async", Fixture, NULL,
              fixture_set_up, test_async, fixture_tear_down);
  g_test_add ("/ka/session/reset", Fixture, NULL,
              fixture_set_up_small, test_reset, fixture_tear_down);
  g_test_add ("/ka/session/reset-while-committing", Fixture, NULL,
              fixture_set_up, test_reset_while_committing, fixture_tear_down);
  g_test_add ("/ka/session/commit-failure", Fixture, NULL,
              fixture_set_up, test_commit_failure, fixture_tear_down);
  g_test_add ("/ka/session/identity-flag", Fixture, NULL,
              fixture_set_up, test_identity_flag, fixture_tear_down);
  g_test_add_func ("/ka/session/no-battles", test_no_battles);
  g_test_add ("/ka/session/record-failure", Fixture, NULL,
              fixture_set_up, test_record_failure, fixture_tear_down);
  g_test_add ("/ka/session/no-write-on-ui-thread", Fixture, NULL,
              fixture_set_up, test_no_write_on_ui_thread, fixture_tear_down);
  g_test_add ("/ka/session/fifo-under-load", Fixture, NULL,
              fixture_set_up, test_fifo_under_load, fixture_tear_down);

  return g_test_run ();
}
