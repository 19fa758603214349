/* ka-collector-client.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define KA_COLLECTOR_CLIENT_ERROR (ka_collector_client_error_quark ())

/**
 * KaCollectorClientError:
 * @KA_COLLECTOR_CLIENT_ERROR_UNAUTHORIZED: the collector refused the organiser token (401
 *   or 403); the message is as for %KA_COLLECTOR_CLIENT_ERROR_HTTP
 * @KA_COLLECTOR_CLIENT_ERROR_HTTP: any other answer than 200 OK; the message names the
 *   status and the collector's JSON error code and message when it sent one
 * @KA_COLLECTOR_CLIENT_ERROR_CONTENT_TYPE: a 200 whose Content-Type is not what was asked
 *   for (a captive portal's HTML page is not a list of ballots)
 * @KA_COLLECTOR_CLIENT_ERROR_PARSE: a 200 whose JSON body cannot be read
 */
typedef enum
{
  KA_COLLECTOR_CLIENT_ERROR_UNAUTHORIZED,
  KA_COLLECTOR_CLIENT_ERROR_HTTP,
  KA_COLLECTOR_CLIENT_ERROR_CONTENT_TYPE,
  KA_COLLECTOR_CLIENT_ERROR_PARSE,
} KaCollectorClientError;

GQuark ka_collector_client_error_quark (void);

/* The time a request may take before it fails, in seconds. */
#define KA_COLLECTOR_CLIENT_TIMEOUT_S 60

#define KA_TYPE_COLLECTOR_CLIENT (ka_collector_client_get_type ())

G_DECLARE_FINAL_TYPE (KaCollectorClient, ka_collector_client, KA, COLLECTOR_CLIENT, GObject)

KaCollectorClient *ka_collector_client_new                (const char          *server_url,
                                                           const char          *organiser_token,
                                                           GError             **error);
const char        *ka_collector_client_get_server_url     (KaCollectorClient   *self);
GBytes            *ka_collector_client_get_ballots        (KaCollectorClient   *self,
                                                           const char          *format,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
void               ka_collector_client_get_ballots_async  (KaCollectorClient   *self,
                                                           const char          *format,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
GBytes            *ka_collector_client_get_ballots_finish (KaCollectorClient   *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
GBytes            *ka_collector_client_get_seal_maps      (KaCollectorClient   *self,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
void               ka_collector_client_get_seal_maps_async (KaCollectorClient   *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
GBytes            *ka_collector_client_get_seal_maps_finish (KaCollectorClient  *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
void               ka_collector_client_get_tallies_async  (KaCollectorClient   *self,
                                                           const char          *mode,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
JsonNode          *ka_collector_client_get_tallies_finish (KaCollectorClient   *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

GBytes            *ka_export_fetch_collector_ballots      (const char          *server_url,
                                                           const char          *organiser_token,
                                                           GCancellable        *cancellable,
                                                           GError             **error);

G_END_DECLS
