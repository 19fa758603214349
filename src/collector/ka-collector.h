/* ka-collector.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "ka-collector-db.h"
#include "ka-pack.h"
#include "ka-pack-seal.h"

G_BEGIN_DECLS

/* Limits of docs/protocol.md. */
#define KA_COLLECTOR_MAX_BODY_BYTES      (2 * 1024 * 1024)
#define KA_COLLECTOR_MAX_BATCH           500
#define KA_COLLECTOR_MAX_JSON_DEPTH      8
#define KA_COLLECTOR_DEFAULT_CITIZEN_ENROLMENTS_PER_HOUR 20

#define KA_TYPE_COLLECTOR (ka_collector_get_type ())

G_DECLARE_FINAL_TYPE (KaCollector, ka_collector, KA, COLLECTOR, GObject)

KaCollector *ka_collector_new                          (KaCollectorDb      *db);
void         ka_collector_set_enrolment_code           (KaCollector        *self,
                                                        const char         *code);
void         ka_collector_set_organiser_token          (KaCollector        *self,
                                                        const char         *token);
void         ka_collector_set_citizen_enrolments_per_hour (KaCollector     *self,
                                                        guint               per_hour);
void         ka_collector_set_seal_key                 (KaCollector        *self,
                                                        GBytes             *key);
gboolean     ka_collector_add_pack                     (KaCollector        *self,
                                                        KaPack             *pack,
                                                        KaPackSealStats    *stats,
                                                        GError            **error);
gboolean     ka_collector_listen                       (KaCollector        *self,
                                                        GInetSocketAddress *address,
                                                        GTlsCertificate    *certificate,
                                                        GError            **error);
char        *ka_collector_get_url                      (KaCollector        *self);
void         ka_collector_disconnect                   (KaCollector        *self);

G_END_DECLS
