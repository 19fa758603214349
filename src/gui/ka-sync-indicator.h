/* ka-sync-indicator.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ka-sync.h"

G_BEGIN_DECLS

/*
 * KaSyncIndicator: the header-bar indicator of background sync (issue 3). A GtkMenuButton
 * whose icon and label tell where the ballots are ("Offline", "3 ballots waiting",
 * "Synced at 14:05"), and whose popover gives the details: collector, state, waiting /
 * delivered / set-aside counts, last sync, next attempt, the last problem in words the
 * voter can act on (translated from the error code, never the English diagnostic), and a
 * "Sync Now" button (action sync-indicator.sync-now). Hidden while there is no #KaSync or
 * no collector is configured. Toasts go to "toast-overlay", only when a person must act
 * (the device is not enrolled, the collector set ballots aside), never for a routine sync.
 * Properties: "sync" (KaSync, nullable), "toast-overlay" (AdwToastOverlay, nullable).
 */
#define KA_TYPE_SYNC_INDICATOR (ka_sync_indicator_get_type ())

G_DECLARE_FINAL_TYPE (KaSyncIndicator, ka_sync_indicator, KA, SYNC_INDICATOR, AdwBin)

GtkWidget       *ka_sync_indicator_new               (void);
KaSync          *ka_sync_indicator_get_sync          (KaSyncIndicator *self);
void             ka_sync_indicator_set_sync          (KaSyncIndicator *self,
                                                      KaSync          *sync);
AdwToastOverlay *ka_sync_indicator_get_toast_overlay (KaSyncIndicator *self);
void             ka_sync_indicator_set_toast_overlay (KaSyncIndicator *self,
                                                      AdwToastOverlay *overlay);
const char      *ka_sync_indicator_get_label         (KaSyncIndicator *self);
guint            ka_sync_indicator_get_n_toasts      (KaSyncIndicator *self);
GtkMenuButton   *ka_sync_indicator_get_button        (KaSyncIndicator *self);
GtkPopover      *ka_sync_indicator_get_popover       (KaSyncIndicator *self);
void             ka_sync_indicator_popup             (KaSyncIndicator *self);

char            *ka_sync_describe_problem            (KaSyncState      state,
                                                      int              error_code,
                                                      gboolean         have_error);

G_END_DECLS
