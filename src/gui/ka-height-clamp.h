/* ka-height-clamp.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * KaHeightClamp: holds one GtkScrolledWindow and asks for exactly the height its content
 * needs at the width it is given, up to "max-height" pixels; beyond that the content
 * scrolls. GtkScrolledWindow in GTK 4.8 measures its content's natural height without
 * the width (so wrapped text gets one line's height, or the scrollbar's minimum).
 */
#define KA_TYPE_HEIGHT_CLAMP (ka_height_clamp_get_type ())

G_DECLARE_FINAL_TYPE (KaHeightClamp, ka_height_clamp, KA, HEIGHT_CLAMP, GtkWidget)

GtkWidget *ka_height_clamp_new            (void);
int        ka_height_clamp_get_max_height (KaHeightClamp *self);
void       ka_height_clamp_set_max_height (KaHeightClamp *self,
                                           int            max_height);

G_END_DECLS
