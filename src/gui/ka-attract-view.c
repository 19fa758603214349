/* ka-attract-view.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-attract-view"

#include "config.h"

#include <glib/gi18n.h>

#include "ka-attract-view.h"

struct _KaAttractView
{
  AdwBin  parent_instance;
};

G_DEFINE_FINAL_TYPE (KaAttractView, ka_attract_view, ADW_TYPE_BIN)

enum {
  WAKE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* "released" only comes after a press on this view: the whole tap belongs to the attract
 * screen, so no part of it can reach a vote button. */
static void
click_released_cb (GtkGestureClick *gesture,
                   int              n_press,
                   double           x,
                   double           y,
                   KaAttractView   *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  ka_attract_view_wake (self);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                KaAttractView         *self)
{
  /* Modifier keys alone (Shift_L … Hyper_R, AltGr) do not wake the screen. */
  if ((keyval >= GDK_KEY_Shift_L && keyval <= GDK_KEY_Hyper_R) ||
      keyval == GDK_KEY_ISO_Level3_Shift || keyval == GDK_KEY_ISO_Level5_Shift)
    return GDK_EVENT_PROPAGATE;

  ka_attract_view_wake (self);
  return GDK_EVENT_STOP;
}

static void
ka_attract_view_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), KA_TYPE_ATTRACT_VIEW);

  G_OBJECT_CLASS (ka_attract_view_parent_class)->dispose (object);
}

static void
ka_attract_view_class_init (KaAttractViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ka_attract_view_dispose;

  /**
   * KaAttractView::wake:
   *
   * A visitor touched the screen or pressed a key. Emitted once per tap, after the tap
   * has ended; the event itself has been consumed by the view.
   */
  signals[WAKE] = g_signal_new ("wake",
                                G_TYPE_FROM_CLASS (klass),
                                G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL,
                                G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kaiarena/Arena/ui/ka-attract-view.ui");
  gtk_widget_class_set_css_name (widget_class, "attractview");
}

static void
ka_attract_view_init (KaAttractView *self)
{
  GtkGesture *click;
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

  click = gtk_gesture_click_new ();
  /* Any button, and touch: a venue screen is touched, a mouse may be clicked. */
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
  g_signal_connect_object (click, "released", G_CALLBACK (click_released_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  keys = gtk_event_controller_key_new ();
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}

GtkWidget *
ka_attract_view_new (void)
{
  return g_object_new (KA_TYPE_ATTRACT_VIEW, NULL);
}

/**
 * ka_attract_view_wake:
 *
 * Emits #KaAttractView::wake, as a tap or a key press on the view does.
 */
void
ka_attract_view_wake (KaAttractView *self)
{
  g_return_if_fail (KA_IS_ATTRACT_VIEW (self));

  g_signal_emit (self, signals[WAKE], 0);
}
