/* ka-tex-node.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The tree ka_tex_parse() builds from a TeX formula: a plain struct, owned from the root
 * down, freed with ka_tex_node_free(). No GTK: the text reading (ka-tex.c) and the
 * drawing (src/gui/ka-math-layout.c) both walk it.
 */

typedef enum
{
  KA_TEX_ROW,        /* children: a horizontal list */
  KA_TEX_SYMBOL,     /* text: one atom ("x", "12.5", "α", "≤", "sin"); font, cls */
  KA_TEX_TEXT,       /* text: \text{…} contents, upright, spaces kept */
  KA_TEX_SCRIPTS,    /* body: base (never NULL, maybe an empty row); sub, sup: nullable */
  KA_TEX_FRAC,       /* body: numerator, sub: denominator; flag: no rule (\binom) */
  KA_TEX_SQRT,       /* body: radicand; sub: index (nullable) */
  KA_TEX_DELIMITED,  /* body; text: left delimiter, text2: right one ("" for "."), flag: \left…\right */
  KA_TEX_ACCENT,     /* body; text: the accent as a combining mark (U+0302 …); flag: wide (over the whole body) */
  KA_TEX_UNDERLINE,  /* body */
  KA_TEX_MATRIX,     /* children: rows (KA_TEX_ROW of cells, each a KA_TEX_ROW); text: environment */
  KA_TEX_SPACE,      /* size: width in mu (1/18 em), may be negative */
  KA_TEX_BOXED,      /* body: \boxed{…} */
  KA_TEX_UNKNOWN,    /* text: the command as written ("\foo"); children: its brace groups */
} KaTexKind;

/* TeX's atom classes, which decide the spacing between neighbours. */
typedef enum
{
  KA_TEX_CLASS_ORD,
  KA_TEX_CLASS_OP,     /* \sum, \int, \sin: large or named operators */
  KA_TEX_CLASS_BIN,    /* + − × ⋅ ∨ ∧ */
  KA_TEX_CLASS_REL,    /* = < ≤ → ∈ */
  KA_TEX_CLASS_OPEN,
  KA_TEX_CLASS_CLOSE,
  KA_TEX_CLASS_PUNCT,
  KA_TEX_CLASS_INNER,  /* fractions and \left…\right groups */
} KaTexClass;

typedef enum
{
  KA_TEX_FONT_DEFAULT,  /* letters italic, the rest upright */
  KA_TEX_FONT_ROMAN,    /* \mathrm, \text, \operatorname, function names */
  KA_TEX_FONT_BOLD,     /* \mathbf */
  KA_TEX_FONT_ITALIC,   /* \mathit */
  KA_TEX_FONT_BOLD_ITALIC, /* \boldsymbol */
  KA_TEX_FONT_SANS,     /* \mathsf */
  KA_TEX_FONT_MONO,     /* \mathtt */
} KaTexFont;

/* Limits placement of a KA_TEX_SCRIPTS node whose base is a large operator. */
typedef enum
{
  KA_TEX_LIMITS_SIDE,     /* scripts beside the base, always */
  KA_TEX_LIMITS_DISPLAY,  /* above/below in display style, beside inline (\sum, \lim) */
  KA_TEX_LIMITS_ALWAYS,   /* above/below always (\limits, \overset, \underset) */
} KaTexLimits;

typedef struct _KaTexNode KaTexNode;

struct _KaTexNode
{
  KaTexKind   kind;
  KaTexClass  cls;
  KaTexFont   font;
  KaTexLimits limits;
  gboolean    flag;
  gboolean    spaced;     /* white space before it in the source (kept between words in text) */
  int         size;       /* KA_TEX_SPACE: mu; KA_TEX_DELIMITED without \left: 1-4 (\big…\Bigg) */
  char       *text;       /* (nullable) (owned) UTF-8 */
  char       *text2;      /* (nullable) (owned) */
  KaTexNode  *body;       /* (nullable) (owned) */
  KaTexNode  *sub;        /* (nullable) (owned) */
  KaTexNode  *sup;        /* (nullable) (owned) */
  GPtrArray  *children;   /* (nullable) (owned) (element-type KaTexNode) */
};

KaTexNode  *ka_tex_node_new       (KaTexKind        kind);
KaTexNode  *ka_tex_node_new_text  (KaTexKind        kind,
                                   KaTexClass       cls,
                                   const char      *text);
void        ka_tex_node_append    (KaTexNode       *row,
                                   KaTexNode       *child);
guint       ka_tex_node_n_children (const KaTexNode *node);
KaTexNode  *ka_tex_node_child     (const KaTexNode *node,
                                   guint            index);
void        ka_tex_node_free      (KaTexNode       *node);
guint       ka_tex_node_depth     (const KaTexNode *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaTexNode, ka_tex_node_free)

G_END_DECLS
