/* ka-vote-bar.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/*
 * KaVoteBar: the four vote buttons (actions battle.vote-a, battle.vote-b, battle.vote-tie,
 * battle.vote-both-bad, resolved on an ancestor such as KaBattleView), each showing its
 * shortcut key; after the vote, a result line and a "Next battle" button (battle.next).
 * It holds no state of its own beyond what it shows.
 */
#define KA_TYPE_VOTE_BAR (ka_vote_bar_get_type ())

G_DECLARE_FINAL_TYPE (KaVoteBar, ka_vote_bar, KA, VOTE_BAR, AdwBin)

GtkWidget  *ka_vote_bar_new            (void);
void        ka_vote_bar_show_voting    (KaVoteBar  *self,
                                        gboolean    busy);
void        ka_vote_bar_show_result    (KaVoteBar  *self,
                                        const char *result);
void        ka_vote_bar_set_error      (KaVoteBar  *self,
                                        const char *message);
void        ka_vote_bar_set_error_detail (KaVoteBar  *self,
                                          const char *message,
                                          const char *detail);
const char *ka_vote_bar_get_error_detail (KaVoteBar  *self);
const char *ka_vote_bar_get_error      (KaVoteBar  *self);
const char *ka_vote_bar_get_result     (KaVoteBar  *self);
gboolean    ka_vote_bar_is_revealed    (KaVoteBar  *self);
gboolean    ka_vote_bar_focus_default  (KaVoteBar  *self);

G_END_DECLS
