/* ka-tex.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * TeX mathematics as model answers write it (the subset between \( \), \[ \], $ $ and
 * $$ $$): parsed without GTK, so the identity guard, exports and tests can read it.
 * The drawing lives in src/gui/ka-math-view.c.
 */

char *ka_tex_to_text (const char *tex,
                      gssize      length);

G_END_DECLS
