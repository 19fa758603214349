/* ka-code-view.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * A code block of an answer: a read-only, selectable GtkSourceView 5 that never wraps
 * (long lines scroll sideways, so indentation stays visible), highlighted from the
 * fence's language and coloured with the Adwaita scheme that follows the dark style.
 */

GtkWidget   *ka_code_view_new         (const char *code,
                                       const char *language);
GtkTextView *ka_code_view_get_view    (GtkWidget  *code_view);

G_END_DECLS
