/* ka-fastchat-reader.h: streaming reader of FastChat battle files
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ka-ballot.h"

G_BEGIN_DECLS

/**
 * KaBattleFunc:
 * @model_a: the left model's name (NUL-terminated, valid only during the call)
 * @model_b: the right model's name
 * @winner: the outcome
 * @time_us: µs since the Unix epoch, or %G_MININT64 if the battle has no `tstamp`
 * @category: (nullable): `category`
 * @mode: (nullable): `mode`
 * @user_data: the data given to ka_fastchat_read_file()
 *
 * Returns: %TRUE to go on; %FALSE to stop (the battle is refused, as ka_vote_log_add()
 *   would refuse it)
 */
typedef gboolean (*KaBattleFunc) (const char *model_a,
                                  const char *model_b,
                                  KaWinner    winner,
                                  gint64      time_us,
                                  const char *category,
                                  const char *mode,
                                  gpointer    user_data);

/**
 * KaFastchatReadStats:
 * @battles: battles passed to the callback
 * @scanned: of which ka_fastchat_scan() read
 * @parsed: of which json-glib had to parse
 * @buffer_size: the largest read buffer, in bytes (it holds at least one line or element)
 */
typedef struct
{
  guint64 battles;
  guint64 scanned;
  guint64 parsed;
  gsize   buffer_size;
} KaFastchatReadStats;

gboolean ka_fastchat_read_file (const char          *path,
                                KaBattleFunc         func,
                                gpointer             user_data,
                                KaFastchatReadStats *stats);

G_END_DECLS
