/* ka-markdown-source.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-markdown-source"

#include "config.h"

#include <string.h>

#include "ka-markdown-source.h"

/*
 * Three things md4c 0.4.8 reads differently from what a model means (issue 9), fixed by
 * one pass over the source before md4c sees it:
 *
 * 1. Single tildes. md4c's MD_FLAG_STRIKETHROUGH also takes one `~` as a delimiter, so
 *    "6~8시간, 점진적으로 10~12시간" lost its tildes and was struck through. A run of exactly
 *    one `~` becomes the marker U+FDD0; runs of two (`~~x~~`) and fences (`~~~`) stay.
 *
 * 2. Emphasis next to Hangul. CommonMark's flanking rule (spec 6.2) does not let
 *    `**State Corporation Commission (SCC)**에` close: the run follows punctuation and
 *    precedes a letter. Korean puts particles straight after a word, so a Korean reader
 *    expects it to close. Where a run of one to three `*` has a CJK letter on one side and
 *    punctuation on the other, the spacer U+2E31 (Unicode punctuation, so md4c counts it
 *    as such) is put between the run and the CJK letter. The run then both opens and
 *    closes, as the "CJK-friendly" amendment to the flanking rule would have it, and md4c
 *    pairs it normally. A real U+2E31 in the text is carried as U+FDD1 meanwhile.
 *
 * 3. Mathematics. `\( \)`, `\[ \]`, `$$ $$` and `$ $` (the last only where it is really
 *    math: "$5 and $10" stays prose, by Pandoc's rule plus two of ours, see
 *    looks_like_math()) are replaced by a token: U+FDD2 (inline) or U+FDD3 (display), the
 *    formula's index in hexadecimal digits U+FDE0–U+FDEF, and U+FDD4. md4c never sees the
 *    TeX, so `K_{sp}` cannot turn into emphasis and `\\` cannot be taken as an escape.
 *    A formula never spans a blank line.
 *
 * Code stays code: fenced blocks (``` or ~~~, any indentation, also inside quotes) and
 * code spans are copied unchanged apart from the tilde and U+2E31 markers, which
 * ka_markdown_source_restore() turns back. The noncharacters U+FDD0–U+FDEF cannot occur
 * in the input, because ka_text_sanitize() marks them visibly.
 */

#define MARK_TILDE          "\xef\xb7\x90"      /* U+FDD0: a single '~' */
#define MARK_SPACER_ESCAPE  "\xef\xb7\x91"      /* U+FDD1: a real U+2E31 */
#define MARK_MATH_INLINE    "\xef\xb7\x92"      /* U+FDD2 */
#define MARK_MATH_DISPLAY   "\xef\xb7\x93"      /* U+FDD3 */
#define MARK_MATH_END       "\xef\xb7\x94"      /* U+FDD4 */
#define SPACER              "\xe2\xb8\xb1"      /* U+2E31 WORD SEPARATOR MIDDLE DOT */
#define MAX_MATH_BYTES      16384
#define MAX_INLINE_DOLLAR   1000

static void
math_free (gpointer data)
{
  KaMarkdownMath *math = data;

  g_free (math->tex);
  g_free (math->source);
  g_free (math);
}

static gboolean
is_cjk (gunichar c)
{
  return (c >= 0xAC00 && c <= 0xD7A3)     /* Hangul syllables */
      || (c >= 0x1100 && c <= 0x11FF)     /* Hangul Jamo */
      || (c >= 0x3130 && c <= 0x318F)     /* Hangul compatibility Jamo */
      || (c >= 0xA960 && c <= 0xA97F)
      || (c >= 0xD7B0 && c <= 0xD7FF)
      || (c >= 0x3040 && c <= 0x30FF)     /* kana */
      || (c >= 0x3400 && c <= 0x4DBF)     /* CJK ideographs */
      || (c >= 0x4E00 && c <= 0x9FFF)
      || (c >= 0xF900 && c <= 0xFAFF);
}

static gboolean
is_punct (gunichar c)
{
  if (c < 0x80)
    return g_ascii_ispunct (c);

  switch (g_unichar_type (c))
    {
    case G_UNICODE_CONNECT_PUNCTUATION:
    case G_UNICODE_DASH_PUNCTUATION:
    case G_UNICODE_CLOSE_PUNCTUATION:
    case G_UNICODE_FINAL_PUNCTUATION:
    case G_UNICODE_INITIAL_PUNCTUATION:
    case G_UNICODE_OTHER_PUNCTUATION:
    case G_UNICODE_OPEN_PUNCTUATION:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Copies @len bytes, with single tildes and U+2E31 replaced by their markers. */
static void
append_marked (GString    *out,
               const char *text,
               gsize       len)
{
  const char *end = text + len;
  const char *p = text;

  while (p < end)
    {
      if (*p == '~')
        {
          const char *run = p;

          while (p < end && *p == '~')
            p++;
          if (p - run == 1)
            g_string_append (out, MARK_TILDE);
          else
            g_string_append_len (out, run, p - run);
        }
      else if (end - p >= 3 && memcmp (p, SPACER, 3) == 0)
        {
          g_string_append (out, MARK_SPACER_ESCAPE);
          p += 3;
        }
      else
        {
          g_string_append_c (out, *p);
          p++;
        }
    }
}

/* Where the paragraph holding @p ends: at the next blank line, or at @end. */
static const char *
paragraph_end (const char *p,
               const char *end)
{
  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *q;

      if (nl == NULL)
        return end;
      q = nl + 1;
      while (q < end && (*q == ' ' || *q == '\t'))
        q++;
      if (q >= end || *q == '\n')
        return nl;
      p = nl + 1;
    }

  return end;
}

static const char *
find_in (const char *haystack,
         const char *limit,
         const char *needle)
{
  gsize n = strlen (needle);

  if (limit - haystack > MAX_MATH_BYTES)
    limit = haystack + MAX_MATH_BYTES;
  for (const char *p = haystack; p + n <= limit; p++)
    if (memcmp (p, needle, n) == 0)
      return p;

  return NULL;
}

/* Text between math delimiters is taken for math unless it reads as prose: Korean words
 * without any TeX command ("\[주의\]"), or only a number ("$5$", "\[1\]"). */
static gboolean
looks_like_math (const char *tex,
                 gsize       len)
{
  gboolean has_command = memchr (tex, '\\', len) != NULL;
  gboolean only_number = TRUE;
  gboolean has_content = FALSE;

  for (const char *p = tex; p < tex + len; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_cjk (c) && !has_command)
        return FALSE;
      if (!g_unichar_isspace (c))
        has_content = TRUE;
      if (!g_unichar_isspace (c) && !g_ascii_isdigit (c) && c != ',' && c != '.')
        only_number = FALSE;
    }

  return has_content && !only_number;
}

/* An inline `$…$` at @p (a '$' not followed by another): Pandoc's rule, the opening '$'
 * has a non-space on its right and is not preceded by a letter or digit ("US$5"), the
 * closing one has a non-space on its left and no digit on its right; and one line. */
static const char *
find_dollar_close (const char *start,
                   const char *p,
                   const char *limit)
{
  const char *q = p + 1;

  if (q >= limit || g_ascii_isspace (*q))
    return NULL;
  if (p > start && (g_ascii_isalnum (p[-1]) || p[-1] == '$'))
    return NULL;

  for (; q < limit && *q != '\n' && q - p < MAX_INLINE_DOLLAR; q++)
    {
      if (*q == '\\' && q + 1 < limit)
        {
          q++;
          continue;
        }
      if (*q == '$')
        {
          if (g_ascii_isspace (q[-1]))
            return NULL;
          if (q + 1 < limit && (g_ascii_isdigit (q[1]) || q[1] == '$'))
            return NULL;
          return q;
        }
    }

  return NULL;
}

static void
append_math (KaMarkdownSource *self,
             GString          *out,
             const char       *open,
             gsize             open_len,
             const char       *close,
             gsize             close_len,
             gboolean          display)
{
  KaMarkdownMath *math = g_new0 (KaMarkdownMath, 1);
  guint index = self->math->len;
  char digits[16];
  int n_digits;

  math->tex = g_strndup (open + open_len, close - open - open_len);
  g_strstrip (math->tex);
  math->source = g_strndup (open, close + close_len - open);
  math->display = display;
  g_ptr_array_add (self->math, math);

  g_string_append (out, display ? MARK_MATH_DISPLAY : MARK_MATH_INLINE);
  n_digits = g_snprintf (digits, sizeof digits, "%x", index);
  for (int i = 0; i < n_digits; i++)
    {
      /* U+FDE0 + the digit's value */
      guint value = g_ascii_xdigit_value (digits[i]);

      g_string_append_c (out, (char) 0xEF);
      g_string_append_c (out, (char) 0xB7);
      g_string_append_c (out, (char) (0xA0 + value));
    }
  g_string_append (out, MARK_MATH_END);
}

/* A line that opens or closes a code fence: up to any indentation and quote markers, three
 * or more '`' or '~' (an opening backtick fence has no backtick in its info string). */
static gsize
fence_run (const char *line,
           const char *line_end,
           char       *fence_char,
           const char **after)
{
  const char *q = line;
  gsize run = 0;
  char c;

  while (q < line_end && (*q == ' ' || *q == '\t' || *q == '>'))
    q++;
  if (q >= line_end || (*q != '`' && *q != '~'))
    return 0;
  c = *q;
  while (q + run < line_end && q[run] == c)
    run++;
  *fence_char = c;
  *after = q + run;

  return run;
}

/**
 * ka_markdown_source_new:
 * @markdown: sanitized Markdown (valid UTF-8, see ka_text_sanitize())
 * @length: bytes in @markdown, or -1 if NUL-terminated
 *
 * Prepares @markdown for md4c as the comment at the top of this file describes: single
 * tildes and U+2E31 become markers, a spacer goes between `*` runs and Hangul where
 * CommonMark's flanking rule would keep them open, and math is replaced by tokens whose
 * formulas are in the result's `math` array.
 *
 * Returns: (transfer full): the prepared source; free with ka_markdown_source_free()
 */
KaMarkdownSource *
ka_markdown_source_new (const char *markdown,
                        gssize      length)
{
  KaMarkdownSource *self = g_new0 (KaMarkdownSource, 1);
  const char *start = markdown != NULL ? markdown : "";
  const char *end;
  const char *p;
  const char *para_limit = NULL;
  gboolean at_line_start = TRUE;
  char fence_char = 0;
  gsize fence_len = 0;
  GString *out;

  if (length < 0)
    length = strlen (start);
  end = start + length;
  out = g_string_sized_new (length + 16);
  self->math = g_ptr_array_new_with_free_func (math_free);

  p = start;
  while (p < end)
    {
      if (at_line_start)
        {
          const char *nl = memchr (p, '\n', end - p);
          const char *line_end = nl != NULL ? nl : end;
          const char *next_line = nl != NULL ? nl + 1 : end;
          const char *after = NULL;
          char c = 0;
          gsize run = fence_run (p, line_end, &c, &after);

          if (fence_char != 0)
            {
              gboolean closes = (c == fence_char && run >= fence_len);

              for (const char *q = after; closes && q < line_end; q++)
                if (*q != ' ' && *q != '\t')
                  closes = FALSE;
              if (closes)
                fence_char = 0;
              append_marked (out, p, next_line - p);
              p = next_line;
              continue;
            }
          if (run >= 3 && (c == '~' || memchr (after, '`', line_end - after) == NULL))
            {
              fence_char = c;
              fence_len = run;
              append_marked (out, p, next_line - p);
              p = next_line;
              continue;
            }
          at_line_start = FALSE;
        }

      if (para_limit == NULL || p >= para_limit)
        para_limit = paragraph_end (p, end);

      switch (*p)
        {
        case '\n':
          g_string_append_c (out, '\n');
          p++;
          at_line_start = TRUE;
          continue;

        case '`':
          {
            gsize n = 0;
            const char *q;
            const char *close = NULL;

            while (p + n < end && p[n] == '`')
              n++;
            for (q = p + n; q < para_limit; q++)
              {
                if (*q == '`')
                  {
                    gsize m = 0;

                    while (q + m < end && q[m] == '`')
                      m++;
                    if (m == n)
                      {
                        close = q;
                        break;
                      }
                    q += m - 1;
                  }
              }
            if (close != NULL)
              {
                append_marked (out, p, close + n - p);
                p = close + n;
              }
            else
              {
                g_string_append_len (out, p, n);
                p += n;
              }
          }
          continue;

        case '\\':
          if (p + 1 < end && (p[1] == '(' || p[1] == '['))
            {
              gboolean display = (p[1] == '[');
              const char *close = find_in (p + 2, para_limit, display ? "\\]" : "\\)");

              if (close != NULL && looks_like_math (p + 2, close - p - 2))
                {
                  append_math (self, out, p, 2, close, 2, display);
                  p = close + 2;
                  continue;
                }
            }
          if (p + 1 < end && g_ascii_ispunct (p[1]))
            {
              /* An escape: copied as it is, so an escaped '$' or '*' is no delimiter. */
              if (p[1] == '~')
                g_string_append (out, "\\~");
              else
                g_string_append_len (out, p, 2);
              p += 2;
              continue;
            }
          g_string_append_c (out, '\\');
          p++;
          continue;

        case '$':
          if (p + 1 < end && p[1] == '$')
            {
              const char *close = find_in (p + 2, para_limit, "$$");

              if (close != NULL && looks_like_math (p + 2, close - p - 2))
                {
                  append_math (self, out, p, 2, close, 2, TRUE);
                  p = close + 2;
                  continue;
                }
              g_string_append (out, "$$");
              p += 2;
              continue;
            }
          else
            {
              const char *close = find_dollar_close (start, p, para_limit);

              if (close != NULL && looks_like_math (p + 1, close - p - 1))
                {
                  append_math (self, out, p, 1, close, 1, FALSE);
                  p = close + 1;
                  continue;
                }
              g_string_append_c (out, '$');
              p++;
              continue;
            }

        case '*':
          {
            gsize n = 0;
            gunichar before = 0;
            gunichar after = 0;

            while (p + n < end && p[n] == '*')
              n++;
            if (p > start)
              before = g_utf8_get_char (g_utf8_find_prev_char (start, p));
            if (p + n < end)
              after = g_utf8_get_char (p + n);

            if (n <= 3 && is_cjk (after) && is_punct (before))
              {
                g_string_append_len (out, p, n);
                g_string_append (out, SPACER);
              }
            else if (n <= 3 && is_cjk (before) && is_punct (after))
              {
                g_string_append (out, SPACER);
                g_string_append_len (out, p, n);
              }
            else
              {
                g_string_append_len (out, p, n);
              }
            p += n;
          }
          continue;

        case '~':
          {
            /* A run is handled whole, so "~~" is not taken as two single tildes. */
            const char *q = p;

            while (q < end && *q == '~')
              q++;
            append_marked (out, p, q - p);
            p = q;
          }
          continue;

        default:
          {
            const char *next = g_utf8_next_char (p);

            if (next > end)
              next = end;
            append_marked (out, p, next - p);
            p = next;
          }
          continue;
        }
    }

  self->length = out->len;
  self->text = g_string_free (out, FALSE);

  return self;
}

void
ka_markdown_source_free (KaMarkdownSource *self)
{
  if (self == NULL)
    return;

  g_free (self->text);
  g_ptr_array_unref (self->math);
  g_free (self);
}

/* Reads a math token at @p (which starts with U+FDD2 or U+FDD3); returns its length in
 * bytes and its formula, or 0 when the token is cut short or names no formula. */
static gsize
read_token (const KaMarkdownSource *self,
            const char             *p,
            const char             *end,
            const KaMarkdownMath  **math)
{
  const char *q = p + 3;
  guint index = 0;
  guint n_digits = 0;

  while (end - q >= 3 && (guchar) q[0] == 0xEF && (guchar) q[1] == 0xB7
         && (guchar) q[2] >= 0xA0 && (guchar) q[2] <= 0xAF && n_digits < 7)
    {
      index = index * 16 + ((guchar) q[2] - 0xA0);
      n_digits++;
      q += 3;
    }
  if (n_digits == 0 || end - q < 3 || memcmp (q, MARK_MATH_END, 3) != 0)
    return 0;
  if (self == NULL || index >= self->math->len)
    return 0;

  *math = g_ptr_array_index (self->math, index);
  return q + 3 - p;
}

/**
 * ka_markdown_source_find_math:
 * @self: the prepared source that @text came from
 * @text: a piece of md4c's output
 * @length: bytes in @text
 * @token_length: (out): bytes of the token found
 * @math: (out) (transfer none): its formula
 *
 * Returns: (nullable): where the first math token in @text starts, or %NULL
 */
const char *
ka_markdown_source_find_math (const KaMarkdownSource *self,
                              const char             *text,
                              gsize                   length,
                              gsize                  *token_length,
                              const KaMarkdownMath  **math)
{
  const char *end = text + length;

  for (const char *p = text; end - p >= 3; p++)
    {
      gsize n;

      if ((guchar) p[0] != 0xEF || (guchar) p[1] != 0xB7
          || ((guchar) p[2] != 0x92 && (guchar) p[2] != 0x93))
        continue;
      n = read_token (self, p, end, math);
      if (n > 0)
        {
          *token_length = n;
          return p;
        }
    }

  return NULL;
}

/**
 * ka_markdown_source_restore:
 * @self: (nullable): the prepared source that @text came from
 * @out: where to append
 * @text: a piece of md4c's output (text, code, a link destination)
 * @length: bytes in @text
 *
 * Appends @text with the markers turned back into the model's characters: a single tilde,
 * U+2E31, a math token as the formula's source with its delimiters (in code, where it is
 * not math); spacers are dropped. Any other marker is dropped.
 */
void
ka_markdown_source_restore (const KaMarkdownSource *self,
                            GString                *out,
                            const char             *text,
                            gsize                   length)
{
  const char *end = text + length;
  const char *p = text;

  while (p < end)
    {
      const char *run = p;

      while (p < end && (guchar) *p != 0xEF && (guchar) *p != 0xE2)
        p++;
      g_string_append_len (out, run, p - run);
      if (p >= end)
        break;

      if (end - p >= 3 && (guchar) p[0] == 0xEF && (guchar) p[1] == 0xB7
          && (guchar) p[2] >= 0x90 && (guchar) p[2] <= 0xAF)
        {
          const KaMarkdownMath *math = NULL;
          gsize n;

          switch ((guchar) p[2])
            {
            case 0x90:
              g_string_append_c (out, '~');
              break;
            case 0x91:
              g_string_append (out, SPACER);
              break;
            case 0x92:
            case 0x93:
              n = read_token (self, p, end, &math);
              if (n > 0)
                {
                  g_string_append (out, math->source);
                  p += n;
                  continue;
                }
              break;
            default:
              break;
            }
          p += 3;
        }
      else if (end - p >= 3 && memcmp (p, SPACER, 3) == 0)
        {
          p += 3;
        }
      else
        {
          g_string_append_c (out, *p);
          p++;
        }
    }
}
