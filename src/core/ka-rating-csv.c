/* ka-rating-csv.c: the leaderboard as CSV
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Source: RFC 4180 (CSV).
 */

#define G_LOG_DOMAIN "ka-rating-csv"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ka-rating-csv.h"
#include "ka-rating-result-private.h"

static void
csv_append_field (GString    *out,
                  const char *s)
{
  if (strpbrk (s, ",\"\r\n") == NULL)
    {
      g_string_append (out, s);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *c = s; *c != '\0'; c++)
    {
      if (*c == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *c);
    }
  g_string_append_c (out, '"');
}

static void
append_fixed (GString    *out,
              const char *format,
              double      v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isnan (v))
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, format, v));
}

/**
 * ka_rating_result_to_csv:
 * @self: a result
 *
 * The leaderboard as CSV (RFC 4180, `\n` line ends, no byte-order mark), with exactly the
 * columns `rank,model,rating,ci_lower,ci_upper,battles,win_rate`; ratings with two
 * decimals, win rate with four (empty when undefined), `.` as decimal mark whatever the
 * locale.
 *
 * Returns: (transfer full): the CSV text
 */
char *
ka_rating_result_to_csv (KaRatingResult *self)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_new ("rank,model,rating,ci_lower,ci_upper,battles,win_rate\n");
  for (guint i = 0; i < self->m; i++)
    {
      const KaRatingEntry *e = &self->entries[i];

      g_string_append_printf (out, "%u,", e->rank);
      csv_append_field (out, e->model);
      g_string_append_c (out, ',');
      append_fixed (out, "%.2f", e->rating);
      g_string_append_c (out, ',');
      append_fixed (out, "%.2f", e->ci_lower);
      g_string_append_c (out, ',');
      append_fixed (out, "%.2f", e->ci_upper);
      g_string_append_printf (out, ",%" G_GINT64_FORMAT ",", e->battles);
      append_fixed (out, "%.4f", e->win_rate);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}
