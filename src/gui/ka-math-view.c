/* ka-math-view.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-math-view"

#include "config.h"

#include <math.h>

#include "ka-math-layout.h"
#include "ka-math-view.h"
#include "ka-tex.h"

/*
 * One formula, laid out by ka-math-layout.c in the widget's CSS font (so the app's
 * text-size preference scales it) and drawn in its CSS colour (light, dark, high
 * contrast). Its size is the formula's: a display formula wider than the answer is the
 * caller's to scroll. A formula ka_tex_parse() refuses is shown as its source text.
 * Screen readers get an image whose label is ka_tex_to_text().
 */

struct _KaMathView
{
  GtkWidget             parent_instance;

  char                 *tex;
  char                 *text;
  gboolean              display;
  KaTexNode            *root;         /* (nullable) (owned): NULL when the source is shown */

  KaMathLayout         *layout;       /* (nullable) (owned): for layout_font */
  PangoFontDescription *layout_font;  /* (nullable) (owned) */

  /* In a text view: the buffer and anchor that hold us (weak), whose "ka-math-lower-N"
   * tag puts our baseline on the line's. */
  GtkTextBuffer        *anchor_buffer;
  GtkTextChildAnchor   *anchor;
  int                   anchor_descent;
  guint                 baseline_idle;
};

enum
{
  PROP_0,
  PROP_TEX,
  PROP_DISPLAY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (KaMathView, ka_math_view, GTK_TYPE_WIDGET)

/* GTK 4.8 sets an anchored child with its bottom on the text baseline, so the anchor
 * character carries "ka-math-lower-N" (rise −N px): the formula's descent. Tags are shared
 * by name, so a long session does not grow the tag table; the tag is swapped from an idle
 * when the descent changes (a new font size), never while GTK lays out. */
static gboolean
update_anchor_tag_cb (gpointer data)
{
  KaMathView *self = data;
  GtkTextTagTable *table;
  g_autofree char *name = NULL;
  GtkTextTag *tag;
  GtkTextIter start, end;
  GSList *tags;
  int descent;

  self->baseline_idle = 0;
  if (self->anchor_buffer == NULL || self->anchor == NULL || self->layout == NULL
      || gtk_text_child_anchor_get_deleted (self->anchor))
    return G_SOURCE_REMOVE;

  descent = (int) ceil (ka_math_layout_get_descent (self->layout));
  if (descent == self->anchor_descent)
    return G_SOURCE_REMOVE;
  self->anchor_descent = descent;

  table = gtk_text_buffer_get_tag_table (self->anchor_buffer);
  name = g_strdup_printf ("ka-math-lower-%d", descent);
  tag = gtk_text_tag_table_lookup (table, name);
  if (tag == NULL)
    {
      tag = gtk_text_tag_new (name);
      g_object_set (tag, "rise", -descent * PANGO_SCALE, NULL);
      gtk_text_tag_table_add (table, tag);
      g_object_unref (tag);
    }

  gtk_text_buffer_get_iter_at_child_anchor (self->anchor_buffer, &start, self->anchor);
  end = start;
  gtk_text_iter_forward_char (&end);
  tags = gtk_text_iter_get_tags (&start);
  for (GSList *l = tags; l != NULL; l = l->next)
    {
      g_autofree char *other = NULL;

      g_object_get (l->data, "name", &other, NULL);
      if (other != NULL && g_str_has_prefix (other, "ka-math-lower-") && l->data != tag)
        gtk_text_buffer_remove_tag (self->anchor_buffer, l->data, &start, &end);
    }
  g_slist_free (tags);
  gtk_text_buffer_apply_tag (self->anchor_buffer, tag, &start, &end);
  return G_SOURCE_REMOVE;
}

static void
queue_baseline_update (KaMathView *self)
{
  if (self->anchor != NULL && self->baseline_idle == 0)
    self->baseline_idle = g_idle_add (update_anchor_tag_cb, self);
}

/* The layout for the widget's current font; rebuilt when CSS changes the font. */
static KaMathLayout *
ensure_layout (KaMathView *self)
{
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  const PangoFontDescription *font = pango_context_get_font_description (context);

  if (self->layout != NULL && self->layout_font != NULL
      && pango_font_description_equal (font, self->layout_font))
    return self->layout;

  g_clear_pointer (&self->layout, ka_math_layout_free);
  g_clear_pointer (&self->layout_font, pango_font_description_free);
  self->layout_font = pango_font_description_copy (font);
  if (self->root != NULL)
    self->layout = ka_math_layout_new (context, font, self->root, self->display);
  else
    self->layout = ka_math_layout_new_text (context, font, self->tex);
  queue_baseline_update (self);
  return self->layout;
}

static void
ka_math_view_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  KaMathLayout *layout = ensure_layout (KA_MATH_VIEW (widget));

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = *natural = (int) ceil (ka_math_layout_get_width (layout));
      return;
    }

  *minimum = *natural = (int) ceil (ka_math_layout_get_ascent (layout))
                        + (int) ceil (ka_math_layout_get_descent (layout));
  *minimum_baseline = *natural_baseline = (int) ceil (ka_math_layout_get_ascent (layout));
}

static void
ka_math_view_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  KaMathView *self = KA_MATH_VIEW (widget);
  KaMathLayout *layout = ensure_layout (self);
  GdkRGBA color;
  double x = 0;
  double width = ka_math_layout_get_width (layout);

  /* gtk_widget_get_color() is GTK 4.10; this is the 4.8 way (deprecated only later). */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);

  if (self->display && gtk_widget_get_width (widget) > width)
    x = floor ((gtk_widget_get_width (widget) - width) / 2);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (x, ceil (ka_math_layout_get_ascent (layout))));
  ka_math_layout_snapshot (layout, snapshot, &color);
  gtk_snapshot_restore (snapshot);
}

static void
set_tex (KaMathView *self,
         const char *tex)
{
  g_autoptr(GError) error = NULL;

  g_free (self->tex);
  self->tex = g_utf8_make_valid (tex != NULL ? tex : "", -1);
  g_clear_pointer (&self->root, ka_tex_node_free);
  self->root = ka_tex_parse (self->tex, -1, &error);
  if (self->root == NULL)
    g_debug ("Formula shown as its source: %s", error->message);

  g_free (self->text);
  self->text = ka_tex_to_text (self->tex, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->text,
                                  -1);

  g_clear_pointer (&self->layout, ka_math_layout_free);
  g_clear_pointer (&self->layout_font, pango_font_description_free);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
ka_math_view_dispose (GObject *object)
{
  KaMathView *self = KA_MATH_VIEW (object);

  g_clear_handle_id (&self->baseline_idle, g_source_remove);
  g_clear_weak_pointer (&self->anchor_buffer);
  g_clear_weak_pointer (&self->anchor);

  G_OBJECT_CLASS (ka_math_view_parent_class)->dispose (object);
}

static void
ka_math_view_finalize (GObject *object)
{
  KaMathView *self = KA_MATH_VIEW (object);

  g_clear_pointer (&self->tex, g_free);
  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->root, ka_tex_node_free);
  g_clear_pointer (&self->layout, ka_math_layout_free);
  g_clear_pointer (&self->layout_font, pango_font_description_free);

  G_OBJECT_CLASS (ka_math_view_parent_class)->finalize (object);
}

static void
ka_math_view_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  KaMathView *self = KA_MATH_VIEW (object);

  switch (prop_id)
    {
    case PROP_TEX:
      g_value_set_string (value, self->tex);
      break;
    case PROP_DISPLAY:
      g_value_set_boolean (value, self->display);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_math_view_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  KaMathView *self = KA_MATH_VIEW (object);

  switch (prop_id)
    {
    case PROP_TEX:
      set_tex (self, g_value_get_string (value));
      break;
    case PROP_DISPLAY:
      self->display = g_value_get_boolean (value);
      if (self->display)
        {
          gtk_widget_add_css_class (GTK_WIDGET (self), "display");
          gtk_widget_set_halign (GTK_WIDGET (self), GTK_ALIGN_CENTER);
        }
      g_clear_pointer (&self->layout, ka_math_layout_free);
      gtk_widget_queue_resize (GTK_WIDGET (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_math_view_class_init (KaMathViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ka_math_view_dispose;
  object_class->finalize = ka_math_view_finalize;
  object_class->get_property = ka_math_view_get_property;
  object_class->set_property = ka_math_view_set_property;

  widget_class->measure = ka_math_view_measure;
  widget_class->snapshot = ka_math_view_snapshot;

  properties[PROP_TEX] =
    g_param_spec_string ("tex", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY] =
    g_param_spec_boolean ("display", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "kamath");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ka_math_view_init (KaMathView *self)
{
  self->tex = g_strdup ("");
  self->text = g_strdup ("");
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
  return g_object_new (KA_TYPE_MATH_VIEW,
                       "tex", tex != NULL ? tex : "",
                       "display", display,
                       NULL);
}

const char *
ka_math_view_get_tex (KaMathView *self)
{
  g_return_val_if_fail (KA_IS_MATH_VIEW (self), NULL);

  return self->tex;
}

/* The formula as one line of text (its accessible label). */
const char *
ka_math_view_get_text (KaMathView *self)
{
  g_return_val_if_fail (KA_IS_MATH_VIEW (self), NULL);

  return self->text;
}

gboolean
ka_math_view_get_display (KaMathView *self)
{
  g_return_val_if_fail (KA_IS_MATH_VIEW (self), FALSE);

  return self->display;
}

/* FALSE when the formula did not parse and its source is shown instead. */
gboolean
ka_math_view_get_parsed (KaMathView *self)
{
  g_return_val_if_fail (KA_IS_MATH_VIEW (self), FALSE);

  return self->root != NULL;
}

/**
 * ka_math_view_follow_anchor:
 * @self: a math view added to a text view at @anchor
 * @buffer: the buffer that holds @anchor
 * @anchor: the view's child anchor
 *
 * Keeps the anchor character's "ka-math-lower-N" tag at the formula's descent, so its
 * baseline stays on the line's when the font size changes. ka_math_insert_inline() sets
 * this up; the tag is applied at once if the formula is already laid out.
 */
void
ka_math_view_follow_anchor (KaMathView         *self,
                            GtkTextBuffer      *buffer,
                            GtkTextChildAnchor *anchor)
{
  g_return_if_fail (KA_IS_MATH_VIEW (self));
  g_return_if_fail (GTK_IS_TEXT_BUFFER (buffer));
  g_return_if_fail (GTK_IS_TEXT_CHILD_ANCHOR (anchor));

  g_set_weak_pointer (&self->anchor_buffer, buffer);
  g_set_weak_pointer (&self->anchor, anchor);
  self->anchor_descent = -1;
  if (self->layout != NULL)
    {
      g_clear_handle_id (&self->baseline_idle, g_source_remove);
      update_anchor_tag_cb (self);
    }
}
