/* test-admin-cli.c: the real kai-arena-admin binary, end to end
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the built kai-arena-admin (KA_ADMIN) as an organiser would: simulate ballots into a
 * real SQLite store, list them as JSON Lines and CSV, verify the hash chains, then tamper
 * with copies of the database through the SQLite C API and check that verify-chain
 * fails and names the ballot. Also the exit statuses of the command-line contract:
 * 0 success, 1 a check failed or an error, 2 a usage error. `tally --server` runs against
 * a real collector (KA_COLLECTOR) on loopback.
 */

#define G_LOG_DOMAIN "ka-test-admin-cli"

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>

#include "ka-ballot.h"
#include "ka-pack.h"
#include "ka-store.h"
#include "ka-test-source.h"
#include "ka-test-support.h"

#define N_VOTES    300
#define SEED       "7"
#define CSV_BOM    "\xEF\xBB\xBF"
#define CSV_HEADER "ballot_id,device_id,session_id,seq,pack_id,prompt_id,response_a," \
                   "response_b,winner,shown_at,voted_at,decision_ms,mode,ui_language," \
                   "identity_flag,prev_hash,hash,delivery"
#define N_CSV_COLUMNS 18

/* One simulated store shared by the cases, made on first use (so `-p` works too). */
static char *tmp_dir;
static char *database;

static const char *
admin_path (void)
{
  const char *admin = g_getenv ("KA_ADMIN");

  if (admin == NULL || !g_file_test (admin, G_FILE_TEST_IS_EXECUTABLE))
    return NULL;
  return admin;
}

static char *
sample_pack_path (void)
{
  const char *root = g_getenv ("KA_SOURCE_ROOT");

  if (root == NULL)
    return NULL;
  return g_build_filename (root, "data", "packs", "sample-ko.json", NULL);
}

/* Skips the case when the binary or the pack is not there; returns FALSE then. */
static gboolean
require_admin (void)
{
  g_autofree char *pack = sample_pack_path ();

  if (admin_path () == NULL)
    {
      g_test_skip ("kai-arena-admin is not built (KA_ADMIN unset or not executable)");
      return FALSE;
    }
  if (pack == NULL || !g_file_test (pack, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("data/packs/sample-ko.json not found (KA_SOURCE_ROOT unset)");
      return FALSE;
    }
  return TRUE;
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

/* Runs kai-arena-admin ARGS… in the temporary directory; returns its exit status and
 * asserts it exited normally (a crash or a fatal warning is a failure here). */
static int
run_admin (const char * const  *args,
           char               **out,
           char               **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *local_out = NULL;
  g_autofree char *local_err = NULL;
  int status = 0;

  g_ptr_array_add (argv, (gpointer) admin_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (tmp_dir, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &local_out, &local_err, &status, &error);
  g_assert_no_error (error);
  if (!WIFEXITED (status))
    g_error ("kai-arena-admin %s did not exit normally (wait status %d); stderr:\n%s",
             args[0] ? args[0] : "", status, local_err);

  if (out != NULL)
    *out = g_steal_pointer (&local_out);
  if (err != NULL)
    *err = g_steal_pointer (&local_err);
  return WEXITSTATUS (status);
}

static int
simulate_into (const char  *db,
               char       **out)
{
  g_autofree char *pack = sample_pack_path ();
  g_autofree char *err = NULL;
  const char * const args[] = { "simulate", "--database", db, "--pack", pack,
                                "--votes", G_STRINGIFY (N_VOTES), "--seed", SEED, NULL };
  int status = run_admin (args, out, &err);

  if (status != 0)
    g_test_message ("simulate stderr: %s", err);
  return status;
}

/* Makes the shared store with `simulate` once; later cases reuse it. */
static void
ensure_database (void)
{
  g_autofree char *out = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;

  if (database != NULL)
    return;

  tmp_dir = g_dir_make_tmp ("ka-admin-cli-XXXXXX", &error);
  g_assert_no_error (error);
  database = tmp_path ("store.sqlite");

  g_assert_cmpint (simulate_into (database, &out), ==, 0);
  expected = g_strdup_printf ("Cast %d ballots (seed %s", N_VOTES, SEED);
  g_assert_nonnull (strstr (out, expected));
  g_assert_true (g_file_test (database, G_FILE_TEST_IS_REGULAR));
}

static sqlite3 *
open_db (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  return db;
}

static void
exec_sql (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static gint64
query_int (sqlite3    *db,
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
ballot_id_at (sqlite3 *db,
              gint64   seq)
{
  sqlite3_stmt *stmt = NULL;
  char *id;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT ballot_id FROM ballots WHERE seq = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, seq);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  return id;
}

/* A consistent, WAL-free snapshot of the shared store, to tamper with. */
static char *
copy_database (const char *name)
{
  char *copy = tmp_path (name);
  sqlite3 *db = open_db (database);
  sqlite3_stmt *stmt = NULL;

  g_remove (copy);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "VACUUM INTO ?", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, copy, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return copy;
}

static char *
file_checksum (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
}

static void
test_simulate (void)
{
  g_autofree char *second = NULL;
  g_autofree char *out = NULL;
  sqlite3 *a, *b;
  const char *sql = "SELECT group_concat(prompt_id || response_a || response_b || winner, ';')"
                    " FROM (SELECT * FROM ballots ORDER BY seq)";
  sqlite3_stmt *sa = NULL, *sb = NULL;

  if (!require_admin ())
    return;
  ensure_database ();

  a = open_db (database);
  g_assert_cmpint (query_int (a, "SELECT count(*) FROM ballots"), ==, N_VOTES);
  g_assert_cmpint (query_int (a, "SELECT count(DISTINCT device_id) FROM ballots"), ==, 1);
  g_assert_cmpint (query_int (a, "SELECT min(seq) FROM ballots"), ==, 1);
  g_assert_cmpint (query_int (a, "SELECT max(seq) FROM ballots"), ==, N_VOTES);

  /* The same seed gives the same battles and the same votes in a fresh store. */
  second = tmp_path ("second.sqlite");
  g_assert_cmpint (simulate_into (second, &out), ==, 0);
  b = open_db (second);
  g_assert_cmpint (sqlite3_prepare_v2 (a, sql, -1, &sa, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (b, sql, -1, &sb, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (sa), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_step (sb), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (sa, 0), ==,
                   (const char *) sqlite3_column_text (sb, 0));
  sqlite3_finalize (sa);
  sqlite3_finalize (sb);
  sqlite3_close (a);
  sqlite3_close (b);
}

static void
test_ballots_jsonl (void)
{
  const char *args[] = { "ballots", "--database", NULL, "--format", "jsonl", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) chain = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_ballot_free);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autofree char *head = NULL;
  g_autofree char *id_first = NULL;
  g_autofree char *id_last = NULL;
  sqlite3 *db;

  if (!require_admin ())
    return;
  ensure_database ();
  args[2] = database;

  g_assert_cmpint (run_admin (args, &out, &err), ==, 0);
  g_assert_true (g_str_has_suffix (out, "}\n"));
  lines = g_strsplit (out, "\n", -1);
  /* N lines, each ending in '\n', split into N strings and a final empty one. */
  g_assert_cmpuint (g_strv_length (lines), ==, N_VOTES + 1);
  g_assert_cmpstr (lines[N_VOTES], ==, "");

  for (guint i = 0; i < N_VOTES; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      KaBallot *ballot;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      ballot = ka_ballot_new_from_json (json_parser_get_root (parser), &error);
      g_assert_no_error (error);
      g_assert_nonnull (ballot);
      g_assert_cmpint (ballot->seq, ==, (gint64) i + 1);
      g_assert_true (ka_ballot_verify_hash (ballot));
      g_assert_cmpstr (ballot->pack_id, ==, "sample-ko-2026");
      g_assert_cmpstr (json_object_get_string_member (
                         json_node_get_object (json_parser_get_root (parser)), "delivery"),
                       ==, "pending");
      g_assert_false (g_hash_table_contains (ids, ballot->ballot_id));
      g_hash_table_add (ids, ballot->ballot_id);
      g_ptr_array_add (chain, ballot);
    }

  /* The listing is the whole chain, in order, and it is the store's content. */
  g_assert_true (ka_ballot_chain_verify (chain, &head, &error));
  g_assert_no_error (error);
  db = open_db (database);
  id_first = ballot_id_at (db, 1);
  id_last = ballot_id_at (db, N_VOTES);
  sqlite3_close (db);
  g_assert_cmpstr (((KaBallot *) chain->pdata[0])->ballot_id, ==, id_first);
  g_assert_cmpstr (((KaBallot *) chain->pdata[N_VOTES - 1])->ballot_id, ==, id_last);
  g_assert_cmpstr (head, ==, ((KaBallot *) chain->pdata[N_VOTES - 1])->hash);
}

/* Splits one RFC 4180 record (no CR/LF inside fields here) into its fields. */
static GPtrArray *
parse_csv_record (const char *line)
{
  GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);
  const char *p = line;

  for (;;)
    {
      if (*p == '"')
        {
          for (p++; *p != '\0'; p++)
            {
              if (*p == '"' && p[1] == '"')
                g_string_append_c (field, *p++);
              else if (*p == '"')
                break;
              else
                g_string_append_c (field, *p);
            }
          g_assert_cmpint (*p, ==, '"');
          p++;
        }
      else
        {
          for (; *p != '\0' && *p != ','; p++)
            g_string_append_c (field, *p);
        }

      g_ptr_array_add (fields, g_strdup (field->str));
      g_string_truncate (field, 0);
      if (*p == '\0')
        break;
      g_assert_cmpint (*p, ==, ',');
      p++;
    }

  g_string_free (field, TRUE);
  return fields;
}

static void
test_ballots_csv (void)
{
  const char *csv_args[] = { "ballots", "--database", NULL, "--format", "csv", NULL };
  const char *jsonl_args[] = { "ballots", "--database", NULL, NULL };
  g_autofree char *csv = NULL;
  g_autofree char *jsonl = NULL;
  g_auto(GStrv) rows = NULL;
  g_auto(GStrv) lines = NULL;

  if (!require_admin ())
    return;
  ensure_database ();
  csv_args[2] = database;
  jsonl_args[2] = database;

  g_assert_cmpint (run_admin (csv_args, &csv, NULL), ==, 0);
  /* jsonl is the default format. */
  g_assert_cmpint (run_admin (jsonl_args, &jsonl, NULL), ==, 0);

  g_assert_true (g_str_has_prefix (csv, CSV_BOM CSV_HEADER "\r\n"));
  g_assert_true (g_utf8_validate (csv, -1, NULL));
  g_assert_true (g_str_has_suffix (csv, "\r\n"));
  rows = g_strsplit (csv + strlen (CSV_BOM), "\r\n", -1);
  lines = g_strsplit (jsonl, "\n", -1);
  /* Header, N rows, and the empty string after the last CRLF. */
  g_assert_cmpuint (g_strv_length (rows), ==, N_VOTES + 2);
  g_assert_cmpstr (rows[N_VOTES + 1], ==, "");

  for (guint i = 1; i <= N_VOTES; i++)
    {
      g_autoptr(GPtrArray) fields = parse_csv_record (rows[i]);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *seq = g_strdup_printf ("%u", i);
      JsonObject *object;

      g_assert_cmpuint (fields->len, ==, N_CSV_COLUMNS);
      /* Each row says what the JSON line of the same ballot says. */
      json_parser_load_from_data (parser, lines[i - 1], -1, &error);
      g_assert_no_error (error);
      object = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpstr (fields->pdata[0], ==, json_object_get_string_member (object, "ballot_id"));
      g_assert_cmpstr (fields->pdata[3], ==, seq);
      g_assert_cmpstr (fields->pdata[8], ==, json_object_get_string_member (object, "winner"));
      g_assert_cmpstr (fields->pdata[16], ==, json_object_get_string_member (object, "hash"));
      g_assert_cmpstr (fields->pdata[17], ==, "pending");
    }
}

static void
test_verify_chain_intact (void)
{
  const char *args[] = { "verify-chain", "--database", NULL, NULL };
  g_autofree char *out = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *copy = NULL;

  if (!require_admin ())
    return;
  ensure_database ();

  /* On a checkpointed copy, so that the file bytes say whether it was written to. */
  copy = copy_database ("intact.sqlite");
  args[2] = copy;
  before = file_checksum (copy);
  g_assert_cmpint (run_admin (args, &out, NULL), ==, 0);
  after = file_checksum (copy);
  g_assert_cmpstr (before, ==, after);
  g_assert_nonnull (strstr (out, G_STRINGIFY (N_VOTES) " ballots"));
  g_assert_true (g_str_has_suffix (out, "OK\n"));

  g_clear_pointer (&out, g_free);
  args[2] = database;
  g_assert_cmpint (run_admin (args, &out, NULL), ==, 0);
}

typedef struct
{
  const char *name;
  const char *sql;          /* the tampering, run on a fresh copy */
  gint64      named_seq;    /* the ballot verify-chain must name (its seq before tampering) */
  const char *kind;         /* the word that says what happened */
} Tamper;

static const Tamper tampers[] = {
  /* One vote changed: its hash no longer matches its content. */
  { "altered-winner",
    "UPDATE ballots SET winner = CASE winner WHEN 'model_a' THEN 'model_b' ELSE 'model_a' END"
    " WHERE seq = 150",
    150, "altered" },
  /* One vote removed: the next one's seq and prev_hash point at a gap. */
  { "deleted-ballot",
    "DELETE FROM ballots WHERE seq = 100",
    101, "missing" },
  /* Two votes swapped by seq (through a free value: (device_id, seq) is unique). The one
   * that now sits at position 10 carries seq 10 over content hashed with seq 20. */
  { "swapped-seqs",
    "UPDATE ballots SET seq = 1000000 WHERE seq = 10;"
    "UPDATE ballots SET seq = 10 WHERE seq = 20;"
    "UPDATE ballots SET seq = 20 WHERE seq = 1000000;",
    20, "altered" },
  /* The first vote removed: the chain no longer starts from the genesis hash. */
  { "deleted-first",
    "DELETE FROM ballots WHERE seq = 1",
    2, "missing" },
};

static void
test_verify_chain_tampered (gconstpointer data)
{
  const Tamper *tamper = data;
  const char *args[] = { "verify-chain", "--database", NULL, NULL };
  g_autofree char *name = g_strdup_printf ("%s.sqlite", tamper->name);
  g_autofree char *copy = NULL;
  g_autofree char *named_id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  sqlite3 *db;

  if (!require_admin ())
    return;
  ensure_database ();

  copy = copy_database (name);
  db = open_db (copy);
  named_id = ballot_id_at (db, tamper->named_seq);
  exec_sql (db, tamper->sql);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_close (db);

  args[2] = copy;
  g_assert_cmpint (run_admin (args, &out, &err), ==, 1);
  g_test_message ("verify-chain on %s: %s", tamper->name, err);
  g_assert_true (g_str_has_suffix (out, "FAILED\n"));
  g_assert_nonnull (strstr (out, "BROKEN"));
  g_assert_true (g_str_has_prefix (err, "kai-arena-admin verify-chain: "));
  g_assert_nonnull (strstr (err, named_id));
  g_assert_nonnull (strstr (err, tamper->kind));
}

static void
test_missing_database (void)
{
  static const char * const commands[] = { "ballots", "verify-chain" };
  g_autofree char *missing = NULL;
  g_autofree char *wal = NULL;
  g_autofree char *dir = NULL;

  if (!require_admin ())
    return;
  ensure_database ();
  missing = tmp_path ("no-such-store.sqlite");
  wal = tmp_path ("no-such-store.sqlite-wal");
  dir = tmp_path ("a-directory");
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const char *args[] = { commands[i], "--database", missing, NULL };
      const char *dir_args[] = { commands[i], "--database", dir, NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *expected = g_strdup_printf ("kai-arena-admin %s: no database at %s\n",
                                                   commands[i], missing);

      g_assert_cmpint (run_admin (args, &out, &err), ==, 1);
      g_assert_cmpstr (err, ==, expected);
      g_assert_cmpstr (out, ==, "");
      /* An auditor's typo must not leave an empty store behind. */
      g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));

      g_clear_pointer (&err, g_free);
      g_assert_cmpint (run_admin (dir_args, NULL, &err), ==, 1);
      g_assert_nonnull (strstr (err, "not a regular file"));
    }

  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_usage_errors (void)
{
  g_autofree char *pack = NULL;
  g_autofree char *missing = NULL;

  if (!require_admin ())
    return;
  ensure_database ();
  pack = sample_pack_path ();
  missing = tmp_path ("usage.sqlite");

  {
    const char * const cases[][12] = {
      { NULL },
      { "frobnicate", NULL },
      { "--no-such-option", NULL },
      { "verify-chain", NULL },
      { "verify-chain", "--database", database, "extra-argument", NULL },
      { "verify-chain", "--database", database, "--no-such-option", NULL },
      { "ballots", NULL },
      { "ballots", "--database", database, "--format", "xml", NULL },
      { "ballots", "--database", missing, "--format", "xml", NULL },
      { "simulate", "--database", missing, NULL },
      { "simulate", "--pack", pack, NULL },
      { "simulate", "--database", missing, "--pack", pack, "--votes", "-1", NULL },
      { "simulate", "--database", missing, "--pack", pack, "--votes", "many", NULL },
      { "simulate", "--database", missing, "--pack", pack, "--mode", "robot", NULL },
      { "simulate", "--database", missing, "--pack", pack, "--left-bias", "2", NULL },
      { "pack", NULL },
      { "pack", "frobnicate", NULL },
      { "pack", "verify", NULL },
      { "pack", "verify", pack, pack, NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autofree char *err = NULL;
        g_autofree char *joined = g_strjoinv (" ", (char **) cases[i]);

        g_test_message ("kai-arena-admin %s", joined);
        g_assert_cmpint (run_admin (cases[i], NULL, &err), ==, 2);
        g_assert_cmpstr (err, !=, "");
        /* A refused command line touches nothing. */
        g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
      }
  }

  {
    const char * const help[] = { "--help", NULL };
    g_autofree char *out = NULL;

    g_assert_cmpint (run_admin (help, &out, NULL), ==, 0);
    g_assert_nonnull (strstr (out, "verify-chain"));
  }
}

/* `pack build` on sources as organisers will have them (issue 9): over a limit it stops
 * before reading any answer (no progress line, no file), saying which limit, by how much
 * and which option to use; a long build reports its progress, a short one does not. */
static char *
make_big_source (const char *tmp,
                 guint       copies,
                 guint       n_models)
{
  g_autofree char *real = ka_test_source_real_dir ();
  g_autofree char *dir = g_build_filename (tmp, "source", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (real);
  g_assert_true (ka_test_source_make (real, dir, copies, n_models, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&dir);
}

static guint
count_lines_with (const char *text,
                  const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      n++;
  return n;
}

static void
test_pack_build_limits (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *real = ka_test_source_real_dir ();
  g_autofree char *tmp = NULL;
  g_autofree char *source = NULL;
  g_autofree char *output = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GString) twenty = g_string_new (NULL);

  if (admin_path () == NULL || real == NULL)
    {
      g_test_skip ("needs kai-arena-admin and KA_SHARED_DATA/ko_arena_hard");
      return;
    }
  tmp = g_dir_make_tmp ("ka-admin-cli-limits-XXXXXX", &error);
  g_assert_no_error (error);
  source = make_big_source (tmp, 28, 72);
  output = g_build_filename (tmp, "pack.json", NULL);

  {
    const char * const args[] = { "pack", "build", "--from", "ko-arena-hard", "--source", source,
                                  "-o", output, NULL };

    g_assert_cmpint (run_admin (args, NULL, &err), ==, 1);
    g_test_message ("%s", err);
    g_assert_nonnull (strstr (err, "72 models"));
    g_assert_nonnull (strstr (err, "limit of 64"));
    g_assert_nonnull (strstr (err, "--models LIST"));
    g_assert_nonnull (strstr (err, "nothing was built"));
    g_assert_cmpuint (count_lines_with (err, "pack build: "), ==, 0);
    g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
    g_clear_pointer (&err, g_free);
  }

  {
    g_autofree char *answers = g_build_filename (source, "model_answer", NULL);
    g_autoptr(GDir) d = g_dir_open (answers, 0, NULL);
    const char *name;

    for (guint i = 0; i < 20 && (name = g_dir_read_name (d)) != NULL; i++)
      g_string_append_printf (twenty, "%s%.*s", i > 0 ? "," : "",
                              (int) (strlen (name) - strlen (".jsonl")), name);
  }
  {
    const char * const args[] = { "pack", "build", "--from", "ko-arena-hard", "--source", source,
                                  "--models", twenty->str, "-o", output, NULL };

    g_assert_cmpint (run_admin (args, NULL, &err), ==, 1);
    g_test_message ("%s", err);
    g_assert_nonnull (strstr (err, "MB"));
    g_assert_nonnull (strstr (err, "64 MiB"));
    g_assert_nonnull (strstr (err, "prompts would fit"));
    g_assert_nonnull (strstr (err, "--prompts N"));
    g_assert_nonnull (strstr (err, "--models LIST"));
    g_assert_cmpuint (count_lines_with (err, "pack build: "), ==, 0);
    g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
  }

  ka_test_source_remove (tmp);
}

static void
test_pack_build_progress (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *real = ka_test_source_real_dir ();
  g_autofree char *tmp = NULL;
  g_autofree char *big = NULL;
  g_autofree char *output = NULL;
  g_autofree char *err = NULL;

  if (admin_path () == NULL || real == NULL)
    {
      g_test_skip ("needs kai-arena-admin and KA_SHARED_DATA/ko_arena_hard");
      return;
    }
  tmp = g_dir_make_tmp ("ka-admin-cli-progress-XXXXXX", &error);
  g_assert_no_error (error);
  big = make_big_source (tmp, 5, 6);   /* 500 prompts, a 9 MB pack */
  output = g_build_filename (tmp, "pack.json", NULL);

  {
    const char * const args[] = { "pack", "build", "--from", "ko-arena-hard", "--source", big,
                                  "-o", output, NULL };

    g_assert_cmpint (run_admin (args, NULL, &err), ==, 0);
    /* Standard error is a pipe here: whole lines, every 5 %, up to 100 %. */
    g_assert_null (strchr (err, '\r'));
    g_assert_cmpuint (count_lines_with (err, "pack build: "), >=, 15);
    g_assert_cmpuint (count_lines_with (err, "pack build: "), <=, 21);
    g_assert_nonnull (strstr (err, "pack build: 5 % (reading answers)\n"));
    g_assert_nonnull (strstr (err, "pack build: 85 % (writing the pack)\n"));
    g_assert_nonnull (strstr (err, "pack build: 100 % (done)\n"));
    g_assert_true (g_file_test (output, G_FILE_TEST_IS_REGULAR));
    g_clear_pointer (&err, g_free);
  }

  /* The real source (a 2 MB pack) is quick: no progress. */
  {
    const char * const args[] = { "pack", "build", "--from", "ko-arena-hard", "--source", real,
                                  "-o", output, NULL };

    g_assert_cmpint (run_admin (args, NULL, &err), ==, 0);
    g_assert_cmpuint (count_lines_with (err, "pack build: "), ==, 0);
  }

  ka_test_source_remove (tmp);
}

static void
test_pack_verify (void)
{
  g_autofree char *pack = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *truncated = NULL;
  g_autofree char *dangling = NULL;
  g_autofree char *bad_utf8 = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  if (!require_admin ())
    return;
  ensure_database ();
  pack = sample_pack_path ();
  truncated = tmp_path ("truncated.json");
  dangling = tmp_path ("dangling.json");
  bad_utf8 = tmp_path ("bad-utf8.json");

  {
    const char * const args[] = { "pack", "verify", pack, NULL };
    g_autofree char *out = NULL;

    g_assert_cmpint (run_admin (args, &out, NULL), ==, 0);
    g_assert_nonnull (strstr (out, "valid kai-arena-pack/1 pack"));
    g_assert_nonnull (strstr (out, "sample-ko-2026"));
  }

  g_file_get_contents (pack, &contents, &len, &error);
  g_assert_no_error (error);

  /* Cut in half, as by an interrupted download. */
  g_file_set_contents (truncated, contents, len / 2, &error);
  g_assert_no_error (error);

  /* Well-formed JSON, but a response answers a prompt that does not exist. */
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(JsonGenerator) generator = json_generator_new ();
    JsonArray *responses;

    json_parser_load_from_data (parser, contents, len, &error);
    g_assert_no_error (error);
    responses = json_object_get_array_member (
      json_node_get_object (json_parser_get_root (parser)), "responses");
    json_object_set_string_member (json_array_get_object_element (responses, 3),
                                   "prompt_id", "no-such-prompt");
    json_generator_set_root (generator, json_parser_get_root (parser));
    json_generator_to_file (generator, dangling, &error);
    g_assert_no_error (error);
  }

  /* One byte of a Korean answer replaced by 0xFF: not UTF-8 any more. */
  {
    char *hangul = strstr (contents, "\xEB\x8B\xA4");   /* 다 */

    g_assert_nonnull (hangul);
    hangul[1] = (char) 0xFF;
    g_file_set_contents (bad_utf8, contents, len, &error);
    g_assert_no_error (error);
  }

  {
    const char * const corrupted[] = { truncated, dangling, bad_utf8 };
    const char * const expected[] = { "truncated", "responses[3].prompt_id", "UTF-8" };

    for (guint i = 0; i < G_N_ELEMENTS (corrupted); i++)
      {
        const char * const args[] = { "pack", "verify", corrupted[i], NULL };
        g_autofree char *out = NULL;
        g_autofree char *err = NULL;

        g_assert_cmpint (run_admin (args, &out, &err), ==, 1);
        g_test_message ("pack verify %s: %s", corrupted[i], err);
        g_assert_true (g_str_has_prefix (err, "kai-arena-admin pack verify: "));
        g_assert_nonnull (strstr (err, expected[i]));
        g_assert_null (strstr (out, "valid kai-arena-pack/1 pack"));
      }
  }
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_remove (child);
    }
  g_rmdir (path);
}

/* simulate never mixes simulated ballots into a store that holds real ones, and it
 * refuses absurd counts; a store it made itself it may extend. */
static void
test_simulate_refuses_real_store (void)
{
  g_autofree char *db = tmp_path ("real-votes.sqlite3");
  g_autofree char *pack_path = sample_pack_path ();
  g_autoptr(KaPack) pack = NULL;
  g_autoptr(KaStore) store = NULL;
  g_autoptr(KaBallot) ballot = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *now = ka_timestamp_now ();
  const KaPackPrompt *prompt;
  g_autoptr(GPtrArray) responses = NULL;
  KaBallotDraft draft = { 0 };
  const char * const huge[] = { "simulate", "--database", db, "--pack", pack_path,
                                "--votes", "2147483648", "--seed", "1", NULL };
  const char * const args[] = { "simulate", "--database", db, "--pack", pack_path,
                                "--votes", "5", "--seed", "1", NULL };

  if (!require_admin ())
    return;

  pack = ka_pack_new_from_file (pack_path, &error);
  g_assert_no_error (error);
  store = ka_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_true (ka_store_import_pack (store, pack, &error));
  g_assert_no_error (error);

  prompt = ka_pack_get_prompt (pack, 0);
  responses = ka_pack_get_prompt_responses (pack, prompt->prompt_id);
  g_assert_cmpuint (responses->len, >=, 2);
  draft.session_id = "real-session";
  draft.pack_id = ka_pack_get_id (pack);
  draft.prompt_id = prompt->prompt_id;
  draft.response_a = ((const KaPackResponse *) g_ptr_array_index (responses, 0))->response_id;
  draft.response_b = ((const KaPackResponse *) g_ptr_array_index (responses, 1))->response_id;
  draft.winner = KA_WINNER_TIE;
  draft.shown_at = now;
  draft.voted_at = now;
  draft.decision_ms = 5000;
  draft.mode = KA_MODE_CITIZEN;
  draft.ui_language = "ko";
  ballot = ka_store_commit_ballot (store, &draft, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  g_assert_cmpint (run_admin (huge, NULL, NULL), ==, 2);
  g_assert_cmpint (run_admin (args, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "real ballots"));

  store = ka_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ka_store_count_ballots (store, KA_DELIVERY_PENDING, &error), ==, 1);
}

/* `tally --server`: the collector's ballots give the same leaderboard as the store that
 * sent them; a wrong token and plain HTTP to a remote host are refused. */
static void
test_tally_server (void)
{
  g_autofree char *pack = sample_pack_path ();
  g_autofree char *db = NULL;
  g_autofree char *collector_db = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *bad_token_file = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *from_store = NULL;
  g_autofree char *from_server = NULL;
  g_autoptr(GError) error = NULL;
  KaTestCollector collector = { 0, };

  if (!require_admin ())
    return;
  if (g_getenv ("KA_COLLECTOR") == NULL ||
      !g_file_test (g_getenv ("KA_COLLECTOR"), G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("kai-arena-collector is not built (KA_COLLECTOR unset)");
      return;
    }
  ensure_database ();

  /* A fresh store (the shared one stays undelivered for the other cases). */
  db = tmp_path ("tally-server.sqlite");
  g_assert_cmpint (simulate_into (db, NULL), ==, 0);

  token_file = tmp_path ("organiser-token");
  g_file_set_contents (token_file, "organiser-token-for-tally-0123456789\n", -1, &error);
  g_assert_no_error (error);
  bad_token_file = tmp_path ("wrong-token");
  g_file_set_contents (bad_token_file, "not-the-organiser-token-0123456789\n", -1, &error);
  g_assert_no_error (error);

  collector_db = tmp_path ("collector.sqlite");
  log_path = tmp_path ("collector.log");
  {
    const char * const args[] = { "--listen", "127.0.0.1:0", "--database", collector_db,
                                  "--organiser-token-file", token_file, "--pack", pack, NULL };

    ka_test_collector_launch (&collector, args, log_path, NULL);
  }

  {
    const char * const args[] = { "sync", "--database", db, "--server", collector.url, NULL };

    g_assert_cmpint (run_admin (args, &out, &err), ==, 0);
    g_assert_nonnull (strstr (out, "accepted: " G_STRINGIFY (N_VOTES) "\n"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  {
    const char * const args[] = { "tally", "--database", db, "--pack", pack,
                                  "--format", "csv", NULL };

    g_assert_cmpint (run_admin (args, &from_store, &err), ==, 0);
    g_clear_pointer (&err, g_free);
  }
  {
    const char * const args[] = { "tally", "--server", collector.url, "--token-file",
                                  token_file, "--pack", pack, "--format", "csv", NULL };

    g_assert_cmpint (run_admin (args, &from_server, &err), ==, 0);
    g_clear_pointer (&err, g_free);
  }
  g_assert_true (g_str_has_prefix (from_store, "rank,model,rating,ci_lower,ci_upper,battles,"
                                               "win_rate\n"));
  g_assert_cmpuint (strlen (from_store), >, 100);
  g_assert_cmpstr (from_server, ==, from_store);

  /* A wrong token: the collector's refusal, with its error code. */
  {
    const char * const args[] = { "tally", "--server", collector.url, "--token-file",
                                  bad_token_file, "--pack", pack, "--format", "csv", NULL };

    g_assert_cmpint (run_admin (args, &out, &err), ==, 1);
    g_assert_cmpstr (out, ==, "");
    g_assert_nonnull (strstr (err, "401"));
    g_assert_nonnull (strstr (err, "unauthorized"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  g_assert_true (ka_test_collector_terminate (&collector));
  ka_test_collector_clear (&collector);

  /* Plain HTTP to a host other than this computer: refused by the URL check itself (a
   * connection to 192.0.2.1, a documentation address, would time out or fail otherwise). */
  {
    const char * const args[] = { "tally", "--server", "http://192.0.2.1/", "--token-file",
                                  token_file, "--pack", pack, NULL };

    g_assert_cmpint (run_admin (args, &out, &err), ==, 1);
    g_assert_cmpstr (out, ==, "");
    g_assert_nonnull (strstr (err, "refusing plain HTTP to 192.0.2.1"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* --server without --token-file is a usage error. */
  {
    const char * const args[] = { "tally", "--server", "https://collector.example/",
                                  "--pack", pack, NULL };

    g_assert_cmpint (run_admin (args, NULL, NULL), ==, 2);
  }
}

int
main (int    argc,
      char **argv)
{
  int status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ka/admin-cli/simulate", test_simulate);
  g_test_add_func ("/ka/admin-cli/simulate/refuses-real-store", test_simulate_refuses_real_store);
  g_test_add_func ("/ka/admin-cli/ballots/jsonl", test_ballots_jsonl);
  g_test_add_func ("/ka/admin-cli/ballots/csv", test_ballots_csv);
  g_test_add_func ("/ka/admin-cli/verify-chain/intact", test_verify_chain_intact);
  for (guint i = 0; i < G_N_ELEMENTS (tampers); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ka/admin-cli/verify-chain/%s",
                                               tampers[i].name);

      g_test_add_data_func (path, &tampers[i], test_verify_chain_tampered);
    }
  g_test_add_func ("/ka/admin-cli/missing-database", test_missing_database);
  g_test_add_func ("/ka/admin-cli/usage-errors", test_usage_errors);
  g_test_add_func ("/ka/admin-cli/pack-verify", test_pack_verify);
  g_test_add_func ("/ka/admin-cli/pack-build-limits", test_pack_build_limits);
  g_test_add_func ("/ka/admin-cli/pack-build-progress", test_pack_build_progress);
  g_test_add_func ("/ka/admin-cli/tally-server", test_tally_server);

  status = g_test_run ();

  if (tmp_dir != NULL)
    remove_tree (tmp_dir);
  g_free (database);
  g_free (tmp_dir);
  return status;
}
