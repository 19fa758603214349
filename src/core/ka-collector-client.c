/* ka-collector-client.c: the organisers' client of a collector
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One object, one SoupSession (timeout, product user agent), for the organiser endpoints
 * of docs/protocol.md: `GET /v1/ballots?format=jsonl|csv` and `GET /v1/tallies`, both with
 * `Authorization: Bearer <organiser token>`. Every answer goes through one status check:
 * 200 is the only success, 401 and 403 mean the token was refused, anything else is an
 * HTTP error naming the status and the collector's `{"error": {"code", "message"}}`; a 200
 * must carry the Content-Type asked for.
 *
 * A client is used either with the synchronous calls (a tool or a worker thread) or with
 * the asynchronous ones (from the thread whose main context it was first used in), as
 * libsoup 3 requires of a session.
 */

#define G_LOG_DOMAIN "ka-collector-client"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <libsoup/soup.h>

#include "ka-collector-client.h"
#include "ka-export.h"
#include "ka-sync.h"

G_DEFINE_QUARK (ka-collector-client-error-quark, ka_collector_client_error)

struct _KaCollectorClient
{
  GObject      parent_instance;

  char        *base_url;       /* without trailing slash */
  char        *auth;           /* "Bearer <token>"; never logged */
  SoupSession *session;
};

G_DEFINE_FINAL_TYPE (KaCollectorClient, ka_collector_client, G_TYPE_OBJECT)

static void
ka_collector_client_finalize (GObject *object)
{
  KaCollectorClient *self = KA_COLLECTOR_CLIENT (object);

  g_clear_pointer (&self->base_url, g_free);
  if (self->auth != NULL)
    memset (self->auth, 0, strlen (self->auth));
  g_clear_pointer (&self->auth, g_free);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ka_collector_client_parent_class)->finalize (object);
}

static void
ka_collector_client_class_init (KaCollectorClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ka_collector_client_finalize;
}

static void
ka_collector_client_init (KaCollectorClient *self)
{
  self->session = g_object_new (SOUP_TYPE_SESSION,
                                "timeout", KA_COLLECTOR_CLIENT_TIMEOUT_S,
                                "user-agent", "kai-arena/" PACKAGE_VERSION " ",
                                NULL);
}

/**
 * ka_collector_client_new:
 * @server_url: the collector's base URL, e.g. `https://collector.example/` (white space
 *   and trailing slashes are ignored); checked with ka_sync_check_server_url() (`http://`
 *   only for loopback hosts, so the token never travels in clear)
 * @organiser_token: the organisers' bearer token (docs/protocol.md), without newline
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a client owning one #SoupSession (60 s timeout, user agent
 *   `kai-arena/<version>`), or %NULL with #KA_SYNC_ERROR_INVALID_URL or
 *   #KA_SYNC_ERROR_INSECURE_URL; nothing is sent here
 */
KaCollectorClient *
ka_collector_client_new (const char  *server_url,
                         const char  *organiser_token,
                         GError     **error)
{
  g_autoptr(KaCollectorClient) self = NULL;
  g_autofree char *base = NULL;
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (organiser_token != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  base = g_strstrip (g_strdup (server_url));
  while (base[0] != '\0' && base[strlen (base) - 1] == '/')
    base[strlen (base) - 1] = '\0';

  /* DESIGN.md §8: TLS for any host but this computer. */
  if (!ka_sync_check_server_url (base, error))
    return NULL;
  uri = g_uri_parse (base, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL)
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_INVALID_URL,
                   "“%s” is not a valid URL", server_url);
      return NULL;
    }

  self = g_object_new (KA_TYPE_COLLECTOR_CLIENT, NULL);
  self->base_url = g_steal_pointer (&base);
  self->auth = g_strconcat ("Bearer ", organiser_token, NULL);
  return g_steal_pointer (&self);
}

/**
 * ka_collector_client_get_server_url:
 * @self: a #KaCollectorClient
 *
 * Returns: (transfer none): the base URL, without trailing slash
 */
const char *
ka_collector_client_get_server_url (KaCollectorClient *self)
{
  g_return_val_if_fail (KA_IS_COLLECTOR_CLIENT (self), NULL);

  return self->base_url;
}

/* What a request expects back. */
typedef enum
{
  EXPECT_BALLOTS_JSONL,
  EXPECT_BALLOTS_CSV,
  EXPECT_JSON,
} Expect;

static SoupMessage *
new_request (KaCollectorClient *self,
             const char        *path_and_query,
             Expect             expect)
{
  g_autofree char *url = g_strconcat (self->base_url, path_and_query, NULL);
  SoupMessage *msg = soup_message_new (SOUP_METHOD_GET, url);
  SoupMessageHeaders *headers;

  /* The URL was checked in ka_collector_client_new() and the path is ours. */
  g_assert (msg != NULL);
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Authorization", self->auth);
  switch (expect)
    {
    case EXPECT_BALLOTS_JSONL:
      soup_message_headers_replace (headers, "Accept", "application/jsonl, application/x-ndjson");
      break;
    case EXPECT_BALLOTS_CSV:
      soup_message_headers_replace (headers, "Accept", "text/csv");
      break;
    case EXPECT_JSON:
    default:
      soup_message_headers_replace (headers, "Accept", "application/json");
      break;
    }
  return msg;
}

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

static gboolean
type_is_expected (const char *type,
                  Expect      expect)
{
  /* No Content-Type at all is taken on trust: the status and the parse still decide. */
  if (type == NULL)
    return TRUE;
  switch (expect)
    {
    case EXPECT_BALLOTS_JSONL:
      return g_str_equal (type, "application/jsonl") ||
             g_str_equal (type, "application/x-ndjson") ||
             g_str_equal (type, "application/json");
    case EXPECT_BALLOTS_CSV:
      return g_str_equal (type, "text/csv");
    case EXPECT_JSON:
    default:
      return g_str_equal (type, "application/json");
    }
}

/* The one status check of every answer: %TRUE for a 200 of the expected type. */
static gboolean
check_answer (SoupMessage *msg,
              GBytes      *body,
              Expect       expect,
              GError     **error)
{
  guint status = soup_message_get_status (msg);
  const char *reason = soup_message_get_reason_phrase (msg);
  const char *type;
  g_autofree char *detail = NULL;

  switch (status)
    {
    case SOUP_STATUS_OK:
      break;

    default:
      {
        g_autofree char *what = NULL;

        detail = collector_error_text (body);
        what = g_strdup_printf (_("The collector answered “%u %s”."), status,
                                reason != NULL ? reason : "");
        g_set_error (error, KA_COLLECTOR_CLIENT_ERROR,
                     status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN
                     ? KA_COLLECTOR_CLIENT_ERROR_UNAUTHORIZED : KA_COLLECTOR_CLIENT_ERROR_HTTP,
                     "%s%s%s%s", what, detail != NULL ? " (" : "",
                     detail != NULL ? detail : "", detail != NULL ? ")" : "");
      }
      return FALSE;
    }

  type = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);
  if (!type_is_expected (type, expect))
    {
      if (expect == EXPECT_JSON)
        g_set_error (error, KA_COLLECTOR_CLIENT_ERROR, KA_COLLECTOR_CLIENT_ERROR_CONTENT_TYPE,
                     _("The collector answered with “%s” instead of JSON."), type);
      else
        g_set_error (error, KA_COLLECTOR_CLIENT_ERROR, KA_COLLECTOR_CLIENT_ERROR_CONTENT_TYPE,
                     _("The collector answered with “%s” instead of ballots "
                       "(JSON Lines)."), type);
      return FALSE;
    }
  return TRUE;
}

static Expect
ballots_expect (const char *format)
{
  return g_strcmp0 (format, "csv") == 0 ? EXPECT_BALLOTS_CSV : EXPECT_BALLOTS_JSONL;
}

static char *
ballots_path (const char *format)
{
  return g_strconcat ("/v1/ballots?format=", format, NULL);
}

/**
 * ka_collector_client_get_ballots:
 * @self: a #KaCollectorClient
 * @format: `jsonl` (ballots as `kai-arena-admin ballots --format jsonl` writes them; give
 *   them to ka_export_parse_ballots()) or `csv`
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * `GET /v1/ballots?format=<format>`, synchronously: call it from a tool or a worker
 * thread, never from a GUI main loop.
 *
 * Returns: (transfer full): the response body; %NULL with a #GIOError or #GResolverError
 *   (not reachable, timed out, cancelled) or a #KaCollectorClientError
 */
GBytes *
ka_collector_client_get_ballots (KaCollectorClient  *self,
                                 const char         *format,
                                 GCancellable       *cancellable,
                                 GError            **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (KA_IS_COLLECTOR_CLIENT (self), NULL);
  g_return_val_if_fail (g_strcmp0 (format, "jsonl") == 0 || g_strcmp0 (format, "csv") == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  path = ballots_path (format);
  msg = new_request (self, path, ballots_expect (format));
  body = soup_session_send_and_read (self->session, msg, cancellable, error);
  if (body == NULL)
    return NULL;
  if (!check_answer (msg, body, ballots_expect (format), error))
    return NULL;
  return g_steal_pointer (&body);
}

typedef struct
{
  SoupMessage *msg;
  Expect       expect;
} RequestData;

static void
request_data_free (RequestData *d)
{
  g_clear_object (&d->msg);
  g_free (d);
}

static void
send (KaCollectorClient   *self,
      const char          *path,
      Expect               expect,
      gpointer             source_tag,
      GCancellable        *cancellable,
      GAsyncReadyCallback  callback,
      gpointer             user_data,
      GAsyncReadyCallback  done);

static void
ballots_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RequestData *d = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  GError *error = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL || !check_answer (d->msg, body, d->expect, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&body), (GDestroyNotify) g_bytes_unref);
}

static void
send (KaCollectorClient   *self,
      const char          *path,
      Expect               expect,
      gpointer             source_tag,
      GCancellable        *cancellable,
      GAsyncReadyCallback  callback,
      gpointer             user_data,
      GAsyncReadyCallback  done)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  RequestData *d = g_new0 (RequestData, 1);

  g_task_set_source_tag (task, source_tag);
  d->msg = new_request (self, path, expect);
  d->expect = expect;
  g_task_set_task_data (task, d, (GDestroyNotify) request_data_free);
  soup_session_send_and_read_async (self->session, d->msg, G_PRIORITY_DEFAULT, cancellable,
                                    done, g_steal_pointer (&task));
}

/**
 * ka_collector_client_get_ballots_async:
 * @self: a #KaCollectorClient
 * @format: `jsonl` or `csv`
 * @cancellable: (nullable): a #GCancellable
 * @callback: called in the thread-default main context of the caller
 * @user_data: data for @callback
 *
 * `GET /v1/ballots?format=<format>` without blocking; see ka_collector_client_get_ballots().
 */
void
ka_collector_client_get_ballots_async (KaCollectorClient   *self,
                                       const char          *format,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (KA_IS_COLLECTOR_CLIENT (self));
  g_return_if_fail (g_strcmp0 (format, "jsonl") == 0 || g_strcmp0 (format, "csv") == 0);

  path = ballots_path (format);
  send (self, path, ballots_expect (format), ka_collector_client_get_ballots_async,
        cancellable, callback, user_data, ballots_done_cb);
}

/**
 * ka_collector_client_get_ballots_finish:
 * @self: a #KaCollectorClient
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the response body, or %NULL with an error as
 *   ka_collector_client_get_ballots() gives it (%G_IO_ERROR_CANCELLED when cancelled)
 */
GBytes *
ka_collector_client_get_ballots_finish (KaCollectorClient  *self,
                                        GAsyncResult       *result,
                                        GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        ka_collector_client_get_ballots_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
tallies_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RequestData *d = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = NULL;
  GError *error = NULL;
  JsonNode *root;
  gsize len;
  const char *data;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL || !check_answer (d->msg, body, d->expect, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  parser = json_parser_new_immutable ();
  data = g_bytes_get_data (body, &len);
  if (!json_parser_load_from_data (parser, data != NULL ? data : "", (gssize) len, &error))
    {
      g_task_return_new_error (task, KA_COLLECTOR_CLIENT_ERROR, KA_COLLECTOR_CLIENT_ERROR_PARSE,
                               _("The collector’s tallies are not valid JSON: %s"),
                               error->message);
      g_error_free (error);
      return;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "tallies"))
    {
      g_task_return_new_error (task, KA_COLLECTOR_CLIENT_ERROR, KA_COLLECTOR_CLIENT_ERROR_PARSE,
                               _("The collector’s answer holds no tallies."));
      return;
    }
  g_task_return_pointer (task, json_node_copy (root), (GDestroyNotify) json_node_unref);
}

/**
 * ka_collector_client_get_tallies_async:
 * @self: a #KaCollectorClient
 * @mode: (nullable): `citizen` or `kiosk` to count one mode only; %NULL for all
 * @cancellable: (nullable): a #GCancellable
 * @callback: called in the thread-default main context of the caller
 * @user_data: data for @callback
 *
 * `GET /v1/tallies[?mode=<mode>]`: the collector's counts per model pair (docs/protocol.md).
 */
void
ka_collector_client_get_tallies_async (KaCollectorClient   *self,
                                       const char          *mode,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autofree char *path = NULL;
  g_autofree char *escaped = NULL;

  g_return_if_fail (KA_IS_COLLECTOR_CLIENT (self));

  if (mode != NULL)
    {
      escaped = g_uri_escape_string (mode, NULL, FALSE);
      path = g_strconcat ("/v1/tallies?mode=", escaped, NULL);
    }
  else
    path = g_strdup ("/v1/tallies");
  send (self, path, EXPECT_JSON, ka_collector_client_get_tallies_async, cancellable,
        callback, user_data, tallies_done_cb);
}

/**
 * ka_collector_client_get_tallies_finish:
 * @self: a #KaCollectorClient
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the collector's JSON object (`generated_at`, `ballots`,
 *   `counted`, `excluded`, `tallies`), or %NULL with a #GIOError, a #GResolverError or a
 *   #KaCollectorClientError (%KA_COLLECTOR_CLIENT_ERROR_PARSE if it is not such an object)
 */
JsonNode *
ka_collector_client_get_tallies_finish (KaCollectorClient  *self,
                                        GAsyncResult       *result,
                                        GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        ka_collector_client_get_tallies_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* A collector from before sealing has no `/v1/seal-maps`: its 404 is an empty answer. */
static gboolean
seal_maps_answer (SoupMessage  *msg,
                  GBytes      **body,
                  GError      **error)
{
  if (soup_message_get_status (msg) == SOUP_STATUS_NOT_FOUND)
    {
      g_bytes_unref (*body);
      *body = g_bytes_new (NULL, 0);
      return TRUE;
    }
  return check_answer (msg, *body, EXPECT_JSON, error);
}

/**
 * ka_collector_client_get_seal_maps:
 * @self: a #KaCollectorClient
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * `GET /v1/seal-maps` (docs/protocol.md §5.8), synchronously: call it from a tool or a
 * worker thread. Give the body to ka_seal_maps_parse().
 *
 * Returns: (transfer full): the JSON body; an empty #GBytes from a collector from before
 *   sealing (404); %NULL with an error as ka_collector_client_get_ballots() gives it
 */
GBytes *
ka_collector_client_get_seal_maps (KaCollectorClient  *self,
                                   GCancellable       *cancellable,
                                   GError            **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;

  g_return_val_if_fail (KA_IS_COLLECTOR_CLIENT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  msg = new_request (self, "/v1/seal-maps", EXPECT_JSON);
  body = soup_session_send_and_read (self->session, msg, cancellable, error);
  if (body == NULL || !seal_maps_answer (msg, &body, error))
    return NULL;
  return g_steal_pointer (&body);
}

static void
seal_maps_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RequestData *d = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  GError *error = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL || !seal_maps_answer (d->msg, &body, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&body), (GDestroyNotify) g_bytes_unref);
}

/**
 * ka_collector_client_get_seal_maps_async:
 * @self: a #KaCollectorClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: called in the thread-default main context of the caller
 * @user_data: data for @callback
 *
 * `GET /v1/seal-maps` without blocking; see ka_collector_client_get_seal_maps().
 */
void
ka_collector_client_get_seal_maps_async (KaCollectorClient   *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_return_if_fail (KA_IS_COLLECTOR_CLIENT (self));

  send (self, "/v1/seal-maps", EXPECT_JSON, ka_collector_client_get_seal_maps_async,
        cancellable, callback, user_data, seal_maps_done_cb);
}

/**
 * ka_collector_client_get_seal_maps_finish:
 * @self: a #KaCollectorClient
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): as ka_collector_client_get_seal_maps()
 */
GBytes *
ka_collector_client_get_seal_maps_finish (KaCollectorClient  *self,
                                          GAsyncResult       *result,
                                          GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        ka_collector_client_get_seal_maps_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ka_export_fetch_collector_ballots:
 * @server_url: the collector's base URL; see ka_collector_client_new()
 * @organiser_token: the organisers' bearer token
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Every ballot the collector holds as JSON Lines, synchronously, through a
 * #KaCollectorClient made for this one call. Blocks: call it from a tool or a worker
 * thread.
 *
 * Returns: (transfer full): the response body; %NULL with #KA_SYNC_ERROR_INVALID_URL or
 *   #KA_SYNC_ERROR_INSECURE_URL (nothing sent), a #GIOError or #GResolverError (not
 *   reachable), or #KA_EXPORT_ERROR_COLLECTOR for any answer but a 200 of ballots, whose
 *   message names the HTTP status and the collector's JSON error code and message.
 */
GBytes *
ka_export_fetch_collector_ballots (const char    *server_url,
                                   const char    *organiser_token,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  g_autoptr(KaCollectorClient) client = NULL;
  GError *local = NULL;
  GBytes *body;

  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (organiser_token != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  client = ka_collector_client_new (server_url, organiser_token, error);
  if (client == NULL)
    return NULL;
  body = ka_collector_client_get_ballots (client, "jsonl", cancellable, &local);
  if (body == NULL)
    {
      if (local->domain == KA_COLLECTOR_CLIENT_ERROR)
        {
          g_set_error_literal (error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_COLLECTOR, local->message);
          g_error_free (local);
        }
      else
        g_propagate_error (error, local);
    }
  return body;
}
