/* ka-organiser-window.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ka-interval-chart.h"
#include "ka-leaderboard-view.h"
#include "ka-rating.h"
#include "ka-winrate-heatmap.h"

G_BEGIN_DECLS

/*
 * KaOrganiserWindow: results for organisers (issue 4). Reads ballots from the local store
 * (mapped to models through the app's open pack), a file (our ballots as JSON Lines, or
 * FastChat battles) or a collector (GET /v1/ballots?format=jsonl with the organiser
 * token); tallies them off the UI thread with ka_rating_tally_async(), caching one result
 * per source and filters; shows the leaderboard, the intervals chart, the win-rate heatmap,
 * the position bias and the warnings of degenerate data; exports through the core export.
 */
#define KA_TYPE_ORGANISER_WINDOW (ka_organiser_window_get_type ())

G_DECLARE_FINAL_TYPE (KaOrganiserWindow, ka_organiser_window, KA, ORGANISER_WINDOW,
                      AdwApplicationWindow)

KaOrganiserWindow *ka_organiser_window_new             (GtkApplication     *application,
                                                        const char         *database_path,
                                                        const char         *pack_path);
void               ka_organiser_window_open_store      (KaOrganiserWindow  *self);
void               ka_organiser_window_open_file       (KaOrganiserWindow  *self,
                                                        GFile              *file);
void               ka_organiser_window_open_collector  (KaOrganiserWindow  *self,
                                                        const char         *url,
                                                        const char         *token);
void               ka_organiser_window_add_pack        (KaOrganiserWindow  *self,
                                                        const char         *pack_path);
void               ka_organiser_window_reload          (KaOrganiserWindow  *self);
gboolean           ka_organiser_window_get_busy        (KaOrganiserWindow  *self);
const char        *ka_organiser_window_get_page        (KaOrganiserWindow  *self);
KaRatingResult    *ka_organiser_window_get_result      (KaOrganiserWindow  *self);
gint64             ka_organiser_window_get_n_source_ballots (KaOrganiserWindow *self);
const char        *ka_organiser_window_get_warning_text (KaOrganiserWindow *self);
const char        *ka_organiser_window_get_summary_text (KaOrganiserWindow *self);
const char        *ka_organiser_window_get_bias_text   (KaOrganiserWindow  *self);
const char        *ka_organiser_window_get_last_message (KaOrganiserWindow *self);
guint              ka_organiser_window_get_n_tallies   (KaOrganiserWindow  *self);
KaLeaderboardView *ka_organiser_window_get_leaderboard_view (KaOrganiserWindow *self);
KaIntervalChart   *ka_organiser_window_get_interval_chart   (KaOrganiserWindow *self);
KaWinrateHeatmap  *ka_organiser_window_get_winrate_heatmap  (KaOrganiserWindow *self);
GtkDropDown       *ka_organiser_window_get_mode_dropdown    (KaOrganiserWindow *self);
void               ka_organiser_window_export_async    (KaOrganiserWindow  *self,
                                                        const char         *directory,
                                                        GCancellable       *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer            user_data);
gboolean           ka_organiser_window_export_finish   (KaOrganiserWindow  *self,
                                                        GAsyncResult       *result,
                                                        guint              *n_problems,
                                                        GError            **error);

G_END_DECLS
