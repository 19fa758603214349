/* ka-store.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ka-ballot.h"
#include "ka-pack.h"

G_BEGIN_DECLS

/* Newest schema this code knows; PRAGMA user_version of a fully migrated database. */
#define KA_STORE_SCHEMA_VERSION 3

#define KA_STORE_ERROR (ka_store_error_quark ())

/**
 * KaStoreError:
 * @KA_STORE_ERROR_SQLITE: SQLite failed; the message carries sqlite3_errmsg()
 * @KA_STORE_ERROR_NEWER_SCHEMA: the database was written by a newer K-AI Arena
 * @KA_STORE_ERROR_NOT_WAL: the journal could not be switched to WAL
 * @KA_STORE_ERROR_INVALID: the caller passed an invalid ballot draft or argument
 * @KA_STORE_ERROR_CONFLICT: the same ID is already stored with different content (a pack
 *   re-imported with another content hash, a battle recorded twice differently)
 * @KA_STORE_ERROR_READ_ONLY: a read-only store cannot do this (write, or migrate an older
 *   schema)
 */
typedef enum
{
  KA_STORE_ERROR_SQLITE,
  KA_STORE_ERROR_NEWER_SCHEMA,
  KA_STORE_ERROR_NOT_WAL,
  KA_STORE_ERROR_INVALID,
  KA_STORE_ERROR_CONFLICT,
  KA_STORE_ERROR_READ_ONLY,
} KaStoreError;

GQuark ka_store_error_quark (void);

/* Outbox state of a stored ballot (DESIGN.md §6). */
typedef enum
{
  KA_DELIVERY_PENDING,
  KA_DELIVERY_DELIVERED,
  KA_DELIVERY_REJECTED,
} KaDeliveryState;

const char *ka_delivery_state_to_string (KaDeliveryState state);

/**
 * KaBallotDraft:
 *
 * What the voter decided, before the store assigns `ballot_id`, `device_id`, `seq`,
 * `prev_hash` and `hash`. Borrowed strings; the store copies what it keeps.
 */
typedef struct
{
  const char *session_id;
  const char *pack_id;
  const char *prompt_id;
  const char *response_a;
  const char *response_b;
  KaWinner    winner;
  const char *shown_at;
  const char *voted_at;
  gint64      decision_ms;
  KaMode      mode;
  const char *ui_language;
  gboolean    identity_flag;
} KaBallotDraft;

#define KA_TYPE_STORE (ka_store_get_type ())

G_DECLARE_FINAL_TYPE (KaStore, ka_store, KA, STORE, GObject)

char       *ka_store_default_path          (void);
KaStore    *ka_store_open                  (const char          *path,
                                            GError             **error);
KaStore    *ka_store_open_read_only        (const char          *path,
                                            GError             **error);
gboolean    ka_store_is_read_only          (KaStore             *self);
const char *ka_store_get_migration_sql     (int                  version);
const char *ka_store_get_path              (KaStore             *self);
const char *ka_store_get_device_id         (KaStore             *self);
int         ka_store_get_schema_version    (KaStore             *self);
char       *ka_store_get_pragma            (KaStore             *self,
                                            const char          *name,
                                            GError             **error);
gboolean    ka_store_import_pack           (KaStore             *self,
                                            KaPack              *pack,
                                            GError             **error);
gboolean    ka_store_load_identity_flags   (KaStore             *self,
                                            const char          *content_hash,
                                            const char          *guard_version,
                                            GHashTable         **flags,
                                            GError             **error);
gboolean    ka_store_save_identity_flags   (KaStore             *self,
                                            const char          *content_hash,
                                            const char          *guard_version,
                                            GHashTable          *flags,
                                            GError             **error);
gboolean    ka_store_record_battle         (KaStore             *self,
                                            const char          *battle_id,
                                            const char          *session_id,
                                            const char          *pack_id,
                                            const char          *prompt_id,
                                            const char          *response_a,
                                            const char          *response_b,
                                            const char          *shown_at,
                                            GError             **error);
void        ka_store_record_battle_async   (KaStore             *self,
                                            const char          *battle_id,
                                            const char          *session_id,
                                            const char          *pack_id,
                                            const char          *prompt_id,
                                            const char          *response_a,
                                            const char          *response_b,
                                            const char          *shown_at,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean    ka_store_record_battle_finish  (KaStore             *self,
                                            GAsyncResult        *result,
                                            GError             **error);
KaBallot   *ka_store_commit_ballot         (KaStore             *self,
                                            const KaBallotDraft *draft,
                                            const char          *battle_id,
                                            GError             **error);
void        ka_store_commit_ballot_async   (KaStore             *self,
                                            const KaBallotDraft *draft,
                                            const char          *battle_id,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
KaBallot   *ka_store_commit_ballot_finish  (KaStore             *self,
                                            GAsyncResult        *result,
                                            GError             **error);
GPtrArray  *ka_store_list_ballots          (KaStore             *self,
                                            const char          *pack_id,
                                            GError             **error);
gint64      ka_store_count_ballots         (KaStore             *self,
                                            KaDeliveryState      state,
                                            GError             **error);
KaDeliveryState ka_store_get_delivery_state (KaStore            *self,
                                            const char          *ballot_id,
                                            GError             **error);
GPtrArray  *ka_store_list_pending          (KaStore             *self,
                                            guint                limit,
                                            GError             **error);
gboolean    ka_store_set_delivery          (KaStore             *self,
                                            const char          *ballot_id,
                                            KaDeliveryState      state,
                                            const char          *receipt,
                                            const char          *reveal_model_a,
                                            const char          *reveal_model_b,
                                            GError             **error);
gboolean    ka_store_verify_chains         (KaStore             *self,
                                            GString             *report,
                                            GError             **error);
char       *ka_store_get_meta              (KaStore             *self,
                                            const char          *key);
gboolean    ka_store_set_meta              (KaStore             *self,
                                            const char          *key,
                                            const char          *value,
                                            GError             **error);

/* Outbox support for ka-sync (docs/protocol.md §6, §7). */

/**
 * KaOutboxCounts:
 * @pending: ballots waiting to be sent
 * @delivered: ballots a collector's receipt settled as accepted or duplicate
 * @rejected: quarantined ballots (a receipt rejected them)
 * @first_rejected_seq: the lowest `seq` of a rejected ballot, 0 if none
 * @last_seq: the highest `seq` of this store's own device (its chain's length), 0 if none
 */
typedef struct
{
  gint64 pending;
  gint64 delivered;
  gint64 rejected;
  gint64 first_rejected_seq;
  gint64 last_seq;
} KaOutboxCounts;

/**
 * KaDeliverySettlement:
 * @ballot_id: a stored ballot's ID
 * @state: %KA_DELIVERY_DELIVERED or %KA_DELIVERY_REJECTED
 * @receipt: (nullable): this ballot's part of the collector's receipt (JSON text)
 * @reveal_model_a: (nullable): the left model's name from the receipt
 * @reveal_model_b: (nullable): the right model's name from the receipt
 *
 * One ballot's outcome in ka_store_settle_deliveries(). Borrowed strings.
 */
typedef struct
{
  const char      *ballot_id;
  KaDeliveryState  state;
  const char      *receipt;
  const char      *reveal_model_a;
  const char      *reveal_model_b;
} KaDeliverySettlement;

gboolean    ka_store_get_outbox_counts     (KaStore             *self,
                                            KaOutboxCounts      *counts,
                                            GError             **error);
gboolean    ka_store_settle_deliveries     (KaStore             *self,
                                            const KaDeliverySettlement *settlements,
                                            guint                n_settlements,
                                            guint               *n_ignored,
                                            GError             **error);
gint64      ka_store_requeue_delivered     (KaStore             *self,
                                            const char          *device_id,
                                            gint64               after_seq,
                                            GError             **error);
KaBallot   *ka_store_get_ballot_by_seq     (KaStore             *self,
                                            const char          *device_id,
                                            gint64               seq,
                                            GError             **error);
gboolean    ka_store_get_reveal            (KaStore             *self,
                                            const char          *ballot_id,
                                            char               **model_a,
                                            char               **model_b,
                                            GError             **error);

G_END_DECLS
