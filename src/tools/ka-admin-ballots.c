/* ka-admin-ballots.c: `kai-arena-admin ballots` and `kai-arena-admin verify-chain`
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both open the store read-only: they never create, migrate or change a database, so an
 * auditor can run them on a copy, or beside a running kiosk.
 */

#define G_LOG_DOMAIN "ka-admin"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ka-admin.h"
#include "ka-store.h"

/* UTF-8 byte-order mark: Korean Excel needs it to read UTF-8 CSV (DESIGN.md §9). */
#define CSV_BOM "\xEF\xBB\xBF"

static const char * const csv_columns[] = {
  "ballot_id", "device_id", "session_id", "seq", "pack_id", "prompt_id", "response_a",
  "response_b", "winner", "shown_at", "voted_at", "decision_ms", "mode", "ui_language",
  "identity_flag", "prev_hash", "hash", "delivery",
};

/* Parses the options common to both commands; returns an exit status or -1 to go on. */
static int
parse_options (const char    *command,
               const char    *summary,
               GOptionEntry  *extra,
               char         **database,
               int           *argc,
               char        ***argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup_printf ("kai-arena-admin %s", command);
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, database,
      "The store to read (never created or changed)", "FILE" },
    { NULL }
  };

  context = g_option_context_new ("--database FILE");
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, NULL);
  if (extra != NULL)
    g_option_context_add_main_entries (context, extra, NULL);
  g_set_prgname (prgname);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      fprintf (stderr, "kai-arena-admin %s: %s\n", command, error->message);
      return 2;
    }

  g_set_prgname ("kai-arena-admin");

  if (*argc > 1)
    {
      fprintf (stderr, "kai-arena-admin %s: unexpected argument '%s'\n", command, (*argv)[1]);
      return 2;
    }

  if (*database == NULL)
    {
      fprintf (stderr, "kai-arena-admin %s: --database FILE is required\n", command);
      return 2;
    }

  return -1;
}

/* Called after every usage check, so that a bad command line exits 2 whatever the file. */
static KaStore *
open_store (const char *command,
            const char *database)
{
  g_autoptr(GError) error = NULL;
  KaStore *store;

  /* Checked here too so that the message is about the file, not about SQLite. */
  if (!g_file_test (database, G_FILE_TEST_EXISTS))
    {
      fprintf (stderr, "kai-arena-admin %s: no database at %s\n", command, database);
      return NULL;
    }
  if (!g_file_test (database, G_FILE_TEST_IS_REGULAR))
    {
      fprintf (stderr, "kai-arena-admin %s: %s is not a regular file\n", command, database);
      return NULL;
    }

  store = ka_store_open_read_only (database, &error);
  if (store == NULL)
    fprintf (stderr, "kai-arena-admin %s: %s\n", command, error->message);
  return store;
}

/* RFC 4180: a field holding a comma, a quote, CR or LF is quoted, quotes doubled. */
static void
append_csv_field (GString    *out,
                  const char *value)
{
  if (value[strcspn (value, ",\"\r\n")] == '\0')
    {
      g_string_append (out, value);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_csv_row (GString        *out,
                const KaBallot *b,
                const char     *delivery)
{
  g_autofree char *seq = g_strdup_printf ("%" G_GINT64_FORMAT, b->seq);
  g_autofree char *decision_ms = g_strdup_printf ("%" G_GINT64_FORMAT, b->decision_ms);
  const char *values[] = {
    b->ballot_id, b->device_id, b->session_id, seq, b->pack_id, b->prompt_id,
    b->response_a, b->response_b, ka_winner_to_string (b->winner), b->shown_at,
    b->voted_at, decision_ms, ka_mode_to_string (b->mode), b->ui_language,
    b->identity_flag ? "true" : "false", b->prev_hash, b->hash, delivery,
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (values) == G_N_ELEMENTS (csv_columns));

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_csv_field (out, values[i] ? values[i] : "");
    }
  g_string_append (out, "\r\n");
}

static char *
jsonl_line (const KaBallot *b,
            const char     *delivery)
{
  g_autoptr(JsonNode) node = ka_ballot_to_json (b);
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_object_set_string_member (json_node_get_object (node), "delivery", delivery);
  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

static gboolean
write_out (GString *out)
{
  if (out->len > 0 && fwrite (out->str, 1, out->len, stdout) != out->len)
    return FALSE;
  g_string_truncate (out, 0);
  return TRUE;
}

/**
 * ka_admin_ballots:
 *
 * `kai-arena-admin ballots --database FILE [--format jsonl|csv] [--pack PACK_ID]`: writes
 * every ballot (DESIGN.md §4 fields plus `delivery`), ordered by device and seq, to
 * stdout. `jsonl`: one JSON object per line. `csv`: UTF-8 with a byte-order mark, a header
 * row, CRLF line ends, RFC 4180 quoting.
 */
int
ka_admin_ballots (int    argc,
                  char **argv)
{
  g_autofree char *database = NULL;
  g_autofree char *format = NULL;
  g_autofree char *pack_id = NULL;
  g_autoptr(KaStore) store = NULL;
  g_autoptr(GPtrArray) ballots = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean csv;
  int status;
  GOptionEntry extra[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      "Output format: jsonl (default) or csv", "FORMAT" },
    { "pack", 'p', 0, G_OPTION_ARG_STRING, &pack_id, "Only this pack's ballots", "PACK_ID" },
    { NULL }
  };

  status = parse_options ("ballots", "List the ballots of a K-AI Arena store.", extra,
                          &database, &argc, &argv);
  if (status >= 0)
    return status;

  if (format != NULL && !g_str_equal (format, "jsonl") && !g_str_equal (format, "csv"))
    {
      fprintf (stderr, "kai-arena-admin ballots: unknown format '%s' (jsonl or csv)\n",
               format);
      return 2;
    }
  csv = format != NULL && g_str_equal (format, "csv");

  store = open_store ("ballots", database);
  if (store == NULL)
    return 1;

  ballots = ka_store_list_ballots (store, pack_id, &error);
  if (ballots == NULL)
    {
      fprintf (stderr, "kai-arena-admin ballots: %s\n", error->message);
      return 1;
    }

  if (csv)
    {
      g_string_append (out, CSV_BOM);
      for (guint i = 0; i < G_N_ELEMENTS (csv_columns); i++)
        g_string_append_printf (out, "%s%s", i > 0 ? "," : "", csv_columns[i]);
      g_string_append (out, "\r\n");
    }

  for (guint i = 0; i < ballots->len; i++)
    {
      const KaBallot *b = g_ptr_array_index (ballots, i);
      KaDeliveryState state = ka_store_get_delivery_state (store, b->ballot_id, &error);
      const char *delivery = ka_delivery_state_to_string (state);

      if (error != NULL)
        {
          fprintf (stderr, "kai-arena-admin ballots: %s\n", error->message);
          return 1;
        }

      if (csv)
        append_csv_row (out, b, delivery);
      else
        {
          g_autofree char *line = jsonl_line (b, delivery);

          g_string_append (out, line);
          g_string_append_c (out, '\n');
        }

      if (out->len > 64 * 1024 && !write_out (out))
        break;
    }

  if (!write_out (out) || fflush (stdout) != 0 || ferror (stdout))
    {
      fprintf (stderr, "kai-arena-admin ballots: could not write the output\n");
      return 1;
    }

  return 0;
}

/**
 * ka_admin_verify_chain:
 *
 * `kai-arena-admin verify-chain --database FILE`: checks every device's hash chain
 * (ka_store_verify_chains()). Prints one line per device, then `OK` and exits 0; on a
 * break prints `FAILED`, gives the reason on stderr and exits 1.
 */
int
ka_admin_verify_chain (int    argc,
                       char **argv)
{
  g_autofree char *database = NULL;
  g_autoptr(KaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) report = g_string_new (NULL);
  gboolean ok;
  int status;

  status = parse_options ("verify-chain",
                          "Check every device's ballot hash chain in a K-AI Arena store.",
                          NULL, &database, &argc, &argv);
  if (status >= 0)
    return status;

  store = open_store ("verify-chain", database);
  if (store == NULL)
    return 1;

  ok = ka_store_verify_chains (store, report, &error);
  fputs (report->str, stdout);

  if (!ok)
    {
      puts ("FAILED");
      fflush (stdout);
      fprintf (stderr, "kai-arena-admin verify-chain: %s\n", error->message);
      return 1;
    }

  puts ("OK");
  return fflush (stdout) == 0 ? 0 : 1;
}
