/* ka-vote-log.h: ballots in cast order, before aggregation
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ka-ballot.h"
#include "ka-rating-counts.h"
#include "ka-rating-options.h"

G_BEGIN_DECLS

typedef struct _KaVoteLog KaVoteLog;

#define KA_TYPE_VOTE_LOG (ka_vote_log_get_type ())

GType           ka_vote_log_get_type         (void) G_GNUC_CONST;
KaVoteLog      *ka_vote_log_new              (void);
KaVoteLog      *ka_vote_log_ref              (KaVoteLog            *self);
void            ka_vote_log_unref            (KaVoteLog            *self);
gboolean        ka_vote_log_add              (KaVoteLog            *self,
                                              const char           *model_a,
                                              const char           *model_b,
                                              KaWinner              winner,
                                              gint64                time_us,
                                              const char           *category,
                                              const char           *mode);
guint           ka_vote_log_get_n_votes      (KaVoteLog            *self);
guint           ka_vote_log_get_n_models     (KaVoteLog            *self);
const char     *ka_vote_log_get_model        (KaVoteLog            *self,
                                              guint                 index);
GStrv           ka_vote_log_list_categories  (KaVoteLog            *self);
GStrv           ka_vote_log_list_modes       (KaVoteLog            *self);
KaRatingCounts *ka_vote_log_aggregate        (KaVoteLog            *self,
                                              const KaRatingFilter *filter);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaVoteLog, ka_vote_log_unref)

G_END_DECLS
