/* test-kiosk.c: kiosk mode under Xvfb, driven with real X input events where it matters.
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK 4.8 has no way to inject input events, so key presses, taps and clicks are sent
 * with the X server's XTEST extension (libXtst, loaded at run time): they travel the
 * whole way through GDK, the window's capture controllers, the application's
 * accelerators, GtkWindow's inspector bindings and the widgets' own shortcuts, exactly
 * like a visitor's. Without an X11 display or libXtst those cases are skipped.
 */

#define G_LOG_DOMAIN "test-kiosk"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <adwaita.h>

#ifdef GDK_WINDOWING_X11
#include <X11/keysym.h>
#endif

#include "ka-application.h"
#include "ka-attract-view.h"
#include "ka-battle-view.h"
#include "ka-gui-test-support.h"
#include "ka-kiosk.h"
#include "ka-operator-panel.h"
#include "ka-pin.h"
#include "ka-response-view.h"
#include "ka-store.h"
#include "ka-sync.h"
#include "ka-test-support.h"
#include "ka-window.h"

#define SEC ((gint64) G_USEC_PER_SEC)

/* ------------------------------------------------------------------------------------ */
/* A small open pack with Korean prompts. */

static const char * const prompts[] = {
  "서울에서 부산까지 KTX로 가는 방법과 소요 시간을 알려 주세요.",
  "김치찌개를 맛있게 끓이는 비법을 단계별로 설명해 주세요.",
  "조선 시대 세종대왕의 주요 업적을 세 가지만 요약해 주세요.",
  "가을에 가볼 만한 국내 여행지를 추천해 주세요.",
};

static const KaGuiTestModel test_models[] = {
  { "m1", "Kiosk Test Model 1", "Test Lab" },
  { "m2", "Kiosk Test Model 2", "Test Lab" },
  { "m3", "Kiosk Test Model 3", "Test Lab" },
};

/* Long enough to scroll in any window. */
static char *
long_answer (guint    prompt,
             guint    model,
             guint    turn,
             gpointer data)
{
  GString *answer = g_string_new ("## 답변\n\n");

  for (guint i = 0; i < 80; i++)
    g_string_append_printf (answer, "%u. 단계별로 차근차근 설명하겠습니다. 준비가 중요합니다.\n", i + 1);

  return g_string_free (answer, FALSE);
}

static char *
build_pack_json (void)
{
  KaGuiTestPack pack = {
    .pack_id = "test-kiosk-open",
    .title_ko = "키오스크 시험용 묶음",
    .title_en = "Kiosk test pack",
    .models = test_models,
    .n_models = G_N_ELEMENTS (test_models),
    .prompts = prompts,
    .n_prompts = G_N_ELEMENTS (prompts),
    .n_turns = 1,
    .answer = long_answer,
  };

  return ka_gui_test_pack_json (&pack);
}

/* ------------------------------------------------------------------------------------ */
/* Fixture: a kiosk window of a registered KaApplication, around a real store */

typedef struct
{
  char          *tmpdir;
  char          *pack_path;
  char          *db_path;
  KaApplication *app;
  GSettings     *settings;
  KaSession     *session;
  KaWindow      *window;
  KaKiosk       *kiosk;
  guint          escapes;     /* shortcuts that got past the kiosk */
  guint          quits;
  gint64         clock_us;
} Fixture;

static gint64
fake_clock (gpointer data)
{
  return ((Fixture *) data)->clock_us;
}

static void
escape_attempt_cb (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       data)
{
  ((Fixture *) data)->escapes++;
}

/* The shortcuts a visitor could try, each bound by the test as an accelerator too. */
static const struct {
  const char *accel;
  guint       keysym;
  guint       mods;
} escape_keys[] = {
  { "<Control>q", 0x71 /* q */, 1 },
  { "<Control>w", 0x77 /* w */, 1 },
  { "F11", 0xffc8 /* F11 */, 0 },
  { "Escape", 0xff1b /* Escape */, 0 },
  { "<Control>comma", 0x2c /* comma */, 1 },
  { "<Control><Shift>i", 0x69 /* i */, 1 | 2 },
  { "<Control><Shift>d", 0x64 /* d */, 1 | 2 },
  { "<Control>question", 0x2f /* slash, with Shift: question */, 1 | 2 },
  { "<Alt>F4", 0xffc1 /* F4 */, 4 },
  { "F10", 0xffc7 /* F10 */, 0 },
};

/* A shortcut controller for every escape key, on the battle view: whatever reaches the
 * widgets (as a future widget's own binding would) is counted. */
static gboolean
count_shortcut_cb (GtkWidget *widget,
                   GVariant  *args,
                   gpointer   data)
{
  (*(guint *) data)++;
  return TRUE;
}

static GtkEventController *
counting_shortcuts (guint *counter)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();

  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller), GTK_SHORTCUT_SCOPE_MANAGED);
  for (guint i = 0; i < G_N_ELEMENTS (escape_keys); i++)
    {
      GtkShortcutTrigger *trigger = gtk_shortcut_trigger_parse_string (escape_keys[i].accel);

      g_assert_nonnull (trigger);
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                            gtk_shortcut_new (trigger,
                                                              gtk_callback_action_new (count_shortcut_cb,
                                                                                       counter, NULL)));
    }

  return controller;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *json = build_pack_json ();
  GSimpleAction *escape;
  guint n_accels = 0;
  const char *accels[G_N_ELEMENTS (escape_keys) + 1];

  f->tmpdir = ka_test_make_tmp_dir ("ka-test-kiosk-XXXXXX");
  f->pack_path = ka_gui_test_write_file (f->tmpdir, "pack.json", json);
  f->db_path = g_build_filename (f->tmpdir, "kiosk.sqlite", NULL);

  f->settings = ka_application_new_settings ();
  g_assert_nonnull (f->settings);
  g_settings_reset (f->settings, "kiosk-idle-timeout");
  g_settings_reset (f->settings, "kiosk-countdown");

  /* The real application, registered (startup adds its actions and accelerators:
   * Ctrl+Q quits, Ctrl+comma opens preferences, Ctrl+? the shortcuts window), plus an
   * accelerator of the test's own for every other escape key. */
  f->app = ka_gui_test_register_application ("KioskTest");

  escape = g_simple_action_new ("test-escape", NULL);
  g_signal_connect (escape, "activate", G_CALLBACK (escape_attempt_cb), f);
  g_action_map_add_action (G_ACTION_MAP (f->app), G_ACTION (escape));
  g_object_unref (escape);
  for (guint i = 0; i < G_N_ELEMENTS (escape_keys); i++)
    {
      GtkApplication *gapp = GTK_APPLICATION (f->app);
      g_auto(GStrv) actions = gtk_application_get_actions_for_accel (gapp, escape_keys[i].accel);

      if (actions == NULL || actions[0] == NULL)
        accels[n_accels++] = escape_keys[i].accel;
    }
  accels[n_accels] = NULL;
  gtk_application_set_accels_for_action (GTK_APPLICATION (f->app), "app.test-escape", accels);

  f->session = ka_gui_test_open_session (f->pack_path, f->db_path, "ko", KA_MODE_KIOSK);
  f->window = ka_gui_test_new_window (GTK_APPLICATION (f->app), f->session);
  f->kiosk = ka_kiosk_attach (f->window);
  ka_kiosk_bind_settings (f->kiosk, f->settings);
  f->clock_us = (gint64) 1795910400 * SEC;
  ka_kiosk_set_clock (f->kiosk, fake_clock, f);

  gtk_window_present (GTK_WINDOW (f->window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f->window));
  ka_gui_test_pump (100);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  ka_gui_test_close (&f->window, &f->session);
  g_clear_object (&f->app);
  g_clear_object (&f->settings);

  ka_test_remove_tree (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->pack_path);
  g_free (f->db_path);
}

static gint64
count_ballots (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  KaStore *store = ka_session_get_store (f->session);
  gint64 n = 0;

  for (KaDeliveryState s = KA_DELIVERY_PENDING; s <= KA_DELIVERY_REJECTED; s++)
    {
      n += ka_store_count_ballots (store, s, &error);
      g_assert_no_error (error);
    }

  return n;
}

static gboolean
page_is_visitor (gpointer data)
{
  Fixture *f = data;

  return g_strcmp0 (ka_kiosk_get_page (f->kiosk), "visitor") == 0 &&
         ka_session_get_state (f->session) == KA_SESSION_STATE_VOTING;
}

static gboolean
page_is_attract (gpointer data)
{
  return g_strcmp0 (ka_kiosk_get_page (((Fixture *) data)->kiosk), "attract") == 0;
}

static gboolean
counting_down (gpointer data)
{
  return ka_kiosk_is_counting_down (((Fixture *) data)->kiosk);
}

static gboolean
scrollable (gpointer data)
{
  GtkAdjustment *adj = data;

  return gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj) > 400;
}

static void
collect_label_text (GtkWidget *widget,
                    GString   *all)
{
  if (GTK_IS_LABEL (widget))
    {
      g_string_append (all, gtk_label_get_text (GTK_LABEL (widget)));
      g_string_append_c (all, '\n');
    }

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    collect_label_text (c, all);
}

static void
wake_and_wait (Fixture *f)
{
  ka_attract_view_wake (ka_kiosk_get_attract_view (f->kiosk));
  ka_gui_test_wait_until (page_is_visitor, f, "the battle after the wake");
}

/* ------------------------------------------------------------------------------------ */

static void
test_blocked_key_table (void)
{
  static const struct {
    guint           keyval;
    GdkModifierType state;
    gboolean        blocked;
  } cases[] = {
    { GDK_KEY_q, GDK_CONTROL_MASK, TRUE },
    { GDK_KEY_w, GDK_CONTROL_MASK, TRUE },
    { GDK_KEY_F11, 0, TRUE },
    { GDK_KEY_Escape, 0, TRUE },
    { GDK_KEY_comma, GDK_CONTROL_MASK, TRUE },
    { GDK_KEY_I, GDK_CONTROL_MASK | GDK_SHIFT_MASK, TRUE },
    { GDK_KEY_D, GDK_CONTROL_MASK | GDK_SHIFT_MASK, TRUE },
    { GDK_KEY_question, GDK_CONTROL_MASK | GDK_SHIFT_MASK, TRUE },
    { GDK_KEY_F4, GDK_ALT_MASK, TRUE },
    { GDK_KEY_F10, 0, TRUE },
    { GDK_KEY_Menu, 0, TRUE },
    { 0x1008FF56 /* XF86Close */, 0, TRUE },
    { GDK_KEY_1, 0, FALSE },
    { GDK_KEY_Return, 0, FALSE },
    { GDK_KEY_Tab, 0, FALSE },
    { GDK_KEY_Control_L, 0, FALSE },
    { GDK_KEY_A, GDK_SHIFT_MASK, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (ka_kiosk_is_blocked_key (cases[i].keyval, cases[i].state), ==,
                     cases[i].blocked);
}

static void
test_engaged (Fixture       *f,
              gconstpointer  data)
{
  GtkWidget *header = ka_gui_test_find_by_type (GTK_WIDGET (f->window), ADW_TYPE_HEADER_BAR);
  g_auto(GStrv) accels = NULL;

  g_assert_true (ka_kiosk_get_active (f->kiosk));
  g_assert_true (ka_kiosk_get_for_window (f->window) == f->kiosk);
  g_assert_cmpstr (ka_kiosk_get_page (f->kiosk), ==, "attract");
  g_assert_true (gtk_window_is_fullscreen (GTK_WINDOW (f->window)));
  g_assert_false (gtk_window_get_decorated (GTK_WINDOW (f->window)));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (f->window), "kiosk"));

  /* No battle is shown, or even scheduled, before a visitor wakes the kiosk. */
  g_assert_cmpint (ka_session_get_state (f->session), ==, KA_SESSION_STATE_IDLE);
  g_assert_null (ka_session_get_battle (f->session));
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (ka_window_get_battle_view (f->window))));

  /* No menu: the header bar (and its menu button) is hidden. */
  g_assert_nonnull (header);
  g_assert_false (gtk_widget_get_visible (header));

  /* The application's accelerators are gone and its actions disabled. */
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app), "app.quit");
  g_assert_cmpuint (g_strv_length (accels), ==, 0);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), "quit"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), "preferences"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), "about"));

  /* The inspector's keybinding is switched off where GTK's schema exists. */
  {
    GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
    g_autoptr(GSettingsSchema) schema = g_settings_schema_source_lookup (source,
                                                                         "org.gtk.gtk4.Settings.Debug",
                                                                         TRUE);
    if (schema != NULL)
      {
        g_autoptr(GSettings) debug = g_settings_new_full (schema, NULL, NULL);

        g_assert_false (g_settings_get_boolean (debug, "enable-inspector-keybinding"));
      }
  }

  /* close-request is refused. */
  gtk_window_close (GTK_WINDOW (f->window));
  ka_gui_test_pump (50);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window)));
  g_assert_nonnull (gtk_application_get_windows (GTK_APPLICATION (f->app)));
}

/* Control: outside kiosk mode the same X key events reach a widget's shortcuts, so the
 * kiosk case below is a real check of the blocking and not of a lost event. */
static void
test_escape_keys_reach_a_plain_window (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpdir = g_dir_make_tmp ("ka-test-kiosk-XXXXXX", &error);
  g_autofree char *pack = g_build_filename (tmpdir, "pack.json", NULL);
  g_autofree char *db = g_build_filename (tmpdir, "plain.sqlite", NULL);
  g_autofree char *json = build_pack_json ();
  g_autoptr(KaSession) session = NULL;
  KaWindow *window;
  guint count = 0;

  if (!ka_gui_test_have_xtest ())
    {
      g_test_skip ("no X11 display with the XTEST extension (libXtst)");
      ka_test_remove_tree (tmpdir);
      return;
    }

  g_file_set_contents (pack, json, -1, &error);
  g_assert_no_error (error);
  session = ka_application_create_session (pack, db, "en", &error);
  g_assert_no_error (error);

  window = ka_gui_test_new_window (NULL, session);
  gtk_widget_add_controller (GTK_WIDGET (ka_window_get_battle_view (window)),
                             counting_shortcuts (&count));
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  ka_gui_test_pump (200);

  for (guint i = 0; i < G_N_ELEMENTS (escape_keys); i++)
    {
      guint before = count;

      /* The inspector keys open GtkInspector in a plain window; they are not sent. */
      if (strstr (escape_keys[i].accel, "<Shift>i") != NULL ||
          strstr (escape_keys[i].accel, "<Shift>d") != NULL)
        continue;

      ka_gui_test_send_key (GTK_WINDOW (window), escape_keys[i].keysym, escape_keys[i].mods);

      /* F10 opens the main menu (GtkMenuButton:primary) before any widget sees it. */
      if (g_str_equal (escape_keys[i].accel, "F10"))
        {
          GtkWidget *menu = ka_gui_test_find_by_type (GTK_WIDGET (window), GTK_TYPE_POPOVER_MENU);

          g_assert_nonnull (menu);
          g_assert_true (gtk_widget_get_visible (menu));
          /* Closed again, so that its pointer grab ends before the next test. */
          gtk_popover_popdown (GTK_POPOVER (menu));
          ka_gui_test_pump (100);
          continue;
        }

      if (count != before + 1)
        g_error ("%s did not reach the window's widgets", escape_keys[i].accel);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  ka_gui_test_flush ();
  g_clear_object (&session);
  ka_test_remove_tree (tmpdir);
}

static void
test_escape_keys_blocked (Fixture       *f,
                          gconstpointer  data)
{
  guint widget_count = 0;
  guint n_toplevels;

  if (!ka_gui_test_have_xtest ())
    {
      g_test_skip ("no X11 display with the XTEST extension (libXtst)");
      return;
    }

  gtk_widget_add_controller (GTK_WIDGET (ka_window_get_battle_view (f->window)),
                             counting_shortcuts (&widget_count));

  for (guint pass = 0; pass < 2; pass++)
    {
      /* Pass 0 on the attract screen, pass 1 during a battle. */
      if (pass == 1)
        {
          wake_and_wait (f);
          ka_gui_test_pump (KA_KIOSK_WAKE_GUARD_MS + 100);
          ka_battle_view_focus_default (ka_window_get_battle_view (f->window));
        }

      n_toplevels = g_list_model_get_n_items (gtk_window_get_toplevels ());

      for (guint i = 0; i < G_N_ELEMENTS (escape_keys); i++)
        {
          ka_gui_test_send_key (GTK_WINDOW (f->window), escape_keys[i].keysym, escape_keys[i].mods);

          if (widget_count != 0 || f->escapes != 0)
            g_error ("%s got past the kiosk (widgets %u, accelerators %u)",
                     escape_keys[i].accel, widget_count, f->escapes);
          g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window)));
          g_assert_true (gtk_window_is_fullscreen (GTK_WINDOW (f->window)));
          g_assert_true (ka_kiosk_get_active (f->kiosk));
          g_assert_nonnull (gtk_application_get_windows (GTK_APPLICATION (f->app)));
          /* No inspector, preferences, shortcuts or about window opened. */
          g_assert_cmpuint (g_list_model_get_n_items (gtk_window_get_toplevels ()), ==,
                            n_toplevels);
        }

      g_assert_cmpstr (ka_kiosk_get_page (f->kiosk), ==, pass == 0 ? "attract" : "visitor");
    }

  g_assert_cmpint (count_ballots (f), ==, 0);
}

static void
test_wake_tap_never_votes (Fixture       *f,
                           gconstpointer  data)
{
  GtkWidget *vote_a;
  g_autofree char *first_session = NULL;

  if (!ka_gui_test_have_xtest ())
    {
      g_test_skip ("no X11 display with the XTEST extension (libXtst)");
      return;
    }

  /* A first visit, to learn where the "A is better" button is. */
  ka_gui_test_tap_widget (GTK_WIDGET (ka_kiosk_get_attract_view (f->kiosk)), FALSE);
  /* The tap has been handled by the attract screen; the battle is not there yet. */
  ka_gui_test_pump (10);
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (ka_window_get_battle_view (f->window))));
  ka_gui_test_wait_until (page_is_visitor, f, "the battle after a tap");
  g_assert_cmpint (count_ballots (f), ==, 0);
  first_session = g_strdup (ka_session_get_id (f->session));

  vote_a = ka_gui_test_find_by_action (GTK_WIDGET (f->window), "battle.vote-a");
  g_assert_nonnull (vote_a);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f->window));

  /* A double tap right where the vote button will appear: the first wakes the kiosk,
   * the second falls into the wake guard. */
  ka_kiosk_wipe (f->kiosk);
  g_assert_cmpstr (ka_kiosk_get_page (f->kiosk), ==, "attract");
  ka_gui_test_tap_widget (vote_a, FALSE);   /* vote_a is unmapped: its last position */
  ka_gui_test_pump (120);
  ka_gui_test_tap_widget (vote_a, TRUE);
  ka_gui_test_wait_until (page_is_visitor, f, "the battle after a double tap");
  ka_gui_test_tap_widget (vote_a, TRUE);
  ka_gui_test_pump (100);
  g_assert_cmpint (ka_session_get_state (f->session), ==, KA_SESSION_STATE_VOTING);
  g_assert_cmpint (count_ballots (f), ==, 0);
  g_assert_cmpstr (ka_session_get_id (f->session), !=, first_session);

  /* A wake key held down: its auto-repeat does not vote either. */
  ka_kiosk_wipe (f->kiosk);
  ka_gui_test_send_key_state (GTK_WINDOW (f->window), XK_1, TRUE);
  ka_gui_test_wait_until (page_is_visitor, f, "the battle after a key");
  ka_gui_test_pump (KA_KIOSK_WAKE_GUARD_MS + 100);
  ka_gui_test_send_key_state (GTK_WINDOW (f->window), XK_1, TRUE);   /* auto-repeat */
  ka_gui_test_send_key_state (GTK_WINDOW (f->window), XK_1, FALSE);
  g_assert_cmpint (ka_session_get_state (f->session), ==, KA_SESSION_STATE_VOTING);
  g_assert_cmpint (count_ballots (f), ==, 0);

  /* Control: after the guard, the same tap on the same place does vote. */
  ka_gui_test_tap_widget (vote_a, TRUE);
  ka_gui_test_wait_until (ka_gui_test_session_is_revealed, f->session,
                          "the vote of a deliberate tap");
  g_assert_cmpint (count_ballots (f), ==, 1);
}

static void
test_idle_wipe (Fixture       *f,
                gconstpointer  data)
{
  KaBattleView *view = ka_window_get_battle_view (f->window);
  g_autoptr(GPtrArray) responses = g_ptr_array_new ();
  g_autoptr(GPtrArray) scrollers = g_ptr_array_new ();
  g_autofree char *first_session = NULL;
  g_autofree char *prompt_text = NULL;
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (f->window));
  GdkClipboard *primary = gtk_widget_get_primary_clipboard (GTK_WIDGET (f->window));
  GtkTextView *text_a;
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  GtkAdjustment *adj;
  int wiped = 0;

  g_settings_set_int (f->settings, "kiosk-idle-timeout", 2);
  g_settings_set_int (f->settings, "kiosk-countdown", 1);
  g_assert_cmpuint (ka_kiosk_get_idle_timeout (f->kiosk), ==, 2);
  g_assert_cmpuint (ka_kiosk_get_countdown (f->kiosk), ==, 1);
  g_signal_connect_swapped (f->kiosk, "wiped", G_CALLBACK (g_atomic_int_inc), &wiped);

  wake_and_wait (f);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f->window));
  first_session = g_strdup (ka_session_get_id (f->session));

  /* A visitor's traces: a selection, a scrolled answer, text on the clipboard and in the
   * primary selection, the prompt on screen. */
  ka_gui_test_collect (GTK_WIDGET (view), KA_TYPE_RESPONSE_VIEW, responses);
  g_assert_cmpuint (responses->len, ==, 2);
  text_a = ka_response_view_get_text_view (g_ptr_array_index (responses, 0));
  buffer = gtk_text_view_get_buffer (text_a);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  g_assert_cmpint (gtk_text_iter_get_offset (&end), >, 100);
  gtk_text_buffer_get_iter_at_offset (buffer, &end, 40);
  gtk_text_buffer_select_range (buffer, &start, &end);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (text_a), "clipboard.copy", NULL));
  ka_gui_test_pump (50);
  g_assert_true (gdk_clipboard_is_local (clipboard));
  g_assert_nonnull (gdk_clipboard_get_content (clipboard));
  g_assert_true (gdk_clipboard_is_local (primary));

  ka_gui_test_collect (GTK_WIDGET (view), GTK_TYPE_SCROLLED_WINDOW, scrollers);
  adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (text_a),
                                                                                      GTK_TYPE_SCROLLED_WINDOW)));
  /* The text view lays its lines out lazily: wait until the answer is taller than it. */
  ka_gui_test_wait_until (scrollable, adj, "the answer's layout");
  gtk_adjustment_set_value (adj, 300);
  g_assert_cmpfloat (gtk_adjustment_get_value (adj), >, 0);

  {
    GString *all = g_string_new (NULL);

    collect_label_text (GTK_WIDGET (view), all);
    prompt_text = g_string_free (all, FALSE);
  }
  g_assert_nonnull (strstr (prompt_text, ka_battle_get_prompt (ka_session_get_battle (f->session))->turns[0]));

  /* Idle: first the visible countdown, then the wipe. */
  ka_gui_test_wait_until (counting_down, f, "the countdown");
  g_assert_cmpint (ka_kiosk_get_countdown_left (f->kiosk), ==, 1);
  g_assert_cmpstr (ka_kiosk_get_page (f->kiosk), ==, "visitor");
  ka_gui_test_wait_until (page_is_attract, f, "the idle wipe");
  g_assert_cmpint (wiped, ==, 1);
  g_assert_false (ka_kiosk_is_counting_down (f->kiosk));

  /* Everything is gone. */
  g_assert_cmpstr (ka_session_get_id (f->session), !=, first_session);
  g_assert_cmpint (ka_session_get_state (f->session), ==, KA_SESSION_STATE_IDLE);
  g_assert_null (ka_session_get_battle (f->session));
  for (guint i = 0; i < responses->len; i++)
    {
      GtkTextBuffer *b = gtk_text_view_get_buffer (ka_response_view_get_text_view (g_ptr_array_index (responses, i)));

      g_assert_cmpint (gtk_text_buffer_get_char_count (b), ==, 0);
      g_assert_false (gtk_text_buffer_get_has_selection (b));
    }
  for (guint i = 0; i < scrollers->len; i++)
    {
      GtkAdjustment *v = gtk_scrolled_window_get_vadjustment (g_ptr_array_index (scrollers, i));

      g_assert_cmpfloat (gtk_adjustment_get_value (v), ==, gtk_adjustment_get_lower (v));
    }
  {
    GString *all = g_string_new (NULL);
    g_autofree char *text = NULL;

    collect_label_text (GTK_WIDGET (view), all);
    text = g_string_free (all, FALSE);
    for (guint p = 0; p < G_N_ELEMENTS (prompts); p++)
      g_assert_null (strstr (text, prompts[p]));
  }
  g_assert_null (gdk_clipboard_get_content (clipboard));
  g_assert_null (gdk_clipboard_get_content (primary));
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (f->window)) != GTK_WIDGET (text_a));

  /* The unfinished ballot was not submitted. */
  g_assert_cmpint (count_ballots (f), ==, 0);

  /* The attract screen does not time out again: nothing to wipe. */
  ka_gui_test_pump (3500);
  g_assert_cmpint (wiped, ==, 1);
  g_assert_cmpstr (ka_kiosk_get_page (f->kiosk), ==, "attract");
}

static void
test_countdown_touch_continues (Fixture       *f,
                                gconstpointer  data)
{
  GtkWidget *vote_a;
  g_autofree char *session_id = NULL;

  if (!ka_gui_test_have_xtest ())
    {
      g_test_skip ("no X11 display with the XTEST extension (libXtst)");
      return;
    }

  g_settings_set_int (f->settings, "kiosk-idle-timeout", 2);
  g_settings_set_int (f->settings, "kiosk-countdown", 3);
  wake_and_wait (f);
  session_id = g_strdup (ka_session_get_id (f->session));
  vote_a = ka_gui_test_find_by_action (GTK_WIDGET (f->window), "battle.vote-a");

  ka_gui_test_wait_until (counting_down, f, "the countdown");
  /* The tap that dismisses the countdown lands on a vote button: it must not vote. */
  ka_gui_test_tap_widget (vote_a, TRUE);
  g_assert_false (ka_kiosk_is_counting_down (f->kiosk));
  g_assert_cmpstr (ka_kiosk_get_page (f->kiosk), ==, "visitor");
  g_assert_cmpstr (ka_session_get_id (f->session), ==, session_id);
  g_assert_cmpint (ka_session_get_state (f->session), ==, KA_SESSION_STATE_VOTING);
  g_assert_cmpint (count_ballots (f), ==, 0);

  /* Keys dismiss it as well. */
  ka_gui_test_wait_until (counting_down, f, "the countdown again");
  ka_gui_test_send_key (GTK_WINDOW (f->window), XK_space, 0);
  g_assert_false (ka_kiosk_is_counting_down (f->kiosk));
  g_assert_cmpstr (ka_session_get_id (f->session), ==, session_id);
  g_assert_cmpint (count_ballots (f), ==, 0);
}

static gboolean
pin_not_checking (gpointer data)
{
  Fixture *f = data;

  return ka_operator_panel_get_pin_state (ka_kiosk_get_operator_panel (f->kiosk)) !=
         KA_OPERATOR_PIN_CHECKING;
}

/* Types @pin on the panel's keypad and presses OK, then waits for the answer. */
static void
enter_pin (Fixture    *f,
           const char *pin)
{
  KaOperatorPanel *panel = ka_kiosk_get_operator_panel (f->kiosk);

  for (const char *p = pin; *p != '\0'; p++)
    {
      char digit[2] = { *p, '\0' };

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (panel), "panel.digit", "s", digit));
    }
  g_assert_cmpuint (strlen (gtk_editable_get_text (ka_operator_panel_get_pin_entry (panel))), ==,
                    strlen (pin));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (panel), "panel.submit", NULL));
  /* The entry is emptied at once. */
  g_assert_cmpstr (gtk_editable_get_text (ka_operator_panel_get_pin_entry (panel)), ==, "");
  ka_gui_test_wait_until (pin_not_checking, f, "the PIN check");
}

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;
  gsize length = 0, n = strlen (needle);

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;
  for (gsize i = 0; i + n <= length; i++)
    if (memcmp (contents + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

static void
test_operator_pin (Fixture       *f,
                   gconstpointer  data)
{
  KaOperatorPanel *panel = ka_kiosk_get_operator_panel (f->kiosk);
  KaStore *store = ka_session_get_store (f->session);
  g_autoptr(GError) error = NULL;
  g_autofree char *wal = g_strconcat (f->db_path, "-wal", NULL);
  g_autofree char *status = NULL;
  const char *pin = "80461357";

  /* No PIN set yet: the panel cannot be opened at all. */
  ka_kiosk_open_operator_panel (f->kiosk);
  g_assert_cmpstr (ka_kiosk_get_page (f->kiosk), ==, "operator");
  g_assert_cmpint (ka_operator_panel_get_pin_state (panel), ==, KA_OPERATOR_PIN_UNAVAILABLE);
  gtk_widget_activate_action (GTK_WIDGET (panel), "panel.digit", "s", "1");
  g_assert_cmpstr (gtk_editable_get_text (ka_operator_panel_get_pin_entry (panel)), ==, "");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (panel), "kiosk.close-panel", NULL));
  g_assert_cmpstr (ka_kiosk_get_page (f->kiosk), ==, "attract");

  ka_pin_set (store, pin, &error);
  g_assert_no_error (error);

  /* Ctrl+Alt+Shift+K opens the PIN page (through the X server when possible). */
  if (ka_gui_test_have_xtest ())
    ka_gui_test_send_key (GTK_WINDOW (f->window), 0x6b /* k */, 1 | 2 | 4);
  else
    ka_kiosk_open_operator_panel (f->kiosk);
  g_assert_cmpstr (ka_kiosk_get_page (f->kiosk), ==, "operator");
  g_assert_cmpstr (ka_operator_panel_get_page (panel), ==, "pin");
  g_assert_cmpint (ka_operator_panel_get_pin_state (panel), ==, KA_OPERATOR_PIN_READY);

  /* Two wrong PINs: refused, no lockout yet. */
  enter_pin (f, "11111111");
  g_assert_cmpint (ka_operator_panel_get_pin_state (panel), ==, KA_OPERATOR_PIN_READY);
  g_assert_cmpstr (ka_operator_panel_get_page (panel), ==, "pin");
  g_assert_nonnull (strstr (ka_operator_panel_get_pin_message (panel), "Wrong PIN"));
  enter_pin (f, "22222222");
  g_assert_cmpint (ka_operator_panel_get_pin_state (panel), ==, KA_OPERATOR_PIN_READY);

  /* The third locks the keypad for 30 s. */
  enter_pin (f, "33333333");
  g_assert_cmpint (ka_operator_panel_get_pin_state (panel), ==, KA_OPERATOR_PIN_LOCKED);
  g_assert_nonnull (strstr (ka_operator_panel_get_pin_message (panel), "30 s"));
  gtk_widget_activate_action (GTK_WIDGET (panel), "panel.digit", "s", "8");
  g_assert_cmpstr (gtk_editable_get_text (ka_operator_panel_get_pin_entry (panel)), ==, "");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (ka_operator_panel_get_pin_entry (panel))));

  /* The countdown follows the (test) clock; a reopened panel is still locked. */
  f->clock_us += 10 * SEC;
  ka_gui_test_pump (1100);
  g_assert_nonnull (strstr (ka_operator_panel_get_pin_message (panel), "20 s"));
  gtk_widget_activate_action (GTK_WIDGET (panel), "kiosk.close-panel", NULL);
  ka_kiosk_open_operator_panel (f->kiosk);
  g_assert_cmpint (ka_operator_panel_get_pin_state (panel), ==, KA_OPERATOR_PIN_LOCKED);

  /* After it, the next wrong PIN locks for twice as long. */
  f->clock_us += 20 * SEC;
  ka_gui_test_pump (1100);
  g_assert_cmpint (ka_operator_panel_get_pin_state (panel), ==, KA_OPERATOR_PIN_READY);
  enter_pin (f, "44444444");
  g_assert_cmpint (ka_operator_panel_get_pin_state (panel), ==, KA_OPERATOR_PIN_LOCKED);
  g_assert_nonnull (strstr (ka_operator_panel_get_pin_message (panel), "1 min 00 s"));
  f->clock_us += 60 * SEC;
  ka_gui_test_pump (1100);
  enter_pin (f, "55555555");
  g_assert_nonnull (strstr (ka_operator_panel_get_pin_message (panel), "2 min 00 s"));

  /* The right PIN after the lockout opens the status page. */
  f->clock_us += 120 * SEC;
  ka_gui_test_pump (1100);
  g_assert_cmpint (ka_operator_panel_get_pin_state (panel), ==, KA_OPERATOR_PIN_READY);
  enter_pin (f, pin);
  g_assert_cmpstr (ka_operator_panel_get_page (panel), ==, "status");
  status = ka_operator_panel_describe (panel);
  g_assert_nonnull (strstr (status, "pending: 0\n"));
  g_assert_nonnull (strstr (status, "delivered: 0\n"));
  g_assert_nonnull (strstr (status, "pack: test-kiosk-open\n"));
  g_assert_nonnull (strstr (status, ka_store_get_device_id (store)));
  {
    g_autofree char *version = g_strdup_printf ("version: %.12s\n",
                                                ka_pack_get_content_hash (ka_scheduler_get_pack (ka_session_get_scheduler (f->session))));

    g_assert_nonnull (strstr (status, version));
  }
  /* No collector set in this test: "Sync Now" cannot be pressed and says why. */
  {
    GtkWidget *sync_button = ka_gui_test_find_by_action (GTK_WIDGET (panel), "kiosk.sync-now");

    g_assert_nonnull (sync_button);
    g_assert_false (gtk_widget_is_sensitive (sync_button));
    g_assert_nonnull (gtk_widget_get_tooltip_text (sync_button));
  }

  /* The PIN is in clear nowhere: not in the entry, the database or its WAL. */
  g_assert_cmpstr (gtk_editable_get_text (ka_operator_panel_get_pin_entry (panel)), ==, "");
  g_assert_false (file_contains (f->db_path, pin));
  g_assert_false (file_contains (wal, pin));

  /* The idle wipe closes the panel too. */
  ka_kiosk_wipe (f->kiosk);
  g_assert_cmpstr (ka_kiosk_get_page (f->kiosk), ==, "attract");
  g_assert_cmpstr (ka_operator_panel_get_page (panel), ==, "pin");
}

/* The application's background sync (given to the window as it does) is shown and run
 * from the panel, since the kiosk hides the header-bar indicator; the collector here is a
 * closed loopback port. */
static void
test_sync_status (Fixture       *f,
                  gconstpointer  data)
{
  KaStore *store = ka_session_get_store (f->session);
  KaOperatorPanel *panel = ka_kiosk_get_operator_panel (f->kiosk);
  g_autoptr(GError) error = NULL;
  g_autoptr(KaSync) sync = NULL;
  GtkWidget *sync_button;

  ka_pin_set (store, "13572468", &error);
  g_assert_no_error (error);

  ka_kiosk_open_operator_panel (f->kiosk);
  enter_pin (f, "13572468");
  g_assert_cmpstr (ka_operator_panel_get_page (panel), ==, "status");

  /* No collector: "Sync Now" cannot be pressed, and says why. */
  sync_button = ka_gui_test_find_by_action (GTK_WIDGET (panel), "kiosk.sync-now");
  g_assert_nonnull (sync_button);
  g_assert_false (gtk_widget_is_sensitive (sync_button));
  g_assert_nonnull (gtk_widget_get_tooltip_text (sync_button));

  /* A collector is set: the panel follows the window's sync at once. */
  sync = ka_sync_new (store, "http://127.0.0.1:9/");
  g_object_set (sync, "auto-enrol", FALSE, NULL);
  ka_window_set_sync (f->window, sync);
  ka_gui_test_pump (100);
  g_assert_true (gtk_widget_is_sensitive (sync_button));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (panel), "kiosk.sync-now", NULL));
  ka_gui_test_pump (500);
  {
    g_autofree char *status = ka_operator_panel_describe (panel);

    g_test_message ("%s", status);
    g_assert_nonnull (strstr (status, "delivered: 0\n"));
    g_assert_nonnull (strstr (status, "last-sync: Never\n"));
  }

  /* And back. */
  ka_window_set_sync (f->window, NULL);
  ka_gui_test_pump (100);
  g_assert_false (gtk_widget_is_sensitive (sync_button));
}

static void
test_leave (Fixture       *f,
            gconstpointer  data)
{
  GtkWidget *header = ka_gui_test_find_by_type (GTK_WIDGET (f->window), ADW_TYPE_HEADER_BAR);
  g_auto(GStrv) accels = NULL;

  g_assert_false (gtk_widget_get_visible (header));
  ka_kiosk_leave (f->kiosk);

  g_assert_false (ka_kiosk_get_active (f->kiosk));
  g_assert_null (ka_kiosk_get_page (f->kiosk));
  g_assert_true (gtk_widget_get_visible (header));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (f->window), "kiosk"));
  g_assert_true (gtk_window_get_decorated (GTK_WINDOW (f->window)));
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app), "app.quit");
  g_assert_cmpstr (accels[0], ==, "<Control>q");
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), "quit"));
  /* Back to a normal window, with a battle on show. */
  g_assert_cmpint (ka_session_get_state (f->session), ==, KA_SESSION_STATE_VOTING);
  g_assert_cmpstr (ka_window_get_page (f->window), ==, "battle");
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f->window));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (ka_window_get_battle_view (f->window))));
}

static int
font_points (GtkWidget *widget)
{
  PangoContext *context = gtk_widget_get_pango_context (widget);
  PangoFontDescription *desc = pango_context_get_font_description (context);

  return (pango_font_description_get_size (desc) + PANGO_SCALE / 2) / PANGO_SCALE;
}

/* Touch targets at the screen the test runs on: the kiosk window fills the monitor.
 * Run it under `xvfb-run -s "-screen 0 1920x1080x24"` and `"-screen 0 1080x1920x24"`
 * for a venue's landscape and portrait screens (GTK keeps a full-screen window within
 * its monitor, so the size cannot be chosen from inside the test). */
static void
test_touch_layout (Fixture       *f,
                   gconstpointer  data)
{
  static const char * const actions[] = {
    "battle.vote-a", "battle.vote-b", "battle.vote-tie", "battle.vote-both-bad",
  };
  g_autoptr(GPtrArray) responses = g_ptr_array_new ();
  GListModel *monitors = gdk_display_get_monitors (gdk_display_get_default ());
  g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, 0);
  GdkRectangle screen;
  GtkWidget *question;
  int kiosk_font, width, height;

  gdk_monitor_get_geometry (monitor, &screen);
  wake_and_wait (f);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f->window));

  width = gtk_widget_get_width (GTK_WIDGET (f->window));
  height = gtk_widget_get_height (GTK_WIDGET (f->window));
  g_test_message ("screen %d×%d, kiosk window %d×%d", screen.width, screen.height, width, height);
  g_assert_cmpint (width, >=, screen.width * 95 / 100);
  g_assert_cmpint (height, >=, screen.height * 95 / 100);

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      GtkWidget *button = ka_gui_test_find_by_action (GTK_WIDGET (f->window), actions[i]);
      graphene_rect_t bounds;

      g_assert_true (gtk_widget_get_mapped (button));
      g_test_message ("%s: %d×%d", actions[i], gtk_widget_get_width (button),
                      gtk_widget_get_height (button));
      g_assert_cmpint (gtk_widget_get_height (button), >=, 64);
      g_assert_cmpint (gtk_widget_get_width (button), >=, 160);
      g_assert_true (gtk_widget_compute_bounds (button, GTK_WIDGET (f->window), &bounds));
      g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, height);
      g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, width);
    }

  ka_gui_test_collect (GTK_WIDGET (f->window), KA_TYPE_RESPONSE_VIEW, responses);
  for (guint i = 0; i < responses->len; i++)
    {
      GtkWidget *r = g_ptr_array_index (responses, i);

      g_test_message ("answer %u: %d×%d", i, gtk_widget_get_width (r), gtk_widget_get_height (r));
      g_assert_cmpint (gtk_widget_get_height (r), >=, 250);
      g_assert_cmpint (gtk_widget_get_width (r), >=, 400);
    }

  /* Larger type than the desktop app, for body text and headings alike: compare with
   * the same kinds of label in a plain window. */
  {
    const char *prompt = ka_battle_get_prompt (ka_session_get_battle (f->session))->turns[0];
    GtkWidget *plain = gtk_window_new ();
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
    GtkWidget *body = gtk_label_new ("가");
    GtkWidget *heading = gtk_label_new ("가");
    g_autoptr(GPtrArray) labels = g_ptr_array_new ();
    GtkWidget *kiosk_body = NULL;
    int plain_body, plain_heading, kiosk_heading;

    ka_gui_test_collect (GTK_WIDGET (ka_window_get_battle_view (f->window)), GTK_TYPE_LABEL, labels);
    for (guint i = 0; i < labels->len; i++)
      if (g_strcmp0 (gtk_label_get_text (g_ptr_array_index (labels, i)), prompt) == 0)
        kiosk_body = g_ptr_array_index (labels, i);
    g_assert_nonnull (kiosk_body);
    question = ka_gui_test_find_by_type (GTK_WIDGET (ka_window_get_battle_view (f->window)), GTK_TYPE_LABEL);
    g_assert_true (gtk_widget_has_css_class (question, "heading"));
    kiosk_font = font_points (kiosk_body);
    kiosk_heading = font_points (question);

    gtk_widget_add_css_class (heading, "heading");
    gtk_box_append (GTK_BOX (box), body);
    gtk_box_append (GTK_BOX (box), heading);
    gtk_window_set_child (GTK_WINDOW (plain), box);
    gtk_window_present (GTK_WINDOW (plain));
    gtk_test_widget_wait_for_draw (plain);
    plain_body = font_points (body);
    plain_heading = font_points (heading);
    g_test_message ("font size: kiosk body %d, heading %d; desktop body %d, heading %d",
                    kiosk_font, kiosk_heading, plain_body, plain_heading);
    g_assert_cmpint (kiosk_font * 100, >=, plain_body * 125);
    g_assert_cmpint (kiosk_heading * 100, >=, plain_heading * 125);
    gtk_window_destroy (GTK_WINDOW (plain));
  }
}

int
main (int   argc,
      char *argv[])
{
  ka_gui_test_init (&argc, &argv, FALSE);

  /* No blinking cursor timers racing with the test's input. */
  g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);

  g_test_add_func ("/ka/kiosk/blocked-key-table", test_blocked_key_table);
  g_test_add ("/ka/kiosk/engaged", Fixture, NULL, fixture_setup, test_engaged, fixture_teardown);
  g_test_add_func ("/ka/kiosk/escape-keys-reach-a-plain-window",
                   test_escape_keys_reach_a_plain_window);
  g_test_add ("/ka/kiosk/escape-keys-blocked", Fixture, NULL,
              fixture_setup, test_escape_keys_blocked, fixture_teardown);
  g_test_add ("/ka/kiosk/wake-tap-never-votes", Fixture, NULL,
              fixture_setup, test_wake_tap_never_votes, fixture_teardown);
  g_test_add ("/ka/kiosk/idle-wipe", Fixture, NULL, fixture_setup, test_idle_wipe, fixture_teardown);
  g_test_add ("/ka/kiosk/countdown-touch-continues", Fixture, NULL,
              fixture_setup, test_countdown_touch_continues, fixture_teardown);
  g_test_add ("/ka/kiosk/operator-pin", Fixture, NULL,
              fixture_setup, test_operator_pin, fixture_teardown);
  g_test_add ("/ka/kiosk/sync-status", Fixture, NULL,
              fixture_setup, test_sync_status, fixture_teardown);
  g_test_add ("/ka/kiosk/leave", Fixture, NULL, fixture_setup, test_leave, fixture_teardown);
  g_test_add ("/ka/kiosk/touch-layout", Fixture, NULL,
              fixture_setup, test_touch_layout, fixture_teardown);

  return g_test_run ();
}
