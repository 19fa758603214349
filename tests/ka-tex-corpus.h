/* ka-tex-corpus.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Every formula in the real answers the tests can read (test-tex, test-math-view). */

void        ka_tex_corpus_extract (const char *markdown,
                                   GPtrArray  *out);
GPtrArray  *ka_tex_corpus_load    (guint      *n_answers);

G_END_DECLS
