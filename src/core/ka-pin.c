/* ka-pin.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The stored record is one `meta` value. Since issue 11 it is libsodium's
 * crypto_pwhash_str() string, `$argon2id$v=19$m=MEMORY_KIB,t=PASSES,p=1$SALT$HASH`
 * (Argon2id, memory-hard: a 6-digit PIN has only a million candidates, so every guess must
 * cost memory, not only time); its own prefix names the algorithm and version. Records of
 * the earlier scheme, `pbkdf2-sha256$ITERATIONS$SALT$HASH` (salt and hash in lower-case
 * hex), still verify and are replaced by an Argon2id record on the next correct PIN. The
 * lockout state is another value, `FAILURES LAST_FAILURE_US LOCKED_UNTIL_US` (wall-clock
 * microseconds since the Unix epoch).
 */

#define G_LOG_DOMAIN "ka-pin"

#include "config.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "ka-pin.h"

#define LEGACY_SCHEME "pbkdf2-sha256"
#define ARGON2ID_PREFIX "$argon2id$"

G_STATIC_ASSERT (KA_PIN_ARGON2_PASSES == crypto_pwhash_OPSLIMIT_INTERACTIVE);
G_STATIC_ASSERT (KA_PIN_ARGON2_MEMORY == crypto_pwhash_MEMLIMIT_INTERACTIVE);

G_DEFINE_QUARK (ka-pin-error-quark, ka_pin_error)

/* One wrong-PIN counter for the whole process: a check reads, raises and writes it. */
static GMutex check_lock;

static void
wipe (void  *data,
      gsize  length)
{
  if (data != NULL && length > 0)
    sodium_memzero (data, length);
}

/* sodium_init() once per process; it is itself thread-safe, but is called only once. */
static gboolean
ensure_sodium (GError **error)
{
  static gsize done = 0;
  static gboolean ok = FALSE;

  if (g_once_init_enter (&done))
    {
      ok = sodium_init () >= 0;
      g_once_init_leave (&done, 1);
    }
  if (!ok)
    g_set_error (error, KA_PIN_ERROR, KA_PIN_ERROR_RANDOM,
                 "libsodium could not be initialised (no source of randomness?)");
  return ok;
}

/**
 * ka_pin_pbkdf2_hmac_sha256:
 * @password: (array length=password_len): the secret
 * @password_len: its length in bytes (may be 0)
 * @salt: (array length=salt_len): the salt
 * @salt_len: its length in bytes
 * @iterations: the iteration count c, at least 1
 * @out: (out caller-allocates) (array length=out_len): where to write the derived key
 * @out_len: the derived key length in bytes
 *
 * PBKDF2 (RFC 8018 §5.2, formerly RFC 2898) with HMAC-SHA-256 as the pseudorandom
 * function, built from GLib's #GHmac: T_i = U_1 ^ U_2 ^ … ^ U_c, with
 * U_1 = HMAC(P, S || INT_32_BE(i)) and U_j = HMAC(P, U_{j-1}). Checked against the
 * PBKDF2-HMAC-SHA256 vectors of RFC 7914 §11 in tests/test-pin.c. Only verifies records
 * of the earlier scheme now (see ka_pin_verify_record()); new records use Argon2id.
 */
void
ka_pin_pbkdf2_hmac_sha256 (const guint8 *password,
                           gsize         password_len,
                           const guint8 *salt,
                           gsize         salt_len,
                           guint         iterations,
                           guint8       *out,
                           gsize         out_len)
{
  static const guint8 empty = 0;
  GHmac *keyed;
  guint32 block = 1;

  g_return_if_fail (password != NULL || password_len == 0);
  g_return_if_fail (salt != NULL || salt_len == 0);
  g_return_if_fail (iterations >= 1);
  g_return_if_fail (out != NULL || out_len == 0);

  /* The HMAC keyed with the password once; each U_j starts from a copy of it. */
  keyed = g_hmac_new (G_CHECKSUM_SHA256, password != NULL ? password : &empty, password_len);

  while (out_len > 0)
    {
      guint8 u[32], t[32];
      guint8 counter[4] = {
        (guint8) (block >> 24), (guint8) (block >> 16), (guint8) (block >> 8), (guint8) block,
      };
      gsize digest_len = sizeof u;
      gsize n = MIN (out_len, sizeof t);
      GHmac *hmac;

      hmac = g_hmac_copy (keyed);
      if (salt_len > 0)
        g_hmac_update (hmac, salt, salt_len);
      g_hmac_update (hmac, counter, sizeof counter);
      g_hmac_get_digest (hmac, u, &digest_len);
      g_hmac_unref (hmac);
      memcpy (t, u, sizeof t);

      for (guint j = 1; j < iterations; j++)
        {
          hmac = g_hmac_copy (keyed);
          g_hmac_update (hmac, u, sizeof u);
          digest_len = sizeof u;
          g_hmac_get_digest (hmac, u, &digest_len);
          g_hmac_unref (hmac);

          for (guint k = 0; k < sizeof t; k++)
            t[k] ^= u[k];
        }

      memcpy (out, t, n);
      wipe (u, sizeof u);
      wipe (t, sizeof t);
      out += n;
      out_len -= n;
      block++;
    }

  g_hmac_unref (keyed);
}

/**
 * ka_pin_equal:
 * @a: (array length=length): a byte string
 * @b: (array length=length): another
 * @length: their length
 *
 * Compares in time that depends only on @length, not on where the first difference is.
 *
 * Returns: %TRUE if the bytes are equal
 */
gboolean
ka_pin_equal (const guint8 *a,
              const guint8 *b,
              gsize         length)
{
  volatile guint8 diff = 0;

  g_return_val_if_fail (a != NULL || length == 0, FALSE);
  g_return_val_if_fail (b != NULL || length == 0, FALSE);

  for (gsize i = 0; i < length; i++)
    diff |= a[i] ^ b[i];

  return diff == 0;
}

/**
 * ka_pin_validate:
 * @pin: (nullable): a candidate PIN
 * @error: return location for a %KA_PIN_ERROR_INVALID error
 *
 * Returns: %TRUE if @pin is %KA_PIN_MIN_LENGTH to %KA_PIN_MAX_LENGTH ASCII digits (the
 *   kiosk's keypad has nothing else).
 */
gboolean
ka_pin_validate (const char  *pin,
                 GError     **error)
{
  gsize length = pin != NULL ? strlen (pin) : 0;

  if (length < KA_PIN_MIN_LENGTH || length > KA_PIN_MAX_LENGTH)
    {
      g_set_error (error, KA_PIN_ERROR, KA_PIN_ERROR_INVALID,
                   "a PIN has %d to %d digits", KA_PIN_MIN_LENGTH, KA_PIN_MAX_LENGTH);
      return FALSE;
    }

  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isdigit (pin[i]))
        {
          g_set_error (error, KA_PIN_ERROR, KA_PIN_ERROR_INVALID,
                       "a PIN has only the digits 0 to 9");
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
from_hex (const char *hex,
          guint8     *out,
          gsize       length)
{
  if (hex == NULL || strlen (hex) != length * 2)
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
    }

  return TRUE;
}

/**
 * ka_pin_hash:
 * @pin: the PIN (see ka_pin_validate())
 * @error: return location for a #KaPinError
 *
 * Hashes @pin with libsodium's crypto_pwhash_str(): Argon2id with a random 16-byte salt,
 * %KA_PIN_ARGON2_PASSES passes over %KA_PIN_ARGON2_MEMORY bytes (libsodium's
 * "interactive" limits: a kiosk checks a PIN in a fraction of a second, while each guess
 * of an attacker holding the file costs 64 MiB).
 *
 * Returns: (transfer full) (nullable): the record, `$argon2id$v=19$m=65536,t=2,p=1$…`
 *   (ASCII, at most crypto_pwhash_STRBYTES - 1 bytes), which holds no trace of the PIN
 *   itself, or %NULL with @error set
 */
char *
ka_pin_hash (const char  *pin,
             GError     **error)
{
  char record[crypto_pwhash_STRBYTES];

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ka_pin_validate (pin, error) || !ensure_sodium (error))
    return NULL;

  if (crypto_pwhash_str (record, pin, strlen (pin), KA_PIN_ARGON2_PASSES,
                         KA_PIN_ARGON2_MEMORY) != 0)
    {
      g_set_error (error, KA_PIN_ERROR, KA_PIN_ERROR_RANDOM,
                   "the PIN could not be hashed: Argon2id needs %u MiB of memory",
                   (guint) (KA_PIN_ARGON2_MEMORY >> 20));
      return NULL;
    }

  return g_strdup (record);
}

static gboolean
verify_legacy (const char  *record,
               const char  *pin,
               GError     **error)
{
  g_auto(GStrv) parts = NULL;
  guint8 salt[KA_PIN_SALT_LENGTH];
  guint8 expected[KA_PIN_HASH_LENGTH];
  guint8 actual[KA_PIN_HASH_LENGTH];
  guint64 iterations = 0;
  gboolean equal;

  parts = g_strsplit (record, "$", -1);
  if (g_strv_length (parts) != 4 || !g_str_equal (parts[0], LEGACY_SCHEME) ||
      !g_ascii_string_to_unsigned (parts[1], 10, KA_PIN_MIN_ITERATIONS, G_MAXUINT32,
                                   &iterations, NULL) ||
      !from_hex (parts[2], salt, sizeof salt) ||
      !from_hex (parts[3], expected, sizeof expected))
    {
      g_set_error (error, KA_PIN_ERROR, KA_PIN_ERROR_CORRUPT,
                   "the stored operator PIN record is not readable; set the PIN again");
      return FALSE;
    }

  if (!ka_pin_validate (pin, error))
    return FALSE;

  ka_pin_pbkdf2_hmac_sha256 ((const guint8 *) pin, strlen (pin), salt, sizeof salt,
                             (guint) iterations, actual, sizeof actual);
  equal = ka_pin_equal (actual, expected, sizeof actual);
  wipe (actual, sizeof actual);

  if (!equal)
    {
      g_set_error (error, KA_PIN_ERROR, KA_PIN_ERROR_WRONG, "wrong PIN");
      return FALSE;
    }

  return TRUE;
}

/**
 * ka_pin_verify_record:
 * @record: a record made by ka_pin_hash(), or a `pbkdf2-sha256$…` record of the earlier
 *   scheme
 * @pin: (nullable): the PIN to check
 * @needs_rehash: (out) (optional): set to %TRUE when @pin matched but @record is of the
 *   earlier scheme or has other Argon2id limits than ka_pin_hash() uses now
 * @error: return location for %KA_PIN_ERROR_WRONG, %KA_PIN_ERROR_INVALID or
 *   %KA_PIN_ERROR_CORRUPT
 *
 * Checks @pin against the record: with crypto_pwhash_str_verify() (constant-time) for
 * Argon2id, or by deriving the PBKDF2 key with the record's salt and iteration count and
 * comparing it with ka_pin_equal(). Knows nothing about lockouts: see ka_pin_check().
 *
 * Returns: %TRUE if @pin matches
 */
gboolean
ka_pin_verify_record (const char  *record,
                      const char  *pin,
                      gboolean    *needs_rehash,
                      GError     **error)
{
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (needs_rehash != NULL)
    *needs_rehash = FALSE;

  if (g_str_has_prefix (record, LEGACY_SCHEME "$"))
    {
      if (!verify_legacy (record, pin, error))
        return FALSE;
      if (needs_rehash != NULL)
        *needs_rehash = TRUE;
      return TRUE;
    }

  if (!g_str_has_prefix (record, ARGON2ID_PREFIX) ||
      strlen (record) >= crypto_pwhash_STRBYTES)
    {
      g_set_error (error, KA_PIN_ERROR, KA_PIN_ERROR_CORRUPT,
                   "the stored operator PIN record is not readable; set the PIN again");
      return FALSE;
    }

  if (!ka_pin_validate (pin, error) || !ensure_sodium (error))
    return FALSE;

  if (crypto_pwhash_str_verify (record, pin, strlen (pin)) != 0)
    {
      g_set_error (error, KA_PIN_ERROR, KA_PIN_ERROR_WRONG, "wrong PIN");
      return FALSE;
    }

  if (needs_rehash != NULL)
    *needs_rehash = crypto_pwhash_str_needs_rehash (record, KA_PIN_ARGON2_PASSES,
                                                    KA_PIN_ARGON2_MEMORY) != 0;
  return TRUE;
}

/**
 * ka_pin_lockout_seconds:
 * @failures: wrong PINs in a row
 *
 * The lockout after the @failures-th wrong PIN in a row: none for the first
 * %KA_PIN_FREE_ATTEMPTS - 1, then %KA_PIN_LOCKOUT_BASE_SECONDS, doubling with each further
 * failure up to %KA_PIN_LOCKOUT_MAX_SECONDS (30 s, 1 min, 2 min, … 1 h).
 *
 * Returns: seconds
 */
gint64
ka_pin_lockout_seconds (guint failures)
{
  guint doublings;

  if (failures < KA_PIN_FREE_ATTEMPTS)
    return 0;

  doublings = failures - KA_PIN_FREE_ATTEMPTS;
  if (doublings >= 16)
    return KA_PIN_LOCKOUT_MAX_SECONDS;

  return MIN ((gint64) KA_PIN_LOCKOUT_BASE_SECONDS << doublings, KA_PIN_LOCKOUT_MAX_SECONDS);
}

typedef struct
{
  guint  failures;
  gint64 last_failure_us;
  gint64 locked_until_us;
} Lockout;

static void
read_lockout (KaStore *store,
              Lockout *lockout)
{
  g_autofree char *value = ka_store_get_meta (store, KA_PIN_META_LOCKOUT);
  g_auto(GStrv) parts = NULL;
  guint64 failures;
  gint64 last, until;

  memset (lockout, 0, sizeof *lockout);
  if (value == NULL)
    return;

  /* An unreadable value counts as the longest lockout: it must not unlock the panel. */
  parts = g_strsplit (value, " ", -1);
  if (g_strv_length (parts) != 3 ||
      !g_ascii_string_to_unsigned (parts[0], 10, 0, G_MAXUINT, &failures, NULL) ||
      !g_ascii_string_to_signed (parts[1], 10, 0, G_MAXINT64, &last, NULL) ||
      !g_ascii_string_to_signed (parts[2], 10, 0, G_MAXINT64, &until, NULL))
    {
      g_warning ("Unreadable PIN lockout state “%s”; treating it as a full lockout", value);
      lockout->failures = KA_PIN_FREE_ATTEMPTS + 16;
      lockout->last_failure_us = 0;
      lockout->locked_until_us = G_MAXINT64;
      return;
    }

  lockout->failures = (guint) failures;
  lockout->last_failure_us = last;
  lockout->locked_until_us = until;
}

static gboolean
write_lockout (KaStore        *store,
               const Lockout  *lockout,
               GError        **error)
{
  g_autofree char *value = NULL;

  value = g_strdup_printf ("%u %" G_GINT64_FORMAT " %" G_GINT64_FORMAT,
                           lockout->failures, lockout->last_failure_us,
                           lockout->locked_until_us);
  return ka_store_set_meta (store, KA_PIN_META_LOCKOUT, value, error);
}

/* Time left at @now_us. A wall clock set back (now before the last failure) must neither
 * end a lockout early nor stretch it without bound, so the wait never exceeds the
 * lockout's own length. */
static gint64
remaining_us (const Lockout *lockout,
              gint64         now_us)
{
  gint64 length_us = ka_pin_lockout_seconds (lockout->failures) * G_USEC_PER_SEC;
  gint64 left;

  if (lockout->locked_until_us == G_MAXINT64)
    return (gint64) KA_PIN_LOCKOUT_MAX_SECONDS * G_USEC_PER_SEC;

  if (lockout->locked_until_us <= now_us)
    return 0;

  left = lockout->locked_until_us - now_us;
  return MIN (left, length_us);
}

/**
 * ka_pin_set:
 * @store: a writable store
 * @pin: the new PIN (see ka_pin_validate())
 * @error: return location for a #KaPinError or #KaStoreError
 *
 * Stores the Argon2id record of @pin (ka_pin_hash()) under the `meta` key
 * %KA_PIN_META_RECORD, replacing any earlier PIN, and clears the lockout. The PIN itself
 * is never written.
 *
 * Returns: %TRUE on success
 */
gboolean
ka_pin_set (KaStore     *store,
            const char  *pin,
            GError     **error)
{
  g_autofree char *record = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  Lockout cleared = { 0, 0, 0 };

  g_return_val_if_fail (KA_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  record = ka_pin_hash (pin, error);
  if (record == NULL)
    return FALSE;

  locker = g_mutex_locker_new (&check_lock);
  if (!ka_store_set_meta (store, KA_PIN_META_RECORD, record, error))
    return FALSE;

  return write_lockout (store, &cleared, error);
}

/* The migration: after a correct PIN against a record of the earlier scheme (or of older
 * Argon2id limits), the record is replaced by a fresh one. Called with check_lock held. */
static gboolean
upgrade_record (KaStore     *store,
                const char  *pin,
                GError     **error)
{
  g_autofree char *record = ka_pin_hash (pin, error);

  if (record == NULL || !ka_store_set_meta (store, KA_PIN_META_RECORD, record, error))
    return FALSE;
  g_message ("operator PIN record upgraded to Argon2id");
  return TRUE;
}

/**
 * ka_pin_is_set:
 * @store: a store
 *
 * Returns: %TRUE if an operator PIN record is stored
 */
gboolean
ka_pin_is_set (KaStore *store)
{
  g_autofree char *record = NULL;

  g_return_val_if_fail (KA_IS_STORE (store), FALSE);

  record = ka_store_get_meta (store, KA_PIN_META_RECORD);
  return record != NULL && *record != '\0';
}

/**
 * ka_pin_get_lockout:
 * @store: a store
 * @now_us: the wall-clock time, microseconds since the Unix epoch (g_get_real_time(), or
 *   a test clock)
 * @failures: (out) (optional): wrong PINs in a row so far
 *
 * Returns: microseconds until a PIN may be tried again, 0 if it may be tried now
 */
gint64
ka_pin_get_lockout (KaStore *store,
                    gint64   now_us,
                    guint   *failures)
{
  Lockout lockout;

  g_return_val_if_fail (KA_IS_STORE (store), 0);

  read_lockout (store, &lockout);
  if (failures != NULL)
    *failures = lockout.failures;

  return remaining_us (&lockout, now_us);
}

/**
 * ka_pin_check:
 * @store: a writable store holding a PIN (see ka_pin_set())
 * @pin: the PIN typed by the operator
 * @now_us: the wall-clock time, microseconds since the Unix epoch
 * @retry_after_us: (out) (optional): on %KA_PIN_ERROR_WRONG and %KA_PIN_ERROR_LOCKED_OUT,
 *   microseconds until the next PIN may be tried (0 when it may be tried at once)
 * @error: return location for a #KaPinError or #KaStoreError
 *
 * Checks @pin against the stored hash, with lockouts (ka_pin_lockout_seconds()). While
 * locked out, nothing is hashed and even the right PIN is refused. The failure is written
 * to the store *before* the slow hash is computed and cleared only on success, so that
 * killing the process during a check cannot bypass the counter. Blocks for the length of
 * one Argon2id derivation (a few tenths of a second; twice when a record of the earlier
 * PBKDF2 scheme is upgraded after the right PIN): call it from a worker thread in a UI.
 * Checks are serialized within the process.
 *
 * Returns: %TRUE if @pin is right; the wrong-PIN counter is then reset
 */
gboolean
ka_pin_check (KaStore     *store,
              const char  *pin,
              gint64       now_us,
              gint64      *retry_after_us,
              GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *record = NULL;
  g_autoptr(GError) local_error = NULL;
  Lockout lockout, tentative;
  gboolean needs_rehash = FALSE;
  gint64 left;

  g_return_val_if_fail (KA_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (retry_after_us != NULL)
    *retry_after_us = 0;

  locker = g_mutex_locker_new (&check_lock);

  record = ka_store_get_meta (store, KA_PIN_META_RECORD);
  if (record == NULL || *record == '\0')
    {
      g_set_error (error, KA_PIN_ERROR, KA_PIN_ERROR_NOT_SET,
                   "no operator PIN is set; set one with "
                   "“kai-arena-admin kiosk set-pin --database FILE”");
      return FALSE;
    }

  read_lockout (store, &lockout);
  left = remaining_us (&lockout, now_us);

  /* A clock set back: pin the lockout's end to now + what is left. */
  if (now_us < lockout.last_failure_us)
    {
      lockout.last_failure_us = now_us;
      lockout.locked_until_us = now_us + left;
      if (!write_lockout (store, &lockout, error))
        return FALSE;
    }

  if (left > 0)
    {
      if (retry_after_us != NULL)
        *retry_after_us = left;
      g_set_error (error, KA_PIN_ERROR, KA_PIN_ERROR_LOCKED_OUT,
                   "too many wrong PINs; try again in %" G_GINT64_FORMAT " s",
                   (left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
      return FALSE;
    }

  /* A malformed PIN is refused without counting: it cannot be the right one, and the
   * keypad cannot type it. */
  if (!ka_pin_validate (pin, error))
    return FALSE;

  tentative.failures = lockout.failures + 1;
  tentative.last_failure_us = now_us;
  tentative.locked_until_us = now_us + ka_pin_lockout_seconds (tentative.failures) * G_USEC_PER_SEC;
  if (!write_lockout (store, &tentative, error))
    return FALSE;

  if (!ka_pin_verify_record (record, pin, &needs_rehash, &local_error))
    {
      if (retry_after_us != NULL &&
          g_error_matches (local_error, KA_PIN_ERROR, KA_PIN_ERROR_WRONG))
        *retry_after_us = tentative.locked_until_us - now_us;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  memset (&lockout, 0, sizeof lockout);
  if (!write_lockout (store, &lockout, error))
    return FALSE;

  /* The PIN was right: a failed upgrade must not lock the operator out; the old record
   * still verifies, and the next correct PIN tries again. */
  if (needs_rehash && !upgrade_record (store, pin, &local_error))
    g_message ("the operator PIN record could not be upgraded: %s", local_error->message);

  return TRUE;
}
