/* ka-test-source.h: large pack sources for tests and benchmarks, made from a real one
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char     *ka_test_source_real_dir (void);
gboolean  ka_test_source_make     (const char  *real_dir,
                                   const char  *dir,
                                   guint        copies,
                                   guint        n_models,
                                   GError     **error);
void      ka_test_source_remove   (const char  *dir);

G_END_DECLS
