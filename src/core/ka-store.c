/* ka-store.c: the local SQLite store: packs, battles shown, ballots (= the outbox)
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/ballots.md describes the schema and the durability guarantees; DESIGN.md §6 the
 * requirements. One connection per store, guarded by one mutex: every public function may
 * be called from any thread, and a ballot commit is a single transaction. The
 * asynchronous writes (ka_store_record_battle_async(), ka_store_commit_ballot_async()) run
 * on the store's one writer thread (ka-write-queue.c) in the order they were called; a
 * synchronous write first waits for those queued before it (docs/ballots.md, "The writer
 * thread").
 */

#define G_LOG_DOMAIN "ka-store"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ka-store.h"
#include "ka-store-private.h"
#include "ka-write-queue.h"

/* How long a writer waits for another connection's lock before SQLITE_BUSY, in ms. */
#define BUSY_TIMEOUT_MS 5000

struct _KaStore
{
  GObject     parent_instance;

  /* Guards every field below after ka_store_open() returned. */
  GMutex      lock;
  sqlite3    *db;
  /* Prepared statements by SQL text (static strings, not owned) -> sqlite3_stmt (owned). */
  GHashTable *statements;
  char       *path;
  char       *device_id;       /* (nullable) only for a read-only store without one */
  int         schema_version;
  gboolean    read_only;
  /* (nullable) (owned) a read-only store that could not read @path in place reads a
   * private copy in this folder, deleted with the store */
  char       *copy_dir;
  /* (owned) the writer thread of the asynchronous writes; its own locking */
  KaWriteQueue *writer;
  /* GThread -> number of write transactions it committed (tests, benchmarks) */
  GHashTable *commit_threads;
};

G_DEFINE_FINAL_TYPE (KaStore, ka_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (ka-store-error-quark, ka_store_error)

/* Schema migrations, indexed by the user_version they start from: migrations[v] takes a
 * database from version v to v + 1 and runs in one transaction together with the
 * user_version update. A released step is never edited; change the schema by appending.
 * docs/ballots.md ("Store schema") mirrors these. */
static const char * const migrations[] = {
  /* 0 -> 1: meta, packs, ballots */
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
  "CREATE INDEX ballots_pack ON ballots (pack_id);",

  /* 1 -> 2: battles shown, and the outbox columns on ballots */
  "CREATE TABLE battles ("
  "  battle_id  TEXT PRIMARY KEY NOT NULL,"
  "  session_id TEXT NOT NULL,"
  "  pack_id    TEXT NOT NULL,"
  "  prompt_id  TEXT NOT NULL,"
  "  response_a TEXT NOT NULL,"
  "  response_b TEXT NOT NULL,"
  "  shown_at   TEXT NOT NULL,"
  "  ballot_id  TEXT UNIQUE REFERENCES ballots (ballot_id)"
  ");"
  "CREATE INDEX battles_session ON battles (session_id);"
  "ALTER TABLE ballots ADD COLUMN delivery TEXT NOT NULL DEFAULT 'pending'"
  "  CHECK (delivery IN ('pending', 'delivered', 'rejected'));"
  "ALTER TABLE ballots ADD COLUMN receipt TEXT;"
  "ALTER TABLE ballots ADD COLUMN delivered_at TEXT;"
  "ALTER TABLE ballots ADD COLUMN reveal_model_a TEXT;"
  "ALTER TABLE ballots ADD COLUMN reveal_model_b TEXT;"
  "CREATE INDEX ballots_delivery ON ballots (delivery);",

  /* 2 -> 3: the identity guard's verdicts on a pack, per guard version (issue 11) */
  "CREATE TABLE identity_scans ("
  "  content_hash  TEXT NOT NULL,"
  "  guard_version TEXT NOT NULL,"
  "  scanned_at    TEXT NOT NULL,"
  "  PRIMARY KEY (content_hash, guard_version)"
  ");"
  "CREATE TABLE identity_flags ("
  "  content_hash  TEXT NOT NULL,"
  "  guard_version TEXT NOT NULL,"
  "  response_id   TEXT NOT NULL,"
  "  term          TEXT NOT NULL,"
  "  PRIMARY KEY (content_hash, guard_version, response_id),"
  "  FOREIGN KEY (content_hash, guard_version)"
  "    REFERENCES identity_scans (content_hash, guard_version) ON DELETE CASCADE"
  ");",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == KA_STORE_SCHEMA_VERSION);

static const char * const delivery_names[] = {
  [KA_DELIVERY_PENDING] = "pending",
  [KA_DELIVERY_DELIVERED] = "delivered",
  [KA_DELIVERY_REJECTED] = "rejected",
};

#define BALLOT_COLUMNS \
  "ballot_id, device_id, session_id, seq, pack_id, prompt_id, response_a, response_b, " \
  "winner, shown_at, voted_at, decision_ms, mode, ui_language, identity_flag, prev_hash, hash"

/* The SQL the store runs. Values are always bound with '?', never formatted in. */
static const char sql_begin[] = "BEGIN IMMEDIATE";
static const char sql_commit[] = "COMMIT";
static const char sql_rollback[] = "ROLLBACK";
static const char sql_user_version[] = "PRAGMA user_version";
static const char sql_get_identity_scan[] =
  "SELECT 1 FROM identity_scans WHERE content_hash = ? AND guard_version = ?";
static const char sql_list_identity_flags[] =
  "SELECT response_id, term FROM identity_flags WHERE content_hash = ? AND guard_version = ?";
static const char sql_delete_identity_scans[] =
  "DELETE FROM identity_scans WHERE content_hash = ?";
static const char sql_insert_identity_scan[] =
  "INSERT INTO identity_scans (content_hash, guard_version, scanned_at) VALUES (?, ?, ?)";
static const char sql_insert_identity_flag[] =
  "INSERT INTO identity_flags (content_hash, guard_version, response_id, term) "
  "VALUES (?, ?, ?, ?)";
static const char sql_get_meta[] = "SELECT value FROM meta WHERE key = ?";
static const char sql_set_meta[] =
  "INSERT INTO meta (key, value) VALUES (?, ?) "
  "ON CONFLICT (key) DO UPDATE SET value = excluded.value";
static const char sql_init_meta[] = "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)";
static const char sql_chain_head[] =
  "SELECT seq, hash FROM ballots WHERE device_id = ? ORDER BY seq DESC LIMIT 1";
static const char sql_insert_ballot[] =
  "INSERT INTO ballots (" BALLOT_COLUMNS ") "
  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_link_battle[] =
  "UPDATE battles SET ballot_id = ? "
  "WHERE battle_id = ? AND ballot_id IS NULL AND session_id = ? AND pack_id = ? "
  "AND prompt_id = ? AND response_a = ? AND response_b = ?";
static const char sql_list_all[] =
  "SELECT " BALLOT_COLUMNS " FROM ballots ORDER BY device_id, seq";
static const char sql_list_pack[] =
  "SELECT " BALLOT_COLUMNS " FROM ballots WHERE pack_id = ? ORDER BY device_id, seq";
static const char sql_list_pending[] =
  "SELECT " BALLOT_COLUMNS " FROM ballots WHERE delivery = 'pending' "
  "ORDER BY device_id, seq LIMIT ?";
static const char sql_count_state[] = "SELECT count(*) FROM ballots WHERE delivery = ?";
static const char sql_get_delivery[] = "SELECT delivery FROM ballots WHERE ballot_id = ?";
static const char sql_set_delivery[] =
  "UPDATE ballots SET delivery = ?, receipt = ?, delivered_at = ?, "
  "reveal_model_a = coalesce (?, reveal_model_a), reveal_model_b = coalesce (?, reveal_model_b) "
  "WHERE ballot_id = ?";
static const char sql_get_pack[] = "SELECT content_hash FROM packs WHERE pack_id = ?";
static const char sql_insert_pack[] =
  "INSERT INTO packs (pack_id, content_hash, title, imported_at) VALUES (?, ?, ?, ?)";
static const char sql_insert_battle[] =
  "INSERT OR IGNORE INTO battles "
  "(battle_id, session_id, pack_id, prompt_id, response_a, response_b, shown_at) "
  "VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_get_battle[] =
  "SELECT session_id, pack_id, prompt_id, response_a, response_b FROM battles "
  "WHERE battle_id = ?";
/* Each answered from an index alone: counting must stay cheap with 100,000 ballots. */
static const char sql_outbox_counts[] =
  "SELECT delivery, count(*) FROM ballots GROUP BY delivery";
static const char sql_first_rejected[] =
  "SELECT coalesce (min(seq), 0) FROM ballots WHERE delivery = 'rejected'";
static const char sql_last_seq[] =
  "SELECT coalesce (max(seq), 0) FROM ballots WHERE device_id = ?";
static const char sql_requeue[] =
  "UPDATE ballots SET delivery = 'pending', receipt = NULL, delivered_at = NULL "
  "WHERE device_id = ? AND seq > ? AND delivery = 'delivered'";
static const char sql_get_by_seq[] =
  "SELECT " BALLOT_COLUMNS " FROM ballots WHERE device_id = ? AND seq = ?";
static const char sql_get_reveal[] =
  "SELECT reveal_model_a, reveal_model_b FROM ballots WHERE ballot_id = ?";

/**
 * ka_delivery_state_to_string:
 * @state: a #KaDeliveryState
 *
 * Returns: (transfer none) (nullable): `pending`, `delivered` or `rejected` (the values of
 *   the `delivery` column), or %NULL outside the enumeration.
 */
const char *
ka_delivery_state_to_string (KaDeliveryState state)
{
  if ((guint) state >= G_N_ELEMENTS (delivery_names))
    return NULL;
  return delivery_names[state];
}

static gboolean
delivery_state_from_string (const char      *str,
                            KaDeliveryState *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (delivery_names); i++)
    {
      if (g_strcmp0 (str, delivery_names[i]) == 0)
        {
          *state = (KaDeliveryState) i;
          return TRUE;
        }
    }
  return FALSE;
}

/* Low-level helpers; all expect self->lock to be held (or the store not yet shared). */

static gboolean
sqlite_error (KaStore     *self,
              GError     **error,
              int          rc,
              const char  *what)
{
  /* A read-only store relies on SQLite's own refusal (SQLITE_OPEN_READONLY holds even
   * for root), so that the failure path is the same one a real I/O error takes. */
  g_set_error (error, KA_STORE_ERROR,
               (rc & 0xff) == SQLITE_READONLY ? KA_STORE_ERROR_READ_ONLY : KA_STORE_ERROR_SQLITE,
               "%s: %s: %s (SQLite error %d)",
               self->path, what, self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc),
               rc);
  return FALSE;
}

/* Returns a cached prepared statement for @sql (a static string), reset and unbound. */
static sqlite3_stmt *
get_statement (KaStore     *self,
               const char  *sql,
               GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);
  int rc;

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      sqlite_error (self, error, rc, "preparing a statement");
      sqlite3_finalize (stmt);
      return NULL;
    }

  g_hash_table_insert (self->statements, (gpointer) sql, stmt);
  return stmt;
}

/* Resets @stmt so that it holds no read snapshot and no bound copy of our strings. */
static void
release_statement (sqlite3_stmt *stmt)
{
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
    }
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *value)
{
  if (value != NULL)
    sqlite3_bind_text (stmt, index, value, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* Runs a statement without result rows (or ignoring them). */
static gboolean
run_statement (KaStore     *self,
               const char  *sql,
               GError     **error)
{
  sqlite3_stmt *stmt = get_statement (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;
  release_statement (stmt);

  if (rc != SQLITE_DONE)
    return sqlite_error (self, error, rc, sql);
  return TRUE;
}

/* Runs an uncached script of one or more statements (migrations, pragmas). */
static gboolean
exec_script (KaStore     *self,
             const char  *sql,
             const char  *what,
             GError     **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return sqlite_error (self, error, rc, what);
  return TRUE;
}

/* Runs a one-row, one-column pragma query and returns its value as text. */
static char *
query_pragma (KaStore     *self,
              const char  *sql,
              GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;
  int rc;

  rc = sqlite3_prepare_v3 (self->db, sql, -1, 0, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      sqlite_error (self, error, rc, sql);
      sqlite3_finalize (stmt);
      return NULL;
    }

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc == SQLITE_DONE)
    value = g_strdup ("");
  else
    sqlite_error (self, error, rc, sql);

  sqlite3_finalize (stmt);
  return value;
}

static gboolean
read_user_version (KaStore     *self,
                   int         *version,
                   GError     **error)
{
  sqlite3_stmt *stmt = get_statement (self, sql_user_version, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *version = sqlite3_column_int (stmt, 0);
  release_statement (stmt);

  if (rc != SQLITE_ROW)
    return sqlite_error (self, error, rc, "reading the schema version");
  return TRUE;
}

/* Ends a failed write transaction. Safe to call when none is open. */
static void
rollback (KaStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    {
      g_autoptr(GError) local_error = NULL;

      if (!run_statement (self, sql_rollback, &local_error))
        g_warning ("Could not roll back: %s", local_error->message);
    }
}

/* Steps @stmt, a statement without result rows (INSERT, UPDATE), once and releases it;
 * a failure is #KA_STORE_ERROR_SQLITE (or READ_ONLY) naming @what. */
static gboolean
step_done (KaStore       *self,
           sqlite3_stmt  *stmt,
           const char    *what,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  release_statement (stmt);
  if (rc != SQLITE_DONE)
    return sqlite_error (self, error, rc, what);
  return TRUE;
}

/* The work of one write transaction, run by run_transaction() between BEGIN IMMEDIATE and
 * COMMIT. Returns %FALSE with @error set to have it rolled back. */
typedef gboolean (*TransactionBody) (KaStore  *self,
                                     gpointer  data,
                                     GError  **error);

/* Runs @body in one write transaction: `BEGIN IMMEDIATE` (the write lock is taken at once,
 * so what @body reads cannot go stale before it writes), @body, `COMMIT` (with
 * synchronous=FULL, fsync'ed before it returns). If any of the three fails the
 * transaction is rolled back and nothing is written; @error then carries @body's own
 * error as it is, or SQLite's for BEGIN or COMMIT prefixed with the path and @what
 * ("recording the battle"). Expects self->lock to be held. */
static gboolean
run_transaction (KaStore          *self,
                 const char       *what,
                 TransactionBody   body,
                 gpointer          data,
                 GError          **error)
{
  GError *local_error = NULL;

  if (!run_statement (self, sql_begin, &local_error))
    {
      g_prefix_error (&local_error, "%s: ", what);
      g_propagate_error (error, local_error);
      return FALSE;
    }

  if (!body (self, data, error))
    {
      rollback (self);
      return FALSE;
    }

  /* With synchronous=FULL the WAL is fsync'ed before COMMIT returns. */
  if (!run_statement (self, sql_commit, &local_error))
    {
      rollback (self);
      g_prefix_error (&local_error, "%s: ", what);
      g_propagate_error (error, local_error);
      return FALSE;
    }

  return TRUE;
}

static KaBallot *
ballot_from_row (sqlite3_stmt *stmt)
{
  KaBallot *ballot = ka_ballot_new ();

  ballot->ballot_id = column_dup (stmt, 0);
  ballot->device_id = column_dup (stmt, 1);
  ballot->session_id = column_dup (stmt, 2);
  ballot->seq = sqlite3_column_int64 (stmt, 3);
  ballot->pack_id = column_dup (stmt, 4);
  ballot->prompt_id = column_dup (stmt, 5);
  ballot->response_a = column_dup (stmt, 6);
  ballot->response_b = column_dup (stmt, 7);
  /* The CHECK constraints keep these in range. */
  ka_winner_from_string ((const char *) sqlite3_column_text (stmt, 8), &ballot->winner);
  ballot->shown_at = column_dup (stmt, 9);
  ballot->voted_at = column_dup (stmt, 10);
  ballot->decision_ms = sqlite3_column_int64 (stmt, 11);
  ka_mode_from_string ((const char *) sqlite3_column_text (stmt, 12), &ballot->mode);
  ballot->ui_language = column_dup (stmt, 13);
  ballot->identity_flag = sqlite3_column_int (stmt, 14) != 0;
  ballot->prev_hash = column_dup (stmt, 15);
  ballot->hash = column_dup (stmt, 16);

  return ballot;
}

/* Deletes a read-only store's private copy: the files SQLite may leave there (the copy,
 * its -wal, -shm or -journal), then the folder. Only ever our own g_dir_make_tmp(). */
static void
remove_copy_dir (const char *dir_path)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (dir_path, name, NULL);

          if (g_unlink (child) != 0)
            g_debug ("Could not delete %s: %s", child, g_strerror (errno));
        }
    }
  if (g_rmdir (dir_path) != 0)
    g_debug ("Could not delete %s: %s", dir_path, g_strerror (errno));
}

/* GObject */

static void
ka_store_finalize (GObject *object)
{
  KaStore *self = (KaStore *) object;

  /* Every queued job holds a reference: none is left but, at most, the one running now. */
  g_clear_pointer (&self->writer, ka_write_queue_free);
  g_clear_pointer (&self->commit_threads, g_hash_table_unref);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    {
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }
  if (self->copy_dir != NULL)
    {
      remove_copy_dir (self->copy_dir);
      g_clear_pointer (&self->copy_dir, g_free);
    }
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->device_id, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ka_store_parent_class)->finalize (object);
}

static void
ka_store_class_init (KaStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ka_store_finalize;
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
ka_store_init (KaStore *self)
{
  g_mutex_init (&self->lock);
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, finalize_statement);
  self->commit_threads = g_hash_table_new (NULL, NULL);
}

/* sqlite3_commit_hook(): runs on the thread that commits a write transaction, with
 * self->lock held (every write holds it). Counts commits per thread, so that a test can
 * tell that the UI thread wrote nothing. Returns 0: the commit goes ahead. */
static int
count_commit (void *data)
{
  KaStore *self = data;
  gpointer key = g_thread_self ();
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->commit_threads, key));

  g_hash_table_insert (self->commit_threads, key, GUINT_TO_POINTER (n + 1));
  return 0;
}

/* Takes the lock for a synchronous write, after the writes queued before it have run:
 * one order for all writes, e.g. a ballot committed synchronously after its battle was
 * recorded asynchronously. */
static GMutexLocker *
lock_for_write (KaStore *self)
{
  if (self->writer != NULL)
    ka_write_queue_drain (self->writer);
  return g_mutex_locker_new (&self->lock);
}

/* Opening */

/**
 * ka_store_default_path:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/kai-arena/arena.sqlite3`, i.e.
 *   g_get_user_data_dir() + `kai-arena/arena.sqlite3` (inside Flatpak, the app's own data
 *   directory).
 */
char *
ka_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "kai-arena", "arena.sqlite3", NULL);
}

/**
 * ka_store_get_migration_sql:
 * @version: a schema version, 1 to %KA_STORE_SCHEMA_VERSION
 *
 * The SQL step that takes a database from @version - 1 to @version (it runs in one
 * transaction with the `PRAGMA user_version` update). Public so that tests can build a
 * database of an older version exactly as that version did.
 *
 * Returns: (transfer none) (nullable): the SQL, or %NULL for an unknown @version.
 */
const char *
ka_store_get_migration_sql (int version)
{
  if (version < 1 || version > KA_STORE_SCHEMA_VERSION)
    return NULL;
  return migrations[version - 1];
}

static gboolean
check_not_newer (KaStore     *self,
                 GError     **error)
{
  if (!read_user_version (self, &self->schema_version, error))
    return FALSE;

  if (self->schema_version > KA_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, KA_STORE_ERROR, KA_STORE_ERROR_NEWER_SCHEMA,
                   _("The database %s was written by a newer version of K-AI Arena "
                     "(schema version %d); this version understands schema versions up "
                     "to %d. Install the newer K-AI Arena to open it. The database was "
                     "not changed."),
                   self->path, self->schema_version, KA_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  return TRUE;
}

static gboolean
configure_connection (KaStore     *self,
                      GError     **error)
{
  g_autofree char *journal = NULL;
  g_autofree char *synchronous = NULL;
  g_autofree char *foreign_keys = NULL;
  gboolean in_memory = g_str_equal (self->path, ":memory:");

  /* WAL persists in the file; readers never block the writer, and with synchronous=FULL
   * every commit is fsync'ed before COMMIT returns (docs/ballots.md, "Durability"). */
  journal = query_pragma (self, "PRAGMA journal_mode = WAL", error);
  if (journal == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (journal, "wal") != 0 &&
      !(in_memory && g_ascii_strcasecmp (journal, "memory") == 0))
    {
      g_set_error (error, KA_STORE_ERROR, KA_STORE_ERROR_NOT_WAL,
                   _("The database %s could not be switched to write-ahead logging "
                     "(journal mode is “%s”); ballots cannot be stored safely there. "
                     "Is it on a network file system?"),
                   self->path, journal);
      return FALSE;
    }

  if (!exec_script (self, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                    "setting synchronous=FULL and foreign_keys=ON", error))
    return FALSE;

  /* Both pragmas are silently ignored in some situations (e.g. inside a transaction):
   * read them back rather than trust them. */
  synchronous = query_pragma (self, "PRAGMA synchronous", error);
  if (synchronous == NULL)
    return FALSE;
  foreign_keys = query_pragma (self, "PRAGMA foreign_keys", error);
  if (foreign_keys == NULL)
    return FALSE;
  if (!g_str_equal (synchronous, "2") || !g_str_equal (foreign_keys, "1"))
    {
      g_set_error (error, KA_STORE_ERROR, KA_STORE_ERROR_SQLITE,
                   "%s: PRAGMA synchronous is %s and foreign_keys %s, expected 2 (FULL) and 1",
                   self->path, synchronous, foreign_keys);
      return FALSE;
    }

  return TRUE;
}

/* One migration step (a TransactionBody): reads user_version inside the write lock
 * (another process may have migrated meanwhile) into *@data (an int) and, if it is older
 * than KA_STORE_SCHEMA_VERSION, runs the next migration and bumps user_version. */
static gboolean
migrate_step (KaStore  *self,
              gpointer  data,
              GError  **error)
{
  int *version = data;
  g_autofree char *set_version = NULL;
  g_autofree char *what = NULL;

  if (!read_user_version (self, version, error))
    return FALSE;
  if (*version >= KA_STORE_SCHEMA_VERSION)
    return TRUE;

  what = g_strdup_printf ("migrating from schema version %d to %d", *version, *version + 1);
  /* PRAGMA takes no bound parameters; the value is our own integer. */
  set_version = g_strdup_printf ("PRAGMA user_version = %d", *version + 1);

  return exec_script (self, migrations[*version], what, error) &&
         exec_script (self, set_version, what, error);
}

static gboolean
migrate (KaStore     *self,
         GError     **error)
{
  for (;;)
    {
      int version = -1;

      if (!run_transaction (self, "migrating the schema", migrate_step, &version, error))
        return FALSE;

      if (version >= KA_STORE_SCHEMA_VERSION)
        {
          self->schema_version = version;
          if (version > KA_STORE_SCHEMA_VERSION)
            return check_not_newer (self, error);
          return TRUE;
        }

      g_debug ("%s: migrated to schema version %d", self->path, version + 1);
    }
}

static char *
get_meta_locked (KaStore     *self,
                 const char  *key,
                 GError     **error)
{
  sqlite3_stmt *stmt = get_statement (self, sql_get_meta, error);
  char *value = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;

  bind_text (stmt, 1, key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = column_dup (stmt, 0);
  release_statement (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    sqlite_error (self, error, rc, "reading meta");
  return value;
}

static gboolean
ensure_device_id (KaStore     *self,
                  GError     **error)
{
  g_autofree char *fresh = g_uuid_string_random ();
  g_autoptr(GError) local_error = NULL;
  sqlite3_stmt *stmt;

  /* Created once, on first open; INSERT OR IGNORE keeps an existing one. */
  stmt = get_statement (self, sql_init_meta, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, "device_id");
  bind_text (stmt, 2, fresh);
  if (!step_done (self, stmt, "creating the device ID", error))
    return FALSE;

  self->device_id = get_meta_locked (self, "device_id", &local_error);
  if (self->device_id == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, KA_STORE_ERROR, KA_STORE_ERROR_SQLITE,
                     "%s: the device ID vanished from meta", self->path);
      return FALSE;
    }

  return TRUE;
}

/* Read-only opening (docs/ballots.md §5, "Read-only opening") */

/* Whether @path has a wal-index (`-shm`) that we may really write, as it has while the app
 * runs (or right after a crash). Reading in place is then what a reader beside the app
 * must do to see the newest commits, and it adds nothing the writer did not already make.
 * Without one (a closed database, an evidence copy) a WAL reader in place would create
 * `-wal` and `-shm` files beside the database, or fail where it cannot; with a
 * write-protected one, root would still write its read marks into it. */
static gboolean
has_live_wal_index (const char *path)
{
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  GStatBuf st;

  if (g_stat (shm, &st) != 0 || !S_ISREG (st.st_mode))
    return FALSE;
  return (st.st_mode & 0222) != 0 && g_access (shm, W_OK) == 0;
}

/* SQLite's ways of saying "cannot read this in place without writing beside it". */
static gboolean
is_read_in_place_failure (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return TRUE;
    case SQLITE_IOERR:
      return rc == SQLITE_IOERR_SHMOPEN || rc == SQLITE_IOERR_SHMSIZE ||
             rc == SQLITE_IOERR_SHMMAP || rc == SQLITE_IOERR_SHMLOCK;
    default:
      return FALSE;
    }
}

/* `file:PATH?mode=ro`, PATH percent-encoded (a '?', '#' or '%' in a file name stays a
 * file name). An absolute path gets an empty authority, so "//x" is not a host. */
static char *
read_only_uri (const char *path)
{
  g_autofree char *escaped = g_uri_escape_string (path, "/", TRUE);

  return g_strconcat ("file:", path[0] == '/' ? "//" : "", escaped, "?mode=ro", NULL);
}

/* Opens self->db read-only on @target and reads the schema, which starts a read
 * transaction: the -wal and -shm are opened (and the -wal recovered) here, so a database
 * that cannot be read fails now. Returns the (extended) SQLite result code; self->db may
 * be set even on failure. */
static int
open_read_only_connection (KaStore    *self,
                           const char *target,
                           gboolean    is_uri)
{
  int rc;

  rc = sqlite3_open_v2 (target, &self->db,
                        SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX |
                        (is_uri ? SQLITE_OPEN_URI : 0),
                        NULL);
  if (rc != SQLITE_OK)
    return rc;

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
  return sqlite3_exec (self->db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
}

static gboolean
copy_file (const char  *from,
           const char  *to,
           GError     **error)
{
  g_autoptr(GFile) source = g_file_new_for_path (from);
  g_autoptr(GFile) target = g_file_new_for_path (to);

  /* Default permissions: our copy is ours (0600 under the usual umask), whatever the
   * evidence's mode bits say. */
  if (!g_file_copy (source, target, G_FILE_COPY_TARGET_DEFAULT_PERMS, NULL, NULL, NULL,
                    error))
    {
      g_prefix_error (error, _("Could not copy %s to read it: "), from);
      return FALSE;
    }
  return TRUE;
}

/* Copies the database and its -wal (if any) into a private folder and reads the copy.
 * The -wal goes first: a checkpoint that runs between the two copies then only moves
 * frames we have into the file we copy next, never away from what we copied. The -shm is
 * not copied: it is an index SQLite rebuilds from the -wal. Nothing is opened for writing
 * beside the original. */
static gboolean
open_private_copy (KaStore  *self,
                   GError  **error)
{
  g_autofree char *wal = g_strconcat (self->path, "-wal", NULL);
  g_autofree char *copy = NULL;
  int rc;

  self->copy_dir = g_dir_make_tmp ("kai-arena-ro-XXXXXX", error);
  if (self->copy_dir == NULL)
    {
      g_prefix_error (error, _("Could not read %s: "), self->path);
      return FALSE;
    }
  copy = g_build_filename (self->copy_dir, "copy.sqlite3", NULL);

  if (g_file_test (wal, G_FILE_TEST_EXISTS))
    {
      g_autofree char *copy_wal = g_strconcat (copy, "-wal", NULL);

      if (!copy_file (wal, copy_wal, error))
        return FALSE;
    }
  if (!copy_file (self->path, copy, error))
    return FALSE;

  rc = open_read_only_connection (self, copy, FALSE);
  if (rc != SQLITE_OK)
    return sqlite_error (self, error, rc, "opening a private copy");
  return TRUE;
}

static gboolean
open_read_only (KaStore  *self,
                GError  **error)
{
  if (has_live_wal_index (self->path))
    {
      g_autofree char *uri = read_only_uri (self->path);
      int rc = open_read_only_connection (self, uri, TRUE);

      if (rc == SQLITE_OK)
        return TRUE;
      if (!is_read_in_place_failure (rc))
        return sqlite_error (self, error, rc, "opening");

      g_debug ("%s cannot be read in place (%s, SQLite error %d); reading a private copy",
               self->path, self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc), rc);
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }

  return open_private_copy (self, error);
}

static KaStore *
store_open (const char  *path,
            gboolean     read_only,
            GError     **error)
{
  g_autoptr(KaStore) self = NULL;
  int rc;

  self = g_object_new (KA_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->read_only = read_only;

  if (read_only)
    {
      /* Never create a file: an auditor's typo must not leave an empty database behind. */
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                       _("No database at %s"), path);
          return NULL;
        }
      if (!open_read_only (self, error))
        return NULL;
    }
  else
    {
      if (!g_str_equal (path, ":memory:"))
        {
          g_autofree char *dir = g_path_get_dirname (path);

          if (g_mkdir_with_parents (dir, 0700) != 0)
            {
              int saved_errno = errno;

              g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                           _("Could not create the folder %s: %s"), dir,
                           g_strerror (saved_errno));
              return NULL;
            }
        }

      rc = sqlite3_open_v2 (path, &self->db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                            NULL);
      if (rc != SQLITE_OK)
        {
          sqlite_error (self, error, rc, "opening");
          return NULL;
        }

      sqlite3_extended_result_codes (self->db, 1);
      sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
      sqlite3_commit_hook (self->db, count_commit, self);
    }

  /* Before anything writes (even the journal mode lives in the file header). */
  if (!check_not_newer (self, error))
    return NULL;

  if (read_only)
    {
      g_autoptr(GError) local_error = NULL;

      if (self->schema_version < KA_STORE_SCHEMA_VERSION)
        {
          g_set_error (error, KA_STORE_ERROR, KA_STORE_ERROR_READ_ONLY,
                       self->schema_version == 0
                         ? _("%s is not a K-AI Arena database (schema version %d)")
                         : _("The database %s has the older schema version %d; open it "
                             "once with K-AI Arena to upgrade it"),
                       path, self->schema_version);
          return NULL;
        }

      self->device_id = get_meta_locked (self, "device_id", &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      return g_steal_pointer (&self);
    }

  if (!configure_connection (self, error) ||
      !migrate (self, error) ||
      !ensure_device_id (self, error))
    return NULL;

  self->writer = ka_write_queue_new ("ka-store-write");
  return g_steal_pointer (&self);
}

/**
 * ka_store_open:
 * @path: the database file (created with its parent folders, mode 0700, if missing), or
 *   `:memory:` for a throw-away store in memory (tests only: it has no WAL)
 * @error: return location for a #GError
 *
 * Opens the store read-write: WAL journal (verified, else #KA_STORE_ERROR_NOT_WAL),
 * `synchronous=FULL`, `foreign_keys=ON`, a busy timeout of 5 s; then migrates the schema
 * up to %KA_STORE_SCHEMA_VERSION, one transaction per step, and creates the device ID on
 * first use. A database from a newer version is refused with
 * #KA_STORE_ERROR_NEWER_SCHEMA before anything is written to it. SQLite failures are
 * #KA_STORE_ERROR_SQLITE; a folder that cannot be made is a #G_FILE_ERROR.
 *
 * Keep one store per database per process (DESIGN.md §6: one writer).
 *
 * Returns: (transfer full) (nullable): the store, or %NULL with @error set.
 */
KaStore *
ka_store_open (const char  *path,
               GError     **error)
{
  g_return_val_if_fail (path != NULL && path[0] != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return store_open (path, FALSE, error);
}

/**
 * ka_store_open_read_only:
 * @path: an existing database file
 * @error: return location for a #GError
 *
 * Opens a store for reading only (audits, exports): never creates the file (a missing one
 * is #G_FILE_ERROR_NOENT), never migrates (an older schema is #KA_STORE_ERROR_READ_ONLY, a
 * newer one #KA_STORE_ERROR_NEWER_SCHEMA), never writes. Every write function fails on
 * such a store with #KA_STORE_ERROR_READ_ONLY. It may run beside the app's own read-write
 * store.
 *
 * A WAL database can only be read where its wal-index (`-shm`) can be written or already
 * is. So when @path has a `-shm` we may write (the app is running, or crashed), it is read
 * in place as `file:PATH?mode=ro` and sees every commit as it lands. Otherwise (a closed
 * database, an auditor's evidence copy: a read-only file, folder or mount, with or without
 * its `-wal` and `-shm`), and also when reading in place fails with a CANTOPEN-, READONLY-,
 * PERM- or SHM-class error, the database and its `-wal` are copied into a private
 * g_dir_make_tmp() folder and the copy is read; SQLite recovers the `-wal` there, so
 * ballots not yet checkpointed are included. The copy is deleted when the store is
 * finalized. Either way no byte of @path, its `-wal` or its `-shm` changes and no file is
 * created beside it. Copy failures are #G_IO_ERROR errors.
 *
 * Returns: (transfer full) (nullable): the store, or %NULL with @error set.
 */
KaStore *
ka_store_open_read_only (const char  *path,
                         GError     **error)
{
  g_return_val_if_fail (path != NULL && path[0] != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return store_open (path, TRUE, error);
}

/**
 * ka_store_is_read_only:
 * @self: a #KaStore
 *
 * Returns: %TRUE if @self came from ka_store_open_read_only().
 */
gboolean
ka_store_is_read_only (KaStore *self)
{
  g_return_val_if_fail (KA_IS_STORE (self), FALSE);

  return self->read_only;
}

/**
 * ka_store_get_path:
 * @self: a #KaStore
 *
 * Returns: (transfer none): the path @self was opened with.
 */
const char *
ka_store_get_path (KaStore *self)
{
  g_return_val_if_fail (KA_IS_STORE (self), NULL);

  return self->path;
}

/**
 * ka_store_get_device_id:
 * @self: a #KaStore
 *
 * The device ID: a UUID v4 made when the database was created, kept in `meta` and never
 * changed, so it names this database's ballot chain.
 *
 * Returns: (transfer none) (nullable): the device ID; %NULL only for a read-only store of
 *   a database that has none.
 */
const char *
ka_store_get_device_id (KaStore *self)
{
  g_return_val_if_fail (KA_IS_STORE (self), NULL);

  return self->device_id;
}

/**
 * ka_store_get_schema_version:
 * @self: a #KaStore
 *
 * Returns: the database's `PRAGMA user_version` (%KA_STORE_SCHEMA_VERSION once open).
 */
int
ka_store_get_schema_version (KaStore *self)
{
  g_return_val_if_fail (KA_IS_STORE (self), -1);

  return self->schema_version;
}

/* Pragmas that only read, and that a caller may ask about. */
static const char * const readable_pragmas[] = {
  "journal_mode", "synchronous", "foreign_keys", "busy_timeout", "user_version",
  "integrity_check", "quick_check", "page_count", "freelist_count", NULL,
};

/**
 * ka_store_get_pragma:
 * @self: a #KaStore
 * @name: one of `journal_mode`, `synchronous`, `foreign_keys`, `busy_timeout`,
 *   `user_version`, `integrity_check`, `quick_check`, `page_count`, `freelist_count`
 * @error: return location for a #GError (#KA_STORE_ERROR_INVALID for another @name)
 *
 * Reads a pragma on the store's own connection (where the per-connection settings live):
 * for tests, diagnostics and the kiosk staff panel. Multi-row results (integrity_check)
 * are joined with newlines; an intact database gives `ok`.
 *
 * Returns: (transfer full) (nullable): the value as text, or %NULL with @error set.
 */
char *
ka_store_get_pragma (KaStore     *self,
                     const char  *name,
                     GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GString) value = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (KA_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_strv_contains (readable_pragmas, name))
    {
      g_set_error (error, KA_STORE_ERROR, KA_STORE_ERROR_INVALID,
                   "PRAGMA %s is not one that ka_store_get_pragma() reads", name);
      return NULL;
    }

  /* Safe to format: @name is one of the fixed names above. */
  sql = g_strdup_printf ("PRAGMA %s", name);
  value = g_string_new (NULL);

  locker = g_mutex_locker_new (&self->lock);
  rc = sqlite3_prepare_v3 (self->db, sql, -1, 0, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          if (value->len > 0)
            g_string_append_c (value, '\n');
          g_string_append (value, (const char *) sqlite3_column_text (stmt, 0));
        }
    }
  if (rc != SQLITE_DONE)
    {
      sqlite_error (self, error, rc, sql);
      sqlite3_finalize (stmt);
      return NULL;
    }
  sqlite3_finalize (stmt);

  return g_string_free (g_steal_pointer (&value), FALSE);
}

/* Queues @func (@task) on the writer thread. A read-only store has none: its writes are
 * refused at once, as SQLite would refuse them. */
static void
queue_write (KaStore          *self,
             KaWriteQueueFunc  func,
             GTask            *task)
{
  if (self->writer == NULL)
    {
      g_task_return_new_error (task, KA_STORE_ERROR, KA_STORE_ERROR_READ_ONLY,
                               "%s: opened read-only", self->path);
      return;
    }
  ka_write_queue_push (self->writer, func, g_object_ref (task), g_object_unref);
}

/* Packs and battles */

typedef struct
{
  const char *pack_id;
  const char *content_hash;
  const char *title;
  const char *now;
} ImportPack;

static gboolean
import_pack_body (KaStore  *self,
                  gpointer  data,
                  GError  **error)
{
  ImportPack *p = data;
  g_autofree char *stored_hash = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = get_statement (self, sql_get_pack, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, p->pack_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    stored_hash = column_dup (stmt, 0);
  release_statement (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return sqlite_error (self, error, rc, "looking up the pack");

  if (stored_hash != NULL)
    {
      /* Installed already: nothing to write. */
      if (g_strcmp0 (stored_hash, p->content_hash) == 0)
        return TRUE;

      g_set_error (error, KA_STORE_ERROR, KA_STORE_ERROR_CONFLICT,
                   _("A different pack with the ID “%s” is already installed (content hash "
                     "%.12s…, this file %.12s…). A changed pack needs a new pack_id."),
                   p->pack_id, stored_hash, p->content_hash);
      return FALSE;
    }

  stmt = get_statement (self, sql_insert_pack, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, p->pack_id);
  bind_text (stmt, 2, p->content_hash);
  bind_text (stmt, 3, p->title);
  bind_text (stmt, 4, p->now);
  return step_done (self, stmt, "storing the pack", error);
}

/**
 * ka_store_import_pack:
 * @self: a #KaStore
 * @pack: a loaded, validated #KaPack
 * @error: return location for a #GError
 *
 * Records that @pack (its ID, content hash and title in the pack's own language) is
 * installed. Idempotent: importing the same pack again changes nothing and succeeds. A
 * pack whose `pack_id` is already stored with a different content hash is refused with
 * #KA_STORE_ERROR_CONFLICT: a changed pack must get a new `pack_id`, so that ballots keep
 * pointing at the prompts and responses their voters saw.
 *
 * Returns: %TRUE on success.
 */
gboolean
ka_store_import_pack (KaStore  *self,
                      KaPack   *pack,
                      GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *now = NULL;
  ImportPack p;

  g_return_val_if_fail (KA_IS_STORE (self), FALSE);
  g_return_val_if_fail (KA_IS_PACK (pack), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  now = ka_timestamp_now ();
  p.pack_id = ka_pack_get_id (pack);
  p.content_hash = ka_pack_get_content_hash (pack);
  p.title = ka_pack_get_title (pack, ka_pack_get_language (pack));
  p.now = now;

  locker = lock_for_write (self);
  return run_transaction (self, "importing the pack", import_pack_body, &p, error);
}

typedef struct
{
  const char *battle_id;
  const char *session_id;
  const char *pack_id;
  const char *prompt_id;
  const char *response_a;
  const char *response_b;
  const char *shown_at;
} RecordBattle;

static gboolean
record_battle_body (KaStore  *self,
                    gpointer  data,
                    GError  **error)
{
  RecordBattle *b = data;
  const char *values[] = { b->session_id, b->pack_id, b->prompt_id, b->response_a,
                           b->response_b };
  sqlite3_stmt *stmt;
  gboolean same = TRUE;
  int rc;

  stmt = get_statement (self, sql_insert_battle, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, b->battle_id);
  bind_text (stmt, 2, b->session_id);
  bind_text (stmt, 3, b->pack_id);
  bind_text (stmt, 4, b->prompt_id);
  bind_text (stmt, 5, b->response_a);
  bind_text (stmt, 6, b->response_b);
  bind_text (stmt, 7, b->shown_at);
  if (!step_done (self, stmt, "recording the battle", error))
    return FALSE;

  if (sqlite3_changes (self->db) != 0)
    return TRUE;

  /* Already there: fine if it is the same battle. */
  stmt = get_statement (self, sql_get_battle, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, b->battle_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      for (guint i = 0; i < G_N_ELEMENTS (values); i++)
        same = same && g_strcmp0 ((const char *) sqlite3_column_text (stmt, i),
                                  values[i]) == 0;
    }
  release_statement (stmt);
  if (rc != SQLITE_ROW)
    return sqlite_error (self, error, rc, "reading the battle");
  if (!same)
    {
      g_set_error (error, KA_STORE_ERROR, KA_STORE_ERROR_CONFLICT,
                   "battle %s is already recorded with other content", b->battle_id);
      return FALSE;
    }

  return TRUE;
}

/**
 * ka_store_load_identity_flags:
 * @self: a #KaStore
 * @content_hash: a pack's content hash (ka_pack_get_content_hash())
 * @guard_version: the identity guard's version (ka_identity_guard_get_version())
 * @flags: (out) (transfer full) (nullable): response ID → matched term of every flagged
 *   response, or %NULL when this guard version never scanned this pack here
 * @error: return location for a #GError
 *
 * Reads the identity guard's verdicts on a pack stored by ka_store_save_identity_flags(),
 * so that start-up need not fold and scan every response again. Verdicts of another
 * guard version (other terms or rules) are not returned.
 *
 * Returns: %TRUE on success (whether or not a scan was stored); %FALSE with
 *   #KA_STORE_ERROR_SQLITE on a failure
 */
gboolean
ka_store_load_identity_flags (KaStore      *self,
                              const char   *content_hash,
                              const char   *guard_version,
                              GHashTable  **flags,
                              GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GHashTable) table = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (KA_IS_STORE (self), FALSE);
  g_return_val_if_fail (content_hash != NULL && guard_version != NULL, FALSE);
  g_return_val_if_fail (flags != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *flags = NULL;
  locker = g_mutex_locker_new (&self->lock);

  stmt = get_statement (self, sql_get_identity_scan, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, content_hash);
  bind_text (stmt, 2, guard_version);
  rc = sqlite3_step (stmt);
  release_statement (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;   /* never scanned with this version */
  if (rc != SQLITE_ROW)
    return sqlite_error (self, error, rc, "looking up the identity scan");

  table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  stmt = get_statement (self, sql_list_identity_flags, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, content_hash);
  bind_text (stmt, 2, guard_version);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (table, column_dup (stmt, 0), column_dup (stmt, 1));
  release_statement (stmt);
  if (rc != SQLITE_DONE)
    return sqlite_error (self, error, rc, "reading the identity flags");

  *flags = g_steal_pointer (&table);
  return TRUE;
}

/**
 * ka_store_save_identity_flags:
 * @self: a #KaStore
 * @content_hash: a pack's content hash
 * @guard_version: the identity guard's version
 * @flags: response ID → matched term of every flagged response (may be empty)
 * @error: return location for a #GError
 *
 * Stores the identity guard's verdicts on a pack in one transaction, replacing whatever an
 * earlier guard version stored for the same pack (its terms or rules changed, so its
 * verdicts are stale).
 *
 * Returns: %TRUE when stored; %FALSE with #KA_STORE_ERROR_READ_ONLY on a read-only store,
 *   #KA_STORE_ERROR_SQLITE on a failure
 */
typedef struct
{
  const char *content_hash;
  const char *guard_version;
  GHashTable *flags;
  const char *now;
} SaveIdentityFlags;

static gboolean
save_identity_flags_body (KaStore  *self,
                          gpointer  data,
                          GError  **error)
{
  SaveIdentityFlags *f = data;
  GHashTableIter iter;
  gpointer key, value;
  sqlite3_stmt *stmt;

  stmt = get_statement (self, sql_delete_identity_scans, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, f->content_hash);
  if (!step_done (self, stmt, "removing stale identity scans", error))
    return FALSE;

  stmt = get_statement (self, sql_insert_identity_scan, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, f->content_hash);
  bind_text (stmt, 2, f->guard_version);
  bind_text (stmt, 3, f->now);
  if (!step_done (self, stmt, "storing the identity scan", error))
    return FALSE;

  g_hash_table_iter_init (&iter, f->flags);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      stmt = get_statement (self, sql_insert_identity_flag, error);
      if (stmt == NULL)
        return FALSE;
      bind_text (stmt, 1, f->content_hash);
      bind_text (stmt, 2, f->guard_version);
      bind_text (stmt, 3, key);
      bind_text (stmt, 4, value);
      if (!step_done (self, stmt, "storing an identity flag", error))
        return FALSE;
    }

  return TRUE;
}

gboolean
ka_store_save_identity_flags (KaStore     *self,
                              const char  *content_hash,
                              const char  *guard_version,
                              GHashTable  *flags,
                              GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *now = NULL;
  SaveIdentityFlags f;

  g_return_val_if_fail (KA_IS_STORE (self), FALSE);
  g_return_val_if_fail (content_hash != NULL && guard_version != NULL, FALSE);
  g_return_val_if_fail (flags != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->read_only)
    {
      g_set_error (error, KA_STORE_ERROR, KA_STORE_ERROR_READ_ONLY,
                   "%s: the store is open read-only", self->path);
      return FALSE;
    }

  now = ka_timestamp_now ();
  f.content_hash = content_hash;
  f.guard_version = guard_version;
  f.flags = flags;
  f.now = now;

  locker = lock_for_write (self);
  return run_transaction (self, "storing the identity guard's verdicts",
                          save_identity_flags_body, &f, error);
}

/**
 * ka_store_record_battle:
 * @self: a #KaStore
 * @battle_id: the battle's ID (ka_battle_get_id())
 * @session_id: the voting session
 * @pack_id: the pack
 * @prompt_id: the prompt
 * @response_a: the response shown on the left
 * @response_b: the response shown on the right
 * @shown_at: when both answers appeared, RFC 3339 UTC (ka_timestamp_now())
 * @error: return location for a #GError
 *
 * Records a battle as shown, before the vote, so that the scheduler's balance survives a
 * restart and a later ballot can be linked to it (ka_store_commit_ballot() with
 * @battle_id). Recording the same battle again with the same content is a no-op; with
 * other content it is #KA_STORE_ERROR_CONFLICT.
 *
 * Waits for the writes queued before it and blocks for one fsync: the UI thread uses
 * ka_store_record_battle_async().
 *
 * Returns: %TRUE on success.
 */
gboolean
ka_store_record_battle (KaStore     *self,
                        const char  *battle_id,
                        const char  *session_id,
                        const char  *pack_id,
                        const char  *prompt_id,
                        const char  *response_a,
                        const char  *response_b,
                        const char  *shown_at,
                        GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  RecordBattle b = { battle_id, session_id, pack_id, prompt_id, response_a, response_b,
                     shown_at };

  g_return_val_if_fail (KA_IS_STORE (self), FALSE);
  g_return_val_if_fail (battle_id != NULL && session_id != NULL && pack_id != NULL, FALSE);
  g_return_val_if_fail (prompt_id != NULL && response_a != NULL && response_b != NULL, FALSE);
  g_return_val_if_fail (shown_at != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = lock_for_write (self);
  return run_transaction (self, "recording the battle", record_battle_body, &b, error);
}

typedef struct
{
  KaStore *store;   /* (owned) (nullable): set when there is no GTask */
  char *battle_id;
  char *session_id;
  char *pack_id;
  char *prompt_id;
  char *response_a;
  char *response_b;
  char *shown_at;
} RecordBattleData;

static void
record_battle_data_free (RecordBattleData *data)
{
  g_clear_object (&data->store);
  g_free (data->battle_id);
  g_free (data->session_id);
  g_free (data->pack_id);
  g_free (data->prompt_id);
  g_free (data->response_a);
  g_free (data->response_b);
  g_free (data->shown_at);
  g_free (data);
}

static gboolean
record_battle_now (KaStore           *self,
                   RecordBattleData  *data,
                   GError           **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  RecordBattle b = { data->battle_id, data->session_id, data->pack_id, data->prompt_id,
                     data->response_a, data->response_b, data->shown_at };

  return run_transaction (self, "recording the battle", record_battle_body, &b, error);
}

/* A KaWriteQueueFunc (a GTask): on the writer thread. */
static void
record_battle_job (gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (record_battle_now (g_task_get_source_object (task), g_task_get_task_data (task),
                         &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* A KaWriteQueueFunc (a RecordBattleData with its store): nobody waits for the outcome. */
static void
record_battle_unwatched_job (gpointer user_data)
{
  RecordBattleData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!record_battle_now (data->store, data, &error))
    g_message ("Could not record battle %s as shown: %s", data->battle_id, error->message);
}

/**
 * ka_store_record_battle_async:
 * @self: a #KaStore
 * @battle_id: as for ka_store_record_battle()
 * @session_id: the voting session
 * @pack_id: the pack
 * @prompt_id: the prompt
 * @response_a: the response shown on the left
 * @response_b: the response shown on the right
 * @shown_at: when both answers appeared, RFC 3339 UTC
 * @cancellable: (nullable): stops the write only if it has not begun
 * @callback: (nullable): called in the caller's thread-default main context when the
 *   battle is recorded or could not be; without one the outcome is not reported (a
 *   failure is logged, and a ballot committed for this battle then fails, as the battle
 *   is not recorded) and nothing waits in the caller's main context
 * @user_data: data for @callback
 *
 * Queues ka_store_record_battle() on the store's writer thread and returns at once: the
 * caller (the UI thread) never waits for SQLite, the lock or fsync, not even while
 * another thread runs a long transaction. The strings are copied before this returns.
 * Writes queued later (ka_store_commit_ballot_async() of this battle's ballot), and
 * synchronous writes called later from any thread, run after this one. Finish with
 * ka_store_record_battle_finish().
 */
void
ka_store_record_battle_async (KaStore             *self,
                              const char          *battle_id,
                              const char          *session_id,
                              const char          *pack_id,
                              const char          *prompt_id,
                              const char          *response_a,
                              const char          *response_b,
                              const char          *shown_at,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RecordBattleData *data;

  g_return_if_fail (KA_IS_STORE (self));
  g_return_if_fail (battle_id != NULL && session_id != NULL && pack_id != NULL);
  g_return_if_fail (prompt_id != NULL && response_a != NULL && response_b != NULL);
  g_return_if_fail (shown_at != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (RecordBattleData, 1);
  data->battle_id = g_strdup (battle_id);
  data->session_id = g_strdup (session_id);
  data->pack_id = g_strdup (pack_id);
  data->prompt_id = g_strdup (prompt_id);
  data->response_a = g_strdup (response_a);
  data->response_b = g_strdup (response_b);
  data->shown_at = g_strdup (shown_at);

  if (callback == NULL && self->writer != NULL)
    {
      data->store = g_object_ref (self);
      ka_write_queue_push (self->writer, record_battle_unwatched_job, data,
                           (GDestroyNotify) record_battle_data_free);
      return;
    }

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ka_store_record_battle_async);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, data, (GDestroyNotify) record_battle_data_free);
  queue_write (self, record_battle_job, task);
}

/**
 * ka_store_record_battle_finish:
 * @self: a #KaStore
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError (#G_IO_ERROR_CANCELLED if cancelled before the
 *   write began, else as ka_store_record_battle())
 *
 * Returns: %TRUE if the battle is recorded (or was already, with the same content).
 */
gboolean
ka_store_record_battle_finish (KaStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (KA_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ka_store_record_battle_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Ballots */

/* Turns a draft into a ballot with placeholder chain fields and validates it, so that a
 * bad draft is refused before any lock or transaction. */
static KaBallot *
ballot_from_draft (const KaBallotDraft  *draft,
                   const char           *device_id,
                   GError              **error)
{
  g_autoptr(KaBallot) ballot = ka_ballot_new ();
  g_autoptr(GError) local_error = NULL;

  ballot->ballot_id = g_uuid_string_random ();
  ballot->device_id = g_strdup (device_id);
  ballot->session_id = g_strdup (draft->session_id);
  ballot->seq = 1;
  ballot->pack_id = g_strdup (draft->pack_id);
  ballot->prompt_id = g_strdup (draft->prompt_id);
  ballot->response_a = g_strdup (draft->response_a);
  ballot->response_b = g_strdup (draft->response_b);
  ballot->winner = draft->winner;
  ballot->shown_at = g_strdup (draft->shown_at);
  ballot->voted_at = g_strdup (draft->voted_at);
  ballot->decision_ms = draft->decision_ms;
  ballot->mode = draft->mode;
  ballot->ui_language = g_strdup (draft->ui_language);
  ballot->identity_flag = draft->identity_flag;
  ballot->prev_hash = g_strdup (KA_BALLOT_GENESIS_HASH);

  if (!ka_ballot_validate (ballot, FALSE, &local_error))
    {
      g_set_error (error, KA_STORE_ERROR, KA_STORE_ERROR_INVALID,
                   "invalid ballot draft: %s", local_error->message);
      return NULL;
    }

  return g_steal_pointer (&ballot);
}

typedef struct
{
  KaBallot   *ballot;     /* placeholder chain fields; completed by the body */
  const char *battle_id;  /* (nullable) */
} CommitBallot;

static gboolean
commit_ballot_body (KaStore  *self,
                    gpointer  data,
                    GError  **error)
{
  CommitBallot *c = data;
  KaBallot *ballot = c->ballot;
  sqlite3_stmt *stmt;
  int rc;

  stmt = get_statement (self, sql_chain_head, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, self->device_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      ballot->seq = sqlite3_column_int64 (stmt, 0) + 1;
      g_free (ballot->prev_hash);
      ballot->prev_hash = column_dup (stmt, 1);
    }
  release_statement (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return sqlite_error (self, error, rc, "reading the chain head");

  g_free (ballot->hash);
  ballot->hash = ka_ballot_compute_hash (ballot);

  stmt = get_statement (self, sql_insert_ballot, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, ballot->ballot_id);
  bind_text (stmt, 2, ballot->device_id);
  bind_text (stmt, 3, ballot->session_id);
  sqlite3_bind_int64 (stmt, 4, ballot->seq);
  bind_text (stmt, 5, ballot->pack_id);
  bind_text (stmt, 6, ballot->prompt_id);
  bind_text (stmt, 7, ballot->response_a);
  bind_text (stmt, 8, ballot->response_b);
  bind_text (stmt, 9, ka_winner_to_string (ballot->winner));
  bind_text (stmt, 10, ballot->shown_at);
  bind_text (stmt, 11, ballot->voted_at);
  sqlite3_bind_int64 (stmt, 12, ballot->decision_ms);
  bind_text (stmt, 13, ka_mode_to_string (ballot->mode));
  bind_text (stmt, 14, ballot->ui_language);
  sqlite3_bind_int (stmt, 15, ballot->identity_flag ? 1 : 0);
  bind_text (stmt, 16, ballot->prev_hash);
  bind_text (stmt, 17, ballot->hash);
  if (!step_done (self, stmt, "storing the ballot", error))
    return FALSE;

  if (c->battle_id == NULL)
    return TRUE;

  stmt = get_statement (self, sql_link_battle, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, ballot->ballot_id);
  bind_text (stmt, 2, c->battle_id);
  bind_text (stmt, 3, ballot->session_id);
  bind_text (stmt, 4, ballot->pack_id);
  bind_text (stmt, 5, ballot->prompt_id);
  bind_text (stmt, 6, ballot->response_a);
  bind_text (stmt, 7, ballot->response_b);
  if (!step_done (self, stmt, "linking the battle", error))
    return FALSE;
  if (sqlite3_changes (self->db) != 1)
    {
      g_set_error (error, KA_STORE_ERROR, KA_STORE_ERROR_INVALID,
                   "battle %s is not recorded, already has a ballot, or showed other "
                   "responses than the ballot names", c->battle_id);
      return FALSE;
    }

  return TRUE;
}

static KaBallot *
commit_ballot_locked (KaStore              *self,
                      const KaBallotDraft  *draft,
                      const char           *battle_id,
                      GError              **error)
{
  g_autoptr(KaBallot) ballot = NULL;
  CommitBallot c;

  ballot = ballot_from_draft (draft, self->device_id, error);
  if (ballot == NULL)
    return NULL;

  /* IMMEDIATE takes the write lock at BEGIN, so the chain head read in the body cannot go
   * stale (and no SQLITE_BUSY_SNAPSHOT later). */
  c.ballot = ballot;
  c.battle_id = battle_id;
  if (!run_transaction (self, "storing the ballot", commit_ballot_body, &c, error))
    return NULL;

  return g_steal_pointer (&ballot);
}

/**
 * ka_store_commit_ballot:
 * @self: a #KaStore
 * @draft: what the voter decided (borrowed; copied)
 * @battle_id: (nullable): the battle recorded with ka_store_record_battle() that this
 *   ballot settles, or %NULL
 * @error: return location for a #GError
 *
 * Seals and stores one ballot in a single transaction (`BEGIN IMMEDIATE` … `COMMIT`):
 * assigns a fresh `ballot_id` (UUID v4), this store's `device_id`, the next `seq` of the
 * device chain and its `prev_hash`, computes `hash`, inserts the row with delivery
 * `pending`, and links the battle if @battle_id is given (it must be recorded, unvoted and
 * show the same session, pack, prompt and responses). The ballot is returned only after
 * COMMIT has returned, i.e. after SQLite fsync'ed it (`synchronous=FULL`): only then may
 * the UI say "vote recorded". On any failure the transaction is rolled back, nothing is
 * written and no seq is used up. A bad draft is #KA_STORE_ERROR_INVALID, a read-only
 * store #KA_STORE_ERROR_READ_ONLY, SQLite failures (disk full, I/O) #KA_STORE_ERROR_SQLITE.
 *
 * Waits for the writes queued before it (ka_store_record_battle_async() of @battle_id)
 * and blocks for one fsync (a few milliseconds): call ka_store_commit_ballot_async() from
 * the UI thread.
 *
 * Returns: (transfer full) (nullable): the stored ballot, or %NULL with @error set.
 */
KaBallot *
ka_store_commit_ballot (KaStore              *self,
                        const KaBallotDraft  *draft,
                        const char           *battle_id,
                        GError              **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (KA_IS_STORE (self), NULL);
  g_return_val_if_fail (draft != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = lock_for_write (self);
  return commit_ballot_locked (self, draft, battle_id, error);
}

typedef struct
{
  KaBallotDraft  draft;     /* its strings point into the fields below */
  char          *session_id;
  char          *pack_id;
  char          *prompt_id;
  char          *response_a;
  char          *response_b;
  char          *shown_at;
  char          *voted_at;
  char          *ui_language;
  char          *battle_id;
} CommitData;

static void
commit_data_free (CommitData *data)
{
  g_free (data->session_id);
  g_free (data->pack_id);
  g_free (data->prompt_id);
  g_free (data->response_a);
  g_free (data->response_b);
  g_free (data->shown_at);
  g_free (data->voted_at);
  g_free (data->ui_language);
  g_free (data->battle_id);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CommitData, commit_data_free)

/* A KaWriteQueueFunc (a GTask): on the writer thread. */
static void
commit_ballot_job (gpointer user_data)
{
  GTask *task = user_data;
  KaStore *self = g_task_get_source_object (task);
  CommitData *data = g_task_get_task_data (task);
  GError *error = NULL;
  KaBallot *ballot;

  /* Cancellation is honoured only before the commit starts: once a ballot is stored it is
   * always reported, so the UI can never miss a vote that was recorded. */
  if (g_task_return_error_if_cancelled (task))
    return;

  g_mutex_lock (&self->lock);
  ballot = commit_ballot_locked (self, &data->draft, data->battle_id, &error);
  g_mutex_unlock (&self->lock);
  if (ballot == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, ballot, (GDestroyNotify) ka_ballot_free);
}

/**
 * ka_store_commit_ballot_async:
 * @self: a #KaStore
 * @draft: what the voter decided (borrowed; copied before this returns)
 * @battle_id: (nullable): as for ka_store_commit_ballot()
 * @cancellable: (nullable): a #GCancellable; it stops the commit only if it has not begun
 * @callback: called in the thread-default main context of the caller when done
 * @user_data: data for @callback
 *
 * Queues ka_store_commit_ballot() on the store's writer thread and returns at once, so the
 * UI thread never waits for SQLite, the lock or fsync. It runs after every write queued
 * before it, in particular after ka_store_record_battle_async() of @battle_id: a battle
 * shown is recorded before its ballot is committed. Finish with
 * ka_store_commit_ballot_finish().
 */
void
ka_store_commit_ballot_async (KaStore             *self,
                              const KaBallotDraft *draft,
                              const char          *battle_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(CommitData) data = NULL;

  g_return_if_fail (KA_IS_STORE (self));
  g_return_if_fail (draft != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (CommitData, 1);
  data->draft = *draft;
  data->draft.session_id = data->session_id = g_strdup (draft->session_id);
  data->draft.pack_id = data->pack_id = g_strdup (draft->pack_id);
  data->draft.prompt_id = data->prompt_id = g_strdup (draft->prompt_id);
  data->draft.response_a = data->response_a = g_strdup (draft->response_a);
  data->draft.response_b = data->response_b = g_strdup (draft->response_b);
  data->draft.shown_at = data->shown_at = g_strdup (draft->shown_at);
  data->draft.voted_at = data->voted_at = g_strdup (draft->voted_at);
  data->draft.ui_language = data->ui_language = g_strdup (draft->ui_language);
  data->battle_id = g_strdup (battle_id);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ka_store_commit_ballot_async);
  /* A committed ballot must reach the caller even if @cancellable fires afterwards. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, g_steal_pointer (&data), (GDestroyNotify) commit_data_free);
  queue_write (self, commit_ballot_job, task);
}

/**
 * ka_store_commit_ballot_finish:
 * @self: a #KaStore
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError (#G_IO_ERROR_CANCELLED if cancelled before the
 *   commit began, else as ka_store_commit_ballot())
 *
 * Returns: (transfer full) (nullable): the committed ballot, or %NULL with @error set.
 */
KaBallot *
ka_store_commit_ballot_finish (KaStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (KA_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ka_store_commit_ballot_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static GPtrArray *
list_locked (KaStore     *self,
             const char  *sql,
             const char  *text_arg,
             gint64       int_arg,
             GError     **error)
{
  g_autoptr(GPtrArray) ballots = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_ballot_free);
  sqlite3_stmt *stmt = get_statement (self, sql, error);
  int rc;

  if (stmt == NULL)
    return NULL;

  if (text_arg != NULL)
    bind_text (stmt, 1, text_arg);
  else if (int_arg >= 0)
    sqlite3_bind_int64 (stmt, 1, int_arg);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ballots, ballot_from_row (stmt));
  release_statement (stmt);

  if (rc != SQLITE_DONE)
    {
      sqlite_error (self, error, rc, "listing ballots");
      return NULL;
    }

  return g_steal_pointer (&ballots);
}

/**
 * ka_store_list_ballots:
 * @self: a #KaStore
 * @pack_id: (nullable): only this pack's ballots, or %NULL for all
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type KaBallot) (nullable): the stored ballots ordered
 *   by device ID then seq (each device's chain in order); an empty array if there are
 *   none; %NULL with @error set on failure.
 */
GPtrArray *
ka_store_list_ballots (KaStore     *self,
                       const char  *pack_id,
                       GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (KA_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (pack_id != NULL)
    return list_locked (self, sql_list_pack, pack_id, -1, error);
  return list_locked (self, sql_list_all, NULL, -1, error);
}

/**
 * ka_store_list_pending:
 * @self: a #KaStore
 * @limit: at most this many ballots (the upload batch size, e.g. 500)
 * @error: return location for a #GError
 *
 * The outbox: ballots whose delivery state is `pending`, oldest seq first per device.
 *
 * Returns: (transfer full) (element-type KaBallot) (nullable): up to @limit ballots, or
 *   %NULL with @error set.
 */
GPtrArray *
ka_store_list_pending (KaStore     *self,
                       guint        limit,
                       GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (KA_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  return list_locked (self, sql_list_pending, NULL, limit, error);
}

/**
 * ka_store_count_ballots:
 * @self: a #KaStore
 * @state: the delivery state to count
 * @error: return location for a #GError
 *
 * Returns: the number of stored ballots in @state, or -1 with @error set.
 */
gint64
ka_store_count_ballots (KaStore          *self,
                        KaDeliveryState   state,
                        GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *stmt;
  gint64 count = -1;
  int rc;

  g_return_val_if_fail (KA_IS_STORE (self), -1);
  g_return_val_if_fail (ka_delivery_state_to_string (state) != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  locker = g_mutex_locker_new (&self->lock);
  stmt = get_statement (self, sql_count_state, error);
  if (stmt == NULL)
    return -1;
  bind_text (stmt, 1, ka_delivery_state_to_string (state));
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    count = sqlite3_column_int64 (stmt, 0);
  release_statement (stmt);
  if (rc != SQLITE_ROW)
    sqlite_error (self, error, rc, "counting ballots");

  return count;
}

/**
 * ka_store_get_delivery_state:
 * @self: a #KaStore
 * @ballot_id: a stored ballot's ID
 * @error: return location for a #GError (#KA_STORE_ERROR_INVALID for an unknown ballot)
 *
 * Returns: the ballot's outbox state; %KA_DELIVERY_PENDING with @error set on failure.
 */
KaDeliveryState
ka_store_get_delivery_state (KaStore     *self,
                             const char  *ballot_id,
                             GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  KaDeliveryState state = KA_DELIVERY_PENDING;
  g_autofree char *text = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (KA_IS_STORE (self), KA_DELIVERY_PENDING);
  g_return_val_if_fail (ballot_id != NULL, KA_DELIVERY_PENDING);
  g_return_val_if_fail (error == NULL || *error == NULL, KA_DELIVERY_PENDING);

  locker = g_mutex_locker_new (&self->lock);
  stmt = get_statement (self, sql_get_delivery, error);
  if (stmt == NULL)
    return KA_DELIVERY_PENDING;
  bind_text (stmt, 1, ballot_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    text = column_dup (stmt, 0);
  release_statement (stmt);

  if (rc == SQLITE_DONE)
    g_set_error (error, KA_STORE_ERROR, KA_STORE_ERROR_INVALID,
                 "no ballot %s in %s", ballot_id, self->path);
  else if (rc != SQLITE_ROW)
    sqlite_error (self, error, rc, "reading the delivery state");
  else if (!delivery_state_from_string (text, &state))
    g_set_error (error, KA_STORE_ERROR, KA_STORE_ERROR_SQLITE,
                 "ballot %s has an unknown delivery state '%s'", ballot_id, text);

  return state;
}

typedef struct
{
  const KaDeliverySettlement *settlements;
  guint                       n_settlements;
  const char                 *now;
  /* TRUE: a delivered ballot that would move to another state is skipped and counted in
   * @ignored; FALSE: it is #KA_STORE_ERROR_CONFLICT */
  gboolean                    skip_delivered;
  guint                       ignored;
} Settle;

static gboolean
settle_body (KaStore  *self,
             gpointer  data,
             GError  **error)
{
  Settle *settle = data;

  for (guint i = 0; i < settle->n_settlements; i++)
    {
      const KaDeliverySettlement *s = &settle->settlements[i];
      g_autofree char *current = NULL;
      sqlite3_stmt *stmt;
      int rc;

      stmt = get_statement (self, sql_get_delivery, error);
      if (stmt == NULL)
        return FALSE;
      bind_text (stmt, 1, s->ballot_id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        current = column_dup (stmt, 0);
      release_statement (stmt);
      if (rc == SQLITE_DONE)
        {
          g_set_error (error, KA_STORE_ERROR, KA_STORE_ERROR_INVALID,
                       "no ballot %s in %s", s->ballot_id, self->path);
          return FALSE;
        }
      if (rc != SQLITE_ROW)
        return sqlite_error (self, error, rc, "reading the delivery state");

      if (g_strcmp0 (current, "delivered") == 0 && s->state != KA_DELIVERY_DELIVERED)
        {
          if (settle->skip_delivered)
            {
              settle->ignored++;
              continue;
            }
          g_set_error (error, KA_STORE_ERROR, KA_STORE_ERROR_CONFLICT,
                       "ballot %s is already delivered; it cannot become %s",
                       s->ballot_id, ka_delivery_state_to_string (s->state));
          return FALSE;
        }

      stmt = get_statement (self, sql_set_delivery, error);
      if (stmt == NULL)
        return FALSE;
      bind_text (stmt, 1, ka_delivery_state_to_string (s->state));
      bind_text (stmt, 2, s->receipt);
      bind_text (stmt, 3, s->state == KA_DELIVERY_PENDING ? NULL : settle->now);
      bind_text (stmt, 4, s->reveal_model_a);
      bind_text (stmt, 5, s->reveal_model_b);
      bind_text (stmt, 6, s->ballot_id);
      if (!step_done (self, stmt, "updating the delivery state", error))
        return FALSE;
    }

  return TRUE;
}

/**
 * ka_store_set_delivery:
 * @self: a #KaStore
 * @ballot_id: a stored ballot's ID
 * @state: the new outbox state
 * @receipt: (nullable): the collector's receipt (JSON text) that settled it
 * @reveal_model_a: (nullable): the left model's name from the receipt, kept if %NULL
 * @reveal_model_b: (nullable): the right model's name from the receipt, kept if %NULL
 * @error: return location for a #GError
 *
 * Settles a ballot in the outbox and stamps `delivered_at` with the current time. A
 * delivered ballot stays delivered: moving it to another state is
 * #KA_STORE_ERROR_CONFLICT (setting `delivered` again just updates the receipt). An
 * unknown ballot is #KA_STORE_ERROR_INVALID.
 *
 * Returns: %TRUE on success.
 */
gboolean
ka_store_set_delivery (KaStore          *self,
                       const char       *ballot_id,
                       KaDeliveryState   state,
                       const char       *receipt,
                       const char       *reveal_model_a,
                       const char       *reveal_model_b,
                       GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *now = ka_timestamp_now ();
  KaDeliverySettlement settlement = { ballot_id, state, receipt, reveal_model_a,
                                      reveal_model_b };
  Settle settle = { &settlement, 1, now, FALSE, 0 };

  g_return_val_if_fail (KA_IS_STORE (self), FALSE);
  g_return_val_if_fail (ballot_id != NULL, FALSE);
  g_return_val_if_fail (ka_delivery_state_to_string (state) != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = lock_for_write (self);
  return run_transaction (self, "updating the delivery state", settle_body, &settle, error);
}

/**
 * ka_store_verify_chains:
 * @self: a #KaStore
 * @report: (nullable): a string to which one line per device is appended, e.g.
 *   `device 5c1e…: 42 ballots, head 3fa2…: OK` or `device …: 42 ballots: BROKEN: …`
 * @error: return location for a #GError
 *
 * Runs ka_ballot_chain_verify() on every device's ballots (all of them, even after a
 * break). On any break returns %FALSE with a #KA_BALLOT_ERROR_CHAIN_BREAK error whose
 * message names the first break and how many chains are broken; SQLite failures are
 * #KA_STORE_ERROR_SQLITE.
 *
 * Returns: %TRUE if every chain is intact (also when there are no ballots).
 */
gboolean
ka_store_verify_chains (KaStore  *self,
                        GString  *report,
                        GError  **error)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) first_error = NULL;
  guint n_devices = 0;
  guint n_broken = 0;
  guint start = 0;

  g_return_val_if_fail (KA_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  all = ka_store_list_ballots (self, NULL, error);
  if (all == NULL)
    return FALSE;

  if (all->len == 0 && report != NULL)
    g_string_append (report, "no ballots\n");

  while (start < all->len)
    {
      g_autoptr(GPtrArray) chain = g_ptr_array_new ();
      g_autoptr(GError) local_error = NULL;
      g_autofree char *head = NULL;
      const KaBallot *first = g_ptr_array_index (all, start);
      guint end = start;

      while (end < all->len &&
             g_strcmp0 (((KaBallot *) g_ptr_array_index (all, end))->device_id,
                        first->device_id) == 0)
        g_ptr_array_add (chain, g_ptr_array_index (all, end++));

      n_devices++;
      if (ka_ballot_chain_verify (chain, &head, &local_error))
        {
          if (report != NULL)
            g_string_append_printf (report, "device %s: %u ballots, head %s: OK\n",
                                    first->device_id, chain->len, head);
        }
      else
        {
          n_broken++;
          if (report != NULL)
            g_string_append_printf (report, "device %s: %u ballots: BROKEN: %s\n",
                                    first->device_id, chain->len, local_error->message);
          if (first_error == NULL)
            first_error = g_steal_pointer (&local_error);
        }

      start = end;
    }

  if (first_error != NULL)
    {
      g_set_error (error, first_error->domain, first_error->code,
                   "%u of %u device chains broken; first: %s",
                   n_broken, n_devices, first_error->message);
      return FALSE;
    }

  return TRUE;
}

/**
 * ka_store_get_meta:
 * @self: a #KaStore
 * @key: a `meta` key
 *
 * Returns: (transfer full) (nullable): the value, or %NULL if unset (or unreadable: a
 *   warning is logged then).
 */
char *
ka_store_get_meta (KaStore    *self,
                   const char *key)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GError) error = NULL;
  char *value;

  g_return_val_if_fail (KA_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  value = get_meta_locked (self, key, &error);
  if (error != NULL)
    g_warning ("Could not read “%s” from %s: %s", key, self->path, error->message);
  return value;
}

/**
 * ka_store_set_meta:
 * @self: a #KaStore
 * @key: a `meta` key; `device_id` is refused (#KA_STORE_ERROR_INVALID): it names the
 *   ballot chain and never changes
 * @value: the value
 * @error: return location for a #GError
 *
 * Stores @value under @key, replacing any earlier value, in its own transaction.
 *
 * Returns: %TRUE on success.
 */
gboolean
ka_store_set_meta (KaStore     *self,
                   const char  *key,
                   const char  *value,
                   GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (KA_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_str_equal (key, "device_id"))
    {
      g_set_error (error, KA_STORE_ERROR, KA_STORE_ERROR_INVALID,
                   "the device ID names this database's ballot chain and cannot be changed");
      return FALSE;
    }

  locker = lock_for_write (self);
  stmt = get_statement (self, sql_set_meta, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, key);
  bind_text (stmt, 2, value);
  return step_done (self, stmt, "writing meta", error);
}

/**
 * ka_store_get_outbox_counts:
 * @self: a #KaStore
 * @counts: (out caller-allocates): where to write the counts
 * @error: return location for a #GError
 *
 * Counts the outbox by delivery state in one read transaction (one consistent snapshot),
 * with the lowest rejected `seq` and the highest `seq` of this store's own device (its
 * chain's length). Every query is answered from an index. ka-sync uses them for
 * its "pending" and "rejected" properties and to decide whether a `chain_break` follows a
 * quarantined ballot (docs/protocol.md §6.2).
 *
 * Returns: %TRUE on success; %FALSE with @error set (#KA_STORE_ERROR_SQLITE).
 */
gboolean
ka_store_get_outbox_counts (KaStore         *self,
                            KaOutboxCounts  *counts,
                            GError         **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  KaOutboxCounts result = { 0, };
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (KA_IS_STORE (self), FALSE);
  g_return_val_if_fail (counts != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);

  /* BEGIN (deferred) so that both queries read the same snapshot. */
  if (!exec_script (self, "BEGIN", "starting a read transaction", error))
    return FALSE;

  stmt = get_statement (self, sql_outbox_counts, error);
  if (stmt == NULL)
    goto fail;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      KaDeliveryState state;

      if (!delivery_state_from_string ((const char *) sqlite3_column_text (stmt, 0), &state))
        continue;
      switch (state)
        {
        case KA_DELIVERY_PENDING:
          result.pending = sqlite3_column_int64 (stmt, 1);
          break;
        case KA_DELIVERY_DELIVERED:
          result.delivered = sqlite3_column_int64 (stmt, 1);
          break;
        case KA_DELIVERY_REJECTED:
          result.rejected = sqlite3_column_int64 (stmt, 1);
          break;
        default:
          break;
        }
    }
  release_statement (stmt);
  if (rc != SQLITE_DONE)
    {
      sqlite_error (self, error, rc, "counting the outbox");
      goto fail;
    }

  stmt = get_statement (self, sql_first_rejected, error);
  if (stmt == NULL)
    goto fail;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    result.first_rejected_seq = sqlite3_column_int64 (stmt, 0);
  release_statement (stmt);
  if (rc != SQLITE_ROW)
    {
      sqlite_error (self, error, rc, "reading the first rejected seq");
      goto fail;
    }

  stmt = get_statement (self, sql_last_seq, error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, self->device_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    result.last_seq = sqlite3_column_int64 (stmt, 0);
  release_statement (stmt);
  if (rc != SQLITE_ROW)
    {
      sqlite_error (self, error, rc, "reading the last seq");
      goto fail;
    }

  if (!exec_script (self, "COMMIT", "ending a read transaction", error))
    goto fail;

  *counts = result;
  return TRUE;

fail:
  rollback (self);
  return FALSE;
}

/**
 * ka_store_settle_deliveries:
 * @self: a #KaStore
 * @settlements: (array length=n_settlements): the outcomes of one receipt
 * @n_settlements: number of @settlements
 * @n_ignored: (out) (optional): how many settlements changed nothing because their ballot
 *   was already delivered and the new state was not `delivered`
 * @error: return location for a #GError
 *
 * Settles many ballots in ONE transaction (one sync to disk for a whole receipt instead of
 * one per ballot as with ka_store_set_delivery()), stamping `delivered_at` with the current
 * time and keeping any revealed model names. A delivered ballot stays delivered: a
 * settlement that would move it to another state is skipped and counted in @n_ignored
 * (two clients racing the same ballots may see them rejected after a first delivery).
 * Settling a ballot as `delivered` again replaces its receipt. A ballot ID the store does
 * not hold makes the whole call fail with #KA_STORE_ERROR_INVALID and change nothing; so
 * does a settlement to %KA_DELIVERY_PENDING (use ka_store_requeue_delivered()).
 *
 * Returns: %TRUE once the transaction has committed.
 */
gboolean
ka_store_settle_deliveries (KaStore                    *self,
                            const KaDeliverySettlement *settlements,
                            guint                       n_settlements,
                            guint                      *n_ignored,
                            GError                    **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *now = ka_timestamp_now ();
  Settle settle = { settlements, n_settlements, now, TRUE, 0 };

  g_return_val_if_fail (KA_IS_STORE (self), FALSE);
  g_return_val_if_fail (settlements != NULL || n_settlements == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < n_settlements; i++)
    {
      if (settlements[i].ballot_id == NULL ||
          (settlements[i].state != KA_DELIVERY_DELIVERED &&
           settlements[i].state != KA_DELIVERY_REJECTED))
        {
          g_set_error (error, KA_STORE_ERROR, KA_STORE_ERROR_INVALID,
                       "settlement %u: a ballot ID and the state delivered or rejected are "
                       "required", i);
          return FALSE;
        }
    }

  locker = lock_for_write (self);
  if (!run_transaction (self, "settling deliveries", settle_body, &settle, error))
    return FALSE;

  if (n_ignored != NULL)
    *n_ignored = settle.ignored;
  return TRUE;
}

/**
 * ka_store_requeue_delivered:
 * @self: a #KaStore
 * @device_id: the device chain
 * @after_seq: ballots with a `seq` above this one are requeued (0: all)
 * @error: return location for a #GError
 *
 * The one way back from `delivered`: marks @device_id's delivered ballots with `seq` >
 * @after_seq pending again and clears their receipt and `delivered_at` (revealed model
 * names are kept: they stay true). ka-sync calls it when the collector's chain endpoint
 * shows that the collector holds only the first @after_seq ballots of a chain it had
 * acknowledged, i.e. it was restored from an older backup (docs/protocol.md §7). One
 * transaction.
 *
 * Returns: the number of ballots requeued, or -1 with @error set.
 */
gint64
ka_store_requeue_delivered (KaStore     *self,
                            const char  *device_id,
                            gint64       after_seq,
                            GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (KA_IS_STORE (self), -1);
  g_return_val_if_fail (device_id != NULL, -1);
  g_return_val_if_fail (after_seq >= 0, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  locker = lock_for_write (self);
  stmt = get_statement (self, sql_requeue, error);
  if (stmt == NULL)
    return -1;
  bind_text (stmt, 1, device_id);
  sqlite3_bind_int64 (stmt, 2, after_seq);
  if (!step_done (self, stmt, "requeueing delivered ballots", error))
    return -1;

  return sqlite3_changes64 (self->db);
}

/**
 * ka_store_get_ballot_by_seq:
 * @self: a #KaStore
 * @device_id: the device chain
 * @seq: the position in that chain (1-based)
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the ballot at @seq of @device_id's chain; %NULL
 *   without an error if there is none, %NULL with @error set on failure.
 */
KaBallot *
ka_store_get_ballot_by_seq (KaStore     *self,
                            const char  *device_id,
                            gint64       seq,
                            GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  KaBallot *ballot = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (KA_IS_STORE (self), NULL);
  g_return_val_if_fail (device_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = get_statement (self, sql_get_by_seq, error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, device_id);
  sqlite3_bind_int64 (stmt, 2, seq);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    ballot = ballot_from_row (stmt);
  release_statement (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    sqlite_error (self, error, rc, "reading a ballot");

  return ballot;
}

/**
 * ka_store_get_reveal:
 * @self: a #KaStore
 * @ballot_id: a stored ballot's ID
 * @model_a: (out) (transfer full) (optional) (nullable): the left model's display name
 *   from the collector's receipt, or %NULL if none was revealed (yet)
 * @model_b: (out) (transfer full) (optional) (nullable): likewise for the right model
 * @error: return location for a #GError (#KA_STORE_ERROR_INVALID for an unknown ballot)
 *
 * The names a receipt revealed for a ballot cast on a sealed pack (docs/protocol.md §6.3):
 * until the ballot is delivered the app shows "names after sync".
 *
 * Returns: %TRUE if the ballot exists (whether or not names were revealed).
 */
gboolean
ka_store_get_reveal (KaStore     *self,
                     const char  *ballot_id,
                     char       **model_a,
                     char       **model_b,
                     GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (KA_IS_STORE (self), FALSE);
  g_return_val_if_fail (ballot_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  stmt = get_statement (self, sql_get_reveal, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, ballot_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      a = column_dup (stmt, 0);
      b = column_dup (stmt, 1);
    }
  release_statement (stmt);

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, KA_STORE_ERROR, KA_STORE_ERROR_INVALID,
                   "no ballot %s in %s", ballot_id, self->path);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return sqlite_error (self, error, rc, "reading revealed names");

  if (model_a != NULL)
    *model_a = g_steal_pointer (&a);
  if (model_b != NULL)
    *model_b = g_steal_pointer (&b);
  return TRUE;
}

/**
 * ka_store_get_commits_on_thread:
 * @self: a #KaStore
 * @thread: a thread
 *
 * For tests and benchmarks (ka-store-private.h): how many write transactions @thread
 * committed on @self's connection since it was opened (opening and migrating included).
 *
 * Returns: the count
 */
guint
ka_store_get_commits_on_thread (KaStore *self,
                                GThread *thread)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (KA_IS_STORE (self), 0);

  locker = g_mutex_locker_new (&self->lock);
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->commit_threads, thread));
}

/**
 * ka_store_get_writer_thread:
 * @self: a #KaStore
 *
 * For tests and benchmarks (ka-store-private.h).
 *
 * Returns: (transfer none) (nullable): the thread of the asynchronous writes, %NULL for a
 *   read-only store
 */
GThread *
ka_store_get_writer_thread (KaStore *self)
{
  g_return_val_if_fail (KA_IS_STORE (self), NULL);

  return self->writer != NULL ? ka_write_queue_get_thread (self->writer) : NULL;
}
