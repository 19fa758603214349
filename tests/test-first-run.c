/* test-first-run.c: the first-run privacy notice, "About the Contest" and keyboard access
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Real windows around a real store in a temporary folder and the shipped sample pack.
 */

#define G_LOG_DOMAIN "test-first-run"

#include "config.h"

#include <glib/gstdio.h>
#include <adwaita.h>

#include "ka-application.h"
#include "ka-battle-view.h"
#include "ka-contest-window.h"
#include "ka-gui-test-support.h"
#include "ka-height-clamp.h"
#include "ka-identity.h"
#include "ka-privacy-page.h"
#include "ka-response-view.h"
#include "ka-store.h"
#include "ka-test-support.h"
#include "ka-window.h"

typedef KaGuiTestFixture Fixture;

static KaSession *
open_session (Fixture *f,
              KaMode   mode)
{
  return ka_gui_test_open_session (f->pack_path, f->db_path, "en", mode);
}

static KaWindow *
open_window (KaSession *session,
             gboolean   consent_required)
{
  g_autoptr(GSettings) settings = ka_application_new_settings ();
  KaWindow *window;

  window = g_object_new (KA_TYPE_WINDOW,
                         "session", session,
                         "consent-required", consent_required,
                         "settings", settings,
                         NULL);
  g_object_ref_sink (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  return window;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->tmpdir = ka_test_make_tmp_dir ("ka-test-first-run-XXXXXX");
  f->pack_path = ka_gui_test_sample_pack_path ();
  g_assert_true (g_file_test (f->pack_path, G_FILE_TEST_IS_REGULAR));
  f->db_path = g_build_filename (f->tmpdir, "ballots.sqlite", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  ka_gui_test_fixture_clear (f);
}

/* Widget tree helpers ----------------------------------------------------------------- */

static gpointer
find_first (GtkWidget *root,
            GType      type)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  ka_gui_test_collect (root, type, found);
  g_assert_cmpuint (found->len, >, 0);

  return g_ptr_array_index (found, 0);
}

static GtkWidget *
find_button_for_action (GtkWidget  *root,
                        const char *action)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

  ka_gui_test_collect (root, GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), action) == 0)
        return button;
    }

  g_assert_not_reached ();
}

/* Every label's text under @root, one per line. */
static char *
label_texts (GtkWidget *root)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  GString *text = g_string_new (NULL);

  ka_gui_test_collect (root, GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    {
      g_string_append (text, gtk_label_get_text (g_ptr_array_index (labels, i)));
      g_string_append_c (text, '\n');
    }

  return g_string_free (text, FALSE);
}

static JsonObject *
read_consent (KaStore *store)
{
  g_autofree char *value = ka_store_get_meta (store, KA_PRIVACY_CONSENT_KEY);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (value);
  json_parser_load_from_data (parser, value, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
count_cb (guint *count)
{
  (*count)++;
}

/* Whether @text names @term: a whole word, ignoring case, for a Latin term ("LG" is not in
 * "LGPL"); anywhere for a Korean one, which takes particles ("네이버의"). */
static gboolean
names_term (const char *text,
            const char *term)
{
  g_autofree char *hay = g_utf8_casefold (text, -1);
  g_autofree char *needle = g_utf8_casefold (term, -1);
  gboolean ascii = TRUE;
  size_t len = strlen (needle);

  for (const char *c = needle; *c != '\0'; c++)
    ascii = ascii && (guchar) *c < 0x80;

  for (const char *p = strstr (hay, needle); p != NULL; p = strstr (p + 1, needle))
    {
      gunichar before = p > hay ? g_utf8_get_char (g_utf8_find_prev_char (hay, p)) : 0;
      gunichar after = g_utf8_get_char (p + len);

      if (!ascii || (!g_unichar_isalnum (before) && !g_unichar_isalnum (after)))
        return TRUE;
    }

  return FALSE;
}

/* Tests ------------------------------------------------------------------------------- */

/* No battle, no timing and no vote before the consent; agreeing records it and starts. */
static void
test_consent_gates_voting (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GDateTime) before = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) after = NULL;
  g_autoptr(GDateTime) accepted = NULL;
  g_autoptr(JsonObject) consent = NULL;
  g_autoptr(GError) error = NULL;
  KaStore *store;
  KaBattleView *view;
  KaPrivacyPage *page;
  GtkWidget *agree;
  guint notified = 0;

  f->session = open_session (f, KA_MODE_CITIZEN);
  store = ka_session_get_store (f->session);
  g_assert_false (ka_privacy_has_consent (store));

  f->window = open_window (f->session, TRUE);
  g_signal_connect_swapped (f->window, "notify::consent-required",
                            G_CALLBACK (count_cb), &notified);

  g_assert_true (ka_window_get_consent_required (f->window));
  g_assert_cmpstr (ka_window_get_page (f->window), ==, "privacy");
  g_assert_cmpint (ka_session_get_state (f->session), ==, KA_SESSION_STATE_IDLE);
  g_assert_null (ka_session_get_battle (f->session));

  page = find_first (GTK_WIDGET (f->window), KA_TYPE_PRIVACY_PAGE);
  agree = find_button_for_action (GTK_WIDGET (page), "privacy.agree");
  g_assert_true (gtk_widget_is_sensitive (agree));
  g_assert_true (gtk_widget_has_focus (agree));
  g_assert_true (ka_privacy_page_get_store (page) == store);

  /* Every way to vote or to start is shut. */
  view = ka_window_get_battle_view (f->window);
  gtk_widget_activate_action (GTK_WIDGET (view), "battle.vote-a", NULL);
  gtk_widget_activate_action (GTK_WIDGET (view), "battle.next", NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "window.new-session", NULL);
  g_assert_false (gtk_widget_is_sensitive (find_button_for_action (GTK_WIDGET (view),
                                                                   "battle.vote-a")));
  g_assert_cmpint (ka_session_get_state (f->session), ==, KA_SESSION_STATE_IDLE);
  g_assert_cmpstr (ka_window_get_page (f->window), ==, "privacy");
  g_assert_cmpint (ka_store_count_ballots (store, KA_DELIVERY_PENDING, &error), ==, 0);
  g_assert_no_error (error);

  /* Agree. */
  gtk_widget_activate_action (GTK_WIDGET (page), "privacy.agree", NULL);
  after = g_date_time_new_now_utc ();

  g_assert_false (ka_window_get_consent_required (f->window));
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpstr (ka_window_get_page (f->window), ==, "battle");
  g_assert_cmpint (ka_session_get_state (f->session), ==, KA_SESSION_STATE_VOTING);
  g_assert_nonnull (ka_session_get_battle (f->session));
  g_assert_true (ka_privacy_has_consent (store));

  /* {"version": 1, "accepted_at": now, "ui_language": "en"} */
  consent = read_consent (store);
  g_assert_cmpint (json_object_get_int_member (consent, "version"), ==,
                   KA_PRIVACY_NOTICE_VERSION);
  g_assert_cmpstr (json_object_get_string_member (consent, "ui_language"), ==,
                   ka_application_get_ui_language ());
  accepted = g_date_time_new_from_iso8601 (json_object_get_string_member (consent,
                                                                          "accepted_at"),
                                           NULL);
  g_assert_nonnull (accepted);
  g_assert_cmpint (g_date_time_to_unix (accepted), >=, g_date_time_to_unix (before));
  g_assert_cmpint (g_date_time_to_unix (accepted), <=, g_date_time_to_unix (after));

  /* Voting works now; nothing has the focus: no vote button, neither answer (issue 9). */
  g_assert_false (gtk_widget_has_focus (find_button_for_action (GTK_WIDGET (view),
                                                                "battle.vote-a")));
  g_assert_null (gtk_root_get_focus (GTK_ROOT (f->window)));
  g_assert_true (gtk_widget_is_sensitive (find_button_for_action (GTK_WIDGET (view),
                                                                  "battle.vote-a")));
}

/* The consent lives in the store: the next start on the same database goes straight to a
 * battle; a database without it asks again. */
static void
test_consent_remembered (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->session = open_session (f, KA_MODE_CITIZEN);
  g_assert_true (ka_privacy_record_consent (ka_session_get_store (f->session), "ko", &error));
  g_assert_no_error (error);

  f->window = open_window (f->session, TRUE);
  g_assert_false (ka_window_get_consent_required (f->window));
  g_assert_cmpstr (ka_window_get_page (f->window), ==, "battle");
  g_assert_cmpint (ka_session_get_state (f->session), ==, KA_SESSION_STATE_VOTING);
}

/* A kiosk shows its own notice on the attract screen; windows built without the property
 * (tests, tools) are not gated. */
static void
test_consent_not_asked (Fixture       *f,
                        gconstpointer  data)
{
  f->session = open_session (f, KA_MODE_KIOSK);
  f->window = open_window (f->session, TRUE);
  g_assert_false (ka_window_get_consent_required (f->window));
  g_assert_cmpstr (ka_window_get_page (f->window), !=, "privacy");
  ka_gui_test_close (&f->window, &f->session);

  f->session = open_session (f, KA_MODE_CITIZEN);
  f->window = ka_gui_test_new_window (NULL, f->session);
  g_assert_false (ka_window_get_consent_required (f->window));
  g_assert_cmpstr (ka_window_get_page (f->window), ==, "battle");
  g_assert_false (ka_privacy_has_consent (ka_session_get_store (f->session)));
}

/* "Quit" closes the window without voting. */
static void
test_quit (Fixture       *f,
           gconstpointer  data)
{
  GtkWidget *quit;

  f->session = open_session (f, KA_MODE_CITIZEN);
  f->window = open_window (f->session, TRUE);

  quit = find_button_for_action (GTK_WIDGET (f->window), "window.close");
  g_assert_true (gtk_widget_is_sensitive (quit));
  g_signal_emit_by_name (quit, "clicked");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->window)));
  g_assert_false (ka_privacy_has_consent (ka_session_get_store (f->session)));
  g_assert_cmpint (ka_session_get_state (f->session), ==, KA_SESSION_STATE_IDLE);
}

/* Which stored values count as consent to the current notice. */
static void
test_consent_values (Fixture       *f,
                     gconstpointer  data)
{
  static const struct {
    const char *value;
    gboolean    valid;
  } cases[] = {
    { "{\"version\":1,\"accepted_at\":\"2026-11-29T10:00:00Z\",\"ui_language\":\"ko\"}", TRUE },
    { "{\"version\":2,\"accepted_at\":\"2026-11-29T10:00:00Z\"}", TRUE },
    { "{\"version\":0,\"accepted_at\":\"2026-11-29T10:00:00Z\"}", FALSE },
    { "{\"version\":\"1\",\"accepted_at\":\"2026-11-29T10:00:00Z\"}", FALSE },
    { "{\"version\":1.5,\"accepted_at\":\"2026-11-29T10:00:00Z\"}", FALSE },
    { "{\"version\":1}", FALSE },
    { "{\"version\":1,\"accepted_at\":{}}", FALSE },
    { "{\"version\":[1],\"accepted_at\":\"x\"}", FALSE },
    { "[1]", FALSE },
    { "yes", FALSE },
    { "", FALSE },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = NULL;

  store = ka_store_open (f->db_path, &error);
  g_assert_no_error (error);
  g_assert_false (ka_privacy_has_consent (store));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("consent value %s", cases[i].value);
      g_assert_true (ka_store_set_meta (store, KA_PRIVACY_CONSENT_KEY, cases[i].value,
                                        &error));
      g_assert_no_error (error);
      g_assert_cmpint (ka_privacy_has_consent (store), ==, cases[i].valid);
    }

  g_assert_true (ka_privacy_record_consent (store, "ko", &error));
  g_assert_no_error (error);
  g_assert_true (ka_privacy_has_consent (store));
}

/* A store that cannot record the consent keeps the voter on the notice, with the reason. */
static void
test_consent_not_saved (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) writable = NULL;
  g_autoptr(KaStore) store = NULL;
  KaPrivacyPage *page;
  GtkWidget *window;
  guint agreed = 0;
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  gboolean error_shown = FALSE;

  writable = ka_store_open (f->db_path, &error);
  g_assert_no_error (error);
  g_clear_object (&writable);
  store = ka_store_open_read_only (f->db_path, &error);
  g_assert_no_error (error);

  page = KA_PRIVACY_PAGE (g_object_new (KA_TYPE_PRIVACY_PAGE, "ui-language", "en", NULL));
  window = gtk_window_new ();
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  g_signal_connect_swapped (page, "agreed", G_CALLBACK (count_cb), &agreed);

  /* Without a store there is nothing to agree in. */
  g_assert_false (gtk_widget_is_sensitive (find_button_for_action (GTK_WIDGET (page),
                                                                   "privacy.agree")));
  ka_privacy_page_set_store (page, store);
  g_assert_true (gtk_widget_is_sensitive (find_button_for_action (GTK_WIDGET (page),
                                                                  "privacy.agree")));

  g_test_expect_message ("ka-privacy-page", G_LOG_LEVEL_WARNING,
                         "Could not record the consent*");
  gtk_widget_activate_action (GTK_WIDGET (page), "privacy.agree", NULL);
  g_test_assert_expected_messages ();

  g_assert_cmpuint (agreed, ==, 0);
  g_assert_false (ka_privacy_has_consent (store));

  ka_gui_test_collect (GTK_WIDGET (page), GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    {
      GtkWidget *label = g_ptr_array_index (labels, i);

      if (gtk_widget_has_css_class (label, "error") && gtk_widget_get_visible (label))
        error_shown = g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)),
                                        "Your agreement could not be saved: ");
    }
  g_assert_true (error_shown);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The notice and the contest page say what they must and name no model, vendor or team. */
static void
test_texts_name_no_model (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaPack) pack = ka_pack_new_from_file (f->pack_path, &error);
  g_autoptr(KaIdentityGuard) guard = NULL;
  static const char * const teams[] = {
    "Naver", "네이버", "Upstage", "업스테이지", "SK Telecom", "SKT", "SK텔레콤", "NC AI",
    "엔씨", "LG", "EXAONE", "엑사원", "HyperCLOVA", "하이퍼클로바", "Solar", "솔라", "VARCO",
    "바르코", "A.X", NULL
  };
  g_autofree char *privacy = NULL;
  g_autofree char *contest = NULL;
  GtkWidget *page;
  KaContestWindow *window;

  g_assert_no_error (error);
  guard = ka_identity_guard_new_for_pack (pack);

  page = g_object_ref_sink (ka_privacy_page_new ());
  privacy = label_texts (page);
  window = g_object_ref_sink (ka_contest_window_new (NULL));
  contest = label_texts (GTK_WIDGET (window));

  /* What the issue asks each of them to say. */
  g_assert_nonnull (strstr (privacy, "which answer you preferred"));
  g_assert_nonnull (strstr (privacy, "random device ID"));
  g_assert_nonnull (strstr (privacy, "No name, account"));
  g_assert_nonnull (strstr (privacy, "only if a collector address is set"));
  g_assert_nonnull (strstr (privacy, "rank the models"));
  g_assert_nonnull (strstr (contest, "독자 AI 파운데이션 모델"));
  g_assert_nonnull (strstr (contest, "five national teams"));
  g_assert_nonnull (strstr (contest, "Why the vote is blind"));
  g_assert_nonnull (strstr (contest, "Bradley–Terry"));
  g_assert_nonnull (strstr (contest, "confidence intervals"));
  g_assert_nonnull (strstr (contest, "hash"));

  for (guint i = 0; i < 2; i++)
    {
      const char *text = i == 0 ? privacy : contest;
      g_autofree char *matched = NULL;

      if (ka_identity_guard_mentions (guard, text, &matched))
        g_error ("the %s names “%s”", i == 0 ? "privacy notice" : "contest page", matched);

      for (guint t = 0; teams[t] != NULL; t++)
        if (names_term (text, teams[t]))
          g_error ("the %s names the team term “%s”",
                   i == 0 ? "privacy notice" : "contest page", teams[t]);
      g_assert_true (names_term (text, i == 0 ? "K-AI Arena" : "LMArena"));
    }

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_assert_finalize_object (page);
}

/* The contest page closes with Escape. */
static void
test_contest_escape (Fixture       *f,
                     gconstpointer  data)
{
  KaContestWindow *window = g_object_ref_sink (ka_contest_window_new (NULL));
  GtkEventController *controller = NULL;
  g_autoptr(GListModel) controllers = NULL;

  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));

  controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_SHORTCUT_CONTROLLER (c) &&
          g_list_model_get_n_items (G_LIST_MODEL (c)) == 1)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (c), 0);
          g_autofree char *trigger = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));

          if (g_str_equal (trigger, "Escape"))
            {
              controller = c;
              g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut),
                                                           0, GTK_WIDGET (window), NULL));
            }
        }
    }
  g_assert_nonnull (controller);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window)));

  g_clear_object (&controllers);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* The application: a first run shows the notice, and the background sync (which would
 * enrol the device with the collector) starts only once the voter has agreed. */
typedef struct
{
  gboolean inspected;
} SyncRun;

static gboolean
agree_in_app_cb (gpointer data)
{
  SyncRun *run = data;
  KaApplication *app = KA_APPLICATION (g_application_get_default ());
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  KaPrivacyPage *page;

  g_assert_true (KA_IS_WINDOW (window));
  g_assert_cmpstr (ka_window_get_page (KA_WINDOW (window)), ==, "privacy");
  g_assert_true (ka_window_get_consent_required (KA_WINDOW (window)));
  g_assert_null (ka_application_get_sync (app));
  g_assert_null (ka_window_get_sync (KA_WINDOW (window)));

  page = find_first (GTK_WIDGET (window), KA_TYPE_PRIVACY_PAGE);
  gtk_widget_activate_action (GTK_WIDGET (page), "privacy.agree", NULL);

  g_assert_cmpstr (ka_window_get_page (KA_WINDOW (window)), ==, "battle");
  g_assert_nonnull (ka_application_get_sync (app));
  g_assert_true (ka_window_get_sync (KA_WINDOW (window)) == ka_application_get_sync (app));
  run->inspected = TRUE;

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);

  return G_SOURCE_REMOVE;
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 SyncRun        *run)
{
  g_idle_add (agree_in_app_cb, run);
}

static void
test_sync_waits_for_consent (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(KaApplication) app = ka_application_new ();
  g_autoptr(GSettings) settings = ka_application_new_settings ();
  const char *argv[] = { "kai-arena", "--pack", f->pack_path, "--database", f->db_path, NULL };
  SyncRun run = { FALSE };

  g_assert_nonnull (settings);
  /* Nothing listens there: the sync only has to exist, not to succeed. */
  g_settings_set_string (settings, "server-url", "http://127.0.0.1:9");

  g_assert_cmpint (ka_gui_test_run_application (app, argv, G_CALLBACK (window_added_cb), &run),
                   ==, 0);
  g_assert_true (run.inspected);

  g_settings_reset (settings, "server-url");
}

/* The primary menu's "About the Contest" opens one window, and again the same one. */
static void
test_about_contest_action (void)
{
  g_autoptr(KaApplication) app = ka_application_new ();
  g_autoptr(GError) error = NULL;
  guint n_contest = 0;
  GtkWindow *contest = NULL;

  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "about-contest"));

  for (guint round = 0; round < 2; round++)
    {
      g_action_group_activate_action (G_ACTION_GROUP (app), "about-contest", NULL);

      n_contest = 0;
      for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
        {
          if (KA_IS_CONTEST_WINDOW (l->data))
            {
              g_assert_true (contest == NULL || contest == l->data);
              contest = l->data;
              n_contest++;
            }
        }
      g_assert_cmpuint (n_contest, ==, 1);
      g_assert_true (gtk_widget_get_visible (GTK_WIDGET (contest)));
    }

  gtk_window_destroy (contest);
}

/* Tab walks the battle in reading order: the prompt, answer A, answer B, then the four
 * vote buttons, and reaches each of them; it starts at the prompt. */
static void
test_focus_order (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cycle = g_ptr_array_new ();
  g_autoptr(GPtrArray) responses = g_ptr_array_new ();
  KaBattleView *view;
  GtkWidget *start, *prompt = NULL;
  GtkWidget *expected[7];
  int positions[G_N_ELEMENTS (expected)];
  guint prompt_index = 0;

  f->session = open_session (f, KA_MODE_CITIZEN);
  g_assert_true (ka_privacy_record_consent (ka_session_get_store (f->session), "en", &error));
  f->window = open_window (f->session, TRUE);
  view = ka_window_get_battle_view (f->window);

  ka_gui_test_collect (GTK_WIDGET (view), KA_TYPE_RESPONSE_VIEW, responses);
  g_assert_cmpuint (responses->len, ==, 2);
  g_assert_cmpstr (ka_response_view_get_label (g_ptr_array_index (responses, 0)), ==, "Model A");
  g_assert_cmpstr (ka_response_view_get_label (g_ptr_array_index (responses, 1)), ==, "Model B");

  /* Nothing has the focus when the battle starts (issue 9). Tab then enters the battle at
   * its first widget, the prompt (the battle view's Tab shortcut does this; test-panes.c
   * presses the real key); one full Tab cycle from there. */
  g_assert_null (gtk_root_get_focus (GTK_ROOT (f->window)));
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (view), GTK_DIR_TAB_FORWARD));
  start = gtk_root_get_focus (GTK_ROOT (f->window));
  g_assert_true (GTK_IS_LABEL (start));
  g_assert_nonnull (gtk_widget_get_ancestor (start, KA_TYPE_HEIGHT_CLAMP));
  /* An answer's blocks take the focus one by one (a table's every cell), so a cycle can
   * be long. */
  for (guint i = 0; i < 5000; i++)
    {
      GtkWidget *focus;

      g_ptr_array_add (cycle, gtk_root_get_focus (GTK_ROOT (f->window)));
      if (!gtk_widget_child_focus (GTK_WIDGET (f->window), GTK_DIR_TAB_FORWARD))
        gtk_widget_child_focus (GTK_WIDGET (f->window), GTK_DIR_TAB_FORWARD);
      focus = gtk_root_get_focus (GTK_ROOT (f->window));
      if (focus == start)
        break;
    }
  g_assert_true (gtk_root_get_focus (GTK_ROOT (f->window)) == start);

  /* The prompt: its first focusable label. */
  for (guint i = 0; i < cycle->len && prompt == NULL; i++)
    {
      GtkWidget *w = g_ptr_array_index (cycle, i);

      if (GTK_IS_LABEL (w) && gtk_widget_get_ancestor (w, KA_TYPE_HEIGHT_CLAMP) != NULL)
        {
          prompt = w;
          prompt_index = i;
        }
    }
  g_assert_nonnull (prompt);

  expected[0] = prompt;
  /* Each answer's first stop: its first block that takes the focus (a prose view, or a code
   * block or table when the answer starts with one or has no prose). */
  for (guint side = 0; side < 2; side++)
    {
      GtkWidget *pane = g_ptr_array_index (responses, side);

      expected[1 + side] = NULL;
      for (guint i = 0; i < cycle->len && expected[1 + side] == NULL; i++)
        {
          GtkWidget *w = g_ptr_array_index (cycle, (prompt_index + i) % cycle->len);

          if (gtk_widget_is_ancestor (w, pane))
            expected[1 + side] = w;
        }
      g_assert_nonnull (expected[1 + side]);
    }
  expected[3] = find_button_for_action (GTK_WIDGET (view), "battle.vote-a");
  expected[4] = find_button_for_action (GTK_WIDGET (view), "battle.vote-b");
  expected[5] = find_button_for_action (GTK_WIDGET (view), "battle.vote-tie");
  expected[6] = find_button_for_action (GTK_WIDGET (view), "battle.vote-both-bad");

  /* Positions in the cycle, counted from the prompt. */
  for (guint e = 0; e < G_N_ELEMENTS (expected); e++)
    {
      positions[e] = -1;
      for (guint i = 0; i < cycle->len; i++)
        if (g_ptr_array_index (cycle, (prompt_index + i) % cycle->len) == expected[e])
          {
            positions[e] = (int) i;
            break;
          }
      g_assert_cmpint (positions[e], >=, 0);
      if (e > 0)
        g_assert_cmpint (positions[e], >, positions[e - 1]);
    }
  g_test_message ("Tab cycle of %u stops: prompt %d, A %d, B %d, votes %d %d %d %d",
                  cycle->len, positions[0], positions[1], positions[2], positions[3],
                  positions[4], positions[5], positions[6]);
}

/* Start-up keeps the identity guard's verdicts on the pack in the store (issue 11), and a
 * second start reads them back. */
static void
test_identity_verdicts_stored (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaPack) pack = ka_pack_new_from_file (f->pack_path, &error);
  g_autoptr(KaIdentityGuard) guard = NULL;
  g_autoptr(KaStore) store = NULL;
  g_autoptr(KaSession) session = NULL;
  GHashTable *flags = NULL;

  g_assert_no_error (error);
  guard = ka_identity_guard_new_for_pack (pack);

  session = open_session (f, KA_MODE_CITIZEN);
  g_clear_object (&session);

  store = ka_store_open_read_only (f->db_path, &error);
  g_assert_no_error (error);
  g_assert_true (ka_store_load_identity_flags (store, ka_pack_get_content_hash (pack),
                                               ka_identity_guard_get_version (guard), &flags,
                                               &error));
  g_assert_no_error (error);
  g_assert_nonnull (flags);
  g_assert_cmpuint (g_hash_table_size (flags), ==, 0);   /* the sample pack: none */
  g_hash_table_unref (flags);
  g_clear_object (&store);

  session = open_session (f, KA_MODE_CITIZEN);
  g_assert_nonnull (session);
}

int
main (int   argc,
      char *argv[])
{
  ka_gui_test_init (&argc, &argv, FALSE);

  g_test_add ("/ka/first-run/consent-gates-voting", Fixture, NULL,
              fixture_setup, test_consent_gates_voting, fixture_teardown);
  g_test_add ("/ka/first-run/consent-remembered", Fixture, NULL,
              fixture_setup, test_consent_remembered, fixture_teardown);
  g_test_add ("/ka/first-run/consent-not-asked", Fixture, NULL,
              fixture_setup, test_consent_not_asked, fixture_teardown);
  g_test_add ("/ka/first-run/quit", Fixture, NULL,
              fixture_setup, test_quit, fixture_teardown);
  g_test_add ("/ka/first-run/consent-values", Fixture, NULL,
              fixture_setup, test_consent_values, fixture_teardown);
  g_test_add ("/ka/first-run/consent-not-saved", Fixture, NULL,
              fixture_setup, test_consent_not_saved, fixture_teardown);
  g_test_add ("/ka/first-run/texts-name-no-model", Fixture, NULL,
              fixture_setup, test_texts_name_no_model, fixture_teardown);
  g_test_add ("/ka/first-run/contest-escape", Fixture, NULL,
              fixture_setup, test_contest_escape, fixture_teardown);
  g_test_add ("/ka/first-run/sync-waits-for-consent", Fixture, NULL,
              fixture_setup, test_sync_waits_for_consent, fixture_teardown);
  g_test_add_func ("/ka/first-run/about-contest-action", test_about_contest_action);
  g_test_add ("/ka/first-run/identity-verdicts-stored", Fixture, NULL,
              fixture_setup, test_identity_verdicts_stored, fixture_teardown);
  g_test_add ("/ka/keyboard/focus-order", Fixture, NULL,
              fixture_setup, test_focus_order, fixture_teardown);

  return g_test_run ();
}
