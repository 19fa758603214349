/* ka-attract-view.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/*
 * KaAttractView: the kiosk's idle screen (DESIGN.md §10): the title, a short explanation in
 * Korean and English, and "touch to start". A tap (press and release on the view) or a key
 * press emits "wake"; the view itself never votes and holds no battle.
 */
#define KA_TYPE_ATTRACT_VIEW (ka_attract_view_get_type ())

G_DECLARE_FINAL_TYPE (KaAttractView, ka_attract_view, KA, ATTRACT_VIEW, AdwBin)

GtkWidget *ka_attract_view_new  (void);
void       ka_attract_view_wake (KaAttractView *self);

G_END_DECLS
