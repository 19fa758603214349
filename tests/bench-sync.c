/* bench-sync.c: sync throughput, client to collector on loopback, beside raw SQLite inserts
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * N ballots (default 100,000) wait in a real store; the built kai-arena-collector runs on
 * 127.0.0.1; one KaSync run delivers them all (batches of 500: the client lists the
 * batch, the collector parses and verifies every hash, checks the chain and commits the
 * batch with synchronous=FULL, the client settles the receipt in one transaction). That
 * time is printed beside the collector's raw SQLite insert rate for the same rows: the
 * rows the collector stored, inserted again into a fresh database with the collector's
 * own schema (read from its file) and pragmas (WAL, synchronous=FULL, foreign_keys=ON),
 * one transaction per 500 rows, in one process. The ratio is what the protocol, HTTP,
 * JSON, hashing and the client's bookkeeping cost on top of the disk.
 *
 * The ballots are written into the store with raw SQL in one transaction (the store's
 * documented columns, docs/ballots.md §6), chained and hashed with ka-ballot exactly as
 * ka_store_commit_ballot() does: committing 100,000 ballots one by one would time the
 * store, not the sync (bench-store does that).
 *
 * KA_BENCH_SYNC_BALLOTS: N (default 100000); KA_BENCH_KEEP: keep the directory (databases and
 * the collector's log; G_MESSAGES_DEBUG=ka-collector logs each batch's database time).
 */

#define G_LOG_DOMAIN "bench-sync"

#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "ka-ballot.h"
#include "ka-store.h"
#include "ka-sync.h"
#include "ka-test-support.h"

#define ORGANISER_TOKEN "organiser-token-for-the-sync-benchmark"
#define BATCH 500

static void
check_sqlite (sqlite3    *db,
              int         rc,
              const char *what)
{
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    g_error ("%s: %s", what, sqlite3_errmsg (db));
}

static void
exec_sql (sqlite3    *db,
          const char *sql)
{
  check_sqlite (db, sqlite3_exec (db, sql, NULL, NULL, NULL), sql);
}

/* N chained ballots of @device_id, straight into the store's ballots table. */
static void
fill_store (const char *path,
            const char *device_id,
            guint       n)
{
  static const char * const prompts[] = { "p1", "p2", "p3", "p4" };
  static const char * const responses[] = { "r1", "r2", "r3" };
  g_autofree char *prev = g_strdup (KA_BALLOT_GENESIS_HASH);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  check_sqlite (db, sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), path);
  sqlite3_busy_timeout (db, 5000);
  exec_sql (db, "BEGIN IMMEDIATE");
  check_sqlite (db, sqlite3_prepare_v2 (db,
                    "INSERT INTO ballots (ballot_id, device_id, session_id, seq, pack_id, "
                    "prompt_id, response_a, response_b, winner, shown_at, voted_at, "
                    "decision_ms, mode, ui_language, identity_flag, prev_hash, hash) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    -1, &stmt, NULL), "prepare");

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(KaBallot) b = ka_ballot_new ();

      b->ballot_id = g_uuid_string_random ();
      b->device_id = g_strdup (device_id);
      b->session_id = g_strdup_printf ("session-%u", i / 25);
      b->seq = i + 1;
      b->pack_id = g_strdup ("bench-sync-2026");
      b->prompt_id = g_strdup (prompts[i % 4]);
      b->response_a = g_strdup_printf ("%s-%s", prompts[i % 4], responses[i % 3]);
      b->response_b = g_strdup_printf ("%s-%s", prompts[i % 4], responses[(i + 1) % 3]);
      b->winner = (KaWinner) (i % 4);
      b->shown_at = g_strdup ("2026-11-29T12:00:00.000Z");
      b->voted_at = g_strdup ("2026-11-29T12:00:08.123Z");
      b->decision_ms = 8123;
      b->mode = KA_MODE_CITIZEN;
      b->ui_language = g_strdup ("ko");
      b->identity_flag = FALSE;
      b->prev_hash = g_strdup (prev);
      b->hash = ka_ballot_compute_hash (b);

      sqlite3_bind_text (stmt, 1, b->ballot_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, b->device_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, b->session_id, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 4, b->seq);
      sqlite3_bind_text (stmt, 5, b->pack_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, b->prompt_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 7, b->response_a, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 8, b->response_b, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 9, ka_winner_to_string (b->winner), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 10, b->shown_at, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 11, b->voted_at, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 12, b->decision_ms);
      sqlite3_bind_text (stmt, 13, ka_mode_to_string (b->mode), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 14, b->ui_language, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 15, 0);
      sqlite3_bind_text (stmt, 16, b->prev_hash, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 17, b->hash, -1, SQLITE_STATIC);
      check_sqlite (db, sqlite3_step (stmt), "insert");
      sqlite3_reset (stmt);

      g_free (prev);
      prev = g_strdup (b->hash);
    }

  sqlite3_finalize (stmt);
  exec_sql (db, "COMMIT");
  sqlite3_close (db);
}

/* The collector's rows, inserted again into a fresh database with its schema and pragmas,
 * one transaction per BATCH rows. Returns the seconds the inserts took. */
static double
raw_insert_seconds (const char *collector_db,
                    const char *fresh_db,
                    guint      *n_rows)
{
  sqlite3 *src = NULL;
  sqlite3 *dst = NULL;
  sqlite3_stmt *read = NULL;
  sqlite3_stmt *insert = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GString) placeholders = g_string_new (NULL);
  g_autofree char *insert_sql = NULL;
  gint64 start;
  int n_columns;

  check_sqlite (src, sqlite3_open_v2 (collector_db, &src, SQLITE_OPEN_READONLY, NULL),
                collector_db);
  check_sqlite (dst, sqlite3_open_v2 (fresh_db, &dst,
                                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                fresh_db);

  /* The collector's pragmas (ka-collector-db.c) and its own schema, read from its file. */
  exec_sql (dst, "PRAGMA journal_mode = WAL");
  exec_sql (dst, "PRAGMA synchronous = FULL");
  exec_sql (dst, "PRAGMA foreign_keys = ON");
  check_sqlite (src, sqlite3_prepare_v2 (src, "SELECT sql FROM sqlite_master WHERE sql NOT NULL "
                                              "ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 "
                                              "END, rowid", -1, &read, NULL), "schema");
  exec_sql (dst, "BEGIN");
  while (sqlite3_step (read) == SQLITE_ROW)
    exec_sql (dst, (const char *) sqlite3_column_text (read, 0));
  sqlite3_finalize (read);
  exec_sql (dst, "COMMIT");

  /* Devices first (ballots reference them), copied in one go. */
  {
    g_autofree char *attach = g_strdup_printf ("ATTACH DATABASE '%s' AS src", collector_db);

    exec_sql (dst, attach);
    exec_sql (dst, "INSERT INTO main.devices SELECT * FROM src.devices");
    exec_sql (dst, "DETACH DATABASE src");
  }

  /* Every ballot row, in memory, with the types the collector stored. */
  check_sqlite (src, sqlite3_prepare_v2 (src, "SELECT * FROM ballots ORDER BY device_id, seq",
                                         -1, &read, NULL), "select");
  n_columns = sqlite3_column_count (read);
  while (sqlite3_step (read) == SQLITE_ROW)
    {
      sqlite3_value **row = g_new0 (sqlite3_value *, n_columns);

      for (int c = 0; c < n_columns; c++)
        row[c] = sqlite3_value_dup (sqlite3_column_value (read, c));
      g_ptr_array_add (rows, row);
    }
  sqlite3_finalize (read);
  sqlite3_close (src);

  for (int c = 0; c < n_columns; c++)
    g_string_append (placeholders, c == 0 ? "?" : ", ?");
  insert_sql = g_strdup_printf ("INSERT INTO ballots VALUES (%s)", placeholders->str);
  check_sqlite (dst, sqlite3_prepare_v2 (dst, insert_sql, -1, &insert, NULL), insert_sql);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < rows->len; i += BATCH)
    {
      exec_sql (dst, "BEGIN IMMEDIATE");
      for (guint j = i; j < MIN (rows->len, i + BATCH); j++)
        {
          sqlite3_value **row = g_ptr_array_index (rows, j);

          for (int c = 0; c < n_columns; c++)
            sqlite3_bind_value (insert, c + 1, row[c]);
          check_sqlite (dst, sqlite3_step (insert), "insert");
          sqlite3_reset (insert);
        }
      exec_sql (dst, "COMMIT");
    }

  sqlite3_finalize (insert);
  sqlite3_close (dst);
  *n_rows = rows->len;
  for (guint i = 0; i < rows->len; i++)
    {
      sqlite3_value **row = g_ptr_array_index (rows, i);

      for (int c = 0; c < n_columns; c++)
        sqlite3_value_free (row[c]);
      g_free (row);
    }
  return (g_get_monotonic_time () - start) / 1e6;
}

int
main (int    argc,
      char **argv)
{
  const char *collector_binary = g_getenv ("KA_COLLECTOR");
  const char *env_n = g_getenv ("KA_BENCH_SYNC_BALLOTS");
  guint n = env_n != NULL ? (guint) g_ascii_strtoull (env_n, NULL, 10) : 100000;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *store_path = NULL;
  g_autofree char *collector_db = NULL;
  g_autofree char *fresh_db = NULL;
  g_autoptr(KaStore) store = NULL;
  g_autoptr(KaSync) sync = NULL;
  KaTestCollector collector = { NULL, };
  g_autofree char *device_id = NULL;
  g_autofree char *log_path = NULL;
  const KaSyncReport *report;
  KaOutboxCounts counts;
  double sync_s;
  double raw_s;
  guint raw_rows = 0;
  gint64 start;

  if (collector_binary == NULL)
    {
      printf ("bench-sync: KA_COLLECTOR is not set (run through meson); skipped\n");
      return 77;
    }
  if (n < 1000)
    n = 1000;

  dir = ka_test_make_tmp_dir ("ka-bench-sync-XXXXXX");
  store_path = g_build_filename (dir, "arena.sqlite3", NULL);
  collector_db = g_build_filename (dir, "collector.sqlite3", NULL);
  fresh_db = g_build_filename (dir, "raw.sqlite3", NULL);
  log_path = g_build_filename (dir, "collector.log", NULL);

  /* The store, its device ID, and N pending ballots. */
  store = ka_store_open (store_path, &error);
  g_assert_no_error (error);
  device_id = g_strdup (ka_store_get_device_id (store));
  g_clear_object (&store);
  start = g_get_monotonic_time ();
  fill_store (store_path, device_id, n);
  printf ("prepared %u pending ballots in %.1f s\n", n,
          (g_get_monotonic_time () - start) / 1e6);

  {
    const char * const args[] = {
      "--listen", "127.0.0.1:0", "--database", collector_db,
      "--organiser-token", ORGANISER_TOKEN, "--citizen-enrolments-per-hour", "0", NULL
    };

    ka_test_collector_launch (&collector, args, log_path, NULL);
  }

  store = ka_store_open (store_path, &error);
  g_assert_no_error (error);
  sync = g_object_new (KA_TYPE_SYNC, "store", store, "server-url", collector.url,
                       "timeout", 120, "batch-size", BATCH, "fetch-pack", FALSE, NULL);
  ka_test_sync_enrol (sync, KA_MODE_CITIZEN, NULL, &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  ka_test_sync_run (sync, &error);
  sync_s = (g_get_monotonic_time () - start) / 1e6;
  g_assert_no_error (error);

  report = ka_sync_get_last_report (sync);
  g_assert_cmpuint (report->accepted, ==, n);
  g_assert_cmpint (report->server_count, ==, n);
  g_assert_true (ka_store_get_outbox_counts (store, &counts, &error));
  g_assert_cmpint (counts.delivered, ==, n);
  g_assert_cmpint (counts.pending, ==, 0);

  g_assert_true (ka_test_collector_terminate (&collector));
  ka_test_collector_clear (&collector);

  raw_s = raw_insert_seconds (collector_db, fresh_db, &raw_rows);
  g_assert_cmpuint (raw_rows, ==, n);

  printf ("sync over loopback: %u ballots in %.2f s = %.0f ballots/s "
          "(%.1f ms per batch of %d, %u HTTP requests)\n",
          n, sync_s, n / sync_s, sync_s * 1000.0 * BATCH / n, BATCH, report->requests);
  printf ("raw SQLite insert of the collector's rows (same schema and pragmas, %d per "
          "transaction): %.2f s = %.0f rows/s (%.1f ms per transaction)\n",
          BATCH, raw_s, raw_rows / raw_s, raw_s * 1000.0 * BATCH / raw_rows);
  printf ("ratio sync time / raw insert time: %.1f\n", sync_s / raw_s);

  g_clear_object (&sync);
  g_clear_object (&store);
  if (g_getenv ("KA_BENCH_KEEP") != NULL)
    {
      printf ("kept %s\n", dir);
      return 0;
    }
  ka_test_remove_tree (dir);

  return 0;
}
