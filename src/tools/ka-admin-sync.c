/* ka-admin-sync.c: `kai-arena-admin sync`, one headless sync with a collector
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs exactly what the app's background sync runs once (KaSync, docs/protocol.md):
 * enrolment if needed, the chain check, the upload of every pending ballot, a pack update.
 * It prints what happened and exits 0 only when every ballot of the store is delivered.
 */

#define G_LOG_DOMAIN "ka-admin"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ka-admin.h"
#include "ka-store.h"
#include "ka-sync.h"

typedef struct
{
  GMainLoop *loop;
  GError    *error;
  gboolean   ok;
} Wait;

static void
enrolled_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Wait *wait = user_data;

  wait->ok = ka_sync_enrol_finish (KA_SYNC (source), result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static void
ran_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Wait *wait = user_data;

  wait->ok = ka_sync_run_finish (KA_SYNC (source), result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static void
print_report (const KaSyncReport *report)
{
  g_autoptr(GHashTable) codes = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  if (report == NULL)
    return;

  if (report->requeued > 0)
    printf ("requeued: %" G_GINT64_FORMAT " delivered ballots the collector had lost "
            "(restored from a backup?) were sent again\n", report->requeued);
  printf ("sent: %u ballots in %u receipts (%u HTTP requests)\n", report->sent,
          report->batches, report->requests);
  printf ("accepted: %u\n", report->accepted);
  printf ("duplicate: %u\n", report->duplicate);
  printf ("rejected: %u\n", report->rejected);

  for (guint i = 0; i < report->rejections->len; i++)
    {
      const KaSyncRejection *r = g_ptr_array_index (report->rejections, i);

      g_hash_table_insert (codes, r->code,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (codes,
                                                                                    r->code)) + 1));
      printf ("  %s: %s: %s\n", r->ballot_id, r->code, r->message);
    }
  g_hash_table_iter_init (&iter, codes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    printf ("rejected as %s: %u\n", (const char *) key, GPOINTER_TO_UINT (value));

  if (report->server_count >= 0)
    printf ("collector holds: %" G_GINT64_FORMAT " ballots of this device\n",
            report->server_count);
  if (report->pack != NULL)
    printf ("pack: downloaded %" G_GSIZE_FORMAT " bytes, ETag %s\n",
            g_bytes_get_size (report->pack), report->pack_etag);
}

int
ka_admin_sync (int    argc,
               char **argv)
{
  g_autofree char *database = NULL;
  g_autofree char *server = NULL;
  g_autofree char *code = NULL;
  g_autofree char *code_file = NULL;
  g_autofree char *kind_name = NULL;
  int timeout = 30;
  int batch_size = KA_SYNC_MAX_BATCH;
  gboolean no_pack = FALSE;
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &database,
      "The store whose ballots to send (must exist)", "FILE" },
    { "server", 's', 0, G_OPTION_ARG_STRING, &server,
      "The collector's base URL (https://…, or http:// on loopback only)", "URL" },
    { "enrolment-code", 0, 0, G_OPTION_ARG_STRING, &code,
      "Enrol as a kiosk with the organisers' code (visible in ps: prefer "
      "--enrolment-code-file)", "CODE" },
    { "enrolment-code-file", 0, 0, G_OPTION_ARG_FILENAME, &code_file,
      "Read the enrolment code from FILE", "FILE" },
    { "kind", 0, 0, G_OPTION_ARG_STRING, &kind_name,
      "Enrol as citizen or kiosk (default: kiosk with a code, else citizen)",
      "citizen|kiosk" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
      "Seconds of silence before a request fails (default 30)", "SECONDS" },
    { "batch-size", 0, 0, G_OPTION_ARG_INT, &batch_size,
      "Ballots per request, 1–500 (default 500)", "N" },
    { "no-pack", 0, 0, G_OPTION_ARG_NONE, &no_pack,
      "Do not ask the collector for a newer battle pack", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = NULL;
  g_autoptr(KaSync) sync = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  KaOutboxCounts counts;
  KaMode kind;
  Wait wait = { NULL, };
  int status = 0;

  context = g_option_context_new ("--database FILE --server URL");
  g_option_context_set_summary (context,
                                "Sends the store's pending ballots to a collector once, as "
                                "the app's background sync does, and prints what happened. "
                                "Exits 0 only when every ballot of the store is delivered.");
  g_option_context_add_main_entries (context, entries, NULL);
  g_set_prgname ("kai-arena-admin sync");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "kai-arena-admin sync: %s\n", error->message);
      return 2;
    }
  g_set_prgname ("kai-arena-admin");

  if (argc > 1)
    {
      fprintf (stderr, "kai-arena-admin sync: unexpected argument '%s'\n", argv[1]);
      return 2;
    }
  if (database == NULL || server == NULL)
    {
      fprintf (stderr, "kai-arena-admin sync: --database FILE and --server URL are required\n");
      return 2;
    }
  if (code != NULL && code_file != NULL)
    {
      fprintf (stderr, "kai-arena-admin sync: give --enrolment-code or --enrolment-code-file, "
               "not both\n");
      return 2;
    }
  if (timeout < 1 || timeout > 3600 || batch_size < 1 || batch_size > KA_SYNC_MAX_BATCH)
    {
      fprintf (stderr, "kai-arena-admin sync: --timeout must be 1–3600 and --batch-size "
               "1–%d\n", KA_SYNC_MAX_BATCH);
      return 2;
    }
  if (code_file != NULL)
    {
      if (!g_file_get_contents (code_file, &code, NULL, &error))
        {
          fprintf (stderr, "kai-arena-admin sync: %s\n", error->message);
          return 1;
        }
      g_strstrip (code);
    }
  if (code != NULL && code[0] == '\0')
    {
      fprintf (stderr, "kai-arena-admin sync: the enrolment code is empty\n");
      return 2;
    }

  if (kind_name == NULL)
    kind = code != NULL ? KA_MODE_KIOSK : KA_MODE_CITIZEN;
  else if (!ka_mode_from_string (kind_name, &kind))
    {
      fprintf (stderr, "kai-arena-admin sync: --kind must be citizen or kiosk\n");
      return 2;
    }
  /* A kiosk without a code is fine if it is enrolled already (checked below). */
  if (kind == KA_MODE_CITIZEN && code != NULL)
    {
      fprintf (stderr, "kai-arena-admin sync: an enrolment code is for kiosks (--kind kiosk)\n");
      return 2;
    }

  if (!ka_sync_check_server_url (server, &error))
    {
      fprintf (stderr, "kai-arena-admin sync: %s\n", error->message);
      return 2;
    }

  /* ka_store_open() would create a missing database: a typo must not sync an empty one. */
  if (!g_file_test (database, G_FILE_TEST_IS_REGULAR))
    {
      fprintf (stderr, "kai-arena-admin sync: %s: no such store\n", database);
      return 1;
    }
  store = ka_store_open (database, &error);
  if (store == NULL)
    {
      fprintf (stderr, "kai-arena-admin sync: %s\n", error->message);
      return 1;
    }

  sync = g_object_new (KA_TYPE_SYNC,
                       "store", store,
                       "server-url", server,
                       "timeout", (guint) timeout,
                       "batch-size", (guint) batch_size,
                       "auto-enrol", kind == KA_MODE_CITIZEN,
                       "fetch-pack", !no_pack,
                       NULL);
  loop = g_main_loop_new (NULL, FALSE);
  wait.loop = loop;

  printf ("device: %s\n", ka_store_get_device_id (store));

  if (!ka_sync_is_enrolled (sync) && kind == KA_MODE_KIOSK)
    {
      if (code == NULL)
        {
          fprintf (stderr, "kai-arena-admin sync: this kiosk is not enrolled: give "
                   "--enrolment-code\n");
          return 1;
        }
      ka_sync_enrol_async (sync, KA_MODE_KIOSK, code, NULL, enrolled_cb, &wait);
      g_main_loop_run (loop);
      memset (code, 0, strlen (code));
      if (!wait.ok)
        {
          fprintf (stderr, "kai-arena-admin sync: enrolment failed: %s\n", wait.error->message);
          g_clear_error (&wait.error);
          return 1;
        }
      printf ("enrolled: as a kiosk on %s\n", server);
    }
  else if (ka_sync_is_enrolled (sync) && code != NULL)
    {
      g_autofree char *token_path = ka_sync_get_token_path (sync);

      printf ("enrolled: already (token in %s); the code is not used\n", token_path);
    }

  ka_sync_run_async (sync, NULL, ran_cb, &wait);
  g_main_loop_run (loop);

  if (ka_sync_get_last_report (sync) != NULL && ka_sync_get_last_report (sync)->enrolled)
    printf ("enrolled: as a citizen on %s\n", server);
  print_report (ka_sync_get_last_report (sync));

  if (!wait.ok)
    {
      fprintf (stderr, "kai-arena-admin sync: %s\n", wait.error->message);
      g_clear_error (&wait.error);
      status = 1;
    }

  if (!ka_store_get_outbox_counts (store, &counts, &error))
    {
      fprintf (stderr, "kai-arena-admin sync: %s\n", error->message);
      return 1;
    }

  printf ("still pending: %" G_GINT64_FORMAT "\n", counts.pending);
  printf ("delivered in total: %" G_GINT64_FORMAT "\n", counts.delivered);
  if (counts.rejected > 0)
    printf ("quarantined in total: %" G_GINT64_FORMAT " (rejected by the collector; they need "
            "the organisers)\n", counts.rejected);

  if (counts.pending > 0 || counts.rejected > 0)
    status = 1;

  return status;
}
