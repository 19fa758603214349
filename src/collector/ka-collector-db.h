/* ka-collector-db.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ka-ballot.h"

G_BEGIN_DECLS

/* Newest schema this code knows; PRAGMA user_version of a fully migrated database. */
#define KA_COLLECTOR_DB_SCHEMA_VERSION 1

#define KA_COLLECTOR_DB_ERROR (ka_collector_db_error_quark ())

/**
 * KaCollectorDbError:
 * @KA_COLLECTOR_DB_ERROR_SQLITE: SQLite failed; the message carries sqlite3_errmsg()
 * @KA_COLLECTOR_DB_ERROR_BUSY: another writer held the database longer than the busy
 *   timeout; nothing was written, the request may be retried
 * @KA_COLLECTOR_DB_ERROR_NEWER_SCHEMA: the database was written by a newer collector
 * @KA_COLLECTOR_DB_ERROR_NOT_WAL: the journal could not be switched to WAL
 * @KA_COLLECTOR_DB_ERROR_NOT_FOUND: no such device (or token)
 * @KA_COLLECTOR_DB_ERROR_EXISTS: the device is already enrolled
 */
typedef enum
{
  KA_COLLECTOR_DB_ERROR_SQLITE,
  KA_COLLECTOR_DB_ERROR_BUSY,
  KA_COLLECTOR_DB_ERROR_NEWER_SCHEMA,
  KA_COLLECTOR_DB_ERROR_NOT_WAL,
  KA_COLLECTOR_DB_ERROR_NOT_FOUND,
  KA_COLLECTOR_DB_ERROR_EXISTS,
} KaCollectorDbError;

GQuark ka_collector_db_error_quark (void);

typedef enum
{
  KA_DEVICE_KIND_CITIZEN,
  KA_DEVICE_KIND_KIOSK,
} KaDeviceKind;

const char *ka_device_kind_to_string   (KaDeviceKind  kind);
gboolean    ka_device_kind_from_string (const char   *str,
                                        KaDeviceKind *kind);

/**
 * KaSubmitOutcome:
 * @KA_SUBMIT_ACCEPTED: stored by this call
 * @KA_SUBMIT_DUPLICATE: already stored with identical content; nothing changed
 * @KA_SUBMIT_REJECTED: not stored; see @reject_code
 */
typedef enum
{
  KA_SUBMIT_ACCEPTED,
  KA_SUBMIT_DUPLICATE,
  KA_SUBMIT_REJECTED,
} KaSubmitOutcome;

/**
 * KaSubmitItem:
 * @ballot: (nullable): the parsed ballot (borrowed); %NULL if it was rejected before the
 *   database was asked (then @reject_code is already set)
 * @canonical: (nullable): ka_ballot_canonical_json (@ballot, TRUE) (borrowed)
 * @model_a: (nullable): display name of the left model, stored with an accepted ballot
 * @model_b: (nullable): display name of the right model
 * @outcome: (out): what happened
 * @reject_code: (out): static protocol code of a rejection (`conflict`, `chain_break`, …)
 * @reject_message: (out) (owned) (nullable): human-readable detail of a rejection
 * @stored_model_a: (out) (owned) (nullable): for a duplicate, the names stored with the
 *   first copy
 * @stored_model_b: (out) (owned) (nullable): likewise
 *
 * One ballot of a batch, in and out of ka_collector_db_submit(). Clear with
 * ka_submit_item_clear().
 */
typedef struct
{
  const KaBallot  *ballot;
  const char      *canonical;
  const char      *model_a;
  const char      *model_b;
  KaSubmitOutcome  outcome;
  const char      *reject_code;
  char            *reject_message;
  char            *stored_model_a;
  char            *stored_model_b;
} KaSubmitItem;

void ka_submit_item_clear (KaSubmitItem *item);

/**
 * KaCollectorBallotRow:
 *
 * One stored ballot as ka_collector_db_foreach_ballot() hands it out. Borrowed for the
 * duration of the callback.
 */
typedef struct
{
  const char *ballot_id;
  const char *device_id;
  const char *device_kind;
  gint64      seq;
  const char *pack_id;
  const char *prompt_id;
  const char *response_a;
  const char *response_b;
  const char *model_a;      /* (nullable) */
  const char *model_b;      /* (nullable) */
  const char *winner;
  const char *mode;
  gboolean    identity_flag;
  const char *voted_at;
  const char *received_at;
  const char *canonical;    /* the ballot's canonical JSON with its hash */
  const char *hash;
} KaCollectorBallotRow;

typedef gboolean (*KaCollectorBallotFunc) (const KaCollectorBallotRow *row,
                                           gpointer                    user_data);

/**
 * KaCollectorTallyRow:
 *
 * One group of ka_collector_db_foreach_tally(): @count stored ballots sharing these
 * values. Borrowed for the duration of the callback.
 */
typedef struct
{
  const char *pack_id;
  const char *mode;
  const char *response_a;
  const char *response_b;
  const char *model_a;      /* (nullable) */
  const char *model_b;      /* (nullable) */
  const char *winner;
  gboolean    identity_flag;
  gint64      count;
} KaCollectorTallyRow;

typedef void (*KaCollectorTallyFunc) (const KaCollectorTallyRow *row,
                                      gpointer                   user_data);

#define KA_TYPE_COLLECTOR_DB (ka_collector_db_get_type ())

G_DECLARE_FINAL_TYPE (KaCollectorDb, ka_collector_db, KA, COLLECTOR_DB, GObject)

KaCollectorDb *ka_collector_db_open           (const char            *path,
                                               GError               **error);
const char    *ka_collector_db_get_path       (KaCollectorDb         *self);
int            ka_collector_db_get_schema_version (KaCollectorDb     *self);
gboolean       ka_collector_db_add_device     (KaCollectorDb         *self,
                                               const char            *device_id,
                                               const char            *token_sha256,
                                               KaDeviceKind           kind,
                                               const char            *created_at,
                                               GError               **error);
gboolean       ka_collector_db_lookup_token   (KaCollectorDb         *self,
                                               const char            *token_sha256,
                                               char                 **device_id,
                                               KaDeviceKind          *kind,
                                               GError               **error);
gboolean       ka_collector_db_get_chain      (KaCollectorDb         *self,
                                               const char            *device_id,
                                               gint64                *count,
                                               char                 **head,
                                               GError               **error);
gboolean       ka_collector_db_submit         (KaCollectorDb         *self,
                                               const char            *device_id,
                                               KaSubmitItem          *items,
                                               guint                  n_items,
                                               const char            *received_at,
                                               gint64                *count,
                                               char                 **head,
                                               GError               **error);
gint64         ka_collector_db_count_ballots  (KaCollectorDb         *self,
                                               GError               **error);
gint64         ka_collector_db_count_devices  (KaCollectorDb         *self,
                                               KaDeviceKind           kind,
                                               GError               **error);
gboolean       ka_collector_db_foreach_ballot (KaCollectorDb         *self,
                                               KaCollectorBallotFunc  func,
                                               gpointer               user_data,
                                               GError               **error);
gboolean       ka_collector_db_foreach_tally  (KaCollectorDb         *self,
                                               KaCollectorTallyFunc   func,
                                               gpointer               user_data,
                                               GError               **error);

G_END_DECLS
