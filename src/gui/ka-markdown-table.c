/* ka-markdown-table.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-markdown-table"

#include "config.h"

#include <glib/gi18n.h>

#include "ka-markdown-table.h"

/* A column is never narrower than this many characters (unless its text is shorter), so
 * a wide table scrolls sideways instead of squeezing words into a letter per line. */
#define MIN_COLUMN_CHARS 8
/* Nor wider than this before its cells wrap: a comfortable measure inside a cell. */
#define MAX_COLUMN_CHARS 36

static GtkWidget *
cell_label (const char      *text,
            KaMarkdownAlign  align,
            gboolean         header)
{
  GtkWidget *label = gtk_label_new (NULL);
  glong n_chars = g_utf8_strlen (text, -1);

  gtk_label_set_text (GTK_LABEL (label), text);
  gtk_label_set_use_markup (GTK_LABEL (label), FALSE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_width_chars (GTK_LABEL (label), (int) MIN (n_chars, MIN_COLUMN_CHARS));
  gtk_label_set_max_width_chars (GTK_LABEL (label), MAX_COLUMN_CHARS);
  gtk_widget_set_valign (label, GTK_ALIGN_FILL);
  gtk_label_set_yalign (GTK_LABEL (label), 0.0);
  switch (align)
    {
    case KA_MARKDOWN_ALIGN_CENTER:
      gtk_label_set_xalign (GTK_LABEL (label), 0.5);
      gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
      break;
    case KA_MARKDOWN_ALIGN_RIGHT:
      gtk_label_set_xalign (GTK_LABEL (label), 1.0);
      gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_RIGHT);
      break;
    case KA_MARKDOWN_ALIGN_DEFAULT:
    case KA_MARKDOWN_ALIGN_LEFT:
    default:
      gtk_label_set_xalign (GTK_LABEL (label), 0.0);
      break;
    }
  gtk_widget_add_css_class (label, "ka-table-cell");
  if (header)
    gtk_widget_add_css_class (label, "ka-table-header");

  return label;
}

/**
 * ka_markdown_table_new:
 * @n_rows: rows, header rows included
 * @n_columns: columns
 * @n_header_rows: how many of the first rows are header rows
 * @cells: (array): @n_rows × @n_columns cell texts, row by row; %NULL for a missing cell
 * @align: (array): @n_columns alignments
 *
 * Returns: (transfer floating): a GtkScrolledWindow with style class "ka-table" holding the
 *   grid. Its accessible name says it is a table and how large it is.
 */
GtkWidget *
ka_markdown_table_new (guint                  n_rows,
                       guint                  n_columns,
                       guint                  n_header_rows,
                       const char * const    *cells,
                       const KaMarkdownAlign *align)
{
  GtkWidget *scroller;
  GtkWidget *grid;
  g_autofree char *name = NULL;

  grid = gtk_grid_new ();
  gtk_widget_add_css_class (grid, "ka-table-grid");
  gtk_widget_set_halign (grid, GTK_ALIGN_START);
  gtk_widget_set_valign (grid, GTK_ALIGN_START);
  for (guint r = 0; r < n_rows; r++)
    for (guint c = 0; c < n_columns; c++)
      {
        const char *text = cells[r * n_columns + c];
        GtkWidget *label = cell_label (text != NULL ? text : "", align[c], r < n_header_rows);

        if (r >= n_header_rows && (r - n_header_rows) % 2 == 1)
          gtk_widget_add_css_class (label, "ka-table-odd");
        if (c == 0)
          gtk_widget_add_css_class (label, "ka-table-first");
        gtk_grid_attach (GTK_GRID (grid), label, (int) c, (int) r, 1, 1);
      }

  /* Translators: the accessible name of a table in an answer. */
  name = g_strdup_printf (_("Table, %u rows, %u columns"), n_rows, n_columns);
  gtk_accessible_update_property (GTK_ACCESSIBLE (grid), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller),
                                  GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), grid);
  gtk_widget_add_css_class (scroller, "ka-table");

  return scroller;
}

/**
 * ka_markdown_table_get_grid:
 * @table: a widget from ka_markdown_table_new()
 *
 * Returns: (transfer none): the grid of cell labels
 */
GtkGrid *
ka_markdown_table_get_grid (GtkWidget *table)
{
  GtkWidget *child;

  g_return_val_if_fail (GTK_IS_SCROLLED_WINDOW (table), NULL);

  child = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (table));
  if (GTK_IS_VIEWPORT (child))
    child = gtk_viewport_get_child (GTK_VIEWPORT (child));

  return GTK_GRID (child);
}

/**
 * ka_markdown_table_dup_text:
 * @table: a widget from ka_markdown_table_new()
 *
 * Returns: (transfer full): the cells' text, a tab between cells and a newline after each
 *   row (what a screen reader reads, cell by cell)
 */
char *
ka_markdown_table_dup_text (GtkWidget *table)
{
  GtkGrid *grid = ka_markdown_table_get_grid (table);
  GString *out = g_string_new (NULL);
  int n_rows = 0;
  int n_columns = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (grid)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int column, row;

      gtk_grid_query_child (grid, child, &column, &row, NULL, NULL);
      n_rows = MAX (n_rows, row + 1);
      n_columns = MAX (n_columns, column + 1);
    }

  for (int r = 0; r < n_rows; r++)
    {
      for (int c = 0; c < n_columns; c++)
        {
          GtkWidget *cell = gtk_grid_get_child_at (grid, c, r);

          if (c > 0)
            g_string_append_c (out, '\t');
          if (GTK_IS_LABEL (cell))
            g_string_append (out, gtk_label_get_text (GTK_LABEL (cell)));
        }
      g_string_append_c (out, '\n');
    }

  return g_string_free (out, FALSE);
}
