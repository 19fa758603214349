/* ka-ballot-cursor.c: a store's ballots one row at a time, in chain order
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ka_store_list_ballots() copies every ballot into memory; an export of a whole contest
 * wants each row once, in (device, seq) order, and nothing kept. The cursor opens its own
 * read-only connection to the store file (the store must exist and be migrated: open it
 * with ka_store_open() first), reads inside one read transaction so that every row and
 * any later ka_ballot_cursor_list_device() see the same snapshot, and lends each row as a
 * #KaBallot whose strings point into SQLite's row buffer.
 */

#define G_LOG_DOMAIN "ka-ballot-cursor"

#include "config.h"

#include <sqlite3.h>

#include "ka-ballot-cursor.h"
#include "ka-store.h"

#define SELECT_COLUMNS \
  "SELECT ballot_id, device_id, session_id, seq, pack_id, prompt_id, response_a, " \
  "response_b, winner, shown_at, voted_at, decision_ms, mode, ui_language, identity_flag, " \
  "prev_hash, hash FROM ballots "

struct _KaBallotCursor
{
  sqlite3      *db;
  sqlite3_stmt *rows;
  KaBallot      current;   /* borrowed strings: valid until the next step */
};

static gboolean
sqlite_failed (sqlite3     *db,
               int          rc,
               const char  *what,
               GError     **error)
{
  g_set_error (error, KA_STORE_ERROR, KA_STORE_ERROR_SQLITE, "%s: %s", what,
               db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  return FALSE;
}

/**
 * ka_ballot_cursor_open:
 * @database_path: a K-AI Arena store (SQLite)
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a cursor before the first ballot, or %NULL with
 *   #KA_STORE_ERROR_SQLITE
 */
KaBallotCursor *
ka_ballot_cursor_open (const char  *database_path,
                       GError     **error)
{
  g_autoptr(KaBallotCursor) self = g_new0 (KaBallotCursor, 1);
  int rc;

  g_return_val_if_fail (database_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rc = sqlite3_open_v2 (database_path, &self->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      sqlite_failed (self->db, rc, database_path, error);
      return NULL;
    }
  sqlite3_busy_timeout (self->db, 5000);
  rc = sqlite3_exec (self->db, "BEGIN", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      sqlite_failed (self->db, rc, "beginning a read", error);
      return NULL;
    }
  /* UNIQUE (device_id, seq) gives an index in this order; BINARY collation compares
   * bytes, as g_strcmp0() does in ka_export_write(). */
  rc = sqlite3_prepare_v3 (self->db, SELECT_COLUMNS "ORDER BY device_id, seq", -1, 0,
                           &self->rows, NULL);
  if (rc != SQLITE_OK)
    {
      sqlite_failed (self->db, rc, "listing ballots", error);
      return NULL;
    }
  return g_steal_pointer (&self);
}

static void
read_row (sqlite3_stmt *stmt,
          KaBallot     *b)
{
  b->ballot_id = (char *) sqlite3_column_text (stmt, 0);
  b->device_id = (char *) sqlite3_column_text (stmt, 1);
  b->session_id = (char *) sqlite3_column_text (stmt, 2);
  b->seq = sqlite3_column_int64 (stmt, 3);
  b->pack_id = (char *) sqlite3_column_text (stmt, 4);
  b->prompt_id = (char *) sqlite3_column_text (stmt, 5);
  b->response_a = (char *) sqlite3_column_text (stmt, 6);
  b->response_b = (char *) sqlite3_column_text (stmt, 7);
  /* The CHECK constraints keep these in range. */
  ka_winner_from_string ((const char *) sqlite3_column_text (stmt, 8), &b->winner);
  b->shown_at = (char *) sqlite3_column_text (stmt, 9);
  b->voted_at = (char *) sqlite3_column_text (stmt, 10);
  b->decision_ms = sqlite3_column_int64 (stmt, 11);
  ka_mode_from_string ((const char *) sqlite3_column_text (stmt, 12), &b->mode);
  b->ui_language = (char *) sqlite3_column_text (stmt, 13);
  b->identity_flag = sqlite3_column_int (stmt, 14) != 0;
  b->prev_hash = (char *) sqlite3_column_text (stmt, 15);
  b->hash = (char *) sqlite3_column_text (stmt, 16);
}

/**
 * ka_ballot_cursor_next:
 * @self: a cursor
 * @ballot: (out) (transfer none): the next ballot, valid until the next call; never to
 *   be freed
 * @error: return location for a #GError
 *
 * Steps to the next ballot in (device, seq) order.
 *
 * Returns: %TRUE with @ballot set; %FALSE at the end (@error unset) or on failure
 *   (#KA_STORE_ERROR_SQLITE)
 */
gboolean
ka_ballot_cursor_next (KaBallotCursor  *self,
                       const KaBallot **ballot,
                       GError         **error)
{
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (ballot != NULL, FALSE);

  *ballot = NULL;
  rc = sqlite3_step (self->rows);
  if (rc == SQLITE_DONE)
    return FALSE;
  if (rc != SQLITE_ROW)
    return sqlite_failed (self->db, rc, "listing ballots", error);
  read_row (self->rows, &self->current);
  *ballot = &self->current;
  return TRUE;
}

/**
 * ka_ballot_cursor_list_device:
 * @self: a cursor
 * @device_id: a device
 * @error: return location for a #GError
 *
 * Reads one device's whole chain, in seq order, from the cursor's snapshot (for the
 * rare chain that does not verify, whose error names ballots further on).
 *
 * Returns: (transfer full) (element-type KaBallot): copies of the ballots, or %NULL with
 *   #KA_STORE_ERROR_SQLITE
 */
GPtrArray *
ka_ballot_cursor_list_device (KaBallotCursor  *self,
                              const char      *device_id,
                              GError         **error)
{
  g_autoptr(GPtrArray) chain = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_ballot_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (device_id != NULL, NULL);

  rc = sqlite3_prepare_v3 (self->db, SELECT_COLUMNS "WHERE device_id = ? ORDER BY seq", -1, 0,
                           &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      sqlite_failed (self->db, rc, "listing a device's ballots", error);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, device_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      KaBallot row = { 0, };

      read_row (stmt, &row);
      g_ptr_array_add (chain, ka_ballot_copy (&row));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sqlite_failed (self->db, rc, "listing a device's ballots", error);
      return NULL;
    }
  return g_steal_pointer (&chain);
}

/**
 * ka_ballot_cursor_free:
 * @self: (transfer full) (nullable): a cursor
 *
 * Ends the read and closes the connection.
 */
void
ka_ballot_cursor_free (KaBallotCursor *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->rows, sqlite3_finalize);
  if (self->db != NULL)
    {
      sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);
      sqlite3_close (self->db);
    }
  g_free (self);
}
