/* test-pin.c: the kiosk operator PIN: Argon2id records, the PBKDF2 migration, lockouts,
 * set-pin.
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-pin"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include <sodium.h>

#include "ka-pin.h"
#include "ka-store.h"

#define SEC ((gint64) G_USEC_PER_SEC)
/* An arbitrary wall-clock start: 2026-11-29T00:00:00Z. */
#define T0 ((gint64) 1795910400 * SEC)

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

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }

  g_rmdir (path);
}

static char *
hex (const guint8 *data,
     gsize         length)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < length; i++)
    g_string_append_printf (s, "%02x", data[i]);
  return g_string_free (s, FALSE);
}

/* RFC 7914 §11 (PBKDF2-HMAC-SHA256 vectors) and the widely used SHA-256 counterparts of
 * RFC 6070's vectors; the multi-block ones check the block counter INT_32_BE(i). */
static void
test_pbkdf2_vectors (void)
{
  static const struct {
    const char *password;
    const char *salt;
    guint       iterations;
    gsize       length;
    const char *expected;
  } vectors[] = {
    { "passwd", "salt", 1, 64,
      "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
      "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783" },
    { "Password", "NaCl", 80000, 64,
      "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
      "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d" },
    { "password", "salt", 1, 32,
      "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b" },
    { "password", "salt", 4096, 32,
      "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a" },
    { "passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 40,
      "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1"
      "c635518c7dac47e9" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      guint8 out[64];
      g_autofree char *got = NULL;

      ka_pin_pbkdf2_hmac_sha256 ((const guint8 *) vectors[i].password,
                                 strlen (vectors[i].password),
                                 (const guint8 *) vectors[i].salt, strlen (vectors[i].salt),
                                 vectors[i].iterations, out, vectors[i].length);
      got = hex (out, vectors[i].length);
      g_assert_cmpstr (got, ==, vectors[i].expected);
    }
}

static void
test_equal (void)
{
  guint8 a[32], b[32];

  for (guint i = 0; i < sizeof a; i++)
    a[i] = b[i] = (guint8) (i * 7);

  g_assert_true (ka_pin_equal (a, b, sizeof a));
  g_assert_true (ka_pin_equal (a, b, 0));

  b[0] ^= 1;
  g_assert_false (ka_pin_equal (a, b, sizeof a));
  b[0] ^= 1;
  b[31] ^= 0x80;
  g_assert_false (ka_pin_equal (a, b, sizeof a));
}

static void
test_validate (void)
{
  static const struct {
    const char *pin;
    gboolean    valid;
  } cases[] = {
    { "1234", TRUE },
    { "00000000", TRUE },
    { "12345678901234567890123456789012", TRUE },
    { "123456789012345678901234567890123", FALSE },
    { "123", FALSE },
    { "", FALSE },
    { NULL, FALSE },
    { "12a4", FALSE },
    { "1234 ", FALSE },
    { "١٢٣٤", FALSE },   /* Arabic-Indic digits are not ASCII digits */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = ka_pin_validate (cases[i].pin, &error);

      g_assert_cmpint (ok, ==, cases[i].valid);
      if (!ok)
        g_assert_error (error, KA_PIN_ERROR, KA_PIN_ERROR_INVALID);
    }
}

/* A record of the earlier scheme, written by `kai-arena-admin kiosk set-pin` before issue
 * 11 (PBKDF2-HMAC-SHA256, 300,000 iterations) for the PIN 24681357. */
#define LEGACY_PIN    "24681357"
#define LEGACY_RECORD "pbkdf2-sha256$300000$f1f70c707503132749a906d3104df56b$" \
                      "6508b55678687f0f2ef3b807d0374007c907e16d9218474e9f6a3814e730d669"

static void
test_record (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *one = NULL;
  g_autofree char *two = NULL;
  g_auto(GStrv) parts = NULL;
  g_auto(GStrv) parts2 = NULL;
  gboolean rehash = TRUE;

  one = ka_pin_hash ("482913", &error);
  g_assert_no_error (error);
  two = ka_pin_hash ("482913", &error);
  g_assert_no_error (error);

  /* libsodium's string: "", "argon2id", "v=19", "m=65536,t=2,p=1", salt, hash. */
  parts = g_strsplit (one, "$", -1);
  parts2 = g_strsplit (two, "$", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, 6);
  g_assert_cmpstr (parts[0], ==, "");
  g_assert_cmpstr (parts[1], ==, "argon2id");
  g_assert_cmpstr (parts[2], ==, "v=19");
  g_assert_cmpstr (parts[3], ==, "m=65536,t=2,p=1");
  /* A fresh 16-byte salt each time (22 base64 digits), so the same PIN gives another hash. */
  g_assert_cmpuint (strlen (parts[4]), ==, 22);
  g_assert_cmpstr (parts[4], !=, parts2[4]);
  g_assert_cmpstr (parts[5], !=, parts2[5]);
  g_assert_null (strstr (one, "482913"));

  g_assert_true (ka_pin_verify_record (one, "482913", &rehash, &error));
  g_assert_no_error (error);
  g_assert_false (rehash);
  g_assert_false (ka_pin_verify_record (one, "482914", &rehash, &error));
  g_assert_error (error, KA_PIN_ERROR, KA_PIN_ERROR_WRONG);
  g_clear_error (&error);
  g_assert_false (ka_pin_verify_record (one, "4829130", NULL, &error));
  g_assert_error (error, KA_PIN_ERROR, KA_PIN_ERROR_WRONG);
  g_clear_error (&error);

  /* The earlier scheme still verifies, and asks to be re-hashed. */
  g_assert_true (ka_pin_verify_record (LEGACY_RECORD, LEGACY_PIN, &rehash, &error));
  g_assert_no_error (error);
  g_assert_true (rehash);
  g_assert_false (ka_pin_verify_record (LEGACY_RECORD, "24681358", &rehash, &error));
  g_assert_error (error, KA_PIN_ERROR, KA_PIN_ERROR_WRONG);
  g_clear_error (&error);

  /* Weaker Argon2id limits than today's verify, and ask to be re-hashed too. */
  {
    char weak[crypto_pwhash_STRBYTES];

    g_assert_cmpint (sodium_init (), >=, 0);
    g_assert_cmpint (crypto_pwhash_str (weak, "482913", 6, crypto_pwhash_OPSLIMIT_MIN,
                                        crypto_pwhash_MEMLIMIT_MIN), ==, 0);
    g_assert_true (ka_pin_verify_record (weak, "482913", &rehash, &error));
    g_assert_no_error (error);
    g_assert_true (rehash);
  }

  /* Too few iterations, truncated fields, another scheme: refused as corrupt. */
  {
    const char *bad[] = {
      "pbkdf2-sha256$1000$00112233445566778899aabbccddeeff$"
      "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
      "pbkdf2-sha256$200000$0011$00",
      "sha1$200000$00112233445566778899aabbccddeeff$00",
      "$argon2i$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA",
      "",
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_assert_false (ka_pin_verify_record (bad[i], "482913", NULL, &error));
        g_assert_error (error, KA_PIN_ERROR, KA_PIN_ERROR_CORRUPT);
        g_clear_error (&error);
      }
  }

  /* Short PINs cannot be stored. */
  g_assert_null (ka_pin_hash ("12", &error));
  g_assert_error (error, KA_PIN_ERROR, KA_PIN_ERROR_INVALID);
}

static void
test_lockout_schedule (void)
{
  static const gint64 expected[] = { 0, 0, 0, 30, 60, 120, 240, 480, 960, 1920, 3600, 3600 };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpint (ka_pin_lockout_seconds (i), ==, expected[i]);

  g_assert_cmpint (ka_pin_lockout_seconds (G_MAXUINT), ==, KA_PIN_LOCKOUT_MAX_SECONDS);
}

typedef struct
{
  char    *tmpdir;
  char    *db_path;
  KaStore *store;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("ka-test-pin-XXXXXX", &error);
  g_assert_no_error (error);
  f->db_path = g_build_filename (f->tmpdir, "kiosk.sqlite", NULL);
  f->store = ka_store_open (f->db_path, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  remove_tree (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->db_path);
}

static void
reopen (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_finalize_object (f->store);
  f->store = ka_store_open (f->db_path, &error);
  g_assert_no_error (error);
}

/* One check at @now; returns the error code, or -1 for success. */
static int
check (Fixture    *f,
       const char *pin,
       gint64      now,
       gint64     *retry)
{
  g_autoptr(GError) error = NULL;

  if (ka_pin_check (f->store, pin, now, retry, &error))
    {
      g_assert_no_error (error);
      return -1;
    }

  g_assert_nonnull (error);
  if (error->domain != KA_PIN_ERROR)
    g_error ("unexpected error: %s", error->message);
  return error->code;
}

static void
test_not_set (Fixture       *f,
              gconstpointer  data)
{
  g_assert_false (ka_pin_is_set (f->store));
  g_assert_cmpint (check (f, "1234", T0, NULL), ==, KA_PIN_ERROR_NOT_SET);
  g_assert_cmpint (ka_pin_get_lockout (f->store, T0, NULL), ==, 0);
}

static void
test_growing_lockouts (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 retry = -1, now = T0;
  guint failures = 99;

  ka_pin_set (f->store, "271828", &error);
  g_assert_no_error (error);
  g_assert_true (ka_pin_is_set (f->store));

  /* The first wrong PINs cost nothing but the hash. */
  g_assert_cmpint (check (f, "111111", now, &retry), ==, KA_PIN_ERROR_WRONG);
  g_assert_cmpint (retry, ==, 0);
  g_assert_cmpint (check (f, "222222", now, &retry), ==, KA_PIN_ERROR_WRONG);
  g_assert_cmpint (retry, ==, 0);

  /* The third locks the panel for 30 s. */
  g_assert_cmpint (check (f, "333333", now, &retry), ==, KA_PIN_ERROR_WRONG);
  g_assert_cmpint (retry, ==, 30 * SEC);
  g_assert_cmpint (ka_pin_get_lockout (f->store, now, &failures), ==, 30 * SEC);
  g_assert_cmpuint (failures, ==, 3);

  /* While locked out even the right PIN is refused, and the lockout does not grow. */
  now += 10 * SEC;
  g_assert_cmpint (check (f, "271828", now, &retry), ==, KA_PIN_ERROR_LOCKED_OUT);
  g_assert_cmpint (retry, ==, 20 * SEC);
  g_assert_cmpint (ka_pin_get_lockout (f->store, now, &failures), ==, 20 * SEC);
  g_assert_cmpuint (failures, ==, 3);

  /* A restart keeps the lockout: it lives in the store. */
  reopen (f);
  g_assert_cmpint (ka_pin_get_lockout (f->store, now, NULL), ==, 20 * SEC);
  g_assert_cmpint (check (f, "271828", now, &retry), ==, KA_PIN_ERROR_LOCKED_OUT);

  /* Each further wrong PIN doubles the wait. */
  now += 20 * SEC;
  g_assert_cmpint (check (f, "444444", now, &retry), ==, KA_PIN_ERROR_WRONG);
  g_assert_cmpint (retry, ==, 60 * SEC);
  now += 60 * SEC;
  g_assert_cmpint (check (f, "555555", now, &retry), ==, KA_PIN_ERROR_WRONG);
  g_assert_cmpint (retry, ==, 120 * SEC);
  now += 119 * SEC;
  g_assert_cmpint (check (f, "271828", now, &retry), ==, KA_PIN_ERROR_LOCKED_OUT);
  g_assert_cmpint (retry, ==, 1 * SEC);

  /* The right PIN after the lockout opens and resets the counter. */
  now += 1 * SEC;
  g_assert_cmpint (check (f, "271828", now, &retry), ==, -1);
  g_assert_cmpint (ka_pin_get_lockout (f->store, now, &failures), ==, 0);
  g_assert_cmpuint (failures, ==, 0);
  g_assert_cmpint (check (f, "999999", now, &retry), ==, KA_PIN_ERROR_WRONG);
  g_assert_cmpint (retry, ==, 0);

  /* A malformed PIN is refused without being counted. */
  g_assert_cmpint (check (f, "12", now, &retry), ==, KA_PIN_ERROR_INVALID);
  ka_pin_get_lockout (f->store, now, &failures);
  g_assert_cmpuint (failures, ==, 1);

  /* Setting a new PIN clears the lockout. */
  g_assert_cmpint (check (f, "999999", now, NULL), ==, KA_PIN_ERROR_WRONG);
  g_assert_cmpint (check (f, "999999", now, NULL), ==, KA_PIN_ERROR_WRONG);
  g_assert_cmpint (ka_pin_get_lockout (f->store, now, NULL), ==, 30 * SEC);
  ka_pin_set (f->store, "161803", &error);
  g_assert_no_error (error);
  g_assert_cmpint (ka_pin_get_lockout (f->store, now, NULL), ==, 0);
  g_assert_cmpint (check (f, "271828", now, NULL), ==, KA_PIN_ERROR_WRONG);
  g_assert_cmpint (check (f, "161803", now, NULL), ==, -1);
}

static void
test_clock_set_back (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 retry = -1;

  ka_pin_set (f->store, "271828", &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (check (f, "000000", T0, &retry), ==, KA_PIN_ERROR_WRONG);
  g_assert_cmpint (check (f, "000000", T0 + 30 * SEC, &retry), ==, KA_PIN_ERROR_WRONG);
  g_assert_cmpint (retry, ==, 60 * SEC);

  /* Setting the clock back a day neither ends nor stretches the lockout. */
  g_assert_cmpint (check (f, "271828", T0 - 86400 * SEC, &retry), ==, KA_PIN_ERROR_LOCKED_OUT);
  g_assert_cmpint (retry, ==, 60 * SEC);
  g_assert_cmpint (check (f, "271828", T0 - 86400 * SEC + 30 * SEC, &retry), ==,
                   KA_PIN_ERROR_LOCKED_OUT);
  g_assert_cmpint (retry, ==, 30 * SEC);
  g_assert_cmpint (check (f, "271828", T0 - 86400 * SEC + 60 * SEC, &retry), ==, -1);
}

static void
test_corrupt_lockout_fails_closed (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 retry = 0;

  ka_pin_set (f->store, "271828", &error);
  g_assert_no_error (error);
  ka_store_set_meta (f->store, KA_PIN_META_LOCKOUT, "garbage", &error);
  g_assert_no_error (error);

  g_test_expect_message ("ka-pin", G_LOG_LEVEL_WARNING, "*Unreadable PIN lockout*");
  g_assert_cmpint (check (f, "271828", T0, &retry), ==, KA_PIN_ERROR_LOCKED_OUT);
  g_test_assert_expected_messages ();
  g_assert_cmpint (retry, ==, KA_PIN_LOCKOUT_MAX_SECONDS * SEC);
}

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  gsize n = strlen (needle);

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;

  for (gsize i = 0; i + n <= length; i++)
    if (memcmp (contents + i, needle, n) == 0)
      return TRUE;

  return FALSE;
}

static int
run_admin (const char  *admin,
           const char  *db_path,
           const char  *input,
           char       **out,
           char       **err)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           admin, "kiosk", "set-pin", "--database", db_path, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, input, NULL, out, err, &error);
  g_assert_no_error (error);

  return g_subprocess_get_exit_status (proc);
}

/* `kai-arena-admin kiosk set-pin` reads the PIN from standard input and writes only the
 * salted hash: the digits are found nowhere in the database or its WAL. */
static void
test_admin_set_pin (Fixture       *f,
                    gconstpointer  data)
{
  const char *admin = g_getenv ("KA_ADMIN");
  const char *pin = "73915284";
  g_autofree char *wal = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (admin == NULL || !g_file_test (admin, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("KA_ADMIN does not name the built kai-arena-admin");
      return;
    }

  /* The admin tool writes while this test's store is open, as beside a running kiosk. */
  status = run_admin (admin, f->db_path, "73915284\n", &out, &err);
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strstr (out, pin));
  g_assert_null (strstr (err, pin));

  wal = g_strconcat (f->db_path, "-wal", NULL);
  g_assert_true (g_file_test (f->db_path, G_FILE_TEST_IS_REGULAR));
  g_assert_false (file_contains (f->db_path, pin));
  g_assert_false (file_contains (wal, pin));

  /* …and the hash it wrote opens the panel. */
  g_assert_true (ka_pin_is_set (f->store));
  g_assert_cmpint (check (f, pin, T0, NULL), ==, -1);
  g_assert_cmpint (check (f, "73915285", T0, NULL), ==, KA_PIN_ERROR_WRONG);

  /* The file checks are real: a stored plain value is found. */
  ka_store_set_meta (f->store, "probe", "probe-55501234", &error);
  g_assert_no_error (error);
  g_assert_true (file_contains (wal, "probe-55501234") ||
                 file_contains (f->db_path, "probe-55501234"));

  /* A bad PIN is refused and changes nothing. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = run_admin (admin, f->db_path, "12ab\n", &out, &err);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "digits"));
  g_assert_cmpint (check (f, pin, T0, NULL), ==, -1);

  /* Nothing at all on standard input: refused. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = run_admin (admin, f->db_path, "", &out, &err);
  g_assert_cmpint (status, ==, 1);
  g_assert_cmpint (check (f, pin, T0, NULL), ==, -1);
}

/* The migration (issue 11): a real store file holding a PIN record of the earlier PBKDF2
 * scheme. A wrong PIN leaves the record alone and counts as a failure; the right PIN opens
 * the panel and replaces the record by an Argon2id one, which the next check (after the
 * store is closed and opened again) uses; the lockout works as before throughout. */
static void
test_migrate_pbkdf2 (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *record = NULL;
  g_autofree char *upgraded = NULL;
  guint failures = 0;

  g_assert_true (ka_store_set_meta (f->store, KA_PIN_META_RECORD, LEGACY_RECORD, &error));
  g_assert_no_error (error);
  g_assert_true (ka_pin_is_set (f->store));

  g_assert_cmpint (check (f, "11111111", T0, NULL), ==, KA_PIN_ERROR_WRONG);
  record = ka_store_get_meta (f->store, KA_PIN_META_RECORD);
  g_assert_cmpstr (record, ==, LEGACY_RECORD);
  ka_pin_get_lockout (f->store, T0, &failures);
  g_assert_cmpuint (failures, ==, 1);

  g_test_expect_message ("ka-pin", G_LOG_LEVEL_MESSAGE, "*upgraded to Argon2id*");
  g_assert_cmpint (check (f, LEGACY_PIN, T0 + SEC, NULL), ==, -1);
  g_test_assert_expected_messages ();
  ka_pin_get_lockout (f->store, T0 + SEC, &failures);
  g_assert_cmpuint (failures, ==, 0);

  /* Reopen the file: the upgrade was written, not only cached. */
  g_clear_object (&f->store);
  f->store = ka_store_open (f->db_path, &error);
  g_assert_no_error (error);
  upgraded = ka_store_get_meta (f->store, KA_PIN_META_RECORD);
  g_assert_true (g_str_has_prefix (upgraded, "$argon2id$v=19$m=65536,t=2,p=1$"));
  g_assert_null (strstr (upgraded, LEGACY_PIN));

  /* The new record opens the panel without another upgrade, and refuses a wrong PIN. */
  g_assert_cmpint (check (f, LEGACY_PIN, T0 + 2 * SEC, NULL), ==, -1);
  {
    g_autofree char *again = ka_store_get_meta (f->store, KA_PIN_META_RECORD);

    g_assert_cmpstr (again, ==, upgraded);
  }
  g_assert_cmpint (check (f, "24681358", T0 + 3 * SEC, NULL), ==, KA_PIN_ERROR_WRONG);

  /* Lockouts are unchanged by the new scheme: the third wrong PIN in a row locks. */
  g_assert_cmpint (check (f, "24681359", T0 + 4 * SEC, NULL), ==, KA_PIN_ERROR_WRONG);
  g_assert_cmpint (check (f, "24681350", T0 + 5 * SEC, NULL), ==, KA_PIN_ERROR_WRONG);
  g_assert_cmpint (check (f, LEGACY_PIN, T0 + 6 * SEC, NULL), ==, KA_PIN_ERROR_LOCKED_OUT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ka/pin/pbkdf2-vectors", test_pbkdf2_vectors);
  g_test_add_func ("/ka/pin/equal", test_equal);
  g_test_add_func ("/ka/pin/validate", test_validate);
  g_test_add_func ("/ka/pin/record", test_record);
  g_test_add_func ("/ka/pin/lockout-schedule", test_lockout_schedule);
  g_test_add ("/ka/pin/not-set", Fixture, NULL, fixture_setup, test_not_set, fixture_teardown);
  g_test_add ("/ka/pin/growing-lockouts", Fixture, NULL,
              fixture_setup, test_growing_lockouts, fixture_teardown);
  g_test_add ("/ka/pin/clock-set-back", Fixture, NULL,
              fixture_setup, test_clock_set_back, fixture_teardown);
  g_test_add ("/ka/pin/corrupt-lockout-fails-closed", Fixture, NULL,
              fixture_setup, test_corrupt_lockout_fails_closed, fixture_teardown);
  g_test_add ("/ka/pin/admin-set-pin", Fixture, NULL,
              fixture_setup, test_admin_set_pin, fixture_teardown);
  g_test_add ("/ka/pin/migrate-pbkdf2", Fixture, NULL,
              fixture_setup, test_migrate_pbkdf2, fixture_teardown);

  return g_test_run ();
}
