/* ka-collector-client.c: the organisers' requests to a collector
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-export"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <libsoup/soup.h>

#include "ka-export.h"
#include "ka-sync.h"

/* Reading from a collector ------------------------------------------------------------- */

#define COLLECTOR_TIMEOUT_S 60

/* "code: message" from a collector's `{"error": {"code", "message"}}` body, or NULL. */
static char *
collector_error_text (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gconstpointer data;
  gsize len = 0;
  JsonNode *root;
  JsonObject *err;
  const char *code, *message;

  if (body == NULL)
    return NULL;
  data = g_bytes_get_data (body, &len);
  if (len == 0 || !json_parser_load_from_data (parser, data, (gssize) len, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  err = json_object_get_object_member (json_node_get_object (root), "error");
  if (err == NULL)
    return NULL;
  code = json_object_get_string_member_with_default (err, "code", NULL);
  message = json_object_get_string_member_with_default (err, "message", NULL);
  if (code == NULL && message == NULL)
    return NULL;
  return g_strdup_printf ("%s: %s", code != NULL ? code : "error",
                          message != NULL ? message : "");
}

/**
 * ka_export_fetch_collector_ballots:
 * @server_url: the collector's base URL, e.g. `https://collector.example/`; checked with
 *   ka_sync_check_server_url() before any connection (`http://` only for loopback hosts)
 * @organiser_token: the organisers' bearer token (docs/protocol.md), without newline
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Fetches every ballot the collector holds, synchronously, with one #SoupSession:
 * `GET <server_url>/v1/ballots?format=jsonl` with `Authorization: Bearer <token>`
 * (60 s timeout). The answer is JSON Lines as `kai-arena-admin ballots --format jsonl`
 * writes it; give it to ka_export_parse_ballots(). Blocks: call it from a tool or a
 * worker thread, not from a GUI main loop.
 *
 * Returns: (transfer full): the response body; %NULL with #KA_SYNC_ERROR_INVALID_URL or
 *   #KA_SYNC_ERROR_INSECURE_URL (nothing sent), a #GIOError or #GResolverError (not
 *   reachable), or #KA_EXPORT_ERROR_COLLECTOR for a non-2xx answer, whose message names
 *   the HTTP status and the collector's JSON error code and message.
 */
GBytes *
ka_export_fetch_collector_ballots (const char   *server_url,
                                   const char   *organiser_token,
                                   GCancellable *cancellable,
                                   GError      **error)
{
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *base = NULL;
  g_autofree char *url = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *detail = NULL;
  guint status;

  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (organiser_token != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* DESIGN.md §8: the token never travels in clear to a host other than this computer. */
  if (!ka_sync_check_server_url (server_url, error))
    return NULL;

  base = g_strdup (server_url);
  while (base[0] != '\0' && base[strlen (base) - 1] == '/')
    base[strlen (base) - 1] = '\0';
  url = g_strconcat (base, "/v1/ballots?format=jsonl", NULL);
  msg = soup_message_new (SOUP_METHOD_GET, url);
  if (msg == NULL)
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_INVALID_URL,
                   "“%s” is not a valid URL", server_url);
      return NULL;
    }
  auth = g_strconcat ("Bearer ", organiser_token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/jsonl, application/x-ndjson, */*");

  session = g_object_new (SOUP_TYPE_SESSION, "timeout", COLLECTOR_TIMEOUT_S, NULL);
  body = soup_session_send_and_read (session, msg, cancellable, error);
  if (body == NULL)
    return NULL;

  status = soup_message_get_status (msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      detail = collector_error_text (body);
      g_set_error (error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_COLLECTOR,
                   "the collector answered %u %s%s%s", status,
                   soup_message_get_reason_phrase (msg) != NULL
                   ? soup_message_get_reason_phrase (msg) : "",
                   detail != NULL ? ": " : "", detail != NULL ? detail : "");
      return NULL;
    }
  return g_steal_pointer (&body);
}
