/* ka-preferences-window.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ka-preferences-window.h"
#include "ka-sync-indicator.h"

struct _KaPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* template widgets */
  AdwActionRow         *text_size_row;
  GtkAdjustment        *text_size_adjustment;
  AdwPreferencesGroup  *sync_group;
  AdwEntryRow          *server_row;
  AdwActionRow         *enrolment_row;
  GtkSpinner           *enrol_spinner;
  GtkButton            *enrol_button;
  GtkLabel             *sync_error_label;

  /* owned */
  GSettings            *settings;   /* (nullable) */
  KaSync               *sync;       /* (nullable): NULL while no collector is set */
  GSignalGroup         *sync_signals;
  gboolean              enrolling;
  gboolean              disposed;
};

G_DEFINE_FINAL_TYPE (KaPreferencesWindow, ka_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_SYNC,
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

/* Sync ------------------------------------------------------------------------------- */

static void
show_sync_error (KaPreferencesWindow *self,
                 const char          *message)
{
  gtk_label_set_text (self->sync_error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->sync_error_label), message != NULL);
}

static void
update_enrolment (KaPreferencesWindow *self)
{
  const char *url = self->sync != NULL ? ka_sync_get_server_url (self->sync) : NULL;
  gboolean have_server = url != NULL && url[0] != '\0';
  gboolean enrolled = have_server && ka_sync_is_enrolled (self->sync);
  const char *subtitle;

  if (self->enrolling)
    subtitle = _("Enrolling…");
  else if (!have_server)
    subtitle = _("No collector is set: ballots stay on this device");
  else if (enrolled)
    subtitle = _("Enrolled on the collector");
  else
    subtitle = _("Not enrolled yet: ballots wait on this device");

  adw_action_row_set_subtitle (self->enrolment_row, subtitle);
  gtk_widget_set_visible (GTK_WIDGET (self->enrol_button), !enrolled);
  gtk_widget_set_sensitive (GTK_WIDGET (self->enrol_button), have_server && !self->enrolling);
  gtk_widget_set_visible (GTK_WIDGET (self->enrol_spinner), self->enrolling);
  gtk_spinner_set_spinning (self->enrol_spinner, self->enrolling);
}

static void
sync_notify_cb (KaPreferencesWindow *self)
{
  update_enrolment (self);
}

static void
server_row_changed_cb (KaPreferencesWindow *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->server_row), "error");
  show_sync_error (self, NULL);
}

/* Only an address the sync will accept is saved: https://, or http:// to this computer
 * (docs/protocol.md §1); empty turns sync off. */
static void
server_row_apply_cb (KaPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->server_row));
  g_autofree char *url = g_strstrip (g_strdup (text));
  g_autoptr(GError) error = NULL;

  if (self->settings == NULL)
    return;

  if (url[0] != '\0' && !ka_sync_check_server_url (url, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->server_row), "error");
      if (g_error_matches (error, KA_SYNC_ERROR, KA_SYNC_ERROR_INSECURE_URL))
        show_sync_error (self, _("Use an https:// address. Plain http:// is only allowed for "
                                 "this computer (localhost, 127.0.0.1 or ::1)."));
      else
        show_sync_error (self, _("This is not a web address. It looks like "
                                 "https://collector.example.org/"));
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->server_row), "error");
  show_sync_error (self, NULL);
  g_settings_set_string (self->settings, "server-url", url);
}

static void
enrolled_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(KaPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  KaSync *sync = KA_SYNC (object);

  if (ka_sync_enrol_finish (sync, result, &error))
    /* Send what was waiting, now that the collector knows this device. */
    ka_sync_request_sync (sync);

  if (self->disposed)
    return;

  self->enrolling = FALSE;
  update_enrolment (self);

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = NULL;

      g_debug ("Enrolment failed: %s", error->message);
      message = ka_sync_describe_problem (KA_SYNC_STATE_NOT_ENROLLED,
                                          error->domain == KA_SYNC_ERROR ? error->code : -1,
                                          TRUE);
      show_sync_error (self, message);
    }
}

/* No cancellable: an enrolment whose answer was lost leaves the collector knowing a token
 * this device never saved (409 later), so it runs to the end even if the window closes. */
static void
enrol_clicked_cb (KaPreferencesWindow *self)
{
  if (self->sync == NULL || self->enrolling)
    return;

  self->enrolling = TRUE;
  show_sync_error (self, NULL);
  update_enrolment (self);
  ka_sync_enrol_async (self->sync, KA_MODE_CITIZEN, NULL, NULL, enrolled_cb,
                       g_object_ref (self));
}

static void
ka_preferences_window_constructed (GObject *object)
{
  KaPreferencesWindow *self = KA_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (ka_preferences_window_parent_class)->constructed (object);

  update_enrolment (self);

  if (self->settings == NULL)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->text_size_row), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->sync_group), FALSE);
      return;
    }

  {
    g_autofree char *url = g_settings_get_string (self->settings, "server-url");

    gtk_editable_set_text (GTK_EDITABLE (self->server_row), url);
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

  self->disposed = TRUE;
  if (self->sync_signals != NULL)
    g_signal_group_set_target (self->sync_signals, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), KA_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->sync_signals);
  g_clear_object (&self->sync);

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

    case PROP_SYNC:
      g_value_set_object (value, self->sync);
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

    case PROP_SYNC:
      ka_preferences_window_set_sync (self, g_value_get_object (value));
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

  /* The app's background sync, for the enrolment row; NULL while no collector is set. */
  properties[PROP_SYNC] =
    g_param_spec_object ("sync", NULL, NULL,
                         KA_TYPE_SYNC,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kaiarena/Arena/ui/ka-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KaPreferencesWindow, text_size_row);
  gtk_widget_class_bind_template_child (widget_class, KaPreferencesWindow, text_size_adjustment);
  gtk_widget_class_bind_template_child (widget_class, KaPreferencesWindow, sync_group);
  gtk_widget_class_bind_template_child (widget_class, KaPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, KaPreferencesWindow, enrolment_row);
  gtk_widget_class_bind_template_child (widget_class, KaPreferencesWindow, enrol_spinner);
  gtk_widget_class_bind_template_child (widget_class, KaPreferencesWindow, enrol_button);
  gtk_widget_class_bind_template_child (widget_class, KaPreferencesWindow, sync_error_label);
  gtk_widget_class_bind_template_callback (widget_class, server_row_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, server_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, enrol_clicked_cb);
}

static void
ka_preferences_window_init (KaPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->sync_signals = g_signal_group_new (KA_TYPE_SYNC);
  g_signal_group_connect_swapped (self->sync_signals, "notify::enrolled",
                                  G_CALLBACK (sync_notify_cb), self);
  g_signal_group_connect_swapped (self->sync_signals, "notify::server-url",
                                  G_CALLBACK (sync_notify_cb), self);
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

KaSync *
ka_preferences_window_get_sync (KaPreferencesWindow *self)
{
  g_return_val_if_fail (KA_IS_PREFERENCES_WINDOW (self), NULL);

  return self->sync;
}

/**
 * ka_preferences_window_set_sync:
 * @sync: (nullable): the app's background sync, %NULL while no collector is set
 *
 * The Sync group shows whether this device is enrolled on @sync's collector and offers
 * to enrol it.
 */
void
ka_preferences_window_set_sync (KaPreferencesWindow *self,
                                KaSync              *sync)
{
  g_return_if_fail (KA_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (sync == NULL || KA_IS_SYNC (sync));

  if (!g_set_object (&self->sync, sync))
    return;

  g_signal_group_set_target (self->sync_signals, sync);
  update_enrolment (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC]);
}
