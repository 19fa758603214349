/* ka-math-view.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-math-view"

#include "config.h"

#include "ka-math-view.h"
#include "ka-tex.h"

/* Placeholder: shows the source as plain text until the layout engine lands. */
struct _KaMathView
{
  GtkWidget  parent_instance;

  GtkWidget *label;
  char      *tex;
  gboolean   display;
};

G_DEFINE_FINAL_TYPE (KaMathView, ka_math_view, GTK_TYPE_WIDGET)

static void
ka_math_view_dispose (GObject *object)
{
  KaMathView *self = KA_MATH_VIEW (object);

  g_clear_pointer (&self->label, gtk_widget_unparent);
  g_clear_pointer (&self->tex, g_free);

  G_OBJECT_CLASS (ka_math_view_parent_class)->dispose (object);
}

static void
ka_math_view_class_init (KaMathViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ka_math_view_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "kamath");
}

static void
ka_math_view_init (KaMathView *self)
{
}

/**
 * ka_math_view_new:
 * @tex: TeX math source, without delimiters
 * @display: %TRUE for a display formula (its own line, centred), %FALSE for inline
 *
 * Returns: (transfer floating): a new #KaMathView
 */
GtkWidget *
ka_math_view_new (const char *tex,
                  gboolean    display)
{
  KaMathView *self = g_object_new (KA_TYPE_MATH_VIEW, NULL);
  g_autofree char *text = ka_tex_to_text (tex, -1);

  self->tex = g_strdup (tex != NULL ? tex : "");
  self->display = display;
  self->label = gtk_label_new (NULL);
  gtk_label_set_text (GTK_LABEL (self->label), text);
  gtk_widget_set_parent (self->label, GTK_WIDGET (self));

  return GTK_WIDGET (self);
}

const char *
ka_math_view_get_tex (KaMathView *self)
{
  g_return_val_if_fail (KA_IS_MATH_VIEW (self), NULL);

  return self->tex;
}

/**
 * ka_math_insert_inline:
 * @view: the text view that holds @iter's buffer (for child anchors)
 * @iter: where to insert; moved past the inserted formula
 * @tex: TeX math source, without delimiters
 * @length: bytes in @tex, or -1 if NUL-terminated
 *
 * Inserts an inline formula at @iter.
 */
void
ka_math_insert_inline (GtkTextView *view,
                       GtkTextIter *iter,
                       const char  *tex,
                       gssize       length)
{
  g_autofree char *text = NULL;

  g_return_if_fail (GTK_IS_TEXT_VIEW (view));
  g_return_if_fail (iter != NULL);

  text = ka_tex_to_text (tex, length);
  gtk_text_buffer_insert (gtk_text_view_get_buffer (view), iter, text, -1);
}
