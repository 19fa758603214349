/* ka-rating-json.h: the leaderboard as JSON
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ka-rating-result.h"

G_BEGIN_DECLS

JsonNode *ka_rating_result_to_json (KaRatingResult *self);

G_END_DECLS
