/* ka-name-table.c: model, category and mode names: a list plus an index
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-name-table"

#include "config.h"

#include "ka-name-table.h"

/**
 * ka_name_table_init:
 * @t: a table
 *
 * Creates an empty table (names owned, index by name).
 */
void
ka_name_table_init (KaNameTable *t)
{
  t->names = g_ptr_array_new_with_free_func (g_free);
  t->index = g_hash_table_new (g_str_hash, g_str_equal);
}

/**
 * ka_name_table_clear:
 * @t: a table
 *
 * Frees the names and the index.
 */
void
ka_name_table_clear (KaNameTable *t)
{
  g_clear_pointer (&t->index, g_hash_table_unref);
  g_clear_pointer (&t->names, g_ptr_array_unref);
}

/**
 * ka_name_table_lookup:
 * @t: a table
 * @name: a name
 * @index: (out) (optional): its index
 *
 * Returns: whether @name is in the table
 */
gboolean
ka_name_table_lookup (KaNameTable *t,
                   const char  *name,
                   guint       *index)
{
  gpointer v = g_hash_table_lookup (t->index, name);

  if (v == NULL)
    return FALSE;
  if (index != NULL)
    *index = GPOINTER_TO_UINT (v) - 1;
  return TRUE;
}

/**
 * ka_name_table_add:
 * @t: a table
 * @name: a name (copied)
 *
 * Returns: the index of @name (0-based, in order of first addition), added if new
 */
guint
ka_name_table_add (KaNameTable *t,
                const char  *name)
{
  guint i;
  char *copy;

  if (ka_name_table_lookup (t, name, &i))
    return i;

  copy = g_strdup (name);
  i = t->names->len;
  g_ptr_array_add (t->names, copy);
  g_hash_table_insert (t->index, copy, GUINT_TO_POINTER (i + 1));
  return i;
}
