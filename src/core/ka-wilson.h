/* ka-wilson.h: Wilson score interval of a binomial proportion
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void ka_rating_wilson_interval (gint64  successes,
                                gint64  trials,
                                double *lower,
                                double *upper);

G_END_DECLS
