/* ka-response-view.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-response-view"

#include "config.h"

#include <glib/gi18n.h>

#include <adwaita.h>

#include "ka-markdown.h"
#include "ka-resources.h"
#include "ka-response-view.h"

#define TEXT_SCALE_MIN 0.75
#define TEXT_SCALE_MAX 2.0
/* Hangul needs a little more size than Latin at the same point size to be read without
 * strain: answers are set 10 % above the interface font at text scale 1.0. */
#define BODY_SCALE     1.1
/* The measure: at most this many pixels of text per line at scale 1.0 (about 45 Hangul
 * syllables or 75 Latin characters), growing with the text scale. */
#define MEASURE_PX     760

struct _KaResponseView
{
  GtkWidget          parent_instance;

  /* template widgets */
  GtkWidget         *box;
  GtkLabel          *heading;
  GtkWidget         *reveal_box;
  GtkLabel          *model_label;
  GtkLabel          *verdict_label;
  GtkScrolledWindow *scrolled_window;
  AdwClamp          *clamp;
  GtkBox            *blocks;
  GtkTextView       *text_view;

  /* owned */
  char              *label;
  double             text_scale;
  GtkCssProvider    *scale_provider;
};

G_DEFINE_FINAL_TYPE (KaResponseView, ka_response_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_LABEL,
  PROP_TEXT_SCALE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The font size lives in a CSS provider attached to the box of answer blocks only; every
 * block (prose, table cells, code, formulas) inherits it, so the scale applies to what is
 * shown and to what is added later, and heading tags (relative "scale") grow with it. */
static void
update_text_scale (KaResponseView *self)
{
  g_autofree char *css = NULL;

  css = g_strdup_printf ("box { font-size: %d%%; }",
                         (int) (self->text_scale * BODY_SCALE * 100.0 + 0.5));
  gtk_css_provider_load_from_data (self->scale_provider, css, -1);
  adw_clamp_set_maximum_size (self->clamp, (int) (MEASURE_PX * self->text_scale));
  adw_clamp_set_tightening_threshold (self->clamp, (int) (MEASURE_PX * 0.8 * self->text_scale));
}

static void
update_accessible_label (KaResponseView *self)
{
  /* The side label only ("Model A"): never a model name, before or after the vote. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->blocks)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_TEXT_VIEW (child) && gtk_widget_has_css_class (child, "ka-prose"))
      gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      self->label != NULL ? self->label : "",
                                      -1);
}

/* The answer scrolls as one column of blocks, not inside each text view: arrow and page
 * keys on a focused block scroll the column, as they scrolled the single text view
 * before (a read-only view without a visible cursor has nothing else to do with them). */
static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                KaResponseView        *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);
  double value = gtk_adjustment_get_value (adjustment);
  double lower = gtk_adjustment_get_lower (adjustment);
  double upper = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK | GDK_SUPER_MASK)) != 0)
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      value -= gtk_adjustment_get_step_increment (adjustment);
      break;
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      value += gtk_adjustment_get_step_increment (adjustment);
      break;
    case GDK_KEY_Page_Up:
    case GDK_KEY_KP_Page_Up:
      value -= gtk_adjustment_get_page_increment (adjustment);
      break;
    case GDK_KEY_Page_Down:
    case GDK_KEY_KP_Page_Down:
      value += gtk_adjustment_get_page_increment (adjustment);
      break;
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      value = lower;
      break;
    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      value = upper;
      break;
    default:
      return FALSE;
    }

  gtk_adjustment_set_value (adjustment, CLAMP (value, lower, MAX (lower, upper)));
  return TRUE;
}

static void
ka_response_view_dispose (GObject *object)
{
  KaResponseView *self = KA_RESPONSE_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), KA_TYPE_RESPONSE_VIEW);
  g_clear_object (&self->scale_provider);

  G_OBJECT_CLASS (ka_response_view_parent_class)->dispose (object);
}

static void
ka_response_view_finalize (GObject *object)
{
  KaResponseView *self = KA_RESPONSE_VIEW (object);

  g_clear_pointer (&self->label, g_free);

  G_OBJECT_CLASS (ka_response_view_parent_class)->finalize (object);
}

static void
ka_response_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  KaResponseView *self = KA_RESPONSE_VIEW (object);

  switch (prop_id)
    {
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;

    case PROP_TEXT_SCALE:
      g_value_set_double (value, self->text_scale);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_response_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  KaResponseView *self = KA_RESPONSE_VIEW (object);

  switch (prop_id)
    {
    case PROP_LABEL:
      ka_response_view_set_label (self, g_value_get_string (value));
      break;

    case PROP_TEXT_SCALE:
      ka_response_view_set_text_scale (self, g_value_get_double (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_response_view_class_init (KaResponseViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ka_response_view_dispose;
  object_class->finalize = ka_response_view_finalize;
  object_class->get_property = ka_response_view_get_property;
  object_class->set_property = ka_response_view_set_property;

  properties[PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_TEXT_SCALE] =
    g_param_spec_double ("text-scale", NULL, NULL,
                         TEXT_SCALE_MIN, TEXT_SCALE_MAX, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "karesponseview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  /* Referencing the resource links its object file (and so its registration constructor)
   * from the static library into any program that uses this widget. */
  (void) ka_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kaiarena/Arena/ui/ka-response-view.ui");
  gtk_widget_class_bind_template_child (widget_class, KaResponseView, box);
  gtk_widget_class_bind_template_child (widget_class, KaResponseView, heading);
  gtk_widget_class_bind_template_child (widget_class, KaResponseView, reveal_box);
  gtk_widget_class_bind_template_child (widget_class, KaResponseView, model_label);
  gtk_widget_class_bind_template_child (widget_class, KaResponseView, verdict_label);
  gtk_widget_class_bind_template_child (widget_class, KaResponseView, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, KaResponseView, clamp);
  gtk_widget_class_bind_template_child (widget_class, KaResponseView, blocks);
  gtk_widget_class_bind_template_child (widget_class, KaResponseView, text_view);
}

static void
ka_response_view_init (KaResponseView *self)
{
  GtkTextBuffer *buffer;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->text_scale = 1.0;
  self->scale_provider = gtk_css_provider_new ();
  /* gtk_style_context_add_provider() is the GTK 4.8 way to style one widget; it is only
   * deprecated from 4.10 on. */
  gtk_style_context_add_provider (gtk_widget_get_style_context (GTK_WIDGET (self->blocks)),
                                  GTK_STYLE_PROVIDER (self->scale_provider),
                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION + 1);
  update_text_scale (self);

  {
    GtkEventController *keys = gtk_event_controller_key_new ();

    gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
    g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
    gtk_widget_add_controller (GTK_WIDGET (self->scrolled_window), keys);
  }

  buffer = gtk_text_view_get_buffer (self->text_view);
  ka_markdown_ensure_tags (gtk_text_buffer_get_tag_table (buffer));
  if (gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer),
                                 "ka-turn-marker") == NULL)
    gtk_text_buffer_create_tag (buffer, "ka-turn-marker",
                                "weight", PANGO_WEIGHT_BOLD,
                                "scale", 0.85,
                                "pixels-below-lines", 4,
                                NULL);

  update_accessible_label (self);
}

/**
 * ka_response_view_new:
 *
 * Returns: (transfer floating): a new, empty response view
 */
GtkWidget *
ka_response_view_new (void)
{
  return g_object_new (KA_TYPE_RESPONSE_VIEW, NULL);
}

const char *
ka_response_view_get_label (KaResponseView *self)
{
  g_return_val_if_fail (KA_IS_RESPONSE_VIEW (self), NULL);

  return self->label;
}

/**
 * ka_response_view_set_label:
 * @self: a response view
 * @label: (nullable): the side's name, e.g. "Model A" (translated by the caller)
 *
 * Sets the heading and the text view's accessible name.
 */
void
ka_response_view_set_label (KaResponseView *self,
                            const char     *label)
{
  g_return_if_fail (KA_IS_RESPONSE_VIEW (self));

  if (g_strcmp0 (self->label, label) == 0)
    return;

  g_free (self->label);
  self->label = g_strdup (label);
  gtk_label_set_text (self->heading, label != NULL ? label : "");
  update_accessible_label (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL]);
}

double
ka_response_view_get_text_scale (KaResponseView *self)
{
  g_return_val_if_fail (KA_IS_RESPONSE_VIEW (self), 1.0);

  return self->text_scale;
}

/**
 * ka_response_view_set_text_scale:
 * @self: a response view
 * @scale: font size factor, clamped to 0.75–2.0
 */
void
ka_response_view_set_text_scale (KaResponseView *self,
                                 double          scale)
{
  g_return_if_fail (KA_IS_RESPONSE_VIEW (self));

  scale = CLAMP (scale, TEXT_SCALE_MIN, TEXT_SCALE_MAX);
  if (G_APPROX_VALUE (self->text_scale, scale, 0.001))
    return;

  self->text_scale = scale;
  update_text_scale (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT_SCALE]);
}

/* Every text in the answer (prose, code) with its cursor at its start: reading with the
 * keyboard starts at the top, and no selection survives from an earlier battle. */
static void
rewind_texts (GtkWidget *widget)
{
  if (GTK_IS_TEXT_VIEW (widget))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
      GtkTextIter start;

      gtk_text_buffer_get_start_iter (buffer, &start);
      gtk_text_buffer_place_cursor (buffer, &start);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    rewind_texts (child);
}

static void
scroll_to_top (KaResponseView *self)
{
  GtkAdjustment *vadjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);
  GtkAdjustment *hadjustment = gtk_scrolled_window_get_hadjustment (self->scrolled_window);

  rewind_texts (GTK_WIDGET (self->blocks));

  gtk_adjustment_set_value (vadjustment, gtk_adjustment_get_lower (vadjustment));
  gtk_adjustment_set_value (hadjustment, gtk_adjustment_get_lower (hadjustment));
}

/**
 * ka_response_view_clear:
 * @self: a response view
 *
 * Forgets everything shown: the answer text, the revealed model name and verdict, the
 * "chosen" highlight, the selection and the scroll position. The label stays.
 */
void
ka_response_view_clear (KaResponseView *self)
{
  g_return_if_fail (KA_IS_RESPONSE_VIEW (self));

  /* Every block but the first prose view goes. */
  for (GtkWidget *child = gtk_widget_get_last_child (GTK_WIDGET (self->blocks));
       child != NULL && child != GTK_WIDGET (self->text_view);
       child = gtk_widget_get_last_child (GTK_WIDGET (self->blocks)))
    gtk_box_remove (self->blocks, child);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), "", 0);
  gtk_widget_set_visible (GTK_WIDGET (self->text_view), TRUE);
  gtk_label_set_text (self->model_label, "");
  gtk_label_set_text (self->verdict_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->verdict_label), FALSE);
  gtk_widget_set_visible (self->reveal_box, FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self), "chosen");
  scroll_to_top (self);
}

static void
insert_turn_marker (KaResponseView *self,
                    guint           turn)
{
  /* Translators: a small heading above the answer to the user's n-th question. */
  g_autofree char *text = g_strdup_printf (_("Turn %u"), turn);
  GtkTextView *view = ka_markdown_append_prose_view (self->blocks);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter iter;

  gtk_text_buffer_get_end_iter (buffer, &iter);
  if (gtk_text_buffer_get_char_count (buffer) > 0)
    gtk_text_buffer_insert (buffer, &iter, "\n\n", 2);
  gtk_text_buffer_insert_with_tags_by_name (buffer, &iter, text, -1,
                                            "ka-turn-marker", "ka-dim", NULL);
}

/**
 * ka_response_view_set_response:
 * @self: a response view
 * @prompt: (nullable): the prompt, to know whether it has several turns
 * @response: (nullable): the side's thread; %NULL just clears the view
 *
 * Replaces the view's content with every turn of @response rendered from Markdown, each
 * after a "Turn n" marker when the prompt has several turns. Any previous reveal is
 * cleared first, so a model name can never stay on screen over a new answer.
 */
void
ka_response_view_set_response (KaResponseView       *self,
                               const KaPackPrompt   *prompt,
                               const KaPackResponse *response)
{
  gboolean multi_turn;

  g_return_if_fail (KA_IS_RESPONSE_VIEW (self));

  ka_response_view_clear (self);
  if (response == NULL || response->turns == NULL)
    return;

  multi_turn = prompt != NULL ? prompt->n_turns > 1 : response->n_turns > 1;

  for (guint i = 0; i < response->n_turns && response->turns[i] != NULL; i++)
    {
      if (multi_turn)
        {
          insert_turn_marker (self, i + 1);
          /* The answer starts on the line after its marker. */
          {
            GtkTextView *view = ka_markdown_append_prose_view (self->blocks);
            GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
            GtkTextIter iter;

            gtk_text_buffer_get_end_iter (buffer, &iter);
            gtk_text_buffer_insert (buffer, &iter, "\n", 1);
          }
        }
      else if (i > 0)
        {
          ka_markdown_append_prose_view (self->blocks);
        }
      ka_markdown_render_blocks (self->blocks, response->turns[i], -1);
    }
  /* An answer that starts with a table, code or a formula has nothing for the first prose
   * view: it goes, so that the answer starts at the top like any other. */
  gtk_widget_set_visible (GTK_WIDGET (self->text_view),
                          gtk_text_buffer_get_char_count (gtk_text_view_get_buffer (self->text_view)) > 0
                          || gtk_widget_get_next_sibling (GTK_WIDGET (self->text_view)) == NULL);
  update_accessible_label (self);

  scroll_to_top (self);
}

/**
 * ka_response_view_reveal:
 * @self: a response view
 * @model_name: (nullable): who answered, shown as plain text
 * @organisation: (nullable): the model's organisation
 * @chosen: whether the voter chose this side (adds the "chosen" style class)
 * @verdict: (nullable): e.g. "Your choice", already translated by the caller
 *
 * Shows the line that names the model after the vote. Untrusted names are sanitized and
 * set with gtk_label_set_text(), never as markup.
 */
void
ka_response_view_reveal (KaResponseView *self,
                         const char     *model_name,
                         const char     *organisation,
                         gboolean        chosen,
                         const char     *verdict)
{
  g_autofree char *name = NULL;
  g_autofree char *org = NULL;
  g_autofree char *line = NULL;

  g_return_if_fail (KA_IS_RESPONSE_VIEW (self));

  name = ka_text_sanitize (model_name != NULL ? model_name : "", -1);
  org = ka_text_sanitize (organisation != NULL ? organisation : "", -1);
  g_strdelimit (name, "\n\t", ' ');
  g_strdelimit (org, "\n\t", ' ');

  if (name[0] != '\0' && org[0] != '\0')
    line = g_strdup_printf ("%s · %s", name, org);
  else
    line = g_strdup (name[0] != '\0' ? name : org);

  gtk_label_set_text (self->model_label, line);
  gtk_widget_set_visible (self->reveal_box, TRUE);

  gtk_label_set_text (self->verdict_label, verdict != NULL ? verdict : "");
  gtk_widget_set_visible (GTK_WIDGET (self->verdict_label), verdict != NULL && verdict[0] != '\0');

  if (chosen)
    gtk_widget_add_css_class (GTK_WIDGET (self), "chosen");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "chosen");
}

/**
 * ka_response_view_get_text_view:
 * @self: a response view
 *
 * Returns: (transfer none): the first prose view of the answer (where keyboard reading
 *   starts); tables, code and formulas are further children of its parent box
 */
GtkTextView *
ka_response_view_get_text_view (KaResponseView *self)
{
  g_return_val_if_fail (KA_IS_RESPONSE_VIEW (self), NULL);

  /* The first one shown: the template's, unless the answer starts with another block. */
  if (!gtk_widget_get_visible (GTK_WIDGET (self->text_view)))
    for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->blocks)); child != NULL;
         child = gtk_widget_get_next_sibling (child))
      if (GTK_IS_TEXT_VIEW (child) && gtk_widget_has_css_class (child, "ka-prose")
          && gtk_widget_get_visible (child))
        return GTK_TEXT_VIEW (child);

  return self->text_view;
}

/**
 * ka_response_view_get_blocks:
 * @self: a response view
 *
 * Returns: (transfer none): the vertical box of the answer's blocks
 */
GtkBox *
ka_response_view_get_blocks (KaResponseView *self)
{
  g_return_val_if_fail (KA_IS_RESPONSE_VIEW (self), NULL);

  return self->blocks;
}

/**
 * ka_response_view_dup_text:
 * @self: a response view
 *
 * Returns: (transfer full): the whole answer as a reader gets it, block by block
 *   (ka_markdown_dup_block_text()), blocks separated by a blank line
 */
char *
ka_response_view_dup_text (KaResponseView *self)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (KA_IS_RESPONSE_VIEW (self), NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->blocks)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      g_autofree char *text = ka_markdown_dup_block_text (child);

      if (text[0] == '\0')
        continue;
      if (out->len > 0)
        g_string_append (out, "\n\n");
      g_string_append (out, text);
    }

  return g_string_free (out, FALSE);
}
