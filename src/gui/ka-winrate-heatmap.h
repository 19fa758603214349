/* ka-winrate-heatmap.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ka-rating.h"

G_BEGIN_DECLS

/*
 * KaWinrateHeatmap: the win-rate matrix of a leaderboard as a heatmap. Row i, column j is
 * the share of decisive ballots between the two models that model i won (ties excluded),
 * labelled with its percentage; models in rank order; a pair never compared is grey. Each
 * cell has a tooltip; the accessible description lists every value.
 */
#define KA_TYPE_WINRATE_HEATMAP (ka_winrate_heatmap_get_type ())

G_DECLARE_FINAL_TYPE (KaWinrateHeatmap, ka_winrate_heatmap, KA, WINRATE_HEATMAP, GtkWidget)

GtkWidget      *ka_winrate_heatmap_new             (void);
void            ka_winrate_heatmap_set_result      (KaWinrateHeatmap *self,
                                                    KaRatingResult   *result);
KaRatingResult *ka_winrate_heatmap_get_result      (KaWinrateHeatmap *self);
const char     *ka_winrate_heatmap_get_description (KaWinrateHeatmap *self);
char           *ka_winrate_heatmap_get_cell_text   (KaWinrateHeatmap *self,
                                                    guint             row,
                                                    guint             column);
char           *ka_winrate_heatmap_get_cell_tooltip (KaWinrateHeatmap *self,
                                                     guint             row,
                                                     guint             column);
gboolean        ka_winrate_heatmap_get_cell_at     (KaWinrateHeatmap *self,
                                                    double            x,
                                                    double            y,
                                                    guint            *row,
                                                    guint            *column);
gboolean        ka_winrate_heatmap_get_cell_area   (KaWinrateHeatmap *self,
                                                    guint             row,
                                                    guint             column,
                                                    graphene_rect_t  *area);

G_END_DECLS
