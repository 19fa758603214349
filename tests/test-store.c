/* test-store.c: the SQLite store: pragmas, migrations, refusal, commits, chains, outbox
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-store"

#include "config.h"

#include <glib/gstdio.h>
#include <grp.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ka-identity.h"
#include "ka-pack-builder.h"
#include "ka-store.h"

/* Schema version 1 exactly as it was released: a database made by that version must
 * still migrate. The store's own copy must never change (checked below). */
static const char v1_sql[] =
  "CREATE TABLE meta ("
  "  key   TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT NOT NULL"
  ");"
  "CREATE TABLE packs ("
  "  pack_id      TEXT PRIMARY KEY NOT NULL,"
  "  content_hash TEXT NOT NULL,"
  "  title        TEXT,"
  "  imported_at  TEXT NOT NULL"
  ");"
  "CREATE TABLE ballots ("
  "  ballot_id     TEXT NOT NULL UNIQUE,"
  "  device_id     TEXT NOT NULL,"
  "  session_id    TEXT NOT NULL,"
  "  seq           INTEGER NOT NULL CHECK (seq >= 1),"
  "  pack_id       TEXT NOT NULL,"
  "  prompt_id     TEXT NOT NULL,"
  "  response_a    TEXT NOT NULL,"
  "  response_b    TEXT NOT NULL,"
  "  winner        TEXT NOT NULL CHECK (winner IN ('model_a', 'model_b', 'tie', 'both_bad')),"
  "  shown_at      TEXT NOT NULL,"
  "  voted_at      TEXT NOT NULL,"
  "  decision_ms   INTEGER NOT NULL CHECK (decision_ms >= 0),"
  "  mode          TEXT NOT NULL CHECK (mode IN ('citizen', 'kiosk')),"
  "  ui_language   TEXT NOT NULL,"
  "  identity_flag INTEGER NOT NULL CHECK (identity_flag IN (0, 1)),"
  "  prev_hash     TEXT NOT NULL,"
  "  hash          TEXT NOT NULL,"
  "  UNIQUE (device_id, seq)"
  ");"
  "CREATE INDEX ballots_pack ON ballots (pack_id);";

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("ka-test-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "arena.sqlite3", NULL);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR))
            remove_tree (child);
          else
            g_unlink (child);
        }
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static KaBallotDraft
make_draft (guint i)
{
  static const char * const responses[] = { "r1", "r2", "r3", "r4" };
  KaBallotDraft draft = {
    .session_id = (i / 10) % 2 ? "session-b" : "session-a",
    .pack_id = "test-pack",
    .prompt_id = (i % 3) ? "p1" : "프롬프트-2",
    .response_a = responses[i % 4],
    .response_b = responses[(i + 1) % 4],
    .winner = (KaWinner) (i % 4),
    .shown_at = "2026-11-29T12:00:00.000Z",
    .voted_at = "2026-11-29T12:00:07.500Z",
    .decision_ms = 7500 + i,
    .mode = (i % 2) ? KA_MODE_KIOSK : KA_MODE_CITIZEN,
    .ui_language = "ko",
    .identity_flag = (i % 7) == 0,
  };

  return draft;
}

/* Raw SQLite, independent of the store, to look at (or tamper with) the file. */
static sqlite3 *
raw_open (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

static void
raw_exec (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static gint64
raw_int (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static char *
raw_text (sqlite3    *db,
          const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

static void
test_pragmas (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = NULL;
  g_autofree char *nested = g_build_filename (f->dir, "a", "b", "arena.sqlite3", NULL);
  g_autofree char *parent = g_path_get_dirname (nested);
  g_autofree char *value = NULL;
  GStatBuf st;
  sqlite3 *db;

  store = ka_store_open (nested, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ka_store_get_path (store), ==, nested);
  g_assert_cmpint (ka_store_get_schema_version (store), ==, KA_STORE_SCHEMA_VERSION);
  g_assert_false (ka_store_is_read_only (store));

  /* The parent folders were made, private. */
  g_assert_cmpint (g_stat (parent, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  /* On the store's own connection (synchronous and foreign_keys are per connection). */
  value = ka_store_get_pragma (store, "journal_mode", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "wal");
  g_free (value);
  value = ka_store_get_pragma (store, "synchronous", &error);
  g_assert_cmpstr (value, ==, "2");   /* FULL */
  g_free (value);
  value = ka_store_get_pragma (store, "foreign_keys", &error);
  g_assert_cmpstr (value, ==, "1");
  g_free (value);
  value = ka_store_get_pragma (store, "busy_timeout", &error);
  g_assert_cmpint (atoi (value), >, 0);
  g_free (value);
  value = ka_store_get_pragma (store, "integrity_check", &error);
  g_assert_cmpstr (value, ==, "ok");
  g_clear_pointer (&value, g_free);

  g_assert_null (ka_store_get_pragma (store, "writable_schema = 1", &error));
  g_assert_error (error, KA_STORE_ERROR, KA_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* And in the file, as another connection sees it. */
  db = raw_open (nested);
  value = raw_text (db, "PRAGMA journal_mode");
  g_assert_cmpstr (value, ==, "wal");
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, KA_STORE_SCHEMA_VERSION);
  sqlite3_close (db);

  /* The default path is in the user data dir. */
  {
    g_autofree char *def = ka_store_default_path ();
    g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "kai-arena",
                                                  "arena.sqlite3", NULL);

    g_assert_cmpstr (def, ==, expected);
  }
}

static void
test_migrate_v1 (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = NULL;
  g_autoptr(GPtrArray) originals = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_ballot_free);
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(KaBallot) next = NULL;
  g_autoptr(GString) report = g_string_new (NULL);
  const char *device = "9b2f6c8e-1d4a-4e5b-8c7d-6e5f4a3b2c1d";
  const char *prev = KA_BALLOT_GENESIS_HASH;
  KaBallotDraft draft = make_draft (0);
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;

  /* The store's step 1 is the released v1 schema, byte for byte. */
  g_assert_cmpstr (ka_store_get_migration_sql (1), ==, v1_sql);
  g_assert_nonnull (ka_store_get_migration_sql (KA_STORE_SCHEMA_VERSION));
  g_assert_null (ka_store_get_migration_sql (KA_STORE_SCHEMA_VERSION + 1));
  g_assert_null (ka_store_get_migration_sql (0));

  /* A v1 database file, as version 1 left it, with a chain of five ballots. */
  g_assert_cmpint (sqlite3_open_v2 (f->path, &db,
                                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                   ==, SQLITE_OK);
  raw_exec (db, "PRAGMA journal_mode = WAL");
  raw_exec (db, "BEGIN");
  raw_exec (db, v1_sql);
  raw_exec (db, "PRAGMA user_version = 1");
  raw_exec (db, "INSERT INTO meta (key, value) VALUES ('device_id', "
                "'9b2f6c8e-1d4a-4e5b-8c7d-6e5f4a3b2c1d')");
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO ballots VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                       "?, ?, ?, ?, ?, ?, ?, ?)", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  for (guint i = 0; i < 5; i++)
    {
      KaBallot *b = ka_ballot_new ();
      KaBallotDraft d = make_draft (i);

      b->ballot_id = g_uuid_string_random ();
      b->device_id = g_strdup (device);
      b->session_id = g_strdup (d.session_id);
      b->seq = i + 1;
      b->pack_id = g_strdup (d.pack_id);
      b->prompt_id = g_strdup (d.prompt_id);
      b->response_a = g_strdup (d.response_a);
      b->response_b = g_strdup (d.response_b);
      b->winner = d.winner;
      b->shown_at = g_strdup (d.shown_at);
      b->voted_at = g_strdup (d.voted_at);
      b->decision_ms = d.decision_ms;
      b->mode = d.mode;
      b->ui_language = g_strdup (d.ui_language);
      b->identity_flag = d.identity_flag;
      b->prev_hash = g_strdup (prev);
      b->hash = ka_ballot_compute_hash (b);
      prev = b->hash;
      g_ptr_array_add (originals, b);

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, b->ballot_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, b->device_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, b->session_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 4, b->seq);
      sqlite3_bind_text (stmt, 5, b->pack_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 6, b->prompt_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 7, b->response_a, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 8, b->response_b, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 9, ka_winner_to_string (b->winner), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 10, b->shown_at, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 11, b->voted_at, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 12, b->decision_ms);
      sqlite3_bind_text (stmt, 13, ka_mode_to_string (b->mode), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 14, b->ui_language, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 15, b->identity_flag);
      sqlite3_bind_text (stmt, 16, b->prev_hash, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 17, b->hash, -1, SQLITE_TRANSIENT);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
    }
  sqlite3_finalize (stmt);
  raw_exec (db, "COMMIT");
  sqlite3_close (db);

  /* Open with the current code: migrated, every ballot kept as it was. */
  store = ka_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ka_store_get_schema_version (store), ==, KA_STORE_SCHEMA_VERSION);
  g_assert_cmpstr (ka_store_get_device_id (store), ==, device);

  listed = ka_store_list_ballots (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, originals->len);
  for (guint i = 0; i < listed->len; i++)
    {
      g_assert_true (ka_ballot_equal (g_ptr_array_index (listed, i),
                                      g_ptr_array_index (originals, i)));
      g_assert_cmpint (ka_store_get_delivery_state (store,
                                                    ((KaBallot *) g_ptr_array_index (listed, i))->ballot_id,
                                                    &error), ==, KA_DELIVERY_PENDING);
      g_assert_no_error (error);
    }
  g_assert_cmpint (ka_store_count_ballots (store, KA_DELIVERY_PENDING, &error), ==, 5);
  g_assert_true (ka_store_verify_chains (store, report, &error));
  g_assert_no_error (error);

  /* The v2 parts work: a battle, and the chain goes on from the migrated head. */
  g_assert_true (ka_store_record_battle (store, "battle-1", draft.session_id, draft.pack_id,
                                         draft.prompt_id, draft.response_a, draft.response_b,
                                         draft.shown_at, &error));
  g_assert_no_error (error);
  next = ka_store_commit_ballot (store, &draft, "battle-1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (next->seq, ==, 6);
  g_assert_cmpstr (next->prev_hash, ==, ((KaBallot *) g_ptr_array_index (originals, 4))->hash);
  g_clear_object (&store);

  db = raw_open (f->path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, KA_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM battles WHERE ballot_id IS NOT NULL"), ==, 1);
  sqlite3_close (db);
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static void
test_newer_schema (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  KaStore *store;
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open_v2 (f->path, &db,
                                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                   ==, SQLITE_OK);
  raw_exec (db, "CREATE TABLE future (x); INSERT INTO future VALUES (42);"
                "PRAGMA user_version = 99");
  sqlite3_close (db);
  before = read_bytes (f->path);

  store = ka_store_open (f->path, &error);
  g_assert_null (store);
  g_assert_error (error, KA_STORE_ERROR, KA_STORE_ERROR_NEWER_SCHEMA);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "99"));
  {
    g_autofree char *up_to = g_strdup_printf ("up to %d", KA_STORE_SCHEMA_VERSION);

    g_assert_nonnull (strstr (error->message, up_to));
  }
  g_clear_error (&error);

  store = ka_store_open_read_only (f->path, &error);
  g_assert_null (store);
  g_assert_error (error, KA_STORE_ERROR, KA_STORE_ERROR_NEWER_SCHEMA);
  g_clear_error (&error);

  /* Left exactly as it was: same bytes, still in rollback-journal mode, no WAL. */
  after = read_bytes (f->path);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
}

static void
commit_n (KaStore *store,
          guint    n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      KaBallotDraft draft = make_draft (i);
      g_autoptr(KaBallot) ballot = ka_store_commit_ballot (store, &draft, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (ballot);
    }
}

static void
test_read_only (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = NULL;
  g_autoptr(KaStore) ro = NULL;
  g_autoptr(KaBallot) ballot = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autofree char *device = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "nope", "arena.sqlite3", NULL);
  KaBallotDraft draft = make_draft (3);

  /* A missing file is refused and not created. */
  g_assert_null (ka_store_open_read_only (missing, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));

  store = ka_store_open (f->path, &error);
  g_assert_no_error (error);
  device = g_strdup (ka_store_get_device_id (store));
  commit_n (store, 3);

  /* A reader beside the writer (the admin tool while the app runs). */
  ro = ka_store_open_read_only (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (ka_store_is_read_only (ro));
  g_assert_cmpstr (ka_store_get_device_id (ro), ==, device);

  ballot = ka_store_commit_ballot (ro, &draft, NULL, &error);
  g_assert_null (ballot);
  g_assert_error (error, KA_STORE_ERROR, KA_STORE_ERROR_READ_ONLY);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  g_assert_false (ka_store_set_meta (ro, "k", "v", &error));
  g_assert_error (error, KA_STORE_ERROR, KA_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);

  /* The failed commit left nothing behind, and the reader still works. */
  listed = ka_store_list_ballots (ro, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 3);
  g_assert_true (ka_store_verify_chains (ro, NULL, &error));
  g_clear_pointer (&listed, g_ptr_array_unref);

  /* The writer goes on at seq 4, and the reader sees it. */
  ballot = ka_store_commit_ballot (store, &draft, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ballot->seq, ==, 4);
  listed = ka_store_list_ballots (ro, NULL, &error);
  g_assert_cmpuint (listed->len, ==, 4);
}

static void
test_rollback (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = NULL;
  g_autoptr(KaBallot) ballot = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  KaBallotDraft draft = make_draft (1);
  KaBallotDraft other = make_draft (2);
  sqlite3 *db;

  store = ka_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (ka_store_record_battle (store, "b1", draft.session_id, draft.pack_id,
                                         draft.prompt_id, draft.response_a, draft.response_b,
                                         draft.shown_at, &error));
  /* Recording it again is a no-op; differently, a conflict. */
  g_assert_true (ka_store_record_battle (store, "b1", draft.session_id, draft.pack_id,
                                         draft.prompt_id, draft.response_a, draft.response_b,
                                         draft.shown_at, &error));
  g_assert_no_error (error);
  g_assert_false (ka_store_record_battle (store, "b1", draft.session_id, draft.pack_id,
                                          draft.prompt_id, draft.response_b, draft.response_a,
                                          draft.shown_at, &error));
  g_assert_error (error, KA_STORE_ERROR, KA_STORE_ERROR_CONFLICT);
  g_clear_error (&error);

  /* Each failure happens after the INSERT, inside the transaction: an unknown battle,
   * and a battle that showed other responses. Neither may leave a row or use a seq. */
  ballot = ka_store_commit_ballot (store, &draft, "no-such-battle", &error);
  g_assert_null (ballot);
  g_assert_error (error, KA_STORE_ERROR, KA_STORE_ERROR_INVALID);
  g_clear_error (&error);
  ballot = ka_store_commit_ballot (store, &other, "b1", &error);
  g_assert_null (ballot);
  g_assert_error (error, KA_STORE_ERROR, KA_STORE_ERROR_INVALID);
  g_clear_error (&error);

  listed = ka_store_list_ballots (store, NULL, &error);
  g_assert_cmpuint (listed->len, ==, 0);

  ballot = ka_store_commit_ballot (store, &draft, "b1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (ballot->seq, ==, 1);
  g_assert_cmpstr (ballot->prev_hash, ==, KA_BALLOT_GENESIS_HASH);
  g_assert_true (ka_ballot_verify_hash (ballot));
  g_clear_pointer (&ballot, ka_ballot_free);

  /* A battle is voted on once. */
  ballot = ka_store_commit_ballot (store, &draft, "b1", &error);
  g_assert_null (ballot);
  g_assert_error (error, KA_STORE_ERROR, KA_STORE_ERROR_INVALID);
  g_clear_error (&error);

  db = raw_open (f->path);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM ballots"), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM battles b JOIN ballots v "
                                "USING (ballot_id) WHERE b.battle_id = 'b1'"), ==, 1);
  sqlite3_close (db);
}

static void
test_invalid_draft (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = ka_store_open (f->path, &error);
  KaBallotDraft drafts[5];

  for (guint i = 0; i < G_N_ELEMENTS (drafts); i++)
    drafts[i] = make_draft (i);
  drafts[0].session_id = NULL;
  drafts[1].winner = (KaWinner) 9;
  drafts[2].response_b = drafts[2].response_a;
  drafts[3].voted_at = "now";
  drafts[4].decision_ms = -5;

  for (guint i = 0; i < G_N_ELEMENTS (drafts); i++)
    {
      g_autoptr(KaBallot) ballot = ka_store_commit_ballot (store, &drafts[i], NULL, &error);

      g_assert_null (ballot);
      g_assert_error (error, KA_STORE_ERROR, KA_STORE_ERROR_INVALID);
      g_test_message ("%s", error->message);
      g_clear_error (&error);
    }

  g_assert_cmpint (ka_store_count_ballots (store, KA_DELIVERY_PENDING, &error), ==, 0);
}

static KaPack *
make_pack (const char *pack_id,
           const char *answer)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = g_strdup_printf (
    "{\"format\": \"kai-arena-pack/1\", \"pack_id\": \"%s\","
    " \"title\": {\"ko\": \"시험 팩\", \"en\": \"Test pack\"}, \"language\": \"ko\","
    " \"created_at\": \"2026-11-29T00:00:00Z\","
    " \"models\": [{\"model_id\": \"m1\", \"display_name\": \"Model One\", \"organisation\": \"Org A\"},"
    "              {\"model_id\": \"m2\", \"display_name\": \"Model Two\", \"organisation\": \"Org B\"}],"
    " \"prompts\": [{\"prompt_id\": \"p1\", \"category\": \"writing\", \"turns\": [\"안녕하세요?\"]}],"
    " \"responses\": [{\"response_id\": \"r1\", \"prompt_id\": \"p1\", \"model_id\": \"m1\","
    "                  \"turns\": [\"%s\"]},"
    "                 {\"response_id\": \"r2\", \"prompt_id\": \"p1\", \"model_id\": \"m2\","
    "                  \"turns\": [\"반갑습니다.\"]}],"
    " \"identity_terms\": [\"EXAONE\"], \"licence\": \"CC0-1.0\"}",
    pack_id, answer);
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));
  KaPack *pack = ka_pack_new_from_bytes (bytes, &error);

  g_assert_no_error (error);
  return pack;
}

static void
test_pack_import (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = ka_store_open (f->path, &error);
  g_autoptr(KaPack) pack = make_pack ("pack-one", "네, 안녕하세요.");
  g_autoptr(KaPack) same = make_pack ("pack-one", "네, 안녕하세요.");
  g_autoptr(KaPack) changed = make_pack ("pack-one", "네, 안녕하세요!");
  g_autoptr(KaPack) second = make_pack ("pack-two", "네, 안녕하세요!");
  g_autofree char *stored = NULL;
  g_autofree char *sql = NULL;
  sqlite3 *db;

  g_assert_cmpstr (ka_pack_get_content_hash (pack), !=, ka_pack_get_content_hash (changed));

  g_assert_true (ka_store_import_pack (store, pack, &error));
  g_assert_no_error (error);
  g_assert_true (ka_store_import_pack (store, pack, &error));
  g_assert_true (ka_store_import_pack (store, same, &error));
  g_assert_no_error (error);

  g_assert_false (ka_store_import_pack (store, changed, &error));
  g_assert_error (error, KA_STORE_ERROR, KA_STORE_ERROR_CONFLICT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "pack-one"));
  g_clear_error (&error);

  g_assert_true (ka_store_import_pack (store, second, &error));
  g_assert_no_error (error);

  db = raw_open (f->path);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM packs"), ==, 2);
  stored = raw_text (db, "SELECT content_hash FROM packs WHERE pack_id = 'pack-one'");
  g_assert_cmpstr (stored, ==, ka_pack_get_content_hash (pack));
  g_free (stored);
  stored = raw_text (db, "SELECT title FROM packs WHERE pack_id = 'pack-one'");
  g_assert_cmpstr (stored, ==, "시험 팩");
  sqlite3_close (db);
}

static void
test_chain_1000 (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = ka_store_open (f->path, &error);
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) pack_only = NULL;
  g_autoptr(GString) report = g_string_new (NULL);
  sqlite3 *db;

  commit_n (store, 1000);

  listed = ka_store_list_ballots (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 1000);
  for (guint i = 0; i < listed->len; i++)
    g_assert_cmpint (((KaBallot *) g_ptr_array_index (listed, i))->seq, ==, i + 1);
  pack_only = ka_store_list_ballots (store, "test-pack", &error);
  g_assert_cmpuint (pack_only->len, ==, 1000);
  g_clear_pointer (&pack_only, g_ptr_array_unref);
  pack_only = ka_store_list_ballots (store, "other-pack", &error);
  g_assert_cmpuint (pack_only->len, ==, 0);

  g_assert_true (ka_store_verify_chains (store, report, &error));
  g_assert_no_error (error);
  g_test_message ("%s", report->str);
  g_assert_nonnull (strstr (report->str, "1000 ballots"));
  g_assert_nonnull (strstr (report->str, ": OK"));

  /* Tamper behind the store's back: altered, then removed ballots are found. */
  db = raw_open (f->path);
  raw_exec (db, "UPDATE ballots SET decision_ms = decision_ms + 1 WHERE seq = 500");
  g_string_truncate (report, 0);
  g_assert_false (ka_store_verify_chains (store, report, &error));
  g_assert_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_CHAIN_BREAK);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "seq 500"));
  g_assert_nonnull (strstr (error->message, "altered"));
  g_assert_nonnull (strstr (report->str, "BROKEN"));
  g_clear_error (&error);

  raw_exec (db, "UPDATE ballots SET decision_ms = decision_ms - 1 WHERE seq = 500");
  g_assert_true (ka_store_verify_chains (store, NULL, &error));
  g_assert_no_error (error);

  raw_exec (db, "DELETE FROM ballots WHERE seq = 700");
  g_assert_false (ka_store_verify_chains (store, NULL, &error));
  g_assert_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_CHAIN_BREAK);
  g_assert_nonnull (strstr (error->message, "seq 701"));
  g_assert_nonnull (strstr (error->message, "missing"));
  g_clear_error (&error);
  sqlite3_close (db);
}

static void
test_device_id (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = ka_store_open (f->path, &error);
  g_autoptr(KaStore) other = NULL;
  g_autofree char *other_path = g_build_filename (f->dir, "other.sqlite3", NULL);
  g_autofree char *device = g_strdup (ka_store_get_device_id (store));
  g_autofree char *meta = NULL;

  g_assert_true (g_uuid_string_is_valid (device));
  commit_n (store, 2);
  g_clear_object (&store);

  store = ka_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ka_store_get_device_id (store), ==, device);
  meta = ka_store_get_meta (store, "device_id");
  g_assert_cmpstr (meta, ==, device);

  g_assert_false (ka_store_set_meta (store, "device_id", "stolen", &error));
  g_assert_error (error, KA_STORE_ERROR, KA_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Other meta keys can be set and replaced. */
  g_assert_null (ka_store_get_meta (store, "last_sync"));
  g_assert_true (ka_store_set_meta (store, "last_sync", "a", &error));
  g_assert_true (ka_store_set_meta (store, "last_sync", "b", &error));
  g_free (meta);
  meta = ka_store_get_meta (store, "last_sync");
  g_assert_cmpstr (meta, ==, "b");

  other = ka_store_open (other_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ka_store_get_device_id (other), !=, device);
}

static void
test_outbox (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = ka_store_open (f->path, &error);
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  const char *first;
  const char *second;
  sqlite3 *db;
  g_autofree char *reveal = NULL;

  commit_n (store, 5);
  listed = ka_store_list_ballots (store, NULL, &error);
  first = ((KaBallot *) g_ptr_array_index (listed, 0))->ballot_id;
  second = ((KaBallot *) g_ptr_array_index (listed, 1))->ballot_id;

  g_assert_true (ka_store_set_delivery (store, first, KA_DELIVERY_DELIVERED,
                                        "{\"accepted\":[]}", "Model One", "Model Two", &error));
  g_assert_no_error (error);
  g_assert_true (ka_store_set_delivery (store, second, KA_DELIVERY_REJECTED,
                                        "{\"rejected\":[]}", NULL, NULL, &error));
  g_assert_cmpint (ka_store_get_delivery_state (store, first, &error), ==, KA_DELIVERY_DELIVERED);
  g_assert_cmpint (ka_store_get_delivery_state (store, second, &error), ==, KA_DELIVERY_REJECTED);
  g_assert_cmpint (ka_store_count_ballots (store, KA_DELIVERY_PENDING, &error), ==, 3);
  g_assert_cmpint (ka_store_count_ballots (store, KA_DELIVERY_DELIVERED, &error), ==, 1);
  g_assert_cmpint (ka_store_count_ballots (store, KA_DELIVERY_REJECTED, &error), ==, 1);

  pending = ka_store_list_pending (store, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 2);
  g_assert_cmpint (((KaBallot *) g_ptr_array_index (pending, 0))->seq, ==, 3);

  /* Delivered stays delivered. */
  g_assert_false (ka_store_set_delivery (store, first, KA_DELIVERY_PENDING, NULL, NULL, NULL,
                                         &error));
  g_assert_error (error, KA_STORE_ERROR, KA_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_cmpint (ka_store_get_delivery_state (store, first, &error), ==, KA_DELIVERY_DELIVERED);

  g_assert_false (ka_store_set_delivery (store, "no-such-ballot", KA_DELIVERY_DELIVERED,
                                         NULL, NULL, NULL, &error));
  g_assert_error (error, KA_STORE_ERROR, KA_STORE_ERROR_INVALID);
  g_clear_error (&error);
  ka_store_get_delivery_state (store, "no-such-ballot", &error);
  g_assert_error (error, KA_STORE_ERROR, KA_STORE_ERROR_INVALID);
  g_clear_error (&error);

  db = raw_open (f->path);
  reveal = raw_text (db, "SELECT reveal_model_a || '/' || reveal_model_b || '/' || "
                         "(delivered_at IS NOT NULL) FROM ballots WHERE seq = 1");
  g_assert_cmpstr (reveal, ==, "Model One/Model Two/1");
  sqlite3_close (db);

  /* Delivery state is not part of the hash: chains still verify. */
  g_assert_true (ka_store_verify_chains (store, NULL, &error));
  g_assert_no_error (error);
}

typedef struct
{
  GMainLoop *loop;
  GPtrArray *ballots;
  GError    *error;
  guint      pending;
} AsyncState;

static void
committed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  AsyncState *state = user_data;
  GError *error = NULL;
  KaBallot *ballot = ka_store_commit_ballot_finish (KA_STORE (source), result, &error);

  if (ballot != NULL)
    g_ptr_array_add (state->ballots, ballot);
  else if (state->error == NULL)
    state->error = error;
  else
    g_error_free (error);

  if (--state->pending == 0)
    g_main_loop_quit (state->loop);
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = ka_store_open (f->path, &error);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GPtrArray) ballots = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_ballot_free);
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GPtrArray) listed = NULL;
  AsyncState state = { loop, ballots, NULL, 0 };
  const guint n = 60;

  /* Many commits in flight at once, on the thread pool: one mutex, one chain. */
  for (guint i = 0; i < n; i++)
    {
      KaBallotDraft draft = make_draft (i);

      state.pending++;
      ka_store_commit_ballot_async (store, &draft, NULL, NULL, committed_cb, &state);
    }
  g_main_loop_run (loop);
  g_assert_no_error (state.error);
  g_assert_cmpuint (ballots->len, ==, n);

  listed = ka_store_list_ballots (store, NULL, &error);
  g_assert_cmpuint (listed->len, ==, n);
  g_assert_true (ka_store_verify_chains (store, NULL, &error));
  g_assert_no_error (error);

  /* Cancelled before it began: not committed. */
  {
    KaBallotDraft draft = make_draft (0);

    g_cancellable_cancel (cancelled);
    state.pending = 1;
    ka_store_commit_ballot_async (store, &draft, NULL, cancelled, committed_cb, &state);
    g_main_loop_run (loop);
    g_assert_error (state.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&state.error);
    g_assert_cmpint (ka_store_count_ballots (store, KA_DELIVERY_PENDING, &error), ==, n);
  }
}

/* An auditor's evidence copy (docs/ballots.md §5): read-only files in a read-only folder,
 * with or without -wal and -shm, some ballots only in the -wal. */

static int
compare_lines (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* "name sha256\n" for every file in @dir, sorted: names and bytes. */
static char *
snapshot_dir (const char *dir_path)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) out = g_string_new (NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir_path, name, NULL);
      g_autofree char *contents = NULL;
      g_autofree char *sum = NULL;
      gsize length = 0;

      g_assert_true (g_file_get_contents (child, &contents, &length, NULL));
      sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
      g_ptr_array_add (lines, g_strdup_printf ("%s %s\n", name, sum));
    }
  g_ptr_array_sort (lines, compare_lines);
  for (guint i = 0; i < lines->len; i++)
    g_string_append (out, lines->pdata[i]);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
copy_into (const char *from,
           const char *dir,
           const char *name)
{
  g_autofree char *contents = NULL;
  g_autofree char *to = g_build_filename (dir, name, NULL);
  gsize length = 0;

  g_assert_true (g_file_get_contents (from, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (to, contents, length, NULL));
}

static gint64
count_raw (const char *uri)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL),
                   ==, SQLITE_OK);
  if (sqlite3_prepare_v2 (db, "SELECT count(*) FROM ballots", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

typedef struct
{
  const char *name;
  gboolean    wal;
  gboolean    shm;
  gboolean    stray_shm;  /* a writable -shm but no -wal: the in-place attempt fails */
  gint64      expected;
} Evidence;

/* 5 checkpointed ballots + 4 only in the -wal, then the closed database (9 in the file). */
static const Evidence evidence[] = {
  { "wal", TRUE, FALSE, FALSE, 9 },
  { "wal-shm", TRUE, TRUE, FALSE, 9 },
  { "closed", FALSE, FALSE, FALSE, 9 },
  { "stray-shm", FALSE, FALSE, TRUE, 9 },
};

static char *
make_evidence (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = NULL;
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);
  g_autofree char *live_shm = g_build_filename (f->dir, "live-shm", NULL);
  g_autofree char *main_only = g_build_filename (f->dir, "main-only", NULL);
  g_autofree char *main_only_uri = NULL;
  char *device;

  /* Others (nobody) must reach the evidence folders. */
  g_assert_cmpint (g_chmod (f->dir, 0755), ==, 0);

  store = ka_store_open (f->path, &error);
  g_assert_no_error (error);
  device = g_strdup (ka_store_get_device_id (store));
  commit_n (store, 5);
  g_clear_object (&store);
  store = ka_store_open (f->path, &error);
  g_assert_no_error (error);
  commit_n (store, 4);

  /* The writer is open and idle: file + -wal + -shm are consistent. */
  for (guint i = 0; i < G_N_ELEMENTS (evidence); i++)
    {
      g_autofree char *dir = g_build_filename (f->dir, evidence[i].name, NULL);

      g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
      if (evidence[i].wal)
        {
          copy_into (f->path, dir, "arena.sqlite3");
          copy_into (wal, dir, "arena.sqlite3-wal");
        }
      if (evidence[i].shm)
        copy_into (shm, dir, "arena.sqlite3-shm");
    }
  copy_into (shm, f->dir, "live-shm");

  /* The -wal really holds ballots: the file alone has only the first 5. */
  copy_into (f->path, f->dir, "main-only");
  main_only_uri = g_strconcat ("file:", main_only, "?immutable=1", NULL);
  g_assert_cmpint (count_raw (main_only_uri), ==, 5);

  /* Closing checkpoints everything into the file and removes the -wal and -shm. */
  g_clear_object (&store);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  for (guint i = 0; i < G_N_ELEMENTS (evidence); i++)
    {
      g_autofree char *dir = g_build_filename (f->dir, evidence[i].name, NULL);

      if (!evidence[i].wal)
        copy_into (f->path, dir, "arena.sqlite3");
      if (evidence[i].stray_shm)
        {
          g_autofree char *stray = g_build_filename (dir, "arena.sqlite3-shm", NULL);

          copy_into (live_shm, dir, "arena.sqlite3-shm");
          g_assert_cmpint (g_chmod (stray, 0666), ==, 0);
        }
    }

  /* Read-only files (a stray -shm stays writable), read-only folders. */
  for (guint i = 0; i < G_N_ELEMENTS (evidence); i++)
    {
      g_autofree char *dir = g_build_filename (f->dir, evidence[i].name, NULL);
      const char *suffixes[] = { "", "-wal", "-shm" };

      for (guint j = 0; j < G_N_ELEMENTS (suffixes); j++)
        {
          g_autofree char *file = g_strconcat (dir, "/arena.sqlite3", suffixes[j], NULL);

          if (g_file_test (file, G_FILE_TEST_EXISTS) && !(evidence[i].stray_shm && j == 2))
            g_assert_cmpint (g_chmod (file, 0444), ==, 0);
        }
      g_assert_cmpint (g_chmod (dir, 0555), ==, 0);
    }

  return device;
}

/* Runs the open-and-check below in a child process with a private TMPDIR (to see that
 * the private copy is deleted), as nobody if @as_nobody; the evidence must not change. */
static void
check_evidence (Fixture    *f,
                const char *device,
                gboolean    as_nobody,
                gboolean    with_stray)
{
  g_autofree char *tmp = g_build_filename (f->dir, "tmp", NULL);

  g_assert_cmpint (g_mkdir (tmp, 01777), ==, 0);
  g_assert_cmpint (g_chmod (tmp, 01777), ==, 0);
  g_setenv ("TMPDIR", tmp, TRUE);
  g_setenv ("KA_TEST_DEVICE", device, TRUE);
  g_setenv ("KA_TEST_AS_NOBODY", as_nobody ? "1" : "0", TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (evidence); i++)
    {
      g_autofree char *dir = g_build_filename (f->dir, evidence[i].name, NULL);
      g_autofree char *path = g_build_filename (dir, "arena.sqlite3", NULL);
      g_autofree char *expected = g_strdup_printf ("%" G_GINT64_FORMAT, evidence[i].expected);
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;

      /* Root could create a -wal beside a stray -shm: that case is for nobody only. */
      if (evidence[i].stray_shm && !with_stray)
        continue;

      g_test_message ("evidence %s", evidence[i].name);
      before = snapshot_dir (dir);
      g_setenv ("KA_TEST_EVIDENCE", path, TRUE);
      g_setenv ("KA_TEST_EXPECTED", expected, TRUE);
      g_setenv ("KA_TEST_IN_PLACE_FAILS",
                g_str_equal (evidence[i].name, "wal-shm") ? "0" : "1", TRUE);
      g_test_trap_subprocess ("/ka/store/read-only/evidence-child", 0,
                              G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      after = snapshot_dir (dir);
      g_assert_cmpstr (after, ==, before);
    }
  g_unsetenv ("TMPDIR");
}

static void
test_read_only_evidence_child (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) ro = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(KaBallot) ballot = NULL;
  g_autoptr(GDir) tmp = NULL;
  const char *path = g_getenv ("KA_TEST_EVIDENCE");
  KaBallotDraft draft = make_draft (3);
  gint64 expected;

  if (!g_test_subprocess ())
    {
      g_test_skip ("run by /ka/store/read-only/evidence*");
      return;
    }
  g_assert_nonnull (path);
  expected = g_ascii_strtoll (g_getenv ("KA_TEST_EXPECTED"), NULL, 10);

  if (g_str_equal (g_getenv ("KA_TEST_AS_NOBODY"), "1"))
    {
      g_assert_cmpint (setgroups (0, NULL), ==, 0);
      g_assert_cmpint (setgid (65534), ==, 0);
      g_assert_cmpint (setuid (65534), ==, 0);
      g_assert_cmpint (geteuid (), ==, 65534);
    }

  /* The situation is real: SQLite cannot read this in place (the defect's
   * "unable to open database file" / "attempt to write a readonly database"). */
  if (geteuid () != 0 && g_str_equal (g_getenv ("KA_TEST_IN_PLACE_FAILS"), "1"))
    {
      g_autofree char *uri = g_strconcat ("file:", path, "?mode=ro", NULL);
      sqlite3 *db = NULL;
      int rc = sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);

      if (rc == SQLITE_OK)
        rc = sqlite3_exec (db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
      g_test_message ("in place: %s (%d)", sqlite3_errstr (rc), rc);
      g_assert_cmpint (rc, !=, SQLITE_OK);
      sqlite3_close (db);
    }

  ro = ka_store_open_read_only (path, &error);
  g_assert_no_error (error);
  g_assert_true (ka_store_is_read_only (ro));
  g_assert_cmpstr (ka_store_get_path (ro), ==, path);
  g_assert_cmpstr (ka_store_get_device_id (ro), ==, g_getenv ("KA_TEST_DEVICE"));

  listed = ka_store_list_ballots (ro, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (listed->len, ==, expected);
  for (guint i = 0; i < listed->len; i++)
    g_assert_cmpint (((KaBallot *) listed->pdata[i])->seq, ==, i + 1);
  g_assert_cmpint (ka_store_count_ballots (ro, KA_DELIVERY_PENDING, &error), ==, expected);
  g_assert_no_error (error);
  g_assert_true (ka_store_verify_chains (ro, NULL, &error));
  g_assert_no_error (error);

  /* Still a read-only store, even where it reads a private copy. */
  ballot = ka_store_commit_ballot (ro, &draft, NULL, &error);
  g_assert_null (ballot);
  g_assert_error (error, KA_STORE_ERROR, KA_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);

  /* The private copy goes with the store. */
  g_clear_object (&ro);
  tmp = g_dir_open (g_get_tmp_dir (), 0, &error);
  g_assert_no_error (error);
  g_assert_null (g_dir_read_name (tmp));
}

static void
test_read_only_evidence (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *device = make_evidence (f);

  /* As root, permission bits are no barrier: the store must still not read in place. */
  check_evidence (f, device, FALSE, FALSE);
}

static void
test_read_only_evidence_nobody (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *device = NULL;

  if (geteuid () != 0)
    {
      g_test_skip ("needs root to switch to the user nobody (65534); "
                   "/ka/store/read-only/evidence covers a non-root owner");
      return;
    }
  device = make_evidence (f);
  check_evidence (f, device, TRUE, TRUE);
}

/* A closed database in a writable folder: reading it leaves no -wal or -shm behind. */
static void
test_read_only_closed (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  store = ka_store_open (f->path, &error);
  g_assert_no_error (error);
  commit_n (store, 3);
  g_clear_object (&store);
  before = snapshot_dir (f->dir);

  store = ka_store_open_read_only (f->path, &error);
  g_assert_no_error (error);
  listed = ka_store_list_ballots (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 3);
  g_clear_object (&store);

  after = snapshot_dir (f->dir);
  g_assert_cmpstr (after, ==, before);
}

/* Requeue (issue 11): the one way back from delivered, as ka-sync uses it when the
 * collector was restored from an older backup. Only this device's delivered ballots after
 * @after_seq go back to pending, their receipt and delivered_at are cleared, rejected ones
 * stay quarantined, and the revealed model names survive a later settlement without names
 * (the coalesce in sql_set_delivery). */
static void
test_requeue (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = ka_store_open (f->path, &error);
  g_autoptr(GPtrArray) listed = NULL;
  KaDeliverySettlement settlements[6];
  const char *device;
  sqlite3 *db;
  g_autofree char *states = NULL;
  g_autofree char *cleared = NULL;
  g_autofree char *names = NULL;
  g_autofree char *model_a = NULL;
  g_autofree char *model_b = NULL;
  gint64 n;

  g_assert_no_error (error);
  device = ka_store_get_device_id (store);
  commit_n (store, 6);
  listed = ka_store_list_ballots (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 6);

  /* 1-4 delivered with names, 5 rejected, 6 pending. */
  for (guint i = 0; i < 5; i++)
    {
      settlements[i].ballot_id = ((KaBallot *) g_ptr_array_index (listed, i))->ballot_id;
      settlements[i].state = i == 4 ? KA_DELIVERY_REJECTED : KA_DELIVERY_DELIVERED;
      settlements[i].receipt = "{\"receipt\":1}";
      settlements[i].reveal_model_a = i == 4 ? NULL : "Model One";
      settlements[i].reveal_model_b = i == 4 ? NULL : "Model Two";
    }
  g_assert_true (ka_store_settle_deliveries (store, settlements, 5, NULL, &error));
  g_assert_no_error (error);

  /* Another device's chain is never touched. */
  g_assert_cmpint (ka_store_requeue_delivered (store, "another-device", 0, &error), ==, 0);
  g_assert_no_error (error);

  n = ka_store_requeue_delivered (store, device, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 2);

  db = raw_open (f->path);
  states = raw_text (db, "SELECT group_concat (delivery, ',') FROM "
                         "(SELECT delivery FROM ballots ORDER BY seq)");
  g_assert_cmpstr (states, ==, "delivered,delivered,pending,pending,rejected,pending");
  cleared = raw_text (db, "SELECT group_concat ((receipt IS NULL) || (delivered_at IS NULL), ',') "
                          "FROM (SELECT receipt, delivered_at FROM ballots ORDER BY seq)");
  g_assert_cmpstr (cleared, ==, "00,00,11,11,00,11");
  sqlite3_close (db);

  /* The requeued ones are listed for sending again, in chain order. */
  {
    g_autoptr(GPtrArray) pending = ka_store_list_pending (store, 10, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (pending->len, ==, 3);
    g_assert_cmpint (((KaBallot *) g_ptr_array_index (pending, 0))->seq, ==, 3);
    g_assert_cmpint (((KaBallot *) g_ptr_array_index (pending, 1))->seq, ==, 4);
    g_assert_cmpint (((KaBallot *) g_ptr_array_index (pending, 2))->seq, ==, 6);
  }

  /* Names kept through the requeue, and through a later settlement that brings none
   * (a duplicate's receipt from a collector that lost the pack). */
  settlements[0].ballot_id = ((KaBallot *) g_ptr_array_index (listed, 2))->ballot_id;
  settlements[0].state = KA_DELIVERY_DELIVERED;
  settlements[0].receipt = "{\"receipt\":2}";
  settlements[0].reveal_model_a = NULL;
  settlements[0].reveal_model_b = NULL;
  g_assert_true (ka_store_settle_deliveries (store, settlements, 1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ka_store_set_delivery (store, settlements[0].ballot_id, KA_DELIVERY_DELIVERED,
                                        "{\"receipt\":3}", NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ka_store_get_reveal (store, settlements[0].ballot_id, &model_a, &model_b,
                                      &error));
  g_assert_no_error (error);
  g_assert_cmpstr (model_a, ==, "Model One");
  g_assert_cmpstr (model_b, ==, "Model Two");

  db = raw_open (f->path);
  names = raw_text (db, "SELECT group_concat (coalesce (reveal_model_a, '-'), ',') FROM "
                        "(SELECT reveal_model_a FROM ballots ORDER BY seq)");
  g_assert_cmpstr (names, ==, "Model One,Model One,Model One,Model One,-,-");
  sqlite3_close (db);

  /* A requeue from 0 takes back every delivered ballot; a second one finds nothing. */
  g_assert_cmpint (ka_store_requeue_delivered (store, device, 0, &error), ==, 3);
  g_assert_cmpint (ka_store_requeue_delivered (store, device, 0, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (ka_store_count_ballots (store, KA_DELIVERY_REJECTED, &error), ==, 1);
  g_assert_true (ka_store_verify_chains (store, NULL, &error));
  g_assert_no_error (error);
}

/* Step 2 -> 3 (issue 11): a v2 database gains the identity tables in one step, its
 * ballots and battles untouched. */
static void
test_migrate_v2 (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = NULL;
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open_v2 (f->path, &db,
                                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                   ==, SQLITE_OK);
  raw_exec (db, "PRAGMA journal_mode = WAL");
  raw_exec (db, "BEGIN");
  raw_exec (db, ka_store_get_migration_sql (1));
  raw_exec (db, ka_store_get_migration_sql (2));
  raw_exec (db, "PRAGMA user_version = 2");
  raw_exec (db, "INSERT INTO battles (battle_id, session_id, pack_id, prompt_id, response_a, "
                "response_b, shown_at) VALUES ('b1', 's', 'p', 'q', 'ra', 'rb', "
                "'2026-12-01T00:00:00Z')");
  raw_exec (db, "COMMIT");
  sqlite3_close (db);

  store = ka_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ka_store_get_schema_version (store), ==, 3);
  g_clear_object (&store);

  db = raw_open (f->path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, 3);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM battles"), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM identity_scans"), ==, 0);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM identity_flags"), ==, 0);
  sqlite3_close (db);
}

/* The guard's verdicts per pack content hash and guard version. */
static void
test_identity_flags (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = ka_store_open (f->path, &error);
  g_autoptr(KaStore) ro = NULL;
  g_autoptr(GHashTable) flags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) empty = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTable *loaded = NULL;
  sqlite3 *db;

  g_assert_no_error (error);
  g_hash_table_insert (flags, g_strdup ("r1"), g_strdup ("Claude"));
  g_hash_table_insert (flags, g_strdup ("r2"), g_strdup ("엑사원"));

  /* Nothing stored yet: NULL, not an empty table. */
  g_assert_true (ka_store_load_identity_flags (store, "hash-a", "v1", &loaded, &error));
  g_assert_no_error (error);
  g_assert_null (loaded);

  g_assert_true (ka_store_save_identity_flags (store, "hash-a", "v1", flags, &error));
  g_assert_no_error (error);
  g_assert_true (ka_store_save_identity_flags (store, "hash-b", "v1", empty, &error));
  g_assert_no_error (error);

  g_assert_true (ka_store_load_identity_flags (store, "hash-a", "v1", &loaded, &error));
  g_assert_nonnull (loaded);
  g_assert_cmpuint (g_hash_table_size (loaded), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (loaded, "r2"), ==, "엑사원");
  g_clear_pointer (&loaded, g_hash_table_unref);
  /* A scan that flagged nothing is a scan. */
  g_assert_true (ka_store_load_identity_flags (store, "hash-b", "v1", &loaded, &error));
  g_assert_nonnull (loaded);
  g_assert_cmpuint (g_hash_table_size (loaded), ==, 0);
  g_clear_pointer (&loaded, g_hash_table_unref);
  /* Another guard version does not see them. */
  g_assert_true (ka_store_load_identity_flags (store, "hash-a", "v2", &loaded, &error));
  g_assert_null (loaded);

  /* Saving with a new version replaces the old verdicts of that pack only. */
  g_hash_table_remove (flags, "r1");
  g_assert_true (ka_store_save_identity_flags (store, "hash-a", "v2", flags, &error));
  g_assert_no_error (error);
  g_assert_true (ka_store_load_identity_flags (store, "hash-a", "v1", &loaded, &error));
  g_assert_null (loaded);
  g_assert_true (ka_store_load_identity_flags (store, "hash-a", "v2", &loaded, &error));
  g_assert_cmpuint (g_hash_table_size (loaded), ==, 1);
  g_clear_pointer (&loaded, g_hash_table_unref);
  g_assert_true (ka_store_load_identity_flags (store, "hash-b", "v1", &loaded, &error));
  g_assert_nonnull (loaded);
  g_clear_pointer (&loaded, g_hash_table_unref);

  db = raw_open (f->path);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM identity_flags"), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM identity_scans"), ==, 2);
  sqlite3_close (db);

  /* A read-only store reads them and refuses to write. */
  ro = ka_store_open_read_only (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (ka_store_load_identity_flags (ro, "hash-a", "v2", &loaded, &error));
  g_assert_nonnull (loaded);
  g_clear_pointer (&loaded, g_hash_table_unref);
  g_assert_false (ka_store_save_identity_flags (ro, "hash-c", "v1", flags, &error));
  g_assert_error (error, KA_STORE_ERROR, KA_STORE_ERROR_READ_ONLY);
}

/* Start-up scans a pack once per guard version and keeps the verdicts (issue 11). */
static void
test_identity_guard_store (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = ka_store_open (f->path, &error);
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "data", "mt_bench", NULL);
  KaPackBuildOptions options = { 0 };
  g_autoptr(KaPack) pack = NULL;
  g_autoptr(KaIdentityGuard) first = NULL;
  g_autoptr(KaIdentityGuard) second = NULL;
  g_autoptr(KaIdentityGuard) other = NULL;
  g_autoptr(KaIdentityGuard) plain = NULL;
  const char * const extra[] = { "Xylo", NULL };
  gboolean from_store = TRUE;
  gint64 t0, t_scan, t_load;
  guint n_flagged = 0;

  g_assert_no_error (error);
  options.source = KA_PACK_SOURCE_MT_BENCH;
  options.source_dir = dir;
  pack = ka_pack_build (&options, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ka_store_import_pack (store, pack, &error));
  g_assert_no_error (error);

  first = ka_identity_guard_new_for_pack (pack);
  t0 = g_get_monotonic_time ();
  g_assert_true (ka_identity_guard_use_store (first, store, &from_store, &error));
  t_scan = g_get_monotonic_time () - t0;
  g_assert_no_error (error);
  g_assert_false (from_store);

  second = ka_identity_guard_new_for_pack (pack);
  g_assert_cmpstr (ka_identity_guard_get_version (first), ==,
                   ka_identity_guard_get_version (second));
  t0 = g_get_monotonic_time ();
  g_assert_true (ka_identity_guard_use_store (second, store, &from_store, &error));
  t_load = g_get_monotonic_time () - t0;
  g_assert_no_error (error);
  g_assert_true (from_store);
  g_test_message ("identity guard on MT-bench (%u answers): scan and store %.1f ms, "
                  "load %.1f ms", ka_pack_get_n_responses (pack), t_scan / 1000.0,
                  t_load / 1000.0);

  /* The stored verdicts are the guard's own. */
  plain = ka_identity_guard_new_for_pack (pack);
  for (guint i = 0; i < ka_pack_get_n_responses (pack); i++)
    {
      const KaPackResponse *r = ka_pack_get_response (pack, i);
      g_autofree char *a = NULL;
      g_autofree char *b = NULL;
      gboolean fa = ka_identity_guard_check_response (second, r, &a);
      gboolean fb = ka_identity_guard_check_response (plain, r, &b);

      g_assert_cmpint (fa, ==, fb);
      g_assert_cmpstr (a, ==, b);
      n_flagged += fa;
    }
  g_assert_cmpuint (n_flagged, ==, 8);

  /* Other terms, another version: the stored verdicts are not theirs. */
  other = ka_identity_guard_new (extra);
  g_clear_object (&plain);
  plain = ka_identity_guard_new (NULL);
  g_assert_cmpstr (ka_identity_guard_get_version (other), !=,
                   ka_identity_guard_get_version (plain));
  g_assert_cmpstr (ka_identity_guard_get_version (plain), !=,
                   ka_identity_guard_get_version (first));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/ka/store/pragmas", test_pragmas);
  ADD ("/ka/store/migrate-v1", test_migrate_v1);
  ADD ("/ka/store/migrate-v2", test_migrate_v2);
  ADD ("/ka/store/identity-flags", test_identity_flags);
  ADD ("/ka/store/identity-guard", test_identity_guard_store);
  ADD ("/ka/store/newer-schema", test_newer_schema);
  ADD ("/ka/store/read-only", test_read_only);
  ADD ("/ka/store/read-only/closed", test_read_only_closed);
  ADD ("/ka/store/read-only/evidence", test_read_only_evidence);
  ADD ("/ka/store/read-only/evidence-nobody", test_read_only_evidence_nobody);
  g_test_add_func ("/ka/store/read-only/evidence-child", test_read_only_evidence_child);
  ADD ("/ka/store/rollback", test_rollback);
  ADD ("/ka/store/invalid-draft", test_invalid_draft);
  ADD ("/ka/store/pack-import", test_pack_import);
  ADD ("/ka/store/chain-1000", test_chain_1000);
  ADD ("/ka/store/device-id", test_device_id);
  ADD ("/ka/store/outbox", test_outbox);
  ADD ("/ka/store/async", test_async);
  ADD ("/ka/store/requeue", test_requeue);

#undef ADD

  return g_test_run ();
}
