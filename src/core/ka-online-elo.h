/* ka-online-elo.h: online Elo indicator over ballots in time order
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ka-vote-log.h"

G_BEGIN_DECLS

void ka_online_elo_compute (KaVoteLog            *log,
                            const KaRatingFilter *filter,
                            double                k,
                            double               *elo,
                            gboolean             *untimed);

G_END_DECLS
