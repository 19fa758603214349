/* ka-interval-chart.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ka-rating.h"

G_BEGIN_DECLS

/*
 * KaIntervalChart: the leaderboard's ratings drawn as a forest plot: one row per model in
 * rank order, a dot at the rating and a bar for its 95 % interval, on an Elo axis with
 * ticks. Colours come from the style (foreground and accent colour); the accessible
 * description lists every value, and each row has a tooltip.
 */
#define KA_TYPE_INTERVAL_CHART (ka_interval_chart_get_type ())

G_DECLARE_FINAL_TYPE (KaIntervalChart, ka_interval_chart, KA, INTERVAL_CHART, GtkWidget)

GtkWidget      *ka_interval_chart_new             (void);
void            ka_interval_chart_set_result      (KaIntervalChart *self,
                                                   KaRatingResult  *result);
KaRatingResult *ka_interval_chart_get_result      (KaIntervalChart *self);
const char     *ka_interval_chart_get_description (KaIntervalChart *self);
void            ka_interval_chart_get_axis        (KaIntervalChart *self,
                                                   double          *minimum,
                                                   double          *maximum,
                                                   double          *step);
int             ka_interval_chart_get_row_at      (KaIntervalChart *self,
                                                   double           y);

G_END_DECLS
