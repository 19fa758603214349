/* ka-math-layout.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-math-view"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ka-math-layout.h"
#include "ka-tex.h"

/*
 * TeX's box model, simplified: every node becomes a box (width, ascent above the baseline,
 * descent below it) holding a display list of glyph runs, rules and drawn shapes placed
 * relative to the box's baseline origin. Parents place their children's boxes and take over
 * their items, translated. Sizes follow TeX's styles (display, text, script, scriptscript)
 * as fractions of the widget's CSS font size; spacing between atoms follows TeX's table in
 * mu (1/18 of the font size). The recursion is bounded by ka_tex_parse()'s depth limit.
 */

typedef enum
{
  ITEM_GLYPHS,
  ITEM_RULE,
  ITEM_SHAPE,
} ItemKind;

typedef enum
{
  SHAPE_PAREN,
  SHAPE_BRACKET,
  SHAPE_BRACE,
  SHAPE_BAR,
  SHAPE_DOUBLE_BAR,
  SHAPE_ANGLE,
  SHAPE_FLOOR,
  SHAPE_CEIL,
  SHAPE_SLASH,
  SHAPE_RADICAL,
  SHAPE_ARROW,
} Shape;

typedef struct
{
  ItemKind     kind;
  Shape        shape;
  gboolean     mirror;   /* SHAPE: the right-hand delimiter */
  double       x, y;     /* GLYPHS: baseline origin; RULE, SHAPE: top left */
  double       w, h;     /* RULE, SHAPE: size */
  double       extra;    /* SHAPE_RADICAL: length of the bar over the radicand */
  double       line;     /* SHAPE: stroke width */
  double       baseline; /* GLYPHS: the layout's baseline below its top */
  PangoLayout *layout;   /* GLYPHS (owned) */
} Item;

typedef struct
{
  double  width;
  double  ascent;
  double  descent;
  GArray *items;
} Box;

struct _KaMathLayout
{
  Box *box;
};

typedef enum
{
  STYLE_DISPLAY,
  STYLE_TEXT,
  STYLE_SCRIPT,
  STYLE_SCRIPTSCRIPT,
} Style;

typedef struct
{
  PangoContext         *context;
  PangoFontDescription *font;
  double                px;       /* the font size in pixels */
  double                middle;   /* height for \middle delimiters, 0 outside \left…\right */
} Ctx;

static Box *layout_node (Ctx *ctx, const KaTexNode *node, Style style);

static void
clear_item (gpointer data)
{
  Item *item = data;

  g_clear_object (&item->layout);
}

static Box *
box_new (void)
{
  Box *box = g_new0 (Box, 1);

  box->items = g_array_new (FALSE, TRUE, sizeof (Item));
  g_array_set_clear_func (box->items, clear_item);
  return box;
}

static void
box_free (Box *box)
{
  if (box == NULL)
    return;
  g_array_unref (box->items);
  g_free (box);
}

/* Moves @src's items into @dst, offset by (dx, dy), and frees @src. */
static void
box_take (Box  *dst,
          Box  *src,
          double dx,
          double dy)
{
  for (guint i = 0; i < src->items->len; i++)
    {
      Item item = g_array_index (src->items, Item, i);

      item.x += dx;
      item.y += dy;
      g_array_append_val (dst->items, item);
      g_array_index (src->items, Item, i).layout = NULL;
    }
  box_free (src);
}

/* Appends @child on the baseline after what @row holds. */
static void
box_append (Box *row,
            Box *child)
{
  double x = row->width;

  row->width += child->width;
  row->ascent = MAX (row->ascent, child->ascent);
  row->descent = MAX (row->descent, child->descent);
  box_take (row, child, x, 0);
}

static void
box_add_rule (Box   *box,
              double x,
              double y,
              double w,
              double h)
{
  Item item = { 0 };

  item.kind = ITEM_RULE;
  item.x = x;
  item.y = y;
  item.w = w;
  item.h = h;
  g_array_append_val (box->items, item);
}

static void
box_add_shape (Box   *box,
               Shape  shape,
               gboolean mirror,
               double x,
               double y,
               double w,
               double h,
               double line)
{
  Item item = { 0 };

  item.kind = ITEM_SHAPE;
  item.shape = shape;
  item.mirror = mirror;
  item.x = x;
  item.y = y;
  item.w = w;
  item.h = h;
  item.line = line;
  g_array_append_val (box->items, item);
}

static double
style_px (Ctx   *ctx,
          Style  style)
{
  switch (style)
    {
    case STYLE_DISPLAY:
    case STYLE_TEXT:
      return ctx->px;
    case STYLE_SCRIPT:
      return ctx->px * 0.7;
    case STYLE_SCRIPTSCRIPT:
    default:
      return ctx->px * 0.5;
    }
}

static Style
script_style (Style style)
{
  return style <= STYLE_TEXT ? STYLE_SCRIPT : STYLE_SCRIPTSCRIPT;
}

static double
axis (Ctx   *ctx,
      Style  style)
{
  return 0.25 * style_px (ctx, style);
}

static double
rule_thickness (Ctx   *ctx,
                Style  style)
{
  return MAX (1.0, 0.06 * style_px (ctx, style));
}

/* Letters in math italic: Latin and lower-case Greek, as TeX sets them. */
static gboolean
wants_italic (const char *text)
{
  gunichar c;

  if (text == NULL || *text == '\0' || g_utf8_strlen (text, -1) != 1)
    return FALSE;
  c = g_utf8_get_char (text);
  return (c < 0x80 && g_ascii_isalpha (c)) || (c >= 0x3B1 && c <= 0x3F5) || c == 0x131 || c == 0x237;
}

/* A run of text as one PangoLayout (pango_layout_set_text: never markup). With @raw_ink the
 * box's ascent and descent are the ink's, even when negative (accents float). */
static Box *
glyph_box (Ctx        *ctx,
           Style       style,
           const char *text,
           KaTexFont   font,
           gboolean    italic,
           double      scale,
           gboolean    raw_ink)
{
  g_autoptr(PangoFontDescription) desc = pango_font_description_copy (ctx->font);
  PangoRectangle ink, logical;
  Box *box = box_new ();
  Item item = { 0 };
  double px = style_px (ctx, style) * scale;

  pango_font_description_set_absolute_size (desc, px * PANGO_SCALE);
  if (font == KA_TEX_FONT_BOLD || font == KA_TEX_FONT_BOLD_ITALIC)
    pango_font_description_set_weight (desc, PANGO_WEIGHT_BOLD);
  if (font == KA_TEX_FONT_SANS)
    pango_font_description_set_family (desc, "Sans");
  if (font == KA_TEX_FONT_MONO)
    pango_font_description_set_family (desc, "Monospace");
  pango_font_description_set_style (desc, italic || font == KA_TEX_FONT_ITALIC
                                          || font == KA_TEX_FONT_BOLD_ITALIC
                                          ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);

  item.kind = ITEM_GLYPHS;
  item.layout = pango_layout_new (ctx->context);
  pango_layout_set_font_description (item.layout, desc);
  pango_layout_set_text (item.layout, text, -1);
  pango_layout_get_extents (item.layout, &ink, &logical);
  item.baseline = pango_layout_get_baseline (item.layout) / (double) PANGO_SCALE;

  box->width = logical.width / (double) PANGO_SCALE;
  if (ink.height > 0)
    {
      box->ascent = item.baseline - ink.y / (double) PANGO_SCALE;
      box->descent = (ink.y + ink.height) / (double) PANGO_SCALE - item.baseline;
    }
  if (!raw_ink)
    {
      box->ascent = MAX (box->ascent, 0);
      box->descent = MAX (box->descent, 0);
    }
  /* Italic letters lean past their advance: a little room before what follows. */
  if (italic && font == KA_TEX_FONT_DEFAULT)
    box->width += 0.03 * px;
  g_array_append_val (box->items, item);
  return box;
}

/* Moves a box vertically so its middle sits on the math axis (large operators). */
static void
center_on_axis (Box   *box,
                double axis_height)
{
  double shift = (box->ascent - box->descent) / 2 - axis_height;

  for (guint i = 0; i < box->items->len; i++)
    g_array_index (box->items, Item, i).y += shift;
  box->ascent -= shift;
  box->descent += shift;
}

static Box *
space_box (double width)
{
  Box *box = box_new ();

  box->width = width;
  return box;
}

/* ---- delimiters ---------------------------------------------------------------------- */

static gboolean
delimiter_shape (const char *delim,
                 Shape      *shape,
                 gboolean   *mirror)
{
  static const struct { const char *text; Shape shape; gboolean mirror; } table[] = {
    { "(", SHAPE_PAREN, FALSE }, { ")", SHAPE_PAREN, TRUE },
    { "[", SHAPE_BRACKET, FALSE }, { "]", SHAPE_BRACKET, TRUE },
    { "{", SHAPE_BRACE, FALSE }, { "}", SHAPE_BRACE, TRUE },
    { "|", SHAPE_BAR, FALSE }, { "∣", SHAPE_BAR, FALSE }, { "‖", SHAPE_DOUBLE_BAR, FALSE },
    { "⟨", SHAPE_ANGLE, FALSE }, { "⟩", SHAPE_ANGLE, TRUE },
    { "⌊", SHAPE_FLOOR, FALSE }, { "⌋", SHAPE_FLOOR, TRUE },
    { "⌈", SHAPE_CEIL, FALSE }, { "⌉", SHAPE_CEIL, TRUE },
    { "/", SHAPE_SLASH, FALSE }, { "\\", SHAPE_SLASH, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_str_equal (table[i].text, delim))
      {
        *shape = table[i].shape;
        *mirror = table[i].mirror;
        return TRUE;
      }
  return FALSE;
}

/* A delimiter at least @height tall (centred on the axis): the font's glyph when that is
 * tall enough, else drawn, or the glyph stretched when there is no drawing for it. */
static Box *
delimiter_box (Ctx        *ctx,
               Style       style,
               const char *delim,
               double      height)
{
  double px = style_px (ctx, style);
  double a = axis (ctx, style);
  Shape shape;
  gboolean mirror;
  Box *box;
  double w;

  if (delim == NULL || *delim == '\0')
    return space_box (0.12 * px);

  if (height <= 1.2 * px || !delimiter_shape (delim, &shape, &mirror))
    {
      box = glyph_box (ctx, style, delim, KA_TEX_FONT_ROMAN, FALSE, 1.0, FALSE);
      if (height > 1.2 * px && box->ascent + box->descent > 0)
        {
          /* No drawing for this one (↑): stretch the glyph vertically. */
          double sy = height / (box->ascent + box->descent);
          Item *item = &g_array_index (box->items, Item, 0);

          item->extra = sy;
          box->ascent *= sy;
          box->descent *= sy;
          center_on_axis (box, a);
        }
      return box;
    }

  switch (shape)
    {
    case SHAPE_PAREN:
      w = 0.28 * px + 0.04 * height;
      break;
    case SHAPE_BRACE:
      w = 0.35 * px + 0.03 * height;
      break;
    case SHAPE_ANGLE:
      w = 0.3 * px + 0.05 * height;
      break;
    case SHAPE_BAR:
      w = 0.22 * px;
      break;
    case SHAPE_DOUBLE_BAR:
      w = 0.34 * px;
      break;
    case SHAPE_SLASH:
      w = 0.15 * px + 0.2 * height;
      break;
    case SHAPE_BRACKET:
    case SHAPE_FLOOR:
    case SHAPE_CEIL:
    case SHAPE_RADICAL:
    case SHAPE_ARROW:
    default:
      w = 0.28 * px;
      break;
    }

  box = box_new ();
  box->width = w;
  box->ascent = a + height / 2;
  box->descent = height / 2 - a;
  box_add_shape (box, shape, mirror, 0, -box->ascent, w, height, MAX (1.0, 0.055 * px));
  return box;
}

/* ---- rows ------------------------------------------------------------------------------ */

/* TeX's inter-atom spacing (The TeXbook, chapter 18): thin 3 mu, medium 4 mu, thick 5 mu;
 * negative entries apply only in display and text style. */
static int
atom_space (KaTexClass left,
            KaTexClass right,
            Style      style)
{
  static const int table[8][8] = {
    /*          ORD OP  BIN REL OPEN CLOSE PUNCT INNER */
    /* ORD   */ { 0,  3, -4, -5, 0,   0,    0,   -3 },
    /* OP    */ { 3,  3,  0, -5, 0,   0,    0,   -3 },
    /* BIN   */ { -4, -4, 0,  0, -4,  0,    0,   -4 },
    /* REL   */ { -5, -5, 0,  0, -5,  0,    0,   -5 },
    /* OPEN  */ { 0,  0,  0,  0, 0,   0,    0,    0 },
    /* CLOSE */ { 0,  3, -4, -5, 0,   0,    0,   -3 },
    /* PUNCT */ { -3, -3, 0, -3, -3, -3,   -3,   -3 },
    /* INNER */ { -3, 3, -4, -5, -3,  0,   -3,   -3 },
  };
  int mu = table[left][right];

  if (mu < 0)
    return style <= STYLE_TEXT ? -mu : 0;
  return mu;
}

static KaTexClass
effective_class (const KaTexNode *node,
                 KaTexClass       previous,
                 gboolean         first,
                 const KaTexNode *next)
{
  KaTexClass cls = node->cls;

  if (cls == KA_TEX_CLASS_BIN
      && (first || previous == KA_TEX_CLASS_BIN || previous == KA_TEX_CLASS_REL
          || previous == KA_TEX_CLASS_OPEN || previous == KA_TEX_CLASS_PUNCT
          || previous == KA_TEX_CLASS_OP))
    return KA_TEX_CLASS_ORD;
  if (cls == KA_TEX_CLASS_BIN
      && (next == NULL || next->cls == KA_TEX_CLASS_REL || next->cls == KA_TEX_CLASS_CLOSE
          || next->cls == KA_TEX_CLASS_PUNCT))
    return KA_TEX_CLASS_ORD;
  return cls;
}

static gboolean
is_digits (const KaTexNode *node)
{
  return node != NULL && node->kind == KA_TEX_SYMBOL && node->text != NULL
         && g_ascii_isdigit (node->text[0]);
}

static Box *
layout_items (Ctx       *ctx,
              GPtrArray *items,
              Style      style,
              gboolean   after_ord)
{
  Box *row = box_new ();
  KaTexClass previous = KA_TEX_CLASS_ORD;
  gboolean first = !after_ord;
  double mu = style_px (ctx, style) / 18.0;

  for (guint i = 0; i < items->len; i++)
    {
      const KaTexNode *node = g_ptr_array_index (items, i);
      const KaTexNode *next = i + 1 < items->len ? g_ptr_array_index (items, i + 1) : NULL;
      KaTexClass cls;
      Box *child;

      if (node->kind == KA_TEX_SPACE)
        {
          box_append (row, space_box (node->size * mu));
          continue;
        }
      if (node->kind == KA_TEX_ROW && ka_tex_node_n_children (node) == 0)
        continue;

      cls = effective_class (node, previous, first, next);
      if (!first)
        {
          int space = atom_space (previous, cls, style);

          /* "20,000": no space after a comma between digits. */
          if (previous == KA_TEX_CLASS_PUNCT && is_digits (node)
              && i >= 2 && is_digits (g_ptr_array_index (items, i - 2)))
            space = 0;
          /* "Cut to a shot" between \\[ \\]: as ka_tex_to_text() reads it. */
          if (previous == KA_TEX_CLASS_ORD && cls == KA_TEX_CLASS_ORD && i > 0
              && ka_tex_spaced_words (items, i))
            space = 6;
          if (space > 0)
            box_append (row, space_box (space * mu));
        }

      child = layout_node (ctx, node, style);
      box_append (row, child);
      previous = cls;
      first = FALSE;
    }
  return row;
}

static Box *
layout_row (Ctx             *ctx,
            const KaTexNode *node,
            Style            style)
{
  if (node == NULL)
    return box_new ();
  if (node->kind != KA_TEX_ROW)
    return layout_node (ctx, node, style);
  return layout_items (ctx, node->children, style, FALSE);
}

/* ---- constructs ----------------------------------------------------------------------- */

static Box *
layout_symbol (Ctx             *ctx,
               const KaTexNode *node,
               Style            style)
{
  Box *box;

  if (node->size < 0 && ctx->middle > 0)
    return delimiter_box (ctx, style, node->text, ctx->middle);
  if (node->size > 0)
    {
      static const double heights[] = { 1.0, 1.2, 1.8, 2.4, 3.0 };

      return delimiter_box (ctx, style, node->text, heights[CLAMP (node->size, 0, 4)] * style_px (ctx, style));
    }

  if (node->cls == KA_TEX_CLASS_OP && node->flag)
    {
      gboolean integral = g_str_has_prefix (node->text, "∫") || g_str_has_prefix (node->text, "∬")
                          || g_str_has_prefix (node->text, "∭") || g_str_has_prefix (node->text, "∮");
      double scale = style == STYLE_DISPLAY ? (integral ? 1.9 : 1.5) : 1.15;

      box = glyph_box (ctx, style, node->text, KA_TEX_FONT_ROMAN, FALSE, scale, FALSE);
      center_on_axis (box, axis (ctx, style));
      return box;
    }

  return glyph_box (ctx, style, node->text, node->font,
                    node->font == KA_TEX_FONT_DEFAULT && wants_italic (node->text), 1.0, FALSE);
}

static gboolean
limits_apply (const KaTexNode *node,
              Style            style)
{
  return node->limits == KA_TEX_LIMITS_ALWAYS
         || (node->limits == KA_TEX_LIMITS_DISPLAY && style == STYLE_DISPLAY);
}

static Box *
layout_scripts (Ctx             *ctx,
                const KaTexNode *node,
                Style            style)
{
  Style small = script_style (style);
  double px = style_px (ctx, style);
  /* ′ is already a raised glyph: f′(x) sets it at full size on the baseline. */
  gboolean primes = node->sup != NULL && node->sub == NULL && node->sup->kind == KA_TEX_SYMBOL
                    && node->sup->text != NULL && g_str_has_prefix (node->sup->text, "′");
  Box *base = layout_row (ctx, node->body, style);
  Box *sup = node->sup != NULL ? layout_row (ctx, node->sup, primes ? style : small) : NULL;
  Box *sub = node->sub != NULL ? layout_row (ctx, node->sub, small) : NULL;
  Box *box = box_new ();

  if (limits_apply (node, style))
    {
      double gap = 0.12 * px;
      double width = base->width;

      if (sup != NULL)
        width = MAX (width, sup->width);
      if (sub != NULL)
        width = MAX (width, sub->width);

      box->width = width;
      box->ascent = base->ascent;
      box->descent = base->descent;
      if (sup != NULL)
        {
          double y = -(base->ascent + gap + sup->descent);

          box->ascent = -y + sup->ascent;
          box_take (box, sup, (width - sup->width) / 2, y);
        }
      if (sub != NULL)
        {
          double y = base->descent + gap + sub->ascent;

          box->descent = y + sub->descent;
          box_take (box, sub, (width - sub->width) / 2, y);
        }
      box_take (box, base, (width - base->width) / 2, 0);
      return box;
    }

  {
    double x = base->width;
    double u = 0, v = 0;
    double script_width = 0;

    box->ascent = base->ascent;
    box->descent = base->descent;
    if (sup != NULL && !primes)
      {
        u = MAX (base->ascent - 0.36 * px, style == STYLE_DISPLAY ? 0.42 * px : 0.38 * px);
        u = MAX (u, sup->descent + 0.11 * px);
      }
    if (sub != NULL)
      {
        v = MAX (base->descent + 0.05 * px, sup != NULL ? 0.25 * px : 0.15 * px);
        v = MAX (v, sub->ascent - 0.36 * px);
      }
    if (sup != NULL && sub != NULL)
      {
        double gap = (u - sup->descent) - (sub->ascent - v);

        if (gap < 0.1 * px)
          v += 0.1 * px - gap;
      }
    if (sup != NULL)
      {
        script_width = MAX (script_width, sup->width);
        box->ascent = MAX (box->ascent, u + sup->ascent);
        box_take (box, sup, x, -u);
      }
    if (sub != NULL)
      {
        script_width = MAX (script_width, sub->width);
        box->descent = MAX (box->descent, v + sub->descent);
        box_take (box, sub, x, v);
      }
    box->width = x + script_width + 0.05 * px;
    box_take (box, base, 0, 0);
  }
  return box;
}

static Box *
layout_frac (Ctx             *ctx,
             const KaTexNode *node,
             Style            style)
{
  Style inner = style == STYLE_DISPLAY ? STYLE_TEXT : script_style (style);
  double px = style_px (ctx, style);
  double t = rule_thickness (ctx, style);
  double a = axis (ctx, style);
  double gap = style == STYLE_DISPLAY ? 2.5 * t : 1.5 * t;
  Box *num = layout_row (ctx, node->body, inner);
  Box *den = layout_row (ctx, node->sub, inner);
  Box *box = box_new ();
  double pad = 0.12 * px;
  double width = MAX (num->width, den->width) + 2 * pad;
  double u, v;

  u = MAX (style == STYLE_DISPLAY ? 0.68 * px : 0.4 * px, a + t / 2 + gap + num->descent);
  v = MAX (style == STYLE_DISPLAY ? 0.68 * px : 0.35 * px, den->ascent - a + t / 2 + gap);

  box->width = width;
  box->ascent = u + num->ascent;
  box->descent = v + den->descent;
  if (!node->flag)
    box_add_rule (box, pad / 2, -a - t / 2, width - pad, t);
  box_take (box, num, (width - num->width) / 2, -u);
  box_take (box, den, (width - den->width) / 2, v);
  return box;
}

static Box *
layout_sqrt (Ctx             *ctx,
             const KaTexNode *node,
             Style            style)
{
  double px = style_px (ctx, style);
  double t = rule_thickness (ctx, style);
  double gap = style == STYLE_DISPLAY ? 0.22 * px : 0.12 * px;
  Box *body = layout_row (ctx, node->body, style);
  Box *index = node->sub != NULL ? layout_row (ctx, node->sub, STYLE_SCRIPTSCRIPT) : NULL;
  Box *box = box_new ();
  double inner = MAX (body->ascent, 0.5 * px) + gap + t;
  double bottom = MAX (body->descent, 0.1 * px) + 0.05 * px;
  double height = inner + bottom;
  double w = 0.55 * px + MIN (0.25 * px, 0.04 * height);
  double x0 = 0;
  Item item = { 0 };

  if (index != NULL)
    {
      double room = 0.5 * w;
      double y = -inner + 0.45 * height - 0.05 * px;

      if (index->width > room)
        x0 = index->width - room;
      box->ascent = MAX (box->ascent, -y + index->ascent);
      box_take (box, index, x0 + room - index->width, y);
    }

  item.kind = ITEM_SHAPE;
  item.shape = SHAPE_RADICAL;
  item.x = x0;
  item.y = -inner + t / 2;
  item.w = w;
  item.h = height - t / 2;
  item.extra = body->width + 0.1 * px;
  item.line = t;
  g_array_append_val (box->items, item);

  box->width = x0 + w + body->width + 0.15 * px;
  box->ascent = MAX (box->ascent, inner + 0.05 * px);
  box->descent = bottom;
  box_take (box, body, x0 + w + 0.05 * px, 0);
  return box;
}

static gboolean
has_middle (const KaTexNode *row)
{
  for (guint i = 0; i < ka_tex_node_n_children (row); i++)
    {
      const KaTexNode *child = ka_tex_node_child (row, i);

      if (child->kind == KA_TEX_SYMBOL && child->size < 0)
        return TRUE;
    }
  return FALSE;
}

static Box *
layout_delimited (Ctx             *ctx,
                  const KaTexNode *node,
                  Style            style)
{
  double px = style_px (ctx, style);
  double a = axis (ctx, style);
  double saved_middle = ctx->middle;
  Box *inner, *box;
  double needed, height;

  ctx->middle = 0;
  inner = layout_row (ctx, node->body, style);
  needed = 2 * MAX (inner->ascent - a, inner->descent + a);
  height = needed <= 1.2 * px ? needed : needed + 0.1 * px;
  if (has_middle (node->body) && height > 1.2 * px)
    {
      /* Again, with each \middle as tall as the \left and \right. */
      box_free (inner);
      ctx->middle = height;
      inner = layout_row (ctx, node->body, style);
    }
  ctx->middle = saved_middle;
  box = box_new ();

  box_append (box, delimiter_box (ctx, style, node->text, height));
  box_append (box, inner);
  box_append (box, delimiter_box (ctx, style, node->text2, height));
  return box;
}

static const char *
spacing_accent (const char *mark)
{
  static const char *table[] = {
    "\xcc\x82", "ˆ", "\xcc\x84", "¯", "\xe2\x83\x97", "→", "\xcc\x87", "˙", "\xcc\x88", "¨",
    "\xcc\x83", "˜", "\xcc\x81", "´", "\xcc\x80", "ˋ", "\xcc\x86", "˘", "\xcc\x8c", "ˇ",
    "\xcc\x8a", "˚", "\xe2\x83\x9b", "⋯", "\xe2\x83\x96", "←", "\xe2\x83\xa1", "↔", NULL
  };

  for (guint i = 0; table[i] != NULL; i += 2)
    if (g_str_equal (table[i], mark))
      return table[i + 1];
  return "ˆ";
}

static Box *
layout_accent (Ctx             *ctx,
               const KaTexNode *node,
               Style            style)
{
  double px = style_px (ctx, style);
  double t = rule_thickness (ctx, style);
  Box *body = layout_row (ctx, node->body, style);
  Box *box = box_new ();
  gboolean arrow = g_str_equal (node->text, "\xe2\x83\x97") || g_str_equal (node->text, "\xe2\x83\x96");

  box->width = body->width;
  box->ascent = body->ascent;
  box->descent = body->descent;

  if (g_str_equal (node->text, "\xcc\x85") || (g_str_equal (node->text, "\xcc\x84") && node->flag))
    {
      /* \overline: a rule */
      double y = -(body->ascent + 2.5 * t);

      box_add_rule (box, 0, y - t, body->width, t);
      box->ascent = -y + 2 * t;
    }
  else if (arrow && node->flag)
    {
      double y = -(body->ascent + 0.35 * px);

      box_add_shape (box, SHAPE_ARROW, g_str_equal (node->text, "\xe2\x83\x96"), 0, y,
                     body->width, 0.25 * px, MAX (1.0, 0.05 * px));
      box->ascent = -y + 0.05 * px;
    }
  else
    {
      Box *accent = glyph_box (ctx, style, spacing_accent (node->text), KA_TEX_FONT_ROMAN,
                               FALSE, arrow ? 0.7 : 1.0, TRUE);
      double y = -(body->ascent + 0.08 * px) - accent->descent;
      /* Over an italic letter the accent sits a little to the right. */
      double skew = body->width < 1.2 * px ? 0.06 * px : 0;

      box->ascent = MAX (box->ascent, -y + accent->ascent);
      box_take (box, accent, (body->width - accent->width) / 2 + skew, y);
    }

  box_take (box, body, 0, 0);
  return box;
}

static Box *
layout_underline (Ctx             *ctx,
                  const KaTexNode *node,
                  Style            style)
{
  double t = rule_thickness (ctx, style);
  Box *box = layout_row (ctx, node->body, style);
  double y = box->descent + 2 * t;

  box_add_rule (box, 0, y, box->width, t);
  box->descent = y + 2 * t;
  return box;
}

static Box *
layout_boxed (Ctx             *ctx,
              const KaTexNode *node,
              Style            style)
{
  double px = style_px (ctx, style);
  double t = rule_thickness (ctx, style);
  double pad = 0.25 * px;
  Box *body = layout_row (ctx, node->body, style);
  Box *box = box_new ();
  double w = body->width + 2 * pad + 2 * t;
  double top = -(body->ascent + pad + t);
  double h = body->ascent + body->descent + 2 * pad + 2 * t;

  box->width = w;
  box->ascent = -top;
  box->descent = h + top;
  box_add_rule (box, 0, top, w, t);
  box_add_rule (box, 0, top + h - t, w, t);
  box_add_rule (box, 0, top, t, h);
  box_add_rule (box, w - t, top, t, h);
  box_take (box, body, pad + t, 0);
  return box;
}

typedef enum
{
  ALIGN_CENTER,
  ALIGN_LEFT,
  ALIGN_RIGHT,
} Align;

static Box *
layout_matrix (Ctx             *ctx,
               const KaTexNode *node,
               Style            style)
{
  const char *env = node->text != NULL ? node->text : "";
  gboolean paired = g_str_has_prefix (env, "align") || g_str_equal (env, "split")
                    || g_str_has_prefix (env, "eqnarray");
  gboolean cases = g_str_has_suffix (env, "cases");
  gboolean gathered = g_str_has_prefix (env, "gather") || g_str_has_prefix (env, "equation")
                      || g_str_has_prefix (env, "multline");
  Style cell_style = g_str_equal (env, "smallmatrix") ? STYLE_SCRIPT
                     : (gathered || paired || g_str_equal (env, "dcases")) && style == STYLE_DISPLAY
                     ? STYLE_DISPLAY : MAX (style, STYLE_TEXT);
  double px = style_px (ctx, style);
  guint n_rows = ka_tex_node_n_children (node);
  guint n_cols = 0;
  g_autofree double *col_width = NULL;
  g_autofree double *row_ascent = g_new0 (double, MAX (n_rows, 1));
  g_autofree double *row_descent = g_new0 (double, MAX (n_rows, 1));
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();
  double row_gap = (paired || gathered ? 0.35 : 0.25) * px;
  double total = 0, top, x;
  Box *box = box_new ();

  for (guint r = 0; r < n_rows; r++)
    n_cols = MAX (n_cols, ka_tex_node_n_children (ka_tex_node_child (node, r)));
  col_width = g_new0 (double, MAX (n_cols, 1));

  for (guint r = 0; r < n_rows; r++)
    {
      const KaTexNode *row = ka_tex_node_child (node, r);

      row_ascent[r] = 0.7 * px;
      row_descent[r] = 0.3 * px;
      for (guint c = 0; c < n_cols; c++)
        {
          Box *cell;

          if (c < ka_tex_node_n_children (row))
            {
              const KaTexNode *content = ka_tex_node_child (row, c);

              /* In "x &= 1" the = keeps its spacing although it starts its cell. */
              cell = content->kind == KA_TEX_ROW
                     ? layout_items (ctx, content->children, cell_style, paired && c % 2 == 1)
                     : layout_node (ctx, content, cell_style);
            }
          else
            cell = box_new ();
          col_width[c] = MAX (col_width[c], cell->width);
          row_ascent[r] = MAX (row_ascent[r], cell->ascent);
          row_descent[r] = MAX (row_descent[r], cell->descent);
          g_ptr_array_add (cells, cell);
        }
      total += row_ascent[r] + row_descent[r] + (r > 0 ? row_gap : 0);
    }

  top = -(axis (ctx, style) + total / 2);
  box->ascent = -top;
  box->descent = total + top;

  {
    double y = top;

    for (guint r = 0; r < n_rows; r++)
      {
        y += row_ascent[r];
        x = 0;
        for (guint c = 0; c < n_cols; c++)
          {
            Box *cell = g_ptr_array_index (cells, r * n_cols + c);
            Align align = paired ? (c % 2 == 0 ? ALIGN_RIGHT : ALIGN_LEFT)
                          : cases ? ALIGN_LEFT : ALIGN_CENTER;
            double dx = align == ALIGN_LEFT ? 0
                        : align == ALIGN_RIGHT ? col_width[c] - cell->width
                        : (col_width[c] - cell->width) / 2;

            box_take (box, cell, x + dx, y);
            x += col_width[c];
            if (c + 1 < n_cols)
              x += paired ? (c % 2 == 0 ? 0 : 1.5 * px) : 1.0 * px;
          }
        y += row_descent[r] + row_gap;
      }
  }

  x = 0;
  for (guint c = 0; c < n_cols; c++)
    {
      x += col_width[c];
      if (c + 1 < n_cols)
        x += paired ? (c % 2 == 0 ? 0 : 1.5 * px) : 1.0 * px;
    }
  box->width = x;
  return box;
}

static Box *
layout_unknown (Ctx             *ctx,
                const KaTexNode *node,
                Style            style)
{
  Box *box = glyph_box (ctx, style, node->text, KA_TEX_FONT_ROMAN, FALSE, 1.0, FALSE);

  for (guint i = 0; i < ka_tex_node_n_children (node); i++)
    {
      box_append (box, glyph_box (ctx, style, "{", KA_TEX_FONT_ROMAN, FALSE, 1.0, FALSE));
      box_append (box, layout_row (ctx, ka_tex_node_child (node, i), style));
      box_append (box, glyph_box (ctx, style, "}", KA_TEX_FONT_ROMAN, FALSE, 1.0, FALSE));
    }
  return box;
}

static Box *
layout_node (Ctx             *ctx,
             const KaTexNode *node,
             Style            style)
{
  if (node == NULL)
    return box_new ();

  switch (node->kind)
    {
    case KA_TEX_ROW:
      return layout_row (ctx, node, style);
    case KA_TEX_SYMBOL:
      return layout_symbol (ctx, node, style);
    case KA_TEX_TEXT:
      return glyph_box (ctx, style, node->text, node->font, FALSE, 1.0, FALSE);
    case KA_TEX_SCRIPTS:
      return layout_scripts (ctx, node, style);
    case KA_TEX_FRAC:
      return layout_frac (ctx, node, style);
    case KA_TEX_SQRT:
      return layout_sqrt (ctx, node, style);
    case KA_TEX_DELIMITED:
      return layout_delimited (ctx, node, style);
    case KA_TEX_ACCENT:
      return layout_accent (ctx, node, style);
    case KA_TEX_UNDERLINE:
      return layout_underline (ctx, node, style);
    case KA_TEX_MATRIX:
      return layout_matrix (ctx, node, style);
    case KA_TEX_SPACE:
      return space_box (node->size * style_px (ctx, style) / 18.0);
    case KA_TEX_BOXED:
      return layout_boxed (ctx, node, style);
    case KA_TEX_UNKNOWN:
      return layout_unknown (ctx, node, style);
    default:
      g_assert_not_reached ();
    }
  return NULL;
}

/* ---- public ------------------------------------------------------------------------------ */

static double
font_px (PangoContext               *context,
         const PangoFontDescription *font)
{
  double size = pango_font_description_get_size (font) / (double) PANGO_SCALE;

  if (size <= 0)
    size = 10;
  if (!pango_font_description_get_size_is_absolute (font))
    size *= 96.0 / 72.0;
  (void) context;
  return size;
}

/**
 * ka_math_layout_new:
 * @context: the widget's Pango context
 * @font: the widget's font (its CSS font family and size)
 * @root: a tree from ka_tex_parse()
 * @display: display style (large operators, limits above and below) or text style
 *
 * Returns: (transfer full): the laid-out formula
 */
KaMathLayout *
ka_math_layout_new (PangoContext               *context,
                    const PangoFontDescription *font,
                    const KaTexNode            *root,
                    gboolean                    display)
{
  KaMathLayout *self = g_new0 (KaMathLayout, 1);
  Ctx ctx = { 0 };

  ctx.context = context;
  ctx.font = pango_font_description_copy (font);
  ctx.px = font_px (context, font);
  self->box = layout_node (&ctx, root, display ? STYLE_DISPLAY : STYLE_TEXT);
  pango_font_description_free (ctx.font);
  return self;
}

/**
 * ka_math_layout_new_text:
 * @context: the widget's Pango context
 * @font: the widget's font
 * @text: plain text (a formula that did not parse, shown as its source)
 *
 * Returns: (transfer full): @text set on one line
 */
KaMathLayout *
ka_math_layout_new_text (PangoContext               *context,
                         const PangoFontDescription *font,
                         const char                 *text)
{
  KaMathLayout *self = g_new0 (KaMathLayout, 1);
  Ctx ctx = { 0 };
  PangoFontMetrics *metrics;

  ctx.context = context;
  ctx.font = pango_font_description_copy (font);
  ctx.px = font_px (context, font);
  self->box = glyph_box (&ctx, STYLE_TEXT, text, KA_TEX_FONT_ROMAN, FALSE, 1.0, FALSE);
  /* Plain text keeps the font's line height, like the prose around it. */
  metrics = pango_context_get_metrics (context, ctx.font, NULL);
  self->box->ascent = MAX (self->box->ascent, pango_font_metrics_get_ascent (metrics) / (double) PANGO_SCALE);
  self->box->descent = MAX (self->box->descent, pango_font_metrics_get_descent (metrics) / (double) PANGO_SCALE);
  pango_font_metrics_unref (metrics);
  pango_font_description_free (ctx.font);
  return self;
}

void
ka_math_layout_free (KaMathLayout *self)
{
  if (self == NULL)
    return;
  box_free (self->box);
  g_free (self);
}

double
ka_math_layout_get_width (KaMathLayout *self)
{
  return self->box->width;
}

double
ka_math_layout_get_ascent (KaMathLayout *self)
{
  return self->box->ascent;
}

double
ka_math_layout_get_descent (KaMathLayout *self)
{
  return self->box->descent;
}

guint
ka_math_layout_get_n_items (KaMathLayout *self)
{
  return self->box->items->len;
}

/**
 * ka_math_layout_find_glyph:
 * @self: a layout
 * @text: the text of a glyph run ("x", "2", "∑")
 * @x: (out) (optional): its left edge
 * @baseline: (out) (optional): its baseline (negative: above the formula's)
 * @size: (out) (optional): its font size in pixels
 *
 * Where the first glyph run showing @text was placed (for tests of the geometry).
 *
 * Returns: whether there is one
 */
gboolean
ka_math_layout_find_glyph (KaMathLayout *self,
                           const char   *text,
                           double       *x,
                           double       *baseline,
                           double       *size)
{
  for (guint i = 0; i < self->box->items->len; i++)
    {
      const Item *item = &g_array_index (self->box->items, Item, i);

      if (item->kind != ITEM_GLYPHS || g_strcmp0 (pango_layout_get_text (item->layout), text) != 0)
        continue;
      if (x != NULL)
        *x = item->x;
      if (baseline != NULL)
        *baseline = item->y;
      if (size != NULL)
        *size = pango_font_description_get_size (pango_layout_get_font_description (item->layout))
                / (double) PANGO_SCALE;
      return TRUE;
    }
  return FALSE;
}

static void
draw_shape (cairo_t    *cr,
            const Item *item)
{
  double x = item->x, y = item->y, w = item->w, h = item->h;
  double pad = MIN (w * 0.2, item->line * 2);
  double xl = x + pad, xr = x + w - pad, xm = x + w / 2;

  cairo_save (cr);
  cairo_set_line_width (cr, item->line);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  if (item->mirror)
    {
      /* The right-hand delimiter is the left one mirrored about the box's centre. */
      cairo_translate (cr, 2 * x + w, 0);
      cairo_scale (cr, -1, 1);
    }

  switch (item->shape)
    {
    case SHAPE_PAREN:
      cairo_move_to (cr, xr, y);
      cairo_curve_to (cr, xl - pad, y + h * 0.3, xl - pad, y + h * 0.7, xr, y + h);
      break;
    case SHAPE_BRACKET:
      cairo_move_to (cr, xr, y);
      cairo_line_to (cr, xl, y);
      cairo_line_to (cr, xl, y + h);
      cairo_line_to (cr, xr, y + h);
      break;
    case SHAPE_FLOOR:
      cairo_move_to (cr, xl, y);
      cairo_line_to (cr, xl, y + h);
      cairo_line_to (cr, xr, y + h);
      break;
    case SHAPE_CEIL:
      cairo_move_to (cr, xr, y);
      cairo_line_to (cr, xl, y);
      cairo_line_to (cr, xl, y + h);
      break;
    case SHAPE_BRACE:
      {
        double q = MIN (w * 0.6, h * 0.12);
        double mid = y + h / 2;

        cairo_move_to (cr, xr, y);
        cairo_curve_to (cr, xm, y, xm, y, xm, y + q);
        cairo_line_to (cr, xm, mid - q);
        cairo_curve_to (cr, xm, mid, xm, mid, xl, mid);
        cairo_curve_to (cr, xm, mid, xm, mid, xm, mid + q);
        cairo_line_to (cr, xm, y + h - q);
        cairo_curve_to (cr, xm, y + h, xm, y + h, xr, y + h);
      }
      break;
    case SHAPE_BAR:
      cairo_move_to (cr, xm, y);
      cairo_line_to (cr, xm, y + h);
      break;
    case SHAPE_DOUBLE_BAR:
      cairo_move_to (cr, x + w * 0.35, y);
      cairo_line_to (cr, x + w * 0.35, y + h);
      cairo_move_to (cr, x + w * 0.65, y);
      cairo_line_to (cr, x + w * 0.65, y + h);
      break;
    case SHAPE_ANGLE:
      cairo_move_to (cr, xr, y);
      cairo_line_to (cr, xl, y + h / 2);
      cairo_line_to (cr, xr, y + h);
      break;
    case SHAPE_SLASH:
      cairo_move_to (cr, xr, y);
      cairo_line_to (cr, xl, y + h);
      break;
    case SHAPE_RADICAL:
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_MITER);
      cairo_move_to (cr, x, y + h * 0.62);
      cairo_line_to (cr, x + w * 0.2, y + h * 0.52);
      cairo_line_to (cr, x + w * 0.5, y + h);
      cairo_line_to (cr, x + w, y);
      cairo_line_to (cr, x + w + item->extra, y);
      break;
    case SHAPE_ARROW:
      {
        double mid = y + h / 2;

        cairo_move_to (cr, x, mid);
        cairo_line_to (cr, x + w, mid);
        cairo_move_to (cr, x + w - h * 0.6, y);
        cairo_line_to (cr, x + w, mid);
        cairo_line_to (cr, x + w - h * 0.6, y + h);
      }
      break;
    default:
      break;
    }

  cairo_stroke (cr);
  cairo_restore (cr);
}

/**
 * ka_math_layout_snapshot:
 * @self: a layout
 * @snapshot: where to draw, with the formula's baseline origin at (0, 0)
 * @color: the foreground colour (the widget's CSS colour)
 */
void
ka_math_layout_snapshot (KaMathLayout  *self,
                         GtkSnapshot   *snapshot,
                         const GdkRGBA *color)
{
  for (guint i = 0; i < self->box->items->len; i++)
    {
      const Item *item = &g_array_index (self->box->items, Item, i);

      switch (item->kind)
        {
        case ITEM_GLYPHS:
          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (item->x, item->y));
          if (item->extra > 0)
            gtk_snapshot_scale (snapshot, 1, item->extra);
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (0, -item->baseline));
          gtk_snapshot_append_layout (snapshot, item->layout, color);
          gtk_snapshot_restore (snapshot);
          break;

        case ITEM_RULE:
          gtk_snapshot_append_color (snapshot, color,
                                     &GRAPHENE_RECT_INIT (item->x, item->y, item->w, item->h));
          break;

        case ITEM_SHAPE:
          {
            double margin = item->line * 2;
            double width = item->w + (item->shape == SHAPE_RADICAL ? item->extra : 0);
            cairo_t *cr = gtk_snapshot_append_cairo (snapshot,
                                                     &GRAPHENE_RECT_INIT (item->x - margin,
                                                                          item->y - margin,
                                                                          width + 2 * margin,
                                                                          item->h + 2 * margin));

            gdk_cairo_set_source_rgba (cr, color);
            draw_shape (cr, item);
            cairo_destroy (cr);
          }
          break;

        default:
          break;
        }
    }
}
