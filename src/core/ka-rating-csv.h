/* ka-rating-csv.h: the leaderboard as CSV
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ka-rating-result.h"

G_BEGIN_DECLS

char *ka_rating_result_to_csv (KaRatingResult *self);

G_END_DECLS
