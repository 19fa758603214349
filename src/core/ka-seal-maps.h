/* ka-seal-maps.h: the collector's seal maps, for the organisers' tools
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ka-collector-client.h"

G_BEGIN_DECLS

#define KA_SEAL_MAPS_ERROR (ka_seal_maps_error_quark ())

/**
 * KaSealMapsError:
 * @KA_SEAL_MAPS_ERROR_COLLECTOR: the collector refused the request (the message carries the
 *   HTTP status)
 * @KA_SEAL_MAPS_ERROR_PARSE: the answer is not the JSON of docs/protocol.md §5.8
 */
typedef enum
{
  KA_SEAL_MAPS_ERROR_COLLECTOR,
  KA_SEAL_MAPS_ERROR_PARSE,
} KaSealMapsError;

GQuark      ka_seal_maps_error_quark (void);

GHashTable *ka_seal_maps_fetch       (KaCollectorClient *client,
                                      GCancellable  *cancellable,
                                      GError       **error);
GHashTable *ka_seal_maps_parse       (GBytes        *body,
                                      GError       **error);
guint       ka_seal_maps_apply       (GHashTable    *maps,
                                      GPtrArray     *packs);

G_END_DECLS
