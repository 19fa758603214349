/* kai-arena-collector.c: the organisers' ballot collector (DESIGN.md §8, docs/protocol.md)
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-collector"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ka-collector.h"
#include "ka-collector-db.h"
#include "ka-pack.h"
#include "ka-pack-seal.h"

#define DEFAULT_LISTEN "127.0.0.1:8787"
#define MIN_ORGANISER_TOKEN_LENGTH 16

/* stdout carries exactly one line, "listening on URL", which scripts and tests read; every
 * log message goes to stderr (GLib's default writer would put info and debug on stdout). */
static GLogWriterOutput
log_to_stderr (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  g_autofree char *line = NULL;
  const char *domain = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (strcmp (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
    }

  if (g_log_writer_default_would_drop (level, domain))
    return G_LOG_WRITER_HANDLED;

  line = g_log_writer_format_fields (level, fields, n_fields,
                                     g_log_writer_supports_color (fileno (stderr)));
  fprintf (stderr, "%s\n", line);
  fflush (stderr);
  return G_LOG_WRITER_HANDLED;
}

/* ADDR:PORT, ADDR an IPv4 literal, [IPv6 literal] or "localhost"; port 0 = any free. */
static GInetSocketAddress *
parse_listen (const char  *spec,
              GError     **error)
{
  g_autofree char *host = NULL;
  g_autoptr(GInetAddress) address = NULL;
  const char *port_text;
  guint64 port;

  if (spec[0] == '[')
    {
      const char *close = strchr (spec, ']');

      if (close == NULL || close[1] != ':')
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--listen %s: expected [IPV6]:PORT", spec);
          return NULL;
        }
      host = g_strndup (spec + 1, close - spec - 1);
      port_text = close + 2;
    }
  else
    {
      const char *colon = strrchr (spec, ':');

      if (colon == NULL || memchr (spec, ':', colon - spec) != NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--listen %s: expected ADDRESS:PORT (IPv6 addresses in brackets)",
                       spec);
          return NULL;
        }
      host = g_strndup (spec, colon - spec);
      port_text = colon + 1;
    }

  if (!g_ascii_string_to_unsigned (port_text, 10, 0, 65535, &port, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--listen %s: '%s' is not a port number (0-65535)", spec, port_text);
      return NULL;
    }

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    address = g_inet_address_new_from_string (host);

  if (address == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--listen %s: '%s' is not an IP address (host names are not resolved)",
                   spec, host);
      return NULL;
    }

  return G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (address, (guint16) port));
}

static char *
read_secret_file (const char  *path,
                  GError     **error)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;

  g_strstrip (contents);
  if (contents[0] == '\0' || !g_utf8_validate (contents, -1, NULL))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s is empty or not UTF-8 text", path);
      return NULL;
    }

  return g_steal_pointer (&contents);
}

/* The key that seals packs for citizen devices (ka-pack-seal.c): --seal-key-file, which
 * must exist (a mistyped path must not quietly make a key that the other collectors behind
 * the load balancer do not have), or DATABASE.seal-key, made with mode 0600 at first start.
 * Lose it and the sealed response IDs of ballots not yet tallied can no longer be mapped
 * (names revealed at receipt stay in the database). */
static GBytes *
load_seal_key (const char  *database,
               const char  *seal_key_file,
               char       **path,
               GError     **error)
{
  g_autofree char *default_path = g_strconcat (database, ".seal-key", NULL);
  const char *key_path = seal_key_file != NULL ? seal_key_file : default_path;
  g_autoptr(GBytes) key = NULL;
  gboolean created = FALSE;
  GStatBuf st;

  if (seal_key_file != NULL && !g_file_test (seal_key_file, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   "--seal-key-file %s does not exist (leave the option out to have a key "
                   "made next to the database)", seal_key_file);
      return NULL;
    }

  key = ka_pack_seal_key_load (key_path, seal_key_file == NULL, &created, error);
  if (key == NULL)
    {
      g_prefix_error (error, "seal key: ");
      return NULL;
    }

  if (created)
    g_message ("made a new seal key %s (mode 0600): back it up with the database, and give "
               "every collector behind one load balancer the same key (--seal-key-file)",
               key_path);
  else if (g_stat (key_path, &st) == 0 && (st.st_mode & 077) != 0)
    g_message ("warning: the seal key %s can be read by other users (mode %03o); anyone "
               "who reads it can tell which model wrote each sealed response: chmod 600 it",
               key_path, (guint) (st.st_mode & 0777));

  *path = g_strdup (key_path);
  return g_steal_pointer (&key);
}

static gboolean
quit_cb (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_message ("stopping on a signal");
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

static int
fail (const char *format,
      ...) G_GNUC_PRINTF (1, 2);

static int
fail (const char *format,
      ...)
{
  va_list args;

  fprintf (stderr, "kai-arena-collector: ");
  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fprintf (stderr, "\n");
  return 1;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *listen = NULL;
  g_autofree char *database = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_autofree char *enrolment_code = NULL;
  g_autofree char *enrolment_code_file = NULL;
  g_autofree char *organiser_token = NULL;
  g_autofree char *organiser_token_file = NULL;
  g_auto(GStrv) pack_files = NULL;
  g_autofree char *seal_key_file = NULL;
  g_autoptr(GBytes) seal_key = NULL;
  g_autofree char *seal_key_path = NULL;
  int citizen_per_hour = KA_COLLECTOR_DEFAULT_CITIZEN_ENROLMENTS_PER_HOUR;
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      "Address and port to listen on; port 0 picks a free one (default " DEFAULT_LISTEN ")",
      "ADDR:PORT" },
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &database,
      "SQLite database of devices and ballots (created if absent; required)", "FILE" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert,
      "PEM certificate (chain) for HTTPS; required unless listening on loopback", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key,
      "PEM private key of --tls-cert", "FILE" },
    { "enrolment-code", 0, 0, G_OPTION_ARG_STRING, &enrolment_code,
      "Code a kiosk must present to enrol (visible in ps: prefer --enrolment-code-file)",
      "CODE" },
    { "enrolment-code-file", 0, 0, G_OPTION_ARG_FILENAME, &enrolment_code_file,
      "Read the kiosk enrolment code from FILE", "FILE" },
    { "organiser-token", 0, 0, G_OPTION_ARG_STRING, &organiser_token,
      "Bearer token of the organiser endpoints, at least 16 characters (visible in ps: "
      "prefer --organiser-token-file)", "TOKEN" },
    { "organiser-token-file", 0, 0, G_OPTION_ARG_FILENAME, &organiser_token_file,
      "Read the organiser token from FILE", "FILE" },
    { "pack", 'p', 0, G_OPTION_ARG_FILENAME_ARRAY, &pack_files,
      "Battle pack to serve (repeatable: the last is current, all reveal names)", "FILE" },
    { "seal-key-file", 0, 0, G_OPTION_ARG_FILENAME, &seal_key_file,
      "Key of the sealed packs' response IDs (default: DATABASE.seal-key, made at first "
      "start); collectors behind one load balancer must share it", "FILE" },
    { "citizen-enrolments-per-hour", 0, 0, G_OPTION_ARG_INT, &citizen_per_hour,
      "Citizen enrolments per client address and hour; 0 for no limit (default 20)", "N" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetSocketAddress) address = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(KaCollectorDb) db = NULL;
  g_autoptr(KaCollector) collector = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *url = NULL;
  g_autofree char *address_text = NULL;
  gboolean loopback;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("kai-arena-collector");
  g_log_set_writer_func (log_to_stderr, NULL, NULL);

  context = g_option_context_new ("- collect K-AI Arena ballots");
  g_option_context_set_summary (context,
                                "Serves the sync protocol of docs/protocol.md: device "
                                "enrolment, the current battle pack, ballot uploads with "
                                "receipts, and the organisers' tallies and exports.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fail ("%s", error->message);
      return 2;
    }

  if (version)
    {
      printf ("kai-arena-collector %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (argc > 1)
    {
      fail ("unexpected argument '%s'", argv[1]);
      return 2;
    }

  /* Every check that can refuse to start runs before anything is bound or written. */
  address = parse_listen (listen != NULL ? listen : DEFAULT_LISTEN, &error);
  if (address == NULL)
    {
      fail ("%s", error->message);
      return 2;
    }
  address_text = g_inet_address_to_string (g_inet_socket_address_get_address (address));
  loopback = g_inet_address_get_is_loopback (g_inet_socket_address_get_address (address));

  if ((tls_cert == NULL) != (tls_key == NULL))
    {
      fail ("--tls-cert and --tls-key go together");
      return 2;
    }

  if (tls_cert == NULL && !loopback)
    {
      fail ("refusing to serve plain HTTP on %s, which is not a loopback address: TLS is "
            "required for any host but loopback (give --tls-cert and --tls-key, or put a "
            "TLS-terminating proxy in front and listen on 127.0.0.1)", address_text);
      return 2;
    }

  if (database == NULL)
    {
      fail ("--database FILE is required");
      return 2;
    }

  if (citizen_per_hour < 0)
    {
      fail ("--citizen-enrolments-per-hour must be 0 or more");
      return 2;
    }

  if (enrolment_code != NULL && enrolment_code_file != NULL)
    {
      fail ("give --enrolment-code or --enrolment-code-file, not both");
      return 2;
    }
  if (enrolment_code_file != NULL)
    {
      enrolment_code = read_secret_file (enrolment_code_file, &error);
      if (enrolment_code == NULL)
        return fail ("--enrolment-code-file: %s", error->message);
    }
  if (enrolment_code != NULL && enrolment_code[0] == '\0')
    {
      fail ("--enrolment-code must not be empty");
      return 2;
    }

  if (organiser_token != NULL && organiser_token_file != NULL)
    {
      fail ("give --organiser-token or --organiser-token-file, not both");
      return 2;
    }
  if (organiser_token_file != NULL)
    {
      organiser_token = read_secret_file (organiser_token_file, &error);
      if (organiser_token == NULL)
        return fail ("--organiser-token-file: %s", error->message);
    }
  if (organiser_token != NULL && g_utf8_strlen (organiser_token, -1) < MIN_ORGANISER_TOKEN_LENGTH)
    {
      fail ("the organiser token must be at least %d characters long",
            MIN_ORGANISER_TOKEN_LENGTH);
      return 2;
    }

  if (tls_cert != NULL)
    {
      certificate = g_tls_certificate_new_from_files (tls_cert, tls_key, &error);
      if (certificate == NULL)
        return fail ("cannot load the TLS certificate %s with key %s: %s", tls_cert, tls_key,
                     error->message);
    }

  db = ka_collector_db_open (database, &error);
  if (db == NULL)
    return fail ("%s", error->message);

  collector = ka_collector_new (db);
  ka_collector_set_enrolment_code (collector, enrolment_code);
  ka_collector_set_organiser_token (collector, organiser_token);
  ka_collector_set_citizen_enrolments_per_hour (collector, (guint) citizen_per_hour);

  if (pack_files != NULL)
    {
      seal_key = load_seal_key (database, seal_key_file, &seal_key_path, &error);
      if (seal_key == NULL)
        return fail ("%s", error->message);
      ka_collector_set_seal_key (collector, seal_key);
    }

  for (guint i = 0; pack_files != NULL && pack_files[i] != NULL; i++)
    {
      g_autoptr(KaPack) pack = ka_pack_new_from_file (pack_files[i], &error);
      gboolean current = pack_files[i + 1] == NULL;
      KaPackSealStats stats;

      if (pack == NULL || !ka_collector_add_pack (collector, pack, &stats, &error))
        return fail ("--pack %s: %s", pack_files[i], error->message);

      /* Say exactly what goes to whom: organisers must be able to see at a glance that
       * citizens do not get the open file. */
      if (ka_pack_is_sealed (pack))
        {
          const char * const *terms = ka_pack_get_identity_terms (pack);

          g_message ("%s pack %s as given: it is sealed, so kiosks and citizen devices "
                     "get the same file (%u responses) and receipts cannot reveal its model "
                     "names", current ? "serving" : "keeping (not current)",
                     ka_pack_get_id (pack), ka_pack_get_n_responses (pack));
          if (terms != NULL && terms[0] != NULL)
            g_message ("warning: sealed pack %s lists %u identity_terms, which name the "
                       "vendors taking part; give the collector the open pack instead and it "
                       "seals it itself", ka_pack_get_id (pack), g_strv_length ((GStrv) terms));
        }
      else
        {
          g_autoptr(GError) count_error = NULL;
          gint64 kiosks = ka_collector_db_count_devices (db, KA_DEVICE_KIND_KIOSK,
                                                         &count_error);

          if (!current)
            g_message ("keeping pack %s to reveal and tally ballots cast on it, open or "
                       "sealed (%u sealed responses, keyed with %s); it is not served",
                       ka_pack_get_id (pack), stats.n_responses, seal_key_path);
          else
            g_message ("serving pack %s: the open file (%u responses) to enrolled kiosks "
                       "(%" G_GINT64_FORMAT " enrolled), a sealed copy to citizen devices and "
                       "anonymous clients (%u responses to %u prompts; %u flagged responses "
                       "and %u prompts left out; response IDs keyed with %s)",
                       ka_pack_get_id (pack), ka_pack_get_n_responses (pack), MAX (kiosks, 0),
                       stats.n_responses, stats.n_prompts, stats.n_flagged,
                       stats.n_prompts_dropped, seal_key_path);
        }
    }

  if (!ka_collector_listen (collector, address, certificate, &error))
    return fail ("cannot listen on %s: %s", listen != NULL ? listen : DEFAULT_LISTEN,
                 error->message);

  url = ka_collector_get_url (collector);
  printf ("listening on %s\n", url);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_main_loop_run (loop);

  ka_collector_disconnect (collector);
  g_clear_object (&collector);
  g_clear_object (&db);

  return 0;
}
