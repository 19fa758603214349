/* ka-rating-result-private.h: the leaderboard's storage, shared by the rating modules
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ka-rating-result.h"

G_BEGIN_DECLS

struct _KaRatingResult
{
  gatomicrefcount ref;
  guint           m;
  KaRatingEntry  *entries;     /* sorted */
  char          **names;       /* owned, entry order */
  gint64         *battles;     /* m × m, entry order */
  gint64         *wins;        /* m × m: ballots row won against column */
  gint64          n_ballots;
  gint64          left_wins;
  gint64          decisive;
  guint           n_comp;
  GPtrArray      *warnings;    /* NULL-terminated */
  guint           rounds;
  guint64         seed;
  guint           prior_rounds;
  guint           iterations;
};

void _ka_rating_result_add_warning (KaRatingResult *self,
                                    char           *message);

G_END_DECLS
