/* ka-height-clamp.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-height-clamp"

#include "config.h"

#include "ka-height-clamp.h"

#define DEFAULT_MAX_HEIGHT 180

struct _KaHeightClamp
{
  GtkWidget parent_instance;

  int       max_height;
};

G_DEFINE_FINAL_TYPE (KaHeightClamp, ka_height_clamp, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MAX_HEIGHT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ka_height_clamp_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  KaHeightClamp *self = KA_HEIGHT_CLAMP (widget);
  GtkWidget *child = gtk_widget_get_first_child (widget);
  GtkWidget *content;
  int child_min, child_nat, content_min, content_nat;

  *minimum = *natural = 0;
  *minimum_baseline = *natural_baseline = -1;

  if (child == NULL || !gtk_widget_should_layout (child))
    return;

  gtk_widget_measure (child, orientation, for_size, &child_min, &child_nat, NULL, NULL);

  content = GTK_IS_SCROLLED_WINDOW (child)
    ? gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (child)) : NULL;

  if (orientation == GTK_ORIENTATION_HORIZONTAL || content == NULL ||
      !gtk_widget_should_layout (content))
    {
      *minimum = child_min;
      *natural = child_nat;
      return;
    }

  /* The scrolled window draws overlay scrollbars over the content, so the content gets
   * the whole width. */
  gtk_widget_measure (content, GTK_ORIENTATION_VERTICAL, for_size,
                      &content_min, &content_nat, NULL, NULL);

  *natural = MAX (child_min, MIN (content_nat, self->max_height));
  *minimum = *natural;
}

static void
ka_height_clamp_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  if (child != NULL && gtk_widget_should_layout (child))
    gtk_widget_allocate (child, width, height, baseline, NULL);
}

static GtkSizeRequestMode
ka_height_clamp_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
ka_height_clamp_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (ka_height_clamp_parent_class)->dispose (object);
}

static void
ka_height_clamp_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  KaHeightClamp *self = KA_HEIGHT_CLAMP (object);

  switch (prop_id)
    {
    case PROP_MAX_HEIGHT:
      g_value_set_int (value, self->max_height);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_height_clamp_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  KaHeightClamp *self = KA_HEIGHT_CLAMP (object);

  switch (prop_id)
    {
    case PROP_MAX_HEIGHT:
      ka_height_clamp_set_max_height (self, g_value_get_int (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_height_clamp_class_init (KaHeightClampClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ka_height_clamp_dispose;
  object_class->get_property = ka_height_clamp_get_property;
  object_class->set_property = ka_height_clamp_set_property;

  widget_class->measure = ka_height_clamp_measure;
  widget_class->size_allocate = ka_height_clamp_size_allocate;
  widget_class->get_request_mode = ka_height_clamp_get_request_mode;

  properties[PROP_MAX_HEIGHT] =
    g_param_spec_int ("max-height", NULL, NULL,
                      0, G_MAXINT, DEFAULT_MAX_HEIGHT,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "heightclamp");
}

static void
ka_height_clamp_init (KaHeightClamp *self)
{
  self->max_height = DEFAULT_MAX_HEIGHT;
}

GtkWidget *
ka_height_clamp_new (void)
{
  return g_object_new (KA_TYPE_HEIGHT_CLAMP, NULL);
}

int
ka_height_clamp_get_max_height (KaHeightClamp *self)
{
  g_return_val_if_fail (KA_IS_HEIGHT_CLAMP (self), 0);

  return self->max_height;
}

void
ka_height_clamp_set_max_height (KaHeightClamp *self,
                                int            max_height)
{
  g_return_if_fail (KA_IS_HEIGHT_CLAMP (self));
  g_return_if_fail (max_height >= 0);

  if (self->max_height == max_height)
    return;

  self->max_height = max_height;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_HEIGHT]);
}
