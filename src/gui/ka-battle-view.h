/* ka-battle-view.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ka-session.h"
#include "ka-sync.h"

G_BEGIN_DECLS

/*
 * KaBattleView: one battle of a KaSession: the prompt, the two anonymous answers side by
 * side (stacked on narrow windows) and the vote bar. Widget actions battle.vote-a,
 * battle.vote-b, battle.vote-tie, battle.vote-both-bad and battle.next, with the keys
 * 1-4, N and Enter. Properties: "session" (KaSession), "text-scale" (0.75-2.0), "sync"
 * (KaSync, nullable: asked to run after each vote; its receipts name a sealed pack's models).
 */
#define KA_TYPE_BATTLE_VIEW (ka_battle_view_get_type ())

G_DECLARE_FINAL_TYPE (KaBattleView, ka_battle_view, KA, BATTLE_VIEW, AdwBin)

GtkWidget *ka_battle_view_new            (void);
KaSession *ka_battle_view_get_session    (KaBattleView *self);
void       ka_battle_view_set_session    (KaBattleView *self,
                                          KaSession    *session);
KaSync    *ka_battle_view_get_sync       (KaBattleView *self);
void       ka_battle_view_set_sync       (KaBattleView *self,
                                          KaSync       *sync);
double     ka_battle_view_get_text_scale (KaBattleView *self);
void       ka_battle_view_set_text_scale (KaBattleView *self,
                                          double        scale);
gboolean   ka_battle_view_next_battle    (KaBattleView *self,
                                          GError      **error);
gboolean   ka_battle_view_focus_default  (KaBattleView *self);

G_END_DECLS
