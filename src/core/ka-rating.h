/* ka-rating.h: the tally: counts → fit → bootstrap → leaderboard
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ka-ballot.h"
#include "ka-rating-counts.h"
#include "ka-rating-csv.h"
#include "ka-rating-json.h"
#include "ka-rating-options.h"
#include "ka-rating-result.h"
#include "ka-vote-log.h"
#include "ka-wilson.h"

G_BEGIN_DECLS

/* The tally; this header also brings in every public header of the rating modules. */

KaRatingResult *ka_rating_compute      (KaRatingCounts        *counts,
                                        const KaRatingOptions *options,
                                        GCancellable          *cancellable,
                                        GError               **error);
KaRatingResult *ka_rating_tally        (KaVoteLog             *log,
                                        const KaRatingFilter  *filter,
                                        const KaRatingOptions *options,
                                        GCancellable          *cancellable,
                                        GError               **error);
void            ka_rating_tally_async  (KaVoteLog             *log,
                                        const KaRatingFilter  *filter,
                                        const KaRatingOptions *options,
                                        GCancellable          *cancellable,
                                        GAsyncReadyCallback    callback,
                                        gpointer               user_data);
KaRatingResult *ka_rating_tally_finish (GAsyncResult          *result,
                                        GError               **error);

G_END_DECLS
