/* ka-winrate-heatmap.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-winrate-heatmap"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ka-leaderboard-view.h"
#include "ka-winrate-heatmap.h"

#define CELL_WIDTH    56
#define CELL_HEIGHT   30
#define CELL_GAP      2
#define PAD           12
#define LABEL_GAP     10
#define MAX_LABEL     200
#define LEGEND_GAP    10
#define SIN45         0.70710678

struct _KaWinrateHeatmap
{
  GtkWidget       parent_instance;

  KaRatingResult *result;       /* (nullable) */
  char           *description;  /* (owned) */
  int             label_width;  /* widest model name, at most MAX_LABEL */
};

G_DEFINE_FINAL_TYPE (KaWinrateHeatmap, ka_winrate_heatmap, GTK_TYPE_WIDGET)

static guint
n_models (KaWinrateHeatmap *self)
{
  return self->result != NULL ? ka_rating_result_get_n_models (self->result) : 0;
}

static const char *
model_name (KaWinrateHeatmap *self,
            guint             i)
{
  return ka_rating_result_get_entry (self->result, i)->model;
}

static int
header_height (KaWinrateHeatmap *self)
{
  return (int) ceil (self->label_width * SIN45) + 16;
}

static double
grid_x (KaWinrateHeatmap *self)
{
  return PAD + self->label_width + LABEL_GAP;
}

static double
grid_y (KaWinrateHeatmap *self)
{
  return PAD + header_height (self);
}

static void
update_label_width (KaWinrateHeatmap *self)
{
  int widest = 0;

  for (guint i = 0; i < n_models (self); i++)
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self),
                                                                      model_name (self, i));
      int w;

      pango_layout_get_pixel_size (layout, &w, NULL);
      widest = MAX (widest, w);
    }

  self->label_width = MIN (widest, MAX_LABEL);
}

static PangoLayout *
legend_layout (KaWinrateHeatmap *self)
{
  PangoLayout *layout;

  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self),
                                           _("Each cell: the share of decisive ballots the "
                                             "row’s model won against the column’s model "
                                             "(ties and both bad excluded). Grey: never "
                                             "decided between the two."));
  pango_layout_set_width (layout, (int) MAX (360, n_models (self) * CELL_WIDTH) * PANGO_SCALE);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  return layout;
}

static void
ka_winrate_heatmap_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  KaWinrateHeatmap *self = KA_WINRATE_HEATMAP (widget);
  guint n = n_models (self);

  if (n == 0)
    {
      *minimum = *natural = 0;
      return;
    }

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = (int) (grid_x (self) +
                                 MAX (n * CELL_WIDTH + ceil (self->label_width * SIN45), 360) +
                                 PAD);
  else
    {
      g_autoptr(PangoLayout) legend = legend_layout (self);
      int legend_height;

      pango_layout_get_pixel_size (legend, NULL, &legend_height);
      *minimum = *natural = (int) (grid_y (self) + n * CELL_HEIGHT + LEGEND_GAP +
                                   legend_height + PAD);
    }
}

/**
 * ka_winrate_heatmap_get_cell_area:
 * @row: the row model (the result's entry index)
 * @column: the column model
 * @area: (out): where the cell is drawn, in widget coordinates
 *
 * Returns: %FALSE if there is no such cell
 */
gboolean
ka_winrate_heatmap_get_cell_area (KaWinrateHeatmap *self,
                                  guint             row,
                                  guint             column,
                                  graphene_rect_t  *area)
{
  g_return_val_if_fail (KA_IS_WINRATE_HEATMAP (self), FALSE);
  g_return_val_if_fail (area != NULL, FALSE);

  if (row >= n_models (self) || column >= n_models (self))
    return FALSE;

  graphene_rect_init (area,
                      grid_x (self) + column * CELL_WIDTH + CELL_GAP / 2.0,
                      grid_y (self) + row * CELL_HEIGHT + CELL_GAP / 2.0,
                      CELL_WIDTH - CELL_GAP, CELL_HEIGHT - CELL_GAP);
  return TRUE;
}

/**
 * ka_winrate_heatmap_get_cell_at:
 * @x: x in widget coordinates
 * @y: y in widget coordinates
 * @row: (out) (optional): the row model at (@x, @y)
 * @column: (out) (optional): the column model
 *
 * Returns: %TRUE if (@x, @y) is on a cell
 */
gboolean
ka_winrate_heatmap_get_cell_at (KaWinrateHeatmap *self,
                                double            x,
                                double            y,
                                guint            *row,
                                guint            *column)
{
  double c, r;

  g_return_val_if_fail (KA_IS_WINRATE_HEATMAP (self), FALSE);

  c = floor ((x - grid_x (self)) / CELL_WIDTH);
  r = floor ((y - grid_y (self)) / CELL_HEIGHT);
  if (c < 0 || r < 0 || c >= n_models (self) || r >= n_models (self))
    return FALSE;

  if (row != NULL)
    *row = (guint) r;
  if (column != NULL)
    *column = (guint) c;
  return TRUE;
}

/**
 * ka_winrate_heatmap_get_cell_text:
 * @row: the row model (the result's entry index)
 * @column: the column model
 *
 * Returns: (transfer full) (nullable): the cell's label ("63 %", "—" for a pair without a
 *   decisive ballot, "" on the diagonal), or %NULL if there is no such cell
 */
char *
ka_winrate_heatmap_get_cell_text (KaWinrateHeatmap *self,
                                  guint             row,
                                  guint             column)
{
  double rate;

  g_return_val_if_fail (KA_IS_WINRATE_HEATMAP (self), NULL);

  if (row >= n_models (self) || column >= n_models (self))
    return NULL;
  if (row == column)
    return g_strdup ("");

  rate = ka_rating_result_get_win_rate (self->result, row, column);
  if (isnan (rate))
    return g_strdup ("—");

  {
    g_autofree char *number = g_strdup_printf ("%.0f", 100.0 * rate);

    /* Translators: a percentage in a heatmap cell; %s is a whole number. */
    return g_strdup_printf (_("%s %%"), number);
  }
}

/**
 * ka_winrate_heatmap_get_cell_tooltip:
 * @row: the row model
 * @column: the column model
 *
 * Returns: (transfer full) (nullable): a sentence describing the cell, or %NULL if there
 *   is no such cell
 */
char *
ka_winrate_heatmap_get_cell_tooltip (KaWinrateHeatmap *self,
                                     guint             row,
                                     guint             column)
{
  const char *a, *b;
  gint64 battles;
  double rate;

  g_return_val_if_fail (KA_IS_WINRATE_HEATMAP (self), NULL);

  if (row >= n_models (self) || column >= n_models (self))
    return NULL;

  a = model_name (self, row);
  b = model_name (self, column);
  if (row == column)
    return g_strdup (a);

  battles = ka_rating_result_get_battles (self->result, row, column);
  rate = ka_rating_result_get_win_rate (self->result, row, column);
  if (battles == 0)
    return g_strdup_printf (_("%s and %s were never compared"), a, b);
  else
    {
      g_autofree char *count = ka_format_count (battles);

      if (isnan (rate))
        return g_strdup_printf (_("%s against %s: every one of %s battles was a tie or both bad"),
                                a, b, count);
      else
        {
          g_autofree char *percent = ka_format_percent (rate);

          /* Translators: model, other model, percentage, number of battles. */
          return g_strdup_printf (_("%s against %s: won %s of the decisive ballots "
                                    "(ties excluded); %s battles in all"),
                                  a, b, percent, count);
        }
    }
}

static void
lookup_color (GtkWidget  *widget,
              const char *name,
              GdkRGBA    *color)
{
  GtkStyleContext *context = gtk_widget_get_style_context (widget);

  gtk_style_context_get_color (context, color);
  if (name != NULL)
    gtk_style_context_lookup_color (context, name, color);
}

static GdkRGBA
mix (const GdkRGBA *a,
     const GdkRGBA *b,
     double         t)
{
  GdkRGBA c;

  c.red = (float) (a->red + (b->red - a->red) * t);
  c.green = (float) (a->green + (b->green - a->green) * t);
  c.blue = (float) (a->blue + (b->blue - a->blue) * t);
  c.alpha = (float) (a->alpha + (b->alpha - a->alpha) * t);
  return c;
}

static double
luminance (const GdkRGBA *c)
{
  return 0.2126 * c->red + 0.7152 * c->green + 0.0722 * c->blue;
}

static void
append_text (GtkSnapshot   *snapshot,
             PangoLayout   *layout,
             double         x,
             double         y,
             const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float) x, (float) y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
ka_winrate_heatmap_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  KaWinrateHeatmap *self = KA_WINRATE_HEATMAP (widget);
  guint n = n_models (self);
  GdkRGBA fg, base, high, low, light_text, dark_text, grey, diagonal;
  double gx = grid_x (self), gy = grid_y (self);

  if (n == 0)
    return;

  lookup_color (widget, NULL, &fg);
  lookup_color (widget, "view_bg_color", &base);
  lookup_color (widget, "accent_bg_color", &high);
  lookup_color (widget, "error_bg_color", &low);
  light_text = (GdkRGBA) { 1, 1, 1, 1 };
  dark_text = (GdkRGBA) { 0, 0, 0, 0.8f };
  if (base.alpha < 0.01f)
    base = (GdkRGBA) { 1, 1, 1, 1 };
  grey = fg;
  grey.alpha *= 0.08f;
  diagonal = fg;
  diagonal.alpha *= 0.18f;

  /* Row labels, right-aligned. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, model_name (self, i));
      int h;

      pango_layout_set_width (layout, self->label_width * PANGO_SCALE);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_alignment (layout, PANGO_ALIGN_RIGHT);
      pango_layout_get_pixel_size (layout, NULL, &h);
      append_text (snapshot, layout, PAD, gy + i * CELL_HEIGHT + (CELL_HEIGHT - h) / 2.0, &fg);
    }

  /* Column labels, rising at 45° from the top of their column. */
  for (guint j = 0; j < n; j++)
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, model_name (self, j));
      int h;

      pango_layout_set_width (layout, self->label_width * PANGO_SCALE);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_get_pixel_size (layout, NULL, &h);

      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot,
                              &GRAPHENE_POINT_INIT ((float) (gx + j * CELL_WIDTH + CELL_WIDTH / 2.0),
                                                    (float) (gy - 6)));
      gtk_snapshot_rotate (snapshot, -45.0f);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (0, (float) (-h / 2.0)));
      gtk_snapshot_append_layout (snapshot, layout, &fg);
      gtk_snapshot_restore (snapshot);
    }

  /* Cells. */
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < n; j++)
      {
        graphene_rect_t area;
        GskRoundedRect rounded;
        GdkRGBA fill;
        g_autofree char *text = NULL;

        ka_winrate_heatmap_get_cell_area (self, i, j, &area);
        gsk_rounded_rect_init_from_rect (&rounded, &area, 3.0f);

        if (i == j)
          fill = diagonal;
        else
          {
            double rate = ka_rating_result_get_win_rate (self->result, i, j);

            if (isnan (rate))
              fill = grey;
            else if (rate >= 0.5)
              fill = mix (&base, &high, MIN (1.0, (rate - 0.5) * 2.0) * 0.9);
            else
              fill = mix (&base, &low, MIN (1.0, (0.5 - rate) * 2.0) * 0.9);
          }

        gtk_snapshot_push_rounded_clip (snapshot, &rounded);
        gtk_snapshot_append_color (snapshot, &fill, &area);
        gtk_snapshot_pop (snapshot);

        text = ka_winrate_heatmap_get_cell_text (self, i, j);
        if (text != NULL && *text != '\0')
          {
            g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
            gboolean greyed = i != j && isnan (ka_rating_result_get_win_rate (self->result, i, j));
            GdkRGBA color;
            int w, h;

            /* Readable on any fill: light text on a strong colour, dark on a pale one. */
            if (greyed)
              {
                color = fg;
                color.alpha *= 0.5f;
              }
            else if (fill.alpha > 0.5f && luminance (&fill) < 0.5)
              color = light_text;
            else
              color = dark_text;

            pango_layout_get_pixel_size (layout, &w, &h);
            append_text (snapshot, layout,
                         area.origin.x + (area.size.width - w) / 2.0,
                         area.origin.y + (area.size.height - h) / 2.0, &color);
          }
      }

  /* Legend. */
  {
    g_autoptr(PangoLayout) layout = legend_layout (self);
    GdkRGBA dim = fg;

    dim.alpha *= 0.7f;
    append_text (snapshot, layout, gx, gy + n * CELL_HEIGHT + LEGEND_GAP, &dim);
  }
}

static gboolean
ka_winrate_heatmap_query_tooltip (GtkWidget  *widget,
                                  int         x,
                                  int         y,
                                  gboolean    keyboard,
                                  GtkTooltip *tooltip)
{
  KaWinrateHeatmap *self = KA_WINRATE_HEATMAP (widget);
  g_autofree char *text = NULL;
  graphene_rect_t area;
  GdkRectangle rect;
  guint row, column;

  if (keyboard || !ka_winrate_heatmap_get_cell_at (self, x, y, &row, &column))
    return FALSE;

  text = ka_winrate_heatmap_get_cell_tooltip (self, row, column);
  ka_winrate_heatmap_get_cell_area (self, row, column, &area);
  rect = (GdkRectangle) { (int) area.origin.x, (int) area.origin.y,
                          (int) area.size.width, (int) area.size.height };
  gtk_tooltip_set_tip_area (tooltip, &rect);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
update_description (KaWinrateHeatmap *self)
{
  guint n = n_models (self);
  GString *s;

  g_clear_pointer (&self->description, g_free);

  if (n == 0)
    {
      self->description = g_strdup (_("No win rates to show"));
    }
  else
    {
      s = g_string_new (_("Win rates between models, ties excluded: the share of decisive "
                          "ballots the first model won against each other model."));
      for (guint i = 0; i < n; i++)
        {
          g_string_append_c (s, ' ');
          g_string_append (s, model_name (self, i));
          g_string_append (s, ": ");
          for (guint j = 0, k = 0; j < n; j++)
            {
              g_autofree char *text = NULL;

              if (j == i)
                continue;
              text = ka_winrate_heatmap_get_cell_text (self, i, j);
              if (k++ > 0)
                g_string_append (s, ", ");
              /* Translators: "against MODEL PERCENT" in the heatmap's description. */
              g_string_append_printf (s, _("against %s %s"), model_name (self, j),
                                      g_str_equal (text, "—") ? _("no decisive ballot") : text);
            }
          g_string_append_c (s, '.');
        }
      self->description = g_string_free (s, FALSE);
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->description,
                                  -1);
}

static void
ka_winrate_heatmap_css_changed (GtkWidget         *widget,
                                GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (ka_winrate_heatmap_parent_class)->css_changed (widget, change);

  /* The font may have changed: the labels' width with it. */
  update_label_width (KA_WINRATE_HEATMAP (widget));
  gtk_widget_queue_resize (widget);
}

static void
ka_winrate_heatmap_finalize (GObject *object)
{
  KaWinrateHeatmap *self = KA_WINRATE_HEATMAP (object);

  g_clear_pointer (&self->result, ka_rating_result_unref);
  g_clear_pointer (&self->description, g_free);

  G_OBJECT_CLASS (ka_winrate_heatmap_parent_class)->finalize (object);
}

static void
ka_winrate_heatmap_class_init (KaWinrateHeatmapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ka_winrate_heatmap_finalize;

  widget_class->measure = ka_winrate_heatmap_measure;
  widget_class->snapshot = ka_winrate_heatmap_snapshot;
  widget_class->query_tooltip = ka_winrate_heatmap_query_tooltip;
  widget_class->css_changed = ka_winrate_heatmap_css_changed;

  gtk_widget_class_set_css_name (widget_class, "winrateheatmap");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ka_winrate_heatmap_init (KaWinrateHeatmap *self)
{
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Win-rate matrix"),
                                  -1);
  update_description (self);
}

GtkWidget *
ka_winrate_heatmap_new (void)
{
  return g_object_new (KA_TYPE_WINRATE_HEATMAP, NULL);
}

/**
 * ka_winrate_heatmap_set_result:
 * @result: (nullable): the leaderboard whose win-rate matrix to draw
 */
void
ka_winrate_heatmap_set_result (KaWinrateHeatmap *self,
                               KaRatingResult   *result)
{
  g_return_if_fail (KA_IS_WINRATE_HEATMAP (self));

  if (result == self->result)
    return;

  if (result != NULL)
    ka_rating_result_ref (result);
  g_clear_pointer (&self->result, ka_rating_result_unref);
  self->result = result;

  update_label_width (self);
  update_description (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* Returns: (transfer none) (nullable) */
KaRatingResult *
ka_winrate_heatmap_get_result (KaWinrateHeatmap *self)
{
  g_return_val_if_fail (KA_IS_WINRATE_HEATMAP (self), NULL);

  return self->result;
}

/* Returns: (transfer none): the accessible description (every cell's value) */
const char *
ka_winrate_heatmap_get_description (KaWinrateHeatmap *self)
{
  g_return_val_if_fail (KA_IS_WINRATE_HEATMAP (self), NULL);

  return self->description;
}
