/* ka-sync.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ka-ballot.h"
#include "ka-store.h"

G_BEGIN_DECLS

/* Protocol constants (docs/protocol.md §2, §6.4). */
#define KA_SYNC_MAX_BATCH               500
#define KA_SYNC_RETRY_AFTER_MAX_SECONDS 3600          /* Retry-After is clamped to 1 hour */
#define KA_SYNC_BACKOFF_BASE_MS         1000          /* first backoff: up to 1 s */
#define KA_SYNC_BACKOFF_CAP_MS          (5 * 60 * 1000)  /* doubling up to 5 min */

#define KA_SYNC_ERROR (ka_sync_error_quark ())

/**
 * KaSyncError:
 * @KA_SYNC_ERROR_INVALID_URL: the server URL is not an absolute http(s) URL
 * @KA_SYNC_ERROR_INSECURE_URL: `http://` to a host that is not loopback; refused before
 *   any connection or name lookup (docs/protocol.md §1)
 * @KA_SYNC_ERROR_NOT_ENROLLED: no device token, or the collector answered 401: this device
 *   is not enrolled on this collector; syncing stops until it is
 * @KA_SYNC_ERROR_DEVICE_EXISTS: enrolment answered 409: this device ID already has a token
 *   on the collector (a lost 201, or a copied store); it needs the organisers
 * @KA_SYNC_ERROR_ENROLMENT_REFUSED: a kiosk enrolment was refused (wrong or missing code,
 *   kiosk enrolment disabled)
 * @KA_SYNC_ERROR_NETWORK: connection refused or reset, name lookup failed, timeout
 * @KA_SYNC_ERROR_TLS: the TLS handshake failed, e.g. an untrusted certificate; never
 *   downgraded
 * @KA_SYNC_ERROR_SERVER: a 5xx answer (503 honours `Retry-After`)
 * @KA_SYNC_ERROR_RATE_LIMITED: a 429 answer (honours `Retry-After`)
 * @KA_SYNC_ERROR_BAD_RESPONSE: an answer that is not what the protocol promises: a
 *   captive portal's HTML page, a redirect, a 201 without a well-formed receipt, an
 *   oversized body, a pack whose bytes do not match its ETag
 * @KA_SYNC_ERROR_REFUSED: another 4xx (400, 403, 404, 405, 413, 415): the collector
 *   refused the request as it is; the message carries its error code
 * @KA_SYNC_ERROR_DIVERGED: the collector holds a different chain for this device than
 *   this store (docs/protocol.md §7, case 3); it needs the organisers
 *
 * Errors of #KaSync. Store failures are passed on in #KA_STORE_ERROR, cancellation as
 * %G_IO_ERROR_CANCELLED.
 */
typedef enum
{
  KA_SYNC_ERROR_INVALID_URL,
  KA_SYNC_ERROR_INSECURE_URL,
  KA_SYNC_ERROR_NOT_ENROLLED,
  KA_SYNC_ERROR_DEVICE_EXISTS,
  KA_SYNC_ERROR_ENROLMENT_REFUSED,
  KA_SYNC_ERROR_NETWORK,
  KA_SYNC_ERROR_TLS,
  KA_SYNC_ERROR_SERVER,
  KA_SYNC_ERROR_RATE_LIMITED,
  KA_SYNC_ERROR_BAD_RESPONSE,
  KA_SYNC_ERROR_REFUSED,
  KA_SYNC_ERROR_DIVERGED,
} KaSyncError;

GQuark ka_sync_error_quark (void);

/**
 * KaSyncState:
 * @KA_SYNC_STATE_IDLE: nothing running; the last sync (if any) succeeded
 * @KA_SYNC_STATE_SYNCING: a sync or an enrolment is running
 * @KA_SYNC_STATE_OFFLINE: the network is unavailable (GNetworkMonitor) or unreachable;
 *   the background loop resumes when it returns
 * @KA_SYNC_STATE_ERROR: the last sync failed; see #KaSync:last-error (the background
 *   loop retries with backoff)
 * @KA_SYNC_STATE_NOT_ENROLLED: no server URL, no device token, or the collector does not
 *   know the token: a person must enrol the device (preferences or staff panel)
 */
typedef enum
{
  KA_SYNC_STATE_IDLE,
  KA_SYNC_STATE_SYNCING,
  KA_SYNC_STATE_OFFLINE,
  KA_SYNC_STATE_ERROR,
  KA_SYNC_STATE_NOT_ENROLLED,
} KaSyncState;

#define KA_TYPE_SYNC_STATE (ka_sync_state_get_type ())
GType ka_sync_state_get_type (void) G_GNUC_CONST;

/**
 * KaSyncRejection:
 * @ballot_id: the quarantined ballot
 * @code: the collector's code (`invalid`, `bad_hash`, `wrong_device`, `conflict`,
 *   `chain_break`)
 * @message: the collector's explanation (English, for logs and staff)
 */
typedef struct
{
  char *ballot_id;
  char *code;
  char *message;
} KaSyncRejection;

/**
 * KaSyncReport:
 * @enrolled: this run enrolled the device (citizen auto-enrolment)
 * @requests: HTTP requests sent
 * @batches: batches answered with a well-formed receipt
 * @sent: ballots put into `POST /v1/ballots` requests (a ballot resent counts again)
 * @accepted: ballots the collector stored in this run
 * @duplicate: ballots the collector already held (also delivered)
 * @rejected: ballots quarantined in this run; details in @rejections
 * @rejections: (element-type KaSyncRejection): one entry per quarantined ballot
 * @requeued: delivered ballots that the collector had lost (restored from a backup)
 *   and that were made pending again to be resent (docs/protocol.md §7)
 * @pending: ballots still pending when the run ended
 * @server_count: the collector's ballot count for this device last seen, -1 if unknown
 * @pack: (nullable): a new battle pack downloaded by this run (validated, its SHA-256
 *   equal to its ETag), also saved at ka_sync_get_pack_path()
 * @pack_etag: (nullable): the ETag of @pack
 * @retry_after_ms: the delay the collector asked for with `Retry-After` (already clamped
 *   and scaled by #KaSync:time-scale), or -1
 *
 * What one run did, for `kai-arena-admin sync` and the staff panel. Also filled in when
 * the run failed, up to the failure.
 */
typedef struct
{
  gboolean   enrolled;
  guint      requests;
  guint      batches;
  guint      sent;
  guint      accepted;
  guint      duplicate;
  guint      rejected;
  GPtrArray *rejections;
  gint64     requeued;
  gint64     pending;
  gint64     server_count;
  GBytes    *pack;
  char      *pack_etag;
  gint64     retry_after_ms;
} KaSyncReport;

void          ka_sync_report_free (KaSyncReport *report);
KaSyncReport *ka_sync_report_copy (const KaSyncReport *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaSyncReport, ka_sync_report_free)

/*
 * KaSync: the client side of docs/protocol.md. One object per store. Properties (all
 * notify from the thread-default main context that was current at construction):
 *   "store" (KaStore, construct-only), "server-url" (string, read-write),
 *   "state" (KaSyncState), "pending", "delivered", "rejected" (guint),
 *   "last-sync" (gint64, Unix seconds of the last successful sync, 0 never),
 *   "last-error" (string, nullable), "enrolled" (gboolean: a token file exists),
 *   "next-sync" (gint64, Unix seconds of the background loop's next attempt, 0 none),
 *   "auto-enrol" (gboolean, default TRUE: a run enrols the device as a citizen when it
 *   has no token; kiosks set FALSE and enrol with the organisers' code),
 *   "fetch-pack" (gboolean, default TRUE), "batch-size" (guint, 1–500, default 500),
 *   "interval" (guint seconds between background syncs, default 300),
 *   "timeout" (guint seconds of I/O inactivity before a request fails, default 30,
 *   construct-only), "network-monitor" (GNetworkMonitor, construct-only, default the
 *   system's), "jitter-seed" (guint, construct-only: seeds the backoff jitter; 0 = random),
 *   "time-scale" (double, default 1.0; tests only: scales backoff, Retry-After, its
 *   clamp and the interval).
 * Signals: "ballots-settled" (GStrv delivered_ids, GStrv rejected_ids) after each receipt
 * is stored; "pack-updated" (GBytes *pack, const char *etag) when a new pack arrived.
 */
#define KA_TYPE_SYNC (ka_sync_get_type ())

G_DECLARE_FINAL_TYPE (KaSync, ka_sync, KA, SYNC, GObject)

KaSync             *ka_sync_new                (KaStore             *store,
                                                const char          *server_url);
KaStore            *ka_sync_get_store          (KaSync              *self);
const char         *ka_sync_get_server_url     (KaSync              *self);
void                ka_sync_set_server_url     (KaSync              *self,
                                                const char          *server_url);
KaSyncState         ka_sync_get_state          (KaSync              *self);
guint               ka_sync_get_pending        (KaSync              *self);
guint               ka_sync_get_delivered      (KaSync              *self);
guint               ka_sync_get_rejected       (KaSync              *self);
gint64              ka_sync_get_last_sync      (KaSync              *self);
gint64              ka_sync_get_next_sync      (KaSync              *self);
const char         *ka_sync_get_last_error     (KaSync              *self);
int                 ka_sync_get_last_error_code (KaSync             *self);
gboolean            ka_sync_is_enrolled        (KaSync              *self);
char               *ka_sync_get_token_path     (KaSync              *self);
char               *ka_sync_get_pack_path      (KaSync              *self);
const KaSyncReport *ka_sync_get_last_report    (KaSync              *self);

void                ka_sync_enrol_async        (KaSync              *self,
                                                KaMode               kind,
                                                const char          *enrolment_code,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean            ka_sync_enrol_finish       (KaSync              *self,
                                                GAsyncResult        *result,
                                                GError             **error);
void                ka_sync_run_async          (KaSync              *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean            ka_sync_run_finish         (KaSync              *self,
                                                GAsyncResult        *result,
                                                GError             **error);

void                ka_sync_start              (KaSync              *self);
void                ka_sync_stop               (KaSync              *self);
void                ka_sync_request_sync       (KaSync              *self);
void                ka_sync_refresh_counts     (KaSync              *self);

/* Pure helpers, public for the preferences window and for tests. */
gboolean            ka_sync_check_server_url   (const char          *server_url,
                                                GError             **error);
gboolean            ka_sync_parse_retry_after  (const char          *value,
                                                GDateTime           *now,
                                                gint64              *delay_ms);
gint64              ka_sync_backoff_delay      (GRand               *rand,
                                                guint                failures,
                                                gint64               base_ms,
                                                gint64               cap_ms);

G_END_DECLS
