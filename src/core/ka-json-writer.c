/* ka-json-writer.c: JSON values written straight into a GString, for flat records
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The export writes one flat object per ballot (ballots.jsonl, battles-fastchat.json).
 * Building a JsonNode tree per ballot and generating it costs more than everything else
 * together, so the values are written here directly, byte for byte as json-glib 1.6's
 * JsonGenerator writes them (exports stay byte-identical to the ones made with it):
 *
 * - strings: `"` and `\` escaped with a backslash; backspace, tab, newline, form feed and
 *   carriage return as `\b`, `\t`, `\n`, `\f`, `\r`; the other bytes below 0x1f and 0x7f
 *   as `\u00xx` (lower-case hex); every other byte as it is (UTF-8 stays raw). Like
 *   json-glib, 0x1f is written raw: json-glib's parser and every lenient reader accept it;
 *   no ballot field may hold it (ka_ballot_validate()).
 * - integers in decimal; doubles as g_ascii_dtostr() (`%.17g`, so they read back exactly)
 *   with `.0` appended when that has no decimal point.
 *
 * tests/test-export.c checks both against JsonGenerator and json-glib's parser.
 */

#define G_LOG_DOMAIN "ka-json-writer"

#include "config.h"

#include <string.h>

#include "ka-json-writer.h"

/* Bytes that need an escape: 1 for a named or \u escape, 0 for as-is. */
static const guint8 needs_escape[256] = {
  ['"'] = 1, ['\\'] = 1, [0x7f] = 1,
  [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
  [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1, [0x0e] = 1,
  [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1,
  [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1,
  [0x1d] = 1, [0x1e] = 1,
};

/**
 * ka_json_append_string:
 * @out: where to append
 * @str: (nullable): UTF-8 text; %NULL writes `null`
 *
 * Appends @str as a JSON string, quotes included, escaped as JsonGenerator does.
 */
void
ka_json_append_string (GString    *out,
                       const char *str)
{
  const guchar *run;
  const guchar *p;

  if (str == NULL)
    {
      g_string_append_len (out, "null", 4);
      return;
    }

  g_string_append_c (out, '"');
  run = (const guchar *) str;
  for (p = run; *p != '\0'; p++)
    {
      if (G_LIKELY (!needs_escape[*p]))
        continue;
      g_string_append_len (out, (const char *) run, p - run);
      run = p + 1;
      switch (*p)
        {
        case '"':
          g_string_append_len (out, "\\\"", 2);
          break;
        case '\\':
          g_string_append_len (out, "\\\\", 2);
          break;
        case '\b':
          g_string_append_len (out, "\\b", 2);
          break;
        case '\t':
          g_string_append_len (out, "\\t", 2);
          break;
        case '\n':
          g_string_append_len (out, "\\n", 2);
          break;
        case '\f':
          g_string_append_len (out, "\\f", 2);
          break;
        case '\r':
          g_string_append_len (out, "\\r", 2);
          break;
        default:
          g_string_append_printf (out, "\\u%04x", *p);
          break;
        }
    }
  g_string_append_len (out, (const char *) run, p - run);
  g_string_append_c (out, '"');
}

/**
 * ka_json_append_int:
 * @out: where to append
 * @value: an integer
 *
 * Appends @value in decimal.
 */
void
ka_json_append_int (GString *out,
                    gint64   value)
{
  char buf[24];
  char *p = buf + sizeof buf;
  guint64 u = value < 0 ? (guint64) 0 - (guint64) value : (guint64) value;

  do
    {
      *--p = (char) ('0' + u % 10);
      u /= 10;
    }
  while (u != 0);
  if (value < 0)
    *--p = '-';
  g_string_append_len (out, p, buf + sizeof buf - p);
}

/**
 * ka_json_append_double:
 * @out: where to append
 * @value: a finite number
 *
 * Appends @value as g_ascii_dtostr() writes it, plus `.0` when that has no `.`.
 */
void
ka_json_append_double (GString *out,
                       double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_dtostr (buf, sizeof buf, value);
  g_string_append (out, buf);
  if (strchr (buf, '.') == NULL)
    g_string_append_len (out, ".0", 2);
}

/**
 * ka_json_append_member:
 * @out: where to append
 * @first: whether this is the first member of its object
 * @name: a member name (plain ASCII, nothing to escape)
 *
 * Appends `,"name":` (or `"name":` for the first member), compact as JsonGenerator.
 */
void
ka_json_append_member (GString    *out,
                       gboolean    first,
                       const char *name)
{
  if (!first)
    g_string_append_c (out, ',');
  g_string_append_c (out, '"');
  g_string_append (out, name);
  g_string_append_len (out, "\":", 2);
}
