/* ka-operator-panel.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ka-pack.h"
#include "ka-store.h"

G_BEGIN_DECLS

/**
 * KaOperatorPinState:
 * @KA_OPERATOR_PIN_READY: the PIN can be typed
 * @KA_OPERATOR_PIN_CHECKING: a PIN is being checked; input is disabled
 * @KA_OPERATOR_PIN_LOCKED: too many wrong PINs; input is disabled until the lockout ends
 * @KA_OPERATOR_PIN_UNAVAILABLE: no PIN is set (or the store is missing); the panel cannot
 *   be opened from the kiosk
 */
typedef enum
{
  KA_OPERATOR_PIN_READY,
  KA_OPERATOR_PIN_CHECKING,
  KA_OPERATOR_PIN_LOCKED,
  KA_OPERATOR_PIN_UNAVAILABLE,
} KaOperatorPinState;

/*
 * KaOperatorPanel: the kiosk's staff screen (DESIGN.md §10). Page "pin": a PIN entry with
 * an on-screen keypad (venue kiosks often have no keyboard); a typed PIN is handed over in
 * "pin-submitted" and the entry is cleared at once. Page "status": queued, delivered and
 * rejected ballots, last sync, pack ID and version, device ID, and buttons for the actions
 * kiosk.sync-now, kiosk.close-panel, kiosk.leave and kiosk.quit, which an ancestor
 * provides. Properties "store" and "pack" (nullable).
 */
#define KA_TYPE_OPERATOR_PANEL (ka_operator_panel_get_type ())

G_DECLARE_FINAL_TYPE (KaOperatorPanel, ka_operator_panel, KA, OPERATOR_PANEL, AdwBin)

GtkWidget  *ka_operator_panel_new             (void);
KaStore    *ka_operator_panel_get_store       (KaOperatorPanel    *self);
void        ka_operator_panel_set_store       (KaOperatorPanel    *self,
                                               KaStore            *store);
KaPack     *ka_operator_panel_get_pack        (KaOperatorPanel    *self);
void        ka_operator_panel_set_pack        (KaOperatorPanel    *self,
                                               KaPack             *pack);
const char *ka_operator_panel_get_page        (KaOperatorPanel    *self);
void        ka_operator_panel_show_pin        (KaOperatorPanel    *self);
void        ka_operator_panel_show_status     (KaOperatorPanel    *self);
void        ka_operator_panel_set_pin_state   (KaOperatorPanel    *self,
                                               KaOperatorPinState  state,
                                               const char         *message);
KaOperatorPinState ka_operator_panel_get_pin_state (KaOperatorPanel *self);
const char *ka_operator_panel_get_pin_message (KaOperatorPanel    *self);
void        ka_operator_panel_set_sync_status (KaOperatorPanel    *self,
                                               const char         *last_sync,
                                               gboolean            can_sync,
                                               const char         *explanation);
void        ka_operator_panel_refresh         (KaOperatorPanel    *self);
void        ka_operator_panel_clear           (KaOperatorPanel    *self);
GtkEditable *ka_operator_panel_get_pin_entry  (KaOperatorPanel    *self);
char       *ka_operator_panel_describe        (KaOperatorPanel    *self);

G_END_DECLS
