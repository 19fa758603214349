/* ka-kiosk.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ka-attract-view.h"
#include "ka-operator-panel.h"
#include "ka-window.h"

G_BEGIN_DECLS

/* The pause after a wake during which taps and keys are swallowed, so that a double tap
 * or a held key on the attract screen cannot land on a vote button. */
#define KA_KIOSK_WAKE_GUARD_MS 700

/**
 * KaKioskClock:
 * @user_data: the data given to ka_kiosk_set_clock()
 *
 * A wall clock for the PIN lockout (tests inject their own).
 *
 * Returns: microseconds since the Unix epoch
 */
typedef gint64 (*KaKioskClock) (gpointer user_data);

/*
 * KaKiosk: turns a KaWindow into an unattended venue kiosk (DESIGN.md §10, issue 5).
 * Attached with ka_kiosk_attach(), which the window then owns. It wraps the window's
 * content in a stack of three pages: "attract" (KaAttractView), "visitor" (the window's
 * own content: the battle) and "operator" (KaOperatorPanel behind the PIN); makes the
 * window full screen and refuses close-request; swallows application shortcuts, the
 * inspector's keys, Escape and function keys in a capture-phase key controller and
 * removes the application's accelerators; restarts the idle timer on every touch, click,
 * scroll or key; after "idle-timeout" seconds shows a "countdown"-second banner, then
 * wipes the visitor's session (ka_kiosk_wipe()) and shows the attract page again.
 * The operator panel opens on a long press on the top-right corner or Ctrl+Alt+Shift+K.
 * The application's background sync (ka_window_get_sync()) is shown and triggered from
 * the panel, since the kiosk hides the window's header bar and its sync indicator.
 * Properties: "window" (construct-only), "active" (read-only), "idle-timeout" and
 * "countdown" (seconds; bound to GSettings by ka_kiosk_bind_settings()), "page"
 * (read-only). Signal "wiped" after each wipe.
 */
#define KA_TYPE_KIOSK (ka_kiosk_get_type ())

G_DECLARE_FINAL_TYPE (KaKiosk, ka_kiosk, KA, KIOSK, GObject)

KaKiosk         *ka_kiosk_attach              (KaWindow        *window);
KaKiosk         *ka_kiosk_get_for_window      (KaWindow        *window);
KaWindow        *ka_kiosk_get_window          (KaKiosk         *self);
gboolean         ka_kiosk_get_active          (KaKiosk         *self);
void             ka_kiosk_bind_settings       (KaKiosk         *self,
                                               GSettings       *settings);
guint            ka_kiosk_get_idle_timeout    (KaKiosk         *self);
void             ka_kiosk_set_idle_timeout    (KaKiosk         *self,
                                               guint            seconds);
guint            ka_kiosk_get_countdown       (KaKiosk         *self);
void             ka_kiosk_set_countdown       (KaKiosk         *self,
                                               guint            seconds);
const char      *ka_kiosk_get_page            (KaKiosk         *self);
gboolean         ka_kiosk_is_counting_down    (KaKiosk         *self);
int              ka_kiosk_get_countdown_left  (KaKiosk         *self);
void             ka_kiosk_wipe                (KaKiosk         *self);
void             ka_kiosk_open_operator_panel (KaKiosk         *self);
void             ka_kiosk_leave               (KaKiosk         *self);
void             ka_kiosk_set_clock           (KaKiosk         *self,
                                               KaKioskClock     clock,
                                               gpointer         user_data);
KaAttractView   *ka_kiosk_get_attract_view    (KaKiosk         *self);
KaOperatorPanel *ka_kiosk_get_operator_panel  (KaKiosk         *self);
gboolean         ka_kiosk_is_blocked_key      (guint            keyval,
                                               GdkModifierType  state);

G_END_DECLS
