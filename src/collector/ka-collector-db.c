/* ka-collector-db.c: the collector's SQLite database (devices and received ballots)
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One connection, used from the server's main thread only. WAL with synchronous=FULL, so
 * a batch whose COMMIT returned survives a power cut; the 201 receipt is sent only after
 * that. Several collector processes may share one database file: every batch runs in a
 * BEGIN IMMEDIATE transaction that re-reads the device's chain head, so two racing
 * uploads of the same ballots store each ballot once (docs/protocol.md, "Idempotency").
 */

#define G_LOG_DOMAIN "ka-collector-db"

#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "ka-collector-db.h"

/* How long a writer waits for another process's transaction before giving up (503). */
#define BUSY_TIMEOUT_MS 5000

struct _KaCollectorDb
{
  GObject       parent_instance;

  /* owned */
  char         *path;
  sqlite3      *db;
  sqlite3_stmt *select_existing;
  sqlite3_stmt *insert_ballot;
  sqlite3_stmt *select_head;
  int           schema_version;
};

G_DEFINE_FINAL_TYPE (KaCollectorDb, ka_collector_db, G_TYPE_OBJECT)

G_DEFINE_QUARK (ka-collector-db-error-quark, ka_collector_db_error)

/* Migrations, indexed by the user_version they start from; each runs in one transaction.
 * Ballots are append-only: the triggers make an UPDATE or DELETE fail loudly, whatever
 * code path tries it. */
static const char * const migrations[] = {
  /* 0 → 1 */
  "CREATE TABLE devices ("
  "  device_id    TEXT PRIMARY KEY NOT NULL,"
  "  token_sha256 TEXT NOT NULL UNIQUE,"
  "  kind         TEXT NOT NULL CHECK (kind IN ('citizen', 'kiosk')),"
  "  created_at   TEXT NOT NULL"
  ") STRICT;"
  "CREATE TABLE ballots ("
  "  ballot_id     TEXT PRIMARY KEY NOT NULL,"
  "  device_id     TEXT NOT NULL REFERENCES devices (device_id),"
  "  seq           INTEGER NOT NULL CHECK (seq >= 1),"
  "  pack_id       TEXT NOT NULL,"
  "  prompt_id     TEXT NOT NULL,"
  "  response_a    TEXT NOT NULL,"
  "  response_b    TEXT NOT NULL,"
  "  winner        TEXT NOT NULL,"
  "  mode          TEXT NOT NULL,"
  "  identity_flag INTEGER NOT NULL,"
  "  voted_at      TEXT NOT NULL,"
  "  model_a       TEXT,"
  "  model_b       TEXT,"
  "  prev_hash     TEXT NOT NULL,"
  "  hash          TEXT NOT NULL,"
  "  canonical     TEXT NOT NULL,"
  "  received_at   TEXT NOT NULL,"
  "  UNIQUE (device_id, seq)"
  ") STRICT;"
  "CREATE TRIGGER ballots_no_update BEFORE UPDATE ON ballots"
  "  BEGIN SELECT RAISE (ABORT, 'ballots are append-only'); END;"
  "CREATE TRIGGER ballots_no_delete BEFORE DELETE ON ballots"
  "  BEGIN SELECT RAISE (ABORT, 'ballots are append-only'); END;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == KA_COLLECTOR_DB_SCHEMA_VERSION);

static const char * const kind_names[] = {
  [KA_DEVICE_KIND_CITIZEN] = "citizen",
  [KA_DEVICE_KIND_KIOSK] = "kiosk",
};

const char *
ka_device_kind_to_string (KaDeviceKind kind)
{
  if ((guint) kind >= G_N_ELEMENTS (kind_names))
    return NULL;
  return kind_names[kind];
}

gboolean
ka_device_kind_from_string (const char   *str,
                            KaDeviceKind *kind)
{
  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    {
      if (strcmp (str, kind_names[i]) == 0)
        {
          if (kind != NULL)
            *kind = (KaDeviceKind) i;
          return TRUE;
        }
    }

  return FALSE;
}

void
ka_submit_item_clear (KaSubmitItem *item)
{
  g_clear_pointer (&item->reject_message, g_free);
  g_clear_pointer (&item->stored_model_a, g_free);
  g_clear_pointer (&item->stored_model_b, g_free);
}

static gboolean
set_sqlite_error (KaCollectorDb  *self,
                  int             rc,
                  const char     *what,
                  GError        **error)
{
  int code = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED
               ? KA_COLLECTOR_DB_ERROR_BUSY
               : KA_COLLECTOR_DB_ERROR_SQLITE;

  g_set_error (error, KA_COLLECTOR_DB_ERROR, code, "%s: %s", what,
               self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
  return FALSE;
}

static gboolean
exec_sql (KaCollectorDb  *self,
          const char     *sql,
          GError        **error)
{
  char *message = NULL;
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    {
      int code = (rc & 0xff) == SQLITE_BUSY ? KA_COLLECTOR_DB_ERROR_BUSY
                                            : KA_COLLECTOR_DB_ERROR_SQLITE;

      g_set_error (error, KA_COLLECTOR_DB_ERROR, code, "%s",
                   message != NULL ? message : sqlite3_errstr (rc));
      sqlite3_free (message);
      return FALSE;
    }

  return TRUE;
}

static void
rollback (KaCollectorDb *self)
{
  /* Fails harmlessly when SQLite already rolled back on its own. */
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

static gboolean
prepare (KaCollectorDb  *self,
         const char     *sql,
         gboolean        persistent,
         sqlite3_stmt  **stmt,
         GError        **error)
{
  int rc = sqlite3_prepare_v3 (self->db, sql, -1,
                               persistent ? SQLITE_PREPARE_PERSISTENT : 0, stmt, NULL);

  if (rc != SQLITE_OK)
    return set_sqlite_error (self, rc, "preparing a statement", error);
  return TRUE;
}

static int
read_user_version (KaCollectorDb *self)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return version;
}

static gboolean
migrate (KaCollectorDb  *self,
         GError        **error)
{
  for (;;)
    {
      g_autofree char *bump = NULL;
      int version;

      /* Re-read inside the write lock: another collector may have migrated meanwhile. */
      if (!exec_sql (self, "BEGIN IMMEDIATE", error))
        return FALSE;

      version = read_user_version (self);
      if (version < 0)
        {
          rollback (self);
          return set_sqlite_error (self, SQLITE_ERROR, "reading the schema version", error);
        }

      if (version > KA_COLLECTOR_DB_SCHEMA_VERSION)
        {
          rollback (self);
          g_set_error (error, KA_COLLECTOR_DB_ERROR, KA_COLLECTOR_DB_ERROR_NEWER_SCHEMA,
                       "%s has schema version %d, newer than this collector's %d: "
                       "upgrade kai-arena-collector", self->path, version,
                       KA_COLLECTOR_DB_SCHEMA_VERSION);
          return FALSE;
        }

      if (version == KA_COLLECTOR_DB_SCHEMA_VERSION)
        {
          self->schema_version = version;
          return exec_sql (self, "COMMIT", error);
        }

      bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);
      if (!exec_sql (self, migrations[version], error) ||
          !exec_sql (self, bump, error) ||
          !exec_sql (self, "COMMIT", error))
        {
          rollback (self);
          g_prefix_error (error, "migrating %s to schema version %d: ", self->path,
                          version + 1);
          return FALSE;
        }
    }
}

static gboolean
configure (KaCollectorDb  *self,
           GError        **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean wal = FALSE;

  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  if (sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL) ==
        SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    wal = g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 0), "wal") == 0;
  sqlite3_finalize (stmt);

  if (!wal)
    {
      g_set_error (error, KA_COLLECTOR_DB_ERROR, KA_COLLECTOR_DB_ERROR_NOT_WAL,
                   "%s: could not switch the journal to WAL mode", self->path);
      return FALSE;
    }

  return exec_sql (self, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", error);
}

static void
ka_collector_db_finalize (GObject *object)
{
  KaCollectorDb *self = KA_COLLECTOR_DB (object);

  g_clear_pointer (&self->select_existing, sqlite3_finalize);
  g_clear_pointer (&self->insert_ballot, sqlite3_finalize);
  g_clear_pointer (&self->select_head, sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (ka_collector_db_parent_class)->finalize (object);
}

static void
ka_collector_db_class_init (KaCollectorDbClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ka_collector_db_finalize;
}

static void
ka_collector_db_init (KaCollectorDb *self)
{
}

/**
 * ka_collector_db_open:
 * @path: the database file; created if absent
 * @error: return location for a #KaCollectorDbError
 *
 * Opens (and creates or migrates) the collector database: WAL journal, synchronous=FULL,
 * foreign keys on, a busy timeout of 5 s. A database of a newer schema is refused.
 *
 * Returns: (transfer full) (nullable): the database, or %NULL with @error set.
 */
KaCollectorDb *
ka_collector_db_open (const char  *path,
                      GError     **error)
{
  g_autoptr(KaCollectorDb) self = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (KA_TYPE_COLLECTOR_DB, NULL);
  self->path = g_strdup (path);

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (self, rc, "opening the database", error);
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, 1);

  if (!configure (self, error) || !migrate (self, error))
    return NULL;

  if (!prepare (self,
                "SELECT canonical, model_a, model_b FROM ballots WHERE ballot_id = ?",
                TRUE, &self->select_existing, error) ||
      !prepare (self,
                "INSERT INTO ballots (ballot_id, device_id, seq, pack_id, prompt_id,"
                " response_a, response_b, winner, mode, identity_flag, voted_at, model_a,"
                " model_b, prev_hash, hash, canonical, received_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                TRUE, &self->insert_ballot, error) ||
      !prepare (self,
                "SELECT seq, hash FROM ballots WHERE device_id = ? ORDER BY seq DESC LIMIT 1",
                TRUE, &self->select_head, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
ka_collector_db_get_path (KaCollectorDb *self)
{
  g_return_val_if_fail (KA_IS_COLLECTOR_DB (self), NULL);

  return self->path;
}

int
ka_collector_db_get_schema_version (KaCollectorDb *self)
{
  g_return_val_if_fail (KA_IS_COLLECTOR_DB (self), -1);

  return self->schema_version;
}

/**
 * ka_collector_db_add_device:
 * @self: a #KaCollectorDb
 * @device_id: a new device ID
 * @token_sha256: hex SHA-256 of the device's bearer token (the token itself is never
 *   stored)
 * @kind: citizen or kiosk
 * @created_at: RFC 3339 UTC time
 * @error: return location for a #KaCollectorDbError;
 *   %KA_COLLECTOR_DB_ERROR_EXISTS if @device_id is taken
 *
 * Returns: %TRUE once the device row is committed.
 */
gboolean
ka_collector_db_add_device (KaCollectorDb  *self,
                            const char     *device_id,
                            const char     *token_sha256,
                            KaDeviceKind    kind,
                            const char     *created_at,
                            GError        **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (KA_IS_COLLECTOR_DB (self), FALSE);
  g_return_val_if_fail (device_id != NULL && token_sha256 != NULL, FALSE);
  g_return_val_if_fail (ka_device_kind_to_string (kind) != NULL, FALSE);

  if (!prepare (self,
                "INSERT INTO devices (device_id, token_sha256, kind, created_at)"
                " VALUES (?, ?, ?, ?)", FALSE, &stmt, error))
    return FALSE;

  sqlite3_bind_text (stmt, 1, device_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, token_sha256, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, ka_device_kind_to_string (kind), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, created_at, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);

  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      g_set_error (error, KA_COLLECTOR_DB_ERROR, KA_COLLECTOR_DB_ERROR_EXISTS,
                   "device %s is already enrolled", device_id);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, rc, "adding a device", error);
  return TRUE;
}

/**
 * ka_collector_db_lookup_token:
 * @self: a #KaCollectorDb
 * @token_sha256: hex SHA-256 of a presented bearer token
 * @device_id: (out) (optional) (transfer full): the device's ID
 * @kind: (out) (optional): the device's kind
 * @error: return location for a #KaCollectorDbError; %KA_COLLECTOR_DB_ERROR_NOT_FOUND
 *   for an unknown token
 *
 * Returns: %TRUE if the token belongs to an enrolled device.
 */
gboolean
ka_collector_db_lookup_token (KaCollectorDb  *self,
                              const char     *token_sha256,
                              char          **device_id,
                              KaDeviceKind   *kind,
                              GError        **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;
  int rc;

  g_return_val_if_fail (KA_IS_COLLECTOR_DB (self), FALSE);
  g_return_val_if_fail (token_sha256 != NULL, FALSE);

  if (!prepare (self, "SELECT device_id, kind FROM devices WHERE token_sha256 = ?", FALSE,
                &stmt, error))
    return FALSE;

  sqlite3_bind_text (stmt, 1, token_sha256, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      found = TRUE;
      if (device_id != NULL)
        *device_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (kind != NULL &&
          !ka_device_kind_from_string ((const char *) sqlite3_column_text (stmt, 1), kind))
        *kind = KA_DEVICE_KIND_CITIZEN;
    }
  else if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, "looking up a token", error);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);

  if (!found)
    g_set_error_literal (error, KA_COLLECTOR_DB_ERROR, KA_COLLECTOR_DB_ERROR_NOT_FOUND,
                         "unknown device token");
  return found;
}

/* The device's stored chain: its highest seq (= its ballot count, as chains are kept
 * contiguous) and that ballot's hash. */
static gboolean
read_head (KaCollectorDb  *self,
           const char     *device_id,
           gint64         *count,
           char          **head,
           GError        **error)
{
  int rc;

  sqlite3_reset (self->select_head);
  sqlite3_bind_text (self->select_head, 1, device_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (self->select_head);
  if (rc == SQLITE_ROW)
    {
      *count = sqlite3_column_int64 (self->select_head, 0);
      *head = g_strdup ((const char *) sqlite3_column_text (self->select_head, 1));
    }
  else if (rc == SQLITE_DONE)
    {
      *count = 0;
      *head = g_strdup (KA_BALLOT_GENESIS_HASH);
    }
  else
    {
      set_sqlite_error (self, rc, "reading a chain head", error);
      sqlite3_reset (self->select_head);
      return FALSE;
    }

  sqlite3_reset (self->select_head);
  return TRUE;
}

/**
 * ka_collector_db_get_chain:
 * @self: a #KaCollectorDb
 * @device_id: a device ID
 * @count: (out): how many ballots of the device are stored
 * @head: (out) (transfer full): the hash of its last stored ballot, or
 *   %KA_BALLOT_GENESIS_HASH
 * @error: return location for a #KaCollectorDbError
 *
 * Returns: %TRUE on success.
 */
gboolean
ka_collector_db_get_chain (KaCollectorDb  *self,
                           const char     *device_id,
                           gint64         *count,
                           char          **head,
                           GError        **error)
{
  g_return_val_if_fail (KA_IS_COLLECTOR_DB (self), FALSE);
  g_return_val_if_fail (device_id != NULL && count != NULL && head != NULL, FALSE);

  return read_head (self, device_id, count, head, error);
}

static void
set_rejected (KaSubmitItem *item,
              const char   *code,
              char         *message)
{
  item->outcome = KA_SUBMIT_REJECTED;
  item->reject_code = code;
  g_free (item->reject_message);
  item->reject_message = message;
}

static char *
dup_column (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* Looks @item's ballot_id up: 1 if stored (and decides duplicate or conflict), 0 if not,
 * -1 on error. */
static int
check_existing (KaCollectorDb  *self,
                KaSubmitItem   *item,
                GError        **error)
{
  int rc;
  int found = 0;

  sqlite3_reset (self->select_existing);
  sqlite3_bind_text (self->select_existing, 1, item->ballot->ballot_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (self->select_existing);
  if (rc == SQLITE_ROW)
    {
      const char *stored = (const char *) sqlite3_column_text (self->select_existing, 0);

      found = 1;
      if (g_strcmp0 (stored, item->canonical) == 0)
        {
          item->outcome = KA_SUBMIT_DUPLICATE;
          item->stored_model_a = dup_column (self->select_existing, 1);
          item->stored_model_b = dup_column (self->select_existing, 2);
        }
      else
        set_rejected (item, "conflict",
                      g_strdup ("a different ballot with this ballot_id is already stored; "
                                "the stored ballot is kept"));
    }
  else if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, "looking up a ballot", error);
      found = -1;
    }

  sqlite3_reset (self->select_existing);
  sqlite3_clear_bindings (self->select_existing);
  return found;
}

static gboolean
insert (KaCollectorDb  *self,
        const char     *device_id,
        KaSubmitItem   *item,
        const char     *received_at,
        GError        **error)
{
  sqlite3_stmt *stmt = self->insert_ballot;
  const KaBallot *b = item->ballot;
  int rc;

  sqlite3_reset (stmt);
  sqlite3_bind_text (stmt, 1, b->ballot_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, device_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, b->seq);
  sqlite3_bind_text (stmt, 4, b->pack_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, b->prompt_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, b->response_a, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, b->response_b, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, ka_winner_to_string (b->winner), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 9, ka_mode_to_string (b->mode), -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 10, b->identity_flag ? 1 : 0);
  sqlite3_bind_text (stmt, 11, b->voted_at, -1, SQLITE_STATIC);
  if (item->model_a != NULL)
    sqlite3_bind_text (stmt, 12, item->model_a, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 12);
  if (item->model_b != NULL)
    sqlite3_bind_text (stmt, 13, item->model_b, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 13);
  sqlite3_bind_text (stmt, 14, b->prev_hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 15, b->hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 16, item->canonical, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 17, received_at, -1, SQLITE_STATIC);

  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, rc, "storing a ballot", error);
  return TRUE;
}

static char *
chain_break_message (const KaBallot *b,
                     gint64          count,
                     const char     *head)
{
  if (b->seq <= count)
    return g_strdup_printf ("seq %" G_GINT64_FORMAT " is already taken on this device by "
                            "another ballot; the server holds %" G_GINT64_FORMAT
                            " ballots of this device, chain head %s",
                            b->seq, count, head);
  if (b->seq != count + 1)
    return g_strdup_printf ("seq %" G_GINT64_FORMAT " does not follow the server's chain: "
                            "the next seq is %" G_GINT64_FORMAT " (chain head %s)",
                            b->seq, count + 1, head);
  return g_strdup_printf ("prev_hash does not equal the server's chain head %s for seq %"
                          G_GINT64_FORMAT, head, b->seq);
}

/**
 * ka_collector_db_submit:
 * @self: a #KaCollectorDb
 * @device_id: the sending device (already authenticated)
 * @items: (array length=n_items): the batch, in the order it was sent
 * @n_items: number of @items
 * @received_at: RFC 3339 UTC time stored with each accepted ballot
 * @count: (out): the device's stored ballot count after the batch
 * @head: (out) (transfer full): the device's chain head after the batch
 * @error: return location for a #KaCollectorDbError (%KA_COLLECTOR_DB_ERROR_BUSY when
 *   another writer held the lock too long)
 *
 * Stores a batch in ONE transaction, committed (and synced) before returning. Items whose
 * @ballot is %NULL are left as they are (rejected earlier). For every other item, in order:
 * a ballot_id already stored with byte-identical canonical JSON is a duplicate; with any
 * other content a `conflict` (the stored row is never touched); otherwise the ballot must
 * continue the device's chain (seq = count + 1 and prev_hash = head) to be accepted, else
 * it is a `chain_break`. Each accepted ballot moves the head, so a batch may carry a run
 * of consecutive ballots. On error nothing is stored and the items' outcomes are
 * meaningless.
 *
 * Returns: %TRUE once the transaction has committed.
 */
gboolean
ka_collector_db_submit (KaCollectorDb  *self,
                        const char     *device_id,
                        KaSubmitItem   *items,
                        guint           n_items,
                        const char     *received_at,
                        gint64         *count,
                        char          **head,
                        GError        **error)
{
  g_autofree char *chain_head = NULL;
  gint64 chain_count = 0;

  g_return_val_if_fail (KA_IS_COLLECTOR_DB (self), FALSE);
  g_return_val_if_fail (device_id != NULL && received_at != NULL, FALSE);
  g_return_val_if_fail (items != NULL || n_items == 0, FALSE);
  g_return_val_if_fail (count != NULL && head != NULL, FALSE);

  if (!exec_sql (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (!read_head (self, device_id, &chain_count, &chain_head, error))
    goto fail;

  for (guint i = 0; i < n_items; i++)
    {
      KaSubmitItem *item = &items[i];
      const KaBallot *b = item->ballot;
      int existing;

      if (b == NULL)
        continue;

      existing = check_existing (self, item, error);
      if (existing < 0)
        goto fail;
      if (existing > 0)
        continue;

      if (b->seq != chain_count + 1 || strcmp (b->prev_hash, chain_head) != 0)
        {
          set_rejected (item, "chain_break", chain_break_message (b, chain_count, chain_head));
          continue;
        }

      if (!insert (self, device_id, item, received_at, error))
        goto fail;

      item->outcome = KA_SUBMIT_ACCEPTED;
      chain_count = b->seq;
      g_free (chain_head);
      chain_head = g_strdup (b->hash);
    }

  if (!exec_sql (self, "COMMIT", error))
    goto fail;

  *count = chain_count;
  *head = g_steal_pointer (&chain_head);
  return TRUE;

fail:
  rollback (self);
  return FALSE;
}

/**
 * ka_collector_db_count_ballots:
 * @self: a #KaCollectorDb
 * @error: return location for a #KaCollectorDbError
 *
 * Returns: the number of stored ballots, or -1 on error.
 */
gint64
ka_collector_db_count_ballots (KaCollectorDb  *self,
                               GError        **error)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;
  int rc;

  g_return_val_if_fail (KA_IS_COLLECTOR_DB (self), -1);

  if (!prepare (self, "SELECT COUNT(*) FROM ballots", FALSE, &stmt, error))
    return -1;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  else
    set_sqlite_error (self, rc, "counting ballots", error);
  sqlite3_finalize (stmt);

  return n;
}

/**
 * ka_collector_db_count_devices:
 * @self: a #KaCollectorDb
 * @kind: citizen or kiosk
 * @error: return location for a #KaCollectorDbError
 *
 * Returns: the number of enrolled devices of @kind, or -1 on error.
 */
gint64
ka_collector_db_count_devices (KaCollectorDb  *self,
                               KaDeviceKind    kind,
                               GError        **error)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;
  int rc;

  g_return_val_if_fail (KA_IS_COLLECTOR_DB (self), -1);
  g_return_val_if_fail (ka_device_kind_to_string (kind) != NULL, -1);

  if (!prepare (self, "SELECT COUNT(*) FROM devices WHERE kind = ?", FALSE, &stmt, error))
    return -1;

  sqlite3_bind_text (stmt, 1, ka_device_kind_to_string (kind), -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  else
    set_sqlite_error (self, rc, "counting devices", error);
  sqlite3_finalize (stmt);

  return n;
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

/**
 * ka_collector_db_foreach_ballot:
 * @self: a #KaCollectorDb
 * @func: (scope call): called for each stored ballot, by device then seq; return %FALSE
 *   to stop early
 * @user_data: data for @func
 * @error: return location for a #KaCollectorDbError
 *
 * Reads every stored ballot in one read transaction (a consistent snapshot).
 *
 * Returns: %TRUE on success (also when @func stopped early).
 */
gboolean
ka_collector_db_foreach_ballot (KaCollectorDb          *self,
                                KaCollectorBallotFunc   func,
                                gpointer                user_data,
                                GError                **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (KA_IS_COLLECTOR_DB (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (!prepare (self,
                "SELECT b.ballot_id, b.device_id, d.kind, b.seq, b.pack_id, b.prompt_id,"
                " b.response_a, b.response_b, b.model_a, b.model_b, b.winner, b.mode,"
                " b.identity_flag, b.voted_at, b.received_at, b.canonical, b.hash"
                " FROM ballots AS b JOIN devices AS d USING (device_id)"
                " ORDER BY b.device_id, b.seq", FALSE, &stmt, error))
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      KaCollectorBallotRow row = {
        .ballot_id = column_text (stmt, 0),
        .device_id = column_text (stmt, 1),
        .device_kind = column_text (stmt, 2),
        .seq = sqlite3_column_int64 (stmt, 3),
        .pack_id = column_text (stmt, 4),
        .prompt_id = column_text (stmt, 5),
        .response_a = column_text (stmt, 6),
        .response_b = column_text (stmt, 7),
        .model_a = column_text (stmt, 8),
        .model_b = column_text (stmt, 9),
        .winner = column_text (stmt, 10),
        .mode = column_text (stmt, 11),
        .identity_flag = sqlite3_column_int (stmt, 12) != 0,
        .voted_at = column_text (stmt, 13),
        .received_at = column_text (stmt, 14),
        .canonical = column_text (stmt, 15),
        .hash = column_text (stmt, 16),
      };

      if (!func (&row, user_data))
        {
          rc = SQLITE_DONE;
          break;
        }
    }

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, "reading ballots", error);
      sqlite3_finalize (stmt);
      return FALSE;
    }

  sqlite3_finalize (stmt);
  return TRUE;
}

/**
 * ka_collector_db_foreach_tally:
 * @self: a #KaCollectorDb
 * @func: (scope call): called once per group of identical (pack, mode, responses, models,
 *   winner, identity flag)
 * @user_data: data for @func
 * @error: return location for a #KaCollectorDbError
 *
 * Returns: %TRUE on success.
 */
gboolean
ka_collector_db_foreach_tally (KaCollectorDb         *self,
                               KaCollectorTallyFunc   func,
                               gpointer               user_data,
                               GError               **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (KA_IS_COLLECTOR_DB (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (!prepare (self,
                "SELECT pack_id, mode, response_a, response_b, model_a, model_b, winner,"
                " identity_flag, COUNT(*) FROM ballots"
                " GROUP BY pack_id, mode, response_a, response_b, model_a, model_b, winner,"
                " identity_flag", FALSE, &stmt, error))
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      KaCollectorTallyRow row = {
        .pack_id = column_text (stmt, 0),
        .mode = column_text (stmt, 1),
        .response_a = column_text (stmt, 2),
        .response_b = column_text (stmt, 3),
        .model_a = column_text (stmt, 4),
        .model_b = column_text (stmt, 5),
        .winner = column_text (stmt, 6),
        .identity_flag = sqlite3_column_int (stmt, 7) != 0,
        .count = sqlite3_column_int64 (stmt, 8),
      };

      func (&row, user_data);
    }

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, "tallying ballots", error);
      sqlite3_finalize (stmt);
      return FALSE;
    }

  sqlite3_finalize (stmt);
  return TRUE;
}
