/* ka-fastchat-scanner.h: strict, allocation-free scanner for one FastChat battle object
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ka-ballot.h"

G_BEGIN_DECLS

/**
 * KaFastchatFields:
 * @model_a: the left model's name: a pointer into the scanned text, @model_a_len bytes,
 *   not NUL-terminated (the closing quote follows it)
 * @model_a_len: its length in bytes, > 0
 * @model_b: the right model's name, likewise
 * @model_b_len: its length in bytes, > 0
 * @winner: the outcome
 * @time_us: `tstamp` in µs since the Unix epoch, rounded as ka_export_load_fastchat()
 *   does; %G_MININT64 when absent
 * @category: (nullable): `category`, a pointer into the text, or %NULL when absent
 * @category_len: its length in bytes
 * @mode: (nullable): `mode`, likewise
 * @mode_len: its length in bytes
 *
 * The members of one battle that the tally needs. Borrowed from the scanned text.
 */
typedef struct
{
  const char *model_a;
  gsize       model_a_len;
  const char *model_b;
  gsize       model_b_len;
  KaWinner    winner;
  gint64      time_us;
  const char *category;
  gsize       category_len;
  const char *mode;
  gsize       mode_len;
} KaFastchatFields;

gboolean ka_fastchat_scan (const char       *text,
                           gsize             len,
                           KaFastchatFields *out);

G_END_DECLS
