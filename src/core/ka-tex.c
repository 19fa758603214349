/* ka-tex.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-tex"

#include "config.h"

#include <string.h>

#include "ka-tex.h"
#include "ka-tex-symbols.h"

/*
 * The tree read aloud as one line of Unicode: "K_{sp} = [Ag^+][Cl^-]" becomes
 * "Kₛₚ = [Ag⁺][Cl⁻]". Trees come from ka_tex_parse(), whose depth limit bounds the
 * recursion here.
 */

static void append_node (GString *out, const KaTexNode *node);

static gboolean
ends_with_space (GString *out)
{
  return out->len == 0 || out->str[out->len - 1] == ' ';
}

static void
append_space (GString *out)
{
  if (!ends_with_space (out))
    g_string_append_c (out, ' ');
}

static char *
node_text (const KaTexNode *node)
{
  GString *out = g_string_new (NULL);

  if (node != NULL)
    append_node (out, node);
  return g_strstrip (g_string_free (out, FALSE));
}

/* Whether @text reads as one unit next to "/" or "√": "12", "x", "Kₛₚ", "n!", "x′". */
static gboolean
is_atomic (const char *text)
{
  if (*text == '\0')
    return TRUE;
  if (g_utf8_strlen (text, -1) == 1)
    return TRUE;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isalnum (c) && c != '.' && c != '!' && c != 0x2032 && c != 0x2033
          && g_unichar_type (c) != G_UNICODE_NON_SPACING_MARK
          && g_unichar_type (c) != G_UNICODE_ENCLOSING_MARK
          && g_unichar_type (c) != G_UNICODE_MODIFIER_LETTER)
        return FALSE;
    }
  return TRUE;
}

/* A single scripted, bracketed or accented atom needs no brackets of its own:
 * "(−1)ⁿ/(2n + 1)", "x̂/2". */
static gboolean
is_atomic_node (const KaTexNode *node)
{
  while (node != NULL && node->kind == KA_TEX_ROW && ka_tex_node_n_children (node) == 1)
    node = ka_tex_node_child (node, 0);
  if (node == NULL)
    return TRUE;
  switch (node->kind)
    {
    case KA_TEX_SCRIPTS:
      return is_atomic_node (node->body);
    case KA_TEX_DELIMITED:
      return node->text != NULL && node->text[0] != '\0';
    case KA_TEX_ACCENT:
    case KA_TEX_SQRT:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
append_wrapped (GString         *out,
                const KaTexNode *node,
                const char      *text)
{
  if (is_atomic (text) || is_atomic_node (node))
    g_string_append (out, text);
  else
    g_string_append_printf (out, "(%s)", text);
}

/**
 * ka_tex_to_script:
 * @text: UTF-8 text ("n=0")
 * @sup: superscript (%TRUE) or subscript
 *
 * Returns: (transfer full) (nullable): @text in Unicode sub- or superscript characters
 *   ("ₙ₌₀"), or %NULL when Unicode lacks one of them
 */
char *
ka_tex_to_script (const char *text,
                  gboolean    sup)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gunichar s = sup ? ka_tex_superscript_char (c) : ka_tex_subscript_char (c);

      if (s == 0)
        {
          g_string_free (out, TRUE);
          return NULL;
        }
      g_string_append_unichar (out, s);
    }
  return g_string_free (out, FALSE);
}

static void
append_script (GString         *out,
               const KaTexNode *script,
               gboolean         sup)
{
  g_autofree char *text = node_text (script);
  g_autofree char *mapped = NULL;
  gboolean word = TRUE;

  g_autofree char *compact = NULL;

  if (*text == '\0')
    return;
  {
    GString *c = g_string_new (NULL);

    for (const char *p = text; *p != '\0'; p++)
      if (*p != ' ')
        g_string_append_c (c, *p);
    compact = g_string_free (c, FALSE);
  }
  if ((mapped = ka_tex_to_script (compact, sup)) != NULL)
    {
      g_string_append (out, mapped);
      return;
    }

  g_string_append_c (out, sup ? '^' : '_');
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!(c < 0x80 && g_ascii_isalnum (c)) && !(c >= 0x391 && c <= 0x3C9))
        word = FALSE;
    }
  if (word || g_utf8_strlen (text, -1) == 1)
    g_string_append (out, text);
  else
    g_string_append_printf (out, "(%s)", text);
}

/* Each character followed by @mark (for \overline, \underline). */
static void
append_marked (GString    *out,
               const char *text,
               const char *mark,
               gboolean    every)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      g_string_append_unichar (out, g_utf8_get_char (p));
      if (every && *p != ' ')
        g_string_append (out, mark);
    }
  if (!every)
    g_string_append (out, mark);
}

static gboolean
is_digit_at_end (GString *out)
{
  return out->len > 0 && g_ascii_isdigit (out->str[out->len - 1]);
}

static gboolean
starts_with_digit (const KaTexNode *node)
{
  return node != NULL && node->kind == KA_TEX_SYMBOL && node->text != NULL
         && g_ascii_isdigit (node->text[0]);
}

/* The class a node acts as between its neighbours: a binary operator with nothing on its
 * left ("−1", "= −x") is a sign. */
static KaTexClass
effective_class (const KaTexNode *node,
                 KaTexClass       previous,
                 gboolean         first)
{
  if (node->cls == KA_TEX_CLASS_BIN
      && (first || previous == KA_TEX_CLASS_BIN || previous == KA_TEX_CLASS_REL
          || previous == KA_TEX_CLASS_OPEN || previous == KA_TEX_CLASS_PUNCT
          || previous == KA_TEX_CLASS_OP))
    return KA_TEX_CLASS_ORD;
  return node->cls;
}

static gboolean
is_letter (const KaTexNode *node)
{
  return node != NULL && node->kind == KA_TEX_SYMBOL && node->text != NULL
         && g_utf8_strlen (node->text, -1) == 1 && g_unichar_isalpha (g_utf8_get_char (node->text));
}

static gboolean
in_word (GPtrArray *items,
         guint      i)
{
  const KaTexNode *node = g_ptr_array_index (items, i);
  const KaTexNode *next = i + 1 < items->len ? g_ptr_array_index (items, i + 1) : NULL;

  return (i > 0 && is_letter (g_ptr_array_index (items, i - 1)) && !node->spaced)
         || (is_letter (next) && !next->spaced);
}

/**
 * ka_tex_spaced_words:
 * @items: (element-type KaTexNode): a row's children
 * @i: an index in @items, at least 1
 *
 * Whether the source had white space between two words here ("Cut to a shot" written as
 * math): letters of which one side belongs to a run of several. TeX would run them
 * together; the reading and the drawing keep them apart. "\Omega^2 q" and "x y" are not
 * words.
 *
 * Returns: whether to keep a word space before item @i
 */
gboolean
ka_tex_spaced_words (GPtrArray *items,
                     guint      i)
{
  const KaTexNode *node = g_ptr_array_index (items, i);

  return i > 0 && node->spaced && is_letter (node) && is_letter (g_ptr_array_index (items, i - 1))
         && (in_word (items, i - 1) || in_word (items, i));
}

static void
append_items (GString    *out,
              GPtrArray  *items)
{
  KaTexClass previous = KA_TEX_CLASS_ORD;
  gboolean first = TRUE;

  for (guint i = 0; i < items->len; i++)
    {
      const KaTexNode *node = g_ptr_array_index (items, i);
      const KaTexNode *next = i + 1 < items->len ? g_ptr_array_index (items, i + 1) : NULL;
      KaTexClass cls;

      if (node->kind == KA_TEX_SPACE)
        {
          if (node->size > 0)
            append_space (out);
          continue;
        }
      if (node->kind == KA_TEX_ROW && ka_tex_node_n_children (node) == 0)
        continue;

      cls = effective_class (node, previous, first);
      if (cls == KA_TEX_CLASS_BIN || cls == KA_TEX_CLASS_REL)
        {
          append_space (out);
          append_node (out, node);
          append_space (out);
        }
      else if (cls == KA_TEX_CLASS_PUNCT)
        {
          /* "20,000" keeps its digits together; "f(x, y)" gets its space. */
          gboolean in_number = node->text != NULL && g_str_equal (node->text, ",")
                               && is_digit_at_end (out) && starts_with_digit (next);

          append_node (out, node);
          if (!in_number)
            append_space (out);
        }
      else if (cls == KA_TEX_CLASS_OP)
        {
          /* "sin x", "ln(0.01)" */
          if (!first && previous != KA_TEX_CLASS_OPEN)
            append_space (out);
          append_node (out, node);
          if (next != NULL && next->cls != KA_TEX_CLASS_OPEN && next->cls != KA_TEX_CLASS_PUNCT)
            append_space (out);
        }
      else
        {
          if (cls == KA_TEX_CLASS_ORD && previous == KA_TEX_CLASS_ORD && ka_tex_spaced_words (items, i))
            append_space (out);
          append_node (out, node);
        }

      previous = cls;
      first = FALSE;
    }
}

static void
append_grid (GString         *out,
             const KaTexNode *matrix)
{
  const char *env = matrix->text != NULL ? matrix->text : "";
  gboolean joined = g_str_has_prefix (env, "align") || g_str_equal (env, "split")
                    || g_str_has_prefix (env, "gather") || g_str_has_prefix (env, "equation")
                    || g_str_has_prefix (env, "eqnarray") || g_str_has_prefix (env, "multline");

  for (guint r = 0; r < ka_tex_node_n_children (matrix); r++)
    {
      const KaTexNode *row = ka_tex_node_child (matrix, r);

      if (r > 0)
        {
          while (ends_with_space (out) && out->len > 0)
            g_string_truncate (out, out->len - 1);
          g_string_append (out, "; ");
        }

      if (joined)
        {
          /* "x &= 1" is one line "x = 1": the & only aligns. */
          g_autoptr(GPtrArray) items = g_ptr_array_new ();
          GString *line = g_string_new (NULL);

          for (guint c = 0; c < ka_tex_node_n_children (row); c++)
            {
              const KaTexNode *cell = ka_tex_node_child (row, c);

              for (guint k = 0; k < ka_tex_node_n_children (cell); k++)
                g_ptr_array_add (items, ka_tex_node_child (cell, k));
            }
          append_items (line, items);
          g_string_append (out, g_strstrip (line->str));
          g_string_free (line, TRUE);
          continue;
        }

      for (guint c = 0; c < ka_tex_node_n_children (row); c++)
        {
          g_autofree char *cell = node_text (ka_tex_node_child (row, c));

          if (c > 0)
            g_string_append (out, ", ");
          g_string_append (out, cell);
        }
    }
}

static void
append_node (GString         *out,
             const KaTexNode *node)
{
  switch (node->kind)
    {
    case KA_TEX_ROW:
      append_items (out, node->children);
      break;

    case KA_TEX_SYMBOL:
    case KA_TEX_TEXT:
      g_string_append (out, node->text);
      break;

    case KA_TEX_SCRIPTS:
      append_node (out, node->body);
      append_script (out, node->sub, FALSE);
      append_script (out, node->sup, TRUE);
      break;

    case KA_TEX_FRAC:
      {
        g_autofree char *num = node_text (node->body);
        g_autofree char *den = node_text (node->sub);

        if (node->flag)
          {
            /* \binom{n}{k}, inside the parentheses of its KA_TEX_DELIMITED */
            g_string_append_printf (out, "%s choose %s", num, den);
            break;
          }
        append_wrapped (out, node->body, num);
        g_string_append_c (out, '/');
        append_wrapped (out, node->sub, den);
      }
      break;

    case KA_TEX_SQRT:
      {
        g_autofree char *body = node_text (node->body);
        g_autofree char *index = node_text (node->sub);

        if (*index == '\0' || g_str_equal (index, "2"))
          g_string_append (out, "√");
        else if (g_str_equal (index, "3"))
          g_string_append (out, "∛");
        else if (g_str_equal (index, "4"))
          g_string_append (out, "∜");
        else
          {
            g_autofree char *sup = ka_tex_to_script (index, TRUE);

            if (sup != NULL)
              g_string_append (out, sup);
            else
              g_string_append_printf (out, "(%s)", index);
            g_string_append (out, "√");
          }
        append_wrapped (out, node->body, body);
      }
      break;

    case KA_TEX_DELIMITED:
      {
        g_autofree char *body = node_text (node->body);

        g_string_append (out, node->text != NULL ? node->text : "");
        g_string_append (out, body);
        g_string_append (out, node->text2 != NULL ? node->text2 : "");
      }
      break;

    case KA_TEX_ACCENT:
      {
        g_autofree char *body = node_text (node->body);
        gboolean every = g_str_equal (node->text, "\xcc\x85") || g_str_equal (node->text, "\xcc\x84");

        append_marked (out, body, node->text, every);
      }
      break;

    case KA_TEX_UNDERLINE:
      {
        g_autofree char *body = node_text (node->body);

        append_marked (out, body, "\xcc\xb2", TRUE);
      }
      break;

    case KA_TEX_MATRIX:
      append_grid (out, node);
      break;

    case KA_TEX_SPACE:
      if (node->size > 0)
        append_space (out);
      break;

    case KA_TEX_BOXED:
      append_node (out, node->body);
      break;

    case KA_TEX_UNKNOWN:
      g_string_append (out, node->text);
      for (guint i = 0; i < ka_tex_node_n_children (node); i++)
        {
          g_autofree char *arg = node_text (ka_tex_node_child (node, i));

          g_string_append_printf (out, "{%s}", arg);
        }
      break;

    default:
      g_assert_not_reached ();
    }
}

/**
 * ka_tex_node_to_text:
 * @node: a tree from ka_tex_parse()
 *
 * Returns: (transfer full): @node as one line of readable Unicode (see ka_tex_to_text())
 */
char *
ka_tex_node_to_text (const KaTexNode *node)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (node != NULL, NULL);

  /* Composed where Unicode has the letter: "ẋ" is one character for a screen reader. */
  text = node_text (node);
  return g_utf8_normalize (text, -1, G_NORMALIZE_NFC);
}

/**
 * ka_tex_count_unknown:
 * @node: (nullable): a tree from ka_tex_parse()
 *
 * Returns: how many commands in @node the parser did not know (kept literally)
 */
guint
ka_tex_count_unknown (const KaTexNode *node)
{
  guint count = 0;

  if (node == NULL)
    return 0;
  if (node->kind == KA_TEX_UNKNOWN)
    count++;
  count += ka_tex_count_unknown (node->body);
  count += ka_tex_count_unknown (node->sub);
  count += ka_tex_count_unknown (node->sup);
  for (guint i = 0; i < ka_tex_node_n_children (node); i++)
    count += ka_tex_count_unknown (ka_tex_node_child (node, i));
  return count;
}

/**
 * ka_tex_to_text:
 * @tex: TeX math source, without its delimiters
 * @length: bytes in @tex, or -1 if NUL-terminated
 *
 * Reads @tex as a person would say it in one line of Unicode text ("x² + √(a/b)"), for
 * screen readers, copying and the identity guard: Greek letters and operators as Unicode,
 * scripts as Unicode sub- and superscripts where every character has one ("Kₛₚ", "x²")
 * and as "_(…)" / "^(…)" otherwise, \frac as "a/b" with brackets where needed, \sqrt as
 * "√x" or "√(x+1)", \text and \mathbf as their content, matrices row by row ("(1, 2; 3, 4)").
 * An unknown command stays literally ("\foo"). A formula ka_tex_parse() refuses (too
 * long, too deep, unbalanced) comes back as its source with runs of white space folded.
 *
 * Returns: (transfer full): UTF-8 text
 */
char *
ka_tex_to_text (const char *tex,
                gssize      length)
{
  g_autoptr(KaTexNode) root = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (tex != NULL || length == 0, NULL);

  if (tex == NULL)
    return g_strdup ("");

  root = ka_tex_parse (tex, length, &error);
  if (root == NULL)
    {
      gsize len = length < 0 ? strlen (tex) : strnlen (tex, length);
      g_autofree char *valid = g_utf8_make_valid (tex, len);
      g_auto(GStrv) words = g_strsplit_set (valid, " \t\r\n", -1);
      GString *out = g_string_new (NULL);

      for (guint i = 0; words[i] != NULL; i++)
        if (words[i][0] != '\0')
          {
            if (out->len > 0)
              g_string_append_c (out, ' ');
            g_string_append (out, words[i]);
          }
      return g_string_free (out, FALSE);
    }

  return ka_tex_node_to_text (root);
}
