/* ka-contest-window.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-contest-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ka-contest-window.h"

struct _KaContestWindow
{
  AdwWindow          parent_instance;

  /* template widgets */
  GtkScrolledWindow *scroller;
};

G_DEFINE_FINAL_TYPE (KaContestWindow, ka_contest_window, ADW_TYPE_WINDOW)

static void
ka_contest_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), KA_TYPE_CONTEST_WINDOW);

  G_OBJECT_CLASS (ka_contest_window_parent_class)->dispose (object);
}

static void
ka_contest_window_class_init (KaContestWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ka_contest_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kaiarena/Arena/ui/ka-contest-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KaContestWindow, scroller);
}

static void
ka_contest_window_init (KaContestWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Otherwise GTK focuses the first selectable paragraph, which selects all its text. */
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->scroller));

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

/**
 * ka_contest_window_new:
 * @parent: (nullable): the window it belongs to
 *
 * Returns: (transfer none): a new "About the Contest" window, not yet shown; like any
 *   toplevel it is owned by GTK until it is closed
 */
KaContestWindow *
ka_contest_window_new (GtkWindow *parent)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (KA_TYPE_CONTEST_WINDOW,
                       "transient-for", parent,
                       "application", parent != NULL ? gtk_window_get_application (parent) : NULL,
                       NULL);
}
