/* ka-math-layout.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ka-tex-node.h"

G_BEGIN_DECLS

/*
 * The box layout of a KaTexNode tree: every glyph placed with Pango (plain text, never
 * markup), rules and drawn delimiters and radicals, in pixels relative to the formula's
 * baseline at its left edge (y grows downwards, so the top is at -ascent).
 */

typedef struct _KaMathLayout KaMathLayout;

KaMathLayout *ka_math_layout_new        (PangoContext                *context,
                                         const PangoFontDescription  *font,
                                         const KaTexNode             *root,
                                         gboolean                     display);
KaMathLayout *ka_math_layout_new_text   (PangoContext                *context,
                                         const PangoFontDescription  *font,
                                         const char                  *text);
void          ka_math_layout_free       (KaMathLayout                *layout);
double        ka_math_layout_get_width  (KaMathLayout                *layout);
double        ka_math_layout_get_ascent (KaMathLayout                *layout);
double        ka_math_layout_get_descent (KaMathLayout               *layout);
guint         ka_math_layout_get_n_items (KaMathLayout               *layout);
gboolean      ka_math_layout_find_glyph (KaMathLayout               *layout,
                                         const char                  *text,
                                         double                      *x,
                                         double                      *baseline,
                                         double                      *size);
void          ka_math_layout_snapshot   (KaMathLayout                *layout,
                                         GtkSnapshot                 *snapshot,
                                         const GdkRGBA               *color);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaMathLayout, ka_math_layout_free)

G_END_DECLS
