/* ka-store-private.h: KaStore internals for tests and benchmarks only
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ka-store.h"

G_BEGIN_DECLS

guint    ka_store_get_commits_on_thread (KaStore *self,
                                         GThread *thread);
GThread *ka_store_get_writer_thread     (KaStore *self);

G_END_DECLS
