/* test-window.c: the main window around a real store and pack, driven like a voter.
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <glib/gstdio.h>
#include <adwaita.h>
#include <sqlite3.h>

#ifdef GDK_WINDOWING_X11
#include <X11/keysym.h>
#endif

#include "ka-application.h"
#include "ka-battle-panes.h"
#include "ka-battle-view.h"
#include "ka-gui-test-support.h"
#include "ka-height-clamp.h"
#include "ka-preferences-window.h"
#include "ka-privacy-page.h"
#include "ka-response-view.h"
#include "ka-store.h"
#include "ka-test-support.h"
#include "ka-vote-bar.h"
#include "ka-window.h"

/* ------------------------------------------------------------------------------------ */
/* A small open pack with Korean prompts, built in code. The model names are made up and
 * distinctive, so that finding one anywhere in the widget tree is certainly a leak. */

static const KaGuiTestModel test_models[] = {
  { "test-hanbit-7b", "Hanbit Seven Instruct", "Hanbit Laboratory" },
  { "test-dalbit-chat", "Dalbit Chat Large", "Dalbit Intelligence" },
  { "test-byeol-lm", "Byeol Reasoner", "Byeol Research Institute" },
  { "test-noeul-12b", "Noeul Twelve", "Noeul Systems" },
};

static const char * const test_prompts[][2] = {
  { "파이썬으로 리스트에서 중복을 제거하는 함수를 작성해 주세요. 입력은 정수 리스트이고, "
    "빈 리스트도 처리해야 합니다.", "순서를 유지하도록 바꿔 주세요." },
  { "서울에서 부산까지 KTX로 가는 방법과 소요 시간을 알려 주세요.", NULL },
  { "김치찌개를 맛있게 끓이는 비법을 단계별로 설명해 주세요.", NULL },
  { "조선 시대 세종대왕의 주요 업적을 세 가지만 요약해 주세요.", NULL },
  { "재택근무의 장점과 단점을 표로 정리해 주세요.", NULL },
  { "가을에 가볼 만한 국내 여행지를 추천해 주세요.", NULL },
};

static const char * const test_answer_styles[] = {
  "## 답변\n\n질문하신 내용에 대해 정리하면 다음과 같습니다.\n\n1. 먼저 핵심을 확인합니다.\n2. 그다음 세부 사항을 살펴봅니다.\n\n**요약:** %s",
  "좋은 질문입니다. 간단히 말씀드리면, %s\n\n- 첫째, 준비가 중요합니다.\n- 둘째, 차근차근 진행하세요.",
  "%s\n\n| 항목 | 설명 |\n|---|---|\n| 장점 | 빠르고 편리함 |\n| 단점 | 비용이 듦 |",
  "다음 순서로 설명하겠습니다.\n\n> %s\n\n```python\nprint(\"안녕하세요\")\n```",
};

static char *
test_answer (guint    prompt,
             guint    model,
             guint    turn,
             gpointer data)
{
  return g_strdup_printf (test_answer_styles[model], "상황에 맞게 선택하시면 됩니다.");
}

static char *
build_pack_json (guint    n_prompts,
                 gboolean sealed)
{
  KaGuiTestPack pack = {
    .pack_id = sealed ? "test-window-sealed" : "test-window-open",
    .title_ko = "창 시험용 묶음",
    .title_en = "Window test pack",
    .models = test_models,
    .n_models = G_N_ELEMENTS (test_models),
    .sealed = sealed,
    .prompts = &test_prompts[0][0],
    .n_prompts = n_prompts,
    .n_turns = G_N_ELEMENTS (test_prompts[0]),
    .answer = test_answer,
  };

  g_assert_cmpuint (n_prompts, <=, G_N_ELEMENTS (test_prompts));

  return ka_gui_test_pack_json (&pack);
}

/* ------------------------------------------------------------------------------------ */

typedef KaGuiTestFixture Fixture;

static void
fixture_open (Fixture    *f,
              const char *pack_path)
{
  f->db_path = g_build_filename (f->tmpdir, "ballots.sqlite", NULL);
  f->session = ka_gui_test_open_session (pack_path, f->db_path, "en", KA_MODE_CITIZEN);
  f->window = ka_gui_test_open_window (NULL, f->session, 1200, 800);
}

static void
fixture_setup (Fixture  *f,
               guint     n_prompts,
               gboolean  sealed)
{
  g_autofree char *json = build_pack_json (n_prompts, sealed);

  f->tmpdir = ka_test_make_tmp_dir ("ka-test-window-XXXXXX");
  f->pack_path = ka_gui_test_write_file (f->tmpdir, "pack.json", json);
  fixture_open (f, f->pack_path);
}

static void
fixture_teardown (Fixture *f)
{
  ka_gui_test_fixture_clear (f);
}

/* ------------------------------------------------------------------------------------ */


static gboolean
vote_bar_has_error (gpointer data)
{
  return ka_vote_bar_get_error (KA_VOTE_BAR (data)) != NULL;
}

static void
add_string (GString    *all,
            const char *s)
{
  if (s != NULL && *s != '\0')
    {
      g_string_append (all, s);
      g_string_append_c (all, '\n');
    }
}

/* Every user-visible or assistive string held by the tree, hidden pages included. */
static void
collect_strings (GtkWidget *widget,
                 GString   *all)
{
  add_string (all, gtk_widget_get_tooltip_text (widget));

  if (GTK_IS_LABEL (widget))
    add_string (all, gtk_label_get_text (GTK_LABEL (widget)));
  if (GTK_IS_BUTTON (widget))
    add_string (all, gtk_button_get_label (GTK_BUTTON (widget)));
  if (GTK_IS_WINDOW (widget))
    add_string (all, gtk_window_get_title (GTK_WINDOW (widget)));
  if (ADW_IS_WINDOW_TITLE (widget))
    {
      add_string (all, adw_window_title_get_title (ADW_WINDOW_TITLE (widget)));
      add_string (all, adw_window_title_get_subtitle (ADW_WINDOW_TITLE (widget)));
    }
  if (ADW_IS_STATUS_PAGE (widget))
    {
      add_string (all, adw_status_page_get_title (ADW_STATUS_PAGE (widget)));
      add_string (all, adw_status_page_get_description (ADW_STATUS_PAGE (widget)));
    }
  if (KA_IS_RESPONSE_VIEW (widget))
    add_string (all, ka_response_view_get_label (KA_RESPONSE_VIEW (widget)));
  if (GTK_IS_EDITABLE (widget))
    add_string (all, gtk_editable_get_text (GTK_EDITABLE (widget)));

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    collect_strings (c, all);
}

static char *
window_strings (KaWindow *window)
{
  GString *all = g_string_new (NULL);

  collect_strings (GTK_WIDGET (window), all);
  return g_string_free (all, FALSE);
}

static void
assert_no_model_names (KaWindow *window,
                       KaPack   *pack)
{
  g_autofree char *all = window_strings (window);

  for (guint i = 0; i < ka_pack_get_n_models (pack); i++)
    {
      const KaPackModel *m = ka_pack_get_model (pack, i);
      const char *names[] = { m->display_name, m->organisation, m->model_id };

      for (guint j = 0; j < G_N_ELEMENTS (names); j++)
        if (names[j] != NULL && strstr (all, names[j]) != NULL)
          g_error ("model name “%s” visible before the vote in:\n%s", names[j], all);
    }
}

static void
assert_vote_buttons_sensitive (KaWindow *window,
                               gboolean  sensitive)
{
  static const char * const actions[] = {
    "battle.vote-a", "battle.vote-b", "battle.vote-tie", "battle.vote-both-bad",
  };

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      GtkWidget *button = ka_gui_test_find_by_action (GTK_WIDGET (window), actions[i]);

      g_assert_nonnull (button);
      g_assert_cmpint (gtk_widget_is_sensitive (button), ==, sensitive);
    }
}

static GPtrArray *
list_ballots_from_second_store (const char *db_path,
                                const char *pack_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = ka_store_open (db_path, &error);
  GPtrArray *ballots;

  g_assert_no_error (error);
  ballots = ka_store_list_ballots (store, pack_id, &error);
  g_assert_no_error (error);

  return ballots;
}

static const struct {
  const char *action;
  KaWinner    winner;
} votes[] = {
  { "battle.vote-a", KA_WINNER_MODEL_A },
  { "battle.vote-b", KA_WINNER_MODEL_B },
  { "battle.vote-tie", KA_WINNER_TIE },
  { "battle.vote-both-bad", KA_WINNER_BOTH_BAD },
};

typedef struct
{
  KaWindow *window;
  KaPack   *pack;
  guint     n_committing;
} CommitWatch;

/* While the ballot is being written nothing may name a model either. */
static void
state_changed_cb (KaSession   *session,
                  GParamSpec  *pspec,
                  CommitWatch *watch)
{
  if (ka_session_get_state (session) == KA_SESSION_STATE_COMMITTING)
    {
      assert_no_model_names (watch->window, watch->pack);
      watch->n_committing++;
    }
}

/* One voter's round: check anonymity, vote through the action, wait for the commit,
 * check the store and the reveal. */
static void
vote_and_check (Fixture    *f,
                const char *action,
                KaWinner    winner,
                guint       n_before)
{
  KaBattleView *view = ka_window_get_battle_view (f->window);
  KaVoteBar *bar = KA_VOTE_BAR (ka_gui_test_find_by_type (GTK_WIDGET (view), KA_TYPE_VOTE_BAR));
  KaBattle *battle = ka_session_get_battle (f->session);
  KaPack *pack = ka_battle_get_pack (battle);
  g_autofree char *response_a = g_strdup (ka_battle_get_response_a (battle)->response_id);
  g_autofree char *response_b = g_strdup (ka_battle_get_response_b (battle)->response_id);
  g_autoptr(GPtrArray) ballots = NULL;
  g_autofree char *all = NULL;
  const KaBallot *last;
  CommitWatch watch;
  gulong handler;

  g_assert_cmpstr (ka_window_get_page (f->window), ==, "battle");
  g_assert_cmpint (ka_session_get_state (f->session), ==, KA_SESSION_STATE_VOTING);
  g_assert_false (ka_vote_bar_is_revealed (bar));
  assert_vote_buttons_sensitive (f->window, TRUE);
  assert_no_model_names (f->window, pack);

  watch = (CommitWatch) { f->window, pack, 0 };
  handler = g_signal_connect (f->session, "notify::state", G_CALLBACK (state_changed_cb), &watch);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), action, NULL));
  ka_gui_test_wait_until (ka_gui_test_session_is_revealed, f->session, "the ballot to commit");
  /* Let the vote callback run too. */
  ka_gui_test_flush ();
  g_signal_handler_disconnect (f->session, handler);
  g_assert_cmpuint (watch.n_committing, ==, 1);

  assert_vote_buttons_sensitive (f->window, FALSE);
  g_assert_true (ka_vote_bar_is_revealed (bar));
  g_assert_null (ka_vote_bar_get_error (bar));

  ballots = list_ballots_from_second_store (f->db_path, ka_pack_get_id (pack));
  g_assert_cmpuint (ballots->len, ==, n_before + 1);
  last = g_ptr_array_index (ballots, ballots->len - 1);
  g_assert_cmpint (last->winner, ==, winner);
  g_assert_cmpstr (last->response_a, ==, response_a);
  g_assert_cmpstr (last->response_b, ==, response_b);
  g_assert_cmpstr (last->ui_language, ==, "en");
  g_assert_cmpstr (ka_mode_to_string (last->mode), ==, "citizen");

  /* Names are visible now, on both sides, whatever the verdict. */
  all = window_strings (f->window);
  if (ka_pack_is_sealed (pack))
    {
      g_assert_nonnull (strstr (all, "Names will appear after sync"));
    }
  else
    {
      g_assert_nonnull (strstr (all, ka_battle_get_model_a (battle)->display_name));
      g_assert_nonnull (strstr (all, ka_battle_get_model_b (battle)->display_name));
    }
}

static void
next_battle (Fixture *f)
{
  KaBattleView *view = ka_window_get_battle_view (f->window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "battle.next", NULL));
  ka_gui_test_flush ();
}

/* ------------------------------------------------------------------------------------ */

static void
test_vote_flow (void)
{
  Fixture f = { 0 };
  KaBattleView *view;
  GtkWidget *vote_a;

  fixture_setup (&f, 5, FALSE);
  view = ka_window_get_battle_view (f.window);

  for (guint i = 0; i < G_N_ELEMENTS (votes); i++)
    {
      g_autofree char *prompt_before = NULL;

      vote_and_check (&f, votes[i].action, votes[i].winner, i);

      /* A second vote on the same battle is refused: no ballot, names stay. */
      gtk_widget_activate_action (GTK_WIDGET (view), "battle.vote-b", NULL);
      ka_gui_test_flush ();
      g_assert_cmpint (ka_session_get_state (f.session), ==, KA_SESSION_STATE_REVEALED);
      {
        g_autoptr(GPtrArray) ballots = list_ballots_from_second_store (f.db_path,
                                                                       "test-window-open");
        g_assert_cmpuint (ballots->len, ==, i + 1);
      }

      prompt_before = g_strdup (ka_battle_get_prompt (ka_session_get_battle (f.session))->prompt_id);
      next_battle (&f);
      g_assert_cmpint (ka_session_get_state (f.session), ==, KA_SESSION_STATE_VOTING);
      g_assert_cmpstr (ka_battle_get_prompt (ka_session_get_battle (f.session))->prompt_id,
                       !=, prompt_before);

      /* Nothing has the keyboard focus: not answer A (a focus ring on one side tells A
       * from B, issue 9) and no vote button (Enter or Space must never cast a vote nobody
       * chose); nor is there a default widget. test-panes.c checks the rest. */
      vote_a = ka_gui_test_find_by_action (GTK_WIDGET (f.window), "battle.vote-a");
      g_assert_nonnull (vote_a);
      g_assert_null (gtk_root_get_focus (GTK_ROOT (f.window)));
      g_assert_null (gtk_window_get_default_widget (GTK_WINDOW (f.window)));
    }

  /* Before the fifth vote: nothing from the four reveals is left on screen. */
  assert_no_model_names (f.window, ka_battle_get_pack (ka_session_get_battle (f.session)));

  /* The subtitle is the pack title, never a model. */
  {
    AdwWindowTitle *title = ADW_WINDOW_TITLE (ka_gui_test_find_by_type (GTK_WIDGET (f.window),
                                                            ADW_TYPE_WINDOW_TITLE));
    g_assert_cmpstr (adw_window_title_get_title (title), ==, "K-AI Arena");
    g_assert_cmpstr (adw_window_title_get_subtitle (title), ==, "Window test pack");
    g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f.window)), ==, "K-AI Arena");
  }

  fixture_teardown (&f);
}

static GtkShortcut *
find_shortcut (GtkWidget        *widget,
               guint             keyval,
               GtkShortcutScope *scope)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr(GtkShortcutTrigger) wanted = gtk_keyval_trigger_new (keyval, 0);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), wanted))
            {
              if (scope != NULL)
                *scope = gtk_shortcut_controller_get_scope (GTK_SHORTCUT_CONTROLLER (controller));
              return g_steal_pointer (&shortcut);
            }
        }
    }

  return NULL;
}

static void
test_keyboard (void)
{
  static const guint keys[] = {
    GDK_KEY_1, GDK_KEY_KP_1, GDK_KEY_2, GDK_KEY_KP_2, GDK_KEY_3, GDK_KEY_KP_3,
    GDK_KEY_4, GDK_KEY_KP_4, GDK_KEY_n, GDK_KEY_Return, GDK_KEY_KP_Enter,
  };
  Fixture f = { 0 };
  GtkWidget *view;
  guint n_ballots = 0;

  fixture_setup (&f, 5, FALSE);
  view = GTK_WIDGET (ka_window_get_battle_view (f.window));

  /* Every key is the window's, not only the battle view's (see test_keys_from_anywhere). */
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GtkShortcutScope scope = GTK_SHORTCUT_SCOPE_LOCAL;
      g_autoptr(GtkShortcut) shortcut = find_shortcut (view, keys[i], &scope);

      g_assert_nonnull (shortcut);
      g_assert_cmpint (scope, ==, GTK_SHORTCUT_SCOPE_MANAGED);
    }

  /* Pressing "2" through the view's own shortcut: the ballot says model_b. Then "N". */
  for (guint round = 0; round < 2; round++)
    {
      guint vote_key = round == 0 ? GDK_KEY_2 : GDK_KEY_4;
      KaWinner expected = round == 0 ? KA_WINNER_MODEL_B : KA_WINNER_BOTH_BAD;
      g_autoptr(GtkShortcut) vote = find_shortcut (view, vote_key, NULL);
      g_autoptr(GtkShortcut) next = find_shortcut (view, GDK_KEY_n, NULL);
      g_autoptr(GPtrArray) ballots = NULL;
      const KaBallot *last;

      /* "N" does nothing before the vote. */
      g_assert_false (gtk_shortcut_action_activate (gtk_shortcut_get_action (next), 0, view, NULL));
      g_assert_cmpint (ka_session_get_state (f.session), ==, KA_SESSION_STATE_VOTING);

      g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (vote), 0, view, NULL));
      ka_gui_test_wait_until (ka_gui_test_session_is_revealed, f.session, "the ballot to commit");
      ka_gui_test_flush ();

      ballots = list_ballots_from_second_store (f.db_path, "test-window-open");
      g_assert_cmpuint (ballots->len, ==, ++n_ballots);
      last = g_ptr_array_index (ballots, ballots->len - 1);
      g_assert_cmpint (last->winner, ==, expected);

      /* Vote keys do nothing after the vote. */
      g_assert_false (gtk_shortcut_action_activate (gtk_shortcut_get_action (vote), 0, view, NULL));

      g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (next), 0, view, NULL));
      g_assert_cmpint (ka_session_get_state (f.session), ==, KA_SESSION_STATE_VOTING);
    }

  fixture_teardown (&f);
}

/* The primary menu's button in the header bar, where the focus lands after the menu,
 * About or Preferences closes. */
static GtkWidget *
find_menu_button (GtkWidget *widget)
{
  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget)))
    return widget;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_menu_button (c);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static guint
count_ballots (Fixture *f)
{
  g_autoptr(GPtrArray) ballots = list_ballots_from_second_store (f->db_path, "test-window-open");

  return ballots->len;
}

/* Real key presses with the focus outside the battle view: the vote keys, N and Enter
 * still work; digits typed into an entry of the same window stay text. */
static void
test_keys_from_anywhere (void)
{
  static const struct {
    guint    vote_key;
    KaWinner winner;
    guint    next_key;
  } rounds[] = {
    { XK_1, KA_WINNER_MODEL_A, XK_n },
    { XK_2, KA_WINNER_MODEL_B, XK_Return },
    { XK_4, KA_WINNER_BOTH_BAD, XK_KP_Enter },
  };
  Fixture f = { 0 };
  GtkWidget *menu_button, *entry;
  g_autoptr(GPtrArray) ballots = NULL;

  if (!ka_gui_test_have_xtest ())
    {
      g_test_skip ("needs an X11 display with the XTEST extension (libXtst)");
      return;
    }

  fixture_setup (&f, 5, FALSE);
  menu_button = find_menu_button (GTK_WIDGET (f.window));
  g_assert_nonnull (menu_button);

  for (guint i = 0; i < G_N_ELEMENTS (rounds); i++)
    {
      const KaBallot *last;

      g_assert_true (gtk_widget_grab_focus (menu_button));
      ka_gui_test_send_key (GTK_WINDOW (f.window), rounds[i].vote_key, 0);
      ka_gui_test_wait_until (ka_gui_test_session_is_revealed, f.session, "the ballot to commit");
      ka_gui_test_flush ();

      ballots = list_ballots_from_second_store (f.db_path, "test-window-open");
      g_assert_cmpuint (ballots->len, ==, i + 1);
      last = g_ptr_array_index (ballots, ballots->len - 1);
      g_assert_cmpint (last->winner, ==, rounds[i].winner);
      g_clear_pointer (&ballots, g_ptr_array_unref);

      /* A vote key after the vote does nothing. */
      g_assert_true (gtk_widget_grab_focus (menu_button));
      ka_gui_test_send_key (GTK_WINDOW (f.window), XK_3, 0);
      g_assert_cmpuint (count_ballots (&f), ==, i + 1);
      g_assert_cmpint (ka_session_get_state (f.session), ==, KA_SESSION_STATE_REVEALED);

      g_assert_true (gtk_widget_grab_focus (menu_button));
      ka_gui_test_send_key (GTK_WINDOW (f.window), rounds[i].next_key, 0);
      g_assert_cmpint (ka_session_get_state (f.session), ==, KA_SESSION_STATE_VOTING);
    }

  /* Digits typed into an entry in the same window are text, not votes. */
  entry = gtk_entry_new ();
  adw_header_bar_pack_start (ADW_HEADER_BAR (ka_gui_test_find_by_type (GTK_WIDGET (f.window),
                                                           ADW_TYPE_HEADER_BAR)),
                             entry);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f.window));
  g_assert_true (gtk_widget_grab_focus (entry));
  ka_gui_test_send_key (GTK_WINDOW (f.window), XK_1, 0);
  ka_gui_test_send_key (GTK_WINDOW (f.window), XK_3, 0);
  ka_gui_test_send_key (GTK_WINDOW (f.window), XK_n, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "13n");
  g_assert_cmpint (ka_session_get_state (f.session), ==, KA_SESSION_STATE_VOTING);
  g_assert_cmpuint (count_ballots (&f), ==, G_N_ELEMENTS (rounds));

  fixture_teardown (&f);
}

static void
exec_sql (const char *db_path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *errmsg = NULL;

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  if (sqlite3_exec (db, sql, NULL, NULL, &errmsg) != SQLITE_OK)
    g_error ("%s: %s", sql, errmsg);
  sqlite3_close (db);
}

static void
test_commit_error (void)
{
  Fixture f = { 0 };
  KaBattleView *view;
  KaVoteBar *bar;
  g_autoptr(GPtrArray) ballots = NULL;
  KaPack *pack;
  CommitWatch watch;
  gulong handler;

  fixture_setup (&f, 5, FALSE);
  view = ka_window_get_battle_view (f.window);
  bar = KA_VOTE_BAR (ka_gui_test_find_by_type (GTK_WIDGET (view), KA_TYPE_VOTE_BAR));
  pack = ka_battle_get_pack (ka_session_get_battle (f.session));

  /* Another connection makes every ballot insert fail, as a full or broken disk would. */
  exec_sql (f.db_path,
            "CREATE TRIGGER refuse_ballots BEFORE INSERT ON ballots "
            "BEGIN SELECT RAISE(ABORT, 'disk refused the ballot'); END;");

  g_test_expect_message ("ka-battle-view", G_LOG_LEVEL_WARNING, "*Could not record the vote*");
  watch = (CommitWatch) { f.window, pack, 0 };
  handler = g_signal_connect (f.session, "notify::state", G_CALLBACK (state_changed_cb), &watch);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "battle.vote-a", NULL));
  ka_gui_test_wait_until (vote_bar_has_error, bar, "the commit error");
  g_signal_handler_disconnect (f.session, handler);
  g_assert_cmpuint (watch.n_committing, ==, 1);
  g_test_assert_expected_messages ();

  g_assert_cmpint (ka_session_get_state (f.session), ==, KA_SESSION_STATE_VOTING);
  /* A plain sentence for the voter; the database's words only on the dim detail line. */
  g_assert_cmpstr (ka_vote_bar_get_error (bar), ==,
                   "Your vote could not be saved, so nothing was recorded. Please try again.");
  g_assert_nonnull (ka_vote_bar_get_error_detail (bar));
  g_assert_nonnull (strstr (ka_vote_bar_get_error_detail (bar), "disk refused the ballot"));
  g_assert_false (ka_vote_bar_is_revealed (bar));
  assert_no_model_names (f.window, pack);
  assert_vote_buttons_sensitive (f.window, TRUE);

  ballots = list_ballots_from_second_store (f.db_path, ka_pack_get_id (pack));
  g_assert_cmpuint (ballots->len, ==, 0);

  /* The disk recovers: the same battle can be voted on, and the error goes away. */
  exec_sql (f.db_path, "DROP TRIGGER refuse_ballots;");
  vote_and_check (&f, "battle.vote-tie", KA_WINNER_TIE, 0);
  g_assert_null (ka_vote_bar_get_error_detail (bar));

  fixture_teardown (&f);
}

static void
test_sealed (void)
{
  Fixture f = { 0 };
  g_autofree char *all = NULL;

  fixture_setup (&f, 3, TRUE);

  vote_and_check (&f, "battle.vote-a", KA_WINNER_MODEL_A, 0);

  /* A sealed pack has no names on the device, so none can be shown. */
  all = window_strings (f.window);
  for (guint i = 0; i < G_N_ELEMENTS (test_models); i++)
    g_assert_null (strstr (all, test_models[i].display_name));

  fixture_teardown (&f);
}

static void
test_exhausted (void)
{
  Fixture f = { 0 };

  fixture_setup (&f, 2, FALSE);

  vote_and_check (&f, "battle.vote-a", KA_WINNER_MODEL_A, 0);
  next_battle (&f);
  vote_and_check (&f, "battle.vote-b", KA_WINNER_MODEL_B, 1);
  next_battle (&f);

  g_assert_cmpint (ka_session_get_state (f.session), ==, KA_SESSION_STATE_EXHAUSTED);
  g_assert_cmpstr (ka_window_get_page (f.window), ==, "done");
  /* The focus is on "Start a New Session", not on a hidden vote button. */
  g_assert_true (gtk_root_get_focus (GTK_ROOT (f.window)) ==
                 ka_gui_test_find_by_action (GTK_WIDGET (f.window), "window.new-session"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "window.new-session", NULL));
  g_assert_cmpstr (ka_window_get_page (f.window), ==, "battle");
  g_assert_cmpint (ka_session_get_state (f.session), ==, KA_SESSION_STATE_VOTING);
  vote_and_check (&f, "battle.vote-tie", KA_WINNER_TIE, 2);

  fixture_teardown (&f);
}

static gboolean
panes_is_narrow (gpointer data)
{
  return !ka_battle_panes_is_wide (KA_BATTLE_PANES (data));
}

static gboolean
panes_is_wide (gpointer data)
{
  return ka_battle_panes_is_wide (KA_BATTLE_PANES (data));
}

static GtkScrolledWindow *
find_prompt_scroller (KaWindow *window)
{
  GtkWidget *clamp = ka_gui_test_find_by_type (GTK_WIDGET (window), KA_TYPE_HEIGHT_CLAMP);

  g_assert_nonnull (clamp);
  return GTK_SCROLLED_WINDOW (gtk_widget_get_first_child (clamp));
}

static void
assert_prompt_fits (KaWindow *window)
{
  GtkScrolledWindow *scroller = find_prompt_scroller (window);
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (scroller);

  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_cmpfloat (gtk_adjustment_get_page_size (adj), >, 0);
  g_assert_cmpfloat (gtk_adjustment_get_upper (adj), <=, gtk_adjustment_get_page_size (adj));
}

/* Every label of the prompt area (heading, question markers, questions) is scaled. */
static void
assert_prompt_scale_in (GtkWidget *widget,
                        double     scale,
                        guint     *n_labels)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget))
    {
      PangoAttrList *attrs = gtk_label_get_attributes (GTK_LABEL (widget));
      GSList *list = attrs != NULL ? pango_attr_list_get_attributes (attrs) : NULL;
      double found = 1.0;

      for (GSList *l = list; l != NULL; l = l->next)
        if (((PangoAttribute *) l->data)->klass->type == PANGO_ATTR_SCALE)
          found = ((PangoAttrFloat *) l->data)->value;
      g_slist_free_full (list, (GDestroyNotify) pango_attribute_destroy);

      g_assert_cmpfloat_with_epsilon (found, scale, 1e-9);
      (*n_labels)++;
    }

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    assert_prompt_scale_in (c, scale, n_labels);
}

static void
assert_prompt_scale (KaWindow *window,
                     double    scale)
{
  guint n_labels = 0;

  assert_prompt_scale_in (GTK_WIDGET (find_prompt_scroller (window)), scale, &n_labels);
  /* "Questions", "Question 1", the first turn, "Question 2", the second turn. */
  g_assert_cmpuint (n_labels, ==, 5);
}

static void
test_layout_and_text_scale (void)
{
  Fixture f = { 0 };
  g_autoptr(GSettings) settings = NULL;
  KaBattlePanes *panes;
  GtkWidget *response_a, *response_b;
  graphene_rect_t ra, rb;

  /* One prompt: the two-turn one, so the prompt area has several labels to fit. */
  fixture_setup (&f, 1, FALSE);
  panes = KA_BATTLE_PANES (ka_gui_test_find_by_type (GTK_WIDGET (f.window), KA_TYPE_BATTLE_PANES));
  response_a = gtk_widget_get_first_child (GTK_WIDGET (panes));
  response_b = gtk_widget_get_last_child (GTK_WIDGET (panes));

  /* Wide: side by side, same size. */
  ka_gui_test_wait_until (panes_is_wide, panes, "the wide layout");
  g_assert_true (gtk_widget_compute_bounds (response_a, GTK_WIDGET (panes), &ra));
  g_assert_true (gtk_widget_compute_bounds (response_b, GTK_WIDGET (panes), &rb));
  g_assert_cmpfloat (ra.origin.x, <, rb.origin.x);
  g_assert_cmpfloat (ra.origin.y, ==, rb.origin.y);
  g_assert_cmpfloat (ra.size.width, ==, rb.size.width);
  g_assert_cmpfloat (ra.size.height, ==, rb.size.height);

  /* A short prompt is shown whole, without scrolling, at both widths. */
  assert_prompt_fits (f.window);

  /* Narrow: A above B, same size. */
  gtk_window_set_default_size (GTK_WINDOW (f.window), 600, 900);
  ka_gui_test_wait_until (panes_is_narrow, panes, "the narrow layout");
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f.window));
  g_assert_true (gtk_widget_compute_bounds (response_a, GTK_WIDGET (panes), &ra));
  g_assert_true (gtk_widget_compute_bounds (response_b, GTK_WIDGET (panes), &rb));
  g_assert_cmpfloat (ra.origin.y, <, rb.origin.y);
  g_assert_cmpfloat (ra.origin.x, ==, rb.origin.x);
  g_assert_cmpfloat (ra.size.width, ==, rb.size.width);
  g_assert_cmpfloat (ra.size.height, ==, rb.size.height);

  assert_prompt_fits (f.window);

  /* The text size follows GSettings live, on both answers alike. */
  settings = ka_application_new_settings ();
  g_assert_nonnull (settings);
  g_settings_set_double (settings, "text-scale", 1.5);
  g_assert_cmpfloat_with_epsilon (ka_battle_view_get_text_scale (ka_window_get_battle_view (f.window)),
                                  1.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (ka_response_view_get_text_scale (KA_RESPONSE_VIEW (response_a)),
                                  1.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (ka_response_view_get_text_scale (KA_RESPONSE_VIEW (response_b)),
                                  1.5, 1e-9);
  assert_prompt_scale (f.window, 1.5);
  g_settings_reset (settings, "text-scale");
  assert_prompt_scale (f.window, 1.0);
  g_assert_cmpfloat_with_epsilon (ka_response_view_get_text_scale (KA_RESPONSE_VIEW (response_a)),
                                  1.0, 1e-9);

  fixture_teardown (&f);

  /* close-request saved the size (the window was destroyed, not closed, so check the
   * close path explicitly on a fresh window). */
}

/* A prompt label focused with the keyboard keeps no selection once the focus moves on. */
static GtkWidget *
find_selectable_label (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_label_get_selectable (GTK_LABEL (widget)) &&
      gtk_widget_get_mapped (widget))
    return widget;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_selectable_label (c);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
test_prompt_selection (void)
{
  Fixture f = { 0 };
  GtkWidget *prompt_label;
  int start, end;

  fixture_setup (&f, 1, FALSE);
  prompt_label = find_selectable_label (GTK_WIDGET (find_prompt_scroller (f.window)));
  g_assert_nonnull (prompt_label);

  g_assert_true (gtk_widget_grab_focus (prompt_label));
  ka_battle_view_focus_default (ka_window_get_battle_view (f.window));
  g_assert_false (gtk_widget_has_focus (prompt_label));
  g_assert_false (gtk_label_get_selection_bounds (GTK_LABEL (prompt_label), &start, &end));

  fixture_teardown (&f);
}

static void
test_saves_size (void)
{
  Fixture f = { 0 };
  g_autoptr(GSettings) settings = ka_application_new_settings ();

  fixture_setup (&f, 3, FALSE);
  gtk_window_set_default_size (GTK_WINDOW (f.window), 1010, 707);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f.window));
  gtk_window_close (GTK_WINDOW (f.window));

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1010);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 707);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");

  g_assert_finalize_object (f.window);
  f.window = NULL;
  fixture_teardown (&f);
}

static void
test_sample_pack (void)
{
  const char *root = g_getenv ("KA_SOURCE_ROOT");
  g_autofree char *path = NULL;
  Fixture f = { 0 };

  if (root == NULL)
    {
      g_test_skip ("KA_SOURCE_ROOT is not set");
      return;
    }

  path = g_build_filename (root, "data", "packs", "sample-ko.json", NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("data/packs/sample-ko.json is not built yet");
      return;
    }

  f.tmpdir = ka_test_make_tmp_dir ("ka-test-window-XXXXXX");
  fixture_open (&f, path);

  vote_and_check (&f, "battle.vote-b", KA_WINNER_MODEL_B, 0);
  next_battle (&f);
  vote_and_check (&f, "battle.vote-both-bad", KA_WINNER_BOTH_BAD, 1);

  fixture_teardown (&f);
}

static void
test_error_page (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpdir = g_dir_make_tmp ("ka-test-window-XXXXXX", &error);
  g_autofree char *pack_path = g_build_filename (tmpdir, "broken <pack>.json", NULL);
  g_autofree char *db_path = g_build_filename (tmpdir, "ballots.sqlite", NULL);
  g_autoptr(KaSession) session = NULL;
  g_autofree char *all = NULL;
  KaWindow *window;

  g_file_set_contents (pack_path, "{\"format\": \"kai-arena-pack/1\", \"pack_id\": ", -1, &error);
  g_assert_no_error (error);

  session = ka_application_create_session (pack_path, db_path, "en", &error);
  g_assert_null (session);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "broken <pack>.json"));
  /* A rejected pack creates nothing. */
  g_assert_false (g_file_test (db_path, G_FILE_TEST_EXISTS));

  window = ka_gui_test_new_window (NULL, NULL);
  ka_window_show_error (window, "Voting Cannot Start", error->message);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  g_assert_cmpstr (ka_window_get_page (window), ==, "error");
  /* Shown as text: the file name's angle brackets are not taken for markup. */
  all = window_strings (window);
  g_assert_nonnull (strstr (all, "broken <pack>.json"));
  gtk_widget_activate_action (GTK_WIDGET (ka_window_get_battle_view (window)),
                              "battle.vote-a", NULL);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  ka_test_remove_tree (tmpdir);
}

/* A window without a session shows "Opening the Battle Pack…" with a spinner, nothing to
 * vote on; the session made on a worker thread then shows the battle with nothing focused
 * (issue 9). A pack that cannot be read ends on the error page, as before. */
static void
count_notify_cb (guint *count)
{
  (*count)++;
}

static void
collect_type (GtkWidget *widget,
              GType      type,
              GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    collect_type (c, type, found);
}

static void
session_created_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_loading (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpdir = g_dir_make_tmp ("ka-test-window-XXXXXX", &error);
  g_autofree char *pack_path = g_build_filename (tmpdir, "pack.json", NULL);
  g_autofree char *db_path = g_build_filename (tmpdir, "ballots.sqlite", NULL);
  g_autofree char *missing = g_build_filename (tmpdir, "missing.json", NULL);
  g_autofree char *json = build_pack_json (3, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(KaSession) session = NULL;
  g_autoptr(GPtrArray) spinners = g_ptr_array_new ();
  KaWindow *window;
  guint notified = 0;

  g_file_set_contents (pack_path, json, -1, &error);
  g_assert_no_error (error);

  window = ka_gui_test_new_window (NULL, NULL);
  g_signal_connect_swapped (window, "notify::session", G_CALLBACK (count_notify_cb), &notified);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_cmpstr (ka_window_get_page (window), ==, "loading");
  /* The loading page's spinner, turning (the sync indicator has one too, hidden). */
  collect_type (GTK_WIDGET (window), GTK_TYPE_SPINNER, spinners);
  for (guint i = spinners->len; i > 0; i--)
    if (!gtk_widget_get_mapped (g_ptr_array_index (spinners, i - 1)))
      g_ptr_array_remove_index (spinners, i - 1);
  g_assert_cmpuint (spinners->len, ==, 1);
  g_assert_nonnull (gtk_widget_get_ancestor (g_ptr_array_index (spinners, 0),
                                             ADW_TYPE_STATUS_PAGE));
  g_assert_true (gtk_spinner_get_spinning (g_ptr_array_index (spinners, 0)));
  /* Nothing to start yet. */
  gtk_widget_activate_action (GTK_WIDGET (window), "window.new-session", NULL);
  g_assert_cmpstr (ka_window_get_page (window), ==, "loading");
  {
    g_autofree char *all = window_strings (window);

    g_assert_nonnull (strstr (all, "Opening the Battle Pack"));
  }

  ka_application_create_session_async (pack_path, db_path, "en", KA_MODE_CITIZEN, NULL,
                                       session_created_cb, &result);
  /* Still the loading page while the worker reads the pack. */
  g_assert_cmpstr (ka_window_get_page (window), ==, "loading");
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  session = ka_application_create_session_finish (result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);

  ka_window_set_session (window, session);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_true (ka_window_get_session (window) == session);
  g_assert_cmpstr (ka_window_get_page (window), ==, "battle");
  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_VOTING);
  g_assert_false (gtk_spinner_get_spinning (g_ptr_array_index (spinners, 0)));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_null (gtk_root_get_focus (GTK_ROOT (window)));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  ka_gui_test_flush ();
  g_clear_object (&result);

  /* A missing pack: the error, named, from the worker. */
  ka_application_create_session_async (missing, db_path, "en", KA_MODE_CITIZEN, NULL,
                                       session_created_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (ka_application_create_session_finish (result, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "missing.json"));

  g_assert_finalize_object (g_steal_pointer (&session));
  ka_test_remove_tree (tmpdir);
}

/* The application end to end: --pack and --database choose what the window opens. */
typedef struct
{
  const char *expected_page;
  char       *page;
  char       *strings;
} AppRun;

static gboolean
inspect_and_close_cb (gpointer data)
{
  GtkApplication *app = GTK_APPLICATION (g_application_get_default ());
  AppRun *run = data;
  GtkWindow *window = gtk_application_get_active_window (app);

  g_assert_true (KA_IS_WINDOW (window));
  /* The application gives its window the settings it keeps its size and text scale in. */
  {
    g_autoptr(GSettings) settings = NULL;

    g_object_get (window, "settings", &settings, NULL);
    g_assert_true (G_IS_SETTINGS (settings));
  }
  run->page = g_strdup (ka_window_get_page (KA_WINDOW (window)));
  run->strings = window_strings (KA_WINDOW (window));

  /* The help overlay was found and parsed; About and Preferences open. */
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "show-help-overlay"));
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  {
    GListModel *toplevels = gtk_window_get_toplevels ();
    g_autoptr(GPtrArray) extra = g_ptr_array_new ();

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

        if (ADW_IS_ABOUT_WINDOW (w) || KA_IS_PREFERENCES_WINDOW (w))
          g_ptr_array_add (extra, w);
      }
    g_assert_cmpuint (extra->len, ==, 2);
    for (guint i = 0; i < extra->len; i++)
      gtk_window_destroy (g_ptr_array_index (extra, i));
  }

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);

  return G_SOURCE_REMOVE;
}

/* The window comes at once with "Opening the Battle Pack…" (issue 9); the pack is read on
 * a worker thread. Inspect it once that is done, whichever way. */
static gboolean
wait_for_loaded_cb (gpointer data)
{
  GtkApplication *app = GTK_APPLICATION (g_application_get_default ());
  GtkWindow *window = gtk_application_get_active_window (app);

  if (window != NULL && g_strcmp0 (ka_window_get_page (KA_WINDOW (window)), "loading") == 0)
    return G_SOURCE_CONTINUE;

  inspect_and_close_cb (data);
  return G_SOURCE_REMOVE;
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 AppRun         *run)
{
  g_timeout_add (20, wait_for_loaded_cb, run);
}

static void
run_application (const char * const *args,
                 AppRun             *run)
{
  g_autoptr(KaApplication) app = ka_application_new ();
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  int status;

  g_ptr_array_add (argv, (char *) "kai-arena");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  status = ka_gui_test_run_application (app, (const char * const *) argv->pdata,
                                        G_CALLBACK (window_added_cb), run);
  g_assert_cmpint (status, ==, 0);

  {
    g_auto(GStrv) quit = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.quit");
    g_auto(GStrv) prefs = gtk_application_get_accels_for_action (GTK_APPLICATION (app),
                                                                 "app.preferences");
    g_assert_true (g_strv_contains ((const char * const *) quit, "<Control>q"));
    g_assert_true (g_strv_contains ((const char * const *) prefs, "<Control>comma"));
  }
}

static void
test_application (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpdir = g_dir_make_tmp ("ka-test-window-XXXXXX", &error);
  g_autofree char *pack_path = g_build_filename (tmpdir, "pack.json", NULL);
  g_autofree char *db_path = g_build_filename (tmpdir, "sub", "ballots.sqlite", NULL);
  g_autofree char *missing = g_build_filename (tmpdir, "missing.json", NULL);
  g_autofree char *json = build_pack_json (3, FALSE);
  AppRun first = { 0 }, ok = { 0 }, bad = { 0 };

  g_file_set_contents (pack_path, json, -1, &error);
  g_assert_no_error (error);

  /* The first run on a new database shows the privacy notice, not a battle. */
  run_application ((const char *[]) { "--pack", pack_path, "--database", db_path, NULL }, &first);
  g_assert_cmpstr (first.page, ==, "privacy");
  /* The database was created where --database said. */
  g_assert_true (g_file_test (db_path, G_FILE_TEST_IS_REGULAR));

  /* Once the voter has agreed (recorded in the store), the next run shows a battle. */
  {
    g_autoptr(KaStore) store = ka_store_open (db_path, &error);

    g_assert_no_error (error);
    g_assert_true (ka_privacy_record_consent (store, "en", &error));
    g_assert_no_error (error);
  }
  run_application ((const char *[]) { "--pack", pack_path, "--database", db_path, NULL }, &ok);
  g_assert_cmpstr (ok.page, ==, "battle");
  g_assert_nonnull (strstr (ok.strings, "Window test pack"));

  g_test_expect_message ("ka-application", G_LOG_LEVEL_WARNING, "*missing.json*");
  run_application ((const char *[]) { "--pack", missing, "--database", db_path, NULL }, &bad);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (bad.page, ==, "error");
  g_assert_nonnull (strstr (bad.strings, "missing.json"));

  g_free (first.page);
  g_free (first.strings);
  g_free (ok.page);
  g_free (ok.strings);
  g_free (bad.page);
  g_free (bad.strings);
  ka_test_remove_tree (tmpdir);
}

static void
test_default_pack (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpdir = g_dir_make_tmp ("ka-test-window-XXXXXX", &error);
  g_autofree char *pack_path = g_build_filename (tmpdir, "sample-ko.json", NULL);
  g_autofree char *installed = g_build_filename (PKGDATADIR, "packs", "sample-ko.json", NULL);
  g_autofree char *found = NULL;
  g_autofree char *found_env = NULL;
  const char *root = g_getenv ("KA_SOURCE_ROOT");

  if (g_file_test (installed, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("an installed sample pack takes precedence");
      ka_test_remove_tree (tmpdir);
      return;
    }

  /* Uninstalled: the source tree's pack, found from the executable's build directory. */
  found = ka_application_find_default_pack ();
  if (root != NULL)
    {
      g_autofree char *source_pack = g_build_filename (root, "data", "packs", "sample-ko.json",
                                                       NULL);
      g_autofree char *canonical = g_canonicalize_filename (source_pack, NULL);

      if (g_file_test (source_pack, G_FILE_TEST_IS_REGULAR))
        g_assert_cmpstr (found, ==, canonical);
    }

  /* KA_PACK_DIR comes before the source tree. */
  g_file_set_contents (pack_path, "{}", -1, &error);
  g_assert_no_error (error);
  g_setenv ("KA_PACK_DIR", tmpdir, TRUE);
  found_env = ka_application_find_default_pack ();
  g_unsetenv ("KA_PACK_DIR");
  g_assert_cmpstr (found_env, ==, pack_path);

  ka_test_remove_tree (tmpdir);
}

int
main (int   argc,
      char *argv[])
{
  ka_gui_test_init (&argc, &argv, FALSE);

  g_test_add_func ("/ka/window/vote-flow", test_vote_flow);
  g_test_add_func ("/ka/window/keyboard", test_keyboard);
  g_test_add_func ("/ka/window/keys-from-anywhere", test_keys_from_anywhere);
  g_test_add_func ("/ka/window/commit-error", test_commit_error);
  g_test_add_func ("/ka/window/sealed", test_sealed);
  g_test_add_func ("/ka/window/exhausted", test_exhausted);
  g_test_add_func ("/ka/window/layout-and-text-scale", test_layout_and_text_scale);
  g_test_add_func ("/ka/window/saves-size", test_saves_size);
  g_test_add_func ("/ka/window/prompt-selection", test_prompt_selection);
  g_test_add_func ("/ka/window/error-page", test_error_page);
  g_test_add_func ("/ka/window/application", test_application);
  g_test_add_func ("/ka/window/loading", test_loading);
  g_test_add_func ("/ka/window/default-pack", test_default_pack);
  g_test_add_func ("/ka/window/sample-pack", test_sample_pack);

  return g_test_run ();
}
