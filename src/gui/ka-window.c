/* ka-window.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ka-battle-view.h"
#include "ka-privacy-page.h"
#include "ka-sync-indicator.h"
#include "ka-window.h"

struct _KaWindow
{
  AdwApplicationWindow  parent_instance;

  /* template widgets */
  AdwWindowTitle       *window_title;
  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  KaBattleView         *battle_view;
  AdwStatusPage        *error_page;
  GtkSpinner           *loading_spinner;
  AdwStatusPage        *done_page;
  GtkButton            *new_session_button;
  KaSyncIndicator      *sync_indicator;   /* its "sync" is bound to the battle view's */
  KaPrivacyPage        *privacy_page;

  /* TRUE until a citizen agrees to the privacy notice: no battle starts before that */
  gboolean              consent_required;
  gboolean              constructed;     /* past constructed(): "session" is set with setup */

  /* owned */
  KaSession            *session;     /* (nullable): NULL when the app could not start */
  GSettings            *settings;    /* (nullable): NULL when the schema is not installed */
};

G_DEFINE_FINAL_TYPE (KaWindow, ka_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_CONSENT_REQUIRED,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_subtitle (KaWindow *self)
{
  KaBattle *battle = ka_session_get_battle (self->session);
  g_autofree char *language = NULL;
  const char *title;

  if (battle == NULL)
    return;

  g_object_get (self->session, "ui-language", &language, NULL);
  title = ka_pack_get_title (ka_battle_get_pack (battle), language);
  adw_window_title_set_subtitle (self->window_title, title != NULL ? title : "");
}

static void
update_page (KaWindow *self)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "error") == 0 ||
      self->consent_required)
    return;

  if (ka_session_get_state (self->session) == KA_SESSION_STATE_EXHAUSTED)
    {
      if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "done") != 0)
        {
          gtk_stack_set_visible_child_name (self->stack, "done");
          gtk_widget_grab_focus (GTK_WIDGET (self->new_session_button));
        }
    }
  else
    gtk_stack_set_visible_child_name (self->stack, "battle");

  update_subtitle (self);
}

static void
start_battle (KaWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (!ka_battle_view_next_battle (self->battle_view, &error))
    {
      g_warning ("Could not show a battle: %s", error->message);
      ka_window_show_error (self, _("No Battle Can Be Shown"), error->message);
      return;
    }

  update_page (self);
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "battle") == 0)
    ka_battle_view_focus_default (self->battle_view);
}

static void
new_session_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  KaWindow *self = KA_WINDOW (widget);

  if (self->session == NULL)
    return;

  ka_session_reset (self->session);
  start_battle (self);
}

static void
session_changed_cb (KaWindow *self)
{
  update_page (self);
}

/* The consent is committed to the store (ka-privacy-page.c): voting may begin. */
static void
privacy_agreed_cb (KaWindow *self)
{
  if (!self->consent_required)
    return;

  self->consent_required = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.new-session", TRUE);
  gtk_stack_set_visible_child_name (self->stack, "battle");
  start_battle (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONSENT_REQUIRED]);
}

static gboolean
ka_window_close_request (GtkWindow *window)
{
  KaWindow *self = KA_WINDOW (window);

  if (self->settings != NULL)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_delay (self->settings);
      if (width > 0 && height > 0)
        {
          g_settings_set_int (self->settings, "window-width", width);
          g_settings_set_int (self->settings, "window-height", height);
        }
      g_settings_set_boolean (self->settings, "window-maximized",
                              gtk_window_is_maximized (window));
      g_settings_apply (self->settings);
    }

  return GTK_WINDOW_CLASS (ka_window_parent_class)->close_request (window);
}

/* GtkWindow moves the focus to its first focusable widget (the header bar's menu button)
 * when it is shown with none set. A battle starts with nothing focused, so that nothing
 * tells answer A from answer B and Enter votes for nobody (ka_battle_view_focus_default()):
 * undo that for a battle shown with the window. */
static void
ka_window_show (GtkWidget *widget)
{
  KaWindow *self = KA_WINDOW (widget);

  GTK_WIDGET_CLASS (ka_window_parent_class)->show (widget);

  if (self->session != NULL &&
      ka_session_get_state (self->session) == KA_SESSION_STATE_VOTING &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "battle") == 0)
    ka_battle_view_focus_default (self->battle_view);
}

/* Shows the session: the privacy notice on a citizen device's first run, a battle, or (in
 * a kiosk) nothing until the attract screen wakes. */
static void
setup_session (KaWindow *self)
{
  gtk_spinner_stop (self->loading_spinner);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.new-session", TRUE);

  g_signal_connect_object (self->session, "notify::state",
                           G_CALLBACK (session_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::battle",
                           G_CALLBACK (session_changed_cb), self, G_CONNECT_SWAPPED);

  ka_battle_view_set_session (self->battle_view, self->session);

  /* First run of a citizen device: the privacy notice comes before any battle, so that
   * nothing is recorded, shown or timed until the voter has agreed (issue 6). A kiosk
   * shows its notice on the attract screen. */
  if (self->consent_required &&
      (ka_session_get_mode (self->session) != KA_MODE_CITIZEN ||
       ka_privacy_has_consent (ka_session_get_store (self->session))))
    self->consent_required = FALSE;

  if (self->consent_required)
    {
      ka_privacy_page_set_store (self->privacy_page, ka_session_get_store (self->session));
      ka_privacy_page_set_ui_language (self->privacy_page,
                                       ka_session_get_ui_language (self->session));
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.new-session", FALSE);
      gtk_stack_set_visible_child_name (self->stack, "privacy");
      ka_privacy_page_focus_default (self->privacy_page);
      return;
    }

  /* A kiosk (ka-kiosk.c) shows its attract screen first and starts the first battle
   * with window.new-session when a visitor wakes it. */
  if (ka_session_get_state (self->session) == KA_SESSION_STATE_IDLE &&
      ka_session_get_mode (self->session) != KA_MODE_KIOSK)
    start_battle (self);
  else
    update_page (self);
}

static void
ka_window_constructed (GObject *object)
{
  KaWindow *self = KA_WINDOW (object);

  G_OBJECT_CLASS (ka_window_parent_class)->constructed (object);
  self->constructed = TRUE;

  if (self->settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));

      g_settings_bind (self->settings, "text-scale",
                       self->battle_view, "text-scale",
                       G_SETTINGS_BIND_GET);
    }

  /* No session yet: the application is reading the pack on a worker thread and gives it
   * with ka_window_set_session(), or shows an error (ka_window_show_error()). */
  if (self->session == NULL)
    {
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.new-session", FALSE);
      gtk_stack_set_visible_child_name (self->stack, "loading");
      return;
    }

  setup_session (self);
}

static void
ka_window_dispose (GObject *object)
{
  KaWindow *self = KA_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), KA_TYPE_WINDOW);

  g_clear_object (&self->session);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ka_window_parent_class)->dispose (object);
}

static void
ka_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  KaWindow *self = KA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_CONSENT_REQUIRED:
      g_value_set_boolean (value, self->consent_required);
      break;

    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  KaWindow *self = KA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      if (!self->constructed)
        self->session = g_value_dup_object (value);
      else if (g_value_get_object (value) != NULL)
        ka_window_set_session (self, g_value_get_object (value));
      break;

    case PROP_CONSENT_REQUIRED:
      self->consent_required = g_value_get_boolean (value);
      break;

    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_window_class_init (KaWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = ka_window_constructed;
  object_class->dispose = ka_window_dispose;
  object_class->get_property = ka_window_get_property;
  object_class->set_property = ka_window_set_property;

  window_class->close_request = ka_window_close_request;
  widget_class->show = ka_window_show;

  /**
   * KaWindow:session:
   *
   * The voting session shown, or %NULL while the pack is still being read (the window
   * shows its "loading" page) or when K-AI Arena could not start (the error given to
   * ka_window_show_error()). Set at construction or once with ka_window_set_session();
   * notified then.
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         KA_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  /**
   * KaWindow:consent-required:
   *
   * Set at construction by the application for a citizen window: if the store holds no
   * consent to the current privacy notice, the window shows the notice instead of a battle
   * and starts voting only once the voter has agreed. Reads %FALSE from then on (or at once
   * when consent was given before, or for a kiosk); notified when it changes.
   */
  properties[PROP_CONSENT_REQUIRED] =
    g_param_spec_boolean ("consent-required", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);

  /**
   * KaWindow:settings:
   *
   * The app's settings (the `io.github.kaiarena.Arena` schema), given at construction by
   * the application: the window restores and saves its size in them and follows their
   * "text-scale". %NULL (tests, or no schema installed) keeps nothing.
   */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (KA_TYPE_BATTLE_VIEW);
  g_type_ensure (KA_TYPE_PRIVACY_PAGE);
  g_type_ensure (KA_TYPE_SYNC_INDICATOR);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kaiarena/Arena/ui/ka-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KaWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, KaWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, KaWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, KaWindow, battle_view);
  gtk_widget_class_bind_template_child (widget_class, KaWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, KaWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, KaWindow, done_page);
  gtk_widget_class_bind_template_child (widget_class, KaWindow, new_session_button);
  gtk_widget_class_bind_template_child (widget_class, KaWindow, sync_indicator);
  gtk_widget_class_bind_template_child (widget_class, KaWindow, privacy_page);
  gtk_widget_class_bind_template_callback (widget_class, privacy_agreed_cb);

  gtk_widget_class_install_action (widget_class, "window.new-session", NULL,
                                   new_session_activated);
}

static void
ka_window_init (KaWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

/**
 * ka_window_new:
 * @application: (nullable): the application, or %NULL in tests
 * @session: (nullable): the session to show; %NULL for a window that only shows an error
 *
 * Returns: a window without settings, which keeps neither its size nor a text scale; the
 *   application constructs its windows with KaWindow:settings.
 */
KaWindow *
ka_window_new (GtkApplication *application,
               KaSession      *session)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (session == NULL || KA_IS_SESSION (session), NULL);

  return g_object_new (KA_TYPE_WINDOW,
                       "application", application,
                       "session", session,
                       NULL);
}

KaSession *
ka_window_get_session (KaWindow *self)
{
  g_return_val_if_fail (KA_IS_WINDOW (self), NULL);

  return self->session;
}

/**
 * ka_window_set_session:
 * @session: the session the application made on a worker thread
 *
 * Gives a window built without a session (showing "Opening the Battle Pack…") its session
 * and shows it, as if it had been there at construction. Only once: a window's session
 * never changes.
 */
void
ka_window_set_session (KaWindow  *self,
                       KaSession *session)
{
  g_return_if_fail (KA_IS_WINDOW (self));
  g_return_if_fail (KA_IS_SESSION (session));

  if (self->session == session)
    return;
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  setup_session (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

KaBattleView *
ka_window_get_battle_view (KaWindow *self)
{
  g_return_val_if_fail (KA_IS_WINDOW (self), NULL);

  return self->battle_view;
}

/**
 * ka_window_set_sync:
 * @sync: (nullable): the application's background sync, %NULL when no collector is set
 *
 * Shows @sync in the header-bar indicator; the battle view asks it to run after each vote
 * and takes a sealed pack's names from its receipts.
 */
void
ka_window_set_sync (KaWindow *self,
                    KaSync   *sync)
{
  g_return_if_fail (KA_IS_WINDOW (self));

  ka_sync_indicator_set_sync (self->sync_indicator, sync);
}

/* Returns: (transfer none) (nullable): the sync given to ka_window_set_sync() */
KaSync *
ka_window_get_sync (KaWindow *self)
{
  g_return_val_if_fail (KA_IS_WINDOW (self), NULL);

  return ka_sync_indicator_get_sync (self->sync_indicator);
}

KaSyncIndicator *
ka_window_get_sync_indicator (KaWindow *self)
{
  g_return_val_if_fail (KA_IS_WINDOW (self), NULL);

  return self->sync_indicator;
}

/* Returns: "battle", "error", "done", "privacy" (the first-run notice) or "loading" (the
 * pack is being read). */
const char *
ka_window_get_page (KaWindow *self)
{
  g_return_val_if_fail (KA_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/**
 * ka_window_show_error:
 * @title: a short headline
 * @description: (nullable): the reason, in words the voter or operator can act on
 *
 * Replaces the battle with an error page. Nothing can be voted on afterwards.
 */
void
ka_window_show_error (KaWindow   *self,
                      const char *title,
                      const char *description)
{
  g_autofree char *escaped = NULL;

  g_return_if_fail (KA_IS_WINDOW (self));
  g_return_if_fail (title != NULL);

  /* AdwStatusPage parses its description as Pango markup; error messages quote file
   * names and pack fields, which must show as they are. */
  if (description != NULL)
    escaped = g_markup_escape_text (description, -1);

  gtk_spinner_stop (self->loading_spinner);
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, escaped);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.new-session", FALSE);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

gboolean
ka_window_get_consent_required (KaWindow *self)
{
  g_return_val_if_fail (KA_IS_WINDOW (self), FALSE);

  return self->consent_required;
}
