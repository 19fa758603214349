/* ka-admin-kiosk.c: `kai-arena-admin kiosk set-pin` and `kai-arena-admin kiosk status`
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * set-pin reads the operator PIN from standard input (without echo on a terminal, asked
 * twice there) and stores only its salted PBKDF2 hash in the kiosk's store (ka-pin.h). The
 * PIN never appears on the command line, where `ps` and the shell history would show it.
 */

#define G_LOG_DOMAIN "ka-admin"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ka-admin.h"
#include "ka-pin.h"
#include "ka-store.h"

/* Longer input than any valid PIN is read whole and then refused. */
#define LINE_MAX_BYTES 256

static void
wipe (char *s)
{
  if (s != NULL)
    explicit_bzero (s, strlen (s));
}

/* Reads one line from @in into @buffer without its line end. Returns FALSE at end of
 * input with nothing read, or on a read error. */
static gboolean
read_line (FILE  *in,
           char  *buffer,
           gsize  size)
{
  gsize length;

  if (fgets (buffer, (int) size, in) == NULL)
    return FALSE;

  length = strcspn (buffer, "\r\n");
  /* A line too long for the buffer: drop the rest, the PIN is refused anyway. */
  if (buffer[length] == '\0' && length == size - 1)
    {
      int c;

      while ((c = fgetc (in)) != EOF && c != '\n')
        ;
    }
  buffer[length] = '\0';
  return TRUE;
}

/* Prompts on the terminal with echo off; the terminal's settings are restored even when
 * reading fails. */
static gboolean
read_secret_from_terminal (const char *prompt,
                           char       *buffer,
                           gsize       size)
{
  struct termios saved, quiet;
  gboolean ok;

  fputs (prompt, stderr);
  fflush (stderr);

  if (tcgetattr (STDIN_FILENO, &saved) != 0)
    return FALSE;
  quiet = saved;
  quiet.c_lflag &= ~(tcflag_t) (ECHO | ECHONL);
  quiet.c_lflag |= ICANON;
  if (tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
    return FALSE;

  ok = read_line (stdin, buffer, size);

  tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
  fputc ('\n', stderr);

  return ok;
}

static int
parse_options (const char   *command,
               const char   *summary,
               char        **database,
               int          *argc,
               char       ***argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup_printf ("kai-arena-admin kiosk %s", command);
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, database,
      "The kiosk's ballot store (the file `kai-arena --database` uses)", "FILE" },
    { NULL }
  };

  context = g_option_context_new ("--database FILE");
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, NULL);
  g_set_prgname (prgname);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      fprintf (stderr, "kai-arena-admin kiosk %s: %s\n", command, error->message);
      return 2;
    }

  g_set_prgname ("kai-arena-admin");

  if (*argc > 1)
    {
      fprintf (stderr, "kai-arena-admin kiosk %s: unexpected argument '%s'\n",
               command, (*argv)[1]);
      return 2;
    }

  if (*database == NULL)
    {
      fprintf (stderr, "kai-arena-admin kiosk %s: --database FILE is required\n", command);
      return 2;
    }

  return -1;
}

static int
kiosk_set_pin (int    argc,
               char **argv)
{
  g_autofree char *database = NULL;
  g_autoptr(KaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  char pin[LINE_MAX_BYTES] = "";
  char again[LINE_MAX_BYTES] = "";
  gboolean terminal = isatty (STDIN_FILENO);
  int status;

  status = parse_options ("set-pin",
                          "Stores the kiosk operator PIN, read from standard input (without "
                          "echo on a terminal), as a salted PBKDF2-HMAC-SHA256 hash. The PIN "
                          "has 4 to 32 digits. Setting a PIN also ends any lockout.",
                          &database, &argc, &argv);
  if (status >= 0)
    return status;

  if (terminal)
    {
      if (!read_secret_from_terminal ("New operator PIN (digits): ", pin, sizeof pin) ||
          !read_secret_from_terminal ("Repeat the PIN: ", again, sizeof again))
        {
          fprintf (stderr, "kai-arena-admin kiosk set-pin: no PIN was read\n");
          return 1;
        }
      if (strcmp (pin, again) != 0)
        {
          wipe (pin);
          wipe (again);
          fprintf (stderr, "kai-arena-admin kiosk set-pin: the two PINs differ; nothing was "
                   "changed\n");
          return 1;
        }
      wipe (again);
    }
  else if (!read_line (stdin, pin, sizeof pin))
    {
      fprintf (stderr, "kai-arena-admin kiosk set-pin: no PIN on standard input\n");
      return 1;
    }

  if (!ka_pin_validate (pin, &error))
    {
      wipe (pin);
      fprintf (stderr, "kai-arena-admin kiosk set-pin: %s; nothing was changed\n",
               error->message);
      return 1;
    }

  store = ka_store_open (database, &error);
  if (store == NULL)
    {
      wipe (pin);
      fprintf (stderr, "kai-arena-admin kiosk set-pin: %s\n", error->message);
      return 1;
    }

  if (!ka_pin_set (store, pin, &error))
    {
      wipe (pin);
      fprintf (stderr, "kai-arena-admin kiosk set-pin: %s\n", error->message);
      return 1;
    }

  wipe (pin);
  printf ("Operator PIN stored in %s (Argon2id, %u MiB, %u passes, 16-byte salt); "
          "any lockout is cleared.\n",
          ka_store_get_path (store), (guint) (KA_PIN_ARGON2_MEMORY >> 20),
          (guint) KA_PIN_ARGON2_PASSES);
  return 0;
}

static int
kiosk_status (int    argc,
              char **argv)
{
  g_autofree char *database = NULL;
  g_autoptr(KaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  guint failures = 0;
  gint64 left;
  int status;

  status = parse_options ("status", "Shows whether an operator PIN is set and any lockout.",
                          &database, &argc, &argv);
  if (status >= 0)
    return status;

  if (!g_file_test (database, G_FILE_TEST_IS_REGULAR))
    {
      fprintf (stderr, "kai-arena-admin kiosk status: no database at %s\n", database);
      return 1;
    }

  store = ka_store_open_read_only (database, &error);
  if (store == NULL)
    {
      fprintf (stderr, "kai-arena-admin kiosk status: %s\n", error->message);
      return 1;
    }

  left = ka_pin_get_lockout (store, g_get_real_time (), &failures);
  printf ("device_id: %s\n", ka_store_get_device_id (store));
  printf ("operator_pin: %s\n", ka_pin_is_set (store) ? "set" : "not set");
  printf ("wrong_pins_in_a_row: %u\n", failures);
  printf ("locked_out_seconds: %" G_GINT64_FORMAT "\n", (left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
  return 0;
}

static void
print_usage (FILE *out)
{
  fprintf (out,
           "Usage: kai-arena-admin kiosk COMMAND --database FILE\n\n"
           "Commands:\n"
           "  set-pin   store the operator PIN read from standard input (salted hash only)\n"
           "  status    show whether a PIN is set and any lockout\n");
}

/**
 * ka_admin_kiosk:
 *
 * `kai-arena-admin kiosk set-pin|status --database FILE`.
 *
 * Returns: 0 on success, 1 on failure, 2 on a usage error
 */
int
ka_admin_kiosk (int    argc,
                char **argv)
{
  if (argc < 2)
    {
      print_usage (stderr);
      return 2;
    }

  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_usage (stdout);
      return 0;
    }

  if (g_str_equal (argv[1], "set-pin"))
    return kiosk_set_pin (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "status"))
    return kiosk_status (argc - 1, argv + 1);

  fprintf (stderr, "kai-arena-admin kiosk: unknown command '%s'\n\n", argv[1]);
  print_usage (stderr);
  return 2;
}
