/* ka-export-writer.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ka-ballot.h"
#include "ka-pack.h"
#include "ka-rating.h"

G_BEGIN_DECLS

gboolean     ka_export_write                (const char         *dir,
                                             GPtrArray          *ballots,
                                             GPtrArray          *packs,
                                             const KaRatingOptions *tally_options,
                                             GError            **error);
gboolean     ka_export_write_database       (const char         *dir,
                                             const char         *database_path,
                                             GPtrArray          *packs,
                                             const KaRatingOptions *tally_options,
                                             guint              *n_ballots,
                                             GError            **error);

G_END_DECLS
