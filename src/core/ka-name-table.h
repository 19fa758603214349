/* ka-name-table.h: model, category and mode names: a list plus an index
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Internal to the rating modules. */

typedef struct
{
  GPtrArray  *names;  /* (element-type utf8) (owned) */
  GHashTable *index;  /* name → GUINT_TO_POINTER (index + 1) */
} KaNameTable;

void     ka_name_table_init   (KaNameTable *t);
void     ka_name_table_clear  (KaNameTable *t);
gboolean ka_name_table_lookup (KaNameTable *t,
                               const char  *name,
                               guint       *index);
guint    ka_name_table_add    (KaNameTable *t,
                               const char  *name);

G_END_DECLS
