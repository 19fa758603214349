/* ka-collector-client.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GBytes      *ka_export_fetch_collector_ballots (const char      *server_url,
                                             const char         *organiser_token,
                                             GCancellable       *cancellable,
                                             GError            **error);

G_END_DECLS
