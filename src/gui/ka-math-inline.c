/* ka-math-inline.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-math-view"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ka-math-view.h"
#include "ka-tex.h"

/*
 * Inline formulas in prose (\( … \), $ … $). Most are one line ("K_{sp}", "x^2 + 3x",
 * "\forall x (P(x) \lor Q)"): those become text in the buffer, so they wrap, select, copy
 * and reach screen readers like the sentence around them. Letters get the "ka-math-italic"
 * tag; a script of digits and signs ("x²", "H₂O", "Cl⁻", "10⁻³") is inserted as Unicode
 * script characters (every font has them, and they copy as themselves); any other script
 * ("K_{sp}", "e^{λt}") is inserted raised or lowered with a "ka-math-sup-N"/"ka-math-sub-N"
 * tag (rise N Pango units, scale 0.7), since Unicode's script letters (ₛ ₚ ᵃ) are missing
 * or badly drawn in many fonts; such text copies without its raising ("Ksp"). Every inserted
 * character carries "ka-math".
 *
 * A formula that needs two dimensions (a fraction, a root over more than one symbol, a
 * matrix, limits above and below, a box) becomes a small KaMathView in a child anchor.
 * GTK 4.8 sets an anchored widget with its bottom on the text baseline, so the anchor
 * character carries a "ka-math-lower-N" tag (rise −N px, N the formula's descent), which
 * puts the formula's baseline there; the view swaps it when the font size changes. The
 * tags are shared by name, so a long kiosk session does not grow the tag table. The widget is an image for screen readers, labelled with ka_tex_to_text();
 * copying the paragraph gives U+FFFC for it, as for any anchored widget.
 *
 * A formula that does not parse is inserted as its source text.
 */

typedef struct
{
  GtkTextBuffer *buffer;
  GtkTextIter   *iter;
  GtkTextTag    *math;
  GtkTextTag    *italic;
  GtkTextTag    *bold;
  GtkTextTag    *sup;
  GtkTextTag    *sub;
  GtkTextTag    *script;   /* (nullable): sup or sub while inside a script */
  gboolean       space;    /* the last inserted character was a space (or nothing yet) */
} Writer;

static gboolean
is_single_symbol (const KaTexNode *node)
{
  while (node != NULL && node->kind == KA_TEX_ROW && ka_tex_node_n_children (node) == 1)
    node = ka_tex_node_child (node, 0);
  return node != NULL && (node->kind == KA_TEX_SYMBOL || node->kind == KA_TEX_TEXT)
         && g_utf8_strlen (node->text, -1) <= 3;
}

/* Whether @node reads well as a line of styled text. */
static gboolean
is_simple (const KaTexNode *node,
           gboolean         in_script)
{
  if (node == NULL)
    return TRUE;

  switch (node->kind)
    {
    case KA_TEX_ROW:
    case KA_TEX_UNKNOWN:
      for (guint i = 0; i < ka_tex_node_n_children (node); i++)
        if (!is_simple (ka_tex_node_child (node, i), in_script))
          return FALSE;
      return TRUE;
    case KA_TEX_SYMBOL:
      return node->size == 0;
    case KA_TEX_TEXT:
    case KA_TEX_SPACE:
      return TRUE;
    case KA_TEX_SCRIPTS:
      return !in_script && node->limits != KA_TEX_LIMITS_ALWAYS
             && is_simple (node->body, FALSE) && is_simple (node->sub, TRUE)
             && is_simple (node->sup, TRUE);
    case KA_TEX_ACCENT:
      return !node->flag && is_single_symbol (node->body);
    case KA_TEX_DELIMITED:
      return is_simple (node->body, in_script);
    case KA_TEX_SQRT:
      return node->sub == NULL && is_single_symbol (node->body);
    case KA_TEX_FRAC:
    case KA_TEX_MATRIX:
    case KA_TEX_BOXED:
    case KA_TEX_UNDERLINE:
    default:
      return FALSE;
    }
}

static gboolean
wants_italic (const char *text)
{
  gunichar c;

  if (text == NULL || g_utf8_strlen (text, -1) != 1)
    return FALSE;
  c = g_utf8_get_char (text);
  return (c < 0x80 && g_ascii_isalpha (c)) || (c >= 0x3B1 && c <= 0x3F5);
}

static void
insert (Writer     *w,
        const char *text,
        GtkTextTag *style)
{
  if (text == NULL || *text == '\0')
    return;
  gtk_text_buffer_insert_with_tags (w->buffer, w->iter, text, -1, w->math, style, w->script, NULL);
  w->space = g_str_has_suffix (text, " ");
}

static void
insert_space (Writer *w)
{
  if (!w->space && w->script == NULL)
    insert (w, " ", NULL);
}

static void write_node (Writer *w, const KaTexNode *node);

static void
write_row (Writer    *w,
           GPtrArray *items)
{
  KaTexClass previous = KA_TEX_CLASS_ORD;
  gboolean first = TRUE;

  for (guint i = 0; i < items->len; i++)
    {
      const KaTexNode *node = g_ptr_array_index (items, i);
      KaTexClass cls = node->cls;

      if (node->kind == KA_TEX_SPACE)
        {
          if (node->size > 0)
            insert_space (w);
          continue;
        }
      if (cls == KA_TEX_CLASS_BIN
          && (first || previous == KA_TEX_CLASS_BIN || previous == KA_TEX_CLASS_REL
              || previous == KA_TEX_CLASS_OPEN || previous == KA_TEX_CLASS_PUNCT
              || previous == KA_TEX_CLASS_OP))
        cls = KA_TEX_CLASS_ORD;

      if (cls == KA_TEX_CLASS_BIN || cls == KA_TEX_CLASS_REL)
        {
          insert_space (w);
          write_node (w, node);
          insert_space (w);
        }
      else if (cls == KA_TEX_CLASS_PUNCT)
        {
          const KaTexNode *next = i + 1 < items->len ? g_ptr_array_index (items, i + 1) : NULL;
          const KaTexNode *before = i > 0 ? g_ptr_array_index (items, i - 1) : NULL;
          gboolean in_number = before != NULL && next != NULL
                               && before->kind == KA_TEX_SYMBOL && g_ascii_isdigit (before->text[0])
                               && next->kind == KA_TEX_SYMBOL && g_ascii_isdigit (next->text[0]);

          write_node (w, node);
          if (!in_number)
            insert_space (w);
        }
      else if (cls == KA_TEX_CLASS_OP)
        {
          if (!first && previous != KA_TEX_CLASS_OPEN)
            insert_space (w);
          write_node (w, node);
          if (i + 1 < items->len
              && ((KaTexNode *) g_ptr_array_index (items, i + 1))->cls != KA_TEX_CLASS_OPEN)
            insert_space (w);
        }
      else
        write_node (w, node);

      previous = cls;
      first = FALSE;
    }
}

static void
write_script (Writer          *w,
              const KaTexNode *script,
              gboolean         sup)
{
  g_autofree char *text = NULL;
  g_autofree char *mapped = NULL;
  GtkTextTag *saved = w->script;

  if (script == NULL)
    return;

  text = ka_tex_node_to_text (script);
  {
    /* "n = 0" → "ₙ₌₀": spaces have no script form and are not needed. */
    g_autofree char *compact = g_strdup (text);
    char *out = compact;

    for (const char *p = text; *p != '\0'; p++)
      if (*p != ' ')
        *out++ = *p;
    *out = '\0';
    /* Digits and signs only: every font has ² and ₂, while letters such as ₛ ₚ ᵃ are
     * missing or poorly drawn in many, so letters are raised or lowered text instead. */
    if (strspn (compact, "0123456789+=()") == strlen (compact)
        || g_str_equal (compact, "−") || g_str_equal (compact, "′") || g_str_equal (compact, "′′")
        || (g_str_has_prefix (compact, "−") && strspn (compact + 3, "0123456789") == strlen (compact + 3)))
      mapped = ka_tex_to_script (compact, sup);
  }
  if (mapped != NULL)
    {
      insert (w, mapped, NULL);
      return;
    }

  w->script = sup ? w->sup : w->sub;
  write_node (w, script);
  w->script = saved;
  w->space = FALSE;
}

static void
write_node (Writer          *w,
            const KaTexNode *node)
{
  if (node == NULL)
    return;

  switch (node->kind)
    {
    case KA_TEX_ROW:
      write_row (w, node->children);
      break;

    case KA_TEX_SYMBOL:
      insert (w, node->text,
              node->font == KA_TEX_FONT_BOLD || node->font == KA_TEX_FONT_BOLD_ITALIC ? w->bold
              : (node->font == KA_TEX_FONT_DEFAULT && wants_italic (node->text))
                || node->font == KA_TEX_FONT_ITALIC ? w->italic : NULL);
      break;

    case KA_TEX_TEXT:
      insert (w, node->text, node->font == KA_TEX_FONT_BOLD ? w->bold
                             : node->font == KA_TEX_FONT_ITALIC ? w->italic : NULL);
      break;

    case KA_TEX_SCRIPTS:
      write_node (w, node->body);
      write_script (w, node->sub, FALSE);
      write_script (w, node->sup, TRUE);
      break;

    case KA_TEX_ACCENT:
    case KA_TEX_SQRT:
      {
        /* "ẋ", "√2": one symbol with its mark, as ka_tex_to_text() reads it. */
        g_autofree char *text = ka_tex_node_to_text (node);
        g_autofree char *body = node->body != NULL ? ka_tex_node_to_text (node->body) : NULL;

        insert (w, text, node->kind == KA_TEX_ACCENT && wants_italic (body) ? w->italic : NULL);
      }
      break;

    case KA_TEX_DELIMITED:
      insert (w, node->text, NULL);
      write_node (w, node->body);
      insert (w, node->text2, NULL);
      break;

    case KA_TEX_UNKNOWN:
      insert (w, node->text, NULL);
      for (guint i = 0; i < ka_tex_node_n_children (node); i++)
        {
          insert (w, "{", NULL);
          write_node (w, ka_tex_node_child (node, i));
          insert (w, "}", NULL);
        }
      break;

    case KA_TEX_SPACE:
      if (node->size > 0)
        insert_space (w);
      break;

    default:
      {
        g_autofree char *text = ka_tex_node_to_text (node);

        insert (w, text, NULL);
      }
      break;
    }
}

static GtkTextTag *
ensure_tag (GtkTextBuffer *buffer,
            const char    *name,
            const char    *first_property,
            ...)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);
  GtkTextTag *tag = gtk_text_tag_table_lookup (table, name);
  va_list args;

  if (tag != NULL)
    return tag;

  tag = gtk_text_tag_new (name);
  va_start (args, first_property);
  g_object_set_valist (G_OBJECT (tag), first_property, args);
  va_end (args);
  gtk_text_tag_table_add (table, tag);
  g_object_unref (tag);
  return tag;
}

/* The text view's font size in Pango units (its CSS, so the text-size preference). */
static int
view_font_size (GtkTextView *view)
{
  const PangoFontDescription *font =
    pango_context_get_font_description (gtk_widget_get_pango_context (GTK_WIDGET (view)));
  int size = pango_font_description_get_size (font);

  if (size <= 0)
    size = 11 * PANGO_SCALE;
  if (!pango_font_description_get_size_is_absolute (font))
    size = (int) (size * 96.0 / 72.0);
  return size;
}

/**
 * ka_math_insert_inline:
 * @view: the text view that holds @iter's buffer (for child anchors)
 * @iter: where to insert; moved past the inserted formula
 * @tex: TeX math source, without delimiters
 * @length: bytes in @tex, or -1 if NUL-terminated
 *
 * Inserts an inline formula at @iter: as styled text when it is one line, as a
 * #KaMathView in a child anchor when it needs two dimensions (see the top of this file).
 */
void
ka_math_insert_inline (GtkTextView *view,
                       GtkTextIter *iter,
                       const char  *tex,
                       gssize       length)
{
  GtkTextBuffer *buffer;
  g_autoptr(KaTexNode) root = NULL;
  g_autofree char *source = NULL;
  Writer w = { 0 };
  int size;

  g_return_if_fail (GTK_IS_TEXT_VIEW (view));
  g_return_if_fail (iter != NULL);
  g_return_if_fail (tex != NULL || length == 0);

  buffer = gtk_text_view_get_buffer (view);
  source = g_utf8_make_valid (tex != NULL ? tex : "", tex == NULL ? 0 : length);
  root = ka_tex_parse (source, -1, NULL);

  w.buffer = buffer;
  w.iter = iter;
  w.math = ensure_tag (buffer, "ka-math", NULL, NULL);
  w.space = TRUE;

  if (root == NULL)
    {
      gtk_text_buffer_insert_with_tags (buffer, iter, source, -1, w.math, NULL);
      return;
    }

  size = view_font_size (view);

  if (is_simple (root, FALSE))
    {
      int rise = (int) (size * 0.35);
      g_autofree char *sup_name = g_strdup_printf ("ka-math-sup-%d", rise);
      g_autofree char *sub_name = g_strdup_printf ("ka-math-sub-%d", rise * 2 / 3);

      w.italic = ensure_tag (buffer, "ka-math-italic", "style", PANGO_STYLE_ITALIC, NULL);
      w.bold = ensure_tag (buffer, "ka-math-bold", "weight", PANGO_WEIGHT_BOLD, NULL);
      w.sup = ensure_tag (buffer, sup_name, "rise", rise, "scale", 0.7, NULL);
      w.sub = ensure_tag (buffer, sub_name, "rise", -rise * 2 / 3, "scale", 0.7, NULL);
      write_node (&w, root);
      return;
    }

  {
    GtkTextChildAnchor *anchor;
    GtkWidget *child = ka_math_view_new (source, FALSE);
    GtkTextIter start;
    int offset = gtk_text_iter_get_offset (iter);

    anchor = gtk_text_buffer_create_child_anchor (buffer, iter);
    gtk_text_view_add_child_at_anchor (view, child, anchor);
    gtk_text_buffer_get_iter_at_offset (buffer, &start, offset);
    gtk_text_buffer_apply_tag (buffer, w.math, &start, iter);

    /* Measured now, in the text view's CSS font, the formula gets its first drop at once;
     * the view keeps it right when the font size changes. */
    gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, -1, NULL, NULL, NULL, NULL);
    ka_math_view_follow_anchor (KA_MATH_VIEW (child), buffer, anchor);
    gtk_text_buffer_get_iter_at_offset (buffer, iter, offset + 1);
  }
}
