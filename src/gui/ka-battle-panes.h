/* ka-battle-panes.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * KaBattlePanes: lays out its two children side by side, each given exactly half the width,
 * when it is at least "wide-width" pixels wide, and one above the other (half the height
 * each) when it is narrower. GTK 4.8 has no AdwBreakpoint; deciding in size_allocate() from
 * the width actually given avoids changing a GtkBox's orientation during allocation.
 * Children are added with <child> in a .ui file or ka_battle_panes_set_children().
 */
#define KA_TYPE_BATTLE_PANES (ka_battle_panes_get_type ())

G_DECLARE_FINAL_TYPE (KaBattlePanes, ka_battle_panes, KA, BATTLE_PANES, GtkWidget)

GtkWidget *ka_battle_panes_new            (void);
int        ka_battle_panes_get_wide_width (KaBattlePanes *self);
void       ka_battle_panes_set_wide_width (KaBattlePanes *self,
                                           int            wide_width);
int        ka_battle_panes_get_spacing    (KaBattlePanes *self);
void       ka_battle_panes_set_spacing    (KaBattlePanes *self,
                                           int            spacing);
gboolean   ka_battle_panes_is_wide        (KaBattlePanes *self);

G_END_DECLS
