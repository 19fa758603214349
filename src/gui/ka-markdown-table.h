/* ka-markdown-table.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * A Markdown table of an answer as a real grid: one wrapping, selectable GtkLabel per
 * cell (gtk_label_set_text only, never markup), the header row bold, each cell aligned as
 * the table's delimiter row says, columns as wide as their content up to a measure, in a
 * GtkScrolledWindow that scrolls sideways only when the table is too wide.
 */

typedef enum
{
  KA_MARKDOWN_ALIGN_DEFAULT,
  KA_MARKDOWN_ALIGN_LEFT,
  KA_MARKDOWN_ALIGN_CENTER,
  KA_MARKDOWN_ALIGN_RIGHT,
} KaMarkdownAlign;

GtkWidget *ka_markdown_table_new      (guint                  n_rows,
                                       guint                  n_columns,
                                       guint                  n_header_rows,
                                       const char * const    *cells,
                                       const KaMarkdownAlign *align);
GtkGrid   *ka_markdown_table_get_grid (GtkWidget             *table);
char      *ka_markdown_table_dup_text (GtkWidget             *table);

G_END_DECLS
