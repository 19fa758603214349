/* ka-online-elo.c: online Elo indicator over ballots in time order
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Source: LMArena/FastChat, fastchat/serve/monitor/elo_analysis.py `compute_elo` (K = 4,
 * base 10, scale 400, start 1000, tie = 0.5).
 */

#define G_LOG_DOMAIN "ka-online-elo"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ka-online-elo.h"
#include "ka-vote-log-private.h"

static gboolean
already_sorted (KaVoteLog   *log,
                const guint *order,
                guint        n)
{
  for (guint i = 1; i < n; i++)
    if (g_array_index (log->votes, Vote, order[i - 1]).time_us >
        g_array_index (log->votes, Vote, order[i]).time_us)
      return FALSE;
  return TRUE;
}

/**
 * ka_online_elo_compute:
 * @log: ballots
 * @filter: (nullable): which ballots count
 * @k: the step (FastChat: 4)
 * @elo: (out caller-allocates) (array): per model of @log (its indices), the rating after
 *   the last ballot; models without a kept ballot stay at %KA_RATING_CENTRE
 * @untimed: (out): whether some kept ballot has no time (the log's order is then used)
 *
 * The online Elo of FastChat's `compute_elo` (elo_analysis.py: K = 4, base 10, scale 400,
 * start 1000, tie and both-bad score 0.5) over the kept ballots in time order (a stable
 * sort), or in the log's order when some have no time.
 */
void
ka_online_elo_compute (KaVoteLog            *log,
                       const KaRatingFilter *filter,
            double                k,
            double               *elo,           /* per log model */
            gboolean             *untimed)
{
  ResolvedFilter f;
  g_autofree guint *order = NULL;
  guint n = 0;
  gboolean all_timed = TRUE;
  guint n_models = log->models.names->len;

  _ka_vote_log_resolve_filter (log, filter, &f);
  order = g_new (guint, MAX (log->votes->len, 1));
  for (guint i = 0; i < log->votes->len; i++)
    {
      const Vote *v = &g_array_index (log->votes, Vote, i);

      if (!_ka_vote_matches (v, &f))
        continue;
      if (v->time_us == G_MININT64)
        all_timed = FALSE;
      order[n++] = i;
    }

  if (all_timed && n > 1 && !already_sorted (log, order, n))
    {
      /* Stable sort by time: merge sort on indices through a scratch buffer. */
      g_autofree guint *tmp = g_new (guint, n);

      for (guint width = 1; width < n; width *= 2)
        {
          for (guint lo = 0; lo < n; lo += 2 * width)
            {
              guint mid = MIN (lo + width, n), hi = MIN (lo + 2 * width, n);
              guint x = lo, y = mid, o = lo;

              while (x < mid && y < hi)
                {
                  gint64 tx = g_array_index (log->votes, Vote, order[x]).time_us;
                  gint64 ty = g_array_index (log->votes, Vote, order[y]).time_us;

                  tmp[o++] = ty < tx ? order[y++] : order[x++];
                }
              while (x < mid)
                tmp[o++] = order[x++];
              while (y < hi)
                tmp[o++] = order[y++];
            }
          memcpy (order, tmp, sizeof (guint) * n);
        }
    }
  *untimed = !all_timed && n > 0;

  for (guint i = 0; i < n_models; i++)
    elo[i] = KA_RATING_CENTRE;
  for (guint i = 0; i < n; i++)
    {
      const Vote *v = &g_array_index (log->votes, Vote, order[i]);
      double ea = 1.0 / (1.0 + exp ((elo[v->b] - elo[v->a]) * (G_LN10 / KA_RATING_ELO_SCALE)));
      double sa;
      double u;

      switch (v->winner)
        {
        case KA_WINNER_MODEL_A:
          sa = 1.0;
          break;
        case KA_WINNER_MODEL_B:
          sa = 0.0;
          break;
        default:
          sa = 0.5;
          break;
        }
      u = k * (sa - ea);
      elo[v->a] += u;
      elo[v->b] -= u;
    }
}
