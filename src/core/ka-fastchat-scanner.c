/* ka-fastchat-scanner.c: strict, allocation-free scanner for one FastChat battle object
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sources: RFC 8259 (JSON); FastChat's battle schema, lm-sys/FastChat
 * fastchat/serve/monitor/clean_battle_data.py (`model_a`, `model_b`, `winner`, `tstamp`).
 *
 * Building a json-glib tree costs about 2 µs per battle line, most of the time of a tally
 * of a large file. This scanner reads the same objects in place, without allocating. It is
 * deliberately narrower than JSON: whatever it is not sure to read exactly as json-glib
 * would (escapes in the members it returns, exponents, very long integers, `\u0000`, lone
 * surrogates, white space other than RFC 8259's, a member it needs given twice or with
 * another type, a value the tally would reject) makes it return %FALSE, and the caller
 * then hands that object to json-glib. So accepting never changes a result; refusing only
 * costs time.
 */

#define G_LOG_DOMAIN "ka-fastchat-scanner"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ka-fastchat-scanner.h"

#define MAX_DEPTH 64
#define MAX_INT_DIGITS 15   /* exact as a double and as an int64 alike */

static inline const char *
skip_ws (const char *p,
         const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    p++;
  return p;
}

static inline int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* @p is at the opening quote. Returns the position after the closing quote, or NULL. */
static const char *
scan_string (const char  *p,
             const char  *end,
             const char **start,
             gsize       *len,
             gboolean    *escaped)
{
  gboolean esc = FALSE, high = FALSE;

  p++;
  *start = p;
  /* The common case: up to the next quote, no backslash, control or non-ASCII byte. */
  {
    const char *q = memchr (p, '"', end - p);
    guint64 acc = 0;
    const char *r = p;

    if (q == NULL)
      return NULL;
    for (; q - r >= 8; r += 8)
      {
        guint64 x, bslash;

        memcpy (&x, r, 8);
        bslash = (x ^ 0x5c5c5c5c5c5c5c5cull);
        acc |= ((x - 0x2020202020202020ull) & ~x) | ((bslash - 0x0101010101010101ull) & ~bslash) | x;
      }
    for (; r < q; r++)
      if ((unsigned char) *r < 0x20 || *r == '\\' || (unsigned char) *r >= 0x80)
        acc |= 0x80;
    if ((acc & 0x8080808080808080ull) == 0)
      {
        *len = q - p;
        *escaped = FALSE;
        return q + 1;
      }
  }
  while (p < end)
    {
      unsigned char c = (unsigned char) *p;

      if (c == '"')
        {
          if (high && !g_utf8_validate (*start, p - *start, NULL))
            return NULL;
          *len = p - *start;
          *escaped = esc;
          return p + 1;
        }
      if (c == '\\')
        {
          esc = TRUE;
          if (++p >= end)
            return NULL;
          switch (*p)
            {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
              p++;
              break;
            case 'u':
              {
                int v = 0;

                if (end - p < 5)
                  return NULL;
                for (int k = 1; k <= 4; k++)
                  {
                    int h = hex_value (p[k]);

                    if (h < 0)
                      return NULL;
                    v = v * 16 + h;
                  }
                /* NUL and surrogates: leave them to json-glib. */
                if (v == 0 || (v >= 0xd800 && v <= 0xdfff))
                  return NULL;
                p += 5;
              }
              break;
            default:
              return NULL;
            }
          continue;
        }
      if (c < 0x20)
        return NULL;
      if (c >= 0x80)
        high = TRUE;
      p++;
    }
  return NULL;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)? — no exponent, at most MAX_INT_DIGITS before the point. */
static const char *
scan_number (const char *p,
             const char *end)
{
  const char *digits;

  if (p < end && *p == '-')
    p++;
  digits = p;
  if (p < end && *p == '0')
    p++;
  else if (p < end && *p >= '1' && *p <= '9')
    while (p < end && g_ascii_isdigit (*p))
      p++;
  else
    return NULL;
  if (p - digits > MAX_INT_DIGITS)
    return NULL;
  if (p < end && *p == '.')
    {
      const char *frac = ++p;

      while (p < end && g_ascii_isdigit (*p))
        p++;
      if (p == frac)
        return NULL;
    }
  if (p < end && (*p == 'e' || *p == 'E'))
    return NULL;
  return p;
}

/* The value of a number scan_number() accepted, as g_ascii_strtod() (correctly rounded)
 * gives it. Clinger's fast path: when all the digits fit in an integer M < 2^53 and there
 * are at most 22 after the point, M and 10^d are exact doubles and one IEEE division
 * rounds M / 10^d correctly, so the result is the same double. */
static double
parse_decimal (const char *num,
               const char *stop)
{
  static const double pow10[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
  };
  const char *p = num;
  gboolean negative = FALSE;
  guint64 m = 0;
  guint n_digits = 0, n_frac = 0;
  gboolean frac = FALSE;
  double v;

  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }
  for (; p < stop; p++)
    {
      if (*p == '.')
        {
          frac = TRUE;
          continue;
        }
      if (++n_digits > 15)
        return g_ascii_strtod (num, NULL);
      m = m * 10 + (guint64) (*p - '0');
      n_frac += frac;
    }
  if (n_frac >= G_N_ELEMENTS (pow10))
    return g_ascii_strtod (num, NULL);
  v = (double) m / pow10[n_frac];
  return negative ? -v : v;
}

static const char *scan_value (const char *p,
                               const char *end,
                               guint       depth);

static const char *
scan_container (const char *p,
                const char *end,
                guint       depth)
{
  gboolean object = *p == '{';
  char close = object ? '}' : ']';

  if (depth >= MAX_DEPTH)
    return NULL;
  p = skip_ws (p + 1, end);
  if (p < end && *p == close)
    return p + 1;
  for (;;)
    {
      if (object)
        {
          const char *s;
          gsize len;
          gboolean esc;

          if (p >= end || *p != '"' || (p = scan_string (p, end, &s, &len, &esc)) == NULL)
            return NULL;
          p = skip_ws (p, end);
          if (p >= end || *p != ':')
            return NULL;
          p = skip_ws (p + 1, end);
        }
      if ((p = scan_value (p, end, depth + 1)) == NULL)
        return NULL;
      p = skip_ws (p, end);
      if (p < end && *p == ',')
        {
          p = skip_ws (p + 1, end);
          continue;
        }
      if (p < end && *p == close)
        return p + 1;
      return NULL;
    }
}

static const char *
scan_value (const char *p,
            const char *end,
            guint       depth)
{
  const char *s;
  gsize len;
  gboolean esc;

  if (p >= end)
    return NULL;
  switch (*p)
    {
    case '"':
      return scan_string (p, end, &s, &len, &esc);
    case '{':
    case '[':
      return scan_container (p, end, depth);
    case 't':
      return end - p >= 4 && memcmp (p, "true", 4) == 0 ? p + 4 : NULL;
    case 'f':
      return end - p >= 5 && memcmp (p, "false", 5) == 0 ? p + 5 : NULL;
    case 'n':
      return end - p >= 4 && memcmp (p, "null", 4) == 0 ? p + 4 : NULL;
    default:
      return scan_number (p, end);
    }
}

static gboolean
winner_from_bytes (const char *s,
                   gsize       len,
                   KaWinner   *winner)
{
#define IS(lit) (len == sizeof (lit) - 1 && memcmp (s, lit, len) == 0)
  if (IS ("model_a"))
    *winner = KA_WINNER_MODEL_A;
  else if (IS ("model_b"))
    *winner = KA_WINNER_MODEL_B;
  else if (IS ("tie"))
    *winner = KA_WINNER_TIE;
  else if (IS ("tie (bothbad)") || IS ("both_bad"))
    *winner = KA_WINNER_BOTH_BAD;
  else
    return FALSE;
  return TRUE;
#undef IS
}

enum
{
  KEY_OTHER,
  KEY_MODEL_A,
  KEY_MODEL_B,
  KEY_WINNER,
  KEY_TSTAMP,
  KEY_CATEGORY,
  KEY_MODE,
};

static int
key_of (const char *s,
        gsize       len)
{
  switch (len)
    {
    case 4:
      return memcmp (s, "mode", 4) == 0 ? KEY_MODE : KEY_OTHER;
    case 6:
      if (memcmp (s, "winner", 6) == 0)
        return KEY_WINNER;
      return memcmp (s, "tstamp", 6) == 0 ? KEY_TSTAMP : KEY_OTHER;
    case 7:
      if (memcmp (s, "model_a", 7) == 0)
        return KEY_MODEL_A;
      return memcmp (s, "model_b", 7) == 0 ? KEY_MODEL_B : KEY_OTHER;
    case 8:
      return memcmp (s, "category", 8) == 0 ? KEY_CATEGORY : KEY_OTHER;
    default:
      return KEY_OTHER;
    }
}

/**
 * ka_fastchat_scan:
 * @text: (array length=len): one JSON object, optionally surrounded by white space (a
 *   JSON Lines line without its newline, or one element of a JSON array)
 * @len: its length in bytes
 * @out: (out caller-allocates): the members, pointing into @text
 *
 * Reads one FastChat battle (`model_a`, `model_b`, `winner`, optional `tstamp` in Unix
 * seconds, optional `category` and `mode`; other members are checked and skipped) without
 * allocating. Only strict JSON (RFC 8259) is accepted, and only what json-glib reads to
 * the same values: see the file comment for what is refused. A battle the tally would
 * reject (empty or equal model names, an unknown `winner`) is refused too, so that the
 * caller reports it with the usual message.
 *
 * Returns: %TRUE if @out holds the battle; %FALSE if the caller must parse @text with
 *   json-glib (whether it is valid or not)
 */
gboolean
ka_fastchat_scan (const char       *text,
                  gsize             len,
                  KaFastchatFields *out)
{
  const char *p = text, *end = text + len;
  const char *winner = NULL;
  gsize winner_len = 0;
  guint seen = 0;

  memset (out, 0, sizeof *out);
  out->time_us = G_MININT64;

  p = skip_ws (p, end);
  if (p >= end || *p != '{')
    return FALSE;
  p = skip_ws (p + 1, end);
  for (;;)
    {
      const char *key, *s;
      gsize key_len, s_len;
      gboolean esc;
      int k;

      if (p >= end || *p != '"' || (p = scan_string (p, end, &key, &key_len, &esc)) == NULL || esc)
        return FALSE;
      p = skip_ws (p, end);
      if (p >= end || *p != ':')
        return FALSE;
      p = skip_ws (p + 1, end);

      k = key_of (key, key_len);
      if (k != KEY_OTHER)
        {
          if (seen & (1u << k))
            return FALSE;
          seen |= 1u << k;
        }
      if (k == KEY_OTHER)
        {
          if ((p = scan_value (p, end, 1)) == NULL)
            return FALSE;
        }
      else if (k == KEY_TSTAMP)
        {
          const char *num = p;
          double t;

          if ((p = scan_number (p, end)) == NULL)
            return FALSE;
          t = parse_decimal (num, p);
          if (!isfinite (t))
            return FALSE;
          out->time_us = (gint64) llround (t * G_USEC_PER_SEC);
        }
      else
        {
          if (p >= end || *p != '"' || (p = scan_string (p, end, &s, &s_len, &esc)) == NULL || esc)
            return FALSE;
          switch (k)
            {
            case KEY_MODEL_A:
              out->model_a = s;
              out->model_a_len = s_len;
              break;
            case KEY_MODEL_B:
              out->model_b = s;
              out->model_b_len = s_len;
              break;
            case KEY_WINNER:
              winner = s;
              winner_len = s_len;
              break;
            case KEY_CATEGORY:
              out->category = s;
              out->category_len = s_len;
              break;
            case KEY_MODE:
              out->mode = s;
              out->mode_len = s_len;
              break;
            default:
              g_assert_not_reached ();
            }
        }

      p = skip_ws (p, end);
      if (p < end && *p == ',')
        {
          p = skip_ws (p + 1, end);
          continue;
        }
      if (p < end && *p == '}')
        break;
      return FALSE;
    }
  if (skip_ws (p + 1, end) != end)
    return FALSE;

  if (out->model_a == NULL || out->model_a_len == 0 ||
      out->model_b == NULL || out->model_b_len == 0 ||
      winner == NULL || !winner_from_bytes (winner, winner_len, &out->winner))
    return FALSE;
  if (out->model_a_len == out->model_b_len &&
      memcmp (out->model_a, out->model_b, out->model_a_len) == 0)
    return FALSE;
  return TRUE;
}
