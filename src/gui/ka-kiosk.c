/* ka-kiosk.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Kiosk escapes are closed in layers, because any one of them can be missed by a future
 * change elsewhere (DESIGN.md §10, §11 "kiosk escapes fail"):
 *  1. a capture-phase key controller on the window swallows every Ctrl/Alt/Super chord,
 *     Escape, the function keys and the Menu key before any widget, the application's
 *     accelerators or GtkWindow's inspector bindings see them (capture runs root first,
 *     and this controller runs before the window's shortcut manager);
 *  2. the application's accelerators are removed and its actions (quit, preferences,
 *     about, …) and the window's (help overlay) disabled;
 *  3. the header bar with the main menu is hidden, close-request is refused, the inspector
 *     is switched off (gtk_window_set_interactive_debugging() and the
 *     org.gtk.gtk4.Settings.Debug key), and the window is full screen and undecorated.
 * Compositor shortcuts (Alt+Tab, Super) are GNOME Kiosk's job (data/kiosk/).
 */

#define G_LOG_DOMAIN "ka-kiosk"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ka-kiosk.h"
#include "ka-pin.h"
#include "ka-response-view.h"
#include "ka-sync.h"

#define TICK_MS 250
#define WAKE_DELAY_MS 50
#define SEC ((gint64) G_USEC_PER_SEC)
#define WAKE_KEY_MAX_US (3 * SEC)
#define INSPECTOR_SCHEMA "org.gtk.gtk4.Settings.Debug"
#define INSPECTOR_KEY "enable-inspector-keybinding"

struct _KaKiosk
{
  GObject             parent_instance;

  /* borrowed: the window owns this object */
  KaWindow           *window;

  /* owned */
  GtkWidget          *overlay;           /* the window's content while active */
  GtkWidget          *original_content;  /* the window's own content */
  GtkStack           *stack;
  KaAttractView      *attract;
  KaOperatorPanel    *panel;
  GtkWidget          *countdown_box;
  GtkLabel           *countdown_ko;
  GtkLabel           *countdown_en;
  GtkWidget          *corner;
  GtkEventController *key_controller;
  GtkEventController *activity_controller;
  GSimpleActionGroup *actions;
  GPtrArray          *hidden_widgets;    /* header bars hidden while active */
  GPtrArray          *disabled_actions;  /* GSimpleActions disabled while active */
  GHashTable         *saved_accels;      /* detailed action name -> GStrv */
  GSettings          *debug_settings;    /* (nullable): org.gtk.gtk4.Settings.Debug */
  GCancellable       *cancellable;       /* PIN checks in flight */
  GSignalGroup       *sync_signals;      /* on the window's KaSync (the application's) */
  char               *return_page;       /* the page the operator panel returns to */

  gboolean            active;
  gboolean            inspector_was_enabled;
  gboolean            swallowing_pointer;
  gulong              close_request_id;
  gulong              destroy_id;
  guint               idle_timeout;      /* seconds */
  guint               countdown;         /* seconds */
  gint64              last_activity_us;  /* monotonic */
  gint64              guard_until_us;    /* monotonic: end of the wake guard */
  guint               wake_keyval;       /* the key that woke the kiosk, until released */
  gint64              wake_key_us;
  guint               tick_id;
  guint               wake_id;
  guint               lockout_tick_id;
  int                 saved_width;
  int                 saved_height;

  KaKioskClock        clock;
  gpointer            clock_data;
};

G_DEFINE_FINAL_TYPE (KaKiosk, ka_kiosk, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_WINDOW,
  PROP_ACTIVE,
  PROP_IDLE_TIMEOUT,
  PROP_COUNTDOWN,
  PROP_PAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  WIPED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GQuark kiosk_quark;

static void update_pin_state (KaKiosk    *self,
                              const char *message);

static gint64
real_clock (gpointer user_data)
{
  return g_get_real_time ();
}

static gint64
now_wall (KaKiosk *self)
{
  return self->clock (self->clock_data);
}

static KaSession *
get_session (KaKiosk *self)
{
  return self->window != NULL ? ka_window_get_session (self->window) : NULL;
}

static KaStore *
get_store (KaKiosk *self)
{
  KaSession *session = get_session (self);

  return session != NULL ? ka_session_get_store (session) : NULL;
}

static KaPack *
get_pack (KaKiosk *self)
{
  KaSession *session = get_session (self);

  return session != NULL ? ka_scheduler_get_pack (ka_session_get_scheduler (session)) : NULL;
}

static gboolean
is_modifier_key (guint keyval)
{
  return (keyval >= GDK_KEY_Shift_L && keyval <= GDK_KEY_Hyper_R) ||
         keyval == GDK_KEY_ISO_Level3_Shift || keyval == GDK_KEY_ISO_Level5_Shift ||
         keyval == GDK_KEY_Num_Lock || keyval == GDK_KEY_Mode_switch;
}

static gboolean
is_operator_shortcut (guint           keyval,
                      GdkModifierType state)
{
  GdkModifierType wanted = GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK;

  return gdk_keyval_to_lower (keyval) == GDK_KEY_k && (state & wanted) == wanted;
}

/**
 * ka_kiosk_is_blocked_key:
 * @keyval: a key value
 * @state: the modifier state of the key press
 *
 * Whether a kiosk swallows this key press: every chord with Control, Alt, Super, Hyper
 * or Meta (Ctrl+Q, Ctrl+W, Ctrl+comma, Ctrl+?, the inspector's Ctrl+Shift+I and
 * Ctrl+Shift+D, Alt+F4, …), Escape, F1 to F35 (F10 opens menus, F11 leaves full screen),
 * the Menu key and the vendor keys (XF86 Close, Back, …). Plain keys, Shift, digits,
 * arrows, Tab, Enter and Space still work, so a kiosk with a keypad can vote.
 *
 * Returns: %TRUE to swallow the key press
 */
gboolean
ka_kiosk_is_blocked_key (guint           keyval,
                         GdkModifierType state)
{
  GdkModifierType chords = GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK |
                           GDK_HYPER_MASK | GDK_META_MASK;

  if (is_modifier_key (keyval))
    return FALSE;

  if ((state & chords) != 0)
    return TRUE;

  if (keyval >= GDK_KEY_F1 && keyval <= GDK_KEY_F35)
    return TRUE;

  /* The XF86 vendor range: Close, Back, Forward, HomePage, Search, … */
  if (keyval >= 0x1008FF00 && keyval <= 0x1008FFFF)
    return TRUE;

  switch (keyval)
    {
    case GDK_KEY_Escape:
    case GDK_KEY_Menu:
    case GDK_KEY_Help:
    case GDK_KEY_Print:
    case GDK_KEY_Sys_Req:
    case GDK_KEY_Break:
    case GDK_KEY_Pause:
      return TRUE;

    default:
      return FALSE;
    }
}

/* ------------------------------------------------------------------------------------ */
/* Pages, countdown and idle timer */

static void
set_page (KaKiosk    *self,
          const char *page)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), page) == 0)
    return;

  gtk_stack_set_visible_child_name (self->stack, page);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
}

static void
note_activity (KaKiosk *self)
{
  self->last_activity_us = g_get_monotonic_time ();
}

static void
set_countdown_visible (KaKiosk *self,
                       int      seconds_left)
{
  if (self->countdown_box == NULL)
    return;

  if (seconds_left <= 0)
    {
      gtk_widget_set_visible (self->countdown_box, FALSE);
      return;
    }

  {
    /* A fixed bilingual notice, like the attract screen: the visitor may read either. */
    g_autofree char *ko = g_strdup_printf ("%d초 후 처음 화면으로 돌아갑니다 — 계속하려면 화면을 누르세요",
                                           seconds_left);
    g_autofree char *en = g_strdup_printf ("Resetting in %d s — touch to continue", seconds_left);

    gtk_label_set_text (self->countdown_ko, ko);
    gtk_label_set_text (self->countdown_en, en);
  }

  gtk_widget_set_visible (self->countdown_box, TRUE);
}

static void
cancel_countdown (KaKiosk *self)
{
  note_activity (self);
  set_countdown_visible (self, 0);
}

static gboolean
tick_cb (gpointer user_data)
{
  KaKiosk *self = KA_KIOSK (user_data);
  gint64 idle = g_get_monotonic_time () - self->last_activity_us;
  gint64 timeout = (gint64) self->idle_timeout * SEC;
  gint64 total = timeout + (gint64) self->countdown * SEC;

  if (idle >= total)
    {
      self->tick_id = 0;
      ka_kiosk_wipe (self);
      return G_SOURCE_REMOVE;
    }

  if (idle >= timeout)
    set_countdown_visible (self, (int) ((total - idle + SEC - 1) / SEC));
  else
    set_countdown_visible (self, 0);

  return G_SOURCE_CONTINUE;
}

static void
start_idle_timer (KaKiosk *self)
{
  note_activity (self);
  if (self->tick_id == 0)
    self->tick_id = g_timeout_add (TICK_MS, tick_cb, self);
}

static void
stop_idle_timer (KaKiosk *self)
{
  g_clear_handle_id (&self->tick_id, g_source_remove);
  set_countdown_visible (self, 0);
}

/* ------------------------------------------------------------------------------------ */
/* The wipe */

static void
clear_clipboard (GdkClipboard *clipboard)
{
  /* Only what this app put there: another program's clipboard is not ours to clear (and
   * in a kiosk session there is none). */
  if (clipboard != NULL && gdk_clipboard_is_local (clipboard) &&
      gdk_clipboard_get_content (clipboard) != NULL)
    gdk_clipboard_set_content (clipboard, NULL);
}

static void
scroll_to_start (GtkAdjustment *adjustment)
{
  if (adjustment != NULL)
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment));
}

/* Whatever a visitor can leave behind in widgets: scroll positions, selections, open
 * popovers (a text view's context menu). */
static void
scrub (GtkWidget *widget)
{
  if (GTK_IS_SCROLLED_WINDOW (widget))
    {
      scroll_to_start (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (widget)));
      scroll_to_start (gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (widget)));
    }
  else if (GTK_IS_TEXT_VIEW (widget))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
      GtkTextIter start;

      gtk_text_buffer_get_start_iter (buffer, &start);
      gtk_text_buffer_select_range (buffer, &start, &start);
    }
  else if (GTK_IS_LABEL (widget) && gtk_label_get_selectable (GTK_LABEL (widget)))
    gtk_label_select_region (GTK_LABEL (widget), 0, 0);
  else if (GTK_IS_POPOVER (widget) && gtk_widget_get_visible (widget))
    gtk_popover_popdown (GTK_POPOVER (widget));

  if (KA_IS_RESPONSE_VIEW (widget))
    ka_response_view_clear (KA_RESPONSE_VIEW (widget));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    scrub (child);
}

static void
stop_pin_work (KaKiosk *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_handle_id (&self->lockout_tick_id, g_source_remove);
}

/**
 * ka_kiosk_wipe:
 *
 * Ends the visitor's session, as the idle timeout does: resets the KaSession (a new
 * session ID; the battle on screen is dropped and its unfinished ballot is never
 * submitted; a vote already being committed still completes), clears the answers, the
 * prompt, scroll positions, selections and open popovers, clears the clipboard and the
 * primary selection if this app owns them, closes the operator panel and shows the
 * attract screen. Emits "wiped".
 */
void
ka_kiosk_wipe (KaKiosk *self)
{
  KaSession *session;
  GdkDisplay *display;

  g_return_if_fail (KA_IS_KIOSK (self));

  if (!self->active || self->window == NULL)
    return;

  stop_idle_timer (self);
  stop_pin_work (self);
  g_clear_handle_id (&self->wake_id, g_source_remove);
  ka_operator_panel_clear (self->panel);

  session = get_session (self);
  if (session != NULL)
    ka_session_reset (session);

  scrub (self->original_content);

  display = gtk_widget_get_display (GTK_WIDGET (self->window));
  clear_clipboard (gdk_display_get_clipboard (display));
  clear_clipboard (gdk_display_get_primary_clipboard (display));

  gtk_window_set_focus (GTK_WINDOW (self->window), NULL);
  self->wake_keyval = 0;
  self->guard_until_us = 0;
  self->swallowing_pointer = FALSE;

  set_page (self, "attract");
  gtk_widget_grab_focus (GTK_WIDGET (self->attract));

  g_debug ("Kiosk session wiped");
  g_signal_emit (self, signals[WIPED], 0);
}

/* ------------------------------------------------------------------------------------ */
/* Waking up */

static gboolean
start_visitor_cb (gpointer user_data)
{
  KaKiosk *self = KA_KIOSK (user_data);

  self->wake_id = 0;
  if (!self->active)
    return G_SOURCE_REMOVE;

  g_debug ("Kiosk woken: showing a battle");

  /* The attract screen holds the focus; a GtkStack that loses the focused page hands the
   * focus on to the new page (here the prompt), a frame later. A battle starts with
   * nothing focused, so that nothing tells answer A from answer B (issue 9): drop the
   * focus first. ka_battle_view_focus_default() keeps it that way. */
  gtk_window_set_focus (GTK_WINDOW (self->window), NULL);
  set_page (self, "visitor");
  /* window.new-session resets the session and shows its first battle; the window has
   * not started one in kiosk mode. */
  if (get_session (self) != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self->window), "window.new-session", NULL);

  self->guard_until_us = g_get_monotonic_time () + KA_KIOSK_WAKE_GUARD_MS * 1000;
  start_idle_timer (self);

  return G_SOURCE_REMOVE;
}

/* The application read the pack on a worker thread (issue 9): a visitor who woke the kiosk
 * meanwhile saw "Opening the Battle Pack…"; now the battle. */
static void
window_session_changed_cb (KaKiosk *self)
{
  KaSession *session = get_session (self);

  if (!self->active || session == NULL ||
      ka_session_get_state (session) != KA_SESSION_STATE_IDLE ||
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "visitor") != 0)
    return;

  gtk_window_set_focus (GTK_WINDOW (self->window), NULL);
  gtk_widget_activate_action (GTK_WIDGET (self->window), "window.new-session", NULL);
}

/* The wake tap or key has been consumed by the attract screen. The battle is built and
 * shown only from a later main-loop callback, after the event has been dispatched, and a
 * short guard then swallows further taps and keys. */
static void
attract_wake_cb (KaKiosk *self)
{
  if (!self->active || self->wake_id != 0 ||
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "attract") != 0)
    return;

  self->guard_until_us = g_get_monotonic_time () + KA_KIOSK_WAKE_GUARD_MS * 1000;
  /* A short timeout rather than an idle: an idle of low priority can wait behind redraws
   * for a long time. */
  self->wake_id = g_timeout_add (WAKE_DELAY_MS, start_visitor_cb, self);
}

/* ------------------------------------------------------------------------------------ */
/* Input */

static gboolean
in_guard (KaKiosk *self)
{
  return g_get_monotonic_time () < self->guard_until_us || self->wake_id != 0;
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                KaKiosk               *self)
{
  const char *page;

  if (!self->active)
    return GDK_EVENT_PROPAGATE;

  note_activity (self);

  if (is_operator_shortcut (keyval, state))
    {
      ka_kiosk_open_operator_panel (self);
      return GDK_EVENT_STOP;
    }

  if (ka_kiosk_is_blocked_key (keyval, state))
    return GDK_EVENT_STOP;

  if (is_modifier_key (keyval))
    return GDK_EVENT_PROPAGATE;

  if (gtk_widget_get_visible (self->countdown_box))
    {
      cancel_countdown (self);
      return GDK_EVENT_STOP;
    }

  page = gtk_stack_get_visible_child_name (self->stack);
  if (g_strcmp0 (page, "attract") == 0)
    {
      self->wake_keyval = keyval;
      self->wake_key_us = g_get_monotonic_time ();
      attract_wake_cb (self);
      return GDK_EVENT_STOP;
    }

  /* The wake key's auto-repeat must not vote: swallow it until the key is released. */
  if (self->wake_keyval != 0 &&
      g_get_monotonic_time () - self->wake_key_us > WAKE_KEY_MAX_US)
    self->wake_keyval = 0;
  if (keyval == self->wake_keyval || in_guard (self))
    return GDK_EVENT_STOP;

  return GDK_EVENT_PROPAGATE;
}

static void
key_released_cb (GtkEventControllerKey *controller,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 KaKiosk               *self)
{
  if (keyval == self->wake_keyval)
    self->wake_keyval = 0;
}

/* Every touch, click and scroll restarts the idle timer. During the countdown the tap
 * that dismisses it, and during the wake guard any tap, is swallowed whole (press,
 * motion and release), so it cannot act on the widget under it. */
static gboolean
activity_event_cb (GtkEventControllerLegacy *controller,
                   GdkEvent                 *event,
                   KaKiosk                  *self)
{
  GdkEventType type = gdk_event_get_event_type (event);

  if (!self->active)
    return GDK_EVENT_PROPAGATE;

  switch ((int) type)
    {
    case GDK_BUTTON_PRESS:
    case GDK_TOUCH_BEGIN:
      note_activity (self);
      if (gtk_widget_get_visible (self->countdown_box))
        {
          cancel_countdown (self);
          self->swallowing_pointer = TRUE;
          return GDK_EVENT_STOP;
        }
      if (in_guard (self) &&
          g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "visitor") == 0)
        {
          self->swallowing_pointer = TRUE;
          return GDK_EVENT_STOP;
        }
      self->swallowing_pointer = FALSE;
      return GDK_EVENT_PROPAGATE;

    case GDK_BUTTON_RELEASE:
    case GDK_TOUCH_END:
    case GDK_TOUCH_CANCEL:
      note_activity (self);
      if (self->swallowing_pointer)
        {
          self->swallowing_pointer = FALSE;
          return GDK_EVENT_STOP;
        }
      return GDK_EVENT_PROPAGATE;

    case GDK_MOTION_NOTIFY:
    case GDK_TOUCH_UPDATE:
      return self->swallowing_pointer ? GDK_EVENT_STOP : GDK_EVENT_PROPAGATE;

    case GDK_SCROLL:
    case GDK_TOUCHPAD_SWIPE:
    case GDK_TOUCHPAD_PINCH:
    case GDK_TOUCHPAD_HOLD:
      note_activity (self);
      return GDK_EVENT_PROPAGATE;

    default:
      return GDK_EVENT_PROPAGATE;
    }
}

static void
corner_long_pressed_cb (GtkGestureLongPress *gesture,
                        double               x,
                        double               y,
                        KaKiosk             *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  ka_kiosk_open_operator_panel (self);
}

static gboolean
close_request_cb (GtkWindow *window,
                  KaKiosk   *self)
{
  /* Refused: only the operator panel ends a kiosk. */
  return self->active;
}

/* ------------------------------------------------------------------------------------ */
/* Operator panel and PIN */

static char *
format_wait (gint64 us)
{
  gint64 seconds = (us + SEC - 1) / SEC;

  if (seconds >= 60)
    /* Translators: a wait, e.g. "2 min 05 s" */
    return g_strdup_printf (_("%d min %02d s"), (int) (seconds / 60), (int) (seconds % 60));

  /* Translators: a wait in seconds, e.g. "30 s" */
  return g_strdup_printf (_("%d s"), (int) seconds);
}

static gboolean
lockout_tick_cb (gpointer user_data)
{
  KaKiosk *self = KA_KIOSK (user_data);

  self->lockout_tick_id = 0;
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "operator") == 0 &&
      ka_operator_panel_get_pin_state (self->panel) == KA_OPERATOR_PIN_LOCKED)
    update_pin_state (self, NULL);

  return G_SOURCE_REMOVE;
}

/* Sets the PIN page from the store: no PIN, locked out (with the time left, refreshed
 * every second) or ready, with @message (nullable) as the line when ready. */
static void
update_pin_state (KaKiosk    *self,
                  const char *message)
{
  KaStore *store = get_store (self);
  gint64 left;

  g_clear_handle_id (&self->lockout_tick_id, g_source_remove);

  if (store == NULL)
    {
      ka_operator_panel_set_pin_state (self->panel, KA_OPERATOR_PIN_UNAVAILABLE,
                                       _("This kiosk has no ballot database, so no PIN can "
                                         "be checked. Stop the kiosk service to repair it."));
      return;
    }

  if (!ka_pin_is_set (store))
    {
      ka_operator_panel_set_pin_state (self->panel, KA_OPERATOR_PIN_UNAVAILABLE,
                                       _("No operator PIN is set on this kiosk. Set one with "
                                         "“kai-arena-admin kiosk set-pin”."));
      return;
    }

  left = ka_pin_get_lockout (store, now_wall (self), NULL);
  if (left > 0)
    {
      g_autofree char *wait = format_wait (left);
      g_autofree char *text = NULL;

      /* Translators: %s is a wait such as "2 min 05 s" */
      text = g_strdup_printf (_("Too many wrong PINs. Try again in %s."), wait);
      ka_operator_panel_set_pin_state (self->panel, KA_OPERATOR_PIN_LOCKED, text);
      self->lockout_tick_id = g_timeout_add (MIN (left / 1000 + 1, 1000), lockout_tick_cb, self);
      return;
    }

  ka_operator_panel_set_pin_state (self->panel, KA_OPERATOR_PIN_READY, message);
}

static KaSync *
get_sync (KaKiosk *self)
{
  return self->window != NULL ? ka_window_get_sync (self->window) : NULL;
}

static void
update_sync_status (KaKiosk *self)
{
  KaSync *sync = get_sync (self);
  g_autofree char *last = NULL;
  const char *explanation = NULL;
  gboolean can_sync;
  GAction *sync_now;

  if (self->panel == NULL)
    return;

  sync_now = g_action_map_lookup_action (G_ACTION_MAP (self->actions), "sync-now");

  if (sync == NULL)
    {
      g_simple_action_set_enabled (G_SIMPLE_ACTION (sync_now), FALSE);
      ka_operator_panel_set_sync_status (self->panel, NULL, FALSE,
                                         _("No collector is set, so this kiosk does not sync. "
                                           "Ballots stay queued safely on it (see "
                                           "docs/kiosk.md to enrol it)."));
      return;
    }

  if (ka_sync_get_last_sync (sync) > 0)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (ka_sync_get_last_sync (sync));

      last = g_date_time_format (when, "%Y-%m-%d %H:%M:%S");
    }

  switch (ka_sync_get_state (sync))
    {
    case KA_SYNC_STATE_SYNCING:
      explanation = _("Syncing now…");
      break;

    case KA_SYNC_STATE_OFFLINE:
      explanation = _("Offline: ballots stay queued and are sent when the network returns.");
      break;

    case KA_SYNC_STATE_NOT_ENROLLED:
      explanation = _("The collector does not know this kiosk: it must be enrolled again.");
      break;

    case KA_SYNC_STATE_ERROR:
      explanation = ka_sync_get_last_error (sync);
      break;

    case KA_SYNC_STATE_IDLE:
    default:
      break;
    }

  can_sync = ka_sync_get_state (sync) != KA_SYNC_STATE_SYNCING;
  g_simple_action_set_enabled (G_SIMPLE_ACTION (sync_now), can_sync);
  ka_operator_panel_set_sync_status (self->panel, last, can_sync, explanation);
}

static void
sync_changed_cb (KaKiosk *self)
{
  if (self->panel == NULL)
    return;

  update_sync_status (self);
  ka_operator_panel_refresh (self->panel);
}

/* The application's background sync (DESIGN.md §10), shown by the window's header-bar
 * indicator, which a kiosk hides: the panel shows it instead. It changes when the
 * collector setting does. */
static void
window_sync_changed_cb (KaKiosk *self)
{
  g_signal_group_set_target (self->sync_signals, get_sync (self));
  sync_changed_cb (self);
}

typedef struct
{
  KaStore *store;
  char    *pin;
  gint64   now_us;
  gint64   retry_after_us;
} PinCheck;

static void
pin_check_free (PinCheck *check)
{
  g_clear_object (&check->store);
  if (check->pin != NULL)
    {
      explicit_bzero (check->pin, strlen (check->pin));
      g_free (check->pin);
    }
  g_free (check);
}

static void
pin_check_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  PinCheck *check = task_data;
  GError *error = NULL;

  if (ka_pin_check (check->store, check->pin, check->now_us, &check->retry_after_us, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
pin_checked_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  KaKiosk *self = KA_KIOSK (object);
  PinCheck *check = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  /* g_task_propagate_boolean() does not report cancellation when the check itself had
   * finished, so the cancellable is looked at directly: a wipe or a leave meanwhile
   * means nobody is waiting for this answer. */
  if (g_task_propagate_boolean (G_TASK (result), &error) &&
      !g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    {
      ka_operator_panel_set_pin_state (self->panel, KA_OPERATOR_PIN_READY, NULL);
      update_sync_status (self);
      ka_operator_panel_show_status (self->panel);
      g_message ("Operator panel opened");
      return;
    }

  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;

  if (g_error_matches (error, KA_PIN_ERROR, KA_PIN_ERROR_WRONG) ||
      g_error_matches (error, KA_PIN_ERROR, KA_PIN_ERROR_INVALID))
    {
      g_message ("Wrong operator PIN");
      if (check->retry_after_us > 0)
        update_pin_state (self, NULL);
      else
        update_pin_state (self, _("Wrong PIN. Try again."));
      return;
    }

  if (!g_error_matches (error, KA_PIN_ERROR, KA_PIN_ERROR_LOCKED_OUT) &&
      !g_error_matches (error, KA_PIN_ERROR, KA_PIN_ERROR_NOT_SET))
    {
      g_warning ("Could not check the operator PIN: %s", error->message);
      /* Translators: %s is a technical reason */
      text = g_strdup_printf (_("The PIN could not be checked: %s"), error->message);
      update_pin_state (self, text);
      return;
    }

  update_pin_state (self, NULL);
}

static void
pin_submitted_cb (KaOperatorPanel *panel,
                  const char      *pin,
                  KaKiosk         *self)
{
  g_autoptr(GTask) task = NULL;
  KaStore *store = get_store (self);
  PinCheck *check;

  if (store == NULL)
    return;

  note_activity (self);
  ka_operator_panel_set_pin_state (self->panel, KA_OPERATOR_PIN_CHECKING, _("Checking…"));

  check = g_new0 (PinCheck, 1);
  check->store = g_object_ref (store);
  check->pin = g_strdup (pin);
  check->now_us = now_wall (self);

  task = g_task_new (self, self->cancellable, pin_checked_cb, NULL);
  g_task_set_source_tag (task, pin_submitted_cb);
  g_task_set_task_data (task, check, (GDestroyNotify) pin_check_free);
  /* PBKDF2 with hundreds of thousands of rounds: off the UI thread. */
  g_task_run_in_thread (task, pin_check_thread);
}

/**
 * ka_kiosk_open_operator_panel:
 *
 * Shows the PIN page of the operator panel, as a long press on the top-right corner or
 * Ctrl+Alt+Shift+K does. The idle timeout keeps running: a panel left open is closed
 * and the session wiped like any other.
 */
void
ka_kiosk_open_operator_panel (KaKiosk *self)
{
  const char *page;

  g_return_if_fail (KA_IS_KIOSK (self));

  if (!self->active)
    return;

  page = gtk_stack_get_visible_child_name (self->stack);
  if (g_strcmp0 (page, "operator") == 0)
    return;

  g_clear_handle_id (&self->wake_id, g_source_remove);
  g_free (self->return_page);
  self->return_page = g_strdup (page);

  set_countdown_visible (self, 0);
  ka_operator_panel_set_store (self->panel, get_store (self));
  ka_operator_panel_set_pack (self->panel, get_pack (self));
  update_sync_status (self);
  update_pin_state (self, NULL);
  ka_operator_panel_show_pin (self->panel);
  set_page (self, "operator");
  ka_operator_panel_show_pin (self->panel);
  start_idle_timer (self);
}

static void
close_panel (KaKiosk *self)
{
  const char *back = self->return_page != NULL ? self->return_page : "attract";

  stop_pin_work (self);
  ka_operator_panel_clear (self->panel);

  if (g_str_equal (back, "visitor"))
    {
      set_page (self, "visitor");
      start_idle_timer (self);
    }
  else
    {
      stop_idle_timer (self);
      set_page (self, "attract");
      gtk_widget_grab_focus (GTK_WIDGET (self->attract));
    }
}

static void
close_panel_activated (GSimpleAction *action,
                       GVariant      *param,
                       gpointer       user_data)
{
  close_panel (KA_KIOSK (user_data));
}

static gboolean
leave_idle_cb (gpointer user_data)
{
  ka_kiosk_leave (KA_KIOSK (user_data));
  return G_SOURCE_REMOVE;
}

static void
leave_activated (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  /* Not from inside the button's own click: leaving replaces the widgets around it. */
  g_idle_add_full (G_PRIORITY_DEFAULT, leave_idle_cb, g_object_ref (user_data), g_object_unref);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  KaKiosk *self = KA_KIOSK (user_data);

  if (self->window == NULL)
    return;

  g_message ("Kiosk quit from the operator panel");
  /* Quit, not "leave": under the systemd unit (Restart=always) the app comes back in
   * kiosk mode, so a quit is also the way to get a clean start. The window's own
   * close-request (which saves the window size) is skipped: a full-screen size is not a
   * size to restore. */
  self->active = FALSE;
  gtk_window_destroy (GTK_WINDOW (self->window));
}

static void
sync_now_activated (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  KaKiosk *self = KA_KIOSK (user_data);
  KaSync *sync = get_sync (self);

  note_activity (self);
  if (sync != NULL)
    ka_sync_request_sync (sync);
  update_sync_status (self);
}

static const GActionEntry kiosk_actions[] = {
  { "close-panel", close_panel_activated },
  { "leave", leave_activated },
  { "quit", quit_activated },
  { "sync-now", sync_now_activated },
};

/* ------------------------------------------------------------------------------------ */
/* Engaging and leaving */

static void
hide_chrome (KaKiosk   *self,
             GtkWidget *widget)
{
  if ((ADW_IS_HEADER_BAR (widget) || GTK_IS_HEADER_BAR (widget)) &&
      gtk_widget_get_visible (widget))
    {
      gtk_widget_set_visible (widget, FALSE);
      g_ptr_array_add (self->hidden_widgets, g_object_ref (widget));
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    hide_chrome (self, child);
}

static void
disable_actions (KaKiosk      *self,
                 GActionGroup *group)
{
  g_auto(GStrv) names = NULL;

  if (group == NULL || !G_IS_ACTION_MAP (group))
    return;

  names = g_action_group_list_actions (group);
  for (guint i = 0; names[i] != NULL; i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (group), names[i]);

      if (G_IS_SIMPLE_ACTION (action) && g_action_get_enabled (action))
        {
          g_simple_action_set_enabled (G_SIMPLE_ACTION (action), FALSE);
          g_ptr_array_add (self->disabled_actions, g_object_ref (action));
        }
    }
}

static void
remove_accels (KaKiosk        *self,
               GtkApplication *app)
{
  g_auto(GStrv) names = NULL;
  static const char * const none[] = { NULL };

  if (app == NULL)
    return;

  names = gtk_application_list_action_descriptions (app);
  for (guint i = 0; names[i] != NULL; i++)
    {
      char **accels = gtk_application_get_accels_for_action (app, names[i]);

      if (accels != NULL && accels[0] != NULL)
        {
          g_hash_table_insert (self->saved_accels, g_strdup (names[i]), accels);
          gtk_application_set_accels_for_action (app, names[i], none);
        }
      else
        g_strfreev (accels);
    }
}

static void
disable_inspector (KaKiosk *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  gtk_window_set_interactive_debugging (FALSE);

  /* The keybinding switch is GTK's own setting; guard for systems without its schema. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, INSPECTOR_SCHEMA, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, INSPECTOR_KEY))
    return;

  self->debug_settings = g_settings_new_full (schema, NULL, NULL);
  self->inspector_was_enabled = g_settings_get_boolean (self->debug_settings, INSPECTOR_KEY);
  if (self->inspector_was_enabled)
    g_settings_set_boolean (self->debug_settings, INSPECTOR_KEY, FALSE);
}

static void
restore_inspector (KaKiosk *self)
{
  if (self->debug_settings != NULL && self->inspector_was_enabled)
    g_settings_set_boolean (self->debug_settings, INSPECTOR_KEY, TRUE);
  self->inspector_was_enabled = FALSE;
  g_clear_object (&self->debug_settings);
}

/* Without a window manager (or if the compositor ignores the request) a full-screen
 * window keeps its default size; fill the first monitor in any case. */
static void
size_to_monitor (KaKiosk *self)
{
  GListModel *monitors = gdk_display_get_monitors (gtk_widget_get_display (GTK_WIDGET (self->window)));
  g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, 0);
  GdkRectangle geometry;

  if (monitor == NULL)
    return;

  gdk_monitor_get_geometry (monitor, &geometry);
  if (geometry.width > 0 && geometry.height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self->window), geometry.width, geometry.height);
}

static void
window_destroy_cb (KaKiosk *self)
{
  stop_idle_timer (self);
  stop_pin_work (self);
  g_clear_handle_id (&self->wake_id, g_source_remove);
  restore_inspector (self);

  /* Widgets must not outlive their window through these references: a second dispose at
   * the last unref is more than some libadwaita 1.2 widgets survive. */
  self->active = FALSE;
  if (self->sync_signals != NULL)
    g_signal_group_set_target (self->sync_signals, NULL);
  g_ptr_array_set_size (self->hidden_widgets, 0);
  g_clear_object (&self->original_content);
  g_clear_object (&self->overlay);
  self->stack = NULL;
  self->attract = NULL;
  self->panel = NULL;
  self->countdown_box = NULL;
  self->countdown_ko = NULL;
  self->countdown_en = NULL;
  self->corner = NULL;
}

static void
engage (KaKiosk *self)
{
  GtkWindow *window = GTK_WINDOW (self->window);
  AdwApplicationWindow *app_window = ADW_APPLICATION_WINDOW (self->window);

  self->active = TRUE;

  self->original_content = adw_application_window_get_content (app_window);
  if (self->original_content != NULL)
    {
      g_object_ref (self->original_content);
      adw_application_window_set_content (app_window, NULL);
      gtk_stack_add_named (self->stack, self->original_content, "visitor");
      hide_chrome (self, self->original_content);
    }
  gtk_stack_set_visible_child_name (self->stack, "attract");
  adw_application_window_set_content (app_window, self->overlay);

  gtk_widget_add_css_class (GTK_WIDGET (window), "kiosk");
  gtk_window_get_default_size (window, &self->saved_width, &self->saved_height);
  gtk_window_set_decorated (window, FALSE);
  gtk_window_set_deletable (window, FALSE);
  size_to_monitor (self);
  gtk_window_fullscreen (window);

  self->close_request_id = g_signal_connect (window, "close-request",
                                             G_CALLBACK (close_request_cb), self);

  gtk_widget_add_controller (GTK_WIDGET (window), g_object_ref (self->key_controller));
  gtk_widget_add_controller (GTK_WIDGET (window), g_object_ref (self->activity_controller));
  gtk_widget_insert_action_group (GTK_WIDGET (window), "kiosk", G_ACTION_GROUP (self->actions));

  remove_accels (self, gtk_window_get_application (window));
  disable_actions (self, G_ACTION_GROUP (gtk_window_get_application (window)));
  disable_actions (self, G_ACTION_GROUP (window));
  disable_inspector (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
}

/**
 * ka_kiosk_leave:
 *
 * Turns the window back into the normal desktop app until it is next started: windowed,
 * with its header bar, menu, shortcuts and application actions back, and a battle on
 * show. For maintenance by an operator who has passed the PIN; the session's ballots keep
 * the `kiosk` mode.
 */
void
ka_kiosk_leave (KaKiosk *self)
{
  GtkWindow *window;
  GtkApplication *app;
  GHashTableIter iter;
  gpointer key, value;
  KaSession *session;

  g_return_if_fail (KA_IS_KIOSK (self));

  if (!self->active || self->window == NULL)
    return;

  window = GTK_WINDOW (self->window);
  app = gtk_window_get_application (window);

  stop_idle_timer (self);
  stop_pin_work (self);
  g_clear_handle_id (&self->wake_id, g_source_remove);
  ka_operator_panel_clear (self->panel);
  self->active = FALSE;

  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), NULL);
  if (self->original_content != NULL)
    {
      gtk_stack_remove (self->stack, self->original_content);
      adw_application_window_set_content (ADW_APPLICATION_WINDOW (window),
                                          self->original_content);
    }
  for (guint i = 0; i < self->hidden_widgets->len; i++)
    gtk_widget_set_visible (g_ptr_array_index (self->hidden_widgets, i), TRUE);
  g_ptr_array_set_size (self->hidden_widgets, 0);

  g_clear_signal_handler (&self->close_request_id, window);
  gtk_widget_remove_controller (GTK_WIDGET (window), self->key_controller);
  gtk_widget_remove_controller (GTK_WIDGET (window), self->activity_controller);
  gtk_widget_insert_action_group (GTK_WIDGET (window), "kiosk", NULL);

  if (app != NULL)
    {
      g_hash_table_iter_init (&iter, self->saved_accels);
      while (g_hash_table_iter_next (&iter, &key, &value))
        gtk_application_set_accels_for_action (app, key, (const char * const *) value);
    }
  g_hash_table_remove_all (self->saved_accels);
  for (guint i = 0; i < self->disabled_actions->len; i++)
    g_simple_action_set_enabled (g_ptr_array_index (self->disabled_actions, i), TRUE);
  g_ptr_array_set_size (self->disabled_actions, 0);
  restore_inspector (self);

  gtk_widget_remove_css_class (GTK_WIDGET (window), "kiosk");
  gtk_window_unfullscreen (window);
  gtk_window_set_decorated (window, TRUE);
  gtk_window_set_deletable (window, TRUE);
  if (self->saved_width > 0 && self->saved_height > 0)
    gtk_window_set_default_size (window, self->saved_width, self->saved_height);

  session = get_session (self);
  if (session != NULL && ka_session_get_state (session) == KA_SESSION_STATE_IDLE)
    gtk_widget_activate_action (GTK_WIDGET (window), "window.new-session", NULL);

  g_message ("Kiosk mode left from the operator panel");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
}

/* ------------------------------------------------------------------------------------ */
/* GObject */

static GtkWidget *
build_countdown (KaKiosk *self)
{
  GtkWidget *scrim = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *ko = gtk_label_new (NULL);
  GtkWidget *en = gtk_label_new (NULL);

  gtk_widget_add_css_class (scrim, "ka-kiosk-countdown");
  gtk_widget_set_hexpand (scrim, TRUE);
  gtk_widget_set_vexpand (scrim, TRUE);
  gtk_widget_set_visible (scrim, FALSE);

  gtk_widget_add_css_class (card, "ka-kiosk-countdown-card");
  gtk_widget_set_halign (card, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (card, GTK_ALIGN_CENTER);
  gtk_widget_set_vexpand (card, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (card), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Resetting soon — touch to continue", -1);

  gtk_label_set_wrap (GTK_LABEL (ko), TRUE);
  gtk_label_set_justify (GTK_LABEL (ko), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (ko, "ka-kiosk-countdown-ko");
  gtk_label_set_wrap (GTK_LABEL (en), TRUE);
  gtk_label_set_justify (GTK_LABEL (en), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (en, "ka-kiosk-countdown-en");

  gtk_box_append (GTK_BOX (card), ko);
  gtk_box_append (GTK_BOX (card), en);
  gtk_box_append (GTK_BOX (scrim), card);

  self->countdown_ko = GTK_LABEL (ko);
  self->countdown_en = GTK_LABEL (en);

  return scrim;
}

static void
ka_kiosk_constructed (GObject *object)
{
  KaKiosk *self = KA_KIOSK (object);
  GtkGesture *long_press;

  G_OBJECT_CLASS (ka_kiosk_parent_class)->constructed (object);

  g_return_if_fail (KA_IS_WINDOW (self->window));

  self->overlay = g_object_ref_sink (gtk_overlay_new ());
  gtk_widget_add_css_class (self->overlay, "ka-kiosk");

  self->stack = GTK_STACK (gtk_stack_new ());
  /* No transition: during a crossfade the page going away can still take a tap. */
  gtk_stack_set_transition_type (self->stack, GTK_STACK_TRANSITION_TYPE_NONE);
  self->attract = KA_ATTRACT_VIEW (ka_attract_view_new ());
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->attract), "attract");
  self->panel = KA_OPERATOR_PANEL (ka_operator_panel_new ());
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->panel), "operator");
  gtk_overlay_set_child (GTK_OVERLAY (self->overlay), GTK_WIDGET (self->stack));

  g_signal_connect_object (self->attract, "wake", G_CALLBACK (attract_wake_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->panel, "pin-submitted", G_CALLBACK (pin_submitted_cb), self, 0);

  /* The operator's corner: an invisible square, top right, above every page. */
  self->corner = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->corner, "ka-kiosk-corner");
  gtk_widget_set_size_request (self->corner, 72, 72);
  gtk_widget_set_halign (self->corner, GTK_ALIGN_END);
  gtk_widget_set_valign (self->corner, GTK_ALIGN_START);
  long_press = gtk_gesture_long_press_new ();
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (long_press), FALSE);
  /* Twice the desktop's long-press time (GTK's maximum, about 1 s), in a corner where
   * nothing else is. */
  gtk_gesture_long_press_set_delay_factor (GTK_GESTURE_LONG_PRESS (long_press), 2.0);
  g_signal_connect_object (long_press, "pressed", G_CALLBACK (corner_long_pressed_cb), self, 0);
  gtk_widget_add_controller (self->corner, GTK_EVENT_CONTROLLER (long_press));
  gtk_overlay_add_overlay (GTK_OVERLAY (self->overlay), self->corner);

  self->countdown_box = build_countdown (self);
  gtk_overlay_add_overlay (GTK_OVERLAY (self->overlay), self->countdown_box);

  self->key_controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_name (self->key_controller, "ka-kiosk-keys");
  gtk_event_controller_set_propagation_phase (self->key_controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (self->key_controller, "key-pressed", G_CALLBACK (key_pressed_cb), self, 0);
  g_signal_connect_object (self->key_controller, "key-released", G_CALLBACK (key_released_cb), self, 0);

  self->activity_controller = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_name (self->activity_controller, "ka-kiosk-activity");
  gtk_event_controller_set_propagation_phase (self->activity_controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (self->activity_controller, "event", G_CALLBACK (activity_event_cb), self, 0);

  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), kiosk_actions,
                                   G_N_ELEMENTS (kiosk_actions), self);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions),
                                                                            "sync-now")),
                               FALSE);

  self->destroy_id = g_signal_connect_swapped (self->window, "destroy",
                                               G_CALLBACK (window_destroy_cb), self);

  self->sync_signals = g_signal_group_new (KA_TYPE_SYNC);
  g_signal_group_connect_swapped (self->sync_signals, "notify::state",
                                  G_CALLBACK (sync_changed_cb), self);
  g_signal_group_connect_swapped (self->sync_signals, "notify::last-sync",
                                  G_CALLBACK (sync_changed_cb), self);
  g_signal_group_connect_swapped (self->sync_signals, "notify::pending",
                                  G_CALLBACK (sync_changed_cb), self);
  g_signal_group_connect_swapped (self->sync_signals, "notify::last-error",
                                  G_CALLBACK (sync_changed_cb), self);
  g_signal_connect_object (ka_window_get_battle_view (self->window), "notify::sync",
                           G_CALLBACK (window_sync_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->window, "notify::session",
                           G_CALLBACK (window_session_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_set_target (self->sync_signals, get_sync (self));

  engage (self);
}

static void
ka_kiosk_dispose (GObject *object)
{
  KaKiosk *self = KA_KIOSK (object);

  stop_idle_timer (self);
  g_clear_handle_id (&self->wake_id, g_source_remove);
  g_clear_handle_id (&self->lockout_tick_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  restore_inspector (self);

  g_clear_object (&self->original_content);
  g_clear_object (&self->overlay);
  g_clear_object (&self->key_controller);
  g_clear_object (&self->activity_controller);
  g_clear_object (&self->actions);
  g_clear_object (&self->cancellable);
  if (self->sync_signals != NULL)
    g_signal_group_set_target (self->sync_signals, NULL);
  g_clear_object (&self->sync_signals);
  g_clear_pointer (&self->hidden_widgets, g_ptr_array_unref);
  g_clear_pointer (&self->disabled_actions, g_ptr_array_unref);
  g_clear_pointer (&self->saved_accels, g_hash_table_unref);

  G_OBJECT_CLASS (ka_kiosk_parent_class)->dispose (object);
}

static void
ka_kiosk_finalize (GObject *object)
{
  KaKiosk *self = KA_KIOSK (object);

  g_clear_pointer (&self->return_page, g_free);

  G_OBJECT_CLASS (ka_kiosk_parent_class)->finalize (object);
}

static void
ka_kiosk_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  KaKiosk *self = KA_KIOSK (object);

  switch (prop_id)
    {
    case PROP_WINDOW:
      g_value_set_object (value, self->window);
      break;

    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;

    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, self->idle_timeout);
      break;

    case PROP_COUNTDOWN:
      g_value_set_uint (value, self->countdown);
      break;

    case PROP_PAGE:
      g_value_set_string (value, ka_kiosk_get_page (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_kiosk_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  KaKiosk *self = KA_KIOSK (object);

  switch (prop_id)
    {
    case PROP_WINDOW:
      self->window = g_value_get_object (value);
      break;

    case PROP_IDLE_TIMEOUT:
      ka_kiosk_set_idle_timeout (self, g_value_get_uint (value));
      break;

    case PROP_COUNTDOWN:
      ka_kiosk_set_countdown (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_kiosk_class_init (KaKioskClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ka_kiosk_constructed;
  object_class->dispose = ka_kiosk_dispose;
  object_class->finalize = ka_kiosk_finalize;
  object_class->get_property = ka_kiosk_get_property;
  object_class->set_property = ka_kiosk_set_property;

  properties[PROP_WINDOW] =
    g_param_spec_object ("window", NULL, NULL,
                         KA_TYPE_WINDOW,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_uint ("idle-timeout", NULL, NULL,
                       1, 86400, 90,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_COUNTDOWN] =
    g_param_spec_uint ("countdown", NULL, NULL,
                       0, 600, 10,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_PAGE] =
    g_param_spec_string ("page", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * KaKiosk::wiped:
   *
   * A visitor's session has just been wiped (idle timeout or ka_kiosk_wipe()).
   */
  signals[WIPED] = g_signal_new ("wiped",
                                 G_TYPE_FROM_CLASS (klass),
                                 G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 0);

  kiosk_quark = g_quark_from_static_string ("ka-kiosk");
}

static void
ka_kiosk_init (KaKiosk *self)
{
  self->idle_timeout = 90;
  self->countdown = 10;
  self->clock = real_clock;
  self->cancellable = g_cancellable_new ();
  self->hidden_widgets = g_ptr_array_new_with_free_func (g_object_unref);
  self->disabled_actions = g_ptr_array_new_with_free_func (g_object_unref);
  self->saved_accels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_strfreev);
}

/**
 * ka_kiosk_attach:
 * @window: a #KaWindow, not yet presented; its session should be in %KA_MODE_KIOSK
 *
 * Turns @window into a kiosk at once (see #KaKiosk). The window owns the kiosk.
 *
 * Returns: (transfer none): the kiosk
 */
KaKiosk *
ka_kiosk_attach (KaWindow *window)
{
  KaKiosk *self;

  g_return_val_if_fail (KA_IS_WINDOW (window), NULL);
  g_return_val_if_fail (ka_kiosk_get_for_window (window) == NULL, NULL);

  self = g_object_new (KA_TYPE_KIOSK, "window", window, NULL);
  g_object_set_qdata_full (G_OBJECT (window), kiosk_quark, self, g_object_unref);

  return self;
}

/* Returns: (transfer none) (nullable): the kiosk attached to @window. */
KaKiosk *
ka_kiosk_get_for_window (KaWindow *window)
{
  g_return_val_if_fail (KA_IS_WINDOW (window), NULL);

  if (kiosk_quark == 0)
    return NULL;

  return g_object_get_qdata (G_OBJECT (window), kiosk_quark);
}

KaWindow *
ka_kiosk_get_window (KaKiosk *self)
{
  g_return_val_if_fail (KA_IS_KIOSK (self), NULL);

  return self->window;
}

gboolean
ka_kiosk_get_active (KaKiosk *self)
{
  g_return_val_if_fail (KA_IS_KIOSK (self), FALSE);

  return self->active;
}

/**
 * ka_kiosk_bind_settings:
 * @settings: (nullable): the app's settings
 *
 * Binds "idle-timeout" and "countdown" to the `kiosk-idle-timeout` and `kiosk-countdown`
 * keys, so that a change applies at once.
 */
void
ka_kiosk_bind_settings (KaKiosk   *self,
                        GSettings *settings)
{
  g_return_if_fail (KA_IS_KIOSK (self));
  g_return_if_fail (settings == NULL || G_IS_SETTINGS (settings));

  if (settings == NULL)
    return;

  g_settings_bind (settings, "kiosk-idle-timeout", self, "idle-timeout", G_SETTINGS_BIND_GET);
  g_settings_bind (settings, "kiosk-countdown", self, "countdown", G_SETTINGS_BIND_GET);
}

guint
ka_kiosk_get_idle_timeout (KaKiosk *self)
{
  g_return_val_if_fail (KA_IS_KIOSK (self), 0);

  return self->idle_timeout;
}

/* @seconds: without input before the countdown starts, at least 1. */
void
ka_kiosk_set_idle_timeout (KaKiosk *self,
                           guint    seconds)
{
  g_return_if_fail (KA_IS_KIOSK (self));

  seconds = MAX (seconds, 1);
  if (self->idle_timeout == seconds)
    return;

  self->idle_timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDLE_TIMEOUT]);
}

guint
ka_kiosk_get_countdown (KaKiosk *self)
{
  g_return_val_if_fail (KA_IS_KIOSK (self), 0);

  return self->countdown;
}

/* @seconds: of visible countdown before the wipe; 0 wipes without warning. */
void
ka_kiosk_set_countdown (KaKiosk *self,
                        guint    seconds)
{
  g_return_if_fail (KA_IS_KIOSK (self));

  if (self->countdown == seconds)
    return;

  self->countdown = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNTDOWN]);
}

/* Returns: "attract", "visitor", "operator", or NULL when the kiosk has been left. */
const char *
ka_kiosk_get_page (KaKiosk *self)
{
  g_return_val_if_fail (KA_IS_KIOSK (self), NULL);

  if (!self->active || self->stack == NULL)
    return NULL;

  return gtk_stack_get_visible_child_name (self->stack);
}

gboolean
ka_kiosk_is_counting_down (KaKiosk *self)
{
  g_return_val_if_fail (KA_IS_KIOSK (self), FALSE);

  return self->countdown_box != NULL && gtk_widget_get_visible (self->countdown_box);
}

/* Returns: the seconds shown by the countdown, 0 when none is shown. */
int
ka_kiosk_get_countdown_left (KaKiosk *self)
{
  gint64 idle, total;

  g_return_val_if_fail (KA_IS_KIOSK (self), 0);

  if (!ka_kiosk_is_counting_down (self))
    return 0;

  idle = g_get_monotonic_time () - self->last_activity_us;
  total = ((gint64) self->idle_timeout + self->countdown) * SEC;
  return (int) MAX ((total - idle + SEC - 1) / SEC, 0);
}

/**
 * ka_kiosk_set_clock:
 * @clock: (nullable): a wall clock in microseconds since the Unix epoch; %NULL for
 *   g_get_real_time()
 *
 * The clock of the PIN lockout. Tests set one that they move forward by hand.
 */
void
ka_kiosk_set_clock (KaKiosk      *self,
                    KaKioskClock  clock,
                    gpointer      user_data)
{
  g_return_if_fail (KA_IS_KIOSK (self));

  self->clock = clock != NULL ? clock : real_clock;
  self->clock_data = clock != NULL ? user_data : NULL;
}

KaAttractView *
ka_kiosk_get_attract_view (KaKiosk *self)
{
  g_return_val_if_fail (KA_IS_KIOSK (self), NULL);

  return self->attract;
}

KaOperatorPanel *
ka_kiosk_get_operator_panel (KaKiosk *self)
{
  g_return_val_if_fail (KA_IS_KIOSK (self), NULL);

  return self->panel;
}
