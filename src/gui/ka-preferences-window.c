/* ka-preferences-window.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ka-preferences-window.h"

struct _KaPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* template widgets */
  AdwActionRow         *text_size_row;
  GtkAdjustment        *text_size_adjustment;

  /* owned */
  GSettings            *settings;   /* (nullable) */
};

G_DEFINE_FINAL_TYPE (KaPreferencesWindow, ka_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* text-scale is a factor (0.75-2.0); the spin button shows percent (75-200). */
static gboolean
scale_to_percent (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  g_value_set_double (value, g_variant_get_double (variant) * 100.0);
  return TRUE;
}

static GVariant *
percent_to_scale (const GValue       *value,
                  const GVariantType *expected_type,
                  gpointer            user_data)
{
  double percent = CLAMP (g_value_get_double (value), 75.0, 200.0);

  return g_variant_new_double (percent / 100.0);
}

static void
ka_preferences_window_constructed (GObject *object)
{
  KaPreferencesWindow *self = KA_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (ka_preferences_window_parent_class)->constructed (object);

  if (self->settings == NULL)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->text_size_row), FALSE);
      return;
    }

  g_settings_bind_with_mapping (self->settings, "text-scale",
                                self->text_size_adjustment, "value",
                                G_SETTINGS_BIND_DEFAULT,
                                scale_to_percent, percent_to_scale,
                                NULL, NULL);
}

static void
ka_preferences_window_dispose (GObject *object)
{
  KaPreferencesWindow *self = KA_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), KA_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ka_preferences_window_parent_class)->dispose (object);
}

static void
ka_preferences_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  KaPreferencesWindow *self = KA_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_preferences_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  KaPreferencesWindow *self = KA_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_preferences_window_class_init (KaPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ka_preferences_window_constructed;
  object_class->dispose = ka_preferences_window_dispose;
  object_class->get_property = ka_preferences_window_get_property;
  object_class->set_property = ka_preferences_window_set_property;

  /* The io.github.kaiarena.Arena settings; NULL when the schema is not installed. */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kaiarena/Arena/ui/ka-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KaPreferencesWindow, text_size_row);
  gtk_widget_class_bind_template_child (widget_class, KaPreferencesWindow, text_size_adjustment);
}

static void
ka_preferences_window_init (KaPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * ka_preferences_window_new:
 * @transient_for: (nullable): the main window
 * @settings: (nullable): the application settings
 */
GtkWidget *
ka_preferences_window_new (GtkWindow *transient_for,
                           GSettings *settings)
{
  g_return_val_if_fail (transient_for == NULL || GTK_IS_WINDOW (transient_for), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  return g_object_new (KA_TYPE_PREFERENCES_WINDOW,
                       "transient-for", transient_for,
                       "settings", settings,
                       NULL);
}
