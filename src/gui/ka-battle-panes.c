/* ka-battle-panes.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-battle-panes"

#include "config.h"

#include "ka-battle-panes.h"

#define DEFAULT_WIDE_WIDTH 760
#define DEFAULT_SPACING    12

struct _KaBattlePanes
{
  GtkWidget parent_instance;

  int       wide_width;
  int       spacing;
  gboolean  wide;       /* layout chosen by the last size_allocate() */
};

G_DEFINE_FINAL_TYPE (KaBattlePanes, ka_battle_panes, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_WIDE_WIDTH,
  PROP_SPACING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Both children are always laid out, even when one is hidden, so the two answers keep the
 * same size: the "identically styled" rule (DESIGN.md §7) covers geometry too. */
static void
measure_child (GtkWidget      *child,
               GtkOrientation  orientation,
               int             for_size,
               int            *minimum,
               int            *natural)
{
  *minimum = *natural = 0;
  if (child != NULL && gtk_widget_should_layout (child))
    gtk_widget_measure (child, orientation, for_size, minimum, natural, NULL, NULL);
}

static void
ka_battle_panes_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  KaBattlePanes *self = KA_BATTLE_PANES (widget);
  GtkWidget *first = gtk_widget_get_first_child (widget);
  GtkWidget *last = gtk_widget_get_last_child (widget);
  int min1, nat1, min2, nat2;

  if (last == first)
    last = NULL;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* Narrow layout: each child gets the whole width, so the minimum is the wider
       * child's minimum. Natural: side by side at equal widths. */
      measure_child (first, orientation, -1, &min1, &nat1);
      measure_child (last, orientation, -1, &min2, &nat2);
      *minimum = MAX (min1, min2);
      *natural = MAX (2 * MAX (nat1, nat2) + self->spacing, self->wide_width);
    }
  else if (for_size < 0 || for_size >= self->wide_width)
    {
      int half = for_size < 0 ? -1 : MAX (0, (for_size - self->spacing) / 2);

      measure_child (first, orientation, half, &min1, &nat1);
      measure_child (last, orientation, half, &min2, &nat2);
      *minimum = MAX (min1, min2);
      *natural = MAX (nat1, nat2);
    }
  else
    {
      /* Stacked: both halves get the same height, so ask for twice the larger one. */
      measure_child (first, orientation, for_size, &min1, &nat1);
      measure_child (last, orientation, for_size, &min2, &nat2);
      *minimum = 2 * MAX (min1, min2) + self->spacing;
      *natural = 2 * MAX (nat1, nat2) + self->spacing;
    }

  *minimum_baseline = *natural_baseline = -1;
}

static void
ka_battle_panes_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  KaBattlePanes *self = KA_BATTLE_PANES (widget);
  GtkWidget *first = gtk_widget_get_first_child (widget);
  GtkWidget *last = gtk_widget_get_last_child (widget);
  GtkAllocation a1, a2;

  if (last == first)
    last = NULL;

  self->wide = width >= self->wide_width;

  if (self->wide)
    {
      int half = MAX (0, (width - self->spacing) / 2);

      a1 = (GtkAllocation) { 0, 0, half, height };
      a2 = (GtkAllocation) { width - half, 0, half, height };
    }
  else
    {
      int half = MAX (0, (height - self->spacing) / 2);

      a1 = (GtkAllocation) { 0, 0, width, half };
      a2 = (GtkAllocation) { 0, height - half, width, half };
    }

  if (first != NULL && gtk_widget_should_layout (first))
    gtk_widget_size_allocate (first, &a1, -1);
  if (last != NULL && gtk_widget_should_layout (last))
    gtk_widget_size_allocate (last, &a2, -1);
}

static GtkSizeRequestMode
ka_battle_panes_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
ka_battle_panes_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (ka_battle_panes_parent_class)->dispose (object);
}

static void
ka_battle_panes_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  KaBattlePanes *self = KA_BATTLE_PANES (object);

  switch (prop_id)
    {
    case PROP_WIDE_WIDTH:
      g_value_set_int (value, self->wide_width);
      break;

    case PROP_SPACING:
      g_value_set_int (value, self->spacing);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_battle_panes_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  KaBattlePanes *self = KA_BATTLE_PANES (object);

  switch (prop_id)
    {
    case PROP_WIDE_WIDTH:
      ka_battle_panes_set_wide_width (self, g_value_get_int (value));
      break;

    case PROP_SPACING:
      ka_battle_panes_set_spacing (self, g_value_get_int (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_battle_panes_class_init (KaBattlePanesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ka_battle_panes_dispose;
  object_class->get_property = ka_battle_panes_get_property;
  object_class->set_property = ka_battle_panes_set_property;

  widget_class->measure = ka_battle_panes_measure;
  widget_class->size_allocate = ka_battle_panes_size_allocate;
  widget_class->get_request_mode = ka_battle_panes_get_request_mode;

  properties[PROP_WIDE_WIDTH] =
    g_param_spec_int ("wide-width", NULL, NULL,
                      0, G_MAXINT, DEFAULT_WIDE_WIDTH,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_SPACING] =
    g_param_spec_int ("spacing", NULL, NULL,
                      0, G_MAXINT, DEFAULT_SPACING,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "battlepanes");
}

static void
ka_battle_panes_init (KaBattlePanes *self)
{
  self->wide_width = DEFAULT_WIDE_WIDTH;
  self->spacing = DEFAULT_SPACING;
  self->wide = TRUE;
}

GtkWidget *
ka_battle_panes_new (void)
{
  return g_object_new (KA_TYPE_BATTLE_PANES, NULL);
}

int
ka_battle_panes_get_wide_width (KaBattlePanes *self)
{
  g_return_val_if_fail (KA_IS_BATTLE_PANES (self), 0);

  return self->wide_width;
}

void
ka_battle_panes_set_wide_width (KaBattlePanes *self,
                                int            wide_width)
{
  g_return_if_fail (KA_IS_BATTLE_PANES (self));
  g_return_if_fail (wide_width >= 0);

  if (self->wide_width == wide_width)
    return;

  self->wide_width = wide_width;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WIDE_WIDTH]);
}

int
ka_battle_panes_get_spacing (KaBattlePanes *self)
{
  g_return_val_if_fail (KA_IS_BATTLE_PANES (self), 0);

  return self->spacing;
}

void
ka_battle_panes_set_spacing (KaBattlePanes *self,
                             int            spacing)
{
  g_return_if_fail (KA_IS_BATTLE_PANES (self));
  g_return_if_fail (spacing >= 0);

  if (self->spacing == spacing)
    return;

  self->spacing = spacing;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPACING]);
}

/* Whether the last allocation put the children side by side. */
gboolean
ka_battle_panes_is_wide (KaBattlePanes *self)
{
  g_return_val_if_fail (KA_IS_BATTLE_PANES (self), TRUE);

  return self->wide;
}
