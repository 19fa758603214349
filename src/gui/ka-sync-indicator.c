/* ka-sync-indicator.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-sync-indicator"

#include "config.h"

#include <glib/gi18n.h>

#include "ka-sync-indicator.h"

struct _KaSyncIndicator
{
  AdwBin           parent_instance;

  /* template widgets */
  GtkMenuButton   *button;
  GtkImage        *icon;
  GtkLabel        *label;
  GtkPopover      *popover;
  GtkImage        *popover_icon;
  GtkLabel        *title_label;
  GtkLabel        *problem_label;
  GtkLabel        *server_label;
  GtkLabel        *state_label;
  GtkLabel        *pending_label;
  GtkLabel        *delivered_label;
  GtkLabel        *rejected_label;
  GtkLabel        *last_sync_label;
  GtkLabel        *next_sync_label;
  GtkLabel        *rejected_note;
  GtkButton       *sync_button;

  /* owned */
  KaSync          *sync;             /* (nullable) */
  GSignalGroup    *sync_signals;
  GCancellable    *cancellable;      /* "Sync Now" runs; cancelled with the widget */
  AdwToastOverlay *toast_overlay;    /* (nullable) (weak) */

  /* what a person has been told already, so that a toast is not repeated */
  guint            rejected_seen;
  gboolean         attention_shown;  /* for the current not-enrolled/diverged episode */
  guint            n_toasts;
};

G_DEFINE_FINAL_TYPE (KaSyncIndicator, ka_sync_indicator, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SYNC,
  PROP_TOAST_OVERLAY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
has_server (KaSync *sync)
{
  const char *url;

  if (sync == NULL)
    return FALSE;

  url = ka_sync_get_server_url (sync);
  return url != NULL && url[0] != '\0';
}

/* No network, or the collector did not answer (refused, reset, timed out): to a voter
 * both read as "offline"; the popover tells which. */
static gboolean
is_unreachable (KaSync *sync)
{
  KaSyncState state = ka_sync_get_state (sync);

  return state == KA_SYNC_STATE_OFFLINE ||
         (state == KA_SYNC_STATE_ERROR &&
          ka_sync_get_last_error_code (sync) == KA_SYNC_ERROR_NETWORK);
}

/* A Unix time as the locale writes a time of day; with the date when it is not today. */
static char *
format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) then = g_date_time_new_from_unix_local (unix_seconds);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (then == NULL)
    return g_strdup ("");

  if (g_date_time_get_year (then) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (then) == g_date_time_get_day_of_year (now))
    /* Translators: how the time of a sync is shown when it is today, a
     * g_date_time_format() string; e.g. "%p %l:%M" for "오후 2:05" */
    /* xgettext:no-c-format */
    return g_date_time_format (then, _("%H:%M"));

  /* Translators: how the time of a sync is shown when it is not today, a
   * g_date_time_format() string; e.g. "%-m월 %-d일 %p %l:%M" */
  /* xgettext:no-c-format */
  return g_date_time_format (then, _("%b %-d, %H:%M"));
}

/**
 * ka_sync_describe_problem:
 * @state: the sync's state
 * @error_code: a #KaSyncError code, or -1
 * @have_error: whether the last operation failed at all (a failure outside
 *   #KA_SYNC_ERROR has @error_code -1)
 *
 * Explains the sync's last problem in words a voter can act on, in their language. The
 * collector's English diagnostic (#KaSync:last-error) is for logs and staff.
 *
 * Returns: (transfer full) (nullable): a translated sentence, or %NULL when there is no
 *   problem to explain
 */
char *
ka_sync_describe_problem (KaSyncState state,
                          int         error_code,
                          gboolean    have_error)
{
  if (state == KA_SYNC_STATE_IDLE || state == KA_SYNC_STATE_SYNCING)
    return NULL;

  if (!have_error)
    {
      if (state == KA_SYNC_STATE_OFFLINE)
        return g_strdup (_("There is no network connection. Your ballots are kept on this "
                           "device and sent when the connection returns."));
      if (state == KA_SYNC_STATE_NOT_ENROLLED)
        return g_strdup (_("This device is not enrolled on the collector yet, so no "
                           "ballots are sent. Enrol it in Preferences."));
      return NULL;
    }

  switch (error_code)
    {
    case KA_SYNC_ERROR_INVALID_URL:
      return g_strdup (_("The collector address is not a valid web address. Check it in "
                         "Preferences."));

    case KA_SYNC_ERROR_INSECURE_URL:
      return g_strdup (_("The collector address must start with https:// (http:// is only "
                         "allowed for this computer). Check it in Preferences."));

    case KA_SYNC_ERROR_NOT_ENROLLED:
      return g_strdup (_("This device is not enrolled on the collector, so no ballots are "
                         "sent. Enrol it in Preferences."));

    case KA_SYNC_ERROR_DEVICE_EXISTS:
      return g_strdup (_("The collector already knows this device but cannot confirm it. "
                         "Please ask the organisers for help. Your ballots are safe on "
                         "this device."));

    case KA_SYNC_ERROR_ENROLMENT_REFUSED:
      return g_strdup (_("The collector refused to enrol this device. Venue kiosks need "
                         "the organisers’ enrolment code."));

    case KA_SYNC_ERROR_NETWORK:
      return g_strdup (_("The collector cannot be reached right now. Your ballots are kept "
                         "on this device and sent later."));

    case KA_SYNC_ERROR_TLS:
      return g_strdup (_("The collector’s security certificate is not trusted, so nothing "
                         "was sent. If this continues, tell the organisers."));

    case KA_SYNC_ERROR_SERVER:
      return g_strdup (_("The collector had a problem and asked to try again later. "
                         "Nothing is lost; sync will try again by itself."));

    case KA_SYNC_ERROR_RATE_LIMITED:
      return g_strdup (_("The collector is busy and asked to try again later. Sync will "
                         "try again by itself."));

    case KA_SYNC_ERROR_BAD_RESPONSE:
      return g_strdup (_("The answer did not come from the collector; the network may need "
                         "you to sign in first (for example public Wi-Fi). Nothing was "
                         "counted as sent."));

    case KA_SYNC_ERROR_REFUSED:
      return g_strdup (_("The collector refused the request. This app or its collector "
                         "address may need updating."));

    case KA_SYNC_ERROR_DIVERGED:
      return g_strdup (_("The collector’s record of this device does not match the ballots "
                         "kept here, so sending has stopped. Please tell the organisers; "
                         "nothing is lost."));

    default:
      /* A store failure or another domain: nothing the voter did. */
      return g_strdup (_("The ballots on this device could not be prepared for sending. "
                         "Sync will try again by itself."));
    }
}

/* The button's short text. */
static char *
make_label (KaSync *sync)
{
  KaSyncState state;
  guint pending;
  gint64 last_sync;

  if (!has_server (sync))
    return g_strdup (_("Not connected"));

  state = ka_sync_get_state (sync);
  pending = ka_sync_get_pending (sync);
  last_sync = ka_sync_get_last_sync (sync);

  if (state == KA_SYNC_STATE_NOT_ENROLLED)
    return g_strdup (_("Not enrolled"));

  if (is_unreachable (sync))
    return g_strdup (_("Offline"));

  if (pending > 0)
    /* Translators: on the sync button in the header bar; ballots not yet sent */
    return g_strdup_printf (ngettext ("%u ballot waiting", "%u ballots waiting", pending),
                            pending);

  if (state == KA_SYNC_STATE_SYNCING)
    return g_strdup (_("Syncing…"));

  if (last_sync > 0)
    {
      g_autofree char *time = format_time (last_sync);

      /* Translators: on the sync button; %s is a time such as "14:05" */
      return g_strdup_printf (_("Synced at %s"), time);
    }

  if (state == KA_SYNC_STATE_ERROR)
    return g_strdup (_("Not synced"));

  return g_strdup (_("Not synced yet"));
}

static const char *
state_icon (KaSync *sync)
{
  if (!has_server (sync))
    return "network-offline-symbolic";

  if (is_unreachable (sync))
    return "network-offline-symbolic";

  switch (ka_sync_get_state (sync))
    {
    case KA_SYNC_STATE_OFFLINE:
      return "network-offline-symbolic";

    case KA_SYNC_STATE_ERROR:
    case KA_SYNC_STATE_NOT_ENROLLED:
      return "dialog-warning-symbolic";

    case KA_SYNC_STATE_SYNCING:
      return "emblem-synchronizing-symbolic";

    case KA_SYNC_STATE_IDLE:
    default:
      return ka_sync_get_pending (sync) > 0 ? "emblem-synchronizing-symbolic"
                                            : "emblem-ok-symbolic";
    }
}

static const char *
state_words (KaSync *sync)
{
  if (!has_server (sync))
    return _("No collector is set: ballots stay on this device");

  switch (ka_sync_get_state (sync))
    {
    case KA_SYNC_STATE_SYNCING:
      return _("Sending ballots…");

    case KA_SYNC_STATE_OFFLINE:
      return _("Offline");

    case KA_SYNC_STATE_ERROR:
      if (is_unreachable (sync))
        return _("The collector cannot be reached");
      return _("The last attempt failed");

    case KA_SYNC_STATE_NOT_ENROLLED:
      return _("This device is not enrolled");

    case KA_SYNC_STATE_IDLE:
    default:
      return ka_sync_get_pending (sync) > 0 ? _("Waiting to send") : _("Up to date");
    }
}

static char *
make_title (KaSync *sync)
{
  guint pending;

  if (!has_server (sync))
    return g_strdup (_("Not connected to a collector"));

  pending = ka_sync_get_pending (sync);

  if (ka_sync_get_state (sync) == KA_SYNC_STATE_NOT_ENROLLED)
    return g_strdup (_("This device is not enrolled on the collector"));

  if (is_unreachable (sync))
    {
      if (pending > 0)
        return g_strdup_printf (ngettext ("Offline: %u ballot is waiting on this device",
                                          "Offline: %u ballots are waiting on this device",
                                          pending), pending);
      return g_strdup (_("Offline"));
    }

  if (pending > 0)
    return g_strdup_printf (ngettext ("%u ballot is waiting to be sent",
                                      "%u ballots are waiting to be sent",
                                      pending), pending);
  if (ka_sync_get_last_sync (sync) > 0)
    return g_strdup (_("All ballots have been sent"));
  return g_strdup (_("Nothing has been sent yet"));
}

static char *
make_next_attempt (KaSync *sync)
{
  gint64 next = ka_sync_get_next_sync (sync);

  switch (ka_sync_get_state (sync))
    {
    case KA_SYNC_STATE_SYNCING:
      return g_strdup (_("Now"));

    case KA_SYNC_STATE_NOT_ENROLLED:
      return g_strdup (_("After this device is enrolled"));

    case KA_SYNC_STATE_OFFLINE:
      if (next <= 0)
        return g_strdup (_("When the network returns"));
      break;

    case KA_SYNC_STATE_IDLE:
    case KA_SYNC_STATE_ERROR:
    default:
      break;
    }

  if (next <= 0)
    /* Translators: no sync is scheduled */
    return g_strdup (_("Not planned"));

  return format_time (next);
}

static void
set_icon_style (GtkWidget *icon,
                KaSync    *sync)
{
  KaSyncState state = sync != NULL ? ka_sync_get_state (sync) : KA_SYNC_STATE_IDLE;
  gboolean warning = has_server (sync) &&
                     (state == KA_SYNC_STATE_ERROR || state == KA_SYNC_STATE_NOT_ENROLLED);

  if (warning)
    gtk_widget_add_css_class (icon, "warning");
  else
    gtk_widget_remove_css_class (icon, "warning");
}

static void
toast_details_cb (KaSyncIndicator *self)
{
  ka_sync_indicator_popup (self);
}

/* @action_name: an action the window can reach (app.preferences), or %NULL for "Details",
 * which opens this indicator's popover. */
static void
show_toast (KaSyncIndicator *self,
            const char      *title,
            const char      *button_label,
            const char      *action_name)
{
  AdwToast *toast;

  if (self->toast_overlay == NULL)
    return;

  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 0);   /* stays until dismissed: a person must act */
  adw_toast_set_button_label (toast, button_label);
  if (action_name != NULL)
    adw_toast_set_action_name (toast, action_name);
  else
    g_signal_connect_object (toast, "button-clicked", G_CALLBACK (toast_details_cb), self,
                             G_CONNECT_SWAPPED);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  self->n_toasts++;
}

/* Toasts only for what needs a person, once per episode, and only when the indicator can
 * be seen (a kiosk hides the header bar: visitors are not asked to enrol anything). */
static void
maybe_toast (KaSyncIndicator *self)
{
  KaSyncState state;
  int code;
  guint rejected;

  if (self->sync == NULL || !has_server (self->sync))
    return;

  state = ka_sync_get_state (self->sync);
  code = ka_sync_get_last_error_code (self->sync);
  rejected = ka_sync_get_rejected (self->sync);

  /* An episode ends with a successful sync (retries, going offline and back, do not
   * end it: the problem is still there). */
  if (state == KA_SYNC_STATE_IDLE)
    self->attention_shown = FALSE;

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;

  if (!self->attention_shown)
    {
      if (state == KA_SYNC_STATE_NOT_ENROLLED)
        {
          self->attention_shown = TRUE;
          if (code == KA_SYNC_ERROR_INVALID_URL || code == KA_SYNC_ERROR_INSECURE_URL)
            show_toast (self, _("The collector address cannot be used"),
                        _("_Preferences"), "app.preferences");
          else if (code == KA_SYNC_ERROR_DEVICE_EXISTS)
            show_toast (self, _("The collector cannot confirm this device: ask the organisers"),
                        _("_Details"), NULL);
          else
            show_toast (self, _("This device is not enrolled on the collector"),
                        _("_Enrol…"), "app.preferences");
        }
      else if (state == KA_SYNC_STATE_ERROR && code == KA_SYNC_ERROR_DIVERGED)
        {
          self->attention_shown = TRUE;
          show_toast (self, _("Sending has stopped: please tell the organisers"),
                      _("_Details"), NULL);
        }
    }

  if (rejected > self->rejected_seen)
    {
      guint n = rejected - self->rejected_seen;
      g_autofree char *title = NULL;

      title = g_strdup_printf (ngettext ("The collector set %u ballot aside",
                                         "The collector set %u ballots aside", n), n);
      show_toast (self, title, _("_Details"), NULL);
    }
  self->rejected_seen = rejected;
}

/* A screen reader hears what the popover's heading says, e.g. "3 ballots are waiting to
 * be sent", rather than the button's short text. */
static void
update_accessible_label (KaSyncIndicator *self,
                         const char      *title)
{
  g_autofree char *label = NULL;

  /* Translators: the accessible name of the sync button; %s says where the ballots are */
  label = g_strdup_printf (_("Sync: %s"), title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
update (KaSyncIndicator *self)
{
  KaSync *sync = self->sync;
  g_autofree char *label = make_label (sync);
  g_autofree char *title = make_title (sync);
  g_autofree char *problem = NULL;
  const char *icon = state_icon (sync);
  KaSyncState state;
  guint rejected;

  gtk_widget_set_visible (GTK_WIDGET (self), has_server (sync));

  gtk_label_set_text (self->label, label);
  gtk_image_set_from_icon_name (self->icon, icon);
  gtk_image_set_from_icon_name (self->popover_icon, icon);
  set_icon_style (GTK_WIDGET (self->icon), sync);
  set_icon_style (GTK_WIDGET (self->popover_icon), sync);
  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->state_label, state_words (sync));

  if (!has_server (sync))
    {
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), title);
      update_accessible_label (self, title);
      gtk_label_set_text (self->server_label, _("None"));
      gtk_label_set_text (self->pending_label, "");
      gtk_label_set_text (self->delivered_label, "");
      gtk_label_set_text (self->rejected_label, "");
      gtk_label_set_text (self->last_sync_label, "");
      gtk_label_set_text (self->next_sync_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->problem_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->rejected_note), FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "sync-indicator.sync-now", FALSE);
      return;
    }

  state = ka_sync_get_state (sync);
  rejected = ka_sync_get_rejected (sync);

  {
    /* The ' flag groups digits as the locale does ("12,345"). */
    g_autofree char *pending = g_strdup_printf ("%'u", ka_sync_get_pending (sync));
    g_autofree char *delivered = g_strdup_printf ("%'u", ka_sync_get_delivered (sync));
    g_autofree char *set_aside = g_strdup_printf ("%'u", rejected);
    g_autofree char *next = make_next_attempt (sync);
    g_autofree char *last = NULL;
    gint64 last_sync = ka_sync_get_last_sync (sync);

    /* Translators: the time of the last sync when there has been none */
    last = last_sync > 0 ? format_time (last_sync) : g_strdup (_("Never"));

    gtk_label_set_text (self->server_label, ka_sync_get_server_url (sync));
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->server_label), ka_sync_get_server_url (sync));
    gtk_label_set_text (self->pending_label, pending);
    gtk_label_set_text (self->delivered_label, delivered);
    gtk_label_set_text (self->rejected_label, set_aside);
    gtk_label_set_text (self->last_sync_label, last);
    gtk_label_set_text (self->next_sync_label, next);
  }

  problem = ka_sync_describe_problem (state, ka_sync_get_last_error_code (sync),
                                      ka_sync_get_last_error (sync) != NULL);
  gtk_label_set_text (self->problem_label, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), problem != NULL);

  if (rejected > 0)
    {
      g_autofree char *note = NULL;

      note = g_strdup_printf (ngettext ("%u ballot was set aside: the collector refused it, "
                                        "so it is not counted. It stays on this device for "
                                        "the organisers to check.",
                                        "%u ballots were set aside: the collector refused "
                                        "them, so they are not counted. They stay on this "
                                        "device for the organisers to check.",
                                        rejected), rejected);
      gtk_label_set_text (self->rejected_note, note);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->rejected_note), rejected > 0);

  /* The tooltip says the whole state, for those who only hover. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), title);
  update_accessible_label (self, title);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sync-indicator.sync-now",
                                 state != KA_SYNC_STATE_SYNCING);

  maybe_toast (self);
}

static void
sync_notify_cb (KaSyncIndicator *self)
{
  update (self);
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The state and last-error properties tell the rest; only log here. */
  if (!ka_sync_run_finish (KA_SYNC (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Sync now failed: %s", error->message);
}

/* A run now, even while a backoff is being waited out: a person asked for it. */
static void
sync_now_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  KaSyncIndicator *self = KA_SYNC_INDICATOR (widget);

  if (self->sync == NULL || !has_server (self->sync))
    return;

  ka_sync_run_async (self->sync, self->cancellable, run_done_cb, NULL);
}

static void
ka_sync_indicator_map (GtkWidget *widget)
{
  KaSyncIndicator *self = KA_SYNC_INDICATOR (widget);

  GTK_WIDGET_CLASS (ka_sync_indicator_parent_class)->map (widget);

  /* A problem that arose while hidden is told once the indicator can be seen. */
  maybe_toast (self);
}

static void
popover_show_cb (KaSyncIndicator *self)
{
  /* "Today" may have become "yesterday" since the last change. */
  update (self);
}

static void
ka_sync_indicator_dispose (GObject *object)
{
  KaSyncIndicator *self = KA_SYNC_INDICATOR (object);

  g_cancellable_cancel (self->cancellable);
  if (self->sync_signals != NULL)
    g_signal_group_set_target (self->sync_signals, NULL);
  ka_sync_indicator_set_toast_overlay (self, NULL);

  /* The button is AdwBin's child and a template child: let AdwBin unparent it, or the
   * template would do so behind its back. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), KA_TYPE_SYNC_INDICATOR);

  g_clear_object (&self->sync_signals);
  g_clear_object (&self->sync);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ka_sync_indicator_parent_class)->dispose (object);
}

static void
ka_sync_indicator_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  KaSyncIndicator *self = KA_SYNC_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_SYNC:
      g_value_set_object (value, self->sync);
      break;

    case PROP_TOAST_OVERLAY:
      g_value_set_object (value, self->toast_overlay);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_sync_indicator_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  KaSyncIndicator *self = KA_SYNC_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_SYNC:
      ka_sync_indicator_set_sync (self, g_value_get_object (value));
      break;

    case PROP_TOAST_OVERLAY:
      ka_sync_indicator_set_toast_overlay (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_sync_indicator_class_init (KaSyncIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ka_sync_indicator_dispose;
  object_class->get_property = ka_sync_indicator_get_property;
  object_class->set_property = ka_sync_indicator_set_property;

  widget_class->map = ka_sync_indicator_map;

  /**
   * KaSyncIndicator:sync:
   *
   * The background sync shown, or %NULL (the indicator is hidden then).
   */
  properties[PROP_SYNC] =
    g_param_spec_object ("sync", NULL, NULL,
                         KA_TYPE_SYNC,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * KaSyncIndicator:toast-overlay:
   *
   * Where toasts go when a person must act; %NULL for none.
   */
  properties[PROP_TOAST_OVERLAY] =
    g_param_spec_object ("toast-overlay", NULL, NULL,
                         ADW_TYPE_TOAST_OVERLAY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kaiarena/Arena/ui/ka-sync-indicator.ui");
  gtk_widget_class_bind_template_child (widget_class, KaSyncIndicator, button);
  gtk_widget_class_bind_template_child (widget_class, KaSyncIndicator, icon);
  gtk_widget_class_bind_template_child (widget_class, KaSyncIndicator, label);
  gtk_widget_class_bind_template_child (widget_class, KaSyncIndicator, popover);
  gtk_widget_class_bind_template_child (widget_class, KaSyncIndicator, popover_icon);
  gtk_widget_class_bind_template_child (widget_class, KaSyncIndicator, title_label);
  gtk_widget_class_bind_template_child (widget_class, KaSyncIndicator, problem_label);
  gtk_widget_class_bind_template_child (widget_class, KaSyncIndicator, server_label);
  gtk_widget_class_bind_template_child (widget_class, KaSyncIndicator, state_label);
  gtk_widget_class_bind_template_child (widget_class, KaSyncIndicator, pending_label);
  gtk_widget_class_bind_template_child (widget_class, KaSyncIndicator, delivered_label);
  gtk_widget_class_bind_template_child (widget_class, KaSyncIndicator, rejected_label);
  gtk_widget_class_bind_template_child (widget_class, KaSyncIndicator, last_sync_label);
  gtk_widget_class_bind_template_child (widget_class, KaSyncIndicator, next_sync_label);
  gtk_widget_class_bind_template_child (widget_class, KaSyncIndicator, rejected_note);
  gtk_widget_class_bind_template_child (widget_class, KaSyncIndicator, sync_button);

  gtk_widget_class_install_action (widget_class, "sync-indicator.sync-now", NULL,
                                   sync_now_activated);
}

static void
ka_sync_indicator_init (KaSyncIndicator *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->sync_signals = g_signal_group_new (KA_TYPE_SYNC);
  g_signal_group_connect_swapped (self->sync_signals, "notify",
                                  G_CALLBACK (sync_notify_cb), self);
  g_signal_connect_object (self->popover, "show", G_CALLBACK (popover_show_cb), self,
                           G_CONNECT_SWAPPED);

  update (self);
}

GtkWidget *
ka_sync_indicator_new (void)
{
  return g_object_new (KA_TYPE_SYNC_INDICATOR, NULL);
}

KaSync *
ka_sync_indicator_get_sync (KaSyncIndicator *self)
{
  g_return_val_if_fail (KA_IS_SYNC_INDICATOR (self), NULL);

  return self->sync;
}

/**
 * ka_sync_indicator_set_sync:
 * @sync: (nullable): the app's background sync, or %NULL when no collector is configured
 *
 * Shows @sync. Ballots it had set aside before are not toasted again; only new ones are.
 */
void
ka_sync_indicator_set_sync (KaSyncIndicator *self,
                            KaSync          *sync)
{
  g_return_if_fail (KA_IS_SYNC_INDICATOR (self));
  g_return_if_fail (sync == NULL || KA_IS_SYNC (sync));

  if (self->sync == sync)
    return;

  g_set_object (&self->sync, sync);
  g_signal_group_set_target (self->sync_signals, sync);
  self->rejected_seen = sync != NULL ? ka_sync_get_rejected (sync) : 0;
  self->attention_shown = FALSE;
  update (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC]);
}

AdwToastOverlay *
ka_sync_indicator_get_toast_overlay (KaSyncIndicator *self)
{
  g_return_val_if_fail (KA_IS_SYNC_INDICATOR (self), NULL);

  return self->toast_overlay;
}

void
ka_sync_indicator_set_toast_overlay (KaSyncIndicator *self,
                                     AdwToastOverlay *overlay)
{
  g_return_if_fail (KA_IS_SYNC_INDICATOR (self));
  g_return_if_fail (overlay == NULL || ADW_IS_TOAST_OVERLAY (overlay));

  if (self->toast_overlay == overlay)
    return;

  if (self->toast_overlay != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->toast_overlay),
                                  (gpointer *) &self->toast_overlay);
  self->toast_overlay = overlay;
  if (overlay != NULL)
    g_object_add_weak_pointer (G_OBJECT (overlay), (gpointer *) &self->toast_overlay);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOAST_OVERLAY]);
}

/* Returns: (transfer none): the text on the header-bar button, for tests and logs. */
const char *
ka_sync_indicator_get_label (KaSyncIndicator *self)
{
  g_return_val_if_fail (KA_IS_SYNC_INDICATOR (self), NULL);

  return gtk_label_get_text (self->label);
}

/* Returns: how many toasts the indicator has raised, for tests. */
guint
ka_sync_indicator_get_n_toasts (KaSyncIndicator *self)
{
  g_return_val_if_fail (KA_IS_SYNC_INDICATOR (self), 0);

  return self->n_toasts;
}

GtkMenuButton *
ka_sync_indicator_get_button (KaSyncIndicator *self)
{
  g_return_val_if_fail (KA_IS_SYNC_INDICATOR (self), NULL);

  return self->button;
}

GtkPopover *
ka_sync_indicator_get_popover (KaSyncIndicator *self)
{
  g_return_val_if_fail (KA_IS_SYNC_INDICATOR (self), NULL);

  return self->popover;
}

/* Opens the details popover (for "Details" on a toast, and for screenshots). */
void
ka_sync_indicator_popup (KaSyncIndicator *self)
{
  g_return_if_fail (KA_IS_SYNC_INDICATOR (self));

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_menu_button_popup (self->button);
}
