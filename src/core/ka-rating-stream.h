/* ka-rating-stream.h: a tally that aggregates ballots as they are read
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ka-ballot.h"
#include "ka-rating-options.h"
#include "ka-rating-result.h"

G_BEGIN_DECLS

typedef struct _KaRatingStream KaRatingStream;

KaRatingStream *ka_rating_stream_new         (const KaRatingFilter  *filter,
                                              double                 online_k);
void            ka_rating_stream_free        (KaRatingStream        *self);
gboolean        ka_rating_stream_add         (KaRatingStream        *self,
                                              const char            *model_a,
                                              const char            *model_b,
                                              KaWinner               winner,
                                              gint64                 time_us,
                                              const char            *category,
                                              const char            *mode);
guint64         ka_rating_stream_get_n_votes (KaRatingStream        *self);
gboolean        ka_rating_stream_needs_order (KaRatingStream        *self);
KaRatingResult *ka_rating_stream_finish      (KaRatingStream        *self,
                                              const KaRatingOptions *options,
                                              GCancellable          *cancellable,
                                              GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaRatingStream, ka_rating_stream_free)

G_END_DECLS
