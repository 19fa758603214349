/* ka-window.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ka-battle-view.h"
#include "ka-session.h"
#include "ka-sync-indicator.h"

G_BEGIN_DECLS

#define KA_TYPE_WINDOW (ka_window_get_type ())

G_DECLARE_FINAL_TYPE (KaWindow, ka_window, KA, WINDOW, AdwApplicationWindow)

KaWindow     *ka_window_new             (GtkApplication *application,
                                         KaSession      *session);
KaSession    *ka_window_get_session     (KaWindow       *self);
void          ka_window_set_session     (KaWindow       *self,
                                         KaSession      *session);
KaBattleView *ka_window_get_battle_view (KaWindow       *self);
const char   *ka_window_get_page        (KaWindow       *self);
gboolean      ka_window_get_consent_required (KaWindow  *self);
void          ka_window_set_sync        (KaWindow       *self,
                                         KaSync         *sync);
KaSync       *ka_window_get_sync        (KaWindow       *self);
KaSyncIndicator *ka_window_get_sync_indicator (KaWindow  *self);
void          ka_window_show_error      (KaWindow       *self,
                                         const char     *title,
                                         const char     *description);

G_END_DECLS
