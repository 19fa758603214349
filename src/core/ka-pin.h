/* ka-pin.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ka-store.h"

G_BEGIN_DECLS

/* The kiosk operator PIN (DESIGN.md §10): stored only as a salted Argon2id hash
 * (libsodium's crypto_pwhash_str()) in the store's `meta` table; records of the earlier
 * PBKDF2-HMAC-SHA256 scheme still verify and are re-hashed on the next correct PIN. Wrong
 * PINs lock the panel out for exponentially growing times, and the lockout is kept in
 * `meta` too, so a restart does not reset it. */

#define KA_PIN_MIN_LENGTH          4
#define KA_PIN_MAX_LENGTH          32
/* Argon2id limits: libsodium's crypto_pwhash_OPSLIMIT_INTERACTIVE and
 * crypto_pwhash_MEMLIMIT_INTERACTIVE (checked at build time in ka-pin.c). */
#define KA_PIN_ARGON2_PASSES       2
#define KA_PIN_ARGON2_MEMORY       ((gsize) 64 << 20)   /* bytes */
/* The earlier scheme, only verified now: `pbkdf2-sha256$ITERATIONS$SALT$HASH`. */
#define KA_PIN_MIN_ITERATIONS      200000
#define KA_PIN_SALT_LENGTH         16        /* bytes */
#define KA_PIN_HASH_LENGTH         32        /* bytes: one SHA-256 block of PBKDF2 output */
#define KA_PIN_FREE_ATTEMPTS       3         /* wrong PINs allowed before the first lockout */
#define KA_PIN_LOCKOUT_BASE_SECONDS 30       /* the first lockout; each further one doubles */
#define KA_PIN_LOCKOUT_MAX_SECONDS 3600

/* `meta` keys. */
#define KA_PIN_META_RECORD   "kiosk-pin"
#define KA_PIN_META_LOCKOUT  "kiosk-pin-lockout"

#define KA_PIN_ERROR (ka_pin_error_quark ())

/**
 * KaPinError:
 * @KA_PIN_ERROR_INVALID: the PIN is not 4 to 32 ASCII digits
 * @KA_PIN_ERROR_NOT_SET: no operator PIN has been stored
 * @KA_PIN_ERROR_WRONG: the PIN does not match
 * @KA_PIN_ERROR_LOCKED_OUT: too many wrong PINs; no PIN is checked until the lockout ends
 * @KA_PIN_ERROR_CORRUPT: the stored PIN record cannot be read
 * @KA_PIN_ERROR_RANDOM: libsodium could not be initialised or could not hash (no
 *   randomness for the salt, or not enough memory)
 */
typedef enum
{
  KA_PIN_ERROR_INVALID,
  KA_PIN_ERROR_NOT_SET,
  KA_PIN_ERROR_WRONG,
  KA_PIN_ERROR_LOCKED_OUT,
  KA_PIN_ERROR_CORRUPT,
  KA_PIN_ERROR_RANDOM,
} KaPinError;

GQuark   ka_pin_error_quark        (void);

void     ka_pin_pbkdf2_hmac_sha256 (const guint8  *password,
                                    gsize          password_len,
                                    const guint8  *salt,
                                    gsize          salt_len,
                                    guint          iterations,
                                    guint8        *out,
                                    gsize          out_len);
gboolean ka_pin_equal              (const guint8  *a,
                                    const guint8  *b,
                                    gsize          length);
gboolean ka_pin_validate           (const char    *pin,
                                    GError       **error);
char    *ka_pin_hash               (const char    *pin,
                                    GError       **error);
gboolean ka_pin_verify_record      (const char    *record,
                                    const char    *pin,
                                    gboolean      *needs_rehash,
                                    GError       **error);
gint64   ka_pin_lockout_seconds    (guint          failures);

gboolean ka_pin_set                (KaStore       *store,
                                    const char    *pin,
                                    GError       **error);
gboolean ka_pin_is_set             (KaStore       *store);
gint64   ka_pin_get_lockout        (KaStore       *store,
                                    gint64         now_us,
                                    guint         *failures);
gboolean ka_pin_check              (KaStore       *store,
                                    const char    *pin,
                                    gint64         now_us,
                                    gint64        *retry_after_us,
                                    GError       **error);

G_END_DECLS
