/* ka-vote-log-private.h: the vote log's storage, shared by the rating modules
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ka-name-table.h"
#include "ka-rating-counts-private.h"
#include "ka-vote-log.h"

G_BEGIN_DECLS

typedef struct
{
  gint64  time_us;   /* G_MININT64: unknown */
  guint16 a;
  guint16 b;
  guint16 category;  /* 0: none; else index + 1 */
  guint8  mode;      /* 0: none; else index + 1 */
  guint8  winner;
} Vote;

struct _KaVoteLog
{
  gatomicrefcount ref;
  KaNameTable     models;
  KaNameTable     categories;
  KaNameTable     modes;
  GArray         *votes;  /* of Vote */
};

typedef struct
{
  gboolean match_nothing;
  guint    category;   /* 0: any */
  guint    mode;       /* 0: any */
  gboolean timed;
  gint64   since_us;
  gint64   until_us;
} ResolvedFilter;

void            _ka_vote_log_resolve_filter (KaVoteLog            *self,
                                             const KaRatingFilter *filter,
                                             ResolvedFilter       *out);
KaRatingCounts *_ka_vote_log_aggregate      (KaVoteLog            *self,
                                             const KaRatingFilter *filter,
                                             guint                *map);

static inline gboolean
_ka_vote_matches (const Vote           *v,
              const ResolvedFilter *f)
{
  if (f->match_nothing)
    return FALSE;
  if (f->category != 0 && v->category != f->category)
    return FALSE;
  if (f->mode != 0 && v->mode != f->mode)
    return FALSE;
  if (f->timed)
    {
      if (v->time_us == G_MININT64)
        return FALSE;
      if (v->time_us < f->since_us || v->time_us >= f->until_us)
        return FALSE;
    }
  return TRUE;
}

G_END_DECLS
