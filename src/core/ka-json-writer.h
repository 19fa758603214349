/* ka-json-writer.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void ka_json_append_string (GString    *out,
                            const char *str);
void ka_json_append_int    (GString    *out,
                            gint64      value);
void ka_json_append_double (GString    *out,
                            double      value);
void ka_json_append_member (GString    *out,
                            gboolean    first,
                            const char *name);

G_END_DECLS
