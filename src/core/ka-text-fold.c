/* ka-text-fold.c: text as a reader takes it in, for the identity guard (DESIGN.md §7)
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-text-fold"

#include "config.h"

#include <string.h>

#include "ka-text-fold.h"

/* Unicode Default_Ignorable_Code_Point (DerivedCoreProperties.txt): invisible, so a name
 * with one inside ("Cl\u00ADaude", "Anthr\u200Dopic") still reads as the name. This
 * includes the bidi controls (U+200E/F, U+202A–U+202E, U+2066–U+2069) and U+061C. */
static gboolean
is_default_ignorable (gunichar c)
{
  return c == 0x00AD || c == 0x034F || c == 0x061C || c == 0x115F || c == 0x1160 ||
         c == 0x17B4 || c == 0x17B5 || (c >= 0x180B && c <= 0x180F) ||
         (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2060 && c <= 0x206F) || c == 0x3164 || (c >= 0xFE00 && c <= 0xFE0F) ||
         c == 0xFEFF || c == 0xFFA0 || (c >= 0xFFF0 && c <= 0xFFF8) ||
         (c >= 0x1BCA0 && c <= 0x1BCA3) || (c >= 0x1D173 && c <= 0x1D17A) ||
         (c >= 0xE0000 && c <= 0xE0FFF);
}

/* Latin letters in other shapes that NFKC leaves alone: small capitals and IPA letters
 * (after Unicode's confusables.txt). Mapped in any word: no language writes with them. */
static const struct
{
  gunichar from;
  char     to;
} latin_lookalikes[] = {
  { 0x1D00, 'a' }, { 0x0299, 'b' }, { 0x1D04, 'c' }, { 0x1D05, 'd' }, { 0x1D07, 'e' },
  { 0xA730, 'f' }, { 0x0262, 'g' }, { 0x029C, 'h' }, { 0x026A, 'i' }, { 0x1D0A, 'j' },
  { 0x1D0B, 'k' }, { 0x029F, 'l' }, { 0x1D0D, 'm' }, { 0x0274, 'n' }, { 0x1D0F, 'o' },
  { 0x1D18, 'p' }, { 0x01EB, 'q' }, { 0x0280, 'r' }, { 0xA731, 's' }, { 0x1D1B, 't' },
  { 0x1D1C, 'u' }, { 0x1D20, 'v' }, { 0x1D21, 'w' }, { 0x028F, 'y' }, { 0x1D22, 'z' },
  { 0x0251, 'a' }, { 0x0131, 'i' }, { 0x0237, 'j' }, { 0x0261, 'g' }, { 0x01C0, 'l' },
  { 0x0269, 'i' }, { 0x028B, 'u' }, { 0x1D26, 'r' }, { 0x1D29, 'p' },
};

/* Cyrillic and Greek letters that look like Latin ones (confusables.txt), mapped only in a
 * word whose Cyrillic/Greek letters all look Latin ("GрT", "OpenАI"): a real Russian or
 * Greek word keeps its letters. */
static const struct
{
  gunichar from;
  char     to;
} confusables[] = {
  /* Cyrillic */
  { 0x0430, 'a' }, { 0x0435, 'e' }, { 0x043E, 'o' }, { 0x0440, 'p' }, { 0x0441, 'c' },
  { 0x0443, 'y' }, { 0x0445, 'x' }, { 0x0456, 'i' }, { 0x0458, 'j' }, { 0x0455, 's' },
  { 0x043A, 'k' }, { 0x043C, 'm' }, { 0x043D, 'h' }, { 0x0442, 't' }, { 0x0432, 'b' },
  { 0x04BB, 'h' }, { 0x0501, 'd' }, { 0x051B, 'q' }, { 0x051D, 'w' }, { 0x04CF, 'l' },
  { 0x04AF, 'y' },
  { 0x0410, 'A' }, { 0x0412, 'B' }, { 0x0415, 'E' }, { 0x041A, 'K' }, { 0x041C, 'M' },
  { 0x041D, 'H' }, { 0x041E, 'O' }, { 0x0420, 'P' }, { 0x0421, 'C' }, { 0x0422, 'T' },
  { 0x0425, 'X' }, { 0x0406, 'I' }, { 0x0408, 'J' }, { 0x0405, 'S' }, { 0x0423, 'Y' },
  { 0x04AE, 'Y' }, { 0x04C0, 'I' }, { 0x051A, 'Q' }, { 0x051C, 'W' },
  /* Greek */
  { 0x0391, 'A' }, { 0x0392, 'B' }, { 0x0395, 'E' }, { 0x0396, 'Z' }, { 0x0397, 'H' },
  { 0x0399, 'I' }, { 0x039A, 'K' }, { 0x039C, 'M' }, { 0x039D, 'N' }, { 0x039F, 'O' },
  { 0x03A1, 'P' }, { 0x03A4, 'T' }, { 0x03A5, 'Y' }, { 0x03A7, 'X' },
  { 0x03BF, 'o' }, { 0x03BD, 'v' }, { 0x03B1, 'a' }, { 0x03B9, 'i' }, { 0x03BA, 'k' },
  { 0x03C1, 'p' }, { 0x03C5, 'u' }, { 0x03C7, 'x' }, { 0x03F2, 'c' }, { 0x03F3, 'j' },
};

static char
lookup (gunichar c,
        gboolean greek_cyrillic)
{
  if (greek_cyrillic)
    {
      for (guint i = 0; i < G_N_ELEMENTS (confusables); i++)
        if (confusables[i].from == c)
          return confusables[i].to;
    }
  else
    {
      for (guint i = 0; i < G_N_ELEMENTS (latin_lookalikes); i++)
        if (latin_lookalikes[i].from == c)
          return latin_lookalikes[i].to;
    }
  return '\0';
}

static gboolean
is_cyrillic_or_greek (gunichar c)
{
  return (c >= 0x0370 && c <= 0x052F) || (c >= 0x1F00 && c <= 0x1FFF);
}

static gboolean
is_word_char (gunichar c)
{
  return g_unichar_isalnum (c);
}

/* ---- Hangul compatibility jamo (U+3131–U+3163) composed into syllables ---- */

/* Index of a compatibility consonant as a leading consonant (0–18), or -1. */
static int
jamo_lead (gunichar c)
{
  static const gunichar leads[] = {
    0x3131, 0x3132, 0x3134, 0x3137, 0x3138, 0x3139, 0x3141, 0x3142, 0x3143, 0x3145,
    0x3146, 0x3147, 0x3148, 0x3149, 0x314A, 0x314B, 0x314C, 0x314D, 0x314E,
  };

  for (guint i = 0; i < G_N_ELEMENTS (leads); i++)
    if (leads[i] == c)
      return (int) i;
  return -1;
}

/* Index of a compatibility consonant as a final consonant (1–27), or -1. */
static int
jamo_tail (gunichar c)
{
  static const gunichar tails[] = {
    0x3131, 0x3132, 0x3133, 0x3134, 0x3135, 0x3136, 0x3137, 0x3139, 0x313A, 0x313B,
    0x313C, 0x313D, 0x313E, 0x313F, 0x3140, 0x3141, 0x3142, 0x3144, 0x3145, 0x3146,
    0x3147, 0x3148, 0x314A, 0x314B, 0x314C, 0x314D, 0x314E,
  };

  for (guint i = 0; i < G_N_ELEMENTS (tails); i++)
    if (tails[i] == c)
      return (int) i + 1;
  return -1;
}

static int
jamo_vowel (gunichar c)
{
  return (c >= 0x314F && c <= 0x3163) ? (int) (c - 0x314F) : -1;
}

/* "ㅇㅔㄱㅅㅏㅇㅝㄴ" → "엑사원": a lead consonant and a vowel make a syllable, and a
 * consonant after them that does not start the next syllable is its final. In place;
 * returns the new length. */
static glong
compose_jamo (gunichar *chars,
              glong     n)
{
  glong out = 0;

  for (glong i = 0; i < n;)
    {
      int l = jamo_lead (chars[i]);
      int v = i + 1 < n ? jamo_vowel (chars[i + 1]) : -1;
      int t = 0;

      if (l < 0 || v < 0)
        {
          chars[out++] = chars[i++];
          continue;
        }
      i += 2;
      if (i < n && (t = jamo_tail (chars[i])) > 0 &&
          !(i + 1 < n && jamo_vowel (chars[i + 1]) >= 0))
        i++;
      else
        t = 0;
      chars[out++] = 0xAC00 + (gunichar) ((l * 21 + v) * 28 + t);
    }
  return out;
}

/* A right-to-left override (U+202E) draws what follows it backwards up to U+202C (pop)
 * or the end of the line: "\u202EedualC" shows "Claude". Reverses those characters in
 * place, so the text reads as it is shown; the controls themselves are removed later. */
static void
reverse_overrides (gunichar *chars,
                   glong     n)
{
  for (glong i = 0; i < n; i++)
    {
      glong end;

      if (chars[i] != 0x202E)
        continue;
      end = i + 1;
      while (end < n && chars[end] != 0x202C && chars[end] != '\n' && chars[end] != 0x2029)
        end++;
      for (glong a = i + 1, b = end - 1; a < b; a++, b--)
        {
          gunichar t = chars[a];

          chars[a] = chars[b];
          chars[b] = t;
        }
      i = end;
    }
}

/* ---- Separators ---- */

static gboolean
is_hangul_syllable (gunichar c)
{
  return c >= 0xAC00 && c <= 0xD7A3;
}

/* Markdown emphasis and code marks left between letters by a renderer that did not take
 * them ("EXA**ON**E", "Cl`au`de", "An_thro_pic"). */
static gboolean
is_markup_mark (gunichar c)
{
  return c == '*' || c == '_' || c == '~' || c == '`';
}

/* What can stand between letters spelled one by one ("C.l.a.u.d.e", "엑 사 원"); not "'"
 * or ",", which stand between letters in ordinary text ("I'm", "x, y, z"). */
static gboolean
is_letter_separator (gunichar c)
{
  return c == ' ' || c == '\t' || c == '.' || c == '-' || c == '/' ||
         c == '|' || c == ':' || c == '+' || c == 0x00B7 || c == 0x2022 ||
         c == 0x30FB || c == 0x00A0 || is_markup_mark (c);
}

#define MAX_SEPARATORS   3   /* characters between two single letters */
#define MIN_SINGLES      3   /* single letters in a row that are read as one word */

/* How many single letters follow one another from chars[start] (a single letter) with the
 * same separator between each. */
static glong
run_length (const gunichar *chars,
            glong           n,
            glong           start)
{
  glong j = start, singles = 0, first_gap = -1, first_gap_len = 0;

  while (j < n && is_word_char (chars[j]) && !(j + 1 < n && is_word_char (chars[j + 1])))
    {
      glong k = j + 1, gap = 0;

      singles++;
      while (k < n && gap < MAX_SEPARATORS && is_letter_separator (chars[k]))
        {
          k++;
          gap++;
        }
      if (gap == 0 || k >= n || !is_word_char (chars[k]))
        break;
      if (first_gap < 0)
        {
          first_gap = j + 1;
          first_gap_len = gap;
        }
      else if (gap != first_gap_len ||
               memcmp (chars + j + 1, chars + first_gap, (gsize) gap * sizeof (gunichar)) != 0)
        break;
      j = k;
    }
  return singles;
}

/* Removes markup marks between word characters, then joins runs of at least MIN_SINGLES
 * single letters or syllables with separators between them. In place; returns the new
 * length. */
static glong
join_letters (gunichar *chars,
              glong     n)
{
  glong out = 0;

  /* Marks between letters. */
  for (glong i = 0; i < n; i++)
    {
      if (is_markup_mark (chars[i]) && out > 0 && is_word_char (chars[out - 1]))
        {
          glong j = i;

          while (j < n && is_markup_mark (chars[j]))
            j++;
          if (j < n && is_word_char (chars[j]))
            {
              i = j - 1;
              continue;
            }
        }
      chars[out++] = chars[i];
    }
  n = out;

  /* Letters one by one. */
  out = 0;
  for (glong i = 0; i < n;)
    {
      glong j = i, singles = 0, last = i, prev_last = i, first_gap = -1, first_gap_len = 0;

      if (!is_word_char (chars[i]) || (i > 0 && is_word_char (chars[i - 1])) ||
          (i + 1 < n && is_word_char (chars[i + 1])))
        {
          chars[out++] = chars[i++];
          continue;
        }
      /* chars[i] is a word of one letter; count the run. The last word may be longer when
       * enough single syllables precede it and it is Hangul too ("엑 사 원입니다"). */
      while (j < n && is_word_char (chars[j]))
        {
          glong k, gap = 0;

          if (j + 1 < n && is_word_char (chars[j + 1]))
            {
              glong w = j;

              /* Only Hangul takes particles: "I'm a model" stays as it is. */
              if (singles + 1 < MIN_SINGLES || !is_hangul_syllable (chars[j]) ||
                  !is_hangul_syllable (chars[i]))
                break;
              while (w < n && is_word_char (chars[w]))
                w++;
              singles++;
              last = w - 1;
              break;
            }
          singles++;
          k = j + 1;
          prev_last = last;
          last = j;
          while (k < n && gap < MAX_SEPARATORS && is_letter_separator (chars[k]))
            {
              k++;
              gap++;
            }
          if (gap == 0 || k >= n || !is_word_char (chars[k]))
            break;
          /* The same separator all along: "a C.l.a.u.d.e" joins from "C". */
          if (first_gap < 0)
            {
              first_gap = j + 1;
              first_gap_len = gap;
            }
          else if (gap != first_gap_len ||
                   memcmp (chars + j + 1, chars + first_gap, (gsize) gap * sizeof (gunichar)) != 0)
            {
              /* Another separator: chars[j] ends this run, unless it starts a run of its
               * own ("m a C.l.a.u.d.e" is "m a Claude", "C.l.a.u.d.e e.g." is "Claude e.g.") */
              if (run_length (chars, n, j) >= MIN_SINGLES)
                {
                  singles--;
                  last = prev_last;
                }
              break;
            }
          j = k;
        }
      if (singles >= MIN_SINGLES)
        {
          for (glong k = i; k <= last; k++)
            if (is_word_char (chars[k]))
              chars[out++] = chars[k];
          i = last + 1;
        }
      else
        chars[out++] = chars[i++];
    }
  return out;
}

/**
 * ka_text_fold:
 * @text: UTF-8 text (invalid sequences are replaced), such as what ka_plain_text_from_markdown()
 *   returns
 * @length: bytes in @text, or -1 if NUL-terminated
 *
 * Folds @text into the form the identity guard matches in, so that a name that still
 * reads as the name on screen is found whatever characters spell it:
 *
 * 1. Hangul compatibility jamo are composed into syllables ("ㅇㅔㄱㅅㅏㅇㅝㄴ" → "엑사원");
 * 2. "™" and "℠" become a space (so "ChatGPT™" keeps its word end), then NFKC (full-width,
 *    mathematical and circled letters, ligatures; conjoining jamo composed);
 * 3. default-ignorable characters (soft hyphen, zero-width characters, bidi controls,
 *    variation selectors) and combining marks ("C̲l̲a̲u̲d̲e̲") are removed; U+2010/U+2011
 *    become "-";
 * 4. small capitals and IPA letters become Latin letters ("ᴄʟᴀᴜᴅᴇ"); Cyrillic and Greek
 *    look-alikes become Latin letters in a word whose Cyrillic/Greek letters all look Latin;
 * 5. `*`, `_`, `~` and `` ` `` between two letters or digits are removed ("EXA**ON**E");
 * 6. three or more single letters or syllables with one to three separators (space, `.`,
 *    `-`, `,`, `/`, `|`, `·`, …) between them are joined ("C.l.a.u.d.e", "엑 사 원").
 *
 * Case is kept. Positions in the result are not positions in @text: it is for matching,
 * never for display. Pure ASCII text without `*_~`` ` between letters and without spaced
 * letters comes back unchanged.
 *
 * Returns: (transfer full): the folded UTF-8 text
 */
char *
ka_text_fold (const char *text,
              gssize      length)
{
  g_autofree char *valid = NULL;
  g_autofree char *nfkc = NULL;
  g_autofree gunichar *chars = NULL;
  g_autoptr(GString) pre = NULL;
  glong n = 0, k = 0;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  if (text == NULL)
    return g_strdup ("");

  valid = g_utf8_make_valid (text, length);
  chars = g_utf8_to_ucs4_fast (valid, -1, &n);
  n = compose_jamo (chars, n);

  pre = g_string_sized_new (strlen (valid));
  for (glong i = 0; i < n; i++)
    {
      if (chars[i] == 0x2122 || chars[i] == 0x2120)
        g_string_append_c (pre, ' ');
      else
        g_string_append_unichar (pre, chars[i]);
    }
  g_clear_pointer (&chars, g_free);
  nfkc = g_utf8_normalize (pre->str, (gssize) pre->len, G_NORMALIZE_NFKC);
  chars = g_utf8_to_ucs4_fast (nfkc != NULL ? nfkc : pre->str, -1, &n);

  reverse_overrides (chars, n);
  for (glong i = 0; i < n; i++)
    {
      gunichar c = chars[i];
      char latin;

      if (is_default_ignorable (c) || g_unichar_ismark (c))
        continue;
      if (c == 0x2010 || c == 0x2011)
        c = '-';
      else if (c >= 0x80 && (latin = lookup (c, FALSE)) != '\0')
        c = (gunichar) latin;
      chars[k++] = c;
    }
  n = k;

  for (glong i = 0; i < n;)
    {
      glong end = i;
      gboolean foreign = FALSE, all_confusable = TRUE;

      if (!is_word_char (chars[i]))
        {
          i++;
          continue;
        }
      while (end < n && is_word_char (chars[end]))
        {
          if (is_cyrillic_or_greek (chars[end]))
            {
              foreign = TRUE;
              if (lookup (chars[end], TRUE) == '\0')
                all_confusable = FALSE;
            }
          end++;
        }
      if (foreign && all_confusable)
        for (glong j = i; j < end; j++)
          if (is_cyrillic_or_greek (chars[j]))
            chars[j] = (gunichar) lookup (chars[j], TRUE);
      i = end;
    }

  n = join_letters (chars, n);
  return g_ucs4_to_utf8 (chars, n, NULL, NULL, NULL);
}
