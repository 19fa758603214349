/* test-sync-ui.c: the sync indicator, the battle view's late reveal and the Sync
 * preferences, against the real collector
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each network case starts the built kai-arena-collector ($KA_COLLECTOR) on 127.0.0.1,
 * port 0, with the open pack, builds the main window around a real store holding the same
 * pack (open or sealed), votes through the window's actions and syncs with a KaSync to the
 * collector. What the indicator shows is read from the labels in the window and its
 * popover, as a voter would see them.
 *
 * With KA_SYNC_UI_SCREENSHOT=FILE.png the screenshot case saves the window with the
 * indicator's popover open (docs/screenshots/sync-indicator.png); skipped otherwise.
 */

#define G_LOG_DOMAIN "test-sync-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <adwaita.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sqlite3.h>

#include "ka-application.h"
#include "ka-battle-view.h"
#include "ka-gui-test-support.h"
#include "ka-preferences-window.h"
#include "ka-privacy-page.h"
#include "ka-response-view.h"
#include "ka-store.h"
#include "ka-sync-indicator.h"
#include "ka-sync.h"
#include "ka-test-support.h"
#include "ka-vote-bar.h"
#include "ka-window.h"

#define ORGANISER_TOKEN "organiser-token-for-the-sync-ui-tests-0123456789"
#define PACK_ID         "test-sync-ui-ko-2026"
#define SEALED_TEXT     "Names will appear after sync"

/* Made-up, distinctive names: finding one anywhere before the reveal is a leak. */
static const KaGuiTestModel test_models[] = {
  { "test-hanbit-7b", "Hanbit Seven Instruct", "Hanbit Laboratory" },
  { "test-dalbit-chat", "Dalbit Chat Large", "Dalbit Intelligence" },
  { "test-byeol-lm", "Byeol Reasoner", "Byeol Research Institute" },
  { "test-noeul-12b", "Noeul Twelve", "Noeul Systems" },
};

static const char * const test_prompts[] = {
  "서울에서 부산까지 KTX로 가는 방법과 소요 시간을 알려 주세요.",
  "김치찌개를 맛있게 끓이는 비법을 단계별로 설명해 주세요.",
  "조선 시대 세종대왕의 주요 업적을 세 가지만 요약해 주세요.",
  "재택근무의 장점과 단점을 표로 정리해 주세요.",
  "가을에 가볼 만한 국내 여행지를 추천해 주세요.",
  "파이썬으로 리스트에서 중복을 제거하는 함수를 작성해 주세요.",
};

static char *
test_answer (guint    prompt,
             guint    model,
             guint    turn,
             gpointer data)
{
  return g_strdup_printf ("## 답변 %u\n\n상황에 맞게 선택하시면 됩니다. "
                          "**요약:** %u번째 방법을 권합니다.", model + 1, prompt + 1);
}

static char *
build_pack_json (void)
{
  KaGuiTestPack pack = {
    .pack_id = PACK_ID,
    .title_ko = "동기화 화면 시험용 묶음",
    .title_en = "Sync UI test pack",
    .models = test_models,
    .n_models = G_N_ELEMENTS (test_models),
    .prompts = test_prompts,
    .n_prompts = G_N_ELEMENTS (test_prompts),
    .n_turns = 1,
    .answer = test_answer,
  };

  return ka_gui_test_pack_json (&pack);
}

/* The display name of the model behind @response_id, from the open pack. */
static const char *
model_of_response (const char *response_id)
{
  guint p, m;

  g_assert_cmpint (sscanf (response_id, "r%u-%u", &p, &m), ==, 2);
  g_assert_cmpuint (m, >=, 1);
  g_assert_cmpuint (m, <=, G_N_ELEMENTS (test_models));
  return test_models[m - 1].display_name;
}

/* The collector process ------------------------------------------------------------- */

typedef KaTestCollector Collector;

static Collector *
collector_start (const char *dir,
                 const char *pack_path)
{
  g_autofree char *database = g_build_filename (dir, "collector.sqlite3", NULL);
  g_autofree char *log_path = g_build_filename (dir, "collector.log", NULL);
  Collector *c = g_new0 (Collector, 1);
  const char * const args[] = {
    "--listen", "127.0.0.1:0", "--database", database,
    "--organiser-token", ORGANISER_TOKEN, "--citizen-enrolments-per-hour", "0",
    "--pack", pack_path, NULL
  };

  ka_test_collector_launch (c, args, log_path, NULL);
  g_assert_true (g_str_has_prefix (c->url, "http://127.0.0.1:"));

  return c;
}

static void
collector_halt (Collector *c)
{
  if (c->process == NULL)
    return;

  ka_test_collector_terminate (c);
}

static void
collector_free (Collector *c)
{
  collector_halt (c);
  ka_test_collector_clear (c);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Collector, collector_free)

/* The ballot IDs the collector holds, from its organisers' JSON Lines export. */
static GPtrArray *
collector_ballot_ids (Collector *c)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 30, NULL);
  g_autofree char *url = g_strconcat (c->url, "v1/ballots?format=jsonl", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  gsize size;
  const char *data;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                "Bearer " ORGANISER_TOKEN);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);

  data = g_bytes_get_data (body, &size);
  text = g_strndup (data != NULL ? data : "", size);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (lines[i][0] == '\0')
        continue;
      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      g_ptr_array_add (ids, g_strdup (json_object_get_string_member (
                                        json_node_get_object (json_parser_get_root (parser)),
                                        "ballot_id")));
    }

  return ids;
}

/* Fixture --------------------------------------------------------------------------- */

typedef struct
{
  char        *tmpdir;
  char        *open_pack_path;   /* the collector's */
  char        *client_pack_path; /* the device's: open or sealed */
  char        *db_path;
  Collector   *collector;
  KaTestMonitor *monitor;
  KaSession   *session;
  KaWindow    *window;
  KaSync      *sync;
} Fixture;

static void
fixture_setup (Fixture  *f,
               gboolean  sealed)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = build_pack_json ();

  f->tmpdir = ka_test_make_tmp_dir ("ka-test-sync-ui-XXXXXX");

  f->open_pack_path = g_build_filename (f->tmpdir, "open-pack.json", NULL);
  g_file_set_contents (f->open_pack_path, json, -1, &error);
  g_assert_no_error (error);

  f->client_pack_path = g_build_filename (f->tmpdir, "client-pack.json", NULL);
  if (sealed)
    {
      g_autoptr(KaPack) pack = ka_pack_new_from_file (f->open_pack_path, &error);
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *sealed_json = NULL;

      g_assert_no_error (error);
      node = ka_pack_to_json (pack, TRUE);
      sealed_json = json_to_string (node, TRUE);
      /* Nothing on the device may name a model. */
      for (guint m = 0; m < G_N_ELEMENTS (test_models); m++)
        g_assert_null (strstr (sealed_json, test_models[m].display_name));
      g_file_set_contents (f->client_pack_path, sealed_json, -1, &error);
    }
  else
    g_file_set_contents (f->client_pack_path, json, -1, &error);
  g_assert_no_error (error);

  f->collector = collector_start (f->tmpdir, f->open_pack_path);
  f->monitor = g_object_new (KA_TYPE_TEST_MONITOR, NULL);

  f->db_path = g_build_filename (f->tmpdir, "ballots.sqlite", NULL);
  f->session = ka_gui_test_open_session (f->client_pack_path, f->db_path, "en",
                                         KA_MODE_CITIZEN);

  /* As the app makes it (ka-application.c), with a fake network monitor and a long
   * interval: the background loop does only what a case asks for. */
  f->sync = g_object_new (KA_TYPE_SYNC,
                          "store", ka_session_get_store (f->session),
                          "server-url", f->collector->url,
                          "network-monitor", f->monitor,
                          "interval", 3600,
                          "timeout", 10,
                          NULL);

  f->window = ka_gui_test_new_window (NULL, f->session);
  ka_window_set_sync (f->window, f->sync);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1100, 760);
  gtk_window_present (GTK_WINDOW (f->window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f->window));
}

static void
fixture_teardown (Fixture *f)
{
  ka_sync_stop (f->sync);
  ka_gui_test_destroy_window (f->window);

  /* Let the store's and the sync's last callbacks run. */
  ka_gui_test_flush ();

  g_assert_finalize_object (f->sync);
  g_assert_finalize_object (f->session);
  g_clear_object (&f->monitor);
  collector_free (f->collector);

  ka_test_remove_tree (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->open_pack_path);
  g_free (f->client_pack_path);
  g_free (f->db_path);
}

/* Helpers --------------------------------------------------------------------------- */

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

/* Every user-visible or assistive string of a tree, hidden parts and popovers included. */
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
  if (KA_IS_RESPONSE_VIEW (widget))
    add_string (all, ka_response_view_get_label (KA_RESPONSE_VIEW (widget)));
  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_popover (GTK_MENU_BUTTON (widget)))
    collect_strings (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (widget))), all);

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    if (!GTK_IS_POPOVER (c))
      collect_strings (c, all);
}

static char *
widget_strings (GtkWidget *widget)
{
  GString *all = g_string_new (NULL);

  collect_strings (widget, all);
  return g_string_free (all, FALSE);
}

/* Only what is drawn: mapped labels (the header bar, the battle, an open popover). */
static void
collect_visible_labels (GtkWidget *widget,
                        GString   *all)
{
  if (!gtk_widget_get_mapped (widget))
    return;

  if (GTK_IS_LABEL (widget))
    add_string (all, gtk_label_get_text (GTK_LABEL (widget)));

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    collect_visible_labels (c, all);
}

static char *
visible_labels (GtkWidget *widget)
{
  GString *all = g_string_new (NULL);

  collect_visible_labels (widget, all);
  return g_string_free (all, FALSE);
}

static void
assert_no_model_names (GtkWidget *widget)
{
  g_autofree char *all = widget_strings (widget);

  for (guint m = 0; m < G_N_ELEMENTS (test_models); m++)
    if (strstr (all, test_models[m].display_name) != NULL ||
        strstr (all, test_models[m].organisation) != NULL ||
        strstr (all, test_models[m].model_id) != NULL)
      g_error ("model %s named before its ballot was committed and revealed, in:\n%s",
               test_models[m].model_id, all);
}

static KaSyncIndicator *
indicator (Fixture *f)
{
  return ka_window_get_sync_indicator (f->window);
}

/* The header bar shows @text: the indicator's own label, as drawn. */
static void
assert_header_shows (Fixture    *f,
                     const char *text)
{
  g_autofree char *drawn = NULL;

  gtk_test_widget_wait_for_draw (GTK_WIDGET (f->window));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (indicator (f))));
  g_assert_cmpstr (ka_sync_indicator_get_label (indicator (f)), ==, text);
  drawn = visible_labels (GTK_WIDGET (ka_sync_indicator_get_button (indicator (f))));
  g_assert_true (g_str_has_suffix (drawn, "\n"));
  drawn[strlen (drawn) - 1] = '\0';
  g_assert_cmpstr (drawn, ==, text);
}

static guint
count_substrings (const char *haystack,
                  const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* The popover's text, opened as a click would. */
static char *
popover_text (Fixture *f)
{
  GtkPopover *popover = ka_sync_indicator_get_popover (indicator (f));
  char *text;

  ka_sync_indicator_popup (indicator (f));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (popover));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (popover)));
  text = visible_labels (GTK_WIDGET (popover));
  gtk_popover_popdown (popover);
  return text;
}

/* "Row caption\nvalue\n" in the popover's grid. */
static void
assert_row (const char *popover,
            const char *caption,
            const char *value)
{
  g_autofree char *row = g_strdup_printf ("%s\n%s\n", caption, value);

  if (strstr (popover, row) == NULL)
    g_error ("no row “%s: %s” in the popover:\n%s", caption, value, popover);
}

/* Votes through the window's action and waits for the commit (not for any sync). */
static const KaBallot *
vote (Fixture    *f,
      const char *action)
{
  KaBattleView *view = ka_window_get_battle_view (f->window);

  if (ka_session_get_state (f->session) == KA_SESSION_STATE_REVEALED)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "battle.next", NULL));
      ka_gui_test_flush ();
    }

  g_assert_cmpint (ka_session_get_state (f->session), ==, KA_SESSION_STATE_VOTING);
  assert_no_model_names (GTK_WIDGET (f->window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), action, NULL));
  ka_gui_test_wait_until (ka_gui_test_session_is_revealed, f->session, "the ballot to commit");
  return ka_session_get_ballot (f->session);
}

static gboolean
next_sync_is_far (gpointer data)
{
  KaSync *sync = data;

  return ka_sync_get_state (sync) == KA_SYNC_STATE_IDLE &&
         ka_sync_get_next_sync (sync) > g_get_real_time () / G_USEC_PER_SEC + 600;
}

/* A run has finished (it left a report) and none is running. */
static gboolean
run_has_ended (gpointer data)
{
  KaSync *sync = data;

  return ka_sync_get_last_report (sync) != NULL &&
         ka_sync_get_state (sync) != KA_SYNC_STATE_SYNCING;
}

static gboolean
sync_is_settled (gpointer data)
{
  KaSync *sync = data;
  KaSyncState state = ka_sync_get_state (sync);

  return state != KA_SYNC_STATE_SYNCING;
}

typedef struct
{
  GtkWidget *button;
  gboolean   saw_syncing;
  gboolean   ended;
  gboolean   sensitive_while_syncing;
} RunWatch;

static void
run_state_cb (KaSync     *sync,
              GParamSpec *pspec,
              RunWatch   *watch)
{
  if (ka_sync_get_state (sync) == KA_SYNC_STATE_SYNCING)
    {
      watch->saw_syncing = TRUE;
      /* The indicator heard of it first: the button is off while the run lasts. */
      if (gtk_widget_is_sensitive (watch->button))
        watch->sensitive_while_syncing = TRUE;
    }
  else if (watch->saw_syncing)
    watch->ended = TRUE;
}

static gboolean
run_watch_ended (gpointer data)
{
  return ((RunWatch *) data)->ended;
}

/* Presses "Sync Now" in the popover and waits until the run it started has ended. */
static void
press_sync_now (Fixture *f)
{
  GtkPopover *popover = ka_sync_indicator_get_popover (indicator (f));
  RunWatch watch = { 0 };
  gulong handler;

  ka_sync_indicator_popup (indicator (f));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (popover));

  /* The button is the one bound to the action, and it is sensitive. */
  for (GtkWidget *w = gtk_widget_get_first_child (gtk_popover_get_child (popover)); w;
       w = gtk_widget_get_next_sibling (w))
    if (GTK_IS_BUTTON (w) &&
        g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (w)),
                   "sync-indicator.sync-now") == 0)
      watch.button = w;
  g_assert_nonnull (watch.button);
  g_assert_true (gtk_widget_is_sensitive (watch.button));

  handler = g_signal_connect (f->sync, "notify::state", G_CALLBACK (run_state_cb), &watch);
  g_signal_emit_by_name (watch.button, "clicked");
  ka_gui_test_wait_until (run_watch_ended, &watch, "the sync to finish");
  g_signal_handler_disconnect (f->sync, handler);
  g_assert_false (watch.sensitive_while_syncing);
  g_assert_true (gtk_widget_is_sensitive (watch.button));

  gtk_popover_popdown (popover);
  ka_gui_test_flush ();
}

static char *
expected_synced_label (KaSync *sync)
{
  g_autoptr(GDateTime) then = g_date_time_new_from_unix_local (ka_sync_get_last_sync (sync));
  g_autofree char *time = g_date_time_format (then, "%H:%M");

  return g_strdup_printf ("Synced at %s", time);
}

/* Cases ----------------------------------------------------------------------------- */

/* Votes wait, a sync delivers them, a stopped collector reads as offline. */
static void
test_indicator (void)
{
  Fixture f = { 0 };
  g_autoptr(GPtrArray) held = NULL;
  g_autofree char *popover = NULL;
  g_autofree char *synced = NULL;
  g_autofree char *url_row = NULL;
  const char *english;

  fixture_setup (&f, FALSE);

  /* Nothing cast, nothing sent yet. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (indicator (&f))));
  assert_header_shows (&f, "Not synced yet");

  /* Votes cast through the window wait in the outbox; no run has been started. */
  vote (&f, "battle.vote-a");
  assert_header_shows (&f, "1 ballot waiting");
  vote (&f, "battle.vote-b");
  vote (&f, "battle.vote-tie");
  assert_header_shows (&f, "3 ballots waiting");

  popover = popover_text (&f);
  g_assert_nonnull (strstr (popover, "3 ballots are waiting to be sent"));
  assert_row (popover, "Waiting", "3");
  assert_row (popover, "Delivered", "0");
  assert_row (popover, "Set aside", "0");
  assert_row (popover, "Last sync", "Never");
  url_row = g_strdup_printf ("Collector\n%s\n", f.collector->url);
  g_assert_nonnull (strstr (popover, url_row));

  /* Sync Now: the device enrols and delivers; the collector holds exactly the three. */
  press_sync_now (&f);
  g_assert_cmpint (ka_sync_get_state (f.sync), ==, KA_SYNC_STATE_IDLE);
  g_assert_true (ka_sync_is_enrolled (f.sync));
  held = collector_ballot_ids (f.collector);
  g_assert_cmpuint (held->len, ==, 3);
  synced = expected_synced_label (f.sync);
  assert_header_shows (&f, synced);

  g_clear_pointer (&popover, g_free);
  popover = popover_text (&f);
  g_assert_nonnull (strstr (popover, "All ballots have been sent"));
  assert_row (popover, "Waiting", "0");
  assert_row (popover, "Delivered", "3");
  assert_row (popover, "State", "Up to date");

  /* A routine sync is no reason for a toast. */
  g_assert_cmpuint (ka_sync_indicator_get_n_toasts (indicator (&f)), ==, 0);

  /* The collector goes away: a new ballot waits, and a sync attempt reads as offline,
   * explained in words, not with the English diagnostic. */
  collector_halt (f.collector);
  vote (&f, "battle.vote-both-bad");
  assert_header_shows (&f, "1 ballot waiting");
  press_sync_now (&f);
  g_assert_cmpint (ka_sync_get_state (f.sync), ==, KA_SYNC_STATE_ERROR);
  g_assert_cmpint (ka_sync_get_last_error_code (f.sync), ==, KA_SYNC_ERROR_NETWORK);
  assert_header_shows (&f, "Offline");

  g_clear_pointer (&popover, g_free);
  popover = popover_text (&f);
  g_assert_nonnull (strstr (popover, "Offline: 1 ballot is waiting on this device"));
  g_assert_nonnull (strstr (popover, "The collector cannot be reached right now"));
  assert_row (popover, "State", "The collector cannot be reached");
  assert_row (popover, "Waiting", "1");
  assert_row (popover, "Delivered", "3");
  english = ka_sync_get_last_error (f.sync);
  g_assert_nonnull (english);
  g_assert_null (strstr (popover, english));
  /* Unreachable is no reason for a toast either: nothing for the voter to do. */
  g_assert_cmpuint (ka_sync_indicator_get_n_toasts (indicator (&f)), ==, 0);

  /* No network at all (the monitor says so): "Offline", and nothing is planned until
   * the network returns. */
  ka_test_monitor_set_available (f.monitor, FALSE);
  ka_sync_start (f.sync);
  g_assert_cmpint (ka_sync_get_state (f.sync), ==, KA_SYNC_STATE_OFFLINE);
  g_assert_cmpint (ka_sync_get_next_sync (f.sync), ==, 0);
  assert_header_shows (&f, "Offline");
  g_clear_pointer (&popover, g_free);
  popover = popover_text (&f);
  assert_row (popover, "Next attempt", "When the network returns");

  fixture_teardown (&f);
}

typedef struct
{
  KaBattleView *view;
  const char   *ballot_id;
  gboolean      settled;
} SettleWatch;

static void
settled_cb (KaSync              *sync,
            const char * const  *delivered,
            const char * const  *rejected,
            SettleWatch         *watch)
{
  if (delivered != NULL && g_strv_contains (delivered, watch->ballot_id))
    watch->settled = TRUE;
}

static gboolean
watch_settled (gpointer data)
{
  return ((SettleWatch *) data)->settled;
}

/* The names the window shows for the ballot on screen are the ones the collector knows
 * for its two responses, on their sides. */
static void
assert_names_revealed (Fixture        *f,
                       const KaBallot *ballot)
{
  KaBattleView *view = ka_window_get_battle_view (f->window);
  g_autofree char *labels = visible_labels (GTK_WIDGET (view));
  const char *name_a = model_of_response (ballot->response_a);
  const char *name_b = model_of_response (ballot->response_b);
  g_autofree char *side_a = NULL;
  g_autofree char *side_b = NULL;
  GtkWidget *views[2] = { NULL, NULL };
  guint n = 0;

  g_assert_null (strstr (labels, SEALED_TEXT));
  g_assert_nonnull (strstr (labels, name_a));
  g_assert_nonnull (strstr (labels, name_b));

  /* Left is response_a, right response_b. */
  for (GtkWidget *w = GTK_WIDGET (view); w != NULL && n < 2;)
    {
      if (KA_IS_RESPONSE_VIEW (w))
        {
          views[n++] = w;
          w = gtk_widget_get_next_sibling (w);
          continue;
        }
      if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != NULL && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          if (w != NULL)
            w = gtk_widget_get_next_sibling (w);
        }
    }
  g_assert_cmpuint (n, ==, 2);
  side_a = visible_labels (views[0]);
  side_b = visible_labels (views[1]);
  g_assert_nonnull (strstr (side_a, name_a));
  g_assert_nonnull (strstr (side_b, name_b));
}

/* A sealed pack: no names before the vote, "after sync" after it, the collector's names
 * once the receipt for the ballot on screen is stored, and not a moment before. */
static void
test_sealed_names (void)
{
  Fixture f = { 0 };
  KaBattleView *view;
  const KaBallot *ballot;
  g_autofree char *labels = NULL;
  g_autofree char *ballot_id = NULL;
  SettleWatch watch = { 0 };
  gulong handler;

  fixture_setup (&f, TRUE);
  view = ka_window_get_battle_view (f.window);
  g_assert_true (ka_battle_view_get_sync (view) == f.sync);
  g_assert_true (ka_pack_is_sealed (ka_battle_get_pack (ka_session_get_battle (f.session))));

  /* Committed, not yet synced: the placeholder on both sides, no name anywhere. */
  ballot = vote (&f, "battle.vote-a");
  ballot_id = g_strdup (ballot->ballot_id);
  labels = visible_labels (GTK_WIDGET (view));
  g_assert_cmpuint (count_substrings (labels, SEALED_TEXT), ==, 2);
  assert_no_model_names (GTK_WIDGET (f.window));
  g_clear_pointer (&labels, g_free);

  /* The receipt reveals the names of the ballot on screen. */
  press_sync_now (&f);
  g_assert_cmpstr (ka_session_get_ballot (f.session)->ballot_id, ==, ballot_id);
  assert_names_revealed (&f, ka_session_get_ballot (f.session));

  /* With the background loop running (idle after its first run, next one an hour away),
   * a vote is sent at once: the battle view asks for it. Right after the commit the
   * names are not there; the receipt brings them without any click. */
  ka_sync_start (f.sync);
  ka_gui_test_wait_until (next_sync_is_far, f.sync, "the background loop's first run");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "battle.next", NULL));
  ka_gui_test_flush ();
  assert_no_model_names (GTK_WIDGET (f.window));
  watch.view = view;
  handler = g_signal_connect (f.sync, "ballots-settled", G_CALLBACK (settled_cb), &watch);
  ballot = vote (&f, "battle.vote-b");
  watch.ballot_id = ballot->ballot_id;
  g_assert_false (watch.settled);
  labels = visible_labels (GTK_WIDGET (view));
  g_assert_cmpuint (count_substrings (labels, SEALED_TEXT), ==, 2);
  assert_no_model_names (GTK_WIDGET (f.window));

  ka_gui_test_wait_until (watch_settled, &watch, "the receipt of the second ballot");
  g_signal_handler_disconnect (f.sync, handler);
  assert_names_revealed (&f, ka_session_get_ballot (f.session));

  fixture_teardown (&f);
}

/* Raw SQLite, to alter a committed ballot behind the store's back: its hash no longer
 * matches, and the collector rejects it (bad_hash). */
static void
tamper (const char *path,
        const char *ballot_id)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE ballots SET decision_ms = decision_ms + 1 "
                                           "WHERE ballot_id = ?", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, ballot_id, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* A ballot the collector refuses: one toast that says so, "set aside" in the popover,
 * and no names for it on screen (a quarantined ballot reveals nothing). */
static void
test_set_aside (void)
{
  Fixture f = { 0 };
  const KaBallot *ballot;
  g_autofree char *popover = NULL;
  g_autofree char *labels = NULL;
  g_autofree char *all = NULL;

  fixture_setup (&f, TRUE);

  vote (&f, "battle.vote-a");
  press_sync_now (&f);
  g_assert_cmpuint (ka_sync_get_delivered (f.sync), ==, 1);
  g_assert_cmpuint (ka_sync_indicator_get_n_toasts (indicator (&f)), ==, 0);

  ballot = vote (&f, "battle.vote-tie");
  tamper (f.db_path, ballot->ballot_id);
  press_sync_now (&f);
  g_assert_cmpuint (ka_sync_get_rejected (f.sync), ==, 1);
  g_assert_cmpuint (ka_sync_get_pending (f.sync), ==, 0);

  /* Told once, with a way to the details. */
  g_assert_cmpuint (ka_sync_indicator_get_n_toasts (indicator (&f)), ==, 1);
  all = widget_strings (GTK_WIDGET (f.window));
  g_assert_nonnull (strstr (all, "The collector set 1 ballot aside\n_Details"));

  popover = popover_text (&f);
  assert_row (popover, "Set aside", "1");
  assert_row (popover, "Delivered", "1");
  g_assert_nonnull (strstr (popover, "1 ballot was set aside: the collector refused it"));

  labels = visible_labels (GTK_WIDGET (ka_window_get_battle_view (f.window)));
  g_assert_cmpuint (count_substrings (labels, "the collector set this ballot aside"), ==, 2);
  g_assert_null (strstr (labels, SEALED_TEXT));
  assert_no_model_names (GTK_WIDGET (f.window));

  /* A later sync with nothing new says nothing new. */
  press_sync_now (&f);
  g_assert_cmpuint (ka_sync_indicator_get_n_toasts (indicator (&f)), ==, 1);

  fixture_teardown (&f);
}

/* No collector configured: nothing alarming, the indicator is not even there. */
static void
test_no_server (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpdir = ka_test_make_tmp_dir ("ka-test-sync-ui-XXXXXX");
  g_autofree char *db_path = g_build_filename (tmpdir, "ballots.sqlite", NULL);
  g_autoptr(KaStore) store = NULL;
  g_autoptr(KaSync) sync = NULL;
  GtkWidget *widget = g_object_ref_sink (ka_sync_indicator_new ());
  KaSyncIndicator *ind = KA_SYNC_INDICATOR (widget);

  g_assert_false (gtk_widget_get_visible (widget));
  g_assert_cmpstr (ka_sync_indicator_get_label (ind), ==, "Not connected");

  store = ka_store_open (db_path, &error);
  g_assert_no_error (error);
  sync = ka_sync_new (store, "");
  ka_sync_indicator_set_sync (ind, sync);
  g_assert_false (gtk_widget_get_visible (widget));
  g_assert_cmpstr (ka_sync_indicator_get_label (ind), ==, "Not connected");

  /* A collector appears: the indicator too. */
  ka_sync_set_server_url (sync, "http://127.0.0.1:9/");
  g_assert_true (gtk_widget_get_visible (widget));
  g_assert_cmpstr (ka_sync_indicator_get_label (ind), ==, "Not synced yet");
  ka_sync_set_server_url (sync, NULL);
  g_assert_false (gtk_widget_get_visible (widget));

  ka_sync_indicator_set_sync (ind, NULL);
  g_object_unref (widget);
  g_clear_object (&sync);
  g_clear_object (&store);
  ka_test_remove_tree (tmpdir);
}

/* Every error code has its own words, none of them the English diagnostic. */
static void
test_problem_words (void)
{
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);

  for (int code = KA_SYNC_ERROR_INVALID_URL; code <= KA_SYNC_ERROR_DIVERGED; code++)
    {
      char *text = ka_sync_describe_problem (KA_SYNC_STATE_ERROR, code, TRUE);

      g_assert_nonnull (text);
      for (guint i = 0; i < seen->len; i++)
        g_assert_cmpstr (text, !=, g_ptr_array_index (seen, i));
      g_ptr_array_add (seen, text);
    }

  /* No problem to tell while all is well or a sync runs. */
  g_assert_null (ka_sync_describe_problem (KA_SYNC_STATE_IDLE, -1, FALSE));
  g_assert_null (ka_sync_describe_problem (KA_SYNC_STATE_SYNCING, KA_SYNC_ERROR_NETWORK, TRUE));
}

static gboolean
is_enrolled (gpointer data)
{
  return ka_sync_is_enrolled (KA_SYNC (data));
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_button (c, label);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
apply_url (AdwEntryRow *row,
           const char  *url)
{
  gtk_editable_set_text (GTK_EDITABLE (row), url);
  g_signal_emit_by_name (row, "apply");
}

/* The Sync group: only addresses the sync accepts are saved; Enrol enrols. */
static void
test_preferences (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = ka_application_new_settings ();
  g_autofree char *tmpdir = ka_test_make_tmp_dir ("ka-test-sync-ui-XXXXXX");
  g_autofree char *pack_path = g_build_filename (tmpdir, "pack.json", NULL);
  g_autofree char *db_path = g_build_filename (tmpdir, "ballots.sqlite", NULL);
  g_autofree char *json = build_pack_json ();
  g_autoptr(Collector) collector = NULL;
  g_autoptr(KaStore) store = NULL;
  g_autoptr(KaSync) sync = NULL;
  g_autoptr(KaTestMonitor) monitor = g_object_new (KA_TYPE_TEST_MONITOR, NULL);
  g_autofree char *text = NULL;
  g_autofree char *saved = NULL;
  GtkWidget *window;
  AdwEntryRow *row;
  GtkWidget *enrol;

  g_assert_nonnull (settings);
  g_settings_set_string (settings, "server-url", "");
  g_file_set_contents (pack_path, json, -1, &error);
  g_assert_no_error (error);
  collector = collector_start (tmpdir, pack_path);

  window = ka_preferences_window_new (NULL, settings);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (window);
  row = ADW_ENTRY_ROW (ka_gui_test_find_by_type (window, ADW_TYPE_ENTRY_ROW));
  g_assert_nonnull (row);
  enrol = find_button (window, "_Enrol");
  g_assert_nonnull (enrol);

  /* No sync yet: nothing to enrol with. */
  text = widget_strings (window);
  g_assert_nonnull (strstr (text, "No collector is set"));
  g_assert_false (gtk_widget_is_sensitive (enrol));
  g_clear_pointer (&text, g_free);

  /* Refused and not saved: plain http to another host, and a non-URL. */
  apply_url (row, "http://collector.example.org/");
  saved = g_settings_get_string (settings, "server-url");
  g_assert_cmpstr (saved, ==, "");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  text = visible_labels (window);
  g_assert_nonnull (strstr (text, "Use an https:// address"));
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&saved, g_free);

  apply_url (row, "collector dot example");
  saved = g_settings_get_string (settings, "server-url");
  g_assert_cmpstr (saved, ==, "");
  text = visible_labels (window);
  g_assert_nonnull (strstr (text, "This is not a web address"));
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&saved, g_free);

  /* Editing clears the error; https and loopback http are saved (trimmed). */
  gtk_editable_set_text (GTK_EDITABLE (row), "https://");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  apply_url (row, "  https://collector.example.org/  ");
  saved = g_settings_get_string (settings, "server-url");
  g_assert_cmpstr (saved, ==, "https://collector.example.org/");
  g_clear_pointer (&saved, g_free);
  apply_url (row, collector->url);
  saved = g_settings_get_string (settings, "server-url");
  g_assert_cmpstr (saved, ==, collector->url);
  g_clear_pointer (&saved, g_free);

  /* The app would now make a sync; here the test does. Not enrolled yet: Enrol. */
  store = ka_store_open (db_path, &error);
  g_assert_no_error (error);
  sync = g_object_new (KA_TYPE_SYNC, "store", store, "server-url", collector->url,
                       "network-monitor", monitor, NULL);
  ka_preferences_window_set_sync (KA_PREFERENCES_WINDOW (window), sync);
  text = widget_strings (window);
  g_assert_nonnull (strstr (text, "Not enrolled yet"));
  g_clear_pointer (&text, g_free);
  g_assert_true (gtk_widget_get_visible (enrol));
  g_assert_true (gtk_widget_is_sensitive (enrol));

  g_signal_emit_by_name (enrol, "clicked");
  g_assert_false (gtk_widget_is_sensitive (enrol));
  ka_gui_test_wait_until (is_enrolled, sync, "the enrolment");
  ka_gui_test_flush ();
  text = widget_strings (window);
  g_assert_nonnull (strstr (text, "Enrolled on the collector"));
  g_assert_false (gtk_widget_get_visible (enrol));
  g_clear_pointer (&text, g_free);

  /* Empty turns sync off. */
  apply_url (row, "");
  saved = g_settings_get_string (settings, "server-url");
  g_assert_cmpstr (saved, ==, "");

  gtk_window_destroy (GTK_WINDOW (window));
  ka_gui_test_flush ();
  ka_sync_stop (sync);
  g_clear_object (&sync);
  g_clear_object (&store);
  g_clear_pointer (&collector, collector_free);
  ka_test_remove_tree (tmpdir);
}

/* A device the collector does not know, and that may not enrol on its own (a kiosk):
 * one toast, with a way to act, and none for a routine sync. */
static gboolean
toast_shown (gpointer data)
{
  g_autofree char *all = widget_strings (GTK_WIDGET (data));

  return strstr (all, "This device is not enrolled on the collector") != NULL;
}

static void
test_not_enrolled_toast (void)
{
  Fixture f = { 0 };
  g_autofree char *all = NULL;
  g_autofree char *popover = NULL;

  fixture_setup (&f, FALSE);
  g_assert_cmpuint (ka_sync_indicator_get_n_toasts (indicator (&f)), ==, 0);

  /* No token, no enrolling on its own: "not enrolled" at once, and after its run. */
  g_object_set (f.sync, "auto-enrol", FALSE, NULL);
  ka_sync_start (f.sync);
  ka_gui_test_wait_until (toast_shown, f.window, "the not-enrolled toast");
  ka_gui_test_wait_until (run_has_ended, f.sync, "the first run");
  g_assert_cmpint (ka_sync_get_state (f.sync), ==, KA_SYNC_STATE_NOT_ENROLLED);
  assert_header_shows (&f, "Not enrolled");

  /* One toast, offering to enrol (the app's preferences). */
  g_assert_cmpuint (ka_sync_indicator_get_n_toasts (indicator (&f)), ==, 1);
  all = widget_strings (GTK_WIDGET (f.window));
  g_assert_nonnull (strstr (all, "This device is not enrolled on the collector\n_Enrol…"));
  popover = popover_text (&f);
  g_assert_nonnull (strstr (popover, "Enrol it in Preferences"));
  assert_row (popover, "Next attempt", "After this device is enrolled");

  /* Another attempt that ends the same way adds none. */
  ka_sync_request_sync (f.sync);
  g_assert_cmpint (ka_sync_get_state (f.sync), ==, KA_SYNC_STATE_SYNCING);
  ka_gui_test_wait_until (sync_is_settled, f.sync, "the sync state to settle");
  ka_gui_test_flush ();
  g_assert_cmpint (ka_sync_get_state (f.sync), ==, KA_SYNC_STATE_NOT_ENROLLED);
  g_assert_cmpuint (ka_sync_indicator_get_n_toasts (indicator (&f)), ==, 1);

  fixture_teardown (&f);
}

/* The application makes one sync for its store when a collector is set (and the voter has
 * agreed to the privacy notice), retargets it and drops it with the "server-url" key, and
 * gives it to the window. */
typedef struct
{
  char     *url_a;
  char     *url_b;
  gboolean  checked;
} AppRun;

static gboolean
inspect_app_cb (gpointer data)
{
  GtkApplication *app = GTK_APPLICATION (g_application_get_default ());
  AppRun *run = data;
  KaWindow *window = KA_WINDOW (gtk_application_get_active_window (app));
  g_autoptr(GSettings) settings = ka_application_new_settings ();
  KaSync *sync = ka_application_get_sync (KA_APPLICATION (app));

  g_assert_nonnull (sync);
  g_assert_true (ka_window_get_sync (window) == sync);
  g_assert_true (ka_battle_view_get_sync (ka_window_get_battle_view (window)) == sync);
  g_assert_cmpstr (ka_sync_get_server_url (sync), ==, run->url_a);
  g_assert_true (ka_sync_get_store (sync) ==
                 ka_session_get_store (ka_window_get_session (window)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (ka_window_get_sync_indicator (window))));

  /* A new address retargets the same sync. */
  g_settings_set_string (settings, "server-url", run->url_b);
  g_assert_true (ka_application_get_sync (KA_APPLICATION (app)) == sync);
  g_assert_cmpstr (ka_sync_get_server_url (sync), ==, run->url_b);

  /* None: no sync, no indicator. */
  g_settings_set_string (settings, "server-url", "");
  g_assert_null (ka_application_get_sync (KA_APPLICATION (app)));
  g_assert_null (ka_window_get_sync (window));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (ka_window_get_sync_indicator (window))));

  /* And back. */
  g_settings_set_string (settings, "server-url", run->url_a);
  g_assert_nonnull (ka_application_get_sync (KA_APPLICATION (app)));
  g_assert_true (ka_window_get_sync (window) == ka_application_get_sync (KA_APPLICATION (app)));

  run->checked = TRUE;
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 AppRun         *run)
{
  g_idle_add (inspect_app_cb, run);
}

static void
test_application (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpdir = ka_test_make_tmp_dir ("ka-test-sync-ui-XXXXXX");
  g_autofree char *pack_path = g_build_filename (tmpdir, "pack.json", NULL);
  g_autofree char *db_path = g_build_filename (tmpdir, "ballots.sqlite", NULL);
  g_autofree char *json = build_pack_json ();
  g_autoptr(GSettings) settings = ka_application_new_settings ();
  g_autoptr(KaApplication) app = ka_application_new ();
  /* Nothing listens on these ports' loopback addresses (port 9 is discard). */
  AppRun run = { g_strdup ("http://127.0.0.1:9/"), g_strdup ("http://[::1]:9/"), FALSE };
  const char *argv[] = { "kai-arena", "--pack", pack_path, "--database", db_path, NULL };

  g_file_set_contents (pack_path, json, -1, &error);
  g_assert_no_error (error);
  g_settings_set_string (settings, "server-url", run.url_a);

  /* The voter agreed to the privacy notice before: the app may sync from the start. */
  {
    g_autoptr(KaStore) store = ka_store_open (db_path, &error);

    g_assert_no_error (error);
    g_assert_true (ka_privacy_record_consent (store, "en", &error));
    g_assert_no_error (error);
  }

  g_assert_cmpint (ka_gui_test_run_application (app, argv, G_CALLBACK (window_added_cb), &run),
                   ==, 0);
  g_assert_true (run.checked);
  /* Shut down: the sync was stopped and released. */
  g_assert_null (ka_application_get_sync (app));

  g_settings_set_string (settings, "server-url", "");
  g_free (run.url_a);
  g_free (run.url_b);
  ka_test_remove_tree (tmpdir);
}

/* Screenshot ------------------------------------------------------------------------ */

/* Renders @widget's own drawing (a window with its CSD; a popover with its arrow). */
static GskRenderNode *
snapshot_native (GtkWidget *widget)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();

  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  return gtk_snapshot_free_to_node (snapshot);
}

/* Not a check: with KA_SYNC_UI_SCREENSHOT=FILE.png saves the window with the indicator's
 * popover open, for docs/screenshots/. Skipped otherwise. */
static void
test_screenshot (void)
{
  const char *path = g_getenv ("KA_SYNC_UI_SCREENSHOT");
  Fixture f = { 0 };
  GtkPopover *popover;
  GtkSnapshot *snapshot;
  g_autoptr(GskRenderNode) window_node = NULL;
  g_autoptr(GskRenderNode) popover_node = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer;
  double wx, wy, px, py;
  int x, y, width, height;

  if (path == NULL || *path == '\0')
    {
      g_test_skip ("set KA_SYNC_UI_SCREENSHOT=FILE.png to save a screenshot");
      return;
    }

  /* Still pictures: no cross-fade caught half-way. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  /* Three ballots delivered, two cast since, then the network went away: every row of
   * the popover has something to say, and the battle shows a sealed pack's placeholder. */
  fixture_setup (&f, TRUE);
  vote (&f, "battle.vote-a");
  vote (&f, "battle.vote-tie");
  vote (&f, "battle.vote-b");
  press_sync_now (&f);
  vote (&f, "battle.vote-a");
  vote (&f, "battle.vote-b");
  ka_test_monitor_set_available (f.monitor, FALSE);
  ka_sync_start (f.sync);
  g_assert_cmpint (ka_sync_get_state (f.sync), ==, KA_SYNC_STATE_OFFLINE);

  popover = ka_sync_indicator_get_popover (indicator (&f));
  ka_sync_indicator_popup (indicator (&f));
  /* Let the popover settle its size (its wrapped labels ask for a second layout). */
  for (guint i = 0; i < 5; i++)
    {
      ka_gui_test_pump (100);
      gtk_test_widget_wait_for_draw (GTK_WIDGET (popover));
    }
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f.window));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (popover)));

  /* The popover is its own surface: place it where it is, relative to the window. */
  gtk_native_get_surface_transform (GTK_NATIVE (f.window), &wx, &wy);
  gtk_native_get_surface_transform (GTK_NATIVE (popover), &px, &py);
  x = gdk_popup_get_position_x (GDK_POPUP (gtk_native_get_surface (GTK_NATIVE (popover))));
  y = gdk_popup_get_position_y (GDK_POPUP (gtk_native_get_surface (GTK_NATIVE (popover))));

  window_node = snapshot_native (GTK_WIDGET (f.window));
  popover_node = snapshot_native (GTK_WIDGET (popover));
  snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_node (snapshot, window_node);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + px - wx, y + py - wy));
  gtk_snapshot_append_node (snapshot, popover_node);
  gtk_snapshot_restore (snapshot);
  node = gtk_snapshot_free_to_node (snapshot);

  /* The window, and the popover should it reach beyond it. */
  width = MAX (gtk_widget_get_width (GTK_WIDGET (f.window)),
               x + px - wx + gtk_widget_get_width (GTK_WIDGET (popover)));
  height = MAX (gtk_widget_get_height (GTK_WIDGET (f.window)),
                y + py - wy + gtk_widget_get_height (GTK_WIDGET (popover)));
  renderer = gtk_native_get_renderer (GTK_NATIVE (f.window));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot saved to %s", path);

  gtk_popover_popdown (popover);
  fixture_teardown (&f);
}

int
main (int   argc,
      char *argv[])
{
  /* As the app: its style sheet and translations, for the screenshots. */
  ka_gui_test_init (&argc, &argv, TRUE);

  g_test_add_func ("/ka/sync-ui/indicator", test_indicator);
  g_test_add_func ("/ka/sync-ui/sealed-names", test_sealed_names);
  g_test_add_func ("/ka/sync-ui/set-aside", test_set_aside);
  g_test_add_func ("/ka/sync-ui/no-server", test_no_server);
  g_test_add_func ("/ka/sync-ui/problem-words", test_problem_words);
  g_test_add_func ("/ka/sync-ui/preferences", test_preferences);
  g_test_add_func ("/ka/sync-ui/not-enrolled-toast", test_not_enrolled_toast);
  g_test_add_func ("/ka/sync-ui/application", test_application);
  g_test_add_func ("/ka/sync-ui/screenshot", test_screenshot);

  return g_test_run ();
}
