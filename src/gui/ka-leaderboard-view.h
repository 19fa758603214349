/* ka-leaderboard-view.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ka-rating.h"

G_BEGIN_DECLS

/*
 * KaLeaderboardRow: one model of a leaderboard, as a GObject so that a GtkColumnView can
 * show and sort it. Values are copied from a KaRatingEntry.
 */
#define KA_TYPE_LEADERBOARD_ROW (ka_leaderboard_row_get_type ())

G_DECLARE_FINAL_TYPE (KaLeaderboardRow, ka_leaderboard_row, KA, LEADERBOARD_ROW, GObject)

KaLeaderboardRow *ka_leaderboard_row_new            (const KaRatingEntry *entry);
guint             ka_leaderboard_row_get_rank       (KaLeaderboardRow    *self);
guint             ka_leaderboard_row_get_component  (KaLeaderboardRow    *self);
const char       *ka_leaderboard_row_get_model      (KaLeaderboardRow    *self);
double            ka_leaderboard_row_get_rating     (KaLeaderboardRow    *self);
double            ka_leaderboard_row_get_ci_lower   (KaLeaderboardRow    *self);
double            ka_leaderboard_row_get_ci_upper   (KaLeaderboardRow    *self);
gint64            ka_leaderboard_row_get_battles    (KaLeaderboardRow    *self);
double            ka_leaderboard_row_get_win_rate   (KaLeaderboardRow    *self);

/*
 * KaLeaderboardView: the leaderboard table (rank, model, rating, 95 % interval, battles,
 * win rate) of a KaRatingResult; a GtkColumnView whose columns sort on a click. Numbers
 * are right-aligned and formatted for the user's locale.
 */
#define KA_TYPE_LEADERBOARD_VIEW (ka_leaderboard_view_get_type ())

G_DECLARE_FINAL_TYPE (KaLeaderboardView, ka_leaderboard_view, KA, LEADERBOARD_VIEW, AdwBin)

GtkWidget      *ka_leaderboard_view_new          (void);
void            ka_leaderboard_view_set_result   (KaLeaderboardView *self,
                                                  KaRatingResult    *result);
KaRatingResult *ka_leaderboard_view_get_result   (KaLeaderboardView *self);
GListModel     *ka_leaderboard_view_get_rows     (KaLeaderboardView *self);
GListModel     *ka_leaderboard_view_get_shown    (KaLeaderboardView *self);
GtkColumnView  *ka_leaderboard_view_get_column_view (KaLeaderboardView *self);

/* Locale-aware number formatting shared by the organiser widgets. */
char *ka_format_count   (gint64 value);
char *ka_format_rating  (double value);
char *ka_format_percent (double share);

G_END_DECLS
