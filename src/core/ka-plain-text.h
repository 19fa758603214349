/* ka-plain-text.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *ka_plain_text_from_markdown (const char *markdown,
                                   gssize      length);

G_END_DECLS
