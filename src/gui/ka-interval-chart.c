/* ka-interval-chart.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-interval-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ka-interval-chart.h"
#include "ka-leaderboard-view.h"

#define ROW_HEIGHT    28
#define TOP_PAD       8
#define AXIS_HEIGHT   52
#define SIDE_PAD      16
#define LABEL_GAP     12
#define DOT_RADIUS    5.0
#define BAR_HEIGHT    6.0
#define MIN_PLOT      160
#define TICK_SPACING  90     /* wanted pixels between ticks */

struct _KaIntervalChart
{
  GtkWidget       parent_instance;

  KaRatingResult *result;       /* (nullable) */
  char           *description;  /* (owned): the accessible description */

  /* the axis, recomputed on every size_allocate */
  double          axis_min;
  double          axis_max;
  double          tick_step;
};

G_DEFINE_FINAL_TYPE (KaIntervalChart, ka_interval_chart, GTK_TYPE_WIDGET)

static guint
n_rows (KaIntervalChart *self)
{
  return self->result != NULL ? ka_rating_result_get_n_models (self->result) : 0;
}

/* A step of 1, 2, 2.5 or 5 times a power of ten giving ticks about TICK_SPACING apart. */
static double
nice_step (double range,
           double pixels)
{
  double raw = range / MAX (1.0, pixels / TICK_SPACING);
  double magnitude = pow (10.0, floor (log10 (raw)));
  static const double factors[] = { 1.0, 2.0, 2.5, 5.0, 10.0 };

  for (guint i = 0; i < G_N_ELEMENTS (factors); i++)
    if (factors[i] * magnitude >= raw)
      return factors[i] * magnitude;

  return 10.0 * magnitude;
}

static void
data_range (KaIntervalChart *self,
            double          *lo,
            double          *hi)
{
  *lo = INFINITY;
  *hi = -INFINITY;

  for (guint i = 0; i < n_rows (self); i++)
    {
      const KaRatingEntry *e = ka_rating_result_get_entry (self->result, i);

      if (isfinite (e->ci_lower))
        *lo = MIN (*lo, e->ci_lower);
      if (isfinite (e->rating))
        {
          *lo = MIN (*lo, e->rating);
          *hi = MAX (*hi, e->rating);
        }
      if (isfinite (e->ci_upper))
        *hi = MAX (*hi, e->ci_upper);
    }

  if (!isfinite (*lo) || !isfinite (*hi))
    {
      *lo = 900.0;
      *hi = 1100.0;
    }
  else if (*hi - *lo < 20.0)
    {
      double mid = (*lo + *hi) / 2.0;

      *lo = mid - 10.0;
      *hi = mid + 10.0;
    }
}

static PangoLayout *
create_layout (KaIntervalChart *self,
               const char      *text)
{
  return gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
}

/* Width of the name column: the longest name, at most 40 % of @width. */
static int
name_width (KaIntervalChart *self,
            int              width)
{
  int widest = 0;

  for (guint i = 0; i < n_rows (self); i++)
    {
      g_autoptr(PangoLayout) layout = create_layout (self,
                                                     ka_rating_result_get_entry (self->result, i)->model);
      int w;

      pango_layout_get_pixel_size (layout, &w, NULL);
      widest = MAX (widest, w);
    }

  return MIN (widest, (int) (0.4 * width));
}

static void
plot_geometry (KaIntervalChart *self,
               int              width,
               double          *x0,
               double          *x1)
{
  int names = name_width (self, width);

  *x0 = SIDE_PAD + names + LABEL_GAP;
  *x1 = MAX (*x0 + 1.0, width - SIDE_PAD);
}

static double
to_x (KaIntervalChart *self,
      double           x0,
      double           x1,
      double           value)
{
  return x0 + (value - self->axis_min) / (self->axis_max - self->axis_min) * (x1 - x0);
}

static void
update_axis (KaIntervalChart *self,
             int              width)
{
  double lo, hi, x0, x1;

  data_range (self, &lo, &hi);
  plot_geometry (self, width, &x0, &x1);
  self->tick_step = nice_step (hi - lo, x1 - x0);
  self->axis_min = floor (lo / self->tick_step) * self->tick_step;
  self->axis_max = ceil (hi / self->tick_step) * self->tick_step;
  if (self->axis_max <= self->axis_min)
    self->axis_max = self->axis_min + self->tick_step;
}

static void
ka_interval_chart_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  KaIntervalChart *self = KA_INTERVAL_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 2 * SIDE_PAD + LABEL_GAP + MIN_PLOT + 80;
      *natural = MAX (*minimum, 2 * SIDE_PAD + LABEL_GAP + name_width (self, G_MAXINT / 4) + 420);
    }
  else
    {
      guint n = n_rows (self);

      *minimum = *natural = n > 0 ? TOP_PAD + (int) n * ROW_HEIGHT + AXIS_HEIGHT : 0;
    }
}

static void
ka_interval_chart_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  update_axis (KA_INTERVAL_CHART (widget), width);
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
ka_interval_chart_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  KaIntervalChart *self = KA_INTERVAL_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  guint n = n_rows (self);
  double x0, x1, plot_bottom;
  GdkRGBA fg, accent, faint;
  cairo_t *cr;
  int names;

  if (n == 0 || width <= 0 || height <= 0)
    return;

  lookup_color (widget, NULL, &fg);
  lookup_color (widget, "accent_color", &accent);
  faint = fg;
  faint.alpha *= 0.12f;

  names = name_width (self, width);
  plot_geometry (self, width, &x0, &x1);
  plot_bottom = TOP_PAD + n * ROW_HEIGHT;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  /* Alternate row shading, then the vertical grid. */
  for (guint i = 1; i < n; i += 2)
    {
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, fg.alpha * 0.04);
      cairo_rectangle (cr, 0, TOP_PAD + i * ROW_HEIGHT, width, ROW_HEIGHT);
      cairo_fill (cr);
    }

  cairo_set_line_width (cr, 1.0);
  for (double t = self->axis_min; t <= self->axis_max + self->tick_step / 2; t += self->tick_step)
    {
      double x = round (to_x (self, x0, x1, t)) + 0.5;

      gdk_cairo_set_source_rgba (cr, &faint);
      cairo_move_to (cr, x, TOP_PAD);
      cairo_line_to (cr, x, plot_bottom);
      cairo_stroke (cr);

      gdk_cairo_set_source_rgba (cr, &fg);
      cairo_move_to (cr, x, plot_bottom);
      cairo_line_to (cr, x, plot_bottom + 5);
      cairo_stroke (cr);
    }

  gdk_cairo_set_source_rgba (cr, &fg);
  cairo_move_to (cr, x0, plot_bottom + 0.5);
  cairo_line_to (cr, x1, plot_bottom + 0.5);
  cairo_stroke (cr);

  /* Intervals and ratings. */
  for (guint i = 0; i < n; i++)
    {
      const KaRatingEntry *e = ka_rating_result_get_entry (self->result, i);
      double y = TOP_PAD + i * ROW_HEIGHT + ROW_HEIGHT / 2.0;
      double lo = to_x (self, x0, x1, e->ci_lower);
      double hi = to_x (self, x0, x1, e->ci_upper);
      double r = to_x (self, x0, x1, e->rating);

      cairo_set_source_rgba (cr, accent.red, accent.green, accent.blue, accent.alpha * 0.4);
      cairo_new_path (cr);
      cairo_move_to (cr, lo, y);
      cairo_line_to (cr, MAX (hi, lo + 0.1), y);
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
      cairo_set_line_width (cr, BAR_HEIGHT);
      cairo_stroke (cr);

      cairo_set_line_width (cr, 2.0);
      cairo_new_path (cr);
      cairo_arc (cr, r, y, DOT_RADIUS, 0, 2 * G_PI);
      gdk_cairo_set_source_rgba (cr, &accent);
      if (e->regularised)
        /* A ring: this rating is shrunk by the prior. */
        cairo_stroke (cr);
      else
        cairo_fill (cr);
    }

  cairo_destroy (cr);

  /* Names, right-aligned beside their rows. */
  for (guint i = 0; i < n; i++)
    {
      const KaRatingEntry *e = ka_rating_result_get_entry (self->result, i);
      g_autoptr(PangoLayout) layout = create_layout (self, e->model);
      int w, h;

      pango_layout_set_width (layout, names * PANGO_SCALE);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_alignment (layout, PANGO_ALIGN_RIGHT);
      pango_layout_get_pixel_size (layout, &w, &h);
      append_text (snapshot, layout, SIDE_PAD,
                   TOP_PAD + i * ROW_HEIGHT + (ROW_HEIGHT - h) / 2.0, &fg);
    }

  /* Tick labels, then the axis title. */
  for (double t = self->axis_min; t <= self->axis_max + self->tick_step / 2; t += self->tick_step)
    {
      g_autofree char *text = g_strdup_printf (self->tick_step < 1.0 ? "%'.1f" : "%'.0f", t);
      g_autoptr(PangoLayout) layout = create_layout (self, text);
      int w, h;

      pango_layout_get_pixel_size (layout, &w, &h);
      append_text (snapshot, layout, CLAMP (to_x (self, x0, x1, t) - w / 2.0, 0, width - w),
                   plot_bottom + 7, &fg);
    }

  {
    /* xgettext:no-c-format */
    g_autoptr(PangoLayout) layout = create_layout (self, _("Rating (Elo scale): dot, with its 95 % interval"));
    GdkRGBA dim = fg;
    int w, h;

    dim.alpha *= 0.7f;
    pango_layout_get_pixel_size (layout, &w, &h);
    append_text (snapshot, layout, MAX (0, (x0 + x1) / 2.0 - w / 2.0), plot_bottom + 28, &dim);
  }
}

/**
 * ka_interval_chart_get_row_at:
 * @y: a y coordinate in the widget
 *
 * Returns: the row (the result's entry index) at @y, or -1
 */
int
ka_interval_chart_get_row_at (KaIntervalChart *self,
                              double           y)
{
  double row;

  g_return_val_if_fail (KA_IS_INTERVAL_CHART (self), -1);

  row = floor ((y - TOP_PAD) / ROW_HEIGHT);
  if (row < 0 || row >= n_rows (self))
    return -1;

  return (int) row;
}

static char *
describe_entry (const KaRatingEntry *e)
{
  g_autofree char *rating = ka_format_rating (e->rating);
  g_autofree char *lo = ka_format_rating (e->ci_lower);
  g_autofree char *hi = ka_format_rating (e->ci_upper);

  /* Translators: model, rank, rating, lower and upper bound of the 95 % interval. */
  return g_strdup_printf (_("%s: rank %u, rating %s, 95 %% interval %s to %s"),
                          e->model, e->rank, rating, lo, hi);
}

static gboolean
ka_interval_chart_query_tooltip (GtkWidget  *widget,
                                 int         x,
                                 int         y,
                                 gboolean    keyboard,
                                 GtkTooltip *tooltip)
{
  KaIntervalChart *self = KA_INTERVAL_CHART (widget);
  g_autofree char *text = NULL;
  int row;

  if (keyboard)
    {
      gtk_tooltip_set_text (tooltip, self->description);
      return self->description != NULL;
    }

  row = ka_interval_chart_get_row_at (self, y);
  if (row < 0)
    return FALSE;

  text = describe_entry (ka_rating_result_get_entry (self->result, row));
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
update_description (KaIntervalChart *self)
{
  GString *s;

  g_clear_pointer (&self->description, g_free);

  if (n_rows (self) == 0)
    {
      self->description = g_strdup (_("No ratings to draw"));
    }
  else
    {
      /* xgettext:no-c-format */
      s = g_string_new (_("Ratings with their 95 % intervals, best first."));
      for (guint i = 0; i < n_rows (self); i++)
        {
          g_autofree char *entry = describe_entry (ka_rating_result_get_entry (self->result, i));

          g_string_append_c (s, i == 0 ? ' ' : ';');
          if (i > 0)
            g_string_append_c (s, ' ');
          g_string_append (s, entry);
        }
      g_string_append_c (s, '.');
      self->description = g_string_free (s, FALSE);
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->description,
                                  -1);
}

static void
ka_interval_chart_finalize (GObject *object)
{
  KaIntervalChart *self = KA_INTERVAL_CHART (object);

  g_clear_pointer (&self->result, ka_rating_result_unref);
  g_clear_pointer (&self->description, g_free);

  G_OBJECT_CLASS (ka_interval_chart_parent_class)->finalize (object);
}

static void
ka_interval_chart_class_init (KaIntervalChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ka_interval_chart_finalize;

  widget_class->measure = ka_interval_chart_measure;
  widget_class->size_allocate = ka_interval_chart_size_allocate;
  widget_class->snapshot = ka_interval_chart_snapshot;
  widget_class->query_tooltip = ka_interval_chart_query_tooltip;

  gtk_widget_class_set_css_name (widget_class, "intervalchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ka_interval_chart_init (KaIntervalChart *self)
{
  self->axis_min = 900.0;
  self->axis_max = 1100.0;
  self->tick_step = 50.0;

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Rating intervals"),
                                  -1);
  update_description (self);
}

GtkWidget *
ka_interval_chart_new (void)
{
  return g_object_new (KA_TYPE_INTERVAL_CHART, NULL);
}

/**
 * ka_interval_chart_set_result:
 * @result: (nullable): the leaderboard to draw
 */
void
ka_interval_chart_set_result (KaIntervalChart *self,
                              KaRatingResult  *result)
{
  g_return_if_fail (KA_IS_INTERVAL_CHART (self));

  if (result == self->result)
    return;

  if (result != NULL)
    ka_rating_result_ref (result);
  g_clear_pointer (&self->result, ka_rating_result_unref);
  self->result = result;

  update_axis (self, MAX (gtk_widget_get_width (GTK_WIDGET (self)), 480));
  update_description (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* Returns: (transfer none) (nullable) */
KaRatingResult *
ka_interval_chart_get_result (KaIntervalChart *self)
{
  g_return_val_if_fail (KA_IS_INTERVAL_CHART (self), NULL);

  return self->result;
}

/* Returns: (transfer none): the accessible description (every model's values) */
const char *
ka_interval_chart_get_description (KaIntervalChart *self)
{
  g_return_val_if_fail (KA_IS_INTERVAL_CHART (self), NULL);

  return self->description;
}

/**
 * ka_interval_chart_get_axis:
 * @minimum: (out) (optional): the rating at the left end of the axis
 * @maximum: (out) (optional): the rating at the right end
 * @step: (out) (optional): the distance between ticks
 */
void
ka_interval_chart_get_axis (KaIntervalChart *self,
                            double          *minimum,
                            double          *maximum,
                            double          *step)
{
  g_return_if_fail (KA_IS_INTERVAL_CHART (self));

  if (minimum != NULL)
    *minimum = self->axis_min;
  if (maximum != NULL)
    *maximum = self->axis_max;
  if (step != NULL)
    *step = self->tick_step;
}
