/* ka-bootstrap.h: bootstrap intervals of the Bradley–Terry ratings
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ka-bradley-terry.h"

G_BEGIN_DECLS

gboolean ka_bootstrap_intervals (const KaBtProblem  *p,
                                 KaRatingMethod      method,
                                 guint64             seed,
                                 guint               rounds,
                                 guint               n_threads,
                                 const double       *start,
                                 GCancellable       *cancellable,
                                 double             *lower,
                                 double             *upper,
                                 guint              *prior_rounds,
                                 GError            **error);

G_END_DECLS
