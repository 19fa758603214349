/* ka-text-fold.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *ka_text_fold (const char *text,
                    gssize      length);

G_END_DECLS
