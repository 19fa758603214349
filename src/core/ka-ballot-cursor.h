/* ka-ballot-cursor.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ka-ballot.h"

G_BEGIN_DECLS

typedef struct _KaBallotCursor KaBallotCursor;

KaBallotCursor *ka_ballot_cursor_open        (const char      *database_path,
                                              GError         **error);
gboolean        ka_ballot_cursor_next        (KaBallotCursor  *self,
                                              const KaBallot **ballot,
                                              GError         **error);
GPtrArray      *ka_ballot_cursor_list_device (KaBallotCursor  *self,
                                              const char      *device_id,
                                              GError         **error);
void            ka_ballot_cursor_free        (KaBallotCursor  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaBallotCursor, ka_ballot_cursor_free)

G_END_DECLS
