/* ka-math-view.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * KaMathView: one TeX formula drawn as mathematics (fractions, roots, scripts, matrices),
 * never parsed as markup; its accessible label is ka_tex_to_text().
 */
#define KA_TYPE_MATH_VIEW (ka_math_view_get_type ())

G_DECLARE_FINAL_TYPE (KaMathView, ka_math_view, KA, MATH_VIEW, GtkWidget)

GtkWidget  *ka_math_view_new        (const char    *tex,
                                     gboolean       display);
const char *ka_math_view_get_tex    (KaMathView    *self);
const char *ka_math_view_get_text   (KaMathView    *self);
gboolean    ka_math_view_get_display (KaMathView   *self);
gboolean    ka_math_view_get_parsed (KaMathView    *self);
void        ka_math_view_follow_anchor (KaMathView        *self,
                                        GtkTextBuffer     *buffer,
                                        GtkTextChildAnchor *anchor);

void        ka_math_insert_inline   (GtkTextView   *view,
                                     GtkTextIter   *iter,
                                     const char    *tex,
                                     gssize         length);

G_END_DECLS
