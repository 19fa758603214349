/* ka-application.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ka-session.h"
#include "ka-sync.h"

G_BEGIN_DECLS

#define KA_TYPE_APPLICATION (ka_application_get_type ())

G_DECLARE_FINAL_TYPE (KaApplication, ka_application, KA, APPLICATION, AdwApplication)

KaApplication *ka_application_new                 (void);
const char    *ka_application_get_ui_language     (void);
char          *ka_application_find_default_pack   (void);
KaSession     *ka_application_create_session      (const char  *pack_path,
                                                   const char  *database_path,
                                                   const char  *ui_language,
                                                   GError     **error);
KaSession     *ka_application_create_session_for_mode (const char  *pack_path,
                                                   const char  *database_path,
                                                   const char  *ui_language,
                                                   KaMode       mode,
                                                   GError     **error);
void           ka_application_create_session_async  (const char          *pack_path,
                                                     const char          *database_path,
                                                     const char          *ui_language,
                                                     KaMode               mode,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
KaSession     *ka_application_create_session_finish (GAsyncResult        *result,
                                                     GError             **error);
GSettings     *ka_application_new_settings        (void);
KaSync        *ka_application_get_sync            (KaApplication *self);

G_END_DECLS
